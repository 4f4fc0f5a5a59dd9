"""The SQLite schema and the ``save_*`` writers, with sqlite-utils.

Tables are created on first write; ``ensure_db_shape`` applies full-text
search, indexes and views once, idempotently, at the end of every command.
Every writer upserts on a stable key, so syncing twice gives the same rows.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import operator

import sqlite_utils

from .notes import Notes, Presenter, slugify

# table -> columns indexed for full-text search
FTS_CONFIG: dict[str, list[str]] = {
    "meetings": ["title", "raw"],
    "talks": ["title", "presenters_raw", "notes"],
    "backlog_items": ["title", "presenters_raw"],
    # Drive archive (indexer/drive.py)
    "drive_folders": ["name", "path"],
    "drive_files": ["name", "path"],
    # what was said (indexer/transcripts.py)
    "transcript_cues": ["text"],
}

# a talk's presenters in the order the agenda names them, and their organisations
_PRESENTERS = """(select group_concat(name, ', ') from (select people.name as name from talk_presenters
     join people on people.id = talk_presenters.person_id
     where talk_presenters.talk_id = talks.id order by talk_presenters.position))"""
_ORGANISATIONS = """(select group_concat(name, ', ') from (select distinct organizations.name as name
     from talk_presenters join organizations on organizations.id = talk_presenters.organization_id
     where talk_presenters.talk_id = talks.id order by talk_presenters.position))"""

# the same as JSON lists, for Datasette's array facets (people and organisations wherever talks are listed)
_PRESENTER_LIST = """(select json_group_array(name) from (select people.name as name from talk_presenters
     join people on people.id = talk_presenters.person_id
     where talk_presenters.talk_id = talks.id order by talk_presenters.position))"""
_ORGANISATION_LIST = """(select json_group_array(name) from (select distinct organizations.name as name
     from talk_presenters join organizations on organizations.id = talk_presenters.organization_id
     where talk_presenters.talk_id = talks.id order by talk_presenters.position))"""

VIEWS: dict[str, str] = {
    "talks_detail": """
select
  talks.id as talk_id,
  talks.title as talk,
  meetings.date as meeting_date,
  meetings.title as meeting,
  {presenters} as presenters,
  {organisations} as organizations,
  talks.notes as notes,
  meetings.id as meeting_id,
  {presenter_list} as presenter_names,
  {organisation_list} as organization_names
from talks join meetings on meetings.id = talks.meeting_id
""",
    # every talk with its best recording link (written by indexer/linkdb.py)
    "talks_with_recordings": """
select
  talks.id as talk_id,
  talks.title as talk,
  {presenters} as presenters,
  {organisations} as organisations,
  meetings.date as meeting_date,
  coalesce(
    (select url from talk_recordings where talk_recordings.talk_id = talks.id
       order by confidence desc limit 1),
    (select 'https://drive.google.com/file/d/' || recordings.ref || '/view' from recordings
       where recordings.meeting_id = meetings.id and recordings.source = 'drive'
       order by confidence desc limit 1)
  ) as link,
  (select start_s from talk_recordings where talk_recordings.talk_id = talks.id
     order by confidence desc limit 1) as start_s,
  (select method from talk_recordings where talk_recordings.talk_id = talks.id
     order by confidence desc limit 1) as method,
  meetings.id as meeting_id,
  {presenter_list} as presenter_names,
  {organisation_list} as organization_names
