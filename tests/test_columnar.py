"""Columnar results (issue 19, part 1): Result.to_arrow(), arrow_batches(), to_polars().

Tables come from asyncbolt's own server over loopback and are compared with the Record path on
the same values (the pure-Python builder fed with the records' values is the reference), the C
builder with the pure one on every type and on hypothesis-generated rows, and the type rules of
README "Columnar results" are checked one by one.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import sys
import uuid
import zoneinfo
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import asyncbolt
from asyncbolt.codec import columns as columns_module
from asyncbolt.codec.arrow import assemble
from asyncbolt.codec.columns import Columns, PyBuilder
from asyncbolt.codec.messages import Record, Success
from asyncbolt.codec.packstream import get_codec
from asyncbolt.codec.structures import (
    Duration,
    Node,
    Path,
    Point2D,
    Point3D,
    Relationship,
    UnboundRelationship,
    UnsupportedType,
    Vector,
)

from .strategies import integers, mutate, mutation_ops, struct_layout, structures_in, texts
from .test_client_odd_servers import FakeServer, Peer, connect, idle

pa = pytest.importorskip("pyarrow", reason="pyarrow (the arrow extra) builds the tables")

C_BUILT = columns_module.CBuilder is not None
BUILDERS = [pytest.param(True, id="C", marks=pytest.mark.skipif(not C_BUILT, reason="C builder not built")),
            pytest.param(False, id="pure")]

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NODE = Node(1, ["Person", "Admin"], {"name": "Ada", "born": 1815}, "4:db:1")
NODE2 = Node(2, ["Person"], {"name": "Charles", "tags": ["x"]}, "4:db:2")
REL = Relationship(7, 1, 2, "KNOWS", {"since": 1833}, "5:db:7", "4:db:1", "4:db:2")
UREL = UnboundRelationship(7, "KNOWS", {"since": 1833}, "5:db:7")
PATH = Path([NODE, NODE2], [UREL], [1, 1])

#: Rows the server sends for a query (keys, rows), set by each test.
TABLES: dict[str, tuple[list[str], list[list]]] = {}


class TableSession(asyncbolt.ServerSession):
    async def run(self, query: str, parameters: dict, extra: dict) -> asyncbolt.Result:
        keys, rows = TABLES[query]
        return asyncbolt.Result(keys, rows)


@pytest.fixture
async def table_server() -> Any:
    srv = await asyncbolt.serve(TableSession, "127.0.0.1", 0)
    async with srv:
        yield srv


def uri(srv: Any) -> str:
    return f"bolt://127.0.0.1:{srv.port}"


@pytest.fixture(params=BUILDERS)
def builder(request: Any, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Which column builder results use (C, or the pure-Python one)."""
    monkeypatch.setattr(columns_module, "ACCELERATED", request.param)
    return request.param


def reference(records: list[list], keys: list[str], profile: str) -> Any:
    """The table of the pure-Python builder over the Record path's values."""
    b = PyBuilder(profile, len(keys))
    for values in records:
        b.add_values(values)
    return assemble(b.finish(), keys, profile)


def plain_rows() -> list[list]:
    return [
        [1, 1.5, "a", True, b"\x00\x01", [1, 2], {"k": 1, "s": "x"}, None],
        [None, -2.25, "", False, b"", [], {"s": "y", "new": 2.0}, None],
        [2**63 - 1, math.inf, "\u00e9\U0001F600", None, None, None, None, None],
    ]


def rows_for(version: tuple[int, int]) -> list[list]:
    """One row of every type the version carries (the server encodes them for it)."""
    row: list[Any] = [7, 2.5, "text", True, b"\xff", [1, "two", None], {"a": 1, "b": [True]},
                      NODE, REL, PATH]
    if version >= (2, 0):
        row += [dt.date(2024, 2, 29), dt.time(13, 37, 1, 500, tzinfo=dt.timezone(dt.timedelta(hours=2))),
                dt.time(23, 59, 59, 999999), dt.datetime(2024, 2, 29, 13, 37, 1, 123456, tzinfo=dt.timezone.utc),
                dt.datetime(2024, 7, 1, 12, 0, tzinfo=PARIS), dt.datetime(1999, 12, 31, 23, 59, 59),
                Duration(14, 3, 4, 5), Point2D(7203, 1.5, -2.0), Point3D(4979, 12.5, 55.0, 100.0)]
    if version >= (6, 0):
        row += [Vector.from_list([1.0, 2.5, -3.0], "float32"), Vector.from_list([1, -2], "int16"),
                UnsupportedType("future", 7, 0, {"why": "x"})]
    if version >= (6, 1):
        row += [uuid.UUID("12345678-1234-5678-1234-567812345678")]
    second = [None] * len(row)
    return [row, second, row]


