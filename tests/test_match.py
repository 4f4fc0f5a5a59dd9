"""The pure matcher on labelled cases: each kind of evidence and each trap."""
import datetime as dt

import pytest

from indexer.match.matcher import candidate_dates, match, match_meetings, meetings_from_notes
from indexer.common.recording_files import zoom_time
from indexer.notes import parse_notes

D = dt.date


def meeting(day, talks=(), links=(), cancelled=False):
    mid = day.isoformat()
    return {
        "id": mid, "date": day, "title": mid, "cancelled": cancelled,
        "links": [{"kind": "youtube", "ref": ref, "start_s": None} for ref in links],
        "talks": [
            {"id": f"{mid}/{i}", "title": title,
             "presenters": [{"name": name, "org": org} for name in names]}
            for i, (title, names, org) in enumerate(talks, 1)
        ],
    }


def video(vid, title, published, description="", recorded=None, chapters=(), duration=3600, live="none"):
    return {
        "source": "youtube", "id": vid, "title": title, "description": description,
        "recorded_at": recorded, "published_at": published, "name_date": None,
        "chapters": [{"start_s": s, "end_s": None, "title": t} for s, t in chapters],
        "duration_s": duration, "live_status": live, "path": None,
    }


def drive_file(fid, name, duration=3700):
    return {
        "source": "drive", "id": fid, "title": name, "description": "", "recorded_at": None,
        "published_at": None, "name_date": None, "chapters": [], "duration_s": duration,
        "live_status": None, "path": f"Video Archives/2021/{name}",
    }


def links_of(result):
    return {(r["meeting_id"], r["ref"]) for r in result}


# weekly Tuesday meetings with distinct agendas
FEB2 = meeting(D(2021, 2, 2), [("Dynamic workflows deep dive", ["Haytham"], "Union")])
FEB9 = meeting(D(2021, 2, 9), [("Flyte Egress Events", ["Nian"], "Spotify"),
                               ("Bazel builds at Lyft L5", ["Miguel"], "Lyft L5")])
FEB16 = meeting(D(2021, 2, 16), [("Pandera validation plugin", ["Niels"], "Union"),
                                 ("GPU scheduling on EKS", ["Wei"], "Gojek")])
FEB23 = meeting(D(2021, 2, 23), [("Release process", ["Ketan"], "OSC")])
WEEKS = [FEB2, FEB9, FEB16, FEB23]


# ---------------------------------------------------------------- the seed

def seed_meetings(seed_text):
    return meetings_from_notes(parse_notes(seed_text))


def test_seed_links_by_explicit_link_and_talks_to_chapters(seed_text):
    meetings = seed_meetings(seed_text)
    # no date, no text: only the notes' link can tie it to the meeting
    sample = video("iHBUxzSC9XE", "Flyte OSS", "2021-03-30T18:00:00Z", chapters=[
        (0, "Intro"), (95, "Flyte Egress Events - Nian (Spotify)"),
        (1310, "Flyte at Lyft L5 with Bazel"), (2480, "Planning (Ketan)")])
    out = match(meetings, [sample])
    [rec] = out["recordings"]
    assert (rec["meeting_id"], rec["ref"], rec["method"], rec["confidence"]) == (
        "2021-02-09", "iHBUxzSC9XE", "link", 1.0)
    assert "notes" in rec["reason"]
    moments = {t["talk_id"]: (t["start_s"], t["method"], t["url"]) for t in out["talk_recordings"]}
    assert moments == {
        "2021-02-09/flyte-egress-events": (95, "chapter", "https://www.youtube.com/watch?v=iHBUxzSC9XE&t=95s"),
        "2021-02-09/flyte-at-lyft-l5-autonomous-cars-using-bazel":
            (1310, "chapter", "https://www.youtube.com/watch?v=iHBUxzSC9XE&t=1310s"),
        "2021-02-09/planning": (2480, "chapter", "https://www.youtube.com/watch?v=iHBUxzSC9XE&t=2480s"),
    }


