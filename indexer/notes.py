"""Parse community meeting notes (markdown) into meetings, talks, presenters.

Pure: text in, plain data out. Nothing here touches the network or a database,
and ``parse_notes`` never raises on any input: what it cannot read becomes a
``Warning`` with a line number.

The document is read once by markdown-it: markdown-it-pyrs (the same rules in
Rust, several times faster) when installed, else - or when it panics -
markdown-it-py; both give the walker the same plain blocks with their source
lines, and big documents are fed in chunks cut where CommonMark keeps no block
open, so memory stays bounded. Dates are read with python-dateutil. Regular
expressions only *locate* candidates (a date, a presenter tail, a URL);
structure - headings, nested bullets, tables, ``<details>`` blocks - comes
from markdown-it.

Where a meeting can be written:
- a heading (levels 1-4) carrying a date; the section runs to the next heading
  of the same or a higher level, or the next meeting;
- a ``<details><summary>DATE</summary>`` block, up to its ``</details>``;
- a bullet starting with a date (``* 2021-03-18: [Recording](...)``), outside
  any meeting: one meeting per bullet, sub-bullets are its talks;
- a table row with a date column (``| Date | Presenter | Topic |``), outside
  any meeting: one meeting per date, each row a talk.
"""
from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import functools
import itertools
import operator
import os
import re
import sys
import tempfile
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
    "parse_talk",
    "find_date",
    "slugify",
    "meeting_to_json",
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
    # YouTube/Drive links written on the talk's own line(s): links.Link objects
    links: list = field(default_factory=list)
    # an offset the notes write for the talk ("[5:31](...&t=331s)", "[33:40]", "@ 33:05",
    # "(0:50 in video)"): seconds, and the video it names (None: the meeting's recording)
    noted_start_s: int | None = None
    noted_video_id: str | None = None
    # presenters as the talk's notes header names them ("Egress (Presenter: Nian Tang from Spotify)"):
    # other spellings of the agenda's presenters, which indexer/people.py resolves
    noted_presenters: list[Presenter] = field(default_factory=list)


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
    # how the meeting was written: heading | details | bullet | table
    form: str = "heading"
    # 1-based line after the section (exclusive)
    end_line: int = 0
    # lines of later copies merged into this one
    also_at: list[int] = field(default_factory=list)

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

