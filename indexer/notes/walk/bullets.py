"""Meetings and talks carried by lists: a bullet led by a date is a meeting (its
sub-bullets its talks), bullets under an agenda are talks, a backlog's bullets its items."""
from __future__ import annotations

import re

from indexer.common import urls
from indexer.notes.agenda import KIND_PREFIX, dated_bullet_talks, italic_tail, agenda_item
from indexer.notes.dates import DATE_RE, find_date
from indexer.notes.markdown import Block, Item, walk_items
from indexer.notes.model import BacklogItem, Meeting, Presenter, Talk
from indexer.notes.presenters import SEPARATORS
from indexer.notes.walk.inline import first_line_of, heading_title, without_recording_labels
from indexer.notes.walk.labels import AGENDA_LABEL, CANCELLED


# a bullet over a list of people: "- **Participants:**", "- Attendees"
_PEOPLE_LABEL = re.compile(
    r"^\W*(?:participants|attendees|attendance|present|hosts?|facilitators?|note-?\s?takers?|scribes?)\W*"
    r"(?:(?:\[[^\]]*\]|\([^)]*\))\W*)?$",  # "* Attendees [name, affiliation]": a hint for who signs in
    re.I,
)


_GROUP = re.compile(
    r"^(?:guest\s+|community\s+|lightning\s+|main\s+)?(?:presentations?|talks?|demos?|speakers?|updates?)\W*$",
    re.I,
)


_DIGIT = re.compile(r"\d")


_MARKER = re.compile(r"^\s*(?:(?:[*+-]|\d{1,9}[.)])(?:\s+|$))+")


class BulletsMixin:
    """The list carrier (a mixin over ``WalkState``: its meetings join the shared list)."""

    def on_list(self, block: Block) -> None:
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
            labelled = any(item.children and AGENDA_LABEL.match(self.item_talk(item)[2].replace("*", ""))
                           for item in block.list_items())
            if labelled or any(t.presenters or KIND_PREFIX.match(t.raw) for t in talks):
                m.talks.extend(talks)  # "- **Agenda:**" with the items below it, or items naming presenters
        else:
            self.add_notes(block.start, block.end)

    def item_talk(self, item: Item) -> tuple[str, list[Presenter], str]:
        if item.inline is None:
            return "", [], ""
        if item.talk is None:
            item.talk = self._item_talk(item)
        return item.talk

    def _item_talk(self, item: Item) -> tuple[str, list[Presenter], str]:
        inl = self.md.inline(item.inline)
        if inl.links:
            inl = without_recording_labels(inl)
        text, bold = first_line_of(inl)
        found = agenda_item(text, bold)
        title, presenters = found if found is not None else ("", [])
        raw = _MARKER.sub("", self.lines.line(item.line)).strip()
        if title and not presenters and raw[-1:] in "_*":
            title, presenters = italic_tail(title, raw)
        return title, presenters, raw

    def agenda(self, m: Meeting, items: list[Item]) -> None:
        self._talks(items, m.talks)

    def _talks(self, items: list[Item], out: list[Talk]) -> None:
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
                title = first[1] or first_line_of(self.md.inline(first[0].inline))[0].strip(SEPARATORS)
                kids = kids[1:]
            elif not title and presenters:
                # only a bold name: a talk here; as a sub-bullet it names the talk's presenter
                title, presenters = first_line_of(self.md.inline(item.inline))[0].strip(), []
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

    def backlog(self, items: list[Item]) -> None:
        for item in walk_items(items):
            title, presenters, raw = self.item_talk(item)
            if not title:
                continue
            self.notes.backlog.append(BacklogItem(title, presenters, raw, item.line + 1))

    def bullet_meetings(self, items: list[Item]) -> None:
        for item in items:
            if item.inline is None:
                self.bullet_meetings(item.children)
                continue
            src = self.md.source(item.inline)[:80]
            if not _DIGIT.search(src) or not DATE_RE.search(src):
                self.bullet_meetings(item.children)
                continue
            inl = self.md.inline(item.inline)
            text = first_line_of(inl)[0].strip()
            hit = self.date_for_meeting(text, item.line, at_start=True)
            if hit is None:
                self.bullet_meetings(item.children)
                continue
            title = heading_title(text, hit)
            bare = first_line_of(without_recording_labels(inl))[0].strip()
            bare_hit = find_date(bare)
            if bare != text and bare_hit is not None:
                title = heading_title(bare, bare_hit)
            meeting = Meeting(date=hit.date, title=title, line=item.line + 1, form="bullet")  # type: ignore[arg-type]
            if hit.date is None:
                meeting._month_day = (hit.month, hit.day)  # type: ignore[attr-defined]
                self.give_section_year(meeting, 8)
            meeting.cancelled = bool(CANCELLED.search(text))
            self._talks(item.children, meeting.talks)
            if not meeting.talks and not meeting.cancelled:
                meeting.talks.extend(dated_bullet_talks(self.md.inline(item.inline), item.line))
            meeting.raw = self.lines.slice(item.line, item.end)
            meeting.end_line = item.end + 1
            self.meetings.append(meeting)
