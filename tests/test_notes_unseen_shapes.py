"""Agenda shapes met in real notes of other communities (not the dev corpus), each as a few hand-written lines."""
from indexer.notes import agenda_item, parse_notes


def talks(text, path=""):
    (m,) = parse_notes(text, path=path).meetings
    return [(t.title, [p.name for p in t.presenters]) for t in m.talks]


def test_qualified_agenda_heading_under_each_dated_heading():
    text = (
        "# 2021-3-4\n\n## Proposed Agenda\n* Welcome\n* Release plan\n\n"
        "# 2021-2-18\n\n## Tentative agenda\n* Roadmap review\n"
    )
    meetings = parse_notes(text).meetings
    assert [(m.id, [t.title for t in m.talks]) for m in meetings] == [
        ("2021-03-04", ["Welcome", "Release plan"]),
        ("2021-02-18", ["Roadmap review"]),
    ]


def test_sub_headings_under_the_agenda_group_its_items():
    text = (
        "# Steering meeting 2019-05-06\n\n## Agenda\n\nTaken from labelled issues.\n\n"
        "### core\n\n* parser: faster tokens #12\n  * discussed, will land\n\n"
        "### docs\n\n* new tutorial #14\n\n"
        "## Attendees\n\n* Jane Roe\n\n## Q&A\n"
    )
    assert talks(text) == [("parser: faster tokens #12", []), ("new tutorial #14", [])]


def test_a_subheading_that_is_no_group_ends_the_agenda():
    text = "# Call 2019-05-06\n\n## Agenda\n\n* Budget\n\n### Previous action items\n\n* Fix the site\n"
    assert talks(text) == [("Budget", [])]


def test_agenda_items_heading_at_the_meeting_heading_level():
    # the dated heading, a metadata list under it, then "## Agenda items" at the same level
    text = (
        "## Agenda for the March 3 call\n\n- **Where**: online\n- **When**: March 3, 2022 at 4pm UTC\n"
        "- **Contact**:\n    - Name: Jane Roe\n\n## Agenda items\n\n1. Opening\n1. Proposals\n1. Closure\n"
    )
    assert talks(text) == [("Opening", []), ("Proposals", []), ("Closure", [])]


def test_bold_meeting_particulars_are_no_talks():
    assert agenda_item("Where: online", [(0, 5)]) is None
    assert agenda_item("When: May 3", [(0, 4)]) is None


def test_square_bracket_presenter_before_the_title():
    assert agenda_item("[Jane Roe] Update on the refactor") == ("Update on the refactor", [_p("Jane Roe")])
    assert agenda_item("[Ann, Bob] Release status") == ("Release status", [_p("Ann"), _p("Bob")])
    # tags and code names in brackets are part of the title
    assert agenda_item("[WIP] fs: recursive mkdir") == ("[WIP] fs: recursive mkdir", [])
    assert agenda_item("[trace_event] tracking issue") == ("[trace_event] tracking issue", [])


def test_link_label_inside_a_title_is_kept():
    text = (
        "# Sync 2024-01-08\n\n## Agenda\n\n"
        "* [Jane Roe] Update on [the refactor](https://docs.google.com/presentation/d/abc/edit)\n"
        "* Demo [recording](https://youtu.be/AAAAAAAAAAA)\n"
    )
    assert talks(text) == [("Update on the refactor", ["Jane Roe"]), ("Demo", [])]


def test_a_topic_with_one_presenter_sub_bullet_stays_the_talk():
    text = (
        "# Meeting 2020-09-25\n\n## Agenda\n\n* Welcome new friends\n    * Jane Roe: works on parsers\n"
        "* Best practices update\n    * Review the checklist (Ann)\n"
        "* Lightning talks:\n    * Fast builds (Bob)\n    * Small caches (Cy)\n"
    )
    assert talks(text) == [
        ("Welcome new friends", []),
        ("Best practices update", []),
        ("Fast builds", ["Bob"]),
        ("Small caches", ["Cy"]),
    ]


def test_hyphenated_word_is_no_label():
    # "stream" names a label only as a word of its own ("Stream: ..."), not in "stream-api"
    assert agenda_item("stream-api: add web streams #31") == ("stream-api: add web streams #31", [])
    assert agenda_item("Stream: https://example.org/live") is None


def test_no_questions_line_is_no_talk():
    assert agenda_item("No questions this week.") is None


def test_attendee_list_after_a_label_line_is_no_agenda():
    text = (
        "# Sessions\n\n## Feb 3, 2021\n\n- Welcome and roadmap\n\n"
        "Thanks for coming. A partial list of attendees -\n\n- @ann, Ann Lee, Acme Corp\n- @bob, Bob Ray, Initech\n"
    )
    assert talks(text) == []


