"""Requests about the server rather than about data: ``ping()`` (is it still there?) and
``route()`` (its routing table), mixed into :class:`~asyncbolt.client.connection.Connection`
(whose attributes they use)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from asyncbolt.client.requests import route_request, routing_procedure, routing_table
from asyncbolt.client.result import _Call, _Handler
from asyncbolt.client.transaction import _retrieve
from asyncbolt.errors import (
    ClientError,
    Neo4jError,
    ProtocolError,
    RequestIgnored,
    ServiceUnavailable,
)

if TYPE_CHECKING:
    from asyncbolt.client.result import Result
    from asyncbolt.codec.packstream import Codec
    from asyncbolt.core.client import ClientConnection

__all__ = ["ServerChecks"]


class ServerChecks:
    """``ping`` and ``route`` of a connection (a mixin of Connection)."""

    _core: ClientConnection
    _loop: asyncio.AbstractEventLoop
    _routing: dict | None
    _tx: Any
    host: str
    port: int

    # (provided by Connection)

    @property
    def negotiated_version(self) -> tuple[int, int]:
        raise NotImplementedError

    @property
    def idle(self) -> bool:
        raise NotImplementedError

    @property
    def _codec(self) -> Codec:
        raise NotImplementedError

    def _check_open(self) -> None:
        raise NotImplementedError

    def _abort(self, exc: BaseException, close: bool = True) -> None:
        raise NotImplementedError

    def _queue(self, message: Any, handler: _Handler | None) -> None:
        raise NotImplementedError

    def _flush(self) -> None:
        raise NotImplementedError

    async def _settle_current(self) -> None:
        raise NotImplementedError

    async def reset(self) -> dict[str, Any]:
        raise NotImplementedError

    async def run(self, query: str, parameters: dict[str, Any] | None = None, **kwargs: Any) -> Result:
        raise NotImplementedError

    async def ping(self, timeout: float | None = None) -> None:
        """Check that the server still answers (a RESET round trip, which also drops whatever the
        connection had going). Raises ServiceUnavailable, and closes the connection, if not.
        While the RESET sent after a failure is on its way, its answer is the round trip: a
        second RESET would be one too many (the official drivers' minimal resets)."""
        try:
            auto = self._core.auto_reset
            if auto is not None:
                answered = self._loop.create_future()
                answered.add_done_callback(_retrieve)

                def heard(error: BaseException | None) -> None:
                    if not answered.done():
                        if error is None:
                            answered.set_result(None)
                        else:
                            answered.set_exception(error)

                auto.callbacks.append(heard)
                await asyncio.wait_for(asyncio.shield(answered), timeout)
                if self.idle:
                    return
            await asyncio.wait_for(self.reset(), timeout)
        except asyncio.TimeoutError as exc:
            error = ServiceUnavailable(f"{self.host}:{self.port} did not answer RESET within {timeout}s")
            self._abort(error)
            raise error from exc
        except (ProtocolError, Neo4jError, RequestIgnored) as exc:
            error = ServiceUnavailable(f"{self.host}:{self.port} failed a RESET: {exc}")
            self._abort(error)
            raise error from exc

    async def route(self, routing: dict[str, Any] | None = None, bookmarks: Iterable[str] | None = None,
                    db: str | None = None, imp_user: str | None = None) -> dict[str, Any]:
        """Ask the server for a routing table: ``{"ttl": seconds, "db": name, "servers":
        [{"addresses": ["host:port", ...], "role": "ROUTE" | "READ" | "WRITE"}, ...]}``.

        ROUTE on Bolt 4.3+ (``db``; ``imp_user`` from 4.4). Older versions run the routing
        procedure: ``dbms.routing.getRoutingTable`` against the ``system`` database on 4.0-4.2,
        ``dbms.cluster.routing.getRoutingTable`` on 1.0-3.x (which know no ``db``). ``routing`` is
        the routing context (default: the one this connection sent in HELLO); ``bookmarks`` make
        the table at least as recent as those transactions (ignored before 4.0, as the drivers do).
        """
        self._check_open()
        if self._tx is not None:
            raise ClientError("Neo.ClientError.Request.Invalid",
                              "a routing table cannot be fetched inside a transaction")
        v = self.negotiated_version
        context = dict(self._routing or {}) if routing is None else dict(routing)
        marks = [str(b) for b in (bookmarks or ())]
        message = route_request(v, context, marks, db, imp_user)
        if message is not None:
            self._codec.pack_message(message)  # a value the codec refuses raises here
            await self._settle_current()
            future = self._loop.create_future()
            self._queue(message, _Call("ROUTE", future))
            self._flush()
            meta = await future
            table = dict(meta.get("rt") or {})
        else:
            query, params, options = routing_procedure(v, context, marks, db)
            # (strict: a routing procedure answering no row or several is an error, not a table)
            record = await (await self.run(query, params, **options)).single(strict=True)
            if record is None:  # (strict single() raises first; this only narrows the type)
                raise ProtocolError("the routing procedure returned no routing table")
            table = routing_table(record.keys(), record.values())
        if db is not None:
            table.setdefault("db", db)
        return table
