"""What a series page shows (its sources, usual time, meetings and the recordings no
meeting holds) and the home page's list of series, read from the database."""
from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import quote

from indexer.common.times import hms
from indexer.common.urls import watch_url
from indexer.notes.files import public_path
from indexer.site.pages.data import Reader, long_date, plural, row_path


WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# ids as the project file and the harvesters keep them: anything else is shown, never made a link
_CHANNEL_ID = re.compile(r"UC[0-9A-Za-z_-]{22}")
_HANDLE = re.compile(r"@[0-9A-Za-z_.-]{1,100}")
_LIST_ID = re.compile(r"[0-9A-Za-z_-]{10,64}")
_DRIVE_ID = re.compile(r"[0-9A-Za-z_-]{10,100}")
SERIES_MEETINGS = 2000


def _source(label: str, value, url: str | None) -> dict:
    return {"label": label, "value": value, "url": url}


def series_sources(row: dict) -> list[dict]:
    """Where a series' meetings come from, each with a link when it is an id we know the shape of."""
    out = []
    try:
        notes = json.loads(row.get("notes") or "[]")
    except ValueError:
        notes = [row["notes"]]
    for item in notes if isinstance(notes, list) else [notes]:
        item = str(item)
        doc = item[len("gdoc:"):] if item.startswith("gdoc:") else None
        url = f"https://docs.google.com/document/d/{quote(doc)}/edit" if doc and _DRIVE_ID.fullmatch(doc) else None
        # a file's name alone when it lives outside the working folder: no machine paths on the site
        out.append(_source("Notes", item if doc else public_path(item), url))
    channel = row.get("channel")
    if channel:
        url = (f"https://www.youtube.com/channel/{channel}" if _CHANNEL_ID.fullmatch(channel)
               else f"https://www.youtube.com/{quote(channel)}" if _HANDLE.fullmatch(channel) else None)
        out.append(_source("YouTube channel", channel, url))
    playlist = row.get("playlist")
    if playlist:
        url = f"https://www.youtube.com/playlist?list={playlist}" if _LIST_ID.fullmatch(playlist) else None
        out.append(_source("Playlist", playlist, url))
    folder = row.get("drive_folder")
    if folder:
        url = f"https://drive.google.com/drive/folders/{folder}" if _DRIVE_ID.fullmatch(folder) else None
        out.append(_source("Drive folder", folder, url))
    return out


def usual_time(row: dict) -> str | None:
    """"Tuesdays at 09:00, America/Los_Angeles" from the series' usual weekday, hour and time zone."""
    day = row.get("weekday")
    day = WEEKDAY_NAMES[day] + "s" if isinstance(day, int) and 0 <= day < 7 else None
    hour = row.get("hour")
    at = f"{hour:02d}:{row.get('minute') or 0:02d}" if isinstance(hour, int) and 0 <= hour < 24 else None
    when = " at ".join(part for part in (day, at) if part)
    zone = row.get("timezone")
    if not when:
        return None
    return f"{when}, {zone}" if zone else when


async def series_recordings_of(reader: Reader, meeting_ids: list[str]) -> dict[str, list[dict]]:
    """meeting id -> its recordings (YouTube first), with title and duration, in one query."""
    if not meeting_ids or not await reader.have("recordings"):
        return {}
    videos = await reader.have("videos")
    files = await reader.have("drive_files")
    sql = (
        "select recordings.meeting_id, recordings.source, recordings.ref, recordings.kind, "
        + ("videos.title as video_title, videos.duration_s as video_s, " if videos else
           "null as video_title, null as video_s, ")
        + ("drive_files.name as file_name, drive_files.duration_s as file_s, drive_files.web_url "
           if files else "null as file_name, null as file_s, null as web_url ")
        + "from recordings "
        + ("left join videos on recordings.source = 'youtube' and videos.id = recordings.ref " if videos else "")
        + ("left join drive_files on recordings.source != 'youtube' and drive_files.id = recordings.ref "
           if files else "")
        + "where recordings.meeting_id in (select value from json_each(?)) "
        "order by recordings.source = 'youtube' desc, recordings.kind = 'video' desc, recordings.confidence desc"
    )
    found: dict[str, list[dict]] = {}
    for row in await reader.rows(sql, [json.dumps(meeting_ids)]):
        youtube = row["source"] == "youtube"
        seconds = row["video_s"] if youtube else row["file_s"]
        found.setdefault(row["meeting_id"], []).append({
            "source": row["source"], "ref": row["ref"], "kind": row["kind"],
            "title": (row["video_title"] if youtube else row["file_name"]) or row["ref"],
            "href": watch_url(row["ref"]) if youtube else (
                row["web_url"] or f"https://drive.google.com/file/d/{quote(row['ref'] or '')}/view"),
            "duration": hms(seconds) if seconds else None,
        })
    return found