@functools.lru_cache(maxsize=16384)  # db.save_notes slugs every presenter of every talk
def slugify(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = _NON_SLUG.sub("-", text).strip("-").lower()
    return text or "untitled"


_NON_SLUG = re.compile(r"[^a-zA-Z0-9]+")


# --------------------------------------------------------------------------
# dates

# English month names, and the German ones ("28. Januar 2020") European chapters write
_MONTHS = (
    r"jan(?:uary|uar)?|feb(?:ruary|ruar)?|mar(?:ch)?|m(?:ä|ae)rz|apr(?:il)?|ma[iy]|june?|juni|july?|juli|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|o[ck]t(?:ober)?|nov(?:ember)?|de[cz](?:ember)?"
)
_MONTH_BY_PREFIX = {
    "jan": 1, "feb": 2, "mar": 3, "mär": 3, "mae": 3, "apr": 4, "may": 5, "mai": 5, "jun": 6, "jul": 7,
    "aug": 8, "sep": 9, "oct": 10, "okt": 10, "nov": 11, "dec": 12, "dez": 12,
}
_WEEKDAYS = r"mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun"
_WEEKDAY = rf"(?:(?P<wd>(?:{_WEEKDAYS})(?:day|nesday|rsday|urday|sday)?)\.?,?\s+)?"
_ORD = r"(?:st|nd|rd|th)?"
# One alternation, so the leftmost date wins and, at one position, a form with
# a year beats the year-less one. Candidates only: dateutil validates.
_DATE_RE = re.compile(
    rf"""
    \b(?P<iso>(?P<iy>\d{{4}})[-/](?P<im>\d{{1,2}})[-/](?P<id>\d{{1,2}}))\b
  | \b(?P<us>(?P<ua>\d{{1,2}})/(?P<ub>\d{{1,2}})/(?P<uy>\d{{4}}|\d{{2}}(?![\d/])))\b
  | \b(?P<dot>(?P<pd>\d{{1,2}})\.(?P<pm>\d{{1,2}})\.(?P<py>\d{{4}}))\b(?!\.\d)
  | \b{_WEEKDAY}(?P<mdy>(?P<m1>{_MONTHS})\.?\s+(?P<d1>\d{{1,2}}){_ORD},?\s+(?P<y1>\d{{4}}))\b
  | \b{_WEEKDAY.replace("wd", "wd2")}(?P<dmy>(?P<d2>\d{{1,2}}){_ORD}\.?\s+(?:of\s+)?(?P<m2>{_MONTHS})\.?(?:,\s*|\s+)(?P<y2>\d{{4}}))\b
  | \b{_WEEKDAY.replace("wd", "wd3")}(?P<md>(?P<m3>{_MONTHS})\.?\s+(?P<d3>\d{{1,2}}){_ORD})\b(?!\s*,?\s*\d|:\d)
  | \b{_WEEKDAY.replace("wd", "wd4")}(?P<dm>(?P<d4>\d{{1,2}}){_ORD}\.?\s+(?:of\s+)?(?P<m4>{_MONTHS}))\b(?!\.?,?\s*\d|:\d)
    """,
    re.I | re.X,
)
_WEEKDAY_INDEX = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


@dataclass
class DateHit:
    date: dt.date | None  # None when the year is missing (or the date is invalid)
    month: int
    day: int
    start: int
    end: int
    form: str  # iso | us_numeric | month_day_year | day_month_year | month_day
    # set when the text looks like a date but cannot be one, or reads oddly
    problem: str = ""
    note: str = ""


def _month_number(name: str) -> int:
    return _MONTH_BY_PREFIX[name.lower().strip(".")[:3]]  # every spelling _MONTHS reads


def _month_day_year(month: str, day: str, year: str) -> dt.date:
    return dt.date(int(year), _month_number(month.lower()), int(day))  # rejects Feb 30


def find_date(text: str) -> DateHit | None:
    """First date written in ``text``, or None.

    Numeric ``a/b/yyyy`` dates are read in US order (month/day/year), as the
    Flyte notes and most US-based communities write them; when that cannot be
    a date but day/month can (``13/02/2021``), it is read so and says so in
    ``note``.
    """
    if not _HAS_DIGIT.search(text):  # every form has one; most headings and cells have none
        return None
    m = _DATE_RE.search(text)
    if m is None:
        return None
    return _parse_hit(m)


_HAS_DIGIT = re.compile(r"\d")


def _parse_hit(m: re.Match) -> DateHit:
    g = m.group
    start, end = m.start(), m.end()
    try:
        if g("iso"):
            d = dt.date(int(g("iy")), int(g("im")), int(g("id")))
            return _checked(DateHit(d, d.month, d.day, start, end, "iso"))
        if g("us"):
            a, b, y = int(g("ua")), int(g("ub")), _full_year(g("uy"))
            try:
                d = dt.date(y, a, b)
                note = ""
            except ValueError:
                d = dt.date(y, b, a)
                note = f"{g('us')} is not a US month/day/year date; read as day/month/year"
            return _checked(DateHit(d, d.month, d.day, start, end, "us_numeric", note=note))
        if g("dot"):
            # "24.02.2021", "20.9.2017": the dotted form is written day first
            d = dt.date(int(g("py")), int(g("pm")), int(g("pd")))
            return _checked(DateHit(d, d.month, d.day, start, end, "dotted"))
        if g("mdy") or g("dmy"):
            mon, day, year = (g("m1"), g("d1"), g("y1")) if g("mdy") else (g("m2"), g("d2"), g("y2"))
            d = _month_day_year(mon, day, year)
            hit = DateHit(d, d.month, d.day, start, end, "month_day_year" if g("mdy") else "day_month_year")
            wd = g("wd") or g("wd2")
            if wd and _WEEKDAY_INDEX.get(wd[:3].lower()) != d.weekday():
                hit.note = f"{wd} does not match {d.isoformat()} (a {d.strftime('%A')})"
            return _checked(hit)
        mon, day = (g("m3"), g("d3")) if g("md") else (g("m4"), g("d4"))
        d = _month_day_year(mon, day, "2000")  # a leap year: Feb 29 stays possible
        return DateHit(None, d.month, d.day, start, end, "month_day")
    except (ValueError, OverflowError, TypeError, dateparser.ParserError):
        return DateHit(None, 0, 0, start, end, "invalid", problem=f"not a valid date: {m.group(0).strip()}")


def _full_year(y: str) -> int:
    """``17`` in ``6/30/17`` is 2017: two-digit years in notes are this century."""
    return int(y) + 2000 if len(y) == 2 else int(y)


# "Call 04/26", "2/28": month/day without a year, read only where a heading is
# a meeting's title (never "Part 1/2" inside a meeting)
_YEARLESS_NUMERIC = re.compile(r"(?<![\w/.#-])(?P<m>\d{1,2})/(?P<d>\d{1,2})(?![\w/.])")
_NOT_A_DAY_BEFORE = re.compile(r"\b(?:part|step|phase|page|round|episode|ep|no|nr|vol|chapter|slide|item)\.?\s*$", re.I)


def find_yearless_numeric(text: str) -> DateHit | None:
    """``04/26`` (US order, no year) in a heading that carries no other date."""
    if not _HAS_DIGIT.search(text):
        return None
    for m in _YEARLESS_NUMERIC.finditer(text):
        if _NOT_A_DAY_BEFORE.search(text[: m.start()]):
            continue
        month, day = int(m.group("m")), int(m.group("d"))
        try:
            dt.date(2000, month, day)
        except ValueError:
            continue
        return DateHit(None, month, day, m.start(), m.end(), "month_day")
    return None


def _checked(hit: DateHit) -> DateHit:
    if hit.date is not None and not 1970 <= hit.date.year <= 2100:
        hit.problem = f"date out of range: {hit.date.isoformat()}"
        hit.date = None
    return hit


# A date that only mentions another day ("Next meeting: March 3") is not a meeting.
_MENTION = re.compile(
    r"\b(?:(?:next|upcoming|following|previous|last)\s+(?:meeting|call|sync|session)"
    r"|postponed|moved|rescheduled|deadline|due|until|since)\b",
    re.I,
)
_CANCELLED = re.compile(r"\b(?:cancell?ed|no\s+call|no\s+meeting|no\s+sync|skipped)\b", re.I)


# --------------------------------------------------------------------------
# presenters and agenda items

_NAME_SPLIT = re.compile(r"\s*(?:/|&|\+|,|;|\band\b)\s*", re.I)
# "Name (Org)" / "Name from Org": where the organisation starts (see _org_tail)
_ORG_WORD = re.compile(r"\s(?:from|of|at|@)\s+", re.I)
_DURATION = re.compile(r"^\d+\s*(?:min(?:ute)?s?|m|h|hours?)\.?$", re.I)
_NOT_NAMES = {
    "slides", "slide", "recording", "video", "demo", "part", "rfc", "wip", "tbd", "tba", "optional",
    "cont", "continued", "postponed", "cancelled", "canceled", "draft", "link", "notes", "beta",
    "alpha", "update", "updates", "discussion", "deck", "doc", "docs", "youtube", "live",
    "announcement", "agenda", "info", "note", "location", "un",
}


def _looks_like_name(s: str) -> bool:
    words = s.split()
    if not 1 <= len(words) <= 4:
        return False
    if s.lower().strip(".") in _NOT_NAMES or _DURATION.match(s):
        return False
    if s[0] == "@":
        return True
    # "Flyte 1.5 release" is a title: names have no digits, and no lowercase words but particles
    return not any(
        ch.isdigit() for ch in s
    ) and all(w[0].isupper() or w.lower() in _NAME_PARTICLES for w in words) and s[0].isupper()


_NAME_PARTICLES = {"van", "von", "de", "da", "del", "della", "der", "den", "di", "du", "la", "le", "bin", "al", "y", "dos", "das"}


def _people(names: str, org: str | None) -> list[Presenter]:
    if not _HAS_SEPARATOR.search(names):
        names = names.strip(" .")
        return [Presenter(names, org)] if names else []
    return [Presenter(n, org) for n in (p.strip(" .") for p in _NAME_SPLIT.split(names)) if n]


_HAS_SEPARATOR = re.compile(r"[/&+,;]|\band\b", re.I)


def parse_presenters(text: str) -> list[Presenter]:
    """``"Sonja - Katrina - Nian - Spotify"`` -> three presenters of Spotify.

    In the bracket form the last dash-separated part is the organisation.
    A single part is a name (``Name (Org)`` gives its organisation).
    """
    text = text.strip().strip("[] ").strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    if not text:
        return []
    parts = [p.strip() for p in re.split(r"\s*[-–—]\s+|\s+[-–—]\s*", text) if p.strip()]
    if len(parts) == 1:
        tail = _org_tail(parts[0])
        if tail and tail[2] == "(":
            return _people(tail[0], tail[1])
        return [Presenter(parts[0], None)]
    org = parts[-1]
    out: list[Presenter] = []
    for part in parts[:-1]:
        out.extend(_people(part, org))
    return out


def _parse_who(text: str) -> list[Presenter]:
    """Free text naming people: ``Kevin Su (Union.ai)``, ``Ketan/Haytham``, ``A and B from Lyft``."""
    text = text.strip().strip("*_ ").strip()
    if not text:
        return []
    org = None
    tail = _org_tail(text)
    if tail:
        text, org = tail[0], tail[1]
    return _people(text, org)


def _parse_bold(text: str) -> list[Presenter]:
    """Bold presenter text: ``Name``, ``Name, Org``, ``Name (Org)``, ``A & B, Org``."""
    text = text.strip()
    tail = _org_tail(text)
    if tail:
        return _people(tail[0], tail[1])
    parts = re.split(r"\s*(?:,|\s[-–—]\s)\s*", text)
    if len(parts) == 2 and parts[1]:
        return _people(parts[0], parts[1])
    return _people(text, None)


# The tails below are found with str.rfind and anchored scans, not with a
# lazy ".+?" before "\s*(": such a pattern retries the whitespace run at every
# position and takes minutes on one long line (issue 11). Text reaching them
# is squeezed first (_squeeze: one space per run, a bounded length).
_NOTES_HEADER_WHO = re.compile(r"\(\s?(?:presenters?|speakers?)\s?:", re.I)
_BY_WORD = re.compile(r"(?<=[\s,;:–—-])by\s", re.I)
_SEPARATORS = " \t-–—:|,;~"
_SPACE_RUN = re.compile(r"\s+")
MAX_ITEM_CHARS = 2000  # an agenda line longer than this is read up to here


def _squeeze(text: str, bold: list[tuple[int, int]] | None = None):
    """``text`` with every whitespace run as one space, at most MAX_ITEM_CHARS long,
    and ``bold`` spans moved to match. Returns (text, bold)."""
    if len(text) > MAX_ITEM_CHARS:
        text = text[:MAX_ITEM_CHARS]
        bold = [(a, min(b, MAX_ITEM_CHARS)) for a, b in bold or () if a < MAX_ITEM_CHARS]
    if "  " not in text and "\t" not in text and "\n" not in text and "\r" not in text:
        return text, bold
    out, shift, pos = [], [], 0
    for m in _SPACE_RUN.finditer(text):
        if m.end() - m.start() == 1 and m.group() == " ":
            continue
        out.append(text[pos:m.start()])
        out.append(" ")
        shift.append((m.end(), m.end() - m.start() - 1))
        pos = m.end()
    out.append(text[pos:])
    if bold:
        def moved(i: int) -> int:
            return i - sum(n if end <= i else max(0, n - (end - i)) for end, n in shift)
        bold = [(moved(a), moved(b)) for a, b in bold]
    return "".join(out), bold


def _tail_group(text: str, open_: str, close: str) -> tuple[str, str] | None:
    """``Title (who)`` -> ("Title", "who"): the last bracket group closing the text, holding no brackets."""
    text = text.rstrip()
    if not text.endswith(close):
        return None
    start = text.rfind(open_, 0, len(text) - 1)
    if start < 0 or close in text[start + 1 : -1] or (open_ == "[" and "[" in text[start + 1 : -1]):
        return None
    who = text[start + 1 : -1]
    if not who:
        return None
    return text[:start].rstrip(), who


def _org_tail(text: str) -> tuple[str, str, str] | None:
    """``Name (Org)`` / ``Name from Org`` -> (names, org, "(" or "from"); None without one."""
    text = text.strip()
    paren = _tail_group(text, "(", ")")
    word = next((m for m in _ORG_WORD.finditer(text) if text[: m.start()].strip()), None)
    if paren and paren[0] and (word is None or len(paren[0]) <= word.start()):
        return paren[0].rstrip(), paren[1].strip(), "("
    if word is not None and text[word.end():].strip():
        return text[: word.start()].rstrip(), text[word.end():].strip(), "from"
    return None


def _who_is_names(who: str) -> bool:
    who, _ = _squeeze(who.strip())
    tail = _org_tail(who)
    names = [p for p in _NAME_SPLIT.split(tail[0] if tail else who) if p.strip()]
    return bool(names) and all(_looks_like_name(n.strip()) for n in names)


def _parse_notes_header(text: str) -> tuple[str, list[Presenter]] | None:
    """``Egress Events (Presenter: Nian Tang from Spotify)`` -> (title, presenters)."""
    text, _ = _squeeze(text.strip())
    if not text.endswith(")"):
        return None
    m = _NOTES_HEADER_WHO.search(text, 1)
    if not m or ")" in text[m.end() : -1] or not text[: m.start()].strip():
        return None
    return text[: m.start()].strip(), _parse_who(text[m.end() : -1])


def _by_tail(text: str) -> tuple[str, str] | None:
    """``Title - by Name`` -> ("Title", "Name")."""
    for m in _BY_WORD.finditer(text):
        title = text[: m.start()].rstrip(" \t,;:–—-")
        who = text[m.end() :].strip()
        if title and who:
            return title, who
    return None


def parse_talk(text: str, bold: list[tuple[int, int]] | None = None) -> tuple[str, list[Presenter]]:
    """One agenda line (plain text) -> (title, presenters).

    Understands ``Title [Name - Org]``, ``Title (Presenter: Name from Org)``,
    ``Title by Name (Org)``, ``Title (Name/Name)`` and presenters in bold
    (``bold`` holds the bold spans of ``text``): ``**Name** (Org): Title``,
    ``Title - **Name, Org**``. A line that is only a bold name gives an empty
    title. Anything else is a title without presenters.
    """
    text, bold = _squeeze(text.strip(), bold)
    text = text.strip()
    if not text:
        return "", []
    tail = text[-1:]
    m = _tail_group(text, "[", "]") if tail == "]" else None
    if m and m[0].strip():
        return m[0].strip(_SEPARATORS), parse_presenters(m[1])
    if tail == ")":
        header = _parse_notes_header(text)
        if header:
            return header
    m = _by_tail(text) if "by" in text.lower() else None
    if m and _who_is_names(m[1]):
        return m[0].strip(_SEPARATORS), _parse_who(m[1])
    m = _tail_group(text, "(", ")") if tail == ")" else None
    if m and m[0] and _who_is_names(m[1]):
        return m[0].strip(_SEPARATORS), _parse_who(m[1])
    if bold:
        a, b = bold[0]
        dash = _LEADING_BOLD_DASH.match(text, b) if a == 0 else None
        if dash and _who_is_names(text[dash.end():]):
            # "**Title** - Name": a leading bold before a dash is the title
            return text[a:b].strip(_SEPARATORS), _parse_who(text[dash.end():])
        presenters: list[Presenter] = []
        keep = []
        pos = 0
        for a, b in bold:
            if a < pos or b > len(text) or not _set_apart(text, a, b):
                continue
            keep.append(text[pos:a])
            people = _parse_bold(text[a:b])
            pos = b
            # "**Name** (Org)" -- the parenthesis right after the bold is the organisation
            om = re.match(r"\s*\(([^()]+)\)", text[b:])
            if om and people and all(p.org is None for p in people):
                people = [Presenter(p.name, om.group(1).strip()) for p in people]
                pos = b + om.end()
            presenters.extend(people)
        keep.append(text[pos:])
        title = re.sub(r"\s+", " ", " ".join(k.strip(_SEPARATORS) for k in keep)).strip(_SEPARATORS)
        title = re.sub(r"^(?:by|with)\s+|\s+(?:by|with)$", "", title, flags=re.I).strip(_SEPARATORS)
        if presenters and all(_looks_like_name(p.name) for p in presenters):
            return title, presenters
    return text, []


_LEADING_BOLD_DASH = re.compile(r"\s*[-–—]\s+")


def _set_apart(text: str, a: int, b: int) -> bool:
    """Bold names a presenter only when punctuation sets it apart ("**Welcome** to ..." is prose)."""
    before, after = text[:a].rstrip(), text[b:].lstrip()
    before_ok = not before or before[-1] in "-–—:|,;(" or before.lower().endswith((" by", " with"))
    # a bold name closing the line ("Title **Name**") needs nothing before it
    return not after or (after[0] in "(:-–—|,;[" and before_ok)


def parse_agenda_item(text: str) -> tuple[str, list[Presenter]]:
    return parse_talk(text)


# --------------------------------------------------------------------------
# agenda items as people write them: what is an item at all, and the forms
# around parse_talk (a kind prefix, a leading presenter, placeholders)

# "Talk:", "Keynote:", "Workshop:", "Lightning Talk:" (also misspelt "Lightnig")
_KIND_PREFIX = re.compile(
    r"^(?:(?:lightn\w{0,6}|guest|invited|main|short)\s)?(?:talk|keynote|workshop|panel)\s?:\s?", re.I
)
# "Slides: ...", "Recording (Full): ...", "Location: ...", "Note: ..." are about the meeting
_LABEL = re.compile(r"^(?P<label>[^:\n]{1,40}):")
_LABEL_WORDS = re.compile(
    r"\b(?:slides?|recordings?|videos?|location|venue|where|when|time|date|notes?|stream|livestream|youtube"
    r"|zoom|meetup|registration|rsvp|address|links?|deck|attendees|attendance|moderator|duration|chat)\b",
    re.I,
)
# "add item here [name, ...]", "[name=YourNameHere]", "Let's collect ...", "TBA"
_PLACEHOLDER = re.compile(
    r"^\W*(?:add\s(?:[\w/-]+\s){0,4}here\b|(?:let[’']?s|please)\s(?:collect|add)\b"
    r"|(?:\[\s?)?(?:name\s?=\s?)?your\s?name\s?here\b"
    r"|(?:tba|tbd|tbc|n/?a|none|todo|\.\.\.|…)\W*$)",
    re.I,
)
_TASK_BOX = re.compile(r"^\[[ xX]?\]\s?")
# HackMD "[name=handle]" tags
_NAME_TAG = re.compile(r"\[name\s?=\s?(?P<who>[^\[\]=]{1,80})\]\s?", re.I)
_HANDLE = re.compile(r"(?<![\w@])@(?P<h>[A-Za-z0-9][\w.-]{0,38})")
_GENERIC_TITLE = re.compile(r"^\W*(?:agenda|notes?|minutes|link|slides?|recording|video|youtube|tba|tbd)\W*$", re.I)


# "Martin Renou. Presenting ...", "Prasun Anand : Presenting ..."
_LEAD_NAME = re.compile(r"^(?P<who>[^\W\d_][\w'’-]{0,30}(?: [^\W\d_][\w'’-]{0,30}){1,3}) ?[.:] (?=\S)")


def _is_lead_name(who: str) -> bool:
    words = who.split()
    return (
        _looks_like_name(who)
        and not any(len(w) > 1 and w.isupper() for w in words)  # "Add EIP: ..." is a topic
        and not any(w.lower().strip(".") in _NOT_NAMES or w.lower() in _TOPIC_WORDS for w in words)
    )


_TOPIC_WORDS = {
    "open", "closing", "remarks", "proposal", "review", "release", "meeting", "call", "intro", "introduction",
    "status", "roadmap", "testing", "next", "steps", "general", "other", "new", "old", "business", "community",
    "project", "working", "group", "shout", "out", "welcome", "admin", "administrivia", "approval", "action", "items",
}


def _italic_tail(title: str, raw: str) -> tuple[str, list[Presenter]]:
    """``topic - _Name_`` (the name in emphasis closing the line) -> ("topic", [Name])."""
    mark = raw[-1]
    start = raw.rfind(mark, 0, len(raw) - 1)
    who = raw[start + 1 : -1].strip(" *_") if start > 0 else ""
    if who and raw[start - 1 : start] in (" ", "-") and _is_lead_name(who) and title.endswith(who):
        rest = title[: -len(who)].strip(_SEPARATORS)
        if rest:
            return rest, [Presenter(who)]
    return title, []


def _comma_tail(title: str) -> tuple[str, list[Presenter]]:
    """``Title, Presenter Name, Org`` -> ("Title", [Presenter Name (Org)]); else the title as it is."""
    parts = title.rsplit(", ", 2)
    if len(parts) == 3 and parts[0].strip():
        who, org = parts[1].strip(), parts[2].strip()
        if len(who.split()) >= 2 and _is_lead_name(who) and 1 <= len(org.split()) <= 4 and org[:1].isupper():
            return parts[0].strip(), [Presenter(who, org)]
    return title, []


_URL_WORDS = re.compile(r"[A-Za-z0-9]+")


def _url_title(url: str) -> str:
    """A bare link as an agenda item: the words of what it links (``.../t/eip-2315-simple-subroutines/3941``
    -> "eip 2315 simple subroutines"; ``github.com/org/repo/issues/12`` -> "org/repo#12")."""
    path = url.split("://", 1)[1].split("?", 1)[0].split("#", 1)[0][:500]
    segments = [p for p in path.split("/")[1:] if p]
    if len(segments) >= 4 and segments[2] in ("issues", "pull", "pulls", "discussions") and segments[3].isdigit():
        return f"{segments[0]}/{segments[1]}#{segments[3]}"
    slugs = [p for p in segments if "-" in p or "_" in p]
    if slugs:
        return " ".join(_URL_WORDS.findall(max(slugs, key=len)))
    return url


def _lead_group(text: str) -> tuple[str, str] | None:
    """``(Name, Name) Title`` -> ("Name, Name", "Title"): a leading parenthesis, then a space."""
    if not text.startswith("("):
        return None
    end = text.find(")")
    if end < 2 or "(" in text[1:end] or text[end + 1 : end + 2] != " ":
        return None
    return text[1:end].strip(), text[end + 1 :].strip()


def _names_in(who: str) -> list[Presenter]:
    """The people a free-form group names: ``Iker, Kalle``, ``Víctor and related group``, ``Jeremie - if time allows``."""
    who = re.split(r"\s[-–—]\s", who, maxsplit=1)[0]
    people = _parse_who(who)
    named = [p for p in people if _looks_like_name(p.name)]
    if named:
        return named
    first = who.split()[0] if who.split() else ""
    return [Presenter(first)] if first and _looks_like_name(first) and len(people) == 1 else []


def agenda_item(text: str, bold: list[tuple[int, int]] | None = None) -> tuple[str, list[Presenter]] | None:
    """One agenda line -> (title, presenters), or None when the line is no talk
    (a placeholder, a "Slides:" / "Location:" line, an empty label).

    Around ``parse_talk``: a ``Talk:`` / ``Keynote:`` / ``Workshop:`` prefix with
    ``**Name - Title**``, ``**Name, Name - Title**`` or ``with Name - Title``
    after it; a leading ``(Name)``, ``[name=handle]`` or ``@handle``; a task box.
    """
    text, bold = _squeeze(text.strip(), bold)
    bold = list(bold or [])
    text = text.strip()
    box = _TASK_BOX.match(text)
    if box:
        text, bold = _cut(text, bold, box.end())
    for _ in range(4):  # "[ 0:19 ] Title", "33:40 - 35:44 topic"
        clock = _LEADING_CLOCK.match(text)
        if not clock or not clock.end():
            break
        text, bold = _cut(text, bold, clock.end())
    if not text or _PLACEHOLDER.match(text):
        return None
    kind = _KIND_PREFIX.match(text)
    if kind:
        text, bold = _cut(text, bold, kind.end())
        return _kind_item(text, bold)
    presenters: list[Presenter] = []
    lead_name = _LEAD_NAME.match(text) if not bold else None
    if lead_name and _is_lead_name(lead_name.group("who")):
        presenters = [Presenter(lead_name.group("who"))]
        text, bold = _cut(text, bold, lead_name.end())
    label = _LABEL.match(text)
    if (
        label
        and not presenters
        and len(label.group("label").split()) <= 4
        and _LABEL_WORDS.search(label.group("label"))
        and not bold[:1] == [(0, label.end() - 1)]
    ):
        return None
    tag = _NAME_TAG.search(text)
    if tag:
        presenters = [Presenter(tag.group("who").strip())]
        text, bold = _cut(text, bold, tag.start(), tag.end())
        if _PLACEHOLDER.match(presenters[0].name):
            presenters = []
            if not text.strip(_SEPARATORS):
                return None
    lead = _lead_group(text)
    if lead and not presenters:
        people = _names_in(lead[0])
        if people and lead[1]:
            presenters = people
            text, bold = _cut(text, bold, len(text) - len(lead[1]))
    if not presenters and bold and bold[0][0] == 0 and text[bold[0][1] : bold[0][1] + 1] == " ":
        # "**Gonzalo** Internationalization workflow": a bold name, then the title
        who, rest = text[: bold[0][1]].strip(), text[bold[0][1] :].strip()
        if rest[:1].isupper() and _looks_like_name(who) and (" " not in who or _is_lead_name(who)):
            if who.lower() not in _TOPIC_WORDS:
                presenters = [Presenter(who)]
                text, bold = _cut(text, bold, bold[0][1])
    handle = _HANDLE.match(text)
    if handle and not presenters and text[handle.end() :].strip(_SEPARATORS):
        presenters = [Presenter("@" + handle.group("h"))]
        text, bold = _cut(text, bold, handle.end())
    title, more = parse_talk(text, bold)
    if not presenters and not more:
        cut, handles = _handle_tail(title) if "@" in title else (len(title), [])
        if handles and title[:cut].strip(_SEPARATORS):
            more = [Presenter(h) for h in handles]
            title = title[:cut].strip(_SEPARATORS)
    if not presenters and not more:
        title, more = _comma_tail(title)
    presenters = presenters + more
    if title.startswith(("http://", "https://")) and " " not in title:
        title = _url_title(title)
    if any(c in title for c in "[@(") and _NOTED_CLOCK.search(title):
        bare = _NOTED_CLOCK.sub("", title).strip(_SEPARATORS)  # "Deep dive (0:50 in video)": the offset is no title
        title = bare or title
    title = title.strip(_SEPARATORS) if presenters else title
    if not title and not presenters:
        return None
    if title and _GENERIC_TITLE.match(title) and not presenters:
        return None
    if title.endswith(":") and _LABEL.match(title) and _LABEL_WORDS.search(title):
        return None
    return title, presenters


# link labels that name a resource of the talk, not the talk
_RESOURCE_LABEL = re.compile(
    r"^\W*(?:(?:talk|keynote|full|the)\s)?(?:slides?(?:\s(?:and|&)\srecording)?|recording|video|youtube|pdf|paper|deck|notes"
    r"|presentation\sdeck|part\s?\d+|slides?\s(?:part\s)?\d+)\W*$",
    re.I,
)
_LEADING_SECOND_DATE = re.compile(r"^\s?(?:[&/,]|and)\s?(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2})\b", re.I)
_TAIL_CHARS = " \t,;:/()–—&+-"
_TAIL_WORDS = ("and", "or", "slides", "slide", "recording", "video")


def _strip_resource_tail(part: str) -> str:
    """``Title [slides] and [slides] - [recording]`` without its labels: ``Title`` (no regex: runs of dashes stay linear)."""
    while True:
        part = part.rstrip(_TAIL_CHARS)
        low = part.lower()
        word = next((w for w in _TAIL_WORDS if low.endswith(w) and (len(low) == len(w) or not low[-len(w) - 1].isalnum())), None)
        if word is None:
            return part
        part = part[: -len(word)]
_ONLY_A_MEETING = re.compile(
    r"^\W*(?:[\w.-]+\s){0,3}(?:meeting|call|sync|stand-?up|office\s+hours|meetup|recording)s?\W*$", re.I
)


def _dated_bullet_talks(inl: _Inline, line0: int) -> list[Talk]:
    """``* 2023-10-26: A Polynomial Dialect Proposal`` + slides/recording links: the bullet is the talk.

    The title runs from the date to ';' or the resource links; more topics
    separated by ';' are more talks, a part naming only people names the
    presenters of the one before.
    """
    text = inl.text
    for a, b, href in sorted(inl.links, reverse=True):
        label = text[a:b]
        if links.classify_url(href) is not None or _RESOURCE_LABEL.match(label) or href.lower().endswith(".pdf"):
            text = text[:a] + text[b:]
    text, _ = _squeeze(text)
    hit = find_date(text[:120])
    if hit is None:
        return []
    rest = text[hit.end :]
    second = _LEADING_SECOND_DATE.match(rest)
    if second:
        rest = rest[second.end() :]
    talks: list[Talk] = []
    for part in rest.split(";"):
        part = part.strip(_SEPARATORS + ".")
        part = re.sub(r"^(?:and|or)\s", "", part, flags=re.I)
        part = _strip_resource_tail(part).strip(_SEPARATORS)
        if not part or _RESOURCE_LABEL.match(part):
            continue
        who = part.split(" @ ")[0].strip()
        acronym = any(len(w) > 1 and w.isupper() for w in who.split())  # "RFC C APIs" is a topic
        if talks and not acronym and _who_is_names(who):
            talks[-1].presenters.extend(_parse_who(who))
            continue
        found = agenda_item(part)
        if found is None or (not talks and _ONLY_A_MEETING.match(found[0]) and not found[1]):
            continue
        talks.append(Talk(found[0], found[1], part, line=line0 + 1))
    return talks


_CLOCK = r"(\d{1,2}(?::\d{2}){1,2})"
# offsets written without a link: "[33:40]", "[ 0:19 ]", "@ 33:05", "(0:50 in video)"
_NOTED_CLOCK = re.compile(
    rf"\[ ?{_CLOCK} ?\]|(?<![\w@])@ ?{_CLOCK}\b|\({_CLOCK} (?:in|into) (?:the )?(?:video|recording)\)"
)
_LEADING_CLOCK = re.compile(r"^\[?\s?\d{1,2}(?::\d{2}){1,2}\s?\]?[\s–—-]*")
MAX_OFFSET_S = 24 * 3600  # no meeting recording is longer than a day


def _clock_seconds(clock: str) -> int:
    n = 0
    for part in clock.split(":"):
        n = n * 60 + int(part)
    return n


def noted_offset(text: str) -> tuple[int | None, str | None]:
    """The first offset ``text`` (markdown) writes: (seconds, video id or None).

    A YouTube link with ``t=`` gives both (``[5:31](...&t=331s)``,
    ``[[4:14](https://youtu.be/ID?t=253)]``); a bare clock (``[33:40]``,
    ``@ 33:05``, ``(0:50 in video)``) gives the seconds only: the meeting's recording.
    """
    if not text or ":" not in text:  # every form has a clock or a URL
        return None, None
    best: tuple[int, int, str | None] | None = None  # (position, seconds, video)
    if "://" in text and ("t=" in text or "start=" in text):
        for link in links.find_links(text):
            if link.kind == "youtube" and link.start_s is not None and 0 <= link.start_s <= MAX_OFFSET_S:
                best = (text.find(link.url[:40]), link.start_s, link.ref)
                break
    m = _NOTED_CLOCK.search(text, 0, best[0] if best and best[0] >= 0 else len(text))
    if m:
        seconds = _clock_seconds(m.group(1) or m.group(2) or m.group(3))
        inside_link = text[m.end() : m.end() + 1] == "("  # "[5:31](url)": the link says it better
        if seconds <= MAX_OFFSET_S and not (inside_link and best):
            return seconds, None
    if best:
        return best[1], best[2]
    return None, None


def _note_offsets(talks: list[Talk]) -> None:
    """Each talk's offset from its own line, else the first one in its own notes."""
    for t in talks:
        if t.noted_start_s is None:
            start, video = noted_offset(t.raw)
            if start is None:
                start, video = noted_offset(t.notes[:20_000])  # the first one is near the top
            t.noted_start_s, t.noted_video_id = start, video


def _cut(text: str, bold: list, a: int, b: int | None = None) -> tuple[str, list]:
    """``text`` without [a:b) (b None: without [0:a)), bold spans moved along."""
    if b is None:
        a, b = 0, a
    n = b - a
    spans = []
    for x, y in bold:
        if y <= a:
            spans.append((x, y))
        elif x >= b:
            spans.append((x - n, y - n))
        elif x < a:
            spans.append((x, max(a, y - n)))
        elif y > b:
            spans.append((a, y - n))
    new = text[:a] + text[b:]
    strip = len(new) - len(new.lstrip())
    if strip:
        new = new[strip:]
        spans = [(max(0, x - strip), max(0, y - strip)) for x, y in spans]
    return new.rstrip(), [(x, y) for x, y in spans if y > x]


_DASH = re.compile(r"\s[-–—]\s")
_WITH_WORD = re.compile(r"\s(?:mit|with)\s", re.I)


def _handle_tail(title: str) -> tuple[int, list[str]]:
    """``topic - @a, @b`` -> (where the handles start, ["@a", "@b"]); words are read from the end."""
    words = title.split(" ")
    handles: list[str] = []
    while words:
        w = words[-1].strip(_SEPARATORS + ".")
        if not w:
            words.pop()
            continue
        if not _HANDLE.fullmatch(w):
            break
        handles.insert(0, w)
        words.pop()
    return len(" ".join(words)), handles


def _kind_item(text: str, bold: list) -> tuple[str, list[Presenter]] | None:
    """What follows ``Talk:``: ``**Name - Title**``, ``**Name, Name - Title** - [SLIDES](...)``,
    ``with Name - Title``, ``Name - Title``, or a title (``**Title (Name)**``)."""
    if bold and bold[0][0] == 0:
        inner = text[: bold[0][1]].strip()
    else:
        inner = text
    inner = re.sub(r"^with\s", "", inner, flags=re.I)
    dash = _DASH.search(inner)
    if dash:
        who, title = inner[: dash.start()].strip(), inner[dash.end() :].strip()
        names = _names_in(who) if who else []
        if names and _who_is_names(re.sub(r"^(?:prof|dr|mr|mrs|ms)\.?\s", "", who, flags=re.I)):
            return title.strip(_SEPARATORS), _parse_who(who)
    title, presenters = parse_talk(inner)
    if not presenters:
        # "Google-Hacking mit Florian Ammon": the last "with"/"mit" after any dash
        last_dash = max(title.rfind("-"), title.rfind("–"), title.rfind("—"))
        for m in _WITH_WORD.finditer(title, max(0, last_dash)):
            who = title[m.end() :]
            if title[: m.start()].strip() and _who_is_names(who):
                return title[: m.start()].strip(_SEPARATORS), _parse_who(who)
    if not title:
        return None
    return title.strip(_SEPARATORS) or title, presenters


# --------------------------------------------------------------------------
# markdown plumbing
#
# markdown-it turns the text into blocks (with their source lines) and inline
# spans; two builds of it are supported and give the walker the same plain
# blocks: markdown-it-pyrs (markdown-it.rs, ~5x faster on big notes) when it
# is installed and does not fail, else markdown-it-py.


@dataclass
class _Inline:
    text: str  # plain text, soft breaks as "\n"
    bold: list  # (start, end) spans of strong text in ``text``
    links: list = field(default_factory=list)  # (start, end, href) of link labels in ``text``


@dataclass
class _Item:
    inline: object | None  # backend handle of the item's first paragraph
    line: int  # 0-based
    end: int  # 0-based, exclusive
    children: list
    talk: tuple | None = None  # memo of _Parser.item_talk


@dataclass
class _Block:
    kind: str  # heading | paragraph | list | table | html | other
    start: int  # 0-based first line
    end: int  # 0-based line after the block
    level: int = 0  # headings
    inline: object = None  # headings, paragraphs: backend handle
    items: list = field(default_factory=list)  # lists: [_Item]
    header: list = field(default_factory=list)  # tables: [handle]
    rows: list = field(default_factory=list)  # tables: [(line, [handle])]
    content: str = ""  # html blocks
    lazy: object = None  # lists: builds ``items`` when first asked (notes bullets never are)

    def list_items(self) -> list:
        if self.lazy is not None:
            self.items, self.lazy = self.lazy(), None
        return self.items


def _without_recording_labels(inl: _Inline) -> _Inline:
    """The text minus the labels of YouTube/Drive links ("[Recording](...)" is not a title)."""
    text, bold = inl.text, list(inl.bold)
    for a, b, href in sorted(inl.links, reverse=True):
        if links.classify_url(href) is None:
            continue
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


def _walk_items(items: list[_Item]):
    for it in items:
        yield it
        yield from _walk_items(it.children)


class _Lines:
    """Line offsets of the input, split the way markdown-it counts lines."""

    def __init__(self, text: str):
        self.text = text
        self.starts = _line_starts(text)
        self.count = len(self.starts) if text else 0

    def slice(self, a: int, b: int) -> str:
        """Lines a..b-1 (0-based) exactly as in the input, trailing blank lines dropped."""
        a = max(0, min(a, len(self.starts) - 1))
        b = max(a, min(b, len(self.starts)))
        lo = self.starts[a]
        hi = self.starts[b] if b < len(self.starts) else len(self.text)
        return self.text[lo:hi].rstrip("\r\n \t")

    def line(self, a: int) -> str:
        return self.slice(a, a + 1)


_LINE_BREAK = re.compile(r"\r\n?|\n")
_LINE_BREAK_BYTES = re.compile(rb"\r\n?|\n")


def _line_starts(text):
    """Offsets where lines start (str or bytes), counting \r\n, \r and \n as markdown does."""
    nl, cr = ("\n", "\r") if isinstance(text, str) else (b"\n", b"\r")
    if cr in text:
        rx = _LINE_BREAK if isinstance(text, str) else _LINE_BREAK_BYTES
        return [0, *(m.end() for m in rx.finditer(text))]
    # C-speed for the usual case: cumulative line lengths, one more for each "\n"
    lengths = map(len, text.split(nl))
    return [0, *map(operator.add, itertools.accumulate(lengths), range(1, text.count(nl) + 1))]


# a column-0 ATX heading right after a blank line: where a cut may go
_CUT = re.compile(r"\n[ \t]*\r?\n(?=#{1,6}(?:[ \t]|\r?\n|$))")
# blocks that run across blank lines: fences, and HTML blocks of CommonMark types 1-5
_OPENER = re.compile(
    r"^ {0,3}(?:(?P<fence>`{3,}(?=[^`\n]*$)|~{3,})"
    r"|<(?P<tag>script|pre|style|textarea)(?:[\s>]|$)|(?P<comment><!--)|(?P<pi><\?)|(?P<cdata><!\[CDATA\[)|(?P<decl><![A-Za-z]))",
    re.M | re.I,
)
_HTML_CLOSE = {
    "tag": re.compile(r"</(?:script|pre|style|textarea)>", re.I),
    "comment": re.compile(r"-->"),
    "pi": re.compile(r"\?>"),
    "cdata": re.compile(r"\]\]>"),
    "decl": re.compile(r">"),
}
_REFERENCE_DEF = re.compile(r"^ {0,3}\[[^\]\n]+\]:", re.M)
CHUNK_CHARS = 200_000  # ~15 MB of Rust tree at a time


def _block_end(text: str, m: re.Match) -> int:
    """Where the fence or HTML block opened by ``m`` ends (the end of its last line)."""
    if m.group("fence"):
        fence = m.group("fence")
        close = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*\r?$", re.M)
        line_end = text.find("\n", m.end())
        c = close.search(text, line_end + 1) if line_end >= 0 else None
    else:
        kind = next(k for k in _HTML_CLOSE if m.group(k))
        c = _HTML_CLOSE[kind].search(text, m.end() - (1 if kind == "decl" else 0))
    if c is None:
        return len(text)
    end = text.find("\n", c.end())
    return len(text) if end < 0 else end


def _chunks(text: str, size: int | None = None):
    """Split ``text`` into (first line, text) pieces markdown-it reads the same apart as together.

    A cut goes only before a column-0 ATX heading that follows a blank line,
    outside any fence or type 1-5 HTML block: CommonMark keeps no container or
    leaf block open across it. Link reference definitions reach across the
    whole document, and a lone "\\r" line end hides lines from the ``^`` anchors
    used here, so such documents are not cut. Bounds the parser's memory on
    big notes; missing a possible cut only costs memory.
    """
    size = size or CHUNK_CHARS
    if len(text) <= size or _REFERENCE_DEF.search(text) or text.count("\r") != text.count("\r\n"):
        yield 0, text
        return
    start = line = 0
    resolved = 0  # text before this is known to be outside fences and HTML blocks
    for m in _CUT.finditer(text):
        cut = m.end()
        if cut - start < size:
            continue
        while resolved < cut:
            o = _OPENER.search(text, resolved, cut)
            if o is None:
                resolved = cut
                break
            resolved = max(_block_end(text, o), o.end())
        if resolved > cut:
            continue  # the heading is inside a fence or an HTML block
        yield line, text[start:cut]
        line += text.count("\n", start, cut)
        start = cut
    yield line, text[start:]


class _PyBackend:
    """markdown-it-py: block tokens, inline markup parsed on demand."""

    # block parse only: inline markup is parsed for the few blocks that need it
    md = MarkdownIt("commonmark").enable("table").disable(["inline", "text_join"])

    def __init__(self, text: str):
        self.text = text
        self.env: dict = {}

    def blocks(self):
        for line0, chunk in _chunks(self.text):
            for block in self._blocks(self.md.parse(chunk, self.env)):
                if line0:
                    _shift(block, line0)
                yield block

    def source(self, tok) -> str:
        return tok.content or "" if tok is not None else ""

    def inline(self, tok) -> _Inline:
        src = self.source(tok)
        if not any(c in src for c in "*_[`<\\&!"):
            return _Inline(src, [])  # nothing to parse
        children: list = []
        self.md.inline.parse(src, self.md, self.env, children)
        out: list[str] = []
        bold: list[tuple[int, int]] = []
        found: list[tuple[int, int, str]] = []
        n = 0
        opened: list[int] = []
        link_at: list[tuple[int, str]] = []
        for c in children:
            t = c.type
            if t == "text" or t == "code_inline" or t == "text_special":  # text_special: escapes, entities
                out.append(c.content)
                n += len(c.content)
            elif t in ("softbreak", "hardbreak"):
                out.append("\n")
                n += 1
            elif t == "strong_open":
                opened.append(n)
            elif t == "strong_close" and opened:
                a = opened.pop()
                if not opened:
                    bold.append((a, n))
            elif t == "link_open":
                link_at.append((n, str(c.attrGet("href") or "")))
            elif t == "link_close" and link_at:
                a, href = link_at.pop()
                found.append((a, n, href))
            elif t == "image":
                alt = "".join(ch.content for ch in (c.children or []))
                out.append(alt)
                n += len(alt)
        return _Inline("".join(out), bold, found)

    def _blocks(self, tokens) -> list[_Block]:
        blocks: list[_Block] = []
        n = len(tokens)
        i = 0
        while i < n:
            tok = tokens[i]
            if tok.level != 0 or tok.map is None:
                i += 1
                continue
            start, end = tok.map
            tt = tok.type
            nxt = tokens[i + 1] if i + 1 < n else None
            if tt == "heading_open":
                blocks.append(_Block("heading", start, end, level=int(tok.tag[1]), inline=nxt))
                i += 3
            elif tt == "paragraph_open":
                blocks.append(_Block("paragraph", start, end, inline=nxt))
                i += 3
            elif tt in ("bullet_list_open", "ordered_list_open"):
                items, i = self._list(tokens, i)
                blocks.append(_Block("list", start, end, items=items))
            elif tt == "table_open":
                block = _Block("table", start, end)
                row: list | None = None
                row_line = start
                in_head = False
                i += 1
                while i < n and tokens[i].type != "table_close":
                    t = tokens[i]
                    if t.type == "thead_open":
                        in_head = True
                    elif t.type == "thead_close":
                        in_head = False
                    elif t.type == "tr_open":
                        row = []
                        row_line = t.map[0] if t.map else row_line + 1
                    elif t.type == "inline" and row is not None:
                        row.append(t)
                    elif t.type == "tr_close" and row is not None:
                        if in_head:
                            block.header = row
                        else:
                            block.rows.append((row_line, row))
                        row = None
                    i += 1
                blocks.append(block)
                i += 1
            elif tt == "html_block":
                blocks.append(_Block("html", start, end, content=tok.content))
                i += 1
            else:
                # fences, code, blockquotes, rules: notes text only
                close = tt.replace("_open", "_close")
                j = i + 1
                if tok.nesting == 1:
                    depth = 1
                    while j < n and depth:
                        if tokens[j].type == tt:
                            depth += 1
                        elif tokens[j].type == close:
                            depth -= 1
                        j += 1
                blocks.append(_Block("other", start, end))
                i = j
        return blocks

    @staticmethod
    def _list(tokens, i: int) -> tuple[list[_Item], int]:
        """The list at tokens[i] as a tree of items; returns (items, index after the list)."""
        root: list[_Item] = []
        stack: list[list[_Item]] = []
        item_stack: list[_Item] = []
        n = len(tokens)
        j = i
        depth = 0
        while j < n:
            t = tokens[j]
            tt = t.type
            if tt == "bullet_list_open" or tt == "ordered_list_open":
                depth += 1
                parent = item_stack[-1] if item_stack and depth > 1 else None
                stack.append(parent.children if parent is not None else root)
            elif tt == "bullet_list_close" or tt == "ordered_list_close":
                depth -= 1
                stack.pop()
                if depth == 0:
                    return root, j + 1
            elif tt == "list_item_open":
                mp = t.map or (0, 0)
                item = _Item(None, mp[0], mp[1], [])
                stack[-1].append(item)
                item_stack.append(item)
            elif tt == "list_item_close":
                if item_stack:
                    item_stack.pop()
            elif tt == "inline" and item_stack and item_stack[-1].inline is None:
                # only the item's own first paragraph, not a nested item's
                if tokens[j - 1].type == "paragraph_open" and tokens[j - 2].type == "list_item_open":
                    item_stack[-1].inline = t
            j += 1
        return root, j


def _shift(block: _Block, n: int) -> None:
    block.start += n
    block.end += n
    block.rows = [(line + n, cells) for line, cells in block.rows]
    for item in _walk_items(block.items):
        item.line += n
        item.end += n


_RS_BLOCK_NODES = {
    "paragraph", "bullet_list", "ordered_list", "fence", "code_block", "blockquote", "heading",
    "lheading", "hr", "html_block", "table", "definition", "footnote_definition",
}


class _RsBackend:
    """markdown-it-pyrs: one Rust pass builds the whole tree, inline included.

    Nodes carry byte offsets (``srcmap``); they are turned into line numbers
    with the same line breaks markdown-it-py counts.
    """

    md = None

    def __init__(self, text: str):
        cls = type(self)
        if cls.md is None:
            from markdown_it_pyrs import MarkdownIt as RsMarkdownIt

            cls.md = RsMarkdownIt("commonmark").enable("table")
        self.text = text
        self.data = text.encode("utf-8")
        self.starts = _line_starts(self.data)
        self.base = 0  # byte offset of the chunk being read
        self.py: _PyBackend | None = None  # reads the chunks markdown-it.rs panics on

    def blocks(self):
        base = 0
        for line0, chunk in _chunks(self.text):
            self.base = base
            try:
                tree = _without_panic_noise(self.md.tree, chunk)
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException:  # noqa: BLE001 - pyo3's PanicException
                # chunks are read alike apart or together, so only this one changes parser
                self.py = _PyBackend(chunk)
                for block in self.py.blocks():
                    _shift(block, line0)
                    yield block
            else:
                for node in tree.children:
                    block = self._block(node)
                    if block is not None:
                        yield block
                del tree
            base += len(chunk.encode("utf-8"))

    def _map(self, node) -> tuple[int, int]:
        a, b = node.srcmap or (0, 0)
        return a + self.base, b + self.base

    def _line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1

    def _span(self, node) -> tuple[int, int]:
        a, b = self._map(node)
        return self._line(a), self._line(max(a, b - 1)) + 1

    def source(self, handle) -> str:
        if handle is None:
            return ""
        if not isinstance(handle, tuple):  # a markdown-it-py token from a fallback chunk
            return self.py.source(handle)  # type: ignore[union-attr]
        a, b = handle[1]
        return self.data[a:b].decode("utf-8", "replace")

    def _block(self, node) -> _Block | None:
        name = node.name
        if node.srcmap is None:
            return None
        start, end = self._span(node)
        if name == "heading" or name == "lheading":
            return _Block("heading", start, end, level=int(node.meta.get("level", 1)), inline=(node, self._map(node)))
        if name == "paragraph":
            return _Block("paragraph", start, end, inline=(node, self._map(node)))
        if name == "bullet_list" or name == "ordered_list":
            return _Block("list", start, end, lazy=lambda: [self._item(it) for it in node.children])
        if name == "table":
            block = _Block("table", start, end)
            for part in node.children:
                for row in part.children:
                    cells = [(cell, self._map(cell)) for cell in row.children]
                    if part.name == "thead":
                        block.header = cells
                    else:
                        block.rows.append((self._span(row)[0], cells))
            return block
        if name == "html_block":
            return _Block("html", start, end, content=str(node.meta.get("content", "")))
        return _Block("other", start, end)

    def _item(self, node) -> _Item:
        start, end = self._span(node)
        kids = node.children
        handle = None
        if kids:
            first = kids[0]
            if first.name == "paragraph":
                handle = (first, self._map(first))
            elif first.name not in _RS_BLOCK_NODES:
                # a tight item: its inline nodes sit directly under it
                inline = []
                a, stop = self._map(node)
                for k in kids:
                    if k.name in _RS_BLOCK_NODES:
                        stop = self._map(k)[0] if k.srcmap else stop
                        break
                    inline.append(k)
                handle = (inline, (a, stop))
        children = []
        for k in kids:
            if k.name == "bullet_list" or k.name == "ordered_list":
                children.extend(self._item(it) for it in k.children)
        return _Item(handle, start, end, children)

    def inline(self, handle) -> _Inline:
        if handle is None:
            return _Inline("", [])
        if not isinstance(handle, tuple):  # a markdown-it-py token from a fallback chunk
            return self.py.inline(handle)  # type: ignore[union-attr]
        nodes = handle[0]
        if not isinstance(nodes, list):
            nodes = nodes.children  # a heading, paragraph or cell node
        if len(nodes) == 1 and nodes[0].name == "text":  # most cells and headings
            return _Inline(nodes[0].meta.get("content", ""), [])
        out: list[str] = []
        bold: list[tuple[int, int]] = []
        found: list[tuple[int, int, str]] = []

        def walk(nodes, n: int, in_bold: bool) -> int:
            for c in nodes:
                name = c.name
                if name == "text" or name == "text_special":
                    s = c.meta.get("content", "")
                    out.append(s)
                    n += len(s)
                elif name == "softbreak" or name == "hardbreak":
                    out.append("\n")
                    n += 1
                elif name == "html_inline":
                    continue
                elif name == "strong":
                    a = n
                    n = walk(c.children, n, True)
                    if not in_bold:
                        bold.append((a, n))
                elif name == "link" or name == "autolink":
                    a = n
                    n = walk(c.children, n, in_bold)
                    found.append((a, n, str(c.meta.get("url", ""))))
                else:
                    n = walk(c.children, n, in_bold)
            return n

        walk(nodes, 0, False)
        return _Inline("".join(out), bold, found)


def _without_panic_noise(call, arg):
    """``call(arg)`` with file descriptor 2 sent to a scratch file.

    A panic in markdown-it.rs (it has one on an unclosed backtick inside
    brackets) is caught and the document read by markdown-it-py instead, but
    Rust's panic hook would first print a backtrace on the user's terminal.
    What lands there during a call that does not panic is written back.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):
        return call(arg)
    with tempfile.TemporaryFile() as scratch:
        os.dup2(scratch.fileno(), 2)
        try:
            result = call(arg)
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        scratch.seek(0)
        written = scratch.read()
        if written:
            os.write(2, written)
    return result


def _rs_available() -> bool:
    try:
        import markdown_it_pyrs  # noqa: F401
    except ImportError:
        return False
    return True


BACKENDS = {"rs": _RsBackend, "py": _PyBackend}


# --------------------------------------------------------------------------
# the parser

_AGENDA_HEAD = re.compile(
    r"^\W*(?:agenda|talks?|presentations?|schedule|program(?:me)?|speakers?|line-?up|topics?)\b", re.I
)
_PART_OF_MEETING = re.compile(
    r"^\W*(?:meeting\s+)?(?:agenda|notes?|minutes|attendees|attendance|action\s+items|recording|video"
    r"|youtube(?:\s+video)?|slides|discussion|q\s*&\s*a|announcements"
    r"|info(?:rmation)?|details|logistics|summary|decisions?(?:\s+made)?|participants)\b\W*(?:(?:by|from)\b.*)?$",
    re.I,
)
_NOTES_HEAD = re.compile(r"^\W*(?:notes?|minutes|discussion)\b", re.I)
_GROUP = re.compile(
    r"^(?:guest\s+|community\s+|lightning\s+|main\s+)?(?:presentations?|talks?|demos?|speakers?|updates?)\W*$",
    re.I,
)
_DATE_COL = re.compile(r"^\W*(?:date|when|day|meeting|session)\b", re.I)
_TITLE_COL = re.compile(r"^\W*(?:topic|title|talk|subject|agenda|presentation|session title)s?\b", re.I)
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
# headings over lists of events that are not this series' meetings, or of tasks with due dates
_OTHER_EVENTS = re.compile(
    r"\b(?:conferences?|workshops?|action[\s-]+items?|to-?dos?|deadlines?|publications?|papers|milestones?)\b", re.I
)
# "](url)" with one level of parentheses inside the URL; a run of "](" without ")" is
# scanned once (a "[^)\s]*" class reached over every later "](" and went quadratic)
_LINK_TARGET = re.compile(r"\]\((?:[^()\s]|\([^()\s]*\))*\s*\)")
_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n(?:.*\r?\n){0,200}?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)")


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


_MEETING_NOUN = re.compile(
    r"\b(?:meeting|meetup|call|sync|stand-?up|session|hangout|gathering|minutes|treffen|stammtisch)s?\b", re.I
)
_MONTH_YEAR = re.compile(rf"\b(?P<m>{_MONTHS})\.?,?\s+(?P<y>(?:19|20)\d\d)\b", re.I)


def _month_year(text: str) -> tuple[int, int] | None:
    """``Meeting December 2025``: (2025, 12) when a heading names a month, not a day."""
    m = _MONTH_YEAR.search(text) if _HAS_DIGIT.search(text) else None
    return (int(m.group("y")), _month_number(m.group("m"))) if m else None


def _links_its_recording(inl: "_Inline", text: str) -> bool:
    """``### [Audio Video of the Meeting](https://youtube...)``: a heading that is only a
    recording's link is a part of the meeting above, whatever its level."""
    if len(inl.links) != 1:
        return False
    a, b, href = inl.links[0]
    link = links.classify_url(href.strip())
    return link is not None and link.kind in ("youtube", "drive_file") and not (inl.text[:a] + inl.text[b:]).strip(" *_:-")


def _lead_words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]{2,}", text.lower())[:3]


