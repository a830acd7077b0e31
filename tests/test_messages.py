"""Message registries per Bolt version: consistent with spec/bolt.yaml and with the protocol
facts of bolt-spec-detailed.md section 4 (signature table and per-version deltas)."""

from __future__ import annotations

import pytest

from asyncbolt import SERVER_VERSIONS, VERSIONS, ProtocolError
from asyncbolt.codec.messages import (
    LAYOUTS,
    MESSAGE_VERSIONS,
    MESSAGES,
    REQUESTS,
    RESPONSES,
    AckFailure,
    Begin,
    Commit,
    Discard,
    DiscardAll,
    Failure,
    Goodbye,
    Hello,
    Ignored,
    Init,
    Logoff,
    Logon,
    Message,
    Pull,
    PullAll,
    Record,
    Reset,
    Rollback,
    Route,
    Run,
    Success,
    Telemetry,
)
from asyncbolt.codec.packstream import get_codec, unpack
from asyncbolt.codec.structures import Time
from tests.strategies import BOLT_SPEC, MESSAGE_SPECS, assert_same, parse_version, version_in

ALL = list(VERSIONS)


def since(version) -> list:
    return [v for v in ALL if v >= version]


def between(low, high) -> list:
    return [v for v in ALL if low <= v <= high]


def ids(versions) -> list[str]:
    return [f"{a}.{b}" for a, b in versions]


# ---- versions ---------------------------------------------------------------------------------


def test_versions_match_the_spec() -> None:
    spec_versions = [parse_version(v["version"]) for v in BOLT_SPEC["versions"]]
    assert list(VERSIONS) == spec_versions
    assert VERSIONS == tuple(sorted(VERSIONS))
    assert VERSIONS[0] == (1, 0) and (6, 0) in VERSIONS
    assert {(1, 0), (2, 0), (3, 0), (4, 0), (4, 1), (4, 2), (4, 3), (4, 4)} <= set(VERSIONS)
    assert {(5, m) for m in range(9)} <= set(VERSIONS)
    # 5.5 is known but never negotiated
    assert (5, 5) in VERSIONS and (5, 5) not in SERVER_VERSIONS
    assert set(SERVER_VERSIONS) == set(VERSIONS) - {(5, 5)}
    assert set(LAYOUTS) == set(REQUESTS) == set(RESPONSES) == set(VERSIONS)


# ---- the registries against the spec, generically ------------------------------------------------


@pytest.mark.parametrize("version", ALL, ids=ids(ALL))
def test_registries_match_the_spec(version) -> None:
    expected_layouts = {}
    for name, spec in MESSAGE_SPECS.items():
        for layout in spec["layouts"]:
            if version_in(version, layout["versions"]):
                cls = MESSAGES[name]
                expected_layouts[cls] = tuple(f["name"] for f in layout.get("fields") or [])
    assert LAYOUTS[version] == expected_layouts
    requests = {c.signature: c for c in expected_layouts if c.direction == "request"}
    responses = {c.signature: c for c in expected_layouts if c.direction == "response"}
    assert REQUESTS[version] == requests
    assert RESPONSES[version] == responses
    for cls in expected_layouts:
        assert version in MESSAGE_VERSIONS[cls]


def test_message_classes_match_the_spec() -> None:
    assert set(MESSAGES) == set(MESSAGE_SPECS)
    for name, spec in MESSAGE_SPECS.items():
        cls = MESSAGES[name]
        assert issubclass(cls, Message)
        assert cls.name == name
        assert cls.signature == spec["signature"]
        assert cls.direction == spec["direction"]
        assert cls.summary == bool(spec.get("summary", False))
        versions = tuple(
            v for v in ALL if any(version_in(v, lay["versions"]) for lay in spec["layouts"])
        )
        assert MESSAGE_VERSIONS[cls] == versions


def test_no_two_messages_share_a_signature_and_direction_in_a_version() -> None:
    for version in ALL:
        seen: dict = {}
        for cls in LAYOUTS[version]:
            key = (cls.signature, cls.direction)
            assert key not in seen, (version, cls.name, seen.get(key))
            seen[key] = cls.name


# ---- protocol facts (bolt-spec-detailed.md 4.1 / 4.2) -----------------------------------------------

