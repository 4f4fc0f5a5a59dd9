"""Talks found in real notes, checked against the corpus' hand-checked truth.

The corpus is read from ../shared/corpus (never copied into the project). Two
measures, each with a floor at the level reached (floors only rise):

- as score_notes.py counts: meetings matched by date, then their talks
  (276/285 talks, 184/188 meetings with the right number when written);
- per section: the truth's date line rewritten as an ISO-dated heading of the
  same level, so the agenda parsing is measured even where a date form is not
  read (282/285, 186/188).
"""
import json
import re
from difflib import SequenceMatcher
from pathlib import Path

import pytest

from indexer.notes import parse_notes
from indexer.notes.files import load_notes

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "notes"

pytestmark = pytest.mark.skipif(not (CORPUS / "truth.json").exists(), reason="corpus not present")


def norm(text):
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text or "")
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def same_talk(a, b):
    a, b = norm(a), norm(b)
    return bool(a and b) and (a in b or b in a or SequenceMatcher(None, a, b).ratio() >= 0.6)


def score(pairs):
    """pairs: (truth meeting, talk titles found for it) -> (talks found, talks, counts right, counts)."""
    found = total = right = counted = 0
    for m, titles in pairs:
        if m.get("n_agenda_items") is not None:
            counted += 1
            right += len(titles) == m["n_agenda_items"]
        left = list(titles)
        for item in m.get("agenda") or []:
            total += 1
            hit = next((t for t in left if same_talk(t, item["title"])), None)
            if hit is not None:
                found += 1
                left.remove(hit)
    return found, total, right, counted


@pytest.fixture(scope="module")
def truth():
    return json.loads((CORPUS / "truth.json").read_text(encoding="utf-8"))


def scored_meetings(truth):
    for name, t in sorted(truth.items()):
        for m in t["meetings"]:
            if not (m.get("uncertain") or m.get("cancelled")):
                yield name, m


def test_talks_by_date_as_the_scorer_counts(truth):
    parsed = {name: load_notes(str(CORPUS / name)) for name in truth}
    pairs = []
    for name, m in scored_meetings(truth):
        unsure = {x["date"] for x in truth[name]["meetings"] if x.get("uncertain") or x.get("cancelled")}
        unsure |= {x["likely_actual"] for x in truth[name]["meetings"] if x.get("likely_actual")}
        # the scorer drops parsed meetings on doubtful dates, even where a sure one shares the date
        titles = [t.title for x in parsed[name].meetings if x.id == m["date"] and x.id not in unsure for t in x.talks]
        pairs.append((m, titles))
    found, total, right, counted = score(pairs)
    print(f"by date: talks {found}/{total}, counts {right}/{counted}")
    assert found / total >= 0.96, (found, total)
    assert right / counted >= 0.97, (right, counted)


def test_talks_per_section(truth):
    pairs = []
    texts = {name: (CORPUS / name).read_text(encoding="utf-8") for name in truth}
    parsed = {name: parse_notes(text, path=str(CORPUS / name)) for name, text in texts.items()}
    for name, m in scored_meetings(truth):
        lines = texts[name].split("\n")
        got = [x for x in parsed[name].meetings if x.id == m["date"] and x.line == m["line"]]
        if not got:
            line = lines[m["line"] - 1]
            if "<summary>" in line:
                new = re.sub(r"<summary>.*?</summary>", f"<summary>{m['date']}</summary>", line)
            else:
                level = re.match(r"\s*(#*)", line).group(1) or "#"
                new = f"{level} {m['date']}"
            notes = parse_notes("\n".join(lines[: m["line"] - 1] + [new] + lines[m["line"] :]))
            got = [x for x in notes.meetings if x.id == m["date"]]
        pairs.append((m, [t.title for x in got for t in x.talks]))
    found, total, right, counted = score(pairs)
    print(f"per section: talks {found}/{total}, counts {right}/{counted}")
    assert found / total >= 0.98, (found, total)
    assert right / counted >= 0.98, (right, counted)
