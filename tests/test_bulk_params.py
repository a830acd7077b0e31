"""Bulk parameters: numpy arrays and scalars, pandas frames and values, Arrow tables and arrays.

Every bulk value must encode to the very bytes of its plain-Python equivalent (``to_dict``,
``to_pylist``, ``tolist`` with foreign scalars converted here by hand), with the C accelerator
and with the pure-Python codec alike.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import asyncbolt
from asyncbolt.codec.packstream import ACCELERATED, Codec
from asyncbolt.codec.structures import (
    DateTime,
    DateTimeZoneId,
    Duration,
    LocalDateTime,
)

from .conftest import uri_of

np = pytest.importorskip("numpy", reason="bulk parameters need numpy (the asyncbolt[pandas] extra)")
pd = pytest.importorskip("pandas", reason="bulk parameters need pandas (the asyncbolt[pandas] extra)")
pa = pytest.importorskip("pyarrow", reason="Arrow parameters need pyarrow (the asyncbolt[arrow] extra)")

PURE = Codec((5, 0), accelerated=False)
CODECS = [PURE] + ([Codec((5, 0), accelerated=True)] if ACCELERATED else [])
NS = 1_000_000_000


def split(v: Any) -> tuple[int, int]:
    """(seconds, nanoseconds) of a pandas Timestamp / Timedelta, in any unit."""
    tps = {"s": 1, "ms": 1000, "us": 10**6, "ns": 10**9}[v.unit]
    s, rest = divmod(int(v.asm8.view("i8")), tps)
    return s, rest * (NS // tps)


def plain(v: Any) -> Any:
    """``v`` with every numpy / pandas / pyarrow value replaced by its plain equivalent, written
    out here independently of asyncbolt.codec.bulk."""
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)) and type(v).__name__ != "MonthDayNano":
        return [plain(x) for x in v]
    if v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, pd.Timestamp):
        s, ns = split(v)
        if v.tzinfo is None:
            return LocalDateTime(s, ns)
        if isinstance(v.tzinfo, ZoneInfo):
            return DateTimeZoneId(s, ns, v.tzinfo.key)
        return DateTime(s, ns, int(v.utcoffset().total_seconds()))
    if isinstance(v, pd.Timedelta):
        s, ns = split(v)
        d, s = divmod(s, 86_400)
        return Duration(0, d, s, ns)
    if type(v).__name__ == "MonthDayNano":
        s, ns = divmod(v.nanoseconds, NS)
        return Duration(v.months, v.days, s, ns)
    if isinstance(v, np.generic):
        return v.item()
    return v


def assert_packs(value: Any, expected: Any, codecs: list[Codec] = CODECS) -> None:
    want = codecs[0].pack(plain(expected)) if codecs[0].accelerated is False else PURE.pack(plain(expected))
    for codec in codecs:
        assert codec.pack(value) == want, codec
        assert codec.pack({"rows": value, "n": 1}) == codec.pack({"rows": plain(expected), "n": 1})


def nan_to_none(records: list[dict], columns: tuple) -> list[dict]:
    """pandas gives NaN for a missing string or category; asyncbolt sends null."""
    return [{k: (None if k in columns and isinstance(x, float) and math.isnan(x) else x)
             for k, x in r.items()} for r in records]


# -- pandas -------------------------------------------------------------------------------------

def frame() -> Any:
    n = 7
    rng = np.random.default_rng(19)
    return pd.DataFrame({
        "i8": np.array([-128, 127, 0, 1, -1, 5, 6], dtype=np.int8),
        "i16": np.arange(n, dtype=np.int16) * -3000,
        "i32": np.arange(n, dtype=np.int32) * 70_000,
        "i64": np.array([-(2**63), 2**63 - 1, 0, -16, -17, 128, 2**40]),
        "u8": np.arange(n, dtype=np.uint8) * 40,
        "u16": np.arange(n, dtype=np.uint16) * 10_000,
        "u32": np.arange(n, dtype=np.uint32) * 700_000_000,
        "u64": np.array([0, 1, 2**63 - 1, 3, 4, 5, 6], dtype=np.uint64),
        "f16": np.array([0.5, -1.5, np.nan, np.inf, 2.0, 0.1, 3], dtype=np.float16),
        "f32": rng.random(n).astype(np.float32),
        "f64": [1.5, np.nan, -0.0, np.inf, 1e300, 2.0, 3.0],
        "b": [True, False, True, True, False, False, True],
        "s": ["a", None, "grüße 東京", "", "x" * 300, "z", "q"],
        "o": pd.Series([1, "two", None, [1, 2], {"k": 1.5}, np.int64(7), pd.NA], dtype=object),
        "t": pd.to_datetime(["2024-01-01 00:00:00.000000001", None, "1969-12-31 23:59:59.5",
                             "2262-04-11", "1677-09-22", "2000-02-29 12:00", "1970-01-01"], format="ISO8601"),
        "ts": pd.Series(pd.to_datetime(["2024-01-01", "1900-01-01", None, "2024-06-30 12:34:56",
                                        "1970-01-01", "9999-12-31", "0001-01-01"], format="ISO8601").as_unit("s")),
        "tz": pd.date_range("2024-03-30", periods=n, freq="7h", tz="Europe/Paris"),
        "utc": pd.date_range("2024-01-01", periods=n, freq="1D", tz="UTC"),
        "off": pd.date_range("2024-01-01", periods=n, freq="1s",
                             tz=dt.timezone(dt.timedelta(hours=-5, minutes=-30))),
        "td": pd.to_timedelta(["1 days 00:00:00.000000001", None, "-1s", "0s", "100 days", "-3 days",
                               "1us"]),
        "I": pd.array([1, None, 3, 4, None, 6, 7], dtype="Int64"),
        "B": pd.array([True, None, False, True, True, None, False], dtype="boolean"),
        "F": pd.array([1.5, None, 3.0, 4.0, None, 6.0, 7.0], dtype="Float64"),
        "cat": pd.Categorical(["a", "b", None, "a", "c", "b", "a"]),
        "pa": pd.array([1, None, 3, 4, 5, 6, 7], dtype="int64[pyarrow]"),
        "pas": pd.array(["x", None, "y", "z", "w", "v", "u"], dtype=pd.ArrowDtype(pa.string())),
        "pys": pd.array(["x", None, "y", "z", None, "v", "u"], dtype=pd.StringDtype("python")),
    })


def frame_records(df: Any) -> list[dict]:
    return nan_to_none(df.to_dict("records"), ("s", "cat", "pys"))


def test_dataframe_packs_as_its_records() -> None:
    df = frame()
    assert_packs(df, frame_records(df))


@pytest.mark.parametrize("rows", [slice(2, 5), slice(None, None, 2), slice(6, 7), slice(3, 3)])
def test_sliced_dataframes(rows: slice) -> None:
    df = frame().iloc[rows]
    assert_packs(df, frame_records(df))


def test_series_and_index_pack_as_lists() -> None:
    df = frame()
    for name in ("i64", "f64", "s", "t", "tz", "I", "cat", "pa"):
        expected = [None if name in ("s", "cat") and isinstance(x, float) and math.isnan(x) else x
                    for x in df[name].tolist()]
        assert_packs(df[name], expected)
    assert_packs(pd.Index([3, 1, 2]), [3, 1, 2])


def test_empty_and_columnless_frames() -> None:
    assert_packs(pd.DataFrame({"a": pd.Series([], dtype=np.int64)}), [])
    assert_packs(pd.DataFrame(index=range(3)), [{}, {}, {}])


# -- numpy --------------------------------------------------------------------------------------

def ldt(a: Any) -> list:
    """The LocalDateTime of each datetime64 (the official driver's mapping: any unit)."""
    out = []
    for x in a.astype("datetime64[ns]").astype(np.int64):
        out.append(None if x == np.iinfo(np.int64).min else LocalDateTime(*divmod(int(x), NS)))
    return out


def dur(a: Any) -> list:
    out = []
    for x in a.astype("timedelta64[ns]").astype(np.int64):
        if x == np.iinfo(np.int64).min:
            out.append(None)
            continue
        s, ns = divmod(int(x), NS)
        d, s = divmod(s, 86_400)
        out.append(Duration(0, d, s, ns))
    return out


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                                   "uint64", "float16", "float32", "float64", "bool", ">i8", ">f8"])
def test_numpy_number_arrays(dtype: str) -> None:
    a = (np.arange(-20, 300) if dtype[0] != "u" else np.arange(0, 300)).astype(dtype)
    assert_packs(a, [x.item() for x in a])
    assert_packs(a[::3], [x.item() for x in a[::3]])
    assert_packs(a[:0], [])


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # numpy.matrix itself
def test_numpy_masked_zero_dimensional_and_matrix_arrays() -> None:
    m = np.ma.masked_array([1, 2, 3, 4], mask=[False, True, False, True])
    assert_packs(m, [1, None, 3, None])
    assert_packs(m[1:], [None, 3, None])
    assert_packs(np.ma.masked_array([[1.5, 2.0]], mask=[[True, False]]), [[None, 2.0]])
    assert_packs(np.array(7), 7)
    assert_packs(np.array("x"), "x")
    assert_packs(np.asmatrix([[1, 2], [3, 4]]), [[1, 2], [3, 4]])


