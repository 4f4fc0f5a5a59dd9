"""Fixtures shared by the tests, in the style of sqlite-utils, Datasette and github-to-sqlite.

Databases hold what the real code writes: notes go in through `sync`, API
resources (shaped as the YouTube Data API and Drive v3 return them) through the
harvesters' own writers (``youtube.save_channel`` / ``save_videos`` / the
playlist writers, ``drive.save_page``) and links through the real matcher.
Expensive databases are built once per session and copied into each test's
``tmp_path``, so a test may change its copy freely. tests/README.md lists them.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import sqlite_utils
from datasette.app import Datasette

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "notes" / "flyte-meetup-notes.md"
SAMPLE = ROOT / "data" / "sample"

FLYTE_CHANNEL = "UCNduEoLOToNo3nFVly-vUTQ"  # the channel the seed notes' header names
ARCHIVE_FOLDER = "1Op9EzMNuoZptWovcZcYVdmAuJNNNjil4"  # the Drive folder the seed notes' header links
API_KEY = "test-key-7f3a9c1e5b"
HARVESTED_AT = "2026-11-27T00:00:00+00:00"  # `now` of the harvests the fixtures write
HOSTILE_TITLE = '<script>alert("pwned")</script><img src=x onerror=alert(1)> Flyte & Friends'
EGRESS_START_S = 754  # the Egress talk's chapter in the seed meeting's recording (12:34)
VOLATILE = {"first_seen", "last_seen", "synced_at"}


# --------------------------------------------------------------------------
# plain values


@pytest.fixture(scope="session")
def seed_path():
    """The seed notes (data/notes/flyte-meetup-notes.md)."""
    return SEED


@pytest.fixture(scope="session")
def seed_text():
    return SEED.read_text()


@pytest.fixture(scope="session")
def youtube_notes(tmp_path_factory):
    """The seed notes without their Drive folder, so a sync harvests YouTube alone."""
    path = tmp_path_factory.mktemp("yt-notes") / "flyte-meetup-notes.md"
    path.write_text("".join(l for l in SEED.read_text().splitlines(keepends=True) if "drive.google.com" not in l))
    return path


@pytest.fixture(scope="session")
def flyte_channel():
    return FLYTE_CHANNEL


@pytest.fixture(scope="session")
def api_key():
    """The key the emulators in the tests accept."""
    return API_KEY


@pytest.fixture(scope="session")
def hostile_title():
    """A title as hostile as YouTube lets uploaders write."""
    return HOSTILE_TITLE


@pytest.fixture(scope="session")
def egress_start_s():
    return EGRESS_START_S


@pytest.fixture(scope="session")
def site_metadata():
    """The repo's metadata.yml, as `serve` hands it to Datasette."""
    import yaml

    return yaml.safe_load((ROOT / "metadata.yml").read_text())


# --------------------------------------------------------------------------
# running the command line


def _clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("YOUTUBE_API_KEY", "GOOGLE_API_KEY", "GOOGLE_APPLICATION_CREDENTIALS")}
    env["MEETUP_INDEXER_BACKOFF"] = "0.001"
    env["HOME"] = extra.pop("HOME", env.get("HOME", "/nonexistent"))
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def clean_env():
    """``clean_env(**extra)``: the environment for a run, with no real credentials
    from the machine running the tests and a short retry backoff."""
    return _clean_env


@pytest.fixture(scope="session")
def run_sync():
    """``run_sync(db_path, *args, env=None)``: `meetup-indexer sync DB ARGS` in-process
    (exceptions propagate); returns the click Result."""
    from click.testing import CliRunner

    from indexer.cli import cli

    def run(db_path, *args, env=None):
        return CliRunner().invoke(cli, ["sync", str(db_path), *map(str, args)], env=env or _clean_env(),
                                  catch_exceptions=False)

    return run


