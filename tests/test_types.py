"""Structure classes as Python values: temporal conversions to and from the standard library,
legacy/UTC DateTime conversions, Vector helpers, equality and repr."""

from __future__ import annotations

import datetime as dt
import math
import struct
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asyncbolt.codec.messages import Ignored, Run
from asyncbolt.codec.packstream import pack, unpack
from asyncbolt.codec.structures import (
    Date,
    DateTime,
    DateTimeZoneId,
    Duration,
    LegacyDateTime,
    LegacyDateTimeZoneId,
    LocalDateTime,
    LocalTime,
    Node,
    Path,
    Point2D,
    Point3D,
    Relationship,
    Structure,
    Time,
    UnboundRelationship,
    UnsupportedType,
    Vector,
)
from asyncbolt.codec.types import from_native
from tests.strategies import assert_same

UTC = dt.timezone.utc
PARIS = ZoneInfo("Europe/Paris")
PROPS = settings(max_examples=60, deadline=None)


def tz(seconds: int) -> dt.timezone:
    return dt.timezone(dt.timedelta(seconds=seconds))


def through_wire(value, version=(5, 0), patches=()):
    return unpack(pack(value, version, patches=patches), version, patches=patches)


# ---- from_native dispatch ----------------------------------------------------------------------


def test_from_native_picks_the_structure() -> None:
    assert from_native(dt.date(1970, 1, 2)) == Date(1)
    assert from_native(dt.datetime(1970, 1, 1, 0, 0, 1)) == LocalDateTime(1, 0)
    assert from_native(dt.datetime(1970, 1, 1, 1, tzinfo=tz(3600))) == DateTime(0, 0, 3600)
    assert from_native(dt.datetime(1970, 1, 1, 1, tzinfo=PARIS)) == DateTimeZoneId(
        0, 0, "Europe/Paris"
    )
    assert from_native(dt.time(0, 0, 1)) == LocalTime(1_000_000_000)
    assert from_native(dt.time(0, 0, 1, tzinfo=tz(-3600))) == Time(1_000_000_000, -3600)
    assert from_native(dt.timedelta(days=1, seconds=2, microseconds=3)) == Duration(0, 1, 2, 3000)
    for other in (None, 1, "2020-01-01", [dt.date(2020, 1, 1)], True):
        assert from_native(other) is None


def test_native_values_pack_as_their_structures() -> None:
    for native in (
        dt.date(2022, 1, 8),
        dt.datetime(2022, 1, 8, 12, 30),
        dt.datetime(2022, 1, 8, 12, 30, tzinfo=tz(19800)),
        dt.datetime(2022, 1, 8, 12, 30, tzinfo=PARIS),
        dt.time(23, 59, 59, 999999),
        dt.time(6, 0, tzinfo=tz(-36000)),
        dt.timedelta(days=-3, microseconds=5),
    ):
        structure = from_native(native)
        assert pack(native) == pack(structure)
        back = unpack(pack(native))
        assert_same(back, structure)
        assert back.to_native() == native


# ---- Date --------------------------------------------------------------------------------------


def test_date_known_values() -> None:
    assert Date.from_native(dt.date(1970, 1, 1)) == Date(0)
    assert Date.from_native(dt.date(1969, 12, 31)) == Date(-1)
    assert Date.from_native(dt.date(2022, 1, 8)) == Date(19000)
    assert Date.from_native(dt.date(1, 1, 1)) == Date(-719162)
    assert Date.from_native(dt.date(9999, 12, 31)) == Date(2932896)
    assert Date(19000).to_native() == dt.date(2022, 1, 8)


@PROPS
@given(st.dates())
def test_date_roundtrip(value: dt.date) -> None:
    structure = Date.from_native(value)
    assert structure.to_native() == value
    assert through_wire(value) == structure
    assert through_wire(value, (2, 0)).to_native() == value


@pytest.mark.parametrize("days", [2932897, -719163, 10**9, -(10**9), 2**62])
def test_date_out_of_range_stays_a_structure(days: int) -> None:
    structure = through_wire(Date(days))
    assert structure == Date(days)
    with pytest.raises(ValueError):
        structure.to_native()


# ---- LocalTime and Time ------------------------------------------------------------------------


