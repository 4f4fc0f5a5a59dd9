"""Which series a recording belongs to, among many series on one channel. Pure.

A foundation's channel carries the recordings of many recurring meetings. Before
a recording can be matched to a meeting it must be given to one series, by the
evidence a person would use, strongest first:

* an explicit link to the video in the series' notes;
* the series' own playlist (or Drive folder) holding it;
* its title words, weighted like IDF: a word only one series uses ("storage")
  says much, a word most series share ("community", "meeting", "sync") little;
* when it was streamed (or the date its title gives), read in the series' own
  time zone, against the series' usual weekday and hour, and the dates its notes
  hold.

Each clue is a probability; a series' score combines its clues like independent
evidence (noisy-OR), a clear contradiction (streamed on another weekday) damps it,
and a recording goes to the best series only when that is clearly ahead of the
next one. ``match_series`` then runs the single-series matcher (``indexer.match.matcher``)
per series on what each was given, and keeps each recording in at most one series.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from indexer.match.matcher import candidate_dates
from indexer.common.times import parse_utc

# a series is chosen only at this score, and this far ahead of the next one
MIN_SCORE = 0.6
MARGIN = 0.2
# an unassigned recording is offered to the matchers of its best series only from this score
MIN_CONTENDER = 0.3
# two series' matchers both linking an unassigned recording: the surer keeps it only this far ahead
CLAIM_MARGIN = 0.1
# how much each clue is worth on its own
P_LINK = 0.99
P_PLAYLIST = 0.97
P_FOLDER = 0.95
P_WORDS = 0.9  # every distinctive word of the series in the title
P_STREAM_SLOT = 0.75  # streamed on the usual weekday within an hour of the usual time
P_NOTES_DATE = 0.55  # streamed (or titled) on a date the series' notes hold
P_WEEKDAY = 0.35  # a date in the title on the usual weekday
P_AGENDA = 0.8  # the title names a talk of a meeting in its notes, near its date
AGENDA_DAYS = 30
# title words this close to a series' own name contradict another series' playlist
STRONG_WORDS = 0.85
# a stream on another weekday, or hours away from the usual time, is strong evidence against
DAMP_OFF_SLOT = 0.25
# a title whose words are another series' and not this one's: the floor of the damping
DAMP_OTHER_WORDS = 0.2
# titles with less IDF mass than this carry too few known words to count against a series
MIN_TITLE_WEIGHT = 1.0
SLOT_HOURS = 1.5

_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    return _WORD.findall((text or "").lower())


@dataclass
class Series:
    """What the assignment knows of a series (from the project file and its notes)."""

    id: str
    name: str = ""
    timezone: str = "UTC"
    weekday: int | None = None  # 0 = Monday
    hour: int | None = None
    minute: int = 0
    title_words: list[str] = field(default_factory=list)
    playlist: str | None = None
    drive_folder: str | None = None
    linked: set[str] = field(default_factory=set)  # video / file ids its notes link
    dates: set[dt.date] = field(default_factory=set)  # meeting dates its notes hold
    agenda: dict[dt.date, list[str]] = field(default_factory=dict)  # talk titles per meeting date

    def vocabulary(self) -> set[str]:
        return set(self.title_words or words(self.name))


@dataclass
class Assignment:
    series_id: str
    evidence: list[str]
    confidence: float

    def __iter__(self):  # (series_id, evidence, confidence)
        return iter((self.series_id, self.evidence, self.confidence))


class Assigner:
    """Assign recordings to series. Build once per set of series (the word weights
    depend on all of them), then call ``assign`` per recording."""

    def __init__(self, series: list[Series]):
        self.series = list(series)
        self.zones = {s.id: ZoneInfo(s.timezone or "UTC") for s in self.series}
        vocab = {s.id: s.vocabulary() for s in self.series}
        df = Counter(w for v in vocab.values() for w in v)
        n = len(self.series)
        # log((n+1)/df): a word in every series still weighs a little, never zero
        self.idf = {w: math.log((n + 1) / c) for w, c in df.items()}
        self.vocab = vocab
        self.norm = {sid: math.sqrt(sum(self.idf[w] ** 2 for w in v)) for sid, v in vocab.items()}

    def title_weight(self, toks: set[str]) -> float:
        """How much the title says about series at all: the IDF norm of its known words."""
        return math.sqrt(sum(self.idf[w] ** 2 for w in toks if w in self.idf))

    def foreign_share(self, sid: str, toks: set[str]) -> float:
        """The share (0..1, IDF-weighted) of the title's known words that are not this series' words."""
        total = sum(self.idf[w] ** 2 for w in toks if w in self.idf)
        if not total:
            return 0.0
        foreign = sum(self.idf[w] ** 2 for w in toks if w in self.idf and w not in self.vocab[sid])
        return math.sqrt(foreign / total)

    def word_score(self, sid: str, toks: set[str]) -> tuple[float, list[str]]:
        """Cosine between the title's known words and the series' words, IDF-weighted:
        1 when the title has exactly this series' words, less when it lacks one of them
        or carries another series' distinctive word."""
        title_norm = self.title_weight(toks)
        if not title_norm or not self.norm.get(sid):
            return 0.0, []
        shared = toks & self.vocab[sid]
        if not shared:
            return 0.0, []
        dot = sum(self.idf[w] ** 2 for w in shared)
        return dot / (self.norm[sid] * title_norm), sorted(shared)

    def scores(self, video: dict) -> list[tuple[float, str, list[str], bool, float]]:
        """(score, series id, evidence, its own list holds it, title word score) for every
        series with any evidence, best first."""
        vid = video.get("id")
        playlists = set(video.get("playlists") or ())
        folders = set(video.get("folders") or ())
        toks = set(words(video.get("title") or ""))
        speaks = self.title_weight(toks) >= MIN_TITLE_WEIGHT
        stream = parse_utc(video.get("recorded_at")) if video.get("source", "youtube") == "youtube" else None
        out = []
        for s in self.series:
            hard: list[float] = []  # the series' own lists: links, playlist, folder
            soft: list[float] = []  # words, dates, times
            ev: list[str] = []
            damp = 1.0
            if vid and vid in s.linked:
                hard.append(P_LINK)
                ev.append("linked in the series' notes")
            if s.playlist and s.playlist in playlists:
                hard.append(P_PLAYLIST)
                ev.append(f"in playlist {s.playlist}")
            if s.drive_folder and s.drive_folder in folders:
                hard.append(P_FOLDER)
                ev.append(f"in Drive folder {s.drive_folder}")
            w, found = self.word_score(s.id, toks)
            if w >= 0.5:
                soft.append(P_WORDS * w * w)
                ev.append(f"title words {', '.join(found)} ({w:.2f})")
            talk = _agenda_in_title(s, video) if s.agenda else None
            if talk:
                soft.append(P_AGENDA)
                ev.append(f"title names {talk[1]!r}, on the agenda of {talk[0]}")
            elif speaks:
                # "Atlas Community Call" is not SIG Storage's, whatever day it was streamed
                damp *= 1 - (1 - DAMP_OTHER_WORDS) * self.foreign_share(s.id, toks)
            zone = self.zones[s.id]
            if stream is not None:
                local = stream.astimezone(zone)
                if s.weekday is not None or s.hour is not None:
                    on_day = s.weekday is None or local.weekday() == s.weekday
                    on_time = s.hour is None or _hours_apart(local, s.hour, s.minute) <= SLOT_HOURS
                    if on_day and on_time:
                        soft.append(P_STREAM_SLOT)
                        ev.append(f"streamed {local:%a %H:%M} {s.timezone}, its usual slot")
                    else:
                        damp *= DAMP_OFF_SLOT
                        ev.append(f"streamed {local:%a %H:%M} {s.timezone}, not its usual slot")
                if s.dates and local.date() in s.dates:
                    soft.append(P_NOTES_DATE)
                    ev.append(f"streamed on {local.date()}, a meeting in its notes")
            else:
                written = candidate_dates(video, zone).get("written")
                if written:
                    day = written[0]
                    if s.weekday is not None:
                        if day.weekday() == s.weekday:
                            soft.append(P_WEEKDAY)
                            ev.append(f"dated {day} ({day:%a}), its usual weekday")
                        else:
                            damp *= DAMP_OFF_SLOT
                            ev.append(f"dated {day} ({day:%a}), not its usual weekday")
                    if s.dates and day in s.dates:
                        soft.append(P_NOTES_DATE)
                        ev.append(f"dated {day}, a meeting in its notes")
            if not hard and not soft:
                continue
            # the series' own lists are not weakened by what the title or the clock say
            p_soft = (1 - math.prod(1 - p for p in soft)) * damp
            score = 1 - math.prod(1 - p for p in hard) * (1 - p_soft)
            out.append((score, s.id, ev, bool(hard), w))
        out.sort(key=lambda x: -x[0])
        return out

    def assign(self, video: dict, ranked: list | None = None) -> Assignment | None:
        """The series of one recording, or None when no series is clearly its own."""
        ranked = self.scores(video) if ranked is None else ranked
        # the notes' own link decides, when only one series' notes link it
        linking = [r for r in ranked if video.get("id") in next(s for s in self.series if s.id == r[1]).linked]
        if len(linking) == 1:
            return Assignment(linking[0][1], linking[0][2], round(max(linking[0][0], P_LINK), 3))
        if not ranked or ranked[0][0] < MIN_SCORE:
            return None
        best, sid, ev, own_list, _ = ranked[0]
        second = ranked[1][0] if len(ranked) > 1 else 0.0
        # only this series' playlist (or folder) holds it and no other series' words name it:
        # its own list decides, whatever the clock says of the others
        decided = own_list and not any(r[3] or r[4] >= STRONG_WORDS for r in ranked[1:])
        if best - second < MARGIN and not decided:
            return None
        return Assignment(sid, ev, round(best, 3))


