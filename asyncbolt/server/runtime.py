"""Serve Bolt: subclass :class:`ServerSession`, call :func:`serve`.

    import asyncbolt

    class Echo(asyncbolt.ServerSession):
        async def run(self, query, parameters, extra):
            return asyncbolt.Result(["query", "parameters"], [[query, parameters]])

    server = await asyncbolt.serve(Echo, host="127.0.0.1", port=7687)

The official Neo4j drivers (and tools built on them) then talk to it as to Neo4j. The runtime
owns the protocol — negotiation of every version in spec/ (``asyncbolt.VERSIONS``), chunking, the state machine, PULL n /
DISCARD n flow control with back-pressure, RESET interrupting a running stream, FAILURE then
IGNORED until RESET, GOODBYE, TLS; a session only answers questions about data. Each connection
gets its own session instance.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import itertools
import logging
import secrets
import ssl as _ssl
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from typing import Any, TypeVar

from asyncbolt._generated.versions import NEO4J_RELEASES, has, key_holds, patch_holds
from asyncbolt.codec._offload import OFFLOAD_BYTES, decoder_pool
from asyncbolt.codec.messages import (
    Begin,
    Discard,
    Hello,
    Init,
    Logon,
    Message,
    Pull,
    Route,
    Run,
    Telemetry,
)
from asyncbolt.codec.packstream import (
    DEFAULT_MAX_DECODED_VALUES,
    DEFAULT_MAX_DEPTH,
    check_max_decoded_values,
)
from asyncbolt.core.server import (
    DEFAULT_MAX_MESSAGE_SIZE,
    DEFAULT_MAX_UNAUTHENTICATED_MESSAGE_SIZE,
    Closed,
    Request,
    ServerConnection,
)
from asyncbolt.errors import AuthError, ClientError, DatabaseError, Neo4jError, TransientError
from asyncbolt.security import require_tls12

__all__ = ["Result", "ServerSession", "Server", "ConnectionInfo", "serve", "create_server"]

log = logging.getLogger(__name__)

#: HELLO extra keys that carry the auth token up to Bolt 5.0.
_AUTH_KEYS = ("scheme", "principal", "credentials", "realm", "parameters")
#: Bytes of RECORDs buffered before the runtime writes and waits for the socket to drain.
_FLUSH_BYTES = 64 * 1024
#: Defaults of serve()'s limits: seconds to authenticate (Neo4j's default too), connections.
DEFAULT_AUTH_TIMEOUT = 30.0
DEFAULT_MAX_CONNECTIONS = 1000
#: Seconds without an answer taken by a client that does not read them (see serve()).
DEFAULT_WRITE_TIMEOUT = 300.0
#: Seconds an authenticated connection may stay idle (see serve()).
DEFAULT_IDLE_TIMEOUT = 600.0
# Connections being refused at once (handshake + FAILURE) before further ones are just closed.
_MAX_REFUSING = 64
#: Input back-pressure: a connection is not read while more requests than the high watermark
#: (or more bytes of them) wait unanswered; reading resumes below the low one (Neo4j: 300/100).
_QUEUE_HIGH, _QUEUE_LOW = 300, 100
_QUEUE_HIGH_BYTES, _QUEUE_LOW_BYTES = 1024 * 1024, 256 * 1024
#: Above this many bytes unsent, drain() waits with the write timeout (asyncio's high-water mark).
_WRITE_HIGH = 64 * 1024
#: Seconds a connection ended by a FAILURE keeps reading (and dropping) what the client still
#: sends, so that the FAILURE reaches it (see _Handler.linger()).
_LINGER = 2.0
#: Refused connections are logged once, then summed up at most once per this many seconds.
_REFUSAL_LOG_INTERVAL = 10.0
#: Default of serve()'s max_unauthenticated_connections / max_connections_per_address: a
#: fraction of max_connections (see serve()).
AUTO = "auto"
_ROUTING_PROCEDURES = ("dbms.routing.getroutingtable", "dbms.cluster.routing.getroutingtable")
#: Transactions as queries (Memgraph's dialect, which pymgclient speaks: with its DB-API default
#: ``autocommit=False`` every statement is preceded by RUN "BEGIN" and ended by RUN "COMMIT").
_TX_QUERIES = frozenset({"BEGIN", "COMMIT", "ROLLBACK"})


def _statement_bookmarks(parameters: dict[str, Any]) -> dict[str, Any]:
    """BEGIN's extra from the parameters of a Bolt 1/2 RUN "BEGIN", where the drivers of that era
    (the JavaScript driver 1.7, as Neo4j 3.x read them) put ``bookmark`` and/or ``bookmarks``."""
    given = parameters.get("bookmarks")
    if not isinstance(given, list):
        single = parameters.get("bookmark")
        given = [single] if isinstance(single, str) else []
    bookmarks = [b for b in given if isinstance(b, str)]
    return {"bookmarks": bookmarks} if bookmarks else {}


class Result:
    """What :meth:`ServerSession.run` returns.

    ``fields``: the column names. ``records``: an iterable or async iterable of rows (lists or
    tuples, one value per field); it is consumed lazily, only as far as the client's PULLs ask,
    so it may be endless. ``metadata`` is merged into the final SUCCESS (``type``, ``stats``,
    ``plan``, ``profile``, ``notifications``, ``bookmark``...).
    """

    __slots__ = ("fields", "records", "metadata")

    def __init__(self, fields: Iterable[str], records: Iterable[Any] | AsyncIterable[Any] = (),
                 metadata: dict[str, Any] | None = None) -> None:
        self.fields = list(fields)
        if not all(isinstance(f, str) for f in self.fields):
            raise TypeError("Result fields must be strings")
        self.records = records
        self.metadata = dict(metadata or {})

    def __repr__(self) -> str:
        return f"Result(fields={self.fields!r}, metadata={self.metadata!r})"


class ConnectionInfo:
    """What a session knows about its connection."""

    __slots__ = ("id", "peer", "local", "version", "user_agent", "bolt_agent", "routing", "user")

    def __init__(self, id: str, peer: Any, local: Any) -> None:
        self.id = id
        self.peer = peer
        self.local = local
        self.version: tuple[int, int] | None = None
        self.user_agent: str | None = None
        self.bolt_agent: dict | None = None
        self.routing: dict | None = None
        self.user: str | None = None

    def __repr__(self) -> str:
        return f"ConnectionInfo(id={self.id!r}, peer={self.peer!r}, version={self.version!r})"


class ServerSession:
    """Subclass and override the hooks; one instance serves one connection.

    Hooks may be coroutines or plain functions. Raise :class:`asyncbolt.ClientError` (or
    ``TransientError``, ``DatabaseError``) from any hook to send a FAILURE with that code and
    message; :class:`asyncbolt.AuthError` from :meth:`authenticate` refuses the client. Any other
    exception becomes ``Neo.DatabaseError.General.UnknownError`` (and is logged): it never takes
    the server down.

    The seed API still works: a ``run(self, statement, parameters)`` with two parameters returning
    a plain value answers one record with that value in a column named ``result``;
    ``verify_auth_token(auth_token)`` and ``get_server_metadata()`` are honoured.
    """

    #: Set by the runtime before the first hook runs.
    connection: ConnectionInfo

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The seed passed (loop, **kwargs); accept and keep the keyword arguments.
        self.options = kwargs

    async def authenticate(self, auth: dict[str, Any]) -> None:
        """Check an auth token ({scheme, principal, credentials, ...}); raise AuthError to refuse.

        The default accepts everyone (or defers to the seed's ``verify_auth_token``)."""
        verify = getattr(self, "verify_auth_token", None)
        if verify is not None:
            result = verify(auth)
            if inspect.isawaitable(result):
                await result

    async def run(self, query: str, parameters: dict[str, Any], extra: dict[str, Any]) -> Result:
        """Run a query; return a :class:`Result`."""
        raise ClientError("Neo.ClientError.Statement.SyntaxError",
                          f"{type(self).__name__} does not run queries")

    async def begin(self, extra: dict[str, Any]) -> None:
        """Open an explicit transaction (bookmarks, tx_timeout, tx_metadata, mode, db, ...)."""

    async def commit(self) -> dict[str, Any]:
        """Commit; return SUCCESS metadata, e.g. ``{"bookmark": "..."}``."""
        return {}

    async def rollback(self) -> None:
        """Roll the explicit transaction back."""

    async def route(self, routing: dict[str, Any], bookmarks: list[str],
                    extra: dict[str, Any]) -> dict[str, Any]:
        """The routing table: ``{"ttl": s, "db": name, "servers": [{"addresses", "role"}]}``.

        The default names this server in every role."""
        address = (routing or {}).get("address") or _address(self.connection.local)
        return {
            "ttl": 300,
            "db": extra.get("db") or "neo4j",
            "servers": [{"addresses": [address], "role": role} for role in ("ROUTE", "READ", "WRITE")],
        }

    async def reset(self) -> None:
        """The client reset the connection (after results and transaction were dropped)."""

    async def logoff(self) -> None:
        """The client dropped its authentication (Bolt 5.1+)."""

    async def telemetry(self, api: int) -> None:
        """Which driver API the client used (Bolt 5.4+): 0 managed tx ... 3 execute_query."""

    async def close(self) -> None:
        """The connection ended; release what the session holds."""


def _address(sockname: Any) -> str:
    if isinstance(sockname, tuple) and len(sockname) >= 2:
        host = sockname[0]
        return f"[{host}]:{sockname[1]}" if ":" in str(host) else f"{host}:{sockname[1]}"
    return str(sockname)


def _host(peer: Any) -> Any:
    """The address part of a peer name (per-address limits count hosts, not ports)."""
    return peer[0] if isinstance(peer, tuple) and peer else peer


async def _start_tls(writer: asyncio.StreamWriter, context: _ssl.SSLContext, timeout: float | None) -> None:
    """Upgrade an accepted plain connection to TLS (server side)."""
    if hasattr(writer, "start_tls"):  # Python 3.11+
        await writer.start_tls(context, ssl_handshake_timeout=timeout)
        return
    # Python 3.10: what StreamWriter.start_tls does in 3.11.
    loop = asyncio.get_running_loop()
    protocol = writer.transport.get_protocol()
    transport = await loop.start_tls(writer.transport, protocol, context, server_side=True,
                                     ssl_handshake_timeout=timeout)
    # asyncio's private fields (3.10 has no StreamWriter.start_tls): untyped on purpose.
    writer._transport = transport  # type: ignore[attr-defined]
    protocol._transport = transport  # type: ignore[attr-defined]
    protocol._over_ssl = True  # type: ignore[attr-defined]


@functools.lru_cache(maxsize=256)
def _takes_two(run: Callable[..., Any]) -> bool:
    """Whether a session class's ``run`` has the seed's signature ``run(self, statement, parameters)``."""
    try:
        return len(inspect.signature(run).parameters) == 3
    except (TypeError, ValueError):
        return False


def _reference() -> str:
    """An opaque id that ties a generic FAILURE to its server log line."""
    return secrets.token_hex(6)


def _unexpected(what: str) -> DatabaseError:
    """Log the exception being handled (with its traceback) and return the FAILURE for the client:
    a generic message and a reference to the log line, never the exception's text, which may
    hold paths, queries, secrets or other internals."""
    reference = _reference()
    log.exception("%s (reference %s)", what, reference)
    return DatabaseError("Neo.DatabaseError.General.UnknownError",
                         f"An unexpected error occurred in the server (reference {reference}); "
                         "the server log has the details.")


async def _maybe_await(value: Any) -> Any:
    if inspect.isawaitable(value):
        return await value
    return value


_END = object()  # a result has no more rows
_NOTHING = object()  # no row was peeked


class _Stream:
    """An open result: its rows are pulled lazily."""

    __slots__ = ("fields", "metadata", "_iter", "_aiter", "_peeked", "done")

    def __init__(self, result: Result) -> None:
        self.fields = result.fields
        self.metadata = result.metadata
        records = result.records
        # Exactly one of the two is set.
        self._iter: Iterator[Any] | None = None
        self._aiter: AsyncIterator[Any] | None = None
        self._peeked: Any = _NOTHING
        if isinstance(records, AsyncIterable):
            self._aiter = records.__aiter__()
        else:
            self._iter = iter(records)
        self.done = False

    async def close(self) -> None:
        aclose = getattr(self._aiter, "aclose", None)
        if aclose is not None:
            await aclose()
        close = getattr(self._iter, "close", None)
        if close is not None:
            close()
        self.done = True


_M = TypeVar("_M", bound=Message)


def _message(request: Request, cls: type[_M]) -> _M:
    """The request's message as the class its handler expects (the state table routes each
    request name to one handler, so anything else is a bug here, not the client's)."""
    message = request.message
    if not isinstance(message, cls):
        raise TypeError(f"{request.name} decoded as {type(message).__name__}, not {cls.__name__}")
    return message


class _Handler:
    """Runs one connection: feeds the sans-IO core, calls the session's hooks."""

    def __init__(self, server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 refuse: Neo4jError | None = None) -> None:
        self.server = server
        self.reader = reader
        self.writer = writer
        self.conn = ServerConnection(
            server.versions, max_message_size=server.max_message_size, max_chunks=server.max_chunks,
            max_depth=server.max_depth,
            max_unauthenticated_message_size=server.max_unauthenticated_message_size,
            max_decoded_values=server.max_decoded_values)
        #: Whether the server counts this connection as authenticated (see sync_auth()).
        self.counted_authenticated = False
        #: Set while the read loop may read (cleared while too many requests wait unanswered).
        self.room = asyncio.Event()
        self.room.set()
        #: Answer for the first request instead of serving it (the server is full).
        self.refuse = refuse
        loop = asyncio.get_running_loop()
        #: When the client must have authenticated by (None: it has, or there is no limit).
        self.auth_deadline = None if server.auth_timeout is None else loop.time() + server.auth_timeout
        #: When the last request was answered or bytes arrived (for idle_timeout).
        self.last_activity = self.opened = loop.time()
        #: The pending time-limit check (see arm()), and whether a write waits on the client.
        self.timer: asyncio.TimerHandle | None = None
        self.draining = False
        self.buffered = 0  # bytes the transport held when checked last while draining
        #: When bytes were last written, and the NOOP keep-alive check (see keep_alive()).
        self.last_write = self.opened
        self.keepalive: asyncio.TimerHandle | None = None
        peer = writer.get_extra_info("peername")
        local = writer.get_extra_info("sockname")
        self.info = ConnectionInfo(f"bolt-{next(server._ids)}", peer, local)
        self.session: ServerSession | None = None
        self.streams: dict[Any, _Stream] = {}
        self.in_tx = False
        #: The transaction was begun by RUN "BEGIN" (see _tx_query()), not by a BEGIN message.
        self.query_tx = False
        self.wake = asyncio.Event()
        self.eof = False
        # Resolved when a RESET arrives, so a hook still running can be cancelled.
        self.interrupt: asyncio.Future = asyncio.get_running_loop().create_future()

    # -- I/O ------------------------------------------------------------------------------

    def flush(self) -> None:
        data = self.conn.data_to_send()
        if data and not self.writer.is_closing():
            self.writer.write(data)
            self.last_write = asyncio.get_running_loop().time()

    def keep_alive(self) -> None:
        """With ``recv_timeout`` set, the server promised (HELLO's ``connection.recv_timeout_
        seconds`` hint) to send something at least that often while the client waits for an
        answer: during a long-running hook, a NOOP (``00 00``, Bolt 4.1+) every half of it."""
        self.keepalive = None
        conn = self.conn
        if conn.closed or self.writer.is_closing():
            return
        loop = asyncio.get_running_loop()
        recv_timeout = self.server.recv_timeout
        if recv_timeout is None:  # (only armed with a recv_timeout)
            return
        interval = recv_timeout / 2
        now = loop.time()
        if conn.version is not None and has("noop_chunks", conn.version) and conn.current is not None:
            # (a timer set for last_write + interval may fire a hair early by float rounding)
            if now - self.last_write >= interval * 0.99:
                # Safe between any two writes: flush() only ever writes whole messages.
                self.writer.write(b"\x00\x00")
                self.last_write = now
            when = self.last_write + interval  # counted from the last write, not from now
        else:
            when = now + interval
        self.keepalive = loop.call_at(max(when, now + interval / 100), self.keep_alive)

    def _read_limit(self, now: float) -> tuple[float | None, str]:
        """Seconds left until the nearest deadline that applies now, and which one it is
        (None: no limit applies)."""
        server = self.server
        deadlines = []
        if self.conn.version is None and server.handshake_timeout is not None:
            # The whole handshake must finish in time, however the bytes trickle in.
            deadlines.append((self.opened + server.handshake_timeout, "handshake"))
        if self.auth_deadline is not None:
            deadlines.append((self.auth_deadline, "authentication"))
        elif server.idle_timeout is not None:
            deadlines.append((self.last_activity + server.idle_timeout, "idle"))
        if not deadlines:
            return None, ""
        when, what = min(deadlines)
        return when - now, what

    def arm(self) -> None:
        """(Re)schedule the time-limit check for the nearest deadline that applies now.

        Called when the deadlines change (connecting, authenticating, LOGOFF); activity only
        pushes a deadline later, so the check, when it fires early, just schedules itself again.
        """
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        loop = asyncio.get_running_loop()
        limit, _ = self._read_limit(loop.time())
        if limit is not None and not self.conn.closed:
            self.timer = loop.call_later(max(limit, 0.0), self._check_time)

    def _check_time(self) -> None:
        self.timer = None
        if self.conn.closed:
            return
        loop = asyncio.get_running_loop()
        limit, what = self._read_limit(loop.time())
        if limit is None:
            return
        if limit > 0:
            self.timer = loop.call_later(limit, self._check_time)
            return
        if what == "idle" and (self.busy() or self.progressing()):
            self.last_activity = loop.time()  # working for the client: not idle
            self.arm()
            return
        self.timed_out(what)

    def progressing(self) -> bool:
        """Waiting on the client to take what was written, and it took some since last time."""
        if not self.draining:
            return False
        size = self.writer.transport.get_write_buffer_size()
        if size < self.buffered:
            self.buffered = size
            return True
        return False

    async def read_loop(self) -> None:
        """Read until EOF; RESET's arrival is noticed here, while a hook may be running."""
        loop = asyncio.get_running_loop()
        try:
            conn = self.conn
            while not conn.closed:
                data = await self.reader.read(65536)
                self.last_activity = loop.time()
                conn.receive_data(data)
                if conn.version is None or not data:
                    self.flush()  # handshake answer, or refusal
                if conn.interrupted and not self.interrupt.done():
                    self.interrupt.set_result(None)
                self.wake.set()
                if not data:
                    break
                if conn.queued > _QUEUE_HIGH or conn.queued_bytes > _QUEUE_HIGH_BYTES:
                    # Back-pressure: read nothing more (the socket buffers fill, then the
                    # client's sends block) until the backlog is answered down to the low mark.
                    self.room.clear()
                    await self.room.wait()
        except (ConnectionError, OSError) as exc:
            log.debug("%s: read failed: %s", self.info.id, exc)
            self.conn.receive_data(b"")
        finally:
            self.eof = True
            self.wake.set()

    async def drain(self) -> None:
        """Wait until the client has taken enough of what was written. A client that takes
        its records, however slowly, is active: only one that takes nothing for idle_timeout
        is dropped."""
        self.draining = True
        transport = self.writer.transport
        self.buffered = size = transport.get_write_buffer_size()
        limit = self.server.write_timeout
        try:
            if limit is None or size <= _WRITE_HIGH:
                await self.writer.drain()
            else:
                # The client must take some of what waits within write_timeout, again and again.
                task = asyncio.ensure_future(self.writer.drain())
                try:
                    while not (await asyncio.wait((task,), timeout=limit))[0]:
                        now = transport.get_write_buffer_size()
                        if now >= size:
                            self.write_timed_out()
                            break
                        size = now
                finally:
                    if not task.done():
                        task.cancel()
                if task.done() and not task.cancelled():
                    task.result()
        finally:
            self.draining = False
        self.last_activity = asyncio.get_running_loop().time()

    def write_timed_out(self) -> None:
        log.info("%s: the client took none of the %d bytes waiting for it in %ss, closing",
                 self.info.id, self.writer.transport.get_write_buffer_size(), self.server.write_timeout)
        self.drop(f"the client read nothing for {self.server.write_timeout}s")

    def busy(self) -> bool:
        """A request of this client is being answered (a hook runs, or records are sent to a
        client that reads them)."""
        return self.conn.current is not None and not self.draining

    def timed_out(self, what: str) -> None:
        """A time limit ran out (see :func:`serve`): close the connection."""
        server = self.server
        seconds = {"handshake": server.handshake_timeout, "authentication": server.auth_timeout,
                   "idle": server.idle_timeout}[what]
        reason = {"handshake": f"no handshake within {seconds}s",
                  "authentication": f"not authenticated within {seconds}s",
                  "idle": f"idle for {seconds}s"}[what]
        log.info("%s: %s, closing", self.info.id, reason)
        self.conn.close(reason)
        self.wake.set()
        if self.draining:  # stuck writing to a client that does not read: drop it
            self.writer.transport.abort()

    def authenticating(self) -> bool:
        """A request of this (unauthenticated) client is queued or being answered."""
        return self.conn.current is not None or self.conn.queued > 0

    def evict(self, reason: str) -> None:
        """Close at once, to make room for a newer connection (see Server._make_room())."""
        log.debug("%s: %s", self.info.id, reason)
        self.drop(reason)

    def drop(self, reason: str) -> None:
        """End the connection at once (nothing more is written), and wake the loops waiting
        on it."""
        self.conn.close(reason)
        self.writer.transport.abort()
        self.wake.set()
        self.room.set()

    async def linger(self) -> None:
        """After a FAILURE that ends the connection (a request too big or malformed, wrong
        credentials), the client may still be sending: closing with its bytes unread would
        reset the connection, and a reset throws away the FAILURE before the client reads it.
        So: send the FAILURE and a FIN, then read and drop what still comes, until the client
        closes too or _LINGER seconds have passed."""
        writer = self.writer
        if writer.is_closing() or not writer.can_write_eof():
            return  # (TLS cannot half-close: the client would see no end until _LINGER is up)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + _LINGER
        try:
            writer.write_eof()
            while True:
                left = deadline - loop.time()
                if left <= 0 or not await asyncio.wait_for(self.reader.read(65536), left):
                    return
        except (asyncio.TimeoutError, ConnectionError, OSError):
            return

    async def start_tls(self) -> bool:
        """The TLS handshake, within what is left of handshake_timeout (from accept)."""
        server = self.server
        loop = asyncio.get_running_loop()
        timeout = None
        if server.handshake_timeout is not None:
            timeout = max(self.opened + server.handshake_timeout - loop.time(), 0.001)
        try:
            # Awaited directly, nothing before it (no task, no wait_for): the ClientHello must
            # reach the TLS layer, not the plain stream. ssl_handshake_timeout bounds it.
            assert server.ssl is not None  # (only called when serving TLS)
            await _start_tls(self.writer, server.ssl, timeout)
        except (asyncio.TimeoutError, ConnectionError, OSError, _ssl.SSLError) as exc:
            log.debug("%s: TLS handshake failed: %r", self.info.id, exc)
            self.writer.transport.abort()
            return False
        return True

    async def run(self) -> None:
        if self.server.ssl is not None and not await self.start_tls():
            return
        reader_task = asyncio.ensure_future(self.read_loop())
        self.arm()
        if self.server.recv_timeout:
            self.keep_alive()
        try:
            await self.process()
        except (ConnectionError, OSError) as exc:
            log.debug("%s: connection lost: %s", self.info.id, exc)
        except Exception:
            log.exception("%s: unexpected error; closing the connection", self.info.id)
        finally:
            reader_task.cancel()
            for timer in (self.timer, self.keepalive):
                if timer is not None:
                    timer.cancel()
            self.timer = self.keepalive = None
            for stream in list(self.streams.values()):
                try:
                    await stream.close()
                except Exception:
                    log.exception("%s: closing a result failed", self.info.id)
            self.streams.clear()
            if self.session is not None:
                try:
                    await _maybe_await(self.session.close())
                except Exception:
                    log.exception("%s: session.close() failed", self.info.id)
            try:
                self.flush()
                if self.conn.failed_last and not self.eof:
                    await self.linger()
                self.writer.close()
                await asyncio.wait_for(self.writer.wait_closed(), 5)
            except (ConnectionError, OSError, asyncio.TimeoutError):
                pass
            except asyncio.CancelledError:
                raise

    async def process(self) -> None:
        conn = self.conn
        loop = asyncio.get_running_loop()
        while True:
            payload = conn.large_request(OFFLOAD_BYTES)
            if payload is not None:
                # Off the event loop: the pure-Python decoder lets it run every few ms (the
                # GIL's switch interval); the C one is fast enough (~80 ms for the worst the
                # default budget allows) not to matter.
                conn.decoded(payload, await loop.run_in_executor(decoder_pool(), conn.decode_request,
                                                                 payload))
            event = conn.next_event()
            self.flush()
            if not self.room.is_set() and (conn.closed or (conn.queued <= _QUEUE_LOW
                                                           and conn.queued_bytes <= _QUEUE_LOW_BYTES)):
                self.room.set()  # the read loop may read again
            if event is None:
                if conn.queued and not conn.closed and conn.current is None:
                    # next_event() paused its automatic answers until these are taken.
                    await self.drain()
                    continue
                if self.eof and not conn.closed:
                    conn.receive_data(b"")
                    continue
                self.wake.clear()
                await self.drain()
                await self.wake.wait()
                continue
            if isinstance(event, Closed):
                log.debug("%s: closed: %s", self.info.id, event.reason)
                return
            await self.dispatch(event)
            if conn.authenticated != self.counted_authenticated:
                self.server._authenticated(self, conn.authenticated)
            self.last_activity = asyncio.get_running_loop().time()
            self.flush()
            if self.writer.transport.get_write_buffer_size() > _FLUSH_BYTES:
                await self.drain()

    # -- requests -------------------------------------------------------------------------

    async def dispatch(self, request: Request) -> None:
        conn = self.conn
        name = request.name
        if not conn.interrupted and self.interrupt.done():
            self.interrupt = asyncio.get_running_loop().create_future()
        if self.refuse is not None:
            log.debug("%s: refused: %s", self.info.id, self.refuse.message)
            conn.failure(self.refuse)
            conn.close(self.refuse.message)
            return
        try:
            handler = getattr(self, "on_" + name.lower())
            if name == "RESET":
                await handler(request)
            else:
                await self._interruptible(handler(request))
        except Neo4jError as exc:
            self._fail(exc)
        except asyncio.CancelledError:
            raise
        except Exception:
            self._fail(_unexpected(f"{self.info.id}: {name} failed in the session"))
        if conn.current is request:  # a handler that forgot to answer must not hang the client
            log.error("%s: %s was not answered; sending FAILURE", self.info.id, name)
            conn.failure(DatabaseError(message=f"the server did not answer {name}"))

    async def _interruptible(self, work: Any) -> None:
        """Run a hook; if a RESET arrives meanwhile, cancel it (its request is IGNORED)."""
        task = asyncio.ensure_future(work)
        if not task.done():
            await asyncio.wait((task, self.interrupt), return_when=asyncio.FIRST_COMPLETED)
        if not task.done():
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                me = asyncio.current_task()
                if me is not None and getattr(me, "cancelling", lambda: 0)():
                    raise  # we are being cancelled ourselves, not just the hook
            except Exception:
                log.debug("%s: interrupted work raised", self.info.id, exc_info=True)
            if self.conn.current is not None:
                self.conn.ignored()
            return
        task.result()

    def _fail(self, exc: Neo4jError) -> None:
        if self.conn.current is None:
            return
        if self.conn.interrupted:
            self.conn.ignored()
        else:
            self.conn.failure(exc)

    def _ensure_session(self) -> ServerSession:
        if self.session is None:
            session = self.server.session_factory()
            session.connection = self.info
            self.session = session
        return self.session

    @property
    def version(self) -> tuple[int, int]:
        """The negotiated version (requests are only dispatched after the handshake)."""
        version = self.conn.version
        if version is None:
            raise RuntimeError("no Bolt version negotiated yet")
        return version

    async def on_init(self, request: Request) -> None:
        msg = _message(request, Init)
        self.info.version = self.version
        self.info.user_agent = msg.user_agent
        session = self._ensure_session()
        await self._authenticate(session, msg.auth_token or {})
        self.conn.success(await self._hello_metadata(session, {}))

    async def on_hello(self, request: Request) -> None:
        extra = _message(request, Hello).extra or {}
        self.info.version = self.version
        self.info.user_agent = extra.get("user_agent")
        self.info.bolt_agent = extra.get("bolt_agent")
        self.info.routing = extra.get("routing")
        session = self._ensure_session()
        if not has("logon", self.version):
            await self._authenticate(session, {k: extra[k] for k in _AUTH_KEYS if k in extra})
        self.conn.success(await self._hello_metadata(session, extra))

    async def _authenticate(self, session: ServerSession, auth: dict) -> None:
        if auth.get("scheme") is None:
            auth = {**auth, "scheme": "none"}
        try:
            await _maybe_await(session.authenticate(auth))
        except Neo4jError:
            raise
        except Exception as exc:
            # Refused, with the generic message: the exception's text stays in the server log.
            reference = _reference()
            log.exception("%s: authenticate() raised (reference %s)", self.info.id, reference)
            raise AuthError() from exc
        self.info.user = auth.get("principal")
        self.auth_deadline = None
        self.arm()

    async def _hello_metadata(self, session: ServerSession, extra: dict) -> dict[str, Any]:
        version = self.version
        meta: dict[str, Any] = {"server": self.server.agent_for(version)}
        seed = getattr(session, "get_server_metadata", None)
        if seed is not None:
            meta.update(await _maybe_await(seed()) or {})
        if key_holds("success_metadata", "connection_id", version):
            meta["connection_id"] = self.info.id
        if key_holds("success_metadata", "hints", version):
            hints: dict[str, Any] = {}
            if self.server.recv_timeout is not None:
                hints["connection.recv_timeout_seconds"] = self.server.recv_timeout
            if key_holds("hints", "telemetry.enabled", version):
                hints["telemetry.enabled"] = self.server.telemetry
            meta["hints"] = hints
        if patch_holds("utc", version) and "utc" in (extra.get("patch_bolt") or ()):
            meta["patch_bolt"] = ["utc"]
        if self.conn.manifest:
            meta["protocol_version"] = f"{version[0]}.{version[1]}"
        return meta

    async def on_logon(self, request: Request) -> None:
        await self._authenticate(self._ensure_session(), _message(request, Logon).auth or {})
        self.conn.success({})

    async def on_logoff(self, request: Request) -> None:
        await _maybe_await(self._ensure_session().logoff())
        self.info.user = None
        limit = self.server.auth_timeout
        # Logged off: the next LOGON is due within auth_timeout, as after connecting.
        self.auth_deadline = None if limit is None else asyncio.get_running_loop().time() + limit
        self.arm()
        self.conn.success({})

    async def on_telemetry(self, request: Request) -> None:
        await _maybe_await(self._ensure_session().telemetry(_message(request, Telemetry).api))
        self.conn.success({})

    async def on_ack_failure(self, request: Request) -> None:
        self.conn.success({})

    async def on_reset(self, request: Request) -> None:
        await self._drop_streams()
        session = self._ensure_session()
        self.query_tx = False
        if self.in_tx:
            self.in_tx = False
            try:
                await _maybe_await(session.rollback())
            except Exception:
                log.exception("%s: rollback during RESET failed", self.info.id)
        await _maybe_await(session.reset())
        self.conn.success({})

    async def _drop_streams(self) -> None:
        for stream in list(self.streams.values()):
            await stream.close()
        self.streams.clear()

    async def on_begin(self, request: Request) -> None:
        await _maybe_await(self._ensure_session().begin(_message(request, Begin).extra or {}))
        self.in_tx, self.query_tx = True, False
        self.conn.success({})

    async def on_commit(self, request: Request) -> None:
        await self._drop_streams()
        self.conn.success(await self._commit())

    async def _commit(self) -> dict[str, Any]:
        self.in_tx = self.query_tx = False
        meta = dict(await _maybe_await(self._ensure_session().commit()) or {})
        if "bookmark" not in meta:
            # Neo4j always answers COMMIT with a bookmark, and drivers rely on it: the Python
            # driver 1.7 sends the last one it got (``[None]`` when there was none) in its next
            # BEGIN. A session that tracks its own passes it; otherwise one is made up.
            meta["bookmark"] = self.server.next_bookmark()
        return meta

    async def on_rollback(self, request: Request) -> None:
        await self._drop_streams()
        self.in_tx = self.query_tx = False
        await _maybe_await(self._ensure_session().rollback())
        self.conn.success({})

    async def on_route(self, request: Request) -> None:
        msg = _message(request, Route)
        extra = msg.extra if msg.extra is not None and has("route_extra", self.version) else {"db": msg.db}
        extra = {k: v for k, v in (extra or {}).items() if v is not None}
        table = await _maybe_await(self._ensure_session().route(msg.routing or {}, msg.bookmarks or [], extra))
        self.conn.success({"rt": table})

    async def on_run(self, request: Request) -> None:
        msg = _message(request, Run)
        session = self._ensure_session()
        extra = msg.extra or {}
        started = time.monotonic()
        tx_word = msg.query.strip().rstrip(";").rstrip().upper() if len(msg.query) <= 16 else ""
        if tx_word in _TX_QUERIES and (self.query_tx or (tx_word == "BEGIN" and not self.in_tx)):
            if not has("tx_extra", self.version):  # Bolt 1/2 (no RUN extra): BEGIN's parameters name them
                extra = _statement_bookmarks(msg.parameters or {})
            result = await self._tx_query(session, tx_word, extra)
        elif msg.query.strip().lower().startswith("call ") and any(
                p in msg.query.lower() for p in _ROUTING_PROCEDURES):
            result = await self._routing_procedure(session, msg.parameters or {}, extra)
        else:
            result = await self._call_run(session, msg.query, msg.parameters or {}, extra)
        if request.stream == "auto":
            await self._drop_streams()
        self.streams[request.stream] = _Stream(result)
        meta: dict[str, Any] = {"fields": result.fields}
        elapsed = int((time.monotonic() - started) * 1000)
        meta["t_first" if key_holds("success_metadata", "t_first", self.version)
             else "result_available_after"] = elapsed
        self.conn.success(meta)

    async def _call_run(self, session: ServerSession, query: str, parameters: dict, extra: dict) -> Result:
        # (a seed-style session overrides run() with two parameters)
        run: Callable[..., Any] = session.run
        seed_style = _takes_two(type(session).run)
        value = await _maybe_await(run(query, parameters) if seed_style else run(query, parameters, extra))
        if isinstance(value, Result):
            return value
        if seed_style:
            return Result(["result"], [[value]])
        raise TypeError(f"run() must return asyncbolt.Result, not {type(value).__name__}")

    async def _tx_query(self, session: ServerSession, word: str, extra: dict) -> Result:
        """RUN "BEGIN"/"COMMIT"/"ROLLBACK" as Memgraph answers them (pymgclient's transactions):
        the session's begin()/commit()/rollback() hooks, as for the messages, and an empty
        result. Only outside a transaction for BEGIN and inside one begun so for the others;
        any other time the query goes to the session's run() like any query."""
        await self._drop_streams()
        if word == "BEGIN":
            await _maybe_await(session.begin(dict(extra)))
            self.in_tx = self.query_tx = True
            return Result([], [])
        if word == "COMMIT":
            return Result([], [], await self._commit())
        self.in_tx = self.query_tx = False
        await _maybe_await(session.rollback())
        return Result([], [])

    async def _routing_procedure(self, session: ServerSession, parameters: dict, extra: dict) -> Result:
        """Routing tables for clients of Bolt < 4.3, which ask with a procedure call."""
        context = parameters.get("context") or {}
        db = parameters.get("database")
        table = await _maybe_await(session.route(context, extra.get("bookmarks") or [],
                                                 {"db": db} if db else {}))
        return Result(["ttl", "servers"], [[table.get("ttl", 300), table.get("servers", [])]])

    async def on_discard_all(self, request: Request) -> None:
        await self._discard(request, -1)

    async def on_discard(self, request: Request) -> None:
        await self._discard(request, int((_message(request, Discard).extra or {}).get("n", -1)))

    async def _discard(self, request: Request, n: int) -> None:
        stream = self._stream(request)
        if n < 0:
            # The client wants none of the rest: close the source rather than iterate it.
            await self._finish(request, stream, False)
            return
        skipped = 0
        more = False
        while skipped < n:
            row = await self._next_row(stream)
            if row is _END:
                break
            skipped += 1
            if self.conn.interrupted:
                self.conn.ignored()
                return
        else:
            more = await self._has_more(stream)
        await self._finish(request, stream, more)

    async def on_pull_all(self, request: Request) -> None:
        await self._pull(request, -1)

    async def on_pull(self, request: Request) -> None:
        await self._pull(request, int((_message(request, Pull).extra or {}).get("n", -1)))

    def _stream(self, request: Request) -> _Stream:
        stream = self.streams.get(request.stream)
        if stream is None:
            raise ClientError("Neo.ClientError.Request.Invalid",
                              f"there is no open result for {request.name} (qid {request.stream!r})")
        return stream

    async def _next_row(self, stream: _Stream) -> Any:
        if stream._peeked is not _NOTHING:
            row, stream._peeked = stream._peeked, _NOTHING
            return row
        if stream._iter is not None:
            return next(stream._iter, _END)
        assert stream._aiter is not None  # (one of the two is set)
        try:
            return await stream._aiter.__anext__()
        except StopAsyncIteration:
            return _END

    async def _has_more(self, stream: _Stream) -> bool:
        if stream._peeked is _NOTHING:
            stream._peeked = await self._next_row(stream)
        return stream._peeked is not _END

    async def _pull(self, request: Request, n: int) -> None:
        stream = self._stream(request)
        conn = self.conn
        width = len(stream.fields)
        sent = 0
        record = conn.record
        while n < 0 or sent < n:
            row = await self._next_row(stream)
            if row is _END:
                more = False
                break
            if type(row) is not list:
                if not isinstance(row, (list, tuple)):
                    raise DatabaseError(message=f"record {sent} is a {type(row).__name__}, not a list")
                row = list(row)
            if len(row) != width:
                raise DatabaseError(message=f"record {sent} has {len(row)} values for {width} fields")
            try:
                record(row)
            except (TypeError, ValueError) as exc:
                raise DatabaseError(message=f"record {sent} cannot be encoded: {exc}") from exc
            sent += 1
            if conn.buffered >= _FLUSH_BYTES:
                self.flush()
                await self.drain()
                if conn.interrupted:
                    conn.ignored()
                    return
        else:
            more = await self._has_more(stream)
        if conn.interrupted:
            conn.ignored()
            return
        await self._finish(request, stream, more)

    async def _finish(self, request: Request, stream: _Stream, more: bool) -> None:
        if more:
            self.conn.success({"has_more": True})
            return
        await stream.close()
        self.streams.pop(request.stream, None)
        meta = dict(stream.metadata)
        meta.setdefault("type", "r")
        version = self.version
        if not self.in_tx and has("autocommit_bookmarks", version) and "bookmark" not in meta:
            # An auto-commit transaction ends here: Neo4j names it by a bookmark (see on_commit).
            meta["bookmark"] = self.server.next_bookmark()
        meta["t_last" if key_holds("success_metadata", "t_last", version) else "result_consumed_after"] = 0
        if key_holds("success_metadata", "db", version) and "db" not in meta:
            meta["db"] = self.server.default_db
        if key_holds("success_metadata", "has_more", version):
            # Absent means false, but some clients (pymgclient) read it unconditionally.
            meta.setdefault("has_more", False)
        self.conn.success(meta)


class Server:
    """A running Bolt server. ``async with server:`` closes it on exit."""

    def __init__(self, session_class: type[ServerSession], *, versions: Iterable[tuple[int, int]] | None,
                 agent: str | None, max_message_size: int, handshake_timeout: float | None,
                 recv_timeout: int | None, telemetry: bool, default_db: str,
                 session_kwargs: dict[str, Any], auth_timeout: float | None = DEFAULT_AUTH_TIMEOUT,
                 idle_timeout: float | None = None,
                 max_connections: int | None = DEFAULT_MAX_CONNECTIONS,
                 max_chunks: int | None = None, max_depth: int = DEFAULT_MAX_DEPTH,
                 max_unauthenticated_message_size: int | None = DEFAULT_MAX_UNAUTHENTICATED_MESSAGE_SIZE,
                 max_unauthenticated_connections: int | None | str = AUTO,
                 max_connections_per_address: int | None | str = AUTO,
                 write_timeout: float | None = DEFAULT_WRITE_TIMEOUT,
                 ssl: _ssl.SSLContext | None = None,
                 max_decoded_values: int | None = DEFAULT_MAX_DECODED_VALUES) -> None:
        for name, value in (("handshake_timeout", handshake_timeout), ("auth_timeout", auth_timeout),
                            ("idle_timeout", idle_timeout), ("write_timeout", write_timeout)):
            if value is not None and not value > 0:
                raise ValueError(f"{name} must be positive or None, got {value!r}")
        if max_unauthenticated_connections == AUTO:
            max_unauthenticated_connections = None if max_connections is None else max(1, max_connections // 2)
        if max_connections_per_address == AUTO:
            # (a max_unauthenticated_connections that is no number is refused just below)
            max_connections_per_address = (max(1, max_unauthenticated_connections // 2)
                                           if isinstance(max_unauthenticated_connections, int) else None)
        for name, limit in (("max_connections", max_connections),
                            ("max_unauthenticated_connections", max_unauthenticated_connections),
                            ("max_connections_per_address", max_connections_per_address),
                            ("max_unauthenticated_message_size", max_unauthenticated_message_size)):
            if limit is not None and (not isinstance(limit, int) or limit < 1):
                raise ValueError(f"{name} must be a positive integer or None, got {limit!r}")
        # (checked just above: no string is left)
        assert not isinstance(max_unauthenticated_connections, str)
        assert not isinstance(max_connections_per_address, str)
        self.session_class = session_class
        self.versions = tuple(versions) if versions else None
        self.agent = agent
        self._bookmarks = itertools.count(1)
        self.max_message_size = max_message_size
        self.max_chunks = max_chunks
        self.max_depth = max_depth
        check_max_decoded_values(max_decoded_values)
        self.max_decoded_values = max_decoded_values
        self.handshake_timeout = handshake_timeout
        self.auth_timeout = auth_timeout
        self.idle_timeout = idle_timeout
        self.max_connections = max_connections
        self.max_unauthenticated_message_size = max_unauthenticated_message_size
        self.max_unauthenticated_connections = max_unauthenticated_connections
        self.max_connections_per_address = max_connections_per_address
        self.write_timeout = write_timeout
        self.ssl = ssl
        #: Connections turned away (a limit on connections was reached).
        self.refused = 0
        #: Unauthenticated connections closed to keep the caps on them (see _make_room()).
        self.evicted = 0
        #: Connections not (or no longer) authenticated, oldest first, in all and per peer address.
        self._unauthenticated: dict[_Handler, None] = {}
        self._unauthenticated_from: dict[Any, dict[_Handler, None]] = {}
        self._refusals: dict[str, int] = {}
        self._refusal_timer: asyncio.TimerHandle | None = None
        self.refusal_log_interval = _REFUSAL_LOG_INTERVAL
        self.recv_timeout = recv_timeout
        self.telemetry = telemetry
        self.default_db = default_db
        self.session_kwargs = session_kwargs
        #: Makes the session of a new connection (create_server passes the seed's arguments).
        self.session_factory: Any = lambda: session_class(**session_kwargs)
        self._ids = itertools.count(1)
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task] = set()
        self._refusing: set[asyncio.Task] = set()

    def _full(self, address: Any) -> str | None:
        """Why a new connection from ``address`` cannot be served now (None: it can)."""
        if self.max_connections is not None and len(self._tasks) >= self.max_connections:
            return f"the server is serving its maximum of {self.max_connections} connections"
        cap = self.max_connections_per_address
        mine = self._unauthenticated_from.get(address)
        if cap is not None and mine is not None and len(mine) >= cap:
            return f"the server holds its maximum of {cap} unauthenticated connections from one address"
        return None

    @property
    def unauthenticated(self) -> int:
        """Connections served that have not (or no longer) authenticated."""
        return len(self._unauthenticated)

    def _make_room(self) -> str | None:
        """Keep the cap on unauthenticated connections by closing the oldest one that is not
        authenticating (no request of it is queued or being answered): it has had the longest
        to do so. Many addresses that connect and never authenticate then push out each other,
        and a newcomer is safe from the moment its INIT/HELLO/LOGON arrives (one address alone
        is refused past max_connections_per_address instead, so it only stands in its own way).
        Returns why the newcomer must be refused when every unauthenticated connection is
        authenticating."""
        cap = self.max_unauthenticated_connections
        if cap is None or len(self._unauthenticated) < cap:
            return None
        why = f"{cap} unauthenticated connections"
        victim = next((h for h in self._unauthenticated if not h.authenticating()), None)
        if victim is None:
            return f"the server holds its maximum of {why}, all authenticating"
        self._forget(victim)
        self.evicted += 1
        self._refused(f"closed the oldest of {why} to make room", evicted=True)
        victim.evict(f"closed to make room: the server holds its maximum of {why}")
        return None

    def _add(self, handler: _Handler) -> None:
        self._unauthenticated[handler] = None
        self._unauthenticated_from.setdefault(_host(handler.info.peer), {})[handler] = None

    def _forget(self, handler: _Handler) -> None:
        self._unauthenticated.pop(handler, None)
        address = _host(handler.info.peer)
        mine = self._unauthenticated_from.get(address)
        if mine is not None:
            mine.pop(handler, None)
            if not mine:
                del self._unauthenticated_from[address]

    def _authenticated(self, handler: _Handler, value: bool) -> None:
        """A served connection authenticated (or logged off)."""
        handler.counted_authenticated = value
        if value:
            self._forget(handler)
        else:
            self._add(handler)

    def _refused(self, why: str, evicted: bool = False) -> None:
        """Count a refused (or evicted) connection; log it at once if none was lately, else in
        the next summary (one line per refusal_log_interval, however many are turned away)."""
        if not evicted:
            self.refused += 1
        self._refusals[why] = self._refusals.get(why, 0) + 1
        if self._refusal_timer is None:
            self._log_refusals()

    def _log_refusals(self) -> None:
        self._refusal_timer = None
        if not self._refusals:
            return
        total = sum(self._refusals.values())
        log.warning("turned away %d connection%s (in the last %gs at most): %s", total,
                    "" if total == 1 else "s", self.refusal_log_interval,
                    "; ".join(f"{n} x {why}" for why, n in sorted(self._refusals.items())))
        self._refusals.clear()
        self._refusal_timer = asyncio.get_running_loop().call_later(self.refusal_log_interval,
                                                                    self._log_refusals)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Counted from accept, before any TLS handshake: a TLS client takes a slot too.
        task = asyncio.current_task()
        refuse = None
        tasks = self._tasks
        address = _host(writer.get_extra_info("peername"))
        why = self._full(address) or self._make_room()
        if why is not None:
            # Full. The client hears why (after the handshake, its first request gets a transient
            # FAILURE, which drivers retry later); past a few dozen such at once, a plain close.
            if len(self._refusing) >= _MAX_REFUSING:
                self._refused(why + " (closed at once: too many being refused)")
                writer.transport.abort()
                return
            self._refused(why)
            refuse = TransientError("Neo.TransientError.Request.NoThreadsAvailable",
                                    f"{why}; try again later")
            tasks = self._refusing
        if task is not None:
            tasks.add(task)
        handler = None
        try:
            handler = _Handler(self, reader, writer, refuse)
            if refuse is None:
                self._add(handler)
            await handler.run()
        except asyncio.CancelledError:
            # close() cancels live connections; the connection task ends quietly (asyncio's
            # stream callback would otherwise log the cancellation as an error).
            pass
        finally:
            if task is not None:
                tasks.discard(task)
            if handler is not None and refuse is None:
                self._forget(handler)

    @property
    def sockets(self) -> tuple:
        return tuple(self._server.sockets) if self._server else ()

    @property
    def port(self) -> int:
        """The bound port (useful with ``port=0``)."""
        return self.sockets[0].getsockname()[1]

    @property
    def host(self) -> str:
        return self.sockets[0].getsockname()[0]

    def agent_for(self, version: tuple[int, int]) -> str:
        """HELLO's ``server`` value on a connection that negotiated ``version``: ``agent`` when
        given, else ``Neo4j/X.Y.0`` naming the Neo4j release of that version (the spec's
        ``NEO4J_RELEASES``), which every official driver since 1.7, py2neo and pymgclient accept."""
        if self.agent is not None:
            return self.agent
        return f"Neo4j/{NEO4J_RELEASES[version]}.0"

    def next_bookmark(self) -> str:
        """A bookmark for a transaction whose session gave none (COMMIT, end of auto-commit)."""
        return f"asyncbolt:{next(self._bookmarks)}"

    @property
    def connections(self) -> int:
        """Connections being served now."""
        return len(self._tasks)

    async def serve_forever(self) -> None:
        if self._server is None:
            raise RuntimeError("the server is not listening")
        await self._server.serve_forever()

    def close(self) -> None:
        """Stop accepting connections and end the live ones."""
        if self._server is not None:
            self._server.close()
        if self._refusal_timer is not None:
            self._refusal_timer.cancel()
            self._refusal_timer = None
        for task in [*self._tasks, *self._refusing]:
            task.cancel()

    async def wait_closed(self) -> None:
        if self._server is not None:
            await self._server.wait_closed()
        if self._tasks or self._refusing:
            await asyncio.gather(*self._tasks, *self._refusing, return_exceptions=True)

    async def __aenter__(self) -> Server:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self.close()
        await self.wait_closed()


async def serve(session_class: type[ServerSession], host: str = "127.0.0.1", port: int = 7687, *,
                ssl: _ssl.SSLContext | None = None, versions: Iterable[tuple[int, int]] | None = None,
                agent: str | None = None,
                max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
                handshake_timeout: float | None = 10.0, recv_timeout: int | None = None,
                telemetry: bool = False, default_db: str = "neo4j",
                auth_timeout: float | None = DEFAULT_AUTH_TIMEOUT,
                idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
                max_connections: int | None = DEFAULT_MAX_CONNECTIONS,
                max_chunks: int | None = None, max_depth: int = DEFAULT_MAX_DEPTH,
                max_unauthenticated_message_size: int | None = DEFAULT_MAX_UNAUTHENTICATED_MESSAGE_SIZE,
                max_unauthenticated_connections: int | None | str = AUTO,
                max_connections_per_address: int | None | str = AUTO,
                write_timeout: float | None = DEFAULT_WRITE_TIMEOUT,
                max_decoded_values: int | None = DEFAULT_MAX_DECODED_VALUES,
                **session_kwargs: Any) -> Server:
    """Start serving Bolt on ``host:port`` (``port=0`` picks a free one; see ``server.port``).

    ``versions`` restricts what the server negotiates (default: every version of the spec that a
    server may choose). ``agent`` is HELLO's ``server`` value; by default ``Neo4j/X.Y.0`` with
    the Neo4j release of the negotiated version (``Neo4j/5.26.0`` at Bolt 5.8, ``Neo4j/3.5.0`` at
    Bolt 1-3): older drivers refuse (Python 4.4, py2neo) or cannot parse (JavaScript 1.7) any
    other product. Other keyword arguments are passed to ``session_class``.

    A COMMIT, and an auto-commit result's last SUCCESS (Bolt 3+), carry the ``bookmark`` the
    session gave, or else a made-up ``asyncbolt:N`` one, as Neo4j always sends one.

    ``recv_timeout`` (seconds, off by default; Bolt 4.3+ clients hear it as the
    ``connection.recv_timeout_seconds`` hint and may drop a connection that stays silent longer
    while they wait): the server then sends a NOOP every ``recv_timeout / 2`` seconds while a
    request of the client is being worked on.

    Limits (each closes the offending connection; None disables a limit):

    - ``handshake_timeout`` (10 s): the whole handshake, TLS included, from accept, however
      slowly its bytes come;
    - ``auth_timeout`` (30 s): from connecting (or LOGOFF) to a successful INIT/HELLO/LOGON;
    - ``idle_timeout`` (600 s): an authenticated client sends nothing for this long while none
      of its requests is being answered;
    - ``write_timeout`` (300 s): answers wait for a client that takes none of them for this long;
    - ``max_connections`` (1,000, counted from accept, TLS handshakes included): more at once
      are refused; each hears, after the handshake,
      ``Neo.TransientError.Request.NoThreadsAvailable`` (drivers retry later);
    - ``max_unauthenticated_connections`` (default half of ``max_connections``): past it, the
      oldest connection still not authenticated is closed to make room for the new one, so
      that a crowd which never authenticates cannot lock newcomers out, and authenticated
      clients always keep the other half;
    - ``max_connections_per_address`` (unauthenticated ones from one peer address; default half
      of ``max_unauthenticated_connections``): more from that address are refused like
      ``max_connections``, so one address cannot fill the unauthenticated room;
    - ``max_message_size`` (64 MiB), ``max_unauthenticated_message_size`` (32 KiB, until
      INIT/HELLO/LOGON succeeds), ``max_chunks`` (65,536 per message), ``max_depth`` (256
      nested lists, maps and structures) and ``max_decoded_values`` (2,000,000 values in one
      request, counted before they are built) bound each request; beyond them the client gets a
      FAILURE ``Neo.ClientError.Request.Invalid`` and the connection is closed.

    A connection is not read while 300 of its requests (or 1 MiB of them) wait unanswered;
    reading resumes below 100 (256 KiB). Refused connections are logged in one WARNING, then
    summed up at most once every 10 s.
    """
    if not (isinstance(session_class, type) and issubclass(session_class, ServerSession)):
        raise TypeError("serve() takes a ServerSession subclass")
    server = Server(session_class, versions=versions, agent=agent, max_message_size=max_message_size,
                    handshake_timeout=handshake_timeout, recv_timeout=recv_timeout,
                    telemetry=telemetry, default_db=default_db, session_kwargs=session_kwargs,
                    auth_timeout=auth_timeout, idle_timeout=idle_timeout,
                    max_connections=max_connections, max_chunks=max_chunks, max_depth=max_depth,
                    max_unauthenticated_message_size=max_unauthenticated_message_size,
                    max_unauthenticated_connections=max_unauthenticated_connections,
                    max_connections_per_address=max_connections_per_address,
                    write_timeout=write_timeout, ssl=require_tls12(ssl),
                    max_decoded_values=max_decoded_values)
    # Plain TCP: each connection is counted at accept and upgraded to TLS by its handler.
    server._server = await asyncio.start_server(server._accept, host, port)
    return server


async def create_server(protocol_class: type[ServerSession], *, loop: Any = None, host: str | None = None,
                        port: int | None = None, ssl: _ssl.SSLContext | None = None,
                        **kwargs: Any) -> Server:
    """The seed's entry point, kept for its users: like :func:`serve`, but each connection's
    session is made as ``protocol_class(loop, server=<Server>, **kwargs)`` and the default port
    stays the seed's 8888 (``serve`` defaults to Bolt's 7687). ``loop`` is accepted and ignored.
    """
    if not (isinstance(protocol_class, type) and issubclass(protocol_class, ServerSession)):
        raise TypeError("create_server() takes a ServerSession subclass")
    server = Server(protocol_class, versions=None, agent="AsyncBolt/1.0",
                    max_message_size=DEFAULT_MAX_MESSAGE_SIZE, handshake_timeout=10.0,
                    recv_timeout=None, telemetry=False, default_db="neo4j", session_kwargs=kwargs,
                    ssl=require_tls12(ssl))
    running = asyncio.get_running_loop()
    server.session_factory = lambda: protocol_class(running, server=server, **kwargs)
    server._server = await asyncio.start_server(server._accept, host or "127.0.0.1",
                                                8888 if port is None else port)
    return server
