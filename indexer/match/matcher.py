"""Link recordings to meetings, and talks to the moment they start.

Pure: plain data in (see docs/CONTRACTS.md, "Matcher input"), plain dicts out.

Evidence, strongest first: an explicit link in the meeting's notes; a date
(recorded_at, else a date written in the title, file name or description,
else published_at plus an upload lag), always read as a calendar day in the
organiser's time zone; text (agenda titles, presenters, organisations found in
the title, description and chapters). Every pair gets a score that combines
its evidence like independent clues (noisy-OR), then one global pass hands
each recording to at most one meeting, strongest pairs first.
"""
from __future__ import annotations

import bisect
import datetime as dt
import functools
import math
import re
from collections import Counter
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz

from indexer.common.recording_files import MEDIA_SUFFIXES, ZOOM_STEM, zoom_time  # noqa: F401 - the matcher's vocabulary
from indexer.common.times import DEFAULT_TZ, hms, parse_utc  # noqa: F401
from indexer.common.urls import watch_url
from indexer.notes import find_date as _find_date_uncached
from indexer.transcripts.moments import transcript_starts

# a title is read for its date twice in a row (its dates, then its series): the
# regex over every title was a fifth of a match over a whole channel
find_date = functools.lru_cache(maxsize=64)(_find_date_uncached)

# uploads seen weeks after the meeting; beyond this a date alone says nothing
MAX_LAG_DAYS = 30
# below this a pair is not linked at all
MIN_SCORE = 0.3
# links below this confidence, or with a close second meeting, go to the report
LOW_CONFIDENCE = 0.5
AMBIGUOUS_MARGIN = 0.15
# a chapter must score this (0..100) against a talk to be its moment
CHAPTER_MIN_SCORE = 60
# an out-of-order chapter (or a video's title) has to name its talk clearly to be its moment
OUT_OF_ORDER_MIN_SCORE = 85

_MEETING_WORDS = re.compile(
    r"\b(meeting|meetup|sync|call|community|office\s+hours|town\s*hall|stand-?up|weekly|bi-?weekly"
    r"|monthly|zoom|recording|session)\b",
    re.I,
)
_NOT_MEETING_WORDS = re.compile(
    r"\b(kubecon|conference|conf|summit|keynote|webinar|podcast|interview|tutorial|workshop|trailer"
    r"|teaser|highlights?|demo|shorts|explainer|promo)\b|#shorts",
    re.I,
)
# an event's name with its year, or a developers' meeting: a conference talk, even
# when the event calls itself a meeting ("2021 LLVM Dev Mtg", "ROSCon 2022", "OWASP Day 2021")
_CONFERENCE = re.compile(
    r"\b\w*con\s*'?\d{1,4}\b|\b(?:19|20)\d\d\s+\w+\s+dev(?:elopers'?)?\s+(?:mtg|meeting)\b"
    r"|\b(?:summit|conference|symposium)\b"
    r"|\b\w+\s+(?:day|days|fest|camp)\s+(?:19|20)\d\d\b",
    re.I,
)
# "EuroLLVM 2022: Interfaces in MLIR": an event and its year before the talk's title
_EVENT_YEAR = re.compile(r"^\s*[a-z][\w-]*\s+(?:19|20)\d\d\s*:", re.I)
_PART = re.compile(r"\b(?:part|pt\.?)\s*(\d)\b|\((\d)\s*/\s*\d\)|\b(\d)\s*of\s*\d\b", re.I)
_REUPLOAD = re.compile(r"\b(re-?upload(?:ed)?|fixed\s+audio|full\s+recording|v2|corrected|repost(?:ed)?)\b", re.I)
# file names of recordings, where Drive's mimeType does not say (an .avi served as octet-stream)
# the stem Zoom names a cloud recording's files with: GMT + the UTC start
_STREAM = {"completed", "live", "upcoming", "live_stream", "was_live"}
_STOP = set(
    "a an the and or of for to in on at by with from into via how why what we our your is are be using use "
    "intro introduction update updates new part talk demo q qa "
    # labels agenda lines carry beside the topic ("Slides:", "Recording (Part 2):", "Location:")
    "recording recordings slides slide deck presentation location keynote lightning workshop video youtube "
    "link links notes agenda tba tbd".split()
)


# --------------------------------------------------------------------------
# dates

def _zone(tz) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz or DEFAULT_TZ)


def local_date(value, tz) -> dt.date | None:
    d = parse_utc(value)
    return d.astimezone(_zone(tz)).date() if d else None


def _as_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


# numeric dates people put in titles: 2020-02-06, 20200206, 05.03.2020, 06-02-2022, 3/17/2022
_NUMERIC_DATE = re.compile(
    r"(?<![\d.:/-])(?:(?P<y>(?:19|20)\d\d)(?P<s1>[-./]?)(?P<m>\d{1,2})(?P=s1)(?P<d>\d{1,2})"
    r"|(?P<a>\d{1,2})(?P<s2>[-./])(?P<b>\d{1,2})(?P=s2)(?P<y2>(?:19|20)\d\d))(?![\d/-]|\.\d)"
)


def _numeric_dates(text: str, near: dt.date | None):
    """(date, the text as written, where) of the first numeric date in ``text``.

    ``a-b-yyyy`` is month-day in the US and day-month in most other places, and
    a title does not say which: when both readings are dates, the one nearer
    ``near`` (the publication) wins, and without ``near`` a dot means day first.
    """
    for m in _NUMERIC_DATE.finditer(text or ""):
        g = m.group
        options = []
        if g("y"):
            if not g("s1") and (len(g("m")) != 2 or len(g("d")) != 2):
                continue  # 2020123: not a compact date
            options = [(int(g("y")), int(g("m")), int(g("d")))]
        else:
            a, b, y = int(g("a")), int(g("b")), int(g("y2"))
            options = [(y, b, a), (y, a, b)] if g("s2") == "." else [(y, a, b), (y, b, a)]
        dates = []
        for y, mo, d in options:
            try:
                dates.append(dt.date(y, mo, d))
            except ValueError:
                pass
        if not dates:
            continue
        if near is not None and len(dates) > 1:
            dates.sort(key=lambda d: abs((d - near).days))
        return dates[0], m.group(0), m.start()
    return None


