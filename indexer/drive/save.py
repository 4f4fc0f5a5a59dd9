"""The Drive tables' side of the harvest: the ``save_*(db, ...)`` writers (one
transaction per page, so an interrupted harvest keeps what it fetched), what
leaves the tree (``mark_removed``), the changes feed applied to the stored tree
(``apply_change``) and its cursor. Nothing here talks to the API.
"""
from __future__ import annotations

import sqlite_utils

from indexer.store import db as dbmod
from indexer.drive.dates import date_from_name
from indexer.drive.tree import FOLDER, SHORTCUT, UNKNOWN, Tree, folder_row, place


def create_tables(db: sqlite_utils.Database) -> None:
    """The Drive tables (declared in ``indexer/store/schema.py``)."""
    from indexer.store.schema import create

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


def save_cursor(db, source: str, token: str) -> None:
    """Where the next incremental run reads the changes feed from (``sync_cursors``)."""
    with db.atomic():
        db["sync_cursors"].upsert({"source": source, "token": token, "updated_at": dbmod.now()}, pk="source")


def cursor_source(root_id: str) -> str:
    return f"drive:{root_id}"


def harvested_root(db, folder_id: str) -> tuple[bool, str | None]:
    """(was ``folder_id`` harvested as a root, the shared drive holding it)."""
    if "drive_folders" not in db.table_names():
        return False, None
    row = db.execute("select drive_id from drive_folders where id = ? and parent_id is null", [folder_id]).fetchone()
    return (True, row[0]) if row else (False, None)


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
    walk = place(tree, item, parent, page)
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


def save_changes(db, tree: Tree, changes: list[dict], now: str, counts: dict) -> list[str]:
    """One page of the changes feed, in one transaction; ``counts`` gets what happened
    to each; returns the folders that entered the tree, whose contents must be listed."""
    walk: list[str] = []
    with db.atomic():
        for change in changes:
            what, new = apply_change(db, tree, change, now)
            counts[what] += 1
            walk.extend(new)
    return walk
