"""Score the parser and the matcher on the shared corpus of real notes.

    .venv/bin/python bench/corpus.py [--corpus ../shared/corpus] [--tools ../shared/tools] [--json]

Runs the corpus's two scorers from the repository root, as they expect:
``score_notes.py`` (meetings, video links, talks found in the real notes files)
and ``score_match.py`` (recordings <-> meetings precision / recall and talk
moments on the synthetic channels built around them), the latter twice: as is,
and with ``--transcripts`` (each case's subtitle files imported, talk moments
scored against where the talks start in what was said). Prints both tables, then
one summary line per figure; ``--json`` prints the figures alone, as
``tests/test_corpus_floor.py`` reads them. A matcher case that could not run has
``null`` figures and its error in ``errors``.

The corpus and the scorers live beside the project (``../shared``), never inside
it; exit 2 when they are missing.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

_NOTES_TOTAL = re.compile(
    r"notes: dates P=(?P<p>[\d.]+) R=(?P<r>[\d.]+) F1=(?P<f1>[\d.]+); video links (\d+)/(\d+)=(?P<videos>[\d.]+); "
    r"talks (?P<t>\d+)/(?P<tt>\d+)=(?P<talks>[\d.]+).*?right number of talks (?P<n>\d+)/(?P<nt>\d+)"
)
_MATCH_ROW = re.compile(
    r"^(?P<case>\S+)\s+(?P<p>[\d.]+)\s+(?P<r>[\d.]+)\s+\d+\s+\d+\s+\d+\s+(?P<m>\d+)/(?P<mt>\d+)", re.M
)
_MATCH_ERROR = re.compile(r"^(?P<case>\S+)\s+ERROR (?P<error>.*)$", re.M)


def _ratio(a: str, b: str) -> float | None:
    return int(a) / int(b) if int(b) else None


def run_scorer(script: Path, corpus: Path, mi: Path, *extra: str) -> str:
    proc = subprocess.run([sys.executable, str(script), "--mi", str(mi), "--corpus", str(corpus), *extra],
                          cwd=ROOT, capture_output=True, text=True, timeout=1800)
    if proc.returncode not in (0, 1) or not proc.stdout.strip():
        raise RuntimeError(f"{script.name} exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
    return proc.stdout


def notes_figures(out: str) -> dict:
    m = _NOTES_TOTAL.search(out)
    if not m:
        raise RuntimeError("score_notes.py printed no totals line")
    return {"dates_precision": float(m["p"]), "dates_recall": float(m["r"]), "dates_f1": float(m["f1"]),
            "video_links": float(m["videos"]), "talks": float(m["talks"]),
            "right_talk_count": _ratio(m["n"], m["nt"])}


def match_figures(out: str) -> tuple[dict, dict]:
    cases = {m["case"]: {"precision": float(m["p"]), "recall": float(m["r"]), "moments": _ratio(m["m"], m["mt"])}
             for m in _MATCH_ROW.finditer(out)}
    errors = {m["case"]: m["error"] for m in _MATCH_ERROR.finditer(out)}
    for case in errors:
        cases[case] = {"precision": None, "recall": None, "moments": None}
    return cases, errors


def measure(corpus: Path, tools: Path, mi: Path, show=print) -> dict:
    notes_out = run_scorer(tools / "score_notes.py", corpus / "notes", mi)
    show(notes_out.rstrip())
    match_out = run_scorer(tools / "score_match.py", corpus / "match", mi)
    show(match_out.rstrip())
    cases, errors = match_figures(match_out)
    # the same cases with each channel's transcripts imported: talk moments from what was said
    transcripts_out = run_scorer(tools / "score_match.py", corpus / "match", mi, "--transcripts")
    show(transcripts_out.rstrip())
    t_cases, t_errors = match_figures(transcripts_out)
    errors.update({f"{case} --transcripts": e for case, e in t_errors.items()})
    return {"notes": notes_figures(notes_out), "match": cases, "match_transcripts": t_cases, "errors": errors}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=SHARED / "corpus")
    ap.add_argument("--tools", type=Path, default=SHARED / "tools")
    ap.add_argument("--mi", type=Path, default=ROOT / ".venv" / "bin" / "meetup-indexer")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON, not the tables")
    args = ap.parse_args()
    for what, path in (("corpus", args.corpus), ("scorers", args.tools), ("meetup-indexer", args.mi)):
        if not path.exists():
            print(f"Error: {what} not found at {path}", file=sys.stderr)
            return 2
    try:
        figures = measure(args.corpus, args.tools, args.mi, show=(lambda _: None) if args.json else print)
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        print(f"Error: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(figures, indent=2, sort_keys=True))
        return 0
    print()
    n = figures["notes"]
    print(f"notes  dates F1 {n['dates_f1']:.3f}  video links {n['video_links']:.3f}  talks {n['talks']:.3f}  "
          f"right talk count {n['right_talk_count']:.3f}")
    for case, f in sorted(figures["match"].items()):
        if f["precision"] is None:
            print(f"match  {case:20} could not run: {figures['errors'][case]}")
        else:
            print(f"match  {case:20} P {f['precision']:.3f}  R {f['recall']:.3f}  moments {f['moments']:.2f}")
    for case, f in sorted(figures["match_transcripts"].items()):
        if f["moments"] is not None:
            print(f"transcripts  {case:14} moments {f['moments']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
