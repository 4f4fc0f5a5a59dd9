"""The streamed matcher input (``matchdb.load_linkable``) links exactly what the
whole channel in memory (``matchdb.load_input``) links, while holding only the
recordings that can be linked."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import sqlite_utils

from indexer.store import db as dbmod
from indexer.match import matcher
from indexer.sync import matching as matchdb
from indexer.notes import parse_notes
from indexer.notes.save import save_notes

ROOT = Path(__file__).resolve().parent.parent
NOTES = """# Community meeting notes

## 2021-02-09

### Agenda
* Egress events [Nian - Spotify]
* Bazel builds [Miguel - Lyft]

## 2021-02-16

* [recording](https://www.youtube.com/watch?v=linkedlate1)

### Agenda
* Caching in depth [Ketan]

## 2021-02-23

### Agenda
* Typed pipelines [Sonja]
"""


def _notes_db(path: Path, text: str) -> sqlite_utils.Database:
    db = sqlite_utils.Database(path)
    dbmod.create_tables(db)
    with db.conn:
        save_notes(db, parse_notes(text), str(path.parent / "notes.md"))
    return db


def _corpus(seed: int):
    # loaded by path: putting bench/ on sys.path would shadow the datasette package with bench/datasette.py
    spec = importlib.util.spec_from_file_location("match_eval", ROOT / "bench" / "match_eval.py")
    match_eval = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(match_eval)
    return match_eval.Corpus(60, seed, "America/Los_Angeles", 9, "pst")


def _resource(video_resource, c: dict) -> dict:
    return video_resource(c["id"], c["title"], c["published_at"], description=c["description"],
                          duration_s=c["duration_s"] or 0, live_started_at=c["recorded_at"])


def _both(db: sqlite_utils.Database, tz: str) -> tuple[dict, dict]:
    """(whole channel, streamed) matcher results over one database."""
    meetings, candidates = matchdb.load_input(db)
    whole = matcher.match(meetings, candidates, tz=tz)
    meetings, kept, facts = matchdb.load_linkable(db, tz)
    streamed = matchdb._match_streamed(db, meetings, kept, facts, tz, {}, None)
    return whole, {**streamed, "held": len(kept), "all": len(candidates)}


def _same(whole: dict, streamed: dict) -> None:
    for key in ("recordings", "talk_recordings"):
        got = sorted(streamed[key], key=repr)
        assert got == sorted(whole[key], key=repr), key


@pytest.mark.parametrize("seed", [7, 8])
def test_streamed_input_links_what_the_whole_channel_links(tmp_path, seed, save_videos, video_resource):
    corpus = _corpus(seed)
    db = _notes_db(tmp_path / "x.db", corpus.md)
    save_videos(db, [_resource(video_resource, c) for c in corpus.videos])
    whole, streamed = _both(db, corpus.tzname)
    assert whole["recordings"]
    _same(whole, streamed)


def test_late_reuploads_and_parts_are_fetched_through_what_they_follow(tmp_path, save_videos, video_resource):
    db = _notes_db(tmp_path / "x.db", NOTES)
    far = [
        # months after every meeting: only its likeness to a linked recording links it
        video_resource("reupload001", "Community Meeting: Egress events (re-upload)", "2021-08-01T10:00:00Z",
                       duration_s=3602),
        # the notes link a late upload; its part 2 follows it weeks later
        video_resource("latepart002", "Community Meeting Caching in depth part 2", "2021-07-20T10:00:00Z",
                       duration_s=2000),
        video_resource("latepart003", "Community Meeting Caching in depth part 3", "2021-08-10T10:00:00Z",
                       duration_s=2100),
    ]
    near = [
        video_resource("meeting0209", "Community Meeting: Egress events", "2021-02-10T10:00:00Z", duration_s=3600),
        video_resource("linkedlate1", "Community Meeting Caching in depth part 1", "2021-07-01T10:00:00Z",
                       duration_s=2400),
        video_resource("meeting0223", "Community Meeting 2021-02-23", "2021-02-24T10:00:00Z", duration_s=3500),
    ]
    noise = [video_resource(f"other{i:06d}", f"Release notes {i}", f"2022-0{1 + i % 9}-1{i % 9}T10:00:00Z",
                            duration_s=600 + i) for i in range(40)]
    save_videos(db, far + near + noise)
    whole, streamed = _both(db, "UTC")
    _same(whole, streamed)
    refs = {r["ref"] for r in streamed["recordings"]}
    assert {"reupload001", "latepart002", "latepart003", "meeting0209", "linkedlate1"} <= refs
    assert streamed["held"] == streamed["all"] - 40  # the release notes are counted, not held


def test_run_match_streams_one_series_and_keeps_what_overrides_name(tmp_path, save_videos, video_resource):
    db = _notes_db(tmp_path / "x.db", NOTES)
    save_videos(db, [video_resource("meeting0209", "Community Meeting: Egress events", "2021-02-10T10:00:00Z"),
                     video_resource("farpinned01", "Something else", "2023-05-01T10:00:00Z")])
    overrides = tmp_path / "overrides.yml"
    overrides.write_text("meetings:\n  2021-02-23:\n    pin: [farpinned01]\n")
    matchdb.run_match(db, overrides=str(overrides), tz="UTC")
    got = {(r["meeting_id"], r["ref"], r["method"]) for r in db["recordings"].rows}
    assert ("2021-02-23", "farpinned01", "override") in got
    assert ("2021-02-09", "meeting0209", "date") in got or ("2021-02-09", "meeting0209", "text") in got
