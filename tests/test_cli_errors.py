"""Bad input: one-line errors, non-zero exit, the database untouched."""
import sqlite_utils
from click.testing import CliRunner

from indexer.cli import cli


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_missing_file(tmp_path):
    r = run("notes", str(tmp_path / "nope.md"))
    assert r.exit_code == 1
    assert r.output.strip() == f"Error: notes file not found: {tmp_path / 'nope.md'}"


def test_directory(tmp_path):
    r = run("notes", str(tmp_path))
    assert r.exit_code == 1 and "is a directory" in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_not_utf8(tmp_path):
    p = tmp_path / "latin1.md"
    p.write_bytes(b"## Feb 9, 2021\n\ncaf\xe9\n")
    r = run("notes", str(p))
    assert r.exit_code == 1
    assert "not UTF-8" in r.output and "line 3" in r.output


def test_empty_file(tmp_path):
    p = tmp_path / "empty.md"
    p.write_text("  \n")
    r = run("notes", str(p))
    assert r.exit_code == 1 and "empty" in r.output


def test_bad_notes_leave_database_as_it_was(seed_db, tmp_path):
    before = sqlite_utils.Database(seed_db)["meetings"].count
    p = tmp_path / "bad.md"
    p.write_bytes(b"\xff\xfe")
    r = run("sync", str(seed_db), str(p))
    assert r.exit_code == 1
    db = sqlite_utils.Database(seed_db)
    assert db["meetings"].count == before
    assert list(db["sync_runs"].rows)[-1]["status"] == "failed"


def test_notes_json_shape(seed_path):
    import json

    r = run("notes", "--json", str(seed_path))
    assert r.exit_code == 0
    data = json.loads(r.output)
    assert data[0]["date"] == "2021-02-09"
    assert set(data[0]) == {"date", "title", "line", "cancelled", "video_ids", "drive_ids", "talks"}
    assert data[0]["talks"][1] == {"title": "Flyte at Lyft L5 Autonomous cars using Bazel",
                                   "presenters": [{"name": "Miguel", "org": "Lyft L5"}]}


def test_python_dash_m(seed_path):
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "indexer", "notes", "--json", str(seed_path)],
                         capture_output=True, text=True, check=True)
    assert '"iHBUxzSC9XE"' in out.stdout


def test_database_that_is_not_sqlite(tmp_path, seed_path):
    bogus = tmp_path / "notes-by-mistake.db"
    bogus.write_text("# not a database\n" * 50)
    for args in (["sync", str(bogus), str(seed_path)], ["match", str(bogus)], ["report", str(bogus)]):
        r = run(*args)
        assert r.exit_code == 1, args
        assert r.output.startswith(f"Error: not a SQLite database: {bogus}") and r.output.count("\n") == 1
    assert bogus.read_text().startswith("# not a database")


def test_sync_refuses_a_file_without_meetings(seed_db, tmp_path):
    """README.md given as notes by mistake: nothing is written, its links do not become sources."""
    readme = tmp_path / "README.md"
    readme.write_text("# A project\n\nSee https://drive.google.com/drive/folders/1Op9EzMNuoZptWovcZcYVdmAuJNNNjil4\n")
    r = run("sync", str(seed_db), str(readme))
    assert r.exit_code == 1 and "no meetings found in" in r.output
    db = sqlite_utils.Database(seed_db)
    assert [row["path"] for row in db["notes_files"].rows] != [] and str(readme) not in {
        row["path"] for row in db["notes_files"].rows}
    r = run("notes", str(readme))
    assert r.exit_code == 0 and "no meetings found" in r.output
