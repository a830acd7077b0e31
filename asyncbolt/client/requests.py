"""What the client's requests carry, version by version: pure functions, no I/O.

Every key is gated by its version range in spec/bolt.yaml (``MAP_KEYS``: hello_extra, tx_extra,
route_extra) or by a feature (``has``), never by a version literal: HELLO/INIT (and LOGON),
the ``extra`` map of BEGIN and RUN, the notification filters, and the routing request (ROUTE,
or the routing procedure before Bolt 4.3).
"""

from __future__ import annotations

import platform
from collections.abc import Iterable
from typing import Any

from asyncbolt import __version__
from asyncbolt._generated.codec import check_response_maps
from asyncbolt._generated.versions import has, key_holds, key_range, known_key, patch_holds, since
from asyncbolt.client.notifications import NotificationFilters
from asyncbolt.codec.messages import Hello, Init, Logon, Message, Route
from asyncbolt.core.handshake import format_version
from asyncbolt.errors import ConfigurationError, ProtocolError

__all__ = ["notification_filters", "hello_requests", "tx_extra", "route_request",
           "routing_procedure", "routing_table"]

Version = tuple[int, int]


def notification_filters(version: Version, min_severity: str | None,
                         disabled_classifications: Iterable[str] | None) -> dict[str, Any]:
    """The HELLO extra keys of notification filters in Bolt ``version``, named as spec/bolt.yaml's
    hello_extra table has them: the disabled classifications are ``..._categories`` until 5.4
    and ``..._classifications`` from 5.5 (as the official drivers send them). None before 5.2,
    which has no filters: the client filters the summaries instead
    (:mod:`asyncbolt.client.notifications`)."""
    return NotificationFilters.of(min_severity, disabled_classifications).extra("hello_extra", version)


def hello_requests(version: Version, user_agent: str, auth: dict, routing: dict | None,
                   min_severity: str | None = None,
                   disabled_classifications: Iterable[str] | None = None) -> list[Message]:
    """The requests that open a connection: INIT before Bolt 3.0; HELLO; HELLO and LOGON (with
    the credentials) from 5.1. The HELLO/INIT comes first; the last one authenticates."""
    if not has("hello", version):
        return [Init(user_agent, auth)]
    # Every key HELLO might carry; each is sent only in the versions spec/bolt.yaml's
    # hello_extra table gives it (the credentials: until LOGON carries them).
    offer: dict[str, Any] = {"user_agent": user_agent}
    if not has("logon", version):
        offer.update(auth)
    if routing is not None:
        offer["routing"] = routing
    if patch_holds("utc", version):
        offer["patch_bolt"] = ["utc"]
    offer.update(notification_filters(version, min_severity, disabled_classifications))
    offer["bolt_agent"] = {
        "product": f"asyncbolt/{__version__}",
        "platform": f"{platform.system()} {platform.release()}; {platform.machine()}",
        "language": f"Python/{platform.python_version()}",
    }
    # (a key the table does not name, as a custom auth token's, is sent as given)
    extra = {k: x for k, x in offer.items()
             if not known_key("hello_extra", k) or key_holds("hello_extra", k, version)}
    if has("logon", version):
        return [Hello(extra), Logon(auth)]
    return [Hello(extra)]


def tx_extra(version: Version, own_bookmarks: list[str], db: str | None, mode: str | None,
             bookmarks: Iterable[str] | None, timeout: float | None, metadata: dict | None,
             imp_user: str | None) -> dict[str, Any]:
    """The ``extra`` map of BEGIN (or of an auto-commit RUN). ``bookmarks`` None: the
    connection's own (``own_bookmarks``). A key the version does not have raises
    ConfigurationError; a bad value ValueError."""
    v = version
    extra: dict[str, Any] = {}
    marks = list(own_bookmarks if bookmarks is None else bookmarks)

    def need(key: str, what: str) -> None:
        # Each key exists in the versions its range in spec/bolt.yaml (tx_extra) holds.
        if not key_holds("tx_extra", key, v):
            low, high = key_range("tx_extra", key)
            when = (f"needs Bolt {format_version(low)}+" if v < low
                    else f"exists only up to Bolt {format_version(high or low)}")
            raise ConfigurationError("Neo.ClientError.Request.Invalid",
                                     f"{what} {when}; this connection speaks {v[0]}.{v[1]}")

    if not has("tx_extra", v):
        for key, name, value in (("bookmarks", "bookmarks", bookmarks), ("tx_timeout", "timeout", timeout),
                                 ("tx_metadata", "metadata", metadata), ("mode", "mode", mode),
                                 ("db", "db", db), ("imp_user", "imp_user", imp_user)):
            if value is not None:
                need(key, name)
        return extra
    if bookmarks is not None:
        need("bookmarks", "bookmarks")
    if marks and key_holds("tx_extra", "bookmarks", v):  # (the connection's own: where they go)
        extra["bookmarks"] = marks
    if timeout is not None:
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout < 0:
            # as the official drivers: 0 is "the server's default", below 0 is a mistake
            raise ValueError(f"a transaction timeout is 0 or more seconds, not {timeout!r}")
        need("tx_timeout", "timeout")
        extra["tx_timeout"] = int(timeout * 1000)
    if metadata:
        need("tx_metadata", "metadata")
        extra["tx_metadata"] = dict(metadata)
    if mode is not None:
        if mode not in ("r", "w", "READ", "WRITE"):
            raise ValueError("mode must be 'r' or 'w'")
        need("mode", "mode")
        if mode in ("r", "READ"):
            extra["mode"] = "r"
    if db is not None:
        need("db", "db")
        extra["db"] = db
    if imp_user is not None:
        need("imp_user", f"imp_user ({imp_user!r})")
        extra["imp_user"] = imp_user
    return extra