@dataclass
class _PathDate:
    year: int | None = None
    month: int | None = None
    date: dt.date | None = None


_PATH_YMD = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_./ ]?(\d{1,2})[-_./ ]?(\d{1,2})(?!\d)")
_PATH_YEAR_MONTH = re.compile(rf"(?<!\d)((?:19|20)\d\d)[-_. ]?({_MONTHS}|\d{{1,2}})(?![a-z\d])", re.I)
_PATH_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


def _path_date(path: str) -> _PathDate:
    """What a notes file's path says of its date: ``2021_01_12/README.md``, ``2022-april.md``, ``2019/``."""
    if not path or path.startswith("gdoc:"):
        return _PathDate()
    parts = re.split(r"[\\/]+", path)[-3:]
    parts[-1] = re.sub(r"\.(?:md|markdown|txt)$", "", parts[-1], flags=re.I)
    for part in reversed(parts):  # the file's own name first, then its folders
        m = _PATH_YMD.search(part)
        if m:
            try:
                d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                return _PathDate(d.year, d.month, d)
            except ValueError:
                pass
    for part in reversed(parts):
        m = _PATH_YEAR_MONTH.search(part)
        if m:
            mon = m.group(2)
            month = int(mon) if mon.isdigit() else _month_number(mon.lower())
            if 1 <= month <= 12:
                return _PathDate(int(m.group(1)), month)
        m = _PATH_YEAR.search(part)
        if m:
            return _PathDate(int(m.group(1)))
    return _PathDate()


