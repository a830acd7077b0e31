"""Values through ``asyncbolt serve`` (LadybugDB): every Bolt value either comes back exactly, or the
query is refused with a FAILURE naming the parameter, the value kind and what LadybugDB cannot
hold -- never a different value. The conformance value checks run against the real command; the
refusals they meet are listed here one by one, so that a value silently changed again fails."""

from __future__ import annotations

import asyncio
import datetime as dt
import decimal
import functools
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import asyncbolt
from asyncbolt._generated.versions import has
from asyncbolt.codec import structures as s
from asyncbolt.codec.packstream import get_codec

pytest.importorskip("ladybug")

from asyncbolt.tools.backends.ladybug.failures import map_error  # noqa: E402
from asyncbolt.tools.backends.ladybug.graph import LadybugGraph  # noqa: E402
from asyncbolt.tools.backends.ladybug.params import UNTYPED, prepare_parameters  # noqa: E402
from asyncbolt.tools.backends.ladybug.queries import cast_parameters  # noqa: E402
from asyncbolt.tools.backends.ladybug.session import LadybugSession  # noqa: E402
from asyncbolt.tools.backends.ladybug.values import to_bolt  # noqa: E402
from asyncbolt.tools.conformance.samples import difference  # noqa: E402
from asyncbolt.tools.conformance.values import ECHO_QUERY, value_checks  # noqa: E402

from .conformance_open import opener  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
#: The tables the graph query needs (LadybugDB has a schema), as README's `asyncbolt serve` shows.
SCHEMA = ("CREATE NODE TABLE AsyncboltConformance(id SERIAL PRIMARY KEY, k INT64);\n"
          "CREATE REL TABLE PROBE(FROM AsyncboltConformance TO AsyncboltConformance, k INT64);\n")
#: LadybugDB's Cypher cannot MATCH a path over a relationship variable already bound
#: ("Bind relationship r to relationship with same name is not supported"): the path is matched
#: with a new one.
GRAPH_QUERY = ("CREATE (a:AsyncboltConformance {k: 1})-[:PROBE {k: 2}]->(b:AsyncboltConformance) "
               "WITH a, b MATCH p = (a)-[r:PROBE]->(b) RETURN a, r, b, p")

_TYPE_ERROR = "Neo.ClientError.Statement.TypeError: parameter $x"
_ZONE = "LadybugDB keeps no offset or zone (TIMESTAMP_TZ holds only the UTC instant)"
_MIXED = "LadybugDB lists hold values of one type"
#: Every value check LadybugDB refuses, and what the refusal must say after "parameter $x".
REFUSED = {
    "echo List nested": "[0][1][1]: a List mixing Integer and List: " + _MIXED,
    "echo Map nested": ".a.b.c: a List mixing Integer and Map: " + _MIXED,
    "echo List mixed kinds": ": a List mixing Boolean and Integer: " + _MIXED,
    "echo Time": ": Time: LadybugDB has no time-of-day type",
    "echo LocalTime": ": LocalTime: LadybugDB has no time-of-day type",
    "echo DateTime": ": DateTime with offset +02:00: " + _ZONE,
    "echo DateTimeZoneId": ": DateTimeZoneId in zone Europe/Paris: " + _ZONE,
    "echo LegacyDateTime": ": LegacyDateTime with offset +02:00: " + _ZONE,
    "echo LegacyDateTimeZoneId": ": LegacyDateTimeZoneId in zone Europe/Paris: " + _ZONE,
    "echo LocalDateTime": (": LocalDateTime with nanoseconds 999999999: LadybugDB takes timestamps "
                           "with microsecond precision"),
    "echo Duration": ": Duration with months (14): LadybugDB's Python binding passes an INTERVAL",
    "echo Point2D": ": Point2D: LadybugDB has no spatial type",
    "echo Point3D": ": Point3D: LadybugDB has no spatial type",
}
for _kind in ("int8", "int16", "int32", "int64", "float32", "float64"):
    REFUSED[f"echo Vector {_kind}"] = ": Vector: LadybugDB has no vector value that comes back as a Bolt Vector"


