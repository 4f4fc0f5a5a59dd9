"""Series in the database: meeting ids keyed by series once there are two, moved in place."""
import datetime as dt

from indexer.store import db as dbmod
from indexer.notes import parse_notes
from indexer.series.project import SeriesConfig
from indexer.series.db import ensure_tables, rekey, resolve_overrides, save_series
from indexer.notes.overrides import parse_overrides
from indexer.notes.save import save_notes

EL = "# Execution Layer Meeting\n\n## 2024-01-11\n\n### Agenda\n* Prague [Ann - Acme]\n\n## 2024-01-25\n\n* Verkle\n"
CL = "# Consensus Layer Meeting\n\n## 2024-01-11\n\n### Agenda\n* Deneb [Bo - Globex]\n"


def db_with(tmp_path, *files):
    db = dbmod.open_db(tmp_path / "x.db")
    ensure_tables(db)
    for path, text in files:
        with db.atomic():
            save_notes(db, parse_notes(text, path=path), path)
    return db


def test_one_series_keeps_date_ids_and_a_second_moves_every_row_under_its_series(tmp_path):
    db = db_with(tmp_path, ("el.md", EL))
    save_series(db, [SeriesConfig("execution-layer-meeting", "Execution Layer Meeting", ["el.md"])])
    db.execute("update meetings set series_id = 'execution-layer-meeting'")
    db.execute("insert into recordings_test values ('2024-01-11:youtube:abc', '2024-01-11')") if False else None
    db["recordings"].insert({"id": "2024-01-11:youtube:abc", "meeting_id": "2024-01-11", "source": "youtube",
                             "ref": "abc"}, pk="id")
    db["talk_recordings"].insert({"talk_id": "2024-01-11/prague", "video_id": "abc", "start_s": 5},
                                 pk=("talk_id", "video_id"))
    with db.atomic():
        assert rekey(db) == 0  # one series: ids stay dates
    assert {r["id"] for r in db["meetings"].rows} == {"2024-01-11", "2024-01-25"}
    counts = {t: db[t].count for t in ("meetings", "talks", "talk_presenters", "meeting_links", "recordings",
                                       "talk_recordings")}
    save_series(db, [SeriesConfig("consensus-layer-meeting", "Consensus Layer Meeting", ["cl.md"])])
    with db.atomic():
        assert rekey(db) == 2
    assert {r["id"] for r in db["meetings"].rows} == {"execution-layer-meeting/2024-01-11",
                                                      "execution-layer-meeting/2024-01-25"}
    assert {t: db[t].count for t in counts} == counts  # nothing lost
    assert [r["id"] for r in db["talks"].rows_where("title = 'Prague'")] == ["execution-layer-meeting/2024-01-11/prague"]
    assert db["talk_presenters"].get(("execution-layer-meeting/2024-01-11/prague", "ann"))
    assert db["recordings"].get("execution-layer-meeting/2024-01-11:youtube:abc")["meeting_id"] == \
        "execution-layer-meeting/2024-01-11"
    assert db["talk_recordings"].get(("execution-layer-meeting/2024-01-11/prague", "abc"))
    assert db.execute("pragma foreign_key_check").fetchall() == []
    assert [r["date"] for r in db["meetings"].rows] == ["2024-01-11", "2024-01-25"]  # the scorers' column
    # and back, when the second series is gone
    db.execute("delete from series where id = 'consensus-layer-meeting'")
    with db.atomic():
        assert rekey(db) == 2
    assert db["talk_recordings"].get(("2024-01-11/prague", "abc"))


def test_overrides_keys_gain_an_optional_series():
    meetings = [{"id": "el/2024-01-11", "date": dt.date(2024, 1, 11)},
                {"id": "cl/2024-01-11", "date": dt.date(2024, 1, 11)},
                {"id": "el/2024-01-25", "date": dt.date(2024, 1, 25)}]
    ov = parse_overrides("meetings:\n  2024-01-25:\n    pin: [abc]\n  cl/2024-01-11:\n    forbid: [def]\n"
                         "  2024-01-11:\n    pin: [ghi]\n"
                         "talks:\n  2024-01-25/verkle:\n    video: abc\n    at: 1:00\n")
    resolve_overrides(ov, meetings)
    assert set(ov.pins) == {"el/2024-01-25", "2024-01-11"}  # a date two series share stays as written
    assert set(ov.forbids) == {"cl/2024-01-11"}
    assert set(ov.talks) == {"el/2024-01-25/verkle"}
