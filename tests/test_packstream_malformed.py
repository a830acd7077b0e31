"""Malformed input: every broken encoding raises ProtocolError (never IndexError, struct.error,
UnicodeDecodeError, ValueError...), with the byte offset of the problem."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from asyncbolt import BoltError, ProtocolError
from asyncbolt.codec.messages import LAYOUTS, MESSAGES, REQUESTS, RESPONSES
from asyncbolt.codec.packstream import get_codec, unpack
from asyncbolt.codec.structures import STRUCTURES
from tests.strategies import (
    MESSAGE_SPECS,
    PACKSTREAM_SPEC,
    PROFILES,
    assert_same,
    codec_of,
    message_fields,
    messages,
    mutate,
    mutation_ops,
    plain_values,
    profile_id,
    same,
    struct_layout,
    structures_in,
    values,
    version_in,
)


def h(text: str) -> bytes:
    return bytes.fromhex(text)


def error_of(fn, data, *args) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        fn(data, *args)
    return info.value


def offset_of(data: bytes, profile=((5, 0), ())) -> int | None:
    return error_of(codec_of(profile).unpack, data).offset


def test_protocol_error_is_a_bolt_error() -> None:
    assert issubclass(ProtocolError, BoltError)
    exc = ProtocolError("bad", 3, ("RUN", "query"))
    assert exc.offset == 3 and exc.path == ("RUN", "query")
    assert "offset 3" in str(exc) and "RUN -> query" in str(exc)


# ---- truncation -------------------------------------------------------------------------------

VALID = [
    h("2A"), h("C8 EF"), h("C9 00 80"), h("CA 00 00 80 00"), h("CB 80 00 00 00 00 00 00 00"),
    h("C1 3F F3 AE 14 7A E1 47 AE"), h("CC 03 01 02 03"), h("CD 00 01 FF"),
    h("CE 00 00 00 02 41 42"), h("85 68 65 6C 6C 6F"), h("D0 03 41 42 43"), h("D1 00 01 41"),
    h("D2 00 00 00 01 41"), h("93 01 C1 40 00 00 00 00 00 00 00 85 74 68 72 65 65"),
    h("D4 01 C0"), h("D5 00 01 C0"), h("D6 00 00 00 01 C0"), h("A1 83 6F 6E 65 84 65 69 6E 73"),
    h("D8 01 81 61 C0"), h("D9 00 01 81 61 C0"), h("DA 00 00 00 01 81 61 C0"),
    h("A1 D0 01 61 01"), h("A1 D1 00 01 61 01"), h("A1 D2 00 00 00 01 61 01"),
    h("B1 44 C9 4A 38"), h("B3 49 C9 11 94 2A C9 0E 10"),
    h("B4 4E 01 91 81 4C A1 81 61 01 85 34 3A 78 3A 31"), h("B2 41 91 90 A1 81 61 B0 42"),
    h("91 91 91 91 90"),
]


@pytest.mark.parametrize("data", VALID, ids=[d.hex() for d in VALID])
def test_every_prefix_of_a_valid_value_is_protocol_error(data: bytes) -> None:
    assert unpack(data) is not None or data == h("C0")
    for cut in range(len(data)):
        exc = error_of(unpack, data[:cut])
        assert exc.offset is not None and 0 <= exc.offset <= cut, (cut, exc)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PROFILES), st.data())
def test_every_prefix_of_a_generated_value_is_protocol_error(profile, data) -> None:
    codec = codec_of(profile)
    encoded = codec.pack(data.draw(values(profile)))
    for cut in range(len(encoded)):
        exc = error_of(codec.unpack, encoded[:cut])
        assert exc.offset is not None and 0 <= exc.offset <= cut


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PROFILES), st.data())
def test_every_prefix_of_a_message_is_protocol_error(profile, data) -> None:
    codec = codec_of(profile)
    message = data.draw(messages(profile))
    encoded = codec.pack_message(message)
    decode = codec.unpack_request if message.direction == "request" else codec.unpack_response
    back = decode(encoded)
    for name in LAYOUTS[profile[0]][type(message)]:
        assert_same(getattr(back, name), getattr(message, name))
    for cut in range(len(encoded)):
        exc = error_of(decode, encoded[:cut])
        assert exc.offset is not None and 0 <= exc.offset <= cut


def test_truncated_inside_a_bigger_buffer_reports_absolute_offsets() -> None:
    codec = get_codec((5, 0))
    assert error_of(codec.unpack_from, b"\xc0\xc0" + h("D0 05 41"), 2).offset == 4
    exc = error_of(codec.unpack_from, b"\xc0" + h("C9 01"), 1)
    assert exc.offset is not None and 1 <= exc.offset <= 3
    assert codec.unpack_from(b"\xc0" + h("C9 01 02") + b"\xc0", 1) == (258, 4)


# ---- reserved markers --------------------------------------------------------------------------


def _spec_reserved() -> list[int]:
    """Marker bytes no version uses (markers gated to some versions are tested apart)."""
    used: set[int] = set()
    for m in PACKSTREAM_SPEC["markers"]:
        if "versions" in m:
            used.add(m["byte"])
        elif "byte" in m:
            used.add(m["byte"])
        else:
            used.update(range(m["first"], m["last"] + 1))
    used.update(m["byte"] for m in PACKSTREAM_SPEC["legacy_markers"])  # named: tested below
    return sorted(set(range(256)) - used)


RESERVED = [0xC4, 0xC5, 0xC6, 0xC7, 0xCF, 0xD3, 0xD7, 0xDB, 0xDE, 0xDF, *range(0xE1, 0xF0)]


def test_reserved_markers_match_the_spec() -> None:
    assert _spec_reserved() == RESERVED


@pytest.mark.parametrize("marker", RESERVED, ids=[f"{m:02X}" for m in RESERVED])
def test_reserved_marker_is_protocol_error(marker: int) -> None:
    m = bytes([marker])
    for profile in PROFILES:
        assert offset_of(m, profile) == 0
        assert offset_of(m + b"\x00\x00\x00\x00\x00\x00\x00\x00", profile) == 0
    assert offset_of(h("92 01") + m) == 2
    assert offset_of(h("A1 81 61") + m) == 3
    assert offset_of(h("A1") + m + h("01")) == 1  # as a map key
    assert offset_of(h("B1 41") + m) == 2  # inside a generic structure
    codec = get_codec((5, 0))
    assert error_of(codec.unpack_response, h("B1 71") + m).offset == 2
    assert error_of(codec.unpack_request, h("B3 10 80 A0") + m).offset == 4


# ---- legacy PackStream v1 markers (STRUCT_8, STRUCT_16) ----------------------------------------

#: A generic structure of 16 fields (tag 0x41) in each legacy form, as the JS driver packs it.
STRUCT_8 = h("DC 10 41") + bytes(range(16))
STRUCT_16 = h("DD 00 11 42") + bytes(range(17))
LEGACY = [(STRUCT_8, "STRUCT_8 (marker 0xDC)"), (STRUCT_16, "STRUCT_16 (marker 0xDD)")]


def _codecs() -> list:
    from asyncbolt.codec.packstream import ACCELERATED, Codec

    return [Codec((5, 0), accelerated=False)] + ([Codec((5, 0), accelerated=True)] if ACCELERATED else [])


@pytest.mark.parametrize(("data", "name"), LEGACY, ids=["STRUCT_8", "STRUCT_16"])
def test_legacy_markers_are_refused_by_name(data: bytes, name: str) -> None:
    # The fast codecs (pure and C) refuse them, saying what they are (not "reserved").
    for codec in _codecs():
        for prefix in (b"", h("92 01"), h("A1 81 61"), h("B1 41")):
            exc = error_of(codec.unpack, prefix + data)
            assert exc.offset == len(prefix), (codec, prefix)
            assert exc.reason.startswith(f"{name} is a legacy PackStream v1 marker"), exc.reason
            assert "reserved" not in exc.reason
        exc = error_of(codec.unpack_response, h("B1 71 91") + data)
        assert exc.offset == 3 and exc.reason.startswith(name)


@pytest.mark.parametrize(("data", "name"), LEGACY, ids=["STRUCT_8", "STRUCT_16"])
def test_reference_decoder_names_legacy_markers_and_decodes_them_when_asked(data: bytes, name: str) -> None:
    from asyncbolt.codec import schemas
    from asyncbolt.codec.types import Structure

    exc = error_of(schemas.parse_value, data)
    assert exc.offset == 0 and exc.reason.startswith(name) and schemas.is_legacy_marker_error(exc)
    assert not schemas.is_legacy_marker_error(error_of(schemas.parse_value, h("C4")))
    seen: list = []
    value = schemas.parse_value(h("92 01") + data, legacy=seen)
    fields = list(range(16 if data is STRUCT_8 else 17))
    assert value == [1, Structure(data[2 if data is STRUCT_8 else 3], fields)]
    assert [(at, marker) for at, marker, _ in seen] == [(2, name.split()[0])]
    # A known tag in a legacy form decodes to its structure (a Bolt 5.0 Node has 4 fields).
    node = schemas.parse_value(h("DC 04 4E 01 90 A0 85") + b"4:x:1", (5, 0), legacy=[])
    assert (node.id, node.labels, node.element_id) == (1, [], "4:x:1")
    # A count the data does not hold is still an error, at its place.
    assert error_of(lambda d: schemas.parse_value(d, legacy=[]), h("DD 00 05 41 01")).offset is not None


# ---- structures with the wrong number of fields -------------------------------------------------

COUNT_CASES = [(p, n) for p in PROFILES for n in structures_in(p)]


@pytest.mark.parametrize(
    ("profile", "name"), COUNT_CASES, ids=[f"{profile_id(p)}-{n}" for p, n in COUNT_CASES]
)
def test_structure_with_wrong_field_count(profile, name) -> None:
    expected = len(struct_layout(name, profile))
    tag = STRUCTURES[name].tag
    for n in {0, expected - 1, expected + 1, 15} - {expected} - {-1}:
        data = bytes([0xB0 + n, tag]) + b"\xc0" * n
        assert offset_of(data, profile) == 0
        assert offset_of(h("92 C0") + data, profile) == 2


def test_graph_structures_changed_field_counts_in_5_0() -> None:
    node3 = h("B3 4E 01 90 A0")
    node4 = h("B4 4E 01 90 A0 81 65")
    assert unpack(node3, (4, 4)).id == 1
    assert unpack(node4, (5, 0)).element_id == "e"
    assert offset_of(node3, ((5, 0), ())) == 0
    assert offset_of(node4, ((4, 4), ())) == 0


# ---- invalid UTF-8 ---------------------------------------------------------------------------

UTF8_CASES = [
    ("tiny string", "81 FF", 1),
    ("after a good byte", "82 41 FF", 2),
    ("string 8", "D0 03 41 42 FF", 4),
    ("string 16 bad continuation", "D1 00 02 C3 28", 3),
    ("string 32", "D2 00 00 00 02 41 80", 6),
    ("cut multibyte sequence", "82 41 C3", 2),
    ("overlong", "82 C0 80", 1),
    ("encoded surrogate", "83 ED A0 80", 1),
    ("in a list", "92 80 82 E2 82", 3),
    ("map key tiny", "A1 81 FF 01", 2),
    ("map key string 8", "A1 D0 02 41 FF 01", 4),
    ("second map key", "A2 81 61 01 82 62 FF 02", 6),
    ("map value", "A1 81 61 81 FF", 4),
    ("map 8 key", "D8 01 81 FE 01", 3),
]


@pytest.mark.parametrize(("name", "hexbytes", "offset"), UTF8_CASES, ids=[c[0] for c in UTF8_CASES])
def test_invalid_utf8(name, hexbytes, offset) -> None:
    for profile in PROFILES:
        assert offset_of(h(hexbytes), profile) == offset


def test_invalid_utf8_in_message_fields() -> None:
    codec = get_codec((5, 0))
    assert error_of(codec.unpack_request, h("B3 10 81 FF A0 A0")).offset == 3
    assert error_of(codec.unpack_request, h("B1 01 A1 81 FF 80")).offset == 4
    assert error_of(codec.unpack_response, h("B1 70 A1 82 61 FF 01")).offset == 5


# ---- non-string map keys ----------------------------------------------------------------------

KEY_CASES = [
    ("int key", "A1 01 01", 1),
    ("null key", "A1 C0 01", 1),
    ("list key", "A1 90 01", 1),
    ("bytes key", "A1 CC 01 41 01", 1),
    ("map key", "A1 A0 01", 1),
    ("struct key", "A1 B0 41 01", 1),
    ("float key", "A1 C1 00 00 00 00 00 00 00 00 01", 1),
    ("second key", "A2 81 61 01 02 03", 4),
    ("map 8", "D8 01 01 01", 2),
    ("map 16", "D9 00 01 C3 01", 3),
    ("map 32", "DA 00 00 00 01 C2 01", 5),
    ("nested", "91 A1 C3 01", 2),
]


@pytest.mark.parametrize(("name", "hexbytes", "offset"), KEY_CASES, ids=[c[0] for c in KEY_CASES])
def test_non_string_map_key(name, hexbytes, offset) -> None:
    for profile in PROFILES:
        assert offset_of(h(hexbytes), profile) == offset


# ---- declared sizes beyond the data ------------------------------------------------------------

SIZE_CASES = [
    ("tiny string", "85 41", 1),
    ("string 8", "D0 05 41", 2),
    ("string 16", "D1 00 05 41", 3),
    ("string 32", "D2 00 00 00 05 41", 5),
    ("string 32 huge", "D2 FF FF FF FF", 5),
    ("string 32 above 2^31", "D2 80 00 00 00 41", 5),
    ("bytes 8", "CC 05 41", 2),
    ("bytes 16", "CD 00 05 41", 3),
    ("bytes 32", "CE 00 00 00 05 41", 5),
    ("bytes 32 huge", "CE 7F FF FF FF", 5),
    ("tiny list", "95 01", 1),
    ("list 8", "D4 05 01", 2),
    ("list 16", "D5 00 05 01", 3),
    ("list 32", "D6 00 00 00 05 01", 5),
    ("list 32 huge", "D6 FF FF FF FF", 5),
    ("tiny map", "A5 81 61 01", 1),
    ("map 8", "D8 05 81 61 01", 2),
    ("map 16", "D9 00 05 81 61 01", 3),
    ("map 32", "DA 00 00 00 05 81 61 01", 5),
    ("map 32 huge", "DA FF FF FF FF", 5),
    ("map key string", "A1 D0 05 41 01", 3),
    ("nested string", "91 D0 05 41", 3),
    ("nested list", "92 01 D4 09 01", 4),
]


@pytest.mark.parametrize(("name", "hexbytes", "offset"), SIZE_CASES, ids=[c[0] for c in SIZE_CASES])
def test_declared_size_beyond_data(name, hexbytes, offset) -> None:
    """The offset is where the payload that is not there should start."""
    for profile in PROFILES:
        assert offset_of(h(hexbytes), profile) == offset


# ---- trailing bytes ---------------------------------------------------------------------------

TRAILING_CASES = [
    ("01 02", 1),
    ("C0 C0", 1),
    ("A0 00", 1),
    ("90 90", 1),
    ("93 01 02 03 04", 4),
    ("B1 44 01 FF", 3),
    ("CC 01 41 41", 3),
]


@pytest.mark.parametrize(("hexbytes", "offset"), TRAILING_CASES)
def test_trailing_bytes(hexbytes, offset) -> None:
    assert offset_of(h(hexbytes)) == offset
    # unpack_from is the way to read one value and leave the rest
    value, end = get_codec((5, 0)).unpack_from(h(hexbytes))
    assert end == offset


def test_trailing_bytes_after_a_message() -> None:
    codec = get_codec((5, 0))
    assert error_of(codec.unpack_request, h("B0 0F 00")).offset == 2
    assert error_of(codec.unpack_request, h("B1 3F A0 A0")).offset == 3
    assert error_of(codec.unpack_response, h("B1 71 90 C0")).offset == 3


# ---- deep nesting -----------------------------------------------------------------------------


def test_nesting_too_deep_is_protocol_error() -> None:
    for data in (h("91") * 100_000, h("A1 81 61") * 50_000, h("B1 41") * 100_000):
        exc = error_of(unpack, data)
        assert exc.offset is not None and 0 <= exc.offset <= len(data)
    codec = get_codec((5, 0))
    exc = error_of(codec.unpack_response, h("B1 71") + h("91") * 100_000)
    assert exc.offset is not None


# ---- messages ---------------------------------------------------------------------------------

VERSIONS_SAMPLE = sorted(LAYOUTS)


@pytest.mark.parametrize("version", VERSIONS_SAMPLE, ids=[f"{a}.{b}" for a, b in VERSIONS_SAMPLE])
def test_unknown_signature(version) -> None:
    codec = get_codec(version)
    for sig in range(0x100):
        if sig not in REQUESTS[version]:
            assert error_of(codec.unpack_request, bytes([0xB0, sig])).offset == 1
            assert error_of(codec.unpack_request, bytes([0xB1, sig, 0xA0])).offset == 1
        if sig not in RESPONSES[version]:
            assert error_of(codec.unpack_response, bytes([0xB0, sig])).offset == 1
            assert error_of(codec.unpack_response, bytes([0xB1, sig, 0xA0])).offset == 1


def test_messages_of_other_versions_have_unknown_signatures() -> None:
    assert error_of(get_codec((5, 0)).unpack_request, h("B1 6A A0")).offset == 1  # LOGON
    assert error_of(get_codec((5, 3)).unpack_request, h("B1 54 00")).offset == 1  # TELEMETRY
    assert error_of(get_codec((3, 0)).unpack_request, h("B0 0E")).offset == 1  # ACK_FAILURE
    assert error_of(get_codec((4, 2)).unpack_request, h("B3 66 A0 90 C0")).offset == 1  # ROUTE
    # a response signature is not a request, and the reverse
    assert error_of(get_codec((5, 0)).unpack_request, h("B1 70 A0")).offset == 1
    assert error_of(get_codec((5, 0)).unpack_response, h("B0 0F")).offset == 1


@pytest.mark.parametrize("data", [b"", h("B0"), h("71")])
def test_message_too_short(data) -> None:
    codec = get_codec((5, 0))
    assert error_of(codec.unpack_request, data).offset == len(data)
    assert error_of(codec.unpack_response, data).offset == len(data)


@pytest.mark.parametrize("data", [h("91 01"), h("C0 C0"), h("A1 81 61 01"), h("01 02"), h("C4 00")])
def test_message_that_is_not_a_structure(data) -> None:
    codec = get_codec((5, 0))
    assert error_of(codec.unpack_request, data).offset == 0
    assert error_of(codec.unpack_response, data).offset == 0


def _optional_count(cls, version) -> int:
    for layout in MESSAGE_SPECS[cls.name]["layouts"]:
        if version_in(version, layout["versions"]):
            return len(layout.get("optional_fields") or [])
    raise AssertionError(cls)


@pytest.mark.parametrize("version", VERSIONS_SAMPLE, ids=[f"{a}.{b}" for a, b in VERSIONS_SAMPLE])
def test_message_with_wrong_field_count(version) -> None:
    codec = get_codec(version)
    for cls, names in LAYOUTS[version].items():
        decode = codec.unpack_request if cls.direction == "request" else codec.unpack_response
        low, high = len(names), len(names) + _optional_count(cls, version)
        for n in {low - 1, high + 1, 15} - set(range(low, high + 1)) - {-1}:
            data = bytes([0xB0 + n, cls.signature]) + b"\xa0" * n
            exc = error_of(decode, data)
            assert exc.offset == 0, (cls.name, n)
            assert exc.path[:1] == (cls.name,)


def _valid_for(type_text: str):
    """A minimal valid value of a spec type."""
    type_text = type_text.strip()
    if type_text.endswith("?"):
        return None
    if type_text.startswith("List"):
        return []
    if type_text.startswith("Map"):
        return {}
    return {"Integer": 0, "String": "s", "Boolean": True, "Float": 0.5, "Bytes": b""}[type_text]


def _wrong_for(type_text: str):
    """A value of the wrong kind for a spec type."""
    return "not a float" if type_text.rstrip("?") == "Float" else 1.5


@pytest.mark.parametrize("version", VERSIONS_SAMPLE, ids=[f"{a}.{b}" for a, b in VERSIONS_SAMPLE])
def test_message_field_of_wrong_type(version) -> None:
    """Each field of each message in turn gets a value of the wrong kind: ProtocolError at the
    offset of that field, with the path (MESSAGE, field)."""
    codec = get_codec(version)
    for cls in LAYOUTS[version]:
        specs = message_fields(cls, version)
        decode = codec.unpack_request if cls.direction == "request" else codec.unpack_response
        for i, bad in enumerate(specs):
            if bad["type"] == "Any":
                continue
            fields = [_valid_for(str(s["type"])) for s in specs]
            fields[i] = _wrong_for(str(bad["type"]))
            data = bytes([0xB0 + len(fields), cls.signature]) + b"".join(map(codec.pack, fields))
            expected_offset = 2 + sum(len(codec.pack(f)) for f in fields[:i])
            exc = error_of(decode, data)
            assert exc.offset == expected_offset, (cls.name, bad["name"], exc)
            assert exc.path == (cls.name, bad["name"]), (cls.name, exc.path)
            # and the valid message decodes
            fields[i] = _valid_for(str(bad["type"]))
            data = bytes([0xB0 + len(fields), cls.signature]) + b"".join(map(codec.pack, fields))
            assert type(decode(data)) is cls


def test_message_field_of_wrong_type_examples() -> None:
    codec = get_codec((5, 0))
    exc = error_of(codec.unpack_request, h("B3 10 01 A0 A0"))  # RUN with an int query
    assert (exc.offset, exc.path) == (2, ("RUN", "query"))
    exc = error_of(codec.unpack_request, h("B3 10 80 A0 01"))
    assert (exc.offset, exc.path) == (4, ("RUN", "extra"))
    exc = error_of(codec.unpack_request, h("B3 66 A0 91 01 A0"))  # ROUTE bookmarks [1]
    assert (exc.offset, exc.path) == (3, ("ROUTE", "bookmarks"))
    exc = error_of(get_codec((4, 3)).unpack_request, h("B3 66 A0 90 01"))  # ROUTE 4.3 db 1
    assert (exc.offset, exc.path) == (4, ("ROUTE", "db"))
    exc = error_of(codec.unpack_response, h("B1 71 A0"))  # RECORD with a map
    assert (exc.offset, exc.path) == (2, ("RECORD", "data"))


def test_ignored_metadata_of_wrong_type() -> None:
    """IGNORED may carry an optional metadata map; anything else there is an error at the
    field's offset, like every other message field."""
    codec = get_codec((5, 0))
    exc = error_of(codec.unpack_response, h("B1 7E 01"))
    assert exc.path == ("IGNORED", "metadata")
    assert exc.offset == 2


