"""Drive data for the emulator: a file tree generated from a seed or loaded from
`drive_files.json`, with a changes log that every mutation appends to."""
from __future__ import annotations

import hashlib
import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .captions import zoom_chat, zoom_transcript
from .youtube_data import PEOPLE, TOPICS, _hid, _iso

FOLDER = "application/vnd.google-apps.folder"
SHORTCUT = "application/vnd.google-apps.shortcut"
DOC = "application/vnd.google-apps.document"
SLIDES = "application/vnd.google-apps.presentation"
SHEET = "application/vnd.google-apps.spreadsheet"
GOOGLE_APPS = (DOC, SLIDES, SHEET, "application/vnd.google-apps.drawing")
EXPORT_LIMIT = 10 * 1024 * 1024  # Drive's documented export limit


def file_id(*parts) -> str:
    return "1" + _hid("drive", *parts, n=32)


def _web_link(fid: str, mime: str) -> str:
    if mime == FOLDER:
        return f"https://drive.google.com/drive/folders/{fid}"
    if mime == DOC:
        return f"https://docs.google.com/document/d/{fid}/edit?usp=drivesdk"
    if mime == SLIDES:
        return f"https://docs.google.com/presentation/d/{fid}/edit?usp=drivesdk"
    return f"https://drive.google.com/file/d/{fid}/view?usp=drivesdk"


def make_file(fid: str, name: str, mime: str, parent: str | None, when: datetime, size: int | None = None,
              drive_id: str | None = None, **extra) -> dict:
    """A files#file resource as Drive v3 returns it with fields=*."""
    f = {
        "kind": "drive#file", "id": fid, "name": name, "mimeType": mime,
        "parents": [parent] if parent else [],
        "starred": False, "trashed": False, "explicitlyTrashed": False,
        "spaces": ["drive"], "version": "1",
        "webViewLink": _web_link(fid, mime),
        "iconLink": f"https://drive-thirdparty.googleusercontent.com/16/type/{mime}",
        "createdTime": _iso(when).replace("Z", ".000Z"), "modifiedTime": _iso(when).replace("Z", ".000Z"),
        "capabilities": {"canDownload": True, "canEdit": False, "canListChildren": mime == FOLDER},
    }
    if mime not in (FOLDER, SHORTCUT) and mime not in GOOGLE_APPS:
        f["size"] = str(size or 0)
        f["md5Checksum"] = hashlib.md5(f"{fid}{size}".encode()).hexdigest()
        f["webContentLink"] = f"https://drive.google.com/uc?id={fid}&export=download"
        if "." in name:
            f["fileExtension"] = name.rsplit(".", 1)[1]
            f["fullFileExtension"] = name.split(".", 1)[1]
        f["originalFilename"] = name
        f["headRevisionId"] = _hid("rev", fid, n=40)
    if drive_id:
        f["driveId"] = drive_id
    else:
        f["ownedByMe"] = False
        f["owners"] = [{"kind": "drive#user", "displayName": "Community Archive", "me": False,
                        "emailAddress": "archive@example.org", "permissionId": "0123456789"}]
    f.update(extra)
    return f


