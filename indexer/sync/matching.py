"""The database side of matching: read the notes and harvested tables, run
the pure matcher (``indexer.match.matcher``), replace ``recordings`` and
``talk_recordings`` in one transaction, and report what needs a human.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import sqlite_utils

from indexer.match import matcher
from indexer.series import db as seriesdb
from indexer.common.urls import find_links
from indexer.notes.overrides import Overrides, load_overrides, validate
from indexer.store.db import TZ_ENV, default_tz  # noqa: F401 - read here by report and match
from indexer.transcripts.store import TranscriptCues

LOW_CONFIDENCE = matcher.LOW_CONFIDENCE


def create_tables(db: sqlite_utils.Database) -> None:
    """The link tables (declared in ``indexer/store/schema.py``); every match replaces their rows."""
    from indexer.store.schema import create

    create(db, "match")


def _meetings(db: sqlite_utils.Database) -> list[dict]:
    """The matcher's meetings, with their talks, presenters and links."""
    presenters: dict[str, list[dict]] = {}
    for row in db.query(
        "select tp.talk_id, people.name, organizations.name as org from talk_presenters tp "
        "join people on people.id = tp.person_id "
        "left join organizations on organizations.id = tp.organization_id order by tp.talk_id, tp.position"
    ):
        presenters.setdefault(row["talk_id"], []).append({"name": row["name"], "org": row["org"]})
    talks: dict[str, list[dict]] = {}
    # offsets written in the notes: columns of newer databases only
    talk_cols = set(db["talks"].columns_dict)
    noted = ", ".join(c if c in talk_cols else f"null as {c}" for c in ("noted_start_s", "noted_video_id"))
    for row in db.query(f"select id, meeting_id, title, line, {noted} from talks order by meeting_id, position"):
        talks.setdefault(row["meeting_id"], []).append(
            {"id": row["id"], "title": row["title"], "line": row["line"], "presenters": presenters.get(row["id"], []),
             "noted_start_s": row["noted_start_s"], "noted_video_id": row["noted_video_id"]}
        )
    links: dict[str, list[dict]] = {}
    for row in db.query("select meeting_id, kind, ref, start_s, line from meeting_links order by line"):
        links.setdefault(row["meeting_id"], []).append(
            {"kind": row["kind"], "ref": row["ref"], "start_s": row["start_s"], "line": row["line"]}
        )
    return [
        {
            "id": row["id"],
            "date": dt.date.fromisoformat(row["date"]),
            "title": row["title"],
            "cancelled": bool(row["cancelled"]),
            "links": links.get(row["id"], []),
            "talks": talks.get(row["id"], []),
        }
        for row in db.query("select id, date, title, cancelled from meetings order by date")
    ]


def _video_rows(db: sqlite_utils.Database, linked: set[str], where: str = "", params=()):
    """(rowid, candidate without chapters) of every video the matcher may link, in table order."""
    if "videos" not in db.table_names():
        return
    removed = "removed_at" if "removed_at" in db["videos"].columns_dict else "null"
    for row in db.query(
        f"select rowid, id, title, description, published_at, recorded_at, duration_s, live_status, "
        f"{removed} as removed_at from videos {where} order by rowid", params
    ):
        # a video gone from the channel only keeps the links the notes wrote
        if row["removed_at"] and row["id"] not in linked:
            continue
        yield row["rowid"], {
            "source": "youtube", "id": row["id"], "title": row["title"] or "",
            "description": row["description"] or "", "recorded_at": row["recorded_at"],
            "published_at": row["published_at"], "name_date": None,
            "chapters": [], "duration_s": row["duration_s"],
            "live_status": row["live_status"], "path": None,
        }


