"""Shapes real channels and notes take (issue 10): title dates in any order,
conference talks and premieres on meeting days, streams scheduled early, parts
and second sessions; talk moments from chapters aligned as sequences and from
offsets written in the notes."""

import pytest
import sqlite_utils

from indexer.sync import matching as matchdb
from indexer.match.matcher import align_chapters, candidate_dates, match, match_meetings, match_talks
from tests.test_match import D, links_of, meeting, video

# ---------------------------------------------------------------- title dates


@pytest.mark.parametrize("title, published, want", [
    ("Community Meeting 20200206", "2020-02-07T10:00:00Z", D(2020, 2, 6)),
    ("Stammtisch #47 - 05.03.2020", "2020-03-06T10:00:00Z", D(2020, 3, 5)),       # day first
    ("Open Meeting 06-02-2022: IRDL", "2022-06-03T10:00:00Z", D(2022, 6, 2)),      # US order
    ("Open Meeting 06-02-2022: IRDL", "2022-02-07T10:00:00Z", D(2022, 2, 6)),      # day first
    ("Open Meeting 03-17-2022: Interfaces", "2022-03-18T10:00:00Z", D(2022, 3, 17)),  # only one reading
    ("Sync [2021-10-7]", "2021-10-08T10:00:00Z", D(2021, 10, 7)),
])
def test_numeric_title_dates_take_the_reading_near_the_publication(title, published, want):
    written = candidate_dates(video("v", title, published), "UTC")["written"]
    assert written[0] == want and written[1] == "title"


def test_numbers_that_are_not_dates_are_not_read_as_dates():
    for title in ("Release 12345678", "Version 1.2.3", "Meeting #103"):
        assert "written" not in candidate_dates(video("v", title, "2021-01-01T10:00:00Z"), "UTC")


# ---------------------------------------------------------------- recordings

SERIES = [meeting(D(2021, 3, d), [(f"Topic {w}", ["Ann"], "X")]) for d, w in
          ((5, "alpha"), (12, "bravo"), (19, "charlie"), (26, "delta"))]


def _channel(extra=()):
    """An hour-long recording of every meeting, titled by the series, plus ``extra``."""
    earlier = [video(f"feb{d:02d}", f"Project Community Call {d:02d}.02.2021", f"2021-02-{d:02d}T18:00:00Z")
               for d in (5, 12, 19)]
    return earlier + [video(f"rec{d:02d}", f"Project Community Call {d:02d}.03.2021", f"2021-03-{d:02d}T18:00:00Z")
                      for d in (5, 12, 19)] + list(extra)


def test_stream_scheduled_days_ahead_counts_its_actual_start():
    stream = video("live26", "Project Community Call", "2021-03-17T09:00:00Z",
                   recorded="2021-03-26T14:02:00Z", live="completed")
    out = match_meetings(SERIES, _channel([stream]), tz="UTC")
    assert ("2021-03-26", "live26") in links_of(out)
    reason = next(r["reason"] for r in out if r["ref"] == "live26")
    assert "published" not in reason  # nine days early says nothing about the day


def test_a_premiere_minutes_long_before_the_meeting_is_not_its_recording():
    premiere = video("prem", "Topic delta, explained", "2021-03-24T10:00:00Z", duration=555,
                     recorded="2021-03-26T13:00:00Z", live="completed")
    late = video("rec26", "Project Community Call #4", "2021-03-28T10:00:00Z")
    out = match_meetings(SERIES, _channel([premiere, late]), tz="UTC")
    assert ("2021-03-26", "rec26") in links_of(out)
    assert "prem" not in {r["ref"] for r in out}


@pytest.mark.parametrize("title", ["ROSCon 2021: Topic delta", "Ann - Topic delta (Project Day 2021)",
                                   "2021 LLVM Dev Mtg: Topic delta", "EuroConf 2021: Topic delta"])
def test_conference_talks_on_a_meeting_day_are_not_recordings(title):
    talk = video("conf", title, "2021-03-26T20:00:00Z", duration=1800)
    out = match_meetings(SERIES, _channel([talk]), tz="UTC")
    assert "conf" not in {r["ref"] for r in out}


