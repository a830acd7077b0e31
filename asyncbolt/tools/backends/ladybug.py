"""LadybugDB behind Bolt: the reference backend of ``asyncbolt serve``.

`LadybugDB <https://ladybugdb.com>`_ (PyPI ``ladybug``, the maintained continuation of Kuzu) is
an embedded graph database with Cypher; this module makes it answer the official Neo4j drivers::

    graph = LadybugGraph("people.lbdb")            # or LadybugGraph() for an in-memory database
    server = await asyncbolt.serve(LadybugSession, port=7687, graph=graph)

**Connections.** Every Bolt connection gets its own Ladybug connection and its own worker
thread: Ladybug's calls block, so they run there and the event loop keeps serving the others.
Rows are fetched and converted in batches of :data:`BATCH` as the client's PULLs ask, never the
whole result (Ladybug's engine itself still collects a query's result table natively before
the first row can be read).

**Memory.** LadybugDB takes a query's working memory and its result table in 256 KiB pages of
its buffer pool and, once they are freed, keeps them resident for the next queries: they are
only given back when the pool (80% of RAM by default) is full. So the server's RSS grows to the
largest number of pages ever in use at once, which is set by how many queries run at once
(~3 pages each) and how many results are open (1 page each). Hence at most ``max_running``
queries (default :data:`MAX_RUNNING`) execute in Ladybug at once, database-wide (the others
wait their turn; transaction statements never wait), and a result is closed as soon as its
last row is read, not when the client has pulled it.

**Identity.** Ladybug addresses a node or relationship by (table id, offset). Bolt gets::

    id         = table_id << 40 | offset      (an integer; Bolt 4.x and older use only this)
    element_id = "<table_id>:<offset>"        (Bolt 5+; Cypher: internal_id(<table_id>, <offset>))

so a relationship's start/end ids are exactly its nodes' ids, ids are stable for as long as the
entity exists, and ``id(n)`` in a query (Ladybug's INTERNAL_ID) is returned as the same integer.
Labels: the node's table name (one label); a relationship's type is its table name. Properties
that are null are left out, as Neo4j does (Ladybug reports every column of every table a
label-less ``MATCH (n)`` may touch).

**Values.** Integers, floats, strings, booleans, blobs (bytes), lists/arrays, structs and maps
(maps' keys become strings) map one to one; DATE -> Date, TIMESTAMP (and _NS/_MS/_SEC) ->
LocalDateTime, TIMESTAMP_TZ -> DateTime in UTC, INTERVAL -> Duration (Ladybug's Python binding
hands months over as 30 days), UUID -> string, DECIMAL -> float, INT128/UINT64 beyond 64 bits ->
string. Paths (``MATCH p = ...``) become Bolt Paths; a variable-length relationship
(``-[r*1..3]->``) becomes a list of relationships, as in Neo4j. Parameters map back the same
way; Bolt DateTime parameters become UTC timestamps; Time, LocalTime and spatial points have no
Ladybug type and are refused with ``Neo.ClientError.Statement.TypeError``.

**Transactions.** Bolt BEGIN/COMMIT/ROLLBACK map to ``BEGIN TRANSACTION [READ ONLY]``/
``COMMIT``/``ROLLBACK`` on the connection's Ladybug connection. Ladybug allows one write
transaction at a time in the whole database, so write transactions (and auto-commit statements
that may write) queue for a database-wide writer lock; one that waits longer than
``lock_timeout`` fails with ``Neo.TransientError.Transaction.LockAcquisitionTimeout``, which the
drivers' managed transactions retry. Reads never wait. A failed statement inside a transaction
rolls that transaction back at once (as Neo4j terminates it). COMMIT returns a bookmark
``ladybug:<n>``; auto-commit writes report one too.

**Errors.** Ladybug's messages become FAILUREs with the Neo4j code a driver maps to the right
exception (see :func:`map_error`): parser errors -> ``Statement.SyntaxError``, unknown
variables/functions -> ``SyntaxError``, other binder errors (unknown table or property) ->
``SemanticError``, a parameter the query names but the client did not send ->
``ParameterMissing``, primary-key duplicates and deleting connected nodes ->
``Schema.ConstraintValidationFailed``, a write in a read transaction -> ``Statement.AccessMode``;
storage trouble -> ``Neo.DatabaseError.General.UnknownError``; the message is Ladybug's.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import datetime as _dt
import decimal
import hmac
import itertools
import logging
import re
import threading
import uuid
from collections.abc import Callable
from typing import Any, NamedTuple

from asyncbolt.codec import structures as _s
from asyncbolt.errors import AuthError, ClientError, DatabaseError, Neo4jError, TransientError
from asyncbolt.server.session import ServerResult, ServerSession

__all__ = ["LadybugGraph", "LadybugSession", "map_error", "node_id", "element_id", "BATCH",
           "MAX_RUNNING"]

log = logging.getLogger(__name__)

#: Rows fetched (and converted) per trip to the worker thread.
BATCH = 500
#: Queries a :class:`LadybugGraph` lets execute at once by default (see "Memory" above).
MAX_RUNNING = 16
#: Bits of an integer id that hold the offset inside the table.
OFFSET_BITS = 40
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_UTC = _dt.timezone.utc


def _import_ladybug() -> Any:
    try:
        import ladybug
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("the ladybug backend needs LadybugDB: pip install 'asyncbolt[serve]' "
                          "(or pip install ladybug)") from exc
    return ladybug


def _same_secret(given: Any, expected: str) -> bool:
    """``given == expected`` in time that does not depend on where they differ."""
    if not isinstance(given, str):
        return False  # the type is no secret
    return hmac.compare_digest(given.encode(), expected.encode())


def node_id(table: int, offset: int) -> int:
    """The Bolt integer id of Ladybug's internal id (table, offset)."""
    return (table << OFFSET_BITS) | offset


