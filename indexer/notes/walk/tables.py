"""Meetings carried by markdown tables: outside a meeting, a table with a date column
is one meeting per date, each row a talk; inside one, a table with a title column is
its agenda."""
from __future__ import annotations

from indexer.notes.dates import DateHit, find_date
from indexer.notes.markdown import Block
from indexer.notes.model import Meeting
from indexer.notes.walk.labels import CANCELLED
from indexer.notes.walk.inline import heading_title
from indexer.notes.walk.rows import column_roles, row_talk


class TablesMixin:
    """The table carrier (a mixin over ``WalkState``: its meetings join the shared list)."""

    def on_table(self, block: Block) -> None:
        header = [self.md.inline(h).text.strip() for h in block.header]
        rows = [(line0, [self.md.inline(h) for h in cells]) for line0, cells in block.rows]
        role = column_roles(header)
        if self.current is not None:
            self.table_in_meeting(block, rows, role)
        elif not self.region_level:  # else a table of other events
            self.table_meetings(header, rows, role)

    def table_in_meeting(self, block: Block, rows: list, role: dict[str, int]) -> None:
        """Under a meeting, a table with a title column is its agenda, a row per talk; any other is notes."""
        m = self.current
        if self.section != "notes" and "title" in role:
            for line0, cells in rows:
                talk = row_talk(cells, role, self.lines.line(line0), line0)
                if talk is not None:
                    m.talks.append(talk)
        else:
            self.add_notes(block.start, block.end)

    def table_meetings(self, header: list[str], rows: list, role: dict[str, int]) -> None:
        """Outside any meeting, a table with a date column is a meeting per date, a talk per row."""
        if "date" not in role:
            role["date"] = _dated_column(header, rows)
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
                if meeting is None or not _same_day(hit, meeting):
                    meeting = self.row_meeting(cell, hit, line0)
            self.add_row(meeting, cells, role, line0)

    def row_meeting(self, cell: str, hit: DateHit, line0: int) -> Meeting:
        """The meeting a row's date opens (rows after it with its date, or none, are its talks)."""
        meeting = Meeting(date=hit.date, title=heading_title(cell, hit), line=line0 + 1, form="table")  # type: ignore[arg-type]
        if hit.date is None:
            meeting._month_day = (hit.month, hit.day)  # type: ignore[attr-defined]
        self.meetings.append(meeting)
        return meeting

    def add_row(self, meeting: Meeting, cells: list, role: dict[str, int], line0: int) -> None:
        """A row cancels its meeting or adds a talk to it; the meeting's section runs to this row."""
        row_text = " ".join(c.text for c in cells)
        if CANCELLED.search(row_text):
            meeting.cancelled = True
        else:
            talk = row_talk(cells, role, self.lines.line(line0), line0)
            if talk is not None:
                meeting.talks.append(talk)
        meeting.raw = self.lines.slice(meeting.line - 1, line0 + 1)
        meeting.end_line = line0 + 2


def _dated_column(header: list[str], rows: list) -> int:
    """With no column named for the date, the first whose cells are dates in most rows (-1: none)."""
    return next(
        (c for c in range(len(header)) if sum(bool(find_date(r[c].text)) for _, r in rows if c < len(r)) * 2 > len(rows)),
        -1,
    )


def _same_day(hit: DateHit, meeting: Meeting) -> bool:
    """A row dated like the meeting above it (by day and month when the year is missing) continues it."""
    return (hit.date is not None and hit.date == meeting.date) or (
        hit.date is None and getattr(meeting, "_month_day", None) == (hit.month, hit.day)
    )
