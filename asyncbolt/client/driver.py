"""The driver: pooled connections, ``neo4j://`` cluster routing, sessions, retried transactions.

    driver = asyncbolt.Driver("neo4j://127.0.0.1:7687", auth=("neo4j", "pw"), max_pool_size=100)
    async with driver.session(db="neo4j", default_access_mode="r") as session:
        result = await session.run("MATCH (p:Person) RETURN p.name AS name")
        names = await result.values()
    total = await driver.execute_read(count_people, "Ada")     # count_people(tx, name)
    await driver.close()

``bolt://`` URIs talk to one server through one pool; ``neo4j://`` ones route across a cluster
(see :mod:`asyncbolt.client.routing`). Sessions borrow a connection for each piece of work and give it
back as soon as the server is done with it (a result's summary arrived, a transaction ended).
Bookmarks flow through the driver's :class:`BookmarkManager`, so a session sees what any earlier
session of the driver wrote (causal consistency), even on another cluster member.
``execute_read``/``execute_write`` retry their function on transient failures with exponential
back-off and jitter.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import Any

from asyncbolt._generated.versions import has
from asyncbolt.client.connection import (
    AUTO,
    DEFAULT_FETCH_SIZE,
    DEFAULT_MAX_BUFFERED_BYTES,
    DEFAULT_MAX_BUFFERED_RECORDS,
    TELEMETRY_AUTO_COMMIT,
    TELEMETRY_MANAGED_TX,
    TELEMETRY_UNMANAGED_TX,
    USER_AGENT,
    Connection,
    IncompleteCommit,
    RequestIgnored,
    Result,
    ResultConsumedError,
    ResultFailedError,
    TransactionError,
    _open_connection,
    _ssl_for,
    _Stream,
    parse_uri,
)
from asyncbolt.client.connection import Transaction as _ConnectionTransaction
from asyncbolt.client.pool import Pool
from asyncbolt.client.routing import WRITER_GONE_CODES, Address, Router, SessionExpired
from asyncbolt.codec.packstream import DEFAULT_MAX_DECODED_VALUES, DEFAULT_MAX_DEPTH
from asyncbolt.core.server import DEFAULT_MAX_MESSAGE_SIZE
from asyncbolt.errors import BoltError, ClientError, Neo4jError, ServiceUnavailable, TransientError
from asyncbolt.security import redact_uri

__all__ = ["Driver", "Session", "BookmarkManager", "SessionTransaction", "ManagedTransaction",
           "IncompleteCommit", "ResultConsumedError", "ResultFailedError", "TransactionError",
           "is_retryable", "unit_of_work"]

log = logging.getLogger(__name__)

#: Transient codes the official drivers do not retry (reclassified as client errors in Neo4j 5).
_NOT_RETRYABLE = frozenset({
    "Neo.TransientError.Transaction.Terminated",
    "Neo.TransientError.Transaction.LockClientStopped",
})
_AUTHORIZATION_EXPIRED = "Neo.ClientError.Security.AuthorizationExpired"

_sleep = asyncio.sleep  # the retry back-off waits with this (tests may replace it)


_DEFAULT_TIMEOUT: Any = object()  # "the driver's connection_acquisition_timeout"

def is_retryable(error: BaseException) -> bool:
    """Whether a unit of work that failed with ``error`` may succeed if run again.

    Yes for ``TransientError`` (but not ``Transaction.Terminated``/``LockClientStopped``, which the
    official drivers treat as client errors), ``ServiceUnavailable`` (a server went away; not
    ``IncompleteCommit``), a write refused by a server that is not the leader (``NotALeader``,
    ``ForbiddenOnReadOnlyDatabase``) and an expired authorization. Never for other client errors
    or database errors. A ``RequestIgnored``, ``TransactionError`` or ``ResultFailedError`` is
    judged by the failure that caused it.
    """
    seen = 0
    while (isinstance(error, (RequestIgnored, TransactionError, ResultFailedError))
           and error.__cause__ is not None and seen < 10):
        error, seen = error.__cause__, seen + 1
    if isinstance(error, IncompleteCommit):
        return False
    if isinstance(error, ServiceUnavailable):
        return True
    if isinstance(error, Neo4jError):
        code = error.code
        if code in _NOT_RETRYABLE:
            return False
        if code in WRITER_GONE_CODES or code == _AUTHORIZATION_EXPIRED:
            return True
        return isinstance(error, TransientError) or error.classification == "TRANSIENT_ERROR"
    return False


def retry_delays(initial: float = 1.0, multiplier: float = 2.0, jitter: float = 0.2,
                 rng: Callable[[], float] = random.random) -> Iterator[float]:
    """``initial``, ``initial * multiplier``, ... each moved by up to ``±jitter`` of itself."""
    delay = initial
    while True:
        spread = jitter * delay
        yield delay - spread + 2 * spread * rng()
        delay *= multiplier


def unit_of_work(metadata: dict[str, Any] | None = None, timeout: float | None = None) -> Callable:
    """Decorate a transaction function with the transaction's ``metadata`` and ``timeout``
    (seconds), as the official driver's ``unit_of_work`` does."""
    def wrap(fn: Callable) -> Callable:
        # Attributes on the user's function, as the official driver's decorator sets them.
        fn.metadata = metadata  # type: ignore[attr-defined]
        fn.timeout = timeout  # type: ignore[attr-defined]
        return fn
    return wrap


