"""Harvest a YouTube channel at the API's minimum quota.

Dogsheep style, three layers:

* pure: ``parse_channel_ref`` (id, @handle or URL), ``video_row`` (an API
  resource to a ``videos`` row), ``duration_seconds``;
* fetchers over a ``GoogleClient``: ``fetch_channel``, ``iter_upload_pages``,
  ``fetch_videos``, ``iter_playlists``, ``fetch_playlist_page``;
* writers, one transaction per page: ``save_channel``, ``save_videos``,
  ``mark_removed``, ``start_playlist``, ``save_playlist_page``, ``finish_playlist``.

``harvest`` strings them together. The cheapest full enumeration is
channels.list -> playlistItems.list (uploads, 50 a page) -> videos.list (50 ids a
call); search.list (100 units a call, and it misses videos) is never used.
"""
from __future__ import annotations

import collections
import contextlib
import datetime as dt
import json
import re
import sqlite3
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable, Iterator

import isodate
import sqlite_utils

from . import bounds
from . import db as dbmod
from .chapters import parse_chapters
from .google_api import ApiError, GoogleClient, NotFound, QuotaBudgetReached
from .urls import classify_url, watch_url
from .youtube_pipeline import WORKERS, Listing, Pipeline

PAGE = 50  # the API's maximum for playlistItems, playlists and ids per videos.list

CHANNEL_PARTS = "snippet,contentDetails"
CHANNEL_FIELDS = "items(id,snippet(title,description,customUrl,publishedAt,thumbnails),contentDetails(relatedPlaylists(uploads)))"
UPLOAD_FIELDS = "nextPageToken,pageInfo(totalResults),items(contentDetails(videoId))"
VIDEO_PARTS = "snippet,contentDetails,statistics,liveStreamingDetails,recordingDetails,status"
VIDEO_FIELDS = (
    "items(id,snippet(publishedAt,channelId,title,description,thumbnails,tags,liveBroadcastContent,"
    "defaultAudioLanguage,categoryId),contentDetails(duration,caption),"
    "statistics(viewCount,likeCount,commentCount),"
    "liveStreamingDetails(actualStartTime,actualEndTime,scheduledStartTime),"
    "recordingDetails(recordingDate),status(privacyStatus,uploadStatus,embeddable,madeForKids))"
)
PLAYLIST_PARTS = "snippet,contentDetails,status"
PLAYLIST_FIELDS = (
    "nextPageToken,items(id,etag,snippet(title,description,publishedAt,thumbnails),"
    "contentDetails(itemCount),status(privacyStatus))"
)
PLAYLIST_ITEM_FIELDS = "nextPageToken,items(snippet(position,title),contentDetails(videoId))"

_CHANNEL_ID = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
_HANDLE = re.compile(r"^@[A-Za-z0-9._·-]{3,100}$")

class ChannelRefError(ApiError):
    exit_code = 2


# ---------------------------------------------------------------- pure


def parse_channel_ref(ref: str) -> tuple[str, str]:
    """``("id", "UC...")``, ``("handle", "@name")`` or ``("username", "name")``."""
    ref = (ref or "").strip()
    if _CHANNEL_ID.match(ref):
        return "id", ref
    if _HANDLE.match(ref):
        return "handle", ref
    if "://" in ref or ref.startswith(("youtube.com/", "www.youtube.com/", "m.youtube.com/")):
        link = classify_url(ref if "://" in ref else "https://" + ref)
        if link is None:
            raise ChannelRefError(f"not a YouTube channel URL: {ref}")
        if link.kind == "youtube_channel" and _CHANNEL_ID.match(link.ref):
            return "id", link.ref
        if link.kind == "youtube_handle":
            return "handle", link.ref
        if link.kind == "youtube_user":
            return "username", link.ref
        if link.kind == "youtube_custom":
            raise ChannelRefError(
                f"/c/{link.ref} custom URLs have no API lookup: pass the channel's @handle or UC... id "
                "(both are on the channel's About page)"
            )
        if link.kind == "youtube":
            raise ChannelRefError(f"that is a video URL, not a channel: {ref}")
        raise ChannelRefError(f"not a YouTube channel URL: {ref}")
    if re.match(r"^[A-Za-z0-9._·-]{3,100}$", ref) and not ref.startswith("UC"):
        return "handle", "@" + ref
    raise ChannelRefError(f"not a channel id, @handle or channel URL: {ref}")


