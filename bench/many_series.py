"""The many-series case: an emulated foundation's channel carrying 20 series.

    .venv/bin/python bench/many_series.py [--seed 7] [--errors]

Builds the channel with ``meetup_emulator.foundation`` (seeded), reads its project file
and notes as a user's sync would, assigns every video to a series
(``indexer.series.assign``) and matches each series' recordings to its meetings.
Prints precision and recall per series and overall: for a series with notes,
of (meeting, video) links; for a series without notes, of (series, video)
assignments. Goals: precision >= 0.99 and recall >= 0.97, overall and per series.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from meetup_emulator.foundation import Foundation  # noqa: E402
from indexer.notes import parse_notes  # noqa: E402
from indexer.series.project import parse_project  # noqa: E402
from indexer.series.assign import match_series, series_input  # noqa: E402
from indexer.youtube.harvest import video_row  # noqa: E402

GOAL_P, GOAL_R = 0.99, 0.97


def candidates_of(f: Foundation) -> list[dict]:
    """Matcher candidates from the channel's API resources, with the playlists each is in."""
    in_playlists: dict[str, list[str]] = {}
    for pid, vids in f.playlist_videos.items():
        for v in vids:
            in_playlists.setdefault(v, []).append(pid)
    out = []
    for res in f.videos:
        row = video_row(res)
        out.append({"source": "youtube", "id": row["id"], "title": row["title"] or "",
                    "description": row["description"] or "", "recorded_at": row["recorded_at"],
                    "published_at": row["published_at"], "name_date": None, "chapters": [],
                    "duration_s": row["duration_s"], "live_status": row["live_status"], "path": None,
                    "playlists": in_playlists.get(row["id"], [])})
    return out


def run(seed: int = 7) -> dict:
    """Scores of one foundation: {"rows": [(series id, notes?, truth, tp, fp, fn)], "seconds", ...}."""
    f = Foundation(seed)
    project = parse_project(f.project_text(), "meetup-indexer.yml")
    notes_text = {f"notes/{sid}.md": text for sid, text in f.notes.items()}
    series, meetings = series_input(project, lambda path: parse_notes(notes_text[path], path=path))
    candidates = candidates_of(f)
    t0 = time.perf_counter()
    result = match_series(series, meetings, candidates)
    seconds = time.perf_counter() - t0
    truth_videos = f.truth()["videos"]
    rows, errors = [], []
    for s in series:
        with_notes = bool(meetings.get(s.id))
        if with_notes:
            truth = {(mid, v) for mid, vids in f.recordings.items() if mid.startswith(s.id + "/") for v in vids}
            got = {(r["meeting_id"], r["ref"]) for r in result["recordings"] if r["meeting_id"].startswith(s.id + "/")}
        else:
            truth = {(s.id, v) for v, t in truth_videos.items() if t["series"] == s.id}
            got = {(s.id, v) for v, a in result["series"].items() if a.series_id == s.id}
        rows.append((s.id, with_notes, len(truth), len(truth & got), len(got - truth), len(truth - got)))
        for key, v in sorted(got - truth):
            t = truth_videos[v]
            errors.append(f"FP {s.id}: {key} <- {v} {t['title']!r} (truly {t['meeting'] or t['kind']}; "
                          f"{result['series'].get(v)})")
        for key, v in sorted(truth - got):
            t = truth_videos[v]
            errors.append(f"FN {s.id}: {key} <- {v} {t['title']!r} traps={t['traps']} "
                          f"series={result['series'].get(v)}")
    return {"rows": rows, "seconds": seconds, "videos": len(candidates), "errors": errors}


def prf(tp: int, fp: int, fn: int) -> tuple[float, float]:
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


def report(r: dict, show_errors: bool = False) -> bool:
    header = f"{'series':28} {'notes':>5} {'links':>6} {'precision':>9} {'recall':>7}"
    print(f"many series: {len(r['rows'])} series, {r['videos']} videos on one channel, {r['seconds']:.2f} s")
    print(header)
    print("-" * len(header))
    ok = True
    tot = [0, 0, 0, 0]
    for sid, with_notes, n, tp, fp, fn in r["rows"]:
        p, rc = prf(tp, fp, fn)
        ok &= p >= GOAL_P and rc >= GOAL_R
        print(f"{sid:28} {'yes' if with_notes else 'no':>5} {n:6d} {p:9.3f} {rc:7.3f}")
        for i, v in enumerate((n, tp, fp, fn)):
            tot[i] += v
    p, rc = prf(*tot[1:])
    ok &= p >= GOAL_P and rc >= GOAL_R
    print("-" * len(header))
    print(f"{'all':28} {'':>5} {tot[0]:6d} {p:9.3f} {rc:7.3f}")
    if show_errors:
        for line in r["errors"]:
            print(line)
    print(f"goals (precision >= {GOAL_P}, recall >= {GOAL_R}, overall and per series):", "met" if ok else "NOT met")
    return ok


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--errors", action="store_true", help="print the wrong and missed links")
    args = ap.parse_args(argv)
    return 0 if report(run(args.seed), args.errors) else 1


if __name__ == "__main__":
    sys.exit(main())
