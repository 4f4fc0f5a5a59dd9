"""The YouTube harvest's pipelining: fetch in worker threads, write in order in
the calling thread, batched into few transactions, and page the uploads
playlist on a thread of its own."""
from __future__ import annotations

import collections
import queue
import threading
import time
from typing import Callable, Iterator


class Pipeline:
    """Fetch in worker threads, write in order in this one.

    The API answers in milliseconds but a call waits on the network; up to
    ``WORKERS`` calls are in flight while the main thread writes earlier pages,
    each in its own transaction and in page order, so an interrupted run still
    holds a prefix of the pages.
    """

    def __init__(self, pool, write, depth: int):
        self.pool, self.write, self.depth = pool, write, depth
        self.pending: collections.deque = collections.deque()

    def submit(self, fn, *args, context=None):
        self.pending.append((self.pool.submit(fn, *args), context))
        self.drain(self.depth)

    def drain(self, keep: int = 0):
        while len(self.pending) > keep:
            future, context = self.pending.popleft()
            try:
                value = future.result()
            except BaseException:
                for f, _ in self.pending:
                    f.cancel()
                self.pending.clear()
                raise
            self.write(value, context)

    def salvage(self):
        """After a failure: write the pages already fetched, drop the rest."""
        while self.pending:
            future, context = self.pending.popleft()
            try:
                value = future.result()
            except BaseException:  # noqa: BLE001 - the first failure is the one reported
                continue
            self.write(value, context)


WORKERS = 4


class Listing:
    """The uploads playlist, paged on its own thread: page tokens chain, so the
    listing is the harvest's critical path and must not wait for page writes.

    Iterating yields ``(ids, total)``; a failure in the listing is raised by the
    iteration. With ``known``, the listing ends after the first page holding a
    known video (``stopped_early``).
    """

    def __init__(self, pages: Callable[[], Iterator[tuple[list[str], int | None]]], known: set[str] | None,
                 lookahead: int = 2 * WORKERS):
        self.queue: queue.Queue = queue.Queue(maxsize=lookahead)
        self.halt = threading.Event()
        self.stopped_early = False
        self.thread = threading.Thread(target=self._run, args=(pages, known), daemon=True, name="youtube-uploads")
        self.thread.start()

    def _run(self, pages, known):
        try:
            for ids, total in pages():
                if self.halt.is_set():
                    break
                self.queue.put(("page", (ids, total)))
                if known is not None and any(i in known for i in ids):
                    self.stopped_early = True
                    break
            self.queue.put(("end", None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            self.queue.put(("error", exc))

    def __iter__(self):
        while True:
            kind, value = self.queue.get()
            if kind == "page":
                yield value
            elif kind == "error":
                raise value
            else:
                self.thread.join()
                return

    def stop(self):
        """Let the thread finish (it may be blocked on a full queue) and wait for it."""
        self.halt.set()
        while self.thread.is_alive():
            try:
                self.queue.get(timeout=0.05)
            except queue.Empty:
                pass


class Batches:
    """The harvest's writes, on the calling thread, a batch of pages per transaction.

    A commit per page (186 for 10,000 videos) cost up to a third of the writes'
    time in waits on a busy disk; a batch commits after ``pages`` writes or ``seconds``, so an interrupted run keeps every
    batch but the last and a rerun converges. Each write is its own savepoint
    (``db.atomic()`` nests), so a batch holds whole pages only. Leaving the
    block commits what was written, also on an error or a budget stop: the
    pages before it are complete.
    """

    def __init__(self, db, pages: int = 10, seconds: float = 0.5):
        self.db, self.pages, self.seconds = db, pages, seconds
        self.written = 0
        self.started = 0.0
        self.open = False  # a transaction this object began (a caller's own is never committed here)

    def write(self, fn, *args):
        conn = self.db.conn
        if not conn.in_transaction:
            conn.execute("BEGIN")
            self.open, self.written, self.started = True, 0, time.monotonic()
        with self.db.atomic():  # a savepoint: a write that fails leaves nothing
            value = fn(*args)
        self.written += 1
        if self.written >= self.pages or time.monotonic() - self.started >= self.seconds:
            self.commit()
        return value

    def commit(self):
        if self.open and self.db.conn.in_transaction:
            self.db.conn.execute("COMMIT")
        self.open = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.commit()