def test_local_time_known_values() -> None:
    t = dt.time(12, 34, 56, 789012)
    assert LocalTime.from_native(t) == LocalTime(45296789012000)
    assert LocalTime(45296789012000).to_native() == t
    assert LocalTime(0).to_native() == dt.time(0)
    assert LocalTime(86_399_999_999_999).to_native() == dt.time(23, 59, 59, 999999)


@pytest.mark.parametrize("ns", [-1, 86_400 * 10**9, 2**62])
def test_local_time_outside_a_day(ns: int) -> None:
    assert through_wire(LocalTime(ns)) == LocalTime(ns)
    with pytest.raises(ValueError):
        LocalTime(ns).to_native()
    with pytest.raises(ValueError):
        Time(ns, 0).to_native()


@PROPS
@given(st.times(), st.integers(-64800, 64800))
def test_time_roundtrip(value: dt.time, offset: int) -> None:
    assert LocalTime.from_native(value).to_native() == value
    aware = value.replace(tzinfo=tz(offset))
    structure = Time.from_native(aware)
    assert structure == Time(LocalTime.from_native(value).nanoseconds, offset)
    back = through_wire(aware).to_native()
    assert back == aware and back.utcoffset() == dt.timedelta(seconds=offset)


def test_time_from_native_needs_an_aware_time() -> None:
    with pytest.raises(ValueError):
        Time.from_native(dt.time(1))


# ---- LocalDateTime -------------------------------------------------------------------------------


def test_local_datetime_known_values() -> None:
    assert LocalDateTime.from_native(dt.datetime(1970, 1, 1)) == LocalDateTime(0, 0)
    assert LocalDateTime.from_native(dt.datetime(1969, 12, 31, 23, 59, 59, 999999)) == (
        LocalDateTime(-1, 999_999_000)
    )
    assert LocalDateTime(-1, 999_999_000).to_native() == dt.datetime(1969, 12, 31, 23, 59, 59, 999999)


@PROPS
@given(st.datetimes())
def test_local_datetime_roundtrip(value: dt.datetime) -> None:
    structure = LocalDateTime.from_native(value)
    assert 0 <= structure.nanoseconds < 10**9
    assert structure.to_native() == value
    assert through_wire(value).to_native() == value


@pytest.mark.parametrize("seconds", [253402300800, -62135596801, 2**62, -(2**62)])
def test_local_datetime_out_of_range(seconds: int) -> None:
    assert through_wire(LocalDateTime(seconds, 1)) == LocalDateTime(seconds, 1)
    with pytest.raises(ValueError):
        LocalDateTime(seconds, 1).to_native()


# ---- DateTime (fixed offset) and its legacy form ---------------------------------------------------


def test_datetime_docs_example() -> None:
    # docs-bolt: 1970-01-01T02:15:00+01:00 is I(4500, _, 3600) and legacy F(8100, _, 3600)
    native = dt.datetime(1970, 1, 1, 2, 15, tzinfo=tz(3600))
    assert DateTime.from_native(native) == DateTime(4500, 0, 3600)
    assert DateTime(4500, 0, 3600).to_native() == native
    assert DateTime(4500, 0, 3600).to_native().utcoffset() == dt.timedelta(hours=1)
    assert DateTime(4500, 42, 3600).to_legacy() == LegacyDateTime(8100, 42, 3600)
    assert LegacyDateTime(8100, 42, 3600).to_utc() == DateTime(4500, 42, 3600)
    assert LegacyDateTime(8100, 0, 3600).to_native() == native


def test_datetime_from_native_needs_an_aware_datetime() -> None:
    with pytest.raises(ValueError):
        DateTime.from_native(dt.datetime(2020, 1, 1))
    with pytest.raises(ValueError):
        DateTimeZoneId.from_native(dt.datetime(2020, 1, 1, tzinfo=tz(0)))