def _drive_rows(db: sqlite_utils.Database, linked: set[str]):
    if "drive_files" not in db.table_names():
        return
    for row in db.query(
        "select id, name, path, mime_type, duration_s, created_time, name_date, removed_at from drive_files"
    ):
        name = row["name"] or ""
        is_media = (row["mime_type"] or "").startswith(("video/", "audio/")) or name.lower().endswith(
            matcher.MEDIA_SUFFIXES)
        if not is_media or (row["removed_at"] and row["id"] not in linked):
            continue
        yield {
            "source": "drive", "id": row["id"], "title": name, "description": "",
            "recorded_at": None,
            # the upload to Drive plays the part of YouTube's publication date
            "published_at": row["created_time"], "name_date": row["name_date"],
            "chapters": [], "duration_s": row["duration_s"], "live_status": None,
            "path": row["path"],
        }


def _add_chapters(db: sqlite_utils.Database, candidates: list[dict]) -> None:
    """Each YouTube candidate's chapters, read for these candidates only (in chunks of ids)."""
    if "chapters" not in db.table_names():
        return
    by_id = {c["id"]: c for c in candidates if c["source"] == "youtube"}
    ids = list(by_id)
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        marks = ", ".join("?" for _ in chunk)
        for row in db.query(f"select video_id, start_s, end_s, title from chapters where video_id in ({marks}) "
                            "order by video_id, start_s", chunk):
            by_id[row["video_id"]]["chapters"].append(
                {"start_s": row["start_s"], "end_s": row["end_s"], "title": row["title"]})


def _finish(db: sqlite_utils.Database, meetings: list[dict], candidates: list[dict]) -> list[dict]:
    """Chapters, the ``linked_elsewhere`` marks, and the notes' own links nobody harvested."""
    _add_chapters(db, candidates)
    linked = {l["ref"] for m in meetings for l in m["links"]}
    # videos the notes link outside every meeting (lists of talks, tutorials)
    elsewhere = _linked_outside_meetings(db, linked)
    for c in candidates:
        if c["id"] in elsewhere:
            c["linked_elsewhere"] = True
    # the notes' own links count even before (or without) a harvest: private
    # videos never reach the uploads playlist
    known = {c["id"] for c in candidates}
    for m in meetings:
        for l in m["links"]:
            source = {"youtube": "youtube", "drive_file": "drive"}.get(l["kind"])
            if source and l["ref"] not in known:
                known.add(l["ref"])
                candidates.append({
                    "source": source, "id": l["ref"], "title": "", "description": "", "recorded_at": None,
                    "published_at": None, "name_date": None, "chapters": [], "duration_s": None,
                    "live_status": None, "path": None, "harvested": False,
                })
    return candidates


def load_input(db: sqlite_utils.Database) -> tuple[list[dict], list[dict]]:
    """Matcher input (docs/CONTRACTS.md) from the database: (meetings, candidates), every recording."""
    meetings = _meetings(db)
    linked = {l["ref"] for m in meetings for l in m["links"]}
    candidates = [c for _, c in _video_rows(db, linked)] + list(_drive_rows(db, linked))
    return meetings, _finish(db, meetings, candidates)


def load_linkable(db: sqlite_utils.Database, tz: str, wanted: set[str] = frozenset()):
    """Matcher input of one series, streamed: (meetings, candidates, ``match.ChannelFacts``).

    Every recording passes through the facts once (its dates read once); kept are only
    those ``match_meetings`` can link: near a meeting's date, linked in the notes, named
    in ``wanted`` (the overrides). Re-uploads and later parts of what these link are found
    by ``reachable``. Memory follows the meetings, not the channel's size."""
    meetings = _meetings(db)
    linked = {l["ref"] for m in meetings for l in m["links"]}
    facts = matcher.ChannelFacts(meetings, tz)
    candidates: list[dict] = []
    for rowid, c in _video_rows(db, linked):
        dates = facts.add(c)
        if c["id"] in linked or c["id"] in wanted or facts.near(dates):
            facts.dates[c["id"]] = dates
            c["rowid"] = rowid
            candidates.append(c)
    for c in _drive_rows(db, linked):
        dates = facts.add(c)
        if c["id"] in linked or c["id"] in wanted or facts.near(dates):
            facts.dates[c["id"]] = dates
            candidates.append(c)
    return meetings, _finish(db, meetings, candidates), facts