def test_numpy_multidimensional_arrays() -> None:
    a = np.arange(24, dtype=np.float64).reshape(2, 3, 4)
    assert_packs(a, a.tolist())
    assert_packs(a[:, 1], a[:, 1].tolist())
    assert_packs(a.T, a.T.tolist())
    assert_packs(np.zeros((3, 0)), [[], [], []])


def test_numpy_temporal_arrays() -> None:
    t = np.array(["2024-01-02T03:04:05.123456789", "NaT", "1969-12-31T23:59:59.999999999"],
                 dtype="datetime64[ns]")
    assert_packs(t, ldt(t))
    for unit in ("s", "ms", "us", "D", "h", "W", "M", "Y"):
        a = np.array(["2024-01-01", "1969-02-01", "NaT"], dtype=f"datetime64[{unit}]")
        assert_packs(a, ldt(a))
    for unit in ("ns", "us", "s", "m", "D", "W"):
        a = np.array([5, -7, "NaT", 86_401 if unit in ("ns", "us", "s") else 1_401], dtype=f"timedelta64[{unit}]")
        assert_packs(a, dur(a))
    months = np.array([14, -1], dtype="timedelta64[M]")
    assert_packs(months, [Duration(14, 0, 0, 0), Duration(-1, 0, 0, 0)])
    assert_packs(np.array([2], dtype="timedelta64[Y]"), [Duration(24, 0, 0, 0)])