@pytest.fixture(scope="module")
def serve_port(tmp_path_factory):
    """``asyncbolt serve --init schema.cypher`` (in memory), its port."""
    init = tmp_path_factory.mktemp("ladyvalues") / "schema.cypher"
    init.write_text(SCHEMA)
    proc = subprocess.Popen([sys.executable, "-m", "asyncbolt", "serve", "--port", "0", "--init", str(init)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env=dict(os.environ, PYTHONUNBUFFERED="1"))
    try:
        line = proc.stdout.readline()
        match = re.search(r"bolt://[^:]+:(\d+)", line)
        assert match, f"no address in {line!r}; stderr: {proc.stderr.read() if proc.poll() is not None else ''}"
        yield int(match.group(1))
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:  # pragma: no cover - a stuck server
            proc.kill()
            proc.communicate()


@pytest.mark.parametrize("version", [(6, 0), (5, 8), (4, 4), (3, 0)], ids=lambda v: f"{v[0]}.{v[1]}")
async def test_value_checks_on_asyncbolt_serve_pass_or_are_refused_precisely(serve_port, version) -> None:
    checks = await value_checks(opener(serve_port, version), version, echo_query=ECHO_QUERY,
                                timeout=10, graph_query=GRAPH_QUERY)
    by_name = {c.name: c for c in checks}
    wrong = []
    for check in checks:
        refusal = REFUSED.get(check.name)
        if refusal is None:
            if check.outcome != "pass":
                wrong.append(f"{check.name}: expected to pass, {check.outcome}: {check.detail}")
        elif check.outcome != "fail" or "answered FAILURE to RUN" not in check.detail \
                or _TYPE_ERROR + refusal not in check.detail:
            wrong.append(f"{check.name}: expected the refusal {refusal!r}, {check.outcome}: {check.detail}")
    assert not wrong, "\n".join(wrong)
    # the values LadybugDB holds are really checked (a run that skipped them proves nothing)
    for name in ("echo List TINY_LIST size 0", "echo Map TINY_MAP size 0", "echo Date",
                 "echo Integer INT_64 edge -9223372036854775808", "graph Path", "graph Node"):
        assert by_name[name].outcome == "pass", name
    assert sum(c.name in REFUSED for c in checks) >= 11


async def test_default_graph_query_without_tables_says_how_to_create_them() -> None:
    graph = LadybugGraph()
    server = await asyncbolt.serve(LadybugSession, "127.0.0.1", 0, graph=graph)
    try:
        async with server:
            checks = await value_checks(opener(server.port, (5, 8)), (5, 8), echo_query=None, timeout=10)
    finally:
        graph.close()
    query = next(c for c in checks if c.name == "graph query in a rolled-back transaction")
    assert query.outcome == "fail"
    assert "Table AsyncboltConformance does not exist" in query.detail
    assert "CREATE NODE TABLE AsyncboltConformance(" in query.detail and "--init FILE" in query.detail


# -- parameters, one by one, through LadybugDB ------------------------------------------------

CODEC = get_codec((5, 8))


@pytest.fixture(scope="module")
def conn():
    import ladybug

    db = ladybug.Database(":memory:")
    connection = ladybug.Connection(db)
    yield connection
    connection.close()
    db.close()


def _echo(conn: Any, value: Any) -> Any:
    """``RETURN $x`` as the server runs it in auto-commit: again with the types given when
    LadybugDB cannot type the parameter."""
    prepared = prepare_parameters({"x": value})
    try:
        result = conn.execute(prepared.query("RETURN $x AS x"), prepared.parameters)
    except RuntimeError as exc:
        retry = prepared.retry("RETURN $x AS x")
        assert retry is not None and UNTYPED.search(str(exc)), exc
        result = conn.execute(*retry)
    try:
        return to_bolt(result.get_next()[0])
    finally:
        result.close()


EXACT = [
    [], [None], [[], []], [[[]]], {"e": []}, {"d": None}, {"a": 1, "d": None}, [{"d": None}],
    {"a": {"b": None}}, [{"a": {"b": []}}], [{"a": []}, {"a": [1]}],
    [{"a": 1}, {"a": 300}], [{"a": 300}, {"a": 1}],
    [{"a": 1, "b": 2}, {"b": 3, "a": 4}],  # (the binding read the second map by position)
    {"key": [1], "value": ["a"]}, [{"key": [1], "value": ["a"]}],  # (the binding made a MAP)
    {"a b": [1]}, {"a b": []}, {"": None}, {"e": {"f": None}, "g": []}, {"": 1}, {"a": {}}, [{}, {}], [[1, 2], [3_000_000_000]],
    [1.5, -0.0, float("inf")], ["ü", ""], [b"", b"x"], [1, None], 2**63 - 1, -(2**63),
    s.Duration(0, -1, 5, 0), s.Duration(0, 3, 7200, 5000), s.Duration(0, 0, 0, 0),
    s.LocalDateTime(946_684_799, 999_999_000), s.Date(-719_162), [s.Date(1), None],
    {"k": s.LocalDateTime(0, 1000)}, [s.Duration(0, 1, 0, 0)],
    s.DateTime(1_709_213_821, 123_456_000, 0),  # at UTC: TIMESTAMP_TZ
]


@pytest.mark.parametrize("value", EXACT, ids=repr)
def test_parameter_comes_back_exactly(conn, value) -> None:
    got = _echo(conn, value)
    # exactly: the same kinds (1 is not 1.0, -0.0 is not 0.0), as the conformance checks compare
    assert difference(CODEC.unpack(CODEC.pack(value)), CODEC.unpack(CODEC.pack(got))) is None


REFUSALS = [
    ([1, 2.5], "parameter $x: a List mixing Integer and Float"),
    ([True, 1], "parameter $x: a List mixing Boolean and Integer"),
    ([1, "a"], "parameter $x: a List mixing Integer and String"),
    ([[1], ["a"]], "parameter $x[]: a List mixing Integer and String"),
    ([[1, [2]]], "parameter $x[0]: a List mixing Integer and List"),
    ({"a": [{"k": 1}, {"j": 2}]}, "parameter $x.a: a List of Maps with different keys (['k'] and ['j'])"),
    (s.Duration(0, 0, 90000, 0), "parameter $x: Duration(days=0, seconds=90000, nanoseconds=0): "
                                 "LadybugDB's Python binding passes it as a timedelta"),
    (s.Duration(0, 0, -5, 0), "parameter $x: Duration(days=0, seconds=-5"),
    (s.Duration(1, 0, 0, 0), "parameter $x: Duration with months (1)"),
    (s.Duration(0, 0, 0, 1), "parameter $x: Duration with nanoseconds 1: LadybugDB's INTERVAL holds "
                             "whole microseconds"),
    ({"t": [s.LocalDateTime(0, 1)]}, "parameter $x.t[0]: LocalDateTime with nanoseconds 1"),
    (s.Date(10**9), "parameter $x: Date outside the range LadybugDB takes"),
    (dt.datetime(2024, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=2))),
     "parameter $x: DateTime 2024-01-01T00:00:00+02:00: LadybugDB keeps no offset or zone"),
    (s.DateTime(0, 0, -5400), "parameter $x: DateTime with offset -01:30: LadybugDB keeps no offset"),
    (s.DateTimeZoneId(0, 0, "UTC"), "parameter $x: DateTimeZoneId in zone UTC: LadybugDB keeps no offset"),
    (s.DateTime(0, 1, 0), "parameter $x: DateTime with nanoseconds 1: LadybugDB's TIMESTAMP_TZ takes microseconds"),
    ({"at": s.DateTime(0, 0, 0)}, "parameter $x.at: DateTime inside a List or Map: LadybugDB takes a DateTime"),
    (s.Time(0, -3600), "parameter $x: Time: LadybugDB has no time-of-day type"),
    (s.Point2D(7203, 1.0, 2.0), "parameter $x: Point2D: LadybugDB has no spatial type"),
]