@PROPS
@given(st.datetimes(), st.integers(-64800, 64800))
def test_datetime_fixed_offset_roundtrip(naive: dt.datetime, offset: int) -> None:
    value = naive.replace(tzinfo=tz(offset))
    structure = DateTime.from_native(value)
    assert structure.tz_offset_seconds == offset
    assert structure.seconds == LocalDateTime.from_native(naive).seconds - offset
    native = structure.to_native()
    assert native == value and native.utcoffset() == value.utcoffset()
    # UTC profiles send it as is, legacy profiles as F, and it comes back as the same instant
    assert through_wire(value) == structure
    legacy = through_wire(value, (4, 4))
    assert type(legacy) is LegacyDateTime
    assert legacy == structure.to_legacy()
    assert legacy.to_native() == value
    assert through_wire(value, (4, 4), ("utc",)) == structure


@PROPS
@given(st.integers(-(2**60), 2**60), st.integers(0, 10**9 - 1), st.integers(-64800, 64800))
def test_to_legacy_and_to_utc_are_inverse(seconds: int, nanos: int, offset: int) -> None:
    utc = DateTime(seconds, nanos, offset)
    assert utc.to_legacy().to_utc() == utc
    legacy = LegacyDateTime(seconds, nanos, offset)
    assert legacy.to_utc().to_legacy() == legacy
    assert utc.to_legacy().seconds - utc.seconds == offset


def test_datetime_out_of_range_stays_a_structure() -> None:
    for value in (DateTime(2**62, 5, 0), DateTime(-(2**62), 5, 3600)):
        assert through_wire(value) == value
        with pytest.raises(ValueError):
            value.to_native()
    # the UTC instant fits in datetime but the local wall clock (+2h) is in year 10000
    edge = DateTime.from_native(dt.datetime(9999, 12, 31, 23, tzinfo=UTC))
    late = DateTime(edge.seconds, 0, 7200)
    with pytest.raises(ValueError):
        late.to_native()
    with pytest.raises(ValueError):
        LegacyDateTime(2**62, 0, 0).to_native()


# ---- DateTimeZoneId across DST (Europe/Paris) -----------------------------------------------------


def _epoch(*args) -> int:
    return int(dt.datetime(*args, tzinfo=UTC).timestamp())


def test_zone_id_summer_and_winter() -> None:
    summer = dt.datetime(2023, 7, 1, 12, 0, tzinfo=PARIS)
    winter = dt.datetime(2023, 1, 15, 12, 0, tzinfo=PARIS)
    s, w = DateTimeZoneId.from_native(summer), DateTimeZoneId.from_native(winter)
    assert s == DateTimeZoneId(_epoch(2023, 7, 1, 10), 0, "Europe/Paris")
    assert w == DateTimeZoneId(_epoch(2023, 1, 15, 11), 0, "Europe/Paris")
    for structure, native, offset in ((s, summer, 7200), (w, winter, 3600)):
        back = structure.to_native()
        assert back == native
        assert back.tzinfo.key == "Europe/Paris"
        assert back.utcoffset() == dt.timedelta(seconds=offset)
        legacy = structure.to_legacy()
        assert legacy == LegacyDateTimeZoneId(structure.seconds + offset, 0, "Europe/Paris")
        assert legacy.to_utc() == structure
        assert legacy.to_native() == native
        # on the wire: i in 5.0, f in 4.4, and back to the same instant either way
        assert through_wire(native) == structure
        assert through_wire(native, (4, 4)) == legacy
        assert through_wire(native, (4, 4)).to_native() == native


def test_zone_id_spring_forward() -> None:
    # 2023-03-26 01:59:59+01:00 and, one second later, 03:00:00+02:00
    before = DateTimeZoneId(_epoch(2023, 3, 26, 0, 59, 59), 0, "Europe/Paris")
    after = DateTimeZoneId(before.seconds + 1, 0, "Europe/Paris")
    assert before.to_native().replace(tzinfo=None) == dt.datetime(2023, 3, 26, 1, 59, 59)
    assert after.to_native().replace(tzinfo=None) == dt.datetime(2023, 3, 26, 3, 0, 0)
    assert after.to_legacy().seconds - before.to_legacy().seconds == 3601
    assert before.to_legacy().to_utc() == before
    assert after.to_legacy().to_utc() == after
    # a wall-clock time inside the gap (02:30 does not exist) still gives an instant
    gap = LegacyDateTimeZoneId(_epoch(2023, 3, 26, 2, 30), 0, "Europe/Paris").to_utc()
    assert gap.seconds in (_epoch(2023, 3, 26, 0, 30), _epoch(2023, 3, 26, 1, 30))


