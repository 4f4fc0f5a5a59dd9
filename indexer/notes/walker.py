"""The section walker: one pass over the blocks that finds meetings and fills them.

``_Parser`` opens a meeting at a dated heading, ``<details>`` summary, dated
bullet or table row, and gives it its agenda (talks from bullets, headings or
table rows), notes, recording links and cancellation; it also collects the
backlog, the sources the document names (channel, Drive folder) and warnings
with line numbers. A file whose title block dates it is read as that one
meeting unless a second meeting appears (``_ALog``); duplicates are merged
and missing years filled before it returns.
"""
from __future__ import annotations

import datetime as dt
import html
import itertools
import re

from indexer.common import urls
from indexer.notes.agenda import (
    _GENERIC_TITLE,
    _KIND_PREFIX,
    _NAME_TAG,
    _PLACEHOLDER,
    _dated_bullet_talks,
    _italic_tail,
    _lead_group,
    _note_offsets,
    agenda_item,
)
from indexer.notes.dates import (
    _DATE_RE,
    _HAS_DIGIT,
    _MENTION,
    DateHit,
    _fill_years,
    _month_year,
    _path_date,
    find_date,
    find_yearless_numeric,
)
from indexer.notes.markdown import _Block, _Inline, _Item, _Lines, _PyBackend, _walk_items, html_heading
from indexer.notes.model import BacklogItem, Meeting, Notes, Presenter, Source, Talk, Warning
from indexer.notes.presenters import _SEPARATORS, MAX_ITEM_CHARS, _parse_notes_header, _parse_who, parse_talk

_CANCELLED = re.compile(r"\b(?:cancell?ed|no\s+call|no\s+meeting|no\s+sync|skipped)\b", re.I)


# what the label of a recording / slides link says when it names the resource, not the talk
_RESOURCE_WORDS = re.compile(
    r"\b(?:record\w*|videos?|youtube|watch|links?|here|slides?|deck|stream\w*|replay|part|audio|meeting|call"
    r"|session|full|pdf|presentation|talk|demo)\b|://",
    re.I,
)


def _without_recording_labels(inl: _Inline) -> _Inline:
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
    return _Inline(text, bold, [])


def _first_line(inl: _Inline) -> tuple[str, list]:
    text = inl.text
    cut = text.find("\n")
    if cut < 0:
        return text, inl.bold
    return text[:cut], [(a, b) for a, b in inl.bold if b <= cut]


_AGENDA_HEAD = re.compile(
    r"^\W*(?:(?:proposed|draft|tentative|preliminary|planned|suggested|meeting|today['’]?s)\s+)?"
    r"(?:agenda|talks?|presentations?|schedule|program(?:me)?|speakers?|line-?up|topics?)\b"
    r"|^\W*(?:[\w/&-]+\s+){1,2}agenda(?:\s+items?)?\W*$",  # "Actionable Agenda Items:", "Open discussion agenda"
    re.I,
)


_PART_OF_MEETING = re.compile(
    r"^\W*(?:[\w/&-]+\s+){1,2}agenda(?:\s+items?)?\W*$"  # "### Actionable Agenda Items:" under "### May 3 2023"
    r"|^\W*(?:meeting\s+|proposed\s+)?(?:agenda(?:\s+items?)?|notes?|minutes|attendees|attending|attendance|action\s+items|recording|video"
    r"|youtube(?:\s+video)?|slides|discussion|q\s*&\s*a|announcements?"
    r"|info(?:rmation)?|details|logistics|summary|decisions?(?:\s+made)?|participants)\b\W*(?:(?:by|from)\b.*)?$",
    re.I,
)


# sub-headings under an agenda heading that end the agenda rather than group its items
_NOT_AGENDA_GROUP = re.compile(
    r"^\W*(?:notes?|minutes|discussion|attendees|attendance|present|participants"
    r"|(?:(?:previous|past|open|new|old)\s+)?action\s+items|recording"
    r"|q\s*&\s*a|next\s+meeting|upcoming|logistics|registration)\b",
    re.I,
)


