"""Code written for the official driver's async API runs on asyncbolt changed in two lines: the
import and the driver's constructor (issue #18, "Done when"; README "Migrating from the official
driver").

``SCRIPT`` is written for ``neo4j.AsyncGraphDatabase`` (neo4j 5.x/6.x): execute_query with
``routing_``, ``database_`` and ``result_transformer_``, sessions, explicit transactions,
``execute_read``/``execute_write`` with a function, Result ``peek``/``single``/``value``/
``values``/``data``/``graph``/``to_eager_result``/``to_df``, summary counters, bookmarks and errors. It runs
once as written with the official driver and once with exactly ``IMPORT`` and ``CONSTRUCTOR``
replaced, each against a fresh ``asyncbolt serve`` (LadybugDB in memory) on 127.0.0.1, and both
must print the same lines. The rest checks the pieces of asyncbolt's API that make that so."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import asyncbolt
from asyncbolt.client import names

from .sessions import NODE, REL, EchoSession, Recorder

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120

#: The two lines that change, official → asyncbolt (README's migration table shows the same).
IMPORT = ("import neo4j, neo4j.exceptions as errors",
          "import asyncbolt as neo4j, asyncbolt.errors as errors")
CONSTRUCTOR = ("driver = neo4j.AsyncGraphDatabase.driver(URI, auth=AUTH)",
               "driver = neo4j.Driver(URI, auth=AUTH)")

SCHEMA = """CREATE NODE TABLE Person(name STRING PRIMARY KEY, born INT64);
CREATE REL TABLE KNOWS(FROM Person TO Person, since INT64);"""

SCRIPT = '''\
import asyncio
import functools
import os

import neo4j, neo4j.exceptions as errors

URI = os.environ["MIGRATION_URI"]


async def current_credentials():
    return ("neo4j", "pw")  # (from a secrets store, say: asked again when the server refuses them)

AUTH = neo4j.auth_management.AsyncAuthManagers.basic(current_credentials)


async def add_person(tx, name, born):
    result = await tx.run("CREATE (p:Person {name: $name, born: $born}) RETURN p.name AS name",
                          name=name, born=born)
    record = await result.single()
    return record["name"]


@neo4j.unit_of_work(timeout=5, metadata={"app": "migration"})
async def people(tx: neo4j.AsyncManagedTransaction, since):
    result = await tx.run("MATCH (p:Person) WHERE p.born >= $since RETURN p.name AS name, p.born AS born "
                          "ORDER BY born", since=since)
    return await result.data()


async def names(result: neo4j.AsyncResult):
    return [record["name"] async for record in result]


async def main():
    driver = neo4j.AsyncGraphDatabase.driver(URI, auth=AUTH)
    async with driver:
        await driver.verify_connectivity()
        # the credentials: the driver's auth manager; a query's and a session's own
        print("auth", await driver.verify_authentication(),
              await driver.verify_authentication(neo4j.basic_auth("neo4j", "wrong")))
        records, _, _ = await driver.execute_query("RETURN 1 AS one", database_="neo4j",
                                                   auth_=("neo4j", "pw"))
        print("query auth", records[0]["one"])
        async with driver.session(database="neo4j", auth=neo4j.basic_auth("neo4j", "pw")) as session:
            print("session auth", (await (await session.run("RETURN 2 AS two")).single())["two"])

        # execute_query: the driver's own bookmark manager chains these calls
        records, summary, keys = await driver.execute_query(
            "CREATE (p:Person {name: $name, born: $born}) RETURN p.name AS name",
            {"name": "Ada"}, born=1815, database_="neo4j")
        print("created", [r["name"] for r in records], keys, summary.counters.nodes_created,
              summary.counters.properties_set, summary.counters.contains_updates)
        records, summary, keys = await driver.execute_query(
            neo4j.Query("MATCH (p:Person) RETURN p.name AS name, p.born AS born", timeout=10),
            routing_=neo4j.RoutingControl.READ, database_="neo4j")
        print("read", [r.data() for r in records], keys, summary.query_type, summary.database)
        eager = await driver.execute_query("MATCH (p:Person) RETURN p.name AS name",
                                           routing_="r", database_="neo4j")
        print("eager", eager.keys, [r.values() for r in eager.records])
        total = await driver.execute_query("MATCH (p:Person) RETURN count(p) AS n", database_="neo4j",
                                           result_transformer_=neo4j.AsyncResult.single)
        print("single transformer", total["n"], total.value(), total.get("n"), total.keys())
        listed = await driver.execute_query("MATCH (p:Person) RETURN p.name AS name", database_="neo4j",
                                            result_transformer_=names)
        print("custom transformer", listed)
        frame = await driver.execute_query("MATCH (p:Person) RETURN p.name AS name, p.born AS born, p",
                                           database_="neo4j", result_transformer_=neo4j.AsyncResult.to_df)
        print("to_df", list(frame.columns), frame["name"].tolist(), frame["born"].tolist(), str(frame["born"].dtype),
              frame["p"][0]["name"])
        to_df_expanded = functools.partial(neo4j.AsyncResult.to_df, expand=True, parse_dates=True)
        frame = await driver.execute_query("MATCH (p:Person) RETURN p", database_="neo4j",
                                           result_transformer_=to_df_expanded)
        print("to_df expand", list(frame.columns), frame["p().prop.born"].tolist(), list(frame["p().labels"]))

        # sessions and explicit transactions
        async with driver.session(database="neo4j") as session:
            print("write", await session.execute_write(add_person, "Alan", 1912))
            print("write", await session.execute_write(add_person, "Grace", 1906))
            print("read", await session.execute_read(people, 1900))
            tx = await session.begin_transaction(timeout=5, metadata={"step": 1})
            result = await tx.run("MATCH (a:Person {name: $a}), (b:Person {name: $b}) "
                                  "CREATE (a)-[k:KNOWS {since: 1950}]->(b) RETURN a, k, b", a="Alan", b="Grace")
            graph = await result.graph()
            print("graph", sorted(n["name"] for n in graph.nodes), [r.type for r in graph.relationships],
                  [(r["since"], r.get("until"), "since" in r, dict(r.items())) for r in graph.relationships])
            summary = await result.consume()
            print("consumed", summary.counters.relationships_created, summary.counters.properties_set)
            await tx.commit()
            print("bookmarks after commit", bool(await session.last_bookmarks()))
            async with await session.begin_transaction() as tx:
                result = await tx.run("MATCH (p:Person) RETURN p.name AS name ORDER BY name")
                print("peek", (await result.peek())["name"])
                print("fetch", [r["name"] for r in await result.fetch(1)])
                print("value", await result.value())
                print("after", await result.peek())
                await tx.rollback()
            result = await session.run("MATCH (p:Person) RETURN p.name AS name, p.born AS born ORDER BY born")
            print("keys", result.keys())
            print("data", await result.data("name"))
            summary = await result.consume()
            print("summary", summary.query.split(" ")[0], summary.query_type, summary.counters.contains_updates,
                  summary.server.agent.startswith("Neo4j/"), tuple(summary.server.protocol_version) >= (4, 0),
                  summary.server.address.port == int(URI.rsplit(":", 1)[1]),
                  isinstance(summary.result_available_after, int), isinstance(summary.result_consumed_after, int))
            result = await session.run("MATCH (p:Person {name: $name}) RETURN p", name="Ada")
            record = await result.single(strict=True)
            node = record["p"]
            print("node", sorted(node.labels), node["name"], node.get("born"), sorted(node.keys()), "born" in node,
                  dict(node.items()) == {"name": "Ada", "born": 1815}, isinstance(node.element_id, str))
            result = await session.run("UNWIND [1, 2, 3] AS x RETURN x, x * x AS y")
            print("values", await result.values("y"))
            result = await session.run("UNWIND [1, 2, 3] AS x RETURN x, x * x AS y")
            eager = await result.to_eager_result()
            print("to_eager", eager.keys, [r.items() for r in eager.records])
            try:
                result = await session.run("RETURN 1 AS x UNION ALL RETURN 2 AS x")
                await result.single(strict=True)
            except errors.ResultNotSingleError as exc:
                print("not single", type(exc).__name__)
            try:
                await session.run("THIS IS NOT CYPHER")
            except errors.ClientError as exc:
                print("client error", exc.code, isinstance(exc, errors.Neo4jError))
            result = await session.run("RETURN 1 AS x")
            await result.consume()
            try:
                await result.data()
            except errors.ResultConsumedError as exc:
                print("consumed error", type(exc).__name__)
            bookmarks = await session.last_bookmarks()
        async with driver.session(database="neo4j", bookmarks=bookmarks,
                                  default_access_mode=neo4j.READ_ACCESS) as session:
            result = await session.run("MATCH (:Person)-[k:KNOWS]->(:Person) RETURN count(k) AS n")
            print("bookmarked read", (await result.single())["n"])
        # notification filters (sent in BEGIN/RUN on Bolt 5.2+) and the typed statuses
        async with driver.session(database="neo4j", notifications_min_severity="WARNING",
                                  notifications_disabled_classifications=["HINT", "GENERIC"]) as session:
            result = await session.run("MATCH (p:Person) RETURN count(p) AS n")
            summary = await result.consume()
            print("statuses", [(s.gql_status, s.is_notification) for s in summary.gql_status_objects],
                  len(summary.summary_notifications))


asyncio.run(main())
'''

#: What the script prints (the official driver's output): the run with asyncbolt must match it,
#: and this pins it so that a change of either side is seen.
EXPECTED = """\
auth True False
query auth 1
session auth 2
created ['Ada'] ['name'] 1 2 True
read [{'name': 'Ada', 'born': 1815}] ['name', 'born'] r neo4j
eager ['name'] [['Ada']]
single transformer 1 1 1 ['n']
custom transformer ['Ada']
to_df ['name', 'born', 'p'] ['Ada'] [1815] int64 Ada
to_df expand ['p().element_id', 'p().labels', 'p().prop.name', 'p().prop.born'] [1815] [frozenset({'Person'})]
write Alan
write Grace
read [{'name': 'Grace', 'born': 1906}, {'name': 'Alan', 'born': 1912}]
graph ['Alan', 'Grace'] ['KNOWS'] [(1950, None, True, {'since': 1950})]
consumed 1 1
bookmarks after commit True
peek Ada
fetch ['Ada']
value ['Alan', 'Grace']
after None
keys ['name', 'born']
data [{'name': 'Ada'}, {'name': 'Grace'}, {'name': 'Alan'}]
summary MATCH r False True True True True True
node ['Person'] Ada 1815 ['born', 'name'] True True True
values [[1], [4], [9]]
to_eager ['x', 'y'] [[('x', 1), ('y', 1)], [('x', 2), ('y', 4)], [('x', 3), ('y', 9)]]
not single ResultNotSingleError
client error Neo.ClientError.Statement.SyntaxError True
consumed error ResultConsumedError
bookmarked read 1
statuses [('00000', False)] 0
"""


def ported(script: str) -> str:
    """``script`` with exactly the import and the constructor lines replaced."""
    out = script
    for official, ours in (IMPORT, CONSTRUCTOR):
        assert sum(line.strip() == official for line in script.splitlines()) == 1, official
        out = out.replace(official, ours)
    changed = [(a, b) for a, b in zip(script.splitlines(), out.splitlines(), strict=True) if a != b]
    assert len(changed) == 2
    return out


def run_against_fresh_server(code: str) -> subprocess.CompletedProcess:
    from asyncbolt.testing import RunningServer
    from asyncbolt.tools.backends.ladybug import LadybugSession

    shared = LadybugSession.open_shared(None, auth=("neo4j", "pw"))
    shared["graph"].execute_script(SCHEMA)
    with RunningServer(LadybugSession, on_close=lambda: LadybugSession.close_shared(shared), **shared) as server:
        env = dict(os.environ, PYTHONPATH=str(ROOT), MIGRATION_URI=f"neo4j://127.0.0.1:{server.port}")
        return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)


def test_the_port_changes_two_lines() -> None:
    code = ported(SCRIPT)
    assert "AsyncGraphDatabase" not in code and "neo4j.exceptions" not in code
    compile(code, "<ported>", "exec")


@pytest.mark.parametrize("driver", ["neo4j", "asyncbolt"])
def test_the_script_prints_the_same_with_either_driver(driver: str) -> None:
    pytest.importorskip("ladybug", reason="the test serves LadybugDB (pip install 'asyncbolt[serve]')")
    pytest.importorskip("pandas", reason="the script calls to_df (pip install 'asyncbolt[pandas]')")
    if driver == "neo4j" and importlib.util.find_spec("neo4j") is None:
        pytest.skip("the official driver (neo4j) is not installed")
    done = run_against_fresh_server(SCRIPT if driver == "neo4j" else ported(SCRIPT))
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert done.stdout.splitlines() == EXPECTED.splitlines()


# -------------------------------------------------------------------------------------------
# The pieces: what asyncbolt changed to run that script


@pytest.fixture
async def server():
    recorder = Recorder()
    async with await asyncbolt.serve(EchoSession, "127.0.0.1", 0, recorder=recorder) as srv:
        srv.recorder = recorder
        yield srv


@pytest.fixture
async def driver(server):
    async with asyncbolt.Driver(f"bolt://127.0.0.1:{server.port}", auth=("neo4j", "pw")) as d:
        yield d


def test_the_official_names_are_asyncbolts_classes() -> None:
    from asyncbolt.client.result import Result

    assert asyncbolt.AsyncResult is Result
    assert asyncbolt.AsyncDriver is asyncbolt.Driver
    assert asyncbolt.AsyncSession is asyncbolt.Session
    assert asyncbolt.AsyncTransaction is asyncbolt.SessionTransaction
    assert asyncbolt.AsyncManagedTransaction is asyncbolt.ManagedTransaction
    assert asyncbolt.ResultSummary is asyncbolt.Summary
    assert asyncbolt.SummaryCounters is asyncbolt.client.Counters
    assert (asyncbolt.READ_ACCESS, asyncbolt.WRITE_ACCESS) == ("READ", "WRITE")
    assert set(names.__all__) <= set(asyncbolt.__all__)


async def test_session_run_raises_a_refused_query_and_knows_its_keys(driver) -> None:
    async with driver.session() as session:
        with pytest.raises(asyncbolt.ClientError) as info:
            await session.run("FAIL")
        assert info.value.code == "Neo.ClientError.Statement.SyntaxError"
        result = await session.run("ECHO", {"a": 1, "b": 2})
        keys = result.keys()
        assert keys == ["a", "b"] and isinstance(keys, list)
        assert await result.keys() == ["a", "b"]  # asyncbolt's earlier form still works
        assert (await result.single()).values() == [1, 2]


async def test_keys_before_the_run_answer_are_awaited_not_read(server) -> None:
    async with asyncbolt.connect(f"bolt://127.0.0.1:{server.port}", auth=("neo4j", "pw")) as conn:
        result = await conn.run("ECHO", {"x": 1})  # pipelined: RUN's answer not yet read
        pending = result.keys()
        with pytest.raises(TypeError, match="await result.keys"):
            list(pending)
        with pytest.raises(TypeError, match="await result.keys"):
            pending[0]
        assert "await" in repr(pending)
        assert await pending == ["x"]
        assert result.keys() == ["x"]
        assert await result.values() == [[1]]


async def test_single_strict_raises_result_not_single(driver) -> None:
    async with driver.session() as session:
        result = await session.run("STREAM 2")
        with pytest.raises(asyncbolt.ResultNotSingleError) as info:
            await result.single(strict=True)
        assert isinstance(info.value, asyncbolt.ClientError)
        assert info.value.code == "Neo.ClientError.Statement.ResultNotSingle"
        result = await session.run("STREAM 2")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert (await result.single())["i"] == 0


@pytest.mark.parametrize("official, ours", [("database", "db"), ("impersonated_user", "imp_user")])
async def test_session_takes_the_official_option_names(driver, server, official: str, ours: str) -> None:
    session = driver.session(**{official: "x"})
    assert getattr(session, f"_{ours}") == "x"
    await session.close()
    same = driver.session(**{official: "x", ours: "x"})
    await same.close()
    with pytest.raises(ValueError, match=f"{ours}='y' and {official}='x'"):
        driver.session(**{official: "x", ours: "y"})


def test_nodes_and_relationships_read_properties_as_the_official_ones() -> None:
    assert NODE["name"] == NODE.properties["name"] and NODE.get("missing", 7) == 7
    assert "name" in NODE and "missing" not in NODE
    assert list(NODE.keys()) == list(NODE.properties) and list(NODE.values()) == list(NODE.properties.values())
    assert dict(REL.items()) == REL.properties
    with pytest.raises(KeyError):
        NODE["missing"]
    assert list(NODE) == [NODE.id, NODE.labels, NODE.properties, NODE.element_id]  # still its fields
