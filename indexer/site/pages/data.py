"""What the meeting, talk, person, organisation and home pages show, read from the database (the series page: ``series``).

Each loader takes a Datasette ``Database`` and returns plain dicts for a
template. Values are passed as SQL parameters, never pasted into the SQL.
Tables a database may not have yet (no YouTube harvest, not matched) give
empty sections instead of errors.
"""
from __future__ import annotations

import datetime as dt

from datasette.utils import tilde_encode

from indexer.common.times import hms
from indexer.common.urls import VIDEO_ID, safe_image_url, watch_url

EMBED = "https://www.youtube-nocookie.com/embed/"
# how a recording was linked to its meeting, in words (docs/CONTRACTS.md: recordings.method)
METHOD_WORDS = {
    "link": "linked in the meeting's notes",
    "date": "matched on the date it was recorded or published",
    "text": "matched on the words of its title",
    "duplicate": "the same recording as another one already linked",
    "override": "set by hand in the overrides file",
    "explicit": "linked in the meeting's notes",
}
MOMENT_WORDS = {
    "link": "a timestamped link in the notes",
    "notes_offset": "a time written in the notes",
    "chapter": "a chapter of the video",
    "transcript": "the video's transcript",
    "meeting": "no better evidence: the start of the meeting's recording",
    "override": "set by hand in the overrides file",
}


# what a transcript is, in words (transcripts.kind)
TRANSCRIPT_WORDS = {
    "asr": "YouTube's automatic captions",
    "manual": "subtitles written for the video",
    "zoom": "the Zoom transcript",
    "file": "a subtitle file",
}
# cues shown on a meeting page (a three-hour meeting says about 2,500)
TRANSCRIPT_CUES = 5000


def embed_url(video_id: str, start_s: int | None = None) -> str:
    """The player's address: the IFrame API needs ``enablejsapi=1``; ``start=`` is the second."""
    params = [f"start={int(start_s)}"] if start_s else []
    return EMBED + video_id + "?" + "&".join(params + ["enablejsapi=1", "rel=0"])


def long_date(iso: str | None) -> str:
    try:
        day = dt.date.fromisoformat((iso or "")[:10])
    except ValueError:
        return iso or ""
    return f"{day:%A} {day.day} {day:%B %Y}"


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


class Reader:
    """One database, the tables it has, and queries returning lists of dicts."""

    def __init__(self, db):
        self.db = db
        self._have: set[str] | None = None

    async def have(self, *names: str) -> bool:
        if self._have is None:
            self._have = set(await self.db.table_names()) | set(await self.db.view_names())
        return all(name in self._have for name in names)

    async def rows(self, sql: str, params=()) -> list[dict]:
        result = await self.db.execute(sql, list(params))
        return [dict(row) for row in result.rows]

    async def first(self, sql: str, params=()) -> dict | None:
        found = await self.rows(sql, params)
        return found[0] if found else None


def row_path(datasette, database: str, table: str, pk: str) -> str:
    return datasette.urls.row(database, table, tilde_encode(str(pk)))


async def presenters_of(reader: Reader, talk_ids: list[str]) -> dict[str, list[dict]]:
    """talk id -> [{person_id, name, organization_id, organisation}] in agenda order."""
    if not talk_ids or not await reader.have("talk_presenters", "people"):
        return {}
    found: dict[str, list[dict]] = {}
    org_join = await reader.have("organizations")
    marks = ", ".join("?" for _ in talk_ids)
    sql = (
        "select tp.talk_id, tp.person_id, people.name, tp.organization_id, "
        + ("organizations.name as organisation " if org_join else "null as organisation ")
        + "from talk_presenters tp join people on people.id = tp.person_id "
        + ("left join organizations on organizations.id = tp.organization_id " if org_join else "")
        + f"where tp.talk_id in ({marks}) order by tp.talk_id, tp.position"
    )
    for row in await reader.rows(sql, talk_ids):
        found.setdefault(row.pop("talk_id"), []).append(row)
    return found


