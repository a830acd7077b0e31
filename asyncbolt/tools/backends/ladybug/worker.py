"""One Bolt connection's LadybugDB connection, and the thread its blocking calls run on.

**Connections.** Every Bolt connection gets its own Ladybug connection and its own worker
thread: Ladybug's calls block, so they run there and the event loop keeps serving the others.
Rows are fetched and converted in batches of :data:`BATCH` as the client's PULLs ask, never the
whole result (Ladybug's engine itself still collects a query's result table natively before
the first row can be read).

**Memory.** LadybugDB takes a query's working memory and its result table in 256 KiB pages of
its buffer pool and, once they are freed, keeps them resident for the next queries: they are
only given back when the pool (80% of RAM by default) is full. So the server's RSS grows to the
largest number of pages ever in use at once, which is set by how many queries run at once
(~3 pages each) and how many results are open (1 page each). Hence at most ``max_running``
queries (a :class:`~asyncbolt.tools.backends.ladybug.graph.LadybugGraph` option, default 16)
execute in Ladybug at once, database-wide (the others wait their turn; transaction statements
never wait), and a result is closed as soon as its last row is read, not when the client has
pulled it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Callable
from typing import Any, NamedTuple

from asyncbolt.tools.backends.ladybug.counters import census, stats
from asyncbolt.tools.backends.ladybug.graph import LadybugGraph
from asyncbolt.tools.backends.ladybug.params import UNTYPED
from asyncbolt.tools.backends.ladybug.values import converters

__all__ = ["LadybugWorker", "Execution", "BATCH"]

log = logging.getLogger(__name__)

#: Rows fetched (and converted) per trip to the worker thread.
BATCH = 500


class Execution(NamedTuple):
    """A query just executed: Ladybug's result, its columns, and its first rows."""

    result: Any
    fields: list[str]
    converters: list[Callable[[Any], Any]]
    rows: list[list[Any]]
    done: bool  # rows are all of them (and result is closed)
    stats: dict[str, Any] | None = None  # a counted write's update counters (Bolt's "stats")


