"""Tests for asyncbolt.core.handshake: docs-bolt and testkit vectors, both ends, properties."""

from __future__ import annotations

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from asyncbolt.core.handshake import (
    MAGIC,
    MANIFEST_V1,
    MAX_OFFERS,
    ClientHandshake,
    Manifest,
    Proposal,
    ServerHandshake,
    compress_versions,
    decode_offer,
    decode_proposals,
    decode_varint,
    encode_varint,
    encode_version,
    negotiate,
    parse_answer,
    parse_choice,
    parse_manifest,
    parse_opening,
)
from asyncbolt.errors import HandshakeError, ProtocolError


def h(text: str) -> bytes:
    return bytes.fromhex(text)


def vrange(major: int, high: int, low: int) -> list[tuple[int, int]]:
    return [(major, m) for m in range(high, low - 1, -1)]


# What the official Python driver 6.4 speaks and sends (bolt-spec-detailed.md 1.2 / 8.1).
PY_DRIVER_VERSIONS = [(6, 1), (6, 0), *vrange(5, 8, 0), *vrange(4, 4, 2), (3, 0)]
PY_DRIVER_PROPOSALS = [(5, 8, 8), (4, 4, 2), (3, 0)]
PY_DRIVER_OPENING = h("60 60 B0 17 00 00 01 FF 00 08 08 05 00 02 04 04 00 00 00 03")
# Neo4j 5.26+ (bolt-compatibility table): 5.0-5.4, 5.6-5.8 (never 5.5), 4.4-4.0.
NEO4J_526 = [*vrange(5, 8, 6), *vrange(5, 4, 0), *vrange(4, 4, 0)]


def py_client() -> ClientHandshake:
    return ClientHandshake(PY_DRIVER_PROPOSALS, manifest=True, supported=PY_DRIVER_VERSIONS)


def feed_bytewise(side: ClientHandshake | ServerHandshake, data: bytes) -> bytes:
    out = b""
    for i in range(len(data)):
        out += side.receive_data(data[i : i + 1])
    return out


# ---- varint ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoded", "value"),
    [("00", 0), ("01", 1), ("7F", 127), ("80 01", 128), ("FF 82 71", 1851775), ("09", 9)],
)
def test_varint_vectors(encoded: str, value: int) -> None:
    assert encode_varint(value) == h(encoded)
    assert decode_varint(h(encoded)) == (value, len(h(encoded)))


def test_varint_max_64_bits() -> None:
    top = (1 << 64) - 1
    assert encode_varint(top) == h("FF FF FF FF FF FF FF FF FF 01")
    assert decode_varint(encode_varint(top)) == (top, 10)
    assert encode_varint((1 << 56) - 1) == h("FF FF FF FF FF FF FF 7F")


def test_varint_offset_and_incomplete() -> None:
    data = h("AA BB FF 82 71 05")
    assert decode_varint(data, 2) == (1851775, 5)
    assert decode_varint(data, 5) == (5, 6)
    assert decode_varint(h("FF 82")) is None
    assert decode_varint(b"") is None
    assert decode_varint(data, 6) is None


def test_varint_too_long() -> None:
    with pytest.raises(HandshakeError) as info:
        decode_varint(b"\x80" * 10 + b"\x01")
    assert info.value.offset == 0
    with pytest.raises(HandshakeError):
        decode_varint(b"\x00" + b"\xff" * 10, 1)
    # Ten bytes whose value overflows 64 bits.
    with pytest.raises(HandshakeError):
        decode_varint(h("FF FF FF FF FF FF FF FF FF 02"))


@pytest.mark.parametrize("bad", [-1, 1 << 64])
def test_encode_varint_range(bad: int) -> None:
    with pytest.raises(ValueError):
        encode_varint(bad)


@given(st.integers(min_value=0, max_value=(1 << 64) - 1), st.binary(max_size=4))
def test_varint_round_trip(value: int, prefix: bytes) -> None:
    encoded = encode_varint(value)
    assert decode_varint(prefix + encoded + b"\x7f", len(prefix)) == (
        value,
        len(prefix) + len(encoded),
    )
    # Every strict prefix of the encoding asks for more bytes.
    for cut in range(len(encoded)):
        assert decode_varint(encoded[:cut]) is None


# ---- proposals ---------------------------------------------------------------------------------


