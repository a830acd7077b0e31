"""What the faster served connection (issue #19, server speed) must keep: hooks run in the
connection's own task and a RESET still cancels one that waits; the answers to a pipeline are
written together, yet never held back behind a hook that waits; answers are encoded straight
into the output buffer, in as many chunks as they need, and an answer that cannot be encoded
leaves nothing half-written."""

from __future__ import annotations

import asyncio

import pytest

import asyncbolt
from asyncbolt.codec.messages import Hello, Pull, Reset, Run
from asyncbolt.codec.packstream import get_codec
from asyncbolt.core.framing import ChunkReader
from asyncbolt.core.server import ServerConnection

from .rawbolt import RawBolt, names


class Gate(asyncbolt.ServerSession):
    """``FAST n``: one row [n]; ``WAIT``: waits on the shared event (records what happened to
    it); ``SWALLOW``: waits, swallows the cancellation, and answers anyway."""

    def __init__(self, gate: asyncio.Event, log: list, **kwargs) -> None:
        super().__init__(**kwargs)
        self.gate = gate
        self.log = log

    async def run(self, query, parameters, extra):
        if query.startswith("FAST"):
            return asyncbolt.ServerResult(["n"], [[int(query.split()[1])]])
        if query == "WAIT":
            try:
                await self.gate.wait()
            except asyncio.CancelledError:
                self.log.append("cancelled")
                raise
            self.log.append("finished")
            return asyncbolt.ServerResult(["n"], [["waited"]])
        if query == "SWALLOW":
            try:
                await self.gate.wait()
            except asyncio.CancelledError:
                self.log.append("swallowed")
            return asyncbolt.ServerResult(["n"], [["swallowed"]])
        raise asyncbolt.ClientError("Neo.ClientError.Statement.SyntaxError", query)


@pytest.fixture
async def gated():
    gate, log = asyncio.Event(), []
    server = await asyncbolt.serve(Gate, "127.0.0.1", 0, gate=gate, log=log)
    server.gate, server.log = gate, log
    async with server:
        yield server


async def hello(server) -> RawBolt:
    bolt = await RawBolt.connect(server.port)
    assert await bolt.handshake((4, 4)) == (4, 4)
    await bolt.send(Hello({"user_agent": "rawbolt/1.0", "scheme": "none"}))
    assert (await bolt.recv()).name == "SUCCESS"
    return bolt


async def test_answers_before_a_waiting_hook_are_not_held_back(gated) -> None:
    bolt = await hello(gated)
    # Three quick queries and one whose hook waits, all in one write.
    await bolt.send(*[m for i in range(3) for m in (Run(f"FAST {i}", {}, {}), Pull({"n": -1}))],
                    Run("WAIT", {}, {}), Pull({"n": -1}))
    for i in range(3):  # answered while WAIT's hook still waits
        assert (await bolt.recv(timeout=5)).name == "SUCCESS"
        rows, summary = await bolt.recv_result()
        assert rows == [[i]] and summary.name == "SUCCESS"
    assert gated.log == []
    gated.gate.set()
    assert (await bolt.recv(timeout=5)).name == "SUCCESS"
    rows, _ = await bolt.recv_result()
    assert rows == [["waited"]] and gated.log == ["finished"]
    bolt.close()


async def test_reset_cancels_a_waiting_hook_and_the_connection_serves_on(gated) -> None:
    bolt = await hello(gated)
    await bolt.send(Run("WAIT", {}, {}), Pull({"n": -1}))
    await asyncio.sleep(0.05)  # (the hook is waiting: nothing arrives)
    await bolt.send(Reset())
    answers = names(await bolt.recv_many(3))
    assert answers == ["IGNORED", "IGNORED", "SUCCESS"]  # RUN, PULL, RESET
    assert gated.log == ["cancelled"]
    for i in range(2):  # the connection's task was not left cancelled
        await bolt.send(Run(f"FAST {i}", {}, {}), Pull({"n": -1}))
        assert (await bolt.recv(timeout=5)).name == "SUCCESS"
        rows, _ = await bolt.recv_result()
        assert rows == [[i]]
    await bolt.send(Run("WAIT", {}, {}), Pull({"n": -1}))  # and a second RESET works as well
    await asyncio.sleep(0.05)
    await bolt.send(Reset())
    assert names(await bolt.recv_many(3)) == ["IGNORED", "IGNORED", "SUCCESS"]
    assert gated.log == ["cancelled", "cancelled"]
    bolt.close()


