"""The official driver's everyday API (issue #18): ``Driver.execute_query`` and ``EagerResult``,
``RoutingControl``, ``Query`` objects, the Result's ``to_eager_result``/``peek``/``value``/
``single(strict=)``/``graph``, ``get_server_info``, ``supports_multi_db`` and
``verify_authentication``, against asyncbolt's own server; and the same script against the
official driver (``neo4j.AsyncGraphDatabase``) for the shapes."""

from __future__ import annotations

import socket
import warnings
from typing import Any

import pytest

import asyncbolt
from asyncbolt import EagerResult, Query, RoutingControl
from asyncbolt.client.routing import Address

from .sessions import NODE, NODE2, REL, EchoSession, Recorder
from .test_telemetry import FakeServer, driver_for, serve, telemetry_sent


class Bookmarking(EchoSession):
    commits = 0

    async def commit(self) -> dict[str, Any]:
        self.recorder.log("commit")
        Bookmarking.commits += 1
        return {"bookmark": f"bm:{Bookmarking.commits}"}


@pytest.fixture
async def server():
    recorder = Recorder()
    Bookmarking.commits = 0
    async with await asyncbolt.serve(Bookmarking, "127.0.0.1", 0, recorder=recorder,
                                     password="pw") as srv:
        srv.recorder = recorder
        yield srv


@pytest.fixture
async def driver(server):
    async with asyncbolt.Driver(f"bolt://127.0.0.1:{server.port}", auth=("neo4j", "pw"),
                                initial_retry_delay=0.001, max_retry_time=2.0) as d:
        yield d


def _calls(server: Any, name: str) -> list[tuple]:
    return [c for c in server.recorder.calls if c[0] == name]


# -------------------------------------------------------------------------------------------
# execute_query


async def test_execute_query_returns_an_unpackable_eager_result(driver, server) -> None:
    result = await driver.execute_query("ECHO", {"x": 1, "y": 2}, y=3)
    assert isinstance(result, EagerResult) and isinstance(result, tuple)
    records, summary, keys = result
    assert keys == ["x", "y"] == result.keys
    assert [r.data() for r in records] == [{"x": 1, "y": 3}]  # keywords win over parameters_
    assert summary.query == "ECHO"
    # In a transaction function: BEGIN ... COMMIT, write mode by default.
    begin = _calls(server, "begin")[-1][1]
    assert begin.get("mode", "w") == "w"
    assert _calls(server, "commit")


@pytest.mark.parametrize("routing", [RoutingControl.READ, "r"])
async def test_read_routing(driver, server, routing) -> None:
    await driver.execute_query("RETURN 1", routing_=routing)
    assert _calls(server, "begin")[-1][1].get("mode") == "r"


async def test_routing_control_compares_with_its_letter() -> None:
    assert RoutingControl.READ == "r" and RoutingControl.WRITE == "w"
    assert RoutingControl.parse("w") is RoutingControl.WRITE


@pytest.mark.parametrize("bad", ["x", "READ", None, 1])
async def test_a_bad_routing_is_a_value_error(driver, bad) -> None:
    with pytest.raises(ValueError, match="routing_ must be"):
        await driver.execute_query("RETURN 1", routing_=bad)


async def test_a_keyword_with_one_trailing_underscore_is_refused(driver, server) -> None:
    with pytest.raises(ValueError, match=r"database\b.*single '_'|single '_'.*databse_"):
        await driver.execute_query("RETURN 1", databse_="neo4j")
    assert not _calls(server, "run")  # nothing was sent
    records, _, _ = await driver.execute_query("ECHO", x__=1)  # a double underscore is a parameter
    assert records[0]["x__"] == 1


async def test_database_and_impersonation_go_in_begin(driver, server) -> None:
    await driver.execute_query("RETURN 1", database_="movies", impersonated_user_="bob")
    begin = _calls(server, "begin")[-1][1]
    assert begin["db"] == "movies" and begin["imp_user"] == "bob"


async def test_a_query_object_gives_the_transaction_its_metadata_and_timeout(driver, server) -> None:
    await driver.execute_query(Query("RETURN 1", metadata={"app": "x"}, timeout=2.5))
    begin = _calls(server, "begin")[-1][1]
    assert begin["tx_metadata"] == {"app": "x"} and begin["tx_timeout"] == 2500
    assert _calls(server, "run")[-1][1] == "RETURN 1"


