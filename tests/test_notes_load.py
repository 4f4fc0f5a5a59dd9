"""Fixture notes loaded into a real database: the rows, and re-syncs that edit them."""
from pathlib import Path

import pytest

from indexer.store import db as dbmod
from indexer.notes import parse_notes
from indexer.notes.save import save_notes

NOTES = Path(__file__).parent / "fixtures" / "notes"


def load(db, text, path="notes.md"):
    with db.conn:
        save_notes(db, parse_notes(text), path)
    dbmod.ensure_db_shape(db)


@pytest.fixture
def db(tmp_path):
    return dbmod.open_db(tmp_path / "index.db")


def test_every_fixture_loads_with_its_meetings_talks_and_links(db):
    for path in sorted(NOTES.glob("*.md")):
        load(db, path.read_text(), path.name)
    rows = db.execute(
        "select notes_path, count(*) from meetings group by notes_path order by notes_path"
    ).fetchall()
    assert rows == [
        ("agendas.md", 6), ("bold-dates.md", 2), ("date-headings.md", 9), ("gdoc-export.md", 2), ("links.md", 2),
        ("not-headings.md", 8),
    ]
    jane = db.execute(
        "select talks.title, people.name, organizations.name from talk_presenters "
        "join talks on talks.id = talk_id join people on people.id = person_id "
        "left join organizations on organizations.id = organization_id where people.name = 'Jane Doe'"
    ).fetchall()
    # one person across files: the agendas fixture and the Google Docs export
    assert sorted(jane) == [("Building ML pipelines", "Jane Doe", "Acme"), ("Building pipelines", "Jane Doe", "Acme")]
    links = db.execute(
        "select ref, start_s, line from meeting_links where meeting_id = '2022-01-12' and kind = 'youtube' order by line"
    ).fetchall()
    assert links[:2] == [("ccccccccccc", 95, 7), ("ddddddddddd", 90, 8)]
    assert db.execute("select cancelled from meetings where id = '2022-05-11'").fetchone() == (1,)
    # full-text search finds a talk by its presenter's organisation
    hits = db.execute("select title from talks where rowid in (select rowid from talks_fts where talks_fts match 'Astronomer')").fetchall()
    assert hits == [("Data lineage with OpenLineage",)]


def test_resync_removes_what_the_notes_no_longer_hold_even_with_repeated_names(db):
    before = "## 2022-01-05\n\n### Agenda\n* Intro [Ann - Bob - Acme]\n"
    load(db, before)
    # Bob is gone and Ann is written twice: two rows written, two in the table, one of them stale
    after = "## 2022-01-05\n\n### Agenda\n* Intro [Ann - Ann - Acme]\n"
    load(db, after)
    assert db.execute("select talk_id, person_id from talk_presenters order by 1, 2").fetchall() == [
        ("2022-01-05/intro", "ann")
    ]
    assert [r[0] for r in db.execute("select id from talks")] == ["2022-01-05/intro"]
    assert [r[0] for r in db.execute("select id from people order by id")] == ["ann"]


def test_syncing_twice_gives_identical_rows(db):
    text = (NOTES / "not-headings.md").read_text()
    load(db, text)
    tables = ["meetings", "talks", "talk_presenters", "meeting_links", "people", "organizations"]
    first = {t: db.execute(f"select * from [{t}] order by 1, 2").fetchall() for t in tables}
    load(db, text)
    assert {t: db.execute(f"select * from [{t}] order by 1, 2").fetchall() for t in tables} == first


def test_upsert_rows_with_different_keys_leaves_missing_columns_null(db):
    upsert = dbmod.upsert_rows
    upsert(db, "people", [{"id": "ann", "name": "Ann"}, {"id": "bob"}], "id")
    upsert(db, "people", [{"id": "ann", "name": "Ann B"}], "id")
    assert db.execute("select id, name from people order by id").fetchall() == [("ann", "Ann B"), ("bob", None)]
