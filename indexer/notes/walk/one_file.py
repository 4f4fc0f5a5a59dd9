"""One meeting per file: a document whose title block dates it, or a notes file read
again as the meeting of its path (``meetings/2021_01_12/README.md``). ``ALog`` is how
such a file turns out to be a log after all."""
from __future__ import annotations

import re

from indexer.notes.dates import DateHit
from indexer.notes.walk.front_matter import front_matter_end


class TitleBlock:
    """A document's own title: its first heading when that is level 1, and what
    follows up to the next heading. A date written there (in the title, in a
    ``### Meeting Date/Time:`` heading right under it, on a plain or ``**Date:**``
    line) dates the document: one meeting whose section is the whole file."""

    def __init__(self, enabled: bool = True):
        self.state = "before" if enabled else "closed"
        self.level = 0

    @property
    def open(self) -> bool:
        return self.state == "open"

    def heading(self, level: int) -> str | None:
        """``title``, ``under_title`` (the first heading below it) or None."""
        if self.state == "before":
            self.level = level
            self.state = "open" if level == 1 else "closed"
            return "title" if level == 1 else None
        if self.state == "open":
            self.state = "closed"
            return "under_title" if level > self.level else None
        return None


def _path_title(path: str) -> str:
    return re.sub(r"\.(?:md|markdown|txt)$", "", re.split(r"[\\/]+", path or "notes")[-1], flags=re.I) or "notes"


class ALog(Exception):
    """Raised when a file read as one meeting writes a second one: read it again as a log."""


class OneFileMixin:
    """The walk's step for a file read as one meeting (a mixin over ``WalkState``)."""

    def open_whole_file(self) -> None:
        """The file is one meeting dated by its path or first dated line: its section is all of it."""
        first = next((i for i in range(self.lines.count) if self.lines.line(i).strip()), 0)
        first = front_matter_end(self.text, first)
        title = self.notes.title or _path_title(self.path)
        d = self.whole_file
        self.open_meeting(DateHit(d, d.month, d.day, 0, 0, "path"), title, first, 0, "file")  # type: ignore[arg-type]
        self.title_meeting = True