def _norm(text: str) -> str:
    return " ".join(words(text))


def _agenda_in_title(s: Series, video: dict) -> tuple[dt.date, str] | None:
    """(meeting date, talk title) of a talk in the series' notes, at most AGENDA_DAYS before the
    video's date, whose title the video's title holds."""
    when = parse_utc(video.get("recorded_at")) or parse_utc(video.get("published_at"))
    title = f" {_norm(video.get('title') or '')} "
    if when is None or len(title) < 6:
        return None
    day = when.date()
    for d, talks in s.agenda.items():
        if -1 <= (day - d).days <= AGENDA_DAYS:
            for t in talks:
                n = _norm(t)
                if len(n) >= 6 and f" {n} " in title:
                    return d, t
    return None


def _hours_apart(local: dt.datetime, hour: int, minute: int) -> float:
    usual = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return abs((local - usual).total_seconds()) / 3600


def assign(video: dict, series: list[Series]) -> tuple[str, list[str], float] | None:
    """One recording against many series: ``(series_id, evidence, confidence)`` or None."""
    a = Assigner(series).assign(video)
    return tuple(a) if a else None


def match_series(series: list[Series], meetings: dict[str, list[dict]], candidates: list[dict],
                 overrides: dict | None = None, transcripts=None) -> dict:
    """Recordings to meetings across series.

    ``meetings``: series id -> matcher meetings (``indexer.match.matcher`` input, ids already
    unique across series). Each series' matcher sees the recordings assigned to it and
    those assigned to none; a recording two series' matchers both take stays with the
    one more confident of it. Returns ``{"recordings", "talk_recordings", "series"}``,
    ``series`` mapping every assigned recording id to its ``Assignment``.
    """
    from indexer.match.matcher import match

    assigner = Assigner(series)
    assigned: dict[str, Assignment] = {}
    # a recording pinned to a meeting in the overrides belongs to that meeting's series
    series_of_meeting = {m["id"]: sid for sid, ms in meetings.items() for m in ms}
    pinned = {ref: series_of_meeting[mid] for mid, refs in ((overrides or {}).get("pin") or {}).items()
              if mid in series_of_meeting for ref in refs}
    # an unassigned recording goes to the matchers of the series close to the best one
    # (or to all when no series has any claim on it)
    contenders: dict[str, set[str] | None] = {}
    series_score: dict[str, dict[str, float]] = {}  # unassigned recording -> series -> assignment score
    for c in candidates:
        if c["id"] in pinned:
            assigned[c["id"]] = Assignment(pinned[c["id"]], ["pinned in the overrides"], 1.0)
            continue
        ranked = assigner.scores(c)
        a = assigner.assign(c, ranked)
        if a:
            assigned[c["id"]] = a
        elif ranked and ranked[0][0] >= MIN_CONTENDER and _beyond_words(ranked[0][2]):
            contenders[c["id"]] = {r[1] for r in ranked if r[0] >= ranked[0][0] - MARGIN}
            series_score[c["id"]] = {r[1]: r[0] for r in ranked}
        elif ranked or assigner.title_weight(set(words(c.get("title") or ""))) >= MIN_TITLE_WEIGHT:
            contenders[c["id"]] = set()  # its words name series, none of them clearly: no one's
        else:
            contenders[c["id"]] = None  # a title that names no series: any series' matcher may take it
    by_series: dict[str, dict] = {}
    for s in series:
        tz = s.timezone or "UTC"
        own = [c for c in candidates if c["id"] in assigned and assigned[c["id"]].series_id == s.id]
        result = match(meetings.get(s.id, []), own, tz=tz, overrides=overrides, transcripts=transcripts)
        # then the unassigned recordings this series contends for: matched beside its own
        # (so they cannot take a meeting from its own recording), keeping only their links
        pool = [c for c in candidates if c["id"] not in assigned
                and (contenders[c["id"]] is None or s.id in contenders[c["id"]])]
        if pool and meetings.get(s.id):
            more = match(meetings[s.id], own + pool, tz=tz, overrides=overrides, transcripts=transcripts)
            extra = {c["id"] for c in pool}
            result["recordings"] += [r for r in more["recordings"] if r["ref"] in extra]
            result["talk_recordings"] += [t for t in more["talk_recordings"] if t["video_id"] in extra]
        by_series[s.id] = result
    # a recording assigned to none may be taken by several series' matchers: it stays with the
    # surest, and with none when another series is nearly as sure
    owner: dict[str, tuple[float, str]] = {}
    claims: dict[str, dict[str, float]] = {}
    for sid, result in by_series.items():
        for r in result["recordings"]:
            ref = r["ref"]
            if ref in assigned:
                owner[ref] = (2.0, assigned[ref].series_id)
            else:
                # the matcher's confidence in the meeting, weighed by how well the series fits
                fit = series_score[ref].get(sid, 0.0) if ref in series_score else 1.0
                mine = claims.setdefault(ref, {})
                mine[sid] = max(mine.get(sid, 0.0), r["confidence"] * fit)
    for ref, by in claims.items():
        ranked = sorted(by.items(), key=lambda kv: -kv[1])
        if len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= CLAIM_MARGIN:
            owner[ref] = (ranked[0][1], ranked[0][0])
        else:
            owner[ref] = (0.0, "")  # no one's
    recordings, talks = [], []
    for sid, result in by_series.items():
        kept = [r for r in result["recordings"] if owner[r["ref"]][1] == sid]
        recordings.extend(kept)
        videos = {r["ref"] for r in kept}
        talks.extend(t for t in result["talk_recordings"] if t["video_id"] in videos)
    recordings.extend(_own_list_dated(series, meetings, candidates, assigned, recordings))
    return {"recordings": recordings, "talk_recordings": talks, "series": assigned}


