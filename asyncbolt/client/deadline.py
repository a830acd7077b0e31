"""One deadline over a whole connection acquisition, and the stage it is in.

A driver's ``connection_acquisition_timeout`` bounds everything between asking for a connection
and getting one: resolving the address (the custom resolver, DNS), the TCP connect, TLS, the
Bolt handshake, HELLO/LOGON, waiting for a free pooled connection, the liveness check of an
idle one, and fetching the routing table (connecting to routers, their ROUTE answers) and the
home database's name. :func:`within` runs such an acquisition under one deadline; the steps
name themselves with :func:`stage`, so that when the time runs out the error
(:class:`~asyncbolt.errors.AcquisitionDeadlineExceeded`) says what was in progress:

    acquiring a connection to neo4j://db.example:7687 timed out after 5 s while waiting for
    router 10.0.0.7:7687 to answer ROUTE

The deadline lives in a context variable: nested acquisitions (a routing table fetched for a
session's first connection) share the outer one, and tasks started inside (a routing fetch
others may join) see it too.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from asyncbolt.errors import AcquisitionDeadlineExceeded

__all__ = ["Deadline", "within", "stage", "current", "remaining", "expired_error"]

T = TypeVar("T")

_current: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar(
    "asyncbolt_acquisition_deadline", default=None)


class Deadline:
    """``timeout`` seconds (None: no limit) from now to get a connection for ``target``."""

    def __init__(self, target: str, timeout: float | None) -> None:
        self._loop = asyncio.get_running_loop()
        self.target = target
        self.timeout = timeout
        self.at = None if timeout is None else self._loop.time() + max(timeout, 0.0)
        self.stage = "starting"
        self._on_expiry: Callable[[], BaseException] | None = None

    def enter(self, stage: str, on_expiry: Callable[[], BaseException] | None = None) -> None:
        """Now in ``stage``; ``on_expiry()``: the error to raise if the time runs out in it
        (default :meth:`error`'s)."""
        self.stage = stage
        self._on_expiry = on_expiry

    def remaining(self) -> float | None:
        return None if self.at is None else self.at - self._loop.time()

    def expired(self) -> bool:
        return self.at is not None and self._loop.time() >= self.at

    def error(self) -> BaseException:
        """The error for the time running out now: the stage's own, else
        :meth:`default_error`."""
        if self._on_expiry is not None:
            return self._on_expiry()
        return self.default_error()

    def default_error(self) -> AcquisitionDeadlineExceeded:
        """"acquiring a connection to X timed out after N s while <stage>"."""
        return AcquisitionDeadlineExceeded(
            f"acquiring a connection to {self.target} timed out after {self.timeout:.3g} s "
            f"while {self.stage}; raise connection_acquisition_timeout if the network or the "
            "server is merely slow", stage=self.stage, target=self.target, timeout=self.timeout)


def current() -> Deadline | None:
    """The deadline of the acquisition in progress in this context, if any."""
    return _current.get()


def stage(name: str, on_expiry: Callable[[], BaseException] | None = None) -> None:
    """Name the step now in progress (nothing without an acquisition deadline)."""
    deadline = _current.get()
    if deadline is not None:
        deadline.enter(name, on_expiry)


def remaining(default: float | None) -> float | None:
    """The seconds left of the current deadline, or ``default`` without one."""
    deadline = _current.get()
    return default if deadline is None else deadline.remaining()


def expired_error() -> BaseException | None:
    """The deadline's :meth:`~Deadline.default_error` if the current acquisition's time has
    run out, else None."""
    deadline = _current.get()
    return deadline.default_error() if deadline is not None and deadline.expired() else None


async def within(target: str, timeout: float | None, work: Callable[[], Awaitable[T]]) -> T:
    """``await work()`` within ``timeout`` seconds, or :meth:`Deadline.error`. Inside an
    acquisition that already has a deadline, that one bounds ``work`` (``timeout`` is not
    added to it)."""
    if _current.get() is not None:
        return await work()
    deadline = Deadline(target, timeout)
    token = _current.set(deadline)
    try:
        if deadline.at is None:
            return await work()
        return await _bounded(deadline, work)
    finally:
        _current.reset(token)


async def _bounded(deadline: Deadline, work: Callable[[], Awaitable[T]]) -> T:
    task = asyncio.current_task()
    if task is None:
        raise RuntimeError("an acquisition deadline needs to run in an asyncio task")
    fired = False

    def fire() -> None:
        nonlocal fired
        fired = True
        task.cancel()

    at = deadline.at
    if at is None:  # (no limit: nothing to bound)
        return await work()
    handle = deadline._loop.call_at(at, fire)
    try:
        result = await work()
    except asyncio.CancelledError:
        if not fired:
            raise  # (someone else's cancellation)
        _uncancel(task)
        raise deadline.error() from None
    except AcquisitionDeadlineExceeded:
        if fired:
            _uncancel(task)
        raise
    except Exception as exc:
        if not fired:
            raise
        # Our cancellation became another error on its way out: the deadline's is the news.
        _uncancel(task)
        raise deadline.error() from exc
    finally:
        handle.cancel()
    if fired:
        _uncancel(task)  # (swallowed by the work, which finished anyway)
    return result


def _uncancel(task: Any) -> None:
    uncancel = getattr(task, "uncancel", None)  # Python 3.11+: cancellations are counted
    if uncancel is not None and task.cancelling():
        uncancel()
