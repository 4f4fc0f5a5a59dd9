"""Datasette plugin: players at the talk's second, thumbnails, readable units.

Registered through the ``datasette`` entry point in pyproject.toml, so any
``datasette`` (or ``meetup-indexer serve``) run from this environment loads it.

Every value from the database goes through ``markupsafe`` escaping: titles and
descriptions come from YouTube and may hold HTML; they must show as text.
"""
from __future__ import annotations

import contextvars
import re
from urllib.parse import quote, unquote

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args
from datasette.utils.asgi import Response
from markupsafe import Markup

from indexer.common.times import hms
from indexer.common.urls import VIDEO_ID, classify_url, safe_image_url, watch_url
from indexer.site.live_file import LiveFiles
from indexer.site.limits import limit_connection

# render_cell gets no request in Datasette 0.65; the ASGI wrapper below
# remembers the path so cells know whether they sit on a row page.
_path: contextvars.ContextVar[str] = contextvars.ContextVar("meetup_indexer_path", default="")

SECONDS_COLUMNS = {"start_s", "end_s", "duration_s"}
BYTES_COLUMNS = {("drive_files", "size")}
READ_METHODS = {"GET", "HEAD", "OPTIONS"}


async def _method_not_allowed(send):
    await send({
        "type": "http.response.start", "status": 405,
        "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"allow", b"GET, HEAD, OPTIONS")],
    })
    await send({"type": "http.response.body", "body": b"This site is read-only.\n"})


# Sent with every response. Datasette's pages run inline scripts of their own
# templates (hence 'unsafe-inline'); nothing else may load scripts, plugins or
# frames, except the YouTube player, and no other site may frame these pages.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    # the pages' player seeks through YouTube's IFrame API (it loads its scripts from there)
    "script-src 'self' 'unsafe-inline' https://www.youtube.com",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: https:",  # thumbnails from YouTube's and Google's image hosts
    "frame-src https://www.youtube-nocookie.com https://www.youtube.com",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    # the YouTube embed needs the origin as referrer; paths with queries stay here
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
]


def _with_security_headers(send):
    async def sender(message):
        if message.get("type") == "http.response.start":
            present = {name.lower() for name, _ in message.get("headers", [])}
            extra = [(name, value) for name, value in SECURITY_HEADERS if name not in present]
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return sender


@hookimpl
def asgi_wrapper(datasette):
    live = LiveFiles(datasette)
    live.remember()

    def wrap(app):
        async def remember_path(scope, receive, send):
            if scope.get("type") == "http":
                send = _with_security_headers(send)
                # a sync renamed a new file over the served one: serve it from this request on
                await live.check()
            # the site only reads: no POST reaches Datasette (0.65 answers a POST
            # to a read-only canned query with a 500)
            if scope.get("type") == "http" and scope.get("method", "GET").upper() not in READ_METHODS:
                await _method_not_allowed(send)
                return
            token = _path.set(scope.get("path", "") if scope.get("type") == "http" else "")
            try:
                await app(scope, receive, send)
            finally:
                _path.reset(token)

        return remember_path

    return wrap


def on_row_page(datasette, database: str | None, table: str | None) -> bool:
    """True on /db/table/<pks>, the page of a single row."""
    path = _path.get()
    # cheap test first: render_cell runs for every cell of every page
    if not (database and table) or path.count("/") < 3:
        return False
    table_path = unquote(datasette.urls.table(database, table, format=None))
    rest = path[len(table_path):] if path.startswith(table_path) else ""
    return rest.startswith("/") and len(rest) > 1


def human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{int(size)} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"  # pragma: no cover


def player(video_id: str, start_s: int | None, title: str = "") -> Markup:
    """A lazy YouTube player; the embed URL takes start=, not t=."""
    src = f"https://www.youtube-nocookie.com/embed/{quote(video_id)}"
    if start_s:
        src += f"?start={int(start_s)}"
    return Markup(
        '<div class="mi-player"><iframe width="560" height="315" src="{src}" title="{title}" '
        'loading="lazy" frameborder="0" referrerpolicy="strict-origin-when-cross-origin" '
        'allow="encrypted-media; picture-in-picture" allowfullscreen></iframe></div>'
    ).format(src=src, title=title or "YouTube video player")


def watch_link(url: str, video_id: str, start_s: int | None) -> Markup:
    label = f"▶ {hms(start_s)}" if start_s else "▶ watch"
    return Markup('<a class="mi-watch" href="{href}" data-video="{vid}" data-start="{start}">{label}</a>').format(
        href=url, vid=video_id, start=int(start_s or 0), label=label
    )


