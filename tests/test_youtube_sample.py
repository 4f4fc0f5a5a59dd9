"""The bundled sample: `make demo` replays it offline; it matches its source resources."""
import json
import sqlite3
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


def test_replay_of_the_sample_builds_the_demo_offline(tmp_path, clean_env, sync):
    db_path = tmp_path / "demo.db"
    res = sync(db_path, "--replay", SAMPLE / "recording", env=clean_env(HOME=str(tmp_path)))
    assert res.exit_code == 0, res.stderr
    db = sqlite3.connect(db_path)
    title, published, duration = db.execute(
        "select title, published_at, duration_s from videos where id = 'iHBUxzSC9XE'").fetchone()
    assert title == "Flyte Community Sync - Feb 9, 2021" and published.startswith("2021-02-10")
    chapters = db.execute(
        "select start_s, end_s, title from chapters where video_id = 'iHBUxzSC9XE' order by start_s").fetchall()
    assert [c[2] for c in chapters][1:] == [
        "Flyte Egress Events by Nian (Spotify)",
        "Flyte at Lyft L5: autonomous cars using Bazel by Miguel (Lyft L5)",
        "Planning by Ketan",
    ]
    assert chapters[-1][1] == duration
    assert db.execute("select count(*) from videos").fetchone()[0] == 8
    assert db.execute("select count(*) from playlist_videos where title in ('Private video', 'Deleted video')"
                      ).fetchone()[0] == 2
    # replaying twice changes nothing
    rows = db.execute("select id, title, views, raw from videos order by id").fetchall()
    assert sync(db_path, "--replay", SAMPLE / "recording").exit_code == 0
    assert db.execute("select id, title, views, raw from videos order by id").fetchall() == rows


def test_recording_matches_its_source_resources(tmp_path, sample_emulator, api_key, sync):
    """The recording is what the harvester gets from youtube/*.json: not stale."""
    res = sync(tmp_path / "x.db", "--api-key", api_key, "--api-endpoint", sample_emulator.url,
               "--record", tmp_path / "rec", "--full")
    assert res.exit_code == 0, res.stderr
    fresh = {p.name: json.loads(p.read_text()) for p in (tmp_path / "rec").glob("youtube-*.json")}
    bundled = {p.name: json.loads(p.read_text()) for p in (SAMPLE / "recording").glob("youtube-*.json")}
    assert fresh == bundled and len(bundled) == 6
