"""Build the emulated foundation's index offline: `make demo-foundation` runs this.

    python scripts/foundation_demo.py [DB] [--seed 7]

Writes the foundation (meetup_emulator.foundation: one channel, 20 meeting
series, notes for 13 of them; generated sample data, not a real community)
into data/foundation/, serves its channel with `meetup-indexer emulator` on
127.0.0.1 for as long as the sync takes, and runs the real `meetup-indexer
sync DB --config data/foundation/meetup-indexer.yml` against it. The emulator
is stopped whatever happens; nothing is left running and nothing goes to the
network. The site's metadata, labelled as emulated sample data, is written
beside it (data/foundation/metadata.yml: `serve` run from that folder uses it).
"""
from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "indexer"]


def start_emulator(data: Path) -> tuple[subprocess.Popen, str]:
    """`meetup-indexer emulator --data DIR --port 0`, and its URL once its banner says it listens."""
    proc = subprocess.Popen([*CLI, "emulator", "--data", str(data), "--port", "0", "--host", "127.0.0.1"],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    for line in proc.stdout:
        if line.startswith("url: "):
            return proc, line.split(": ", 1)[1].strip()
    proc.wait()
    raise SystemExit(f"the emulator did not start (exit {proc.returncode})")


def stop_emulator(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def write_metadata(folder: Path, seed: int) -> None:
    """The repo's metadata.yml with a title and source that say what this index is."""
    import yaml

    meta = yaml.safe_load((ROOT / "metadata.yml").read_text())
    meta["title"] = "Open Orchard Foundation meetings (emulated sample data)"
    meta["source"] = (f"Emulated sample data: an invented foundation's channel of 20 meeting series "
                      f"(meetup_emulator.foundation, seed {seed}), served offline by meetup-indexer emulator")
    meta.pop("source_url", None)
    (folder / "metadata.yml").write_text(yaml.safe_dump(meta, sort_keys=False, allow_unicode=True))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("db", nargs="?", default="data/foundation.db")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--folder", default="data/foundation", help="where the foundation's files are written")
    args = ap.parse_args(argv)
    folder, db = ROOT / args.folder, ROOT / args.db
    shutil.rmtree(folder, ignore_errors=True)  # regenerated whole: a stale notes file would be a stale series
    subprocess.run([*CLI, "emulator", "--foundation", "--seed", str(args.seed), "--dump", str(folder)],
                   check=True, cwd=ROOT)
    db.unlink(missing_ok=True)
    proc, url = start_emulator(folder / "data")
    try:
        sync = subprocess.run([*CLI, "sync", str(db), "--config", str(folder / "meetup-indexer.yml"),
                               "--api-endpoint", url, "--api-key", "emulated"], cwd=ROOT)
    finally:
        stop_emulator(proc)
    if sync.returncode:
        return sync.returncode
    write_metadata(folder, args.seed)
    print(f"{args.db}: the emulated foundation (sample data, seed {args.seed}), synced offline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
