"""Harvest a Google Drive folder tree into ``drive_folders`` and ``drive_files``.

Three layers, dogsheep style:

* pure helpers: ``date_from_name`` (``indexer/drive_dates.py``), ``parent_query``
  (children of several folders in one ``q``), ``folder_row`` / ``file_row``;
* fetchers over the shared Drive client: ``fetch_tree`` (a breadth-first
  walk yielding one page of rows per ``files.list`` call) and ``apply_changes``
  (the changes feed, filtered to the tree);
* writers: ``save_page`` (one transaction per page, so an interrupted harvest
  keeps what it fetched) and ``mark_removed``.

Every API request goes through the shared ``GoogleClient`` (``client.service``
to build it, ``client.execute`` to send it: retries, accounting, record/replay,
secret-free errors), the same calling convention as the YouTube harvester.
"""
from __future__ import annotations

import json
from collections import deque
from typing import Callable, Iterable, Iterator

import sqlite_utils

from . import bounds
from . import db as dbmod
from .drive_dates import date_from_name
from .errors import UserError

FOLDER = "application/vnd.google-apps.folder"
SHORTCUT = "application/vnd.google-apps.shortcut"
GDOC = "application/vnd.google-apps.document"

# Parents OR-ed into one files.list query. Each clause costs ~54 URL characters
# once encoded ('<33-char id>'+in+parents+or+); 20 of them plus the trimmed
# `fields`, a Google page token (up to ~200) and `key=` keep the URL near
# 1,750 characters: below googleapiclient's 2,048 limit where it switches to
# POST + X-HTTP-Method-Override, and far below the ~128 parents where Google
# answers 413. Going to 28 would save only ceil(n/20) - ceil(n/28) calls.
PARENTS_PER_QUERY = 20
PAGE_SIZE = 1000  # files.list and changes.list maximum

FILE_FIELDS = (
    "id,name,mimeType,size,md5Checksum,createdTime,modifiedTime,parents,webViewLink,"
    "trashed,driveId,shortcutDetails(targetId,targetMimeType),"
    "videoMediaMetadata(durationMillis,width,height)"
)
LIST_FIELDS = f"nextPageToken,files({FILE_FIELDS})"
CHANGE_FIELDS = f"nextPageToken,newStartPageToken,changes(fileId,removed,file({FILE_FIELDS}))"
ALL_DRIVES = {"supportsAllDrives": True, "includeItemsFromAllDrives": True}

class DriveError(UserError):
    """A problem the user can fix (bad folder id, not a folder); one line."""


def folder_id_from(arg: str) -> str:
    """A folder id from an id or any Drive folder URL (``/drive/folders/ID``, ``?id=ID``...)."""
    from .urls import DRIVE_ID, classify_url

    arg = arg.strip()
    if arg.startswith(("http://", "https://")):
        link = classify_url(arg)
        # `open?id=` links do not say what they point at; get_root checks it is a folder
        if link is None or link.kind not in ("drive_folder", "drive_file"):
            raise DriveError(f"not a Drive folder URL: {arg}")
        return link.ref
    if not DRIVE_ID.match(arg):
        raise DriveError(f"not a Drive folder id or URL: {arg}")
    return arg


# --------------------------------------------------------------------------
# queries and rows (pure)

def quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def parent_query(folder_ids: Iterable[str]) -> str:
    """``('a' in parents or 'b' in parents) and trashed = false``."""
    clauses = " or ".join(f"{quote(i)} in parents" for i in folder_ids)
    return f"({clauses}) and trashed = false"


def web_url(item: dict) -> str:
    if item.get("webViewLink"):
        return item["webViewLink"]
    if item.get("mimeType") == FOLDER:
        return f"https://drive.google.com/drive/folders/{item['id']}"
    return f"https://drive.google.com/file/d/{item['id']}/view"


def _raw(item: dict) -> str:
    return json.dumps(item, sort_keys=True)


def folder_row(item: dict, parent_id: str | None, path: str, root_id: str, dated: tuple) -> dict:
    return {
        "id": item["id"],
        "name": item.get("name"),
        "parent_id": parent_id,
        "path": path,
        "root_id": root_id,
        "drive_id": item.get("driveId"),
        "created_time": bounds.time_text(item.get("createdTime")),
        "modified_time": bounds.time_text(item.get("modifiedTime")),
        "web_url": web_url(item),
        "name_date": dated[0],
        "name_date_form": dated[1],
        "raw": _raw(item),
    }


