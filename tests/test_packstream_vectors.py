"""Conformance vectors with exact bytes.

Sources (see /work/shared/bolt-spec-detailed.md section 7.1 and the Appendix):
docs-bolt ``packstream/index.adoc``; the official Python driver's
``tests/unit/common/codec/packstream/v1/test_packstream.py`` (marker families); the Go driver's
3.14; the JS driver's Bolt 1 INIT+RUN session; the Appendix's computed structure and message
bytes. Every vector is checked in both directions: encode equals the bytes, decode equals the
value.
"""

from __future__ import annotations

import math
import struct

import pytest

from asyncbolt import ProtocolError
from asyncbolt.codec.messages import (
    LAYOUTS,
    Begin,
    Commit,
    Discard,
    Goodbye,
    Hello,
    Ignored,
    Init,
    Logoff,
    Pull,
    Record,
    Reset,
    Rollback,
    Route,
    Run,
    Success,
    Telemetry,
)
from asyncbolt.codec.packstream import get_codec, pack, unpack
from asyncbolt.codec.structures import (
    Date,
    DateTime,
    DateTimeZoneId,
    Duration,
    LegacyDateTime,
    Node,
    Point2D,
    Structure,
    Vector,
)
from asyncbolt.core.framing import ChunkReader, ChunkWriter, chunk_message
from tests.strategies import PROFILES, assert_same, codec_of, profile_id, struct_layout


def h(text: str) -> bytes:
    return bytes.fromhex(text)


def both_ways(value, data: bytes, profile=((5, 0), ())) -> None:
    codec = codec_of(profile)
    assert codec.pack(value) == data
    assert_same(codec.unpack(data), value)


# ---- docs-bolt packstream/index.adoc -------------------------------------------------------

AZ = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

DOCS_VECTORS = [
    ("int 42", 42, h("2A")),
    ("int64 min", -(2**63), h("CB 80 00 00 00 00 00 00 00")),
    ("int64 max", 2**63 - 1, h("CB 7F FF FF FF FF FF FF FF")),
    ("float 1.23", 1.23, h("C1 3F F3 AE 14 7A E1 47 AE")),
    ("bytes empty", b"", h("CC 00")),
    ("bytes 1 2 3", b"\x01\x02\x03", h("CC 03 01 02 03")),
    ("string empty", "", h("80")),
    ("string A", "A", h("81 41")),
    ("string A-Z", AZ, h("D0 1A") + AZ.encode()),
    (
        "string Größenmaßstäbe",
        "Größenmaßstäbe",
        h("D0 12 47 72 C3 B6 C3 9F 65 6E 6D 61 C3 9F 73 74 C3 A4 62 65"),
    ),
    ("list empty", [], h("90")),
    ("list 1 2 3", [1, 2, 3], h("93 01 02 03")),
    ("list mixed", [1, 2.0, "three"], h("93 01 C1 40 00 00 00 00 00 00 00 85 74 68 72 65 65")),
    ("list 1..40", list(range(1, 41)), h("D4 28") + bytes(range(1, 41))),
    ("map empty", {}, h("A0")),
    ("map one eins", {"one": "eins"}, h("A1 83 6F 6E 65 84 65 69 6E 73")),
    (
        "map A..Z",
        {c: i for i, c in enumerate(AZ, 1)},
        h("D8 1A") + b"".join(bytes([0x81, ord(c), i]) for i, c in enumerate(AZ, 1)),
    ),
    ("go float 3.14", 3.14, h("C1 40 09 1E B8 51 EB 85 1F")),
]


@pytest.mark.parametrize(("name", "value", "data"), DOCS_VECTORS, ids=[v[0] for v in DOCS_VECTORS])
def test_docs_vectors(name, value, data) -> None:
    for profile in PROFILES:
        both_ways(value, data, profile)


@pytest.mark.parametrize(
    "data",
    [h("2A"), h("C8 2A"), h("C9 00 2A"), h("CA 00 00 00 2A"), h("CB 00 00 00 00 00 00 00 2A")],
)
def test_docs_42_in_every_width_decodes(data: bytes) -> None:
    assert_same(unpack(data), 42)
    assert pack(42) == b"\x2a"


