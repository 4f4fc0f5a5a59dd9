"""Matching through a real database: `match`, `report`, sync's hook, cleanup."""
import json
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from indexer.cli import cli


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result


@pytest.fixture
def harvested(seed_db, add_harvest):
    add_harvest(seed_db)
    return seed_db


def test_seed_end_to_end(harvested):
    r = run("match", harvested)
    assert r.exit_code == 0, r.output
    assert "matched 2 recording(s) to 1 meeting(s), 3 talk(s) to a recording (3 at a chapter)" in r.output
    db = sqlite_utils.Database(harvested)
    recs = {row["ref"]: row for row in db["recordings"].rows}
    assert set(recs) == {"iHBUxzSC9XE", "1zoomfile0209"}  # not the KubeCon talk, not the slides
    yt, zoom = recs["iHBUxzSC9XE"], recs["1zoomfile0209"]
    assert (yt["id"], yt["meeting_id"], yt["method"], yt["confidence"]) == (
        "2021-02-09:youtube:iHBUxzSC9XE", "2021-02-09", "link", 1.0)
    assert (zoom["source"], zoom["kind"], zoom["method"]) == ("drive", "zoom", "date")
    assert "09:00 local" in zoom["reason"]
    talks = {row["talk_id"]: row for row in db["talk_recordings"].rows}
    assert {t: (row["start_s"], row["url"]) for t, row in talks.items()} == {
        "2021-02-09/flyte-egress-events": (754, "https://www.youtube.com/watch?v=iHBUxzSC9XE&t=754s"),
        "2021-02-09/flyte-at-lyft-l5-autonomous-cars-using-bazel":
            (1900, "https://www.youtube.com/watch?v=iHBUxzSC9XE&t=1900s"),
        "2021-02-09/planning": (3100, "https://www.youtube.com/watch?v=iHBUxzSC9XE&t=3100s"),
    }
    view = {row["talk"]: row for row in db.query("select * from talks_with_recordings")}
    egress = view["Flyte Egress Events"]
    assert egress["meeting_date"] == "2021-02-09" and egress["organisations"] == "Spotify"
    assert set(egress["presenters"].split(", ")) == {"Sonja", "Katrina", "Nian"}
    assert egress["link"].endswith("&t=754s")
    assert {fk.other_table for fk in db["talk_recordings"].foreign_keys} == {"talks", "videos"}
    assert list(db["sync_runs"].rows)[-1]["command"] == "match"


def test_match_twice_is_identical(harvested):
    run("match", harvested)
    db = sqlite_utils.Database(harvested)
    before = sorted(map(repr, db["recordings"].rows)), sorted(map(repr, db["talk_recordings"].rows))
    assert run("match", harvested).exit_code == 0
    db = sqlite_utils.Database(harvested)
    assert (sorted(map(repr, db["recordings"].rows)), sorted(map(repr, db["talk_recordings"].rows))) == before


def test_without_chapters_talks_link_to_the_start(seed_db, add_harvest):
    add_harvest(seed_db, chapters=[])
    assert run("match", seed_db).exit_code == 0
    rows = list(sqlite_utils.Database(seed_db)["talk_recordings"].rows)
    assert {(r["method"], r["start_s"], r["url"]) for r in rows} == {
        ("meeting", 0, "https://www.youtube.com/watch?v=iHBUxzSC9XE")}


def test_sync_runs_the_matcher_once_something_is_harvested(harvested, seed_path):
    r = run("sync", harvested, seed_path)
    assert r.exit_code == 0, r.output
    assert "matched 2 recording(s)" in r.output
    assert sqlite_utils.Database(harvested)["recordings"].count == 2


def test_sync_of_notes_alone_does_not_match(seed_db):
    db = sqlite_utils.Database(seed_db)
    assert "recordings" not in db.table_names()
    assert "talks_with_recordings" not in db.view_names()


def test_notes_dropping_a_meeting_or_talk_clean_the_links(tmp_path, seed_text, add_harvest, video_resource):
    notes = tmp_path / "notes.md"
    notes.write_text(seed_text + "\n## Mar 9, 2021\n\n### Agenda:\n* Flyte Pipelines [Ada - Acme]\n")
    db_path = tmp_path / "i.db"
    assert run("sync", db_path, notes).exit_code == 0
    later = video_resource("march000009", "Community Sync March 9, 2021", "2021-03-10T01:00:00Z",
                           duration_s=3000, channel_id="UC")
    add_harvest(db_path, extra_videos=[later])
    assert run("match", db_path).exit_code == 0
    db = sqlite_utils.Database(db_path)
    assert db["recordings"].count_where("meeting_id = '2021-03-09'") == 1
    assert db["talk_recordings"].count_where("talk_id like '%planning'") == 1
    # the notes lose the March meeting and the Planning talk: foreign keys must not block the sync
    notes.write_text(seed_text.replace("* Planning [Ketan - OSC]\n", ""))
    r = run("sync", db_path, notes)
    assert r.exit_code == 0, r.output
    db = sqlite_utils.Database(db_path)
    assert db["recordings"].count_where("meeting_id = '2021-03-09'") == 0
    assert db["talk_recordings"].count_where("talk_id like '%planning'") == 0
    assert db["talk_recordings"].count == 2