def reachable(db: sqlite_utils.Database, candidates: list[dict], recordings: list[dict]) -> list[dict]:
    """The videos ``load_linkable`` left out that the matcher's last two steps link through
    one of ``recordings`` (its links over the kept ``candidates``), by the same tests: a
    re-upload (not a short, the same length within 5 s and title, not published before it),
    or a later part published within MAX_LAG_DAYS after one (repeated: a part 3 after a part 2).
    Those steps only add links: steps before them see the same links with or without these."""
    import bisect

    from rapidfuzz import fuzz

    if "videos" not in db.table_names():
        return []
    have = {c["id"] for c in candidates}
    by_id = {c["id"]: c for c in candidates}
    refs = {r["ref"] for r in recordings if r["source"] == "youtube" and r["ref"] in by_id}
    by_length = sorted((by_id[r]["duration_s"], matcher.parse_utc(by_id[r]["published_at"]),
                        (by_id[r]["title"] or "").lower()) for r in refs if by_id[r]["duration_s"])
    lengths = [x[0] for x in by_length]
    published = sorted(p for p in (matcher.parse_utc(by_id[r]["published_at"]) for r in refs) if p)
    lag = dt.timedelta(days=matcher.MAX_LAG_DAYS)
    linked = {l["ref"] for l in recordings}  # notes' links are all among the candidates already
    found: set[str] = set()
    parts: list[tuple[str, dt.datetime]] = []
    removed = "removed_at" if "removed_at" in db["videos"].columns_dict else "null"
    for vid, title, length, pub, gone in db.execute(
            f"select id, title, duration_s, published_at, {removed} from videos"):
        if vid in have or (gone and vid not in linked):
            continue
        p = matcher.parse_utc(pub)
        short = length is not None and 0 < length <= 60 or "#shorts" in (title or "").lower()
        if length and not short:
            near = by_length[bisect.bisect_left(lengths, length - 5): bisect.bisect_right(lengths, length + 5)]
            mine = matcher.REUPLOAD.sub("", title or "").lower()
            if any(not (p and op and p < op) and fuzz.token_set_ratio(mine, ot) >= 90 for _, op, ot in near):
                found.add(vid)
                if p:
                    bisect.insort(published, p)
                continue
        if p and matcher.PART.search(title or ""):
            parts.append((vid, p))
    grew = True
    while grew:  # a part reached makes the next part reachable
        grew = False
        for vid, p in parts:
            i = bisect.bisect_left(published, p - lag)
            if vid not in found and i < len(published) and published[i] <= p:
                found.add(vid)
                bisect.insort(published, p)
                grew = True
    more: list[tuple[int, dict]] = []
    ids = sorted(found)
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        more += _video_rows(db, set(), f"where id in ({', '.join('?' for _ in chunk)})", chunk)
    out = []
    for rowid, c in more:
        c["rowid"] = rowid
        out.append(c)
    _add_chapters(db, out)
    return out


def _linked_outside_meetings(db: sqlite_utils.Database, in_meetings: set[str]) -> set[str]:
    """YouTube ids the synced notes files link but no meeting's section holds,
    as the sync stored them (``notes_files.videos_elsewhere``). A file synced
    before they were stored is read again where it was synced from (skipped if
    it moved), until the next sync stores its list."""
    if "notes_files" not in db.table_names():
        return set()
    out: set[str] = set()
    stored = "videos_elsewhere" if "videos_elsewhere" in db["notes_files"].columns_dict else "null"
    for row in db.query(f"select path, {stored} as videos_elsewhere from notes_files"):
        if row["videos_elsewhere"] is not None:
            out.update(_ids(row["videos_elsewhere"]))
            continue
        path = Path(row["path"] or "")
        files = sorted(path.rglob("*.md")) if path.is_dir() else [path]
        for f in files:
            try:
                text = f.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            out.update(l.ref for l in find_links(text) if l.kind == "youtube")
    return out - in_meetings


def _ids(value: str) -> list[str]:
    try:
        ids = json.loads(value)
    except ValueError:
        return []
    return [i for i in ids if isinstance(i, str)] if isinstance(ids, list) else []