SIGNATURES = {
    Init: 0x01, Hello: 0x01, Goodbye: 0x02, AckFailure: 0x0E, Reset: 0x0F, Run: 0x10,
    Begin: 0x11, Commit: 0x12, Rollback: 0x13, DiscardAll: 0x2F, Discard: 0x2F, PullAll: 0x3F,
    Pull: 0x3F, Telemetry: 0x54, Route: 0x66, Logon: 0x6A, Logoff: 0x6B, Success: 0x70,
    Record: 0x71, Ignored: 0x7E, Failure: 0x7F,
}

AVAILABILITY = {
    Init: between((1, 0), (2, 0)),
    AckFailure: between((1, 0), (2, 0)),
    Hello: since((3, 0)),
    Goodbye: since((3, 0)),
    Begin: since((3, 0)),
    Commit: since((3, 0)),
    Rollback: since((3, 0)),
    DiscardAll: between((1, 0), (3, 0)),
    PullAll: between((1, 0), (3, 0)),
    Discard: since((4, 0)),
    Pull: since((4, 0)),
    Route: since((4, 3)),
    Logon: since((5, 1)),
    Logoff: since((5, 1)),
    Telemetry: since((5, 4)),
    Reset: ALL,
    Run: ALL,
    Success: ALL,
    Record: ALL,
    Ignored: ALL,
    Failure: ALL,
}


def test_signature_table() -> None:
    assert set(SIGNATURES) == set(MESSAGES.values())
    for cls, sig in SIGNATURES.items():
        assert cls.signature == sig, cls.name
    responses = {Success, Record, Ignored, Failure}
    for cls in SIGNATURES:
        assert cls.direction == ("response" if cls in responses else "request")
    assert {c for c in SIGNATURES if c.summary} == {Success, Ignored, Failure}


@pytest.mark.parametrize("cls", list(AVAILABILITY), ids=[c.name for c in AVAILABILITY])
def test_availability(cls) -> None:
    assert list(MESSAGE_VERSIONS[cls]) == AVAILABILITY[cls]
    for version in ALL:
        table = REQUESTS if cls.direction == "request" else RESPONSES
        assert (table[version].get(cls.signature) is cls) == (version in AVAILABILITY[cls])


def test_init_becomes_hello_in_3_0() -> None:
    for version in between((1, 0), (2, 0)):
        assert REQUESTS[version][0x01] is Init
        assert LAYOUTS[version][Init] == ("user_agent", "auth_token")
        assert 0x0E in REQUESTS[version] and 0x02 not in REQUESTS[version]
    for version in since((3, 0)):
        assert REQUESTS[version][0x01] is Hello
        assert LAYOUTS[version][Hello] == ("extra",)
        assert 0x0E not in REQUESTS[version]


def test_run_gains_extra_in_3_0() -> None:
    for version in between((1, 0), (2, 0)):
        assert LAYOUTS[version][Run] == ("query", "parameters")
    for version in since((3, 0)):
        assert LAYOUTS[version][Run] == ("query", "parameters", "extra")


def test_pull_all_and_discard_all_become_pull_and_discard_in_4_0() -> None:
    for version in between((1, 0), (3, 0)):
        assert REQUESTS[version][0x3F] is PullAll and REQUESTS[version][0x2F] is DiscardAll
        assert LAYOUTS[version][PullAll] == () and LAYOUTS[version][DiscardAll] == ()
    for version in since((4, 0)):
        assert REQUESTS[version][0x3F] is Pull and REQUESTS[version][0x2F] is Discard
        assert LAYOUTS[version][Pull] == ("extra",) and LAYOUTS[version][Discard] == ("extra",)


def test_route_layouts() -> None:
    for version in ALL:
        if version < (4, 3):
            assert Route not in LAYOUTS[version]
            assert 0x66 not in REQUESTS[version]
    assert LAYOUTS[(4, 3)][Route] == ("routing", "bookmarks", "db")
    for version in since((4, 4)):
        assert LAYOUTS[version][Route] == ("routing", "bookmarks", "extra")


def test_route_4_3_and_4_4_on_the_wire() -> None:
    route43 = Route({"address": "h:1"}, ["bm"], db="neo4j")
    data43 = get_codec((4, 3)).pack_message(route43)
    assert data43[:2] == b"\xb3\x66" and data43.endswith(b"\x85neo4j")
    assert_same(get_codec((4, 3)).unpack_request(data43), route43)
    route44 = Route({"address": "h:1"}, ["bm"], extra={"db": "neo4j", "imp_user": None})
    data44 = get_codec((4, 4)).pack_message(route44)
    assert data44.endswith(b"\xa2\x82db\x85neo4j\x88imp_user\xc0")
    assert_same(get_codec((4, 4)).unpack_request(data44), route44)
    # the 4.3 form (a string third field) is not a 4.4 ROUTE, and the reverse
    with pytest.raises(ProtocolError) as info:
        get_codec((4, 4)).unpack_request(data43)
    assert info.value.path == ("ROUTE", "extra")
    with pytest.raises(ProtocolError) as info:
        get_codec((4, 3)).unpack_request(data44)
    assert info.value.path == ("ROUTE", "db")


