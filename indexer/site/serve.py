"""How the Datasette site is served: one place for `serve`, the tests and the benchmark."""
from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from pathlib import Path

from indexer.common.errors import UserError

# metadata.yml describes the database "index"; canned query and feed URLs
# (/index/meetings_calendar.ics) must not change with the file's name
DATABASE_NAME = "index"
# long enough for facets on a large archive, short enough that one visitor's
# query cannot hold the server
SQL_TIME_LIMIT_MS = 1000


class SiteError(UserError):
    """A problem the user can fix; the message is one line."""


def check_database(db_path: str | os.PathLike) -> Path:
    path = Path(db_path)
    if not path.is_file():
        raise SiteError(f"database not found: {db_path} (run `meetup-indexer sync` first)")
    try:
        conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
        try:
            conn.execute("select count(*) from sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        raise SiteError(f"not a SQLite database: {db_path}") from None
    return path


LINK_PREFIX = "meetup-indexer-serve-"


def served_path(db_path: Path) -> Path:
    """The path Datasette opens, named ``index.db`` whatever the file is called.

    A symlink in a private folder made by ``mkdtemp`` (mode 0700, a name
    nobody can guess or create first): a shared, predictable folder would let
    another local user choose the database we serve. The database is opened
    immutable, so SQLite never writes beside it. The folder carries this
    process's id (``serve`` execs Datasette in the same process), so a later
    ``serve`` removes the folders of servers that have ended.
    """
    if db_path.stem == DATABASE_NAME:
        return db_path
    target = db_path.resolve()
    link = _links.get(target)
    if link is not None and link.is_symlink() and Path(os.readlink(link)) == target:
        return link  # this process made it
    remove_stale_links()
    folder = Path(tempfile.mkdtemp(prefix=f"{LINK_PREFIX}{os.getpid()}-"))
    link = _links[target] = folder / f"{DATABASE_NAME}.db"
    link.symlink_to(target)
    return link


_links: dict[Path, Path] = {}


def remove_stale_links(temp_dir: str | None = None) -> None:
    """Remove our own link folders whose server process has ended."""
    import stat

    base = Path(temp_dir or tempfile.gettempdir())
    try:
        entries = list(base.glob(f"{LINK_PREFIX}*"))
    except OSError:
        return
    for folder in entries:
        try:
            info = folder.lstat()
            pid = int(folder.name[len(LINK_PREFIX):].split("-", 1)[0])
        except (OSError, ValueError):
            continue
        # only real folders of this user, never through a symlink
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or _alive(pid):
            continue
        link = folder / f"{DATABASE_NAME}.db"
        try:
            if link.is_symlink():
                link.unlink()
            folder.rmdir()
        except OSError:
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process
        return True
    return True


def check_port_free(host: str, port: int) -> None:
    """One line before Datasette starts, rather than uvicorn's log and a traceback."""
    import errno
    import socket

    if not port:
        return
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            sock.bind((host, port))
    except OSError as exc:
        why = "already in use" if exc.errno == errno.EADDRINUSE else (exc.strerror or str(exc))
        raise SiteError(f"cannot serve on {host}:{port}: {why} (pick another with --port)") from None


def datasette_args(
    db_path: str | os.PathLike,
    metadata: str | os.PathLike,
    host: str = "127.0.0.1",
    port: int = 8001,
    sql_time_limit_ms: int = SQL_TIME_LIMIT_MS,
    extra: tuple[str, ...] | list[str] = (),
) -> list[str]:
    """`python -m datasette serve` arguments for the read-only site.

    ``-i`` opens the file immutable (read-only, no locking, counts cached);
    Datasette 0.65 has no write API, so with no writable canned queries the
    site has no endpoint that writes. ``extra`` comes last so users can
    override any setting.
    """
    db = served_path(check_database(db_path))
    check_port_free(host, port)
    return [
        sys.executable, "-m", "datasette", "serve",
        "-i", str(db),
        "--metadata", str(metadata),
        "--host", host, "--port", str(port),
        "--setting", "sql_time_limit_ms", str(sql_time_limit_ms),
        # suggestions run a GROUP BY per column on every table page: 2.4 s of a
        # 2.5 s page over 100,000 videos (bench/datasette.py); the facets in
        # metadata.yml and "Facet by this" in each column's menu remain
        "--setting", "suggest_facets", "off",
        *extra,
    ]
