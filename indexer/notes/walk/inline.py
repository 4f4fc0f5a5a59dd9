"""A block's inline text as the carriers read it: its first line, its lines with their
bold spans, the title left once its date is taken out, and without the labels of
recording links ("[Recording](...)" is no title)."""
from __future__ import annotations

import re

from indexer.common import urls
from indexer.notes.dates import DateHit
from indexer.notes.markdown import Inline


# what the label of a recording / slides link says when it names the resource, not the talk
_RESOURCE_WORDS = re.compile(
    r"\b(?:record\w*|videos?|youtube|watch|links?|here|slides?|deck|stream\w*|replay|part|audio|meeting|call"
    r"|session|full|pdf|presentation|talk|demo)\b|://",
    re.I,
)


def without_recording_labels(inl: Inline) -> Inline:
    """The text minus the labels of YouTube/Drive links ("[Recording](...)" is not a title)."""
    text, bold = inl.text, list(inl.bold)
    for a, b, href in sorted(inl.links, reverse=True):
        if urls.classify_url(href) is None:
            continue
        if not _RESOURCE_WORDS.search(text[a:b]) and len(text[a:b].split()) > 1:
            continue  # "Update on [GUAC refactor](slides)": the label is the title's own words
        text = text[:a] + text[b:]
        cut = b - a
        bold = [(x, y) if y <= a else (x - cut, y - cut) if x >= b else (x, max(x, y - cut)) for x, y in bold]
    return Inline(text, bold, [])


def first_line_of(inl: Inline) -> tuple[str, list]:
    text = inl.text
    cut = text.find("\n")
    if cut < 0:
        return text, inl.bold
    return text[:cut], [(a, b) for a, b in inl.bold if b <= cut]


def split_lines(inl: Inline) -> list[tuple[str, list]]:
    """The inline text's lines, each with its bold spans."""
    out, pos = [], 0
    for part in inl.text.split("\n"):
        end = pos + len(part)
        bold = [(max(a, pos) - pos, min(b, end) - pos) for a, b in inl.bold if a < end and b > pos]
        if part.strip():
            lead = len(part) - len(part.lstrip())
            out.append((part.strip(), [(max(0, a - lead), max(0, b - lead)) for a, b in bold]))
        pos = end + 1
    return out


def heading_title(text: str, hit: DateHit) -> str:
    after = _TIME_AFTER_DATE.sub("", text[hit.end :], count=1)
    rest = _EMPTY_BRACKETS.sub(" ", text[: hit.start] + " " + after).strip(" -:–—|,.*_")
    rest = re.sub(r"\s+", " ", rest).strip()
    if rest.startswith("(") and rest.endswith(")") and rest.count("(") == 1:
        rest = rest[1:-1].strip()
    return rest or text[hit.start : hit.end].strip() or text.strip()


# "24.02.2021, 18:00h CET", "[2023-11-09]": what is left of a title once its date is taken out
_TIME_AFTER_DATE = re.compile(r"^[\s,]*(?:at\s+)?\d{1,2}[:.]\d\d\s*(?:h\b|am\b|pm\b)?\s*(?:[A-Z]{2,5}\b)?", re.I)


_EMPTY_BRACKETS = re.compile(r"\[[\s,]*\]|\([\s,]*\)")


def links_its_recording(inl: "Inline", text: str) -> bool:
    """``### [Audio Video of the Meeting](https://youtube...)``: a heading that is only a
    recording's link is a part of the meeting above, whatever its level."""
    if len(inl.links) != 1:
        return False
    a, b, href = inl.links[0]
    link = urls.classify_url(href.strip())
    return link is not None and link.kind in ("youtube", "drive_file") and not (inl.text[:a] + inl.text[b:]).strip(" *_:-")


def lead_words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]{2,}", text.lower())[:3]


# "](url)" with one level of parentheses inside the URL; a run of "](" without ")" is
# scanned once (a "[^)\s]*" class reached over every later "](" and went quadratic)
LINK_TARGET = re.compile(r"\]\((?:[^()\s]|\([^()\s]*\))*\s*\)")
