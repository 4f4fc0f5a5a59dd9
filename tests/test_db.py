"""Sync into a real SQLite database and assert on its rows."""
import sqlite_utils
from click.testing import CliRunner

from indexer.cli import cli

DATA_TABLES = [
    "meetings", "talks", "people", "organizations", "talk_presenters",
    "backlog_items", "notes_sources", "meeting_links",
]


def dump(db_path):
    db = sqlite_utils.Database(db_path)
    return {t: sorted(map(repr, db[t].rows)) for t in DATA_TABLES}


def test_seed_rows(seed_db):
    db = sqlite_utils.Database(seed_db)
    assert [r["id"] for r in db["meetings"].rows] == ["2021-02-09"]
    assert db["talks"].count == 3
    assert db["backlog_items"].count == 11
    spotify = list(db.query(
        "select people.name from talk_presenters join people on people.id = person_id "
        "where organization_id = 'spotify' order by position"))
    assert [r["name"] for r in spotify] == ["Sonja", "Katrina", "Nian"]
    assert {r["ref"] for r in db["notes_sources"].rows} == {
        "UCNduEoLOToNo3nFVly-vUTQ", "1Op9EzMNuoZptWovcZcYVdmAuJNNNjil4"}
    assert [r["ref"] for r in db["meeting_links"].rows] == ["iHBUxzSC9XE"]
    # foreign keys declared
    assert {fk.other_table for fk in db["talk_presenters"].foreign_keys} == {"talks", "people", "organizations"}
    assert "talks_detail" in db.view_names()
    detail = db.execute("select presenters, organizations from talks_detail where talk = 'Flyte Egress Events'").fetchone()
    assert detail == ("Sonja, Katrina, Nian", "Spotify")  # as the agenda names them
    hits = list(db.query("select talks.title from talks_fts join talks on talks.rowid = talks_fts.rowid "
                         "where talks_fts match 'egress'"))
    assert [h["title"] for h in hits] == ["Flyte Egress Events"]
    run = list(db["sync_runs"].rows)[-1]
    assert run["status"] == "ok" and run["finished_at"]


def test_sync_twice_is_identical(seed_db, seed_path):
    before = dump(seed_db)
    result = CliRunner().invoke(cli, ["sync", str(seed_db), str(seed_path)])
    assert result.exit_code == 0, result.output
    assert dump(seed_db) == before
    assert sqlite_utils.Database(seed_db)["sync_runs"].count == 2


def test_edited_notes_update_in_place(tmp_path, seed_text):
    notes = tmp_path / "notes.md"
    notes.write_text(seed_text)
    db_path = tmp_path / "i.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["sync", str(db_path), str(notes)]).exit_code == 0
    db = sqlite_utils.Database(db_path)
    rowid_before = db.execute("select rowid from talks where title = 'Planning'").fetchone()[0]
    edited = seed_text.replace("* Planning [Ketan - OSC]\n", "").replace(
        "Flyte Egress Events [Sonja", "Flyte Egress Events v2 [Sonja")
    edited += "\n## Mar 9, 2021\n\n### Agenda:\n* Flyte Pipelines [Ada - Acme]\n"
    notes.write_text(edited)
    result = runner.invoke(cli, ["sync", str(db_path), str(notes)])
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(db_path)
    assert [r["id"] for r in db["meetings"].rows_where(order_by="id")] == ["2021-02-09", "2021-03-09"]
    titles = [r["title"] for r in db["talks"].rows_where(order_by="id")]
    assert titles == ["Flyte at Lyft L5 Autonomous cars using Bazel", "Flyte Egress Events v2", "Flyte Pipelines"]
    # Ketan and OSC were only in the removed talk and the backlog: OSC stays (backlog), Ketan goes
    assert db["people"].count_where("name = 'Ketan'") == 0
    assert db["organizations"].count_where("name = 'OSC'") == 1
    assert db["talk_presenters"].count_where("talk_id like '%planning%'") == 0
    # the FTS index follows the edit
    assert db.execute("select count(*) from talks_fts where talks_fts match 'planning'").fetchone()[0] == 0
    # a talk that stayed keeps its row
    assert db.execute("select count(*) from talks where title like 'Flyte at Lyft%'").fetchone()[0] == 1
    assert rowid_before  # the removed talk existed before


def test_failed_sync_rolls_back_notes(seed_db, tmp_path, seed_text, monkeypatch):
    """A failure after the notes are written leaves the database as it was."""
    from indexer.store import db as dbmod

    notes = tmp_path / "notes.md"
    notes.write_text(seed_text + "\n## Mar 9, 2021\n\n### Agenda:\n* New talk [Ada - Acme]\n")
    before = dump(seed_db)

    def boom(db):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(dbmod, "ensure_db_shape", boom)
    result = CliRunner().invoke(cli, ["sync", str(seed_db), str(notes)])
    assert result.exit_code != 0
    assert dump(seed_db) == before
    assert list(sqlite_utils.Database(seed_db)["sync_runs"].rows)[-1]["status"] == "failed"