def test_structure_field_of_wrong_type() -> None:
    """A structure whose field has the wrong kind: offset of the structure, path names it."""
    for profile in PROFILES:
        codec = codec_of(profile)
        for name in structures_in(profile):
            layout = struct_layout(name, profile)
            for i, (fname, ftype) in enumerate(layout):
                if ftype == "Any":
                    continue
                fields = [_valid_for(t) for _, t in layout]
                fields[i] = _wrong_for(ftype)
                body = bytes([0xB0 + len(fields), STRUCTURES[name].tag])
                body += b"".join(map(codec.pack, fields))
                exc = error_of(codec.unpack, body)
                assert exc.offset == 0, (profile_id(profile), name, fname, exc)
                assert exc.path == (name, fname)
                exc = error_of(codec.unpack, h("92 C0") + body)
                assert exc.offset == 2


def test_structure_errors_inside_messages_keep_offset_and_path() -> None:
    codec = get_codec((5, 0))
    exc = error_of(codec.unpack_response, h("B1 71 91 B1 44 80"))  # Date("")
    assert exc.offset == 3
    assert exc.path[0] == "RECORD" and exc.path[-2:] == ("Date", "days")
    exc = error_of(codec.unpack_response, h("B1 71 91 B2 44 01 02"))  # Date with 2 fields
    assert exc.offset == 3 and exc.path[0] == "RECORD"
    exc = error_of(codec.unpack_response, h("B1 71 91 B3 46 01 02 03"))  # legacy F in 5.0
    assert exc.offset == 3


