"""Connection pools: one per server address, shared by the sessions of a driver.

    pool = Pool(opener, max_size=100, acquisition_timeout=60)
    conn = await pool.acquire(address)        # an idle connection, a new one, or wait for one
    ...
    await pool.release(conn)                  # back in a clean state (RESET when it is not)
    await pool.close()                        # GOODBYE on every connection

``opener(address, timeout)`` is a coroutine that opens and authenticates a
:class:`~asyncbolt.client.connection.Connection` within ``timeout`` (what is left of the acquisition time,
else ``connection_timeout``); the :class:`~asyncbolt.client.driver.Driver` supplies it, and bounds the
TCP/TLS connect itself by its ``connection_timeout``. A pool
never holds more than ``max_size`` connections to one address (open, opening or being reset); an
acquisition that finds none free waits, first come first served, and raises
:class:`ConnectionAcquisitionTimeout` when ``acquisition_timeout`` runs out. Idle connections are
handed out most recently used first (warm sockets; the cold ones age out). A connection idle
longer than ``liveness_check_timeout`` is checked with a RESET round trip before it is handed out,
and one older than ``max_lifetime`` is closed instead of being reused.

With :attr:`Pool.auth` set (the driver sets its auth manager there), every acquisition asks the
manager for the current token: a new connection authenticates with it, an idle one whose token
differs is re-authenticated first (``opener(address, timeout, token)``; see
:mod:`asyncbolt.client.auth_managers`).

Every connection the pool forgets is logged once, at INFO on this module's logger
(``asyncbolt.client.pool``), naming who ended it and why (see :data:`CLOSE_REASONS`), and
counted in :meth:`Pool.pool_stats`. A pool used in a process forked from the one that made it
refuses to work (the parent's sockets must never be shared): make a new driver in the child.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from asyncbolt._generated.versions import has
from asyncbolt.client import clock
from asyncbolt.client.auth_managers import (
    AUTHORIZATION_EXPIRED,
    AcquireAuth,
    ManagerNotice,
    acquisition_auth,
    check_user_switching,
    current_token,
    reauthenticate,
    refused,
    remember,
    security_failure,
)
from asyncbolt.client.connection import Connection
from asyncbolt.client.deadline import expired_error, stage
from asyncbolt.errors import (
    BoltError,
    ConnectionAcquisitionTimeout,
    Neo4jError,
    ProtocolError,
    ServiceUnavailable,
)

__all__ = ["Pool", "ConnectionAcquisitionTimeout", "CLOSE_REASONS"]

log = logging.getLogger(__name__)

#: ``opener(address, timeout)``, and ``opener(address, timeout, token)`` when the pool has auth.
Opener = Callable[..., Awaitable[Connection]]

_POOL_DEFAULT: Any = object()  # "the pool's own setting"

#: Why a pooled connection ended, and who ended it (the keys of ``closed_by_reason``).
CLOSE_REASONS = {
    "peer reset": "the server (or the network): the connection was reset",
    "server closed": "the server: it closed the connection",
    "our read timeout": "us: the server was silent past read_timeout",
    "our write timeout": "us: the server read nothing past connection_write_timeout",
    "lifetime": "us: older than max_connection_lifetime",
    "liveness check failed": "us: it failed the RESET check before reuse",
    "reset failed": "us: the RESET on release failed",
    "server failed": "us: its server failed or left the routing table",
    "cancelled": "us: the work on it was cancelled, its state is unknown",
    "pool shutdown": "us: the driver was closed",
    "protocol error": "us: the server broke the protocol",
    "re-authentication": "us: its token changed and Bolt before 5.1 cannot switch it",
    "re-authentication failed": "us: LOGOFF/LOGON to the current token failed",
    "no user switching": "us: session-level auth needs Bolt 5.1+",
    "authorization expired": "the server: the authorization of its connections expired",
    "token refused": "the server: it refused the token of a LOGON after LOGOFF",
}


class _Entry:
    """What the pool knows about one of its connections."""

    __slots__ = ("address", "created", "idle_since", "stale", "db", "refused")

    def __init__(self, address: Hashable, now: float) -> None:
        self.address = address
        self.created = now
        self.idle_since = now
        self.stale = False  # close on release instead of reusing
        self.db: Any = None  # the tag (database) the current borrower acquired it with
        self.refused = False  # the server refused its token (a security failure)


class _AddressPool:
    """The connections to one server."""

    __slots__ = ("idle", "in_use", "opening", "waiters", "opened")

    def __init__(self) -> None:
        self.idle: deque[Connection] = deque()
        self.in_use: set[Connection] = set()
        self.opening = 0
        self.waiters: deque[asyncio.Future] = deque()
        self.opened = 0  # connections opened over the pool's life

    @property
    def size(self) -> int:
        return len(self.idle) + len(self.in_use) + self.opening


class Pool:
    """Connections to any number of servers, at most ``max_size`` to each.

    ``max_size``: per address (None or negative: unbounded). ``acquisition_timeout``: seconds an
    :meth:`acquire` may take in all (None: wait forever). ``connection_timeout``: seconds to open
    one connection when no acquisition deadline bounds it (see the module's docs), and to wait
    for a RESET (or a router's ROUTE answer). ``liveness_check_timeout``: a connection idle longer
    than this is checked with RESET before reuse (None: never; 0: always). ``max_lifetime``:
    connections older than this are closed rather than reused (None: no limit).
    ``on_error(address, error, db)`` hears every FAILURE and every dropped connection, with the
    ``db`` tag its borrower acquired it with (the router's routing-table key).
    """

    def __init__(self, opener: Opener, *, max_size: int | None = 100,
                 acquisition_timeout: float | None = 60.0, connection_timeout: float | None = 30.0,
                 liveness_check_timeout: float | None = None, max_lifetime: float | None = 3600.0,
                 on_error: Callable[[Any, BaseException, Any], None] | None = None) -> None:
        if max_size == 0:
            raise ValueError("max_size must be positive (or None for no limit)")
        self._opener = opener
        self.max_size = None if max_size is None or max_size < 0 else int(max_size)
        self.acquisition_timeout = acquisition_timeout
        self.connection_timeout = connection_timeout
        self.liveness_check_timeout = liveness_check_timeout
        self.max_lifetime = max_lifetime
        self.on_error = on_error
        self._pools: dict[Any, _AddressPool] = {}
        self._entries: dict[Connection, _Entry] = {}
        self._closing: set[asyncio.Task] = set()
        self._closed = False
        self._pid = os.getpid()  # (a forked child must not use our sockets)
        #: Per address, over the pool's life: created, closed, and closed by reason.
        self._history: dict[Any, dict[str, Any]] = {}
        #: Who authenticates acquisitions (the driver's auth manager; a session's auth wins, see
        #: :func:`asyncbolt.client.auth_managers.acquiring_as`). None: the opener's business,
        #: and idle connections are handed out as they are.
        self.auth: AcquireAuth | None = None
        self._notices: deque[ManagerNotice] = deque()  # security failures to tell managers of

    # -- acquire ------------------------------------------------------------------------------

    async def acquire(self, address: Any, timeout: float | None = None, *,
                      db: Any = None, liveness_check_timeout: Any = _POOL_DEFAULT,
                      force_auth: bool = False) -> Connection:
        """A connection to ``address``, in a clean state, for exclusive use until :meth:`release`.

        ``timeout`` overrides the pool's acquisition timeout, ``liveness_check_timeout`` the
        pool's (0: an idle connection is checked with RESET whatever its age). ``force_auth``:
        an idle connection authenticates again even with the same token (verify_authentication). Raises
        :class:`ConnectionAcquisitionTimeout` when none became free in time, and whatever opening
        one raised (``ServiceUnavailable`` when the server cannot be reached, ``AuthError``...).
        """
        self._check_open()
        loop = asyncio.get_running_loop()
        if timeout is None:
            timeout = self.acquisition_timeout
        deadline = None if timeout is None else loop.time() + timeout
        auth = acquisition_auth(self.auth)
        while self._notices:  # (a refused token: its manager may have a new one for us)
            await self._notices.popleft().run()
        while True:
            ap = self._pools.get(address)  # anew each time: deactivate() may have dropped it
            if ap is None:
                ap = self._pools[address] = _AddressPool()
            conn = await self._take_idle(ap, deadline, liveness_check_timeout)
            fresh = False
            if conn is None and (self.max_size is None or ap.size < self.max_size):
                conn, fresh = await self._open(address, ap, deadline, timeout, auth), True
            if conn is None:
                conn = await self._wait(address, ap, deadline, timeout)
                self._check_open()  # closed while we waited
            entry = None if conn is None else self._entries.get(conn)
            if conn is not None and entry is not None:
                if auth is not None and not fresh and \
                        not await self._authenticate(ap, conn, auth, force_auth):
                    continue
                entry.db = db
                return conn

    async def _authenticate(self, ap: _AddressPool, conn: Connection, auth: AcquireAuth,
                            force: bool = False) -> bool:
        """Bring a pooled connection to the current token (see
        :func:`~asyncbolt.client.auth_managers.reauthenticate`); False: it was closed, as it
        could not switch, and another is needed."""
        try:
            if await reauthenticate(conn, auth, force):
                return True
        except asyncio.CancelledError:
            self._drop(conn, "cancelled")
            raise
        except Exception:
            if conn.idle and not conn.auth_stale:  # untouched (no user switching, get_auth failed)
                self._hand_over(ap, conn)
            else:
                self._drop(conn, "re-authentication failed")
            raise
        self._drop(conn, "re-authentication")
        return False

    def _remaining(self, deadline: float | None) -> float | None:
        if deadline is None:
            return None
        return deadline - asyncio.get_running_loop().time()

    def _timed_out(self, address: Any, timeout: float | None) -> BaseException:
        """The acquisition time ran out: blame a full pool only when it is full, and never
        show a negative time."""
        ap = self._pools.get(address)
        busy = len(ap.in_use) + ap.opening if ap else 0
        full = ap is not None and self.max_size is not None and ap.size >= self.max_size and busy
        late = None if full else expired_error()
        if late is not None:  # the whole acquisition's deadline: its error names the stage
            return late
        if full:
            return ConnectionAcquisitionTimeout(
                f"no connection to {address} became free within {timeout:.3g}s: the pool holds its "
                f"maximum of {self.max_size} and {busy} are in use; raise max_pool_size or "
                "connection_acquisition_timeout, or release connections sooner (consume results, "
                "close sessions)")
        if timeout is not None and timeout <= 0:
            return ServiceUnavailable(f"no time was left to open a connection to {address} "
                                      "(the acquisition deadline had passed)")
        return ServiceUnavailable(f"no connection to {address} could be opened within "
                                  f"{timeout:.3g}s ({busy} in use, {ap.size if ap else 0} open)")

    async def _take_idle(self, ap: _AddressPool, deadline: float | None,
                         limit: Any = _POOL_DEFAULT) -> Connection | None:
        if limit is _POOL_DEFAULT:
            limit = self.liveness_check_timeout
        while ap.idle:
            conn = ap.idle.pop()  # most recently used first
            entry = self._entries.get(conn)
            now = clock.monotonic()
            if entry is None or not self._reusable(conn, entry, now):
                self._drop(conn, self._why_not_reusable(entry))
                continue
            ap.in_use.add(conn)
            if limit is not None and now - entry.idle_since >= limit:
                remaining = self._remaining(deadline)
                wait = self.connection_timeout
                if remaining is not None and remaining > 0:
                    wait = remaining if wait is None else min(wait, remaining)
                # A failed check says this connection is dead, not that the server is gone (as
                # the official drivers: the next idle one is checked, nothing is deactivated).
                listener, conn.on_error = conn.on_error, None
                stage(f"checking an idle connection to {entry.address} (RESET)")
                try:
                    await conn.ping(wait)
                except asyncio.CancelledError:
                    self._drop(conn, "cancelled")
                    raise
                except Exception as exc:
                    log.debug("pool: %s failed its liveness check (%s); closing it", conn, exc)
                    self._drop(conn, "liveness check failed")
                    continue
                conn.on_error = listener
            return conn
        return None

    async def _open(self, address: Any, ap: _AddressPool, deadline: float | None,
                    acquisition_timeout: float | None, auth: AcquireAuth | None = None) -> Connection:
        remaining = self._remaining(deadline)
        if remaining is not None and remaining <= 0:
            raise self._timed_out(address, acquisition_timeout)
        # The opener has what is left of the acquisition time for the whole open (connect,
        # handshake, authentication), as the official drivers; connection_timeout only when
        # there is no acquisition deadline (the driver's opener bounds the connect with it).
        timeout = self.connection_timeout if remaining is None else remaining
        ap.opening += 1
        raw: Any = None
        try:
            if auth is None:
                conn = await self._opener(address, timeout)
            else:
                raw = (await current_token(auth))[0]
                conn = await self._opener(address, timeout, raw)
        except BaseException as exc:
            if auth is not None:  # (a refused HELLO/LOGON: the manager hears of it too)
                notice = refused(auth.manager, raw, exc)
                if notice is not None:
                    self._notices.append(notice)
            ap.opening -= 1
            self._wake(ap)  # the place we held is free for someone else
            raise
        ap.opening -= 1
        ap.opened += 1
        self._record(address)["created"] += 1
        if self._closed:
            self._log_close(address, conn, "pool shutdown")
            await conn.close()
            raise ServiceUnavailable("the driver was closed")
        self._entries[conn] = _Entry(address, clock.monotonic())
        ap.in_use.add(conn)
        conn.on_error = self._connection_error
        log.debug("pool: opened %s (%d to %s)", conn, ap.size, address)
        if auth is not None:
            remember(conn, auth, raw)
            if auth.session:
                try:
                    check_user_switching(conn)
                except Exception:
                    self._drop(conn, "no user switching")
                    raise
        return conn

    async def _wait(self, address: Any, ap: _AddressPool, deadline: float | None,
                    timeout: float | None) -> Connection | None:
        """Wait for a connection handed over by :meth:`release` (returned), or for a place to
        free up (None: try again)."""
        remaining = self._remaining(deadline)
        if remaining is not None and remaining <= 0:
            raise self._timed_out(address, timeout)
        loop = asyncio.get_running_loop()
        # Its result: a Connection handed over, True when a place freed up, False on timeout.
        waiter = loop.create_future()
        ap.waiters.append(waiter)
        stage(f"waiting for a free connection to {address} (all {ap.size} in use)",
              lambda: self._timed_out(address, timeout))
        timer = None
        if remaining is not None:
            def expire() -> None:
                if not waiter.done():
                    waiter.set_result(False)

            timer = loop.call_later(remaining, expire)
        # Not asyncio.wait_for: before 3.12 it may swallow a cancellation that arrives with the
        # wake-up, and a cancelled task would walk away with a connection.
        try:
            outcome = await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                outcome = waiter.result()
                if isinstance(outcome, Connection):
                    self._hand_over(ap, outcome)  # we leave: the next in line gets it
                elif outcome:
                    self._wake(ap)
            raise
        finally:
            if timer is not None:
                timer.cancel()
            try:
                ap.waiters.remove(waiter)
            except ValueError:
                pass
        if outcome is False:
            raise self._timed_out(address, timeout)
        return outcome if isinstance(outcome, Connection) else None

    @staticmethod
    def _wake(ap: _AddressPool) -> None:
        """A place freed up: the first waiter tries again."""
        while ap.waiters:
            waiter = ap.waiters.popleft()
            if not waiter.done():
                waiter.set_result(True)
                return

    @staticmethod
    def _hand_over(ap: _AddressPool, conn: Connection) -> None:
        """A clean connection goes to the first waiter (so a newcomer cannot overtake those who
        wait), or to the idle ones."""
        while ap.waiters:
            waiter = ap.waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)  # it stays in use, by its new borrower
                return
        ap.in_use.discard(conn)
        ap.idle.append(conn)

    def _reusable(self, conn: Connection, entry: _Entry, now: float) -> bool:
        if conn.closed or entry.stale or self._closed:
            return False
        return self.max_lifetime is None or now - entry.created <= self.max_lifetime

    # -- release ------------------------------------------------------------------------------

    def release_now(self, conn: Connection) -> bool:
        """:meth:`release` when it has nothing to wait for (the connection is ours, idle and
        reusable: it goes straight back), without a task; False: call :meth:`release`."""
        if os.getpid() != self._pid:
            return False
        entry = self._entries.get(conn)
        if entry is None or not conn.idle or not self._reusable(conn, entry, clock.monotonic()):
            return False
        ap = self._pools.get(entry.address)
        if ap is None or conn not in ap.in_use:
            return False
        entry.db = None
        conn.bookmarks = []
        entry.idle_since = clock.monotonic()
        self._hand_over(ap, conn)
        return True

    async def release(self, conn: Connection) -> None:
        """Give a connection back. Whatever it still had going (an open transaction, a result the
        server still holds, a failure) is RESET first; a connection that is broken, too old, or
        from a server that went away is closed instead."""
        if os.getpid() != self._pid:
            return  # (a forked child: the socket is the parent's, leave it alone)
        entry = self._entries.get(conn)
        if entry is None:  # not (or no longer) ours
            if not conn.closed:
                await conn.close()
            return
        ap = self._pools.get(entry.address)
        if ap is None or conn not in ap.in_use:
            return  # released twice
        entry.db = None
        if self._reusable(conn, entry, clock.monotonic()) and not conn.idle:
            try:
                await conn.ping(self.connection_timeout)
            except asyncio.CancelledError:
                self._drop(conn, "cancelled")
                raise
            except Exception as exc:
                log.debug("pool: RESET of %s on release failed (%s); closing it", conn, exc)
                self._drop(conn, "reset failed")
                return
        if not self._reusable(conn, entry, clock.monotonic()) or not conn.idle:
            self._drop(conn, self._why_not_reusable(entry))
            return
        conn.bookmarks = []  # the session passes its own; nothing leaks to the next borrower
        entry.idle_since = clock.monotonic()
        self._hand_over(ap, conn)

    def _why_not_reusable(self, entry: _Entry | None) -> str:
        if self._closed:
            return "pool shutdown"
        if entry is not None and entry.stale:
            return "server failed"
        if entry is not None and self.max_lifetime is not None and \
                clock.monotonic() - entry.created > self.max_lifetime:
            return "lifetime"
        return "reset failed"  # (not idle after its RESET)

    def _drop(self, conn: Connection, reason: str = "server failed") -> None:
        """Forget a connection and close it (in the background); its place is free again.
        ``reason``: why we close it, unless it had already ended (then the reason it ended)."""
        entry = self._entries.pop(conn, None)
        if entry is not None:
            self._log_close(entry.address, conn, reason)
            ap = self._pools.get(entry.address)
            if ap is not None:
                ap.in_use.discard(conn)
                try:
                    ap.idle.remove(conn)
                except ValueError:
                    pass
                self._wake(ap)
        conn.on_error = None
        if not conn.closed:
            task = asyncio.ensure_future(conn.close())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    def kill(self, conn: Connection) -> None:
        """Break a connection at once (its state is unknown, e.g. work on it was cancelled); it is
        dropped when released."""
        if not conn.closed:
            conn.end_reason = conn.end_reason or "cancelled"
            conn._abort(ServiceUnavailable("the connection was closed: the work on it was cancelled"))

    # -- servers that fail ----------------------------------------------------------------------

    def _connection_error(self, conn: Connection, error: BaseException) -> None:
        entry = self._entries.get(conn)
        if entry is None:
            return
        if isinstance(error, Neo4jError) and error.code == AUTHORIZATION_EXPIRED:
            self._authorization_expired(conn, entry.address)
        if isinstance(error, Neo4jError):
            notice = security_failure(conn, error)
            if notice is not None:
                entry.refused = True
                self._notices.append(notice)
        ap = self._pools.get(entry.address)
        if ap is not None and conn in ap.idle:
            # Closed while nobody used it (the server's idle timeout, a restart): that says
            # nothing about the server now, so it is only forgotten; the server stays in the
            # routing tables, as with the official drivers, and the next use finds out.
            self._drop(conn)
            if not ap.size and not ap.waiters:
                del self._pools[entry.address]
            return
        if isinstance(error, ServiceUnavailable):
            entry.stale = True
            if entry.refused:
                return  # (the server ends a connection whose token it refused: not a failure)
        if self.on_error is not None:
            self.on_error(entry.address, error, entry.db)

    def _authorization_expired(self, conn: Connection, address: Any) -> None:
        """The server ends ``conn``; its other connections authenticate again before their next
        use: LOGOFF/LOGON on Bolt 5.1+; before, they cannot, so they close (idle ones now,
        busy ones when released)."""
        for other, entry in list(self._entries.items()):
            if entry.address != address:
                continue
            if other is not conn and has("logon", other.negotiated_version):
                other.auth_stale = True
                continue
            entry.stale = True
            ap = self._pools.get(address)
            if ap is not None and other in ap.idle:
                self._drop(other, "authorization expired")

    def deactivate(self, address: Any) -> None:
        """The server at ``address`` failed (or left the cluster): close its idle connections.
        Connections in use fail on their own if the server is gone."""
        ap = self._pools.get(address)
        if ap is None:
            return
        for conn in list(ap.idle):
            self._drop(conn, "server failed")
        if not ap.in_use and not ap.opening and not ap.waiters:
            del self._pools[address]

    def mark_stale(self, address: Any) -> None:
        """Reuse no connection to ``address``: idle ones close now, busy ones when released
        (e.g. their authorization expired)."""
        for entry in self._entries.values():
            if entry.address == address:
                entry.stale = True
        self.deactivate(address)

    # -- state ----------------------------------------------------------------------------------

    def in_use(self, address: Any) -> int:
        """Connections to ``address`` lent out (or being opened)."""
        ap = self._pools.get(address)
        return 0 if ap is None else len(ap.in_use) + ap.opening

    @property
    def addresses(self) -> list:
        return list(self._pools)

    def stats(self) -> dict[Any, dict[str, int]]:
        """Per address with a pool now: ``idle``, ``in_use``, ``opening``, ``waiting`` and
        ``opened`` (by this address pool, which a failed server's removal ends)."""
        return {address: {"idle": len(ap.idle), "in_use": len(ap.in_use), "opening": ap.opening,
                          "waiting": len(ap.waiters), "opened": ap.opened}
                for address, ap in self._pools.items()}

    def pool_stats(self) -> dict[Any, dict[str, Any]]:
        """Per server address ever used: ``in_use``, ``idle``, ``opening``, ``waiting`` (now),
        ``created`` and ``closed`` (over the pool's life) and ``closed_by_reason`` (``{reason:
        count}``, reasons from :data:`CLOSE_REASONS`)."""
        out = {}
        for address in [*self._history, *(a for a in self._pools if a not in self._history)]:
            ap = self._pools.get(address)
            history = self._record(address)
            out[address] = {"in_use": len(ap.in_use) if ap else 0, "idle": len(ap.idle) if ap else 0,
                            "opening": ap.opening if ap else 0,
                            "waiting": len(ap.waiters) if ap else 0,
                            "created": history["created"], "closed": history["closed"],
                            "closed_by_reason": dict(history["closed_by_reason"])}
        return out

    def _record(self, address: Any) -> dict[str, Any]:
        history = self._history.get(address)
        if history is None:
            history = self._history[address] = {"created": 0, "closed": 0, "closed_by_reason": {}}
        return history

    def _log_close(self, address: Any, conn: Connection, reason: str) -> None:
        """Count and log (once) a connection the pool forgets: the reason it ended if it had
        (the server's reset, our timeout...), else ``reason``, why we close it."""
        if conn.end_reason is None:
            conn.end_reason = "protocol error" if isinstance(conn._closed, ProtocolError) else reason
        reason = conn.end_reason
        history = self._record(address)
        history["closed"] += 1
        counts = history["closed_by_reason"]
        counts[reason] = counts.get(reason, 0) + 1
        who = CLOSE_REASONS.get(reason, "us: " + reason)
        ended = conn._closed
        log.info("pool: connection to %s closed by %s [%s]%s", address, who, reason,
                 f" ({ended})" if conn.closed and ended is not None and reason not in
                 ("pool shutdown", "lifetime") else "")

    @property
    def closed(self) -> bool:
        return self._closed

    def _check_open(self) -> None:
        if self._closed:
            raise ServiceUnavailable("the driver was closed")
        if os.getpid() != self._pid:
            raise BoltError(
                f"this driver's connection pool was made in process {self._pid} and is used in "
                f"process {os.getpid()}, forked from it: the parent's sockets cannot be shared. "
                "Make a new Driver in the child process (after the fork), and close the "
                "inherited one with close(), which leaves the parent's connections alone")

    async def close(self) -> None:
        """Close every connection (GOODBYE on each, idle or in use) and refuse new acquisitions;
        whoever waits for a connection gets ServiceUnavailable. In a process forked from the
        pool's, only forgets them: the sockets are the parent's, and it still uses them."""
        self._closed = True
        if os.getpid() != self._pid:
            self._entries.clear()
            self._pools.clear()
            self._closing.clear()
            return
        for ap in self._pools.values():
            for waiter in ap.waiters:
                if not waiter.done():
                    waiter.set_exception(ServiceUnavailable("the driver was closed"))
            ap.waiters.clear()
        conns = list(self._entries)
        entries = dict(self._entries)
        self._entries.clear()
        self._pools.clear()
        for conn in conns:
            conn.on_error = None
            self._log_close(entries[conn].address, conn, "pool shutdown")
        await asyncio.gather(*(conn.close() for conn in conns), return_exceptions=True)
        while self._closing:
            await asyncio.gather(*list(self._closing), return_exceptions=True)

    def __repr__(self) -> str:
        return f"<Pool {len(self._entries)} connections to {len(self._pools)} servers>"
