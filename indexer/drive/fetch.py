"""The Drive API side of the harvest: ``fetch_*(client, ...)`` functions that only
ask the API (through the shared ``GoogleClient``: retries, accounting,
record/replay, secret-free errors) and yield what it answers. Nothing here
writes: ``indexer/drive/save.py`` does, and ``indexer/drive/harvest.py`` composes the two.
"""
from __future__ import annotations

from collections import deque
from typing import Iterable, Iterator

from indexer.drive.dates import date_from_name
from indexer.drive.tree import FOLDER, SHORTCUT, UNKNOWN, DriveError, Tree, folder_row, place


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


def quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def parent_query(folder_ids: Iterable[str]) -> str:
    """``('a' in parents or 'b' in parents) and trashed = false``."""
    clauses = " or ".join(f"{quote(i)} in parents" for i in folder_ids)
    return f"({clauses}) and trashed = false"



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


def fetch_root(client, folder_id: str) -> dict:
    """The root folder's metadata; a shortcut to a folder is followed."""
    files = client.resource("files")
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
            resp = client.execute(client.resource("files").list(**params), what="folder contents")
            page = {"folders": [], "files": []}
            for item in resp.get("files", []):
                parent = tree.parent_in_tree(item, batch_set) or batch[0]
                queued = place(tree, item, parent, page)
                queue.extend(queued)
            yield page
            token = resp.get("nextPageToken")
            if not token:
                break


def fetch_start_token(client, drive_id: str | None = None) -> str:
    """The changes feed's current position (taken before a walk, so nothing changed during it is missed)."""
    params = {"supportsAllDrives": True}
    if drive_id:
        params["driveId"] = drive_id
    return client.execute(client.resource("changes").getStartPageToken(**params),
                          what="changes start token")["startPageToken"]


def fetch_changes(client, token: str, drive_id: str | None = None) -> Iterator[dict]:
    """The changes feed from ``token``, one ``changes.list`` answer at a time; the next
    page is asked for only when the caller has taken this one (and saved its cursor)."""
    while True:
        params = dict(pageToken=token, pageSize=PAGE_SIZE, fields=CHANGE_FIELDS, includeRemoved=True,
                      spaces="drive", **ALL_DRIVES)
        if drive_id:
            params["driveId"] = drive_id
        resp = client.execute(client.resource("changes").list(**params), what="changes feed")
        yield resp
        if not resp.get("nextPageToken"):
            return
        token = resp["nextPageToken"]
