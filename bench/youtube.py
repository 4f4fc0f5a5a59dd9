"""Benchmark the YouTube harvest against the emulator, in separate processes.

    .venv/bin/python bench/youtube.py [N ...]      (default: 1000 10000 50000)

For each channel size N: start `meetup-indexer emulator --videos N` (its own
process, so memory is the sync's alone), run a full `sync`, a re-sync with
nothing new, and a re-sync with --no-refresh, and print one table. Quota units
and calls come from the emulator's own /emulator/stats; wall time and peak
memory (max RSS) are the sync process's own, end to end (start-up, notes and
matching included); "harvest s" is the YouTube part alone, from the summary line,
and "harvest peak MB" a separate process running only ``youtube.harvest``.

Goals (issue 3): full sync <= 2*ceil(N/50)+2 units (met with --no-playlists; listing
playlist items costs 1 unit per 50 items on top, shown in its own column), re-sync <= ceil(N/50)+3,
--no-refresh re-sync <= 3, >= 2,000 videos/s, peak memory flat and < 250 MB.
"""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTES = ROOT / "data" / "notes" / "flyte-meetup-notes.md"
KEY = "bench-key"


def start_emulator(n: int, seed: int = 1):
    proc = subprocess.Popen(
        [sys.executable, "-m", "indexer", "emulator", "--videos", str(n), "--seed", str(seed), "--port", "0",
         "--api-key", KEY, "--files", "0", "--folders", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    info = {}
    while "url" not in info or "channel_id" not in info:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit(f"emulator did not start: {proc.poll()}")
        key, _, value = line.strip().partition(": ")
        if key in ("url", "channel_id"):
            info[key] = value.split()[0]
    return proc, info["url"], info["channel_id"]


def stats(url: str) -> dict:
    with urllib.request.urlopen(url + "/emulator/stats") as resp:
        return json.load(resp)


def diff(after: dict, before: dict) -> tuple[int, int, dict]:
    calls = {k: v - before["calls"].get(k, 0) for k, v in after["calls"].items()}
    calls = {k: v for k, v in calls.items() if v}
    return after["quota_units"] - before["quota_units"], sum(calls.values()), calls


def run_sync(db: Path, notes: Path, url: str, channel: str, *extra: str) -> tuple[float, float, float]:
    """(wall seconds, peak RSS in MB, harvest seconds from the summary line) of one sync process."""
    env = {k: v for k, v in os.environ.items() if k not in ("YOUTUBE_API_KEY", "GOOGLE_API_KEY")}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "indexer", "sync", str(db), str(notes), "--channel", channel, "--api-key", KEY,
         "--api-endpoint", url, *extra],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    err = proc.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"sync failed: {err}")
    import re

    m = re.search(r"^YouTube .* quota units in ([0-9.]+)s", err, re.M)
    return wall, usage.ru_maxrss / 1024, float(m.group(1)) if m else float("nan")  # ru_maxrss: KiB on Linux


HARVEST_ONLY = """
import resource, sys, sqlite_utils
from indexer.google_api import GoogleClient
from indexer.youtube import harvest
db = sqlite_utils.Database(sys.argv[1])
harvest(db, GoogleClient("youtube", "v3", api_key=sys.argv[2], api_endpoint=sys.argv[3]), sys.argv[4])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def harvest_only_rss(db: Path, url: str, channel: str) -> float:
    """Peak RSS (MB) of the harvest alone: no CLI, notes or matching."""
    out = subprocess.run([sys.executable, "-c", HARVEST_ONLY, str(db), KEY, url, channel], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    return float(out.split()[-1])


def bench(n: int, tmp: Path) -> dict:
    notes = tmp / "notes.md"
    # YouTube alone: the notes without their Drive folder
    notes.write_text("".join(l for l in NOTES.read_text().splitlines(True) if "drive.google.com" not in l))
    emu, url, channel = start_emulator(n)
    try:
        db = tmp / f"bench-{n}.db"
        s0 = stats(url)
        wall, rss, harvest_s = run_sync(db, notes, url, channel)
        s1 = stats(url)
        run_sync(db, notes, url, channel)
        s2 = stats(url)
        run_sync(db, notes, url, channel, "--no-refresh")
        s3 = stats(url)
        run_sync(tmp / f"bench-{n}-np.db", notes, url, channel, "--no-playlists")
        s4 = stats(url)
        harvest_rss = harvest_only_rss(tmp / f"bench-{n}-h.db", url, channel)
    finally:
        emu.terminate()
        emu.wait()
    import sqlite3

    stored = sqlite3.connect(db).execute("select count(*) from videos").fetchone()[0]
    full_units, full_calls, full_by = diff(s1, s0)
    playlist_units = full_by.get("youtube.playlistItems.list", 0) - math.ceil(stored / 50)
    re_units, re_calls, _ = diff(s2, s1)
    nr_units, nr_calls, _ = diff(s3, s2)
    np_units, _, _ = diff(s4, s3)
    pages = math.ceil(n / 50)
    return {
        "N": n, "uploads": stored,
        "full units": full_units, "goal (full)": 2 * pages + 2, "of which playlist items": max(playlist_units, 0),
        "full calls": full_calls, "full --no-playlists units": np_units,
        "re-sync units": re_units, "goal (re-sync)": pages + 3,
        "--no-refresh units": nr_units, "goal (no-refresh)": 3,
        "wall s": round(wall, 2), "videos/s": round(stored / wall),
        "harvest s": round(harvest_s, 2), "harvest videos/s": round(stored / harvest_s),
        "sync peak MB": round(rss, 1), "harvest peak MB": round(harvest_rss, 1),
    }


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [1000, 10000, 50000]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            rows.append(bench(n, Path(tmp)))
            print(f"  done N={n}", file=sys.stderr)
    from tabulate import tabulate

    print(tabulate([list(r.values()) for r in rows], headers=[h.strip() for h in rows[0]], tablefmt="github"))


if __name__ == "__main__":
    main(sys.argv[1:])