# -------------------------------------------------------------------------------------------
# Bookmarks


class BookmarkManager:
    """The bookmarks that sessions of one driver share, for causal consistency: each transaction
    waits for everything the manager knows, and its own bookmark replaces the ones it waited
    for. As the official driver's ``bookmark_manager``: ``initial_bookmarks``; a
    ``bookmarks_supplier()`` whose bookmarks are added to every ``get_bookmarks``; a
    ``bookmarks_consumer(bookmarks)`` told of every change. Both may be coroutines."""

    def __init__(self, initial_bookmarks: Iterable[str] | None = None,
                 bookmarks_supplier: Callable[[], Any] | None = None,
                 bookmarks_consumer: Callable[[list[str]], Any] | None = None) -> None:
        self._bookmarks: set[str] = set(initial_bookmarks or ())
        self._supplier = bookmarks_supplier
        self._consumer = bookmarks_consumer

    async def get_bookmarks(self) -> set[str]:
        marks = set(self._bookmarks)
        if self._supplier is not None:
            extra = self._supplier()
            if inspect.isawaitable(extra):
                extra = await extra
            marks.update(extra or ())
        return marks

    async def update_bookmarks(self, previous_bookmarks: Iterable[str],
                               new_bookmarks: Iterable[str]) -> None:
        new = [b for b in new_bookmarks if b]
        if not new:
            return
        self._bookmarks.difference_update(previous_bookmarks)
        self._bookmarks.update(new)
        if self._consumer is not None:
            done = self._consumer(sorted(self._bookmarks))
            if inspect.isawaitable(done):
                await done

    def __repr__(self) -> str:
        return f"<BookmarkManager {sorted(self._bookmarks)!r}>"


# -------------------------------------------------------------------------------------------
# Transactions


async def _forget(tx: _ConnectionTransaction) -> None:
    """A transaction whose BEGIN failed: end it on its connection (nothing is sent)."""
    try:
        await tx.rollback()
    except BoltError as exc:
        log.debug("ending a transaction whose BEGIN failed: %s", exc)


class _TransactionBase:
    def __init__(self, session: Session, conn: Connection, tx: _ConnectionTransaction) -> None:
        self._session = session
        self._conn = conn
        self._tx = tx

    async def run(self, query: str, parameters: dict[str, Any] | None = None, *,
                  fetch_size: int | None = None, **kwparameters: Any) -> Result:
        """Run a query in the transaction; the Result streams as :meth:`Connection.run`'s.

        As the official drivers, RUN goes out with its first PULL and this waits for RUN's
        answer: a query the server refuses raises here (a ``ClientError``), not later. When the
        connection broke, this raises ServiceUnavailable, and any later use of the transaction
        a ``TransactionError`` caused by it: the transaction is over."""
        try:
            result = await self._tx.run(query, parameters, fetch_size=fetch_size, **kwparameters)
            await result.keys()
        except ServiceUnavailable as exc:
            if self._conn.closed and self._tx._failed is None:
                self._tx._failed = exc
            raise
        return result


class ManagedTransaction(_TransactionBase):
    """What a transaction function gets: ``await tx.run(...)``. The session commits when the
    function returns and rolls back when it raises."""


