"""Round-trip properties of the PackStream codec for every value kind, every structure and every
message of every Bolt version (and patch), plus the exact marker chosen at each size boundary."""

from __future__ import annotations

import datetime as dt
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asyncbolt import ProtocolError
from asyncbolt.codec.messages import LAYOUTS, MESSAGES
from asyncbolt.codec.packstream import get_codec, pack, unpack
from asyncbolt.codec.structures import STRUCTURES, Structure
from asyncbolt.codec.types import from_native
from tests.strategies import (
    INT64_MAX,
    INT64_MIN,
    PROFILES,
    STRUCT_SPECS,
    UNKNOWN_TAGS,
    assert_same,
    binaries,
    codec_of,
    fallback_of,
    floats,
    integers,
    message_cases,
    message_of,
    plain_values,
    profile_id,
    struct_layout,
    structure_of,
    structures_in,
    texts,
    values,
)

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

PROFILE_IDS = [profile_id(p) for p in PROFILES]


def roundtrip(value, profile=((5, 0), ())):
    codec = codec_of(profile)
    data = codec.pack(value)
    assert isinstance(data, bytes)
    back = codec.unpack(data)
    # decoding again from a bytearray / memoryview and with unpack_from gives the same
    assert_same(codec.unpack(bytearray(data)), back)
    assert_same(codec.unpack(memoryview(data)), back)
    value2, end = codec.unpack_from(b"\x00\x00" + data + b"\xc0", 2)
    assert end == 2 + len(data)
    assert_same(value2, back)
    return data, back


# ---- scalars -------------------------------------------------------------------------------


@FAST
@given(integers)
def test_int_roundtrip(value: int) -> None:
    data, back = roundtrip(value)
    assert_same(back, value)


@FAST
@given(floats)
def test_float_roundtrip_bit_exact(value: float) -> None:
    data, back = roundtrip(value)
    assert data == b"\xc1" + struct.pack(">d", value)
    assert_same(back, value)


@FAST
@given(texts)
def test_str_roundtrip(value: str) -> None:
    data, back = roundtrip(value)
    assert_same(back, value)


@FAST
@given(binaries)
def test_bytes_roundtrip(value: bytes) -> None:
    data, back = roundtrip(value)
    assert_same(back, value)
    assert data[0] in (0xCC, 0xCD, 0xCE)  # bytes never use a tiny form


def test_none_and_booleans() -> None:
    assert pack(None) == b"\xc0" and unpack(b"\xc0") is None
    assert pack(True) == b"\xc3" and unpack(b"\xc3") is True
    assert pack(False) == b"\xc2" and unpack(b"\xc2") is False


@FAST
@given(plain_values)
def test_plain_value_roundtrip_every_version_same_bytes(value) -> None:
    """Plain values do not depend on the version: every profile writes the same bytes."""
    data = pack(value)
    assert_same(unpack(data), value)
    for profile in PROFILES:
        assert codec_of(profile).pack(value) == data
        assert_same(codec_of(profile).unpack(data), value)


@pytest.mark.parametrize("profile", PROFILES, ids=PROFILE_IDS)
@FEW
@given(data=st.data())
def test_any_value_roundtrip(profile, data) -> None:
    """Values nesting plain values, generic structures and the profile's structure classes."""
    value = data.draw(values(profile))
    _, back = roundtrip(value, profile)
    assert_same(back, value)


def test_tuple_bytearray_and_subclasses_encode_as_their_base_kind() -> None:
    class MyInt(int):
        pass

    class MyStr(str):
        pass

    class MyDict(dict):
        pass

    assert pack((1, 2)) == pack([1, 2]) == b"\x92\x01\x02"
    assert_same(unpack(pack((1, (2,)))), [1, [2]])
    assert pack(bytearray(b"ab")) == pack(b"ab") == b"\xcc\x02ab"
    assert pack(memoryview(b"ab")) == b"\xcc\x02ab"
    assert_same(unpack(pack(bytearray(b"ab"))), b"ab")
    assert pack(MyInt(300)) == pack(300)
    assert pack(MyStr("x")) == b"\x81x"
    assert pack(MyDict(a=1)) == b"\xa1\x81a\x01"
    assert pack({MyStr("k"): 1}) == b"\xa1\x81k\x01"


