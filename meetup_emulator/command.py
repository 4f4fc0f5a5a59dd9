"""What `meetup-indexer emulator` does, kept out of cli.py so the command stays thin."""
from __future__ import annotations

import errno
import shutil
import tempfile
from pathlib import Path

from .drive_data import FOLDER, DriveData
from .server import Emulator
from .youtube_data import YouTubeData


class EmulatorSetupError(Exception):
    """A problem the user can fix (bad --data folder, port in use)."""


# the seed of the emulated foundation when none is given (its documented figures are for seed 7)
FOUNDATION_SEED = 7


def build(videos=120, seed=None, channel_id=None, folders=20, files=200, root_folder_id=None, data=None,
          fault_rate=0.0, fault_seed=None, quota_limit=None, api_key=None, port=8765, host="127.0.0.1",
          foundation=False, latency_ms=0.0, jitter_ms=0.0) -> Emulator:
    if foundation:
        if data:
            raise EmulatorSetupError("--foundation and --data: choose one")
        folder = write_foundation(tempfile.mkdtemp(prefix="meetup-foundation-"),
                                  FOUNDATION_SEED if seed is None else seed)
        emu = Emulator(youtube=YouTubeData.load(folder / "data"), api_key=api_key, fault_rate=fault_rate,
                       fault_seed=fault_seed, quota_limit=quota_limit, port=port, host=host,
                       latency_ms=latency_ms, jitter_ms=jitter_ms)
        emu.foundation = folder
        return emu
    seed = 0 if seed is None else seed
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
                    quota_limit=quota_limit, port=port, host=host, latency_ms=latency_ms, jitter_ms=jitter_ms)


def write_foundation(directory, seed: int) -> Path:
    """The emulated foundation (meetup_emulator.foundation) written into ``directory``."""
    from .foundation import Foundation

    return Foundation(seed).write(directory)


def dump_foundation(directory, seed=None) -> str:
    try:
        out = write_foundation(directory, FOUNDATION_SEED if seed is None else seed)
    except OSError as exc:
        raise EmulatorSetupError(f"--dump {directory}: {exc.strerror or exc}") from None
    return (f"wrote {out}: serve it with `meetup-indexer emulator --data {out / 'data'}`, "
            f"sync it with `meetup-indexer sync DB --config {out / 'meetup-indexer.yml'} --api-endpoint URL`")


def remove_foundation(emu: Emulator) -> None:
    """The temporary folder of --foundation goes when the emulator stops."""
    if emu is not None and emu.foundation is not None:
        shutil.rmtree(emu.foundation, ignore_errors=True)


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
    folder = emu.foundation
    if folder is not None:
        project = folder / "meetup-indexer.yml"
        lines += [f"foundation: {folder}", "  an emulated foundation's channel (generated, sample data); "
                  "this folder is removed when the emulator stops",
                  f"project: {project}", f"notes: {folder / 'notes'}", f"truth: {folder / 'truth.json'}",
                  f"  try: meetup-indexer sync foundation.db --config {project} --api-endpoint {emu.url} "
                  f"--api-key anything"]
    if emu.latency_ms or emu.jitter_ms:
        lines.append(f"latency: {emu.latency_ms:g} ms +/- {emu.jitter_ms:g} ms a call")
    lines.append("api_key: " + ("any (no key check)" if emu.api_key is None else "as given with --api-key"))
    lines.append(f"token_uri: {emu.token_uri}")
    lines.append(f"stats: {emu.url}/emulator/stats")
    return lines
