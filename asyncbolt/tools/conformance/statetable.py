"""Every request in every state the state table allows, and a sample of those it forbids.

For each state of the version's table (spec/bolt.yaml ``states``, generated into
:mod:`asyncbolt._generated.states`) that a client can lead a connection into — CONNECTED,
AUTHENTICATION, READY, STREAMING, TX_READY, TX_STREAMING, FAILED, INTERRUPTED — a fresh
connection is led there, the request is sent, and its answer is checked against the table
(SUCCESS and the state after it; IGNORED; no answer and a close; for a forbidden request
FAILURE, then the state ``on_violation`` names). The state after is told by how the next
requests are answered (:func:`confirm`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from asyncbolt._generated.messages import (
    MESSAGES,
    REQUESTS,
    Begin,
    Discard,
    Logon,
    Reset,
    Rollback,
    Route,
    Run,
    Telemetry,
)
from asyncbolt._generated.states import ON_VIOLATION, TRANSITIONS, Transition
from asyncbolt.core.framing import chunk_message
from asyncbolt.tools.conformance.checking import Checker, Reply, fail, skip
from asyncbolt.tools.conformance.probe import Probe
from asyncbolt.tools.conformance.report import Check
from asyncbolt.tools.conformance.target import hello, login

__all__ = ["state_checks", "BAD_QUERY", "FORBIDDEN_SAMPLE"]

#: A query no server runs: how a check leads a connection into FAILED.
BAD_QUERY = "asyncbolt conformance: this is not a query"
#: Forbidden requests sent per state (spread over the state's forbidden ones, by name).
FORBIDDEN_SAMPLE = 3
#: Requests a server may refuse with FAILURE where they are allowed (a server without routing
#: or telemetry): the table's ``failure`` state must follow then.
MAY_FAIL = frozenset({"ROUTE", "TELEMETRY"})
#: The order states are checked in (the table's own states, those a client can reach).
ORDER = ("CONNECTED", "AUTHENTICATION", "READY", "STREAMING", "TX_READY", "TX_STREAMING",
         "FAILED", "INTERRUPTED")


@dataclass
class Conn:
    """A connection led into ``state``; ``results``: its open results (qids; None where the
    version has none), oldest first."""

    probe: Probe
    state: str
    results: list[int | None] = field(default_factory=list)


def _table(ck: Checker) -> dict[tuple[str, str], Transition]:
    return TRANSITIONS[ck.v]


def reachable(ck: Checker) -> list[str]:
    """The states of the version's table this checker can lead a connection into."""
    table = _table(ck)
    states = {s for s, _ in table}
    out = []
    for state in ORDER:
        if state not in states:
            continue
        if state == "AUTHENTICATION" and table.get(("CONNECTED", "HELLO"), None) is None:
            continue
        if state == "AUTHENTICATION" and table[("CONNECTED", "HELLO")].success != state:
            continue  # (before LOGON, HELLO authenticates: nothing leads there)
        out.append(state)
    return out


async def lead(ck: Checker, state: str) -> Conn:
    """A new connection in ``state`` (skip if the server gives no way there)."""
    table = _table(ck)
    if state == "CONNECTED":
        return Conn(await ck.connected(), state)
    if state == "AUTHENTICATION":
        probe = await ck.connected()
        await ck.expect(probe, hello(ck.target, ck.v), "SUCCESS", "in CONNECTED, ")
        return Conn(probe, state)
    probe = await ck.ready()
    conn = Conn(probe, "READY")
    if state in ("READY", "INTERRUPTED"):
        return conn
    if state == "FAILED":
        answer, = await ck.ask(probe, Run(BAD_QUERY, {}, {}))
        if answer.kind == "SUCCESS":
            skip(f"the server ran {BAD_QUERY!r} (SUCCESS): no way to lead a connection into FAILED")
        if answer.kind != "FAILURE":
            fail(f"in READY, RUN should be answered SUCCESS or FAILURE, got {answer}")
        conn.state = table[("READY", "RUN")].failure or "FAILED"
        return conn
    await ck.need_rows()
    if state in ("TX_READY", "TX_STREAMING"):
        await ck.expect(probe, Begin({}), "SUCCESS", "in READY, ")
        conn.state = "TX_READY"
        if state == "TX_READY":
            return conn
    answer = await ck.expect(probe, ck.run_rows(3), "SUCCESS", f"in {conn.state}, ")
    conn.results.append(_qid(ck, conn, answer))
    conn.state = state
    return conn


