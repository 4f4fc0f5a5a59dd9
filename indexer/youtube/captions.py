"""YouTube caption tracks of the recordings matched to meetings, through the Data API.

``captions.list`` costs 50 units and ``captions.download`` 200, and both need OAuth
as the channel's owner (scope ``youtube.force-ssl``): so only recordings matched to
meetings are read, newest meeting first, one track per video (250 units at most),
within ``--transcript-budget`` and what ``--quota-budget`` leaves. A daily sync
backfills a large channel over days.

Incremental: ``video_captions`` remembers each video's listing (the chosen track
and its ``lastUpdated``) and the video as it was harvested. A video is listed
again only when the video changed (its resource less the statistics, which move
every day: an ETag that ignores view counts), or when it had no usable track a
week ago (automatic captions arrive hours after an upload); a track is
downloaded again only when its ``lastUpdated`` moved. Text is stored through
``transcripts.TranscriptWriter``, the one path for cues and their search index.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field

import sqlite_utils

from indexer.store.db import now as utc_now
from indexer.transcripts.store import TranscriptWriter

LIST_COST, DOWNLOAD_COST = 50, 200
# a quarter of the default daily quota: ten captioned videos a day
DEFAULT_BUDGET = 2500
# a video listed without a usable track is listed again after this long
RELIST_EMPTY_DAYS = 7
CAPTION_SCOPES = ("https://www.googleapis.com/auth/youtube.force-ssl",
                  "https://www.googleapis.com/auth/youtubepartner")
# caption track kinds: what the API calls them -> transcripts.kind
KINDS = {"standard": "manual", "asr": "asr"}


# ---------------------------------------------------------------- fetch


def fetch_caption_tracks(client, video_id: str) -> list[dict]:
    """The video's caption tracks (``captions.list``, 50 units)."""
    request = client.resource("captions").list(part="snippet", videoId=video_id)
    return client.execute(request, what=f"video {video_id}").get("items") or []


def fetch_caption(client, track_id: str, fmt: str = "vtt") -> str:
    """One track's text (``captions.download``, 200 units)."""
    request = client.resource("captions").download_media(id=track_id, tfmt=fmt)
    body = client.execute(request, what=f"caption track {track_id}")
    return body.decode("utf-8-sig") if isinstance(body, bytes) else body


# ---------------------------------------------------------------- pure


def choose_track(tracks: list[dict], language: str | None = None) -> dict | None:
    """The track worth 200 units: served, not a draft, not ``forced`` (those hold only the
    foreign-language parts); the video's own language (else English) first, a person's
    track over automatic captions."""
    want = (language or "en").lower().split("-")[0]

    def rank(t):
        sn = t.get("snippet") or {}
        lang = (sn.get("language") or "").lower().split("-")[0]
        return (lang != want, lang != "en", kind_of(t) != "standard", t.get("id", ""))

    usable = [t for t in tracks if kind_of(t) in KINDS
              and not (t.get("snippet") or {}).get("isDraft")
              and (t.get("snippet") or {}).get("status", "serving") == "serving"]
    return min(usable, key=rank) if usable else None


def kind_of(track: dict) -> str:
    """``standard``, ``asr`` or ``forced``: the discovery document spells automatic captions
    ``ASR``, and answers have come both ways."""
    return str((track.get("snippet") or {}).get("trackKind") or "").lower()


def track_version(track: dict) -> str:
    """What changes when the track's text does: ``lastUpdated`` (the ETag where it is missing)."""
    return (track.get("snippet") or {}).get("lastUpdated") or track.get("etag") or ""


def video_version(raw: str | None) -> str:
    """The video as harvested, less its statistics: changes when the video does."""
    try:
        video = json.loads(raw or "{}")
    except ValueError:
        video = {}
    if isinstance(video, dict):
        video.pop("statistics", None)
    return hashlib.sha256(json.dumps(video, sort_keys=True).encode()).hexdigest()[:20]


def transcript_id(video_id: str) -> str:
    """One API transcript per video, replaced when a better track appears."""
    return f"{video_id}.captions"


def needs_listing(state: dict | None, version: str, today: dt.datetime) -> bool:
    if state is None or state["video_version"] != version:
        return True
    if state["track_id"]:
        return False
    listed = dt.datetime.fromisoformat(state["listed_at"].replace("Z", "+00:00"))
    return today - listed >= dt.timedelta(days=RELIST_EMPTY_DAYS)


# ---------------------------------------------------------------- database


def create_tables(db: sqlite_utils.Database) -> None:
    from indexer.store.schema import create

    create(db, "youtube")
    create(db, "notes")  # transcripts, transcript_cues


def plan(db: sqlite_utils.Database) -> list[dict]:
    """YouTube recordings matched to meetings, newest meeting first."""
    tables = set(db.table_names())
    if not {"recordings", "meetings", "videos"} <= tables:
        return []
    return list(db.query("""
select recordings.ref as video_id, max(meetings.date) as date, videos.raw as raw, videos.channel_id as channel_id,
       json_extract(videos.raw, '$.snippet.defaultAudioLanguage') as language
from recordings
join meetings on meetings.id = recordings.meeting_id
join videos on videos.id = recordings.ref
where recordings.source = 'youtube' and videos.removed_at is null
group by recordings.ref
order by date desc, videos.published_at desc, recordings.ref
"""))


