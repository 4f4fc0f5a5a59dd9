"""Build the site's database and a Datasette app the way `meetup-indexer serve` does."""
from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import sqlite_utils
import yaml
from click.testing import CliRunner
from datasette.app import Datasette

from indexer import db as dbmod
from indexer import drive, matchdb, youtube
from indexer.cli import REPO_ROOT, cli

SEED = REPO_ROOT / "data" / "notes" / "flyte-meetup-notes.md"
HOSTILE_TITLE = '<script>alert("pwned")</script><img src=x onerror=alert(1)> Flyte & Friends'
EGRESS_START_S = 754


def video(vid: str, title: str, published_at: str, **extra) -> dict:
    row = {
        "id": vid,
        "channel_id": "UCNduEoLOToNo3nFVly-vUTQ",
        "title": title,
        "description": "",
        "published_at": published_at,
        "recorded_at": None,
        "duration_s": 3600,
        "views": 10,
        "likes": 1,
        "comments": 0,
        "tags": json.dumps(["flyte"]),
        "thumbnail_url": f"https://i.ytimg.com/vi/{vid}/hqdefault.jpg",
        "privacy_status": "public",
        "live_status": "none",
        "url": f"https://www.youtube.com/watch?v={vid}",
        "first_seen": "2026-11-27T00:00:00+00:00",
        "last_seen": "2026-11-27T00:00:00+00:00",
        "removed_at": None,
        "raw": "{}",
    }
    row.update(extra)
    return row


def add_recordings(db_path: Path) -> None:
    """Videos, chapters and links as the harvester and matcher write them (contract columns)."""
    db = sqlite_utils.Database(db_path)
    # the real schemas of the harvesters and the matcher
    youtube.create_tables(db)
    drive.create_tables(db)
    matchdb.create_tables(db)
    db["channels"].insert({"id": "UCNduEoLOToNo3nFVly-vUTQ", "title": "Flyte"}, pk="id")
    db["videos"].insert_all(
        [
            video(
                "iHBUxzSC9XE", "Flyte community sync Feb 9, 2021", "2021-02-10T01:00:00Z",
                recorded_at="2021-02-09T17:00:00Z", duration_s=3725,
                description="0:00 Intro\n12:34 Flyte Egress Events\n30:00 Flyte at Lyft L5",
                live_status="was_live",
            ),
            video(
                "hostile0001", HOSTILE_TITLE, "2022-03-01T17:00:00Z",
                description='<script>alert("desc")</script> see <a href="javascript:alert(2)">this</a>',
                thumbnail_url='https://i.ytimg.com/vi/x/a.jpg" onerror="alert(3)',
            ),
            video("conftalk001", "Flyte at KubeCon", "2022-05-20T10:00:00Z"),
        ],
        pk="id",
    )
    db["chapters"].insert_all(
        [
            {"video_id": "iHBUxzSC9XE", "start_s": 0, "end_s": EGRESS_START_S, "title": "Intro", "position": 1},
            {"video_id": "iHBUxzSC9XE", "start_s": EGRESS_START_S, "end_s": 1800,
             "title": "Flyte Egress Events", "position": 2},
            {"video_id": "iHBUxzSC9XE", "start_s": 1800, "end_s": 3725, "title": "Flyte at Lyft L5", "position": 3},
        ],
        pk=("video_id", "start_s"),
    )
    folder = {"root_id": "1Op9EzMNuoZptWovcZcYVdmAuJNNNjil4", "first_seen": "2026-11-27T00:00:00+00:00",
              "last_seen": "2026-11-27T00:00:00+00:00", "mime_type": "video/mp4"}
    db["drive_files"].insert_all(
        [
            {**folder, "id": "zoomfile0209", "name": "GMT20210209-170012_Recording_1920x1080.mp4",
             "path": "Video Archives/2021/GMT20210209-170012_Recording_1920x1080.mp4", "size": 734003200,
             "duration_s": 3724, "created_time": "2021-02-09T18:10:00Z", "name_date": "2021-02-09T17:00:12Z",
             "name_date_form": "zoom", "web_url": "https://drive.google.com/file/d/zoomfile0209/view"},
            {**folder, "id": "zoomfile0511", "name": "GMT20210511-170000_Recording.mp4",
             "path": "Video Archives/2021/GMT20210511-170000_Recording.mp4", "size": 1048576,
             "duration_s": 61, "created_time": "2021-05-11T18:00:00Z", "name_date": "2021-05-11T17:00:00Z",
             "name_date_form": "zoom", "web_url": "https://drive.google.com/file/d/zoomfile0511/view"},
        ],
    )
    db["recordings"].insert_all(
        [
            {"id": "2021-02-09:youtube:iHBUxzSC9XE", "meeting_id": "2021-02-09", "source": "youtube",
             "ref": "iHBUxzSC9XE", "kind": "recording", "method": "explicit", "confidence": 1.0,
             "reason": "linked in the notes", "ambiguous": 0},
            {"id": "2021-02-09:drive:zoomfile0209", "meeting_id": "2021-02-09", "source": "drive",
             "ref": "zoomfile0209", "kind": "raw", "method": "date", "confidence": 0.95,
             "reason": "Zoom file recorded 2021-02-09 17:00 UTC, 9:00 Pacific on the meeting day", "ambiguous": 0},
        ],
        pk="id",
        foreign_keys=[("meeting_id", "meetings", "id")],
    )
    db["talk_recordings"].insert(
        {"talk_id": "2021-02-09/flyte-egress-events", "video_id": "iHBUxzSC9XE", "start_s": EGRESS_START_S,
         "method": "chapter", "confidence": 0.9, "reason": "chapter 'Flyte Egress Events'",
         "url": f"https://www.youtube.com/watch?v=iHBUxzSC9XE&t={EGRESS_START_S}s"},
        pk=("talk_id", "video_id"),
        foreign_keys=[("talk_id", "talks", "id"), ("video_id", "videos", "id")],
    )
    dbmod.ensure_db_shape(db)
    if "videos_fts" not in db.table_names():  # until the harvester registers it in FTS_CONFIG
        db["videos"].enable_fts(["title", "description", "tags"], create_triggers=True, tokenize="porter")
    db.conn.close()


def build_site_db(folder: Path, notes: Path = SEED, recordings: bool = True) -> Path:
    db_path = folder / "index.db"
    result = CliRunner().invoke(cli, ["sync", str(db_path), str(notes)])
    assert result.exit_code == 0, result.output
    if recordings:
        add_recordings(db_path)
    return db_path


def metadata() -> dict:
    return yaml.safe_load((REPO_ROOT / "metadata.yml").read_text())


def app(db_path: Path) -> Datasette:
    """Immutable, with the repo's metadata and the serve command's time limit."""
    return Datasette(
        immutables=[str(db_path)],
        metadata=metadata(),
        settings={"sql_time_limit_ms": 1000},
    )


def get(ds: Datasette, path: str):
    async def go():
        return await ds.client.get(path)

    return asyncio.run(go())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(db_path, log: Path | None = None):
    """`meetup-indexer serve DB` in its own process on a free port: yields the base URL
    once the site answers, and stops the server after. ``log`` keeps what it printed."""
    port = free_port()
    out = open(log, "w") if log else subprocess.DEVNULL
    proc = subprocess.Popen([sys.executable, "-m", "indexer", "serve", str(db_path), "--port", str(port)],
                            cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT)
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
