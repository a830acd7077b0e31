"""Listening: :func:`serve` (and the seed's :func:`create_server`) start a :class:`Server`,
which accepts connections, keeps the limits on how many it serves (in all, unauthenticated, per
address) and runs each one (:mod:`asyncbolt.server.connection`).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import ssl as _ssl
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from asyncbolt._generated.versions import NEO4J_RELEASES
from asyncbolt.codec.packstream import (
    DEFAULT_MAX_DECODED_VALUES,
    DEFAULT_MAX_DEPTH,
    check_max_decoded_values,
)
from asyncbolt.core.server import DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_MAX_UNAUTHENTICATED_MESSAGE_SIZE
from asyncbolt.errors import TransientError
from asyncbolt.security import require_tls12
from asyncbolt.server.connection import _ServedConnection
from asyncbolt.server.session import ServerSession

if TYPE_CHECKING:
    from asyncbolt.server.workers import ServerWorkers

__all__ = ["Server", "serve", "create_server", "TLS_ON_UVLOOP"]

#: Why serve(ssl=...) refuses uvloop's event loop: each connection is accepted in plain TCP
#: (counted against the connection limits) and then upgraded to TLS, and under uvloop a
#: ClientHello that arrives before the upgrade can be read as plain data and lost — the
#: handshake then fails now and then with a reset (seen in tests/test_workers.py).
TLS_ON_UVLOOP = ("TLS connections are upgraded after accept, and uvloop can lose the client's "
                 "first TLS bytes then (handshakes reset now and then); serve TLS on asyncio's "
                 "event loop (asyncbolt.run(..., loop='asyncio'))")

log = logging.getLogger(__name__)

#: Defaults of serve()'s limits: seconds to authenticate (Neo4j's default too), connections.
DEFAULT_AUTH_TIMEOUT = 30.0
DEFAULT_MAX_CONNECTIONS = 1000
#: Seconds without an answer taken by a client that does not read them (see serve()).
DEFAULT_WRITE_TIMEOUT = 300.0
#: Seconds an authenticated connection may stay idle (see serve()).
DEFAULT_IDLE_TIMEOUT = 600.0
# Connections being refused at once (handshake + FAILURE) before further ones are just closed.
_MAX_REFUSING = 64
#: Refused connections are logged once, then summed up at most once per this many seconds.
_REFUSAL_LOG_INTERVAL = 10.0
#: Default of serve()'s max_unauthenticated_connections / max_connections_per_address: a
#: fraction of max_connections (see serve()).
AUTO = "auto"


def _host(peer: Any) -> Any:
    """The address part of a peer name (per-address limits count hosts, not ports)."""
    return peer[0] if isinstance(peer, tuple) and peer else peer



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
                            ("idle_timeout", idle_timeout), ("write_timeout", write_timeout),
                            ("recv_timeout", recv_timeout)):
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
        self._unauthenticated: dict[_ServedConnection, None] = {}
        self._unauthenticated_from: dict[Any, dict[_ServedConnection, None]] = {}
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

    def _add(self, handler: _ServedConnection) -> None:
        self._unauthenticated[handler] = None
        self._unauthenticated_from.setdefault(_host(handler.info.peer), {})[handler] = None

    def _forget(self, handler: _ServedConnection) -> None:
        self._unauthenticated.pop(handler, None)
        address = _host(handler.info.peer)
        mine = self._unauthenticated_from.get(address)
        if mine is not None:
            mine.pop(handler, None)
            if not mine:
                del self._unauthenticated_from[address]

    def _authenticated(self, handler: _ServedConnection, value: bool) -> None:
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
            handler = _ServedConnection(self, reader, writer, refuse)
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
                workers: int = 1, reuse_port: bool = False,
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

    ``workers`` (1): processes serving the port (Linux; README, "Several processes"); above 1,
    serve() returns a :class:`~asyncbolt.server.workers.ServerWorkers` that starts and supervises
    them; ``session_class`` must then be importable and the other arguments picklable.
    ``reuse_port``: listen with SO_REUSEPORT, so that other processes may serve the same port.
    """
    options = dict(locals())  # (first: what a worker process is given, see workers=)
    if not (isinstance(session_class, type) and issubclass(session_class, ServerSession)):
        raise TypeError("serve() takes a ServerSession subclass")
    if ssl is not None and type(asyncio.get_running_loop()).__module__.startswith("uvloop"):
        raise ValueError(f"serve(ssl=...) on uvloop's event loop: {TLS_ON_UVLOOP}")
    workers_class: type[ServerWorkers] | None = None
    if type(workers) is not int or workers != 1:
        from asyncbolt.server.workers import ServerWorkers, check_workers

        check_workers(workers)
        workers_class = ServerWorkers
        if ssl is not None:
            raise ValueError(f"serve(workers={workers}) cannot send an ssl.SSLContext to its worker "
                             "processes (it does not pickle); `asyncbolt serve --workers N "
                             "--tls-cert ... --tls-key ...` builds one in each worker")
    server = (workers_class or Server)(session_class, versions=versions, agent=agent, max_message_size=max_message_size,
                    handshake_timeout=handshake_timeout, recv_timeout=recv_timeout,
                    telemetry=telemetry, default_db=default_db, session_kwargs=session_kwargs,
                    auth_timeout=auth_timeout, idle_timeout=idle_timeout,
                    max_connections=max_connections, max_chunks=max_chunks, max_depth=max_depth,
                    max_unauthenticated_message_size=max_unauthenticated_message_size,
                    max_unauthenticated_connections=max_unauthenticated_connections,
                    max_connections_per_address=max_connections_per_address,
                    write_timeout=write_timeout, ssl=require_tls12(ssl),
                    max_decoded_values=max_decoded_values)
    if workers_class is not None and isinstance(server, workers_class):
        options["session_kwargs"] = dict(session_kwargs)
        setup = options["session_kwargs"].pop("_worker_setup", None)
        server._setup_workers(workers, options, setup)
        await server._start_workers(host, port)
        return server
    # Plain TCP: each connection is counted at accept and upgraded to TLS by its handler.
    server._server = await asyncio.start_server(server._accept, host, port,
                                                reuse_port=True if reuse_port else None)
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
