"""The asyncio runtime of one served connection: reads the socket into the sans-IO
:class:`asyncbolt.core.server.ServerConnection`, writes what it answers, and around that the
socket's concerns: back-pressure on input, waiting for a client that reads slowly (write
timeout), the lingering close after a FAILURE, TLS, one timer for the time limits the core
decides, RESET interrupting a running hook. The answers themselves are
:class:`asyncbolt.server.answers._Answers`.

Per request, nothing more than the work: the hooks run in the connection's own task (a RESET
cancels that task while a hook runs, see :meth:`_ServedConnection.dispatch`), and the answers to
the requests taken in one go (a pipeline) are written together, once the task waits or every
``_BURST`` requests (see :meth:`_ServedConnection.flush_soon`).
"""

from __future__ import annotations

import asyncio
import logging
import ssl as _ssl
from typing import TYPE_CHECKING

from asyncbolt.codec._offload import OFFLOAD_BYTES, decoder_pool
from asyncbolt.core.server import Closed, Request, ServerConnection
from asyncbolt.errors import DatabaseError, Neo4jError
from asyncbolt.server.answers import _FLUSH_BYTES, _Answers, _maybe_await, _unexpected
from asyncbolt.server.flag import Flag
from asyncbolt.server.session import ConnectionInfo

if TYPE_CHECKING:
    from asyncbolt.server.listener import Server

#: The method that answers each request (``on_<name>``), looked up once per name.
_HANDLERS: dict[str, str] = {}


def _handler_name(name: str) -> str:
    method = _HANDLERS[name] = "on_" + name.lower()
    return method

log = logging.getLogger(__name__)

#: Input back-pressure: a connection is not read while more requests than the high watermark
#: (or more bytes of them) wait unanswered; reading resumes below the low one (Neo4j: 300/100).
_QUEUE_HIGH, _QUEUE_LOW = 300, 100
_QUEUE_HIGH_BYTES, _QUEUE_LOW_BYTES = 1024 * 1024, 256 * 1024
#: Above this many bytes unsent, drain() waits with the write timeout (asyncio's high-water mark).
_WRITE_HIGH = 64 * 1024
#: Seconds a connection ended by a FAILURE keeps reading (and dropping) what the client still
#: sends, so that the FAILURE reaches it (see _ServedConnection.linger()).
_LINGER = 2.0
#: Requests answered one after the other without the connection's task waiting for anything
#: before it lets the event loop run (the other connections, and the write of these answers).
_BURST = 64


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