async def test_result_transformer(driver) -> None:
    async def first_value(result: Any) -> Any:
        return (await result.single(strict=True)).value()

    assert await driver.execute_query("ECHO", x=42, result_transformer_=first_value) == 42


async def test_execute_query_has_its_own_bookmark_manager(driver, server) -> None:
    await driver.execute_query("RETURN 1")
    assert await driver.execute_query_bookmark_manager.get_bookmarks() == {"bm:1"}
    assert await driver.bookmark_manager.get_bookmarks() == set()  # the sessions' one
    await driver.execute_query("RETURN 1")
    assert _calls(server, "begin")[-1][1]["bookmarks"] == ["bm:1"]
    assert await driver.execute_query_bookmark_manager.get_bookmarks() == {"bm:2"}
    # None: no chaining; another manager: that one.
    await driver.execute_query("RETURN 1", bookmark_manager_=None)
    assert "bookmarks" not in _calls(server, "begin")[-1][1]
    mine = asyncbolt.BookmarkManager(["mine"])
    await driver.execute_query("RETURN 1", bookmark_manager_=mine)
    assert _calls(server, "begin")[-1][1]["bookmarks"] == ["mine"]
    assert await mine.get_bookmarks() == {"bm:4"}


async def test_transient_failures_are_retried(driver, server) -> None:
    with pytest.raises(asyncbolt.TransientError):
        await driver.execute_query("TRANSIENT")
    assert len(_calls(server, "begin")) > 1


async def test_another_auth_is_checked_and_a_closed_driver_raises(driver) -> None:
    # auth_ is the query's session's own token (see test_auth_managers.py): the server judges it
    with pytest.raises(asyncbolt.AuthError) as caught:
        await driver.execute_query("RETURN 1", auth_=("neo4j", "other"))
    assert caught.value.code == "Neo.ClientError.Security.Unauthorized"
    assert (await driver.execute_query("RETURN 1 AS x", auth_=("neo4j", "pw"))).records
    await driver.close()
    with pytest.raises(asyncbolt.ServiceUnavailable, match="closed"):
        await driver.execute_query("RETURN 1")


async def test_execute_query_announces_the_driver_api() -> None:
    async with FakeServer(serve(True)) as fake:
        async with driver_for(fake) as d:
            await d.execute_query("RETURN 1")
            async with d.session() as session:
                await session.execute_write(lambda tx: tx.run("RETURN 1"))
    assert telemetry_sent(fake) == [(3, "BEGIN"), (0, "BEGIN")]


# -------------------------------------------------------------------------------------------
# Query objects in sessions and transactions


async def test_session_run_takes_a_query(driver, server) -> None:
    async with driver.session() as session:
        result = await session.run(Query("ECHO", {"a": 1}, 3), x=1)
        assert (await result.single())["x"] == 1
        extra = _calls(server, "run")[-1][2]
        assert extra["tx_metadata"] == {"a": 1} and extra["tx_timeout"] == 3000
        # Explicit arguments win over the Query's.
        await (await session.run(Query("ECHO", {"a": 1}), metadata={"b": 2})).consume()
        assert _calls(server, "run")[-1][2]["tx_metadata"] == {"b": 2}


async def test_tx_run_takes_a_query_without_metadata(driver, server) -> None:
    async with driver.session() as session:
        async with await session.begin_transaction() as tx:
            assert (await (await tx.run(Query("ECHO"), x=5)).single())["x"] == 5
            with pytest.raises(ValueError, match="begin_transaction"):
                await tx.run(Query("ECHO", timeout=1))


@pytest.mark.parametrize("args, error", [
    ((1,), TypeError), (("q", [1]), TypeError), (("q", None, -1), ValueError),
    (("q", None, "1"), ValueError)])
def test_a_bad_query_object_says_what_is_wrong(args: tuple, error: type) -> None:
    with pytest.raises(error, match="Query's"):
        Query(*args)


async def test_a_query_must_be_text(driver) -> None:
    with pytest.raises(TypeError, match="str or a Query"):
        await driver.execute_query(b"RETURN 1")  # type: ignore[arg-type]