FAMILIES = [(1, 0), (3, 0), (4, 2), (4, 4), (5, 0), (5, 8), (6, 0), (6, 1)]


@pytest.mark.parametrize("version", FAMILIES, ids=lambda v: f"{v[0]}.{v[1]}")
async def test_every_type_matches_the_record_path(table_server: Any, builder: bool,
                                                  version: tuple[int, int]) -> None:
    rows = rows_for(version)
    keys = [f"c{i}" for i in range(len(rows[0]))]
    TABLES["ALL"] = (keys, rows)
    async with asyncbolt.connect(uri(table_server), versions=[version]) as conn:
        records = await (await conn.run("ALL")).values()
        table = await (await conn.run("ALL")).to_arrow()
        profile = conn._core.codec.profile
        polars = pytest.importorskip("polars", reason="polars (the polars extra)")
        frame = await (await conn.run("ALL")).to_polars()
    assert table.column_names == keys and table.num_rows == 3
    assert table.equals(reference(records, keys, profile))
    assert isinstance(frame, polars.DataFrame) and frame.shape == (3, len(keys))
    t = dict(zip(keys, table.schema.types, strict=True))
    assert (t["c0"], t["c1"], t["c2"], t["c3"], t["c4"]) == (pa.int64(), pa.float64(), pa.string(),
                                                          pa.bool_(), pa.binary())
    assert pa.types.is_union(t["c5"].value_type)  # [1, "two", None]: int and string items
    assert t["c6"] == pa.struct([("a", pa.int64()), ("b", pa.list_(pa.bool_()))])
    node = t["c7"]
    assert [f.name for f in node] == [n for n, _ in struct_layout("Node", (version, tuple(conn_patches(profile))))]
    assert node.field("labels").type == pa.list_(pa.string())
    assert [f.name for f in t["c9"]] == ["nodes", "relationships", "indices"]
    assert table.column("c7")[0].as_py()["properties"] == {"name": "Ada", "born": 1815}
    if version >= (2, 0):
        assert t["c10"] == pa.date32()
        assert t["c11"] == pa.struct([("time", pa.time64("ns")), ("tz_offset_seconds", pa.int32())])
        assert t["c12"] == pa.time64("ns")
        assert t["c13"] == pa.timestamp("ns", tz="+00:00")
        assert t["c14"] == pa.timestamp("ns", tz="Europe/Paris")
        assert t["c15"] == pa.timestamp("ns")
        assert t["c16"] == pa.month_day_nano_interval()
        assert table.column("c13")[0].value == 1709213821123456000
        assert table.column("c14")[0].value == dt.datetime(2024, 7, 1, 10, 0, tzinfo=dt.timezone.utc).timestamp() * 10**9
        assert table.column("c16")[0].as_py() == pa.MonthDayNano([14, 3, 4_000_000_005])
        assert t["c18"] == pa.struct([("srid", pa.int64()), ("x", pa.float64()), ("y", pa.float64()),
                                      ("z", pa.float64())])
    if version >= (6, 0):
        assert t["c19"] == pa.list_(pa.float32()) and t["c20"] == pa.list_(pa.int16())
        assert table.column("c19")[0].as_py() == [1.0, 2.5, -3.0]
        assert table.column("c20")[0].as_py() == [1, -2]
    if version >= (6, 1):
        assert table.column("c22")[0].as_py() == uuid.UUID("12345678-1234-5678-1234-567812345678")
    for i, name in enumerate(keys):  # nulls stay nulls
        assert table.column(name)[1].as_py() is None, name
        assert records[1][i] is None