def test_docs_non_canonical_widths_decode_at_their_extremes() -> None:
    assert_same(unpack(h("C8 80")), -128)
    assert_same(unpack(h("C8 7F")), 127)
    assert_same(unpack(h("C9 FF FF")), -1)
    assert_same(unpack(h("CA FF FF FF F0")), -16)
    assert_same(unpack(h("CB FF FF FF FF FF FF FF FF")), -1)


# ---- the Python driver's marker families ---------------------------------------------------


def test_py_null_and_booleans() -> None:
    both_ways(None, h("C0"))
    both_ways(True, h("C3"))
    both_ways(False, h("C2"))


def test_py_all_tiny_ints() -> None:
    for z in range(-16, 128):
        both_ways(z, bytes([z % 256]))


def test_py_int8_negative() -> None:
    for z in range(-128, -16):
        both_ways(z, bytes([0xC8, z + 0x100]))


def test_py_int16() -> None:
    for z in [*range(-32768, -128, 97), -129, *range(128, 32768, 97), 32767]:
        both_ways(z, b"\xc9" + struct.pack(">h", z))


def test_py_int32_and_int64_powers() -> None:
    for e in range(15, 31):
        both_ways(2**e, b"\xca" + struct.pack(">i", 2**e))
        both_ways(-(2**e + 1), b"\xca" + struct.pack(">i", -(2**e + 1)))
    for e in range(31, 63):
        both_ways(2**e, b"\xcb" + struct.pack(">q", 2**e))
        both_ways(-(2**e + 1), b"\xcb" + struct.pack(">q", -(2**e + 1)))


@pytest.mark.parametrize(
    "z",
    [0.0, -0.0, math.pi, 2 * math.pi, math.inf, -math.inf, math.nan]
    + [float(2**e) + 0.5 for e in range(0, 100, 7)]
    + [-float(2**e) + 0.5 for e in range(0, 100, 7)],
)
def test_py_floats(z: float) -> None:
    both_ways(z, b"\xc1" + struct.pack(">d", z))


def test_py_bytes() -> None:
    both_ways(b"", h("CC 00"))
    both_ways(b"hello", h("CC 05") + b"hello")
    both_ways(bytes(40000), h("CD 9C 40") + bytes(40000))
    both_ways(bytes(80000), h("CE 00 01 38 80") + bytes(80000))
    assert pack(bytearray(b"hello")) == h("CC 05") + b"hello"


def test_py_strings() -> None:
    both_ways("", h("80"))
    for size in range(16):
        both_ways("A" * size, bytes([0x80 + size]) + b"A" * size)
    both_ways("A" * 40, h("D0 28") + b"A" * 40)
    both_ways("A" * 40000, h("D1 9C 40") + b"A" * 40000)
    both_ways("A" * 80000, h("D2 00 01 38 80") + b"A" * 80000)
    both_ways("héllö", bytes([0x80 + 7]) + "héllö".encode())


def test_py_lists() -> None:
    for size in range(16):
        both_ways([1] * size, bytes([0x90 + size]) + b"\x01" * size)
    both_ways([1] * 40, h("D4 28") + b"\x01" * 40)
    both_ways([1] * 40000, h("D5 9C 40") + b"\x01" * 40000)
    both_ways([1] * 80000, h("D6 00 01 38 80") + b"\x01" * 80000)
    both_ways([[[]]], h("91 91 90"))
    assert pack(([],)) == h("91 90")


def test_py_maps() -> None:
    for size in range(16):
        value = {chr(64 + el): el for el in range(1, size + 1)}
        data = bytes([0xA0 + size]) + b"".join(bytes([0x81, 64 + el, el]) for el in value.values())
        both_ways(value, data)
    padding = "1234567890abcdefghijklmnopqrstuvwxyz"
    for size in range(16):
        value = {padding + chr(64 + el): el for el in range(1, size + 1)}
        data = bytes([0xA0 + size]) + b"".join(
            bytes([0xD0, 37]) + padding.encode() + bytes([64 + el, el]) for el in range(1, size + 1)
        )
        both_ways(value, data)
    for n, header in ((40, h("D8 28")), (40000, h("D9 9C 40")), (80000, h("DA 00 01 38 80"))):
        value = {f"A{i}": 1 for i in range(n)}
        both_ways(value, header + b"".join(pack(f"A{i}") + b"\x01" for i in range(n)))


