"""The client's one notion of "now", for the deadlines it keeps itself.

    from asyncbolt.client import clock
    expires_at = clock.now() + 60          # wall clock: seconds since the epoch
    started = clock.monotonic()            # for intervals: never goes back

Token expiry (:class:`~asyncbolt.client.auth_managers.ExpiringAuth`), the pool's connection
lifetime and liveness-check idle times, and the routing-table and home-database TTLs read the
time here, so a test (testkit's ``Backend:MockTime``) can stop and advance it for all of them
at once with :func:`use`. What asyncio's loop enforces (read, connect and acquisition
timeouts) stays on the loop's own clock, and so does the retry budget of transaction
functions: it is spent in real sleeps, and a clock that stood still would never end it.

``now`` and ``monotonic`` are module attributes called through the module
(``clock.monotonic()``): by default they *are* :func:`time.time` and :func:`time.monotonic`,
so reading the clock costs what it did before.
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["now", "monotonic", "use", "reset"]

#: Seconds since the epoch (what expiry times are given in).
now: Callable[[], float] = time.time
#: Seconds on a clock that never goes back (what intervals are measured with).
monotonic: Callable[[], float] = time.monotonic


def use(wall: Callable[[], float], mono: Callable[[], float]) -> None:
    """Read the time from ``wall`` (seconds since the epoch) and ``mono`` (a clock that never
    goes back) from now on, everywhere in the client, until :func:`reset`. For tests: a clock
    that stands still and is advanced by hand."""
    if not callable(wall) or not callable(mono):
        raise TypeError(f"clock.use needs two functions returning seconds, got {wall!r} and "
                        f"{mono!r}")
    global now, monotonic
    now, monotonic = wall, mono


def reset() -> None:
    """Back to the real clocks (:func:`time.time` and :func:`time.monotonic`)."""
    global now, monotonic
    now, monotonic = time.time, time.monotonic
