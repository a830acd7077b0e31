"""Connections that survive real networks: TCP keep-alive, the write timeout, use after fork(),
the pool's statistics and the one log line per closed connection (who closed it, and why).

The faults are made on loopback by a relay between the client and the test server: it can stop
forwarding (a half-open socket, a server that reads nothing: its socket's receive buffer is
small, so the client's writes back up), end the connection (EOF) or reset it (RST).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import struct
import sys
import textwrap
from typing import Any

import pytest

import asyncbolt
from asyncbolt.client.routing import Address

from .conftest import until, uri_of

POOL_LOGGER = "asyncbolt.client.pool"


class Relay:
    """A TCP relay on 127.0.0.1 to ``upstream``'s port, with a small receive buffer on the
    client's side; :meth:`stop` makes it read nothing more from either side."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.forwarding = True
        self.clients: list[asyncio.StreamWriter] = []
        self.tasks: set[asyncio.Task] = set()
        self.server: asyncio.AbstractServer | None = None
        self.port = 0

    async def start(self) -> Relay:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # (accepted sockets inherit it)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self.server = await asyncio.start_server(self._serve, sock=sock)
        return self

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.clients.append(writer)
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        for src, dst in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.ensure_future(self._pump(src, dst))
            self.tasks.add(task)

    async def _pump(self, src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        try:
            while self.forwarding:
                data = await src.read(4096)
                if not data or not self.forwarding:
                    break
                dst.write(data)
                await dst.drain()
            if self.forwarding:
                dst.close()
            else:
                await asyncio.Event().wait()  # read nothing more, keep the socket open
        except (ConnectionError, OSError):
            dst.close()

    def stop(self) -> None:
        self.forwarding = False

    def reset_clients(self) -> None:
        """Close the client-side sockets with an RST (SO_LINGER 0)."""
        for writer in self.clients:
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.server is not None:
            self.server.close()


@pytest.fixture
async def relay(server: Any) -> Any:
    r = await Relay(server.port).start()
    try:
        yield r
    finally:
        await r.close()


def _keepalive(conn: asyncbolt.Connection) -> int:
    sock = conn._transport.get_extra_info("socket")
    return sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)


def _closed_lines(caplog: Any) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == POOL_LOGGER and "closed by" in r.getMessage()]


# -------------------------------------------------------------------------------------------
# TCP keep-alive


async def test_keep_alive_is_on_by_default_and_can_be_turned_off(server: Any) -> None:
    async with asyncbolt.connect(uri_of(server), auth=("neo4j", "pw")) as conn:
        assert _keepalive(conn) != 0
    async with asyncbolt.connect(uri_of(server), auth=("neo4j", "pw"), keep_alive=False) as conn:
        assert _keepalive(conn) == 0


async def test_driver_connections_have_keep_alive(server: Any) -> None:
    for flag in (True, False):
        async with asyncbolt.Driver(uri_of(server), auth=("neo4j", "pw"), keep_alive=flag) as driver:
            conn = await driver.pool.acquire(driver.address)
            try:
                assert bool(_keepalive(conn)) is flag
            finally:
                await driver.pool.release(conn)


def _keepalive_timing(conn: asyncbolt.Connection) -> tuple[int, int, int]:
    sock = conn._transport.get_extra_info("socket")
    return (sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
            sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),
            sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT))


@pytest.mark.skipif(not hasattr(socket, "TCP_KEEPIDLE"), reason="needs TCP_KEEPIDLE (Linux)")
async def test_keep_alive_probes_within_a_load_balancers_idle_timeout(server: Any) -> None:
    # The kernel's default (first probe after 2 h idle) outlasts every NAT's idle timeout.
    async with asyncbolt.connect(uri_of(server), auth=("neo4j", "pw")) as conn:
        assert _keepalive_timing(conn) == (60, 10, 6)
    async with asyncbolt.Driver(uri_of(server), auth=("neo4j", "pw"), keep_alive=25) as driver:
        conn = await driver.pool.acquire(driver.address)
        try:
            assert _keepalive(conn) != 0 and _keepalive_timing(conn) == (25, 10, 6)
        finally:
            await driver.pool.release(conn)


