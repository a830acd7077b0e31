"""What a query gives the user, and the handlers that fill it: :class:`Record`, :class:`Summary`
(with its :class:`Counters`), :class:`Result` over the shared :class:`_Stream` of one result, and
one handler per request sent (``_Call`` for a request answered by one summary, ``_RunHandler``,
``_PullHandler``), which the connection's protocol core hands each answer to, in order."""

from __future__ import annotations

import functools
import logging
import warnings
from collections import deque
from typing import TYPE_CHECKING, Any

from asyncbolt.client import notifications as _notes
from asyncbolt.client.columnar import ColumnarResult
from asyncbolt.client.eager import EagerResult, Graph, Keys, ServerInfo
from asyncbolt.client.frames import FramesMixin
from asyncbolt.client.record import Record

# The exception classes of the client still live in asyncbolt.client.connection (which imports
# this module): reached through the module object, so either may be imported first.
from asyncbolt.errors import (
    Neo4jError,
    ProtocolError,
    RequestIgnored,
    ResultConsumedError,
    ResultNotSingleError,
)

if TYPE_CHECKING:
    import asyncio

    from asyncbolt.client.connection import Connection
    from asyncbolt.client.transaction import Transaction

__all__ = ["Record", "Counters", "Summary", "Result"]

# (the logger of the module these classes came from: log configurations keep working)
log = logging.getLogger("asyncbolt.client.connection")


# -------------------------------------------------------------------------------------------
# Values handed to the user


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


class Summary:
    """What the server said about a finished query. ``notifications`` are the server's maps
    (those of the statuses from Bolt 5.5); :attr:`summary_notifications` and
    :attr:`gql_status_objects` are their typed forms."""

    def __init__(self, query: str, parameters: dict, run: dict, pull: dict, conn: Connection,
                 had_record: bool | None = False) -> None:
        self.query = query
        self.parameters = parameters
        self.metadata = {**run, **pull}
        self._pull = pull
        self.query_type: str | None = pull.get("type")
        self.plan: dict | None = pull.get("plan") or pull.get("profile")
        self.profile: dict | None = pull.get("profile")
        self.statuses: list = list(pull.get("statuses") or [])
        self.bookmark: str | None = pull.get("bookmark")
        self.database: str | None = pull.get("db") or run.get("db")
        self.t_first: int | None = run.get("t_first", run.get("result_available_after"))
        self.t_last: int | None = pull.get("t_last", pull.get("result_consumed_after"))
        self.server_agent = conn.server_agent
        self.protocol_version = conn.protocol_version
        self._where = (conn.host, conn.port, conn.connection_id)
        self._had = (had_record, bool(run.get("fields")))

    # (counters and notifications are made when first read: most summaries are never looked at)

    @functools.cached_property
    def counters(self) -> Counters:
        """The update counters (from the summary's ``stats``)."""
        return Counters(self._pull.get("stats"))

    @functools.cached_property
    def notifications(self) -> list:
        """The server's notifications; from Bolt 5.5, which sends GQL status objects instead,
        those of the statuses that carry a ``neo4j_code`` in the notification form (code,
        title, description; severity, category and position from the diagnostic record)."""
        return _notes.notifications_of(self._pull)

    @property
    def server(self) -> ServerInfo:
        """The server that ran the query (``address``, ``agent``, ``protocol_version``), as the
        official driver's ``summary.server``."""
        from asyncbolt.client.routing import Address

        host, port, connection_id = self._where
        return ServerInfo(Address(host, port), self.server_agent, self.protocol_version, connection_id)

    @property
    def result_available_after(self) -> int | None:
        """The official driver's name of :attr:`t_first` (ms until the first record)."""
        return self.t_first

    @property
    def result_consumed_after(self) -> int | None:
        """The official driver's name of :attr:`t_last` (ms until the last record)."""
        return self.t_last

    @functools.cached_property
    def summary_notifications(self) -> list[_notes.SummaryNotification]:
        """:attr:`notifications`, parsed (:class:`~asyncbolt.client.notifications.SummaryNotification`)."""
        return _notes.summary_notifications(self.notifications)

    @functools.cached_property
    def gql_status_objects(self) -> tuple[_notes.GqlStatusObject, ...]:
        """The query's GQL statuses (:class:`~asyncbolt.client.notifications.GqlStatusObject`):
        Bolt 5.5+ ``statuses`` as sent; before, made from the notifications, with the query's
        outcome (success, no data, omitted result), the most important first."""
        return _notes.gql_status_objects(self.metadata, self.notifications, *self._had)

    def __repr__(self) -> str:
        return f"<Summary type={self.query_type!r} counters={self.counters!r} db={self.database!r}>"


