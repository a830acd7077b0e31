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
``DIR/<id>-client.bin`` and ``DIR/<id>-server.bin`` (appended as the bytes pass); each starts at
its side's handshake, so ``asyncbolt inspect`` reads it back.

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
import datetime as _dt
import json as _json
import logging
import os
import re
import signal
import ssl as _ssl
import struct
import sys
import time
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

__all__ = ["ProxyServer", "ProxyConnection", "LogWriter", "run_proxy", "parse_listen", "parse_upstream",
           "main"]

LOGGER = logging.getLogger("asyncbolt.tools.proxy")

DEFAULT_PORT = 7687
DEFAULT_LISTEN = "127.0.0.1:7688"
ARROWS = {"client": "C->S", "server": "S->C"}
#: Seconds an upstream connection may take to open before the client is disconnected.
CONNECT_TIMEOUT = 10.0
#: Seconds a half-closed connection (one side sent EOF, the other has not) may linger.
HALF_CLOSE_LINGER = 30.0
#: Write buffer high-water mark per socket: above it the other side's reading pauses.
WRITE_HIGH_WATER = 256 * 1024
#: In-loop decoding works in slices of about this many seconds between I/O callbacks, feeding
#: the decoder at most FEED_BYTES at a time: forwarding waits for at most about one slice.
SLICE_SECONDS = 0.001
FEED_BYTES = 256
#: Bytes that may wait for the decoder before decoding is given up for the connection that
#: would exceed it; the traffic is never held back for the log.
MAX_BACKLOG = 64 * 1024 * 1024

SCHEMES = {"bolt": None, "bolt+s": "verify", "bolt+ssc": "self-signed",
           "neo4j": None, "neo4j+s": "verify", "neo4j+ssc": "self-signed"}

Sink = Callable[[int, str], None]  # (logging level, line)


class _Default:
    def __repr__(self) -> str:
        return "DEFAULT"


#: ``max_decoded_values`` left to the codec's own default.
DEFAULT: Any = _Default()


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


def parse_upstream(uri: str) -> tuple[str, int, _ssl.SSLContext | None]:
    """``bolt://HOST[:PORT]`` (plain), ``bolt+s://`` (verified TLS), ``bolt+ssc://`` (TLS,
    any certificate) -> ``(host, port, ssl context or None)``. The port defaults to 7687;
    ``HOST:PORT`` without a scheme means ``bolt://``. The ``neo4j`` schemes are accepted as
    their ``bolt`` equivalents (the proxy does not route)."""
    if "://" not in uri:
        uri = "bolt://" + uri
    parts = urlsplit(uri)
    if "@" in parts.netloc:
        # Never echo it: the userinfo may hold a password, and the proxy has no use for it
        # (clients authenticate through it with their own credentials).
        raise ValueError("an upstream URI carries no user or password: the proxy forwards each "
                         "client's own HELLO/LOGON; drop the 'user:password@' part")
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise ValueError(f"unsupported upstream scheme {scheme!r}; use bolt://, bolt+s:// or bolt+ssc://")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"an upstream URI is only scheme://host:port, got {uri!r}")
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError as exc:
        raise ValueError(f"bad port in {uri!r}") from exc
    host = parts.hostname
    if not host:
        raise ValueError(f"no host in {uri!r}")
    return host, port, tls_context(SCHEMES[scheme])


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


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _load_dump() -> tuple[Any, str | None]:
    try:
        from asyncbolt.tools import dump
    except Exception as exc:  # noqa: BLE001 - forwarding works without the decoder
        return None, repr(exc)
    return dump, None


def _make_sink(log: Any) -> tuple[Sink, Callable[[int], bool]]:
    """``log`` -> (emit(level, line), enabled(level)). A Logger (default ``asyncbolt.tools.proxy``)
    logs each line at its level; a path appends lines to that file; a callable gets each line;
    an object with ``write`` gets each line and a newline."""
    if log is None:
        log = LOGGER
    if isinstance(log, logging.Logger):
        logger = log
        return (lambda level, line: logger.log(level, line)), logger.isEnabledFor
    if isinstance(log, (str, os.PathLike)):
        stream = open(log, "a", encoding="utf-8", buffering=1)  # noqa: SIM115 - closed by aclose()

        def append(level: int, line: str) -> None:
            stream.write(line + "\n")
        append.close = stream.close  # type: ignore[attr-defined]  # closed by aclose() through the function
        return append, (lambda level: True)
    if callable(log):
        return (lambda level, line: log(line)), (lambda level: True)
    if hasattr(log, "write"):
        def write(level: int, line: str) -> None:
            log.write(line + "\n")
        return write, (lambda level: True)
    raise TypeError(f"log must be a logging.Logger, a path, a callable or a text stream, "
                    f"not {type(log).__name__}")