def _beyond_words(evidence: list[str]) -> bool:
    """Some clue besides title words (a highlights reel shares a series' words, not its day)."""
    return any(not e.startswith("title words") and "not its usual" not in e for e in evidence)


def _own_list_dated(series: list[Series], meetings: dict[str, list[dict]], candidates: list[dict],
                    assigned: dict[str, Assignment], recordings: list[dict]) -> list[dict]:
    """A recording its series' own playlist, folder or notes hold, which the matcher left
    unlinked (a title naming only the talks), dated on the day of a meeting of that series
    that has no recording: that meeting's."""
    linked = {r["ref"] for r in recordings}
    found = {r["meeting_id"] for r in recordings}
    zones = {s.id: s.timezone or "UTC" for s in series}
    by_day = {(sid, m["date"]): m for sid, ms in meetings.items() for m in ms if not m.get("cancelled")}
    out = []
    for c in candidates:
        a = assigned.get(c["id"])
        if not a or c["id"] in linked or not any(e.startswith(("in playlist", "in Drive folder", "linked in"))
                                                  for e in a.evidence):
            continue
        dates = candidate_dates(c, zones[a.series_id])
        day = (dates.get("recorded") or dates.get("written") or (None,))[0]
        m = by_day.get((a.series_id, day))
        if m is None or m["id"] in found:
            continue
        found.add(m["id"])
        out.append({"meeting_id": m["id"], "source": c["source"], "ref": c["id"], "kind": "video",
                    "method": "date", "confidence": round(min(a.confidence, 0.8), 3),
                    "reason": f"the series' own list holds it ({a.evidence[0]}); dated {day}, the day of "
                              f"this meeting", "ambiguous": False})
    return out


