"""The Datasette site: metadata, canned queries, feeds, players and safety.

A real Datasette app, opened immutable with the repo's metadata.yml and this
project's plugin, over a database synced from the seed notes plus videos,
chapters and links in the contract's columns.
"""
import asyncio
import re
import xml.etree.ElementTree as ET

import pytest
import sqlite_utils
from click.testing import CliRunner
from markupsafe import escape

from indexer.cli import REPO_ROOT, cli
from indexer.site.plugin import fts_words, hms, tables_used, year_counts_sql

EGRESS_ID = "2021-02-09/flyte-egress-events"


@pytest.fixture
def notes_only(seed_db, site_app):
    return site_app(seed_db)


def rows(ds, path):
    r = ds.get(path + ("&" if "?" in path else "?") + "_shape=array")
    assert r.status_code == 200, r.text[:500]
    return r.json()


def undescribed(db, metadata: dict) -> list[str]:
    tables = metadata["databases"]["index"]["tables"]
    missing = []
    for name in db.table_names() + db.view_names():
        if "_fts" in name:
            continue
        described = tables.get(name) or {}
        if not described.get("description"):
            missing.append(name)
        columns = described.get("columns") or {}
        missing += [f"{name}.{c}" for c in db[name].columns_dict if not columns.get(c)]
    return missing


def test_every_table_and_column_is_described(site_db, site_metadata):
    db = sqlite_utils.Database(site_db)
    assert {"videos", "chapters", "playlists", "drive_files", "recordings", "talks_with_recordings"} <= set(
        db.table_names() + db.view_names()
    )
    assert undescribed(db, site_metadata) == []


@pytest.mark.skipif(not (REPO_ROOT / "data/sample/recording").is_dir(), reason="no bundled sample recording")
def test_demo_database_is_described(tmp_path, seed_path, site_metadata):
    """The database `make demo` builds: notes, the replayed channel and Drive tree, the matches."""
    db_path = tmp_path / "index.db"
    result = CliRunner().invoke(
        cli, ["sync", str(db_path), str(seed_path), "--replay", str(REPO_ROOT / "data/sample/recording"), "-q"]
    )
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(db_path)
    assert db["videos"].count > 0 and db["talk_recordings"].count > 0
    assert undescribed(db, site_metadata) == []


def test_units_are_named_in_descriptions(site_metadata):
    tables = site_metadata["databases"]["index"]["tables"]
    for table, described in tables.items():
        for column, text in (described.get("columns") or {}).items():
            if column.endswith("_s"):
                assert "seconds" in text, f"{table}.{column}"
    assert "bytes" in tables["drive_files"]["columns"]["size"]


def test_fts_tables_hidden_and_search_configured(site):
    r = site.get("/index.json")
    listed = {t["name"]: t for t in r.json()["tables"]}
    fts = [name for name in listed if "_fts" in name]
    assert "talks_fts_data" in fts and "videos_fts" in fts
    assert all(listed[name]["hidden"] for name in fts)
    assert not listed["talks"]["hidden"]
    for table in ("meetings", "talks", "videos"):
        assert listed[table]["fts_table"] == f"{table}_fts"


def test_full_text_search_on_meetings_talks_and_videos(site):
    assert [r["title"] for r in rows(site, "/index/talks.json?_search=egress")] == ["Flyte Egress Events"]
    assert [r["id"] for r in rows(site, "/index/meetings.json?_search=bazel")] == ["2021-02-09"]
    assert [r["id"] for r in rows(site, "/index/videos.json?_search=egress")] == ["iHBUxzSC9XE"]
    assert rows(site, "/index/talks.json?_search=kubernetesnowhere") == []


