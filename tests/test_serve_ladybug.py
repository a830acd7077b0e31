"""``asyncbolt serve`` on a real LadybugDB, used by the official neo4j driver (sync and async)
and by asyncbolt's client."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import neo4j
import neo4j.exceptions as nx
import pytest
from neo4j.time import Date, DateTime, Duration, Time

import asyncbolt

pytest.importorskip("ladybug")

from asyncbolt.tools.backends import get_backend  # noqa: E402
from asyncbolt.tools.backends.ladybug.failures import map_error  # noqa: E402
from asyncbolt.tools.backends.ladybug.graph import LadybugGraph  # noqa: E402
from asyncbolt.tools.backends.ladybug.ids import element_id, node_id, rewrite_id_comparisons  # noqa: E402
from asyncbolt.tools.backends.ladybug.queries import classify, scan  # noqa: E402
from asyncbolt.tools.backends.ladybug.session import LadybugSession  # noqa: E402
from asyncbolt.tools.backends.ladybug.worker import BATCH  # noqa: E402

from .sessions import ServerThread  # noqa: E402
from .test_server_js import node  # noqa: E402, F401  (the fixture: Node.js with neo4j-driver)

AUTH = ("neo4j", "secret")
SCHEMA = [
    "CREATE NODE TABLE Person(name STRING PRIMARY KEY, age INT64, born DATE)",
    "CREATE NODE TABLE Movie(title STRING PRIMARY KEY, released INT64)",
    "CREATE REL TABLE KNOWS(FROM Person TO Person, since INT64)",
    "CREATE REL TABLE ACTED_IN(FROM Person TO Movie, roles STRING[])",
]
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def graph():
    g = LadybugGraph()
    g.execute_script(";\n".join(SCHEMA))
    yield g
    g.close()


@pytest.fixture(scope="module")
def server(graph):
    with ServerThread(LadybugSession, graph=graph, auth=AUTH) as srv:
        yield srv


@pytest.fixture(scope="module")
def driver(server):
    with neo4j.GraphDatabase.driver(server.uri, auth=AUTH) as d:
        yield d


@pytest.fixture(scope="module")
def people(driver):
    """Ada -KNOWS-> Alan -ACTED_IN-> Codebreaker, written in one managed transaction."""
    def write(tx):
        tx.run("UNWIND $rows AS r CREATE (:Person {name: r.name, age: r.age, born: r.born})",
               rows=[{"name": "Ada", "age": 36, "born": Date(1815, 12, 10)},
                     {"name": "Alan", "age": 41, "born": Date(1912, 6, 23)}]).consume()
        tx.run("CREATE (:Movie {title: 'Codebreaker', released: 2011})").consume()
        tx.run("MATCH (a:Person {name: 'Ada'}), (b:Person {name: 'Alan'}) CREATE (a)-[:KNOWS {since: 1843}]->(b)").consume()
        tx.run("MATCH (a:Person {name: 'Alan'}), (m:Movie) CREATE (a)-[:ACTED_IN {roles: ['himself']}]->(m)").consume()

    with driver.session() as session:
        session.execute_write(write)
        bookmarks = session.last_bookmarks()
    return bookmarks


# -- units ---------------------------------------------------------------------------------


def test_ids_and_element_ids_come_from_table_and_offset() -> None:
    assert node_id(0, 5) == 5
    assert node_id(3, 7) == (3 << 40) | 7
    assert element_id(3, 7) == "3:7"


def test_scan_finds_keywords_and_parameters_outside_strings_and_comments() -> None:
    words, params = scan("MATCH (n:Create {set: 'CREATE $no'}) // DELETE $nope\n"
                         "WHERE n.delete = $a AND n.x = $`b c` RETURN n /* SET $c */")
    assert params == {"a", "b c"}
    assert "CREATE" not in words and "DELETE" not in words and "SET" not in words
    assert classify(scan("MATCH (n) RETURN n")[0]) == ("r", False)
    assert classify(scan("CREATE (n:P {name: 'x'}) RETURN n")[0]) == ("rw", True)
    assert classify(scan("MATCH (n) SET n.x = 1")[0]) == ("w", True)
    assert classify(scan("CREATE NODE TABLE T(id INT64 PRIMARY KEY)")[0]) == ("s", True)
    assert classify(scan("CALL show_tables() RETURN *")[0]) == ("r", True)


@pytest.mark.parametrize(("message", "code"), [
    ("Parser exception: Invalid input <RETURN 1 +>", "Neo.ClientError.Statement.SyntaxError"),
    ("Binder exception: Variable m is not in scope.", "Neo.ClientError.Statement.SyntaxError"),
    ("Catalog exception: function NOPE does not exist.", "Neo.ClientError.Statement.SyntaxError"),
    ("Binder exception: Table Nope does not exist.", "Neo.ClientError.Statement.SemanticError"),
    ("Binder exception: Cannot find property nope for n.", "Neo.ClientError.Statement.SemanticError"),
    ("Parameter x not found.", "Neo.ClientError.Statement.ParameterMissing"),
    ("Runtime exception: Found duplicated primary key value Ada, which violates the uniqueness "
     "constraint of the primary key column.", "Neo.ClientError.Schema.ConstraintValidationFailed"),
    ("Runtime exception: Node(nodeOffset: 1) has connected edges in table E in the fwd direction, "
     "which cannot be deleted.", "Neo.ClientError.Schema.ConstraintValidationFailed"),
    ("Binder exception: T already exists in catalog.", "Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists"),
    ("Can not execute a write query inside a read-only transaction.", "Neo.ClientError.Statement.AccessMode"),
    ("Runtime exception: Divide by zero.", "Neo.ClientError.Statement.ArithmeticError"),
    ("Conversion exception: Cast failed.", "Neo.ClientError.Statement.ArgumentError"),
    ("Runtime exception: list_extract(list, index): index=5 is out of range.",
     "Neo.ClientError.Statement.ExecutionFailed"),
    ("Interrupted.", "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration"),
    ("Cannot start a new write transaction in the system.", "Neo.TransientError.Transaction.LockAcquisitionTimeout"),
    ("IO exception: disk full", "Neo.DatabaseError.General.UnknownError"),
])
def test_error_mapping(message: str, code: str) -> None:
    error = map_error(RuntimeError(message))
    assert error.code == code
    assert isinstance(error, {"ClientError": asyncbolt.ClientError, "TransientError": asyncbolt.TransientError,
                              "DatabaseError": asyncbolt.DatabaseError}[code.split(".")[1]])


def test_backend_registry() -> None:
    assert get_backend("ladybug") is LadybugSession
    assert get_backend("asyncbolt.tools.backends.ladybug:LadybugSession") is LadybugSession
    with pytest.raises(ValueError, match="unknown backend"):
        get_backend("nope")
    with pytest.raises(ValueError, match="not a ServerSession"):
        get_backend("asyncbolt.tools.backends.ladybug:LadybugGraph")


def test_the_package_keeps_its_names() -> None:
    """backends/ladybug is a package by job; its names import from it (and the old flat path)."""
    import importlib

    import asyncbolt.tools.backends.ladybug as package

    assert importlib.import_module("asyncbolt.backends.ladybug") is package
    assert (package.LadybugSession, package.LadybugGraph, package.BATCH) == (LadybugSession, LadybugGraph, BATCH)
    assert (package.map_error, package.node_id, package.element_id) == (map_error, node_id, element_id)
    assert package.LadybugSession.__module__ == "asyncbolt.tools.backends.ladybug.session"


# -- the official driver -------------------------------------------------------------------


def test_nodes_relationships_and_ids_read_back(driver, people) -> None:
    assert people.raw_values and all(v.startswith("ladybug:") for v in people.raw_values)
    with driver.session() as session:
        record = session.run("MATCH (a:Person {name: 'Ada'})-[r:KNOWS]->(b:Person) "
                             "RETURN a, r, b, id(a) AS ida").single()
        again = session.run("MATCH (n:Person) WHERE n.name = 'Ada' RETURN n").single()["n"]
    a, r, b = record["a"], record["r"], record["b"]
    assert set(a.labels) == {"Person"} and dict(a) == {"name": "Ada", "age": 36, "born": Date(1815, 12, 10)}
    assert set(b.labels) == {"Person"} and b["name"] == "Alan"
    assert r.type == "KNOWS" and dict(r) == {"since": 1843}
    assert r.start_node.element_id == a.element_id and r.end_node.element_id == b.element_id
    assert again.element_id == a.element_id  # stable across queries
    assert re.fullmatch(r"\d+:\d+", a.element_id) and re.fullmatch(r"\d+:\d+", r.element_id)
    table, offset = map(int, a.element_id.split(":"))
    assert record["ida"] == node_id(table, offset)  # id(n) in a query is the same number
    assert a.element_id != b.element_id and r.element_id != a.element_id


def test_label_less_match_leaves_out_other_tables_columns(driver, people) -> None:
    with driver.session() as session:
        nodes = [r["n"] for r in session.run("MATCH (n) RETURN n ORDER BY n.name, n.title")]
    movie = next(n for n in nodes if "Movie" in n.labels)
    assert dict(movie) == {"title": "Codebreaker", "released": 2011}


def test_paths_and_variable_length_relationships(driver, people) -> None:
    with driver.session() as session:
        path = session.run("MATCH p = (a:Person {name: 'Ada'})-[:KNOWS]->(:Person)-[:ACTED_IN]->(:Movie) "
                           "RETURN p").single()["p"]
        back = session.run("MATCH p = (m:Movie)<-[:ACTED_IN]-(:Person) RETURN p").single()["p"]
        rels = session.run("MATCH (a:Person {name: 'Ada'})-[r*1..2]->(m:Movie) RETURN r").single()["r"]
    assert [n.get("name") or n.get("title") for n in path.nodes] == ["Ada", "Alan", "Codebreaker"]
    assert [r.type for r in path.relationships] == ["KNOWS", "ACTED_IN"]
    assert path.relationships[0].start_node.element_id == path.nodes[0].element_id
    assert path.relationships[1].end_node.element_id == path.nodes[2].element_id
    # Traversed against its direction: the relationship still starts at the person.
    assert back.start_node["title"] == "Codebreaker" and back.end_node["name"] == "Alan"
    assert back.relationships[0].start_node.element_id == back.end_node.element_id
    assert isinstance(rels, list) and [r.type for r in rels] == ["KNOWS", "ACTED_IN"]
    assert rels[0].end_node.element_id == rels[1].start_node.element_id


def test_id_comparisons_rewrite_only_integer_id_parameters() -> None:
    query, params = rewrite_id_comparisons("MATCH (n) WHERE id(n) IN $x RETURN n, $x", {"x": [5, (3 << 40) | 7]})
    assert query == "MATCH (n) WHERE CAST(id(n) AS STRING) IN $_asyncbolt_id_x RETURN n, $x"
    assert params == {"x": [5, (3 << 40) | 7], "_asyncbolt_id_x": ["0:5", "3:7"]}
    query, params = rewrite_id_comparisons("MATCH ()-[r]->() WHERE ID( r ) = $rid", {"rid": 9})
    assert query == "MATCH ()-[r]->() WHERE CAST(ID( r ) AS STRING) = $_asyncbolt_id_rid"
    assert params["_asyncbolt_id_rid"] == "0:9"
    for value in ("0:5", [1, "2"], True, -1, None):  # not integer ids: left to Ladybug
        query = "MATCH (n) WHERE id(n) = $x RETURN n"
        assert rewrite_id_comparisons(query, {"x": value}) == (query, {"x": value})
    assert rewrite_id_comparisons("MATCH (n) WHERE n.id = $x", {"x": 1}) == ("MATCH (n) WHERE n.id = $x", {"x": 1})


def test_nodes_and_relationships_looked_up_by_integer_id(driver, people) -> None:
    """Code written for Neo4j 4.x does this, and py2neo for every Path it receives (LadybugDB
    alone refuses: Cannot compare INT64 and INTERNAL_ID)."""
    with driver.session() as session:
        ids = session.run("MATCH (a:Person {name: 'Ada'})-[r:KNOWS]->(b) "
                          "RETURN id(a) AS a, id(r) AS r, id(b) AS b").single()
        one = session.run("MATCH (n:Person) WHERE id(n) = $id RETURN n.name AS name", id=ids["a"]).single()
        assert one["name"] == "Ada"
        names = session.run("MATCH (n:Person) WHERE id(n) IN $ids RETURN n.name AS name ORDER BY name",
                            ids=[ids["b"], ids["a"]]).value()
        assert names == ["Ada", "Alan"]
        rel = session.run("MATCH ()-[r:KNOWS]->() WHERE id(r) IN $x RETURN r.since AS since, $x AS x",
                          x=[ids["r"]]).single()
        assert rel.values() == [1843, [ids["r"]]]  # $x itself is still the list of integers
        assert session.run("MATCH (n:Person) WHERE id(n) = $id RETURN n", id=ids["r"] + 10**6).peek() is None


def test_every_auto_commit_statement_names_a_ladybug_bookmark(driver, people) -> None:
    with driver.session() as session:
        session.run("MATCH (n:Person) RETURN count(n)").consume()
        read = session.last_bookmarks().raw_values
        session.run("CREATE (:Movie {title: 'Bookmarked', released: 2026})").consume()
        written = session.last_bookmarks().raw_values
    (read,), (written,) = read, written
    assert read.startswith("ladybug:") and written.startswith("ladybug:")
    assert int(written.split(":")[1]) == int(read.split(":")[1]) + 1


def test_rolled_back_transaction_leaves_nothing(driver, people) -> None:
    with driver.session() as session:
        with session.begin_transaction() as tx:
            tx.run("CREATE (:Person {name: 'Ghost', age: 1})").consume()
            assert tx.run("MATCH (p:Person {name: 'Ghost'}) RETURN count(*) AS n").single()["n"] == 1
            tx.rollback()
        assert session.run("MATCH (p:Person {name: 'Ghost'}) RETURN count(*) AS n").single()["n"] == 0

        def fail(tx):
            tx.run("CREATE (:Person {name: 'Ghost2'})").consume()
            raise RuntimeError("the application gives up")

        with pytest.raises(RuntimeError):
            session.execute_write(fail)
        assert session.run("MATCH (p:Person) WHERE p.name STARTS WITH 'Ghost' RETURN count(*) AS n").single()["n"] == 0


def test_syntax_error_is_cypher_syntax_error(driver) -> None:
    with driver.session() as session:
        with pytest.raises(nx.CypherSyntaxError) as exc:
            session.run("MATCH (p:Person RETURN p").consume()
        assert exc.value.code == "Neo.ClientError.Statement.SyntaxError"
        assert "MATCH (p:Person RETURN p" in exc.value.message
        with pytest.raises(nx.CypherSyntaxError):
            session.run("MATCH (p:Person) RETURN q").consume()
        with pytest.raises(nx.ClientError) as semantic:
            session.run("MATCH (p:NoSuchTable) RETURN p").consume()
        assert semantic.value.code == "Neo.ClientError.Statement.SemanticError"
        assert session.run("RETURN 1 AS one").single()["one"] == 1


def test_missing_parameter(driver) -> None:
    with driver.session() as session:
        with pytest.raises(nx.ClientError) as exc:
            session.run("MATCH (p:Person) WHERE p.age > $min RETURN p").consume()
        assert exc.value.code == "Neo.ClientError.Statement.ParameterMissing"
        assert "min" in exc.value.message
        # A '$' inside a string is not a parameter.
        assert session.run("RETURN 'costs $5' AS s").single()["s"] == "costs $5"


def test_constraint_violation_ends_the_transaction_and_frees_the_writer(driver, people) -> None:
    with driver.session() as session:
        with pytest.raises(nx.ConstraintError) as exc:
            session.run("CREATE (:Person {name: 'Ada'})").consume()
        assert exc.value.code == "Neo.ClientError.Schema.ConstraintValidationFailed"
        tx = session.begin_transaction()
        tx.run("CREATE (:Person {name: 'Temp'})").consume()
        with pytest.raises(nx.ConstraintError):
            tx.run("CREATE (:Person {name: 'Alan'})").consume()
        tx.close()
        assert session.run("MATCH (p:Person {name: 'Temp'}) RETURN count(*) AS n").single()["n"] == 0
        # The failed transaction released the database's write transaction at once.
        with session.begin_transaction(timeout=5) as tx2:
            tx2.run("CREATE (:Person {name: 'Temp2'})").consume()
            tx2.rollback()


def test_value_mapping_both_ways(driver) -> None:
    params = {"d": Date(2024, 2, 29), "ldt": DateTime(2024, 2, 29, 13, 37, 1, 123456000),
              "dur": Duration(days=3, seconds=4, microseconds=5), "b": b"\x00\xffbytes",
              "rows": [{"k": "a", "v": 1}, {"k": "b", "v": 2}], "f": 2.5, "big": 2**62, "s": "grüße"}
    query = ("RETURN $d AS d, $ldt AS ldt, $dur AS dur, $b AS b, $rows AS rows, $f AS f, "
             "$big AS big, $s AS s, [1, 2, 3] AS l, {a: 1, b: 'x'} AS m, map(['k'], [7]) AS mp, "
             "CAST(7 AS INT128) AS i128, CAST('1.25' AS DECIMAL(5, 2)) AS dec, CAST(3 AS UINT8) AS u8, "
             "timestamp('2024-01-01 10:00:00') AS ts, interval('1 day 2 hours') AS iv, "
             "CAST('2024-01-01 10:00:00+02' AS TIMESTAMP_TZ) AS tz, "
             "CAST('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' AS UUID) AS uuid, null AS nothing")
    with driver.session() as session:
        r = session.run(query, params).single()
    assert r["d"] == Date(2024, 2, 29)
    assert r["ldt"] == DateTime(2024, 2, 29, 13, 37, 1, 123456000) and r["ldt"].tzinfo is None
    assert r["dur"] == Duration(days=3, seconds=4, microseconds=5)
    assert r["b"] == b"\x00\xffbytes" and r["rows"] == params["rows"]
    assert r["f"] == 2.5 and r["big"] == 2**62 and r["s"] == "grüße"
    assert r["l"] == [1, 2, 3] and r["m"] == {"a": 1, "b": "x"} and r["mp"] == {"k": 7}
    assert r["i128"] == 7 and r["dec"] == 1.25 and r["u8"] == 3
    assert r["ts"] == DateTime(2024, 1, 1, 10, 0, 0)
    assert r["iv"] == Duration(days=1, hours=2)
    assert r["tz"].to_native() == dt.datetime(2024, 1, 1, 8, 0, tzinfo=dt.timezone.utc)
    assert r["uuid"] == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11" and r["nothing"] is None
    with driver.session() as session:
        with pytest.raises(nx.CypherTypeError) as exc:
            session.run("RETURN $t AS t", t=Time(12, 0, 0)).consume()
        assert exc.value.message.startswith("parameter $t: LocalTime: LadybugDB has no time-of-day type")
        # Ladybug keeps no offset: refused, not turned into another value (tests/test_serve_ladybug_values.py)
        with pytest.raises(nx.CypherTypeError) as exc:
            session.run("RETURN $dt AS dt",
                        dt=DateTime(2024, 2, 29, 13, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))).consume()
        assert exc.value.message.startswith("parameter $dt: DateTime with offset +02:00: LadybugDB keeps no offset")


def test_fifty_thousand_rows_stream_lazily(driver, graph) -> None:
    with driver.session(fetch_size=1000) as session:
        start = graph.rows_fetched
        result = session.run("UNWIND range(1, 50000) AS i RETURN i, 'row ' + CAST(i AS STRING) AS s")
        seen = total = 0
        for record in result:
            seen += 1
            total += record["i"]
            if seen % 5000 == 0:
                ahead = graph.rows_fetched - start - seen
                assert ahead <= 2 * 1000 + BATCH, f"{ahead} rows fetched ahead of the client"
        assert record["s"] == "row 50000"
    assert seen == 50_000 and total == 50_000 * 50_001 // 2
    assert graph.rows_fetched - start == 50_000


def test_result_consumed_partly_then_another_query_in_a_transaction(driver) -> None:
    with driver.session(fetch_size=10) as session, session.begin_transaction() as tx:
        first = tx.run("UNWIND range(1, 100) AS i RETURN i")
        head = [next(first)["i"] for _ in range(3)]
        other = tx.run("RETURN 42 AS x").single()["x"]
        rest = [r["i"] for r in first]
        tx.rollback()
    assert head == [1, 2, 3] and other == 42 and rest == list(range(4, 101))


def test_read_transactions_refuse_writes_and_never_wait(driver, server, people) -> None:
    with driver.session() as session:
        with pytest.raises(nx.ClientError) as exc:
            session.execute_read(lambda tx: tx.run("CREATE (:Person {name: 'Nope'})").consume())
        assert exc.value.code == "Neo.ClientError.Statement.AccessMode"
    with driver.session() as writer, driver.session() as reader:
        tx = writer.begin_transaction()
        tx.run("CREATE (:Person {name: 'Pending'})").consume()
        started = time.monotonic()
        seen = reader.execute_read(lambda t: t.run("MATCH (p:Person {name: 'Pending'}) RETURN count(*) AS n").single()["n"])
        assert seen == 0 and time.monotonic() - started < 2  # snapshot, no waiting
        tx.rollback()
        tx.close()


def test_writers_queue_for_the_single_write_transaction(driver, people) -> None:
    with driver.session() as first, driver.session() as second:
        tx = first.begin_transaction()
        tx.run("CREATE (:Person {name: 'First'})").consume()
        done: list[float] = []

        def other_writer() -> None:
            second.run("CREATE (:Person {name: 'Second'})").consume()
            done.append(time.monotonic())

        thread = threading.Thread(target=other_writer)
        thread.start()
        time.sleep(0.3)
        assert not done, "the second writer should wait for the first transaction"
        committed = time.monotonic()
        tx.commit()
        tx.close()
        thread.join(10)
        assert done and done[0] >= committed
        names = first.run("MATCH (p:Person) WHERE p.name IN ['First', 'Second'] RETURN p.name AS n ORDER BY n")
        assert [r["n"] for r in names] == ["First", "Second"]
        first.run("MATCH (p:Person) WHERE p.name IN ['First', 'Second'] DELETE p").consume()


def test_lock_timeout_is_a_transient_error() -> None:
    graph = LadybugGraph(lock_timeout=0.2)
    graph.execute_script("CREATE NODE TABLE T(id INT64 PRIMARY KEY)")
    try:
        with ServerThread(LadybugSession, graph=graph) as srv, \
                neo4j.GraphDatabase.driver(srv.uri, auth=None) as d, d.session() as a, d.session() as b:
            tx = a.begin_transaction()
            tx.run("CREATE (:T {id: 1})").consume()
            with pytest.raises(nx.TransientError) as exc:
                b.run("CREATE (:T {id: 2})").consume()
            assert exc.value.code == "Neo.TransientError.Transaction.LockAcquisitionTimeout"
            tx.commit()
            tx.close()
            b.run("CREATE (:T {id: 2})").consume()
            assert b.run("MATCH (t:T) RETURN count(*) AS n").single()["n"] == 2
    finally:
        graph.close()


def test_query_timeout(driver) -> None:
    heavy = "UNWIND range(1, 20000) AS i UNWIND range(1, 20000) AS j WITH i, j WHERE i + j = -1 RETURN count(*)"
    with driver.session() as session:
        started = time.monotonic()
        with pytest.raises(nx.ClientError) as exc:
            session.run(neo4j.Query(heavy, timeout=0.1)).consume()
        assert exc.value.code == "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration"
        assert time.monotonic() - started < 5
        assert session.run("RETURN 1 AS x").single()["x"] == 1


def test_wrong_password_and_unknown_database(server, driver) -> None:
    with neo4j.GraphDatabase.driver(server.uri, auth=("neo4j", "wrong")) as d:
        with pytest.raises(nx.AuthError):
            d.verify_connectivity()
    with driver.session(database="elsewhere") as session:
        with pytest.raises(nx.ClientError) as exc:
            session.run("RETURN 1").consume()
        assert exc.value.code == "Neo.ClientError.Database.DatabaseNotFound"
    with driver.session(database="neo4j") as session:
        assert session.run("RETURN 1 AS x").single()["x"] == 1


def test_neo4j_procedures_tools_call(driver) -> None:
    with driver.session() as session:
        component = session.run("CALL dbms.components()").single()
        labels = sorted(r["label"] for r in session.run("CALL db.labels()"))
        types = sorted(r["relationshipType"] for r in session.run("CALL db.relationshipTypes()"))
    assert component["edition"] == "community" and component["versions"]
    assert labels == ["Movie", "Person"] and types == ["ACTED_IN", "KNOWS"]


JS_CHECK = """
import neo4j from "neo4j-driver";
const driver = neo4j.driver(process.argv[process.argv.length - 1], neo4j.auth.basic("neo4j", "secret"));
const s = driver.session();
const out = {};
try {
  const rec = (await s.run("MATCH p = (a:Person {name: 'Ada'})-[r:KNOWS]->(b) RETURN a, r, p")).records[0];
  out.a = [rec.get("a").elementId, rec.get("a").labels, rec.get("a").properties.name];
  out.r = [rec.get("r").type, rec.get("r").startNodeElementId === out.a[0]];
  out.p = rec.get("p").length;
  await s.executeWrite(tx => tx.run("CREATE (:Person {name: $n, age: 3})", {n: "Js"}));
  out.js = (await s.run("MATCH (p:Person {name: 'Js'}) RETURN p.age AS age")).records[0].get("age").toNumber();
  await s.run("MATCH (p:Person {name: 'Js'}) DELETE p");
  try { await s.run("RETURN 1 +"); } catch (e) { out.error = e.code; }
  out.rows = (await s.run("UNWIND range(1, 50000) AS i RETURN i")).records.length;
} finally { await s.close(); await driver.close(); }
console.log(JSON.stringify(out));
"""


def test_javascript_driver(server, people, node) -> None:  # noqa: F811 (the fixture)
    """The official JavaScript driver (installed by test_server_js's ``node`` fixture)."""
    import json

    js_dir = ROOT / "tests" / "js"
    proc = subprocess.run([node, "--input-type=module", "-", server.uri], input=JS_CHECK, cwd=js_dir,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["a"][1:] == [["Person"], "Ada"] and out["r"] == ["KNOWS", True] and out["p"] == 1
    assert out["js"] == 3 and out["error"] == "Neo.ClientError.Statement.SyntaxError"
    assert out["rows"] == 50_000


# -- async clients on the test's own loop --------------------------------------------------


async def test_async_driver_and_asyncbolt_client_concurrently() -> None:
    graph = LadybugGraph()
    graph.execute_script("CREATE NODE TABLE N(id INT64 PRIMARY KEY, label STRING)")
    server = await asyncbolt.serve(LadybugSession, "127.0.0.1", 0, graph=graph)
    uri = f"bolt://127.0.0.1:{server.port}"
    try:
        async with server:
            async with neo4j.AsyncGraphDatabase.driver(uri, auth=None) as d:
                async def write(tx, i):
                    await (await tx.run("CREATE (:N {id: $i, label: $l})", i=i, l=f"n{i}")).consume()

                async def writer(i):
                    async with d.session() as session:
                        await session.execute_write(write, i)

                await asyncio.gather(*(writer(i) for i in range(8)))

                async def reader():
                    async with d.session() as session:
                        result = await session.run("UNWIND range(1, 20000) AS i RETURN i")
                        return sum([r["i"] async for r in result])

                ticks = 0

                async def ticker():  # the event loop keeps running while Ladybug works
                    nonlocal ticks
                    for _ in range(20):
                        await asyncio.sleep(0.005)
                        ticks += 1

                sums = await asyncio.gather(reader(), reader(), ticker())
                assert sums[:2] == [20000 * 20001 // 2] * 2 and ticks == 20

            async with asyncbolt.connect(uri) as conn:
                result = await conn.run("MATCH (n:N) RETURN n.id AS id ORDER BY id")
                assert [r["id"] async for r in result] == list(range(8))
                async with conn.begin() as tx:
                    await tx.run("CREATE (:N {id: 100, label: 'tx'})")
                assert tx.bookmark and tx.bookmark.startswith("ladybug:")
                node = await (await conn.run("MATCH (n:N {id: 100}) RETURN n")).single()
                assert node["n"].labels == ["N"] and node["n"].properties == {"id": 100, "label": "tx"}
                with pytest.raises(asyncbolt.ClientError) as exc:
                    await (await conn.run("RETURN 1 +")).consume()
                assert exc.value.code == "Neo.ClientError.Statement.SyntaxError"
                # RESET interrupts a running query; the connection stays usable.
                heavy = await conn.run("UNWIND range(1, 30000) AS i UNWIND range(1, 30000) AS j "
                                       "WITH i, j WHERE i + j = -1 RETURN count(*)")
                await asyncio.sleep(0.1)
                started = time.monotonic()
                await conn.reset()
                with pytest.raises(asyncbolt.BoltError):
                    await heavy.consume()
                assert (await (await conn.run("RETURN 7 AS x")).single())["x"] == 7
                assert time.monotonic() - started < 3
    finally:
        graph.close()


async def test_a_client_that_vanishes_mid_transaction_frees_the_writer() -> None:
    from asyncbolt.codec.messages import Begin, Hello, Pull, Run

    from .rawbolt import RawBolt

    graph = LadybugGraph(lock_timeout=3)
    graph.execute_script("CREATE NODE TABLE N(id INT64 PRIMARY KEY)")
    server = await asyncbolt.serve(LadybugSession, "127.0.0.1", 0, graph=graph)
    try:
        async with server:
            bolt = await RawBolt.connect(server.port)
            assert await bolt.handshake((4, 4)) == (4, 4)
            await bolt.send(Hello({"user_agent": "t/1", "scheme": "none"}), Begin({}),
                            Run("CREATE (:N {id: 1})", {}, {}), Pull({"n": -1}))
            replies = [(await bolt.recv(timeout=5)).name for _ in range(4)]
            assert replies == ["SUCCESS"] * 4
            bolt.abort()  # no COMMIT, no ROLLBACK, no GOODBYE
            async with asyncbolt.connect(f"bolt://127.0.0.1:{server.port}") as conn:
                started = time.monotonic()
                await (await conn.run("CREATE (:N {id: 2})")).consume()
                assert time.monotonic() - started < 2
                ids = [r["id"] async for r in await conn.run("MATCH (n:N) RETURN n.id AS id")]
                assert ids == [2]
    finally:
        graph.close()


# -- the command ---------------------------------------------------------------------------


def _serve(*args: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "asyncbolt", "serve", "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env=dict(os.environ, PYTHONUNBUFFERED="1"))
    line = proc.stdout.readline()
    match = re.search(r"bolt://\S+", line)
    if not match:
        proc.kill()
        raise AssertionError(f"no address in {line!r}; stderr: {proc.stderr.read()}")
    return proc, match.group()


def _stop(proc: subprocess.Popen) -> tuple[int, str]:
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=20)
    return proc.returncode, out


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a subprocess")
def test_serve_command_on_disk_survives_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "graph.lbdb")
    init = tmp_path / "schema.cypher"
    init.write_text("CREATE NODE TABLE City(name STRING PRIMARY KEY, population INT64);\n"
                    "CREATE (:City {name: 'Lyon', population: 522000});\n")
    proc, uri = _serve("--db", db, "--auth", "admin:pw", "--init", str(init))
    try:
        with neo4j.GraphDatabase.driver(uri, auth=("admin", "pw")) as d, d.session() as s:
            s.execute_write(lambda tx: tx.run("CREATE (:City {name: 'Graz', population: 291000})").consume())
    finally:
        code, out = _stop(proc)
    assert code == 0 and "asyncbolt serve: stopped" in out
    proc, uri = _serve("--db", db, "--auth", "admin:pw")
    try:
        with neo4j.GraphDatabase.driver(uri, auth=("admin", "pw")) as d, d.session() as s:
            names = [r["name"] for r in s.run("MATCH (c:City) RETURN c.name AS name ORDER BY name")]
    finally:
        code, _ = _stop(proc)
    assert names == ["Graz", "Lyon"] and code == 0


def test_serve_command_reports_a_taken_port() -> None:
    with ServerThread(LadybugSession, graph=LadybugGraph()) as srv:
        proc = subprocess.run([sys.executable, "-m", "asyncbolt", "serve", "--port", str(srv.port)],
                              capture_output=True, text=True, timeout=30, cwd=ROOT)
    assert proc.returncode == 1 and "asyncbolt serve:" in proc.stderr


async def test_at_most_max_running_queries_execute_at_once() -> None:
    """Ladybug keeps resident every buffer-pool page it ever had in use at once, and each
    running query takes some: the graph lets only ``max_running`` of them execute at once."""
    graph = LadybugGraph(max_running=2)
    try:
        with ServerThread(LadybugSession, graph=graph) as srv:
            async with neo4j.AsyncGraphDatabase.driver(srv.uri, auth=AUTH,
                                                       max_connection_pool_size=20) as d:
                async def one(w: int) -> int:
                    async with d.session() as session:
                        result = await session.run(
                            "UNWIND range(1, 20000) AS i RETURN sum(i) + $w AS s", w=w)
                        return (await result.single())["s"]

                sums = await asyncio.gather(*(one(w) for w in range(20)))
        assert sums == [200_010_000 + w for w in range(20)]
        assert graph.running == 0
        assert 1 <= graph.peak_running <= 2
    finally:
        graph.close()
    with pytest.raises(ValueError, match="max_running"):
        LadybugGraph(max_running=0)
