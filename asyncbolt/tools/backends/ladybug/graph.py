"""The database all connections of a server share: :class:`LadybugGraph`.

It opens the LadybugDB database, hands each Bolt connection its own Ladybug connection, bounds
how many queries execute at once (see :mod:`asyncbolt.tools.backends.ladybug.session`,
"Memory"), queues write transactions behind one writer lock (Ladybug allows one at a time,
database-wide) and numbers the bookmarks.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
from collections.abc import Callable
from typing import Any

from asyncbolt.errors import TransientError
from asyncbolt.tools.backends.ladybug.failures import map_error

__all__ = ["LadybugGraph", "MAX_RUNNING"]

log = logging.getLogger(__name__)

#: Queries a :class:`LadybugGraph` lets execute at once by default (see the session's "Memory").
MAX_RUNNING = 16


def _import_ladybug() -> Any:
    try:
        import ladybug
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("the ladybug backend needs LadybugDB: pip install 'asyncbolt[serve]' "
                          "(or pip install ladybug)") from exc
    return ladybug



class LadybugGraph:
    """One LadybugDB database, shared by every connection of a server.

    ``path``: a directory/file for an on-disk database, or ``None``/``":memory:"``.
    ``lock_timeout``: seconds a writer waits for the database's single write transaction.
    ``name``: the database name clients may ask for (besides Neo4j's default ``neo4j``).
    ``max_running``: queries that execute in Ladybug at once (the others wait for a slot); it
    bounds the buffer-pool pages Ladybug keeps resident (see the session module's "Memory").
    ``buffer_pool_size``: Ladybug's buffer pool in bytes (0: Ladybug's default, 80% of RAM).
    """

    def __init__(self, path: str | None = None, *, read_only: bool = False,
                 lock_timeout: float = 10.0, name: str = "neo4j",
                 buffer_pool_size: int = 0, max_running: int = MAX_RUNNING) -> None:
        if max_running < 1:
            raise ValueError(f"max_running must be at least 1, not {max_running}")
        lb = _import_ladybug()
        self.path = path or ":memory:"
        self.read_only = read_only
        self.lock_timeout = lock_timeout
        self.name = name
        self.version = str(getattr(lb, "__version__", "?"))
        self.database = lb.Database(self.path, read_only=read_only, buffer_pool_size=buffer_pool_size)
        self._connections: set[Any] = set()
        self._guard = threading.Lock()
        self._writer = threading.Lock()
        self.max_running = max_running
        self._slots = threading.BoundedSemaphore(max_running)
        #: Queries executing in Ladybug now, and the most there ever were at once.
        self.running = 0
        self.peak_running = 0
        self._bookmarks = itertools.count(1)
        self.last_bookmark = "ladybug:0"
        #: Rows converted and handed to Bolt so far (all connections): shows streaming is lazy.
        self.rows_fetched = 0
        self.closed = False

    @property
    def in_memory(self) -> bool:
        return self.path == ":memory:"

    def connect(self) -> Any:
        """A new Ladybug connection (closed with the graph)."""
        lb = _import_ladybug()
        conn = lb.Connection(self.database)
        with self._guard:
            self._connections.add(conn)
        return conn

    def disconnect(self, conn: Any) -> None:
        with self._guard:
            self._connections.discard(conn)
        try:
            conn.close()
        except Exception:  # pragma: no cover - best effort
            log.debug("closing a Ladybug connection failed", exc_info=True)

    def run_query(self, fn: Callable[[], Any], wanted: Callable[[], bool] = lambda: True) -> Any:
        """(worker thread) ``fn()`` (a query's execution) once one of the ``max_running`` slots
        is free; ``wanted()`` is asked after the wait, and ``None`` returned if it says no."""
        with self._slots:
            if not wanted():
                return None
            with self._guard:
                self.running += 1
                self.peak_running = max(self.peak_running, self.running)
            try:
                return fn()
            finally:
                with self._guard:
                    self.running -= 1

    def execute_script(self, text: str) -> None:
        """Run statements (``;``-separated) in auto-commit mode, e.g. a schema and seed data."""
        conn = self.connect()
        try:
            results = conn.execute(text)
            for result in results if isinstance(results, list) else [results]:
                result.close()
        except RuntimeError as exc:
            raise map_error(exc) from None
        finally:
            self.disconnect(conn)

    # The writer lock: Ladybug has one write transaction at a time, database-wide, and a
    # connection whose BEGIN TRANSACTION was refused is left unsafe to use. So writers queue
    # here, and BEGIN TRANSACTION is only sent by the holder.

    async def acquire_writer(self, timeout: float | None = None) -> None:
        if self._writer.acquire(blocking=False):
            return
        loop = asyncio.get_running_loop()
        limit = self.lock_timeout if timeout is None else timeout
        deadline = loop.time() + limit
        delay = 0.001
        while True:
            await asyncio.sleep(delay)
            if self._writer.acquire(blocking=False):
                return
            if loop.time() >= deadline:
                raise TransientError(
                    "Neo.TransientError.Transaction.LockAcquisitionTimeout",
                    f"another transaction has been writing for over {limit:g} s; LadybugDB allows "
                    "one write transaction at a time. Retry, or commit the other transaction first.")
            delay = min(delay * 2, 0.02)

    def release_writer(self) -> None:
        self._writer.release()

    def next_bookmark(self) -> str:
        self.last_bookmark = f"ladybug:{next(self._bookmarks)}"
        return self.last_bookmark

    def close(self) -> None:
        """Close every connection, then the database (an on-disk one is checkpointed)."""
        if self.closed:
            return
        self.closed = True
        with self._guard:
            conns, self._connections = list(self._connections), set()
        for conn in conns:
            try:
                conn.close()
            except Exception:  # pragma: no cover - best effort
                log.debug("closing a Ladybug connection failed", exc_info=True)
        self.database.close()

    def __repr__(self) -> str:
        return f"LadybugGraph({self.path!r})"