async def moments_of(reader: Reader, talk_ids: list[str]) -> dict[str, dict]:
    """talk id -> its best moment {video_id, start_s, method, confidence, reason}."""
    if not talk_ids or not await reader.have("talk_recordings"):
        return {}
    marks = ", ".join("?" for _ in talk_ids)
    found: dict[str, dict] = {}
    for row in await reader.rows(
        "select talk_id, video_id, start_s, method, confidence, reason from talk_recordings "
        f"where talk_id in ({marks}) order by talk_id, confidence desc, start_s",
        talk_ids,
    ):
        if VIDEO_ID.match(row["video_id"] or ""):
            found.setdefault(row.pop("talk_id"), row)
    return found


def seek(video_id: str | None, start_s: int | None) -> dict | None:
    """What a ▶ link needs: the video, the second, a label and a watch URL for when scripts are off."""
    if not video_id or not VIDEO_ID.match(video_id):
        return None
    start = int(start_s or 0)
    return {"video_id": video_id, "start_s": start, "label": hms(start), "href": watch_url(video_id, start)}


async def talks_list(reader: Reader, datasette, database: str, where: str, params, order: str,
                     limit: int = 500) -> list[dict]:
    """Talks with their meeting, presenters and ▶ moment; ``where``/``order`` are fixed SQL of the caller."""
    talks = await reader.rows(
        "select talks.id, talks.meeting_id, talks.position, talks.title, talks.notes, meetings.date, "
        "meetings.title as meeting_title from talks join meetings on meetings.id = talks.meeting_id "
        f"where {where} order by {order} limit {int(limit)}",
        params,
    )
    ids = [t["id"] for t in talks]
    people = await presenters_of(reader, ids)
    moments = await moments_of(reader, ids)
    for talk in talks:
        talk["url"] = row_path(datasette, database, "talks", talk["id"])
        talk["meeting_url"] = row_path(datasette, database, "meetings", talk["meeting_id"])
        talk["presenters"] = [
            {**p, "url": row_path(datasette, database, "people", p["person_id"]),
             "org_url": row_path(datasette, database, "organizations", p["organization_id"])
             if p["organization_id"] else None}
            for p in people.get(talk["id"], [])
        ]
        moment = moments.get(talk["id"])
        talk["moment"] = moment
        talk["seek"] = seek(moment["video_id"], moment["start_s"]) if moment else None
        if moment:
            moment["words"] = MOMENT_WORDS.get(moment["method"], moment["method"])
    return talks


def organisations(presenters: list[dict]) -> list[dict]:
    """Distinct organisations of a talk's presenters, in order."""
    seen, out = set(), []
    for p in presenters:
        if p.get("organization_id") and p["organization_id"] not in seen:
            seen.add(p["organization_id"])
            out.append({"id": p["organization_id"], "name": p["organisation"], "url": p["org_url"]})
    return out


async def video_info(reader: Reader, video_id: str) -> dict | None:
    if not await reader.have("videos"):
        return None
    return await reader.first(
        "select id, title, thumbnail_url, duration_s, published_at, url from videos where id = ?", [video_id]
    )


def safe_thumbnail(url: str | None) -> str | None:
    """Only the API's image hosts become <img src> (``common.urls.safe_image_url``)."""
    return safe_image_url(url)


