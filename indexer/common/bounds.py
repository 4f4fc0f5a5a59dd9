"""Bounds on numbers, lengths and nesting that come from outside.

Notes, video descriptions, API resources, overrides files and URLs are written
by people we do not control. Every number read from them passes through here
where it enters, so nothing downstream meets a value that overflows SQLite's
64-bit integers, trips Python's int/str conversion limit or is absurd for what
it measures. Out-of-range values are dropped (``None``), not clamped: a
``t=`` of 10**40 seconds is not a moment of the video, and the end of the
video would be a wrong one.
"""
from __future__ import annotations

# A week: longer than any recording YouTube or Drive keeps (YouTube archives
# live streams up to 12 hours), so any real offset or duration fits.
MAX_SECONDS = 7 * 24 * 3600
# SQLite stores integers as signed 64-bit
MAX_INT64 = 2**63 - 1
# digits read before int(): more cannot be a count we store (int64 has 19),
# and int() of thousands of digits is refused by Python (4,300) or slow
MAX_DIGITS = 19
# what a title or description may hold when it reaches the database and the
# site (YouTube allows 100 characters of title and 5,000 bytes of
# description; a talk title is a line of notes)
MAX_TITLE_CHARS = 1_000
MAX_DESCRIPTION_CHARS = 50_000
# a meeting's or talk's own notes (at most 4 bytes a character: under SITE_MAX_LENGTH)
MAX_NOTES_CHARS = 250_000
# how deep a YAML file may nest (overrides need three levels)
MAX_YAML_DEPTH = 20
# the longest string or blob the site's SQLite connections build or read:
# bounds a single expensive function (randomblob, printf, replace, zeroblob)
# that the SQL time limit cannot interrupt; well above any value the sync stores
SITE_MAX_LENGTH = 1024 * 1024


def count(value) -> int | None:
    """A non-negative integer from outside (views, sizes, item counts) or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit() or len(value) > MAX_DIGITS or not value.isascii():
            return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if 0 <= number <= MAX_INT64 else None


def seconds(value) -> int | None:
    """A moment or duration in whole seconds, or None when absurd (negative, over a week)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = int(value)  # floats (1234.5) round down; inf and nan raise
    except (TypeError, ValueError, OverflowError):
        return None
    return number if 0 <= number <= MAX_SECONDS else None


def digits(text: str | None, max_digits: int = 9) -> int | None:
    """``text`` of ASCII digits as an int, or None when longer than ``max_digits``
    (checked before ``int()`` so a 5,000-digit run costs nothing)."""
    if not text or len(text) > max_digits or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def clip(text: str | None, limit: int) -> str | None:
    """``text`` cut to ``limit`` characters, ending with an ellipsis when cut."""
    if text is None:
        return None
    if not isinstance(text, str):  # an API resource with a number or object where text belongs
        text = str(text)
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…"



# times from outside (API resources): a year any time zone can convert
MIN_YEAR, MAX_YEAR = 1900, 2999


def instant(value):
    """An ISO 8601 time as an aware UTC ``datetime`` (naive means UTC), or None
    when unreadable or outside ``MIN_YEAR``..``MAX_YEAR`` (year 1 overflows
    when converted to a zone west of UTC)."""
    import datetime as dt

    if not isinstance(value, str) or not value or len(value) > 64:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    try:
        parsed = parsed.astimezone(dt.timezone.utc)
    except OverflowError:
        return None
    return parsed if MIN_YEAR <= parsed.year <= MAX_YEAR else None


def time_text(value) -> str | None:
    """``value`` unchanged when ``instant`` can read it, else None."""
    return value if instant(value) is not None else None
