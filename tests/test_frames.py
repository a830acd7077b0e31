"""``Result.to_pandas()`` / ``to_df()``: the frame the official driver's ``AsyncResult.to_df``
gives for the same result (issue #19, part 1, pandas).

Every case is served by one asyncbolt server; the official driver (neo4j 6.x) and asyncbolt
read it, each with ``to_df(expand, parse_dates)`` for the four combinations, and the frames must
match: the same columns in the same order, the same dtypes, equal scalar values, and in object
columns equivalent values (nodes by element id, labels and properties; temporal values by
every field, nanoseconds included)."""

from __future__ import annotations

import datetime as dt
import functools
import math
import sys
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import asyncbolt
from asyncbolt.client.result import Result
from asyncbolt.codec.structures import (
    Date,
    DateTime,
    DateTimeZoneId,
    Duration,
    LocalDateTime,
    LocalTime,
    Node,
    Path,
    Point2D,
    Point3D,
    Relationship,
    Time,
    UnboundRelationship,
)

pd = pytest.importorskip("pandas", reason="to_pandas needs pandas (pip install 'asyncbolt[pandas]')")

A = Node(1, ["Person", "Admin"], {"name": "Ada", "born": 1815}, "4:db:1")
B = Node(2, ["Person"], {"name": "Charles", "born": 1791}, "4:db:2")
BARE = Node(3, [], {}, "4:db:3")
KNOWS = Relationship(7, 1, 2, "KNOWS", {"since": 1833}, "5:db:7", "4:db:1", "4:db:2")
LIKES = Relationship(8, 2, 1, "LIKES", {"since": 1840}, "5:db:8", "4:db:2", "4:db:1")
PATH = Path([A, B], [UnboundRelationship(7, "KNOWS", {"since": 1833}, "5:db:7")], [1, 1])
NS = 123_456_789
DAY = 86_400
T0 = 19_000 * DAY + 12 * 3600 + 34 * 60 + 56  # 2022-01-08T12:34:56

#: name -> (keys, rows): what the server returns for the query ``name``.
CASES: dict[str, tuple[list[str], list[list]]] = {
    "scalars": (["i", "f", "s", "b", "none", "by", "int_or_none", "mixed", "big"],
                [[1, 1.5, "a", True, None, b"\x00\x01", 1, 1, 2**62],
                 [-2, -0.25, "", False, None, b"", None, "x", -(2**63)],
                 [3, float("inf"), "ünï", True, None, b"\xff", 3, 2.5, 0]]),
    "nested": (["l", "m", "deep", "empty_l", "empty_m", "ints"],
               [[[1, "a", None], {"k": 1, "a.b": "dot", "back\\slash": [1, 2]},
                 [{"foo": "bar", "baz": [42, 0]}, "foobar"], [], {}, [1, 2, 3]],
                [[2, "b", True], {"k": 2, "a.b": "dot2", "back\\slash": [3, 4]},
                 [{"foo": "qux", "baz": [1, 2]}, "x"], [], {}, [4, 5, 6]]]),
    "graph": (["n", "r", "p", "bare"], [[A, KNOWS, PATH, BARE], [A, KNOWS, PATH, BARE]]),
    "ragged": (["n", "r", "l"], [[A, KNOWS, [1]], [BARE, LIKES, [1, 2, 3]], [B, KNOWS, []]]),
    "temporal": (["date", "ldt", "dt", "zoned", "time", "ltime", "dur", "date_or_none", "not_only_dates"],
                 [[Date(19_000), LocalDateTime(T0, NS), DateTime(T0, NS, 3600),
                   DateTimeZoneId(T0, NS, "Europe/Berlin"), Time(NS, -5400), LocalTime(3600 * 10**9 + NS),
                   Duration(14, 3, 61, NS), Date(0), Date(1)],
                  [Date(-1), LocalDateTime(-DAY, 1), DateTime(0, 0, 3600),
                   DateTimeZoneId(T0 + 180 * DAY, 0, "Europe/Berlin"), Time(0, 0), LocalTime(0),
                   Duration(-1, 0, 0, 1), None, 7]]),
    "zones": (["mixed_zones", "offset_and_local", "date_and_datetime"],
              [[DateTimeZoneId(T0, 1, "Asia/Tokyo"), DateTime(T0, 5, 7200), Date(3)],
               [DateTimeZoneId(T0, 2, "America/New_York"), LocalDateTime(T0, 6), LocalDateTime(T0, 7)]]),
    "spatial": (["p2", "p3"], [[Point2D(7203, 1.5, -2.0), Point3D(4979, 12.5, 55.0, 100.0)],
                               [Point2D(7203, 3.0, 4.0), Point3D(4979, 1.0, 2.0, 3.0)]]),
    "empty": (["a", "b.c", "d\\e"], []),
    "keys": (["a.b", "c\\d", "m"], [[1, 2, {"x.y": 3}], [4, 5, {"x.y": 6}]]),
    "all_none": (["x", "d"], [[None, None], [None, None]]),
}