@pytest.mark.parametrize("tag", [0x80, 0xA5, 0xFF])
def test_structure_tag_above_0x7f_is_protocol_error(tag) -> None:
    """Tags are 0x00-0x7F (the generic Structure refuses others): decoding one must be a
    ProtocolError, not the constructor's ValueError."""
    for data in (bytes([0xB0, tag]), bytes([0xB1, tag, 0x01])):
        exc = error_of(unpack, data)
        assert exc.offset in (0, 1)
    exc = error_of(get_codec((5, 0)).unpack_response, bytes([0xB1, 0x71, 0x91, 0xB0, tag]))
    assert exc.offset in (3, 4)


# ---- fuzz ---------------------------------------------------------------------------------------

FUZZ_PROFILES = [
    p for p in PROFILES
    if profile_id(p) in ("1.0", "2.0", "3.0", "4.3", "4.4+utc", "5.0", "5.4", "6.0")
]
INTERESTING = [0x00, 0x7F, 0x80, 0x81, 0x90, 0x91, 0xA1, 0xB0, 0xB1, 0xB3, 0xC0, 0xC1, 0xC4,
               0xC8, 0xC9, 0xCC, 0xD0, 0xD4, 0xD8, 0xDA, 0xFF, 0x4E, 0x44, 0x46, 0x49, 0x56]
