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

The protocol is decided by the sans-IO core under it (:class:`asyncbolt.core.client.ClientConnection`:
handshake, framing, decoding, routing answers to requests, the state machine, the RESET after a
failure, the read timeout); this module is its asyncio side (the transport, futures,
back-pressure, one timer), with results (``result``), transactions (``transaction``), what
requests carry (``requests``) and the planning of PULL/DISCARD (``streams``).
"""

from __future__ import annotations

import asyncio
import logging
import ssl as _ssl
from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from asyncbolt import __version__
from asyncbolt._generated.versions import (
    has,
    since,
)
from asyncbolt.client.auth import auth_token
from asyncbolt.client.checks import ServerChecks
from asyncbolt.client.notifications import NotificationFilters
from asyncbolt.client.opening import open_connection
from asyncbolt.client.requests import (
    tx_extra,
)
from asyncbolt.client.result import (
    Counters,
    Record,
    Result,
    Summary,
    _Call,
    _Handler,
    _PullSlot,
    _RunHandler,
    _Stream,
)
from asyncbolt.client.streams import ResultStreams
from asyncbolt.client.tls import lost_reason
from asyncbolt.client.transaction import Transaction
from asyncbolt.codec._offload import OFFLOAD_BYTES, decoder_pool
from asyncbolt.codec.messages import (
    Goodbye,
    Logoff,
    Logon,
    Reset,
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
    IncompleteCommit,
    Neo4jError,
    RequestIgnored,
    ResultConsumedError,
    ResultFailedError,
    ServiceUnavailable,
    TransactionError,
)

# (connect, parse_uri, ClientSession and ClientResponse moved, and are still importable from here)
__all__ = ["AUTO", "DEFAULT_READ_TIMEOUT", "Connection", "Result", "Record", "Summary", "Counters", "Transaction",
           "RequestIgnored", "ResultConsumedError", "ResultFailedError", "TransactionError",
           "IncompleteCommit"]

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


class Connection(ResultStreams, ServerChecks):
    """One Bolt connection. Make it with :func:`connect`."""

    #: Seconds the socket idles before TCP keep-alive probes it (None: no keep-alive); seconds a
    #: write may stay stuck (None: forever); why it ended.
    keep_alive: float | None = 60.0
    write_timeout: float | None = None
    end_reason: str | None = None
    #: Who gave the token and what it gave; re-authenticate first: see asyncbolt.client.auth_managers
    auth_manager: Any = None
    auth_given: Any = None
    auth_stale: bool = False

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
        error = exc if isinstance(exc, BoltError) else self._core.unexpected(exc, doing)
        try:
            self._abort(error)
        except Exception:  # pragma: no cover - _abort only fails futures and closes
            log.debug("aborting after an unexpected error failed", exc_info=True)
            if self._transport is not None:
                self._transport.abort()

    def _connection_lost(self, exc: Exception | None) -> None:
        error = self.lost(f"connection to {self.host}:{self.port} closed"
                          + lost_reason(exc, self._transport, self.protocol_version))
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
                planned = self._pull_request(item, v4, outbox[i + 1:])
                if planned is None:
                    continue
                item, handler = planned
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
            self.end_reason = self.end_reason or "our read timeout"
            self._abort(error)
            # The pool (and the routing tables) hear it, as of a dropped connection: the socket
            # closing later is expected by then, and says nothing.
            if self.on_error is not None and self.protocol_version is not None:
                self._report(error)
            return
        deadline = self._core.next_deadline()
        if deadline is not None:
            self._read_timer = self._loop.call_at(deadline, self._watch_reads)

    async def _drain(self) -> None:
        if self._write_paused and self._closed is None:
            self._drain_waiter = self._loop.create_future()
            await self._drain_waiter

    # -- public API -----------------------------------------------------------------------

    async def run(self, query: str, parameters: dict[str, Any] | None = None, *,
                  db: str | None = None, mode: str | None = None,
                  bookmarks: Iterable[str] | None = None, timeout: float | None = None,
                  metadata: dict[str, Any] | None = None, imp_user: str | None = None,
                  fetch_size: int | None = None, telemetry: int | None = None,
                  notifications: NotificationFilters | None = None, **kwparameters: Any) -> Result:
        """Queue a query (auto-commit) and return its Result; nothing waits for the server.
        ``telemetry``: an API number announced first (see :meth:`telemetry`).
        ``notifications``: this query's filters, over the connection's (Bolt 5.2+ sends them)."""
        self._check_open()
        if self._tx is not None:
            raise ClientError("Neo.ClientError.Request.Invalid",
                              "a transaction is open on this connection: run queries with tx.run()")
        extra = self._tx_extra(db, mode, bookmarks, timeout, metadata, imp_user, notifications)
        result = await self._run(query, {**(parameters or {}), **kwparameters}, extra, fetch_size,
                                 None, telemetry)
        result._s.notes = notifications  # (nothing was read since the RUN was queued)
        return result

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
                  timeout: float | None, metadata: dict | None, imp_user: str | None,
                  notes: NotificationFilters | None = None) -> dict[str, Any]:
        extra = tx_extra(self.negotiated_version, self.bookmarks, db, mode, bookmarks, timeout,
                         metadata, imp_user)
        return extra if notes is None else {**extra, **notes.extra("tx_extra", self.negotiated_version)}

    def begin(self, *, db: str | None = None, mode: str | None = None,
              bookmarks: Iterable[str] | None = None, timeout: float | None = None,
              metadata: dict[str, Any] | None = None, imp_user: str | None = None,
              fetch_size: int | None = None, telemetry: int | None = None,
              on_telemetry: Any = None, notifications: NotificationFilters | None = None) -> Transaction:
        """An explicit transaction: ``async with conn.begin() as tx`` commits on a clean exit and
        rolls back on an exception; or ``tx = await conn.begin()`` and commit/rollback yourself.
        ``fetch_size`` (records per PULL, -1: all) applies to the transaction's queries (default:
        the connection's). ``telemetry``: an API number announced before BEGIN (see
        :meth:`telemetry`; ``on_telemetry(meta)`` hears its SUCCESS). ``notifications``: as
        :meth:`run`'s, for every query of the transaction."""
        self._check_open()
        if not has("explicit_tx", self.negotiated_version):
            raise ClientError("Neo.ClientError.Request.Invalid",
                              f"explicit transactions need Bolt {format_version(since('explicit_tx'))}+ "
                              "(use RUN 'BEGIN' before)")
        if self._tx is not None:
            raise ClientError("Neo.ClientError.Request.Invalid", "a transaction is already open")
        extra = self._tx_extra(db, mode, bookmarks, timeout, metadata, imp_user, notifications)
        if telemetry is not None:
            self.telemetry(telemetry, on_telemetry)
        tx = Transaction(self, extra, fetch_size)
        tx._notes = notifications
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

    async def reauth(self, auth: Any, *, wait: bool = True) -> asyncio.Future | None:
        """Switch the authenticated user (Bolt 5.1+: LOGOFF, LOGON). ``wait=False``: only queue
        them, to go with the next request, and return the future of LOGON's answer."""
        self._check_open()
        if not has("logon", self.negotiated_version):
            raise ClientError("Neo.ClientError.Request.Invalid",
                              f"re-authentication needs Bolt {format_version(since('logon'))}+; "
                              "open a new connection instead")
        token = auth_token(auth)
        self._queue(Logoff(), _Call("LOGOFF", None))
        future = self._loop.create_future()
        self._queue(Logon(token), _Call("LOGON", future))
        if not wait:
            self._auth = token
            return future
        self._flush()
        await future
        self._auth = token
        return None

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
        """Connect, negotiate and authenticate (:func:`asyncbolt.client.opening.open_connection`)."""
        await open_connection(self, ssl, timeout, connect_timeout)


# Names that moved to asyncbolt.client.connect, asyncbolt.client.requests and
# asyncbolt.compat.client, still importable from here (loaded on first use: the first and the
# last import this module).
_MOVED = {name: "asyncbolt.client.connect" for name in (
    "connect", "parse_uri", "DEFAULT_PROPOSALS", "LEGACY_PROPOSALS")}
_MOVED.update({name: "asyncbolt.compat.client" for name in ("ClientSession", "ClientResponse")})
_MOVED["notification_filters"] = "asyncbolt.client.requests"


if TYPE_CHECKING:  # (what the type checker sees; at run time __getattr__ loads them)
    from asyncbolt.client.connect import (  # noqa: F401
        DEFAULT_PROPOSALS,
        LEGACY_PROPOSALS,
        connect,
        parse_uri,
    )
    from asyncbolt.client.requests import notification_filters  # noqa: F401
    from asyncbolt.compat.client import ClientResponse, ClientSession  # noqa: F401


def __getattr__(name: str) -> Any:
    module = _MOVED.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
