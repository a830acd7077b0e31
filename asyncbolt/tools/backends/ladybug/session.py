"""One Bolt connection's view of a LadybugDB database: :class:`LadybugSession`.

This is the model for writing a backend of ``asyncbolt serve`` (see
:mod:`asyncbolt.tools.backends`): the ``ServerSession`` hooks -- ``authenticate``, ``run``
(rows pulled lazily, batch by batch), ``begin``/``commit``/``rollback``, ``reset``, ``close`` --
over a database whose calls block. What is Ladybug's own lives in the sibling modules: the
shared database (:mod:`.graph`), the connection's Ladybug connection and worker thread
(:mod:`.worker`), values (:mod:`.values`), ids (:mod:`.ids`), reading queries (:mod:`.queries`),
errors (:mod:`.failures`) and the procedures tools call (:mod:`.catalog`).

**Transactions.** Bolt BEGIN/COMMIT/ROLLBACK map to ``BEGIN TRANSACTION [READ ONLY]``/
``COMMIT``/``ROLLBACK`` on the connection's Ladybug connection. Ladybug allows one write
transaction at a time in the whole database, so write transactions (and auto-commit statements
that may write) queue for a database-wide writer lock; one that waits longer than
``lock_timeout`` fails with ``Neo.TransientError.Transaction.LockAcquisitionTimeout``, which the
drivers' managed transactions retry. Reads never wait. A failed statement inside a transaction
rolls that transaction back at once (as Neo4j terminates it). COMMIT returns a bookmark
``ladybug:<n>``; auto-commit writes report one too.
"""

from __future__ import annotations

import asyncio
import collections
import hmac
import logging
from typing import Any

from asyncbolt.errors import AuthError, ClientError
from asyncbolt.server.session import ServerResult, ServerSession
from asyncbolt.tools.backends.ladybug import catalog
from asyncbolt.tools.backends.ladybug.failures import BUSY, map_error
from asyncbolt.tools.backends.ladybug.graph import MAX_RUNNING, LadybugGraph
from asyncbolt.tools.backends.ladybug.ids import rewrite_id_comparisons
from asyncbolt.tools.backends.ladybug.params import UNTYPED, prepare_parameters
from asyncbolt.tools.backends.ladybug.queries import TX_WORDS, classify, scan
from asyncbolt.tools.backends.ladybug.seed import run_init
from asyncbolt.tools.backends.ladybug.worker import BATCH, Execution, LadybugWorker

__all__ = ["LadybugSession", "BATCH"]

log = logging.getLogger(__name__)

#: Parameters holding a List or Map longer than this are checked on the connection's worker thread.
_BIG = 1000


def _same_secret(given: Any, expected: str) -> bool:
    """``given == expected`` in time that does not depend on where they differ."""
    if not isinstance(given, str):
        return False  # the type is no secret
    return hmac.compare_digest(given.encode(), expected.encode())