def _row_get(row, key):
    try:
        value = row[key]
    except (KeyError, IndexError, TypeError):
        return None
    # a foreign key Datasette has expanded to show its label
    return value.get("value") if isinstance(value, dict) else value


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if value is None or value == "":
        return None
    if column == "thumbnail_url" and isinstance(value, str):
        if not safe_image_url(value):
            return None
        width = 480 if on_row_page(datasette, database, table) else 160
        alt = _row_get(row, "title") or "thumbnail"
        return Markup('<img class="mi-thumb" src="{src}" alt="{alt}" width="{w}" loading="lazy">').format(
            src=value, alt=alt, w=width
        )
    if column in SECONDS_COLUMNS and isinstance(value, (int, float)) and value >= 0:
        video_id = _row_get(row, "video_id") if column == "start_s" else None
        if isinstance(video_id, str) and VIDEO_ID.match(video_id):
            # a chapter or a talk's moment: the time opens the video there
            return Markup('<a href="{href}" title="{s} seconds">{hms}</a>').format(
                href=watch_url(video_id, int(value)), s=int(value), hms=hms(value)
            )
        return Markup('<span title="{s} seconds">{hms}</span>').format(s=int(value), hms=hms(value))
    if (table, column) in BYTES_COLUMNS and isinstance(value, int):
        return Markup('<span title="{n:,} bytes">{h}</span>').format(n=value, h=human_bytes(value))
    if isinstance(value, str) and ("youtube.com/" in value or "youtu.be/" in value) and value.startswith("http"):
        link = classify_url(value)
        if not link or link.kind != "youtube":
            return None
        start = link.start_s
        if start is None:
            start = _row_get(row, "start_s") if table == "talk_recordings" else None
        if on_row_page(datasette, database, table):
            return player(link.ref, start, _row_get(row, "title") or "") + watch_link(value, link.ref, start)
        return watch_link(value, link.ref, start)
    if table in PLAYER_FOR and column == "title" and on_row_page(datasette, database, table):
        return _title_with_player(row, value, database, datasette, *PLAYER_FOR[table])
    return None


# row page -> (table it needs, the recording and second to play for the row's id)
PLAYER_FOR = {
    # a talk plays where it starts
    "talks": (
        "talk_recordings",
        "select video_id, start_s from talk_recordings where talk_id = ? order by confidence desc limit 1",
    ),
    # a meeting plays its main YouTube recording from the beginning
    "meetings": (
        "recordings",
        "select ref as video_id, 0 as start_s from recordings where meeting_id = ? and source = 'youtube' "
        "order by kind = 'video' desc, confidence desc limit 1",
    ),
}


def _title_with_player(row, value, database, datasette, needs, sql):
    row_id = _row_get(row, "id")

    async def inner():
        db = datasette.get_database(database)
        if not row_id or not await db.table_exists(needs):
            return None
        first = (await db.execute(sql, [row_id])).first()
        if not first or not VIDEO_ID.match(first["video_id"] or ""):
            return None
        vid, start = first["video_id"], first["start_s"]
        return (
            Markup("<p>{}</p>").format(value)
            + player(vid, start, value)
            + watch_link(watch_url(vid, start), vid, start)
        )

    return inner


def fts_words(words) -> str:
    """User words -> an FTS5 query that cannot be a syntax error.

    Each word is quoted (so ``"``, ``-``, ``AND`` or ``*`` are plain text) and the
    last one matches as a prefix, so "egre" already finds "Egress".
    """
    tokens = re.findall(r"\w+", str(words or ""), re.UNICODE)
    if not tokens:
        return '""'
    quoted = ['"{}"'.format(t.replace('"', '""')) for t in tokens]
    quoted[-1] += "*"
    return " ".join(quoted)


def meetup_timezone() -> str:
    """The organiser's time zone (MEETUP_TIMEZONE), the one the matcher uses."""
    from indexer.store.db import default_tz

    return default_tz()


@hookimpl
def prepare_connection(conn):
    conn.create_function("fts_words", 1, fts_words, deterministic=True)
    conn.create_function("meetup_timezone", 0, meetup_timezone)
    # the time limit cannot stop a single function call: bound what one can cost
    limit_connection(conn)
    # reads through mmap skip a read() per page: a facet over 10,000 search
    # hits went from ~60 ms to ~20 ms (bench/datasette.py); writes are unaffected
    conn.execute("pragma mmap_size = 536870912")


def year_counts_sql(sql: str, col: str) -> str:
    """``value, count`` per year of ``col`` among the rows of ``sql``.

    A whole table (no WHERE) is counted year by year as ranges of the column's
    index: a few index seeks per year instead of a GROUP BY over every row
    (2 ms instead of 40 ms over 100,000 videos). A filtered list (a search)
    is grouped, since each range count would rerun the filter.
    """
    if not re.search(r"\bwhere\b", sql, re.I):
        return (
            # min() and max() each on their own: one index seek apiece
            "with recursive bounds(lo, hi) as (select"
            "  cast(substr((select min({col}) from ({sql}) where {col} >= '0000'), 1, 4) as integer),"
            "  cast(substr((select max({col}) from ({sql}) where {col} < '9999~'), 1, 4) as integer)),"
            " years(y) as (select lo from bounds where lo is not null"
            "  union all select y + 1 from years, bounds where y < hi),"
            " counted(y, n) as (select y, (select count(*) from ({sql})"
            "  where {col} >= printf('%04d', y) and {col} < printf('%04d', y + 1)) from years)"
            " select printf('%04d', y) as value, n as count from counted where n > 0 order by y desc"
        ).format(col=col, sql=sql)
    # no WHERE on the raw column: the GROUP BY then reads only the column's
    # index; values that are not years are dropped by the caller
    return (
        "select substr({col}, 1, 4) as value, count(*) as count from ({sql}) "
        "group by value order by value desc limit 1000"
    ).format(col=col, sql=sql)