class FramesSession(asyncbolt.ServerSession):
    async def run(self, query: str, parameters: dict[str, Any], extra: dict[str, Any]) -> asyncbolt.Result:
        keys, rows = CASES[query]
        return asyncbolt.Result(keys, rows)


@pytest.fixture
async def uri():
    async with await asyncbolt.serve(FramesSession, "127.0.0.1", 0) as server:
        yield f"bolt://127.0.0.1:{server.port}"


@pytest.fixture
async def bolt44_uri():
    """Bolt 4.4: entities without element ids (both drivers use the integer id's text)."""
    async with await asyncbolt.serve(FramesSession, "127.0.0.1", 0, versions=[(4, 4)]) as server:
        yield f"bolt://127.0.0.1:{server.port}"


async def official_frames(uri: str, case: str) -> dict[tuple[bool, bool], Any]:
    neo4j = pytest.importorskip("neo4j", reason="compared with the official driver (pip install neo4j)")
    out = {}
    async with neo4j.AsyncGraphDatabase.driver(uri, auth=("neo4j", "pw")) as driver:
        async with driver.session() as session:
            for expand in (False, True):
                for parse_dates in (False, True):
                    result = await session.run(case)
                    out[expand, parse_dates] = await result.to_df(expand=expand, parse_dates=parse_dates)
    return out


async def our_frames(uri: str, case: str) -> dict[tuple[bool, bool], Any]:
    out = {}
    async with asyncbolt.Driver(uri, auth=("neo4j", "pw")) as driver:
        async with driver.session() as session:
            for expand in (False, True):
                for parse_dates in (False, True):
                    result = await session.run(case)
                    out[expand, parse_dates] = await result.to_df(expand=expand, parse_dates=parse_dates)
    return out


# -------------------------------------------------------------------------------------------
# Equivalence of the official driver's values and asyncbolt's


def _iso_local(seconds: int, nanoseconds: int) -> str:
    naive = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=seconds)
    return f"{naive.isoformat()}.{nanoseconds:09d}"


def _eid(entity: Any) -> str:
    """An asyncbolt entity's element id; before Bolt 5.0 (none on the wire) its id's text, which
    the official driver shows as the element id."""
    return entity.element_id if entity.element_id is not None else str(entity.id)


