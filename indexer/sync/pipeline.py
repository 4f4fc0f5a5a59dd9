"""`meetup-indexer sync`, from the notes to the matched database, in one place.

``run_sync`` reads the notes (files and Google Docs), writes them in one
transaction, harvests every source (YouTube, Drive) through one step runner,
then matches recordings to meetings. The run is recorded in ``sync_runs``.
Each step returns a ``StepResult``; the command prints their lines.
"""
from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from indexer.store import db as dbmod
from indexer.series import db as seriesdb
from indexer.google.auth import KEY_ENV, GoogleAccess, ServiceAccountRefused
from indexer.common.errors import UserError
from indexer.notes.overrides import load_overrides
from indexer.notes.peopledb import save_people
from indexer.google.client import Forbidden, NotFound, add_usage
from indexer.notes.files import load_any_notes
from indexer.notes.save import save_notes
from indexer.sync.steps import Progress, StepResult, SyncOptions  # noqa: F401 - the pipeline's public names


@dataclass
class SyncResult:
    db_path: str
    notes_files: int = 0
    counts: dict = field(default_factory=dict)
    steps: list[StepResult] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self, quiet: bool) -> list[str]:
        """The summary lines in the order the steps ran, the notes' total last."""
        out = [s.line for s in self.steps if s.line and (s.must_show or not quiet)]
        if not quiet:
            c = self.counts
            out.append(
                f"synced {self.notes_files} notes file(s) into {self.db_path}: {c.get('meetings', 0)} meetings, "
                f"{c.get('talks', 0)} talks, {c.get('people', 0)} people, {c.get('organizations', 0)} organisations, "
                f"{c.get('backlog_items', 0)} backlog items in {self.seconds:.2f}s"
            )
        return out


# ---------------------------------------------------------------- sources


class YouTubeSource:
    name, api, unit, what, flag = "YouTube", "youtube", "video", "channel", "--channel"
    KINDS = ("youtube_channel", "youtube_handle", "youtube_user", "youtube_custom")

    def explicit(self, opts: SyncOptions) -> str | None:
        return opts.channel

    def from_notes(self, db) -> str | None:
        """The channel the notes' header names, as its URL."""
        return dbmod.first_source(db, self.KINDS, column="url")

    def harvest(self, db, client, target: str, opts: SyncOptions, auth, progress, access) -> StepResult:
        from indexer.youtube.harvest import harvest

        # a replay must ask exactly what was recorded: list everything
        result = harvest(db, client, target, full=opts.full or bool(access.replay), refresh=opts.refresh,
                         playlists=opts.playlists, progress=progress)
        # a budget can stop the run before the channel is looked up: name the one asked for
        line = (f"YouTube {result.channel_id or target}: {result.new} new, {result.updated} updated, {result.removed} removed, "
                f"{result.playlists} playlists")
        return StepResult(self.name, "stopped" if result.stopped else "ok", line, result.counts(),
                          must_show=bool(result.stopped))

    def skip_unreadable(self, exc: UserError) -> bool:
        return False  # the channel is the main source: a channel the notes name must be readable

    def tail(self, step: StepResult, usage: dict, seconds: float) -> str:
        line = f"{step.line}; {sum(usage['calls'].values())} calls, {usage['quota_units']} quota units in {seconds:.2f}s"
        if step.status == "stopped":
            line += f"; stopped early: {step.counts['stopped']} (rerun to continue)"
        return line


class DriveSource:
    name, api, unit, what, flag = "Drive", "drive", "item", "folder", "--drive-folder"

    def explicit(self, opts: SyncOptions) -> str | None:
        return opts.drive_folder

    def from_notes(self, db) -> str | None:
        from indexer.drive.harvest import folder_from_notes

        return folder_from_notes(db)

    def harvest(self, db, client, target: str, opts: SyncOptions, auth, progress, access) -> StepResult:
        from indexer.drive import harvest as drive

        def count(counts: dict) -> None:
            progress(sum(counts.get(k, 0) for k in ("drive_folders", "drive_files", "added", "updated", "removed")))

        # only OAuth credentials can read the changes feed; a replay asks what was recorded
        counts = drive.harvest(db, client, target, use_changes=auth.credentials is not None and not access.replay,
                               full=opts.full, progress=count)
        if counts["mode"] == "changes":
            what = (f"{counts['added']} added, {counts['updated']} updated, {counts['removed']} removed "
                    f"from the changes feed")
        else:
            what = f"{counts['drive_folders']} folders, {counts['drive_files']} files listed, {counts['removed']} removed"
        stored = {k if k.startswith("drive_") else f"drive_{k}": v for k, v in counts.items() if k != "mode"}
        return StepResult(self.name, "ok", f"Drive {drive.folder_id_from(target)}: {what}", stored)

    def skip_unreadable(self, exc: UserError) -> bool:
        from indexer.drive.harvest import DriveError

        return isinstance(exc, (NotFound, Forbidden, DriveError))

    def tail(self, step: StepResult, usage: dict, seconds: float) -> str:
        return f"{step.line}; {sum(usage['calls'].values())} calls in {seconds:.2f}s"


