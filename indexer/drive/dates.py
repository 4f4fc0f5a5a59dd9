"""The dates Drive file and folder names carry (pure): Zoom's GMT20210209-170012,
2021-02-09, 20210209, Feb 9 2021, 9 February 2021, 2021-02, a year folder, and a
``02-09`` folder inside ``2021/``."""
from __future__ import annotations

import datetime as dt
import re


_MON = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_MONTH_NUM = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_DATE_PATTERNS = [
    # Zoom cloud recordings: GMT20210209-170012_Recording_1920x1080.mp4, UTC
    ("zoom", re.compile(
        r"GMT(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})[-_](?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2})", re.I)),
    ("iso", re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})[-_./](?P<m>\d{1,2})[-_./](?P<d>\d{1,2})(?!\d)")),
    ("compact", re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})(?!\d)")),
    ("mdy", re.compile(rf"\b{_MON}\s*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d{{2}})(?!\d)", re.I)),
    ("dmy", re.compile(rf"(?<!\d)(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MON},?\s+(?P<y>(?:19|20)\d{{2}})(?!\d)", re.I)),
]
_YEAR_MONTH = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})[-_.](?P<m>\d{1,2})(?!\d|[-_./]\d)")
_MONTH_DAY = re.compile(r"^\s*(?P<m>\d{1,2})[-_.](?P<d>\d{1,2})(?!\d)")
_YEAR = re.compile(r"^\s*(?P<y>(?:19|20)\d{2})\s*$")


def _valid(y: int, m: int, d: int = 1) -> bool:
    try:
        dt.date(y, m, d)
    except ValueError:
        return False
    return True


def date_from_name(name: str, parent: tuple[str | None, str | None] = (None, None)) -> tuple[str | None, str | None]:
    """The date a file or folder name carries, and how it was read.

    Returns ``(name_date, form)``; ``name_date`` is ISO 8601 at the precision
    the name gives: ``2021-02-09T17:00:12Z`` (zoom, UTC), ``2021-02-09``,
    ``2021-02`` or ``2021``. ``parent`` is the containing folder's
    ``(name_date, form)``: it supplies the year of a ``02-09`` folder inside
    ``2021/``, and names without a date inherit it (form ``folder:<form>``).
    """
    for form, rx in _DATE_PATTERNS:
        for m in rx.finditer(name):
            g = m.groupdict()
            month = _MONTH_NUM[g["mon"][:3].lower()] if g.get("mon") else int(g["m"])
            y, d = int(g["y"]), int(g["d"])
            if not _valid(y, month, d):
                continue
            if form == "zoom":
                H, M, S = int(g["H"]), int(g["M"]), int(g["S"])
                if H > 23 or M > 59 or S > 59:
                    continue
                return f"{y:04d}-{month:02d}-{d:02d}T{H:02d}:{M:02d}:{S:02d}Z", form
            return f"{y:04d}-{month:02d}-{d:02d}", form
    parent_date, parent_form = parent
    parent_year = parent_date[:4] if parent_date and len(parent_date) >= 4 else None
    m = _YEAR_MONTH.search(name)
    if m and _valid(int(m["y"]), int(m["m"])):
        return f"{int(m['y']):04d}-{int(m['m']):02d}", "year-month"
    m = _MONTH_DAY.match(name)
    if m and parent_year and len(parent_date) == 4 and _valid(int(parent_year), int(m["m"]), int(m["d"])):
        # `2021/02-09`: the year comes from the parent folder, US month-day order
        return f"{parent_year}-{int(m['m']):02d}-{int(m['d']):02d}", "year/month-day"
    m = _YEAR.match(name)
    if m:
        return m["y"], "year"
    if parent_date:
        return parent_date, parent_form if parent_form.startswith("folder:") else f"folder:{parent_form}"
    return None, None