def test_find_a_talk_links_to_the_talk_second(site, egress_start_s):
    found = rows(site, "/index/find_a_talk.json?words=egress")
    assert len(found) == 1
    talk = found[0]
    assert talk["talk"] == "Flyte Egress Events"
    assert set(talk["presenters"].split(", ")) == {"Sonja", "Katrina", "Nian"}
    assert talk["organisations"] == "Spotify"
    assert talk["meeting_date"] == "2021-02-09"
    assert talk["link"] == f"https://www.youtube.com/watch?v=iHBUxzSC9XE&t={egress_start_s}s"
    # presenters and prefixes are searched too
    assert [r["talk"] for r in rows(site, "/index/find_a_talk.json?words=Miguel")] == [
        "Flyte at Lyft L5 Autonomous cars using Bazel"
    ]
    assert [r["talk"] for r in rows(site, "/index/find_a_talk.json?words=egre")] == ["Flyte Egress Events"]


def test_find_a_talk_without_moment_falls_back_to_meeting_video(notes_only):
    # no talk_recordings: the query says so rather than failing
    found = rows(notes_only, "/index/find_a_talk.json?words=egress")
    assert "talk_recordings" in found[0]["missing"]


@pytest.mark.parametrize("words", ['"egress', "egress AND (", "NEAR(", "-", "*", "'; drop table talks; --"])
def test_find_a_talk_never_a_syntax_error(site, words):
    r = site.get("/index/find_a_talk.json?_shape=array&words=" + words.replace("&", "%26"))
    assert r.status_code == 200


def test_fts_words_quotes_every_word():
    assert fts_words('egress "AND (x') == '"egress" "AND" "x"*'
    assert fts_words("") == '""'


def test_find_a_talk_page_renders_a_watch_link(site, egress_start_s):
    r = site.get("/index/find_a_talk?words=egress")
    assert r.status_code == 200
    href = f'href="https://www.youtube.com/watch?v=iHBUxzSC9XE&amp;t={egress_start_s}s"'
    assert href in r.text
    assert f"▶ {hms(egress_start_s)}" in r.text


def test_row_pages_play_from_the_talk_second(site, egress_start_s):
    embed = f"https://www.youtube-nocookie.com/embed/iHBUxzSC9XE?start={egress_start_s}"
    page = site.get("/index/talk_recordings/2021-02-09~2Fflyte-egress-events,iHBUxzSC9XE")
    assert page.status_code == 200
    assert f'<iframe width="560" height="315" src="{embed}"' in page.text
    talk_page = site.get("/index/talks/2021-02-09~2Fflyte-egress-events")
    assert f'src="{embed}"' in talk_page.text
    # a table page lists links, not a wall of players
    listing = site.get("/index/talk_recordings")
    assert "<iframe" not in listing.text
    assert f"&amp;t={egress_start_s}s" in listing.text
    meeting_page = site.get("/index/meetings/2021-02-09")
    assert 'src="https://www.youtube-nocookie.com/embed/iHBUxzSC9XE"' in meeting_page.text
    video_page = site.get("/index/videos/iHBUxzSC9XE")
    assert 'src="https://www.youtube-nocookie.com/embed/iHBUxzSC9XE"' in video_page.text


def test_chapter_times_open_the_video_there(site, egress_start_s):
    r = site.get("/index/chapters")
    href = f'<a href="https://www.youtube.com/watch?v=iHBUxzSC9XE&amp;t={egress_start_s}s" title="{egress_start_s} seconds">'
    assert href + f"{hms(egress_start_s)}</a>" in r.text
    # the JSON keeps plain seconds
    assert [c["start_s"] for c in rows(site, "/index/chapters.json?_sort=start_s")] == [0, egress_start_s, 1800]


def test_thumbnails_are_images_and_seconds_readable(site):
    r = site.get("/index/videos")
    assert '<img class="mi-thumb" src="https://i.ytimg.com/vi/iHBUxzSC9XE/hqdefault.jpg"' in r.text
    assert '<span title="3725 seconds">1:02:05</span>' in r.text
    # a thumbnail URL that tries to break out of the attribute is not made an image
    assert not re.search(r"<img[^>]*onerror", r.text)
    assert 'src="https://i.ytimg.com/vi/x/a.jpg' not in r.text
    assert "a.jpg&#34; onerror=&#34;alert(3)" in r.text  # shown as text