@dataclass
class CaptionResult:
    listed: int = 0
    downloaded: int = 0
    current: int = 0         # transcript up to date: no call
    no_track: int = 0
    pending: int = 0         # left for the next run (budget)
    cues: int = 0
    stopped: str | None = None
    errors: list[str] = field(default_factory=list)

    def counts(self) -> dict:
        return {"captions_listed": self.listed, "captions_downloaded": self.downloaded,
                "captions_current": self.current, "captions_pending": self.pending}


def sync_captions(db: sqlite_utils.Database, client, progress=lambda done, total=None: None,
                  todo: list[dict] | None = None) -> CaptionResult:
    """List and download what is missing or changed, newest meeting first, until the
    client's quota budget stops it (``QuotaBudgetReached`` is caught here: the rest waits
    for the next run). A track gone since it was listed is that video's error: it is
    listed again next run, the others go on. So is a refusal (403 ``forbidden``) once
    the credentials have read another video this run, or for a video of another channel
    than most recordings (the token's owner may read only their own channel's
    captions). ``Forbidden`` otherwise, and other ``ApiError``s, propagate."""
    from indexer.transcripts.parse import SubtitleError, cue_rows  # only when captions arrive
    from indexer.google.client import Forbidden, NotFound, QuotaBudgetReached

    create_tables(db)
    todo = plan(db) if todo is None else todo  # the step has usually planned already
    result = CaptionResult()
    states = {r["video_id"]: r for r in db.query("select * from video_captions")}
    fetched = {r["id"]: r["source_version"] for r in db.query(
        "select id, source_version from transcripts where id like '%.captions'")}
    today = dt.datetime.now(dt.timezone.utc)
    read_one = False  # a caption call of this run answered: the credentials can read captions
    # the channel most recordings are on: a refusal of one of its videos before any read is the credentials'
    channel = Counter(v["channel_id"] for v in todo).most_common(1)[0][0] if todo else None
    for n, video in enumerate(todo):
        progress(n, len(todo))
        vid = video["video_id"]
        state = states.get(vid)
        version = video_version(video["raw"])
        try:
            if needs_listing(state, version, today):
                try:
                    tracks = fetch_caption_tracks(client, vid)
                except NotFound:
                    tracks = []
                chosen = choose_track(tracks, video["language"])
                state = {"video_id": vid, "video_version": version, "listed_at": utc_now(), "tracks": len(tracks),
                         "track_id": chosen and chosen["id"],
                         "track_kind": chosen and kind_of(chosen),
                         "language": chosen and chosen["snippet"].get("language"),
                         "track_version": chosen and track_version(chosen),
                         "unreadable_version": (state or {}).get("unreadable_version")}
                db["video_captions"].upsert(state, pk="video_id")
                states[vid] = state
                result.listed += 1
                read_one = True
            if not state["track_id"]:
                result.no_track += 1
                continue
            tid = transcript_id(vid)
            if state["track_version"] in (fetched.get(tid), state.get("unreadable_version")):
                result.current += 1
                continue
            text = fetch_caption(client, state["track_id"])
            read_one = True
        except QuotaBudgetReached as exc:
            result.stopped = str(exc)
            result.pending = len(todo) - n
            break
        except NotFound as exc:
            # the track was deleted or replaced since it was listed: list the video again next run
            db["video_captions"].delete_where("video_id = ?", [vid])
            states.pop(vid, None)
            result.errors.append(f"{vid}: {exc}")
            continue
        except Forbidden as exc:
            if "insufficientPermissions" in str(exc) or not (read_one or video["channel_id"] != channel):
                raise  # the credentials cannot read the channel's captions at all
            result.errors.append(f"{vid}: {exc}")
            continue
        try:
            cues = cue_rows(text, "vtt")
        except SubtitleError as exc:
            result.errors.append(f"{vid}: {exc}")
            state["unreadable_version"] = state["track_version"]
            db["video_captions"].update(vid, {"unreadable_version": state["track_version"]})
            continue
        row = {"id": tid, "video_id": vid, "drive_file_id": None, "language": state["language"],
               "kind": KINDS.get(state["track_kind"], "asr"), "source": f"youtube:captions/{state['track_id']}",
               "fetched_at": utc_now(), "content_hash": hashlib.sha256(text.encode()).hexdigest(),
               "cues": len(cues), "duration_s": max((c[1] for c in cues), default=0.0),
               "source_version": state["track_version"]}
        with TranscriptWriter(db) as writer:
            writer.save(row, cues, replaces=tid in fetched)
        fetched[tid] = state["track_version"]
        result.downloaded += 1
        result.cues += len(cues)
    progress(len(todo), len(todo))
    return result


# ---------------------------------------------------------------- the sync step


def cannot_download(auth) -> str | None:
    """Why these credentials cannot download captions, before spending a unit; None when they may."""
    creds = auth.credentials
    if creds is None:
        return ("an API key cannot download captions (captions.download needs OAuth as the channel's owner: "
                "run `meetup-indexer auth --scope youtube --scope captions` and pass --credentials)")
    scopes = getattr(creds, "scopes", None) or getattr(creds, "granted_scopes", None)
    if scopes and not set(scopes) & set(CAPTION_SCOPES):
        return ("the OAuth token lacks the youtube.force-ssl scope captions need: "
                "run `meetup-indexer auth --scope youtube --scope captions` again")
    return None
