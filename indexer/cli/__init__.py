"""Command line: thin click commands over the library functions."""
from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path

import click

from indexer.store import db as dbmod
from indexer.store import dbfile
from indexer.store import failures
from indexer.common.errors import UserError
from indexer.cli.database import open_existing
from indexer.notes import meeting_to_json
from indexer.notes.files import InputError, expand_notes_paths, load_notes, one_date_per_meeting, public_path
from indexer.common.redact import redact

DEFAULT_DB = "data/index.db"
REPO_ROOT = Path(__file__).resolve().parents[2]


def fail(message: str, code: int = 1):
    """One line on stderr and a non-zero exit; no secret, no line break, no page of text."""
    from indexer.common.bounds import clip

    click.echo(f"Error: {clip(' '.join(redact(message).split()), 1000)}", err=True)
    sys.exit(code)


def open_database(path: str, name: str | None = None):
    """``db.open_db``, with one line instead of a traceback for a file that is not SQLite;
    another application's database is refused before anything is created in it.
    ``name``: the database the user named, when ``path`` is its working copy."""
    import sqlite3

    failures.using(name or path)
    failures.check_ours(path)
    try:
        return dbmod.open_db(path)
    except sqlite3.DatabaseError as exc:
        failure = failures.explain(exc, path)
        if failure is not None and failure.exit_code == failures.EXIT_DB_WRITE:
            fail(str(failure), failure.exit_code)
        fail(f"not a SQLite database: {path} ({exc})")


class Commands(click.Group):
    """Every ``UserError`` becomes one line on stderr and its exit code, here and nowhere else;
    so does what the file system or SQLite refuses (``failures.explain``)."""

    def invoke(self, ctx):
        import sqlite3

        try:
            return super().invoke(ctx)
        except UserError as exc:
            fail(str(exc), exc.exit_code)
        except (sqlite3.Error, OSError) as exc:
            failure = failures.explain(exc)
            if failure is None:
                raise
            fail(str(failure), failure.exit_code)


@click.group(cls=Commands)
@click.version_option(package_name="meetup-indexer")
def cli():
    """Index a community's meeting notes, YouTube recordings and Drive archive
    into SQLite, and serve them with Datasette."""


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array, one object per meeting.")
def notes(files, as_json):
    """Parse notes FILES (or FOLDERs of them) and print the meetings found.

    A folder gives every .md file in it, recursively, in path order (one
    meeting per file is common). Warnings (with line numbers) go to stderr.
    The --json shape is stable: one object per meeting with date, title,
    line, cancelled, video_ids, drive_ids and talks (title, presenters with
    name and org).
    """
    out = []
    for arg in files:  # each argument is one series: one meeting per date within it, as `sync` keeps them
        try:
            group = [(path, load_notes(path)) for path, _ in expand_notes_paths([arg])]
        except InputError as exc:
            fail(str(exc))
        for path, parsed in group:
            for w in parsed.warnings:
                click.echo(f"{path}:{w.line}: warning: {w.message}", err=True)
            if not parsed.meetings:
                click.echo(f"{path}: warning: no meetings found (a meeting is a heading or line with a date)",
                           err=True)
        for line in one_date_per_meeting(group):
            click.echo(line, err=True)
        out.extend(m for _, parsed in group for m in parsed.meetings)
    if as_json:
        click.echo(json.dumps([meeting_to_json(m) for m in out], indent=2))
        return
    from tabulate import tabulate

    rows = [
        (
            m.date.isoformat(),
            (m.title[:40] + (" (cancelled)" if m.cancelled else "")),
            m.line,
            len(m.talks),
            " ".join(m.video_ids),
            "; ".join(
                t.title + (f" [{', '.join(p.name for p in t.presenters)}]" if t.presenters else "")
                for t in m.talks
            )[:80],
        )
        for m in out
    ]
    click.echo(tabulate(rows, headers=["date", "title", "line", "talks", "videos", "agenda"]))


