"""The matcher's evidence, read from one recording and one meeting: the dates a recording carries
(recorded, written in its title, file name or description, published plus a lag) as calendar days in
the organiser's zone; the words it shares with an agenda; what kind of recording it looks like; and the
pair's combined score (noisy-OR). Pure: plain dicts in, numbers and reasons out.
"""

import datetime as dt
import functools
import math
import re
from collections import Counter
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz

from indexer.common.recording_files import zoom_time
from indexer.common.times import DEFAULT_TZ, parse_utc
from indexer.notes import find_date as _find_date_uncached

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

MEETING_WORDS = re.compile(
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
PART = re.compile(r"\b(?:part|pt\.?)\s*(\d)\b|\((\d)\s*/\s*\d\)|\b(\d)\s*of\s*\d\b", re.I)
REUPLOAD = re.compile(r"\b(re-?upload(?:ed)?|fixed\s+audio|full\s+recording|v2|corrected|repost(?:ed)?)\b", re.I)
# file names of recordings, where Drive's mimeType does not say (an .avi served as octet-stream)
# the stem Zoom names a cloud recording's files with: GMT + the UTC start
_STREAM = {"completed", "live", "upcoming", "live_stream", "was_live"}
STOP_WORDS = set(
    "a an the and or of for to in on at by with from into via how why what we our your is are be using use "
    "intro introduction update updates new part talk demo q qa "
    # labels agenda lines carry beside the topic ("Slides:", "Recording (Part 2):", "Location:")
    "recording recordings slides slide deck presentation location keynote lightning workshop video youtube "
    "link links notes agenda tba tbd".split()
)


# --------------------------------------------------------------------------
# dates

def zone_of(tz) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz or DEFAULT_TZ)


def local_date(value, tz) -> dt.date | None:
    d = parse_utc(value)
    return d.astimezone(zone_of(tz)).date() if d else None


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
    zone = zone_of(tz)
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

def word_tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", (text or "").lower())


def cand_text(c: dict) -> str:
    parts = [c.get("title") or "", c.get("description") or "", c.get("path") or ""]
    parts += [ch.get("title") or "" for ch in c.get("chapters") or []]
    return "\n".join(parts)


class TalkIndex:
    """The words that identify each talk: informative title words (not
    stop words, not words most talks share like the project's name),
    presenter names and organisations."""

    def __init__(self, meetings: list[dict], titles_as_topics: bool = False):
        if titles_as_topics:
            # a meeting whose agenda was not found: its heading names its topic
            # ("2023-01-26: Controllable Transformations in MLIR")
            meetings = [m if m.get("talks") else {**m, "talks": _title_topic(m)} for m in meetings]
        talks = [t for m in meetings for t in m.get("talks") or []]
        df = Counter(tok for t in talks for tok in set(word_tokens(t.get("title"))))
        common = {tok for tok, n in df.items() if n > max(3, 0.08 * len(talks))}
        self.by_meeting: dict[str, list[dict]] = {}
        for m in meetings:
            rows = []
            for t in m.get("talks") or []:
                words = [w for w in word_tokens(t.get("title")) if w not in STOP_WORDS and w not in common and len(w) > 2]
                names = [p.get("name") or "" for p in t.get("presenters") or []]
                orgs = {(p.get("org") or "").strip() for p in t.get("presenters") or []} - {""}
                rows.append({"talk": t, "words": words, "names": names, "orgs": orgs})
            self.by_meeting[m["id"]] = rows

    def score(self, meeting_id: str, text: str, toks: set[str]) -> tuple[float, list[str]]:
        """(strength 0..1, what was found) of this meeting's agenda in a recording's text."""
        total, found, seen = 0.0, [], set()
        flat = " " + " ".join(word_tokens(text)) + " "
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
    words = [w for w in word_tokens(title) if not w.isdigit() and w not in STOP_WORDS and len(w) > 2]
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
        parts = word_tokens(name)
        if len(parts) >= 2 and f" {' '.join(parts)} " in flat:
            score = max(score, 0.8)
        elif parts and len(parts[0]) >= 3 and parts[0] in toks and any(
            set(word_tokens(o)) <= toks for o in row["orgs"] if word_tokens(o)
        ):
            # a first name alone is weak; with the organisation it names the talk
            score = max(score, 0.7)
    return score


