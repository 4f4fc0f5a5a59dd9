"""Real notes nobody here wrote (../shared/corpus/notes, hand-checked truth): a floor that only rises.

Scored as the corpus scorer does: meetings by date (uncertain sections neither
rewarded nor punished), and a meeting's video links all found on its date.
"""
import json
from collections import Counter
from pathlib import Path

import pytest

from indexer.notes.files import load_notes

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "notes"
# reached on the dev corpus; raise them when the parser gets better, never lower them
MEETINGS_F1_FLOOR = 0.99
VIDEO_LINKS_FLOOR = 0.98

pytestmark = pytest.mark.skipif(not (CORPUS / "truth.json").exists(), reason=f"no corpus at {CORPUS}")


def score():
    truth = json.loads((CORPUS / "truth.json").read_text(encoding="utf-8"))
    tp = fp = fn = videos_ok = videos_total = 0
    misses = []
    for name, t in sorted(truth.items()):
        unsure_rows = [m for m in t["meetings"] if m.get("uncertain") or m.get("cancelled")]
        want = [m for m in t["meetings"] if m not in unsure_rows]
        unsure = {m["date"] for m in unsure_rows} | {m["likely_actual"] for m in t["meetings"] if m.get("likely_actual")}
        got = [m for m in load_notes(str(CORPUS / name)).meetings if m.id not in unsure]
        gw, gg = Counter(m["date"] for m in want), Counter(m.id for m in got)
        tp, fp, fn = tp + sum((gw & gg).values()), fp + sum((gg - gw).values()), fn + sum((gw - gg).values())
        misses += [f"{name}: missing {d}" for d in (gw - gg)] + [f"{name}: extra {d}" for d in (gg - gw)]
        videos = {}
        for m in got:
            videos.setdefault(m.id, set()).update(m.video_ids)
        for m in want:
            if m.get("video_ids"):
                videos_total += 1
                if set(m["video_ids"]) <= videos.get(m["date"], set()):
                    videos_ok += 1
                else:
                    misses.append(f"{name}: videos of {m['date']}")
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    return 2 * precision * recall / (precision + recall), videos_ok / videos_total, misses


def test_meetings_and_their_recordings_in_real_notes():
    f1, videos, misses = score()
    assert f1 >= MEETINGS_F1_FLOOR, (f1, misses)
    assert videos >= VIDEO_LINKS_FLOOR, (videos, misses)
