"""Where a Drive item sits in a harvested tree, and its row (pure).

``Tree`` is what a walk knows about one tree's folders (path, the date their
names carry, which drive holds them); ``place`` files an API item under its
parent as a ``drive_folders`` or ``drive_files`` row and says which folders
to walk next. Both the walk (``drive_fetch``) and the changes feed
(``drive_save.apply_change``) use them. Constants every Drive module shares sit here.
"""
from __future__ import annotations

import json

from indexer.common import bounds
from indexer.drive.dates import date_from_name
from indexer.common.errors import UserError

FOLDER = "application/vnd.google-apps.folder"
SHORTCUT = "application/vnd.google-apps.shortcut"
GDOC = "application/vnd.google-apps.document"


class DriveError(UserError):
    """A problem the user can fix (bad folder id, not a folder); one line."""


def folder_id_from(arg: str) -> str:
    """A folder id from an id or any Drive folder URL (``/drive/folders/ID``, ``?id=ID``...)."""
    from indexer.common.urls import DRIVE_ID, classify_url

    arg = arg.strip()
    if arg.startswith(("http://", "https://")):
        link = classify_url(arg)
        # `open?id=` links do not say what they point at; fetch_root checks it is a folder
        if link is None or link.kind not in ("drive_folder", "drive_file"):
            raise DriveError(f"not a Drive folder URL: {arg}")
        return link.ref
    if not DRIVE_ID.match(arg):
        raise DriveError(f"not a Drive folder id or URL: {arg}")
    return arg


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


def place(tree: Tree, item: dict, parent: str, page: dict) -> list[str]:
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