fuzz_bytes = st.one_of(
    st.binary(max_size=48),
    st.lists(st.one_of(st.sampled_from(INTERESTING), st.integers(0, 255)), max_size=48).map(bytes),
)
_FAILED = object()


def decode_checked(fn, data: bytes):
    """Decode; a ProtocolError is fine (with an offset inside the data), anything else fails."""
    try:
        return fn(data)
    except ProtocolError as exc:
        assert exc.offset is not None, f"no offset in {exc!r}"
        assert 0 <= exc.offset <= len(data), exc
        return _FAILED


FUZZ = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(st.sampled_from(FUZZ_PROFILES), fuzz_bytes)
@example(((5, 0), ()), h("B0 FF"))
@example(((5, 0), ()), h("91") * 3000)
def test_fuzz_random_bytes_values(profile, data) -> None:
    codec = codec_of(profile)
    value = decode_checked(codec.unpack, data)
    if value is not _FAILED:
        # whatever decodes re-encodes to something that decodes to the same value
        assert same(codec.unpack(codec.pack(value)), value)


@FUZZ
@given(st.sampled_from(FUZZ_PROFILES), st.data(), mutation_ops)
def test_fuzz_mutated_values(profile, data, ops) -> None:
    codec = codec_of(profile)
    encoded = codec.pack(data.draw(values(profile)))
    broken = mutate(encoded, ops)
    value = decode_checked(codec.unpack, broken)
    if value is not _FAILED:
        assert same(codec.unpack(codec.pack(value)), value)


