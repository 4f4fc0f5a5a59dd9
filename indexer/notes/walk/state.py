"""The walk's shared state: the open meeting and its section, opening and closing it,
dating it (with warnings for broken dates), notes under it, and the agenda a
one-meeting document keeps outside its section."""
from __future__ import annotations

import datetime as dt

from indexer.notes.agenda import note_offsets
from indexer.notes.dates import MENTION, DateHit, find_date
from indexer.notes.markdown import Block, SourceLines, PyBackend
from indexer.notes.model import Meeting, Notes, Presenter, Talk, Warning
from indexer.notes.presenters import MAX_ITEM_CHARS
from indexer.notes.walk.front_matter import without_front_matter
from indexer.notes.walk.labels import AGENDA_HEAD
from indexer.notes.walk.one_file import ALog, TitleBlock
from indexer.notes.walk.topics import heading_topics


class WalkState:

    def __init__(self, text: str, backend=PyBackend, path: str = "", whole_file: dt.date | None = None,
                 title_block: bool = True, md=None):
        self.text = text
        self.lines = SourceLines(text)
        # front matter is blanked, not cut, so line numbers stay the input's
        self.md = md if md is not None else backend(without_front_matter(text))
        self.path = path
        self.whole_file = whole_file  # the date of a file that is one meeting (read a second time)
        self.notes = Notes()
        self.meetings: list[Meeting] = []
        self.warnings = self.notes.warnings
        # the meeting whose section is open
        self.current: Meeting | None = None
        self.cur_level = 0  # level of its heading (for <details>: of the heading around the block)
        self.cur_depth = 0  # <details> depth it opened at
        self.section: str | None = None  # None | agenda | notes | other
        self.agenda_level = 0  # level of the heading that opened the agenda section
        self.topic_level = 0  # level of numbered topic headings under the agenda ("### 1. Topic")
        self.open_talk: Talk | None = None
        self.pending_notes: list[str] = []
        self.backlog_level = 0  # >0 while inside a backlog section
        self.details_depth = 0
        self.outer_level = 0  # level of the last heading that is not a meeting
        # for a one-meeting document whose agenda lies outside the meeting's section:
        # every heading as [line0, level, text, has_body], and agenda items met with no meeting open
        self.headings: list[list] = []
        self.orphan_agenda = False
        self.orphan_talks: list[Talk] = []
        self.title = TitleBlock(title_block)
        self.title_meetings = 0  # meetings opened as the file's own
        self.title_meeting = False  # the open meeting is the document's own (one meeting per file)
        self.title_date_level = 0  # level of the heading that dated it (0: a line did)
        self.region_level = 0  # >0 while inside a list of other events (conferences, action items)
        self.meeting_levels: set[int] = set()  # heading levels that held meetings
        self.last_meeting_words: tuple[int, list[str]] | None = None
        # a meeting heading whose date is in its body: (level, text, line, (year, month) the heading names)
        self.undated_sibling: tuple | None = None
        self.year_heading: tuple[int, int] | None = None  # (level, year) of an enclosing "## 2021" heading

    def warn(self, line0: int, message: str) -> None:
        self.warnings.append(Warning(max(1, min(line0 + 1, max(self.lines.count, 1))), message))

    def open_meeting(self, hit: DateHit, title: str, line0: int, level: int, form: str) -> None:
        if self.title_meetings and (self.current is not None or self.meetings):
            raise ALog  # a second meeting: the file is no single meeting
        self.close_meeting(line0)
        self.title_meeting = False
        self.undated_sibling = None
        m = Meeting(date=hit.date, title=title, line=line0 + 1, form=form)  # type: ignore[arg-type]
        if hit.date is None:
            m._month_day = (hit.month, hit.day)  # type: ignore[attr-defined]
            self.give_section_year(m, level)
        self.current = m
        self.cur_level = level
        self.cur_depth = self.details_depth
        self.section = None
        self.open_talk = None
        self.topic_level = 0
        self.backlog_level = 0

    def close_meeting(self, end0: int) -> None:
        m = self.current
        if m is None:
            return
        m.end_line = max(end0, m.line - 1) + 1
        m.raw = self.lines.slice(m.line - 1, end0)
        m.notes = "\n\n".join(self.pending_notes).strip()
        self.pending_notes = []
        self.meetings.append(m)
        self.current = None
        self.open_talk = None
        self.section = None

    def date_for_meeting(self, text: str, line0: int, at_start: bool = False) -> DateHit | None:
        """The date that makes ``text`` a meeting, or None (with a warning if it is broken)."""
        hit = find_date(text)
        if hit is None:
            return None
        if at_start and text[: hit.start].strip(" \t*_([#:-–—") != "":
            return None
        if MENTION.search(text[: hit.start]):
            return None
        if hit.problem:
            self.warn(line0, hit.problem)
            return None
        if hit.note:
            self.warn(line0, hit.note)
        return hit

    def add_notes(self, start: int, end: int) -> None:
        if self.current is None or self.section != "notes":
            return
        block = self.lines.slice(start, end)
        if self.open_talk is not None:
            self.open_talk.notes = (self.open_talk.notes + "\n" + block).strip()
        else:
            self.pending_notes.append(block)

    def give_section_year(self, m: Meeting, level: int) -> None:
        """A year-less meeting under a ``## 2021`` heading takes that year."""
        if self.year_heading is not None and level > self.year_heading[0]:
            m._section_year = self.year_heading[1]  # type: ignore[attr-defined]

    def adopt_agenda(self, meetings: list[Meeting]) -> None:
        """A document holding one meeting holds its agenda, even outside the meeting's
        section: agenda items met with no meeting open, else its topic headings."""
        if len(meetings) != 1 or meetings[0].talks or meetings[0].cancelled:
            return
        m = meetings[0]
        m.talks = self.orphan_talks or heading_topics(self.headings, m.line - 1, self.lines)
        note_offsets(m.talks)

    def track(self, block: Block) -> None:
        """Headings in order (with whether any block follows before the next), for topic headings."""
        if block.kind == "heading":
            text = self.md.inline(block.inline).text.strip()
            self.headings.append([block.start, block.level, text[:MAX_ITEM_CHARS], False])
            self.orphan_agenda = bool(AGENDA_HEAD.match(text))
        elif self.headings:
            self.headings[-1][3] = True


def attach_talk(meeting: Meeting, title: str, presenters: list[Presenter]) -> Talk | None:
    """Find the agenda talk a notes header speaks of: by title words, then presenter."""
    from rapidfuzz import fuzz

    best, best_score = None, 0.0
    wanted = {p.name.split()[0].lower() for p in presenters if p.name.split()}
    for talk in meeting.talks:
        score = fuzz.token_set_ratio(title.lower(), talk.title.lower())
        names = {p.name.split()[0].lower() for p in talk.presenters if p.name.split()}
        if wanted & names:
            score += 40
        if score > best_score:
            best, best_score = talk, score
    if best_score < 60:
        return None
    best.noted_presenters.extend(p for p in presenters if p not in best.noted_presenters)
    return best