@pytest.mark.parametrize(("value", "message"), REFUSALS, ids=[repr(v) for v, _ in REFUSALS])
def test_parameter_ladybug_cannot_hold_is_refused_precisely(value, message) -> None:
    with pytest.raises(asyncbolt.ClientError) as exc:
        prepare_parameters({"x": value})
    assert exc.value.code == "Neo.ClientError.Statement.TypeError"
    assert exc.value.message.startswith(message), exc.value.message


def test_a_value_nested_beyond_python_s_stack_is_refused_not_crashed() -> None:
    deep: Any = [1]
    for _ in range(2000):
        deep = [deep]
    with pytest.raises(asyncbolt.ClientError) as exc:
        prepare_parameters({"x": deep})
    assert exc.value.message.startswith("parameter $x: nested too deeply to be checked")


def test_cast_parameters_touches_only_the_parameter_outside_strings() -> None:
    query = "RETURN $x AS x, '$x' AS s, $xy AS y /* $x */, $`x` AS q"
    assert cast_parameters(query, {"x": ("list_extract(", ", 1)")}) == (
        "RETURN list_extract($x, 1) AS x, '$x' AS s, $xy AS y /* $x */, list_extract($`x`, 1) AS q")
    assert cast_parameters(query, {}) == query


# -- results LadybugDB gives that Bolt cannot hold exactly ----------------------------------------


