"""How fast and small is the emulator itself? (the harvest benchmarks sit on top of it)

Prints one table: data generation time and memory (tracemalloc), and throughput of
a plain googleapiclient loop in this process (client and server share one CPU, so
this is a floor): YouTube uploads page + videos.list per 50 ids, Drive listing of a
tree with OR-batched parents.

    .venv/bin/python bench/emulator.py [--quick]
"""
from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from googleapiclient.discovery import build  # noqa: E402
from tabulate import tabulate  # noqa: E402

from meetup_emulator import DriveData, Emulator, YouTubeData  # noqa: E402

KEY = "bench-key"


def measure(fn):
    """(result, seconds, peak MB): timed on its own, memory on a second run, since
    tracemalloc slows allocation several times over."""
    t = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - t
    del out
    tracemalloc.start()
    out = fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return out, seconds, peak


def youtube_row(n: int) -> dict:
    data, gen_s, gen_mb = measure(lambda: YouTubeData.generate(videos=n, seed=1))
    cid = next(iter(data.channels))
    with Emulator(youtube=data, api_key=KEY) as emu:
        yt = build("youtube", "v3", static_discovery=True, developerKey=KEY, client_options={"api_endpoint": emu.url})
        t = time.perf_counter()
        token, videos = None, 0
        while True:
            page = yt.playlistItems().list(part="contentDetails", playlistId="UU" + cid[2:], maxResults=50,
                                           pageToken=token, fields="items/contentDetails/videoId,nextPageToken").execute()
            ids = [i["contentDetails"]["videoId"] for i in page["items"]]
            got = yt.videos().list(part="snippet,contentDetails,statistics,liveStreamingDetails,status",
                                   id=",".join(ids)).execute()
            videos += len(got["items"])
            token = page.get("nextPageToken")
            if not token:
                break
        secs = time.perf_counter() - t
        stats = emu.stats()
    return {"source": "youtube", "size": f"{n} videos", "generate s": round(gen_s, 2),
            "generate MB": round(gen_mb, 1), "items": videos, "calls": sum(stats["calls"].values()),
            "seconds": round(secs, 2), "items/s": int(videos / secs)}


def drive_row(folders: int, files: int, k: int = 50) -> dict:
    data, gen_s, gen_mb = measure(lambda: DriveData.generate(folders=folders, files=files, seed=1))
    with Emulator(drive=data, api_key=KEY) as emu:
        dr = build("drive", "v3", static_discovery=True, developerKey=KEY,
                   client_options={"api_endpoint": emu.url + "/drive/v3/"})
        t = time.perf_counter()
        frontier, seen, found = [data.root_folder_id], {data.root_folder_id}, 0
        while frontier:
            batch, frontier = frontier[:k], frontier[k:]
            q = "(" + " or ".join(f"'{p}' in parents" for p in batch) + ") and trashed = false"
            token = None
            while True:
                r = dr.files().list(q=q, pageSize=1000, pageToken=token,
                                    fields="nextPageToken,files(id,name,mimeType,parents,size,videoMediaMetadata)").execute()
                found += len(r["files"])
                for f in r["files"]:
                    if f["mimeType"] == "application/vnd.google-apps.folder" and f["id"] not in seen:
                        seen.add(f["id"])
                        frontier.append(f["id"])
                token = r.get("nextPageToken")
                if not token:
                    break
        secs = time.perf_counter() - t
        stats = emu.stats()
    return {"source": f"drive (k={k})", "size": f"{files} files / {folders} folders", "generate s": round(gen_s, 2),
            "generate MB": round(gen_mb, 1), "items": found, "calls": sum(stats["calls"].values()),
            "seconds": round(secs, 2), "items/s": int(found / secs)}


def main():
    quick = "--quick" in sys.argv
    rows = [youtube_row(n) for n in ((1000, 10000) if quick else (1000, 10000, 50000))]
    rows.append(drive_row(500, 20000))
    print(tabulate(rows, headers="keys"))


if __name__ == "__main__":
    main()
