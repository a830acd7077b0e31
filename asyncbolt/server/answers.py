"""How a served connection answers each request: the session's hooks called for INIT/HELLO,
LOGON, RUN, PULL... and what they return turned into SUCCESS metadata and RECORDs.

:class:`_Answers` holds the per-connection state of the conversation with the session (the
session, its open results, the transaction); the I/O around it is in
:mod:`asyncbolt.server.connection`, whose class derives from it and dispatches each request
to its ``on_<name>`` method.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import secrets
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterator
from types import CoroutineType, GeneratorType
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from asyncbolt._generated.versions import has, key_holds, patch_holds
from asyncbolt.codec.messages import (
    Begin,
    Discard,
    Hello,
    Init,
    Logon,
    Message,
    Pull,
    Route,
    Run,
    Telemetry,
)
from asyncbolt.core.server import Request, ServerConnection
from asyncbolt.errors import AuthError, ClientError, DatabaseError, Neo4jError
from asyncbolt.server.session import ConnectionInfo, ServerResult, ServerSession

if TYPE_CHECKING:
    from asyncbolt.server.listener import Server

log = logging.getLogger(__name__)

#: HELLO extra keys that carry the auth token up to Bolt 5.0.
_AUTH_KEYS = ("scheme", "principal", "credentials", "realm", "parameters")
#: Bytes of RECORDs buffered before the runtime writes and waits for the socket to drain.
_FLUSH_BYTES = 64 * 1024
#: Rows a DISCARD {n} skips between two turns of the event loop.
_YIELD_ROWS = 4096
_ROUTING_PROCEDURES = ("dbms.routing.getroutingtable", "dbms.cluster.routing.getroutingtable")
#: Transactions as queries (Memgraph's dialect, which pymgclient speaks: with its DB-API default
#: ``autocommit=False`` every statement is preceded by RUN "BEGIN" and ended by RUN "COMMIT").
_TX_QUERIES = frozenset({"BEGIN", "COMMIT", "ROLLBACK"})


def _statement_bookmarks(parameters: dict[str, Any]) -> dict[str, Any]:
    """BEGIN's extra from the parameters of a Bolt 1/2 RUN "BEGIN", where the drivers of that era
    (the JavaScript driver 1.7, as Neo4j 3.x read them) put ``bookmark`` and/or ``bookmarks``."""
    given = parameters.get("bookmarks")
    if not isinstance(given, list):
        single = parameters.get("bookmark")
        given = [single] if isinstance(single, str) else []
    bookmarks = [b for b in given if isinstance(b, str)]
    return {"bookmarks": bookmarks} if bookmarks else {}



@functools.lru_cache(maxsize=256)
def _takes_two(run: Callable[..., Any]) -> bool:
    """Whether a session class's ``run`` has the seed's signature ``run(self, statement, parameters)``."""
    try:
        return len(inspect.signature(run).parameters) == 3
    except (TypeError, ValueError):
        return False


def _reference() -> str:
    """An opaque id that ties a generic FAILURE to its server log line."""
    return secrets.token_hex(6)


def _unexpected(what: str) -> DatabaseError:
    """Log the exception being handled (with its traceback) and return the FAILURE for the client:
    a generic message and a reference to the log line, never the exception's text, which may
    hold paths, queries, secrets or other internals."""
    reference = _reference()
    log.exception("%s (reference %s)", what, reference)
    return DatabaseError("Neo.DatabaseError.General.UnknownError",
                         f"An unexpected error occurred in the server (reference {reference}); "
                         "the server log has the details.")


async def _maybe_await(value: Any) -> Any:
    if type(value) is CoroutineType or inspect.isawaitable(value):
        return await value
    return value


class _Keys(NamedTuple):
    """What a Bolt version names in the answers to RUN and PULL (looked up once per version)."""

    t_first: str  # RUN's time to the first record: "t_first" or "result_available_after"
    t_last: str  # the last SUCCESS's: "t_last" or "result_consumed_after"
    db: bool  # the last SUCCESS names the database
    has_more: bool  # the last SUCCESS may say has_more
    bookmarks: bool  # auto-commit results end with a bookmark


@functools.cache
def _keys(version: tuple[int, int]) -> _Keys:
    return _Keys(
        "t_first" if key_holds("success_metadata", "t_first", version) else "result_available_after",
        "t_last" if key_holds("success_metadata", "t_last", version) else "result_consumed_after",
        key_holds("success_metadata", "db", version), key_holds("success_metadata", "has_more", version),
        has("autocommit_bookmarks", version))


_END = object()  # a result has no more rows
_NOTHING = object()  # no row was peeked
#: Iterables of rows that are plainly not asynchronous (no isinstance() against the ABC).
_SYNC_ROWS: frozenset[type] = frozenset({list, tuple, GeneratorType, range})


class _OpenResult:
    """An open result: its rows are pulled lazily."""

    __slots__ = ("fields", "metadata", "_iter", "_aiter", "_peeked", "done")

    def __init__(self, result: ServerResult) -> None:
        self.fields = result.fields
        self.metadata = result.metadata
        records = result.records
        # Exactly one of the two is set.
        self._iter: Iterator[Any] | None = None
        self._aiter: AsyncIterator[Any] | None = None
        self._peeked: Any = _NOTHING
        if type(records) not in _SYNC_ROWS and isinstance(records, AsyncIterable):
            self._aiter = records.__aiter__()
        else:
            self._iter = iter(records)  # type: ignore[arg-type]  # (not an AsyncIterable)
        self.done = False

    async def close(self) -> None:
        aclose = getattr(self._aiter, "aclose", None)
        if aclose is not None:
            await aclose()
        self.close_sync()

    def close_sync(self) -> None:
        """close() of a result whose rows are not asynchronous."""
        close = getattr(self._iter, "close", None)
        if close is not None:
            close()
        self.done = True


_M = TypeVar("_M", bound=Message)


def _message(request: Request, cls: type[_M]) -> _M:
    """The request's message as the class its handler expects (the state table routes each
    request name to one handler, so anything else is a bug here, not the client's)."""
    message = request.message
    if not isinstance(message, cls):
        raise TypeError(f"{request.name} decoded as {type(message).__name__}, not {cls.__name__}")
    return message


