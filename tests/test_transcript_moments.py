"""Talk starts found from what is said: synthetic meetings, and a floor on the corpus truth."""
import json
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from indexer.transcripts.moments import norm, place_talks
from indexer.transcripts.parse import parse_subtitles

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
FILLER = [
    "so the idea is pretty simple it works today but it doesnt really scale",
    "let me zoom in a little is that readable",
    "we also had to think about backwards compatibility",
    "the code is on github ill drop the link in the chat",
]


def asr(lines, start=0.0, step=4.0):
    """Cues from (text) lines, one every `step` seconds; None = 20 s of silence."""
    cues, t = [], start
    for line in lines:
        if line is None:
            t += 20
            continue
        cues.append({"start_s": t, "end_s": t + step, "speaker": None, "text": line})
        t += step
    return cues


def body(words, n=30):
    return [f"{FILLER[i % len(FILLER)]} {words}" if i % 2 else f"the main problem we ran into was {words}"
            for i in range(n)]


TALKS = [
    {"title": "Container Orchestration Security", "presenters": [{"name": "Rory McCune"}]},
    {"title": "Hands-On Introduction to OWASP Juice Shop", "presenters": [{"name": "Daniel Gora"}]},
    {"title": "Physical Red Teaming", "presenters": [{"name": "Mihael Stanojevic"}]},
]


def meeting():
    lines = (
        ["hi everyone welcome to the stammtisch",
         "on the agenda today we have first rory on container orchestration security",
         "then daniel with hands on introduction to oh wasp juice shop and finally mihael on physical red teaming",
         "can everyone hear me okay", "pretty good its been a busy week", None,
         "lets jump right in laurie mccune is going",                       # 9 lines in: index 7
         "to kick us off with container orchestration security"]
        + body("container orchestration")
        + ["i think mihael will say more about", "physical red teaming later so lets hold that"]
        + body("orchestration security", 10)
        + ["great thank you rory", None, "yeah so this one is mine hands on introduction to owasp juice shop"]
        + body("juice shop")
        + ["thanks daniel questions from anyone",
           "yeah hi its michael quick question how does owasp juice shop work with zap",
           "good question it only covers the basic case", "great thank you daniel", None,
           "okay mihael i think youre next", "thank you can you see my screen"]
        + body("red teaming")
    )
    return asr(lines)


def start_of(cues, prefix):
    return int(next(c["start_s"] for c in cues if c["text"].startswith(prefix)))


def test_host_and_presenter_intros_in_agenda_order_past_readout_and_early_mentions():
    cues = meeting()
    placed = place_talks(TALKS, [("vid", cues)])
    assert [p["start_s"] for p in placed] == [
        start_of(cues, "lets jump right in"),
        start_of(cues, "yeah so this one is mine"),
        start_of(cues, "okay mihael i think youre next"),
    ]
    assert all(p["video_id"] == "vid" for p in placed)
    assert placed[2]["cue"] == "okay mihael i think youre next"


def test_a_talk_the_meeting_skipped_stays_unplaced():
    cues = meeting()
    i = next(n for n, c in enumerate(cues) if c["text"] == "great thank you rory")
    # daniel's talk is replaced by an announcement and the floor goes to mihael
    cues = cues[: i + 1] + asr(
        ["daniel couldnt make it so hands on introduction to owasp juice shop is postponed", "okay",
         "okay mihael i think youre next", "thank you can you see my screen"] + body("red teaming"),
        start=cues[i]["start_s"] + 30,
    )
    placed = place_talks(TALKS, [("vid", cues)])
    assert placed[1] == {"skipped": True, "cue": cues[i + 1]["text"]}
    assert placed[0]["start_s"] == start_of(cues, "lets jump right in")
    assert placed[2]["start_s"] == start_of(cues, "okay mihael")


