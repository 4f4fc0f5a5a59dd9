"""Datasette plugin: pages people use (a meeting, a talk, a person, a series, the home page).

A package of its own (the ``meetup_indexer_pages`` entry point) so Datasette
finds its ``templates/`` and ``static/`` folders; the data each page shows
comes from :mod:`indexer.site.pages.data` through ``extra_template_vars``.
Templates escape every value (Jinja autoescape); notes are Markdown rendered
and sanitised with Bleach by datasette-render-markdown.
"""
from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from datasette import hookimpl
from datasette.utils import urlsafe_components
from datasette.utils.asgi import Response
from datasette_render_markdown import render_markdown
from jinja2 import FileSystemLoader
from markupsafe import Markup

from indexer.site.pages import charts, data, feeds, series

DATABASE = "index"
TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")
STATIC_TYPES = {"pages.js": "text/javascript; charset=utf-8", "pages.css": "text/css; charset=utf-8"}
# template -> the table whose row pages it draws
ROW_PAGES = {
    f"row-{DATABASE}-meetings.html": "meetings",
    f"row-{DATABASE}-talks.html": "talks",
    f"row-{DATABASE}-people.html": "people",
    f"row-{DATABASE}-organizations.html": "organizations",
    f"row-{DATABASE}-series.html": "series",
}
# a series id as a canned query shows it (series_overview, meetings_without_a_recording)
_SERIES_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,100}")


@hookimpl
def prepare_jinja2_environment(env, datasette):
    """Our templates before other plugins' (datasette-search-all has an index.html too):
    Datasette orders plugin template folders as pluggy's set of plugins comes,
    which changes from run to run. A --template-dir keeps the first place."""
    loader = next((lo for lo in getattr(env.loader, "loaders", []) if isinstance(lo, FileSystemLoader)), None)
    if loader is None:
        return
    ours = str(TEMPLATES)
    paths = [p for p in loader.searchpath if p != ours]
    at = 1 if datasette.template_dir and paths and paths[0] == datasette.template_dir else 0
    loader.searchpath[:] = paths[:at] + [ours] + paths[at:]


def markdown(text) -> str:
    return render_markdown(text or "")


def _pk(request) -> str | None:
    pks = (request.url_vars or {}).get("pks") if request else None
    if not pks:
        return None
    parts = urlsafe_components(pks)
    return parts[0] if len(parts) == 1 else None


def _description(text: str, limit: int = 200) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _site_title(datasette) -> str:
    return datasette.metadata("title") or "Datasette"


async def _page(datasette, database, table, key):
    if table == "meetings":
        return await data.meeting_page(datasette, database, key)
    if table == "talks":
        return await data.talk_page(datasette, database, key)
    if table == "series":
        return await series.series_page(datasette, database, key)
    return await data.presenter_page(datasette, database, table, key)


def _meta_for(page, table, site) -> dict:
    """Title, description and image for <title> and Open Graph, from what the page shows."""
    if table == "meetings":
        m = page["meeting"]
        talks = page["talks"]
        about = "; ".join(
            t["title"] + (" (" + ", ".join(p["name"] for p in t["presenters"]) + ")" if t["presenters"] else "")
            for t in talks
        )
        title = f"{m['title'] or m['date']} · {page['series'] or site}"
        desc = f"Meeting of {page['long_date']}: " + (about or "no agenda in the notes") + "."
        return {"title": title, "description": _description(desc), "image": page["thumbnail"], "type": "video.other"
                if page["player"] else "website"}
    if table == "talks":
        t = page["talk"]
        who = ", ".join(p["name"] for p in t["presenters"])
        at = f" at {t['seek']['label']}" if t["seek"] else ""
        desc = f"{t['title']}" + (f" by {who}" if who else "") + f", meeting of {page['long_date']}{at}."
        return {"title": f"{t['title']} · {site}", "description": _description(desc), "image": page["thumbnail"],
                "type": "video.other" if page["player"] else "website"}
    if table == "series":
        name = page["series"]["name"] or page["series"]["id"]
        return {"title": f"{name} · {site}", "description": _description(f"{name}: {page['summary']}."),
                "image": None, "type": "website"}
    who = page["who"]["name"]
    return {"title": f"{who} · {site}", "description": f"{who}: {page['summary']}, newest first.",
            "image": None, "type": "profile" if page["kind"] == "person" else "website"}


