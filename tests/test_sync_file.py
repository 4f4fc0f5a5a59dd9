"""The database file during a sync: one writer at a time, an atomic swap that
open readers survive, no WAL left behind, killed runs closed as interrupted,
and nothing secret or machine-specific in what the site publishes."""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from indexer.store import dbfile
from meetup_emulator import Emulator, YouTubeData
from indexer.common.errors import EXIT_BUSY

ROOT = Path(__file__).resolve().parent.parent


def test_a_second_sync_waits_for_nobody_and_says_who_holds_the_database(tmp_path, sync):
    db = tmp_path / "i.db"
    assert sync(db).exit_code == 0
    with dbfile.locked(db):
        res = sync(db)
    assert res.exit_code == EXIT_BUSY
    assert res.stderr.count("\n") == 1 and res.stderr.startswith("Error: another sync is running since 20")
    # free again once the first one ends
    assert sync(db).exit_code == 0


def test_a_sync_swaps_the_file_and_open_readers_keep_the_old_one(tmp_path, youtube_notes, clean_env, sync):
    db = tmp_path / "i.db"
    notes = tmp_path / "notes.md"
    notes.write_text(youtube_notes.read_text())
    assert sync(db).exit_code == 0
    reader = sqlite3.connect(f"file:{db}?immutable=1", uri=True)  # as Datasette serves it
    before = reader.execute("select count(*) from meetings").fetchone()[0]
    inode = os.stat(db).st_ino

    from click.testing import CliRunner
    from indexer.cli import cli

    notes.write_text(youtube_notes.read_text() + "\n## Mar 9, 2031\n\n### Agenda:\n* New talk [Ada - Acme]\n")
    res = CliRunner().invoke(cli, ["sync", str(db), str(notes)], env=clean_env(), catch_exceptions=False)
    assert res.exit_code == 0, res.stderr
    # the old reader still reads a whole, unchanged database
    assert reader.execute("select count(*) from meetings").fetchone()[0] == before
    assert reader.execute("pragma integrity_check").fetchone()[0] == "ok"
    fresh = sqlite3.connect(db)
    assert fresh.execute("select count(*) from meetings where date = '2031-03-09'").fetchone()[0] == 1
    assert os.stat(db).st_ino != inode
    assert fresh.execute("pragma journal_mode").fetchone()[0] == "delete"
    assert not any(p.name.endswith((".building", "-wal", "-journal")) for p in tmp_path.iterdir())