def test_numpy_text_and_object_arrays() -> None:
    words = ["a", "grüße", "", "東京", "🙂x", "x" * 40]
    assert_packs(np.array(words), words)
    assert_packs(np.array(words)[1::2], words[1::2])
    assert_packs(np.array([words[:3], words[3:]]), [words[:3], words[3:]])
    assert_packs(np.array([b"a\x00b", b"", b"\xff" * 20]), [b"a\x00b", b"", b"\xff" * 20])
    for codec in CODECS:
        with pytest.raises(ValueError, match="element 1 holds a surrogate"):
            codec.pack(np.array(["ok", "\ud800"]))
    assert_packs(np.array([1, "a", None, np.float32(0.5), pd.NaT], dtype=object), [1, "a", None, 0.5, None])


def test_numpy_and_pandas_scalars() -> None:
    cases = [
        (np.int8(-5), -5), (np.uint64(2**63 - 1), 2**63 - 1), (np.int64(-(2**63)), -(2**63)),
        (np.float16(1.5), 1.5), (np.float32(0.1), float(np.float32(0.1))), (np.float64("nan"), math.nan),
        (np.bool_(True), True), (np.bool_(False), False), (np.str_("hé"), "hé"), (np.bytes_(b"ab"), b"ab"),
        (np.datetime64("2024-01-02T03:04:05.123456789"), LocalDateTime(1704164645, 123456789)),
        (np.datetime64("2024-01-02"), LocalDateTime(1704153600, 0)),
        (np.datetime64("1969-12-31T23:59:59.5"), LocalDateTime(-1, 500_000_000)),
        (np.datetime64("NaT"), None), (np.timedelta64("NaT"), None),
        (np.timedelta64(90_061, "s"), Duration(0, 1, 3661, 0)),
        (np.timedelta64(-1, "ns"), Duration(0, -1, 86_399, 999_999_999)),
        (np.timedelta64(3, "M"), Duration(3, 0, 0, 0)),
        (pd.Timestamp("2024-01-02 03:04:05.123456789"), LocalDateTime(1704164645, 123456789)),
        (pd.Timestamp("2024-07-01 12:00", tz="Europe/Paris"), DateTimeZoneId(1719828000, 0, "Europe/Paris")),
        (pd.Timestamp("2024-01-01", tz="UTC"), DateTime(1704067200, 0, 0)),  # pandas: timezone.utc
        (pd.Timestamp("2024-01-01", tz=dt.timezone(dt.timedelta(hours=2))), DateTime(1704060000, 0, 7200)),
        (pd.Timedelta("1 days 00:00:01.000000001"), Duration(0, 1, 1, 1)),
        (pd.NaT, None), (pd.NA, None),
        (pa.scalar(5), 5), (pa.scalar(None, pa.int64()), None),
    ]
    for value, expected in cases:
        for codec in CODECS:
            assert codec.pack(value) == PURE.pack(expected), (value, codec)
            assert codec.pack([value]) == PURE.pack([expected])


