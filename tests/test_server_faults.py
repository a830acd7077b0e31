"""The server survives bad peers and keeps serving the others.

Bad peers are raw connections (tests/rawbolt.py) that disconnect mid-stream, send garbage,
stall in the handshake, send malformed, oversized or out-of-state messages, or RESET a running
stream; after each, the official neo4j driver (async, on the test's loop) checks that other
clients are still served.
"""

from __future__ import annotations

import asyncio
import socket
import time

import neo4j
import pytest

import asyncbolt
from asyncbolt.codec.messages import Begin, Commit, Hello, Pull, Reset, Run

from .conftest import until
from .rawbolt import RawBolt, names
from .sessions import EchoSession, Recorder


class TrackingSession(EchoSession):
    """EchoSession that also records how STREAM generators end."""

    def _stream(self, n: int):
        try:
            yield from super()._stream(n)
        except GeneratorExit:
            self.recorder.log("generator-closed", self.recorder.produced)
            raise
        self.recorder.log("generator-exhausted", self.recorder.produced)


async def start(**options) -> asyncbolt.Server:
    recorder = Recorder()
    server = await asyncbolt.serve(TrackingSession, "127.0.0.1", 0, recorder=recorder, **options)
    server.recorder = recorder
    return server


@pytest.fixture
async def server():
    srv = await start()
    async with srv:
        yield srv


async def others_still_work(server, n: int = 1) -> None:
    """``n`` driver sessions at once each run a query and a small stream."""
    uri = f"bolt://127.0.0.1:{server.port}"
    async with neo4j.AsyncGraphDatabase.driver(uri, auth=("neo4j", "pw"), connection_timeout=5) as driver:
        async def one(i: int) -> None:
            async with driver.session(fetch_size=7) as session:
                record = await (await session.run("ECHO", {"i": i})).single()
                assert record["i"] == i
                result = await session.run("STREAM 20")
                assert [r["i"] async for r in result] == list(range(20))

        await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(n))), 8)


async def hello(server, version=(4, 4), rcvbuf: int | None = None) -> RawBolt:
    bolt = await RawBolt.connect(server.port, rcvbuf=rcvbuf)
    assert await bolt.handshake(version) == version
    await bolt.send(Hello({"user_agent": "rawbolt/1.0", "scheme": "none"}))
    assert (await bolt.recv()).name == "SUCCESS"
    return bolt


def small_send_buffers(server: asyncbolt.Server, size: int = 65536) -> None:
    """Connections accepted from now on get a small kernel send buffer (Linux copies the
    listening socket's SO_SNDBUF), so what a stream can push ahead of a slow or vanished client
    is bounded by the server's back-pressure rather than by the machine's TCP tuning."""
    for sock in server.sockets:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, size)


# -- a client vanishes mid-stream -------------------------------------------------------------


@pytest.mark.parametrize("how", ["close", "abort"])
async def test_disconnect_in_the_middle_of_a_stream(server, how) -> None:
    recorder = server.recorder
    small_send_buffers(server)
    bolt = await hello(server, rcvbuf=16384)
    await bolt.send(Run("STREAM 1000000", {}, {}), Pull({"n": -1}))
    assert (await bolt.recv()).name == "SUCCESS"
    for _ in range(100):
        assert (await bolt.recv()).name == "RECORD"
    if how == "close":
        bolt.close()
    else:
        bolt.abort()

    await until(lambda: recorder.closed == 1)
    assert recorder.produced < 100_000, recorder.produced  # far below 1,000,000
    ends = [c for c in recorder.calls if c[0].startswith("generator-")]
    assert [c[0] for c in ends] == ["generator-closed"], ends
    produced = recorder.produced
    await asyncio.sleep(0.2)
    assert recorder.produced == produced  # nothing is produced for a dead connection
    assert server.connections == 0
    await others_still_work(server)


async def test_disconnect_while_the_server_waits_for_the_next_pull(server) -> None:
    """A result left open (has_more) by a vanished client is closed with the connection."""
    recorder = server.recorder
    bolt = await hello(server)
    await bolt.send(Run("STREAM 1000000", {}, {}), Pull({"n": 10}))
    assert (await bolt.recv()).name == "SUCCESS"
    rows, summary = await bolt.recv_result()
    assert len(rows) == 10 and summary.metadata == {"has_more": True}
    bolt.close()
    await until(lambda: recorder.closed == 1)
    assert [c[0] for c in recorder.calls if c[0].startswith("generator-")] == ["generator-closed"]
    assert recorder.produced <= 11
    await others_still_work(server)


# -- garbage and stalls in the handshake ------------------------------------------------------


