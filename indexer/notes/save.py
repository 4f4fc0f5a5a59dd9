"""The notes' database side: ``save_notes`` writes one parsed notes file, and
``save_people`` (``indexer.notes.peopledb``) the people and organisations it names.

The parser itself stays pure; this module is where its output meets the store.
"""
from __future__ import annotations

import json

import sqlite_utils

from indexer.common import bounds
from indexer.common.redact import redact_userinfo
from indexer.notes.model import Notes, Presenter, slugify, talk_id
from indexer.store import schema
from indexer.store.db import delete_dependents, delete_stale, now, upsert_rows


def save_notes(db: sqlite_utils.Database, notes: Notes, path: str, series_id: str | None = None,
               prefix: str = "", people: bool = True) -> dict:
    """Write one parsed notes file; rows it no longer holds are removed.

    Presenters are kept as written; ``people`` resolves them into people and
    organisations across the whole database (``peopledb.save_people``): pass
    False when saving several files and call it once after the last.
    Call inside a transaction (``db.atomic()``; sqlite-utils 4 autocommits otherwise) so a failure leaves nothing half-written.
    ``series_id`` names the series the file belongs to (indexer/series/db.py), ``prefix`` is put
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
    delete_stale(db, "meeting_links", meeting_links, "id", in_file, [path])
    # talk_presenters is peopledb's to write, but goes with its talk
    delete_dependents(db, ["talk_presenters", *schema.dependents("talks")], "talk_id", "talks", in_file, [path], [t["id"] for t in talks])
    delete_stale(db, "talks", talks, "id", in_file, [path])
    delete_stale(db, "backlog_items", backlog, "id", "notes_path = ?", [path])
    delete_stale(db, "notes_sources", sources, "id", "notes_path = ?", [path])
    _delete_dependents_of_stale_meetings(db, path, [m["id"] for m in meetings])
    delete_stale(db, "meetings", meetings, "id", "notes_path = ?", [path])
    counts = {
        "meetings": len(meetings),
        "talks": len(talks),
        "backlog_items": len(backlog),
        "warnings": len(notes.warnings),
    }
    if people:
        from indexer.notes.peopledb import save_people

        counts.update(save_people(db))
    return counts


def _written(presenters: list[Presenter]) -> str:
    """Presenters as written, a JSON list of {name, org}."""
    return json.dumps([{"name": p.name, "org": p.org} for p in presenters], ensure_ascii=False)


def _delete_dependents_of_stale_meetings(db, path: str, keep: list[str]) -> None:
    delete_dependents(db, schema.dependents("meetings"), "meeting_id", "meetings", "notes_path = ?", [path], keep)


