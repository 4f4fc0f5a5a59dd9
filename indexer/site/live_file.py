"""Serve the newest database file without a restart.

`serve` opens the database immutable: SQLite then trusts that the file never
changes and caches freely. A sync builds the new state in a new file and
renames it over the old one; connections opened before keep reading the old
inode (still valid), so nothing fails, but they would show the old data until
a restart. Before each request the plugin compares the file the served path
names now with the one it opened (device, inode, size, modification time);
when it changed, a new Datasette ``Database`` for the same path and name
replaces the old one between requests, its table counts computed first. The
old one's connections are closed a while later, once requests that were
already using them have ended.
"""
from __future__ import annotations

import asyncio
import os
import time

# how often the file is looked at, at most (a stat costs microseconds; this
# keeps a busy site from stat-ing per static file)
CHECK_INTERVAL_S = 0.2
# requests already running on the old file finish well within this (the SQL
# time limit is 1 s)
CLOSE_OLD_AFTER_S = 60.0


def identity(path) -> tuple | None:
    try:
        st = os.stat(path)  # follows serve's symlink to the real file
    except OSError:
        return None  # mid-rename or gone: keep serving what is open
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


class LiveFiles:
    def __init__(self, datasette):
        self.ds = datasette
        self.opened: dict[str, tuple] = {}
        self.checked = 0.0
        self.lock = asyncio.Lock()
        self.generation = 0

    def remember(self) -> None:
        """The files as they are when serving starts."""
        for name, db in self.ds.databases.items():
            if self._watched(db):
                found = identity(db.path)
                if found:
                    self.opened[name] = found

    @staticmethod
    def _watched(db) -> bool:
        return bool(db.path) and not db.is_memory and not db.is_mutable

    async def check(self) -> None:
        now = time.monotonic()
        if now - self.checked < CHECK_INTERVAL_S:
            return
        self.checked = now
        async with self.lock:
            for name, db in list(self.ds.databases.items()):
                if not self._watched(db):
                    continue
                found = identity(db.path)
                if found is None:
                    continue
                if name not in self.opened:
                    self.opened[name] = found
                elif found != self.opened[name] and await self._swap(name, db):
                    self.opened[name] = found

    async def _swap(self, name: str, old) -> bool:
        self.generation += 1
        new = fresh_database(self.ds, old.path, f"{name}#{self.generation}")
        new.name, new.route = old.name, old.route
        try:
            await new.table_counts(limit=60 * 60 * 1000)  # what Datasette does at startup
        except Exception:  # noqa: BLE001 - a file still being written: try again on a later request
            new.close()
            return False
        # a new dict, as Datasette's add_database does: never mutate it under running requests
        self.ds.databases = {**self.ds.databases, name: new}
        asyncio.get_running_loop().call_later(CLOSE_OLD_AFTER_S, old.close)
        return True


def fresh_database(datasette, path, key: str):
    """A Datasette ``Database`` whose threads open connections of their own.

    Datasette 0.65 keeps each thread's connection under the database's name,
    which the replaced object shares: it would go on reading the old file.
    """
    from datasette.database import Database, connections

    class FreshDatabase(Database):
        async def execute_fn(self, fn):
            if self.ds.executor is None:  # non-threaded mode: one connection of its own already
                return await super().execute_fn(fn)

            def in_thread():
                conn = getattr(connections, key, None)
                if not conn:
                    conn = self.connect()
                    self.ds._prepare_connection(conn, self.name)
                    setattr(connections, key, conn)
                return fn(conn)

            return await asyncio.get_running_loop().run_in_executor(self.ds.executor, in_thread)

    return FreshDatabase(datasette, path=path, is_mutable=False)
