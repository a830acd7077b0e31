"""execute_query pipelines BEGIN with its RUN and PULL (the official drivers'
Optimization:ExecuteQueryPipelining): the server sees all three before answering any, one
round trip fewer than a session's transaction function, which waits for BEGIN's answer."""

from __future__ import annotations

import asyncio

import pytest

import asyncbolt
from asyncbolt.codec.messages import Failure, Ignored, Record, Success

from .test_client_odd_servers import FakeServer, Peer, idle


async def test_begin_run_and_pull_arrive_before_any_answer() -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        # (a client waiting for BEGIN's answer sends no RUN: recv times out, the test fails)
        await peer.expect("BEGIN", "RUN", "PULL")
        await peer.send(Success({}), Success({"fields": ["n"]}), Record([1]), Success({}))
        await peer.expect("COMMIT")
        await peer.send(Success({"bookmark": "b1"}))
        await idle(peer)

    async with FakeServer(script) as server:
        async with asyncbolt.Driver(server.uri, auth=("u", "p")) as driver:
            records, _, keys = await asyncio.wait_for(driver.execute_query("RETURN 1 AS n"), 10)
    assert keys == ["n"] and [r["n"] for r in records] == [1]


async def test_a_refused_begin_still_fails_the_query() -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.expect("BEGIN", "RUN", "PULL")
        await peer.send(Failure({"code": "Neo.ClientError.Security.Forbidden",
                                 "message": "no"}), Ignored(), Ignored())
        while True:  # (the RESET that cleans the connection up)
            message = await peer.recv(10)
            await peer.send(Success({}) if message.name == "RESET" else Ignored())

    async with FakeServer(script) as server:
        async with asyncbolt.Driver(server.uri, auth=("u", "p")) as driver:
            with pytest.raises(asyncbolt.ClientError, match="no") as info:
                await asyncio.wait_for(driver.execute_query("RETURN 1 AS n"), 10)
    assert info.value.code == "Neo.ClientError.Security.Forbidden"