async def series_page(datasette, database: str, series_id: str) -> dict | None:
    """A series: its sources and usual time, its meetings newest first with a recording found or
    missing, and the recordings given to it that no meeting of its notes holds."""
    reader = Reader(datasette.get_database(database))
    if not await reader.have("series"):
        return None
    series = await reader.first("select * from series where id = ?", [series_id])
    if not series:
        return None
    meetings = []
    if await reader.have("meetings"):
        talks = "(select count(*) from talks where talks.meeting_id = meetings.id)" \
            if await reader.have("talks") else "0"
        meetings = await reader.rows(
            f"select id, date, title, cancelled, {talks} as talks from meetings where series_id = ? "
            f"order by date desc, id desc limit {SERIES_MEETINGS}", [series_id])
    recordings = await series_recordings_of(reader, [m["id"] for m in meetings])
    today = dt.date.today().isoformat()
    for m in meetings:
        m["url"] = row_path(datasette, database, "meetings", m["id"])
        m["long_date"] = long_date(m["date"])
        m["recordings"] = recordings.get(m["id"], [])
        m["status"] = ("found" if m["recordings"] else "cancelled" if m["cancelled"]
                       else "upcoming" if (m["date"] or "") > today else "missing")
    unmatched = []
    if await reader.have("series_recordings"):
        videos = await reader.have("videos")
        in_meeting = ("and not exists (select 1 from recordings where recordings.source = sr.source "
                      "and recordings.ref = sr.ref)") if await reader.have("recordings") else ""
        unmatched = await reader.rows(
            "select sr.source, sr.ref, sr.confidence, sr.evidence, "
            + ("videos.title, coalesce(videos.recorded_at, videos.published_at) as at, videos.duration_s "
               "from series_recordings sr left join videos on sr.source = 'youtube' and videos.id = sr.ref "
               if videos else "null as title, null as at, null as duration_s from series_recordings sr ")
            + f"where sr.series_id = ? {in_meeting} order by at desc, sr.ref limit {SERIES_MEETINGS}",
            [series_id])
        for r in unmatched:
            youtube = r["source"] == "youtube"
            r["title"] = r["title"] or r["ref"]
            r["href"] = watch_url(r["ref"]) if youtube else f"https://drive.google.com/file/d/{quote(r['ref'])}/view"
            r["url"] = row_path(datasette, database, "videos", r["ref"]) if youtube and videos else None
            r["long_date"] = long_date(r["at"]) if r["at"] else None
            r["duration"] = hms(r["duration_s"]) if r["duration_s"] else None
            r["percent"] = round(100 * (r["confidence"] or 0))
    count = {k: sum(m["status"] == k for m in meetings) for k in ("found", "missing", "cancelled", "upcoming")}
    summary = plural(len(meetings), "meeting")
    if meetings:
        summary += (f" from {meetings[-1]['date']} to {meetings[0]['date']}; {count['found']:,} with a recording, "
                    f"{count['missing']:,} missing one")
    if not meetings:
        summary = f"No notes here; {plural(len(unmatched), 'recording')} given to it by playlist, title or time"
    elif unmatched:
        summary += f"; {plural(len(unmatched), 'recording')} with no meeting in the notes"
    return {
        "series": series,
        "sources": series_sources(series),
        "usual": usual_time(series),
        "meetings": meetings,
        "count": count,
        "unmatched": unmatched,
        "summary": summary,
    }


async def series_list(datasette, database: str) -> list[dict]:
    """Every series, by name, with its meetings and recordings (the home page lists them)."""
    reader = Reader(datasette.get_database(database))
    if not await reader.have("series", "meetings"):
        return []
    found = "(select count(*) from meetings m where m.series_id = series.id and exists " \
            "(select 1 from recordings where recordings.meeting_id = m.id))" if await reader.have("recordings") \
        else "0"
    assigned = "(select count(*) from series_recordings sr where sr.series_id = series.id)" \
        if await reader.have("series_recordings") else "0"
    rows = await reader.rows(
        "select series.id, series.name, (select count(*) from meetings where meetings.series_id = series.id) "
        f"as meetings, {found} as found, {assigned} as recordings from series order by series.name")
    for row in rows:
        row["url"] = row_path(datasette, database, "series", row["id"])
    return rows
