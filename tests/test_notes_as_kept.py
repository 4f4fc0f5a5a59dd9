"""Notes as people keep them: a file per meeting, dates in context, folders of notes."""
import datetime as dt
import json
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from indexer.cli import cli
from indexer.notes import find_date, find_yearless_numeric, parse_notes
from indexer.notes.files import load_notes, one_date_per_meeting

KEPT = Path(__file__).parent / "fixtures" / "notes" / "as-kept"
FOLDER = KEPT / "folder"


def meetings(path):
    return load_notes(str(path)).meetings


def test_a_plain_date_line_under_the_title_dates_the_whole_file():
    (m,) = meetings(FOLDER / "meetings" / "2022_03_08" / "README.md")
    assert (m.id, m.line, m.title) == ("2022-03-08", 2, "Robotics Safety Working Group Minutes")
    assert m.video_ids == ["rsWG0308aaa"]
    # the dated action items are part of the minutes, not meetings of their own
    assert "2022/01/11 Dana" in m.raw and m.raw.startswith("08 March 2022")


def test_a_file_with_no_date_written_takes_its_paths_date():
    (m,) = meetings(FOLDER / "meetings" / "2022_03_22" / "README.md")
    assert (m.id, m.line, m.title, m.video_ids) == (
        "2022-03-22", 1, "Robotics Safety Working Group Minutes", ["rsWG0322bbb"])


def test_a_year_less_title_takes_the_year_of_its_date_line():
    (m,) = meetings(FOLDER / "call-notes" / "2023-may.md")
    assert (m.id, m.line) == ("2023-05-16", 1)
    # the section is the whole file: the recording first, a resource video after it
    assert m.video_ids == ["ccMay16cccc", "confTalkddd"]


def test_a_month_only_title_is_dated_by_its_date_line_and_front_matter_is_no_date():
    (m,) = meetings(FOLDER / "call-notes" / "2023-june.md")
    assert (m.id, m.line, m.title, m.video_ids) == ("2023-06-20", 7, "June 2023 Community Call", ["ccJune20eee"])


def test_a_metadata_heading_under_an_undated_title_makes_the_file_one_meeting():
    notes = load_notes(str(KEPT / "metadata-heading.md"))
    (m,) = notes.meetings
    assert (m.id, m.line, m.title) == ("2023-07-14", 2, "Developers Call 42")
    # the recording in its own heading, and level-1 topic headings, belong to the call
    assert m.video_ids == ["devCall42ff"]
    assert "# 2. Testnet schedule" in m.raw and m.raw.rstrip().endswith("at 14:00 UTC")
    # "## Launch window July 20, 2023" and "### Next meeting: ..." start no meeting


def test_a_dated_title_restated_by_a_metadata_heading_is_one_meeting():
    notes = load_notes(str(KEPT / "dated-title.md"))
    assert [(m.id, m.line, m.title, m.video_ids) for m in notes.meetings] == [
        ("2023-07-28", 1, "Developers Call 43", ["devCall43gg"])]
    assert notes.warnings == []


def test_day_first_dates_dates_in_the_body_and_lists_of_other_events():
    notes = load_notes(str(KEPT / "stammtisch.md"))
    got = [(m.id, m.line, m.title, m.video_ids) for m in notes.meetings]
    assert got == [
        ("2021-02-24", 15, "12. Security Meetup Example (Virtual)", ["stamm12hhhh"]),
        ("2017-09-20", 21, "11. Security Meetup Example", []),
        # an undated heading like its siblings: the body says when (not the link's 2017-01-01)
        ("2017-04-26", 24, "10. Security Meetup Example The 10th Meetup", []),
    ]
    # "Past conferences and workshops" bullets are no meetings; front matter is no heading
    assert notes.title == ""


def test_year_less_headings_take_their_year_from_time_links_date_lines_and_neighbours():
    notes = load_notes(str(KEPT / "year-less-context.md"))
    assert [(m.id, m.line, m.video_ids) for m in notes.meetings] == [
        ("2021-03-01", 3, ["syncMar01ii"]),  # time.is/1600_1_March_2021_in_UTC
        ("2021-03-15", 9, ["syncMar15jj"]),  # **Date:** Monday, March 15th, 2021
        ("2021-03-29", 15, ["syncMar29kk"]),  # 03/29 among dated siblings; "Part 1/2" is no date
    ]


def test_a_log_under_a_title_is_read_as_a_log_not_as_one_meeting():
    text = ("# Team notes\n\n## 2021-02-09\n\n[v](https://youtu.be/aaaaaaaaaaa)\n\n"
            "## Recordings\n\n* 2021-02-02: [v](https://youtu.be/bbbbbbbbbbb)\n\n## Feb 16, 2021\n\nStill the 16th.\n")
    got = [(m.id, m.line, m.form, m.video_ids) for m in parse_notes(text).meetings]
    # another meeting written at the first one's level: a log, whose sections end at their next heading
    assert got == [("2021-02-09", 3, "heading", ["aaaaaaaaaaa"]), ("2021-02-02", 9, "bullet", ["bbbbbbbbbbb"]),
                   ("2021-02-16", 11, "heading", [])]


def test_a_topic_heading_naming_another_day_does_not_cut_a_files_meeting():
    text = ("# Team call 12\n### Meeting Date/Time: 2021-02-09\n\n## Launch on 2021-03-01\n\n"
            "[v](https://youtu.be/aaaaaaaaaaa)\n")
    assert [(m.id, m.video_ids) for m in parse_notes(text).meetings] == [("2021-02-09", ["aaaaaaaaaaa"])]