def file_row(item: dict, parent_id: str | None, path: str, root_id: str, dated: tuple) -> dict:
    video = item.get("videoMediaMetadata") or {}
    shortcut = item.get("shortcutDetails") or {}
    millis = bounds.count(video.get("durationMillis"))
    return {
        "id": item["id"],
        "name": item.get("name"),
        "mime_type": item.get("mimeType"),
        "size": bounds.count(item.get("size")),
        "md5": item.get("md5Checksum"),
        "created_time": bounds.time_text(item.get("createdTime")),
        "modified_time": bounds.time_text(item.get("modifiedTime")),
        "duration_s": bounds.seconds(round(millis / 1000)) if millis is not None else None,
        "width": bounds.count(video.get("width")),
        "height": bounds.count(video.get("height")),
        "parent_id": parent_id,
        "path": path,
        "root_id": root_id,
        "drive_id": item.get("driveId"),
        "web_url": web_url(item),
        "name_date": dated[0],
        "name_date_form": dated[1],
        "target_id": shortcut.get("targetId"),
        "target_mime_type": shortcut.get("targetMimeType"),
        "raw": _raw(item),
    }


# --------------------------------------------------------------------------
# fetching

class Tree:
    """What the walk knows about the folders of one tree: id -> (path, date, form)."""

    def __init__(self, root_id: str):
        self.root_id = root_id
        self.folders: dict[str, tuple[str, str | None, str | None]] = {}
        # folder id -> its shared drive id, None for My Drive, UNKNOWN for a shortcut's target
        self.drive_of: dict[str, str | None] = {}

    def child(self, item: dict, parent_id: str) -> tuple[str, tuple]:
        ppath, pdate, pform = self.folders[parent_id]
        return f"{ppath}/{item.get('name', '')}", date_from_name(item.get("name", ""), (pdate, pform))

    def parent_in_tree(self, item: dict, among=None) -> str | None:
        for p in item.get("parents") or []:
            if p in self.folders and (among is None or p in among):
                return p
        return None


UNKNOWN = "?"


def corpora_params(drive_ids: set) -> dict:
    """Where a batch's children live: My Drive (the default corpus), one shared drive
    (``corpora=drive``: the documented way to list a shared drive), or a mix or a
    shortcut target of unknown drive (``allDrives``: the default "user" corpus may
    leave out shared-drive files the account never opened)."""
    if drive_ids == {None}:
        return {}
    if len(drive_ids) == 1 and UNKNOWN not in drive_ids:
        return {"corpora": "drive", "driveId": next(iter(drive_ids))}
    return {"corpora": "allDrives"}


def get_root(client, folder_id: str) -> dict:
    """The root folder's metadata; a shortcut to a folder is followed."""
    files = client.service.files()
    what = f"folder or file for {folder_id}"
    item = client.execute(files.get(fileId=folder_id, fields=FILE_FIELDS, supportsAllDrives=True), what=what)
    if item.get("mimeType") == SHORTCUT and (item.get("shortcutDetails") or {}).get("targetMimeType") == FOLDER:
        target = item["shortcutDetails"]["targetId"]
        item = client.execute(files.get(fileId=target, fields=FILE_FIELDS, supportsAllDrives=True), what=what)
    if item.get("mimeType") != FOLDER:
        raise DriveError(f"not a Drive folder: {folder_id} ({item.get('mimeType')})")
    return item


def fetch_tree(
    client,
    root: dict | None,
    tree: Tree | None = None,
    start: Iterable[str] | None = None,
    k: int = PARENTS_PER_QUERY,
) -> Iterator[dict]:
    """Walk the tree under ``root`` breadth-first, ``k`` folders per query.

    Yields one ``{"folders": [...], "files": [...]}`` per files.list page. Folders
    are queued as soon as they are seen, so a query takes up to ``k`` folders
    from any depth. A shortcut to a folder is walked once under the shortcut's
    path; ``tree.folders`` doubles as the visited set, so cycles end.
    ``start`` walks only below those (already known) folders.
    """
    if tree is None:
        tree = Tree(root["id"])
    if start is None:
        dated = date_from_name(root.get("name", ""))
        tree.folders[root["id"]] = (root.get("name", ""), *dated)
        tree.drive_of[root["id"]] = root.get("driveId")
        yield {"folders": [folder_row(root, None, root.get("name", ""), tree.root_id, dated)], "files": []}
        start = [root["id"]]
    queue = deque(start)
    while queue:
        batch = [queue.popleft() for _ in range(min(k, len(queue)))]
        batch_set = set(batch)
        token = None
        while True:
            params = dict(q=parent_query(batch), pageSize=PAGE_SIZE, fields=LIST_FIELDS, **ALL_DRIVES,
                          **corpora_params({tree.drive_of.get(f, UNKNOWN) for f in batch}))
            if token:
                params["pageToken"] = token
            resp = client.execute(client.service.files().list(**params), what="folder contents")
            page = {"folders": [], "files": []}
            for item in resp.get("files", []):
                parent = tree.parent_in_tree(item, batch_set) or batch[0]
                queued = _place(tree, item, parent, page)
                queue.extend(queued)
            yield page
            token = resp.get("nextPageToken")
            if not token:
                break


