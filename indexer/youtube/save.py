"""The YouTube tables' side of the harvest: API resources to rows (pure) and the
``save_*`` writers. Nothing here talks to the API: ``indexer/youtube/fetch.py``
does, and ``indexer/youtube/harvest.py`` composes the two.

Every writer is one transaction (``db.atomic()``), or a savepoint of the
harvest's open batch (``youtube_pipeline.Batches``), so a page is written whole
or not at all.
"""
from __future__ import annotations

import datetime as dt
import json
import re

import isodate

from indexer.common import bounds
from indexer.store import db as dbmod
from indexer.youtube.chapters import parse_chapters
from indexer.common.urls import watch_url

# ---------------------------------------------------------------- rows (pure)

_SIMPLE_DURATION = re.compile(r"PT(?:(\d{1,6})H)?(?:(\d{1,6})M)?(?:(\d{1,6})S)?")


def duration_seconds(value: str | None) -> int | None:
    if not value:
        return None
    simple = _SIMPLE_DURATION.fullmatch(value)
    if simple and value != "PT":  # what videos.list returns; isodate reads the rest (days, fractions)
        h, m, s = (int(g or 0) for g in simple.groups())
        return bounds.seconds(h * 3600 + m * 60 + s)
    try:
        return bounds.seconds(isodate.parse_duration(value).total_seconds())
    # years and months have no fixed length (no total_seconds); huge numbers overflow
    except (isodate.ISO8601Error, ValueError, TypeError, OverflowError, AttributeError):
        return None


def _int(value) -> int | None:
    return bounds.count(value)


def best_thumbnail(thumbnails: dict | None) -> str | None:
    if not thumbnails:
        return None
    for size in ("maxres", "standard", "high", "medium", "default"):
        if thumbnails.get(size, {}).get("url"):
            return thumbnails[size]["url"]
    return None


def live_status(video: dict) -> str:
    """none | upcoming | live | was_live (yt-dlp's words, minus its prefixes)."""
    content = video.get("snippet", {}).get("liveBroadcastContent") or "none"
    details = video.get("liveStreamingDetails")
    if content in ("live", "upcoming"):
        return content
    if details and (details.get("actualStartTime") or details.get("actualEndTime")):
        return "was_live"
    return "none"


_PLAIN_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def _utc(value: str | None) -> str | None:
    """API times to one canonical ISO 8601 UTC form (``...Z`` and ``+00:00`` alike)."""
    if isinstance(value, str) and _PLAIN_UTC.fullmatch(value):
        # the API's own form, twice per video: checked, not converted
        try:
            parsed = dt.datetime.fromisoformat(value[:19])
        except ValueError:
            return None
        return value[:19] + "+00:00" if bounds.MIN_YEAR <= parsed.year <= bounds.MAX_YEAR else None
    parsed = bounds.instant(value)  # None when unreadable or absurd (year 1 overflows in the matcher)
    return parsed.replace(microsecond=0).isoformat() if parsed else None


def video_row(video: dict) -> dict:
    sn = video.get("snippet", {})
    live = video.get("liveStreamingDetails") or {}
    recorded = live.get("actualStartTime") or (video.get("recordingDetails") or {}).get("recordingDate")
    stats = video.get("statistics", {})
    return {
        "id": video["id"],
        "channel_id": sn.get("channelId"),
        "title": bounds.clip(sn.get("title"), bounds.MAX_TITLE_CHARS),
        "description": bounds.clip(sn.get("description"), bounds.MAX_DESCRIPTION_CHARS),
        "published_at": _utc(sn.get("publishedAt")),
        "recorded_at": _utc(recorded),
        "duration_s": duration_seconds(video.get("contentDetails", {}).get("duration")),
        "views": _int(stats.get("viewCount")),
        "likes": _int(stats.get("likeCount")),
        "comments": _int(stats.get("commentCount")),
        "tags": json.dumps(sn.get("tags") or [], ensure_ascii=False),
        "thumbnail_url": best_thumbnail(sn.get("thumbnails")),
        "privacy_status": video.get("status", {}).get("privacyStatus"),
        "live_status": live_status(video),
        "url": watch_url(video["id"]),
        "raw": json.dumps(video, sort_keys=True, ensure_ascii=False),
    }


def channel_row(channel: dict) -> dict:
    sn = channel.get("snippet", {})
    return {
        "id": channel["id"],
        "title": bounds.clip(sn.get("title"), bounds.MAX_TITLE_CHARS),
        "description": bounds.clip(sn.get("description"), bounds.MAX_DESCRIPTION_CHARS),
        "handle": sn.get("customUrl"),
        "uploads_playlist_id": channel.get("contentDetails", {}).get("relatedPlaylists", {}).get("uploads"),
        "thumbnail_url": best_thumbnail(sn.get("thumbnails")),
        "published_at": _utc(sn.get("publishedAt")),
        "raw": json.dumps(channel, sort_keys=True, ensure_ascii=False),
    }


def playlist_row(playlist: dict, channel_id: str) -> dict:
    sn = playlist.get("snippet", {})
    return {
        "id": playlist["id"],
        "channel_id": channel_id,
        "title": bounds.clip(sn.get("title"), bounds.MAX_TITLE_CHARS),
        "description": bounds.clip(sn.get("description"), bounds.MAX_DESCRIPTION_CHARS),
        "item_count": _int(playlist.get("contentDetails", {}).get("itemCount")),
        "published_at": _utc(sn.get("publishedAt")),
        "privacy_status": playlist.get("status", {}).get("privacyStatus"),
        "thumbnail_url": best_thumbnail(sn.get("thumbnails")),
        "etag": playlist.get("etag"),
        "raw": json.dumps(playlist, sort_keys=True, ensure_ascii=False),
    }


