"""testkit's ``Backend:MockTime``: ``FakeTimeInstall``, ``FakeTimeTick`` and
``FakeTimeUninstall``. A mixin of :class:`~testkit_backend.server.Backend`.

Installing stops the client's clock (:mod:`asyncbolt.client.clock`: token expiry, connection
lifetime, liveness-check idle times, routing and home-database TTLs) where it is; each tick
moves it on by ``incrementMs``; uninstalling gives the real clocks back. asyncio's loop keeps
real time, so read timeouts, acquisition waits and retry sleeps still run as they would.
"""

from __future__ import annotations

import time

from asyncbolt.client import clock

__all__ = ["FakeClock", "MockTimeRequests", "MOCK_TIME_FEATURES"]

#: The testkit features these handlers serve (added to the backend's list).
MOCK_TIME_FEATURES = ["Backend:MockTime"]


class FakeClock:
    """Both of the client's clocks, standing still from when it was made (at the real clocks'
    readings then) and moved on only by :meth:`advance`."""

    def __init__(self) -> None:
        self._wall = time.time()
        self._mono = time.monotonic()

    def now(self) -> float:
        return self._wall

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        """Move both clocks ``seconds`` on (never back: a monotonic clock must not)."""
        if not seconds >= 0:  # (NaN too)
            raise ValueError(f"a fake clock moves forward only; got {seconds!r} seconds")
        self._wall += seconds
        self._mono += seconds


class MockTimeRequests:
    """Handlers for the requests above. One fake clock at a time, for the whole process (the
    client's clock is global): testkit never installs twice without uninstalling between."""

    fake_clock: FakeClock | None = None

    def _not_supported(self, what: str) -> Exception:
        raise NotImplementedError

    async def on_FakeTimeInstall(self, data: dict) -> dict:
        if self.fake_clock is not None:
            raise self._not_supported("FakeTimeInstall while a fake time is installed "
                                      "(send FakeTimeUninstall first)")
        self.fake_clock = FakeClock()
        clock.use(self.fake_clock.now, self.fake_clock.monotonic)
        return {"name": "FakeTimeAck", "data": {}}

    async def on_FakeTimeTick(self, data: dict) -> dict:
        if self.fake_clock is None:
            raise self._not_supported("FakeTimeTick without FakeTimeInstall first")
        increment = data.get("incrementMs")
        if isinstance(increment, bool) or not isinstance(increment, (int, float)) or \
                not increment >= 0:
            raise self._not_supported(f"FakeTimeTick needs incrementMs, a number of "
                                      f"milliseconds >= 0; got {increment!r}")
        self.fake_clock.advance(increment / 1000)
        return {"name": "FakeTimeAck", "data": {}}

    async def on_FakeTimeUninstall(self, data: dict) -> dict:
        self.uninstall_fake_time()
        return {"name": "FakeTimeAck", "data": {}}

    def uninstall_fake_time(self) -> None:
        """Back to the real clocks (also when testkit's connection ends with one installed)."""
        if self.fake_clock is not None:
            self.fake_clock = None
            clock.reset()
