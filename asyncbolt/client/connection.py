"""The asyncio Bolt client.

    conn = await asyncbolt.connect("bolt://127.0.0.1:7687", auth=("neo4j", "pw"))
    result = await conn.run("MATCH (n) RETURN n LIMIT $k", {"k": 10})
    async for record in result:
        print(record["n"])
    summary = await result.consume()
    async with conn.begin(db="neo4j") as tx:
        await tx.run("CREATE (:X)")
    await conn.close()

Pipelining is the default: ``run`` only queues RUN and PULL; everything queued goes out in one
write when the caller next waits for a result, so a thousand ``run`` calls cost about one round
trip. Records arrive in batches of ``fetch_size`` (PULL n) and are decoded in ``data_received``
in one pass; a result never buffers more than one batch unless the caller runs another query
while it is open (then its rest is fetched and kept, as the official drivers do). A FAILURE
raises an exception by Neo4j classification and the connection resets itself.
"""

from __future__ import annotations

import asyncio
import logging
import platform
import ssl as _ssl
import sys
from collections import deque
from collections.abc import AsyncIterator, Coroutine, Generator, Iterable, Iterator
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, unquote, urlparse

from asyncbolt import __version__
from asyncbolt._generated.codec import check_response_maps
from asyncbolt._generated.versions import (
    MANIFEST_ONLY,
    SERVER_VERSIONS,
    has,
    key_holds,
    key_range,
    known_key,
    patch_holds,
    since,
)
from asyncbolt.client.auth import auth_token
from asyncbolt.codec._offload import OFFLOAD_BYTES, decoder_pool
from asyncbolt.codec.messages import (
    Begin,
    Commit,
    Discard,
    DiscardAll,
    Goodbye,
    Hello,
    Init,
    Logoff,
    Logon,
    Message,
    Pull,
    PullAll,
    Reset,
    Rollback,
    Route,
    Run,
    Telemetry,
)
from asyncbolt.codec.packstream import DEFAULT_MAX_DECODED_VALUES, DEFAULT_MAX_DEPTH, get_codec
from asyncbolt.core.framing import ChunkReader, ChunkWriter
from asyncbolt.core.handshake import ClientHandshake, format_version
from asyncbolt.core.server import DEFAULT_MAX_MESSAGE_SIZE
from asyncbolt.errors import (
    BoltError,
    ClientError,
    ConfigurationError,
    HandshakeError,
    IncompleteCommit,
    Neo4jError,
    ProtocolError,
    RequestIgnored,
    ResultConsumedError,
    ResultFailedError,
    ServiceUnavailable,
    TransactionError,
    UnsupportedServerProduct,
)
from asyncbolt.security import redact_uri, require_tls12

__all__ = ["connect", "Connection", "Result", "Record", "Summary", "Counters", "Transaction",
           "RequestIgnored", "ResultConsumedError", "IncompleteCommit", "parse_uri", "ClientSession", "ClientResponse"]

log = logging.getLogger(__name__)

#: TELEMETRY's ``api`` values (Bolt 5.4+): which driver API ran the work that follows.
TELEMETRY_MANAGED_TX = 0  # a transaction function (execute_read/execute_write)
TELEMETRY_UNMANAGED_TX = 1  # an explicit transaction (begin_transaction)
TELEMETRY_AUTO_COMMIT = 2  # an auto-commit query (session.run)
TELEMETRY_DRIVER = 3  # the driver-level execute_query

Version = tuple[int, int]
DEFAULT_PORT = 7687
DEFAULT_FETCH_SIZE = 1000
#: Default bound on the records of one result received and not yet read.
DEFAULT_MAX_BUFFERED_RECORDS = 1_000_000
#: Default bound on the wire bytes of the records received and not yet read, per connection.
DEFAULT_MAX_BUFFERED_BYTES = 64 * 1024 * 1024
#: ``read_timeout="auto"`` (the default): the server's ``connection.recv_timeout_seconds`` hint
#: when it gives one, else this many seconds.
AUTO = "auto"
DEFAULT_READ_TIMEOUT = 300.0
USER_AGENT: str = f"asyncbolt/{__version__}"


#: What we offer by default: the manifest (reaches 6.x), then 5.8-5.0, 4.4-4.2 and 3.0, as the
#: official 6.x drivers: four slots, and Bolt 3.0 (Neo4j 3.5) is far more common than 4.1.
DEFAULT_PROPOSALS = [(5, 8, 8), (4, 4, 2), (3, 0)]
#: Offered on a second attempt when a server took none of the above: 4.1 (Neo4j 4.1, and a 4.2
#: that reads no version ranges), 4.0, 2.0 and 1.0 (Neo4j 3.0-3.4), each spelled out.
LEGACY_PROPOSALS = [(4, 1), (4, 0), (2, 0), (1, 0)]


# -------------------------------------------------------------------------------------------
# Values handed to the user


class Record:
    """One row: ``record["name"]``, ``record[0]``, ``record.keys()``, ``record.values()``,
    ``record.data()`` (a dict), ``len(record)``, iteration over the values."""

    __slots__ = ("_values", "_index")

    def __init__(self, values: list, index: dict[str, int]) -> None:
        self._values = values
        self._index = index

    def __getitem__(self, key: int | str) -> Any:
        if isinstance(key, str):
            try:
                return self._values[self._index[key]]
            except KeyError:
                raise KeyError(f"no field {key!r}; fields are {list(self._index)}") from None
        return self._values[key]

    def get(self, key: str, default: Any = None) -> Any:
        i = self._index.get(key)
        return default if i is None else self._values[i]

    def keys(self) -> list[str]:
        return list(self._index)

    def values(self) -> list:
        return list(self._values)

    def items(self) -> list[tuple[str, Any]]:
        return list(zip(self._index, self._values, strict=False))

    def data(self) -> dict[str, Any]:
        return dict(zip(self._index, self._values, strict=False))

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Record):
            return self._values == other._values and list(self._index) == list(other._index)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # unhashable, as it compares by value (mypy wants a method)

    def __repr__(self) -> str:
        inner = " ".join(f"{k}={v!r}" for k, v in zip(self._index, self._values, strict=False))
        return f"<Record {inner}>"


class Counters:
    """Update counters of a query (from the summary's ``stats``)."""

    _NAMES = ("nodes-created", "nodes-deleted", "relationships-created", "relationships-deleted",
              "properties-set", "labels-added", "labels-removed", "indexes-added", "indexes-removed",
              "constraints-added", "constraints-removed", "system-updates")

    nodes_created: int
    nodes_deleted: int
    relationships_created: int
    relationships_deleted: int
    properties_set: int
    labels_added: int
    labels_removed: int
    indexes_added: int
    indexes_removed: int
    constraints_added: int
    constraints_removed: int
    system_updates: int

    def __init__(self, stats: dict[str, Any] | None) -> None:
        self.raw = dict(stats or {})
        for name in self._NAMES:
            setattr(self, name.replace("-", "_"), int(self.raw.get(name, 0)))

    @property
    def contains_updates(self) -> bool:
        if "contains-updates" in self.raw:
            return bool(self.raw["contains-updates"])
        return any(getattr(self, n.replace("-", "_")) for n in self._NAMES if n != "system-updates")

    @property
    def contains_system_updates(self) -> bool:
        return bool(self.raw.get("contains-system-updates", self.system_updates > 0))

    def __repr__(self) -> str:
        return f"Counters({ {k: v for k, v in self.raw.items()} })"


#: Notification key -> the GQL status object's key (and, below, its diagnostic record's).
_STATUS_KEYS = (("title", "title"), ("code", "neo4j_code"), ("description", "description"))
_DIAGNOSTIC_KEYS = (("severity", "_severity"), ("category", "_classification"),
                    ("position", "_position"))


def _notifications_from_statuses(statuses: list) -> list[dict[str, Any]]:
    """The notifications among GQL status objects (Bolt 5.5+), as pre-5.5 servers sent them."""
    out = []
    for status in statuses:
        if not isinstance(status, dict) or "neo4j_code" not in status:
            continue  # a status that is no notification (success, no data, ...)
        notification = {key: status[skey] for key, skey in _STATUS_KEYS if skey in status}
        if "description" not in notification and "status_description" in status:
            # Bolt 5.5's statuses have only the status description (5.6 added description).
            notification["description"] = status["status_description"]
        record = status.get("diagnostic_record")
        if isinstance(record, dict):
            notification.update((key, record[dkey]) for key, dkey in _DIAGNOSTIC_KEYS if dkey in record)
        out.append(notification)
    return out


class Summary:
    """What the server said about a finished query."""

    def __init__(self, query: str, parameters: dict, run: dict, pull: dict, conn: Connection) -> None:
        self.query = query
        self.parameters = parameters
        self.metadata = {**run, **pull}
        self.counters = Counters(pull.get("stats"))
        self.query_type: str | None = pull.get("type")
        self.plan: dict | None = pull.get("plan") or pull.get("profile")
        self.profile: dict | None = pull.get("profile")
        self.statuses: list = list(pull.get("statuses") or [])
        #: The server's notifications; from Bolt 5.5, which sends GQL status objects instead,
        #: those of the statuses that carry a ``neo4j_code`` in the notification form (code,
        #: title, description; severity, category and position from the diagnostic record).
        self.notifications: list = (list(pull.get("notifications") or []) if "notifications" in pull
                                    else _notifications_from_statuses(self.statuses))
        self.bookmark: str | None = pull.get("bookmark")
        self.database: str | None = pull.get("db") or run.get("db")
        self.t_first: int | None = run.get("t_first", run.get("result_available_after"))
        self.t_last: int | None = pull.get("t_last", pull.get("result_consumed_after"))
        self.server_agent = conn.server_agent
        self.protocol_version = conn.protocol_version

    def __repr__(self) -> str:
        return f"<Summary type={self.query_type!r} counters={self.counters!r} db={self.database!r}>"