def test_report_lists_what_needs_a_human(tmp_path, seed_text, add_harvest, video_resource, site_app):
    notes = tmp_path / "notes.md"
    notes.write_text(seed_text + "\n## Mar 9, 2021\n\n### Agenda:\n* Nobody pressed record [Ada - Acme]\n"
                     "\n## Mar 16, 2021\n\n### Agenda:\n* Alpha [Bo - Acme]\n"
                     "\n## Mar 17, 2021\n\n### Agenda:\n* Beta [Cy - Acme]\n")
    db_path = tmp_path / "index.db"  # the name metadata.yml describes
    assert run("sync", db_path, notes).exit_code == 0
    unsure = video_resource("unsure00001", "Community meeting", "2021-03-18T20:00:00Z", duration_s=3000,
                            channel_id="UC")
    gone = video_resource("gone0000001", "Flyte Egress Events | PyData", "2021-01-01T00:00:00Z", duration_s=3000,
                          channel_id="UC")
    add_harvest(db_path, extra_videos=[unsure, gone], removed=["gone0000001"])
    assert run("match", db_path).exit_code == 0
    r = run("report", db_path, "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert [m["meeting"] for m in out["meetings without a recording"]] == ["2021-03-09", "2021-03-16"]
    assert [(o["source"], o["ref"]) for o in out["recordings without a meeting"]] == [("youtube", "kubecon0001")]
    # Tuesday and Wednesday meetings, an untitled upload on Thursday: linked, but flagged
    [flagged] = out["ambiguous or low-confidence links"]
    assert (flagged["ref"], flagged["meeting"]) == ("unsure00001", "2021-03-17")
    assert flagged["confidence"] < 0.5
    text = run("report", db_path)
    assert "## meetings without a recording:" in text.output and "kubecon0001" in text.output
    # the same list as a canned query of the site
    page = site_app(db_path).get("/index/links_to_check.json?_shape=array")
    assert page.status_code == 200
    assert [(r["meeting_id"], r["ref"]) for r in page.json()] == [("2021-03-17", "unsure00001")]


def test_match_errors_are_one_line(tmp_path, seed_db):
    r = run("match", tmp_path / "missing.db")
    assert r.exit_code == 1 and r.output.startswith("Error: database not found")
    r = run("match", seed_db, "--timezone", "Mars/Olympus")
    assert r.exit_code == 1 and r.output.strip().count("\n") == 0 and "unknown time zone" in r.output


def test_timezone_option_changes_local_days(tmp_path, save_videos, video_resource):
    notes = tmp_path / "notes.md"
    notes.write_text("# N\n\n## Feb 3, 2021\n\n### Agenda:\n* Kickoff [Aiko - LINE]\n"
                     "\n## Feb 10, 2021\n\n### Agenda:\n* Feature store [Kenji - Mercari]\n")
    db_path = tmp_path / "i.db"
    assert run("sync", db_path, notes).exit_code == 0
    # 08:00 Tokyo on Wednesday Feb 10 is Tuesday 23:00 UTC
    db = sqlite_utils.Database(db_path)
    save_videos(db, [video_resource("tokyo000001", "Flyte meetup Japan", "2021-02-10T02:00:00Z", duration_s=3000,
                                    live_started_at="2021-02-09T23:00:00Z")])
    assert run("match", db_path, "--timezone", "Asia/Tokyo").exit_code == 0
    [rec] = sqlite_utils.Database(db_path)["recordings"].rows
    assert rec["meeting_id"] == "2021-02-10" and "08:00 local" in rec["reason"]


SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample" / "recording"


@pytest.mark.skipif(not SAMPLE.is_dir(), reason="no sample recording")
def test_sample_channel_and_archive_end_to_end(tmp_path, seed_path, monkeypatch):
    """The bundled sample (replayed offline): the seed meeting gets its video,
    its Zoom files, and its three talks their chapters; nothing else is forced on it."""
    monkeypatch.delenv("YOUTUBE_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    db_path = tmp_path / "s.db"
    r = run("sync", db_path, seed_path, "--replay", SAMPLE)
    assert r.exit_code == 0, r.output
    db = sqlite_utils.Database(db_path)
    recs = {(row["source"], row["kind"], row["method"]): row for row in db["recordings"].rows}
    assert set(recs) == {("youtube", "video", "link"), ("drive", "zoom", "date"), ("drive", "audio", "date")}
    assert recs[("youtube", "video", "link")]["ref"] == "iHBUxzSC9XE"
    assert {row["meeting_id"] for row in db["recordings"].rows} == {"2021-02-09"}
    moments = {row["talk_id"]: row for row in db["talk_recordings"].rows}
    assert set(moments) == {"2021-02-09/flyte-egress-events", "2021-02-09/flyte-at-lyft-l5-autonomous-cars-using-bazel",
                            "2021-02-09/planning"}
    assert {row["method"] for row in moments.values()} == {"chapter"}
    chapters = {row["start_s"]: row["title"] for row in db["chapters"].rows_where("video_id = 'iHBUxzSC9XE'")}
    for row in moments.values():
        assert row["video_id"] == "iHBUxzSC9XE" and row["start_s"] > 0
        assert row["url"] == f"https://www.youtube.com/watch?v=iHBUxzSC9XE&t={row['start_s']}s"
        assert chapters[row["start_s"]] in row["reason"]
    # talks in agenda order start in order
    starts = [moments[t]["start_s"] for t in ("2021-02-09/flyte-egress-events",
                                              "2021-02-09/flyte-at-lyft-l5-autonomous-cars-using-bazel",
                                              "2021-02-09/planning")]
    assert starts == sorted(starts)
    out = json.loads(run("report", db_path, "--json").output)
    assert out["meetings without a recording"] == []
    orphans = {o["ref"] for o in out["recordings without a meeting"]}
    assert "iHBUxzSC9XE" not in orphans and len(orphans) >= 5  # other syncs, a walkthrough, a short


def test_time_zone_is_remembered_for_later_syncs(tmp_path, monkeypatch, save_videos, video_resource):
    monkeypatch.delenv("MEETUP_TIMEZONE", raising=False)
    notes = tmp_path / "notes.md"
    notes.write_text("# N\n\n## Feb 3, 2021\n\n### Agenda:\n* Kickoff [Aiko - LINE]\n"
                     "\n## Feb 10, 2021\n\n### Agenda:\n* Feature store [Kenji - Mercari]\n")
    db_path = tmp_path / "i.db"
    assert run("sync", db_path, notes).exit_code == 0
    save_videos(sqlite_utils.Database(db_path), [video_resource(
        "tokyo000001", "Flyte meetup Japan", "2021-02-10T02:00:00Z", duration_s=3000,
        live_started_at="2021-02-09T23:00:00Z")])
    assert run("match", db_path, "--timezone", "Asia/Tokyo").exit_code == 0
    r = run("sync", db_path, notes)
    assert r.exit_code == 0, r.output
    [rec] = sqlite_utils.Database(db_path)["recordings"].rows
    assert rec["meeting_id"] == "2021-02-10" and "recorded 2021-02-10 08:00 local" in rec["reason"]
    # read in Pacific time the stream started on Feb 9: weaker evidence, said so
    assert run("match", db_path, "--timezone", "America/Los_Angeles").exit_code == 0
    [pacific] = sqlite_utils.Database(db_path)["recordings"].rows
    assert "a day off" in pacific["reason"] and pacific["confidence"] < rec["confidence"]


def test_a_failed_match_keeps_the_previous_links(harvested, monkeypatch):
    assert run("match", harvested).exit_code == 0
    before = sorted(map(repr, sqlite_utils.Database(harvested)["talk_recordings"].rows))

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    # the next match would give other links: the chapters are gone
    sqlite_utils.Database(harvested).execute("delete from chapters")
    monkeypatch.setattr("indexer.store.db.ensure_db_shape", broken)
    r = run("match", harvested)
    assert r.exit_code != 0
    db = sqlite_utils.Database(harvested)
    assert sorted(map(repr, db["talk_recordings"].rows)) == before
    assert db["recordings"].count == 2


def test_match_line_says_how_talks_were_placed():
    from indexer.sync.matching import match_line

    counts = {"recordings": 2, "meetings_linked": 2, "talk_recordings": 6, "overrides": 0,
              "talks_by_chapter": 1, "talks_by_transcript": 3, "talks_by_meeting": 2}
    assert match_line(counts) == ("matched 2 recording(s) to 2 meeting(s), 6 talk(s) to a recording "
                                  "(1 at a chapter, 3 from a transcript)")
    only_starts = {k: v for k, v in counts.items() if not k.startswith("talks_by_")} | {"talks_by_meeting": 6}
    assert match_line(only_starts).endswith("6 talk(s) to a recording (none at a second)")
