"""Reading notes files: local paths now, Google Docs later. One-line errors."""
from __future__ import annotations

import os
from pathlib import Path

from .notes import Notes, parse_notes


class InputError(Exception):
    """Bad input the user can fix; the message is one line and names the input."""


def read_notes_file(path: str) -> str:
    p = Path(path)
    if not p.exists():
        raise InputError(f"notes file not found: {path}")
    if p.is_dir():
        raise InputError(f"notes path is a directory, not a file: {path}")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read notes file {path}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"notes file is not UTF-8 text: {path} (byte 0x{data[exc.start]:02x} on line {line})"
        ) from None
    if not text.strip():
        raise InputError(f"notes file is empty: {path}")
    return text


def load_notes(path: str) -> Notes:
    return parse_notes(read_notes_file(path), path=path)


def display_path(path: str) -> str:
    """Paths are stored relative to the working directory when inside it, so
    a database built in one clone reads the same in another."""
    try:
        rel = os.path.relpath(os.path.abspath(path))
    except ValueError:
        return path
    return path if rel.startswith("..") else rel