def test_a_killed_sync_leaves_the_served_file_alone_and_the_next_run_closes_it(tmp_path, flyte_channel, youtube_notes, clean_env, dump, sync, sync_process, api_key):
    db, whole = tmp_path / "i.db", tmp_path / "whole.db"
    with Emulator(youtube=YouTubeData.generate(videos=3000, seed=5, channel_id=flyte_channel), api_key=api_key) as emu:
        args = ["--api-key", api_key, "--api-endpoint", emu.url, "--quiet"]
        assert sync(db).exit_code == 0  # the notes alone: a database a site could be serving
        served = dump(db)
        work = tmp_path / ("i.db" + dbfile.WORK_SUFFIX)
        proc = subprocess.Popen([sys.executable, "-m", "indexer", "sync", str(db), str(youtube_notes), *args],
                                env=clean_env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        got, deadline = 0, time.monotonic() + 60
        while got < 200 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
            try:
                conn = sqlite3.connect(f"file:{work}?mode=ro", uri=True, timeout=0.05)
                got = conn.execute("select count(*) from videos").fetchone()[0]
                conn.close()
            except sqlite3.OperationalError:
                pass
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL and got >= 200
        # the served file: as before, one file, not in WAL mode
        assert dump(db) == served
        conn = sqlite3.connect(db)
        assert conn.execute("pragma journal_mode").fetchone()[0] == "delete"
        conn.close()
        assert not os.path.exists(f"{db}-wal")
        # the next run continues from what the killed one fetched, and closes its row
        res = sync_process(db, *args)
        assert res.returncode == 0, res.stderr
        assert sync_process(whole, *args).returncode == 0
    assert dump(db) == dump(whole)
    statuses = [r[0] for r in sqlite3.connect(db).execute("select status from sync_runs order by id")]
    assert statuses == ["ok", "interrupted", "ok"]
    assert not work.exists()


def test_stored_commands_hold_no_secret_userinfo_or_machine_path(tmp_path, flyte_channel, youtube_notes, clean_env, api_key):
    notes = tmp_path / "outside-the-repo.md"
    notes.write_text(youtube_notes.read_text())
    db = tmp_path / "i.db"
    with Emulator(youtube=YouTubeData.generate(videos=5, seed=1, channel_id=flyte_channel), api_key=api_key) as emu:
        host = emu.url.split("://", 1)[1]
        res = subprocess.run(
            [sys.executable, "-m", "indexer", "sync", str(db), str(notes), "--api-key", api_key,
             "--api-endpoint", f"http://someone:hunter2secret@{host}", "--quiet"],
            env=clean_env(), cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    command, error = sqlite3.connect(db).execute("select command, error from sync_runs").fetchone()
    assert command.startswith("sync outside-the-repo.md ") and "--api-key" in command
    for leak in ("hunter2secret", "someone", api_key, str(tmp_path)):
        assert leak not in command and leak not in (error or "") and leak not in res.stderr


def test_the_sync_result_lines_follow_the_steps():
    from indexer.sync.pipeline import StepResult, SyncResult

    result = SyncResult("i.db", notes_files=1, counts={"meetings": 3}, steps=[
        StepResult("YouTube", "skipped", "YouTube skipped: no channel", must_show=False),
        StepResult("Drive", "skipped", "Drive skipped: no API key", must_show=True),
        StepResult("match", "skipped"),
    ])
    assert result.lines(quiet=True) == ["Drive skipped: no API key"]
    loud = result.lines(quiet=False)
    assert loud[:2] == ["YouTube skipped: no channel", "Drive skipped: no API key"]
    assert loud[2].startswith("synced 1 notes file(s) into i.db: 3 meetings")
    assert json.dumps(result.counts)


def test_report_and_a_refused_match_leave_the_file_untouched(tmp_path, sync):
    from click.testing import CliRunner
    from indexer.cli import cli

    db = tmp_path / "i.db"
    assert sync(db).exit_code == 0
    before = (db.read_bytes(), os.stat(db).st_mtime_ns)
    assert CliRunner().invoke(cli, ["report", str(db)]).exit_code == 0
    assert (db.read_bytes(), os.stat(db).st_mtime_ns) == before
    other = tmp_path / "other-app.db"  # another application's database
    conn = sqlite3.connect(other)
    conn.execute("create table notes (id integer primary key, body text)")
    conn.commit()
    conn.close()
    bytes_before = other.read_bytes()
    for command in ("match", "report"):
        res = CliRunner().invoke(cli, [command, str(other)])
        assert res.exit_code == 1 and res.output.startswith(f"Error: no meetings in {other}")
    assert other.read_bytes() == bytes_before


def test_a_budget_of_zero_stops_before_the_first_call_and_says_so_even_quietly(tmp_path, flyte_channel, sync, api_key):
    with Emulator(youtube=YouTubeData.generate(videos=5, seed=1, channel_id=flyte_channel), api_key=api_key) as emu:
        res = sync(tmp_path / "i.db", "--api-key", api_key, "--api-endpoint", emu.url, "--quota-budget", "0", "--quiet")
        calls = emu.stats()["calls"]
    assert res.exit_code == 0, res.stderr
    [line] = res.stderr.splitlines()
    assert line.startswith("YouTube https://www.youtube.com/channel/") and "None" not in line
    assert "stopped early: quota budget of 0 units reached" in line
    assert not calls
