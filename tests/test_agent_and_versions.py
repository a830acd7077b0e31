"""The server agent check (``server_agent_prefix``) and explicit ``versions=`` handshakes, against
scripted servers (the FakeServer of test_client_odd_servers.py): issue 15's versions findings."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import asyncbolt
from asyncbolt.client.connect import _proposals
from asyncbolt.codec.messages import Success

from .test_client_odd_servers import FakeServer, Peer, connect, idle
from .test_tx_conformance import old_server

Version = tuple[int, int]

#: What the official 5.x drivers can speak (4.0 left out): 5.7-5.0, 4.4-4.1, 3.0.
OFFICIAL_5X = [(5, m) for m in range(7, -1, -1)] + [(4, 4), (4, 3), (4, 2), (4, 1), (3, 0)]


def agent_server(agent: Any, version: Version = (5, 4)) -> Any:
    async def script(peer: Peer) -> None:
        await peer.accept(version)
        await peer.hello(server=agent)
        await idle(peer)
    return script


# -- the agent check ----------------------------------------------------------------------------


@pytest.mark.parametrize("version", [(3, 0), (4, 4), (5, 4)])
@pytest.mark.parametrize("agent", ["neo4j/4.1.0", "Neo4j4.3.0", "FooBar/4.3.0", ""])
async def test_a_server_agent_without_the_prefix_is_refused(agent: Any, version: Version) -> None:
    async with FakeServer(agent_server(agent, version)) as server:
        with pytest.raises(asyncbolt.UnsupportedServerProduct, match="does not start with 'Neo4j/'"):
            await connect(server, server_agent_prefix="Neo4j/")
        # The connection is closed, not left to the server's timeout.
        await asyncio.wait_for(server.peers[0].eof.wait(), 2)


@pytest.mark.parametrize("agent", ["Neo4j/4.3.0", "Neo4j/Funky!"])
async def test_a_server_agent_with_the_prefix_is_accepted(agent: str) -> None:
    async with FakeServer(agent_server(agent)) as server:
        conn = await connect(server, server_agent_prefix="Neo4j/")
        assert conn.server_agent == agent
        await conn.close()


async def test_any_agent_is_accepted_by_default() -> None:
    async with FakeServer(agent_server("FooBar/4.3.0")) as server:
        conn = await connect(server)
        assert conn.server_agent == "FooBar/4.3.0"
        await conn.close()


async def test_the_driver_refuses_the_agent_in_verify_connectivity() -> None:
    async with FakeServer(agent_server("AgentSmith/0.0.1")) as server:
        async with asyncbolt.Driver(server.uri, auth=("u", "p"), connection_timeout=3,
                                    server_agent_prefix="Neo4j/") as driver:
            with pytest.raises(asyncbolt.UnsupportedServerProduct):
                await asyncio.wait_for(driver.verify_connectivity(), 5)


# -- explicit versions: the manifest only for what needs it -----------------------------------------


def test_the_manifest_is_requested_only_for_manifest_only_versions() -> None:
    # The official 5.x drivers' proposals exactly: 4.1 gets a slot as 3.0 keeps its own.
    assert _proposals(OFFICIAL_5X) == ([(5, 7, 7), (4, 4, 2), (4, 1, 0), (3, 0, 0)], False)
    assert _proposals([(6, 0), (5, 8), (5, 7)]) == ([(6, 0, 0), (5, 8, 1)], True)


@pytest.mark.parametrize("speaks", [(4, 1), (3, 0)])
async def test_official_5x_versions_reach_range_less_servers_in_one_attempt(speaks: Version) -> None:
    async with FakeServer(old_server(speaks)) as server:
        conn = await connect(server, versions=OFFICIAL_5X)
        assert conn.protocol_version == speaks
        await conn.close()
    assert server.connections == 1


async def test_official_5x_versions_reach_5_7() -> None:
    async def script(peer: Peer) -> None:
        handshake = await peer.read_handshake()
        assert handshake[4:8] == bytes((0, 7, 7, 5))
        peer.use((5, 7))
        await peer.send_raw(bytes((0, 0, 7, 5)))
        await peer.expect("HELLO", "LOGON")
        await peer.send(Success({"server": "Neo4j/5.26.0", "connection_id": "bolt-1"}), Success({}))
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server, versions=OFFICIAL_5X)
        assert conn.protocol_version == (5, 7)
        await conn.close()