def duration_seconds(value: str | None) -> int | None:
    if not value:
        return None
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


def _utc(value: str | None) -> str | None:
    """API times to one canonical ISO 8601 UTC form (``...Z`` and ``+00:00`` alike)."""
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


# ---------------------------------------------------------------- tables


def create_tables(db: sqlite_utils.Database) -> None:
    """The YouTube tables (declared in ``indexer/schema.py``)."""
    from .schema import create

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


def _fetched_since(db, ids: list[str], since: str | None) -> set[str]:
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
        before = dict(db.execute(f"select id, raw from videos where id in ({marks})", ids).fetchall())
        removed = {r[0] for r in db.execute(f"select id from videos where id in ({marks}) and removed_at is not null", ids)}
        for r in rows:
            r.update(first_seen=now, last_seen=now, removed_at=None)
            if r["id"] not in before:
                counts["new"] += 1
            elif before[r["id"]] != r["raw"] or r["id"] in removed:
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


# ---------------------------------------------------------------- fetchers


class _Resources:
    """googleapiclient builds a Resource object (~2 ms) on every ``service.videos()``: build each once."""

    def __init__(self, service):
        self.channels = service.channels()
        self.playlistItems = service.playlistItems()
        self.videos = service.videos()
        self.playlists = service.playlists()


def resources(client: GoogleClient) -> _Resources:
    if getattr(client, "_yt_resources", None) is None:
        client._yt_resources = _Resources(client.service)
    return client._yt_resources


def fetch_channel(client: GoogleClient, ref: str) -> dict:
    kind, value = parse_channel_ref(ref)
    yt = resources(client)
    if kind == "id":
        req = yt.channels.list(part=CHANNEL_PARTS, id=value, fields=CHANNEL_FIELDS)
    elif kind == "handle":
        req = yt.channels.list(part=CHANNEL_PARTS, forHandle=value, fields=CHANNEL_FIELDS)
    else:
        req = yt.channels.list(part=CHANNEL_PARTS, forUsername=value, fields=CHANNEL_FIELDS)
    resp = client.execute(req, what=f"channel {value}")
    items = resp.get("items") or []
    if not items:
        raise NotFound(f"YouTube has no channel {value} (check the id or @handle)")
    return items[0]


def iter_upload_pages(client: GoogleClient, playlist_id: str) -> Iterator[tuple[list[str], int | None]]:
    """(video ids, total) per page of the uploads playlist, newest first."""
    token = None
    while True:
        try:
            resp = client.execute(
                resources(client).playlistItems.list(
                    part="contentDetails", playlistId=playlist_id, maxResults=PAGE, pageToken=token,
                    fields=UPLOAD_FIELDS,
                ),
                what=f"uploads playlist {playlist_id}",
            )
        except NotFound:
            if token:
                raise
            return  # a channel that never uploaded has no uploads playlist to read
        ids = [it["contentDetails"]["videoId"] for it in resp.get("items", []) if it.get("contentDetails")]
        yield ids, resp.get("pageInfo", {}).get("totalResults")
        token = resp.get("nextPageToken")
        if not token:
            return


def fetch_videos(client: GoogleClient, ids: list[str]) -> list[dict]:
    """Details of up to 50 videos; missing ones are gone or private."""
    if not ids:
        return []
    assert len(ids) <= PAGE
    resp = client.execute(
        resources(client).videos.list(part=VIDEO_PARTS, id=",".join(ids), maxResults=PAGE, fields=VIDEO_FIELDS),
        what="videos",
    )
    return resp.get("items", [])


def iter_playlists(client: GoogleClient, channel_id: str) -> Iterator[dict]:
    token = None
    while True:
        resp = client.execute(
            resources(client).playlists.list(
                part=PLAYLIST_PARTS, channelId=channel_id, maxResults=PAGE, pageToken=token, fields=PLAYLIST_FIELDS
            ),
            what=f"playlists of {channel_id}",
        )
        yield from resp.get("items", [])
        token = resp.get("nextPageToken")
        if not token:
            return