# -- decoding and writing the log ---------------------------------------------------------------

class LogWriter:
    """Turns what passed the proxy into log lines: feeds each connection's bytes to its own
    :class:`asyncbolt.tools.dump.Conversation` and writes every event as ``render_text`` (or
    ``render_json``) shows it, prefixed with the time, the connection and the direction.
    Long values are elided unless ``full``; ``max_decoded_values`` is the decoded-size budget
    handed to the codecs (``None`` = off). A connection's decoder keeps no list of its problems:
    memory per connection is bounded by its largest message. Never raises."""

    def __init__(self, sink: Sink, enabled: Callable[[int], bool], json: bool = False,
                 dump: Any = None, full: bool = False, max_decoded_values: Any = DEFAULT) -> None:
        self._emit = sink
        self._enabled = enabled
        self.json = json
        self.dump = dump
        self.full = full
        self.max_decoded_values = max_decoded_values
        self._conns: dict[int, list] = {}  # cid -> [conversation, decoder ok]

    @property
    def decoding(self) -> bool:
        """Whether decoding is worth it: a decoder exists and someone sees its warnings."""
        return self.dump is not None and self._enabled(logging.WARNING)

    def note(self, level: int, cid: int | None, ts: str, text: str, fields: dict[str, Any]) -> None:
        """A line about the proxy or a connection (not a Bolt message)."""
        if not self._enabled(level):
            return
        if self.json:
            line = _json.dumps({"ts": ts, "conn": cid, "dir": "--", **fields, "text": text},
                               default=repr, ensure_ascii=False)
        else:
            line = f"{ts} {'--' if cid is None else '#' + str(cid)} -- {text}"
        self._write(level, line)

    def data(self, cid: int, side: str, ts: str, data: bytes) -> None:
        """Bytes ``side`` sent on connection ``cid`` (at time ``ts``)."""
        self._feed(cid, side, ts, data)

    def end(self, cid: int, ts: str, reason: str, client_bytes: int, server_bytes: int,
            complete: bool = True) -> None:
        """The connection closed: report what the end cut off (if every byte was seen), then
        the closing line."""
        if complete and cid in self._conns:
            self._feed(cid, None, ts, b"")
        self._conns.pop(cid, None)
        self.note(logging.INFO, cid, ts,
                  f"closed ({reason}); {client_bytes} bytes C->S, {server_bytes} bytes S->C",
                  {"event": "close", "reason": reason, "client_bytes": client_bytes,
                   "server_bytes": server_bytes})

    # -- inside -----------------------------------------------------------------------------

    def _write(self, level: int, line: str) -> None:
        try:
            self._emit(level, line)
        except Exception:  # noqa: BLE001 - a broken log sink must not break the proxy
            pass

    def _feed(self, cid: int, side: str | None, ts: str, data: bytes) -> None:
        state = self._conns.get(cid)
        if state is None:
            if self.dump is None:
                return
            state = self._conns[cid] = [None, True]
        if not state[1]:
            return
        try:
            if state[0] is None:
                budget = ({} if self.max_decoded_values is DEFAULT
                          else {"max_decoded_values": self.max_decoded_values})
                state[0] = self.dump.Conversation(keep_problems=False, **budget)
            conv = state[0]
            events = conv.feed(side, data) if side else conv.close()
            problems = conv.take_problems()
        except Exception as exc:  # noqa: BLE001 - a decoder bug must never reach the traffic
            state[1] = False
            self.note(logging.ERROR, cid, ts, f"decoder error, decoding stopped for this connection: {exc!r}",
                      {"event": "error", "error": f"decoder error: {exc!r}"})
            return
        if events:
            self._events(cid, ts, events)
        for p in problems:  # not attached to a message (a foreign handshake, lost framing, ...)
            self._problem(cid, ts, p)

    def _problem(self, cid: int, ts: str, problem: Any) -> None:
        if not self._enabled(logging.WARNING):
            return
        arrow = ARROWS.get(getattr(problem, "side", ""), "--")
        if self.json:
            line = _json.dumps({"ts": ts, "conn": cid, "dir": arrow, "problems": [str(problem)]},
                               ensure_ascii=False)
        else:
            line = f"{ts} #{cid} {arrow} {'':>8} ! {problem}"
        self._write(logging.WARNING, line)

    def _events(self, cid: int, ts: str, events: list) -> None:
        dump = self.dump
        conn = f"#{cid}"
        for event in events:
            level = logging.WARNING if event.problems else logging.INFO
            if not self._enabled(level):
                continue
            arrow = ARROWS.get(event.side, "--")
            try:
                if self.json:
                    lines = [_json.dumps({"ts": ts, "conn": cid, "dir": arrow,
                                          **dump.render_json(event, full=self.full)},
                                         default=repr, ensure_ascii=False)]
                else:  # a problem adds lines to the event's: each gets the prefix
                    lines = [f"{ts} {conn} {arrow} {text}"
                             for text in dump.render_text(event, full=self.full).split("\n")]
            except Exception as exc:  # noqa: BLE001
                text = f"{getattr(event, 'kind', '?')} {getattr(event, 'name', '?')} (not rendered: {exc!r})"
                lines = [_json.dumps({"ts": ts, "conn": cid, "dir": arrow, "error": text}) if self.json
                         else f"{ts} {conn} {arrow} {text}"]
            for line in lines:
                self._write(level, line)