def test_uint64_beyond_int64_is_refused_not_wrapped() -> None:
    for codec in CODECS:
        with pytest.raises(ValueError, match="outside the PackStream range"):
            codec.pack(np.uint64(2**63))
        with pytest.raises(ValueError, match="column 'u'.*18446744073709551615.*outside"):
            codec.pack(pd.DataFrame({"u": np.array([1, 2**64 - 1], dtype=np.uint64)}))
        with pytest.raises(ValueError, match="outside the PackStream range"):
            codec.pack(pa.table({"u": pa.array([2**63], pa.uint64())}))


# -- Arrow --------------------------------------------------------------------------------------

def arrow_table() -> Any:
    d = dt.datetime
    cols = {
        "i8": pa.array([1, None, -128, 4], pa.int8()),
        "i16": pa.array([1, -30_000, None, 4], pa.int16()),
        "i32": pa.array([None, 2**31 - 1, 3, 4], pa.int32()),
        "i64": pa.array([-(2**63), None, 2**63 - 1, -17], pa.int64()),
        "u8": pa.array([255, None, 0, 1], pa.uint8()),
        "u16": pa.array([65_535, 1, None, 1], pa.uint16()),
        "u32": pa.array([2**32 - 1, 1, 2, None], pa.uint32()),
        "u64": pa.array([2**63 - 1, None, 0, 5], pa.uint64()),
        "f16": pa.array([np.float16(1.5), None, np.float16(-2), np.float16(0)], pa.float16()),
        "f32": pa.array([1.25, None, float("inf"), -0.5], pa.float32()),
        "f64": pa.array([1.25, float("nan"), None, 1e300], pa.float64()),
        "b": pa.array([True, None, False, True]),
        "s": pa.array(["a", None, "grüße 東京", "x" * 70_000]),
        "ls": pa.array(["a", "", None, "b"], pa.large_string()),
        "sv": pa.array(["view", None, "y", "z"], pa.string_view()),
        "bin": pa.array([b"\x00\xff", None, b"", b"z"], pa.binary()),
        "fsb": pa.array([b"ab", None, b"\x00\x01", b"zz"], pa.binary(2)),
        "lbin": pa.array([b"\x00", b"", None, b"z"], pa.large_binary()),
        "d32": pa.array([dt.date(2024, 2, 29), None, dt.date(1, 1, 1), dt.date(9999, 12, 31)], pa.date32()),
        "d64": pa.array([dt.date(2024, 2, 29), dt.date(1969, 12, 31), None, dt.date(1970, 1, 1)], pa.date64()),
        "t32s": pa.array([dt.time(23, 59, 59), None, dt.time(0), dt.time(12)], pa.time32("s")),
        "t32ms": pa.array([dt.time(1, 2, 3, 4000), None, dt.time(0), dt.time(12)], pa.time32("ms")),
        "t64us": pa.array([dt.time(1, 2, 3, 4), None, dt.time(0), dt.time(12)], pa.time64("us")),
        "t64ns": pa.array([3_723_000_004_000, None, 0, 1000], pa.time64("ns")),
        "dur_s": pa.array([90_061, None, -1, 0], pa.duration("s")),
        "dur_us": pa.array([1, -1, None, 86_400_000_001], pa.duration("us")),
        "dur_ns": pa.array([1, -1, None, 86_400_000_000_001], pa.duration("ns")),
        "mdn": pa.array([pa.MonthDayNano([1, 2, 3_000_000_001]), None,
                         pa.MonthDayNano([-1, -2, -3]), pa.MonthDayNano([0, 0, 0])],
                        pa.month_day_nano_interval()),
        "l": pa.array([[1, 2], None, [], [None, 4]], pa.list_(pa.int64())),
        "ll": pa.array([["a"], ["b", None], None, []], pa.large_list(pa.string())),
        "fl": pa.array([[1.0, 2.0], None, [3.0, None], [5.0, 6.0]], pa.list_(pa.float64(), 2)),
        "st": pa.array([{"a": 1, "b": "x"}, None, {"a": None, "b": "z"}, {"a": 4, "b": None}],
                       pa.struct([("a", pa.int64()), ("b", pa.string())])),
        "m": pa.array([[("k", 1), ("j", None)], None, [], [("z", 3)]], pa.map_(pa.string(), pa.int64())),
        "dict": pa.array(["red", None, "blue", "red"]).dictionary_encode(),
        "null": pa.array([None] * 4, pa.null()),
        "nested": pa.array([[{"p": [1]}], None, [{"p": None}], []],
                           pa.list_(pa.struct([("p", pa.list_(pa.int32()))]))),
    }
    for unit in ("s", "ms", "us", "ns"):
        for tz in (None, "UTC", "+02:00", "-05:30", "Europe/Paris"):
            cols[f"ts_{unit}_{tz}"] = pa.array(
                [d(2024, 3, 31, 1, 30), None, d(1969, 12, 31, 23, 59, 59), d(2000, 2, 29, 12)],
                pa.timestamp(unit, tz=tz))
    return pa.table(cols)


