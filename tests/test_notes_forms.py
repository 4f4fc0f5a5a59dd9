"""Fixture notes covering every form the parser reads, with exact expectations."""
import datetime as dt

import pytest

from indexer.notes import find_date, parse_notes, parse_talk

from pathlib import Path

NOTES = Path(__file__).parent / "fixtures" / "notes"


def parse(name):
    return parse_notes((NOTES / name).read_text())


def who(talk):
    return [(p.name, p.org) for p in talk.presenters]


def test_date_headings_every_form_and_level():
    notes = parse("date-headings.md")
    got = [(m.date.isoformat(), m.title, m.line) for m in notes.meetings]
    assert got == [
        ("2021-02-09", "Feb 9, 2021", 5),
        ("2021-02-16", "February 16, 2021", 9),
        ("2023-05-02", "May 2nd, 2023", 14),
        ("2022-02-09", "9 February 2022", 16),
        ("2022-02-08", "Tuesday, Feb 8 2022", 18),
        ("2021-02-23", "2021-02-23", 20),
        ("2021-03-02", "03/02/2021", 22),  # US order: March 2nd
        ("2024-06-11", "Community sync", 24),
        ("2023-09-05", "Contributor summit (Day 1)", 26),
    ]
    assert notes.title == "Community Call Notes"
    assert notes.warnings == []


def test_level_five_heading_stays_inside_the_meeting_above():
    summit = parse("date-headings.md").meetings[-1]
    assert "Level-5 headings are not meetings" in summit.raw
    assert summit.raw.startswith("## Sept 5th, 2023")


def test_each_meeting_keeps_its_own_section():
    notes = parse("date-headings.md")
    feb16 = notes.meetings[1]
    assert feb16.raw == "## February 16, 2021\n\n### Agenda\n* Release planning [Ketan - Union]"
    assert [t.title for t in feb16.talks] == ["Release planning"]
    assert notes.meetings[0].raw == "# Feb 9, 2021\n\nShort call."


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Feb 9, 2021", dt.date(2021, 2, 9)),
        ("February 9, 2021", dt.date(2021, 2, 9)),
        ("May 2nd, 2023", dt.date(2023, 5, 2)),
        ("9 February 2021", dt.date(2021, 2, 9)),
        ("9th of Feb. 2021", dt.date(2021, 2, 9)),
        ("Tuesday, Feb 9 2021", dt.date(2021, 2, 9)),
        ("2021-02-09", dt.date(2021, 2, 9)),
        ("2021/02/09", dt.date(2021, 2, 9)),
        ("02/09/2021", dt.date(2021, 2, 9)),
        ("Sync on 12/1/2022 at 9am", dt.date(2022, 12, 1)),
    ],
)
def test_find_date_forms(text, expected):
    assert find_date(text).date == expected


def test_find_date_problems_are_reported_not_guessed():
    assert find_date("Feb 30, 2021").problem == "not a valid date: Feb 30, 2021"
    assert find_date("1850-01-01").date is None
    hit = find_date("13/02/2021")
    assert hit.date == dt.date(2021, 2, 13) and "day/month/year" in hit.note
    assert "Wednesday" in find_date("Tuesday, Feb 10 2021").note
    year_less = find_date("Meeting March 1st")
    assert (year_less.date, year_less.month, year_less.day) == (None, 3, 1)
    assert find_date("version 1.2 at 10:30") is None


def test_broken_dates_in_headings_are_warnings_with_lines():
    notes = parse_notes("# Notes\n\n## Feb 30, 2021\n\n## 13/02/2021\n\n## Tuesday, Feb 10 2021\n")
    assert [m.id for m in notes.meetings] == ["2021-02-13", "2021-02-10"]
    assert [(w.line, w.message.split(":")[0]) for w in notes.warnings] == [
        (3, "not a valid date"),
        (5, "13/02/2021 is not a US month/day/year date; read as day/month/year"),
        (7, "Tuesday does not match 2021-02-10 (a Wednesday)"),
    ]


