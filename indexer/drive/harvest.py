"""Harvest a Google Drive folder tree into ``drive_folders`` and ``drive_files``:
``harvest(db, client, folder)``.

The harvester is two modules and this one composing them, as for YouTube:

* ``indexer/drive/fetch.py``: ``fetch_*(client, ...)``, the API only
  (``fetch_root``, ``fetch_tree``: a breadth-first walk yielding one page of
  rows per files.list call, ``fetch_start_token``, ``fetch_changes``);
* ``indexer/drive/save.py``: the ``save_*(db, ...)`` writers (``save_page``,
  ``save_changes``, ``save_cursor``, ``mark_removed``), the database only;
* ``indexer/drive/tree.py``: where an item sits in the tree and its row (pure);
  ``indexer/drive/dates.py``: the dates names carry (pure).

Their public names are re-exported here. The client is the shared
``GoogleClient`` (``GoogleAccess.client("drive")``), passed to every fetcher the
same way as to the YouTube harvester's.
"""
from __future__ import annotations

from typing import Callable

import sqlite_utils

from indexer.store import db as dbmod
from indexer.drive.dates import date_from_name  # noqa: F401 - the harvester's public names
from indexer.drive.fetch import (  # noqa: F401
    ALL_DRIVES, CHANGE_FIELDS, FILE_FIELDS, LIST_FIELDS, PAGE_SIZE, PARENTS_PER_QUERY, corpora_params, fetch_changes,
    fetch_root, fetch_start_token, fetch_tree, parent_query, quote,
)
from indexer.drive.save import (  # noqa: F401
    apply_change, create_tables, cursor_source, get_cursor, harvested_root, load_tree, mark_removed, save_changes,
    save_cursor, save_page,
)
from indexer.drive.tree import (  # noqa: F401
    FOLDER, GDOC, SHORTCUT, UNKNOWN, DriveError, Tree, file_row, folder_id_from, folder_row, place, web_url,
)

_place = place  # the name tests and older callers use


def harvest(
    db: sqlite_utils.Database,
    client,
    folder: str,
    use_changes: bool = False,
    full: bool = False,
    k: int = PARENTS_PER_QUERY,
    progress: Callable[[dict], None] | None = None,
) -> dict:
    """Sync one folder tree (an id or any folder URL); returns counts.

    With ``use_changes`` (OAuth credentials: an API key cannot read the changes
    feed) the first run saves a start token and later runs read only the
    changes since; otherwise, or with ``full``, the tree is listed again.
    """
    folder_id = folder_id_from(folder)
    create_tables(db)
    source = cursor_source(folder_id)
    token = get_cursor(db, source) if use_changes and not full else None
    is_root, drive_id = harvested_root(db, folder_id)
    if token and is_root:
        return _incremental(db, client, folder_id, drive_id, token, k, progress)
    counts = {"mode": "full", "drive_folders": 0, "drive_files": 0, "removed": 0}
    root = fetch_root(client, folder_id)
    # taken before listing, so nothing changed during the walk is missed
    start_token = fetch_start_token(client, root.get("driveId")) if use_changes else None
    now = dbmod.now()
    seen: set[str] = set()
    for page in fetch_tree(client, root, tree=Tree(root["id"]), k=k):
        for kind, n in save_page(db, page, now).items():
            counts[kind] += n
        seen.update(r["id"] for r in page["folders"])
        seen.update(r["id"] for r in page["files"])
        if progress:
            progress(counts)
    counts["removed"] = mark_removed(db, root["id"], seen, now)
    if start_token:
        save_cursor(db, source, start_token)
    return counts


def _incremental(db, client, root_id: str, drive_id: str | None, token: str, k: int, progress) -> dict:
    counts = {"mode": "changes", "added": 0, "updated": 0, "removed": 0, "ignored": 0,
              "drive_folders": 0, "drive_files": 0}
    tree = load_tree(db, root_id)
    source = cursor_source(root_id)
    for resp in fetch_changes(client, token, drive_id):
        now = dbmod.now()
        walk = save_changes(db, tree, resp.get("changes", []), now, counts)
        # folders moved in: list their contents before the cursor moves past them
        if walk:
            for page in fetch_tree(client, None, tree=tree, start=walk, k=k):
                for kind, n in save_page(db, page, now).items():
                    counts[kind] += n
        save_cursor(db, source, resp.get("nextPageToken") or resp.get("newStartPageToken"))
        if progress:
            progress(counts)
    return counts


def sync_folder(db, folder: str, client, use_changes: bool = False, full: bool = False, **kwargs) -> dict:
    """``harvest`` with the folder first (the older calling order, kept for callers)."""
    return harvest(db, client, folder, use_changes=use_changes, full=full, **kwargs)


def client(auth=None, api_endpoint: str | None = None, record=None, replay=None, **kwargs):
    """The shared Drive client for a caller that holds an ``Auth`` already (tests):
    built by ``GoogleAccess.client``, the one place clients are made."""
    from indexer.google.auth import Auth, GoogleAccess

    return GoogleAccess(api_endpoint=api_endpoint, record=record, replay=replay).client("drive", auth or Auth(), **kwargs)


def folder_from_notes(db) -> str | None:
    """The Drive folder the notes' header links to."""
    return dbmod.first_source(db, ["drive_folder"])
