"""Meetings carried by HTML blocks: ``<details><summary>DATE</summary>`` up to its
``</details>``, a layout table with a meeting per cell, and an agenda kept as an HTML table."""
from __future__ import annotations

import html
import re

from indexer.notes.dates import HAS_DIGIT
from indexer.notes.markdown import Inline
from indexer.notes.model import Meeting
from indexer.notes.walk.inline import heading_title
from indexer.notes.walk.labels import CANCELLED
from indexer.notes.walk.rows import column_roles, row_talk


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


class HtmlBlocksMixin:
    """The HTML carrier (a mixin over ``WalkState``: it opens and closes the shared meeting)."""

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
                    self.open_meeting(hit, heading_title(summary, hit), line0, self.outer_level, "details")
                    self.cur_depth = self.details_depth
                    self.current.cancelled = bool(CANCELLED.search(summary))  # type: ignore[union-attr]
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
        rows: list[tuple[int, list[Inline]]] = []
        for row in _HTML_ROW.finditer(content):
            cells = [(c.group("t").lower(), _html_text(c.group("in"))) for c in _HTML_CELL.finditer(row.group("in"))]
            if not cells:
                continue
            if not header and not rows and all(kind == "th" for kind, _ in cells):
                header = [text for _, text in cells]
            else:
                rows.append((start + content.count("\n", 0, row.start()), [Inline(text, []) for _, text in cells]))
        role = column_roles(header)
        role.setdefault("title", 0)  # under an agenda heading, the first column names the item
        m = self.current
        for line0, cells in rows:
            raw = " | ".join(c.text for c in cells)
            talk = row_talk(cells, role, raw, line0)
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
            if len(text) > 300 or not HAS_DIGIT.search(text):
                continue  # a cell of prose, not a meeting's caption
            hit = self.date_for_meeting(text, line0)
            before = text[: hit.start].strip(" -–—:|,") if hit is not None else ""
            if hit is None or hit.date is None or len(before.split()) > 4:
                continue  # the caption leads with the date: "Call #44 Jan 29, 2026", not a sentence naming one
            meeting = Meeting(date=hit.date, title=before or heading_title(text, hit), line=line0 + 1, form="cell")
            meeting.raw = content[cell.start() : pos]  # the cell only: many cells may share one line
            meeting.end_line = line0 + content.count("\n", cell.start(), pos) + 2
            self.meetings.append(meeting)