def _written_date(text: str, near: dt.date | None):
    """(date, the text as written) of the first date in ``text``; a date
    without a year takes the year that puts it closest to ``near``."""
    numeric = _numeric_dates(text or "", near)
    hit = find_date(text or "")
    if numeric and (hit is None or numeric[2] <= hit.start):
        return numeric[:2]  # the first date written wins
    if hit is None:
        return None
    written = text[hit.start : hit.end].strip()
    if hit.date is not None:
        return hit.date, written
    if near is None:
        return None
    options = []
    for year in (near.year - 1, near.year, near.year + 1):
        try:
            options.append(dt.date(year, hit.month, hit.day))
        except ValueError:
            pass
    if not options:
        return None
    return min(options, key=lambda d: abs((d - near).days)), written


def candidate_dates(c: dict, tz=DEFAULT_TZ) -> dict:
    """The dated evidence a recording carries, each a local calendar day.

    ``recorded``: (date, detail) from recorded_at or a Zoom file name's UTC time;
    ``written``: (date, where, text) a date written in the title / file name / description;
    ``published``: date of publication.
    """
    zone = _zone(tz)
    out: dict = {}
    published = local_date(c.get("published_at"), zone)
    if published:
        out["published"] = published
    rec = parse_utc(c.get("recorded_at"))
    if rec:
        out["recorded"] = (rec.astimezone(zone).date(), f"recorded {rec.astimezone(zone):%Y-%m-%d %H:%M} local")
    else:
        zt = zoom_time(c.get("title") or "") or zoom_time(c.get("path") or "")
        nd = c.get("name_date")
        if not zt and isinstance(nd, str) and len(nd) > 10:
            # the Drive harvester read a time from the name: a UTC instant, like Zoom's
            zt = parse_utc(nd)
        if zt:
            loc = zt.astimezone(zone)
            out["recorded"] = (
                loc.date(),
                f"file name says {zt:%Y-%m-%d %H:%M} UTC ({loc:%Y-%m-%d %H:%M} local)",
            )
    near = published or (out.get("recorded") or (None,))[0]
    for where, text in (("title", c.get("title")), ("path", c.get("path"))):
        w = _written_date(text or "", near)
        if w:
            out["written"] = (w[0], where, w[1])
            break
    else:
        nd = _as_date(c.get("name_date"))
        if nd:
            out["written"] = (nd, "file name", nd.isoformat())
        else:
            w = _written_date(c.get("description") or "", near)
            if w:
                out["written"] = (w[0], "description", w[1])
    return out


def _year_slip(written: dt.date, meeting: dt.date) -> bool:
    """The same month and day a year off."""
    return (written.month, written.day) == (meeting.month, meeting.day) and abs(written.year - meeting.year) == 1


def _days(n: int) -> str:
    words = {0: "the day of", 1: "one day after", 2: "two days after", 3: "three days after"}
    return words.get(n, f"{n} days after") + " the meeting" if n >= 0 else f"{-n} days before the meeting"


# --------------------------------------------------------------------------
# text

def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", (text or "").lower())


def _cand_text(c: dict) -> str:
    parts = [c.get("title") or "", c.get("description") or "", c.get("path") or ""]
    parts += [ch.get("title") or "" for ch in c.get("chapters") or []]
    return "\n".join(parts)


class _TalkIndex:
    """The words that identify each talk: informative title words (not
    stop words, not words most talks share like the project's name),
    presenter names and organisations."""

    def __init__(self, meetings: list[dict], titles_as_topics: bool = False):
        if titles_as_topics:
            # a meeting whose agenda was not found: its heading names its topic
            # ("2023-01-26: Controllable Transformations in MLIR")
            meetings = [m if m.get("talks") else {**m, "talks": _title_topic(m)} for m in meetings]
        talks = [t for m in meetings for t in m.get("talks") or []]
        df = Counter(tok for t in talks for tok in set(_tokens(t.get("title"))))
        common = {tok for tok, n in df.items() if n > max(3, 0.08 * len(talks))}
        self.by_meeting: dict[str, list[dict]] = {}
        for m in meetings:
            rows = []
            for t in m.get("talks") or []:
                words = [w for w in _tokens(t.get("title")) if w not in _STOP and w not in common and len(w) > 2]
                names = [p.get("name") or "" for p in t.get("presenters") or []]
                orgs = {(p.get("org") or "").strip() for p in t.get("presenters") or []} - {""}
                rows.append({"talk": t, "words": words, "names": names, "orgs": orgs})
            self.by_meeting[m["id"]] = rows

    def score(self, meeting_id: str, text: str, toks: set[str]) -> tuple[float, list[str]]:
        """(strength 0..1, what was found) of this meeting's agenda in a recording's text."""
        total, found, seen = 0.0, [], set()
        flat = " " + " ".join(_tokens(text)) + " "
        for row in self.by_meeting.get(meeting_id, []):
            s = _talk_in_text(row, flat, toks)
            # two agenda items on one topic found by the same words count once
            key = frozenset(row["words"]) or row["talk"].get("id")
            if s >= 0.6 and key not in seen:
                seen.add(key)
                total += s
                found.append(row["talk"].get("title") or "")
        return (1 - math.exp(-0.8 * total)) if total else 0.0, found


