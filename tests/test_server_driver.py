"""The official neo4j Python driver (sync and async) as a real client of asyncbolt's server."""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl

import neo4j
import neo4j.exceptions as nx
import pytest
import pytz  # the driver's Time dehydration needs a tzinfo that takes a time (not datetime.timezone)
from neo4j.spatial import CartesianPoint, WGS84Point
from neo4j.time import Date, DateTime, Duration, Time

import asyncbolt

from .sessions import NODE, REL, EchoSession, ServerThread

#: Versions the official driver 6.x can negotiate (5.5 was withdrawn; 4.0/4.1 it does not offer).
DRIVER_VERSIONS = [(3, 0), (4, 2), (4, 3), (4, 4), (5, 0), (5, 1), (5, 2), (5, 3), (5, 4), (5, 6),
                   (5, 7), (5, 8), (6, 0), (6, 1)]


@pytest.fixture(scope="module")
def server():
    with ServerThread() as srv:
        yield srv


@pytest.fixture(scope="module")
def driver(server):
    with neo4j.GraphDatabase.driver(server.uri, auth=("neo4j", "secret")) as d:
        yield d


def test_parameters_of_every_plain_type_come_back_equal(driver) -> None:
    params = {"null": None, "t": True, "f": False, "i": -(2**63), "j": 2**63 - 1, "small": -16,
              "x": 1.5, "nan_free": -0.0, "s": "grüße 東京", "empty": "", "b": b"\x00\xff" * 300,
              "l": [1, "two", [3.0, None]], "m": {"k": {"nested": [True]}}, "long": "x" * 70_000,
              "biglist": list(range(70_000))}
    with driver.session() as session:
        record = session.run("ECHO", params).single()
    assert record.data() == params
    assert type(record["b"]) is bytes