class _Answers:
    """The answers to each request of one connection (see the module's docstring)."""

    # Set by the connection class that derives from this one.
    server: Server
    conn: ServerConnection
    info: ConnectionInfo

    def __init__(self) -> None:
        self.session: ServerSession | None = None
        self.streams: dict[Any, _OpenResult] = {}
        self.in_tx = False
        #: The transaction was begun by RUN "BEGIN" (see _tx_query()), not by a BEGIN message.
        self.query_tx = False

    def flush(self) -> None:
        """Write what the core has to send (the connection's I/O)."""
        raise NotImplementedError

    async def drain(self) -> None:
        """Wait until the client has taken enough of what was written (the connection's I/O)."""
        raise NotImplementedError

    def _ensure_session(self) -> ServerSession:
        if self.session is None:
            session = self.server.session_factory()
            session.connection = self.info
            self.session = session
        return self.session

    @property
    def version(self) -> tuple[int, int]:
        """The negotiated version (requests are only dispatched after the handshake)."""
        version = self.conn.version
        if version is None:
            raise RuntimeError("no Bolt version negotiated yet")
        return version

    async def on_init(self, request: Request) -> None:
        msg = _message(request, Init)
        self.info.version = self.version
        self.info.user_agent = msg.user_agent
        session = self._ensure_session()
        await self._authenticate(session, msg.auth_token or {})
        self.conn.success(await self._hello_metadata(session, {}))

    async def on_hello(self, request: Request) -> None:
        extra = _message(request, Hello).extra or {}
        self.info.version = self.version
        self.info.user_agent = extra.get("user_agent")
        self.info.bolt_agent = extra.get("bolt_agent")
        self.info.routing = extra.get("routing")
        session = self._ensure_session()
        if not has("logon", self.version):
            await self._authenticate(session, {k: extra[k] for k in _AUTH_KEYS if k in extra})
        self.conn.success(await self._hello_metadata(session, extra))

    async def _authenticate(self, session: ServerSession, auth: dict) -> None:
        if auth.get("scheme") is None:
            auth = {**auth, "scheme": "none"}
        try:
            await _maybe_await(session.authenticate(auth))
        except Neo4jError:
            raise
        except Exception as exc:
            # Refused, with the generic message: the exception's text stays in the server log.
            reference = _reference()
            log.exception("%s: authenticate() raised (reference %s)", self.info.id, reference)
            raise AuthError() from exc
        self.info.user = auth.get("principal")

    async def _hello_metadata(self, session: ServerSession, extra: dict) -> dict[str, Any]:
        version = self.version
        meta: dict[str, Any] = {"server": self.server.agent_for(version)}
        seed = getattr(session, "get_server_metadata", None)
        if seed is not None:
            meta.update(await _maybe_await(seed()) or {})
        if key_holds("success_metadata", "connection_id", version):
            meta["connection_id"] = self.info.id
        if key_holds("success_metadata", "hints", version):
            hints: dict[str, Any] = {}
            if self.server.recv_timeout is not None:
                hints["connection.recv_timeout_seconds"] = self.server.recv_timeout
            if key_holds("hints", "telemetry.enabled", version):
                hints["telemetry.enabled"] = self.server.telemetry
            meta["hints"] = hints
        if patch_holds("utc", version) and "utc" in (extra.get("patch_bolt") or ()):
            meta["patch_bolt"] = ["utc"]
        if self.conn.manifest:
            meta["protocol_version"] = f"{version[0]}.{version[1]}"
        return meta

    async def on_logon(self, request: Request) -> None:
        await self._authenticate(self._ensure_session(), _message(request, Logon).auth or {})
        self.conn.success({})

    async def on_logoff(self, request: Request) -> None:
        await _maybe_await(self._ensure_session().logoff())
        self.info.user = None
        # (logged off: the core makes the next LOGON due within auth_timeout, as after connecting)
        self.conn.success({})

    async def on_telemetry(self, request: Request) -> None:
        await _maybe_await(self._ensure_session().telemetry(_message(request, Telemetry).api))
        self.conn.success({})

    async def on_ack_failure(self, request: Request) -> None:
        self.conn.success({})

    async def on_reset(self, request: Request) -> None:
        await self._drop_streams()
        session = self._ensure_session()
        self.query_tx = False
        if self.in_tx:
            self.in_tx = False
            try:
                await _maybe_await(session.rollback())
            except Exception:
                log.exception("%s: rollback during RESET failed", self.info.id)
        await _maybe_await(session.reset())
        self.conn.success({})

    async def _drop_streams(self) -> None:
        for stream in list(self.streams.values()):
            await stream.close()
        self.streams.clear()

    async def on_begin(self, request: Request) -> None:
        await _maybe_await(self._ensure_session().begin(_message(request, Begin).extra or {}))
        self.in_tx, self.query_tx = True, False
        self.conn.success({})

    async def on_commit(self, request: Request) -> None:
        await self._drop_streams()
        self.conn.success(await self._commit())

    async def _commit(self) -> dict[str, Any]:
        self.in_tx = self.query_tx = False
        meta = dict(await _maybe_await(self._ensure_session().commit()) or {})
        if "bookmark" not in meta:
            # Neo4j always answers COMMIT with a bookmark, and drivers rely on it: the Python
            # driver 1.7 sends the last one it got (``[None]`` when there was none) in its next
            # BEGIN. A session that tracks its own passes it; otherwise one is made up.
            meta["bookmark"] = self.server.next_bookmark()
        return meta

    async def on_rollback(self, request: Request) -> None:
        await self._drop_streams()
        self.in_tx = self.query_tx = False
        await _maybe_await(self._ensure_session().rollback())
        self.conn.success({})

    async def on_route(self, request: Request) -> None:
        msg = _message(request, Route)
        extra = msg.extra if msg.extra is not None and has("route_extra", self.version) else {"db": msg.db}
        extra = {k: v for k, v in (extra or {}).items() if v is not None}
        table = await _maybe_await(self._ensure_session().route(msg.routing or {}, msg.bookmarks or [], extra))
        self.conn.success({"rt": table})

    async def on_run(self, request: Request) -> None:
        msg = _message(request, Run)
        session = self.session if self.session is not None else self._ensure_session()
        extra = msg.extra or {}
        query = msg.query
        started = time.monotonic()
        tx_word = query.strip().rstrip(";").rstrip().upper() if len(query) <= 16 else ""
        if tx_word in _TX_QUERIES and (self.query_tx or (tx_word == "BEGIN" and not self.in_tx)):
            if not has("tx_extra", self.version):  # Bolt 1/2 (no RUN extra): BEGIN's parameters name them
                extra = _statement_bookmarks(msg.parameters or {})
            result = await self._tx_query(session, tx_word, extra)
        elif query.lstrip()[:5].lower() == "call " and any(
                p in query.lower() for p in _ROUTING_PROCEDURES):
            result = await self._routing_procedure(session, msg.parameters or {}, extra)
        else:
            result = await self._call_run(session, query, msg.parameters or {}, extra)
        if request.stream == "auto" and self.streams:
            await self._drop_streams()
        self.streams[request.stream] = _OpenResult(result)
        elapsed = int((time.monotonic() - started) * 1000)
        self.conn.success({"fields": result.fields, _keys(self.version).t_first: elapsed})

    async def _call_run(self, session: ServerSession, query: str, parameters: dict, extra: dict) -> ServerResult:
        # (a seed-style session overrides run() with two parameters)
        run: Callable[..., Any] = session.run
        seed_style = _takes_two(type(session).run)
        value = run(query, parameters) if seed_style else run(query, parameters, extra)
        if type(value) is CoroutineType or inspect.isawaitable(value):
            value = await value
        if isinstance(value, ServerResult):
            return value
        if seed_style:
            return ServerResult(["result"], [[value]])
        raise TypeError("run() must return asyncbolt.ServerResult (asyncbolt.Result), "
                        f"not {type(value).__name__}")

    async def _tx_query(self, session: ServerSession, word: str, extra: dict) -> ServerResult:
        """RUN "BEGIN"/"COMMIT"/"ROLLBACK" as Memgraph answers them (pymgclient's transactions):
        the session's begin()/commit()/rollback() hooks, as for the messages, and an empty
        result. Only outside a transaction for BEGIN and inside one begun so for the others;
        any other time the query goes to the session's run() like any query."""
        await self._drop_streams()
        if word == "BEGIN":
            await _maybe_await(session.begin(dict(extra)))
            self.in_tx = self.query_tx = True
            return ServerResult([], [])
        if word == "COMMIT":
            return ServerResult([], [], await self._commit())
        self.in_tx = self.query_tx = False
        await _maybe_await(session.rollback())
        return ServerResult([], [])

    async def _routing_procedure(self, session: ServerSession, parameters: dict, extra: dict) -> ServerResult:
        """Routing tables for clients of Bolt < 4.3, which ask with a procedure call."""
        context = parameters.get("context") or {}
        db = parameters.get("database")
        table = await _maybe_await(session.route(context, extra.get("bookmarks") or [],
                                                 {"db": db} if db else {}))
        return ServerResult(["ttl", "servers"], [[table.get("ttl", 300), table.get("servers", [])]])

    async def on_discard_all(self, request: Request) -> None:
        await self._discard(request, -1)

    async def on_discard(self, request: Request) -> None:
        await self._discard(request, int((_message(request, Discard).extra or {}).get("n", -1)))

    async def _discard(self, request: Request, n: int) -> None:
        stream = self._stream(request)
        if n < 0:
            # The client wants none of the rest: close the source rather than iterate it.
            await self._finish(request, stream, False)
            return
        skipped = 0
        more = False
        while skipped < n:
            row = await self._next_row(stream)
            if row is _END:
                break
            skipped += 1
            if not skipped % _YIELD_ROWS:
                await asyncio.sleep(0)  # (see _pull: a RESET is noticed, other connections run)
            if self.conn.interrupted:
                self.conn.ignored()
                return
        else:
            more = await self._has_more(stream)
        await self._finish(request, stream, more)

    async def on_pull_all(self, request: Request) -> None:
        await self._pull(request, -1)

    async def on_pull(self, request: Request) -> None:
        await self._pull(request, int((_message(request, Pull).extra or {}).get("n", -1)))

    def _stream(self, request: Request) -> _OpenResult:
        stream = self.streams.get(request.stream)
        if stream is None:
            raise ClientError("Neo.ClientError.Request.Invalid",
                              f"there is no open result for {request.name} (qid {request.stream!r})")
        return stream

    async def _next_row(self, stream: _OpenResult) -> Any:
        if stream._peeked is not _NOTHING:
            row, stream._peeked = stream._peeked, _NOTHING
            return row
        if stream._iter is not None:
            return next(stream._iter, _END)
        assert stream._aiter is not None  # (one of the two is set)
        try:
            return await stream._aiter.__anext__()
        except StopAsyncIteration:
            return _END

    async def _has_more(self, stream: _OpenResult) -> bool:
        if stream._peeked is _NOTHING:
            if stream._iter is not None:
                stream._peeked = next(stream._iter, _END)
            else:
                stream._peeked = await self._next_row(stream)
        return stream._peeked is not _END

    async def _pull(self, request: Request, n: int) -> None:
        stream = self._stream(request)
        conn = self.conn
        width = len(stream.fields)
        sent = 0
        record = conn.record
        rows = stream._iter  # (not None: the rows are not asynchronous, no await per row)
        while n < 0 or sent < n:
            if rows is not None and stream._peeked is _NOTHING:
                row = next(rows, _END)
            else:
                row = await self._next_row(stream)
            if row is _END:
                more = False
                break
            if type(row) is not list:
                if not isinstance(row, (list, tuple)):
                    raise DatabaseError(message=f"record {sent} is a {type(row).__name__}, not a list")
                row = list(row)
            if len(row) != width:
                raise DatabaseError(message=f"record {sent} has {len(row)} values for {width} fields")
            try:
                record(row)
            except (TypeError, ValueError) as exc:
                raise DatabaseError(message=f"record {sent} cannot be encoded: {exc}") from exc
            sent += 1
            if conn.buffered >= _FLUSH_BYTES:
                self.flush()
                await self.drain()
                # drain() does not wait while the client keeps up (its socket takes it all), so
                # without this the loop never ran during the stream: the read loop could not see
                # a RESET (an endless result streamed on for ever), and other connections stalled.
                await asyncio.sleep(0)
                if conn.interrupted:
                    conn.ignored()
                    return
        else:
            more = await self._has_more(stream)
        if conn.interrupted:
            conn.ignored()
            return
        await self._finish(request, stream, more)

    async def _finish(self, request: Request, stream: _OpenResult, more: bool) -> None:
        if more:
            self.conn.success({"has_more": True})
            return
        if stream._aiter is not None:
            await stream.close()
        else:
            stream.close_sync()
        self.streams.pop(request.stream, None)
        meta = dict(stream.metadata)
        if "type" not in meta:
            meta["type"] = "r"
        keys = _keys(self.version)
        if not self.in_tx and keys.bookmarks and "bookmark" not in meta:
            # An auto-commit transaction ends here: Neo4j names it by a bookmark (see on_commit).
            meta["bookmark"] = self.server.next_bookmark()
        meta[keys.t_last] = 0
        if keys.db and "db" not in meta:
            meta["db"] = self.server.default_db
        if keys.has_more and "has_more" not in meta:
            # Absent means false, but some clients (pymgclient) read it unconditionally.
            meta["has_more"] = False
        self.conn.success(meta)