def test_encode_version_vectors() -> None:
    assert encode_version((3, 0)) == h("00 00 00 03")
    assert encode_version((4, 1)) == h("00 00 01 04")
    assert encode_version((4, 3), 2) == h("00 02 03 04")
    assert encode_version((5, 8), 8) == h("00 08 08 05")
    assert encode_version((4, 4), 2) == h("00 02 04 04")


@pytest.mark.parametrize(
    ("version", "range_"), [((0, 0), 0), ((255, 1), 0), ((4, 256), 0), ((4, 2), 3), ((4, 2), -1)]
)
def test_encode_version_rejects(version: tuple[int, int], range_: int) -> None:
    with pytest.raises(ValueError):
        encode_version(version, range_)


@pytest.mark.parametrize(
    ("offer", "versions"),
    [
        ("00 00 00 03", [(3, 0)]),
        ("00 00 01 04", [(4, 1)]),
        ("00 02 03 04", [(4, 3), (4, 2), (4, 1)]),
        ("00 08 08 05", vrange(5, 8, 0)),
        ("00 02 04 04", [(4, 4), (4, 3), (4, 2)]),
        ("00 05 02 05", [(5, 2), (5, 1), (5, 0)]),  # a range never goes below minor 0
        ("00 FF FF 05", vrange(5, 255, 0)),
        ("7A 00 01 04", [(4, 1)]),  # byte 0 is reserved and ignored
        ("00 00 00 00", []),
        ("00 00 01 FF", []),  # the manifest slot is not a version
    ],
)
def test_decode_offer(offer: str, versions: list[tuple[int, int]]) -> None:
    assert decode_offer(h(offer)) == versions


def test_decode_offer_wrong_length() -> None:
    with pytest.raises(ValueError):
        decode_offer(b"\x00\x00\x04")


def test_decode_proposals_and_str() -> None:
    proposals = decode_proposals(PY_DRIVER_OPENING[4:])
    assert proposals == [Proposal(255, 1, 0), Proposal(5, 8, 8), Proposal(4, 4, 2), Proposal(3, 0)]
    assert [str(p) for p in proposals] == ["manifest v1", "5.8-5.0", "4.4-4.2", "3.0"]
    assert proposals[0].is_manifest
    assert decode_proposals(h("00 00 00 02 00 00 00 01" + " 00" * 8)) == [
        Proposal(2, 0),
        Proposal(1, 0),
    ]


def test_compress_versions() -> None:
    assert compress_versions(NEO4J_526) == [
        Proposal(5, 8, 2),
        Proposal(5, 4, 4),
        Proposal(4, 4, 4),
    ]
    assert compress_versions(PY_DRIVER_VERSIONS) == [
        Proposal(6, 1, 1),
        Proposal(5, 8, 8),
        Proposal(4, 4, 2),
        Proposal(3, 0, 0),
    ]
    assert compress_versions(vrange(7, 255, 0)) == [Proposal(7, 255, 255)]
    assert compress_versions([(5, 3), (5, 1), (5, 3)]) == [Proposal(5, 3), Proposal(5, 1)]


@given(st.sets(st.tuples(st.integers(1, 254), st.integers(0, 255)), min_size=1, max_size=60))
def test_compress_versions_property(versions: set[tuple[int, int]]) -> None:
    offers = compress_versions(versions)
    expanded = [v for o in offers for v in o.versions()]
    assert sorted(expanded, reverse=True) == expanded  # highest first, no overlap
    assert set(expanded) == versions and len(expanded) == len(versions)
    assert all(0 <= o.range <= 255 for o in offers)


