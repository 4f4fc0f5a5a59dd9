"""What the file system and SQLite refuse, as one line and an exit code: one place.

``explain(exc)`` turns the low-level exceptions a command can meet while it
opens or writes the database (``sqlite3.Error``, ``OSError``) into a
``DatabaseFailure`` whose ``str()`` names the database and says what to do;
exceptions it does not know stay as they are (a bug keeps its traceback).
``check_ours(path)`` refuses, before anything is written, a database another
application made, so it is left untouched.

Exit codes (docs/cli.md lists them with the others): 9 the database cannot be
written (read-only file or folder, disk full, a path that cannot be a file),
10 the database cannot be used (damaged, or another application's).
"""
from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from indexer.common.errors import UserError

EXIT_DB_WRITE = 9
EXIT_DB_UNUSABLE = 10

# the database the running command works on, named in messages
_database: str | None = None


class DatabaseFailure(UserError):
    """One line naming the database; ``exit_code`` says which kind."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code


def using(path) -> None:
    """Remember the database the command opens, for the messages."""
    global _database
    _database = str(path)


def _name(path=None) -> str:
    return str(path or _database or "the database")


# SQLite's messages (they carry no errno) -> (what happened, exit code)
_SQLITE_MESSAGES = (
    ("readonly database", "the file or its folder is read-only", EXIT_DB_WRITE),
    ("unable to open database file", "cannot open or create the file (does its folder exist, and may we write it?)",
     EXIT_DB_WRITE),
    ("database or disk is full", "the disk is full", EXIT_DB_WRITE),
    ("disk i/o error", "the disk refused a read or write (full, removed or failing?)", EXIT_DB_WRITE),
    ("malformed", "the file is damaged (database disk image is malformed); restore a copy or sync into a new file",
     EXIT_DB_UNUSABLE),
    # exit 1, as `serve` and the first open of the database have always said it
    ("file is not a database", "not a SQLite database", 1),
    ("file is encrypted", "not a SQLite database", 1),
)

_OS_ERRORS = {
    errno.ENOSPC: ("the disk is full", EXIT_DB_WRITE),
    errno.EDQUOT: ("the disk quota is used up", EXIT_DB_WRITE),
    errno.EFBIG: ("the file grew past the size this system allows", EXIT_DB_WRITE),
    errno.EROFS: ("the file system is read-only", EXIT_DB_WRITE),
    errno.EACCES: ("permission denied", EXIT_DB_WRITE),
    errno.EPERM: ("permission denied", EXIT_DB_WRITE),
    errno.ENOTDIR: ("a part of its path is a file, not a folder", EXIT_DB_WRITE),
    errno.EEXIST: ("a part of its path is a file, not a folder", EXIT_DB_WRITE),
    errno.EISDIR: ("it is a folder, not a file", EXIT_DB_WRITE),
}


def explain(exc: BaseException, path=None) -> DatabaseFailure | None:
    """The one-line failure for ``exc``, or None when it is not one we know."""
    if isinstance(exc, DatabaseFailure):
        return exc
    if isinstance(exc, sqlite3.Error):
        text = str(exc).lower()
        for needle, what, code in _SQLITE_MESSAGES:
            if needle in text:
                return DatabaseFailure(f"cannot use {_name(path)}: {what}", code)
        return None
    if isinstance(exc, OSError) and exc.errno in _OS_ERRORS:
        what, code = _OS_ERRORS[exc.errno]
        where = exc.filename if exc.filename is not None else _name(path)
        return DatabaseFailure(f"cannot write {where}: {what}", code)
    return None


def _columns(conn, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"pragma table_info([{table}])")]


def check_ours(path) -> None:
    """Raise ``DatabaseFailure`` when ``path`` is a SQLite database made by
    another application: it has tables, none of them ``notes_files`` (every
    database of ours has it from its first write), or a table of ours lacks
    the columns we write. Read-only: nothing is created in the file."""
    import sqlite_utils

    from indexer.store.db import create_tables

    p = Path(path)
    if not p.is_file() or p.stat().st_size == 0:
        return
    try:
        conn = sqlite3.connect(f"file:{p.resolve()}?mode=ro", uri=True)
    except sqlite3.Error:
        return  # opening it for writing says why, in its own words
    try:
        tables = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")
                  if not r[0].startswith("sqlite_")]
        if not tables:
            return
        expected = sqlite_utils.Database(memory=True)
        create_tables(expected)
        for table in expected.table_names():
            if table in tables:
                missing = [c for c in expected[table].columns_dict if c not in _columns(conn, table)]
                # columns added in later versions are few: a table missing most of ours is someone else's
                if len(missing) * 2 > len(expected[table].columns_dict):
                    have = ", ".join(_columns(conn, table)[:6])
                    raise DatabaseFailure(
                        f"{path} belongs to another application (its {table} table has other columns: {have}); "
                        "left untouched: sync into another file", EXIT_DB_UNUSABLE)
        if "notes_files" not in tables:
            raise DatabaseFailure(
                f"{path} belongs to another application (tables {', '.join(sorted(tables)[:5])}); "
                "left untouched: sync into another file", EXIT_DB_UNUSABLE)
    except sqlite3.DatabaseError:
        return  # not SQLite, or damaged: opening it for writing says which
    finally:
        conn.close()