# a line of its own over the agenda list: "Agenda items:", "Proposed agenda", "Topics:"
_AGENDA_LABEL = re.compile(rf"(?:{_AGENDA_HEAD.pattern})(?:\s+items?)?\s*[:-]?\s*$", re.I)
# a bullet over a list of people: "- **Participants:**", "- Attendees"
_PEOPLE_LABEL = re.compile(
    r"^\W*(?:participants|attendees|attendance|present|hosts?|facilitators?|note-?\s?takers?|scribes?)\W*"
    r"(?:(?:\[[^\]]*\]|\([^)]*\))\W*)?$",  # "* Attendees [name, affiliation]": a hint for who signs in
    re.I,
)
# a line over a list of who came: "Attendees:", "Present", "A partial list of attendees -"
_ATTENDEES_LABEL = re.compile(r"(?:\b(?:attendees|attendance|participants)|^\W*present)\W*$", re.I)


_NUMBERED_TOPIC = re.compile(r"^\s*\d{1,2}[.)]\s+(?=\S)")


_NOTES_HEAD = re.compile(r"^\W*(?:notes?|minutes|discussion)\b", re.I)


_GROUP = re.compile(
    r"^(?:guest\s+|community\s+|lightning\s+|main\s+)?(?:presentations?|talks?|demos?|speakers?|updates?)\W*$",
    re.I,
)


_DATE_COL = re.compile(r"^\W*(?:date|when|day|meeting|session)\b", re.I)


_TITLE_COL = re.compile(
    r"^\W*(?:topic|title|talk|subject|agenda|presentation|session title|discussion\s+point|agenda\s+item)s?\b"
    r"|^\W*(?:[\w-]+\s+){0,2}(?:topic|title|talk|paper|article|document)s?\W*$",  # "Reading Club Document"
    re.I,
)


_WHO_COL = re.compile(r"^\W*(?:presenters?|speakers?|who|by|hosts?|names?)\b", re.I)


_ORG_COL = re.compile(r"^\W*(?:org|organi[sz]ation|company|affiliation)\b", re.I)


_DIGIT = re.compile(r"\d")


_MARKER = re.compile(r"^\s*(?:(?:[*+-]|\d{1,9}[.)])(?:\s+|$))+")
# <details>, </details> and <summary> openings; a summary's text runs to its
# </summary> (found with str.find, once per closing tag: a thousand unclosed
# summaries stay linear). Tags hold at most 500 characters of attributes.
_HTML_TAGS = re.compile(r"<(?P<close>/?)(?P<tag>details|summary)\b[^<>]{0,500}>", re.I)


_SUMMARY_CLOSE = re.compile(r"</summary\s{0,20}>", re.I)


_TAG = re.compile(r"<[^<>]{0,500}>")
# the cells of an HTML layout table
_HTML_ROW = re.compile(r"<tr\b[^<>]{0,500}>(?P<in>.*?)</tr\s{0,20}>", re.I | re.S)
_HTML_CELL = re.compile(r"<(?P<t>t[dh])\b[^<>]{0,500}>(?P<in>.*?)</(?P=t)\s{0,20}>", re.I | re.S)


def _html_text(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(_TAG.sub(" ", fragment))).strip()


_CELL_OPEN = re.compile(r"<t[dh]\b[^<>]{0,500}>", re.I)
_CELL_CLOSE = re.compile(r"</t[dh]\s{0,20}>", re.I)


def _html_tags(content: str):
    """(offset, line offset, "open" | "close" | "summary", summary text) for each tag, in order."""
    close = None  # the next </summary> at or after the scan position
    line, counted, pos = 0, 0, 0
    for m in _HTML_TAGS.finditer(content):
        if m.start() < pos:
            continue  # inside a summary already read
        line += content.count("\n", counted, m.start())
        counted = m.start()
        if m.group("tag").lower() == "details":
            yield m.start(), line, ("close" if m.group("close") else "open"), None
            continue
        if m.group("close"):
            continue
        if close is not None and close.start() < m.end():
            close = None
        if close is None:
            close = _SUMMARY_CLOSE.search(content, m.end())
            if close is None:
                return  # no summary closes after here
        yield m.start(), line, "summary", content[m.end() : close.start()]
        pos = close.end()


# -- how people keep meetings: a file per meeting, date lines, other events ----

class _TitleBlock:
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