async def meeting_recordings(reader: Reader, meeting_id: str) -> list[dict]:
    """The meeting's recordings, YouTube first and the best first, with what each is and why it is linked."""
    found = []
    if await reader.have("recordings"):
        found = await reader.rows(
            "select id, source, ref, kind, method, confidence, reason, ambiguous from recordings "
            "where meeting_id = ? order by source = 'youtube' desc, kind = 'video' desc, confidence desc, ref",
            [meeting_id],
        )
    have_videos, have_files = await reader.have("videos"), await reader.have("drive_files")
    for rec in found:
        rec["words"] = METHOD_WORDS.get(rec["method"], rec["method"] or "")
        rec["percent"] = round(100 * (rec["confidence"] or 0))
        if rec["source"] == "youtube":
            video = (await video_info(reader, rec["ref"])) if have_videos else None
            rec["title"] = (video or {}).get("title") or rec["ref"]
            rec["duration_s"] = (video or {}).get("duration_s")
            rec["thumbnail"] = safe_thumbnail((video or {}).get("thumbnail_url"))
            rec["href"] = watch_url(rec["ref"])
            rec["playable"] = bool(VIDEO_ID.match(rec["ref"] or ""))
        else:
            file = (await reader.first(
                "select name, web_url, duration_s, size, mime_type from drive_files where id = ?", [rec["ref"]]
            )) if have_files else None
            rec["title"] = (file or {}).get("name") or rec["ref"]
            rec["duration_s"] = (file or {}).get("duration_s")
            rec["thumbnail"] = None
            rec["href"] = (file or {}).get("web_url") or f"https://drive.google.com/file/d/{rec['ref']}/view"
            rec["playable"] = False
        rec["duration"] = hms(rec["duration_s"]) if rec.get("duration_s") else None
    return found


async def transcript_of(reader: Reader, video_id: str) -> dict | None:
    """The video's preferred transcript (English, then a person's words over
    captions) with its cues, each with what its ▶ button needs."""
    from indexer.transcripts.store import transcript_rank

    if not video_id or not await reader.have("transcripts", "transcript_cues"):
        return None
    found = await reader.rows(
        "select id, language, kind, source, cues from transcripts where video_id = ?", [video_id])
    if not found:
        return None
    best = min(found, key=transcript_rank)
    cues = await reader.rows(
        "select start_s, speaker, text from transcript_cues where transcript_id = ? order by start_s, id limit ?",
        [best["id"], TRANSCRIPT_CUES])
    for cue in cues:
        cue["seek"] = seek(video_id, cue["start_s"])
    return {**best, "words": TRANSCRIPT_WORDS.get(best["kind"], best["kind"]), "cues": cues,
            "cues_total": best["cues"], "cut": (best["cues"] or 0) > len(cues)}


async def meeting_page(datasette, database: str, meeting_id: str) -> dict | None:
    reader = Reader(datasette.get_database(database))
    meeting = await reader.first("select * from meetings where id = ?", [meeting_id])
    if not meeting:
        return None
    series, series_url = None, None
    if meeting.get("series_id") and await reader.have("series"):
        found = await reader.first("select id, name from series where id = ?", [meeting["series_id"]])
        if found:
            series, series_url = found["name"], row_path(datasette, database, "series", found["id"])
    if not series and meeting.get("notes_path") and await reader.have("notes_files"):
        found = await reader.first("select title from notes_files where path = ?", [meeting["notes_path"]])
        series = (found or {}).get("title")
    recordings = await meeting_recordings(reader, meeting_id)
    links = []
    if await reader.have("meeting_links"):
        links = await reader.rows(
            "select kind, ref, url, label, start_s from meeting_links where meeting_id = ? order by line, id",
            [meeting_id],
        )
    # the player: the best YouTube recording, else a video the notes link to
    main = next((r["ref"] for r in recordings if r["playable"]), None)
    if not main:
        main = next((lk["ref"] for lk in links if lk["kind"] == "youtube" and VIDEO_ID.match(lk["ref"] or "")), None)
    talks = await talks_list(
        reader, datasette, database, "talks.meeting_id = ?", [meeting_id], "talks.position"
    )
    for talk in talks:
        talk["organisations"] = organisations(talk["presenters"])
    chapters = []
    if main and await reader.have("chapters"):
        chapters = await reader.rows(
            "select start_s, end_s, title from chapters where video_id = ? order by start_s", [main]
        )
        for chapter in chapters:
            chapter["seek"] = seek(main, chapter["start_s"])
    video = await video_info(reader, main) if main else None
    recorded_refs = {r["ref"] for r in recordings}
    drive_links = [
        lk for lk in links if lk["kind"] in ("drive_file", "drive_folder", "gdoc") and lk["ref"] not in recorded_refs
    ]
    return {
        "meeting": meeting,
        "long_date": long_date(meeting.get("date")),
        "series": series,
        "series_url": series_url,
        "recordings": recordings,
        "youtube_recordings": [r for r in recordings if r["playable"]],
        "drive_recordings": [r for r in recordings if r["source"] != "youtube"],
        "drive_links": drive_links,
        "player": {"video_id": main, "src": embed_url(main), "title": (video or {}).get("title") or meeting["title"]}
        if main else None,
        "thumbnail": safe_thumbnail((video or {}).get("thumbnail_url")),
        "talks": talks,
        "chapters": chapters,
        "transcript": await transcript_of(reader, main) if main else None,
    }


