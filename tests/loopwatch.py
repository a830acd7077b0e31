"""How long the event loop stalls: a task that wakes every 5 ms and keeps the longest gap.

    async with LoopWatch() as watch:
        ...  # work that must not block the loop
    assert watch.longest < 0.15
"""

from __future__ import annotations

import asyncio
from typing import Any


class LoopWatch:
    def __init__(self, tick: float = 0.005) -> None:
        self.tick = tick
        #: The longest time between two wake-ups, in seconds.
        self.longest = 0.0
        self._task: asyncio.Task | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while True:
            await asyncio.sleep(self.tick)
            now = loop.time()
            self.longest = max(self.longest, now - last)
            last = now

    async def __aenter__(self) -> LoopWatch:
        self._task = asyncio.ensure_future(self._run())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        assert self._task is not None
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass
