"""The client's clock (asyncbolt/client/clock.py) and testkit's ``Backend:MockTime`` on it
(testkit_backend/mock_time.py): token expiry, connection lifetime and liveness-check idle times
follow an injected clock, and the backend's fake clock stands still until ticked."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

import asyncbolt
from asyncbolt import AuthManagers, ExpiringAuth, bearer_auth
from asyncbolt.client import clock
from testkit_backend.mock_time import FakeClock
from testkit_backend.server import FEATURES, Backend

from .sessions import EchoSession, Recorder


@pytest.fixture
def fake() -> Iterator[FakeClock]:
    fake = FakeClock()
    clock.use(fake.now, fake.monotonic)
    try:
        yield fake
    finally:
        clock.reset()


# -- the clock module --------------------------------------------------------------------------


def test_the_real_clocks_by_default_and_after_reset() -> None:
    assert clock.now is time.time and clock.monotonic is time.monotonic
    clock.use(lambda: 5.0, lambda: 7.0)
    try:
        assert (clock.now(), clock.monotonic()) == (5.0, 7.0)
    finally:
        clock.reset()
    assert clock.now is time.time and clock.monotonic is time.monotonic


def test_use_refuses_what_is_not_a_clock() -> None:
    with pytest.raises(TypeError, match="two functions"):
        clock.use(5.0, time.monotonic)  # type: ignore[arg-type]
    assert clock.now is time.time


# -- the backend's fake clock ------------------------------------------------------------------


def test_fake_clock_stands_still_until_advanced() -> None:
    before_wall, before_mono = time.time(), time.monotonic()
    fake = FakeClock()
    wall, mono = fake.now(), fake.monotonic()
    assert before_wall <= wall <= time.time() and before_mono <= mono <= time.monotonic()
    time.sleep(0.01)
    assert (fake.now(), fake.monotonic()) == (wall, mono)
    fake.advance(2.5)
    assert (fake.now(), fake.monotonic()) == (wall + 2.5, mono + 2.5)
    fake.advance(0)
    assert fake.monotonic() == mono + 2.5


@pytest.mark.parametrize("seconds", [-0.001, float("nan")])
def test_fake_clock_never_goes_back(seconds: float) -> None:
    fake = FakeClock()
    with pytest.raises(ValueError, match="forward only"):
        fake.advance(seconds)
    assert fake.monotonic() == fake.monotonic()


async def test_backend_installs_ticks_and_uninstalls_the_fake_time() -> None:
    backend = Backend()
    assert "Backend:MockTime" in FEATURES
    ack = {"name": "FakeTimeAck", "data": {}}
    try:
        assert await backend.handle({"name": "FakeTimeInstall", "data": {}}) == ack
        wall, mono = clock.now(), clock.monotonic()
        assert clock.now() == wall  # standing still
        assert await backend.handle({"name": "FakeTimeTick", "data": {"incrementMs": 1500}}) == ack
        assert (clock.now(), clock.monotonic()) == (wall + 1.5, mono + 1.5)
        # a second install, a bad increment: refused by name, the clock as it was
        again = await backend.handle({"name": "FakeTimeInstall", "data": {}})
        assert again["name"] == "BackendError" and "FakeTimeUninstall first" in again["data"]["msg"]
        for bad in (-1, "10", None, True):
            answer = await backend.handle({"name": "FakeTimeTick", "data": {"incrementMs": bad}})
            assert answer["name"] == "BackendError" and "incrementMs" in answer["data"]["msg"]
        assert clock.monotonic() == mono + 1.5
        assert await backend.handle({"name": "FakeTimeUninstall", "data": {}}) == ack
        assert clock.now is time.time and clock.monotonic is time.monotonic
        lost = await backend.handle({"name": "FakeTimeTick", "data": {"incrementMs": 1}})
        assert lost["name"] == "BackendError" and "FakeTimeInstall first" in lost["data"]["msg"]
        # uninstalling twice is harmless (testkit's context manager may after a failure)
        assert await backend.handle({"name": "FakeTimeUninstall", "data": {}}) == ack
    finally:
        backend.uninstall_fake_time()
    assert clock.monotonic is time.monotonic


# -- what follows the clock --------------------------------------------------------------------


def test_expiring_auth_follows_the_injected_clock(fake: FakeClock) -> None:
    token = ExpiringAuth(bearer_auth("t")).expires_in(10)
    assert token.expires_at == fake.now() + 10
    fake.advance(9.999)
    assert not token.expired
    fake.advance(0.002)
    assert token.expired
    assert not ExpiringAuth(bearer_auth("t")).expired  # (no expiry: never)


async def test_a_bearer_manager_refreshes_when_the_injected_clock_passes_expiry(
        fake: FakeClock) -> None:
    calls = []

    async def provider() -> ExpiringAuth:
        calls.append(fake.now())
        return ExpiringAuth(bearer_auth(f"t{len(calls)}")).expires_in(60)

    manager = AuthManagers.bearer(provider)
    assert (await manager.get_auth())["credentials"] == "t1"
    fake.advance(59)
    assert (await manager.get_auth())["credentials"] == "t1"
    fake.advance(2)
    assert (await manager.get_auth())["credentials"] == "t2"
    assert len(calls) == 2


async def test_max_connection_lifetime_and_liveness_follow_the_injected_clock(
        fake: FakeClock) -> None:
    recorder = Recorder()
    async with await asyncbolt.serve(EchoSession, "127.0.0.1", 0, recorder=recorder) as srv:
        async with asyncbolt.Driver(f"bolt://127.0.0.1:{srv.port}", auth=None,
                                    max_connection_lifetime=3600,
                                    liveness_check_timeout=60) as driver:
            async def query() -> None:
                async with driver.session() as session:
                    await (await session.run("RETURN 1")).consume()

            def resets() -> int:
                return sum(1 for call in recorder.calls if call[0] == "reset")

            await query()
            stats = next(iter(driver.pool.pool_stats().values()))
            assert stats["created"] == 1
            base = resets()
            fake.advance(59)  # idle under the liveness timeout: reused unchecked
            await query()
            assert resets() == base
            fake.advance(61)  # idle past it: a RESET round trip before reuse
            await query()
            assert resets() == base + 1
            stats = next(iter(driver.pool.pool_stats().values()))
            assert stats["created"] == 1 and stats["closed"] == 0
            fake.advance(3600)  # older than max_connection_lifetime: closed, a new one opened
            await query()
            stats = next(iter(driver.pool.pool_stats().values()))
            assert stats["created"] == 2 and stats["closed_by_reason"] == {"lifetime": 1}