def _place(tree: Tree, item: dict, parent: str, page: dict) -> list[str]:
    """Add ``item`` (child of ``parent``) to ``page``; return folders to walk."""
    path, dated = tree.child(item, parent)
    mime = item.get("mimeType")
    if mime == FOLDER:
        page["folders"].append(folder_row(item, parent, path, tree.root_id, dated))
        if item["id"] in tree.folders:
            return []
        tree.folders[item["id"]] = (path, *dated)
        tree.drive_of[item["id"]] = item.get("driveId")
        return [item["id"]]
    page["files"].append(file_row(item, parent, path, tree.root_id, dated))
    details = item.get("shortcutDetails") or {}
    if mime == SHORTCUT and details.get("targetMimeType") == FOLDER:
        target = details.get("targetId")
        if target and target not in tree.folders:
            # walked under the shortcut's own path; the visited check stops cycles
            tree.folders[target] = (path, *dated)
            tree.drive_of[target] = UNKNOWN
            return [target]
    return []


# --------------------------------------------------------------------------
# writing

def create_tables(db: sqlite_utils.Database) -> None:
    """The Drive tables (declared in ``indexer/schema.py``)."""
    from .schema import create

    create(db, "drive")


def _upsert(db, table: str, rows: list[dict], now: str) -> None:
    """Insert or update by id; ``first_seen`` survives updates, ``removed_at`` is cleared."""
    dbmod.upsert_rows(
        db, table, [{**r, "first_seen": now, "last_seen": now, "removed_at": None} for r in rows],
        keep=("first_seen",),
    )


def save_page(db: sqlite_utils.Database, page: dict, now: str | None = None) -> dict:
    """Write one page in its own transaction; returns counts.

    ``db.atomic()``, not ``with db.conn``: the page starts with a SELECT, so the
    sqlite3 module has not begun a transaction yet and sqlite-utils would commit
    (and fsync) every 100-row chunk on its own.
    """
    now = now or dbmod.now()
    with db.atomic():
        _upsert(db, "drive_folders", page.get("folders", []), now)
        _upsert(db, "drive_files", page.get("files", []), now)
    return {"drive_folders": len(page.get("folders", [])), "drive_files": len(page.get("files", []))}


def mark_removed(db, root_id: str, keep: set[str], now: str) -> int:
    """After a complete walk: what the tree no longer holds gets ``removed_at``."""
    n = 0
    with db.atomic():
        for table in ("drive_files", "drive_folders"):
            stale = [
                r[0]
                for r in db.execute(
                    f"select id from [{table}] where root_id = ? and removed_at is null", [root_id]
                ).fetchall()
                if r[0] not in keep
            ]
            for i in range(0, len(stale), 500):
                chunk = stale[i:i + 500]
                db.execute(
                    f"update [{table}] set removed_at = ? where id in ({','.join('?' * len(chunk))})",
                    [now, *chunk],
                )
            n += len(stale)
    return n


def get_cursor(db, source: str) -> str | None:
    if "sync_cursors" not in db.table_names():
        return None
    row = db.execute("select token from sync_cursors where source = ?", [source]).fetchone()
    return row[0] if row else None


def _set_cursor(db, source: str, token: str) -> None:
    db["sync_cursors"].upsert({"source": source, "token": token, "updated_at": dbmod.now()}, pk="source")


def cursor_source(root_id: str) -> str:
    return f"drive:{root_id}"