# -------------------------------------------------------------------------------------------
# Result


async def test_peek_value_and_eager(driver) -> None:
    async with driver.session() as session:
        result = await session.run("STREAM 4")
        first = await result.peek()
        assert first is not None and first["i"] == 0
        assert (await result.peek())["i"] == 0  # still there
        assert (await result.__anext__())["i"] == 0
        assert await result.value() == [1, 2, 3]
        assert await result.peek() is None
        result = await session.run("STREAM 3")
        assert await result.value("i") == [0, 1, 2]
        result = await session.run("STREAM 2")
        assert await result.value("nope", -1) == [-1, -1]
        result = await session.run("STREAM 3")
        records, summary, keys = await result.to_eager_result()
        assert [r["i"] for r in records] == [0, 1, 2] and keys == ["i"]
        assert summary.query == "STREAM 3"
        with pytest.raises(asyncbolt.ResultConsumedError):
            await result.peek()


async def test_single_strict_and_not(driver) -> None:
    async with driver.session() as session:
        assert await (await session.run("STREAM 0")).single() is None
        with pytest.raises(asyncbolt.ClientError, match="got none"):
            await (await session.run("STREAM 0")).single(strict=True)
        with pytest.warns(UserWarning, match="single record"):
            record = await (await session.run("STREAM 3")).single()
        assert record["i"] == 0
        with pytest.raises(asyncbolt.ClientError, match="more than one") as info:
            await (await session.run("STREAM 3")).single(strict=True)
        assert info.value.code == "Neo.ClientError.Statement.ResultNotSingle"
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            result = await session.run("STREAM 1")
            assert (await result.single())["i"] == 0
        # Exhausted, as the official driver's: no more records, and the summary is there.
        assert [r async for r in result] == [] and await result.peek() is None
        assert (await result.consume()).query == "STREAM 1"


async def test_graph_collects_nodes_and_relationships(driver) -> None:
    async with driver.session() as session:
        result = await session.run("GRAPH")
        graph = await result.graph()
        assert {n.element_id for n in graph.nodes} == {NODE.element_id, NODE2.element_id}
        assert [r.element_id for r in graph.relationships] == [REL.element_id]
        assert graph.relationships[0].start_node_element_id == NODE.element_id  # the bound one
        assert graph.relationship_type("KNOWS") == graph.relationships
        assert graph.relationship_type("LIKES") == []
        assert len(await result.values()) == 1  # the records stay readable


def test_record_value() -> None:
    record = asyncbolt.Record([1, 2], {"a": 0, "b": 1})
    assert record.value() == 1 and record.value("b") == 2 and record.value(1) == 2
    assert record.value("c", "d") == "d" and record.value(5) is None
    assert record.value(-1) is None  # as the official Record: no negative indexes


# -------------------------------------------------------------------------------------------
# Server info and checks


async def test_get_server_info_and_multi_db(driver, server) -> None:
    info = await driver.get_server_info()
    assert info.address == ("127.0.0.1", server.port) and str(info.address) == f"127.0.0.1:{server.port}"
    assert info.agent and info.protocol_version is not None
    assert await driver.supports_multi_db() is True  # the server speaks 5.x


async def test_verify_authentication(driver, server) -> None:
    assert await driver.verify_authentication() is True
    assert await driver.verify_authentication(("neo4j", "pw")) is True
    assert await driver.verify_authentication(("neo4j", "wrong")) is False
    address = Address("127.0.0.1", server.port)
    assert driver.pool.in_use(address) == 0
    async with asyncbolt.Driver(f"bolt://127.0.0.1:{server.port}", auth=("neo4j", "bad")) as d:
        assert await d.verify_authentication() is False
        assert await d.verify_authentication(("neo4j", "pw")) is True


async def test_verify_authentication_raises_when_nobody_answers() -> None:
    with socket.socket() as sock:  # a port nobody listens on (bound, never listening)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        async with asyncbolt.Driver(f"bolt://127.0.0.1:{port}", connection_timeout=2,
                                    connection_acquisition_timeout=2) as d:
            with pytest.raises(asyncbolt.ServiceUnavailable):
                await d.verify_authentication(("neo4j", "pw"))


