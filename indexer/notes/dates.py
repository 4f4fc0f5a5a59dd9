"""Dates as notes write them, and the years a log leaves out.

``find_date`` locates one date in a line (ISO and numeric forms, English and
German month names, an optional weekday that must agree) and returns a
``DateHit``; ``find_yearless_numeric`` reads "3/18" where a log omits the
year. Also the date a file's path carries (``meetings/2021_01_12/README.md``)
and ``fill_years``, which gives yearless meetings a year from their own text,
the path or their neighbours. Only ``model`` is imported.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass

from dateutil import parser as dateparser

from indexer.notes.model import Meeting, Warning

# English month names (with the misspellings notes keep: "Febraury", "Novemeber"), and the German
# ones ("28. Januar 2020") European chapters write
_MONTHS = (
    r"jan(?:uary|uar|urary)?|feb(?:ruary|ruar|raury|uary|urary|rary)?|mar(?:ch)?|m(?:ä|ae)rz|apr(?:il)?|ma[iy]|june?|juni"
    r"|july?|juli|aug(?:ust)?|sep(?:t(?:ember|emeber)?)?|o[ck]t(?:ober)?|nov(?:ember|emeber)?|de[cz](?:ember|emeber)?"
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
DATE_RE = re.compile(
    rf"""
    \b(?P<iso>(?P<iy>\d{{4}})[-/](?P<im>\d{{1,2}})[-/](?P<id>\d{{1,2}}))(?:\b|(?=T\d))
  | \b(?P<us>(?P<ua>\d{{1,2}})/(?P<ub>\d{{1,2}})/(?P<uy>\d{{4}}|\d{{2}}(?![\d/])))\b
  | \b(?P<dot>(?P<pd>\d{{1,2}})\.(?P<pm>\d{{1,2}})\.(?P<py>\d{{4}}))\b(?!\.\d)
  | \b{_WEEKDAY}(?P<mdy>(?P<m1>{_MONTHS})\.?\s*(?P<d1>\d{{1,2}}){_ORD},?\s+(?P<y1>\d{{4}}))\b
  | \b{_WEEKDAY.replace("wd", "wd2")}(?P<dmy>(?P<d2>\d{{1,2}}){_ORD}\.?(?:\s+(?:of\s+)?(?P<m2>{_MONTHS})\.?(?:,\s*|\s+)|-(?P<m5>{_MONTHS})-)(?P<y2>\d{{4}}))\b
  | \b{_WEEKDAY.replace("wd", "wd3")}(?P<md>(?P<m3>{_MONTHS})\.?\s+(?P<d3>\d{{1,2}}){_ORD})\b(?!\s*,?\s*\d(?!\d?\s?(?:[ap]m\b|h\b|h\d|[:.]\d\d))|:\d)
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
    # every form has a digit, and digits joined by - / . or a month's name: most headings,
    # cells and video descriptions (timestamps, links) have neither
    if not HAS_DIGIT.search(text) or not _DATE_SHAPE.search(text):
        return None
    m = DATE_RE.search(text)
    if m is None:
        return None
    return _parse_hit(m)


HAS_DIGIT = re.compile(r"\d")
_DATE_SHAPE = re.compile(rf"\d[-/.]\d|\b(?:{_MONTHS})", re.I)


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
            mon, day, year = (g("m1"), g("d1"), g("y1")) if g("mdy") else (g("m2") or g("m5"), g("d2"), g("y2"))
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
    if not HAS_DIGIT.search(text):
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
MENTION = re.compile(
    r"\b(?:(?:next|upcoming|following|previous|last)\s+(?:meeting|call|sync|session)"
    r"|postponed|moved|rescheduled|deadline|due|until|since)\b",
    re.I,
)


_MONTH_YEAR = re.compile(rf"\b(?P<m>{_MONTHS})\.?,?\s+(?P<y>(?:19|20)\d\d)\b", re.I)


def month_year(text: str) -> tuple[int, int] | None:
    """``Meeting December 2025``: (2025, 12) when a heading names a month, not a day."""
    m = _MONTH_YEAR.search(text) if HAS_DIGIT.search(text) else None
    return (int(m.group("y")), _month_number(m.group("m"))) if m else None


