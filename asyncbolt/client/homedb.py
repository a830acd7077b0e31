"""The home database of each user, resolved once and cached (``neo4j://`` drivers).

A session opened without a database works on the home database of its user. Finding out which
database that is costs a routing round trip (ROUTE, or the routing procedure before Bolt 4.3);
the official drivers before 5.26 paid it for every session. A routing driver keeps the answer
here instead, per user, so the next sessions of that user go straight to work:

- where the servers can check the guess, that is on Bolt 5.8+ (``home_db_resolution`` in
  spec/bolt.yaml) with server-side routing on (HELLO's ``ssr.enabled`` hint, on every server
  the driver connected to), the session routes by the cached name but sends no ``db``: the
  server resolves the home database itself and names it in the SUCCESS of BEGIN/RUN; the
  session then pins that name, and when it differs from the cached one (the user's home
  database changed) the cache is corrected. As the official 6.x drivers.
- elsewhere (older servers, no server-side routing) a session resolves its home database with
  one routing request, as before, unless :attr:`HomeDatabaseCache.without_ssr` is set: then
  the cached name is used as if the session had been given it, which saves the round trip but
  may send work to the old home database for up to ``ttl`` seconds after it changed.

The key is the user the work runs as: the impersonated user, else the session's own auth
principal (for sessions that authenticate on their own), else None (the driver's user). A
session given ``bookmarks=`` resolves anew, with them: the transactions it waits for may have
changed its user's home database. An entry is dropped when it expires, when the cache is over
``max_size`` (least recently used first), and when the database it names is reported missing
(``DatabaseNotFound``) by a router or a server.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from asyncbolt.client import clock

__all__ = ["HomeDatabaseCache", "home_key", "DEFAULT_TTL", "DEFAULT_MAX_SIZE"]

#: Seconds a resolved home database is trusted.
DEFAULT_TTL = 300.0
#: Users remembered at most.
DEFAULT_MAX_SIZE = 1000

DATABASE_NOT_FOUND = "Neo.ClientError.Database.DatabaseNotFound"


def home_key(imp_user: str | None = None, auth: Any = None) -> Hashable:
    """The cache key of the user work runs as: ``("imp_user", name)`` when impersonating, else
    ``("auth", principal)`` for a session's own auth (a ``(user, password)`` tuple, an auth
    map or an object with ``principal``), else None: the driver's own user."""
    if imp_user is not None:
        return ("imp_user", imp_user)
    if auth is None:
        return None
    if isinstance(auth, (tuple, list)) and auth:
        return ("auth", str(auth[0]))
    if isinstance(auth, dict):
        principal = auth.get("principal")
    else:
        principal = getattr(auth, "principal", None)
    if principal is None:
        # A token with no principal (bearer, custom): the token itself stands for the user.
        try:
            return ("auth", repr(sorted(auth.items())) if isinstance(auth, dict) else repr(auth))
        except TypeError:
            return ("auth", repr(auth))
    return ("auth", str(principal))


