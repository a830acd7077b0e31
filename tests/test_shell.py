"""``asyncbolt query`` and ``asyncbolt shell`` against ``asyncbolt serve``'s LadybugDB backend."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from asyncbolt.codec.structures import (
    Date,
    DateTime,
    Duration,
    LocalDateTime,
    Node,
    Relationship,
    UnboundRelationship,
)
from asyncbolt.codec.structures import Path as BoltPath
from asyncbolt.tools.shell import (
    format_value,
    main_query,
    main_shell,
    parse_param,
    split_statements,
    to_json,
)

from .sessions import ServerThread

pytest.importorskip("ladybug")

from asyncbolt.tools.backends.ladybug import LadybugGraph, LadybugSession  # noqa: E402

AUTH = ["--user", "neo4j", "--password", "pw"]
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def server():
    graph = LadybugGraph()
    graph.execute_script(
        "CREATE NODE TABLE Person(name STRING PRIMARY KEY, age INT64);"
        "CREATE REL TABLE KNOWS(FROM Person TO Person, since INT64);"
        "CREATE (:Person {name: 'Ada', age: 36}), (:Person {name: 'Alan', age: 41});"
        "MATCH (a:Person {name: 'Ada'}), (b:Person {name: 'Alan'}) CREATE (a)-[:KNOWS {since: 1843}]->(b);")
    with ServerThread(LadybugSession, graph=graph, auth=("neo4j", "pw")) as srv:
        yield srv
    graph.close()


def query(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main_query(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def shell(uri: str, script: str, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main_shell([uri, *argv], stdin=io.StringIO(script), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


# -- asyncbolt query ----------------------------------------------------------------------


def test_query_prints_a_table(server) -> None:
    code, out, err = query(server.uri, "MATCH (p:Person) RETURN p.name AS name, p.age AS age ORDER BY name", *AUTH)
    assert code == 0, err
    assert out == (
        "+--------------+\n"
        "| name   | age |\n"
        "+--------------+\n"
        '| "Ada"  | 36  |\n'
        '| "Alan" | 41  |\n'
        "+--------------+\n"
        "\n"
        "2 rows\n")


def test_query_parameters_and_graph_values(server) -> None:
    code, out, err = query(server.uri, "MATCH p = (a:Person {name: $name})-[r:KNOWS]->(b) WHERE r.since > $after "
                           "RETURN a, r, p", "--param", "name=Ada", "--param", "after=1800", *AUTH)
    assert code == 0, err
    assert '(:Person {name: "Ada", age: 36})' in out
    assert "[:KNOWS {since: 1843}]" in out
    assert '(:Person {name: "Ada", age: 36})-[:KNOWS {since: 1843}]->(:Person {name: "Alan", age: 41})' in out
    assert out.endswith("1 row\n")


def test_query_json_and_csv(server) -> None:
    code, out, _ = query(server.uri, "MATCH (p:Person) RETURN p.name AS name, p, [1, 2] AS l ORDER BY name",
                         "--format", "json", *AUTH)
    assert code == 0
    rows = json.loads(out)
    assert [r["name"] for r in rows] == ["Ada", "Alan"] and rows[0]["l"] == [1, 2]
    assert rows[0]["p"]["labels"] == ["Person"] and rows[0]["p"]["properties"] == {"name": "Ada", "age": 36}
    assert rows[0]["p"]["element_id"] == "0:0"
    code, out, _ = query(server.uri, "MATCH (p:Person) RETURN p.name AS name, p.age AS age, [p.name] AS l "
                         "ORDER BY name", "--format", "csv", *AUTH)
    assert code == 0
    assert out == 'name,age,l\nAda,36,"[""Ada""]"\nAlan,41,"[""Alan""]"\n'
    code, out, _ = query(server.uri, "MATCH (p:Person) WHERE p.age > 100 RETURN p", "--format", "json", *AUTH)
    assert code == 0 and json.loads(out) == []


def test_query_errors_and_credentials_from_the_environment(server, monkeypatch) -> None:
    code, out, err = query(server.uri, "RETURN 1 +", *AUTH)
    assert code == 1 and out == ""
    assert "Neo.ClientError.Statement.SyntaxError" in err
    code, _, err = query(server.uri, "RETURN 1", "--user", "neo4j", "--password", "wrong")
    assert code == 1 and "Neo.ClientError.Security.Unauthorized" in err
    monkeypatch.setenv("NEO4J_USER", "neo4j")
    monkeypatch.setenv("NEO4J_PASSWORD", "pw")
    code, out, err = query(server.uri, "RETURN 'env' AS how")
    assert code == 0 and '"env"' in out, err
    code, _, err = query("bolt://127.0.0.1:1", "RETURN 1")
    assert code == 1 and "cannot connect" in err


def test_the_asyncbolt_command_runs_query(server) -> None:
    proc = subprocess.run([sys.executable, "-m", "asyncbolt", "query", server.uri,
                           "MATCH (p:Person {name: $n}) RETURN p.age AS age", "-P", "n=Alan",
                           "--format", "csv", *AUTH],
                          capture_output=True, text=True, timeout=60, cwd=ROOT,
                          env={k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "age\n41\n"


# -- asyncbolt shell ----------------------------------------------------------------------


def test_shell_script(server) -> None:
    script = (
        ":param min=40\n"
        "MATCH (p:Person)\n"
        "WHERE p.age > $min\n"
        "RETURN p.name AS name;\n"
        ":begin\n"
        "CREATE (:Person {name: 'Grace', age: 85});\n"
        "MATCH (p:Person) RETURN count(*) AS inside;\n"
        ":rollback\n"
        "MATCH (p:Person) RETURN count(*) AS after; RETURN 'a;b' AS s; // a comment; still fine\n"
        ":param who=\"Ada\"\n"
        ":params\n"
        ":format json\n"
        "MATCH (p:Person {name: $who}) RETURN p.age AS age;\n"
        ":exit\n"
        "RETURN 'never' AS x;\n")
    code, out, err = shell(server.uri, script, *AUTH)
    assert code == 0, err
    assert '| "Alan" |' in out and '"Ada"  |' not in out.split("inside")[0]
    assert "| inside |\n+--------+\n| 3      |" in out
    assert "rolled back" in out
    assert "| after |\n+-------+\n| 2     |" in out
    assert '| "a;b" |' in out
    assert ':param min => 40\n:param who => "Ada"' in out
    assert '{"age": 36}' in out
    assert "never" not in out


def test_shell_commits_and_stops_at_the_first_error(server) -> None:
    code, out, err = shell(server.uri, ":begin\nCREATE (:Person {name: 'Tmp', age: 1});\n:commit\n"
                           "MATCH (p:Person {name: 'Tmp'}) DELETE p;\n"
                           "RETURN 1 +;\nRETURN 'after the error' AS x;\n", *AUTH)
    assert code == 1
    assert "committed (bookmark ladybug:" in out
    assert "Neo.ClientError.Statement.SyntaxError" in err
    assert "after the error" not in out
    code, out, err = shell(server.uri, ":begin\nCREATE (:Person {name: 'Ada'});\n", *AUTH)
    assert code == 1 and "ConstraintValidationFailed" in err and "rolled back" in err
    code, _, err = shell(server.uri, ":nonsense\n", *AUTH)
    assert code == 1 and "unknown command" in err
    code, out, err = shell(server.uri, "RETURN 5 AS five", *AUTH)  # the last statement needs no ';'
    assert code == 0 and "| 5    |" in out


# -- helpers -------------------------------------------------------------------------------


def test_split_statements() -> None:
    assert split_statements("RETURN 1; RETURN 'a;b'; // x; y\nRETURN \"c\\\";\" ;RETURN") == (
        ["RETURN 1", "RETURN 'a;b'", "// x; y\nRETURN \"c\\\";\""], "RETURN")
    assert split_statements("MATCH (n)\n/* ; */ RETURN n") == ([], "MATCH (n)\n/* ; */ RETURN n")
    assert split_statements("RETURN `a;b`;") == (["RETURN `a;b`"], "")


def test_parse_param() -> None:
    assert parse_param("n=3") == ("n", 3)
    assert parse_param("name=Ada") == ("name", "Ada")
    assert parse_param('l=[1, "x"]') == ("l", [1, "x"])
    assert parse_param("m => {\"a\": null}") == ("m", {"a": None})
    assert parse_param("s=") == ("s", "")
    with pytest.raises(ValueError):
        parse_param("novalue")


def test_format_value_is_cypher_like() -> None:
    a = Node(1, ["Person"], {"name": "Ada"}, "0:1")
    b = Node(2, ["Person"], {}, "0:2")
    rel = UnboundRelationship(7, "KNOWS", {"since": 1843}, "2:7")
    assert format_value(None) == "NULL" and format_value(True) == "TRUE" and format_value(1.5) == "1.5"
    assert format_value({"a b": [1, "x"]}) == '{`a b`: [1, "x"]}'
    assert format_value(a) == '(:Person {name: "Ada"})'
    assert format_value(Relationship(7, 1, 2, "KNOWS", {}, "2:7", "0:1", "0:2")) == "[:KNOWS]"
    assert format_value(BoltPath([a, b], [rel], [-1, 1])) == '(:Person {name: "Ada"})<-[:KNOWS {since: 1843}]-(:Person)'
    assert format_value(Date.from_native(dt.date(2024, 2, 29))) == "2024-02-29"
    assert format_value(LocalDateTime(0, 5000)) == "1970-01-01T00:00:00.000005"
    assert format_value(DateTime(3600, 0, 7200)) == "1970-01-01T03:00:00+02:00"
    assert format_value(Duration(14, 3, 3723, 500_000_000)) == "P1Y2M3DT1H2M3.5S"
    assert format_value(Duration(0, 0, 0, 0)) == "PT0S"
    assert format_value(b"\x01\xff") == "0x01ff"
    path = to_json(BoltPath([a, b], [rel], [-1, 1]))
    assert path["relationships"][0]["start"] == "0:2" and path["relationships"][0]["end"] == "0:1"