# ---- negotiate (docs-bolt examples) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("proposals", "supported", "chosen"),
    [
        ("00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00", [(1, 0)], (1, 0)),
        ("00 00 00 02 00 00 00 01 00 00 00 00 00 00 00 00", [(1, 0), (2, 0)], (2, 0)),
        ("00 00 00 03 00 00 00 02 00 00 00 01 00 00 00 00", [(1, 0), (2, 0)], (2, 0)),
        ("00 00 00 03 00 00 00 00 00 00 00 00 00 00 00 00", [(1, 0), (2, 0)], None),
        ("00 00 01 04 00 00 00 04 00 00 00 03 00 00 00 00", [(3, 0), (4, 0), (4, 1)], (4, 1)),
        ("00 03 03 04 00 00 01 04 00 00 00 04 00 00 00 03", [(3, 0), (4, 0), (4, 1)], (4, 1)),
        # First matching proposal wins even if a later one is newer.
        ("00 00 00 03 00 00 00 04 00 00 00 00 00 00 00 00", [(3, 0), (4, 0)], (3, 0)),
        # The manifest slot is skipped by the pure helper.
        (PY_DRIVER_OPENING[4:].hex(), NEO4J_526, (5, 8)),
        (PY_DRIVER_OPENING[4:].hex(), [(5, 5), (4, 3)], (5, 5)),
    ],
)
def test_negotiate_docs(
    proposals: str, supported: list[tuple[int, int]], chosen: tuple[int, int] | None
) -> None:
    assert negotiate(h(proposals), supported) == chosen


# ---- client ------------------------------------------------------------------------------------


def test_client_opening_python_driver() -> None:
    assert py_client().initial_bytes() == PY_DRIVER_OPENING


def test_client_opening_js_vectors() -> None:
    # js 4.x bolt-connection test and the 1.x connector test.
    assert ClientHandshake([(4, 4, 2), (4, 1), (4, 0), (3, 0)]).initial_bytes() == h(
        "60 60 B0 17 00 02 04 04 00 00 01 04 00 00 00 04 00 00 00 03"
    )
    assert ClientHandshake([(2, 0), (1, 0)]).initial_bytes() == h(
        "60 60 B0 17 00 00 00 02 00 00 00 01 00 00 00 00 00 00 00 00"
    )


def test_client_opening_docs_manifest_example() -> None:
    client = ClientHandshake([(4, 4), (3, 0), (2, 0)], manifest=True)
    assert client.initial_bytes() == MAGIC + h("00 00 01 FF 00 00 04 04 00 00 00 03 00 00 00 02")


def test_client_rejects_bad_proposals() -> None:
    with pytest.raises(ValueError):
        ClientHandshake([(5, 0), (4, 4), (4, 3), (4, 2)], manifest=True)
    with pytest.raises(ValueError):
        ClientHandshake([(5, 0)] * 5)
    with pytest.raises(ValueError):
        ClientHandshake([(4, 1, 2)])
    with pytest.raises(ValueError):
        ClientHandshake([])
    with pytest.raises(ValueError):
        ClientHandshake([(5,)])


@pytest.mark.parametrize(
    ("reply", "version"),
    [("00 00 07 05", (5, 7)), ("00 00 00 03", (3, 0)), ("00 00 02 04", (4, 2))],
)
def test_client_legacy_reply(reply: str, version: tuple[int, int]) -> None:
    client = py_client()
    assert client.receive_data(h(reply)) == b""
    assert client.done and client.version == version
    assert not client.manifest and client.capabilities == 0
    assert client.unused == b""


def test_client_legacy_reply_bytewise_and_unused() -> None:
    client = ClientHandshake([(4, 4, 2), (4, 1)])
    assert feed_bytewise(client, h("00 00 03 04")) == b""
    assert client.done and client.version == (4, 3)
    assert client.receive_data(b"\x00\x03") == b""
    assert client.unused == b"\x00\x03"

    client = ClientHandshake([(4, 4, 2), (4, 1)])
    client.receive_data(h("00 00 01 04 00 03 B1 70 A0 00 00"))
    assert client.version == (4, 1)
    assert client.unused == h("00 03 B1 70 A0 00 00")


TESTKIT_MANIFEST = [
    # (server bytes, client reply, agreed version)
    ("00 00 01 FF 03 00 07 07 05 00 04 04 04 00 00 00 03 00", "00 00 07 05 00", (5, 7)),
    ("00 00 01 FF 02 00 07 07 F2 00 07 07 05 00", "00 00 07 05 00", (5, 7)),
    ("00 00 01 FF 02 00 00 04 04 00 FF FF 05 00", "00 00 08 05 00", (5, 8)),
    ("00 00 01 FF 01 00 00 07 05 FF FF FF FF FF FF FF 7F", "00 00 07 05 00", (5, 7)),
    # docs-bolt manifest example (5.8..5.6, 4.4..4.0, caps 9): the driver picks 5.8, keeps no caps.
    ("00 00 01 FF 02 00 02 08 05 00 04 04 04 09", "00 00 08 05 00", (5, 8)),
]