def _path_title(path: str) -> str:
    return re.sub(r"\.(?:md|markdown|txt)$", "", re.split(r"[\\/]+", path or "notes")[-1], flags=re.I) or "notes"


_MEETING_WORDS = re.compile(
    r"\b(?:meeting|meetup|call|sync|minutes|notes|stand-?up|session|agenda|community|working\s+group)s?\b", re.I
)


def _whole_file_date(lines: _Lines, title: str, path: str) -> dt.date | None:
    """A meeting-notes file in which no meeting was found: the date of its path, else of its first dated line."""
    if not (_MEETING_WORDS.search(title) or _MEETING_WORDS.search(re.sub(r"[_\-.]", " ", _path_title(path)))):
        return None
    pd = _path_date(path)
    if pd.date is not None:
        return pd.date
    text = _without_front_matter(lines.text)
    for line in text.splitlines():
        if not _HAS_DIGIT.search(line):
            continue
        line = _LINK_TARGET.sub("]", line)
        hit = find_date(line)
        if hit is None or hit.problem or _MENTION.search(line[: hit.start]):
            continue
        if hit.date is not None:
            return hit.date
        if pd.year is not None:
            try:
                return dt.date(pd.year, hit.month, hit.day)
            except ValueError:
                continue
    return None


def _year_from_section(m: Meeting) -> int | None:
    """The year of a full date in the meeting's own text (a ``**Date:**`` line, a
    ``time.is/1600_1_March_2021_in_UTC`` or arewemeetingyet link) on its month and day."""
    month_day = getattr(m, "_month_day", None)
    if not month_day or not _HAS_DIGIT.search(m.raw):
        return None
    text = re.sub(r"%20|[_+]", " ", m.raw)
    for match in _DATE_RE.finditer(text):
        hit = _parse_hit(match)
        if hit.date is not None and (hit.month, hit.day) == month_day:
            return hit.date.year
    return None


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
        self.current = m
        self.cur_level = level
        self.cur_depth = self.details_depth
        self.section = None
        self.open_talk = None
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

    def on_heading(self, block: _Block) -> None:
        level, start = block.level, block.start
        inl = self.md.inline(block.inline)
        text = inl.text.strip()
        if not self.notes.title and level == 1 and find_date(text) is None:
            self.notes.title = text
        role = self.title.heading(level)
        if level <= 4 and not self.in_other_events(level):
            hit = self.heading_date(text, start, level, role)
            if hit is not None and self.restates_current(hit, level):
                self.section, self.open_talk = "other", None  # "### Meeting Date/Time: ..." under the call's title
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
        if _AGENDA_HEAD.match(text):
            self.section = "agenda"
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
            self.date_in_body(start, self.lines.slice(start, end))
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
        if re.match(r"^\W*agenda\W*$", first, re.I):
            self.section = "agenda"
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
            self.date_in_body(block.start, self.lines.slice(block.start, block.end))
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
            if any(t.presenters or _KIND_PREFIX.match(t.raw) for t in talks):
                m.talks.extend(talks)
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
        if hit is None or not _ONLY_A_TIME.match(plain[hit.end:]):
            return
        hit = self.date_for_meeting(plain, block.start, at_start=True)
        if hit is not None:
            self.open_meeting(hit, plain, block.start, 7, "line")

    def in_other_events(self, level: int) -> bool:
        return bool(self.region_level) and self.current is None and level > self.region_level

    def note_region(self, level: int, text: str) -> None:
        """"Past conferences", "Open action items": dated bullets below are not meetings."""
        if self.region_level and level > self.region_level:
            return
        self.region_level = level if _OTHER_EVENTS.search(text) else 0

    def sibling_of_meetings(self, level: int, text: str) -> bool:
        """An undated heading written like the meeting headings before it (``### **5. Stammtisch ...**``)."""
        last = self.last_meeting_words
        if last is None or last[0] != level:
            return False
        words = _lead_words(text)
        return len(words) >= 2 and words[:2] == last[1][:2]

    def date_in_body(self, start0: int, body: str) -> None:
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
            if not title and not presenters:
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
                _GROUP.match(title) or any(k[2] and k[1] for k in kids)
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
                talk.links = links.find_links(self.lines.line(item.line), first_line=item.line + 1)
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

    # -- after the walk -----------------------------------------------------

    def finish(self) -> Notes:
        meetings = self.meetings
        for m in meetings:
            if m.form == "file" and self.notes.title:
                m.title = self.notes.title
        _fill_years(meetings, self.warnings, _path_date(self.path))
        for m in meetings:
            _note_offsets(m.talks)
            m.links = links.find_links(m.raw, first_line=m.line)
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
    talk.links = links.find_links(raw, first_line=line0 + 1)
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


