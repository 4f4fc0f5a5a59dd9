"""Rebuild data/sample/recording/ (Drive part) from the synthetic tree in drive_files.json.

    .venv/bin/python data/sample/drive/record.py

Serves drive_files.json with the emulator and runs `meetup-indexer sync --record`
against it (the notes without their YouTube channel, so only Drive is recorded):
the recording is exactly what googleapiclient received, with the key redacted.
"""
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
OUT = ROOT / "data" / "sample" / "recording"
NOTES = ROOT / "data" / "notes" / "flyte-meetup-notes.md"
sys.path.insert(0, str(ROOT))

from indexer.emulator import DriveData, Emulator  # noqa: E402

with tempfile.TemporaryDirectory() as tmp, Emulator(drive=DriveData.load(HERE), api_key="sample-key") as emu:
    notes = Path(tmp) / NOTES.name
    notes.write_text("".join(l for l in NOTES.read_text().splitlines(True) if "youtube.com" not in l))
    for old in OUT.glob("drive-*.json"):
        old.unlink()
    subprocess.run(
        [sys.executable, "-m", "indexer", "sync", str(Path(tmp) / "sample.db"), str(notes),
         "--api-key", "sample-key", "--api-endpoint", emu.url, "--record", str(OUT), "--full"],
        check=True, cwd=ROOT,
    )
    print(f"recorded {len(list(OUT.glob('drive-*.json')))} responses into {OUT.relative_to(ROOT)}", file=sys.stderr)
