"""The 2017 seed's client API: ``ClientSession`` (from ``connect(..., protocol_class=...)``) and
its ``ClientResponse`` items, over the modern :class:`~asyncbolt.client.connection.Connection`.
Still importable from ``asyncbolt.client.connection`` and ``asyncbolt.client``."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from typing import Any, NamedTuple

from asyncbolt.client.connect import _open_connection, parse_uri
from asyncbolt.client.connection import DEFAULT_FETCH_SIZE, Connection, RequestIgnored
from asyncbolt.client.result import Result
from asyncbolt.errors import BoltError, Neo4jError

__all__ = ["ClientSession", "ClientResponse"]

class ClientResponse(NamedTuple):
    """One item of :meth:`ClientSession.run`: a record's values (``fields``) with the RUN's
    metadata, or (``eof=True``) the summary metadata."""

    fields: list | None
    metadata: dict[str, Any]
    eof: bool


class ClientSession:
    """The seed's session: ``async for response in session.run(query, params, get_eof=...)``.

    Statements are pipelined (``pipeline()`` queues without I/O; ``run()`` sends everything
    queued in one write and yields the records of each statement in order). A FAILURE raises
    ``ServerFailedError`` (with ``code``/``message``), and the session resets itself.
    """

    def __init__(self, conn: Connection, protocol: Any, on_failure: Any, client_name: str,
                 auth_token: dict, max_inflight: int) -> None:
        self._conn = conn
        self._protocol = protocol
        self._on_failure = on_failure
        self._client_name = client_name
        self._auth_token = auth_token
        self._max_inflight = max_inflight
        self._results: deque[Result] = deque()

    @property
    def client_name(self) -> str:
        return self._client_name

    @property
    def auth_token(self) -> dict:
        return self._auth_token

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._conn._loop

    @property
    def connection(self) -> Connection:
        """The underlying :class:`Connection` (the modern API)."""
        return self._conn

    def pipeline(self, statement: str, parameters: dict[str, Any] | None = None) -> None:
        """Queue RUN and PULL_ALL without any I/O."""
        from asyncbolt.compat.exception import BoltClientError

        if 2 * (len(self._results) + 1) > self._max_inflight:
            raise BoltClientError(f"more than {self._max_inflight} messages in flight; drain with run()")
        self._results.append(self._conn._queue_run(statement, dict(parameters or {}), {}, -1, None))

    async def run(self, statement: str | None = None, parameters: dict[str, Any] | None = None, *,
                  get_eof: bool = False) -> AsyncIterator[ClientResponse]:
        """Send what is queued (plus ``statement``) and yield every record, in order."""
        from asyncbolt.compat.exception import ServerFailedError

        if statement is not None:
            self.pipeline(statement, parameters)
        if self._conn._outbox:
            self._conn._flush()
        while self._results:
            result = self._results.popleft()
            s = result._s
            try:
                async for record in result:
                    yield ClientResponse(record._values, s.run_meta, False)
            except (Neo4jError, RequestIgnored) as exc:
                rest, self._results = list(self._results), deque()
                for other in rest:
                    try:
                        await other.consume()
                    except BoltError:
                        pass
                signature = 0x0E if self._on_failure in (0x0E, "ACK_FAILURE") else 0x0F
                metadata = exc.to_metadata(self._conn.negotiated_version) if isinstance(exc, Neo4jError) else {}
                raise ServerFailedError(f"Server failed. Reset with '{signature}'", metadata) from exc
            if get_eof:
                yield ClientResponse(None, s.pull_meta, True)

    async def reset(self) -> ClientResponse:
        """RESET; answers the seed's ``ClientResponse(['Successfully reset sever session'], ...)``."""
        for result in self._results:
            result._s.abandoned = True
        self._results.clear()
        meta = await self._conn.reset()
        return ClientResponse(["Successfully reset sever session"], meta, True)

    def close(self) -> None:
        """Close the connection (does not stop the event loop, unlike the seed)."""
        asyncio.ensure_future(self._conn.close())

    async def aclose(self) -> None:
        await self._conn.close()

    async def __aenter__(self) -> ClientSession:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()


async def _seed_connect(uri: str | None, protocol_class: Any, loop: Any, host: str | None,
                        port: int | None, ssl: Any, on_failure: Any, max_inflight: int,
                        versions: Any, timeout: float | None, kwargs: dict) -> ClientSession:
    from asyncbolt.compat.exception import ProtocolError as SeedProtocolError
    from asyncbolt.compat.protocol import BoltClientProtocol

    if uri is not None:
        _, uri_host, uri_port, _ = parse_uri(uri)
        host, port = host or uri_host, port or uri_port
    protocol = (protocol_class or BoltClientProtocol)(loop, **kwargs)
    try:
        client_name, token = protocol.get_init_params()
    except Exception as exc:
        raise SeedProtocolError("Invalid get_init_params implementation") from exc
    scheme = "bolt+s" if ssl is True else "bolt"
    conn = await _open_connection(scheme, host or "127.0.0.1", 8888 if port is None else port, {},
                                  auth=token, ssl=ssl, user_agent=client_name,
                                  fetch_size=DEFAULT_FETCH_SIZE, versions=versions, timeout=timeout)
    return ClientSession(conn, protocol, on_failure, client_name, token, max_inflight)