def test_temporal_values_in_both_directions(driver) -> None:
    params = {"d": Date(2024, 2, 29), "dt": DateTime(2024, 2, 29, 13, 37, 1, 123456789, tzinfo=dt.timezone.utc),
              "ldt": DateTime(1999, 12, 31, 23, 59, 59, 999999999), "t": Time(13, 37, 1, 5, tzinfo=pytz.FixedOffset(60)),
              "lt": Time(1, 2, 3, 4), "dur": Duration(months=14, days=3, seconds=4, nanoseconds=5),
              "native": dt.datetime(2001, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=-5)))}
    with driver.session() as session:
        echoed = session.run("ECHO", params).single().data()
        temporal = session.run("TEMPORAL").single()
    assert echoed["d"] == params["d"]
    assert echoed["dt"] == params["dt"] and echoed["dt"].nanosecond == 123456789
    assert echoed["ldt"] == params["ldt"] and echoed["ldt"].tzinfo is None
    assert echoed["t"] == params["t"] and echoed["lt"] == params["lt"]
    assert echoed["dur"] == params["dur"]
    assert echoed["native"].to_native() == params["native"]
    assert temporal["date"].to_native() == dt.date(2024, 2, 29)
    assert temporal["time"].to_native() == dt.time(13, 37, 1, 500, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert temporal["localtime"].to_native() == dt.time(23, 59, 59)
    assert temporal["datetime"].to_native() == dt.datetime(2024, 2, 29, 13, 37, 1, 123456, tzinfo=dt.timezone.utc)
    zoned = temporal["zoned"].to_native()
    assert str(zoned.tzinfo) == "Europe/Paris" and zoned.hour == 12 and zoned.utcoffset() == dt.timedelta(hours=2)
    assert temporal["localdatetime"].to_native() == dt.datetime(1999, 12, 31, 23, 59, 59)
    assert temporal["duration"] == Duration(days=3, seconds=4, nanoseconds=5000)


def test_spatial_values(driver) -> None:
    with driver.session() as session:
        echoed = session.run("ECHO", {"c": CartesianPoint((1.0, 2.0)), "w": WGS84Point((13.4, 52.5, 30.0))}).single()
        record = session.run("SPATIAL").single()
    assert echoed["c"] == CartesianPoint((1.0, 2.0)) and echoed["w"] == WGS84Point((13.4, 52.5, 30.0))
    assert record["p2"] == CartesianPoint((1.5, -2.0))
    assert record["p3"] == WGS84Point((12.5, 55.0, 100.0))


def test_graph_values(driver) -> None:
    with driver.session() as session:
        record = session.run("GRAPH").single()
    node, rel, path = record["n"], record["r"], record["p"]
    assert node.element_id == NODE.element_id and set(node.labels) == {"Person", "Admin"}
    assert dict(node) == NODE.properties
    assert rel.type == "KNOWS" and rel.element_id == REL.element_id and dict(rel) == {"since": 1833}
    assert rel.start_node.element_id == "4:db:1" and rel.end_node.element_id == "4:db:2"
    assert [n.element_id for n in path.nodes] == ["4:db:1", "4:db:2"]
    assert [r.type for r in path.relationships] == ["KNOWS"]
    assert path.start_node["name"] == "Ada" and path.end_node["name"] == "Charles"


def test_vector_on_bolt_6(driver) -> None:
    with driver.session() as session:
        record = session.run("VECTOR").single()
        echoed = session.run("ECHO", {"v": neo4j.vector.Vector.from_native([1, -2, 3], "i16")}).single()
    assert driver.get_server_info().protocol_version >= (6, 0)
    assert record["v"].to_native() == [1.0, 2.5, -3.0]
    assert echoed["v"].to_native() == [1, -2, 3] and echoed["v"].dtype == "i16"


def test_streaming_is_lazy_with_fetch_size(server) -> None:
    """100,000 rows, fetch_size 100: the server never runs more than a batch ahead."""
    recorder = server.recorder
    start = recorder.produced
    with neo4j.GraphDatabase.driver(server.uri, auth=("neo4j", "x")) as d, d.session(fetch_size=100) as session:
        result = session.run("STREAM 100000")
        seen = 0
        for record in result:
            assert record["i"] == seen
            seen += 1
            if seen % 1000 == 0:
                ahead = recorder.produced - start - seen
                assert ahead <= 3 * 100 + 1, f"server produced {ahead} rows ahead of the client"
    assert seen == 100_000
    assert recorder.produced - start == 100_000


def test_failure_then_the_session_still_works(driver) -> None:
    with driver.session() as session:
        with pytest.raises(nx.CypherSyntaxError) as exc:
            session.run("FAIL").consume()
        assert exc.value.code == "Neo.ClientError.Statement.SyntaxError"
        assert "Invalid input 'FAIL'" in exc.value.message
        assert session.run("ECHO", {"a": 1}).single()["a"] == 1
        with pytest.raises(nx.DatabaseError) as crash:
            session.run("CRASH").consume()
        # The exception's text stays in the server log: the client gets a generic message.
        assert crash.value.code == "Neo.DatabaseError.General.UnknownError"
        assert "session bug" not in crash.value.message
        assert "reference" in crash.value.message
        assert session.run("ECHO", {"a": 2}).single()["a"] == 2


def test_managed_transactions_commit_and_rollback(server, driver) -> None:
    recorder = server.recorder

    def work(tx, value):
        return tx.run("ECHO", {"v": value}).single()["v"]

    with driver.session() as session:
        before = len(recorder.calls)
        assert session.execute_write(work, 41) == 41
        calls = [c[0] for c in recorder.calls[before:]]
        assert calls[-3:] == ["begin", "run", "commit"]
        assert session.last_bookmarks()  # the COMMIT's bookmark reached the driver

        before = len(recorder.calls)
        with session.begin_transaction() as tx:
            assert tx.run("ECHO", {"v": 1}).single()["v"] == 1
            assert tx.run("ECHO", {"v": 2}).single()["v"] == 2
            tx.rollback()
        assert [c[0] for c in recorder.calls[before:]][-4:] == ["begin", "run", "run", "rollback"]

        class Boom(Exception):
            pass

        def failing(tx):
            tx.run("ECHO", {"v": 3}).consume()
            raise Boom

        before = len(recorder.calls)
        with pytest.raises(Boom):
            session.execute_write(failing)
        assert [c[0] for c in recorder.calls[before:]][-1] == "rollback"


def test_transient_error_is_retried_by_managed_transactions(driver) -> None:
    attempts = []

    def work(tx):
        attempts.append(1)
        query = "TRANSIENT" if len(attempts) < 3 else "ECHO"
        return tx.run(query, {"ok": True}).single()["ok"]

    with driver.session() as session:
        assert session.execute_write(work) is True
    assert len(attempts) == 3


def test_summary_metadata_reaches_the_driver(driver) -> None:
    with driver.session() as session:
        summary = session.run("WRITE").consume()
    assert summary.counters.nodes_created == 1
    assert summary.query_type == "w"


def test_refused_credentials_raise_auth_error() -> None:
    with ServerThread(password="right") as srv:
        with neo4j.GraphDatabase.driver(srv.uri, auth=("neo4j", "wrong")) as d:
            with pytest.raises(nx.AuthError) as exc:
                d.verify_connectivity()
            assert exc.value.code == "Neo.ClientError.Security.Unauthorized"
        with neo4j.GraphDatabase.driver(srv.uri, auth=("neo4j", "right")) as d:
            d.verify_connectivity()


@pytest.mark.parametrize("version", DRIVER_VERSIONS, ids=lambda v: f"{v[0]}.{v[1]}")
def test_driver_pinned_to_each_version(version) -> None:
    with ServerThread(versions=[version]) as srv:
        with neo4j.GraphDatabase.driver(srv.uri, auth=("neo4j", "pw")) as d:
            assert d.get_server_info().protocol_version == version
            with d.session(fetch_size=2) as session:
                assert session.run("ECHO", {"x": [1, "a"]}).single()["x"] == [1, "a"]
                assert [r["i"] for r in session.run("STREAM 5")] == [0, 1, 2, 3, 4]
                if version >= (4, 3) or version < (4, 0):
                    # datetimes cross as the utc patch / 5.0 layout or the legacy one
                    when = DateTime(2020, 6, 1, 12, 0, 0, 5, tzinfo=dt.timezone.utc)
                    assert session.run("ECHO", {"t": when}).single()["t"] == when
                with pytest.raises(nx.ClientError):
                    session.run("FAIL").consume()
                assert session.execute_write(lambda tx: tx.run("ECHO", {"v": 7}).single()["v"]) == 7
                if version >= (3, 0):
                    with session.begin_transaction() as tx:
                        assert [r["i"] for r in tx.run("STREAM 3")] == [0, 1, 2]
                        tx.rollback()


@pytest.mark.parametrize("version", [(3, 0), (4, 2), (4, 3), (4, 4), (5, 0), (6, 0)],
                         ids=lambda v: f"{v[0]}.{v[1]}")
def test_neo4j_scheme_routes_through_the_server(version) -> None:
    """neo4j:// asks for a routing table: the routing procedure before 4.3, ROUTE after."""
    with ServerThread(versions=[version]) as srv:
        uri = f"neo4j://127.0.0.1:{srv.port}?region=test"
        with neo4j.GraphDatabase.driver(uri, auth=("neo4j", "pw")) as d:
            with d.session(database="neo4j" if version >= (4, 0) else None) as session:
                assert session.execute_read(lambda tx: tx.run("ECHO", {"r": 1}).single()["r"]) == 1
                assert session.execute_write(lambda tx: tx.run("ECHO", {"w": 2}).single()["w"]) == 2
        routes = [c for c in srv.recorder.calls if c[0] == "route"]
        assert routes, "the driver never asked for a routing table"
        context = routes[0][1]
        assert context.get("region") == "test"
        assert context.get("address") == f"127.0.0.1:{srv.port}"
        if version >= (4, 0):
            assert routes[0][2].get("db") == "neo4j"


def test_utc_patch_is_negotiated_on_4_4() -> None:
    with ServerThread(versions=[(4, 4)]) as srv:
        with neo4j.GraphDatabase.driver(srv.uri, auth=("neo4j", "pw")) as d, d.session() as session:
            session.run("ECHO", {}).consume()
            # A zoned datetime crosses unchanged only if both sides agree on the layout.
            paris = pytz.timezone("Europe/Paris").localize(DateTime(2024, 10, 27, 2, 30, 0, 0))
            when = DateTime(2024, 3, 31, 1, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
            assert session.run("ECHO", {"t": when}).single()["t"] == when
            assert session.run("ECHO", {"p": paris}).single()["p"] == paris


async def test_async_driver() -> None:
    recorder_session = EchoSession
    from .sessions import Recorder

    recorder = Recorder()
    server = await asyncbolt.serve(recorder_session, "127.0.0.1", 0, recorder=recorder)
    async with server:
        uri = f"bolt://127.0.0.1:{server.port}"
        async with neo4j.AsyncGraphDatabase.driver(uri, auth=("neo4j", "pw")) as d:
            async with d.session(fetch_size=10) as session:
                result = await session.run("STREAM 55")
                values = [r["i"] async for r in result]
                assert values == list(range(55))

                async def work(tx):
                    result = await tx.run("ECHO", {"a": "b"})
                    return (await result.single())["a"]

                assert await session.execute_write(work) == "b"
                with pytest.raises(nx.ClientError):
                    await (await session.run("FAIL")).consume()
                record = await (await session.run("ECHO", {"z": 0})).single()
                assert record["z"] == 0
            # Several connections at once, each with its own session instance.
            async def one(i: int) -> int:
                async with d.session() as s:
                    return (await (await s.run("ECHO", {"i": i})).single())["i"]

            assert await asyncio.gather(*(one(i) for i in range(20))) == list(range(20))
    assert recorder.closed >= 1


def test_tls_with_a_self_signed_certificate(tmp_path) -> None:
    trustme = pytest.importorskip("trustme", reason="trustme (a dev dependency) makes the test certificate")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    with ServerThread(ssl=context) as srv:
        uri = f"bolt+ssc://127.0.0.1:{srv.port}"
        with neo4j.GraphDatabase.driver(uri, auth=("neo4j", "pw")) as d, d.session() as session:
            assert session.run("ECHO", {"secret": "over TLS"}).single()["secret"] == "over TLS"
        # A plain-text client gets nowhere with a TLS server.
        with neo4j.GraphDatabase.driver(srv.uri, auth=("neo4j", "pw"), connection_timeout=3) as d:
            with pytest.raises(nx.ServiceUnavailable):
                d.verify_connectivity()