# -------------------------------------------------------------------------------------------
# Result streams


class _Stream:
    """The state of one result, shared by its Result and the response handlers."""

    __slots__ = ("conn", "query", "parameters", "fetch_size", "records", "sizes", "fields", "index",
                 "run_meta", "pull_meta", "has_more", "done", "error", "waiter", "slot",
                 "in_flight", "abandoned", "tx", "qid", "on_done", "gone", "notes", "had_record",
                 "columns", "__weakref__")

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
        #: The notification filters of its RUN or BEGIN (over the connection's), or None.
        self.notes: _notes.NotificationFilters | None = None
        #: Whether a record arrived; None: nothing was pulled (for the GQL outcome before 5.5).
        self.had_record: bool | None = None
        self.columns: Any = None  # while read as columns: its client.columnar._ColumnSink

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


class Result(ColumnarResult, FramesMixin):
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
        if s.records and s.gone is None:  # the hot path: take() inlined
            s.conn.buffered_bytes -= s.sizes.popleft()
            return Record(s.records.popleft(), s.index)
        self._check_readable()
        while True:
            if s.records:
                return Record(s.take(), s.index)
            if s.done:
                if s.error is not None:
                    raise s.error
                raise StopAsyncIteration
            await s.conn._more(s)

    def keys(self) -> Keys:
        """The field names: a list once the RUN's answer arrived (a driver's ``session.run`` and
        ``tx.run`` wait for it), else something to ``await`` (``conn.run`` pipelines its RUN;
        ``await result.keys()`` works in both cases)."""
        s = self._s
        if s.fields is not None:
            return Keys(s.fields)
        return _PendingKeys(self)

    async def _keys(self) -> list[str]:
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

    async def single(self, strict: bool = False) -> Record | None:
        """The one record of the result, which is consumed. As the official driver: with
        ``strict``, no record or more than one raises ``ResultNotSingleError`` (a
        ``ClientError``, ``Neo.ClientError.Statement.ResultNotSingle``); without, no record gives None and more
        than one the first, with a warning."""
        records = await self.fetch(2)
        await self._consume()  # (the Summary is not made: single() does not return it)
        self._s.gone = None  # exhausted, not consumed: iterating gives nothing, as the official
        if len(records) == 1:
            return records[0]
        if strict:
            raise ResultNotSingleError("Neo.ClientError.Statement.ResultNotSingle",
                                       f"expected one record, got {'more than one' if records else 'none'}: "
                                       "make the query return exactly one, or call single(strict=False)")
        if records:
            warnings.warn("expected a result with a single record, but found several; "
                          "single() returned the first", stacklevel=2)
            return records[0]
        return None

    async def peek(self) -> Record | None:
        """The next record without taking it (None: no more records)."""
        s = self._s
        self._check_readable()
        while not s.records:
            if s.done:
                if s.error is not None:
                    raise s.error
                return None
            await s.conn._more(s)
        return Record(s.records[0], s.index)

    async def value(self, key: int | str = 0, default: Any = None) -> list[Any]:
        """The remaining records' values at index or field ``key`` (``default`` where absent)."""
        return [record.value(key, default) async for record in self]

    async def graph(self) -> Graph:
        """The nodes and relationships in the remaining records (the records are buffered and
        stay readable; records already read are not included)."""
        s = self._s
        self._check_readable()
        while not s.done:
            await s.conn._more(s)
        if s.error is not None:
            raise s.error
        graph = Graph()
        for row in s.records:
            graph.add(row)
        return graph

    async def to_eager_result(self) -> EagerResult:
        """Every remaining record, the summary and the keys, as an :class:`EagerResult`
        (``records, summary, keys = await result.to_eager_result()``)."""
        keys = await self.keys()
        records = [record async for record in self]
        return EagerResult(records, await self.consume(), keys)

    async def consume(self) -> Summary:
        """Discard what is left and return the Summary. Reading records afterwards raises
        :class:`ResultConsumedError`; ``consume()`` again returns the Summary again (unless the
        result's transaction has ended since)."""
        await self._consume()
        s = self._s
        return Summary(s.query, s.parameters, s.run_meta, s.pull_meta, s.conn, s.had_record)

    async def _consume(self) -> None:
        """consume() without making the Summary."""
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

    @property
    def done(self) -> bool:
        """Every record has arrived (some may still be buffered)."""
        return self._s.done

    def __repr__(self) -> str:
        return f"<Result query={self._s.query!r} fields={self._s.fields!r} done={self._s.done}>"


