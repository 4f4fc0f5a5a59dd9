"""Recordings to meetings: what the whole channel says (``ChannelFacts``: other series, channel words,
typical length) and ``match_meetings``, which scores every near pair with ``evidence`` and hands each
recording to at most one meeting, strongest pairs first, then adds parts and re-uploads. Pure.
"""

import bisect
import datetime as dt
from collections import Counter

from rapidfuzz import fuzz

from indexer.common.times import DEFAULT_TZ, parse_utc
from indexer.match.evidence import (
    AMBIGUOUS_MARGIN, MAX_LAG_DAYS, MIN_SCORE, _MEETING_WORDS, _PART, _REUPLOAD, _STOP, _TalkIndex, _cand_text, _kind,
    _looks_like, _pair, _same_recording, _series, _titled_by_talk, _tokens, _zone, candidate_dates,
)


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