def _title_topic(m: dict) -> list[dict]:
    title = m.get("title") or ""
    for _ in range(2):
        hit = _written_date(title, m.get("date"))
        if hit and hit[1] in title:
            title = title.replace(hit[1], " ")
    words = [w for w in _tokens(title) if not w.isdigit() and w not in _STOP and len(w) > 2]
    return [{"id": None, "title": title, "presenters": []}] if len(words) >= 2 else []


def _word_found(w: str, toks: set[str]) -> bool:
    if w in toks:
        return True
    if len(w) < 5:
        return False
    return any(len(t) >= 4 and abs(len(t) - len(w)) <= 2 and fuzz.ratio(w, t) >= 85 for t in toks)


def _talk_in_text(row: dict, flat: str, toks: set[str]) -> float:
    score = 0.0
    if row["words"]:
        hits = sum(_word_found(w, toks) for w in row["words"])
        cov = hits / len(row["words"])
        if hits >= min(2, len(row["words"])) and cov >= 0.6:
            score = cov
    for name in row["names"]:
        parts = _tokens(name)
        if len(parts) >= 2 and f" {' '.join(parts)} " in flat:
            score = max(score, 0.8)
        elif parts and len(parts[0]) >= 3 and parts[0] in toks and any(
            set(_tokens(o)) <= toks for o in row["orgs"] if _tokens(o)
        ):
            # a first name alone is weak; with the organisation it names the talk
            score = max(score, 0.7)
    return score


def _chapter_score(row: dict, chapter_title: str) -> float:
    """0..100: does this chapter title name this talk (title words or presenter)?"""
    title = (row["talk"].get("title") or "").lower()
    ch = (chapter_title or "").lower()
    s = fuzz.token_set_ratio(title, ch) if title else 0.0
    # "Egress events" for "Flyte Egress Events": partial matches of the informative words
    toks = set(_tokens(ch))
    if row["words"]:
        hits = sum(_word_found(w, toks) for w in row["words"])
        if not hits:
            # only words every talk shares ("updates"): "London updates" is not "Berlin updates"
            s = min(s, CHAPTER_MIN_SCORE - 1)
        s = max(s, 100.0 * hits / len(row["words"]) if hits else 0.0)
    named = 0.0
    for name in row["names"]:
        parts = _tokens(name)
        if parts and len(parts[0]) >= 3 and parts[0] in toks:
            named = max(named, 75.0 + (10.0 if len(parts) > 1 and parts[-1] in toks else 0.0))
    if named and s >= CHAPTER_MIN_SCORE:
        return min(100.0, s) + 20.0  # title and presenter both: beats either alone
    return max(s, named)


# --------------------------------------------------------------------------
# meeting <-> recording

def _titled_by_talk(c: dict, index: "_TalkIndex", meeting_id: str) -> bool:
    """The video's title is one of the meeting's talks ("Anatomy of Linalg.generic")."""
    title = c.get("title") or ""
    return any(_chapter_score(row, title) >= OUT_OF_ORDER_MIN_SCORE for row in index.by_meeting.get(meeting_id, []))


def _looks_like(c: dict) -> str:
    """``short``, ``meeting``, ``other`` (conference talk, demo...) or ``neutral``."""
    title = f"{c.get('title') or ''} {c.get('path') or ''}"
    dur = c.get("duration_s")
    if dur is not None and 0 < dur <= 60 or "#shorts" in (c.get("title") or "").lower():
        return "short"
    if c.get("source") == "drive" and zoom_time(title):
        return "meeting"
    if _CONFERENCE.search(c.get("title") or "") or (
            _EVENT_YEAR.search(c.get("title") or "") and not _MEETING_WORDS.search(title)):
        return "other"
    if _MEETING_WORDS.search(title):
        return "meeting"
    if _NOT_MEETING_WORDS.search(title):
        return "other"
    return "neutral"


def _pair(m: dict, c: dict, dates: dict, text_s: float, text_found: list[str], best_other_text: float, tz):
    """Score and reasons for one meeting and one recording, or None when impossible."""
    md = m["date"]
    clues: list[tuple[float, str]] = []
    factor = 1.0
    rec = dates.get("recorded")
    if rec:
        delta = (rec[0] - md).days
        if delta == 0:
            clues.append((0.9, rec[1]))
        elif abs(delta) == 1:
            clues.append((0.3, rec[1] + ", a day off"))
        else:
            return None
    written = dates.get("written")
    latest = max([d for d in (dates.get("published"), (rec or (None,))[0]) if d], default=None)
    if written and latest and (written[0] - latest).days > 1 and written[0] != md:
        written = None  # a day after the video was out: a slip, not the day it shows
    if written:
        off = abs((written[0] - md).days)
        if off == 0:
            clues.append((0.85 if written[1] != "description" else 0.7, f"{written[1]} contains '{written[2]}'"))
        elif off == 1:
            # the next or previous day: someone wrote the date in UTC or another zone
            clues.append((0.25, f"{written[1]} says '{written[2]}', a day off"))
        elif _year_slip(written[0], md):
            # "2020-01-08" on the recording of 2021-01-08: the year not updated in January
            clues.append((0.5, f"{written[1]} says '{written[2]}', the meeting's day in another year"))
        else:
            factor *= 0.5
    pub = dates.get("published")
    if pub:
        lag = (pub - md).days
        streamed = (c.get("live_status") or "").lower() in _STREAM
        if lag < 0 and not (streamed and lag >= -14):
            return None
        if lag < 0:
            pass  # a stream scheduled days ahead: its publication says nothing about the day
        elif lag <= MAX_LAG_DAYS:
            clues.append((0.6 * math.exp(-max(lag, 0) / 7), f"published {pub.isoformat()}, {_days(lag)}"))
        elif not clues:
            return None
    if text_s:
        shown = ", ".join(f"'{t}'" for t in text_found[:3])
        clues.append((text_s, f"mentions {shown}"))
    elif best_other_text >= 0.55:
        # the recording names another meeting's talks and none of this one's; a
        # stream's own start or a title date on the meeting's day still outweighs that
        own_day = (rec and rec[0] == md) or (written and written[0] == md and written[1] != "description")
        factor *= 0.7 if own_day else 0.3
    if not clues:
        return None
    miss = 1.0
    for p, _ in clues:
        miss *= 1 - p
    score = (1 - miss) * factor
    reasons = [r for _, r in sorted(clues, key=lambda x: -x[0])]
    if written and abs((written[0] - md).days) > 1:
        reasons.append(f"{written[1]} says '{written[2]}', which does not match")
    return score, reasons


