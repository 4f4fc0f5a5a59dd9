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


def test_notes_folder_keeps_one_meeting_per_date_as_sync_does(tmp_path):
    """A file whose header was copied from the previous minutes is dated by its path, by
    `notes` as by `sync`, with the same warning."""
    folder = tmp_path / "meetings"
    folder.mkdir()
    body = "# Working group minutes\n\n24 Nov 2020\n\n## Agenda\n\n- (Ada) Threat model review\n"
    (folder / "2020_11_24.md").write_text(body)
    (folder / "2021_01_12.md").write_text(body)
    result = CliRunner().invoke(cli, ["notes", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    dates = [m["date"] for m in json.loads(result.stdout)]
    assert dates == ["2020-11-24", "2021-01-12"]
    assert "2021_01_12.md:3: warning: meeting 2020-11-24 is also in" in result.stderr