def fetch_playlist_page(client: GoogleClient, playlist_id: str, token: str | None, offset: int):
    """``([(video_id, position, title)], next token)`` for one page of a playlist."""
    resp = client.execute(
        resources(client).playlistItems.list(
            part="snippet,contentDetails", playlistId=playlist_id, maxResults=PAGE, pageToken=token,
            fields=PLAYLIST_ITEM_FIELDS,
        ),
        what=f"playlist {playlist_id}",
    )
    rows = []
    for i, it in enumerate(resp.get("items", [])):
        vid = it.get("contentDetails", {}).get("videoId")
        if vid:
            sn = it.get("snippet", {})
            rows.append((vid, sn.get("position", offset + i), sn.get("title")))
    return rows, resp.get("nextPageToken"), offset + len(resp.get("items", []))


# ---------------------------------------------------------------- harvest


@dataclass
class Result:
    channel_id: str | None = None
    new: int = 0
    updated: int = 0
    removed: int = 0
    playlists: int = 0
    pages: int = 0
    complete: bool = True
    stopped: str | None = None  # why the run stopped early (quota budget)
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)

    def counts(self) -> dict:
        out = {"videos_new": self.new, "videos_updated": self.updated, "videos_removed": self.removed,
               "playlists": self.playlists}
        if self.stopped:
            out["stopped"] = self.stopped
        return out


def _known(db, channel_id: str) -> set[str]:
    return {
        r[0]
        for r in db.execute("select id from videos where channel_id = ? and removed_at is null", [channel_id])
    }


def harvest(
    db: sqlite_utils.Database,
    client: GoogleClient,
    channel_ref: str,
    *,
    full: bool = False,
    refresh: bool = True,
    playlists: bool = True,
    progress: Callable[[int, int | None], None] | None = None,
) -> Result:
    """Harvest one channel into ``db``; every page is its own transaction.

    A rerun after an interruption converges: a listing that did not reach its
    end leaves ``uploads_complete = 0``, so the next run lists everything again,
    skipping the details fetched since that listing began.
    Stops cleanly at the client's quota budget (``Result.stopped``).
    """
    started = time.monotonic()
    result = Result()
    create_tables(db)
    # one commit per page: WAL without an fsync per commit survives SIGKILL (not a
    # power cut, which may lose the last pages, not corrupt the file) at 10x the speed
    db.execute("pragma journal_mode = wal")
    db.execute("pragma synchronous = normal")
    try:
        _harvest(db, client, channel_ref, full, refresh, progress, result, playlists)
    except QuotaBudgetReached as exc:
        result.complete = False
        result.stopped = str(exc)
    finally:
        # back to a single file, as Datasette's immutable mode and copies expect;
        # the switch needs the only connection, and a reader (a site serving the
        # file, a backup) must not fail a harvest that is already committed
        try:
            db.execute("pragma journal_mode = delete")
        except sqlite3.OperationalError:
            pass
    result.seconds = time.monotonic() - started
    return result


def _harvest(db, client, channel_ref, full, refresh, progress, result: Result, playlists: bool = True) -> None:
    now = dbmod.now()
    channel = fetch_channel(client, channel_ref)
    channel_id = result.channel_id = channel["id"]
    previous = db.execute(
        "select uploads_complete, listing_started_at from channels where id = ?", [channel_id]
    ).fetchone()
    save_channel(db, channel, now)
    uploads = channel.get("contentDetails", {}).get("relatedPlaylists", {}).get("uploads")
    known = _known(db, channel_id)
    may_stop_early = not full and bool(previous and previous[0]) and bool(known)
    # an interrupted listing (killed, or stopped by the budget) is listed again from
    # the top, but what it already fetched is not fetched twice: each run progresses
    resumed_since = previous[1] if previous and not previous[0] else None
    done = 0

    def write_page(videos, context):
        nonlocal done
        listed, total = context
        counts = save_videos(db, videos, now)
        result.new += counts["new"]
        result.updated += counts["updated"]
        done += listed
        if progress:
            progress(done, total)

    with ThreadPoolExecutor(WORKERS, thread_name_prefix="youtube") as pool:
        pages = Pipeline(pool, write_page, WORKERS)
        if uploads:
            set_uploads_complete(db, channel_id, False, resumed_since or now)
            seen: set[str] = set()
            listing = Listing(lambda: iter_upload_pages(client, uploads), known if may_stop_early else None)
            try:
                for ids, total in listing:
                    result.pages += 1
                    fresh = [i for i in ids if i not in seen]
                    seen.update(fresh)
                    wanted = fresh if (refresh or full) else [i for i in fresh if i not in known]
                    if resumed_since:
                        done_before = _fetched_since(db, wanted, resumed_since)
                        wanted = [i for i in wanted if i not in done_before]
                    pages.submit(fetch_videos, client, wanted, context=(len(ids), total))
                pages.drain()
            except BaseException:
                listing.stop()
                pages.salvage()  # a budget or quota stop keeps every page already fetched
                raise
            reached_end = not listing.stopped_early
            if reached_end:
                # everything still on the channel was listed: the rest has left it
                result.removed += mark_removed(db, known - seen, now)
            elif refresh:
                counts = refresh_videos(db, client, sorted(known - seen), now, pool)
                result.updated += counts["updated"]
                result.removed += counts["removed"]
            set_uploads_complete(db, channel_id, True)
        if playlists:
            result.playlists = harvest_playlists(db, client, channel_id, now, full=full, pool=pool)