@pytest.mark.parametrize(("query", "message"), [
    ("RETURN CAST(1 AS INT128) * 100000000000000000000 AS x",
     "the integer 100000000000000000000 is beyond Bolt's 64-bit Integer"),
    ("RETURN CAST(18446744073709551615 AS UINT64) AS x", "the integer 18446744073709551615 is beyond"),
    ("RETURN CAST('0.123456789012345678' AS DECIMAL(38, 18)) AS x",
     "the DECIMAL 0.123456789012345678 is no Float"),
    ("RETURN map([1, 2], ['a', 'b']) AS x", "a MAP with int keys (1): Bolt maps have String keys"),
])
def test_result_bolt_cannot_hold_fails_loudly(conn, query, message) -> None:
    result = conn.execute(query)
    try:
        with pytest.raises(asyncbolt.ClientError) as exc:
            to_bolt(result.get_next()[0])
    finally:
        result.close()
    assert exc.value.code == "Neo.ClientError.Statement.TypeError"
    assert message in exc.value.message


@pytest.mark.parametrize(("query", "expected"), [
    ("RETURN CAST('1.25' AS DECIMAL(5, 2)) AS x", 1.25),
    ("RETURN CAST('0.1' AS DECIMAL(5, 1)) AS x", 0.1),
    ("RETURN CAST('-12' AS DECIMAL(5, 0)) AS x", -12),
    ("RETURN CAST(7 AS INT128) AS x", 7),
    ("RETURN map(['k'], [7]) AS x", {"k": 7}),
    ("RETURN CAST('2024-01-01 10:00:00+02' AS TIMESTAMP_TZ) AS x",
     dt.datetime(2024, 1, 1, 8, 0, tzinfo=dt.timezone.utc)),
])
def test_result_bolt_holds_is_converted_exactly(conn, query, expected) -> None:
    result = conn.execute(query)
    try:
        got = to_bolt(result.get_next()[0])
    finally:
        result.close()
    assert got == expected and type(got) is type(expected)
    if isinstance(expected, float):
        assert decimal.Decimal(repr(got)) == decimal.Decimal(query.split("'")[1])


async def _values(client: asyncbolt.Connection, query: str, parameters: dict[str, Any] | None = None) -> list:
    """The rows of ``query`` (each bounded by 10 s)."""
    result = await asyncio.wait_for(client.run(query, parameters or {}), 10)
    return await asyncio.wait_for(result.values(), 10)