class _Rows:
    """A query's rows for :class:`asyncbolt.ServerResult`: the first BATCH fetched with the query
    itself, the next ones BATCH at a time on the worker thread as the client pulls. Ladybug's
    result is closed once its last row is read (``done``), or by ``aclose()`` (the runtime calls
    it when the client stops early)."""

    __slots__ = ("session", "result", "converters", "buffer", "done", "closed")

    def __init__(self, session: LadybugSession, run: Execution) -> None:
        self.session = session
        self.result = run.result
        self.converters = run.converters
        self.buffer: collections.deque = collections.deque(run.rows)
        self.done = run.done
        self.closed = False

    def __aiter__(self) -> _Rows:
        return self

    async def __anext__(self) -> list[Any]:
        if self.buffer:
            return self.buffer.popleft()
        if not self.done and not self.closed:
            session, worker = self.session, self.session._worker
            try:
                batch, self.done = await worker.call(worker.fetch, self.result, self.converters)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                error = map_error(exc)
                await self.aclose()
                await session._abort_tx()
                raise error from None
            if batch:
                self.buffer.extend(batch)
                return self.buffer.popleft()
        await self.aclose()
        raise StopAsyncIteration

    async def aclose(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.buffer.clear()
        if not self.done and self.session._worker.executor is not None:  # done: fetch closed it
            try:
                await self.session._worker.call(self.session._worker.close_result, self.result)
            except Exception:  # pragma: no cover - best effort
                log.debug("closing a Ladybug result failed", exc_info=True)





# -- the session ---------------------------------------------------------------------------

class LadybugSession(ServerSession):
    """One Bolt connection's view of a :class:`LadybugGraph`.

    Keyword arguments: ``graph`` (required), ``auth`` (``(user, password)``; ``None`` accepts
    everyone). Other keyword arguments are kept in ``self.options``.
    """

    name = "ladybug"

    def __init__(self, *args: Any, graph: LadybugGraph | None = None,
                 auth: tuple[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if graph is None:
            raise TypeError("LadybugSession needs graph=LadybugGraph(path) (asyncbolt.serve(..., graph=...))")
        self.graph = graph
        self.auth = tuple(auth) if auth is not None else None
        self._worker = LadybugWorker(graph)
        self._tx: str | None = None  # None, "r" or "w"
        self._tx_open = False  # Ladybug still has the transaction (not rolled back by a failure)
        self._writer = False  # this session holds the graph's writer lock
        self._tx_timeout_ms = 0  # the open transaction's timeout

    # -- the options of `asyncbolt serve` ---------------------------------------------------

    @classmethod
    def open_shared(cls, db: str | None = None, *, read_only: bool = False, lock_timeout: float = 10.0,
                    init: str | None = None, auth: tuple[str, str] | None = None,
                    max_running: int = MAX_RUNNING, **options: Any) -> dict[str, Any]:
        graph = LadybugGraph(db, read_only=read_only, lock_timeout=lock_timeout,
                             max_running=max_running)
        if init:
            try:
                run_init(graph, init)
            except BaseException:
                graph.close()
                raise
        return {"graph": graph, "auth": auth}

    @classmethod
    def check_workers(cls, workers: int, *, db: str | None, read_only: bool) -> None:
        """``asyncbolt serve --workers N``: N > 1 only for an on-disk database opened read-only."""
        if workers > 1 and not (db and read_only):
            raise ValueError(
                f"--workers {workers}: the ladybug backend serves from one process, because "
                "LadybugDB lets a single process open a database for writing (it locks the file) "
                "and an in-memory database lives inside one process; several worker processes "
                "can only share an on-disk database opened read-only (--db PATH --read-only)")

    @classmethod
    def close_shared(cls, kwargs: dict[str, Any]) -> None:
        kwargs["graph"].close()

    @classmethod
    def describe(cls, kwargs: dict[str, Any]) -> str:
        graph = kwargs["graph"]
        where = "in memory" if graph.in_memory else graph.path
        return f"LadybugDB {graph.version}, {where}" + (", read-only" if graph.read_only else "")

    # -- hooks ------------------------------------------------------------------------------

    async def authenticate(self, auth: dict[str, Any]) -> None:
        if self.auth is None:
            return
        user, password = self.auth
        # compare_digest: the time taken must not tell how much of a guess was right. Both
        # comparisons always run (no short-circuit), so neither does which of the two was wrong.
        user_ok = _same_secret(auth.get("principal"), user)
        password_ok = _same_secret(auth.get("credentials"), password)
        if not (auth.get("scheme") == "basic" and user_ok & password_ok):
            raise AuthError("The client is unauthorized due to authentication failure.")

    def _check_db(self, extra: dict[str, Any]) -> None:
        db = extra.get("db")
        if db and db not in ("neo4j", self.graph.name):
            raise ClientError("Neo.ClientError.Database.DatabaseNotFound",
                              f"Database does not exist. Database name: '{db}'. This server has one "
                              f"database, '{self.graph.name}' (the default).")

    async def run(self, query: str, parameters: dict[str, Any], extra: dict[str, Any]) -> ServerResult:
        if self._tx is None:
            self._check_db(extra)
        procedure = catalog.PROCEDURE.match(query)
        if procedure:
            return await catalog.call(procedure.group(1).lower(), self.graph.version, self._tables)
        query, parameters = rewrite_id_comparisons(query, parameters)
        words, used = scan(query)
        if words and words[0] in TX_WORDS:
            raise ClientError("Neo.ClientError.Statement.SyntaxError",
                              f"{words[0]} is not run as a query here: use the driver's "
                              "transactions (session.begin_transaction(), execute_write...)")
        missing = sorted(used - set(parameters))
        if missing:
            raise ClientError("Neo.ClientError.Statement.ParameterMissing",
                              "Expected parameter(s): " + ", ".join(missing))
        wanted = {k: v for k, v in parameters.items() if k in used}
        if any(isinstance(v, (list, dict)) and len(v) > _BIG for v in wanted.values()):
            # checking a large value takes a while (~2 us a value): not on the event loop
            prepared = await self._worker.call(prepare_parameters, wanted)
        else:
            prepared = prepare_parameters(wanted)
        params = prepared.parameters
        query, given = prepared.query(query), query
        qtype, may_write = classify(words)
        timeout_ms = int(extra.get("tx_timeout") or 0) if self._tx is None else self._tx_timeout_ms
        if self._tx is not None:
            try:
                run = await self._worker.query(query, params, timeout_ms, self._writer and qtype in ("w", "rw"))
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                error = prepared.refusal() if prepared.untyped and UNTYPED.search(str(exc)) else map_error(exc)
                await self._abort_tx()
                raise error from None
            metadata: dict[str, Any] = {"type": qtype}
        else:
            run = await self._autocommit(query, params, timeout_ms, may_write, qtype in ("w", "rw"),
                                         prepared.retry(given))
            # Every auto-commit statement is named by a bookmark (as COMMIT is): a write's new
            # one, or for a read the database's latest (not the server's made-up asyncbolt:N).
            metadata = {"type": qtype, "bookmark": self.graph.next_bookmark() if qtype != "r"
                        else self.graph.last_bookmark}
        if run.stats:
            metadata["stats"] = run.stats
        return ServerResult(run.fields, _Rows(self, run), metadata)

    async def _autocommit(self, query: str, params: dict[str, Any], timeout_ms: int,
                          may_write: bool, writes: bool,
                          retry: tuple[str, dict[str, Any]] | None = None) -> Any:
        try:
            if may_write and not self.graph.read_only:
                await self.graph.acquire_writer()
                self._writer = True
            while True:
                try:
                    # (counted only under the writer lock, where no other writer moves the counts)
                    return await self._worker.query(query, params, timeout_ms, writes and self._writer,
                                                    retry)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    if self._writer or not str(exc).startswith(BUSY):
                        raise map_error(exc) from None
                # It wrote after all, while a transaction was writing: queue, then run it again
                # (the refusal came before it did anything).
                await self.graph.acquire_writer()
                self._writer = True
        finally:
            self._release()

    async def _tables(self) -> list[list[Any]]:
        """Ladybug's tables (name, type), for :func:`catalog.call`."""
        run = await self._worker.query(catalog.SHOW_TABLES, {}, 0)
        return [row async for row in _Rows(self, run)]

    async def begin(self, extra: dict[str, Any]) -> None:
        self._check_db(extra)
        if self._tx is not None:  # the runtime's state machine prevents this; be safe
            raise ClientError("Neo.ClientError.Transaction.TransactionStartFailed",
                              "a transaction is already open")
        self._tx_timeout_ms = int(extra.get("tx_timeout") or 0)
        read = extra.get("mode") == "r" or self.graph.read_only
        if read:
            statement = "BEGIN TRANSACTION READ ONLY"
        else:
            await self.graph.acquire_writer()
            self._writer = True
            statement = "BEGIN TRANSACTION"
        try:
            await self._worker.call(self._worker.statement, statement)
        except asyncio.CancelledError:
            # RESET while BEGIN runs: once it is done, end whatever it opened.
            self._worker.after_work(self._worker.discard_connection)
            self._release()
            raise
        except Exception as exc:
            self._release()
            # A connection whose BEGIN was refused is unsafe to use again (LadybugDB 0.22 can
            # crash later): replace it.
            await self._worker.call(self._worker.replace_connection)
            raise map_error(exc) from None
        self._tx = "r" if read else "w"
        self._tx_open = True

    def _release(self) -> None:
        """Give the writer lock back, once this session's Ladybug work is over."""
        if self._writer:
            self._writer = False
            self._worker.after_work(self.graph.release_writer)

    async def _abort_tx(self) -> None:
        """A statement failed inside the transaction: roll it back now, as Neo4j terminates it."""
        if self._tx is None or not self._tx_open:
            return
        self._tx_open = False
        try:
            await self._worker.call(self._worker.statement, "ROLLBACK")
        except Exception as exc:  # Ladybug may have rolled back already
            log.debug("rollback after a failure: %s", exc)
        finally:
            self._release()

    async def commit(self) -> dict[str, Any]:
        tx, self._tx = self._tx, None
        try:
            if tx is None or not self._tx_open:
                raise ClientError("Neo.ClientError.Transaction.TransactionNotFound",
                                  "there is no open transaction to commit")
            self._tx_open = False
            try:
                await self._worker.call(self._worker.statement, "COMMIT")
            except Exception as exc:
                error = map_error(exc)
                try:
                    await self._worker.call(self._worker.statement, "ROLLBACK")
                except Exception:
                    pass
                raise error from None
        finally:
            self._release()
        return {"bookmark": self.graph.next_bookmark() if tx == "w" else self.graph.last_bookmark}

    async def rollback(self) -> None:
        self._tx = None
        try:
            if self._tx_open:
                self._tx_open = False
                try:
                    await self._worker.call(self._worker.statement, "ROLLBACK")
                except Exception as exc:
                    if "No active transaction" not in str(exc):
                        raise map_error(exc) from None
        finally:
            self._release()

    async def reset(self) -> None:
        if self._tx is not None:
            await self.rollback()

    async def close(self) -> None:
        try:
            if self._tx is not None and self._worker.executor is not None and not self.graph.closed:
                try:
                    await self.rollback()
                except Exception:
                    log.debug("rollback on close failed", exc_info=True)
        finally:
            self._release()
            self._worker.shutdown()