SOURCES = [YouTubeSource(), DriveSource()]


def _skip(source, why: str, must_show: bool) -> StepResult:
    return StepResult(source.name, "skipped", f"{source.name} skipped: {why}", must_show=must_show)


def _key_hint(api: str) -> str:
    names = ["--api-key", *KEY_ENV.get(api, [])]
    return ", ".join(names[:-1]) + " or " + names[-1]


def run_source(db, source, opts: SyncOptions, access: GoogleAccess, run: dict) -> StepResult:
    """The same steps for every source: target from the flag or the notes, skip
    when there is nothing to read or no way in, client, progress bar, harvest,
    usage into ``run``, summary line. A skip shows even with --quiet when the
    user asked for the source or the notes name one that could not be read."""
    explicit = source.explicit(opts)
    target = explicit or source.from_notes(db)
    if not explicit and not access.recorded(source.api):
        return _skip(source, f"the recording in {access.replay} has no {source.name} responses", False)
    if not target:
        return _skip(source, f"no {source.what} (pass {source.flag} or link one in the notes' header)", False)
    try:
        auth = access.auth(source.api)
    except ServiceAccountRefused as exc:
        # a service-account key is Drive's credential: the other sources still run
        others = [s for s in SOURCES if s is not source and (s.explicit(opts) or s.from_notes(db))]
        if not others:
            raise
        return _skip(source, str(exc), True)
    if not access.usable(auth):
        return _skip(source, f"no API key ({_key_hint(source.api)}), --credentials or --replay given", True)
    client = access.client(source.api, auth)
    progress = Progress(source.name, source.unit, opts.quiet)
    started = time.monotonic()
    try:
        step = source.harvest(db, client, target, opts, auth, progress, access)
    except UserError as exc:
        if explicit or not source.skip_unreadable(exc):
            raise
        # a folder the notes merely link (private, moved, a typo) must not sink the others
        return _skip(source, f"cannot read the {source.what} the notes' header links: {exc} "
                             f"(share it with these credentials or pass {source.flag})", True)
    finally:
        progress.close()
        add_usage(run, client.usage)
        client.close()
    step.line = source.tail(step, client.usage.as_dict(), time.monotonic() - started)
    run["counts"].update(step.counts)
    return step


def match_step(db, run: dict) -> StepResult:
    """The matcher, after every harvest; skipped until something was harvested."""
    from indexer.sync.matching import match_line, match_step as run_matcher

    counts = run_matcher(db)
    if counts is None:
        return StepResult("match", "skipped")
    run["counts"].update({f"match_{k}": v for k, v in counts.items()})
    return StepResult("match", "ok", match_line(counts), counts)


# ---------------------------------------------------------------- the pipeline


def default_notes(db) -> list[str]:
    """Without NOTES: the files the database knows, or data/notes/*.md for a new one."""
    return [r["path"] for r in db["notes_files"].rows] or sorted(str(p) for p in Path("data/notes").glob("*.md"))


def read_notes(paths: list[str], access: GoogleAccess, run: dict, warn, fold=None) -> list[tuple[str, object]]:
    """Every notes file, folder and Google Doc, parsed before anything is written.
    ``fold(parsed)`` folds dates repeated across files (within each series) and returns warnings."""
    from indexer.notes.files import InputError, display_path, expand_notes_paths, one_date_per_meeting

    expanded = expand_notes_paths(paths)
    in_folder = {display_path(p) for p, from_folder in expanded if from_folder}
    # a Google Doc given as notes is read through Drive; its calls count in ``run``
    parsed = [load_any_notes(path, access.client_builder("drive", run)) for path, _ in expanded]
    # a folder's index or README without meetings is skipped, not an error
    for path in [p for p, n in parsed if not n.meetings and p in in_folder]:
        warn(f"{path}: warning: no meetings found; skipped")
    parsed = [(p, n) for p, n in parsed if n.meetings or p not in in_folder or len(in_folder) == 1]
    had_meetings = {p for p, n in parsed if n.meetings}
    for line in (fold or one_date_per_meeting)(parsed):
        warn(line)
    parsed = [(p, n) for p, n in parsed if n.meetings or p not in had_meetings]
    if not parsed:
        raise InputError(f"no meetings found in {', '.join(paths)}: is it a notes folder? "
                         "(a meeting is a heading or line with a date)")
    for path, notes in parsed:
        # syncing a file with no meetings would delete that file's meetings, and
        # its header links would become sources: most likely the wrong file
        if not notes.meetings:
            raise InputError(f"no meetings found in {path}: is it a notes file? "
                             "(a meeting is a heading or line with a date)")
    return parsed


