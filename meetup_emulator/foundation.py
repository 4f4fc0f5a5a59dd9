"""An emulated foundation: one YouTube channel carrying 20 meeting series.

Deterministic from a seed. Weekly, bi-weekly and monthly series in three time
zones, words shared across series ("community", "sync", "meeting", "call"),
playlists for some series and none for others, notes for a subset. Written as
what the emulator's ``--data`` reads (YouTube Data API v3 resources, the shape of
``shared/corpus/match/*/data/*.json``), plus one notes file per series that keeps
notes, the project file naming every series, and the truth:

    python -m meetup_emulator.foundation OUT_DIR [--seed 7]
    meetup-indexer emulator --port 8765 --data OUT_DIR/data
    meetup-indexer emulator --foundation [--seed 7]     # the same, generated into a temporary folder

It belongs to the emulator, not to meetup-indexer: it imports nothing from
``indexer`` (the project file it writes is read like any user's).

``truth.json``: ``series`` (what each series is), ``recordings`` (meeting id
``series/date`` -> its video ids), ``videos`` (video id -> its series or null,
its meeting, what it is and the traps it carries).
"""
from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

CHANNEL_ID = "UCfoundation0000000000xx"[:24]
CHANNEL_TITLE = "Open Orchard Foundation"
HANDLE = "@openorchard"
START = dt.date(2023, 1, 2)
END = dt.date(2024, 6, 28)
LA, BER, TYO = "America/Los_Angeles", "Europe/Berlin", "Asia/Tokyo"
MON, TUE, WED, THU, FRI = range(5)
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")  # not locale-dependent