async def test_http_request_instead_of_the_magic(server) -> None:
    bolt = await RawBolt.connect(server.port)
    await bolt.send_raw(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
    started = time.monotonic()
    data = await bolt.read_raw_until_eof(3)
    assert time.monotonic() - started < 3
    assert data == b""  # no Bolt version, no reply at all: just closed
    bolt.close()
    await others_still_work(server)


async def test_no_common_version_is_refused_with_zeros(server) -> None:
    bolt = await RawBolt.connect(server.port)
    assert await bolt.handshake((9, 9), (0, 7)) is None
    assert bolt.reply == b"\x00\x00\x00\x00"
    assert await bolt.read_raw_until_eof(3) == b""
    bolt.close()
    await others_still_work(server)


async def test_partial_handshake_then_silence_times_out() -> None:
    server = await start(handshake_timeout=1)
    async with server:
        bolt = await RawBolt.connect(server.port)
        await bolt.send_raw(b"\x60\x60\xb0\x17\x00\x00")  # magic and 2 bytes of 16
        started = time.monotonic()
        # meanwhile another client is served normally
        await others_still_work(server)
        data = await bolt.read_raw_until_eof(4)
        elapsed = time.monotonic() - started
        bolt.close()
        assert data == b""
        assert 0.8 <= elapsed < 3, elapsed
        await until(lambda: server.connections == 0)


async def test_trickled_handshake_is_bounded_by_the_handshake_timeout() -> None:
    """handshake_timeout bounds the whole handshake, not each read: a client that sends one
    byte of a valid handshake every 0.4 s must be closed after about 1 s, not served after
    the 20th byte (8 s later)."""
    server = await start(handshake_timeout=1)
    async with server:
        bolt = await RawBolt.connect(server.port)
        handshake = b"\x60\x60\xb0\x17" + bytes([0, 0, 4, 4]) + bytes(12)
        started = time.monotonic()
        closed = False
        for byte in handshake:
            try:
                await bolt.send_raw(bytes([byte]))
            except (ConnectionError, OSError):
                closed = True
                break
            try:
                if await asyncio.wait_for(bolt.reader.read(4), 0.4) == b"":
                    closed = True
                    break
            except asyncio.TimeoutError:
                pass
            if time.monotonic() - started > 3.5:
                break
        elapsed = time.monotonic() - started
        bolt.close()
        assert closed and elapsed < 3, (
            f"still open after {elapsed:.1f}s of a trickled handshake (handshake_timeout=1)")


# -- bad messages after the handshake ---------------------------------------------------------


async def test_malformed_message_fails_and_closes(server) -> None:
    bolt = await RawBolt.connect(server.port)
    assert await bolt.handshake((4, 4)) == (4, 4)
    await bolt.send_raw(bytes.fromhex("0003 b101c4 0000"))  # HELLO whose field has marker C4
    replies = await bolt.read_until_eof(3)
    bolt.close()
    assert names(replies) == ["FAILURE"]
    assert replies[0].metadata["code"] == "Neo.ClientError.Request.Invalid"
    await others_still_work(server)


async def test_malformed_message_after_hello_fails_and_closes(server) -> None:
    bolt = await hello(server)
    await bolt.send(b"\xb2\x10\x84ECHO")  # RUN with 2 of 3 fields in 4.4
    replies = await bolt.read_until_eof(3)
    bolt.close()
    assert names(replies) == ["FAILURE"]
    assert replies[0].metadata["code"] == "Neo.ClientError.Request.Invalid"
    await until(lambda: server.recorder.closed == 1)
    await others_still_work(server)


async def test_oversized_message_fails_and_closes() -> None:
    server = await start(max_message_size=1024)
    async with server:
        bolt = await hello(server)
        await bolt.send(Run("ECHO", {"pad": "x" * 2048}, {}), Pull({"n": -1}))
        replies = await bolt.read_until_eof(3)
        bolt.close()
        assert names(replies) == ["FAILURE"]
        assert replies[0].metadata["code"] == "Neo.ClientError.Request.Invalid"
        assert "1024" in replies[0].metadata["message"]
        assert ("run", "ECHO", {}) not in server.recorder.calls
        await others_still_work(server)
        # a message just under the limit is fine
        bolt = await hello(server)
        await bolt.send(Run("ECHO", {"pad": "x" * 900}, {}), Pull({"n": -1}))
        assert names(await bolt.recv_many(3)) == ["SUCCESS", "RECORD", "SUCCESS"]
        bolt.close()


async def test_oversized_message_split_into_many_chunks_is_refused_early() -> None:
    """The limit applies to the message, not the chunk: 40 chunks of 100 bytes are refused
    as soon as the total passes 1024, without waiting for the end marker."""
    server = await start(max_message_size=1024)
    async with server:
        bolt = await hello(server)
        await bolt.send_raw((b"\x00\x64" + b"x" * 100) * 40)  # never ended
        replies = await bolt.read_until_eof(3)
        bolt.close()
        assert names(replies) == ["FAILURE"]
        assert replies[0].metadata["code"] == "Neo.ClientError.Request.Invalid"
        await others_still_work(server)


@pytest.mark.parametrize("request_", [Pull({"n": -1}), Commit()], ids=["PULL-in-READY", "COMMIT-in-READY"])
async def test_message_not_allowed_in_the_state(server, request_) -> None:
    bolt = await hello(server)
    await bolt.send(request_, Run("ECHO", {"a": 1}, {}), Pull({"n": -1}), Begin({}))
    replies = await bolt.recv_many(4)
    assert names(replies) == ["FAILURE", "IGNORED", "IGNORED", "IGNORED"]
    assert replies[0].metadata["code"] == "Neo.ClientError.Request.Invalid"
    await bolt.send(Reset())
    assert names([await bolt.recv()]) == ["SUCCESS"]
    await bolt.send(Run("ECHO", {"a": 2}, {}), Pull({"n": -1}))
    replies = await bolt.recv_many(3)
    assert names(replies) == ["SUCCESS", "RECORD", "SUCCESS"]
    assert replies[1].data == [2]
    bolt.close()
    await others_still_work(server)


# -- RESET interrupting a running stream ------------------------------------------------------


async def test_reset_interrupts_a_running_stream(server) -> None:
    recorder = server.recorder
    small_send_buffers(server)
    bolt = await hello(server, rcvbuf=16384)
    await bolt.send(Run("STREAM 10000000", {}, {}), Pull({"n": -1}))
    assert (await bolt.recv()).name == "SUCCESS"
    records = 0
    while records < 500:  # the first few KB of RECORDs
        assert (await bolt.recv()).name == "RECORD"
        records += 1
    await bolt.send(Reset())

    # The RECORDs still in flight, then IGNORED for the interrupted PULL, SUCCESS for RESET.
    in_flight, after = await bolt.skip_records(8)
    records += in_flight
    tail = [after.name, (await bolt.recv()).name]
    assert tail == ["IGNORED", "SUCCESS"]
    assert records < 100_000, records  # far below 10,000,000
    assert recorder.produced == records  # nothing was produced beyond what was sent
    assert [c[0] for c in recorder.calls if c[0].startswith("generator-")] == ["generator-closed"]
    assert recorder.calls[-1] == ("reset",)
    produced = recorder.produced
    await asyncio.sleep(0.1)
    assert recorder.produced == produced

    await bolt.send(Run("STREAM 3", {}, {}), Pull({"n": -1}))
    assert (await bolt.recv()).name == "SUCCESS"
    rows, summary = await bolt.recv_result()
    assert rows == [[0], [1], [2]] and summary.name == "SUCCESS"
    bolt.close()


async def test_reset_while_a_stream_waits_for_pull(server) -> None:
    bolt = await hello(server)
    await bolt.send(Run("STREAM 1000", {}, {}), Pull({"n": 5}))
    assert (await bolt.recv()).name == "SUCCESS"
    rows, summary = await bolt.recv_result()
    assert len(rows) == 5 and summary.metadata == {"has_more": True}
    await bolt.send(Reset(), Pull({"n": 5}))  # the stream is gone after RESET
    replies = await bolt.recv_many(2)
    assert names(replies) == ["SUCCESS", "FAILURE"]
    assert replies[1].metadata["code"] == "Neo.ClientError.Request.Invalid"
    bolt.close()


# -- many clients while one misbehaves ---------------------------------------------------------


async def test_fifty_driver_sessions_while_raw_clients_misbehave(server) -> None:
    # a client that never reads a 10M-row stream (the server must block only that connection),
    stuck_reader = await hello(server)
    await stuck_reader.send(Run("STREAM 10000000", {}, {}), Pull({"n": -1}))
    # one that stops in the middle of a message,
    half_message = await hello(server)
    await half_message.send_raw(b"\x00\x40\xb3\x10")
    # and one that stalls after the handshake's magic.
    stalled = await RawBolt.connect(server.port)
    await stalled.send_raw(b"\x60\x60\xb0\x17")

    started = time.monotonic()
    await others_still_work(server, 50)
    assert time.monotonic() - started < 8
    assert server.recorder.produced < 10_000_000

    for bolt in (stuck_reader, half_message, stalled):
        bolt.abort()
    await until(lambda: server.connections == 0)