_LEADS_TO_A_DATE = re.compile(
    r"^[\W_]*(?:[\w-]+\s+){0,3}?(?:meeting|meetup|call|sync|minutes|notes|stand-?up|session|hangout)?[\s:#-]*$", re.I
)
# what may follow a date on a line that is only a date: ", 14:00 UTC", "at 9am PST", "(Tuesday)"
_ONLY_A_TIME = re.compile(
    r"^[\s,:@-]*(?:at\s+)?(?:\d{1,2}(?:[:.]\d\d)?\s*(?:am|pm|h)?(?:\s*[-–]\s*\d{1,2}(?:[:.]\d\d)?\s*(?:am|pm|h)?)?)?"
    r"\s*(?:[A-Z]{2,5}(?:[+-]\d{1,2})?)?\s*(?:\((?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\))?[\s.:]*$",
    re.I,
)
# a date line under a title: the date alone (and a time), or with links after a separator ("24 Nov 2020 | [Recording]")
_AFTER_A_DATE_LINE = re.compile(rf"{_ONLY_A_TIME.pattern}|^\s*[|·•(–—-]", re.I)


_DATE_LABEL = re.compile(r"^\W*(?:meeting\s+)?(?:date|when|date\s*/\s*time|date\s+and\s+time|time)\W*?:\W*", re.I)


_BACKLOG = re.compile(r"\bbacklog\b", re.I)
# a heading that only names a year, over that year's meetings: "## 2021", "## Meetings in 2020"
_YEAR_HEADING = re.compile(r"^\W*(?:(?:meetings?|calls?|notes|minutes|sessions?|in|of)\s+){0,2}(?P<y>(?:19|20)\d\d)\W*$", re.I)
# headings over lists of events that are not this series' meetings, or of tasks with due dates
_OTHER_EVENTS = re.compile(
    r"\b(?:conferences?|workshops?|action[\s-]+items?|to-?dos?|deadlines?|publications?|papers|milestones?"
    # releases, changelogs, roadmaps, news and other events: dated, but no meetings of the series
    r"|releases?|change-?\s?logs?|version\s+history|roadmaps?|timelines?|news|press|blog\s+posts?"
    r"|(?:upcoming|other|community|related|past)\s+events|events\s+calendar)\b",
    re.I,
)
_NUMBERED_SESSION = re.compile(r"^\W*(?:sessions?|meetings?|calls?|meetups?|workshops?)\s*#?\d{1,3}\b", re.I)
_NEXT_MEETING_HEAD = re.compile(
    r"^\W*(?:next|upcoming|following)\s+(?:[\w&/-]+\s+){0,2}(?:meetings?|calls?|syncs?|sessions?)\W*$", re.I
)
# "](url)" with one level of parentheses inside the URL; a run of "](" without ")" is
# scanned once (a "[^)\s]*" class reached over every later "](" and went quadratic)
_LINK_TARGET = re.compile(r"\]\((?:[^()\s]|\([^()\s]*\))*\s*\)")


# YAML front matter opens with a key (or closes at once); a leading "---" rule over the text is none
_FRONT_MATTER = re.compile(
    r"\A(?:\ufeff)?---[ \t]*\r?\n(?=[ \t]*(?:[\w\"'-][^\r\n:]{0,80}:|#|---|\.\.\.))(?:.*\r?\n){0,200}?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)"
)


def _without_front_matter(text: str) -> str:
    """YAML front matter (``---`` ... ``---``) as blank lines: it is no heading and no date."""
    m = _FRONT_MATTER.match(text)
    if m is None:
        return text
    return re.sub(r"[^\r\n]", "", m.group(0)) + text[m.end():]


def _front_matter_end(text: str, line0: int) -> int:
    """The first line after any front matter (0-based), at least ``line0``."""
    m = _FRONT_MATTER.match(text)
    if m is None:
        return line0
    after = text.count("\n", 0, m.end())
    rest = text[m.end():]
    skip = len(rest) - len(rest.lstrip("\r\n"))
    return max(line0, after + rest.count("\n", 0, skip))


_SERIES_NOUN = re.compile(r"\b(?:notes|wg|working\s+group|team|sig|committee)\b", re.I)


_MEETING_NOUN = re.compile(
    r"\b(?:meeting|meetup|call|sync|stand-?up|session|hangout|gathering|minutes|treffen|stammtisch)s?\b", re.I
)


def _links_its_recording(inl: "_Inline", text: str) -> bool:
    """``### [Audio Video of the Meeting](https://youtube...)``: a heading that is only a
    recording's link is a part of the meeting above, whatever its level."""
    if len(inl.links) != 1:
        return False
    a, b, href = inl.links[0]
    link = urls.classify_url(href.strip())
    return link is not None and link.kind in ("youtube", "drive_file") and not (inl.text[:a] + inl.text[b:]).strip(" *_:-")