@FUZZ
@given(st.sampled_from(FUZZ_PROFILES), fuzz_bytes)
@example(((5, 0), ()), h("B1 7E 01"))
def test_fuzz_random_bytes_messages(profile, data) -> None:
    codec = codec_of(profile)
    for decode in (codec.unpack_request, codec.unpack_response):
        for candidate in (data, bytes([0xB0 + (data[:1] or b"\x00")[0] % 4]) + data[1:]):
            message = decode_checked(decode, candidate)
            if message is not _FAILED:
                again = decode(codec.pack_message(message))
                for name in LAYOUTS[profile[0]][type(again)]:
                    assert same(getattr(again, name), getattr(message, name))


@FUZZ
@given(st.sampled_from(FUZZ_PROFILES), st.data(), mutation_ops)
def test_fuzz_mutated_messages(profile, data, ops) -> None:
    codec = codec_of(profile)
    message = data.draw(messages(profile))
    encoded = codec.pack_message(message)
    broken = mutate(encoded, ops)
    for decode in (codec.unpack_request, codec.unpack_response):
        decode_checked(decode, broken)


@settings(max_examples=100, deadline=None)
@given(plain_values, mutation_ops)
def test_fuzz_mutated_plain_values_every_profile(value, ops) -> None:
    broken = mutate(get_codec((5, 0)).pack(value), ops)
    for profile in PROFILES:
        decode_checked(codec_of(profile).unpack, broken)


def test_message_classes_cover_the_registries() -> None:
    for version in LAYOUTS:
        assert set(REQUESTS[version].values()) | set(RESPONSES[version].values()) == set(
            LAYOUTS[version]
        )
        for cls in LAYOUTS[version]:
            assert MESSAGES[cls.name] is cls
