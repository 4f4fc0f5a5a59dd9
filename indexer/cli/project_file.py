"""`meetup-indexer init NOTES...`: a project file from notes headers."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from indexer.series.project import PROJECT_FILE, ProjectError, SeriesConfig, parse_project, render_project, series_from_notes, \
    slug, unique_ids
from indexer.notes.files import InputError, expand_notes_paths, read_notes_file


def series_for_argument(arg: str) -> SeriesConfig:
    """One series per argument: a notes file, a folder of notes files, or gdoc:ID (named from its id)."""
    from indexer.notes import parse_notes

    if arg.startswith("gdoc:"):
        return SeriesConfig(id=slug(arg[5:]), name=arg[5:], notes=[arg])
    files = [path for path, _ in expand_notes_paths([arg])]
    texts = [read_notes_file(f) for f in files]
    parsed = [parse_notes(t, path=f) for f, t in zip(files, texts)]
    return series_from_notes(arg, parsed, texts)


@click.command()
@click.argument("notes", nargs=-1, required=True)
@click.option("--config", "config", metavar="PATH", default=PROJECT_FILE, show_default=True,
              help="Where to write the project file.")
@click.option("--force", is_flag=True, help="Overwrite an existing project file.")
def init(notes, config, force):
    """Write a project file with one series per NOTES file or folder.

    Each series is named from its notes' title (a folder: the title its files
    share); its channel and Drive folder come from the links in the header, its
    usual weekday and UTC time from the meetings when most agree. Edit the file
    to add playlists, time zones and title words.
    """
    out = Path(config)
    if out.exists() and not force:
        click.echo(f"Error: {config} exists (pass --force to overwrite it)", err=True)
        sys.exit(1)
    try:
        series = [series_for_argument(a) for a in notes]
    except InputError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    unique_ids(series)
    text = render_project(series, base=out.parent)
    try:
        parse_project(text, str(out), base=out.parent)  # what we write must read back
    except ProjectError as exc:  # pragma: no cover - a bug in render_project
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    try:
        out.write_text(text)
    except OSError as exc:
        click.echo(f"Error: cannot write {config}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    for s in series:
        click.echo(f"{s.id}: {s.name} ({', '.join(s.notes)})")
    click.echo(f"wrote {config} ({len(series)} series)")