@pytest.mark.parametrize(("server", "reply", "version"), TESTKIT_MANIFEST)
@pytest.mark.parametrize("bytewise", [False, True])
def test_client_manifest_vectors(
    server: str, reply: str, version: tuple[int, int], bytewise: bool
) -> None:
    client = py_client()
    data = h(server)
    sent = feed_bytewise(client, data) if bytewise else client.receive_data(data)
    assert sent == h(reply)
    assert client.done and client.manifest
    assert client.version == version
    assert client.unused == b""


def test_client_manifest_offers_and_capabilities_recorded() -> None:
    client = py_client()
    client.receive_data(h("00 00 01 FF 01 00 00 07 05 FF FF FF FF FF FF FF 7F"))
    assert client.capabilities == (1 << 56) - 1
    assert client.offers == [Proposal(5, 7, 0)]
    client = py_client()
    client.receive_data(h("00 00 01 FF 02 00 02 08 05 00 04 04 04 09"))
    assert client.capabilities == 9
    assert [str(o) for o in client.offers] == ["5.8-5.6", "4.4-4.0"]


def test_client_docs_manifest_example_picks_5_7_when_that_is_its_best() -> None:
    client = ClientHandshake([(4, 4), (3, 0)], manifest=True, supported=[(5, 7), (4, 4), (3, 0)])
    assert client.receive_data(h("00 00 01 FF 02 00 02 08 05 00 04 04 04 09")) == h(
        "00 00 07 05 00"
    )
    assert client.version == (5, 7)


def test_client_manifest_picks_6_x_unreachable_by_legacy() -> None:
    client = py_client()
    reply = client.receive_data(h("00 00 01 FF 02 00 01 01 06 00 08 08 05 00"))
    assert reply == h("00 00 01 06 00")
    assert client.version == (6, 1)


def test_client_manifest_pipelined_bytes_land_in_unused() -> None:
    client = py_client()
    reply = client.receive_data(h("00 00 01 FF 01 00 00 07 05 00 00 02 B0 7E 00 00"))
    assert reply == h("00 00 07 05 00")
    assert client.unused == h("00 02 B0 7E 00 00")


def test_client_refused() -> None:
    client = py_client()
    with pytest.raises(HandshakeError) as info:
        client.receive_data(h("00 00 00 00"))
    message = str(info.value)
    assert "none of the proposed versions" in message
    assert "manifest v1, 5.8-5.0, 4.4-4.2, 3.0" in message
    assert info.value.reply == b""
    assert client.failed and not client.done
    # The error is sticky.
    with pytest.raises(HandshakeError):
        client.receive_data(b"\x00")


def test_client_http_port() -> None:
    client = py_client()
    with pytest.raises(HandshakeError, match="HTTP port, not Bolt"):
        feed_bytewise(client, b"HTTP/1.1 400 Bad Request\r\n")


def test_client_version_not_proposed() -> None:
    client = ClientHandshake([(4, 4, 2), (3, 0)])
    with pytest.raises(HandshakeError, match=r"4\.1.*not proposed"):
        client.receive_data(h("00 00 01 04"))
    # A manifest answer the client did not ask for is just as unproposed.
    client = ClientHandshake([(5, 8, 8)])
    with pytest.raises(HandshakeError, match="not proposed"):
        client.receive_data(MANIFEST_V1 + h("00 00"))


def test_client_version_proposed_but_not_supported() -> None:
    # Like the js driver: it proposes 5.8-5.0 but does not speak 5.5.
    supported = [v for v in PY_DRIVER_VERSIONS if v != (5, 5)]
    client = ClientHandshake(PY_DRIVER_PROPOSALS, manifest=True, supported=supported)
    with pytest.raises(HandshakeError, match="does not support"):
        client.receive_data(h("00 00 05 05"))


def test_client_unknown_manifest_version() -> None:
    client = py_client()
    with pytest.raises(HandshakeError, match="manifest version 2"):
        client.receive_data(h("00 00 02 FF 00 00"))


def test_client_manifest_nothing_in_common_exposes_reply() -> None:
    client = py_client()
    with pytest.raises(HandshakeError) as info:
        client.receive_data(h("00 00 01 FF 02 00 00 07 07 00 01 02 02 00"))
    assert info.value.reply == h("00 00 00 00 00")
    assert "7.7, 2.2-2.1" in str(info.value)
    assert client.failed and client.version is None


