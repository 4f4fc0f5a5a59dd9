"""Series through `sync`: one series per notes argument, meetings keyed by series and date."""
import shutil
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from indexer.cli import cli
from indexer.notes.save import save_notes

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(autouse=True)
def no_keys(monkeypatch):
    for var in ("YOUTUBE_API_KEY", "GOOGLE_API_KEY"):
        monkeypatch.delenv(var, raising=False)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_two_folders_sync_into_two_series(tmp_path):
    el, cl = tmp_path / "el", tmp_path / "cl"
    el.mkdir()
    cl.mkdir()
    for f in (CORPUS / "notes" / "ethereum-acd-notes").glob("*.md"):
        shutil.copy(f, (el if f.name.startswith("el-") else cl) / f.name)
    db_path = tmp_path / "index.db"
    r = run("sync", db_path, el, cl, "--quiet")
    assert r.exit_code == 0, r.output
    db = sqlite_utils.Database(db_path)
    series = {row["id"]: row["name"] for row in db["series"].rows}
    assert series == {"execution-layer-meeting": "Execution Layer Meeting",
                      "consensus-layer-meeting": "Consensus Layer Meeting"}
    per = dict(db.execute("select series_id, count(*) from meetings group by series_id").fetchall())
    assert per == {"execution-layer-meeting": 4, "consensus-layer-meeting": 2}
    ids = {r[0] for r in db.execute("select id from meetings")}
    assert "consensus-layer-meeting/2023-12-14" in ids and "execution-layer-meeting/2023-11-09" in ids
    # talks follow their meeting's key; the date column stays the date
    assert not db.execute("select 1 from talks join meetings on meetings.id = talks.meeting_id "
                          "where talks.id not like meetings.id || '/%'").fetchall()
    assert db.execute("select count(*) from meetings where date glob '[0-9][0-9][0-9][0-9]-*'").fetchone()[0] == 6
    # a second sync without arguments keeps both series and every row
    again = run("sync", db_path, "--quiet")
    assert again.exit_code == 0, again.output
    assert dict(db.execute("select series_id, count(*) from meetings group by series_id").fetchall()) == per


def test_two_notes_files_with_the_same_date_give_two_meetings(tmp_path):
    a = tmp_path / "community.md"
    b = tmp_path / "contributors.md"
    a.write_text("# Flyte Community Sync\n\n## June 6, 2024\n\n* Flyte Decks [Ann - Acme]\n")
    b.write_text("# Flyte Contributors Meetup\n\n## 2024-06-06\n\n* Release process [Bo - Globex]\n")
    db_path = tmp_path / "index.db"
    r = run("sync", db_path, a, b, "--quiet")
    assert r.exit_code == 0, r.output
    db = sqlite_utils.Database(db_path)
    rows = db.execute("select id, date, series_id from meetings order by id").fetchall()
    assert rows == [("flyte-community-sync/2024-06-06", "2024-06-06", "flyte-community-sync"),
                    ("flyte-contributors-meetup/2024-06-06", "2024-06-06", "flyte-contributors-meetup")]


def test_one_notes_file_keeps_date_ids(tmp_path):
    db_path = tmp_path / "index.db"
    r = run("sync", db_path, ROOT / "data" / "notes" / "flyte-meetup-notes.md", "--quiet")
    assert r.exit_code == 0, r.output
    db = sqlite_utils.Database(db_path)
    assert db["series"].count == 1
    assert db.execute("select count(*) from meetings where id = date and series_id is not null").fetchone()[0] \
        == db["meetings"].count


def build_before_series(db_path, files, add_harvest):
    """A database as the version before series wrote it: notes saved with date ids, no series
    table, no series_id columns, recordings matched."""
    from indexer.store import db as dbmod
    from indexer.sync.matching import run_match
    from indexer.notes import parse_notes
    from indexer.notes.files import display_path

    db = dbmod.open_db(db_path)
    with db.atomic():
        for path in files:  # stored as `sync` stores them
            save_notes(db, parse_notes(Path(path).read_text(), path=str(path)), display_path(str(path)))
        dbmod.ensure_db_shape(db)
    add_harvest(db_path)
    run_match(sqlite_utils.Database(db_path), tz="America/Los_Angeles")
    db = sqlite_utils.Database(db_path)
    # what the version before series wrote: no series table, no series_id columns
    with db.atomic():
        db.execute("pragma defer_foreign_keys = on")
        db.execute("drop index if exists idx_meetings_series_id")
        for table in ("meetings", "notes_files"):
            db[table].transform(drop={"series_id"}, drop_foreign_keys=["series_id"])
        db["series"].drop()
    assert "series" not in db.table_names() and "series_id" not in db["meetings"].columns_dict
    return db


def counts(db):
    return {t: db[t].count for t in ("meetings", "talks", "talk_presenters", "meeting_links", "notes_files",
                                     "recordings", "talk_recordings")}


