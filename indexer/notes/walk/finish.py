"""After the walk: each meeting's recording links, one meeting per date (duplicates
merged, with a warning), and the channel and folder links the document's head names."""
from __future__ import annotations

import datetime as dt

from indexer.common import urls
from indexer.notes.markdown import SourceLines
from indexer.notes.model import Meeting, Source, Warning


def read_links(m: Meeting) -> None:
    """The links in the meeting's section, and its YouTube and Drive ids among them (first mention first)."""
    m.links = urls.find_links(m.raw, first_line=m.line)
    for link in m.links:
        if link.kind == "youtube":
            if link.ref not in m.video_ids:
                m.video_ids.append(link.ref)
        elif link.kind in ("drive_file", "drive_folder") and link.ref not in m.drive_ids:
            m.drive_ids.append(link.ref)


def merge_duplicates(meetings: list[Meeting], warnings: list[Warning]) -> list[Meeting]:
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


def header_sources(lines: SourceLines, meetings: list[Meeting]) -> list[Source]:
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
