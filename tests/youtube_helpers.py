"""Shared by the YouTube and Drive tests: run `sync` against the emulator, kill it, dump tables to compare."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
import tempfile

_SEED_FULL = ROOT / "data" / "notes" / "flyte-meetup-notes.md"
# the seed notes without their Drive folder, so these tests harvest YouTube alone
SEED = Path(tempfile.mkdtemp(prefix="yt-notes-")) / "flyte-meetup-notes.md"
SEED.write_text("".join(l for l in _SEED_FULL.read_text().splitlines(keepends=True) if "drive.google.com" not in l))
FLYTE_CHANNEL = "UCNduEoLOToNo3nFVly-vUTQ"  # the channel the seed notes' header names
KEY = "test-key-7f3a9c1e5b"
VOLATILE = {"first_seen", "last_seen", "synced_at"}


def clean_env(**extra) -> dict:
    """No real credentials leak in from the machine running the tests."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("YOUTUBE_API_KEY", "GOOGLE_API_KEY", "GOOGLE_APPLICATION_CREDENTIALS")}
    env["MEETUP_INDEXER_BACKOFF"] = "0.001"
    env["HOME"] = extra.pop("HOME", env.get("HOME", "/nonexistent"))
    env.update(extra)
    return env


def sync(db_path, *args, env: dict | None = None):
    """`meetup-indexer sync DB SEED ARGS` in-process; returns the click Result."""
    from indexer.cli import cli

    return CliRunner().invoke(cli, ["sync", str(db_path), str(SEED), *map(str, args)], env=env or clean_env(),
                         catch_exceptions=False)


def sync_process(db_path, *args, env: dict | None = None, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "indexer", "sync", str(db_path), str(SEED), *map(str, args)],
        env=env or clean_env(), capture_output=True, text=True, cwd=ROOT, **kwargs,
    )


def dump(db_path, skip_tables=("sync_runs",)) -> dict:
    """Every ordinary table's rows, sorted, without first_seen/last_seen."""
    conn = sqlite3.connect(db_path)
    out = {}
    tables = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table' order by name")]
    for t in tables:
        if t in skip_tables or "_fts" in t or t.startswith("sqlite_"):
            continue
        cols = [r[1] for r in conn.execute(f"pragma table_info([{t}])") if r[1] not in VOLATILE]
        rows = conn.execute(f"select {', '.join(f'[{c}]' for c in cols)} from [{t}]").fetchall()
        out[t] = sorted(rows, key=repr)
    conn.close()
    return out


def stderr_of(result) -> str:
    return result.stderr


def kill_sync_when(db, args, table: str, rows: int = 1) -> bool:
    """Start ``sync DB ARGS...`` and SIGKILL it once ``table`` holds ``rows`` committed
    rows; False if it finished before the kill landed."""
    import signal
    import time

    proc = subprocess.Popen([sys.executable, "-m", "indexer", "sync", str(db), *map(str, args)],
                            env=clean_env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline, got = time.monotonic() + 60, 0
    while time.monotonic() < deadline and got < rows and proc.poll() is None:
        time.sleep(0.005)
        try:
            got = sqlite3.connect(db, timeout=0.05).execute(f"select count(*) from [{table}]").fetchone()[0]
        except sqlite3.OperationalError:
            pass
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return proc.returncode == -signal.SIGKILL