async def talk_page(datasette, database: str, talk_id: str) -> dict | None:
    reader = Reader(datasette.get_database(database))
    found = await talks_list(reader, datasette, database, "talks.id = ?", [talk_id], "talks.id", limit=1)
    if not found:
        return None
    talk = found[0]
    talk["organisations"] = organisations(talk["presenters"])
    moment = talk["moment"]
    player = None
    if moment:
        player = {"video_id": moment["video_id"], "start_s": moment["start_s"],
                  "src": embed_url(moment["video_id"], moment["start_s"])}
    else:
        recordings = await meeting_recordings(reader, talk["meeting_id"])
        main = next((r["ref"] for r in recordings if r["playable"]), None)
        if main:
            player = {"video_id": main, "start_s": 0, "src": embed_url(main)}
    video = await video_info(reader, player["video_id"]) if player else None
    if player:
        player["title"] = (video or {}).get("title") or talk["title"]
    person_ids = [p["person_id"] for p in talk["presenters"]]
    others = []
    if person_ids:
        marks = ", ".join("?" for _ in person_ids)
        others = await talks_list(
            reader, datasette, database,
            f"talks.id != ? and talks.id in (select talk_id from talk_presenters where person_id in ({marks}))",
            [talk_id, *person_ids], "meetings.date desc, talks.position", limit=100,
        )
    return {
        "talk": talk,
        "long_date": long_date(talk["date"]),
        "player": player,
        "thumbnail": safe_thumbnail((video or {}).get("thumbnail_url")),
        "others": others,
    }


async def presenter_page(datasette, database: str, table: str, key: str) -> dict | None:
    """A person's or an organisation's page: who, and every talk, newest first."""
    reader = Reader(datasette.get_database(database))
    if table not in ("people", "organizations") or not await reader.have(table):
        return None
    who = await reader.first(f"select id, name from [{table}] where id = ?", [key])
    if not who:
        return None
    column = "person_id" if table == "people" else "organization_id"
    talks = []
    if await reader.have("talk_presenters"):
        talks = await talks_list(
            reader, datasette, database,
            f"talks.id in (select talk_id from talk_presenters where {column} = ?)", [key],
            "meetings.date desc, talks.position",
        )
    for talk in talks:
        talk["organisations"] = organisations(talk["presenters"])
    # who they spoke for, or who spoke for it
    related = []
    if await reader.have("talk_presenters"):
        if table == "people" and await reader.have("organizations"):
            related = await reader.rows(
                "select organizations.id, organizations.name, count(*) as talks from talk_presenters "
                "join organizations on organizations.id = talk_presenters.organization_id "
                "where talk_presenters.person_id = ? group by organizations.id order by talks desc, name",
                [key],
            )
            for row in related:
                row["url"] = row_path(datasette, database, "organizations", row["id"])
        elif table == "organizations":
            related = await reader.rows(
                "select people.id, people.name, count(*) as talks from talk_presenters "
                "join people on people.id = talk_presenters.person_id "
                "where talk_presenters.organization_id = ? group by people.id order by talks desc, name",
                [key],
            )
            for row in related:
                row["url"] = row_path(datasette, database, "people", row["id"])
    meetings = len({t["meeting_id"] for t in talks})
    # other spellings the notes use for them (indexer/notes/people.py), with why they are the same
    aliases_table, alias_key = ("person_aliases", "person_id") if table == "people" else (
        "organization_aliases", "organization_id")
    aliases = []
    if await reader.have(aliases_table):
        aliases = await reader.rows(
            f"select alias, evidence from [{aliases_table}] where [{alias_key}] = ? order by alias", [key])
    return {
        "who": who,
        "kind": "person" if table == "people" else "organisation",
        "talks": talks,
        "related": related,
        "aliases": aliases,
        "summary": f"{plural(len(talks), 'talk')} at {plural(meetings, 'meeting')}",
    }


