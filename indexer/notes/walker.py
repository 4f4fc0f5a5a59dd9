"""The section walker: one pass over the blocks that finds meetings and fills them.

``_Parser`` opens a meeting at a dated heading, ``<details>`` summary, dated
bullet or table row, and gives it its agenda (talks from bullets, headings or
table rows), notes, recording links and cancellation; it also collects the
backlog, the sources the document names (channel, Drive folder) and warnings
with line numbers. A file whose title block dates it is read as that one
meeting unless a second meeting appears (``_ALog``); duplicates are merged
and missing years filled before it returns. The bullet and table carriers are
mixins in ``lists`` and ``tables``; what they read inside blocks is in ``walk_helpers``.
"""
from __future__ import annotations

import datetime as dt
import itertools
import re

from indexer.common import urls
from indexer.notes.agenda import (
    _note_offsets,
    agenda_item,
)
from indexer.notes.dates import (
    _HAS_DIGIT,
    _MENTION,
    DateHit,
    _fill_years,
    _month_year,
    _path_date,
    find_date,
    find_yearless_numeric,
)
from indexer.notes.markdown import _Block, _Lines, _PyBackend, _walk_items, html_heading
from indexer.notes.model import Meeting, Notes, Talk, Warning
from indexer.notes.presenters import MAX_ITEM_CHARS, _parse_notes_header
from indexer.notes.lists import (
    ListCarrier,
)
from indexer.notes.tables import (
    TableCarrier,
)
from indexer.notes.walk_helpers import (
    _AFTER_A_DATE_LINE, _AGENDA_HEAD, _AGENDA_LABEL, _ALog, _ATTENDEES_LABEL, _BACKLOG, _CANCELLED, _DATE_LABEL, _LEADS_TO_A_DATE, _LINK_TARGET, _MEETING_NOUN, _NEXT_MEETING_HEAD, _NOTES_HEAD, _NOT_AGENDA_GROUP, _NUMBERED_SESSION, _NUMBERED_TOPIC, _ONLY_A_TIME, _OTHER_EVENTS, _PART_OF_MEETING, _SERIES_NOUN, _TitleBlock, _YEAR_HEADING, _attach_talk, _first_line, _front_matter_end, _header_sources, _heading_title, _heading_topics, _lead_words, _links_its_recording, _merge_duplicates, _path_title, _without_front_matter,
)