def test_agenda_label_line_over_a_list():
    text = "# Meetup 2022-06-01\n\nAgenda items:\n\n- Intro to parsers\n- Q and A wrap-up\n"
    assert talks(text) == [("Intro to parsers", []), ("Q and A wrap-up", [])]


def _p(name):
    from indexer.notes import Presenter

    return Presenter(name)


def test_day_month_year_with_hyphens_and_iso_timestamps():
    from indexer.notes import find_date

    assert str(find_date("Sync 04-Mar-2021").date) == "2021-03-04"
    assert str(find_date("Call at 2021-03-04T16:00Z").date) == "2021-03-04"


def test_dated_headings_log_with_dates_inside_agenda_items():
    # "## Dec 7 2023" headings (no comma), dates inside items and notes are no meetings,
    # a "### Recording" sub-heading with the link on the next line belongs to its meeting
    text = (
        "# Project meeting notes\n\n## Dec 7 2023\n\n### Agenda Items:\n"
        "- Review meeting 12/4/2023 (Ann)\n    - Date: 12/11/2023 community meeting\n\n"
        "### Notes\n- New release date is 12/20/2023\n\n### Recording\nhttps://www.youtube.com/live/AAAAAAAAAAA?si=x\n\n"
        "## Nov 30 2023\n\nCancelled due to lack of topics\n"
    )
    meetings = parse_notes(text).meetings
    assert [(m.id, m.cancelled, [t.title for t in m.talks]) for m in meetings] == [
        ("2023-12-07", False, ["Review meeting 12/4/2023"]),
        ("2023-11-30", True, []),
    ]
    assert meetings[0].video_ids == ["AAAAAAAAAAA"]


def test_video_links_written_without_a_scheme():
    text = (
        "# Call 2022-01-05\n\n- Recording: www.youtube.com/watch?v=AAAAAAAAAA1\n"
        "- Part 2: youtu.be/AAAAAAAAAA2 and https://youtu.be/AAAAAAAAAA3\n"
        "- not a video: notyoutube.com/watch?v=AAAAAAAAAA4\n"
    )
    (m,) = parse_notes(text).meetings
    assert m.video_ids == ["AAAAAAAAAA1", "AAAAAAAAAA2", "AAAAAAAAAA3"]


def test_yearless_meetings_under_a_year_heading_take_its_year():
    text = (
        "# Roundtable\n\n## 2021\n\n### March 3\n- API review (Ann)\n\n"
        "## 2020\n\n### December 9\n- Wrap-up (Bob)\n\n### 11/19\n- Roadmap (Cy)\n"
    )
    assert [m.id for m in parse_notes(text).meetings] == ["2021-03-03", "2020-12-09", "2020-11-19"]


def test_month_day_with_a_time_and_month_glued_to_the_day():
    from indexer.notes import find_date

    hit = find_date("June 22 17H")
    assert (hit.date, hit.month, hit.day) == (None, 6, 22)
    assert (find_date("June 22 5pm").month, find_date("June 22 5pm").day) == (6, 22)
    assert str(find_date("October23rd 2020 group meeting").date) == "2020-10-23"
    assert find_date("March 3 10 talks") is None  # a count, not a time


def test_yearless_entries_of_a_newest_first_log_fall_after_the_dated_ones():
    # the closest year to the dated neighbour (Oct 2020) would be 2020; the order says 2021
    text = (
        "# Notes\n\n## June 22 17H\n- updates\n\n## May 4 17H\n- updates\n\n"
        "## October 23rd 2020\n- kickoff\n\n## October 9th 2020\n- prep\n\n## August 18th 2020\n- outlines\n"
    )
    assert [m.id for m in parse_notes(text).meetings] == [
        "2021-06-22", "2021-05-04", "2020-10-23", "2020-10-09", "2020-08-18",
    ]


def test_release_schedules_changelogs_and_other_events_are_no_meetings():
    text = (
        "# Working group notes\n\n## 2021-03-04\n\n* Parser update (Ann)\n\nNext meeting: 2021-03-18\n\n"
        "## Release schedule\n\n- 2021-04-01: v1.0 feature freeze\n- 2021-05-01: v1.0 release\n\n"
        "## Upcoming events\n\n- March 25, 2021: conference talk on parsers\n\n"
        "## Changelog\n\n### 2021-01-10\n- Fixed the tokenizer\n"
    )
    assert [m.id for m in parse_notes(text).meetings] == ["2021-03-04"]


