"""Meetings carried by headings: a dated heading opens one, its sub-headings give its
agenda, notes and parts, and a heading at its level or above ends it. Also the headings
that are no meeting: a year over its meetings, a list of other events, an undated
sibling of meeting headings dated by its body."""
from __future__ import annotations

import re

from indexer.notes.agenda import agenda_item
from indexer.notes.dates import MENTION, DateHit, month_year, find_date, find_yearless_numeric
from indexer.notes.markdown import Block, Inline
from indexer.notes.model import Talk
from indexer.notes.presenters import parse_notes_header
from indexer.notes.walk.inline import LINK_TARGET, heading_title, lead_words, links_its_recording
from indexer.notes.walk.labels import AGENDA_HEAD, CANCELLED, DATE_LABEL
from indexer.notes.walk.state import attach_talk


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


_NUMBERED_TOPIC = re.compile(r"^\s*\d{1,2}[.)]\s+(?=\S)")


_NOTES_HEAD = re.compile(r"^\W*(?:notes?|minutes|discussion)\b", re.I)


_LEADS_TO_A_DATE = re.compile(
    r"^[\W_]*(?:[\w-]+\s+){0,3}?(?:meeting|meetup|call|sync|minutes|notes|stand-?up|session|hangout)?[\s:#-]*$", re.I
)


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


_NEXT_MEETING_HEAD = re.compile(
    r"^\W*(?:next|upcoming|following)\s+(?:[\w&/-]+\s+){0,2}(?:meetings?|calls?|syncs?|sessions?)\W*$", re.I
)


_SERIES_NOUN = re.compile(r"\b(?:notes|wg|working\s+group|team|sig|committee)\b", re.I)


_MEETING_NOUN = re.compile(
    r"\b(?:meeting|meetup|call|sync|stand-?up|session|hangout|gathering|minutes|treffen|stammtisch)s?\b", re.I
)


class HeadingsMixin:
    """The heading carrier (a mixin over ``WalkState``: it opens and closes the shared meeting)."""

    def on_heading(self, block: Block) -> None:
        level, start = block.level, block.start
        inl = self.md.inline(block.inline)
        text = inl.text.strip()
        self.note_year_heading(level, text)
        if not self.notes.title and level == 1 and find_date(text) is None:
            self.notes.title = text
        role = self.title.heading(level)
        if (level <= 4 or self.current is None or level in self.meeting_levels) and not self.in_other_events(level):
            hit = self.heading_date(text, start, level, role)
            if hit is not None and self.restates_current(hit, level):
                self.restating_heading(text, hit, level)
                return
            if hit is not None and not (self.title_meeting and self.whole_file is not None) and self.splits_title_meeting(
                text, hit, level
            ):
                self.meeting_heading(text, hit, start, level, role)
                return
        self.end_meeting_at_heading(inl, text, start, level)
        if self.current is None:
            self.heading_between_meetings(text, start, level)
        else:
            self.sub_heading(text, start, level)

    def note_year_heading(self, level: int, text: str) -> None:
        """``## 2021`` gives its year to the year-less meetings below it, up to a heading at its level."""
        year = _YEAR_HEADING.match(text)
        if year is not None:
            self.year_heading = (level, int(year.group("y")))
        elif self.year_heading is not None and level <= self.year_heading[0]:
            self.year_heading = None

    def restating_heading(self, text: str, hit: DateHit, level: int) -> None:
        """A heading under the meeting that repeats its date: a part of it, maybe its agenda."""
        self.section, self.open_talk = "other", None  # "### Meeting Date/Time: ..." under the call's title
        if AGENDA_HEAD.match(text[: hit.start].strip() + " " + heading_title(text, hit)):
            # "### November 5, 2024 Topics" under "## November 5, 2024 ...": the call's agenda
            self.section, self.agenda_level = "agenda", level

    def meeting_heading(self, text: str, hit: DateHit, start: int, level: int, role: str | None) -> None:
        """A dated heading opens its meeting (the document's own when it is the title or right under it)."""
        promote = role == "under_title" and self.current is None
        # "### Meeting Date/Time: ..." under the title: the call is named by the title
        labelled = promote and self.notes.title and DATE_LABEL.match(text)
        title = self.notes.title if labelled else heading_title(text, hit)
        self.open_meeting(hit, title, start, self.title.level if promote else level, "heading")
        self.title_meeting = role == "title" or promote
        self.title_meetings += self.title_meeting
        self.title_date_level = level
        self.meeting_levels.add(level)
        self.last_meeting_words = (level, lead_words(text))
        self.current.cancelled = bool(CANCELLED.search(text))  # type: ignore[union-attr]

    def end_meeting_at_heading(self, inl: Inline, text: str, start: int, level: int) -> None:
        """An undated heading at the open meeting's level or above ends it, unless it names one of its parts."""
        if self.title_meeting and self.current is not None:
            # one meeting per file: its section is the whole file, whatever the headings' levels
            if _BACKLOG.search(text):
                self.close_meeting(start)
        elif self.current is not None and not links_its_recording(inl, text) and (
            (self.current.form in ("bold", "line") and not _PART_OF_MEETING.match(text))
            or level < self.cur_level
            or (level == self.cur_level and not _PART_OF_MEETING.match(text))
        ):
            # "### Feb 9" then "### Agenda": people often write a meeting's parts
            # at its own level; any other heading at that level ends the meeting
            self.close_meeting(start)

    def heading_between_meetings(self, text: str, start: int, level: int) -> None:
        """A heading with no meeting open: maybe a backlog, a list of other events, or an undated meeting."""
        self.outer_level = level
        self.backlog_level = level if "backlog" in text.lower() else 0
        self.note_region(level, text)
        month = month_year(text) if level <= 4 and _MEETING_NOUN.search(text) else None
        self.undated_sibling = (level, text, start, month) if month or self.sibling_of_meetings(level, text) else None

    def sub_heading(self, text: str, start: int, level: int) -> None:
        """A sub-heading of the open meeting: a talk's notes, a numbered topic, or the section it starts."""
        header = parse_notes_header(text)
        if header is not None and self.current.talks:
            self.section = "notes"
            self.open_talk = attach_talk(self.current, *header)
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
        if AGENDA_HEAD.match(text):
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
            if CANCELLED.search(text):
                self.current.cancelled = True

    def heading_date(self, text: str, line0: int, level: int, role: str | None) -> DateHit | None:
        hit = self.date_for_meeting(text, line0)
        if hit is not None:
            return hit
        own = self.title_date_level if self.title_meeting and self.title_date_level else self.cur_level
        if self.current is not None and level > own:
            return None  # "Part 1/2" inside a meeting
        hit = find_yearless_numeric(text)
        if hit is None or MENTION.search(text[: hit.start]):
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
        words = lead_words(text)
        return len(words) >= 2 and words[:2] == last[1][:2]

    def date_in_body(self, body: str) -> None:
        """The undated sibling heading's meeting, dated by the first date in its body."""
        level, text, line0, month = self.undated_sibling  # type: ignore[misc]
        self.undated_sibling = None
        body = LINK_TARGET.sub("]", body)
        hit = find_date(body)
        if hit is None or hit.date is None or hit.problem or MENTION.search(body[: hit.start]):
            return
        if month is not None and (hit.date.year, hit.date.month) != month:
            return  # "Meeting December 2025" is dated by a day of December 2025 only
        self.open_meeting(hit, text.strip(" *_"), line0, level, "heading")
        self.last_meeting_words = (level, lead_words(text))