def test_seed_without_chapters_links_talks_to_the_start(seed_text):
    out = match(seed_meetings(seed_text), [video("iHBUxzSC9XE", "x", "2021-02-10T01:00:00Z")])
    assert {t["method"] for t in out["talk_recordings"]} == {"meeting"}
    assert {t["url"] for t in out["talk_recordings"]} == {"https://www.youtube.com/watch?v=iHBUxzSC9XE"}
    assert {t["start_s"] for t in out["talk_recordings"]} == {0}


# ---------------------------------------------------------------- evidence

def test_title_date_and_publication_explained():
    out = match_meetings(WEEKS, [video("v1", "Flyte Community Sync - Feb 9, 2021", "2021-02-10T19:00:00Z")])
    [rec] = out
    assert rec["meeting_id"] == "2021-02-09" and rec["method"] == "date" and rec["kind"] == "video"
    assert "title contains 'Feb 9, 2021'" in rec["reason"]
    assert "published 2021-02-10, one day after the meeting" in rec["reason"]
    assert 0.8 < rec["confidence"] <= 1


def test_recorded_at_beats_a_scheduled_publication_date():
    # a stream scheduled (published) four days ahead; actualStartTime is the truth
    v = video("live1", "Community call", "2021-02-12T18:00:00Z", recorded="2021-02-16T17:01:00Z", live="completed")
    [rec] = match_meetings(WEEKS, [v])
    assert rec["meeting_id"] == "2021-02-16"
    assert "recorded 2021-02-16 09:01 local" in rec["reason"]


def test_text_alone_names_the_meeting():
    # no "meeting" and no date in the title: two agenda items named in the description
    v = video("t1", "Pandera and GPUs", "2021-02-17T18:00:00Z",
              description="Niels (Union) on the pandera validation plugin, then Wei on GPU scheduling on EKS.")
    [rec] = match_meetings(WEEKS, [v])
    assert rec["meeting_id"] == "2021-02-16"
    assert "mentions 'Pandera validation plugin', 'GPU scheduling on EKS'" in rec["reason"]


def test_dates_are_local_days_not_utc_days():
    # 17:00 Pacific on Feb 9 is Feb 10 in UTC
    v = video("eve", "Evening sync", "2021-02-10T01:30:00Z", recorded="2021-02-10T01:00:00Z")
    assert candidate_dates(v)["recorded"][0] == D(2021, 2, 9)
    assert candidate_dates(v, "UTC")["recorded"][0] == D(2021, 2, 10)
    [rec] = match_meetings([FEB9, meeting(D(2021, 2, 10), [("Other", ["X"], "Y")])], [v])
    assert rec["meeting_id"] == "2021-02-09"


def test_meeting_far_from_utc():
    # Tokyo, 08:00 on Wednesday Feb 10 = 23:00 UTC on Tuesday Feb 9
    tokyo = [meeting(D(2021, 2, 3), [("Kickoff", ["Aiko"], "LINE")]),
             meeting(D(2021, 2, 10), [("Feature store", ["Kenji"], "Mercari")])]
    v = video("jst", "Flyte Japan meetup", "2021-02-10T03:00:00Z", recorded="2021-02-09T23:00:00Z")
    [rec] = match_meetings(tokyo, [v], tz="Asia/Tokyo")
    assert rec["meeting_id"] == "2021-02-10"
    assert "recorded 2021-02-10 08:00 local" in rec["reason"]
    # the same data read in UTC is a day off: weaker, never better
    utc = match_meetings(tokyo, [v], tz="UTC")
    assert all(r["confidence"] < rec["confidence"] for r in utc)


# ---------------------------------------------------------------- traps

def test_upload_three_days_late():
    v = video("late", "Flyte Community Sync", "2021-02-12T20:00:00Z")
    [rec] = match_meetings(WEEKS, [v])
    assert rec["meeting_id"] == "2021-02-09"
    assert "published 2021-02-12, three days after the meeting" in rec["reason"]


