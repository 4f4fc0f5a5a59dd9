"""YouTube data for the emulator: generated from a seed or loaded from API resources.

Generated videos are rendered on demand from (seed, index), so 50,000 videos cost
a few megabytes; a video becomes a stored dict only when a test touches it through
``videos[id]``, so edits stick.
"""
from __future__ import annotations

import base64
import hashlib
import json
import random
from collections.abc import MutableMapping
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .vocabulary import TOPICS, PEOPLE, TAGS, ID_ALPHABET  # noqa: F401 - drive_data draws on them too

COMMUNITY = ["Flyte", "Union", "Kubeflow", "Dagster", "Metaflow"]
SYNC_FORMS = [
    "{c} Community Sync - {d:%b} {d.day}, {d.year}",
    "{c} Community Sync - {d:%B} {d.day}, {d.year}",
    "{c} OSS Sync {d:%Y-%m-%d}",
    "{c} Contributors Meetup | {d.day} {d:%b} {d.year}",
    "Community Sync ({d:%b} {d.day}, {d.year})",
    "{c} Community Meeting {d:%m/%d/%Y}",
]
UPLOADS = "UU"


def _iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _hid(*parts, n: int) -> str:
    """Deterministic id of n characters from the url-safe base64 alphabet."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=24).digest()
    return base64.urlsafe_b64encode(digest).decode()[:n]


def etag(resource) -> str:
    raw = json.dumps(resource, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(hashlib.blake2b(raw, digest_size=15).digest()).decode()


def _duration(seconds: int) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    out = "PT" + (f"{h}H" if h else "") + (f"{m}M" if m else "") + (f"{s}S" if s or seconds == 0 else "")
    return out


def _ts(seconds: int, rng: random.Random) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    if h:
        return f"{h}:{m:02d}:{s:02d}"
    return f"{m}:{s:02d}" if rng.random() < 0.8 else f"{m:02d}:{s:02d}"


def thumbnails(video_id: str, maxres: bool = True) -> dict:
    base = f"https://i.ytimg.com/vi/{video_id}/"
    t = {
        "default": {"url": base + "default.jpg", "width": 120, "height": 90},
        "medium": {"url": base + "mqdefault.jpg", "width": 320, "height": 180},
        "high": {"url": base + "hqdefault.jpg", "width": 480, "height": 360},
        "standard": {"url": base + "sddefault.jpg", "width": 640, "height": 480},
    }
    if maxres:
        t["maxres"] = {"url": base + "maxresdefault.jpg", "width": 1280, "height": 720}
    return t


class VideoStore(MutableMapping):
    """id -> videos#video resource. Generated entries are rendered lazily; reading one
    through ``[]`` stores it, so in-place edits by tests persist."""

    def __init__(self, owner: "YouTubeData"):
        self._owner = owner
        self._items: dict[str, object] = {}  # id -> dict, or a generator spec tuple

    def __getitem__(self, vid):
        v = self._items[vid]
        if not isinstance(v, dict):
            v = self._owner._render_video(v)
            self._items[vid] = v
        self._owner.changed()
        return v

    def __setitem__(self, vid, resource):
        self._items[vid] = resource
        self._owner.changed()

    def __delitem__(self, vid):
        del self._items[vid]
        self._owner.changed()

    def __iter__(self):
        return iter(self._items)

    def __len__(self):
        return len(self._items)

    def peek(self, vid):
        """The resource without storing it (the server's read path), or None."""
        return self.peek_etag(vid)[0]

    def peek_etag(self, vid) -> tuple[dict | None, str | None]:
        """(resource, etag). A harvest renders each generated video twice in a row
        (playlistItems, then videos.list): a small cache halves that work."""
        v = self._items.get(vid)
        if v is None:
            return None, None
        if isinstance(v, dict):
            return v, etag(v)
        cache = self._owner._render_cache
        hit = cache.get(vid)
        if hit is None:
            hit = (self._owner._render_video(v), _hid("etag", self._owner._gen["seed"], *v, n=20))
            if len(cache) >= 512:
                cache.pop(next(iter(cache)))
            cache[vid] = hit
        return hit

    def summary(self, vid) -> tuple[str, str, str]:
        """(publishedAt, privacyStatus, channelId) cheaply, for ordering the uploads playlist."""
        v = self._items[vid]
        if isinstance(v, dict):
            return (v.get("snippet", {}).get("publishedAt", ""), v.get("status", {}).get("privacyStatus", "public"),
                    v.get("snippet", {}).get("channelId", ""))
        return v[2], v[3], self._owner._gen["channel_id"]


class YouTubeData:
    """Channels, playlists, playlist items and videos, as the API returns them.

    Mutate between syncs with add_video / remove_video / set_privacy, or edit
    ``videos[id]`` in place. ``deleted`` holds ids of videos that were deleted:
    ordinary playlists still list them as "Deleted video".
    """

    def __init__(self, channels=(), playlists=(), playlist_items=(), videos=()):
        self.channels: dict[str, dict] = {c["id"]: c for c in channels}
        self.playlists: dict[str, dict] = {p["id"]: p for p in playlists}
        # ordinary playlists: playlist id -> list of video ids (or stored item dicts
        # for items whose video we do not hold, as in recordings)
        self.playlist_items: dict[str, list] = {}
        self.videos = VideoStore(self)
        self.deleted: set[str] = set()
        self.usernames: dict[str, str] = {}  # legacy /user/NAME -> channel id (forUsername)
        self.version = 0
        self._uploads_cache: dict[tuple, list[str]] = {}
        self._gen: dict = {}
        self._render_cache: dict = {}
        self.list_serial = 0
        self.uploads_cap: int | None = None  # e.g. 20_000: uploads playlists reportedly stop there
        # caption tracks set by hand or loaded from files (meetup_emulator/captions.py);
        # any other processed video gets generated ones
        self.captions: dict[str, list[dict]] = {}
        # the channel a user token owns (channels.list mine=true, captions); None: the first one
        self.owner_channel_id: str | None = None
        for v in videos:
            self.videos._items[v["id"]] = v
        for item in playlist_items:
            pid = item["snippet"]["playlistId"]
            if pid.startswith(UPLOADS) and pid[2:] == self._channel_suffix(pid):
                continue  # uploads playlists are derived from the videos
            vid = item.get("contentDetails", {}).get("videoId") or item["snippet"]["resourceId"]["videoId"]
            self.playlist_items.setdefault(pid, []).append(vid if vid in self.videos._items else item)

    def _channel_suffix(self, pid: str) -> str | None:
        for cid in self.channels:
            if cid[2:] == pid[2:]:
                return cid[2:]
        return None

    def changed(self):
        self.version += 1
        self._render_cache.clear()

    # ---- loading -------------------------------------------------------------
    @classmethod
    def load(cls, directory) -> "YouTubeData":
        d = Path(directory)

        def read(name):
            p = d / name
            if not p.exists():
                return []
            data = json.loads(p.read_text())
            return data.get("items", []) if isinstance(data, dict) else data

        from .captions import load_files

        data = cls(read("channels.json"), read("playlists.json"), read("playlist_items.json"), read("videos.json"))
        data.captions = load_files(d)
        return data

    def dump(self, directory) -> None:
        """Write the JSON files `load` reads (playlist items as a key holder sees them),
        so a generated channel can be edited by hand and served with --data."""
        from types import SimpleNamespace

        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        who = SimpleNamespace(kind="key")
        items = []
        for pid, entries in self.playlist_items.items():
            owner = self.channels.get(self.playlists.get(pid, {}).get("snippet", {}).get("channelId"))
            for pos, entry in enumerate(entries):
                item = playlist_item(self, pid, pos, entry, owner, who)
                item.pop("_etag", None)
                items.append(item)
        for vid, tracks in self.captions.items():
            from .captions import render

            for t in tracks:
                fmt, text = render(t, None)
                (d / "captions").mkdir(exist_ok=True)
                (d / "captions" / f"{vid}.{t['language']}.{t['trackKind']}.{fmt}").write_text(text)
        for name, rows in [("channels", list(self.channels.values())), ("playlists", list(self.playlists.values())),
                           ("playlist_items", items), ("videos", [self.videos.peek(v) for v in self.videos])]:
            (d / f"{name}.json").write_text(json.dumps(rows, indent=1))

    # ---- generation ----------------------------------------------------------
    @classmethod
    def generate(cls, videos: int = 120, seed: int = 0, channel_id: str | None = None,
                 handle: str | None = None, title: str | None = None) -> "YouTubeData":
        rng = random.Random(seed)
        community = COMMUNITY[seed % len(COMMUNITY)] if title is None else title.split()[0]
        channel_id = channel_id or "UC" + _hid("channel", seed, n=22)
        handle = handle or f"@{community.lower()}org"
        data = cls()
        span = timedelta(days=6 * 365)
        step = max(timedelta(hours=1), min(timedelta(days=7), span / max(videos, 1)))
        start = datetime(2020, 1, 7, 17, 0, tzinfo=timezone.utc)
        if videos * step > span:
            start = datetime(2026, 1, 1, 17, 0, tzinfo=timezone.utc) - videos * step
        data._gen = {"seed": seed, "channel_id": channel_id, "community": community, "start": start, "step": step,
                     "videos": videos}
        chan_title = title or f"{community} Community"
        published = _iso(start - timedelta(days=40))
        data.channels[channel_id] = {
            "kind": "youtube#channel",
            "id": channel_id,
            "snippet": {
                "title": chan_title,
                "description": f"Recordings of the {community} community syncs, talks and demos. (synthetic data from the meetup-indexer emulator)",
                "customUrl": handle.lower(),
                "publishedAt": published,
                "thumbnails": {k: {"url": f"https://yt3.ggpht.com/{channel_id}={k}", "width": w, "height": w}
                               for k, w in (("default", 88), ("medium", 240), ("high", 800))},
                "localized": {"title": chan_title, "description": f"Recordings of the {community} community."},
                "country": "US",
            },
            "contentDetails": {"relatedPlaylists": {"likes": "", "uploads": UPLOADS + channel_id[2:]}},
            "statistics": {"viewCount": str(videos * 431), "subscriberCount": str(1200 + videos * 3),
                           "hiddenSubscriberCount": False, "videoCount": "0"},
        }
        data.usernames[community.lower() + "org"] = channel_id
        kinds = rng.choices(
            ["sync", "live", "talk", "premiere", "short", "private", "deleted", "upcoming"],
            weights=[40, 25, 15, 4, 8, 4, 3, 1], k=videos)
        if videos >= 8:  # make sure small channels still hold one of everything
            for i, k in enumerate(["live", "premiere", "short", "private", "deleted", "talk", "sync"]):
                kinds[(i * 7 + 3) % videos] = k
        items = data.videos._items
        ids = []
        for i, kind in enumerate(kinds):
            vid = _hid("video", seed, i, n=11)
            when = start + i * step
            if kind == "upcoming":  # scheduled after everything else was published
                when = start + (videos + 1) * step
            privacy = "private" if kind == "private" else "public"
            pub = when - timedelta(days=2) if kind in ("live", "upcoming") else when + timedelta(hours=3)
            items[vid] = (i, kind, _iso(pub), privacy)
            ids.append(vid)
            if kind == "deleted":
                data.deleted.add(vid)
        for vid in data.deleted:
            del items[vid]
        data.channels[channel_id]["statistics"]["videoCount"] = str(len(items))
        # ordinary playlists reference videos by id, including private and deleted ones
        syncs = [v for v, k in zip(ids, kinds) if k in ("sync", "live", "private", "deleted")]
        talks = [v for v, k in zip(ids, kinds) if k in ("talk", "premiere", "deleted")]
        shorts = [v for v, k in zip(ids, kinds) if k == "short"]
        for n, (ptitle, members) in enumerate([
            (f"{community} Community Syncs", syncs), (f"{community} Talks", talks), ("Shorts", shorts),
            ("Featured", ids[: min(len(ids), 12)]),
        ]):
            pid = "PL" + _hid("playlist", seed, n, n=32)
            data.playlists[pid] = {
                "kind": "youtube#playlist",
                "id": pid,
                "snippet": {
                    "publishedAt": published, "channelId": channel_id, "title": ptitle,
                    "description": f"{ptitle} of the {community} community.",
                    "thumbnails": thumbnails(members[0] if members else "", maxres=False),
                    "channelTitle": chan_title, "localized": {"title": ptitle, "description": ""},
                },
                "contentDetails": {"itemCount": len(members)},
                "status": {"privacyStatus": "public"},
            }
            data.playlist_items[pid] = list(members)
        return data

    def _render_video(self, spec) -> dict:
        i, kind, published_at, privacy = spec
        g = self._gen
        rng = random.Random(g["seed"] * 1_000_003 + i)
        vid = _hid("video", g["seed"], i, n=11)
        when = g["start"] + i * g["step"]
        if kind == "upcoming":
            when = g["start"] + (g["videos"] + 1) * g["step"]
        community = g["community"]
        live_details = None
        topic = rng.choice(TOPICS)
        person, org = rng.choice(PEOPLE)
        if kind in ("sync", "live", "private", "upcoming"):
            title = rng.choice(SYNC_FORMS).format(c=community, d=when)
            duration = rng.randint(35 * 60, 75 * 60)
        elif kind in ("talk", "premiere"):
            title = f"{topic} by {person} ({org})" if rng.random() < 0.6 else f"{topic} | {community} Community Talk"
            duration = rng.randint(12 * 60, 50 * 60)
        else:
            title = f"{topic} in 60 seconds #shorts"
            duration = rng.randint(15, 59)
        chapters = kind in ("sync", "live", "talk", "private", "premiere") and rng.random() < 0.6
        lines = [f"{title}.", ""]
        if kind in ("sync", "live"):
            lines.append(f"Meeting notes: https://docs.google.com/document/d/"
                         f"{(_hid('doc', g['seed'], n=32) + _hid('doc2', g['seed'], n=32))[:44]}/edit")
            lines.append("")
        if chapters:
            t = 0
            n_ch = rng.randint(3, 7)
            # at least 45 s apart: YouTube ignores chapters shorter than 10 s
            marks = sorted(rng.sample(range(60, max(duration - 30, 400), 45), n_ch - 1))
            names = ["Intro"] + [
                rng.choice([f"{rng.choice(TOPICS)} by {p} ({o})", f"{rng.choice(TOPICS)} [{p} - {o}]",
                            "Community updates", "Q&A", "Release news", f"Demo: {rng.choice(TOPICS)}"])
                for p, o in (rng.choice(PEOPLE) for _ in marks)]
            style = rng.choice(["plain", "dash", "bracket"])
            for t, name in zip([0] + marks, names):
                stamp = _ts(t, rng)
                lines.append({"plain": f"{stamp} {name}", "dash": f"{stamp} - {name}",
                              "bracket": f"[{stamp}] {name}"}[style])
            lines.append("")
        lines.append(f"Join the {community} community: https://slack.{community.lower()}.org")
        description = "\n".join(lines)
        tags = rng.sample(TAGS, rng.randint(0, 5))
        snippet = {
            "publishedAt": published_at,
            "channelId": g["channel_id"],
            "title": title,
            "description": description,
            "thumbnails": thumbnails(vid, maxres=kind != "short"),
            "channelTitle": self.channels[g["channel_id"]]["snippet"]["title"] if g["channel_id"] in self.channels else "",
            "categoryId": "28",
            "liveBroadcastContent": "upcoming" if kind == "upcoming" else "none",
            "defaultAudioLanguage": "en",
            "localized": {"title": title, "description": description},
        }
        if tags:
            snippet["tags"] = tags
        video = {
            "kind": "youtube#video",
            "id": vid,
            "snippet": snippet,
            "contentDetails": {
                "duration": "P0D" if kind == "upcoming" else _duration(duration),
                "dimension": "2d", "definition": "sd" if kind == "short" else "hd", "caption": "false",
                "licensedContent": False, "contentRating": {}, "projection": "rectangular",
            },
            "status": {
                "uploadStatus": "processed", "privacyStatus": privacy, "license": "youtube",
                "embeddable": True, "publicStatsViewable": True, "madeForKids": False,
            },
            "statistics": {
                "viewCount": str(rng.randint(20, 5000)), "likeCount": str(rng.randint(0, 120)),
                "favoriteCount": "0", "commentCount": str(rng.randint(0, 15)),
            },
        }
        if kind == "upcoming":
            video["status"]["uploadStatus"] = "uploaded"
            live_details = {"scheduledStartTime": _iso(when)}
            video["statistics"] = {"viewCount": "0", "likeCount": "0", "favoriteCount": "0", "commentCount": "0"}
        elif kind == "live":
            start = when + timedelta(minutes=rng.randint(0, 6))
            live_details = {"actualStartTime": _iso(start), "actualEndTime": _iso(start + timedelta(seconds=duration)),
                            "scheduledStartTime": _iso(when)}
        elif kind == "premiere":
            live_details = {"actualStartTime": _iso(when + timedelta(hours=3)),
                            "actualEndTime": _iso(when + timedelta(hours=3, seconds=duration)),
                            "scheduledStartTime": _iso(when + timedelta(hours=3))}
        if live_details:
            video["liveStreamingDetails"] = live_details
        if kind in ("sync", "talk") and rng.random() < 0.3:
            video["recordingDetails"] = {"recordingDate": _iso(when)}
        return video

    # ---- captions ------------------------------------------------------------
    def owner(self) -> str | None:
        return self.owner_channel_id or next(iter(self.channels), None)

    def caption_tracks(self, video_id: str) -> list[dict]:
        """The video's caption tracks (set, loaded, else generated from the video)."""
        if video_id in self.captions:
            return self.captions[video_id]
        video = self.videos.peek(video_id)
        if video is None:
            return []
        from .captions import generated_tracks

        return generated_tracks(video, self._gen.get("seed", 0))

    def set_caption(self, video_id: str, lines: list[tuple], kind: str = "asr", language: str = "en",
                    updated: str = "2024-01-01T00:00:00.000Z", name: str = "") -> str:
        """Add or replace the video's track of this kind and language; ``lines`` are
        ``(start_s, end_s, speaker, text)``. Returns the track id."""
        from .captions import track_id

        tid = track_id(video_id, language, kind)
        tracks = [t for t in self.captions.get(video_id, []) if t["id"] != tid]
        tracks.append({"id": tid, "video_id": video_id, "language": language, "name": name, "trackKind": kind,
                       "lastUpdated": updated, "lines": list(lines)})
        self.captions[video_id] = tracks
        return tid

    # ---- reads used by the server --------------------------------------------
    def channel_for_handle(self, handle: str):
        h = handle.lower().lstrip("@")
        for c in self.channels.values():
            if c.get("snippet", {}).get("customUrl", "").lower().lstrip("@") == h:
                return c
        return None

    def channel_for_username(self, username: str):
        for name, cid in self.usernames.items():
            if name.lower() == username.lower():
                return self.channels.get(cid)
        return None

    def uploads(self, channel_id: str, include_private: bool = False) -> list[str]:
        """Video ids of the channel's uploads playlist, newest first."""
        key = (channel_id, include_private, self.version)
        cached = self._uploads_cache.get(key)
        if cached is None:
            rows = []
            for vid in self.videos:
                published, privacy, chan = self.videos.summary(vid)
                if chan == channel_id and (include_private or privacy == "public"):
                    rows.append((published, vid))
            rows.sort(reverse=True)
            cached = [vid for _, vid in rows]
            self._uploads_cache = {key: cached}
        return cached

    def video_count(self, channel_id: str) -> int:
        return len(self.uploads(channel_id))

    # ---- mutations -----------------------------------------------------------
    def add_video(self, video_id: str | None = None, title: str = "New video", channel_id: str | None = None,
                  published_at: str | None = None, description: str = "", duration: str = "PT30M",
                  privacy: str = "public", **parts) -> str:
        channel_id = channel_id or next(iter(self.channels))
        video_id = video_id or _hid("added", len(self.videos), self.version, title, n=11)
        published_at = published_at or _iso(datetime.now(timezone.utc))
        video = {
            "kind": "youtube#video", "id": video_id,
            "snippet": {"publishedAt": published_at, "channelId": channel_id, "title": title,
                        "description": description, "thumbnails": thumbnails(video_id),
                        "channelTitle": self.channels.get(channel_id, {}).get("snippet", {}).get("title", ""),
                        "categoryId": "28", "liveBroadcastContent": "none",
                        "localized": {"title": title, "description": description}},
            "contentDetails": {"duration": duration, "dimension": "2d", "definition": "hd", "caption": "false",
                               "licensedContent": False, "contentRating": {}, "projection": "rectangular"},
            "status": {"uploadStatus": "processed", "privacyStatus": privacy, "license": "youtube",
                       "embeddable": True, "publicStatsViewable": True, "madeForKids": False},
            "statistics": {"viewCount": "0", "likeCount": "0", "favoriteCount": "0", "commentCount": "0"},
        }
        video.update(parts)
        self.videos[video_id] = video
        self.deleted.discard(video_id)
        return video_id

    def remove_video(self, video_id: str) -> None:
        """Delete a video: gone from videos.list and uploads, "Deleted video" in playlists."""
        del self.videos[video_id]
        self.deleted.add(video_id)

    def set_privacy(self, video_id: str, privacy: str) -> None:
        self.videos[video_id]["status"]["privacyStatus"] = privacy

    def add_to_playlist(self, playlist_id: str, video_id: str) -> None:
        self.playlist_items.setdefault(playlist_id, []).append(video_id)
        self.changed()


def _deleted_item(pid: str, pos: int, vid: str, channel: dict | None) -> dict:
    return {
        "kind": "youtube#playlistItem", "id": _item_id(pid, vid),
        "snippet": {"publishedAt": "2021-01-01T00:00:00Z", "channelId": (channel or {}).get("id", ""),
                    "title": "Deleted video", "description": "This video is unavailable.", "thumbnails": {},
                    "channelTitle": (channel or {}).get("snippet", {}).get("title", ""), "playlistId": pid,
                    "position": pos, "resourceId": {"kind": "youtube#video", "videoId": vid}},
        "contentDetails": {"videoId": vid},
        "status": {"privacyStatus": "privacyStatusUnspecified"},
    }


def _item_id(pid: str, vid: str) -> str:
    return base64.urlsafe_b64encode(f"{pid}.{vid}".encode()).decode().rstrip("=")


# playlist items as Google answers them (youtube_api serves them, dump writes them)
def playlist_item(data: "YouTubeData", pid: str, pos: int, entry, channel: dict | None, who) -> dict:
    if isinstance(entry, dict):
        return dict(entry, snippet=dict(entry["snippet"], position=pos))
    v, tag = data.videos.peek_etag(entry)
    if v is None:
        return _deleted_item(pid, pos, entry, channel)
    sn = v["snippet"]
    privacy = v.get("status", {}).get("privacyStatus", "public")
    if privacy == "private" and who.kind != "user":
        item = _deleted_item(pid, pos, entry, channel)
        item["snippet"].update(title="Private video", description="This video is private.")
        item["status"]["privacyStatus"] = "private"
        return item
    added = sn.get("publishedAt", "")
    return {
        "_etag": _hid("item", tag, pid, pos, privacy, n=20),
        "kind": "youtube#playlistItem", "id": _item_id(pid, entry),
        "snippet": {"publishedAt": added, "channelId": (channel or {}).get("id", sn.get("channelId", "")),
                    "title": sn.get("title", ""), "description": sn.get("description", ""),
                    "thumbnails": sn.get("thumbnails", {}),
                    "channelTitle": sn.get("channelTitle", ""), "playlistId": pid, "position": pos,
                    "resourceId": {"kind": "youtube#video", "videoId": entry},
                    "videoOwnerChannelTitle": sn.get("channelTitle", ""),
                    "videoOwnerChannelId": sn.get("channelId", "")},
        "contentDetails": {"videoId": entry, "videoPublishedAt": added},
        "status": {"privacyStatus": privacy},
    }
