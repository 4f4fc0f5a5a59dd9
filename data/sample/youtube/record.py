"""Rebuild data/sample/recording/ (YouTube part) from the hand-made resources here.

    .venv/bin/python data/sample/youtube/record.py

Serves channels.json, playlists.json, playlist_items.json and videos.json with the
emulator and runs `meetup-indexer sync --record` against it, so the recording is
exactly what googleapiclient received, with the key redacted.
"""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
OUT = ROOT / "data" / "sample" / "recording"
NOTES = ROOT / "data" / "notes" / "flyte-meetup-notes.md"
sys.path.insert(0, str(ROOT))

from indexer.emulator import Emulator, YouTubeData  # noqa: E402

with tempfile.TemporaryDirectory() as tmp, Emulator(youtube=YouTubeData.load(HERE), api_key="sample-key") as emu:
    # the notes without their Drive folder: this records YouTube only
    notes = Path(tmp) / NOTES.name
    notes.write_text("".join(l for l in NOTES.read_text().splitlines(True) if "drive.google.com" not in l))
    for old in OUT.glob("youtube-*.json"):
        old.unlink()
    subprocess.run(
        [sys.executable, "-m", "indexer", "sync", str(Path(tmp) / "sample.db"), str(notes),
         "--api-key", "sample-key", "--api-endpoint", emu.url, "--record", str(OUT), "--full"],
        check=True, cwd=ROOT,
    )
    print(f"recorded {len(list(OUT.glob('youtube-*.json')))} responses into {OUT.relative_to(ROOT)}", file=sys.stderr)