def test_nested_deeply() -> None:
    value: list = []
    for _ in range(200):
        value = [value]
    data, back = roundtrip(value)
    assert data == b"\x91" * 200 + b"\x90"
    assert_same(back, value)
    nested_map: dict = {}
    for i in range(100):
        nested_map = {str(i): nested_map}
    _, back = roundtrip(nested_map)
    assert_same(back, nested_map)


def test_map_preserves_order_and_duplicate_keys_last_wins() -> None:
    value = {"b": 1, "a": 2, "c": 3}
    assert list(unpack(pack(value))) == ["b", "a", "c"]
    assert unpack(b"\xa2\x81a\x01\x81a\x02") == {"a": 2}


# ---- integer widths: exact markers at every boundary ----------------------------------------

INT_VECTORS = [
    (-16, "f0"),
    (-17, "c8 ef"),
    (127, "7f"),
    (128, "c9 00 80"),
    (-128, "c8 80"),
    (-129, "c9 ff 7f"),
    (32767, "c9 7f ff"),
    (32768, "ca 00 00 80 00"),
    (-32768, "c9 80 00"),
    (-32769, "ca ff ff 7f ff"),
    (2**31 - 1, "ca 7f ff ff ff"),
    (2**31, "cb 00 00 00 00 80 00 00 00"),
    (-(2**31), "ca 80 00 00 00"),
    (-(2**31) - 1, "cb ff ff ff ff 7f ff ff ff"),
    (2**63 - 1, "cb 7f ff ff ff ff ff ff ff"),
    (-(2**63), "cb 80 00 00 00 00 00 00 00"),
    (0, "00"),
    (-1, "ff"),
]


@pytest.mark.parametrize(("value", "hexbytes"), INT_VECTORS, ids=[str(v) for v, _ in INT_VECTORS])
def test_int_width_boundaries(value: int, hexbytes: str) -> None:
    expected = bytes.fromhex(hexbytes)
    for profile in PROFILES:
        assert codec_of(profile).pack(value) == expected
    assert_same(unpack(expected), value)


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, 2**64, -(2**64), 10**30])
def test_int_outside_int64_is_value_error(value: int) -> None:
    with pytest.raises(ValueError):
        pack(value)
    with pytest.raises(ValueError):
        pack([1, {"x": value}])


@FAST
@given(st.integers(INT64_MIN, INT64_MAX))
def test_int_uses_smallest_width(value: int) -> None:
    data = pack(value)
    if -16 <= value <= 127:
        assert len(data) == 1
    elif -128 <= value <= 127:
        assert data[0] == 0xC8 and len(data) == 2
    elif -(2**15) <= value < 2**15:
        assert data[0] == 0xC9 and len(data) == 3
    elif -(2**31) <= value < 2**31:
        assert data[0] == 0xCA and len(data) == 5
    else:
        assert data[0] == 0xCB and len(data) == 9


# ---- size boundaries of strings, bytes, lists and maps --------------------------------------

SIZES = [0, 15, 16, 255, 256, 65535, 65536]


def _size_header(kind: str, n: int) -> bytes:
    tiny = {"string": 0x80, "list": 0x90, "map": 0xA0}
    markers = {
        "string": (0xD0, 0xD1, 0xD2),
        "bytes": (0xCC, 0xCD, 0xCE),
        "list": (0xD4, 0xD5, 0xD6),
        "map": (0xD8, 0xD9, 0xDA),
    }[kind]
    if kind in tiny and n < 16:
        return bytes([tiny[kind] + n])
    if n < 0x100:
        return bytes([markers[0], n])
    if n < 0x10000:
        return bytes([markers[1]]) + n.to_bytes(2, "big")
    return bytes([markers[2]]) + n.to_bytes(4, "big")


@pytest.mark.parametrize("n", SIZES)
def test_string_size_boundaries(n: int) -> None:
    value = "a" * n
    data, back = roundtrip(value)
    assert data == _size_header("string", n) + value.encode()
    assert_same(back, value)