async def test_a_refused_value_leaves_the_connection_usable() -> None:
    graph = LadybugGraph()
    server = await asyncbolt.serve(LadybugSession, "127.0.0.1", 0, graph=graph)
    try:
        async with server, asyncbolt.connect(f"bolt://127.0.0.1:{server.port}") as client:
            values = functools.partial(_values, client)
            with pytest.raises(asyncbolt.ClientError) as exc:
                await values("RETURN CAST(1 AS INT128) * 100000000000000000000 AS x")
            assert "beyond Bolt's 64-bit Integer" in exc.value.message
            with pytest.raises(asyncbolt.ClientError) as exc:
                await values("RETURN $x AS x", {"x": [1, 2.5]})
            assert exc.value.message.startswith("parameter $x: a List mixing Integer and Float")
            assert await values("RETURN $x AS x, $y AS y", {"x": [], "y": {"a": None}}) == [[[], {"a": None}]]
            # a large List (checked off the event loop), its Maps' keys in two orders
            rows = [{"k": i, "v": str(i)} if i % 2 else {"v": str(i), "k": i} for i in range(5000)]
            assert await values("UNWIND $rows AS r RETURN sum(r.k) AS s, max(r.v) AS m", {"rows": rows}) == [
                [sum(range(5000)), "999"]]
            assert await values("RETURN $rows AS rows", {"rows": rows}) == [[rows]]
    finally:
        graph.close()


async def test_an_empty_list_takes_its_type_from_the_query_and_is_refused_in_a_transaction_when_none() -> None:
    graph = LadybugGraph()
    graph.execute_script("CREATE NODE TABLE T(id INT64 PRIMARY KEY, tags STRING[])")
    server = await asyncbolt.serve(LadybugSession, "127.0.0.1", 0, graph=graph)
    try:
        async with server, asyncbolt.connect(f"bolt://127.0.0.1:{server.port}") as client:
            values = functools.partial(_values, client)
            # the query says the type (a STRING[] property; STRING items, as py2neo's id lookups)
            await values("CREATE (:T {id: 1, tags: $x})", {"x": []})
            assert await values("MATCH (t:T) RETURN t.tags") == [[[]]]
            assert await values("MATCH (t:T) WHERE CAST(t.id AS STRING) IN $x RETURN t.id", {"x": []}) == []
            assert await values("MATCH (t:T) WHERE CAST(t.id AS STRING) IN $x RETURN t.id", {"x": ["1"]}) == [[1]]
            # nothing says it: LadybugDB's failure rolled the transaction back, so no second try
            with pytest.raises(asyncbolt.ClientError) as exc:
                async with client.begin() as tx:
                    result = await asyncio.wait_for(tx.run("RETURN $x AS x, $y AS y",
                                                           {"x": [], "y": {"a": None}}), 10)
                    await asyncio.wait_for(result.values(), 10)
            assert exc.value.code == "Neo.ClientError.Statement.TypeError"
            assert exc.value.message.startswith("parameter $x, $y: an empty List, a List of nulls or a Map "
                                                "holding a null, whose type LadybugDB could not tell")
            assert await values("RETURN $x AS x", {"x": [None]}) == [[[None]]]  # (auto-commit: INT64)
    finally:
        graph.close()


@pytest.mark.parametrize("version", [(5, 8), (4, 4), (3, 0)], ids=lambda v: f"{v[0]}.{v[1]}")
async def test_a_datetime_at_utc_comes_back_exactly_on_every_era(serve_port, version) -> None:
    from asyncbolt.codec.messages import Pull, PullAll, Run
    from asyncbolt.tools.conformance.probe import RECORD

    probe = await opener(serve_port, version)()
    try:
        codec = probe.codec
        sent = (s.DateTime if has("utc_datetime", version) else s.LegacyDateTime)(1_709_213_821, 123_456_000, 0)
        query = "WITH $x AS x RETURN x, $x = x AS same"
        await probe.send(Run(query, {"x": sent}), Pull({"n": -1}) if has("pull_n", version) else PullAll())
        replies = [await probe.recv_payload(10) for _ in range(3)]
        assert replies[1][1] == RECORD, replies
        record = codec.unpack(replies[1][2:])
        assert difference([sent, True], record) is None
    finally:
        probe.abort()


def test_missing_table_failure_says_how_to_create_it() -> None:
    error = map_error(RuntimeError("Binder exception: Table Person does not exist."))
    assert error.code == "Neo.ClientError.Statement.SemanticError"
    assert "CREATE NODE TABLE Person(...)" in error.message and "asyncbolt serve --init FILE" in error.message
