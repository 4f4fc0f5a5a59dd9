"""Overrides: pin, forbid, talk moments; they survive re-runs; bad ones name the line."""
import pytest
import sqlite_utils
from click.testing import CliRunner

from indexer.cli import cli
from indexer.notes.overrides import OverrideError, parse_overrides, parse_time


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def harvested(seed_db, add_harvest):
    add_harvest(seed_db)
    return seed_db


def links(db_path):
    return {(r["meeting_id"], r["ref"]): r for r in sqlite_utils.Database(db_path)["recordings"].rows}


def test_parse_time_forms():
    assert [parse_time(t) for t in ("754", "754s", "12:34", "1:02:03", "12m34s", "1h")] == [
        754, 754, 754, 3723, 754, 3600]
    assert [parse_time(t) for t in ("12:75", "soon", "", "1:60:00")] == [None, None, None, None]


def test_scalars_keep_their_text():
    # YAML 1.1 would read 12:34 as 754 and 2021-02-09 as a date; the node tree keeps both as written
    ov = parse_overrides("meetings:\n  2021-02-09:\n    pin: [iHBUxzSC9XE]\n"
                         "talks:\n  2021-02-09/planning: {video: iHBUxzSC9XE, at: 12:34}\n", "o.yml")
    assert ov.pins == {"2021-02-09": [("iHBUxzSC9XE", 3)]}
    assert ov.talks == {"2021-02-09/planning": ("iHBUxzSC9XE", 754, 5)}


def test_pin_forbid_and_talk_moment_win_and_survive_resyncs(harvested, seed_path, tmp_path, monkeypatch):
    assert run("match", harvested).exit_code == 0
    before = links(harvested)
    assert ("2021-02-09", "1zoomfile0209") in before and ("2021-02-09", "kubecon0001") not in before
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "overrides.yml").write_text(
        "# corrections by hand\n"
        "meetings:\n"
        "  2021-02-09:\n"
        "    pin: kubecon0001          # the talk was shown at the meeting\n"
        "    forbid: [1zoomfile0209]\n"
        "talks:\n"
        "  2021-02-09/planning:\n"
        "    video: iHBUxzSC9XE\n"
        "    at: '55:00'\n"
    )
    for command in (["match", harvested], ["sync", harvested, seed_path], ["match", harvested]):
        r = run(*command)
        assert r.exit_code == 0, r.output
        now = links(harvested)
        assert now[("2021-02-09", "kubecon0001")]["method"] == "override"
        assert ("2021-02-09", "1zoomfile0209") not in now
        assert now[("2021-02-09", "iHBUxzSC9XE")]["method"] == "link"
        planning = sqlite_utils.Database(harvested)["talk_recordings"].get(("2021-02-09/planning", "iHBUxzSC9XE"))
        assert (planning["start_s"], planning["method"]) == (3300, "override")
        assert planning["url"] == "https://www.youtube.com/watch?v=iHBUxzSC9XE&t=3300s"
    assert "3 override(s)" in r.output


def test_forbid_beats_an_explicit_link(harvested, tmp_path):
    ov = tmp_path / "o.yml"
    ov.write_text("meetings:\n  2021-02-09:\n    forbid: iHBUxzSC9XE\n")
    assert run("match", harvested, "--overrides", ov).exit_code == 0
    assert ("2021-02-09", "iHBUxzSC9XE") not in links(harvested)
    assert sqlite_utils.Database(harvested)["talk_recordings"].count == 0  # only the Zoom file is left


@pytest.mark.parametrize("text, line, message", [
    ("meetings:\n  2021-02-09:\n    pin: [iHBUxzSC9XE, nosuchvideo]\n", 3, "unknown video or Drive file id 'nosuchvideo'"),
    ("meetings:\n  2021-02-09:\n    pin:\n      - iHBUxzSC9XE\n      - nosuchvideo\n", 5, "unknown video or Drive file id"),
    ("meetings:\n  2021-02-09:\n    pin: x\n  2022-01-01:\n    forbid: iHBUxzSC9XE\n", 3, "unknown video"),
    ("meetings:\n  2022-01-01:\n    forbid: iHBUxzSC9XE\n", 2, "unknown meeting 2022-01-01"),
    ("meetings:\n  Feb 9:\n    pin: iHBUxzSC9XE\n", 2, "is not a date"),
    ("meetings:\n  2021-02-09:\n    link: iHBUxzSC9XE\n", 3, "unknown key 'link'"),
    ("talks:\n  2021-02-09/planning:\n    video: iHBUxzSC9XE\n    at: soon\n", 4, "bad time 'soon'"),
    ("talks:\n  2021-02-09/planning:\n    video: iHBUxzSC9XE\n    at: '9:00:00'\n", 2, "past the end"),
    ("talks:\n  2021-02-09/nope:\n    video: iHBUxzSC9XE\n", 2, "unknown talk '2021-02-09/nope'"),
    ("talks:\n  2021-02-09/planning:\n    video: 1zoomfile0209\n", 2, "unknown video id '1zoomfile0209'"),
    ("talks:\n  2021-02-09/planning:\n    at: 10\n", 2, "needs a video"),
    ("meetings:\n  2021-02-09:\n    pin: [a\n", 4, "not valid YAML"),
    ("- just a list\n", 1, "expected a mapping"),
    ("videos:\n  x: y\n", 1, "unknown section 'videos'"),
])
def test_bad_overrides_name_file_and_line(harvested, tmp_path, text, line, message):
    ov = tmp_path / "over.yml"
    ov.write_text(text)
    assert run("match", harvested).exit_code == 0
    before = links(harvested)
    r = run("match", harvested, "--overrides", ov)
    assert r.exit_code == 1
    assert r.output.startswith(f"Error: {ov}:{line}: ")
    assert message in r.output
    assert r.output.count("\n") == 1
    assert links(harvested) == before  # nothing replaced
    run_row = list(sqlite_utils.Database(harvested)["sync_runs"].rows)[-1]
    assert run_row["status"] == "failed" and f"{ov}:{line}" in run_row["error"]


def test_missing_overrides_file_given_explicitly(harvested, tmp_path):
    r = run("match", harvested, "--overrides", tmp_path / "nope.yml")
    assert r.exit_code == 1 and "overrides file not found" in r.output


def test_pinned_and_forbidden_at_once_is_an_error():
    with pytest.raises(OverrideError, match=r"^o.yml:3: x is both pinned and forbidden"):
        parse_overrides("meetings:\n  2021-02-09:\n    pin: x\n    forbid: x\n", "o.yml")


def test_bad_default_overrides_fail_sync_with_the_line(harvested, seed_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "overrides.yml").write_text("meetings:\n  2021-02-09:\n    pin: typo0000001\n")
    r = run("sync", harvested, seed_path)
    assert r.exit_code == 1
    assert "Error: data/overrides.yml:3: unknown video or Drive file id 'typo0000001'" in r.output


def test_overrides_file_that_is_not_utf8_names_its_line(tmp_path):
    from indexer.notes.overrides import OverrideError, load_overrides

    p = tmp_path / "o.yml"
    p.write_bytes(b"meetings:\n  2021-02-09:\n    pin: [caf\xe9]\n")
    with pytest.raises(OverrideError) as err:
        load_overrides(p)
    assert str(err.value) == f"{p}: not UTF-8 text (byte 0xe9 on line 3)"