def test_zone_id_fall_back_overlap() -> None:
    # 2023-10-29 02:30 happens twice in Paris: at +02:00 (fold=0) then at +01:00 (fold=1)
    first = dt.datetime(2023, 10, 29, 2, 30, tzinfo=PARIS, fold=0)
    second = dt.datetime(2023, 10, 29, 2, 30, tzinfo=PARIS, fold=1)
    a, b = DateTimeZoneId.from_native(first), DateTimeZoneId.from_native(second)
    assert a.seconds == _epoch(2023, 10, 29, 0, 30)
    assert b.seconds == _epoch(2023, 10, 29, 1, 30)
    assert a.to_native().utcoffset() == dt.timedelta(hours=2)
    assert b.to_native().utcoffset() == dt.timedelta(hours=1)
    assert b.to_native().fold == 1
    # the legacy form counts the wall clock, so both instants look the same there ...
    assert a.to_legacy() == b.to_legacy()
    # ... and converting back picks the earlier one
    assert a.to_legacy().to_utc() == a
    assert b.to_legacy().to_utc() == a
    # the UTC forms keep them apart on the wire
    assert through_wire(second) == b and through_wire(first) == a


@PROPS
@given(st.integers(_epoch(1900, 1, 1), _epoch(2100, 1, 1)), st.integers(0, 10**9 - 1))
def test_zone_id_to_legacy_then_to_utc_outside_overlaps(seconds: int, nanos: int) -> None:
    value = DateTimeZoneId(seconds, nanos, "Europe/Paris")
    legacy = value.to_legacy()
    offset = value.to_native().utcoffset().total_seconds()
    assert legacy.seconds == seconds + offset
    back = legacy.to_utc()
    local = value.to_native()
    if local.fold == 0 and local.replace(fold=1).utcoffset() == local.utcoffset():
        assert back == value  # not in an overlap: exact inverse
    else:
        assert back.seconds in (seconds, seconds - 3600)


def test_zone_id_out_of_range_stays_a_structure() -> None:
    value = DateTimeZoneId(2**62, 1, "Europe/Paris")
    assert through_wire(value) == value
    with pytest.raises(ValueError):
        value.to_native()


@pytest.mark.parametrize("seconds", [2**50, 2**62, -(2**62)])
def test_legacy_zone_id_out_of_range_to_native_is_value_error(seconds: int) -> None:
    """A legacy zone-id datetime far outside datetime's years stays a structure on the wire and
    its to_native() raises ValueError (as every other temporal structure does), not the
    OverflowError of the zone lookup."""
    value = LegacyDateTimeZoneId(seconds, 1, "Europe/Paris")
    assert through_wire(value, (4, 4)) == value
    with pytest.raises(ValueError):
        value.to_native()


@pytest.mark.parametrize("seconds", [2**50, 2**62, -(2**62)])
def test_out_of_range_zone_id_packed_for_another_profile_is_value_error(seconds: int) -> None:
    """Converting f <-> i when packing needs the zone's offset at that instant; for an instant
    datetime cannot hold, pack() must raise its documented ValueError (2**40 s already does),
    not OverflowError."""
    with pytest.raises(ValueError):
        pack(DateTimeZoneId(seconds, 0, "Europe/Paris"), (4, 4))
    with pytest.raises(ValueError):
        pack(LegacyDateTimeZoneId(seconds, 0, "Europe/Paris"), (5, 0))


def test_unknown_zone_to_native_is_value_error() -> None:
    """A zone the local tz database does not know (a server may send any tz_id) cannot become a
    datetime: to_native() promises ValueError where Python cannot hold the value."""
    value = DateTimeZoneId(0, 0, "Nowhere/Atlantis")
    assert through_wire(value) == value  # the codec itself does not care
    with pytest.raises(ValueError):
        value.to_native()


def test_unknown_zone_packed_for_another_profile_is_value_error() -> None:
    """Packing a zone-id datetime in the other form (legacy f <-> UTC i) needs the zone's offset;
    for an unknown zone pack() must fail with its documented ValueError, not zoneinfo's
    KeyError."""
    with pytest.raises(ValueError):
        pack(DateTimeZoneId(0, 0, "Nowhere/Atlantis"), (4, 4))
    with pytest.raises(ValueError):
        pack(LegacyDateTimeZoneId(0, 0, "Nowhere/Atlantis"), (5, 0))