def conn_patches(profile: str) -> list[str]:
    return profile.split("+")[1:]


async def test_legacy_datetimes_are_normalised_to_utc(table_server: Any, builder: bool) -> None:
    """Bolt 4.2 sends LegacyDateTime / LegacyDateTimeZoneId (local wall-clock seconds): the
    columns hold the UTC instant, as 5.x's DateTime / DateTimeZoneId."""
    moments = [dt.datetime(2024, 2, 29, 13, 37, 1, tzinfo=dt.timezone(dt.timedelta(hours=2))),
               dt.datetime(2024, 7, 1, 12, 0, tzinfo=PARIS)]
    TABLES["LEGACY"] = (["dt", "zoned"], [moments])
    tables = []
    for version in ((4, 2), (5, 0)):
        async with asyncbolt.connect(uri(table_server), versions=[version]) as conn:
            tables.append(await (await conn.run("LEGACY")).to_arrow())
    assert tables[0].equals(tables[1])
    assert tables[0].schema.types == [pa.timestamp("ns", tz="+02:00"), pa.timestamp("ns", tz="Europe/Paris")]
    assert tables[0].column("zoned")[0].value == moments[1].timestamp() * 10**9


async def test_a_fresh_result_is_never_decoded_into_values(table_server: Any, builder: bool,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The PULL queued with the RUN is already columnar: no record becomes Python values."""
    TABLES["FRESH"] = (["i", "n"], [[i, NODE] for i in range(300)])

    def refuse(self: Any, values: list) -> None:
        raise AssertionError("a record was decoded into values")

    async with asyncbolt.connect(uri(table_server), fetch_size=100) as conn:
        monkeypatch.setattr(Columns, "add_values", refuse)
        table = await (await conn.run("FRESH")).to_arrow()
    assert table.num_rows == 300


async def test_a_pull_already_on_its_way_is_made_columnar(builder: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """``await result.keys()`` (or a driver session's run) sends the first PULL before
    to_arrow() is called: the records it brings after that are still laid out from bytes."""
    go = asyncio.Event()

    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.expect("RUN", "PULL")
        await peer.send(Success({"fields": ["x"]}))
        await go.wait()
        await peer.send(*[Record([i]) for i in range(5)], Success({}))
        await idle(peer)

    def refuse(self: Any, values: list) -> None:
        raise AssertionError("a record was decoded into values")

    monkeypatch.setattr(Columns, "add_values", refuse)
    async with FakeServer(script) as server:
        conn = await connect(server)
        result = await conn.run("RETURN 1")
        assert list(await result.keys()) == ["x"]
        asyncio.get_running_loop().call_soon(go.set)
        table = await result.to_arrow()
        assert table.column("x").to_pylist() == list(range(5))
        await conn.close()


async def test_kinds_nulls_and_empty(table_server: Any, builder: bool) -> None:
    TABLES["MIXED"] = (["n", "mixed", "ints"], [[None, 1, None], [None, 1.5, 2], [None, "s", None],
                                                  [None, 2, 3]])
    TABLES["EMPTY"] = (["a", "b"], [])
    async with asyncbolt.connect(uri(table_server)) as conn:
        table = await (await conn.run("MIXED")).to_arrow()
        empty = await (await conn.run("EMPTY")).to_arrow()
        assert [b async for b in (await conn.run("EMPTY")).arrow_batches()] == []
    assert table.schema.types[0] == pa.null() and table.column("n").null_count == 4
    mixed = table.schema.types[1]
    assert mixed.mode == "dense" and [f.name for f in mixed] == ["int", "float", "string"]
    assert [mixed.field(i).type for i in range(3)] == [pa.int64(), pa.float64(), pa.string()]
    assert table.column("mixed").to_pylist() == [1, 1.5, "s", 2]  # no numeric promotion
    assert table.schema.types[2] == pa.int64() and table.column("ints").to_pylist() == [None, 2, None, 3]
    assert empty.num_rows == 0 and empty.column_names == ["a", "b"]
    assert empty.schema.types == [pa.null(), pa.null()] and empty.schema.metadata is None


async def test_maps_get_every_key_in_first_seen_order(table_server: Any, builder: bool) -> None:
    TABLES["MAPS"] = (["m"], [[{"b": 1}], [{"a": "x", "b": 2}], [None], [{"c": [1]}]])
    async with asyncbolt.connect(uri(table_server)) as conn:
        table = await (await conn.run("MAPS")).to_arrow()
    assert table.schema.types[0] == pa.struct([("b", pa.int64()), ("a", pa.string()),
                                               ("c", pa.list_(pa.int64()))])
    assert table.column("m").to_pylist() == [{"b": 1, "a": None, "c": None}, {"b": 2, "a": "x", "c": None},
                                             None, {"b": None, "a": None, "c": [1]}]


async def test_temporal_values_that_do_not_fit_keep_every_bit(table_server: Any, builder: bool) -> None:
    """Different offsets, different zones, or instants outside timestamp[ns]'s range: a struct
    of the structure's fields instead of a timestamp."""
    plus2 = dt.timezone(dt.timedelta(hours=2))
    TABLES["ODD"] = (["offsets", "zones", "far", "negative"], [
        [dt.datetime(2024, 1, 1, tzinfo=plus2), dt.datetime(2024, 1, 1, tzinfo=PARIS),
         dt.datetime(3000, 1, 1), dt.datetime(2024, 1, 1, tzinfo=dt.timezone(-dt.timedelta(hours=5)))],
        [dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc), dt.datetime(2024, 1, 1, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo")),
         dt.datetime(2000, 1, 1), None]])
    async with asyncbolt.connect(uri(table_server)) as conn:
        table = await (await conn.run("ODD")).to_arrow()
    types = table.schema.types
    assert types[0] == pa.struct([("seconds", pa.int64()), ("nanoseconds", pa.int64()),
                                  ("tz_offset_seconds", pa.int64())])
    assert table.column("offsets")[0].as_py() == {"seconds": 1704060000, "nanoseconds": 0,
                                                  "tz_offset_seconds": 7200}
    assert types[1] == pa.struct([("seconds", pa.int64()), ("nanoseconds", pa.int64()), ("tz_id", pa.string())])
    assert types[2] == pa.struct([("seconds", pa.int64()), ("nanoseconds", pa.int64())])
    assert table.column("far")[0].as_py()["seconds"] == 32503680000
    assert types[3] == pa.timestamp("ns", tz="-05:00")


async def test_arrow_batches_one_per_pull(table_server: Any, builder: bool) -> None:
    TABLES["MANY"] = (["i", "v"], [[i, i if i < 250 else str(i)] for i in range(260)])
    async with asyncbolt.connect(uri(table_server), fetch_size=100) as conn:
        batches = [b async for b in (await conn.run("MANY")).arrow_batches()]
        whole = await (await conn.run("MANY")).to_arrow()
    assert [b.num_rows for b in batches] == [100, 100, 60]
    assert all(isinstance(b, pa.RecordBatch) for b in batches)
    # Each batch's types follow from its own records: only the last one mixes kinds.
    assert batches[0].schema.types == [pa.int64(), pa.int64()]
    assert pa.types.is_union(batches[2].schema.types[1])
    assert pa.types.is_union(whole.schema.types[1]) and whole.num_rows == 260
    assert pa.Table.from_batches(batches[:2]).column("i").to_pylist() == list(range(200))


async def test_records_first_then_the_rest_as_columns(table_server: Any, builder: bool) -> None:
    TABLES["PART"] = (["i", "n"], [[i, NODE] for i in range(50)])
    async with asyncbolt.connect(uri(table_server), fetch_size=20) as conn:
        result = await conn.run("PART")
        first = [r["i"] async for r in _take(result, 25)]  # a batch and a half: 15 still buffered
        table = await result.to_arrow()
        assert await result.to_arrow() == pa.table({"i": pa.nulls(0), "n": pa.nulls(0)})
        summary = await result.consume()
    assert first == list(range(25))
    assert table.column("i").to_pylist() == list(range(25, 50))
    assert table.column("n")[0].as_py()["element_id"] == "4:db:1"
    assert summary.counters is not None


async def _take(result: Any, n: int) -> Any:
    for _ in range(n):
        yield await result.__anext__()


async def test_long_records_are_decoded_off_the_loop_and_still_columns(table_server: Any, builder: bool) -> None:
    TABLES["LONG"] = (["s", "i"], [["x" * 5000, i] for i in range(30)])
    async with asyncbolt.connect(uri(table_server)) as conn:
        conn._core.offload_bytes = 1000  # every RECORD is "long"
        table = await (await conn.run("LONG")).to_arrow()
    assert table.num_rows == 30 and table.column("i").to_pylist() == list(range(30))


async def test_the_buffer_limits_hold_in_columnar_mode(table_server: Any, builder: bool) -> None:
    TABLES["BIG"] = (["i"], [[i] for i in range(50)])
    async with asyncbolt.connect(uri(table_server), fetch_size=-1, max_buffered_records=10) as conn:
        with pytest.raises(asyncbolt.ProtocolError, match="more than 10 records"):
            await (await conn.run("BIG")).to_arrow()
    async with asyncbolt.connect(uri(table_server), fetch_size=10, max_buffered_records=10) as conn:
        assert (await (await conn.run("BIG")).to_arrow()).num_rows == 50
        assert conn.buffered_bytes == 0


@pytest.mark.parametrize("payload, message", [
    (b"\xb1\x71\x91\xc4", "reserved marker byte 0xC4"),
    (b"\xb1\x71\x91\xd0\x05ab", "runs past the end"),
    (b"\xb1\x71\x91\x82\xc3\x28", "invalid UTF-8"),
    (b"\xb1\x71\x92\x01\x02", "2 values for a result of 1 keys"),
    (b"\xb1\x71\x91\xa2\x81a\x01\x81a\x02", "key a twice"),
])
async def test_malformed_records_in_columnar_mode_are_protocol_errors(builder: bool, payload: bytes,
                                                                      message: str) -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.expect("RUN")
        await peer.send(Success({"fields": ["x"]}))
        await peer.expect("PULL")
        await peer.send(Record([1]), payload, Success({}))
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server)
        result = await conn.run("RETURN 1")
        if not builder and "twice" in message:
            # Decoded values keep the last of a repeated key (as the Record path); only the
            # C builder, which reads the bytes, sees it and refuses the map.
            table = await asyncio.wait_for(result.to_arrow(), 5)
            assert table.column("x").to_pylist() == [1, {"a": 2}]
        else:
            with pytest.raises(asyncbolt.ProtocolError, match=message if builder else ".") as info:
                await asyncio.wait_for(result.to_arrow(), 5)
            assert not isinstance(info.value, asyncbolt.Neo4jError)
        await conn.close()


async def test_to_polars_makes_plain_what_polars_cannot_import(table_server: Any, builder: bool) -> None:
    polars = pytest.importorskip("polars", reason="polars (the polars extra)")
    plus2 = dt.timezone(dt.timedelta(hours=2))
    TABLES["POLARS"] = (["mixed", "d", "at", "v"], [
        [1, Duration(1, 2, 3, 4), dt.datetime(2024, 1, 1, 12, tzinfo=plus2), Vector.from_list([1, 2], "int8")],
        ["s", None, None, None],
        [None, Duration(0, 0, -1, 0), dt.datetime(2024, 1, 2, tzinfo=plus2), Vector.from_list([3], "int8")]])
    async with asyncbolt.connect(uri(table_server), versions=[(6, 0)]) as conn:
        frame = await (await conn.run("POLARS")).to_polars()
    assert frame.schema["mixed"] == polars.Struct({"int": polars.Int64, "string": polars.String})
    assert frame["mixed"].to_list() == [{"int": 1, "string": None}, {"int": None, "string": "s"},
                                        {"int": None, "string": None}]
    assert frame["d"].to_list() == [{"months": 1, "days": 2, "nanoseconds": 3_000_000_004}, None,
                                    {"months": 0, "days": 0, "nanoseconds": -1_000_000_000}]
    at = frame["at"].to_list()
    assert at[0]["tz_offset_seconds"] == 7200 and at[1] is None
    assert at[0]["time"] == dt.datetime(2024, 1, 1, 10, tzinfo=dt.timezone.utc)
    assert frame["v"].to_list() == [[1, 2], None, [3]]


def test_a_clear_import_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from asyncbolt.codec.arrow import require

    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(ImportError, match=r"asyncbolt\[polars\]"):
        require("polars", "polars")


async def test_to_arrow_without_pyarrow_says_which_extra(table_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    TABLES["ONE"] = (["x"], [[1]])
    async with asyncbolt.connect(uri(table_server)) as conn:
        result = await conn.run("ONE")
        monkeypatch.setitem(sys.modules, "pyarrow", None)
        with pytest.raises(ImportError, match=r"pip install 'asyncbolt\[arrow\]'"):
            await result.to_arrow()
        monkeypatch.delitem(sys.modules, "pyarrow")
        assert [r["x"] async for r in result] == [1]  # the result is untouched


# -- C against pure Python, directly -----------------------------------------------------------


def _both(rows: list[list], version: tuple[int, int] = (5, 0), patches: tuple = ()) -> tuple[Any, Any]:
    codec = get_codec(version, patches)
    out = []
    for accelerated in (True, False):
        cols = Columns(codec, len(rows[0]) if rows else 1, accelerated=accelerated)
        for row in rows:
            cols.add_payload(b"\xb1\x71" + codec.pack(row))
        out.append(assemble(cols.finish(), [f"c{i}" for i in range(len(rows[0]) if rows else 1)], codec.profile))
    return out[0], out[1]


@pytest.mark.skipif(not C_BUILT, reason="C builder not built")
@pytest.mark.parametrize("version", FAMILIES, ids=lambda v: f"{v[0]}.{v[1]}")
def test_c_and_pure_builders_agree_on_every_type(version: tuple[int, int]) -> None:
    rows = rows_for(version)
    codec = get_codec(version)
    decoded = [codec.unpack(codec.pack(r)) for r in rows]
    c, py = _both(decoded, version)
    assert c.equals(py)
    c, py = _both(plain_rows(), version)
    assert c.equals(py)


@pytest.mark.skipif(not C_BUILT, reason="C builder not built")
def test_nan_and_floats_are_kept_bit_for_bit() -> None:
    c, py = _both([[math.nan, -0.0], [1.0, math.inf]])
    for t in (c, py):
        assert math.isnan(t.column("c0")[0].as_py()) and math.copysign(1, t.column("c1")[0].as_py()) == -1


def _typed(t: str, profile: tuple, depth: int) -> st.SearchStrategy:
    if t.endswith("?"):
        return st.none() | _typed(t[:-1], profile, depth)
    if t.startswith("List<"):
        return st.lists(_typed(t[5:-1], profile, depth), max_size=3)
    simple = {"Integer": integers, "Float": st.floats(allow_nan=False), "String": texts,
              "Bytes": st.binary(max_size=9), "Boolean": st.booleans()}
    if t in simple:
        return simple[t]
    if t in ("Map", "Any", "List"):
        inner = _values(profile, depth + 1) if depth < 2 else st.none() | integers
        return st.dictionaries(texts, inner, max_size=3) if t == "Map" else (
            st.lists(inner, max_size=3) if t == "List" else inner)
    return _structure(t, profile, depth + 1)


def _structure(name: str, profile: tuple, depth: int) -> st.SearchStrategy:
    from asyncbolt.codec.structures import STRUCTURES

    fields = struct_layout(name, profile) or []
    return st.builds(STRUCTURES[name], **{f: _typed(t, profile, depth) for f, t in fields})


def _values(profile: tuple, depth: int = 0) -> st.SearchStrategy:
    scalars = st.none() | st.booleans() | integers | st.floats(allow_nan=False) | texts | st.binary(max_size=9)
    if depth >= 2:
        return scalars
    nested = _values(profile, depth + 1)
    leaves = [scalars, st.lists(nested, max_size=3), st.dictionaries(st.sampled_from("abc") | texts, nested, max_size=3)]
    leaves += [_structure(n, profile, depth + 1) for n in structures_in(profile)]
    return st.one_of(*leaves)


@pytest.mark.skipif(not C_BUILT, reason="C builder not built")
@pytest.mark.parametrize("profile", [((4, 2), ()), ((4, 4), ("utc",)), ((5, 8), ()), ((6, 1), ())],
                         ids=lambda p: f"{p[0][0]}.{p[0][1]}{''.join('+' + x for x in p[1])}")
def test_c_and_pure_builders_agree_on_generated_values(profile: tuple) -> None:
    codec = get_codec(*profile)

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(st.lists(_values(profile), min_size=2, max_size=2), min_size=1, max_size=6))
    def check(rows: list[list]) -> None:
        decoded = [codec.unpack(codec.pack(r)) for r in rows]
        c, py = _both(decoded, *profile)
        assert c.schema == py.schema
        assert c.equals(py), (c.to_pylist(), py.to_pylist())

    check()


@pytest.mark.skipif(not C_BUILT, reason="C builder not built")
@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40))
def test_the_c_builder_never_crashes_on_garbage(data: bytes) -> None:
    codec = get_codec((6, 1))
    b = columns_module.CBuilder(codec.profile, 1, 8, 1000)
    try:
        b.add(b"\xb1\x71\x91" + data, 2)
    except asyncbolt.ProtocolError:
        return
    b.finish()