def test_py_map_keys_of_every_string_width() -> None:
    both_ways({"A": 1}, h("A1 81 41 01"))
    both_ways({"A" * 40: 1}, h("A1 D0 28") + b"A" * 40 + b"\x01")
    both_ways({"A" * 40000: 1}, h("A1 D1 9C 40") + b"A" * 40000 + b"\x01")
    both_ways({"A" * 80000: 1}, h("A1 D2 00 01 38 80") + b"A" * 80000 + b"\x01")


@pytest.mark.parametrize(
    "value", [{1: "1"}, {"x": {1: "eins", 2: "zwei", 3: "drei"}}, {"x": {(1, 2): "1+2i"}}]
)
def test_py_map_key_type(value) -> None:
    with pytest.raises(TypeError, match="string"):
        pack(value)


def test_py_structs() -> None:
    # "X" with no fields: encodes the same in every version ...
    for profile in PROFILES:
        assert codec_of(profile).pack(Structure(b"X", [])) == h("B0 58")
    # ... but X is Point2D's tag: a 0-field X is refused where Point2D exists (3 fields) and,
    # as a tag of another version, in Bolt 1.0 too
    for profile in PROFILES:
        with pytest.raises(ProtocolError) as info:
            codec_of(profile).unpack(h("B0 58"))
        assert info.value.offset == 0
    for size in range(16):
        both_ways(Structure(b"A", [1] * size), bytes([0xB0 + size, 0x41]) + b"\x01" * size)
    with pytest.raises(ValueError):
        pack(Structure(b"X", [1] * 16))
    with pytest.raises(ValueError):
        Structure(b"XXX")


# ---- Appendix: structures ------------------------------------------------------------------

LEGACY = [p for p in PROFILES if struct_layout("LegacyDateTime", p) is not None]
UTC = [p for p in PROFILES if struct_layout("DateTime", p) is not None]


def test_appendix_date() -> None:
    for profile in PROFILES:
        if struct_layout("Date", profile) is not None:
            both_ways(Date(19000), h("B1 44 C9 4A 38"), profile)
    assert Date(19000).to_native().isoformat() == "2022-01-08"


def test_appendix_datetime_utc_vs_legacy() -> None:
    utc_bytes = h("B3 49 C9 11 94 2A C9 0E 10")
    legacy_bytes = h("B3 46 C9 1F A4 2A C9 0E 10")
    # docs-bolt: 1970-01-01T02:15:00.000000042+01:00 is I(4500, 42, 3600) but F(8100, 42, 3600)
    assert DateTime(4500, 42, 3600).to_legacy() == LegacyDateTime(8100, 42, 3600)
    assert LegacyDateTime(8100, 42, 3600).to_utc() == DateTime(4500, 42, 3600)
    assert {profile_id(p) for p in UTC} >= {"4.3+utc", "4.4+utc", "5.0", "6.0"}
    assert {profile_id(p) for p in LEGACY} >= {"2.0", "4.3", "4.4"}
    for profile in UTC:
        both_ways(DateTime(4500, 42, 3600), utc_bytes, profile)
        assert codec_of(profile).pack(LegacyDateTime(8100, 42, 3600)) == utc_bytes
        with pytest.raises(ProtocolError):
            codec_of(profile).unpack(legacy_bytes)
    for profile in LEGACY:
        both_ways(LegacyDateTime(8100, 42, 3600), legacy_bytes, profile)
        assert codec_of(profile).pack(DateTime(4500, 42, 3600)) == legacy_bytes
        with pytest.raises(ProtocolError):
            codec_of(profile).unpack(utc_bytes)
    with pytest.raises(ProtocolError):
        unpack(utc_bytes, (1, 0))


def test_appendix_datetime_zone_id() -> None:
    data = h("B3 69 C9 11 94 2A 8C") + b"Europe/Paris"
    for profile in UTC:
        both_ways(DateTimeZoneId(4500, 42, "Europe/Paris"), data, profile)


def test_appendix_point2d() -> None:
    data = h("B3 58 C9 1C 23 C1 3F F0 00 00 00 00 00 00 C1 40 00 00 00 00 00 00 00")
    both_ways(Point2D(7203, 1.0, 2.0), data)
    both_ways(Point2D(7203, 1.0, 2.0), data, ((2, 0), ()))