def test_hostile_title_and_description_are_text(site):
    escaped = str(escape('<script>alert("pwned")</script>'))
    for path in (
        "/index/videos",
        "/index/videos/hostile0001",
        "/index/latest_recordings",
        "/index/recordings_without_a_meeting",
        "/index/videos?_search=friends",
    ):
        r = site.get(path)
        assert r.status_code == 200, path
        assert "<script>alert" not in r.text, path
        assert "<img src=x" not in r.text, path
        assert 'href="javascript:' not in r.text, path
        assert escaped in r.text, path
    row = site.get("/index/videos/hostile0001").text
    # the player's title attribute is the video title, escaped
    assert 'title="&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;' in row
    # the description went through Markdown and Bleach: the script is text
    assert "&lt;script&gt;alert(" in row and "desc" in row


def test_notes_rendered_from_markdown(site):
    r = site.get("/index/meetings/2021-02-09")
    assert "<li>Flyte Egress Events [Sonja - Katrina - Nian - Spotify]</li>" in r.text
    assert '<a href="https://flyte.readthedocs.io/en/latest/introduction/roadmap.html' in r.text
    r = site.get("/index/talks/2021-02-09~2Fflyte-egress-events")
    assert "<li>Spotify is working on lineage integration" in r.text
    # JSON API keeps the markdown as written
    assert rows(site, "/index/talks.json?_search=egress")[0]["notes"].startswith("* Spotify")


def test_facets_narrow_the_lists(site):
    data = site.get("/index/videos.json").json()
    years = {f["value"]: f["count"] for f in data["facet_results"]["published_at"]["results"]}
    assert years == {"2021": 1, "2022": 2}
    narrowed = rows(site, "/index/videos.json?published_at__glob=2022-*")
    assert {r["id"] for r in narrowed} == {"hostile0001", "conftalk001"}
    orgs = site.get("/index/talk_presenters.json").json()["facet_results"]["organization_id"]["results"]
    assert {o["label"]: o["count"] for o in orgs} == {"Spotify": 3, "Lyft L5": 1, "OSC": 1}
    presenters = site.get("/index/talk_presenters.json").json()["facet_results"]["person_id"]["results"]
    assert {p["label"] for p in presenters} >= {"Nian", "Miguel", "Ketan"}
    assert {"source", "method"} <= set(site.get("/index/recordings.json").json()["facet_results"])
    assert "method" in site.get("/index/talk_recordings.json").json()["facet_results"]
    assert "year" in site.get("/index/meetings.json").json()["facet_results"]


def test_label_columns_and_newest_first(site):
    talk = rows(site, "/index/talks.json?_labels=on&id=" + EGRESS_ID.replace("/", "%2F"))[0]
    assert talk["meeting_id"] == {"value": "2021-02-09", "label": "Feb 9, 2021"}
    link = rows(site, "/index/talk_recordings.json?_labels=on")[0]
    assert link["talk_id"]["label"] == "Flyte Egress Events"
    assert link["video_id"]["label"] == "Flyte community sync Feb 9, 2021"
    assert [v["id"] for v in rows(site, "/index/videos.json")] == ["conftalk001", "hostile0001", "iHBUxzSC9XE"]


def test_calendar_feed(site, monkeypatch):
    monkeypatch.delenv("MEETUP_TIMEZONE", raising=False)
    r = site.get("/index/meetings_calendar.ics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/calendar")
    body = r.text.replace("\r\n", "\n")
    assert "UID:2021-02-09@meetup-indexer" in body
    assert "DTSTART;TZID=America/Los_Angeles:20210209T000000" in body
    assert "DURATION:P1D" in body
    assert "SUMMARY:Community meeting 2021-02-09" in body
    assert "Flyte Egress Events" in body
    # the organiser's zone, as the matcher reads it
    monkeypatch.setenv("MEETUP_TIMEZONE", "Asia/Tokyo")
    assert "DTSTART;TZID=Asia/Tokyo:20210209T000000" in site.get("/index/meetings_calendar.ics").text