def arrow_records(t: Any) -> list[dict]:
    rows = t.to_pylist()
    for r in rows:
        if "m" in r and r["m"] is not None:
            r["m"] = dict(r["m"])  # pyarrow lists a map's entries as (key, value) pairs
    return rows


def test_arrow_table_packs_as_its_rows() -> None:
    t = arrow_table()
    assert_packs(t, arrow_records(t))


def test_arrow_record_batches_chunks_and_slices() -> None:
    t = arrow_table()
    chunked = pa.concat_tables([t, t.slice(1, 2), t])
    assert chunked.column(0).num_chunks == 3
    assert_packs(chunked, arrow_records(chunked))
    for start, length in ((1, 2), (3, 1), (2, 0), (0, 4)):
        part = chunked.slice(start + 4, length + 2)
        assert_packs(part, arrow_records(part))
        batch = t.to_batches()[0].slice(start, length)
        assert_packs(batch, arrow_records(pa.Table.from_batches([batch], t.schema)))
    # columns chunked differently from each other
    mixed = pa.table({"a": pa.chunked_array([[1, 2], [3]]), "b": pa.chunked_array([["x"], ["y", None]])})
    assert_packs(mixed, mixed.to_pylist())


def test_arrow_arrays_pack_as_lists() -> None:
    t = arrow_table()
    for name in ("i64", "s", "l", "st", "ts_ns_Europe/Paris", "dict", "mdn", "null"):
        col = t.column(name)
        assert_packs(col, plain(col.to_pylist()))
        assert_packs(col.chunk(0).slice(1), plain(col.chunk(0).slice(1).to_pylist()))


def test_legacy_profiles_pack_zoned_columns_in_their_form() -> None:
    codecs = [Codec((4, 4), accelerated=False)] + ([Codec((4, 4), accelerated=True)] if ACCELERATED else [])
    t = pa.table({"z": pa.array([dt.datetime(2024, 7, 1)], pa.timestamp("us", tz="Europe/Paris")),
                  "o": pa.array([dt.datetime(2024, 7, 1)], pa.timestamp("us", tz="+01:00"))})
    df = pd.DataFrame({"z": pd.date_range("2024-07-01", periods=2, tz="Europe/Paris")})
    for codec in codecs:
        assert codec.pack(t) == codecs[0].pack(t.to_pylist())
        assert codec.pack(df) == codecs[0].pack(plain(df.to_dict("records")))
    for accelerated in {False, ACCELERATED}:
        with pytest.raises(ValueError, match="cannot be sent in Bolt 1.0"):
            Codec((1, 0), accelerated=accelerated).pack(pd.DataFrame({"t": pd.to_datetime(["2024-01-01"])}))