def series_profile(cfg, notes: list) -> Series:
    """A ``project.SeriesConfig`` and its parsed notes (``notes.Notes``) -> ``Series``."""
    linked = {l.ref for n in notes for m in n.meetings for l in m.links if l.kind in ("youtube", "drive_file")}
    dates = {m.date for n in notes for m in n.meetings if not m.cancelled}
    agenda: dict = {}
    for n in notes:
        for m in n.meetings:
            if not m.cancelled and m.talks:
                agenda.setdefault(m.date, []).extend(t.title for t in m.talks)
    return Series(agenda=agenda, id=cfg.id, name=cfg.name, timezone=cfg.timezone or "UTC", weekday=cfg.weekday, hour=cfg.hour,
                  minute=cfg.minute, title_words=list(cfg.title_words), playlist=cfg.playlist,
                  drive_folder=cfg.drive_folder, linked=linked, dates=dates)


def series_meetings(series_id: str, notes: list) -> list[dict]:
    """Matcher meetings of one series, ids keyed by series (``flyte-contributors/2024-06-06``);
    two files of one series on one date keep both meetings (``.../2024-06-06-2``)."""
    from indexer.match.matcher import meetings_from_notes

    out, seen = [], set()
    for n in notes:
        for m in meetings_from_notes(n):
            mid = f"{series_id}/{m['id']}"
            while mid in seen:
                mid += "-2"
            seen.add(mid)
            prefix = m["id"]
            m = dict(m, id=mid, talks=[dict(t, id=mid + t["id"][len(prefix):]) for t in m["talks"]])
            out.append(m)
    return out


def series_input(project, load_notes=None) -> tuple[list[Series], dict[str, list[dict]]]:
    """Every series of a ``project.Project`` with its matcher meetings. ``load_notes(path)``
    returns the ``Notes`` of one notes entry (a file, a folder: several); by default read from disk."""
    if load_notes is None:
        def load_notes(path):
            from indexer.notes.files import expand_notes_paths, load_notes as load_one

            return [load_one(p) for p, _ in expand_notes_paths([path])]
    series, meetings = [], {}
    for cfg in project.series:
        notes = []
        for path in cfg.notes:
            got = load_notes(path)
            notes.extend(got if isinstance(got, list) else [got])
        series.append(series_profile(cfg, notes))
        meetings[cfg.id] = series_meetings(cfg.id, notes)
    return series, meetings