async def _generic_meta(datasette, database, table, view_name, request) -> dict:
    """Every other page: its own name and the site's description; a video's page shows its thumbnail."""
    site = _site_title(datasette)
    description = datasette.metadata("description_html") or datasette.metadata("description") or ""
    image = None
    title = site
    if database and table:
        title = f"{table} · {site}"
        described = datasette.metadata("description", database=database, table=table)
        if described:
            description = described
        key = _pk(request) if view_name == "row" else None
        if key and table == "videos":
            reader = data.Reader(datasette.get_database(database))
            video = await data.video_info(reader, key)
            if video:
                title = f"{video['title']} · {site}"
                image = data.safe_thumbnail(video.get("thumbnail_url"))
    elif database:
        title = f"{database} · {site}"
    description = re.sub(r"<[^>]+>", "", description)
    return {"title": title, "description": _description(description), "image": image, "type": "website"}


async def _canned_chart(datasette, name: str, request):
    """The picture a canned query draws, from the query as metadata.yml (and the plugins) define it."""
    query = await datasette.get_canned_query(DATABASE, name, request.actor if request else None)
    if not query:
        return None
    results = await datasette.execute(DATABASE, query["sql"], {})
    return charts.chart_for(name, results.rows)


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    async def inner():
        extra = {"mi_markdown": markdown, "mi_chart": charts.chart_for, "mi_js": datasette.urls.path("/-/mi-pages/pages.js"),
                 "mi_css": datasette.urls.path("/-/mi-pages/pages.css")}
        site = _site_title(datasette)
        page = None
        if template in ROW_PAGES and database == DATABASE and table == ROW_PAGES[template]:
            key = _pk(request)
            page = await _page(datasette, database, table, key) if key is not None else None
            if page:
                extra["mi_page"] = page
                extra["mi_meta"] = _meta_for(page, table, site)
        elif view_name == "index" and DATABASE in datasette.databases:
            home = await data.home_page(datasette, DATABASE)
            if home:
                home["chart"] = await _canned_chart(datasette, "meetings_per_month", request)
                home["series"] = await series.series_list(datasette, DATABASE)
                extra["mi_home"] = home
                extra["mi_meta"] = {"title": site, "description": _description(
                    f"{home['sentence']}. Search the talks, meetings, videos and what was said; every talk opens at its minute."),
                    "image": next((m["main"]["thumbnail"] for m in home["latest"] if m["main"]), None),
                    "type": "website"}
        if view_name == "mi_search":
            words = (request.args.get("q") or "").strip() if request else ""
            extra["mi_meta"] = {"title": (f"Search: {words} · " if words else "Search · ") + site,
                                "description": "Talks, meetings and videos of the community's meetings.",
                                "image": None, "type": "website"}
        if "mi_meta" not in extra:
            extra["mi_meta"] = await _generic_meta(datasette, database, table, view_name, request)
        extra["mi_meta"]["site"] = site
        if request is not None:
            extra["mi_meta"]["url"] = datasette.absolute_url(request, request.path)
        return extra

    return inner


@hookimpl
def render_cell(value, column, table, database, datasette):
    """A canned query's ``series`` column leads to the series' page (a table's series_id already
    does: it is a foreign key)."""
    if table is None and database == DATABASE and column == "series" and isinstance(value, str) \
            and _SERIES_ID.fullmatch(value):
        return Markup('<a href="{}">{}</a>').format(data.row_path(datasette, database, "series", value), value)
    return None


async def sitemap(datasette, request):
    if DATABASE not in datasette.databases:
        paths = [datasette.urls.instance()]
    else:
        paths = await data.sitemap_paths(datasette, DATABASE)
    body = ['<?xml version="1.0" encoding="UTF-8"?>',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    body += [f"<url><loc>{xml_escape(datasette.absolute_url(request, path))}</loc></url>" for path in paths]
    body.append("</urlset>")
    return Response("\n".join(body) + "\n", content_type="application/xml; charset=utf-8")


MAX_WORDS = 200


async def find(datasette, request):
    """/-/find?q=words: talks (with their ▶ minute), meetings and videos, from one box."""
    words = (request.args.get("q") or "")[:MAX_WORDS]
    found = await data.search(datasette, DATABASE, words) if DATABASE in datasette.databases else {}
    html = await datasette.render_template(
        "mi_search.html", {"mi_q": words.strip(), "mi_found": found}, request=request, view_name="mi_search"
    )
    return Response.html(html)


async def static(request):
    name = request.url_vars["name"]
    return Response((STATIC / name).read_text(), content_type=STATIC_TYPES[name],
                    headers={"cache-control": "max-age=3600"})


@hookimpl
def register_routes(datasette):
    return [
        (r"^/sitemap\.xml$", sitemap),
        (r"^/-/find$", find),
        (r"^/-/mi-pages/(?P<name>pages\.(?:js|css))$", static),
        *feeds.feed_routes(datasette, DATABASE),
    ]
