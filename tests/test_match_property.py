"""Invariants of the matcher on arbitrary archives (hypothesis)."""
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.match.matcher import match

WORDS = ["Community", "Sync", "Meeting", "Flyte", "Egress", "Events", "KubeCon", "Demo", "#shorts", "Part 2",
         "Feb 9, 2021", "2021-02-16", "re-upload", "Spotify", "Nian", "Office Hours", "GMT20210209-170012"]
START = dt.date(2021, 1, 5)

meeting_days = st.lists(st.integers(0, 120), min_size=1, max_size=12, unique=True)
text = st.lists(st.sampled_from(WORDS), max_size=5).map(" ".join)


@st.composite
def archive(draw):
    days = draw(meeting_days)
    meetings = []
    ids = [f"v{i:010d}" for i in range(draw(st.integers(0, 15)))]
    for d in days:
        day = START + dt.timedelta(days=d)
        mid = day.isoformat()
        meetings.append({
            "id": mid, "date": day, "title": mid, "cancelled": draw(st.booleans()),
            "links": [{"kind": "youtube", "ref": r, "start_s": None}
                      for r in draw(st.lists(st.sampled_from(ids), max_size=1))] if ids else [],
            "talks": [{"id": f"{mid}/{i}", "title": draw(text) or "Talk",
                       "presenters": [{"name": draw(st.sampled_from(["Nian", "Ketan", "Wei"])), "org": "Spotify"}]}
                      for i in range(draw(st.integers(0, 3)))],
        })
    candidates = []
    for vid in ids:
        published = dt.datetime(2021, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(hours=draw(st.integers(0, 3500)))
        candidates.append({
            "source": draw(st.sampled_from(["youtube", "youtube", "drive"])), "id": vid, "title": draw(text),
            "description": draw(text), "recorded_at": draw(st.none() | st.just(published.isoformat())),
            "published_at": published.isoformat(), "name_date": None,
            "chapters": [{"start_s": s * 60, "end_s": None, "title": draw(text)}
                         for s in sorted(draw(st.sets(st.integers(0, 90), max_size=4)))],
            "duration_s": draw(st.none() | st.integers(1, 7200)), "live_status": None, "path": None,
        })
    return meetings, candidates


@settings(max_examples=150, deadline=None)
@given(archive(), st.sampled_from(["America/Los_Angeles", "Asia/Tokyo", "UTC"]))
def test_invariants(data, tz):
    meetings, candidates = data
    out = match(meetings, candidates, tz=tz)
    by_id = {c["id"]: c for c in candidates}
    meeting_ids = {m["id"] for m in meetings}
    noted = {(m["id"], l["ref"]) for m in meetings for l in m["links"]}
    seen = {}
    for r in out["recordings"]:
        assert r["meeting_id"] in meeting_ids and r["ref"] in by_id
        assert r["source"] == by_id[r["ref"]]["source"]
        assert 0 <= r["confidence"] <= 1 and r["reason"]
        assert (r["meeting_id"], r["ref"]) not in seen
        seen[(r["meeting_id"], r["ref"])] = r
        if r["method"] != "link":
            # only the notes may give one recording to two meetings
            others = [k for k in seen if k[1] == r["ref"] and k[0] != r["meeting_id"]]
            assert all(k in noted for k in others) or not others
    for (mid, ref) in noted:
        if ref in by_id:
            assert seen[(mid, ref)]["method"] == "link"
    talk_ids = {t["id"] for m in meetings for t in m["talks"]}
    linked_videos = {(r["meeting_id"], r["ref"]) for r in out["recordings"] if r["source"] == "youtube"}
    for t in out["talk_recordings"]:
        assert t["talk_id"] in talk_ids
        assert (t["talk_id"].split("/")[0], t["video_id"]) in linked_videos
        assert t["url"].startswith(f"https://www.youtube.com/watch?v={t['video_id']}")
        assert (t["start_s"] == 0) == (t["url"].find("&t=") == -1)
        if t["method"] == "chapter":
            assert t["start_s"] in {c["start_s"] for c in by_id[t["video_id"]]["chapters"]}
    # deterministic
    assert match(meetings, candidates, tz=tz) == out
