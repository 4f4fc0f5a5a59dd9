"""The chapter block this tool writes into a video description. Pure: plain data in, text out.

YouTube shows chapters when the first timestamp is 0:00, there are at least three, they
ascend and each lasts at least 10 seconds; descriptions refuse ``<`` and ``>`` and hold at
most 5,000 characters (docs/FIELD-NOTES "Writing back"). The block starts with ``MARKER``
so a later run finds it again and replaces only it; every other byte of the description stays.
"""
from __future__ import annotations

import re

from indexer.common.times import hms
from indexer.youtube.chapters import MIN_CHAPTERS, MIN_LENGTH_S, parse_chapters, timestamp_lines

MARKER = "Chapters (from the meeting notes, by meetup-indexer):"
MAX_DESCRIPTION = 5000
MAX_TITLE = 100
OPENING = "Start"  # the 0:00 chapter when the first talk begins later
_LINE = re.compile(r"^\d{1,2}(?::\d{2}){1,2} \S")


def clean_title(title: str) -> str:
    """YouTube refuses ``<`` and ``>`` in a description: dropped; one line, clipped."""
    text = " ".join(re.sub(r"[<>]", "", title or "").split())
    return (text[: MAX_TITLE - 1] + "…") if len(text) > MAX_TITLE else (text or "Untitled")


def chapter_list(talks: list[dict], duration_s: int | None = None) -> list[tuple[int, str]]:
    """``[(start_s, title)]`` YouTube accepts, from placed talks ``{"start_s", "title"}``, or ``[]``
    when fewer than three talks survive the rules. A talk within 10 s of the previous
    chapter (or of the video's end) is left out rather than shown at a wrong second."""
    out: list[tuple[int, str]] = []
    for t in sorted((t for t in talks if t.get("start_s") is not None), key=lambda t: t["start_s"]):
        start = int(t["start_s"])
        if duration_s and start > duration_s - MIN_LENGTH_S:
            continue
        if not out:
            # the first chapter must be 0:00: a talk starting in the first 10 s takes it
            out.append((0, clean_title(t["title"])) if start < MIN_LENGTH_S else (0, OPENING))
            if start < MIN_LENGTH_S:
                continue
        if start - out[-1][0] < MIN_LENGTH_S:
            continue
        out.append((start, clean_title(t["title"])))
    talks_in = sum(1 for _, title in out) - (1 if out and out[0][1] == OPENING else 0)
    return out if talks_in >= MIN_CHAPTERS and len(out) >= MIN_CHAPTERS else []


def render_block(chapters: list[tuple[int, str]]) -> str:
    """The block as pasted: the marker line, then ``m:ss Title`` lines."""
    return "\n".join([MARKER, *(f"{hms(s)} {title}" for s, title in chapters)])


def find_block(description: str) -> tuple[int, int] | None:
    """(start, end) character offsets of the block this tool wrote, or None."""
    at = description.find(MARKER)
    if at < 0 or (at and description[at - 1] != "\n"):
        return None
    end = at + len(MARKER)
    rest = description[end:]
    for line in rest.split("\n")[1:] if rest.startswith("\n") else []:
        if not _LINE.match(line):
            break
        end += 1 + len(line)
    return at, end


def place_block(description: str, block: str, replace: bool = False) -> tuple[str, str]:
    """(new description, what happened): ``unchanged``, ``inserted``, ``replaced``,
    ``has_chapters`` (a person's chapters: left alone unless ``replace``) or ``too_long``.
    Only the block changes; a new block goes at the end after a blank line."""
    description = description or ""
    found = find_block(description)
    if found:
        a, b = found
        new = description[:a] + block + description[b:]
        status = "unchanged" if new == description else "replaced"
        other = description[:a] + description[b:]
    else:
        other = description
        new, status = None, "inserted"
    if parse_chapters(other):
        if not replace:
            return description, "has_chapters"
        new = _replace_persons_chapters(other if not found else description, block, found)
        status = "replaced"
    elif new is None:
        sep = ("" if not description or description.endswith("\n\n")
               else "\n" if description.endswith("\n") else "\n\n")
        new = description + sep + block
    if len(new.encode("utf-8")) > MAX_DESCRIPTION:
        return description, "too_long"
    return new, status


def _replace_persons_chapters(description: str, block: str, ours) -> str:
    """``--replace``: the person's chapter lines go, the block takes the place of the first."""
    if ours:
        description = description[:ours[0]] + description[ours[1]:]
    lines = description.split("\n")
    stamps = {i for i, line in enumerate(lines) if timestamp_lines(line)}
    if not stamps:
        return description + "\n\n" + block
    first = min(stamps)
    kept = [line for i, line in enumerate(lines) if i not in stamps or i == first]
    kept[kept.index(lines[first])] = block
    return "\n".join(kept)


def is_placed(method: str | None) -> bool:
    """A talk placed at a second (not only "somewhere in the meeting's recording")."""
    return method not in (None, "meeting")


#END