def test_client_manifest_zero_offers() -> None:
    client = py_client()
    with pytest.raises(HandshakeError) as info:
        client.receive_data(h("00 00 01 FF 00 00"))
    assert info.value.reply == h("00 00 00 00 00")


def test_client_manifest_bad_varints() -> None:
    client = py_client()
    with pytest.raises(HandshakeError) as info:
        client.receive_data(MANIFEST_V1 + b"\x80" * 11)
    assert info.value.offset == 4
    client = py_client()
    with pytest.raises(HandshakeError):
        client.receive_data(MANIFEST_V1 + h("01 00 00 07 05") + b"\xff" * 11)
    # A count no server would send is refused at once instead of waiting for its bytes.
    client = py_client()
    with pytest.raises(HandshakeError, match="offers"):
        client.receive_data(MANIFEST_V1 + encode_varint(1 << 40))


def test_client_manifest_waits_for_all_parts() -> None:
    client = py_client()
    full = h("00 00 01 FF 02 00 00 07 05 00 04 04 04 00")
    for cut in range(len(full)):
        partial = py_client()
        assert partial.receive_data(full[:cut]) == b""
        assert not partial.done
    assert client.receive_data(full) == h("00 00 07 05 00")


# ---- server ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proposals", "supported", "answer"),
    [
        ("00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00", [(1, 0)], "00 00 00 01"),
        ("00 00 00 02 00 00 00 01 00 00 00 00 00 00 00 00", [(1, 0), (2, 0)], "00 00 00 02"),
        ("00 00 00 03 00 00 00 02 00 00 00 01 00 00 00 00", [(1, 0), (2, 0)], "00 00 00 02"),
        ("00 00 00 03 00 00 00 00 00 00 00 00 00 00 00 00", [(1, 0), (2, 0)], "00 00 00 00"),
        (
            "00 00 01 04 00 00 00 04 00 00 00 03 00 00 00 00",
            [(3, 0), (4, 0), (4, 1)],
            "00 00 01 04",
        ),
        (
            "00 03 03 04 00 00 01 04 00 00 00 04 00 00 00 03",
            [(3, 0), (4, 0), (4, 1)],
            "00 00 01 04",
        ),
    ],
)
@pytest.mark.parametrize("bytewise", [False, True])
def test_server_docs_vectors(
    proposals: str, supported: list[tuple[int, int]], answer: str, bytewise: bool
) -> None:
    server = ServerHandshake(supported)
    data = MAGIC + h(proposals)
    out = feed_bytewise(server, data) if bytewise else server.receive_data(data)
    assert out == h(answer)
    if answer == "00 00 00 00":
        assert server.failed and not server.done and server.version is None
        assert isinstance(server.error, HandshakeError)
        assert "proposed: 3.0" in str(server.error)
    else:
        assert server.done and not server.failed and server.error is None
        assert server.version == (h(answer)[3], h(answer)[2])
        assert not server.manifest


def test_server_docs_manifest_example() -> None:
    server = ServerHandshake([*vrange(5, 8, 6), *vrange(4, 4, 0)], capabilities=9)
    opening = MAGIC + h("00 00 01 FF 00 00 04 04 00 00 00 03 00 00 00 02")
    assert server.receive_data(opening) == h("00 00 01 FF 02 00 02 08 05 00 04 04 04 09")
    assert server.manifest and not server.done
    assert server.receive_data(h("00 00 07 05 08")) == b""
    assert server.done
    assert server.version == (5, 7)
    assert server.client_capabilities == 8
    assert server.unused == b""


def test_server_answers_python_driver_with_manifest() -> None:
    server = ServerHandshake(PY_DRIVER_VERSIONS)
    reply = feed_bytewise(server, PY_DRIVER_OPENING)
    assert reply == h("00 00 01 FF 04 00 01 01 06 00 08 08 05 00 02 04 04 00 00 00 03 00")
    assert [str(p) for p in server.proposals] == ["manifest v1", "5.8-5.0", "4.4-4.2", "3.0"]
    assert feed_bytewise(server, h("00 00 01 06 00")) == b""
    assert server.done and server.version == (6, 1) and server.manifest


