"""The pages people use: a meeting, a talk, a person, an organisation, the home page, feeds.

A real Datasette app with the project's plugins over a database synced from
notes (the seed, or small notes written here) plus recordings saved by the
harvesters' writers (the ``site_db`` and ``build_site_db`` fixtures, tests/conftest.py).
"""
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlparse

import icalendar
import pytest
import sqlite_utils
from markupsafe import escape

EGRESS = "/index/talks/2021-02-09~2Fflyte-egress-events"
MEETING = "/index/meetings/2021-02-09"

TWO_MEETINGS = """# Community notes

## March 9, 2021

### Agenda:
* Egress, the sequel [Nian - Spotify]
* A talk by somebody else [Ketan - OSC]

### Notes
Egress, the sequel (Nian)
* events are **enriched** now

## Feb 9, 2021

### [YouTube Video](https://www.youtube.com/watch?v=iHBUxzSC9XE)

### Agenda:
* Flyte Egress Events [Sonja - Katrina - Nian - Spotify]
* Flyte at Lyft L5 Autonomous cars using Bazel [Miguel - Lyft L5]
* Planning [Ketan - OSC]
"""

HOSTILE_TALK = '<script>alert("talk")</script><img src=x onerror=alert(1)>'
HOSTILE_NOTE = '<script>alert("notes")</script> see [this](javascript:alert(2))'