def test_agenda_nested_bullets_and_presenter_forms():
    m = parse("agendas.md").meetings[0]
    assert [(t.title, who(t), t.line) for t in m.talks] == [
        ("Welcome and introductions", [], 6),
        # "* Guest presentation" is a heading bullet: its sub-bullets are the talks
        ("Flyte at Spotify: lineage events", [("Sonja Ericsson", None)], 8),
        ("Building ML pipelines", [("Jane Doe", "Acme")], 9),
        ("Community updates", [("Ketan", None), ("Haytham", None)], 10),
        ("Flyte Decks", [("Kevin Su", "Union.ai")], 11),
        # "- **Name, Org**" on its own sub-bullet names the talk's presenter
        ("Scaling the propeller", [("Dan Rammer", "Union")], 12),
        ("Planning", [], 14),
    ]
    planning = m.talks[-1]
    assert planning.notes == "* roadmap for 1.1\n* docs overhaul"
    assert m.talks[2].raw == "**Jane Doe** (Acme): Building ML pipelines"


def test_agenda_paragraph_and_ordered_list():
    m = parse("agendas.md").meetings[1]
    assert [(t.title, who(t)) for t in m.talks] == [
        ("Data lineage with OpenLineage", [("Ada Park", "Astronomer")]),
        ("Caching deep dive", [("Yee", "Union"), ("Katrina", "Union")]),
        ("Q&A", []),
    ]


def test_bullets_straight_under_the_date_are_the_agenda():
    m = parse("agendas.md").meetings[2]
    assert [(t.title, who(t)) for t in m.talks] == [
        ("Pandera integration", [("Niels Bantilan", None)]),
        ("Type transformers", [("Eduardo Apolinario", None), ("Yee Tong", None)]),
    ]


def test_schedule_table_one_meeting_per_date():
    meetings = parse("agendas.md").meetings[3:]
    got = [(m.id, m.title, m.line, m.form, m.cancelled, [(t.title, who(t)) for t in m.talks]) for m in meetings]
    assert got == [
        ("2022-04-13", "2022-04-13", 36, "table", False, [("Flyte on Kubernetes", [("Samhita Alla", "Union")])]),
        (
            "2022-04-27",
            "April 27, 2022",
            37,
            "table",
            False,
            [
                ("Pandera plugin update", [("Niels Bantilan", None), ("Eduardo Apolinario", None)]),
                # a row with an empty date continues the meeting above
                ("Databricks plugin", [("Kevin Su", None)]),
            ],
        ),
        ("2022-05-11", "2022-05-11", 39, "table", True, []),
    ]
    assert meetings[1].raw == (
        "| April 27, 2022 | Niels Bantilan, Eduardo Apolinario | Pandera plugin update |\n"
        "|  | Kevin Su | Databricks plugin |"
    )


def test_meetings_that_are_not_headings():
    notes = parse("not-headings.md")
    got = [(m.id, m.title, m.line, m.form, m.cancelled) for m in notes.meetings]
    assert got == [
        ("2021-03-18", "2021-03-18", 5, "bullet", False),
        ("2021-04-01", "Flyte 0.12 release", 6, "bullet", False),
        # "* Next call: 2021-04-15" only mentions a day: no meeting
        ("2021-04-29", "no call this week", 10, "bullet", True),
        ("2021-05-13", "May 13, 2021", 13, "details", False),
        ("2021-05-27", "Office hours", 22, "details", False),
        ("2021-06-10", "Meeting", 28, "heading", False),  # year from the neighbours
        ("2021-06-24", "June 24, 2021", 32, "heading", False),
        ("2021-07-08", "Cancelled (holiday)", 36, "heading", True),
    ]


def test_bullet_meeting_sub_bullets_are_its_talks():
    m = parse("not-headings.md").meetings[1]
    assert [(t.title, who(t)) for t in m.talks] == [
        ("Release walkthrough", [("Ketan", "Union")]),
        ("Demo: map tasks", [("Kevin Su", "Lyft")]),
    ]
    assert m.video_ids == ["bbbbbbbbbbb"]


def test_details_blocks_hold_whole_meetings():
    notes = parse("not-headings.md")
    may13, may27 = notes.meetings[3:5]
    assert [(t.title, who(t)) for t in may13.talks] == [("Flyte on GCP", [("Jeev", "Freenome")])]
    assert may13.drive_ids == ["1AbCdEfGhIjKlMnOpQrStUv"]
    assert may13.raw.startswith("<summary>May 13, 2021</summary>") and may13.raw.endswith("</details>")
    assert may27.drive_ids == ["1ZyXwVuTsRqPoNmLkJiHgFe"]
    assert "<summary>May 27" not in may13.raw