# ---- nanoseconds ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("structure", "micro"),
    [
        (Time(1_123_456_789, 0), 123456),
        (LocalTime(1_123_456_789), 123456),
        (LocalDateTime(1, 123_456_789), 123456),
        (DateTime(1, 123_456_789, 3600), 123456),
        (DateTimeZoneId(1, 123_456_789, "Europe/Paris"), 123456),
        (LegacyDateTime(1, 999_999_999, 0), 999999),
    ],
)
def test_nanoseconds_preserved_in_structures(structure, micro: int) -> None:
    for version in ((4, 4), (5, 0)):
        back = through_wire(structure, version)
        if type(back) is type(structure):
            assert back == structure
        else:  # converted to the form of that version: same nanoseconds
            assert back.nanoseconds == structure.nanoseconds
    assert structure.to_native().microsecond == micro  # to_native truncates to microseconds


# ---- Duration -----------------------------------------------------------------------------------


@PROPS
@given(st.timedeltas())
def test_duration_roundtrip(value: dt.timedelta) -> None:
    structure = Duration.from_native(value)
    assert structure == Duration(0, value.days, value.seconds, value.microseconds * 1000)
    assert structure.to_native() == value
    assert through_wire(value).to_native() == value


@pytest.mark.parametrize(
    "value",
    [Duration(0, 10**9, 0, 0), Duration(0, -(10**9), 0, 0), Duration(0, 999_999_999, 86400, 0),
     Duration(0, 2**40, 0, 0), Duration(0, 0, 2**62, 0)],
)
def test_duration_out_of_range_stays_a_structure(value) -> None:
    """Beyond timedelta's +-999999999 days: lossless on the wire, to_native() raises ValueError
    like every temporal structure Python cannot hold (not timedelta's OverflowError)."""
    assert through_wire(value) == value
    with pytest.raises(ValueError):
        value.to_native()


def test_duration_components() -> None:
    assert Duration(0, -1, 0, 0).to_native() == dt.timedelta(days=-1)
    assert Duration(0, 1, -1, 1500).to_native() == dt.timedelta(days=1, seconds=-1, microseconds=1)
    assert through_wire(Duration(-(2**63), 2**63 - 1, -1, 999_999_999)) == Duration(
        -(2**63), 2**63 - 1, -1, 999_999_999
    )
    with pytest.raises(ValueError):
        Duration(14, 16, 12, 0).to_native()  # months have no fixed length


# ---- Vector ---------------------------------------------------------------------------------------

VECTOR_CASES = [
    ("int8", 0xC8, "b", [-128, -1, 0, 1, 127]),
    ("int16", 0xC9, "h", [-32768, -1, 0, 300, 32767]),
    ("int32", 0xCA, "i", [-(2**31), 0, 2**31 - 1]),
    ("int64", 0xCB, "q", [-(2**63), 0, 2**63 - 1]),
    ("float32", 0xC6, "f", [1.0, -2.5, 0.0, float("inf")]),
    ("float64", 0xC1, "d", [1.0, -2.5, 1e300, 5e-324, float("-inf")]),
]


@pytest.mark.parametrize(("etype", "marker", "fmt", "items"), VECTOR_CASES, ids=[c[0] for c in VECTOR_CASES])
def test_vector_from_list_to_list(etype, marker, fmt, items) -> None:
    vec = Vector.from_list(items, etype)
    assert vec.type_marker == bytes([marker])
    assert vec.data == struct.pack(f">{len(items)}{fmt}", *items)
    assert vec.element_type == etype
    assert vec.to_list() == items
    assert all(type(x) is type(y) for x, y in zip(vec.to_list(), items, strict=True))
    back = through_wire(vec, (6, 0))
    assert back == vec and back.to_list() == items
    empty = Vector.from_list([], etype)
    assert empty.data == b"" and empty.to_list() == []


def test_vector_float32_rounds_and_nan() -> None:
    vec = Vector.from_list([0.1, math.nan], "float32")
    out = vec.to_list()
    assert out[0] == struct.unpack(">f", struct.pack(">f", 0.1))[0] and out[0] != 0.1
    assert math.isnan(out[1])