def refresh_videos(db, client: GoogleClient, ids: list[str], now: str, pool=None) -> dict:
    """Refetch known videos 50 at a time; those YouTube no longer returns are removed."""
    counts = {"updated": 0, "removed": 0}

    def write(got, batch):
        c = save_videos(db, got, now)
        counts["updated"] += c["updated"] + c["new"]
        returned = {v["id"] for v in got}
        counts["removed"] += mark_removed(db, [v for v in batch if v not in returned], now)

    with contextlib.ExitStack() as stack:
        if pool is None:
            pool = stack.enter_context(ThreadPoolExecutor(WORKERS, thread_name_prefix="youtube"))
        pipe = Pipeline(pool, write, WORKERS)
        for i in range(0, len(ids), PAGE):
            batch = ids[i:i + PAGE]
            pipe.submit(fetch_videos, client, batch, context=batch)
        pipe.drain()
    return counts


def harvest_playlists(db, client: GoogleClient, channel_id: str, now: str, full: bool = False, pool=None) -> int:
    """The channel's playlists; items are refetched only for playlists whose etag
    or item count changed (or with ``full``), which keeps a quiet re-sync at 3 units.

    Playlists page in parallel (each one's pages follow its own tokens); every
    page is written here as it arrives, so memory does not grow with playlist size.
    """
    stored = {
        r[0]: (r[1], r[2])
        for r in db.execute("select id, etag, item_count from playlists where channel_id = ?", [channel_id])
    }
    seen = set()
    changed = []
    for playlist in iter_playlists(client, channel_id):
        pid = playlist["id"]
        seen.add(pid)
        row = playlist_row(playlist, channel_id)
        unchanged = stored.get(pid) == (row["etag"], row["item_count"]) and row["etag"]
        if not full and unchanged:
            with db.atomic():
                db.execute("update playlists set last_seen = ?, removed_at = null where id = ?", [now, pid])
        else:
            changed.append(playlist)
    with contextlib.ExitStack() as stack:
        if pool is None:
            pool = stack.enter_context(ThreadPoolExecutor(WORKERS, thread_name_prefix="youtube"))
        waiting = collections.deque(changed)
        running: dict = {}

        def start_next():
            while waiting and len(running) < WORKERS:
                playlist = waiting.popleft()
                start_playlist(db, playlist, channel_id, now)
                running[pool.submit(fetch_playlist_page, client, playlist["id"], None, 0)] = playlist

        start_next()
        try:
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    playlist = running.pop(future)
                    rows, token, offset = future.result()
                    save_playlist_page(db, playlist["id"], rows)
                    if token:
                        running[pool.submit(fetch_playlist_page, client, playlist["id"], token, offset)] = playlist
                    else:
                        finish_playlist(db, playlist, offset)
                start_next()
        except BaseException:
            for future in running:
                future.cancel()
            raise
    gone = [pid for pid in stored if pid not in seen]
    if gone:
        with db.atomic():
            for pid in gone:
                db.execute("update playlists set removed_at = ? where id = ? and removed_at is null", [now, pid])
    return len(seen)
