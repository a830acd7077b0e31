"""Transactions as the official drivers run them, part two (issue 15's iteration, tx_run and
tx_lifetime findings), against scripted servers (the FakeServer of test_client_odd_servers.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import asyncbolt
from asyncbolt.codec.messages import Failure, Ignored, Record, Success

from .test_client_odd_servers import FakeServer, Peer, connect, idle

# -- results side by side in a Bolt 4.0+ transaction ------------------------------------------


async def test_nested_results_of_a_transaction_are_pulled_by_qid() -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((4, 4))
        await peer.hello()
        await peer.expect("BEGIN")
        await peer.send(Success({}))
        await peer.expect("RUN", "PULL")
        await peer.send(Success({"fields": ["x"], "qid": 1}), Record(["1_1"]), Success({"has_more": True}))
        # The outer result stays open: the nested RUN is not preceded by a PULL of all of it.
        await peer.expect("RUN", "PULL")
        await peer.send(Success({"fields": ["x"], "qid": 2}), Record(["2_1"]), Success({}))
        (pull,) = await peer.expect("PULL")
        assert pull.extra == {"n": 1, "qid": 1}
        await peer.send(Record(["1_2"]), Success({}))
        await peer.expect("RUN", "PULL")
        await peer.send(Success({"fields": ["x"], "qid": 3}), Success({}))
        await peer.expect("COMMIT")
        await peer.send(Success({"bookmark": "bm"}))
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server, versions=[(4, 4)], fetch_size=1)
        tx = conn.begin()
        outer = await tx.run("CYPHER")
        seen = []
        async for record in outer:
            inner = await tx.run("CYPHER NESTED")
            seen.append((record[0], [r[0] async for r in inner]))
        assert seen == [("1_1", ["2_1"]), ("1_2", [])]
        await asyncio.wait_for(tx.commit(), 2)
        await conn.close()


async def test_commit_discards_every_open_result_of_the_transaction_first() -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((4, 4))
        await peer.hello()
        await peer.expect("BEGIN", "RUN", "PULL", "RUN", "PULL")
        await peer.send(Success({}), Success({"fields": ["x"], "qid": 0}), Record([1]),
                        Success({"has_more": True}), Success({"fields": ["x"], "qid": 1}),
                        Record([2]), Success({"has_more": True}))
        discards = await peer.expect("DISCARD", "DISCARD", "COMMIT")
        # the first result is named by its qid; the last one run is the server's default
        assert sorted(d.extra.get("qid", -1) for d in discards[:2]) == [-1, 0]
        await peer.send(Success({}), Success({}), Success({"bookmark": "bm"}))
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server, versions=[(4, 4)], fetch_size=1)
        tx = conn.begin()
        first = await tx.run("RETURN 1")
        second = await tx.run("RETURN 2")
        assert await first.keys() == await second.keys() == ["x"]
        assert await asyncio.wait_for(tx.commit(), 2) == "bm"
        with pytest.raises(asyncbolt.ResultConsumedError, match="transaction has been closed"):
            await first.values()
        await conn.close()


async def test_bolt_3_still_reads_a_result_whole_before_the_next_run() -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((3, 0))
        await peer.hello()
        await peer.expect("BEGIN", "RUN", "PULL_ALL", "RUN", "PULL_ALL")
        await peer.send(Success({}), Success({"fields": ["x"]}), Record([1]), Record([2]), Success({}),
                        Success({"fields": ["x"]}), Record([3]), Success({}))
        await peer.expect("COMMIT")
        await peer.send(Success({"bookmark": "bm"}))
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server, versions=[(3, 0)], fetch_size=1)
        tx = conn.begin()
        first = await tx.run("RETURN 1")
        second = await tx.run("RETURN 2")
        assert await second.values() == [[3]]
        assert await first.values() == [[1], [2]]
        await asyncio.wait_for(tx.commit(), 2)
        await conn.close()


async def test_commit_right_after_run_discards_the_result_whose_pull_is_in_flight() -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((4, 4))
        await peer.hello()
        await peer.expect("BEGIN", "RUN", "PULL")
        await peer.send(Success({}), Success({"fields": ["n"]}), Record([1]), Record([2]),
                        Success({"has_more": True}))
        await peer.expect("DISCARD", "COMMIT")
        await peer.send(Success({}), Success({"bookmark": "bm"}))
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server, versions=[(4, 4)], fetch_size=2)
        tx = conn.begin()
        result = await tx.run("RETURN 1 AS n")
        assert await result.keys() == ["n"]
        assert await asyncio.wait_for(tx.commit(), 2) == "bm"
        with pytest.raises(asyncbolt.ResultConsumedError, match="closed"):
            await result.values()
        await conn.close()


# -- after a failure in a transaction: TransactionError, ResultFailedError ---------------------


def serve_second_run_fails(peer_version: tuple[int, int] = (5, 3)) -> Any:
    async def script(peer: Peer) -> None:
        await peer.accept(peer_version)
        await peer.hello()
        await peer.expect("BEGIN", "RUN", "PULL")
        await peer.send(Success({}), Success({"fields": ["n"], "qid": 1}), Record([1]), Record([2]),
                        Success({"has_more": True}))
        await peer.expect("RUN", "PULL")
        await peer.send(Failure({"code": "Neo.ClientError.Statement.SyntaxError", "message": "bad"}),
                        Ignored())
        while True:  # RESETs only: no PULL or DISCARD of the lost result
            (message,) = await peer.expect("RESET")
            await peer.send(Success({}))
    return script


@pytest.mark.parametrize("read", ["iterate", "consume"])
async def test_a_result_lost_with_its_transaction_raises_result_failed_error(read: str) -> None:
    async with FakeServer(serve_second_run_fails()) as server:
        conn = await connect(server, fetch_size=2)
        tx = conn.begin()
        result = await tx.run("RETURN 1 AS n")
        assert await result.keys() == ["n"]
        bad = await tx.run("invalid")
        with pytest.raises(asyncbolt.ClientError) as failure:
            await bad.keys()
        seen = []
        with pytest.raises(asyncbolt.ResultFailedError) as lost:
            if read == "iterate":
                async for record in result:  # what had arrived, then the error
                    seen.append(record["n"])
            else:
                await result.consume()
        assert seen == ([1, 2] if read == "iterate" else [])
        assert lost.value.__cause__ is failure.value
        with pytest.raises(asyncbolt.TransactionError) as later:
            await tx.run("RETURN 2")
        assert later.value.__cause__ is failure.value
        with pytest.raises(asyncbolt.TransactionError):
            await tx.commit()
        await conn.close()
    received = server.peers[0].received
    assert received[:7] == ["HELLO", "LOGON", "BEGIN", "RUN", "PULL", "RUN", "PULL"]
    assert set(received[7:]) <= {"RESET", "GOODBYE"}