class _LoopLog:
    """Decoding on the event loop, in slices between I/O callbacks, in arrival order."""

    def __init__(self, writer: LogWriter, max_backlog: int) -> None:
        self.writer = writer
        self.max_backlog = max_backlog
        self.backlog = 0  # data bytes waiting
        self._queue: deque = deque()
        self._scheduled = False
        self._drained: list[asyncio.Future] = []

    @property
    def decoding(self) -> bool:
        return self.writer.decoding

    def _push(self, item: tuple[Any, ...] | list[Any]) -> None:  # (data items: a list, advanced in place)
        self._queue.append(item)
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._work)

    def note(self, level: int, cid: int | None, text: str, fields: dict[str, Any]) -> None:
        self._push(("note", level, cid, _now(), text, fields))

    def data(self, conn: ProxyConnection, side: str, data: bytes) -> bool:
        if self.backlog + len(data) > self.max_backlog:
            return False
        self.backlog += len(data)
        self._push(["data", conn.id, side, _now(), data, 0])
        return True

    def end(self, conn: ProxyConnection, reason: str) -> None:
        self._push(("end", conn, reason, _now()))

    def _work(self) -> None:
        queue, writer = self._queue, self.writer
        deadline = time.perf_counter() + SLICE_SECONDS
        try:
            while queue:
                item = queue[0]
                kind = item[0]
                if kind == "data":
                    _, cid, side, ts, data, pos = item
                    piece = data[pos:pos + FEED_BYTES] if pos or len(data) > FEED_BYTES else data
                    item[5] = pos + len(piece)
                    if item[5] >= len(data):
                        queue.popleft()
                    self.backlog -= len(piece)
                    writer.data(cid, side, ts, piece)
                elif kind == "note":
                    queue.popleft()
                    writer.note(*item[1:])
                else:
                    queue.popleft()
                    _, conn, reason, ts = item
                    writer.end(conn.id, ts, reason, conn.bytes["client"], conn.bytes["server"],
                               conn.complete)
                    conn._logged()
                if time.perf_counter() >= deadline:
                    break
        finally:
            if queue:
                asyncio.get_running_loop().call_soon(self._work)
            else:
                self._scheduled = False
                drained, self._drained = self._drained, []
                for future in drained:
                    if not future.done():
                        future.set_result(None)

    async def flush(self) -> None:
        if self._queue:
            future = asyncio.get_running_loop().create_future()
            self._drained.append(future)
            await future

    async def aclose(self) -> None:
        await self.flush()
        close = getattr(self.writer._emit, "close", None)  # a log file the proxy opened
        if close is not None:
            close()