@dataclass
class _PathDate:
    year: int | None = None
    month: int | None = None
    date: dt.date | None = None


_PATH_YMD = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_./ ]?(\d{1,2})[-_./ ]?(\d{1,2})(?!\d)")


_PATH_YEAR_MONTH = re.compile(rf"(?<!\d)((?:19|20)\d\d)[-_. ]?({_MONTHS}|\d{{1,2}})(?![a-z\d])", re.I)


_PATH_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


def path_date(path: str) -> _PathDate:
    """What a notes file's path says of its date: ``2021_01_12/README.md``, ``2022-april.md``, ``2019/``."""
    if not path or path.startswith("gdoc:"):
        return _PathDate()
    parts = re.split(r"[\\/]+", path)[-3:]
    parts[-1] = re.sub(r"\.(?:md|markdown|txt)$", "", parts[-1], flags=re.I)
    # the file's own name first, then its folders, then folders and name together ("2022/11/09.md")
    for part in [*reversed(parts), "/".join(parts)]:
        m = _PATH_YMD.search(part)
        if m:
            try:
                d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                return _PathDate(d.year, d.month, d)
            except ValueError:
                pass
    name = re.sub(r"[-_.]+", " ", parts[-1])
    if HAS_DIGIT.search(name):  # "Nov-09-2022.md", "march_3rd_2021.md": a written date in the name
        hit = DATE_RE.search(name)
        if hit is not None and (hit.group("mdy") or hit.group("dmy")):
            named = _parse_hit(hit)
            if named.date is not None and not named.problem:
                return _PathDate(named.date.year, named.date.month, named.date)
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


def _year_from_section(m: Meeting) -> int | None:
    """The year of a full date in the meeting's own text (a ``**Date:**`` line, a
    ``time.is/1600_1_March_2021_in_UTC`` or arewemeetingyet link) on its month and day."""
    month_day = getattr(m, "_month_day", None)
    if not month_day or not HAS_DIGIT.search(m.raw):
        return None
    text = re.sub(r"%20|[_+]", " ", m.raw)
    for match in DATE_RE.finditer(text):
        hit = _parse_hit(match)
        if hit.date is not None and (hit.month, hit.day) == month_day:
            return hit.date.year
    return None


def fill_years(meetings: list[Meeting], warnings: list[Warning], path: _PathDate | None = None) -> None:
    """Dates like ``Meeting March 1st`` take the year their own section writes
    (a ``**Date:**`` line, a time link), else that of their nearest dated
    neighbour, else the one their file's path names."""
    if all(m.date is not None for m in meetings):
        return
    for m in meetings:
        if m.date is None:
            year = _year_from_section(m) or getattr(m, "_section_year", None)
            if year is not None:
                m.date = _valid_date(year, *m._month_day)  # type: ignore[attr-defined]
    dated = [i for i, m in enumerate(meetings) if m.date is not None]
    order = _file_order([meetings[i].date for i in dated])

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
        if order:
            # a log kept newest first (or oldest first) puts this meeting between its dated neighbours
            above = meetings[dated[k - 1]].date if k > 0 else None
            below = meetings[dated[k]].date if k < len(dated) else None
            low, high = (above, below) if order > 0 else (below, above)
            fitting = [d for d in candidates if (low is None or d >= low) and (high is None or d <= high)]
            candidates = fitting or candidates
        m.date = min(candidates, key=lambda d: abs((d - neighbour).days))
    meetings[:] = [m for m in meetings if m.date is not None]


def _file_order(dates: list) -> int:
    """+1 when the dated meetings run oldest first, -1 newest first, 0 when that is not clear."""
    ups = sum(b > a for a, b in zip(dates, dates[1:]))
    downs = sum(b < a for a, b in zip(dates, dates[1:]))
    if ups + downs < 2:
        return 0
    return 1 if ups > 3 * downs else -1 if downs > 3 * ups else 0


def _valid_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
