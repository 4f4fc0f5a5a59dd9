"""Drive v3 methods as plain functions: (data, params, who, fields tree, *path args) -> response."""
from __future__ import annotations

import functools
import json
import re

from .drive_data import DOC, GOOGLE_APPS, SHEET, SLIDES, DriveData
from .drive_query import QueryError, count_parents, matches, parse_query, required_parents
from .errors import ApiError
from .fields import fields_error, project, unknown_fields
from .paging import page, read_token

DEFAULT_FILE_FIELDS = ("kind", "id", "name", "mimeType", "resourceKey")
EXPORTS = {
    DOC: {"text/markdown", "text/plain", "text/html", "application/pdf",
          "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/rtf",
          "application/vnd.oasis.opendocument.text", "application/epub+zip", "application/zip"},
    SLIDES: {"text/plain", "application/pdf",
             "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    SHEET: {"text/csv", "application/pdf", "text/tab-separated-values",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
}


@functools.lru_cache(maxsize=1)
def _schemas() -> dict:
    from importlib import resources

    doc = resources.files("googleapiclient") / "discovery_cache" / "documents" / "drive.v3.json"
    return json.loads(doc.read_text())["schemas"]


def _invalid(message: str, location: str) -> ApiError:
    return ApiError(400, "invalid", message, location=location)


def _bool(params: dict, name: str) -> bool:
    return str(params.get(name, "false")).lower() == "true"


def _check_fields(params: dict, tree, schema: str):
    """Drive refuses unknown names in `fields`; so does the emulator, from the discovery schema."""
    if tree is not None and unknown_fields(tree, {"$ref": schema}, _schemas()):
        raise fields_error(params.get("fields", ""))


def _file_default(f: dict) -> dict:
    return {k: f[k] for k in DEFAULT_FILE_FIELDS if k in f}


def _visible(f: dict, params: dict) -> bool:
    drive_id = f.get("driveId")
    if not drive_id:
        return params.get("corpora") != "drive"
    if not (_bool(params, "supportsAllDrives") or _bool(params, "supportsTeamDrives")):
        return False
    if not (_bool(params, "includeItemsFromAllDrives") or _bool(params, "includeTeamDriveItems")):
        return False
    if params.get("corpora") == "drive":
        return drive_id == (params.get("driveId") or params.get("teamDriveId"))
    return True


def _page_size(params: dict, default: int = 100) -> int:
    raw = params.get("pageSize", default)
    try:
        n = int(raw)
    except ValueError:
        n = -1
    if not 1 <= n <= 1000:
        raise _invalid(f"Invalid value '{raw}'. Values must be within the range: [1, 1000]", "pageSize")
    return n


def files_list(data: DriveData, params: dict, who, tree):
    _check_fields(params, tree, "FileList")
    size = _page_size(params)
    corpora = params.get("corpora")
    if corpora not in (None, "user", "drive", "allDrives", "domain"):
        raise _invalid(f"Invalid Value", "corpora")
    if corpora == "drive" and not params.get("driveId"):
        raise _invalid("The driveId parameter must be specified if and only if corpora is set to drive.", "driveId")
    if params.get("driveId") and corpora != "drive":
        raise _invalid("The driveId parameter must be specified if and only if corpora is set to drive.", "driveId")
    if _bool(params, "includeItemsFromAllDrives") and not _bool(params, "supportsAllDrives"):
        raise ApiError(403, "teamDrivesParameterRequired",
                       "The includeItemsFromAllDrives parameter can only be set to true if supportsAllDrives is "
                       "set to true.", location="includeItemsFromAllDrives")
    q = params.get("q", "")
    try:
        node = parse_query(q)
    except QueryError:
        raise _invalid("Invalid Value", "q") from None
    if count_parents(node) > data.max_query_parents:
        raise ApiError(413, "requestTooLarge", "Request Entity Too Large: the query names too many parents.",
                       location="q")
    parents = required_parents(node)
    if parents is None:
        candidates = data.files.keys()
    else:
        seen: set[str] = set()
        candidates = [c for p in dict.fromkeys(parents) for c in data.children(p)
                      if not (c in seen or seen.add(c))]
    hits = []
    for fid in candidates:
        f = data.files[fid]
        if _visible(f, params) and matches(node, f, data.contents.get(fid, "")):
            hits.append(fid)
    scope = f"files|{q}|{corpora}|{params.get('driveId')}|{params.get('includeItemsFromAllDrives')}"
    offset = read_token(params.get("pageToken"), scope)
    if data.short_pages and size > 1:  # Drive may return fewer than pageSize before the end
        size = max(1, size // 2 - offset % 3)
    start, end, tokens = page(len(hits), offset, size, scope)
    tokens.pop("prevPageToken", None)  # Drive has no previous-page token
    files = [data.files[fid] for fid in hits[start:end]]
    resp = {"kind": "drive#fileList", "incompleteSearch": False}
    resp.update(tokens)
    if tree is None:
        resp["files"] = [_file_default(f) for f in files]
        return resp
    resp["files"] = files
    return project(resp, tree)


def _get_file(data: DriveData, fid: str, params: dict) -> dict:
    f = data.files.get(fid)
    if f is None or (f.get("driveId") and not (_bool(params, "supportsAllDrives") or
                                               _bool(params, "supportsTeamDrives"))):
        raise ApiError(404, "notFound", f"File not found: {fid}.", location="fileId")
    return f


def files_get(data: DriveData, params: dict, who, tree, fid: str):
    _check_fields(params, tree, "File")
    f = _get_file(data, fid, params)
    if params.get("alt") == "media":
        return _media(data, f)
    return _file_default(f) if tree is None else project(f, tree)


def _media(data: DriveData, f: dict) -> tuple[str, bytes]:
    """files.get(alt=media): a file's bytes; Google Docs types are exported, not downloaded.
    A binary file the emulator holds no content for (videos) answers a short placeholder."""
    mime = f.get("mimeType", "")
    if mime in GOOGLE_APPS or mime.startswith("application/vnd.google-apps."):
        raise ApiError(403, "fileNotDownloadable", "Only files with binary content can be downloaded. "
                       "Use Export with Docs Editors files.", location="alt")
    body = data.media.get(f["id"])
    if body is None:
        body = f"emulated content of {f['name']}\n".encode()
    return mime or "application/octet-stream", body


def _plain(markdown: str) -> str:
    text = re.sub(r"^#{1,6}\s*", "", markdown, flags=re.M)
    text = re.sub(r"\[([^\]]*)\]\(([^)]*)\)", r"\1 (\2)", text)
    return re.sub(r"(\*\*|__|\*|_)(.+?)\1", r"\2", text)


def files_export(data: DriveData, params: dict, who, tree, fid: str):
    f = _get_file(data, fid, dict(params, supportsAllDrives="true"))
    mime = params.get("mimeType")
    if not mime:
        raise ApiError(400, "required", "Required parameter: mimeType", location="mimeType")
    if f["mimeType"] not in GOOGLE_APPS:
        raise ApiError(403, "fileNotExportable", "Export only supports Docs Editors files.", location="fileId")
    if mime not in EXPORTS.get(f["mimeType"], ()):
        raise ApiError(400, "badRequest", "The requested conversion is not supported.", location="convertTo")
    text = data.contents.get(fid, "")
    if mime == "text/plain":
        text = _plain(text)
    elif mime == "text/html":
        text = "<html><body><pre>" + text.replace("&", "&amp;").replace("<", "&lt;") + "</pre></body></html>"
    body = text.encode()
    if len(body) > data.export_limit:
        raise ApiError(403, "exportSizeLimitExceeded", "This file is too large to be exported.", location="fileId")
    return (mime + ("; charset=utf-8" if mime.startswith("text/") else ""), body)


def start_page_token(data: DriveData, params: dict, who, tree):
    _check_fields(params, tree, "StartPageToken")
    resp = {"kind": "drive#startPageToken", "startPageToken": str(data.next_change())}
    return resp if tree is None else project(resp, tree)


def _change_visible(ch: dict, params: dict) -> bool:
    drive_id = params.get("driveId") or params.get("teamDriveId")
    if drive_id:
        return ch["driveId"] == drive_id
    if ch["driveId"]:
        return (_bool(params, "supportsAllDrives") and _bool(params, "includeItemsFromAllDrives")
                and not _bool(params, "restrictToMyDrive"))
    return True


def changes_list(data: DriveData, params: dict, who, tree):
    _check_fields(params, tree, "ChangeList")
    token = params.get("pageToken")
    if not token:
        raise ApiError(400, "required", "Required parameter: pageToken", location="pageToken")
    try:
        n = int(token)
        if not data.CHANGE_BASE <= n <= data.next_change():
            raise ValueError
    except ValueError:
        raise _invalid(f"Invalid Value", "pageToken") from None
    size = _page_size(params)
    include_removed = str(params.get("includeRemoved", "true")).lower() == "true"
    latest: dict[str, dict] = {}  # one entry per file: its latest change
    for ch in data.changes[n - data.CHANGE_BASE:]:
        if _change_visible(ch, params):
            latest.pop(ch["fileId"], None)
            latest[ch["fileId"]] = ch
    entries = [ch for ch in latest.values() if include_removed or not ch["removed"] and ch["fileId"] in data.files]
    entries.sort(key=lambda c: c["n"])
    out = []
    for ch in entries[:size]:
        f = data.files.get(ch["fileId"])
        item = {"kind": "drive#change", "changeType": "file", "time": ch["time"], "removed": f is None,
                "fileId": ch["fileId"]}
        if ch["driveId"]:
            item["driveId"] = ch["driveId"]
        if f is not None:
            item["file"] = _file_default(f) if tree is None else f
        out.append(item)
    resp = {"kind": "drive#changeList"}
    if len(entries) > size:
        resp["nextPageToken"] = str(entries[size - 1]["n"] + 1)
    else:
        resp["newStartPageToken"] = str(data.next_change())
    resp["changes"] = out
    return resp if tree is None else project(resp, tree)


_FILE = re.compile(r"^files/([^/]+)$")
_EXPORT = re.compile(r"^files/([^/]+)/export$")


def route(rest: str):
    if rest == "files":
        return "drive.files.list", files_list, ()
    if rest == "changes":
        return "drive.changes.list", changes_list, ()
    if rest == "changes/startPageToken":
        return "drive.changes.getStartPageToken", start_page_token, ()
    m = _EXPORT.match(rest)
    if m:
        return "drive.files.export", files_export, (m.group(1),)
    m = _FILE.match(rest)
    if m:
        return "drive.files.get", files_get, (m.group(1),)
    raise ApiError(404, "notFound", f"Method not found: drive/v3/{rest}", status="NOT_FOUND")
