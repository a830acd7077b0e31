"""The asyncio Bolt client.

    conn = await asyncbolt.connect("bolt://127.0.0.1:7687", auth=("neo4j", "pw"))
    result = await conn.run("MATCH (n) RETURN n LIMIT $k", {"k": 10})
    async for record in result:
        print(record["n"])
    summary = await result.consume()
    async with conn.begin(db="neo4j") as tx:
        await tx.run("CREATE (:X)")
    await conn.close()

Pipelining is the default: ``run`` only queues RUN and PULL; everything queued goes out in one
write when the caller next waits for a result, so a thousand ``run`` calls cost about one round
trip. Records arrive in batches of ``fetch_size`` (PULL n) and are decoded in ``data_received``
in one pass; a result never buffers more than one batch unless the caller runs another query
while it is open (then its rest is fetched and kept, as the official drivers do). A FAILURE
raises an exception by Neo4j classification and the connection resets itself.
"""

from __future__ import annotations

import asyncio
import logging
import platform
import ssl as _ssl
from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from asyncbolt import __version__
from asyncbolt._generated.codec import check_response_maps
from asyncbolt._generated.versions import (
    has,
    key_holds,
    key_range,
    known_key,
    patch_holds,
    since,
)
from asyncbolt.client.auth import auth_token
from asyncbolt.client.result import (
    Counters,
    Record,
    Result,
    Summary,
    _Call,
    _Handler,
    _PullHandler,
    _PullSlot,
    _RunHandler,
    _Stream,
)
from asyncbolt.client.transaction import Transaction, _retrieve
from asyncbolt.codec._offload import OFFLOAD_BYTES, decoder_pool
from asyncbolt.codec.messages import (
    Discard,
    DiscardAll,
    Goodbye,
    Hello,
    Init,
    Logoff,
    Logon,
    Message,
    Pull,
    PullAll,
    Reset,
    Route,
    Run,
    Telemetry,
)
from asyncbolt.codec.packstream import DEFAULT_MAX_DECODED_VALUES, DEFAULT_MAX_DEPTH, Codec
from asyncbolt.core.client import AUTO, DEFAULT_READ_TIMEOUT, ClientConnection, Handler
from asyncbolt.core.handshake import format_version
from asyncbolt.core.server import DEFAULT_MAX_MESSAGE_SIZE
from asyncbolt.errors import (
    BoltError,
    ClientError,
    ConfigurationError,
    Neo4jError,
    ProtocolError,
    ServiceUnavailable,
    UnsupportedServerProduct,
)

# (connect, parse_uri, ClientSession and ClientResponse moved, and are still importable from here)
__all__ = ["AUTO", "DEFAULT_READ_TIMEOUT", "Connection", "Result", "Record", "Summary", "Counters", "Transaction",
           "RequestIgnored", "ResultConsumedError", "IncompleteCommit"]

log = logging.getLogger(__name__)

#: TELEMETRY's ``api`` values (Bolt 5.4+): which driver API ran the work that follows.
TELEMETRY_MANAGED_TX = 0  # a transaction function (execute_read/execute_write)
TELEMETRY_UNMANAGED_TX = 1  # an explicit transaction (begin_transaction)
TELEMETRY_AUTO_COMMIT = 2  # an auto-commit query (session.run)
TELEMETRY_DRIVER = 3  # the driver-level execute_query

Version = tuple[int, int]
DEFAULT_PORT = 7687
DEFAULT_FETCH_SIZE = 1000
#: Default bound on the records of one result received and not yet read.
DEFAULT_MAX_BUFFERED_RECORDS = 1_000_000
#: Default bound on the wire bytes of the records received and not yet read, per connection.
DEFAULT_MAX_BUFFERED_BYTES = 64 * 1024 * 1024
# (AUTO and DEFAULT_READ_TIMEOUT, the read timeout's, are the core's: imported above)
USER_AGENT: str = f"asyncbolt/{__version__}"


class RequestIgnored(BoltError):
    """The server did not run this request: an earlier one in the pipeline failed (or a RESET
    cut it short). ``__cause__`` is the failure, when known."""


class ResultConsumedError(BoltError):
    """The result's records can no longer be read: it was consumed (``consume()``), its
    transaction ended, or its session closed before it was read to its end."""


class TransactionError(BoltError):
    """The transaction can no longer be used: a query of it failed, or the connection was reset,
    earlier (``__cause__``: that failure, which was raised where it happened; as the official
    drivers' ``TransactionError``). Retryable when its cause is."""


class ResultFailedError(BoltError):
    """A result of a transaction that another query of it failed: the server dropped its
    records, so what was not yet received can never be read (``__cause__``: the failure; as
    the official drivers' ``ResultFailedError``). Retryable when its cause is."""


class IncompleteCommit(ServiceUnavailable):
    """The connection broke after COMMIT was sent and before its answer arrived: the
    transaction may or may not have been committed, so it must not simply be run again."""


# -------------------------------------------------------------------------------------------
# The connection