@pytest.mark.parametrize("value", [0.5, -3, "yes"])
async def test_a_wrong_keep_alive_is_refused_by_name(server: Any, value: Any) -> None:
    with pytest.raises(ValueError, match="keep_alive must be True, False or the seconds"):
        asyncbolt.Driver(uri_of(server), auth=("neo4j", "pw"), keep_alive=value)
    with pytest.raises(ValueError, match="keep_alive must be"):
        await asyncbolt.connect(uri_of(server), auth=("neo4j", "pw"), keep_alive=value)


# -------------------------------------------------------------------------------------------
# The write timeout


async def test_a_server_that_reads_nothing_fails_writes_after_the_write_timeout(
        relay: Relay, caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger=POOL_LOGGER)
    uri = f"bolt://127.0.0.1:{relay.port}"
    async with asyncbolt.Driver(uri, auth=("neo4j", "pw"), connection_write_timeout=0.3,
                                read_timeout=None) as driver:
        async with driver.session() as session:
            assert (await (await session.run("ECHO", {"x": 1})).single())["x"] == 1
        relay.stop()
        async with driver.session() as session:
            conn = driver.pool._entries and next(iter(driver.pool._entries))
            assert conn
            conn._transport.get_extra_info("socket").setsockopt(
                socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
            big = "x" * (16 * 1024 * 1024)  # far more than the socket buffers hold
            with pytest.raises(asyncbolt.ServiceUnavailable, match="made no progress for 0.3 s"):
                # (without the write timeout, this waits for read_timeout: never)
                result = await asyncio.wait_for(session.run("ECHO", {"big": big}), 20)
                await asyncio.wait_for(result.consume(), 20)
        stats = driver.pool_stats()[Address("127.0.0.1", relay.port)]
        assert stats["closed_by_reason"] == {"our write timeout": 1}
    lines = _closed_lines(caplog)
    assert any("[our write timeout]" in line and "closed by us" in line for line in lines), lines


async def test_connection_write_timeout_must_be_positive(server: Any) -> None:
    with pytest.raises(ValueError, match="connection_write_timeout"):
        asyncbolt.Driver(uri_of(server), connection_write_timeout=0)
    with pytest.raises(ValueError, match="connection_write_timeout"):
        await asyncbolt.connect(uri_of(server), connection_write_timeout=-1)


# -------------------------------------------------------------------------------------------
# Who closed it, and why


async def test_pool_shutdown_and_lifetime_are_logged_and_counted(server: Any, caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger=POOL_LOGGER)
    address = Address("127.0.0.1", server.port)
    driver = asyncbolt.Driver(uri_of(server), auth=("neo4j", "pw"))
    a = await driver.pool.acquire(address)
    b = await driver.pool.acquire(address)
    stats = driver.pool_stats()[address]
    assert (stats["in_use"], stats["idle"], stats["created"], stats["closed"]) == (2, 0, 2, 0)
    await driver.pool.release(a)
    driver.pool.max_lifetime = 0.0  # b is now too old to be reused
    await until(lambda: driver.pool_stats()[address]["idle"] == 1)
    await driver.pool.release(b)
    stats = driver.pool_stats()[address]
    assert (stats["in_use"], stats["idle"], stats["closed"]) == (0, 1, 1)
    assert stats["closed_by_reason"] == {"lifetime": 1}
    await driver.close()
    stats = driver.pool_stats()[address]
    assert stats["closed_by_reason"] == {"lifetime": 1, "pool shutdown": 1}
    assert (stats["created"], stats["closed"], stats["idle"]) == (2, 2, 0)
    lines = _closed_lines(caplog)
    assert len(lines) == 2, lines
    assert "[lifetime]" in lines[0] and "max_connection_lifetime" in lines[0]
    assert "[pool shutdown]" in lines[1] and "the driver was closed" in lines[1]
    assert all(str(address) in line for line in lines)


@pytest.mark.parametrize("how, reason", [("eof", "server closed"), ("rst", "peer reset")])
async def test_a_connection_the_server_ends_is_logged_once_with_the_servers_reason(
        relay: Relay, caplog: Any, how: str, reason: str) -> None:
    caplog.set_level(logging.INFO, logger=POOL_LOGGER)
    address = Address("127.0.0.1", relay.port)
    async with asyncbolt.Driver(f"bolt://{address}", auth=("neo4j", "pw")) as driver:
        await driver.verify_connectivity()
        assert driver.pool_stats()[address]["idle"] == 1
        if how == "rst":
            relay.reset_clients()
        else:
            relay.stop()
            for writer in relay.clients:
                writer.get_extra_info("socket").shutdown(socket.SHUT_WR)
        await until(lambda: driver.pool_stats()[address]["closed"] == 1)
        assert driver.pool_stats()[address]["closed_by_reason"] == {reason: 1}
        assert driver.pool_stats()[address]["idle"] == 0
    lines = _closed_lines(caplog)
    assert len(lines) == 1, lines  # and not again at shutdown
    assert f"[{reason}]" in lines[0] and "closed by the server" in lines[0]


async def test_our_read_timeout_is_named(relay: Relay, caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger=POOL_LOGGER)
    address = Address("127.0.0.1", relay.port)
    async with asyncbolt.Driver(f"bolt://{address}", auth=("neo4j", "pw"), read_timeout=0.2,
                                max_retry_time=0) as driver:
        await driver.verify_connectivity()
        relay.stop()
        with pytest.raises(asyncbolt.ServiceUnavailable, match="no data from"):
            async with driver.session() as session:
                result = await asyncio.wait_for(session.run("ECHO", {"x": 1}), 20)
                await asyncio.wait_for(result.consume(), 20)
        await until(lambda: driver.pool_stats()[address]["closed"] == 1)
        assert driver.pool_stats()[address]["closed_by_reason"] == {"our read timeout": 1}
    lines = _closed_lines(caplog)
    assert len(lines) == 1 and "[our read timeout]" in lines[0] and "closed by us" in lines[0]


# -------------------------------------------------------------------------------------------
# fork()

_FORK_SCRIPT = textwrap.dedent("""
    import asyncio, os, sys
    import asyncbolt

    driver = asyncbolt.Driver(sys.argv[1], auth=("neo4j", "pw"))
    loop = asyncio.new_event_loop()
    loop.run_until_complete(driver.verify_connectivity())   # one idle pooled connection
    pid = os.fork()
    if pid == 0:
        import signal
        signal.alarm(30)  # (never outlive the test, whatever happens)
        async def child():
            try:
                await driver.verify_connectivity()
            except asyncbolt.BoltError as exc:
                print("CHILD-ERROR", type(exc).__name__, exc, flush=True)
            else:
                print("CHILD-USED-THE-POOL", flush=True)
            await driver.close()    # must leave the parent's socket alone (no GOODBYE)
            print("CHILD-CLOSED", flush=True)
        asyncio.run(child())
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, status

    async def parent():
        async with driver.session() as session:
            record = await (await session.run("ECHO", {"x": 7})).single()
        stats = driver.pool_stats()
        (only,) = stats.values()
        print("PARENT", record["x"], only["created"], only["closed"], flush=True)
        await driver.close()
    loop.run_until_complete(parent())
""")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
async def test_a_driver_used_after_fork_raises_and_the_parent_keeps_its_connection(
        server: Any) -> None:
    # The fork happens in a subprocess of its own (forking pytest's process, with its loop
    # running, is not safe); it talks to this test's server.
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _FORK_SCRIPT, uri_of(server), stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, cwd=os.path.dirname(os.path.dirname(__file__)))
    try:
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    except asyncio.TimeoutError:
        proc.kill()  # (its forked child, if any, exits when the test's server closes)
        await proc.wait()
        raise
    text = out.decode()
    assert proc.returncode == 0, (text, err.decode())
    assert "CHILD-USED-THE-POOL" not in text
    assert "CHILD-ERROR BoltError" in text and "forked from it" in text
    assert "Make a new Driver in the child process" in text
    assert "CHILD-CLOSED" in text
    # The parent's pooled connection survived the child: reused, not replaced.
    assert "PARENT 7 1 0" in text, text
    assert sum(1 for call in server.recorder.calls if call[0] == "auth") == 1
