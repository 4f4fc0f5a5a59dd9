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
    AMBIGUOUS_MARGIN, MAX_LAG_DAYS, MIN_SCORE, MEETING_WORDS, PART, REUPLOAD, STOP_WORDS, TalkIndex, cand_text, recording_kind,
    looks_like, pair_evidence, same_recording, series_key, titled_by_talk, word_tokens, zone_of, candidate_dates,
)


def _typical_length(candidates: list[dict], looks_of=looks_like) -> float | None:
    """The median length of the videos titled as meetings, once there are a few."""
    lengths = sorted(c["duration_s"] for c in candidates if c.get("source") == "youtube"
                     and (c.get("duration_s") or 0) > 60 and looks_of(c) == "meeting")
    return lengths[len(lengths) // 2] if len(lengths) >= 5 else None


def _channel_words(candidates: list[dict]) -> set[str]:
    """Words in a quarter or more of the channel's video titles ("owasp", "frankfurt"):
    the name its recordings go by."""
    titles = [c for c in candidates if c.get("source") == "youtube" and c.get("title")]
    if len(titles) < 4:
        return set()
    df = Counter(w for c in titles for w in set(word_tokens(c["title"])) if len(w) > 2 and not w.isdigit()
                 and w not in STOP_WORDS)
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
            seen.setdefault(series_key(c), []).append(written[0] in meeting_days)
    return {k for k, hits in seen.items() if k and len(hits) >= 3 and sum(hits) <= 0.1 * len(hits)}


class ChannelFacts:
    """What ``match_meetings`` reads from every recording of the channel, gathered one
    recording at a time: the values ``_other_series``, ``_channel_words`` and
    ``_typical_length`` compute from the whole list, and each kept recording's dates.
    ``indexer.sync.matching`` streams a big channel through ``add`` and keeps only the
    recordings that can be linked (``near``), so the channel need not sit in memory."""

    def __init__(self, meetings: list[dict], tz=DEFAULT_TZ):
        self.zone = zone_of(tz)
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
                n = self._series.setdefault(series_key(c), [0, 0])
                n[0] += 1
                n[1] += written[0] in self._day_set
            if c.get("title"):
                self._titled += 1
                self._words.update({w for w in word_tokens(c["title"]) if len(w) > 2 and not w.isdigit()
                                    and w not in STOP_WORDS})
            if (c.get("duration_s") or 0) > 60 and looks_like(c) == "meeting":
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


class Linking:
    """The links made so far and what they claim: each step of ``match_meetings`` adds to it.
    A recording is claimed once; ``per_meeting`` keeps each meeting's first recording per
    source, against which a later one is a part, a re-upload or another talk's video."""

    def __init__(self, meetings: list[dict], candidates: list[dict], overrides: dict | None):
        overrides = overrides or {}
        self.pins: dict = overrides.get("pin") or {}
        self.forbid: dict = overrides.get("forbid") or {}
        self.by_id = {c["id"]: c for c in candidates}
        self.meetings = {m["id"]: m for m in meetings}
        self.links: list[dict] = []
        self.claimed: set[str] = set()
        self.per_meeting: dict[str, dict[str, dict]] = {}  # meeting -> source -> first recording

    def forbidden(self, meeting_id: str, ref: str) -> bool:
        return ref in self.forbid.get(meeting_id, set())

    def main_recording(self, meeting_id: str, source: str) -> dict | None:
        return self.per_meeting.get(meeting_id, {}).get(source)

    def add(self, m_id, c, method, confidence, reason, ambiguous=False, kind=None):
        main = self.per_meeting.setdefault(m_id, {}).get(c["source"])
        self.links.append(
            {
                "meeting_id": m_id,
                "source": c["source"],
                "ref": c["id"],
                "kind": kind or recording_kind(c, main),
                "method": method,
                "confidence": round(min(max(confidence, 0.0), 1.0), 3),
                "reason": reason,
                "ambiguous": ambiguous,
            }
        )
        self.per_meeting[m_id].setdefault(c["source"], c)
        self.claimed.add(c["id"])


class Reading:
    """What scoring reads of the channel once: each candidate's dates and look (memoised,
    the date regexes are most of a match), the meetings by date, the notes' talk index,
    and the channel-wide facts (other series, the channel's words, typical length)."""

    def __init__(self, meetings: list[dict], candidates: list[dict], zone, facts: ChannelFacts | None):
        self.zone = zone
        self.facts = facts
        self.index = TalkIndex(meetings, titles_as_topics=True)
        self.dated = sorted((m["date"], m["id"]) for m in meetings if not m.get("cancelled"))
        self.dates_only = [d for d, _ in self.dated]
        self._dates: dict[int, dict] = {}
        self._looks: dict[int, str] = {}
        if facts is not None:  # gathered over the whole channel, of which ``candidates`` are the linkable part
            self.other_series, self.series_words = facts.other_series(), facts.channel_words()
            self.typical = facts.typical_length()
        else:
            self.other_series = _other_series(candidates, set(self.dates_only), zone, self.dates_of)
            self.series_words = _channel_words(candidates)
            self.typical = _typical_length(candidates, self.looks_of)

    def dates_of(self, c: dict) -> dict:
        # read twice per candidate (other series, then pairing)
        if id(c) not in self._dates:
            got = self.facts.dates.get(c["id"]) if self.facts else None
            self._dates[id(c)] = got if got is not None else candidate_dates(c, self.zone)
        return self._dates[id(c)]

    def looks_of(self, c: dict) -> str:
        # up to four times per candidate, five regexes each
        if id(c) not in self._looks:
            self._looks[id(c)] = looks_like(c)
        return self._looks[id(c)]

    def window(self, dates: dict) -> set[str]:
        """The meetings near any of a recording's dates (every meeting when it has none)."""
        anchors = [d for d in (dates.get("published"), (dates.get("recorded") or (None,))[0],
                               (dates.get("written") or (None,))[0]) if d]
        if not anchors:
            return {mid for _, mid in self.dated}
        window = set()
        for a in anchors:
            lo = bisect.bisect_left(self.dates_only, a - dt.timedelta(days=MAX_LAG_DAYS + 1))
            hi = bisect.bisect_right(self.dates_only, a + dt.timedelta(days=15))
            window.update(mid for _, mid in self.dated[lo:hi])
        return window


class Scored:
    """Every scored (recording, meeting) pair, as ``(score, margin, meeting_id, recording, reasons)``;
    ``retry``: the same read again without a title or path date; ``named``: the talks a
    recording's title names, per meeting; ``written_of``: the date written in each recording."""

    def __init__(self):
        self.pairs: list[tuple] = []
        self.retry: list[tuple] = []
        self.named: dict[tuple[str, str], set[str]] = {}  # (video, meeting) -> the talk its title is
        self.written_of: dict[str, dt.date] = {}


def match_meetings(meetings: list[dict], candidates: list[dict], tz=DEFAULT_TZ, overrides=None,
                   facts: ChannelFacts | None = None) -> list[dict]:
    """Meeting -> recording links: ``[{"meeting_id", "source", "ref", "kind",
    "method", "confidence", "reason", "ambiguous"}]``.

    ``overrides``: ``{"pin": {meeting_id: [ref, ...]}, "forbid": {meeting_id: {ref, ...}}}``.
    """
    linking = Linking(meetings, candidates, overrides)
    link_pinned_and_noted(linking, meetings)
    reading = Reading(meetings, candidates, zone_of(tz), facts)
    scored = score_candidates(linking, reading, candidates)
    take_best_pairs(linking, scored)
    take_copied_title_dates(linking, scored)
    add_reuploads(linking, reading, candidates)
    add_later_parts(linking, reading, candidates)
    linking.links.sort(key=lambda l: (l["meeting_id"], l["source"], l["kind"], l["ref"]))
    return linking.links


def link_pinned_and_noted(linking: Linking, meetings: list[dict]) -> None:
    """Step 1: overrides, then explicit links in the notes (a recording linked from two
    meetings' notes belongs to both, as the notes say)."""
    by_id = linking.by_id
    for m in meetings:
        for ref in linking.pins.get(m["id"], []):
            if ref in by_id:
                linking.add(m["id"], by_id[ref], "override", 1.0, "pinned in the overrides file")
    pinned_refs = {(l["meeting_id"], l["ref"]) for l in linking.links}
    for m in meetings:
        done = {ref for mid, ref in pinned_refs if mid == m["id"]}
        for link in m.get("links") or []:
            ref = link.get("ref")
            if ref in by_id and ref not in done and not linking.forbidden(m["id"], ref):
                done.add(ref)
                linking.add(m["id"], by_id[ref], "link", 1.0, f"linked in the meeting's notes ({link.get('kind')})")


def score_candidates(linking: Linking, reading: Reading, candidates: list[dict]) -> Scored:
    """Step 2: every unclaimed recording scored against the meetings near its dates (a video
    the notes link outside every meeting, in a list of talks or tutorials, only by its own date)."""
    scored = Scored()
    for c in candidates:
        if c["id"] in linking.claimed or reading.looks_of(c) == "short":
            continue
        dates = reading.dates_of(c)
        if c.get("linked_elsewhere"):
            dates = {k: v for k, v in dates.items() if k == "recorded" or (k == "written" and v[1] != "description")}
            if not dates:
                continue
        if dates.get("written"):
            scored.written_of[c["id"]] = dates["written"][0]
        window = reading.window(dates)
        if not window:
            continue  # no meeting near any of its dates: nothing to score (most of a big channel)
        pair = _CandidatePairs(linking, reading, scored, c, window)
        scored.pairs += pair.score_all(dates)
        written = dates.get("written")
        if written and written[1] in ("title", "path"):
            # read again without the written date, in case it was copied from another meeting
            scored.retry += pair.score_all({k: v for k, v in dates.items() if k != "written"})
    return scored


class _CandidatePairs:
    """One recording against the meetings of its window: what it reads like (its look,
    length beside the channel's meetings, whether it reads like the channel's series)
    and each meeting's text score, then ``score_all`` under a given set of its dates."""

    def __init__(self, linking: Linking, reading: Reading, scored: Scored, c: dict, window: set[str]):
        self.linking, self.reading, self.scored, self.c, self.window = linking, reading, scored, c, window
        text = cand_text(c)
        toks = set(word_tokens(text))
        self.texts = {mid: reading.index.score(mid, text, toks) for mid in window}
        looks = reading.looks_of(c)
        typical = reading.typical
        self.length = (c.get("duration_s") or typical) / typical if typical and not PART.search(c.get("title") or "") else 1
        if looks != "other" and self.length < 0.25:
            looks = "other"  # a premiere or clip minutes long beside hour-long meetings
        self.looks = looks
        series_words = reading.series_words
        # reads like the channel's meetings: meeting words in its title or description,
        # or the channel's own name (in its title too)
        self.series_like = looks == "meeting" or bool(MEETING_WORDS.search(c.get("description") or "")) or (
            len(series_words & toks) >= min(2, len(series_words)) > 0
            and bool(series_words & set(word_tokens(c.get("title")))))

    def score_all(self, dates: dict) -> list[tuple]:
        c, texts, index, reading = self.c, self.texts, self.reading.index, self.reading
        found = []
        for mid in self.window:
            if self.linking.forbidden(mid, c["id"]):
                continue
            best_other = max((s for k, (s, _) in texts.items() if k != mid), default=0.0)
            r = pair_evidence(self.linking.meetings[mid], c, dates, texts[mid][0], texts[mid][1], best_other,
                              reading.zone)
            if r is None:
                continue
            score, reasons = r
            if self.length < 0.5:
                # half as long as the channel's meetings: a talk or premiere more likely
                score *= 0.6
                reasons = reasons + ["much shorter than the channel's meetings"]
            if not self.series_like and reading.series_words:
                score *= 0.75
                reasons = reasons + ["titled and described unlike the channel's meetings"]
            talks_named = len(texts[mid][1])
            if series_key(c) in reading.other_series and talks_named < 2 and "written" not in dates \
                    and "recorded" not in dates:
                continue  # an undated episode of a series whose dated episodes are never on meeting days
            if self.looks == "neutral":
                # no "meeting" in the title: only a written/recorded date, two talks, or
                # every talk of a one-talk meeting (or a title that is one of its talks)
                # in a video that reads like the channel's meetings (the same talk
                # given elsewhere does not)
                strong = any(reason.startswith(("title contains", "path contains", "file name", "recorded"))
                             for reason in reasons) or talks_named >= 2
                whole = talks_named == len(index.by_meeting.get(mid, [])) or titled_by_talk(c, index, mid)
                if not strong and not (talks_named and self.series_like and whole):
                    continue
            elif self.looks == "other" and talks_named < 2:
                continue  # a conference talk or demo names one talk at most
            found.append((score, mid, reasons))
            self.scored.named[(c["id"], mid)] = set(texts[mid][1]) if titled_by_talk(c, index, mid) else set()
        found.sort(key=lambda x: -x[0])
        return [(score, score - max((s for s, k, _ in found if k != mid), default=0.0), mid, c, reasons)
                for score, mid, reasons in found]


def _confidence(score: float, margin: float) -> float:
    return score * (0.6 + 0.4 * min(1.0, margin / 0.3))


def take_best_pairs(linking: Linking, scored: Scored) -> None:
    """Step 2a: each recording to at most one meeting, strongest pairs first; a second
    recording of a linked meeting only as another talk's video."""
    scored.pairs.sort(key=lambda p: (-p[0], -p[1], p[2], p[3]["id"]))
    for score, margin, mid, c, reasons in scored.pairs:
        if c["id"] in linking.claimed or score < MIN_SCORE:
            continue
        main = linking.main_recording(mid, c["source"])
        kind = None
        if main is not None and not same_recording(c, main):
            # two agenda items with a video each, titled by its talk
            mine, theirs = scored.named.get((c["id"], mid)), scored.named.get((main["id"], mid))
            if not (mine and theirs and not mine & theirs):
                continue  # the meeting has its recording; this one belongs elsewhere or nowhere
            kind = "video"
        reason = "; ".join(reasons)
        if main is not None:
            reason += (f"; another talk's video than {main['id']}" if kind else f"; same recording as {main['id']}")
        linking.add(mid, c, "date" if any(r.startswith(("published", "recorded", "title", "path", "file",
                                                       "description contains")) for r in reasons[:1]) else "text",
                    _confidence(score, margin), reason, ambiguous=margin < AMBIGUOUS_MARGIN, kind=kind)


def take_copied_title_dates(linking: Linking, scored: Scored) -> None:
    """Step 2b: a title date copied from another meeting that has its own recording (the
    previous call's title reused): the video is read again without it."""
    by_date: dict[dt.date, set[str]] = {}
    for l in linking.links:
        by_date.setdefault(linking.meetings[l["meeting_id"]]["date"], set()).add(l["ref"])
    scored.retry.sort(key=lambda p: (-p[0], -p[1], p[2], p[3]["id"]))
    for score, margin, mid, c, reasons in scored.retry:
        if c["id"] in linking.claimed or score < MIN_SCORE or linking.main_recording(mid, c["source"]):
            continue
        copied_from = scored.written_of.get(c["id"])
        if not (by_date.get(copied_from, set()) - {c["id"]}):
            continue  # the date it names has no other recording: not a copy
        linking.add(mid, c, "date", _confidence(score, margin),
                    "; ".join(reasons) + f"; the title's {copied_from.isoformat()} is another meeting's, which has "
                    "its own recording", ambiguous=margin < AMBIGUOUS_MARGIN)


def add_reuploads(linking: Linking, reading: Reading, candidates: list[dict]) -> None:
    """Step 3: a re-upload too late for its date to speak: same length and title as a linked recording."""
    by_id = linking.by_id
    # linked videos by length, to find those within 5 s without a scan per candidate
    linked = sorted(
        ((by_id[l["ref"]]["duration_s"], i, l, by_id[l["ref"]]) for i, l in enumerate(linking.links)
         if l["source"] == "youtube" and by_id[l["ref"]].get("duration_s")),
        key=lambda x: (x[0], x[1]),
    )
    lengths = [x[0] for x in linked]
    for c in candidates:
        if c["id"] in linking.claimed or c["source"] != "youtube" or reading.looks_of(c) == "short" \
                or not c.get("duration_s"):
            continue
        title = REUPLOAD.sub("", c.get("title") or "")
        published = parse_utc(c.get("published_at"))
        near = linked[bisect.bisect_left(lengths, c["duration_s"] - 5): bisect.bisect_right(lengths, c["duration_s"] + 5)]
        same = [
            (l, orig) for _, _, l, orig in near
            if fuzz.token_set_ratio(title.lower(), (orig.get("title") or "").lower()) >= 90
            and not (published and parse_utc(orig.get("published_at")) and published < parse_utc(orig["published_at"]))
        ]
        # only when one recording fits: two candidates would be a guess
        if len({l["meeting_id"] for l, _ in same}) == 1 and not linking.forbidden(same[0][0]["meeting_id"], c["id"]):
            l, orig = same[0]
            linking.add(l["meeting_id"], c, "duplicate", 0.8 * l["confidence"],
                        f"same title and length as {orig['id']}, linked to this meeting", kind="reupload")


def add_later_parts(linking: Linking, reading: Reading, candidates: list[dict]) -> None:
    """Step 4: "Part 2" of a topic published days or a week later (a second session of the
    same talk) belongs to the meeting whose recording bears the same topic."""
    by_id, series_words = linking.by_id, reading.series_words
    for c in candidates:
        part = PART.search(c.get("title") or "")
        if c["id"] in linking.claimed or c["source"] != "youtube" or not part:
            continue
        if int(next(g for g in part.groups() if g)) < 2:
            continue
        topic = _topic_words(c, series_words)
        published = parse_utc(c.get("published_at"))
        if not topic or not published:
            continue
        same = {
            l["meeting_id"] for l in linking.links
            if l["source"] == "youtube" and _jaccard(topic, _topic_words(by_id[l["ref"]], series_words)) >= 0.8
            and parse_utc(by_id[l["ref"]].get("published_at"))
            and dt.timedelta(0) <= published - parse_utc(by_id[l["ref"]]["published_at"]) <= dt.timedelta(days=MAX_LAG_DAYS)
        }
        if len(same) == 1:
            mid = same.pop()
            if not linking.forbidden(mid, c["id"]):
                linking.add(mid, c, "duplicate", 0.6, "a later part of the same topic as this meeting's recording",
                            kind="part" + next(g for g in part.groups() if g))


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def _topic_words(c: dict, channel_words: set[str]) -> set[str]:
    """The words of a title that name its topic: not the channel's name, dates, numbers or part markers."""
    return {w for w in word_tokens(series_key(c)) if w not in channel_words and w not in STOP_WORDS and len(w) > 2
            and not MEETING_WORDS.fullmatch(w)}


# --------------------------------------------------------------------------
# talk -> moment