def chapter_score(row: dict, chapter_title: str) -> float:
    """0..100: does this chapter title name this talk (title words or presenter)?"""
    title = (row["talk"].get("title") or "").lower()
    ch = (chapter_title or "").lower()
    s = fuzz.token_set_ratio(title, ch) if title else 0.0
    # "Egress events" for "Flyte Egress Events": partial matches of the informative words
    toks = set(word_tokens(ch))
    if row["words"]:
        hits = sum(_word_found(w, toks) for w in row["words"])
        if not hits:
            # only words every talk shares ("updates"): "London updates" is not "Berlin updates"
            s = min(s, CHAPTER_MIN_SCORE - 1)
        s = max(s, 100.0 * hits / len(row["words"]) if hits else 0.0)
    named = 0.0
    for name in row["names"]:
        parts = word_tokens(name)
        if parts and len(parts[0]) >= 3 and parts[0] in toks:
            named = max(named, 75.0 + (10.0 if len(parts) > 1 and parts[-1] in toks else 0.0))
    if named and s >= CHAPTER_MIN_SCORE:
        return min(100.0, s) + 20.0  # title and presenter both: beats either alone
    return max(s, named)


# --------------------------------------------------------------------------
# meeting <-> recording

def titled_by_talk(c: dict, index: "TalkIndex", meeting_id: str) -> bool:
    """The video's title is one of the meeting's talks ("Anatomy of Linalg.generic")."""
    title = c.get("title") or ""
    return any(chapter_score(row, title) >= OUT_OF_ORDER_MIN_SCORE for row in index.by_meeting.get(meeting_id, []))


def looks_like(c: dict) -> str:
    """``short``, ``meeting``, ``other`` (conference talk, demo...) or ``neutral``."""
    title = f"{c.get('title') or ''} {c.get('path') or ''}"
    dur = c.get("duration_s")
    if dur is not None and 0 < dur <= 60 or "#shorts" in (c.get("title") or "").lower():
        return "short"
    if c.get("source") == "drive" and zoom_time(title):
        return "meeting"
    if _CONFERENCE.search(c.get("title") or "") or (
            _EVENT_YEAR.search(c.get("title") or "") and not MEETING_WORDS.search(title)):
        return "other"
    if MEETING_WORDS.search(title):
        return "meeting"
    if _NOT_MEETING_WORDS.search(title):
        return "other"
    return "neutral"


def pair_evidence(m: dict, c: dict, dates: dict, text_s: float, text_found: list[str], best_other_text: float, tz):
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


def recording_kind(c: dict, main: dict | None) -> str:
    if c.get("source") == "drive":
        if (c.get("title") or "").lower().endswith(_AUDIO):
            return "audio"
        return "zoom" if zoom_time(f"{c.get('title') or ''} {c.get('path') or ''}") else "file"
    m = PART.search(c.get("title") or "")
    if m:
        return "part" + next(g for g in m.groups() if g)
    if main is not None:
        return "reupload"
    return "video"


def same_recording(a: dict, b: dict) -> bool:
    """A re-upload: the same length (within a few seconds) or said so in the title."""
    if PART.search(a.get("title") or "") and PART.search(b.get("title") or ""):
        return True
    za, zb = zoom_time(a.get("title") or ""), zoom_time(b.get("title") or "")
    if za and za == zb:
        return True  # Zoom saves one session as video, audio-only and more, all stamped alike
    da, db_ = a.get("duration_s"), b.get("duration_s")
    if da and db_:
        return abs(da - db_) <= max(5, 0.01 * max(da, db_))
    return bool(REUPLOAD.search(a.get("title") or ""))


def series_key(c: dict) -> str:
    """A title without its dates, numbers and markers: "Flyte Office Hours - Feb 11, 2021" -> "flyte office hours"."""
    title = c.get("title") or ""
    hit = find_date(title)
    if hit:
        title = title[: hit.start] + title[hit.end :]
    title = REUPLOAD.sub(" ", PART.sub(" ", title))
    return " ".join(w for w in word_tokens(title) if not w.isdigit())


