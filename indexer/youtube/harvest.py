"""Harvest a YouTube channel at the API's minimum quota: ``harvest(db, client, channel)``.

The harvester is two modules and this one composing them, dogsheep style:

* ``indexer/youtube/fetch.py``: ``fetch_*(client, ...)``, the API only
  (``fetch_channel``, ``fetch_upload_pages``, ``fetch_videos``,
  ``fetch_playlists``, ``fetch_playlist_page``) and ``parse_channel_ref``;
* ``indexer/youtube/save.py``: API resources to rows (pure: ``video_row``,
  ``duration_seconds``...) and the ``save_*(db, ...)`` writers, the database only;
* ``indexer/youtube/pipeline.py``: how they run together: the uploads playlist
  paged on its own thread, videos.list on worker threads, every write on the
  calling thread, batched into few transactions.

Their public names are re-exported here (``youtube.save_videos``,
``youtube.fetch_videos``...). The client is the shared ``GoogleClient``
(``GoogleAccess.client("youtube")``), passed to every fetcher the same way as
to the Drive harvester's.
"""
from __future__ import annotations

import contextlib
import sqlite3
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable

import sqlite_utils

from indexer.store import db as dbmod
from indexer.google.client import GoogleClient, QuotaBudgetReached
from indexer.youtube.fetch import (  # noqa: F401 - the harvester's public names
    CHANNEL_FIELDS, CHANNEL_PARTS, PAGE, PLAYLIST_FIELDS, PLAYLIST_ITEM_FIELDS, PLAYLIST_PARTS, UPLOAD_FIELDS,
    VIDEO_FIELDS, VIDEO_PARTS, ChannelRefError, fetch_channel, fetch_playlist_page, fetch_playlists,
    fetch_upload_pages, fetch_videos, parse_channel_ref,
)
from indexer.youtube.pipeline import WORKERS, Batches, Listing, Pipeline
from indexer.youtube.save import (  # noqa: F401 - the harvester's public names
    best_thumbnail, channel_row, create_tables, duration_seconds, fetched_since, finish_playlist, known_videos,
    listing_state, live_status, mark_playlists_removed, mark_removed, playlist_row, playlist_unchanged,
    save_channel, save_playlist_page, save_videos, set_uploads_complete, start_playlist, stored_playlists,
    video_row,
)


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
    """Harvest one channel into ``db``, committing a batch of pages at a time.

    A rerun after an interruption converges: a listing that did not reach its
    end leaves ``uploads_complete = 0``, so the next run lists everything again,
    skipping the details fetched since that listing began.
    Stops cleanly at the client's quota budget (``Result.stopped``).
    """
    started = time.monotonic()
    result = Result()
    create_tables(db)
    # a commit per batch: WAL without an fsync per commit survives SIGKILL (not a
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
    previous = listing_state(db, channel_id)
    save_channel(db, channel, now)
    uploads = channel.get("contentDetails", {}).get("relatedPlaylists", {}).get("uploads")
    with ThreadPoolExecutor(WORKERS, thread_name_prefix="youtube") as pool, Batches(db) as batches:
        if uploads:
            harvest_uploads(db, client, channel_id, uploads, now, previous, result, pool, batches,
                            full=full, refresh=refresh, progress=progress)
        if playlists:
            result.playlists = harvest_playlists(db, client, channel_id, now, full=full, pool=pool, batches=batches)


