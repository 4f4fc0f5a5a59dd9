"""The project file: many series, validated with FILE:LINE errors; `init` writes one from notes."""
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.cli import cli
from indexer.series.project import ProjectError, find_project, load_project, parse_project

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"

GOOD = """\
timezone: America/Los_Angeles
channel: "@flyteorg"
series:
  - id: flyte-community
    name: Flyte Community Sync
    notes: [community.md]
    playlist: https://www.youtube.com/playlist?list=PLmZ4gyfRFmdAbCdEfGhIjKl
    weekday: Tuesday
    time: 09:00
    title_words: [Community, Sync]
  - name: Flyte Contributors Meetup
    notes: gdoc:1AbCdEfGhIjKlMnOpQrStUv
    timezone: Europe/Berlin
    channel: UCNduEoLOToNo3nFVly-vUTQ
    drive_folder: https://drive.google.com/drive/folders/1Op9EzMNuoZptWovcZcYVdmAuJNNNjil4
    weekday: thu
    time: "17:30"
"""


def test_a_full_project_file_reads_with_defaults_and_the_time_as_written():
    p = parse_project(GOOD, "meetup-indexer.yml", base="/notes")
    a, b = p.series
    assert (a.id, a.name, a.notes) == ("flyte-community", "Flyte Community Sync", ["/notes/community.md"])
    assert a.playlist == "PLmZ4gyfRFmdAbCdEfGhIjKl"
    assert (a.timezone, a.channel) == ("America/Los_Angeles", "@flyteorg")  # inherited
    assert (a.weekday, a.hour, a.minute) == (1, 9, 0)  # 09:00 is not YAML 1.1's sexagesimal 540
    assert a.title_words == ["community", "sync"]
    assert b.id == "flyte-contributors-meetup"  # from its name
    assert (b.notes, b.timezone, b.weekday, b.hour, b.minute) == (["gdoc:1AbCdEfGhIjKlMnOpQrStUv"], "Europe/Berlin", 3, 17, 30)
    assert b.drive_folder == "1Op9EzMNuoZptWovcZcYVdmAuJNNNjil4"
    assert p.channels() == ["@flyteorg", "UCNduEoLOToNo3nFVly-vUTQ"]  # each channel once


@pytest.mark.parametrize("text, line, words", [
    ("series:\n  - id: a\n    notes: x.md\n    wekday: Tuesday\n", 4, "unknown key 'wekday'"),
    ("series:\n  - id: a\n    notes: x.md\n    timezone: Mars/Olympus\n", 4, "unknown time zone"),
    ("series:\n  - id: a\n    notes: x.md\n    time: 25:00\n", 4, "time '25:00'"),
    ("series:\n  - id: a\n    notes: x.md\n    weekday: t\n", 4, "weekday 't'"),
    ("series:\n  - id: Flyte Sync\n    notes: x.md\n", 2, "lower-case letters"),
    ("series:\n  - id: a\n    notes: x.md\n  - id: a\n    notes: y.md\n", 4, "used twice (first at line 2)"),
    ("series:\n  - id: a\n", 2, "names no source"),
    ("series:\n  - id: a\n    notes: x.md\n    playlist: nope\n", 4, "not a playlist"),
    ("series:\n  - id: a\n    channel: https://www.youtube.com/watch?v=dQw4w9WgXcQ\n", 3, "channel:"),
    ("series: []\n", 1, "list of series"),
    ("series:\n  - id: a\n    notes: [x.md\n", 4, "not valid YAML"),
    ("serie:\n  - id: a\n", 1, "unknown key 'serie'"),
    ("series:\n  - id: a\n    id: b\n    notes: x.md\n", 3, "appears twice"),
])
def test_a_bad_project_file_is_one_line_naming_its_line(text, line, words):
    with pytest.raises(ProjectError) as exc:
        parse_project(text, "meetup-indexer.yml")
    msg = str(exc.value)
    assert msg.startswith(f"meetup-indexer.yml:{line}: "), msg
    assert words in msg and "\n" not in msg


def test_missing_notes_named_with_their_line(tmp_path):
    (tmp_path / "meetup-indexer.yml").write_text("series:\n  - id: a\n    notes: [here.md, gone.md]\n")
    (tmp_path / "here.md").write_text("# A\n")
    with pytest.raises(ProjectError, match=r"meetup-indexer.yml:3: notes not found: gone.md"):
        load_project(tmp_path / "meetup-indexer.yml")
    assert find_project(None, tmp_path) == tmp_path / "meetup-indexer.yml"
    assert find_project(None, tmp_path / "nowhere") is None
    with pytest.raises(ProjectError, match="project file not found"):
        find_project(str(tmp_path / "other.yml"))


def test_init_writes_one_series_per_folder_from_the_notes_headers(tmp_path, monkeypatch):
    src = CORPUS / "notes" / "ethereum-acd-notes"
    (tmp_path / "el").mkdir()
    (tmp_path / "cl").mkdir()
    for f in src.glob("*.md"):
        shutil.copy(f, tmp_path / ("el" if f.name.startswith("el-") else "cl") / f.name)
    flyte = Path(__file__).resolve().parent.parent / "data" / "notes" / "flyte-meetup-notes.md"
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["init", "el", "cl", str(flyte)])
    assert r.exit_code == 0, r.output
    p = load_project(tmp_path / "meetup-indexer.yml")
    ids = [s.id for s in p.series]
    assert ids == ["execution-layer-meeting", "consensus-layer-meeting", "flyte-meetup"]
    el, cl, fl = p.series
    assert el.notes == [str(tmp_path / "el")] and cl.notes == [str(tmp_path / "cl")]
    # every call says "14:00 UTC"; the consensus calls were both on Thursdays
    assert (el.timezone, el.hour, cl.weekday) == ("UTC", 14, 3)
    # the header's channel and Drive folder links
    assert fl.channel == "UCNduEoLOToNo3nFVly-vUTQ" and fl.drive_folder
    again = CliRunner().invoke(cli, ["init", "el"])
    assert again.exit_code == 1 and "exists" in again.output
    missing = CliRunner().invoke(cli, ["init", "nowhere.md", "--force"])
    assert missing.exit_code == 1 and "nowhere.md" in missing.output and "Traceback" not in missing.output


def test_the_readme_example_is_a_valid_project_file():
    """The example of the project file's page in the docs (it was in the README)."""
    text = (Path(__file__).resolve().parent.parent / "docs" / "series.md").read_text()
    section = text[text.index("the project file (`meetup-indexer.yml`)"):]
    block = section[section.index("```yaml\n") + 8: section.index("```\n", section.index("```yaml\n") + 8)]
    p = parse_project(block, "docs/series.md")
    assert [s.id for s in p.series] == ["flyte-community-sync", "kestrel-community-meeting", "sig-storage",
                                        "atlas-community-call"]
    assert p.series[1].timezone == "Europe/Berlin" and p.series[0].timezone == "America/Los_Angeles"
    assert p.series[3].notes == [] and p.series[3].channel == "UCNduEoLOToNo3nFVly-vUTQ"