async def home_page(datasette, database: str) -> dict | None:
    reader = Reader(datasette.get_database(database))
    if not await reader.have("meetings", "talks"):
        return None
    counts = await reader.first(
        "select (select count(*) from talks) as talks, (select count(*) from meetings) as meetings, "
        "(select count(*) from meetings where not cancelled and date <= date('now')) as held"
    )
    found = missing = None
    if await reader.have("recordings"):
        found = (await reader.first(
            "select count(*) as n from meetings where not cancelled and date <= date('now') "
            "and exists (select 1 from recordings where recordings.meeting_id = meetings.id)"
        ))["n"]
        missing = counts["held"] - found
    videos = (await reader.first("select count(*) as n from videos"))["n"] if await reader.have("videos") else None
    # with several series, each meeting says whose it is
    several = await reader.have("series") and (await reader.first("select count(*) as n from series"))["n"] > 1
    series = "(select name from series where series.id = meetings.series_id)" if several else "null"
    latest = await reader.rows(
        "select id, date, title, cancelled, (select count(*) from talks where talks.meeting_id = meetings.id) as talks, "
        f"{series} as series from meetings order by date desc limit 8"
    )
    for meeting in latest:
        meeting["url"] = row_path(datasette, database, "meetings", meeting["id"])
        meeting["long_date"] = long_date(meeting["date"])
        meeting["recordings"] = await meeting_recordings(reader, meeting["id"])
        meeting["main"] = next((r for r in meeting["recordings"] if r["playable"]), None)
    sentence = f"{plural(counts['talks'], 'talk')} in {plural(counts['meetings'], 'meeting')}"
    if found is not None:
        sentence += f"; {plural(found, 'recording')} found, {missing:,} missing"
    return {
        "counts": counts,
        "sentence": sentence,
        "videos": videos,
        "latest": latest,
    }

async def sitemap_paths(datasette, database: str) -> list[str]:
    """Every page worth a search engine's visit: home, series, meetings, talks, people, organisations."""
    reader = Reader(datasette.get_database(database))
    paths = [datasette.urls.instance()]
    for table, order in (("series", "name"), ("meetings", "date desc"), ("talks", "meeting_id desc, position"),
                         ("people", "name"), ("organizations", "name")):
        if await reader.have(table):
            for row in await reader.rows(f"select id from [{table}] order by {order} limit 10000"):
                paths.append(row_path(datasette, database, table, row["id"]))
    return paths