def test_appendix_duration() -> None:
    both_ways(Duration(14, 16, 12, 0), h("B4 45 0E 10 0C 00"))
    both_ways(Duration(14, 16, 12, 0), h("B4 45 0E 10 0C 00"), ((3, 0), ()))


def test_appendix_node_5x() -> None:
    data = h("B4 4E 01 91 81 4C A1 81 61 01 85 34 3A 78 3A 31")
    for profile in PROFILES:
        if len(struct_layout("Node", profile)) == 4:
            both_ways(Node(1, ["L"], {"a": 1}, "4:x:1"), data, profile)
    # Bolt 4.4 has no element id: three fields
    both_ways(Node(1, ["L"], {"a": 1}), h("B3 4E 01 91 81 4C A1 81 61 01"), ((4, 4), ()))
    both_ways(Node(1, ["L"], {"a": 1}), h("B3 4E 01 91 81 4C A1 81 61 01"), ((1, 0), ()))


def test_appendix_vectors() -> None:
    six = ((6, 0), ())
    f32 = h("B2 56 CC 01 C6 CC 08 3F 80 00 00 40 00 00 00")
    i8 = h("B2 56 CC 01 C8 CC 03 01 02 FF")
    both_ways(Vector(b"\xc6", h("3F 80 00 00 40 00 00 00")), f32, six)
    both_ways(Vector(b"\xc8", h("01 02 FF")), i8, six)
    assert codec_of(six).pack(Vector.from_list([1.0, 2.0], "float32")) == f32
    assert codec_of(six).pack(Vector.from_list([1, 2, -1], "int8")) == i8
    assert codec_of(six).unpack(f32).to_list() == [1.0, 2.0]
    assert codec_of(six).unpack(i8).to_list() == [1, 2, -1]
    with pytest.raises(ProtocolError):
        unpack(f32, (5, 8))


# ---- Appendix: messages (chunked as on the wire) --------------------------------------------

MESSAGE_VECTORS = [
    ("RESET", Reset(), "00 02 B0 0F 00 00"),
    ("GOODBYE", Goodbye(), "00 02 B0 02 00 00"),
    ("COMMIT", Commit(), "00 02 B0 12 00 00"),
    ("ROLLBACK", Rollback(), "00 02 B0 13 00 00"),
    ("LOGOFF", Logoff(), "00 02 B0 6B 00 00"),
    ("BEGIN {}", Begin({}), "00 03 B1 11 A0 00 00"),
    ("TELEMETRY 0", Telemetry(0), "00 03 B1 54 00 00 00"),
    ("PULL n=-1", Pull({"n": -1}), "00 06 B1 3F A1 81 6E FF 00 00"),
    (
        "DISCARD n=-1 qid=-1",
        Discard({"n": -1, "qid": -1}),
        "00 0B B1 2F A2 81 6E FF 83 71 69 64 FF 00 00",
    ),
    (
        "RUN RETURN 1 AS n",
        Run("RETURN 1 AS n", {}, {}),
        "00 12 B3 10 8D 52 45 54 55 52 4E 20 31 20 41 53 20 6E A0 A0 00 00",
    ),
    (
        "HELLO user_agent",
        Hello({"user_agent": "x/1.0"}),
        "00 14 B1 01 A1 8A 75 73 65 72 5F 61 67 65 6E 74 85 78 2F 31 2E 30 00 00",
    ),
    (
        "ROUTE 4.4+",
        Route({"address": "localhost:7687"}, [], extra={"db": "neo4j"}),
        "00 25 B3 66 A1 87 61 64 64 72 65 73 73 8E 6C 6F 63 61 6C 68 6F 73 74 3A 37 36 38 37"
        " 90 A1 82 64 62 85 6E 65 6F 34 6A 00 00",
    ),
    (
        "ROUTE 4.3",
        Route({"address": "localhost:7687"}, [], db=None),
        "00 1C B3 66 A1 87 61 64 64 72 65 73 73 8E 6C 6F 63 61 6C 68 6F 73 74 3A 37 36 38 37"
        " 90 C0 00 00",
    ),
    ("SUCCESS {}", Success({}), "00 03 B1 70 A0 00 00"),
    ("IGNORED", Ignored(), "00 02 B0 7E 00 00"),
    ("RECORD [1]", Record([1]), "00 04 B1 71 91 01 00 00"),
]


