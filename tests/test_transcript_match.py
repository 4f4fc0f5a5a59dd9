"""Transcripts in the matcher: talk moments where no chapter names the talk, through a real database too."""
import sqlite_utils
from click.testing import CliRunner

from indexer.cli import cli
from indexer.match.matcher import match

FILLER = "so the idea is pretty simple it works today but it doesnt really scale"


def cues(lines, step=4.0):
    return [{"start_s": i * step, "end_s": (i + 1) * step, "speaker": None, "text": t} for i, t in enumerate(lines)]


def meeting_transcript():
    lines = ["welcome everyone to the flyte community sync", "can everyone hear me", FILLER, FILLER]
    lines += ["first up nian with flyte egress events"]                           # 16 s
    lines += [f"{FILLER} and egress events" if i % 2 else "the events we emit on egress" for i in range(40)]
    lines += ["great thank you nian", "okay miguel i think youre next"]             # 180 s, 184 s
    lines += [f"{FILLER} with bazel" if i % 2 else "autonomous cars at lyft build with bazel" for i in range(40)]
    lines += ["ketan couldnt make it so planning is postponed to next week", "thanks everyone bye"]
    return cues(lines)


MEETING = {
    "id": "2021-02-09", "date": __import__("datetime").date(2021, 2, 9), "title": "Feb 9", "cancelled": False,
    "links": [{"kind": "youtube", "ref": "v1", "start_s": None}],
    "talks": [
        {"id": "t1", "title": "Flyte Egress Events", "presenters": [{"name": "Nian", "org": "Spotify"}]},
        {"id": "t2", "title": "Flyte at Lyft L5 Autonomous cars using Bazel", "presenters": [{"name": "Miguel"}]},
        {"id": "t3", "title": "Planning", "presenters": [{"name": "Ketan", "org": "OSC"}]},
    ],
}


def video(vid, title, chapters=()):
    return {"source": "youtube", "id": vid, "title": title, "description": "", "recorded_at": None,
            "published_at": "2021-02-10T01:00:00Z", "name_date": None, "duration_s": 3600, "live_status": "none",
            "chapters": [{"start_s": s, "end_s": None, "title": t} for s, t in chapters], "path": None}


def test_transcript_places_talks_without_chapters_and_quotes_the_cue():
    out = match([MEETING], [video("v1", "Flyte sync")], transcripts={"v1": meeting_transcript()})
    links = {t["talk_id"]: t for t in out["talk_recordings"]}
    assert (links["t1"]["start_s"], links["t1"]["method"]) == (16, "transcript")
    assert (links["t2"]["start_s"], links["t2"]["method"]) == (184, "transcript")
    assert "'okay miguel i think youre next'" in links["t2"]["reason"]
    assert links["t2"]["url"] == "https://www.youtube.com/watch?v=v1&t=184s"
    # the skipped talk keeps only the "somewhere in this recording" fallback, and says why
    assert (links["t3"]["start_s"], links["t3"]["method"]) == (0, "meeting")
    assert "not given" in links["t3"]["reason"] and "postponed" in links["t3"]["reason"]


def test_a_chapter_outranks_the_transcript_and_transcripts_make_no_recording():
    v1 = video("v1", "Flyte sync", chapters=[(0, "Intro"), (30, "Egress events with Nian")])
    other = video("kc", "Bazel at Lyft | KubeCon")
    out = match([MEETING], [v1, other], transcripts={"v1": meeting_transcript(), "kc": meeting_transcript()})
    links = {t["talk_id"]: t for t in out["talk_recordings"]}
    assert (links["t1"]["start_s"], links["t1"]["method"]) == (30, "chapter")
    assert (links["t2"]["start_s"], links["t2"]["method"]) == (184, "transcript")
    assert {r["ref"] for r in out["recordings"]} == {"v1"}
    assert all(t["video_id"] == "v1" for t in out["talk_recordings"])


def test_match_command_reads_imported_transcripts(seed_db, tmp_path, add_harvest):
    add_harvest(seed_db, chapters=[])
    folder = tmp_path / "subs"
    folder.mkdir()
    body = "\n".join(
        f"{h // 3600:02d}:{h // 60 % 60:02d}:{h % 60:02d}.000 --> {(h + 4) // 3600:02d}:{(h + 4) // 60 % 60:02d}:"
        f"{(h + 4) % 60:02d}.000\n{c['text']}\n"
        for c in meeting_transcript() for h in [int(c["start_s"]) + 600]
    )
    (folder / "iHBUxzSC9XE.en.vtt").write_text("WEBVTT\n\n" + body)
    runner = CliRunner()
    assert runner.invoke(cli, ["transcripts", str(seed_db), "--from", str(folder)]).exit_code == 0
    result = runner.invoke(cli, ["match", str(seed_db)])
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(seed_db)
    rows = {r["talk_id"]: r for r in db["talk_recordings"].rows if r["video_id"] == "iHBUxzSC9XE"}
    egress = rows["2021-02-09/flyte-egress-events"]
    assert (egress["start_s"], egress["method"]) == (616, "transcript")
    assert "first up nian with flyte egress events" in egress["reason"]
