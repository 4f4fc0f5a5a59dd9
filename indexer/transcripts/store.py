"""Import transcripts into ``transcripts`` / ``transcript_cues``, and read them back.

The folder source is what yt-dlp writes: ``VIDEOID.en.vtt``, ``VIDEOID.en.srt``
or ``Title [VIDEOID].en.vtt``. Each file is imported once: a re-import of a
file whose bytes did not change (same SHA-256) is skipped; a changed file
replaces its cues in one transaction.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import multiprocessing
import os
import re
import sqlite3
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from pathlib import Path

import sqlite_utils

from indexer.store.db import now

SUBTITLE_SUFFIXES = (".vtt", ".srt")
_VIDEO_ID = r"[A-Za-z0-9_-]{11}"
# `ID.en.vtt`, `Title [ID].en.vtt`, `ID.en-US.srt`, `ID.en-orig.vtt`
_NAME = re.compile(
    rf"^(?:.*\[(?P<bracketed>{_VIDEO_ID})\]|(?P<bare>{_VIDEO_ID}))"
    r"\.(?P<lang>[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)\.(?P<ext>vtt|srt)$"
)
# a cue row's end_s (a C loop: a generator over 750 cues a file cost 0.4 s an import)
_END_S = itemgetter(1)
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


@dataclass
class _Pending:
    """A subtitle file to parse: new, or changed since it was imported."""
    path: Path
    rel: str
    transcript_id: str
    video_id: str
    language: str
    size: int


def import_folder(db: sqlite_utils.Database, folder: Path, workers: int | None = None) -> ImportResult:
    """Import every subtitle file of ``folder``; a bad file is reported in ``errors`` and skipped.
    The whole import is one transaction: the database has all of it or none.

    Files are parsed in ``workers`` processes (default: one per CPU this process
    may use) while this one stores what they return, in path order: the rows
    are the same as a serial import's, and parsing, most of the work, no
    longer waits for the database."""
    result = ImportResult()
    known = {row["id"]: row["content_hash"] for row in db.query("select id, content_hash from transcripts")}
    pending: list[_Pending] = []
    for path in subtitle_files(folder):
        rel = path.relative_to(folder).as_posix()
        parts = name_parts(path.name)
        if parts is None:
            result.errors.append(f"{rel}: not named VIDEOID.LANG.vtt/.srt or 'Title [VIDEOID].LANG.vtt'")
            continue
        video_id, language, ext = parts
        transcript_id = f"{video_id}.{language}.{ext}"
        try:
            if transcript_id in known:  # a new one is read once, by its parser
                data = path.read_bytes()
                if known[transcript_id] == hashlib.sha256(data).hexdigest():
                    result.unchanged += 1
                    continue
                size = len(data)
            else:
                size = path.stat().st_size
        except OSError as exc:
            result.errors.append(f"{rel}: cannot read ({exc.strerror or exc})")
            continue
        pending.append(_Pending(path, rel, transcript_id, video_id, language, size))
    with TranscriptWriter(db) as writer, _parser_pool(pending, workers) as parse:
        for file, (digest, kind, cues) in zip(pending, parse(_parse_file, [str(f.path) for f in pending])):
            if kind is None:
                result.errors.append(f"{file.rel}: {cues}")
                continue
            if known.get(file.transcript_id) == digest:  # two names of one transcript, same bytes
                result.unchanged += 1
                continue
            row = {
                "id": file.transcript_id,
                "video_id": file.video_id,
                "drive_file_id": None,
                "language": file.language,
                "kind": kind,
                "source": f"file:{file.rel}",
                "fetched_at": now(),
                "content_hash": digest,
                "cues": len(cues),
                "duration_s": max(map(_END_S, cues), default=0.0),
            }
            writer.save(row, cues, replaces=file.transcript_id in known)
            known[file.transcript_id] = digest
            result.imported += 1
            result.cues += len(cues)
            result.hours += row["duration_s"] / 3600
    return result


def _parse_file(path: str) -> tuple[str, str | None, list | str]:
    """(SHA-256, kind, cue rows) of a subtitle file, or (SHA-256, None, why it
    cannot be read): what a worker process sends back. The file is read again
    here (from the page cache): the digest stored is that of the bytes parsed."""
    from indexer.transcripts.parse import SubtitleError, cue_rows, detect_format, transcript_kind  # the parsers: only here

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return "", None, f"cannot read ({exc.strerror or exc})"
    digest = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8-sig")
        cues = cue_rows(text, detect_format(text, path))
    except UnicodeDecodeError as exc:
        return digest, None, f"not UTF-8 text (byte {exc.start})"
    except SubtitleError as exc:
        return digest, None, str(exc)
    return digest, transcript_kind(text, cues), cues


# below this much text to parse, starting worker processes costs more than it saves
PARALLEL_MIN_BYTES = 4_000_000


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


@contextlib.contextmanager
def _parser_pool(pending: list[_Pending], workers: int | None):
    """An ordered ``map``: over worker processes when there is enough to parse and
    more than one CPU, else in this process."""
    workers = usable_cpus() if workers is None else workers
    workers = min(workers, len(pending))
    if workers < 2 or sum(f.size for f in pending) < PARALLEL_MIN_BYTES:
        yield map
        return
    methods = multiprocessing.get_all_start_methods()
    # fork: the workers start at once, with the parser already imported
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        # a few files a task: fewer round trips, and results still come back in order
        yield functools.partial(pool.map, chunksize=max(1, min(8, len(pending) // (workers * 8))))


class TranscriptWriter:
    """Saves transcripts with their cues (``cue_rows`` tuples) in one transaction,
    and keeps the cues' full-text index in step.

    The index is kept here rather than by triggers: a trigger indexes each cue
    on its own, five times the cost of the insert itself, where one
    ``insert ... select`` over many cues indexes them in bulk, in memory
    (``FTS_BUFFER_BYTES``). Indexing every ``FTS_BATCH_CUES`` new cues rather
    than all at the end lets it run while worker processes parse the next
    files; not after each transcript: FTS5 writes a segment at the end of every
    statement, and merging small segments costs more than indexing."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self._unindexed: int | None = None  # the first cue id not in the index yet
        self._waiting = 0  # cues saved since

    def __enter__(self) -> TranscriptWriter:
        _cue_search_ready(self.db)
        conn = self.db.conn
        # every cue row is written right after its transcript's row, so the check of
        # its foreign key (a lookup in transcripts per cue, a fifth of the storing
        # time) cannot fail; the pragma is only honoured outside a transaction
        self._checks_paused = not conn.in_transaction and conn.execute("pragma foreign_keys").fetchone()[0] == 1
        if self._checks_paused:
            conn.execute("pragma foreign_keys = off")
        self._atomic = self.db.atomic()
        self._atomic.__enter__()
        _set_fts_buffer(self.db.conn, FTS_BUFFER_BYTES)
        return self

    def save(self, row: dict, cues: list[tuple], replaces: bool = True) -> None:
        """Write (or replace) one transcript; ``replaces=False`` when it is new, which
        saves looking for its old cues."""
        conn = self.db.conn
        if replaces:
            self._drop_cues(row["id"])
        conn.execute(
            "insert or replace into transcripts (" + ", ".join(row) + ") values ("
            + ", ".join("?" * len(row)) + ")", list(row.values()))
        if cues:
            if self._unindexed is None:  # new rowids follow the largest one
                self._unindexed = conn.execute("select coalesce(max(id), 0) + 1 from transcript_cues").fetchone()[0]
            conn.executemany(
                "insert into transcript_cues (transcript_id, start_s, end_s, speaker, text) values (?, ?, ?, ?, ?)",
                map(tuple.__add__, repeat((row["id"],)), cues),
            )
            self._waiting += len(cues)
            if self._waiting >= FTS_BATCH_CUES:
                self._index_new_cues()

    def remove(self, transcript_id: str) -> None:
        """Delete one transcript with its cues, out of the search index too."""
        self._drop_cues(transcript_id)
        self.db.conn.execute("delete from transcripts where id = ?", [transcript_id])

    def _drop_cues(self, transcript_id: str) -> None:
        conn = self.db.conn
        # its cues leave the index first (an external-content index is told what it held)
        conn.execute(
            "insert into transcript_cues_fts (transcript_cues_fts, rowid, text) "
            "select 'delete', id, text from transcript_cues where transcript_id = ? and id < ?",
            [transcript_id, self._unindexed if self._unindexed is not None else _MAX_ROWID])
        conn.execute("delete from transcript_cues where transcript_id = ?", [transcript_id])

    def _index_new_cues(self) -> None:
        if self._unindexed is None:
            return
        conn = self.db.conn
        conn.execute("insert into transcript_cues_fts (rowid, text) "
                     "select id, text from transcript_cues where id >= ?", [self._unindexed])
        self._unindexed = None
        self._waiting = 0

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                try:
                    self._index_new_cues()
                    _set_fts_buffer(self.db.conn, None)
                except BaseException as error:
                    self._atomic.__exit__(type(error), error, error.__traceback__)
                    raise
            # (on a failure the setting goes with the rolled-back transaction)
            return self._atomic.__exit__(exc_type, exc, tb)
        finally:
            if self._checks_paused:
                self.db.conn.execute("pragma foreign_keys = on")


# new cues indexed together (about 10 MB of text): a segment each
FTS_BATCH_CUES = 200_000
_MAX_ROWID = 2**63 - 1
# what FTS5 gathers in memory before writing a segment (its default: 1 MB): a
# segment for every megabyte of cues means merging them again and again
FTS_BUFFER_BYTES = 64 * 1024 * 1024


def _set_fts_buffer(conn, size: int | None) -> None:
    """FTS5's ``hashsize`` for the cues' index while a writer runs; None: back to
    the default, the setting not kept in the database (older SQLite lacks it: no-op)."""
    if size is None:
        conn.execute("delete from transcript_cues_fts_config where k = 'hashsize'")
        return
    with contextlib.suppress(sqlite3.OperationalError):
        conn.execute("insert into transcript_cues_fts (transcript_cues_fts, rank) values ('hashsize', ?)", [size])


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