def load_tree(db, root_id: str) -> Tree:
    """The live folders of a harvested tree, as the walk would know them."""
    tree = Tree(root_id)
    for fid, path, date, form, drive_id in db.execute(
        "select id, path, name_date, name_date_form, drive_id from drive_folders "
        "where root_id = ? and removed_at is null",
        [root_id],
    ).fetchall():
        tree.folders[fid] = (path, date, form)
        tree.drive_of[fid] = drive_id
    # folders reached through shortcuts are walked under the shortcut's path
    for target, path, date, form in db.execute(
        "select target_id, path, name_date, name_date_form from drive_files where root_id = ? "
        "and removed_at is null and mime_type = ? and target_mime_type = ?",
        [root_id, SHORTCUT, FOLDER],
    ).fetchall():
        if target not in tree.folders:
            tree.folders[target] = (path, date, form)
            tree.drive_of[target] = UNKNOWN
    return tree


def _is_live(db, fid: str, root_id: str) -> bool:
    return any(
        db.execute(f"select 1 from [{t}] where id = ? and root_id = ? and removed_at is null", [fid, root_id]).fetchone()
        for t in ("drive_folders", "drive_files")
    )


def _remove_subtree(db, tree: Tree, fid: str, now: str) -> int:
    """``removed_at`` on an item and, for a folder, everything below it."""
    n = 0
    for t in ("drive_folders", "drive_files"):
        n += db.execute(
            f"update [{t}] set removed_at = ? where id = ? and root_id = ? and removed_at is null",
            [now, fid, tree.root_id],
        ).rowcount
    if fid in tree.folders:
        prefix = tree.folders[fid][0] + "/"
        for t in ("drive_folders", "drive_files"):
            n += db.execute(
                f"update [{t}] set removed_at = ? where root_id = ? and removed_at is null "
                "and substr(path, 1, ?) = ?",
                [now, tree.root_id, len(prefix), prefix],
            ).rowcount
        for other in [f for f, v in tree.folders.items() if f == fid or v[0].startswith(prefix)]:
            del tree.folders[other]
    return n


def _move_subtree(db, tree: Tree, old_path: str, new_path: str) -> None:
    """A folder renamed or moved inside the tree: its descendants' paths follow."""
    prefix = old_path + "/"
    for t in ("drive_folders", "drive_files"):
        db.execute(
            f"update [{t}] set path = ? || substr(path, ?) where root_id = ? and substr(path, 1, ?) = ?",
            [new_path + "/", len(prefix) + 1, tree.root_id, len(prefix), prefix],
        )
    for f, (p, d, form) in list(tree.folders.items()):
        if p.startswith(prefix):
            tree.folders[f] = (new_path + "/" + p[len(prefix):], d, form)


def apply_change(db, tree: Tree, change: dict, now: str) -> tuple[str, list[str]]:
    """Apply one entry of the changes feed if it concerns the tree.

    Returns what happened (``added``, ``updated``, ``removed``, ``ignored``) and
    the folders that newly entered the tree, whose contents must be listed.
    Call inside a transaction (``db.atomic()``).
    """
    fid = change.get("fileId") or (change.get("file") or {}).get("id")
    item = change.get("file")
    known = _is_live(db, fid, tree.root_id)
    if change.get("removed") or not item or item.get("trashed"):
        return ("removed", []) if known and _remove_subtree(db, tree, fid, now) else ("ignored", [])
    if fid == tree.root_id:
        return _root_changed(db, tree, item, known, now)
    parent = tree.parent_in_tree(item)
    if parent is None:
        # moved out of the tree
        return ("removed", []) if known and _remove_subtree(db, tree, fid, now) else ("ignored", [])
    path, dated = tree.child(item, parent)
    if item.get("mimeType") == FOLDER:
        old = tree.folders.get(fid)
        _upsert(db, "drive_folders", [folder_row(item, parent, path, tree.root_id, dated)], now)
        tree.folders[fid] = (path, *dated)
        tree.drive_of[fid] = item.get("driveId")
        if old is None or not known:
            return "added", [fid]
        if old[0] != path:
            _move_subtree(db, tree, old[0], path)
        return "updated", []
    page = {"folders": [], "files": []}
    walk = _place(tree, item, parent, page)
    _upsert(db, "drive_files", page["files"], now)
    return ("updated" if known else "added"), walk


