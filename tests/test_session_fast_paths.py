"""A session's per-query bookkeeping without tasks when nothing can wait: the connection goes
back to the pool at once when it is clean (Pool.release_now), a plain BookmarkManager is updated
at once (its _update_now), and a Summary makes its counters and notifications when first read
(single() makes none). Whatever can wait still goes through the awaited paths."""

from __future__ import annotations

from typing import Any

import pytest

import asyncbolt
from asyncbolt.client.driver import BookmarkManager
from asyncbolt.client.result import Counters

from .sessions import EchoSession, Recorder


@pytest.fixture
async def server():
    srv = await asyncbolt.serve(EchoSession, "127.0.0.1", 0, recorder=Recorder())
    async with srv:
        yield srv


def _pooled(driver: asyncbolt.Driver) -> tuple[int, int]:
    """(idle, in use) connections of the driver's only address."""
    (ap,) = driver._pool._pools.values()
    return len(ap.idle), len(ap.in_use)


async def test_a_clean_connection_goes_back_without_a_task(server) -> None:
    async with asyncbolt.Driver(f"bolt://127.0.0.1:{server.port}", auth=("neo4j", "pw")) as driver:
        async with driver.session() as session:
            for i in range(3):
                record = await (await session.run("ECHO", x=i)).single()
                assert record is not None and record["x"] == i
                # back already: no task was needed, nothing to settle before the next query
                assert session._conn is None and not session._tasks
                assert _pooled(driver) == (1, 0)


async def test_a_connection_that_needs_a_reset_still_goes_through_release(server, monkeypatch) -> None:
    async with asyncbolt.Driver(f"bolt://127.0.0.1:{server.port}", auth=("neo4j", "pw")) as driver:
        pool = driver._pool
        calls: list[str] = []
        release = pool.release

        async def counting(conn: Any) -> None:
            calls.append("release")
            await release(conn)

        monkeypatch.setattr(pool, "release", counting)
        async with driver.session() as session:
            tx = await session.begin_transaction()
            conn = tx._conn
            assert pool.release_now(conn) is False  # (in a transaction: not idle)
            await tx.rollback()
        assert calls, "a connection leaving a transaction is released through release()"
        assert _pooled(driver) == (1, 0)


async def test_release_now_refuses_what_it_cannot_finish_at_once(server) -> None:
    async with asyncbolt.Driver(f"bolt://127.0.0.1:{server.port}", auth=("neo4j", "pw")) as driver:
        # (more records than one PULL asks for: the result stays open on the server whatever
        # arrives together with RUN's answer)
        async with driver.session(fetch_size=2) as session:
            result = await session.run("STREAM 5")
            conn = session._conn
            assert conn is not None and not conn.idle  # its result is still open on the server
            assert driver._pool.release_now(conn) is False  # (it needs a RESET first)
            assert [r["i"] for r in await result.fetch(5)] == list(range(5))
        stranger = await asyncbolt.connect(f"bolt://127.0.0.1:{server.port}", auth=("neo4j", "pw"))
        try:
            assert driver._pool.release_now(stranger) is False  # not the pool's
            assert not stranger.closed
        finally:
            await stranger.close()


async def test_the_drivers_manager_is_updated_at_once_and_other_managers_are_awaited(server) -> None:
    async with asyncbolt.Driver(f"bolt://127.0.0.1:{server.port}", auth=("neo4j", "pw")) as driver:
        async with driver.session() as session:
            await (await session.run("ECHO", x=1)).single()
            assert not session._tasks
            marks = await session.last_bookmarks()
            assert marks and await driver.bookmark_manager.get_bookmarks() == set(marks)

        seen: list[list[str]] = []
        consuming = BookmarkManager(bookmarks_consumer=seen.append)
        assert consuming._update_now([], ["x"]) is False  # a consumer is told through the awaited path

        class Own(BookmarkManager):
            updates: list[tuple[list[str], list[str]]] = []

            async def update_bookmarks(self, previous: Any, new: Any) -> None:
                Own.updates.append((list(previous), list(new)))
                await super().update_bookmarks(previous, new)

        own = Own()
        assert own._update_now([], ["x"]) is False  # an override is always called
        for manager in (consuming, own):
            async with driver.session(bookmark_manager=manager) as session:
                await (await session.run("ECHO", x=2)).single()
                await session._settle_tasks()
                marks = await session.last_bookmarks()
            assert await manager.get_bookmarks() == set(marks)
            if manager is consuming:
                assert seen == [marks]  # told of its bookmark
        assert Own.updates == [([], marks)]


def test_update_now_replaces_the_previous_bookmarks() -> None:
    manager = BookmarkManager(["a", "b"])
    assert manager._update_now(["a"], ["c", ""]) is True
    assert manager._bookmarks == {"b", "c"}
    assert manager._update_now(["b"], []) is True  # nothing new: nothing changes
    assert manager._bookmarks == {"b", "c"}


async def test_summary_counters_and_notifications_are_made_when_read(server) -> None:
    async with asyncbolt.Driver(f"bolt://127.0.0.1:{server.port}", auth=("neo4j", "pw")) as driver:
        async with driver.session() as session:
            result = await session.run("ECHO", x=1)
            summary = await result.consume()
            assert "counters" not in vars(summary) and "notifications" not in vars(summary)
            counters = summary.counters
            assert isinstance(counters, Counters) and counters.nodes_created == 0
            assert summary.counters is counters  # made once
            assert summary.notifications == [] and "notifications" in vars(summary)
            # single() consumes without making a summary; consume() still gives one after it
            result = await session.run("ECHO", x=2)
            assert (await result.single())["x"] == 2
            assert (await result.consume()).query == "ECHO"