def harvest_uploads(db, client, channel_id: str, uploads: str, now: str, previous, result: Result, pool,
                    batches: Batches, *, full: bool, refresh: bool, progress=None) -> None:
    """The uploads playlist, paged on its own thread; each page's videos.list on a
    worker; each answer written here, in page order, as it arrives."""
    known = known_videos(db, channel_id)
    may_stop_early = not full and bool(previous and previous[0]) and bool(known)
    # an interrupted listing (killed, or stopped by the budget) is listed again from
    # the top, but what it already fetched is not fetched twice: each run progresses
    resumed_since = previous[1] if previous and not previous[0] else None
    done = 0

    def write_page(videos, context):
        nonlocal done
        listed, total = context
        counts = batches.write(save_videos, db, videos, now)
        result.new += counts["new"]
        result.updated += counts["updated"]
        done += listed
        if progress:
            progress(done, total)

    pages = Pipeline(pool, write_page, WORKERS)
    batches.write(set_uploads_complete, db, channel_id, False, resumed_since or now)
    batches.commit()  # the mark that a listing is under way is on disk before its first page
    seen: set[str] = set()
    listing = Listing(lambda: fetch_upload_pages(client, uploads), known if may_stop_early else None)
    try:
        for ids, total in listing:
            result.pages += 1
            fresh = [i for i in ids if i not in seen]
            seen.update(fresh)
            wanted = fresh if (refresh or full) else [i for i in fresh if i not in known]
            if resumed_since:
                done_before = fetched_since(db, wanted, resumed_since)
                wanted = [i for i in wanted if i not in done_before]
            pages.submit(fetch_videos, client, wanted, context=(len(ids), total))
        pages.drain()
    except BaseException:
        listing.stop()
        pages.salvage()  # a budget or quota stop keeps every page already fetched
        raise
    if not listing.stopped_early:
        # everything still on the channel was listed: the rest has left it
        result.removed += batches.write(mark_removed, db, known - seen, now)
    elif refresh:
        counts = refresh_videos(db, client, sorted(known - seen), now, pool, batches)
        result.updated += counts["updated"]
        result.removed += counts["removed"]
    batches.write(set_uploads_complete, db, channel_id, True)


def refresh_videos(db, client: GoogleClient, ids: list[str], now: str, pool=None, batches=None) -> dict:
    """Refetch known videos 50 at a time; those YouTube no longer returns are removed."""
    counts = {"updated": 0, "removed": 0}
    with contextlib.ExitStack() as stack:
        if pool is None:
            pool = stack.enter_context(ThreadPoolExecutor(WORKERS, thread_name_prefix="youtube"))
        if batches is None:
            batches = stack.enter_context(Batches(db))

        def write(got, batch):
            c = batches.write(save_videos, db, got, now)
            counts["updated"] += c["updated"] + c["new"]
            returned = {v["id"] for v in got}
            counts["removed"] += batches.write(mark_removed, db, [v for v in batch if v not in returned], now)

        pipe = Pipeline(pool, write, WORKERS)
        for i in range(0, len(ids), PAGE):
            batch = ids[i:i + PAGE]
            pipe.submit(fetch_videos, client, batch, context=batch)
        pipe.drain()
    return counts


def harvest_playlists(db, client: GoogleClient, channel_id: str, now: str, full: bool = False, pool=None,
                      batches=None) -> int:
    """The channel's playlists; items are refetched only for playlists whose etag
    or item count changed (or with ``full``), which keeps a quiet re-sync at 3 units.

    Playlists page in parallel (each one's pages follow its own tokens); every
    page is written here as it arrives, so memory does not grow with playlist size.
    """
    stored = stored_playlists(db, channel_id)
    seen = set()
    changed = []
    with contextlib.ExitStack() as stack:
        if pool is None:
            pool = stack.enter_context(ThreadPoolExecutor(WORKERS, thread_name_prefix="youtube"))
        if batches is None:
            batches = stack.enter_context(Batches(db))
        for playlist in fetch_playlists(client, channel_id):
            pid = playlist["id"]
            seen.add(pid)
            row = playlist_row(playlist, channel_id)
            if not full and row["etag"] and stored.get(pid) == (row["etag"], row["item_count"]):
                batches.write(playlist_unchanged, db, pid, now)
            else:
                changed.append(playlist)
        waiting = deque(changed)
        running: dict = {}

        def start_next():
            while waiting and len(running) < WORKERS:
                playlist = waiting.popleft()
                batches.write(start_playlist, db, playlist, channel_id, now)
                running[pool.submit(fetch_playlist_page, client, playlist["id"], None, 0)] = playlist

        start_next()
        try:
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    playlist = running.pop(future)
                    rows, token, offset = future.result()
                    batches.write(save_playlist_page, db, playlist["id"], rows)
                    if token:
                        running[pool.submit(fetch_playlist_page, client, playlist["id"], token, offset)] = playlist
                    else:
                        batches.write(finish_playlist, db, playlist, offset)
                start_next()
        except BaseException:
            for future in running:
                future.cancel()
            raise
        gone = [pid for pid in stored if pid not in seen]
        if gone:
            batches.write(mark_playlists_removed, db, gone, now)
    return len(seen)
