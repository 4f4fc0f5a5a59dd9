"""The topic headings of long discussion notes: the agenda of a one-meeting document
that writes none (adopted after the walk by ``WalkState.adopt_agenda``)."""
from __future__ import annotations

import re

from indexer.notes.agenda import agenda_item
from indexer.notes.dates import find_date
from indexer.notes.markdown import SourceLines
from indexer.notes.model import Talk


# headings that hold the call's metadata or its parts, not a topic discussed
_META_HEAD = re.compile(
    r"^\W*(?:meeting\s)?(?:date|time|duration|moderator|facilitator|hosts?|notes?|agenda|summary|minutes|recording"
    r"|audio|video|youtube|livestream|stream|links?|reddit|github|attendees|attendance|participants|actions?"
    r"|decisions?|suggestions|next\s(?:meeting|call)|date\sfor|my\snotes|purpose|welcome|introductions?"
    r"|resources|announcements|short\sreports|table\sof\scontents|contents|open\saction)\b",
    re.I,
)


_END_HEAD = re.compile(r"^\W*(?:attendees|attendance|participants)\b", re.I)


_TOPIC_NUMBER = re.compile(r"^\d{1,3}[.)]?\s")


_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


def heading_topics(headings: list[list], after_line0: int, lines: SourceLines | None = None) -> list[Talk]:
    """The topics of long discussion notes: headings after the metadata block up to
    ``# Attendees`` (``## Topic``, numbered ``# 1. Topic``). A heading with nothing
    under it but a deeper heading is read with it (``Research: Derive OpenAPI ...``);
    headings deeper than most topics are sub-topics."""
    cands = []
    end0 = lines.count if lines is not None else 0
    for line0, level, text, has_body in headings:
        if line0 <= after_line0:
            continue
        if _END_HEAD.match(text):
            end0 = line0
            break
        if not text or _META_HEAD.match(text) or find_date(text[:200]) is not None:
            continue
        cands.append([line0, level, text, has_body])
    numbered = [c for c in cands if _TOPIC_NUMBER.match(c[2])]
    if len(numbered) >= 2:
        level = min(c[1] for c in numbered)
        cands = [c for c in cands if c[1] <= level]
    if len(cands) < 2 or sum(bool(_YEAR.search(c[2])) for c in cands) * 2 >= len(cands):
        return []  # headings naming years are sections of other meetings, not topics
    levels = [c[1] for c in cands]
    common = max(set(levels), key=lambda v: (levels.count(v), -v))
    talks: list[Talk] = []
    i = 0
    while i < len(cands):
        line0, level, text, has_body = cands[i]
        if level > common:
            i += 1
            continue
        title = _TOPIC_NUMBER.sub("", text).strip()
        if not has_body and i + 1 < len(cands) and cands[i + 1][1] > level:
            title = f"{title}: {_TOPIC_NUMBER.sub('', cands[i + 1][2]).strip()}"
            i += 1
        found = agenda_item(title)
        if found is not None:
            talks.append(Talk(found[0], found[1], text, line=line0 + 1))
        i += 1
    if lines is not None:  # a topic's notes run to the next topic
        for talk, nxt in zip(talks, [t.line - 1 for t in talks[1:]] + [end0]):
            talk.notes = lines.slice(talk.line, nxt).strip()
    return talks
