"""Zoom transcripts and chats saved in the Drive archive, beside their recordings.

Zoom's cloud recordings come as ``GMT20210209-170012_Recording_1920x1080.mp4`` with
``..._Recording.transcript.vtt`` (the audio transcript, ``Name: text`` cues),
``....cc.vtt`` (closed captions) and a chat file (``...newChat.txt``); copied to
Drive they keep that stem. The Drive harvest already lists them in ``drive_files``:
here each one is linked to the recording it belongs to (the same Zoom stem, else the
closest media file of the same folder) and, when that recording is matched to a
meeting (a large archive holds thousands of other files: a request each), downloaded
(``files.get(alt=media)``, no quota units) and stored through
``transcripts.TranscriptWriter``:

* ``*.vtt``: kind ``zoom`` (a file without the Zoom stem: ``zoom`` when it names
  speakers, else ``asr`` or ``file`` as for imported files), ``drive_file_id`` the recording (the file itself when no
  recording is found). Where the meeting's YouTube video is that recording uploaded
  (same meeting, same duration within ``SAME_DURATION_S``), ``video_id`` names the
  video too, so the matcher places talks with it.
* ``*chat*.txt``: kind ``chat``, messages to everyone only (direct messages stay out),
  ``speaker`` the sender, ``start_s`` seconds after the first message (a chat carries
  wall-clock times, not the recording's); searchable, never used to place talks.

Incremental: a file is downloaded again only when its ``md5Checksum`` (else
``modifiedTime``) changed; a file gone from Drive takes its transcript with it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

import sqlite_utils

from indexer.store.db import now as utc_now
from indexer.common.recording_files import MEDIA_SUFFIXES
from indexer.common.recording_files import ZOOM_STEM
from indexer.common.times import parse_utc
from indexer.common.recording_files import zoom_time

# a file of the same folder this close in time belongs to the same recording
SAME_FOLDER_S = 3 * 3600
# a YouTube video this close in duration to a Drive recording of its meeting is that recording uploaded
SAME_DURATION_S = 30
_CHAT_LINE = re.compile(r"^(\d{1,2}):(\d\d):(\d\d)\s+From\s+(.+?)(?:\s+to\s+(.+?))?\s*:\s?(.*)$")


def kind_of(name: str) -> str | None:
    """``zoom`` for a subtitle file, ``chat`` for a chat file, else None."""
    low = (name or "").lower()
    if low.endswith(".vtt"):
        return "zoom"
    if low.endswith(".txt") and "chat" in low:
        return "chat"
    return None


def _is_media(row: dict) -> bool:
    mime = row.get("mime_type") or ""
    return mime.startswith(("video/", "audio/")) or (row.get("name") or "").lower().endswith(MEDIA_SUFFIXES)


def _instant(row: dict) -> dt.datetime | None:
    """When the file was recorded: its Zoom stem, else Drive's createdTime."""
    return zoom_time(row.get("name") or "") or parse_utc(row.get("created_time"))


def recording_for(file: dict, media: list[dict]) -> dict | None:
    """The recording ``file`` belongs to: a media file with the same Zoom stem (the same
    folder first, video before audio), else the media file of the same folder closest in
    time within ``SAME_FOLDER_S``. Pure; rows as ``drive_files`` holds them."""
    def preference(m):
        return (m.get("parent_id") != file.get("parent_id"), not (m.get("mime_type") or "").startswith("video/"),
                -(m.get("duration_s") or 0), m["id"])

    stem = ZOOM_STEM.search(file.get("name") or "")
    if stem:
        same = [m for m in media if stem.group(0) in (m.get("name") or "")]
        if same:
            return min(same, key=preference)
    at = _instant(file)
    near = []
    for m in media:
        other = _instant(m)
        if m.get("parent_id") == file.get("parent_id") and at and other:
            gap = abs((other - at).total_seconds())
            if gap <= SAME_FOLDER_S:
                near.append((gap, preference(m), m))
    return min(near, key=lambda x: (x[0], x[1]))[2] if near else None


def chat_cues(text: str) -> list[tuple]:
    """``(start_s, end_s, speaker, text)`` of the messages to everyone; Zoom writes a
    message on the ``From`` line (older files) or on the tab-indented lines under it."""
    messages: list[list] = []
    for line in text.splitlines():
        m = _CHAT_LINE.match(line.strip("\ufeff"))
        if m:
            h, mi, s, who, to, said = m.groups()
            public = to is None or to.strip().lower() == "everyone"
            messages.append([int(h) * 3600 + int(mi) * 60 + int(s), who.strip(), [said.strip()] if said.strip() else [],
                             public])
        elif messages and line.strip():
            messages[-1][2].append(line.strip())
    if not messages:
        return []
    first = messages[0][0]
    return [(float((t - first) % 86400), float((t - first) % 86400), who, " ".join(said))
            for t, who, said, public in messages if public and said]


# ---------------------------------------------------------------- fetch


def fetch_file(client, file_id: str) -> bytes:
    """A Drive file's bytes (``files.get(alt=media)``)."""
    request = client.resource("files").get_media(fileId=file_id, supportsAllDrives=True)
    return client.execute(request, what=f"file {file_id}")