def element_id(table: int, offset: int) -> str:
    """The Bolt element id of Ladybug's internal id: ``"<table>:<offset>"``."""
    return f"{table}:{offset}"


# -- the shared database -------------------------------------------------------------------


class LadybugGraph:
    """One LadybugDB database, shared by every connection of a server.

    ``path``: a directory/file for an on-disk database, or ``None``/``":memory:"``.
    ``lock_timeout``: seconds a writer waits for the database's single write transaction.
    ``name``: the database name clients may ask for (besides Neo4j's default ``neo4j``).
    ``max_running``: queries that execute in Ladybug at once (the others wait for a slot); it
    bounds the buffer-pool pages Ladybug keeps resident (see the module's "Memory").
    ``buffer_pool_size``: Ladybug's buffer pool in bytes (0: Ladybug's default, 80% of RAM).
    """

    def __init__(self, path: str | None = None, *, read_only: bool = False,
                 lock_timeout: float = 10.0, name: str = "neo4j",
                 buffer_pool_size: int = 0, max_running: int = MAX_RUNNING) -> None:
        if max_running < 1:
            raise ValueError(f"max_running must be at least 1, not {max_running}")
        lb = _import_ladybug()
        self.path = path or ":memory:"
        self.read_only = read_only
        self.lock_timeout = lock_timeout
        self.name = name
        self.version = str(getattr(lb, "__version__", "?"))
        self.database = lb.Database(self.path, read_only=read_only, buffer_pool_size=buffer_pool_size)
        self._connections: set[Any] = set()
        self._guard = threading.Lock()
        self._writer = threading.Lock()
        self.max_running = max_running
        self._slots = threading.BoundedSemaphore(max_running)
        #: Queries executing in Ladybug now, and the most there ever were at once.
        self.running = 0
        self.peak_running = 0
        self._bookmarks = itertools.count(1)
        self.last_bookmark = "ladybug:0"
        #: Rows converted and handed to Bolt so far (all connections): shows streaming is lazy.
        self.rows_fetched = 0
        self.closed = False

    @property
    def in_memory(self) -> bool:
        return self.path == ":memory:"

    def connect(self) -> Any:
        """A new Ladybug connection (closed with the graph)."""
        lb = _import_ladybug()
        conn = lb.Connection(self.database)
        with self._guard:
            self._connections.add(conn)
        return conn

    def disconnect(self, conn: Any) -> None:
        with self._guard:
            self._connections.discard(conn)
        try:
            conn.close()
        except Exception:  # pragma: no cover - best effort
            log.debug("closing a Ladybug connection failed", exc_info=True)

    def run_query(self, fn: Callable[[], Any], wanted: Callable[[], bool] = lambda: True) -> Any:
        """(worker thread) ``fn()`` (a query's execution) once one of the ``max_running`` slots
        is free; ``wanted()`` is asked after the wait, and ``None`` returned if it says no."""
        with self._slots:
            if not wanted():
                return None
            with self._guard:
                self.running += 1
                self.peak_running = max(self.peak_running, self.running)
            try:
                return fn()
            finally:
                with self._guard:
                    self.running -= 1

    def execute_script(self, text: str) -> None:
        """Run statements (``;``-separated) in auto-commit mode, e.g. a schema and seed data."""
        conn = self.connect()
        try:
            results = conn.execute(text)
            for result in results if isinstance(results, list) else [results]:
                result.close()
        except RuntimeError as exc:
            raise map_error(exc) from None
        finally:
            self.disconnect(conn)

    # The writer lock: Ladybug has one write transaction at a time, database-wide, and a
    # connection whose BEGIN TRANSACTION was refused is left unsafe to use. So writers queue
    # here, and BEGIN TRANSACTION is only sent by the holder.

    async def acquire_writer(self, timeout: float | None = None) -> None:
        if self._writer.acquire(blocking=False):
            return
        loop = asyncio.get_running_loop()
        limit = self.lock_timeout if timeout is None else timeout
        deadline = loop.time() + limit
        delay = 0.001
        while True:
            await asyncio.sleep(delay)
            if self._writer.acquire(blocking=False):
                return
            if loop.time() >= deadline:
                raise TransientError(
                    "Neo.TransientError.Transaction.LockAcquisitionTimeout",
                    f"another transaction has been writing for over {limit:g} s; LadybugDB allows "
                    "one write transaction at a time. Retry, or commit the other transaction first.")
            delay = min(delay * 2, 0.02)

    def release_writer(self) -> None:
        self._writer.release()

    def next_bookmark(self) -> str:
        self.last_bookmark = f"ladybug:{next(self._bookmarks)}"
        return self.last_bookmark

    def close(self) -> None:
        """Close every connection, then the database (an on-disk one is checkpointed)."""
        if self.closed:
            return
        self.closed = True
        with self._guard:
            conns, self._connections = list(self._connections), set()
        for conn in conns:
            try:
                conn.close()
            except Exception:  # pragma: no cover - best effort
                log.debug("closing a Ladybug connection failed", exc_info=True)
        self.database.close()

    def __repr__(self) -> str:
        return f"LadybugGraph({self.path!r})"


