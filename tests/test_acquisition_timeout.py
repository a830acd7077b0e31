"""What the connection acquisition timeout covers: the whole open of a connection, Bolt
handshake and authentication included, while ``connection_timeout`` bounds only the connect
itself (as the official drivers, testkit's driver_parameters/test_connection_acquisition_timeout_ms);
and, unlike them (issue #18: one deadline over the whole acquisition), with routing the router
connections, their ROUTE answers and the server's connection all share the one deadline.
More fault cases (a resolver that hangs, a silent handshake): test_acquisition_deadline.py."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import asyncbolt
from asyncbolt.codec.messages import Record, Success
from asyncbolt.core.handshake import encode_version

from .test_client_odd_servers import FakeServer, Peer, idle


async def serve_query(peer: Peer) -> None:
    await peer.answer_query([[1]])
    await idle(peer)


def slow(step: str, delay: float) -> Any:
    """A server whose handshake answer ("handshake") or HELLO answer ("hello") is late."""
    async def script(peer: Peer) -> None:
        if step == "handshake":
            await peer.read_handshake()
            await asyncio.sleep(delay)
            peer.use((5, 4))
            await peer.send_raw(encode_version((5, 4)))
            await peer.hello()
        else:
            await peer.accept((5, 4))
            await peer.expect("HELLO", "LOGON")
            await asyncio.sleep(delay)
            await peer.send(Success({"server": "Fake/1.0", "connection_id": "c"}), Success({}))
        await serve_query(peer)
    return script


async def query(driver: asyncbolt.Driver) -> list:
    async with driver.session(default_access_mode="r") as session:
        return await (await session.run("RETURN 1")).values()


async def test_the_handshake_is_not_bounded_by_connection_timeout() -> None:
    async with FakeServer(slow("handshake", 0.5)) as server:
        async with asyncbolt.Driver(server.uri, auth=("u", "p"), connection_timeout=0.2,
                                    connection_acquisition_timeout=5) as driver:
            assert await query(driver) == [[1]]


async def test_the_handshake_is_bounded_by_the_acquisition_timeout() -> None:
    async with FakeServer(slow("handshake", 3)) as server:
        async with asyncbolt.Driver(server.uri, auth=("u", "p"), connection_timeout=60,
                                    connection_acquisition_timeout=0.3) as driver:
            with pytest.raises(asyncbolt.ServiceUnavailable, match="handshake"):
                await query(driver)


def router(reader: FakeServer, hello_delay: float = 0, route_delay: float = 0) -> Any:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.expect("HELLO", "LOGON")
        await asyncio.sleep(hello_delay)
        await peer.send(Success({"server": "Fake/1.0", "connection_id": "r"}), Success({}))
        while True:
            message = await peer.recv(10)
            if message.name == "RESET":
                await peer.send(Success({}))
                continue
            if message.name != "ROUTE":
                await idle(peer)
                return
            await asyncio.sleep(route_delay)
            await peer.send(Success({"rt": {"ttl": 300, "servers": [
                {"addresses": [f"127.0.0.1:{peer.server.port}"], "role": "ROUTE"},
                {"addresses": [f"127.0.0.1:{reader.port}"], "role": "READ"},
                {"addresses": [f"127.0.0.1:{reader.port}"], "role": "WRITE"}]}}))
    return script


async def test_the_router_and_the_server_connection_share_one_deadline() -> None:
    # each HELLO takes 0.6 s: each within the acquisition timeout, together past it
    async with FakeServer(slow("hello", 0.6)) as reader:
        async with FakeServer(router(reader, hello_delay=0.6)) as routing:
            async with asyncbolt.Driver(f"neo4j://127.0.0.1:{routing.port}", auth=("u", "p"),
                                        connection_acquisition_timeout=1.0) as driver:
                with pytest.raises(asyncbolt.AcquisitionDeadlineExceeded) as info:
                    await query(driver)
    assert f"authenticating with 127.0.0.1:{reader.port}" in str(info.value)
    assert info.value.timeout == 1.0


async def test_slow_steps_within_the_deadline_succeed() -> None:
    async with FakeServer(slow("hello", 0.2)) as reader:
        async with FakeServer(router(reader, hello_delay=0.2, route_delay=0.2)) as routing:
            async with asyncbolt.Driver(f"neo4j://127.0.0.1:{routing.port}", auth=("u", "p"),
                                        connection_acquisition_timeout=30) as driver:
                assert await query(driver) == [[1]]


async def test_the_route_answer_is_counted_in_the_acquisition_timeout() -> None:
    async with FakeServer(_plain_reader()) as reader:
        async with FakeServer(router(reader, route_delay=5)) as routing:
            async with asyncbolt.Driver(f"neo4j://127.0.0.1:{routing.port}", auth=("u", "p"),
                                        connection_acquisition_timeout=0.3) as driver:
                with pytest.raises(asyncbolt.AcquisitionDeadlineExceeded) as info:
                    await asyncio.wait_for(query(driver), 4)  # (bounded: it ends)
    assert f"waiting for router 127.0.0.1:{routing.port}" in info.value.stage


def _plain_reader() -> Any:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.expect("RUN", "PULL")
        await peer.send(Success({"fields": ["x"]}), Record([1]), Success({}))
        await idle(peer)
    return script


async def test_a_router_too_slow_to_say_hello_fails_the_acquisition() -> None:
    async with FakeServer(_plain_reader()) as reader:
        async with FakeServer(router(reader, hello_delay=3)) as routing:
            async with asyncbolt.Driver(f"neo4j://127.0.0.1:{routing.port}", auth=("u", "p"),
                                        connection_acquisition_timeout=0.3) as driver:
                with pytest.raises(asyncbolt.ServiceUnavailable):
                    await query(driver)