def run_sync(db, db_path: str, opts: SyncOptions, access: GoogleAccess, command: str,
             warn: Callable[[str], None] = lambda line: None) -> SyncResult:
    """Notes, then every source, then the matcher. Raises ``UserError`` (one line)."""
    started = time.monotonic()
    result = SyncResult(db_path)
    given, paths, project = bool(opts.notes), list(opts.notes), None
    if not paths:
        # a project file lists the series: meetup-indexer.yml here, or --config PATH
        from indexer.series.project import find_project, load_project

        found = find_project(opts.config)
        project = load_project(found) if found else None
        if project:
            given, paths = True, list(dict.fromkeys(n for s in project.series for n in s.notes))
        else:
            paths = seriesdb.default_notes(db) or default_notes(db)
    with dbmod.sync_run(db, command) as run:
        if not paths:
            raise UserError("no notes files given and none known to the database")
        parsed = read_notes(paths, access, run, warn,
                            fold=lambda parsed: seriesdb.one_date_per_series(db, paths, given, parsed, project))
        with db.atomic():
            # one series per notes argument (or as the project file lists them); meeting ids
            # keyed by series once there are two
            plan = seriesdb.make_plan(db, paths, given, parsed, project)
            counts = seriesdb.save_notes_in_series(db, plan, functools.partial(save_notes, people=False), warn,
                                                   origin="project" if project else "notes")
            for k, v in counts.items():
                result.counts[k] = result.counts.get(k, 0) + v
            # one person written several ways, across every file (data/overrides.yml may merge or split)
            result.counts.update(save_people(db, load_overrides(None)))
        result.notes_files = len(parsed)
        run["counts"].update(result.counts)
        # the harvests commit page by page, after the notes' own transaction;
        # a channel or folder several series name is harvested once
        for source in SOURCES:
            for one in _targets(source, opts, project):
                result.steps.append(run_source(db, source, one, access, run))
        result.steps.append(match_step(db, run))
        # transcripts of the matched recordings (YouTube captions, Zoom files on Drive), then match again
        from indexer.sync.transcript_steps import after_match

        after_match(db, opts, access, run, result.steps, rematch=match_step)
    result.seconds = time.monotonic() - started
    return result


def _targets(source, opts: SyncOptions, project) -> list[SyncOptions]:
    """The options to harvest ``source`` with: once, or once per channel (Drive folder) of the
    project file when no flag names one."""
    if project is None or source.explicit(opts):
        return [opts]
    if isinstance(source, YouTubeSource):
        return [replace(opts, channel=c) for c in project.channels()] or [opts]
    return [replace(opts, drive_folder=f) for f in project.drive_folders()] or [opts]


def stored_command(opts: SyncOptions, access: GoogleAccess) -> str:
    """The run as ``sync_runs.command`` shows it on the site: notes and sources by
    their public names, no key, no credentials path, no userinfo, no machine path."""
    from indexer.google.client import redact
    from indexer.notes.files import public_path

    parts = ["sync", *(public_path(p) for p in opts.notes)]
    for flag, value in (("--channel", opts.channel), ("--drive-folder", opts.drive_folder),
                        ("--api-endpoint", access.api_endpoint), ("--quota-budget", access.quota_budget),
                        ("--transcript-budget", opts.transcript_budget)):
        if value is not None:
            parts += [flag, str(value)]
    for flag, value in (("--replay", access.replay), ("--record", access.record)):
        if value:
            parts += [flag, public_path(str(value))]
    for flag, given in (("--api-key", access.api_key), ("--credentials", access.credentials), ("--full", opts.full),
                        ("--no-refresh", not opts.refresh), ("--no-playlists", not opts.playlists)):
        if given:
            parts.append(flag)
    return redact(" ".join(parts))