def test_a_year_not_updated_in_january_still_names_the_meeting():
    jan = [meeting(D(2021, 1, 8)), meeting(D(2020, 1, 10))]
    v = video("y", "Community Call #103 [2020-01-08]", "2021-01-09T10:00:00Z")
    assert links_of(match_meetings(jan, [v], tz="UTC")) == {("2021-01-08", "y")}


def test_a_title_date_after_the_video_was_out_is_a_slip():
    feb = [meeting(D(2024, 2, 15), [("OpenMP GPU target offload", ["A"], None)])]
    v = video("w", "Open Meeting 02-22-2024: OpenMP GPU target offload", "2024-02-16T10:00:00Z")
    assert links_of(match_meetings(feb, [v], tz="UTC")) == {("2024-02-15", "w")}


def test_a_one_talk_meeting_recording_titled_by_its_talk():
    one = [meeting(D(2023, 1, 26), [("Controllable Transformations", [], None)])]
    rec = video("t", "Controllable Transformations", "2023-01-30T10:00:00Z", description="Open design meeting.")
    elsewhere = video("e", "Controllable Transformations (Acme)", "2023-01-26T20:00:00Z",
                      description="Ann from Acme presents Controllable Transformations.")
    assert links_of(match_meetings(one, [rec], tz="UTC")) == {("2023-01-26", "t")}
    # the same talk given elsewhere, with nothing of the series about it
    assert links_of(match_meetings(one, [elsewhere], tz="UTC")) == set()


def test_second_session_a_week_later_joins_the_first():
    june = [meeting(D(2023, 6, 8), [("Update on Numba", [], None)]), meeting(D(2023, 6, 22))]
    first = video("s1", "Open Meeting 06-08-2023: Update on Numba", "2023-06-08T19:00:00Z")
    second = video("s2", "Open Meeting 06-15-2023: Update on Numba (part 2)", "2023-06-15T19:00:00Z")
    out = match_meetings(june, [first, second], tz="UTC")
    assert links_of(out) == {("2023-06-08", "s1"), ("2023-06-08", "s2")}
    assert next(r for r in out if r["ref"] == "s2")["kind"] == "part2"


# ---------------------------------------------------------------- talk moments


def test_alignment_keeps_order_and_skips():
    # talk 1 matches chapters 1 and 3 equally; the order decides for chapter 1 since
    # talk 2 needs chapter 2... and talk 3 is skipped
    scores = [[0, 90, 0, 90],
              [0, 0, 95, 0],
              [0, 0, 0, 0],
              [0, 70, 0, 80]]
    assert align_chapters(scores) == {0: 1, 1: 2, 3: 3}
    assert align_chapters([]) == {}
    assert align_chapters([[10, 20]]) == {}


def test_chapters_align_as_a_sequence_not_pair_by_pair():
    # two talks on one topic: each chapter could name either; the order settles it
    m = meeting(D(2021, 5, 4), [("Introducing GPU scheduling", ["Wei"], None),
                                ("Update on GPU scheduling", ["Ann"], None)])
    v = video("g", "Community Call 2021-05-04", "2021-05-04T20:00:00Z",
              chapters=[(0, "Welcome"), (72, "GPU scheduling intro"), (972, "GPU scheduling: an update"),
                        (1800, "Q&A")])
    moments = {t["talk_id"]: (t["start_s"], t["method"]) for t in match([m], [v], tz="UTC")["talk_recordings"]}
    assert moments == {"2021-05-04/1": (72, "chapter"), "2021-05-04/2": (972, "chapter")}


def test_a_chapter_out_of_order_still_places_a_talk_it_names_clearly():
    m = meeting(D(2021, 5, 4), [("Berlin updates", [], None), ("London updates", [], None),
                                ("Merge proposals", [], None)])
    v = video("o", "Community Call 2021-05-04", "2021-05-04T20:00:00Z",
              chapters=[(0, "Intro"), (100, "London updates"), (900, "Berlin updates"), (1500, "Merge proposals")])
    moments = {t["talk_id"]: t["start_s"] for t in match([m], [v], tz="UTC")["talk_recordings"]}
    assert moments == {"2021-05-04/1": 900, "2021-05-04/2": 100, "2021-05-04/3": 1500}


