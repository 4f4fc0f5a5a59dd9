"""Latency of the Datasette site on a large generated archive.

    .venv/bin/python bench/datasette.py [--videos 100000 --talks 50000 --meetings 10000] [--requests 60]

Builds a database of MEETINGS meetings with TALKS talks (notes generated as
markdown, read by the project's parser and written by ``save_notes``),
VIDEOS videos (API-shaped resources through ``youtube.save_videos``), and a
recording and a talk moment per meeting/talk in the contract's columns, then
``ensure_db_shape``. It serves that file exactly as the site runs
(``meetup-indexer serve``: immutable, SQL time limit) and times, in one run,
sequential HTTP GETs of:

- search pages: /index/{talks,videos,meetings}?_search=W (FTS5);
- facet pages: /index/videos (year and live status facets) and
  /index/talk_presenters (presenter and organisation facets, labels);
- the "Find a talk" canned query;
- the same searches as LIKE scans over the same columns: the same table
  pages (count, facets, rows) with ``?_where=... like '%W%'`` instead of
  ``?_search=W``, which is what a site without full-text search does.

Prints median, p95 and max wall-clock latency per page, and the CPU time one
request costs (in-process, median of 10), which other work on the machine
disturbs less. Goal: p95 under 100 ms for search and facets.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# this file is named datasette.py: keep its folder from shadowing the package
sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

from indexer.store import db as dbmod  # noqa: E402
from indexer.youtube import harvest as youtube  # noqa: E402
from indexer.notes import parse_notes  # noqa: E402
from indexer.notes.save import save_notes  # noqa: E402

TOPICS = ["Egress events", "Map tasks at scale", "Type transformers", "Caching deep dive", "Data lineage",
          "Flyte on GCP", "Propeller performance", "Databricks plugin", "Pandera integration", "Roadmap",
          "Dynamic workflows", "Flyte Decks", "Spark on Kubernetes", "Cost monitoring", "Release planning",
          "Agent framework", "Ray integration", "Console redesign", "Secrets management", "Artifact service"]
WORDS = ["workflow", "cluster", "latency", "scheduler", "plugin", "cache", "lineage", "notebook", "retry",
         "sandbox", "deployment", "metrics", "gpu", "storage", "queue", "launch", "serialization", "backfill"]
FIRST = ["Ann", "Bob", "Chen", "Dana", "Eduardo", "Fatima", "Gus", "Haytham", "Ines", "Jeev", "Ketan", "Lena",
         "Miguel", "Nian", "Olu", "Priya", "Quinn", "Ruslan", "Sonja", "Tomasz", "Yee", "Zoe"]
ORGS = ["Spotify", "Lyft L5", "Union", "Freenome", "Astronomer", "OSC", "Acme Corp", "Pachama", "Blackshark.ai",
        "Gojek", "Wolt", "Toyota", "Stripe", "Intel"]
SEARCH_WORD = "egress"  # in one topic of twenty: about 5% of talks and videos


def vid(i: int) -> str:
    return f"v{i:010d}"


def notes_text(meetings: int, talks: int, rng: random.Random) -> str:
    per = talks // meetings
    extra = talks - per * meetings
    start = dt.date(2026, 11, 24)
    lines = ["# Bench community notes", ""]
    for m in range(meetings):
        d = start - dt.timedelta(days=m)
        lines += [f"## {d.isoformat()}", "", f"### [YouTube Video](https://www.youtube.com/watch?v={vid(m)})",
                  "", "### Agenda:"]
        for t in range(per + (1 if m < extra else 0)):
            names = " - ".join(rng.sample(FIRST, rng.randint(1, 2)))
            lines.append(f"* {rng.choice(TOPICS)} {rng.choice(WORDS)} {m}-{t} [{names} - {rng.choice(ORGS)}]")
        lines.append("")
    return "\n".join(lines)


def video_resource(i: int, rng: random.Random) -> dict:
    published = dt.datetime(2026, 11, 25, 17, tzinfo=dt.timezone.utc) - dt.timedelta(hours=6 * i)
    topic = rng.choice(TOPICS)
    return {
        "id": vid(i),
        "snippet": {
            "channelId": "UCbench0000000000000000",
            "title": f"{topic}: community sync {published.date().isoformat()}",
            "description": f"0:00 Intro\n5:00 {topic}\n25:00 {rng.choice(TOPICS)}\n"
                           f"Talk about {rng.choice(WORDS)} and {rng.choice(WORDS)}.",
            "publishedAt": published.isoformat().replace("+00:00", "Z"),
            "tags": rng.sample(WORDS, 3),
            "thumbnails": {"high": {"url": f"https://i.ytimg.com/vi/{vid(i)}/hqdefault.jpg", "width": 480}},
        },
        "contentDetails": {"duration": f"PT{rng.randint(20, 70)}M{rng.randint(0, 59)}S"},
        "statistics": {"viewCount": str(rng.randint(0, 5000)), "likeCount": "3", "commentCount": "0"},
        "status": {"privacyStatus": rng.choice(["public"] * 9 + ["unlisted"])},
    }


def build(path: Path, meetings: int, talks: int, videos: int, seed: int = 1) -> dict:
    rng = random.Random(seed)
    timings = {}
    started = time.perf_counter()
    db = dbmod.open_db(path)
    notes = parse_notes(notes_text(meetings, talks, rng), "bench-notes.md")
    with db.conn:
        save_notes(db, notes, "bench-notes.md")
    timings["notes"] = time.perf_counter() - started

    started = time.perf_counter()
    youtube.create_tables(db)
    now = "2026-11-27T00:00:00+00:00"
    with db.conn:
        db["channels"].insert({"id": "UCbench0000000000000000", "title": "Bench channel", "first_seen": now,
                               "last_seen": now}, pk="id")
    for start in range(0, videos, 5000):
        youtube.save_videos(db, [video_resource(i, rng) for i in range(start, min(videos, start + 5000))], now)
    timings["videos"] = time.perf_counter() - started

    started = time.perf_counter()
    talk_rows = db.execute("select id, meeting_id, position from talks").fetchall()
    meeting_index = {m.date.isoformat(): i for i, m in enumerate(notes.meetings)}
    with db.conn:
        db["recordings"].insert_all(
            ({"id": f"{mid}:youtube:{vid(i)}", "meeting_id": mid, "source": "youtube", "ref": vid(i),
              "kind": "recording", "method": "explicit", "confidence": 1.0, "reason": "linked in the notes"}
             for mid, i in meeting_index.items()),
            pk="id", foreign_keys=[("meeting_id", "meetings", "id")], batch_size=2000,
        )
        db["talk_recordings"].insert_all(
            ({"talk_id": tid, "video_id": vid(meeting_index[mid]), "start_s": 300 * pos, "method": "chapter",
              "confidence": 0.9, "reason": "chapter title",
              "url": f"https://www.youtube.com/watch?v={vid(meeting_index[mid])}&t={300 * pos}s"}
             for tid, mid, pos in talk_rows),
            pk=("talk_id", "video_id"), foreign_keys=[("talk_id", "talks", "id"), ("video_id", "videos", "id")],
            batch_size=2000,
        )
    for table, column in (("recordings", "meeting_id"), ("recordings", "ref"), ("talk_recordings", "video_id")):
        db[table].create_index([column], if_not_exists=True)
    dbmod.ensure_db_shape(db)
    if "videos_fts" not in db.table_names():  # until the harvester registers videos in FTS_CONFIG
        db["videos"].enable_fts(["title", "description", "tags"], create_triggers=True, tokenize="porter")
    db.vacuum()
    timings["links+shape"] = time.perf_counter() - started
    counts = {t: db[t].count for t in ("meetings", "talks", "videos", "talk_presenters", "talk_recordings")}
    db.conn.close()
    return {"timings": timings, "counts": counts, "size_mb": path.stat().st_size / 1e6}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def like_where(columns: list[str], word: str) -> str:
    return urllib.parse.quote(" or ".join(f"[{c}] like '%{word}%'" for c in columns))


def pages(word: str) -> list[tuple[str, str, str]]:
    return [
        ("search", "talks ?_search (FTS)", f"/index/talks?_search={word}"),
        ("search", "videos ?_search (FTS)", f"/index/videos?_search={word}"),
        ("search", "meetings ?_search (FTS)", f"/index/meetings?_search={word}"),
        ("facets", "videos, 2 facets", "/index/videos"),
        ("facets", "talk_presenters, 2 facets", "/index/talk_presenters"),
        ("query", "Find a talk", f"/index/find_a_talk?words={word}"),
        # the same table pages (count, facets, rows) with ?_where=... LIKE instead of FTS
        ("LIKE", "talks LIKE scan", "/index/talks?_where=" + like_where(["title", "presenters_raw", "notes"], word)),
        ("LIKE", "videos LIKE scan", "/index/videos?_where=" + like_where(["title", "description", "tags"], word)),
        ("LIKE", "meetings LIKE scan", "/index/meetings?_where=" + like_where(["title", "raw"], word)),
    ]


def fetch(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as r:
        body = r.read()
        assert r.status == 200, (url, r.status)
    elapsed = time.perf_counter() - started
    assert b"Error 500" not in body and b"interrupted" not in body.lower(), url
    return elapsed


def cpu_per_request(path: Path, metadata_file: Path, paths: list[str], n: int) -> list[float]:
    """Median CPU ms per page, in-process with the site's settings: less at the
    mercy of other work on the machine than wall-clock latency."""
    import asyncio

    import yaml
    from datasette.app import Datasette

    from indexer.site.serve import SQL_TIME_LIMIT_MS

    ds = Datasette(immutables=[str(path)], metadata=yaml.safe_load(metadata_file.read_text()),
                   settings={"sql_time_limit_ms": SQL_TIME_LIMIT_MS, "suggest_facets": False})

    async def one(page):
        r = await ds.client.get(page)
        assert r.status_code == 200, page

    out = []
    for page in paths:
        asyncio.run(one(page))
        times = []
        for _ in range(n):
            started = time.process_time()
            asyncio.run(one(page))
            times.append((time.process_time() - started) * 1000)
        out.append(statistics.median(times))
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--videos", type=int, default=100_000)
    ap.add_argument("--talks", type=int, default=50_000)
    ap.add_argument("--meetings", type=int, default=10_000)
    ap.add_argument("--requests", type=int, default=60, help="timed GETs per page (after 3 warm-ups)")
    ap.add_argument("--db", help="reuse or keep this database file (default: a temporary one)")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.db) if args.db else Path(tmp) / "index.db"
        if not path.exists():
            info = build(path, args.meetings, args.talks, args.videos)
            print(f"built {path.name}: {info['counts']} {info['size_mb']:.0f} MB in "
                  + ", ".join(f"{k} {v:.1f}s" for k, v in info["timings"].items()), file=sys.stderr)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "indexer", "serve", str(path), "--port", str(port)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    fetch(base + "/-/versions.json")
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        sys.exit("Error: the server did not start")
                    time.sleep(0.2)
            settings = json.loads(urllib.request.urlopen(base + "/-/settings.json").read())
            rows = []
            for kind, label, page in pages(SEARCH_WORD):
                for _ in range(3):
                    fetch(base + page)
                times = [fetch(base + page) * 1000 for _ in range(args.requests)]
                rows.append((kind, label, statistics.median(times), p95(times), max(times)))
        finally:
            server.terminate()
            server.wait(timeout=10)
        cpu = cpu_per_request(path, ROOT / "metadata.yml", [p for _, _, p in pages(SEARCH_WORD)], 10)

    from tabulate import tabulate

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load} (other work on the machine inflates p95)")
    print(f"{args.videos:,} videos, {args.talks:,} talks, {args.meetings:,} meetings; served immutable, "
          f"sql_time_limit_ms={settings['sql_time_limit_ms']}; {args.requests} sequential GETs per page, "
          f"search word '{SEARCH_WORD}'")
    table = [
        (kind, label, f"{med:.1f}", f"{p:.1f}", f"{mx:.1f}", f"{c:.1f}",
         ("ok" if p < 100 else "OVER") if kind in ("search", "facets") else "")
        for (kind, label, med, p, mx), c in zip(rows, cpu)
    ]
    print(tabulate(table, headers=["kind", "page", "median ms", "p95 ms", "max ms", "CPU ms/req", "goal p95<100"]))


if __name__ == "__main__":
    main()