def test_a_database_from_before_series_upgrades_in_place(tmp_path, monkeypatch, add_harvest):
    monkeypatch.chdir(tmp_path)
    seed = ROOT / "data" / "notes" / "flyte-meetup-notes.md"
    extra = tmp_path / "extra.md"  # kept in the same index before series: one series, as its dates always were
    extra.write_text("# Flyte Meetup Notes, 2019\n\n## 2019-05-07\n\n* Flyte 0.1 [Ann - Lyft]\n")
    db_path = tmp_path / "index.db"
    db = build_before_series(db_path, [seed, extra], add_harvest)
    before = counts(db)
    ids = {r[0] for r in db.execute("select id from meetings")}
    links = set(db.execute("select meeting_id, ref from recordings").fetchall())
    r = run("sync", db_path, "--quiet")  # the files the database knows
    assert r.exit_code == 0, r.output
    db = sqlite_utils.Database(db_path)
    assert db["series"].count == 1
    assert counts(db) == before
    assert {r[0] for r in db.execute("select id from meetings")} == ids  # one series: date ids stay
    assert set(db.execute("select meeting_id, ref from recordings").fetchall()) == links
    assert db.execute("select count(*) from meetings where series_id is null").fetchone()[0] == 0
    # a second series: every meeting moves under its series, nothing lost, the links follow
    other = tmp_path / "contributors.md"
    other.write_text("# Flyte Contributors Meetup\n\n## 2021-02-09\n\n* Release process [Bo - Globex]\n")
    r = run("sync", db_path, "--quiet", *json_default_notes(db), other)
    assert r.exit_code == 0, r.output
    db = sqlite_utils.Database(db_path)
    assert db["series"].count == 2
    grown = counts(db)
    assert grown["meetings"] == before["meetings"] + 1 and grown["talks"] == before["talks"] + 1
    (sid,) = [s["id"] for s in db["series"].rows if s["id"] != "flyte-contributors-meetup"]
    assert {r[0] for r in db.execute("select id from meetings where series_id = ?", [sid])} == \
        {f"{sid}/{i}" for i in ids}
    assert {(m.split("/", 1)[1], ref) for m, ref in db.execute(
        "select meeting_id, ref from recordings where meeting_id like ? || '/%'", [sid]).fetchall()} == links
    assert db.execute("pragma foreign_key_check").fetchall() == []


def json_default_notes(db):
    import json

    return [n for row in db["series"].rows for n in json.loads(row["notes"])]


def emulator_classes():
    from meetup_emulator import Emulator, YouTubeData

    return Emulator, YouTubeData


def test_the_emulated_foundation_syncs_from_its_project_file(tmp_path, monkeypatch):
    """20 series on one channel, through the emulator: `sync` without NOTES reads meetup-indexer.yml."""
    import json

    from meetup_emulator.foundation import Foundation

    Emulator, YouTubeData = emulator_classes()
    f = Foundation(7)
    out = f.write(tmp_path / "foundation")
    truth = json.loads((out / "truth.json").read_text())
    monkeypatch.chdir(out)
    with Emulator(youtube=YouTubeData.load(out / "data"), api_key="test-key") as emu:
        r = run("sync", "index.db", "--api-key", "test-key", "--api-endpoint", emu.url, "--quiet")
        calls = emu.stats()["calls"]
    assert r.exit_code == 0, r.output
    assert calls.get("youtube.channels.list") == 1  # one channel for 20 series: harvested once
    db = sqlite_utils.Database(out / "index.db")
    assert db["series"].count == 20
    assert {r["origin"] for r in db["series"].rows} == {"project"}
    with_notes = {s["id"] for s in truth["series"] if s["notes"]}
    per = dict(db.execute("select series_id, count(*) from meetings group by series_id").fetchall())
    assert set(per) == with_notes
    got = set(db.execute("select meeting_id, ref from recordings where source = 'youtube'").fetchall())
    want = {(mid, v) for mid, vids in truth["recordings"].items() if mid.split("/")[0] in with_notes for v in vids}
    tp = len(got & want)
    assert tp / len(got) >= 0.99 and tp / len(want) >= 0.97, (tp, len(got), len(want))
    # the series without notes show their videos
    no_notes = {s["id"] for s in truth["series"]} - with_notes
    assigned = dict(db.execute("select ref, series_id from series_recordings").fetchall())
    for sid in no_notes:
        theirs = {v for v, t in truth["videos"].items() if t["series"] == sid}
        mine = {v for v, s in assigned.items() if s == sid}
        assert len(theirs & mine) >= 0.97 * len(theirs) and len(mine - theirs) <= 0.01 * len(mine) + 1, sid


def test_a_bad_project_file_stops_sync_with_its_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "meetup-indexer.yml").write_text("series:\n  - id: a\n    notes: a.md\n    timezone: Europe/Berln\n")
    (tmp_path / "a.md").write_text("# A\n\n## 2024-01-01\n\n* Talk\n")
    r = run("sync", "index.db")
    assert r.exit_code == 1
    assert r.output.strip() == ("Error: meetup-indexer.yml:4: unknown time zone 'Europe/Berln' "
                                "(an IANA name such as Europe/Berlin or UTC)")
    other = tmp_path / "other.yml"
    other.write_text("series:\n  - id: a\n    notes: a.md\n    timezone: Europe/Berlin\n    weekday: Monday\n")
    r = run("sync", "index.db", "--config", other, "--quiet")
    assert r.exit_code == 0, r.output
    row = sqlite_utils.Database(tmp_path / "index.db")["series"].get("a")
    assert (row["timezone"], row["weekday"], row["origin"]) == ("Europe/Berlin", 0, "project")
