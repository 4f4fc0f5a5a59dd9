"""The site in a real headless Chromium (Debian's chromium + chromium-driver).

`meetup-indexer serve` runs in a subprocess on a free port, over a database
synced from the bundled notes (and the bundled YouTube sample when present).
Outside CI these tests skip when no browser is installed; with CI=true a
missing browser is a failure.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import sqlite_utils

from indexer.common.times import hms
from indexer.cli import REPO_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = REPO_ROOT / "test-artifacts"
SAMPLE = REPO_ROOT / "data" / "sample"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def browser_missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (os.path.exists(path) or shutil.which(Path(path).name)):
            return f"{path} not found (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="module")
def browser():
    missing = browser_missing()
    if missing:
        if IN_CI:
            pytest.fail(f"CI=true but the browser tests cannot run: {missing}")
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = Path(os.environ.get("TMPDIR", "/tmp")) / f"mi-chromium-{os.getpid()}-{time.monotonic_ns()}"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    for arg in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
        "--window-size=1280,900", f"--user-data-dir={profile}",
    ):
        options.add_argument(arg)
    driver_path = CHROMEDRIVER if os.path.exists(CHROMEDRIVER) else shutil.which("chromedriver")
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def sample_recording() -> Path | None:
    """The bundled recording of the synthetic channel and Drive tree (what `make demo` replays)."""
    recording = SAMPLE / "recording"
    return recording if recording.is_dir() and any(recording.glob("youtube-*.json")) else None


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory, hostile_title, add_recordings, build_site_db, save_videos, video_resource) -> Path:
    folder = tmp_path_factory.mktemp("site")
    db_path = build_site_db(folder, recordings=False)
    sample = sample_recording()
    if sample:
        result = subprocess.run(
            [sys.executable, "-m", "indexer", "sync", str(db_path), "--replay", str(sample), "-q"],
            cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
        )
        assert result.returncode == 0, result.stderr
    db = sqlite_utils.Database(db_path)
    if "talk_recordings" not in db.table_names():
        db.conn.close()
        add_recordings(db_path)
        db = sqlite_utils.Database(db_path)
    # a title as hostile as YouTube lets uploaders write
    save_videos(db, [video_resource("hostile0001", hostile_title, "2022-03-01T17:00:00Z")])
    db.conn.close()
    # what was said in the meeting of 2021-02-09, one line as hostile as captions can be
    subs = folder / "subs"
    subs.mkdir()
    cue = "00:{:02d}:{:02d}.000 --> 00:{:02d}:{:02d}.900\n{}\n"
    (subs / "iHBUxzSC9XE.en.vtt").write_text("WEBVTT\n\n" + "\n".join(
        cue.format(s // 60, s % 60, s // 60, s % 60, text) for s, text in TRANSCRIPT), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "indexer", "transcripts", str(db_path), "--from", str(subs)],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return db_path


# (second, line) of the demo meeting's transcript
TRANSCRIPT = [(5, "welcome to the flyte community sync"), (754, "so egress events are emitted after every run"),
              (1805, "&lt;script&gt;alert('cue')&lt;/script&gt;&lt;img src=x onerror=alert(6)&gt;")]


@pytest.fixture(scope="module")
def site(demo_db, tmp_path_factory, serving):
    with serving(demo_db, log=tmp_path_factory.mktemp("serve") / "serve.log") as base:
        yield base


def wait_for(browser, condition, timeout=10):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout).until(condition)


def egress_start(db_path: Path) -> int:
    db = sqlite_utils.Database(db_path)
    row = db.execute(
        "select start_s from talk_recordings where talk_id = ? order by confidence desc limit 1",
        ["2021-02-09/flyte-egress-events"],
    ).fetchone()
    db.conn.close()
    return row[0]


def test_search_finds_the_talk_and_screenshot(browser, site):
    from selenium.webdriver.common.by import By

    browser.get(site + "/-/search?q=egress")
    heading = wait_for(browser, lambda b: b.find_element(By.XPATH, "//h2[contains(., 'index: talks')]"))
    assert heading.text.startswith("1 result")
    results = browser.find_element(By.ID, "search-all-results").text
    assert "Flyte Egress Events" in results
    assert "2021-02-09" in results
    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "search.png"))
    assert (ARTIFACTS / "search.png").stat().st_size > 10_000


def test_find_a_talk_link_opens_the_video_at_the_talk(browser, site, demo_db):
    from selenium.webdriver.common.by import By

    browser.get(site + "/index/find_a_talk")
    box = browser.find_element(By.NAME, "words")
    box.send_keys("egress")
    box.submit()
    wait_for(browser, lambda b: "words=egress" in b.current_url)
    row = browser.find_element(By.XPATH, "//tr[td[contains(., 'Flyte Egress Events')]]")
    assert "2021-02-09" in row.text
    assert "Nian" in row.text
    href = row.find_element(By.CSS_SELECTOR, "a.mi-watch").get_attribute("href")
    url = urlparse(href)
    query = parse_qs(url.query)
    start = egress_start(demo_db)
    assert (url.hostname, url.path, query["v"]) == ("www.youtube.com", "/watch", ["iHBUxzSC9XE"])
    assert query["t"] == [f"{start}s"]
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "find-a-talk.png"))
    # the talk's own page plays from that second
    browser.get(site + "/index/talks/2021-02-09~2Fflyte-egress-events")
    frame = browser.find_element(By.CSS_SELECTOR, ".mi-player iframe")
    src = urlparse(frame.get_attribute("src"))
    assert src.path == "/embed/iHBUxzSC9XE"
    assert parse_qs(src.query)["start"] == [str(start)]


def test_a_facet_narrows_the_list(browser, site):
    from selenium.webdriver.common.by import By

    browser.get(site + "/index/talk_presenters")
    before = len(browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr"))
    facet = browser.find_element(By.CSS_SELECTOR, "#facet-organization_id")
    facet.find_element(By.PARTIAL_LINK_TEXT, "Spotify").click()
    wait_for(browser, lambda b: "organization_id=spotify" in b.current_url)
    after = browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
    assert 0 < len(after) < before
    assert all("Spotify" in tr.text for tr in after)


def test_hostile_title_is_text(browser, site, hostile_title):
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    for path in ("/index/videos/hostile0001", "/index/videos?_search=friends", "/-/search?q=friends"):
        browser.get(site + path)
        wait_for(browser, lambda b: hostile_title in b.find_element(By.TAG_NAME, "body").text)
        with pytest.raises(NoAlertPresentException):
            browser.switch_to.alert  # noqa: B018 - an alert would mean the script ran
        assert not browser.find_elements(By.CSS_SELECTOR, "img[src='x']")


def talk_start(db_path: Path, meeting_id: str, position: int) -> int:
    db = sqlite_utils.Database(db_path)
    row = db.execute(
        "select start_s from talk_recordings join talks on talks.id = talk_recordings.talk_id "
        "where talks.meeting_id = ? and talks.position = ? order by confidence desc limit 1",
        [meeting_id, position],
    ).fetchone()
    db.conn.close()
    return row[0]


def frame_start(browser) -> str | None:
    from selenium.webdriver.common.by import By

    src = browser.find_element(By.ID, "mi-player").get_attribute("src")
    return (parse_qs(urlparse(src).query).get("start") or [None])[0]


def test_meeting_page_seeks_its_own_player(browser, site, demo_db):
    from selenium.webdriver.common.by import By

    browser.set_window_size(1280, 900)
    page = site + "/index/meetings/2021-02-09"
    browser.get(page)
    talks = browser.find_elements(By.CSS_SELECTOR, "ol.mi-agenda > li")
    assert [t.find_element(By.CSS_SELECTOR, ".mi-talk-title").text for t in talks] == [
        "Flyte Egress Events", "Flyte at Lyft L5 Autonomous cars using Bazel", "Planning"]
    assert frame_start(browser) is None  # the meeting plays from its beginning
    second = talks[1].find_element(By.CSS_SELECTOR, "a.mi-seek")
    start = talk_start(demo_db, "2021-02-09", 2)
    assert second.get_attribute("data-start") == str(start)
    second.click()
    # the page's own player goes there; the page stays
    wait_for(browser, lambda b: frame_start(b) == str(start))
    assert browser.current_url == page
    assert second.get_attribute("aria-current") == "true"
    frame_src = urlparse(browser.find_element(By.ID, "mi-player").get_attribute("src"))
    assert frame_src.path == "/embed/iHBUxzSC9XE"
    assert parse_qs(frame_src.query)["enablejsapi"] == ["1"]
    # by keyboard too: the first talk's ▶ is reachable and Enter seeks
    first = talks[0].find_element(By.CSS_SELECTOR, "a.mi-seek")
    browser.execute_script("arguments[0].focus()", first)
    assert browser.switch_to.active_element == first
    from selenium.webdriver.common.keys import Keys

    first.send_keys(Keys.ENTER)
    wait_for(browser, lambda b: frame_start(b) == str(talk_start(demo_db, "2021-02-09", 1)))


def test_a_line_of_the_transcript_seeks_the_player(browser, site):
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    browser.set_window_size(1280, 900)
    page = site + "/index/meetings/2021-02-09"
    browser.get(page)
    box = browser.find_element(By.CSS_SELECTOR, "ol.mi-cues")
    lines = box.find_elements(By.CSS_SELECTOR, "a.mi-cue")
    assert [line.get_attribute("data-start") for line in lines] == [str(s) for s, _ in TRANSCRIPT]
    # the hostile line is shown as the characters written, and nothing ran
    assert lines[2].find_element(By.CSS_SELECTOR, ".mi-said").text == \
        "<script>alert('cue')</script><img src=x onerror=alert(6)>"
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert  # noqa: B018
    # a bounded box that scrolls, not a page as long as the meeting
    assert browser.execute_script("return getComputedStyle(arguments[0]).overflowY", box) == "auto"
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", lines[1])
    lines[1].click()
    wait_for(browser, lambda b: frame_start(b) == "754")
    assert browser.current_url == page and lines[1].get_attribute("aria-current") == "true"


def test_person_page_lists_their_talks(browser, site):
    from selenium.webdriver.common.by import By

    browser.get(site + "/index/people/nian")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Nian"
    titles = [a.text for a in browser.find_elements(By.CSS_SELECTOR, ".mi-talks .mi-talk-title")]
    assert titles == ["Flyte Egress Events"]
    watch = browser.find_element(By.CSS_SELECTOR, ".mi-talks a.mi-watch")
    assert parse_qs(urlparse(watch.get_attribute("href")).query)["v"] == ["iHBUxzSC9XE"]
    browser.find_element(By.LINK_TEXT, "Flyte Egress Events").click()
    wait_for(browser, lambda b: "/index/talks/" in b.current_url)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Flyte Egress Events"


def test_home_page_search_finds_egress(browser, site):
    from selenium.webdriver.common.by import By

    browser.get(site + "/")
    assert "talks in" in browser.find_element(By.CSS_SELECTOR, ".mi-counts").text
    box = browser.find_element(By.ID, "mi-q")
    box.send_keys("egress")
    box.submit()
    wait_for(browser, lambda b: "q=egress" in b.current_url)
    talks = browser.find_element(By.CSS_SELECTOR, "[aria-labelledby=mi-found-talks]")
    assert "Flyte Egress Events" in talks.text and "2021-02-09" in talks.text
    watch = talks.find_element(By.CSS_SELECTOR, "a.mi-watch")
    start = parse_qs(urlparse(watch.get_attribute("href")).query)["t"]
    assert watch.text.endswith(hms(int(start[0].rstrip("s"))))  # the minute, on the page
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "home-search.png"))


def test_meetings_per_month_chart_has_one_mark_per_month(browser, site, demo_db):
    from selenium.webdriver.common.by import By

    db = sqlite_utils.Database(demo_db)
    months = [r[0] for r in db.execute(
        "select distinct substr(date, 1, 7) from meetings where not cancelled and date <= date('now') order by 1")]
    db.conn.close()
    for path in ("/index/meetings_per_month", "/"):
        browser.get(site + path)
        svg = browser.find_element(By.CSS_SELECTOR, "figure.mi-chart svg")
        assert svg.size["width"] > 100 and svg.size["height"] > 50
        marks = svg.find_elements(By.CSS_SELECTOR, "g.mi-month")
        assert [m.get_attribute("data-month") for m in marks] == months
        assert all(r.size["width"] > 0 for m in marks for r in m.find_elements(By.TAG_NAME, "rect")[:1])


@pytest.mark.parametrize("width", [390, 1400])
def test_pages_fit_the_screen(browser, site, width):
    """No sideways scrolling at phone width; screenshots for the README and docs/site.md (docs/)."""
    from selenium.webdriver.common.by import By

    ARTIFACTS.mkdir(exist_ok=True)
    for name, path in (("home", "/"), ("meeting", "/index/meetings/2021-02-09"),
                       ("talk", "/index/talks/2021-02-09~2Fflyte-egress-events"),
                       ("person", "/index/people/nian"), ("search", "/-/find?q=egress"),
                       ("chart", "/index/meetings_per_month")):
        browser.set_window_size(width, 1100)
        browser.get(site + path)
        inner = browser.execute_script("return window.innerWidth")
        scroll = browser.execute_script("return document.documentElement.scrollWidth")
        assert scroll <= inner, (name, width, scroll, inner)
        frames = browser.find_elements(By.ID, "mi-player")
        if frames:
            box = frames[0].rect
            assert box["width"] >= min(inner, 960) * 0.8 and abs(box["height"] * 16 / 9 - box["width"]) < 4
        for img in browser.find_elements(By.TAG_NAME, "img"):
            assert img.get_attribute("alt"), (name, img.get_attribute("src"))
        assert browser.save_screenshot(str(ARTIFACTS / f"{name}-{width}.png"))
    browser.set_window_size(1280, 900)


@pytest.fixture(scope="module")
def hostile_site(demo_db, tmp_path_factory, hostile_title, serving):
    """The demo with a meeting whose every name is hostile, served on its own."""
    folder = tmp_path_factory.mktemp("hostile")
    db_path = folder / "index.db"
    shutil.copy(demo_db, db_path)
    db = sqlite_utils.Database(db_path)
    db["meetings"].insert({"id": "2020-01-07", "date": "2020-01-07", "year": 2020, "title": hostile_title,
                           "cancelled": 0, "notes": "<script>alert('notes')</script>", "raw": ""})
    db["people"].insert({"id": "mallory", "name": hostile_title})
    db["organizations"].insert({"id": "evil", "name": hostile_title})
    db["talks"].insert({"id": "2020-01-07/hostile", "meeting_id": "2020-01-07", "position": 1,
                        "title": hostile_title, "notes": "<img src=x onerror=alert(5)>"})
    db["talk_presenters"].insert({"talk_id": "2020-01-07/hostile", "person_id": "mallory",
                                  "organization_id": "evil", "position": 1})
    db["recordings"].insert({"id": "2020-01-07:youtube:hostile0001", "meeting_id": "2020-01-07",
                             "source": "youtube", "ref": "hostile0001", "kind": "video", "method": "text",
                             "confidence": 0.5, "reason": hostile_title, "ambiguous": 0})
    db["talk_recordings"].insert({"talk_id": "2020-01-07/hostile", "video_id": "hostile0001", "start_s": 61,
                                  "method": "chapter", "confidence": 0.5, "reason": hostile_title,
                                  "url": "https://www.youtube.com/watch?v=hostile0001&t=61s"})
    db.conn.close()
    with serving(db_path) as base:
        yield base


def test_hostile_titles_are_text_on_the_new_pages(browser, hostile_site, hostile_title):
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    for path in ("/", "/index/meetings/2020-01-07", "/index/talks/2020-01-07~2Fhostile",
                 "/index/people/mallory", "/index/organizations/evil", "/-/find?q=friends",
                 "/index/talks_per_organisation"):
        browser.get(hostile_site + path)
        wait_for(browser, lambda b: hostile_title in b.find_element(By.TAG_NAME, "body").text)
        with pytest.raises(NoAlertPresentException):
            browser.switch_to.alert  # noqa: B018 - an alert would mean a script ran
        # notes may keep a plain <img> (Markdown, then Bleach) but never a handler
        assert not browser.find_elements(By.CSS_SELECTOR, "[onerror], [onload]"), path
        assert browser.execute_script(
            "return [...document.scripts].filter(s => s.textContent.includes('alert')).length") == 0, path
        assert browser.title
    browser.get(hostile_site + "/index/talks/2020-01-07~2Fhostile")
    assert browser.title.startswith(hostile_title)  # text in the <title>, not markup


@pytest.mark.parametrize("width", [390, 1400])
def test_series_page_from_a_meeting_and_back(browser, site, demo_db, width):
    """The meeting page names its series; the series page lists its meetings newest first,
    each with its recording or 'recording missing', and fits a phone's width."""
    from selenium.webdriver.common.by import By

    db = sqlite_utils.Database(demo_db)
    (series,) = db["series"].rows
    meetings = [r[0] for r in db.execute("select id from meetings order by date desc")]
    found = {r[0] for r in db.execute("select distinct meeting_id from recordings")}
    db.conn.close()
    browser.set_window_size(width, 1100)
    try:
        browser.get(site + "/index/meetings/2021-02-09")
        browser.find_element(By.CSS_SELECTOR, ".mi-heading .mi-series a").click()
        wait_for(browser, lambda b: "/index/series/" in b.current_url)
        assert browser.find_element(By.TAG_NAME, "h1").text == series["name"]
        items = browser.find_elements(By.CSS_SELECTOR, "li.mi-series-meeting")
        assert [i.find_element(By.TAG_NAME, "time").get_attribute("datetime") for i in items] == meetings
        for item, mid in zip(items, meetings):
            watch = item.find_elements(By.CSS_SELECTOR, "a.mi-watch")
            assert bool(watch) == (mid in found), mid
        inner = browser.execute_script("return window.innerWidth")
        assert browser.execute_script("return document.documentElement.scrollWidth") <= inner
        ARTIFACTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / f"series-{width}.png"))
        browser.find_element(By.CSS_SELECTOR, "li.mi-series-meeting time[datetime='2021-02-09']").click()
        wait_for(browser, lambda b: b.current_url.endswith("/index/meetings/2021-02-09"))
    finally:
        browser.set_window_size(1280, 900)