_FRAME = struct.Struct("!BIII")  # kind, connection id, meta length, data length
_NOTE, _DATA, _END = 1, 2, 3


class _ProcessLog:
    """Decoding and writing the log in a child process (:func:`_decoder_main`), fed frames
    through a pipe: the event loop only copies bytes into the pipe's buffer."""

    def __init__(self, process: asyncio.subprocess.Process, decoding: bool, max_backlog: int) -> None:
        self.process = process
        self._decoding = decoding
        self.max_backlog = max_backlog
        self.dead = False

    @classmethod
    async def start(cls, log_path: str | os.PathLike[str] | None, json: bool, max_backlog: int = MAX_BACKLOG,
                    full: bool = False, max_decoded_values: Any = DEFAULT) -> _ProcessLog:
        args = ["--json"] if json else []
        if full:
            args.append("--full")
        if max_decoded_values is not DEFAULT:
            args += ["--max-decoded-values", "off" if max_decoded_values is None else str(max_decoded_values)]
        if log_path is not None:
            args += ["--log", os.fspath(log_path)]
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-c", "import sys; from asyncbolt.tools.proxy import _decoder_main; "
                                      "sys.exit(_decoder_main(sys.argv[1:]))", *args,
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL)
        except OSError as exc:
            raise RuntimeError(f"cannot start the log process: {exc}") from exc
        return cls(process, _load_dump()[0] is not None, max_backlog)

    @property
    def decoding(self) -> bool:
        return self._decoding and not self.dead

    @property
    def backlog(self) -> int:
        stdin = self.process.stdin
        return stdin.transport.get_write_buffer_size() if stdin is not None else 0

    def _send(self, kind: int, cid: int | None, meta: Any, data: bytes = b"") -> bool:
        if self.dead:
            return False
        stdin = self.process.stdin
        if self.process.returncode is not None or stdin is None or stdin.is_closing():
            self.dead = True
            print(f"asyncbolt proxy: the log process ended (code {self.process.returncode}); "
                  "forwarding goes on without a log", file=sys.stderr)
            return False
        encoded = _json.dumps(meta, default=repr).encode()
        stdin.write(_FRAME.pack(kind, cid or 0, len(encoded), len(data)) + encoded)
        if data:
            stdin.write(data)
        return True

    def note(self, level: int, cid: int | None, text: str, fields: dict[str, Any]) -> None:
        self._send(_NOTE, cid, [level, cid is None, _now(), text, fields])

    def data(self, conn: ProxyConnection, side: str, data: bytes) -> bool:
        if self.backlog + len(data) > self.max_backlog:
            return False
        return self._send(_DATA, conn.id, [side, _now()], data)

    def end(self, conn: ProxyConnection, reason: str) -> None:
        self._send(_END, conn.id, [_now(), reason, conn.bytes["client"], conn.bytes["server"],
                                   conn.complete])
        conn._logged()

    async def flush(self) -> None:
        stdin = self.process.stdin
        if stdin is not None and not self.dead and not stdin.is_closing():
            try:
                await stdin.drain()
            except (ConnectionError, OSError):
                self.dead = True

    async def aclose(self) -> None:
        """End of input: the child writes what is left of the log and exits."""
        stdin = self.process.stdin
        if stdin is not None and not stdin.is_closing():
            try:
                await stdin.drain()
            except (ConnectionError, OSError):
                pass
            stdin.close()
        await self.process.wait()


