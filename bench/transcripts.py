"""Benchmark transcript import and search on a large generated channel.

    .venv/bin/python bench/transcripts.py [--recordings 1000] [--hours 1] [--queries 200] [--keep DIR]

Writes RECORDINGS subtitle files of HOURS each, as yt-dlp saves them (a third
YouTube automatic captions in the rolling format with word timings, a third
plain captions, a third Zoom transcripts with speakers), then measures:
- import: ``meetup-indexer transcripts DB --from DIR`` on a new database, in a
  subprocess (parse, store, full-text index), as hours of transcript a second
  of wall time (files are parsed by one worker process per CPU) and per
  CPU-second (the command's and its workers' CPU time: what one CPU gets);
- re-import: the same command again (every file unchanged: hashed, skipped);
- search: QUERIES full-text searches of one or two words (``transcripts.search``,
  the query the site runs), p50 / p95 / max.
Goals (issue 12): import >= 200 hours a second, search p95 < 100 ms.
"""
from __future__ import annotations

import argparse
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = ("the we so and it is that this to of in for on with you can our project release build test "
         "compiler dialect pass kernel tensor pipeline security threat model scanner cluster container "
         "network upgrade client fork proposal roadmap plugin workflow schedule cache storage metrics "
         "latency benchmark memory runtime python rust graph query index search user feedback demo slide "
         "question answer issue merge review community meeting agenda talk presenter thanks").split()
SYLLABLES = "ka lo mi ne ru sa te vo bi da fe gu hi jo ku la ma no pe qui ri so tu ve wa xe yo zu".split()


def vocabulary(size: int = 4000, seed: int = 7) -> list[str]:
    """Common words first, then invented words: spoken vocabulary is long-tailed."""
    rng = random.Random(seed)
    words = list(WORDS)
    seen = set(words)
    while len(words) < size:
        w = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


VOCAB = vocabulary()
# Zipf's law: the word of rank r is said about 1/r as often as the commonest
WEIGHTS = [1 / r for r in range(1, len(VOCAB) + 1)]
CUM = list(__import__("itertools").accumulate(WEIGHTS))
NAMES = ["Katrin Vogel", "Pierre Lemaire", "Sara Conti", "Omar's iPhone", "Galaxy S22 Ultra", "jweber", "iPad"]


def _ts(s: float) -> str:
    ms = int(round(s * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    sec, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{sec:02d}.{ms:03d}"


def _line(rng) -> str:
    return " ".join(rng.choices(VOCAB, cum_weights=CUM, k=rng.randint(5, 11)))


def transcript(rng, seconds: float, style: str) -> str:
    out = ["WEBVTT", "Kind: captions", "Language: en", ""] if style != "zoom" else ["WEBVTT", ""]
    t, n, prev = rng.uniform(0, 3), 0, " "
    while t < seconds:
        d = rng.uniform(2, 6)
        line = _line(rng)
        n += 1
        if style == "plain":
            out += [f"{_ts(t)} --> {_ts(t + d)}", line, ""]
        elif style == "zoom":
            out += [str(n), f"{_ts(t)} --> {_ts(t + d)}", f"{rng.choice(NAMES)}: {line.capitalize()}.", ""]
        else:  # rolling: new line with word timings, then the 10 ms repeat
            words = line.split()
            tagged = words[0] + "".join(f"<{_ts(t + d * i / len(words))}><c> {w}</c>" for i, w in
                                        enumerate(words[1:], 1))
            out += [f"{_ts(t)} --> {_ts(t + d)} align:start position:0%", prev, tagged, "",
                    f"{_ts(t + d)} --> {_ts(t + d + 0.01)} align:start position:0%", line, " ", ""]
            prev = line
        t += d + rng.uniform(0, 1.5)
    return "\n".join(out) + "\n"


def generate(folder: Path, recordings: int, hours: float, seed: int = 0) -> None:
    rng = random.Random(seed)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
    for i in range(recordings):
        vid = "".join(rng.choice(alphabet) for _ in range(11))
        style = ("rolling", "plain", "zoom")[i % 3]
        name = f"{vid}.en.vtt" if i % 2 else f"Community call {i} [{vid}].en.vtt"
        (folder / name).write_text(transcript(rng, hours * 3600, style), encoding="utf-8")


def _child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_import(db: Path, folder: Path) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, summary line) of one import in a subprocess."""
    mi = ROOT / ".venv" / "bin" / "meetup-indexer"
    cmd = [str(mi), "transcripts", str(db), "--from", str(folder)]
    cpu, start = _child_cpu(), time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True)
    elapsed, cpu = time.perf_counter() - start, _child_cpu() - cpu
    if result.returncode != 0:
        sys.exit(f"import failed: {result.stderr.strip()}")
    return elapsed, cpu, result.stderr.strip().splitlines()[-1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--recordings", type=int, default=1000)
    ap.add_argument("--hours", type=float, default=1.0)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it (reused when present)")
    args = ap.parse_args()

    import sqlite_utils

    from indexer.transcripts.store import search, usable_cpus

    tmp = Path(tempfile.mkdtemp(prefix="bench-transcripts-"))
    folder = Path(args.keep) if args.keep else tmp / "subs"
    try:
        if not folder.is_dir() or not any(folder.iterdir()):
            folder.mkdir(parents=True, exist_ok=True)
            t0 = time.perf_counter()
            generate(folder, args.recordings, args.hours)
            print(f"generated {args.recordings} files in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        size_mb = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        db_path = tmp / "index.db"
        first, first_cpu, line = run_import(db_path, folder)
        again, again_cpu, _ = run_import(db_path, folder)
        db = sqlite_utils.Database(db_path)
        hours = db.execute("select sum(duration_s) / 3600.0 from transcripts").fetchone()[0]
        cues = db["transcript_cues"].count
        rng = random.Random(1)
        # what people search: a topic word or two, not "the"
        content = VOCAB[len(WORDS):]
        times, hits = [], 0
        for _ in range(args.queries):
            query = " ".join(rng.sample(content, rng.choice((1, 2))))
            t0 = time.perf_counter()
            hits += len(search(db, query))
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        rows = [
            ("files", f"{args.recordings} ({size_mb:.0f} MB)", ""),
            ("hours of transcript", f"{hours:.0f}", ""),
            ("cues stored", f"{cues:,}", ""),
            ("import (wall)", f"{first:.1f} s = {hours / first:.0f} h/s",
             f"goal >= 200 h/s ({usable_cpus()} CPUs: files parsed in parallel)"),
            ("import (CPU)", f"{first_cpu:.1f} s = {hours / first_cpu:.0f} h/CPU-s",
             "goal >= 200 h/s on one CPU: all processes' CPU time"),
            ("re-import (unchanged)", f"{again:.1f} s wall, {again_cpu:.1f} s CPU", ""),
            ("search p50", f"{statistics.median(times):.1f} ms", ""),
            ("search p95", f"{p95:.1f} ms", "goal < 100 ms"),
            ("search max", f"{times[-1]:.1f} ms", f"{hits / len(times):.1f} hits/query (limit 20)"),
            ("database", f"{db_path.stat().st_size / 1e6:.0f} MB", ""),
        ]
        width = max(len(r[0]) for r in rows)
        print(line)
        for name, value, note in rows:
            print(f"{name:<{width}}  {value:<22} {note}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
