"""What `meetup-indexer emulator` does, kept out of cli.py so the command stays thin."""
from __future__ import annotations

import errno
from pathlib import Path

from .drive_data import FOLDER, DriveData
from .server import Emulator
from .youtube_data import YouTubeData


class EmulatorSetupError(Exception):
    """A problem the user can fix (bad --data folder, port in use)."""


def build(videos=120, seed=0, channel_id=None, folders=20, files=200, root_folder_id=None, data=None,
          fault_rate=0.0, fault_seed=None, quota_limit=None, api_key=None, port=8765, host="127.0.0.1") -> Emulator:
    if data:
        d = Path(data)
        if not d.is_dir():
            raise EmulatorSetupError(f"--data {data}: not a folder")
        has_yt = any((d / n).exists() for n in ("channels.json", "videos.json"))
        has_drive = (d / "drive_files.json").exists()
        if not has_yt and not has_drive:
            raise EmulatorSetupError(f"--data {data}: holds neither channels.json/videos.json nor drive_files.json")
        try:
            youtube = YouTubeData.load(d) if has_yt else None
            drive = DriveData.load(d, root_folder_id) if has_drive else None
        except (ValueError, KeyError, TypeError) as exc:
            raise EmulatorSetupError(f"--data {data}: not API resources as Google returns them ({exc})") from None
    else:
        youtube = YouTubeData.generate(videos=videos, seed=seed, channel_id=channel_id)
        drive = DriveData.generate(folders=folders, files=files, seed=seed, root_folder_id=root_folder_id)
    return Emulator(youtube=youtube, drive=drive, api_key=api_key, fault_rate=fault_rate, fault_seed=fault_seed,
                    quota_limit=quota_limit, port=port, host=host)


def dump(emu: Emulator, directory) -> str:
    try:
        if emu.youtube is not None:
            emu.youtube.dump(directory)
        if emu.drive is not None:
            emu.drive.dump(directory)
    except OSError as exc:
        raise EmulatorSetupError(f"--dump {directory}: {exc.strerror or exc}") from None
    return f"wrote {directory}: serve it with `meetup-indexer emulator --data {directory}`"


def start(emu: Emulator) -> None:
    try:
        emu.start()
    except OSError as exc:
        why = "address already in use" if exc.errno == errno.EADDRINUSE else exc.strerror or str(exc)
        raise EmulatorSetupError(f"cannot listen on {emu.host}:{emu.port}: {why}") from None


def handle_stop_signals() -> None:
    """Ctrl+C and SIGTERM end serving cleanly (exit 0). Installed before the
    banner is printed: a script may send SIGTERM as soon as it reads it."""
    import signal

    def stop(signum, frame):
        raise KeyboardInterrupt

    # a shell's `cmd &` starts us with SIGINT ignored; take both signals back
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)


def serve_until_stopped(emu: Emulator) -> None:
    """Serve until Ctrl+C or SIGTERM, then close the socket and return (exit 0)."""
    try:
        emu.serve_forever()
    except KeyboardInterrupt:
        emu.stop()


def banner(emu: Emulator) -> list[str]:
    """Start-up lines, `name: value` so scripts can read them too."""
    lines = [f"url: {emu.url}"]
    if emu.youtube is not None:
        for cid, ch in emu.youtube.channels.items():
            lines.append(f"channel_id: {cid}")
            lines.append(f"  handle: {ch.get('snippet', {}).get('customUrl', '')}  uploads: UU{cid[2:]}  "
                         f"videos: {len(emu.youtube.videos)}")
    if emu.drive is not None:
        lines.append(f"root_folder_id: {emu.drive.root_folder_id}")
        n_folders = sum(f.get("mimeType") == FOLDER for f in emu.drive.files.values())
        lines.append(f"  files: {len(emu.drive.files) - n_folders}  folders: {n_folders}  "
                     f"shared drives: {len(emu.drive.drives)}")
    lines.append("api_key: " + ("any (no key check)" if emu.api_key is None else "as given with --api-key"))
    lines.append(f"token_uri: {emu.token_uri}")
    lines.append(f"stats: {emu.url}/emulator/stats")
    return lines
