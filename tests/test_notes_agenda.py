"""Agenda items as people write them, and the offsets their notes write (fixture: agenda-shapes.md)."""
from pathlib import Path

import pytest

from indexer.notes import agenda_item, noted_offset, parse_notes
from indexer.notes.save import save_notes

NOTES = Path(__file__).parent / "fixtures" / "agenda"  # not in fixtures/notes: those load into one database together


@pytest.fixture(scope="module")
def meetings():
    return {m.id: m for m in parse_notes((NOTES / "agenda-shapes.md").read_text()).meetings}


def talks(m):
    return [(t.title, [p.name for p in t.presenters]) for t in m.talks]


def test_kind_prefixes_with_bold_name_dash_title(meetings):
    # "Slides:", "Recording (Full):", "Location:" bullets are about the meetup, not talks
    assert talks(meetings["2022-03-09"]) == [
        ("Engines that compute", ["Ada Lovelace"]),
        ("Compilers for everyone", ["Grace Hopper", "Alan Turing"]),
        ("Shortest paths", ["Edsger Dijkstra"]),  # "Lightnig Talk:" as written
        ("Substitution in practice", ["Barbara Liskov"]),  # "with Name - Title", not bold
    ]


def test_placeholders_dropped_and_presenter_forms(meetings):
    m = meetings["2022-04-13"]
    assert talks(m) == [
        ("Brief overview of the gateway", ["kbates"]),  # "[ ] [name=kbates] ..."
        ("Approve the minutes", ["Jeremie"]),  # "(Name) Title"
        ("myst overview and demo", ["@rowanc1"]),
        ("Ongoing workshop discussion", ["@isabela-pf"]),
        ("Release updates", []),  # "[ 0:10 ] Release updates"
        ("Kernel startup", []),  # "... @ 33:05"
    ]
    # talks keep the raw line and their agenda order
    assert m.talks[0].raw == "[ ] [name=kbates] Brief overview of the gateway"
    assert [t.line for t in m.talks] == sorted(t.line for t in m.talks)


def test_numbered_agenda_top_level_items_only(meetings):
    assert [t.title for t in meetings["2022-05-11"].talks] == [
        "Berlin Updates",
        "Shanghai proposals:",
        "EIP discussions",
    ]


def test_dated_bullet_is_the_talk(meetings):
    assert talks(meetings["2023-10-26"]) == [("A Polynomial Dialect Proposal", [])]
    # several topics separated by ';' after a date alone on its line
    assert [t.title for t in meetings["2020-07-09"].talks] == [
        "Test Case Reducer Tool",
        "RFC Python bindings",
        "RFC C APIs",
    ]
    # two session dates, then the title up to ';'
    assert [t.title for t in meetings["2019-08-29"].talks] == ["Table-driven Op Definitions"]
    # a title wrapped onto the next line
    assert [t.title for t in meetings["2022-01-20"].talks] == [
        "A Data-Centric Model for Performance Portability on Heterogeneous Architectures"
    ]


def test_offsets_from_the_talks_line_or_its_notes(meetings):
    got = {t.title: (t.noted_start_s, t.noted_video_id) for m in meetings.values() for t in m.talks}
    assert got["Release updates"] == (10, None)
    assert got["Kernel startup"] == (33 * 60 + 5, None)
    assert got["Deep dive"] == (50, None)  # "(0:50 in video)" is no part of the title
    assert got["Sharding"] == (721, "bbbbbbbbbbb")  # first offset in the talk's own notes
    assert got["Engines that compute"] == (None, None)


@pytest.mark.parametrize(
    "text, want",
    [
        ("**Danny** [5:31](https://www.youtube.com/watch?v=1mLDIRmGtNk&t=331s): Okay", (331, "1mLDIRmGtNk")),
        ("[[4:14](https://youtu.be/wLaI7680I4w?t=253)] said", (253, "wLaI7680I4w")),
        ("[33:40](https://www.youtube.com/watch?v=wLaI7680I4w&t=2020s) - [35:44](x) topic", (2020, "wLaI7680I4w")),
        ("[33:40] the topic", (2020, None)),
        ("at 12:30 we talked", (None, None)),  # a clock in prose is no offset
        ("[99:99:99]", (None, None)),  # longer than any recording
    ],
)
def test_noted_offset_forms(text, want):
    assert noted_offset(text) == want


@pytest.mark.parametrize(
    "text",
    ["TBA", "add item here [name, project]", "Let’s collect agenda items here", "[name=YourNameHere]",
     "Slides: [deck]", "Location: Room 1", "Note: bring a laptop", "Keynote Recording (Part 1):"],
)
def test_not_talks(text):
    assert agenda_item(text) is None


def test_ordinary_titles_stay_whole():
    assert agenda_item("Let's hack! - An intro to Cobalt Strike") == ("Let's hack! - An intro to Cobalt Strike", [])
    assert agenda_item("Proposal: RPC method to retrieve blocks") == ("Proposal: RPC method to retrieve blocks", [])


