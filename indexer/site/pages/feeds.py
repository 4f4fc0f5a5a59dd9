"""The site's feeds, made to work everywhere.

datasette-atom answers a 500 when a feed has no entries (``max()`` of no
``atom_updated``), and datasette-ics names a TZID without the VTIMEZONE that
RFC 5545 requires calendar clients to find. These routes run the same canned
query Datasette would, then hand the rows to those plugins' own renderers:
an empty Atom feed is written here, and each time zone's VTIMEZONE (built by
the icalendar library from the tz database) is added to the calendar.
"""
from __future__ import annotations

import datetime as dt
import re

from datasette.utils import derive_named_parameters
from datasette.utils.asgi import NotFound, Response

ATOM_COLUMNS = {"atom_id", "atom_updated", "atom_title"}
ICS_COLUMNS = {"event_name", "event_dtstart"}


def feed_queries(datasette, database: str) -> dict[str, str]:
    """Canned query name -> the feed it makes ("atom" or "ics"), from the columns its SQL names."""
    queries = datasette.metadata("queries", database=database, fallback=False) or {}
    found = {}
    for name, query in queries.items():
        sql = query if isinstance(query, str) else (query or {}).get("sql", "")
        if all(re.search(rf"\b{c}\b", sql) for c in ATOM_COLUMNS):
            found[name] = "atom"
        elif all(re.search(rf"\b{c}\b", sql) for c in ICS_COLUMNS):
            found[name] = "ics"
    return found


def feed_routes(datasette, database: str) -> list:
    feeds = feed_queries(datasette, database)
    if not feeds:
        return []
    names = "|".join(re.escape(name) for name in feeds)
    pattern = rf"^/(?P<database>{re.escape(database)})/(?P<query>{names})\.(?P<ext>atom|ics)$"
    return [(pattern, feed)]


# characters XML 1.0 cannot hold: one in a video's title or description would fail the whole feed
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value):
    return _NOT_XML.sub("", value) if isinstance(value, str) else value


def xml_row(row) -> dict:
    """A feed row XML can hold; an entry needs a title even when the text was all control characters."""
    out = {k: xml_text(v) for k, v in dict(row).items()}
    if not str(out.get("atom_title") or "").strip():
        out["atom_title"] = "Untitled"
    return out


async def _run(datasette, request, database: str, name: str):
    query = await datasette.get_canned_query(database, name, request.actor)
    if query is None:
        raise NotFound(f"Query not found: {name}")
    await datasette.ensure_permissions(
        request.actor, [("view-query", (database, name)), ("view-database", database), "view-instance"]
    )
    sql = query["sql"]
    db = datasette.get_database(database)
    params = {p: request.args.get(p, "") for p in await derive_named_parameters(db, sql)}
    results = await datasette.execute(database, sql, params, truncate=True)
    return query, sql, results


async def feed(datasette, request):
    database, name, ext = (request.url_vars[k] for k in ("database", "query", "ext"))
    if database not in datasette.databases:
        raise NotFound("Database not found")
    query, sql, results = await _run(datasette, request, database, name)
    columns, rows = list(results.columns), list(results.rows)
    if ext == "atom":
        if not rows or not ATOM_COLUMNS <= set(columns):
            return empty_atom(request, query.get("title") or name)
        from datasette_atom import render_atom

        rows = [xml_row(row) for row in rows]
        return render_atom(datasette, request, sql, columns, rows, database, None, name, "query", {})
    from datasette_ics import render_ics

    if not ICS_COLUMNS <= set(columns):
        columns, rows = sorted(ICS_COLUMNS), []
    response = render_ics(datasette, request, database, None, rows, columns, sql, name, {})
    return Response(with_timezones(response.body if isinstance(response.body, str) else response.body.decode(),
                                   rows, columns),
                    status=response.status, content_type=response.content_type)


def empty_atom(request, title: str) -> Response:
    """A valid feed with no entries (RFC 4287 needs id, title and updated)."""
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.id(request.url)
    fg.link(href=request.url, rel="self")
    fg.title(title)
    fg.updated(dt.datetime.now(dt.timezone.utc).replace(microsecond=0))
    return Response(fg.atom_str(pretty=True), content_type="application/xml; charset=utf-8")


def _day(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def vtimezones(rows, columns) -> list[str]:
    """One VTIMEZONE per TZID the events use, covering the years they span."""
    if "event_tzid" not in columns:
        return []
    import zoneinfo

    import icalendar

    spans: dict[str, list[dt.date]] = {}
    for row in rows:
        tzid, day = row["event_tzid"], _day(row["event_dtstart"])
        if tzid and day:
            spans.setdefault(tzid, []).append(day)
    blocks = []
    for tzid, days in sorted(spans.items()):
        try:
            zone = icalendar.Timezone.from_tzid(
                tzid, first_date=min(days).replace(month=1, day=1),
                last_date=max(days).replace(month=12, day=31) + dt.timedelta(days=1),
            )
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, KeyError):
            continue  # not a zone the tz database knows: the client falls back to floating time
        blocks.append(zone.to_ical().decode())
    return blocks


def with_timezones(body: str, rows, columns) -> str:
    blocks = vtimezones(rows, columns)
    if not blocks:
        return body
    text = "".join(block if block.endswith("\r\n") else block + "\r\n" for block in blocks)
    # inside VCALENDAR, before the first event (or the end when there is none)
    for marker in ("BEGIN:VEVENT", "END:VCALENDAR"):
        at = body.find(marker)
        if at >= 0:
            return body[:at] + text + body[at:]
    return body
