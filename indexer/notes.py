"""Parse community meeting notes (markdown) into meetings, talks, presenters.

Pure: text in, plain data out. Nothing here touches the network or a database,
and ``parse_notes`` never raises on any input: what it cannot read becomes a
``Warning`` with a line number.

The document is read with markdown-it-py (block tokens carry their source line
ranges), dates with python-dateutil; regular expressions only *locate* date and
link candidates, they do not parse structure.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from dateutil import parser as dateparser
from markdown_it import MarkdownIt

from . import links

__all__ = [
    "Presenter",
    "Talk",
    "Meeting",
    "BacklogItem",
    "Source",
    "Warning",
    "Notes",
    "parse_notes",
    "parse_presenters",
    "find_date",
    "slugify",
]


@dataclass
class Presenter:
    name: str
    org: str | None = None


@dataclass
class Talk:
    title: str
    presenters: list[Presenter] = field(default_factory=list)
    # the agenda line as written, e.g. "Flyte Egress Events [Sonja - Katrina - Nian - Spotify]"
    raw: str = ""
    # markdown of the notes section that belongs to this talk, if any
    notes: str = ""
    line: int = 0


@dataclass
class Meeting:
    date: dt.date
    title: str
    line: int
    raw: str = ""
    talks: list[Talk] = field(default_factory=list)
    video_ids: list[str] = field(default_factory=list)
    drive_ids: list[str] = field(default_factory=list)
    # every YouTube/Drive link in the section: links.Link objects
    links: list = field(default_factory=list)
    notes_author: str | None = None
    # markdown of the notes part that could not be attached to one talk
    notes: str = ""
    cancelled: bool = False

    @property
    def id(self) -> str:
        return self.date.isoformat()


@dataclass
class BacklogItem:
    title: str
    presenters: list[Presenter] = field(default_factory=list)
    raw: str = ""
    line: int = 0


@dataclass
class Source:
    """A data source the notes name: the YouTube channel, the Drive folder."""

    kind: str  # "youtube_channel" | "youtube_handle" | "youtube_user" | "drive_folder"
    ref: str
    url: str
    label: str = ""
    line: int = 0


@dataclass
class Warning:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class Notes:
    title: str = ""
    meetings: list[Meeting] = field(default_factory=list)
    backlog: list[BacklogItem] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)


# --------------------------------------------------------------------------
# small pure helpers

def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower()
    return text or "untitled"


_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|rsday|urday|sday)?\.?,?\s+)?"
_ORD = r"(?:st|nd|rd|th)?"
# Candidate locators only; dateutil does the parsing and validation.
_DATE_PATTERNS = [
    ("iso", re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")),
    ("us_numeric", re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")),
    (
        "month_day_year",
        re.compile(
            rf"\b{_WEEKDAY}(?P<m>{_MONTHS})\.?\s+(?P<d>\d{{1,2}}){_ORD},?\s+(?P<y>\d{{4}})\b",
            re.I,
        ),
    ),
    (
        "day_month_year",
        re.compile(rf"\b{_WEEKDAY}(?P<d>\d{{1,2}}){_ORD}\s+(?:of\s+)?(?P<m>{_MONTHS})\.?,?\s+(?P<y>\d{{4}})\b", re.I),
    ),
    # no year: "Meeting March 1st" -- the year comes from neighbouring meetings
    ("month_day", re.compile(rf"\b{_WEEKDAY}(?P<m>{_MONTHS})\.?\s+(?P<d>\d{{1,2}}){_ORD}\b(?!\s*,?\s*\d)", re.I)),
]


@dataclass
class DateHit:
    date: dt.date | None  # None when the year is missing
    month: int
    day: int
    start: int
    end: int
    form: str


def find_date(text: str) -> DateHit | None:
    """First date written in ``text``, or None.

    Numeric ``a/b/yyyy`` dates are read in US order (month/day/year), as the
    Flyte notes and most US-based communities write them.
    """
    best: DateHit | None = None
    for form, pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            hit = _parse_hit(form, m)
            if hit is None:
                continue
            if best is None or hit.start < best.start or (
                hit.start == best.start and best.date is None and hit.date is not None
            ):
                best = hit
            break
    return best


def _parse_hit(form: str, m: re.Match) -> DateHit | None:
    s = m.group(0)
    try:
        if form == "iso":
            d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        elif form == "us_numeric":
            d = dt.date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
        elif form == "month_day":
            d0 = dateparser.parse(f"{m.group('m')} {m.group('d')} 2000", default=dt.datetime(2000, 1, 1))
            return DateHit(None, d0.month, d0.day, m.start(), m.end(), form)
        else:
            d = dateparser.parse(
                f"{m.group('m')} {m.group('d')} {m.group('y')}", default=dt.datetime(2000, 1, 1)
            ).date()
    except (ValueError, OverflowError, TypeError, dateparser.ParserError):
        return None
    if not 1970 <= d.year <= 2100:
        return None
    return DateHit(d, d.month, d.day, m.start(), m.end(), form)


_NEXT_MEETING = re.compile(r"\b(next|upcoming|following)\s+(meeting|call|sync)\b|\bpostponed\s+to\b|\bmoved\s+to\b", re.I)
_CANCELLED = re.compile(r"\b(cancell?ed|no\s+call|no\s+meeting|skipped)\b", re.I)


# --------------------------------------------------------------------------
# presenters

def parse_presenters(text: str) -> list[Presenter]:
    """``"Sonja - Katrina - Nian - Spotify"`` -> three presenters of Spotify.

    In the bracket form the last dash-separated part is the organisation.
    A single part is a name with no organisation.
    """
    text = text.strip().strip("[]() ").strip()
    if not text:
        return []
    parts = [p.strip() for p in re.split(r"\s*-\s+|\s+-\s*", text) if p.strip()]
    if len(parts) == 1:
        return [Presenter(parts[0], None)]
    org = parts[-1]
    return [Presenter(name, org) for name in parts[:-1]]


_BRACKET_TAIL = re.compile(r"^(?P<title>.*?)\s*\[(?P<who>[^\[\]]+)\]\s*$")


def parse_agenda_item(text: str) -> tuple[str, list[Presenter]]:
    text = text.strip()
    m = _BRACKET_TAIL.match(text)
    if m and m.group("title").strip():
        return m.group("title").strip(), parse_presenters(m.group("who"))
    return text, []


# "Egress Events (Presenter: Nian Tang from Spotify)"
_NOTES_HEADER = re.compile(
    r"^(?P<title>.+?)\s*\(\s*presenters?\s*:\s*(?P<who>[^)]*)\)\s*$", re.I
)


def _parse_notes_header(text: str) -> tuple[str, list[Presenter]] | None:
    m = _NOTES_HEADER.match(text.strip())
    if not m:
        return None
    who = m.group("who").strip()
    org = None
    fm = re.match(r"^(?P<names>.+?)\s+(?:from|of|at|@)\s+(?P<org>.+)$", who, re.I)
    if fm:
        who, org = fm.group("names"), fm.group("org").strip()
    names = [n.strip() for n in re.split(r",|\band\b|&|/", who) if n.strip()]
    return m.group("title").strip(), [Presenter(n, org) for n in names]


# --------------------------------------------------------------------------
# the parser

_md = MarkdownIt("commonmark").enable("table")


@dataclass
class _Block:
    kind: str  # heading | list | paragraph | table | other
    level: int
    text: str  # inline text (headings, paragraphs)
    start: int  # 0-based first line
    end: int  # 0-based line after the block
    items: list = field(default_factory=list)  # list items: (text, line, depth)


def _blocks(text: str) -> list[_Block]:
    tokens = _md.parse(text)
    blocks: list[_Block] = []
    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        if tok.level != 0 or tok.map is None:
            i += 1
            continue
        start, end = tok.map
        if tok.type == "heading_open":
            inline = tokens[i + 1].content if i + 1 < n else ""
            blocks.append(_Block("heading", int(tok.tag[1]), inline, start, end))
            i += 3
            continue
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            j, items = _collect_list(tokens, i)
            blocks.append(_Block("list", 0, "", start, end, items))
            i = j
            continue
        if tok.type == "paragraph_open":
            inline = tokens[i + 1].content if i + 1 < n else ""
            blocks.append(_Block("paragraph", 0, inline, start, end))
            i += 3
            continue
        close = tok.type.replace("_open", "_close")
        j = i + 1
        if tok.nesting == 1:
            depth = 1
            while j < n and depth:
                if tokens[j].type == tok.type:
                    depth += 1
                elif tokens[j].type == close:
                    depth -= 1
                j += 1
        kind = "table" if tok.type == "table_open" else "other"
        blocks.append(_Block(kind, 0, tok.content, start, end))
        i = j
    return blocks


def _collect_list(tokens, i):
    """Walk a list at tokens[i]; returns (index after it, [(text, line, depth)])."""
    items = []
    depth = 0
    j = i
    n = len(tokens)
    while j < n:
        t = tokens[j]
        if t.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif t.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
            if depth == 0:
                return j + 1, items
        elif t.type == "list_item_open":
            # the item's own first paragraph, if any
            text = ""
            if j + 2 < n and tokens[j + 1].type == "paragraph_open":
                text = tokens[j + 2].content
            line = t.map[0] if t.map else 0
            items.append((text, line, depth))
        j += 1
    return j, items


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0]


def parse_notes(text: str, path: str = "") -> Notes:
    """Parse a notes document. Never raises."""
    notes = Notes()
    try:
        _parse_into(notes, text)
    except Exception as exc:  # pragma: no cover - a bug, but the contract is "never raise"
        notes.warnings.append(Warning(0, f"parser error: {type(exc).__name__}: {exc}"))
    return notes


def _parse_into(notes: Notes, text: str) -> None:
    if not isinstance(text, str):
        text = str(text)
    lines = text.splitlines()
    blocks = _blocks(text)

    # header: everything before the first heading that opens a meeting or backlog
    current: Meeting | None = None
    meeting_level = 0
    section = None  # None | "agenda" | "notes" | "backlog"
    backlog_level = 0
    open_talk: Talk | None = None
    pending_notes: list[str] = []
    meetings: list[Meeting] = []

    def close_meeting(end_line: int):
        nonlocal current, open_talk
        if current is not None:
            current.raw = "\n".join(lines[current.line - 1 : end_line]).strip("\n")
            current.notes = "\n".join(pending_notes).strip()
            pending_notes.clear()
            meetings.append(current)
        current = None
        open_talk = None

    for b in blocks:
        first = _first_line(b.text)
        if b.kind == "heading":
            if not notes.title and b.level == 1 and not find_date(first):
                notes.title = first.strip()
            hit = find_date(first)
            is_meeting = hit is not None and not _NEXT_MEETING.search(first)
            if is_meeting:
                close_meeting(b.start)
                section = None
                date = hit.date
                title = _heading_title(first, hit)
                current = Meeting(date=date, title=title, line=b.start + 1)
                current.cancelled = bool(_CANCELLED.search(first))
                if date is None:
                    current._month_day = (hit.month, hit.day)  # type: ignore[attr-defined]
                meeting_level = b.level
                continue
            if current is not None and b.level <= meeting_level:
                close_meeting(b.start)
            low = first.lower()
            if "backlog" in low:
                section = "backlog"
                backlog_level = b.level
                continue
            if section == "backlog" and b.level <= backlog_level:
                section = None
            if current is not None:
                if re.match(r"^\s*agenda\b", low):
                    section = "agenda"
                elif re.match(r"^\s*notes?\b", low):
                    section = "notes"
                    am = re.search(r"by\s+@?([\w.-]+)", first, re.I)
                    if am:
                        current.notes_author = am.group(1)
                elif _CANCELLED.search(first):
                    current.cancelled = True
            continue

        if section == "backlog" and current is None and b.kind == "list":
            for item_text, line, depth in b.items:
                t = _first_line(item_text).strip()
                if not t:
                    continue
                title, presenters = parse_agenda_item(t)
                notes.backlog.append(BacklogItem(title, presenters, t, line + 1))
            continue

        if current is None:
            continue

        block_text = "\n".join(lines[b.start : b.end])
        if _CANCELLED.search(block_text) and b.kind == "paragraph" and len(block_text) < 200:
            current.cancelled = True

        if section == "agenda" and b.kind == "list":
            for item_text, line, depth in b.items:
                t = _first_line(item_text).strip()
                if not t:
                    continue
                title, presenters = parse_agenda_item(t)
                current.talks.append(Talk(title, presenters, t, line=line + 1))
            continue

        if section == "notes":
            if b.kind == "paragraph":
                header = _parse_notes_header(first)
                if header is not None:
                    open_talk = _attach_talk(current, header[0], header[1])
                    rest = b.text.split("\n", 1)[1] if "\n" in b.text else ""
                    if open_talk is not None:
                        open_talk.notes = rest
                    continue
            if open_talk is not None:
                open_talk.notes = (open_talk.notes + "\n" + block_text).strip()
            else:
                pending_notes.append(block_text)

    close_meeting(len(lines))
    _fill_years(meetings, notes.warnings)
    _attach_links(meetings, lines)
    notes.meetings = _merge_duplicates(meetings, notes.warnings)
    notes.sources = _header_sources(lines, meetings)


def _heading_title(text: str, hit: DateHit) -> str:
    rest = (text[: hit.start] + " " + text[hit.end :]).strip(" -:–—|,")
    return re.sub(r"\s+", " ", rest).strip() or text.strip()


def _attach_talk(meeting: Meeting, title: str, presenters: list[Presenter]) -> Talk | None:
    """Find the agenda talk a notes header speaks of: by title words, then presenter."""
    from rapidfuzz import fuzz

    best, best_score = None, 0.0
    for talk in meeting.talks:
        score = fuzz.token_set_ratio(title.lower(), talk.title.lower())
        names = {p.name.split()[0].lower() for p in talk.presenters if p.name}
        if any(p.name.split()[0].lower() in names for p in presenters if p.name):
            score += 40
        if score > best_score:
            best, best_score = talk, score
    return best if best_score >= 60 else None


def _fill_years(meetings: list[Meeting], warnings: list[Warning]) -> None:
    """Headings like ``Meeting March 1st`` take the year of their neighbours."""
    for i, m in enumerate(meetings):
        if m.date is not None:
            continue
        month, day = m._month_day  # type: ignore[attr-defined]
        neighbour = next(
            (meetings[j].date for j in list(range(i - 1, -1, -1)) + list(range(i + 1, len(meetings))) if meetings[j].date),
            None,
        )
        year = neighbour.year if neighbour else None
        if year is None:
            warnings.append(Warning(m.line, "date without a year and no dated neighbour; skipped"))
            continue
        try:
            candidates = [dt.date(y, month, day) for y in (year - 1, year, year + 1)]
        except ValueError:
            warnings.append(Warning(m.line, f"not a valid date: month {month} day {day}"))
            continue
        m.date = min(candidates, key=lambda d: abs((d - neighbour).days))
    meetings[:] = [m for m in meetings if m.date is not None]


def _attach_links(meetings: list[Meeting], lines: list[str]) -> None:
    for m in meetings:
        found = links.find_links(m.raw, first_line=m.line)
        m.links = found
        for link in found:
            if link.kind == "youtube" and link.ref not in m.video_ids:
                m.video_ids.append(link.ref)
            elif link.kind.startswith("drive") and link.ref not in m.drive_ids:
                m.drive_ids.append(link.ref)


def _merge_duplicates(meetings: list[Meeting], warnings: list[Warning]) -> list[Meeting]:
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
        known = {t.title.lower() for t in first.talks}
        first.talks.extend(t for t in m.talks if t.title.lower() not in known)
        first.video_ids.extend(v for v in m.video_ids if v not in first.video_ids)
        first.drive_ids.extend(v for v in m.drive_ids if v not in first.drive_ids)
        first.links.extend(m.links)
        first.raw = first.raw + "\n\n" + m.raw
        first.notes = (first.notes + "\n\n" + m.notes).strip()
        first.cancelled = first.cancelled and m.cancelled
        first.notes_author = first.notes_author or m.notes_author
    return out


def _header_sources(lines: list[str], meetings: list[Meeting]) -> list[Source]:
    """Channel and folder links written before the first meeting."""
    end = min((m.line for m in meetings), default=len(lines) + 1) - 1
    head = "\n".join(lines[:end])
    sources = []
    seen = set()
    for link in links.find_links(head, first_line=1):
        if link.kind in ("youtube_channel", "youtube_handle", "youtube_user", "drive_folder"):
            if (link.kind, link.ref) in seen:
                continue
            seen.add((link.kind, link.ref))
            sources.append(Source(link.kind, link.ref, link.url, link.label, link.line))
    return sources


def meeting_to_json(m: Meeting) -> dict:
    """The stable JSON shape of ``meetup-indexer notes --json`` (see README)."""
    return {
        "date": m.date.isoformat(),
        "title": m.title,
        "line": m.line,
        "cancelled": m.cancelled,
        "video_ids": list(m.video_ids),
        "drive_ids": list(m.drive_ids),
        "talks": [
            {
                "title": t.title,
                "presenters": [{"name": p.name, "org": p.org} for p in t.presenters],
            }
            for t in m.talks
        ],
    }


def to_dict(obj):
    return dataclasses.asdict(obj)
