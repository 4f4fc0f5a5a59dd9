"""The walker's table carrier: markdown and HTML tables whose rows are meetings or agenda items,
and HTML blocks (``<details>``, tables inside them). A mixin of ``walker._Parser``."""
from __future__ import annotations

import re

from indexer.notes.dates import (
    _HAS_DIGIT,
    find_date,
)
from indexer.notes.markdown import _Block, _Inline
from indexer.notes.model import Meeting
from indexer.notes.walk_helpers import (
    _CANCELLED, _CELL_CLOSE, _CELL_OPEN, _HTML_CELL, _HTML_ROW, _TAG, _column_roles, _heading_title, _html_tags, _html_text, _row_talk,
)



class TableCarrier:
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