def run_match(db: sqlite_utils.Database, overrides: str | None = None, tz: str | None = None,
              overrides_required: bool = False) -> dict:
    """Recompute every link; returns counts. Raises OverrideError on a bad overrides file."""
    # remembered, so the sync after `match --timezone Asia/Tokyo` keeps reading Tokyo days
    tz = tz or default_tz(db)
    ov: Overrides = load_overrides(overrides, required=overrides_required)
    if seriesdb.series_count(db) > 1:
        meetings, candidates = load_input(db)
        facts = None
    else:
        # one series: only the recordings that can be linked are held (a big channel streams through)
        wanted = {ref for refs in (*ov.pins.values(), *ov.forbids.values()) for ref, _ in refs}
        wanted |= {vid for vid, _, _ in ov.talks.values()}
        meetings, candidates, facts = load_linkable(db, tz, wanted)
    seriesdb.resolve_overrides(ov, meetings)  # `2021-02-09` or `SERIES/2021-02-09`
    validate(
        ov,
        meeting_ids=[m["id"] for m in meetings],
        talk_ids=[t["id"] for m in meetings for t in m["talks"]],
        recording_ids=[c["id"] for c in candidates],
        video_ids=[c["id"] for c in candidates if c["source"] == "youtube"],
        durations={c["id"]: c["duration_s"] for c in candidates if c["source"] == "youtube"},
    )
    transcripts = TranscriptCues(db)
    if seriesdb.series_count(db) > 1:
        # many series: each recording to one series (indexer/series/assign.py), then to one of its meetings
        from indexer.series.assign import match_series

        profiles, by_series = seriesdb.match_input(db, meetings, candidates, tz)
        result = match_series(profiles, by_series, candidates, overrides=ov.for_matcher(), transcripts=transcripts)
    else:
        if facts is None:
            result = matcher.match(meetings, candidates, tz=tz, overrides=ov.for_matcher(), transcripts=transcripts)
        else:
            result = _match_streamed(db, meetings, candidates, facts, tz, ov.for_matcher(), transcripts)
    recordings = [
        {"id": f"{r['meeting_id']}:{r['source']}:{r['ref']}", **{k: r[k] for k in (
            "meeting_id", "source", "ref", "kind", "method", "confidence", "reason")},
         "ambiguous": int(r["ambiguous"])}
        for r in result["recordings"]
    ]
    talk_links = result["talk_recordings"]
    if "videos" in db.table_names():
        # talk_recordings.video_id is a foreign key to videos: only harvested videos
        harvested = {c["id"] for c in candidates if c.get("harvested", True)}
        talk_links = [t for t in talk_links if t["video_id"] in harvested]
    # atomic(), not `with db.conn`: sqlite-utils 4 commits each statement unless
    # a transaction is open, and the deletes below must roll back on a failure
    with db.atomic():
        create_tables(db)
        db["match_settings"].upsert({"key": "timezone", "value": tz}, pk="key")
        db.execute("delete from talk_recordings")
        db.execute("delete from recordings")
        if recordings:
            db["recordings"].insert_all(recordings, pk="id")
        if talk_links:
            db["talk_recordings"].insert_all(talk_links, pk=("talk_id", "video_id"))
        seriesdb.save_assignments(db, result.get("series", {}), candidates)
    return {
        "recordings": len(recordings),
        "talk_recordings": len(talk_links),
        "talk_moments": sum(1 for t in talk_links if t["method"] != "meeting"),
        **{f"talks_by_{method}": n for method, n in Counter(t["method"] for t in talk_links).items()},
        "meetings_linked": len({r["meeting_id"] for r in recordings}),
        "overrides": len(ov),
    }


