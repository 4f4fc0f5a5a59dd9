"""`meetup-indexer notes` on the fixtures: the documented JSON shape, warnings on stderr."""
import json
from pathlib import Path

from click.testing import CliRunner

from indexer.cli import cli

NOTES = Path(__file__).parent / "fixtures" / "notes"


def run(*args):
    return CliRunner().invoke(cli, ["notes", *args])


def test_json_shape_for_every_form():
    result = run("--json", str(NOTES / "not-headings.md"))
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert {tuple(sorted(m)) for m in out} == {
        ("cancelled", "date", "drive_ids", "line", "talks", "title", "video_ids")
    }
    bullet = next(m for m in out if m["date"] == "2021-04-01")
    assert bullet == {
        "date": "2021-04-01", "title": "Flyte 0.12 release", "line": 6, "cancelled": False,
        "video_ids": ["bbbbbbbbbbb"], "drive_ids": [],
        "talks": [
            {"title": "Release walkthrough", "presenters": [{"name": "Ketan", "org": "Union"}]},
            {"title": "Demo: map tasks", "presenters": [{"name": "Kevin Su", "org": "Lyft"}]},
        ],
    }
    assert f"{NOTES / 'not-headings.md'}:38: warning: meeting 2021-06-24 appears again" in result.stderr


def test_warnings_name_the_file_and_line(tmp_path):
    notes = tmp_path / "odd.md"
    notes.write_text("# N\n\n## Feb 30, 2021\n\n## 13/02/2021\n")
    result = run(str(notes))
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"{notes}:3: warning: not a valid date: Feb 30, 2021",
        f"{notes}:5: warning: 13/02/2021 is not a US month/day/year date; read as day/month/year",
    ]
    assert "2021-02-13" in result.stdout