# -------------------------------------------------------------------------------------------
# Result streams


class _Stream:
    """The state of one result, shared by its Result and the response handlers."""

    __slots__ = ("conn", "query", "parameters", "fetch_size", "records", "sizes", "fields", "index",
                 "run_meta", "pull_meta", "has_more", "done", "error", "waiter", "slot",
                 "in_flight", "abandoned", "tx", "qid", "on_done", "gone", "__weakref__")

    def __init__(self, conn: Connection, query: str, parameters: dict, fetch_size: int,
                 tx: Transaction | None) -> None:
        self.conn = conn
        self.query = query
        self.parameters = parameters
        self.fetch_size = fetch_size
        self.records: deque[list] = deque()
        #: The wire size of each buffered record (counted in conn.buffered_bytes until read).
        self.sizes: deque[int] = deque()
        self.fields: list[str] | None = None
        self.index: dict[str, int] = {}
        self.run_meta: dict = {}
        self.pull_meta: dict = {}
        self.has_more = True  # the server may still have records for us
        self.done = False  # the summary arrived
        self.error: BaseException | None = None
        self.waiter: asyncio.Future | None = None
        self.slot: _PullSlot | None = None  # an unsent PULL/DISCARD
        self.in_flight = 0  # PULL/DISCARDs sent, summary not yet back
        self.abandoned = False
        self.tx = tx
        self.qid = -1
        #: Called once with the stream when its summary (or its failure) arrived: the server is
        #: done with it, though records may still be buffered here. The driver releases pooled
        #: connections with it.
        self.on_done: Any = None
        #: Why the records can no longer be read (consumed, out of its transaction), or None.
        self.gone: str | None = None

    def take(self) -> list:
        """The next buffered record's values."""
        self.conn.buffered_bytes -= self.sizes.popleft()
        return self.records.popleft()

    def drop_records(self) -> None:
        """Forget every buffered record (read, discarded or cut short)."""
        if self.sizes:
            self.conn.buffered_bytes -= sum(self.sizes)
            self.sizes.clear()
        self.records.clear()

    def notify_done(self) -> None:
        callback = self.on_done
        if callback is not None:
            self.on_done = None
            try:
                callback(self)
            except Exception:  # a callback must not break the connection's read loop
                log.exception("on_done callback of a result failed")

    def wake(self) -> None:
        waiter = self.waiter
        if waiter is not None:
            self.waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def fail(self, error: BaseException) -> None:
        if self.error is None and not self.done:
            self.error = error
        self.done = True
        self.has_more = False
        self.wake()
        if self.on_done is not None:
            self.notify_done()

    @property
    def open(self) -> bool:
        """The server still holds records of this result (or may)."""
        return not self.done and self.has_more


class _PullSlot:
    """A PULL or DISCARD queued but not yet sent: its ``n`` is decided when it is written."""

    __slots__ = ("stream", "discard", "all")

    def __init__(self, stream: _Stream, discard: bool = False, all: bool = False) -> None:
        self.stream = stream
        self.discard = discard
        self.all = all


_CONSUMED = ("the result has been consumed: fetch the records you need before calling "
             "consume()")
_OUT_OF_SCOPE = ("the result is out of scope: its transaction has been closed (read a transaction's "
                 "results before committing or rolling it back)")


class Result:
    """The records and summary of one query.

    ``async for record in result``; ``await result.fetch(n)``, ``.values()``, ``.data()``,
    ``.single()``, ``.keys()``, ``.consume()`` (discards what is left, returns the Summary).
    """

    __slots__ = ("_s",)

    def __init__(self, stream: _Stream) -> None:
        self._s = stream

    def __del__(self) -> None:
        s = getattr(self, "_s", None)
        if s is not None and s.open and not s.abandoned:
            try:
                s.conn._abandon(s)
            except Exception:  # the loop may be gone at interpreter exit
                pass

    def __aiter__(self) -> Result:
        return self

    def _check_readable(self) -> None:
        gone = self._s.gone
        if gone is not None:
            raise ResultConsumedError(gone)

    async def __anext__(self) -> Record:
        s = self._s
        self._check_readable()
        while True:
            if s.records:
                return Record(s.take(), s.index)
            if s.done:
                if s.error is not None:
                    raise s.error
                raise StopAsyncIteration
            await s.conn._more(s)

    async def keys(self) -> list[str]:
        """The field names (waits for the RUN's answer)."""
        s = self._s
        while s.fields is None and not s.done:
            await s.conn._more(s, need_fields=True)
        if s.fields is None and s.error is not None:
            raise s.error
        return list(s.fields or [])

    async def fetch(self, n: int) -> list[Record]:
        """Up to ``n`` more records."""
        out = []
        async for record in self:
            out.append(record)
            if len(out) >= n:
                break
        return out

    async def values(self, *keys: str) -> list[list]:
        """The remaining records as lists of values (optionally only ``keys``)."""
        s = self._s
        self._check_readable()
        out: list[list] = []
        while True:
            if s.records:
                if keys:
                    idx = [s.index[k] for k in keys]
                    out.extend([r[i] for i in idx] for r in s.records)
                else:
                    out.extend(s.records)
                s.drop_records()
            if s.done:
                if s.error is not None:
                    raise s.error
                return out
            await s.conn._more(s)

    async def data(self, *keys: str) -> list[dict[str, Any]]:
        """The remaining records as dicts."""
        self._check_readable()
        names = list(keys) or await self.keys()
        return [dict(zip(names, row, strict=False)) for row in await self.values(*names)]

    async def single(self, strict: bool = True) -> Record | None:
        """The one record of the result; with ``strict``, anything but one is an error."""
        records = await self.fetch(2)
        if len(records) == 1 and not strict:
            await self.consume()
            return records[0]
        if len(records) != 1:
            await self.consume()
            if strict or len(records) > 1:
                raise ClientError("Neo.ClientError.Statement.ResultNotSingle",
                                  f"expected one record, got {'more than one' if records else 'none'}")
            return None
        rest = await self.fetch(1)
        if rest:
            await self.consume()
            raise ClientError("Neo.ClientError.Statement.ResultNotSingle",
                              "expected one record, got more than one")
        return records[0]

    async def consume(self) -> Summary:
        """Discard what is left and return the Summary. Reading records afterwards raises
        :class:`ResultConsumedError`; ``consume()`` again returns the Summary again (unless the
        result's transaction has ended since)."""
        s = self._s
        if s.gone is not None and s.gone is not _CONSUMED:
            raise ResultConsumedError(s.gone)
        s.drop_records()
        if not s.done:
            s.conn._discard(s)
            while not s.done:
                # A server may answer a DISCARD with has_more (and even records): discard
                # again rather than wait for records nobody asked for.
                s.drop_records()
                if s.in_flight == 0 and s.slot is None and s.has_more:
                    s.conn._discard(s)
                await s.conn._more(s)
        if s.error is not None:
            raise s.error
        s.gone = _CONSUMED
        return Summary(s.query, s.parameters, s.run_meta, s.pull_meta, s.conn)

    @property
    def done(self) -> bool:
        """Every record has arrived (some may still be buffered)."""
        return self._s.done

    def __repr__(self) -> str:
        return f"<Result query={self._s.query!r} fields={self._s.fields!r} done={self._s.done}>"


# -------------------------------------------------------------------------------------------
# Response handlers: one per request sent, answered strictly in order.


class _Handler:
    __slots__ = ()

    def on_record(self, values: list, size: int) -> None:
        raise ProtocolError(f"the server sent a RECORD for a request that has no records ({self.what()})")

    def what(self) -> str:
        """The request this handler waits on, for error messages."""
        return type(self).__name__.strip("_").replace("Handler", "").upper()

    def on_success(self, meta: dict) -> None:
        raise NotImplementedError

    def on_failure(self, error: Neo4jError) -> None:
        raise NotImplementedError

    def on_ignored(self, cause: BaseException | None) -> None:
        raise NotImplementedError


class _Call(_Handler):
    """A request answered by one summary (HELLO, BEGIN, COMMIT, RESET...): a future."""

    __slots__ = ("name", "future", "on_done")

    def __init__(self, name: str, future: asyncio.Future | None, on_done: Any = None) -> None:
        self.name = name
        self.future = future
        self.on_done = on_done

    def what(self) -> str:
        return self.name

    def _set(self, result: Any = None, error: BaseException | None = None) -> None:
        f = self.future
        if f is not None and not f.done():
            if error is not None:
                f.set_exception(error)
            else:
                f.set_result(result)

    def on_success(self, meta: dict) -> None:
        if self.on_done is not None:
            self.on_done(meta)
        self._set(meta)

    def on_failure(self, error: Neo4jError) -> None:
        self._set(error=error)

    def on_ignored(self, cause: BaseException | None) -> None:
        error = RequestIgnored(f"{self.name} was not run: an earlier request failed or was reset")
        error.__cause__ = cause
        self._set(error=error)


class _RunHandler(_Handler):
    __slots__ = ("stream",)

    def __init__(self, stream: _Stream) -> None:
        self.stream = stream

    def on_success(self, meta: dict) -> None:
        s = self.stream
        s.run_meta = meta
        fields = meta.get("fields") or []
        s.fields = list(fields)
        s.index = {name: i for i, name in enumerate(fields)}
        s.qid = meta.get("qid", -1)
        s.wake()

    def on_failure(self, error: Neo4jError) -> None:
        self.stream.fail(error)

    def on_ignored(self, cause: BaseException | None) -> None:
        error = RequestIgnored(f"query {self.stream.query!r} was not run: an earlier request "
                               "in the pipeline failed or was reset")
        error.__cause__ = cause
        self.stream.fail(error)


def _short(query: str) -> str:
    return query if len(query) <= 60 else query[:57] + "..."


