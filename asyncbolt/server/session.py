"""What an application writes to serve Bolt: a :class:`ServerSession` subclass whose hooks
answer questions about data, the :class:`ServerResult` its ``run`` returns, and the
:class:`ConnectionInfo` it is told about its connection. The protocol itself is the runtime's
(:mod:`asyncbolt.server.connection`).
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterable, Iterable
from typing import Any

from asyncbolt.errors import ClientError

__all__ = ["ServerResult", "Result", "ConnectionInfo", "ServerSession"]


class ServerResult:
    """What :meth:`ServerSession.run` returns (``asyncbolt.Result`` is the same class, its older
    name; the client's results are :class:`asyncbolt.client.connection.Result`).

    ``fields``: the column names. ``records``: an iterable or async iterable of rows (lists or
    tuples, one value per field); it is consumed lazily, only as far as the client's PULLs ask,
    so it may be endless. ``metadata`` is merged into the final SUCCESS (``type``, ``stats``,
    ``plan``, ``profile``, ``notifications``, ``bookmark``...).
    """

    __slots__ = ("fields", "records", "metadata")

    def __init__(self, fields: Iterable[str], records: Iterable[Any] | AsyncIterable[Any] = (),
                 metadata: dict[str, Any] | None = None) -> None:
        self.fields = list(fields)
        if not all(isinstance(f, str) for f in self.fields):
            raise TypeError("ServerResult fields must be strings")
        self.records = records
        self.metadata = dict(metadata or {})

    def __repr__(self) -> str:
        return f"ServerResult(fields={self.fields!r}, metadata={self.metadata!r})"


#: The older name of :class:`ServerResult` (the same class), kept for the code that uses it.
Result = ServerResult


class ConnectionInfo:
    """What a session knows about its connection."""

    __slots__ = ("id", "peer", "local", "version", "user_agent", "bolt_agent", "routing", "user",
                 "peer_certificate")

    def __init__(self, id: str, peer: Any, local: Any) -> None:
        self.id = id
        self.peer = peer
        self.local = local
        #: The client's certificate (mutual TLS: a server whose SSLContext requires one), as
        #: :meth:`ssl.SSLSocket.getpeercert` gives it (``subject``, ``issuer``, ``notAfter``...);
        #: None without one.
        self.peer_certificate: dict | None = None
        self.version: tuple[int, int] | None = None
        self.user_agent: str | None = None
        self.bolt_agent: dict | None = None
        self.routing: dict | None = None
        self.user: str | None = None

    def __repr__(self) -> str:
        return f"ConnectionInfo(id={self.id!r}, peer={self.peer!r}, version={self.version!r})"


class ServerSession:
    """Subclass and override the hooks; one instance serves one connection.

    Hooks may be coroutines or plain functions. Raise :class:`asyncbolt.ClientError` (or
    ``TransientError``, ``DatabaseError``) from any hook to send a FAILURE with that code and
    message; :class:`asyncbolt.AuthError` from :meth:`authenticate` refuses the client. Any other
    exception becomes ``Neo.DatabaseError.General.UnknownError`` (and is logged): it never takes
    the server down.

    The seed API still works: a ``run(self, statement, parameters)`` with two parameters returning
    a plain value answers one record with that value in a column named ``result``;
    ``verify_auth_token(auth_token)`` and ``get_server_metadata()`` are honoured.
    """

    #: Set by the runtime before the first hook runs.
    connection: ConnectionInfo

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The seed passed (loop, **kwargs); accept and keep the keyword arguments.
        self.options = kwargs

    async def authenticate(self, auth: dict[str, Any]) -> None:
        """Check an auth token ({scheme, principal, credentials, ...}); raise AuthError to refuse.

        The default accepts everyone (or defers to the seed's ``verify_auth_token``)."""
        verify = getattr(self, "verify_auth_token", None)
        if verify is not None:
            result = verify(auth)
            if inspect.isawaitable(result):
                await result

    async def run(self, query: str, parameters: dict[str, Any], extra: dict[str, Any]) -> ServerResult:
        """Run a query; return a :class:`ServerResult`."""
        raise ClientError("Neo.ClientError.Statement.SyntaxError",
                          f"{type(self).__name__} does not run queries")

    async def begin(self, extra: dict[str, Any]) -> None:
        """Open an explicit transaction (bookmarks, tx_timeout, tx_metadata, mode, db, ...)."""

    async def commit(self) -> dict[str, Any]:
        """Commit; return SUCCESS metadata, e.g. ``{"bookmark": "..."}``."""
        return {}

    async def rollback(self) -> None:
        """Roll the explicit transaction back."""

    async def route(self, routing: dict[str, Any], bookmarks: list[str],
                    extra: dict[str, Any]) -> dict[str, Any]:
        """The routing table: ``{"ttl": s, "db": name, "servers": [{"addresses", "role"}]}``.

        The default names this server in every role."""
        address = (routing or {}).get("address") or _address(self.connection.local)
        return {
            "ttl": 300,
            "db": extra.get("db") or "neo4j",
            "servers": [{"addresses": [address], "role": role} for role in ("ROUTE", "READ", "WRITE")],
        }

    async def reset(self) -> None:
        """The client reset the connection (after results and transaction were dropped)."""

    async def logoff(self) -> None:
        """The client dropped its authentication (Bolt 5.1+)."""

    async def telemetry(self, api: int) -> None:
        """Which driver API the client used (Bolt 5.4+): 0 managed tx ... 3 execute_query."""

    async def close(self) -> None:
        """The connection ended; release what the session holds."""


def _address(sockname: Any) -> str:
    if isinstance(sockname, tuple) and len(sockname) >= 2:
        host = sockname[0]
        return f"[{host}]:{sockname[1]}" if ":" in str(host) else f"{host}:{sockname[1]}"
    return str(sockname)


