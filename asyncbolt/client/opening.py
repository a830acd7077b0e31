"""Opening a client connection: TCP (and TLS), the handshake, then HELLO (and LOGON); and the
asyncio protocol that hands the transport's events to :class:`asyncbolt.client.connection.Connection`."""

from __future__ import annotations

import asyncio
import ssl as _ssl
from typing import TYPE_CHECKING

from asyncbolt.client.requests import hello_requests
from asyncbolt.client.result import _Call
from asyncbolt.errors import UnsupportedServerProduct

if TYPE_CHECKING:
    from asyncbolt.client.connection import Connection


class _Protocol(asyncio.Protocol):
    """The transport's events, handed to the connection (nothing may escape to the loop)."""

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


async def open_connection(conn: Connection, ssl: _ssl.SSLContext | None, timeout: float | None,
                          connect_timeout: float | None = None) -> None:
    """Connect, negotiate and authenticate, all within ``timeout`` seconds in total; the
    connect itself (TCP, and TLS) also within ``connect_timeout``."""
    await asyncio.wait_for(_open_steps(conn, ssl, connect_timeout), timeout)


async def _open_steps(conn: Connection, ssl: _ssl.SSLContext | None,
                      connect_timeout: float | None = None) -> None:
    await asyncio.wait_for(
        conn._loop.create_connection(lambda: _Protocol(conn), conn.host, conn.port, ssl=ssl,
                                     server_hostname=conn.server_hostname if ssl else None),
        connect_timeout)
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