def _lead_words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]{2,}", text.lower())[:3]


def _path_title(path: str) -> str:
    return re.sub(r"\.(?:md|markdown|txt)$", "", re.split(r"[\\/]+", path or "notes")[-1], flags=re.I) or "notes"


class _ALog(Exception):
    """Raised when a file read as one meeting writes a second one: read it again as a log."""


class _Parser:
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

    def on_list(self, block: _Block) -> None:
        if self.current is None and self.undated_sibling is not None:
            self.date_in_body(self.lines.slice(block.start, block.end))
        m = self.current
        if m is None:
            if self.backlog_level:
                self.backlog(block.list_items())
            elif not self.region_level:
                before = len(self.meetings)
                self.bullet_meetings(block.list_items())
                if self.orphan_agenda and len(self.meetings) == before:
                    self._talks(block.list_items(), self.orphan_talks)
            return
        if self.section == "agenda":
            self.agenda(m, block.list_items())
        elif self.section is None:
            # bullets straight under the date: an agenda if any reads like a talk
            talks: list[Talk] = []
            self._talks(block.list_items(), talks)
            labelled = any(item.children and _AGENDA_LABEL.match(self.item_talk(item)[2].replace("*", ""))
                           for item in block.list_items())
            if labelled or any(t.presenters or _KIND_PREFIX.match(t.raw) for t in talks):
                m.talks.extend(talks)  # "- **Agenda:**" with the items below it, or items naming presenters
        else:
            self.add_notes(block.start, block.end)

    # -- meetings as people keep them: one per file, date lines, other events --

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

    def paragraph_items(self, block: _Block) -> list[Talk]:
        """Agenda items written as plain lines (``(Jeremie) Approve the minutes``), one per line.

        Several lines are items unless one starts in lower case (a wrapped sentence);
        a single line only when it names its presenter.
        """
        inl = self.md.inline(block.inline)
        if inl.links:
            inl = _without_recording_labels(inl)
        lines = _split_lines(inl)
        if len(lines) > 1 and any(t[:1].islower() for t, _ in lines):
            return []
        if len(lines) == 1 and not (_lead_group(lines[0][0]) or _NAME_TAG.search(lines[0][0])):
            return []  # one line of prose ("**Danny** [5:31]: we are live ...") is no agenda
        out = []
        for k, (text, bold) in enumerate(lines):
            found = agenda_item(text, bold)
            if found is None or (len(lines) == 1 and not found[1]):
                continue
            line0 = block.start + k
            out.append(Talk(found[0], found[1], self.lines.line(line0).strip(), line=line0 + 1))
        return out

    def item_talk(self, item: _Item) -> tuple[str, list[Presenter], str]:
        if item.inline is None:
            return "", [], ""
        if item.talk is None:
            item.talk = self._item_talk(item)
        return item.talk

    def _item_talk(self, item: _Item) -> tuple[str, list[Presenter], str]:
        inl = self.md.inline(item.inline)
        if inl.links:
            inl = _without_recording_labels(inl)
        text, bold = _first_line(inl)
        found = agenda_item(text, bold)
        title, presenters = found if found is not None else ("", [])
        raw = _MARKER.sub("", self.lines.line(item.line)).strip()
        if title and not presenters and raw[-1:] in "_*":
            title, presenters = _italic_tail(title, raw)
        return title, presenters, raw

    def agenda(self, m: Meeting, items: list[_Item]) -> None:
        self._talks(items, m.talks)

    def _talks(self, items: list[_Item], out: list[Talk]) -> None:
        for item in items:
            title, presenters, raw = self.item_talk(item)
            if title and _PEOPLE_LABEL.match(raw.replace("*", "")):
                continue  # "* Attendees [name, affiliation]" over the names of who came: no talk
            if not title and not presenters:
                if not _PEOPLE_LABEL.match(raw.replace("*", "")):  # "- **Participants:**": names below, not talks
                    self._talks(item.children, out)
                continue
            kids = [(c, *self.item_talk(c)) for c in item.children]
            first = kids[0] if kids and not title and presenters else None
            if first is not None and (first[1] and not first[2] or not first[1] and first[2]):
                # "**Jeremy**:" with the topic as its first sub-bullet (itself maybe bold: "**Nbterm**")
                title = first[1] or _first_line(self.md.inline(first[0].inline))[0].strip(_SEPARATORS)
                kids = kids[1:]
            elif not title and presenters:
                # only a bold name: a talk here; as a sub-bullet it names the talk's presenter
                title, presenters = _first_line(self.md.inline(item.inline))[0].strip(), []
            if kids and not presenters and (
                _GROUP.match(title) or (title.endswith(":") and any(k[2] and k[1] for k in kids))
            ):
                self._talks(item.children, out)  # a heading bullet: its sub-bullets are the talks
                continue
            talk = Talk(title, presenters, raw, line=item.line + 1)
            notes = []
            for child, ktitle, kpresenters, kraw in kids:
                if not ktitle and kpresenters:
                    talk.presenters.extend(kpresenters)
                else:
                    notes.append(self.lines.slice(child.line, child.end).strip())
            talk.notes = "\n".join(notes)
            if "://" in raw:
                talk.links = urls.find_links(self.lines.line(item.line), first_line=item.line + 1)
            out.append(talk)

    def backlog(self, items: list[_Item]) -> None:
        for item in _walk_items(items):
            title, presenters, raw = self.item_talk(item)
            if not title:
                continue
            self.notes.backlog.append(BacklogItem(title, presenters, raw, item.line + 1))

    # -- meetings that are not headings ------------------------------------

    def bullet_meetings(self, items: list[_Item]) -> None:
        for item in items:
            if item.inline is None:
                self.bullet_meetings(item.children)
                continue
            src = self.md.source(item.inline)[:80]
            if not _DIGIT.search(src) or not _DATE_RE.search(src):
                self.bullet_meetings(item.children)
                continue
            inl = self.md.inline(item.inline)
            text = _first_line(inl)[0].strip()
            hit = self.date_for_meeting(text, item.line, at_start=True)
            if hit is None:
                self.bullet_meetings(item.children)
                continue
            title = _heading_title(text, hit)
            bare = _first_line(_without_recording_labels(inl))[0].strip()
            bare_hit = find_date(bare)
            if bare != text and bare_hit is not None:
                title = _heading_title(bare, bare_hit)
            meeting = Meeting(date=hit.date, title=title, line=item.line + 1, form="bullet")  # type: ignore[arg-type]
            if hit.date is None:
                meeting._month_day = (hit.month, hit.day)  # type: ignore[attr-defined]
                self.give_section_year(meeting, 8)
            meeting.cancelled = bool(_CANCELLED.search(text))
            self._talks(item.children, meeting.talks)
            if not meeting.talks and not meeting.cancelled:
                meeting.talks.extend(_dated_bullet_talks(self.md.inline(item.inline), item.line))
            meeting.raw = self.lines.slice(item.line, item.end)
            meeting.end_line = item.end + 1
            self.meetings.append(meeting)

    def on_table(self, block: _Block) -> None:
        start, end = block.start, block.end
        header = [self.md.inline(h).text.strip() for h in block.header]
        rows = [(line0, [self.md.inline(h) for h in cells]) for line0, cells in block.rows]
        role = _column_roles(header)
        m = self.current
        if m is not None:
            if self.section != "notes" and "title" in role:
                for line0, cells in rows:
                    talk = _row_talk(cells, role, self.lines.line(line0), line0)
                    if talk is not None:
                        m.talks.append(talk)
            else:
                self.add_notes(start, end)
            return
        if self.region_level:
            return  # a table of other events
        if "date" not in role:
            role["date"] = next(
                (c for c in range(len(header)) if sum(bool(find_date(r[c].text)) for _, r in rows if c < len(r)) * 2 > len(rows)),
                -1,
            )
            if role["date"] < 0:
                return
        meeting: Meeting | None = None
        for line0, cells in rows:
            cell = cells[role["date"]].text.strip() if role["date"] < len(cells) else ""
            if not cell:
                if meeting is None:
                    continue  # a continuation row with nothing to continue
            else:
                hit = self.date_for_meeting(cell, line0)
                if hit is None:
                    if find_date(cell) is None:
                        self.warn(line0, f"no date in the date column: {cell[:60]}")
                    meeting = None
                    continue
                if meeting is None or not (
                    (hit.date is not None and hit.date == meeting.date)
                    or (hit.date is None and getattr(meeting, "_month_day", None) == (hit.month, hit.day))
                ):
                    title = _heading_title(cell, hit)
                    meeting = Meeting(date=hit.date, title=title, line=line0 + 1, form="table")  # type: ignore[arg-type]
                    if hit.date is None:
                        meeting._month_day = (hit.month, hit.day)  # type: ignore[attr-defined]
                    self.meetings.append(meeting)
            row_text = " ".join(c.text for c in cells)
            if _CANCELLED.search(row_text):
                meeting.cancelled = True
            else:
                talk = _row_talk(cells, role, self.lines.line(line0), line0)
                if talk is not None:
                    meeting.talks.append(talk)
            meeting.raw = self.lines.slice(meeting.line - 1, line0 + 1)
            meeting.end_line = line0 + 2

    def on_html(self, content: str, start: int, end: int) -> None:
        if self.current is None and not (self.region_level or self.backlog_level or self.title_meetings):
            self.cell_meetings(content, start)
        if self.current is not None and self.section == "agenda" and "<tr" in content.lower():
            self.html_agenda_table(content, start)
            return
        for _, line, kind, text in _html_tags(content):
            line0 = start + line
            if kind == "summary":
                summary = re.sub(r"\s+", " ", _TAG.sub(" ", text)).strip()
                hit = None if self.title_meeting and self.whole_file else self.date_for_meeting(summary, line0)
                if hit is not None:
                    # headings inside <details> are its sub-headings; only one at the level
                    # that encloses the block (or </details>) ends the meeting
                    self.open_meeting(hit, _heading_title(summary, hit), line0, self.outer_level, "details")
                    self.cur_depth = self.details_depth
                    self.current.cancelled = bool(_CANCELLED.search(summary))  # type: ignore[union-attr]
            elif kind == "close":
                if self.current is not None and self.details_depth <= self.cur_depth and self.details_depth > 0:
                    self.close_meeting(line0 + 1)
                self.details_depth = max(0, self.details_depth - 1)
            else:
                self.details_depth += 1
        if self.current is not None:
            self.add_notes(start, end)

    def html_agenda_table(self, content: str, start: int) -> None:
        """An agenda kept as an HTML table (pasted from a wiki): a row per item, read like a markdown table's."""
        header: list[str] = []
        rows: list[tuple[int, list[_Inline]]] = []
        for row in _HTML_ROW.finditer(content):
            cells = [(c.group("t").lower(), _html_text(c.group("in"))) for c in _HTML_CELL.finditer(row.group("in"))]
            if not cells:
                continue
            if not header and not rows and all(kind == "th" for kind, _ in cells):
                header = [text for _, text in cells]
            else:
                rows.append((start + content.count("\n", 0, row.start()), [_Inline(text, []) for _, text in cells]))
        role = _column_roles(header)
        role.setdefault("title", 0)  # under an agenda heading, the first column names the item
        m = self.current
        for line0, cells in rows:
            raw = " | ".join(c.text for c in cells)
            talk = _row_talk(cells, role, raw, line0)
            if talk is not None:
                m.talks.append(talk)  # type: ignore[union-attr]

    def cell_meetings(self, content: str, start: int) -> None:
        """A layout table of meetings, one per cell: ``<td><b>Call #44</b><br>Jan 29, 2026<br>...</td>``."""
        pos = counted = 0
        line0 = start
        while True:
            cell = _CELL_OPEN.search(content, pos)
            if cell is None:
                return
            close = _CELL_CLOSE.search(content, cell.end())
            pos = close.end() if close is not None else len(content)
            line0 += content.count("\n", counted, cell.start())  # counted once: a long row of cells stays linear
            counted = cell.start()
            inner = content[cell.end() : close.start() if close is not None else len(content)]
            text = re.sub(r"\s+", " ", _TAG.sub(" ", inner)).strip()
            if len(text) > 300 or not _HAS_DIGIT.search(text):
                continue  # a cell of prose, not a meeting's caption
            hit = self.date_for_meeting(text, line0)
            before = text[: hit.start].strip(" -–—:|,") if hit is not None else ""
            if hit is None or hit.date is None or len(before.split()) > 4:
                continue  # the caption leads with the date: "Call #44 Jan 29, 2026", not a sentence naming one
            meeting = Meeting(date=hit.date, title=before or _heading_title(text, hit), line=line0 + 1, form="cell")
            meeting.raw = content[cell.start() : pos]  # the cell only: many cells may share one line
            meeting.end_line = line0 + content.count("\n", cell.start(), pos) + 2
            self.meetings.append(meeting)

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


