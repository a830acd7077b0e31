"""asyncbolt's client against asyncbolt's server, on every version 1.0-6.0."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

import asyncbolt
from asyncbolt import SERVER_VERSIONS
from asyncbolt._generated.versions import NEO4J_RELEASES
from asyncbolt.codec.structures import (
    Date,
    DateTime,
    Duration,
    LegacyDateTime,
    LocalDateTime,
    LocalTime,
    Node,
    Path,
    Point2D,
    Point3D,
    Relationship,
    Time,
    Vector,
)

from .conftest import uri_of
from .sessions import NODE, PATH, REL, EchoSession, Recorder

ALL = [v for v in SERVER_VERSIONS]


def _plain_values() -> dict:
    return {"null": None, "t": True, "f": False, "min": -(2**63), "max": 2**63 - 1, "tiny": -16,
            "x": 1.25, "s": "grüße 東京", "b": b"\x00\x01\xff", "l": [1, "two", [3.0, None]],
            "m": {"k": {"n": [True]}}, "long": "x" * 70_000, "many": list(range(1_000))}


@pytest.mark.parametrize("version", ALL, ids=lambda v: f"{v[0]}.{v[1]}")
async def test_every_version(server, version) -> None:
    async with asyncbolt.connect(uri_of(server), auth=("neo4j", "pw"), versions=[version]) as conn:
        assert conn.protocol_version == version
        # The default agent names the Neo4j release of the version (what old drivers insist on).
        assert conn.server_agent == f"Neo4j/{NEO4J_RELEASES[version]}.0"
        values = _plain_values()
        record = await (await conn.run("ECHO", values)).single()
        assert record.data() == values and record.keys() == list(values)
        assert record[0] is None and record["s"] == values["s"]

        graph = await (await conn.run("GRAPH")).single()
        node, rel, path = graph["n"], graph["r"], graph["p"]
        assert isinstance(node, Node) and node.labels == NODE.labels and node.properties == NODE.properties
        assert isinstance(rel, Relationship) and rel.type == REL.type
        assert isinstance(path, Path) and len(path.nodes) == len(PATH.nodes)
        if version >= (5, 0):
            assert node.element_id == NODE.element_id and rel.end_node_element_id == "4:db:2"
        else:
            assert node.element_id is None  # the 4.x layout has no element ids

        if version >= (2, 0):
            temporal = {"d": dt.date(2024, 2, 29), "ldt": dt.datetime(1999, 12, 31, 23, 59, 59, 5),
                        "dt": dt.datetime(2024, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=2))),
                        "t": dt.time(1, 2, 3, tzinfo=dt.timezone.utc), "lt": dt.time(4, 5, 6),
                        "dur": dt.timedelta(days=1, seconds=2, microseconds=3),
                        "p2": Point2D(7203, 1.0, 2.0), "p3": Point3D(4979, 1.0, 2.0, 3.0)}
            echoed = (await (await conn.run("ECHO", temporal)).single()).data()
            assert isinstance(echoed["d"], Date) and echoed["d"].to_native() == temporal["d"]
            assert isinstance(echoed["ldt"], LocalDateTime) and echoed["ldt"].to_native() == temporal["ldt"]
            expected_dt = DateTime if version >= (4, 3) else LegacyDateTime  # 4.3/4.4: utc patch
            assert type(echoed["dt"]) is expected_dt and echoed["dt"].to_native() == temporal["dt"]
            assert isinstance(echoed["t"], Time) and echoed["t"].to_native() == temporal["t"]
            assert isinstance(echoed["lt"], LocalTime) and echoed["lt"].to_native() == temporal["lt"]
            assert isinstance(echoed["dur"], Duration) and echoed["dur"].to_native() == temporal["dur"]
            assert echoed["p2"] == temporal["p2"] and echoed["p3"] == temporal["p3"]
        else:
            with pytest.raises(ValueError, match="Date cannot be sent in Bolt 1.0"):
                await conn.run("ECHO", {"d": dt.date(2024, 1, 1)})
        if version >= (6, 0):
            vec = Vector.from_list([1, -2, 3], "int16")
            echoed = await (await conn.run("ECHO", {"v": vec})).single()
            assert echoed["v"] == vec and echoed["v"].to_list() == [1, -2, 3]

        rows = [r["i"] async for r in await conn.run("STREAM 2500")]
        assert rows == list(range(2500))

        with pytest.raises(asyncbolt.ClientError) as exc:
            await (await conn.run("FAIL")).consume()
        assert exc.value.code == "Neo.ClientError.Statement.SyntaxError"
        assert (await (await conn.run("ECHO", {"after": 1})).single())["after"] == 1

        if version >= (3, 0):
            async with conn.begin(timeout=5, metadata={"app": "t"}) as tx:
                assert (await (await tx.run("ECHO", {"in": "tx"})).single())["in"] == "tx"
            begin = [c for c in server.recorder.calls if c[0] == "begin"][-1]
            assert begin[1]["tx_timeout"] == 5000 and begin[1]["tx_metadata"] == {"app": "t"}
            assert server.recorder.calls[-1][0] == "commit"
            assert conn.bookmarks == ["asyncbolt:1"]
        else:
            with pytest.raises(asyncbolt.ClientError, match="need Bolt 3.0"):
                conn.begin()


async def test_pipelining_costs_one_write(server) -> None:
    async with asyncbolt.connect(uri_of(server)) as conn:
        writes = []
        transport = conn._transport
        original = transport.write

        def counting(data):
            writes.append(len(data))
            original(data)

        transport.write = counting
        results = [await conn.run("ECHO", {"i": i}) for i in range(1000)]
        values = [(await r.single())["i"] for r in results]
        assert values == list(range(1000))
        assert len(writes) == 1, writes  # 1,000 RUN + PULL pairs left in one write


async def test_unconsumed_result_buffers_at_most_one_batch(server) -> None:
    recorder = server.recorder
    async with asyncbolt.connect(uri_of(server), fetch_size=100) as conn:
        result = await conn.run("STREAM 100000")
        first = await result.fetch(1)
        await asyncio.sleep(0.2)
        assert first[0]["i"] == 0
        assert recorder.produced <= 101  # one batch, plus the row peeked to learn has_more
        assert len(result._s.records) <= 99
        seen = 1
        async for record in result:
            assert record["i"] == seen
            seen += 1
            if seen % 5000 == 0:
                assert recorder.produced - seen <= 101
        assert seen == 100_000


async def test_abandoned_result_is_discarded(server) -> None:
    recorder = server.recorder
    async with asyncbolt.connect(uri_of(server), fetch_size=10) as conn:
        result = await conn.run("STREAM 1000000")
        await result.fetch(3)
        del result  # the server must not stream the rest
        record = await (await conn.run("ECHO", {"next": 1})).single()
        assert record["next"] == 1
        assert recorder.produced < 1000


async def test_next_run_keeps_an_open_result(server) -> None:
    async with asyncbolt.connect(uri_of(server), fetch_size=10) as conn:
        first = await conn.run("STREAM 50")
        await first.fetch(1)
        second = await conn.run("ECHO", {"x": 1})
        assert (await second.single())["x"] == 1
        assert [r["i"] for r in await first.fetch(100)] == list(range(1, 50))


async def test_consume_returns_the_summary(server) -> None:
    async with asyncbolt.connect(uri_of(server)) as conn:
        summary = await (await conn.run("WRITE")).consume()
        assert summary.counters.nodes_created == 1 and summary.counters.contains_updates
        assert summary.query_type == "w" and summary.database == "neo4j"
        assert summary.t_first is not None and summary.t_last is not None
        assert summary.server_agent == "Neo4j/2025.10.0" and summary.protocol_version == asyncbolt.VERSIONS[-1]
        consumed = await (await conn.run("STREAM 100000")).consume()
        assert consumed.query == "STREAM 100000"


async def test_failure_in_a_pipeline_ignores_the_rest_then_recovers(server) -> None:
    async with asyncbolt.connect(uri_of(server)) as conn:
        ok = await conn.run("ECHO", {"a": 1})
        bad = await conn.run("FAIL")
        skipped = await conn.run("ECHO", {"b": 2})
        assert (await ok.single())["a"] == 1
        with pytest.raises(asyncbolt.ClientError):
            await bad.consume()
        with pytest.raises(asyncbolt.RequestIgnored) as exc:
            await skipped.values()
        assert isinstance(exc.value.__cause__, asyncbolt.ClientError)
        assert (await (await conn.run("ECHO", {"c": 3})).single())["c"] == 3


async def test_transaction_rolls_back_on_exception_and_fails_after_error(server) -> None:
    recorder = server.recorder
    async with asyncbolt.connect(uri_of(server)) as conn:
        with pytest.raises(RuntimeError):
            async with conn.begin() as tx:
                await (await tx.run("ECHO", {"x": 1})).consume()
                raise RuntimeError("boom")
        assert recorder.calls[-1][0] == "rollback"
        with pytest.raises(asyncbolt.ClientError):
            async with conn.begin() as tx:
                await (await tx.run("FAIL")).consume()
        with pytest.raises(asyncbolt.ClientError, match="already open"):
            async with conn.begin():
                conn.begin()
        tx = await conn.begin(db="neo4j", mode="r", bookmarks=["b1"])
        with pytest.raises(asyncbolt.ClientError, match="transaction is open"):
            await conn.run("ECHO")
        await tx.rollback()
        begin = [c for c in recorder.calls if c[0] == "begin"][-1][1]
        assert begin == {"bookmarks": ["b1"], "mode": "r", "db": "neo4j"}
        assert (await (await conn.run("ECHO", {"ok": 1})).single())["ok"] == 1


async def test_features_missing_in_a_version_are_clear_errors(server) -> None:
    async with asyncbolt.connect(uri_of(server), versions=[(3, 0)]) as conn:
        with pytest.raises(asyncbolt.ConfigurationError, match="db needs Bolt 4.0"):
            await conn.run("ECHO", db="neo4j")
    async with asyncbolt.connect(uri_of(server), versions=[(4, 3)]) as conn:
        # the official drivers' ConfigurationError (still a ClientError), naming the user
        with pytest.raises(asyncbolt.ConfigurationError, match=r"imp_user \('bob'\) needs Bolt 4.4"):
            await conn.run("ECHO", imp_user="bob")
        with pytest.raises(asyncbolt.ConfigurationError, match="'bob'.* in a routing request"):
            await conn.route(imp_user="bob")
        assert issubclass(asyncbolt.ConfigurationError, asyncbolt.ClientError)
        with pytest.raises(asyncbolt.ClientError, match="re-authentication needs Bolt 5.1"):
            await conn.reauth(("a", "b"))


async def test_auth_schemes_and_reauth(server) -> None:
    recorder = server.recorder
    async with asyncbolt.connect(uri_of(server), auth=asyncbolt.bearer_auth("tok")) as conn:
        await conn.reauth(asyncbolt.kerberos_auth("ticket"))
        await conn.reauth(asyncbolt.custom_auth("me", "pw", None, "special", extra=1))
        assert (await (await conn.run("ECHO", {"a": 1})).single())["a"] == 1
    schemes = [c[1] for c in recorder.calls if c[0] == "auth"]
    assert schemes[-3:] == ["bearer", "kerberos", "special"]
    refused = await asyncbolt.serve(EchoSession, "127.0.0.1", 0, recorder=Recorder(), password="right")
    async with refused:
        with pytest.raises(asyncbolt.AuthError):
            await asyncbolt.connect(f"bolt://127.0.0.1:{refused.port}", auth=("neo4j", "wrong"))


async def test_reset_and_close(server) -> None:
    conn = await asyncbolt.connect(uri_of(server), fetch_size=5)
    result = await conn.run("STREAM 1000000")
    await result.fetch(1)
    meta = await conn.reset()
    assert meta == {}
    with pytest.raises(asyncbolt.RequestIgnored):
        await result.values()
    assert (await (await conn.run("ECHO", {"a": 1})).single())["a"] == 1
    await conn.close()
    assert conn.closed
    with pytest.raises(asyncbolt.ServiceUnavailable):
        await conn.run("ECHO")


async def test_tls_and_uri_schemes(tmp_path) -> None:
    trustme = pytest.importorskip("trustme", reason="trustme (a dev dependency) makes the test certificate")
    import ssl

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    srv = await asyncbolt.serve(EchoSession, "127.0.0.1", 0, recorder=Recorder(), ssl=context)
    async with srv:
        async with asyncbolt.connect(f"bolt+ssc://127.0.0.1:{srv.port}") as conn:
            assert (await (await conn.run("ECHO", {"tls": 1})).single())["tls"] == 1
        with pytest.raises((asyncbolt.ServiceUnavailable, ssl.SSLError)):
            await asyncbolt.connect(f"bolt+s://127.0.0.1:{srv.port}", timeout=5)  # not trusted
        client_ctx = ssl.create_default_context()
        ca.configure_trust(client_ctx)
        async with asyncbolt.connect(f"bolt+s://127.0.0.1:{srv.port}", ssl=client_ctx) as conn:
            assert (await (await conn.run("ECHO", {"v": 2})).single())["v"] == 2
    with pytest.raises(ValueError, match="unsupported URI scheme"):
        asyncbolt.connect("http://localhost:7474")


async def test_connect_refused_is_service_unavailable() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(asyncbolt.ServiceUnavailable):
        await asyncbolt.connect(f"bolt://127.0.0.1:{port}", timeout=2)


def test_a_minimal_custom_token_keeps_the_empty_principal_only():
    # testkit's test_custom_scheme_empty: HELLO/LOGON carry scheme and principal "" and nothing
    # else (servers before 4.4 need the principal; empty credentials/realm/parameters go unsent)
    assert asyncbolt.custom_auth("", "", "", "minimal-scheme") == {"scheme": "minimal-scheme",
                                                                  "principal": ""}
    assert asyncbolt.custom_auth(None, "pw", None, "s") == {"scheme": "s", "credentials": "pw"}