def test_a_release_teams_own_title_is_no_list_of_releases():
    text = "# Release WG notes\n\n## 2021-03-04\n\n* Parser update (Ann)\n\n## 2021-02-18\n\n* Plan (Cy)\n"
    assert [m.id for m in parse_notes(text).meetings] == ["2021-03-04", "2021-02-18"]


def test_agenda_as_a_labelled_bullet_in_a_metadata_list():
    # HackMD ":::info" blocks: who, where and when as bullets, the agenda under "- **Agenda:**"
    text = (
        "# March 1, 2021 4:00 PM UTC\n\n:::info\n- **Location:** https://meet.example.org/weekly\n"
        "- **Date:** March 1, 2021 4:00 PM UTC\n- **Host:** @ann\n- **Participants:**\n"
        "    - Ann Lee, @ann\n    - Bob Ray, @bob\n- **Agenda:**\n    1. Recap\n    1. Board bring-up\n:::\n\n"
        "## Notes\n\n- Recap\n    - all good\n"
    )
    assert talks(text) == [("Recap", []), ("Board bring-up", [])]


def test_people_labels_are_no_presenters():
    assert agenda_item("Host: @ann", [(0, 4)]) is None
    assert agenda_item("Participants:", [(0, 13)]) is None
    assert agenda_item("Agenda:", [(0, 7)]) is None


def test_meetings_as_cells_of_an_html_layout_table():
    text = (
        "# Calls\n\n## Recent calls\n\n<table>\n  <tr>\n    <td align=\"center\">\n      <b>Call #44</b><br>\n"
        "      Jan 29, 2026<br>\n      <a href=\"https://youtu.be/AAAAAAAAAA1\">recording</a>\n    </td>\n"
        "    <td>\n      <b>Call #43</b><br>\n      Jan 15, 2026<br>\n    </td>\n"
        "    <td>Our project was founded in a garage and on March 3, 2019 it moved to its own repository.</td>\n"
        "  </tr>\n</table>\n"
    )
    meetings = parse_notes(text).meetings
    assert [(m.id, m.title, m.video_ids) for m in meetings] == [
        ("2026-01-29", "Call #44", ["AAAAAAAAAA1"]),
        ("2026-01-15", "Call #43", []),
    ]


def test_html_cells_under_a_releases_heading_are_no_meetings():
    text = (
        "# Project\n\n## 2026-02-03\n\n* Parser update (Ann)\n\n"
        "## Releases\n\n<table><tr><td><b>v2.0</b><br>Jan 29, 2026</td></tr></table>\n"
    )
    assert [m.id for m in parse_notes(text).meetings] == ["2026-02-03"]


