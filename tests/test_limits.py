"""The configurable limits (issue #9): every one has a default, is enforced before memory or
time is spent, and ends with a clear ProtocolError (client, codec, framing) or a FAILURE and a
closed connection (server).

Framing: chunks per message. Codec: nesting depth, on both decoders. Server (real sockets, raw
bytes and the official driver): authentication and idle timeouts, max connections, chunks and
depth of requests. Client (scripted servers and our own server): message size, chunks, depth,
records buffered per result.
"""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any

import neo4j
import pytest

import asyncbolt
import asyncbolt.core.client as client_core  # (the client core picks the codec)
import asyncbolt.server.listener as listener_module
from asyncbolt.codec.messages import Hello, Logoff, Logon, Pull, Record, Run, Success
from asyncbolt.codec.packstream import ACCELERATED, DEFAULT_MAX_DEPTH, Codec
from asyncbolt.codec.structures import Node
from asyncbolt.core.framing import DEFAULT_MAX_CHUNKS, ChunkReader, chunk_message
from asyncbolt.errors import ProtocolError

from .conftest import until
from .rawbolt import RawBolt, names
from .sessions import EchoSession, Recorder
from .test_client_odd_servers import FakeServer, Peer, idle

CODECS = [pytest.param(False, id="pure")]
if ACCELERATED:
    CODECS.append(pytest.param(True, id="accelerated"))


def chunks_of(payload: bytes, size: int) -> bytes:
    """``payload`` as one message of ``size``-byte chunks."""
    return chunk_message(payload, max_chunk_size=size)


# -- framing: chunks per message --------------------------------------------------------------


def test_max_chunks_admits_exactly_the_limit_and_refuses_one_more() -> None:
    reader = ChunkReader(max_chunks=3)
    assert reader.feed(chunks_of(b"abc", 1)) == [b"abc"]
    # The count is per message: a second three-chunk message is fine too.
    assert reader.feed(chunks_of(b"def", 1) + b"\x00\x00") == [b"def"]  # and a NOOP after it
    with pytest.raises(ProtocolError) as info:
        reader.feed(chunks_of(b"wxyz", 1))
    assert "more than the maximum of 3 chunks" in str(info.value)
    # The fourth chunk header, counted in stream bytes (two messages of 3x3+2 bytes, a NOOP,
    # then three chunks of 3 bytes).
    assert info.value.offset == 11 + 11 + 2 + 9
    with pytest.raises(ProtocolError):  # the reader stays failed: it cannot resynchronise
        reader.feed(b"\x00\x01a\x00\x00")


def test_max_chunks_holds_when_bytes_arrive_one_at_a_time() -> None:
    stream = chunks_of(b"abcdef", 1)
    reader = ChunkReader(max_chunks=5)
    with pytest.raises(ProtocolError) as info:
        for i in range(len(stream)):
            reader.feed(stream[i:i + 1])
    assert info.value.offset == 15  # the sixth header
    assert ChunkReader(max_chunks=6).feed(stream) == [b"abcdef"]


def test_messages_completed_before_a_framing_error_are_kept_on_it() -> None:
    reader = ChunkReader(max_message_size=10)
    with pytest.raises(ProtocolError) as info:
        reader.feed(chunk_message(b"first") + chunk_message(b"second") + chunk_message(b"x" * 11))
    assert info.value.completed == [b"first", b"second"]
    with pytest.raises(ProtocolError) as info:  # failed for good; nothing new completed
        reader.feed(chunk_message(b"more"))
    assert info.value.completed == []


def test_default_max_chunks() -> None:
    assert DEFAULT_MAX_CHUNKS == 65536
    payload = b"x" * (DEFAULT_MAX_CHUNKS + 1)
    with pytest.raises(ProtocolError, match="65536 chunks"):
        ChunkReader().feed(chunks_of(payload, 1))
    assert ChunkReader().feed(chunks_of(payload[:-1], 1)) == [payload[:-1]]


@pytest.mark.parametrize("bad", [0, -1])
def test_max_chunks_must_be_positive(bad: int) -> None:
    with pytest.raises(ValueError):
        ChunkReader(max_chunks=bad)