class LadybugWorker:
    """The Ladybug connection of one :class:`~asyncbolt.tools.backends.ladybug.session.LadybugSession`
    and its worker thread (both made on first use). Methods marked "(worker thread)" run there,
    through :meth:`call`."""

    def __init__(self, graph: LadybugGraph) -> None:
        self.graph = graph
        self.conn: Any = None
        self.executor: concurrent.futures.ThreadPoolExecutor | None = None
        self.timeout_ms = 0  # the query timeout set on the Ladybug connection
        self.cancels = 0  # calls cancelled so far: a query queued before one is not run
        self.open_results = 0  # Ladybug results of this connection not closed yet

    async def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(*args)`` on the worker thread; interrupt Ladybug if cancelled."""
        if self.executor is None:
            self.executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="ladybug")
        future = asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            self.cancels += 1
            if self.conn is not None:
                try:
                    self.conn.interrupt()
                except Exception:  # pragma: no cover
                    pass
            raise

    def connection(self) -> Any:
        if self.conn is None:
            self.conn = self.graph.connect()
        return self.conn

    async def query(self, query: str, parameters: dict[str, Any], timeout_ms: int,
                    count: bool = False, retry: tuple[str, dict[str, Any]] | None = None) -> Execution:
        """Run a query on the worker thread, in one of the graph's ``max_running`` slots;
        ``count``: a write that holds the writer lock, whose update counters are counted
        (:mod:`~asyncbolt.tools.backends.ladybug.counters`); ``retry``: the query and parameters
        to run instead when LadybugDB cannot type a parameter (see
        :func:`~asyncbolt.tools.backends.ladybug.params.prepare_parameters`; auto-commit only: in
        a transaction the failure has rolled it back)."""
        return await self.call(self._execute, query, parameters, timeout_ms, self.cancels, count, retry)

    def _execute(self, query: str, parameters: dict[str, Any], timeout_ms: int, cancels: int,
                 count: bool = False, retry: tuple[str, dict[str, Any]] | None = None) -> Any:
        """(worker thread) Execute once the graph has a slot free, unless the call was
        cancelled meanwhile (Ladybug's interrupt() reaches only a query already running)."""
        return self.graph.run_query(lambda: self._execute_now(query, parameters, timeout_ms, count, retry),
                                    lambda: self.cancels == cancels)

    def _execute_now(self, query: str, parameters: dict[str, Any], timeout_ms: int,
                     count: bool = False, retry: tuple[str, dict[str, Any]] | None = None) -> Execution:
        """(worker thread) Execute, and fetch the first BATCH rows at once: a result of no more
        rows is closed before the client even pulls (an open one holds a buffer-pool page)."""
        conn = self.connection()
        if timeout_ms != self.timeout_ms:
            conn.set_query_timeout(timeout_ms)
            self.timeout_ms = timeout_ms
        before = census(conn) if count else None
        try:
            try:
                result = conn.execute(query, parameters)
            except RuntimeError as exc:
                if retry is None or not UNTYPED.search(str(exc)):
                    raise
                self._forget_statements()
                result = conn.execute(*retry)
        except BaseException:
            self._forget_statements()
            raise
        if isinstance(result, list):  # several statements: the last one answers
            for earlier in result[:-1]:
                earlier.close()
            result = result[-1]
        self.open_results += 1
        changes = stats(before, census(conn)) if count else None
        try:
            convert = converters(result.get_column_data_types())
            fields = result.get_column_names()
            rows, done = self.fetch(result, convert)
        except Exception:
            self.close_result(result)
            raise
        return Execution(result, fields, convert, rows, done, changes)

    def close_result(self, result: Any) -> None:
        """(worker thread) Close a query's result, and forget prepared statements once none is
        open."""
        if not result.is_closed:
            result.close()
            self.open_results -= 1
        self._forget_statements()

    def _forget_statements(self) -> None:
        """(worker thread) Drop the prepared statements that Ladybug's Python binding caches
        for every query text run with parameters, unless a result is still open.

        That cache has no bound (one entry per distinct query text and parameter types, for
        the connection's life), and an entry can hold a 256 KiB page of the buffer pool: 600
        distinct parameterized UNWIND queries on one connection kept 155 MiB resident, and
        200 connections at once with two such queries each left 49 MiB more resident after
        every round (LadybugDB 0.22.0). Preparing again costs ~0.25 ms a query."""
        if self.open_results or self.conn is None:
            return
        cache = getattr(self.conn, "_pybind_implicit_prepared_cache", None)
        if not cache:
            return
        statements = list(cache.values())
        cache.clear()
        for statement in statements:  # C-API statements must be closed; pybind ones need not
            close = getattr(statement, "close", None)
            if callable(close):
                try:
                    close()
                except Exception:  # pragma: no cover - best effort
                    log.debug("closing a prepared statement failed", exc_info=True)

    def statement(self, statement: str) -> None:
        """(worker thread) A transaction statement; its result is empty."""
        self.connection().execute(statement).close()

    def fetch(self, result: Any, converters: list[Callable[[Any], Any]]) -> tuple[list[list[Any]], bool]:
        """(worker thread) Up to BATCH converted rows, and whether they are the last ones; after
        the last, the result is closed at once (it holds a page of Ladybug's buffer pool)."""
        rows: list[list[Any]] = []
        has_next, get_next = result.has_next, result.get_next
        while len(rows) < BATCH and has_next():
            row = get_next()
            rows.append([conv(v) for conv, v in zip(converters, row, strict=False)])
        self.graph.rows_fetched += len(rows)
        done = not has_next()
        if done:
            self.close_result(result)
        return rows, done

    def replace_connection(self) -> None:
        """(worker thread) Close the Ladybug connection; the next query opens a new one."""
        if self.conn is not None:
            self.graph.disconnect(self.conn)
            self.conn = None
            self.timeout_ms = 0
            self.open_results = 0

    def discard_connection(self) -> None:
        """(worker thread) Roll back whatever the connection has open and replace it."""
        if self.conn is not None:
            try:
                self.conn.execute("ROLLBACK").close()
            except Exception:
                pass
        self.replace_connection()

    def after_work(self, fn: Callable[[], Any]) -> None:
        """Run ``fn`` on the worker thread after what is queued there (a cancelled call's
        Ladybug work goes on until it notices the interrupt)."""
        executor = self.executor
        if executor is not None:
            try:
                executor.submit(fn)
                return
            except RuntimeError:  # shut down
                pass
        fn()

    def shutdown(self) -> None:
        """Give the connection back (unless the graph is closed already) and end the thread."""
        executor, self.executor = self.executor, None
        if executor is not None:
            if not self.graph.closed:
                executor.submit(self.replace_connection)
            executor.shutdown(wait=False)
