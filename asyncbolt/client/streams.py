"""How the asyncio client fetches results: the bookkeeping of the open ones and the planning of
PULL and DISCARD (mixed into :class:`~asyncbolt.client.connection.Connection`).

A result (:class:`~asyncbolt.client.result._Stream`) asks for its next batch when its reader
waits (PULL n=fetch_size); a result that must not stay open (another RUN follows, outside a
transaction's qids) fetches its rest; one nobody reads any more is DISCARDed. What a PULL slot
becomes (n, qid, PULL or DISCARD) is decided when it is written, with everything queued after it
in view.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# The exception classes of the client still live in asyncbolt.client.connection (which imports
# this module): reached through the module object, so either may be imported first.
from asyncbolt._generated.versions import has
from asyncbolt.client.result import _Handler, _PullHandler, _PullSlot, _Stream
from asyncbolt.codec.messages import Discard, DiscardAll, Message, Pull, PullAll, Run
from asyncbolt.errors import ResultFailedError

if TYPE_CHECKING:
    import asyncio

    from asyncbolt.core.client import ClientConnection

__all__ = ["ResultStreams"]

Version = tuple[int, int]


class ResultStreams:
    """The results of one connection (a mixin of Connection, whose attributes it uses)."""

    _core: ClientConnection
    _loop: asyncio.AbstractEventLoop
    _outbox: list[tuple[Any, _Handler | None]]
    _current: _Stream | None  # the auto-commit/tx result still open on the server
    _last_run: _Stream | None  # the result of the last RUN sent (qid's default)
    bookmarks: list[str]

    # (provided by Connection)

    @property
    def negotiated_version(self) -> Version:
        raise NotImplementedError

    def _queue(self, message: Any, handler: _Handler | None) -> None:
        raise NotImplementedError

    def _flush(self) -> None:
        raise NotImplementedError

    async def _more(self, s: _Stream, need_fields: bool = False) -> None:
        """Wait until the stream has news, asking the server for the next batch if needed."""
        if s.error is None and self._core.error is not None:
            s.fail(self._core.lost(str(self._core.error)))
            return
        if not s.records and self._lost_with_tx(s):
            return
        if not need_fields and not s.records and s.has_more and s.in_flight == 0 and s.slot is None:
            s.slot = _PullSlot(s)
            self._queue(s.slot, None)
        if self._outbox:
            self._flush()  # we are about to wait: whatever is queued goes out now
        waiter = s.waiter
        if waiter is None:
            waiter = s.waiter = self._loop.create_future()
        await waiter

    def _lost_with_tx(self, s: _Stream) -> bool:
        """Another query failed the transaction of ``s`` (nothing of ``s`` in flight): the server
        dropped this result too, so ``s`` fails with ResultFailedError and no PULL or DISCARD
        goes out for it (it would only be IGNORED)."""
        failed = s.tx._failed if s.tx is not None else None
        if failed is None or s.done or s.in_flight or s.slot is not None:
            return False
        error = ResultFailedError(f"the result of {s.query!r} is lost: its transaction failed "
                                  f"({failed})")
        error.__cause__ = failed
        s.fail(error)
        return True

    def _discard(self, s: _Stream) -> None:
        """Tell the server we want no more records of ``s``."""
        if s.done or self._lost_with_tx(s):
            return
        if s.slot is not None:
            s.slot.discard = True
            return
        if s.in_flight == 0 and s.has_more:
            s.slot = _PullSlot(s, discard=True)
            self._queue(s.slot, None)
        else:
            s.abandoned = True  # decided when the PULL in flight comes back

    def _abandon(self, s: _Stream) -> None:
        s.abandoned = True
        s.drop_records()
        if self._core.error is None:
            self._discard(s)

    def _stream_finished(self, s: _Stream) -> None:
        if self._current is s:
            self._current = None
        bookmark = s.pull_meta.get("bookmark")
        if bookmark and s.tx is None:
            self.bookmarks = [bookmark]
        if s.on_done is not None:
            s.notify_done()

    async def _settle_current(self) -> None:
        """Before a new RUN (or COMMIT): the previous result must not stay open on the server."""
        s = self._current
        if s is None or s.done:
            self._current = None
            return
        if s.tx is not None and not s.abandoned and has("qid", self.negotiated_version):
            # Bolt 4.0+: a transaction's results stay open side by side, each later PULL or
            # DISCARD naming its result by the qid its RUN's SUCCESS gave (as the official
            # drivers): the next RUN neither waits nor makes this one fetch all its records.
            # (An abandoned one, at COMMIT/ROLLBACK, is discarded below.)
            self._current = None
            return
        if s.slot is not None:
            s.slot.all = True
            return
        while s.in_flight and not s.done:
            await self._more(s, need_fields=True)
        if s.open:
            if s.abandoned:
                self._discard(s)
            else:
                s.slot = _PullSlot(s, all=True)
                self._queue(s.slot, None)
        self._current = None

    async def _finish_stream(self, s: _Stream, discard: bool = False) -> None:
        """Wait until the server is done with ``s``: its remaining records are fetched into its
        buffer (where the Result still reads them) or, with ``discard``, DISCARDed."""
        while not s.done:
            if self._core.error is not None:
                s.fail(self._core.lost(str(self._core.error)))
                return
            if discard:
                self._discard(s)
            elif s.slot is not None:
                s.slot.all = True
            elif s.in_flight == 0 and s.has_more:
                s.slot = _PullSlot(s, all=True)
                self._queue(s.slot, None)
            if self._outbox:
                self._flush()
            waiter = s.waiter
            if waiter is None:
                waiter = s.waiter = self._loop.create_future()
            await waiter

    def _pull_request(self, slot: _PullSlot, v4: bool,
                      later: list[tuple[Any, _Handler | None]]) -> tuple[Message, _PullHandler] | None:
        """The PULL or DISCARD a queued slot becomes as it is written (None: no longer needed).
        ``v4``: PULL/DISCARD take ``n`` (and ``qid``); ``later``: what is written after it."""
        s = slot.stream
        if s.slot is slot:
            s.slot = None
        if s.done:
            return None
        # A result followed by another RUN must be drained (or discarded) now:
        # the server accepts no RUN while it still streams.
        # (Not so for a transaction's results from Bolt 4.0: they are named by qid.)
        later_run = not (v4 and s.tx is not None) and any(isinstance(m, Run) for m, _ in later)
        n = -1 if (slot.all or later_run) else s.fetch_size
        # As the official drivers, qid only names a result that is not the last one
        # run: the server takes the last one by default.
        qid = {"qid": s.qid} if s.qid >= 0 and s is not self._last_run else {}
        message: Message
        if slot.discard or s.abandoned:
            message = Discard({"n": -1, **qid}) if v4 else DiscardAll()
            handler = _PullHandler(s, True)
        else:
            extra: dict[str, Any] = {"n": n, **qid}
            message = Pull(extra) if v4 else PullAll()
            handler = (_PullHandler if s.columns is None else s.columns.handler)(s, False, n if v4 else -1)
        s.in_flight += 1
        return message, handler
