"""Meetings carried by paragraphs: a wholly bold date line, a date line under the title
or alone outside any meeting, a numbered session dated in brackets; and what a
paragraph inside a meeting says (an agenda label, plain-line agenda items, notes)."""
from __future__ import annotations

import re

from indexer.notes.agenda import NAME_TAG, lead_group, agenda_item
from indexer.notes.dates import HAS_DIGIT, find_date
from indexer.notes.markdown import Block
from indexer.notes.model import Meeting, Talk
from indexer.notes.presenters import parse_notes_header
from indexer.notes.walk.inline import first_line_of, heading_title, split_lines, without_recording_labels
from indexer.notes.walk.labels import AGENDA_LABEL, CANCELLED, DATE_LABEL
from indexer.notes.walk.state import attach_talk


# a line over a list of who came: "Attendees:", "Present", "A partial list of attendees -"
_ATTENDEES_LABEL = re.compile(r"(?:\b(?:attendees|attendance|participants)|^\W*present)\W*$", re.I)


# what may follow a date on a line that is only a date: ", 14:00 UTC", "at 9am PST", "(Tuesday)"
_ONLY_A_TIME = re.compile(
    r"^[\s,:@-]*(?:at\s+)?(?:\d{1,2}(?:[:.]\d\d)?\s*(?:am|pm|h)?(?:\s*[-–]\s*\d{1,2}(?:[:.]\d\d)?\s*(?:am|pm|h)?)?)?"
    r"\s*(?:[A-Z]{2,5}(?:[+-]\d{1,2})?)?\s*(?:\((?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\))?[\s.:]*$",
    re.I,
)
# a date line under a title: the date alone (and a time), or with links after a separator ("24 Nov 2020 | [Recording]")
_AFTER_A_DATE_LINE = re.compile(rf"{_ONLY_A_TIME.pattern}|^\s*[|·•(–—-]", re.I)


_NUMBERED_SESSION = re.compile(r"^\W*(?:sessions?|meetings?|calls?|meetups?|workshops?)\s*#?\d{1,3}\b", re.I)