# -------------------------------------------------------------------------------------------
# Response handlers: one per request sent, answered strictly in order (the core's Handler
# protocol, asyncbolt.core.client.Handler).


class _PendingKeys(Keys):
    """``keys()`` before the RUN's answer arrived: awaiting it waits for the answer; reading it
    as a list says to await it instead of looking empty."""

    __slots__ = ("_result",)

    def __init__(self, result: Result) -> None:
        super().__init__()
        self._result = result

    async def _resolve(self) -> list[str]:
        return await self._result._keys()

    def _not_yet(self, *args: Any) -> Any:
        raise TypeError("the result's keys are not known yet (its RUN's answer has not arrived: "
                        "conn.run pipelines it): use `await result.keys()`")

    __iter__ = __len__ = __getitem__ = __contains__ = __bool__ = _not_yet

    def __repr__(self) -> str:
        return "<keys not known yet: await result.keys()>"


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

    def on_error(self, error: BaseException) -> None:
        """The connection ended before the answer (or the answer could not be handled)."""
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

    def on_error(self, error: BaseException) -> None:
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

    def on_error(self, error: BaseException) -> None:
        self.stream.fail(error)


def _short(query: str) -> str:
    return query if len(query) <= 60 else query[:57] + "..."


class _PullHandler(_Handler):
    __slots__ = ("stream", "discard", "limit", "left")

    def __init__(self, stream: _Stream, discard: bool, n: int = -1) -> None:
        self.stream = stream
        self.discard = discard
        if not discard and stream.had_record is None:
            stream.had_record = False
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
        self.stream.had_record = True
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

    def on_records(self, batch: list[list], sizes: list[int]) -> None:
        """A run of RECORDs at once (the C decoder's): what on_record does for each, in bulk
        when no limit is near (else one by one, to stop at the very record that breaks it)."""
        if self.discard:
            return
        s = self.stream
        k = len(batch)
        s.had_record = True
        left = self.left
        if left >= 0:
            self.left = left - k if k <= left else -2
        if s.abandoned:
            return
        records = s.records
        conn = s.conn
        limit = conn.max_buffered_bytes
        total = sum(sizes)
        if len(records) + k > self.limit or (limit is not None and conn.buffered_bytes + total > limit):
            self.left = left  # (on_record counts them again)
            for values, size in zip(batch, sizes, strict=True):
                self.on_record(values, size)
            return
        conn.buffered_bytes += total
        s.sizes.extend(sizes)
        records.extend(batch)

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
            if "notifications" in meta or "statuses" in meta:
                _notes.received(s, meta)
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

    def on_error(self, error: BaseException) -> None:
        self.stream.fail(error)
