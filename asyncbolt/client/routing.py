"""Cluster routing for ``neo4j://`` URIs: a routing table per database, refreshed from routers.

A routing table names the servers of a cluster by role: ROUTE (answer routing requests), READ,
WRITE. :class:`Router` keeps one per database, fetched with ROUTE on Bolt 4.3+ and with the
routing procedure before (``Connection.route``), and picks a server for each acquisition:

- the first table comes from the URI's host, resolved (a custom ``resolver`` first, then DNS) to
  possibly several addresses, tried in turn; later ones from the routers the last table named
  (then the URI's addresses again, if none of them answers);
- a session without a database needs its home database's name before its first work: the
  user's cached one (:attr:`Router.home_db`, see :mod:`asyncbolt.client.homedb`), else a
  routing request for the home database's table (:meth:`Router.home_database`, as the official
  drivers) answers it; the session then routes by that name's table for the rest of its life;
- all of it (resolving, connecting to routers, their answers) within the acquisition's one
  deadline (:mod:`asyncbolt.client.deadline`);
- a table is refreshed when its ``ttl`` runs out, or when it has no server for the access mode
  asked for (no writer while a leader is being elected, after the writer was forgotten...);
- a server that cannot be reached, or drops a connection in use, is removed from every table
  (one closing an idle pooled connection is not: that is found out on the next use); one that
  refuses a write as not the leader (``NotALeader``, ``ForbiddenOnReadOnlyDatabase``) is
  forgotten as a writer, so the next write fetches a new table;
- reads go to the reader with the fewest connections in use, writes to the writer; ties rotate.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import socket
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from asyncbolt.client import clock
from asyncbolt.client.connection import Connection
from asyncbolt.client.deadline import expired_error, remaining, stage
from asyncbolt.client.homedb import (
    DATABASE_NOT_FOUND,
    HomeDatabaseCache,
    home_key,
    resolves_home_db,
)
from asyncbolt.client.pool import Pool
from asyncbolt.errors import (
    AcquisitionDeadlineExceeded,
    Neo4jError,
    RoutingServiceUnavailable,
    ServiceUnavailable,
    SessionExpired,
)

__all__ = ["Address", "RoutingTable", "Router", "RoutingServiceUnavailable", "SessionExpired"]

log = logging.getLogger(__name__)

DEFAULT_PORT = 7687
#: A table unused this long after it expired is dropped (as the official drivers do).
PURGE_DELAY = 30.0

#: Errors that a router answers because of the request itself: asking another router is useless.
_FATAL_DISCOVERY = frozenset({
    "Neo.ClientError.Database.DatabaseNotFound",
    "Neo.ClientError.Transaction.InvalidBookmark",
    "Neo.ClientError.Transaction.InvalidBookmarkMixture",
    "Neo.ClientError.Statement.TypeError",
    "Neo.ClientError.Statement.ArgumentError",
    "Neo.ClientError.Request.Invalid",
})

#: The server is not (any more) the leader: forget it as a writer.
WRITER_GONE_CODES = frozenset({
    "Neo.ClientError.Cluster.NotALeader",
    "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase",
})


class Address(NamedTuple):
    """A server address; ``str()`` gives ``host:port`` (``[v6]:port``)."""

    host: str
    port: int

    @classmethod
    def parse(cls, value: Any, default_port: int = DEFAULT_PORT) -> Address:
        """From ``"host:port"``, ``"[::1]:7687"``, ``"host"``, ``(host, port)`` or an Address."""
        if isinstance(value, Address):
            return value
        if isinstance(value, (tuple, list)):
            if len(value) < 2:
                raise ValueError(f"an address needs a host and a port, not {value!r}")
            return cls(str(value[0]), int(value[1]))
        if not isinstance(value, str) or not value:
            raise ValueError(f"not an address: {value!r}")
        text = value.strip()
        if text.startswith("["):
            host, sep, rest = text[1:].partition("]")
            if not sep:
                raise ValueError(f"unclosed '[' in address {value!r}")
            port = rest[1:] if rest.startswith(":") else ""
        elif text.count(":") == 1:
            host, _, port = text.partition(":")
        else:  # a bare host, or a bare IPv6 address
            host, port = text, ""
        try:
            return cls(host, int(port) if port else default_port)
        except ValueError:
            raise ValueError(f"bad port in address {value!r}") from None

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


class RoutingTable:
    """The servers of one database by role, valid for ``ttl`` seconds from ``updated``."""

    def __init__(self, database: str | None = None, routers: Iterable[Address] = (),
                 readers: Iterable[Address] = (), writers: Iterable[Address] = (),
                 ttl: float = 0.0) -> None:
        self.database = database
        self.routers = list(dict.fromkeys(routers))
        self.readers = list(dict.fromkeys(readers))
        self.writers = list(dict.fromkeys(writers))
        self.ttl = ttl
        self.updated = clock.monotonic()

    @classmethod
    def parse(cls, table: dict[str, Any], database: str | None = None) -> RoutingTable:
        """From what ROUTE (``rt``) or the routing procedure answers; ValueError if malformed."""
        try:
            ttl = float(table["ttl"])
            servers = table["servers"]
            roles: dict[str, list[Address]] = {"ROUTE": [], "READ": [], "WRITE": []}
            for server in servers:
                role = server["role"]
                addresses = [Address.parse(a) for a in server["addresses"]]
                if role in roles:
                    roles[role].extend(addresses)
                else:
                    log.debug("routing: ignoring servers with unknown role %r", role)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed routing table {table!r}: {exc}") from exc
        db = table.get("db") or database
        return cls(db, roles["ROUTE"], roles["READ"], roles["WRITE"], ttl)

    @property
    def expires(self) -> float:
        return self.updated + self.ttl

    def is_fresh(self, readonly: bool) -> bool:
        """Still valid, and naming a router and a server for this access mode."""
        servers = self.readers if readonly else self.writers
        return clock.monotonic() < self.expires and bool(self.routers) and bool(servers)

    def forget(self, address: Address) -> None:
        for role in (self.routers, self.readers, self.writers):
            if address in role:
                role.remove(address)

    def forget_writer(self, address: Address) -> None:
        if address in self.writers:
            self.writers.remove(address)

    def servers(self) -> set[Address]:
        return {*self.routers, *self.readers, *self.writers}

    def __repr__(self) -> str:
        def names(addresses: list[Address]) -> str:
            return "[" + ", ".join(map(str, addresses)) + "]"
        return (f"<RoutingTable db={self.database!r} routers={names(self.routers)} "
                f"readers={names(self.readers)} writers={names(self.writers)} ttl={self.ttl:g}>")


Resolver = Callable[[Address], Any]


class Router:
    """Routing tables per database over a :class:`~asyncbolt.client.pool.Pool`.

    ``address``: the URI's (unresolved) address. ``context``: the routing context sent with every
    routing request (the URI's query parameters and ``address``). ``resolver(address)`` may map
    the URI's address to several (a list of addresses, ``"host:port"`` strings or tuples; a plain
    function or a coroutine); each is then resolved by DNS.
    """

    def __init__(self, pool: Pool, address: Address, context: dict[str, Any], *,
                 resolver: Resolver | None = None) -> None:
        self.pool = pool
        self.address = address
        self.context = dict(context)
        self.resolver = resolver
        #: Per database, by name; a home database's table under the name the server gave it
        #: (see :meth:`home_database`), or, when it gives none (before Bolt 4.4), under None, per
        #: user when impersonating, as the home database depends on the user (see :meth:`key`).
        self.tables: dict[Any, RoutingTable] = {}
        #: The host name each resolved address came from: what TLS verifies.
        self.hostnames: dict[Address, str] = {}
        #: The routers the last table (of any database) named: asked for new databases too.
        self.known_routers: list[Address] = []
        self._refreshing: dict[Any, asyncio.Future] = {}
        self._resolving: dict[tuple[Any, ...], asyncio.Future] = {}
        self._turn: dict[tuple[Any, bool], int] = {}
        #: The home database of each user (see :mod:`asyncbolt.client.homedb`).
        self.home_db = HomeDatabaseCache()
        #: Per server, whether its last connection resolves home databases itself (Bolt 5.8+
        #: with server-side routing): the cache's guesses are only used when all of them do.
        self._ssr: dict[Address, bool] = {}

    def note_connection(self, address: Address, conn: Connection) -> None:
        """A connection to ``address`` opened: remember whether its server can check a cached
        home database (:func:`~asyncbolt.client.homedb.resolves_home_db`)."""
        self._ssr[address] = resolves_home_db(conn)

    @property
    def ssr_enabled(self) -> bool:
        """Whether every server connected to so far resolves home databases itself."""
        return bool(self._ssr) and all(self._ssr.values())

    @staticmethod
    def key(db: str | None, imp_user: str | None = None) -> Any:
        """Where the table of ``db`` is kept: ``db``, or for the home database of an impersonated
        user, ``("home", user)``."""
        return db if db is not None or imp_user is None else ("home", imp_user)

    # -- resolution -----------------------------------------------------------------------------

    async def resolve(self, address: Address) -> list[Address]:
        """The custom resolver's addresses for ``address`` (or itself), each resolved by DNS."""
        candidates = [address]
        if self.resolver is not None:
            stage(f"resolving {address} (the custom resolver)")
            out = self.resolver(address)
            if inspect.isawaitable(out):
                out = await out
            candidates = [Address.parse(a) for a in out]
        loop = asyncio.get_running_loop()
        resolved: list[Address] = []
        problems = []
        for candidate in candidates:
            stage(f"resolving {candidate.host} (DNS)")
            try:
                infos = await loop.getaddrinfo(candidate.host, candidate.port, type=socket.SOCK_STREAM)
            except (socket.gaierror, UnicodeError) as exc:
                problems.append(f"{candidate}: {exc}")
                continue
            for _family, _type, _proto, _name, sockaddr in infos:
                found = Address(str(sockaddr[0]), int(sockaddr[1]))
                if found not in resolved:
                    resolved.append(found)
                    self.hostnames.setdefault(found, candidate.host)
        if not resolved:
            raise RoutingServiceUnavailable(f"cannot resolve {address}: {'; '.join(problems)}")
        log.debug("routing: %s resolves to %s", address, ", ".join(map(str, resolved)))
        return resolved

    # -- tables ---------------------------------------------------------------------------------

    async def ensure_fresh(self, readonly: bool, db: str | None, bookmarks: Iterable[str] = (),
                           imp_user: str | None = None, timeout: float | None = None) -> RoutingTable:
        """The table of ``db``, fetched anew if it expired or has no server for the mode. Callers
        that find the same table stale share one fetch (and its failure)."""
        key = self.key(db, imp_user)
        table = self.tables.get(key)
        if table is not None and table.is_fresh(readonly):
            return table
        stage(f"fetching the routing table of database {db or '(default)'!r}")
        return await self._shared(self._refreshing, key, db, bookmarks, imp_user, timeout)

    async def home_database(self, bookmarks: Iterable[str] = (), imp_user: str | None = None,
                            timeout: float | None = None, cache_key: Any = None) -> str | None:
        """The name of the home database (of ``imp_user``), from a routing table fetched anew,
        as the official drivers do when a session without a database starts its first work. The
        table is kept under that name, so the session's work goes where the name's table says;
        None when the server names no database (before Bolt 4.4): the table is then the home
        database's (:meth:`key`). Callers asking alike at the same time share one fetch. The
        name is cached (:attr:`home_db`) under ``cache_key`` (:func:`~asyncbolt.client.homedb.home_key`)."""
        marks = sorted(set(bookmarks))
        stage("resolving the home database (a routing table request)")
        table = await self._shared(self._resolving, (imp_user, *marks), None, marks, imp_user,
                                   timeout)
        if table.database is not None:
            self.home_db.put(cache_key, table.database)
        return table.database

    def table_of(self, db: str | None, imp_user: str | None = None) -> RoutingTable | None:
        """The routing table kept for ``db`` (None: the home database, of ``imp_user``), if any."""
        table = self.tables.get(self.key(db, imp_user))
        if table is None and db is None:
            name = self.home_db.peek(home_key(imp_user))
            table = None if name is None else self.tables.get(name)
        return table

    async def _shared(self, fetches: dict[Any, asyncio.Future], key: Any, db: str | None,
                      bookmarks: Iterable[str], imp_user: str | None,
                      timeout: float | None) -> RoutingTable:
        """``refresh(db, ...)``, one fetch for all who ask under ``key`` in ``fetches`` while it
        runs (they share its failure too)."""
        pending = fetches.get(key)
        if pending is None:
            self._purge()
            pending = asyncio.ensure_future(self.refresh(db, bookmarks, imp_user, timeout))
            fetches[key] = pending

            def done(future: asyncio.Future) -> None:
                if fetches.get(key) is future:
                    del fetches[key]
                if not future.cancelled():
                    future.exception()  # retrieved: a failure nobody waits for is not logged

            pending.add_done_callback(done)
        # shield: a caller that gives up does not cancel the fetch the others wait for
        return await asyncio.shield(pending)

    def _purge(self) -> None:
        now = clock.monotonic()
        for key, table in list(self.tables.items()):
            if table.expires + PURGE_DELAY < now and key not in self._refreshing:
                log.debug("routing: dropping the unused table of %r", key)
                del self.tables[key]

    async def refresh(self, db: str | None, bookmarks: Iterable[str] = (), imp_user: str | None = None,
                      timeout: float | None = None) -> RoutingTable:
        """Fetch the table of ``db`` from its routers, then the routers the latest table of any
        database named, then the URI's addresses. Within an acquisition, all of it fits in
        what is left of its deadline (:mod:`asyncbolt.client.deadline`); called on its own,
        each router's connection has ``timeout`` of its own. A ROUTE answer waits at most the
        pool's ``connection_timeout`` (and the deadline)."""
        marks = list(bookmarks)
        errors: list[BaseException] = []
        tried: set[Address] = set()
        key = self.key(db, imp_user)
        old = self.tables.get(key)
        for router in [*(old.routers if old is not None else ()), *self.known_routers]:
            if router in tried:
                continue
            tried.add(router)
            table = await self._fetch(router, db, marks, imp_user, remaining(timeout), errors)
            if table is not None:
                return self._install(self._key_of(key, db, table), table)
        for router in await self._initial_routers(errors):
            if router in tried:
                continue
            tried.add(router)
            table = await self._fetch(router, db, marks, imp_user, remaining(timeout), errors)
            if table is not None:
                return self._install(self._key_of(key, db, table), table)
        reasons = "; ".join(str(e) for e in errors) or "no router to ask"
        raise RoutingServiceUnavailable(
            f"unable to get a routing table for database {db or '(default)'!r}: {reasons}"
        ) from (errors[-1] if errors else None)

    async def _initial_routers(self, errors: list[BaseException]) -> list[Address]:
        try:
            return await self.resolve(self.address)
        except ServiceUnavailable as exc:
            errors.append(exc)
            return []

    async def _fetch(self, router: Address, db: str | None, bookmarks: list[str],
                     imp_user: str | None, timeout: float | None,
                     errors: list[BaseException]) -> RoutingTable | None:
        stage(f"connecting to router {router}")
        try:
            conn = await self.pool.acquire(router, timeout)
        except AcquisitionDeadlineExceeded:
            raise
        except ServiceUnavailable as exc:
            log.debug("routing: router %s unreachable: %s", router, exc)
            errors.append(exc)
            self.deactivate(router)
            return None
        wait = self.pool.connection_timeout
        left = remaining(None)
        if left is not None:
            wait = max(left, 0.0) if wait is None else min(wait, max(left, 0.0))
        stage(f"waiting for router {router} to answer the routing table request")
        try:
            raw = await asyncio.wait_for(conn.route(self.context, bookmarks, db, imp_user), wait)
        except asyncio.TimeoutError:
            self.pool.kill(conn)
            late = expired_error()
            if late is not None:
                raise late from None
            errors.append(ServiceUnavailable(f"router {router} did not answer in time"))
            return None
        except AcquisitionDeadlineExceeded:
            raise
        except ServiceUnavailable as exc:
            errors.append(exc)
            self.deactivate(router)
            return None
        except Neo4jError as exc:
            if exc.code == DATABASE_NOT_FOUND:
                self.home_db.forget_database(db)
            if exc.code in _FATAL_DISCOVERY or (exc.code.startswith("Neo.ClientError.Security.")
                                                and exc.code != "Neo.ClientError.Security.AuthorizationExpired"):
                raise
            log.debug("routing: router %s refused: %s", router, exc)
            errors.append(exc)
            return None
        finally:
            await self.pool.release(conn)
        try:
            table = RoutingTable.parse(raw, db)
        except ValueError as exc:
            errors.append(ServiceUnavailable(f"router {router}: {exc}"))
            return None
        if not table.routers:
            errors.append(ServiceUnavailable(f"router {router} answered a table with no routers"))
            return None
        if not table.readers:
            errors.append(ServiceUnavailable(f"router {router} answered a table with no readers"))
            return None
        log.debug("routing: %s from %s", table, router)
        return table

    @staticmethod
    def _key_of(key: Any, db: str | None, table: RoutingTable) -> Any:
        """Where a fetched table goes: a home database's table under the name the server gave
        it (sessions then ask for that name), else where it was asked for."""
        return table.database if db is None and table.database is not None else key

    def _install(self, key: Any, table: RoutingTable) -> RoutingTable:
        self.tables[key] = table
        self.known_routers = list(table.routers)
        # Idle connections to servers that no table names any more are closed.
        known = set().union(*(t.servers() for t in self.tables.values()))
        known |= set(self.hostnames)  # the URI's own addresses stay
        for address in self.pool.addresses:
            if address not in known:
                self.pool.deactivate(address)
        return table

    # -- choosing a server ----------------------------------------------------------------------

    def select(self, readonly: bool, db: str | None, imp_user: str | None = None) -> Address:
        """The reader (or writer) with the fewest connections in use; ties rotate."""
        key = self.key(db, imp_user)
        table = self.tables.get(key)
        candidates = (table.readers if readonly else table.writers) if table is not None else []
        if not candidates:
            raise SessionExpired(f"no {'read' if readonly else 'write'} server is available for "
                                 f"database {db or '(default)'!r} right now")
        loads = [self.pool.in_use(a) for a in candidates]
        low = min(loads)
        best = [a for a, n in zip(candidates, loads, strict=True) if n == low]
        turn = self._turn.get((key, readonly), 0)
        self._turn[(key, readonly)] = turn + 1
        return best[turn % len(best)]

    async def acquire(self, readonly: bool, db: str | None, bookmarks: Iterable[str] = (),
                      imp_user: str | None = None, timeout: float | None = None,
                      **pool_options: Any) -> Connection:
        """A connection to a server for the access mode, refreshing the table as needed. A server
        that cannot be reached is removed from the table and the next one tried.
        ``pool_options``: for :meth:`Pool.acquire` (``liveness_check_timeout``)."""
        loop = asyncio.get_running_loop()
        # One deadline for the table and the server (within an acquisition, its own: then
        # ``timeout`` is what was left of it).
        deadline = None if timeout is None else loop.time() + timeout
        table = await self.ensure_fresh(readonly, db, bookmarks, imp_user, timeout)
        if db is None and table.database is not None:
            db = table.database  # the server named the home database: its table is kept
            # under that name
        key = self.key(db, imp_user)
        errors: list[BaseException] = []
        mode = "read" if readonly else "write"
        while True:
            try:
                address = self.select(readonly, db, imp_user)
            except SessionExpired as exc:
                if not errors:
                    raise
                # Say what happened to the servers tried, not only that none is left.
                raise SessionExpired(f"{exc}: {'; '.join(str(e) for e in errors)}") from errors[-1]
            left = None if deadline is None else deadline - loop.time()
            if left is not None and left <= 0:
                late = expired_error()
                if late is not None:
                    raise late
                reasons = "; ".join(str(e) for e in errors) or "the routing table took it all"
                raise ServiceUnavailable(f"no {mode} server of database {db or '(default)'!r} could "
                                         f"be reached within {timeout:.3g}s: {reasons}")
            try:
                return await self.pool.acquire(address, left, db=key, **pool_options)
            except AcquisitionDeadlineExceeded:
                raise
            except ServiceUnavailable as exc:
                log.debug("routing: %s unreachable (%s); removing it from the routing tables", address, exc)
                errors.append(exc)
                self.deactivate(address)

    # -- failures -------------------------------------------------------------------------------

    def deactivate(self, address: Address) -> None:
        """``address`` failed: remove it from every table and close its idle connections."""
        for table in self.tables.values():
            table.forget(address)
        if address in self.known_routers:
            self.known_routers.remove(address)
        self.pool.deactivate(address)

    def forget_writer(self, address: Address, key: Any) -> None:
        """``address`` is no longer the leader of the database of table ``key`` (see
        :meth:`key`): the next write fetches a new table."""
        table = self.tables.get(key)
        if table is not None:
            table.forget_writer(address)
            log.info("routing: %s is no longer a writer of %r", address, key or "(default)")

    def on_error(self, address: Address, error: BaseException, key: Any) -> None:
        """What a connection's failure means for the tables (the pool calls this with the table
        key the connection was acquired for)."""
        if isinstance(error, ServiceUnavailable):
            self.deactivate(address)
        elif isinstance(error, Neo4jError):
            if error.code in WRITER_GONE_CODES:
                self.forget_writer(address, key)
            elif error.code == "Neo.TransientError.General.DatabaseUnavailable":
                self.deactivate(address)
            elif error.code == DATABASE_NOT_FOUND and isinstance(key, str):
                # (a cached home database that is gone: the next session resolves anew)
                self.home_db.forget_database(key)
            # (AuthorizationExpired: the pool re-authenticates the server's other connections)