class SessionTransaction(_TransactionBase):
    """An explicit transaction (:meth:`Session.begin_transaction`): ``run``, ``commit``,
    ``rollback``, ``close``. ``async with`` commits on a clean exit, rolls back on an exception.
    Its connection goes back to the pool when it ends."""

    def __init__(self, session: Session, conn: Connection, tx: _ConnectionTransaction,
                 bookmarks: list[str]) -> None:
        super().__init__(session, conn, tx)
        self._bookmarks = bookmarks
        self._closed = False

    def closed(self) -> bool:
        return self._closed

    async def commit(self) -> str | None:
        """Commit; returns the bookmark."""
        if self._closed:
            raise ClientError("Neo.ClientError.Transaction.TransactionNotFound",
                              "the transaction is already closed")
        self._closed = True
        try:
            bookmark = await self._tx.commit()
        finally:
            await self._session._transaction_ended(self)
        await self._session._new_bookmark(self._bookmarks, bookmark)
        return bookmark

    async def rollback(self) -> None:
        """Roll back (nothing is sent when the transaction already failed). After a commit,
        rollback or close it raises, as ``commit`` does (as the official drivers)."""
        if self._closed:
            raise ClientError("Neo.ClientError.Transaction.TransactionNotFound",
                              "the transaction is already closed")
        self._closed = True
        try:
            await self._tx.rollback()
        finally:
            await self._session._transaction_ended(self)

    async def close(self) -> None:
        """Roll back unless it already ended; a rollback the server fails raises, as the
        official drivers (the transaction is over either way)."""
        if not self._closed:
            await self.rollback()

    async def __aenter__(self) -> SessionTransaction:
        return self

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self._closed:
            return
        if exc_type is None:
            await self.commit()
        else:
            try:
                await self.close()
            except BoltError as error:  # the block's own exception is the one to see
                log.debug("rollback after a failed block failed: %s", error)


# -------------------------------------------------------------------------------------------
# Sessions

_READ_MODES = ("r", "READ", "read")
_WRITE_MODES = ("w", "WRITE", "write")


def _readonly(mode: str) -> bool:
    if mode in _READ_MODES:
        return True
    if mode in _WRITE_MODES:
        return False
    raise ValueError(f"access mode must be 'r' or 'w' (or 'READ'/'WRITE'), not {mode!r}")


