"""Results of a Bolt 4.0+ transaction on the wire, as the official drivers handle them: a
PULL/DISCARD names its result by ``qid`` only when it is not the last one run (the server
defaults to the last one); an earlier result stays open when the next query runs (no draining
it first), and COMMIT/ROLLBACK come after a DISCARD of whatever results still hold."""

from __future__ import annotations

from typing import Any

import pytest

from asyncbolt.codec.messages import Record, Success

from .test_client_odd_servers import FakeServer, Peer, connect, idle


def more(*rows: int) -> list[Any]:
    return [*(Record([r]) for r in rows), Success({"has_more": True})]


async def test_the_last_result_is_pulled_without_qid() -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((4, 4))
        await peer.hello()
        await peer.expect("BEGIN")
        await peer.send(Success({}))
        await peer.expect("RUN", "PULL")
        await peer.send(Success({"fields": ["x"], "qid": 7}), *more(1))
        await peer.expect("PULL")
        await peer.send(Record([2]), Success({}))
        await peer.expect("COMMIT")
        await peer.send(Success({}))
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server, fetch_size=1)
        async with conn.begin() as tx:
            result = await tx.run("RETURN 1")
            assert [r["x"] async for r in result] == [1, 2]
        await conn.close()
    pulls = [m.extra for m in server.peers[0].messages if m.name == "PULL"]
    assert pulls == [{"n": 1}, {"n": 1}]


@pytest.mark.parametrize("read_first", [True, False])
async def test_an_earlier_result_stays_open_and_is_named_by_qid(read_first: bool) -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((4, 4))
        await peer.hello()
        await peer.expect("BEGIN")
        await peer.send(Success({}))
        await peer.expect("RUN", "PULL")
        await peer.send(Success({"fields": ["x"], "qid": 1}), *more(1))
        await peer.expect("RUN", "PULL")  # no PULL for the first result in between
        await peer.send(Success({"fields": ["x"], "qid": 2}), Record([10]), Success({}))
        if read_first:
            [pull] = await peer.expect("PULL")
            assert pull.extra == {"n": 1, "qid": 1}
            await peer.send(Record([2]), Success({}))
        else:
            [discard] = await peer.expect("DISCARD")
            assert discard.extra == {"n": -1, "qid": 1}
            await peer.send(Success({}))
        await peer.expect("COMMIT")
        await peer.send(Success({}))
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server, fetch_size=1)
        tx = await conn.begin()
        first = await tx.run("RETURN 1")
        assert (await first.fetch(1))[0]["x"] == 1
        second = await tx.run("RETURN 2")
        assert [r["x"] async for r in second] == [10]
        if read_first:
            assert [r["x"] async for r in first] == [2]
        await tx.commit()  # the first result's rest is DISCARDed before COMMIT
        await conn.close()


async def test_bolt3_still_drains_the_earlier_result_before_the_next_query() -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((3, 0))
        await peer.hello()
        await peer.expect("BEGIN")
        await peer.send(Success({}))
        await peer.expect("RUN", "PULL_ALL", "RUN", "PULL_ALL")
        await peer.send(Success({"fields": ["x"]}), Record([1]), Success({}),
                        Success({"fields": ["x"]}), Record([2]), Success({}))
        await peer.expect("COMMIT")
        await peer.send(Success({}))
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server)
        async with conn.begin() as tx:
            first = await tx.run("RETURN 1")
            second = await tx.run("RETURN 2")
            assert [r["x"] async for r in second] == [2]
            assert [r["x"] async for r in first] == [1]
        await conn.close()
