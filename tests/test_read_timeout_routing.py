"""A server silent past the read timeout is dropped from the routing tables, as one that
dropped the connection (testkit's configuration_hints TestRoutingConnectionRecvTimeout reads
the table afterwards): the next work fetches a new table instead of going back to it."""

from __future__ import annotations

import asyncio

import pytest

import asyncbolt
from asyncbolt.codec.messages import Success

from .test_client_odd_servers import FakeServer, Peer, idle


def silent_reader() -> object:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.expect("RUN", "PULL")
        await idle(peer)  # never answered
    return script


def router(reader: FakeServer, routes: list[int]) -> object:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        while True:
            message = await peer.recv(10)
            if message.name == "RESET":
                await peer.send(Success({}))
                continue
            routes.append(1)
            address = f"127.0.0.1:{reader.port}"
            await peer.send(Success({"rt": {"ttl": 300, "db": "neo4j", "servers": [
                {"addresses": [f"127.0.0.1:{peer.server.port}"], "role": "ROUTE"},
                {"addresses": [address], "role": "READ"},
                {"addresses": [address], "role": "WRITE"}]}}))
    return script


async def test_a_reader_silent_past_the_read_timeout_leaves_the_table() -> None:
    routes: list[int] = []
    async with FakeServer(silent_reader()) as reader:
        async with FakeServer(router(reader, routes)) as routing:
            async with asyncbolt.Driver(f"neo4j://127.0.0.1:{routing.port}", auth=("u", "p"),
                                        read_timeout=0.3) as driver:
                async with driver.session(db="neo4j", default_access_mode="r") as session:
                    with pytest.raises(asyncbolt.SessionExpired, match="no data from"):
                        await asyncio.wait_for((await session.run("RETURN 1")).values(), 10)
                table = driver.router.table_of("neo4j")
                assert table is not None and table.readers == [] and table.writers == []
                assert len(routes) == 1