_AUDIO = (".m4a", ".mp3", ".wav", ".ogg", ".aac")


def _kind(c: dict, main: dict | None) -> str:
    if c.get("source") == "drive":
        if (c.get("title") or "").lower().endswith(_AUDIO):
            return "audio"
        return "zoom" if zoom_time(f"{c.get('title') or ''} {c.get('path') or ''}") else "file"
    m = _PART.search(c.get("title") or "")
    if m:
        return "part" + next(g for g in m.groups() if g)
    if main is not None:
        return "reupload"
    return "video"


def _same_recording(a: dict, b: dict) -> bool:
    """A re-upload: the same length (within a few seconds) or said so in the title."""
    if _PART.search(a.get("title") or "") and _PART.search(b.get("title") or ""):
        return True
    za, zb = zoom_time(a.get("title") or ""), zoom_time(b.get("title") or "")
    if za and za == zb:
        return True  # Zoom saves one session as video, audio-only and more, all stamped alike
    da, db_ = a.get("duration_s"), b.get("duration_s")
    if da and db_:
        return abs(da - db_) <= max(5, 0.01 * max(da, db_))
    return bool(_REUPLOAD.search(a.get("title") or ""))


def _series(c: dict) -> str:
    """A title without its dates, numbers and markers: "Flyte Office Hours - Feb 11, 2021" -> "flyte office hours"."""
    title = c.get("title") or ""
    hit = find_date(title)
    if hit:
        title = title[: hit.start] + title[hit.end :]
    title = _REUPLOAD.sub(" ", _PART.sub(" ", title))
    return " ".join(w for w in _tokens(title) if not w.isdigit())


