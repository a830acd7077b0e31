"""The backend: testkit's requests served with asyncbolt's Driver, one connection at a time.

Framing (testkit's nutkit/backend): a request is the lines ``#request begin``, one JSON object
``{"name": ..., "data": {...}}``, ``#request end``; each answer is framed the same way with
``#response begin``/``#response end``. Every request gets exactly one response, in order.

Drivers, sessions, transactions, results and errors live in per-connection tables keyed by the
ids handed to testkit. A transaction function (``SessionReadTransaction`` etc.) runs as a task:
each attempt registers its transaction and answers ``RetryableTry``; testkit then runs queries on
it and ends the attempt with ``RetryablePositive`` (return) or ``RetryableNegative`` (raise), after
which the driver commits, retries (another ``RetryableTry``) or gives up (``RetryableDone`` or
the error).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import re
from collections import deque
from typing import Any

from asyncbolt.client.auth import basic_auth, bearer_auth, custom_auth, kerberos_auth
from asyncbolt.client.auth_managers import settled
from asyncbolt.client.connection import Result
from asyncbolt.client.driver import Driver, Session, unit_of_work
from asyncbolt.client.routing import Address

from .auth import AuthRequests
from .driver_info import DRIVER_INFO_FEATURES, DriverInfoRequests
from .errors import driver_error
from .execute import DriverLevelRequests
from .mock_time import MOCK_TIME_FEATURES, MockTimeRequests
from .notifications import (
    NOTIFICATION_FEATURES,
    NotificationRequests,
    gql_status_objects_data,
    notifications_data,
)
from .tls import TLS_FEATURES, TlsRequests
from .values import from_testkit, to_testkit

__all__ = ["serve", "Backend", "FEATURES", "NotSupported"]

log = logging.getLogger("testkit_backend")

#: What asyncbolt's client can do, as testkit names it. Only what it does: a feature left out
#: makes testkit skip the tests that need it.
FEATURES = [
    "Feature:API:BookmarkManager",
    "Feature:API:ConnectionAcquisitionTimeout",
    "Feature:API:Driver.ExecuteQuery",
    "Feature:API:Driver.ExecuteQuery:WithAuth",
    "Feature:API:Driver.SupportsSessionAuth",
    "Feature:API:Driver.VerifyAuthentication",
    "Feature:API:Driver.VerifyConnectivity",
    "Feature:API:Liveness.Check",
    "Feature:API:Result.List",
    "Feature:API:Result.Peek",
    "Feature:API:Result.Single",
    "Feature:API:RetryableExceptions",
    "Feature:API:Session:AuthConfig",
    "Feature:API:Type.Spatial",
    "Feature:API:Type.Temporal",
    "Feature:Auth:Bearer",
    "Feature:Auth:Custom",
    "Feature:Auth:Kerberos",
    "Feature:Auth:Managed",
    "Feature:Bolt:3.0",
    "Feature:Bolt:4.1",
    "Feature:Bolt:4.2",
    "Feature:Bolt:4.3",
    "Feature:Bolt:4.4",
    "Feature:Bolt:5.0",
    "Feature:Bolt:5.1",
    "Feature:Bolt:5.2",
    "Feature:Bolt:5.3",
    "Feature:Bolt:5.4",
    "Feature:Bolt:5.5",
    "Feature:Bolt:5.6",
    "Feature:Bolt:5.7",
    "Feature:Bolt:Patch:UTC",
    "Feature:Impersonation",
    "AuthorizationExpiredTreatment",
    "ConfHint:connection.recv_timeout_seconds",
    "Optimization:AuthPipelining",
    "Optimization:ConnectionReuse",
    "Optimization:EagerTransactionBegin",
    "Optimization:ExecuteQueryPipelining",
    "Optimization:ImplicitDefaultArguments",
    "Optimization:MinimalResets",
    "Optimization:PullPipelining",
    *NOTIFICATION_FEATURES,
    *TLS_FEATURES,
    *DRIVER_INFO_FEATURES,
    *MOCK_TIME_FEATURES,
]

#: The versions the driver offers: the Bolt features above (testkit knows nothing past 5.7).
#: Without 6.x the handshake needs no manifest slot, which leaves one for 4.1 spelled out next
#: to 3.0 (the official 5.x drivers' proposals): testkit's 4.1/4.2 stubs read no ranges.
VERSIONS = [(5, m) for m in range(7, -1, -1)] + [(4, 4), (4, 3), (4, 2), (4, 1), (3, 0)]


#: Tests that need an API asyncbolt does not have although testkit gates them on no feature
#: (regular expressions searched in StartTest's test name): StartTest answers SkipTest.
SKIPS = {
}


class NotSupported(Exception):
    """A request (or an option of one) asyncbolt's API has no counterpart for."""


