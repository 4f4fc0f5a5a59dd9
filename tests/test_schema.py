"""One schema module: a database built before it upgrades in place, keeping every row."""
import sqlite3
from pathlib import Path

import sqlite_utils
from click.testing import CliRunner

from indexer.store import schema
from indexer.notes.model import talk_id
from indexer.cli import cli

ROOT = Path(__file__).resolve().parent.parent
BEFORE = Path(__file__).resolve().parent / "fixtures" / "schema" / "before-schema-module.sql"
VOLATILE = {"synced_at", "first_seen", "last_seen", "updated_at"}


def rows_by_key(db: sqlite_utils.Database) -> dict:
    out = {}
    for table in db.tables:
        if "_fts" in table.name:
            continue
        pks = table.pks
        for row in table.rows:
            key = (table.name, tuple(row[k] for k in pks))
            out[key] = {k: v for k, v in row.items() if k not in VOLATILE}
    return out


def test_a_database_built_before_the_schema_module_upgrades_in_place(tmp_path, monkeypatch):
    db_path = tmp_path / "index.db"
    conn = sqlite3.connect(db_path)
    conn.executescript(BEFORE.read_text())
    conn.close()
    old = sqlite_utils.Database(db_path)
    for table, columns in schema.FTS_CONFIG.items():  # as the old version had them
        if table not in old.table_names():
            continue
        old[table].enable_fts(columns, create_triggers=True, tokenize="porter")
    before = rows_by_key(old)
    old.close()
    assert len(before) > 100

    monkeypatch.chdir(ROOT)  # the notes path the old database stored is relative to the repo
    res = CliRunner().invoke(cli, ["sync", str(db_path), "--replay", "data/sample/recording", "-q"],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output

    db = sqlite_utils.Database(db_path)
    after = rows_by_key(db)
    # people and organisations are resolved anew (indexer/notes/people.py: "L5 Lyft" is "Lyft L5"):
    # those rows are what a fresh sync of the same notes gives; every other row is kept
    fresh_path = tmp_path / "fresh.db"
    notes = [r[0] for r in sqlite_utils.Database(db_path).execute("select path from notes_files")]
    assert CliRunner().invoke(cli, ["sync", str(fresh_path), *notes, "-q"]).exit_code == 0
    fresh = rows_by_key(sqlite_utils.Database(fresh_path))
    resolved = {"people", "organizations", "person_aliases", "organization_aliases", "talk_presenters"}
    for key in [k for k in {*before, *after} if k[0] in resolved]:
        assert after.get(key) == fresh.get(key), key
        before.pop(key, None), after.pop(key, None)
    for key, row in before.items():
        if key[0] == "backlog_items":
            row.pop("organization_id")
            assert after[key]["organization_id"] == fresh[key]["organization_id"]
    # every row kept, unchanged in the columns it had (new columns are added empty)
    assert set(before) <= set(after)
    assert {k: {c: after[k][c] for c in row} for k, row in before.items()} == before
    # new rows: this run, the series its notes file now belongs to (indexer/series/db.py), and the
    # sample's Zoom transcript with its 8 cues, downloaded beside the matched recording
    new = sorted(k for k in after if k not in before)
    said = [k for k in new if k[0] in ("transcripts", "transcript_cues")]
    assert [k[0] for k in said].count("transcripts") == 1 and len(said) == 1 + 8
    assert [k for k in new if k not in said] == [("series", ("flyte-meetup",)), ("sync_runs", (2,))]
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert db.execute("pragma foreign_key_check").fetchall() == []
    for name, spec in schema.TABLES.items():
        assert name in db.table_names()
        assert list(db[name].columns_dict)[:len(spec["columns"])] == list(spec["columns"])
        have = {(fk.column, fk.other_table) for fk in db[name].foreign_keys}
        assert {(c, o) for c, o, _ in spec.get("foreign_keys", [])} <= have, name
    assert set(schema.VIEWS) <= set(db.view_names())
    assert db.execute("select count(*) from videos_fts where videos_fts match 'flyte'").fetchone()[0] > 0


def test_ensure_db_shape_is_idempotent_and_adds_a_key_once_its_table_exists(tmp_path):
    db = sqlite_utils.Database(tmp_path / "i.db")
    schema.create(db, "notes")
    schema.create(db, "match")  # before any harvest: no videos table to refer to
    assert ("video_id", "videos") not in {(fk.column, fk.other_table) for fk in db["talk_recordings"].foreign_keys}
    schema.ensure_db_shape(db)
    shape = db.execute("select type, name, sql from sqlite_master order by name").fetchall()
    schema.ensure_db_shape(db)
    assert db.execute("select type, name, sql from sqlite_master order by name").fetchall() == shape
    schema.create(db, "youtube")
    schema.ensure_db_shape(db)
    assert ("video_id", "videos") in {(fk.column, fk.other_table) for fk in db["talk_recordings"].foreign_keys}
    assert "videos_fts" in db.table_names() and "talks_with_recordings" in db.view_names()


def test_one_talk_id():
    used: set = set()
    assert [talk_id("2021-02-09", "Intro", used) for _ in range(3)] == [
        "2021-02-09/intro", "2021-02-09/intro-2", "2021-02-09/intro-2-2"]