# -------------------------------------------------------------------------------------------
# The same script against the official driver


async def _script(driver: Any, Query: Any, READ: Any) -> list:
    """What a user of the official driver writes, returning the shapes it sees."""
    out = []
    result = await driver.execute_query("RETURN $x AS x, 'a' AS y", x=1, routing_=READ)
    records, summary, keys = result
    out.append((type(result).__name__, list(keys), [r.data() for r in records],
                [r.value() for r in records], summary.query))
    out.append(list(result._fields))
    records, _, keys = await driver.execute_query(Query("UNWIND [1, 2] AS i RETURN i", timeout=5))
    out.append((list(keys), [r["i"] for r in records]))
    value = await driver.execute_query("RETURN 7 AS v", routing_="r",
                                       result_transformer_=lambda r: r.value("v"))
    out.append(value)
    async with driver.session() as session:
        r = await session.run("RETURN 1 AS a")
        out.append(((await r.peek())["a"], (await r.single(strict=True))["a"]))
    return out


class CypherLike(EchoSession):
    """Just enough of the script's Cypher."""

    async def run(self, query: str, parameters: dict[str, Any], extra: dict[str, Any]) -> asyncbolt.Result:
        if query.startswith("RETURN $x"):
            return asyncbolt.Result(["x", "y"], [[parameters["x"], "a"]])
        if query.startswith("UNWIND"):
            return asyncbolt.Result(["i"], [[1], [2]])
        if query == "RETURN 7 AS v":
            return asyncbolt.Result(["v"], [[7]])
        if query == "RETURN 1 AS a":
            return asyncbolt.Result(["a"], [[1]])
        return await super().run(query, parameters, extra)


async def test_the_same_script_runs_on_the_official_driver_and_here() -> None:
    neo4j = pytest.importorskip("neo4j")
    async with await asyncbolt.serve(CypherLike, "127.0.0.1", 0, recorder=Recorder()) as srv:
        uri = f"bolt://127.0.0.1:{srv.port}"
        official = neo4j.AsyncGraphDatabase.driver(uri, auth=("neo4j", "pw"))
        try:
            theirs = await _script(official, neo4j.Query, neo4j.RoutingControl.READ)
        finally:
            await official.close()
        async with asyncbolt.Driver(uri, auth=("neo4j", "pw")) as ours:
            mine = await _script(ours, asyncbolt.Query, asyncbolt.RoutingControl.READ)
    assert mine == theirs
    assert mine[0][0] == "EagerResult" and mine[1] == ["records", "summary", "keys"]


# -------------------------------------------------------------------------------------------
# Bookmark suppliers with routing


class RouteBookmarks(Bookmarking):
    async def route(self, routing: dict[str, Any], bookmarks: list[str],
                    extra: dict[str, Any]) -> dict[str, Any]:
        self.recorder.log("route-bookmarks", list(bookmarks))
        return await super().route(routing, bookmarks, extra)


async def test_a_supplier_is_asked_for_route_and_for_begin_apart() -> None:
    # As the official drivers (testkit's test_bookmark_manager): the bookmarks ROUTE waits for
    # and the ones BEGIN sends are two calls of the supplier, in that order.
    calls: list[int] = []

    def supplier() -> list[str]:
        calls.append(len(calls) + 1)
        return [f"supplied{len(calls)}"]

    recorder = Recorder()
    async with await asyncbolt.serve(RouteBookmarks, "127.0.0.1", 0, recorder=recorder) as srv:
        manager = asyncbolt.BookmarkManager(["bm0"], bookmarks_supplier=supplier)
        async with asyncbolt.Driver(f"neo4j://127.0.0.1:{srv.port}", auth=("neo4j", "pw"),
                                    bookmark_manager=manager) as d:
            async with d.session(db="neo4j") as session:
                async with await session.begin_transaction() as tx:
                    await (await tx.run("RETURN 1")).consume()
    routes = [c[1] for c in recorder.calls if c[0] == "route-bookmarks"]
    begins = [c[1]["bookmarks"] for c in recorder.calls if c[0] == "begin"]
    assert routes[0] == ["bm0", "supplied1"]
    assert begins == [["bm0", "supplied2"]]
    assert len(calls) == 2