def _decoder_main(argv: list[str]) -> int:
    """The child process of ``--decoder process``: frames on stdin -> the log. It ends at the
    end of its input only (signals are the parent's business), so the log is never cut short."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    try:
        os.nice(5)  # when CPUs are short, the traffic goes first and the log falls behind
    except (AttributeError, OSError):
        pass
    parser = argparse.ArgumentParser(prog="asyncbolt proxy (log process)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--max-decoded-values")
    parser.add_argument("--log")
    args = parser.parse_args(argv)
    budget: Any = DEFAULT
    if args.max_decoded_values is not None:
        budget = None if args.max_decoded_values == "off" else int(args.max_decoded_values)
    handler = _log_handler(args.log, batch=True)
    logger = logging.getLogger("asyncbolt.tools.proxy")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    dump, error = _load_dump()
    writer = LogWriter(*_make_sink(logger), json=args.json, dump=dump, full=args.full,
                       max_decoded_values=budget)
    if dump is None:
        writer.note(logging.WARNING, None, _now(), f"decoder unavailable, forwarding only: {error}",
                    {"event": "error", "error": f"decoder unavailable: {error}"})
    fd = sys.stdin.fileno()
    buf = bytearray()
    while True:
        handler.flush()  # before waiting for input: lines are written in batches under load
        try:
            more = os.read(fd, 1 << 20)
        except InterruptedError:
            continue
        if not more:
            break
        buf += more
        pos = 0
        while len(buf) - pos >= _FRAME.size:
            kind, cid, meta_len, data_len = _FRAME.unpack_from(buf, pos)
            start = pos + _FRAME.size
            end = start + meta_len + data_len
            if len(buf) < end:
                break
            meta = _json.loads(bytes(buf[start:start + meta_len]))
            data = bytes(buf[start + meta_len:end])
            pos = end
            if kind == _DATA:
                side, ts = meta
                writer.data(cid, side, ts, data)
            elif kind == _NOTE:
                level, proxy_level, ts, text, fields = meta
                writer.note(level, None if proxy_level else cid, ts, text, fields)
            elif kind == _END:
                ts, reason, client_bytes, server_bytes, complete = meta
                writer.end(cid, ts, reason, client_bytes, server_bytes, complete)
        del buf[:pos]
    handler.flush()
    handler.close()
    return 0


class _BatchFlush(logging.StreamHandler):
    """Handler mixin: ``emit`` leaves the line in the stream's buffer; ``flush()`` writes."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.stream.write(self.format(record) + self.terminator)
        except Exception:  # noqa: BLE001
            self.handleError(record)


class _BatchFileHandler(_BatchFlush, logging.FileHandler):
    pass


class _BatchStreamHandler(_BatchFlush, logging.StreamHandler):
    pass


def _log_handler(path: str | None, batch: bool = False) -> logging.Handler:
    """stderr or ``path``; ``batch``: lines are written at ``flush()`` rather than one by one."""
    if path:
        handler: logging.Handler = (_BatchFileHandler if batch else logging.FileHandler)(path, encoding="utf-8")
    else:
        handler = (_BatchStreamHandler if batch else logging.StreamHandler)(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))  # lines carry their own timestamp
    return handler


# -- one proxied connection ---------------------------------------------------------------------

class _Side(asyncio.Protocol):
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
        self.client = _Side(self, "client")
        self.server = _Side(self, "server")
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

    def peer(self, side: str) -> _Side:
        return self.server if side == "client" else self.client

    # -- lifecycle --------------------------------------------------------------------------

    def made(self, side: _Side) -> None:
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
            reason = str(exc) or type(exc).__name__
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
        except OSError as exc:
            self.proxy._log.note(logging.ERROR, self.id, f"cannot record: {exc}",
                                 {"event": "error", "error": f"cannot record: {exc}"})
            self._close_files()

    def _record(self, side: str, data: bytes) -> None:
        try:
            f = self._files[side]
            f.write(data)
            f.flush()
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
                   if (m := re.fullmatch(r"(\d+)-(?:client|server)\.bin", name))]
            self._next_id = max(ids, default=0) + 1

    async def start(self, host: str, port: int) -> None:
        self._server = await asyncio.get_running_loop().create_server(self._accept, host or None, port)
        address = _format_address(self._server.sockets[0].getsockname())
        self._log.note(logging.INFO, None, f"listening on {address}, forwarding to {self.upstream}",
                       {"event": "listen", "address": address, "upstream": self.upstream})

    def _accept(self) -> _Side:
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

def _budget_arg(text: str) -> Any:
    if text.strip().lower() in ("off", "none"):
        return None
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a count: {text!r} (a number, or off)") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (or off): {text!r}")
    return value


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
    parser.add_argument("--max-decoded-values", type=_budget_arg, metavar="N", default=DEFAULT,
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
                                max_decoded_values=args.max_decoded_values)
    except OSError as exc:
        print(f"asyncbolt proxy: error: cannot listen on {args.listen}: {exc.strerror or exc}", file=sys.stderr)
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