class _Protocol(asyncio.Protocol):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        try:
            self.conn._connection_made(transport)
        except Exception as exc:
            self.conn._internal_error(exc, "opening the connection")

    # No exception may leave a protocol callback: asyncio would only log it, and whoever waits
    # on the connection would wait forever. Anything unexpected ends the connection instead.

    def data_received(self, data: bytes) -> None:
        try:
            self.conn._data_received(data)
        except Exception as exc:
            self.conn._internal_error(exc, "handling data from the server")

    def connection_lost(self, exc: Exception | None) -> None:
        try:
            self.conn._connection_lost(exc)
        except Exception as error:
            self.conn._internal_error(error, "handling the end of the connection")

    def pause_writing(self) -> None:
        self.conn._write_paused = True

    def resume_writing(self) -> None:
        self.conn._write_paused = False
        waiter, self.conn._drain_waiter = self.conn._drain_waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


class Connection:
    """One Bolt connection. Make it with :func:`connect`."""

    def __init__(self, *, host: str, port: int, auth: dict, user_agent: str, fetch_size: int,
                 routing: dict | None, proposals: list, manifest: bool,
                 supported: Iterable[Version] | None = None,
                 server_hostname: str | None = None,
                 max_message_size: int | None = DEFAULT_MAX_MESSAGE_SIZE,
                 max_chunks: int | None = None, max_depth: int = DEFAULT_MAX_DEPTH,
                 max_buffered_records: int = DEFAULT_MAX_BUFFERED_RECORDS,
                 max_buffered_bytes: int | None = DEFAULT_MAX_BUFFERED_BYTES,
                 read_timeout: float | str | None = AUTO,
                 max_decoded_values: int | None = DEFAULT_MAX_DECODED_VALUES,
                 server_agent_prefix: str | None = None,
                 notifications_min_severity: str | None = None,
                 notifications_disabled_classifications: Iterable[str] | None = None) -> None:
        if max_buffered_records < 1:
            raise ValueError(f"max_buffered_records must be positive, got {max_buffered_records!r}")
        if max_buffered_bytes is not None and max_buffered_bytes < 1:
            raise ValueError(f"max_buffered_bytes must be positive or None, got {max_buffered_bytes!r}")
        self.host, self.port = host, port
        self._loop = asyncio.get_running_loop()
        #: The protocol core: handshake, framing, decoding, routing answers to requests, the
        #: state machine, the RESET after a failure, the read timeout (see asyncbolt.core.client).
        #: Limits on what the server may send (see :func:`connect`) are the core's; so is
        #: ``read_timeout``.
        self._core = ClientConnection(
            proposals, manifest=manifest, supported=supported, max_message_size=max_message_size,
            max_chunks=max_chunks, max_depth=max_depth, max_decoded_values=max_decoded_values,
            read_timeout=read_timeout, clock=self._loop.time, offload_bytes=OFFLOAD_BYTES,
            peer=f"{host}:{port}")
        self._core.failure_hook = self._failure_seen
        self.max_depth = max_depth
        self.max_decoded_values = max_decoded_values
        self.max_buffered_records = max_buffered_records
        self.max_buffered_bytes = max_buffered_bytes
        #: Wire bytes of the records received and not yet read, over all results.
        self.buffered_bytes = 0
        self._read_timer: asyncio.TimerHandle | None = None
        #: The name TLS checks the certificate against (the host, unless it was resolved).
        self.server_hostname = server_hostname or host
        self.fetch_size = fetch_size
        self._auth = auth
        self._user_agent = user_agent
        self._routing = routing
        self._transport: asyncio.Transport | None = None
        self._handshake_done: asyncio.Future = self._loop.create_future()
        self._outbox: list[tuple[Any, _Handler | None]] = []
        self._flush_scheduled = False
        self._write_paused = False
        self._drain_waiter: asyncio.Future | None = None
        self._current: _Stream | None = None  # the auto-commit/tx result still open on the server
        self._last_run: _Stream | None = None  # the result of the last RUN sent (qid's default)
        self._tx: Transaction | None = None
        self.protocol_version: Version | None = None
        self.server_agent: str | None = None
        #: Refuse a server whose agent does not start with this (see :func:`connect`).
        self.server_agent_prefix = server_agent_prefix
        #: The notification filters HELLO asks for (see :func:`connect`).
        self.notifications_min_severity = notifications_min_severity
        self.notifications_disabled_classifications = (
            None if notifications_disabled_classifications is None
            else list(notifications_disabled_classifications))
        self.connection_id: str | None = None
        self.hints: dict[str, Any] = {}
        self.bookmarks: list[str] = []  # the last bookmark seen, sent with the next transaction
        self.manifest = False
        #: ``on_error(conn, error)``, called when a FAILURE arrives (with the Neo4jError) or the
        #: server drops the connection (with a ServiceUnavailable); the pool listens here.
        self.on_error: Any = None

    # -- what the core keeps ----------------------------------------------------------------

    @property
    def lost(self) -> type[ServiceUnavailable]:
        """What a lost connection raises (dropped, silent too long, used after that): the
        driver's routing makes it ``SessionExpired``, as the official drivers do for a
        cluster member; it must be a ServiceUnavailable."""
        return self._core.lost

    @lost.setter
    def lost(self, value: type[ServiceUnavailable]) -> None:
        self._core.lost = value

    @property
    def read_timeout(self) -> float | str | None:
        """Seconds of silence, while an answer is awaited, after which the connection is given
        up ("auto": the server's connection.recv_timeout_seconds hint, else
        DEFAULT_READ_TIMEOUT; None: never). Silence is the absence of message bytes: NOOP
        chunks count as a sign of life only while the server keeps its own hint (one at
        least every hint seconds), and a message stalled half-way is silence."""
        return self._core.read_timeout

    @property
    def patches(self) -> frozenset[str]:
        """The protocol patches HELLO agreed on (``utc``)."""
        return self._core.patches

    @property
    def _closed(self) -> BaseException | None:
        """Why the connection ended, or None."""
        return self._core.error

    @property
    def _pending(self) -> deque[Handler]:
        """The handlers of the requests sent and not yet answered."""
        return self._core.pending

    @property
    def _codec(self) -> Codec:
        codec = self._core.codec
        if codec is None:
            raise RuntimeError("no Bolt version negotiated yet")
        return codec

    # -- transport callbacks --------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        if self._transport is None:
            raise RuntimeError("not connected")
        self._transport.write(data)

    def _connection_made(self, transport: Any) -> None:
        self._transport = transport
        transport.write(self._core.data_to_send())  # the handshake

    def _data_received(self, data: bytes) -> None:
        core = self._core
        error = core.receive_data(data)
        if self.protocol_version is None:
            reply = core.data_to_send()  # the handshake's answer (when the manifest asks one)
            if reply:
                self._write(reply)
            if error is not None:
                self._fail_handshake(error)
                return
            if core.version is None:
                return
            self.protocol_version = core.version
            self.manifest = core.manifest
            if not self._handshake_done.done():
                self._handshake_done.set_result(self.protocol_version)
        if error is not None:
            self._abort(error)
        elif core.large_message is not None:
            self._decode_off_loop(core.large_message)
        elif core.has_output and not self._flush_scheduled:
            # The RESET after a FAILURE: written with what the caller queues next.
            self._flush_scheduled = True
            self._loop.call_soon(self._flush)

    def _decode_off_loop(self, payload: bytes) -> None:
        """Decode a long message in a worker thread: the longest the budget allows takes up to
        ~0.1 s in C and ~0.3 s in pure Python, which would stall every other connection of the
        event loop. Reading pauses meanwhile; what arrived behind it waits in the core."""
        transport = self._transport
        if transport is not None:
            transport.pause_reading()
        future = self._loop.run_in_executor(decoder_pool(), self._core.decode, payload)
        future.add_done_callback(lambda f: self._decoded_off_loop(f, payload))

    def _decoded_off_loop(self, future: asyncio.Future, payload: bytes) -> None:
        try:
            if future.cancelled():
                return
            core = self._core
            error = core.decoded(payload, future.result())
            if error is not None:
                self._abort(error)
                return
            if self._closed is not None:
                return
            if core.large_message is not None:
                self._decode_off_loop(core.large_message)
                return
            if core.has_output and not self._flush_scheduled:
                self._flush_scheduled = True
                self._loop.call_soon(self._flush)
            transport = self._transport
            if transport is not None:
                transport.resume_reading()
        except Exception as exc:  # like a protocol callback: nothing may escape to the loop
            self._internal_error(exc, "handling a message decoded off the event loop")

    def _failure_seen(self, error: Neo4jError) -> None:
        """A FAILURE arrived (the core sends the RESET that follows): the transaction failed,
        and the pool hears it."""
        if self._tx is not None:
            self._tx._failed = error
        if self.on_error is not None:
            self._report(error)

    def _internal_error(self, exc: BaseException, doing: str) -> None:
        """The last line of defence of the protocol callbacks: end the connection."""
        error = exc if isinstance(exc, BoltError) else self._core._unexpected(exc, doing)
        try:
            self._abort(error)
        except Exception:  # pragma: no cover - _abort only fails futures and closes
            log.debug("aborting after an unexpected error failed", exc_info=True)
            if self._transport is not None:
                self._transport.abort()

    def _connection_lost(self, exc: Exception | None) -> None:
        error = self.lost(f"connection to {self.host}:{self.port} closed"
                          + (f": {exc}" if exc else ""))
        unexpected = self._closed is None
        self._abort(error, close=False)
        if unexpected and self.on_error is not None and self.protocol_version is not None:
            self._report(error)

    def _report(self, error: BaseException) -> None:
        try:
            self.on_error(self, error)
        except Exception:  # a listener must not break the read loop
            log.exception("on_error listener failed")

    # -- plumbing -------------------------------------------------------------------------

    @property
    def negotiated_version(self) -> Version:
        """The negotiated version, as :attr:`protocol_version` but never None: RuntimeError before
        the handshake (every request is sent after it)."""
        if self.protocol_version is None:
            raise RuntimeError("no Bolt version negotiated yet")
        return self.protocol_version

    def _fail_handshake(self, exc: BaseException) -> None:
        if not self._handshake_done.done():
            self._handshake_done.set_exception(exc)
        self._abort(exc)

    def _abort(self, exc: BaseException, close: bool = True) -> None:
        """The connection is unusable: fail everything waiting on it."""
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None
        if not self._handshake_done.done():
            self._handshake_done.set_exception(exc if isinstance(exc, BoltError)
                                               else ServiceUnavailable(str(exc)))
            # Nobody may be waiting any more (a timed-out connect): mark it retrieved so asyncio
            # does not log it; a waiter still gets the exception.
            self._handshake_done.exception()
        self._core.abort(exc)  # (the requests sent hear it)
        outbox, self._outbox = self._outbox, []
        for item, waiting in outbox:
            if waiting is not None:
                waiting.on_error(exc)
            elif isinstance(item, _PullSlot):
                item.stream.fail(exc)
        if self._drain_waiter is not None and not self._drain_waiter.done():
            self._drain_waiter.set_exception(exc)
        if close and self._transport is not None:
            self._transport.close()

    def _check_open(self) -> None:
        if self._closed is not None:
            if isinstance(self._closed, ServiceUnavailable):
                raise self.lost(str(self._closed))
            raise self.lost(f"the connection is broken: {self._closed}")

    def _queue(self, message: Any, handler: _Handler | None) -> None:
        self._outbox.append((message, handler))
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        """Encode and write everything queued, in one write."""
        self._flush_scheduled = False
        outbox, self._outbox = self._outbox, []
        core = self._core
        if not outbox and not core.has_output:
            return
        if self._closed is not None:
            for item, handler in outbox:
                if handler is not None:
                    handler.on_error(self._closed)
                elif isinstance(item, _PullSlot):
                    item.stream.fail(self._closed)
            return
        v4 = has("pull_n", self.negotiated_version)
        for i, (item, handler) in enumerate(outbox):
            if isinstance(item, _PullSlot):
                s = item.stream
                if s.slot is item:
                    s.slot = None
                if s.done:
                    continue
                # A result followed by another RUN must be drained (or discarded) now:
                # the server accepts no RUN while it still streams.
                # (Not so for a transaction's results from Bolt 4.0: they are named by qid.)
                later_run = not (v4 and s.tx is not None) and any(
                    isinstance(m, Run) for m, _ in outbox[i + 1:])
                n = -1 if (item.all or later_run) else s.fetch_size
                # As the official drivers, qid only names a result that is not the last one
                # run: the server takes the last one by default.
                qid = {"qid": s.qid} if s.qid >= 0 and s is not self._last_run else {}
                message: Message
                if item.discard or s.abandoned:
                    message = Discard({"n": -1, **qid}) if v4 else DiscardAll()
                    handler = _PullHandler(s, True)
                else:
                    extra: dict[str, Any] = {"n": n, **qid}
                    message = Pull(extra) if v4 else PullAll()
                    handler = _PullHandler(s, False, n if v4 else -1)
                s.in_flight += 1
                item = message
            core.send(item, handler)
        self._write(core.data_to_send())
        deadline = core.next_deadline()
        if deadline is not None:
            timer = self._read_timer
            # (Re)arm unless the timer already fires by the deadline (it may be left from a
            # longer timeout, before the server's hint was known).
            if timer is None or timer.when() > deadline:
                if timer is not None:
                    timer.cancel()
                self._read_timer = self._loop.call_at(deadline, self._watch_reads)

    def _watch_reads(self) -> None:
        """While answers are awaited, give the connection up after ``read_timeout`` (or the
        server's hint) seconds without a byte from it (the core's rule). One timer, rescheduled
        lazily: reads only move the deadline later."""
        self._read_timer = None
        error = self._core.check_timeout()
        if error is not None:
            self._abort(error)
            return
        deadline = self._core.next_deadline()
        if deadline is not None:
            self._read_timer = self._loop.call_at(deadline, self._watch_reads)

    async def _drain(self) -> None:
        if self._write_paused and self._closed is None:
            self._drain_waiter = self._loop.create_future()
            await self._drain_waiter

    # -- streams --------------------------------------------------------------------------

    async def _more(self, s: _Stream, need_fields: bool = False) -> None:
        """Wait until the stream has news, asking the server for the next batch if needed."""
        if s.error is None and self._closed is not None:
            s.fail(self.lost(str(self._closed)))
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
        if self._closed is None:
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

    # -- public API -----------------------------------------------------------------------

    async def run(self, query: str, parameters: dict[str, Any] | None = None, *,
                  db: str | None = None, mode: str | None = None,
                  bookmarks: Iterable[str] | None = None, timeout: float | None = None,
                  metadata: dict[str, Any] | None = None, imp_user: str | None = None,
                  fetch_size: int | None = None, telemetry: int | None = None,
                  **kwparameters: Any) -> Result:
        """Queue a query (auto-commit) and return its Result; nothing waits for the server.
        ``telemetry``: an API number announced first (see :meth:`telemetry`)."""
        self._check_open()
        if self._tx is not None:
            raise ClientError("Neo.ClientError.Request.Invalid",
                              "a transaction is open on this connection: run queries with tx.run()")
        extra = self._tx_extra(db, mode, bookmarks, timeout, metadata, imp_user)
        return await self._run(query, {**(parameters or {}), **kwparameters}, extra, fetch_size, None,
                               telemetry)

    async def _run(self, query: str, parameters: dict, extra: dict, fetch_size: int | None,
                   tx: Transaction | None, telemetry: int | None = None) -> Result:
        await self._settle_current()
        if telemetry is not None:
            self.telemetry(telemetry)
        return self._queue_run(query, parameters, extra, fetch_size, tx)

    @property
    def telemetry_enabled(self) -> bool:
        """Whether the server asked for TELEMETRY (Bolt 5.4+, HELLO's hint
        ``telemetry.enabled``)."""
        v = self.protocol_version
        return v is not None and has("telemetry", v) and self.hints.get("telemetry.enabled") is True

    def telemetry(self, api: int, on_success: Any = None) -> bool:
        """Queue a TELEMETRY message saying which driver API runs the work queued next (one of
        the ``TELEMETRY_*`` numbers), pipelined with that work as the official drivers do:
        nothing waits for its answer. Only when the server asked for it
        (:attr:`telemetry_enabled`); returns whether it was queued. ``on_success(meta)`` hears
        its SUCCESS."""
        self._check_open()
        if not self.telemetry_enabled:
            return False
        self._queue(Telemetry(int(api)), _Call("TELEMETRY", None, on_success))
        return True

    def _queue_run(self, query: str, parameters: dict, extra: dict, fetch_size: int | None,
                   tx: Transaction | None) -> Result:
        """Queue RUN and its PULL; the previous result must be settled (done or still unsent)."""
        if not isinstance(query, str):
            raise TypeError(f"query must be a str, not {type(query).__name__}")
        self._check_open()
        previous = self._current
        if previous is not None and previous.open:
            if previous.slot is None:
                raise RuntimeError("the previous result is still streaming; await run() instead")
            previous.slot.all = True
        s = _Stream(self, query, parameters, fetch_size or self.fetch_size, tx)
        if tx is not None:
            tx._streams.append(s)
        if not has("tx_extra", self.negotiated_version):
            message = Run(query, parameters)
        else:
            message = Run(query, parameters, extra)
        # Encode now so a value the codec refuses raises here, at the caller.
        self._codec.pack_message(message)
        self._queue(message, _RunHandler(s))
        self._last_run = s
        s.slot = _PullSlot(s)
        self._queue(s.slot, None)
        self._current = s
        return Result(s)

    def _tx_extra(self, db: str | None, mode: str | None, bookmarks: Iterable[str] | None,
                  timeout: float | None, metadata: dict | None, imp_user: str | None) -> dict[str, Any]:
        v = self.negotiated_version
        extra: dict[str, Any] = {}
        marks = list(self.bookmarks if bookmarks is None else bookmarks)

        def need(key: str, what: str) -> None:
            # Each key exists in the versions its range in spec/bolt.yaml (tx_extra) holds.
            if not key_holds("tx_extra", key, v):
                low, high = key_range("tx_extra", key)
                when = (f"needs Bolt {format_version(low)}+" if v < low
                        else f"exists only up to Bolt {format_version(high or low)}")
                raise ConfigurationError("Neo.ClientError.Request.Invalid",
                                         f"{what} {when}; this connection speaks {v[0]}.{v[1]}")

        if not has("tx_extra", v):
            for key, name, value in (("bookmarks", "bookmarks", bookmarks), ("tx_timeout", "timeout", timeout),
                                     ("tx_metadata", "metadata", metadata), ("mode", "mode", mode),
                                     ("db", "db", db), ("imp_user", "imp_user", imp_user)):
                if value is not None:
                    need(key, name)
            return extra
        if bookmarks is not None:
            need("bookmarks", "bookmarks")
        if marks and key_holds("tx_extra", "bookmarks", v):  # (the connection's own: where they go)
            extra["bookmarks"] = marks
        if timeout is not None:
            if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout < 0:
                # as the official drivers: 0 is "the server's default", below 0 is a mistake
                raise ValueError(f"a transaction timeout is 0 or more seconds, not {timeout!r}")
            need("tx_timeout", "timeout")
            extra["tx_timeout"] = int(timeout * 1000)
        if metadata:
            need("tx_metadata", "metadata")
            extra["tx_metadata"] = dict(metadata)
        if mode is not None:
            if mode not in ("r", "w", "READ", "WRITE"):
                raise ValueError("mode must be 'r' or 'w'")
            need("mode", "mode")
            if mode in ("r", "READ"):
                extra["mode"] = "r"
        if db is not None:
            need("db", "db")
            extra["db"] = db
        if imp_user is not None:
            need("imp_user", f"imp_user ({imp_user!r})")
            extra["imp_user"] = imp_user
        return extra

    def begin(self, *, db: str | None = None, mode: str | None = None,
              bookmarks: Iterable[str] | None = None, timeout: float | None = None,
              metadata: dict[str, Any] | None = None, imp_user: str | None = None,
              fetch_size: int | None = None, telemetry: int | None = None,
              on_telemetry: Any = None) -> Transaction:
        """An explicit transaction: ``async with conn.begin() as tx`` commits on a clean exit and
        rolls back on an exception; or ``tx = await conn.begin()`` and commit/rollback yourself.
        ``fetch_size`` (records per PULL, -1: all) applies to the transaction's queries (default:
        the connection's). ``telemetry``: an API number announced before BEGIN (see
        :meth:`telemetry`; ``on_telemetry(meta)`` hears its SUCCESS)."""
        self._check_open()
        if not has("explicit_tx", self.negotiated_version):
            raise ClientError("Neo.ClientError.Request.Invalid",
                              f"explicit transactions need Bolt {format_version(since('explicit_tx'))}+ "
                              "(use RUN 'BEGIN' before)")
        if self._tx is not None:
            raise ClientError("Neo.ClientError.Request.Invalid", "a transaction is already open")
        extra = self._tx_extra(db, mode, bookmarks, timeout, metadata, imp_user)
        if telemetry is not None:
            self.telemetry(telemetry, on_telemetry)
        tx = Transaction(self, extra, fetch_size)
        self._tx = tx
        return tx

    async def reset(self) -> dict[str, Any]:
        """Abort whatever runs and return to a clean state (open results fail)."""
        self._check_open()
        future = self._loop.create_future()
        self._outbox.insert(0, (Reset(), _Call("RESET", future)))
        if self._tx is not None:
            self._tx._failed = RequestIgnored("the connection was reset")
            self._tx = None
        current, self._current = self._current, None
        if current is not None and not current.done:
            # The server drops the result: whatever was not yet received never will be.
            current.drop_records()
            current.fail(RequestIgnored(f"the result of {current.query!r} was cut short by reset()"))
        self._flush()
        return await future

    async def reauth(self, auth: Any) -> None:
        """Switch the authenticated user (Bolt 5.1+: LOGOFF, LOGON)."""
        self._check_open()
        if not has("logon", self.negotiated_version):
            raise ClientError("Neo.ClientError.Request.Invalid",
                              f"re-authentication needs Bolt {format_version(since('logon'))}+; "
                              "open a new connection instead")
        token = auth_token(auth)
        self._queue(Logoff(), _Call("LOGOFF", None))
        future = self._loop.create_future()
        self._queue(Logon(token), _Call("LOGON", future))
        self._flush()
        await future
        self._auth = token

    async def close(self) -> None:
        """Say GOODBYE (Bolt 3.0+) and close the socket."""
        if self._closed is None and self._transport is not None:
            if self.protocol_version is not None and has("goodbye", self.protocol_version):
                try:
                    self._outbox.append((Goodbye(), None))
                    self._flush()
                except Exception:
                    pass
            self._abort(ServiceUnavailable("the connection was closed"))
        if self._transport is not None:
            self._transport.close()
            await asyncio.sleep(0)

    @property
    def closed(self) -> bool:
        return self._closed is not None

    @property
    def idle(self) -> bool:
        """Open, and nothing is going on: no transaction, no result the server still holds, no
        request waiting for its answer. A pool hands such a connection out as it is."""
        current = self._current
        # (the RESET after a failure is a request waiting for its answer)
        return (self._closed is None and self._tx is None and not self._pending and not self._outbox
                and (current is None or current.done))

    async def ping(self, timeout: float | None = None) -> None:
        """Check that the server still answers (a RESET round trip, which also drops whatever the
        connection had going). Raises ServiceUnavailable, and closes the connection, if not.
        While the RESET sent after a failure is on its way, its answer is the round trip: a
        second RESET would be one too many (the official drivers' minimal resets)."""
        try:
            auto = self._core.auto_reset
            if auto is not None:
                answered = self._loop.create_future()
                answered.add_done_callback(_retrieve)

                def heard(error: BaseException | None) -> None:
                    if not answered.done():
                        if error is None:
                            answered.set_result(None)
                        else:
                            answered.set_exception(error)

                auto.callbacks.append(heard)
                await asyncio.wait_for(asyncio.shield(answered), timeout)
                if self.idle:
                    return
            await asyncio.wait_for(self.reset(), timeout)
        except asyncio.TimeoutError as exc:
            error = ServiceUnavailable(f"{self.host}:{self.port} did not answer RESET within {timeout}s")
            self._abort(error)
            raise error from exc
        except (ProtocolError, Neo4jError, RequestIgnored) as exc:
            error = ServiceUnavailable(f"{self.host}:{self.port} failed a RESET: {exc}")
            self._abort(error)
            raise error from exc

    async def route(self, routing: dict[str, Any] | None = None, bookmarks: Iterable[str] | None = None,
                    db: str | None = None, imp_user: str | None = None) -> dict[str, Any]:
        """Ask the server for a routing table: ``{"ttl": seconds, "db": name, "servers":
        [{"addresses": ["host:port", ...], "role": "ROUTE" | "READ" | "WRITE"}, ...]}``.

        ROUTE on Bolt 4.3+ (``db``; ``imp_user`` from 4.4). Older versions run the routing
        procedure: ``dbms.routing.getRoutingTable`` against the ``system`` database on 4.0-4.2,
        ``dbms.cluster.routing.getRoutingTable`` on 1.0-3.x (which know no ``db``). ``routing`` is
        the routing context (default: the one this connection sent in HELLO); ``bookmarks`` make
        the table at least as recent as those transactions (ignored before 4.0, as the drivers do).
        """
        self._check_open()
        if self._tx is not None:
            raise ClientError("Neo.ClientError.Request.Invalid",
                              "a routing table cannot be fetched inside a transaction")
        v = self.negotiated_version
        context = dict(self._routing or {}) if routing is None else dict(routing)
        marks = [str(b) for b in (bookmarks or ())]

        def need(feature: str, version: Version) -> None:
            raise ConfigurationError("Neo.ClientError.Request.Invalid",
                                     f"{feature} in a routing request needs Bolt "
                                     f"{version[0]}.{version[1]}+; this connection speaks {v[0]}.{v[1]}")

        if imp_user is not None and not key_holds("route_extra", "imp_user", v):
            need(f"imp_user ({imp_user!r})", key_range("route_extra", "imp_user")[0])
        if has("route_message", v):
            if has("route_extra", v):
                extra: dict[str, Any] = {}
                if db is not None:
                    extra["db"] = db
                if imp_user is not None:
                    extra["imp_user"] = imp_user
                message = Route(context, marks, extra=extra)
            else:
                message = Route(context, marks, db=db)
            self._codec.pack_message(message)  # a value the codec refuses raises here
            await self._settle_current()
            future = self._loop.create_future()
            self._queue(message, _Call("ROUTE", future))
            self._flush()
            meta = await future
            table = dict(meta.get("rt") or {})
        else:
            if has("multi_db", v):
                params: dict[str, Any]
                if db is None:
                    query, params = "CALL dbms.routing.getRoutingTable($context)", {"context": context}
                else:
                    query = "CALL dbms.routing.getRoutingTable($context, $database)"
                    params = {"context": context, "database": db}
                # the whole table in one PULL (n -1), as the official drivers: it is small
                result = await self.run(query, params, db="system", mode="r", bookmarks=marks,
                                        fetch_size=-1)
            else:
                if db is not None:
                    need("db", since("multi_db"))
                legacy = not has("tx_extra", v)
                result = await self.run("CALL dbms.cluster.routing.getRoutingTable($context)",
                                        {"context": context}, mode=None if legacy else "r",
                                        bookmarks=None if legacy else [])
            record = await result.single()
            assert record is not None  # (strict: anything but one record raised)
            missing = [k for k in ("ttl", "servers") if k not in record.keys()]
            if missing:
                # A server's wrong answer is its protocol error, not the caller's KeyError.
                raise ProtocolError(f"the routing procedure returned the fields {record.keys()}, "
                                    f"without {' and '.join(missing)}")
            if len(record) < len(record.keys()):
                raise ProtocolError(f"the routing procedure returned a record of {len(record)} "
                                    f"value(s) for the {len(record.keys())} fields {record.keys()}")
            table = {"ttl": record["ttl"], "servers": record["servers"]}
            problem = check_response_maps(table, "routing_table")
            if problem is not None:
                raise ProtocolError(f"the routing procedure returned a bad table: {problem}")
        if db is not None:
            table.setdefault("db", db)
        return table

    async def _finish_stream(self, s: _Stream, discard: bool = False) -> None:
        """Wait until the server is done with ``s``: its remaining records are fetched into its
        buffer (where the Result still reads them) or, with ``discard``, DISCARDed."""
        while not s.done:
            if self._closed is not None:
                s.fail(self.lost(str(self._closed)))
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

    async def __aenter__(self) -> Connection:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    def __repr__(self) -> str:
        v = self.protocol_version
        return (f"<Connection {self.host}:{self.port} bolt={v[0]}.{v[1] if v else '?'} "
                f"server={self.server_agent!r}>" if v else f"<Connection {self.host}:{self.port}>")

    # -- opening --------------------------------------------------------------------------

    async def _open(self, ssl: _ssl.SSLContext | None, timeout: float | None,
                    connect_timeout: float | None = None) -> None:
        """Connect, negotiate and authenticate, all within ``timeout`` seconds in total; the
        connect itself (TCP, and TLS) also within ``connect_timeout``."""
        await asyncio.wait_for(self._open_steps(ssl, connect_timeout), timeout)

    async def _open_steps(self, ssl: _ssl.SSLContext | None,
                          connect_timeout: float | None = None) -> None:
        await asyncio.wait_for(
            self._loop.create_connection(lambda: _Protocol(self), self.host, self.port, ssl=ssl,
                                         server_hostname=self.server_hostname if ssl else None),
            connect_timeout)
        await asyncio.shield(self._handshake_done)
        await self._hello()

    async def _hello(self) -> None:
        v = self.negotiated_version
        auth = self._auth
        future = self._loop.create_future()

        def hello_done(meta: dict) -> None:
            self.server_agent = meta.get("server")
            self.connection_id = meta.get("connection_id")
            self.hints = self._core.hints  # (the core read them, and the utc patch)

        if not has("hello", v):
            notification_filters(v, self.notifications_min_severity, self.notifications_disabled_classifications)
            self._queue(Init(self._user_agent, auth), _Call("INIT", future, hello_done))
        else:
            # Every key HELLO might carry; each is sent only in the versions spec/bolt.yaml's
            # hello_extra table gives it (the credentials: until LOGON carries them).
            offer: dict[str, Any] = {"user_agent": self._user_agent}
            if not has("logon", v):
                offer.update(auth)
            if self._routing is not None:
                offer["routing"] = self._routing
            if patch_holds("utc", v):
                offer["patch_bolt"] = ["utc"]
            offer.update(notification_filters(v, self.notifications_min_severity,
                                              self.notifications_disabled_classifications))
            offer["bolt_agent"] = {
                "product": f"asyncbolt/{__version__}",
                "platform": f"{platform.system()} {platform.release()}; {platform.machine()}",
                "language": f"Python/{platform.python_version()}",
            }
            # (a key the table does not name, as a custom auth token's, is sent as given)
            extra = {k: x for k, x in offer.items()
                     if not known_key("hello_extra", k) or key_holds("hello_extra", k, v)}
            if has("logon", v):
                self._queue(Hello(extra), _Call("HELLO", None, hello_done))
                self._queue(Logon(auth), _Call("LOGON", future))
            else:
                self._queue(Hello(extra), _Call("HELLO", future, hello_done))
        self._flush()
        await future
        prefix = self.server_agent_prefix
        if prefix is not None and not (isinstance(self.server_agent, str)
                                       and self.server_agent.startswith(prefix)):
            raise UnsupportedServerProduct(f"{self.host}:{self.port}: server agent "
                                           f"{self.server_agent!r} does not start with {prefix!r}")