class ParagraphsMixin:
    """The paragraph carrier (a mixin over ``WalkState``: it opens the shared meeting)."""

    def on_paragraph(self, block: Block) -> None:
        src = self.md.source(block.inline)
        self.paragraph_dates(block, src)
        m = self.current
        if m is None:
            if self.orphan_agenda and not self.backlog_level:
                self.orphan_talks.extend(self.paragraph_items(block))
            return
        if self.section == "agenda":
            found = self.paragraph_items(block)
            if found:
                m.talks.extend(found)
                return
        if len(src) < 160 and CANCELLED.search(src) and self.section != "notes":
            m.cancelled = True
        first = src.split("\n", 1)[0]
        if self.section_label(m, first, src) or self.talk_notes_header(block, m, first, src):
            return
        self.add_notes(block.start, block.end)

    def paragraph_dates(self, block: Block, src: str) -> None:
        """A paragraph that dates a meeting: a bold date, a date line, the body of an undated meeting heading."""
        if (self.current is None or self.current.form == "bold") and not self.backlog_level:
            self.bold_date(block, src)
        if self.current is None or (self.current.form == "line" and not self.title_meeting):
            self.date_line(block, src)
        if self.current is None and self.undated_sibling is not None:
            self.date_in_body(self.lines.slice(block.start, block.end))

    def section_label(self, m: Meeting, first: str, src: str) -> bool:
        """``Agenda:``, ``Attendees:``, ``Notes by X``: a line that starts a section of the meeting."""
        if re.match(r"^\W*agenda\W*$", first, re.I) or (len(first) <= 40 and AGENDA_LABEL.match(first)):
            self.section, self.agenda_level = "agenda", 7  # no heading groups its items
            return True
        if len(first) <= 100 and _ATTENDEES_LABEL.search(first) and "\n" not in src.strip():
            self.section = "other"  # "A partial list of attendees -": names, not talks
            return True
        if re.match(r"^\W*notes?\b.{0,40}$", first, re.I) and "(" not in first:
            self.section = "notes"
            am = re.search(r"\bby\s+@?([\w.-]+)", first, re.I)
            if am:
                m.notes_author = am.group(1)
            return True
        return False

    def talk_notes_header(self, block: Block, m: Meeting, first: str, src: str) -> bool:
        """``Title (Name)`` over a talk's notes: the lines below are the notes of that agenda talk."""
        if "(" not in first or not m.talks:
            return False
        inl = self.md.inline(block.inline)
        header = parse_notes_header(first_line_of(inl)[0])
        if header is None:
            return False
        self.section = "notes"
        self.open_talk = attach_talk(m, *header)
        rest = src.split("\n", 1)[1] if "\n" in src else ""
        if self.open_talk is not None:
            self.open_talk.notes = (self.open_talk.notes + "\n" + rest).strip()
        else:
            self.pending_notes.append(self.lines.slice(block.start, block.end))
        return True

    def bold_date(self, block: Block, src: str) -> None:
        """``**Feb 9, 2021**`` alone on its line, as Google Docs without heading styles gives."""
        src = src.strip()
        if not src.startswith(("**", "__")) or "\n" in src or not HAS_DIGIT.search(src):
            return
        inl = self.md.inline(block.inline)
        text = inl.text.strip()
        if not inl.bold or inl.bold[0][0] != 0 or inl.bold[0][1] < len(text.rstrip(" :")):
            return  # only a wholly bold line
        hit = self.date_for_meeting(text, block.start, at_start=True)
        if hit is not None:
            in_title = self.title.open and self.current is None
            self.open_meeting(hit, heading_title(text, hit), block.start, 7, "bold")
            self.title_meeting = in_title
            self.title_meetings += in_title
            self.current.cancelled = bool(CANCELLED.search(text))  # type: ignore[union-attr]

    def date_line(self, block: Block, src: str) -> None:
        """``24 Nov 2020`` or ``**Date:** 26 March 2019 at 9am`` under the document's title: its date.
        Elsewhere, outside any meeting, a line that is only a date (and a time) starts one."""
        if not HAS_DIGIT.search(src):
            return
        text = first_line_of(self.md.inline(block.inline))[0].strip()
        if self.session_line(text, block):
            return
        if self.title.open and self.current is None:
            label = DATE_LABEL.match(text)
            if label is None and len(text) > 120:
                return
            rest = text[label.end():] if label else text
            hit = self.date_for_meeting(rest, block.start, at_start=True)
            if hit is not None and not label and not _AFTER_A_DATE_LINE.match(rest[hit.end:]):
                return  # "2021-03-24: we moved the agenda" is prose, not the file's date
            if hit is not None:
                self.open_meeting(hit, self.notes.title or heading_title(rest, hit), block.start, self.title.level, "line")
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

    def session_line(self, text: str, block: Block) -> bool:
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
        self.open_meeting(hit, heading_title(plain, hit), block.start, 7, "line")
        return True

    def paragraph_items(self, block: Block) -> list[Talk]:
        """Agenda items written as plain lines (``(Jeremie) Approve the minutes``), one per line.

        Several lines are items unless one starts in lower case (a wrapped sentence);
        a single line only when it names its presenter.
        """
        inl = self.md.inline(block.inline)
        if inl.links:
            inl = without_recording_labels(inl)
        lines = split_lines(inl)
        if len(lines) > 1 and any(t[:1].islower() for t, _ in lines):
            return []
        if len(lines) == 1 and not (lead_group(lines[0][0]) or NAME_TAG.search(lines[0][0])):
            return []  # one line of prose ("**Danny** [5:31]: we are live ...") is no agenda
        out = []
        for k, (text, bold) in enumerate(lines):
            found = agenda_item(text, bold)
            if found is None or (len(lines) == 1 and not found[1]):
                continue
            line0 = block.start + k
            out.append(Talk(found[0], found[1], self.lines.line(line0).strip(), line=line0 + 1))
        return out
