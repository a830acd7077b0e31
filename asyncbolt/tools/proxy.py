"""``asyncbolt proxy``: a transparent Bolt proxy that logs every message it sees.

    asyncbolt proxy --listen 127.0.0.1:7688 --upstream bolt://127.0.0.1:7687 [--json]
                    [--log FILE] [--record DIR]

Every accepted connection gets its own upstream connection; bytes pass unchanged in both
directions (with back-pressure both ways), and only *after* a chunk of data has been handed to
the other side is it decoded (:class:`asyncbolt.tools.dump.Conversation`, the decoder ``asyncbolt
inspect`` uses) and logged, one line per message, as ``inspect`` renders it::

    2025-01-31T12:00:00.123456Z #1 C->S      351 client RUN "ECHO", {a: 1}, {}

Decoding never blocks or alters the traffic: problems in the data are logged, and an error in
the decoder itself stops decoding for that connection only. Credentials in HELLO/LOGON/INIT are
redacted by the renderer. ``--record DIR`` writes each connection's two raw streams to
``DIR/<id>-client.bin`` and ``DIR/<id>-server.bin`` (appended as the bytes pass; each starts at
its side's handshake) and the order they passed in to ``DIR/<id>-order.txt`` (a line ``c N`` or
``s N`` per piece: N bytes of the client's or the server's stream), so ``asyncbolt inspect DIR``
shows both sides of each connection together, in the order they passed.

Where the decoding runs: the command line hands it to a child process (``--decoder process``,
the default; at a lower scheduling priority), so decoding and writing the log run beside the
forwarding instead of in its way; when the decoder is slower than the traffic, the log falls
behind (up to 64 MiB, then decoding stops for the connection that overflowed it) instead of the
traffic slowing down. Stopping (SIGINT/SIGTERM) waits for the log to be complete; a second
signal drops the rest. In-process
(:func:`run_proxy`, the default ``decoder="loop"``) it runs on the event loop in slices of about
a millisecond between I/O callbacks, with the same backlog rule::

    proxy = await run_proxy("127.0.0.1", 0, "127.0.0.1", 7687, log=lines.append)
    ... proxy.port ...
    proxy.close(); await proxy.wait_closed()
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import signal
import ssl as _ssl
import sys
from typing import Any
from urllib.parse import urlsplit

from asyncbolt.tools.cli import budget_arg
from asyncbolt.tools.connect_errors import why_cannot_listen, why_unreachable
from asyncbolt.tools.proxy_log import (
    DEFAULT,
    LOGGER,
    MAX_BACKLOG,
    LogWriter,
    _load_dump,
    _log_handler,
    _LoopLog,
    _make_sink,
    _ProcessLog,
)

__all__ = ["ProxyServer", "ProxyConnection", "LogWriter", "run_proxy", "parse_listen", "parse_upstream",
           "split_server_uri",
           "main"]

DEFAULT_PORT = 7687
DEFAULT_LISTEN = "127.0.0.1:7688"
#: Seconds an upstream connection may take to open before the client is disconnected.
CONNECT_TIMEOUT = 10.0
#: Seconds a half-closed connection (one side sent EOF, the other has not) may linger.
HALF_CLOSE_LINGER = 30.0
#: Write buffer high-water mark per socket: above it the other side's reading pauses.
WRITE_HIGH_WATER = 256 * 1024

SCHEMES: dict[str, str | None] = {"bolt": None, "bolt+s": "verify", "bolt+ssc": "self-signed",
           "neo4j": None, "neo4j+s": "verify", "neo4j+ssc": "self-signed"}


# -- addresses ----------------------------------------------------------------------------------

def parse_listen(text: str) -> tuple[str, int]:
    """``HOST:PORT``, ``[IPv6]:PORT``, ``:PORT`` (every interface) or ``PORT`` (127.0.0.1)
    -> ``(host, port)``."""
    text = text.strip()
    match = re.fullmatch(r"\[([^\]]+)\]:(\d+)|([^:\[\]]*):(\d+)|(\d+)", text)
    if not match:
        raise ValueError(f"expected HOST:PORT, got {text!r}")
    if match.group(5) is not None:
        host, port = "127.0.0.1", int(match.group(5))
    elif match.group(1) is not None:
        host, port = match.group(1), int(match.group(2))
    else:
        host, port = match.group(3), int(match.group(4))
    if not 0 <= port <= 65535:
        raise ValueError(f"port out of range in {text!r}")
    return host, port


def split_server_uri(uri: str, what: str = "an upstream URI",
                     userinfo: str = "the proxy forwards each client's own HELLO/LOGON; drop the "
                                     "'user:password@' part") -> tuple[str, int, str | None]:
    """``bolt://HOST[:PORT]`` (plain), ``bolt+s://`` (verified TLS), ``bolt+ssc://`` (TLS,
    any certificate) -> ``(host, port, TLS mode: None, "verify" or "self-signed")``. The port
    defaults to 7687; ``HOST:PORT`` without a scheme means ``bolt://``; the ``neo4j`` schemes are
    read as their ``bolt`` equivalents (nothing is routed). ValueError naming ``what`` is wrong
    otherwise; a user or password in it is refused with ``userinfo`` (and never echoed: it may
    hold a password)."""
    if "://" not in uri:
        uri = "bolt://" + uri
    parts = urlsplit(uri)
    if "@" in parts.netloc:
        raise ValueError(f"{what} carries no user or password: {userinfo}")
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise ValueError(f"unsupported scheme {scheme!r} in {what}; use bolt://, bolt+s:// or bolt+ssc://")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"{what} is only scheme://host:port, got {uri!r}")
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError as exc:
        raise ValueError(f"bad port in {uri!r}") from exc
    host = parts.hostname
    if not host:
        raise ValueError(f"no host in {uri!r}")
    return host, port, SCHEMES[scheme]


def parse_upstream(uri: str) -> tuple[str, int, _ssl.SSLContext | None]:
    """The proxy's ``--upstream`` (see :func:`split_server_uri`) -> ``(host, port, ssl context or
    None)``."""
    host, port, mode = split_server_uri(uri)
    return host, port, tls_context(mode)


def tls_context(mode: str | None) -> _ssl.SSLContext | None:
    """None (plain), ``"verify"`` (bolt+s) or ``"self-signed"`` (bolt+ssc); TLS 1.2 or newer."""
    from asyncbolt.security import require_tls12

    if mode is None:
        return None
    context = _ssl.create_default_context()
    if mode == "self-signed":
        context.check_hostname = False
        context.verify_mode = _ssl.CERT_NONE
    return require_tls12(context)


def _format_address(address: Any) -> str:
    if isinstance(address, tuple) and len(address) >= 2:
        host, port = address[0], address[1]
        return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
    return str(address)




# -- one proxied connection ---------------------------------------------------------------------

class _Relay(asyncio.Protocol):
    """One socket of a proxied connection: the client's or the upstream server's."""

    def __init__(self, conn: ProxyConnection, side: str) -> None:
        self.conn = conn
        self.side = side  # who *sends* what this socket reads: "client" or "server"
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream connection's transport is a Transport, but asyncio.Protocol declares the base
        # (and an isinstance check would refuse other loops' transports, e.g. uvloop's).
        self.transport = transport  # type: ignore[assignment]
        transport.set_write_buffer_limits(high=WRITE_HIGH_WATER)  # type: ignore[attr-defined]
        self.conn.made(self)

    def data_received(self, data: bytes) -> None:
        self.conn.forward(self.side, data)

    def eof_received(self) -> bool:
        return self.conn.eof(self.side)

    def connection_lost(self, exc: Exception | None) -> None:
        self.conn.lost(self.side, exc)

    # Back-pressure: this socket cannot keep up -> stop reading what would be written to it.
    def pause_writing(self) -> None:
        self.conn.peer(self.side).pause()

    def resume_writing(self) -> None:
        self.conn.peer(self.side).resume()

    def pause(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.pause_reading()

    def resume(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.resume_reading()


class ProxyConnection:
    """A client connection and its own upstream connection, bytes relayed both ways."""

    def __init__(self, proxy: ProxyServer, cid: int) -> None:
        self.proxy = proxy
        self.id = cid
        self.client = _Relay(self, "client")
        self.server = _Relay(self, "server")
        self.peer_address: str = "?"
        #: Bytes seen from each side.
        self.bytes = {"client": 0, "server": 0}
        #: Bytes go to the decoder (False: no decoder, nobody listening, or it fell behind).
        self.decoding = proxy._log.decoding
        #: Every byte went to the decoder (else its end-of-stream report would be wrong).
        self.complete = True
        #: Resolved once the connection is closed *and* its log lines are written (in-loop
        #: decoding) or handed to the log process.
        self.done: asyncio.Future = asyncio.get_running_loop().create_future()
        self._early: list[bytes] = []  # client bytes that arrived before the upstream was up
        self._eof: set[str] = set()
        self._linger: asyncio.TimerHandle | None = None
        self._connect_task: asyncio.Task | None = None
        self._finished = False
        self._files: dict[str, Any] = {}

    def peer(self, side: str) -> _Relay:
        return self.server if side == "client" else self.client

    # -- lifecycle --------------------------------------------------------------------------

    def made(self, side: _Relay) -> None:
        if side is not self.client:
            return
        transport = side.transport
        assert transport is not None  # (made() is called from connection_made())
        self.peer_address = _format_address(transport.get_extra_info("peername"))
        transport.pause_reading()  # until the upstream connection is open
        self.proxy._log.note(logging.INFO, self.id, f"open from {self.peer_address} to {self.proxy.upstream}",
                             {"event": "open", "peer": self.peer_address, "upstream": self.proxy.upstream})
        self._open_files()
        self._connect_task = asyncio.ensure_future(self._connect())

    async def _connect(self) -> None:
        proxy = self.proxy
        loop = asyncio.get_running_loop()
        try:
            await asyncio.wait_for(loop.create_connection(
                lambda: self.server, proxy.upstream_host, proxy.upstream_port, ssl=proxy.ssl_upstream,
                server_hostname=proxy.upstream_host if proxy.ssl_upstream else None),
                proxy.connect_timeout)
        except asyncio.CancelledError:
            self.finish("proxy closed")
            raise
        except (OSError, asyncio.TimeoutError, _ssl.SSLError) as exc:
            if isinstance(exc, asyncio.TimeoutError):
                reason = (f"no answer within {proxy.connect_timeout:g}s; check the address, and that "
                          f"no firewall drops the packets to port {proxy.upstream_port}")
            else:
                reason = why_unreachable(exc, proxy.upstream_host, proxy.upstream_port)
            proxy._log.note(logging.ERROR, self.id, f"upstream {proxy.upstream} unreachable: {reason}",
                            {"event": "error", "error": f"upstream unreachable: {reason}"})
            self.finish("upstream unreachable")
            return
        upstream = self.server.transport
        assert upstream is not None  # (connected: create_connection() returned)
        if self._finished:  # the client went away meanwhile
            upstream.close()
            return
        early, self._early = self._early, []
        for data in early:
            upstream.write(data)
        if self.client.transport is not None and not self.client.transport.is_closing():
            self.client.transport.resume_reading()

    def forward(self, side: str, data: bytes) -> None:
        """Hand ``data`` to the other side first; then record it and pass it to the log."""
        dst = self.peer(side).transport
        if dst is None:
            self._early.append(data)
        elif not dst.is_closing():
            dst.write(data)
        self.bytes[side] += len(data)
        if self._files:
            self._record(side, data)
        if self.decoding and not self.proxy._log.data(self, side, data):
            self.decoding = self.complete = False
            self.proxy._log.note(
                logging.WARNING, self.id, "the log fell too far behind the traffic: decoding stopped "
                "for this connection (the traffic is unaffected)", {"event": "error", "error": "log behind"})

    def eof(self, side: str) -> bool:
        """``side`` sent EOF: pass the half-close on where TCP allows, else close both."""
        self._eof.add(side)
        first = side if len(self._eof) == 1 else self.peer(side).side
        own = (self.client if side == "client" else self.server).transport
        dst = self.peer(side).transport
        tls = own is not None and own.get_extra_info("sslcontext") is not None  # TLS: no half-close
        if len(self._eof) == 2 or tls or dst is None or dst.is_closing() or not dst.can_write_eof():
            self.finish(f"{first} closed")
            return False
        dst.write_eof()  # after the buffered data
        if self._linger is None:
            self._linger = asyncio.get_running_loop().call_later(
                self.proxy.half_close_linger, self.finish, f"{side} closed")
        return True  # keep our side open for what the other side still sends

    def lost(self, side: str, exc: Exception | None) -> None:
        self.finish(f"{side} closed" if exc is None else f"{side} connection lost: {exc}")

    def finish(self, reason: str) -> None:
        """End both sockets (buffered data is still sent), release files, log. Idempotent."""
        for s in (self.client, self.server):
            if s.transport is not None and not s.transport.is_closing():
                s.transport.close()
        if self._finished:
            return
        self._finished = True
        if self._linger is not None:
            self._linger.cancel()
        if self._connect_task is not None and not self._connect_task.done() \
                and self._connect_task is not asyncio.current_task():
            self._connect_task.cancel()
        self._close_files()
        self.proxy._log.end(self, reason)

    def _logged(self) -> None:
        self.proxy.connections.pop(self.id, None)
        if not self.done.done():
            self.done.set_result(None)

    # -- recording --------------------------------------------------------------------------

    def _open_files(self) -> None:
        directory = self.proxy.record_dir
        if directory is None:
            return
        try:
            for side in ("client", "server"):
                self._files[side] = open(os.path.join(directory, f"{self.id}-{side}.bin"), "ab")  # noqa: SIM115
            self._files["order"] = open(os.path.join(directory, f"{self.id}-order.txt"), "a", encoding="ascii")  # noqa: SIM115
        except OSError as exc:
            self.proxy._log.note(logging.ERROR, self.id, f"cannot record: {exc}",
                                 {"event": "error", "error": f"cannot record: {exc}"})
            self._close_files()

    def _record(self, side: str, data: bytes) -> None:
        try:
            f = self._files[side]
            f.write(data)
            f.flush()
            order = self._files["order"]
            order.write(f"{side[0]} {len(data)}\n")  # after the data: a line never names bytes not written
            order.flush()
        except OSError as exc:
            self.proxy._log.note(logging.ERROR, self.id, f"recording stopped: {exc}",
                                 {"event": "error", "error": f"recording stopped: {exc}"})
            self._close_files()

    def _close_files(self) -> None:
        files, self._files = self._files, {}
        for f in files.values():
            try:
                f.close()
            except OSError:
                pass


# -- the listening proxy ------------------------------------------------------------------------

class ProxyServer:
    """A running proxy: ``.port``, ``close()``, ``await wait_closed()``, ``async with``.

    ``connections``: id -> :class:`ProxyConnection` for those not yet done (open, or closed
    with log lines still queued); ``total_connections``: accepted so far."""

    def __init__(self, upstream_host: str, upstream_port: int, *, log: Any = None, json: bool = False,
                 record_dir: str | os.PathLike | None = None, ssl_upstream: _ssl.SSLContext | None = None,
                 connect_timeout: float = CONNECT_TIMEOUT, half_close_linger: float = HALF_CLOSE_LINGER,
                 max_backlog: int = MAX_BACKLOG, upstream: str | None = None,
                 log_backend: Any = None, full: bool = False, max_decoded_values: Any = DEFAULT) -> None:
        from asyncbolt.security import redact_uri, require_tls12

        self.upstream_host = upstream_host
        self.upstream_port = upstream_port
        ssl_upstream = require_tls12(ssl_upstream)
        scheme = "bolt+s" if ssl_upstream is not None else "bolt"
        self.upstream = redact_uri(upstream) or f"{scheme}://{_format_address((upstream_host, upstream_port))}"
        self.ssl_upstream = ssl_upstream
        self.record_dir = os.fspath(record_dir) if record_dir is not None else None
        self.connect_timeout = connect_timeout
        self.half_close_linger = half_close_linger
        if log_backend is None:
            dump, error = _load_dump()
            writer = LogWriter(*_make_sink(log), json=json, dump=dump, full=full,
                               max_decoded_values=max_decoded_values)
            log_backend = _LoopLog(writer, max_backlog)
            if dump is None:
                log_backend.note(logging.WARNING, None, f"decoder unavailable, forwarding only: {error}",
                                 {"event": "error", "error": f"decoder unavailable: {error}"})
        self._log = log_backend
        self._server: asyncio.base_events.Server | None = None
        self._next_id = 1
        self.connections: dict[int, ProxyConnection] = {}
        self.total_connections = 0
        if self.record_dir is not None:
            os.makedirs(self.record_dir, exist_ok=True)
            # Continue numbering after earlier recordings in the directory: nothing is overwritten
            # and the log's connection ids match the file names.
            ids = [int(m.group(1)) for name in os.listdir(self.record_dir)
                   if (m := re.fullmatch(r"(\d+)-(?:client\.bin|server\.bin|order\.txt)", name))]
            self._next_id = max(ids, default=0) + 1

    async def start(self, host: str, port: int) -> None:
        self._server = await asyncio.get_running_loop().create_server(self._accept, host or None, port)
        address = _format_address(self._server.sockets[0].getsockname())
        self._log.note(logging.INFO, None, f"listening on {address}, forwarding to {self.upstream}",
                       {"event": "listen", "address": address, "upstream": self.upstream})

    def _accept(self) -> _Relay:
        conn = ProxyConnection(self, self._next_id)
        self._next_id += 1
        self.total_connections += 1
        self.connections[conn.id] = conn
        return conn.client

    @property
    def sockets(self) -> list:
        return list(self._server.sockets) if self._server is not None else []

    @property
    def port(self) -> int:
        return self.sockets[0].getsockname()[1]

    @property
    def host(self) -> str:
        return self.sockets[0].getsockname()[0]

    @property
    def backlog(self) -> int:
        """Bytes waiting for the decoder."""
        return self._log.backlog

    def close(self) -> None:
        """Stop listening and end the live connections (their buffered data is still sent)."""
        if self._server is not None:
            self._server.close()
        for conn in list(self.connections.values()):
            conn.finish("proxy closed")

    async def wait_closed(self) -> None:
        """Wait for the listener and connections to close and for the log to catch up."""
        if self._server is not None:
            await self._server.wait_closed()
        pending = [c.done for c in list(self.connections.values())]
        if pending:
            await asyncio.wait(pending)
        await self._log.aclose()

    async def flush(self) -> None:
        """Wait until what passed so far is logged (in-loop decoding) or handed on."""
        await self._log.flush()

    async def serve_forever(self) -> None:
        if self._server is None:
            raise RuntimeError("the proxy is not listening")
        await self._server.serve_forever()

    async def __aenter__(self) -> ProxyServer:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self.close()
        await self.wait_closed()


async def run_proxy(listen_host: str, listen_port: int, upstream_host: str, upstream_port: int, *,
                    log: Any = None, json: bool = False, record_dir: str | os.PathLike | None = None,
                    ssl_upstream: _ssl.SSLContext | None = None, decoder: str = "loop",
                    connect_timeout: float = CONNECT_TIMEOUT, max_backlog: int = MAX_BACKLOG,
                    upstream: str | None = None, full: bool = False,
                    max_decoded_values: Any = DEFAULT) -> ProxyServer:
    """Listen on ``listen_host:listen_port`` (0 picks a port: see ``.port``) and proxy each
    connection to ``upstream_host:upstream_port`` (TLS with ``ssl_upstream``).

    ``log``: a :class:`logging.Logger` (default ``asyncbolt.tools.proxy``: messages at INFO, decoding
    problems at WARNING, errors at ERROR), a file path, a callable taking each line, or a text
    stream. ``json``: one JSON object per line. ``record_dir``: write each connection's raw
    streams there. ``decoder``: ``"loop"`` (decode on this event loop, in slices between I/O)
    or ``"process"`` (in a child process; ``log`` must then be None, meaning stderr, or a path).
    ``upstream``: how the upstream is named in the log. ``full``: log long values whole
    (elided by default); ``max_decoded_values``: the decoded-size budget of one message for the
    decoder's codecs (``None`` = off; default: the codec's)."""
    backend = None
    if decoder == "process":
        if log is not None and not isinstance(log, (str, os.PathLike)):
            raise TypeError("decoder='process' writes the log itself: log must be None (stderr) or a path")
        backend = await _ProcessLog.start(log, json, max_backlog, full, max_decoded_values)
    elif decoder != "loop":
        raise ValueError(f"decoder must be 'loop' or 'process', not {decoder!r}")
    proxy = ProxyServer(upstream_host, upstream_port, log=log, json=json, record_dir=record_dir,
                        ssl_upstream=ssl_upstream, connect_timeout=connect_timeout,
                        max_backlog=max_backlog, upstream=upstream, log_backend=backend, full=full,
                        max_decoded_values=max_decoded_values)
    try:
        await proxy.start(listen_host, listen_port)
    except BaseException:
        await proxy._log.aclose()
        raise
    return proxy


# -- command line -------------------------------------------------------------------------------

def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="asyncbolt proxy",
        description="Forward Bolt traffic unchanged and log every decoded message per connection.")
    parser.add_argument("--listen", default=DEFAULT_LISTEN, metavar="HOST:PORT",
                        help=f"address to accept clients on (plain TCP; default {DEFAULT_LISTEN})")
    parser.add_argument("--upstream", default=f"bolt://127.0.0.1:{DEFAULT_PORT}", metavar="URI",
                        help="the server: bolt://HOST:PORT, bolt+s:// (TLS) or bolt+ssc:// (TLS, "
                             "self-signed accepted); the port defaults to 7687")
    parser.add_argument("--json", action="store_true", help="log one JSON object per line")
    parser.add_argument("--full", action="store_true",
                        help="log long values whole (by default elided past a few hundred characters)")
    parser.add_argument("--max-decoded-values", type=budget_arg, metavar="N", default=DEFAULT,
                        help="decoded-size budget of one message for the decoder (default: the "
                             "codec's; 'off' for none)")
    parser.add_argument("--log", metavar="FILE", help="append the log to FILE instead of stderr")
    parser.add_argument("--record", metavar="DIR",
                        help="write each connection's raw streams to DIR/<id>-client.bin and -server.bin")
    parser.add_argument("--decoder", choices=("process", "loop"), default="process",
                        help="where decoding and log writing run: a child process (default; beside "
                             "the forwarding, at lower priority) or the proxy's event loop")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2), already printed
        return int(exc.code or 0)
    try:
        listen_host, listen_port = parse_listen(args.listen)
        upstream_host, upstream_port, context = parse_upstream(args.upstream)
    except ValueError as exc:
        parser.print_usage(sys.stderr)
        print(f"asyncbolt proxy: error: {exc}", file=sys.stderr)
        return 2
    for what, path, check in (("record to", args.record, os.makedirs),
                              ("write the log to", args.log, lambda p, **_: open(p, "a").close())):
        if path:
            try:
                check(path, exist_ok=True)
            except OSError as exc:
                print(f"asyncbolt proxy: error: cannot {what} {path}: {exc}", file=sys.stderr)
                return 2
    handler = None
    saved = LOGGER.level, LOGGER.propagate
    if args.decoder == "loop":
        handler = _log_handler(args.log)
        LOGGER.addHandler(handler)
        LOGGER.setLevel(logging.INFO)
        LOGGER.propagate = False
    upstream = args.upstream if "://" in args.upstream else "bolt://" + args.upstream
    try:
        return asyncio.run(_serve(args, listen_host, listen_port, upstream_host, upstream_port, context,
                                  upstream))
    except KeyboardInterrupt:
        return 0
    finally:
        if handler is not None:
            LOGGER.removeHandler(handler)
            LOGGER.setLevel(saved[0])
            LOGGER.propagate = saved[1]
            handler.close()


async def _serve(args: argparse.Namespace, listen_host: str, listen_port: int, upstream_host: str,
                 upstream_port: int, context: _ssl.SSLContext | None, upstream: str) -> int:
    log = args.log if args.decoder == "process" else None
    try:
        proxy = await run_proxy(listen_host, listen_port, upstream_host, upstream_port, log=log,
                                json=args.json, record_dir=args.record, ssl_upstream=context,
                                decoder=args.decoder, upstream=upstream, full=args.full,
                                max_decoded_values=None if args.max_decoded_values == "off"
                                else args.max_decoded_values)
    except OSError as exc:
        print(f"asyncbolt proxy: error: cannot listen on {args.listen}: {why_cannot_listen(exc, listen_port)}",
              file=sys.stderr)
        return 2
    except RuntimeError as exc:
        print(f"asyncbolt proxy: error: {exc}", file=sys.stderr)
        return 1
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def on_signal() -> None:
        # The first signal stops the proxy once the log is complete; a second one drops the
        # rest of the log.
        if stop.is_set() and isinstance(proxy._log, _ProcessLog) and proxy._log.process.returncode is None:
            proxy._log.process.kill()
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, on_signal)
        except (NotImplementedError, RuntimeError, ValueError):
            pass
    async with proxy:
        await stop.wait()
    return 0