def notification_filters(version: Version, min_severity: str | None,
                         disabled_classifications: Iterable[str] | None) -> dict[str, Any]:
    """The HELLO extra keys of notification filters in Bolt ``version``, named as spec/bolt.yaml's
    hello_extra table has them: the disabled classifications are ``..._categories`` until 5.4
    and ``..._classifications`` from 5.5 (as the official drivers send them). Filters need Bolt
    5.2+ (ConfigurationError before)."""
    if min_severity is None and disabled_classifications is None:
        return {}
    if not key_holds("hello_extra", "notifications_minimum_severity", version):
        low = key_range("hello_extra", "notifications_minimum_severity")[0]
        raise ConfigurationError("Neo.ClientError.Request.Invalid",
                                 f"notification filters need Bolt {low[0]}.{low[1]}+; this connection speaks "
                                 f"{version[0]}.{version[1]}")
    extra: dict[str, Any] = {}
    if min_severity is not None:
        extra["notifications_minimum_severity"] = min_severity
    if disabled_classifications is not None:
        name = next(k for k in ("notifications_disabled_classifications", "notifications_disabled_categories")
                    if key_holds("hello_extra", k, version))
        extra[name] = list(disabled_classifications)
    return extra


# Names that moved to asyncbolt.client.connect and asyncbolt.compat.client, still importable from
# here (those modules import this one, so they are loaded on first use).
_MOVED = {name: "asyncbolt.client.connect" for name in (
    "connect", "parse_uri", "DEFAULT_PROPOSALS", "LEGACY_PROPOSALS", "_ssl_for",
    "_spell_out_pre_range", "_proposals", "_open_connection", "_Connect", "_FROM_URI")}
_MOVED.update({name: "asyncbolt.compat.client" for name in ("ClientSession", "ClientResponse",
                                                            "_seed_connect")})


if TYPE_CHECKING:  # (what the type checker sees; at run time __getattr__ loads them)
    from asyncbolt.client.connect import (  # noqa: F401
        DEFAULT_PROPOSALS,
        LEGACY_PROPOSALS,
        _Connect,
        _open_connection,
        _proposals,
        _spell_out_pre_range,
        _ssl_for,
        connect,
        parse_uri,
    )
    from asyncbolt.compat.client import ClientResponse, ClientSession, _seed_connect  # noqa: F401


def __getattr__(name: str) -> Any:
    module = _MOVED.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