class HomeDatabaseCache:
    """``{user key: home database name}``, each entry valid ``ttl`` seconds (None: until
    dropped), at most ``max_size`` entries (least recently used go first). Counts its
    ``hits``, ``misses``, ``corrections`` (an answer that named another database than the
    cached one), ``evictions`` and ``expired`` entries: :meth:`stats`."""

    def __init__(self, ttl: float | None = DEFAULT_TTL, max_size: int = DEFAULT_MAX_SIZE, *,
                 without_ssr: bool = False) -> None:
        if ttl is not None and not ttl >= 0:
            raise ValueError(f"the home database cache's ttl must be >= 0 or None, got {ttl!r}")
        if not isinstance(max_size, int) or max_size < 0:
            raise ValueError(f"the home database cache's max_size must be an int >= 0, got {max_size!r}")
        self.ttl = ttl
        self.max_size = max_size
        #: Use cached names also where no server can check them (see the module's docs).
        self.without_ssr = without_ssr
        self._entries: OrderedDict[Hashable, tuple[str, float]] = OrderedDict()
        self._counts = {"hits": 0, "misses": 0, "corrections": 0, "evictions": 0, "expired": 0}

    def get(self, key: Hashable) -> str | None:
        """The cached home database of ``key``, or None (counted as a hit or a miss)."""
        name = self.peek(key)
        self._counts["hits" if name is not None else "misses"] += 1
        if name is not None:
            self._entries.move_to_end(key)
        return name

    def peek(self, key: Hashable) -> str | None:
        """As :meth:`get`, uncounted (an expired entry is dropped all the same)."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        name, learnt = entry
        if self.ttl is not None and clock.monotonic() - learnt > self.ttl:
            del self._entries[key]
            self._counts["expired"] += 1
            return None
        return name

    def put(self, key: Hashable, name: str) -> None:
        """``name`` is the home database of ``key`` now (a fresh entry)."""
        if not isinstance(name, str) or not name:
            return
        old = self._entries.pop(key, None)
        if old is not None and old[0] != name:
            self._counts["corrections"] += 1
        if self.max_size == 0:
            return
        self._entries[key] = (name, clock.monotonic())
        while len(self._entries) > self.max_size:
            self._entries.popitem(last=False)
            self._counts["evictions"] += 1

    def forget(self, key: Hashable) -> None:
        """Drop the entry of ``key``."""
        self._entries.pop(key, None)

    def forget_database(self, name: Any) -> int:
        """Drop every entry naming database ``name`` (it was reported missing); how many."""
        gone = [key for key, (db, _) in self._entries.items() if db == name]
        for key in gone:
            del self._entries[key]
        return len(gone)

    def clear(self) -> None:
        """Drop every entry (the counts stay)."""
        self._entries.clear()

    def stats(self) -> dict[str, int]:
        """``entries`` now, and since the driver started: ``hits``, ``misses``,
        ``corrections``, ``evictions``, ``expired``."""
        return {"entries": len(self._entries), **self._counts}

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"<HomeDatabaseCache {len(self._entries)} entries ttl={self.ttl!r}>"


# -- what a session does with it ---------------------------------------------------------------


async def resolve_for(session: Any, marks: list[str], timeout: Any) -> None:
    """Before a session's first work, with routing and no database given: the cached home
    database of its user as a guess (``session._db_guess``), or one routing request that
    resolves it (then ``session._db`` is pinned and the answer cached)."""
    driver = session._driver
    router = driver.router
    cache = router.home_db if router is not None else None
    key = home_key(session._imp_user, getattr(session, "_auth_token", None))
    if cache is not None and not session._initial_bookmarks and (
            cache.without_ssr or router.ssr_enabled):
        guess = cache.get(key)
        if guess is not None:
            session._db_guess = guess
            return
    session._db = await driver._home_database(marks, session._imp_user, timeout, key)
    session._db_known = True


def resolves_home_db(conn: Any) -> bool:
    """Whether ``conn``'s server resolves the home database itself and says which it took:
    Bolt 5.8+ with server-side routing on (HELLO's ``ssr.enabled`` hint)."""
    from asyncbolt._generated.versions import has

    version = conn.protocol_version
    return (version is not None and has("home_db_resolution", version)
            and conn.hints.get("ssr.enabled") is True)


def work_db(session: Any, conn: Any) -> str | None:
    """The ``db`` a session's next BEGIN/RUN names on ``conn``: its pinned database; or, with
    only a cached guess, nothing where the server resolves it and says which (see
    :func:`learn`), else the guess, then pinned."""
    if session._db_known or session._db_guess is None:
        return session._db
    if resolves_home_db(conn):
        return None
    session._db, session._db_known = session._db_guess, True
    return session._db


def learn(session: Any, meta: dict[str, Any] | None) -> None:
    """The SUCCESS of a BEGIN/RUN sent without ``db`` (Bolt 5.8+) named the database: the
    session pins it, and the cache is corrected if it had another name."""
    if session._db_known or not meta:
        return
    name = meta.get("db")
    if not isinstance(name, str) or not name:
        return
    session._db, session._db_known = name, True
    router = session._driver.router
    if router is not None:
        router.home_db.put(home_key(session._imp_user, getattr(session, "_auth_token", None)), name)