def canonical(value: Any) -> Any:
    """A plain form both drivers' values reduce to (equal forms: equivalent values)."""
    import neo4j.graph
    import neo4j.spatial
    import neo4j.time

    if isinstance(value, float) and math.isnan(value):
        return ("nan",)
    if isinstance(value, neo4j.graph.Node):
        return ("node", value.element_id, frozenset(value.labels), canonical(dict(value.items())))
    if isinstance(value, Node):
        return ("node", _eid(value), frozenset(value.labels), canonical(value.properties))
    if isinstance(value, neo4j.graph.Relationship):
        return ("rel", value.element_id, value.type, value.start_node.element_id, value.end_node.element_id,
                canonical(dict(value.items())))
    if isinstance(value, Relationship):
        start = value.start_node_element_id or str(value.start_node_id)
        end = value.end_node_element_id or str(value.end_node_id)
        return ("rel", _eid(value), value.type, start, end, canonical(value.properties))
    if isinstance(value, neo4j.graph.Path):
        return ("path", [canonical(n) for n in value.nodes],
                [(r.element_id, r.type, canonical(dict(r.items()))) for r in value.relationships])
    if isinstance(value, Path):
        return ("path", [canonical(n) for n in value.nodes],
                [(_eid(r), r.type, canonical(r.properties)) for r in value.relationships])
    if isinstance(value, neo4j.spatial.Point):
        return ("point", value.srid, tuple(value))
    if isinstance(value, (Point2D, Point3D)):
        return ("point", value.srid, tuple(value)[1:])
    if isinstance(value, neo4j.time.Duration):
        return ("duration", tuple(value))
    if isinstance(value, Duration):
        return ("duration", tuple(value))
    if isinstance(value, neo4j.time.DateTime):
        if value.tzinfo is None:
            return ("local datetime", value.iso_format())
        zone = getattr(value.tzinfo, "zone", None)
        return ("datetime", value.astimezone(dt.timezone.utc).iso_format(), value.utcoffset(),
                zone if zone and "/" in zone else None)
    if isinstance(value, LocalDateTime):
        return ("local datetime", _iso_local(value.seconds, value.nanoseconds))
    if isinstance(value, DateTime):
        return ("datetime", _iso_local(value.seconds, value.nanoseconds) + "+00:00",
                dt.timedelta(seconds=value.tz_offset_seconds), None)
    if isinstance(value, DateTimeZoneId):
        return ("datetime", _iso_local(value.seconds, value.nanoseconds) + "+00:00",
                value.to_native().utcoffset(), value.tz_id)
    if isinstance(value, neo4j.time.Date):
        return ("date", value.iso_format())
    if isinstance(value, Date):
        return ("date", value.to_native().isoformat())
    if isinstance(value, neo4j.time.Time):
        return ("time", value.iso_format())
    if isinstance(value, Time):
        off = value.tz_offset_seconds
        sign, off = ("-", -off) if off < 0 else ("+", off)
        return ("time", f"{_iso_local(value.nanoseconds // 10**9, value.nanoseconds % 10**9)[11:]}"
                        f"{sign}{off // 3600:02d}:{off // 60 % 60:02d}")
    if isinstance(value, LocalTime):
        return ("time", _iso_local(value.nanoseconds // 10**9, value.nanoseconds % 10**9)[11:])
    if isinstance(value, pd.Timestamp):
        return ("timestamp", value.value, value.utcoffset(), value.unit)
    if isinstance(value, (bytes, bytearray)):
        return ("bytes", bytes(value))
    if isinstance(value, dict):
        return ("map", {k: canonical(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return ("list", [canonical(v) for v in value])
    return value


def same_dtype(official: Any, ours: Any) -> bool:
    if isinstance(official, pd.DatetimeTZDtype):
        # the official's offsets are pytz.FixedOffset, asyncbolt's datetime.timezone: same offset
        now = dt.datetime(2022, 1, 1)
        return (isinstance(ours, pd.DatetimeTZDtype) and official.unit == ours.unit
                and official.tz.utcoffset(now) == ours.tz.utcoffset(now)
                and getattr(official.tz, "zone", None) in (None, getattr(ours.tz, "key", None)))
    return official == ours


def assert_same_frame(official: Any, ours: Any) -> None:
    assert list(ours.columns) == list(official.columns)
    assert ours.index.equals(official.index)
    for name in official.columns:
        theirs, mine = official[name], ours[name]
        assert same_dtype(theirs.dtype, mine.dtype), (name, theirs.dtype, mine.dtype)
        if theirs.dtype == object:
            assert [canonical(v) for v in mine] == [canonical(v) for v in theirs], name
        elif isinstance(theirs.dtype, pd.DatetimeTZDtype):
            assert list(mine.array.asi8) == list(theirs.array.asi8), name
        else:
            pd.testing.assert_series_equal(mine, theirs, check_names=True)


# -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(CASES))
async def test_to_df_gives_the_official_frame(uri: str, case: str) -> None:
    theirs = await official_frames(uri, case)
    ours = await our_frames(uri, case)
    for options in theirs:
        assert_same_frame(theirs[options], ours[options])


@pytest.mark.parametrize("case", ["graph", "ragged", "temporal", "zones"])
async def test_to_df_gives_the_official_frame_on_bolt_4_4(bolt44_uri: str, case: str) -> None:
    theirs = await official_frames(bolt44_uri, case)
    ours = await our_frames(bolt44_uri, case)
    if case == "graph":
        assert ours[True, False]["n().element_id"][0] == "1"
    for options in theirs:
        assert_same_frame(theirs[options], ours[options])


async def test_the_cells_are_asyncbolts_values(uri: str) -> None:
    frames = await our_frames(uri, "graph")
    plain = frames[False, False]
    assert plain["n"][0] == A and plain["r"][0] == KNOWS and isinstance(plain["p"][0], Path)
    expanded = frames[True, False]
    assert list(expanded.columns[:5]) == ["n().element_id", "n().labels", "n().prop.name", "n().prop.born",
                                          "r->.element_id"]
    assert expanded["n().labels"][0] == frozenset({"Person", "Admin"})
    frames = await our_frames(uri, "temporal")
    assert frames[False, True]["dur"][0] == Duration(14, 3, 61, NS)
    assert frames[False, False]["date"][0] == Date(19_000)
    parsed = frames[False, True]
    assert parsed["ldt"][0] == pd.Timestamp("2022-01-08T12:34:56.123456789")
    assert parsed["zoned"][0].tz == ZoneInfo("Europe/Berlin")
    assert parsed["dt"].dtype.tz.utcoffset(None) == dt.timedelta(hours=1)


async def test_rows_with_their_names_in_another_order_land_in_their_columns(uri: str) -> None:
    # (the official, when every row has the same names, takes each row's values in its own order)
    CASES["order"] = (["m"], [[{"a": 1, "b": "x"}], [{"b": "y", "a": 2}]])
    try:
        frames = await our_frames(uri, "order")
    finally:
        del CASES["order"]
    frame = frames[True, False]
    assert list(frame.columns) == ["m{}.a", "m{}.b"]
    assert list(frame["m{}.a"]) == [1, 2] and list(frame["m{}.b"]) == ["x", "y"]


async def test_rows_that_expand_to_nothing_stay_rows(uri: str) -> None:
    # (the official raises "ValueError: 1 columns passed, passed data had 0 columns")
    CASES["nothing"] = (["x", "y"], [[[], {}], [[], {}]])
    try:
        frames = await our_frames(uri, "nothing")
    finally:
        del CASES["nothing"]
    assert frames[True, False].shape == (2, 0) and frames[False, False].shape == (2, 2)


async def test_to_df_is_an_execute_query_transformer(uri: str) -> None:
    async with asyncbolt.Driver(uri, auth=("neo4j", "pw")) as driver:
        frame = await driver.execute_query("scalars", result_transformer_=Result.to_df)
        assert list(frame.columns) == CASES["scalars"][0] and len(frame) == 3
        expand = functools.partial(Result.to_df, expand=True)
        frame = await driver.execute_query("graph", result_transformer_=expand)
        assert "n().prop.name" in frame.columns
        frame = await driver.execute_query("temporal", result_transformer_=lambda r: r.to_pandas(parse_dates=True))
        assert frame["date"].dtype.kind == "M"


async def test_a_read_result_is_consumed_and_an_empty_one_keeps_its_keys(uri: str) -> None:
    async with asyncbolt.Driver(uri, auth=("neo4j", "pw")) as driver:
        async with driver.session() as session:
            result = await session.run("scalars")
            first = await result.fetch(1)
            frame = await result.to_pandas()
            assert len(first) == 1 and list(frame["i"]) == [-2, 3]  # the rest, as the official
            assert len(await result.to_pandas()) == 0
            await result.consume()
            with pytest.raises(asyncbolt.ResultConsumedError):
                await result.to_pandas()
            result = await session.run("empty")
            frame = await result.to_df(expand=True)
            assert frame.empty and {str(d) for d in frame.dtypes} == {"object"}


async def test_without_pandas_the_error_names_the_extra(uri: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    async with asyncbolt.Driver(uri, auth=("neo4j", "pw")) as driver:
        async with driver.session() as session:
            result = await session.run("scalars")
            with pytest.raises(ImportError, match=r"asyncbolt\[pandas\]"):
                await result.to_df()
            assert len(await result.values()) == 3  # nothing was read


def test_frame_from_columns_infers_as_pandas_does_for_rows() -> None:
    # The seam a columnar path may feed: the frame must be the one pandas makes of the rows.
    from asyncbolt.client.frames import frame_from_columns

    columns = {"i": [1, 2, 3], "f": [1.0, 2.5, None], "s": ["a", "b", None], "b": [True, False, None],
               "bb": [True, False, True], "n": [None, None, None], "mixed": [1, "a", None],
               "int_float": [1, 2.5, 3], "int_none": [1, None, 3], "by": [b"a", b"b", None],
               "l": [[1], [2, 3], None], "m": [{"a": 1}, {}, None], "u64": [2**63, 1, 2],
               "nan": [float("nan"), 1.0, 2.0], "bool_int": [True, 1, 0], "node": [A, None, B]}
    names = list(columns)
    rows = [list(row) for row in zip(*columns.values(), strict=True)]
    ours = frame_from_columns(names, list(columns.values()), 3)
    pd.testing.assert_frame_equal(ours, pd.DataFrame(rows, columns=names))
    empty = frame_from_columns(names, [[] for _ in names], 0)
    pd.testing.assert_frame_equal(empty, pd.DataFrame([], columns=names))


def test_legacy_date_times_parse_as_their_utc_forms() -> None:
    # (the client hands over the UTC forms; a legacy one, if given, converts the same)
    from asyncbolt.client.frames import _timestamp

    for value in (DateTime(T0, NS, -3600), DateTimeZoneId(T0, NS, "Europe/Berlin")):
        legacy = value.to_legacy()
        assert type(legacy) is not type(value)
        assert _timestamp(pd, legacy) == _timestamp(pd, value)
        assert _timestamp(pd, legacy).utcoffset() == value.to_native().utcoffset()