async def search(datasette, database: str, words: str, limit: int = 30) -> dict:
    """Talks, meetings, videos and what was said (transcript cues) whose words match, best
    first; talks and cues carry their ▶ moment."""
    from indexer.site.plugin import fts_words

    reader = Reader(datasette.get_database(database))
    query = fts_words(words)
    found = {"talks": [], "meetings": [], "videos": [], "said": []}
    if not words.strip():
        return found
    if await reader.have("talks", "talks_fts", "meetings"):
        ids = [r["id"] for r in await reader.rows(
            "select talks.id from talks_fts join talks on talks.rowid = talks_fts.rowid "
            "where talks_fts match ? order by talks_fts.rank limit ?", [query, limit])]
        if ids:
            marks = ", ".join("?" for _ in ids)
            talks = await talks_list(reader, datasette, database, f"talks.id in ({marks})", ids, "talks.id")
            rank = {tid: i for i, tid in enumerate(ids)}
            found["talks"] = sorted(talks, key=lambda t: rank[t["id"]])
    if await reader.have("meetings", "meetings_fts"):
        found["meetings"] = await reader.rows(
            "select meetings.id, meetings.date, meetings.title, (select count(*) from talks "
            "where talks.meeting_id = meetings.id) as talks from meetings_fts "
            "join meetings on meetings.rowid = meetings_fts.rowid where meetings_fts match ? "
            "order by meetings_fts.rank limit ?", [query, limit])
        for meeting in found["meetings"]:
            meeting["url"] = row_path(datasette, database, "meetings", meeting["id"])
            meeting["long_date"] = long_date(meeting["date"])
    if await reader.have("videos", "videos_fts"):
        linked = "(select group_concat(meeting_id, ' ') from recordings where recordings.source = 'youtube' " \
                 "and recordings.ref = videos.id)" if await reader.have("recordings") else "null"
        found["videos"] = await reader.rows(
            f"select videos.id, videos.title, videos.thumbnail_url, videos.duration_s, videos.published_at, "
            f"{linked} as meetings from videos_fts join videos on videos.rowid = videos_fts.rowid "
            "where videos_fts match ? and videos.removed_at is null order by videos_fts.rank limit ?",
            [query, limit])
        for v in found["videos"]:
            v["thumbnail"] = safe_thumbnail(v.pop("thumbnail_url"))
            v["href"] = watch_url(v["id"]) if VIDEO_ID.match(v["id"] or "") else None
            v["url"] = row_path(datasette, database, "videos", v["id"])
            v["duration"] = hms(v["duration_s"]) if v["duration_s"] else None
            v["meeting_links"] = [
                {"id": m, "url": row_path(datasette, database, "meetings", m)}
                for m in (v.pop("meetings") or "").split()
            ]
    if await reader.have("transcripts", "transcript_cues", "transcript_cues_fts"):
        found["said"] = await said(reader, datasette, database, query, limit)
    return found


# cues ranked among the first matches only: ranking every cue of a common word takes seconds
# (the "Search what was said" canned query bounds it the same way)
SAID_CANDIDATES = 5000


async def said(reader: Reader, datasette, database: str, query: str, limit: int) -> list[dict]:
    """Transcript cues matching ``query``, best first: the words, the speaker, the meeting
    whose recording it is and the talk it falls in, with a ▶ at its second."""
    matched = await reader.have("recordings", "talk_recordings", "talks")
    meeting = ("(select recordings.meeting_id from recordings where recordings.source = 'youtube' "
               "and recordings.ref = transcripts.video_id order by recordings.confidence desc limit 1)") \
        if matched else "null"
    talk = ("(select talks.id || char(31) || talks.title from talk_recordings join talks on talks.id = "
            "talk_recordings.talk_id where talk_recordings.video_id = transcripts.video_id and "
            "talk_recordings.method != 'meeting' and talk_recordings.start_s <= transcript_cues.start_s "
            "order by talk_recordings.start_s desc limit 1)") if matched else "null"
    rows = await reader.rows(
        f"select transcript_cues.text, transcript_cues.speaker, transcript_cues.start_s, transcripts.video_id, "
        f"{meeting} as meeting_id, {talk} as talk from (select rowid, rank from transcript_cues_fts "
        "where transcript_cues_fts match ? limit ?) as hits "
        "join transcript_cues on transcript_cues.id = hits.rowid "
        "join transcripts on transcripts.id = transcript_cues.transcript_id "
        "where transcripts.video_id is not null order by hits.rank limit ?", [query, SAID_CANDIDATES, limit])
    for row in rows:
        row["seek"] = seek(row["video_id"], row.pop("start_s"))
        mid = row["meeting_id"]
        row["meeting_url"] = row_path(datasette, database, "meetings", mid) if mid else None
        tid, _, title = (row.pop("talk") or "").partition("\x1f")
        row["talk"] = {"title": title, "url": row_path(datasette, database, "talks", tid)} if tid else None
    return rows