def test_notes_json_adds_the_offset_only_where_written(tmp_path):
    from indexer.notes import meeting_to_json

    notes = parse_notes("# 2022-06-08\n## Agenda\n* Intro\n* [ 1:05 ] Demo\n")
    got = meeting_to_json(notes.meetings[0])["talks"]
    assert got == [
        {"title": "Intro", "presenters": []},
        {"title": "Demo", "presenters": [], "noted_start_s": 65, "noted_video_id": None},
    ]


def test_save_notes_stores_noted_offsets_and_upgrades_older_databases(tmp_path):
    import sqlite_utils

    from indexer.store import db as dbmod

    db = sqlite_utils.Database(tmp_path / "old.db")
    # a talks table as databases made before the offsets were kept have it
    db["talks"].create(
        {"id": str, "meeting_id": str, "position": int, "title": str, "presenters_raw": str, "notes": str, "line": int},
        pk="id",
    )
    notes = parse_notes("# 2022-06-08\n## Agenda\n* Intro\n* [12:01](https://youtu.be/bbbbbbbbbbb?t=721) Demo\n")
    dbmod.create_tables(db)
    save_notes(db, notes, "notes.md")
    rows = [(r["title"], r["position"], r["noted_start_s"], r["noted_video_id"]) for r in db["talks"].rows_where(order_by="position")]
    assert rows == [("Intro", 1, None, None), ("Demo", 2, 721, "bbbbbbbbbbb")]


@pytest.mark.parametrize(
    "text, want",
    [
        ("Data lineage at scale, Ada Park, Astronomer", ("Data lineage at scale", [("Ada Park", "Astronomer")])),
        ("Nelli, a lightweight, Pythonic, frontend for MLIR", ("Nelli, a lightweight, Pythonic, frontend for MLIR", [])),
        ("Martin Renou. Presenting Notebook.link: run notebooks", ("Presenting Notebook.link: run notebooks", [("Martin Renou", None)])),
        ("Open Discussion: Closing Remarks", ("Open Discussion: Closing Remarks", [])),
        ("https://ethereum-magicians.org/t/eip-2315-simple-subroutines/3941", ("eip 2315 simple subroutines", [])),
        ("https://github.com/ethereum/pm/issues/248", ("ethereum/pm#248", [])),
        ("Google-Hacking mit Florian Ammon", ("Google-Hacking mit Florian Ammon", [])),  # only after a kind prefix
        ("Talk: Google-Hacking mit Florian Ammon", ("Google-Hacking", [("Florian Ammon", None)])),
    ],
)
def test_presenter_forms(text, want):
    title, presenters = agenda_item(text)
    assert (title, [(p.name, p.org) for p in presenters]) == want


def test_emphasised_name_closing_the_line():
    notes = parse_notes("# 2021-01-05\n## Agenda\n* WXYZDVCS report - _Nick_\n* Classic - *Jeremy*\n* Call - Recap\n")
    assert talks(notes.meetings[0]) == [("WXYZDVCS report", ["Nick"]), ("Classic", ["Jeremy"]), ("Call - Recap", [])]


def test_one_meeting_document_takes_its_topic_headings():
    text = (
        "# Core Devs Meeting 61\n### Meeting Date/Time: Friday, May 10, 2019 14:00 UTC\n"
        "### Meeting Duration: 1 hour\n### [Audio/Video of the meeting](https://www.youtube.com/watch?v=CNcBuJ6wivE)\n\n"
        "# **Summary:**\n## DECISIONS MADE\n* one\n"
        "# 1. Review previous decisions\ntext\n## a) sub-point\ntext\n"
        "# 2. [Roadmap](https://example.org/roadmap)\n"
        "**Hudson** [12:40](https://www.youtube.com/watch?v=CNcBuJ6wivE&t=760s): ok\n"
        "# 3. Testing Updates\ntext\n# Attendees\n* Ann\n"
    )
    m = parse_notes(text).meetings[0]
    assert [(t.title, t.noted_start_s, t.noted_video_id) for t in m.talks] == [
        ("Review previous decisions", None, None),
        ("Roadmap", 760, "CNcBuJ6wivE"),  # the first offset in its own notes
        ("Testing Updates", None, None),
    ]


def test_bold_name_with_the_topic_in_its_first_sub_bullet():
    text = (
        "# 2021-04-27\n## Agenda Items\n- **Jeremy**:\n    - JupyterLite, a distribution\n    - Thanks to Nick!\n"
        "- **Gonzalo** Internationalization workflow\n- **David**:\n    - **Nbterm**\n        - [Blog](https://example.org)\n"
    )
    m = parse_notes(text).meetings[0]
    assert talks(m) == [
        ("JupyterLite, a distribution", ["Jeremy"]),
        ("Internationalization workflow", ["Gonzalo"]),
        ("Nbterm", ["David"]),
    ]
    assert m.talks[0].notes == "- Thanks to Nick!"