class FrontendFailure(Exception):
    """What a transaction function raises when testkit says RetryableNegative without an error
    of the driver's: the application's own failure."""


class _ResultState:
    """A Result with the records ResultPeek looked at but did not take."""

    def __init__(self, result: Result, address: str) -> None:
        self.result = result
        self.buffer: deque = deque()
        self.address = address

    async def next(self) -> Any:
        if self.buffer:
            return self.buffer.popleft()
        try:
            return await self.result.__anext__()
        except StopAsyncIteration:
            return None

    async def peek(self) -> Any:
        if not self.buffer:
            record = await self.next()
            if record is None:
                return None
            self.buffer.append(record)
        return self.buffer[0]


class _Retryable:
    """One running transaction function."""

    def __init__(self) -> None:
        self.events: asyncio.Queue = asyncio.Queue()
        self.outcome: asyncio.Future | None = None
        self.task: asyncio.Task | None = None
        self.tx_id: int | None = None


def _auth(token: Any) -> Any:
    if token is None:
        return None
    data = token.get("data", token) if isinstance(token, dict) else vars(token)
    scheme = data.get("scheme")
    if scheme == "basic":
        return basic_auth(data.get("principal", ""), data.get("credentials", ""), data.get("realm"))
    if scheme == "bearer":
        return bearer_auth(data["credentials"])
    if scheme == "kerberos":
        return kerberos_auth(data["credentials"])
    if scheme in (None, "none"):
        return None
    params = data.get("parameters")
    return custom_auth(data.get("principal"), data.get("credentials"), data.get("realm"), scheme,
                       **{k: _auth_parameter(v) for k, v in (params or {}).items()})


def _auth_parameter(value: Any) -> Any:
    # testkit sends a custom token's parameters as plain JSON; typed (Cypher*) values too
    if isinstance(value, dict) and str(value.get("name", "")).startswith("Cypher"):
        return from_testkit(value)
    return value


def _ms(value: Any) -> float | None:
    return None if value is None else value / 1000


def _params(params: Any) -> dict[str, Any]:
    return {k: from_testkit(v) for k, v in (params or {}).items()}


def _record(record: Any) -> dict[str, Any]:
    return {"values": [to_testkit(v) for v in record]}


def summary_data(summary: Any, address: str) -> dict[str, Any]:
    """The ``Summary`` response's data for an asyncbolt Summary."""
    c = summary.counters
    meta = summary.metadata
    version = tuple(summary.protocol_version)
    return {
        "serverInfo": {"address": address, "agent": summary.server_agent,
                       "protocolVersion": ".".join(map(str, version))},
        "counters": {
            "constraintsAdded": c.constraints_added, "constraintsRemoved": c.constraints_removed,
            "containsSystemUpdates": c.contains_system_updates,
            "containsUpdates": c.contains_updates, "indexesAdded": c.indexes_added,
            "indexesRemoved": c.indexes_removed, "labelsAdded": c.labels_added,
            "labelsRemoved": c.labels_removed, "nodesCreated": c.nodes_created,
            "nodesDeleted": c.nodes_deleted, "propertiesSet": c.properties_set,
            "relationshipsCreated": c.relationships_created,
            "relationshipsDeleted": c.relationships_deleted, "systemUpdates": c.system_updates,
        },
        "query": {"text": summary.query,
                  "parameters": {k: to_testkit(v) for k, v in (summary.parameters or {}).items()}},
        "database": summary.database,
        "queryType": summary.query_type,
        "notifications": notifications_data(summary),
        "gqlStatusObjects": gql_status_objects_data(summary),
        "plan": meta.get("plan", meta.get("profile")),
        "profile": meta.get("profile"),
        "resultAvailableAfter": summary.t_first,
        "resultConsumedAfter": summary.t_last,
    }


