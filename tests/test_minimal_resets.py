"""One RESET per failure, as the official drivers (testkit's Optimization:MinimalResets): the
RESET the connection sends after a FAILURE is what puts it back in the pool clean; releasing it
waits for that one instead of sending a second. A clean connection is released without any."""

from __future__ import annotations

from typing import Any

import pytest

import asyncbolt
from asyncbolt.errors import ClientError
from asyncbolt.messages import Failure, Ignored, Success

from .test_client_odd_servers import FakeServer, Peer, idle

SYNTAX = {"code": "Neo.ClientError.Statement.SyntaxError", "message": "no"}


def driver_for(server: FakeServer, **kwargs: Any) -> asyncbolt.Driver:
    kwargs.setdefault("connection_timeout", 3)
    return asyncbolt.Driver(server.uri, auth=("u", "p"), **kwargs)


def failing(on: str) -> Any:
    async def script(peer: Peer) -> None:
        await peer.accept((4, 4))
        await peer.hello()
        if on == "begin":
            await peer.expect("BEGIN")
            await peer.send(Failure(SYNTAX))
        else:
            if on != "autocommit":
                await peer.expect("BEGIN")
                await peer.send(Success({}))
            await peer.expect("RUN")
            assert (await peer.recv()).name in ("PULL", "DISCARD")
            await peer.send(Failure(SYNTAX), Ignored())
        while True:  # RESETs (and GOODBYE) until the client leaves
            message = await peer.recv(10)
            if message.name == "RESET":
                await peer.send(Success({}))
            else:
                await idle(peer)
                return
    return script


@pytest.mark.parametrize("on", ["autocommit", "run", "begin"])
async def test_a_failure_costs_exactly_one_reset(on: str) -> None:
    async with FakeServer(failing(on)) as server:
        async with driver_for(server) as driver:
            async with driver.session() as session:
                with pytest.raises(ClientError):
                    if on == "autocommit":
                        await (await session.run("RETURN 1")).consume()
                    else:
                        tx = await session.begin_transaction()
                        await (await tx.run("RETURN 1")).consume()
            # the connection went back to the pool clean: it is reused as it is
            assert driver.pool.stats()[driver.address]["idle"] == 1
    assert server.peers[0].received.count("RESET") == 1


async def test_a_clean_connection_is_released_without_reset() -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((4, 4))
        await peer.hello()
        await peer.answer_query([[1]])
        await idle(peer)

    async with FakeServer(script) as server:
        async with driver_for(server) as driver:
            async with driver.session() as session:
                assert await (await session.run("RETURN 1")).values() == [[1]]
    assert "RESET" not in server.peers[0].received
