"""Every table, foreign key, index, full-text index and view, declared once.

Tables come in groups, created by the step that fills them: ``notes`` by every
sync, ``youtube`` and ``drive`` by their harvests, ``match`` by the matcher.
``ensure_db_shape(db)`` brings any database to this shape, one built by an
older version included, without dropping anything: the missing tables of
every group present, missing columns, foreign keys (added with sqlite-utils'
own ``add_foreign_keys``), indexes, full-text search and views. It runs once,
at the end of every command that writes (``db.sync_run``).
"""
from __future__ import annotations

import sqlite_utils

# name -> group, columns (in order), primary key, foreign keys (column, table, column)
TABLES: dict[str, dict] = {
    # ---------------------------------------------------------------- notes
    # a recurring meeting (indexer/series/db.py): one per notes argument, or as the project file lists them
    "series": dict(group="notes", pk="id", columns={
        "id": str, "name": str, "notes": str, "channel": str, "playlist": str, "drive_folder": str,
        "timezone": str, "weekday": int, "hour": int, "minute": int, "title_words": str, "origin": str}),
    "notes_files": dict(group="notes", pk="path", columns={
        "path": str, "title": str, "synced_at": str, "meetings": int, "talks": int, "warnings": int,
        "series_id": str,
        # JSON list of the YouTube ids the file links outside every meeting (Notes.videos_elsewhere);
        # null: synced before it was kept
        "videos_elsewhere": str},
        foreign_keys=[("series_id", "series", "id")]),
    "notes_sources": dict(group="notes", pk="id", columns={
        "id": str, "notes_path": str, "kind": str, "ref": str, "url": str, "label": str, "line": int},
        foreign_keys=[("notes_path", "notes_files", "path")]),
    "meetings": dict(group="notes", pk="id", columns={
        "id": str, "date": str, "year": int, "title": str, "cancelled": int, "notes_author": str, "notes": str,
        "raw": str, "notes_path": str, "line": int, "series_id": str},
        foreign_keys=[("notes_path", "notes_files", "path"), ("series_id", "series", "id")]),
    "organizations": dict(group="notes", pk="id", columns={"id": str, "name": str}),
    "people": dict(group="notes", pk="id", columns={"id": str, "name": str}),
    # other spellings of a person or organisation (indexer/notes/people.py), and why they are the same
    "person_aliases": dict(group="notes", pk=("person_id", "alias"), columns={
        "person_id": str, "alias": str, "kind": str, "evidence": str},
        foreign_keys=[("person_id", "people", "id")]),
    "organization_aliases": dict(group="notes", pk=("organization_id", "alias"), columns={
        "organization_id": str, "alias": str, "kind": str, "evidence": str},
        foreign_keys=[("organization_id", "organizations", "id")]),
    "talks": dict(group="notes", pk="id", columns={
        "id": str, "meeting_id": str, "position": int, "title": str, "presenters_raw": str, "notes": str,
        "line": int,
        # an offset the notes write for the talk, and the video it names (None: the meeting's recording)
        "noted_start_s": int, "noted_video_id": str,
        # presenters as written, JSON [{name, org}]: the agenda's, and the talk's notes header's
        # (indexer/notes/peopledb.py resolves them into people and organizations)
        "presenters": str, "noted_presenters": str},
        foreign_keys=[("meeting_id", "meetings", "id")]),
    "talk_presenters": dict(group="notes", pk=("talk_id", "person_id"), columns={
        "talk_id": str, "person_id": str, "organization_id": str, "position": int},
        foreign_keys=[("talk_id", "talks", "id"), ("person_id", "people", "id"),
                      ("organization_id", "organizations", "id")]),
    "meeting_links": dict(group="notes", pk="id", columns={
        "id": str, "meeting_id": str, "kind": str, "ref": str, "url": str, "label": str, "start_s": int,
        "line": int},
        foreign_keys=[("meeting_id", "meetings", "id")]),
    "backlog_items": dict(group="notes", pk="id", columns={
        "id": str, "notes_path": str, "position": int, "title": str, "presenters_raw": str, "presenters": str,
        "organization_id": str, "line": int},
        foreign_keys=[("notes_path", "notes_files", "path"), ("organization_id", "organizations", "id")]),
    # transcripts of recordings (indexer/transcripts/store.py); video_id / drive_file_id carry no
    # foreign key: a transcript may arrive before (or without) the video's metadata, e.g. a
    # private recording or subtitles imported before the first sync
    "transcripts": dict(group="notes", pk="id", columns={
        "id": str, "video_id": str, "drive_file_id": str, "language": str, "kind": str, "source": str,
        "fetched_at": str, "content_hash": str, "cues": int, "duration_s": float,
        # the source's own version when fetched (a caption track's lastUpdated, a Drive
        # file's md5Checksum): an unchanged one is not fetched again
        "source_version": str}),
    "transcript_cues": dict(group="notes", pk="id", columns={
        "id": int, "transcript_id": str, "start_s": float, "end_s": float, "speaker": str, "text": str},
        foreign_keys=[("transcript_id", "transcripts", "id")]),
    "sync_runs": dict(group="notes", pk="id", columns={
        "id": int, "started_at": str, "finished_at": str, "status": str, "command": str, "counts": str,
        "calls": str, "quota_units": int, "error": str}),
    # ---------------------------------------------------------------- YouTube (indexer/youtube/harvest.py)
    "channels": dict(group="youtube", pk="id", columns={
        "id": str, "title": str, "description": str, "handle": str, "uploads_playlist_id": str,
        "thumbnail_url": str, "published_at": str,
        # 1 once a listing of the uploads reached its end; a rerun may stop early only then
        "uploads_complete": int,
        # start of a listing that has not reached its end yet: videos stored since
        # then need no second fetch when the next run lists again
        "listing_started_at": str,
        "first_seen": str, "last_seen": str, "raw": str}),
    "videos": dict(group="youtube", pk="id", columns={
        "id": str, "channel_id": str, "title": str, "description": str, "published_at": str,
        "recorded_at": str, "duration_s": int, "views": int, "likes": int, "comments": int, "tags": str,
        "thumbnail_url": str, "privacy_status": str, "live_status": str, "url": str,
        "first_seen": str, "last_seen": str, "removed_at": str, "raw": str},
        foreign_keys=[("channel_id", "channels", "id")]),
    "chapters": dict(group="youtube", pk=("video_id", "start_s"), columns={
        "video_id": str, "start_s": int, "end_s": int, "title": str, "position": int},
        foreign_keys=[("video_id", "videos", "id")]),
    "playlists": dict(group="youtube", pk="id", columns={
        "id": str, "channel_id": str, "title": str, "description": str, "item_count": int,
        "published_at": str, "privacy_status": str, "thumbnail_url": str, "etag": str,
        "first_seen": str, "last_seen": str, "removed_at": str, "raw": str},
        foreign_keys=[("channel_id", "channels", "id")]),
    # no foreign key to videos: playlists hold private and deleted videos we never see
    "playlist_videos": dict(group="youtube", pk=("playlist_id", "position"), columns={
        "playlist_id": str, "video_id": str, "position": int, "title": str},
        foreign_keys=[("playlist_id", "playlists", "id")]),
    # ---------------------------------------------------------------- captions (indexer/youtube/captions.py)
    # each matched video's caption listing: the track chosen, and the video as it was then
    "video_captions": dict(group="youtube", pk="video_id", columns={
        "video_id": str, "video_version": str, "listed_at": str, "tracks": int, "track_id": str,
        "track_kind": str, "language": str, "track_version": str,
        # the track_version whose text could not be parsed: not downloaded again until it moves
        "unreadable_version": str}),
    # ---------------------------------------------------------------- Drive (indexer/drive/harvest.py)
    "drive_folders": dict(group="drive", pk="id", columns={
        "id": str, "name": str, "parent_id": str, "path": str, "root_id": str, "drive_id": str,
        "created_time": str, "modified_time": str, "web_url": str, "name_date": str,
        "name_date_form": str, "first_seen": str, "last_seen": str, "removed_at": str, "raw": str}),
    "drive_files": dict(group="drive", pk="id", columns={
        "id": str, "name": str, "mime_type": str, "size": int, "md5": str,
        "created_time": str, "modified_time": str, "duration_s": int, "width": int, "height": int,
        "parent_id": str, "path": str, "root_id": str, "drive_id": str, "web_url": str,
        "name_date": str, "name_date_form": str, "target_id": str, "target_mime_type": str,
        "first_seen": str, "last_seen": str, "removed_at": str, "raw": str}),
    # one row per incremental source; a cursor, not "max id seen" (twitter-to-sqlite #39)
    "sync_cursors": dict(group="drive", pk="source", columns={"source": str, "token": str, "updated_at": str}),
    # ---------------------------------------------------------------- links (indexer/sync/matching.py), recomputed by every match
    "recordings": dict(group="match", pk="id", columns={
        "id": str, "meeting_id": str, "source": str, "ref": str, "kind": str, "method": str,
        "confidence": float, "reason": str, "ambiguous": int},
        foreign_keys=[("meeting_id", "meetings", "id")]),
    # the key to videos is added once a harvest has made that table
    "talk_recordings": dict(group="match", pk=("talk_id", "video_id"), columns={
        "talk_id": str, "video_id": str, "start_s": int, "method": str, "confidence": float, "reason": str,
        "url": str},
        foreign_keys=[("talk_id", "talks", "id"), ("video_id", "videos", "id")]),
    "match_settings": dict(group="match", pk="key", columns={"key": str, "value": str}),
    # which series each recording went to and why (several series only; indexer/series/assign.py)
    "series_recordings": dict(group="match", pk=("source", "ref"), columns={
        "source": str, "ref": str, "series_id": str, "confidence": float, "evidence": str},
        foreign_keys=[("series_id", "series", "id")]),
}
GROUPS = list(dict.fromkeys(spec["group"] for spec in TABLES.values()))