def _fill_years(meetings: list[Meeting], warnings: list[Warning], path: _PathDate | None = None) -> None:
    """Dates like ``Meeting March 1st`` take the year their own section writes
    (a ``**Date:**`` line, a time link), else that of their nearest dated
    neighbour, else the one their file's path names."""
    if all(m.date is not None for m in meetings):
        return
    for m in meetings:
        if m.date is None:
            year = _year_from_section(m)
            if year is not None:
                m.date = _valid_date(year, *m._month_day)  # type: ignore[attr-defined]
    dated = [i for i, m in enumerate(meetings) if m.date is not None]

    for i, m in enumerate(meetings):
        if m.date is not None:
            continue
        month, day = m._month_day  # type: ignore[attr-defined]
        k = bisect.bisect_left(dated, i)
        near = [dated[j] for j in (k - 1, k) if 0 <= j < len(dated)]
        if not near and path is not None and path.year is not None:
            m.date = _valid_date(path.year, month, day)
            if m.date is not None:
                continue
        if not near:
            warnings.append(Warning(m.line, "date without a year and no dated meeting nearby; skipped"))
            continue
        neighbour = meetings[min(near, key=lambda j: abs(j - i))].date
        candidates = []
        for y in (neighbour.year - 1, neighbour.year, neighbour.year + 1):
            try:
                candidates.append(dt.date(y, month, day))
            except ValueError:
                pass
        if not candidates:
            warnings.append(Warning(m.line, f"not a valid date: month {month} day {day}"))
            continue
        m.date = min(candidates, key=lambda d: abs((d - neighbour).days))
    meetings[:] = [m for m in meetings if m.date is not None]


