"""Sessions and their transactions: the work a :class:`~asyncbolt.client.driver.Driver` lends
connections to.

    async with driver.session(db="neo4j", default_access_mode="r") as session:
        result = await session.run("MATCH (p:Person) RETURN p.name AS name")      # auto-commit
        async with await session.begin_transaction() as tx:                       # explicit
            await tx.run("CREATE (:Person {name: $name})", name="Ada")
        total = await session.execute_read(count_people, "Ada")                   # retried

A :class:`Session` borrows a connection from the driver's pool for each piece of work and gives
it back as soon as the server is done with it (a result's summary arrived, a transaction ended);
its bookmarks chain its work, and the driver's :class:`~asyncbolt.client.driver.BookmarkManager`
chains the sessions. ``execute_read``/``execute_write`` run a transaction function and retry it
on transient failures (:func:`is_retryable`) with exponential back-off and jitter
(:func:`retry_delays`).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from asyncbolt._generated.versions import has
from asyncbolt.client.auth_managers import (
    RETRYABLE_AFTER_AUTH,
    AcquireAuth,
    StaticAuthManager,
    acquiring_as,
    settled,
)
from asyncbolt.client.connection import (
    TELEMETRY_AUTO_COMMIT,
    TELEMETRY_MANAGED_TX,
    TELEMETRY_UNMANAGED_TX,
    Connection,
    Result,
    _Stream,
)
from asyncbolt.client.connection import Transaction as _ConnectionTransaction
from asyncbolt.client.eager import Query, query_text
from asyncbolt.client.homedb import learn, work_db
from asyncbolt.client.notifications import NotificationFilters
from asyncbolt.client.routing import WRITER_GONE_CODES
from asyncbolt.errors import (
    BoltError,
    ClientError,
    IncompleteCommit,
    Neo4jError,
    RequestIgnored,
    ResultConsumedError,
    ResultFailedError,
    ServiceUnavailable,
    TransactionError,
    TransientError,
)

if TYPE_CHECKING:
    from asyncbolt.client.driver import Driver

__all__ = ["Session", "SessionTransaction", "ManagedTransaction", "is_retryable", "retry_delays"]

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
        if getattr(error, RETRYABLE_AFTER_AUTH, False):
            return True  # the auth manager has a new token (see asyncbolt.client.auth_managers)
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

    async def run(self, query: str | Query, parameters: dict[str, Any] | None = None, *,
                  fetch_size: int | None = None, **kwparameters: Any) -> Result:
        """Run a query in the transaction; the Result streams as :meth:`Connection.run`'s.
        A :class:`Query` gives its text (metadata and a timeout are the transaction's: a Query
        carrying them is a ValueError).

        As the official drivers, RUN goes out with its first PULL and this waits for RUN's
        answer: a query the server refuses raises here (a ``ClientError``), not later. When the
        connection broke, this raises ServiceUnavailable, and any later use of the transaction
        a ``TransactionError`` caused by it: the transaction is over."""
        text, metadata, timeout = query_text(query)
        if metadata is not None or timeout is not None:
            raise ValueError("a Query's metadata and timeout are a transaction's: give them to "
                             "begin_transaction() or unit_of_work(), not to tx.run()")
        try:
            result = await self._tx.run(text, parameters, fetch_size=fetch_size, **kwparameters)
            await result.keys()
        except ServiceUnavailable as exc:
            if self._conn.closed and self._tx._failed is None:
                self._tx._failed = exc
            raise
        except RequestIgnored:
            # BEGIN went out with this RUN (execute_query pipelines them) and was refused: its
            # failure is the news, not that the query was ignored after it.
            begin = self._tx._begin
            failure = begin.exception() if begin.done() and not begin.cancelled() else None
            if failure is not None:
                self._tx._failed = failure
                raise failure from None
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
                 imp_user: str | None, notifications: NotificationFilters | None = None,
                 auth: Any = None) -> None:
        self._driver = driver
        #: The session's own auth (None: the driver's), for every acquisition it makes.
        self._auth = None if auth is None else AcquireAuth(StaticAuthManager(auth), session=True)
        #: The token as given (whose principal keys the home database cache).
        self._auth_token = auth
        self._db = db
        #: Whether ``_db`` is what the session's work names: with routing, a session without a
        #: database learns its home database's name before its first work (then pinned).
        self._db_known = db is not None or not driver.routing
        #: The cached home database, used until a server names the real one (homedb.py).
        self._db_guess: str | None = None
        self._initial_bookmarks = bool(bookmarks)
        self._readonly = _readonly(default_access_mode)
        self._bookmarks: list[str] = list(bookmarks or ())
        self._manager = bookmark_manager
        self._fetch_size = fetch_size
        self._imp_user = imp_user
        #: The session's notification filters (sent in BEGIN/RUN; the warning threshold).
        self._notes = notifications
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
        if not self._db_known:
            learn(self, {**stream.pull_meta, **stream.run_meta})
        if bookmark:
            self._bookmarks = [bookmark]
            manager = self._manager
            if manager is not None:
                update_now = getattr(manager, "_update_now", None)  # (a BookmarkManager's)
                if update_now is None or not update_now(sent, [bookmark]):
                    self._spawn(manager.update_bookmarks(sent, [bookmark]))
        self._maybe_release()

    def _maybe_release(self) -> None:
        if self._busy or self._tx is not None or self._conn is None or self._streams:
            return
        conn, self._conn = self._conn, None
        pool = self._driver._pool
        if not pool.release_now(conn):  # (a clean connection goes back without a task)
            self._spawn(pool.release(conn))

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

    async def _acquire(self, readonly: bool, timeout: Any = _DEFAULT_TIMEOUT,
                       **pool_options: Any) -> Connection:
        """A connection for the session's database; the first time, with routing and no
        database given, the home database's name comes first: the user's cached one, else the
        routers name it (:mod:`asyncbolt.client.homedb`); it then picks the routing table for
        the rest of the session. All of it within one deadline (``timeout``).
        With routing, the bookmarks for ROUTE are asked of the bookmark manager here, apart from
        the ones the work then sends, as the official drivers (a supplier is called for each)."""
        marks = await self._get_bookmarks() if self._driver.routing else []
        with acquiring_as(self._auth):
            return await self._driver._acquire_for(self, readonly, marks, timeout, **pool_options)

    def _options(self, conn: Connection, readonly: bool, marks: list[str]) -> dict[str, Any]:
        """Access mode and bookmarks as the connection's version takes them (none before 3.0),
        and the session's notification filters."""
        if not has("tx_extra", conn.negotiated_version):
            return {"notifications": self._notes}
        return {"mode": "r" if readonly else "w", "bookmarks": marks, "notifications": self._notes}

    # -- auto-commit ----------------------------------------------------------------------------

    async def run(self, query: str | Query, parameters: dict[str, Any] | None = None, *,
                  timeout: float | None = None, metadata: dict[str, Any] | None = None,
                  fetch_size: int | None = None, **kwparameters: Any) -> Result:
        """Run an auto-commit query on a server for the session's access mode. Not retried.
        ``query``: a string or a :class:`Query` (whose metadata and timeout apply unless
        ``metadata``/``timeout`` are given). Waits for RUN's answer, as the official drivers: a
        query the server refuses raises here, and ``result.keys()`` is a list."""
        query, query_metadata, query_timeout = query_text(query)
        if metadata is None:
            metadata = query_metadata
        if timeout is None:
            timeout = query_timeout
        self._check()
        await self._settle_tasks()
        self._busy = True
        try:
            conn = self._conn
            if conn is None or conn.closed:
                if conn is not None:
                    self._conn = None
                    await self._driver._pool.release(conn)
                conn = await self._acquire(self._readonly)
                self._conn = conn
            marks = await self._get_bookmarks()
            result = await conn.run(query, parameters, db=work_db(self, conn), timeout=timeout,
                                    metadata=metadata, imp_user=self._imp_user,
                                    fetch_size=fetch_size or self._fetch_size,
                                    telemetry=self._driver._telemetry(TELEMETRY_AUTO_COMMIT),
                                    **self._options(conn, self._readonly, marks), **kwparameters)
            stream = result._s
            self._streams.append(stream)
            stream.on_done = functools.partial(self._result_done, marks)
            await result.keys()  # as the official drivers: a refused query raises here
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
        conn = await self._acquire(self._readonly)
        self._conn = conn
        inner = None
        try:
            marks = await self._get_bookmarks()
            inner = conn.begin(db=work_db(self, conn), timeout=timeout, metadata=metadata,
                               imp_user=self._imp_user, fetch_size=self._fetch_size,
                               telemetry=self._driver._telemetry(TELEMETRY_UNMANAGED_TX),
                               **self._options(conn, self._readonly, marks))
            await inner  # BEGIN goes out now and its failure is raised here (eager, as the drivers)
            learn(self, inner._begin.result())
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
        return await self._run_transaction(True, transaction_function, args, kwargs,
                                           TELEMETRY_MANAGED_TX)

    async def execute_write(self, transaction_function: Callable[..., Awaitable[Any]], *args: Any,
                            **kwargs: Any) -> Any:
        """As :meth:`execute_read`, in a write transaction on the writer."""
        return await self._run_transaction(False, transaction_function, args, kwargs,
                                           TELEMETRY_MANAGED_TX)

    async def _run_transaction(self, readonly: bool, fn: Callable[..., Awaitable[Any]],
                               args: tuple, kwargs: dict, api: int = TELEMETRY_MANAGED_TX,
                               eager_begin: bool = True) -> Any:
        """``api``: the TELEMETRY number announced (the driver's for execute_query);
        ``eager_begin``: see :meth:`_attempt`."""
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
        telemetry: list[int | None] = [driver._telemetry(api)]
        while True:
            try:
                return await self._attempt(readonly, fn, args, kwargs, acquire_timeout, telemetry,
                                           eager=eager_begin)
            except Exception as exc:
                await settled(exc)  # (an auth manager may make it retryable)
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
                       telemetry: list[int | None] | None = None, eager: bool = True) -> Any:
        """One try of a transaction function. ``eager``: wait for BEGIN's answer before the
        function runs (sessions, as the official drivers); execute_query pipelines BEGIN with
        its query instead (the official drivers' ExecuteQueryPipelining), a refused BEGIN then
        failing the query."""
        self._check()
        await self._detach()
        pool = self._driver._pool
        conn = await self._acquire(readonly, acquire_timeout)
        self._conn = conn
        self._busy = True
        try:
            marks = await self._get_bookmarks()
            def telemetry_taken(meta: dict) -> None:
                if telemetry is not None:
                    telemetry[0] = None  # the server has it: later attempts send none

            tx = conn.begin(db=work_db(self, conn), timeout=getattr(fn, "timeout", None),
                            metadata=getattr(fn, "metadata", None), imp_user=self._imp_user,
                            fetch_size=self._fetch_size,
                            telemetry=None if telemetry is None else telemetry[0],
                            on_telemetry=telemetry_taken, **self._options(conn, readonly, marks))
            try:
                # Eager BEGIN, as the official drivers: its failure is raised before the
                # function runs (a ServiceUnavailable or transient one is retried).
                if eager:
                    await tx
                    learn(self, tx._begin.result())
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
            begin = tx._begin
            if not eager and begin.done() and not begin.cancelled() and begin.exception() is None:
                learn(self, begin.result())
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
