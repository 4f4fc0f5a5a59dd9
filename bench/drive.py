"""Drive harvest benchmark: API calls (the emulator's own counts), wall time, peak memory.

    .venv/bin/python bench/drive.py [--folders 500] [--files 20000]

Each run is a real `meetup-indexer sync` process against the emulator (serving a
generated tree in this process); peak memory is that process's max RSS.
Goal for a full listing: ceil(folders/k) + ceil(files/1000) + 5 calls, where k is
the number of parents OR-ed per files.list query; an incremental run with
credentials and nothing changed: at most 2 calls.
"""
from __future__ import annotations

import argparse
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.drive.harvest import PARENTS_PER_QUERY  # noqa: E402
from meetup_emulator import DriveData, Emulator  # noqa: E402

FOLDER_ID = "1benchbenchbenchbenchbenchbench00"
KEY = "bench-key"


def sync(db, notes, *args) -> tuple[float, int, str]:
    """Run one sync; returns (seconds, peak RSS in MB, the Drive summary line)."""
    env = {k: v for k, v in os.environ.items() if k not in ("GOOGLE_API_KEY", "YOUTUBE_API_KEY")}
    env["MEETUP_INDEXER_BACKOFF"] = "0.01"
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "indexer", "sync", str(db), str(notes), *map(str, args)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - started
    err = proc.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"sync failed: {err[-500:]}")
    line = next((l for l in err.splitlines() if l.startswith("Drive ")), "")
    return seconds, usage.ru_maxrss // 1024, line


def drive_calls(emu) -> int:
    return sum(v for k, v in emu.stats()["calls"].items() if k.startswith("drive."))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folders", type=int, default=500)
    ap.add_argument("--files", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    opts = ap.parse_args()
    data = DriveData.generate(folders=opts.folders, files=opts.files, seed=opts.seed, root_folder_id=FOLDER_ID)
    n_folders = sum(f["mimeType"] == "application/vnd.google-apps.folder" for f in data.files.values())
    goal_full = math.ceil(opts.folders / PARENTS_PER_QUERY) + math.ceil(opts.files / 1000) + 5
    rows = []
    with tempfile.TemporaryDirectory() as tmp, Emulator(drive=data, api_key=KEY) as emu:
        tmp = Path(tmp)
        notes = tmp / "notes.md"
        notes.write_text(f"# Bench\n\n[Archive](https://drive.google.com/drive/folders/{FOLDER_ID})\n\n"
                         "## Feb 9, 2021\n\n* A talk [Someone - Org]\n")
        sa = tmp / "sa.json"
        emu.write_service_account(sa)
        key = ["--api-key", KEY, "--api-endpoint", emu.url]
        creds = ["--credentials", sa, "--api-endpoint", emu.url]

        def measure(label, db, args, goal=""):
            emu.reset_stats()
            seconds, rss, line = sync(db, notes, *args)
            # "Drive ID: what happened; N calls in S.SSs": the Drive step's own time and result
            m = re.search(r": (.*); \d+ calls in ([\d.]+)s", line)
            rows.append((label, drive_calls(emu), goal, m.group(2) if m else "?", f"{seconds:.2f}", rss,
                         m.group(1) if m else line))

        measure(f"full sync, API key (k={PARENTS_PER_QUERY})", tmp / "key.db", key, f"<= {goal_full}")
        measure("full sync, credentials (+ start token)", tmp / "sa.db", creds, f"<= {goal_full}")
        measure("incremental, credentials, nothing changed", tmp / "sa.db", creds, "<= 2")
        day = next(fid for fid in data.children(FOLDER_ID) if data.files[fid]["mimeType"].endswith("folder"))
        for i in range(10):
            data.add_file(f"GMT20260101-1700{i:02d}_Recording_1920x1080.mp4", day)
        measure("incremental, credentials, 10 files added", tmp / "sa.db", creds, "<= 2")
        measure("rerun, API key (relists: no changes feed)", tmp / "key.db", key, f"<= {goal_full}")
        # for comparison, in this process: one folder per query, as one-query-per-folder tools walk
        import sqlite_utils

        from indexer.drive import harvest as drive
        from indexer.google.auth import GoogleAccess

        emu.reset_stats()
        started = time.monotonic()
        client = GoogleAccess(api_key=KEY, api_endpoint=emu.url).client("drive")
        counts = drive.harvest(sqlite_utils.Database(tmp / "k1.db"), client, FOLDER_ID, k=1)
        client.close()
        rows.append(("full listing with k=1 (for comparison)", drive_calls(emu), "",
                     f"{time.monotonic() - started:.2f}", "", "",
                     f"{counts['drive_folders']} folders, {counts['drive_files']} files listed"))
    from tabulate import tabulate

    print(f"Drive tree: {len(data.files) - n_folders} files in {n_folders} folders "
          f"(generated: --folders {opts.folders} --files {opts.files}); k = {PARENTS_PER_QUERY} parents per query")
    print(tabulate(rows, headers=["run", "Drive API calls", "goal", "Drive step s", "whole sync s", "peak RSS MB", "result"]))


if __name__ == "__main__":
    main()