# ---------------------------------------------------------------- database


@dataclass
class ZoomResult:
    files: int = 0
    downloaded: int = 0
    unchanged: int = 0
    removed: int = 0
    relinked: int = 0
    cues: int = 0
    errors: list[str] = field(default_factory=list)

    def counts(self) -> dict:
        return {"zoom_transcripts_downloaded": self.downloaded, "zoom_transcripts_unchanged": self.unchanged,
                "zoom_transcripts_removed": self.removed, "zoom_transcripts_relinked": self.relinked}


def _drive_rows(db) -> list[dict]:
    if "drive_files" not in db.table_names():
        return []
    return list(db.query("select id, name, mime_type, md5, modified_time, created_time, duration_s, parent_id "
                         "from drive_files where removed_at is null order by id"))


def _matched_recordings(db) -> set[str]:
    if "recordings" not in db.table_names():
        return set()
    return {r[0] for r in db.execute("select ref from recordings where source = 'drive'")}


def uploaded_as(db, recording_id: str, duration_s) -> str | None:
    """The YouTube video of the recording's meeting that is the same recording uploaded."""
    if duration_s is None or not {"recordings", "videos"} <= set(db.table_names()):
        return None
    rows = list(db.query("""
select videos.id, videos.duration_s from recordings as r
join recordings as yt on yt.meeting_id = r.meeting_id and yt.source = 'youtube'
join videos on videos.id = yt.ref
where r.source = 'drive' and r.ref = ? and videos.duration_s is not null
""", [recording_id]))
    close = [(abs(r["duration_s"] - duration_s), r["id"]) for r in rows
             if abs(r["duration_s"] - duration_s) <= SAME_DURATION_S]
    return min(close)[1] if close else None


def sync_zoom_transcripts(db: sqlite_utils.Database, client) -> ZoomResult:
    """Download new and changed transcript and chat files, drop the ones gone from
    Drive, and link every Zoom transcript to its recording (and video) again."""
    from indexer.transcripts.parse import SubtitleError, cue_rows, transcript_kind  # only when transcripts arrive
    from indexer.transcripts.store import TranscriptWriter
    from indexer.google.client import ApiError, BadKey
    from indexer.store.schema import create

    create(db, "notes")
    result = ZoomResult()
    rows = _drive_rows(db)
    media = [r for r in rows if _is_media(r)]
    files = [r for r in rows if kind_of(r["name"]) and not _is_media(r)]
    stored = {r["id"]: r for r in db.query(
        "select id, video_id, drive_file_id, kind, source_version from transcripts where id like 'drive:%'")}
    on_drive = {f"drive:{f['id']}" for f in files}
    matched = _matched_recordings(db)
    gone = sorted(set(stored) - on_drive)  # gone from Drive (or renamed into something else)
    if gone:
        with TranscriptWriter(db) as writer:
            for tid in gone:
                writer.remove(tid)  # its cues leave the table and the search index
                result.removed += 1
    for f in files:
        tid, kind = f"drive:{f['id']}", kind_of(f["name"])
        recording = recording_for(f, media)
        if tid not in stored and (recording is None or recording["id"] not in matched):
            continue  # only the recordings of meetings are worth a download each
        result.files += 1
        drive_id = recording["id"] if recording else f["id"]
        video_id = uploaded_as(db, recording["id"], recording.get("duration_s")) \
            if recording and kind == "zoom" else None
        version = f.get("md5") or f.get("modified_time") or ""
        old = stored.get(tid)
        if old and old["source_version"] == version:
            result.unchanged += 1
            if (old["video_id"], old["drive_file_id"]) != (video_id, drive_id):
                with db.conn:
                    db.execute("update transcripts set video_id = ?, drive_file_id = ? where id = ?",
                               [video_id, drive_id, tid])
                result.relinked += 1
            continue
        # downloaded outside any transaction, each file saved in its own short write: a
        # failing download (trashed or unshared since the listing, the network, a 5xx,
        # a recording without it) costs that file alone, until the next run
        try:
            data = fetch_file(client, f["id"])
        except BadKey:
            raise
        except ApiError as exc:
            result.errors.append(f"{f['name']}: {exc}")
            continue
        try:
            text = data.decode("utf-8-sig")
            cues = chat_cues(text) if kind == "chat" else cue_rows(text, "vtt")
        except (UnicodeDecodeError, SubtitleError) as exc:
            result.errors.append(f"{f['name']}: not a readable {kind} file ({type(exc).__name__})")
            continue
        if kind == "zoom" and not ZOOM_STEM.search(f["name"]):  # a subtitle file someone put there
            kind = transcript_kind(text, cues)
        row = {"id": tid, "video_id": video_id, "drive_file_id": drive_id, "language": None, "kind": kind,
               "source": f"drive:{f['id']}", "fetched_at": utc_now(),
               "content_hash": hashlib.sha256(data).hexdigest(), "cues": len(cues),
               "duration_s": max((c[1] for c in cues), default=0.0), "source_version": version}
        with TranscriptWriter(db) as writer:
            writer.save(row, cues, replaces=old is not None)
        result.downloaded += 1
        result.cues += len(cues)
    return result
