"""Videos the notes link outside every meeting (lists of talks, tutorials) are
kept in the database when the notes are saved: `match` needs no notes file."""
import json

import sqlite_utils
from click.testing import CliRunner

from indexer.sync import matching as matchdb
from indexer.cli import cli
from indexer.notes import parse_notes

NOTES = """# Developers meeting

## Tutorials

* [Sparse tensors tutorial](https://www.youtube.com/watch?v=tutorial001)

## 2020-10-29

* Sparse tensors [Ada]
* [recording](https://youtu.be/meetingrec1)
"""


def test_parsed_notes_list_the_videos_linked_outside_meetings():
    notes = parse_notes(NOTES.replace("## 2020", "See also https://youtu.be/tutorial002 and "
                                                "https://youtu.be/tutorial001\n\n## 2020"))
    assert notes.videos_elsewhere == ["tutorial001", "tutorial002"]
    assert [link.ref for m in notes.meetings for link in m.links] == ["meetingrec1"]


def test_match_reads_them_from_the_database_after_the_notes_moved(tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    db_path = tmp_path / "i.db"
    res = CliRunner().invoke(cli, ["sync", str(db_path), str(notes)])
    assert res.exit_code == 0, res.stderr
    db = sqlite_utils.Database(db_path)
    assert json.loads(db.execute("select videos_elsewhere from notes_files").fetchone()[0]) == ["tutorial001"]
    # what a harvest stores: the tutorial is published on the meeting's day, with its talk's words
    base = {"description": "", "published_at": "2020-10-29T18:00:00Z", "recorded_at": None, "duration_s": 3000,
            "live_status": "none"}
    db["videos"].insert_all([{**base, "id": "tutorial001", "title": "Developers Meeting: Sparse tensors tutorial"},
                             {**base, "id": "meetingrec1", "title": "Developers meeting"}], pk="id", alter=True)
    db.close()
    notes.rename(tmp_path / "moved.md")
    _, candidates = matchdb.load_input(sqlite_utils.Database(db_path))
    assert {c["id"]: c.get("linked_elsewhere", False) for c in candidates} == {"tutorial001": True,
                                                                               "meetingrec1": False}
    res = CliRunner().invoke(cli, ["match", str(db_path), "--timezone", "UTC"])
    assert res.exit_code == 0, res.stderr
    linked = {r[0] for r in sqlite_utils.Database(db_path).execute("select ref from recordings")}
    assert "tutorial001" not in linked and "meetingrec1" in linked
