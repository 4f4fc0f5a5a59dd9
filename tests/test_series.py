"""Recordings to series among many on one channel (indexer.series.assign), and the emulated foundation."""
import datetime as dt
import json
from pathlib import Path


from meetup_emulator.foundation import Foundation
from indexer.series.assign import Assigner, Series, assign, series_meetings

ROOT = Path(__file__).resolve().parent.parent

SERIES = [
    Series("flyte-community-sync", "Flyte Community Sync", "America/Los_Angeles", 1, 9,
           title_words=["flyte", "community", "sync"], playlist="PLflyte000000000000"),
    Series("kestrel-community-meeting", "Kestrel Community Meeting", "Europe/Berlin", 1, 17,
           title_words=["kestrel", "community", "meeting"]),
    Series("sig-storage", "SIG Storage", "America/Los_Angeles", 2, 9, title_words=["sig", "storage"],
           dates={dt.date(2024, 1, 10)}, agenda={dt.date(2024, 1, 10): ["Snapshot controller"]}),
    Series("atlas-community-call", "Atlas Community Call", "Europe/Berlin", 2, 17,
           title_words=["atlas", "community", "call"], linked={"linkedvid01"}),
]


def video(title, recorded=None, published="2024-01-10T20:00:00Z", vid="v0000000001", playlists=()):
    return {"source": "youtube", "id": vid, "title": title, "description": "", "recorded_at": recorded,
            "published_at": published, "chapters": [], "playlists": list(playlists)}


def test_shared_words_weigh_little_distinctive_words_decide():
    a = Assigner(SERIES)
    assert a.idf["community"] < a.idf["kestrel"]
    sid, evidence, conf = assign(video("Kestrel Community Meeting #12"), SERIES)
    assert sid == "kestrel-community-meeting" and conf >= 0.6
    assert any("title words" in e for e in evidence)
    # "Community" alone names three series: no series from words alone
    assert assign(video("Community highlights 2023"), SERIES) is None


def test_the_stream_time_in_each_series_own_zone_decides_a_title_of_shared_words():
    # Wednesday 17:02 in Berlin is 08:02 in Los Angeles: Atlas' slot, not SIG Storage's weekday-only match
    got = assign(video("Community Call | Jan 10, 2024", recorded="2024-01-10T16:02:00Z"), SERIES)
    assert got and got[0] == "atlas-community-call"
    assert any("Europe/Berlin, its usual slot" in e for e in got[1])
    # the same words streamed on a Friday: not Atlas' slot, and no one else's words
    assert assign(video("Community Call | Jan 12, 2024", recorded="2024-01-12T16:02:00Z"), SERIES) is None


def test_playlist_and_notes_links_beat_words_and_clock():
    got = assign(video("Community Meeting recording", playlists=["PLflyte000000000000"]), SERIES)
    assert got[0] == "flyte-community-sync" and got[2] >= 0.97
    # a playlist and a title naming another series disagree: no one's
    assert assign(video("Kestrel Community Meeting", playlists=["PLflyte000000000000"]), SERIES) is None
    # a talk-only title linked from a series' notes
    assert assign(video("Snapshot controller", vid="linkedvid01"), SERIES)[0] == "atlas-community-call"


def test_a_title_naming_a_talk_on_a_series_agenda():
    got = assign(video("Snapshot controller deep dive", published="2024-01-11T18:00:00Z"), SERIES)
    assert got and got[0] == "sig-storage"
    assert any("agenda of 2024-01-10" in e for e in got[1])
    # months later the same words are another talk
    assert assign(video("Snapshot controller deep dive", published="2024-06-11T18:00:00Z"), SERIES) is None


def test_meetings_are_keyed_by_series_and_two_files_on_one_date_stay_two():
    from indexer.notes import parse_notes

    a = parse_notes("# EL\n\n## 2024-01-11\n\n### Agenda\n* Prague upgrade\n")
    b = parse_notes("# EL again\n\n## 2024-01-11\n\n### Agenda\n* Verkle\n")
    ms = series_meetings("execution-layer", [a, b])
    assert [m["id"] for m in ms] == ["execution-layer/2024-01-11", "execution-layer/2024-01-11-2"]
    assert ms[0]["talks"][0]["id"] == "execution-layer/2024-01-11/prague-upgrade"
    assert ms[1]["date"] == dt.date(2024, 1, 11)


def test_the_foundation_is_deterministic_and_served_by_the_emulator(tmp_path):
    from meetup_emulator import Emulator, YouTubeData

    a, b = Foundation(3), Foundation(3)
    assert [v["id"] for v in a.videos] == [v["id"] for v in b.videos] and a.notes == b.notes
    assert [v["id"] for v in Foundation(4).videos] != [v["id"] for v in a.videos]
    out = a.write(tmp_path)
    truth = json.loads((out / "truth.json").read_text())
    assert len(truth["series"]) == 20
    assert {s["timezone"] for s in truth["series"]} == {"America/Los_Angeles", "Europe/Berlin", "Asia/Tokyo"}
    assert {s["cadence"] for s in truth["series"]} == {"weekly", "biweekly", "monthly"}
    with_notes = [s for s in truth["series"] if s["notes"]]
    assert 0 < len(with_notes) < 20 and 0 < sum(bool(s["playlist"]) for s in truth["series"]) < 20
    assert sorted(p.name for p in (out / "notes").iterdir()) == sorted(f"{s['id']}.md" for s in with_notes)
    data = YouTubeData.load(out / "data")
    assert len(data.videos) == len(a.videos)
    with Emulator(youtube=data, api_key="k") as emu:
        import urllib.request

        url = f"{emu.url}/youtube/v3/playlists?part=snippet&channelId={truth['channel_id']}&maxResults=50&key=k"
        listed = json.load(urllib.request.urlopen(url))
    assert {p["id"] for p in listed["items"]} == {s["playlist"] for s in truth["series"] if s["playlist"]}
    from indexer.series.project import load_project

    project = load_project(out / "meetup-indexer.yml")
    assert [s.id for s in project.series] == [s["id"] for s in truth["series"]]


def test_many_series_case_meets_its_floor():
    import importlib.util

    # loaded by path: putting bench/ on sys.path would shadow the datasette package with bench/datasette.py
    spec = importlib.util.spec_from_file_location("many_series", ROOT / "bench" / "many_series.py")
    many_series = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(many_series)
    prf, run = many_series.prf, many_series.run

    r = run(7)
    tot = [sum(row[i] for row in r["rows"]) for i in (3, 4, 5)]
    p, rc = prf(*tot)
    assert p >= 0.99 and rc >= 0.97, (p, rc)
    for sid, _, n, tp, fp, fn in r["rows"]:
        p, rc = prf(tp, fp, fn)
        assert p >= 0.99 and rc >= 0.97, (sid, p, rc)