from talks join meetings on meetings.id = talks.meeting_id
""",
}
VIEWS = {name: sql.format(presenters=_PRESENTERS, organisations=_ORGANISATIONS, presenter_list=_PRESENTER_LIST,
                          organisation_list=_ORGANISATION_LIST) for name, sql in VIEWS.items()}

# views that read tables made by a later step: created once those exist
VIEW_TABLES: dict[str, list[str]] = {"talks_with_recordings": ["recordings", "talk_recordings"]}

INDEXES: list[tuple[str, list[str]]] = [
    ("meetings", ["date"]),
    ("meetings", ["year"]),
    ("talks", ["meeting_id"]),
    ("talk_presenters", ["person_id"]),
    ("talk_presenters", ["organization_id"]),
    ("meeting_links", ["meeting_id"]),
    ("meeting_links", ["ref"]),
    # Drive archive (indexer/drive.py)
    ("drive_folders", ["parent_id"]),
    ("drive_folders", ["root_id"]),
    ("drive_files", ["parent_id"]),
    ("drive_files", ["root_id"]),
    ("drive_files", ["name_date"]),
    # the Datasette site's sorts and facets of metadata.yml; with them a
    # facet over 100,000 videos reads an index instead of the table
    ("videos", ["published_at"]),
    ("videos", ["live_status"]),
    ("videos", ["privacy_status"]),
    ("drive_files", ["modified_time"]),
    ("drive_files", ["mime_type"]),
    ("recordings", ["method"]),
    ("talk_recordings", ["method"]),
    ("playlist_videos", ["video_id"]),
    ("transcripts", ["video_id"]),
    ("transcripts", ["drive_file_id"]),
    ("transcript_cues", ["transcript_id", "start_s"]),
]


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def open_db(path) -> sqlite_utils.Database:
    db = sqlite_utils.Database(path)
    db.execute("pragma foreign_keys = on")
    create_tables(db)
    return db


def create_tables(db: sqlite_utils.Database) -> None:
    """Create the notes tables with their foreign keys (no-op when they exist)."""
    db["notes_files"].create(
        {"path": str, "title": str, "synced_at": str, "meetings": int, "talks": int, "warnings": int},
        pk="path",
        if_not_exists=True,
    )
    db["notes_sources"].create(
        {"id": str, "notes_path": str, "kind": str, "ref": str, "url": str, "label": str, "line": int},
        pk="id",
        foreign_keys=[("notes_path", "notes_files", "path")],
        if_not_exists=True,
    )
    db["meetings"].create(
        {
            "id": str,
            "date": str,
            "year": int,
            "title": str,
            "cancelled": int,
            "notes_author": str,
            "notes": str,
            "raw": str,
            "notes_path": str,
            "line": int,
        },
        pk="id",
        foreign_keys=[("notes_path", "notes_files", "path")],
        if_not_exists=True,
    )
    db["organizations"].create({"id": str, "name": str}, pk="id", if_not_exists=True)
    db["people"].create({"id": str, "name": str}, pk="id", if_not_exists=True)
    db["talks"].create(
        {
            "id": str,
            "meeting_id": str,
            "position": int,
            "title": str,
            "presenters_raw": str,
            "presenters": str,
            "noted_presenters": str,
            "notes": str,
            "line": int,
            "noted_start_s": int,
            "noted_video_id": str,
        },
        pk="id",
        foreign_keys=[("meeting_id", "meetings", "id")],
        if_not_exists=True,
    )
    # databases made before the notes' own offsets and the presenters as written were kept
    _add_missing_columns(db, "talks", {"presenters": str, "noted_presenters": str, "noted_start_s": int,
                                       "noted_video_id": str})
    db["talk_presenters"].create(
        {"talk_id": str, "person_id": str, "organization_id": str, "position": int},
        pk=("talk_id", "person_id"),
        foreign_keys=[
            ("talk_id", "talks", "id"),
            ("person_id", "people", "id"),
            ("organization_id", "organizations", "id"),
        ],
        if_not_exists=True,
    )
    # other spellings of a person or organisation (indexer/people.py), and why they are the same
    db["person_aliases"].create(
        {"person_id": str, "alias": str, "kind": str, "evidence": str},
        pk=("person_id", "alias"),
        foreign_keys=[("person_id", "people", "id")],
        if_not_exists=True,
    )
    db["organization_aliases"].create(
        {"organization_id": str, "alias": str, "kind": str, "evidence": str},
        pk=("organization_id", "alias"),
        foreign_keys=[("organization_id", "organizations", "id")],
        if_not_exists=True,
    )
    db["meeting_links"].create(
        {"id": str, "meeting_id": str, "kind": str, "ref": str, "url": str, "label": str, "start_s": int, "line": int},
        pk="id",
        foreign_keys=[("meeting_id", "meetings", "id")],
        if_not_exists=True,
    )
    db["backlog_items"].create(
        {
            "id": str,
            "notes_path": str,
            "position": int,
            "title": str,
            "presenters_raw": str,
            "presenters": str,
            "organization_id": str,
            "line": int,
        },
        pk="id",
        foreign_keys=[("notes_path", "notes_files", "path"), ("organization_id", "organizations", "id")],
        if_not_exists=True,
    )
    # transcripts of recordings; video_id / drive_file_id carry no foreign key
    # because a transcript may arrive before (or without) the video's metadata,
    # e.g. a private recording or subtitles imported before the first sync
    db["transcripts"].create(
        {
            "id": str,
            "video_id": str,
            "drive_file_id": str,
            "language": str,
            "kind": str,
            "source": str,
            "fetched_at": str,
            "content_hash": str,
            "cues": int,
            "duration_s": float,
        },
        pk="id",
        if_not_exists=True,
    )
    db["transcript_cues"].create(
        {"id": int, "transcript_id": str, "start_s": float, "end_s": float, "speaker": str, "text": str},
        pk="id",
        foreign_keys=[("transcript_id", "transcripts", "id")],
        if_not_exists=True,
    )
    db["sync_runs"].create(
        {
            "id": int,
            "started_at": str,
            "finished_at": str,
            "status": str,
            "command": str,
            "counts": str,
            "calls": str,
            "quota_units": int,
            "error": str,
        },
        pk="id",
        if_not_exists=True,
    )


def _add_missing_columns(db: sqlite_utils.Database, table: str, columns: dict) -> None:
    """Columns a newer version added, on a database an older one made."""
    have = db[table].columns_dict
    for name, type_ in columns.items():
        if name not in have:
            db[table].add_column(name, type_)


def ensure_db_shape(db: sqlite_utils.Database) -> None:
    """Full-text search, indexes and views: applied once, safe to repeat."""
    existing = set(db.table_names())
    for table, columns in FTS_CONFIG.items():
        if table in existing and f"{table}_fts" not in existing:
            db[table].enable_fts(columns, create_triggers=True, tokenize="porter")
    for table, columns in INDEXES:
        if table in existing:
            db[table].create_index(columns, if_not_exists=True)
    for name, sql in VIEWS.items():
        if all(t in existing for t in VIEW_TABLES.get(name, [])):
            db.create_view(name, sql.strip(), replace=True)


@contextlib.contextmanager
def sync_run(db: sqlite_utils.Database, command: str):
    """Record one run in ``sync_runs``; the row says ok, or failed with the error."""
    run_id = db["sync_runs"].insert(
        {"started_at": now(), "status": "running", "command": command}
    ).last_pk
    record = {"counts": {}, "calls": {}, "quota_units": 0}
    try:
        yield record
    except BaseException as exc:
        db["sync_runs"].update(
            run_id,
            {
                "finished_at": now(),
                "status": "failed",
                "error": (str(exc) or type(exc).__name__)[:500],
                "counts": json.dumps(record["counts"]),
                "calls": json.dumps(record["calls"]),
                "quota_units": record["quota_units"],
            },
        )
        raise
    db["sync_runs"].update(
        run_id,
        {
            "finished_at": now(),
            "status": "ok",
            "counts": json.dumps(record["counts"]),
            "calls": json.dumps(record["calls"]),
            "quota_units": record["quota_units"],
        },
    )


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


def save_notes(db: sqlite_utils.Database, notes: Notes, path: str, people: bool = True) -> dict:
    """Write one parsed notes file; rows it no longer holds are removed.

    Presenters are kept as written; ``people`` resolves them into people and
    organisations across the whole database (``peopledb.save_people``): pass
    False when saving several files and call it once after the last.
    Call inside a transaction (``db.atomic()``; sqlite-utils 4 autocommits otherwise) so a failure leaves nothing half-written.
    """
    db["notes_files"].upsert(
        {
            "path": path,
            "title": notes.title,
            "synced_at": now(),
            "meetings": len(notes.meetings),
            "talks": sum(len(m.talks) for m in notes.meetings),
            "warnings": len(notes.warnings),
        },
        pk="path",
    )
    sources = [
        {
            "id": f"{s.kind}:{s.ref}",
            "notes_path": path,
            "kind": s.kind,
            "ref": s.ref,
            "url": s.url,
            "label": s.label,
            "line": s.line,
        }
        for s in notes.sources
    ]
    meetings, talks, meeting_links = [], [], []
    for m in notes.meetings:
        meetings.append(
            {
                "id": m.id,
                "date": m.date.isoformat(),
                "year": m.date.year,
                "title": m.title,
                "cancelled": int(m.cancelled),
                "notes_author": m.notes_author,
                "notes": m.notes,
                "raw": m.raw,
                "notes_path": path,
                "line": m.line,
            }
        )
        seen_links = set()
        for link in m.links:
            key = f"{m.id}:{link.kind}:{link.ref}:{link.start_s or 0}"
            if key in seen_links:
                continue
            seen_links.add(key)
            meeting_links.append(
                {
                    "id": key,
                    "meeting_id": m.id,
                    "kind": link.kind,
                    "ref": link.ref,
                    "url": link.url,
                    "label": link.label,
                    "start_s": link.start_s,
                    "line": link.line,
                }
            )
        used = set()
        for pos, t in enumerate(m.talks, 1):
            tid = f"{m.id}/{slugify(t.title)}"
            while tid in used:
                tid += "-2"
            used.add(tid)
            talks.append(
                {
                    "id": tid,
                    "meeting_id": m.id,
                    "position": pos,
                    "title": t.title,
                    "presenters_raw": ", ".join(
                        p.name + (f" ({p.org})" if p.org else "") for p in t.presenters
                    ),
                    "presenters": _written(t.presenters),
                    "noted_presenters": _written(t.noted_presenters),
                    "notes": t.notes,
                    "line": t.line,
                    "noted_start_s": t.noted_start_s,
                    "noted_video_id": t.noted_video_id,
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
                "title": b.title,
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
    _delete_dependents(db, TALK_DEPENDENTS, "talk_id", "talks", in_file, [path], [t["id"] for t in talks])
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


# tables outside this module may refer to meetings (meeting_id) or talks (talk_id); they register here
MEETING_DEPENDENTS: list[str] = ["recordings"]
TALK_DEPENDENTS: list[str] = ["talk_recordings", "talk_presenters"]


def _delete_dependents_of_stale_meetings(db, path: str, keep: list[str]) -> None:
    _delete_dependents(db, MEETING_DEPENDENTS, "meeting_id", "meetings", "notes_path = ?", [path], keep)


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