class Session:
    """A causally chained sequence of work against one database. Make it with
    :meth:`Driver.session`; use it in one task at a time.

    A session holds no connection while idle: ``run`` borrows one for its result and gives it
    back when the server is done with it (the summary arrived) or the session closes;
    ``begin_transaction`` and ``execute_read``/``execute_write`` hold one for the transaction.
    """

    def __init__(self, driver: Driver, *, db: str | None, default_access_mode: str,
                 bookmarks: Iterable[str] | None, bookmark_manager: Any, fetch_size: int | None,
                 imp_user: str | None) -> None:
        self._driver = driver
        self._db = db
        #: Whether ``_db`` is what the session's work names: with routing, a session without a
        #: database learns its home database's name before its first work (then pinned).
        self._db_known = db is not None or not driver.routing
        self._readonly = _readonly(default_access_mode)
        self._bookmarks: list[str] = list(bookmarks or ())
        self._manager = bookmark_manager
        self._fetch_size = fetch_size
        self._imp_user = imp_user
        self._conn: Connection | None = None
        self._streams: list[_Stream] = []  # auto-commit results the server still holds
        self._tx: SessionTransaction | None = None
        self._busy = False
        self._tasks: set[asyncio.Task] = set()
        self._closed = False

    # -- bookkeeping ----------------------------------------------------------------------------

    async def _get_bookmarks(self) -> list[str]:
        marks = set(self._bookmarks)
        if self._manager is not None:
            marks.update(await self._manager.get_bookmarks())
        return sorted(marks)

    async def _new_bookmark(self, previous: list[str], bookmark: str | None) -> None:
        if not bookmark:
            return
        self._bookmarks = [bookmark]
        if self._manager is not None:
            await self._manager.update_bookmarks(previous, [bookmark])

    def _spawn(self, work: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("session background work failed: %r", task.exception())

    async def _settle_tasks(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _result_done(self, sent: list[str], stream: _Stream) -> None:
        """A result's summary (or failure) arrived: note its bookmark; give back the connection
        if nothing else needs it. Runs inside the connection's read callback: nothing waits."""
        try:
            self._streams.remove(stream)
        except ValueError:
            pass
        bookmark = stream.pull_meta.get("bookmark") if stream.error is None else None
        if bookmark:
            self._bookmarks = [bookmark]
            if self._manager is not None:
                self._spawn(self._manager.update_bookmarks(sent, [bookmark]))
        self._maybe_release()

    def _maybe_release(self) -> None:
        if self._busy or self._tx is not None or self._conn is None or self._streams:
            return
        conn, self._conn = self._conn, None
        self._spawn(self._driver._pool.release(conn))

    async def _detach(self) -> None:
        """Before a transaction: the open auto-commit results are fetched into their buffers
        (they stay readable) and the connection goes back."""
        conn = self._conn
        if conn is not None:
            for stream in list(self._streams):
                await conn._finish_stream(stream)
            self._maybe_release()
        await self._settle_tasks()

    def _check(self) -> None:
        if self._closed:
            raise ClientError("Neo.ClientError.Request.Invalid", "the session is closed")
        self._driver._check_open()
        tx = self._tx
        if tx is not None and tx._conn.closed:
            # Its connection broke: the transaction is over (as the official drivers' sessions
            # forget it); the connection goes back to the pool, which drops it.
            tx._closed = True
            self._tx = None
            conn, self._conn = self._conn, None
            if conn is not None:
                self._spawn(self._driver._pool.release(conn))
        if self._tx is not None:
            raise ClientError("Neo.ClientError.Request.Invalid",
                              "an explicit transaction is open in this session: use tx.run(), or "
                              "commit/roll it back first")

    async def _acquire(self, readonly: bool, marks: list[str],
                       timeout: Any = _DEFAULT_TIMEOUT) -> Connection:
        """A connection for the session's database; the first time, with routing and no
        database given, the routers name the home database first (as the official drivers: its
        name then goes in BEGIN/RUN and picks the routing table for the rest of the session)."""
        if not self._db_known:
            self._db = await self._driver._home_database(marks, self._imp_user, timeout)
            self._db_known = True
        return await self._driver._acquire(readonly, self._db, marks, self._imp_user, timeout)

    @staticmethod
    def _options(conn: Connection, readonly: bool, marks: list[str]) -> dict[str, Any]:
        """Access mode and bookmarks as the connection's version takes them (none before 3.0)."""
        if not has("tx_extra", conn.negotiated_version):
            return {}
        return {"mode": "r" if readonly else "w", "bookmarks": marks}

    # -- auto-commit ----------------------------------------------------------------------------

    async def run(self, query: str, parameters: dict[str, Any] | None = None, *,
                  timeout: float | None = None, metadata: dict[str, Any] | None = None,
                  fetch_size: int | None = None, **kwparameters: Any) -> Result:
        """Run an auto-commit query on a server for the session's access mode. Not retried."""
        self._check()
        await self._settle_tasks()
        self._busy = True
        try:
            marks = await self._get_bookmarks()
            conn = self._conn
            if conn is None or conn.closed:
                if conn is not None:
                    self._conn = None
                    await self._driver._pool.release(conn)
                conn = await self._acquire(self._readonly, marks)
                self._conn = conn
            result = await conn.run(query, parameters, db=self._db, timeout=timeout,
                                    metadata=metadata, imp_user=self._imp_user,
                                    fetch_size=fetch_size or self._fetch_size,
                                    telemetry=self._driver._telemetry(TELEMETRY_AUTO_COMMIT),
                                    **self._options(conn, self._readonly, marks), **kwparameters)
            stream = result._s
            self._streams.append(stream)
            stream.on_done = functools.partial(self._result_done, marks)
            return result
        finally:
            self._busy = False
            self._maybe_release()

    # -- explicit transactions ------------------------------------------------------------------

    async def begin_transaction(self, timeout: float | None = None,
                                metadata: dict[str, Any] | None = None) -> SessionTransaction:
        """Begin an explicit transaction on a server for the session's access mode."""
        self._check()
        await self._detach()
        marks = await self._get_bookmarks()
        conn = await self._acquire(self._readonly, marks)
        self._conn = conn
        inner = None
        try:
            inner = conn.begin(db=self._db, timeout=timeout, metadata=metadata,
                               imp_user=self._imp_user, fetch_size=self._fetch_size,
                               telemetry=self._driver._telemetry(TELEMETRY_UNMANAGED_TX),
                               **self._options(conn, self._readonly, marks))
            await inner  # BEGIN goes out now and its failure is raised here (eager, as the drivers)
        except BaseException as exc:
            self._conn = None
            if isinstance(exc, asyncio.CancelledError):
                self._driver._pool.kill(conn)
            elif inner is not None:
                await _forget(inner)
            await self._driver._pool.release(conn)
            raise
        self._tx = SessionTransaction(self, conn, inner, marks)
        return self._tx

    async def _transaction_ended(self, tx: SessionTransaction) -> None:
        if self._tx is tx:
            self._tx = None
            conn, self._conn = self._conn, None
            if conn is not None:
                await self._driver._pool.release(conn)

    # -- transaction functions ------------------------------------------------------------------

    async def execute_read(self, transaction_function: Callable[..., Awaitable[Any]], *args: Any,
                           **kwargs: Any) -> Any:
        """``await transaction_function(tx, *args, **kwargs)`` in a read transaction on a reader,
        committed when it returns, rolled back when it raises, and run again (with back-off) after
        a transient failure, until the driver's ``max_retry_time``."""
        return await self._run_transaction(True, transaction_function, args, kwargs)

    async def execute_write(self, transaction_function: Callable[..., Awaitable[Any]], *args: Any,
                            **kwargs: Any) -> Any:
        """As :meth:`execute_read`, in a write transaction on the writer."""
        return await self._run_transaction(False, transaction_function, args, kwargs)

    async def _run_transaction(self, readonly: bool, fn: Callable[..., Awaitable[Any]],
                               args: tuple, kwargs: dict) -> Any:
        self._check()
        if not callable(fn):
            raise TypeError("the transaction function must be callable")
        driver = self._driver
        delays = retry_delays(driver.initial_retry_delay, driver.retry_delay_multiplier,
                              driver.retry_delay_jitter)
        errors: list[BaseException] = []
        started: float | None = None
        # The first attempt may take connection_acquisition_timeout to get a connection; once
        # one failed, everything after (waits, acquisitions) fits in max_retry_time from that
        # failure. So with no server answering, the total is at most the sum of the two.
        acquire_timeout = driver._acquisition_timeout
        # As the official drivers: TELEMETRY goes with each attempt until the server took it.
        telemetry: list[int | None] = [driver._telemetry(TELEMETRY_MANAGED_TX)]
        while True:
            try:
                return await self._attempt(readonly, fn, args, kwargs, acquire_timeout, telemetry)
            except Exception as exc:
                if not is_retryable(exc):
                    raise
                errors.append(exc)
            now = time.monotonic()
            if started is None:
                started = now  # as the official drivers: the clock starts at the first failure
            left = started + driver.max_retry_time - now
            delay = next(delays)
            if left <= 0 or delay >= left:
                log.info("transaction failed (%s); giving up after %d attempt(s), %.1fs of retries",
                         errors[-1], len(errors), now - started)
                raise errors[-1]
            log.info("transaction failed (%s); retrying in %.3fs", errors[-1], delay)
            await _sleep(delay)
            left -= delay
            acquire_timeout = left if driver._acquisition_timeout is None else min(
                left, driver._acquisition_timeout)

    async def _attempt(self, readonly: bool, fn: Callable[..., Awaitable[Any]], args: tuple,
                       kwargs: dict, acquire_timeout: Any = _DEFAULT_TIMEOUT,
                       telemetry: list[int | None] | None = None) -> Any:
        self._check()
        await self._detach()
        marks = await self._get_bookmarks()
        pool = self._driver._pool
        conn = await self._acquire(readonly, marks, acquire_timeout)
        self._conn = conn
        self._busy = True
        try:
            def telemetry_taken(meta: dict) -> None:
                if telemetry is not None:
                    telemetry[0] = None  # the server has it: later attempts send none

            tx = conn.begin(db=self._db, timeout=getattr(fn, "timeout", None),
                            metadata=getattr(fn, "metadata", None), imp_user=self._imp_user,
                            fetch_size=self._fetch_size,
                            telemetry=None if telemetry is None else telemetry[0],
                            on_telemetry=telemetry_taken, **self._options(conn, readonly, marks))
            try:
                # Eager BEGIN, as the official drivers: its failure is raised before the
                # function runs (a ServiceUnavailable or transient one is retried).
                await tx
            except asyncio.CancelledError:
                pool.kill(conn)
                raise
            except BaseException:
                await _forget(tx)
                raise
            try:
                value = await fn(ManagedTransaction(self, conn, tx), *args, **kwargs)
            except asyncio.CancelledError:
                pool.kill(conn)
                raise
            except BaseException:
                try:
                    await tx.rollback()
                except BoltError as exc:
                    log.debug("rollback after a failed transaction function failed: %s", exc)
                raise
            try:
                bookmark = await tx.commit()
            except IncompleteCommit as exc:
                if readonly:  # a read has nothing to apply twice: retried as a lost connection
                    raise ServiceUnavailable(str(exc)) from exc
                raise
            await self._new_bookmark(marks, bookmark)
            return value
        finally:
            self._busy = False
            self._conn = None
            await pool.release(conn)

    # -- the rest -------------------------------------------------------------------------------

    async def last_bookmarks(self) -> list[str]:
        """The bookmarks of the session's last transaction (its initial ones before any): hand
        them to another driver's session to read what this one wrote. Waits for the last
        result's summary."""
        conn = self._conn
        if conn is not None:
            for stream in list(self._streams):
                await conn._finish_stream(stream)
        await self._settle_tasks()
        return list(self._bookmarks)

    async def close(self) -> None:
        """Roll back an open transaction, discard what results still hold on the server (reading
        them then raises ResultConsumedError after their buffered records) and give the
        connection back."""
        if self._closed:
            return
        try:
            if self._tx is not None:
                await self._tx.close()
            conn = self._conn
            if conn is not None:
                for stream in list(self._streams):
                    try:
                        await conn._finish_stream(stream, discard=True)
                    except BoltError:
                        pass
                    if stream.error is None:
                        stream.error = ResultConsumedError(
                            f"the session closed before the result of {stream.query!r} was consumed")
                self._streams.clear()
                self._maybe_release()
            await self._settle_tasks()
        finally:
            self._closed = True
            conn, self._conn = self._conn, None
            if conn is not None:  # e.g. cancelled half-way
                self._driver._pool.kill(conn)
                await self._driver._pool.release(conn)

    @property
    def closed(self) -> bool:
        return self._closed

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    def __repr__(self) -> str:
        mode = "r" if self._readonly else "w"
        return f"<Session db={self._db!r} mode={mode} bookmarks={self._bookmarks!r}>"


# -------------------------------------------------------------------------------------------
# The driver

_DRIVER_MANAGER: Any = object()


class Driver:
    """Pooled, routed access to a Neo4j server or cluster (or anything speaking Bolt).

    ``uri``: ``bolt://host:port`` (one server; ``bolt+s``, ``bolt+ssc`` for TLS) or
    ``neo4j://host:port?policy=x`` (a cluster, routed; ``neo4j+s``, ``neo4j+ssc``; the query is
    the routing context). ``auth``: as :func:`asyncbolt.connect`.

    Pool: ``max_pool_size`` connections per server; ``connection_acquisition_timeout`` seconds
    to get one (then :class:`~asyncbolt.client.pool.ConnectionAcquisitionTimeout`);
    ``connection_timeout`` to open one; ``liveness_check_timeout``: connections idle longer are
    checked with RESET before reuse (None: never); ``max_connection_lifetime``.

    Routing: ``resolver(address)`` maps the URI's address to the initial routers (each then
    resolved by DNS).

    Retries (``execute_read``/``execute_write``): up to ``max_retry_time`` seconds after the first
    failure, waiting ``initial_retry_delay``, then ``× retry_delay_multiplier`` each time, each
    wait moved by up to ``± retry_delay_jitter`` of itself.

    ``telemetry_disabled``: never send TELEMETRY (Bolt 5.4+: which API ran each piece of
    work, sent only to servers whose HELLO asks for it with the ``telemetry.enabled`` hint).

    ``bookmark_manager``: shared by the sessions (default: a new :class:`BookmarkManager`, also
    :attr:`bookmark_manager`); ``None`` makes sessions chain only their own bookmarks.
    ``ssl``, ``user_agent``, ``fetch_size``, ``versions`` and the limits ``max_message_size``,
    ``max_chunks``, ``max_depth``, ``max_decoded_values``, ``max_buffered_records``, ``max_buffered_bytes``,
    ``read_timeout``, ``server_agent_prefix``: as :func:`asyncbolt.connect`.
    """

    def __init__(self, uri: str, auth: Any = None, *, max_pool_size: int | None = 100,
                 connection_acquisition_timeout: float | None = 60.0,
                 connection_timeout: float | None = 30.0,
                 liveness_check_timeout: float | None = None,
                 max_connection_lifetime: float | None = 3600.0,
                 max_retry_time: float = 30.0, initial_retry_delay: float = 1.0,
                 retry_delay_multiplier: float = 2.0, retry_delay_jitter: float = 0.2,
                 resolver: Callable[[Address], Any] | None = None,
                 bookmark_manager: Any = _DRIVER_MANAGER, ssl: Any = None,
                 user_agent: str = USER_AGENT, fetch_size: int = DEFAULT_FETCH_SIZE,
                 versions: Iterable[tuple[int, int]] | None = None,
                 max_message_size: int | None = DEFAULT_MAX_MESSAGE_SIZE,
                 max_chunks: int | None = None, max_depth: int = DEFAULT_MAX_DEPTH,
                 max_buffered_records: int = DEFAULT_MAX_BUFFERED_RECORDS,
                 max_buffered_bytes: int | None = DEFAULT_MAX_BUFFERED_BYTES,
                 read_timeout: float | str | None = AUTO,
                 max_decoded_values: int | None = DEFAULT_MAX_DECODED_VALUES,
                 server_agent_prefix: str | None = None,
                 telemetry_disabled: bool = False) -> None:
        scheme, host, port, query = parse_uri(uri)
        if scheme == "tcp":
            raise ValueError("Driver takes bolt:// or neo4j:// URIs (tcp:// is the seed API's)")
        if auth is None and "_user" in query:
            auth = (query["_user"], query["_password"])
        context = {k: v for k, v in query.items() if not k.startswith("_")}
        self.routing = scheme.startswith("neo4j")
        if self.routing:
            if "address" in context:
                raise ValueError("'address' is reserved in the routing context: the driver sets it")
            context["address"] = str(Address(host, port))
        elif context:
            raise ValueError(f"routing context parameters ({', '.join(context)}) need a neo4j:// "
                             f"URI, not {redact_uri(uri)}")
        #: The URI as given, with the password of a ``user:password@`` redacted (reprs, logs).
        self.uri = redact_uri(uri)
        self.address = Address(host, port)
        self.max_retry_time = max_retry_time
        self.initial_retry_delay = initial_retry_delay
        self.retry_delay_multiplier = retry_delay_multiplier
        self.retry_delay_jitter = retry_delay_jitter
        self.bookmark_manager = BookmarkManager() if bookmark_manager is _DRIVER_MANAGER else bookmark_manager
        self._scheme = scheme
        self._auth = auth
        self._ssl = _ssl_for(scheme, ssl)
        self._user_agent = user_agent
        self._fetch_size = fetch_size
        self._versions = None if versions is None else [tuple(v) for v in versions]
        self._limits = {"max_message_size": max_message_size, "max_chunks": max_chunks,
                        "max_depth": max_depth, "max_buffered_records": max_buffered_records,
                        "max_buffered_bytes": max_buffered_bytes, "read_timeout": read_timeout,
                        "max_decoded_values": max_decoded_values,
                        "server_agent_prefix": server_agent_prefix}
        self._context = context if self.routing else None
        self._acquisition_timeout = connection_acquisition_timeout
        self.telemetry_disabled = telemetry_disabled
        self._pool = Pool(self._open, max_size=max_pool_size,
                          acquisition_timeout=connection_acquisition_timeout,
                          connection_timeout=connection_timeout,
                          liveness_check_timeout=liveness_check_timeout,
                          max_lifetime=max_connection_lifetime, on_error=self._on_error)
        self._router = (Router(self._pool, self.address, context, resolver=resolver)
                        if self.routing else None)
        self._closed = False

    @property
    def pool(self) -> Pool:
        return self._pool

    @property
    def router(self) -> Router | None:
        """The routing tables (``neo4j://`` only)."""
        return self._router

    async def _open(self, address: Address, timeout: float | None) -> Connection:
        hostname = self._router.hostnames.get(address) if self._router is not None else None
        conn = await _open_connection(self._scheme, address.host, address.port, {}, auth=self._auth,
                                      ssl=self._ssl, user_agent=self._user_agent,
                                      fetch_size=self._fetch_size, versions=self._versions,
                                      timeout=timeout, routing=self._context,
                                      server_hostname=hostname, limits=self._limits,
                                      connect_timeout=self._pool.connection_timeout)
        if self._router is not None:
            # A cluster member lost mid-work: the work may go on elsewhere (the official drivers'
            # SessionExpired; retried by execute_read/execute_write like any ServiceUnavailable).
            conn.lost = SessionExpired
        return conn

    def _telemetry(self, api: int) -> int | None:
        """The TELEMETRY api to announce with a piece of work (None: telemetry disabled)."""
        return None if self.telemetry_disabled else api

    def _on_error(self, address: Address, error: BaseException, db: str | None) -> None:
        if self._router is not None:
            self._router.on_error(address, error, db)
        elif isinstance(error, ServiceUnavailable):
            self._pool.deactivate(address)
        elif isinstance(error, Neo4jError) and error.code == _AUTHORIZATION_EXPIRED:
            self._pool.mark_stale(address)

    async def _acquire(self, readonly: bool, db: str | None, bookmarks: list[str],
                       imp_user: str | None, timeout: Any = _DEFAULT_TIMEOUT,
                       **pool_options: Any) -> Connection:
        """A connection within ``timeout`` (default: connection_acquisition_timeout), routing
        table refresh included; ``pool_options`` for :meth:`Pool.acquire`."""
        self._check_open()
        if timeout is _DEFAULT_TIMEOUT:
            timeout = self._acquisition_timeout
        if self._router is not None:
            return await self._router.acquire(readonly, db, bookmarks, imp_user, timeout,
                                              **pool_options)
        return await self._pool.acquire(self.address, timeout, db=db, **pool_options)

    async def _home_database(self, bookmarks: list[str], imp_user: str | None,
                             timeout: Any = _DEFAULT_TIMEOUT) -> str | None:
        """The home database's name, as the routers answer it now (None: not named, or no
        routing)."""
        self._check_open()
        if self._router is None:
            return None
        if timeout is _DEFAULT_TIMEOUT:
            timeout = self._acquisition_timeout
        return await self._router.home_database(bookmarks, imp_user, timeout)

    def _check_open(self) -> None:
        if self._closed:
            raise ServiceUnavailable("the driver is closed")

    def session(self, db: str | None = None, default_access_mode: str = "w", *,
                bookmarks: Iterable[str] | None = None, bookmark_manager: Any = _DRIVER_MANAGER,
                fetch_size: int | None = None, imp_user: str | None = None) -> Session:
        """A session on ``db`` (default: the server's home database). ``default_access_mode``:
        ``"r"`` (readers) or ``"w"`` (the writer), for ``run`` and ``begin_transaction``.
        ``bookmarks``: wait for these transactions first. ``bookmark_manager``: default the
        driver's; None: none. ``imp_user``: run as this user (Bolt 4.4+)."""
        self._check_open()
        manager = self.bookmark_manager if bookmark_manager is _DRIVER_MANAGER else bookmark_manager
        return Session(self, db=db, default_access_mode=default_access_mode, bookmarks=bookmarks,
                       bookmark_manager=manager, fetch_size=fetch_size, imp_user=imp_user)

    async def execute_read(self, transaction_function: Callable[..., Awaitable[Any]], *args: Any,
                           db_: str | None = None, **kwargs: Any) -> Any:
        """:meth:`Session.execute_read` in a session of its own on ``db_``."""
        async with self.session(db=db_, default_access_mode="r") as session:
            return await session.execute_read(transaction_function, *args, **kwargs)

    async def execute_write(self, transaction_function: Callable[..., Awaitable[Any]], *args: Any,
                            db_: str | None = None, **kwargs: Any) -> Any:
        """:meth:`Session.execute_write` in a session of its own on ``db_``."""
        async with self.session(db=db_) as session:
            return await session.execute_write(transaction_function, *args, **kwargs)

    async def verify_connectivity(self, db: str | None = None) -> None:
        """Reach a server or raise: for ``neo4j://``, a reader of ``db`` (default: the home
        database, asked of the routers as a new session does). A pooled connection is checked
        with RESET first, as the official drivers do."""
        conn = await self._reader(db, liveness_check_timeout=0)
        await self._pool.release(conn)

    async def supports_multi_db(self) -> bool:
        """Whether the server (for ``neo4j://``, a reader of the home database) has several
        databases, i.e. speaks Bolt 4.0+, as the official drivers' ``supports_multi_db``."""
        conn = await self._reader(None)
        try:
            return has("multi_db", conn.negotiated_version)
        finally:
            await self._pool.release(conn)

    async def _reader(self, db: str | None, **pool_options: Any) -> Connection:
        """A connection to a reader of ``db``, found as a new session's first work finds one."""
        if db is None:
            db = await self._home_database([], None)
        return await self._acquire(True, db, [], None, **pool_options)

    async def close(self) -> None:
        """Close every pooled connection (GOODBYE on each); the driver is unusable afterwards."""
        self._closed = True
        await self._pool.close()

    @property
    def closed(self) -> bool:
        return self._closed

    async def __aenter__(self) -> Driver:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"<Driver {self.uri!r} routing={self.routing}>"