def test_server_neo4j_526_offers_skip_5_5() -> None:
    server = ServerHandshake(NEO4J_526)
    assert server.receive_data(PY_DRIVER_OPENING) == h(
        "00 00 01 FF 03 00 02 08 05 00 04 04 05 00 04 04 04 00"
    )
    with pytest.raises(HandshakeError, match=r"client chose 5\.5, which was not offered"):
        server.receive_data(h("00 00 05 05 00"))
    # Sticky.
    with pytest.raises(HandshakeError):
        server.receive_data(b"")


def test_server_without_manifest_uses_legacy_slots() -> None:
    server = ServerHandshake(NEO4J_526, manifest=False)
    assert server.receive_data(PY_DRIVER_OPENING) == h("00 00 08 05")
    assert server.done and not server.manifest and server.version == (5, 8)


def test_server_legacy_proposal_before_manifest_wins() -> None:
    server = ServerHandshake(NEO4J_526)
    assert server.receive_data(MAGIC + h("00 00 04 04 00 00 01 FF 00 00 00 00 00 00 00 00")) == h(
        "00 00 04 04"
    )
    assert not server.manifest and server.version == (4, 4)


def test_server_skips_unknown_manifest_version() -> None:
    server = ServerHandshake(NEO4J_526)
    assert server.receive_data(MAGIC + h("00 00 02 FF 00 00 03 05" + " 00" * 8)) == h("00 00 03 05")
    assert not server.manifest


def test_server_refusal_does_not_raise() -> None:
    # Manifests disabled: the manifest slot is an unknown version like any other.
    server = ServerHandshake([(6, 0)], manifest=False)
    assert server.receive_data(PY_DRIVER_OPENING[:-4] + h("00 00 00 00")) == h("00 00 00 00")
    assert server.failed and not server.done and server.version is None
    assert server.error is not None
    assert "proposed: manifest v1, 5.8-5.0, 4.4-4.2;" in str(server.error)
    with pytest.raises(HandshakeError):
        server.receive_data(b"\x00")


def test_server_refusal_lists_proposals_and_support() -> None:
    server = ServerHandshake([(5, 0), (5, 1)])
    assert server.receive_data(MAGIC + h("00 02 04 04 00 00 00 03" + " 00" * 8)) == bytes(4)
    assert str(server.error) == (
        "client proposed no version this server supports "
        "(proposed: 4.4-4.2, 3.0; supported: 5.1-5.0) at offset 4"
    )


@pytest.mark.parametrize(
    ("opening", "needle"),
    [
        (b"GET / HTTP/1.1\r\nHost: localhost:7687\r\n\r\n", "HTTP request"),
        (b"POST /db/neo4j/tx HTTP/1.1\r\n", "HTTP request"),
        (h("16 03 01 02 00 01 00 01 FC 03 03"), "TLS ClientHello"),
        (h("00 01 02 03 04"), "00 01 02 03"),
        (h("60 60 B0 18") + bytes(16), "60 60 b0 18"),
    ],
)
def test_server_bad_magic(opening: bytes, needle: str) -> None:
    server = ServerHandshake([(5, 0)])
    with pytest.raises(HandshakeError) as info:
        feed_bytewise(server, opening)
    assert needle in str(info.value)
    assert info.value.offset == 0
    assert isinstance(info.value, ProtocolError)


def test_server_waits_for_full_opening() -> None:
    data = MAGIC + h("00 00 00 05" + " 00" * 12)
    for cut in range(len(data)):
        server = ServerHandshake([(5, 0)])
        assert server.receive_data(data[:cut]) == b""
        assert not server.done and not server.failed
    server = ServerHandshake([(5, 0)])
    assert server.receive_data(data) == h("00 00 00 05")


def test_server_client_finds_nothing() -> None:
    server = ServerHandshake(NEO4J_526)
    server.receive_data(PY_DRIVER_OPENING)
    with pytest.raises(HandshakeError, match="no common version"):
        server.receive_data(h("00 00 00 00 00"))


def test_server_client_takes_unoffered_capabilities() -> None:
    server = ServerHandshake(NEO4J_526, capabilities=0b1001)
    server.receive_data(PY_DRIVER_OPENING)
    with pytest.raises(HandshakeError, match="capabilities"):
        server.receive_data(h("00 00 08 05 02"))


