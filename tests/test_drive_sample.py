"""The bundled synthetic Drive recording replays offline into the demo database."""
import sqlite_utils
from click.testing import CliRunner
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


NOTES = ROOT / "data" / "notes" / "flyte-meetup-notes.md"
RECORDING = ROOT / "data" / "sample" / "recording"


def test_make_demo_replay_harvests_the_drive_archive(tmp_path, clean_env):
    from indexer.cli import cli

    res = CliRunner().invoke(cli, ["sync", str(tmp_path / "i.db"), str(NOTES), "--replay", str(RECORDING)],
                             env=clean_env(), catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "Drive 1Op9EzMNuoZptWovcZcYVdmAuJNNNjil4: 5 folders, 8 files" in res.output
    db = sqlite_utils.Database(tmp_path / "i.db")
    zoom = next(db["drive_files"].rows_where("name like 'GMT20210209-170012_Recording_1920x1080%'"))
    assert zoom["path"] == "Video Archives/2021/02-09/GMT20210209-170012_Recording_1920x1080.mp4"
    assert (zoom["name_date"], zoom["name_date_form"]) == ("2021-02-09T17:00:12Z", "zoom")
    assert (zoom["duration_s"], zoom["width"], zoom["height"]) == (3481, 1920, 1080)
    # the cycle back to the root was stored as a shortcut, not walked again
    assert db.execute("select count(*) from drive_folders where id = '1Op9EzMNuoZptWovcZcYVdmAuJNNNjil4'").fetchone()[0] == 1
    # full-text search over names and paths
    hits = db.execute("select name from drive_files where rowid in "
                      "(select rowid from drive_files_fts where drive_files_fts match 'egress')").fetchall()
    assert hits == [("Flyte Egress Events - Spotify.pdf",)]
    # the matcher sees the Zoom file as a recording of the 2021-02-09 meeting
    assert db.execute("select count(*) from recordings where source = 'drive' and meeting_id = '2021-02-09' "
                      "and ref = ?", [zoom["id"]]).fetchone()[0] == 1