def _qid(ck: Checker, conn: Conn, run: Reply) -> int | None:
    """The qid a RUN's SUCCESS names (required inside a transaction where qids exist)."""
    qid = run.metadata.get("qid")
    if conn.state in ("TX_READY", "TX_STREAMING") and ck.has("qid"):
        if type(qid) is not int:
            fail(f"in a transaction RUN's SUCCESS should name its result by an Integer qid, got {run}")
        return qid
    return None


def build(ck: Checker, name: str) -> Any:
    """A well-formed request ``name`` of the version (credentials where it takes them)."""
    if name in ("INIT", "HELLO"):
        return hello(ck.target, ck.v)
    if name == "LOGON":
        return Logon(ck.target.auth())
    if name == "RUN":
        return ck.run_rows(3) if ck.target.rows_query is not None else Run(BAD_QUERY, {}, {})
    if name == "BEGIN":
        return Begin({})
    if name in ("PULL", "PULL_ALL"):
        return ck.pull_all()
    if name == "DISCARD":
        return Discard({"n": -1})
    if name == "TELEMETRY":
        return Telemetry(0)
    if name == "ROUTE":
        return Route({"address": ck.target.address}, [], None, {})
    return MESSAGES[name]()  # the requests without fields


async def confirm(ck: Checker, conn: Conn, after: str) -> None:
    """The server must behave as in ``conn.state`` (told by the next requests' answers)."""
    probe, state = conn.probe, conn.state
    where = f"{after}, the connection should be in {state}: "
    if state == "DEFUNCT":
        await ck.closes(probe, after)
        return
    if state == "CONNECTED":
        requests = login(ck.target, ck.v)
        for answer, request in zip(await ck.ask(probe, *requests), requests, strict=True):
            if answer.kind != "SUCCESS":
                fail(f"{where}{request.name} should be answered SUCCESS, got {answer}")
    elif state == "AUTHENTICATION":
        await ck.expect(probe, Logon(ck.target.auth()), "SUCCESS", where)
    elif state == "READY":
        if ck.has("explicit_tx"):
            begin, rollback = await ck.ask(probe, Begin({}), Rollback())
            if (begin.kind, rollback.kind) != ("SUCCESS", "SUCCESS"):
                fail(f"{where}BEGIN, ROLLBACK should be answered SUCCESS, SUCCESS; got {begin}; {rollback}")
        else:
            await ck.need_rows()
            run, pull = await ck.ask(probe, ck.run_rows(1), ck.pull_all())
            if (run.kind, pull.kind) != ("SUCCESS", "SUCCESS"):
                fail(f"{where}RUN, PULL_ALL should be answered SUCCESS, SUCCESS; got {run}; {pull}")
    elif state == "STREAMING":
        await ck.expect(probe, ck.pull_all(), "SUCCESS", where)
    elif state == "TX_READY":
        await ck.expect(probe, Rollback(), "SUCCESS", where)
    elif state == "TX_STREAMING":
        for qid in reversed(conn.results):
            await ck.expect(probe, ck.pull_all(qid), "SUCCESS", where)
        await ck.expect(probe, Rollback(), "SUCCESS", where + "(all its results read) ")
    elif state == "FAILED":
        run, reset = await ck.ask(probe, Run(BAD_QUERY, {}, {}), Reset())
        if run.kind != "IGNORED":
            fail(f"{where}RUN should be answered IGNORED, got {run}")
        if reset.kind != "SUCCESS":
            fail(f"{where}RESET should be answered SUCCESS, got {reset}")
    else:
        raise AssertionError(f"no way to confirm state {state}")


def _after(ck: Checker, conn: Conn, name: str, t: Transition, answer: Reply) -> str:
    """The state after ``name`` was answered SUCCESS (``answer``) in ``conn.state``."""
    if name == "RUN":
        conn.results.append(_qid(ck, conn, answer))
    elif name in ("PULL", "PULL_ALL", "DISCARD", "DISCARD_ALL") and not answer.metadata.get("has_more"):
        if conn.results:
            conn.results.pop()
        if conn.state == "TX_STREAMING" and conn.results:
            return conn.state  # other results of the transaction are still open
    elif name in ("BEGIN", "COMMIT", "ROLLBACK", "RESET", "ACK_FAILURE"):
        conn.results.clear()
    if answer.metadata.get("has_more") is True and t.has_more:
        return t.has_more
    assert t.success is not None
    return t.success