class DriveData:
    """Files and folders as Drive returns them; mutate with add_file / rename / trash /
    move / delete (each one appends to the changes log), or edit ``files[id]`` and call
    ``touch(id)``."""

    CHANGE_BASE = 1000

    def __init__(self, files=(), root_folder_id: str | None = None, drives=(), contents: dict | None = None):
        self.files: dict[str, dict] = {f["id"]: f for f in files}
        self.drives: dict[str, dict] = {d["id"]: d for d in drives}
        self.contents: dict[str, str] = dict(contents or {})  # Google Docs text, for files.export
        self.media: dict[str, bytes] = {}  # other files' bytes, for files.get(alt=media)
        self.changes: list[dict] = []  # {"n", "fileId", "time", "removed", "driveId"}
        self.export_limit = EXPORT_LIMIT
        self.max_query_parents = 200  # more `in parents` terms than this: 413, as users met
        self.short_pages = False  # True: files.list pages come back short, as Drive's sometimes do
        self.version = 0
        self._index_version = -1
        self._children: dict[str, list[str]] = {}
        self.root_folder_id = root_folder_id or self._guess_root()

    def _guess_root(self) -> str | None:
        for f in self.files.values():
            if f.get("mimeType") == FOLDER and not any(p in self.files for p in f.get("parents", [])):
                return f["id"]
        return None

    # ---- loading -------------------------------------------------------------
    @classmethod
    def load(cls, directory, root_folder_id: str | None = None) -> "DriveData":
        d = Path(directory)
        data = json.loads((d / "drive_files.json").read_text())
        files = data.get("files", []) if isinstance(data, dict) else data
        files = [f if "kind" in f else dict(f, kind="drive#file") for f in files]
        drives = json.loads((d / "drive_drives.json").read_text()) if (d / "drive_drives.json").exists() else []
        contents = {}
        docs = d / "drive_docs"
        if docs.is_dir():  # drive_docs/<file id>.md: what files.export returns
            contents = {p.stem: p.read_text() for p in docs.glob("*.md")}
        data = cls(files, root_folder_id=root_folder_id, drives=drives, contents=contents)
        media = d / "drive_media"
        if media.is_dir():  # drive_media/<file id>[.ext]: what files.get(alt=media) returns
            data.media = {p.name.split(".", 1)[0]: p.read_bytes() for p in media.iterdir() if p.is_file()}
        return data

    def dump(self, directory) -> None:
        """Write what `load` reads: drive_files.json, drive_drives.json, drive_docs/<id>.md."""
        d = Path(directory)
        (d / "drive_docs").mkdir(parents=True, exist_ok=True)
        (d / "drive_files.json").write_text(json.dumps(list(self.files.values()), indent=1))
        (d / "drive_drives.json").write_text(json.dumps(list(self.drives.values()), indent=1))
        for fid, text in self.contents.items():
            (d / "drive_docs" / f"{fid}.md").write_text(text)
        if self.media:
            (d / "drive_media").mkdir(exist_ok=True)
            for fid, body in self.media.items():
                (d / "drive_media" / fid).write_bytes(body)

    def set_media(self, fid: str, body: bytes | str) -> None:
        """Give a file its bytes (size and md5Checksum follow, as Drive computes them)."""
        body = body.encode() if isinstance(body, str) else body
        self.media[fid] = body
        self.files[fid].update(size=str(len(body)), md5Checksum=hashlib.md5(body).hexdigest())

    # ---- index ---------------------------------------------------------------
    def children(self, parent: str) -> list[str]:
        if self._index_version != self.version:
            idx: dict[str, list[str]] = {}
            for fid, f in self.files.items():
                for p in f.get("parents", ()):
                    idx.setdefault(p, []).append(fid)
            self._children = idx
            self._index_version = self.version
        return self._children.get(parent, [])

    # ---- changes -------------------------------------------------------------
    def next_change(self) -> int:
        return self.CHANGE_BASE + len(self.changes)

    def _log(self, fid: str, removed: bool = False, drive_id: str | None = None) -> None:
        self.version += 1
        self.changes.append({"n": self.next_change(), "fileId": fid, "removed": removed,
                             "time": _now_ms(), "driveId": drive_id})

    def touch(self, fid: str) -> None:
        """Record a change to files[fid] made by hand."""
        f = self.files[fid]
        f["modifiedTime"] = _now_ms()
        f["version"] = str(int(f.get("version", "1")) + 1)
        self._log(fid, drive_id=f.get("driveId"))

    # ---- mutations -----------------------------------------------------------
    def add_file(self, name: str, parent: str, mime_type: str = "video/mp4", file_id_: str | None = None,
                 size: int = 1_000_000, content: str | None = None, media: bytes | str | None = None,
                 **fields) -> str:
        fid = file_id_ or file_id("added", len(self.files), len(self.changes), name)
        drive_id = self.files.get(parent, {}).get("driveId")
        self.files[fid] = make_file(fid, name, mime_type, parent, datetime.now(timezone.utc), size, drive_id,
                                    **fields)
        if content is not None:
            self.contents[fid] = content
        if media is not None:
            self.set_media(fid, media)
        self._log(fid, drive_id=drive_id)
        return fid

    def add_folder(self, name: str, parent: str, folder_id: str | None = None) -> str:
        return self.add_file(name, parent, FOLDER, folder_id)

    def rename(self, fid: str, name: str) -> None:
        self.files[fid]["name"] = name
        self.touch(fid)

    def trash(self, fid: str) -> None:
        self.files[fid].update(trashed=True, explicitlyTrashed=True)
        self.touch(fid)
        for child in self._descendants(fid):  # trashing a folder trashes what it holds
            self.files[child]["trashed"] = True
            self.touch(child)

    def untrash(self, fid: str) -> None:
        self.files[fid].update(trashed=False, explicitlyTrashed=False)
        self.touch(fid)

    def move(self, fid: str, new_parent: str) -> None:
        self.files[fid]["parents"] = [new_parent]
        self.touch(fid)

    def delete(self, fid: str) -> None:
        """Delete for good (not trash): changes report it as removed."""
        for child in self._descendants(fid):
            f = self.files.pop(child, None)
            if f:
                self._log(child, removed=True, drive_id=f.get("driveId"))
        f = self.files.pop(fid)
        self._log(fid, removed=True, drive_id=f.get("driveId"))

    def _descendants(self, fid: str) -> list[str]:
        out, stack, seen = [], [fid], {fid}
        while stack:
            for c in self.children(stack.pop()):
                if c not in seen and self.files[c].get("mimeType") != SHORTCUT:
                    seen.add(c)
                    out.append(c)
                    stack.append(c)
        return out

    # ---- generation ----------------------------------------------------------
    @classmethod
    def generate(cls, folders: int = 20, files: int = 200, seed: int = 0, root_folder_id: str | None = None,
                 shared_drive: bool = True) -> "DriveData":
        rng = random.Random(seed)
        root = root_folder_id or file_id("root", seed)
        start = datetime(2020, 1, 7, 17, 0, tzinfo=timezone.utc)
        out: list[dict] = []
        contents: dict[str, str] = {}
        out.append(make_file(root, "Community Meeting Archive", FOLDER, "0AemulatorMyDriveRootUk9PVA",
                             start - timedelta(days=30)))
        # folders: years under the root, `MM-DD` meeting folders under years, a few
        # subfolders, and one deep chain (deep trees need many rounds of listing)
        folder_ids: list[str] = []
        meeting_folders: list[tuple[str, datetime]] = []
        n_meetings = max(1, int(folders * 0.8))
        step = max(timedelta(days=1), min(timedelta(days=7), timedelta(days=6 * 365) / n_meetings))
        years: dict[int, str] = {}
        made = 0
        for i in range(n_meetings):
            if made >= folders:
                break
            when = start + i * step
            if when.year not in years:
                yid = file_id("year", seed, when.year)
                years[when.year] = yid
                out.append(make_file(yid, str(when.year), FOLDER, root, when))
                folder_ids.append(yid)
                made += 1
                if made >= folders:
                    break
            mid = file_id("meeting", seed, i)
            name = rng.choice([f"{when:%m-%d}", f"{when:%Y-%m-%d}", f"{when:%m-%d} {rng.choice(TOPICS)}"])
            out.append(make_file(mid, name, FOLDER, years[when.year], when))
            folder_ids.append(mid)
            meeting_folders.append((mid, when))
            made += 1
        parent = root
        depth = 0
        while made < folders:
            depth += 1
            fid = file_id("deep", seed, depth)
            name = ["Archive", "Old", "Unsorted", "Zoom", "Backups"][depth % 5] + ("" if depth < 5 else f" {depth}")
            if depth > 8 and rng.random() < 0.5:  # branch out: wide as well as deep
                parent = rng.choice(folder_ids)
            out.append(make_file(fid, name, FOLDER, parent, start + timedelta(days=depth)))
            folder_ids.append(fid)
            parent = fid
            made += 1
        # files: Zoom recordings, dated videos, slides, notes docs
        targets = meeting_folders or [(root, start)]
        zoom_stamps: dict[str, str] = {}  # folder -> stem of its latest Zoom recording
        media: dict[str, bytes] = {}
        for i in range(files):
            if rng.random() < 0.85 or len(folder_ids) == 0:
                parent, when = targets[i % len(targets)]
            else:
                parent, when = rng.choice(folder_ids), start + timedelta(days=rng.randint(0, 2000))
            at = when + timedelta(minutes=rng.randint(-5, 5), seconds=rng.randint(0, 59))
            fid = file_id("file", seed, i)
            kind = rng.choices(["zoom", "zoom_audio", "transcript", "dated", "slides", "doc", "gslides", "chat"],
                               weights=[30, 10, 8, 12, 12, 12, 6, 5])[0]
            stamp = f"GMT{at:%Y%m%d-%H%M%S}"
            if kind in ("transcript", "chat") and parent in zoom_stamps:  # beside the recording it belongs to
                stamp = zoom_stamps[parent]
            if kind == "zoom":
                zoom_stamps[parent] = stamp
                w, h = rng.choice([(1920, 1080), (1280, 720), (2560, 1440)])
                dur = rng.randint(30 * 60, 80 * 60)
                name = f"{stamp}_Recording_{w}x{h}.mp4"
                extra = {}
                if rng.random() < 0.95:  # the rest are still processing: no metadata yet
                    extra["videoMediaMetadata"] = {"width": w, "height": h, "durationMillis": str(dur * 1000)}
                out.append(make_file(fid, name, "video/mp4", parent, at, dur * 150_000, **extra))
            elif kind == "zoom_audio":
                out.append(make_file(fid, f"{stamp}_Recording.m4a", "audio/x-m4a", parent, at, rng.randint(10**7, 6 * 10**7)))
            elif kind == "transcript":
                out.append(make_file(fid, f"{stamp}_Recording.transcript.vtt", "text/vtt", parent, at, rng.randint(10**4, 10**5)))
                media[fid] = zoom_transcript(random.Random(f"{seed}|{fid}")).encode()
            elif kind == "chat":
                out.append(make_file(fid, f"{stamp}_RecordingnewChat.txt", "text/plain", parent, at, rng.randint(100, 10**4)))
                media[fid] = zoom_chat(random.Random(f"{seed}|{fid}"), at).encode()
            elif kind == "dated":
                form = rng.choice(["{d:%Y-%m-%d} Community sync.mp4", "{d:%Y%m%d} {t}.mp4", "{d:%b} {d.day} {d.year} sync.mp4"])
                dur = rng.randint(20 * 60, 70 * 60)
                out.append(make_file(fid, form.format(d=at, t=rng.choice(TOPICS)), "video/mp4", parent, at,
                                     dur * 120_000, videoMediaMetadata={"width": 1280, "height": 720,
                                                                        "durationMillis": str(dur * 1000)}))
            elif kind == "slides":
                person, org = rng.choice(PEOPLE)
                out.append(make_file(fid, f"{at:%b} {at.day} {at.year} - {rng.choice(TOPICS)} ({person}, {org}).pdf",
                                     "application/pdf", parent, at, rng.randint(10**5, 10**7)))
            elif kind == "gslides":
                out.append(make_file(fid, f"{rng.choice(TOPICS)} - {at:%Y-%m-%d}", SLIDES, parent, at))
            else:
                out.append(make_file(fid, f"Meeting notes {at:%Y%m%d}", DOC, parent, at))
                contents[fid] = _notes_doc(rng, at)
            if rng.random() < 0.02:
                out[-1].update(trashed=True, explicitlyTrashed=True)
        # shortcuts: to a file elsewhere in the tree, to a folder outside it, and a cycle
        outside = file_id("outside", seed)
        out.append(make_file(outside, "Other team", FOLDER, "0AemulatorMyDriveRootUk9PVA", start))
        out.append(make_file(file_id("outside-file", seed), "GMT20200107-170000_Recording_1280x720.mp4", "video/mp4",
                             outside, start, 9_000_000,
                             videoMediaMetadata={"width": 1280, "height": 720, "durationMillis": "3600000"}))
        some_file = next((f for f in out if f["mimeType"] == "video/mp4" and f["parents"][0] != outside), None)
        holder = meeting_folders[0][0] if meeting_folders else root
        if some_file:
            out.append(make_file(file_id("sc-file", seed), some_file["name"], SHORTCUT, folder_ids[-1] if folder_ids else root,
                                 start, shortcutDetails={"targetId": some_file["id"], "targetMimeType": "video/mp4"}))
        out.append(make_file(file_id("sc-outside", seed), "Other team", SHORTCUT, root, start,
                             shortcutDetails={"targetId": outside, "targetMimeType": FOLDER}))
        out.append(make_file(file_id("sc-cycle", seed), "Back to the archive", SHORTCUT, holder, start,
                             shortcutDetails={"targetId": root, "targetMimeType": FOLDER}))
        drives = []
        if shared_drive:
            sd = "0A" + _hid("shared", seed, n=17) + "Uk9PVA"
            drives.append({"kind": "drive#drive", "id": sd, "name": "Community Recordings (shared drive)"})
            sfolder = file_id("shared-folder", seed)
            out.append(make_file(sfolder, "Conference talks", FOLDER, sd, start, drive_id=sd))
            for j in range(3):
                at = start + timedelta(days=90 * j)
                out.append(make_file(file_id("shared-file", seed, j), f"{at:%Y-%m-%d} Conference talk.mp4",
                                     "video/mp4", sfolder, at, 50_000_000, drive_id=sd,
                                     videoMediaMetadata={"width": 1920, "height": 1080, "durationMillis": "1800000"}))
            out.append(make_file(file_id("sc-shared", seed), "Conference talks", SHORTCUT, root, start,
                                 shortcutDetails={"targetId": sfolder, "targetMimeType": FOLDER}))
        data = cls(out, root_folder_id=root, drives=drives, contents=contents)
        for fid, body in media.items():
            data.set_media(fid, body)
        return data


def _notes_doc(rng: random.Random, at: datetime) -> str:
    person, org = rng.choice(PEOPLE)
    other, org2 = rng.choice(PEOPLE)
    return (f"# Community sync notes\n\n## {at:%b} {at.day}, {at.year}\n\n"
            f"- {rng.choice(TOPICS)} [{person} - {org}]\n- {rng.choice(TOPICS)} [{other} - {org2}]\n\n"
            f"Recording: https://drive.google.com/file/d/{file_id('rec', at.isoformat())}/view\n")


def _now_ms() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{datetime.now().microsecond // 1000:03d}Z"
