"""The site's "Search what was said": a cue, its meeting, the talk it falls in, a link at its second."""
from click.testing import CliRunner

from indexer.cli import cli
from site_helpers import EGRESS_START_S, app, build_site_db, get


def rows(ds, path):
    r = get(ds, path + "&_shape=array")
    assert r.status_code == 200, r.text
    return r.json()

VTT = """WEBVTT

00:00:05.000 --> 00:00:09.000
welcome to the flyte community sync

00:{m:02d}:{s:02d}.500 --> 00:{m:02d}:{e:02d}.000
so egress events are emitted after every run
"""


def test_search_what_was_said(tmp_path):
    db_path = build_site_db(tmp_path)
    folder = tmp_path / "subs"
    folder.mkdir()
    at = EGRESS_START_S + 60
    (folder / "iHBUxzSC9XE.en.vtt").write_text(VTT.format(m=at // 60, s=at % 60, e=at % 60 + 3))
    result = CliRunner().invoke(cli, ["transcripts", str(db_path), "--from", str(folder)])
    assert result.exit_code == 0, result.output
    ds = app(db_path)
    found = rows(ds, "/index/search_what_was_said.json?words=egress+events+emitted")
    assert [(r["said"], r["meeting_date"], r["talk"], r["link"]) for r in found] == [(
        "so egress events are emitted after every run", "2021-02-09", "Flyte Egress Events",
        f"https://www.youtube.com/watch?v=iHBUxzSC9XE&t={at}s",
    )]
    # before the first talk's moment: the meeting, no talk
    [welcome] = rows(ds, "/index/search_what_was_said.json?words=welcome")
    assert (welcome["meeting_date"], welcome["talk"]) == ("2021-02-09", None)
    assert rows(ds, '/index/search_what_was_said.json?words="OR') == []


def test_search_what_was_said_before_any_recording(tmp_path):
    ds = app(build_site_db(tmp_path, recordings=False))
    [row] = rows(ds, "/index/search_what_was_said.json?words=egress")
    assert "run `meetup-indexer sync`" in row["missing"]