def test_server_client_bad_varint() -> None:
    server = ServerHandshake(NEO4J_526)
    server.receive_data(PY_DRIVER_OPENING)
    with pytest.raises(HandshakeError) as info:
        server.receive_data(h("00 00 08 05") + b"\x80" * 11)
    assert info.value.offset == 24


def test_server_pipelined_bytes_land_in_unused() -> None:
    hello = h("00 14 B1 01 A1 8A 75 73 65 72 5F 61 67 65 6E 74 85 78 2F 31 2E 30 00 00")
    # Manifest: choice + HELLO in one piece, and even choice pipelined behind the opening.
    server = ServerHandshake(NEO4J_526)
    server.receive_data(PY_DRIVER_OPENING)
    assert server.receive_data(h("00 00 08 05 00") + hello) == b""
    assert server.done and server.version == (5, 8) and server.unused == hello
    server = ServerHandshake(NEO4J_526)
    reply = server.receive_data(PY_DRIVER_OPENING + h("00 00 07 05 00") + hello)
    assert reply.startswith(MANIFEST_V1)
    assert server.done and server.version == (5, 7) and server.unused == hello
    # Legacy.
    server = ServerHandshake(NEO4J_526, manifest=False)
    assert server.receive_data(PY_DRIVER_OPENING + hello) == h("00 00 08 05")
    assert server.unused == hello
    assert server.receive_data(b"\x00\x00") == b""
    assert server.unused == hello + b"\x00\x00"


def test_server_rejects_bad_configuration() -> None:
    with pytest.raises(ValueError):
        ServerHandshake([])
    with pytest.raises(ValueError):
        ServerHandshake([(0, 1)])
    with pytest.raises(ValueError):
        ServerHandshake([(5, 0)], capabilities=1 << 64)


# ---- both ends together ------------------------------------------------------------------------

versions_st = st.sets(st.tuples(st.integers(1, 7), st.integers(0, 9)), min_size=1, max_size=25)


def _expected(
    client: ClientHandshake, server_supported: set[tuple[int, int]], server_manifest: bool
) -> tuple[tuple[int, int] | None, bool]:
    """Independent model of the outcome: (version or None, via manifest)."""
    for proposal in client.proposals:
        if proposal.is_manifest:
            if server_manifest:
                common = client.supported & server_supported
                return (max(common) if common else None), True
            continue
        covered = [v for v in proposal.versions() if v in server_supported]
        if covered:
            return max(covered), False
    return None, False


@settings(max_examples=300, deadline=None)
@given(
    client_versions=versions_st,
    server_versions=versions_st,
    client_manifest=st.booleans(),
    server_manifest=st.booleans(),
    caps=st.integers(0, (1 << 64) - 1),
    chunk=st.integers(1, 30),
    pipelined=st.binary(max_size=8),
)
def test_client_and_server_agree(
    client_versions: set[tuple[int, int]],
    server_versions: set[tuple[int, int]],
    client_manifest: bool,
    server_manifest: bool,
    caps: int,
    chunk: int,
    pipelined: bytes,
) -> None:
    offers = compress_versions(client_versions)[: 3 if client_manifest else 4]
    proposals = [(p.major, p.minor, p.range) for p in offers]
    client = ClientHandshake(proposals, manifest=client_manifest, supported=client_versions)
    server = ServerHandshake(server_versions, manifest=server_manifest, capabilities=caps)
    want, via_manifest = _expected(client, server_versions, server_manifest)

    def deliver(side: ClientHandshake | ServerHandshake, data: bytes) -> bytes:
        out = b""
        for i in range(0, len(data), chunk):
            out += side.receive_data(data[i : i + chunk])
        return out

    event(f"manifest={via_manifest} agreed={want is not None}")
    answer = deliver(server, client.initial_bytes())
    if not via_manifest and want is None:
        assert answer == bytes(4) and server.failed
        with pytest.raises(HandshakeError, match="none of the proposed"):
            deliver(client, answer)
        return
    if via_manifest and want is None:
        with pytest.raises(HandshakeError) as info:
            deliver(client, answer)
        assert info.value.reply == bytes(5)
        with pytest.raises(HandshakeError, match="no common version"):
            deliver(server, info.value.reply)
        return
    reply = deliver(client, answer + pipelined)
    assert client.done and client.version == want and client.manifest == via_manifest
    assert client.unused == pipelined
    if via_manifest:
        assert client.capabilities == caps
        assert reply == encode_version(want) + b"\x00"
        deliver(server, reply + pipelined)
    else:
        assert reply == b""
        assert server.unused == b""
        deliver(server, pipelined)
    assert server.done and server.version == want and server.manifest == via_manifest
    assert server.client_capabilities == 0
    assert server.unused == pipelined


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=64), supported=versions_st, manifest=st.booleans())
def test_server_garbage_only_raises_handshake_errors(
    data: bytes, supported: set[tuple[int, int]], manifest: bool
) -> None:
    server = ServerHandshake(supported, manifest=manifest)
    try:
        out = server.receive_data(data)
    except HandshakeError:
        assert not data.startswith(MAGIC) or server.manifest
        return
    assert len(out) in (0, 4) or out.startswith(MANIFEST_V1)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=64), step=st.integers(1, 8))