def test_two_meetings_in_one_week():
    thu = meeting(D(2021, 2, 11), [("Roadmap planning", ["Ketan"], "OSC")])
    meetings = [FEB2, FEB9, thu, FEB16]
    tue_video = video("tue", "Community meeting", "2021-02-12T18:00:00Z", duration=3100,
                      description="Agenda: Flyte egress events (Nian, Spotify); Bazel builds at Lyft L5")
    thu_video = video("thu", "Community meeting", "2021-02-11T22:00:00Z", duration=2500)
    out = match_meetings(meetings, [tue_video, thu_video])
    assert links_of(out) == {("2021-02-09", "tue"), ("2021-02-11", "thu")}


def test_meeting_without_recording_stays_empty():
    vids = [video("a", "Community Sync Feb 9, 2021", "2021-02-10T18:00:00Z"),
            video("c", "Community Sync Feb 23, 2021", "2021-02-23T22:00:00Z")]
    out = match_meetings(WEEKS, vids)
    assert links_of(out) == {("2021-02-09", "a"), ("2021-02-23", "c")}
    assert not [r for r in out if r["meeting_id"] == "2021-02-16"]


def test_cancelled_meeting_gets_no_recording():
    cancelled = meeting(D(2021, 2, 16), cancelled=True)
    vids = [video("x", "Community Sync Feb 9, 2021", "2021-02-16T22:00:00Z"),
            video("y", "Community Sync", "2021-02-16T23:00:00Z", duration=2900)]
    # uploaded on the cancelled day: the dated one is Feb 9's, the other is nobody's
    assert links_of(match_meetings([FEB9, cancelled], vids)) == {("2021-02-09", "x")}


def test_reupload_of_the_same_meeting():
    first = video("orig", "Community Sync - Feb 9, 2021", "2021-02-10T18:00:00Z", duration=3725)
    again = video("again", "Community Sync - Feb 9, 2021 (re-upload)", "2021-03-24T18:00:00Z", duration=3725)
    out = match_meetings(WEEKS, [first, again])
    assert {(r["meeting_id"], r["ref"], r["kind"]) for r in out} == {
        ("2021-02-09", "orig", "video"), ("2021-02-09", "again", "reupload")}


def test_late_reupload_without_date_found_by_title_and_length():
    first = video("orig", "Flyte Community Sync", "2021-02-10T18:00:00Z", duration=3725)
    again = video("again", "Flyte Community Sync [fixed audio]", "2021-05-04T18:00:00Z", duration=3726)
    other = video("other", "Flyte Community Sync", "2021-02-17T18:00:00Z", duration=3300)
    out = match_meetings(WEEKS, [first, again, other])
    assert ("2021-02-16", "other") in links_of(out)
    [dup] = [r for r in out if r["ref"] == "again"]
    assert (dup["meeting_id"], dup["kind"], dup["method"]) == ("2021-02-09", "reupload", "duplicate")


def test_parts_one_and_two():
    p1 = video("p1", "Community Sync Feb 9, 2021 (Part 1)", "2021-02-10T18:00:00Z", duration=1800)
    p2 = video("p2", "Community Sync Feb 9, 2021 (Part 2)", "2021-02-10T18:05:00Z", duration=1500)
    out = match_meetings(WEEKS, [p1, p2])
    assert {(r["meeting_id"], r["ref"], r["kind"]) for r in out} == {
        ("2021-02-09", "p1", "part1"), ("2021-02-09", "p2", "part2")}


def test_zoom_only_meeting_read_in_gmt():
    assert zoom_time("GMT20210209-170012_Recording_1920x1080.mp4") == dt.datetime(
        2021, 2, 9, 17, 0, 12, tzinfo=dt.timezone.utc)
    f = drive_file("1zoomfile", "GMT20210209-170012_Recording_1920x1080.mp4")
    [rec] = match_meetings(WEEKS, [f])
    assert (rec["meeting_id"], rec["source"], rec["kind"]) == ("2021-02-09", "drive", "zoom")
    assert "2021-02-09 17:00 UTC (2021-02-09 09:00 local)" in rec["reason"]
    # an evening meeting: the UTC day of the name is the next day
    evening = drive_file("1evening", "GMT20210217-013000_Recording.mp4")
    [rec] = match_meetings(WEEKS, [evening])
    assert rec["meeting_id"] == "2021-02-16"


