"""One RESET after a failure, also when the connection goes back to the pool while that RESET
is on its way (the official drivers' minimal resets; issue 15's retry/optimizations findings),
against a scripted server (the FakeServer of test_client_odd_servers.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import asyncbolt
from asyncbolt.codec.messages import Failure, Ignored, Record, Success

from .test_client_odd_servers import FakeServer, Peer, idle

TRANSIENT = {"code": "Neo.TransientError.Database.DatabaseUnavailable", "message": "try again"}


async def test_a_failed_commit_costs_one_reset_before_the_retry() -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((4, 4))
        await peer.hello()
        for attempt in range(2):
            await peer.expect("BEGIN")
            await peer.send(Success({}))
            await peer.expect("RUN", "PULL")
            await peer.send(Success({"fields": ["n"]}), Record([1]), Success({"type": "r"}))
            await peer.expect("COMMIT")
            if attempt == 0:
                await peer.send(Failure(TRANSIENT))
                await peer.expect("RESET")
                await asyncio.sleep(0.05)  # the answer comes after the pool has the connection
                await peer.send(Success({}))
            else:
                await peer.send(Success({"bookmark": "bm"}))
        await idle(peer)

    calls = 0

    async def work(tx: Any) -> int:
        nonlocal calls
        calls += 1
        return (await (await tx.run("RETURN 1 AS n")).single())["n"]

    async with FakeServer(script) as server:
        async with asyncbolt.Driver(server.uri, auth=("u", "p"), connection_timeout=3,
                                    initial_retry_delay=0, retry_delay_jitter=0) as driver:
            async with driver.session() as session:
                assert await asyncio.wait_for(session.execute_write(work), 5) == 1
    assert calls == 2
    received = server.peers[0].received
    assert received.count("RESET") == 1, received
    assert server.connections == 1


@pytest.mark.parametrize("answer", ["success", "failure"])
async def test_ping_waits_for_the_reset_after_a_failure(answer: str) -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((4, 4))
        await peer.hello()
        await peer.expect("RUN", "PULL")
        await peer.send(Failure(TRANSIENT), Ignored())
        await peer.expect("RESET")
        await asyncio.sleep(0.05)
        await peer.send(Success({}) if answer == "success" else Failure(TRANSIENT))
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await asyncbolt.connect(server.uri, auth=("u", "p"), timeout=3)
        result = await conn.run("RETURN 1")
        with pytest.raises(asyncbolt.TransientError):
            await result.values()
        if answer == "success":
            await asyncio.wait_for(conn.ping(2), 3)
            assert conn.idle
        else:
            with pytest.raises(asyncbolt.ServiceUnavailable):
                await asyncio.wait_for(conn.ping(2), 3)
            assert conn.closed
        await conn.close()
    assert server.peers[0].received.count("RESET") == 1
