"""Faults under real processes: clients and servers killed mid-stream, clients that stop
reading, slowloris handshakes.

Complements tests/test_server_faults.py (raw peers on the test's loop) with what only separate
processes show: a SIGKILLed client or server (the kernel closes its sockets), and fds that a
server process holds, read from /proc. Servers here are soak.session's test session (see
soak/session.py), on the test's loop or in a child process (soak.servers.ServerProcess).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time

import neo4j
import neo4j.exceptions as nx
import pytest

import asyncbolt
from asyncbolt.codec.messages import Hello, Logon, Pull, Run
from soak import procstat
from soak.churn import settle
from soak.servers import ROOT, ServerProcess
from soak.session import serve

from .conftest import until
from .rawbolt import MAGIC, RawBolt
from .test_server_faults import small_send_buffers

pytestmark = pytest.mark.skipif(not procstat.available(), reason="needs Linux's /proc (fds of a process)")

AUTH = ("neo4j", "soak")


@pytest.fixture
async def server():
    srv = await serve()
    async with srv:
        yield srv


async def served(uri: str, n: int = 5) -> None:
    """``n`` official-driver sessions at once each get their own token back."""
    async with neo4j.AsyncGraphDatabase.driver(uri, auth=AUTH, connection_timeout=5) as driver:
        async def one(i: int) -> None:
            async with driver.session(fetch_size=2) as session:
                rows = [(r["token"], r["i"]) async for r in await session.run("ROWS", token=f"t{i}", n=5)]
                assert rows == [(f"t{i}", k) for k in range(5)]

        await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(n))), 10)


# -- a client process is killed in the middle of a stream -------------------------------------

_KILLED_CLIENT = """
import sys, neo4j
with neo4j.GraphDatabase.driver(sys.argv[1], auth=("neo4j", "soak")) as driver:
    with driver.session(fetch_size=100) as session:
        for n, record in enumerate(session.run("STREAM 100000000")):
            if n == 1000:
                print("streaming", flush=True)
"""


async def test_client_process_killed_mid_stream_frees_its_connection(server) -> None:
    stats = server.stats
    uri = f"bolt://127.0.0.1:{server.port}"
    async with neo4j.AsyncGraphDatabase.driver(uri, auth=AUTH) as bystander:
        # Another client holds an open transaction across the kill.
        async with bystander.session() as session:
            tx = await session.begin_transaction()
            assert (await (await tx.run("ECHO", token="before")).single())["token"] == "before"

            child = await asyncio.create_subprocess_exec(
                sys.executable, "-c", _KILLED_CLIENT, uri, stdout=asyncio.subprocess.PIPE,
                cwd=ROOT)
            try:
                line = await asyncio.wait_for(child.stdout.readline(), 20)
                assert line == b"streaming\n"
                assert server.connections == 2 and stats.live == 2
                child.send_signal(signal.SIGKILL)
                assert await asyncio.wait_for(child.wait(), 10) == -signal.SIGKILL
            finally:
                if child.returncode is None:
                    child.kill()
                    await child.wait()

            # The server notices, ends the stream and runs the session's close hook.
            await until(lambda: server.connections == 1 and stats.closed == 1)
            produced = stats.produced
            assert produced < 10_000_000
            await asyncio.sleep(0.2)
            assert stats.produced == produced  # nothing more is produced for the dead client
            # The bystander's transaction is untouched, and new clients are served.
            assert (await (await tx.run("ECHO", token="after")).single())["token"] == "after"
            await tx.commit()
        await served(uri)
    await until(lambda: server.connections == 0 and stats.closed == stats.opened)


# -- the server process is killed in the middle of a stream -----------------------------------


async def test_server_process_killed_mid_stream_raises_service_unavailable_within_a_second() -> None:
    """Both asyncbolt's client and the official driver, each mid-stream when the server dies."""
    ready = {"asyncbolt": asyncio.Event(), "neo4j": asyncio.Event()}
    raised: dict[str, tuple[BaseException, float]] = {}

    async def ours(uri: str) -> None:
        async with await asyncbolt.connect(uri, auth=AUTH) as conn:
            result = await conn.run("STREAM 100000000", fetch_size=100)
            try:
                async for record in result:
                    if record[0] == 1000:
                        ready["asyncbolt"].set()
            except Exception as exc:
                raised["asyncbolt"] = (exc, time.monotonic())

    async def theirs(uri: str) -> None:
        async with neo4j.AsyncGraphDatabase.driver(uri, auth=AUTH) as driver:
            async with driver.session(fetch_size=100) as session:
                try:
                    async for record in await session.run("STREAM 100000000"):
                        if record[0] == 1000:
                            ready["neo4j"].set()
                except Exception as exc:
                    raised["neo4j"] = (exc, time.monotonic())

    server = ServerProcess.session()
    try:
        tasks = [asyncio.ensure_future(ours(server.uri)), asyncio.ensure_future(theirs(server.uri))]
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in ready.values())), 20)
        os.kill(server.pid, signal.SIGKILL)
        killed = time.monotonic()
        done, pending = await asyncio.wait(tasks, timeout=5)
        for task in pending:
            task.cancel()
        assert not pending, f"still streaming 5 s after the server was killed: {raised}"
        for task in done:
            task.result()  # the exceptions were caught and recorded
    finally:
        server.kill()
        server.stop()
    assert set(raised) == {"asyncbolt", "neo4j"}, raised
    exc, when = raised["asyncbolt"]
    assert isinstance(exc, asyncbolt.ServiceUnavailable), repr(exc)
    assert when - killed < 1, f"asyncbolt raised {when - killed:.2f}s after the kill"
    exc, when = raised["neo4j"]
    assert isinstance(exc, nx.ServiceUnavailable), repr(exc)
    assert when - killed < 1, f"the neo4j driver raised {when - killed:.2f}s after the kill"