# -- reading queries -----------------------------------------------------------------------

_WRITE_WORDS = frozenset({"CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "COPY"})
_SCHEMA_WORDS = frozenset({"DROP", "ALTER"})
# Words after which a statement might write although it has none of the above (procedures,
# extensions, imports): auto-commit statements with them also take the writer lock.
_MAYBE_WRITE_WORDS = frozenset({"CALL", "INSTALL", "LOAD", "IMPORT", "EXPORT", "ATTACH", "USE",
                                "CHECKPOINT", "UPDATE", "UNINSTALL", "ANALYZE", "COMMENT"})
_TX_WORDS = frozenset({"BEGIN", "COMMIT", "ROLLBACK"})
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PARAM = re.compile(r"\$(?:([A-Za-z_0-9]+)|`([^`]*)`)")


#: ``id(v) = $p`` / ``id(v) IN $p``: Ladybug's id() is an INTERNAL_ID, which no parameter can be.
_ID_COMPARISON = re.compile(
    r"\b(id\s*\(\s*[A-Za-z_][A-Za-z0-9_]*\s*\))(\s*(?:=|IN\b)\s*)\$([A-Za-z_][A-Za-z0-9_]*)", re.I)
_OFFSET_MASK = (1 << OFFSET_BITS) - 1


def _as_element_ids(value: Any) -> Any:
    """Bolt integer ids (one or a list) as Ladybug's ``"table:offset"`` text; None otherwise."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return element_id(value >> OFFSET_BITS, value & _OFFSET_MASK)
    if isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0
                                       for v in value):
        return [element_id(v >> OFFSET_BITS, v & _OFFSET_MASK) for v in value]
    return None


def rewrite_id_comparisons(query: str, parameters: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Make ``WHERE id(n) = $id`` and ``WHERE id(n) IN $ids`` work with Bolt's integer ids.

    Ladybug compares ``id(n)`` (an INTERNAL_ID) with INTERNAL_IDs only, and a parameter cannot
    be one: "Cannot compare INT64 and INTERNAL_ID". Code written for Neo4j 4.x looks nodes up
    that way (py2neo does it for every Path it receives), so such a comparison becomes one of
    ``CAST(id(n) AS STRING)`` with the ids as ``"table:offset"`` text, in a parameter of its own
    (the original may be used elsewhere as a number). Only when the parameter holds integer ids.
    """
    added: dict[str, Any] = {}

    def rewrite(match: re.Match) -> str:
        name = match.group(3)
        ids = _as_element_ids(parameters.get(name))
        if ids is None:
            return match.group(0)
        alias = f"_asyncbolt_id_{name}"
        added[alias] = ids
        return f"CAST({match.group(1)} AS STRING){match.group(2)}${alias}"

    if "$" not in query:
        return query, parameters
    rewritten = _ID_COMPARISON.sub(rewrite, query)
    return (rewritten, {**parameters, **added}) if added else (query, parameters)


def scan(query: str) -> tuple[list[str], set[str]]:
    """The query's keywords (upper-cased words outside strings, comments, backquotes and
    property accesses) and the names of the parameters it uses."""
    words: list[str] = []
    params: set[str] = set()
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c in "'\"":
            i += 1
            while i < n and query[i] != c:
                i += 2 if query[i] == "\\" else 1
            i += 1
        elif c == "`":
            end = query.find("`", i + 1)
            i = n if end < 0 else end + 1
        elif query.startswith("//", i):
            end = query.find("\n", i)
            i = n if end < 0 else end + 1
        elif query.startswith("/*", i):
            end = query.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif c == "$":
            m = _PARAM.match(query, i)
            if m:
                params.add(m.group(1) if m.group(1) is not None else m.group(2))
                i = m.end()
            else:
                i += 1
        elif c.isalpha() or c == "_":
            m = _IDENT.match(query, i)
            assert m is not None
            b = i - 1
            while b >= 0 and query[b].isspace():
                b -= 1
            a = m.end()
            while a < n and query[a].isspace():
                a += 1
            before, after = query[b] if b >= 0 else "", query[a:a + 1]
            if before not in (".", ":") and after != ":":  # n.set, (:Create), {set: 1}: names
                words.append(m.group().upper())
            i = m.end()
        else:
            i += 1
    return words, params


def classify(words: list[str]) -> tuple[str, bool]:
    """(Bolt query type ``r``/``w``/``rw``/``s``, whether an auto-commit run takes the writer lock)."""
    kinds = set(words)
    if kinds & _SCHEMA_WORDS or ("CREATE" in kinds and "TABLE" in kinds and (
            "NODE" in kinds or "REL" in kinds)):
        return "s", True
    if kinds & _WRITE_WORDS:
        return ("rw" if "RETURN" in kinds else "w"), True
    return "r", bool(kinds & _MAYBE_WRITE_WORDS)


# -- values: Ladybug -> Bolt ---------------------------------------------------------------

_PLAIN = (str, float, bool, bytes, type(None))
_HIDDEN = frozenset({"_ID", "_LABEL", "_SRC", "_DST"})


def _iid(raw: Any) -> tuple[int, int]:
    return raw["table"], raw["offset"]


def _props(raw: dict) -> dict[str, Any]:
    return {k: to_bolt(v) for k, v in raw.items() if k not in _HIDDEN and v is not None}


def _node(raw: dict) -> _s.Node:
    table, offset = _iid(raw["_ID"])
    return _s.Node(node_id(table, offset), [raw["_LABEL"]], _props(raw), element_id(table, offset))


def _relationship(raw: dict) -> _s.Relationship:
    table, offset = _iid(raw["_ID"])
    st, so = _iid(raw["_SRC"])
    et, eo = _iid(raw["_DST"])
    return _s.Relationship(node_id(table, offset), node_id(st, so), node_id(et, eo), raw["_LABEL"],
                           _props(raw), element_id(table, offset), element_id(st, so),
                           element_id(et, eo))


def _path(raw_nodes: list, raw_rels: list) -> _s.Path:
    nodes: list[_s.Node] = []
    node_index: dict[tuple, int] = {}
    sequence = []
    for raw in raw_nodes:
        key = _iid(raw["_ID"])
        if key not in node_index:
            node_index[key] = len(nodes)
            nodes.append(_node(raw))
        sequence.append(node_index[key])
    rels: list[_s.UnboundRelationship] = []
    rel_index: dict[tuple, int] = {}
    indices: list[int] = []
    for step, raw in enumerate(raw_rels):
        table, offset = key = _iid(raw["_ID"])
        if key not in rel_index:
            rels.append(_s.UnboundRelationship(node_id(table, offset), raw["_LABEL"], _props(raw),
                                               element_id(table, offset)))
            rel_index[key] = len(rels)  # 1-based
        forward = _iid(raw["_SRC"]) == _iid(raw_nodes[step]["_ID"])
        indices += [rel_index[key] if forward else -rel_index[key], sequence[step + 1]]
    return _s.Path(nodes, rels, indices)


def _int(value: int) -> Any:
    return value if _INT64_MIN <= value <= _INT64_MAX else str(value)


def to_bolt(value: Any) -> Any:
    """A value from Ladybug's Python binding as a PackStream value."""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, int):
        return _int(value)
    if isinstance(value, dict):
        if "_ID" in value and "_LABEL" in value:
            return _relationship(value) if "_SRC" in value else _node(value)
        if "_NODES" in value and "_RELS" in value:
            nodes, rels = value["_NODES"], value["_RELS"]
            if len(nodes) == len(rels) + 1:
                return _path(nodes, rels)
            # A variable-length relationship: its inner nodes only. Neo4j gives a list.
            return [_relationship(r) for r in rels]
        return {str(k): to_bolt(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_bolt(v) for v in value]
    if isinstance(value, (_dt.date, _dt.timedelta)):  # datetime is a date
        return value
    if isinstance(value, decimal.Decimal):
        exponent = value.as_tuple().exponent  # (a letter for NaN and infinities)
        if isinstance(exponent, int) and exponent >= 0:
            return _int(int(value))
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return str(value)


def _internal_id(value: Any) -> Any:
    if isinstance(value, dict) and "table" in value and "offset" in value:
        return node_id(value["table"], value["offset"])
    if isinstance(value, list):
        return [_internal_id(v) for v in value]
    return to_bolt(value)


def _converters(types: list[str]) -> list[Callable[[Any], Any]]:
    return [_internal_id if t.startswith("INTERNAL_ID") else to_bolt for t in types]


# -- values: Bolt -> Ladybug ---------------------------------------------------------------


def to_ladybug(value: Any, name: str) -> Any:
    """A Bolt parameter as a value Ladybug's binding takes."""
    if isinstance(value, (str, bool, int, float, bytes, type(None))):
        return value
    if isinstance(value, (list, tuple)):
        return [to_ladybug(v, name) for v in value]
    if isinstance(value, dict):
        return {k: to_ladybug(v, name) for k, v in value.items()}
    if isinstance(value, bytearray):
        return bytes(value)
    if isinstance(value, _dt.datetime):
        if value.tzinfo is not None:  # Ladybug would drop the offset: store the instant in UTC
            return value.astimezone(_UTC).replace(tzinfo=None)
        return value
    if isinstance(value, (_dt.date, _dt.timedelta)):
        return value
    if isinstance(value, (_s.Date, _s.LocalDateTime)):
        return _native(value, name)
    if isinstance(value, (_s.DateTime, _s.DateTimeZoneId, _s.LegacyDateTime, _s.LegacyDateTimeZoneId)):
        return _native(value, name).astimezone(_UTC).replace(tzinfo=None)
    if isinstance(value, _s.Duration):
        try:
            return _dt.timedelta(days=value.months * 30 + value.days, seconds=value.seconds,
                                 microseconds=value.nanoseconds // 1000)
        except OverflowError:
            raise ClientError("Neo.ClientError.Statement.TypeError",
                              f"parameter ${name}: the duration is too large") from None
    if isinstance(value, _s.Vector):
        return value.to_list()
    kind = {"LocalTime": "local time", "Time": "time", "Point2D": "point", "Point3D": "point"}.get(
        type(value).__name__, type(value).__name__)
    raise ClientError("Neo.ClientError.Statement.TypeError",
                      f"parameter ${name}: LadybugDB has no {kind} type")


def _native(value: Any, name: str) -> Any:
    try:
        return value.to_native()
    except ValueError as exc:
        raise ClientError("Neo.ClientError.Statement.TypeError", f"parameter ${name}: {exc}") from None


# -- errors --------------------------------------------------------------------------------

_BUSY = "Cannot start a new write transaction"
_ERROR_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Parser exception"), "Neo.ClientError.Statement.SyntaxError"),
    (re.compile(r"^Parameter .* not found"), "Neo.ClientError.Statement.ParameterMissing"),
    (re.compile(r"violates the uniqueness constraint|duplicated primary key|"
                r"expects primary key .* as input|has connected edges|non-null constraint|"
                r"primary key .* cannot be null|violat", re.I),
     "Neo.ClientError.Schema.ConstraintValidationFailed"),
    (re.compile(r"already exists in catalog", re.I),
     "Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists"),
    (re.compile(r"^Binder exception: Variable .* (is not in scope|not defined)", re.I),
     "Neo.ClientError.Statement.SyntaxError"),
    (re.compile(r"function .* does not exist", re.I), "Neo.ClientError.Statement.SyntaxError"),
    (re.compile(r"^Binder exception: Cannot match a built-in function", re.I),
     "Neo.ClientError.Statement.TypeError"),
    (re.compile(r"^Binder exception: No file found", re.I),
     "Neo.ClientError.Statement.ExternalResourceFailed"),
    (re.compile(r"^(Binder|Catalog) exception"), "Neo.ClientError.Statement.SemanticError"),
    (re.compile(r"write query inside a read-only transaction|read.only", re.I),
     "Neo.ClientError.Statement.AccessMode"),
    (re.compile(r"Divide by zero|^Overflow exception", re.I), "Neo.ClientError.Statement.ArithmeticError"),
    (re.compile(r"^Conversion exception"), "Neo.ClientError.Statement.ArgumentError"),
    (re.compile(r"Cannot convert Python object|Unable to cast Python instance|"
                r"Unknown parameter type|vector with ANY type", re.I),
     "Neo.ClientError.Statement.TypeError"),
    (re.compile(r"^Runtime exception|^Copy exception"), "Neo.ClientError.Statement.ExecutionFailed"),
    (re.compile(r"^Interrupted"), "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration"),
    (re.compile(r"^" + _BUSY), "Neo.TransientError.Transaction.LockAcquisitionTimeout"),
]
_ERROR_CLASSES = {"ClientError": ClientError, "TransientError": TransientError,
                  "DatabaseError": DatabaseError}


def map_error(exc: BaseException) -> Neo4jError:
    """The Bolt FAILURE for an exception raised by Ladybug: a Neo4j code, Ladybug's message."""
    if isinstance(exc, Neo4jError):
        return exc
    message = str(exc).strip() or type(exc).__name__
    code = "Neo.DatabaseError.General.UnknownError"
    if isinstance(exc, (ValueError, TypeError)):
        code = "Neo.ClientError.Statement.TypeError"
        message = f"LadybugDB cannot take these parameters: {message}"
    else:
        for pattern, candidate in _ERROR_RULES:
            if pattern.search(message):
                code = candidate
                break
    if code == "Neo.ClientError.Statement.ParameterMissing":
        m = re.match(r"Parameter (.*) not found", message)
        if m:
            message = f"Expected parameter(s): {m.group(1)}"
    return _ERROR_CLASSES[code.split(".")[1]](code, message)


class _Rows:
    """A query's rows for :class:`asyncbolt.ServerResult`: the first BATCH fetched with the query
    itself, the next ones BATCH at a time on the worker thread as the client pulls. Ladybug's
    result is closed once its last row is read (``done``), or by ``aclose()`` (the runtime calls
    it when the client stops early)."""

    __slots__ = ("session", "result", "converters", "buffer", "done", "closed")

    def __init__(self, session: LadybugSession, run: _Run) -> None:
        self.session = session
        self.result = run.result
        self.converters = run.converters
        self.buffer: collections.deque = collections.deque(run.rows)
        self.done = run.done
        self.closed = False

    def __aiter__(self) -> _Rows:
        return self

    async def __anext__(self) -> list[Any]:
        if self.buffer:
            return self.buffer.popleft()
        if not self.done and not self.closed:
            session = self.session
            try:
                batch, self.done = await session._call(session._fetch, self.result, self.converters)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                error = map_error(exc)
                await self.aclose()
                await session._abort_tx()
                raise error from None
            if batch:
                self.buffer.extend(batch)
                return self.buffer.popleft()
        await self.aclose()
        raise StopAsyncIteration

    async def aclose(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.buffer.clear()
        if not self.done and self.session._executor is not None:  # done: _fetch closed it
            try:
                await self.session._call(self.session._close_result, self.result)
            except Exception:  # pragma: no cover - best effort
                log.debug("closing a Ladybug result failed", exc_info=True)


class _Run(NamedTuple):
    """A query just executed: Ladybug's result, its columns, and its first rows."""

    result: Any
    fields: list[str]
    converters: list[Callable[[Any], Any]]
    rows: list[list[Any]]
    done: bool  # rows are all of them (and result is closed)


# -- the session ---------------------------------------------------------------------------

_COMPAT = re.compile(r"^\s*CALL\s+(dbms\.components|db\.labels|db\.relationshipTypes|db\.ping)"
                     r"\s*\(\s*\)\s*;?\s*$", re.I)


class LadybugSession(ServerSession):
    """One Bolt connection's view of a :class:`LadybugGraph`.

    Keyword arguments: ``graph`` (required), ``auth`` (``(user, password)``; ``None`` accepts
    everyone). Other keyword arguments are kept in ``self.options``.
    """

    name = "ladybug"

    def __init__(self, *args: Any, graph: LadybugGraph | None = None,
                 auth: tuple[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if graph is None:
            raise TypeError("LadybugSession needs graph=LadybugGraph(path) (asyncbolt.serve(..., graph=...))")
        self.graph = graph
        self.auth = tuple(auth) if auth is not None else None
        self._conn: Any = None
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self._tx: str | None = None  # None, "r" or "w"
        self._tx_open = False  # Ladybug still has the transaction (not rolled back by a failure)
        self._writer = False  # this session holds the graph's writer lock
        self._timeout_ms = 0  # the query timeout set on the Ladybug connection
        self._cancels = 0  # calls cancelled so far: a query queued before one is not run
        self._open_results = 0  # Ladybug results of this session's connection not closed yet
        self._tx_timeout_ms = 0  # the open transaction's timeout

    # -- the options of `asyncbolt serve` ---------------------------------------------------

    @classmethod
    def open_shared(cls, db: str | None = None, *, read_only: bool = False, lock_timeout: float = 10.0,
                    init: str | None = None, auth: tuple[str, str] | None = None,
                    max_running: int = MAX_RUNNING, **options: Any) -> dict[str, Any]:
        graph = LadybugGraph(db, read_only=read_only, lock_timeout=lock_timeout,
                             max_running=max_running)
        if init:
            try:
                with open(init, encoding="utf-8") as f:
                    graph.execute_script(f.read())
            except BaseException as exc:
                graph.close()
                if isinstance(exc, Neo4jError):
                    raise ValueError(f"{init}: {exc.code}: {exc.message}") from None
                raise
        return {"graph": graph, "auth": auth}

    @classmethod
    def close_shared(cls, kwargs: dict[str, Any]) -> None:
        kwargs["graph"].close()

    @classmethod
    def describe(cls, kwargs: dict[str, Any]) -> str:
        graph = kwargs["graph"]
        where = "in memory" if graph.in_memory else graph.path
        return f"LadybugDB {graph.version}, {where}" + (", read-only" if graph.read_only else "")

    # -- the worker thread ------------------------------------------------------------------

    async def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(*args)`` on this session's worker thread; interrupt Ladybug if cancelled."""
        if self._executor is None:
            self._executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="ladybug")
        future = asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            self._cancels += 1
            if self._conn is not None:
                try:
                    self._conn.interrupt()
                except Exception:  # pragma: no cover
                    pass
            raise

    def _connection(self) -> Any:
        if self._conn is None:
            self._conn = self.graph.connect()
        return self._conn

    async def _query(self, query: str, parameters: dict[str, Any], timeout_ms: int) -> _Run:
        """Run a query on the worker thread, in one of the graph's ``max_running`` slots."""
        return await self._call(self._execute, query, parameters, timeout_ms, self._cancels)

    def _execute(self, query: str, parameters: dict[str, Any], timeout_ms: int, cancels: int) -> Any:
        """(worker thread) Execute once the graph has a slot free, unless the call was
        cancelled meanwhile (Ladybug's interrupt() reaches only a query already running)."""
        return self.graph.run_query(lambda: self._execute_now(query, parameters, timeout_ms),
                                    lambda: self._cancels == cancels)

    def _execute_now(self, query: str, parameters: dict[str, Any], timeout_ms: int) -> _Run:
        """(worker thread) Execute, and fetch the first BATCH rows at once: a result of no more
        rows is closed before the client even pulls (an open one holds a buffer-pool page)."""
        conn = self._connection()
        if timeout_ms != self._timeout_ms:
            conn.set_query_timeout(timeout_ms)
            self._timeout_ms = timeout_ms
        try:
            result = conn.execute(query, parameters)
        except BaseException:
            self._forget_statements()
            raise
        if isinstance(result, list):  # several statements: the last one answers
            for earlier in result[:-1]:
                earlier.close()
            result = result[-1]
        self._open_results += 1
        try:
            converters = _converters(result.get_column_data_types())
            fields = result.get_column_names()
            rows, done = self._fetch(result, converters)
        except Exception:
            self._close_result(result)
            raise
        return _Run(result, fields, converters, rows, done)

    def _close_result(self, result: Any) -> None:
        """(worker thread) Close a query's result, and forget prepared statements once none is
        open."""
        if not result.is_closed:
            result.close()
            self._open_results -= 1
        self._forget_statements()

    def _forget_statements(self) -> None:
        """(worker thread) Drop the prepared statements that Ladybug's Python binding caches
        for every query text run with parameters, unless a result is still open.

        That cache has no bound (one entry per distinct query text and parameter types, for
        the connection's life), and an entry can hold a 256 KiB page of the buffer pool: 600
        distinct parameterized UNWIND queries on one connection kept 155 MiB resident, and
        200 connections at once with two such queries each left 49 MiB more resident after
        every round (LadybugDB 0.22.0). Preparing again costs ~0.25 ms a query."""
        if self._open_results or self._conn is None:
            return
        cache = getattr(self._conn, "_pybind_implicit_prepared_cache", None)
        if not cache:
            return
        statements = list(cache.values())
        cache.clear()
        for statement in statements:  # C-API statements must be closed; pybind ones need not
            close = getattr(statement, "close", None)
            if callable(close):
                try:
                    close()
                except Exception:  # pragma: no cover - best effort
                    log.debug("closing a prepared statement failed", exc_info=True)

    def _statement(self, statement: str) -> None:
        """(worker thread) A transaction statement; its result is empty."""
        self._connection().execute(statement).close()

    def _fetch(self, result: Any, converters: list[Callable[[Any], Any]]) -> tuple[list[list[Any]], bool]:
        """(worker thread) Up to BATCH converted rows, and whether they are the last ones; after
        the last, the result is closed at once (it holds a page of Ladybug's buffer pool)."""
        rows: list[list[Any]] = []
        has_next, get_next = result.has_next, result.get_next
        while len(rows) < BATCH and has_next():
            row = get_next()
            rows.append([conv(v) for conv, v in zip(converters, row, strict=False)])
        self.graph.rows_fetched += len(rows)
        done = not has_next()
        if done:
            self._close_result(result)
        return rows, done

    # -- hooks ------------------------------------------------------------------------------

    async def authenticate(self, auth: dict[str, Any]) -> None:
        if self.auth is None:
            return
        user, password = self.auth
        # compare_digest: the time taken must not tell how much of a guess was right. Both
        # comparisons always run (no short-circuit), so neither does which of the two was wrong.
        user_ok = _same_secret(auth.get("principal"), user)
        password_ok = _same_secret(auth.get("credentials"), password)
        if not (auth.get("scheme") == "basic" and user_ok & password_ok):
            raise AuthError("The client is unauthorized due to authentication failure.")

    def _check_db(self, extra: dict[str, Any]) -> None:
        db = extra.get("db")
        if db and db not in ("neo4j", self.graph.name):
            raise ClientError("Neo.ClientError.Database.DatabaseNotFound",
                              f"Database does not exist. Database name: '{db}'. This server has one "
                              f"database, '{self.graph.name}' (the default).")

    async def run(self, query: str, parameters: dict[str, Any], extra: dict[str, Any]) -> ServerResult:
        if self._tx is None:
            self._check_db(extra)
        compat = _COMPAT.match(query)
        if compat:
            return await self._compat(compat.group(1).lower())
        query, parameters = rewrite_id_comparisons(query, parameters)
        words, used = scan(query)
        if words and words[0] in _TX_WORDS:
            raise ClientError("Neo.ClientError.Statement.SyntaxError",
                              f"{words[0]} is not run as a query here: use the driver's "
                              "transactions (session.begin_transaction(), execute_write...)")
        missing = sorted(used - set(parameters))
        if missing:
            raise ClientError("Neo.ClientError.Statement.ParameterMissing",
                              "Expected parameter(s): " + ", ".join(missing))
        params = {k: to_ladybug(v, k) for k, v in parameters.items() if k in used}
        qtype, may_write = classify(words)
        timeout_ms = int(extra.get("tx_timeout") or 0) if self._tx is None else self._tx_timeout_ms
        if self._tx is not None:
            try:
                run = await self._query(query, params, timeout_ms)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                error = map_error(exc)
                await self._abort_tx()
                raise error from None
            metadata: dict[str, Any] = {"type": qtype}
        else:
            run = await self._autocommit(query, params, timeout_ms, may_write)
            # Every auto-commit statement is named by a bookmark (as COMMIT is): a write's new
            # one, or for a read the database's latest (not the server's made-up asyncbolt:N).
            metadata = {"type": qtype, "bookmark": self.graph.next_bookmark() if qtype != "r"
                        else self.graph.last_bookmark}
        return ServerResult(run.fields, _Rows(self, run), metadata)

    async def _autocommit(self, query: str, params: dict[str, Any], timeout_ms: int,
                          may_write: bool) -> Any:
        try:
            if may_write and not self.graph.read_only:
                await self.graph.acquire_writer()
                self._writer = True
            while True:
                try:
                    return await self._query(query, params, timeout_ms)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    if self._writer or not str(exc).startswith(_BUSY):
                        raise map_error(exc) from None
                # It wrote after all, while a transaction was writing: queue, then run it again
                # (the refusal came before it did anything).
                await self.graph.acquire_writer()
                self._writer = True
        finally:
            self._release()

    async def _compat(self, name: str) -> ServerResult:
        """The few Neo4j procedures tools call on connect."""
        if name == "dbms.components":
            return ServerResult(["name", "versions", "edition"],
                                [["Neo4j Kernel", [self.graph.version], "community"]])
        if name == "db.ping":
            return ServerResult(["success"], [[True]])
        kind = "NODE" if name == "db.labels" else "REL"
        run = await self._query("CALL show_tables() RETURN name, type", {}, 0)
        rows = [row async for row in _Rows(self, run)]
        column = "label" if kind == "NODE" else "relationshipType"
        return ServerResult([column], [[name_] for name_, type_ in rows if type_ == kind])

    async def begin(self, extra: dict[str, Any]) -> None:
        self._check_db(extra)
        if self._tx is not None:  # the runtime's state machine prevents this; be safe
            raise ClientError("Neo.ClientError.Transaction.TransactionStartFailed",
                              "a transaction is already open")
        self._tx_timeout_ms = int(extra.get("tx_timeout") or 0)
        read = extra.get("mode") == "r" or self.graph.read_only
        if read:
            statement = "BEGIN TRANSACTION READ ONLY"
        else:
            await self.graph.acquire_writer()
            self._writer = True
            statement = "BEGIN TRANSACTION"
        try:
            await self._call(self._statement, statement)
        except asyncio.CancelledError:
            # RESET while BEGIN runs: once it is done, end whatever it opened.
            self._after_work(self._discard_connection)
            self._release()
            raise
        except Exception as exc:
            self._release()
            # A connection whose BEGIN was refused is unsafe to use again (LadybugDB 0.22 can
            # crash later): replace it.
            await self._call(self._replace_connection)
            raise map_error(exc) from None
        self._tx = "r" if read else "w"
        self._tx_open = True

    def _replace_connection(self) -> None:
        if self._conn is not None:
            self.graph.disconnect(self._conn)
            self._conn = None
            self._timeout_ms = 0
            self._open_results = 0

    def _discard_connection(self) -> None:
        """(worker thread) Roll back whatever the connection has open and replace it."""
        if self._conn is not None:
            try:
                self._conn.execute("ROLLBACK").close()
            except Exception:
                pass
        self._replace_connection()

    def _after_work(self, fn: Callable[[], Any]) -> None:
        """Run ``fn`` on the worker thread after what is queued there (a cancelled call's
        Ladybug work goes on until it notices the interrupt)."""
        executor = self._executor
        if executor is not None:
            try:
                executor.submit(fn)
                return
            except RuntimeError:  # shut down
                pass
        fn()

    def _release(self) -> None:
        """Give the writer lock back, once this session's Ladybug work is over."""
        if self._writer:
            self._writer = False
            self._after_work(self.graph.release_writer)

    async def _abort_tx(self) -> None:
        """A statement failed inside the transaction: roll it back now, as Neo4j terminates it."""
        if self._tx is None or not self._tx_open:
            return
        self._tx_open = False
        try:
            await self._call(self._statement, "ROLLBACK")
        except Exception as exc:  # Ladybug may have rolled back already
            log.debug("rollback after a failure: %s", exc)
        finally:
            self._release()

    async def commit(self) -> dict[str, Any]:
        tx, self._tx = self._tx, None
        try:
            if tx is None or not self._tx_open:
                raise ClientError("Neo.ClientError.Transaction.TransactionNotFound",
                                  "there is no open transaction to commit")
            self._tx_open = False
            try:
                await self._call(self._statement, "COMMIT")
            except Exception as exc:
                error = map_error(exc)
                try:
                    await self._call(self._statement, "ROLLBACK")
                except Exception:
                    pass
                raise error from None
        finally:
            self._release()
        return {"bookmark": self.graph.next_bookmark() if tx == "w" else self.graph.last_bookmark}

    async def rollback(self) -> None:
        self._tx = None
        try:
            if self._tx_open:
                self._tx_open = False
                try:
                    await self._call(self._statement, "ROLLBACK")
                except Exception as exc:
                    if "No active transaction" not in str(exc):
                        raise map_error(exc) from None
        finally:
            self._release()

    async def reset(self) -> None:
        if self._tx is not None:
            await self.rollback()

    async def close(self) -> None:
        try:
            if self._tx is not None and self._executor is not None and not self.graph.closed:
                try:
                    await self.rollback()
                except Exception:
                    log.debug("rollback on close failed", exc_info=True)
        finally:
            self._release()
            executor, self._executor = self._executor, None
            if executor is not None:
                if not self.graph.closed:
                    executor.submit(self._replace_connection)
                executor.shutdown(wait=False)