@dataclass
class Spec:
    name: str
    cadence: str  # weekly | biweekly | monthly (the first <weekday> of the month)
    tz: str
    weekday: int
    hour: int
    playlist: bool
    notes: bool

    @property
    def id(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


# Slots collide on purpose: Kestrel's Tuesday 17:00 Berlin is 08:00 in Los Angeles, an
# hour before Flyte's Tuesday sync; SIG Storage and WG Data Protection meet an hour apart
# on Wednesdays; several series share "community", "sync", "call", "meeting".
SPECS = [
    Spec("Flyte Community Sync", "weekly", LA, TUE, 9, True, True),
    Spec("Flyte Contributors Meetup", "biweekly", LA, THU, 10, False, True),
    Spec("Kestrel Community Meeting", "weekly", BER, TUE, 17, False, True),
    Spec("Kestrel Maintainers Call", "monthly", BER, WED, 15, True, True),
    Spec("Lumen Community Call", "biweekly", TYO, THU, 10, True, False),
    Spec("Lumen Docs Sync", "monthly", TYO, TUE, 11, False, False),
    Spec("SIG Storage", "biweekly", LA, WED, 9, True, True),
    Spec("SIG Network", "weekly", LA, THU, 14, False, True),
    Spec("SIG Apps", "biweekly", LA, MON, 9, False, False),
    Spec("WG Data Protection", "biweekly", LA, WED, 8, True, True),
    Spec("Harbor Release Sync", "biweekly", BER, MON, 16, True, True),
    Spec("Harbor Community Meeting", "monthly", BER, THU, 16, False, True),
    Spec("Nimbus Security WG", "biweekly", TYO, WED, 9, True, False),
    Spec("Nimbus Contributors Sync", "weekly", TYO, FRI, 10, False, True),
    Spec("Quarry Community Sync", "monthly", LA, FRI, 9, False, True),
    Spec("Quarry Office Hours", "monthly", LA, FRI, 13, False, False),
    Spec("Atlas Steering Committee", "monthly", BER, TUE, 18, True, True),
    Spec("Atlas Community Call", "biweekly", BER, WED, 17, False, False),
    Spec("Flyte Office Hours", "biweekly", TYO, THU, 11, False, False),
    Spec("Flyte Docs Sync", "monthly", LA, MON, 11, True, True),
]

TOPICS = ["Release planning", "CSI driver update", "Roadmap review", "Caching", "Helm chart cleanup",
          "Security audit findings", "Docs revamp", "Type system", "Observability", "Multi-cluster",
          "Backup and restore", "GPU scheduling", "CI flakes", "Plugin API", "Deprecation policy",
          "Onboarding new contributors", "Performance regression", "Policy engine", "Operator upgrade",
          "Snapshot controller", "Network policies", "Service mesh", "Ingress v2", "Storage classes"]
PEOPLE = ["Ana Souza", "Bo Chen", "Carla Jimenez", "Dmitri Orlov", "Emeka Obi", "Farah Haddad", "Goro Ito",
          "Hanna Berg", "Ivan Petrov", "Julia Kowalska", "Kenji Mori", "Lena Fischer", "Mateo Rossi"]
ORGS = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay"]
CONFS = ["KubeCon EU 2023", "KubeCon NA 2023", "Open Source Summit", "FOSDEM 2024"]
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _etag(obj) -> str:
    raw = json.dumps(obj, sort_keys=True).encode()
    return base64.urlsafe_b64encode(hashlib.blake2b(raw, digest_size=15).digest()).decode()


def meeting_dates(spec: Spec) -> list[dt.date]:
    d = START + dt.timedelta(days=(spec.weekday - START.weekday()) % 7)
    out = []
    if spec.cadence == "monthly":
        month = dt.date(START.year, START.month, 1)
        while month <= END:
            first = month + dt.timedelta(days=(spec.weekday - month.weekday()) % 7)
            if START <= first <= END:
                out.append(first)
            month = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        return out
    step = 7 if spec.cadence == "weekly" else 14
    while d <= END:
        out.append(d)
        d += dt.timedelta(days=step)
    return out


def _date_text(d: dt.date, rnd: random.Random) -> str:
    return rnd.choice([d.isoformat(), f"{d:%b} {d.day}, {d.year}", f"{d:%B} {d.day}, {d.year}",
                       f"{d.day} {d:%B} {d.year}"])


class Foundation:
    def __init__(self, seed: int = 7, specs: list[Spec] | None = None):
        self.rnd = random.Random(seed)
        self.seed = seed
        self.specs = specs or SPECS
        self.videos: list[dict] = []  # API resources
        self.truth_videos: dict[str, dict] = {}
        self.recordings: dict[str, list[str]] = {}
        self.playlist_of: dict[str, str] = {}  # series id -> playlist id
        self.playlist_videos: dict[str, list[str]] = {}
        self.notes: dict[str, str] = {}
        self.no_recording: list[str] = []
        self.cancelled: list[str] = []
        self._ids: set[str] = set()
        for spec in self.specs:
            if spec.playlist:
                pid = "PL" + self._uid(32)
                self.playlist_of[spec.id] = pid
                self.playlist_videos[pid] = []
        for spec in self.specs:
            self._series(spec)
        self._others()

    def _uid(self, n: int = 11) -> str:
        while True:
            v = "".join(self.rnd.choices(ALPHABET, k=n))
            if v not in self._ids and not v.startswith("-"):
                self._ids.add(v)
                return v

    # ---- one series ------------------------------------------------------------
    def _series(self, spec: Spec) -> None:
        rnd = self.rnd
        zone = ZoneInfo(spec.tz)
        lines = [f"# {spec.name}", "", f"Recordings: https://www.youtube.com/{HANDLE}", ""]
        sections = []
        for n, d in enumerate(meeting_dates(spec), start=1):
            mid = f"{spec.id}/{d.isoformat()}"
            talks = rnd.sample(TOPICS, rnd.choice([1, 2, 2, 3]))
            if rnd.random() < 0.02:
                self.cancelled.append(mid)
                sections.append([f"## {_date_text(d, rnd)} - cancelled", ""])
                continue
            start = dt.datetime(d.year, d.month, d.day, spec.hour, rnd.choice([0, 0, 0, 2, 5]), tzinfo=zone)
            vids = []
            if rnd.random() < 0.06:
                self.no_recording.append(mid)
            else:
                vids = self._recording(spec, n, d, start, talks)
                self.recordings[mid] = vids
            sec = [f"## {_date_text(d, rnd)}", "", "### Agenda"]
            for t in talks:
                sec.append(f"* {t} [{rnd.choice(PEOPLE)} - {rnd.choice(ORGS)}]")
            if vids and rnd.random() < 0.25:
                sec += ["", f"Recording: https://youtu.be/{vids[0]}"]
                for v in vids:
                    self.truth_videos[v]["traps"].append("linked in notes")
            sections.append(sec + [""])
        if spec.notes:
            for sec in reversed(sections):  # newest first, as most notes docs are kept
                lines += sec
            self.notes[spec.id] = "\n".join(lines) + "\n"

    def _recording(self, spec: Spec, n: int, d: dt.date, start: dt.datetime, talks: list[str]) -> list[str]:
        rnd = self.rnd
        traps: list[str] = []
        stream = rnd.random() < 0.55
        project = spec.name.split()[0]
        kind_words = " ".join(spec.name.split()[1:])
        style = rnd.choices(["std", "numbered", "no-project", "talk-only", "weekly"], weights=[60, 15, 12, 5, 8])[0]
        if style == "talk-only" and not (spec.notes or spec.playlist):
            # nothing in such a title could name a series that keeps neither notes nor a playlist
            style = "std"
        date_text = _date_text(d, rnd)
        if style == "std":
            title = f"{spec.name} - {date_text}"
        elif style == "numbered":
            title = f"{spec.name} #{n}"
            traps.append("no date in title")
        elif style == "no-project":
            # "Community Sync | 2024-01-09": the words several series share, and a date
            title = f"{kind_words} | {date_text}" if project not in ("SIG", "WG") else f"{spec.name} | {date_text}"
            traps.append("only shared words in title")
        elif style == "talk-only":
            title = " & ".join(talks[:2])
            traps.append("title names the talks only")
        else:
            title = f"{project} {spec.cadence.capitalize()} {kind_words} {date_text}"
        if stream:
            actual = start + dt.timedelta(minutes=rnd.randint(0, 4), seconds=rnd.randint(0, 59))
            published = actual - dt.timedelta(days=rnd.choice([0, 0, 1, 3]), minutes=rnd.randint(5, 50))
            live = {"actualStartTime": _iso(actual), "scheduledStartTime": _iso(start),
                    "actualEndTime": _iso(actual + dt.timedelta(minutes=rnd.randint(35, 70)))}
            traps.append("stream")
        else:
            lag = rnd.choices([0, 1, 2, 4, 7], weights=[35, 30, 15, 12, 8])[0]
            published = start + dt.timedelta(days=lag, hours=rnd.randint(2, 9), minutes=rnd.randint(0, 59))
            live = None
            if lag >= 4:
                traps.append("late upload")
        description = f"{spec.name}, {d:%B} {d.day}, {d.year}.\n\nAgenda:\n" + "\n".join(f"- {t}" for t in talks)
        duration_s = rnd.randint(30 * 60, 75 * 60)
        vid = self._video(title, description, published, live, spec.id, duration_s)
        self.truth_videos[vid] = {"series": spec.id, "meeting": f"{spec.id}/{d.isoformat()}", "kind": "recording",
                                  "title": title, "traps": traps}
        vids = [vid]
        if rnd.random() < 0.02:
            re_id = self._video(title + " (re-upload)", description,
                                published + dt.timedelta(days=rnd.randint(2, 20)), None, spec.id,
                                duration_s + rnd.randint(0, 2))
            self.truth_videos[re_id] = {"series": spec.id, "meeting": f"{spec.id}/{d.isoformat()}",
                                        "kind": "re-upload", "title": title + " (re-upload)", "traps": ["re-upload"]}
            vids.append(re_id)
        return vids

    def _video(self, title: str, description: str, published: dt.datetime, live: dict | None,
               series_id: str | None, duration_s: int | None = None) -> str:
        rnd = self.rnd
        vid = self._uid()
        duration_s = duration_s or rnd.randint(30 * 60, 75 * 60)
        h, rest = divmod(duration_s, 3600)
        duration = "PT" + (f"{h}H" if h else "") + f"{rest // 60}M{rest % 60}S"
        thumbs = {k: {"url": f"https://i.ytimg.com/vi/{vid}/{f}.jpg", "width": w, "height": hh}
                  for k, f, w, hh in [("default", "default", 120, 90), ("medium", "mqdefault", 320, 180),
                                      ("high", "hqdefault", 480, 360)]}
        resource = {
            "kind": "youtube#video",
            "id": vid,
            "snippet": {
                "publishedAt": _iso(published), "channelId": CHANNEL_ID, "title": title,
                "description": description, "thumbnails": thumbs, "channelTitle": CHANNEL_TITLE,
                "tags": ["open source", "community"], "categoryId": "28", "liveBroadcastContent": "none",
                "defaultAudioLanguage": "en", "localized": {"title": title, "description": description},
            },
            "contentDetails": {"duration": duration, "dimension": "2d", "definition": "hd", "caption": "false",
                               "licensedContent": False, "contentRating": {}, "projection": "rectangular"},
            "statistics": {"viewCount": str(rnd.randint(20, 4000)), "likeCount": str(rnd.randint(0, 80)),
                           "favoriteCount": "0", "commentCount": str(rnd.randint(0, 5))},
            "status": {"uploadStatus": "processed", "privacyStatus": "public", "license": "youtube",
                       "embeddable": True, "publicStatsViewable": True, "madeForKids": False},
        }
        if live:
            resource["liveStreamingDetails"] = live
        resource["etag"] = _etag(resource)
        self.videos.append(resource)
        if series_id in self.playlist_of:
            self.playlist_videos[self.playlist_of[series_id]].append(vid)
        return vid

    # ---- videos of no series ---------------------------------------------------------
    def _others(self) -> None:
        """Conference talks, Shorts, highlights and interviews, many on meeting days and
        using the series' words."""
        rnd = self.rnd
        meetings = sorted(self.recordings)
        for i in range(60):
            mid = rnd.choice(meetings)
            sid, day = mid.split("/")
            spec = next(s for s in self.specs if s.id == sid)
            d = dt.date.fromisoformat(day)
            when = dt.datetime(d.year, d.month, d.day, spec.hour, 0, tzinfo=ZoneInfo(spec.tz)) + dt.timedelta(
                hours=rnd.randint(-5, 30))
            project = spec.name.split()[0]
            topic = rnd.choice(TOPICS)
            kind, title = rnd.choice([
                ("conference talk", f"{project}: {topic} | {rnd.choice(CONFS)}"),
                ("short", f"{topic} in 60 seconds #shorts"),
                ("highlights", f"{project} community highlights {d.year}"),
                ("interview", f"Meet the maintainers: {rnd.choice(PEOPLE)} on {project}"),
                ("tutorial", f"{project} tutorial: {topic}"),
            ])
            duration = rnd.randint(20, 59) if kind == "short" else rnd.randint(5 * 60, 40 * 60)
            vid = self._video(title, f"{kind}.", when, None, None, duration)
            self.truth_videos[vid] = {"series": None, "meeting": None, "kind": kind, "title": title,
                                      "traps": [f"published near {mid}"]}

    # ---- output ----------------------------------------------------------------------
    def channel(self) -> dict:
        res = {
            "kind": "youtube#channel", "id": CHANNEL_ID,
            "snippet": {"title": CHANNEL_TITLE, "description": "Community meetings of the foundation's projects.",
                        "customUrl": HANDLE, "publishedAt": "2019-01-10T10:00:00Z", "country": "US",
                        "thumbnails": {"default": {"url": "https://yt3.ggpht.com/orchard=s88", "width": 88,
                                                   "height": 88}},
                        "localized": {"title": CHANNEL_TITLE,
                                      "description": "Community meetings of the foundation's projects."}},
            "contentDetails": {"relatedPlaylists": {"likes": "", "uploads": "UU" + CHANNEL_ID[2:]}},
            "statistics": {"viewCount": "123456", "subscriberCount": "4567", "hiddenSubscriberCount": False,
                           "videoCount": str(len(self.videos))},
        }
        res["etag"] = _etag(res)
        return res

    def playlists(self) -> list[dict]:
        out = []
        for spec in self.specs:
            pid = self.playlist_of.get(spec.id)
            if not pid:
                continue
            res = {"kind": "youtube#playlist", "id": pid,
                   "snippet": {"publishedAt": "2022-12-01T12:00:00Z", "channelId": CHANNEL_ID, "title": spec.name,
                               "description": f"Recordings of the {spec.name}.", "channelTitle": CHANNEL_TITLE,
                               "localized": {"title": spec.name, "description": f"Recordings of the {spec.name}."}},
                   "status": {"privacyStatus": "public"},
                   "contentDetails": {"itemCount": len(self.playlist_videos[pid])}}
            res["etag"] = _etag(res)
            out.append(res)
        return out

    def playlist_items(self) -> list[dict]:
        by_id = {v["id"]: v for v in self.videos}
        uploads = "UU" + CHANNEL_ID[2:]
        newest_first = sorted(self.videos, key=lambda v: v["snippet"]["publishedAt"], reverse=True)
        lists = [(uploads, [v["id"] for v in newest_first])]
        lists += [(pid, sorted(vids, key=lambda v: by_id[v]["snippet"]["publishedAt"]))
                  for pid, vids in self.playlist_videos.items()]
        items = []
        for pid, vids in lists:
            for pos, vid in enumerate(vids):
                sn = by_id[vid]["snippet"]
                item_id = base64.urlsafe_b64encode(f"{pid}.{vid}".encode()).decode().rstrip("=")
                res = {"kind": "youtube#playlistItem", "id": item_id,
                       "snippet": {"publishedAt": sn["publishedAt"], "channelId": CHANNEL_ID, "title": sn["title"],
                                   "description": sn["description"], "thumbnails": sn["thumbnails"],
                                   "channelTitle": CHANNEL_TITLE, "playlistId": pid, "position": pos,
                                   "resourceId": {"kind": "youtube#video", "videoId": vid},
                                   "videoOwnerChannelTitle": CHANNEL_TITLE, "videoOwnerChannelId": CHANNEL_ID},
                       "contentDetails": {"videoId": vid, "videoPublishedAt": sn["publishedAt"]},
                       "status": {"privacyStatus": "public"}}
                res["etag"] = _etag(res)
                items.append(res)
        return items

    def project_text(self, notes_dir: str = "notes") -> str:
        lines = [f"# {CHANNEL_TITLE}: {len(self.specs)} meeting series on one channel (generated, seed {self.seed})",
                 f"channel: {CHANNEL_ID}", "series:"]
        for spec in self.specs:
            lines += [f"  - id: {spec.id}", f"    name: {spec.name}"]
            if spec.id in self.notes:
                lines.append(f"    notes: [{notes_dir}/{spec.id}.md]")
            if spec.id in self.playlist_of:
                lines.append(f"    playlist: {self.playlist_of[spec.id]}")
            lines += [f"    timezone: {spec.tz}", f"    weekday: {DAY_NAMES[spec.weekday]}",
                      f'    time: "{spec.hour:02d}:00"',
                      f"    title_words: [{', '.join(spec.name.lower().split())}]"]
        return "\n".join(lines) + "\n"

    def truth(self) -> dict:
        return {
            "channel_id": CHANNEL_ID, "seed": self.seed,
            "series": [{"id": s.id, "name": s.name, "cadence": s.cadence, "timezone": s.tz, "weekday": s.weekday,
                        "hour": s.hour, "playlist": self.playlist_of.get(s.id), "notes": s.id in self.notes}
                       for s in self.specs],
            "recordings": self.recordings, "no_recording": self.no_recording, "cancelled": self.cancelled,
            "videos": self.truth_videos,
        }

    def write(self, out: str | Path) -> Path:
        out = Path(out)
        (out / "data").mkdir(parents=True, exist_ok=True)
        (out / "notes").mkdir(exist_ok=True)
        files = {"channels": [self.channel()], "playlists": self.playlists(),
                 "playlist_items": self.playlist_items(), "videos": self.videos}
        for name, rows in files.items():
            (out / "data" / f"{name}.json").write_text(json.dumps(rows, indent=1))
        for sid, text in self.notes.items():
            (out / "notes" / f"{sid}.md").write_text(text)
        (out / "meetup-indexer.yml").write_text(self.project_text())
        (out / "truth.json").write_text(json.dumps(self.truth(), indent=1, sort_keys=True))
        return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="folder to write data/, notes/, meetup-indexer.yml and truth.json into")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    f = Foundation(args.seed)
    f.write(args.out)
    print(f"{args.out}: {len(f.specs)} series, {len(f.videos)} videos, {len(f.notes)} notes files, "
          f"{sum(map(len, f.recordings.values()))} recordings")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