def google_options(command):
    """The options every command that calls Google shares, given to it as one
    ``access: GoogleAccess`` (the way sqlite-utils shares option groups)."""
    options = [
        click.option("--api-key", help="Google API key (default: $YOUTUBE_API_KEY or $GOOGLE_API_KEY)."),
        click.option("--api-endpoint", metavar="URL", help="Send API calls here instead of Google (the emulator)."),
        click.option("--credentials", metavar="FILE", type=click.Path(dir_okay=False),
                     help="OAuth token saved by `meetup-indexer auth` (or a service-account key, Drive only)."),
        click.option("--quota-budget", type=click.IntRange(0), metavar="N",
                     help="Stop cleanly before spending more than N units."),
        click.option("--record", metavar="DIR", type=click.Path(file_okay=False),
                     help="Save every API response (secrets redacted)."),
        click.option("--replay", metavar="DIR", type=click.Path(file_okay=False),
                     help="Answer API calls from a recording, offline."),
    ]

    @functools.wraps(command)
    def wrapper(*args, api_key, api_endpoint, credentials, quota_budget, record, replay, **kwargs):
        from indexer.google.auth import GoogleAccess

        access = GoogleAccess(api_key=api_key, api_endpoint=api_endpoint, credentials=credentials,
                              record=record, replay=replay, quota_budget=quota_budget)
        return command(*args, access=access, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


@cli.command()
@click.argument("db_path", metavar="DB")
@click.argument("notes", nargs=-1)
@click.option("-q", "--quiet", is_flag=True, help="No summary line.")
@click.option("--channel", help="YouTube channel: UC... id, @handle or channel URL (default: the notes' header).")
@click.option("--drive-folder", metavar="ID|URL",
              help="Drive archive folder to harvest (default: the notes' header). --full lists it again.")
@click.option("--full", is_flag=True, help="List every upload, not just the new ones.")
@click.option("--no-refresh", is_flag=True, help="Do not refetch details of videos already stored.")
@click.option("--no-playlists", is_flag=True, help="Skip the channel's playlists (1 unit per 50 playlist items).")
@click.option("--config", metavar="PATH", type=click.Path(dir_okay=False),
              help="Project file listing the series (default: ./meetup-indexer.yml when there is one).")
@click.option("--transcript-budget", type=click.IntRange(0), metavar="UNITS",
              help="Quota units YouTube captions may spend, 250 per matched recording, newest first "
                   "(default: 2500; 0: none). Needs --credentials of the channel's owner.")
@google_options
def sync(db_path, notes, quiet, channel, drive_folder, full, no_refresh, no_playlists, config, transcript_budget,
         access):
    """Load notes into DB, harvest, match: sync DB [NOTES...]

    NOTES are files, folders of them, gdoc:DOC_ID or Google Docs URLs; each
    is one meeting series. Without NOTES, the series of the project file
    (meetup-indexer.yml, or --config) are synced, else the notes the database
    already knows (or data/notes/*.md for a new one). Then the YouTube channel and Drive
    folder the notes' header names are harvested (flags override), and
    recordings are matched to meetings; then the transcripts of matched
    recordings are fetched (YouTube captions with the channel owner's
    --credentials, within --transcript-budget; Zoom transcripts beside Drive
    recordings) and talks are placed with them.

    The notes are written in one transaction (a bad notes file changes
    nothing); harvests commit page by page, so a killed sync keeps what it
    fetched and a rerun converges. One sync at a time per DB (exit code 8
    otherwise); an existing DB is written as a copy renamed into place, so a
    site serving it never reads a half-written file.
    """
    from indexer.sync.pipeline import SyncOptions, run_sync, stored_command

    opts = SyncOptions(list(notes), channel, drive_folder, full, not no_refresh, not no_playlists, quiet, config,
                       transcript_budget)
    try:
        Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        failure = failures.explain(exc)
        if failure is not None:
            fail(str(failure), failure.exit_code)
        fail(f"cannot create the folder of {db_path}: {exc.strerror or exc}")
    dbfile.check(db_path)
    failures.check_ours(db_path)  # before the lock file or a working copy appear beside it
    with dbfile.writing(db_path) as work:
        db = open_database(work, name=db_path)
        try:
            result = run_sync(db, db_path, opts, access, stored_command(opts, access),
                              warn=functools.partial(click.echo, err=True))
        finally:
            db.close()
    for line in result.lines(quiet):
        click.echo(line, err=True)


def metadata_path() -> Path:
    local = Path("metadata.yml")
    return local if local.exists() else REPO_ROOT / "metadata.yml"


@cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("db_path", default=DEFAULT_DB, required=False)
@click.option("-h", "--host", default="127.0.0.1", show_default=True)
@click.option("-p", "--port", default=8001, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--sql-time-limit-ms", default=1000, show_default=True, type=click.IntRange(1),
    help="Stop any SQL query (canned, typed or a facet) that runs longer.",
)
@click.pass_context
def serve(ctx, db_path, host, port, sql_time_limit_ms):
    """Serve DB read-only with Datasette and the repo's metadata.yml.

    The database is opened immutable (-i) under the name "index", so the
    feeds keep their URLs: /index/meetings_calendar.ics and
    /index/latest_recordings.atom. Any further options are passed to
    `datasette serve`, e.g. --setting max_returned_rows 500.
    """
    from indexer.site.serve import datasette_args

    args = datasette_args(db_path, metadata_path(), host=host, port=port, sql_time_limit_ms=sql_time_limit_ms,
                          extra=ctx.args)
    click.echo(f"Serving {db_path} at http://{host}:{port}/", err=True)
    sys.stderr.flush()
    os.execv(sys.executable, args)


@cli.command()
@click.option("--client-secrets", required=True, metavar="FILE",
              help="OAuth client JSON of a desktop app, from Google Cloud console > Credentials.")
@click.option("--token", "token_path", default="meetup-indexer.token.json", show_default=True, metavar="FILE",
              help="Where to save the token (mode 0600); pass it to `sync --credentials`.")
@click.option("--scope", "scopes", multiple=True, type=click.Choice(["youtube", "drive", "captions"]),
              default=("youtube", "drive"), show_default=True,
              help="Read-only access to these APIs; captions: youtube.force-ssl, which caption downloads need "
                   "(it also allows edits).")
@click.option("--port", default=0, show_default=True, type=int, help="Loopback port for the redirect (0: any free one).")
@click.option("--no-browser", is_flag=True, help="Print the URL instead of opening a browser.")
def auth(client_secrets, token_path, scopes, port, no_browser):
    """Authorize read access to private videos and files, with a browser.

    Runs Google's installed-app flow with a loopback redirect on this machine
    and saves a refreshable token. An API key is enough for public channels.
    """
    from indexer.google.auth import SCOPES, run_installed_app_flow

    run_installed_app_flow(client_secrets, token_path, [s for name in scopes for s in SCOPES[name]],
                           open_browser=not no_browser, port=port)
    click.echo(f"Token saved to {token_path} (mode 0600); use: meetup-indexer sync --credentials {token_path}", err=True)


@cli.command()
@click.argument("db_path", default=DEFAULT_DB, required=False)
@click.option("--overrides", metavar="FILE", type=click.Path(dir_okay=False),
              help="Pinned and forbidden links (default: data/overrides.yml if it exists).")
@click.option("--timezone", "tz", metavar="TZ", envvar="MEETUP_TIMEZONE",
              help="The organiser's time zone, e.g. Asia/Tokyo (default: $MEETUP_TIMEZONE or America/Los_Angeles).")
def match(db_path, overrides, tz):
    """Link recordings to meetings and talks to moments again, from the
    tables already in DB (no API calls). Replaces recordings and
    talk_recordings in one transaction."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from indexer.sync.matching import match_line, run_match
    from indexer.notes.overrides import load_overrides
    from indexer.notes.peopledb import save_people

    if tz:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            fail(f"unknown time zone '{tz}' (use an IANA name such as America/Los_Angeles)")
    open_existing(db_path).close()
    with dbfile.writing(db_path) as work:
        db = open_database(work, name=db_path)
        try:
            with dbmod.sync_run(db, "match" + (f" --overrides {public_path(overrides)}" if overrides else "")) as run:
                counts = run_match(db, overrides=overrides, tz=tz, overrides_required=bool(overrides))
                with db.atomic():  # the overrides' people and organisations too
                    run["counts"] = {**counts, **save_people(db, load_overrides(overrides))}
        finally:
            db.close()
    click.echo(match_line(counts), err=True)


@cli.command()
@click.argument("db_path")
@click.option("--from", "folder", required=True, metavar="DIR",
              help="Folder (and subfolders) of subtitle files as yt-dlp writes them: VIDEOID.en.vtt, VIDEOID.en.srt, "
                   "'Title [VIDEOID].en.vtt'.")
def transcripts(db_path, folder):
    """Import transcripts (subtitle files) into DB_PATH, for search and for
    placing talks in recordings without chapters (run `match` afterwards).

    Incremental: a file imported before with the same content is skipped.
    A file that cannot be read is reported on one line and skipped; the
    exit status is then 1.
    """
    from indexer.transcripts.store import import_folder, subtitle_files

    path = Path(folder)
    if not path.is_dir():
        fail(f"not a folder: {folder}")
    if not subtitle_files(path):
        fail(f"no subtitle files in {folder} (named as yt-dlp writes them: VIDEOID.en.vtt, VIDEOID.en.srt)")
    dbfile.check(db_path)
    try:
        with dbfile.writing(db_path) as work:
            db = open_database(work, name=db_path)
            dbfile.skip_syncs_on_copy(db.conn, work, db_path)
            try:
                with dbmod.sync_run(db, f"transcripts --from {public_path(folder)}") as run:
                    result = import_folder(db, path)
                    run["counts"] = result.counts()
            finally:
                db.close()
    except OSError as exc:
        fail(f"cannot read {folder}: {exc.strerror or exc}")
    for error in result.errors:
        click.echo(f"Skipped {error}", err=True)
    click.echo(f"transcripts: {result.imported} imported ({result.cues} cues, {result.hours:.1f} h), "
               f"{result.unchanged} unchanged, {len(result.errors)} skipped", err=True)
    if result.errors:
        sys.exit(1)


@cli.command()
@click.argument("db_path", default=DEFAULT_DB, required=False)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: section -> rows.")
def report(db_path, as_json):
    """What needs a human: meetings without a recording, recordings without
    a meeting, and ambiguous or low-confidence links (fix them in
    data/overrides.yml)."""
    from tabulate import tabulate

    from indexer.sync.matching import report as build_report

    sections = build_report(open_existing(db_path))
    if as_json:
        click.echo(json.dumps(sections, indent=2))
        return
    for title, rows in sections.items():
        click.echo(f"## {title}: {len(rows)}")
        if rows:
            click.echo(tabulate([{k: (str(v)[:60] if isinstance(v, str) else v) for k, v in r.items()} for r in rows],
                                headers="keys"))
        click.echo()


@cli.command()
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="0: any free port.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--videos", default=120, show_default=True, type=click.IntRange(0), help="Generated YouTube videos.")
@click.option("--seed", type=int, help="Seed of the generated data (default 0; 7 with --foundation).")
@click.option("--channel-id", metavar="ID", help="Channel id to serve (default: derived from the seed).")
@click.option("--folders", default=20, show_default=True, type=click.IntRange(0), help="Generated Drive folders.")
@click.option("--files", default=200, show_default=True, type=click.IntRange(0), help="Generated Drive files.")
@click.option("--root-folder-id", metavar="ID", help="Drive root folder id (default: derived from the seed).")
@click.option("--data", metavar="DIR", type=click.Path(file_okay=False),
              help="Serve API resources from DIR (channels.json, playlists.json, playlist_items.json, videos.json, "
                   "drive_files.json) instead of generated data.")
@click.option("--fault-rate", default=0.0, type=click.FloatRange(0, 1), help="Share of calls answered 500/503/429/rateLimitExceeded.")
@click.option("--fault-seed", type=int, help="Seed of the fault sequence.")
@click.option("--quota-limit", type=click.IntRange(0), metavar="N", help="Daily quota units before quotaExceeded.")
@click.option("--api-key", metavar="KEY", help="Only accept this API key (default: any).")
@click.option("--latency-ms", default=0.0, type=click.FloatRange(0), metavar="MS",
              help="Delay every API call by MS milliseconds, each on its own (concurrent calls overlap).")
@click.option("--jitter-ms", default=0.0, type=click.FloatRange(0), metavar="MS",
              help="Add up to +/- MS milliseconds at random to each call's delay.")
@click.option("--write-service-account", metavar="FILE", type=click.Path(dir_okay=False),
              help="Write a TEST service-account key (mode 0600) whose token_uri is this emulator.")
@click.option("--write-user-token", metavar="FILE", type=click.Path(dir_okay=False),
              help="Write a TEST authorized-user token file (refresh token) for this emulator.")
@click.option("--foundation", is_flag=True,
              help="Serve an emulated foundation's channel (20 meeting series, sample data), generated with its "
                   "notes and project file into a temporary folder the banner names.")
@click.option("--dump", metavar="DIR", type=click.Path(file_okay=False),
              help="Write the data as the JSON files --data reads (to edit by hand), then exit. With --foundation: "
                   "the foundation's data/, notes/, project file and truth.")
def emulator(port, host, videos, seed, channel_id, folders, files, root_folder_id, data, fault_rate, fault_seed,
             quota_limit, api_key, latency_ms, jitter_ms, write_service_account, write_user_token, foundation, dump):
    """Run a local emulator of the YouTube Data API v3 and Drive v3 subset we use.

    Point sync at it with --api-endpoint URL. Stop with Ctrl+C.
    """
    command = _emulator_command()
    emu = None
    try:
        if foundation and dump and not data:
            return click.echo(command.dump_foundation(dump, seed))
        emu = command.build(videos=videos, seed=seed, channel_id=channel_id, folders=folders, files=files,
                            root_folder_id=root_folder_id, data=data, fault_rate=fault_rate, fault_seed=fault_seed,
                            quota_limit=quota_limit, api_key=api_key, port=port, host=host, foundation=foundation,
                            latency_ms=latency_ms, jitter_ms=jitter_ms)
        if dump:
            return click.echo(command.dump(emu, dump))
        command.start(emu)
    except command.EmulatorSetupError as exc:
        if emu is not None:
            command.remove_foundation(emu)
        fail(str(exc))
    try:
        _serve_emulator(command, emu, write_service_account, write_user_token)
    finally:
        command.remove_foundation(emu)


def _serve_emulator(command, emu, write_service_account, write_user_token):
    lines = command.banner(emu)
    if write_service_account:
        emu.write_service_account(write_service_account)
        lines.append(f"service_account: {write_service_account} (test key, valid only here)")
    if write_user_token:
        emu.write_user_token(write_user_token, ["https://www.googleapis.com/auth/youtube.readonly",
                                                "https://www.googleapis.com/auth/drive.readonly"])
        lines.append(f"user_token: {write_user_token} (test token, valid only here)")
    command.handle_stop_signals()
    try:
        for line in lines:
            click.echo(line)
        sys.stdout.flush()
    except KeyboardInterrupt:
        return emu.stop()
    command.serve_until_stopped(emu)


def _emulator_command():
    """The emulator is its own package with its own dependencies (the ``emulator`` extra)."""
    try:
        import cryptography  # noqa: F401 - the test keys it signs with
        from meetup_emulator import command
    except ImportError:
        fail("the emulator is not installed here: pip install 'meetup-indexer[emulator]' "
             "(a checkout: make install-test)")
    return command


from indexer.cli.project_file import init  # noqa: E402 - the project file's command lives beside the project file

cli.add_command(init)

from indexer.cli.writeback import chapters  # noqa: E402 - writing back to YouTube (issue 22)

cli.add_command(chapters)


def main():  # pragma: no cover
    cli()