def test_pasted_twice_is_merged_with_a_warning():
    notes = parse("not-headings.md")
    june24 = [m for m in notes.meetings if m.id == "2021-06-24"]
    assert len(june24) == 1
    assert june24[0].also_at == [38]
    assert [(t.title, who(t)) for t in june24[0].talks] == [("Pasted again: backfill jobs", [("Haytham", "Union")])]
    assert [(w.line, w.message) for w in notes.warnings] == [
        (38, "meeting 2021-06-24 appears again (first at line 32); merged")
    ]


def test_year_less_heading_without_neighbours_is_a_warning():
    notes = parse_notes("# Notes\n\n## Meeting March 1st\n\n* Intro [Ann - Acme]\n")
    assert notes.meetings == []
    assert [(w.line, w.message) for w in notes.warnings] == [
        (3, "date without a year and no dated meeting nearby; skipped")
    ]


def test_year_less_dates_take_the_nearest_neighbours_year_across_new_year():
    text = "## Dec 28, 2021\n\n## Jan 4th\n\n## Jan 11, 2022\n\n## Dec 20th\n"
    assert [m.id for m in parse_notes(text).meetings] == ["2021-12-28", "2022-01-04", "2022-01-11", "2021-12-20"]


def test_next_meeting_headings_are_not_meetings():
    text = "## Feb 2, 2021\n\n### Next meeting: Feb 16, 2021\n\n## Upcoming call - March 2, 2021\n"
    notes = parse_notes(text)
    assert [m.id for m in notes.meetings] == ["2021-02-02"]
    assert "Next meeting" in notes.meetings[0].raw


def test_cancelled_in_heading_subheading_or_paragraph():
    text = (
        "## Jan 5, 2022 (cancelled)\n\n## Jan 12, 2022\n\nNo call this week, see you next time.\n\n"
        "## Jan 19, 2022\n\n### Skipped - holidays\n\n## Jan 26, 2022\n\n### Notes\nThe job was cancelled twice.\n"
    )
    assert [(m.id, m.cancelled) for m in parse_notes(text).meetings] == [
        ("2022-01-05", True),
        ("2022-01-12", True),
        ("2022-01-19", True),
        ("2022-01-26", False),
    ]


def test_heading_meeting_ends_at_same_level_heading_not_at_deeper_one():
    text = "# Notes\n\n## 2022-01-05\n\n### Agenda\n* Intro [Ann - Acme]\n\n## Backlog\n* Later [Bob - Beta]\n"
    notes = parse_notes(text)
    (m,) = notes.meetings
    assert m.raw == "## 2022-01-05\n\n### Agenda\n* Intro [Ann - Acme]"
    assert [(b.title, b.line) for b in notes.backlog] == [("Later", 9)]


@pytest.mark.parametrize(
    "line, title, presenters",
    [
        ("Flyte Egress Events [Sonja - Katrina - Nian - Spotify]", "Flyte Egress Events",
         [("Sonja", "Spotify"), ("Katrina", "Spotify"), ("Nian", "Spotify")]),
        ("Getting Started - FAST", "Getting Started - FAST", []),
        ("Flyte Decks by Kevin Su (Union.ai)", "Flyte Decks", [("Kevin Su", "Union.ai")]),
        ("Driven by data", "Driven by data", []),
        ("Community updates (Ketan/Haytham)", "Community updates", [("Ketan", None), ("Haytham", None)]),
        ("Flyte 1.0 (beta)", "Flyte 1.0 (beta)", []),
        ("Roadmap (15 min)", "Roadmap (15 min)", []),
        ("Egress (Presenter: Nian Tang from Spotify)", "Egress", [("Nian Tang", "Spotify")]),
        ("Talk [Kevin Su (Union.ai)]", "Talk", [("Kevin Su", "Union.ai")]),
        ("Type system by Yee and Eduardo from Union", "Type system", [("Yee", "Union"), ("Eduardo", "Union")]),
    ],
)
def test_parse_talk_forms(line, title, presenters):
    t, p = parse_talk(line)
    assert (t, [(x.name, x.org) for x in p]) == (title, presenters)


