"""Import transcripts into ``transcripts`` / ``transcript_cues``, and read them back.

The folder source is what yt-dlp writes: ``VIDEOID.en.vtt``, ``VIDEOID.en.srt``
or ``Title [VIDEOID].en.vtt``. Each file is imported once: a re-import of a
file whose bytes did not change (same SHA-256) is skipped; a changed file
replaces its cues in one transaction.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from .db import now

SUBTITLE_SUFFIXES = (".vtt", ".srt")
_VIDEO_ID = r"[A-Za-z0-9_-]{11}"
# `ID.en.vtt`, `Title [ID].en.vtt`, `ID.en-US.srt`, `ID.en-orig.vtt`
_NAME = re.compile(
    rf"^(?:.*\[(?P<bracketed>{_VIDEO_ID})\]|(?P<bare>{_VIDEO_ID}))"
    r"\.(?P<lang>[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)\.(?P<ext>vtt|srt)$"
)
# a search ranks (bm25) this many matching cues, the first found
RANKED_MATCHES = 5000
# a transcript of each kind is preferred in this order for finding moments
KIND_RANK = {"manual": 0, "zoom": 1, "file": 2, "asr": 3}


def name_parts(name: str) -> tuple[str, str, str] | None:
    """(video_id, language, format) from a yt-dlp subtitle file name, or None."""
    m = _NAME.match(name)
    if not m:
        return None
    return m.group("bracketed") or m.group("bare"), m.group("lang"), m.group("ext")


@dataclass
class ImportResult:
    imported: int = 0
    unchanged: int = 0
    cues: int = 0
    hours: float = 0.0
    errors: list[str] = field(default_factory=list)

    def counts(self) -> dict:
        return {"imported": self.imported, "unchanged": self.unchanged, "cues": self.cues,
                "skipped": len(self.errors)}


def subtitle_files(folder: Path) -> list[Path]:
    """Subtitle files in ``folder`` and its subfolders (an output template may add
    one per playlist or year), in path order."""
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in SUBTITLE_SUFFIXES and p.is_file())


def import_folder(db: sqlite_utils.Database, folder: Path) -> ImportResult:
    """Import every subtitle file of ``folder``; a bad file is reported in ``errors`` and skipped.
    The whole import is one transaction: the database has all of it or none."""
    from .transcript_parse import SubtitleError, cue_rows, detect_format, transcript_kind  # the parsers: only here
    result = ImportResult()
    known = {row["id"]: row["content_hash"] for row in db.query("select id, content_hash from transcripts")}
    with TranscriptWriter(db) as writer:
        for path in subtitle_files(folder):
            rel = path.relative_to(folder).as_posix()
            parts = name_parts(path.name)
            if parts is None:
                result.errors.append(f"{rel}: not named VIDEOID.LANG.vtt/.srt or 'Title [VIDEOID].LANG.vtt'")
                continue
            video_id, language, ext = parts
            try:
                data = path.read_bytes()
            except OSError as exc:
                result.errors.append(f"{rel}: cannot read ({exc.strerror or exc})")
                continue
            digest = hashlib.sha256(data).hexdigest()
            transcript_id = f"{video_id}.{language}.{ext}"
            if known.get(transcript_id) == digest:
                result.unchanged += 1
                continue
            try:
                text = data.decode("utf-8-sig")
                cues = cue_rows(text, detect_format(text, path.name))
            except UnicodeDecodeError as exc:
                result.errors.append(f"{rel}: not UTF-8 text (byte {exc.start})")
                continue
            except SubtitleError as exc:
                result.errors.append(f"{rel}: {exc}")
                continue
            row = {
                "id": transcript_id,
                "video_id": video_id,
                "drive_file_id": None,
                "language": language,
                "kind": transcript_kind(text, cues),
                "source": f"file:{rel}",
                "fetched_at": now(),
                "content_hash": digest,
                "cues": len(cues),
                "duration_s": max((c[1] for c in cues), default=0.0),
            }
            writer.save(row, cues, replaces=transcript_id in known)
            known[transcript_id] = digest
            result.imported += 1
            result.cues += len(cues)
            result.hours += row["duration_s"] / 3600
    return result


class TranscriptWriter:
    """Saves transcripts with their cues (``cue_rows`` tuples) in one transaction,
    and brings the cues' full-text index up to date once, at the end.

    The index is kept here rather than by triggers: a trigger indexes each cue
    on its own, five times the cost of the insert itself, where one
    ``insert ... select`` over the new cues indexes them in bulk."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self._first_new_id: int | None = None
        self._written: set[str] = set()

    def __enter__(self) -> TranscriptWriter:
        _cue_search_ready(self.db)
        self._atomic = self.db.atomic()
        self._atomic.__enter__()
        return self

    def save(self, row: dict, cues: list[tuple], replaces: bool = True) -> None:
        """Write (or replace) one transcript; ``replaces=False`` when it is new, which
        saves looking for its old cues."""
        conn = self.db.conn
        if replaces:
            if row["id"] not in self._written:
                # its old cues leave the index first (an external-content index
                # is told what it held); cues written in this run are not in it yet
                conn.execute(
                    "insert into transcript_cues_fts (transcript_cues_fts, rowid, text) "
                    "select 'delete', id, text from transcript_cues where transcript_id = ?", [row["id"]])
            conn.execute("delete from transcript_cues where transcript_id = ?", [row["id"]])
        conn.execute(
            "insert or replace into transcripts (" + ", ".join(row) + ") values ("
            + ", ".join("?" * len(row)) + ")", list(row.values()))
        if cues:
            # new rowids follow the largest one: everything from here on is new
            first = conn.execute("select coalesce(max(id), 0) + 1 from transcript_cues").fetchone()[0]
            if self._first_new_id is None or first < self._first_new_id:
                self._first_new_id = first
            transcript_id = row["id"]
            conn.executemany(
                "insert into transcript_cues (transcript_id, start_s, end_s, speaker, text) values (?, ?, ?, ?, ?)",
                [(transcript_id, *cue) for cue in cues],
            )
        self._written.add(row["id"])

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None and self._first_new_id is not None:
            self.db.conn.execute(
                "insert into transcript_cues_fts (rowid, text) select id, text from transcript_cues where id >= ?",
                [self._first_new_id])
        return self._atomic.__exit__(exc_type, exc, tb)