class _PullHandler(_Handler):
    __slots__ = ("stream", "discard", "limit", "left")

    def __init__(self, stream: _Stream, discard: bool, n: int = -1) -> None:
        self.stream = stream
        self.discard = discard
        self.limit = stream.conn.max_buffered_records
        #: Records the server may still send for this PULL (-1: any number); below -1 once it
        #: sent more than asked for.
        self.left = n

    def what(self) -> str:
        return "DISCARD" if self.discard else "PULL"

    def on_record(self, values: list, size: int) -> None:
        # Records nobody asked for (beyond the PULL's n, or for a DISCARD) are a protocol
        # violation, but a deployed server commits it (FalkorDB ignores n and answers DISCARD
        # with records): a DISCARD's records are dropped, and records beyond n are kept only
        # within max_buffered_records/max_buffered_bytes, which bound the memory either way.
        if self.discard:
            return
        left = self.left
        if left >= 0:
            self.left = left - 1 if left else -2
        s = self.stream
        if not s.abandoned:
            records = s.records
            # Raised into the read loop, which closes the connection with it; the records
            # already buffered are still delivered before the error.
            if len(records) >= self.limit:
                raise ProtocolError(f"more than {self.limit:,} records of {_short(s.query)!r} are "
                                    f"buffered unread{self._overrun()}; read results as they "
                                    "arrive, lower fetch_size, or raise max_buffered_records")
            conn = s.conn
            limit = conn.max_buffered_bytes
            if limit is not None and conn.buffered_bytes + size > limit:
                raise ProtocolError(f"more than {limit:,} bytes of records are buffered unread on "
                                    f"this connection (at a record of {_short(s.query)!r})"
                                    f"{self._overrun()}; read results as they arrive, lower "
                                    "fetch_size, or raise max_buffered_bytes")
            conn.buffered_bytes += size
            s.sizes.append(size)
            records.append(values)

    def _overrun(self) -> str:
        return (f" (the server sent more than the {self.stream.fetch_size:,} records its PULL "
                "asked for)") if self.left == -2 else ""

    def on_success(self, meta: dict) -> None:
        s = self.stream
        s.in_flight -= 1
        if meta.get("has_more"):
            s.has_more = True
            if s.abandoned and s.in_flight == 0 and s.slot is None:
                s.conn._discard(s)
        else:
            s.has_more = False
            s.done = True
            s.pull_meta = meta
            s.conn._stream_finished(s)
        s.wake()

    def on_failure(self, error: Neo4jError) -> None:
        self.stream.in_flight -= 1
        self.stream.fail(error)

    def on_ignored(self, cause: BaseException | None) -> None:
        s = self.stream
        s.in_flight -= 1
        if s.error is None:
            error = RequestIgnored(f"records of {s.query!r} were not sent: an earlier request "
                                   "failed or was reset")
            error.__cause__ = cause
            s.fail(error)
        else:
            s.fail(s.error)


# -------------------------------------------------------------------------------------------
# The connection


class _Protocol(asyncio.Protocol):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        try:
            self.conn._connection_made(transport)
        except Exception as exc:
            self.conn._internal_error(exc, "opening the connection")

    # No exception may leave a protocol callback: asyncio would only log it, and whoever waits
    # on the connection would wait forever. Anything unexpected ends the connection instead.

    def data_received(self, data: bytes) -> None:
        try:
            self.conn._data_received(data)
        except Exception as exc:
            self.conn._internal_error(exc, "handling data from the server")

    def connection_lost(self, exc: Exception | None) -> None:
        try:
            self.conn._connection_lost(exc)
        except Exception as error:
            self.conn._internal_error(error, "handling the end of the connection")

    def pause_writing(self) -> None:
        self.conn._write_paused = True

    def resume_writing(self) -> None:
        self.conn._write_paused = False
        waiter, self.conn._drain_waiter = self.conn._drain_waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