@pytest.mark.skipif(not C_BUILT, reason="C builder not built")
@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_values(((5, 8), ())), min_size=2, max_size=2), min_size=1, max_size=3),
       mutation_ops)
def test_mutated_records_are_laid_out_or_refused_never_a_crash(rows: list[list], ops: list) -> None:
    """Valid RECORDs with bytes flipped, cut or inserted: the C builder lays them out as the
    pure one does the values the codec decodes, or refuses them with ProtocolError."""
    codec = get_codec((5, 8))
    payloads = [b"\xb1\x71" + mutate(codec.pack(row), ops) for row in rows]
    c = Columns(codec, 2, accelerated=True)
    py = Columns(codec, 2, accelerated=False)
    for payload in payloads:
        try:
            decoded = codec.unpack_response(payload)
        except asyncbolt.ProtocolError:
            with pytest.raises(asyncbolt.ProtocolError):
                c.add_payload(payload)
            return
        try:
            py.add_values(decoded.data)
        except asyncbolt.ProtocolError:
            return
        if decoded.name != "RECORD":
            return
        try:
            c.add_payload(payload)
        except asyncbolt.ProtocolError:
            return  # (a repeated map key, a structure the builder cannot hold...)
    assert assemble(c.finish(), ["a", "b"], "5.8").equals(assemble(py.finish(), ["a", "b"], "5.8"))


@pytest.mark.skipif(not C_BUILT, reason="C builder not built")
def test_the_c_builder_bounds_depth_and_values() -> None:
    codec = get_codec((5, 0))
    deep = b"\x91" * 20 + b"\x01"
    b = columns_module.CBuilder(codec.profile, 1, 8, None)
    with pytest.raises(asyncbolt.ProtocolError, match="deeper than max_depth=8"):
        b.add(b"\xb1\x71\x91" + deep, 2)
    with pytest.raises(RuntimeError, match="failed earlier"):
        b.finish()
    b = columns_module.CBuilder(codec.profile, 1, 64, 100)
    with pytest.raises(asyncbolt.ProtocolError, match="more than 100 values"):
        b.add(b"\xb1\x71\x91" + codec.pack(list(range(200))), 2)
    # A map key first seen late is back-filled with nulls, and its nulls count as values.
    b = columns_module.CBuilder(codec.profile, 1, 64, 8)
    for i in range(5):
        b.add(b"\xb1\x71\x91" + codec.pack({f"k{i}": i}), 2)
    with pytest.raises(asyncbolt.ProtocolError, match="more than 8 values"):
        b.add(b"\xb1\x71\x91" + codec.pack({"k9": 1}), 2)