def test_vector_defaults_and_errors() -> None:
    assert Vector.from_list([1.5]).element_type == "float64"
    with pytest.raises(ValueError):
        Vector.from_list([1], "int128")
    with pytest.raises(ValueError):
        Vector(b"\xc9", b"\x00\x01\x02").to_list()  # 3 bytes is not a whole number of int16
    with pytest.raises(ValueError):
        _ = Vector(b"\x00", b"").element_type
    with pytest.raises(ValueError):
        _ = Vector(b"\xc8\xc8", b"").element_type


@pytest.mark.parametrize(
    ("items", "etype"), [([128], "int8"), ([-129], "int8"), ([2**15], "int16"), ([2**63], "int64")]
)
def test_vector_from_list_out_of_range_is_value_error(items, etype) -> None:
    with pytest.raises(ValueError):
        Vector.from_list(items, etype)


# ---- equality, hashing and repr ------------------------------------------------------------------


def test_structure_equality_compares_type_and_fields() -> None:
    assert Date(1) == Date(1)
    assert Date(1) != Date(2)
    assert Date(1) != LocalTime(1)  # same field values, different structure
    assert DateTime(1, 2, 3) != LegacyDateTime(1, 2, 3)
    assert Date(1) != 1 and Date(1) != Structure(0x44, [1])
    assert Node(1, ["L"], {"a": 1}, "e") == Node(1, ["L"], {"a": 1}, "e")
    assert Node(1, ["L"], {"a": 1}, "e") != Node(1, ["L"], {"a": 1}, "f")
    assert Node(1, ["L"], {}) == Node(1, ["L"], {}, None)
    rel = Relationship(1, 2, 3, "T", {}, "r", "a", "b")
    assert rel == Relationship(1, 2, 3, "T", {}, "r", "a", "b")
    assert rel != Relationship(1, 2, 3, "U", {}, "r", "a", "b")
    path = Path([Node(1, [], {}, "a")], [UnboundRelationship(5, "T", {}, "r")], [1, 0])
    assert path == Path([Node(1, [], {}, "a")], [UnboundRelationship(5, "T", {}, "r")], [1, 0])
    assert Point2D(7203, 1.0, 2.0) != Point3D(7203, 1.0, 2.0, 0.0)
    assert list(Point3D(9157, 1.0, 2.0, 3.0)) == [9157, 1.0, 2.0, 3.0]
    assert UnsupportedType("T", 6, 1, {}) == UnsupportedType("T", 6, 1, {})


def test_structures_are_unhashable() -> None:
    for value in (Date(1), Node(1, [], {}), Structure(0x41, []), Run("q", {})):
        with pytest.raises(TypeError):
            hash(value)


def test_reprs() -> None:
    assert repr(Date(19000)) == "Date(days=19000)"
    assert repr(Point2D(7203, 1.0, 2.0)) == "Point2D(srid=7203, x=1.0, y=2.0)"
    assert repr(Node(1, ["L"], {"a": 1}, "4:x:1")) == (
        "Node(id=1, labels=['L'], properties={'a': 1}, element_id='4:x:1')"
    )
    assert repr(Structure(0x58, [1])) == "Structure(tag=0x58, fields=[1])"
    assert repr(Run("RETURN 1", {})) == "Run(query='RETURN 1', parameters={}, extra={})"
    assert eval(repr(Duration(1, 2, 3, 4))) == Duration(1, 2, 3, 4)


def test_generic_structure() -> None:
    assert Structure(b"X", [1]) == Structure(0x58, [1])
    assert Structure(0x58, (1, 2)).fields == [1, 2]
    assert Structure(0x58) == Structure(0x58, [])
    assert Structure(0x41, [1]) != Structure(0x42, [1])
    assert Structure(0x41, [1]) != Structure(0x41, [2])
    for bad in (0x80, -1, 256, b"XX", b""):
        with pytest.raises(ValueError):
            Structure(bad)


def test_message_equality() -> None:
    assert Run("q", {}) == Run("q", {}, {})
    assert Run("q", {}) != Run("q", {"a": 1})
    assert Ignored() == Ignored({})
    assert Ignored() != Run("q", {})
