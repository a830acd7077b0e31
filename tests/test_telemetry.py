"""TELEMETRY (Bolt 5.4+) as the official drivers send it: only to a server whose HELLO hints
``telemetry.enabled``, unless the driver's ``telemetry_disabled``; pipelined before the work it
describes (nobody waits for its answer); api 0 for transaction functions (once per call: not
again after the server took it), 1 for explicit transactions, 2 for auto-commit queries."""

from __future__ import annotations

from typing import Any

import pytest

import asyncbolt
from asyncbolt.codec.messages import Failure, Success

from .test_client_odd_servers import FakeServer, Peer, driver_for, idle


def serve(enabled: bool | None, version: tuple[int, int] = (5, 4)) -> Any:
    """A server that answers whatever comes (TELEMETRY, BEGIN, RUN+PULL, COMMIT) only once the
    next request arrived, so the test sees whether TELEMETRY waited for its answer."""
    async def script(peer: Peer) -> None:
        await peer.accept(version)
        await peer.hello(**({} if enabled is None else {"hints": {"telemetry.enabled": enabled}}))
        while True:
            message = await peer.recv(10)
            if message.name == "TELEMETRY":
                nxt = await peer.recv(10)  # pipelined: the work comes before its answer
                await peer.send(Success({}))
                message = nxt
            if message.name in ("BEGIN", "COMMIT", "ROLLBACK", "RESET"):
                await peer.send(Success({}))
            elif message.name == "RUN":
                assert (await peer.recv(10)).name in ("PULL", "DISCARD")
                await peer.send(Success({"fields": ["x"]}), Success({"type": "r"}))
            elif message.name == "GOODBYE":
                await idle(peer)
                return
    return script


async def work(tx: Any) -> None:
    await (await tx.run("RETURN 1")).consume()


async def use_every_api(driver: asyncbolt.Driver) -> None:
    async with driver.session() as session:
        await session.execute_write(work)
        tx = await session.begin_transaction()
        await work(tx)
        await tx.commit()
        await (await session.run("RETURN 1")).consume()
    async with driver.session(default_access_mode="r") as session:
        await session.execute_read(work)


def telemetry_sent(server: FakeServer) -> list[tuple[int, str]]:
    """Each TELEMETRY's api with the request that followed it."""
    out = []
    for peer in server.peers:
        for i, m in enumerate(peer.messages):
            if m.name == "TELEMETRY":
                out.append((m.api, peer.messages[i + 1].name))
    return out


async def test_each_api_is_announced_right_before_its_work_when_the_server_asks() -> None:
    async with FakeServer(serve(True)) as server:
        async with driver_for(server) as driver:
            await use_every_api(driver)
    assert telemetry_sent(server) == [(0, "BEGIN"), (1, "BEGIN"), (2, "RUN"), (0, "BEGIN")]


@pytest.mark.parametrize("enabled, version, disabled", [
    (None, (5, 4), False),  # no hint
    (False, (5, 4), False),  # the server says no
    (True, (5, 4), True),  # the driver says no
    (True, (5, 3), False),  # no TELEMETRY before 5.4, whatever the hint
])
async def test_no_telemetry_unless_asked_and_allowed(enabled: bool | None,
                                                     version: tuple[int, int],
                                                     disabled: bool) -> None:
    async with FakeServer(serve(enabled, version)) as server:
        async with driver_for(server, telemetry_disabled=disabled) as driver:
            await use_every_api(driver)
    assert telemetry_sent(server) == []
    assert "BEGIN" in server.peers[0].received  # the work itself was done


async def test_a_retried_transaction_function_announces_itself_once_the_server_took_it() -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello(hints={"telemetry.enabled": True})
        await peer.expect("TELEMETRY", "BEGIN")
        await peer.send(Success({}), Failure({"code": "Neo.TransientError.General.PleaseRetry",
                                              "message": "again"}))
        message = await peer.recv()
        while message.name == "RESET":
            await peer.send(Success({}))
            message = await peer.recv()
        assert message.name == "BEGIN"  # no second TELEMETRY: the first one succeeded
        await peer.send(Success({}))
        await peer.expect("RUN", "PULL")
        await peer.send(Success({"fields": ["x"]}), Success({"type": "w"}))
        await peer.expect("COMMIT")
        await peer.send(Success({}))
        await idle(peer)

    async with FakeServer(script) as server:
        async with driver_for(server, initial_retry_delay=0.01) as driver:
            async with driver.session() as session:
                await session.execute_write(work)
    assert [m.api for m in server.peers[0].messages if m.name == "TELEMETRY"] == [0]


async def test_a_transaction_function_announces_itself_again_on_a_new_connection() -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello(hints={"telemetry.enabled": True})
        if len(peer.server.peers) == 1:
            await peer.expect("TELEMETRY", "BEGIN")
            peer.abort()  # the connection dies before TELEMETRY's answer
            return
        await peer.expect("TELEMETRY", "BEGIN")
        await peer.send(Success({}), Success({}))
        await peer.expect("RUN", "PULL")
        await peer.send(Success({"fields": ["x"]}), Success({"type": "w"}))
        await peer.expect("COMMIT")
        await peer.send(Success({}))
        await idle(peer)

    async with FakeServer(script) as server:
        async with driver_for(server, initial_retry_delay=0.01) as driver:
            async with driver.session() as session:
                await session.execute_write(work)
    assert telemetry_sent(server) == [(0, "BEGIN"), (0, "BEGIN")]


async def test_connection_telemetry_queues_only_when_the_server_asked() -> None:
    async with FakeServer(serve(True)) as server:
        conn = await asyncbolt.connect(server.uri, auth=("u", "p"), timeout=3)
        assert conn.telemetry_enabled
        result = await conn.run("RETURN 1", telemetry=asyncbolt.client.connection.TELEMETRY_AUTO_COMMIT)
        await result.consume()
        await conn.close()
    assert telemetry_sent(server) == [(2, "RUN")]
    async with FakeServer(serve(None)) as server:
        conn = await asyncbolt.connect(server.uri, auth=("u", "p"), timeout=3)
        assert not conn.telemetry_enabled
        assert conn.telemetry(asyncbolt.client.connection.TELEMETRY_AUTO_COMMIT) is False
        await (await conn.run("RETURN 1")).consume()
        await conn.close()
    assert telemetry_sent(server) == []