def test_offsets_written_in_the_notes_come_before_chapters():
    m = meeting(D(2021, 5, 4), [("Berlin updates", [], None), ("London updates", [], None)])
    m["talks"][0]["noted_start_s"] = 331            # "[5:31]" on the talk's line: the meeting's recording
    m["talks"][1].update(noted_start_s=40, noted_video_id="other000001")
    v = video("n", "Community Call 2021-05-04", "2021-05-04T20:00:00Z",
              chapters=[(0, "Intro"), (100, "Berlin updates"), (900, "London updates")])
    other = video("other000001", "Ann on London updates", "2021-05-01T20:00:00Z")
    links = {t["talk_id"]: t for t in match([m], [v, other], tz="UTC")["talk_recordings"]}
    assert (links["2021-05-04/1"]["video_id"], links["2021-05-04/1"]["start_s"],
            links["2021-05-04/1"]["method"]) == ("n", 331, "notes_offset")
    assert (links["2021-05-04/2"]["video_id"], links["2021-05-04/2"]["start_s"]) == ("other000001", 40)


def test_talk_without_chapters_starts_the_part_that_names_it():
    m = meeting(D(2021, 7, 28), [("Container Orchestration Security", ["Rory McCune"], None),
                                 ("Malware Analysis to Drive Threat Hunting", ["Kyle Cucci"], None)],
                links=["part1video1", "part2video2"])
    p1 = video("part1video1", "Meetup #49 (Part 1): Rory McCune - Container Orchestration Security",
               "2021-07-29T14:00:00Z", duration=7900)
    p2 = video("part2video2", "Meetup #49 (Part 2): Kyle Cucci - Malware Analysis to Drive Threat Hunting",
               "2021-07-29T15:00:00Z", duration=1150)
    links = {t["talk_id"]: (t["video_id"], t["start_s"]) for t in match([m], [p1, p2], tz="UTC")["talk_recordings"]}
    assert links == {"2021-07-28/1": ("part1video1", 0), "2021-07-28/2": ("part2video2", 0)}


def test_match_talks_takes_transcripts_without_needing_them():
    m = meeting(D(2021, 5, 4), [("Berlin updates", [], None)])
    v = video("n", "Community Call 2021-05-04", "2021-05-04T20:00:00Z")
    recs = match_meetings([m], [v], tz="UTC")
    assert match_talks([m], [v], recs, transcripts={}) == match_talks([m], [v], recs)


# ---------------------------------------------------------------- database input


def _talks_db(path, with_offsets):
    db = sqlite_utils.Database(path)
    db["meetings"].insert({"id": "2021-05-04", "date": "2021-05-04", "title": "x", "cancelled": 0}, pk="id")
    cols = {"id": "2021-05-04/berlin", "meeting_id": "2021-05-04", "position": 0, "title": "Berlin", "line": 3}
    if with_offsets:
        cols.update(noted_start_s=331, noted_video_id=None)
    db["talks"].insert(cols, pk="id")
    db["talk_presenters"].create({"talk_id": str, "person_id": str, "organization_id": str, "position": int})
    db["people"].create({"id": str, "name": str}, pk="id")
    db["organizations"].create({"id": str, "name": str}, pk="id")
    db["meeting_links"].create({"meeting_id": str, "kind": str, "ref": str, "start_s": int, "line": int})
    return db


@pytest.mark.parametrize("with_offsets", [True, False])
def test_load_input_reads_noted_offsets_when_the_columns_exist(tmp_path, with_offsets):
    meetings, _ = matchdb.load_input(_talks_db(tmp_path / "x.db", with_offsets))
    [talk] = meetings[0]["talks"]
    assert talk["noted_start_s"] == (331 if with_offsets else None)
    assert talk["noted_video_id"] is None