class Connection:
    """One Bolt connection. Make it with :func:`connect`."""

    def __init__(self, *, host: str, port: int, auth: dict, user_agent: str, fetch_size: int,
                 routing: dict | None, proposals: list, manifest: bool,
                 supported: Iterable[Version] | None = None,
                 server_hostname: str | None = None,
                 max_message_size: int | None = DEFAULT_MAX_MESSAGE_SIZE,
                 max_chunks: int | None = None, max_depth: int = DEFAULT_MAX_DEPTH,
                 max_buffered_records: int = DEFAULT_MAX_BUFFERED_RECORDS,
                 max_buffered_bytes: int | None = DEFAULT_MAX_BUFFERED_BYTES,
                 read_timeout: float | str | None = AUTO,
                 max_decoded_values: int | None = DEFAULT_MAX_DECODED_VALUES,
                 server_agent_prefix: str | None = None,
                 notifications_min_severity: str | None = None,
                 notifications_disabled_classifications: Iterable[str] | None = None) -> None:
        if read_timeout is not None and read_timeout != AUTO and not (
                isinstance(read_timeout, (int, float)) and read_timeout > 0):
            raise ValueError(f"read_timeout must be positive, 'auto' or None, got {read_timeout!r}")
        if max_buffered_records < 1:
            raise ValueError(f"max_buffered_records must be positive, got {max_buffered_records!r}")
        if max_buffered_bytes is not None and max_buffered_bytes < 1:
            raise ValueError(f"max_buffered_bytes must be positive or None, got {max_buffered_bytes!r}")
        self.host, self.port = host, port
        #: Limits on what the server may send (see :func:`connect`).
        self.max_depth = max_depth
        self.max_decoded_values = max_decoded_values
        self.max_buffered_records = max_buffered_records
        self.max_buffered_bytes = max_buffered_bytes
        #: Wire bytes of the records received and not yet read, over all results.
        self.buffered_bytes = 0
        #: Seconds of silence, while an answer is awaited, after which the connection is given
        #: up ("auto": the server's connection.recv_timeout_seconds hint, else
        #: DEFAULT_READ_TIMEOUT; None: never). Silence is the absence of message bytes: NOOP
        #: chunks count as a sign of life only while the server keeps its own hint (one at
        #: least every hint seconds), and a message stalled half-way is silence.
        self.read_timeout = read_timeout
        self._last_read = 0.0
        self._noops_ignored = 0
        self._read_timer: asyncio.TimerHandle | None = None
        #: The name TLS checks the certificate against (the host, unless it was resolved).
        self.server_hostname = server_hostname or host
        self.fetch_size = fetch_size
        self._auth = auth
        self._user_agent = user_agent
        self._routing = routing
        self._loop = asyncio.get_running_loop()
        self._transport: asyncio.Transport | None = None
        if supported is None:
            supported = list(SERVER_VERSIONS)  # the negotiable ones (5.5 was withdrawn)
        self._handshake = ClientHandshake(proposals, manifest=manifest, supported=list(supported))
        self._handshake_done: asyncio.Future = self._loop.create_future()
        self._reader = ChunkReader(max_message_size, max_chunks)
        self._writer = ChunkWriter()
        self._codec: Any = None
        self._unpack: Any = None
        #: A long message is being decoded in a worker thread; what came after it waits here.
        self._decoding = False
        self._backlog: list[bytes] = []
        self._pending: deque[_Handler] = deque()
        self._outbox: list[tuple[Any, _Handler | None]] = []
        self._flush_scheduled = False
        self._write_paused = False
        self._drain_waiter: asyncio.Future | None = None
        self._closed: BaseException | None = None
        self._current: _Stream | None = None  # the auto-commit/tx result still open on the server
        self._last_run: _Stream | None = None  # the result of the last RUN sent (qid's default)
        self._tx: Transaction | None = None
        self._resetting = False
        self._auto_reset: asyncio.Future | None = None  # the answer to the RESET after a failure
        self._last_failure: BaseException | None = None
        self.protocol_version: Version | None = None
        self.server_agent: str | None = None
        #: Refuse a server whose agent does not start with this (see :func:`connect`).
        self.server_agent_prefix = server_agent_prefix
        #: The notification filters HELLO asks for (see :func:`connect`).
        self.notifications_min_severity = notifications_min_severity
        self.notifications_disabled_classifications = (
            None if notifications_disabled_classifications is None
            else list(notifications_disabled_classifications))
        self.connection_id: str | None = None
        self.hints: dict[str, Any] = {}
        self.patches: frozenset[str] = frozenset()
        self.bookmarks: list[str] = []  # the last bookmark seen, sent with the next transaction
        self.manifest = False
        #: ``on_error(conn, error)``, called when a FAILURE arrives (with the Neo4jError) or the
        #: server drops the connection (with a ServiceUnavailable); the pool listens here.
        self.on_error: Any = None
        #: What a lost connection raises (dropped, silent too long, used after that): the
        #: driver's routing makes it ``SessionExpired``, as the official drivers do for a
        #: cluster member; it must be a ServiceUnavailable.
        self.lost: type[ServiceUnavailable] = ServiceUnavailable

    # -- transport callbacks --------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        if self._transport is None:
            raise RuntimeError("not connected")
        self._transport.write(data)

    def _connection_made(self, transport: Any) -> None:
        self._transport = transport
        transport.write(self._handshake.initial_bytes())

    def _data_received(self, data: bytes) -> None:
        if self.protocol_version is None:
            self._last_read = self._loop.time()
            try:
                reply = self._handshake.receive_data(data)
            except HandshakeError as exc:
                if exc.reply:
                    self._write(exc.reply)
                self._fail_handshake(exc)
                return
            if reply:
                self._write(reply)
            if not self._handshake.done:
                return
            self.protocol_version = self._handshake.version
            self.manifest = bool(self._handshake.manifest)
            self._set_codec(frozenset())
            if not self._handshake_done.done():
                self._handshake_done.set_result(self.protocol_version)
            data = self._handshake.unused
            if not data:
                return
        reader = self._reader
        before = len(reader._msg)  # payload bytes of the message in progress
        try:
            payloads = reader.feed(data)
        except ProtocolError as exc:
            # The messages completed before the framing error still count, then it ends all.
            self._messages_received(exc.completed)
            self._abort(exc)
            return
        if payloads or len(reader._msg) > before:
            self._last_read = self._loop.time()
            self._noops_ignored = 0
        else:
            self._noop_received()
        self._messages_received(payloads)

    def _noop_received(self) -> None:
        """Only NOOPs (or chunk headers) arrived: a sign of life only from a server that gave
        the connection.recv_timeout_seconds hint and keeps it (the NOOP comes within the hint
        of the last sign of life)."""
        now = self._loop.time()
        hint = self._hint()
        if hint is not None and now - self._last_read <= hint:
            self._last_read = now
            self._noops_ignored = 0
        else:
            self._noops_ignored += 1

    def _messages_received(self, payloads: list[bytes]) -> None:
        if self._closed is not None:
            return
        if self._decoding:  # a long message is being decoded: the rest waits behind it
            self._backlog.extend(payloads)
            return
        pending = self._pending
        unpack = self._unpack
        fast_max = self._record_fast_max
        it = iter(payloads)
        for payload in it:
            try:
                if (payload[1] == 0x71 and payload[0] == 0xB1 and pending
                        and len(payload) <= fast_max):  # RECORD: the hot path
                    try:
                        values, end = unpack(payload, 2)
                    except Exception:  # the fast decoder gives up (near max_depth, say) or lies:
                        values = end = None  # the codec decides, decoding it again below
                    if end != len(payload) or type(values) is not list:
                        values = self._codec.unpack_response(payload).data  # raises precisely
                    pending[0].on_record(values, len(payload))
                    continue
                if len(payload) > OFFLOAD_BYTES:
                    self._decode_off_loop(payload, list(it))
                    return
                message = self._codec.unpack_response(payload)
            except Exception as exc:  # the fast path trusts sizes; anything odd is diagnosed here
                self._abort(self._diagnosed(exc, payload))
                return
            if not self._dispatch(message, len(payload)):
                return

    def _diagnosed(self, exc: BaseException, payload: bytes) -> BaseException:
        """The precise ProtocolError for a message a fast path failed on."""
        if isinstance(exc, ProtocolError):
            return exc
        try:
            self._codec.unpack_response(payload)
        except ProtocolError as precise:
            return precise
        return ProtocolError(f"undecodable message: {exc}")

    def _decode_off_loop(self, payload: bytes, rest: list[bytes]) -> None:
        """Decode a long message in a worker thread: the longest the budget allows takes up to
        ~0.1 s in C and ~0.3 s in pure Python, which would stall every other connection of the
        event loop. Reading pauses meanwhile; what arrived behind it waits in order."""
        self._decoding = True
        self._backlog = rest
        transport = self._transport
        if transport is not None:
            transport.pause_reading()
        future = self._loop.run_in_executor(decoder_pool(), self._codec.unpack_response, payload)
        future.add_done_callback(lambda f: self._decoded_off_loop(f, payload))

    def _decoded_off_loop(self, future: asyncio.Future, payload: bytes) -> None:
        try:
            self._decoding = False
            backlog, self._backlog = self._backlog, []
            if self._closed is not None or future.cancelled():
                return
            exc = future.exception()
            if exc is not None:
                self._abort(self._diagnosed(exc, payload))
                return
            if not self._dispatch(future.result(), len(payload)):
                return
            self._messages_received(backlog)
            transport = self._transport
            if not self._decoding and self._closed is None and transport is not None:
                transport.resume_reading()
        except Exception as exc:  # like a protocol callback: nothing may escape to the loop
            self._internal_error(exc, "handling a message decoded off the event loop")

    def _dispatch(self, message: Any, size: int) -> bool:
        """Hand a decoded message to the request it answers; False when that ended the
        connection."""
        pending = self._pending
        if not pending:
            self._abort(ProtocolError(f"the server sent {message.name} with no request waiting"))
            return False
        name = message.name
        if name == "RECORD":
            try:
                pending[0].on_record(message.data, size)
            except ProtocolError as exc:
                self._abort(exc)
                return False
            return True
        handler = pending.popleft()
        try:
            if name in ("SUCCESS", "FAILURE"):
                problem = check_response_maps(message)
                if problem is not None:
                    raise ProtocolError(f"{problem} (in answer to {handler.what()})")
            if name == "SUCCESS":
                handler.on_success(message.metadata)
            elif name == "FAILURE":
                error = Neo4jError.from_metadata(message.metadata)
                self._last_failure = error
                if self.on_error is not None:
                    self._report(error)
                handler.on_failure(error)
                self._after_failure()
            else:
                handler.on_ignored(self._last_failure)
        except Exception as exc:
            # The handler is off the queue: fail it here, then everything else.
            if not isinstance(exc, ProtocolError):
                exc = self._unexpected(exc, f"handling {name} for {handler.what()}")
            self._fail_handler(handler, exc)
            self._abort(exc)
            return False
        return True

    def _unexpected(self, exc: BaseException, doing: str) -> ProtocolError:
        """A ProtocolError for an exception that is not one (an odd answer the code did not
        foresee), keeping the original as the cause; logged at debug level only."""
        log.debug("unexpected error %s from %s:%s", doing, self.host, self.port, exc_info=exc)
        error = ProtocolError(f"the server's answer could not be handled ({doing}): "
                              f"{type(exc).__name__}: {exc}")
        error.__cause__ = exc
        return error

    def _internal_error(self, exc: BaseException, doing: str) -> None:
        """The last line of defence of the protocol callbacks: end the connection."""
        error = exc if isinstance(exc, BoltError) else self._unexpected(exc, doing)
        try:
            self._abort(error)
        except Exception:  # pragma: no cover - _abort only fails futures and closes
            log.debug("aborting after an unexpected error failed", exc_info=True)
            if self._transport is not None:
                self._transport.abort()

    def _connection_lost(self, exc: Exception | None) -> None:
        error = self.lost(f"connection to {self.host}:{self.port} closed"
                          + (f": {exc}" if exc else ""))
        unexpected = self._closed is None
        self._abort(error, close=False)
        if unexpected and self.on_error is not None and self.protocol_version is not None:
            self._report(error)

    def _report(self, error: BaseException) -> None:
        try:
            self.on_error(self, error)
        except Exception:  # a listener must not break the read loop
            log.exception("on_error listener failed")

    # -- plumbing -------------------------------------------------------------------------

    @property
    def negotiated_version(self) -> Version:
        """The negotiated version, as :attr:`protocol_version` but never None: RuntimeError before
        the handshake (every request is sent after it)."""
        if self.protocol_version is None:
            raise RuntimeError("no Bolt version negotiated yet")
        return self.protocol_version

    def _set_codec(self, patches: frozenset[str]) -> None:
        self.patches = patches
        codec = self._codec = get_codec(self.negotiated_version, patches, max_depth=self.max_depth,
                                        max_decoded_values=self.max_decoded_values)
        self._unpack = codec._unpack
        # The C decoder counts values against max_decoded_values on every call; the pure fast
        # one does not, so longer RECORDs (which could exceed the budget) take unpack_response.
        # Longer RECORDs than OFFLOAD_BYTES are decoded off the event loop (the slow path).
        self._record_fast_max = min(sys.maxsize if codec.accelerated else codec._fast_len, OFFLOAD_BYTES)

    def _fail_handshake(self, exc: BaseException) -> None:
        if not self._handshake_done.done():
            self._handshake_done.set_exception(exc)
        self._abort(exc)

    def _abort(self, exc: BaseException, close: bool = True) -> None:
        """The connection is unusable: fail everything waiting on it."""
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None
        if self._closed is None:
            self._closed = exc
        if not self._handshake_done.done():
            self._handshake_done.set_exception(exc if isinstance(exc, BoltError)
                                               else ServiceUnavailable(str(exc)))
            # Nobody may be waiting any more (a timed-out connect): mark it retrieved so asyncio
            # does not log it; a waiter still gets the exception.
            self._handshake_done.exception()
        pending, self._pending = self._pending, deque()
        outbox, self._outbox = self._outbox, []
        for handler in pending:
            self._fail_handler(handler, exc)
        for item, waiting in outbox:
            if waiting is not None:
                self._fail_handler(waiting, exc)
            elif isinstance(item, _PullSlot):
                item.stream.fail(exc)
        if self._drain_waiter is not None and not self._drain_waiter.done():
            self._drain_waiter.set_exception(exc)
        if close and self._transport is not None:
            self._transport.close()

    @staticmethod
    def _fail_handler(handler: _Handler, exc: BaseException) -> None:
        if isinstance(handler, _Call):
            handler._set(error=exc)
        elif isinstance(handler, (_RunHandler, _PullHandler)):
            handler.stream.fail(exc)

    def _check_open(self) -> None:
        if self._closed is not None:
            if isinstance(self._closed, ServiceUnavailable):
                raise self.lost(str(self._closed))
            raise self.lost(f"the connection is broken: {self._closed}")

    def _queue(self, message: Any, handler: _Handler | None) -> None:
        self._outbox.append((message, handler))
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        """Encode and write everything queued, in one write."""
        self._flush_scheduled = False
        outbox, self._outbox = self._outbox, []
        if not outbox:
            return
        if self._closed is not None:
            for item, handler in outbox:
                if handler is not None:
                    self._fail_handler(handler, self._closed)
                elif isinstance(item, _PullSlot):
                    item.stream.fail(self._closed)
            return
        codec, writer, pending = self._codec, self._writer, self._pending
        was_idle = not pending
        v4 = has("pull_n", self.negotiated_version)
        for i, (item, handler) in enumerate(outbox):
            if isinstance(item, _PullSlot):
                s = item.stream
                if s.slot is item:
                    s.slot = None
                if s.done:
                    continue
                # A result followed by another RUN must be drained (or discarded) now:
                # the server accepts no RUN while it still streams.
                # (Not so for a transaction's results from Bolt 4.0: they are named by qid.)
                later_run = not (v4 and s.tx is not None) and any(
                    isinstance(m, Run) for m, _ in outbox[i + 1:])
                n = -1 if (item.all or later_run) else s.fetch_size
                # As the official drivers, qid only names a result that is not the last one
                # run: the server takes the last one by default.
                qid = {"qid": s.qid} if s.qid >= 0 and s is not self._last_run else {}
                message: Message
                if item.discard or s.abandoned:
                    message = Discard({"n": -1, **qid}) if v4 else DiscardAll()
                    handler = _PullHandler(s, True)
                else:
                    extra: dict[str, Any] = {"n": n, **qid}
                    message = Pull(extra) if v4 else PullAll()
                    handler = _PullHandler(s, False, n if v4 else -1)
                s.in_flight += 1
                item = message
            writer.write(codec.pack_message(item))
            if handler is not None:
                pending.append(handler)
        self._write(writer.take())
        if was_idle:
            self._last_read = self._loop.time()  # the clock starts with the request
        timeout = self._effective_read_timeout()
        if timeout is not None:
            timer = self._read_timer
            # (Re)arm unless the timer already fires by the deadline (it may be left from a
            # longer timeout, before the server's hint was known).
            if timer is None or timer.when() > self._last_read + timeout:
                if timer is not None:
                    timer.cancel()
                self._watch_reads()

    def _hint(self) -> float | None:
        hint = self.hints.get("connection.recv_timeout_seconds")
        if isinstance(hint, (int, float)) and not isinstance(hint, bool) and 0 < hint < float("inf"):
            return hint
        return None

    def _effective_read_timeout(self) -> float | None:
        if isinstance(self.read_timeout, str):  # AUTO (the only string __init__ takes)
            hint = self._hint()
            return DEFAULT_READ_TIMEOUT if hint is None else hint
        return self.read_timeout

    def _watch_reads(self) -> None:
        """While answers are awaited, give the connection up after ``read_timeout`` (or the
        server's hint) seconds without a byte from it. Rescheduled lazily: reads only move the
        deadline later."""
        self._read_timer = None
        timeout = self._effective_read_timeout()
        if timeout is None or self._closed is not None or not self._pending:
            return
        now = self._loop.time()
        deadline = self._last_read + timeout
        if now < deadline:
            self._read_timer = self._loop.call_at(deadline, self._watch_reads)
            return
        what = self._pending[0].what()
        detail = ""
        if self._reader.buffered:
            detail = " (it stopped in the middle of a message)"
        elif self._noops_ignored:
            detail = (f" (only {self._noops_ignored} NOOP keep-alive(s), which count only while a "
                      "server keeps its connection.recv_timeout_seconds hint)")
        self._abort(self.lost(f"no data from {self.host}:{self.port} for {timeout:g} s "
                              f"while waiting for the answer to {what}{detail}"))

    async def _drain(self) -> None:
        if self._write_paused and self._closed is None:
            self._drain_waiter = self._loop.create_future()
            await self._drain_waiter

    def _after_failure(self) -> None:
        """A FAILURE: the server ignores everything until RESET, so send one, first in line."""
        if self._tx is not None:
            self._tx._failed = self._last_failure
        if self._resetting or self._closed is not None:
            return
        self._resetting = True

        def done(meta: dict) -> None:
            self._resetting = False

        # ping() waits for this RESET's answer rather than send a second one.
        self._auto_reset = self._loop.create_future()
        self._auto_reset.add_done_callback(_retrieve)
        handler = _Call("RESET", self._auto_reset, done)
        self._outbox.insert(0, (Reset(), handler))
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self._loop.call_soon(self._flush)

    # -- streams --------------------------------------------------------------------------

    async def _more(self, s: _Stream, need_fields: bool = False) -> None:
        """Wait until the stream has news, asking the server for the next batch if needed."""
        if s.error is None and self._closed is not None:
            s.fail(self.lost(str(self._closed)))
            return
        if not s.records and self._lost_with_tx(s):
            return
        if not need_fields and not s.records and s.has_more and s.in_flight == 0 and s.slot is None:
            s.slot = _PullSlot(s)
            self._queue(s.slot, None)
        if self._outbox:
            self._flush()  # we are about to wait: whatever is queued goes out now
        waiter = s.waiter
        if waiter is None:
            waiter = s.waiter = self._loop.create_future()
        await waiter

    def _lost_with_tx(self, s: _Stream) -> bool:
        """Another query failed the transaction of ``s`` (nothing of ``s`` in flight): the server
        dropped this result too, so ``s`` fails with ResultFailedError and no PULL or DISCARD
        goes out for it (it would only be IGNORED)."""
        failed = s.tx._failed if s.tx is not None else None
        if failed is None or s.done or s.in_flight or s.slot is not None:
            return False
        error = ResultFailedError(f"the result of {s.query!r} is lost: its transaction failed "
                                  f"({failed})")
        error.__cause__ = failed
        s.fail(error)
        return True

    def _discard(self, s: _Stream) -> None:
        """Tell the server we want no more records of ``s``."""
        if s.done or self._lost_with_tx(s):
            return
        if s.slot is not None:
            s.slot.discard = True
            return
        if s.in_flight == 0 and s.has_more:
            s.slot = _PullSlot(s, discard=True)
            self._queue(s.slot, None)
        else:
            s.abandoned = True  # decided when the PULL in flight comes back

    def _abandon(self, s: _Stream) -> None:
        s.abandoned = True
        s.drop_records()
        if self._closed is None:
            self._discard(s)

    def _stream_finished(self, s: _Stream) -> None:
        if self._current is s:
            self._current = None
        bookmark = s.pull_meta.get("bookmark")
        if bookmark and s.tx is None:
            self.bookmarks = [bookmark]
        if s.on_done is not None:
            s.notify_done()

    async def _settle_current(self) -> None:
        """Before a new RUN (or COMMIT): the previous result must not stay open on the server."""
        s = self._current
        if s is None or s.done:
            self._current = None
            return
        if s.tx is not None and not s.abandoned and has("qid", self.negotiated_version):
            # Bolt 4.0+: a transaction's results stay open side by side, each later PULL or
            # DISCARD naming its result by the qid its RUN's SUCCESS gave (as the official
            # drivers): the next RUN neither waits nor makes this one fetch all its records.
            # (An abandoned one, at COMMIT/ROLLBACK, is discarded below.)
            self._current = None
            return
        if s.slot is not None:
            s.slot.all = True
            return
        while s.in_flight and not s.done:
            await self._more(s, need_fields=True)
        if s.open:
            if s.abandoned:
                self._discard(s)
            else:
                s.slot = _PullSlot(s, all=True)
                self._queue(s.slot, None)
        self._current = None

    # -- public API -----------------------------------------------------------------------

    async def run(self, query: str, parameters: dict[str, Any] | None = None, *,
                  db: str | None = None, mode: str | None = None,
                  bookmarks: Iterable[str] | None = None, timeout: float | None = None,
                  metadata: dict[str, Any] | None = None, imp_user: str | None = None,
                  fetch_size: int | None = None, telemetry: int | None = None,
                  **kwparameters: Any) -> Result:
        """Queue a query (auto-commit) and return its Result; nothing waits for the server.
        ``telemetry``: an API number announced first (see :meth:`telemetry`)."""
        self._check_open()
        if self._tx is not None:
            raise ClientError("Neo.ClientError.Request.Invalid",
                              "a transaction is open on this connection: run queries with tx.run()")
        extra = self._tx_extra(db, mode, bookmarks, timeout, metadata, imp_user)
        return await self._run(query, {**(parameters or {}), **kwparameters}, extra, fetch_size, None,
                               telemetry)

    async def _run(self, query: str, parameters: dict, extra: dict, fetch_size: int | None,
                   tx: Transaction | None, telemetry: int | None = None) -> Result:
        await self._settle_current()
        if telemetry is not None:
            self.telemetry(telemetry)
        return self._queue_run(query, parameters, extra, fetch_size, tx)

    @property
    def telemetry_enabled(self) -> bool:
        """Whether the server asked for TELEMETRY (Bolt 5.4+, HELLO's hint
        ``telemetry.enabled``)."""
        v = self.protocol_version
        return v is not None and has("telemetry", v) and self.hints.get("telemetry.enabled") is True

    def telemetry(self, api: int, on_success: Any = None) -> bool:
        """Queue a TELEMETRY message saying which driver API runs the work queued next (one of
        the ``TELEMETRY_*`` numbers), pipelined with that work as the official drivers do:
        nothing waits for its answer. Only when the server asked for it
        (:attr:`telemetry_enabled`); returns whether it was queued. ``on_success(meta)`` hears
        its SUCCESS."""
        self._check_open()
        if not self.telemetry_enabled:
            return False
        self._queue(Telemetry(int(api)), _Call("TELEMETRY", None, on_success))
        return True

    def _queue_run(self, query: str, parameters: dict, extra: dict, fetch_size: int | None,
                   tx: Transaction | None) -> Result:
        """Queue RUN and its PULL; the previous result must be settled (done or still unsent)."""
        if not isinstance(query, str):
            raise TypeError(f"query must be a str, not {type(query).__name__}")
        self._check_open()
        previous = self._current
        if previous is not None and previous.open:
            if previous.slot is None:
                raise RuntimeError("the previous result is still streaming; await run() instead")
            previous.slot.all = True
        s = _Stream(self, query, parameters, fetch_size or self.fetch_size, tx)
        if tx is not None:
            tx._streams.append(s)
        if not has("tx_extra", self.negotiated_version):
            message = Run(query, parameters)
        else:
            message = Run(query, parameters, extra)
        # Encode now so a value the codec refuses raises here, at the caller.
        self._codec.pack_message(message)
        self._queue(message, _RunHandler(s))
        self._last_run = s
        s.slot = _PullSlot(s)
        self._queue(s.slot, None)
        self._current = s
        return Result(s)

    def _tx_extra(self, db: str | None, mode: str | None, bookmarks: Iterable[str] | None,
                  timeout: float | None, metadata: dict | None, imp_user: str | None) -> dict[str, Any]:
        v = self.negotiated_version
        extra: dict[str, Any] = {}
        marks = list(self.bookmarks if bookmarks is None else bookmarks)

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

    def begin(self, *, db: str | None = None, mode: str | None = None,
              bookmarks: Iterable[str] | None = None, timeout: float | None = None,
              metadata: dict[str, Any] | None = None, imp_user: str | None = None,
              fetch_size: int | None = None, telemetry: int | None = None,
              on_telemetry: Any = None) -> Transaction:
        """An explicit transaction: ``async with conn.begin() as tx`` commits on a clean exit and
        rolls back on an exception; or ``tx = await conn.begin()`` and commit/rollback yourself.
        ``fetch_size`` (records per PULL, -1: all) applies to the transaction's queries (default:
        the connection's). ``telemetry``: an API number announced before BEGIN (see
        :meth:`telemetry`; ``on_telemetry(meta)`` hears its SUCCESS)."""
        self._check_open()
        if not has("explicit_tx", self.negotiated_version):
            raise ClientError("Neo.ClientError.Request.Invalid",
                              f"explicit transactions need Bolt {format_version(since('explicit_tx'))}+ "
                              "(use RUN 'BEGIN' before)")
        if self._tx is not None:
            raise ClientError("Neo.ClientError.Request.Invalid", "a transaction is already open")
        extra = self._tx_extra(db, mode, bookmarks, timeout, metadata, imp_user)
        if telemetry is not None:
            self.telemetry(telemetry, on_telemetry)
        tx = Transaction(self, extra, fetch_size)
        self._tx = tx
        return tx

    async def reset(self) -> dict[str, Any]:
        """Abort whatever runs and return to a clean state (open results fail)."""
        self._check_open()
        future = self._loop.create_future()
        self._outbox.insert(0, (Reset(), _Call("RESET", future)))
        if self._tx is not None:
            self._tx._failed = RequestIgnored("the connection was reset")
            self._tx = None
        current, self._current = self._current, None
        if current is not None and not current.done:
            # The server drops the result: whatever was not yet received never will be.
            current.drop_records()
            current.fail(RequestIgnored(f"the result of {current.query!r} was cut short by reset()"))
        self._flush()
        return await future

    async def reauth(self, auth: Any) -> None:
        """Switch the authenticated user (Bolt 5.1+: LOGOFF, LOGON)."""
        self._check_open()
        if not has("logon", self.negotiated_version):
            raise ClientError("Neo.ClientError.Request.Invalid",
                              f"re-authentication needs Bolt {format_version(since('logon'))}+; "
                              "open a new connection instead")
        token = auth_token(auth)
        self._queue(Logoff(), _Call("LOGOFF", None))
        future = self._loop.create_future()
        self._queue(Logon(token), _Call("LOGON", future))
        self._flush()
        await future
        self._auth = token

    async def close(self) -> None:
        """Say GOODBYE (Bolt 3.0+) and close the socket."""
        if self._closed is None and self._transport is not None:
            if self.protocol_version is not None and has("goodbye", self.protocol_version):
                try:
                    self._outbox.append((Goodbye(), None))
                    self._flush()
                except Exception:
                    pass
            self._abort(ServiceUnavailable("the connection was closed"))
        if self._transport is not None:
            self._transport.close()
            await asyncio.sleep(0)

    @property
    def closed(self) -> bool:
        return self._closed is not None

    @property
    def idle(self) -> bool:
        """Open, and nothing is going on: no transaction, no result the server still holds, no
        request waiting for its answer. A pool hands such a connection out as it is."""
        current = self._current
        return (self._closed is None and self._tx is None and not self._pending and not self._outbox
                and not self._resetting and (current is None or current.done))

    async def ping(self, timeout: float | None = None) -> None:
        """Check that the server still answers (a RESET round trip, which also drops whatever the
        connection had going). Raises ServiceUnavailable, and closes the connection, if not.
        While the RESET sent after a failure is on its way, its answer is the round trip: a
        second RESET would be one too many (the official drivers' minimal resets)."""
        try:
            auto = self._auto_reset
            if self._resetting and auto is not None and not auto.done():
                await asyncio.wait_for(asyncio.shield(auto), timeout)
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

        def need(feature: str, version: Version) -> None:
            raise ConfigurationError("Neo.ClientError.Request.Invalid",
                                     f"{feature} in a routing request needs Bolt "
                                     f"{version[0]}.{version[1]}+; this connection speaks {v[0]}.{v[1]}")

        if imp_user is not None and not key_holds("route_extra", "imp_user", v):
            need(f"imp_user ({imp_user!r})", key_range("route_extra", "imp_user")[0])
        if has("route_message", v):
            if has("route_extra", v):
                extra: dict[str, Any] = {}
                if db is not None:
                    extra["db"] = db
                if imp_user is not None:
                    extra["imp_user"] = imp_user
                message = Route(context, marks, extra=extra)
            else:
                message = Route(context, marks, db=db)
            self._codec.pack_message(message)  # a value the codec refuses raises here
            await self._settle_current()
            future = self._loop.create_future()
            self._queue(message, _Call("ROUTE", future))
            self._flush()
            meta = await future
            table = dict(meta.get("rt") or {})
        else:
            if has("multi_db", v):
                params: dict[str, Any]
                if db is None:
                    query, params = "CALL dbms.routing.getRoutingTable($context)", {"context": context}
                else:
                    query = "CALL dbms.routing.getRoutingTable($context, $database)"
                    params = {"context": context, "database": db}
                # the whole table in one PULL (n -1), as the official drivers: it is small
                result = await self.run(query, params, db="system", mode="r", bookmarks=marks,
                                        fetch_size=-1)
            else:
                if db is not None:
                    need("db", since("multi_db"))
                legacy = not has("tx_extra", v)
                result = await self.run("CALL dbms.cluster.routing.getRoutingTable($context)",
                                        {"context": context}, mode=None if legacy else "r",
                                        bookmarks=None if legacy else [])
            record = await result.single()
            assert record is not None  # (strict: anything but one record raised)
            missing = [k for k in ("ttl", "servers") if k not in record.keys()]
            if missing:
                # A server's wrong answer is its protocol error, not the caller's KeyError.
                raise ProtocolError(f"the routing procedure returned the fields {record.keys()}, "
                                    f"without {' and '.join(missing)}")
            if len(record) < len(record.keys()):
                raise ProtocolError(f"the routing procedure returned a record of {len(record)} "
                                    f"value(s) for the {len(record.keys())} fields {record.keys()}")
            table = {"ttl": record["ttl"], "servers": record["servers"]}
            problem = check_response_maps(table, "routing_table")
            if problem is not None:
                raise ProtocolError(f"the routing procedure returned a bad table: {problem}")
        if db is not None:
            table.setdefault("db", db)
        return table

    async def _finish_stream(self, s: _Stream, discard: bool = False) -> None:
        """Wait until the server is done with ``s``: its remaining records are fetched into its
        buffer (where the Result still reads them) or, with ``discard``, DISCARDed."""
        while not s.done:
            if self._closed is not None:
                s.fail(self.lost(str(self._closed)))
                return
            if discard:
                self._discard(s)
            elif s.slot is not None:
                s.slot.all = True
            elif s.in_flight == 0 and s.has_more:
                s.slot = _PullSlot(s, all=True)
                self._queue(s.slot, None)
            if self._outbox:
                self._flush()
            waiter = s.waiter
            if waiter is None:
                waiter = s.waiter = self._loop.create_future()
            await waiter

    async def __aenter__(self) -> Connection:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    def __repr__(self) -> str:
        v = self.protocol_version
        return (f"<Connection {self.host}:{self.port} bolt={v[0]}.{v[1] if v else '?'} "
                f"server={self.server_agent!r}>" if v else f"<Connection {self.host}:{self.port}>")

    # -- opening --------------------------------------------------------------------------

    async def _open(self, ssl: _ssl.SSLContext | None, timeout: float | None,
                    connect_timeout: float | None = None) -> None:
        """Connect, negotiate and authenticate, all within ``timeout`` seconds in total; the
        connect itself (TCP, and TLS) also within ``connect_timeout``."""
        await asyncio.wait_for(self._open_steps(ssl, connect_timeout), timeout)

    async def _open_steps(self, ssl: _ssl.SSLContext | None,
                          connect_timeout: float | None = None) -> None:
        await asyncio.wait_for(
            self._loop.create_connection(lambda: _Protocol(self), self.host, self.port, ssl=ssl,
                                         server_hostname=self.server_hostname if ssl else None),
            connect_timeout)
        await asyncio.shield(self._handshake_done)
        await self._hello()

    async def _hello(self) -> None:
        v = self.negotiated_version
        auth = self._auth
        future = self._loop.create_future()

        def hello_done(meta: dict) -> None:
            self.server_agent = meta.get("server")
            self.connection_id = meta.get("connection_id")
            self.hints = dict(meta.get("hints") or {})
            if "utc" in (meta.get("patch_bolt") or ()):
                self._set_codec(frozenset({"utc"}))

        if not has("hello", v):
            notification_filters(v, self.notifications_min_severity, self.notifications_disabled_classifications)
            self._queue(Init(self._user_agent, auth), _Call("INIT", future, hello_done))
        else:
            # Every key HELLO might carry; each is sent only in the versions spec/bolt.yaml's
            # hello_extra table gives it (the credentials: until LOGON carries them).
            offer: dict[str, Any] = {"user_agent": self._user_agent}
            if not has("logon", v):
                offer.update(auth)
            if self._routing is not None:
                offer["routing"] = self._routing
            if patch_holds("utc", v):
                offer["patch_bolt"] = ["utc"]
            offer.update(notification_filters(v, self.notifications_min_severity,
                                              self.notifications_disabled_classifications))
            offer["bolt_agent"] = {
                "product": f"asyncbolt/{__version__}",
                "platform": f"{platform.system()} {platform.release()}; {platform.machine()}",
                "language": f"Python/{platform.python_version()}",
            }
            # (a key the table does not name, as a custom auth token's, is sent as given)
            extra = {k: x for k, x in offer.items()
                     if not known_key("hello_extra", k) or key_holds("hello_extra", k, v)}
            if has("logon", v):
                self._queue(Hello(extra), _Call("HELLO", None, hello_done))
                self._queue(Logon(auth), _Call("LOGON", future))
            else:
                self._queue(Hello(extra), _Call("HELLO", future, hello_done))
        self._flush()
        await future
        prefix = self.server_agent_prefix
        if prefix is not None and not (isinstance(self.server_agent, str)
                                       and self.server_agent.startswith(prefix)):
            raise UnsupportedServerProduct(f"{self.host}:{self.port}: server agent "
                                           f"{self.server_agent!r} does not start with {prefix!r}")


