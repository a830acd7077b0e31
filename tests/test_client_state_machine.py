"""Property: the client's state machine against a scripted server that answers its requests
with arbitrary response messages of the version, right or wrong.

For every version in the spec, hypothesis draws a list of client operations (auto-commit
query, explicit transaction, RESET, ping, routing table) and a plan for the server's answer to
each request it receives (mostly after an honest login): the honest answer, FAILURE, IGNORED, SUCCESS with arbitrary
metadata, RECORDs with arbitrary values where they may or may not belong, an unknown message,
an extra unsolicited SUCCESS, or the connection closed. The real client
(``asyncbolt.connect``) must either work or raise a documented asyncbolt error (``BoltError``
and its subclasses: ``ProtocolError``, ``ServiceUnavailable``, ``Neo4jError``...), never hang
(every await is bounded), and be left closed or usable: once the plan is spent the server turns
honest, and a connection that is not closed must answer RESET and a query correctly.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import asyncbolt
from asyncbolt import VERSIONS
from asyncbolt.codec.messages import Failure, Ignored, Record, Success
from asyncbolt.core.handshake import MANIFEST_V1, encode_varint, encode_version
from asyncbolt.errors import BoltError, ServiceUnavailable
from tests.strategies import values, well_known_map
from tests.test_client_odd_servers import FakeServer, Peer

Version = tuple[int, int]
STEP = 3.0  # seconds any one client operation may take before it counts as a hang
OPS = ["query", "fetch", "tx", "tx_rollback", "reset", "ping", "route"]
PLANS = ["honest", "honest", "failure", "ignored", "success_any", "records_any", "record_extra",
         "unknown", "extra_success", "close"]


def honest(name: str, version: Version, routing_query: bool = False) -> list[Any]:
    if routing_query and name == "RUN":
        return [Success({"fields": ["ttl", "servers"]})]
    if routing_query and name in ("PULL", "PULL_ALL"):
        return [Record([300, [{"addresses": ["127.0.0.1:7687"], "role": "ROUTE"}]]),
                Success({"type": "r"})]
    if name in ("HELLO", "INIT"):
        return [Success({"server": "Neo4j/5.0.0", "connection_id": "bolt-1"})]
    if name == "RUN":
        return [Success({"fields": ["x"], "t_first": 1})]
    if name in ("PULL", "PULL_ALL"):
        return [Record([1]), Success({"type": "r", "t_last": 1})]
    if name == "ROUTE":
        return [Success({"rt": {"ttl": 300, "db": "neo4j", "servers": [
            {"addresses": ["127.0.0.1:7687"], "role": role} for role in ("ROUTE", "READ", "WRITE")]}})]
    if name == "COMMIT":
        return [Success({"bookmark": "bm:1"})]
    return [Success({})]


@st.composite
def answer_plan(draw: st.DrawFn, version: Version) -> tuple[str, list[Any]]:
    """One planned answer: (kind, messages or raw bytes)."""
    profile = (version, ())
    kind = draw(st.sampled_from(PLANS))
    if kind == "failure":
        code = draw(st.sampled_from(["Neo.ClientError.Statement.SyntaxError",
                                     "Neo.TransientError.General.DatabaseUnavailable",
                                     "Neo.DatabaseError.General.UnknownError",
                                     "Neo.ClientError.Security.Unauthorized", "", "nonsense"]))
        return kind, [Failure({"code": code, "message": "scripted"})]
    if kind == "ignored":
        return kind, [Ignored()]
    if kind == "success_any":
        return kind, [Success(draw(well_known_map("success", version, profile)))]
    if kind in ("records_any", "record_extra"):
        rows = draw(st.lists(st.lists(values(profile, False), max_size=2), max_size=3))
        meta = draw(st.sampled_from([{}, {"has_more": True}, {"type": "r"}, {"fields": ["x"]}]))
        return kind, [*(Record(r) for r in rows), Success(meta)]
    return kind, []


class Script:
    """The server's side: answers each request by the next plan, then honestly."""

    def __init__(self, version: Version, plans: list[tuple[str, list[Any]]],
                 honest_login: bool = True) -> None:
        self.version = version
        self.plans = list(plans)
        self.honest = False
        self.honest_login = honest_login

    async def __call__(self, peer: Peer) -> None:
        handshake = await peer.read_handshake()
        if handshake[4:8] == MANIFEST_V1:
            await peer.send_raw(MANIFEST_V1 + encode_varint(1) + encode_version(self.version)
                                + encode_varint(0))
            await asyncio.wait_for(peer.reader.readexactly(5), 5)
        else:
            await peer.send_raw(encode_version(self.version))
        peer.use(self.version)
        routing_query = False  # the last RUN called the routing procedure (before 4.3)
        while True:
            message = await peer.recv(timeout=30)
            if message.name == "GOODBYE":
                return
            login = message.name in ("HELLO", "INIT", "LOGON")
            if self.honest or not self.plans or (login and self.honest_login):
                kind, planned = "honest", []
            else:
                kind, planned = self.plans.pop(0)
            if message.name == "RUN":
                routing_query = "getRoutingTable" in message.query
            right = honest(message.name, self.version, routing_query)
            if kind == "close":
                peer.abort()
                return
            if kind == "unknown":
                await peer.send_raw(b"\x00\x02\xb0\x55\x00\x00")
            elif kind == "extra_success":
                await peer.send(*right, Success({}))
            elif kind == "record_extra":
                await peer.send(*planned)
            elif planned:
                await peer.send(*planned)
            else:
                await peer.send(*right)