class Page(HTMLParser):
    """Elements by tag, with their attributes, and the page's visible text."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def find(self, tag, **attrs) -> list[dict]:
        return [a for t, a in self.tags if t == tag and all(
            (a.get(k.rstrip("_")) or "").split().__contains__(v) if k == "class_" else a.get(k) == v
            for k, v in attrs.items())]

    def meta(self, prop: str) -> str | None:
        found = [a.get("content") for t, a in self.tags if t == "meta" and prop in (a.get("property"), a.get("name"))]
        return found[0] if found else None


def page(ds, path) -> tuple[str, Page]:
    r = ds.get(path)
    assert r.status_code == 200, (path, r.text[:500])
    return r.text, Page(r.text)


@pytest.fixture
def two_meetings(tmp_path, site_app, build_site_db):
    notes = tmp_path / "notes.md"
    notes.write_text(TWO_MEETINGS)
    return site_app(build_site_db(tmp_path, notes=notes))


def agenda(html: str) -> list[str]:
    block = html.split('<ol class="mi-agenda">', 1)[1].split("</ol>", 1)[0]
    return re.findall(r'class="mi-talk-title" href="[^"]+">([^<]+)</a>', block)


def test_meeting_page_shows_the_agenda_player_and_recordings(site, egress_start_s):
    html, doc = page(site, MEETING)
    assert agenda(html) == ["Flyte Egress Events", "Flyte at Lyft L5 Autonomous cars using Bazel", "Planning"]
    # the page's own player, driven through the IFrame API
    (frame,) = doc.find("iframe", id="mi-player")
    src = urlparse(frame["src"])
    assert (src.hostname, src.path) == ("www.youtube-nocookie.com", "/embed/iHBUxzSC9XE")
    assert parse_qs(src.query)["enablejsapi"] == ["1"]
    assert frame["title"].endswith("Flyte community sync Feb 9, 2021")
    # the talk with a moment seeks the player; the others have no ▶ (no moment found)
    talks = Page(html.split('<ol class="mi-agenda">', 1)[1].split("</ol>", 1)[0])
    seeks = talks.find("a", class_="mi-seek")
    egress = [a for a in seeks if a["aria-label"].endswith("Flyte Egress Events")]
    assert len(seeks) == 1
    assert [(a["data-video"], a["data-start"]) for a in egress] == [("iHBUxzSC9XE", str(egress_start_s))]
    assert egress[0]["href"] == f"https://www.youtube.com/watch?v=iHBUxzSC9XE&t={egress_start_s}s"
    # presenters and organisations link to their pages
    assert doc.find("a", href="/index/people/nian") and doc.find("a", href="/index/organizations/spotify")
    # chapters of the video, each seeking the player
    chapters = html.split('<ol class="mi-chapters">', 1)[1].split("</ol>", 1)[0]
    assert re.findall(r'data-start="(\d+)"', chapters) == ["0", str(egress_start_s), "1800"]
    # the script that drives the player is served
    assert doc.find("script", src="/-/mi-pages/pages.js")
    js = site.get("/-/mi-pages/pages.js")
    assert js.headers["content-type"].startswith("text/javascript") and "seekTo" in js.text


def test_meeting_page_says_how_each_recording_was_matched(site):
    html, doc = page(site, MEETING)
    recordings = html.split('<ul class="mi-recordings">', 1)[1].split("</ul>", 1)[0]
    assert "Flyte community sync Feb 9, 2021" in recordings
    assert "GMT20210209-170012_Recording_1920x1080.mp4" in recordings
    assert doc.find("a", href="https://drive.google.com/file/d/zoomfile0209/view")
    assert "matched on the date it was recorded or published, 95% sure" in recordings
    assert str(escape("Zoom file recorded 2021-02-09 17:00 UTC, 9:00 Pacific on the meeting day")) in recordings
    # how to correct it, with this meeting's id and this recording's ref
    assert '"2021-02-09":\n    forbid: [zoomfile0209]' in recordings
    assert "data/overrides.yml" in recordings


def test_meeting_page_renders_the_notes(site):
    html, _ = page(site, MEETING)
    notes = html.split('<section class="mi-notes"', 1)[1].split("</section>", 1)[0]
    assert "<li>Spotify is working on lineage integration" in notes
    assert '<a href="https://flyte.readthedocs.io/en/latest/introduction/roadmap.html' in notes
    # Datasette's own row view stays one click away
    assert '<details class="mi-raw">' in html and "Links from other tables" in html


def test_meeting_without_recordings_says_so(tmp_path, seed_db, site_app):
    ds = site_app(seed_db)
    html, doc = page(ds, MEETING)
    assert agenda(html) == ["Flyte Egress Events", "Flyte at Lyft L5 Autonomous cars using Bazel", "Planning"]
    # the notes link a video: the player shows it even before matching
    (frame,) = doc.find("iframe", id="mi-player")
    assert "/embed/iHBUxzSC9XE?" in frame["src"]
    assert "None linked" in html


def test_meeting_with_several_recordings_lists_each(tmp_path, site_db, site_app):
    db_path = site_db
    db = sqlite_utils.Database(db_path)
    db["recordings"].insert({"id": "2021-02-09:youtube:conftalk001", "meeting_id": "2021-02-09",
                             "source": "youtube", "ref": "conftalk001", "kind": "part2", "method": "text",
                             "confidence": 0.7, "reason": "title says part 2", "ambiguous": 0})
    db.conn.close()
    html, doc = page(site_app(db_path), MEETING)
    # the best recording plays; each YouTube recording has a ▶ that loads it in the same player
    (frame,) = doc.find("iframe", id="mi-player")
    assert "/embed/iHBUxzSC9XE?" in frame["src"]
    recordings = Page(html.split('<ul class="mi-recordings">', 1)[1].split("</ul>", 1)[0])
    plays = [(a["data-video"], a["data-start"]) for a in recordings.find("a", class_="mi-seek")]
    assert plays == [("iHBUxzSC9XE", "0"), ("conftalk001", "0")]
    assert "matched on the words of its title, 70% sure" in html


def test_meeting_with_only_a_drive_recording_links_it(tmp_path, site_db, site_app):
    db_path = site_db
    db = sqlite_utils.Database(db_path)
    db.execute("delete from recordings where source = 'youtube'")
    db.execute("delete from meeting_links where kind = 'youtube'")
    db.execute("delete from chapters")
    db.conn.commit()
    db.conn.close()
    html, doc = page(site_app(db_path), MEETING)
    assert not doc.find("iframe", id="mi-player")
    assert "the meeting's recording is a" in html
    assert doc.find("a", href="https://drive.google.com/file/d/zoomfile0209/view")


def test_talk_page_plays_from_the_talk_second(two_meetings, egress_start_s):
    html, doc = page(two_meetings, EGRESS)
    (frame,) = doc.find("iframe", id="mi-player")
    query = parse_qs(urlparse(frame["src"]).query)
    assert (query["start"], query["enablejsapi"]) == ([str(egress_start_s)], ["1"])
    assert "<h1>Flyte Egress Events</h1>" in html
    for href in ("/index/people/nian", "/index/people/sonja", "/index/organizations/spotify", MEETING):
        assert doc.find("a", href=href), href
    assert "found from a chapter of the video, 90% sure" in html
    # other talks of the same presenters: Nian's talk a month later, not Ketan's
    others = html.split('id="mi-others"', 1)[1]
    assert "Egress, the sequel" in others and "A talk by somebody else" not in others


def test_person_page_lists_their_talks_newest_first(two_meetings, egress_start_s):
    html, doc = page(two_meetings, "/index/people/nian")
    assert "<h1>Nian</h1>" in html
    titles = re.findall(r'class="mi-talk-title" href="[^"]+">([^<]+)</a>', html)
    assert titles == ["Egress, the sequel", "Flyte Egress Events"]
    assert "2 talks at 2 meetings" in html
    # the talk with a moment has its ▶ at the second
    (watch,) = doc.find("a", class_="mi-watch")
    assert watch["href"] == f"https://www.youtube.com/watch?v=iHBUxzSC9XE&t={egress_start_s}s"
    assert doc.find("a", href="/index/organizations/spotify")


def test_organisation_page_lists_talks_and_presenters(two_meetings):
    html, doc = page(two_meetings, "/index/organizations/osc")
    titles = re.findall(r'class="mi-talk-title" href="[^"]+">([^<]+)</a>', html)
    assert titles == ["A talk by somebody else", "Planning"]
    assert doc.find("a", href="/index/people/ketan")


def test_home_page_for_people(site):
    html, doc = page(site, "/")
    assert "3 talks in 1 meeting; 1 recording found, 0 missing." in html
    (form,) = doc.find("form", role="search")
    assert form["action"] == "/-/find"
    assert doc.find("input", name="q", type="search", id="mi-q") and doc.find("label", **{"for": "mi-q"})
    assert doc.find("a", href=MEETING)
    (thumb,) = doc.find("img", src="https://i.ytimg.com/vi/iHBUxzSC9XE/hqdefault.jpg")
    assert thumb["alt"] == "Video thumbnail: Flyte community sync Feb 9, 2021"
    # the tables are reachable, not in front
    assert doc.find("a", href="/index")
    assert html.index("Latest meetings") < html.index('href="/index"')


def test_home_page_leads_to_the_series_page(site):
    _, doc = page(site, "/")
    (link,) = doc.find("a", href="/index/series_overview")
    rows = site.get(link["href"] + ".json?_shape=array").json()
    assert [(r["name"], r["meetings"], r["missing"]) for r in rows] == [("Flyte Meetup", 1, 0)]


def test_search_box_finds_talks_meetings_and_videos(site, egress_start_s):
    html, doc = page(site, "/-/find?q=egress")
    talks = html.split('id="mi-found-talks"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'class="mi-talk-title" href="([^"]+)">([^<]+)</a>', talks) == [(EGRESS, "Flyte Egress Events")]
    assert f'data-start="{egress_start_s}"' in talks and "▶&#xFE0E;&nbsp;12:34" in talks
    meetings = html.split('id="mi-found-meetings"', 1)[1].split("</section>", 1)[0]
    assert f'href="{MEETING}"' in meetings
    videos = html.split('id="mi-found-videos"', 1)[1].split("</section>", 1)[0]
    assert 'href="/index/videos/iHBUxzSC9XE"' in videos and f'href="{MEETING}"' in videos
    assert doc.find("input", name="q", value="egress")
    # a prefix, and words a visitor types that FTS would read as syntax
    assert "Flyte Egress Events" in site.get("/-/find?q=egre").text
    for words in ('"egress', "egress AND (", "NEAR(", "-", "*", "'; drop table talks; --", ""):
        r = site.get("/-/find?q=" + words.replace("&", "%26"))
        assert r.status_code == 200, words
    nothing = site.get("/-/find?q=kubernetesnowhere").text
    assert "0 talks, 0 meetings and 0 videos match" in nothing


def test_search_shows_hostile_titles_as_text(site, hostile_title):
    r = site.get("/-/find?q=friends")
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "<img src=x" not in r.text
    assert str(escape(hostile_title)) in r.text
    assert 'src="https://i.ytimg.com/vi/x/a.jpg' not in r.text  # a thumbnail that breaks out is no image
    assert Page(r.text).meta("og:title").startswith("Search: friends · ")


def test_home_page_counts_meetings_missing_a_recording(two_meetings):
    html, _ = page(two_meetings, "/")
    assert "5 talks in 2 meetings; 1 recording found, 1 missing." in html
    latest = re.findall(r'<time datetime="([0-9-]+)">', html)
    assert latest == ["2021-03-09", "2021-02-09"]


def test_every_page_has_a_title_and_open_graph_tags(site):
    for path in ("/", "/index", "/index/talks", MEETING, EGRESS, "/index/people/nian",
                 "/index/organizations/spotify", "/index/videos/iHBUxzSC9XE", "/index/find_a_talk"):
        html, doc = page(site, path)
        title = re.search(r"<title>([^<]+)</title>", html)
        assert title and title.group(1).strip(), path
        assert doc.meta("og:title") and doc.meta("og:description"), path
        assert doc.meta("og:url").endswith(path), path
    _, doc = page(site, MEETING)
    assert doc.meta("og:image") == "https://i.ytimg.com/vi/iHBUxzSC9XE/hqdefault.jpg"
    assert "Flyte Egress Events (Sonja, Katrina, Nian)" in doc.meta("og:description")
    _, doc = page(site, EGRESS)
    assert doc.meta("og:title").startswith("Flyte Egress Events · ")
    assert doc.meta("og:image") == "https://i.ytimg.com/vi/iHBUxzSC9XE/hqdefault.jpg"
    assert "at 12:34" in doc.meta("og:description")
    _, doc = page(site, "/index/videos/iHBUxzSC9XE")
    assert doc.meta("og:image") == "https://i.ytimg.com/vi/iHBUxzSC9XE/hqdefault.jpg"
    # a thumbnail that tries to break out of its attribute is no image
    _, doc = page(site, "/index/videos/hostile0001")
    assert doc.meta("og:image") is None


def test_sitemap_lists_the_pages(site):
    r = site.get("/sitemap.xml")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [urlparse(e.text).path for e in ET.fromstring(r.content).findall("s:url/s:loc", ns)]
    assert locs[0] == "/"
    assert {MEETING, EGRESS, "/index/people/nian", "/index/organizations/spotify"} <= set(locs)
    assert all(site.get(path).status_code == 200 for path in locs[:8])


def test_atom_feed_answers_without_videos(tmp_path, site_db, site_app):
    db_path = site_db
    db = sqlite_utils.Database(db_path)
    db.execute("delete from talk_recordings")
    db.execute("delete from videos")
    db.conn.commit()
    db.conn.close()
    r = site_app(db_path).get("/index/latest_recordings.atom")
    assert r.status_code == 200
    feed = ET.fromstring(r.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert feed.find("a:title", ns).text == "Latest recordings"
    assert feed.find("a:updated", ns).text and feed.findall("a:entry", ns) == []


def test_atom_feed_answers_before_any_harvest(tmp_path, seed_db, site_app):
    r = site_app(seed_db).get("/index/latest_recordings.atom")
    assert r.status_code == 200
    assert ET.fromstring(r.content).findall("{http://www.w3.org/2005/Atom}entry") == []


def test_calendar_carries_its_time_zone(site, monkeypatch):
    monkeypatch.setenv("MEETUP_TIMEZONE", "Europe/Berlin")
    r = site.get("/index/meetings_calendar.ics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(r.text)
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Berlin"
    offsets = {str(part.get("TZNAME")): part["TZOFFSETTO"].td.total_seconds() / 3600
               for part in zone.subcomponents}
    assert offsets == {"CET": 1, "CEST": 2}
    (event,) = calendar.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event["DTSTART"].dt.utcoffset().total_seconds() == 3600  # 9 February: winter time


def test_hostile_titles_are_text_on_every_new_page(tmp_path, hostile_title, site_db, site_app):
    db_path = site_db
    db = sqlite_utils.Database(db_path)
    # names and titles as hostile as notes and YouTube let people write
    db["talks"].update("2021-02-09/flyte-egress-events", {"title": HOSTILE_TALK, "notes": HOSTILE_NOTE})
    db["people"].update("nian", {"name": "<b>Mallory</b>"})
    db["organizations"].update("spotify", {"name": "<i>Evil</i> Corp"})
    db["videos"].update("iHBUxzSC9XE", {"title": hostile_title})
    db["recordings"].update("2021-02-09:drive:zoomfile0209",
                            {"reason": '<script>alert("reason")</script>', "ambiguous": 1})
    db.conn.close()
    ds = site_app(db_path)
    paths = ["/", MEETING, EGRESS, "/index/people/nian", "/index/organizations/spotify", "/sitemap.xml"]
    for path in paths:
        r = ds.get(path)
        assert r.status_code == 200, path
        body = r.text
        assert "<script>alert" not in body, path
        assert "<img src=x" not in body, path
        assert 'href="javascript:' not in body, path
        assert "<b>Mallory</b>" not in body and "<i>Evil</i>" not in body, path
    for path in (MEETING, EGRESS, "/index/people/nian", "/index/organizations/spotify"):
        assert str(escape(HOSTILE_TALK)) in ds.get(path).text, path
        assert "&lt;b&gt;Mallory&lt;/b&gt;" in ds.get(path).text, path
    meeting = ds.get(MEETING).text
    assert str(escape(hostile_title)) in meeting
    assert str(escape('<script>alert("reason")</script>')) in meeting
    assert "another match was nearly as likely" in meeting
    # the notes went through Markdown and Bleach
    assert "&lt;script&gt;alert(&#34;notes&#34;)" in meeting or "&lt;script&gt;alert(\"notes\")" in meeting


def test_meetings_per_month_chart(two_meetings):
    html, doc = page(two_meetings, "/index/meetings_per_month")
    months = re.findall(r'<g class="mi-month" data-month="([0-9-]+)"><title>([^<]+)</title>', html)
    assert months == [("2021-02", "2021-02: 1 with a recording, 0 without"),
                      ("2021-03", "2021-03: 0 with a recording, 1 without")]
    # the same numbers as the query's rows
    rows = two_meetings.get("/index/meetings_per_month.json?_shape=array").json()
    assert [(r["month"], r["with_recording"], r["without_recording"]) for r in rows] == [
        ("2021-02", 1, 0), ("2021-03", 0, 1)]
    # the home page shows it too
    home, _ = page(two_meetings, "/")
    assert home.count('<g class="mi-month"') == 2


def test_talks_per_organisation_and_recording_lag_charts(two_meetings):
    html, _ = page(two_meetings, "/index/talks_per_organisation")
    bars = re.findall(r'<g class="mi-org"><title>([^<]+)</title>', html)
    assert bars == ["OSC: 2 talks", "Spotify: 2 talks", "Lyft L5: 1 talk"]
    html, _ = page(two_meetings, "/index/recording_lag")
    # published 2021-02-10 01:00 UTC, the day after the meeting
    assert re.findall(r'<g class="mi-lag"><title>([^<]+)</title>', html) == ["2021-02-09: 1 day"]


def test_charts_without_recordings_draw_nothing(tmp_path, seed_db, site_app):
    ds = site_app(seed_db)
    html, _ = page(ds, "/index/meetings_per_month")
    assert "mi-month" not in html and "no recordings table yet" in html
    home, _ = page(ds, "/")
    assert "mi-month" not in home


def test_chart_labels_are_text(tmp_path, hostile_title, site_db, site_app):
    db_path = site_db
    db = sqlite_utils.Database(db_path)
    db["organizations"].update("spotify", {"name": hostile_title})
    db.conn.close()
    html, _ = page(site_app(db_path), "/index/talks_per_organisation")
    chart = html.split('<figure class="mi-chart">', 1)[1].split("</figure>", 1)[0]
    assert "<script>" not in chart and "<img src=x" not in chart
    assert str(escape(hostile_title)) in chart