def test_adversarial_shapes_of_these_rules_parse_to_the_end():
    # as in test_notes_timebombs: a subprocess under a generous timeout; it times nothing
    import json
    import subprocess
    import sys

    n = 1_000_000
    docs = {
        "a line of dated cells": "<table>" + "<td>Call Jan 29, 2026</td>" * (n // 25) + "</table>\n",
        "unclosed cells": "<table>" + "<td>" * (n // 4) + "\n",
        "bare youtu runs": "# 2021-01-05\n\n* " + "youtu" * (n // 5) + "\n",
        "bare video URL run": "# 2021-01-05\n\n* youtube.com/" + "a" * n + "\n",
        "unclosed lead bracket": "# 2021-01-05\n\n## Agenda\n\n* [" + "Ann " * (n // 4) + "\n",
        "year headings": "".join(f"## {2000 + i % 20}\n\n### March {i % 28 + 1}\n\n" for i in range(n // 30)),
    }
    script = "import json, sys\nfrom indexer.notes import parse_notes\nprint(json.dumps(len(parse_notes(sys.stdin.read()).meetings)))"
    for name, doc in docs.items():
        p = subprocess.run([sys.executable, "-c", script], input=doc, capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, (name, p.stderr[-500:])
        assert json.loads(p.stdout) >= (0 if name == "unclosed cells" else 1), name


def test_presenter_after_a_duration_and_a_byline_verb():
    assert agenda_item("Review agenda (2m, Lee)") == ("Review agenda", [_p("Lee")])
    assert agenda_item("Parser update (15 min, Ann Lee)") == ("Parser update", [_p("Ann Lee")])
    assert agenda_item("Parser update - presented by Ann Lee") == ("Parser update", [_p("Ann Lee")])
    assert agenda_item("Parser update (15m)") == ("Parser update (15m)", [])  # a duration alone names nobody


def test_dated_headings_at_levels_five_and_six():
    text = "# Notes\n\n##### 2021-03-04\n\n* Parser update (Ann)\n\n##### 2021-02-18\n\n* Plan (Cy)\n"
    meetings = parse_notes(text).meetings
    assert [(m.id, [t.title for t in m.talks]) for m in meetings] == [
        ("2021-03-04", ["Parser update"]),
        ("2021-02-18", ["Plan"]),
    ]


def test_one_meeting_page_dated_by_its_front_matter():
    text = "---\ntitle: Community Meeting\ndate: 2022-11-09\nauthors: [ann]\n---\n\n### Agenda\n\n- Homepage demo\n- Roadmap\n"
    assert [(m.id, [t.title for t in m.talks]) for m in parse_notes(text, path="blog/meeting.md").meetings] == [
        ("2022-11-09", ["Homepage demo", "Roadmap"])
    ]
    titled = "---\ntitle: 2022-11-09 Community Meeting\n---\n\n### Agenda\n\n- Homepage demo\n"
    assert [m.id for m in parse_notes(titled, path="blog/index.md").meetings] == ["2022-11-09"]


def test_one_meeting_files_dated_by_paths_people_use():
    text = "### Agenda\n\n- Homepage demo\n"
    for path in ("meetings/20221109.md", "community-calls/2022/11/09.md", "meetings/Nov-09-2022.md"):
        assert [m.id for m in parse_notes(text, path=path).meetings] == ["2022-11-09"], path
    # a dated file name alone, in no folder that names meetings, is no meeting
    assert parse_notes(text, path="downloads/20221109.md").meetings == []


def test_numbered_topic_headings_under_the_agenda_are_the_talks():
    text = (
        "# Call 2022-03-29\n\n## Agenda\n\n### 1. Release status (Fay)\n\n- shipped\n- next: docs\n\n"
        "### 2. Docs sprint\n\nWe agreed to meet again.\n\n# Call 2022-04-05\n\n## Notes\n\n### 1. Not an agenda\n\ntext\n"
    )
    meetings = parse_notes(text).meetings
    assert [(m.id, [(t.title, [p.name for p in t.presenters]) for t in m.talks]) for m in meetings] == [
        ("2022-03-29", [("Release status", ["Fay"]), ("Docs sprint", [])]),
        ("2022-04-05", []),
    ]
    assert "shipped" in meetings[0].talks[0].notes


def test_bullet_glyphs_typed_as_text_are_no_part_of_the_title():
    assert agenda_item("• Parser update (Ann)") == ("Parser update", [_p("Ann")])


def test_misspelled_month_names_still_date_a_heading():
    text = "# Febraury 27th, 2019\n\n## Agenda\n\n* Roadmap\n\n# Novemeber 28th, 2018\n\nNo notes were taken\n"
    assert [m.id for m in parse_notes(text).meetings] == ["2019-02-27", "2018-11-28"]


def test_html_heading_elements_are_headings():
    text = (
        "<h2 align=\"center\">2023 Meeting Notes</h2>\n\n"
        "<h3>Dec 14, 2023 | Team call (EU-friendly)</h3>\n\n\nAgenda\n\n* Welcome\n* Release plan\n\n"
        "<h3>Nov 29, 2023 | Team call CANCELED, see you next time!</h3>\n\n"
        "<h3>Nov 16, 2023 | Team call</h3>\n\nAgenda\n\n* Roadmap\n"
    )
    meetings = parse_notes(text).meetings
    assert [(m.id, m.cancelled, [t.title for t in m.talks]) for m in meetings] == [
        ("2023-12-14", False, ["Welcome", "Release plan"]),
        ("2023-11-29", True, []),
        ("2023-11-16", False, ["Roadmap"]),
    ]


def test_attending_and_announcement_headings_at_the_meeting_level_are_its_parts():
    text = (
        "## December 12th, 2018\n\n## Attending\nAnn  \nBob\n\n### Agenda\n\n1. Review issues\n2. Open forum\n\n"
        "## Attending\nCy\n\n### May 3 2023\n\n### Announcement:\n- release soon\n\n### Agenda\n\n- Logo\n"
    )
    assert [(m.id, [t.title for t in m.talks]) for m in parse_notes(text).meetings] == [
        ("2018-12-12", ["Review issues", "Open forum"]),
        ("2023-05-03", ["Logo"]),
    ]


def test_time_slots_next_to_presenters_in_brackets():
    assert agenda_item("[Jane Roe - 30 min] Security roadmap") == ("Security roadmap", [_p("Jane Roe")])
    assert agenda_item("[Ann - 1m] Conference next week!") == ("Conference next week!", [_p("Ann")])
    assert agenda_item("[15 min] Jane Roe: Release plan") == ("Release plan", [_p("Jane Roe")])
    assert agenda_item("[15 min] Release plan") == ("Release plan", [])


def test_yearless_bullets_in_a_dated_minutes_file_name_other_days():
    text = "# Team meeting: current\n\n## Upcoming design meetings\n- Jan 13 — coherence\n- Jan 20 — unwinding\n"
    assert [m.id for m in parse_notes(text, path="minutes/2020-01-09.md").meetings] == ["2020-01-09"]
    # a log of dated bullets with years stays a log
    log = "# Meetings\n\n- 2020-01-13 coherence\n- 2020-01-20 unwinding\n"
    assert [m.id for m in parse_notes(log, path="minutes/2020-01-09.md").meetings] == ["2020-01-13", "2020-01-20"]


def test_an_agenda_kept_as_an_html_table():
    text = (
        "# Minutes 2024-09-30\n\n## Agenda\n\n"
        "<table><thead><tr><th>Discussion Points</th><th>Notes</th></tr></thead><tbody>"
        "<tr><td>Introduction &#x26; Quorum</td><td>Quorum achieved</td></tr>"
        "<tr><td>Chair nominations</td><td><ul><li>open until Wednesday</li></ul></td></tr></tbody></table>\n"
    )
    assert talks(text) == [("Introduction & Quorum", []), ("Chair nominations", [])]


def test_qualified_agenda_item_headings_and_their_placeholders():
    text = (
        "## June 28 2023\n\n### Actionable Agenda Items:\n- _add your items_\n- [fix: token refresh](https://x.test/pr/1)\n\n"
        "### Presentation/Discussion Agenda Items:\n- [Yi/Sue] New milestones\n\n### Notes:\nrecording: https://youtu.be/BWfMmf_8_54\n"
    )
    (m,) = parse_notes(text).meetings
    assert [(t.title, [p.name for p in t.presenters]) for t in m.talks] == [
        ("fix: token refresh", []),
        ("New milestones", ["Yi", "Sue"]),
    ]
    assert m.video_ids == ["BWfMmf_8_54"]


def test_a_dash_or_an_invitation_in_a_topic_cell_is_no_talk():
    text = (
        "| Date | Meeting Type | Topic |\n|---|---|---|\n| 2023-10-05 | Sprint Planning | – |\n"
        "| 2023-03-23 | Open Discussion | Add your topics to [this doc](https://x.test/d) |\n"
        "| 2023-03-16 | Deep Dive | Async vision update |\n"
    )
    assert [(m.id, [t.title for t in m.talks]) for m in parse_notes(text).meetings] == [
        ("2023-10-05", []), ("2023-03-23", []), ("2023-03-16", ["Async vision update"]),
    ]


def test_a_column_named_for_what_is_read_holds_the_talk():
    text = (
        "| Reading Club Document | Date and notes link |\n| --- | --- |\n"
        "| [Async cancellation 1](https://x.test/a) | 2022-03-07 |\n"
    )
    assert [(m.id, [t.title for t in m.talks]) for m in parse_notes(text).meetings] == [
        ("2022-03-07", ["Async cancellation 1"])
    ]


def test_dated_link_bullets_that_name_the_meeting_kind_have_no_talks():
    text = (
        "# WG Meetings\n\n## 2021\n\n* [29 April 2021 TeleConf](https://x.test/29-minutes.html)\n"
        "* [8 April 2021 CJK Meeting](https://x.test/cjk) ([minutes](https://x.test/08-minutes.html))\n"
        "* 1 April 2021: Packaging proposal\n"
    )
    assert [(m.id, [t.title for t in m.talks]) for m in parse_notes(text).meetings] == [
        ("2021-04-29", []), ("2021-04-08", []), ("2021-04-01", ["Packaging proposal"]),
    ]


def test_a_leading_rule_is_no_front_matter():
    text = "---\n\n**Team Meeting Agenda**\n\n**Date:** June 11, 2025\n\n---\n\n### 1. **Welcome** (5 minutes)\n"
    assert [m.id for m in parse_notes(text, path="meetings/meeting_6_11_25.md").meetings] == ["2025-06-11"]
    # real front matter still hides its lines
    fm = "---\ntitle: Notes\nupdated: 2019-01-02\n---\n\n# Team call\n"
    assert parse_notes(fm, path="docs/notes.md").meetings == []

