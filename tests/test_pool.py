"""The connection pool: reuse, size limit and acquisition timeout, liveness checks, lifetime,
clean state on release, GOODBYE on close; directly and through the driver's sessions."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import pytest

import asyncbolt
from asyncbolt.client.pool import Pool
from asyncbolt.client.routing import Address

from .conftest import until, uri_of
from .sessions import EchoSession, Recorder


class FlakyReset(EchoSession):
    """RESET fails once the test says so (a server that no longer answers properly)."""

    broken = False

    async def reset(self) -> None:
        await super().reset()
        if FlakyReset.broken:
            raise RuntimeError("reset failed")


def _opened(recorder: Recorder) -> int:
    """Connections the server saw (each authenticates once)."""
    return sum(1 for call in recorder.calls if call[0] == "auth")


def _calls(recorder: Recorder, kind: str) -> list[tuple]:
    return [call for call in recorder.calls if call[0] == kind]


def _pool(srv: Any, **kwargs: Any) -> tuple[Pool, Address, list]:
    opened: list = []

    async def opener(address: Address, timeout: float | None) -> asyncbolt.Connection:
        conn = await asyncbolt.connect(f"bolt://{address}", auth=("neo4j", "pw"), timeout=timeout)
        opened.append(conn)
        return conn

    return Pool(opener, **kwargs), Address("127.0.0.1", srv.port), opened


# -------------------------------------------------------------------------------------------
# Reuse and the size limit


async def test_1000_sessions_over_a_pool_of_10_reuse_connections(server) -> None:
    async with asyncbolt.Driver(uri_of(server), auth=("neo4j", "pw"), max_pool_size=10) as driver:
        async def one(i: int) -> int:
            async with driver.session() as session:
                record = await (await session.run("ECHO", {"i": i})).single()
                return record["i"]

        assert await asyncio.gather(*(one(i) for i in range(1000))) == list(range(1000))
        stats = driver.pool.stats()[Address("127.0.0.1", server.port)]
        assert stats["opened"] <= 10 and stats["in_use"] == 0 and stats["idle"] == stats["opened"]
        assert _opened(server.recorder) == stats["opened"]
        assert server.connections == stats["opened"]
        # one at a time, one connection does it all
        for i in range(1000, 1100):
            assert await one(i) == i
        assert driver.pool.stats()[Address("127.0.0.1", server.port)]["opened"] == stats["opened"]


async def test_sequential_sessions_use_one_connection(server) -> None:
    async with asyncbolt.Driver(uri_of(server), auth=("neo4j", "pw")) as driver:
        for i in range(50):
            async with driver.session() as session:
                assert (await (await session.run("ECHO", x=i)).single())["x"] == i
        assert _opened(server.recorder) == 1


async def test_an_exhausted_pool_gives_the_acquisition_timeout_error(server) -> None:
    async with asyncbolt.Driver(uri_of(server), auth=("neo4j", "pw"), max_pool_size=2,
                                connection_acquisition_timeout=0.2) as driver:
        held = [driver.session(), driver.session()]
        txs = [await s.begin_transaction() for s in held]
        started = time.monotonic()
        with pytest.raises(asyncbolt.ConnectionAcquisitionTimeout) as info:
            async with driver.session() as session:
                await session.run("ECHO", x=1)
        assert 0.15 <= time.monotonic() - started < 2
        message = str(info.value)
        assert f"127.0.0.1:{server.port}" in message and "maximum of 2" in message
        assert "0.2s" in message
        assert not asyncbolt.is_retryable(info.value)
        # transaction functions do not retry it either
        with pytest.raises(asyncbolt.ConnectionAcquisitionTimeout):
            await driver.execute_read(lambda tx: tx.run("ECHO"))
        # a connection coming back serves the next one
        await txs[0].commit()
        async with driver.session() as session:
            assert (await (await session.run("ECHO", x=2)).single())["x"] == 2
        for tx, session in zip(txs, held, strict=True):
            await tx.close()
            await session.close()
        assert _opened(server.recorder) == 2


async def test_waiters_get_connections_in_arrival_order(server) -> None:
    pool, address, opened = _pool(server, max_size=1)
    first = await pool.acquire(address)
    order: list[str] = []

    async def wait(name: str) -> None:
        conn = await pool.acquire(address)
        order.append(name)
        await asyncio.sleep(0.01)
        await pool.release(conn)

    waiters = [asyncio.ensure_future(wait(n)) for n in ("a", "b", "c")]
    await until(lambda: pool.stats()[address]["waiting"] == 3)
    await pool.release(first)
    await asyncio.gather(*waiters)
    assert order == ["a", "b", "c"] and len(opened) == 1
    await pool.close()


async def test_a_newcomer_does_not_overtake_a_waiter(server) -> None:
    pool, address, _ = _pool(server, max_size=1)
    first = await pool.acquire(address)
    waiting = asyncio.ensure_future(pool.acquire(address))
    await until(lambda: pool.stats()[address]["waiting"] == 1)
    await pool.release(first)  # handed to the waiter at once
    newcomer = asyncio.ensure_future(pool.acquire(address, timeout=0.05))
    assert await waiting is first
    with pytest.raises(asyncbolt.ConnectionAcquisitionTimeout):
        await newcomer
    await pool.release(first)
    await pool.close()


async def test_a_cancelled_waiter_passes_its_turn_on(server) -> None:
    pool, address, _ = _pool(server, max_size=1)
    first = await pool.acquire(address)
    doomed = asyncio.ensure_future(pool.acquire(address))
    patient = asyncio.ensure_future(pool.acquire(address, timeout=5))
    await until(lambda: pool.stats()[address]["waiting"] == 2)
    await pool.release(first)  # wakes `doomed`...
    doomed.cancel()  # ...which leaves before it runs
    conn = await asyncio.wait_for(patient, 2)
    assert conn is first
    await pool.release(conn)
    await pool.close()


async def test_pool_limits_and_bookkeeping(server) -> None:
    with pytest.raises(ValueError):
        Pool(lambda a, t: None, max_size=0)
    pool, address, opened = _pool(server, max_size=None)
    conns = [await pool.acquire(address) for _ in range(12)]  # unbounded
    assert pool.in_use(address) == 12 and len(opened) == 12
    for conn in conns:
        await pool.release(conn)
    await pool.release(conns[0])  # twice: ignored
    assert pool.stats()[address] == {"idle": 12, "in_use": 0, "opening": 0, "waiting": 0, "opened": 12}
    # most recently used first
    assert await pool.acquire(address) is conns[-1]
    await pool.close()
    with pytest.raises(asyncbolt.ServiceUnavailable):
        await pool.acquire(address)


async def test_an_unreachable_server_frees_its_place(server) -> None:
    pool, address, _ = _pool(server, max_size=1)
    dead = Address("127.0.0.1", 1)
    with pytest.raises(asyncbolt.ServiceUnavailable):
        await pool.acquire(dead)
    assert pool.in_use(dead) == 0
    with pytest.raises(asyncbolt.ServiceUnavailable):
        await pool.acquire(dead)  # the failed attempt did not use up the one place
    await pool.close()


# -------------------------------------------------------------------------------------------
# Health: liveness, lifetime, broken connections


async def test_liveness_check_of_connections_idle_too_long(server) -> None:
    pool, address, opened = _pool(server, liveness_check_timeout=0.05)
    conn = await pool.acquire(address)
    await pool.release(conn)
    resets = len(_calls(server.recorder, "reset"))
    conn = await pool.acquire(address)  # idle only briefly: no check
    await pool.release(conn)
    assert len(_calls(server.recorder, "reset")) == resets
    await asyncio.sleep(0.08)
    conn = await pool.acquire(address)  # idle too long: RESET first
    assert len(_calls(server.recorder, "reset")) == resets + 1 and conn.idle
    await pool.release(conn)
    assert len(opened) == 1
    await pool.close()


async def test_a_zero_liveness_check_timeout_resets_an_idle_connection_however_briefly_it_idled(server) -> None:
    pool, address, opened = _pool(server)  # no liveness_check_timeout: never checked otherwise
    conn = await pool.acquire(address)
    await pool.release(conn)
    resets = len(_calls(server.recorder, "reset"))
    conn = await pool.acquire(address)
    await pool.release(conn)
    assert len(_calls(server.recorder, "reset")) == resets
    conn = await pool.acquire(address, liveness_check_timeout=0)  # what verify_connectivity asks
    assert len(_calls(server.recorder, "reset")) == resets + 1 and conn.idle
    await pool.release(conn)
    assert len(opened) == 1
    driver = asyncbolt.Driver(uri_of(server), auth=("neo4j", "pw"))
    async with driver:
        await driver.verify_connectivity()  # opens one: nothing to check
        resets = len(_calls(server.recorder, "reset"))
        await driver.verify_connectivity()  # the pooled one: checked
        assert len(_calls(server.recorder, "reset")) == resets + 1
    await pool.close()


async def test_a_connection_failing_its_liveness_check_is_replaced() -> None:
    recorder = Recorder()
    async with await asyncbolt.serve(FlakyReset, "127.0.0.1", 0, recorder=recorder) as srv:
        pool, address, opened = _pool(srv, liveness_check_timeout=0)
        try:
            first = await pool.acquire(address)
            await pool.release(first)
            FlakyReset.broken = True
            second = await pool.acquire(address)
            assert second is not first and first.closed and len(opened) == 2
            FlakyReset.broken = False
            await pool.release(second)
        finally:
            FlakyReset.broken = False
            await pool.close()


async def test_connections_past_their_lifetime_are_closed(server) -> None:
    async with asyncbolt.Driver(uri_of(server), auth=("neo4j", "pw"),
                                max_connection_lifetime=0.05) as driver:
        await driver.execute_read(lambda tx: tx.run("ECHO"))
        await driver.execute_read(lambda tx: tx.run("ECHO"))
        assert _opened(server.recorder) == 1
        await asyncio.sleep(0.08)
        await driver.execute_read(lambda tx: tx.run("ECHO"))
        assert _opened(server.recorder) == 2
        await until(lambda: server.connections == 1)  # the old one was closed, not just left


async def test_connections_to_a_restarted_server_are_replaced() -> None:
    recorder = Recorder()
    srv = await asyncbolt.serve(EchoSession, "127.0.0.1", 0, recorder=recorder)
    port = srv.port
    async with asyncbolt.Driver(f"bolt://127.0.0.1:{port}", auth=("neo4j", "pw"),
                                initial_retry_delay=0.01) as driver:
        await asyncio.gather(*(driver.execute_read(lambda tx: tx.run("ECHO")) for _ in range(3)))
        assert driver.pool.stats()[Address("127.0.0.1", port)]["idle"] == 3
        srv.close()
        await srv.wait_closed()
        await until(lambda: Address("127.0.0.1", port) not in driver.pool.stats())  # dropped ones are gone
        srv = await asyncbolt.serve(EchoSession, "127.0.0.1", port, recorder=recorder)
        async with srv:
            async def echo(tx: Any) -> int:
                return (await (await tx.run("ECHO", x=7)).single())["x"]
            assert await driver.execute_read(echo) == 7


# -------------------------------------------------------------------------------------------
# Clean state on release


async def test_release_resets_what_a_borrower_left_behind(server) -> None:
    pool, address, opened = _pool(server)
    conn = await pool.acquire(address)
    tx = await conn.begin()
    await tx.run("ECHO", x=1)
    conn.bookmarks = ["leftover"]
    await pool.release(conn)  # an open transaction: RESET rolls it back
    assert _calls(server.recorder, "rollback") and _calls(server.recorder, "reset")
    again = await pool.acquire(address)
    assert again is conn and again.idle and again.bookmarks == []
    result = await again.run("STREAM 100000", fetch_size=10)
    assert len(await result.fetch(3)) == 3
    await pool.release(again)  # a result the server still streams: RESET drops it
    again = await pool.acquire(address)
    assert again is conn and (await (await again.run("ECHO", x=2)).single())["x"] == 2
    await pool.release(again)
    failed = await pool.acquire(address)
    with pytest.raises(asyncbolt.ClientError):
        await (await failed.run("FAIL")).consume()
    await pool.release(failed)  # after a FAILURE
    again = await pool.acquire(address)
    assert again is conn and (await (await again.run("ECHO", x=3)).single())["x"] == 3
    await pool.release(again)
    assert len(opened) == 1
    await pool.close()


async def test_a_session_gives_its_connection_back_when_the_result_is_done(server) -> None:
    async with asyncbolt.Driver(uri_of(server), auth=("neo4j", "pw"), max_pool_size=1) as driver:
        address = Address("127.0.0.1", server.port)
        async with driver.session() as session:
            result = await session.run("STREAM 3000", fetch_size=1000)
            first = await result.fetch(10)
            assert driver.pool.in_use(address) == 1  # the server still holds records
            rest = await result.values()
            assert len(first) + len(rest) == 3000
            await asyncio.sleep(0)
            assert driver.pool.in_use(address) == 0  # back before the session closed
            # another session can use it meanwhile, and this one still reads its summary
            async with driver.session() as other:
                assert (await (await other.run("ECHO", x=1)).single())["x"] == 1
            summary = await result.consume()
            assert summary.query == "STREAM 3000"
            # two results at once share the session's connection
            a = await session.run("STREAM 1500", fetch_size=500)
            b = await session.run("ECHO", x=2)
            assert (await b.single())["x"] == 2 and len(await a.values()) == 1500
        assert driver.pool.in_use(address) == 0 and _opened(server.recorder) == 1


async def test_closing_a_session_discards_unread_results(server) -> None:
    async with asyncbolt.Driver(uri_of(server), auth=("neo4j", "pw"), max_pool_size=1) as driver:
        async with driver.session() as session:
            result = await session.run("STREAM 100000", fetch_size=100)
            assert len(await result.fetch(5)) == 5
        assert server.recorder.produced < 1000  # discarded, not streamed to the end
        with pytest.raises(asyncbolt.ResultConsumedError):
            await result.values()
        async with driver.session() as session:  # the connection is clean for the next session
            assert (await (await session.run("ECHO", x=1)).single())["x"] == 1
        assert _opened(server.recorder) == 1


async def test_closing_the_driver_says_goodbye_on_every_connection(server, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="asyncbolt.server.connection")
    driver = asyncbolt.Driver(uri_of(server), auth=("neo4j", "pw"))
    await asyncio.gather(*(driver.execute_read(lambda tx: tx.run("ECHO")) for _ in range(4)))
    busy = driver.session()
    tx = await busy.begin_transaction()  # one still in use
    await (await tx.run("ECHO")).consume()
    opened = _opened(server.recorder)
    assert opened >= 2
    await driver.close()

    def said_goodbye() -> list:
        return [r for r in caplog.records if "client said GOODBYE" in r.getMessage()]
    await until(lambda: len(said_goodbye()) >= opened and server.connections == 0)
    goodbyes = said_goodbye()
    assert len(goodbyes) == opened
    assert server.connections == 0
    with pytest.raises(asyncbolt.ServiceUnavailable):
        driver.session()
    with pytest.raises(asyncbolt.ServiceUnavailable):
        await tx.run("ECHO")
    await busy.close()