def notification_filters(version: Version, min_severity: str | None,
                         disabled_classifications: Iterable[str] | None) -> dict[str, Any]:
    """The HELLO extra keys of notification filters in Bolt ``version``, named as spec/bolt.yaml's
    hello_extra table has them: the disabled classifications are ``..._categories`` until 5.4
    and ``..._classifications`` from 5.5 (as the official drivers send them). Filters need Bolt
    5.2+ (ConfigurationError before)."""
    if min_severity is None and disabled_classifications is None:
        return {}
    if not key_holds("hello_extra", "notifications_minimum_severity", version):
        low = key_range("hello_extra", "notifications_minimum_severity")[0]
        raise ConfigurationError("Neo.ClientError.Request.Invalid",
                                 f"notification filters need Bolt {low[0]}.{low[1]}+; this connection speaks "
                                 f"{version[0]}.{version[1]}")
    extra: dict[str, Any] = {}
    if min_severity is not None:
        extra["notifications_minimum_severity"] = min_severity
    if disabled_classifications is not None:
        name = next(k for k in ("notifications_disabled_classifications", "notifications_disabled_categories")
                    if key_holds("hello_extra", k, version))
        extra[name] = list(disabled_classifications)
    return extra


def parse_uri(uri: str) -> tuple[str, str, int, dict[str, str]]:
    """``scheme://host:port?routing=context`` -> (scheme, host, port, query parameters)."""
    parsed = urlparse(uri)
    scheme = parsed.scheme.lower()
    known = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc", "tcp")
    if scheme not in known:
        raise ValueError(f"unsupported URI scheme {scheme!r} in {redact_uri(uri)!r}; "
                         f"use one of {', '.join(known)}")
    if parsed.path not in ("", "/"):
        raise ValueError(f"a Bolt URI has no path: {redact_uri(uri)!r}")
    host = parsed.hostname or "localhost"
    port = parsed.port or DEFAULT_PORT
    query = dict(parse_qsl(parsed.query, keep_blank_values=False))
    if parsed.username and parsed.password is not None:
        query.setdefault("_user", unquote(parsed.username))
        query.setdefault("_password", unquote(parsed.password))
    return scheme, host, port, query