def _valid_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


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
    for link in links.find_links(head, first_line=1):
        if link.kind in ("youtube_channel", "youtube_handle", "youtube_user", "drive_folder"):
            if (link.kind, link.ref) in seen:
                continue
            seen.add((link.kind, link.ref))
            sources.append(Source(link.kind, link.ref, link.url, link.label, link.line))
    return sources


# A line opening hundreds of nested lists or quotes (" - - - - ..."): markdown-it.rs
# builds the tree, but freeing it recurses once per level and overflows the native
# stack (a segfault, nothing Python can catch); markdown-it-py caps the nesting.
_DEEP_NESTING = re.compile(r"^[ \t]*(?:>[ \t]*|(?:[-*+]|\d{1,9}[.)])[ \t]+){200}", re.M)


def parse_notes(text: str, path: str = "", backend: str | None = None) -> Notes:
    """Parse a notes document. Never raises.

    ``backend`` picks the markdown-it build ("rs" or "py"); by default the
    Rust one when installed, markdown-it-py if it is missing or fails.
    """
    if not isinstance(text, str):
        text = str(text)
    names = [backend] if backend else (["rs", "py"] if _rs_available() and not _DEEP_NESTING.search(text) else ["py"])
    error: BaseException | None = None
    for name in names:
        try:
            return _parse_once_or_as_one_meeting(text, path, BACKENDS[name])
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - a Rust panic is a BaseException
            error = exc
    notes = Notes()  # a bug, but the contract is "never raise"
    notes.warnings.append(Warning(1, f"parser error: {type(error).__name__}: {error}"))
    return notes