def test_two_agenda_items_with_a_video_each():
    # one date, two talks, each recorded and titled on its own
    day = [meeting(D(2022, 1, 27), [("Anatomy of Linalg.generic", [], None), ("PyTACO sparse tensors", [], None)])]
    a = video("talkvideo01", "Anatomy of Linalg.generic", "2022-01-27T21:00:00Z", description="Open design meeting.",
              duration=2880)
    b = video("talkvideo02", "Open Meeting 01-27-2022: PyTACO sparse tensors", "2022-01-27T22:00:00Z", duration=3300)
    out = match(day, [a, b], tz="UTC")
    assert links_of(out["recordings"]) == {("2022-01-27", "talkvideo01"), ("2022-01-27", "talkvideo02")}
    assert {r["kind"] for r in out["recordings"]} == {"video"}
    starts = {t["talk_id"]: t["video_id"] for t in out["talk_recordings"]}
    assert starts == {"2022-01-27/1": "talkvideo01", "2022-01-27/2": "talkvideo02"}


def test_a_title_date_copied_from_the_previous_meeting():
    two = [meeting(D(2020, 1, 24)), meeting(D(2020, 2, 7))]
    prev = video("prev0000001", "Core Devs Meeting #79 [2020-01-24]", "2020-01-24T18:00:00Z", duration=5000)
    copied = video("copied00001", "Core Devs Meeting #80 [2020-01-24]", "2020-02-08T18:00:00Z", duration=5100)
    out = match_meetings(two, [prev, copied], tz="UTC")
    assert links_of(out) == {("2020-01-24", "prev0000001"), ("2020-02-07", "copied00001")}
    assert "another meeting's" in next(r for r in out if r["ref"] == "copied00001")["reason"]
    # alone, the date it names has no other recording: not read as a copy
    assert links_of(match_meetings(two, [copied], tz="UTC")) <= {("2020-01-24", "copied00001")}


def test_a_video_the_notes_list_outside_meetings_links_only_by_its_own_date():
    day = [meeting(D(2020, 10, 29), [("Sparse tensors", [], None)])]
    tutorial = video("tutorial001", "Developers Meeting: Sparse tensors tutorial", "2020-10-29T18:00:00Z")
    assert links_of(match_meetings(day, [tutorial], tz="UTC")) == {("2020-10-29", "tutorial001")}
    assert links_of(match_meetings(day, [{**tutorial, "linked_elsewhere": True}], tz="UTC")) == set()
    dated = {**tutorial, "title": "Community Meeting 2020-10-29", "linked_elsewhere": True}
    assert links_of(match_meetings(day, [dated], tz="UTC")) == {("2020-10-29", "tutorial001")}


def test_load_input_marks_videos_linked_outside_every_meeting(tmp_path, save_videos, video_resource):
    notes = tmp_path / "notes.md"
    notes.write_text("# Talks\n\n## Tutorials\n\n* [MLIR tutorial](https://www.youtube.com/watch?v=tutorial001)\n\n"
                     "## 2020-10-29\n\n* [recording](https://youtu.be/meetingrec1)\n")
    db = _talks_db(tmp_path / "x.db", False)
    db["notes_files"].insert({"path": str(notes)}, pk="path")
    db["meeting_links"].insert({"meeting_id": "2021-05-04", "kind": "youtube", "ref": "meetingrec1", "start_s": None,
                                "line": 7})
    save_videos(db, [video_resource(vid, title, "2020-10-29T18:00:00Z", duration_s=3000)
                     for vid, title in (("tutorial001", "Tutorial"), ("meetingrec1", "Meeting"))])
    _, candidates = matchdb.load_input(db)
    flags = {c["id"]: c.get("linked_elsewhere", False) for c in candidates}
    assert flags == {"tutorial001": True, "meetingrec1": False}
    notes.unlink()  # a notes file that moved: nothing is marked, nothing fails
    _, candidates = matchdb.load_input(db)
    assert not any(c.get("linked_elsewhere") for c in candidates)


def test_a_premiere_on_the_meeting_day_loses_to_the_late_upload_titled_like_the_series():
    # twenty minutes beside hour-long meetings, on the agenda's topic, streamed an hour before
    premiere = video("prem", "Topic delta, explained", "2021-03-24T10:00:00Z", duration=1200,
                     recorded="2021-03-26T13:00:00Z", live="completed", description="Premiere: what changes.")
    late = video("rec26", "Project Community Call #4", "2021-03-28T10:00:00Z")
    out = match_meetings(SERIES, _channel([premiere, late]), tz="UTC")
    assert ("2021-03-26", "rec26") in links_of(out)
    assert "prem" not in {r["ref"] for r in out}
