"""Rebuild data/sample/recording/ from the synthetic sources beside this file.

    .venv/bin/python data/sample/record.py

Serves youtube/ (channels.json, playlists.json, playlist_items.json, videos.json)
and drive/ (drive_files.json) with the emulator and runs `meetup-indexer sync
--record` against it with the bundled notes, so the recording is exactly what
googleapiclient received, with the key redacted.
"""
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OUT = HERE / "recording"
NOTES = ROOT / "data" / "notes" / "flyte-meetup-notes.md"
sys.path.insert(0, str(ROOT))

from meetup_emulator import DriveData, Emulator, YouTubeData  # noqa: E402

sources = dict(youtube=YouTubeData.load(HERE / "youtube"), drive=DriveData.load(HERE / "drive"))
with tempfile.TemporaryDirectory() as tmp, Emulator(**sources, api_key="sample-key") as emu:
    for old in OUT.glob("*.json"):
        old.unlink()
    subprocess.run(
        [sys.executable, "-m", "indexer", "sync", str(Path(tmp) / "sample.db"), str(NOTES),
         "--api-key", "sample-key", "--api-endpoint", emu.url, "--record", str(OUT), "--full"],
        check=True, cwd=ROOT,
    )
    print(f"recorded {len(list(OUT.glob('*.json')))} responses into {OUT.relative_to(ROOT)}", file=sys.stderr)
