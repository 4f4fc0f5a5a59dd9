"""The site's "Search what was said": a cue, its meeting, the talk it falls in, a link at its second."""
from click.testing import CliRunner

from indexer.cli import cli


def rows(ds, path):
    r = ds.get(path + "&_shape=array")
    assert r.status_code == 200, r.text
    return r.json()

VTT = """WEBVTT

00:00:05.000 --> 00:00:09.000
welcome to the flyte community sync

00:{m:02d}:{s:02d}.500 --> 00:{m:02d}:{e:02d}.000
so egress events are emitted after every run
"""


def test_search_what_was_said(tmp_path, egress_start_s, site_db, site_app):
    db_path = site_db
    folder = tmp_path / "subs"
    folder.mkdir()
    at = egress_start_s + 60
    (folder / "iHBUxzSC9XE.en.vtt").write_text(VTT.format(m=at // 60, s=at % 60, e=at % 60 + 3))
    result = CliRunner().invoke(cli, ["transcripts", str(db_path), "--from", str(folder)])
    assert result.exit_code == 0, result.output
    ds = site_app(db_path)
    found = rows(ds, "/index/search_what_was_said.json?words=egress+events+emitted")
    assert [(r["said"], r["meeting_date"], r["talk"], r["link"]) for r in found] == [(
        "so egress events are emitted after every run", "2021-02-09", "Flyte Egress Events",
        f"https://www.youtube.com/watch?v=iHBUxzSC9XE&t={at}s",
    )]
    # before the first talk's moment: the meeting, no talk
    [welcome] = rows(ds, "/index/search_what_was_said.json?words=welcome")
    assert (welcome["meeting_date"], welcome["talk"]) == ("2021-02-09", None)
    assert rows(ds, '/index/search_what_was_said.json?words="OR') == []


def test_search_what_was_said_before_any_recording(tmp_path, seed_db, site_app):
    ds = site_app(seed_db)
    [row] = rows(ds, "/index/search_what_was_said.json?words=egress")
    assert "run `meetup-indexer sync`" in row["missing"]


HOSTILE_CUE = '<script>alert("cue")</script><img src=x onerror=alert(1)> & more'


def test_meeting_page_shows_the_transcript_under_the_player(tmp_path, egress_start_s, site_db, site_app):
    """Each line of what was said is a ▶ at its second that seeks the page's own
    player (the agenda's mi-seek handler); a hostile line is only text."""
    from markupsafe import escape
    from test_pages import MEETING, Page

    db_path = site_db
    folder = tmp_path / "subs"
    folder.mkdir()
    at = egress_start_s
    hostile = HOSTILE_CUE.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    (folder / "iHBUxzSC9XE.en.vtt").write_text(
        VTT.format(m=at // 60, s=at % 60, e=at % 60 + 3)
        + f"\n00:20:00.000 --> 00:20:04.000\nMallory: {hostile}\n", encoding="utf-8")
    assert CliRunner().invoke(cli, ["transcripts", str(db_path), "--from", str(folder)]).exit_code == 0
    r = site_app(db_path).get(MEETING)
    assert r.status_code == 200
    html = r.text
    # under the player, above the agenda
    assert html.index('id="mi-player"') < html.index('<ol class="mi-cues"') < html.index('<ol class="mi-agenda"')
    box = html.split('<ol class="mi-cues"', 1)[1].split("</ol>", 1)[0]
    cues = Page(box).find("a", class_="mi-cue")
    assert [(a["data-video"], a["data-start"]) for a in cues] == [
        ("iHBUxzSC9XE", "5"), ("iHBUxzSC9XE", str(at)), ("iHBUxzSC9XE", "1200")]
    assert all("mi-seek" in a["class"].split() for a in cues)
    assert cues[1]["href"] == f"https://www.youtube.com/watch?v=iHBUxzSC9XE&t={at}s"
    # the hostile line is text: escaped in the page, read back as the characters written
    assert "<script>alert" not in html and "<img src=x" not in html
    assert str(escape(HOSTILE_CUE)) in box
    assert HOSTILE_CUE in "".join(Page(box).text)


def test_meeting_page_without_a_transcript_has_no_box(tmp_path, site_db, site_app):
    from test_pages import MEETING

    html = site_app(site_db).get(MEETING).text
    assert 'class="mi-cues"' not in html and 'id="mi-agenda"' in html


def test_meeting_page_names_the_speakers_of_a_zoom_transcript(tmp_path, egress_start_s, site_db, site_app):
    from test_pages import MEETING, Page

    db_path = site_db
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "iHBUxzSC9XE.en.vtt").write_text(
        "WEBVTT\n\n1\n00:00:05.000 --> 00:00:08.000\n<b>Sonja</b> Katrina: Welcome, everyone.\n\n"
        "2\n00:12:34.200 --> 00:12:38.000\nNian: Egress events, then.\n", encoding="utf-8")
    assert CliRunner().invoke(cli, ["transcripts", str(db_path), "--from", str(folder)]).exit_code == 0
    html = site_app(db_path).get(MEETING).text
    box = Page(html.split('<ol class="mi-cues"', 1)[1].split("</ol>", 1)[0])
    assert [a["data-start"] for a in box.find("a", class_="mi-cue")] == ["5", str(egress_start_s)]
    said = " ".join("".join(box.text).split())
    assert "Sonja Katrina: Welcome, everyone." in said and "Nian: Egress events, then." in said
    assert "the Zoom transcript" in html


def test_search_box_reaches_what_was_said(tmp_path, egress_start_s, site_db, site_app):
    """/-/find lists matching cues beside talks, meetings and videos: the words, the talk they
    fall in, the meeting, ▶ at the cue's second, and the link to every line that says it."""
    import re

    db_path = site_db
    folder = tmp_path / "subs"
    folder.mkdir()
    at = egress_start_s + 60
    vtt = VTT.format(m=at // 60, s=at % 60, e=at % 60 + 3) + f"\n01:00:00.000 --> 01:00:03.000\n{HOSTILE_CUE} lineage\n"
    (folder / "iHBUxzSC9XE.en.vtt").write_text(vtt)
    assert CliRunner().invoke(cli, ["transcripts", str(db_path), "--from", str(folder)]).exit_code == 0
    ds = site_app(db_path)
    html = ds.get("/-/find?q=emitted").text
    # "emitted" is said, never written in the notes: only the transcript finds it
    assert "0 talks, 0 meetings and 0 videos match “emitted”, and 1 line of what was said." in html
    said = html.split('id="mi-found-said"', 1)[1].split("</section>", 1)[0]
    assert "so egress events are emitted after every run" in said
    assert f'href="https://www.youtube.com/watch?v=iHBUxzSC9XE&amp;t={at}s"' in said
    assert re.search(r'in <a href="/index/talks/2021-02-09~2Fflyte-egress-events">Flyte Egress Events</a>', said)
    assert 'at the <a href="/index/meetings/2021-02-09">meeting of 2021-02-09</a>' in said
    assert 'href="/index/search_what_was_said?words=emitted"' in said
    # a hostile line is text, and the section is capped like the others
    hostile = ds.get("/-/find?q=lineage").text
    hostile_said = hostile.split('id="mi-found-said"', 1)[1].split("</section>", 1)[0]
    assert "lineage" in hostile_said and "▶&#xFE0E; 1:00:00" in hostile_said
    assert "<script>alert" not in hostile and "<img src=x" not in hostile
    from indexer.site.pages import data

    assert data.SAID_CANDIDATES >= 100
    nothing = ds.get("/-/find?q=kubernetesnowhere").text
    assert 'id="mi-found-said"' not in nothing and "of what was said" not in nothing