def test_parse_talk_bold_spans():
    text = "Data lineage - Ada Park, Astronomer"
    start = text.index("Ada")
    t, p = parse_talk(text, [(start, len(text))])
    assert (t, [(x.name, x.org) for x in p]) == ("Data lineage", [("Ada Park", "Astronomer")])
    # only a bold name: no title (as a sub-bullet it names the talk's presenter)
    t, p = parse_talk("Dan Rammer, Union", [(0, 17)])
    assert (t, [(x.name, x.org) for x in p]) == ("", [("Dan Rammer", "Union")])
    # bold that is not a name stays the title
    assert parse_talk("Welcome to Flyte 1.0", [(0, 7)]) == ("Welcome to Flyte 1.0", [])


def test_bold_only_agenda_line_is_a_talk():
    m = parse_notes("## 2022-01-05\n\n### Agenda\n* **Welcome**\n* Intro [Ann - Acme]\n").meetings[0]
    assert [(t.title, who(t)) for t in m.talks] == [("Welcome", []), ("Intro", [("Ann", "Acme")])]


def test_meeting_parts_at_the_meetings_own_heading_level():
    text = (
        "### Feb 9, 2021\n### [YouTube Video](https://youtu.be/aaaaaaaaaaa)\n### Agenda\n* Talk [Ann - Acme]\n"
        "### Notes\nTalk (Presenter: Ann from Acme)\n* said things\n### Community links\n* not this meeting's\n"
    )
    (m,) = parse_notes(text).meetings
    assert [(t.title, who(t), t.notes) for t in m.talks] == [("Talk", [("Ann", "Acme")], "* said things")]
    assert m.video_ids == ["aaaaaaaaaaa"]
    assert "Community links" not in m.raw


def test_a_document_section_after_a_meeting_is_not_part_of_it():
    text = "## Feb 9, 2021\n### Agenda\n* Talk [Ann - Acme]\n## Recordings\n* 2021-02-16: [Recording](https://youtu.be/aaaaaaaaaaa)\n"
    feb9, feb16 = parse_notes(text).meetings
    assert (feb9.id, [t.title for t in feb9.talks], feb9.video_ids) == ("2021-02-09", ["Talk"], [])
    assert (feb16.id, feb16.form, feb16.video_ids) == ("2021-02-16", "bullet", ["aaaaaaaaaaa"])


def test_google_docs_export_bold_headings_agenda_paragraph_and_table():
    notes = parse("gdoc-export.md")
    assert notes.title == "Flyte Community Sync"
    assert [(m.id, m.title, m.line, m.cancelled) for m in notes.meetings] == [
        ("2023-03-07", "Tuesday, March 7, 2023", 3, False),
        ("2023-03-21", "March 21st", 18, True),  # year from the meeting above
    ]
    assert [(t.title, who(t), t.line) for t in notes.meetings[0].talks] == [
        # a leading bold before a dash is the title; "\-" is Google's escaped dash
        ("Flyte 1.5 release", [("Eduardo Apolinario", None)], 9),
        ("Building pipelines", [("Jane Doe", "Acme")], 10),
        ("Flyte Decks", [("Kevin Su", None)], 11),
        ("Demo of map tasks (15 min)", [], 12),
        # an agenda table inside the meeting: one talk per row
        ("Caching", [("Yee", "Union")], 16),
    ]


def test_bold_date_lines_are_meetings_outside_headings():
    notes = parse("bold-dates.md")
    assert [(m.id, m.title, m.line, m.form) for m in notes.meetings] == [
        ("2020-02-04", "Feb 4, 2020", 3, "bold"),
        ("2020-02-11", "Release party", 8, "bold"),
        # "**Next meeting: ...**" is a mention; a bold date inside a sentence is not a line of its own
    ]
    feb2, feb9 = notes.meetings
    assert [(t.title, who(t)) for t in feb2.talks] == [("Intro", [("Ann", "Acme")])]
    assert [(t.title, who(t)) for t in feb9.talks] == [("Demo", [("Bob", "Beta")])]
    assert feb9.video_ids == ["bbbbbbbbbbb"]
    assert feb9.raw.endswith("Discussed **Feb 25, 2020** as a date for the summit.")
    assert [(b.title, b.line) for b in notes.backlog] == [("Later", 18)]


def test_a_bold_date_inside_a_heading_meeting_does_not_split_it():
    text = "## Feb 2, 2021\n\n**Feb 9, 2021**\n\n* Intro [Ann - Acme]\n"
    assert [(m.id, [t.title for t in m.talks]) for m in parse_notes(text).meetings] == [("2021-02-02", ["Intro"])]
