"""``asyncbolt serve`` reports what a write changed (issue #18, "The first hour"): the summary's
counters from LadybugDB (counted before and after the statement), and ``asyncbolt query`` words
them as cypher-shell does ("Added 1 nodes, Set 1 properties, Added 1 labels")."""

from __future__ import annotations

import io
from typing import Any

import neo4j
import pytest

from asyncbolt.tools.shell import describe_counters, main_query

SCHEMA = ("CREATE NODE TABLE X(id SERIAL PRIMARY KEY);"
          "CREATE NODE TABLE Person(name STRING PRIMARY KEY, born INT64);"
          "CREATE REL TABLE KNOWS(FROM Person TO Person, since INT64);")


@pytest.fixture
def db(ladybug_server: Any) -> Any:
    ladybug_server.graph.execute_script(SCHEMA)
    return ladybug_server


def counters(driver: neo4j.Driver, query: str, **params: Any) -> dict[str, Any]:
    with driver.session() as session:
        summary = session.run(query, params).consume()
    c = summary.counters
    return {name: getattr(c, name) for name in (
        "nodes_created", "nodes_deleted", "relationships_created", "relationships_deleted",
        "properties_set", "labels_added") if getattr(c, name)} | (
        {"contains_updates": True} if c.contains_updates else {})


def test_the_official_driver_sees_the_counters_of_each_write(db: Any) -> None:
    with neo4j.GraphDatabase.driver(db.uri, auth=("neo4j", "pw")) as driver:
        assert counters(driver, "CREATE (:X)") == {
            "nodes_created": 1, "labels_added": 1, "contains_updates": True}
        assert counters(driver, "UNWIND $people AS p CREATE (:Person {name: p.name, born: p.born})",
                        people=[{"name": "Ada", "born": 1815}, {"name": "Alan", "born": None}]) == {
            "nodes_created": 2, "labels_added": 2, "properties_set": 3, "contains_updates": True}
        assert counters(driver, "MATCH (a:Person {name: 'Ada'}), (b:Person {name: 'Alan'}) "
                                "CREATE (a)-[:KNOWS {since: 1840}]->(b)") == {
            "relationships_created": 1, "properties_set": 1, "contains_updates": True}
        assert counters(driver, "MATCH (p:Person {name: 'Alan'}) SET p.born = 1912") == {
            "properties_set": 1, "contains_updates": True}
        assert counters(driver, "MATCH (p:Person) RETURN p.name") == {}
        assert counters(driver, "MATCH (p:Person) DETACH DELETE p") == {
            "nodes_deleted": 2, "relationships_deleted": 1, "contains_updates": True}


def test_a_write_in_a_transaction_is_counted_and_rolled_back_ones_leave_nothing(db: Any) -> None:
    with neo4j.GraphDatabase.driver(db.uri, auth=("neo4j", "pw")) as driver, driver.session() as session:
        with session.begin_transaction() as tx:
            first = tx.run("CREATE (:X) RETURN 1 AS one")
            assert first.single()["one"] == 1
            assert first.consume().counters.nodes_created == 1
            second = tx.run("CREATE (:X), (:X)").consume()
            assert second.counters.nodes_created == 2  # this statement's, not the transaction's
            tx.rollback()
        with session.begin_transaction() as tx:
            assert tx.run("CREATE (:X)").consume().counters.nodes_created == 1
            tx.commit()
        records = session.run("MATCH (x:X) RETURN count(x) AS n").single()
        assert records["n"] == 1


def test_asyncbolt_query_says_what_changed(db: Any) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main_query([db.uri, "CREATE (:Person {name: 'Ada', born: 1815})"], stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    assert out.getvalue() == "0 rows\nAdded 1 nodes, Set 2 properties, Added 1 labels\n"
    out = io.StringIO()
    assert main_query([db.uri, "MATCH (p:Person) RETURN p.name AS name"], stdout=out, stderr=err) == 0
    assert out.getvalue().endswith("1 row\n")  # a read: no line of changes
    out = io.StringIO()
    assert main_query([db.uri, "MATCH (p:Person) DELETE p", "--format", "json"], stdout=out, stderr=err) == 0
    assert out.getvalue() == "[]\n"  # json stays data only


def test_describe_counters_words_them_as_cypher_shell() -> None:
    class C:
        nodes_created = 2
        relationships_created = 1
        properties_set = 3
        labels_added = 2
        nodes_deleted = relationships_deleted = labels_removed = 0
    assert describe_counters(C()) == "Added 2 nodes, Created 1 relationships, Set 3 properties, Added 2 labels"
    assert describe_counters(None) == ""