def test_client_garbage_only_raises_handshake_errors(data: bytes, step: int) -> None:
    client = py_client()
    try:
        for i in range(0, len(data), step):
            client.receive_data(data[i : i + step])
    except HandshakeError:
        assert client.failed


# ---- the pure parsers both ends and the dump validator share ------------------------------------

def test_parse_opening_waits_judges_the_magic_then_reads_the_proposals() -> None:
    opening = ClientHandshake([(5, 8, 8), (4, 4)], manifest=True).initial_bytes()
    assert all(parse_opening(opening[:n]) is None for n in range(20))
    parsed = parse_opening(b"xx" + opening + b"HELLO", 2)
    assert parsed is not None and parsed.end == 22
    assert [str(p) for p in parsed.proposals] == ["manifest v1", "5.8-5.0", "4.4"]
    with pytest.raises(HandshakeError, match="found 16 03 01 00 \\(a TLS handshake") as info:
        parse_opening(b"\x16\x03\x01\x00")
    assert info.value.offset == 0


def test_parse_manifest_needs_every_byte_and_refuses_a_hostile_count_early() -> None:
    server = ServerHandshake([(5, 8), (5, 7), (4, 4)], capabilities=0x81)
    reply = server.receive_data(ClientHandshake([], manifest=True).initial_bytes())
    assert all(parse_manifest(reply[:n]) is None for n in range(len(reply)))
    assert parse_manifest(reply + b"\x00") == Manifest(server.offers, 0x81, len(reply))
    answer = parse_answer(reply)
    assert answer is not None and answer.kind == "manifest" and answer.manifest is not None
    assert answer.manifest.versions() == {(5, 8), (5, 7), (4, 4)}
    huge = MANIFEST_V1 + encode_varint(MAX_OFFERS + 1)
    with pytest.raises(HandshakeError, match="manifest announces 1025 offers") as info:
        parse_manifest(huge)
    assert (info.value.offset, info.value.path) == (4, ("offers",))


def test_parse_answer_kinds() -> None:
    assert parse_answer(b"\x00\x00\x00") is None
    refused = parse_answer(b"\x00\x00\x00\x00")
    assert refused is not None and refused.kind == "refused"
    legacy = parse_answer(b"\x00\x00\x04\x04rest")
    assert legacy is not None and (legacy.kind, legacy.version, legacy.end) == ("version", (4, 4), 4)
    other = parse_answer(b"\x00\x00\x02\xff")
    assert other is not None and other.kind == "manifest" and other.manifest is None
    read_as_version = parse_answer(b"\x00\x00\x01\xff", manifest=False)
    assert read_as_version is not None and read_as_version.version == (255, 1)


def test_parse_choice() -> None:
    assert parse_choice(b"\x00\x00\x08\x05") is None
    assert parse_choice(b"\x00\x00\x08\x05\x80") is None  # the varint goes on
    choice = parse_choice(b"..\x00\x00\x08\x05\x81\x01HELLO", 2)
    assert choice is not None and (choice.version, choice.capabilities, choice.end) == ((5, 8), 129, 8)
    none = parse_choice(b"\x00\x00\x00\x00\x00")
    assert none is not None and none.version is None
    with pytest.raises(HandshakeError, match="varint longer") as info:
        parse_choice(b"\x00\x00\x08\x05" + b"\xff" * 11)
    assert (info.value.offset, info.value.path) == (4, ("capabilities",))