# -- what is refused ----------------------------------------------------------------------------

@pytest.mark.parametrize("codec", CODECS, ids=lambda c: "C" if c.accelerated else "pure")
def test_unsupported_types_are_named(codec: Codec) -> None:
    from decimal import Decimal

    with pytest.raises(TypeError, match="column 'price': cannot pack Arrow type decimal128"):
        codec.pack(pa.table({"price": pa.array([Decimal("1.5")])}))
    with pytest.raises(TypeError, match="column 'array': cannot pack Arrow type list_view"):
        codec.pack(pa.array([[1]], pa.list_view(pa.int64())))
    with pytest.raises(TypeError, match="cannot pack numpy dtype complex128"):
        codec.pack(np.array([1j]))
    with pytest.raises(TypeError, match="column 'p': cannot pack pandas dtype period"):
        codec.pack(pd.DataFrame({"p": pd.period_range("2024-01", periods=2, freq="M")}))
    with pytest.raises(TypeError, match="map keys must be strings, found int 0"):
        codec.pack(pd.DataFrame([[1, 2]]))
    with pytest.raises(ValueError, match="column 'a' appears twice"):
        codec.pack(pd.DataFrame([[1, 2]], columns=["a", "a"]))
    with pytest.raises(TypeError, match="column 'm': map keys must be strings"):
        codec.pack(pa.table({"m": pa.array([[(1, 2)]], pa.map_(pa.int64(), pa.int64()))}))
    with pytest.raises(TypeError, match="cannot pack a numpy.complex128"):
        codec.pack(np.complex128(1j))


@pytest.mark.skipif(not ACCELERATED, reason="the C accelerator is not built")
def test_c_refuses_malformed_column_descriptions() -> None:
    from asyncbolt.codec.bulk import _col

    pack = Codec((5, 0), accelerated=True)._pack
    bad = [
        _col("i64", 3, b0=b"\0" * 16),                       # data shorter than the values
        _col("i64", 2, offset=1, b0=b"\0" * 16),             # ... counting the offset
        _col("str32", 1, b0=np.array([0, 5], np.int32), b1=b"abc"),   # offsets beyond the data
        _col("str32", 1, b0=np.array([3, 1], np.int32), b1=b"abc"),   # decreasing offsets
        _col("i64", 9, valid=b"\xff", vkind=1, b0=b"\0" * 72),         # bitmap too short
        _col("list32", 1, b0=np.array([0, 9], np.int32), children=(_col("i8", 2, b0=b"\0\0"),)),
        _col("dict", 1, children=(_col("i8", 1, b0=b"\x05"), _col("i8", 2, b0=b"\0\0"))),
        _col("ts", 1, b0=b"\0" * 8, param=7, hdr=b"\xb2d"),
        (1, 2, 3),
    ]
    for desc in bad:
        with pytest.raises((ValueError, TypeError)):
            pack.columns([(desc[1] if len(desc) > 3 else 2, (desc,))], None, bytearray())


# -- through a server ---------------------------------------------------------------------------

class UnwindSession(asyncbolt.ServerSession):
    """``UNWIND $rows AS row RETURN row``: one record per element of the parameter."""

    async def run(self, query: str, parameters: dict[str, Any], extra: dict[str, Any]) -> asyncbolt.Result:
        assert query == "UNWIND $rows AS row RETURN row"
        return asyncbolt.Result(["row"], [[row] for row in parameters["rows"]])


async def test_unwind_round_trip_through_asyncbolts_server() -> None:
    df = frame()
    t = arrow_table()
    srv = await asyncbolt.serve(UnwindSession, "127.0.0.1", 0)
    async with srv, asyncbolt.connect(uri_of(srv), auth=("neo4j", "pw")) as conn:
        for value, expected in ((df, frame_records(df)), (t, arrow_records(t)),
                                (np.arange(12).reshape(4, 3), np.arange(12).reshape(4, 3).tolist())):
            result = await conn.run("UNWIND $rows AS row RETURN row", {"rows": value})
            rows = [r["row"] async for r in result]
            assert PURE.pack(rows) == PURE.pack(plain(expected))  # bytes: NaN == NaN