class Backend(AuthRequests, DriverLevelRequests, NotificationRequests, TlsRequests,
              DriverInfoRequests, MockTimeRequests):
    """The state of one testkit connection and its request handlers."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self.drivers: dict[int, Driver] = {}
        self.sessions: dict[int, Session] = {}
        self.txs: dict[int, Any] = {}
        self.results: dict[int, _ResultState] = {}
        self.errors: dict[str, BaseException] = {}
        self.retryables: dict[int, _Retryable] = {}  # by session id
        self.bookmark_managers: dict[int, Any] = {}
        self.auth_managers: dict[int, Any] = {}
        #: Sends a response and reads the next request, in the middle of handling one: how the
        #: driver's callbacks (a custom resolver) ask testkit (set by the connection's loop).
        self.ask: Any = None

    def _new_id(self) -> int:
        return next(self._ids)

    def _not_supported(self, what: str) -> Exception:
        return NotSupported(what)

    def error_response(self, exc: BaseException) -> dict[str, Any]:
        if isinstance(exc, NotSupported):
            return {"name": "BackendError", "data": {"msg": f"not supported: {exc}"}}
        if isinstance(exc, FrontendFailure):
            return {"name": "FrontendError", "data": {"msg": str(exc)}}
        error_id = str(self._new_id())
        self.errors[error_id] = exc
        return driver_error(exc, error_id)

    async def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        name = request.get("name")
        data = request.get("data") or {}
        handler = getattr(self, f"on_{name}", None)
        if handler is None:
            return {"name": "BackendError", "data": {"msg": f"not supported: request {name}"}}
        try:
            return await handler(data)
        except Exception as exc:  # the driver's errors go back to testkit, by id
            log.debug("%s failed: %r", name, exc, exc_info=True)
            await settled(exc)  # (the auth manager hears of it first: testkit counts on it)
            return self.error_response(exc)

    # -- test control -----------------------------------------------------------------------

    async def on_StartTest(self, data: dict) -> dict:
        name = data.get("testName", "")
        for pattern, reason in SKIPS.items():
            if re.search(pattern, name):
                return {"name": "SkipTest", "data": {"reason": reason}}
        return {"name": "RunTest", "data": {}}

    async def on_StartSubTest(self, data: dict) -> dict:
        return {"name": "RunTest", "data": {}}

    async def on_GetFeatures(self, data: dict) -> dict:
        return {"name": "FeatureList", "data": {"features": list(FEATURES)}}

    # -- drivers ----------------------------------------------------------------------------

    async def _callback(self, name: str, data: dict, answer: str) -> dict:
        """Ask testkit (response ``name``) and return the data of its ``answer`` request."""
        key = self._new_id()
        request = await self.ask({"name": name, "data": {"id": key, **data}}) or {}
        got = request.get("data") or {}
        if request.get("name") != answer or got.get("requestId") != key:
            raise RuntimeError(f"expected {answer} for {key}, got {request!r}")
        return got

    def _resolver(self, custom: bool, dns: bool) -> Any:
        """The Driver's custom resolver: testkit's resolver function, then testkit's name
        resolution of each address (as the official backend, which folds the latter in too)."""
        from asyncbolt.client.routing import Address

        async def resolve(address: Any) -> list[Any]:
            addresses = [Address.parse(address)]
            if custom:
                got = await self._callback("ResolverResolutionRequired", {"address": str(address)},
                                           "ResolverResolutionCompleted")
                addresses = [Address.parse(a) for a in got.get("addresses") or []]
            if dns:
                resolved = []
                for a in addresses:
                    got = await self._callback("DomainNameResolutionRequired", {"name": a.host},
                                               "DomainNameResolutionCompleted")
                    resolved.extend(Address(ip, a.port) for ip in got.get("addresses") or [])
                addresses = resolved
            return addresses
        return resolve

    async def on_NewDriver(self, data: dict) -> dict:
        kwargs: dict[str, Any] = {
            **self.tls_options(data),
            "bookmark_manager": None,  # as the official driver's sessions
            "versions": VERSIONS,
            # The official driver refuses a server that does not say it is Neo4j; asyncbolt
            # welcomes any Bolt server unless told, as here.
            "server_agent_prefix": "Neo4j/",
            **self.notification_options(data),
        }
        if data.get("resolverRegistered") or data.get("domainNameResolverRegistered"):
            kwargs["resolver"] = self._resolver(bool(data.get("resolverRegistered")),
                                                bool(data.get("domainNameResolverRegistered")))
        if data.get("userAgent") is not None:
            kwargs["user_agent"] = data["userAgent"]
        if data.get("connectionTimeoutMs") is not None:
            kwargs["connection_timeout"] = _ms(data["connectionTimeoutMs"])
        if data.get("fetchSize") is not None:
            kwargs["fetch_size"] = data["fetchSize"]
        if data.get("maxTxRetryTimeMs") is not None:
            kwargs["max_retry_time"] = _ms(data["maxTxRetryTimeMs"])
        if data.get("livenessCheckTimeoutMs") is not None:
            kwargs["liveness_check_timeout"] = _ms(data["livenessCheckTimeoutMs"])
        if data.get("maxConnectionPoolSize") is not None:
            kwargs["max_pool_size"] = data["maxConnectionPoolSize"]
        if data.get("telemetryDisabled") is not None:
            kwargs["telemetry_disabled"] = bool(data["telemetryDisabled"])
        if data.get("connectionAcquisitionTimeoutMs") is not None:
            kwargs["connection_acquisition_timeout"] = _ms(data["connectionAcquisitionTimeoutMs"])
        auth = _auth(data.get("authorizationToken"))
        if data.get("authTokenManagerId") is not None:
            auth = self.auth_managers[data["authTokenManagerId"]]
        driver = Driver(data["uri"], auth=auth, **kwargs)
        driver_id = self._new_id()
        self.drivers[driver_id] = driver
        return {"name": "Driver", "data": {"id": driver_id}}

    async def on_VerifyConnectivity(self, data: dict) -> dict:
        await self.drivers[data["driverId"]].verify_connectivity()
        return {"name": "Driver", "data": {"id": data["driverId"]}}

    async def on_GetConnectionPoolMetrics(self, data: dict) -> dict:
        stats = self.drivers[data["driverId"]].pool.stats().get(Address.parse(data["address"]), {})
        return {"name": "ConnectionPoolMetrics",
                "data": {"inUse": stats.get("in_use", 0) + stats.get("opening", 0),
                         "idle": stats.get("idle", 0)}}

    async def on_CheckMultiDBSupport(self, data: dict) -> dict:
        available = await self.drivers[data["driverId"]].supports_multi_db()
        return {"name": "MultiDBSupport", "data": {"id": data["driverId"], "available": available}}

    async def on_DriverClose(self, data: dict) -> dict:
        await self.drivers[data["driverId"]].close()
        return {"name": "Driver", "data": {"id": data["driverId"]}}

    # -- sessions ---------------------------------------------------------------------------

    async def on_NewSession(self, data: dict) -> dict:
        driver = self.drivers[data["driverId"]]
        session = driver.session(db=data.get("database"),
                                 default_access_mode=data.get("accessMode") or "w",
                                 bookmarks=data.get("bookmarks"), fetch_size=data.get("fetchSize"),
                                 imp_user=data.get("impersonatedUser"),
                                 auth=_auth(data.get("authorizationToken")),
                                 bookmark_manager=self.bookmark_manager(
                                     data.get("bookmarkManagerId"), driver.bookmark_manager),
                                 **self.notification_options(data))
        session_id = self._new_id()
        self.sessions[session_id] = session
        return {"name": "Session", "data": {"id": session_id}}

    async def on_SessionClose(self, data: dict) -> dict:
        await self.sessions[data["sessionId"]].close()
        return {"name": "Session", "data": {"id": data["sessionId"]}}

    async def _result(self, result: Result) -> dict:
        conn = result._s.conn
        state = _ResultState(result, f"{conn.host}:{conn.port}")
        keys = await result.keys()
        result_id = self._new_id()
        self.results[result_id] = state
        return {"name": "Result", "data": {"id": result_id, "keys": keys}}

    async def on_SessionRun(self, data: dict) -> dict:
        session = self.sessions[data["sessionId"]]
        result = await session.run(data["cypher"], _params(data.get("params")),
                                   timeout=_ms(data.get("timeout")),
                                   metadata=_params(data.get("txMeta")) or None)
        return await self._result(result)

    async def on_SessionBeginTransaction(self, data: dict) -> dict:
        session = self.sessions[data["sessionId"]]
        tx = await session.begin_transaction(timeout=_ms(data.get("timeout")),
                                             metadata=_params(data.get("txMeta")) or None)
        tx_id = self._new_id()
        self.txs[tx_id] = tx
        return {"name": "Transaction", "data": {"id": tx_id}}

    async def on_SessionLastBookmarks(self, data: dict) -> dict:
        marks = await self.sessions[data["sessionId"]].last_bookmarks()
        return {"name": "Bookmarks", "data": {"bookmarks": list(marks)}}

    # -- transaction functions --------------------------------------------------------------

    async def _retryable(self, data: dict, write: bool) -> dict:
        session = self.sessions[data["sessionId"]]
        state = _Retryable()
        self.retryables[data["sessionId"]] = state
        loop = asyncio.get_running_loop()

        @unit_of_work(metadata=_params(data.get("txMeta")) or None,
                      timeout=_ms(data.get("timeout")))
        async def work(tx: Any) -> None:
            tx_id = self._new_id()
            self.txs[tx_id] = tx
            state.tx_id = tx_id
            state.outcome = loop.create_future()
            await state.events.put(("try", tx_id))
            try:
                await state.outcome
            finally:
                self.txs.pop(tx_id, None)

        run = session.execute_write if write else session.execute_read
        state.task = asyncio.ensure_future(run(work))
        state.task.add_done_callback(lambda _t: state.events.put_nowait(("done", None)))
        return await self._next_event(state, data["sessionId"])

    async def _next_event(self, state: _Retryable, session_id: int) -> dict:
        kind, tx_id = await state.events.get()
        if kind == "try":
            return {"name": "RetryableTry", "data": {"id": tx_id}}
        self.retryables.pop(session_id, None)
        assert state.task is not None
        exc = state.task.exception()
        if exc is not None:
            return self.error_response(exc)
        return {"name": "RetryableDone", "data": {}}

    async def on_SessionReadTransaction(self, data: dict) -> dict:
        return await self._retryable(data, write=False)

    async def on_SessionWriteTransaction(self, data: dict) -> dict:
        return await self._retryable(data, write=True)

    on_SessionExecuteRead = on_SessionReadTransaction
    on_SessionExecuteWrite = on_SessionWriteTransaction

    async def on_RetryablePositive(self, data: dict) -> dict:
        state = self.retryables[data["sessionId"]]
        if state.outcome is not None and not state.outcome.done():
            state.outcome.set_result(None)
        return await self._next_event(state, data["sessionId"])

    async def on_RetryableNegative(self, data: dict) -> dict:
        state = self.retryables[data["sessionId"]]
        error_id = data.get("errorId") or ""
        exc = self.errors.get(error_id) or FrontendFailure("Client said no!")
        if state.outcome is not None and not state.outcome.done():
            state.outcome.set_exception(exc)
        return await self._next_event(state, data["sessionId"])

    # -- transactions -----------------------------------------------------------------------

    async def on_TransactionRun(self, data: dict) -> dict:
        tx = self.txs[data["txId"]]
        return await self._result(await tx.run(data["cypher"], _params(data.get("params"))))

    async def on_TransactionCommit(self, data: dict) -> dict:
        await self.txs[data["txId"]].commit()
        return {"name": "Transaction", "data": {"id": data["txId"]}}

    async def on_TransactionRollback(self, data: dict) -> dict:
        await self.txs[data["txId"]].rollback()
        return {"name": "Transaction", "data": {"id": data["txId"]}}

    async def on_TransactionClose(self, data: dict) -> dict:
        await self.txs[data["txId"]].close()
        return {"name": "Transaction", "data": {"id": data["txId"]}}

    # -- results ----------------------------------------------------------------------------

    async def on_ResultNext(self, data: dict) -> dict:
        record = await self.results[data["resultId"]].next()
        if record is None:
            return {"name": "NullRecord", "data": {}}
        return {"name": "Record", "data": _record(record)}

    async def on_ResultPeek(self, data: dict) -> dict:
        record = await self.results[data["resultId"]].peek()
        if record is None:
            return {"name": "NullRecord", "data": {}}
        return {"name": "Record", "data": _record(record)}

    async def on_ResultSingle(self, data: dict) -> dict:
        state = self.results[data["resultId"]]
        if state.buffer:  # a peeked record first: count it with the rest
            from asyncbolt.errors import ClientError
            first = state.buffer.popleft()
            second = await state.next()
            if second is not None:
                await state.result.consume()
                raise ClientError("Neo.ClientError.Statement.ResultNotSingle",
                                  "expected one record, got more than one")
            return {"name": "Record", "data": _record(first)}
        record = await state.result.single(strict=True)
        return {"name": "Record", "data": _record(record)}

    async def on_ResultList(self, data: dict) -> dict:
        state = self.results[data["resultId"]]
        records = list(state.buffer)
        state.buffer.clear()
        async for record in state.result:
            records.append(record)
        return {"name": "RecordList", "data": {"records": [_record(r) for r in records]}}

    async def on_ResultConsume(self, data: dict) -> dict:
        state = self.results[data["resultId"]]
        state.buffer.clear()
        summary = await state.result.consume()
        return {"name": "Summary", "data": summary_data(summary, state.address)}


async def _read_request(reader: asyncio.StreamReader) -> dict | None:
    """The next framed request (None: testkit closed the connection)."""
    lines: list[str] | None = None
    while True:
        raw = await reader.readline()
        if not raw:
            return None
        line = raw.decode("utf-8").strip()
        if line == "#request begin":
            lines = []
        elif line == "#request end":
            if lines is not None:
                request = json.loads("".join(lines))
                log.debug("request %s", request)
                return request
        elif lines is not None:
            lines.append(line)


async def _write_response(writer: asyncio.StreamWriter, response: dict) -> None:
    log.debug("response %s", response)
    text = json.dumps(response)
    writer.write(f"#response begin\n{text}\n#response end\n".encode())
    await writer.drain()


async def _serve_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    backend = Backend()
    # One task reads requests into a queue (None: testkit closed the connection), so that a
    # handler can ask testkit something (a resolver callback: ``backend.ask``) and read its
    # answer, and so that work still running when testkit gives up on it is cancelled.
    requests: asyncio.Queue[dict | None] = asyncio.Queue()
    left = asyncio.Event()

    async def read_all() -> None:
        try:
            while (request := await _read_request(reader)) is not None:
                requests.put_nowait(request)
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            log.debug("reading a request failed", exc_info=True)
        finally:
            left.set()
            requests.put_nowait(None)

    async def ask(response: dict) -> dict | None:
        await _write_response(writer, response)
        return await requests.get()

    backend.ask = ask
    reading = asyncio.ensure_future(read_all())
    try:
        while (request := await requests.get()) is not None:
            response = await _answer(backend, request, left)
            if response is None:  # testkit left (it gave up waiting): so does the work
                break
            await _write_response(writer, response)
    except ConnectionError:
        pass
    finally:
        reading.cancel()
        for state in backend.retryables.values():
            if state.task is not None:
                state.task.cancel()
        for driver in backend.drivers.values():
            try:
                await driver.close()
            except Exception:  # the test is over either way
                log.debug("closing a driver failed", exc_info=True)
        backend.uninstall_fake_time()  # (the next connection's test starts on real time)
        writer.close()


async def _answer(backend: Backend, request: dict, left: asyncio.Event) -> dict | None:
    """``backend.handle(request)``, cancelled (None) if testkit closes the connection first:
    after a test timed out, work still retrying must not reach the next test's stub servers."""
    work = asyncio.ensure_future(backend.handle(request))
    gone = asyncio.ensure_future(left.wait())
    try:
        await asyncio.wait({work, gone}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        gone.cancel()
    if not work.done():
        work.cancel()
        await asyncio.gather(work, return_exceptions=True)
        return None
    return work.result()


async def serve(host: str = "127.0.0.1", port: int = 9876) -> None:
    """Accept testkit's connections on ``host:port`` until cancelled."""
    server = await asyncio.start_server(_serve_client, host, port)
    log.warning("testkit backend listening on %s:%d", host, port)
    async with server:
        await server.serve_forever()