# ---------------------------------------------------------------- writers


def create_tables(db) -> None:
    """The YouTube tables (declared in ``indexer/store/schema.py``)."""
    from indexer.store.schema import create

    create(db, "youtube")


def save_channel(db, channel: dict, now: str) -> str:
    row = channel_row(channel)
    row.update(first_seen=now, last_seen=now)
    with db.atomic():
        dbmod.upsert_rows(db, "channels", [row], keep=("first_seen",))
    return row["id"]


def set_uploads_complete(db, channel_id: str, complete: bool, listing_started_at: str | None = None) -> None:
    with db.atomic():
        db.execute(
            "update channels set uploads_complete = ?, listing_started_at = ? where id = ?",
            [int(complete), None if complete else listing_started_at, channel_id],
        )


def listing_state(db, channel_id: str) -> tuple[bool, str | None] | None:
    """``(uploads_complete, listing_started_at)`` of a channel harvested before, else None."""
    row = db.execute("select uploads_complete, listing_started_at from channels where id = ?", [channel_id]).fetchone()
    return (bool(row[0]), row[1]) if row else None


def known_videos(db, channel_id: str) -> set[str]:
    """Ids of the channel's videos still on it, as last harvested."""
    return {
        r[0]
        for r in db.execute("select id from videos where channel_id = ? and removed_at is null", [channel_id])
    }


def fetched_since(db, ids: list[str], since: str | None) -> set[str]:
    """Which of ``ids`` were written at or after ``since`` (an interrupted listing's start)."""
    if not since or not ids:
        return set()
    marks = ",".join("?" * len(ids))
    return {r[0] for r in db.execute(f"select id from videos where id in ({marks}) and last_seen >= ?", [*ids, since])}


def save_videos(db, videos: list[dict], now: str) -> dict:
    """Write one batch of video resources and their chapters, in one transaction."""
    rows = [video_row(v) for v in videos]
    counts = {"new": 0, "updated": 0}
    if not rows:
        return counts
    ids = [r["id"] for r in rows]
    marks = ",".join("?" * len(ids))
    with db.atomic():
        before = {i: (raw, removed) for i, raw, removed in
                  db.execute(f"select id, raw, removed_at is not null from videos where id in ({marks})", ids)}
        for r in rows:
            r.update(first_seen=now, last_seen=now, removed_at=None)
            if r["id"] not in before:
                counts["new"] += 1
            elif before[r["id"]] != (r["raw"], 0):
                counts["updated"] += 1
        dbmod.upsert_rows(db, "videos", rows, keep=("first_seen",))
        db.execute(f"delete from chapters where video_id in ({marks})", ids)
        chapters = [
            {"video_id": r["id"], **c}
            for r in rows
            for c in parse_chapters(r["description"] or "", r["duration_s"])
        ]
        if chapters:
            db.conn.executemany(
                "insert into chapters (video_id, start_s, end_s, title, position) values (?, ?, ?, ?, ?)",
                [(c["video_id"], c["start_s"], c["end_s"], c["title"], c["position"]) for c in chapters],
            )
    return counts


def mark_removed(db, ids, now: str) -> int:
    """Videos that left the channel keep their row, flagged with ``removed_at``."""
    ids = list(ids)
    n = 0
    with db.atomic():
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            n += db.execute(
                f"update videos set removed_at = ? where id in ({marks}) and removed_at is null", [now, *chunk]
            ).rowcount
    return n


def start_playlist(db, playlist: dict, channel_id: str, now: str) -> None:
    """The playlist row, without its etag until all its items are stored: an
    interrupted listing leaves no etag, so the next run lists it again."""
    row = playlist_row(playlist, channel_id)
    row.update(first_seen=now, last_seen=now, removed_at=None, etag=None)
    with db.atomic():
        dbmod.upsert_rows(db, "playlists", [row], keep=("first_seen",))


def save_playlist_page(db, playlist_id: str, rows: list[tuple]) -> None:
    """One page of ``(video_id, position, title)``, in its own transaction."""
    with db.atomic():
        db.conn.executemany(
            "insert or replace into playlist_videos (playlist_id, video_id, position, title) values (?, ?, ?, ?)",
            [(playlist_id, *r) for r in rows],
        )


def finish_playlist(db, playlist: dict, count: int) -> None:
    """Positions shift when videos leave a playlist: drop what lies past the end."""
    with db.atomic():
        db.execute("delete from playlist_videos where playlist_id = ? and position >= ?", [playlist["id"], count])
        db.execute("update playlists set etag = ? where id = ?", [playlist.get("etag"), playlist["id"]])




def stored_playlists(db, channel_id: str) -> dict[str, tuple[str | None, int | None]]:
    """``{playlist id: (etag, item_count)}`` as last harvested."""
    return {r[0]: (r[1], r[2]) for r in
            db.execute("select id, etag, item_count from playlists where channel_id = ?", [channel_id])}


def playlist_unchanged(db, playlist_id: str, now: str) -> None:
    """Seen again with the same etag and item count: its items stay as stored."""
    with db.atomic():
        db.execute("update playlists set last_seen = ?, removed_at = null where id = ?", [now, playlist_id])


def mark_playlists_removed(db, ids, now: str) -> None:
    with db.atomic():
        for pid in ids:
            db.execute("update playlists set removed_at = ? where id = ? and removed_at is null", [now, pid])
