"""The driver's sessions, transaction functions, retries and bookmarks, against asyncbolt servers
(the cluster ones are in test_routing.py)."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

import asyncbolt
from asyncbolt.client import session as session_module
from asyncbolt.client.driver import BookmarkManager
from asyncbolt.client.routing import Address, SessionExpired
from asyncbolt.client.session import is_retryable, retry_delays

from .sessions import EchoSession, Recorder


class Counting(EchoSession):
    """EchoSession whose commits hand out increasing bookmarks, and whose COMMIT can be made to
    drop the connection (the server goes away while the client waits for the answer)."""

    commits = 0
    drop_commits = 0

    async def commit(self) -> dict[str, Any]:
        if Counting.drop_commits:
            Counting.drop_commits -= 1
            raise asyncio.CancelledError  # the runtime drops the connection unanswered
        self.recorder.log("commit")
        Counting.commits += 1
        return {"bookmark": f"bm:{Counting.commits}"}


@pytest.fixture
async def server():
    recorder = Recorder()
    Counting.commits = Counting.drop_commits = 0
    srv = await asyncbolt.serve(Counting, "127.0.0.1", 0, recorder=recorder)
    async with srv:
        srv.recorder = recorder
        yield srv


@pytest.fixture
async def driver(server):
    async with asyncbolt.Driver(f"bolt://127.0.0.1:{server.port}", auth=("neo4j", "pw"),
                                initial_retry_delay=0.001, max_retry_time=2.0) as d:
        yield d


@pytest.fixture
def sleeps(monkeypatch):
    """The back-off waits, recorded instead of slept."""
    recorded: list[float] = []

    async def fake(delay: float) -> None:
        recorded.append(delay)
        await asyncio.sleep(0)

    monkeypatch.setattr(session_module, "_sleep", fake)
    return recorded


def _calls(recorder: Recorder, kind: str) -> list[tuple]:
    return [call for call in recorder.calls if call[0] == kind]


async def echo(tx: Any, x: Any = None, **more: Any) -> Any:
    record = await (await tx.run("ECHO", x=x, **more)).single()
    return record.data()


# -------------------------------------------------------------------------------------------
# What is retried


def test_is_retryable() -> None:
    transient = asyncbolt.TransientError("Neo.TransientError.Transaction.DeadlockDetected", "x")
    assert is_retryable(transient)
    assert is_retryable(asyncbolt.ServiceUnavailable("gone"))
    assert is_retryable(SessionExpired("no writer"))
    assert is_retryable(asyncbolt.RoutingServiceUnavailable("no router"))
    for code in ("Neo.ClientError.Cluster.NotALeader",
                 "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase",
                 "Neo.ClientError.Security.AuthorizationExpired"):
        assert is_retryable(asyncbolt.ClientError(code, "x")), code
    for code in ("Neo.TransientError.Transaction.Terminated",
                 "Neo.TransientError.Transaction.LockClientStopped"):
        assert not is_retryable(asyncbolt.TransientError(code, "x")), code
    assert not is_retryable(asyncbolt.ClientError("Neo.ClientError.Statement.SyntaxError", "x"))
    assert not is_retryable(asyncbolt.AuthError())
    assert not is_retryable(asyncbolt.DatabaseError("Neo.DatabaseError.General.UnknownError", "x"))
    assert not is_retryable(asyncbolt.IncompleteCommit("maybe committed"))
    assert not is_retryable(asyncbolt.ConnectionAcquisitionTimeout("busy"))
    assert not is_retryable(ValueError("mine"))
    # a failure from the server decodes to the right class
    assert is_retryable(asyncbolt.Neo4jError.from_metadata(
        {"code": "Neo.TransientError.General.DatabaseUnavailable", "message": "x"}))
    # an ignored request is judged by what made it ignored
    ignored = asyncbolt.RequestIgnored("not run")
    ignored.__cause__ = transient
    assert is_retryable(ignored)
    assert not is_retryable(asyncbolt.RequestIgnored("reset"))


def test_retry_delays_grow_exponentially_with_jitter() -> None:
    assert [round(d, 6) for d in _take(retry_delays(1.0, 2.0, 0.0), 5)] == [1, 2, 4, 8, 16]
    low = _take(retry_delays(1.0, 2.0, 0.2, rng=lambda: 0.0), 3)
    high = _take(retry_delays(1.0, 2.0, 0.2, rng=lambda: 1.0), 3)
    assert low == pytest.approx([0.8, 1.6, 3.2]) and high == pytest.approx([1.2, 2.4, 4.8])
    rng = random.Random(7)
    for i, delay in enumerate(_take(retry_delays(0.5, 3.0, 0.5, rng=rng.random), 6)):
        assert 0.25 * 3**i <= delay <= 0.75 * 3**i


def _take(it: Any, n: int) -> list[float]:
    return [next(it) for _ in range(n)]


async def test_transient_errors_are_retried_with_back_off(server, sleeps) -> None:
    async with asyncbolt.Driver(f"bolt://127.0.0.1:{server.port}", auth=("neo4j", "pw"),
                                initial_retry_delay=0.5, retry_delay_multiplier=2.0,
                                retry_delay_jitter=0.2) as driver:
        attempts = 0

        async def flaky(tx: Any, x: int) -> int:
            nonlocal attempts
            attempts += 1
            query = "TRANSIENT" if attempts <= 3 else "ECHO"  # the server fails it three times
            return (await (await tx.run(query, x=x)).single())["x"]

        assert await driver.execute_write(flaky, 5) == 5
        assert attempts == 4 and len(sleeps) == 3
        for i, delay in enumerate(sleeps):
            assert 0.5 * 2**i * 0.8 <= delay <= 0.5 * 2**i * 1.2
        assert len(_calls(server.recorder, "rollback")) == 3
        assert len(_calls(server.recorder, "commit")) == 1


async def test_client_errors_are_never_retried(driver, server, sleeps) -> None:
    attempts = 0

    async def bad(tx: Any) -> None:
        nonlocal attempts
        attempts += 1
        await (await tx.run("FAIL")).consume()

    with pytest.raises(asyncbolt.ClientError, match="Invalid input"):
        await driver.execute_write(bad)
    assert attempts == 1 and not sleeps

    for code in ("Neo.TransientError.Transaction.Terminated",
                 "Neo.TransientError.Transaction.LockClientStopped"):
        async def terminated(tx: Any, code: str = code) -> None:
            nonlocal attempts
            attempts += 1
            raise asyncbolt.TransientError(code, "terminated")

        attempts = 0
        with pytest.raises(asyncbolt.TransientError):
            await driver.execute_read(terminated)
        assert attempts == 1 and not sleeps

    async def mine(tx: Any) -> None:
        raise KeyError("not a driver error")

    with pytest.raises(KeyError):
        await driver.execute_read(mine)
    assert not sleeps


async def test_retries_stop_after_the_max_retry_time(server) -> None:
    async with asyncbolt.Driver(f"bolt://127.0.0.1:{server.port}", auth=("neo4j", "pw"),
                                initial_retry_delay=0.01, retry_delay_multiplier=1.0,
                                retry_delay_jitter=0.0, max_retry_time=0.1) as driver:
        attempts = 0

        async def always(tx: Any) -> None:
            nonlocal attempts
            attempts += 1
            await (await tx.run("TRANSIENT")).consume()

        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(asyncbolt.TransientError, match="DeadlockDetected"):
            await driver.execute_write(always)
        assert 3 <= attempts <= 20 and loop.time() - started < 1.0
        # max_retry_time=0: one attempt only
        no_retry = asyncbolt.Driver(f"bolt://127.0.0.1:{server.port}", max_retry_time=0)
        attempts = 0
        with pytest.raises(asyncbolt.TransientError):
            await no_retry.execute_write(always)
        assert attempts == 1
        await no_retry.close()


async def test_a_failure_ignored_in_a_pipeline_is_retried_by_its_cause(driver, sleeps) -> None:
    attempts = 0

    async def pipelined(tx: Any) -> int:
        nonlocal attempts
        attempts += 1
        first = await tx.run("TRANSIENT" if attempts == 1 else "ECHO", x=1)
        second = await tx.run("ECHO", x=2)
        value = (await second.single())["x"]  # ignored after the first failed: RequestIgnored
        await first.consume()
        return value

    assert await driver.execute_read(pipelined) == 2
    assert attempts == 2 and len(sleeps) == 1


async def test_an_unreachable_server_is_retried_then_reported(sleeps) -> None:
    driver = asyncbolt.Driver("bolt://127.0.0.1:1", initial_retry_delay=0.1, max_retry_time=0.5,
                              connection_timeout=1)
    with pytest.raises(asyncbolt.ServiceUnavailable, match="cannot connect"):
        await driver.execute_read(echo)
    assert sleeps
    await driver.close()


async def test_an_interrupted_write_commit_is_not_retried_but_a_read_is(driver, server, sleeps) -> None:
    Counting.drop_commits = 1
    with pytest.raises(asyncbolt.IncompleteCommit, match="may or may not"):
        await driver.execute_write(echo, 1)
    assert not sleeps
    Counting.drop_commits = 1
    assert (await driver.execute_read(echo, 2))["x"] == 2  # a read has nothing to apply twice
    assert len(sleeps) == 1


# -------------------------------------------------------------------------------------------
# Transaction functions


async def test_execute_commits_on_return_and_rolls_back_on_error(driver, server) -> None:
    assert await driver.execute_write(echo, 1, y="two") == {"x": 1, "y": "two"}
    assert len(_calls(server.recorder, "commit")) == 1
    begin = _calls(server.recorder, "begin")[-1][1]
    assert "mode" not in begin  # a write

    async def explode(tx: Any) -> None:
        await tx.run("ECHO")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await driver.execute_read(explode)
    assert len(_calls(server.recorder, "rollback")) == 1
    assert _calls(server.recorder, "begin")[-1][1]["mode"] == "r"
    assert driver.pool.in_use(Address("127.0.0.1", server.port)) == 0


async def test_unit_of_work_sets_timeout_and_metadata(driver, server) -> None:
    @asyncbolt.unit_of_work(metadata={"app": "tests"}, timeout=2.5)
    async def work(tx: Any) -> Any:
        return await echo(tx, 1)

    await driver.execute_read(work)
    begin = _calls(server.recorder, "begin")[-1][1]
    assert begin["tx_metadata"] == {"app": "tests"} and begin["tx_timeout"] == 2500


async def test_a_managed_transaction_only_runs_queries(driver) -> None:
    async def peek(tx: Any) -> list[str]:
        return [name for name in ("commit", "rollback", "close") if hasattr(tx, name)]

    assert await driver.execute_read(peek) == []


async def test_cancelling_a_transaction_function_kills_its_connection(driver, server) -> None:
    entered = asyncio.Event()

    async def slow(tx: Any) -> None:
        await tx.run("ECHO")
        entered.set()
        await asyncio.sleep(10)

    task = asyncio.ensure_future(driver.execute_write(slow))
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    address = Address("127.0.0.1", server.port)
    assert driver.pool.in_use(address) == 0
    assert (await driver.execute_write(echo, 3))["x"] == 3


async def test_an_auth_error_is_not_retried() -> None:
    recorder = Recorder()
    async with await asyncbolt.serve(EchoSession, "127.0.0.1", 0, recorder=recorder,
                                     password="right") as srv:
        async with asyncbolt.Driver(f"bolt://127.0.0.1:{srv.port}", auth=("neo4j", "wrong")) as d:
            with pytest.raises(asyncbolt.AuthError):
                await d.execute_read(echo)
            assert len(_calls(recorder, "auth")) == 1
            assert d.pool.in_use(Address("127.0.0.1", srv.port)) == 0


# -------------------------------------------------------------------------------------------
# Sessions


async def test_explicit_transactions(driver, server) -> None:
    async with driver.session() as session:
        async with await session.begin_transaction(timeout=1, metadata={"k": 1}) as tx:
            assert (await (await tx.run("ECHO", x=1)).single())["x"] == 1
            with pytest.raises(asyncbolt.ClientError, match="explicit transaction is open"):
                await session.run("ECHO")
            with pytest.raises(asyncbolt.ClientError, match="explicit transaction is open"):
                await session.execute_read(echo)
        assert tx.closed() and len(_calls(server.recorder, "commit")) == 1
        assert await session.last_bookmarks() == ["bm:1"]
        tx = await session.begin_transaction()
        await tx.run("ECHO")
        await tx.rollback()
        assert len(_calls(server.recorder, "rollback")) == 1
        with pytest.raises(RuntimeError):
            async with await session.begin_transaction() as tx:
                raise RuntimeError("rolled back")
        assert len(_calls(server.recorder, "rollback")) == 2
        tx = await session.begin_transaction()
        assert await tx.commit() == "bm:2"
        with pytest.raises(asyncbolt.ClientError, match="already closed"):
            await tx.commit()
        with pytest.raises(asyncbolt.ClientError, match="already closed"):
            await tx.rollback()  # a second end is an error, as the official drivers
        await tx.close()  # close stays a no-op on an ended transaction
        left_open = await session.begin_transaction()
        await left_open.run("ECHO")
    assert len(_calls(server.recorder, "rollback")) == 3  # closing the session rolled it back
    assert driver.pool.in_use(Address("127.0.0.1", server.port)) == 0
    with pytest.raises(asyncbolt.ClientError, match="session is closed"):
        await session.run("ECHO")


async def test_bookmarks_chain_within_and_across_sessions(driver, server) -> None:
    async with driver.session(bookmark_manager=None, bookmarks=["bm:0"]) as session:
        assert await session.last_bookmarks() == ["bm:0"]
        await session.execute_write(echo, 1)
        assert _calls(server.recorder, "begin")[-1][1]["bookmarks"] == ["bm:0"]
        await session.execute_write(echo, 2)
        assert _calls(server.recorder, "begin")[-1][1]["bookmarks"] == ["bm:1"]
        assert await session.last_bookmarks() == ["bm:2"]
    assert await driver.bookmark_manager.get_bookmarks() == set()  # that session opted out
    await driver.execute_write(echo, 3)
    assert await driver.bookmark_manager.get_bookmarks() == {"bm:3"}
    async with driver.session(default_access_mode="r") as session:
        await session.execute_read(echo, 4)
        assert _calls(server.recorder, "begin")[-1][1]["bookmarks"] == ["bm:3"]
        await (await session.run("ECHO", x=5)).consume()  # after the read's own bookmark
        assert _calls(server.recorder, "run")[-1][2]["bookmarks"] == ["bm:4"]
        # The auto-commit transaction ends with the server's own bookmark (EchoSession names
        # only its commits), which replaces bm:4.
        (auto,) = await session.last_bookmarks()
        assert auto.startswith("asyncbolt:")
    # a session's own bookmarks join the manager's
    async with driver.session(bookmarks=["other:1"]) as session:
        await session.execute_write(echo, 6)
        assert _calls(server.recorder, "begin")[-1][1]["bookmarks"] == sorted([auto, "other:1"])
    assert await driver.bookmark_manager.get_bookmarks() == {"bm:5"}  # the new one replaced both


async def test_bookmark_manager() -> None:
    seen: list[list[str]] = []

    async def consumer(bookmarks: list[str]) -> None:
        seen.append(bookmarks)

    manager = BookmarkManager(["a"], bookmarks_supplier=lambda: ["s"], bookmarks_consumer=consumer)
    assert await manager.get_bookmarks() == {"a", "s"}
    await manager.update_bookmarks(["a"], ["b"])
    assert await manager.get_bookmarks() == {"b", "s"} and seen == [["b"]]
    await manager.update_bookmarks(["x"], [])  # nothing new: nothing changes
    assert seen == [["b"]]
    await manager.update_bookmarks([], ["c"])
    assert seen[-1] == ["b", "c"]
    # a driver can share a manager of one's own
    async def supplier() -> list[str]:
        return ["async"]

    assert await BookmarkManager(bookmarks_supplier=supplier).get_bookmarks() == {"async"}


async def test_sessions_on_old_versions(server) -> None:
    for version in [(1, 0), (2, 0), (3, 0), (4, 4)]:
        async with asyncbolt.Driver(f"bolt://127.0.0.1:{server.port}", versions=[version]) as d:
            async with d.session(default_access_mode="r") as session:
                assert (await (await session.run("ECHO", x=1)).single())["x"] == 1
            if version >= (3, 0):
                assert (await d.execute_read(echo, 2))["x"] == 2


async def test_driver_arguments_and_state(server) -> None:
    with pytest.raises(ValueError, match="unsupported URI scheme"):
        asyncbolt.Driver("http://localhost")
    with pytest.raises(ValueError, match="tcp://"):
        asyncbolt.Driver("tcp://localhost:7687")
    driver = asyncbolt.Driver(f"bolt://neo4j:pw@127.0.0.1:{server.port}")
    assert not driver.routing and driver.router is None
    with pytest.raises(ValueError, match="access mode"):
        driver.session(default_access_mode="x")
    await driver.verify_connectivity()
    assert _calls(server.recorder, "auth")[-1][2] == "neo4j"  # credentials from the URI
    assert "bolt://" in repr(driver) and "mode=r" in repr(driver.session(default_access_mode="READ"))
    await driver.close()
    assert driver.closed
    with pytest.raises(asyncbolt.ServiceUnavailable, match="closed"):
        await driver.execute_read(echo)


class FailingRollback(EchoSession):
    async def rollback(self) -> None:
        await super().rollback()
        raise asyncbolt.TransientError("Neo.TransientError.General.DatabaseUnavailable", "gone")


async def test_a_rollback_the_server_fails_raises_from_close_but_not_over_a_block_error() -> None:
    # As the official drivers: tx.close() and session.close() raise the failed ROLLBACK (the
    # transaction is over either way); leaving `async with` by an exception keeps that one.
    recorder = Recorder()
    async with await asyncbolt.serve(FailingRollback, "127.0.0.1", 0, recorder=recorder) as srv:
        async with asyncbolt.Driver(f"bolt://127.0.0.1:{srv.port}", auth=("neo4j", "pw")) as d:
            async with d.session() as s:
                tx = await s.begin_transaction()
                await (await tx.run("ECHO", x=1)).consume()
                with pytest.raises(asyncbolt.TransientError, match="gone"):
                    await tx.close()
                assert tx.closed()
                await tx.close()  # over: nothing more to do
            s = d.session()
            await s.begin_transaction()
            with pytest.raises(asyncbolt.TransientError, match="gone"):
                await s.close()
            assert s.closed
            async with d.session() as s:
                with pytest.raises(LookupError, match="the block's"):
                    async with await s.begin_transaction() as tx:
                        await tx.run("ECHO", x=1)
                        raise LookupError("the block's")
                assert (await (await s.run("ECHO", x=2)).single())["x"] == 2  # still usable
