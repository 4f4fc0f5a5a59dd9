"""Reading notes from where they are kept: files, folders of them, Google Docs.

``read_notes_file`` and ``expand_notes_paths`` (a folder gives its ``.md``
files in path order), ``load_notes``; ``one_date_per_meeting`` keeps one
meeting per date across a folder's files; ``gdoc_id``, ``read_gdoc`` and
``load_gdoc`` export a Google Doc as markdown (plain text when markdown is
refused). What the user can fix is an ``InputError`` with a one-line message.
"""
from __future__ import annotations

import os
from pathlib import Path

from indexer.common.errors import UserError
from indexer.notes.dates import path_date
from indexer.notes.model import Notes
from indexer.notes.parse import parse_notes


class InputError(UserError):
    """Bad input the user can fix; the message is one line and names the input."""


def decode_utf8(data: bytes) -> tuple[str | None, str]:
    """(text, "") or (None, "byte 0xNN on line L"): where a file stops being UTF-8."""
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, f"byte 0x{data[exc.start]:02x} on line {line}"


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
    text, where = decode_utf8(data)
    if text is None:
        raise InputError(f"notes file is not UTF-8 text: {path} ({where})")
    if not text.strip():
        raise InputError(f"notes file is empty: {path}")
    return text


NOTES_SUFFIXES = (".md", ".markdown")


def expand_notes_paths(paths: list[str]) -> list[tuple[str, bool]]:
    """Each notes argument as (file, came from a folder): a folder of notes (one
    meeting per file, ``meetings/2021_01_12/README.md``) gives its markdown
    files, recursively, in sorted path order; hidden folders are skipped."""
    out: list[tuple[str, bool]] = []
    for path in paths:
        p = Path(path)
        if not p.is_dir():
            out.append((path, False))
            continue
        files = sorted(
            (f for f in p.rglob("*") if f.suffix.lower() in NOTES_SUFFIXES and f.is_file()
             and not any(part.startswith(".") for part in f.relative_to(p).parts)),
            key=lambda f: f.relative_to(p).as_posix(),
        )
        if not files:
            raise InputError(f"notes path is a directory with no .md files: {path}")
        out.extend((str(f), True) for f in files)
    return out


def one_date_per_meeting(parsed: list[tuple[str, Notes]]) -> list[str]:
    """Meetings are keyed by date across files: a later file's meeting on a date
    an earlier file holds is dated by its path when that is a free date (a
    header copied from the previous minutes), else left out. Returns warnings."""

    taken: dict = {}
    warnings = []
    for path, notes in parsed:
        for m in notes.meetings:
            taken.setdefault(m.date, path)
    for path, notes in parsed:
        keep = []
        for m in notes.meetings:
            first = taken.get(m.date)
            if first == path:
                keep.append(m)
                continue
            alt = path_date(path).date
            if len(notes.meetings) == 1 and alt is not None and alt not in taken:
                warnings.append(f"{path}:{m.line}: warning: meeting {m.date.isoformat()} is also in {first}; "
                                f"dated {alt.isoformat()} from its path")
                m.date = alt
                taken[alt] = path
                keep.append(m)
            else:
                warnings.append(f"{path}:{m.line}: warning: meeting {m.date.isoformat()} is also in {first}; skipped")
        notes.meetings = keep
    return warnings


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


def public_path(path: str) -> str:
    """A path as stored where others read it (``sync_runs.command``): relative
    when inside the working directory, else its name alone (no machine paths)."""
    shown = display_path(path)
    return os.path.basename(shown) if os.path.isabs(shown) else shown


# --------------------------------------------------------------------------
# Google Docs as notes: `gdoc:DOC_ID` or a docs.google.com/document URL

EXPORT_TYPES = ("text/markdown", "text/plain")  # markdown keeps headings and links; plain text is the fallback


def gdoc_id(arg: str) -> str | None:
    """The document id when ``arg`` names a Google Doc, else None (a local path)."""
    if arg.startswith("gdoc:"):
        return arg[5:].strip() or None
    if arg.startswith(("http://", "https://")):
        from indexer.common.urls import classify_url

        link = classify_url(arg)
        if link and link.kind in ("gdoc", "drive_file"):
            return link.ref
    return None


def _status(exc) -> int:
    status = getattr(getattr(exc, "resp", None), "status", None) or getattr(exc, "status", None)
    try:
        return int(status or 0)
    except (TypeError, ValueError):
        return 0


# refusals that plain text would meet too: missing doc, bad credentials, quota, network
_FATAL = ("NotFound", "BadKey", "QuotaExhausted", "QuotaBudgetReached", "NetworkDown", "ReplayMiss")


def read_gdoc(service, doc_id: str, execute=None) -> str:
    """Export a Google Doc as markdown (plain text when markdown is refused)."""
    execute = execute or (lambda req: req.execute(num_retries=5))
    for mime in EXPORT_TYPES:
        try:
            data = execute(service.files().export(fileId=doc_id, mimeType=mime))
        except Exception as exc:  # noqa: BLE001 - whichever client raised it, the kind decides
            if _status(exc) == 404 or type(exc).__name__ == "NotFound":
                raise InputError(f"Google Doc not found: gdoc:{doc_id} (is it shared with these credentials?)") from None
            if mime == EXPORT_TYPES[-1] or type(exc).__name__ in _FATAL or _status(exc) == 401:
                raise
            continue
        text = data.decode("utf-8-sig", errors="replace") if isinstance(data, bytes) else str(data)
        if not text.strip():
            raise InputError(f"Google Doc is empty: gdoc:{doc_id}")
        return text
    raise AssertionError("unreachable")  # pragma: no cover


def load_gdoc(service, doc_id: str, execute=None) -> Notes:
    return parse_notes(read_gdoc(service, doc_id, execute), path=f"gdoc:{doc_id}")


def load_gdoc_notes(client, doc_id: str) -> Notes:
    """A Google Doc exported through the shared Drive client (``GoogleAccess.client("drive")``)."""
    return load_gdoc(client.service, doc_id, lambda req: client.execute(req, what=f"Google Doc {doc_id}"))


def load_any_notes(arg: str, drive_client=None) -> tuple[str, Notes]:
    """(the name stored for it, the parsed notes) for a local path, ``gdoc:ID`` or a
    Docs URL; ``drive_client()`` builds the Drive client a Google Doc needs."""
    doc = gdoc_id(arg)
    if not doc:
        return display_path(arg), load_notes(arg)
    client = drive_client() if drive_client else None
    if client is None:
        raise InputError(f"gdoc:{doc} needs Drive access: pass --api-key or --credentials")
    try:
        return f"gdoc:{doc}", load_gdoc_notes(client, doc)
    finally:
        client.close()
