"""The server against hostile peers (issue 14): requests refused from their header before
authentication, a small size limit until then, input back-pressure, the write timeout, TLS
handshakes counted from accept, caps on unauthenticated connections, aggregated refusal
warnings, and every limit on ``asyncbolt serve``.

Raw sockets on 127.0.0.1 against an in-process server; RSS is the test process's, from /proc.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import ssl
import time
from typing import Any

import neo4j
import pytest

import asyncbolt
import asyncbolt.server.connection as connection_module
import asyncbolt.server.listener as listener_module
from asyncbolt.codec.messages import Discard, Hello, Logon, Pull, Reset, Run
from asyncbolt.codec.packstream import get_codec
from asyncbolt.core.framing import chunk_message
from asyncbolt.core.server import DEFAULT_MAX_UNAUTHENTICATED_MESSAGE_SIZE, Closed, ServerConnection
from asyncbolt.tools import serving
from soak import procstat

from .conftest import until
from .loopwatch import LoopWatch
from .rawbolt import MAGIC, RawBolt, proposal
from .sessions import EchoSession, Recorder
from .test_security import (
    IDS,
    PASSWORD,
    UNAUTHORIZED,
    VERSIONS,
    auth_messages,
    failure_code,
    negotiate,
    query_messages,
)


@pytest.fixture(scope="module")
def certs():
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    return ca, ca.issue_cert("127.0.0.1")


needs_proc = pytest.mark.skipif(not procstat.available(), reason="needs Linux's /proc (RSS of a process)")
MiB = 2**20


async def start(**options: Any) -> asyncbolt.Server:
    recorder = Recorder()
    server = await asyncbolt.serve(EchoSession, "127.0.0.1", 0, recorder=recorder, password=PASSWORD,
                                   **options)
    server.recorder = recorder
    return server


def rss() -> int:
    return procstat.rss_bytes(os.getpid())


class SpyCodec:
    """A codec that records what it is asked to decode (Codec has slots: wrap it)."""

    def __init__(self, codec: Any) -> None:
        self._codec = codec
        self.decoded: list[bytes] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._codec, name)

    def unpack_request(self, data: bytes) -> Any:
        self.decoded.append(data)
        return self._codec.unpack_request(data)


def sans_io(version: tuple[int, int] = (5, 0), **options: Any) -> ServerConnection:
    conn = ServerConnection(**options)
    conn.receive_data(MAGIC + proposal(version) + b"\x00" * 12)
    conn.data_to_send()
    assert conn.version == version
    return conn


def hello_with_maps(version: tuple[int, int], maps: int, password: str = "wrong") -> bytes:
    """A HELLO whose extra map holds a list of ``maps`` empty maps (case 1 of issue 14),
    chunked; built without materialising the list."""
    codec = get_codec(version)
    head = bytearray(b"\xb1\x01\xa5")
    for key, value in (("user_agent", "evil/1"), ("scheme", "basic"), ("principal", "neo4j"),
                       ("credentials", password)):
        codec.pack_into(key, head)
        codec.pack_into(value, head)
    codec.pack_into("x", head)
    head += b"\xd6" + maps.to_bytes(4, "big")
    return chunk_message(bytes(head) + b"\xa0" * maps)


# -- 1. before authentication: refused from the header, and a small size limit ---------------


def test_a_request_not_allowed_before_authentication_is_refused_without_decoding() -> None:
    conn = sans_io((5, 0))
    conn.codec = spy = SpyCodec(conn.codec)
    # A RUN whose fields would not even decode (a string claiming 4 GiB): only its header is read.
    conn.receive_data(chunk_message(b"\xb3\x10\xd2\xff\xff\xff\xff"))
    event = conn.next_event()
    assert isinstance(event, Closed) and "RUN is not allowed in state CONNECTED" in event.reason
    assert spy.decoded == []
    failure = get_codec((5, 0)).unpack_response(conn.data_to_send()[2:-2])
    assert failure.metadata["code"] == "Neo.ClientError.Request.Invalid"


def test_ignored_requests_are_answered_without_decoding() -> None:
    conn = sans_io((5, 0))
    conn.receive_data(chunk_message(conn.codec.pack_message(
        Hello({"user_agent": "t", "scheme": "none"}))))
    conn.next_event()
    conn.success({})
    conn.receive_data(chunk_message(conn.codec.pack_message(Run("X", {}, {}))))
    conn.next_event()
    conn.failure(asyncbolt.ClientError("Neo.ClientError.Statement.SyntaxError", "no"))
    conn.data_to_send()
    conn.codec = spy = SpyCodec(conn.codec)
    conn.receive_data(chunk_message(b"\xb3\x10\xd2\xff\xff\xff\xff") * 3)
    assert conn.next_event() is None
    assert spy.decoded == [] and conn.data_to_send() == chunk_message(b"\xb0\x7e") * 3


def test_unauthenticated_size_limit_is_not_buffered_beyond_and_lifts_after_authentication() -> None:
    limit = DEFAULT_MAX_UNAUTHENTICATED_MESSAGE_SIZE
    conn = sans_io((5, 0))
    attack = hello_with_maps((5, 0), 1_000_000)
    for i in range(0, len(attack), 4096):
        conn.receive_data(attack[i:i + 4096])
        assert conn._reader.buffered <= limit  # never more than the limit held
        if conn.queued:
            break
    event = conn.next_event()
    assert isinstance(event, Closed)
    failure = conn.codec.unpack_response(conn.data_to_send()[2:-2])
    assert failure.metadata["code"] == "Neo.ClientError.Request.Invalid"
    assert "max_unauthenticated_message_size" in failure.metadata["message"]
    assert f"maximum size of {limit} bytes" in failure.metadata["message"]

    # Authenticated: the connection's max_message_size applies (a 100 KiB RUN is fine), until LOGOFF.
    conn = sans_io((5, 4))
    codec = conn.codec
    conn.receive_data(chunk_message(codec.pack_message(Hello({"user_agent": "t"}))))
    conn.next_event()
    conn.success({})
    big = chunk_message(codec.pack_message(Logon({"scheme": "bearer", "credentials": "x" * (limit + 1)})))
    conn.receive_data(big)
    assert isinstance(conn.next_event(), Closed)  # too big before authentication

    conn = sans_io((5, 4))
    for message in (Hello({"user_agent": "t"}), Logon({"scheme": "none"})):
        conn.receive_data(chunk_message(codec.pack_message(message)))
        conn.next_event()
        conn.success({})
    assert conn.authenticated
    conn.receive_data(chunk_message(codec.pack_message(Run("X", {"p": "x" * 100_000}, {}))))
    assert conn.next_event().name == "RUN"


@pytest.mark.parametrize("version", [(5, 0), (5, 4)], ids=["5.0", "5.4"])
async def test_official_driver_with_a_large_bearer_token_fits(version) -> None:
    # A bearer token of 8.4 KiB (an Azure AD token with many group claims): 8,484-8,844 bytes of
    # HELLO/LOGON, above Neo4j's 8 KiB, well below the default 32 KiB.
    class Bearer(asyncbolt.ServerSession):
        async def authenticate(self, auth):
            if auth.get("scheme") != "bearer" or len(auth.get("credentials", "")) != 8452:
                raise asyncbolt.AuthError()

        async def run(self, query, parameters, extra):
            return asyncbolt.Result(["x"], [[1]])

    async with await asyncbolt.serve(Bearer, "127.0.0.1", 0, versions=[version]) as server:
        uri = f"neo4j://127.0.0.1:{server.port}?region=europe-west1&zone=az-1"
        async with neo4j.AsyncGraphDatabase.driver(uri, auth=neo4j.bearer_auth("t" * 8452),
                                                   user_agent="app/1.0 " + "x" * 256) as driver:
            records, _, _ = await driver.execute_query("RETURN 1")
            assert records[0]["x"] == 1


async def hello_logon_time(port: int) -> float:
    started = time.monotonic()
    async with await negotiate(port, (5, 4)) as bolt:
        await bolt.send(*auth_messages((5, 4), PASSWORD))
        replies = [await bolt.recv(), await bolt.recv()]
        assert [m.name for m in replies] == ["SUCCESS", "SUCCESS"], replies
    return time.monotonic() - started


@needs_proc
async def test_case_1_a_huge_hello_costs_no_memory_and_stalls_no_one() -> None:
    # Issue 14, case 1 at 10,000,000 maps (9.5 MiB, wrong password, Bolt 5.0): it was +685 MiB.
    attack = hello_with_maps((5, 0), 10_000_000)
    async with await start() as server:
        await hello_logon_time(server.port)  # warm up
        before = rss()

        async def attacker() -> list:
            bolt = await negotiate(server.port, (5, 0))
            try:
                await bolt.send_raw(attack)
            except ConnectionError:
                pass
            try:
                return await bolt.read_until_eof(5)
            finally:
                bolt.close()

        attacks = [asyncio.ensure_future(attacker()) for _ in range(2)]
        times = [await hello_logon_time(server.port) for _ in range(3)]
        replies = await asyncio.gather(*attacks)
        grown = rss() - before
        assert grown < 64 * MiB, grown / MiB
        assert max(times) < 1.0, times
        for answer in replies:
            if answer:  # (a reset may beat the FAILURE to the client)
                assert [m.name for m in answer] == ["FAILURE"]
                assert "max_unauthenticated_message_size" in answer[0].metadata["message"]
        # No session hook ran for the attack: only the 4 legitimate logins were checked.
        assert [c[0] for c in server.recorder.calls] == ["auth"] * 4


# -- 3. a pipelined RESET never masks the auth failure --------------------------------------


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
async def test_wrong_password_then_pipelined_reset_still_fails_unauthorized(version) -> None:
    async with await start() as server:
        bolt = await negotiate(server.port, version)
        await bolt.send(*auth_messages(version, "wrong"), Reset(), *query_messages(version), Reset())
        replies = await bolt.read_until_eof()
        bolt.close()
        if version >= (5, 1):
            assert replies[0].name == "SUCCESS"
            replies = replies[1:]
        assert [m.name for m in replies] == ["FAILURE"], replies
        assert failure_code(replies[0]) == UNAUTHORIZED


async def test_right_password_then_pipelined_reset_is_served() -> None:
    async with await start() as server:
        bolt = await negotiate(server.port, (5, 4))
        await bolt.send(*auth_messages((5, 4), PASSWORD), Reset(), *query_messages((5, 4)))
        names = [(await bolt.recv()).name for _ in range(6)]
        bolt.close()
        assert names == ["SUCCESS", "SUCCESS", "SUCCESS", "SUCCESS", "RECORD", "SUCCESS"]


# -- 2. input back-pressure, write timeout, bounded IGNORED bursts -----------------------------


def test_ignored_answers_after_a_failure_come_in_bounded_slices() -> None:
    conn = sans_io((5, 0))
    codec = conn.codec
    conn.receive_data(chunk_message(codec.pack_message(Hello({"user_agent": "t", "scheme": "none"}))))
    conn.next_event()
    conn.success({})
    conn.receive_data(chunk_message(codec.pack_message(Run("X", {}, {}))))
    conn.next_event()
    conn.failure(asyncbolt.ClientError("Neo.ClientError.Statement.SyntaxError", "no"))
    conn.data_to_send()
    conn.receive_data(chunk_message(codec.pack_message(Pull({"n": 1}))) * 100_000)
    answered = 0
    slices = 0
    while conn.queued:
        assert conn.next_event() is None
        out = conn.data_to_send()
        assert 0 < len(out) <= 64 * 1024 + 16
        answered += len(out) // 6
        slices += 1
    assert answered == 100_000 and slices > 1


async def pipeline_without_reading(port: int, seconds: float) -> int:
    """Send RUN+PULL for ``seconds`` without reading an answer; the bytes the socket took."""
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await loop.sock_connect(sock, ("127.0.0.1", port))
    await loop.sock_sendall(sock, MAGIC + proposal((5, 0)) + b"\x00" * 12)
    assert await asyncio.wait_for(loop.sock_recv(sock, 4), 5) == b"\x00\x00\x00\x05"
    codec = get_codec((5, 0))
    await loop.sock_sendall(sock, chunk_message(codec.pack_message(Hello({
        "user_agent": "t", "scheme": "basic", "principal": "neo4j", "credentials": PASSWORD}))))
    batch = b"".join(chunk_message(codec.pack_message(m)) for m in (
        Run("STREAM 5", {}, {}), Pull({"n": -1}))) * 200
    sent = 0
    deadline = loop.time() + seconds
    try:
        while loop.time() < deadline:
            try:
                sent += sock.send(batch)
            except BlockingIOError:
                await asyncio.sleep(0.05)  # the server stopped reading: the window is closed
    finally:
        sock.close()
    return sent


@needs_proc
async def test_a_client_that_pipelines_without_reading_is_not_read_further() -> None:
    seconds = float(os.environ.get("ASYNCBOLT_PIPELINE_SECONDS", "4"))
    async with await start() as server:
        await hello_logon_time(server.port)
        before = rss()
        task = asyncio.ensure_future(pipeline_without_reading(server.port, seconds))
        peaks = []
        while not task.done():
            await asyncio.sleep(0.25)
            peaks.append(rss() - before)
            handlers = [h for h in _handlers(server)]
            for h in handlers:  # the backlog stays within one read of the high watermark
                assert h.conn.queued <= 300 + 65536 // 6, h.conn.queued
        sent = await task
        assert max(peaks) < 64 * MiB, max(peaks) / MiB
        # Back-pressure, not a bigger buffer: the server stopped taking bytes early on.
        assert sent < 32 * MiB, sent
        assert await hello_logon_time(server.port) < 1.0


def _handlers(server: asyncbolt.Server) -> list:
    out = []
    for task in server._tasks:
        frame = task.get_coro().cr_frame
        handler = frame.f_locals.get("handler") if frame is not None else None
        if handler is not None:
            out.append(handler)
    return out


async def test_write_timeout_drops_a_client_that_reads_nothing() -> None:
    async with await start(write_timeout=0.5, idle_timeout=None) as server:
        bolt = await RawBolt.connect(server.port, rcvbuf=4096)
        await bolt.handshake((5, 0))
        await bolt.send(*auth_messages((5, 0), PASSWORD), Run("STREAM 10000000", {}, {}),
                        Pull({"n": -1}))
        started = time.monotonic()
        await asyncio.sleep(0.2)
        while server.connections and time.monotonic() - started < 5:
            await asyncio.sleep(0.1)
        assert server.connections == 0
        assert 0.5 <= time.monotonic() - started < 5
        bolt.abort()


# -- 4. TLS handshakes are counted from accept and bounded by handshake_timeout ---------------


@needs_proc
async def test_stalled_tls_handshakes_hold_at_most_max_connections_for_handshake_timeout(certs) -> None:
    ca, cert = certs
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    async with await start(ssl=server_ctx, max_connections=50, handshake_timeout=1,
                           max_unauthenticated_connections=None, max_connections_per_address=None) as server:
        me = os.getpid()
        base = procstat.socket_count(me)
        # The first 50 bytes of a ClientHello, then silence.
        hello = bytes.fromhex("16030100f4010000f00303") + os.urandom(39)
        stalled = []
        for _ in range(200):
            _, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(hello)
            stalled.append(writer)
        await asyncio.sleep(0.3)
        # Sockets of this process minus the 200 clients' own: the server's side of them.
        server_side = procstat.socket_count(me) - base - 200
        held = server.connections + len(server._refusing)
        assert server.connections <= 50 and held <= 50 + listener_module._MAX_REFUSING, held
        assert server_side <= 50 + listener_module._MAX_REFUSING, server_side
        started = time.monotonic()
        while ((procstat.socket_count(me) - base - 200 > 0 or server.connections or server._refusing)
               and time.monotonic() - started < 3):
            await asyncio.sleep(0.05)
        # Every server-side socket freed by the handshake timeout (not asyncio's 60 s), while
        # the clients still hold theirs open.
        assert procstat.socket_count(me) - base - 200 <= 0
        assert time.monotonic() - started < 1.5
        assert server.connections + len(server._refusing) == 0
        for writer in stalled:
            writer.transport.abort()
        await asyncio.sleep(0.1)
        uri = f"bolt://127.0.0.1:{server.port}"
        async with neo4j.AsyncGraphDatabase.driver(uri, auth=("neo4j", PASSWORD), encrypted=True,
                                                   trusted_certificates=neo4j.TrustCustomCAs(
                                                       _ca_file(ca))) as driver:
            records, _, _ = await driver.execute_query("ECHO", {"a": 1})
            assert records[0]["a"] == 1


def _ca_file(ca: Any) -> str:
    import tempfile

    handle = tempfile.NamedTemporaryFile("wb", suffix=".pem", delete=False)
    handle.write(ca.cert_pem.bytes())
    handle.close()
    return handle.name


# -- 5. unauthenticated connections cannot lock authenticated users out -------------------------


async def legitimate_query(port: int, source: str = "127.0.0.2") -> list:
    """HELLO+LOGON and a query from another local address."""
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0)), 2)
    bolt = RawBolt(reader, writer, timeout=2)
    try:
        assert await bolt.handshake((5, 4)) == (5, 4)
        await bolt.send(*auth_messages((5, 4), PASSWORD), *query_messages((5, 4)))
        return [(await bolt.recv()).name for _ in range(5)]
    finally:
        bolt.close()


async def hold_unauthenticated(port: int, count: int) -> list[asyncio.StreamWriter]:
    """``count`` connections that do the handshake and then nothing (from 127.0.0.1)."""
    writers = []
    for _ in range(count):
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(MAGIC + proposal((5, 4)) + b"\x00" * 12)
        writers.append(writer)
    return writers


@pytest.mark.parametrize("options, count", [({"max_connections": 40}, 100), ({}, 1000)],
                         ids=["max_connections=40", "defaults"])
async def test_a_legitimate_client_gets_in_while_one_address_holds_unauthenticated_ones(
        options, count) -> None:
    async with await start(**options) as server:
        writers = await hold_unauthenticated(server.port, count)
        try:
            await asyncio.sleep(0.3)
            assert server.unauthenticated <= server.max_connections_per_address
            for _ in range(3):
                assert await legitimate_query(server.port) == ["SUCCESS", "SUCCESS", "SUCCESS",
                                                               "RECORD", "SUCCESS"]
        finally:
            for writer in writers:
                writer.transport.abort()


async def test_a_newcomer_gets_in_while_a_crowd_of_addresses_reconnects() -> None:
    # Connections from ten addresses keep the unauthenticated room full, each reopened at once
    # when the server closes it; a client from another address still logs in every time: it
    # pushes out the crowd's oldest, and is itself pushed out only after 40 more arrivals.
    async with await start(max_unauthenticated_connections=40, max_connections_per_address=20) as server:
        stop = asyncio.Event()
        opened = 0

        async def crowd(source: str) -> None:
            nonlocal opened
            while not stop.is_set():
                try:
                    reader, writer = await asyncio.open_connection("127.0.0.1", server.port,
                                                                   local_addr=(source, 0))
                except OSError:
                    await asyncio.sleep(0.01)
                    continue
                writer.write(MAGIC + proposal((5, 4)) + b"\x00" * 12)
                opened += 1
                try:
                    await asyncio.wait_for(reader.read(), 5)  # until the server closes it
                except (asyncio.TimeoutError, ConnectionError):
                    pass
                writer.transport.abort()
                await asyncio.sleep(0.05)

        tasks = [asyncio.ensure_future(crowd(f"127.0.0.{10 + i % 10}")) for i in range(60)]
        try:
            await asyncio.sleep(0.5)
            for _ in range(5):
                assert await legitimate_query(server.port) == [
                    "SUCCESS", "SUCCESS", "SUCCESS", "RECORD", "SUCCESS"]
                assert server.unauthenticated <= 40
        finally:
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
        assert opened > 60 and server.evicted > 0


async def test_one_address_is_refused_past_its_cap_and_others_are_not() -> None:
    async with await start(max_unauthenticated_connections=10, max_connections_per_address=2) as server:
        waiting = [await negotiate(server.port, (5, 4)) for _ in range(2)]
        await until(lambda: server.unauthenticated == 2)
        third = await negotiate(server.port, (5, 4))
        await third.send(*auth_messages((5, 4), PASSWORD))
        refused = await third.read_until_eof()
        assert refused[0].name == "FAILURE"
        assert refused[0].metadata["code"] == "Neo.TransientError.Request.NoThreadsAvailable"
        assert "from one address" in refused[0].metadata["message"]
        assert server.evicted == 0 and server.unauthenticated == 2
        assert await legitimate_query(server.port) == ["SUCCESS", "SUCCESS", "SUCCESS", "RECORD", "SUCCESS"]
        for bolt in waiting:
            bolt.close()


async def test_authenticated_connections_do_not_count_as_unauthenticated() -> None:
    async with await start(max_connections=10, max_unauthenticated_connections=2,
                           max_connections_per_address=None) as server:
        bolts = []
        for _ in range(6):
            bolt = await negotiate(server.port, (5, 4))
            await bolt.send(*auth_messages((5, 4), PASSWORD))
            assert [(await bolt.recv()).name for _ in range(2)] == ["SUCCESS", "SUCCESS"]
            bolts.append(bolt)
        assert server.connections == 6 and server.unauthenticated == 0
        # Two may wait to authenticate; a third gets in, and the oldest waiting one is closed.
        waiting = [await negotiate(server.port, (5, 4)) for _ in range(2)]
        await until(lambda: server.unauthenticated == 2)
        third = await negotiate(server.port, (5, 4))
        await until(lambda: server.evicted == 1)
        assert server.unauthenticated == 2 and server.evicted == 1
        assert await waiting[0].read_until_eof() == []  # closed, unanswered
        await third.send(*auth_messages((5, 4), PASSWORD))
        assert [(await third.recv()).name for _ in range(2)] == ["SUCCESS", "SUCCESS"]
        await waiting[1].send(*auth_messages((5, 4), PASSWORD))
        assert [(await waiting[1].recv()).name for _ in range(2)] == ["SUCCESS", "SUCCESS"]
        for bolt in [*bolts, *waiting, third]:
            bolt.close()
        await until(lambda: server.unauthenticated == 0 and server.connections == 0)


# -- 6. refused connections are logged in aggregate ------------------------------------------


async def test_refusals_are_logged_once_and_then_summed_up(caplog) -> None:
    caplog.set_level(logging.WARNING, logger="asyncbolt.server.listener")
    async with await start(max_connections=1) as server:
        server.refusal_log_interval = 0.5
        keep = await negotiate(server.port, (5, 4))
        for _ in range(300):
            _, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.transport.abort()
        await asyncio.sleep(0.8)
        lines = [r.getMessage() for r in caplog.records if r.name == "asyncbolt.server.listener"]
        assert 1 <= len(lines) <= 3, lines
        assert lines[0].startswith("turned away 1 connection")
        total = sum(int(line.split()[2]) for line in lines)
        assert total == server.refused >= 250
        assert "maximum of 1 connections" in lines[-1]
        keep.close()


# -- 7. asyncbolt serve exposes every limit --------------------------------------------------


def test_asyncbolt_serve_takes_every_limit(monkeypatch) -> None:
    argv = ["--backend", "tests.sessions:EchoSession", "--port", "0",
            "--max-connections", "20", "--max-unauthenticated-connections", "8",
            "--max-connections-per-address", "off", "--idle-timeout", "off",
            "--auth-timeout", "5", "--handshake-timeout", "2.5", "--write-timeout", "60",
            "--recv-timeout", "30", "--max-message-size", "1048576",
            "--max-unauthenticated-message-size", "16384", "--max-chunks", "100", "--max-depth", "32"]
    args = serving.build_parser().parse_args(argv)
    assert serving.limits_of(args) == {
        "max_connections": 20, "max_unauthenticated_connections": 8,
        "max_connections_per_address": None, "idle_timeout": None, "auth_timeout": 5.0,
        "handshake_timeout": 2.5, "write_timeout": 60.0, "recv_timeout": 30,
        "max_message_size": 1048576, "max_unauthenticated_message_size": 16384,
        "max_chunks": 100, "max_depth": 32}
    assert serving.limits_of(serving.build_parser().parse_args([])) == {}  # serve()'s defaults
    for bad in (["--max-connections", "0"], ["--idle-timeout", "soon"], ["--max-depth", "off"]):
        with pytest.raises(SystemExit):
            serving.build_parser().parse_args(bad)

    seen = {}
    real = asyncbolt.serve

    async def spy(*a: Any, **kw: Any) -> asyncbolt.Server:
        seen.update(kw)
        return await real(*a, **kw)

    monkeypatch.setattr(asyncbolt, "serve", spy)

    def ready(server: asyncbolt.Server, stop: asyncio.Event) -> None:
        assert server.max_connections == 20 and server.max_connections_per_address is None
        assert server.write_timeout == 60.0 and server.max_unauthenticated_message_size == 16384
        stop.set()

    assert asyncio.run(serving.run(args, ready)) == 0
    assert seen["max_unauthenticated_connections"] == 8 and seen["max_depth"] == 32


# -- long requests are decoded off the event loop -----------------------------------------------


async def test_a_long_request_does_not_stall_other_connections(monkeypatch) -> None:
    # The pure-Python codec takes ~0.3 s for 1,900,000 empty maps: decoded on the event loop,
    # every other connection would wait that long; in the decoder thread, the loop keeps running.
    from asyncbolt.codec import packstream

    monkeypatch.setattr(packstream, "ACCELERATED", False)
    packstream._CODECS.clear()
    try:
        async with await start() as server:
            bolt = await negotiate(server.port, (5, 4))
            await bolt.send(*auth_messages((5, 4), PASSWORD))
            assert [(await bolt.recv()).name for _ in range(2)] == ["SUCCESS", "SUCCESS"]
            n = 1_900_000
            # RUN "ECHO" {} {tx_metadata: {rows: [{} x n]}}, then DISCARD: nothing is echoed.
            run = (b"\xb3\x10\x84ECHO\xa0\xa1\x8btx_metadata\xa1\x84rows\xd6" + n.to_bytes(4, "big")
                   + b"\xa0" * n)
            assert connection_module.OFFLOAD_BYTES < len(run)
            async with LoopWatch() as watch:
                await bolt.send(run, Discard({"n": -1}))
                answers = [(await bolt.recv(timeout=30)).name for _ in range(2)]
            assert answers == ["SUCCESS", "SUCCESS"]
            call = server.recorder.calls[-1]
            assert call[0] == "run" and len(call[2]["tx_metadata"]["rows"]) == n
    finally:
        packstream._CODECS.clear()
    assert watch.longest < 0.15, f"the event loop stalled for {watch.longest * 1000:.0f} ms"


async def test_a_client_still_sending_when_refused_reads_why() -> None:
    # The client writes a whole oversized HELLO before reading (as drivers do). Closing with its
    # bytes unread would reset the connection and throw the FAILURE away unread: the server
    # sends the FAILURE and a FIN, then drops what still comes until the client closes.
    async with await start() as server:
        bolt = await negotiate(server.port, (5, 0))
        junk = b"\xd6" + (4_000_000).to_bytes(4, "big") + b"\xa0" * 4_000_000
        hello = b"\xb1\x01\xa2\x8auser_agent\x81x\x84junk" + junk
        bolt.writer.write(chunk_message(hello))
        await asyncio.wait_for(bolt.writer.drain(), 10)
        answers = await bolt.read_until_eof(timeout=10)
        assert [m.name for m in answers] == ["FAILURE"]
        assert failure_code(answers[0]) == "Neo.ClientError.Request.Invalid"
        assert "(max_unauthenticated_message_size)" in answers[0].metadata["message"]
        assert answers[0].metadata["message"].count("at offset") <= 1
