"""The scores on the shared corpus of real notes never fall below the floor
reached so far (tests/corpus_floor.json). Reads the corpus and its scorers from
../shared relative to the repository root, never from a copy."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FLOOR = json.loads((ROOT / "tests" / "corpus_floor.json").read_text())


def _figures_below(floor, measured, path=""):
    """Every figure under ``floor`` that ``measured`` misses or falls below."""
    out = []
    for key, want in floor.items():
        if key == "_":
            continue
        got = (measured or {}).get(key)
        where = f"{path}{key}"
        if isinstance(want, dict):
            out += _figures_below(want, got, where + ".")
        elif want is not None and (got is None or got < want - 1e-9):
            out.append(f"{where}: {got} < floor {want}")
    return out


def test_floor_file_holds_ratios():
    def walk(node):
        for key, v in node.items():
            if isinstance(v, dict):
                walk(v)
            elif key != "_":
                assert v is None or 0.0 <= v <= 1.0, key
    walk(FLOOR)
    assert set(FLOOR["match"]) == {"acd-calls", "mlir-odm", "owasp-frankfurt"}


def test_floor_comparison_names_what_fell():
    floor = {"notes": {"talks": 0.5}, "match": {"a": {"recall": 0.9, "moments": None}}}
    assert _figures_below(floor, {"notes": {"talks": 0.6}, "match": {"a": {"recall": 0.9, "moments": None}}}) == []
    assert _figures_below(floor, {"notes": {"talks": 0.4}, "match": {"a": {"recall": None}}}) == [
        "notes.talks: 0.4 < floor 0.5", "match.a.recall: None < floor 0.9"]


@pytest.mark.slow
def test_corpus_scores_stay_above_the_floor():
    if not (SHARED / "corpus").is_dir() or not (SHARED / "tools").is_dir():
        pytest.skip(f"no corpus at {SHARED} (CI checks it out beside the project)")
    mi = Path(sys.executable).with_name("meetup-indexer")
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "corpus.py"), "--json", "--mi", str(mi)],
                          cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr
    measured = json.loads(proc.stdout)
    assert _figures_below(FLOOR, measured) == [], measured.get("errors")
