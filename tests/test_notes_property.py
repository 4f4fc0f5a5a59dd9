"""parse_notes never raises, and what it returns always points back into the input."""
import json
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.notes import meeting_to_json, parse_notes

ROOT = Path(__file__).resolve().parent
DOCS = [ROOT.parent / "data" / "notes" / "flyte-meetup-notes.md", *sorted((ROOT / "fixtures" / "notes").glob("*.md"))]
TEXTS = [p.read_text() for p in DOCS]

FRAGMENTS = [
    "# Notes", "## Feb 9, 2021", "### Agenda:", "* Talk [Ann - Acme]", "  * **Bob, Beta**", "- **Cy** (Co): Topic",
    "## 2021-02-30", "## Meeting March 1st", "## 13/13/2021", "<details>", "<summary>May 2nd, 2023</summary>",
    "</details>", "| Date | Presenter | Topic |", "| --- | --- | --- |", "| 2022-04-13 | Ann (Acme) | X |",
    "|  | Bob | Y |", "* 2021-03-18: [Recording](https://youtu.be/aaaaaaaaaaa?t=5)", "Next meeting: July 8, 2021",
    "## July 8 - cancelled", "### Notes: by @me", "Egress (Presenter: Nian from Spotify)", "```", "> quote",
    "## Backlog Agenda Items", "1. item", "", "\t", "***", "Tuesday, Feb 10 2021", "[x](https://drive.google.com/drive/folders/1abcdefghijk)",
    "<summary>", "**", "[", "](", "\r", "\r\n", "\u2028", "\x00", "\ufeff",
]

LINE_BREAK = re.compile(r"\r\n?|\n")


def check(text):
    # the default (markdown-it.rs, falling back on a panic) and markdown-it-py alone
    for backend in (None, "py"):
        notes = check_one(text, backend)
    return notes


def check_one(text, backend):
    notes = parse_notes(text, backend=backend)
    lines = LINE_BREAK.split(text)
    starts = [0]
    for m in LINE_BREAK.finditer(text):
        starts.append(m.end())
    n = max(1, len(lines))
    assert not [w for w in notes.warnings if w.message.startswith("parser error")], notes.warnings
    for w in notes.warnings:
        assert 1 <= w.line <= n, (w, n)
    for m in notes.meetings:
        assert 1 <= m.line <= n
        assert m.raw in text
        # the section starts on the meeting's own line
        assert text[starts[m.line - 1]:].startswith(m.raw)
        for t in m.talks:
            assert 1 <= t.line <= n
        for link in m.links:
            assert 1 <= link.line <= n
    assert len({m.id for m in notes.meetings}) == len(notes.meetings)
    json.dumps([meeting_to_json(m) for m in notes.meetings])
    for b in notes.backlog:
        assert 1 <= b.line <= n
    return notes


@st.composite
def mutated(draw):
    lines = LINE_BREAK.split(draw(st.sampled_from(TEXTS)))
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["delete", "duplicate", "shuffle", "unicode", "fragment", "indent"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete":
            del lines[i : i + draw(st.integers(1, 10))]
        elif op == "duplicate":
            j = min(len(lines), i + draw(st.integers(1, 20)))
            lines[j:j] = lines[i:j]
        elif op == "shuffle":
            j = min(len(lines), i + draw(st.integers(2, 12)))
            lines[i:j] = draw(st.permutations(lines[i:j]))
        elif op == "unicode":
            s = lines[i]
            k = draw(st.integers(0, len(s)))
            lines[i] = s[:k] + draw(st.text(max_size=8)) + s[k:]
        elif op == "fragment":
            lines.insert(i, draw(st.sampled_from(FRAGMENTS)))
        else:
            lines[i] = " " * draw(st.integers(1, 6)) + lines[i]
    text = draw(st.sampled_from(["\n", "\r\n"])).join(lines)
    return text[: draw(st.integers(0, len(text)))] if draw(st.booleans()) else text


SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.text())
def test_random_text(text):
    check(text)


@SETTINGS
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=40).map("\n".join))
def test_random_markdown(text):
    check(text)


@SETTINGS
@given(mutated())
def test_mutated_notes(text):
    check(text)


def test_the_unmutated_documents_pass_the_same_checks():
    for text in TEXTS:
        assert check(text).meetings