class _ServedConnection(_Answers):
    """Runs one connection: feeds the sans-IO core, calls the session's hooks."""

    def __init__(self, server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 refuse: Neo4jError | None = None) -> None:
        super().__init__()
        self.server = server
        self.reader = reader
        self.writer = writer
        # The core decides the time limits on the event loop's clock (see arm()).
        self.conn = ServerConnection(
            server.versions, max_message_size=server.max_message_size, max_chunks=server.max_chunks,
            max_depth=server.max_depth,
            max_unauthenticated_message_size=server.max_unauthenticated_message_size,
            max_decoded_values=server.max_decoded_values, clock=asyncio.get_running_loop().time,
            handshake_timeout=server.handshake_timeout, auth_timeout=server.auth_timeout,
            idle_timeout=server.idle_timeout, recv_timeout=server.recv_timeout)
        #: Whether the server counts this connection as authenticated (see sync_auth()).
        self.counted_authenticated = False
        #: Set while the read loop may read (cleared while too many requests wait unanswered).
        self.room = Flag()
        self.room.set()
        #: Answer for the first request instead of serving it (the server is full).
        self.refuse = refuse
        #: The one timer, set for the core's next deadline (see arm()), and whether a write
        #: waits on the client.
        self.timer: asyncio.TimerHandle | None = None
        self.draining = False
        self.buffered = 0  # bytes the transport held when checked last while draining
        peer = writer.get_extra_info("peername")
        local = writer.get_extra_info("sockname")
        self.info = ConnectionInfo(f"bolt-{next(server._ids)}", peer, local)
        self.wake = Flag()
        self.eof = False
        self.loop = asyncio.get_running_loop()
        #: The task that runs process() (and the hooks): a RESET that arrives while a hook runs
        #: (``in_hook``) cancels it there (``cancelled_by_reset``; see dispatch()).
        self.task: asyncio.Task | None = None
        self.in_hook = False
        self.cancelled_by_reset = False
        #: The write of the answers buffered so far, scheduled (see flush_soon()).
        self.flush_handle: asyncio.Handle | None = None

    # -- I/O ------------------------------------------------------------------------------

    def flush(self) -> None:
        if self.flush_handle is not None:
            self.flush_handle.cancel()
            self.flush_handle = None
        data = self.conn.data_to_send()
        if data and not self.writer.is_closing():
            self.writer.write(data)

    def flush_soon(self) -> None:
        """Write what is buffered as soon as this task lets the event loop run: when it waits
        (for a hook's work, the client, more requests) or after _BURST requests. The answers to
        a pipeline of requests go out in one write instead of one each."""
        if self.flush_handle is None:
            self.flush_handle = self.loop.call_soon(self._flush_now)

    def _flush_now(self) -> None:
        self.flush_handle = None
        self.flush()

    def arm(self) -> None:
        """Keep the one timer set for the core's next deadline. Called after each change that
        may bring one nearer (a request taken or answered, a wait on the client); a timer set
        earlier than needed stays (deadlines only move later with activity): when it fires,
        the core finds nothing due and the timer is set again."""
        when = self.conn.next_deadline()
        timer = self.timer
        if when is None or (timer is not None and timer.when() <= when):
            return
        if timer is not None:
            timer.cancel()
        self.timer = asyncio.get_running_loop().call_at(when, self._deadline)

    def _deadline(self) -> None:
        """The core's next deadline is due: let it act (close the connection, or queue a NOOP
        keep-alive that is written here, between two whole messages)."""
        self.timer = None
        conn = self.conn
        if conn.closed:
            return
        # (a client that takes what waits for it, however slowly, is not idle)
        reason = conn.check_deadlines(self.progressing)
        if reason is not None:
            log.info("%s: %s, closing", self.info.id, reason)
            self.wake.set()
            if self.draining:  # stuck writing to a client that does not read: drop it
                self.writer.transport.abort()
            return
        self.flush()
        self.arm()

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
        try:
            conn = self.conn
            while not conn.closed:
                data = await self.reader.read(65536)
                conn.receive_data(data)
                if conn.version is None or not data:
                    self.flush()  # handshake answer, or refusal
                if conn.interrupted and self.in_hook and not self.cancelled_by_reset:
                    # A RESET arrived while a hook runs: process() waits in it (this task runs
                    # only while that one waits), so the cancellation lands in the hook.
                    assert self.task is not None  # (set before any hook runs)
                    self.cancelled_by_reset = True
                    self.task.cancel()
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
        self.conn.write_blocked(True)  # (idle_timeout applies again: see _deadline())
        self.arm()
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
            self.conn.write_blocked(False)
        self.conn.activity()

    def write_timed_out(self) -> None:
        log.info("%s: the client took none of the %d bytes waiting for it in %ss, closing",
                 self.info.id, self.writer.transport.get_write_buffer_size(), self.server.write_timeout)
        self.drop(f"the client read nothing for {self.server.write_timeout}s")

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
        deadline = self.conn.handshake_deadline
        if deadline is not None:
            timeout = max(deadline - loop.time(), 0.001)
        try:
            # Awaited directly, nothing before it (no task, no wait_for): the ClientHello must
            # reach the TLS layer, not the plain stream. ssl_handshake_timeout bounds it.
            assert server.ssl is not None  # (only called when serving TLS)
            await _start_tls(self.writer, server.ssl, timeout)
        except (asyncio.TimeoutError, ConnectionError, OSError, _ssl.SSLError) as exc:
            log.debug("%s: TLS handshake failed: %r", self.info.id, exc)
            self.writer.transport.abort()
            return False
        self.info.peer_certificate = self.writer.get_extra_info("peercert") or None
        return True

    async def run(self) -> None:
        if self.server.ssl is not None and not await self.start_tls():
            return
        reader_task = asyncio.ensure_future(self.read_loop())
        self.arm()
        try:
            await self.process()
        except (ConnectionError, OSError) as exc:
            log.debug("%s: connection lost: %s", self.info.id, exc)
        except Exception:
            log.exception("%s: unexpected error; closing the connection", self.info.id)
        finally:
            reader_task.cancel()
            if self.flush_handle is not None:
                self.flush_handle.cancel()
                self.flush_handle = None
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None
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
        loop = self.loop
        self.task = asyncio.current_task()
        burst = 0
        while True:
            payload = conn.large_request(OFFLOAD_BYTES) if conn.queued_bytes > OFFLOAD_BYTES else None
            if payload is not None:
                # Off the event loop: the pure-Python decoder lets it run every few ms (the
                # GIL's switch interval); the C one is fast enough (~80 ms for the worst the
                # default budget allows) not to matter.
                conn.decoded(payload, await loop.run_in_executor(decoder_pool(), conn.decode_request,
                                                                 payload))
            event = conn.next_event()
            if not self.room.is_set() and (conn.closed or (conn.queued <= _QUEUE_LOW
                                                           and conn.queued_bytes <= _QUEUE_LOW_BYTES)):
                self.room.set()  # the read loop may read again
            if event is None or type(event) is Closed:
                self.flush()
            elif conn.buffered:
                self.flush_soon()  # (the automatic answers before it, should its hook wait)
            if event is None:
                burst = 0
                if conn.queued and not conn.closed and conn.current is None:
                    # next_event() paused its automatic answers until these are taken.
                    await self.drain()
                    continue
                if self.eof and not conn.closed:
                    conn.receive_data(b"")
                    continue
                self.wake.clear()
                if self.writer.transport.get_write_buffer_size():
                    await self.drain()
                else:
                    conn.activity()  # (the client's socket took all: what drain() ends with)
                await self.wake.wait()
                continue
            if isinstance(event, Closed):
                log.debug("%s: closed: %s", self.info.id, event.reason)
                return
            if conn.recv_timeout is not None:
                self.arm()  # (a keep-alive is due while it is answered)
            await self.dispatch(event)
            if conn.authenticated != self.counted_authenticated:
                self.server._authenticated(self, conn.authenticated)
            self.arm()  # (after LOGOFF, authentication is due again)
            if conn.buffered >= _FLUSH_BYTES:
                self.flush()
            if self.writer.transport.get_write_buffer_size() > _FLUSH_BYTES:
                await self.drain()
            burst += 1
            if burst >= _BURST:
                burst = 0
                await asyncio.sleep(0)  # (the answers so far go out, other connections run)

    # -- requests -------------------------------------------------------------------------

    async def dispatch(self, request: Request) -> None:
        """Answer one request with its handler (``on_<name>``), in this task. While it runs
        (``in_hook``), a RESET's arrival cancels this task (see read_loop()): the handler is
        interrupted where it waits, and its request answered IGNORED."""
        conn = self.conn
        name = request.name
        if self.refuse is not None:
            log.debug("%s: refused: %s", self.info.id, self.refuse.message)
            conn.failure(self.refuse)
            conn.close(self.refuse.message)
            return
        # (RESET itself is not interruptible)
        self.in_hook = name != "RESET"
        try:
            # (a request the spec allows but no on_<name> answers yet: a FAILURE, logged)
            await getattr(self, _HANDLERS.get(name) or _handler_name(name))(request)
        except asyncio.CancelledError:
            if not self.cancelled_by_reset:
                raise
        except Neo4jError as exc:
            if self.cancelled_by_reset:
                log.debug("%s: interrupted work raised", self.info.id, exc_info=True)
            else:
                self._fail(exc)
        except Exception:
            if self.cancelled_by_reset:
                log.debug("%s: interrupted work raised", self.info.id, exc_info=True)
            else:
                self._fail(_unexpected(f"{self.info.id}: {name} failed in the session"))
        finally:
            self.in_hook = False
        if self.cancelled_by_reset:
            # Interrupted (or the hook swallowed the cancellation and went on): the request is
            # IGNORED, and this task no longer counts as cancelled, unless it was cancelled from
            # outside as well (the server closing).
            self.cancelled_by_reset = False
            uncancel = getattr(self.task, "uncancel", None)  # (Python 3.11+)
            if uncancel is not None and uncancel() > 0:
                raise asyncio.CancelledError()
            if conn.current is not None:
                conn.ignored()
            return
        if conn.current is request:  # a handler that forgot to answer must not hang the client
            log.error("%s: %s was not answered; sending FAILURE", self.info.id, name)
            conn.failure(DatabaseError(message=f"the server did not answer {name}"))

    def _fail(self, exc: Neo4jError) -> None:
        if self.conn.current is None:
            return
        if self.conn.interrupted:
            self.conn.ignored()
        else:
            self.conn.failure(exc)

