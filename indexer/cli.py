"""Command line: thin click commands over the library functions."""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import click

from . import db as dbmod
from .notes import meeting_to_json
from .sources import InputError, display_path, expand_notes_paths, load_notes, one_date_per_meeting

DEFAULT_DB = "data/index.db"
DB_SUFFIXES = (".db", ".sqlite", ".sqlite3")
REPO_ROOT = Path(__file__).resolve().parent.parent


def fail(message: str, code: int = 1):
    """One line on stderr and a non-zero exit."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def open_database(path: str):
    """``db.open_db``, with one line instead of a traceback for a file that is not SQLite."""
    import sqlite3

    try:
        return dbmod.open_db(path)
    except sqlite3.DatabaseError as exc:
        fail(f"not a SQLite database: {path} ({exc})")


def split_db_and_notes(args: tuple[str, ...]) -> tuple[str, list[str]]:
    """``sync [DB] [NOTES...]``: the first argument is the database if it looks like one."""
    if args and args[0].lower().endswith(DB_SUFFIXES):
        return args[0], list(args[1:])
    return DEFAULT_DB, list(args)


@click.group()
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
    try:
        files = [path for path, _ in expand_notes_paths(list(files))]
    except InputError as exc:
        fail(str(exc))
    for path in files:
        try:
            parsed = load_notes(path)
        except InputError as exc:
            fail(str(exc))
        for w in parsed.warnings:
            click.echo(f"{path}:{w.line}: warning: {w.message}", err=True)
        if not parsed.meetings:
            click.echo(f"{path}: warning: no meetings found (a meeting is a heading or line with a date)", err=True)
        out.extend(parsed.meetings)
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


@cli.command()
@click.argument("args", nargs=-1)
@click.option("-q", "--quiet", is_flag=True, help="No summary line.")
@click.option("--channel", help="YouTube channel: UC... id, @handle or channel URL (default: the notes' header).")
@click.option("--api-key", help="Google API key (default: $YOUTUBE_API_KEY or $GOOGLE_API_KEY).")
@click.option("--api-endpoint", metavar="URL", help="Send API calls here instead of Google (the emulator).")
@click.option("--credentials", metavar="FILE", type=click.Path(dir_okay=False),
              help="OAuth token saved by `meetup-indexer auth` (or a service-account key, Drive only).")
@click.option("--full", is_flag=True, help="List every upload, not just the new ones.")
@click.option("--no-refresh", is_flag=True, help="Do not refetch details of videos already stored.")
@click.option("--quota-budget", type=click.IntRange(0), metavar="N", help="Stop cleanly before spending more than N units.")
@click.option("--record", metavar="DIR", type=click.Path(file_okay=False), help="Save every API response (secrets redacted).")
@click.option("--replay", metavar="DIR", type=click.Path(file_okay=False), help="Answer API calls from a recording, offline.")
@click.option("--no-playlists", is_flag=True, help="Skip the channel's playlists (1 unit per 50 playlist items).")
@click.option("--drive-folder", metavar="ID|URL",
              help="Drive archive folder to harvest (default: the notes' header). --full lists it again.")
def sync(args, quiet, channel, api_key, api_endpoint, credentials, full, no_refresh, quota_budget, record, replay,
         drive_folder, no_playlists):
    """Load notes into the database: sync [DB] [NOTES...]

    DB defaults to data/index.db. Without NOTES, the notes files the
    database already knows are synced again (or data/notes/*.md for a new one).
    NOTES may also be gdoc:DOC_ID or a Google Docs URL. Then the YouTube
    channel and Drive folder the notes' header names are harvested (flags
    override), and recordings are matched to meetings.

    The notes are written in one transaction (a bad notes file changes
    nothing); harvests commit page by page, so a killed sync keeps what it
    fetched and a rerun converges.
    """
    db_path, note_paths = split_db_and_notes(args)
    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    db = open_database(db_path)
    if not note_paths:
        note_paths = [r["path"] for r in db["notes_files"].rows] or sorted(
            str(p) for p in Path("data/notes").glob("*.md")
        )
    if not note_paths:
        fail("no notes files given and none known to the database")
    started = time.monotonic()
    # parse everything before writing anything
    parsed = []
    try:
        expanded = expand_notes_paths(note_paths)
    except InputError as exc:
        _record_failed_run(db, "sync", str(exc))
        fail(str(exc))
    in_folder = {display_path(p) for p, from_folder in expanded if from_folder}
    for path, _ in expanded:
        try:
            parsed.append(_load_any_notes(path, api_key, api_endpoint, credentials, record, replay))
        except InputError as exc:
            _record_failed_run(db, "sync", str(exc))
            fail(str(exc))
    # a folder's index or README without meetings is skipped, not an error
    for path in [p for p, n in parsed if not n.meetings and p in in_folder]:
        click.echo(f"{path}: warning: no meetings found; skipped", err=True)
    parsed = [(p, n) for p, n in parsed if n.meetings or p not in in_folder or len(in_folder) == 1]
    had_meetings = {p for p, n in parsed if n.meetings}
    for line in one_date_per_meeting(parsed):
        click.echo(line, err=True)
    parsed = [(p, n) for p, n in parsed if n.meetings or p not in had_meetings]
    if not parsed:
        error = f"no meetings found in {', '.join(note_paths)}: is it a notes folder? (a meeting is a heading or line with a date)"
        _record_failed_run(db, "sync", error)
        fail(error)
    for path, n in parsed:
        # syncing a file with no meetings would delete that file's meetings, and
        # its header links would become sources: most likely the wrong file
        if not n.meetings:
            error = f"no meetings found in {path}: is it a notes file? (a meeting is a heading or line with a date)"
            _record_failed_run(db, "sync", error)
            fail(error)
    totals: dict[str, int] = {}
    from .google_api import ApiError
    from .auth import ServiceAccountRefused
    from .drive import folder_from_notes
    from .overrides import load_overrides
    from .peopledb import save_people
    from .sync import YouTubeOptions, youtube_step

    yt_opts = YouTubeOptions(channel, api_key, api_endpoint, credentials, full, not no_refresh,
                             quota_budget, record, replay, quiet, playlists=not no_playlists)
    try:
        with dbmod.sync_run(db, "sync " + " ".join(note_paths)) as run:
            with db.atomic():
                for path, n in parsed:
                    for w in n.warnings:
                        click.echo(f"{path}:{w.line}: warning: {w.message}", err=True)
                    counts = dbmod.save_notes(db, n, path, people=False)
                    for k, v in counts.items():
                        totals[k] = totals.get(k, 0) + v
                # one person written several ways, across every file (data/overrides.yml may merge or split)
                totals.update(save_people(db, load_overrides(None)))
                dbmod.ensure_db_shape(db)
            run["counts"] = totals
            # YouTube commits page by page, after the notes' own transaction
            try:
                _, yt_line = youtube_step(db, yt_opts, run)
            except ServiceAccountRefused as exc:
                # a service-account key is Drive's credential: harvest Drive, say why YouTube was not
                if not (drive_folder or folder_from_notes(db)):
                    raise
                yt_line = f"YouTube skipped: {exc}"
            drive_line = _drive_step(db, run, drive_folder, api_key, api_endpoint, credentials, full, record,
                                     replay, quota_budget, quiet)
            match_line = _match_step(db, run)  # after every harvest
            dbmod.ensure_db_shape(db)
    except ApiError as exc:
        fail(str(exc), exc.exit_code)
    except OverrideError as exc:  # a bad overrides file
        fail(str(exc))
    # in the order the steps ran; skips that need a decision show even with --quiet
    if yt_line and (not quiet or yt_line.startswith("YouTube skipped")):
        click.echo(yt_line, err=True)
    if drive_line and (not quiet or drive_line.startswith("Drive skipped: cannot read")
                       or (drive_folder and "skipped" in drive_line)):
        click.echo(drive_line, err=True)
    if match_line and not quiet:
        click.echo(match_line, err=True)
    if not quiet:
        click.echo(
            f"synced {len(parsed)} notes file(s) into {db_path}: {totals.get('meetings', 0)} meetings, "
            f"{totals.get('talks', 0)} talks, {totals.get('people', 0)} people, "
            f"{totals.get('organizations', 0)} organisations, {totals.get('backlog_items', 0)} backlog items "
            f"in {time.monotonic() - started:.2f}s",
            err=True,
        )


def _load_any_notes(path, api_key, api_endpoint, credentials, record, replay):
    """A local notes file, or a Google Doc (``gdoc:ID`` or a Docs URL) exported through Drive."""
    from .google_api import ApiError
    from .sources import gdoc_id

    doc = gdoc_id(path)
    if not doc:
        return display_path(path), load_notes(path)
    from .drive import load_gdoc_notes

    try:
        return f"gdoc:{doc}", load_gdoc_notes(doc, api_key, api_endpoint, credentials, record, replay)
    except ApiError as exc:
        fail(str(exc), exc.exit_code)


def _drive_step(db, run, folder, api_key, api_endpoint, credentials, full, record, replay, quota_budget, quiet):
    from .drive import DriveError, drive_step

    try:
        return drive_step(db, run, folder, api_key=api_key, api_endpoint=api_endpoint, credentials=credentials,
                          full=full, record=record, replay=replay, quota_budget=quota_budget, quiet=quiet)
    except DriveError as exc:
        fail(str(exc))


def _record_failed_run(db, command: str, error: str) -> None:
    db["sync_runs"].insert(
        {"started_at": dbmod.now(), "finished_at": dbmod.now(), "status": "failed", "command": command, "error": error}
    )


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
    from .site import SiteError, datasette_args

    try:
        args = datasette_args(
            db_path, metadata_path(), host=host, port=port,
            sql_time_limit_ms=sql_time_limit_ms, extra=ctx.args,
        )
    except SiteError as exc:
        fail(str(exc))
    click.echo(f"Serving {db_path} at http://{host}:{port}/", err=True)
    sys.stderr.flush()
    os.execv(sys.executable, args)


@cli.command()
@click.option("--client-secrets", required=True, metavar="FILE",
              help="OAuth client JSON of a desktop app, from Google Cloud console > Credentials.")
@click.option("--token", "token_path", default="meetup-indexer.token.json", show_default=True, metavar="FILE",
              help="Where to save the token (mode 0600); pass it to `sync --credentials`.")
@click.option("--scope", "scopes", multiple=True, type=click.Choice(["youtube", "drive"]),
              default=("youtube", "drive"), show_default=True, help="Read-only access to these APIs.")
@click.option("--port", default=0, show_default=True, type=int, help="Loopback port for the redirect (0: any free one).")
@click.option("--no-browser", is_flag=True, help="Print the URL instead of opening a browser.")
def auth(client_secrets, token_path, scopes, port, no_browser):
    """Authorize read access to private videos and files, with a browser.

    Runs Google's installed-app flow with a loopback redirect on this machine
    and saves a refreshable token. An API key is enough for public channels.
    """
    from .auth import SCOPES, AuthError, run_installed_app_flow

    try:
        run_installed_app_flow(client_secrets, token_path, [s for name in scopes for s in SCOPES[name]],
                               open_browser=not no_browser, port=port)
    except AuthError as exc:
        fail(str(exc), exc.exit_code)
    click.echo(f"Token saved to {token_path} (mode 0600); use: meetup-indexer sync --credentials {token_path}", err=True)


from .overrides import OverrideError  # noqa: E402


def _match_step(db, run) -> str | None:
    from .linkdb import match_step

    counts = match_step(db)
    if counts is None:
        return None
    run["counts"] = {**(run.get("counts") or {}), **{f"match_{k}": v for k, v in counts.items()}}
    return _match_line(counts)


def _match_line(counts: dict) -> str:
    return (
        f"matched {counts['recordings']} recording(s) to {counts['meetings_linked']} meeting(s), "
        f"{counts['talk_recordings']} talk(s) to a recording ({counts['talk_moments']} at a chapter)"
        + (f", {counts['overrides']} override(s)" if counts["overrides"] else "")
    )


def _open_existing(db_path: str):
    if not Path(db_path).is_file():
        fail(f"database not found: {db_path} (run `meetup-indexer sync` first)")
    db = open_database(db_path)
    if not db["meetings"].count:
        fail(f"no meetings in {db_path} (run `meetup-indexer sync` with your notes first)")
    return db


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

    from .linkdb import run_match
    from .overrides import load_overrides
    from .peopledb import save_people

    if tz:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            fail(f"unknown time zone '{tz}' (use an IANA name such as America/Los_Angeles)")
    db = _open_existing(db_path)
    try:
        with dbmod.sync_run(db, "match" + (f" --overrides {overrides}" if overrides else "")) as run:
            counts = run_match(db, overrides=overrides, tz=tz, overrides_required=bool(overrides))
            with db.atomic():  # the overrides' people and organisations too
                run["counts"] = {**counts, **save_people(db, load_overrides(overrides))}
    except OverrideError as exc:
        fail(str(exc))
    click.echo(_match_line(counts), err=True)


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
    from .transcripts import import_folder

    path = Path(folder)
    if not path.is_dir():
        fail(f"not a folder: {folder}")
    db = open_database(db_path)
    try:
        with dbmod.sync_run(db, f"transcripts --from {folder}") as run:
            result = import_folder(db, path)
            run["counts"] = result.counts()
            dbmod.ensure_db_shape(db)
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

    from .linkdb import report as build_report

    sections = build_report(_open_existing(db_path))
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
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the generated data.")
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
@click.option("--write-service-account", metavar="FILE", type=click.Path(dir_okay=False),
              help="Write a TEST service-account key (mode 0600) whose token_uri is this emulator.")
@click.option("--write-user-token", metavar="FILE", type=click.Path(dir_okay=False),
              help="Write a TEST authorized-user token file (refresh token) for this emulator.")
@click.option("--dump", metavar="DIR", type=click.Path(file_okay=False),
              help="Write the data as the JSON files --data reads (to edit by hand), then exit.")
def emulator(port, host, videos, seed, channel_id, folders, files, root_folder_id, data, fault_rate, fault_seed,
             quota_limit, api_key, write_service_account, write_user_token, dump):
    """Run a local emulator of the YouTube Data API v3 and Drive v3 subset we use.

    Point sync at it with --api-endpoint URL. Stop with Ctrl+C.
    """
    from .emulator import command

    try:
        emu = command.build(videos=videos, seed=seed, channel_id=channel_id, folders=folders, files=files,
                            root_folder_id=root_folder_id, data=data, fault_rate=fault_rate, fault_seed=fault_seed,
                            quota_limit=quota_limit, api_key=api_key, port=port, host=host)
        if dump:
            return click.echo(command.dump(emu, dump))
        command.start(emu)
    except command.EmulatorSetupError as exc:
        fail(str(exc))
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


def main():  # pragma: no cover
    cli()
