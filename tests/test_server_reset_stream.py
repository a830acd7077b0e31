"""RESET cuts a result short even while the client takes every record as fast as the server
makes them (found by ``asyncbolt conformance``: before, a PULL {n: -1} of a synchronous endless
result streamed on for ever after a RESET, and a DISCARD {n} of many rows never ended — the
server never let its event loop run, so its read loop never saw the RESET, and its other
connections stalled)."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import asyncbolt
from asyncbolt._generated.messages import Discard, Hello, Pull, Reset, Run
from asyncbolt.tools.conformance.probe import Probe

from .loopwatch import LoopWatch
from .sessions import ServerThread


class Endless(asyncbolt.ServerSession):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__()

    async def run(self, query: str, parameters: dict[str, Any], extra: dict[str, Any]) -> asyncbolt.ServerResult:
        return asyncbolt.ServerResult(["i"], ([i] for i in itertools.count()))


async def _ready(port: int) -> Probe:
    probe = await Probe.connect(port, timeout=20)
    assert await probe.handshake((5, 0)) == (5, 0)
    await probe.send(Hello({"user_agent": "t/1", "scheme": "none"}))
    assert (await probe.recv()).name == "SUCCESS"
    return probe


async def test_reset_cuts_an_endless_pull_short() -> None:
    with ServerThread(Endless) as srv:
        watch = LoopWatch()
        asyncio.run_coroutine_threadsafe(watch.__aenter__(), srv.loop).result(10)
        probe = await _ready(srv.port)
        try:
            await probe.send(Run("endless", {}, {}), Pull({"n": -1}))
            assert (await probe.recv()).name == "SUCCESS"
            assert (await probe.recv()).name == "RECORD"  # the stream runs: now the RESET
            await probe.send(Reset())
            count, summary = await asyncio.wait_for(probe.skip_records(), 20)
            assert summary.name == "IGNORED"
            assert (await probe.recv()).name == "SUCCESS"  # the RESET
            assert count < 1_000_000  # (a few 64 KiB flushes: ~33,000 here)
            await probe.send(Run("endless", {}, {}), Pull({"n": 2}))
            assert (await probe.recv()).name == "SUCCESS"
            rows, summary = await probe.recv_result()
            assert rows == [[0], [1]] and summary.metadata["has_more"] is True
        finally:
            probe.close()
            asyncio.run_coroutine_threadsafe(watch.__aexit__(None, None, None), srv.loop).result(10)
        assert watch.longest < 1.0  # (the server's loop ran during the stream)


async def test_reset_cuts_a_long_discard_short() -> None:
    with ServerThread(Endless) as srv:
        probe = await _ready(srv.port)
        try:
            await probe.send(Run("endless", {}, {}), Discard({"n": 10**15}), Reset())
            answers = [await asyncio.wait_for(probe.recv(), 20) for _ in range(3)]
            assert [a.name for a in answers][1:] == ["IGNORED", "SUCCESS"]
        finally:
            probe.close()
