"""Opening a client connection: TCP (and TLS), the handshake, then HELLO (and LOGON); and the
asyncio protocol that hands the transport's events to :class:`asyncbolt.client.connection.Connection`."""

from __future__ import annotations

import asyncio
import socket
import ssl as _ssl
from typing import TYPE_CHECKING, Any

from asyncbolt.client.deadline import current, stage
from asyncbolt.client.requests import hello_requests
from asyncbolt.client.result import _Call
from asyncbolt.errors import UnsupportedServerProduct

if TYPE_CHECKING:
    from asyncbolt.client.connection import Connection


class _Protocol(asyncio.Protocol):
    """The transport's events, handed to the connection (nothing may escape to the loop)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._write_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        try:
            if self.conn.keep_alive:
                keep_alive(transport, self.conn.keep_alive)
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
        self._stop_write_timer()
        if self.conn.end_reason is None and self.conn._closed is None:  # (not ours)
            self.conn.end_reason = ("peer reset" if isinstance(exc, ConnectionResetError)
                                    else "server closed" if exc is None else f"socket error: {exc}")
        try:
            self.conn._connection_lost(exc)
        except Exception as error:
            self.conn._internal_error(error, "handling the end of the connection")

    # Writes never block in asyncio: the transport buffers them, and pauses us past its high-water
    # mark. A server that stops reading (a half-open socket, a stuck peer) would keep us paused
    # forever; past ``write_timeout`` seconds paused, the connection is given up instead.

    def pause_writing(self) -> None:
        self.conn._write_paused = True
        timeout = self.conn.write_timeout
        if timeout is not None and self._write_timer is None:
            self._write_timer = self.conn._loop.call_later(timeout, self._write_timed_out, timeout)

    def _write_timed_out(self, timeout: float) -> None:
        self._write_timer = None
        conn = self.conn
        if conn._closed is None:
            conn.end_reason = "our write timeout"
            conn._abort(conn.lost(f"writing to {conn.host}:{conn.port} made no progress for "
                                  f"{timeout:g} s (the server does not read what we send); "
                                  "raise connection_write_timeout if it is merely slow"), close=False)
            if conn._transport is not None:
                conn._transport.abort()  # (close() would wait for the stuck bytes forever)

    def _stop_write_timer(self) -> None:
        if self._write_timer is not None:
            self._write_timer.cancel()
            self._write_timer = None

    def resume_writing(self) -> None:
        self._stop_write_timer()
        self.conn._write_paused = False
        waiter, self.conn._drain_waiter = self.conn._drain_waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


#: Seconds a connection idles before the kernel's first keep-alive probe (``keep_alive=True``),
#: seconds between probes, and unanswered probes before the connection counts as dead. The
#: kernel's own default (two hours of idling) outlasts every NAT and load balancer's idle
#: timeout (about 4 to 15 minutes): probes after a minute keep such a middlebox's entry alive,
#: and a peer that vanished is found out within about two minutes.
KEEP_ALIVE_IDLE = 60.0
KEEP_ALIVE_INTERVAL = 10
KEEP_ALIVE_PROBES = 6


def keep_alive_idle(value: bool | float | None) -> float | None:
    """What ``keep_alive=`` means: None when off, else the idle seconds before the first probe
    (``True``: :data:`KEEP_ALIVE_IDLE`). A ``ValueError`` names anything else."""
    if value is None or value is False:
        return None
    if value is True:
        return KEEP_ALIVE_IDLE
    if isinstance(value, (int, float)) and value >= 1:
        return float(value)
    raise ValueError("keep_alive must be True, False or the seconds (>= 1) a connection idles "
                     f"before the first keep-alive probe, got {value!r}")


def keep_alive(transport: Any, idle: float = KEEP_ALIVE_IDLE) -> None:
    """Turn TCP keep-alive on for the transport's socket (when it has one): after ``idle``
    seconds without traffic the kernel probes the connection, so one silently dropped by a NAT or
    load balancer is found out, and one that only idles is not dropped by those that count the
    probes as traffic. The timing options are set where the platform has them."""
    sock = transport.get_extra_info("socket")
    if sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    # (TCP_KEEPALIVE is macOS's name for the idle time)
    idle_option = getattr(socket, "TCP_KEEPIDLE", None) or getattr(socket, "TCP_KEEPALIVE", None)
    for option, value in ((idle_option, max(1, int(idle))),
                          (getattr(socket, "TCP_KEEPINTVL", None), KEEP_ALIVE_INTERVAL),
                          (getattr(socket, "TCP_KEEPCNT", None), KEEP_ALIVE_PROBES)):
        if option is not None:
            try:
                sock.setsockopt(socket.IPPROTO_TCP, option, value)
            except OSError:  # (a platform that has the name but not the option)
                pass


async def open_connection(conn: Connection, ssl: _ssl.SSLContext | None, timeout: float | None,
                          connect_timeout: float | None = None) -> None:
    """Connect, negotiate and authenticate, all within ``timeout`` seconds in total; the
    connect itself (TCP, and TLS) also within ``connect_timeout``."""
    await asyncio.wait_for(_open_steps(conn, ssl, connect_timeout), timeout)


async def _open_steps(conn: Connection, ssl: _ssl.SSLContext | None,
                      connect_timeout: float | None = None) -> None:
    where = f"{conn.host}:{conn.port}"
    stage(f"connecting to {where} (DNS, TCP{' and TLS' if ssl else ''})")
    await asyncio.wait_for(
        conn._loop.create_connection(lambda: _Protocol(conn), conn.host, conn.port, ssl=ssl,
                                     server_hostname=conn.server_hostname if ssl else None),
        connect_timeout)
    stage(f"negotiating the Bolt version with {where} (the handshake)")
    await asyncio.shield(conn._handshake_done)
    await _hello(conn)


async def _hello(conn: Connection) -> None:
    v = conn.negotiated_version
    auth = conn._auth
    future = conn._loop.create_future()

    def hello_done(meta: dict) -> None:
        conn.server_agent = meta.get("server")
        conn.connection_id = meta.get("connection_id")
        conn.hints = conn._core.hints  # (the core read them, and the utc patch)

    requests = hello_requests(v, conn._user_agent, auth, conn._routing, conn.notifications_min_severity,
                              conn.notifications_disabled_classifications)
    if current() is not None:  # (an acquisition names its stage)
        stage(f"authenticating with {conn.host}:{conn.port} "
              f"({' and '.join(getattr(m, 'name', type(m).__name__) for m in requests)})")
    for message in requests[:-1]:  # (HELLO, when LOGON follows)
        conn._queue(message, _Call(message.name, None, hello_done))
    last = requests[-1]
    conn._queue(last, _Call(last.name, future, hello_done if len(requests) == 1 else None))
    conn._flush()
    await future
    prefix = conn.server_agent_prefix
    if prefix is not None and not (isinstance(conn.server_agent, str)
                                   and conn.server_agent.startswith(prefix)):
        raise UnsupportedServerProduct(f"{conn.host}:{conn.port}: server agent "
                                       f"{conn.server_agent!r} does not start with {prefix!r}")
