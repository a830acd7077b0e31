"""asyncbolt's client against scripted servers that send odd (but possible) byte streams.

Each test starts a fake Bolt server (``asyncio.start_server`` on 127.0.0.1:0) whose handler
is a small script: it reads the handshake, answers a chosen version, reads the client's
messages (dechunked with :class:`asyncbolt.core.framing.ChunkReader`, decoded with the codec's
``unpack_request``) and writes hand-made responses (``pack_message`` + ``chunk_message``, or
raw bytes). The client under test is the real one: ``asyncbolt.connect``.

Everything that waits is bounded (``asyncio.wait_for``), so a client that hangs fails the test
instead of blocking the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import socket
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

import asyncbolt
from asyncbolt.codec.messages import Failure, Ignored, Record, Success
from asyncbolt.codec.packstream import get_codec
from asyncbolt.core.framing import ChunkReader, chunk_message
from asyncbolt.core.handshake import MAGIC, MANIFEST_V1, encode_varint, encode_version

from .conftest import until

Version = tuple[int, int]
AGENT = "Fake/1.0"
NONE = b"\x00\x00\x00\x00"
NOOP = b"\x00\x00"


# -- the fake server --------------------------------------------------------------------------


class Peer:
    """The server end of one connection, driven by a test's script."""

    def __init__(self, server: FakeServer, reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter) -> None:
        self.server = server
        self.reader = reader
        self.writer = writer
        self.version: Version | None = None
        self.codec: Any = None
        self.handshake: bytes | None = None
        #: Names of the requests received, in order.
        self.received: list[str] = []
        self.messages: list[Any] = []
        self.eof = asyncio.Event()
        self._chunks = ChunkReader()
        self._inbox: deque[bytes] = deque()

    # handshake

    async def read_handshake(self) -> bytes:
        self.handshake = await asyncio.wait_for(self.reader.readexactly(20), 5)
        self.server.handshakes.append(self.handshake)
        assert self.handshake[:4] == MAGIC
        return self.handshake

    def use(self, version: Version) -> None:
        self.version = version
        self.codec = get_codec(version)

    async def accept(self, version: Version = (5, 4)) -> None:
        """Read the handshake and answer ``version`` the classic way (4 bytes)."""
        await self.read_handshake()
        self.use(version)
        await self.send_raw(encode_version(version))

    # messages

    async def recv(self, timeout: float = 5) -> Any:
        while not self._inbox:
            data = await asyncio.wait_for(self.reader.read(65536), timeout)
            if not data:
                self.eof.set()
                raise EOFError("the client closed the connection")
            self._inbox.extend(self._chunks.feed(data))
        message = self.codec.unpack_request(self._inbox.popleft())
        self.received.append(message.name)
        self.messages.append(message)
        return message

    async def expect(self, *names: str) -> list[Any]:
        messages = [await self.recv() for _ in names]
        assert [m.name for m in messages] == list(names), self.received
        return messages

    async def wait_eof(self, timeout: float = 2) -> None:
        """Read (and record) until the client closes the connection."""
        with contextlib.suppress(EOFError, ConnectionError):
            while True:
                await self.recv(timeout)

    def encode(self, *messages: Any) -> bytes:
        """Chunked bytes of messages (message objects or payload bytes)."""
        return b"".join(chunk_message(m if isinstance(m, bytes) else self.codec.pack_message(m))
                        for m in messages)

    async def send(self, *messages: Any) -> None:
        await self.send_raw(self.encode(*messages))

    async def send_raw(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def trickle(self, data: bytes, every: int = 8) -> None:
        """Write one byte per write, yielding after each and sleeping a little every few."""
        for i in range(len(data)):
            self.writer.write(data[i:i + 1])
            await self.writer.drain()
            await asyncio.sleep(0.001 if i % every == 0 else 0)

    # common exchanges

    async def hello(self, **meta: Any) -> None:
        """Answer HELLO (and LOGON from 5.1)."""
        if self.version >= (5, 1):
            await self.expect("HELLO", "LOGON")
            await self.send(Success({"server": AGENT, "connection_id": "bolt-1", **meta}), Success({}))
        else:
            await self.expect("HELLO")
            await self.send(Success({"server": AGENT, "connection_id": "bolt-1", **meta}))

    async def answer_query(self, rows: list[list], fields: tuple[str, ...] = ("x",)) -> None:
        """Read RUN and PULL; answer the fields, the rows and a final summary."""
        await self.expect("RUN", "PULL")
        await self.send(Success({"fields": list(fields)}), *[Record(r) for r in rows],
                        Success({"type": "r"}))

    def close(self) -> None:
        self.writer.close()

    def abort(self) -> None:
        self.writer.transport.abort()


Script = Callable[[Peer], Awaitable[None]]


class FakeServer:
    """``async with FakeServer(script) as server``: every connection runs ``script(peer)``.

    Errors raised by a script (say, a failed assertion about what the client sent) are raised
    again when the block exits; the client going away (EOF, reset) ends a script quietly."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.peers: list[Peer] = []
        self.handshakes: list[bytes] = []
        self.errors: list[BaseException] = []
        self._tasks: set[asyncio.Task] = set()
        self._server: asyncio.AbstractServer | None = None
        self.port = 0

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    @property
    def connections(self) -> int:
        return len(self.peers)

    async def __aenter__(self) -> FakeServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._tasks.add(asyncio.current_task())
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        peer = Peer(self, reader, writer)
        self.peers.append(peer)
        try:
            await self.script(peer)
        except (EOFError, ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            peer.eof.set()
        except BaseException as exc:  # reported when the test's block exits
            self.errors.append(exc)
        finally:
            writer.close()

    async def __aexit__(self, *exc: Any) -> None:
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=2)
        if self.errors and exc[0] is None:
            raise self.errors[0]


async def connect(server: FakeServer, **kwargs: Any) -> asyncbolt.Connection:
    kwargs.setdefault("timeout", 3)
    return await asyncio.wait_for(asyncbolt.connect(server.uri, auth=("u", "p"), **kwargs), 5)


def driver_for(server: FakeServer, **kwargs: Any) -> asyncbolt.Driver:
    """A Driver on ``server`` with a short connection timeout (tests that script the server)."""
    kwargs.setdefault("connection_timeout", 3)
    return asyncbolt.Driver(server.uri, auth=("u", "p"), **kwargs)


async def collect(result: asyncbolt.client.connection.Result, into: list, key: str = "x") -> None:
    async for record in result:
        into.append(record[key])


async def idle(peer: Peer) -> None:
    """The end of a script: keep the connection open until the client leaves."""
    await peer.wait_eof(10)


# -- (a) one-byte chunks, one byte per write --------------------------------------------------


LONG = "".join(chr(ord("a") + i % 26) for i in range(195))


async def test_records_in_one_byte_chunks_written_one_byte_at_a_time() -> None:
    rows = [[LONG], [{"k": [1, -2, 3.5, None, True], "s": "héllo ✓"}], [-(2**63)]]

    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.expect("RUN", "PULL")
        record = peer.codec.pack_message(Record(rows[0]))
        assert len(record) == 200
        one_byte_chunks = b"".join(b"\x00\x01" + record[i:i + 1] for i in range(200)) + b"\x00\x00"
        assert len(one_byte_chunks) == 602
        data = (peer.encode(Success({"fields": ["x"]})) + one_byte_chunks
                + b"".join(b"\x00\x01" + bytes([b]) for b in peer.codec.pack_message(Record(rows[1])))
                + b"\x00\x00"
                + peer.encode(Record(rows[2]), Success({"type": "r"})))
        await peer.trickle(data)
        await peer.answer_query([[1]])
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server)
        feeds = []
        original = conn._data_received

        def counting(data: bytes) -> None:
            feeds.append(len(data))
            original(data)

        conn._data_received = counting  # count the pieces the bytes arrived in
        result = await conn.run("RETURN x")
        got: list = []
        await asyncio.wait_for(collect(result, got), 4)
        assert got == [r[0] for r in rows]
        assert len(feeds) > 100  # it really came in small pieces
        summary = await result.consume()
        assert summary.query_type == "r"
        assert await (await conn.run("RETURN 1")).values() == [[1]]  # still in step
        await conn.close()


# -- (b) NOOP chunks --------------------------------------------------------------------------


# NOOPs before, between and after messages, split anywhere: tests/test_client_core.py (the
# client core dechunks; no socket needed).


# -- (c) the server goes away in the middle of a stream ---------------------------------------


@pytest.mark.parametrize("how", ["mid-message", "mid-chunk-header", "between-messages", "reset"])
async def test_server_closing_mid_stream_raises_service_unavailable(how: str) -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.expect("RUN", "PULL")
        head = peer.encode(Success({"fields": ["x"]}), Record([0]), Record([1]), Record([2]))
        fourth = peer.encode(Record(["a string that will be cut"]))
        tail = {"mid-message": fourth[:9], "mid-chunk-header": fourth[:1],
                "between-messages": b"", "reset": fourth[:5]}[how]
        await peer.send_raw(head + tail)
        await asyncio.sleep(0.05)
        if how == "reset":
            peer.abort()
        else:
            peer.close()

    async with FakeServer(script) as server:
        conn = await connect(server)
        result = await conn.run("RETURN x", fetch_size=10)
        got: list = []
        # (ServiceUnavailable, not wait_for's TimeoutError: the end is noticed, not waited out)
        with pytest.raises(asyncbolt.ServiceUnavailable):
            await asyncio.wait_for(collect(result, got), 1)
        assert got == [0, 1, 2]
        assert conn.closed
        with pytest.raises(asyncbolt.ServiceUnavailable):
            await asyncio.wait_for(conn.run("RETURN 1"), 0.5)
        await conn.close()


async def test_server_closing_while_the_client_waits_for_a_summary() -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.expect("RUN", "PULL")
        await asyncio.sleep(0.1)
        peer.close()

    async with FakeServer(script) as server:
        conn = await connect(server)
        result = await conn.run("RETURN x")
        with pytest.raises(asyncbolt.ServiceUnavailable):
            await asyncio.wait_for(result.keys(), 1)
        with pytest.raises(asyncbolt.ServiceUnavailable):
            await asyncio.wait_for(result.consume(), 1)


# -- (d) the server never answers -------------------------------------------------------------


async def _silent_after_handshake_bytes(peer: Peer) -> None:
    await peer.read_handshake()
    await asyncio.sleep(30)  # cancelled when the test's server block exits


async def test_handshake_never_answered_times_out() -> None:
    async with FakeServer(_silent_after_handshake_bytes) as server:
        started = time.monotonic()
        with pytest.raises(asyncbolt.ServiceUnavailable) as info:
            await asyncio.wait_for(asyncbolt.connect(server.uri, auth=("u", "p"), timeout=1), 3)
        # Not before the timeout (and, being ServiceUnavailable, not wait_for's TimeoutError).
        assert time.monotonic() - started >= 0.9
        assert isinstance(info.value.__cause__, asyncio.TimeoutError)
        assert str(server.port) in str(info.value)
        assert server.connections == 1  # a timeout is not retried with the legacy proposals


async def test_handshake_timeout_message_says_timed_out() -> None:
    # The client means to say why: ServiceUnavailable(f"...: {exc or 'timed out'}"). But a
    # TimeoutError instance is always truthy and its str() is empty, so the message ends in
    # ": " with no reason.
    async with FakeServer(_silent_after_handshake_bytes) as server:
        with pytest.raises(asyncbolt.ServiceUnavailable) as info:
            await asyncio.wait_for(asyncbolt.connect(server.uri, auth=("u", "p"), timeout=0.5), 3)
        assert "timed out" in str(info.value), repr(str(info.value))


async def test_handshake_timeout_leaves_no_unretrieved_future_exception() -> None:
    # _open waits on asyncio.shield(self._handshake_done): on timeout only the shield is
    # cancelled; close() then sets an exception on the inner future, which nobody retrieves,
    # and asyncio logs "Future exception was never retrieved" when it is collected.
    loop = asyncio.get_running_loop()
    reported: list[dict] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    try:
        async with FakeServer(_silent_after_handshake_bytes) as server:
            async def attempt() -> None:
                with contextlib.suppress(asyncbolt.ServiceUnavailable):
                    await asyncbolt.connect(server.uri, auth=("u", "p"), timeout=0.3)

            await asyncio.wait_for(attempt(), 3)
        for _ in range(3):
            gc.collect()
            await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(previous)
    messages = [str(c.get("message")) + " " + repr(c.get("exception")) for c in reported]
    assert not messages, messages


async def test_hello_never_answered_times_out() -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.expect("HELLO", "LOGON")
        await asyncio.sleep(30)

    async with FakeServer(script) as server:
        # (ServiceUnavailable from connect's own timeout, not wait_for's TimeoutError)
        with pytest.raises(asyncbolt.ServiceUnavailable):
            await asyncio.wait_for(asyncbolt.connect(server.uri, auth=("u", "p"), timeout=1), 3)


# -- (e) no version in common -----------------------------------------------------------------


async def _refuse(peer: Peer) -> None:
    await peer.read_handshake()
    await peer.send_raw(NONE)
    peer.close()


async def test_refused_handshake_is_retried_with_legacy_versions_then_raises() -> None:
    async with FakeServer(_refuse) as server:
        with pytest.raises(asyncbolt.HandshakeError) as info:
            await asyncio.wait_for(asyncbolt.connect(server.uri, auth=("u", "p"), timeout=2), 3)
    assert server.connections == 2
    first, second = server.handshakes
    # The defaults: manifest v1, 5.8-5.0, 4.4-4.2, 3.0; then 4.1, 4.0, 2.0 and 1.0.
    assert first == MAGIC + MANIFEST_V1 + bytes.fromhex("00080805 00020404 00000003")
    assert second == MAGIC + bytes.fromhex("00000104 00000004 00000002 00000001")
    text = str(info.value)
    assert "none of the proposed versions" in text
    assert "2.0" in text and "1.0" in text


@pytest.mark.parametrize("version", [(4, 0), (4, 1), (4, 2)], ids=lambda v: f"{v[0]}.{v[1]}")
async def test_the_routing_procedure_is_pulled_whole(version) -> None:
    # Before ROUTE (4.3) the table comes from a procedure; as the official drivers, its one
    # record is pulled with n -1 (testkit's 4.x stubs expect exactly that), not fetch_size.
    async def script(peer: Peer) -> None:
        await peer.accept(version)
        await peer.hello()
        run, pull = await peer.expect("RUN", "PULL")
        assert "getRoutingTable" in run.query and run.extra["db"] == "system"
        assert pull.extra == {"n": -1}
        await peer.send(Success({"fields": ["ttl", "servers"]}),
                        Record([300, [{"role": "ROUTE", "addresses": ["r:1"]}]]),
                        Success({"type": "r"}))
        await peer.wait_eof()

    async with FakeServer(script) as server:
        conn = await asyncbolt.connect(server.uri, auth=("u", "p"), versions=[version], timeout=2)
        table = await conn.route(db="adb")
        assert table["ttl"] == 300 and table["db"] == "adb"
        await conn.close()


async def test_refused_handshake_error_names_every_version_offered() -> None:
    # After two refused attempts the error names only the second one's versions (2.0, 1.0):
    # it reads as if the client had offered nothing newer than Bolt 2.
    async with FakeServer(_refuse) as server:
        with pytest.raises(asyncbolt.HandshakeError) as info:
            await asyncio.wait_for(asyncbolt.connect(server.uri, auth=("u", "p"), timeout=2), 3)
    text = str(info.value)
    assert "5.8" in text and "3.0" in text and "1.0" in text, text


async def test_refused_handshake_with_explicit_versions_is_not_retried() -> None:
    async with FakeServer(_refuse) as server:
        with pytest.raises(asyncbolt.HandshakeError, match=r"5\.4") as info:
            await asyncio.wait_for(
                asyncbolt.connect(server.uri, auth=("u", "p"), versions=[(5, 4)], timeout=2), 3)
    assert server.connections == 1
    assert "none of the proposed versions" in str(info.value)


# -- (f) an HTTP server -----------------------------------------------------------------------


@pytest.mark.parametrize("split", [False, True])
async def test_http_answer_is_a_handshake_error_saying_http(split: bool) -> None:
    response = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"

    async def script(peer: Peer) -> None:
        await peer.read_handshake()
        if split:
            await peer.trickle(response[:6])
            await peer.send_raw(response[6:])
        else:
            await peer.send_raw(response)
        peer.close()

    async with FakeServer(script) as server:
        with pytest.raises(asyncbolt.HandshakeError, match="HTTP") as info:
            await asyncio.wait_for(asyncbolt.connect(server.uri, auth=("u", "p"), timeout=2), 3)
    assert "not Bolt" in str(info.value)
    assert server.connections == 1  # not retried with legacy proposals


# -- (g) a message that is not PackStream -----------------------------------------------------


GARBAGE = {
    "reserved marker as the message": b"\xc7\x00\x01",
    "reserved marker inside a RECORD": b"\xb1\x71\x92\x01\xdb",
    "reserved marker in SUCCESS metadata": b"\xb1\x70\xa1\x81k\xe5",
    "unknown response signature": b"\xb1\x55\xa0",
    "truncated RECORD": b"\xb1\x71\x92\x01",
}


@pytest.mark.parametrize("payload", list(GARBAGE.values()), ids=list(GARBAGE))
async def test_garbage_message_raises_protocol_error_and_closes(payload: bytes) -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.expect("RUN", "PULL")
        await peer.send(Success({"fields": ["x"]}), Record([1]), payload)
        await peer.wait_eof(3)

    async with FakeServer(script) as server:
        conn = await connect(server)
        result = await conn.run("RETURN x")
        with pytest.raises(asyncbolt.ProtocolError):
            await asyncio.wait_for(result.values(), 1)
        assert conn.closed
        with pytest.raises(asyncbolt.ServiceUnavailable):
            await conn.run("RETURN 1")
        await asyncio.wait_for(server.peers[0].eof.wait(), 1)  # the socket really was closed


# -- (h) FAILURE in the middle of a stream ----------------------------------------------------


@pytest.mark.parametrize("code, cls", [
    ("Neo.ClientError.Statement.ArithmeticError", asyncbolt.ClientError),
    ("Neo.TransientError.Transaction.DeadlockDetected", asyncbolt.TransientError),
    ("Neo.DatabaseError.General.UnknownError", asyncbolt.DatabaseError),
    ("Neo.ClientError.Security.Unauthorized", asyncbolt.AuthError),
    ("Vendor.Strange.Code", asyncbolt.Neo4jError),
])
async def test_failure_after_three_records(code: str, cls: type) -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.expect("RUN", "PULL")
        await peer.send(Success({"fields": ["x"]}), Record([1]), Record([2]), Record([3]),
                        Failure({"code": code, "message": "/ by zero"}))
        await peer.expect("RESET")
        await peer.send(Success({}))
        await peer.answer_query([["next"]])
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server)
        result = await conn.run("UNWIND [1, 2, 3, 0] AS i RETURN 1 / i AS x")
        got: list = []
        with pytest.raises(cls) as info:
            await asyncio.wait_for(collect(result, got), 1)
        assert type(info.value) is cls
        assert got == [1, 2, 3]
        assert info.value.code == code and info.value.message == "/ by zero"
        peer = server.peers[0]
        await until(lambda: "RESET" in peer.received)  # sent by the client on its own
        assert await asyncio.wait_for((await conn.run("RETURN 'next'")).values(), 1) == [["next"]]
        assert peer.received == ["HELLO", "LOGON", "RUN", "PULL", "RESET", "RUN", "PULL"]
        await conn.close()


async def test_failure_for_run_raises_from_keys() -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.expect("RUN", "PULL")
        await peer.send(Failure({"code": "Neo.ClientError.Statement.SyntaxError", "message": "bad"}),
                        Ignored())
        await peer.expect("RESET")
        await peer.send(Success({}))
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server)
        result = await conn.run("RETRUN")
        with pytest.raises(asyncbolt.ClientError, match="bad"):
            await asyncio.wait_for(result.keys(), 1)
        with pytest.raises(asyncbolt.ClientError):
            await asyncio.wait_for(result.consume(), 1)
        await until(lambda: "RESET" in server.peers[0].received)
        await conn.close()


# -- (i) IGNORED for the rest of a pipeline ---------------------------------------------------


async def test_ignored_for_pipelined_requests_after_a_failure() -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.expect("RUN", "PULL", "RUN", "PULL", "RUN", "PULL")
        await peer.send(Failure({"code": "Neo.ClientError.Statement.SyntaxError", "message": "first"}),
                        *[Ignored()] * 5)
        await peer.expect("RESET")
        await peer.send(Success({}))
        await peer.answer_query([[4]])
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server)
        first = await conn.run("RETRUN 1")
        second = await conn.run("RETURN 2 AS x")
        third = await conn.run("RETURN 3 AS x")
        with pytest.raises(asyncbolt.ClientError, match="first") as failed:
            await asyncio.wait_for(first.values(), 1)
        for result in (second, third):
            with pytest.raises(asyncbolt.RequestIgnored) as ignored:
                await asyncio.wait_for(result.values(), 1)
            assert ignored.value.__cause__ is failed.value
        await until(lambda: "RESET" in server.peers[0].received)
        assert await asyncio.wait_for((await conn.run("RETURN 4 AS x")).values(), 1) == [[4]]
        assert server.peers[0].received[-3:] == ["RESET", "RUN", "PULL"]
        await conn.close()


async def test_ignored_inside_a_transaction_fails_the_transaction() -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.expect("BEGIN", "RUN", "PULL", "RUN", "PULL")
        await peer.send(Success({}), Failure({"code": "Neo.ClientError.Statement.SyntaxError",
                                              "message": "tx"}), *[Ignored()] * 3)
        await peer.expect("RESET")
        await peer.send(Success({}))
        await peer.answer_query([[5]])
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server)
        tx = conn.begin()
        first = await tx.run("RETRUN")
        second = await tx.run("RETURN 2")
        with pytest.raises(asyncbolt.ClientError, match="tx"):
            await asyncio.wait_for(first.values(), 1)
        with pytest.raises(asyncbolt.RequestIgnored):
            await asyncio.wait_for(second.values(), 1)
        with pytest.raises(asyncbolt.TransactionError, match="tx") as again:  # caused by it
            await tx.run("RETURN 3")
        assert again.value.__cause__.code == "Neo.ClientError.Statement.SyntaxError"
        await asyncio.wait_for(tx.rollback(), 1)  # nothing to send: the server already reset
        await until(lambda: "RESET" in server.peers[0].received)
        assert await asyncio.wait_for((await conn.run("RETURN 5")).values(), 1) == [[5]]
        assert "ROLLBACK" not in server.peers[0].received
        await conn.close()


# -- (j) GQL-shaped FAILURE (5.7+) ------------------------------------------------------------


GQL_FAILURE = {
    "neo4j_code": "Neo.ClientError.Statement.SyntaxError",
    "message": "Invalid input 'RETRUN': expected 'RETURN'",
    "gql_status": "42001",
    "description": "error: syntax error or access rule violation - invalid syntax",
    "diagnostic_record": {"OPERATION": "", "OPERATION_CODE": "0", "CURRENT_SCHEMA": "/",
                          "_classification": "CLIENT_ERROR", "_severity": "ERROR",
                          "_position": {"offset": 0, "line": 1, "column": 1}},
    "cause": {
        "message": "Invalid input 'RETRUN'",
        "gql_status": "42I06",
        "description": "error: syntax error or access rule violation - invalid input",
        "diagnostic_record": {"OPERATION": "", "OPERATION_CODE": "0", "CURRENT_SCHEMA": "/",
                              "_classification": "CLIENT_ERROR"},
        "cause": {
            "message": "innermost",
            "gql_status": "22N00",
            "description": "error: data exception - unsupported value",
        },
    },
}


async def test_gql_failure_carries_status_description_and_cause_chain() -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 7))
        await peer.hello()
        await peer.expect("RUN", "PULL")
        await peer.send(Failure(GQL_FAILURE), Ignored())
        await peer.expect("RESET")
        await peer.send(Success({}))
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server)
        assert conn.protocol_version == (5, 7)
        result = await conn.run("RETRUN 1")
        with pytest.raises(asyncbolt.ClientError) as info:
            await asyncio.wait_for(result.values(), 1)
        error = info.value
        assert error.code == "Neo.ClientError.Statement.SyntaxError"
        assert error.message == GQL_FAILURE["message"]
        assert error.gql_status == "42001"
        assert error.description == GQL_FAILURE["description"]
        assert error.diagnostic_record["_position"] == {"offset": 0, "line": 1, "column": 1}
        assert error.diagnostic_record["_classification"] == "CLIENT_ERROR"
        assert error.classification == "CLIENT_ERROR"
        cause = error.cause
        assert isinstance(cause, asyncbolt.Neo4jError)
        assert (cause.gql_status, cause.message) == ("42I06", "Invalid input 'RETRUN'")
        assert cause.description == GQL_FAILURE["cause"]["description"]
        assert cause.diagnostic_record["_classification"] == "CLIENT_ERROR"
        inner = cause.cause
        assert isinstance(inner, asyncbolt.Neo4jError)
        assert (inner.gql_status, inner.message, inner.cause) == ("22N00", "innermost", None)
        assert inner.description == "error: data exception - unsupported value"
        assert error.metadata == GQL_FAILURE
        await until(lambda: "RESET" in server.peers[0].received)
        await conn.close()


# -- (k) manifest negotiation with capabilities -----------------------------------------------


MANIFESTS = {
    # offers (4-byte ranges), capability mask, the version the client must pick
    "6.1-6.0, 5.8-5.0, 7.0": ([bytes.fromhex("00010106"), bytes.fromhex("00080805"),
                               bytes.fromhex("00000007")], 0b1_0110_1010_0001, (6, 1)),
    "7.0, 5.6-5.4, 4.4": ([bytes.fromhex("00000007"), bytes.fromhex("00020605"),
                           bytes.fromhex("00000404")], 1, (5, 6)),
    "only 4.4-4.2": ([bytes.fromhex("00020404")], 0xFFFF_FFFF, (4, 4)),
}


@pytest.mark.parametrize("trickle", [False, True], ids=["one-write", "byte-by-byte"])
@pytest.mark.parametrize("case", list(MANIFESTS))
async def test_manifest_with_capabilities(case: str, trickle: bool) -> None:
    offers, capabilities, expected = MANIFESTS[case]
    choices: list[bytes] = []

    async def script(peer: Peer) -> None:
        handshake = await peer.read_handshake()
        assert handshake[4:8] == MANIFEST_V1
        reply = MANIFEST_V1 + encode_varint(len(offers)) + b"".join(offers) + encode_varint(capabilities)
        if trickle:
            await peer.trickle(reply, every=1)
        else:
            await peer.send_raw(reply)
        choices.append(await asyncio.wait_for(peer.reader.readexactly(5), 2))
        peer.use(expected)
        await peer.hello()
        await peer.answer_query([[expected[0]]])
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server)
        assert conn.protocol_version == expected
        assert conn.manifest is True
        assert choices == [encode_version(expected) + b"\x00"]  # the version, no capabilities
        assert await asyncio.wait_for((await conn.run("RETURN 1")).values(), 1) == [[expected[0]]]
        await conn.close()


async def test_manifest_with_nothing_in_common_answers_zero_and_raises() -> None:
    answers: list[bytes] = []

    async def script(peer: Peer) -> None:
        await peer.read_handshake()
        await peer.send_raw(MANIFEST_V1 + encode_varint(1) + bytes.fromhex("00000009") + encode_varint(0))
        answers.append(await asyncio.wait_for(peer.reader.read(16), 2))
        peer.close()

    async with FakeServer(script) as server:
        with pytest.raises(asyncbolt.HandshakeError, match="no version this client supports"):
            await asyncio.wait_for(
                asyncbolt.connect(server.uri, auth=("u", "p"), versions=[(6, 0), (5, 8)], timeout=2), 3)
    assert answers == [NONE + b"\x00"]


# -- (l) a RECORD where none belongs ----------------------------------------------------------


async def test_record_instead_of_logon_success_fails_connect() -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.expect("HELLO", "LOGON")
        await peer.send(Success({"server": AGENT}), Record([1]), Success({}))
        await peer.wait_eof(3)

    async with FakeServer(script) as server:
        with pytest.raises(asyncbolt.ProtocolError, match="RECORD"):  # (at once: not a timeout)
            await asyncio.wait_for(asyncbolt.connect(server.uri, auth=("u", "p"), timeout=2), 3)
        await asyncio.wait_for(server.peers[0].eof.wait(), 1)


async def test_record_instead_of_hello_success_in_4_4() -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((4, 4))
        await peer.expect("HELLO")
        await peer.send(Record(["surprise"]))
        await peer.wait_eof(3)

    async with FakeServer(script) as server:
        with pytest.raises(asyncbolt.ProtocolError, match="RECORD"):
            await asyncio.wait_for(asyncbolt.connect(server.uri, auth=("u", "p"), timeout=2), 3)
        await asyncio.wait_for(server.peers[0].eof.wait(), 1)


async def test_record_for_begin_fails_the_transaction_and_closes() -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.expect("BEGIN")
        await peer.send(Record([1]), Success({}))
        await peer.wait_eof(3)

    async with FakeServer(script) as server:
        conn = await connect(server)
        with pytest.raises(asyncbolt.ProtocolError, match="RECORD"):
            await asyncio.wait_for(conn.begin(), 1)
        assert conn.closed
        await asyncio.wait_for(server.peers[0].eof.wait(), 1)


async def test_unsolicited_record_while_idle_closes_the_connection() -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.answer_query([[1]])
        await asyncio.sleep(0.02)
        await peer.send(Record(["nobody asked"]))
        await peer.wait_eof(3)

    async with FakeServer(script) as server:
        conn = await connect(server)
        assert await asyncio.wait_for((await conn.run("RETURN 1")).values(), 1) == [[1]]
        await until(lambda: conn.closed, 1)
        with pytest.raises(asyncbolt.ServiceUnavailable):
            await conn.run("RETURN 2")
        await asyncio.wait_for(server.peers[0].eof.wait(), 1)


# What the error says about a RECORD nobody asked for: tests/test_client_core.py.


# -- found by the client state-machine property (tests/test_client_state_machine.py) ----------


@pytest.mark.parametrize("version", [(3, 0), (4, 2)])
async def test_routing_procedure_with_wrong_fields_is_a_protocol_error(version: Version) -> None:
    """Before 4.3 the routing table comes from a procedure; a server whose result lacks the
    ttl/servers fields used to make route() raise a bare KeyError."""

    async def script(peer: Peer) -> None:
        await peer.accept(version)
        await peer.hello()
        await peer.expect("RUN", "PULL_ALL" if version < (4, 0) else "PULL")
        await peer.send(Success({"fields": ["x"]}), Record([1]), Success({"type": "r"}))
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server, versions=[version])
        with pytest.raises(asyncbolt.ProtocolError, match="without ttl and servers"):
            await asyncio.wait_for(conn.route(), 2)
        await conn.close()


async def test_discard_answered_with_has_more_does_not_hang_consume() -> None:
    """A server that answers DISCARD with a stray RECORD and has_more: consume() used to wait
    forever for records it had not asked for; it must DISCARD again."""

    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.expect("RUN", "PULL")
        await peer.send(Success({"fields": ["x"]}), Record([0]), Success({"has_more": True}))
        await peer.expect("DISCARD")
        await peer.send(Record([1]), Success({"has_more": True}))
        await peer.expect("DISCARD")
        await peer.send(Success({"type": "r"}))
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server)
        result = await conn.run("RETURN 1 AS x")
        assert (await asyncio.wait_for(result.__anext__(), 2))["x"] == 0
        summary = await asyncio.wait_for(result.consume(), 2)
        assert summary.metadata.get("type") == "r"
        assert not conn.closed
        await conn.close()