def test_random_slices_of_arrays_with_nulls() -> None:
    """Offsets that are not multiples of 8 into validity bitmaps, bool bitmaps and offsets."""
    rng = np.random.default_rng(7)
    for _ in range(40):
        n = int(rng.integers(0, 70))
        ints = [None if rng.random() < 0.3 else int(x) for x in rng.integers(-(2**40), 2**40, n)]
        bools = [None if rng.random() < 0.3 else bool(x) for x in rng.random(n) < 0.5]
        strs = [None if rng.random() < 0.3 else "s" * int(k) for k in rng.integers(0, 20, n)]
        lists = [None if rng.random() < 0.3 else list(range(int(k))) for k in rng.integers(0, 4, n)]
        t = pa.table({"i": pa.array(ints, pa.int64()), "b": pa.array(bools, pa.bool_()),
                      "s": pa.array(strs, pa.string()), "l": pa.array(lists, pa.list_(pa.int16()))})
        start = int(rng.integers(0, n + 1))
        part = t.slice(start, int(rng.integers(0, n - start + 1)))
        assert_packs(part, part.to_pylist())
        assert_packs(part.column("l"), part.column("l").to_pylist())


async def test_dataframe_ingested_by_a_real_database() -> None:
    """``asyncbolt serve``'s LadybugDB backend runs the UNWIND: the rows land as nodes."""
    pytest.importorskip("ladybug", reason="LadybugDB (the asyncbolt[serve] extra) runs the UNWIND")
    from asyncbolt.tools.backends.ladybug.graph import LadybugGraph
    from asyncbolt.tools.backends.ladybug.session import LadybugSession

    from .sessions import ServerThread

    graph = LadybugGraph()
    graph.execute_script("CREATE NODE TABLE Reading(id INT64 PRIMARY KEY, name STRING, score DOUBLE, "
                         "active BOOLEAN, day DATE)")
    n = 2_500
    df = pd.DataFrame({"id": np.arange(n), "name": pd.array([f"r{i}" for i in range(n)], dtype="str"),
                       "score": np.arange(n) / 4, "active": np.arange(n) % 3 == 0})
    table = pa.table({"id": pa.array(range(n, n + 10)), "name": pa.array(["t"] * 10),
                      "score": pa.array([0.5] * 10), "active": pa.array([True] * 10),
                      "day": pa.array([dt.date(2024, 2, 29)] * 10, pa.date32())})
    try:
        with ServerThread(LadybugSession, graph=graph, auth=("neo4j", "pw")) as srv:
            async with asyncbolt.connect(srv.uri, auth=("neo4j", "pw")) as conn:
                for start in range(0, n, 1_000):
                    await (await conn.run("UNWIND $rows AS row CREATE (:Reading {id: row.id, name: row.name, "
                                          "score: row.score, active: row.active})",
                                          {"rows": df.iloc[start:start + 1_000]})).consume()
                await (await conn.run("UNWIND $rows AS row CREATE (:Reading {id: row.id, name: row.name, "
                                      "score: row.score, active: row.active, day: row.day})",
                                      {"rows": table})).consume()
                got = await (await conn.run(
                    "MATCH (r:Reading) RETURN count(r) AS n, sum(r.score) AS s, "
                    "sum(CASE WHEN r.active THEN 1 ELSE 0 END) AS a")).single()
                assert (got["n"], got["s"], got["a"]) == (n + 10, df["score"].sum() + 5.0,
                                                          int(df["active"].sum()) + 10)
                one = await (await conn.run("MATCH (r:Reading {id: 1234}) RETURN r.name AS name")).single()
                assert one["name"] == "r1234"
                day = await (await conn.run("MATCH (r:Reading {id: $id}) RETURN r.day AS d", {"id": n})).single()
                assert day["d"].to_native() == dt.date(2024, 2, 29)
    finally:
        graph.close()


def test_corrupt_times_are_refused_not_wrapped() -> None:
    """A time64[us] beyond any day, multiplied into nanoseconds, would overflow 64 bits."""
    t = pa.table({"t": pa.array([2**62], pa.time64("us"))})
    for codec in CODECS:
        with pytest.raises(ValueError, match="outside the PackStream range"):
            codec.pack(t)