def test_youtube_upload_and_raw_zoom_file_both_kept():
    out = match_meetings(WEEKS, [video("yt", "Community Sync Feb 9, 2021", "2021-02-10T18:00:00Z"),
                                 drive_file("1zoom", "GMT20210209-170012_Recording_1920x1080.mp4")])
    assert {(r["source"], r["kind"]) for r in out if r["meeting_id"] == "2021-02-09"} == {
        ("youtube", "video"), ("drive", "zoom")}


def test_conference_talk_and_short_on_a_meeting_day_stay_unlinked():
    vids = [
        video("kc", "Flyte Egress Events | KubeCon EU 2021", "2021-02-09T20:00:00Z", duration=1700,
              description="Nian from Spotify presents Flyte Egress Events."),
        video("same", "Flyte Egress Events (Spotify)", "2021-02-09T21:00:00Z", duration=1500,
              description="Nian from Spotify presents Flyte Egress Events."),
        video("short", "Egress in 60 seconds #shorts", "2021-02-09T22:00:00Z", duration=45),
        video("demo", "Demo: map tasks", "2021-02-09T23:00:00Z", duration=400),
        video("meet", "Community Sync Feb 9, 2021", "2021-02-10T18:00:00Z"),
    ]
    assert links_of(match_meetings(WEEKS, vids)) == {("2021-02-09", "meet")}


def test_title_with_a_wrong_date():
    right = video("r", "Community Sync Feb 9, 2021", "2021-02-10T18:00:00Z", duration=3600)
    # copy-pasted title of the week before; the chapters and the upload say Feb 16
    wrong = video("w", "Community Sync Feb 9, 2021", "2021-02-17T18:00:00Z", duration=3100,
                  chapters=[(0, "Intro"), (120, "Pandera validation - Niels"), (1500, "GPU scheduling on EKS")])
    out = match_meetings(WEEKS, [right, wrong])
    assert links_of(out) == {("2021-02-09", "r"), ("2021-02-16", "w")}
    [w] = [r for r in out if r["ref"] == "w"]
    assert "title says 'Feb 9, 2021', which does not match" in w["reason"]


def test_a_recording_is_not_claimed_by_two_meetings():
    # Mon and Tue meetings, one untitled upload on Wednesday: one link at most, flagged
    mon = meeting(D(2021, 2, 8), [("Alpha", ["A"], "X")])
    tue = meeting(D(2021, 2, 9), [("Beta", ["B"], "Y")])
    out = match_meetings([mon, tue], [video("v", "Community meeting", "2021-02-10T18:00:00Z")])
    assert len(out) <= 1
    assert all(r["ambiguous"] or r["confidence"] < 0.5 for r in out)


def test_notes_may_link_one_recording_to_two_meetings():
    a = meeting(D(2021, 2, 9), links=["shared00001"])
    b = meeting(D(2021, 2, 10), links=["shared00001"])
    out = match_meetings([a, b], [video("shared00001", "Two day summit", "2021-02-11T00:00:00Z")])
    assert links_of(out) == {("2021-02-09", "shared00001"), ("2021-02-10", "shared00001")}
    assert {r["method"] for r in out} == {"link"}


# ---------------------------------------------------------------- talk moments