def test_atom_feed_of_new_recordings(site, hostile_title):
    r = site.get("/index/latest_recordings.atom")
    assert r.status_code == 200
    feed = ET.fromstring(r.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", ns)
    assert [e.find("a:id", ns).text for e in entries] == [
        f"https://www.youtube.com/watch?v={v}" for v in ("conftalk001", "hostile0001", "iHBUxzSC9XE")]
    titles = {e.find("a:id", ns).text.rsplit("=", 1)[1]: e.find("a:title", ns).text for e in entries}
    assert titles["hostile0001"] == hostile_title  # XML-escaped on the wire, intact once parsed
    assert b"<script>" not in r.content
    link = entries[2].find("a:link", ns).get("href")
    assert link == "https://www.youtube.com/watch?v=iHBUxzSC9XE"
    assert all(e.find("a:author/a:name", ns).text for e in entries)  # Atom requires an author


def test_meetings_and_recordings_without_each_other(tmp_path, site_app, build_site_db):
    notes = tmp_path / "notes.md"
    notes.write_text(
        "# Notes\n\n## Feb 9, 2021\n\n### [YouTube Video](https://www.youtube.com/watch?v=iHBUxzSC9XE)\n\n"
        "### Agenda:\n* Flyte Egress Events [Nian - Spotify]\n\n"
        "## March 9, 2021\n\n### Agenda:\n* Nobody pressed record [Ketan - OSC]\n\n"
        "## March 23, 2021 - cancelled, no call\n"
    )
    ds = site_app(build_site_db(tmp_path, notes=notes))
    without = rows(ds, "/index/meetings_without_a_recording.json")
    assert [m["meeting_date"] for m in without] == ["2021-03-09"]
    db = sqlite_utils.Database(tmp_path / "index.db")
    db["recordings"].update("2021-02-09:drive:zoomfile0209", {"confidence": 0.4})
    db.conn.close()
    ds = site_app(tmp_path / "index.db")
    check = rows(ds, "/index/links_to_check.json")
    assert [(c["meeting_id"], c["ref"], c["confidence"]) for c in check] == [("2021-02-09", "zoomfile0209", 0.4)]
    orphans = rows(ds, "/index/recordings_without_a_meeting.json")
    assert [(o["source"], o["ref"]) for o in orphans] == [
        ("youtube", "conftalk001"), ("youtube", "hostile0001"), ("drive", "zoomfile0511")
    ]
    by_org = rows(ds, "/index/talks_by_organisation.json?organisation=osc")
    assert [(r["organisation"], r["talk"]) for r in by_org] == [("OSC", "Nobody pressed record")]
    everyone = rows(ds, "/index/talks_by_organisation.json?organisation=")
    assert [r["organisation"] for r in everyone] == ["OSC", "Spotify"]


def test_queries_over_missing_tables_name_them(notes_only):
    out = rows(notes_only, "/index/latest_recordings.json")
    assert out == [{"missing": "This database has no channels, recordings, videos table yet: "
                    "run `meetup-indexer sync` with that source."}]
    # queries over the notes tables are untouched
    assert rows(notes_only, "/index/talks_by_organisation.json?organisation=Spotify")[0]["organisation"] == "Spotify"


def test_tables_used():
    assert tables_used("with x as (select 1) select * from x join [videos] v where a in (select b from recordings)") == {
        "videos", "recordings"
    }
    assert tables_used("select * from json_each('[1]')") == set()


def test_site_is_read_only(site, site_metadata):
    queries = site_metadata["databases"]["index"]["queries"]
    assert not [name for name, q in queries.items() if isinstance(q, dict) and q.get("write")]
    r = site.get("/index.json?sql=" + "delete from talks")
    assert r.status_code == 400
    assert len(rows(site, "/index/talks.json")) == 3
    async def post():
        return await site.client.post("/index/find_a_talk", data={"words": "egress"})

    refused = asyncio.run(post())
    assert (refused.status_code, refused.headers["allow"]) == (405, "GET, HEAD, OPTIONS")
    databases = site.get("/-/databases.json").json()
    assert [(d["name"], d["is_mutable"]) for d in databases] == [("index", False)]


def test_search_all_lists_the_searchable_tables(site):
    r = site.get("/-/search?q=egress")
    assert r.status_code == 200
    for table in ("meetings", "talks", "videos"):
        assert f"/index/{table}.json" in r.text


def test_year_counts_whole_table_and_filtered_agree():
    import sqlite3

    conn = sqlite3.connect(":memory:")
    conn.execute("create table v (id text, at text)")
    conn.execute("create index v_at on v (at)")
    values = ["2019-12-31T23:59:59Z", "2021-01-01", "2021-06-30T10:00:00+00:00", "2024-02-29", None, "", "n/a",
              "0999-01-01", "2024"]
    conn.executemany("insert into v values (?, ?)", [(str(i), at) for i, at in enumerate(values)])
    whole = conn.execute(year_counts_sql("select id, at from v ", "[at]")).fetchall()
    grouped = [
        row for row in conn.execute(year_counts_sql("select id, at from v where 1", "[at]")).fetchall()
        if re.fullmatch(r"[0-9]{4}", row[0] or "")
    ]
    assert whole == grouped == [("2024", 2), ("2021", 2), ("2019", 1), ("0999", 1)]


def test_site_css_keeps_descriptions_compact(site):
    page = site.get("/index/videos")
    assert '<link rel="stylesheet" href="/-/meetup-indexer.css">' in page.text
    css = site.get("/-/meetup-indexer.css")
    assert css.headers["content-type"].startswith("text/css")
    assert "dl.column-descriptions" in css.text


def test_canned_queries_answer_once_a_later_sync_adds_their_tables(tmp_path, seed_db, site_db, site_app):
    """`serve` switches to the file a later sync writes, in the same process: a canned query
    that said its tables were missing answers again (Datasette keeps what the plugin
    returned in its metadata)."""
    import os
    import time

    from indexer.site import live_file

    served = tmp_path / "served" / "index.db"  # the name metadata.yml describes
    served.parent.mkdir()
    served.write_bytes(seed_db.read_bytes())
    ds = site_app(served)
    path = "/index/latest_recordings.json?_shape=array"
    assert "has no channels, recordings, videos table yet" in ds.get(path).text
    os.replace(site_db, served)
    time.sleep(live_file.CHECK_INTERVAL_S * 1.5)  # the file is looked at no more often than that
    assert {r["url"].rsplit("=", 1)[1] for r in ds.get(path).json()} == {"iHBUxzSC9XE", "hostile0001", "conftalk001"}


def test_images_only_from_the_api_image_hosts(site):
    from indexer.common.urls import safe_image_url

    assert safe_image_url("https://i.ytimg.com/vi/x/hqdefault.jpg")
    assert safe_image_url("https://yt3.ggpht.com/abc=s88")
    assert safe_image_url("https://lh3.googleusercontent.com/d/abc=s220")
    assert safe_image_url("/-/static/logo.png")
    for url in ("https://elsewhere.example/x.png", "https://ytimg.com.evil.example/x.png", "//elsewhere.example/x",
                "http://i.ytimg.com/vi/x/a.jpg", "javascript:alert(1)"):
        assert safe_image_url(url) is None, url
    # a query may name a column thumbnail_url; a foreign address stays text
    r = site.get("/index?sql=select+%27https://elsewhere.example/x.png%27+as+thumbnail_url")
    assert r.status_code == 200
    assert 'src="https://elsewhere.example' not in r.text and "https://elsewhere.example/x.png" in r.text
