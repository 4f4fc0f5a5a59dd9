"""Opening the database, recording runs, and the writers every ``save_*`` shares.

The schema itself is declared in ``indexer/store/schema.py``; ``sync_run`` applies it
(``ensure_db_shape``) once, at the end of every command that writes. Every
writer upserts on a stable key, so syncing twice gives the same rows.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import operator
import os

import sqlite_utils

from indexer.store import schema
from indexer.common.errors import UserError
from indexer.common.times import DEFAULT_TZ
from indexer.common.redact import redact
from indexer.store.schema import ensure_db_shape

# the zone meetings are read in, over what the database remembers (match_settings)
TZ_ENV = "MEETUP_TIMEZONE"


def default_tz(db: sqlite_utils.Database | None = None) -> str:
    """$MEETUP_TIMEZONE, else the zone this database was last matched in, else Pacific."""
    stored = None
    if db is not None and "match_settings" in db.table_names():
        row = db.execute("select value from match_settings where key = 'timezone'").fetchone()
        stored = row[0] if row else None
    return os.environ.get(TZ_ENV) or stored or DEFAULT_TZ


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def open_db(path) -> sqlite_utils.Database:
    db = sqlite_utils.Database(path)
    db.execute("pragma foreign_keys = on")
    create_tables(db)
    return db


def create_tables(db: sqlite_utils.Database) -> None:
    """The notes tables and ``sync_runs`` (no-op when they exist)."""
    schema.create(db, "notes")


@contextlib.contextmanager
def sync_run(db: sqlite_utils.Database, command: str):
    """Record one run in ``sync_runs``: ok, or failed with the error (redacted).

    Runs hold the database's lock (``dbfile.writing``), so a row still marked
    running belongs to a run that was killed: it is closed as interrupted first.
    """
    db.execute("update sync_runs set status = 'interrupted', finished_at = ? where status = 'running'", [now()])
    run_id = db["sync_runs"].insert(
        {"started_at": now(), "status": "running", "command": redact(command)}
    ).last_pk
    record = {"counts": {}, "calls": {}, "quota_units": 0}

    def close(**fields):
        db["sync_runs"].update(run_id, {
            "finished_at": now(), "counts": json.dumps(record["counts"]), "calls": json.dumps(record["calls"]),
            "quota_units": record["quota_units"], **fields,
        })

    try:
        yield record
        ensure_db_shape(db)  # once, at the end of every command that writes
    except BaseException as exc:
        if isinstance(exc, UserError):  # what was committed stays: give it its indexes and views
            with contextlib.suppress(Exception):
                ensure_db_shape(db)
        close(status="failed", error=redact(str(exc) or type(exc).__name__)[:500])
        raise
    close(status="ok")


def delete_stale(db, table: str, rows: list[dict], pk, where: str, params: list) -> None:
    """Delete the rows of this scope (``where``) whose keys are not in ``rows``."""
    keys = [pk] if isinstance(pk, str) else list(pk)
    wanted = set(map(operator.itemgetter(*keys), rows))  # plain values for one key, tuples for several
    # ``rows`` were just upserted into this scope: as many rows there as keys written means none is stale
    (count,) = db.execute(f"select count(*) from [{table}] where {where}", params).fetchone()
    if count == len(wanted):
        return
    cols = ", ".join(f"[{k}]" for k in keys)
    for row in db.execute(f"select {cols} from [{table}] where {where}", params).fetchall():
        key = row[0] if len(keys) == 1 else tuple(row)
        if key not in wanted:
            db[table].delete(key)


def upsert_rows(db: sqlite_utils.Database, table: str, rows: list[dict], pk="id", keep=()) -> None:
    """``upsert_all`` as one executemany: the same INSERT ... ON CONFLICT DO UPDATE
    sqlite-utils writes, without its per-100-rows statement building, which cost
    ~1 s of the 5,000-meeting benchmark (bench/notes.py) and most of a 20,000-file
    Drive harvest. Columns in ``keep`` (e.g. ``first_seen``) are written on
    insert and never overwritten. Tables exist already."""
    if not rows:
        return
    keys = [pk] if isinstance(pk, str) else list(pk)
    cols = list(rows[0])
    if len(set(map(len, rows))) > 1:
        cols = list(dict.fromkeys(k for r in rows for k in r))
    names = ", ".join(f"[{c}]" for c in cols)
    updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in cols if c not in keys and c not in keep)
    conflict = f"do update set {updates}" if updates else "do nothing"
    sql = (
        f"insert into [{table}] ({names}) values ({', '.join('?' for _ in cols)}) "
        f"on conflict ({', '.join(f'[{k}]' for k in keys)}) {conflict}"
    )
    try:
        values = list(map(operator.itemgetter(*cols), rows)) if len(cols) > 1 else [(r[cols[0]],) for r in rows]
    except KeyError:  # rows with different keys: missing ones are null
        values = [tuple(map(r.get, cols)) for r in rows]
    db.conn.executemany(sql, values)  # rows hold plain values


def first_source(db: sqlite_utils.Database, kinds, column: str = "ref") -> str | None:
    """The first source of these kinds the notes' headers name (``notes_sources``), or None."""
    if "notes_sources" not in db.table_names():
        return None
    kinds = list(kinds)
    marks = ", ".join("?" for _ in kinds)
    row = db.execute(
        f"select [{column}] from notes_sources where kind in ({marks}) order by notes_path, line limit 1", kinds
    ).fetchone()
    return row[0] if row else None


def delete_dependents(db, tables: list[str], column: str, parent: str, where: str, params: list,
                       keep: list[str]) -> None:
    """Delete rows of ``tables`` whose ``column`` points at a ``parent`` row of this scope not in ``keep``."""
    existing = set(db.table_names())
    placeholders = ", ".join("?" for _ in keep) or "''"
    for table in tables:
        if table in existing:
            db.execute(
                f"delete from [{table}] where [{column}] in (select id from [{parent}] where {where} "
                f"and id not in ({placeholders}))",
                [*params, *keep],
            )