# -- codec: nesting depth -----------------------------------------------------------------------


def nested(depth: int, kind: str = "list") -> Any:
    """A value with ``depth`` nested containers around the integer 1."""
    value: Any = 1
    for i in range(depth):
        k = kind if kind != "mixed" else ("list", "map", "node")[i % 3]
        if k == "list":
            value = [value]
        elif k == "map":
            value = {"k": value}
        else:
            value = Node(i, ["L"], {"p": value}, f"e{i}")  # a node and its map: two levels
    return value


def depth_of(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((depth_of(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth_of(v) for v in value.values()), default=0)
    if isinstance(value, Node):
        return 1 + max(depth_of(value.labels), depth_of(value.properties))
    return 0


@pytest.mark.parametrize("accelerated", CODECS)
@pytest.mark.parametrize("kind", ["list", "map", "mixed"])
@pytest.mark.parametrize("max_depth", [1, 2, 3, 4, 5, 8])
def test_max_depth_is_exact_on_both_decoders(accelerated: bool, kind: str, max_depth: int) -> None:
    codec = Codec((5, 0), accelerated=accelerated, max_depth=max_depth)
    for depth in range(max_depth + 3):
        value = nested(depth, kind)
        data = codec.pack(value)
        if depth_of(value) <= max_depth:
            assert codec.unpack(data) == value
        else:
            with pytest.raises(ProtocolError) as info:
                codec.unpack(data)
            assert info.value.reason == f"values nested deeper than {max_depth} levels"
            # The offset is that of the first container past the limit: decode the prefix.
            assert data[info.value.offset] >= 0x90


@pytest.mark.parametrize("accelerated", CODECS)
def test_default_max_depth(accelerated: bool) -> None:
    codec = Codec((5, 0), accelerated=accelerated)
    assert codec.max_depth == DEFAULT_MAX_DEPTH == 256
    assert codec.unpack(codec.pack(nested(256, "map"))) == nested(256, "map")
    data = codec.pack(nested(257, "map"))
    with pytest.raises(ProtocolError, match="nested deeper than 256 levels") as info:
        codec.unpack(data)
    assert info.value.offset == 256 * 3  # each level is A1 81 6B: the 257th map's marker


@pytest.mark.parametrize("accelerated", CODECS)
def test_depth_inside_a_message_names_the_field(accelerated: bool) -> None:
    codec = Codec((5, 0), accelerated=accelerated, max_depth=4)
    ok = codec.pack_message(Run("RETURN 1", {"a": [[[1]]]}, {}))
    assert codec.unpack_request(ok).parameters == {"a": [[[1]]]}
    bad = codec.pack_message(Run("RETURN 1", {"a": [[[[1]]]]}, {}))
    with pytest.raises(ProtocolError, match="nested deeper than 4 levels") as info:
        codec.unpack_request(bad)
    assert info.value.path[:2] == ("RUN", "parameters")


@pytest.mark.parametrize("bad", [0, -3, 1.5, "7"])
def test_max_depth_must_be_a_positive_integer(bad: Any) -> None:
    with pytest.raises(ValueError):
        Codec((5, 0), max_depth=bad)


# -- server --------------------------------------------------------------------------------------


class SleepySession(EchoSession):
    """EchoSession plus ``SLEEP s``: a query that takes ``s`` seconds."""

    async def run(self, query: str, parameters: dict, extra: dict) -> asyncbolt.Result:
        if query.startswith("SLEEP"):
            await asyncio.sleep(float(query.split()[1]))
            return asyncbolt.Result(["slept"], [[True]])
        return await super().run(query, parameters, extra)


async def start(**options: Any) -> asyncbolt.Server:
    recorder = Recorder()
    server = await asyncbolt.serve(SleepySession, "127.0.0.1", 0, recorder=recorder, **options)
    server.recorder = recorder
    return server


def hello(version: tuple[int, int], **extra: Any) -> Hello:
    return Hello({"user_agent": "limits/1", "scheme": "basic", "principal": "u",
                  "credentials": "p", **extra} if version < (5, 1) else {"user_agent": "limits/1"})


async def test_server_defaults() -> None:
    async with await start() as server:
        assert server.auth_timeout == 30.0
        assert server.idle_timeout == 600.0
        assert server.write_timeout == 300.0
        assert server.max_connections == 1000
        assert server.max_unauthenticated_connections == 500
        assert server.max_connections_per_address == 250
        assert server.max_unauthenticated_message_size == 32 * 1024
        assert server.handshake_timeout == 10.0


@pytest.mark.parametrize("version", [(3, 0), (4, 4), (5, 0)])
async def test_auth_timeout_closes_a_connection_that_never_says_hello(version) -> None:
    async with await start(auth_timeout=0.4) as server:
        bolt = await RawBolt.connect(server.port)
        assert await bolt.handshake(version) == version
        started = time.monotonic()
        assert await bolt.read_raw_until_eof(timeout=3) == b""
        assert 0.3 < time.monotonic() - started < 2.5
        await until(lambda: server.connections == 0)


async def test_auth_timeout_runs_from_connecting_through_a_slow_handshake() -> None:
    async with await start(auth_timeout=0.6, handshake_timeout=5) as server:
        bolt = await RawBolt.connect(server.port)
        await asyncio.sleep(0.4)  # most of the time goes on the handshake
        assert await bolt.handshake((5, 0)) == (5, 0)
        started = time.monotonic()
        assert await bolt.read_raw_until_eof(timeout=3) == b""
        assert time.monotonic() - started < 0.6


async def test_authenticated_connections_outlive_the_auth_timeout() -> None:
    async with await start(auth_timeout=0.3) as server:
        async with await RawBolt.connect(server.port) as bolt:
            await bolt.handshake((5, 0))
            await bolt.send(hello((5, 0)))
            assert (await bolt.recv()).name == "SUCCESS"
            await asyncio.sleep(0.8)
            await bolt.send(Run("ECHO", {"x": 1}, {}), Pull({"n": -1}))
            rows, summary = (await bolt.recv(), await bolt.recv_result())[1]
            assert rows == [[1]] and summary.name == "SUCCESS"


async def test_bolt_5_1_hello_without_logon_is_closed_and_logoff_restarts_the_clock() -> None:
    async with await start(auth_timeout=0.4) as server:
        # HELLO alone does not authenticate from 5.1.
        async with await RawBolt.connect(server.port) as bolt:
            await bolt.handshake((5, 4))
            await bolt.send(hello((5, 4)))
            assert (await bolt.recv()).name == "SUCCESS"
            assert names(await bolt.read_until_eof(timeout=3)) == []
        # LOGON, then LOGOFF: the next LOGON is due within auth_timeout again.
        async with await RawBolt.connect(server.port) as bolt:
            await bolt.handshake((5, 4))
            await bolt.send(hello((5, 4)), Logon({"scheme": "basic", "principal": "u",
                                                  "credentials": "p"}))
            assert names(await bolt.recv_many(2)) == ["SUCCESS", "SUCCESS"]
            await asyncio.sleep(0.6)  # authenticated: no limit
            await bolt.send(Logoff())
            assert (await bolt.recv()).name == "SUCCESS"
            started = time.monotonic()
            assert names(await bolt.read_until_eof(timeout=3)) == []
            assert 0.2 < time.monotonic() - started < 2.5


async def test_idle_timeout_closes_an_idle_connection_but_not_a_busy_one() -> None:
    async with await start(idle_timeout=0.5) as server:
        uri = f"bolt://127.0.0.1:{server.port}"
        # Busy for three times the idle timeout: the query is answered.
        async with neo4j.AsyncGraphDatabase.driver(uri, auth=("u", "p")) as driver:
            records, _, _ = await driver.execute_query("SLEEP 1.5")
            assert records[0]["slept"] is True
        # Idle: closed.
        async with await RawBolt.connect(server.port) as bolt:
            await bolt.handshake((5, 0))
            await bolt.send(hello((5, 0)))
            assert (await bolt.recv()).name == "SUCCESS"
            started = time.monotonic()
            assert names(await bolt.read_until_eof(timeout=3)) == []
            assert 0.4 < time.monotonic() - started < 2.5
        await until(lambda: server.connections == 0)


async def test_idle_timeout_drops_a_client_that_stops_reading_a_stream() -> None:
    async with await start(idle_timeout=0.5) as server:
        bolt = await RawBolt.connect(server.port, rcvbuf=4096)
        await bolt.handshake((5, 0))
        await bolt.send(hello((5, 0)))
        await bolt.recv()
        await bolt.send(Run("STREAM 10000000", {}, {}), Pull({"n": -1}))
        # The client never reads: the server's writes back up, it waits on the client...
        await until(lambda: server.recorder.produced > 0)
        # ...for no longer than the idle timeout, then drops the connection and its stream.
        await until(lambda: server.connections == 0, timeout=5)
        assert server.recorder.produced < 10_000_000
        bolt.abort()


async def test_idle_timeout_counts_from_the_last_answer() -> None:
    async with await start(idle_timeout=0.5) as server:
        async with await RawBolt.connect(server.port) as bolt:
            await bolt.handshake((5, 0))
            await bolt.send(hello((5, 0)))
            await bolt.recv()
            for i in range(4):  # activity every 0.3 s keeps it open past 4 x 0.3 > 0.5 s
                await asyncio.sleep(0.3)
                await bolt.send(Run("ECHO", {"i": i}, {}), Pull({"n": -1}))
                await bolt.recv()
                rows, _ = await bolt.recv_result()
                assert rows == [[i]]


async def test_max_connections_refuses_the_excess_with_a_transient_failure() -> None:
    async with await start(max_connections=2) as server:
        kept = []
        for _ in range(2):
            bolt = await RawBolt.connect(server.port)
            await bolt.handshake((5, 0))
            await bolt.send(hello((5, 0)))
            assert (await bolt.recv()).name == "SUCCESS"
            kept.append(bolt)
        for version in ((5, 0), (4, 4), (3, 0), (5, 7)):
            extra = await RawBolt.connect(server.port)
            assert await extra.handshake(version) == version
            await extra.send(hello(version))
            replies = await extra.read_until_eof(timeout=3)
            assert names(replies) == ["FAILURE"]
            meta = replies[0].metadata
            code = meta.get("code", meta.get("neo4j_code"))
            assert code == "Neo.TransientError.Request.NoThreadsAvailable"
            assert "maximum of 2 connections" in meta["message"]
        assert server.refused == 4
        assert server.connections == 2
        # The official driver hears the same (a transient error: it would retry).
        uri = f"bolt://127.0.0.1:{server.port}"
        async with neo4j.AsyncGraphDatabase.driver(uri, auth=("u", "p")) as driver:
            with pytest.raises(neo4j.exceptions.TransientError) as info:
                await driver.verify_connectivity()
            assert info.value.code == "Neo.TransientError.Request.NoThreadsAvailable"
            # A slot frees up: the next connection is served.
            kept.pop().close()
            await until(lambda: server.connections == 1)
            records, _, _ = await driver.execute_query("ECHO", {"x": 5})
            assert records[0]["x"] == 5
        for bolt in kept:
            bolt.close()


async def test_max_connections_beyond_the_refusal_budget_are_just_closed(monkeypatch) -> None:
    monkeypatch.setattr(listener_module, "_MAX_REFUSING", 0)
    async with await start(max_connections=1) as server:
        async with await RawBolt.connect(server.port) as first:
            await first.handshake((5, 0))
            extra = await RawBolt.connect(server.port)
            assert await extra.read_raw_until_eof(timeout=3) == b""
            assert server.refused == 1


@pytest.mark.parametrize("bad", [0, -1])
async def test_server_limits_must_be_positive(bad) -> None:
    for option in ("auth_timeout", "idle_timeout", "handshake_timeout", "recv_timeout", "max_connections"):
        with pytest.raises(ValueError, match=option):
            await asyncbolt.serve(EchoSession, "127.0.0.1", 0, recorder=Recorder(), **{option: bad})


async def test_server_max_chunks_per_request() -> None:
    async with await start(max_chunks=4) as server:
        async with await RawBolt.connect(server.port) as bolt:
            await bolt.handshake((5, 0))
            await bolt.send(hello((5, 0)))
            await bolt.recv()
            payload = bolt.codec.pack_message(Run("ECHO", {"x": 1}, {}))
            size = -(-len(payload) // 4)  # four chunks at most: accepted
            await bolt.send_raw(chunks_of(payload, size) + chunk_message(bolt.codec.pack_message(Pull({"n": -1}))))
            assert names(await bolt.recv_many(3)) == ["SUCCESS", "RECORD", "SUCCESS"]
            await bolt.send_raw(chunks_of(payload, len(payload) // 5))  # five or more: refused
            replies = await bolt.read_until_eof(timeout=3)
            assert names(replies) == ["FAILURE"]
            assert replies[0].metadata["code"] == "Neo.ClientError.Request.Invalid"
            assert "more than the maximum of 4 chunks" in replies[0].metadata["message"]


async def test_server_answers_requests_that_came_before_an_oversized_one() -> None:
    async with await start(max_message_size=200) as server:
        async with await RawBolt.connect(server.port) as bolt:
            await bolt.handshake((5, 0))
            await bolt.send(hello((5, 0)))
            await bolt.recv()
            await bolt.send(Run("ECHO", {"x": 1}, {}), Pull({"n": -1}),
                            Run("ECHO", {"y": "z" * 300}, {}))  # one write, one packet
            replies = await bolt.read_until_eof(timeout=3)
            assert names(replies) == ["SUCCESS", "RECORD", "SUCCESS", "FAILURE"]
            assert replies[1].data == [1]
            assert "exceeds the maximum size of 200 bytes" in replies[3].metadata["message"]


async def test_server_max_depth_of_request_values() -> None:
    async with await start(max_depth=3) as server:
        uri = f"bolt://127.0.0.1:{server.port}"
        async with neo4j.AsyncGraphDatabase.driver(uri, auth=("u", "p")) as driver:
            records, _, _ = await driver.execute_query("ECHO", {"a": [[1]]})  # map > list > list
            assert records[0]["a"] == [[1]]
            with pytest.raises(neo4j.exceptions.Neo4jError) as info:
                await driver.execute_query("ECHO", {"a": [[[1]]]})
            assert info.value.code == "Neo.ClientError.Request.Invalid"
            assert "nested deeper than 3 levels" in info.value.message
            # The server closed that connection and serves the next one.
            records, _, _ = await driver.execute_query("ECHO", {"b": 2})
            assert records[0]["b"] == 2


# -- client --------------------------------------------------------------------------------------


def scripted(*responses: Any, raw: bytes | None = None):
    """A script answering HELLO then RUN+PULL with ``responses`` (or ``raw`` bytes)."""
    async def script(peer: Peer) -> None:
        await peer.accept((5, 0))
        await peer.hello()
        await peer.expect("RUN", "PULL")
        if raw is not None:
            await peer.send_raw(raw)
        else:
            await peer.send(*responses)
        await idle(peer)
    return script


async def client_error(script, **limits: Any) -> tuple[list, BaseException, asyncbolt.Connection]:
    async with FakeServer(script) as server:
        conn = await asyncio.wait_for(asyncbolt.connect(server.uri, auth=("u", "p"), timeout=3,
                                                        **limits), 5)
        got: list = []
        with pytest.raises(ProtocolError) as info:
            async def drain() -> None:
                async for record in await conn.run("RETURN x"):
                    got.append(record["x"])
            await asyncio.wait_for(drain(), 3)
        await until(lambda: conn.closed)
        return got, info.value, conn


async def test_client_max_depth() -> None:
    fields = Success({"fields": ["x"]})
    got, error, _ = await client_error(scripted(fields, Record([nested(2)]), Record([nested(3)]),
                                                Success({})), max_depth=3)
    assert got == [nested(2)]  # the record within the limit arrived; the next one did not
    assert "nested deeper than 3 levels" in str(error)


@pytest.mark.parametrize("accelerated", CODECS)
@pytest.mark.parametrize("kind", ["list", "map", "mixed"])
@pytest.mark.parametrize("max_depth", [3, 4, 5])
async def test_client_records_nested_right_up_to_max_depth_arrive(
        monkeypatch: pytest.MonkeyPatch, accelerated: bool, kind: str, max_depth: int) -> None:
    """The pure fast decoder gives up on containers near max_depth (it does not count the tiny
    ones it decodes in place): the client must then decode the RECORD again, not refuse it as
    "undecodable message" (which it did, a level or two short of the limit)."""

    def codec_of(version: Any, patches: Any = (), **limits: Any) -> Codec:
        return Codec(version, patches, accelerated=accelerated, **limits)
    monkeypatch.setattr(client_core, "get_codec", codec_of)
    values = [v for v in (nested(d, kind) for d in range(max_depth)) if depth_of(v) < max_depth]
    got, error, _ = await client_error(scripted(
        Success({"fields": ["x"]}), *(Record([v]) for v in values), Record([nested(max_depth, kind)]),
        Success({})), max_depth=max_depth)
    assert got == values  # the field list is a level: values of max_depth - 1 are the deepest
    assert f"nested deeper than {max_depth} levels" in str(error)


async def test_client_max_message_size() -> None:
    fields = Success({"fields": ["x"]})
    got, error, _ = await client_error(scripted(fields, Record(["a" * 100]), Record(["b" * 2000]),
                                                Success({})), max_message_size=1000)
    assert got == ["a" * 100]
    assert "exceeds the maximum size of 1000 bytes" in str(error)


async def test_client_max_chunks() -> None:
    codec = asyncbolt.codec.packstream.get_codec((5, 0))
    raw = (chunk_message(codec.pack_message(Success({"fields": ["x"]})))
           + chunk_message(codec.pack_message(Record(["x" * 40])), max_chunk_size=1))
    got, error, _ = await client_error(scripted(raw=raw), max_chunks=10)
    assert got == []
    assert "more than the maximum of 10 chunks" in str(error)


async def test_client_max_buffered_records_against_our_server() -> None:
    async with await start() as server:
        uri = f"bolt://127.0.0.1:{server.port}"
        # Pulling in batches, the buffer never holds more than a batch: no error.
        async with asyncbolt.connect(uri, fetch_size=5, max_buffered_records=10) as conn:
            assert len(await (await conn.run("STREAM 100")).values()) == 100
        # Everything at once: the eleventh unread record ends the connection, after the ten.
        conn = await asyncbolt.connect(uri, fetch_size=-1, max_buffered_records=10)
        result = await conn.run("STREAM 100")
        await until(lambda: conn.closed)
        got = []
        with pytest.raises(ProtocolError, match="more than 10 records of 'STREAM 100' are buffered"):
            async for record in result:
                got.append(record["i"])
        assert got == list(range(10))
        await conn.close()
        # The default is generous.
        async with asyncbolt.connect(uri, fetch_size=-1) as conn:
            assert conn.max_buffered_records == 1_000_000
            assert len(await (await conn.run("STREAM 20000")).values()) == 20000


async def test_driver_passes_the_limits_to_its_connections() -> None:
    async with await start() as server:
        uri = f"bolt://127.0.0.1:{server.port}"
        async with asyncbolt.Driver(uri, max_depth=2, fetch_size=-1) as driver:
            async with driver.session() as session:
                with pytest.raises(ProtocolError, match="nested deeper than 2 levels"):
                    await (await session.run("ECHO", {"a": [[1]]})).values()


# -- keep-alive and read timeouts --------------------------------------------------------------


@pytest.mark.parametrize("version", [(4, 4), (5, 4), (6, 0)])
async def test_noops_keep_a_long_query_alive_for_the_official_driver(version) -> None:
    # The driver honours connection.recv_timeout_seconds: without NOOPs while the 2.5 s query
    # runs, it would give the connection up after 1 s.
    async with await start(recv_timeout=1) as server:
        uri = f"bolt://127.0.0.1:{server.port}"
        async with neo4j.AsyncGraphDatabase.driver(uri, auth=("u", "p")) as driver:
            async with driver.session() as session:
                result = await session.run("SLEEP 2.5")
                record = await result.single()
                assert record["slept"] is True


async def test_noops_are_sent_only_while_a_request_is_worked_on() -> None:
    async with await start(recv_timeout=0.4) as server:
        async with await RawBolt.connect(server.port) as bolt:
            await bolt.handshake((5, 4))
            await bolt.send(hello((5, 4)), Logon({"scheme": "basic", "principal": "u",
                                                  "credentials": "p"}))
            first = await bolt.recv()
            assert first.metadata["hints"]["connection.recv_timeout_seconds"] == 0.4
            await bolt.recv()
            await asyncio.sleep(0.7)
            assert bolt.reader._buffer == b""  # idle: nothing sent
            await bolt.send(Run("SLEEP 1.2", {}, {}))
            raw = bytearray()
            while len(raw) < 4 or raw[-2:] != b"\x00\x00" or raw.count(b"\x00\x00") < 3:
                raw += await asyncio.wait_for(bolt.reader.read(65536), 3)
            # NOOPs came first (each a lone 00 00), then the RUN's SUCCESS.
            assert raw.startswith(b"\x00\x00\x00\x00")
            assert raw.endswith(b"\x00\x00")


async def test_client_read_timeout_gives_up_on_a_silent_server() -> None:
    async def silent(peer: Peer) -> None:
        await peer.accept((5, 0))
        await peer.hello()
        await peer.expect("RUN", "PULL")
        await idle(peer)  # never answers

    async with FakeServer(silent) as server:
        conn = await asyncbolt.connect(server.uri, auth=("u", "p"), read_timeout=0.4, timeout=3)
        started = time.monotonic()
        with pytest.raises(asyncbolt.ServiceUnavailable, match="no data .* for 0.4 s"):
            await asyncio.wait_for((await conn.run("RETURN 1")).values(), 3)
        assert 0.3 < time.monotonic() - started < 2
        assert conn.closed


async def test_client_honours_the_servers_recv_timeout_hint() -> None:
    async def hinting(peer: Peer) -> None:
        await peer.accept((5, 0))
        await peer.hello(hints={"connection.recv_timeout_seconds": 1})
        await peer.expect("RUN", "PULL")
        await idle(peer)

    async with FakeServer(hinting) as server:
        conn = await asyncbolt.connect(server.uri, auth=("u", "p"), timeout=3)
        assert conn.hints["connection.recv_timeout_seconds"] == 1
        started = time.monotonic()
        with pytest.raises(asyncbolt.ServiceUnavailable, match="for 1 s while waiting"):
            await asyncio.wait_for((await conn.run("RETURN 1")).values(), 4)
        assert 0.8 < time.monotonic() - started < 3


async def test_client_with_the_hint_survives_a_long_query_on_our_server() -> None:
    async with await start(recv_timeout=1) as server:
        uri = f"bolt://127.0.0.1:{server.port}"
        async with asyncbolt.connect(uri, auth=("u", "p")) as conn:
            assert conn.hints["connection.recv_timeout_seconds"] == 1
            assert await (await conn.run("SLEEP 2.5")).values() == [[True]]
            # And an idle pause longer than the hint is fine: nothing is awaited.
            await asyncio.sleep(1.3)
            assert await (await conn.run("ECHO", {"x": 1})).values() == [[1]]


async def test_idle_timeout_spares_a_client_that_reads_a_long_stream_slowly() -> None:
    async with await start(idle_timeout=0.4) as server:
        # Small socket buffers on both sides (accepted sockets inherit the listener's), so the
        # server really waits on the client rather than on the kernel's buffers.
        server.sockets[0].setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        bolt = await RawBolt.connect(server.port, rcvbuf=4096)
        await bolt.handshake((5, 0))
        await bolt.send(hello((5, 0)))
        await bolt.recv()
        await bolt.send(Run("STREAM 30000", {}, {}), Pull({"n": -1}))
        # Read the whole stream in small sips with pauses: it takes several idle timeouts,
        # the server waits on the client most of the time, and yet the client is not dropped.
        started = time.monotonic()
        received = bytearray()
        while not received.endswith(b"\x00\x00") or b"\xb1\x70" not in received[-64:]:
            chunk = await asyncio.wait_for(bolt.reader.read(2048), 3)
            assert chunk, "the server dropped a client that was reading"
            received += chunk
            await asyncio.sleep(0.02)
        assert time.monotonic() - started > 0.8
        assert server.recorder.produced == 30000
        bolt.close()
