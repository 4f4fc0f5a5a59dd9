"""Limits on what one SQL query of the public site can cost.

Datasette stops a query after ``sql_time_limit_ms`` with a progress handler,
but SQLite calls that handler only between virtual-machine steps: a single
function call runs to its end. ``limit_connection`` (from the plugin's
``prepare_connection``) closes that gap:

* ``SQLITE_LIMIT_LENGTH``: no string or blob over ``bounds.SITE_MAX_LENGTH``
  is built or read, so ``randomblob(1000000000)`` or ``zeroblob`` fail at once
  instead of allocating a gigabyte;
* LIKE/GLOB patterns and SQL text are short, so LIKE's scan stays linear;
* the built-in functions whose cost a single call can make quadratic or
  unbounded within that length are replaced for this connection:
  ``printf``/``format`` refuse widths and precisions over the length limit
  (SQLite 3.40 loops once per ``%.*c`` character even after giving up on the
  text) and then run SQLite's own ``printf``; ``instr``, ``replace`` and
  two-argument ``trim``/``ltrim``/``rtrim`` run Python's linear-time string
  search instead of SQLite's naive one.
"""
from __future__ import annotations

import re
import sqlite3
import threading

from indexer.common import bounds

# the longest LIKE/GLOB pattern: a pattern of m characters over a text of n
# costs up to n*m steps inside one call
LIKE_PATTERN_LENGTH = 200
# the longest SQL text a visitor may send (the canned queries are ~2 KB)
SQL_LENGTH = 100_000


class QueryTooCostly(ValueError):
    """Raised inside a SQL function; SQLite reports it as a failed query."""


def limit_connection(conn: sqlite3.Connection, max_length: int = bounds.SITE_MAX_LENGTH) -> None:
    if hasattr(conn, "setlimit"):  # Python 3.11+
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, max_length)
        conn.setlimit(sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, LIKE_PATTERN_LENGTH)
        conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, SQL_LENGTH)
    else:  # the same bound on the functions that build big values
        conn.create_function("randomblob", 1, _sized(max_length, _randomblob), deterministic=False)
        conn.create_function("zeroblob", 1, _sized(max_length, lambda n: bytes(n)), deterministic=True)
    printf = _bounded_printf(max_length)
    for name in ("printf", "format"):
        conn.create_function(name, -1, printf, deterministic=True)
    conn.create_function("instr", 2, _instr, deterministic=True)
    conn.create_function("replace", 3, _replacer(max_length), deterministic=True)
    for name, left, right in (("trim", True, True), ("ltrim", True, False), ("rtrim", False, True)):
        conn.create_function(name, 2, _trimmer(left, right), deterministic=True)


# --- printf ---------------------------------------------------------------

_SPEC = re.compile(r"%[-+ 0#,!]*(\*|\d+)?(?:\.(\*|\d*))?l{0,2}([a-zA-Z%])?")


def _as_int(value) -> int:
    """An argument as SQLite's printf reads a ``*`` width (text is parsed, junk is 0)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value == value and abs(value) < 2**63 else 2**63
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        m = re.match(r"\s*[-+]?\d+", value[:64])
        return int(m.group(0)) if m else 0
    return 0


def printf_sizes(fmt: str, args: tuple) -> list[int]:
    """Every width and precision ``fmt`` asks for, ``*`` ones read from ``args``."""
    sizes, i = [], 0
    for m in _SPEC.finditer(fmt):
        if m.group(3) == "%":
            continue
        for part in m.group(1, 2):
            if part == "*":
                sizes.append(abs(_as_int(args[i])) if i < len(args) else 0)
                i += 1
            elif part:
                number = bounds.digits(part, max_digits=12)
                sizes.append(2**63 if number is None else number)
        i += 1  # the value the conversion formats
    return sizes


_aux = threading.local()


def _sqlite_printf(args: tuple, max_length: int):
    """SQLite's own printf, on a private in-memory connection of this thread."""
    conn = getattr(_aux, "conn", None)
    if conn is None:
        conn = _aux.conn = sqlite3.connect(":memory:", check_same_thread=False)
        if hasattr(conn, "setlimit"):
            conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, max_length)
    marks = ", ".join("?" for _ in args)
    return conn.execute(f"select printf({marks})", args).fetchone()[0]


def _bounded_printf(max_length: int):
    def printf(*args):
        if not args or args[0] is None:
            return None
        fmt = args[0] if isinstance(args[0], str) else str(args[0], "utf-8", "replace") if isinstance(
            args[0], bytes) else str(args[0])
        if any(size > max_length for size in printf_sizes(fmt, args[1:])):
            raise QueryTooCostly(f"printf width or precision over {max_length}")
        return _sqlite_printf(args, max_length)

    return printf


# --- linear-time string functions -------------------------------------------


def _text(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else str(value)


def _instr(haystack, needle):
    """SQLite's instr (1-based, 0 when absent; bytes when both are blobs) with Python's search."""
    if haystack is None or needle is None:
        return None
    if isinstance(haystack, bytes) and isinstance(needle, bytes):
        return haystack.find(needle) + 1
    return _text(haystack).find(_text(needle)) + 1


def _replacer(max_length: int):
    def replace(text, old, new):
        if text is None or old is None or new is None:
            return None
        text, old, new = _text(text), _text(old), _text(new)
        if not old:
            return text
        # refuse before building a result SQLite would refuse anyway
        if len(new) > len(old) and len(text) + text.count(old) * (len(new) - len(old)) > max_length:
            raise QueryTooCostly(f"replace() result over {max_length} characters")
        return text.replace(old, new)

    return replace


def _trimmer(left: bool, right: bool):
    def trim(text, chars):
        if text is None or chars is None:
            return None
        text, drop = _text(text), set(_text(chars))
        if len(drop) <= 32:  # str.strip's scan is per character of ``chars``
            chars = "".join(drop)
            return text.strip(chars) if left and right else text.lstrip(chars) if left else text.rstrip(chars)
        start, end = 0, len(text)
        while left and start < end and text[start] in drop:
            start += 1
        while right and end > start and text[end - 1] in drop:
            end -= 1
        return text[start:end]

    return trim


def _randomblob(n: int) -> bytes:
    import os

    return os.urandom(n)


def _sized(max_length: int, make):
    def blob(n):
        n = max(_as_int(n), 1)
        if n > max_length:
            raise QueryTooCostly(f"blob over {max_length} bytes")
        return make(n)

    return blob
