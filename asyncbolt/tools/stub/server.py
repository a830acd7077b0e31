"""The stub server: plays a script with every client that connects (asyncio).

:class:`StubServer` is the API (also used by the ``asyncbolt stub`` command line,
:mod:`asyncbolt.tools.stub.cli`). Log lines have testkit's boltstub format, so tools that read boltstub's output
(testkit's harness counts ``C: RUN`` requests, ``<ACCEPT>``/``<HANGUP>``/``<BROKEN>`` events and
reads the negotiated version from ``S: <HANDSHAKE>``) work unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable
from typing import Any

from asyncbolt._generated.versions import MAGIC as _MAGIC
from asyncbolt._generated.versions import MANIFEST_ONLY, has, key_holds
from asyncbolt._generated.versions import MANIFEST_V1 as _MANIFEST_V1
from asyncbolt.errors import _StubBroken as _Broken
from asyncbolt.errors import _StubExit as _Exit
from asyncbolt.errors import _StubFailure as _Failure
from asyncbolt.tools.stub.player import Namespace, Player
from asyncbolt.tools.stub.script import Client, Script, ServerLine, parse_script
from asyncbolt.tools.stub.values import Struct, dumps, pack, unpack

__all__ = ["StubServer"]

# The agent an automatic HELLO/INIT reply announces, per version (what the Neo4j release that
# introduced the version announced; clients of some eras insist on a "Neo4j/" agent).
_AGENTS = {
    (1, 0): "Neo4j/3.3.0", (2, 0): "Neo4j/3.4.0", (3, 0): "Neo4j/3.5.0", (4, 0): "Neo4j/4.0.0",
    (4, 1): "Neo4j/4.1.0", (4, 2): "Neo4j/4.2.0", (4, 3): "Neo4j/4.3.0", (4, 4): "Neo4j/4.4.0",
    (5, 0): "Neo4j/5.0.0", (5, 1): "Neo4j/5.5.0", (5, 2): "Neo4j/5.7.0", (5, 3): "Neo4j/5.9.0",
    (5, 4): "Neo4j/5.13.0", (5, 5): "Neo4j/5.21.0", (5, 6): "Neo4j/5.23.0",
    (5, 7): "Neo4j/5.24.0", (5, 8): "Neo4j/5.26.0", (6, 0): "Neo4j/2025.10.0",
    (6, 1): "Neo4j/2025.11.0",
}

# A script's version also answers these proposals (testkit's boltstub rule, as its agents
# above: 4.2 is 4.1 on the wire, and its 4.2 scripts serve drivers that offer 4.1 only).
_EQUIVALENT = {(4, 2): (4, 1)}


def _hex(data: bytes) -> str:
    return " ".join(f"{b:02X}" for b in data)


class StubServer:
    """A Bolt server that plays a stub script (testkit's stub script language).

    ``script`` is the script text, a parsed :class:`~asyncbolt.tools.stub.Script`, or the path of a
    script file (``str`` paths must name an existing file; text is anything with a newline).

    Use it as an async context manager::

        async with StubServer(script) as stub:
            driver = neo4j.AsyncGraphDatabase.driver(stub.uri, auth=("neo4j", "pass"))
            ...
            assert await stub.wait(5), stub.errors

    Attributes and methods:

    - ``address``: ``(host, port)`` the server listens on (port 0 picks a free one);
      ``uri``: ``"bolt://host:port"``.
    - ``await wait(timeout)``: waits until the server has finished. A script without
      ``!: ALLOW RESTART``/``CONCURRENT`` finishes when its one connection does; otherwise (or
      when ``timeout`` passes first) ``wait`` stops accepting and lets each open connection end
      if the rest of its script is optional (the same as a first SIGINT to the command line
      tool); a connection that still owes lines is closed and reported in ``errors``. Returns
      True when the script was played to the end and nothing went wrong.
    - ``errors``: one string per problem, e.g. ``script.script:12: expected `C: RUN "RETURN 1"
      {} {}`, got `C: RUN "RETURN 2" {} {}```.
    - ``log``: the lines the server logged (boltstub's format, without timestamps).
    - ``played_to_end``: True when a connection played the script to its end (or to a point
      where the rest is optional) and no connection stopped part-way.
    - ``exit_code``: what ``asyncbolt stub`` exits with (boltstub's codes): 0 fine, 1 errors,
      2 no connection within ``timeout`` (single-run scripts), 3 the script never started.

    ``on_log(line)`` (optional) is called with each log line as it is written.
    """

    def __init__(self, script: str | Script | os.PathLike[str], host: str = "127.0.0.1",
                 port: int = 0, *, timeout: float | None = None,
                 on_log: Callable[[str], None] | None = None) -> None:
        if isinstance(script, Script):
            self.script = script
        elif isinstance(script, os.PathLike) or ("\n" not in script and os.path.isfile(script)):
            path = os.fspath(script)
            with open(path, encoding="utf-8") as f:
                self.script = parse_script(f.read(), path)
        else:
            self.script = parse_script(script)
        self.host = host
        self.port = port
        self.timeout = timeout
        self.on_log = on_log
        self.log: list[str] = []
        self.errors: list[str] = []
        self.ns = Namespace(self.script.python)
        self._server: asyncio.base_events.Server | None = None
        self._turn = asyncio.Lock()
        self._conns: set[_Connection] = set()
        self._conn_ids = 0  # connection ids handed out in automatic HELLO answers
        self._tasks: set[asyncio.Task] = set()
        self._finished = asyncio.Event()
        self._stopping = False
        self.started = False  # a connection started playing
        self.timed_out = False
        self._ended_ok = 0
        self._ended_short = 0
        self._timer: asyncio.TimerHandle | None = None
        self.address: tuple[str, int] = (host, port)

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def uri(self) -> str:
        host = self.address[0]
        if ":" in host:
            host = f"[{host}]"
        return f"bolt://{host}:{self.address[1]}"

    @property
    def played_to_end(self) -> bool:
        return self._ended_ok > 0 and self._ended_short == 0

    @property
    def exit_code(self) -> int:
        if self.errors:
            return 1
        if self.timed_out:
            return 2
        if not self.started:
            return 3
        return 0

    @property
    def finished(self) -> bool:
        return self._finished.is_set()

    async def start(self) -> StubServer:
        self._server = await asyncio.start_server(self._on_connect, self.host, self.port)
        sock = self._server.sockets[0].getsockname()
        self.address = (sock[0], sock[1])
        if self.timeout is not None and not self.script.restart:
            self._timer = asyncio.get_running_loop().call_later(self.timeout, self._on_timeout)
        return self

    async def __aenter__(self) -> StubServer:
        return await self.start()

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    def _on_timeout(self) -> None:
        if not self.started and not self.finished:
            self.timed_out = True
            self._finish()

    def _finish(self) -> None:
        self._stopping = True
        if self._timer is not None:
            self._timer.cancel()
        if self._server is not None:
            self._server.close()
        for conn in list(self._conns):
            if not conn.playing:
                conn.abort()
        self._finished.set()

    def skip_to_end(self) -> None:
        """Stop accepting; end each open connection whose remaining script is optional (the
        others keep playing). What a first SIGINT does to the command line tool."""
        self._stopping = True
        if self._server is not None:
            self._server.close()
        for conn in list(self._conns):
            conn.skip_to_end()
        self._check_finished()

    def close_connections(self) -> None:
        """Close every connection now (what a second SIGINT does); unfinished ones are
        reported in ``errors``."""
        self._stopping = True
        if self._server is not None:
            self._server.close()
        for conn in list(self._conns):
            conn.force_close()
        self._check_finished()

    def _check_finished(self) -> None:
        if self._stopping and not any(c.playing for c in self._conns):
            self._finish()

    async def wait(self, timeout: float | None = None) -> bool:
        """Wait for the server to finish (see the class docstring); True if all went well."""
        deadline = None if timeout is None else time.monotonic() + timeout
        idle_since: float | None = None
        while not self.finished:
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                break
            # Connections that sit where their script may end, with nothing unread, for 0.1 s
            # are done talking (the client keeps its pool open): no need to wait any longer.
            if self.started and all(c.idle_at_end() for c in self._conns):
                idle_since = idle_since or now
                if now - idle_since >= 0.1:
                    break
            else:
                idle_since = None
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._finished.wait(), 0.05)
        if not self.finished:
            self.skip_to_end()
            left = None if deadline is None else max(0.1, deadline - time.monotonic())
            try:
                await asyncio.wait_for(self._finished.wait(), min(left or 1.0, 1.0))
            except asyncio.TimeoutError:
                for conn in list(self._conns):
                    if conn.playing:
                        conn.report_unfinished()
                self.close_connections()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._finished.wait(), 2.0)
        return not self.errors and self.played_to_end

    async def close(self) -> None:
        """Stop the server and close every connection at once."""
        self._stopping = True
        if self._server is not None:
            self._server.close()
        for conn in list(self._conns):
            conn.abort()
        tasks = [t for t in self._tasks if not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1.0)
        if self._timer is not None:
            self._timer.cancel()
        self._finished.set()

    # -- logging -----------------------------------------------------------------------------

    def write_log(self, line: str) -> None:
        self.log.append(line)
        if self.on_log is not None:
            self.on_log(line)

    # -- connections -------------------------------------------------------------------------

    async def _on_connect(self, reader: asyncio.StreamReader,
                          writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        conn = _Connection(self, reader, writer)
        self._conns.add(conn)
        try:
            await self._serve(conn)
        except asyncio.CancelledError:
            # close() cancels handlers; asyncio's start_server would log a cancelled handler
            conn.abort()
        finally:
            self._conns.discard(conn)
            if task is not None:
                self._tasks.discard(task)
            if conn.counted and not self.script.restart:
                self._finish()
            self._check_finished()

    async def _serve(self, conn: _Connection) -> None:
        if self.script.concurrent:
            await conn.run()
            return
        # One connection at a time: the next waits (connected, unanswered) as it would in the
        # listen backlog of a single-threaded server.
        async with self._turn:
            if self._stopping:
                conn.abort()
                return
            await conn.run()


class _Connection:
    def __init__(self, server: StubServer, reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter) -> None:
        self.server = server
        self.script = server.script
        self.reader = reader
        self.writer = writer
        self.playing = False
        self.counted = False
        self.player: Player | None = None
        self.queue: asyncio.Queue[Any] = asyncio.Queue()
        self.reader_task: asyncio.Task | None = None
        self._skipped = False
        self._forced = False
        self._unfinished_reported = False
        self.pending = bytearray()
        peer = writer.get_extra_info("peername") or ("?", 0)
        local = writer.get_extra_info("sockname") or ("?", 0)
        self.peer = peer
        self.local = local
        self.prefix = f"[#{peer[1] & 0xFFFF:04X}>#{local[1] & 0xFFFF:04X}]  "

    def log(self, text: str) -> None:
        self.server.write_log(self.prefix + text)

    def abort(self) -> None:
        self._forced = True
        with contextlib.suppress(Exception):
            self.writer.transport.abort()

    def idle_at_end(self) -> bool:
        return (not self.playing or (self.player is not None and self.player.can_end()
                                     and self.queue.empty()))

    def skip_to_end(self) -> None:
        if self.playing and self.player is not None and self.player.can_end():
            self._skipped = True
            self.queue.put_nowait(_SKIP)

    def force_close(self) -> None:
        if self.playing:
            self._forced = True
            self.queue.put_nowait(_FORCE)

    def report_unfinished(self) -> None:
        if self.player is None or self._unfinished_reported:
            return
        self._unfinished_reported = True
        self.server.errors.append(self._unfinished("the server was stopped"))

    def _unfinished(self, why: str) -> str:
        assert self.player is not None
        expected = self.player.expected()
        where = self.script.path or "<script>"
        if expected:
            first = expected[0]
            rest = "".join(f", `{e.show()}` (line {e.line})" for e in expected[1:])
            what = f"expected `{first.show()}`" + (f" (or one of:{rest[1:]})" if rest else "")
            return f"{where}:{first.line}: {why} before the script ended: {what}"
        return f"{where}: {why} before the script ended"

    # -- the conversation --------------------------------------------------------------------

    async def run(self) -> None:
        server = self.server
        if server._stopping:
            self.abort()
            return
        self.playing = True
        self.counted = True
        server.started = True
        self.log(f"S: <ACCEPT> {_addr(self.peer)} -> {_addr(self.local)}")
        try:
            await self._handshake()
            self.player = Player(self.script, server.ns)
            self.reader_task = asyncio.ensure_future(self._read_messages())
            await self._act(self.player.settle())
            while not self.player.done:
                item = await self.queue.get()
                if item is _SKIP:
                    break
                if item is _FORCE:
                    raise _Exit("Actor exit on request")
                if isinstance(item, BaseException):
                    raise item
                await self._on_message(item)
            self.log("Script finished")
            server._ended_ok += 1
        except _Exit as done:
            self.log(f"S: <EXIT> {done}")
            if self._forced and not self._skipped:
                if self.player is not None and not self.player.done:
                    self.report_unfinished()
                    server._ended_short += 1
            else:
                server._ended_ok += 1
        except _Broken as broken:
            self.log(f"S: <BROKEN> {broken}")
            if self.player is not None and self.player.can_end():
                self.log("Script finished")
                server._ended_ok += 1
            else:
                server._ended_short += 1
                if self.player is None:
                    server.errors.append(f"{self.script.path or '<script>'}: the client went "
                                         f"away during the handshake ({broken})")
                else:
                    server.errors.append(self._unfinished(f"the client closed the connection "
                                                          f"({broken})"))
        except _Failure as failure:
            server._ended_short += 1
            server.errors.append(str(failure))
            self.log(f"S: <ERROR> {failure}")
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a bug of ours: report it, never hang the client
            server._ended_short += 1
            server.errors.append(f"internal error: {type(error).__name__}: {error}")
            self.log(f"S: <ERROR> internal error: {type(error).__name__}: {error}")
        finally:
            self.playing = False
            if self.reader_task is not None:
                self.reader_task.cancel()
                with contextlib.suppress(BaseException):
                    await self.reader_task
            self.log("S: <HANGUP>")
            with contextlib.suppress(Exception):
                self.writer.close()
            server._check_finished()

    async def _read_exactly(self, n: int) -> bytes:
        try:
            return await self.reader.readexactly(n)
        except asyncio.IncompleteReadError as error:
            raise _Broken(f"connection closed after {len(error.partial)} of {n} bytes") from None
        except OSError as error:
            raise _Broken(f"{type(error).__name__}: {error}") from None

    async def _send(self, data: bytes) -> None:
        try:
            self.writer.write(data)
            await self.writer.drain()
        except OSError as error:
            raise _Broken(f"{type(error).__name__}: {error}") from None

    async def _handshake(self) -> None:
        magic = await self._read_exactly(4)
        self.log(f"C: <MAGIC> {_hex(magic)}")
        if magic != _MAGIC:
            raise _Exit(f"Expected the magic header 6060B017, received {magic.hex().upper()}")
        proposals = await self._read_exactly(16)
        self.log(f"C: <HANDSHAKE> {_hex(proposals)}")
        version = self.script.version
        if self.script.handshake is not None:
            reply = self.script.handshake
        else:
            slots = [proposals[i:i + 4] for i in range(0, 16, 4)]
            offered = _offered(slots, version)
            if version in MANIFEST_ONLY and _MANIFEST_V1 in slots:
                # 6.x is reached through the manifest only (spec: MANIFEST_ONLY)
                await self._manifest(version)
                return
            if version in offered:
                reply = bytes((0, 0, version[1], version[0]))
            elif _EQUIVALENT.get(version) in offered:
                other = _EQUIVALENT[version]
                reply = bytes((0, 0, other[1], other[0]))
            elif _MANIFEST_V1 in slots and has("manifest", version):
                await self._manifest(version)
                return
            else:
                await self._delay()
                self.log("S: <HANDSHAKE> 00 00 00 00")
                with contextlib.suppress(_Broken):
                    await self._send(b"\x00\x00\x00\x00")
                raise _Failure(f"{self.script.path or '<script>'}: handshake failed: the script "
                               f"speaks Bolt {version[0]}.{version[1]}, the client proposed "
                               f"{_describe_slots(slots)} ({_hex(proposals)})")
        await self._delay()
        await self._send(reply)
        self.log(f"S: <HANDSHAKE> {_hex(reply)}")

    async def _delay(self) -> None:
        if self.script.handshake_delay:
            self.log(f"S: <HANDSHAKE DELAY> {self.script.handshake_delay}")
            await asyncio.sleep(self.script.handshake_delay)

    async def _manifest(self, version: tuple[int, int]) -> None:
        from asyncbolt.core.handshake import encode_varint

        reply = _MANIFEST_V1 + encode_varint(1) + bytes((0, 0, version[1], version[0])) \
            + encode_varint(0)
        await self._delay()
        await self._send(reply)
        self.log(f"S: <HANDSHAKE> {_hex(reply)}")
        choice = await self._read_exactly(4)
        caps = bytearray()
        while True:
            byte = await self._read_exactly(1)
            caps += byte
            if not byte[0] & 0x80 or len(caps) >= 10:
                break
        self.log(f"C: <HANDSHAKE MANIFEST CHOICE> {_hex(choice + caps)}")
        if (choice[3], choice[2]) != version:
            raise _Failure(f"{self.script.path or '<script>'}: handshake failed: the manifest "
                           f"offered Bolt {version[0]}.{version[1]}, the client chose "
                           f"{choice[3]}.{choice[2]} ({_hex(choice)})")

    async def _read_messages(self) -> None:
        from asyncbolt.core.framing import ChunkReader
        from asyncbolt.errors import ProtocolError

        chunks = ChunkReader(max_message_size=64 * 1024 * 1024)
        self.chunks = chunks
        try:
            while True:
                try:
                    data = await self.reader.read(65536)
                except OSError as error:
                    self.queue.put_nowait(_Broken(f"{type(error).__name__}: {error}"))
                    return
                if not data:
                    self.queue.put_nowait(_Broken("connection closed by the client"))
                    return
                if self.queue.qsize() > _MAX_UNREAD:
                    self.queue.put_nowait(_Failure(
                        f"{self.script.path or '<script>'}: the client sent over {_MAX_UNREAD} "
                        "messages the script has not got to"))
                    return
                try:
                    for payload in chunks.feed(data):
                        self.queue.put_nowait(payload)
                except ProtocolError as error:
                    for payload in getattr(error, "completed", []):
                        self.queue.put_nowait(payload)
                    self.queue.put_nowait(_Failure(
                        f"{self.script.path or '<script>'}: bad chunking from the client: "
                        f"{error}"))
                    return
        except asyncio.CancelledError:
            pass

    def _decode(self, payload: bytes) -> tuple[str, list[Any]]:
        from asyncbolt._generated.messages import REQUESTS

        try:
            value = unpack(payload)
        except ValueError as error:
            raise _Failure(f"{self.script.path or '<script>'}: undecodable message from the "
                           f"client ({error}): {_hex(payload[:64])}") from None
        if not isinstance(value, Struct):
            raise _Failure(f"{self.script.path or '<script>'}: the client sent a "
                           f"{type(value).__name__} where a message belongs")
        version = self.script.version
        cls = REQUESTS[version].get(value.tag)
        if cls is None:
            raise _Failure(f"{self.script.path or '<script>'}: unknown request tag "
                           f"0x{value.tag:02X} for Bolt {version[0]}.{version[1]}")
        return cls.name, value.fields

    async def _on_message(self, payload: bytes) -> None:
        assert self.player is not None
        name, fields = self._decode(payload)
        # Credentials are shown: testkit's harness checks them in HELLO/LOGON lines (and the
        # script that matched them holds them anyway).
        shown = f"{name} {' '.join(dumps(f) for f in fields)}"
        line = self.player.feed(name, fields)
        if line is not None:
            self.log(f"({line.line:3}) C: {shown}")
            await self._act(self.player.settle())
            return
        if name in self.script.auto:
            self.log(f"C: {shown}")
            await self._auto(name)
            return
        raise _Failure(self._mismatch(f"C: {shown}"))

    def _mismatch(self, got: str) -> str:
        assert self.player is not None
        expected: list[Client] = self.player.expected()
        where = self.script.path or "<script>"
        autos = sorted(self.script.auto)
        if not expected:
            extra = f" (only automatic replies to {', '.join(autos)})" if autos else ""
            return f"{where}: the script expects no more messages{extra}, got `{got}`"
        first = expected[0]
        rest = [f"`{e.show()}` (line {e.line})" for e in expected[1:]]
        rest += [f"`!: AUTO {a}`" for a in autos]
        text = f"{where}:{first.line}: expected `{first.show()}`"
        if rest:
            text += f" (or one of: {', '.join(rest)})"
        return f"{text}, got `{got}`"

    async def _act(self, actions: list[tuple[str, Any]]) -> None:
        for kind, item in actions:
            if kind == "server":
                await self._server_line(item)
            elif kind == "auto":
                await self._auto(item.name)

    async def _auto(self, name: str) -> None:
        version = self.script.version
        meta: dict[str, Any] = {}
        if name in ("HELLO", "INIT"):
            if key_holds("success_metadata", "connection_id", version):
                self.server._conn_ids += 1
                meta["connection_id"] = f"bolt-{self.server._conn_ids}"
            meta["server"] = _AGENTS.get(version, "Neo4j/5.26.0")
            if key_holds("hello_extra", "routing", version):
                meta["routing"] = None
        self.log("AUTO response:")
        self.log(f"S: SUCCESS {dumps(meta)}")
        await self._send_message(0x70, [meta])

    async def _send_message(self, tag: int, fields: list[Any]) -> None:
        from asyncbolt.core.framing import chunk_message

        await self._send(chunk_message(pack(Struct(tag, fields))))

    async def _server_line(self, line: ServerLine) -> None:
        if line.kind == "MSG":
            from asyncbolt._generated.messages import RESPONSES

            tag = next(t for t, c in RESPONSES[self.script.version].items() if c.name == line.name)
            self.log(f"({line.line:3}) S: {line.text}")
            await self._send_message(tag, line.fields)
        elif line.kind == "EXIT":
            raise _Exit(f"server exit as part of the script: ({line.line:3}) S: <EXIT>")
        elif line.kind == "NOOP":
            self.log(f"({line.line:3}) S: <NOOP>")
            await self._send(b"\x00\x00")
        elif line.kind == "RAW":
            self.log(f"({line.line:3}) S: <RAW> {_hex(line.arg)}")
            await self._send(line.arg)
        elif line.kind == "SLEEP":
            self.log(f"({line.line:3}) S: <SLEEP> {line.arg}")
            await asyncio.sleep(line.arg)
        elif line.kind == "ASSERT ORDER":
            self.log(f"({line.line:3}) S: <ASSERT ORDER> {line.arg}")
            await asyncio.sleep(line.arg)
            chunks = getattr(self, "chunks", None)
            early = [m for m in _peek_queue(self.queue) if isinstance(m, bytes)]
            if early or (chunks is not None and chunks.buffered):
                got = "a partial message"
                if early:
                    with contextlib.suppress(_Failure):
                        name, fields = self._decode(early[0])
                        got = f"`C: {name} {' '.join(dumps(f) for f in fields)}`"
                raise _Failure(f"{self.script.path or '<script>'}:{line.line}: <ASSERT ORDER>: "
                               f"expected the client to send nothing for {line.arg} s, but it "
                               f"sent {got}")


_SKIP = object()
_MAX_UNREAD = 100_000  # messages received and not yet played: bounds a flooding client
_FORCE = object()


def _peek_queue(queue: asyncio.Queue) -> list[Any]:
    return list(queue._queue)  # type: ignore[attr-defined]  # asyncio.Queue has no public peek


def _addr(addr: Any) -> str:
    try:
        host, port = addr[0], addr[1]
    except (TypeError, IndexError):
        return str(addr)
    return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"


def _offered(slots: list[bytes], version: tuple[int, int]) -> set[tuple[int, int]]:
    """The versions the client's proposal slots cover, read as a server of ``version`` reads
    them: before 4.0 only the major byte counts, before 4.3 no ranges."""
    out = set()
    for slot in slots:
        _, rng, minor, major = slot
        if major in (0, 0xFF):
            continue
        if not has("handshake_minor", version):
            rng, minor = 0, 0
        elif not has("handshake_ranges", version):
            rng = 0
        for m in range(minor, max(minor - rng, 0) - 1, -1):
            out.add((major, m))
    return out


def _describe_slots(slots: list[bytes]) -> str:
    parts = []
    for _, rng, minor, major in slots:
        if major == 0:
            continue
        if major == 0xFF:
            parts.append(f"manifest v{minor}")
        elif rng:
            parts.append(f"{major}.{minor}-{major}.{max(minor - rng, 0)}")
        else:
            parts.append(f"{major}.{minor}")
    return ", ".join(parts) or "nothing"
