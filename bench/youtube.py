"""Benchmark the YouTube harvest against the emulator, in separate processes.

    .venv/bin/python bench/youtube.py [N ...]            (default: 1000 10000 50000)
    .venv/bin/python bench/youtube.py --ratio [N ...]    only the side-by-side table below

For each channel size N: start `meetup-indexer emulator --videos N` (its own
process, so memory is the sync's alone), run a full `sync`, a re-sync with
nothing new, and a re-sync with --no-refresh, and print one table. Quota units
and calls come from the emulator's own /emulator/stats; wall time and peak
memory (max RSS) are the sync process's own, end to end (start-up, notes and
matching included); "harvest s" is the YouTube part alone, from the summary line,
and "harvest peak MB" a separate process running only ``youtube.harvest``.

Then, side by side on the same emulator (issue 9, item 7): a full ``sync`` into a
new database against a bare serial loop (its own process: python, googleapiclient,
the same key and endpoint) that asks exactly what a full sync asks -- channels.list,
the uploads playlist's playlistItems.list pages, videos.list per page of ids,
playlists.list and every playlist's playlistItems.list pages, with the harvester's
own parts and fields -- and throws the answers away. Runs alternate (bare, sync,
bare, sync...) and the median of ``--runs`` (3) is shown: the machine is shared.
Goal: sync <= 1.2x the bare loop, peak memory flat in N ("harvest peak MB": a process
running only ``youtube.harvest``, once per N). The "same calls" column
checks, from the emulator's own counts, that both asked the same calls.
Where a sync's time beyond the loop goes (10,000 videos, CPU of the sync process,
the emulator's ~2 s alike for both): start-up imports (~0.25 s more than the
loop's: sqlite-utils, the notes parser, rapidfuzz), rows and writes (~0.8 s: the
raw JSON, chapters, upserts), the matcher (~0.5 s: each video's dates read once,
its date regexes most of it). The matcher streams the channel (``matchdb.load_linkable``)
and holds only the videos that can be linked, so the sync's peak stays flat in N
(measured 65 / 67 / 72 MB at 1k / 10k / 50k; it was 68 / 90 / 189 MB).
On 2 cores shared with the emulator the ratio approaches the ratio of CPU
totals when the machine is busy, and falls when it is quiet.

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
from indexer.google.client import GoogleClient
from indexer.youtube.harvest import harvest
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


# A full sync's calls and nothing else: no database, no threads, answers dropped.
BARE_LOOP = """
import json, resource, sys
import httplib2
from googleapiclient.discovery import build
key, url, channel, params = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
yt = build("youtube", "v3", static_discovery=True, developerKey=key, http=httplib2.Http(timeout=60),
           client_options={"api_endpoint": url.rstrip("/") + "/"})
playlist_items = yt.playlistItems()

def pages(resource, **kw):
    token = None
    while True:
        resp = resource.list(pageToken=token, **kw).execute(num_retries=0)
        yield resp
        token = resp.get("nextPageToken")
        if not token:
            return

found = yt.channels().list(id=channel, **params["channel"]).execute(num_retries=0)
uploads = found["items"][0]["contentDetails"]["relatedPlaylists"]["uploads"]
videos = yt.videos()
for page in pages(playlist_items, playlistId=uploads, **params["uploads"]):
    ids = [it["contentDetails"]["videoId"] for it in page.get("items", [])]
    if ids:
        videos.list(id=",".join(ids), **params["videos"]).execute(num_retries=0)
for page in pages(yt.playlists(), channelId=channel, **params["playlists"]):
    for playlist in page.get("items", []):
        for _ in pages(playlist_items, playlistId=playlist["id"], **params["playlist_items"]):
            pass
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def bare_params() -> str:
    """The harvester's own parts, fields and page sizes, so both ask the same of the API."""
    from indexer.youtube import harvest as yt

    return json.dumps({
        "channel": {"part": yt.CHANNEL_PARTS, "fields": yt.CHANNEL_FIELDS},
        "uploads": {"part": "contentDetails", "maxResults": yt.PAGE, "fields": yt.UPLOAD_FIELDS},
        "videos": {"part": yt.VIDEO_PARTS, "maxResults": yt.PAGE, "fields": yt.VIDEO_FIELDS},
        "playlists": {"part": yt.PLAYLIST_PARTS, "maxResults": yt.PAGE, "fields": yt.PLAYLIST_FIELDS},
        "playlist_items": {"part": "snippet,contentDetails", "maxResults": yt.PAGE, "fields": yt.PLAYLIST_ITEM_FIELDS},
    })


def run_bare(url: str, channel: str, params: str) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of the bare loop, start-up included."""
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", BARE_LOOP, KEY, url, channel, params], cwd=ROOT,
                         capture_output=True, text=True)
    wall = time.perf_counter() - started
    if out.returncode:
        raise SystemExit(f"bare loop failed: {out.stderr[-500:]}")
    return wall, float(out.stdout.split()[-1])


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def ratio(n: int, tmp: Path, runs: int) -> dict:
    notes = tmp / "notes.md"
    notes.write_text("".join(l for l in NOTES.read_text().splitlines(True) if "drive.google.com" not in l))
    params = bare_params()
    emu, url, channel = start_emulator(n)
    bare, synced, bare_mb, sync_mb, same = [], [], [], [], True
    try:
        for i in range(runs):
            s0 = stats(url)
            wall, mb = run_bare(url, channel, params)
            s1 = stats(url)
            bare.append(wall)
            bare_mb.append(mb)
            db = tmp / f"ratio-{n}-{i}.db"
            wall, mb, _ = run_sync(db, notes, url, channel)
            s2 = stats(url)
            synced.append(wall)
            sync_mb.append(mb)
            same = same and diff(s1, s0)[2] == diff(s2, s1)[2]
            for p in tmp.glob(f"ratio-{n}-{i}.db*"):
                p.unlink()
        harvest_mb = harvest_only_rss(tmp / f"ratio-{n}-h.db", url, channel)
    finally:
        emu.terminate()
        emu.wait()
    b, s = median(bare), median(synced)
    return {
        "N": n, "bare loop s": round(b, 2), "sync s": round(s, 2), "sync / bare": round(s / b, 2),
        "goal": "<= 1.2", "bare peak MB": round(median(bare_mb), 1), "sync peak MB": round(median(sync_mb), 1),
        "harvest peak MB": round(harvest_mb, 1), "same calls": "yes" if same else "NO", "runs": runs,
        "all bare s": " ".join(f"{v:.2f}" for v in bare), "all sync s": " ".join(f"{v:.2f}" for v in synced),
    }


def show(rows: list[dict]) -> None:
    from tabulate import tabulate

    print(tabulate([list(r.values()) for r in rows], headers=[h.strip() for h in rows[0]], tablefmt="github"))


def main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000, 50000])
    parser.add_argument("--ratio", action="store_true", help="only the side-by-side table against a bare fetch loop")
    parser.add_argument("--runs", type=int, default=3, help="runs per size for the side-by-side medians")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if not args.ratio:
            rows = []
            for n in args.sizes:
                rows.append(bench(n, Path(tmp)))
                print(f"  done N={n}", file=sys.stderr)
            show(rows)
            print()
        rows = []
        for n in args.sizes:
            rows.append(ratio(n, Path(tmp), args.runs))
            print(f"  done side by side N={n}", file=sys.stderr, flush=True)
        print("full sync beside a bare serial loop fetching the same pages (goal: sync / bare <= 1.2, "
              "peak MB flat in N)")
        show(rows)


if __name__ == "__main__":
    main(sys.argv[1:])
