"""One deadline over the whole acquisition (issue #18, "Connections that survive real
networks"): ``connection_acquisition_timeout`` bounds resolving the address (the custom
resolver, DNS), the TCP connect, the handshake, HELLO/LOGON and the routing table, and the
error names the stage that was in progress. Fault servers on loopback; every wait is bounded,
and no assertion is about speed beyond "it ended before a generous bound"."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import asyncbolt
from asyncbolt.client.deadline import Deadline, current, stage, within
from asyncbolt.codec.messages import Success

from .test_client_odd_servers import FakeServer, Peer, idle

#: Far more than any deadline here: a test that reaches it has hung.
BOUND = 10


async def _hang(*_: Any, **__: Any) -> Any:
    await asyncio.Event().wait()


async def _expect_deadline(work: Any) -> asyncbolt.AcquisitionDeadlineExceeded:
    with pytest.raises(asyncbolt.AcquisitionDeadlineExceeded) as info:
        await asyncio.wait_for(work, BOUND)
    return info.value


async def test_a_resolver_that_hangs() -> None:
    async with asyncbolt.Driver("neo4j://cluster.invalid:7687", auth=("u", "p"), resolver=_hang,
                                connection_acquisition_timeout=0.3) as driver:
        error = await _expect_deadline(driver.verify_connectivity())
    assert "resolving cluster.invalid:7687 (the custom resolver)" in str(error)
    assert str(error).startswith("acquiring a connection to neo4j://cluster.invalid:7687 "
                                 "timed out after 0.3 s while resolving")
    assert error.target == "neo4j://cluster.invalid:7687" and error.timeout == 0.3


async def test_dns_that_hangs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", _hang)
    async with asyncbolt.Driver("neo4j://cluster.invalid:7687", auth=("u", "p"),
                                connection_acquisition_timeout=0.3) as driver:
        error = await _expect_deadline(driver.verify_connectivity())
    assert error.stage == "resolving cluster.invalid (DNS)"


async def test_a_server_that_never_answers_the_handshake() -> None:
    async def silent(peer: Peer) -> None:
        await peer.read_handshake()
        await idle(peer)

    async with FakeServer(silent) as server:
        async with asyncbolt.Driver(server.uri, auth=("u", "p"), connection_timeout=60,
                                    connection_acquisition_timeout=0.3) as driver:
            error = await _expect_deadline(driver.verify_connectivity())
    assert error.stage == f"negotiating the Bolt version with 127.0.0.1:{server.port} (the handshake)"


async def test_a_server_that_never_answers_hello() -> None:
    async def mute(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.expect("HELLO", "LOGON")
        await idle(peer)

    async with FakeServer(mute) as server:
        async with asyncbolt.Driver(server.uri, auth=("u", "p"),
                                    connection_acquisition_timeout=0.3) as driver:
            async with driver.session() as session:
                error = await _expect_deadline(session.run("RETURN 1"))
    assert error.stage == f"authenticating with 127.0.0.1:{server.port} (HELLO and LOGON)"


def _mute_router(peer: Peer) -> Any:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        while True:
            message = await peer.recv(BOUND)
            if message.name == "RESET":
                await peer.send(Success({}))
            elif message.name == "ROUTE":
                await idle(peer)  # never answered
                return
    return script(peer)


async def test_a_router_that_never_answers_route() -> None:
    async with FakeServer(_mute_router) as router:
        async with asyncbolt.Driver(f"neo4j://127.0.0.1:{router.port}", auth=("u", "p"),
                                    connection_timeout=60,
                                    connection_acquisition_timeout=0.3) as driver:
            async with driver.session(db="neo4j") as session:
                error = await _expect_deadline(session.run("RETURN 1"))
            # a session on the home database: the same deadline covers resolving it
            async with driver.session() as session:
                home = await _expect_deadline(session.run("RETURN 1"))
    assert error.stage == f"waiting for router 127.0.0.1:{router.port} to answer the routing table request"
    assert home.stage == error.stage
    assert isinstance(error, asyncbolt.ServiceUnavailable)  # (retried as one by execute_*)


async def test_a_transaction_function_gives_up_within_its_retry_time() -> None:
    async with FakeServer(_mute_router) as router:
        async with asyncbolt.Driver(f"neo4j://127.0.0.1:{router.port}", auth=("u", "p"),
                                    connection_acquisition_timeout=0.2, max_retry_time=0.5,
                                    initial_retry_delay=0.05) as driver:
            async def work(tx: Any) -> None:
                raise AssertionError("no connection, no transaction")

            error = await _expect_deadline(driver.execute_read(work))
    assert "to answer the routing table request" in error.stage


async def test_a_full_pool_still_says_the_pool_is_full() -> None:
    async def serve(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.expect("BEGIN")
        await peer.send(Success({}))
        await idle(peer)

    async with FakeServer(serve) as server:
        async with asyncbolt.Driver(server.uri, auth=("u", "p"), max_pool_size=1,
                                    connection_acquisition_timeout=0.3) as driver:
            first = driver.session()
            tx = await first.begin_transaction()
            async with driver.session() as second:
                with pytest.raises(asyncbolt.ConnectionAcquisitionTimeout, match="maximum of 1"):
                    await asyncio.wait_for(second.begin_transaction(), BOUND)
            driver.pool.kill(tx._conn)
            await first.close()


async def test_within_nests_and_names_the_last_stage() -> None:
    async def inner() -> None:
        assert current() is outer_deadline[0]  # nested: the outer deadline bounds it
        stage("doing the second thing")
        await asyncio.sleep(BOUND)

    outer_deadline: list[Deadline | None] = []

    async def outer() -> None:
        outer_deadline.append(current())
        stage("doing the first thing")
        await within("inner-target", 100, inner)

    with pytest.raises(asyncbolt.AcquisitionDeadlineExceeded) as info:
        await asyncio.wait_for(within("outer-target", 0.1, outer), BOUND)
    assert info.value.stage == "doing the second thing" and info.value.target == "outer-target"
    assert current() is None  # (the context is restored)
    # the task was not left cancelled: it still awaits normally
    await asyncio.sleep(0)


async def test_within_leaves_other_cancellations_alone() -> None:
    task = asyncio.ensure_future(within("t", 5, lambda: asyncio.sleep(BOUND)))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_no_deadline_means_no_limit_and_no_error() -> None:
    async def work() -> int:
        stage("anything")
        await asyncio.sleep(0.01)
        return 7

    assert await within("t", None, work) == 7
