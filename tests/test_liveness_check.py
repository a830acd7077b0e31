"""A connection that fails its liveness check (the RESET before reuse) is dropped alone, as the
official drivers: the next idle one is checked in turn, and the server is not reported failed
(which closed every idle connection to it unchecked; testkit's
test_should_drop_connections_failing_liveness_check)."""

from __future__ import annotations

import asyncbolt
from asyncbolt.codec.messages import Success

from .test_client_odd_servers import FakeServer, Peer, idle


async def script(peer: Peer) -> None:
    """The first two connections die at their first RESET; the others answer it."""
    await peer.accept((5, 4))
    await peer.hello()
    dies = len(peer.server.peers) <= 2
    while True:
        message = await peer.recv(10)
        if message.name != "RESET":
            await idle(peer)
            return
        if dies:
            peer.abort()
            return
        await peer.send(Success({}))


async def test_each_idle_connection_is_checked_and_only_the_dead_are_dropped() -> None:
    async with FakeServer(script) as server:
        async with asyncbolt.Driver(server.uri, auth=("u", "p"), connection_timeout=3,
                                    liveness_check_timeout=0) as driver:
            pool = driver.pool
            first = await pool.acquire(driver.address)
            second = await pool.acquire(driver.address)
            await pool.release(first)
            await pool.release(second)
            conn = await pool.acquire(driver.address)  # both idle ones fail their check
            await pool.release(conn)
            # each was checked with RESET (none closed unchecked), then a third one served
            assert [p.received[:3] for p in server.peers[:2]] == [["HELLO", "LOGON", "RESET"]] * 2
            assert server.connections == 3