def _ssl_for(scheme: str, ssl: _ssl.SSLContext | bool | None) -> _ssl.SSLContext | None:
    """The TLS context for a scheme (or the user's own), never below TLS 1.2."""
    if isinstance(ssl, _ssl.SSLContext):
        return require_tls12(ssl)
    if scheme.endswith("+s"):
        return require_tls12(_ssl.create_default_context())
    if scheme.endswith("+ssc"):
        context = _ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = _ssl.CERT_NONE
        return require_tls12(context)
    if ssl:
        return require_tls12(_ssl.create_default_context())
    return None


def _spell_out_pre_range(slots: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Ranges as the official drivers offer them: only down to 4.2 (ranges came with 4.3 and
    were backported to 4.2); 4.1, 4.0 and older versions each get a plain slot of their own, as
    servers before ranges compare a slot with one version."""
    floor_major, floor_minor = since("handshake_ranges_read")
    out = []
    for major, minor, range_ in slots:
        low = minor - range_
        if (major, low) >= (floor_major, floor_minor):
            out.append((major, minor, range_))
            continue
        top = minor
        if major == floor_major and minor >= floor_minor:
            out.append((major, minor, minor - floor_minor))
            top = floor_minor - 1
        out.extend((major, m, 0) for m in range(top, low - 1, -1))
    return out


def _proposals(versions: Iterable[Version] | None) -> tuple[list, bool]:
    if versions is None:
        return list(DEFAULT_PROPOSALS), True
    from asyncbolt.core.handshake import compress_versions

    wanted = sorted({(int(a), int(b)) for a, b in versions}, reverse=True)
    # The manifest slot only for versions nothing else reaches: it costs a slot that 4.1 (or
    # 3.0) needs when older versions are wanted too, and a 5.7/5.8 server takes a legacy range.
    manifest = any(v in MANIFEST_ONLY for v in wanted)
    slots = [(p[0], p[1], p[2]) for p in map(tuple, compress_versions(wanted))]
    limit = 3 if manifest else 4
    plain = _spell_out_pre_range(slots)
    if len(plain) <= limit:  # else the ranges, which at least reach servers that read them
        slots = plain
    if len(slots) > limit:
        raise ValueError(f"{len(slots)} version ranges do not fit in the handshake's {limit} slots")
    return slots, manifest


_FROM_URI: Any = object()


async def _open_connection(scheme: str, host: str, port: int, query: dict, *, auth: Any,
                           ssl: Any, user_agent: str, fetch_size: int, versions: Any,
                           timeout: float | None, routing: Any = _FROM_URI,
                           server_hostname: str | None = None,
                           limits: dict[str, Any] | None = None,
                           connect_timeout: float | None = None) -> Connection:
    """Open and authenticate a connection within ``timeout`` (the connect itself also within
    ``connect_timeout``). ``routing`` (the driver's: one context, naming the URI's address, for
    every connection of a cluster) overrides the one made from the URI; ``server_hostname`` is
    what TLS verifies when ``host`` is an address resolved from it."""
    token = auth_token(auth)
    if routing is _FROM_URI:
        routing = None
        if scheme.startswith("neo4j"):
            routing = {k: v for k, v in query.items() if not k.startswith("_")}
            routing["address"] = f"{host}:{port}"
    context = _ssl_for(scheme, ssl)
    proposals, manifest = _proposals(versions)
    attempts = [(proposals, manifest)]
    if versions is None:
        attempts.append((LEGACY_PROPOSALS, False))
    last: BaseException | None = None
    refused: list[str] = []
    for slots, use_manifest in attempts:
        conn = Connection(host=host, port=port, auth=token, user_agent=user_agent,
                          fetch_size=fetch_size, routing=routing, proposals=slots, manifest=use_manifest,
                          supported=None if versions is None else [tuple(v) for v in versions],
                          server_hostname=server_hostname, **(limits or {}))
        try:
            await conn._open(context, timeout, connect_timeout)
            return conn
        except HandshakeError as exc:
            last = exc
            await conn.close()
            if "none of the proposed" not in str(exc) and "supports none" not in str(exc):
                raise
            refused.append(", ".join(str(p) for p in conn._handshake.proposals))
        except (OSError, asyncio.TimeoutError) as exc:
            await conn.close()
            if isinstance(exc, asyncio.TimeoutError) and (timeout, connect_timeout) != (None, None):
                step = ("connecting" if conn._transport is None else "the Bolt handshake"
                        if conn.protocol_version is None else "authenticating")
                limit = min(t for t in (timeout, connect_timeout if step == "connecting" else None)
                            if t is not None)
                raise ServiceUnavailable(f"connecting to {host}:{port} timed out after {limit:.3g}s "
                                         f"({step} did not finish)") from exc
            reason = str(exc) or type(exc).__name__
            raise ServiceUnavailable(f"cannot connect to {host}:{port}: {reason}") from exc
        except BaseException:
            await conn.close()
            raise
    if len(refused) > 1:
        raise HandshakeError(f"{host}:{port} supports none of the proposed versions "
                             f"({'; then '.join(refused)})") from last
    assert last is not None  # (every attempt failed and kept its error)
    raise last


class _Connect:
    """What :func:`connect` returns: await it, or use it with ``async with``."""

    def __init__(self, factory: Any) -> None:
        self._factory = factory
        self._conn: Connection | None = None

    def __await__(self) -> Generator[Any, None, Connection]:
        return self._factory().__await__()

    async def __aenter__(self) -> Connection:
        self._conn = await self._factory()
        return self._conn

    async def __aexit__(self, *exc: Any) -> None:
        if self._conn is not None:
            await self._conn.close()


def connect(uri: str | None = None, auth: Any = None, *,
            ssl: _ssl.SSLContext | bool | None = None, user_agent: str = USER_AGENT,
            fetch_size: int = DEFAULT_FETCH_SIZE, versions: Iterable[Version] | None = None,
            timeout: float | None = 30.0, protocol_class: Any = None, loop: Any = None,
            host: str | None = None, port: int | None = None, on_failure: Any = None,
            max_inflight: int = 2048, max_message_size: int | None = DEFAULT_MAX_MESSAGE_SIZE,
            max_chunks: int | None = None, max_depth: int = DEFAULT_MAX_DEPTH,
            max_buffered_records: int = DEFAULT_MAX_BUFFERED_RECORDS,
            max_buffered_bytes: int | None = DEFAULT_MAX_BUFFERED_BYTES,
            read_timeout: float | str | None = AUTO,
            max_decoded_values: int | None = DEFAULT_MAX_DECODED_VALUES,
            server_agent_prefix: str | None = None, notifications_min_severity: str | None = None,
            notifications_disabled_classifications: Iterable[str] | None = None, **kwargs: Any) -> Any:
    """Open a Bolt connection: ``conn = await connect(uri, auth=...)`` or
    ``async with connect(uri) as conn``.

    ``uri``: ``bolt://host:port`` (default ``bolt://localhost:7687``; ``bolt+s`` verified TLS,
    ``bolt+ssc`` self-signed accepted; ``neo4j://...`` sends the routing context). ``auth``:
    ``(user, password)``, a token from ``asyncbolt.bearer_auth``/``kerberos_auth``/
    ``custom_auth``, or None. ``versions``: offer only these Bolt versions (default: the highest
    common one in the spec). ``fetch_size``: records per PULL (-1: all at once). ``timeout``:
    seconds to connect, negotiate and authenticate.

    Limits on what the server may send; past one, a ``ProtocolError`` ends the connection:
    ``max_message_size`` (bytes of one message, 64 MiB; None: no limit), ``max_chunks`` (of one
    message, 65,536), ``max_depth`` (nested lists, maps and structures in a value, 256),
    ``max_decoded_values`` (values one message may decode to, counted before they are built,
    2,000,000; None: no limit),
    ``max_buffered_records`` (records received and not yet read, per result, 1,000,000: only
    reached with ``fetch_size=-1`` or when a new query makes an unread result fetch its rest),
    ``max_buffered_bytes`` (wire bytes of those records, over all results of the connection,
    64 MiB; None: no limit). A RECORD beyond what the outstanding PULL asked for (its ``n``),
    or with no PULL outstanding, is always a ``ProtocolError``, as is a well-known metadata key
    of the wrong type (spec/bolt.yaml's ``success_metadata``).
    ``read_timeout``: seconds of silence from the server, while an answer is awaited, after
    which the connection is given up with ``ServiceUnavailable``. Default ``"auto"``: the
    server's ``connection.recv_timeout_seconds`` hint if it sends one (as the official drivers
    do), else 300 s; None: no limit. Silence means no message bytes: a message stalled half-way
    is silent, and NOOP keep-alives count only while the server keeps its hint (a NOOP at least
    every hint seconds), so a hinting server keeps a long query alive indefinitely.
    ``server_agent_prefix``: refuse a server whose agent (HELLO's ``server``) does not start
    with this, raising ``UnsupportedServerProduct`` after authenticating (the official drivers
    require ``"Neo4j/"``; default None: any Bolt server is welcome).
    ``notifications_min_severity`` (``"OFF"``, ``"WARNING"``, ``"INFORMATION"``) and
    ``notifications_disabled_classifications`` (e.g. ``["HINT", "UNRECOGNIZED"]``): the
    notification filters HELLO asks the server for, Bolt 5.2+ (``ConfigurationError`` before);
    the key of the classifications is the one of the negotiated version.

    The seed's form still works and returns a :class:`ClientSession`:
    ``await connect("tcp://localhost:7687", loop, protocol_class=MyProtocol, username=...)`` or
    ``await connect(host=..., port=..., protocol_class=...)`` (keyword arguments other than the
    above go to ``protocol_class(loop, **kwargs)``, whose ``get_init_params()`` gives the user
    agent and auth token; without a URI the seed's default port 8888 applies).
    """
    seed = (protocol_class is not None or host is not None or port is not None or bool(kwargs)
            or on_failure is not None or (uri is not None and uri.startswith("tcp://")))
    if seed:
        if isinstance(auth, asyncio.AbstractEventLoop):
            loop, auth = auth, None
        return _Connect(lambda: _seed_connect(uri, protocol_class, loop, host, port, ssl, on_failure,
                                              max_inflight, versions, timeout, kwargs))
    scheme, host_, port_, query = parse_uri(uri or f"bolt://localhost:{DEFAULT_PORT}")
    if auth is None and "_user" in query:
        auth = (query["_user"], query["_password"])

    limits = {"max_message_size": max_message_size, "max_chunks": max_chunks,
              "max_depth": max_depth, "max_buffered_records": max_buffered_records,
              "max_buffered_bytes": max_buffered_bytes, "read_timeout": read_timeout,
              "max_decoded_values": max_decoded_values,
              "server_agent_prefix": server_agent_prefix,
              "notifications_min_severity": notifications_min_severity,
              "notifications_disabled_classifications": notifications_disabled_classifications}

    def factory() -> Coroutine[Any, Any, Connection]:
        return _open_connection(scheme, host_, port_, query, auth=auth, ssl=ssl, user_agent=user_agent,
                                fetch_size=fetch_size, versions=versions, timeout=timeout,
                                limits=limits)

    return _Connect(factory)


# -------------------------------------------------------------------------------------------
# The seed's client API


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


def _retrieve(future: asyncio.Future) -> None:
    if not future.cancelled():
        future.exception()


class Transaction:
    """An explicit transaction (Bolt 3.0+). BEGIN goes out with the first query, or at once
    with ``await conn.begin()`` (which waits for its answer: the official drivers' eager BEGIN).
    Its results become unreadable (:class:`ResultConsumedError`) when it ends; after a failure
    every later ``run``/``commit`` raises that failure again."""

    def __init__(self, conn: Connection, extra: dict[str, Any], fetch_size: int | None = None) -> None:
        self._conn = conn
        self._fetch_size = fetch_size
        self._streams: list[_Stream] = []  # the results of its queries
        self._failed: BaseException | None = None
        self._finished = False
        self._begin = conn._loop.create_future()
        # A BEGIN that failed is reported by the call that failed with it (run, commit); a
        # rollback after it does not wait for it, so it must not count as never retrieved.
        self._begin.add_done_callback(_retrieve)
        conn._queue(Begin(extra), _Call("BEGIN", self._begin))
        self.bookmark: str | None = None

    def __await__(self) -> Generator[Any, None, Transaction]:
        async def started() -> Transaction:
            self._conn._flush()
            await self._begin
            return self
        return started().__await__()

    async def run(self, query: str, parameters: dict[str, Any] | None = None, *,
                  fetch_size: int | None = None, **kwparameters: Any) -> Result:
        """Queue a query in this transaction (``fetch_size``: this query's, else the
        transaction's, else the connection's)."""
        self._check()
        return await self._conn._run(query, {**(parameters or {}), **kwparameters}, {},
                                     fetch_size or self._fetch_size, self)

    def _check(self) -> None:
        if self._finished:
            raise ClientError("Neo.ClientError.Transaction.TransactionNotFound",
                              "the transaction is already closed")
        if self._failed is not None:
            # As the official drivers: the failure was raised where it happened (by the query
            # or its result); every later call says the transaction failed, caused by it.
            raise TransactionError(f"the transaction failed earlier: {self._failed}") from self._failed
        self._conn._check_open()

    async def _settle_others(self) -> None:
        """Before COMMIT/ROLLBACK: DISCARD the open results of this transaction other than the
        connection's current one (Bolt 4.0+ keeps them side by side), and wait for their PULLs
        in flight, so no DISCARD follows the end of the transaction."""
        conn = self._conn
        others = [s for s in self._streams if s is not conn._current and not s.done]
        for s in others:
            if s.has_more:
                conn._abandon(s)
        for s in others:
            while s.in_flight and not s.done and conn._closed is None:
                await conn._more(s, need_fields=True)

    def _end_results(self) -> None:
        """The transaction ended: its results can no longer be read (as the official drivers)."""
        for s in self._streams:
            s.drop_records()
            s.gone = _OUT_OF_SCOPE
        self._streams.clear()

    async def commit(self) -> str | None:
        """Commit; returns the bookmark (also kept on the connection for the next one). What
        its results did not read is discarded; reading them afterwards raises
        :class:`ResultConsumedError`. A connection lost after COMMIT went out and before its
        answer raises :class:`IncompleteCommit` (it may or may not have been committed)."""
        self._check()
        conn = self._conn
        await self._settle_others()
        if conn._current is not None and conn._current.tx is self:
            conn._abandon(conn._current)  # DISCARD what was not read, as the official drivers
        await conn._settle_current()
        future = conn._loop.create_future()
        conn._queue(Commit(), _Call("COMMIT", future))
        sent = conn._closed is None  # the flush below writes COMMIT (else fails it unsent)
        conn._flush()
        self._finished = True
        try:
            await self._begin
            meta = await future
        except RequestIgnored:
            # COMMIT was ignored because a query of the transaction failed (its result was not
            # read): the failure itself is the answer, not "COMMIT was not run".
            if self._failed is not None and not isinstance(self._failed, RequestIgnored):
                raise self._failed from None
            raise
        except ServiceUnavailable as exc:
            if not sent or isinstance(exc, IncompleteCommit):
                raise
            raise IncompleteCommit(
                f"the connection to {conn.host}:{conn.port} broke while the transaction was "
                f"committing; it may or may not have been committed ({exc})") from exc
        finally:
            conn._tx = None
            self._end_results()
        self.bookmark = meta.get("bookmark")
        if self.bookmark:
            conn.bookmarks = [self.bookmark]
        return self.bookmark

    async def rollback(self) -> None:
        """Roll back (a no-op when the transaction already failed)."""
        conn = self._conn
        if self._finished:
            return
        self._finished = True
        try:
            if self._failed is not None or conn._closed is not None:
                return
            await self._settle_others()
            if conn._current is not None and conn._current.tx is self:
                conn._abandon(conn._current)
                await conn._settle_current()
            future = conn._loop.create_future()
            conn._queue(Rollback(), _Call("ROLLBACK", future))
            conn._flush()
            await future
        finally:
            conn._tx = None
            self._end_results()

    async def __aenter__(self) -> Transaction:
        return self

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self._finished:
            return
        if exc_type is None:
            await self.commit()
        else:
            await self.rollback()
