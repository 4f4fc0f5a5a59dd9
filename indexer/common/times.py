"""Times every package reads or writes the same way: UTC instants from the APIs' strings,
moments as YouTube writes them, and the time zone meetings are read in when nothing says."""
from __future__ import annotations

import datetime as dt

# the organiser's zone when neither $MEETUP_TIMEZONE nor the database names one
DEFAULT_TZ = "America/Los_Angeles"


def parse_utc(value) -> dt.datetime | None:
    """An ISO 8601 string (``Z`` or offset; naive means UTC) or datetime -> aware UTC."""
    if not value:
        return None
    if isinstance(value, dt.datetime):
        d = value
    elif isinstance(value, dt.date):
        d = dt.datetime(value.year, value.month, value.day)
    else:
        try:
            d = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    return d.replace(tzinfo=dt.timezone.utc) if d.tzinfo is None else d.astimezone(dt.timezone.utc)


def hms(seconds: int | float) -> str:
    """3723 -> '1:02:03', 75 -> '1:15': how YouTube writes a moment."""
    h, rest = divmod(int(seconds), 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
