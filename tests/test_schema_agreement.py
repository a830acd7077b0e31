"""The pact between the two decoders generated from one spec: the fast codec and the construct
reference schemas decode the same bytes to equal objects, and refuse the same bytes."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asyncbolt import ProtocolError
from asyncbolt.codec import schemas
from asyncbolt.codec.messages import Message

from .strategies import (
    PROFILES,
    assert_same,
    codec_of,
    message_cases,
    message_of,
    mutate,
    mutation_ops,
    profile_id,
    values,
)

SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _construct_decode(message: Message, data: bytes, profile) -> Message:
    parse = schemas.parse_request if message.direction == "request" else schemas.parse_response
    return parse(data, profile[0], profile[1])


@pytest.mark.parametrize(("profile", "cls"), message_cases(),
                         ids=[f"{profile_id(p)}-{c.name}" for p, c in message_cases()])
def test_every_message_of_every_version_decodes_alike(profile, cls) -> None:
    codec = codec_of(profile)

    @SETTINGS
    @given(message_of(cls, profile))
    def check(message: Message) -> None:
        data = codec.pack_message(message)
        fast = (codec.unpack_request if cls.direction == "request" else codec.unpack_response)(data)
        reference = _construct_decode(message, data, profile)
        assert type(fast) is cls and type(reference) is cls
        assert_same(reference, fast)

    check()


@pytest.mark.parametrize("profile", PROFILES, ids=profile_id)
def test_values_decode_alike(profile) -> None:
    codec = codec_of(profile)

    @SETTINGS
    @given(values(profile))
    def check(value) -> None:
        data = codec.pack(value)
        assert_same(schemas.parse_value(data, profile[0], profile[1]), codec.unpack(data))

    check()


@pytest.mark.parametrize("profile", [p for p in PROFILES if p[0] in ((1, 0), (4, 4), (5, 0), (6, 0))],
                         ids=profile_id)
def test_damaged_bytes_are_refused_by_both_or_decoded_alike(profile) -> None:
    codec = codec_of(profile)

    @settings(max_examples=150, deadline=None)
    @given(values(profile), mutation_ops)
    def check(value, ops) -> None:
        data = mutate(codec.pack(value), ops)
        try:
            fast = codec.unpack(data)
        except ProtocolError as exc:
            fast_error = exc
        else:
            fast_error = None
        try:
            reference = schemas.parse_value(data, profile[0], profile[1])
        except ProtocolError as exc:
            reference_error = exc
        else:
            reference_error = None
        assert (fast_error is None) == (reference_error is None), (data.hex(), fast_error, reference_error)
        if fast_error is None:
            assert_same(reference, fast)
        else:
            assert fast_error.offset is not None and reference_error.offset is not None

    check()


@given(st.binary(max_size=64))
@settings(max_examples=300, deadline=None)
def test_random_messages_are_refused_by_both_or_decoded_alike(data: bytes) -> None:
    codec = codec_of(((5, 4), ()))
    outcomes = []
    for decode in (codec.unpack_response, lambda b: schemas.parse_response(b, (5, 4))):
        try:
            outcomes.append(decode(data))
        except ProtocolError:
            outcomes.append(ProtocolError)
    if outcomes[0] is ProtocolError or outcomes[1] is ProtocolError:
        assert outcomes[0] is outcomes[1] is ProtocolError, data.hex()
    else:
        assert_same(outcomes[1], outcomes[0])


def test_reference_errors_name_the_field_path() -> None:
    codec = codec_of(((5, 0), ()))
    from asyncbolt.codec.messages import Record
    from asyncbolt.codec.structures import Node

    good = codec.pack_message(Record([1, {"n": Node(1, ["L"], {"name": "Ada"}, "4:x:1")}]))
    bad = bytearray(good)
    bad[good.index(b"Ada") - 1] = 0x84  # the name claims 4 bytes and swallows the next marker
    with pytest.raises(ProtocolError) as exc:
        schemas.parse_response(bytes(bad), (5, 0))
    assert exc.value.path == ("RECORD", "data", "[1]", "n", "Node", "properties", "name")
    assert exc.value.offset == good.index(b"Ada") + 3  # the byte that cannot start UTF-8
    with pytest.raises(ProtocolError) as fast:
        codec.unpack_response(bytes(bad))
    assert fast.value.offset == exc.value.offset