def _match_streamed(db, meetings, candidates, facts, tz, overrides, transcripts) -> dict:
    """The matcher over the kept recordings; when their links reach left-out videos (a
    re-upload, a later part), once more with those in the table's order."""
    recordings = matcher.match_meetings(meetings, candidates, tz=tz, overrides=overrides, facts=facts)
    more = reachable(db, candidates, recordings)
    if more:
        harvested = [c for c in candidates if "rowid" in c]
        rest = [c for c in candidates if "rowid" not in c]
        candidates[:] = sorted(harvested + more, key=lambda c: c["rowid"]) + rest
        recordings = matcher.match_meetings(meetings, candidates, tz=tz, overrides=overrides, facts=facts)
    talks = matcher.match_talks(meetings, candidates, recordings, overrides=overrides, transcripts=transcripts)
    return {"recordings": recordings, "talk_recordings": talks}


def match_step(db: sqlite_utils.Database) -> dict | None:
    """The matcher at the end of ``sync``; skipped (None) until something has
    been harvested (``meetup-indexer match`` links the notes' own links anyway)."""
    tables = set(db.table_names())
    if "meetings" not in tables or not ({"videos", "drive_files"} & tables):
        return None
    return run_match(db)


_PLACED_BY = {"chapter": "at a chapter", "notes_offset": "at an offset the notes write",
              "link": "at a timestamped link", "transcript": "from a transcript", "override": "pinned"}


def _placed(counts: dict) -> str:
    """How the talks placed at a second were placed, e.g. "3 at a chapter, 2 from a transcript"."""
    by = {k[len("talks_by_"):]: n for k, n in counts.items() if k.startswith("talks_by_")}
    parts = [f"{n} {_PLACED_BY.get(method, 'by ' + method)}" for method, n in sorted(by.items()) if method != "meeting"]
    return ", ".join(parts) or "none at a second"


def match_line(counts: dict) -> str:
    """The one summary line of a match."""
    return (
        f"matched {counts['recordings']} recording(s) to {counts['meetings_linked']} meeting(s), "
        f"{counts['talk_recordings']} talk(s) to a recording ({_placed(counts)})"
        + (f", {counts['overrides']} override(s)" if counts["overrides"] else "")
    )


def report(db: sqlite_utils.Database, today: dt.date | None = None) -> dict[str, list[dict]]:
    """What needs a human: meetings without a recording, recordings without a
    meeting, and links that are ambiguous or of low confidence."""
    tables = set(db.table_names())
    today = (today or dt.date.today()).isoformat()
    out: dict[str, list[dict]] = {"meetings without a recording": [], "recordings without a meeting": [],
                                  "ambiguous or low-confidence links": []}
    has_links = "recordings" in tables
    linked_sql = "select meeting_id from recordings" if has_links else "select null where 0"
    out["meetings without a recording"] = list(db.query(
        f"select id as meeting, title, (select count(*) from talks where talks.meeting_id = meetings.id) as talks "
        f"from meetings where not cancelled and date <= ? and id not in ({linked_sql}) order by id", [today]))
    refs = "select ref from recordings" if has_links else "select null where 0"
    if "videos" in tables:
        # videos gone from the channel are history, not work to do
        removed = "removed_at is null and " if "removed_at" in db["videos"].columns_dict else ""
        out["recordings without a meeting"] += list(db.query(
            f"select 'youtube' as source, id as ref, title, substr(published_at, 1, 10) as date, duration_s "
            f"from videos where {removed}id not in ({refs}) order by published_at"))
    if "drive_files" in tables:
        out["recordings without a meeting"] += [
            r for r in db.query(
                f"select 'drive' as source, id as ref, name as title, substr(created_time, 1, 10) as date, "
                f"duration_s, mime_type from drive_files where removed_at is null and id not in ({refs}) "
                f"order by created_time")
            if (r.pop("mime_type") or "").startswith(("video/", "audio/"))
            or (r["title"] or "").lower().endswith(matcher.MEDIA_SUFFIXES)
        ]
    if has_links:
        out["ambiguous or low-confidence links"] = list(db.query(
            "select meeting_id as meeting, source, ref, kind, method, confidence, reason from recordings "
            "where ambiguous or confidence < ? order by confidence, meeting_id", [LOW_CONFIDENCE]))
    return out
