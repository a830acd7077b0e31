"""asyncbolt.server.flag.Flag: the served connection's Event for one waiter, without a deque."""

from __future__ import annotations

import asyncio

import pytest

from asyncbolt.server.flag import Flag


async def test_wait_returns_at_once_when_set_and_blocks_after_clear() -> None:
    flag = Flag()
    assert not flag.is_set()
    flag.set()
    assert flag.is_set() and await flag.wait() is True
    flag.clear()
    waiter = asyncio.ensure_future(flag.wait())
    await asyncio.sleep(0)
    assert not waiter.done()
    flag.set()
    assert await asyncio.wait_for(waiter, 5) is True
    assert flag._waiter is None  # no future kept while nobody waits


async def test_a_cancelled_wait_leaves_the_flag_usable() -> None:
    flag = Flag()
    waiter = asyncio.ensure_future(flag.wait())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    again = asyncio.ensure_future(flag.wait())
    await asyncio.sleep(0)
    flag.set()
    assert await asyncio.wait_for(again, 5) is True


async def test_set_twice_and_clear_without_waiters() -> None:
    flag = Flag()
    flag.clear()
    flag.set()
    flag.set()
    assert flag.is_set()
    flag.clear()
    assert not flag.is_set()