def _split_lines(inl: _Inline) -> list[tuple[str, list]]:
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


def _heading_topics(headings: list[list], after_line0: int, lines: _Lines | None = None) -> list[Talk]:
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


def _column_roles(header: list[str]) -> dict[str, int]:
    role: dict[str, int] = {}
    for i, h in enumerate(header):
        for name, rx in (("date", _DATE_COL), ("title", _TITLE_COL), ("who", _WHO_COL), ("org", _ORG_COL)):
            if name not in role and rx.match(h):
                role[name] = i
                break
    return role


def _row_talk(cells: list[_Inline], role: dict[str, int], raw: str, line0: int) -> Talk | None:
    def cell(name: str) -> str:
        i = role.get(name, -1)
        return cells[i].text.strip() if 0 <= i < len(cells) else ""

    title = cell("title")
    who = cell("who")
    if not title and not who:
        return None
    if title:
        t, presenters = parse_talk(title, cells[role["title"]].bold if "title" in role else None)
        title = t or title
        if not who and not presenters and (_GENERIC_TITLE.match(title) or _PLACEHOLDER.match(title)):
            return None  # "[agenda](...)": a link to the agenda, not a talk
    else:
        presenters = []
    if who:
        presenters = _parse_who(who)
    org = cell("org")
    if org:
        presenters = [Presenter(p.name, p.org or org) for p in presenters]
    talk = Talk(title or "(untitled)", presenters, raw.strip().strip("|").strip(), line=line0 + 1)
    talk.links = urls.find_links(raw, first_line=line0 + 1)
    return talk


def _heading_title(text: str, hit: DateHit) -> str:
    after = _TIME_AFTER_DATE.sub("", text[hit.end :], count=1)
    rest = _EMPTY_BRACKETS.sub(" ", text[: hit.start] + " " + after).strip(" -:–—|,.*_")
    rest = re.sub(r"\s+", " ", rest).strip()
    if rest.startswith("(") and rest.endswith(")") and rest.count("(") == 1:
        rest = rest[1:-1].strip()
    return rest or text[hit.start : hit.end].strip() or text.strip()


# "24.02.2021, 18:00h CET", "[2023-11-09]": what is left of a title once its date is taken out
_TIME_AFTER_DATE = re.compile(r"^[\s,]*(?:at\s+)?\d{1,2}[:.]\d\d\s*(?:h\b|am\b|pm\b)?\s*(?:[A-Z]{2,5}\b)?", re.I)


_EMPTY_BRACKETS = re.compile(r"\[[\s,]*\]|\([\s,]*\)")


def _attach_talk(meeting: Meeting, title: str, presenters: list[Presenter]) -> Talk | None:
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


def _merge_duplicates(meetings: list[Meeting], warnings: list[Warning]) -> list[Meeting]:
    """One meeting per date: a section pasted twice is merged into the first, with a warning."""
    by_date: dict[dt.date, Meeting] = {}
    out: list[Meeting] = []
    for m in meetings:
        first = by_date.get(m.date)
        if first is None:
            by_date[m.date] = m
            out.append(m)
            continue
        warnings.append(
            Warning(m.line, f"meeting {m.date.isoformat()} appears again (first at line {first.line}); merged")
        )
        first.also_at.append(m.line)
        known = {t.title.lower() for t in first.talks}
        first.talks.extend(t for t in m.talks if t.title.lower() not in known)
        first.video_ids.extend(v for v in m.video_ids if v not in first.video_ids)
        first.drive_ids.extend(v for v in m.drive_ids if v not in first.drive_ids)
        first.links.extend(m.links)
        first.notes = (first.notes + "\n\n" + m.notes).strip()
        first.cancelled = first.cancelled and m.cancelled
        first.notes_author = first.notes_author or m.notes_author
    return out


def _header_sources(lines: _Lines, meetings: list[Meeting]) -> list[Source]:
    """Channel and folder links written before the first meeting."""
    first = min((m.line for m in meetings), default=None)
    head = lines.slice(0, first - 1) if first else lines.text
    sources = []
    seen = set()
    for link in urls.find_links(head, first_line=1):
        if link.kind in ("youtube_channel", "youtube_handle", "youtube_user", "drive_folder"):
            if (link.kind, link.ref) in seen:
                continue
            seen.add((link.kind, link.ref))
            sources.append(Source(link.kind, link.ref, link.url, link.label, link.line))
    return sources
