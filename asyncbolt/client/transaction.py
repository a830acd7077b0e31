"""Explicit transactions (Bolt 3.0+) of the asyncio client: :class:`Transaction`."""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

# The exception classes of the client still live in asyncbolt.client.connection (which imports
# this module): reached through the module object, so either may be imported first.
from asyncbolt.client.result import _OUT_OF_SCOPE, Result, _Call, _Stream
from asyncbolt.codec.messages import Begin, Commit, Rollback
from asyncbolt.errors import (
    ClientError,
    IncompleteCommit,
    RequestIgnored,
    ServiceUnavailable,
    TransactionError,
)

if TYPE_CHECKING:
    from asyncbolt.client.connection import Connection
    from asyncbolt.client.notifications import NotificationFilters

__all__ = ["Transaction"]


def _retrieve(future: asyncio.Future) -> None:
    if not future.cancelled():
        future.exception()


class Transaction:
    """An explicit transaction (Bolt 3.0+). BEGIN goes out with the first query, or at once
    with ``await conn.begin()`` (which waits for its answer: the official drivers' eager BEGIN).
    Its results become unreadable (:class:`ResultConsumedError`) when it ends; after a failure
    every later ``run``/``commit`` raises that failure again."""

    def __init__(self, conn: Connection, extra: dict[str, Any], fetch_size: int | None = None) -> None:
        self._conn = conn
        self._fetch_size = fetch_size
        self._streams: list[_Stream] = []  # the results of its queries
        self._failed: BaseException | None = None
        self._finished = False
        self._begin = conn._loop.create_future()
        # A BEGIN that failed is reported by the call that failed with it (run, commit); a
        # rollback after it does not wait for it, so it must not count as never retrieved.
        self._begin.add_done_callback(_retrieve)
        conn._queue(Begin(extra), _Call("BEGIN", self._begin))
        self.bookmark: str | None = None
        #: The notification filters BEGIN sent (see Connection.begin), for client-side filtering.
        self._notes: NotificationFilters | None = None

    def __await__(self) -> Generator[Any, None, Transaction]:
        async def started() -> Transaction:
            self._conn._flush()
            try:
                await self._begin
            except BaseException as exc:
                # The caller never gets the transaction to end it: it ends here, and the
                # connection takes queries again (a refused BEGIN, e.g. an unknown database).
                if self._failed is None:
                    self._failed = exc
                self._finished = True
                if self._conn._tx is self:
                    self._conn._tx = None
                self._end_results()
                raise
            return self
        return started().__await__()

    async def run(self, query: str, parameters: dict[str, Any] | None = None, *,
                  fetch_size: int | None = None, **kwparameters: Any) -> Result:
        """Queue a query in this transaction (``fetch_size``: this query's, else the
        transaction's, else the connection's)."""
        self._check()
        result = await self._conn._run(query, {**(parameters or {}), **kwparameters}, {},
                                       fetch_size or self._fetch_size, self)
        result._s.notes = self._notes  # (the transaction's filters: for its summaries)
        return result

    def _check(self) -> None:
        if self._finished:
            raise ClientError("Neo.ClientError.Transaction.TransactionNotFound",
                              "the transaction is already closed")
        if self._failed is not None:
            # As the official drivers: the failure was raised where it happened (by the query
            # or its result); every later call says the transaction failed, caused by it.
            raise TransactionError(f"the transaction failed earlier: {self._failed}") from self._failed
        self._conn._check_open()

    async def _settle_others(self) -> None:
        """Before COMMIT/ROLLBACK: DISCARD the open results of this transaction other than the
        connection's current one (Bolt 4.0+ keeps them side by side), and wait for their PULLs
        in flight, so no DISCARD follows the end of the transaction."""
        conn = self._conn
        others = [s for s in self._streams if s is not conn._current and not s.done]
        for s in others:
            if s.has_more:
                conn._abandon(s)
        for s in others:
            while s.in_flight and not s.done and conn._closed is None:
                await conn._more(s, need_fields=True)

    def _end_results(self) -> None:
        """The transaction ended: its results can no longer be read (as the official drivers)."""
        for s in self._streams:
            s.drop_records()
            s.gone = _OUT_OF_SCOPE
        self._streams.clear()

    async def commit(self) -> str | None:
        """Commit; returns the bookmark (also kept on the connection for the next one). What
        its results did not read is discarded; reading them afterwards raises
        :class:`ResultConsumedError`. A connection lost after COMMIT went out and before its
        answer raises :class:`IncompleteCommit` (it may or may not have been committed)."""
        self._check()
        conn = self._conn
        await self._settle_others()
        if conn._current is not None and conn._current.tx is self:
            conn._abandon(conn._current)  # DISCARD what was not read, as the official drivers
        await conn._settle_current()
        future = conn._loop.create_future()
        conn._queue(Commit(), _Call("COMMIT", future))
        sent = conn._closed is None  # the flush below writes COMMIT (else fails it unsent)
        conn._flush()
        self._finished = True
        try:
            await self._begin
            meta = await future
        except RequestIgnored:
            # COMMIT was ignored because a query of the transaction failed (its result was not
            # read): the failure itself is the answer, not "COMMIT was not run".
            if self._failed is not None and not isinstance(self._failed, RequestIgnored):
                raise self._failed from None
            raise
        except ServiceUnavailable as exc:
            if not sent or isinstance(exc, IncompleteCommit):
                raise
            raise IncompleteCommit(
                f"the connection to {conn.host}:{conn.port} broke while the transaction was "
                f"committing; it may or may not have been committed ({exc})") from exc
        finally:
            conn._tx = None
            self._end_results()
        self.bookmark = meta.get("bookmark")
        if self.bookmark:
            conn.bookmarks = [self.bookmark]
        return self.bookmark

    async def rollback(self) -> None:
        """Roll back (a no-op when the transaction already failed)."""
        conn = self._conn
        if self._finished:
            return
        self._finished = True
        try:
            if self._failed is not None or conn._closed is not None:
                return
            await self._settle_others()
            if conn._current is not None and conn._current.tx is self:
                conn._abandon(conn._current)
                await conn._settle_current()
            future = conn._loop.create_future()
            conn._queue(Rollback(), _Call("ROLLBACK", future))
            conn._flush()
            await future
        finally:
            conn._tx = None
            self._end_results()

    async def __aenter__(self) -> Transaction:
        return self

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self._finished:
            return
        if exc_type is None:
            await self.commit()
        else:
            await self.rollback()
