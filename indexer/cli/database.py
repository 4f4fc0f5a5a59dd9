"""Opening a database a read-only command (``report``, ``match``'s check, ``chapters``) works on:
one line for a folder, a missing file, a file without the table the command reads, or another
application's database, instead of a traceback or a new empty file."""
from __future__ import annotations

from pathlib import Path

import sqlite_utils

from indexer.common.errors import UserError
from indexer.store import dbfile, failures


def open_existing(db_path: str, table: str = "meetings",
                  missing: str = "no meetings in {path} (run `meetup-indexer sync` with your notes first)",
                  need_rows: bool = True) -> sqlite_utils.Database:
    """``db_path`` opened read-only (a writer's rename does not disturb it); ``missing`` is the line
    when ``table`` is absent (or, with ``need_rows``, empty)."""
    dbfile.check(db_path)  # a folder: one line, exit 9
    if not Path(db_path).is_file():
        raise UserError(f"database not found: {db_path} (run `meetup-indexer sync` first)")
    db = sqlite_utils.Database(dbfile.read_only(db_path))
    if table not in db.table_names() or (need_rows and not db[table].count):
        raise UserError(missing.format(path=db_path))
    failures.using(db_path)
    failures.check_ours(db_path)  # the table is there, but another application's
    return db
