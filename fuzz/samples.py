"""Valid inputs the seed corpora are made of, derived from the generated tables.

Everything is built at start (nothing is committed but this code): sample values of every kind
and structure, a minimal valid instance of every message of every version (fields found by
decoding: a field the decoder refuses gets the next candidate value), and a typical request
sequence per version for the server.
"""

from __future__ import annotations

from typing import Any

from asyncbolt.codec.messages import LAYOUTS, MESSAGES, Message
from asyncbolt.codec.packstream import Codec, get_codec
from asyncbolt.codec.structures import STRUCTURES, Structure
from asyncbolt.errors import ProtocolError

Version = tuple[int, int]

_CANDIDATES: list[Any] = [{}, "s", 1, [], None, True, 0.5, b""]


def sample_values() -> list[Any]:
    """Values of every PackStream kind, the width edges of integers, and every structure."""
    s = STRUCTURES
    node = s["Node"](id=1, labels=["L"], properties={"k": 1}, element_id="1")
    unbound = s["UnboundRelationship"](id=2, type="T", properties={}, element_id="2")
    return [
        None, True, False, 0, 1, -1, -16, -17, 127, 128, -128, -129, 32767, -32768, 2**31,
        -(2**31) - 1, 2**63 - 1, -(2**63), 1.5, float("nan"), -0.0, "", "a", "é" * 20, "x" * 300,
        b"", b"\x00\x01", b"b" * 300, [], [1, "a", None], list(range(20)), {}, {"a": 1},
        {f"k{i}": i for i in range(17)}, [[{"a": [1, {"b": None}]}]],
        Structure(0x41, [1, "x"]), node, unbound,
        s["Relationship"](id=3, start_node_id=1, end_node_id=2, type="R", properties={"w": 0.5},
                          element_id="3", start_node_element_id="1", end_node_element_id="2"),
        s["Path"](nodes=[node, node], relationships=[unbound], indices=[1, 1]),
        s["Date"](days=19000), s["Time"](nanoseconds=1, tz_offset_seconds=3600),
        s["LocalTime"](nanoseconds=12),
        s["DateTime"](seconds=1, nanoseconds=2, tz_offset_seconds=-60),
        s["DateTimeZoneId"](seconds=1, nanoseconds=2, tz_id="Europe/Berlin"),
        s["LegacyDateTime"](seconds=1, nanoseconds=2, tz_offset_seconds=60),
        s["LegacyDateTimeZoneId"](seconds=1, nanoseconds=2, tz_id="UTC"),
        s["LocalDateTime"](seconds=5, nanoseconds=6),
        s["Duration"](months=1, days=2, seconds=3, nanoseconds=4),
        s["Point2D"](srid=7203, x=1.0, y=2.0), s["Point3D"](srid=9157, x=1.0, y=2.0, z=3.0),
        s["Vector"](type_marker=b"\xc8", data=b"\x01\x02\x03"),
        s["Vector"](type_marker=b"\xc1", data=b"\x3f\xf0" + b"\x00" * 6),
        s["UnsupportedType"](name="T", minimum_protocol_major=6, minimum_protocol_minor=0,
                             extra={}),
    ]


def encodable(codec: Codec, values: list[Any]) -> list[bytes]:
    """The encodings of the values this codec can send (others are skipped)."""
    out = []
    for value in values:
        try:
            out.append(codec.pack(value))
        except (ValueError, TypeError):
            continue
    return out


def minimal_message(cls: type[Message], version: Version) -> Message | None:
    """An instance of ``cls`` that decodes in ``version``, or None if no candidates fit."""
    codec = get_codec(version)
    names = LAYOUTS[version][cls]
    choice = dict.fromkeys(names, 0)
    decode = codec.unpack_request if cls.direction == "request" else codec.unpack_response
    for _ in range(len(names) * len(_CANDIDATES) + 1):
        message = cls.__new__(cls)
        for f in cls.fields:
            setattr(message, f, None)
        for f in names:
            setattr(message, f, _CANDIDATES[choice[f]])
        try:
            decode(codec.pack_message(message))
            return message
        except ProtocolError as exc:
            field = exc.path[1] if len(exc.path) > 1 else None
            if field not in choice or choice[field] + 1 >= len(_CANDIDATES):
                return None
            choice[field] += 1
    return None


def all_messages(version: Version) -> list[Message]:
    out = []
    for cls in LAYOUTS[version]:
        message = minimal_message(cls, version)
        if message is not None:
            out.append(message)
    return out


def make(name: str, version: Version, **fields: Any) -> Message:
    """A message by name with the fields of ``version``'s layout (others default)."""
    cls = MESSAGES[name]
    base = minimal_message(cls, version)
    assert base is not None, (name, version)
    for key, value in fields.items():
        if key in LAYOUTS[version][cls]:
            setattr(base, key, value)
    return base


def conversation(version: Version) -> list[Message]:
    """A typical client conversation in ``version``: log in, a query, a transaction, RESET."""
    requests = set(cls.name for cls in LAYOUTS[version] if cls.direction == "request")
    auth = {"scheme": "basic", "principal": "u", "credentials": "p"}
    out: list[Message] = []
    if "INIT" in requests:
        out.append(make("INIT", version, user_agent="fuzz/1", auth_token=auth))
    elif "LOGON" in requests:
        out += [make("HELLO", version, extra={"user_agent": "fuzz/1"}),
                make("LOGON", version, auth=auth)]
    else:
        out.append(make("HELLO", version, extra={"user_agent": "fuzz/1", **auth}))
    pull = "PULL" if "PULL" in requests else "PULL_ALL"
    discard = "DISCARD" if "DISCARD" in requests else "DISCARD_ALL"
    out += [make("RUN", version, query="RETURN 1", parameters={"x": [1]}),
            make(pull, version, extra={"n": 1}), make(pull, version, extra={"n": -1})]
    if "BEGIN" in requests:
        out += [make("BEGIN", version), make("RUN", version, query="RETURN 2"),
                make("RUN", version, query="RETURN 3"), make(discard, version, extra={"n": -1, "qid": 0}),
                make(pull, version, extra={"n": -1}), make("COMMIT", version),
                make("BEGIN", version), make("ROLLBACK", version)]
    if "ROUTE" in requests:
        out.append(make("ROUTE", version))
    if "TELEMETRY" in requests:
        out.append(make("TELEMETRY", version, api=1))
    out += [make("RUN", version, query="FAIL"), make(pull, version, extra={"n": -1})]
    out.append(make("ACK_FAILURE" if "ACK_FAILURE" in requests else "RESET", version))
    if "LOGOFF" in requests:
        out.append(make("LOGOFF", version))
    if "GOODBYE" in requests:
        out.append(make("GOODBYE", version))
    return out
