"""Chapters from timestamps in a video description. Pure: text in, dicts out.

Follows YouTube's own rule, so we find the chapters viewers see: the list starts
at 0:00, timestamps ascend, there are at least three, each at least 10 seconds.
"""
from __future__ import annotations

import re

from indexer.common import bounds

_TS = r"(?:(?P<h>\d{1,2}):)?(?P<m>\d{1,2}):(?P<s>\d{2})"
_BULLET = r"[\s>*\-•–—·]*"
_SEP = r"[\s\-–—:|.)\]]*"
# "0:00 Intro", "1:02:03 - Title", "[12:30] Title", "(12:30) Title", "* 12:30 Title"
_LEADING = re.compile(rf"^{_BULLET}[\[(]?{_TS}[\])]?{_SEP}(?P<title>.*)$")
# "Intro - 0:00", "Intro (12:30)": some people write the time last
_TRAILING = re.compile(rf"^{_BULLET}(?P<title>.*?)[\s\-–—:|]*[\[(]?{_TS}[\])]?\s*$")

_HAS_TS = re.compile(r"\d:\d\d")  # in every timestamp _TS reads

MIN_CHAPTERS = 3
MIN_LENGTH_S = 10


def _seconds(h, m, s) -> int | None:
    h, m, s = int(h or 0), int(m), int(s)
    if s >= 60 or (h and m >= 60):
        return None
    return bounds.seconds(h * 3600 + m * 60 + s)


def timestamp_lines(description: str) -> list[tuple[int, str]]:
    """Every line that reads as ``timestamp title`` (or ``title timestamp``)."""
    found = []
    for line in (description or "").splitlines():
        line = line.strip()
        if not _HAS_TS.search(line):  # most lines hold no timestamp (links, prose): skip both patterns
            continue
        m = _LEADING.match(line)
        if not m or not m.group("title").strip():
            m = _TRAILING.match(line)
        if not m:
            continue
        start = _seconds(*m.group("h", "m", "s"))
        title = m.group("title").strip(" \t-–—:|")
        if start is None or not title:
            continue
        found.append((start, title))
    return found


def parse_chapters(description: str, duration_s: int | None = None) -> list[dict]:
    """``[{"start_s", "end_s", "title", "position"}]`` or ``[]`` when the
    description holds no chapter list YouTube would show.

    The list is the first run of ascending timestamps beginning at 0:00; a later
    out-of-order timestamp (a second list, a time of day) ends it.
    """
    if "0:00" not in (description or ""):  # the list starts at 0:00 (or 00:00, 0:00:00)
        return []
    lines = timestamp_lines(description)
    try:
        first = next(i for i, (start, _) in enumerate(lines) if start == 0)
    except StopIteration:
        return []
    run = [lines[first]]
    for start, title in lines[first + 1:]:
        if start <= run[-1][0]:
            break
        if duration_s and start >= duration_s:
            break
        run.append((start, title))
    if len(run) < MIN_CHAPTERS:
        return []
    chapters = []
    for pos, (start, title) in enumerate(run, 1):
        end = run[pos][0] if pos < len(run) else (duration_s or None)
        if end is not None and end - start < MIN_LENGTH_S:
            return []
        chapters.append({"start_s": start, "end_s": end, "title": title, "position": pos})
    return chapters


#END