def _root_changed(db, tree: Tree, item: dict, known: bool, now: str) -> tuple[str, list[str]]:
    """The root renamed (every path follows) or back from the trash (listed again)."""
    name = item.get("name", "")
    dated = date_from_name(name)
    old = tree.folders.get(tree.root_id)
    _upsert(db, "drive_folders", [folder_row(item, None, name, tree.root_id, dated)], now)
    tree.folders[tree.root_id] = (name, *dated)
    tree.drive_of[tree.root_id] = item.get("driveId")
    if not known:
        return "added", [tree.root_id]
    if old and old[0] != name:
        _move_subtree(db, tree, old[0], name)
    return "updated", []


def harvest(
    db: sqlite_utils.Database,
    client,
    folder_id: str,
    use_changes: bool = False,
    full: bool = False,
    k: int = PARENTS_PER_QUERY,
    progress: Callable[[dict], None] | None = None,
) -> dict:
    """Sync one folder tree; returns counts.

    With ``use_changes`` (OAuth credentials: an API key cannot read the changes
    feed) the first run saves a start token and later runs read only the
    changes since; otherwise, or with ``full``, the tree is listed again.
    """
    create_tables(db)
    source = cursor_source(folder_id)
    token = get_cursor(db, source) if use_changes and not full else None
    if token and db.execute(
        "select 1 from drive_folders where id = ? and parent_id is null", [folder_id]
    ).fetchone():
        return _incremental(db, client, folder_id, token, k, progress)
    counts = {"mode": "full", "drive_folders": 0, "drive_files": 0, "removed": 0}
    root = get_root(client, folder_id)
    start_token = None
    if use_changes:
        # taken before listing, so nothing changed during the walk is missed
        params = {"supportsAllDrives": True}
        if root.get("driveId"):
            params["driveId"] = root["driveId"]
        start_token = client.execute(client.service.changes().getStartPageToken(**params),
                                     what="changes start token")["startPageToken"]
    now = dbmod.now()
    seen: set[str] = set()
    tree = Tree(root["id"])
    for page in fetch_tree(client, root, tree=tree, k=k):
        for kind, n in save_page(db, page, now).items():
            counts[kind] += n
        seen.update(r["id"] for r in page["folders"])
        seen.update(r["id"] for r in page["files"])
        if progress:
            progress(counts)
    counts["removed"] = mark_removed(db, root["id"], seen, now)
    if start_token:
        with db.atomic():
            _set_cursor(db, source, start_token)
    return counts


def _incremental(db, client, root_id, token, k, progress) -> dict:
    counts = {"mode": "changes", "added": 0, "updated": 0, "removed": 0, "ignored": 0,
              "drive_folders": 0, "drive_files": 0}
    tree = load_tree(db, root_id)
    drive_id = db.execute("select drive_id from drive_folders where id = ?", [root_id]).fetchone()[0]
    source = cursor_source(root_id)
    while True:
        params = dict(pageToken=token, pageSize=PAGE_SIZE, fields=CHANGE_FIELDS, includeRemoved=True,
                      spaces="drive", **ALL_DRIVES)
        if drive_id:
            params["driveId"] = drive_id
        resp = client.execute(client.service.changes().list(**params), what="changes feed")
        now = dbmod.now()
        walk: list[str] = []
        with db.atomic():
            for change in resp.get("changes", []):
                what, new = apply_change(db, tree, change, now)
                counts[what] += 1
                walk.extend(new)
        # folders moved in: list their contents before the cursor moves past them
        if walk:
            for page in fetch_tree(client, None, tree=tree, start=walk, k=k):
                for kind, n in save_page(db, page, now).items():
                    counts[kind] += n
        token = resp.get("nextPageToken") or resp.get("newStartPageToken")
        with db.atomic():
            _set_cursor(db, source, token)
        if progress:
            progress(counts)
        if not resp.get("nextPageToken"):
            return counts


def client(auth=None, api_endpoint: str | None = None, record=None, replay=None, **kwargs):
    """The shared GoogleClient for Drive, for callers that hold an ``Auth`` already."""
    from .auth import Auth, GoogleAccess

    access = GoogleAccess(api_endpoint=api_endpoint, record=record, replay=replay)
    return access.client("drive", auth or Auth(), **kwargs)


def sync_folder(db, folder: str, gclient, use_changes: bool = False, full: bool = False, **kwargs) -> dict:
    """``harvest`` through a GoogleClient; ``folder`` is an id or any folder URL."""
    return harvest(db, gclient, folder_id_from(folder), use_changes=use_changes, full=full, **kwargs)


def folder_from_notes(db) -> str | None:
    """The Drive folder the notes' header links to."""
    return dbmod.first_source(db, ["drive_folder"])