class _Parser(ListCarrier, TableCarrier):
    """The walk's state and the carriers that open meetings: headings, paragraphs and bold date
    lines here; bullets in ``notes.lists``, tables and HTML in ``notes.tables`` (mixins over this
    one state, since a carrier opens and fills the meeting every other carrier sees)."""

    def __init__(self, text: str, backend=_PyBackend, path: str = "", whole_file: dt.date | None = None,
                 title_block: bool = True, md=None):
        self.text = text
        self.lines = _Lines(text)
        # front matter is blanked, not cut, so line numbers stay the input's
        self.md = md if md is not None else backend(_without_front_matter(text))
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
        self.title = _TitleBlock(title_block)
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

    # -- meetings -----------------------------------------------------------

    def open_meeting(self, hit: DateHit, title: str, line0: int, level: int, form: str) -> None:
        if self.title_meetings and (self.current is not None or self.meetings):
            raise _ALog  # a second meeting: the file is no single meeting
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
        if _MENTION.search(text[: hit.start]):
            return None
        if hit.problem:
            self.warn(line0, hit.problem)
            return None
        if hit.note:
            self.warn(line0, hit.note)
        return hit

    # -- walking ------------------------------------------------------------

    def run(self, blocks=None) -> Notes:
        if self.whole_file is not None:
            self.open_whole_file()
        source = self.md.blocks() if blocks is None else blocks
        # blocks are kept while the file may still turn out a log, to read them again as one
        kept: list | None = [] if self.title.state != "closed" else None
        try:
            for block in source:
                if kept is not None:
                    kept.append(block)
                self.on_block(block)
                if kept is not None and self.title.state == "closed" and not self.title_meetings:
                    kept = None
        except _ALog:
            for block in kept or []:
                if block.kind == "list" and block.lazy is None:
                    for item in _walk_items(block.items):
                        item.talk = None  # read afresh: the first reading may have added to it
            log = _Parser(self.text, path=self.path, title_block=False, md=self.md)
            return log.run(itertools.chain(kept or [], source))
        self.close_meeting(self.lines.count)
        return self.finish()

    def on_block(self, block: _Block) -> None:
        self.track(block)
        kind = block.kind
        if kind == "heading":
            self.on_heading(block)
        elif kind == "paragraph":
            self.on_paragraph(block)
        elif kind == "list":
            self.on_list(block)
        elif kind == "table":
            self.on_table(block)
        elif kind == "html":
            heading = html_heading(block)
            if heading is not None:
                self.on_heading(heading)
            else:
                self.on_html(block.content, block.start, block.end)
        else:
            self.add_notes(block.start, block.end)

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

    def on_heading(self, block: _Block) -> None:
        level, start = block.level, block.start
        inl = self.md.inline(block.inline)
        text = inl.text.strip()
        year = _YEAR_HEADING.match(text)
        if year is not None:
            self.year_heading = (level, int(year.group("y")))
        elif self.year_heading is not None and level <= self.year_heading[0]:
            self.year_heading = None
        if not self.notes.title and level == 1 and find_date(text) is None:
            self.notes.title = text
        role = self.title.heading(level)
        if (level <= 4 or self.current is None or level in self.meeting_levels) and not self.in_other_events(level):
            hit = self.heading_date(text, start, level, role)
            if hit is not None and self.restates_current(hit, level):
                self.section, self.open_talk = "other", None  # "### Meeting Date/Time: ..." under the call's title
                if _AGENDA_HEAD.match(text[: hit.start].strip() + " " + _heading_title(text, hit)):
                    # "### November 5, 2024 Topics" under "## November 5, 2024 ...": the call's agenda
                    self.section, self.agenda_level = "agenda", level
                return
            if hit is not None and not (self.title_meeting and self.whole_file is not None) and self.splits_title_meeting(
                text, hit, level
            ):
                promote = role == "under_title" and self.current is None
                # "### Meeting Date/Time: ..." under the title: the call is named by the title
                labelled = promote and self.notes.title and _DATE_LABEL.match(text)
                title = self.notes.title if labelled else _heading_title(text, hit)
                self.open_meeting(hit, title, start, self.title.level if promote else level, "heading")
                self.title_meeting = role == "title" or promote
                self.title_meetings += self.title_meeting
                self.title_date_level = level
                self.meeting_levels.add(level)
                self.last_meeting_words = (level, _lead_words(text))
                self.current.cancelled = bool(_CANCELLED.search(text))  # type: ignore[union-attr]
                return
        if self.title_meeting and self.current is not None:
            # one meeting per file: its section is the whole file, whatever the headings' levels
            if _BACKLOG.search(text):
                self.close_meeting(start)
        elif self.current is not None and not _links_its_recording(inl, text) and (
            (self.current.form in ("bold", "line") and not _PART_OF_MEETING.match(text))
            or level < self.cur_level
            or (level == self.cur_level and not _PART_OF_MEETING.match(text))
        ):
            # "### Feb 9" then "### Agenda": people often write a meeting's parts
            # at its own level; any other heading at that level ends the meeting
            self.close_meeting(start)
        if self.current is None:
            self.outer_level = level
            self.backlog_level = level if "backlog" in text.lower() else 0
            self.note_region(level, text)
            month = _month_year(text) if level <= 4 and _MEETING_NOUN.search(text) else None
            self.undated_sibling = (level, text, start, month) if month or self.sibling_of_meetings(level, text) else None
            return
        # a sub-heading of the open meeting
        header = _parse_notes_header(text)
        if header is not None and self.current.talks:
            self.section = "notes"
            self.open_talk = _attach_talk(self.current, *header)
            return
        self.open_talk = None
        numbered = _NUMBERED_TOPIC.match(text)
        if numbered and (self.section == "agenda" or self.topic_level == level) and level > self.agenda_level:
            # "## Agenda" then "### 1. Topic (Name)": each numbered sub-heading is a talk, what follows its notes
            found = agenda_item(text[numbered.end() :])
            if found is not None:
                talk = Talk(found[0], found[1], text, line=start + 1)
                self.current.talks.append(talk)
                self.section, self.open_talk, self.topic_level = "notes", talk, level
                return
        if _AGENDA_HEAD.match(text):
            self.section, self.agenda_level = "agenda", level
        elif self.section == "agenda" and level > self.agenda_level and not _NOT_AGENDA_GROUP.match(text):
            pass  # "## Agenda" then "### nodejs/node": groups of the agenda's items
        elif _NOTES_HEAD.match(text):
            self.section = "notes"
            am = re.search(r"\bby\s+@?([\w.-]+)", text, re.I)
            if am:
                self.current.notes_author = am.group(1)
        else:
            self.section = "other"
            if _CANCELLED.search(text):
                self.current.cancelled = True

    def on_paragraph(self, block: _Block) -> None:
        start, end = block.start, block.end
        src = self.md.source(block.inline)
        if (self.current is None or self.current.form == "bold") and not self.backlog_level:
            self.bold_date(block, src)
        if self.current is None or (self.current.form == "line" and not self.title_meeting):
            self.date_line(block, src)
        if self.current is None and self.undated_sibling is not None:
            self.date_in_body(self.lines.slice(start, end))
        m = self.current
        if m is None:
            if self.orphan_agenda and not self.backlog_level:
                self.orphan_talks.extend(self.paragraph_items(block))
            return
        first = src.split("\n", 1)[0]
        if self.section == "agenda":
            found = self.paragraph_items(block)
            if found:
                m.talks.extend(found)
                return
        if len(src) < 160 and _CANCELLED.search(src) and self.section != "notes":
            m.cancelled = True
        if re.match(r"^\W*agenda\W*$", first, re.I) or (len(first) <= 40 and _AGENDA_LABEL.match(first)):
            self.section, self.agenda_level = "agenda", 7  # no heading groups its items
            return
        if len(first) <= 100 and _ATTENDEES_LABEL.search(first) and "\n" not in src.strip():
            self.section = "other"  # "A partial list of attendees -": names, not talks
            return
        if re.match(r"^\W*notes?\b.{0,40}$", first, re.I) and "(" not in first:
            self.section = "notes"
            am = re.search(r"\bby\s+@?([\w.-]+)", first, re.I)
            if am:
                m.notes_author = am.group(1)
            return
        if "(" in first and m.talks:
            inl = self.md.inline(block.inline)
            header = _parse_notes_header(_first_line(inl)[0])
            if header is not None:
                self.section = "notes"
                self.open_talk = _attach_talk(m, *header)
                rest = src.split("\n", 1)[1] if "\n" in src else ""
                if self.open_talk is not None:
                    self.open_talk.notes = (self.open_talk.notes + "\n" + rest).strip()
                else:
                    self.pending_notes.append(self.lines.slice(start, end))
                return
        self.add_notes(start, end)

    def bold_date(self, block: _Block, src: str) -> None:
        """``**Feb 9, 2021**`` alone on its line, as Google Docs without heading styles gives."""
        src = src.strip()
        if not src.startswith(("**", "__")) or "\n" in src or not _HAS_DIGIT.search(src):
            return
        inl = self.md.inline(block.inline)
        text = inl.text.strip()
        if not inl.bold or inl.bold[0][0] != 0 or inl.bold[0][1] < len(text.rstrip(" :")):
            return  # only a wholly bold line
        hit = self.date_for_meeting(text, block.start, at_start=True)
        if hit is not None:
            in_title = self.title.open and self.current is None
            self.open_meeting(hit, _heading_title(text, hit), block.start, 7, "bold")
            self.title_meeting = in_title
            self.title_meetings += in_title
            self.current.cancelled = bool(_CANCELLED.search(text))  # type: ignore[union-attr]

    def open_whole_file(self) -> None:
        """The file is one meeting dated by its path or first dated line: its section is all of it."""
        first = next((i for i in range(self.lines.count) if self.lines.line(i).strip()), 0)
        first = _front_matter_end(self.text, first)
        title = self.notes.title or _path_title(self.path)
        d = self.whole_file
        self.open_meeting(DateHit(d, d.month, d.day, 0, 0, "path"), title, first, 0, "file")  # type: ignore[arg-type]
        self.title_meeting = True

    def heading_date(self, text: str, line0: int, level: int, role: str | None) -> DateHit | None:
        hit = self.date_for_meeting(text, line0)
        if hit is not None:
            return hit
        own = self.title_date_level if self.title_meeting and self.title_date_level else self.cur_level
        if self.current is not None and level > own:
            return None  # "Part 1/2" inside a meeting
        hit = find_yearless_numeric(text)
        if hit is None or _MENTION.search(text[: hit.start]):
            return None
        # a title, a sibling of dated meeting headings, or "Community Call 04/26"
        if role is None and level not in self.meeting_levels and not _LEADS_TO_A_DATE.match(text[: hit.start]):
            return None
        return hit

    def splits_title_meeting(self, text: str, hit: DateHit, level: int) -> bool:
        """Inside a file's own meeting, a heading with another date starts a new meeting only
        when written like a log entry: at the level of the heading that dated the file, or led by its date."""
        if not self.title_meeting or self.current is None:
            return True
        if level == self.title_date_level:
            return True
        return text[: hit.start].strip(" \t*_([#:-–—") == ""

    def restates_current(self, hit: DateHit, level: int) -> bool:
        """A dated heading under a meeting that repeats its date (or gives the year it lacked)."""
        m = self.current
        if m is None or level <= self.cur_level:
            return False
        if m.date is not None:
            return hit.date == m.date
        if getattr(m, "_month_day", None) != (hit.month, hit.day):
            return False
        if hit.date is not None:
            m.date = hit.date
        return True

    def date_line(self, block: _Block, src: str) -> None:
        """``24 Nov 2020`` or ``**Date:** 26 March 2019 at 9am`` under the document's title: its date.
        Elsewhere, outside any meeting, a line that is only a date (and a time) starts one."""
        if not _HAS_DIGIT.search(src):
            return
        text = _first_line(self.md.inline(block.inline))[0].strip()
        if self.session_line(text, block):
            return
        if self.title.open and self.current is None:
            label = _DATE_LABEL.match(text)
            if label is None and len(text) > 120:
                return
            rest = text[label.end():] if label else text
            hit = self.date_for_meeting(rest, block.start, at_start=True)
            if hit is not None and not label and not _AFTER_A_DATE_LINE.match(rest[hit.end:]):
                return  # "2021-03-24: we moved the agenda" is prose, not the file's date
            if hit is not None:
                self.open_meeting(hit, self.notes.title or _heading_title(rest, hit), block.start, self.title.level, "line")
                self.title_meeting = True
                self.title_meetings += 1
                self.title_date_level = 0
            return
        if "\n" in src.strip() or self.backlog_level or self.region_level:
            return
        plain = text.strip(" *_")
        hit = find_date(plain)
        if hit is None:
            return
        if not _ONLY_A_TIME.match(plain[hit.end:]):
            return
        hit = self.date_for_meeting(plain, block.start, at_start=True)
        if hit is not None:
            self.open_meeting(hit, plain, block.start, 7, "line")

    def session_line(self, text: str, block: _Block) -> bool:
        """``Session 3: Working with a Distance Sensor (11/02/22)``: a numbered session dated at
        its end in brackets, outside any meeting, starts one."""
        if self.current is not None and self.current.form != "line" or self.backlog_level or self.region_level:
            return False
        plain = text.strip(" *_")
        hit = find_date(plain)
        if hit is None or not _NUMBERED_SESSION.match(plain):
            return False
        if not (plain[: hit.start].rstrip().endswith(("(", "[")) and plain[hit.end :].strip() in (")", "]")):
            return False
        hit = self.date_for_meeting(plain, block.start)
        if hit is None:
            return False
        self.open_meeting(hit, _heading_title(plain, hit), block.start, 7, "line")
        return True

    def in_other_events(self, level: int) -> bool:
        return bool(self.region_level) and self.current is None and level > self.region_level

    def note_region(self, level: int, text: str) -> None:
        """"Past conferences", "Open action items": dated bullets below are not meetings."""
        if self.region_level and level > self.region_level:
            return
        # "# Release WG meeting notes" is the series' own title, not a list of releases
        other = _OTHER_EVENTS.search(text) and not (_MEETING_NOUN.search(text) or _SERIES_NOUN.search(text))
        # "### Next All-Committee Meeting" over "- Monday, July 29 @ 5pm" after this file's
        # meetings: the date of a call to come, announced in the notes of the last one
        other = other or bool(self.meetings and _NEXT_MEETING_HEAD.match(text))
        self.region_level = level if other else 0

    def sibling_of_meetings(self, level: int, text: str) -> bool:
        """An undated heading written like the meeting headings before it (``### **5. Stammtisch ...**``)."""
        last = self.last_meeting_words
        if last is None or last[0] != level:
            return False
        words = _lead_words(text)
        return len(words) >= 2 and words[:2] == last[1][:2]

    def date_in_body(self, body: str) -> None:
        """The undated sibling heading's meeting, dated by the first date in its body."""
        level, text, line0, month = self.undated_sibling  # type: ignore[misc]
        self.undated_sibling = None
        body = _LINK_TARGET.sub("]", body)
        hit = find_date(body)
        if hit is None or hit.date is None or hit.problem or _MENTION.search(body[: hit.start]):
            return
        if month is not None and (hit.date.year, hit.date.month) != month:
            return  # "Meeting December 2025" is dated by a day of December 2025 only
        self.open_meeting(hit, text.strip(" *_"), line0, level, "heading")
        self.last_meeting_words = (level, _lead_words(text))

    # -- agendas ------------------------------------------------------------

    def adopt_agenda(self, meetings: list[Meeting]) -> None:
        """A document holding one meeting holds its agenda, even outside the meeting's
        section: agenda items met with no meeting open, else its topic headings."""
        if len(meetings) != 1 or meetings[0].talks or meetings[0].cancelled:
            return
        m = meetings[0]
        m.talks = self.orphan_talks or _heading_topics(self.headings, m.line - 1, self.lines)
        _note_offsets(m.talks)

    def track(self, block: _Block) -> None:
        """Headings in order (with whether any block follows before the next), for topic headings."""
        if block.kind == "heading":
            text = self.md.inline(block.inline).text.strip()
            self.headings.append([block.start, block.level, text[:MAX_ITEM_CHARS], False])
            self.orphan_agenda = bool(_AGENDA_HEAD.match(text))
        elif self.headings:
            self.headings[-1][3] = True

    # -- after the walk -----------------------------------------------------

    def finish(self) -> Notes:
        meetings = self.meetings
        for m in meetings:
            if m.form == "file" and self.notes.title:
                m.title = self.notes.title
        _fill_years(meetings, self.warnings, _path_date(self.path))
        for m in meetings:
            _note_offsets(m.talks)
            m.links = urls.find_links(m.raw, first_line=m.line)
            for link in m.links:
                if link.kind == "youtube":
                    if link.ref not in m.video_ids:
                        m.video_ids.append(link.ref)
                elif link.kind in ("drive_file", "drive_folder") and link.ref not in m.drive_ids:
                    m.drive_ids.append(link.ref)
        self.notes.meetings = _merge_duplicates(meetings, self.warnings)
        self.adopt_agenda(self.notes.meetings)
        self.notes.sources = _header_sources(self.lines, meetings)
        return self.notes


