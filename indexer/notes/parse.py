"""``parse_notes``: the parser's entry point.

Picks the markdown-it build (Rust when installed and the nesting is safe for
it, markdown-it-py when it is missing or fails), runs the walker, and reads a
notes file in which no meeting is written as one meeting when its name says
it holds meeting notes and its path or a line dates it
(``meetings/2021_01_12/README.md``). Never raises: what it cannot read
becomes a ``Warning``.
"""
from __future__ import annotations

import datetime as dt
import re

from indexer.notes.dates import HAS_DIGIT, MENTION, path_date, find_date
from indexer.notes.markdown import BACKENDS, SourceLines, rs_available
from indexer.common.urls import find_links
from indexer.notes.model import Notes, Warning
from indexer.notes.walk.front_matter import FRONT_MATTER, without_front_matter
from indexer.notes.walk.inline import LINK_TARGET
from indexer.notes.walk.parser import NotesParser

_MEETING_WORDS = re.compile(
    r"\b(?:meeting|meetup|call|sync|minutes|notes|stand-?up|session|agenda|community|working\s+group)s?\b", re.I
)


# "release-notes.md", "Patch notes": notes of a version, not of a meeting
_NOT_MEETING_NOTES = re.compile(r"\b(?:release|patch|version|upgrade|migration)\s+notes?\b", re.I)


def _whole_file_date(lines: SourceLines, title: str, path: str) -> dt.date | None:
    """A meeting-notes file in which no meeting was found: the date of its path, else of its
    front matter's ``date:``, else of its first dated line."""
    front = _front_matter_fields(lines.text)
    names = " ".join([title, front.get("title", ""), front.get("tags", ""), *_path_names(path)])
    names = _NOT_MEETING_NOTES.sub(" ", re.sub(r"[_\-.]", " ", names))
    if not _MEETING_WORDS.search(names):
        return None
    pd = path_date(path)
    if pd.date is not None:
        return pd.date
    hit = find_date(front.get("date", "")) or find_date(front.get("title", ""))
    if hit is not None and hit.date is not None and not hit.problem:
        return hit.date  # Jekyll / Hugo / Docusaurus pages: "date: 2022-11-09", "title: 2022-11-09 Community Meeting"
    text = without_front_matter(lines.text)
    for line in text.splitlines():
        if not HAS_DIGIT.search(line):
            continue
        line = LINK_TARGET.sub("]", line)
        hit = find_date(line)
        if hit is None or hit.problem or MENTION.search(line[: hit.start]):
            continue
        if hit.date is not None:
            return hit.date
        if pd.year is not None:
            try:
                return dt.date(pd.year, hit.month, hit.day)
            except ValueError:
                continue
    return None


_FRONT_FIELD = re.compile(r"^(?P<key>date|title|tags)\s*:\s*(?P<value>.{0,300})$", re.I | re.M)


def _front_matter_fields(text: str) -> dict[str, str]:
    """``date``, ``title`` and ``tags`` of a YAML front matter block, as written."""
    m = FRONT_MATTER.match(text)
    if m is None:
        return {}
    fields: dict[str, str] = {}
    for f in _FRONT_FIELD.finditer(m.group(0)):
        fields.setdefault(f.group("key").lower(), f.group("value").strip().strip("'\""))
    return fields


def _path_names(path: str) -> list[str]:
    """The file's name and the three folders above it ("community-calls/2022/11/09.md")."""
    return re.split(r"[\\/]+", re.sub(r"\.(?:md|markdown|txt)$", "", path or "", flags=re.I))[-4:]


# A line opening hundreds of nested lists or quotes (" - - - - ..."): markdown-it.rs
# builds the tree, but freeing it recurses once per level and overflows the native
# stack (a segfault, nothing Python can catch); markdown-it-py caps the nesting.
_DEEP_NESTING = re.compile(r"^[ \t]*(?:>[ \t]*|(?:[-*+]|\d{1,9}[.)])[ \t]+){200}", re.M)


def parse_notes(text: str, path: str = "", backend: str | None = None) -> Notes:
    """Parse a notes document. Never raises.

    ``backend`` picks the markdown-it build ("rs" or "py"); by default the
    Rust one when installed, markdown-it-py if it is missing or fails.
    """
    if not isinstance(text, str):
        text = str(text)
    names = [backend] if backend else (["rs", "py"] if rs_available() and not _DEEP_NESTING.search(text) else ["py"])
    error: BaseException | None = None
    for name in names:
        try:
            notes = _parse_once_or_as_one_meeting(text, path, BACKENDS[name])
            notes.videos_elsewhere = _videos_elsewhere(text, notes)
            return notes
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - a Rust panic is a BaseException
            error = exc
    notes = Notes()  # a bug, but the contract is "never raise"
    notes.warnings.append(Warning(1, f"parser error: {type(error).__name__}: {error}"))
    return notes


def _only_dates_mentioned(notes: Notes, path: str) -> bool:
    """``minutes/2020-01-09.md`` whose only dates are year-less bullets ("- Jan 13 — design meeting
    on X"): the file is the meeting of its path; the bullets name other days."""
    pd = path_date(path).date
    return pd is not None and all(
        m.form == "bullet" and getattr(m, "_month_day", None) is not None and m.date != pd for m in notes.meetings
    )


def _videos_elsewhere(text: str, notes: Notes) -> list[str]:
    """YouTube ids linked in ``text`` but in no meeting's links, in order of first mention."""
    in_meetings = {link.ref for m in notes.meetings for link in m.links}
    found = dict.fromkeys(link.ref for link in find_links(text) if link.kind == "youtube")
    return [ref for ref in found if ref not in in_meetings]


def _parse_once_or_as_one_meeting(text: str, path: str, backend) -> Notes:
    """A file dated under its title is one meeting only if no other meeting is
    written in it: else it is a log, read again the way logs are. A notes file
    in which no meeting is written is read again as one meeting
    (``meetings/2021_01_12/README.md``) when its path or a line dates it."""
    notes = NotesParser(text, backend, path).run()
    if notes.meetings and not _only_dates_mentioned(notes, path):
        return notes
    day = _whole_file_date(SourceLines(text), notes.title, path)
    if day is None:
        return notes
    return NotesParser(text, backend, path, whole_file=day).run()