@pytest.mark.parametrize("n", [16, 256, 65536])
def test_string_size_counts_utf8_bytes_not_characters(n: int) -> None:
    value = "é" * (n // 2)  # two bytes each
    data, back = roundtrip(value)
    assert data == _size_header("string", n) + value.encode()
    assert_same(back, value)
    # one byte less: the smaller header still applies
    shorter = "é" * (n // 2 - 1) + "e"
    assert pack(shorter)[: len(_size_header("string", n - 1))] == _size_header("string", n - 1)


@pytest.mark.parametrize("n", SIZES)
def test_bytes_size_boundaries(n: int) -> None:
    value = bytes(range(256)) * (n // 256) + bytes(n % 256)
    data, back = roundtrip(value)
    assert data == _size_header("bytes", n) + value
    assert_same(back, value)


@pytest.mark.parametrize("n", SIZES)
def test_list_size_boundaries(n: int) -> None:
    value = [i % 100 for i in range(n)]
    data, back = roundtrip(value)
    assert data == _size_header("list", n) + bytes(value)
    assert_same(back, value)


@pytest.mark.parametrize("n", SIZES)
def test_map_size_boundaries(n: int) -> None:
    value = {f"{i:05d}": None for i in range(n)}
    data, back = roundtrip(value)
    header = _size_header("map", n)
    assert data[: len(header)] == header
    assert data == header + b"".join(b"\x85" + k.encode() + b"\xc0" for k in value)
    assert_same(back, value)


@pytest.mark.parametrize("n", [15, 16, 255, 256, 65535, 65536])
def test_map_key_size_boundaries(n: int) -> None:
    key = "k" * n
    data, back = roundtrip({key: 1})
    assert data == b"\xa1" + _size_header("string", n) + key.encode() + b"\x01"
    assert_same(back, {key: 1})


# ---- structures ------------------------------------------------------------------------------

STRUCT_CASES = [(p, name) for p in PROFILES for name in structures_in(p)]


@pytest.mark.parametrize(
    ("profile", "name"), STRUCT_CASES, ids=[f"{profile_id(p)}-{n}" for p, n in STRUCT_CASES]
)
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_structure_roundtrip(profile, name, data) -> None:
    value = data.draw(structure_of(name, profile))
    encoded, back = roundtrip(value, profile)
    layout = struct_layout(name, profile)
    assert encoded[0] == 0xB0 + len(layout)
    assert encoded[1] == STRUCTURES[name].tag
    assert type(back) is STRUCTURES[name]
    assert_same(back, value)


@pytest.mark.parametrize("profile", PROFILES, ids=PROFILE_IDS)
def test_structures_of_other_versions_cannot_be_packed(profile) -> None:
    """A structure without a layout (and without a fallback) in a profile: ValueError."""
    codec = codec_of(profile)
    present = set(structures_in(profile))
    for name, cls in STRUCTURES.items():
        if name in present:
            continue
        fb = fallback_of(name)
        if fb is not None and fb[0] in present:
            continue  # converted, see test_fallback_conversion_on_pack
        fields = {f: 0 for f in cls.fields}
        instance = cls(**fields)
        with pytest.raises(ValueError):
            codec.pack(instance)
        with pytest.raises(ValueError):
            codec.pack([{"x": instance}])


def test_vector_and_unsupported_type_only_from_6_0() -> None:
    vec = STRUCTURES["Vector"](b"\xc8", b"\x01")
    for profile in PROFILES:
        if profile[0] >= (6, 0):
            assert codec_of(profile).pack(vec) == b"\xb2\x56\xcc\x01\xc8\xcc\x01\x01"
        else:
            with pytest.raises(ValueError):
                codec_of(profile).pack(vec)


FALLBACK_CASES = [
    (p, name)
    for p in PROFILES
    for name in STRUCTURES
    if struct_layout(name, p) is None
    and fallback_of(name) is not None
    and struct_layout(fallback_of(name)[0], p) is not None
]


@pytest.mark.parametrize(
    ("profile", "name"), FALLBACK_CASES, ids=[f"{profile_id(p)}-{n}" for p, n in FALLBACK_CASES]
)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_fallback_conversion_on_pack(profile, name, data) -> None:
    """DateTime on a legacy profile goes out as LegacyDateTime (and the reverse on UTC profiles):
    the bytes equal those of the converted structure, which is what decodes."""
    target, method = fallback_of(name)
    cls = STRUCTURES[name]
    seconds = data.draw(st.integers(-(2**40), 2**40))
    nanos = data.draw(st.integers(0, 999_999_999))
    if "tz_id" in cls.fields:
        zone = data.draw(st.sampled_from(["Europe/Paris", "UTC", "America/New_York", "Asia/Tokyo"]))
        seconds = data.draw(st.integers(-(2**34), 2**35))  # inside what zoneinfo handles
        value = cls(seconds, nanos, zone)
    else:
        value = cls(seconds, nanos, data.draw(st.integers(-64800, 64800)))
    converted = getattr(value, method)()
    assert type(converted) is STRUCTURES[target]
    codec = codec_of(profile)
    encoded = codec.pack(value)
    assert encoded == codec.pack(converted)
    assert encoded[1] == STRUCTURES[target].tag
    assert_same(codec.unpack(encoded), converted)


def test_native_datetime_on_legacy_profile_goes_out_as_legacy() -> None:
    aware = dt.datetime(1970, 1, 1, 2, 15, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert pack(aware, (4, 4)) == bytes.fromhex("B3 46 C9 1F A4 00 C9 0E 10")
    assert pack(aware, (4, 4), patches=["utc"]) == bytes.fromhex("B3 49 C9 11 94 00 C9 0E 10")
    assert pack(aware, (5, 0)) == bytes.fromhex("B3 49 C9 11 94 00 C9 0E 10")
    with pytest.raises(ValueError):
        pack(aware, (1, 0))


@pytest.mark.parametrize("profile", PROFILES, ids=PROFILE_IDS)
def test_known_tag_of_another_version_is_protocol_error(profile) -> None:
    """A structure tag that the spec defines, but not for this profile, is refused on decode."""
    codec = codec_of(profile)
    present = {STRUCTURES[n].tag for n in structures_in(profile)}
    for name, cls in STRUCTURES.items():
        if cls.tag in present:
            continue
        # every field count any layout of this structure uses
        counts = {
            len(layout["fields"])
            for layout in STRUCT_SPECS[name]["layouts"]
        }
        for count in counts:
            data = bytes([0xB0 + count, cls.tag]) + b"\xc0" * count
            with pytest.raises(ProtocolError) as info:
                codec.unpack(data)
            assert info.value.offset == 0
            with pytest.raises(ProtocolError) as info:
                codec.unpack(b"\x91" + data)
            assert info.value.offset == 1


@FAST
@given(st.sampled_from(PROFILES), st.data())
def test_generic_structure_roundtrip(profile, data) -> None:
    tag = data.draw(st.sampled_from(UNKNOWN_TAGS))
    fields = data.draw(st.lists(plain_values, max_size=15))
    value = Structure(tag, fields)
    encoded, back = roundtrip(value, profile)
    assert encoded[:2] == bytes([0xB0 + len(fields), tag])
    assert_same(back, value)


def test_generic_structure_limits() -> None:
    assert pack(Structure(b"A", [1] * 15))[:2] == b"\xbf\x41"
    with pytest.raises(ValueError):
        pack(Structure(b"A", [1] * 16))


# ---- natives --------------------------------------------------------------------------------


@FAST
@given(
    st.one_of(
        st.dates(),
        st.datetimes(),
        st.datetimes(timezones=st.timezones(), allow_imaginary=False),
        st.datetimes(
            timezones=st.builds(
                dt.timezone, st.integers(-64800, 64800).map(lambda s: dt.timedelta(seconds=s))
            )
        ),
        st.times(),
        st.times(timezones=st.just(dt.timezone(dt.timedelta(hours=-5)))),
        st.timedeltas(),
    )
)
def test_native_temporal_values_roundtrip_through_structures(value) -> None:
    structure = from_native(value)
    assert structure is not None
    data = pack(value)
    assert data == pack(structure)
    back = unpack(data)
    assert_same(back, structure)
    native = back.to_native()
    assert native == value
    assert type(native) is type(value)
    if isinstance(value, (dt.datetime, dt.time)) and value.tzinfo is not None:
        assert native.utcoffset() == value.utcoffset()


@pytest.mark.parametrize("value", [object(), {1, 2}, 1j, frozenset(), type, ...])
def test_unsupported_types_are_type_error(value) -> None:
    with pytest.raises(TypeError):
        pack(value)
    with pytest.raises(TypeError):
        pack({"nested": [value]})


@pytest.mark.parametrize("key", [1, None, b"k", 1.5, ("a",)])
def test_non_string_map_key_is_type_error(key) -> None:
    with pytest.raises(TypeError):
        pack({key: 1})
    with pytest.raises(TypeError):
        pack([{"ok": {key: 1}}])


def test_unencodable_string_is_value_error() -> None:
    with pytest.raises(ValueError):
        pack("\ud800")  # a lone surrogate has no UTF-8 form


# ---- messages ---------------------------------------------------------------------------------

MESSAGE_CASES = message_cases()


@pytest.mark.parametrize(
    ("profile", "cls"),
    MESSAGE_CASES,
    ids=[f"{profile_id(p)}-{c.name}" for p, c in MESSAGE_CASES],
)
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_message_roundtrip(profile, cls, data) -> None:
    codec = codec_of(profile)
    message = data.draw(message_of(cls, profile))
    encoded = codec.pack_message(message)
    names = LAYOUTS[profile[0]][cls]
    assert encoded[:2] == bytes([0xB0 + len(names), cls.signature])
    # the fields follow in wire order, each packed as a value
    assert encoded[2:] == b"".join(codec.pack(getattr(message, n)) for n in names)
    decode = codec.unpack_request if cls.direction == "request" else codec.unpack_response
    back = decode(encoded)
    assert type(back) is cls
    for name in names:
        assert_same(getattr(back, name), getattr(message, name))
    assert_same(back, message)
    assert_same(decode(bytearray(encoded)), back)


@pytest.mark.parametrize("n", SIZES)
def test_message_fields_at_size_boundaries(n: int) -> None:
    """Messages whose fields cross each size boundary: exact field header, lossless decode."""
    for version in [(1, 0), (3, 0), (4, 4), (5, 0), (6, 0)]:
        codec = get_codec(version)
        record = MESSAGES["RECORD"]([i % 128 for i in range(n)])
        data = codec.pack_message(record)
        assert data == b"\xb1\x71" + _size_header("list", n) + bytes(record.data)
        assert_same(codec.unpack_response(data), record)
        query = "q" * n
        run = MESSAGES["RUN"](query, {f"p{i:05d}": i % 128 for i in range(min(n, 300))})
        data = codec.pack_message(run)
        assert data[2 : 2 + len(_size_header("string", n))] == _size_header("string", n)
        assert_same(codec.unpack_request(data), run)
        success = MESSAGES["SUCCESS"]({"fields": ["x"] * n, "bytes": bytes(n)})
        data = codec.pack_message(success)
        assert_same(codec.unpack_response(data), success)


@pytest.mark.parametrize("profile", PROFILES, ids=PROFILE_IDS)
def test_message_of_another_version_cannot_be_packed(profile) -> None:
    codec = codec_of(profile)
    for cls in MESSAGES.values():
        if cls in LAYOUTS[profile[0]]:
            continue
        instance = cls.__new__(cls)
        for name in cls.fields:
            setattr(instance, name, {})
        with pytest.raises(ValueError):
            codec.pack_message(instance)


def test_get_codec_is_cached_and_validates_profile() -> None:
    assert get_codec((5, 0)) is get_codec((5, 0))
    assert get_codec((4, 4), ["utc"]) is get_codec((4, 4), ("utc",))
    assert get_codec((4, 4), ["utc"]) is not get_codec((4, 4))
    with pytest.raises(ValueError):
        get_codec((5, 0), ["utc"])
    with pytest.raises(ValueError):
        get_codec((9, 9))