def _route_needs(v: Version, feature: str, version: Version) -> ConfigurationError:
    return ConfigurationError("Neo.ClientError.Request.Invalid",
                              f"{feature} in a routing request needs Bolt "
                              f"{version[0]}.{version[1]}+; this connection speaks {v[0]}.{v[1]}")


def route_request(v: Version, context: dict[str, Any], marks: list[str], db: str | None,
                  imp_user: str | None) -> Route | None:
    """ROUTE on Bolt 4.3+ (``db``; ``imp_user`` from 4.4, in an extra map); None before 4.3,
    where the routing procedure answers (:func:`routing_procedure`)."""
    if imp_user is not None and not key_holds("route_extra", "imp_user", v):
        raise _route_needs(v, f"imp_user ({imp_user!r})", key_range("route_extra", "imp_user")[0])
    if not has("route_message", v):
        return None
    if has("route_extra", v):
        extra: dict[str, Any] = {}
        if db is not None:
            extra["db"] = db
        if imp_user is not None:
            extra["imp_user"] = imp_user
        return Route(context, marks, extra=extra)
    return Route(context, marks, db=db)


def routing_procedure(v: Version, context: dict[str, Any], marks: list[str],
                      db: str | None) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Before Bolt 4.3: the query, parameters and ``run`` options that fetch the routing table:
    ``dbms.routing.getRoutingTable`` against the ``system`` database on 4.0-4.2,
    ``dbms.cluster.routing.getRoutingTable`` on 1.0-3.x (which know no ``db``; bookmarks are
    not sent there, as the drivers do)."""
    if has("multi_db", v):
        params: dict[str, Any]
        if db is None:
            query, params = "CALL dbms.routing.getRoutingTable($context)", {"context": context}
        else:
            query = "CALL dbms.routing.getRoutingTable($context, $database)"
            params = {"context": context, "database": db}
        # the whole table in one PULL (n -1), as the official drivers: it is small
        return query, params, {"db": "system", "mode": "r", "bookmarks": marks, "fetch_size": -1}
    if db is not None:
        raise _route_needs(v, "db", since("multi_db"))
    legacy = not has("tx_extra", v)
    return ("CALL dbms.cluster.routing.getRoutingTable($context)", {"context": context},
            {"mode": None if legacy else "r", "bookmarks": None if legacy else []})


def routing_table(fields: list[str], values: list) -> dict[str, Any]:
    """The routing table in the record the routing procedure returned (its field names and
    values); a wrong answer is the server's ProtocolError, not the caller's KeyError."""
    missing = [k for k in ("ttl", "servers") if k not in fields]
    if missing:
        raise ProtocolError(f"the routing procedure returned the fields {fields}, "
                            f"without {' and '.join(missing)}")
    if len(values) < len(fields):
        raise ProtocolError(f"the routing procedure returned a record of {len(values)} "
                            f"value(s) for the {len(fields)} fields {fields}")
    index = {name: i for i, name in enumerate(fields)}  # (as a Record reads them)
    table = {"ttl": values[index["ttl"]], "servers": values[index["servers"]]}
    problem = check_response_maps(table, "routing_table")
    if problem is not None:
        raise ProtocolError(f"the routing procedure returned a bad table: {problem}")
    return table