def test_talk_moments_by_title_or_presenter_with_fallback():
    v = video("m", "Community Sync Feb 16, 2021", "2021-02-17T18:00:00Z",
              chapters=[(0, "Welcome"), (75, "Niels from Union"), (1500, "Community updates")])
    out = match(WEEKS, [v])
    moments = {t["talk_id"]: t for t in out["talk_recordings"]}
    pandera, gpu = moments["2021-02-16/1"], moments["2021-02-16/2"]
    assert (pandera["start_s"], pandera["method"]) == (75, "chapter")
    assert pandera["url"] == "https://www.youtube.com/watch?v=m&t=75s"
    assert "chapter 'Niels from Union' at 1:15" in pandera["reason"]
    assert (gpu["start_s"], gpu["method"], gpu["url"]) == (0, "meeting", "https://www.youtube.com/watch?v=m")
    # no recording, no moment
    assert not [t for t in out["talk_recordings"] if t["talk_id"].startswith("2021-02-23")]


def test_talk_in_part_two():
    p1 = video("p1", "Community Sync Feb 9, 2021 (Part 1)", "2021-02-10T18:00:00Z", duration=1800,
               chapters=[(0, "Intro"), (60, "Flyte Egress Events"), (1200, "Questions")])
    p2 = video("p2", "Community Sync Feb 9, 2021 (Part 2)", "2021-02-10T18:05:00Z", duration=1500,
               chapters=[(0, "Recap"), (30, "Bazel at L5 - Miguel"), (900, "Wrap up")])
    moments = {t["talk_id"]: (t["video_id"], t["start_s"]) for t in match(WEEKS, [p1, p2])["talk_recordings"]}
    assert moments["2021-02-09/1"] == ("p1", 60)
    assert moments["2021-02-09/2"] == ("p2", 30)


@pytest.mark.parametrize("tz", ["America/Los_Angeles", "Europe/Berlin", "Asia/Kolkata"])
def test_zoom_names_follow_the_time_zone(tz):
    # 09:00 local on the meeting day, written in UTC by Zoom
    from zoneinfo import ZoneInfo
    start = dt.datetime(2021, 2, 9, 9, 0, tzinfo=ZoneInfo(tz)).astimezone(dt.timezone.utc)
    f = drive_file("1z", f"GMT{start:%Y%m%d-%H%M%S}_Recording.mp4")
    [rec] = match_meetings(WEEKS, [f], tz=tz)
    assert rec["meeting_id"] == "2021-02-09"


def test_timestamped_link_on_the_agenda_line_sets_the_moment():
    notes = parse_notes(
        "# N\n\n## Feb 9, 2021\n\n### Agenda:\n"
        "* Flyte Egress Events [Nian - Spotify] [video](https://youtu.be/iHBUxzSC9XE?t=754)\n"
        "* Planning [Ketan - OSC]\n"
    )
    meetings = meetings_from_notes(notes)
    out = match(meetings, [video("iHBUxzSC9XE", "Sync", "2021-02-10T01:00:00Z")])
    moments = {t["talk_id"].split("/")[1][:6]: t for t in out["talk_recordings"]}
    egress = next(t for k, t in moments.items() if k.startswith("flyte"))
    assert (egress["start_s"], egress["method"]) == (754, "link")
    assert egress["url"] == "https://www.youtube.com/watch?v=iHBUxzSC9XE&t=754s"
    planning = moments["planni"]
    assert (planning["start_s"], planning["method"]) == (0, "meeting")


def test_undated_episode_of_another_series_stays_unlinked():
    # "Office Hours" runs on Thursdays; its dated episodes never fall on a meeting day
    hours = [video(f"oh{i}", f"Flyte Office Hours - {day}", f"2021-02-{day[4:6]}T20:00:00Z")
             for i, day in enumerate(["Feb 04, 2021", "Feb 11, 2021", "Feb 18, 2021"])]
    undated = video("ohx", "Flyte Office Hours", "2021-02-25T20:00:00Z")  # two days after Feb 23
    out = match_meetings(WEEKS, hours + [undated])
    assert links_of(out) == set()
    # without the series' history the same upload reads as Feb 23's late recording
    assert links_of(match_meetings(WEEKS, [undated])) == {("2021-02-23", "ohx")}