def _typical_length(candidates: list[dict], looks_like=_looks_like) -> float | None:
    """The median length of the videos titled as meetings, once there are a few."""
    lengths = sorted(c["duration_s"] for c in candidates if c.get("source") == "youtube"
                     and (c.get("duration_s") or 0) > 60 and looks_like(c) == "meeting")
    return lengths[len(lengths) // 2] if len(lengths) >= 5 else None


def _channel_words(candidates: list[dict]) -> set[str]:
    """Words in a quarter or more of the channel's video titles ("owasp", "frankfurt"):
    the name its recordings go by."""
    titles = [c for c in candidates if c.get("source") == "youtube" and c.get("title")]
    if len(titles) < 4:
        return set()
    df = Counter(w for c in titles for w in set(_tokens(c["title"])) if len(w) > 2 and not w.isdigit()
                 and w not in _STOP)
    return {w for w, n in df.items() if n >= 0.25 * len(titles)}


def _other_series(candidates: list[dict], meeting_days: set, zone, dates_of=None) -> set[str]:
    """Recurring titles (office hours, another region's sync) the notes do not cover:
    at least three episodes dated in their title, hardly any (a tenth) on a meeting day.
    ``dates_of(c)``: the candidate's ``candidate_dates`` (computed once per match)."""
    seen: dict[str, list[bool]] = {}
    for c in candidates:
        if c.get("source") != "youtube":
            continue
        written = (dates_of(c) if dates_of else candidate_dates(c, zone)).get("written")
        if written and written[1] == "title":
            seen.setdefault(_series(c), []).append(written[0] in meeting_days)
    return {k for k, hits in seen.items() if k and len(hits) >= 3 and sum(hits) <= 0.1 * len(hits)}


class ChannelFacts:
    """What ``match_meetings`` reads from every recording of the channel, gathered one
    recording at a time: the values ``_other_series``, ``_channel_words`` and
    ``_typical_length`` compute from the whole list, and each kept recording's dates.
    ``indexer.sync.matching`` streams a big channel through ``add`` and keeps only the
    recordings that can be linked (``near``), so the channel need not sit in memory."""

    def __init__(self, meetings: list[dict], tz=DEFAULT_TZ):
        self.zone = _zone(tz)
        self.days = sorted({m["date"] for m in meetings if not m.get("cancelled")})
        self._ordinals = [d.toordinal() for d in self.days]  # near() runs once per video: ints, not timedeltas
        self._day_set = set(self.days)
        self._series: dict[str, list[int]] = {}  # title without dates -> [episodes, on a meeting day]
        self._words: Counter = Counter()
        self._titled = 0
        self._lengths: list[int] = []
        self.dates: dict[str, dict] = {}  # recording id -> candidate_dates, of the kept ones

    def add(self, c: dict) -> dict:
        """Count one recording in; returns its ``candidate_dates``."""
        dates = candidate_dates(c, self.zone)
        if c.get("source") == "youtube":
            written = dates.get("written")
            if written and written[1] == "title":
                n = self._series.setdefault(_series(c), [0, 0])
                n[0] += 1
                n[1] += written[0] in self._day_set
            if c.get("title"):
                self._titled += 1
                self._words.update({w for w in _tokens(c["title"]) if len(w) > 2 and not w.isdigit()
                                    and w not in _STOP})
            if (c.get("duration_s") or 0) > 60 and _looks_like(c) == "meeting":
                self._lengths.append(c["duration_s"])
        return dates

    def near(self, dates: dict) -> bool:
        """A meeting lies in the window ``match_meetings`` scores this recording against
        (or it has no date at all, and every meeting does)."""
        anchors = [d for d in (dates.get("published"), (dates.get("recorded") or (None,))[0],
                               (dates.get("written") or (None,))[0]) if d]
        if not anchors:
            return bool(self.days)
        days = self._ordinals
        for a in anchors:
            a = a.toordinal()
            lo = bisect.bisect_left(days, a - (MAX_LAG_DAYS + 1))
            if lo < len(days) and days[lo] <= a + 15:
                return True
        return False

    def other_series(self) -> set[str]:
        return {k for k, (n, hits) in self._series.items() if k and n >= 3 and hits <= 0.1 * n}

    def channel_words(self) -> set[str]:
        if self._titled < 4:
            return set()
        return {w for w, n in self._words.items() if n >= 0.25 * self._titled}

    def typical_length(self) -> float | None:
        lengths = sorted(self._lengths)
        return lengths[len(lengths) // 2] if len(lengths) >= 5 else None


def match_meetings(meetings: list[dict], candidates: list[dict], tz=DEFAULT_TZ, overrides=None,
                   facts: ChannelFacts | None = None) -> list[dict]:
    """Meeting -> recording links: ``[{"meeting_id", "source", "ref", "kind",
    "method", "confidence", "reason", "ambiguous"}]``.

    ``overrides``: ``{"pin": {meeting_id: [ref, ...]}, "forbid": {meeting_id: {ref, ...}}}``.
    """
    zone = _zone(tz)
    overrides = overrides or {}
    pins: dict = overrides.get("pin") or {}
    forbid: dict = overrides.get("forbid") or {}
    by_id = {c["id"]: c for c in candidates}
    mt = {m["id"]: m for m in meetings}
    links: list[dict] = []
    claimed: set[str] = set()
    per_meeting: dict[str, dict[str, dict]] = {}  # meeting -> source -> first recording

    def add(m_id, c, method, confidence, reason, ambiguous=False, kind=None):
        main = per_meeting.setdefault(m_id, {}).get(c["source"])
        links.append(
            {
                "meeting_id": m_id,
                "source": c["source"],
                "ref": c["id"],
                "kind": kind or _kind(c, main),
                "method": method,
                "confidence": round(min(max(confidence, 0.0), 1.0), 3),
                "reason": reason,
                "ambiguous": ambiguous,
            }
        )
        per_meeting[m_id].setdefault(c["source"], c)
        claimed.add(c["id"])

    # 1. overrides and explicit links in the notes: a recording linked from
    #    two meetings' notes belongs to both, as the notes say
    for m in meetings:
        for ref in pins.get(m["id"], []):
            if ref in by_id:
                add(m["id"], by_id[ref], "override", 1.0, "pinned in the overrides file")
    pinned_refs = {(l["meeting_id"], l["ref"]) for l in links}
    for m in meetings:
        done = {ref for mid, ref in pinned_refs if mid == m["id"]}
        for link in m.get("links") or []:
            ref = link.get("ref")
            if ref in by_id and ref not in done and ref not in forbid.get(m["id"], set()):
                done.add(ref)
                add(m["id"], by_id[ref], "link", 1.0, f"linked in the meeting's notes ({link.get('kind')})")

    # 2. everything else by date and text (a video the notes link outside every
    #    meeting, in a list of talks or tutorials, only by its own date)
    index = _TalkIndex(meetings, titles_as_topics=True)
    dated = sorted((m["date"], m["id"]) for m in meetings if not m.get("cancelled"))
    dates_only = [d for d, _ in dated]
    known_dates: dict[int, dict] = {}

    def dates_of(c: dict) -> dict:
        # read twice per candidate (other series, then pairing): the date regexes are most of a match
        if id(c) not in known_dates:
            got = facts.dates.get(c["id"]) if facts else None
            known_dates[id(c)] = got if got is not None else candidate_dates(c, zone)
        return known_dates[id(c)]

    known_looks: dict[int, str] = {}

    def looks_of(c: dict) -> str:
        # up to four times per candidate, five regexes each
        if id(c) not in known_looks:
            known_looks[id(c)] = _looks_like(c)
        return known_looks[id(c)]

    if facts is not None:  # gathered over the whole channel, of which ``candidates`` are the linkable part
        other_series, series_words, typical = facts.other_series(), facts.channel_words(), facts.typical_length()
    else:
        other_series = _other_series(candidates, {d for d, _ in dated}, zone, dates_of)
        series_words = _channel_words(candidates)
        typical = _typical_length(candidates, looks_of)
    pairs, retry = [], []
    named: dict[tuple[str, str], set[str]] = {}  # (video, meeting) -> the talk its title is
    written_of: dict[str, dt.date] = {}
    for c in candidates:
        if c["id"] in claimed or looks_of(c) == "short":
            continue
        dates = dates_of(c)
        if c.get("linked_elsewhere"):
            dates = {k: v for k, v in dates.items() if k == "recorded" or (k == "written" and v[1] != "description")}
            if not dates:
                continue
        if dates.get("written"):
            written_of[c["id"]] = dates["written"][0]
        anchors = [d for d in (dates.get("published"), (dates.get("recorded") or (None,))[0],
                               (dates.get("written") or (None,))[0]) if d]
        window = set()
        for a in anchors:
            lo = bisect.bisect_left(dates_only, a - dt.timedelta(days=MAX_LAG_DAYS + 1))
            hi = bisect.bisect_right(dates_only, a + dt.timedelta(days=15))
            window.update(mid for _, mid in dated[lo:hi])
        if not anchors:
            window = {mid for _, mid in dated}
        if not window:
            continue  # no meeting near any of its dates: nothing to score (most of a big channel)
        text = _cand_text(c)
        toks = set(_tokens(text))
        texts = {mid: index.score(mid, text, toks) for mid in window}
        looks = looks_of(c)
        length = (c.get("duration_s") or typical) / typical if typical and not _PART.search(c.get("title") or "") else 1
        if looks != "other" and length < 0.25:
            looks = "other"  # a premiere or clip minutes long beside hour-long meetings
        # reads like the channel's meetings: meeting words in its title or description,
        # or the channel's own name (in its title too)
        series_like = looks == "meeting" or bool(_MEETING_WORDS.search(c.get("description") or "")) or (
            len(series_words & toks) >= min(2, len(series_words)) > 0
            and bool(series_words & set(_tokens(c.get("title")))))

        def score_all(dates):
            scored = []
            for mid in window:
                if c["id"] in forbid.get(mid, set()):
                    continue
                best_other = max((s for k, (s, _) in texts.items() if k != mid), default=0.0)
                r = _pair(mt[mid], c, dates, texts[mid][0], texts[mid][1], best_other, zone)
                if r is None:
                    continue
                score, reasons = r
                if length < 0.5:
                    # half as long as the channel's meetings: a talk or premiere more likely
                    score *= 0.6
                    reasons = reasons + ["much shorter than the channel's meetings"]
                if not series_like and series_words:
                    score *= 0.75
                    reasons = reasons + ["titled and described unlike the channel's meetings"]
                talks_named = len(texts[mid][1])
                if _series(c) in other_series and talks_named < 2 and "written" not in dates \
                        and "recorded" not in dates:
                    continue  # an undated episode of a series whose dated episodes are never on meeting days
                if looks == "neutral":
                    # no "meeting" in the title: only a written/recorded date, two talks, or
                    # every talk of a one-talk meeting (or a title that is one of its talks)
                    # in a video that reads like the channel's meetings (the same talk
                    # given elsewhere does not)
                    strong = any(reason.startswith(("title contains", "path contains", "file name", "recorded"))
                                 for reason in reasons) or talks_named >= 2
                    whole = talks_named == len(index.by_meeting.get(mid, [])) or _titled_by_talk(c, index, mid)
                    if not strong and not (talks_named and series_like and whole):
                        continue
                elif looks == "other" and talks_named < 2:
                    continue  # a conference talk or demo names one talk at most
                scored.append((score, mid, reasons))
                named[(c["id"], mid)] = set(texts[mid][1]) if _titled_by_talk(c, index, mid) else set()
            scored.sort(key=lambda x: -x[0])
            return [(score, score - max((s for s, k, _ in scored if k != mid), default=0.0), mid, c, reasons)
                    for score, mid, reasons in scored]

        pairs += score_all(dates)
        written = dates.get("written")
        if written and written[1] in ("title", "path"):
            # read again without the written date, in case it was copied from another meeting
            retry += score_all({k: v for k, v in dates.items() if k != "written"})

    pairs.sort(key=lambda p: (-p[0], -p[1], p[2], p[3]["id"]))
    for score, margin, mid, c, reasons in pairs:
        if c["id"] in claimed or score < MIN_SCORE:
            continue
        main = per_meeting.get(mid, {}).get(c["source"])
        kind = None
        if main is not None and not _same_recording(c, main):
            # two agenda items with a video each, titled by its talk
            mine, theirs = named.get((c["id"], mid)), named.get((main["id"], mid))
            if not (mine and theirs and not mine & theirs):
                continue  # the meeting has its recording; this one belongs elsewhere or nowhere
            kind = "video"
        confidence = score * (0.6 + 0.4 * min(1.0, margin / 0.3))
        reason = "; ".join(reasons)
        if main is not None:
            reason += (f"; another talk's video than {main['id']}" if kind else f"; same recording as {main['id']}")
        add(mid, c, "date" if any(r.startswith(("published", "recorded", "title", "path", "file", "description contains"))
                                   for r in reasons[:1]) else "text",
            confidence, reason, ambiguous=margin < AMBIGUOUS_MARGIN, kind=kind)
    # 2b. a title date copied from another meeting that has its own recording
    #     (the previous call's title reused): the video is read again without it
    by_date: dict[dt.date, set[str]] = {}
    for l in links:
        by_date.setdefault(mt[l["meeting_id"]]["date"], set()).add(l["ref"])
    retry.sort(key=lambda p: (-p[0], -p[1], p[2], p[3]["id"]))
    for score, margin, mid, c, reasons in retry:
        if c["id"] in claimed or score < MIN_SCORE or per_meeting.get(mid, {}).get(c["source"]):
            continue
        copied_from = written_of.get(c["id"])
        if not (by_date.get(copied_from, set()) - {c["id"]}):
            continue  # the date it names has no other recording: not a copy
        add(mid, c, "date", score * (0.6 + 0.4 * min(1.0, margin / 0.3)),
            "; ".join(reasons) + f"; the title's {copied_from.isoformat()} is another meeting's, which has its "
            "own recording", ambiguous=margin < AMBIGUOUS_MARGIN)
    # 3. a re-upload too late for its date to speak: same length and title as a linked recording
    # linked videos by length, to find those within 5 s without a scan per candidate
    linked = sorted(
        ((by_id[l["ref"]]["duration_s"], i, l, by_id[l["ref"]]) for i, l in enumerate(links)
         if l["source"] == "youtube" and by_id[l["ref"]].get("duration_s")),
        key=lambda x: (x[0], x[1]),
    )
    lengths = [x[0] for x in linked]
    for c in candidates:
        if c["id"] in claimed or c["source"] != "youtube" or looks_of(c) == "short" or not c.get("duration_s"):
            continue
        title = _REUPLOAD.sub("", c.get("title") or "")
        published = parse_utc(c.get("published_at"))
        near = linked[bisect.bisect_left(lengths, c["duration_s"] - 5): bisect.bisect_right(lengths, c["duration_s"] + 5)]
        same = [
            (l, orig) for _, _, l, orig in near
            if fuzz.token_set_ratio(title.lower(), (orig.get("title") or "").lower()) >= 90
            and not (published and parse_utc(orig.get("published_at")) and published < parse_utc(orig["published_at"]))
        ]
        # only when one recording fits: two candidates would be a guess
        if len({l["meeting_id"] for l, _ in same}) == 1 and c["id"] not in forbid.get(same[0][0]["meeting_id"], set()):
            l, orig = same[0]
            add(l["meeting_id"], c, "duplicate", 0.8 * l["confidence"],
                f"same title and length as {orig['id']}, linked to this meeting", kind="reupload")
    # 4. "Part 2" of a topic published days or a week later (a second session of the
    #    same talk): it belongs to the meeting whose recording bears the same topic
    for c in candidates:
        part = _PART.search(c.get("title") or "")
        if c["id"] in claimed or c["source"] != "youtube" or not part:
            continue
        if int(next(g for g in part.groups() if g)) < 2:
            continue
        topic = _topic_words(c, series_words)
        published = parse_utc(c.get("published_at"))
        if not topic or not published:
            continue
        same = {
            l["meeting_id"] for l in links
            if l["source"] == "youtube" and _jaccard(topic, _topic_words(by_id[l["ref"]], series_words)) >= 0.8
            and parse_utc(by_id[l["ref"]].get("published_at"))
            and dt.timedelta(0) <= published - parse_utc(by_id[l["ref"]]["published_at"]) <= dt.timedelta(days=MAX_LAG_DAYS)
        }
        if len(same) == 1:
            mid = same.pop()
            if c["id"] not in forbid.get(mid, set()):
                add(mid, c, "duplicate", 0.6, "a later part of the same topic as this meeting's recording",
                    kind="part" + next(g for g in part.groups() if g))
    links.sort(key=lambda l: (l["meeting_id"], l["source"], l["kind"], l["ref"]))
    return links


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def _topic_words(c: dict, channel_words: set[str]) -> set[str]:
    """The words of a title that name its topic: not the channel's name, dates, numbers or part markers."""
    return {w for w in _tokens(_series(c)) if w not in channel_words and w not in _STOP and len(w) > 2
            and not _MEETING_WORDS.fullmatch(w)}


# --------------------------------------------------------------------------
# talk -> moment

def align_chapters(scores: list[list[float]], minimum: float = CHAPTER_MIN_SCORE) -> dict[int, int]:
    """Agenda and chapters aligned as sequences: ``{talk index: chapter index}``.

    ``scores[i][j]`` says how well chapter j names talk i (0..120). The best
    monotonic alignment (Needleman-Wunsch with free gaps: talks may be skipped,
    chapters may be intros, breaks or Q&A): one chapter per talk, order kept,
    the sum of the pairs' scores as high as it goes. Only pairs that reach
    ``minimum`` may be aligned.
    """
    n = len(scores)
    m = len(scores[0]) if n else 0
    # best[i][j]: the best total aligning talks[:i] with chapters[:j]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        row, prev = best[i], best[i - 1]
        for j in range(1, m + 1):
            v = max(prev[j], row[j - 1])
            s = scores[i - 1][j - 1]
            if s >= minimum:
                v = max(v, prev[j - 1] + s)
            row[j] = v
    pairs: dict[int, int] = {}
    i, j = n, m
    while i and j:
        s = scores[i - 1][j - 1]
        if s >= minimum and best[i][j] == best[i - 1][j - 1] + s:
            pairs[i - 1] = j - 1
            i, j = i - 1, j - 1
        elif best[i][j] == best[i - 1][j]:
            i -= 1
        else:
            j -= 1
    return pairs

_TIMELINE_ORDER = {"video": 0, "part1": 1, "part2": 2, "part3": 3, "part4": 4, "reupload": 8}


def _timeline(videos: list[dict], by_id: dict) -> list[tuple[str, dict]]:
    """The meeting's chapters in playing order, ``[(video id, chapter)]``: its
    video or parts in turn; a re-upload's only when the original has none
    (the same recording, the same seconds)."""
    own = [r for r in videos if r["kind"] != "reupload"]
    chapters = [(r["ref"], ch) for r in own for ch in by_id[r["ref"]].get("chapters") or []]
    if not chapters:
        for r in videos:
            chs = by_id[r["ref"]].get("chapters") or []
            if chs:
                return [(r["ref"], ch) for ch in chs]
    return chapters


def match_talks(meetings: list[dict], candidates: list[dict], recordings: list[dict], overrides=None,
                transcripts: dict | None = None) -> list[dict]:
    """Talk -> moment links: ``[{"talk_id", "video_id", "start_s", "method",
    "confidence", "reason", "url"}]``. ``overrides``: ``{"talks": {talk_id: (video_id, start_s)}}``.

    Evidence, strongest first: an override; an offset the notes write for the
    talk (a timestamped link on its line, method ``link``; ``noted_start_s``,
    method ``notes_offset``); a chapter, the agenda and the chapters aligned as
    sequences; a transcript (``transcripts``: ``{video_id: [cue dict]}``, cue
    keys start_s, end_s, speaker, text; method ``transcript``, see
    ``transcript_moments``); else the start of the meeting's recording (method
    ``meeting``, 0 s), of the part whose title names the talk when there are parts.
    """
    by_id = {c["id"]: c for c in candidates}
    pinned = (overrides or {}).get("talks") or {}
    index = _TalkIndex(meetings)
    recs: dict[str, list[dict]] = {}
    for r in sorted(recordings, key=lambda r: (_TIMELINE_ORDER.get(r["kind"], 5), -r["confidence"], r["ref"])):
        if r["ref"] in by_id:
            recs.setdefault(r["meeting_id"], []).append(r)
    out = []
    for m in meetings:
        rows = index.by_meeting.get(m["id"], [])
        videos = [r for r in recs.get(m["id"], []) if r["source"] == "youtube"]
        timeline = _timeline(videos, by_id)
        scores = [[_chapter_score(row, ch.get("title") or "") for _, ch in timeline] for row in rows]
        aligned = align_chapters(scores)
        used = set(aligned.values())
        # a talk the sequence had to skip, named clearly by a chapter out of order
        for ti in range(len(rows)):
            if ti in aligned:
                continue
            options = [(s, ci) for ci, s in enumerate(scores[ti]) if ci not in used and s >= OUT_OF_ORDER_MIN_SCORE]
            if options:
                s, ci = max(options, key=lambda o: (o[0], -o[1]))
                aligned[ti] = ci
                used.add(ci)
        said = transcript_starts([row["talk"] for row in rows], [r["ref"] for r in videos], transcripts)
        for ti, row in enumerate(rows):
            talk = row["talk"]
            tid = talk["id"]
            if tid in pinned:
                vid, start = pinned[tid]
                out.append(_talk_link(tid, vid, start, "override", 1.0, "pinned in the overrides file"))
                continue
            # a timestamped video link written on the talk's own agenda line
            line = talk.get("line")
            noted = next((l for l in m.get("links") or [] if line and l.get("line") == line
                          and l.get("kind") == "youtube" and l.get("start_s") is not None), None)
            if noted:
                out.append(_talk_link(tid, noted["ref"], noted["start_s"], "link", 1.0,
                                      f"timestamped link on the talk's agenda line ({hms(noted['start_s'])})"))
                continue
            offset = talk.get("noted_start_s")
            if offset is not None:
                vid = talk.get("noted_video_id") or (videos[0]["ref"] if videos else None)
                # a video nobody harvested (another channel's, a private one) cannot hold the moment
                if vid and by_id.get(vid, {}).get("harvested", True) and vid in by_id:
                    where = "the video the notes name" if talk.get("noted_video_id") else "the meeting's recording"
                    out.append(_talk_link(tid, vid, int(offset), "notes_offset", 0.95,
                                          f"the notes give {hms(int(offset))} in {where} {vid}"))
                    continue
            if ti in aligned:
                ref, ch = timeline[aligned[ti]]
                start = int(ch.get("start_s") or 0)
                out.append(_talk_link(tid, ref, start, "chapter", min(scores[ti][aligned[ti]], 100.0) / 100.0,
                                      f"chapter '{ch.get('title')}' at {hms(start)} of {ref}"))
                continue
            found = said[ti]
            if found and not found.get("skipped"):
                out.append(_talk_link(tid, found["video_id"], found["start_s"], "transcript", found["confidence"],
                                      found["reason"]))
                continue
            if videos:
                r, named = _part_named(row, videos, by_id)
                reason = (f"no chapter names this talk; start of {r['ref']}, the part whose title names it" if named
                          else f"no chapter names this talk; start of the meeting's recording {r['ref']}")
                if found:  # the transcript says the talk was skipped
                    reason += f"; {found['reason']}"
                out.append(_talk_link(tid, r["ref"], 0, "meeting", round(0.5 * r["confidence"], 3), reason))
                continue
            # a Drive-only meeting: the talk's link is the meeting's file (view talks_with_recordings)
    return out


def _part_named(row: dict, videos: list[dict], by_id: dict) -> tuple[dict, bool]:
    """The recording a talk without a chapter starts in: of a meeting recorded in
    parts (or a video per talk), the one whose title names the talk, and no other's does."""
    if len(videos) > 1:
        named = [r for r in videos if _chapter_score(row, by_id[r["ref"]].get("title") or "") >= OUT_OF_ORDER_MIN_SCORE]
        if len(named) == 1:
            return named[0], True
    return videos[0], False


def _talk_link(tid, vid, start, method, confidence, reason) -> dict:
    return {
        "talk_id": tid,
        "video_id": vid,
        "start_s": int(start or 0),
        "method": method,
        "confidence": round(confidence, 3),
        "reason": reason,
        "url": watch_url(vid, start),
    }


def match(meetings: list[dict], candidates: list[dict], tz=DEFAULT_TZ, overrides=None, transcripts=None,
          facts: ChannelFacts | None = None) -> dict:
    """Both passes: ``{"recordings": [...], "talk_recordings": [...]}``."""
    recordings = match_meetings(meetings, candidates, tz=tz, overrides=overrides, facts=facts)
    talks = match_talks(meetings, candidates, recordings, overrides=overrides, transcripts=transcripts)
    return {"recordings": recordings, "talk_recordings": talks}


def meetings_from_notes(notes) -> list[dict]:
    """Matcher input from parsed notes (``indexer.notes.Notes``); talk ids as ``db.save_notes`` makes them."""
    from indexer.notes.model import talk_id

    out = []
    for m in notes.meetings:
        used: set[str] = set()
        talks = []
        for t in m.talks:
            tid = talk_id(m.id, t.title, used)
            talks.append({"id": tid, "title": t.title, "line": t.line,
                          "presenters": [{"name": p.name, "org": p.org} for p in t.presenters],
                          # offsets the notes write for the talk (parsers that know them set these)
                          "noted_start_s": getattr(t, "noted_start_s", None),
                          "noted_video_id": getattr(t, "noted_video_id", None)})
        out.append({
            "id": m.id, "date": m.date, "title": m.title, "cancelled": m.cancelled,
            "links": [{"kind": l.kind, "ref": l.ref, "start_s": l.start_s, "line": l.line} for l in m.links],
            "talks": talks,
        })
    return out