def test_telemetry_logon_logoff_gating() -> None:
    for version in ALL:
        assert (0x54 in REQUESTS[version]) == (version >= (5, 4))
        assert (0x6A in REQUESTS[version]) == (version >= (5, 1))
        assert (0x6B in REQUESTS[version]) == (version >= (5, 1))
    assert LAYOUTS[(5, 4)][Telemetry] == ("api",)
    assert LAYOUTS[(5, 1)][Logon] == ("auth",)
    assert LAYOUTS[(5, 1)][Logoff] == ()
    with pytest.raises(ValueError):
        get_codec((5, 3)).pack_message(Telemetry(0))
    with pytest.raises(ValueError):
        get_codec((5, 0)).pack_message(Logon({"scheme": "none"}))


def test_responses_are_the_same_four_in_every_version() -> None:
    for version in ALL:
        assert RESPONSES[version] == {0x70: Success, 0x71: Record, 0x7E: Ignored, 0x7F: Failure}
        assert LAYOUTS[version][Success] == ("metadata",)
        assert LAYOUTS[version][Record] == ("data",)
        assert LAYOUTS[version][Failure] == ("metadata",)
        assert LAYOUTS[version][Ignored] == ()


# ---- IGNORED with and without metadata -------------------------------------------------------------


@pytest.mark.parametrize("version", ALL, ids=ids(ALL))
def test_ignored_with_or_without_metadata(version) -> None:
    codec = get_codec(version)
    bare = codec.unpack_response(b"\xb0\x7e")
    assert type(bare) is Ignored and bare.metadata == {}
    with_meta = codec.unpack_response(b"\xb1\x7e\xa1\x81a\x01")
    assert type(with_meta) is Ignored and with_meta.metadata == {"a": 1}
    empty_meta = codec.unpack_response(b"\xb1\x7e\xa0")
    assert type(empty_meta) is Ignored and empty_meta.metadata == {}
    # IGNORED always goes out without fields
    assert codec.pack_message(Ignored()) == b"\xb0\x7e"
    assert codec.pack_message(Ignored({"a": 1})) == b"\xb0\x7e"
    for bad in (b"\xb2\x7e\xa0\xa0", b"\xb1\x7e\xc0", b"\xb1\x7e\x90"):
        with pytest.raises(ProtocolError):
            codec.unpack_response(bad)


# ---- signatures overlapping structure tags ------------------------------------------------------------


def test_message_context_decides_over_structure_tags() -> None:
    """0x54 is TELEMETRY and Time, 0x3F PULL and UnsupportedType, 0x66 ROUTE and legacy 'f':
    top-level messages are decoded as messages, values as structures."""
    c54 = get_codec((5, 4))
    assert c54.unpack_request(b"\xb1\x54\x01") == Telemetry(1)
    assert unpack(b"\xb2\x54\x01\x02", (5, 4)) == Time(1, 2)
    with pytest.raises(ProtocolError):
        unpack(b"\xb1\x54\x01", (5, 4))  # a one-field Time
    c60 = get_codec((6, 0))
    assert c60.unpack_request(b"\xb1\x3f\xa1\x81n\xff") == Pull({"n": -1})
    assert type(unpack(b"\xb4\x3f\x81T\x06\x01\xa0", (6, 0))).__name__ == "UnsupportedType"
    c43 = get_codec((4, 3))
    assert type(c43.unpack_request(b"\xb3\x66\xa0\x90\xc0")) is Route
    assert type(unpack(b"\xb3\x66\x01\x02\x81a", (4, 3))).__name__ == "LegacyDateTimeZoneId"


def test_message_defaults() -> None:
    assert Run("q", {}).extra == {}
    assert Route({}, []).db is None and Route({}, []).extra == {}
    assert Ignored().metadata == {}
    assert MESSAGES["RUN"] is Run and MESSAGES["PULL_ALL"] is PullAll