def _cue_search_ready(db: sqlite_utils.Database) -> None:
    """The cues' full-text index exists, without the per-row triggers
    ``ensure_db_shape`` gives other tables (dropped from a database made before)."""
    existing = set(db.table_names())
    if "transcript_cues_fts" not in existing:
        db["transcript_cues"].enable_fts(["text"], create_triggers=False, tokenize="porter")
    for suffix in ("ai", "ad", "au"):
        db.execute(f"drop trigger if exists [transcript_cues_{suffix}]")
    if db.execute("select exists (select 1 from transcript_cues)").fetchone()[0]:
        # replacing a transcript looks up its old cues
        db["transcript_cues"].create_index(["transcript_id", "start_s"], if_not_exists=True)


def transcript_rank(row: dict) -> tuple:
    """Sort key of a video's transcripts, the one to read first: English first,
    then a human's subtitles over captions."""
    return (not (row["language"] or "").lower().startswith("en"), KIND_RANK.get(row["kind"], 9), row["id"])


def preferred_transcripts(db: sqlite_utils.Database) -> dict[str, str]:
    """video_id -> id of the transcript to read (``transcript_rank``)."""
    if "transcripts" not in db.table_names():
        return {}
    best: dict[str, tuple] = {}
    for row in db.query("select id, video_id, kind, language from transcripts where video_id is not null"):
        rank = transcript_rank(row)
        if row["video_id"] not in best or rank < best[row["video_id"]][0]:
            best[row["video_id"]] = (rank, row["id"])
    return {video_id: transcript_id for video_id, (_, transcript_id) in best.items()}


def transcript_cues(db: sqlite_utils.Database, transcript_id: str) -> list[dict]:
    return [
        {"start_s": r[0], "end_s": r[1], "speaker": r[2], "text": r[3]}
        for r in db.conn.execute(
            "select start_s, end_s, speaker, text from transcript_cues where transcript_id = ? order by start_s, id",
            [transcript_id],
        )
    ]


class TranscriptCues(Mapping):
    """``{video_id: [cue dict]}`` read from the database on first use: the matcher
    looks at the few videos that are a meeting's recordings, not the whole channel."""

    def __init__(self, db: sqlite_utils.Database):
        self._db = db
        self._ids = preferred_transcripts(db)
        self._cache: dict[str, list[dict]] = {}

    def __getitem__(self, video_id: str) -> list[dict]:
        if video_id not in self._cache:
            self._cache[video_id] = transcript_cues(self._db, self._ids[video_id])
        return self._cache[video_id]

    def __iter__(self):
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


def load_cues(db: sqlite_utils.Database) -> dict[str, list[dict]]:
    """Every video's cues from its preferred transcript (small databases, tests)."""
    return dict(TranscriptCues(db))


def search(db: sqlite_utils.Database, query: str, limit: int = 20) -> list[dict]:
    """Cues holding every word of ``query``, best first, with their video and second.
    Only the first matches are ranked (as the site's "Search what was said" does):
    ranking every cue that says a common word would take seconds."""
    # each word quoted: what people type is words, not FTS5 syntax
    terms = " ".join('"' + w.replace('"', '""') + '"' for w in query.split())
    if not terms:
        return []
    sql = """
select transcripts.video_id, transcripts.drive_file_id, transcript_cues.start_s, transcript_cues.speaker,
       transcript_cues.text
from (select rowid, rank from transcript_cues_fts where transcript_cues_fts match ? limit ?) as hits
join transcript_cues on transcript_cues.id = hits.rowid
join transcripts on transcripts.id = transcript_cues.transcript_id
order by hits.rank
limit ?
"""
    return [dict(r) for r in db.query(sql, [terms, RANKED_MATCHES, limit])]