async def operate(conn: asyncbolt.Connection, op: str) -> None:
    if op == "query":
        await (await conn.run("RETURN 1 AS x")).consume()
    elif op == "fetch":
        result = await conn.run("UNWIND [1, 2] AS x RETURN x", fetch_size=1)
        async for record in result:
            record.values()
    elif op in ("tx", "tx_rollback"):
        tx = await conn.begin()
        await (await tx.run("RETURN 1")).values()
        await (tx.commit() if op == "tx" else tx.rollback())
    elif op == "reset":
        await conn.reset()
    elif op == "ping":
        await conn.ping(timeout=STEP)
    elif op == "route":
        await conn.route()


async def scenario(version: Version, plans: list, ops: list[str],
                   honest_login: bool = True) -> list[str]:
    script = Script(version, plans, honest_login)
    outcomes = []
    async with FakeServer(script) as server:
        try:
            conn = await asyncio.wait_for(asyncbolt.connect(
                server.uri, auth=("u", "p"), versions=[version], timeout=STEP), STEP + 1)
        except BoltError as exc:
            return [f"connect: {type(exc).__name__}"]
        try:
            for op in ops:
                if op in ("tx", "tx_rollback") and version < (3, 0):
                    continue
                try:
                    await asyncio.wait_for(operate(conn, op), STEP)
                    outcomes.append(f"{op}: ok")
                except asyncio.TimeoutError:
                    pytest.fail(f"{op} hung (plans {plans})")
                except BoltError as exc:
                    outcomes.append(f"{op}: {type(exc).__name__}")
                if conn.closed:
                    break
            script.honest = True
            if not conn.closed:
                # closed or usable: a connection that stays open must work again. An answer
                # still on its way (say, to the client's own RESET after a FAILURE, when the
                # last op raised without I/O) may close it just now: that is "closed".
                try:
                    await asyncio.wait_for(conn.reset(), STEP)
                except ServiceUnavailable:
                    assert conn.closed, outcomes
                else:
                    rows = await asyncio.wait_for(
                        _values(conn), STEP)
                    assert rows == [[1]], (rows, outcomes)
        finally:
            with contextlib.suppress(BoltError, asyncio.TimeoutError):
                await asyncio.wait_for(conn.close(), STEP)
        assert conn.closed
    return outcomes


async def _values(conn: asyncbolt.Connection) -> list:
    return await (await conn.run("RETURN 1 AS x")).values()


@pytest.mark.parametrize("version", VERSIONS, ids=[f"{a}.{b}" for a, b in VERSIONS])
def test_client_survives_any_answers(version: Version) -> None:
    @settings(max_examples=8, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(plans=st.lists(answer_plan(version), max_size=8),
           ops=st.lists(st.sampled_from(OPS), min_size=1, max_size=5),
           honest_login=st.sampled_from([True, True, True, False]))
    def check(plans: list, ops: list[str], honest_login: bool) -> None:
        asyncio.run(scenario(version, plans, ops, honest_login))

    check()