class YearFacet(Facet):
    """Facet an ISO 8601 date or time column by its year.

    ``facets: [{year: published_at}]`` in metadata.yml, or ``?_facet_year=COL``.
    Selecting a year adds ``COL__glob=YYYY-*``: GLOB on a text prefix can use
    the column's index, LIKE cannot.
    """

    type = "year"

    async def suggest(self):
        return []

    async def facet_results(self):
        results, timed_out = [], []
        args = dict(self.get_querystring_pairs())
        size = self.get_facet_size()
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            column = config.get("column") or config["simple"]
            sql = year_counts_sql(self.sql, escape_sqlite(column))
            try:
                rows = await self.ds.execute(
                    self.database, sql, self.params, truncate=False,
                    custom_time_limit=self.ds.setting("facet_time_limit_ms"),
                )
            except QueryInterrupted:
                timed_out.append(column)
                continue
            key = f"{column}__glob"
            values = []
            years = [row for row in rows.rows if re.fullmatch(r"[0-9]{4}", row["value"] or "")]
            for row in years[:size]:
                pattern = f"{row['value']}-*"
                selected = args.get(key) == pattern
                path = (
                    path_with_removed_args(self.request, {key: pattern})
                    if selected
                    else path_with_added_args(self.request, {key: pattern})
                )
                values.append({
                    "value": row["value"], "label": row["value"], "count": row["count"],
                    "toggle_url": self.ds.absolute_url(self.request, path), "selected": selected,
                })
            results.append({
                "name": column, "type": self.type, "results": values,
                "hideable": source_and_config["source"] != "metadata",
                "toggle_url": path_with_removed_args(self.request, {"_facet_year": column}),
                "truncated": len(years) > size,
            })
        return results, timed_out


@hookimpl
def register_facet_classes():
    return [YearFacet]


# a name after FROM/JOIN, unless it is a table-valued function such as json_each(...)
_TABLE_REF = re.compile(r"\b(?:from|join)\s+\[?([A-Za-z_][A-Za-z0-9_]*)\b\]?(?!\s*\()", re.I)
_CTE_NAME = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\s+as\s*\(", re.I)


def tables_used(sql: str) -> set[str]:
    """Tables and views a query reads (common table expressions left out)."""
    return set(_TABLE_REF.findall(sql)) - set(_CTE_NAME.findall(sql))


# Datasette merges what ``canned_queries`` returns into its own metadata (dict.update,
# in place): a replaced query keeps the one it replaced here, to be put back once
# the tables exist (`serve` switches to the file a later sync writes, same process)
_REPLACED = "mi_replaced_query"


@hookimpl
def canned_queries(datasette, database):
    """A canned query over tables this database lacks (no Drive archive, not matched
    yet) says which tables it needs instead of failing with "no such table"."""

    async def inner():
        queries = datasette.metadata("queries", database=database, fallback=False) or {}
        db = datasette.get_database(database)
        existing = set(await db.table_names()) | set(await db.view_names())
        changed = {}
        for name, query in queries.items():
            query = {"sql": query} if isinstance(query, str) else dict(query)
            original = query.pop(_REPLACED, None)
            query = original or query
            missing = sorted(tables_used(query.get("sql", "")) - existing)
            if missing:
                note = "This database has no {} table yet: run `meetup-indexer sync` with that source.".format(
                    ", ".join(missing)
                )
                replaced = {k: v for k, v in query.items() if k != "params"}
                replaced["sql"] = "select {} as missing".format("'" + note.replace("'", "''") + "'")
                replaced[_REPLACED] = query
                changed[name] = replaced
            elif original:
                changed[name] = original
        return changed

    return inner


# Datasette 0.65 lists every column description above the rows, one per two
# lines: a compact grid keeps the rows on the first screen
SITE_CSS = """
dl.column-descriptions { display: grid; grid-template-columns: repeat(2, max-content minmax(0, 1fr));
  gap: 0.1em 0.8em; font-size: 0.85em; align-items: baseline; }
dl.column-descriptions dt { font-weight: bold; }
dl.column-descriptions dd { margin: 0; color: #555; }
@media (max-width: 800px) { dl.column-descriptions { grid-template-columns: max-content minmax(0, 1fr); } }
.mi-player iframe { max-width: 100%; }
img.mi-thumb { height: auto; max-width: 100%; }
"""


async def site_css():
    return Response(SITE_CSS, content_type="text/css; charset=utf-8", headers={"cache-control": "max-age=3600"})


@hookimpl
def register_routes():
    return [(r"^/-/meetup-indexer\.css$", site_css)]


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.path("/-/meetup-indexer.css")]