INDEXES: list[tuple[str, list[str]]] = [
    ("meetings", ["date"]),
    ("meetings", ["year"]),
    ("meetings", ["series_id"]),
    ("talks", ["meeting_id"]),
    ("talk_presenters", ["person_id"]),
    ("talk_presenters", ["organization_id"]),
    ("meeting_links", ["meeting_id"]),
    ("meeting_links", ["ref"]),
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
    ("videos", ["channel_id"]),
    ("videos", ["recorded_at"]),
    ("playlists", ["channel_id"]),
    ("recordings", ["meeting_id"]),
    ("recordings", ["source", "ref"]),
    ("talk_recordings", ["video_id"]),
    ("transcripts", ["video_id"]),
    ("transcripts", ["drive_file_id"]),
    ("transcript_cues", ["transcript_id", "start_s"]),
]

# table -> columns indexed for full-text search
FTS_CONFIG: dict[str, list[str]] = {
    "meetings": ["title", "raw"],
    "talks": ["title", "presenters_raw", "notes"],
    "backlog_items": ["title", "presenters_raw"],
    "drive_folders": ["name", "path"],
    "drive_files": ["name", "path"],
    "videos": ["title", "description", "tags"],
    # what was said (indexer/transcripts/store.py)
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
_NOTES_TABLES = ["talks", "meetings", "talk_presenters", "people", "organizations"]

# name -> (the tables it reads, its SQL): created once those tables exist
VIEWS: dict[str, tuple[list[str], str]] = {
    "talks_detail": (_NOTES_TABLES, f"""
select
  talks.id as talk_id,
  talks.title as talk,
  meetings.date as meeting_date,
  meetings.title as meeting,
  {_PRESENTERS} as presenters,
  {_ORGANISATIONS} as organizations,
  talks.notes as notes,
  meetings.id as meeting_id,
  {_PRESENTER_LIST} as presenter_names,
  {_ORGANISATION_LIST} as organization_names
from talks join meetings on meetings.id = talks.meeting_id
"""),
    # every talk with its best recording link
    "talks_with_recordings": ([*_NOTES_TABLES, "recordings", "talk_recordings"], f"""
select
  talks.id as talk_id,
  talks.title as talk,
  {_PRESENTERS} as presenters,
  {_ORGANISATIONS} as organisations,
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
  {_PRESENTER_LIST} as presenter_names,
  {_ORGANISATION_LIST} as organization_names
from talks join meetings on meetings.id = talks.meeting_id
"""),
}


def dependents(parent: str) -> list[str]:
    """Tables outside the notes that refer to ``parent`` rows (a stale meeting or
    talk takes their rows with it when the notes drop it)."""
    return [name for name, spec in TABLES.items() if spec["group"] != "notes"
            and any(other == parent for _, other, _ in spec.get("foreign_keys", []))]


def create(db: sqlite_utils.Database, group: str) -> None:
    """The tables of ``group`` that are missing, and the columns they miss; a
    foreign key whose table does not exist yet waits for ``ensure_db_shape``."""
    existing = set(db.table_names())
    for name, spec in TABLES.items():
        if spec["group"] != group:
            continue
        if name in existing:
            have = db[name].columns_dict
            for column, kind in spec["columns"].items():
                if column not in have:  # a database from before the column existed
                    db[name].add_column(column, kind)
            continue
        fks = [fk for fk in spec.get("foreign_keys", []) if fk[1] in existing or fk[1] == name]
        db[name].create(spec["columns"], pk=spec["pk"], foreign_keys=fks, if_not_exists=True)
        existing.add(name)


def _missing_foreign_keys(db: sqlite_utils.Database, existing: set[str]) -> list[tuple]:
    missing = []
    for name, spec in TABLES.items():
        if name not in existing:
            continue
        have = {(fk.column, fk.other_table) for fk in db[name].foreign_keys}
        missing += [(name, column, other, other_column) for column, other, other_column in spec.get("foreign_keys", [])
                    if other in existing and (column, other) not in have
                    and _holds(db, name, column, other, other_column)]
    return missing


def _holds(db, table: str, column: str, other: str, other_column: str) -> bool:
    """Rows that would break the key keep it from being added (rows written by
    hand or by another tool); the database stays usable either way."""
    return db.execute(
        f"select 1 from [{table}] where [{column}] is not null and [{column}] not in "
        f"(select [{other_column}] from [{other}]) limit 1"
    ).fetchone() is None


def ensure_db_shape(db: sqlite_utils.Database) -> None:
    """The declared shape, applied to what exists; safe to repeat."""
    existing = set(db.table_names())
    for group in GROUPS:
        if any(name in existing for name, spec in TABLES.items() if spec["group"] == group):
            create(db, group)
    existing = set(db.table_names())
    missing = _missing_foreign_keys(db, existing)
    if missing:
        db.add_foreign_keys(missing)
    for table, columns in FTS_CONFIG.items():
        if table in existing and f"{table}_fts" not in existing:
            db[table].enable_fts(columns, create_triggers=True, tokenize="porter")
    for table, columns in INDEXES:
        if table in existing:
            db[table].create_index(columns, if_not_exists=True)
    for name, (tables, sql) in VIEWS.items():
        if all(t in existing for t in tables):
            db.create_view(name, sql.strip(), replace=True)
