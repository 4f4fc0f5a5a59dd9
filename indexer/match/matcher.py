"""Link recordings to meetings, and talks to the moment they start: ``match``, the matcher's entry.

Recordings to meetings are ``recordings.match_meetings`` (its evidence in ``evidence``); talks to
moments are here (``match_talks``, ``align_chapters``).

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

# read as matcher.X by the database side and the benches
from indexer.common.recording_files import MEDIA_SUFFIXES  # noqa: F401
from indexer.common.times import DEFAULT_TZ, hms, parse_utc  # noqa: F401
from indexer.common.urls import watch_url
from indexer.transcripts.moments import transcript_starts

# names callers read as matcher.X: the thresholds and the steps they tune
from indexer.match.evidence import (  # noqa: F401
    CHAPTER_MIN_SCORE, LOW_CONFIDENCE, MAX_LAG_DAYS, OUT_OF_ORDER_MIN_SCORE, PART, REUPLOAD, TalkIndex, chapter_score,
    candidate_dates,
)
from indexer.match.recordings import ChannelFacts, match_meetings  # noqa: F401


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
    index = TalkIndex(meetings)
    recs: dict[str, list[dict]] = {}
    for r in sorted(recordings, key=lambda r: (_TIMELINE_ORDER.get(r["kind"], 5), -r["confidence"], r["ref"])):
        if r["ref"] in by_id:
            recs.setdefault(r["meeting_id"], []).append(r)
    out = []
    for m in meetings:
        rows = index.by_meeting.get(m["id"], [])
        videos = [r for r in recs.get(m["id"], []) if r["source"] == "youtube"]
        timeline = _timeline(videos, by_id)
        scores = [[chapter_score(row, ch.get("title") or "") for _, ch in timeline] for row in rows]
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
        named = [r for r in videos if chapter_score(row, by_id[r["ref"]].get("title") or "") >= OUT_OF_ORDER_MIN_SCORE]
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