# -- a client stops reading (half-open) --------------------------------------------------------


async def test_client_that_stops_reading_meets_back_pressure_and_is_freed_once_closed(server) -> None:
    """The server fills the socket, then waits: it produces nothing more and buffers nothing
    more for that client, keeps serving the others, and frees everything once the silent peer
    finally goes (a reset, no FIN: the peer vanished)."""
    stats = server.stats
    small_send_buffers(server)
    silent = await RawBolt.connect(server.port, rcvbuf=16384)
    assert await silent.handshake((5, 4)) == (5, 4)
    await silent.send(Hello({"user_agent": "silent/1.0", "bolt_agent": {"product": "silent/1.0"}}))
    assert (await silent.recv()).name == "SUCCESS"
    await silent.send(Logon({"scheme": "basic", "principal": "neo4j", "credentials": "soak"}))
    assert (await silent.recv()).name == "SUCCESS"
    await silent.send(Run("STREAM 100000000", {}, {}), Pull({"n": -1}))
    # From here on the silent client reads and writes nothing.

    async def plateau() -> int:
        last = -1
        while stats.produced != last:
            last = stats.produced
            await asyncio.sleep(0.3)
        return last

    produced = await asyncio.wait_for(plateau(), 10)
    # What fits in the buffers (the server's 64 KiB batch and write buffer, the kernel's socket
    # buffers) at ~10 bytes a RECORD: tens of thousands of rows, not the 100 million asked for.
    assert 1000 < produced < 200_000, produced
    await served(f"bolt://127.0.0.1:{server.port}", 20)  # the others are served meanwhile
    await until(lambda: server.connections == 1)  # the driver's connections are gone
    assert stats.produced == produced  # and the stuck stream did not move

    silent.abort()
    await until(lambda: server.connections == 0 and stats.closed == stats.opened)
    assert stats.produced == produced


# -- slowloris: handshakes sent one byte a second -----------------------------------------------


async def test_slowloris_handshakes_are_closed_after_the_handshake_timeout_and_their_fds_freed() -> None:
    timeout = 1.5
    handshake = MAGIC + bytes([0, 0, 4, 4]) + bytes(12)  # 20 bytes: 20 s at one byte a second
    server = ServerProcess.session(handshake_timeout=timeout)
    try:
        baseline = procstat.fd_count(server.pid)
        listening = procstat.socket_count(server.pid)

        async def slowloris() -> tuple[float, bytes]:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            started = time.monotonic()
            answer = b""
            try:
                for byte in handshake:
                    writer.write(bytes([byte]))
                    try:
                        chunk = await asyncio.wait_for(reader.read(4), 1.0)
                    except asyncio.TimeoutError:
                        continue
                    if not chunk:  # closed by the server
                        break
                    answer += chunk
            except (ConnectionError, OSError):
                pass
            finally:
                writer.close()
            return time.monotonic() - started, answer

        clients = [asyncio.ensure_future(slowloris()) for _ in range(50)]
        await until(lambda: procstat.fd_count(server.pid) >= baseline + 50)  # all held at once
        await served(server.uri, 10)  # a normal client is served meanwhile
        outcomes = await asyncio.wait_for(asyncio.gather(*clients), 15)
        for elapsed, answer in outcomes:
            assert answer == b""  # never got a version: the handshake never completed
            assert timeout - 0.2 < elapsed < timeout + 2, elapsed
        held = await settle(server.pid, listening)
        assert held.fds == baseline, (held, baseline)
        await served(server.uri, 2)
    finally:
        server.stop()