def test_zoom_new_speaker_who_is_the_presenter():
    def z(t, speaker, text):
        return {"start_s": t, "end_s": t + 4, "speaker": speaker, "text": text}

    cues = [z(0, "Katrin Vogel", "Hi everyone, welcome."), z(5, "Omar's iPhone", "Good morning from Europe.")]
    cues += [z(10 + 4 * i, "Kevin's iPhone", "This is still experimental, supply chains.")
             for i in range(30)]
    cues += [z(200, "Katrin Vogel", "Thank you, that was great."),
             z(230, "Marius Klimmek", "Great, thanks. Okay, so.")]
    cues += [z(234 + 4 * i, "Marius Klimmek", "So the idea of purple teaming is pretty simple.") for i in range(30)]
    talks = [{"title": "Emulating Supply Chain Attacks", "presenters": [{"name": "Kevin Ott"}]},
             {"title": "My Journey from Red to Purple Teaming", "presenters": [{"name": "Marius Klimmek"}]}]
    placed = place_talks(talks, [("z", cues)])
    assert [p["start_s"] for p in placed] == [10, 230]


def test_second_part_recording_and_reupload():
    first = asr(["welcome everyone", "lets jump right in laurie mccune is going",
                 "to kick us off with container orchestration security"] + body("container orchestration"))
    second = asr(["so next we have daniel with hands on introduction to owasp juice shop"] + body("juice shop"))
    placed = place_talks(TALKS[:2], [("part1", first), ("reupload", first), ("part2", second)])
    assert [(p["video_id"], p["start_s"]) for p in placed] == [("part1", 4), ("part2", 0)]


def test_nothing_said_about_the_talks():
    cues = asr(["welcome", "lets talk about the weather"] + FILLER * 5)
    assert place_talks(TALKS, [("v", cues)]) == [None, None, None]
    assert place_talks(TALKS, []) == [None, None, None]
    assert place_talks([], [("v", cues)]) == []


def test_norm():
    assert norm("Artur Stöber: It's McCune's (CVE-2020-35501)!") == "artur stober its mccunes cve 2020 35501"


def corpus_cases():
    notes = json.loads((CORPUS / "notes" / "truth.json").read_text())
    for case in sorted((CORPUS / "match").iterdir()):
        truth = json.loads((case / "truth.json").read_text())
        key = truth["notes_source"].split()[0].removeprefix("notes/")
        agendas: dict[str, list] = {}
        for m in notes[key]["meetings"]:
            if m.get("agenda"):
                agendas.setdefault(m["date"], []).append(m["agenda"])
        by_date: dict[str, list] = {}
        for moment in truth["transcript_moments"]:
            if moment["date"] not in truth["unscored"]["dates"]:
                by_date.setdefault(moment["date"], []).append(moment)
        for date, moments in by_date.items():
            # two sections on one date (a copied date): the one whose talks these are
            agenda = max(agendas[date], key=lambda a: fuzz.partial_ratio(a[0]["title"], moments[0]["talk_title"]))
            talks = [{"title": t["title"], "presenters": [{"name": p} for p in t["presenters"] or []]}
                     for t in agenda]
            recordings = []
            for video_id in truth["recordings"][date]:
                path = case / "transcripts" / f"{video_id}.en.vtt"
                if path.exists():
                    recordings.append((video_id, parse_subtitles(path.read_text(encoding="utf-8"))))
            yield case.name, date, talks, recordings, moments


@pytest.mark.skipif(not (CORPUS / "match").is_dir(), reason="shared corpus not present")
def test_corpus_truth_floor():
    """Every corpus meeting's agenda (from the notes truth) placed in its transcripts, scored
    as score_match.py --transcripts does: right video (or a re-upload) within 30 s, skipped talks unplaced."""
    right = total = 0
    for _case, _date, talks, recordings, moments in corpus_cases():
        placed = place_talks(talks, recordings)
        for moment in moments:
            got = placed[moment["agenda_index"]]
            total += 1
            if moment["skipped"]:
                right += got is None or bool(got.get("skipped"))
            else:
                right += (got is not None and not got.get("skipped")
                          and got["video_id"] in [moment["video_id"], *moment.get("alt_video_ids", [])]
                          and abs(got["start_s"] - moment["start_s"]) <= 30)
    assert total >= 60
    assert right / total >= 0.90, f"{right}/{total}"