def _versions_for(message, chunked: bytes) -> list:
    """Every version whose layout of the message has as many fields as the vector."""
    n_fields = chunked[2] - 0xB0
    out = []
    for version, layouts in LAYOUTS.items():
        names = layouts.get(type(message))
        if names is None or len(names) != n_fields:
            continue
        if type(message) is Route and ("db" in names) != (message.extra == {}):
            continue  # the 4.3 vector holds for the 4.3 layout only, and vice versa
        out.append(version)
    return out


@pytest.mark.parametrize(
    ("name", "message", "hexbytes"), MESSAGE_VECTORS, ids=[v[0] for v in MESSAGE_VECTORS]
)
def test_appendix_message_vectors(name, message, hexbytes) -> None:
    chunked = h(hexbytes)
    payload = chunked[2:-2]
    assert int.from_bytes(chunked[:2], "big") == len(payload)
    versions = _versions_for(message, chunked)
    assert versions, f"{name} exists in no version"
    for version in versions:
        codec = get_codec(version)
        # encode
        assert codec.pack_message(message) == payload
        assert chunk_message(codec.pack_message(message)) == chunked
        # decode (through the chunk reader, fed one byte at a time as well)
        assert ChunkReader().feed(chunked) == [payload]
        reader = ChunkReader()
        pieces = [m for i in range(len(chunked)) for m in reader.feed(chunked[i : i + 1])]
        assert pieces == [payload]
        decode = codec.unpack_request if message.direction == "request" else codec.unpack_response
        assert_same(decode(payload), message)


def test_route_vector_versions() -> None:
    assert _versions_for(MESSAGE_VECTORS[12][1], h(MESSAGE_VECTORS[12][2])) == [(4, 3)]
    assert (4, 3) not in _versions_for(MESSAGE_VECTORS[11][1], h(MESSAGE_VECTORS[11][2]))
    assert (4, 4) in _versions_for(MESSAGE_VECTORS[11][1], h(MESSAGE_VECTORS[11][2]))


# ---- the JS driver's Bolt 1 session ----------------------------------------------------------

JS_BOLT1 = h(
    "60 60 B0 17 00 00 00 02 00 00 00 01 00 00 00 00 00 00 00 00"
    " 00 44 B2 01 8E 6D 79 64 72 69 76 65 72 2F 30 2E 30 2E 30 A3 86 73 63 68 65 6D 65 85 62"
    " 61 73 69 63 89 70 72 69 6E 63 69 70 61 6C 85 6E 65 6F 34 6A 8B 63 72 65 64 65 6E 74 69"
    " 61 6C 73 88 70 61 73 73 77 6F 72 64 00 00"
    " 00 0C B2 10 88 52 45 54 55 52 4E 20 31 A0 00 00"
)


def test_js_bolt1_init_and_run() -> None:
    codec = get_codec((1, 0))
    init = Init("mydriver/0.0.0", {"scheme": "basic", "principal": "neo4j", "credentials": "password"})
    run = Run("RETURN 1", {})
    stream = JS_BOLT1[20:]  # after the handshake
    writer = ChunkWriter()
    writer.write(codec.pack_message(init))
    writer.write(codec.pack_message(run))
    assert writer.take() == stream
    payloads = ChunkReader().feed(stream)
    assert len(payloads) == 2
    assert_same(codec.unpack_request(payloads[0]), init)
    back = codec.unpack_request(payloads[1])
    assert type(back) is Run and back.query == "RETURN 1" and back.parameters == {}
    # Bolt 2 is wire-identical for these; Bolt 3 has no INIT and a three-field RUN
    assert get_codec((2, 0)).pack_message(init) == payloads[0]
    with pytest.raises(ValueError):
        get_codec((3, 0)).pack_message(init)
    with pytest.raises(ProtocolError):
        get_codec((3, 0)).unpack_request(payloads[1])


def test_docs_pull_4x() -> None:
    for version in [(4, 0), (4, 1), (4, 4), (5, 0), (6, 0)]:
        assert get_codec(version).pack_message(Pull({"n": -1})) == h("B1 3F A1 81 6E FF")