async def test_a_hook_that_swallows_the_cancellation_goes_on(gated) -> None:
    bolt = await hello(gated)
    await bolt.send(Run("SWALLOW", {}, {}), Pull({"n": -1}))
    await asyncio.sleep(0.05)
    await bolt.send(Reset())
    # Its RUN is answered (it went on), the PULL behind the RESET is not.
    assert names(await bolt.recv_many(3)) == ["SUCCESS", "IGNORED", "SUCCESS"]
    assert gated.log == ["swallowed"]
    await bolt.send(Run("FAST 7", {}, {}), Pull({"n": -1}))
    assert (await bolt.recv(timeout=5)).name == "SUCCESS"
    rows, _ = await bolt.recv_result()
    assert rows == [[7]]
    bolt.close()


async def test_closing_the_server_ends_a_connection_whose_hook_waits(gated) -> None:
    bolt = await hello(gated)
    await bolt.send(Run("WAIT", {}, {}), Pull({"n": -1}))
    await asyncio.sleep(0.05)
    gated.close()
    await asyncio.wait_for(gated.wait_closed(), 5)
    assert gated.log == ["cancelled"] and gated.connections == 0
    bolt.close()


async def test_a_long_pipeline_is_answered_in_order_while_others_are_served(gated) -> None:
    n = 3000
    async with asyncbolt.connect(f"bolt://127.0.0.1:{gated.port}", auth=None) as busy, \
            asyncbolt.connect(f"bolt://127.0.0.1:{gated.port}", auth=None) as other:
        results = [await busy.run(f"FAST {i}") for i in range(n)]
        first = await other.run("FAST -1")
        assert await first.values() == [[-1]]
        assert [(await r.values())[0][0] for r in results] == list(range(n))


# -- the core: answers encoded into the output buffer ------------------------------------------


def _ready() -> tuple[ServerConnection, object]:
    conn = ServerConnection()
    conn.receive_data(b"\x60\x60\xb0\x17" + bytes([0, 4, 4, 4]) + b"\x00" * 12)
    conn.data_to_send()
    codec = get_codec((4, 4))
    from asyncbolt.core.framing import chunk_message

    def send(*messages) -> None:
        conn.receive_data(b"".join(chunk_message(codec.pack_message(m)) for m in messages))

    send(Hello({"user_agent": "t", "scheme": "none"}))
    conn.next_event()
    conn.success({})
    conn.data_to_send()
    return conn, send


def _answers(data: bytes) -> list:
    codec = get_codec((4, 4))
    return [codec.unpack_response(p) for p in ChunkReader().feed(data)]


@pytest.mark.parametrize("size", [10, 65_531, 65_532, 200_000])
def test_answers_of_any_size_are_chunked_whole(size: int) -> None:
    conn, send = _ready()
    send(Run("Q", {}, {}), Pull({"n": -1}))
    conn.next_event()
    conn.success({"fields": ["s"], "big": "m" * size})
    data = conn.data_to_send()  # (next_event() waits for large answers to be taken)
    conn.next_event()
    conn.record(["r" * size])
    conn.records([["a"], ["b"]])
    conn.success({"type": "r"})
    answers = _answers(data + conn.data_to_send())
    assert names(answers) == ["SUCCESS", "RECORD", "RECORD", "RECORD", "SUCCESS"]
    assert answers[0].metadata["big"] == "m" * size and answers[1].data == ["r" * size]
    assert [a.data for a in answers[2:4]] == [["a"], ["b"]]


def test_an_answer_that_cannot_be_encoded_leaves_nothing_behind() -> None:
    conn, send = _ready()
    send(Run("Q", {}, {}), Pull({"n": -1}))
    conn.next_event()
    conn.success({"fields": ["x"]})
    conn.next_event()
    conn.record([1])
    before = conn.buffered
    with pytest.raises(TypeError):
        conn.record([object()])
    with pytest.raises(ValueError):
        conn.record([2 ** 70])
    assert conn.buffered == before
    conn.record([3])
    conn.success({})
    answers = _answers(conn.data_to_send())
    assert names(answers) == ["SUCCESS", "RECORD", "RECORD", "SUCCESS"]
    assert [a.data for a in answers[1:3]] == [[1], [3]]


def test_a_run_in_a_transaction_still_gets_its_qid() -> None:
    conn, send = _ready()
    from asyncbolt.codec.messages import Begin

    send(Begin({}), Run("Q", {}, {}), Run("R", {}, {}))
    conn.next_event()
    conn.success({})
    given = {"fields": ["x"]}
    conn.next_event()
    conn.success(given)
    conn.next_event()
    conn.success({"fields": ["y"], "qid": 7})  # (a qid the application gives stands)
    answers = _answers(conn.data_to_send())
    assert [a.metadata.get("qid") for a in answers] == [None, 0, 7]
    assert given == {"fields": ["x"]}  # (the caller's map is not changed)