def _parse_once_or_as_one_meeting(text: str, path: str, backend) -> Notes:
    """A file dated under its title is one meeting only if no other meeting is
    written in it: else it is a log, read again the way logs are. A notes file
    in which no meeting is written is read again as one meeting
    (``meetings/2021_01_12/README.md``) when its path or a line dates it."""
    notes = _Parser(text, backend, path).run()
    if notes.meetings:
        return notes
    day = _whole_file_date(_Lines(text), notes.title, path)
    if day is None:
        return notes
    return _Parser(text, backend, path, whole_file=day).run()


def meeting_to_json(m: Meeting) -> dict:
    """The stable JSON shape of ``meetup-indexer notes --json`` (see README)."""
    return {
        "date": m.date.isoformat(),
        "title": m.title,
        "line": m.line,
        "cancelled": m.cancelled,
        "video_ids": list(m.video_ids),
        "drive_ids": list(m.drive_ids),
        "talks": [_talk_json(t) for t in m.talks],
    }


def _talk_json(t: Talk) -> dict:
    out: dict = {"title": t.title, "presenters": [{"name": p.name, "org": p.org} for p in t.presenters]}
    if t.noted_start_s is not None:  # only where the notes write one: the shape stays as documented
        out["noted_start_s"] = t.noted_start_s
        out["noted_video_id"] = t.noted_video_id
    return out


def to_dict(obj):
    return dataclasses.asdict(obj)
