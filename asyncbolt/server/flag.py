"""A served connection's wake-up flags: :class:`Flag`, an :class:`asyncio.Event` for one waiter.

asyncio's Event keeps a deque of waiters, ~700 bytes even when empty; a connection has two such
flags and a server may hold 10,000 idle connections (README, "Many connections"), so these keep
one future, made only while someone waits.
"""

from __future__ import annotations

import asyncio

__all__ = ["Flag"]


class Flag:
    """``set()``, ``clear()``, ``is_set()`` and ``await wait()`` as asyncio.Event's, for one task
    waiting at a time (a second waiter shares the first one's future: cancelling either cancels
    the wait of both)."""

    __slots__ = ("_value", "_waiter")

    def __init__(self) -> None:
        self._value = False
        self._waiter: asyncio.Future | None = None

    def is_set(self) -> bool:
        return self._value

    def set(self) -> None:
        if not self._value:
            self._value = True
            waiter = self._waiter
            if waiter is not None:
                self._waiter = None
                if not waiter.done():
                    waiter.set_result(True)

    def clear(self) -> None:
        self._value = False

    async def wait(self) -> bool:
        if self._value:
            return True
        waiter = self._waiter
        if waiter is None or waiter.done():
            waiter = self._waiter = asyncio.get_running_loop().create_future()
        try:
            await waiter
        finally:
            if self._waiter is waiter and waiter.done():
                self._waiter = None
        return True
