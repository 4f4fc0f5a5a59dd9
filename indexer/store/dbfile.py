"""The database file while a command writes it: one writer at a time, and
readers (a site serving the file) that never see it half-written.

``writing(path)`` takes the lock beside the database (``DB.lock``); a second
writer stops at once with ``Busy``. An existing database is copied to
``DB.building``, the command writes the copy, and the copy is renamed over the
database in one step: a site holding the old file keeps reading it (its inode
stays valid) and the next request opens the new one. The served file is never
in WAL mode and never half-written.

A first build writes the database in place (nothing serves it yet), so a
killed first run keeps the pages it fetched; one refused before it stored
anything (notes that cannot be read) is removed, leaving no database. A killed
later run leaves its ``DB.building``; the next run continues from it, so it
converges just the same.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import os
import sqlite3
from pathlib import Path

from indexer.store import failures
from indexer.common.errors import EXIT_BUSY, UserError

LOCK_SUFFIX = ".lock"
WORK_SUFFIX = ".building"
SIDE_FILES = ("-journal", "-wal", "-shm")
# tries to lock a lock file that is not removed under us by the writer before
LOCK_ATTEMPTS = 100


class Busy(UserError):
    exit_code = EXIT_BUSY


def check(path) -> None:
    """A database that exists must be SQLite; read-only, so a wrong file is left untouched.
    A folder where the file should be is a path we cannot write (exit 9)."""
    if Path(path).is_dir():
        raise failures.explain(IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path)))
    if not Path(path).exists():
        return
    try:
        conn = read_only(path)
        try:
            conn.execute("select count(*) from sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise UserError(f"not a SQLite database: {path} ({exc})") from None


def read_only(path) -> sqlite3.Connection:
    """A connection that cannot change the file (``report``, the checks before a write)."""
    return sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)


@contextlib.contextmanager
def locked(path):
    """Hold ``DB.lock`` (flock: released by the kernel when a run is killed); the
    file is removed when the lock is released, so none stays beside the database.

    Removing a lock file races with a writer that opened it just before: that
    writer would then lock a file no longer at the path, while a third one
    creates and locks a new one. So a writer that gets the lock checks that the
    file it locked still is the one at the path (same inode), else starts over;
    and the holder unlinks the file while it still holds the lock."""
    lock_path = Path(str(path) + LOCK_SUFFIX)
    for _ in range(LOCK_ATTEMPTS):
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            since = os.read(fd, 100).decode("utf-8", "replace").strip() or "a moment ago"
            current = _same_file(fd, lock_path)
            os.close(fd)
            if not current:  # its holder just let it go: try the new one
                continue
            raise Busy(f"another sync is running since {since} on {path}; try again when it ends") from None
        except BaseException:
            os.close(fd)
            raise
        if _same_file(fd, lock_path):
            break
        os.close(fd)  # locked a file its holder removed on release: start over
    else:  # writers taking turns faster than we can look
        raise Busy(f"another sync is running on {path}; try again when it ends")
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().encode(), 0)
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(lock_path)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    """Whether ``path`` still names the file open as ``fd``."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    own = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (own.st_dev, own.st_ino)


@contextlib.contextmanager
def writing(path):
    """Yield the path to write; on success (or a ``UserError``, whose run is
    recorded as failed and whose committed pages are consistent) it becomes
    ``path`` atomically. On any other failure the copy is dropped, keeping only
    its ``sync_runs`` rows, so the database is as it was.

    A first build writes the database itself; one that fails before it holds
    anything but its ``sync_runs`` row is removed: no database is left behind."""
    path = Path(path)
    with locked(path):
        if not path.exists() or path.stat().st_size == 0:  # a first build (sqlite3.connect makes empty files)
            yield from _first_build(path)
            return
        work = path.with_name(path.name + WORK_SUFFIX)
        if not _resumable(work, path):
            copy(path, work)
        try:
            yield work
        except (UserError, KeyboardInterrupt, SystemExit):
            publish(work, path)
            raise
        except BaseException:
            _discard(work, path)
            raise
        publish(work, path)


def skip_syncs_on_copy(conn: sqlite3.Connection, work, path) -> None:
    """No fsync at each commit when ``work`` is the working copy of ``path``:
    ``publish`` syncs the copy once before it replaces the database, and a copy
    left by a crash is checked (``_resumable``) or made again. A first build,
    written in place, keeps SQLite's syncs."""
    if Path(work) != Path(path):
        conn.execute("pragma synchronous = off")


def _first_build(path: Path):
    """In place (nothing serves it yet): a first sync killed or stopped by the
    quota keeps the pages it fetched; one whose notes were refused is no database."""
    existed = path.exists()
    try:
        yield path
    except BaseException:
        if not existed and not _holds_data(path):
            _remove(path)
        raise


def _holds_data(path: Path) -> bool:
    """Whether a table other than ``sync_runs`` (and the full-text indexes) has a row."""
    try:
        conn = read_only(path)
        try:
            tables = [r[0] for r in conn.execute(
                "select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\' "
                "and name not like '%\\_fts' escape '\\' and name not like '%\\_fts\\_%' escape '\\' "
                "and name != 'sync_runs'")]
            return any(conn.execute(f"select exists (select 1 from [{t}])").fetchone()[0] for t in tables)
        finally:
            conn.close()
    except (OSError, sqlite3.DatabaseError):
        return False


def _resumable(work: Path, path: Path) -> bool:
    """A killed run's copy (its ``sync_runs`` row still says running), written
    after the database last changed, holds the database plus what that run fetched."""
    try:
        if work.stat().st_mtime_ns < path.stat().st_mtime_ns:
            return False
        conn = read_only(work)
        try:
            return (conn.execute("pragma quick_check").fetchone()[0] == "ok"
                    and conn.execute("select 1 from sync_runs where status = 'running'").fetchone() is not None)
        finally:
            conn.close()
    except (OSError, sqlite3.DatabaseError):
        return False


def _remove(path: Path) -> None:
    for suffix in ("", *SIDE_FILES):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(str(path) + suffix)


def copy(src: Path, dst: Path) -> None:
    """SQLite's online backup: what a killed run left in a WAL is copied too."""
    _remove(dst)
    source = sqlite3.connect(src, timeout=1)
    try:
        if source.execute("pragma journal_mode").fetchone()[0] == "wal":
            # a killed first build: fold its WAL into the file (a reader may hold it
            # open, then the backup reads the WAL and publish() unlinks it)
            with contextlib.suppress(sqlite3.OperationalError):
                source.execute("pragma journal_mode = delete")
        target = sqlite3.connect(dst)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


def publish(work: Path, path: Path) -> None:
    """A single file in rollback-journal mode, on disk, then renamed over ``path``."""
    conn = sqlite3.connect(work)
    try:
        conn.execute("pragma journal_mode = delete")
    finally:
        conn.close()
    with open(work, "rb") as fh:
        os.fsync(fh.fileno())
    # a WAL left beside the old file would be read as the new file's: unlink it
    # first (a reader of the old file keeps its open descriptors)
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(str(path) + suffix)
    os.replace(work, path)
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _discard(work: Path, path: Path) -> None:
    """Drop a failed run's changes but keep its record in ``sync_runs``."""
    runs: list[tuple] = []
    with contextlib.suppress(sqlite3.DatabaseError):
        conn = sqlite3.connect(work)
        try:
            old = sqlite3.connect(path)
            try:
                last = old.execute("select coalesce(max(id), 0) from sync_runs").fetchone()[0]
            finally:
                old.close()
            cur = conn.execute("select * from sync_runs where id > ?", [last])
            columns = [c[0] for c in cur.description]
            runs = cur.fetchall()
        finally:
            conn.close()
    _remove(work)
    if not runs:
        return
    copy(path, work)
    conn = sqlite3.connect(work)
    try:
        with conn:
            marks = ", ".join("?" for _ in columns)
            names = ", ".join(f"[{c}]" for c in columns)
            conn.executemany(f"insert into sync_runs ({names}) values ({marks})", runs)
    finally:
        conn.close()
    publish(work, path)
