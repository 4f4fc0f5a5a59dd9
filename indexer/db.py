"""Opening the database, recording runs, and the notes' ``save_*`` writers.

The schema itself is declared in ``indexer/schema.py``; ``sync_run`` applies it
(``ensure_db_shape``) once, at the end of every command that writes. Every
writer upserts on a stable key, so syncing twice gives the same rows.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import operator

import sqlite_utils

from . import bounds
from . import schema
from .errors import UserError
from .redact import redact, redact_userinfo
from .schema import ensure_db_shape, talk_id
from .notes import Notes, Presenter, slugify

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


def _delete_stale(db, table: str, rows: list[dict], pk, where: str, params: list) -> None:
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


def save_notes(db: sqlite_utils.Database, notes: Notes, path: str, series_id: str | None = None,
               prefix: str = "", people: bool = True) -> dict:
    """Write one parsed notes file; rows it no longer holds are removed.

    Presenters are kept as written; ``people`` resolves them into people and
    organisations across the whole database (``peopledb.save_people``): pass
    False when saving several files and call it once after the last.
    Call inside a transaction (``db.atomic()``; sqlite-utils 4 autocommits otherwise) so a failure leaves nothing half-written.
    ``series_id`` names the series the file belongs to (indexer/seriesdb.py), ``prefix`` is put
    before every meeting id (``flyte-contributors/`` once the database holds several series).
    """
    in_series = {"series_id": series_id} if series_id else {}
    db["notes_files"].upsert(
        {
            "path": path,
            "title": notes.title,
            "synced_at": now(),
            "meetings": len(notes.meetings),
            "talks": sum(len(m.talks) for m in notes.meetings),
            "warnings": len(notes.warnings),
            "videos_elsewhere": json.dumps(notes.videos_elsewhere),
            **in_series,
        },
        pk="path",
    )
    sources = [
        {
            "id": f"{s.kind}:{s.ref}",
            "notes_path": path,
            "kind": s.kind,
            "ref": s.ref,
            "url": redact_userinfo(s.url),
            "label": redact_userinfo(s.label),
            "line": s.line,
        }
        for s in notes.sources
    ]
    meetings, talks, meeting_links = [], [], []
    for m in notes.meetings:
        mid = prefix + m.id
        meetings.append(
            {
                "id": mid,
                "date": m.date.isoformat(),
                "year": m.date.year,
                "title": bounds.clip(redact_userinfo(m.title), bounds.MAX_TITLE_CHARS),
                "cancelled": int(m.cancelled),
                "notes_author": m.notes_author,
                "notes": bounds.clip(redact_userinfo(m.notes), bounds.MAX_NOTES_CHARS),
                "raw": bounds.clip(redact_userinfo(m.raw), bounds.MAX_NOTES_CHARS),
                "notes_path": path,
                "line": m.line,
                **in_series,
            }
        )
        seen_links = set()
        for link in m.links:
            key = f"{mid}:{link.kind}:{link.ref}:{link.start_s or 0}"
            if key in seen_links:
                continue
            seen_links.add(key)
            meeting_links.append(
                {
                    "id": key,
                    "meeting_id": mid,
                    "kind": link.kind,
                    "ref": link.ref,
                    "url": redact_userinfo(link.url),
                    "label": redact_userinfo(link.label),
                    "start_s": link.start_s,
                    "line": link.line,
                }
            )
        used = set()
        for pos, t in enumerate(m.talks, 1):
            tid = talk_id(mid, t.title, used)
            talks.append(
                {
                    "id": tid,
                    "meeting_id": mid,
                    "position": pos,
                    "title": bounds.clip(redact_userinfo(t.title), bounds.MAX_TITLE_CHARS),
                    "presenters_raw": ", ".join(
                        p.name + (f" ({p.org})" if p.org else "") for p in t.presenters
                    ),
                    "notes": bounds.clip(redact_userinfo(t.notes), bounds.MAX_NOTES_CHARS),
                    "line": t.line,
                    "noted_start_s": t.noted_start_s,
                    "noted_video_id": t.noted_video_id,
                    "presenters": _written(t.presenters),
                    "noted_presenters": _written(t.noted_presenters),
                }
            )
    backlog = []
    for pos, b in enumerate(notes.backlog, 1):
        # organization_id is left to peopledb.save_people
        backlog.append(
            {
                "id": f"{slugify(path)}/{slugify(b.title)}",
                "notes_path": path,
                "position": pos,
                "title": bounds.clip(redact_userinfo(b.title), bounds.MAX_TITLE_CHARS),
                "presenters_raw": ", ".join(p.name for p in b.presenters),
                "presenters": _written(b.presenters),
                "line": b.line,
            }
        )
    # upsert parents before children, then delete stale children before stale parents
    for table, rows, pk in (
        ("notes_sources", sources, "id"),
        ("meetings", meetings, "id"),
        ("talks", talks, "id"),
        ("meeting_links", meeting_links, "id"),
        ("backlog_items", backlog, "id"),
    ):
        if rows:
            upsert_rows(db, table, rows, pk)
    in_file = "meeting_id in (select id from meetings where notes_path = ?)"
    _delete_stale(db, "meeting_links", meeting_links, "id", in_file, [path])
    # talk_presenters is peopledb's to write, but goes with its talk
    _delete_dependents(db, ["talk_presenters", *schema.dependents("talks")], "talk_id", "talks", in_file, [path], [t["id"] for t in talks])
    _delete_stale(db, "talks", talks, "id", in_file, [path])
    _delete_stale(db, "backlog_items", backlog, "id", "notes_path = ?", [path])
    _delete_stale(db, "notes_sources", sources, "id", "notes_path = ?", [path])
    _delete_dependents_of_stale_meetings(db, path, [m["id"] for m in meetings])
    _delete_stale(db, "meetings", meetings, "id", "notes_path = ?", [path])
    counts = {
        "meetings": len(meetings),
        "talks": len(talks),
        "backlog_items": len(backlog),
        "warnings": len(notes.warnings),
    }
    if people:
        from .peopledb import save_people

        counts.update(save_people(db))
    return counts


def _written(presenters: list[Presenter]) -> str:
    """Presenters as written, a JSON list of {name, org}."""
    return json.dumps([{"name": p.name, "org": p.org} for p in presenters], ensure_ascii=False)


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


def _delete_dependents_of_stale_meetings(db, path: str, keep: list[str]) -> None:
    _delete_dependents(db, schema.dependents("meetings"), "meeting_id", "meetings", "notes_path = ?", [path], keep)


def _delete_dependents(db, tables: list[str], column: str, parent: str, where: str, params: list,
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