async def allowed(ck: Checker, state: str, name: str, t: Transition) -> str:
    if name == "RUN":
        await ck.need_rows()
    conn = await lead(ck, state)
    request = build(ck, name)
    if t.close:
        await ck.ask(conn.probe, request)
        await ck.closes(conn.probe, f"after {name} in {state}")
        return "closed without an answer"
    answer, = await ck.ask(conn.probe, request)
    if t.ignored:
        if answer.kind != "IGNORED":
            fail(f"{name} in {state} should be answered IGNORED (until RESET), got {answer}")
        detail = "IGNORED"
    elif answer.kind == "SUCCESS":
        conn.state = _after(ck, conn, name, t, answer)
        detail = f"SUCCESS, then {conn.state}"
    elif answer.kind == "FAILURE" and name in MAY_FAIL:
        conn.state, conn.results = t.failure or "FAILED", []
        detail = f"FAILURE {answer.metadata.get('code') or answer.metadata.get('neo4j_code')} (allowed), then {conn.state}"
    else:
        fail(f"{name} in {state} should be answered SUCCESS, got {answer}")
    await confirm(ck, conn, f"after {name} in {state}")
    return detail


async def forbidden(ck: Checker, state: str, name: str) -> str:
    conn = await lead(ck, state)
    answer, = await ck.ask(conn.probe, build(ck, name))
    if answer.kind != "FAILURE":
        fail(f"{name} is not allowed in {state}: it should be answered FAILURE, got {answer}")
    conn.state, conn.results = ON_VIOLATION[ck.v].get(state, "DEFUNCT"), []
    await confirm(ck, conn, f"after {name} refused in {state}")
    return f"FAILURE, then {conn.state}"


async def interrupted(ck: Checker, name: str, t: Transition) -> str:
    """``name`` pipelined with a RESET behind it, on a READY connection: the server that has
    read the RESET is INTERRUPTED and answers ``name`` as the table says there."""
    conn = await lead(ck, "INTERRUPTED")
    request = build(ck, name)
    raw = chunk_message(conn.probe._codec.pack_message(request)) + chunk_message(
        conn.probe._codec.pack_message(Reset()))
    if t.close:
        await ck.ask(conn.probe, request, raw=raw)
        await ck.closes(conn.probe, f"after {name} in INTERRUPTED")
        return "closed without an answer"
    answer, reset = await ck.ask(conn.probe, request, Reset(), raw=raw)
    if reset.kind != "SUCCESS":
        fail(f"RESET should be answered SUCCESS, got {reset}")
    if answer.kind != "IGNORED":
        skip(f"{name} was answered {answer.kind} before the server read the RESET sent "
             "right behind it: INTERRUPTED not reached")
    conn.state = "READY"
    await confirm(ck, conn, "after RESET")
    return "IGNORED, RESET then SUCCESS"


def spread(names: list[str], k: int) -> list[str]:
    """Up to ``k`` of ``names``, spread evenly over them (deterministic)."""
    if len(names) <= k:
        return names
    return [names[round(i * (len(names) - 1) / (k - 1))] for i in range(k)] if k > 1 else names[:1]


async def state_checks(ck: Checker) -> list[Check]:
    """Every (state, request) the version's table allows, and a sample of forbidden ones."""
    table = _table(ck)
    requests = sorted({cls.name for cls in REQUESTS[ck.v].values()})
    checks = []
    for state in reachable(ck):
        for name in requests:
            t = table.get((state, name))
            if t is None:
                continue
            if state == "INTERRUPTED":
                if name == "RESET":
                    continue
                label = "closes" if t.close else "IGNORED"
                checks.append(await ck.run(f"INTERRUPTED: {name} before a RESET -> {label}",
                                           functools.partial(interrupted, ck, name, t)))
                continue
            expected = "closes" if t.close else "IGNORED" if t.ignored else "SUCCESS"
            checks.append(await ck.run(f"{state}: {name} -> {expected}",
                                       functools.partial(allowed, ck, state, name, t)))
        if state == "INTERRUPTED":
            continue
        refused = [n for n in requests if (state, n) not in table]
        for name in spread(refused, FORBIDDEN_SAMPLE):
            after = ON_VIOLATION[ck.v].get(state, "DEFUNCT")
            checks.append(await ck.run(f"{state}: {name} (not allowed) -> FAILURE, {after}",
                                       functools.partial(forbidden, ck, state, name)))
    return checks
