"""Transactions as the official drivers run them on the wire (issue 15's findings), against
scripted servers (the FakeServer of test_client_odd_servers.py): fetch_size inside explicit
transactions, results read after consume() or after their transaction, a COMMIT cut off, the
error a failed transaction reports, eager BEGIN, and the handshake's proposals."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import asyncbolt
from asyncbolt.codec.messages import Failure, Record, Success

from .test_client_odd_servers import FakeServer, Peer, connect, driver_for, idle

Version = tuple[int, int]


async def serve_tx(peer: Peer, rows: int = 1) -> list[Any]:
    """Accept, HELLO, then BEGIN, RUN, PULL answered, COMMIT answered; returns the messages."""
    await peer.accept((5, 4))
    await peer.hello()
    await peer.expect("BEGIN")
    await peer.send(Success({}))
    run, pull = await peer.expect("RUN", "PULL")
    await peer.send(Success({"fields": ["x"]}), *[Record([i]) for i in range(rows)],
                    Success({"type": "w"}))
    await peer.expect("COMMIT")
    await peer.send(Success({"bookmark": "bm:1"}))
    await idle(peer)
    return [run, pull]


# -- 1. fetch_size inside explicit transactions ----------------------------------------------


@pytest.mark.parametrize("fetch_size", [-1, 7])
async def test_a_session_fetch_size_is_the_pull_n_of_its_transactions(fetch_size: int) -> None:
    async with FakeServer(serve_tx) as server:
        async with driver_for(server) as driver:
            async with driver.session(fetch_size=fetch_size) as session:
                tx = await session.begin_transaction()
                assert [r["x"] async for r in await tx.run("RETURN 1")] == [0]
                await tx.commit()
    pulls = [m for m in server.peers[0].messages if m.name == "PULL"]
    assert [p.extra["n"] for p in pulls] == [fetch_size]


async def test_a_session_fetch_size_is_the_pull_n_of_transaction_functions() -> None:
    async def work(tx: Any) -> list:
        return await (await tx.run("RETURN 1")).values()

    async with FakeServer(serve_tx) as server:
        async with driver_for(server) as driver:
            async with driver.session(fetch_size=-1) as session:
                assert await session.execute_write(work) == [[0]]
    pulls = [m for m in server.peers[0].messages if m.name == "PULL"]
    assert [p.extra["n"] for p in pulls] == [-1]


async def test_connection_begin_takes_a_fetch_size_for_its_queries() -> None:
    async with FakeServer(serve_tx) as server:
        conn = await connect(server, fetch_size=1000)
        async with conn.begin(fetch_size=-1) as tx:
            assert await (await tx.run("RETURN 1")).values() == [[0]]
        await conn.close()
    pulls = [m for m in server.peers[0].messages if m.name == "PULL"]
    assert [p.extra["n"] for p in pulls] == [-1]


# -- 2. results read after consume() or after their transaction ------------------------------


async def serve_rows(peer: Peer) -> None:
    """Auto-commit queries: every RUN gets 3 rows (in one batch)."""
    await peer.accept((5, 4))
    await peer.hello()
    while True:
        message = await peer.recv(10)
        if message.name == "RUN":
            await peer.expect("PULL")
            await peer.send(Success({"fields": ["x"]}), Record([1]), Record([2]), Record([3]),
                            Success({"type": "r"}))
        elif message.name in ("DISCARD", "RESET"):
            await peer.send(Success({}))


async def test_reading_a_consumed_result_raises_result_consumed_error() -> None:
    async with FakeServer(serve_rows) as server:
        conn = await connect(server)
        result = await conn.run("RETURN 1")
        assert (await result.fetch(1))[0]["x"] == 1
        summary = await result.consume()
        assert (await result.consume()).query == summary.query  # consume() again: the summary
        assert await result.keys() == ["x"]
        with pytest.raises(asyncbolt.ResultConsumedError, match="consumed"):
            await result.fetch(1)
        with pytest.raises(asyncbolt.ResultConsumedError):
            await result.values()
        with pytest.raises(asyncbolt.ResultConsumedError):
            await result.data()
        with pytest.raises(asyncbolt.ResultConsumedError):
            await result.single()
        with pytest.raises(asyncbolt.ResultConsumedError):
            async for _ in result:
                pass
        await conn.close()
    assert asyncbolt.ResultConsumedError is asyncbolt.client.driver.ResultConsumedError
    assert asyncbolt.ResultConsumedError is asyncbolt.client.connection.ResultConsumedError


async def serve_tx_left_unread(peer: Peer) -> None:
    """BEGIN; RUN with PULL n=1 answered one row and has_more; then DISCARD and COMMIT."""
    await peer.accept((5, 4))
    await peer.hello()
    await peer.expect("BEGIN")
    await peer.send(Success({}))
    await peer.expect("RUN", "PULL")
    await peer.send(Success({"fields": ["x"]}), Record([1]), Success({"has_more": True}))
    await peer.expect("DISCARD", "COMMIT")
    await peer.send(Success({"type": "r"}), Success({"bookmark": "bm:1"}))
    await idle(peer)


async def test_a_result_read_after_its_transaction_committed_raises() -> None:
    async with FakeServer(serve_tx_left_unread) as server:
        async with driver_for(server, fetch_size=1) as driver:
            async with driver.session() as session:
                tx = await session.begin_transaction()
                result = await tx.run("UNWIND range(1, 3) AS x RETURN x")
                assert await tx.commit() == "bm:1"
                for read in (result.fetch(1), result.values(), result.consume(), result.single()):
                    with pytest.raises(asyncbolt.ResultConsumedError, match="transaction has been closed"):
                        await read
    assert server.peers[0].received[:6] == ["HELLO", "LOGON", "BEGIN", "RUN", "PULL", "DISCARD"]


async def test_a_result_read_after_its_transaction_rolled_back_raises() -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.expect("BEGIN", "RUN", "PULL")
        await peer.send(Success({}), Success({"fields": ["x"]}), Record([1]), Success({"type": "r"}))
        await peer.expect("ROLLBACK")
        await peer.send(Success({}))
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server)
        tx = conn.begin()
        result = await tx.run("RETURN 1")
        assert await result.keys() == ["x"]
        await tx.rollback()
        with pytest.raises(asyncbolt.ResultConsumedError):
            await result.values()
        await conn.close()


# -- 3. a connection lost during COMMIT ------------------------------------------------------


async def serve_and_drop_at_commit(peer: Peer) -> None:
    await peer.accept((5, 4))
    await peer.hello()
    await peer.expect("BEGIN")
    await peer.send(Success({}))
    await peer.expect("RUN", "PULL")
    await peer.send(Success({"fields": ["x"]}), Record([1]), Success({"type": "w"}))
    await peer.expect("COMMIT")
    peer.abort()  # COMMIT received; its answer never comes


async def test_a_connection_lost_during_an_explicit_commit_raises_incomplete_commit() -> None:
    async with FakeServer(serve_and_drop_at_commit) as server:
        async with driver_for(server) as driver:
            async with driver.session() as session:
                tx = await session.begin_transaction()
                assert await (await tx.run("CREATE (n) RETURN 1")).values() == [[1]]
                with pytest.raises(asyncbolt.IncompleteCommit, match="may or may not") as caught:
                    await tx.commit()
    assert isinstance(caught.value, asyncbolt.ServiceUnavailable)
    assert server.peers[0].received[-1] == "COMMIT"


async def test_connection_begin_commit_cut_off_raises_incomplete_commit() -> None:
    async with FakeServer(serve_and_drop_at_commit) as server:
        conn = await connect(server)
        tx = await conn.begin()
        assert await (await tx.run("CREATE (n) RETURN 1")).values() == [[1]]
        with pytest.raises(asyncbolt.IncompleteCommit):
            await tx.commit()
        await conn.close()
    assert asyncbolt.IncompleteCommit is asyncbolt.client.connection.IncompleteCommit


async def test_a_commit_never_sent_is_service_unavailable_not_incomplete() -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.expect("BEGIN")
        await peer.send(Success({}))
        await peer.expect("RUN", "PULL")
        await peer.send(Success({"fields": ["x"]}), Record([1]), Success({"type": "w"}))
        peer.abort()  # gone before COMMIT

    async with FakeServer(script) as server:
        conn = await connect(server)
        tx = await conn.begin()
        assert await (await tx.run("RETURN 1")).values() == [[1]]
        await asyncio.wait_for(_until_closed(conn), 5)
        with pytest.raises(asyncbolt.ServiceUnavailable) as caught:
            await tx.commit()
        assert not isinstance(caught.value, asyncbolt.IncompleteCommit)
        await conn.close()


async def _until_closed(conn: asyncbolt.Connection) -> None:
    while not conn.closed:
        await asyncio.sleep(0.005)


# -- 4. the error a failed transaction reports -----------------------------------------------

MADE_UP = {"code": "Neo.ClientError.MadeUp.Code", "message": "made up"}


async def serve_failing_run(peer: Peer) -> None:
    """BEGIN succeeds; the first RUN fails (PULL and what follows IGNORED until RESET)."""
    await peer.accept((5, 4))
    await peer.hello()
    failed = False
    while True:
        message = await peer.recv(10)
        if message.name == "RESET":
            failed = False
            await peer.send(Success({}))
        elif failed:
            await peer.send(asyncbolt.codec.messages.Ignored())
        elif message.name == "BEGIN":
            await peer.send(Success({}))
        else:  # RUN (and, were it not failed, anything after it)
            failed = True
            await peer.send(Failure(MADE_UP))


async def test_a_failed_transaction_raises_transaction_error_caused_by_it_on_later_calls() -> None:
    async with FakeServer(serve_failing_run) as server:
        async with driver_for(server) as driver:
            async with driver.session() as session:
                tx = await session.begin_transaction()
                with pytest.raises(asyncbolt.ClientError) as first:
                    await tx.run("invalid")  # raised by run itself, as the official drivers
                assert first.value.code == "Neo.ClientError.MadeUp.Code"
                # Later calls: the official drivers' TransactionError, caused by the failure.
                with pytest.raises(asyncbolt.TransactionError) as again:
                    await tx.run("RETURN 1")
                assert again.value.__cause__ is first.value
                with pytest.raises(asyncbolt.TransactionError) as at_commit:
                    await tx.commit()
                assert at_commit.value.__cause__ is first.value
                assert not asyncbolt.is_retryable(at_commit.value)  # as its cause
                await tx.close()
    assert "COMMIT" not in server.peers[0].received and "ROLLBACK" not in server.peers[0].received


async def test_commit_after_an_unread_failed_run_raises_the_client_error() -> None:
    async with FakeServer(serve_failing_run) as server:
        conn = await connect(server)
        tx = conn.begin()
        await tx.run("invalid")  # pipelined: nothing waits for the answer
        with pytest.raises(asyncbolt.ClientError) as caught:
            await tx.commit()
        assert caught.value.code == "Neo.ClientError.MadeUp.Code"
        assert not isinstance(caught.value, asyncbolt.RequestIgnored)
        await conn.close()


# -- 5. eager BEGIN --------------------------------------------------------------------------


async def serve_begin_failing_once(peer: Peer) -> None:
    """The first BEGIN of the server fails; then BEGIN/RUN/PULL/COMMIT succeed."""
    await peer.accept((5, 4))
    await peer.hello()
    while True:
        message = await peer.recv(10)
        if message.name == "BEGIN":
            if not peer.server.begin_failed:
                peer.server.begin_failed = True
                await peer.send(Failure(MADE_UP))
                await peer.expect("RESET")
            await peer.send(Success({}))
        elif message.name == "RUN":
            await peer.expect("PULL")
            await peer.send(Success({"fields": ["x"]}), Record([1]), Success({"type": "w"}))
        elif message.name in ("COMMIT", "ROLLBACK", "RESET"):
            await peer.send(Success({}))


async def test_a_transaction_function_is_not_called_when_begin_fails() -> None:
    calls = []

    async def work(tx: Any) -> None:
        calls.append(tx)

    async with FakeServer(serve_begin_failing_once) as server:
        server.begin_failed = False
        async with driver_for(server) as driver:
            async with driver.session() as session:
                with pytest.raises(asyncbolt.ClientError) as caught:
                    await session.execute_write(work)
                assert caught.value.code == "Neo.ClientError.MadeUp.Code"
                assert calls == []
                # the connection went back clean: the next transaction works on it
                assert await session.execute_write(
                    lambda tx: _values(tx, "RETURN 1")) == [[1]]
    assert server.connections == 1
    sent = [name for name in server.peers[0].received if name in ("BEGIN", "RUN", "COMMIT")]
    assert sent == ["BEGIN", "BEGIN", "RUN", "COMMIT"]


async def _values(tx: Any, query: str) -> list:
    return await (await tx.run(query)).values()


async def test_begin_transaction_raises_a_begin_failure_at_once() -> None:
    async with FakeServer(serve_begin_failing_once) as server:
        server.begin_failed = False
        async with driver_for(server) as driver:
            async with driver.session() as session:
                with pytest.raises(asyncbolt.ClientError) as caught:
                    await session.begin_transaction()
                assert caught.value.code == "Neo.ClientError.MadeUp.Code"
                tx = await session.begin_transaction()
                assert await _values(tx, "RETURN 1") == [[1]]
                await tx.commit()


async def test_a_begin_cut_off_is_retried_before_the_function_runs() -> None:
    calls = []

    async def script(peer: Peer) -> None:
        if peer.server.connections == 1:
            await peer.accept((5, 4))
            await peer.hello()
            await peer.expect("BEGIN")
            peer.abort()
            return
        await serve_tx(peer)

    async def work(tx: Any) -> list:
        calls.append(tx)
        return await _values(tx, "RETURN 1")

    async with FakeServer(script) as server:
        async with driver_for(server, initial_retry_delay=0.01, max_retry_time=5) as driver:
            async with driver.session() as session:
                assert await session.execute_write(work) == [[0]]
    assert len(calls) == 1 and server.connections == 2


# -- 6. the handshake reaches servers older than version ranges ------------------------------


def old_server(speaks: Version) -> Any:
    """A server that knows no ranges and no manifest: it takes the first 4-byte slot equal to
    ``00 00 minor major`` exactly, else answers zeros and closes."""
    async def script(peer: Peer) -> None:
        handshake = await peer.read_handshake()
        slots = [handshake[i:i + 4] for i in range(4, 20, 4)]
        wanted = bytes((0, 0, speaks[1], speaks[0]))
        if wanted not in slots:
            await peer.send_raw(b"\x00\x00\x00\x00")
            peer.close()
            return
        peer.use(speaks)
        await peer.send_raw(wanted)
        await peer.expect("HELLO")
        await peer.send(Success({"server": "Neo4j/4.1.0", "connection_id": "bolt-1"}))
        await idle(peer)
    return script


@pytest.mark.parametrize("speaks, attempts", [((3, 0), 1), ((4, 1), 2), ((4, 0), 2)])
async def test_a_server_without_version_ranges_is_reached(speaks: Version, attempts: int) -> None:
    async with FakeServer(old_server(speaks)) as server:
        conn = await connect(server)
        assert conn.protocol_version == speaks
        await conn.close()
    assert server.connections == attempts


async def test_a_4_2_server_without_ranges_is_reached_with_4_1() -> None:
    # A 4.2 server also speaks 4.1; without the range backport it does not read 00 02 04 04 as
    # covering 4.2, so the plain 4.1 of the second attempt is what reaches it.
    async def script(peer: Peer) -> None:
        handshake = await peer.read_handshake()
        slots = [handshake[i:i + 4] for i in range(4, 20, 4)]
        chosen = next((v for v in (b"\x00\x00\x02\x04", b"\x00\x00\x01\x04") if v in slots), None)
        if chosen is None:
            await peer.send_raw(b"\x00\x00\x00\x00")
            peer.close()
            return
        peer.use((4, chosen[2]))
        await peer.send_raw(chosen)
        await peer.expect("HELLO")
        await peer.send(Success({"server": "Neo4j/4.2.0", "connection_id": "bolt-1"}))
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server)
        assert conn.protocol_version == (4, 1)
        await conn.close()
    assert server.connections == 2


async def test_the_manifest_stays_first_and_a_range_server_picks_4_3() -> None:
    async with FakeServer(lambda peer: _range_server(peer, (4, 3))) as server:
        conn = await connect(server)
        assert conn.protocol_version == (4, 3)
        await conn.close()
    assert server.handshakes[0][4:8] == asyncbolt.core.handshake.MANIFEST_V1


async def _range_server(peer: Peer, speaks: Version) -> None:
    handshake = await peer.read_handshake()
    offered = [v for i in range(4, 20, 4)
               for v in asyncbolt.core.handshake.Proposal.from_bytes(handshake[i:i + 4]).versions()]
    assert speaks in offered, offered
    peer.use(speaks)
    await peer.send_raw(bytes((0, 0, speaks[1], speaks[0])))
    await peer.expect("HELLO")
    await peer.send(Success({"server": "Neo4j/4.3.0", "connection_id": "bolt-1"}))
    await idle(peer)


# -- found on the way: a routing record shorter than its fields ------------------------------


async def test_a_routing_record_shorter_than_its_fields_is_a_protocol_error() -> None:
    # test_client_state_machine's hypothesis run found this: the server answered the routing
    # query with fields [ttl, servers] and an empty RECORD; route() raised IndexError.
    async def script(peer: Peer) -> None:
        await peer.accept((4, 2))
        await peer.hello()
        await peer.expect("RUN", "PULL")
        await peer.send(Success({"fields": ["ttl", "servers"]}), Record([]), Success({}))
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server)
        with pytest.raises(asyncbolt.ProtocolError, match="record of 0 value"):
            await conn.route()
        await conn.close()


def test_explicit_versions_spell_out_those_older_than_ranges() -> None:
    from asyncbolt.client.connect import _proposals

    assert _proposals([(4, 4), (4, 3), (4, 2), (4, 1), (4, 0)]) == (
        [(4, 4, 2), (4, 1, 0), (4, 0, 0)], False)
    assert _proposals([(5, 8), (5, 7), (4, 4), (4, 3), (4, 2), (4, 1)]) == (
        [(5, 8, 1), (4, 4, 2), (4, 1, 0)], False)
    # When spelling out would not fit, the ranges stay (they reach servers that read them).
    assert _proposals([(6, 0), (5, 8), (4, 4), (4, 3), (4, 2), (4, 1)]) == (
        [(6, 0, 0), (5, 8, 0), (4, 4, 3)], True)


async def test_explicit_versions_reach_a_4_1_server_without_ranges() -> None:
    async with FakeServer(old_server((4, 1))) as server:
        conn = await connect(server, versions=[(4, 4), (4, 3), (4, 2), (4, 1)])
        assert conn.protocol_version == (4, 1)
        await conn.close()


async def test_a_negative_transaction_timeout_is_refused_before_anything_is_sent() -> None:
    # testkit's tx_begin_parameters test_negative_timeout: the official drivers raise at once;
    # 0 stays "the server's default" and goes out as tx_timeout 0
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        (begin,) = await peer.expect("BEGIN")
        assert begin.extra["tx_timeout"] == 0
        await peer.send(Success({}))
        await peer.expect("ROLLBACK")
        await peer.send(Success({}))
        await idle(peer)

    async with FakeServer(script) as server:
        async with driver_for(server) as driver:
            async with driver.session() as session:
                for bad in (-1, -0.5, "10"):
                    with pytest.raises(ValueError, match="0 or more seconds"):
                        await session.begin_transaction(timeout=bad)
                tx = await session.begin_transaction(timeout=0)
                await tx.rollback()