@pytest.fixture(scope="session")
def run_sync_process():
    """``run_sync_process(db_path, *args, env=None, **run_kwargs)``: the same in its own process."""

    def run(db_path, *args, env=None, **kwargs):
        return subprocess.run([sys.executable, "-m", "indexer", "sync", str(db_path), *map(str, args)],
                              env=env or _clean_env(), capture_output=True, text=True, cwd=ROOT, **kwargs)

    return run


@pytest.fixture(scope="session")
def sync(run_sync, youtube_notes):
    """``sync(db_path, *args, env=None)``: ``run_sync`` of ``youtube_notes``."""
    return lambda db_path, *args, env=None: run_sync(db_path, youtube_notes, *args, env=env)


@pytest.fixture(scope="session")
def sync_process(run_sync_process, youtube_notes):
    """``sync_process(db_path, *args, env=None, **run_kwargs)``: ``run_sync_process`` of ``youtube_notes``."""
    return lambda db_path, *args, env=None, **kw: run_sync_process(db_path, youtube_notes, *args, env=env, **kw)


@pytest.fixture(scope="session")
def kill_sync_when():
    """``kill_sync_when(db, args, table, rows=1)``: start ``sync DB ARGS...`` and SIGKILL it
    once ``table`` holds ``rows`` committed rows; False if it finished before the kill landed."""
    import signal

    def run(db, args, table: str, rows: int = 1) -> bool:
        proc = subprocess.Popen([sys.executable, "-m", "indexer", "sync", str(db), *map(str, args)],
                                env=_clean_env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline, got = time.monotonic() + 60, 0
        while time.monotonic() < deadline and got < rows and proc.poll() is None:
            time.sleep(0.005)
            try:
                got = sqlite3.connect(db, timeout=0.05).execute(f"select count(*) from [{table}]").fetchone()[0]
            except sqlite3.OperationalError:
                pass
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return proc.returncode == -signal.SIGKILL

    return run


def _dump(db_path, skip_tables=("sync_runs",)) -> dict:
    conn = sqlite3.connect(db_path)
    out = {}
    tables = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table' order by name")]
    for t in tables:
        if t in skip_tables or "_fts" in t or t.startswith("sqlite_"):
            continue
        cols = [r[1] for r in conn.execute(f"pragma table_info([{t}])") if r[1] not in VOLATILE]
        rows = conn.execute(f"select {', '.join(f'[{c}]' for c in cols)} from [{t}]").fetchall()
        out[t] = sorted(rows, key=repr)
    conn.close()
    return out


@pytest.fixture(scope="session")
def dump():
    """``dump(db_path, skip_tables=("sync_runs",))``: every ordinary table's rows, sorted,
    without first_seen/last_seen/synced_at; for comparing two databases."""
    return _dump


# --------------------------------------------------------------------------
# API resources, shaped as the APIs return them


def _video_resource(vid: str, title: str, published_at: str, *, description: str = "", duration_s: int = 3600,
                    views: int = 10, likes: int = 1, comments: int = 0, tags=("flyte",), thumbnail: str | None = None,
                    live_started_at: str | None = None, privacy: str = "public",
                    channel_id: str = FLYTE_CHANNEL) -> dict:
    h, rest = divmod(duration_s, 3600)
    resource = {
        "kind": "youtube#video",
        "id": vid,
        "snippet": {
            "publishedAt": published_at, "channelId": channel_id, "title": title, "description": description,
            "thumbnails": {"high": {"url": thumbnail or f"https://i.ytimg.com/vi/{vid}/hqdefault.jpg",
                                    "width": 480, "height": 360}},
            "tags": list(tags), "liveBroadcastContent": "none",
        },
        "contentDetails": {"duration": f"PT{h}H{rest // 60}M{rest % 60}S", "caption": "false"},
        "statistics": {"viewCount": str(views), "likeCount": str(likes), "commentCount": str(comments)},
        "status": {"privacyStatus": privacy, "uploadStatus": "processed"},
    }
    if live_started_at:
        resource["liveStreamingDetails"] = {"actualStartTime": live_started_at}
    return resource


@pytest.fixture(scope="session")
def video_resource():
    """``video_resource(id, title, published_at, description=, duration_s=, views=, likes=,
    comments=, tags=, thumbnail=, live_started_at=, privacy=, channel_id=)``: a videos.list item."""
    return _video_resource


def _drive_item(fid: str, name: str, parent: str | None, mime_type: str = "video/mp4", *,
                created: str = "2021-02-09T18:10:00.000Z", size: int | None = None,
                duration_s: int | None = None, width: int | None = None, height: int | None = None) -> dict:
    item = {"kind": "drive#file", "id": fid, "name": name, "mimeType": mime_type,
            "parents": [parent] if parent else [], "createdTime": created, "modifiedTime": created,
            "trashed": False}
    if size is not None:
        item["size"] = str(size)
    if duration_s is not None:
        item["videoMediaMetadata"] = {"durationMillis": str(duration_s * 1000), "width": width, "height": height}
    return item


@pytest.fixture(scope="session")
def drive_item():
    """``drive_item(id, name, parent, mime_type="video/mp4", created=, size=, duration_s=, width=,
    height=)``: a files.list item."""
    return _drive_item


# --------------------------------------------------------------------------
# saving API resources through the harvesters' writers


def _save_videos(db, videos: list[dict], channel: dict | None = None, now: str = HARVESTED_AT) -> None:
    from indexer.youtube import harvest as youtube

    youtube.create_tables(db)
    if channel or not db["channels"].count_where("id = ?", [FLYTE_CHANNEL]):
        youtube.save_channel(db, channel or {"id": FLYTE_CHANNEL, "snippet": {"title": "Flyte"}}, now)
    youtube.save_videos(db, videos, now)


def _save_drive_tree(db, items: list[dict], now: str = HARVESTED_AT) -> None:
    """Drive resources (one root: the item without parents) placed by the harvester's
    walk (``drive.Tree``: paths, dates from folder names, shortcuts to folders followed
    once), breadth-first, then written as one page by ``drive.save_page``."""
    from indexer.drive import harvest as drive
    from indexer.drive.dates import date_from_name

    drive.create_tables(db)
    [root] = [i for i in items if not i.get("parents")]
    tree = drive.Tree(root["id"])
    dated = date_from_name(root["name"])
    tree.folders[root["id"]] = (root["name"], *dated)
    page = {"folders": [drive.folder_row(root, None, root["name"], root["id"], dated)], "files": []}
    queue = [root["id"]]
    while queue:
        parent = queue.pop(0)
        for item in items:
            if parent in (item.get("parents") or []):
                queue += drive._place(tree, item, parent, page)
    drive.save_page(db, page, now)


@pytest.fixture(scope="session")
def save_videos():
    """``save_videos(db, videos, channel=None, now=HARVESTED_AT)``: video resources through
    ``youtube.save_videos``, and ``channel`` (by default the Flyte channel, when the database
    has no row for it) through ``youtube.save_channel``."""
    return _save_videos


@pytest.fixture(scope="session")
def save_drive_tree():
    """``save_drive_tree(db, items, now=HARVESTED_AT)``: Drive resources through ``drive.save_page``."""
    return _save_drive_tree


def _load_sample(db) -> None:
    """data/sample's API JSON through the YouTube and Drive writers."""
    from indexer.youtube import harvest as youtube

    def read(name):
        return json.loads((SAMPLE / name).read_text())

    [channel] = read("youtube/channels.json")
    _save_videos(db, read("youtube/videos.json"), channel=channel)
    items = read("youtube/playlist_items.json")
    for playlist in read("youtube/playlists.json"):
        youtube.start_playlist(db, playlist, channel["id"], HARVESTED_AT)
        rows = [(i["contentDetails"]["videoId"], i["snippet"]["position"], i["snippet"]["title"])
                for i in items if i["snippet"]["playlistId"] == playlist["id"]]
        youtube.save_playlist_page(db, playlist["id"], rows)
        youtube.finish_playlist(db, playlist, len(rows))
    youtube.set_uploads_complete(db, channel["id"], True)
    _save_drive_tree(db, read("drive/drive_files.json"))


# --------------------------------------------------------------------------
# databases


def _sync_notes(db_path: Path, notes: Path = SEED) -> Path:
    from click.testing import CliRunner

    from indexer.cli import cli

    result = CliRunner().invoke(cli, ["sync", str(db_path), str(notes)], env=_clean_env())
    assert result.exit_code == 0, result.output
    return db_path


def _match(db_path: Path) -> None:
    from indexer.sync import matching as matchdb
    from indexer.store import schema

    db = sqlite_utils.Database(db_path)
    matchdb.run_match(db)
    schema.ensure_db_shape(db)
    db.conn.close()


def _add_recordings(db_path: Path) -> None:
    """The seed meeting's recordings as the harvesters write them, and the matcher's links."""
    from indexer.sync import matching as matchdb
    from indexer.store import schema

    db = sqlite_utils.Database(db_path)
    _save_videos(db, [
        _video_resource(
            "iHBUxzSC9XE", "Flyte community sync Feb 9, 2021", "2021-02-10T01:00:00Z", duration_s=3725,
            live_started_at="2021-02-09T17:00:00Z",
            description="0:00 Intro\n12:34 Flyte Egress Events\n30:00 Flyte at Lyft L5",
        ),
        _video_resource(
            "hostile0001", HOSTILE_TITLE, "2022-03-01T17:00:00Z",
            description='<script>alert("desc")</script> see <a href="javascript:alert(2)">this</a>',
            thumbnail='https://i.ytimg.com/vi/x/a.jpg" onerror="alert(3)',
        ),
        _video_resource("conftalk001", "Flyte at KubeCon", "2022-05-20T10:00:00Z"),
    ])
    _save_drive_tree(db, [
        _drive_item(ARCHIVE_FOLDER, "Video Archives", None, "application/vnd.google-apps.folder"),
        _drive_item("year2021", "2021", ARCHIVE_FOLDER, "application/vnd.google-apps.folder"),
        _drive_item("zoomfile0209", "GMT20210209-170012_Recording_1920x1080.mp4", "year2021", size=734003200,
                    duration_s=3724, width=1920, height=1080),
        _drive_item("zoomfile0511", "GMT20210511-170000_Recording.mp4", "year2021", size=1048576, duration_s=61,
                    created="2021-05-11T18:00:00.000Z"),
    ])
    # The matcher's output the site tests are written around: the meeting's video and
    # Zoom file, one talk placed at its chapter (the real matcher places every talk;
    # tests/test_match*.py cover that).
    matchdb.create_tables(db)
    db["recordings"].insert_all([
        {"id": "2021-02-09:youtube:iHBUxzSC9XE", "meeting_id": "2021-02-09", "source": "youtube",
         "ref": "iHBUxzSC9XE", "kind": "recording", "method": "explicit", "confidence": 1.0,
         "reason": "linked in the notes", "ambiguous": 0},
        {"id": "2021-02-09:drive:zoomfile0209", "meeting_id": "2021-02-09", "source": "drive",
         "ref": "zoomfile0209", "kind": "raw", "method": "date", "confidence": 0.95,
         "reason": "Zoom file recorded 2021-02-09 17:00 UTC, 9:00 Pacific on the meeting day", "ambiguous": 0},
    ])
    db["talk_recordings"].insert(
        {"talk_id": "2021-02-09/flyte-egress-events", "video_id": "iHBUxzSC9XE", "start_s": EGRESS_START_S,
         "method": "chapter", "confidence": 0.9, "reason": "chapter 'Flyte Egress Events'",
         "url": f"https://www.youtube.com/watch?v=iHBUxzSC9XE&t={EGRESS_START_S}s"})
    schema.ensure_db_shape(db)
    db.conn.close()


@pytest.fixture(scope="session")
def add_recordings():
    """``add_recordings(db_path)``: the seed meeting's YouTube video (chapters in its
    description), a hostile and an unrelated video, two Zoom files in the Drive archive,
    saved by the harvesters' writers; and the matcher's links for one talk."""
    return _add_recordings


# the seed meeting's chapters as the matcher tests write them: talk, presenter and organisation
MATCH_CHAPTERS = [(0, "Intro"), (754, "Flyte Egress Events - Nian (Spotify)"),
                  (1900, "Bazel at Lyft L5 (Miguel)"), (3100, "Planning")]


def _chapter_lines(chapters) -> str:
    return "\n".join(f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d} {t}" for s, t in chapters)


def _add_harvest(db_path, chapters=MATCH_CHAPTERS, extra_videos=(), removed=()) -> None:
    db = sqlite_utils.Database(db_path)
    common = dict(views=1, likes=0, tags=())
    _save_videos(db, [
        _video_resource("iHBUxzSC9XE", "Flyte OSS Sync", "2021-02-10T01:00:00Z", duration_s=3725,
                        description=_chapter_lines(chapters), **common),
        _video_resource("kubecon0001", "Flyte Egress Events | KubeCon EU 2021", "2021-02-09T20:00:00Z",
                        duration_s=1700, **common),
        *extra_videos,
    ])
    if removed:
        from indexer.youtube import harvest as youtube

        youtube.mark_removed(db, removed, HARVESTED_AT)
    _save_drive_tree(db, [
        _drive_item(ARCHIVE_FOLDER, "Video Archives", None, "application/vnd.google-apps.folder"),
        _drive_item("1year2021", "2021", ARCHIVE_FOLDER, "application/vnd.google-apps.folder"),
        _drive_item("1slidesfolder", "Slides", ARCHIVE_FOLDER, "application/vnd.google-apps.folder"),
        _drive_item("1zoomfile0209", "GMT20210209-170012_Recording_1920x1080.mp4", "1year2021", size=1,
                    duration_s=3800, width=1920, height=1080),
        _drive_item("1slides", "Egress slides.pdf", "1slidesfolder", "application/pdf", size=1),
    ])
    db.conn.close()


@pytest.fixture(scope="session")
def add_harvest():
    """``add_harvest(db_path, chapters=MATCH_CHAPTERS, extra_videos=(), removed=())``: what the
    matcher tests match, saved by the harvesters' writers: the seed meeting's video with
    ``chapters`` (``[(start_s, title)]``, written in its description), a KubeCon talk published
    the same day, ``extra_videos`` (``video_resource`` items; the ids in ``removed`` left the
    channel), a Zoom file and a deck in the Drive archive."""
    return _add_harvest


def _build_site_db(folder: Path, notes: Path = SEED, recordings: bool = True) -> Path:
    db_path = _sync_notes(Path(folder) / "index.db", notes)
    if recordings:
        _add_recordings(db_path)
    return db_path


@pytest.fixture(scope="session")
def build_site_db():
    """``build_site_db(folder, notes=SEED, recordings=True)``: folder/index.db synced from
    ``notes``, with ``add_recordings``. For other notes than the seed's; ``site_db`` and
    ``seed_db`` are the seed's, built once."""
    return _build_site_db


def _copy(built: Path, folder: Path) -> Path:
    """``built`` copied to folder/index.db (the name metadata.yml describes)."""
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "index.db"
    shutil.copy(built, db_path)
    return db_path


@pytest.fixture(scope="session")
def _seed_db_built(tmp_path_factory):
    return _sync_notes(tmp_path_factory.mktemp("seed") / "index.db")


@pytest.fixture
def seed_db(_seed_db_built, tmp_path):
    """tmp_path/index.db: the seed notes synced through the CLI (no harvest)."""
    return _copy(_seed_db_built, tmp_path)


@pytest.fixture(scope="session")
def _site_db_built(_seed_db_built, tmp_path_factory):
    db_path = _copy(_seed_db_built, tmp_path_factory.mktemp("site"))
    _add_recordings(db_path)
    return db_path


@pytest.fixture
def site_db(_site_db_built, tmp_path):
    """tmp_path/site/index.db: ``seed_db`` with ``add_recordings``: what the site serves."""
    return _copy(_site_db_built, tmp_path / "site")


@pytest.fixture(scope="session")
def site_db_shared(_site_db_built):
    """The session's one ``site_db``, for module-scoped fixtures that only read it."""
    return _site_db_built


@pytest.fixture(scope="session")
def _sample_db_built(_seed_db_built, tmp_path_factory):
    db_path = _copy(_seed_db_built, tmp_path_factory.mktemp("sample"))
    db = sqlite_utils.Database(db_path)
    _load_sample(db)
    db.conn.close()
    _match(db_path)
    return db_path


@pytest.fixture
def sample_db(_sample_db_built, tmp_path):
    """tmp_path/sample/index.db: the seed notes with data/sample's API JSON (channel,
    videos, playlists, Drive tree) saved by the harvesters' writers, then matched."""
    return _copy(_sample_db_built, tmp_path / "sample")


@pytest.fixture
def fresh_db(tmp_path):
    """An empty database at tmp_path/index.db with the project's whole schema."""
    from indexer.store import schema

    db = sqlite_utils.Database(tmp_path / "index.db")
    for group in schema.GROUPS:
        schema.create(db, group)
    schema.ensure_db_shape(db)
    yield db
    db.conn.close()


# --------------------------------------------------------------------------
# the emulator


@pytest.fixture(scope="session")
def _sample_emulator():
    from meetup_emulator import DriveData, Emulator, YouTubeData

    with Emulator(youtube=YouTubeData.load(SAMPLE / "youtube"), drive=DriveData.load(SAMPLE / "drive"),
                  api_key=API_KEY) as emu:
        yield emu


@pytest.fixture
def sample_emulator(_sample_emulator):
    """The emulator serving data/sample (YouTube channel and Drive archive) with key
    ``api_key``, started once per session; call counts start at zero in every test.
    Tests must not change its data: start an ``Emulator`` of their own for that."""
    _sample_emulator.reset_stats()
    return _sample_emulator


# --------------------------------------------------------------------------
# the site


class SiteApp(Datasette):
    """Datasette configured as `serve` configures it (immutable, the repo's metadata, the
    serve command's SQL time limit), with a synchronous ``get`` for tests."""

    def __init__(self, db_path, metadata: dict):
        super().__init__(immutables=[str(db_path)], metadata=metadata, settings={"sql_time_limit_ms": 1000})

    def get(self, path: str, **kwargs):
        async def go():
            return await self.client.get(path, **kwargs)

        return asyncio.run(go())


@pytest.fixture(scope="session")
def site_app(site_metadata):
    """``site_app(db_path)``: the site over that database, a Datasette whose ``.get(path)``
    answers a request."""
    import copy

    # each app its own copy, as each `serve` process reads its own: Datasette keeps
    # canned queries the plugin returns in it
    return lambda db_path: SiteApp(db_path, copy.deepcopy(site_metadata))


@pytest.fixture
def site(site_app, site_db):
    """The site over ``site_db``."""
    return site_app(site_db)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def free_port():
    """``free_port()``: a TCP port nothing listens on."""
    return _free_port


@contextlib.contextmanager
def _serving(db_path, log: Path | None = None):
    port = _free_port()
    out = open(log, "w") if log else subprocess.DEVNULL
    proc = subprocess.Popen([sys.executable, "-m", "indexer", "serve", str(db_path), "--port", str(port)],
                            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("serve did not start: " + (log.read_text()[-2000:] if log else ""))
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log:
            out.close()


@pytest.fixture(scope="session")
def serving():
    """``with serving(db_path, log=None) as base_url:`` `meetup-indexer serve DB` in its own
    process on a free port, once the site answers; stopped after. ``log`` keeps its output."""
    return _serving
