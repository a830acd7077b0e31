"""``verify_connectivity`` on a pooled connection checks it with one RESET round trip first,
whatever its age (the official drivers acquire with liveness_check_timeout=0): the answer is
the server's, not the pool's memory of it. ``Pool.acquire(liveness_check_timeout=...)``
overrides the pool's setting for one acquisition."""

from __future__ import annotations

from asyncbolt.codec.messages import Success

from .test_client_odd_servers import FakeServer, Peer, driver_for, idle


async def answer_resets(peer: Peer) -> None:
    await peer.accept((5, 4))
    await peer.hello()
    while True:
        message = await peer.recv(10)
        if message.name != "RESET":
            await idle(peer)
            return
        await peer.send(Success({}))


async def test_verify_connectivity_resets_a_pooled_connection_once() -> None:
    async with FakeServer(answer_resets) as server:
        async with driver_for(server) as driver:  # liveness checks off
            await driver.verify_connectivity()  # opens one: no RESET needed
            assert server.peers[0].received == ["HELLO", "LOGON"]
            await driver.verify_connectivity()  # the pooled one: checked
            assert server.peers[0].received == ["HELLO", "LOGON", "RESET"]
            assert server.connections == 1


async def test_a_pooled_connection_that_fails_the_check_is_replaced() -> None:
    async def script(peer: Peer) -> None:
        if len(peer.server.peers) == 1:
            await peer.accept((5, 4))
            await peer.hello()
            await peer.expect("RESET")
            peer.abort()  # dead by the time it is checked
            return
        await answer_resets(peer)

    async with FakeServer(script) as server:
        async with driver_for(server) as driver:
            await driver.verify_connectivity()
            await driver.verify_connectivity()  # the check fails: a new connection serves
            assert server.connections == 2


async def test_pool_acquire_overrides_the_liveness_check_timeout() -> None:
    async with FakeServer(answer_resets) as server:
        async with driver_for(server) as driver:
            pool = driver.pool
            conn = await pool.acquire(driver.address)
            await pool.release(conn)
            conn = await pool.acquire(driver.address)  # pool's setting (None): no check
            await pool.release(conn)
            assert "RESET" not in server.peers[0].received
            conn = await pool.acquire(driver.address, liveness_check_timeout=0)
            await pool.release(conn)
            assert server.peers[0].received.count("RESET") == 1