def test_lines_that_are_only_a_date_start_meetings_outside_headings():
    text = ("Team sync notes\n\nMarch 3, 2021\n\n* Intro [Ann - Acme]\n\nMarch 10, 2021, 14:00 UTC\n\n"
            "We met on March 17, 2021 and talked.\n")
    got = [(m.id, m.line, m.form, [t.title for t in m.talks]) for m in parse_notes(text).meetings]
    assert got == [("2021-03-03", 3, "line", ["Intro"]), ("2021-03-10", 7, "line", [])]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("24.02.2021, 18:00h CET", dt.date(2021, 2, 24)),
        ("20.9.2017", dt.date(2017, 9, 20)),
        ("Friday 6/30/17 at 14:00 UTC", dt.date(2017, 6, 30)),
        ("Thursday 2024/1/11", dt.date(2024, 1, 11)),
        ("Meeting 125 [2024-1-11]", dt.date(2024, 1, 11)),
        ("28 December, 2023", dt.date(2023, 12, 28)),
        ("2023-06-08/15: Update", dt.date(2023, 6, 8)),
        ("2019-08-29 & 2019-09-12: Op definitions", dt.date(2019, 8, 29)),
    ],
)
def test_find_date_forms_people_write(text, expected):
    assert find_date(text).date == expected


def test_dates_without_a_year_are_month_and_day_only():
    hit = find_date("Monday, 1 March")
    assert (hit.date, hit.month, hit.day) == (None, 3, 1)
    assert find_date("version 1.2.3 on 10.0.0.1") is None
    hit = find_yearless_numeric("Community Call 04/26")
    assert (hit.date, hit.month, hit.day) == (None, 4, 26)
    assert find_yearless_numeric("Part 1/2") is None and find_yearless_numeric("24/7 support") is None


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_notes_reads_a_folder_in_path_order_and_names_files_without_meetings():
    r = CliRunner().invoke(cli, ["notes", str(FOLDER), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert [m["date"] for m in out] == ["2023-06-20", "2023-05-16", "2022-03-08", "2022-03-22"]
    assert f"{FOLDER / 'call-notes' / 'index.md'}: warning: no meetings found" in r.stderr


def test_a_folder_without_notes_is_one_line_error(tmp_path):
    r = run("notes", str(tmp_path))
    assert r.exit_code == 1
    assert r.output.strip() == f"Error: notes path is a directory with no .md files: {tmp_path}"


def test_sync_loads_every_file_of_a_folder(tmp_path, monkeypatch):
    for var in ("YOUTUBE_API_KEY", "GOOGLE_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    db_path = tmp_path / "index.db"
    r = run("sync", str(db_path), str(FOLDER), "--quiet")
    assert r.exit_code == 0, r.output
    assert "index.md: warning: no meetings found; skipped" in r.output
    rows = sqlite_utils.Database(db_path).execute(
        "select id, notes_path from meetings order by id").fetchall()
    assert [(d, Path(p).name) for d, p in rows] == [
        ("2022-03-08", "README.md"), ("2022-03-22", "README.md"), ("2023-05-16", "2023-may.md"),
        ("2023-06-20", "2023-june.md")]


def test_a_later_file_repeating_a_date_is_dated_by_its_path():
    copied = "# Working Group Minutes\n24 Nov 2020\n\n## Agenda\n- Demo\n"
    parsed = [("m/2020_11_24.md", parse_notes(copied, "m/2020_11_24.md")),
              ("m/2021_01_12.md", parse_notes(copied, "m/2021_01_12.md")),
              ("m/notes.md", parse_notes(copied, "m/notes.md"))]
    warnings = one_date_per_meeting(parsed)
    assert [[m.id for m in n.meetings] for _, n in parsed] == [["2020-11-24"], ["2021-01-12"], []]
    assert warnings == [
        "m/2021_01_12.md:2: warning: meeting 2020-11-24 is also in m/2020_11_24.md; dated 2021-01-12 from its path",
        "m/notes.md:2: warning: meeting 2020-11-24 is also in m/2020_11_24.md; skipped",
    ]


def test_german_dates_and_a_month_heading_dated_by_its_body():
    text = ("## Treffen\n\n### 74. Meeting Dezember 2025\n\n- Speakers: Ann\n- Treffen: 9.12.2025, Start: 18:30 Uhr\n\n"
            "### 47. Stammtisch: 28. Januar 2020\n\n- Netzwerken\n\n### 46. Stammtisch im März 2019\n\n"
            "- Ein Treffen am 2.4.2019 fiel aus\n")
    got = [(m.id, m.line) for m in parse_notes(text).meetings]
    # a body date outside the month the heading names does not date it
    assert got == [("2025-12-09", 3), ("2020-01-28", 8)]


def test_prose_starting_with_a_date_under_the_title_does_not_date_the_file():
    text = ("# Call index\n2021-03-24: we moved the agenda to issues\n\n| Date | Topic |\n|---|---|\n"
            "| 2021-03-02 | Berlin |\n| 2021-03-09 | London |\n")
    assert [(m.id, m.form) for m in parse_notes(text).meetings] == [("2021-03-02", "table"), ("2021-03-09", "table")]


def test_a_heading_that_only_links_the_recording_belongs_to_the_meeting_above():
    text = ("## Feb 9, 2021\n\n## [Audio Video of the Meeting](https://www.youtube.com/watch?v=aaaaaaaaaaa)\n\n"
            "## Agenda\n* Intro\n\n## Community links\n[v](https://youtu.be/bbbbbbbbbbb)\n")
    assert [(m.id, m.video_ids) for m in parse_notes(text).meetings] == [("2021-02-09", ["aaaaaaaaaaa"])]
