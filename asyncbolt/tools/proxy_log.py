"""The log of ``asyncbolt proxy``: decoding what passed and writing it, one line per message.

:class:`LogWriter` feeds each connection's bytes to its own
:class:`asyncbolt.tools.dump.Conversation` (the decoder ``asyncbolt inspect`` uses) and writes
every event as ``inspect`` renders it. Where it runs (see :mod:`asyncbolt.tools.proxy`): on the
event loop in slices between I/O callbacks (``_LoopLog``, what :func:`~asyncbolt.tools.proxy.run_proxy`
uses by default), or in a child process fed through a pipe (``_ProcessLog`` and
:func:`_decoder_main`, what the command line uses). Either way, data that would make the backlog
outgrow its bound is not decoded: the traffic is never held back for the log.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as _dt
import json as _json
import logging
import os
import signal
import struct
import sys
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from asyncbolt.tools.proxy import ProxyConnection

__all__ = ["LogWriter", "DEFAULT", "MAX_BACKLOG", "LOGGER"]

#: Where the proxy's lines go by default (the logger keeps the command's name).
LOGGER = logging.getLogger("asyncbolt.tools.proxy")

ARROWS = {"client": "C->S", "server": "S->C"}
#: In-loop decoding works in slices of about this many seconds between I/O callbacks, feeding
#: the decoder at most FEED_BYTES at a time: forwarding waits for at most about one slice.
SLICE_SECONDS = 0.001
FEED_BYTES = 256
#: Bytes that may wait for the decoder before decoding is given up for the connection that
#: would exceed it; the traffic is never held back for the log.
MAX_BACKLOG = 64 * 1024 * 1024

Sink = Callable[[int, str], None]  # (logging level, line)


class _Default:
    def __repr__(self) -> str:
        return "DEFAULT"


#: ``max_decoded_values`` left to the codec's own default.
DEFAULT: Any = _Default()


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
                sys.executable, "-c", "import sys; from asyncbolt.tools.proxy_log import _decoder_main; "
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
