"""An expired authorization as the official drivers treat it (testkit's
AuthorizationExpiredTreatment), against a scripted server (the FakeServer of
test_client_odd_servers.py): ``Neo.ClientError.Security.AuthorizationExpired`` closes the idle
connections to that server at once and the busy ones when they are given back (their work goes
on until then), and a transaction function is retried on a new connection; an expired token
(``TokenExpired``) is not retried."""

from __future__ import annotations

from typing import Any

import pytest

import asyncbolt
import asyncbolt.client.driver
import asyncbolt.client.session
from asyncbolt.codec.messages import Failure, Record, Success
from asyncbolt.errors import Neo4jError

from . import test_client_odd_servers as odd_servers
from .conftest import until
from .test_client_odd_servers import FakeServer, Peer

AUTH_EXPIRED = "Neo.ClientError.Security.AuthorizationExpired"
TOKEN_EXPIRED = "Neo.ClientError.Security.TokenExpired"


def server_failing(code: str, times: int = 1):
    """A Bolt 4.4 server that answers every query with one record, except the first ``times``
    queries ``RETURN 'expire'``, whose PULL (or DISCARD) fails with ``code``."""
    left = [times]

    async def script(peer: Peer) -> None:
        await peer.accept((4, 4))
        await peer.hello()
        while True:
            message = await peer.recv(10)
            if message.name == "GOODBYE":
                await peer.wait_eof()  # sets peer.eof: the client closed the connection
                return
            if message.name in ("BEGIN", "RESET"):
                await peer.send(Success({}))
            elif message.name == "COMMIT":
                await peer.send(Success({"bookmark": "bm"}))
            elif message.name == "ROLLBACK":
                await peer.send(Success({}))
            elif message.name == "RUN":
                pull = await peer.recv()
                assert pull.name in ("PULL", "DISCARD"), peer.received
                if message.query == "RETURN 'expire'" and left[0] > 0:
                    left[0] -= 1
                    await peer.send(Success({"fields": ["x"]}),
                                    Failure({"code": code, "message": "expired"}))
                elif pull.name == "DISCARD":
                    await peer.send(Success({"fields": ["x"]}), Success({}))
                else:
                    await peer.send(Success({"fields": ["x"]}), Record([1]), Success({}))
            else:
                raise AssertionError(f"unexpected {message.name}")

    return script


def driver_for(server: FakeServer, **kwargs: Any) -> asyncbolt.Driver:
    return odd_servers.driver_for(server, bookmark_manager=None, **kwargs)


async def test_expired_authorization_closes_idle_connections_now_and_busy_ones_on_release():
    async with FakeServer(server_failing(AUTH_EXPIRED)) as server:
        async with driver_for(server) as driver:
            busy, failing, idle = (driver.session() for _ in range(3))
            tx_busy = await busy.begin_transaction()
            tx_failing = await failing.begin_transaction()
            tx_idle = await idle.begin_transaction()
            assert server.connections == 3
            peer_busy, peer_failing, peer_idle = server.peers
            await (await tx_idle.run("RETURN 1")).consume()
            await tx_idle.commit()
            await idle.close()  # its connection waits in the pool

            with pytest.raises(Neo4jError) as caught:
                await (await tx_failing.run("RETURN 'expire'")).consume()
            assert caught.value.code == AUTH_EXPIRED
            assert asyncbolt.client.driver.is_retryable(caught.value)
            await until(peer_idle.eof.is_set)  # the idle one: closed at once
            await failing.close()
            await until(peer_failing.eof.is_set)  # the failed one: closed when given back

            # the busy one carries on until it is given back
            assert [r["x"] async for r in await tx_busy.run("RETURN 1")] == [1]
            await tx_busy.commit()
            assert not peer_busy.eof.is_set()
            await busy.close()
            await until(peer_busy.eof.is_set)

            async with driver.session() as later:  # a new connection, which works
                assert [r["x"] async for r in await later.run("RETURN 1")] == [1]
            assert server.connections == 4


async def test_a_direct_query_after_expiry_uses_a_new_connection():
    async with FakeServer(server_failing(AUTH_EXPIRED)) as server:
        async with driver_for(server) as driver:
            async with driver.session() as session:
                with pytest.raises(Neo4jError):
                    await (await session.run("RETURN 'expire'")).consume()
            async with driver.session() as session:
                assert [r["x"] async for r in await session.run("RETURN 1")] == [1]
            assert server.connections == 2
            assert server.peers[0].eof.is_set()


async def test_a_transaction_function_is_retried_after_an_expired_authorization(monkeypatch):
    async def no_wait(_delay: float) -> None:
        return None

    monkeypatch.setattr(asyncbolt.client.session, "_sleep", no_wait)
    attempts = []

    async def work(tx: Any) -> list:
        attempts.append(tx)
        return [r["x"] async for r in await tx.run("RETURN 'expire'")]

    async with FakeServer(server_failing(AUTH_EXPIRED)) as server:
        async with driver_for(server) as driver:
            async with driver.session() as session:
                assert await session.execute_read(work) == [1]
    assert len(attempts) == 2
    assert server.connections == 2  # the second attempt did not reuse the expired connection


async def test_an_expired_token_is_not_retried(monkeypatch):
    async def no_wait(_delay: float) -> None:
        return None

    monkeypatch.setattr(asyncbolt.client.session, "_sleep", no_wait)
    attempts = []

    async def work(tx: Any) -> list:
        attempts.append(tx)
        return [r["x"] async for r in await tx.run("RETURN 'expire'")]

    async with FakeServer(server_failing(TOKEN_EXPIRED, times=5)) as server:
        async with driver_for(server) as driver:
            async with driver.session() as session:
                with pytest.raises(Neo4jError) as caught:
                    await session.execute_read(work)
    assert caught.value.code == TOKEN_EXPIRED
    assert not asyncbolt.client.driver.is_retryable(caught.value)
    assert len(attempts) == 1
