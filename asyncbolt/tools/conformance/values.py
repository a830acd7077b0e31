"""Value checks of ``asyncbolt conformance``: every PackStream value kind and structure of a Bolt
version, round-tripped through the server.

Where the server runs Cypher (or another query that returns its parameter ``x``: the echo
query), each value of :func:`asyncbolt.tools.conformance.samples.samples` is sent as that
parameter (``RUN echo_query {x: value}``, then PULL, or PULL_ALL before Bolt 4.0) and the value
that comes back must be the same, exactly: the same kind (Integer 1 is not Float 1.0), the same
value (-0.0 is not 0.0, NaN stays NaN), the same structure with the same fields. An echo in
another legal encoding (an Integer in a wider marker, map entries in another order) passes with
a note. One check per value, named after it (``echo Integer INT_16 edge 32767``); a failure
says what was expected and what came, with the bytes sent and received.

Graph structures (Node, Relationship, UnboundRelationship, Path) cannot be parameters: a graph
query (:data:`GRAPH_QUERY` by default) creates a node, a relationship and a path inside a
transaction that is rolled back, and each structure must have the version's layout (field count
and field types; element ids from Bolt 5.0) and agree with the others (a relationship's ends are
the nodes, the path holds them).

Every exchange is bounded by ``timeout``: a server that stops answering fails that check, and
the next one opens a new connection. Values encoded in more than :data:`LARGE` bytes go last, so
that a server which breaks on long values has answered the rest first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from asyncbolt._generated.versions import has
from asyncbolt.codec.messages import Begin, Pull, PullAll, Reset, Rollback, Run
from asyncbolt.codec.packstream import Codec
from asyncbolt.codec.structures import Node, Path, Relationship, UnboundRelationship
from asyncbolt.errors import ProtocolError, _CheckSkipped
from asyncbolt.tools.conformance.probe import RECORD, Probe
from asyncbolt.tools.conformance.report import Check, Outcome
from asyncbolt.tools.conformance.samples import (
    GRAPH_STRUCTURES,
    Sample,
    describe,
    difference,
    marker_name,
    samples,
    structure_layout,
    unsampled,
    value_end,
)

__all__ = ["ECHO_QUERY", "GRAPH_QUERY", "LARGE", "value_checks"]

#: The default echo query: Cypher that returns its parameter ``x``.
ECHO_QUERY = "RETURN $x AS x"
#: The default graph query: a node, a relationship to another node and the path of the two,
#: returned as ``a, r, b, p`` (in that order); it runs in a transaction that is rolled back.
#: The path is matched rather than named in CREATE (``CREATE p = ...``), which not every Cypher
#: dialect has (FalkorDB: "'p' not defined").
GRAPH_QUERY = ("CREATE (a:AsyncboltConformance {k: 1})-[r:PROBE {k: 2}]->(b:AsyncboltConformance) "
               "WITH a, r, b MATCH p = (a)-[r]->(b) RETURN a, r, b, p")
#: Values whose encoding is longer than this (bytes) are checked after all the others.
LARGE = 4096
#: A passing check keeps its bytes when they are at most this long together (a failing one
#: always does): long values would make a JSON report of megabytes for nothing.
KEPT_BYTES = 16 * 1024
#: Pause between tries to open a connection that was refused.
RETRY_PAUSE = 0.1

Version = tuple[int, int]
OpenReady = Callable[[], Awaitable[Probe]]


# A connection that cannot go on (no answer in time, closed, an answer that does not decode)
# raises ConnectionError with a message saying what happened: the check fails with it, and the
# connection is dropped.
_Broken = ConnectionError


@dataclass
class _Answer:
    """What a RUN and its PULL got: the FAILURE (or None), the RECORD payloads and the
    summary."""

    failure: Any = None
    failed: str = ""  # which request the FAILURE answered
    records: list[bytes] = field(default_factory=list)
    summary: Any = None


def _failure_text(message: Any) -> str:
    meta = getattr(message, "metadata", None) or {}
    code = meta.get("code") or meta.get("neo4j_code") or "(no code)"
    return f"{code}: {meta.get('message', '(no message)')}"


class _EchoConnection:
    """The connection the value checks share: opened with ``open_ready``, dropped when it
    breaks, opened again for the next check."""

    def __init__(self, open_ready: OpenReady, version: Version, timeout: float) -> None:
        self.open_ready = open_ready
        self.version = version
        self.timeout = timeout
        self.probe: Probe | None = None
        self.mark = (0, 0)
        #: The bytes of the current check when its connection was dropped.
        self.last: tuple[bytes, bytes] = (b"", b"")

    async def start(self) -> None:
        """Make sure a connection is open, and start recording a new check's bytes."""
        if self.probe is None:
            self.probe = await self._open()
        probe = self.probe
        probe.record = True
        # Only this check's bytes are wanted: the recording restarts, so that it never reaches
        # the probe's cap (RECORDED_BYTES) however many checks run on the connection.
        del probe.sent[:]
        del probe.received[:]
        self.mark = probe.mark()
        self.last = (b"", b"")

    async def _open(self) -> Probe:
        """A new ready connection. One refused, reset or closed while opening is tried again for
        up to the timeout (a server that is starting, or starting again after it died, refuses
        for a moment)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        while True:
            try:
                return await asyncio.wait_for(self.open_ready(), max(0.1, deadline - loop.time()))
            except (ConnectionError, EOFError) as exc:
                if loop.time() + RETRY_PAUSE >= deadline:
                    raise _Broken(f"could not open a ready connection: {exc!r}") from exc
            except _CheckSkipped:
                raise  # (the opener says the checks cannot run: the server is gone)
            except Exception as exc:
                raise _Broken(f"could not open a ready connection: {exc!r}") from exc
            await asyncio.sleep(RETRY_PAUSE)

    def exchanged(self) -> tuple[bytes, bytes]:
        """The bytes sent and received since the current check started."""
        return self.probe.since(self.mark) if self.probe is not None else self.last

    def drop(self) -> None:
        if self.probe is not None:
            self.last = self.exchanged()
            self.probe.abort()
            self.probe = None

    def close(self) -> None:
        if self.probe is not None:
            self.probe.close()
            self.probe = None

    @property
    def _probe(self) -> Probe:
        if self.probe is None:
            raise _Broken("no connection")
        return self.probe

    @property
    def codec(self) -> Codec:
        """The codec of the negotiated version (and patches) of the open connection."""
        codec = self._probe.codec
        if codec is None:
            raise _Broken("open_ready gave a probe that has not agreed a version")
        return codec

    async def send(self, *messages: Any) -> None:
        try:
            await self._probe.send(*messages)
        except (OSError, ConnectionError) as exc:
            raise _Broken(f"the connection failed while sending: {exc!r}") from exc

    async def reply(self) -> tuple[bytes, Any]:
        """The next message: ``(payload, decoded message)``; a RECORD is left undecoded (None)."""
        probe = self._probe
        try:
            payload = await probe.recv_payload(self.timeout)
        except asyncio.TimeoutError:
            raise _Broken(f"no answer within {self.timeout:g} s") from None
        except EOFError:
            raise _Broken("the server closed the connection") from None
        except (OSError, ConnectionError, ProtocolError) as exc:
            raise _Broken(f"the connection failed: {exc}") from None
        if len(payload) >= 2 and payload[1] == RECORD:
            return payload, None
        try:
            return payload, self.codec.unpack_response(payload)
        except ProtocolError as exc:
            raise _Broken(f"an answer that does not decode in Bolt {_v(self.version)}: {exc}") from None

    async def summary(self, request: str) -> Any:
        """The next answer, which must be a summary (not a RECORD)."""
        payload, message = await self.reply()
        if message is None:
            raise _Broken(f"a RECORD where {request} wants SUCCESS or FAILURE")
        return message

    async def recover(self) -> None:
        """After a FAILURE: RESET, and wait for its SUCCESS (the answers still queued before it,
        IGNORED ones, are passed over). Nothing is sent behind the RESET before its answer."""
        await self.send(Reset())
        for _ in range(16):
            _, message = await self.reply()
            if message is not None and message.name == "SUCCESS":
                return
            if message is not None and message.name == "FAILURE":
                raise _Broken(f"RESET after a FAILURE failed: {_failure_text(message)}")
        raise _Broken("RESET after a FAILURE got no SUCCESS among 16 answers")

    async def run(self, query: str, parameters: dict[str, Any]) -> _Answer:
        """RUN and pull every record (RESET after a FAILURE, leaving the connection READY)."""
        run = Run(query, parameters)  # before Bolt 3.0 the codec leaves the extra map out
        pull = Pull({"n": -1}) if has("pull_n", self.version) else PullAll()
        await self.send(run, pull)
        answer = _Answer()
        first = await self.summary("RUN")
        if first.name != "SUCCESS":
            if first.name == "FAILURE":
                answer.failure, answer.failed = first, "RUN"
                await self.recover()
                return answer
            raise _Broken(f"{first.name} answered RUN in READY")
        while True:
            payload, message = await self.reply()
            if message is None:
                answer.records.append(payload)
                continue
            answer.summary = message
            if message.name == "FAILURE":
                answer.failure, answer.failed = message, "PULL"
                await self.recover()
            elif message.name != "SUCCESS":
                raise _Broken(f"{message.name} answered PULL after RUN's SUCCESS")
            return answer


def _v(version: Version) -> str:
    return f"{version[0]}.{version[1]}"


class _Checks:
    """The checks made so far, and how to make one."""

    def __init__(self, version: Version, conn: _EchoConnection) -> None:
        self.version = version
        self.conn = conn
        self.out: list[Check] = []
        #: Set when a connection can no longer be opened: every later check is skipped with it.
        self.stopped: str | None = None

    def add(self, name: str, outcome: Outcome, detail: str = "", keep: bool = True) -> Check:
        sent, received = self.conn.exchanged() if keep else (b"", b"")
        if outcome != "fail" and len(sent) + len(received) > KEPT_BYTES:
            sent, received = b"", b""
        check = Check(_v(self.version), name, outcome, detail, sent, received)
        self.out.append(check)
        return check

    async def attempt(self, name: str, body: Callable[[], Awaitable[tuple[Outcome, str]]]) -> None:
        """Run one check's exchange, bounded by the timeout; a broken connection fails the
        check and is dropped (the next check opens another)."""
        if self.stopped is not None:
            self.add(name, "skip", self.stopped, keep=False)
            return
        try:
            await self.conn.start()
        except (_Broken, _CheckSkipped) as exc:
            # (_CheckSkipped: the opener says the server is gone; its reason says "not run")
            self.stopped = str(exc) if isinstance(exc, _CheckSkipped) else f"not run: {exc}"
            self.add(name, "skip", self.stopped, keep=False)
            return
        broken = True
        try:
            outcome, detail = await asyncio.wait_for(body(), self.conn.timeout * 2)
            broken = False
        except asyncio.TimeoutError:
            outcome, detail = "fail", f"no complete answer within {self.conn.timeout * 2:g} s"
        except _Broken as exc:
            outcome, detail = "fail", str(exc)
        except Exception as exc:  # a server's answer this code did not foresee: fail, not crash
            outcome, detail = "fail", f"unexpected {exc!r}"
        self.add(name, outcome, detail)
        if broken:  # the connection's state is unknown: the next check opens another
            self.conn.drop()


async def value_checks(open_ready: OpenReady, version: Version, *, echo_query: str | None,
                       timeout: float, graph_query: str | None = GRAPH_QUERY) -> list[Check]:
    """Round-trip every PackStream value kind and structure of Bolt ``version`` through the
    server, and check the graph structures it makes; one :class:`Check` per value kind.

    ``open_ready()`` gives a new :class:`Probe` connected, handshaken to ``version``,
    authenticated and READY (with the ``utc`` patch on 4.3/4.4 if the probe's codec has it: the
    DateTime checks follow ``probe.codec``). ``echo_query`` returns its parameter ``x`` (default
    :data:`ECHO_QUERY`); None, or a FAILURE on the first echo, skips the echo checks with the
    reason. ``graph_query`` (default :data:`GRAPH_QUERY`) returns a start node, a relationship,
    its end node and their path; None skips the graph checks. ``timeout`` (seconds) bounds
    opening a connection and each exchange."""
    conn = _EchoConnection(open_ready, version, timeout)
    checks = _Checks(version, conn)
    try:
        late = await _echo_checks(checks, echo_query)
        await _graph_checks(checks, graph_query)
        for sample, encoded in late:
            await checks.attempt(sample.name, partial(_echo, conn, echo_query or "", sample, encoded))
    finally:
        conn.close()
    return checks.out


async def _echo_checks(checks: _Checks, echo_query: str | None) -> list[tuple[Sample, bytes]]:
    """The echo checks of small values; returns the large ones, to be checked last."""
    conn = checks.conn
    if echo_query is None:
        checks.add("echo values", "skip", "no echo query given: the value round trips need a query "
                   "that returns its parameter x (--echo-query)", keep=False)
        return []
    # The first echo decides whether the server runs the echo query at all.
    try:
        await conn.start()
        answer = await asyncio.wait_for(conn.run(echo_query, {"x": 1}), timeout=conn.timeout * 2)
    except _CheckSkipped as exc:
        checks.stopped = str(exc)
        checks.add("echo values", "skip", checks.stopped, keep=False)
        return []
    except (_Broken, asyncio.TimeoutError) as exc:
        checks.add("echo query", "fail", f"RUN {echo_query!r} {{x: 1}} got no usable answer: "
                   f"{str(exc) or f'no answer within {conn.timeout * 2:g} s'}")
        conn.drop()
        checks.add("echo values", "skip", "not run: the echo query got no usable answer", keep=False)
        return []
    if answer.failure is not None:
        checks.add("echo values", "skip", f"the server refused the echo query {echo_query!r} "
                   f"({answer.failed} answered FAILURE {_failure_text(answer.failure)}); give one "
                   "that returns its parameter x (--echo-query)")
        return []
    codec = conn.codec
    profile = codec.profile
    late: list[tuple[Sample, bytes]] = []
    for sample in samples(profile):
        encoded = codec.pack(sample.value)
        if len(encoded) > LARGE:
            late.append((sample, encoded))
            continue
        await checks.attempt(sample.name, partial(_echo, conn, echo_query, sample, encoded))
    for name in unsampled(profile):
        checks.add(f"echo {name}", "skip", f"no sample value for the structure {name} yet", keep=False)
    late.sort(key=lambda item: len(item[1]))
    return late


async def _echo(conn: _EchoConnection, query: str, sample: Sample, encoded: bytes) -> tuple[Outcome, str]:
    """One round trip: RUN query {x: value}, PULL; the single value of the single record must
    be ``sample.value`` exactly."""
    answer = await conn.run(query, {"x": sample.value})
    what = describe(sample.value)
    if answer.failure is not None:
        return "fail", (f"the server answered FAILURE to {answer.failed} with x = {what}: "
                        f"{_failure_text(answer.failure)}")
    if len(answer.records) != 1:
        return "fail", f"expected 1 RECORD echoing x = {what}, got {len(answer.records)}"
    payload = answer.records[0]
    profile = conn.codec.profile
    if len(payload) < 3 or payload[0] != 0xB1 or payload[2] != 0x91:
        return "fail", (f"expected a RECORD of one value (B1 71 91 ...), got a RECORD starting "
                        f"{payload[:3].hex(' ')}")
    raw = payload[3:]
    try:
        got = conn.codec.unpack(raw)
    except ProtocolError as exc:
        return "fail", f"the echoed value does not decode in Bolt {profile}: {exc}"
    problem = difference(sample.value, got)
    if problem is not None:
        return "fail", problem
    return "pass", _encoding_note(profile, encoded, raw)


def _encoding_note(profile: str, sent: bytes, echoed: bytes) -> str:
    """A note when the echo came back in another legal encoding of the same value."""
    if sent == echoed:
        return ""
    ours, theirs = marker_name(profile, sent[0]), marker_name(profile, echoed[0])
    if ours != theirs:
        return f"echoed as {theirs} where {ours} was sent (another legal encoding of the same value)"
    at = next((i for i, (a, b) in enumerate(zip(sent, echoed, strict=False)) if a != b),
              min(len(sent), len(echoed)))
    return (f"echoed in another legal encoding of the same value ({len(echoed)} bytes, "
            f"{len(sent)} sent; they differ from byte {at} of the value on, e.g. a nested value in "
            f"a wider marker or map entries in another order)")


# -- graph structures -------------------------------------------------------------------------


async def _graph_checks(checks: _Checks, graph_query: str | None) -> None:
    """BEGIN, the graph query, ROLLBACK (``RUN "BEGIN"``/``"ROLLBACK"`` before Bolt 3.0); then one
    check per graph structure of the version, on the record that came."""
    if graph_query is None:
        checks.add("graph structures", "skip", "no graph query given: Node, Relationship, "
                   "UnboundRelationship and Path come only from a query that makes them", keep=False)
        return
    conn = checks.conn
    got: dict[str, Any] = {}
    await checks.attempt("graph query in a rolled-back transaction",
                         partial(_graph_exchange, conn, graph_query, got))
    names = [n for n in GRAPH_STRUCTURES if got.get("profile") is None
             or structure_layout(got["profile"], n) is not None]
    if "record" not in got:
        reason = checks.stopped or "not run: the graph query gave no record"
        for name in names:
            checks.add(f"graph {name}", "skip", reason, keep=False)
        return
    results = _graph_structures(got["codec"], checks.version, got["record"],
                                default_query=graph_query == GRAPH_QUERY)
    for name in names:
        outcome, detail = results[name]
        checks.add(f"graph {name}", outcome, detail)


async def _graph_exchange(conn: _EchoConnection, query: str, got: dict[str, Any]) -> tuple[Outcome, str]:
    codec = conn.codec
    got["codec"], got["profile"] = codec, codec.profile
    explicit = has("explicit_tx", conn.version)
    if explicit:
        await conn.send(Begin({}))
        begun = await conn.summary("BEGIN")
        if begun.name == "FAILURE":
            await conn.recover()
            return "fail", f"BEGIN answered FAILURE {_failure_text(begun)}"
        if begun.name != "SUCCESS":
            raise _Broken(f"{begun.name} answered BEGIN in READY")
    else:
        answer = await conn.run("BEGIN", {})
        if answer.failure is not None:
            return "fail", f"RUN 'BEGIN' answered FAILURE {_failure_text(answer.failure)}"
    answer = await conn.run(query, {})
    if answer.failure is not None:  # the RESET after it ended the transaction
        return "fail", f"the graph query's {answer.failed} answered FAILURE {_failure_text(answer.failure)}"
    if answer.records:
        got["record"] = answer.records[0]
    if explicit:
        await conn.send(Rollback())
        rolled = await conn.summary("ROLLBACK")
        if rolled.name != "SUCCESS":
            if rolled.name == "FAILURE":
                await conn.recover()
            return "fail", f"ROLLBACK answered {rolled.name} {_failure_text(rolled)}"
    else:
        undone = await conn.run("ROLLBACK", {})
        if undone.failure is not None:
            return "fail", f"RUN 'ROLLBACK' answered FAILURE {_failure_text(undone.failure)}"
    if len(answer.records) != 1:
        return "fail", f"expected 1 RECORD (a, r, b, p), got {len(answer.records)}"
    return "pass", ""


def _split_record(profile: str, payload: bytes) -> list[bytes]:
    """The encoded values of a RECORD payload (B1 71, then a list)."""
    marker = payload[2] if len(payload) > 2 else None
    if marker is None or not 0x90 <= marker <= 0x9F:
        raise ValueError(f"a RECORD whose data is not a short list (marker {payload[2:3].hex() or 'none'})")
    pos, out = 3, []
    for _ in range(marker - 0x90):
        end = value_end(profile, payload, pos)
        out.append(payload[pos:end])
        pos = end
    return out


def _graph_structures(codec: Any, version: Version, payload: bytes,
                      default_query: bool) -> dict[str, tuple[Outcome, str]]:
    """Each graph structure's outcome from the record ``a, r, b, p``."""
    profile = codec.profile
    try:
        raw = _split_record(profile, payload)
    except (ValueError, IndexError) as exc:
        return dict.fromkeys(GRAPH_STRUCTURES, ("fail", f"the record cannot be read: {exc}"))
    if len(raw) != 4:
        return dict.fromkeys(GRAPH_STRUCTURES, ("fail", f"expected a record of 4 values (a, r, b, p), "
                                                         f"got {len(raw)}"))
    values: list[Any] = []
    errors: list[ProtocolError | None] = []
    for data in raw:
        try:
            values.append(codec.unpack(data))
            errors.append(None)
        except ProtocolError as exc:
            values.append(None)
            errors.append(exc)
    a, r, b, p = values
    fields = {n: structure_layout(profile, n) for n in GRAPH_STRUCTURES}
    element_ids = has("element_ids", version)

    def layout(name: str) -> str:
        entry = fields[name]
        return f"{len(entry[1])} fields ({', '.join(entry[1])})" if entry else ""

    def shape(label: str, i: int, cls: type) -> str | None:
        """What is wrong with value ``i`` as a ``cls``, or None."""
        error = errors[i]
        if error is not None:
            return f"{label}: {error.reason} (Bolt {profile} wants {layout(cls.__name__)})"
        if type(values[i]) is not cls:
            head = raw[i][:2].hex(" ")
            return f"{label}: expected a {cls.__name__}, got {describe(values[i])} (bytes {head} ...)"
        return None

    out: dict[str, tuple[Outcome, str]] = {}
    problems = [x for x in (shape("a", 0, Node), shape("b", 2, Node)) if x]
    if not problems:
        if element_ids and (not a.element_id or a.element_id == b.element_id):
            problems.append(f"a and b need distinct, non-empty element ids: {a.element_id!r}, {b.element_id!r}")
        if default_query:
            for label, node in (("a", a), ("b", b)):
                if node.labels != ["AsyncboltConformance"]:
                    problems.append(f"{label}.labels: expected ['AsyncboltConformance'], got {node.labels!r}")
            problem = difference({"k": 1}, a.properties, "a.properties")
            if problem:
                problems.append(problem)
    out["Node"] = _verdict(problems, layout("Node"))

    nodes_ok = not shape("a", 0, Node) and not shape("b", 2, Node)
    problems = [x for x in (shape("r", 1, Relationship),) if x]
    if not problems and nodes_ok:
        ends = [("start_node_id", a.id), ("end_node_id", b.id)]
        if element_ids:
            ends += [("start_node_element_id", a.element_id), ("end_node_element_id", b.element_id)]
        for attr, want in ends:
            if getattr(r, attr) != want:
                problems.append(f"r.{attr} is {getattr(r, attr)!r}, but the node is {want!r}")
    if not problems and default_query:
        if r.type != "PROBE":
            problems.append(f"r.type: expected 'PROBE', got {r.type!r}")
        problem = difference({"k": 2}, r.properties, "r.properties")
        if problem:
            problems.append(problem)
    out["Relationship"] = _verdict(problems, layout("Relationship"))

    unbound: list[str] = []
    problems = []
    if errors[3] is not None:
        inner = errors[3].path[:1] == ("UnboundRelationship",)
        (unbound if inner else problems).append(
            f"p: {errors[3].reason}" + (f" (Bolt {profile} wants {layout('UnboundRelationship')})"
                                        if inner else ""))
        if inner:
            problems.append("p: its UnboundRelationship does not decode (see that check)")
    elif type(p) is not Path:
        problems.append(f"p: expected a Path, got {describe(p)}")
    else:
        if len(p.relationships) != 1 or type(p.relationships[0]) is not UnboundRelationship:
            unbound.append(f"p.relationships: expected one UnboundRelationship, got {p.relationships!r:.200}")
        elif type(r) is Relationship:
            u = p.relationships[0]
            for attr in ("id", "type", "properties") + (("element_id",) if element_ids else ()):
                if getattr(u, attr) != getattr(r, attr):
                    unbound.append(f"p.relationships[0].{attr} is {getattr(u, attr)!r}, "
                                   f"r.{attr} is {getattr(r, attr)!r}")
        if nodes_ok:
            problem = difference([a, b], p.nodes, "p.nodes")
            if problem:
                problems.append(problem)
        if p.indices != [1, 1]:
            problems.append(f"p.indices: expected [1, 1] (a -r-> b), got {p.indices!r}")
    out["UnboundRelationship"] = _verdict(unbound, layout("UnboundRelationship"))
    out["Path"] = _verdict(problems, layout("Path"))
    return out


def _verdict(problems: list[str], layout: str) -> tuple[Outcome, str]:
    if problems:
        return "fail", "; ".join(problems)
    return "pass", layout
