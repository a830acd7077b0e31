# Generated from spec/packstream.yaml, spec/bolt.yaml by `python -m codegen` (make generate).
# Do not edit: change the spec and regenerate.
"""The fast PackStream codec: what the client and server run.

Specialised pure Python: marker tests ordered by how often values occur, ``struct`` readers on
``bytes``, no object per value. Each profile (a Bolt version plus negotiated patches) gets a
decoder and an encoder closed over its own structure tables. Every malformed input raises
``ProtocolError`` with the byte offset; nothing else escapes.
"""

from __future__ import annotations

from operator import attrgetter
from struct import Struct
from typing import Any

from asyncbolt.codec.types import FIXED as _FIXED_TYPES
from asyncbolt.codec.types import Structure, from_native
from asyncbolt.errors import ProtocolError

from . import messages as _m
from . import structures as _s

Version = tuple[int, int]

_MAX_SIZE = 2147483647
#: Default bound on nested containers (lists, maps, structures) in one decoded value.
DEFAULT_MAX_DEPTH = 256
#: Default bound on the values one decode call produces (a message: all its fields together; or
#: one value): every list item, map key, map value and structure field counts 1, and so does each
#: top-level value. Checked at each container's header, before anything is allocated for it.
DEFAULT_MAX_DECODED_VALUES = 2000000
_MAX_STRUCT_FIELDS = 15
#: Digest of the C accelerator generated with this module (_accel.c); a build that differs is stale.
_ACCEL_DIGEST = "e4bbba9f443a2ef6"
_u16 = Struct(">H").unpack_from
_u32 = Struct(">I").unpack_from
_i16 = Struct(">h").unpack_from
_i32 = Struct(">i").unpack_from
_i64 = Struct(">q").unpack_from
_f64 = Struct(">d").unpack_from
#: Preallocation for containers ([None] * n builds the [None] first) and the loop ranges of
#: tiny containers (a range object per container costs more than indexing this tuple).
_NONE: list[Any] = [None]
#: Modules whose values asyncbolt.codec.bulk packs (numpy arrays and scalars, DataFrames...).
_FOREIGN = ("numpy", "pandas", "pyarrow")
_BULK: list[Any] = []  # asyncbolt.codec.bulk.pack_foreign once a value of theirs came
_new = object.__new__
_RANGES = tuple(range(n) for n in range(16))
_pack_BB = Struct(">BB").pack
_pack_BH = Struct(">BH").pack
_pack_BI = Struct(">BI").pack
_pack_Bb = Struct(">Bb").pack
_pack_Bh = Struct(">Bh").pack
_pack_Bi = Struct(">Bi").pack
_pack_Bq = Struct(">Bq").pack
_pack_Bd = Struct(">Bd").pack
# For typed lists: the set of types their items may have.
_ONLY_Null = frozenset(((type(None)),))
_ONLY_Null_OR_NULL = frozenset((type(None), type(None)))
_ONLY_Boolean = frozenset(((bool),))
_ONLY_Boolean_OR_NULL = frozenset((bool, type(None)))
_ONLY_Integer = frozenset(((int),))
_ONLY_Integer_OR_NULL = frozenset((int, type(None)))
_ONLY_Float = frozenset(((float),))
_ONLY_Float_OR_NULL = frozenset((float, type(None)))
_ONLY_String = frozenset(((str),))
_ONLY_String_OR_NULL = frozenset((str, type(None)))
_ONLY_Bytes = frozenset(((bytes),))
_ONLY_Bytes_OR_NULL = frozenset((bytes, type(None)))
_ONLY_List = frozenset(((list),))
_ONLY_List_OR_NULL = frozenset((list, type(None)))
_ONLY_Map = frozenset(((dict),))
_ONLY_Map_OR_NULL = frozenset((dict, type(None)))
_ONLY_Node = frozenset((_s.Node,))
_ONLY_Node_OR_NULL = frozenset((_s.Node, type(None)))
_ONLY_Relationship = frozenset((_s.Relationship,))
_ONLY_Relationship_OR_NULL = frozenset((_s.Relationship, type(None)))
_ONLY_UnboundRelationship = frozenset((_s.UnboundRelationship,))
_ONLY_UnboundRelationship_OR_NULL = frozenset((_s.UnboundRelationship, type(None)))
_ONLY_Path = frozenset((_s.Path,))
_ONLY_Path_OR_NULL = frozenset((_s.Path, type(None)))
_ONLY_Date = frozenset((_s.Date,))
_ONLY_Date_OR_NULL = frozenset((_s.Date, type(None)))
_ONLY_Time = frozenset((_s.Time,))
_ONLY_Time_OR_NULL = frozenset((_s.Time, type(None)))
_ONLY_LocalTime = frozenset((_s.LocalTime,))
_ONLY_LocalTime_OR_NULL = frozenset((_s.LocalTime, type(None)))
_ONLY_DateTime = frozenset((_s.DateTime,))
_ONLY_DateTime_OR_NULL = frozenset((_s.DateTime, type(None)))
_ONLY_DateTimeZoneId = frozenset((_s.DateTimeZoneId,))
_ONLY_DateTimeZoneId_OR_NULL = frozenset((_s.DateTimeZoneId, type(None)))
_ONLY_LegacyDateTime = frozenset((_s.LegacyDateTime,))
_ONLY_LegacyDateTime_OR_NULL = frozenset((_s.LegacyDateTime, type(None)))
_ONLY_LegacyDateTimeZoneId = frozenset((_s.LegacyDateTimeZoneId,))
_ONLY_LegacyDateTimeZoneId_OR_NULL = frozenset((_s.LegacyDateTimeZoneId, type(None)))
_ONLY_LocalDateTime = frozenset((_s.LocalDateTime,))
_ONLY_LocalDateTime_OR_NULL = frozenset((_s.LocalDateTime, type(None)))
_ONLY_Duration = frozenset((_s.Duration,))
_ONLY_Duration_OR_NULL = frozenset((_s.Duration, type(None)))
_ONLY_Point2D = frozenset((_s.Point2D,))
_ONLY_Point2D_OR_NULL = frozenset((_s.Point2D, type(None)))
_ONLY_Point3D = frozenset((_s.Point3D,))
_ONLY_Point3D_OR_NULL = frozenset((_s.Point3D, type(None)))
_ONLY_Vector = frozenset((_s.Vector,))
_ONLY_Vector_OR_NULL = frozenset((_s.Vector, type(None)))
_ONLY_UnsupportedType = frozenset((_s.UnsupportedType,))
_ONLY_UnsupportedType_OR_NULL = frozenset((_s.UnsupportedType, type(None)))
# Fixed-size values (spec kind "fixed") and the profiles of version-gated markers.
_from_UUID = _FIXED_TYPES["uuid"][1]
_FIXED_ENCODERS: dict[type, tuple[int, Any, str]] = {
    _FIXED_TYPES["uuid"][0]: (0xE0, _FIXED_TYPES["uuid"][2], "UUID"),
}
#: marker name -> profiles in which it exists (absent: every profile)
_GATED: dict[str, frozenset[str]] = {
    "UUID": frozenset({"6.1"}),
}
_MARKER_VERSIONS: dict[str, str] = {
    "UUID": "6.1+",
}
_TYPE_NAMES = {
    type(None): "Null", bool: "Boolean", int: "Integer", float: "Float", str: "String",
    bytes: "Bytes", list: "List", dict: "Map",
}


def _type_name(v: Any) -> str:
    return _TYPE_NAMES.get(type(v), type(v).__name__)


def _overrun(what: str, n: int, pos: int, data: bytes) -> ProtocolError:
    return ProtocolError(
        f"{what} of declared size {n} runs past the end of the data "
        f"({len(data) - pos} bytes left)", pos)


def _bad_utf8(exc: UnicodeDecodeError, pos: int) -> ProtocolError:
    return ProtocolError(f"invalid UTF-8 in string: {exc.reason}", pos + exc.start)


def _too_many(left: list, at: int) -> ProtocolError:
    """The budget ``left`` ([values still allowed, the limit, "message" or "value"]) ran out at
    the container whose marker is at ``at``."""
    return ProtocolError(f"{left[2]} decodes to more than {left[1]:,} values (max_decoded_values)", at)


def _bad_key(marker: int, pos: int) -> ProtocolError:
    return ProtocolError(f"map key must be a string, found marker 0x{marker:02X}", pos)


def _bad_field(owner: str, field: str, expected: str, value: Any, at: int | None) -> ProtocolError:
    return ProtocolError(f"{owner}.{field} must be {expected}, found {_type_name(value)}", at,
                         (owner, field))


def _found(item: Any, expected: str = "") -> str:
    """A map value that failed its check, for the error: its type, a string's start, and for a
    list that should hold ``List<T>`` items the first item that is no T."""
    if type(item) is str:
        return f"String {item[:40]!r}{'...' if len(item) > 40 else ''}"
    if type(item) is list and expected.startswith("List<"):
        want = expected[5:expected.index(">")]
        for i, element in enumerate(item):
            if _type_name(element) != want:
                return f"List whose item [{i}] is {_found(element)}"
    return _type_name(item)


# Well-known keys of request maps (spec/bolt.yaml "maps"): table -> key -> (check of the value,
# its type, first version, last version or None). A key of the wrong type is a bad request.
_MAP_KEY_CHECKS: dict[str, dict[str, tuple[Any, str, Version, Version | None]]] = {
    "auth": {
        "scheme": (lambda v: type(v) is str, "String", (1, 0), None),
        "principal": (lambda v: type(v) is str, "String", (1, 0), None),
        "credentials": (lambda v: type(v) is str, "String", (1, 0), None),
        "realm": (lambda v: type(v) is str, "String", (1, 0), None),
        "parameters": (lambda v: type(v) is dict, "Map", (1, 0), None),
    },
    "hello_extra": {
        "user_agent": (lambda v: type(v) is str, "String", (3, 0), None),
        "scheme": (lambda v: type(v) is str, "String", (3, 0), (5, 0)),
        "principal": (lambda v: type(v) is str, "String", (3, 0), (5, 0)),
        "credentials": (lambda v: type(v) is str, "String", (3, 0), (5, 0)),
        "realm": (lambda v: type(v) is str, "String", (3, 0), (5, 0)),
        "parameters": (lambda v: type(v) is dict, "Map", (3, 0), (5, 0)),
        "routing": (lambda v: (v is None or type(v) is dict), "Map?", (4, 1), None),
        "patch_bolt": (lambda v: (type(v) is list and (len(v) < 2 and (not v or type(v[0]) is str) or _ONLY_String.issuperset(map(type, v)))), "List<String>", (4, 3), (4, 4)),
        "notifications_minimum_severity": (lambda v: (v is None or type(v) is str), "String?", (5, 2), None),
        "notifications_disabled_categories": (lambda v: (v is None or (type(v) is list and (len(v) < 2 and (not v or type(v[0]) is str) or _ONLY_String.issuperset(map(type, v))))), "List<String>?", (5, 2), (5, 4)),
        "notifications_disabled_classifications": (lambda v: (v is None or (type(v) is list and (len(v) < 2 and (not v or type(v[0]) is str) or _ONLY_String.issuperset(map(type, v))))), "List<String>?", (5, 5), None),
        "bolt_agent": (lambda v: type(v) is dict, "Map", (5, 3), None),
    },
    "pull_extra": {
        "n": (lambda v: type(v) is int, "Integer", (4, 0), None),
        "qid": (lambda v: type(v) is int, "Integer", (4, 0), None),
    },
    "route_extra": {
        "db": (lambda v: (v is None or type(v) is str), "String?", (4, 4), None),
        "imp_user": (lambda v: (v is None or type(v) is str), "String?", (4, 4), None),
    },
    "tx_extra": {
        "bookmarks": (lambda v: (type(v) is list and (len(v) < 2 and (not v or type(v[0]) is str) or _ONLY_String.issuperset(map(type, v)))), "List<String>", (3, 0), None),
        "tx_timeout": (lambda v: type(v) is int, "Integer", (3, 0), None),
        "tx_metadata": (lambda v: type(v) is dict, "Map", (3, 0), None),
        "mode": (lambda v: type(v) is str, "String", (3, 0), None),
        "db": (lambda v: (v is None or type(v) is str), "String?", (4, 0), None),
        "imp_user": (lambda v: (v is None or type(v) is str), "String?", (4, 4), None),
        "notifications_minimum_severity": (lambda v: (v is None or type(v) is str), "String?", (5, 2), None),
        "notifications_disabled_categories": (lambda v: (v is None or (type(v) is list and (len(v) < 2 and (not v or type(v[0]) is str) or _ONLY_String.issuperset(map(type, v))))), "List<String>?", (5, 2), (5, 4)),
        "notifications_disabled_classifications": (lambda v: (v is None or (type(v) is list and (len(v) < 2 and (not v or type(v[0]) is str) or _ONLY_String.issuperset(map(type, v))))), "List<String>?", (5, 5), None),
    },
}
#: Request message name -> its map fields with well-known keys: ((field, table), ...).
_REQUEST_MAPS: dict[str, tuple[tuple[str, str], ...]] = {
    "INIT": (("auth_token", "auth"), ),
    "HELLO": (("extra", "hello_extra"), ),
    "RUN": (("extra", "tx_extra"), ),
    "BEGIN": (("extra", "tx_extra"), ),
    "DISCARD": (("extra", "pull_extra"), ),
    "PULL": (("extra", "pull_extra"), ),
    "ROUTE": (("extra", "route_extra"), ),
    "LOGON": (("auth", "auth"), ),
}


def check_request_maps(message: Any, version: Version) -> str | None:
    """What is wrong with the well-known keys of a request's maps in ``version`` (a key whose
    value has the wrong type), or None."""
    for field, table in _REQUEST_MAPS.get(message.name, ()):
        value = getattr(message, field, None)
        if type(value) is not dict:
            continue
        checks = _MAP_KEY_CHECKS[table]
        for key, item in value.items():
            entry = checks.get(key)
            if entry is None or entry[2] > version or (entry[3] is not None and version > entry[3]):
                continue
            if not entry[0](item):
                found = _found(item, entry[1])
                return f"{message.name} {field}.{key} must be {entry[1]}, found {found}"
    return None


# -- response maps (the client's checks; keep this region contiguous) ---------------------------
# Well-known keys of response maps (spec/bolt.yaml "maps"): table -> key -> (check of the value,
# its type, the key table of a nested map or of each map in a list, or None). The client reads
# these keys whatever the version, so they are checked whatever the version.
_RESPONSE_KEY_CHECKS: dict[str, dict[str, tuple[Any, str, str | None]]] = {
    "failure_metadata": {
        "code": (lambda v: type(v) is str, "String", None),
        "message": (lambda v: type(v) is str, "String", None),
        "neo4j_code": (lambda v: type(v) is str, "String", None),
        "gql_status": (lambda v: type(v) is str, "String", None),
        "description": (lambda v: type(v) is str, "String", None),
        "diagnostic_record": (lambda v: type(v) is dict, "Map", None),
        "cause": (lambda v: type(v) is dict, "Map", None),
    },
    "routing_server": {
        "addresses": (lambda v: (type(v) is list and (len(v) < 2 and (not v or type(v[0]) is str) or _ONLY_String.issuperset(map(type, v)))), "List<String>", None),
        "role": (lambda v: type(v) is str, "String", None),
    },
    "routing_table": {
        "ttl": (lambda v: type(v) is int, "Integer", None),
        "db": (lambda v: type(v) is str, "String", None),
        "servers": (lambda v: (type(v) is list and (len(v) < 2 and (not v or type(v[0]) is dict) or _ONLY_Map.issuperset(map(type, v)))), "List<Map>", "routing_server"),
    },
    "stats": {
        "nodes-created": (lambda v: type(v) is int, "Integer", None),
        "nodes-deleted": (lambda v: type(v) is int, "Integer", None),
        "relationships-created": (lambda v: type(v) is int, "Integer", None),
        "relationships-deleted": (lambda v: type(v) is int, "Integer", None),
        "properties-set": (lambda v: type(v) is int, "Integer", None),
        "labels-added": (lambda v: type(v) is int, "Integer", None),
        "labels-removed": (lambda v: type(v) is int, "Integer", None),
        "indexes-added": (lambda v: type(v) is int, "Integer", None),
        "indexes-removed": (lambda v: type(v) is int, "Integer", None),
        "constraints-added": (lambda v: type(v) is int, "Integer", None),
        "constraints-removed": (lambda v: type(v) is int, "Integer", None),
        "system-updates": (lambda v: type(v) is int, "Integer", None),
        "contains-updates": (lambda v: type(v) is bool, "Boolean", None),
        "contains-system-updates": (lambda v: type(v) is bool, "Boolean", None),
    },
    "success_metadata": {
        "server": (lambda v: type(v) is str, "String", None),
        "connection_id": (lambda v: type(v) is str, "String", None),
        "hints": (lambda v: type(v) is dict, "Map", None),
        "patch_bolt": (lambda v: (type(v) is list and (len(v) < 2 and (not v or type(v[0]) is str) or _ONLY_String.issuperset(map(type, v)))), "List<String>", None),
        "protocol_version": (lambda v: type(v) is str, "String", None),
        "credentials_expired": (lambda v: type(v) is bool, "Boolean", None),
        "advertised_address": (lambda v: type(v) is str, "String", None),
        "fields": (lambda v: (type(v) is list and (len(v) < 2 and (not v or type(v[0]) is str) or _ONLY_String.issuperset(map(type, v)))), "List<String>", None),
        "result_available_after": (lambda v: type(v) is int, "Integer", None),
        "result_consumed_after": (lambda v: type(v) is int, "Integer", None),
        "t_first": (lambda v: type(v) is int, "Integer", None),
        "t_last": (lambda v: type(v) is int, "Integer", None),
        "qid": (lambda v: type(v) is int, "Integer", None),
        "has_more": (lambda v: type(v) is bool, "Boolean", None),
        "bookmark": (lambda v: type(v) is str, "String", None),
        "db": (lambda v: type(v) is str, "String", None),
        "type": (lambda v: type(v) is str and v in {"r", "w", "rw", "s"}, "String 'r', 'w', 'rw' or 's'", None),
        "stats": (lambda v: type(v) is dict, "Map", "stats"),
        "plan": (lambda v: type(v) is dict, "Map", None),
        "profile": (lambda v: type(v) is dict, "Map", None),
        "notifications": (lambda v: (type(v) is list and (len(v) < 2 and (not v or type(v[0]) is dict) or _ONLY_Map.issuperset(map(type, v)))), "List<Map>", None),
        "statuses": (lambda v: (type(v) is list and (len(v) < 2 and (not v or type(v[0]) is dict) or _ONLY_Map.issuperset(map(type, v)))), "List<Map>", None),
        "rt": (lambda v: type(v) is dict, "Map", "routing_table"),
    },
}
#: Response message name -> its map fields with well-known keys: ((field, table), ...).
_RESPONSE_MAPS: dict[str, tuple[tuple[str, str], ...]] = {
    "FAILURE": (("metadata", "failure_metadata"), ),
    "SUCCESS": (("metadata", "success_metadata"), ),
}


def _check_response_map(value: dict, table: str, path: str) -> str | None:
    checks = _RESPONSE_KEY_CHECKS[table]
    for key, item in value.items():
        entry = checks.get(key)
        if entry is None:
            continue
        if not entry[0](item):
            found = _found(item, entry[1])
            return f"{path}{key} must be {entry[1]}, found {found}"
        nested = entry[2]
        if nested is None:
            continue
        if type(item) is dict:
            problem = _check_response_map(item, nested, f"{path}{key}.")
            if problem is not None:
                return problem
        else:  # a list of maps (its type was checked above)
            for i, element in enumerate(item):
                problem = _check_response_map(element, nested, f"{path}{key}[{i}].")
                if problem is not None:
                    return problem
    return None


def check_response_maps(message: Any, table: str | None = None) -> str | None:
    """What is wrong with the well-known keys of a response's maps (a key whose value has the
    wrong type, nested maps included), or None. With ``table``, ``message`` is a map checked
    against that key table (e.g. a routing table from the routing procedure)."""
    if table is not None:
        return _check_response_map(message, table, "") if type(message) is dict else None
    for field, table_ in _RESPONSE_MAPS.get(message.name, ()):
        value = getattr(message, field, None)
        if type(value) is dict and value:
            problem = _check_response_map(value, table_, f"{message.name} ")
            if problem is not None:
                return problem
    return None
# -- end of response maps ------------------------------------------------------------------------


# Every structure tag of every version, for precise errors about tags of another version.
_TAG_VERSIONS = {
    0x4E: ("Node", "1.0-4.4, 5.0+"),
    0x52: ("Relationship", "1.0-4.4, 5.0+"),
    0x72: ("UnboundRelationship", "1.0-4.4, 5.0+"),
    0x50: ("Path", "1.0+"),
    0x44: ("Date", "2.0+"),
    0x54: ("Time", "2.0+"),
    0x74: ("LocalTime", "2.0+"),
    0x49: ("DateTime", "5.0+, 4.3-4.4 with patch utc"),
    0x69: ("DateTimeZoneId", "5.0+, 4.3-4.4 with patch utc"),
    0x46: ("LegacyDateTime", "2.0-4.4 without patch utc"),
    0x66: ("LegacyDateTimeZoneId", "2.0-4.4 without patch utc"),
    0x64: ("LocalDateTime", "2.0+"),
    0x45: ("Duration", "2.0+"),
    0x58: ("Point2D", "2.0+"),
    0x59: ("Point3D", "2.0+"),
    0x56: ("Vector", "6.0+"),
    0x3F: ("UnsupportedType", "6.0+"),
}


def _b_Node_0(f: list, at: int) -> Any:
    f0, f1, f2 = f
    if type(f0) is not int:
        raise _bad_field("Node", "id", "Integer", f0, at)
    if not (type(f1) is list and (len(f1) < 2 and (not f1 or type(f1[0]) is str) or _ONLY_String.issuperset(map(type, f1)))):
        raise _bad_field("Node", "labels", "List<String>", f1, at)
    if type(f2) is not dict:
        raise _bad_field("Node", "properties", "Map", f2, at)
    # The class's __init__ only stores its arguments; skipping the call is cheaper.
    o = _new(_s.Node)
    o.id = f0
    o.labels = f1
    o.properties = f2
    o.element_id = None
    return o


def _b_Node_1(f: list, at: int) -> Any:
    f0, f1, f2, f3 = f
    if not (f0 is None or type(f0) is int):
        raise _bad_field("Node", "id", "Integer?", f0, at)
    if not (type(f1) is list and (len(f1) < 2 and (not f1 or type(f1[0]) is str) or _ONLY_String.issuperset(map(type, f1)))):
        raise _bad_field("Node", "labels", "List<String>", f1, at)
    if type(f2) is not dict:
        raise _bad_field("Node", "properties", "Map", f2, at)
    if type(f3) is not str:
        raise _bad_field("Node", "element_id", "String", f3, at)
    # The class's __init__ only stores its arguments; skipping the call is cheaper.
    o = _new(_s.Node)
    o.id = f0
    o.labels = f1
    o.properties = f2
    o.element_id = f3
    return o


def _b_Relationship_0(f: list, at: int) -> Any:
    f0, f1, f2, f3, f4 = f
    if type(f0) is not int:
        raise _bad_field("Relationship", "id", "Integer", f0, at)
    if type(f1) is not int:
        raise _bad_field("Relationship", "start_node_id", "Integer", f1, at)
    if type(f2) is not int:
        raise _bad_field("Relationship", "end_node_id", "Integer", f2, at)
    if type(f3) is not str:
        raise _bad_field("Relationship", "type", "String", f3, at)
    if type(f4) is not dict:
        raise _bad_field("Relationship", "properties", "Map", f4, at)
    # The class's __init__ only stores its arguments; skipping the call is cheaper.
    o = _new(_s.Relationship)
    o.id = f0
    o.start_node_id = f1
    o.end_node_id = f2
    o.type = f3
    o.properties = f4
    o.element_id = None
    o.start_node_element_id = None
    o.end_node_element_id = None
    return o


def _b_Relationship_1(f: list, at: int) -> Any:
    f0, f1, f2, f3, f4, f5, f6, f7 = f
    if not (f0 is None or type(f0) is int):
        raise _bad_field("Relationship", "id", "Integer?", f0, at)
    if not (f1 is None or type(f1) is int):
        raise _bad_field("Relationship", "start_node_id", "Integer?", f1, at)
    if not (f2 is None or type(f2) is int):
        raise _bad_field("Relationship", "end_node_id", "Integer?", f2, at)
    if type(f3) is not str:
        raise _bad_field("Relationship", "type", "String", f3, at)
    if type(f4) is not dict:
        raise _bad_field("Relationship", "properties", "Map", f4, at)
    if type(f5) is not str:
        raise _bad_field("Relationship", "element_id", "String", f5, at)
    if type(f6) is not str:
        raise _bad_field("Relationship", "start_node_element_id", "String", f6, at)
    if type(f7) is not str:
        raise _bad_field("Relationship", "end_node_element_id", "String", f7, at)
    # The class's __init__ only stores its arguments; skipping the call is cheaper.
    o = _new(_s.Relationship)
    o.id = f0
    o.start_node_id = f1
    o.end_node_id = f2
    o.type = f3
    o.properties = f4
    o.element_id = f5
    o.start_node_element_id = f6
    o.end_node_element_id = f7
    return o


def _b_UnboundRelationship_0(f: list, at: int) -> Any:
    f0, f1, f2 = f
    if type(f0) is not int:
        raise _bad_field("UnboundRelationship", "id", "Integer", f0, at)
    if type(f1) is not str:
        raise _bad_field("UnboundRelationship", "type", "String", f1, at)
    if type(f2) is not dict:
        raise _bad_field("UnboundRelationship", "properties", "Map", f2, at)
    # The class's __init__ only stores its arguments; skipping the call is cheaper.
    o = _new(_s.UnboundRelationship)
    o.id = f0
    o.type = f1
    o.properties = f2
    o.element_id = None
    return o


def _b_UnboundRelationship_1(f: list, at: int) -> Any:
    f0, f1, f2, f3 = f
    if not (f0 is None or type(f0) is int):
        raise _bad_field("UnboundRelationship", "id", "Integer?", f0, at)
    if type(f1) is not str:
        raise _bad_field("UnboundRelationship", "type", "String", f1, at)
    if type(f2) is not dict:
        raise _bad_field("UnboundRelationship", "properties", "Map", f2, at)
    if type(f3) is not str:
        raise _bad_field("UnboundRelationship", "element_id", "String", f3, at)
    # The class's __init__ only stores its arguments; skipping the call is cheaper.
    o = _new(_s.UnboundRelationship)
    o.id = f0
    o.type = f1
    o.properties = f2
    o.element_id = f3
    return o


def _b_Path_0(f: list, at: int) -> Any:
    f0, f1, f2 = f
    if not (type(f0) is list and _ONLY_Node.issuperset(map(type, f0))):
        raise _bad_field("Path", "nodes", "List<Node>", f0, at)
    if not (type(f1) is list and _ONLY_UnboundRelationship.issuperset(map(type, f1))):
        raise _bad_field("Path", "relationships", "List<UnboundRelationship>", f1, at)
    if not (type(f2) is list and (len(f2) < 2 and (not f2 or type(f2[0]) is int) or _ONLY_Integer.issuperset(map(type, f2)))):
        raise _bad_field("Path", "indices", "List<Integer>", f2, at)
    # The class's __init__ only stores its arguments; skipping the call is cheaper.
    o = _new(_s.Path)
    o.nodes = f0
    o.relationships = f1
    o.indices = f2
    return o


def _b_Date_0(f: list, at: int) -> Any:
    f0, = f
    if type(f0) is not int:
        raise _bad_field("Date", "days", "Integer", f0, at)
    # The class's __init__ only stores its arguments; skipping the call is cheaper.
    o = _new(_s.Date)
    o.days = f0
    return o


def _b_Time_0(f: list, at: int) -> Any:
    f0, f1 = f
    if type(f0) is not int:
        raise _bad_field("Time", "nanoseconds", "Integer", f0, at)
    if type(f1) is not int:
        raise _bad_field("Time", "tz_offset_seconds", "Integer", f1, at)
    # The class's __init__ only stores its arguments; skipping the call is cheaper.
    o = _new(_s.Time)
    o.nanoseconds = f0
    o.tz_offset_seconds = f1
    return o


def _b_LocalTime_0(f: list, at: int) -> Any:
    f0, = f
    if type(f0) is not int:
        raise _bad_field("LocalTime", "nanoseconds", "Integer", f0, at)
    # The class's __init__ only stores its arguments; skipping the call is cheaper.
    o = _new(_s.LocalTime)
    o.nanoseconds = f0
    return o


def _b_DateTime_0(f: list, at: int) -> Any:
    f0, f1, f2 = f
    if type(f0) is not int:
        raise _bad_field("DateTime", "seconds", "Integer", f0, at)
    if type(f1) is not int:
        raise _bad_field("DateTime", "nanoseconds", "Integer", f1, at)
    if type(f2) is not int:
        raise _bad_field("DateTime", "tz_offset_seconds", "Integer", f2, at)
    # The class's __init__ only stores its arguments; skipping the call is cheaper.
    o = _new(_s.DateTime)
    o.seconds = f0
    o.nanoseconds = f1
    o.tz_offset_seconds = f2
    return o


def _b_DateTimeZoneId_0(f: list, at: int) -> Any:
    f0, f1, f2 = f
    if type(f0) is not int:
        raise _bad_field("DateTimeZoneId", "seconds", "Integer", f0, at)
    if type(f1) is not int:
        raise _bad_field("DateTimeZoneId", "nanoseconds", "Integer", f1, at)
    if type(f2) is not str:
        raise _bad_field("DateTimeZoneId", "tz_id", "String", f2, at)
    # The class's __init__ only stores its arguments; skipping the call is cheaper.
    o = _new(_s.DateTimeZoneId)
    o.seconds = f0
    o.nanoseconds = f1
    o.tz_id = f2
    return o


def _b_LegacyDateTime_0(f: list, at: int) -> Any:
    f0, f1, f2 = f
    if type(f0) is not int:
        raise _bad_field("LegacyDateTime", "seconds", "Integer", f0, at)
    if type(f1) is not int:
        raise _bad_field("LegacyDateTime", "nanoseconds", "Integer", f1, at)
    if type(f2) is not int:
        raise _bad_field("LegacyDateTime", "tz_offset_seconds", "Integer", f2, at)
    # The class's __init__ only stores its arguments; skipping the call is cheaper.
    o = _new(_s.LegacyDateTime)
    o.seconds = f0
    o.nanoseconds = f1
    o.tz_offset_seconds = f2
    return o


def _b_LegacyDateTimeZoneId_0(f: list, at: int) -> Any:
    f0, f1, f2 = f
    if type(f0) is not int:
        raise _bad_field("LegacyDateTimeZoneId", "seconds", "Integer", f0, at)
    if type(f1) is not int:
        raise _bad_field("LegacyDateTimeZoneId", "nanoseconds", "Integer", f1, at)
    if type(f2) is not str:
        raise _bad_field("LegacyDateTimeZoneId", "tz_id", "String", f2, at)
    # The class's __init__ only stores its arguments; skipping the call is cheaper.
    o = _new(_s.LegacyDateTimeZoneId)
    o.seconds = f0
    o.nanoseconds = f1
    o.tz_id = f2
    return o


def _b_LocalDateTime_0(f: list, at: int) -> Any:
    f0, f1 = f
    if type(f0) is not int:
        raise _bad_field("LocalDateTime", "seconds", "Integer", f0, at)
    if type(f1) is not int:
        raise _bad_field("LocalDateTime", "nanoseconds", "Integer", f1, at)
    # The class's __init__ only stores its arguments; skipping the call is cheaper.
    o = _new(_s.LocalDateTime)
    o.seconds = f0
    o.nanoseconds = f1
    return o


def _b_Duration_0(f: list, at: int) -> Any:
    f0, f1, f2, f3 = f
    if type(f0) is not int:
        raise _bad_field("Duration", "months", "Integer", f0, at)
    if type(f1) is not int:
        raise _bad_field("Duration", "days", "Integer", f1, at)
    if type(f2) is not int:
        raise _bad_field("Duration", "seconds", "Integer", f2, at)
    if type(f3) is not int:
        raise _bad_field("Duration", "nanoseconds", "Integer", f3, at)
    # The class's __init__ only stores its arguments; skipping the call is cheaper.
    o = _new(_s.Duration)
    o.months = f0
    o.days = f1
    o.seconds = f2
    o.nanoseconds = f3
    return o


def _b_Point2D_0(f: list, at: int) -> Any:
    f0, f1, f2 = f
    if type(f0) is not int:
        raise _bad_field("Point2D", "srid", "Integer", f0, at)
    if type(f1) is not float:
        raise _bad_field("Point2D", "x", "Float", f1, at)
    if type(f2) is not float:
        raise _bad_field("Point2D", "y", "Float", f2, at)
    # The class's __init__ only stores its arguments; skipping the call is cheaper.
    o = _new(_s.Point2D)
    o.srid = f0
    o.x = f1
    o.y = f2
    return o


def _b_Point3D_0(f: list, at: int) -> Any:
    f0, f1, f2, f3 = f
    if type(f0) is not int:
        raise _bad_field("Point3D", "srid", "Integer", f0, at)
    if type(f1) is not float:
        raise _bad_field("Point3D", "x", "Float", f1, at)
    if type(f2) is not float:
        raise _bad_field("Point3D", "y", "Float", f2, at)
    if type(f3) is not float:
        raise _bad_field("Point3D", "z", "Float", f3, at)
    # The class's __init__ only stores its arguments; skipping the call is cheaper.
    o = _new(_s.Point3D)
    o.srid = f0
    o.x = f1
    o.y = f2
    o.z = f3
    return o


def _b_Vector_0(f: list, at: int) -> Any:
    f0, f1 = f
    if type(f0) is not bytes:
        raise _bad_field("Vector", "type_marker", "Bytes", f0, at)
    if type(f1) is not bytes:
        raise _bad_field("Vector", "data", "Bytes", f1, at)
    # The class's __init__ only stores its arguments; skipping the call is cheaper.
    o = _new(_s.Vector)
    o.type_marker = f0
    o.data = f1
    return o


def _b_UnsupportedType_0(f: list, at: int) -> Any:
    f0, f1, f2, f3 = f
    if type(f0) is not str:
        raise _bad_field("UnsupportedType", "name", "String", f0, at)
    if type(f1) is not int:
        raise _bad_field("UnsupportedType", "minimum_protocol_major", "Integer", f1, at)
    if type(f2) is not int:
        raise _bad_field("UnsupportedType", "minimum_protocol_minor", "Integer", f2, at)
    if type(f3) is not dict:
        raise _bad_field("UnsupportedType", "extra", "Map", f3, at)
    # The class's __init__ only stores its arguments; skipping the call is cheaper.
    o = _new(_s.UnsupportedType)
    o.name = f0
    o.minimum_protocol_major = f1
    o.minimum_protocol_minor = f2
    o.extra = f3
    return o

# Structure set 0: 1.0
_STRUCTS_0 = {
    0x4E: (3, _b_Node_0, "Node"),
    0x52: (5, _b_Relationship_0, "Relationship"),
    0x72: (3, _b_UnboundRelationship_0, "UnboundRelationship"),
    0x50: (3, _b_Path_0, "Path"),
}
_PACKERS_0: dict[type, tuple[bytes, Any]] = {
    _s.Node: (bytes((0xB3, 0x4E)), attrgetter("id", "labels", "properties")),
    _s.Relationship: (bytes((0xB5, 0x52)), attrgetter("id", "start_node_id", "end_node_id", "type", "properties")),
    _s.UnboundRelationship: (bytes((0xB3, 0x72)), attrgetter("id", "type", "properties")),
    _s.Path: (bytes((0xB3, 0x50)), attrgetter("nodes", "relationships", "indices")),
}

# Structure set 1: 2.0, 3.0, 4.0, 4.1, 4.2, 4.3, 4.4
_STRUCTS_1 = {
    0x4E: (3, _b_Node_0, "Node"),
    0x52: (5, _b_Relationship_0, "Relationship"),
    0x72: (3, _b_UnboundRelationship_0, "UnboundRelationship"),
    0x50: (3, _b_Path_0, "Path"),
    0x44: (1, _b_Date_0, "Date"),
    0x54: (2, _b_Time_0, "Time"),
    0x74: (1, _b_LocalTime_0, "LocalTime"),
    0x46: (3, _b_LegacyDateTime_0, "LegacyDateTime"),
    0x66: (3, _b_LegacyDateTimeZoneId_0, "LegacyDateTimeZoneId"),
    0x64: (2, _b_LocalDateTime_0, "LocalDateTime"),
    0x45: (4, _b_Duration_0, "Duration"),
    0x58: (3, _b_Point2D_0, "Point2D"),
    0x59: (4, _b_Point3D_0, "Point3D"),
}
_PACKERS_1: dict[type, tuple[bytes, Any]] = {
    _s.Node: (bytes((0xB3, 0x4E)), attrgetter("id", "labels", "properties")),
    _s.Relationship: (bytes((0xB5, 0x52)), attrgetter("id", "start_node_id", "end_node_id", "type", "properties")),
    _s.UnboundRelationship: (bytes((0xB3, 0x72)), attrgetter("id", "type", "properties")),
    _s.Path: (bytes((0xB3, 0x50)), attrgetter("nodes", "relationships", "indices")),
    _s.Date: (bytes((0xB1, 0x44)), lambda v: (v.days,)),
    _s.Time: (bytes((0xB2, 0x54)), attrgetter("nanoseconds", "tz_offset_seconds")),
    _s.LocalTime: (bytes((0xB1, 0x74)), lambda v: (v.nanoseconds,)),
    _s.LegacyDateTime: (bytes((0xB3, 0x46)), attrgetter("seconds", "nanoseconds", "tz_offset_seconds")),
    _s.LegacyDateTimeZoneId: (bytes((0xB3, 0x66)), attrgetter("seconds", "nanoseconds", "tz_id")),
    _s.LocalDateTime: (bytes((0xB2, 0x64)), attrgetter("seconds", "nanoseconds")),
    _s.Duration: (bytes((0xB4, 0x45)), attrgetter("months", "days", "seconds", "nanoseconds")),
    _s.Point2D: (bytes((0xB3, 0x58)), attrgetter("srid", "x", "y")),
    _s.Point3D: (bytes((0xB4, 0x59)), attrgetter("srid", "x", "y", "z")),
    _s.DateTime: (bytes((0xB3, 0x46)), lambda v: attrgetter("seconds", "nanoseconds", "tz_offset_seconds")(v.to_legacy())),
    _s.DateTimeZoneId: (bytes((0xB3, 0x66)), lambda v: attrgetter("seconds", "nanoseconds", "tz_id")(v.to_legacy())),
}

# Structure set 2: 4.3+utc, 4.4+utc
_STRUCTS_2 = {
    0x4E: (3, _b_Node_0, "Node"),
    0x52: (5, _b_Relationship_0, "Relationship"),
    0x72: (3, _b_UnboundRelationship_0, "UnboundRelationship"),
    0x50: (3, _b_Path_0, "Path"),
    0x44: (1, _b_Date_0, "Date"),
    0x54: (2, _b_Time_0, "Time"),
    0x74: (1, _b_LocalTime_0, "LocalTime"),
    0x49: (3, _b_DateTime_0, "DateTime"),
    0x69: (3, _b_DateTimeZoneId_0, "DateTimeZoneId"),
    0x64: (2, _b_LocalDateTime_0, "LocalDateTime"),
    0x45: (4, _b_Duration_0, "Duration"),
    0x58: (3, _b_Point2D_0, "Point2D"),
    0x59: (4, _b_Point3D_0, "Point3D"),
}
_PACKERS_2: dict[type, tuple[bytes, Any]] = {
    _s.Node: (bytes((0xB3, 0x4E)), attrgetter("id", "labels", "properties")),
    _s.Relationship: (bytes((0xB5, 0x52)), attrgetter("id", "start_node_id", "end_node_id", "type", "properties")),
    _s.UnboundRelationship: (bytes((0xB3, 0x72)), attrgetter("id", "type", "properties")),
    _s.Path: (bytes((0xB3, 0x50)), attrgetter("nodes", "relationships", "indices")),
    _s.Date: (bytes((0xB1, 0x44)), lambda v: (v.days,)),
    _s.Time: (bytes((0xB2, 0x54)), attrgetter("nanoseconds", "tz_offset_seconds")),
    _s.LocalTime: (bytes((0xB1, 0x74)), lambda v: (v.nanoseconds,)),
    _s.DateTime: (bytes((0xB3, 0x49)), attrgetter("seconds", "nanoseconds", "tz_offset_seconds")),
    _s.DateTimeZoneId: (bytes((0xB3, 0x69)), attrgetter("seconds", "nanoseconds", "tz_id")),
    _s.LocalDateTime: (bytes((0xB2, 0x64)), attrgetter("seconds", "nanoseconds")),
    _s.Duration: (bytes((0xB4, 0x45)), attrgetter("months", "days", "seconds", "nanoseconds")),
    _s.Point2D: (bytes((0xB3, 0x58)), attrgetter("srid", "x", "y")),
    _s.Point3D: (bytes((0xB4, 0x59)), attrgetter("srid", "x", "y", "z")),
    _s.LegacyDateTime: (bytes((0xB3, 0x49)), lambda v: attrgetter("seconds", "nanoseconds", "tz_offset_seconds")(v.to_utc())),
    _s.LegacyDateTimeZoneId: (bytes((0xB3, 0x69)), lambda v: attrgetter("seconds", "nanoseconds", "tz_id")(v.to_utc())),
}

# Structure set 3: 5.0, 5.1, 5.2, 5.3, 5.4, 5.5, 5.6, 5.7, 5.8
_STRUCTS_3 = {
    0x4E: (4, _b_Node_1, "Node"),
    0x52: (8, _b_Relationship_1, "Relationship"),
    0x72: (4, _b_UnboundRelationship_1, "UnboundRelationship"),
    0x50: (3, _b_Path_0, "Path"),
    0x44: (1, _b_Date_0, "Date"),
    0x54: (2, _b_Time_0, "Time"),
    0x74: (1, _b_LocalTime_0, "LocalTime"),
    0x49: (3, _b_DateTime_0, "DateTime"),
    0x69: (3, _b_DateTimeZoneId_0, "DateTimeZoneId"),
    0x64: (2, _b_LocalDateTime_0, "LocalDateTime"),
    0x45: (4, _b_Duration_0, "Duration"),
    0x58: (3, _b_Point2D_0, "Point2D"),
    0x59: (4, _b_Point3D_0, "Point3D"),
}
_PACKERS_3: dict[type, tuple[bytes, Any]] = {
    _s.Node: (bytes((0xB4, 0x4E)), attrgetter("id", "labels", "properties", "element_id")),
    _s.Relationship: (bytes((0xB8, 0x52)), attrgetter("id", "start_node_id", "end_node_id", "type", "properties", "element_id", "start_node_element_id", "end_node_element_id")),
    _s.UnboundRelationship: (bytes((0xB4, 0x72)), attrgetter("id", "type", "properties", "element_id")),
    _s.Path: (bytes((0xB3, 0x50)), attrgetter("nodes", "relationships", "indices")),
    _s.Date: (bytes((0xB1, 0x44)), lambda v: (v.days,)),
    _s.Time: (bytes((0xB2, 0x54)), attrgetter("nanoseconds", "tz_offset_seconds")),
    _s.LocalTime: (bytes((0xB1, 0x74)), lambda v: (v.nanoseconds,)),
    _s.DateTime: (bytes((0xB3, 0x49)), attrgetter("seconds", "nanoseconds", "tz_offset_seconds")),
    _s.DateTimeZoneId: (bytes((0xB3, 0x69)), attrgetter("seconds", "nanoseconds", "tz_id")),
    _s.LocalDateTime: (bytes((0xB2, 0x64)), attrgetter("seconds", "nanoseconds")),
    _s.Duration: (bytes((0xB4, 0x45)), attrgetter("months", "days", "seconds", "nanoseconds")),
    _s.Point2D: (bytes((0xB3, 0x58)), attrgetter("srid", "x", "y")),
    _s.Point3D: (bytes((0xB4, 0x59)), attrgetter("srid", "x", "y", "z")),
    _s.LegacyDateTime: (bytes((0xB3, 0x49)), lambda v: attrgetter("seconds", "nanoseconds", "tz_offset_seconds")(v.to_utc())),
    _s.LegacyDateTimeZoneId: (bytes((0xB3, 0x69)), lambda v: attrgetter("seconds", "nanoseconds", "tz_id")(v.to_utc())),
}

# Structure set 4: 6.0, 6.1
_STRUCTS_4 = {
    0x4E: (4, _b_Node_1, "Node"),
    0x52: (8, _b_Relationship_1, "Relationship"),
    0x72: (4, _b_UnboundRelationship_1, "UnboundRelationship"),
    0x50: (3, _b_Path_0, "Path"),
    0x44: (1, _b_Date_0, "Date"),
    0x54: (2, _b_Time_0, "Time"),
    0x74: (1, _b_LocalTime_0, "LocalTime"),
    0x49: (3, _b_DateTime_0, "DateTime"),
    0x69: (3, _b_DateTimeZoneId_0, "DateTimeZoneId"),
    0x64: (2, _b_LocalDateTime_0, "LocalDateTime"),
    0x45: (4, _b_Duration_0, "Duration"),
    0x58: (3, _b_Point2D_0, "Point2D"),
    0x59: (4, _b_Point3D_0, "Point3D"),
    0x56: (2, _b_Vector_0, "Vector"),
    0x3F: (4, _b_UnsupportedType_0, "UnsupportedType"),
}
_PACKERS_4: dict[type, tuple[bytes, Any]] = {
    _s.Node: (bytes((0xB4, 0x4E)), attrgetter("id", "labels", "properties", "element_id")),
    _s.Relationship: (bytes((0xB8, 0x52)), attrgetter("id", "start_node_id", "end_node_id", "type", "properties", "element_id", "start_node_element_id", "end_node_element_id")),
    _s.UnboundRelationship: (bytes((0xB4, 0x72)), attrgetter("id", "type", "properties", "element_id")),
    _s.Path: (bytes((0xB3, 0x50)), attrgetter("nodes", "relationships", "indices")),
    _s.Date: (bytes((0xB1, 0x44)), lambda v: (v.days,)),
    _s.Time: (bytes((0xB2, 0x54)), attrgetter("nanoseconds", "tz_offset_seconds")),
    _s.LocalTime: (bytes((0xB1, 0x74)), lambda v: (v.nanoseconds,)),
    _s.DateTime: (bytes((0xB3, 0x49)), attrgetter("seconds", "nanoseconds", "tz_offset_seconds")),
    _s.DateTimeZoneId: (bytes((0xB3, 0x69)), attrgetter("seconds", "nanoseconds", "tz_id")),
    _s.LocalDateTime: (bytes((0xB2, 0x64)), attrgetter("seconds", "nanoseconds")),
    _s.Duration: (bytes((0xB4, 0x45)), attrgetter("months", "days", "seconds", "nanoseconds")),
    _s.Point2D: (bytes((0xB3, 0x58)), attrgetter("srid", "x", "y")),
    _s.Point3D: (bytes((0xB4, 0x59)), attrgetter("srid", "x", "y", "z")),
    _s.Vector: (bytes((0xB2, 0x56)), attrgetter("type_marker", "data")),
    _s.UnsupportedType: (bytes((0xB4, 0x3F)), attrgetter("name", "minimum_protocol_major", "minimum_protocol_minor", "extra")),
    _s.LegacyDateTime: (bytes((0xB3, 0x49)), lambda v: attrgetter("seconds", "nanoseconds", "tz_offset_seconds")(v.to_utc())),
    _s.LegacyDateTimeZoneId: (bytes((0xB3, 0x69)), lambda v: attrgetter("seconds", "nanoseconds", "tz_id")(v.to_utc())),
}

_STRUCT_SET_OF = {
    "1.0": 0,
    "2.0": 1,
    "3.0": 1,
    "4.0": 1,
    "4.1": 1,
    "4.2": 1,
    "4.3": 1,
    "4.3+utc": 2,
    "4.4": 1,
    "4.4+utc": 2,
    "5.0": 3,
    "5.1": 3,
    "5.2": 3,
    "5.3": 3,
    "5.4": 3,
    "5.5": 3,
    "5.6": 3,
    "5.7": 3,
    "5.8": 3,
    "6.0": 4,
    "6.1": 4,
}
_STRUCT_SETS = ((_STRUCTS_0, _PACKERS_0), (_STRUCTS_1, _PACKERS_1), (_STRUCTS_2, _PACKERS_2), (_STRUCTS_3, _PACKERS_3), (_STRUCTS_4, _PACKERS_4), )


#: Legacy PackStream v1 markers (spec legacy_markers), named in the error that refuses them.
_LEGACY_MARKERS: dict[int, str] = {
    0xDC: "STRUCT_8 (marker 0xDC) is a legacy PackStream v1 marker (a structure with a 1-byte field count) that Bolt does not use",
    0xDD: "STRUCT_16 (marker 0xDD) is a legacy PackStream v1 marker (a structure with a 2-byte field count) that Bolt does not use",
}


def _reserved(m: int) -> str:
    """Why the marker byte ``m`` is refused."""
    return _LEGACY_MARKERS.get(m) or f"reserved marker byte 0x{m:02X}"


def _other_struct(unpack: Any, data: bytes, pos: int, n: int, tag: int, profile: str,
                  level: int, left: list | None = None) -> tuple:
    """A structure whose tag the profile does not define; ``left``: the checked decoder's budget."""
    if tag > 0x7F:
        raise ProtocolError(f"structure tag 0x{tag:02X} is outside 0x00-0x7F", pos)
    known = _TAG_VERSIONS.get(tag)
    if known is not None:
        raise ProtocolError(
            f"structure {known[0]} (tag 0x{tag:02X}) is not part of Bolt {profile}; "
            f"it exists in Bolt {known[1]}", pos - 1)
    fields = []
    if left is None:
        pos += 1
        for _ in range(n):
            v, pos = unpack(data, pos, level + 1)
            fields.append(v)
    else:
        left[0] -= n
        if left[0] < 0:
            raise _too_many(left, pos - 1)
        pos += 1
        for _ in range(n):
            v, pos = unpack(data, pos, level + 1, left)
            fields.append(v)
    return Structure(tag, fields), pos


def _make_unpack(structs: dict, profile: str, max_depth: int = DEFAULT_MAX_DEPTH) -> Any:
    """The fast decoder of one profile: ``unpack(data, pos) -> (value, end)``.

    It trusts declared sizes (slices past the end just come out short), so the caller must
    check that ``end`` is within the data and, on any error, decode again with
    ``_make_checked_unpack`` for a precise diagnosis. It also gives up on containers within
    1 level of ``max_depth`` (the tiny containers it decodes in place are not counted one
    by one); the checked decoder then decides exactly.
    """
    if max_depth < 1:
        raise ValueError("max_depth must be at least 1")
    deep = max_depth - 2
    allow_UUID = profile in _GATED["UUID"]

    def unpack_struct(data: bytes, pos: int, m: int, level: int) -> tuple[Any, int]:
        """A tiny structure whose marker ``m`` was read at ``pos - 1``."""
        k1: Any
        d1: dict[str, Any]
        if level > deep:
            raise IndexError  # maybe too deep: the checked decoder counts exactly
        n = m - 0xB0
        tag = data[pos]
        entry = structs.get(tag)
        if entry is None:
            return _other_struct(unpack, data, pos, n, tag, profile, level)
        if n != entry[0]:
            raise ProtocolError(f"{entry[2]} structure must have {entry[0]} fields, found {n}", pos - 1)
        at = pos - 1
        pos += 1
        fields = _NONE * n
        for i in _RANGES[n]:
            m = data[pos]
            pos += 1
            if m <= 0x7F:  # TINY_INT
                fields[i] = m
            elif m <= 0x8F:  # TINY_STRING
                n = m - 0x80
                end = pos + n
                try:
                    fields[i] = data[pos:end].decode()
                except UnicodeDecodeError as exc:
                    raise _bad_utf8(exc, pos) from None
                pos = end
            elif m >= 0xC0:
                if m < 0xCA:
                    if m < 0xC3:
                        if m < 0xC1:
                            # NULL
                            fields[i] = None
                        else:
                            if m == 0xC1:  # FLOAT_64
                                fields[i], = _f64(data, pos)
                                pos += 8
                            else:  # FALSE
                                fields[i] = False
                    else:
                        if m < 0xC9:
                            if m == 0xC3:  # TRUE
                                fields[i] = True
                            elif m == 0xC8:  # INT_8
                                n = data[pos]
                                fields[i] = n - 0x100 if n > 0x7F else n
                                pos += 1
                            else:
                                fields[i], pos = unpack(data, pos - 1, level + 1)
                        else:
                            # INT_16
                            fields[i], = _i16(data, pos)
                            pos += 2
                else:
                    if m < 0xD0:
                        if m < 0xCB:
                            # INT_32
                            fields[i], = _i32(data, pos)
                            pos += 4
                        else:
                            if m < 0xCC:
                                # INT_64
                                fields[i], = _i64(data, pos)
                                pos += 8
                            else:
                                if m < 0xCD:
                                    # BYTES_8
                                    n = data[pos]
                                    pos += 1
                                    end = pos + n
                                    fields[i] = data[pos:end]
                                    pos = end
                                else:
                                    if m == 0xCD:  # BYTES_16
                                        n = _u16(data, pos)[0]
                                        pos += 2
                                        end = pos + n
                                        fields[i] = data[pos:end]
                                        pos = end
                                    elif m == 0xCE:  # BYTES_32
                                        n = _u32(data, pos)[0]
                                        pos += 4
                                        end = pos + n
                                        fields[i] = data[pos:end]
                                        pos = end
                                    else:
                                        fields[i], pos = unpack(data, pos - 1, level + 1)
                    else:
                        if m < 0xD1:
                            # STRING_8
                            n = data[pos]
                            pos += 1
                            end = pos + n
                            try:
                                fields[i] = data[pos:end].decode()
                            except UnicodeDecodeError as exc:
                                raise _bad_utf8(exc, pos) from None
                            pos = end
                        else:
                            if m < 0xF0:
                                if m < 0xD2:
                                    # STRING_16
                                    n = _u16(data, pos)[0]
                                    pos += 2
                                    end = pos + n
                                    try:
                                        fields[i] = data[pos:end].decode()
                                    except UnicodeDecodeError as exc:
                                        raise _bad_utf8(exc, pos) from None
                                    pos = end
                                else:
                                    if m == 0xD2:  # STRING_32
                                        n = _u32(data, pos)[0]
                                        pos += 4
                                        end = pos + n
                                        try:
                                            fields[i] = data[pos:end].decode()
                                        except UnicodeDecodeError as exc:
                                            raise _bad_utf8(exc, pos) from None
                                        pos = end
                                    elif m == 0xE0:  # UUID
                                        if not allow_UUID:
                                            raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                "it exists in Bolt 6.1+", pos - 1)
                                        if pos + 16 > len(data):
                                            raise _overrun("UUID", 16, pos, data)
                                        fields[i] = _from_UUID(data[pos:pos + 16])
                                        pos += 16
                                    else:
                                        fields[i], pos = unpack(data, pos - 1, level + 1)
                            else:
                                # TINY_INT_NEGATIVE
                                fields[i] = m - 0x100
            elif m <= 0x9F:  # TINY_LIST: here, saving a call and a tuple
                n = m - 0x90
                lst1 = _NONE * n
                for i1 in _RANGES[n]:
                    m = data[pos]
                    pos += 1
                    if m <= 0x7F:  # TINY_INT
                        lst1[i1] = m
                    elif m <= 0x8F:  # TINY_STRING
                        n = m - 0x80
                        end = pos + n
                        try:
                            lst1[i1] = data[pos:end].decode()
                        except UnicodeDecodeError as exc:
                            raise _bad_utf8(exc, pos) from None
                        pos = end
                    elif m >= 0xC0:
                        if m < 0xCA:
                            if m < 0xC3:
                                if m < 0xC1:
                                    # NULL
                                    lst1[i1] = None
                                else:
                                    if m == 0xC1:  # FLOAT_64
                                        lst1[i1], = _f64(data, pos)
                                        pos += 8
                                    else:  # FALSE
                                        lst1[i1] = False
                            else:
                                if m < 0xC9:
                                    if m == 0xC3:  # TRUE
                                        lst1[i1] = True
                                    elif m == 0xC8:  # INT_8
                                        n = data[pos]
                                        lst1[i1] = n - 0x100 if n > 0x7F else n
                                        pos += 1
                                    else:
                                        lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                else:
                                    # INT_16
                                    lst1[i1], = _i16(data, pos)
                                    pos += 2
                        else:
                            if m < 0xD0:
                                if m < 0xCB:
                                    # INT_32
                                    lst1[i1], = _i32(data, pos)
                                    pos += 4
                                else:
                                    if m < 0xCC:
                                        # INT_64
                                        lst1[i1], = _i64(data, pos)
                                        pos += 8
                                    else:
                                        if m < 0xCD:
                                            # BYTES_8
                                            n = data[pos]
                                            pos += 1
                                            end = pos + n
                                            lst1[i1] = data[pos:end]
                                            pos = end
                                        else:
                                            if m == 0xCD:  # BYTES_16
                                                n = _u16(data, pos)[0]
                                                pos += 2
                                                end = pos + n
                                                lst1[i1] = data[pos:end]
                                                pos = end
                                            elif m == 0xCE:  # BYTES_32
                                                n = _u32(data, pos)[0]
                                                pos += 4
                                                end = pos + n
                                                lst1[i1] = data[pos:end]
                                                pos = end
                                            else:
                                                lst1[i1], pos = unpack(data, pos - 1, level + 2)
                            else:
                                if m < 0xD1:
                                    # STRING_8
                                    n = data[pos]
                                    pos += 1
                                    end = pos + n
                                    try:
                                        lst1[i1] = data[pos:end].decode()
                                    except UnicodeDecodeError as exc:
                                        raise _bad_utf8(exc, pos) from None
                                    pos = end
                                else:
                                    if m < 0xF0:
                                        if m < 0xD2:
                                            # STRING_16
                                            n = _u16(data, pos)[0]
                                            pos += 2
                                            end = pos + n
                                            try:
                                                lst1[i1] = data[pos:end].decode()
                                            except UnicodeDecodeError as exc:
                                                raise _bad_utf8(exc, pos) from None
                                            pos = end
                                        else:
                                            if m == 0xD2:  # STRING_32
                                                n = _u32(data, pos)[0]
                                                pos += 4
                                                end = pos + n
                                                try:
                                                    lst1[i1] = data[pos:end].decode()
                                                except UnicodeDecodeError as exc:
                                                    raise _bad_utf8(exc, pos) from None
                                                pos = end
                                            elif m == 0xE0:  # UUID
                                                if not allow_UUID:
                                                    raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                        "it exists in Bolt 6.1+", pos - 1)
                                                if pos + 16 > len(data):
                                                    raise _overrun("UUID", 16, pos, data)
                                                lst1[i1] = _from_UUID(data[pos:pos + 16])
                                                pos += 16
                                            else:
                                                lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                    else:
                                        # TINY_INT_NEGATIVE
                                        lst1[i1] = m - 0x100
                    else:  # tiny containers and structures
                        lst1[i1], pos = unpack(data, pos - 1, level + 2)
                fields[i] = lst1
            elif m <= 0xAF:  # TINY_MAP: likewise
                n = m - 0xA0
                d1 = {}
                for _ in _RANGES[n]:
                    k1 = data[pos] ^ 0x80
                    pos += 1
                    if k1 < 16:  # TINY_STRING
                        pass
                    elif k1 == 0x50:  # STRING_8
                        k1 = data[pos]
                        pos += 1
                    elif k1 == 0x51:  # STRING_16
                        k1 = _u16(data, pos)[0]
                        pos += 2
                    elif k1 == 0x52:  # STRING_32
                        k1 = _u32(data, pos)[0]
                        pos += 4
                    else:
                        raise _bad_key(k1 ^ 0x80, pos - 1)
                    end = pos + k1
                    try:
                        k1 = data[pos:end].decode()
                    except UnicodeDecodeError as exc:
                        raise _bad_utf8(exc, pos) from None
                    pos = end
                    m = data[pos]
                    pos += 1
                    if m <= 0x7F:  # TINY_INT
                        d1[k1] = m
                    elif m <= 0x8F:  # TINY_STRING
                        n = m - 0x80
                        end = pos + n
                        try:
                            d1[k1] = data[pos:end].decode()
                        except UnicodeDecodeError as exc:
                            raise _bad_utf8(exc, pos) from None
                        pos = end
                    elif m >= 0xC0:
                        if m < 0xCA:
                            if m < 0xC3:
                                if m < 0xC1:
                                    # NULL
                                    d1[k1] = None
                                else:
                                    if m == 0xC1:  # FLOAT_64
                                        d1[k1], = _f64(data, pos)
                                        pos += 8
                                    else:  # FALSE
                                        d1[k1] = False
                            else:
                                if m < 0xC9:
                                    if m == 0xC3:  # TRUE
                                        d1[k1] = True
                                    elif m == 0xC8:  # INT_8
                                        n = data[pos]
                                        d1[k1] = n - 0x100 if n > 0x7F else n
                                        pos += 1
                                    else:
                                        d1[k1], pos = unpack(data, pos - 1, level + 2)
                                else:
                                    # INT_16
                                    d1[k1], = _i16(data, pos)
                                    pos += 2
                        else:
                            if m < 0xD0:
                                if m < 0xCB:
                                    # INT_32
                                    d1[k1], = _i32(data, pos)
                                    pos += 4
                                else:
                                    if m < 0xCC:
                                        # INT_64
                                        d1[k1], = _i64(data, pos)
                                        pos += 8
                                    else:
                                        if m < 0xCD:
                                            # BYTES_8
                                            n = data[pos]
                                            pos += 1
                                            end = pos + n
                                            d1[k1] = data[pos:end]
                                            pos = end
                                        else:
                                            if m == 0xCD:  # BYTES_16
                                                n = _u16(data, pos)[0]
                                                pos += 2
                                                end = pos + n
                                                d1[k1] = data[pos:end]
                                                pos = end
                                            elif m == 0xCE:  # BYTES_32
                                                n = _u32(data, pos)[0]
                                                pos += 4
                                                end = pos + n
                                                d1[k1] = data[pos:end]
                                                pos = end
                                            else:
                                                d1[k1], pos = unpack(data, pos - 1, level + 2)
                            else:
                                if m < 0xD1:
                                    # STRING_8
                                    n = data[pos]
                                    pos += 1
                                    end = pos + n
                                    try:
                                        d1[k1] = data[pos:end].decode()
                                    except UnicodeDecodeError as exc:
                                        raise _bad_utf8(exc, pos) from None
                                    pos = end
                                else:
                                    if m < 0xF0:
                                        if m < 0xD2:
                                            # STRING_16
                                            n = _u16(data, pos)[0]
                                            pos += 2
                                            end = pos + n
                                            try:
                                                d1[k1] = data[pos:end].decode()
                                            except UnicodeDecodeError as exc:
                                                raise _bad_utf8(exc, pos) from None
                                            pos = end
                                        else:
                                            if m == 0xD2:  # STRING_32
                                                n = _u32(data, pos)[0]
                                                pos += 4
                                                end = pos + n
                                                try:
                                                    d1[k1] = data[pos:end].decode()
                                                except UnicodeDecodeError as exc:
                                                    raise _bad_utf8(exc, pos) from None
                                                pos = end
                                            elif m == 0xE0:  # UUID
                                                if not allow_UUID:
                                                    raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                        "it exists in Bolt 6.1+", pos - 1)
                                                if pos + 16 > len(data):
                                                    raise _overrun("UUID", 16, pos, data)
                                                d1[k1] = _from_UUID(data[pos:pos + 16])
                                                pos += 16
                                            else:
                                                d1[k1], pos = unpack(data, pos - 1, level + 2)
                                    else:
                                        # TINY_INT_NEGATIVE
                                        d1[k1] = m - 0x100
                    else:  # tiny containers and structures
                        d1[k1], pos = unpack(data, pos - 1, level + 2)
                fields[i] = d1
            else:  # TINY_STRUCT: straight to its decoder, past unpack's marker tests
                fields[i], pos = unpack_struct(data, pos, m, level + 1)
        return entry[1](fields, at), pos

    def unpack(data: bytes, pos: int, level: int = 0) -> tuple[Any, int]:
        v: Any
        k: Any
        d: dict[str, Any]
        k1: Any
        d1: dict[str, Any]
        m = data[pos]
        pos += 1
        if m <= 0x7F:  # TINY_INT
            v = m
            return v, pos
        elif m <= 0x8F:  # TINY_STRING
            n = m - 0x80
            end = pos + n
            try:
                v = data[pos:end].decode()
            except UnicodeDecodeError as exc:
                raise _bad_utf8(exc, pos) from None
            pos = end
            return v, pos
        elif m <= 0x9F:  # TINY_LIST
            if level > deep:
                raise IndexError  # maybe too deep: the checked decoder counts exactly
            n = m - 0x90
            lst = _NONE * n
            for i in _RANGES[n]:
                m = data[pos]
                pos += 1
                if m <= 0x7F:  # TINY_INT
                    lst[i] = m
                elif m <= 0x8F:  # TINY_STRING
                    n = m - 0x80
                    end = pos + n
                    try:
                        lst[i] = data[pos:end].decode()
                    except UnicodeDecodeError as exc:
                        raise _bad_utf8(exc, pos) from None
                    pos = end
                elif m >= 0xC0:
                    if m < 0xCA:
                        if m < 0xC3:
                            if m < 0xC1:
                                # NULL
                                lst[i] = None
                            else:
                                if m == 0xC1:  # FLOAT_64
                                    lst[i], = _f64(data, pos)
                                    pos += 8
                                else:  # FALSE
                                    lst[i] = False
                        else:
                            if m < 0xC9:
                                if m == 0xC3:  # TRUE
                                    lst[i] = True
                                elif m == 0xC8:  # INT_8
                                    n = data[pos]
                                    lst[i] = n - 0x100 if n > 0x7F else n
                                    pos += 1
                                else:
                                    lst[i], pos = unpack(data, pos - 1, level + 1)
                            else:
                                # INT_16
                                lst[i], = _i16(data, pos)
                                pos += 2
                    else:
                        if m < 0xD0:
                            if m < 0xCB:
                                # INT_32
                                lst[i], = _i32(data, pos)
                                pos += 4
                            else:
                                if m < 0xCC:
                                    # INT_64
                                    lst[i], = _i64(data, pos)
                                    pos += 8
                                else:
                                    if m < 0xCD:
                                        # BYTES_8
                                        n = data[pos]
                                        pos += 1
                                        end = pos + n
                                        lst[i] = data[pos:end]
                                        pos = end
                                    else:
                                        if m == 0xCD:  # BYTES_16
                                            n = _u16(data, pos)[0]
                                            pos += 2
                                            end = pos + n
                                            lst[i] = data[pos:end]
                                            pos = end
                                        elif m == 0xCE:  # BYTES_32
                                            n = _u32(data, pos)[0]
                                            pos += 4
                                            end = pos + n
                                            lst[i] = data[pos:end]
                                            pos = end
                                        else:
                                            lst[i], pos = unpack(data, pos - 1, level + 1)
                        else:
                            if m < 0xD1:
                                # STRING_8
                                n = data[pos]
                                pos += 1
                                end = pos + n
                                try:
                                    lst[i] = data[pos:end].decode()
                                except UnicodeDecodeError as exc:
                                    raise _bad_utf8(exc, pos) from None
                                pos = end
                            else:
                                if m < 0xF0:
                                    if m < 0xD2:
                                        # STRING_16
                                        n = _u16(data, pos)[0]
                                        pos += 2
                                        end = pos + n
                                        try:
                                            lst[i] = data[pos:end].decode()
                                        except UnicodeDecodeError as exc:
                                            raise _bad_utf8(exc, pos) from None
                                        pos = end
                                    else:
                                        if m == 0xD2:  # STRING_32
                                            n = _u32(data, pos)[0]
                                            pos += 4
                                            end = pos + n
                                            try:
                                                lst[i] = data[pos:end].decode()
                                            except UnicodeDecodeError as exc:
                                                raise _bad_utf8(exc, pos) from None
                                            pos = end
                                        elif m == 0xE0:  # UUID
                                            if not allow_UUID:
                                                raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                    "it exists in Bolt 6.1+", pos - 1)
                                            if pos + 16 > len(data):
                                                raise _overrun("UUID", 16, pos, data)
                                            lst[i] = _from_UUID(data[pos:pos + 16])
                                            pos += 16
                                        else:
                                            lst[i], pos = unpack(data, pos - 1, level + 1)
                                else:
                                    # TINY_INT_NEGATIVE
                                    lst[i] = m - 0x100
                elif m <= 0x9F:  # TINY_LIST: here, saving a call and a tuple
                    n = m - 0x90
                    lst1 = _NONE * n
                    for i1 in _RANGES[n]:
                        m = data[pos]
                        pos += 1
                        if m <= 0x7F:  # TINY_INT
                            lst1[i1] = m
                        elif m <= 0x8F:  # TINY_STRING
                            n = m - 0x80
                            end = pos + n
                            try:
                                lst1[i1] = data[pos:end].decode()
                            except UnicodeDecodeError as exc:
                                raise _bad_utf8(exc, pos) from None
                            pos = end
                        elif m >= 0xC0:
                            if m < 0xCA:
                                if m < 0xC3:
                                    if m < 0xC1:
                                        # NULL
                                        lst1[i1] = None
                                    else:
                                        if m == 0xC1:  # FLOAT_64
                                            lst1[i1], = _f64(data, pos)
                                            pos += 8
                                        else:  # FALSE
                                            lst1[i1] = False
                                else:
                                    if m < 0xC9:
                                        if m == 0xC3:  # TRUE
                                            lst1[i1] = True
                                        elif m == 0xC8:  # INT_8
                                            n = data[pos]
                                            lst1[i1] = n - 0x100 if n > 0x7F else n
                                            pos += 1
                                        else:
                                            lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                    else:
                                        # INT_16
                                        lst1[i1], = _i16(data, pos)
                                        pos += 2
                            else:
                                if m < 0xD0:
                                    if m < 0xCB:
                                        # INT_32
                                        lst1[i1], = _i32(data, pos)
                                        pos += 4
                                    else:
                                        if m < 0xCC:
                                            # INT_64
                                            lst1[i1], = _i64(data, pos)
                                            pos += 8
                                        else:
                                            if m < 0xCD:
                                                # BYTES_8
                                                n = data[pos]
                                                pos += 1
                                                end = pos + n
                                                lst1[i1] = data[pos:end]
                                                pos = end
                                            else:
                                                if m == 0xCD:  # BYTES_16
                                                    n = _u16(data, pos)[0]
                                                    pos += 2
                                                    end = pos + n
                                                    lst1[i1] = data[pos:end]
                                                    pos = end
                                                elif m == 0xCE:  # BYTES_32
                                                    n = _u32(data, pos)[0]
                                                    pos += 4
                                                    end = pos + n
                                                    lst1[i1] = data[pos:end]
                                                    pos = end
                                                else:
                                                    lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                else:
                                    if m < 0xD1:
                                        # STRING_8
                                        n = data[pos]
                                        pos += 1
                                        end = pos + n
                                        try:
                                            lst1[i1] = data[pos:end].decode()
                                        except UnicodeDecodeError as exc:
                                            raise _bad_utf8(exc, pos) from None
                                        pos = end
                                    else:
                                        if m < 0xF0:
                                            if m < 0xD2:
                                                # STRING_16
                                                n = _u16(data, pos)[0]
                                                pos += 2
                                                end = pos + n
                                                try:
                                                    lst1[i1] = data[pos:end].decode()
                                                except UnicodeDecodeError as exc:
                                                    raise _bad_utf8(exc, pos) from None
                                                pos = end
                                            else:
                                                if m == 0xD2:  # STRING_32
                                                    n = _u32(data, pos)[0]
                                                    pos += 4
                                                    end = pos + n
                                                    try:
                                                        lst1[i1] = data[pos:end].decode()
                                                    except UnicodeDecodeError as exc:
                                                        raise _bad_utf8(exc, pos) from None
                                                    pos = end
                                                elif m == 0xE0:  # UUID
                                                    if not allow_UUID:
                                                        raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                            "it exists in Bolt 6.1+", pos - 1)
                                                    if pos + 16 > len(data):
                                                        raise _overrun("UUID", 16, pos, data)
                                                    lst1[i1] = _from_UUID(data[pos:pos + 16])
                                                    pos += 16
                                                else:
                                                    lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                        else:
                                            # TINY_INT_NEGATIVE
                                            lst1[i1] = m - 0x100
                        else:  # tiny containers and structures
                            lst1[i1], pos = unpack(data, pos - 1, level + 2)
                    lst[i] = lst1
                elif m <= 0xAF:  # TINY_MAP: likewise
                    n = m - 0xA0
                    d1 = {}
                    for _ in _RANGES[n]:
                        k1 = data[pos] ^ 0x80
                        pos += 1
                        if k1 < 16:  # TINY_STRING
                            pass
                        elif k1 == 0x50:  # STRING_8
                            k1 = data[pos]
                            pos += 1
                        elif k1 == 0x51:  # STRING_16
                            k1 = _u16(data, pos)[0]
                            pos += 2
                        elif k1 == 0x52:  # STRING_32
                            k1 = _u32(data, pos)[0]
                            pos += 4
                        else:
                            raise _bad_key(k1 ^ 0x80, pos - 1)
                        end = pos + k1
                        try:
                            k1 = data[pos:end].decode()
                        except UnicodeDecodeError as exc:
                            raise _bad_utf8(exc, pos) from None
                        pos = end
                        m = data[pos]
                        pos += 1
                        if m <= 0x7F:  # TINY_INT
                            d1[k1] = m
                        elif m <= 0x8F:  # TINY_STRING
                            n = m - 0x80
                            end = pos + n
                            try:
                                d1[k1] = data[pos:end].decode()
                            except UnicodeDecodeError as exc:
                                raise _bad_utf8(exc, pos) from None
                            pos = end
                        elif m >= 0xC0:
                            if m < 0xCA:
                                if m < 0xC3:
                                    if m < 0xC1:
                                        # NULL
                                        d1[k1] = None
                                    else:
                                        if m == 0xC1:  # FLOAT_64
                                            d1[k1], = _f64(data, pos)
                                            pos += 8
                                        else:  # FALSE
                                            d1[k1] = False
                                else:
                                    if m < 0xC9:
                                        if m == 0xC3:  # TRUE
                                            d1[k1] = True
                                        elif m == 0xC8:  # INT_8
                                            n = data[pos]
                                            d1[k1] = n - 0x100 if n > 0x7F else n
                                            pos += 1
                                        else:
                                            d1[k1], pos = unpack(data, pos - 1, level + 2)
                                    else:
                                        # INT_16
                                        d1[k1], = _i16(data, pos)
                                        pos += 2
                            else:
                                if m < 0xD0:
                                    if m < 0xCB:
                                        # INT_32
                                        d1[k1], = _i32(data, pos)
                                        pos += 4
                                    else:
                                        if m < 0xCC:
                                            # INT_64
                                            d1[k1], = _i64(data, pos)
                                            pos += 8
                                        else:
                                            if m < 0xCD:
                                                # BYTES_8
                                                n = data[pos]
                                                pos += 1
                                                end = pos + n
                                                d1[k1] = data[pos:end]
                                                pos = end
                                            else:
                                                if m == 0xCD:  # BYTES_16
                                                    n = _u16(data, pos)[0]
                                                    pos += 2
                                                    end = pos + n
                                                    d1[k1] = data[pos:end]
                                                    pos = end
                                                elif m == 0xCE:  # BYTES_32
                                                    n = _u32(data, pos)[0]
                                                    pos += 4
                                                    end = pos + n
                                                    d1[k1] = data[pos:end]
                                                    pos = end
                                                else:
                                                    d1[k1], pos = unpack(data, pos - 1, level + 2)
                                else:
                                    if m < 0xD1:
                                        # STRING_8
                                        n = data[pos]
                                        pos += 1
                                        end = pos + n
                                        try:
                                            d1[k1] = data[pos:end].decode()
                                        except UnicodeDecodeError as exc:
                                            raise _bad_utf8(exc, pos) from None
                                        pos = end
                                    else:
                                        if m < 0xF0:
                                            if m < 0xD2:
                                                # STRING_16
                                                n = _u16(data, pos)[0]
                                                pos += 2
                                                end = pos + n
                                                try:
                                                    d1[k1] = data[pos:end].decode()
                                                except UnicodeDecodeError as exc:
                                                    raise _bad_utf8(exc, pos) from None
                                                pos = end
                                            else:
                                                if m == 0xD2:  # STRING_32
                                                    n = _u32(data, pos)[0]
                                                    pos += 4
                                                    end = pos + n
                                                    try:
                                                        d1[k1] = data[pos:end].decode()
                                                    except UnicodeDecodeError as exc:
                                                        raise _bad_utf8(exc, pos) from None
                                                    pos = end
                                                elif m == 0xE0:  # UUID
                                                    if not allow_UUID:
                                                        raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                            "it exists in Bolt 6.1+", pos - 1)
                                                    if pos + 16 > len(data):
                                                        raise _overrun("UUID", 16, pos, data)
                                                    d1[k1] = _from_UUID(data[pos:pos + 16])
                                                    pos += 16
                                                else:
                                                    d1[k1], pos = unpack(data, pos - 1, level + 2)
                                        else:
                                            # TINY_INT_NEGATIVE
                                            d1[k1] = m - 0x100
                        else:  # tiny containers and structures
                            d1[k1], pos = unpack(data, pos - 1, level + 2)
                    lst[i] = d1
                else:  # TINY_STRUCT: straight to its decoder, past unpack's marker tests
                    lst[i], pos = unpack_struct(data, pos, m, level + 1)
            return lst, pos
        elif m <= 0xAF:  # TINY_MAP
            if level > deep:
                raise IndexError  # maybe too deep: the checked decoder counts exactly
            n = m - 0xA0
            d = {}
            for _ in _RANGES[n]:
                k = data[pos] ^ 0x80
                pos += 1
                if k < 16:  # TINY_STRING
                    pass
                elif k == 0x50:  # STRING_8
                    k = data[pos]
                    pos += 1
                elif k == 0x51:  # STRING_16
                    k = _u16(data, pos)[0]
                    pos += 2
                elif k == 0x52:  # STRING_32
                    k = _u32(data, pos)[0]
                    pos += 4
                else:
                    raise _bad_key(k ^ 0x80, pos - 1)
                end = pos + k
                try:
                    k = data[pos:end].decode()
                except UnicodeDecodeError as exc:
                    raise _bad_utf8(exc, pos) from None
                pos = end
                m = data[pos]
                pos += 1
                if m <= 0x7F:  # TINY_INT
                    d[k] = m
                elif m <= 0x8F:  # TINY_STRING
                    n = m - 0x80
                    end = pos + n
                    try:
                        d[k] = data[pos:end].decode()
                    except UnicodeDecodeError as exc:
                        raise _bad_utf8(exc, pos) from None
                    pos = end
                elif m >= 0xC0:
                    if m < 0xCA:
                        if m < 0xC3:
                            if m < 0xC1:
                                # NULL
                                d[k] = None
                            else:
                                if m == 0xC1:  # FLOAT_64
                                    d[k], = _f64(data, pos)
                                    pos += 8
                                else:  # FALSE
                                    d[k] = False
                        else:
                            if m < 0xC9:
                                if m == 0xC3:  # TRUE
                                    d[k] = True
                                elif m == 0xC8:  # INT_8
                                    n = data[pos]
                                    d[k] = n - 0x100 if n > 0x7F else n
                                    pos += 1
                                else:
                                    d[k], pos = unpack(data, pos - 1, level + 1)
                            else:
                                # INT_16
                                d[k], = _i16(data, pos)
                                pos += 2
                    else:
                        if m < 0xD0:
                            if m < 0xCB:
                                # INT_32
                                d[k], = _i32(data, pos)
                                pos += 4
                            else:
                                if m < 0xCC:
                                    # INT_64
                                    d[k], = _i64(data, pos)
                                    pos += 8
                                else:
                                    if m < 0xCD:
                                        # BYTES_8
                                        n = data[pos]
                                        pos += 1
                                        end = pos + n
                                        d[k] = data[pos:end]
                                        pos = end
                                    else:
                                        if m == 0xCD:  # BYTES_16
                                            n = _u16(data, pos)[0]
                                            pos += 2
                                            end = pos + n
                                            d[k] = data[pos:end]
                                            pos = end
                                        elif m == 0xCE:  # BYTES_32
                                            n = _u32(data, pos)[0]
                                            pos += 4
                                            end = pos + n
                                            d[k] = data[pos:end]
                                            pos = end
                                        else:
                                            d[k], pos = unpack(data, pos - 1, level + 1)
                        else:
                            if m < 0xD1:
                                # STRING_8
                                n = data[pos]
                                pos += 1
                                end = pos + n
                                try:
                                    d[k] = data[pos:end].decode()
                                except UnicodeDecodeError as exc:
                                    raise _bad_utf8(exc, pos) from None
                                pos = end
                            else:
                                if m < 0xF0:
                                    if m < 0xD2:
                                        # STRING_16
                                        n = _u16(data, pos)[0]
                                        pos += 2
                                        end = pos + n
                                        try:
                                            d[k] = data[pos:end].decode()
                                        except UnicodeDecodeError as exc:
                                            raise _bad_utf8(exc, pos) from None
                                        pos = end
                                    else:
                                        if m == 0xD2:  # STRING_32
                                            n = _u32(data, pos)[0]
                                            pos += 4
                                            end = pos + n
                                            try:
                                                d[k] = data[pos:end].decode()
                                            except UnicodeDecodeError as exc:
                                                raise _bad_utf8(exc, pos) from None
                                            pos = end
                                        elif m == 0xE0:  # UUID
                                            if not allow_UUID:
                                                raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                    "it exists in Bolt 6.1+", pos - 1)
                                            if pos + 16 > len(data):
                                                raise _overrun("UUID", 16, pos, data)
                                            d[k] = _from_UUID(data[pos:pos + 16])
                                            pos += 16
                                        else:
                                            d[k], pos = unpack(data, pos - 1, level + 1)
                                else:
                                    # TINY_INT_NEGATIVE
                                    d[k] = m - 0x100
                elif m <= 0x9F:  # TINY_LIST: here, saving a call and a tuple
                    n = m - 0x90
                    lst1 = _NONE * n
                    for i1 in _RANGES[n]:
                        m = data[pos]
                        pos += 1
                        if m <= 0x7F:  # TINY_INT
                            lst1[i1] = m
                        elif m <= 0x8F:  # TINY_STRING
                            n = m - 0x80
                            end = pos + n
                            try:
                                lst1[i1] = data[pos:end].decode()
                            except UnicodeDecodeError as exc:
                                raise _bad_utf8(exc, pos) from None
                            pos = end
                        elif m >= 0xC0:
                            if m < 0xCA:
                                if m < 0xC3:
                                    if m < 0xC1:
                                        # NULL
                                        lst1[i1] = None
                                    else:
                                        if m == 0xC1:  # FLOAT_64
                                            lst1[i1], = _f64(data, pos)
                                            pos += 8
                                        else:  # FALSE
                                            lst1[i1] = False
                                else:
                                    if m < 0xC9:
                                        if m == 0xC3:  # TRUE
                                            lst1[i1] = True
                                        elif m == 0xC8:  # INT_8
                                            n = data[pos]
                                            lst1[i1] = n - 0x100 if n > 0x7F else n
                                            pos += 1
                                        else:
                                            lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                    else:
                                        # INT_16
                                        lst1[i1], = _i16(data, pos)
                                        pos += 2
                            else:
                                if m < 0xD0:
                                    if m < 0xCB:
                                        # INT_32
                                        lst1[i1], = _i32(data, pos)
                                        pos += 4
                                    else:
                                        if m < 0xCC:
                                            # INT_64
                                            lst1[i1], = _i64(data, pos)
                                            pos += 8
                                        else:
                                            if m < 0xCD:
                                                # BYTES_8
                                                n = data[pos]
                                                pos += 1
                                                end = pos + n
                                                lst1[i1] = data[pos:end]
                                                pos = end
                                            else:
                                                if m == 0xCD:  # BYTES_16
                                                    n = _u16(data, pos)[0]
                                                    pos += 2
                                                    end = pos + n
                                                    lst1[i1] = data[pos:end]
                                                    pos = end
                                                elif m == 0xCE:  # BYTES_32
                                                    n = _u32(data, pos)[0]
                                                    pos += 4
                                                    end = pos + n
                                                    lst1[i1] = data[pos:end]
                                                    pos = end
                                                else:
                                                    lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                else:
                                    if m < 0xD1:
                                        # STRING_8
                                        n = data[pos]
                                        pos += 1
                                        end = pos + n
                                        try:
                                            lst1[i1] = data[pos:end].decode()
                                        except UnicodeDecodeError as exc:
                                            raise _bad_utf8(exc, pos) from None
                                        pos = end
                                    else:
                                        if m < 0xF0:
                                            if m < 0xD2:
                                                # STRING_16
                                                n = _u16(data, pos)[0]
                                                pos += 2
                                                end = pos + n
                                                try:
                                                    lst1[i1] = data[pos:end].decode()
                                                except UnicodeDecodeError as exc:
                                                    raise _bad_utf8(exc, pos) from None
                                                pos = end
                                            else:
                                                if m == 0xD2:  # STRING_32
                                                    n = _u32(data, pos)[0]
                                                    pos += 4
                                                    end = pos + n
                                                    try:
                                                        lst1[i1] = data[pos:end].decode()
                                                    except UnicodeDecodeError as exc:
                                                        raise _bad_utf8(exc, pos) from None
                                                    pos = end
                                                elif m == 0xE0:  # UUID
                                                    if not allow_UUID:
                                                        raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                            "it exists in Bolt 6.1+", pos - 1)
                                                    if pos + 16 > len(data):
                                                        raise _overrun("UUID", 16, pos, data)
                                                    lst1[i1] = _from_UUID(data[pos:pos + 16])
                                                    pos += 16
                                                else:
                                                    lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                        else:
                                            # TINY_INT_NEGATIVE
                                            lst1[i1] = m - 0x100
                        else:  # tiny containers and structures
                            lst1[i1], pos = unpack(data, pos - 1, level + 2)
                    d[k] = lst1
                elif m <= 0xAF:  # TINY_MAP: likewise
                    n = m - 0xA0
                    d1 = {}
                    for _ in _RANGES[n]:
                        k1 = data[pos] ^ 0x80
                        pos += 1
                        if k1 < 16:  # TINY_STRING
                            pass
                        elif k1 == 0x50:  # STRING_8
                            k1 = data[pos]
                            pos += 1
                        elif k1 == 0x51:  # STRING_16
                            k1 = _u16(data, pos)[0]
                            pos += 2
                        elif k1 == 0x52:  # STRING_32
                            k1 = _u32(data, pos)[0]
                            pos += 4
                        else:
                            raise _bad_key(k1 ^ 0x80, pos - 1)
                        end = pos + k1
                        try:
                            k1 = data[pos:end].decode()
                        except UnicodeDecodeError as exc:
                            raise _bad_utf8(exc, pos) from None
                        pos = end
                        m = data[pos]
                        pos += 1
                        if m <= 0x7F:  # TINY_INT
                            d1[k1] = m
                        elif m <= 0x8F:  # TINY_STRING
                            n = m - 0x80
                            end = pos + n
                            try:
                                d1[k1] = data[pos:end].decode()
                            except UnicodeDecodeError as exc:
                                raise _bad_utf8(exc, pos) from None
                            pos = end
                        elif m >= 0xC0:
                            if m < 0xCA:
                                if m < 0xC3:
                                    if m < 0xC1:
                                        # NULL
                                        d1[k1] = None
                                    else:
                                        if m == 0xC1:  # FLOAT_64
                                            d1[k1], = _f64(data, pos)
                                            pos += 8
                                        else:  # FALSE
                                            d1[k1] = False
                                else:
                                    if m < 0xC9:
                                        if m == 0xC3:  # TRUE
                                            d1[k1] = True
                                        elif m == 0xC8:  # INT_8
                                            n = data[pos]
                                            d1[k1] = n - 0x100 if n > 0x7F else n
                                            pos += 1
                                        else:
                                            d1[k1], pos = unpack(data, pos - 1, level + 2)
                                    else:
                                        # INT_16
                                        d1[k1], = _i16(data, pos)
                                        pos += 2
                            else:
                                if m < 0xD0:
                                    if m < 0xCB:
                                        # INT_32
                                        d1[k1], = _i32(data, pos)
                                        pos += 4
                                    else:
                                        if m < 0xCC:
                                            # INT_64
                                            d1[k1], = _i64(data, pos)
                                            pos += 8
                                        else:
                                            if m < 0xCD:
                                                # BYTES_8
                                                n = data[pos]
                                                pos += 1
                                                end = pos + n
                                                d1[k1] = data[pos:end]
                                                pos = end
                                            else:
                                                if m == 0xCD:  # BYTES_16
                                                    n = _u16(data, pos)[0]
                                                    pos += 2
                                                    end = pos + n
                                                    d1[k1] = data[pos:end]
                                                    pos = end
                                                elif m == 0xCE:  # BYTES_32
                                                    n = _u32(data, pos)[0]
                                                    pos += 4
                                                    end = pos + n
                                                    d1[k1] = data[pos:end]
                                                    pos = end
                                                else:
                                                    d1[k1], pos = unpack(data, pos - 1, level + 2)
                                else:
                                    if m < 0xD1:
                                        # STRING_8
                                        n = data[pos]
                                        pos += 1
                                        end = pos + n
                                        try:
                                            d1[k1] = data[pos:end].decode()
                                        except UnicodeDecodeError as exc:
                                            raise _bad_utf8(exc, pos) from None
                                        pos = end
                                    else:
                                        if m < 0xF0:
                                            if m < 0xD2:
                                                # STRING_16
                                                n = _u16(data, pos)[0]
                                                pos += 2
                                                end = pos + n
                                                try:
                                                    d1[k1] = data[pos:end].decode()
                                                except UnicodeDecodeError as exc:
                                                    raise _bad_utf8(exc, pos) from None
                                                pos = end
                                            else:
                                                if m == 0xD2:  # STRING_32
                                                    n = _u32(data, pos)[0]
                                                    pos += 4
                                                    end = pos + n
                                                    try:
                                                        d1[k1] = data[pos:end].decode()
                                                    except UnicodeDecodeError as exc:
                                                        raise _bad_utf8(exc, pos) from None
                                                    pos = end
                                                elif m == 0xE0:  # UUID
                                                    if not allow_UUID:
                                                        raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                            "it exists in Bolt 6.1+", pos - 1)
                                                    if pos + 16 > len(data):
                                                        raise _overrun("UUID", 16, pos, data)
                                                    d1[k1] = _from_UUID(data[pos:pos + 16])
                                                    pos += 16
                                                else:
                                                    d1[k1], pos = unpack(data, pos - 1, level + 2)
                                        else:
                                            # TINY_INT_NEGATIVE
                                            d1[k1] = m - 0x100
                        else:  # tiny containers and structures
                            d1[k1], pos = unpack(data, pos - 1, level + 2)
                    d[k] = d1
                else:  # TINY_STRUCT: straight to its decoder, past unpack's marker tests
                    d[k], pos = unpack_struct(data, pos, m, level + 1)
            return d, pos
        elif m <= 0xBF:  # TINY_STRUCT
            if level > deep:
                raise IndexError  # maybe too deep: the checked decoder counts exactly
            n = m - 0xB0
            tag = data[pos]
            entry = structs.get(tag)
            if entry is None:
                return _other_struct(unpack, data, pos, n, tag, profile, level)
            if n != entry[0]:
                raise ProtocolError(f"{entry[2]} structure must have {entry[0]} fields, found {n}", pos - 1)
            at = pos - 1
            pos += 1
            fields = _NONE * n
            for i in _RANGES[n]:
                m = data[pos]
                pos += 1
                if m <= 0x7F:  # TINY_INT
                    fields[i] = m
                elif m <= 0x8F:  # TINY_STRING
                    n = m - 0x80
                    end = pos + n
                    try:
                        fields[i] = data[pos:end].decode()
                    except UnicodeDecodeError as exc:
                        raise _bad_utf8(exc, pos) from None
                    pos = end
                elif m >= 0xC0:
                    if m < 0xCA:
                        if m < 0xC3:
                            if m < 0xC1:
                                # NULL
                                fields[i] = None
                            else:
                                if m == 0xC1:  # FLOAT_64
                                    fields[i], = _f64(data, pos)
                                    pos += 8
                                else:  # FALSE
                                    fields[i] = False
                        else:
                            if m < 0xC9:
                                if m == 0xC3:  # TRUE
                                    fields[i] = True
                                elif m == 0xC8:  # INT_8
                                    n = data[pos]
                                    fields[i] = n - 0x100 if n > 0x7F else n
                                    pos += 1
                                else:
                                    fields[i], pos = unpack(data, pos - 1, level + 1)
                            else:
                                # INT_16
                                fields[i], = _i16(data, pos)
                                pos += 2
                    else:
                        if m < 0xD0:
                            if m < 0xCB:
                                # INT_32
                                fields[i], = _i32(data, pos)
                                pos += 4
                            else:
                                if m < 0xCC:
                                    # INT_64
                                    fields[i], = _i64(data, pos)
                                    pos += 8
                                else:
                                    if m < 0xCD:
                                        # BYTES_8
                                        n = data[pos]
                                        pos += 1
                                        end = pos + n
                                        fields[i] = data[pos:end]
                                        pos = end
                                    else:
                                        if m == 0xCD:  # BYTES_16
                                            n = _u16(data, pos)[0]
                                            pos += 2
                                            end = pos + n
                                            fields[i] = data[pos:end]
                                            pos = end
                                        elif m == 0xCE:  # BYTES_32
                                            n = _u32(data, pos)[0]
                                            pos += 4
                                            end = pos + n
                                            fields[i] = data[pos:end]
                                            pos = end
                                        else:
                                            fields[i], pos = unpack(data, pos - 1, level + 1)
                        else:
                            if m < 0xD1:
                                # STRING_8
                                n = data[pos]
                                pos += 1
                                end = pos + n
                                try:
                                    fields[i] = data[pos:end].decode()
                                except UnicodeDecodeError as exc:
                                    raise _bad_utf8(exc, pos) from None
                                pos = end
                            else:
                                if m < 0xF0:
                                    if m < 0xD2:
                                        # STRING_16
                                        n = _u16(data, pos)[0]
                                        pos += 2
                                        end = pos + n
                                        try:
                                            fields[i] = data[pos:end].decode()
                                        except UnicodeDecodeError as exc:
                                            raise _bad_utf8(exc, pos) from None
                                        pos = end
                                    else:
                                        if m == 0xD2:  # STRING_32
                                            n = _u32(data, pos)[0]
                                            pos += 4
                                            end = pos + n
                                            try:
                                                fields[i] = data[pos:end].decode()
                                            except UnicodeDecodeError as exc:
                                                raise _bad_utf8(exc, pos) from None
                                            pos = end
                                        elif m == 0xE0:  # UUID
                                            if not allow_UUID:
                                                raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                    "it exists in Bolt 6.1+", pos - 1)
                                            if pos + 16 > len(data):
                                                raise _overrun("UUID", 16, pos, data)
                                            fields[i] = _from_UUID(data[pos:pos + 16])
                                            pos += 16
                                        else:
                                            fields[i], pos = unpack(data, pos - 1, level + 1)
                                else:
                                    # TINY_INT_NEGATIVE
                                    fields[i] = m - 0x100
                elif m <= 0x9F:  # TINY_LIST: here, saving a call and a tuple
                    n = m - 0x90
                    lst1 = _NONE * n
                    for i1 in _RANGES[n]:
                        m = data[pos]
                        pos += 1
                        if m <= 0x7F:  # TINY_INT
                            lst1[i1] = m
                        elif m <= 0x8F:  # TINY_STRING
                            n = m - 0x80
                            end = pos + n
                            try:
                                lst1[i1] = data[pos:end].decode()
                            except UnicodeDecodeError as exc:
                                raise _bad_utf8(exc, pos) from None
                            pos = end
                        elif m >= 0xC0:
                            if m < 0xCA:
                                if m < 0xC3:
                                    if m < 0xC1:
                                        # NULL
                                        lst1[i1] = None
                                    else:
                                        if m == 0xC1:  # FLOAT_64
                                            lst1[i1], = _f64(data, pos)
                                            pos += 8
                                        else:  # FALSE
                                            lst1[i1] = False
                                else:
                                    if m < 0xC9:
                                        if m == 0xC3:  # TRUE
                                            lst1[i1] = True
                                        elif m == 0xC8:  # INT_8
                                            n = data[pos]
                                            lst1[i1] = n - 0x100 if n > 0x7F else n
                                            pos += 1
                                        else:
                                            lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                    else:
                                        # INT_16
                                        lst1[i1], = _i16(data, pos)
                                        pos += 2
                            else:
                                if m < 0xD0:
                                    if m < 0xCB:
                                        # INT_32
                                        lst1[i1], = _i32(data, pos)
                                        pos += 4
                                    else:
                                        if m < 0xCC:
                                            # INT_64
                                            lst1[i1], = _i64(data, pos)
                                            pos += 8
                                        else:
                                            if m < 0xCD:
                                                # BYTES_8
                                                n = data[pos]
                                                pos += 1
                                                end = pos + n
                                                lst1[i1] = data[pos:end]
                                                pos = end
                                            else:
                                                if m == 0xCD:  # BYTES_16
                                                    n = _u16(data, pos)[0]
                                                    pos += 2
                                                    end = pos + n
                                                    lst1[i1] = data[pos:end]
                                                    pos = end
                                                elif m == 0xCE:  # BYTES_32
                                                    n = _u32(data, pos)[0]
                                                    pos += 4
                                                    end = pos + n
                                                    lst1[i1] = data[pos:end]
                                                    pos = end
                                                else:
                                                    lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                else:
                                    if m < 0xD1:
                                        # STRING_8
                                        n = data[pos]
                                        pos += 1
                                        end = pos + n
                                        try:
                                            lst1[i1] = data[pos:end].decode()
                                        except UnicodeDecodeError as exc:
                                            raise _bad_utf8(exc, pos) from None
                                        pos = end
                                    else:
                                        if m < 0xF0:
                                            if m < 0xD2:
                                                # STRING_16
                                                n = _u16(data, pos)[0]
                                                pos += 2
                                                end = pos + n
                                                try:
                                                    lst1[i1] = data[pos:end].decode()
                                                except UnicodeDecodeError as exc:
                                                    raise _bad_utf8(exc, pos) from None
                                                pos = end
                                            else:
                                                if m == 0xD2:  # STRING_32
                                                    n = _u32(data, pos)[0]
                                                    pos += 4
                                                    end = pos + n
                                                    try:
                                                        lst1[i1] = data[pos:end].decode()
                                                    except UnicodeDecodeError as exc:
                                                        raise _bad_utf8(exc, pos) from None
                                                    pos = end
                                                elif m == 0xE0:  # UUID
                                                    if not allow_UUID:
                                                        raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                            "it exists in Bolt 6.1+", pos - 1)
                                                    if pos + 16 > len(data):
                                                        raise _overrun("UUID", 16, pos, data)
                                                    lst1[i1] = _from_UUID(data[pos:pos + 16])
                                                    pos += 16
                                                else:
                                                    lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                        else:
                                            # TINY_INT_NEGATIVE
                                            lst1[i1] = m - 0x100
                        else:  # tiny containers and structures
                            lst1[i1], pos = unpack(data, pos - 1, level + 2)
                    fields[i] = lst1
                elif m <= 0xAF:  # TINY_MAP: likewise
                    n = m - 0xA0
                    d1 = {}
                    for _ in _RANGES[n]:
                        k1 = data[pos] ^ 0x80
                        pos += 1
                        if k1 < 16:  # TINY_STRING
                            pass
                        elif k1 == 0x50:  # STRING_8
                            k1 = data[pos]
                            pos += 1
                        elif k1 == 0x51:  # STRING_16
                            k1 = _u16(data, pos)[0]
                            pos += 2
                        elif k1 == 0x52:  # STRING_32
                            k1 = _u32(data, pos)[0]
                            pos += 4
                        else:
                            raise _bad_key(k1 ^ 0x80, pos - 1)
                        end = pos + k1
                        try:
                            k1 = data[pos:end].decode()
                        except UnicodeDecodeError as exc:
                            raise _bad_utf8(exc, pos) from None
                        pos = end
                        m = data[pos]
                        pos += 1
                        if m <= 0x7F:  # TINY_INT
                            d1[k1] = m
                        elif m <= 0x8F:  # TINY_STRING
                            n = m - 0x80
                            end = pos + n
                            try:
                                d1[k1] = data[pos:end].decode()
                            except UnicodeDecodeError as exc:
                                raise _bad_utf8(exc, pos) from None
                            pos = end
                        elif m >= 0xC0:
                            if m < 0xCA:
                                if m < 0xC3:
                                    if m < 0xC1:
                                        # NULL
                                        d1[k1] = None
                                    else:
                                        if m == 0xC1:  # FLOAT_64
                                            d1[k1], = _f64(data, pos)
                                            pos += 8
                                        else:  # FALSE
                                            d1[k1] = False
                                else:
                                    if m < 0xC9:
                                        if m == 0xC3:  # TRUE
                                            d1[k1] = True
                                        elif m == 0xC8:  # INT_8
                                            n = data[pos]
                                            d1[k1] = n - 0x100 if n > 0x7F else n
                                            pos += 1
                                        else:
                                            d1[k1], pos = unpack(data, pos - 1, level + 2)
                                    else:
                                        # INT_16
                                        d1[k1], = _i16(data, pos)
                                        pos += 2
                            else:
                                if m < 0xD0:
                                    if m < 0xCB:
                                        # INT_32
                                        d1[k1], = _i32(data, pos)
                                        pos += 4
                                    else:
                                        if m < 0xCC:
                                            # INT_64
                                            d1[k1], = _i64(data, pos)
                                            pos += 8
                                        else:
                                            if m < 0xCD:
                                                # BYTES_8
                                                n = data[pos]
                                                pos += 1
                                                end = pos + n
                                                d1[k1] = data[pos:end]
                                                pos = end
                                            else:
                                                if m == 0xCD:  # BYTES_16
                                                    n = _u16(data, pos)[0]
                                                    pos += 2
                                                    end = pos + n
                                                    d1[k1] = data[pos:end]
                                                    pos = end
                                                elif m == 0xCE:  # BYTES_32
                                                    n = _u32(data, pos)[0]
                                                    pos += 4
                                                    end = pos + n
                                                    d1[k1] = data[pos:end]
                                                    pos = end
                                                else:
                                                    d1[k1], pos = unpack(data, pos - 1, level + 2)
                                else:
                                    if m < 0xD1:
                                        # STRING_8
                                        n = data[pos]
                                        pos += 1
                                        end = pos + n
                                        try:
                                            d1[k1] = data[pos:end].decode()
                                        except UnicodeDecodeError as exc:
                                            raise _bad_utf8(exc, pos) from None
                                        pos = end
                                    else:
                                        if m < 0xF0:
                                            if m < 0xD2:
                                                # STRING_16
                                                n = _u16(data, pos)[0]
                                                pos += 2
                                                end = pos + n
                                                try:
                                                    d1[k1] = data[pos:end].decode()
                                                except UnicodeDecodeError as exc:
                                                    raise _bad_utf8(exc, pos) from None
                                                pos = end
                                            else:
                                                if m == 0xD2:  # STRING_32
                                                    n = _u32(data, pos)[0]
                                                    pos += 4
                                                    end = pos + n
                                                    try:
                                                        d1[k1] = data[pos:end].decode()
                                                    except UnicodeDecodeError as exc:
                                                        raise _bad_utf8(exc, pos) from None
                                                    pos = end
                                                elif m == 0xE0:  # UUID
                                                    if not allow_UUID:
                                                        raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                            "it exists in Bolt 6.1+", pos - 1)
                                                    if pos + 16 > len(data):
                                                        raise _overrun("UUID", 16, pos, data)
                                                    d1[k1] = _from_UUID(data[pos:pos + 16])
                                                    pos += 16
                                                else:
                                                    d1[k1], pos = unpack(data, pos - 1, level + 2)
                                        else:
                                            # TINY_INT_NEGATIVE
                                            d1[k1] = m - 0x100
                        else:  # tiny containers and structures
                            d1[k1], pos = unpack(data, pos - 1, level + 2)
                    fields[i] = d1
                else:  # TINY_STRUCT: straight to its decoder, past unpack's marker tests
                    fields[i], pos = unpack_struct(data, pos, m, level + 1)
            return entry[1](fields, at), pos
        else:
            if m < 0xCA:
                if m < 0xC3:
                    if m < 0xC1:
                        # NULL
                        v = None

                        return v, pos
                    else:
                        if m == 0xC1:  # FLOAT_64
                            v, = _f64(data, pos)
                            pos += 8

                            return v, pos
                        else:  # FALSE
                            v = False

                            return v, pos
                else:
                    if m < 0xC9:
                        if m == 0xC3:  # TRUE
                            v = True

                            return v, pos
                        elif m == 0xC8:  # INT_8
                            n = data[pos]
                            v = n - 0x100 if n > 0x7F else n
                            pos += 1

                            return v, pos
                    else:
                        # INT_16
                        v, = _i16(data, pos)
                        pos += 2

                        return v, pos
            else:
                if m < 0xD0:
                    if m < 0xCB:
                        # INT_32
                        v, = _i32(data, pos)
                        pos += 4

                        return v, pos
                    else:
                        if m < 0xCC:
                            # INT_64
                            v, = _i64(data, pos)
                            pos += 8

                            return v, pos
                        else:
                            if m < 0xCD:
                                # BYTES_8
                                n = data[pos]
                                pos += 1
                                end = pos + n
                                v = data[pos:end]
                                pos = end

                                return v, pos
                            else:
                                if m == 0xCD:  # BYTES_16
                                    n = _u16(data, pos)[0]
                                    pos += 2
                                    end = pos + n
                                    v = data[pos:end]
                                    pos = end

                                    return v, pos
                                elif m == 0xCE:  # BYTES_32
                                    n = _u32(data, pos)[0]
                                    pos += 4
                                    end = pos + n
                                    v = data[pos:end]
                                    pos = end

                                    return v, pos
                else:
                    if m < 0xD1:
                        # STRING_8
                        n = data[pos]
                        pos += 1
                        end = pos + n
                        try:
                            v = data[pos:end].decode()
                        except UnicodeDecodeError as exc:
                            raise _bad_utf8(exc, pos) from None
                        pos = end

                        return v, pos
                    else:
                        if m < 0xE0:
                            if m < 0xD5:
                                if m < 0xD2:
                                    # STRING_16
                                    n = _u16(data, pos)[0]
                                    pos += 2
                                    end = pos + n
                                    try:
                                        v = data[pos:end].decode()
                                    except UnicodeDecodeError as exc:
                                        raise _bad_utf8(exc, pos) from None
                                    pos = end

                                    return v, pos
                                else:
                                    if m == 0xD4:  # LIST_8
                                        if level > deep:
                                            raise IndexError  # maybe too deep: the checked decoder counts exactly
                                        n = data[pos]
                                        pos += 1
                                        lst = _NONE * n
                                        for i in range(n):
                                            m = data[pos]
                                            pos += 1
                                            if m <= 0x7F:  # TINY_INT
                                                lst[i] = m
                                            elif m <= 0x8F:  # TINY_STRING
                                                n = m - 0x80
                                                end = pos + n
                                                try:
                                                    lst[i] = data[pos:end].decode()
                                                except UnicodeDecodeError as exc:
                                                    raise _bad_utf8(exc, pos) from None
                                                pos = end
                                            elif m >= 0xC0:
                                                if m < 0xCA:
                                                    if m < 0xC3:
                                                        if m < 0xC1:
                                                            # NULL
                                                            lst[i] = None
                                                        else:
                                                            if m == 0xC1:  # FLOAT_64
                                                                lst[i], = _f64(data, pos)
                                                                pos += 8
                                                            else:  # FALSE
                                                                lst[i] = False
                                                    else:
                                                        if m < 0xC9:
                                                            if m == 0xC3:  # TRUE
                                                                lst[i] = True
                                                            elif m == 0xC8:  # INT_8
                                                                n = data[pos]
                                                                lst[i] = n - 0x100 if n > 0x7F else n
                                                                pos += 1
                                                            else:
                                                                lst[i], pos = unpack(data, pos - 1, level + 1)
                                                        else:
                                                            # INT_16
                                                            lst[i], = _i16(data, pos)
                                                            pos += 2
                                                else:
                                                    if m < 0xD0:
                                                        if m < 0xCB:
                                                            # INT_32
                                                            lst[i], = _i32(data, pos)
                                                            pos += 4
                                                        else:
                                                            if m < 0xCC:
                                                                # INT_64
                                                                lst[i], = _i64(data, pos)
                                                                pos += 8
                                                            else:
                                                                if m < 0xCD:
                                                                    # BYTES_8
                                                                    n = data[pos]
                                                                    pos += 1
                                                                    end = pos + n
                                                                    lst[i] = data[pos:end]
                                                                    pos = end
                                                                else:
                                                                    if m == 0xCD:  # BYTES_16
                                                                        n = _u16(data, pos)[0]
                                                                        pos += 2
                                                                        end = pos + n
                                                                        lst[i] = data[pos:end]
                                                                        pos = end
                                                                    elif m == 0xCE:  # BYTES_32
                                                                        n = _u32(data, pos)[0]
                                                                        pos += 4
                                                                        end = pos + n
                                                                        lst[i] = data[pos:end]
                                                                        pos = end
                                                                    else:
                                                                        lst[i], pos = unpack(data, pos - 1, level + 1)
                                                    else:
                                                        if m < 0xD1:
                                                            # STRING_8
                                                            n = data[pos]
                                                            pos += 1
                                                            end = pos + n
                                                            try:
                                                                lst[i] = data[pos:end].decode()
                                                            except UnicodeDecodeError as exc:
                                                                raise _bad_utf8(exc, pos) from None
                                                            pos = end
                                                        else:
                                                            if m < 0xF0:
                                                                if m < 0xD2:
                                                                    # STRING_16
                                                                    n = _u16(data, pos)[0]
                                                                    pos += 2
                                                                    end = pos + n
                                                                    try:
                                                                        lst[i] = data[pos:end].decode()
                                                                    except UnicodeDecodeError as exc:
                                                                        raise _bad_utf8(exc, pos) from None
                                                                    pos = end
                                                                else:
                                                                    if m == 0xD2:  # STRING_32
                                                                        n = _u32(data, pos)[0]
                                                                        pos += 4
                                                                        end = pos + n
                                                                        try:
                                                                            lst[i] = data[pos:end].decode()
                                                                        except UnicodeDecodeError as exc:
                                                                            raise _bad_utf8(exc, pos) from None
                                                                        pos = end
                                                                    elif m == 0xE0:  # UUID
                                                                        if not allow_UUID:
                                                                            raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                "it exists in Bolt 6.1+", pos - 1)
                                                                        if pos + 16 > len(data):
                                                                            raise _overrun("UUID", 16, pos, data)
                                                                        lst[i] = _from_UUID(data[pos:pos + 16])
                                                                        pos += 16
                                                                    else:
                                                                        lst[i], pos = unpack(data, pos - 1, level + 1)
                                                            else:
                                                                # TINY_INT_NEGATIVE
                                                                lst[i] = m - 0x100
                                            elif m <= 0x9F:  # TINY_LIST: here, saving a call and a tuple
                                                n = m - 0x90
                                                lst1 = _NONE * n
                                                for i1 in _RANGES[n]:
                                                    m = data[pos]
                                                    pos += 1
                                                    if m <= 0x7F:  # TINY_INT
                                                        lst1[i1] = m
                                                    elif m <= 0x8F:  # TINY_STRING
                                                        n = m - 0x80
                                                        end = pos + n
                                                        try:
                                                            lst1[i1] = data[pos:end].decode()
                                                        except UnicodeDecodeError as exc:
                                                            raise _bad_utf8(exc, pos) from None
                                                        pos = end
                                                    elif m >= 0xC0:
                                                        if m < 0xCA:
                                                            if m < 0xC3:
                                                                if m < 0xC1:
                                                                    # NULL
                                                                    lst1[i1] = None
                                                                else:
                                                                    if m == 0xC1:  # FLOAT_64
                                                                        lst1[i1], = _f64(data, pos)
                                                                        pos += 8
                                                                    else:  # FALSE
                                                                        lst1[i1] = False
                                                            else:
                                                                if m < 0xC9:
                                                                    if m == 0xC3:  # TRUE
                                                                        lst1[i1] = True
                                                                    elif m == 0xC8:  # INT_8
                                                                        n = data[pos]
                                                                        lst1[i1] = n - 0x100 if n > 0x7F else n
                                                                        pos += 1
                                                                    else:
                                                                        lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                                                else:
                                                                    # INT_16
                                                                    lst1[i1], = _i16(data, pos)
                                                                    pos += 2
                                                        else:
                                                            if m < 0xD0:
                                                                if m < 0xCB:
                                                                    # INT_32
                                                                    lst1[i1], = _i32(data, pos)
                                                                    pos += 4
                                                                else:
                                                                    if m < 0xCC:
                                                                        # INT_64
                                                                        lst1[i1], = _i64(data, pos)
                                                                        pos += 8
                                                                    else:
                                                                        if m < 0xCD:
                                                                            # BYTES_8
                                                                            n = data[pos]
                                                                            pos += 1
                                                                            end = pos + n
                                                                            lst1[i1] = data[pos:end]
                                                                            pos = end
                                                                        else:
                                                                            if m == 0xCD:  # BYTES_16
                                                                                n = _u16(data, pos)[0]
                                                                                pos += 2
                                                                                end = pos + n
                                                                                lst1[i1] = data[pos:end]
                                                                                pos = end
                                                                            elif m == 0xCE:  # BYTES_32
                                                                                n = _u32(data, pos)[0]
                                                                                pos += 4
                                                                                end = pos + n
                                                                                lst1[i1] = data[pos:end]
                                                                                pos = end
                                                                            else:
                                                                                lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                                            else:
                                                                if m < 0xD1:
                                                                    # STRING_8
                                                                    n = data[pos]
                                                                    pos += 1
                                                                    end = pos + n
                                                                    try:
                                                                        lst1[i1] = data[pos:end].decode()
                                                                    except UnicodeDecodeError as exc:
                                                                        raise _bad_utf8(exc, pos) from None
                                                                    pos = end
                                                                else:
                                                                    if m < 0xF0:
                                                                        if m < 0xD2:
                                                                            # STRING_16
                                                                            n = _u16(data, pos)[0]
                                                                            pos += 2
                                                                            end = pos + n
                                                                            try:
                                                                                lst1[i1] = data[pos:end].decode()
                                                                            except UnicodeDecodeError as exc:
                                                                                raise _bad_utf8(exc, pos) from None
                                                                            pos = end
                                                                        else:
                                                                            if m == 0xD2:  # STRING_32
                                                                                n = _u32(data, pos)[0]
                                                                                pos += 4
                                                                                end = pos + n
                                                                                try:
                                                                                    lst1[i1] = data[pos:end].decode()
                                                                                except UnicodeDecodeError as exc:
                                                                                    raise _bad_utf8(exc, pos) from None
                                                                                pos = end
                                                                            elif m == 0xE0:  # UUID
                                                                                if not allow_UUID:
                                                                                    raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                        "it exists in Bolt 6.1+", pos - 1)
                                                                                if pos + 16 > len(data):
                                                                                    raise _overrun("UUID", 16, pos, data)
                                                                                lst1[i1] = _from_UUID(data[pos:pos + 16])
                                                                                pos += 16
                                                                            else:
                                                                                lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                                                    else:
                                                                        # TINY_INT_NEGATIVE
                                                                        lst1[i1] = m - 0x100
                                                    else:  # tiny containers and structures
                                                        lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                                lst[i] = lst1
                                            elif m <= 0xAF:  # TINY_MAP: likewise
                                                n = m - 0xA0
                                                d1 = {}
                                                for _ in _RANGES[n]:
                                                    k1 = data[pos] ^ 0x80
                                                    pos += 1
                                                    if k1 < 16:  # TINY_STRING
                                                        pass
                                                    elif k1 == 0x50:  # STRING_8
                                                        k1 = data[pos]
                                                        pos += 1
                                                    elif k1 == 0x51:  # STRING_16
                                                        k1 = _u16(data, pos)[0]
                                                        pos += 2
                                                    elif k1 == 0x52:  # STRING_32
                                                        k1 = _u32(data, pos)[0]
                                                        pos += 4
                                                    else:
                                                        raise _bad_key(k1 ^ 0x80, pos - 1)
                                                    end = pos + k1
                                                    try:
                                                        k1 = data[pos:end].decode()
                                                    except UnicodeDecodeError as exc:
                                                        raise _bad_utf8(exc, pos) from None
                                                    pos = end
                                                    m = data[pos]
                                                    pos += 1
                                                    if m <= 0x7F:  # TINY_INT
                                                        d1[k1] = m
                                                    elif m <= 0x8F:  # TINY_STRING
                                                        n = m - 0x80
                                                        end = pos + n
                                                        try:
                                                            d1[k1] = data[pos:end].decode()
                                                        except UnicodeDecodeError as exc:
                                                            raise _bad_utf8(exc, pos) from None
                                                        pos = end
                                                    elif m >= 0xC0:
                                                        if m < 0xCA:
                                                            if m < 0xC3:
                                                                if m < 0xC1:
                                                                    # NULL
                                                                    d1[k1] = None
                                                                else:
                                                                    if m == 0xC1:  # FLOAT_64
                                                                        d1[k1], = _f64(data, pos)
                                                                        pos += 8
                                                                    else:  # FALSE
                                                                        d1[k1] = False
                                                            else:
                                                                if m < 0xC9:
                                                                    if m == 0xC3:  # TRUE
                                                                        d1[k1] = True
                                                                    elif m == 0xC8:  # INT_8
                                                                        n = data[pos]
                                                                        d1[k1] = n - 0x100 if n > 0x7F else n
                                                                        pos += 1
                                                                    else:
                                                                        d1[k1], pos = unpack(data, pos - 1, level + 2)
                                                                else:
                                                                    # INT_16
                                                                    d1[k1], = _i16(data, pos)
                                                                    pos += 2
                                                        else:
                                                            if m < 0xD0:
                                                                if m < 0xCB:
                                                                    # INT_32
                                                                    d1[k1], = _i32(data, pos)
                                                                    pos += 4
                                                                else:
                                                                    if m < 0xCC:
                                                                        # INT_64
                                                                        d1[k1], = _i64(data, pos)
                                                                        pos += 8
                                                                    else:
                                                                        if m < 0xCD:
                                                                            # BYTES_8
                                                                            n = data[pos]
                                                                            pos += 1
                                                                            end = pos + n
                                                                            d1[k1] = data[pos:end]
                                                                            pos = end
                                                                        else:
                                                                            if m == 0xCD:  # BYTES_16
                                                                                n = _u16(data, pos)[0]
                                                                                pos += 2
                                                                                end = pos + n
                                                                                d1[k1] = data[pos:end]
                                                                                pos = end
                                                                            elif m == 0xCE:  # BYTES_32
                                                                                n = _u32(data, pos)[0]
                                                                                pos += 4
                                                                                end = pos + n
                                                                                d1[k1] = data[pos:end]
                                                                                pos = end
                                                                            else:
                                                                                d1[k1], pos = unpack(data, pos - 1, level + 2)
                                                            else:
                                                                if m < 0xD1:
                                                                    # STRING_8
                                                                    n = data[pos]
                                                                    pos += 1
                                                                    end = pos + n
                                                                    try:
                                                                        d1[k1] = data[pos:end].decode()
                                                                    except UnicodeDecodeError as exc:
                                                                        raise _bad_utf8(exc, pos) from None
                                                                    pos = end
                                                                else:
                                                                    if m < 0xF0:
                                                                        if m < 0xD2:
                                                                            # STRING_16
                                                                            n = _u16(data, pos)[0]
                                                                            pos += 2
                                                                            end = pos + n
                                                                            try:
                                                                                d1[k1] = data[pos:end].decode()
                                                                            except UnicodeDecodeError as exc:
                                                                                raise _bad_utf8(exc, pos) from None
                                                                            pos = end
                                                                        else:
                                                                            if m == 0xD2:  # STRING_32
                                                                                n = _u32(data, pos)[0]
                                                                                pos += 4
                                                                                end = pos + n
                                                                                try:
                                                                                    d1[k1] = data[pos:end].decode()
                                                                                except UnicodeDecodeError as exc:
                                                                                    raise _bad_utf8(exc, pos) from None
                                                                                pos = end
                                                                            elif m == 0xE0:  # UUID
                                                                                if not allow_UUID:
                                                                                    raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                        "it exists in Bolt 6.1+", pos - 1)
                                                                                if pos + 16 > len(data):
                                                                                    raise _overrun("UUID", 16, pos, data)
                                                                                d1[k1] = _from_UUID(data[pos:pos + 16])
                                                                                pos += 16
                                                                            else:
                                                                                d1[k1], pos = unpack(data, pos - 1, level + 2)
                                                                    else:
                                                                        # TINY_INT_NEGATIVE
                                                                        d1[k1] = m - 0x100
                                                    else:  # tiny containers and structures
                                                        d1[k1], pos = unpack(data, pos - 1, level + 2)
                                                lst[i] = d1
                                            else:  # TINY_STRUCT: straight to its decoder, past unpack's marker tests
                                                lst[i], pos = unpack_struct(data, pos, m, level + 1)
                                        return lst, pos
                                    elif m == 0xD2:  # STRING_32
                                        n = _u32(data, pos)[0]
                                        pos += 4
                                        end = pos + n
                                        try:
                                            v = data[pos:end].decode()
                                        except UnicodeDecodeError as exc:
                                            raise _bad_utf8(exc, pos) from None
                                        pos = end

                                        return v, pos
                            else:
                                if m < 0xD8:
                                    if m == 0xD5:  # LIST_16
                                        if level > deep:
                                            raise IndexError  # maybe too deep: the checked decoder counts exactly
                                        n = _u16(data, pos)[0]
                                        pos += 2
                                        if n > len(data) - pos:
                                            raise IndexError  # each item takes a byte at least; the checked decoder says where
                                        lst = _NONE * n
                                        for i in range(n):
                                            m = data[pos]
                                            pos += 1
                                            if m <= 0x7F:  # TINY_INT
                                                lst[i] = m
                                            elif m <= 0x8F:  # TINY_STRING
                                                n = m - 0x80
                                                end = pos + n
                                                try:
                                                    lst[i] = data[pos:end].decode()
                                                except UnicodeDecodeError as exc:
                                                    raise _bad_utf8(exc, pos) from None
                                                pos = end
                                            elif m >= 0xC0:
                                                if m < 0xCA:
                                                    if m < 0xC3:
                                                        if m < 0xC1:
                                                            # NULL
                                                            lst[i] = None
                                                        else:
                                                            if m == 0xC1:  # FLOAT_64
                                                                lst[i], = _f64(data, pos)
                                                                pos += 8
                                                            else:  # FALSE
                                                                lst[i] = False
                                                    else:
                                                        if m < 0xC9:
                                                            if m == 0xC3:  # TRUE
                                                                lst[i] = True
                                                            elif m == 0xC8:  # INT_8
                                                                n = data[pos]
                                                                lst[i] = n - 0x100 if n > 0x7F else n
                                                                pos += 1
                                                            else:
                                                                lst[i], pos = unpack(data, pos - 1, level + 1)
                                                        else:
                                                            # INT_16
                                                            lst[i], = _i16(data, pos)
                                                            pos += 2
                                                else:
                                                    if m < 0xD0:
                                                        if m < 0xCB:
                                                            # INT_32
                                                            lst[i], = _i32(data, pos)
                                                            pos += 4
                                                        else:
                                                            if m < 0xCC:
                                                                # INT_64
                                                                lst[i], = _i64(data, pos)
                                                                pos += 8
                                                            else:
                                                                if m < 0xCD:
                                                                    # BYTES_8
                                                                    n = data[pos]
                                                                    pos += 1
                                                                    end = pos + n
                                                                    lst[i] = data[pos:end]
                                                                    pos = end
                                                                else:
                                                                    if m == 0xCD:  # BYTES_16
                                                                        n = _u16(data, pos)[0]
                                                                        pos += 2
                                                                        end = pos + n
                                                                        lst[i] = data[pos:end]
                                                                        pos = end
                                                                    elif m == 0xCE:  # BYTES_32
                                                                        n = _u32(data, pos)[0]
                                                                        pos += 4
                                                                        end = pos + n
                                                                        lst[i] = data[pos:end]
                                                                        pos = end
                                                                    else:
                                                                        lst[i], pos = unpack(data, pos - 1, level + 1)
                                                    else:
                                                        if m < 0xD1:
                                                            # STRING_8
                                                            n = data[pos]
                                                            pos += 1
                                                            end = pos + n
                                                            try:
                                                                lst[i] = data[pos:end].decode()
                                                            except UnicodeDecodeError as exc:
                                                                raise _bad_utf8(exc, pos) from None
                                                            pos = end
                                                        else:
                                                            if m < 0xF0:
                                                                if m < 0xD2:
                                                                    # STRING_16
                                                                    n = _u16(data, pos)[0]
                                                                    pos += 2
                                                                    end = pos + n
                                                                    try:
                                                                        lst[i] = data[pos:end].decode()
                                                                    except UnicodeDecodeError as exc:
                                                                        raise _bad_utf8(exc, pos) from None
                                                                    pos = end
                                                                else:
                                                                    if m == 0xD2:  # STRING_32
                                                                        n = _u32(data, pos)[0]
                                                                        pos += 4
                                                                        end = pos + n
                                                                        try:
                                                                            lst[i] = data[pos:end].decode()
                                                                        except UnicodeDecodeError as exc:
                                                                            raise _bad_utf8(exc, pos) from None
                                                                        pos = end
                                                                    elif m == 0xE0:  # UUID
                                                                        if not allow_UUID:
                                                                            raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                "it exists in Bolt 6.1+", pos - 1)
                                                                        if pos + 16 > len(data):
                                                                            raise _overrun("UUID", 16, pos, data)
                                                                        lst[i] = _from_UUID(data[pos:pos + 16])
                                                                        pos += 16
                                                                    else:
                                                                        lst[i], pos = unpack(data, pos - 1, level + 1)
                                                            else:
                                                                # TINY_INT_NEGATIVE
                                                                lst[i] = m - 0x100
                                            elif m <= 0x9F:  # TINY_LIST: here, saving a call and a tuple
                                                n = m - 0x90
                                                lst1 = _NONE * n
                                                for i1 in _RANGES[n]:
                                                    m = data[pos]
                                                    pos += 1
                                                    if m <= 0x7F:  # TINY_INT
                                                        lst1[i1] = m
                                                    elif m <= 0x8F:  # TINY_STRING
                                                        n = m - 0x80
                                                        end = pos + n
                                                        try:
                                                            lst1[i1] = data[pos:end].decode()
                                                        except UnicodeDecodeError as exc:
                                                            raise _bad_utf8(exc, pos) from None
                                                        pos = end
                                                    elif m >= 0xC0:
                                                        if m < 0xCA:
                                                            if m < 0xC3:
                                                                if m < 0xC1:
                                                                    # NULL
                                                                    lst1[i1] = None
                                                                else:
                                                                    if m == 0xC1:  # FLOAT_64
                                                                        lst1[i1], = _f64(data, pos)
                                                                        pos += 8
                                                                    else:  # FALSE
                                                                        lst1[i1] = False
                                                            else:
                                                                if m < 0xC9:
                                                                    if m == 0xC3:  # TRUE
                                                                        lst1[i1] = True
                                                                    elif m == 0xC8:  # INT_8
                                                                        n = data[pos]
                                                                        lst1[i1] = n - 0x100 if n > 0x7F else n
                                                                        pos += 1
                                                                    else:
                                                                        lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                                                else:
                                                                    # INT_16
                                                                    lst1[i1], = _i16(data, pos)
                                                                    pos += 2
                                                        else:
                                                            if m < 0xD0:
                                                                if m < 0xCB:
                                                                    # INT_32
                                                                    lst1[i1], = _i32(data, pos)
                                                                    pos += 4
                                                                else:
                                                                    if m < 0xCC:
                                                                        # INT_64
                                                                        lst1[i1], = _i64(data, pos)
                                                                        pos += 8
                                                                    else:
                                                                        if m < 0xCD:
                                                                            # BYTES_8
                                                                            n = data[pos]
                                                                            pos += 1
                                                                            end = pos + n
                                                                            lst1[i1] = data[pos:end]
                                                                            pos = end
                                                                        else:
                                                                            if m == 0xCD:  # BYTES_16
                                                                                n = _u16(data, pos)[0]
                                                                                pos += 2
                                                                                end = pos + n
                                                                                lst1[i1] = data[pos:end]
                                                                                pos = end
                                                                            elif m == 0xCE:  # BYTES_32
                                                                                n = _u32(data, pos)[0]
                                                                                pos += 4
                                                                                end = pos + n
                                                                                lst1[i1] = data[pos:end]
                                                                                pos = end
                                                                            else:
                                                                                lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                                            else:
                                                                if m < 0xD1:
                                                                    # STRING_8
                                                                    n = data[pos]
                                                                    pos += 1
                                                                    end = pos + n
                                                                    try:
                                                                        lst1[i1] = data[pos:end].decode()
                                                                    except UnicodeDecodeError as exc:
                                                                        raise _bad_utf8(exc, pos) from None
                                                                    pos = end
                                                                else:
                                                                    if m < 0xF0:
                                                                        if m < 0xD2:
                                                                            # STRING_16
                                                                            n = _u16(data, pos)[0]
                                                                            pos += 2
                                                                            end = pos + n
                                                                            try:
                                                                                lst1[i1] = data[pos:end].decode()
                                                                            except UnicodeDecodeError as exc:
                                                                                raise _bad_utf8(exc, pos) from None
                                                                            pos = end
                                                                        else:
                                                                            if m == 0xD2:  # STRING_32
                                                                                n = _u32(data, pos)[0]
                                                                                pos += 4
                                                                                end = pos + n
                                                                                try:
                                                                                    lst1[i1] = data[pos:end].decode()
                                                                                except UnicodeDecodeError as exc:
                                                                                    raise _bad_utf8(exc, pos) from None
                                                                                pos = end
                                                                            elif m == 0xE0:  # UUID
                                                                                if not allow_UUID:
                                                                                    raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                        "it exists in Bolt 6.1+", pos - 1)
                                                                                if pos + 16 > len(data):
                                                                                    raise _overrun("UUID", 16, pos, data)
                                                                                lst1[i1] = _from_UUID(data[pos:pos + 16])
                                                                                pos += 16
                                                                            else:
                                                                                lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                                                    else:
                                                                        # TINY_INT_NEGATIVE
                                                                        lst1[i1] = m - 0x100
                                                    else:  # tiny containers and structures
                                                        lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                                lst[i] = lst1
                                            elif m <= 0xAF:  # TINY_MAP: likewise
                                                n = m - 0xA0
                                                d1 = {}
                                                for _ in _RANGES[n]:
                                                    k1 = data[pos] ^ 0x80
                                                    pos += 1
                                                    if k1 < 16:  # TINY_STRING
                                                        pass
                                                    elif k1 == 0x50:  # STRING_8
                                                        k1 = data[pos]
                                                        pos += 1
                                                    elif k1 == 0x51:  # STRING_16
                                                        k1 = _u16(data, pos)[0]
                                                        pos += 2
                                                    elif k1 == 0x52:  # STRING_32
                                                        k1 = _u32(data, pos)[0]
                                                        pos += 4
                                                    else:
                                                        raise _bad_key(k1 ^ 0x80, pos - 1)
                                                    end = pos + k1
                                                    try:
                                                        k1 = data[pos:end].decode()
                                                    except UnicodeDecodeError as exc:
                                                        raise _bad_utf8(exc, pos) from None
                                                    pos = end
                                                    m = data[pos]
                                                    pos += 1
                                                    if m <= 0x7F:  # TINY_INT
                                                        d1[k1] = m
                                                    elif m <= 0x8F:  # TINY_STRING
                                                        n = m - 0x80
                                                        end = pos + n
                                                        try:
                                                            d1[k1] = data[pos:end].decode()
                                                        except UnicodeDecodeError as exc:
                                                            raise _bad_utf8(exc, pos) from None
                                                        pos = end
                                                    elif m >= 0xC0:
                                                        if m < 0xCA:
                                                            if m < 0xC3:
                                                                if m < 0xC1:
                                                                    # NULL
                                                                    d1[k1] = None
                                                                else:
                                                                    if m == 0xC1:  # FLOAT_64
                                                                        d1[k1], = _f64(data, pos)
                                                                        pos += 8
                                                                    else:  # FALSE
                                                                        d1[k1] = False
                                                            else:
                                                                if m < 0xC9:
                                                                    if m == 0xC3:  # TRUE
                                                                        d1[k1] = True
                                                                    elif m == 0xC8:  # INT_8
                                                                        n = data[pos]
                                                                        d1[k1] = n - 0x100 if n > 0x7F else n
                                                                        pos += 1
                                                                    else:
                                                                        d1[k1], pos = unpack(data, pos - 1, level + 2)
                                                                else:
                                                                    # INT_16
                                                                    d1[k1], = _i16(data, pos)
                                                                    pos += 2
                                                        else:
                                                            if m < 0xD0:
                                                                if m < 0xCB:
                                                                    # INT_32
                                                                    d1[k1], = _i32(data, pos)
                                                                    pos += 4
                                                                else:
                                                                    if m < 0xCC:
                                                                        # INT_64
                                                                        d1[k1], = _i64(data, pos)
                                                                        pos += 8
                                                                    else:
                                                                        if m < 0xCD:
                                                                            # BYTES_8
                                                                            n = data[pos]
                                                                            pos += 1
                                                                            end = pos + n
                                                                            d1[k1] = data[pos:end]
                                                                            pos = end
                                                                        else:
                                                                            if m == 0xCD:  # BYTES_16
                                                                                n = _u16(data, pos)[0]
                                                                                pos += 2
                                                                                end = pos + n
                                                                                d1[k1] = data[pos:end]
                                                                                pos = end
                                                                            elif m == 0xCE:  # BYTES_32
                                                                                n = _u32(data, pos)[0]
                                                                                pos += 4
                                                                                end = pos + n
                                                                                d1[k1] = data[pos:end]
                                                                                pos = end
                                                                            else:
                                                                                d1[k1], pos = unpack(data, pos - 1, level + 2)
                                                            else:
                                                                if m < 0xD1:
                                                                    # STRING_8
                                                                    n = data[pos]
                                                                    pos += 1
                                                                    end = pos + n
                                                                    try:
                                                                        d1[k1] = data[pos:end].decode()
                                                                    except UnicodeDecodeError as exc:
                                                                        raise _bad_utf8(exc, pos) from None
                                                                    pos = end
                                                                else:
                                                                    if m < 0xF0:
                                                                        if m < 0xD2:
                                                                            # STRING_16
                                                                            n = _u16(data, pos)[0]
                                                                            pos += 2
                                                                            end = pos + n
                                                                            try:
                                                                                d1[k1] = data[pos:end].decode()
                                                                            except UnicodeDecodeError as exc:
                                                                                raise _bad_utf8(exc, pos) from None
                                                                            pos = end
                                                                        else:
                                                                            if m == 0xD2:  # STRING_32
                                                                                n = _u32(data, pos)[0]
                                                                                pos += 4
                                                                                end = pos + n
                                                                                try:
                                                                                    d1[k1] = data[pos:end].decode()
                                                                                except UnicodeDecodeError as exc:
                                                                                    raise _bad_utf8(exc, pos) from None
                                                                                pos = end
                                                                            elif m == 0xE0:  # UUID
                                                                                if not allow_UUID:
                                                                                    raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                        "it exists in Bolt 6.1+", pos - 1)
                                                                                if pos + 16 > len(data):
                                                                                    raise _overrun("UUID", 16, pos, data)
                                                                                d1[k1] = _from_UUID(data[pos:pos + 16])
                                                                                pos += 16
                                                                            else:
                                                                                d1[k1], pos = unpack(data, pos - 1, level + 2)
                                                                    else:
                                                                        # TINY_INT_NEGATIVE
                                                                        d1[k1] = m - 0x100
                                                    else:  # tiny containers and structures
                                                        d1[k1], pos = unpack(data, pos - 1, level + 2)
                                                lst[i] = d1
                                            else:  # TINY_STRUCT: straight to its decoder, past unpack's marker tests
                                                lst[i], pos = unpack_struct(data, pos, m, level + 1)
                                        return lst, pos
                                    elif m == 0xD6:  # LIST_32
                                        if level > deep:
                                            raise IndexError  # maybe too deep: the checked decoder counts exactly
                                        n = _u32(data, pos)[0]
                                        pos += 4
                                        if n > len(data) - pos:
                                            raise IndexError  # each item takes a byte at least; the checked decoder says where
                                        lst = _NONE * n
                                        for i in range(n):
                                            m = data[pos]
                                            pos += 1
                                            if m <= 0x7F:  # TINY_INT
                                                lst[i] = m
                                            elif m <= 0x8F:  # TINY_STRING
                                                n = m - 0x80
                                                end = pos + n
                                                try:
                                                    lst[i] = data[pos:end].decode()
                                                except UnicodeDecodeError as exc:
                                                    raise _bad_utf8(exc, pos) from None
                                                pos = end
                                            elif m >= 0xC0:
                                                if m < 0xCA:
                                                    if m < 0xC3:
                                                        if m < 0xC1:
                                                            # NULL
                                                            lst[i] = None
                                                        else:
                                                            if m == 0xC1:  # FLOAT_64
                                                                lst[i], = _f64(data, pos)
                                                                pos += 8
                                                            else:  # FALSE
                                                                lst[i] = False
                                                    else:
                                                        if m < 0xC9:
                                                            if m == 0xC3:  # TRUE
                                                                lst[i] = True
                                                            elif m == 0xC8:  # INT_8
                                                                n = data[pos]
                                                                lst[i] = n - 0x100 if n > 0x7F else n
                                                                pos += 1
                                                            else:
                                                                lst[i], pos = unpack(data, pos - 1, level + 1)
                                                        else:
                                                            # INT_16
                                                            lst[i], = _i16(data, pos)
                                                            pos += 2
                                                else:
                                                    if m < 0xD0:
                                                        if m < 0xCB:
                                                            # INT_32
                                                            lst[i], = _i32(data, pos)
                                                            pos += 4
                                                        else:
                                                            if m < 0xCC:
                                                                # INT_64
                                                                lst[i], = _i64(data, pos)
                                                                pos += 8
                                                            else:
                                                                if m < 0xCD:
                                                                    # BYTES_8
                                                                    n = data[pos]
                                                                    pos += 1
                                                                    end = pos + n
                                                                    lst[i] = data[pos:end]
                                                                    pos = end
                                                                else:
                                                                    if m == 0xCD:  # BYTES_16
                                                                        n = _u16(data, pos)[0]
                                                                        pos += 2
                                                                        end = pos + n
                                                                        lst[i] = data[pos:end]
                                                                        pos = end
                                                                    elif m == 0xCE:  # BYTES_32
                                                                        n = _u32(data, pos)[0]
                                                                        pos += 4
                                                                        end = pos + n
                                                                        lst[i] = data[pos:end]
                                                                        pos = end
                                                                    else:
                                                                        lst[i], pos = unpack(data, pos - 1, level + 1)
                                                    else:
                                                        if m < 0xD1:
                                                            # STRING_8
                                                            n = data[pos]
                                                            pos += 1
                                                            end = pos + n
                                                            try:
                                                                lst[i] = data[pos:end].decode()
                                                            except UnicodeDecodeError as exc:
                                                                raise _bad_utf8(exc, pos) from None
                                                            pos = end
                                                        else:
                                                            if m < 0xF0:
                                                                if m < 0xD2:
                                                                    # STRING_16
                                                                    n = _u16(data, pos)[0]
                                                                    pos += 2
                                                                    end = pos + n
                                                                    try:
                                                                        lst[i] = data[pos:end].decode()
                                                                    except UnicodeDecodeError as exc:
                                                                        raise _bad_utf8(exc, pos) from None
                                                                    pos = end
                                                                else:
                                                                    if m == 0xD2:  # STRING_32
                                                                        n = _u32(data, pos)[0]
                                                                        pos += 4
                                                                        end = pos + n
                                                                        try:
                                                                            lst[i] = data[pos:end].decode()
                                                                        except UnicodeDecodeError as exc:
                                                                            raise _bad_utf8(exc, pos) from None
                                                                        pos = end
                                                                    elif m == 0xE0:  # UUID
                                                                        if not allow_UUID:
                                                                            raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                "it exists in Bolt 6.1+", pos - 1)
                                                                        if pos + 16 > len(data):
                                                                            raise _overrun("UUID", 16, pos, data)
                                                                        lst[i] = _from_UUID(data[pos:pos + 16])
                                                                        pos += 16
                                                                    else:
                                                                        lst[i], pos = unpack(data, pos - 1, level + 1)
                                                            else:
                                                                # TINY_INT_NEGATIVE
                                                                lst[i] = m - 0x100
                                            elif m <= 0x9F:  # TINY_LIST: here, saving a call and a tuple
                                                n = m - 0x90
                                                lst1 = _NONE * n
                                                for i1 in _RANGES[n]:
                                                    m = data[pos]
                                                    pos += 1
                                                    if m <= 0x7F:  # TINY_INT
                                                        lst1[i1] = m
                                                    elif m <= 0x8F:  # TINY_STRING
                                                        n = m - 0x80
                                                        end = pos + n
                                                        try:
                                                            lst1[i1] = data[pos:end].decode()
                                                        except UnicodeDecodeError as exc:
                                                            raise _bad_utf8(exc, pos) from None
                                                        pos = end
                                                    elif m >= 0xC0:
                                                        if m < 0xCA:
                                                            if m < 0xC3:
                                                                if m < 0xC1:
                                                                    # NULL
                                                                    lst1[i1] = None
                                                                else:
                                                                    if m == 0xC1:  # FLOAT_64
                                                                        lst1[i1], = _f64(data, pos)
                                                                        pos += 8
                                                                    else:  # FALSE
                                                                        lst1[i1] = False
                                                            else:
                                                                if m < 0xC9:
                                                                    if m == 0xC3:  # TRUE
                                                                        lst1[i1] = True
                                                                    elif m == 0xC8:  # INT_8
                                                                        n = data[pos]
                                                                        lst1[i1] = n - 0x100 if n > 0x7F else n
                                                                        pos += 1
                                                                    else:
                                                                        lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                                                else:
                                                                    # INT_16
                                                                    lst1[i1], = _i16(data, pos)
                                                                    pos += 2
                                                        else:
                                                            if m < 0xD0:
                                                                if m < 0xCB:
                                                                    # INT_32
                                                                    lst1[i1], = _i32(data, pos)
                                                                    pos += 4
                                                                else:
                                                                    if m < 0xCC:
                                                                        # INT_64
                                                                        lst1[i1], = _i64(data, pos)
                                                                        pos += 8
                                                                    else:
                                                                        if m < 0xCD:
                                                                            # BYTES_8
                                                                            n = data[pos]
                                                                            pos += 1
                                                                            end = pos + n
                                                                            lst1[i1] = data[pos:end]
                                                                            pos = end
                                                                        else:
                                                                            if m == 0xCD:  # BYTES_16
                                                                                n = _u16(data, pos)[0]
                                                                                pos += 2
                                                                                end = pos + n
                                                                                lst1[i1] = data[pos:end]
                                                                                pos = end
                                                                            elif m == 0xCE:  # BYTES_32
                                                                                n = _u32(data, pos)[0]
                                                                                pos += 4
                                                                                end = pos + n
                                                                                lst1[i1] = data[pos:end]
                                                                                pos = end
                                                                            else:
                                                                                lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                                            else:
                                                                if m < 0xD1:
                                                                    # STRING_8
                                                                    n = data[pos]
                                                                    pos += 1
                                                                    end = pos + n
                                                                    try:
                                                                        lst1[i1] = data[pos:end].decode()
                                                                    except UnicodeDecodeError as exc:
                                                                        raise _bad_utf8(exc, pos) from None
                                                                    pos = end
                                                                else:
                                                                    if m < 0xF0:
                                                                        if m < 0xD2:
                                                                            # STRING_16
                                                                            n = _u16(data, pos)[0]
                                                                            pos += 2
                                                                            end = pos + n
                                                                            try:
                                                                                lst1[i1] = data[pos:end].decode()
                                                                            except UnicodeDecodeError as exc:
                                                                                raise _bad_utf8(exc, pos) from None
                                                                            pos = end
                                                                        else:
                                                                            if m == 0xD2:  # STRING_32
                                                                                n = _u32(data, pos)[0]
                                                                                pos += 4
                                                                                end = pos + n
                                                                                try:
                                                                                    lst1[i1] = data[pos:end].decode()
                                                                                except UnicodeDecodeError as exc:
                                                                                    raise _bad_utf8(exc, pos) from None
                                                                                pos = end
                                                                            elif m == 0xE0:  # UUID
                                                                                if not allow_UUID:
                                                                                    raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                        "it exists in Bolt 6.1+", pos - 1)
                                                                                if pos + 16 > len(data):
                                                                                    raise _overrun("UUID", 16, pos, data)
                                                                                lst1[i1] = _from_UUID(data[pos:pos + 16])
                                                                                pos += 16
                                                                            else:
                                                                                lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                                                    else:
                                                                        # TINY_INT_NEGATIVE
                                                                        lst1[i1] = m - 0x100
                                                    else:  # tiny containers and structures
                                                        lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                                lst[i] = lst1
                                            elif m <= 0xAF:  # TINY_MAP: likewise
                                                n = m - 0xA0
                                                d1 = {}
                                                for _ in _RANGES[n]:
                                                    k1 = data[pos] ^ 0x80
                                                    pos += 1
                                                    if k1 < 16:  # TINY_STRING
                                                        pass
                                                    elif k1 == 0x50:  # STRING_8
                                                        k1 = data[pos]
                                                        pos += 1
                                                    elif k1 == 0x51:  # STRING_16
                                                        k1 = _u16(data, pos)[0]
                                                        pos += 2
                                                    elif k1 == 0x52:  # STRING_32
                                                        k1 = _u32(data, pos)[0]
                                                        pos += 4
                                                    else:
                                                        raise _bad_key(k1 ^ 0x80, pos - 1)
                                                    end = pos + k1
                                                    try:
                                                        k1 = data[pos:end].decode()
                                                    except UnicodeDecodeError as exc:
                                                        raise _bad_utf8(exc, pos) from None
                                                    pos = end
                                                    m = data[pos]
                                                    pos += 1
                                                    if m <= 0x7F:  # TINY_INT
                                                        d1[k1] = m
                                                    elif m <= 0x8F:  # TINY_STRING
                                                        n = m - 0x80
                                                        end = pos + n
                                                        try:
                                                            d1[k1] = data[pos:end].decode()
                                                        except UnicodeDecodeError as exc:
                                                            raise _bad_utf8(exc, pos) from None
                                                        pos = end
                                                    elif m >= 0xC0:
                                                        if m < 0xCA:
                                                            if m < 0xC3:
                                                                if m < 0xC1:
                                                                    # NULL
                                                                    d1[k1] = None
                                                                else:
                                                                    if m == 0xC1:  # FLOAT_64
                                                                        d1[k1], = _f64(data, pos)
                                                                        pos += 8
                                                                    else:  # FALSE
                                                                        d1[k1] = False
                                                            else:
                                                                if m < 0xC9:
                                                                    if m == 0xC3:  # TRUE
                                                                        d1[k1] = True
                                                                    elif m == 0xC8:  # INT_8
                                                                        n = data[pos]
                                                                        d1[k1] = n - 0x100 if n > 0x7F else n
                                                                        pos += 1
                                                                    else:
                                                                        d1[k1], pos = unpack(data, pos - 1, level + 2)
                                                                else:
                                                                    # INT_16
                                                                    d1[k1], = _i16(data, pos)
                                                                    pos += 2
                                                        else:
                                                            if m < 0xD0:
                                                                if m < 0xCB:
                                                                    # INT_32
                                                                    d1[k1], = _i32(data, pos)
                                                                    pos += 4
                                                                else:
                                                                    if m < 0xCC:
                                                                        # INT_64
                                                                        d1[k1], = _i64(data, pos)
                                                                        pos += 8
                                                                    else:
                                                                        if m < 0xCD:
                                                                            # BYTES_8
                                                                            n = data[pos]
                                                                            pos += 1
                                                                            end = pos + n
                                                                            d1[k1] = data[pos:end]
                                                                            pos = end
                                                                        else:
                                                                            if m == 0xCD:  # BYTES_16
                                                                                n = _u16(data, pos)[0]
                                                                                pos += 2
                                                                                end = pos + n
                                                                                d1[k1] = data[pos:end]
                                                                                pos = end
                                                                            elif m == 0xCE:  # BYTES_32
                                                                                n = _u32(data, pos)[0]
                                                                                pos += 4
                                                                                end = pos + n
                                                                                d1[k1] = data[pos:end]
                                                                                pos = end
                                                                            else:
                                                                                d1[k1], pos = unpack(data, pos - 1, level + 2)
                                                            else:
                                                                if m < 0xD1:
                                                                    # STRING_8
                                                                    n = data[pos]
                                                                    pos += 1
                                                                    end = pos + n
                                                                    try:
                                                                        d1[k1] = data[pos:end].decode()
                                                                    except UnicodeDecodeError as exc:
                                                                        raise _bad_utf8(exc, pos) from None
                                                                    pos = end
                                                                else:
                                                                    if m < 0xF0:
                                                                        if m < 0xD2:
                                                                            # STRING_16
                                                                            n = _u16(data, pos)[0]
                                                                            pos += 2
                                                                            end = pos + n
                                                                            try:
                                                                                d1[k1] = data[pos:end].decode()
                                                                            except UnicodeDecodeError as exc:
                                                                                raise _bad_utf8(exc, pos) from None
                                                                            pos = end
                                                                        else:
                                                                            if m == 0xD2:  # STRING_32
                                                                                n = _u32(data, pos)[0]
                                                                                pos += 4
                                                                                end = pos + n
                                                                                try:
                                                                                    d1[k1] = data[pos:end].decode()
                                                                                except UnicodeDecodeError as exc:
                                                                                    raise _bad_utf8(exc, pos) from None
                                                                                pos = end
                                                                            elif m == 0xE0:  # UUID
                                                                                if not allow_UUID:
                                                                                    raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                        "it exists in Bolt 6.1+", pos - 1)
                                                                                if pos + 16 > len(data):
                                                                                    raise _overrun("UUID", 16, pos, data)
                                                                                d1[k1] = _from_UUID(data[pos:pos + 16])
                                                                                pos += 16
                                                                            else:
                                                                                d1[k1], pos = unpack(data, pos - 1, level + 2)
                                                                    else:
                                                                        # TINY_INT_NEGATIVE
                                                                        d1[k1] = m - 0x100
                                                    else:  # tiny containers and structures
                                                        d1[k1], pos = unpack(data, pos - 1, level + 2)
                                                lst[i] = d1
                                            else:  # TINY_STRUCT: straight to its decoder, past unpack's marker tests
                                                lst[i], pos = unpack_struct(data, pos, m, level + 1)
                                        return lst, pos
                                else:
                                    if m < 0xD9:
                                        # MAP_8
                                        if level > deep:
                                            raise IndexError  # maybe too deep: the checked decoder counts exactly
                                        n = data[pos]
                                        pos += 1
                                        d = {}
                                        for _ in range(n):
                                            k = data[pos] ^ 0x80
                                            pos += 1
                                            if k < 16:  # TINY_STRING
                                                pass
                                            elif k == 0x50:  # STRING_8
                                                k = data[pos]
                                                pos += 1
                                            elif k == 0x51:  # STRING_16
                                                k = _u16(data, pos)[0]
                                                pos += 2
                                            elif k == 0x52:  # STRING_32
                                                k = _u32(data, pos)[0]
                                                pos += 4
                                            else:
                                                raise _bad_key(k ^ 0x80, pos - 1)
                                            end = pos + k
                                            try:
                                                k = data[pos:end].decode()
                                            except UnicodeDecodeError as exc:
                                                raise _bad_utf8(exc, pos) from None
                                            pos = end
                                            m = data[pos]
                                            pos += 1
                                            if m <= 0x7F:  # TINY_INT
                                                d[k] = m
                                            elif m <= 0x8F:  # TINY_STRING
                                                n = m - 0x80
                                                end = pos + n
                                                try:
                                                    d[k] = data[pos:end].decode()
                                                except UnicodeDecodeError as exc:
                                                    raise _bad_utf8(exc, pos) from None
                                                pos = end
                                            elif m >= 0xC0:
                                                if m < 0xCA:
                                                    if m < 0xC3:
                                                        if m < 0xC1:
                                                            # NULL
                                                            d[k] = None
                                                        else:
                                                            if m == 0xC1:  # FLOAT_64
                                                                d[k], = _f64(data, pos)
                                                                pos += 8
                                                            else:  # FALSE
                                                                d[k] = False
                                                    else:
                                                        if m < 0xC9:
                                                            if m == 0xC3:  # TRUE
                                                                d[k] = True
                                                            elif m == 0xC8:  # INT_8
                                                                n = data[pos]
                                                                d[k] = n - 0x100 if n > 0x7F else n
                                                                pos += 1
                                                            else:
                                                                d[k], pos = unpack(data, pos - 1, level + 1)
                                                        else:
                                                            # INT_16
                                                            d[k], = _i16(data, pos)
                                                            pos += 2
                                                else:
                                                    if m < 0xD0:
                                                        if m < 0xCB:
                                                            # INT_32
                                                            d[k], = _i32(data, pos)
                                                            pos += 4
                                                        else:
                                                            if m < 0xCC:
                                                                # INT_64
                                                                d[k], = _i64(data, pos)
                                                                pos += 8
                                                            else:
                                                                if m < 0xCD:
                                                                    # BYTES_8
                                                                    n = data[pos]
                                                                    pos += 1
                                                                    end = pos + n
                                                                    d[k] = data[pos:end]
                                                                    pos = end
                                                                else:
                                                                    if m == 0xCD:  # BYTES_16
                                                                        n = _u16(data, pos)[0]
                                                                        pos += 2
                                                                        end = pos + n
                                                                        d[k] = data[pos:end]
                                                                        pos = end
                                                                    elif m == 0xCE:  # BYTES_32
                                                                        n = _u32(data, pos)[0]
                                                                        pos += 4
                                                                        end = pos + n
                                                                        d[k] = data[pos:end]
                                                                        pos = end
                                                                    else:
                                                                        d[k], pos = unpack(data, pos - 1, level + 1)
                                                    else:
                                                        if m < 0xD1:
                                                            # STRING_8
                                                            n = data[pos]
                                                            pos += 1
                                                            end = pos + n
                                                            try:
                                                                d[k] = data[pos:end].decode()
                                                            except UnicodeDecodeError as exc:
                                                                raise _bad_utf8(exc, pos) from None
                                                            pos = end
                                                        else:
                                                            if m < 0xF0:
                                                                if m < 0xD2:
                                                                    # STRING_16
                                                                    n = _u16(data, pos)[0]
                                                                    pos += 2
                                                                    end = pos + n
                                                                    try:
                                                                        d[k] = data[pos:end].decode()
                                                                    except UnicodeDecodeError as exc:
                                                                        raise _bad_utf8(exc, pos) from None
                                                                    pos = end
                                                                else:
                                                                    if m == 0xD2:  # STRING_32
                                                                        n = _u32(data, pos)[0]
                                                                        pos += 4
                                                                        end = pos + n
                                                                        try:
                                                                            d[k] = data[pos:end].decode()
                                                                        except UnicodeDecodeError as exc:
                                                                            raise _bad_utf8(exc, pos) from None
                                                                        pos = end
                                                                    elif m == 0xE0:  # UUID
                                                                        if not allow_UUID:
                                                                            raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                "it exists in Bolt 6.1+", pos - 1)
                                                                        if pos + 16 > len(data):
                                                                            raise _overrun("UUID", 16, pos, data)
                                                                        d[k] = _from_UUID(data[pos:pos + 16])
                                                                        pos += 16
                                                                    else:
                                                                        d[k], pos = unpack(data, pos - 1, level + 1)
                                                            else:
                                                                # TINY_INT_NEGATIVE
                                                                d[k] = m - 0x100
                                            elif m <= 0x9F:  # TINY_LIST: here, saving a call and a tuple
                                                n = m - 0x90
                                                lst1 = _NONE * n
                                                for i1 in _RANGES[n]:
                                                    m = data[pos]
                                                    pos += 1
                                                    if m <= 0x7F:  # TINY_INT
                                                        lst1[i1] = m
                                                    elif m <= 0x8F:  # TINY_STRING
                                                        n = m - 0x80
                                                        end = pos + n
                                                        try:
                                                            lst1[i1] = data[pos:end].decode()
                                                        except UnicodeDecodeError as exc:
                                                            raise _bad_utf8(exc, pos) from None
                                                        pos = end
                                                    elif m >= 0xC0:
                                                        if m < 0xCA:
                                                            if m < 0xC3:
                                                                if m < 0xC1:
                                                                    # NULL
                                                                    lst1[i1] = None
                                                                else:
                                                                    if m == 0xC1:  # FLOAT_64
                                                                        lst1[i1], = _f64(data, pos)
                                                                        pos += 8
                                                                    else:  # FALSE
                                                                        lst1[i1] = False
                                                            else:
                                                                if m < 0xC9:
                                                                    if m == 0xC3:  # TRUE
                                                                        lst1[i1] = True
                                                                    elif m == 0xC8:  # INT_8
                                                                        n = data[pos]
                                                                        lst1[i1] = n - 0x100 if n > 0x7F else n
                                                                        pos += 1
                                                                    else:
                                                                        lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                                                else:
                                                                    # INT_16
                                                                    lst1[i1], = _i16(data, pos)
                                                                    pos += 2
                                                        else:
                                                            if m < 0xD0:
                                                                if m < 0xCB:
                                                                    # INT_32
                                                                    lst1[i1], = _i32(data, pos)
                                                                    pos += 4
                                                                else:
                                                                    if m < 0xCC:
                                                                        # INT_64
                                                                        lst1[i1], = _i64(data, pos)
                                                                        pos += 8
                                                                    else:
                                                                        if m < 0xCD:
                                                                            # BYTES_8
                                                                            n = data[pos]
                                                                            pos += 1
                                                                            end = pos + n
                                                                            lst1[i1] = data[pos:end]
                                                                            pos = end
                                                                        else:
                                                                            if m == 0xCD:  # BYTES_16
                                                                                n = _u16(data, pos)[0]
                                                                                pos += 2
                                                                                end = pos + n
                                                                                lst1[i1] = data[pos:end]
                                                                                pos = end
                                                                            elif m == 0xCE:  # BYTES_32
                                                                                n = _u32(data, pos)[0]
                                                                                pos += 4
                                                                                end = pos + n
                                                                                lst1[i1] = data[pos:end]
                                                                                pos = end
                                                                            else:
                                                                                lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                                            else:
                                                                if m < 0xD1:
                                                                    # STRING_8
                                                                    n = data[pos]
                                                                    pos += 1
                                                                    end = pos + n
                                                                    try:
                                                                        lst1[i1] = data[pos:end].decode()
                                                                    except UnicodeDecodeError as exc:
                                                                        raise _bad_utf8(exc, pos) from None
                                                                    pos = end
                                                                else:
                                                                    if m < 0xF0:
                                                                        if m < 0xD2:
                                                                            # STRING_16
                                                                            n = _u16(data, pos)[0]
                                                                            pos += 2
                                                                            end = pos + n
                                                                            try:
                                                                                lst1[i1] = data[pos:end].decode()
                                                                            except UnicodeDecodeError as exc:
                                                                                raise _bad_utf8(exc, pos) from None
                                                                            pos = end
                                                                        else:
                                                                            if m == 0xD2:  # STRING_32
                                                                                n = _u32(data, pos)[0]
                                                                                pos += 4
                                                                                end = pos + n
                                                                                try:
                                                                                    lst1[i1] = data[pos:end].decode()
                                                                                except UnicodeDecodeError as exc:
                                                                                    raise _bad_utf8(exc, pos) from None
                                                                                pos = end
                                                                            elif m == 0xE0:  # UUID
                                                                                if not allow_UUID:
                                                                                    raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                        "it exists in Bolt 6.1+", pos - 1)
                                                                                if pos + 16 > len(data):
                                                                                    raise _overrun("UUID", 16, pos, data)
                                                                                lst1[i1] = _from_UUID(data[pos:pos + 16])
                                                                                pos += 16
                                                                            else:
                                                                                lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                                                    else:
                                                                        # TINY_INT_NEGATIVE
                                                                        lst1[i1] = m - 0x100
                                                    else:  # tiny containers and structures
                                                        lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                                d[k] = lst1
                                            elif m <= 0xAF:  # TINY_MAP: likewise
                                                n = m - 0xA0
                                                d1 = {}
                                                for _ in _RANGES[n]:
                                                    k1 = data[pos] ^ 0x80
                                                    pos += 1
                                                    if k1 < 16:  # TINY_STRING
                                                        pass
                                                    elif k1 == 0x50:  # STRING_8
                                                        k1 = data[pos]
                                                        pos += 1
                                                    elif k1 == 0x51:  # STRING_16
                                                        k1 = _u16(data, pos)[0]
                                                        pos += 2
                                                    elif k1 == 0x52:  # STRING_32
                                                        k1 = _u32(data, pos)[0]
                                                        pos += 4
                                                    else:
                                                        raise _bad_key(k1 ^ 0x80, pos - 1)
                                                    end = pos + k1
                                                    try:
                                                        k1 = data[pos:end].decode()
                                                    except UnicodeDecodeError as exc:
                                                        raise _bad_utf8(exc, pos) from None
                                                    pos = end
                                                    m = data[pos]
                                                    pos += 1
                                                    if m <= 0x7F:  # TINY_INT
                                                        d1[k1] = m
                                                    elif m <= 0x8F:  # TINY_STRING
                                                        n = m - 0x80
                                                        end = pos + n
                                                        try:
                                                            d1[k1] = data[pos:end].decode()
                                                        except UnicodeDecodeError as exc:
                                                            raise _bad_utf8(exc, pos) from None
                                                        pos = end
                                                    elif m >= 0xC0:
                                                        if m < 0xCA:
                                                            if m < 0xC3:
                                                                if m < 0xC1:
                                                                    # NULL
                                                                    d1[k1] = None
                                                                else:
                                                                    if m == 0xC1:  # FLOAT_64
                                                                        d1[k1], = _f64(data, pos)
                                                                        pos += 8
                                                                    else:  # FALSE
                                                                        d1[k1] = False
                                                            else:
                                                                if m < 0xC9:
                                                                    if m == 0xC3:  # TRUE
                                                                        d1[k1] = True
                                                                    elif m == 0xC8:  # INT_8
                                                                        n = data[pos]
                                                                        d1[k1] = n - 0x100 if n > 0x7F else n
                                                                        pos += 1
                                                                    else:
                                                                        d1[k1], pos = unpack(data, pos - 1, level + 2)
                                                                else:
                                                                    # INT_16
                                                                    d1[k1], = _i16(data, pos)
                                                                    pos += 2
                                                        else:
                                                            if m < 0xD0:
                                                                if m < 0xCB:
                                                                    # INT_32
                                                                    d1[k1], = _i32(data, pos)
                                                                    pos += 4
                                                                else:
                                                                    if m < 0xCC:
                                                                        # INT_64
                                                                        d1[k1], = _i64(data, pos)
                                                                        pos += 8
                                                                    else:
                                                                        if m < 0xCD:
                                                                            # BYTES_8
                                                                            n = data[pos]
                                                                            pos += 1
                                                                            end = pos + n
                                                                            d1[k1] = data[pos:end]
                                                                            pos = end
                                                                        else:
                                                                            if m == 0xCD:  # BYTES_16
                                                                                n = _u16(data, pos)[0]
                                                                                pos += 2
                                                                                end = pos + n
                                                                                d1[k1] = data[pos:end]
                                                                                pos = end
                                                                            elif m == 0xCE:  # BYTES_32
                                                                                n = _u32(data, pos)[0]
                                                                                pos += 4
                                                                                end = pos + n
                                                                                d1[k1] = data[pos:end]
                                                                                pos = end
                                                                            else:
                                                                                d1[k1], pos = unpack(data, pos - 1, level + 2)
                                                            else:
                                                                if m < 0xD1:
                                                                    # STRING_8
                                                                    n = data[pos]
                                                                    pos += 1
                                                                    end = pos + n
                                                                    try:
                                                                        d1[k1] = data[pos:end].decode()
                                                                    except UnicodeDecodeError as exc:
                                                                        raise _bad_utf8(exc, pos) from None
                                                                    pos = end
                                                                else:
                                                                    if m < 0xF0:
                                                                        if m < 0xD2:
                                                                            # STRING_16
                                                                            n = _u16(data, pos)[0]
                                                                            pos += 2
                                                                            end = pos + n
                                                                            try:
                                                                                d1[k1] = data[pos:end].decode()
                                                                            except UnicodeDecodeError as exc:
                                                                                raise _bad_utf8(exc, pos) from None
                                                                            pos = end
                                                                        else:
                                                                            if m == 0xD2:  # STRING_32
                                                                                n = _u32(data, pos)[0]
                                                                                pos += 4
                                                                                end = pos + n
                                                                                try:
                                                                                    d1[k1] = data[pos:end].decode()
                                                                                except UnicodeDecodeError as exc:
                                                                                    raise _bad_utf8(exc, pos) from None
                                                                                pos = end
                                                                            elif m == 0xE0:  # UUID
                                                                                if not allow_UUID:
                                                                                    raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                        "it exists in Bolt 6.1+", pos - 1)
                                                                                if pos + 16 > len(data):
                                                                                    raise _overrun("UUID", 16, pos, data)
                                                                                d1[k1] = _from_UUID(data[pos:pos + 16])
                                                                                pos += 16
                                                                            else:
                                                                                d1[k1], pos = unpack(data, pos - 1, level + 2)
                                                                    else:
                                                                        # TINY_INT_NEGATIVE
                                                                        d1[k1] = m - 0x100
                                                    else:  # tiny containers and structures
                                                        d1[k1], pos = unpack(data, pos - 1, level + 2)
                                                d[k] = d1
                                            else:  # TINY_STRUCT: straight to its decoder, past unpack's marker tests
                                                d[k], pos = unpack_struct(data, pos, m, level + 1)
                                        return d, pos
                                    else:
                                        if m == 0xD9:  # MAP_16
                                            if level > deep:
                                                raise IndexError  # maybe too deep: the checked decoder counts exactly
                                            n = _u16(data, pos)[0]
                                            pos += 2
                                            d = {}
                                            for _ in range(n):
                                                k = data[pos] ^ 0x80
                                                pos += 1
                                                if k < 16:  # TINY_STRING
                                                    pass
                                                elif k == 0x50:  # STRING_8
                                                    k = data[pos]
                                                    pos += 1
                                                elif k == 0x51:  # STRING_16
                                                    k = _u16(data, pos)[0]
                                                    pos += 2
                                                elif k == 0x52:  # STRING_32
                                                    k = _u32(data, pos)[0]
                                                    pos += 4
                                                else:
                                                    raise _bad_key(k ^ 0x80, pos - 1)
                                                end = pos + k
                                                try:
                                                    k = data[pos:end].decode()
                                                except UnicodeDecodeError as exc:
                                                    raise _bad_utf8(exc, pos) from None
                                                pos = end
                                                m = data[pos]
                                                pos += 1
                                                if m <= 0x7F:  # TINY_INT
                                                    d[k] = m
                                                elif m <= 0x8F:  # TINY_STRING
                                                    n = m - 0x80
                                                    end = pos + n
                                                    try:
                                                        d[k] = data[pos:end].decode()
                                                    except UnicodeDecodeError as exc:
                                                        raise _bad_utf8(exc, pos) from None
                                                    pos = end
                                                elif m >= 0xC0:
                                                    if m < 0xCA:
                                                        if m < 0xC3:
                                                            if m < 0xC1:
                                                                # NULL
                                                                d[k] = None
                                                            else:
                                                                if m == 0xC1:  # FLOAT_64
                                                                    d[k], = _f64(data, pos)
                                                                    pos += 8
                                                                else:  # FALSE
                                                                    d[k] = False
                                                        else:
                                                            if m < 0xC9:
                                                                if m == 0xC3:  # TRUE
                                                                    d[k] = True
                                                                elif m == 0xC8:  # INT_8
                                                                    n = data[pos]
                                                                    d[k] = n - 0x100 if n > 0x7F else n
                                                                    pos += 1
                                                                else:
                                                                    d[k], pos = unpack(data, pos - 1, level + 1)
                                                            else:
                                                                # INT_16
                                                                d[k], = _i16(data, pos)
                                                                pos += 2
                                                    else:
                                                        if m < 0xD0:
                                                            if m < 0xCB:
                                                                # INT_32
                                                                d[k], = _i32(data, pos)
                                                                pos += 4
                                                            else:
                                                                if m < 0xCC:
                                                                    # INT_64
                                                                    d[k], = _i64(data, pos)
                                                                    pos += 8
                                                                else:
                                                                    if m < 0xCD:
                                                                        # BYTES_8
                                                                        n = data[pos]
                                                                        pos += 1
                                                                        end = pos + n
                                                                        d[k] = data[pos:end]
                                                                        pos = end
                                                                    else:
                                                                        if m == 0xCD:  # BYTES_16
                                                                            n = _u16(data, pos)[0]
                                                                            pos += 2
                                                                            end = pos + n
                                                                            d[k] = data[pos:end]
                                                                            pos = end
                                                                        elif m == 0xCE:  # BYTES_32
                                                                            n = _u32(data, pos)[0]
                                                                            pos += 4
                                                                            end = pos + n
                                                                            d[k] = data[pos:end]
                                                                            pos = end
                                                                        else:
                                                                            d[k], pos = unpack(data, pos - 1, level + 1)
                                                        else:
                                                            if m < 0xD1:
                                                                # STRING_8
                                                                n = data[pos]
                                                                pos += 1
                                                                end = pos + n
                                                                try:
                                                                    d[k] = data[pos:end].decode()
                                                                except UnicodeDecodeError as exc:
                                                                    raise _bad_utf8(exc, pos) from None
                                                                pos = end
                                                            else:
                                                                if m < 0xF0:
                                                                    if m < 0xD2:
                                                                        # STRING_16
                                                                        n = _u16(data, pos)[0]
                                                                        pos += 2
                                                                        end = pos + n
                                                                        try:
                                                                            d[k] = data[pos:end].decode()
                                                                        except UnicodeDecodeError as exc:
                                                                            raise _bad_utf8(exc, pos) from None
                                                                        pos = end
                                                                    else:
                                                                        if m == 0xD2:  # STRING_32
                                                                            n = _u32(data, pos)[0]
                                                                            pos += 4
                                                                            end = pos + n
                                                                            try:
                                                                                d[k] = data[pos:end].decode()
                                                                            except UnicodeDecodeError as exc:
                                                                                raise _bad_utf8(exc, pos) from None
                                                                            pos = end
                                                                        elif m == 0xE0:  # UUID
                                                                            if not allow_UUID:
                                                                                raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                    "it exists in Bolt 6.1+", pos - 1)
                                                                            if pos + 16 > len(data):
                                                                                raise _overrun("UUID", 16, pos, data)
                                                                            d[k] = _from_UUID(data[pos:pos + 16])
                                                                            pos += 16
                                                                        else:
                                                                            d[k], pos = unpack(data, pos - 1, level + 1)
                                                                else:
                                                                    # TINY_INT_NEGATIVE
                                                                    d[k] = m - 0x100
                                                elif m <= 0x9F:  # TINY_LIST: here, saving a call and a tuple
                                                    n = m - 0x90
                                                    lst1 = _NONE * n
                                                    for i1 in _RANGES[n]:
                                                        m = data[pos]
                                                        pos += 1
                                                        if m <= 0x7F:  # TINY_INT
                                                            lst1[i1] = m
                                                        elif m <= 0x8F:  # TINY_STRING
                                                            n = m - 0x80
                                                            end = pos + n
                                                            try:
                                                                lst1[i1] = data[pos:end].decode()
                                                            except UnicodeDecodeError as exc:
                                                                raise _bad_utf8(exc, pos) from None
                                                            pos = end
                                                        elif m >= 0xC0:
                                                            if m < 0xCA:
                                                                if m < 0xC3:
                                                                    if m < 0xC1:
                                                                        # NULL
                                                                        lst1[i1] = None
                                                                    else:
                                                                        if m == 0xC1:  # FLOAT_64
                                                                            lst1[i1], = _f64(data, pos)
                                                                            pos += 8
                                                                        else:  # FALSE
                                                                            lst1[i1] = False
                                                                else:
                                                                    if m < 0xC9:
                                                                        if m == 0xC3:  # TRUE
                                                                            lst1[i1] = True
                                                                        elif m == 0xC8:  # INT_8
                                                                            n = data[pos]
                                                                            lst1[i1] = n - 0x100 if n > 0x7F else n
                                                                            pos += 1
                                                                        else:
                                                                            lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                                                    else:
                                                                        # INT_16
                                                                        lst1[i1], = _i16(data, pos)
                                                                        pos += 2
                                                            else:
                                                                if m < 0xD0:
                                                                    if m < 0xCB:
                                                                        # INT_32
                                                                        lst1[i1], = _i32(data, pos)
                                                                        pos += 4
                                                                    else:
                                                                        if m < 0xCC:
                                                                            # INT_64
                                                                            lst1[i1], = _i64(data, pos)
                                                                            pos += 8
                                                                        else:
                                                                            if m < 0xCD:
                                                                                # BYTES_8
                                                                                n = data[pos]
                                                                                pos += 1
                                                                                end = pos + n
                                                                                lst1[i1] = data[pos:end]
                                                                                pos = end
                                                                            else:
                                                                                if m == 0xCD:  # BYTES_16
                                                                                    n = _u16(data, pos)[0]
                                                                                    pos += 2
                                                                                    end = pos + n
                                                                                    lst1[i1] = data[pos:end]
                                                                                    pos = end
                                                                                elif m == 0xCE:  # BYTES_32
                                                                                    n = _u32(data, pos)[0]
                                                                                    pos += 4
                                                                                    end = pos + n
                                                                                    lst1[i1] = data[pos:end]
                                                                                    pos = end
                                                                                else:
                                                                                    lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                                                else:
                                                                    if m < 0xD1:
                                                                        # STRING_8
                                                                        n = data[pos]
                                                                        pos += 1
                                                                        end = pos + n
                                                                        try:
                                                                            lst1[i1] = data[pos:end].decode()
                                                                        except UnicodeDecodeError as exc:
                                                                            raise _bad_utf8(exc, pos) from None
                                                                        pos = end
                                                                    else:
                                                                        if m < 0xF0:
                                                                            if m < 0xD2:
                                                                                # STRING_16
                                                                                n = _u16(data, pos)[0]
                                                                                pos += 2
                                                                                end = pos + n
                                                                                try:
                                                                                    lst1[i1] = data[pos:end].decode()
                                                                                except UnicodeDecodeError as exc:
                                                                                    raise _bad_utf8(exc, pos) from None
                                                                                pos = end
                                                                            else:
                                                                                if m == 0xD2:  # STRING_32
                                                                                    n = _u32(data, pos)[0]
                                                                                    pos += 4
                                                                                    end = pos + n
                                                                                    try:
                                                                                        lst1[i1] = data[pos:end].decode()
                                                                                    except UnicodeDecodeError as exc:
                                                                                        raise _bad_utf8(exc, pos) from None
                                                                                    pos = end
                                                                                elif m == 0xE0:  # UUID
                                                                                    if not allow_UUID:
                                                                                        raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                            "it exists in Bolt 6.1+", pos - 1)
                                                                                    if pos + 16 > len(data):
                                                                                        raise _overrun("UUID", 16, pos, data)
                                                                                    lst1[i1] = _from_UUID(data[pos:pos + 16])
                                                                                    pos += 16
                                                                                else:
                                                                                    lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                                                        else:
                                                                            # TINY_INT_NEGATIVE
                                                                            lst1[i1] = m - 0x100
                                                        else:  # tiny containers and structures
                                                            lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                                    d[k] = lst1
                                                elif m <= 0xAF:  # TINY_MAP: likewise
                                                    n = m - 0xA0
                                                    d1 = {}
                                                    for _ in _RANGES[n]:
                                                        k1 = data[pos] ^ 0x80
                                                        pos += 1
                                                        if k1 < 16:  # TINY_STRING
                                                            pass
                                                        elif k1 == 0x50:  # STRING_8
                                                            k1 = data[pos]
                                                            pos += 1
                                                        elif k1 == 0x51:  # STRING_16
                                                            k1 = _u16(data, pos)[0]
                                                            pos += 2
                                                        elif k1 == 0x52:  # STRING_32
                                                            k1 = _u32(data, pos)[0]
                                                            pos += 4
                                                        else:
                                                            raise _bad_key(k1 ^ 0x80, pos - 1)
                                                        end = pos + k1
                                                        try:
                                                            k1 = data[pos:end].decode()
                                                        except UnicodeDecodeError as exc:
                                                            raise _bad_utf8(exc, pos) from None
                                                        pos = end
                                                        m = data[pos]
                                                        pos += 1
                                                        if m <= 0x7F:  # TINY_INT
                                                            d1[k1] = m
                                                        elif m <= 0x8F:  # TINY_STRING
                                                            n = m - 0x80
                                                            end = pos + n
                                                            try:
                                                                d1[k1] = data[pos:end].decode()
                                                            except UnicodeDecodeError as exc:
                                                                raise _bad_utf8(exc, pos) from None
                                                            pos = end
                                                        elif m >= 0xC0:
                                                            if m < 0xCA:
                                                                if m < 0xC3:
                                                                    if m < 0xC1:
                                                                        # NULL
                                                                        d1[k1] = None
                                                                    else:
                                                                        if m == 0xC1:  # FLOAT_64
                                                                            d1[k1], = _f64(data, pos)
                                                                            pos += 8
                                                                        else:  # FALSE
                                                                            d1[k1] = False
                                                                else:
                                                                    if m < 0xC9:
                                                                        if m == 0xC3:  # TRUE
                                                                            d1[k1] = True
                                                                        elif m == 0xC8:  # INT_8
                                                                            n = data[pos]
                                                                            d1[k1] = n - 0x100 if n > 0x7F else n
                                                                            pos += 1
                                                                        else:
                                                                            d1[k1], pos = unpack(data, pos - 1, level + 2)
                                                                    else:
                                                                        # INT_16
                                                                        d1[k1], = _i16(data, pos)
                                                                        pos += 2
                                                            else:
                                                                if m < 0xD0:
                                                                    if m < 0xCB:
                                                                        # INT_32
                                                                        d1[k1], = _i32(data, pos)
                                                                        pos += 4
                                                                    else:
                                                                        if m < 0xCC:
                                                                            # INT_64
                                                                            d1[k1], = _i64(data, pos)
                                                                            pos += 8
                                                                        else:
                                                                            if m < 0xCD:
                                                                                # BYTES_8
                                                                                n = data[pos]
                                                                                pos += 1
                                                                                end = pos + n
                                                                                d1[k1] = data[pos:end]
                                                                                pos = end
                                                                            else:
                                                                                if m == 0xCD:  # BYTES_16
                                                                                    n = _u16(data, pos)[0]
                                                                                    pos += 2
                                                                                    end = pos + n
                                                                                    d1[k1] = data[pos:end]
                                                                                    pos = end
                                                                                elif m == 0xCE:  # BYTES_32
                                                                                    n = _u32(data, pos)[0]
                                                                                    pos += 4
                                                                                    end = pos + n
                                                                                    d1[k1] = data[pos:end]
                                                                                    pos = end
                                                                                else:
                                                                                    d1[k1], pos = unpack(data, pos - 1, level + 2)
                                                                else:
                                                                    if m < 0xD1:
                                                                        # STRING_8
                                                                        n = data[pos]
                                                                        pos += 1
                                                                        end = pos + n
                                                                        try:
                                                                            d1[k1] = data[pos:end].decode()
                                                                        except UnicodeDecodeError as exc:
                                                                            raise _bad_utf8(exc, pos) from None
                                                                        pos = end
                                                                    else:
                                                                        if m < 0xF0:
                                                                            if m < 0xD2:
                                                                                # STRING_16
                                                                                n = _u16(data, pos)[0]
                                                                                pos += 2
                                                                                end = pos + n
                                                                                try:
                                                                                    d1[k1] = data[pos:end].decode()
                                                                                except UnicodeDecodeError as exc:
                                                                                    raise _bad_utf8(exc, pos) from None
                                                                                pos = end
                                                                            else:
                                                                                if m == 0xD2:  # STRING_32
                                                                                    n = _u32(data, pos)[0]
                                                                                    pos += 4
                                                                                    end = pos + n
                                                                                    try:
                                                                                        d1[k1] = data[pos:end].decode()
                                                                                    except UnicodeDecodeError as exc:
                                                                                        raise _bad_utf8(exc, pos) from None
                                                                                    pos = end
                                                                                elif m == 0xE0:  # UUID
                                                                                    if not allow_UUID:
                                                                                        raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                            "it exists in Bolt 6.1+", pos - 1)
                                                                                    if pos + 16 > len(data):
                                                                                        raise _overrun("UUID", 16, pos, data)
                                                                                    d1[k1] = _from_UUID(data[pos:pos + 16])
                                                                                    pos += 16
                                                                                else:
                                                                                    d1[k1], pos = unpack(data, pos - 1, level + 2)
                                                                        else:
                                                                            # TINY_INT_NEGATIVE
                                                                            d1[k1] = m - 0x100
                                                        else:  # tiny containers and structures
                                                            d1[k1], pos = unpack(data, pos - 1, level + 2)
                                                    d[k] = d1
                                                else:  # TINY_STRUCT: straight to its decoder, past unpack's marker tests
                                                    d[k], pos = unpack_struct(data, pos, m, level + 1)
                                            return d, pos
                                        elif m == 0xDA:  # MAP_32
                                            if level > deep:
                                                raise IndexError  # maybe too deep: the checked decoder counts exactly
                                            n = _u32(data, pos)[0]
                                            pos += 4
                                            d = {}
                                            for _ in range(n):
                                                k = data[pos] ^ 0x80
                                                pos += 1
                                                if k < 16:  # TINY_STRING
                                                    pass
                                                elif k == 0x50:  # STRING_8
                                                    k = data[pos]
                                                    pos += 1
                                                elif k == 0x51:  # STRING_16
                                                    k = _u16(data, pos)[0]
                                                    pos += 2
                                                elif k == 0x52:  # STRING_32
                                                    k = _u32(data, pos)[0]
                                                    pos += 4
                                                else:
                                                    raise _bad_key(k ^ 0x80, pos - 1)
                                                end = pos + k
                                                try:
                                                    k = data[pos:end].decode()
                                                except UnicodeDecodeError as exc:
                                                    raise _bad_utf8(exc, pos) from None
                                                pos = end
                                                m = data[pos]
                                                pos += 1
                                                if m <= 0x7F:  # TINY_INT
                                                    d[k] = m
                                                elif m <= 0x8F:  # TINY_STRING
                                                    n = m - 0x80
                                                    end = pos + n
                                                    try:
                                                        d[k] = data[pos:end].decode()
                                                    except UnicodeDecodeError as exc:
                                                        raise _bad_utf8(exc, pos) from None
                                                    pos = end
                                                elif m >= 0xC0:
                                                    if m < 0xCA:
                                                        if m < 0xC3:
                                                            if m < 0xC1:
                                                                # NULL
                                                                d[k] = None
                                                            else:
                                                                if m == 0xC1:  # FLOAT_64
                                                                    d[k], = _f64(data, pos)
                                                                    pos += 8
                                                                else:  # FALSE
                                                                    d[k] = False
                                                        else:
                                                            if m < 0xC9:
                                                                if m == 0xC3:  # TRUE
                                                                    d[k] = True
                                                                elif m == 0xC8:  # INT_8
                                                                    n = data[pos]
                                                                    d[k] = n - 0x100 if n > 0x7F else n
                                                                    pos += 1
                                                                else:
                                                                    d[k], pos = unpack(data, pos - 1, level + 1)
                                                            else:
                                                                # INT_16
                                                                d[k], = _i16(data, pos)
                                                                pos += 2
                                                    else:
                                                        if m < 0xD0:
                                                            if m < 0xCB:
                                                                # INT_32
                                                                d[k], = _i32(data, pos)
                                                                pos += 4
                                                            else:
                                                                if m < 0xCC:
                                                                    # INT_64
                                                                    d[k], = _i64(data, pos)
                                                                    pos += 8
                                                                else:
                                                                    if m < 0xCD:
                                                                        # BYTES_8
                                                                        n = data[pos]
                                                                        pos += 1
                                                                        end = pos + n
                                                                        d[k] = data[pos:end]
                                                                        pos = end
                                                                    else:
                                                                        if m == 0xCD:  # BYTES_16
                                                                            n = _u16(data, pos)[0]
                                                                            pos += 2
                                                                            end = pos + n
                                                                            d[k] = data[pos:end]
                                                                            pos = end
                                                                        elif m == 0xCE:  # BYTES_32
                                                                            n = _u32(data, pos)[0]
                                                                            pos += 4
                                                                            end = pos + n
                                                                            d[k] = data[pos:end]
                                                                            pos = end
                                                                        else:
                                                                            d[k], pos = unpack(data, pos - 1, level + 1)
                                                        else:
                                                            if m < 0xD1:
                                                                # STRING_8
                                                                n = data[pos]
                                                                pos += 1
                                                                end = pos + n
                                                                try:
                                                                    d[k] = data[pos:end].decode()
                                                                except UnicodeDecodeError as exc:
                                                                    raise _bad_utf8(exc, pos) from None
                                                                pos = end
                                                            else:
                                                                if m < 0xF0:
                                                                    if m < 0xD2:
                                                                        # STRING_16
                                                                        n = _u16(data, pos)[0]
                                                                        pos += 2
                                                                        end = pos + n
                                                                        try:
                                                                            d[k] = data[pos:end].decode()
                                                                        except UnicodeDecodeError as exc:
                                                                            raise _bad_utf8(exc, pos) from None
                                                                        pos = end
                                                                    else:
                                                                        if m == 0xD2:  # STRING_32
                                                                            n = _u32(data, pos)[0]
                                                                            pos += 4
                                                                            end = pos + n
                                                                            try:
                                                                                d[k] = data[pos:end].decode()
                                                                            except UnicodeDecodeError as exc:
                                                                                raise _bad_utf8(exc, pos) from None
                                                                            pos = end
                                                                        elif m == 0xE0:  # UUID
                                                                            if not allow_UUID:
                                                                                raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                    "it exists in Bolt 6.1+", pos - 1)
                                                                            if pos + 16 > len(data):
                                                                                raise _overrun("UUID", 16, pos, data)
                                                                            d[k] = _from_UUID(data[pos:pos + 16])
                                                                            pos += 16
                                                                        else:
                                                                            d[k], pos = unpack(data, pos - 1, level + 1)
                                                                else:
                                                                    # TINY_INT_NEGATIVE
                                                                    d[k] = m - 0x100
                                                elif m <= 0x9F:  # TINY_LIST: here, saving a call and a tuple
                                                    n = m - 0x90
                                                    lst1 = _NONE * n
                                                    for i1 in _RANGES[n]:
                                                        m = data[pos]
                                                        pos += 1
                                                        if m <= 0x7F:  # TINY_INT
                                                            lst1[i1] = m
                                                        elif m <= 0x8F:  # TINY_STRING
                                                            n = m - 0x80
                                                            end = pos + n
                                                            try:
                                                                lst1[i1] = data[pos:end].decode()
                                                            except UnicodeDecodeError as exc:
                                                                raise _bad_utf8(exc, pos) from None
                                                            pos = end
                                                        elif m >= 0xC0:
                                                            if m < 0xCA:
                                                                if m < 0xC3:
                                                                    if m < 0xC1:
                                                                        # NULL
                                                                        lst1[i1] = None
                                                                    else:
                                                                        if m == 0xC1:  # FLOAT_64
                                                                            lst1[i1], = _f64(data, pos)
                                                                            pos += 8
                                                                        else:  # FALSE
                                                                            lst1[i1] = False
                                                                else:
                                                                    if m < 0xC9:
                                                                        if m == 0xC3:  # TRUE
                                                                            lst1[i1] = True
                                                                        elif m == 0xC8:  # INT_8
                                                                            n = data[pos]
                                                                            lst1[i1] = n - 0x100 if n > 0x7F else n
                                                                            pos += 1
                                                                        else:
                                                                            lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                                                    else:
                                                                        # INT_16
                                                                        lst1[i1], = _i16(data, pos)
                                                                        pos += 2
                                                            else:
                                                                if m < 0xD0:
                                                                    if m < 0xCB:
                                                                        # INT_32
                                                                        lst1[i1], = _i32(data, pos)
                                                                        pos += 4
                                                                    else:
                                                                        if m < 0xCC:
                                                                            # INT_64
                                                                            lst1[i1], = _i64(data, pos)
                                                                            pos += 8
                                                                        else:
                                                                            if m < 0xCD:
                                                                                # BYTES_8
                                                                                n = data[pos]
                                                                                pos += 1
                                                                                end = pos + n
                                                                                lst1[i1] = data[pos:end]
                                                                                pos = end
                                                                            else:
                                                                                if m == 0xCD:  # BYTES_16
                                                                                    n = _u16(data, pos)[0]
                                                                                    pos += 2
                                                                                    end = pos + n
                                                                                    lst1[i1] = data[pos:end]
                                                                                    pos = end
                                                                                elif m == 0xCE:  # BYTES_32
                                                                                    n = _u32(data, pos)[0]
                                                                                    pos += 4
                                                                                    end = pos + n
                                                                                    lst1[i1] = data[pos:end]
                                                                                    pos = end
                                                                                else:
                                                                                    lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                                                else:
                                                                    if m < 0xD1:
                                                                        # STRING_8
                                                                        n = data[pos]
                                                                        pos += 1
                                                                        end = pos + n
                                                                        try:
                                                                            lst1[i1] = data[pos:end].decode()
                                                                        except UnicodeDecodeError as exc:
                                                                            raise _bad_utf8(exc, pos) from None
                                                                        pos = end
                                                                    else:
                                                                        if m < 0xF0:
                                                                            if m < 0xD2:
                                                                                # STRING_16
                                                                                n = _u16(data, pos)[0]
                                                                                pos += 2
                                                                                end = pos + n
                                                                                try:
                                                                                    lst1[i1] = data[pos:end].decode()
                                                                                except UnicodeDecodeError as exc:
                                                                                    raise _bad_utf8(exc, pos) from None
                                                                                pos = end
                                                                            else:
                                                                                if m == 0xD2:  # STRING_32
                                                                                    n = _u32(data, pos)[0]
                                                                                    pos += 4
                                                                                    end = pos + n
                                                                                    try:
                                                                                        lst1[i1] = data[pos:end].decode()
                                                                                    except UnicodeDecodeError as exc:
                                                                                        raise _bad_utf8(exc, pos) from None
                                                                                    pos = end
                                                                                elif m == 0xE0:  # UUID
                                                                                    if not allow_UUID:
                                                                                        raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                            "it exists in Bolt 6.1+", pos - 1)
                                                                                    if pos + 16 > len(data):
                                                                                        raise _overrun("UUID", 16, pos, data)
                                                                                    lst1[i1] = _from_UUID(data[pos:pos + 16])
                                                                                    pos += 16
                                                                                else:
                                                                                    lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                                                        else:
                                                                            # TINY_INT_NEGATIVE
                                                                            lst1[i1] = m - 0x100
                                                        else:  # tiny containers and structures
                                                            lst1[i1], pos = unpack(data, pos - 1, level + 2)
                                                    d[k] = lst1
                                                elif m <= 0xAF:  # TINY_MAP: likewise
                                                    n = m - 0xA0
                                                    d1 = {}
                                                    for _ in _RANGES[n]:
                                                        k1 = data[pos] ^ 0x80
                                                        pos += 1
                                                        if k1 < 16:  # TINY_STRING
                                                            pass
                                                        elif k1 == 0x50:  # STRING_8
                                                            k1 = data[pos]
                                                            pos += 1
                                                        elif k1 == 0x51:  # STRING_16
                                                            k1 = _u16(data, pos)[0]
                                                            pos += 2
                                                        elif k1 == 0x52:  # STRING_32
                                                            k1 = _u32(data, pos)[0]
                                                            pos += 4
                                                        else:
                                                            raise _bad_key(k1 ^ 0x80, pos - 1)
                                                        end = pos + k1
                                                        try:
                                                            k1 = data[pos:end].decode()
                                                        except UnicodeDecodeError as exc:
                                                            raise _bad_utf8(exc, pos) from None
                                                        pos = end
                                                        m = data[pos]
                                                        pos += 1
                                                        if m <= 0x7F:  # TINY_INT
                                                            d1[k1] = m
                                                        elif m <= 0x8F:  # TINY_STRING
                                                            n = m - 0x80
                                                            end = pos + n
                                                            try:
                                                                d1[k1] = data[pos:end].decode()
                                                            except UnicodeDecodeError as exc:
                                                                raise _bad_utf8(exc, pos) from None
                                                            pos = end
                                                        elif m >= 0xC0:
                                                            if m < 0xCA:
                                                                if m < 0xC3:
                                                                    if m < 0xC1:
                                                                        # NULL
                                                                        d1[k1] = None
                                                                    else:
                                                                        if m == 0xC1:  # FLOAT_64
                                                                            d1[k1], = _f64(data, pos)
                                                                            pos += 8
                                                                        else:  # FALSE
                                                                            d1[k1] = False
                                                                else:
                                                                    if m < 0xC9:
                                                                        if m == 0xC3:  # TRUE
                                                                            d1[k1] = True
                                                                        elif m == 0xC8:  # INT_8
                                                                            n = data[pos]
                                                                            d1[k1] = n - 0x100 if n > 0x7F else n
                                                                            pos += 1
                                                                        else:
                                                                            d1[k1], pos = unpack(data, pos - 1, level + 2)
                                                                    else:
                                                                        # INT_16
                                                                        d1[k1], = _i16(data, pos)
                                                                        pos += 2
                                                            else:
                                                                if m < 0xD0:
                                                                    if m < 0xCB:
                                                                        # INT_32
                                                                        d1[k1], = _i32(data, pos)
                                                                        pos += 4
                                                                    else:
                                                                        if m < 0xCC:
                                                                            # INT_64
                                                                            d1[k1], = _i64(data, pos)
                                                                            pos += 8
                                                                        else:
                                                                            if m < 0xCD:
                                                                                # BYTES_8
                                                                                n = data[pos]
                                                                                pos += 1
                                                                                end = pos + n
                                                                                d1[k1] = data[pos:end]
                                                                                pos = end
                                                                            else:
                                                                                if m == 0xCD:  # BYTES_16
                                                                                    n = _u16(data, pos)[0]
                                                                                    pos += 2
                                                                                    end = pos + n
                                                                                    d1[k1] = data[pos:end]
                                                                                    pos = end
                                                                                elif m == 0xCE:  # BYTES_32
                                                                                    n = _u32(data, pos)[0]
                                                                                    pos += 4
                                                                                    end = pos + n
                                                                                    d1[k1] = data[pos:end]
                                                                                    pos = end
                                                                                else:
                                                                                    d1[k1], pos = unpack(data, pos - 1, level + 2)
                                                                else:
                                                                    if m < 0xD1:
                                                                        # STRING_8
                                                                        n = data[pos]
                                                                        pos += 1
                                                                        end = pos + n
                                                                        try:
                                                                            d1[k1] = data[pos:end].decode()
                                                                        except UnicodeDecodeError as exc:
                                                                            raise _bad_utf8(exc, pos) from None
                                                                        pos = end
                                                                    else:
                                                                        if m < 0xF0:
                                                                            if m < 0xD2:
                                                                                # STRING_16
                                                                                n = _u16(data, pos)[0]
                                                                                pos += 2
                                                                                end = pos + n
                                                                                try:
                                                                                    d1[k1] = data[pos:end].decode()
                                                                                except UnicodeDecodeError as exc:
                                                                                    raise _bad_utf8(exc, pos) from None
                                                                                pos = end
                                                                            else:
                                                                                if m == 0xD2:  # STRING_32
                                                                                    n = _u32(data, pos)[0]
                                                                                    pos += 4
                                                                                    end = pos + n
                                                                                    try:
                                                                                        d1[k1] = data[pos:end].decode()
                                                                                    except UnicodeDecodeError as exc:
                                                                                        raise _bad_utf8(exc, pos) from None
                                                                                    pos = end
                                                                                elif m == 0xE0:  # UUID
                                                                                    if not allow_UUID:
                                                                                        raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                            "it exists in Bolt 6.1+", pos - 1)
                                                                                    if pos + 16 > len(data):
                                                                                        raise _overrun("UUID", 16, pos, data)
                                                                                    d1[k1] = _from_UUID(data[pos:pos + 16])
                                                                                    pos += 16
                                                                                else:
                                                                                    d1[k1], pos = unpack(data, pos - 1, level + 2)
                                                                        else:
                                                                            # TINY_INT_NEGATIVE
                                                                            d1[k1] = m - 0x100
                                                        else:  # tiny containers and structures
                                                            d1[k1], pos = unpack(data, pos - 1, level + 2)
                                                    d[k] = d1
                                                else:  # TINY_STRUCT: straight to its decoder, past unpack's marker tests
                                                    d[k], pos = unpack_struct(data, pos, m, level + 1)
                                            return d, pos
                        else:
                            if m == 0xE0:  # UUID
                                if not allow_UUID:
                                    raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                        "it exists in Bolt 6.1+", pos - 1)
                                if pos + 16 > len(data):
                                    raise _overrun("UUID", 16, pos, data)
                                v = _from_UUID(data[pos:pos + 16])
                                pos += 16

                                return v, pos
                            elif m >= 0xF0:  # TINY_INT_NEGATIVE
                                v = m - 0x100

                                return v, pos
        raise ProtocolError(_reserved(m), pos - 1)

    return unpack


def _make_checked_unpack(structs: dict, profile: str, max_depth: int = DEFAULT_MAX_DEPTH) -> Any:
    """The same decoder with every size checked against the data: exact error offsets, and
    containers nested deeper than ``max_depth`` refused: ``unpack(data, pos, level, left)``.

    It also counts values: ``left`` is ``[values still allowed, the limit, "message" or
    "value"]``, shared by the calls of one message; each container takes its items (a map: its
    keys and values) from ``left[0]`` at its header, before allocating, and a container that
    would take it below 0 is refused (see ``DEFAULT_MAX_DECODED_VALUES``).
    """
    if max_depth < 1:
        raise ValueError("max_depth must be at least 1")
    allow_UUID = profile in _GATED["UUID"]

    def unpack(data: bytes, pos: int, level: int, left: list) -> tuple[Any, int]:
        v: Any
        k: Any
        d: dict[str, Any]
        k1: Any
        d1: dict[str, Any]
        m = data[pos]
        pos += 1
        if m <= 0x7F:  # TINY_INT
            v = m
            return v, pos
        elif m <= 0x8F:  # TINY_STRING
            n = m - 0x80
            end = pos + n
            if end > len(data):
                raise _overrun("string", n, pos, data)
            try:
                v = data[pos:end].decode()
            except UnicodeDecodeError as exc:
                raise _bad_utf8(exc, pos) from None
            pos = end
            return v, pos
        elif m <= 0x9F:  # TINY_LIST
            if level >= max_depth:
                raise ProtocolError(f"values nested deeper than {max_depth} levels", pos - 1)
            n = m - 0x90
            if n > len(data) - pos:
                raise _overrun("list", n, pos, data)
            left[0] -= n
            if left[0] < 0:
                raise _too_many(left, pos - 1)
            lst = _NONE * n
            for i in _RANGES[n]:
                m = data[pos]
                pos += 1
                if m <= 0x7F:  # TINY_INT
                    lst[i] = m
                elif m <= 0x8F:  # TINY_STRING
                    n = m - 0x80
                    end = pos + n
                    if end > len(data):
                        raise _overrun("string", n, pos, data)
                    try:
                        lst[i] = data[pos:end].decode()
                    except UnicodeDecodeError as exc:
                        raise _bad_utf8(exc, pos) from None
                    pos = end
                elif m >= 0xC0:
                    if m < 0xCA:
                        if m < 0xC3:
                            if m < 0xC1:
                                # NULL
                                lst[i] = None
                            else:
                                if m == 0xC1:  # FLOAT_64
                                    lst[i], = _f64(data, pos)
                                    pos += 8
                                else:  # FALSE
                                    lst[i] = False
                        else:
                            if m < 0xC9:
                                if m == 0xC3:  # TRUE
                                    lst[i] = True
                                elif m == 0xC8:  # INT_8
                                    n = data[pos]
                                    lst[i] = n - 0x100 if n > 0x7F else n
                                    pos += 1
                                else:
                                    lst[i], pos = unpack(data, pos - 1, level + 1, left)
                            else:
                                # INT_16
                                lst[i], = _i16(data, pos)
                                pos += 2
                    else:
                        if m < 0xD0:
                            if m < 0xCB:
                                # INT_32
                                lst[i], = _i32(data, pos)
                                pos += 4
                            else:
                                if m < 0xCC:
                                    # INT_64
                                    lst[i], = _i64(data, pos)
                                    pos += 8
                                else:
                                    if m < 0xCD:
                                        # BYTES_8
                                        n = data[pos]
                                        pos += 1
                                        end = pos + n
                                        if end > len(data):
                                            raise _overrun("bytes", n, pos, data)
                                        lst[i] = data[pos:end]
                                        pos = end
                                    else:
                                        if m == 0xCD:  # BYTES_16
                                            n = _u16(data, pos)[0]
                                            pos += 2
                                            end = pos + n
                                            if end > len(data):
                                                raise _overrun("bytes", n, pos, data)
                                            lst[i] = data[pos:end]
                                            pos = end
                                        elif m == 0xCE:  # BYTES_32
                                            n = _u32(data, pos)[0]
                                            pos += 4
                                            end = pos + n
                                            if end > len(data):
                                                raise _overrun("bytes", n, pos, data)
                                            lst[i] = data[pos:end]
                                            pos = end
                                        else:
                                            lst[i], pos = unpack(data, pos - 1, level + 1, left)
                        else:
                            if m < 0xD1:
                                # STRING_8
                                n = data[pos]
                                pos += 1
                                end = pos + n
                                if end > len(data):
                                    raise _overrun("string", n, pos, data)
                                try:
                                    lst[i] = data[pos:end].decode()
                                except UnicodeDecodeError as exc:
                                    raise _bad_utf8(exc, pos) from None
                                pos = end
                            else:
                                if m < 0xF0:
                                    if m < 0xD2:
                                        # STRING_16
                                        n = _u16(data, pos)[0]
                                        pos += 2
                                        end = pos + n
                                        if end > len(data):
                                            raise _overrun("string", n, pos, data)
                                        try:
                                            lst[i] = data[pos:end].decode()
                                        except UnicodeDecodeError as exc:
                                            raise _bad_utf8(exc, pos) from None
                                        pos = end
                                    else:
                                        if m == 0xD2:  # STRING_32
                                            n = _u32(data, pos)[0]
                                            pos += 4
                                            end = pos + n
                                            if end > len(data):
                                                raise _overrun("string", n, pos, data)
                                            try:
                                                lst[i] = data[pos:end].decode()
                                            except UnicodeDecodeError as exc:
                                                raise _bad_utf8(exc, pos) from None
                                            pos = end
                                        elif m == 0xE0:  # UUID
                                            if not allow_UUID:
                                                raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                    "it exists in Bolt 6.1+", pos - 1)
                                            if pos + 16 > len(data):
                                                raise _overrun("UUID", 16, pos, data)
                                            lst[i] = _from_UUID(data[pos:pos + 16])
                                            pos += 16
                                        else:
                                            lst[i], pos = unpack(data, pos - 1, level + 1, left)
                                else:
                                    # TINY_INT_NEGATIVE
                                    lst[i] = m - 0x100
                else:  # tiny containers and structures
                    lst[i], pos = unpack(data, pos - 1, level + 1, left)
            return lst, pos
        elif m <= 0xAF:  # TINY_MAP
            if level >= max_depth:
                raise ProtocolError(f"values nested deeper than {max_depth} levels", pos - 1)
            n = m - 0xA0
            if n > (len(data) - pos) >> 1:
                raise _overrun("map", n, pos, data)
            left[0] -= n + n
            if left[0] < 0:
                raise _too_many(left, pos - 1)
            d = {}
            for _ in _RANGES[n]:
                k = data[pos] ^ 0x80
                pos += 1
                if k < 16:  # TINY_STRING
                    pass
                elif k == 0x50:  # STRING_8
                    k = data[pos]
                    pos += 1
                elif k == 0x51:  # STRING_16
                    k = _u16(data, pos)[0]
                    pos += 2
                elif k == 0x52:  # STRING_32
                    k = _u32(data, pos)[0]
                    pos += 4
                else:
                    raise _bad_key(k ^ 0x80, pos - 1)
                end = pos + k
                if end > len(data):
                    raise _overrun("string", k, pos, data)
                try:
                    k = data[pos:end].decode()
                except UnicodeDecodeError as exc:
                    raise _bad_utf8(exc, pos) from None
                pos = end
                m = data[pos]
                pos += 1
                if m <= 0x7F:  # TINY_INT
                    d[k] = m
                elif m <= 0x8F:  # TINY_STRING
                    n = m - 0x80
                    end = pos + n
                    if end > len(data):
                        raise _overrun("string", n, pos, data)
                    try:
                        d[k] = data[pos:end].decode()
                    except UnicodeDecodeError as exc:
                        raise _bad_utf8(exc, pos) from None
                    pos = end
                elif m >= 0xC0:
                    if m < 0xCA:
                        if m < 0xC3:
                            if m < 0xC1:
                                # NULL
                                d[k] = None
                            else:
                                if m == 0xC1:  # FLOAT_64
                                    d[k], = _f64(data, pos)
                                    pos += 8
                                else:  # FALSE
                                    d[k] = False
                        else:
                            if m < 0xC9:
                                if m == 0xC3:  # TRUE
                                    d[k] = True
                                elif m == 0xC8:  # INT_8
                                    n = data[pos]
                                    d[k] = n - 0x100 if n > 0x7F else n
                                    pos += 1
                                else:
                                    d[k], pos = unpack(data, pos - 1, level + 1, left)
                            else:
                                # INT_16
                                d[k], = _i16(data, pos)
                                pos += 2
                    else:
                        if m < 0xD0:
                            if m < 0xCB:
                                # INT_32
                                d[k], = _i32(data, pos)
                                pos += 4
                            else:
                                if m < 0xCC:
                                    # INT_64
                                    d[k], = _i64(data, pos)
                                    pos += 8
                                else:
                                    if m < 0xCD:
                                        # BYTES_8
                                        n = data[pos]
                                        pos += 1
                                        end = pos + n
                                        if end > len(data):
                                            raise _overrun("bytes", n, pos, data)
                                        d[k] = data[pos:end]
                                        pos = end
                                    else:
                                        if m == 0xCD:  # BYTES_16
                                            n = _u16(data, pos)[0]
                                            pos += 2
                                            end = pos + n
                                            if end > len(data):
                                                raise _overrun("bytes", n, pos, data)
                                            d[k] = data[pos:end]
                                            pos = end
                                        elif m == 0xCE:  # BYTES_32
                                            n = _u32(data, pos)[0]
                                            pos += 4
                                            end = pos + n
                                            if end > len(data):
                                                raise _overrun("bytes", n, pos, data)
                                            d[k] = data[pos:end]
                                            pos = end
                                        else:
                                            d[k], pos = unpack(data, pos - 1, level + 1, left)
                        else:
                            if m < 0xD1:
                                # STRING_8
                                n = data[pos]
                                pos += 1
                                end = pos + n
                                if end > len(data):
                                    raise _overrun("string", n, pos, data)
                                try:
                                    d[k] = data[pos:end].decode()
                                except UnicodeDecodeError as exc:
                                    raise _bad_utf8(exc, pos) from None
                                pos = end
                            else:
                                if m < 0xF0:
                                    if m < 0xD2:
                                        # STRING_16
                                        n = _u16(data, pos)[0]
                                        pos += 2
                                        end = pos + n
                                        if end > len(data):
                                            raise _overrun("string", n, pos, data)
                                        try:
                                            d[k] = data[pos:end].decode()
                                        except UnicodeDecodeError as exc:
                                            raise _bad_utf8(exc, pos) from None
                                        pos = end
                                    else:
                                        if m == 0xD2:  # STRING_32
                                            n = _u32(data, pos)[0]
                                            pos += 4
                                            end = pos + n
                                            if end > len(data):
                                                raise _overrun("string", n, pos, data)
                                            try:
                                                d[k] = data[pos:end].decode()
                                            except UnicodeDecodeError as exc:
                                                raise _bad_utf8(exc, pos) from None
                                            pos = end
                                        elif m == 0xE0:  # UUID
                                            if not allow_UUID:
                                                raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                    "it exists in Bolt 6.1+", pos - 1)
                                            if pos + 16 > len(data):
                                                raise _overrun("UUID", 16, pos, data)
                                            d[k] = _from_UUID(data[pos:pos + 16])
                                            pos += 16
                                        else:
                                            d[k], pos = unpack(data, pos - 1, level + 1, left)
                                else:
                                    # TINY_INT_NEGATIVE
                                    d[k] = m - 0x100
                else:  # tiny containers and structures
                    d[k], pos = unpack(data, pos - 1, level + 1, left)
            return d, pos
        elif m <= 0xBF:  # TINY_STRUCT
            if level >= max_depth:
                raise ProtocolError(f"values nested deeper than {max_depth} levels", pos - 1)
            n = m - 0xB0
            tag = data[pos]
            entry = structs.get(tag)
            if entry is None:
                return _other_struct(unpack, data, pos, n, tag, profile, level, left)
            if n != entry[0]:
                raise ProtocolError(f"{entry[2]} structure must have {entry[0]} fields, found {n}", pos - 1)
            at = pos - 1
            left[0] -= n
            if left[0] < 0:
                raise _too_many(left, at)
            pos += 1
            fields = _NONE * n
            for i in _RANGES[n]:
                m = data[pos]
                pos += 1
                if m <= 0x7F:  # TINY_INT
                    fields[i] = m
                elif m <= 0x8F:  # TINY_STRING
                    n = m - 0x80
                    end = pos + n
                    if end > len(data):
                        raise _overrun("string", n, pos, data)
                    try:
                        fields[i] = data[pos:end].decode()
                    except UnicodeDecodeError as exc:
                        raise _bad_utf8(exc, pos) from None
                    pos = end
                elif m >= 0xC0:
                    if m < 0xCA:
                        if m < 0xC3:
                            if m < 0xC1:
                                # NULL
                                fields[i] = None
                            else:
                                if m == 0xC1:  # FLOAT_64
                                    fields[i], = _f64(data, pos)
                                    pos += 8
                                else:  # FALSE
                                    fields[i] = False
                        else:
                            if m < 0xC9:
                                if m == 0xC3:  # TRUE
                                    fields[i] = True
                                elif m == 0xC8:  # INT_8
                                    n = data[pos]
                                    fields[i] = n - 0x100 if n > 0x7F else n
                                    pos += 1
                                else:
                                    fields[i], pos = unpack(data, pos - 1, level + 1, left)
                            else:
                                # INT_16
                                fields[i], = _i16(data, pos)
                                pos += 2
                    else:
                        if m < 0xD0:
                            if m < 0xCB:
                                # INT_32
                                fields[i], = _i32(data, pos)
                                pos += 4
                            else:
                                if m < 0xCC:
                                    # INT_64
                                    fields[i], = _i64(data, pos)
                                    pos += 8
                                else:
                                    if m < 0xCD:
                                        # BYTES_8
                                        n = data[pos]
                                        pos += 1
                                        end = pos + n
                                        if end > len(data):
                                            raise _overrun("bytes", n, pos, data)
                                        fields[i] = data[pos:end]
                                        pos = end
                                    else:
                                        if m == 0xCD:  # BYTES_16
                                            n = _u16(data, pos)[0]
                                            pos += 2
                                            end = pos + n
                                            if end > len(data):
                                                raise _overrun("bytes", n, pos, data)
                                            fields[i] = data[pos:end]
                                            pos = end
                                        elif m == 0xCE:  # BYTES_32
                                            n = _u32(data, pos)[0]
                                            pos += 4
                                            end = pos + n
                                            if end > len(data):
                                                raise _overrun("bytes", n, pos, data)
                                            fields[i] = data[pos:end]
                                            pos = end
                                        else:
                                            fields[i], pos = unpack(data, pos - 1, level + 1, left)
                        else:
                            if m < 0xD1:
                                # STRING_8
                                n = data[pos]
                                pos += 1
                                end = pos + n
                                if end > len(data):
                                    raise _overrun("string", n, pos, data)
                                try:
                                    fields[i] = data[pos:end].decode()
                                except UnicodeDecodeError as exc:
                                    raise _bad_utf8(exc, pos) from None
                                pos = end
                            else:
                                if m < 0xF0:
                                    if m < 0xD2:
                                        # STRING_16
                                        n = _u16(data, pos)[0]
                                        pos += 2
                                        end = pos + n
                                        if end > len(data):
                                            raise _overrun("string", n, pos, data)
                                        try:
                                            fields[i] = data[pos:end].decode()
                                        except UnicodeDecodeError as exc:
                                            raise _bad_utf8(exc, pos) from None
                                        pos = end
                                    else:
                                        if m == 0xD2:  # STRING_32
                                            n = _u32(data, pos)[0]
                                            pos += 4
                                            end = pos + n
                                            if end > len(data):
                                                raise _overrun("string", n, pos, data)
                                            try:
                                                fields[i] = data[pos:end].decode()
                                            except UnicodeDecodeError as exc:
                                                raise _bad_utf8(exc, pos) from None
                                            pos = end
                                        elif m == 0xE0:  # UUID
                                            if not allow_UUID:
                                                raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                    "it exists in Bolt 6.1+", pos - 1)
                                            if pos + 16 > len(data):
                                                raise _overrun("UUID", 16, pos, data)
                                            fields[i] = _from_UUID(data[pos:pos + 16])
                                            pos += 16
                                        else:
                                            fields[i], pos = unpack(data, pos - 1, level + 1, left)
                                else:
                                    # TINY_INT_NEGATIVE
                                    fields[i] = m - 0x100
                else:  # tiny containers and structures
                    fields[i], pos = unpack(data, pos - 1, level + 1, left)
            return entry[1](fields, at), pos
        else:
            if m < 0xCA:
                if m < 0xC3:
                    if m < 0xC1:
                        # NULL
                        v = None

                        return v, pos
                    else:
                        if m == 0xC1:  # FLOAT_64
                            v, = _f64(data, pos)
                            pos += 8

                            return v, pos
                        else:  # FALSE
                            v = False

                            return v, pos
                else:
                    if m < 0xC9:
                        if m == 0xC3:  # TRUE
                            v = True

                            return v, pos
                        elif m == 0xC8:  # INT_8
                            n = data[pos]
                            v = n - 0x100 if n > 0x7F else n
                            pos += 1

                            return v, pos
                    else:
                        # INT_16
                        v, = _i16(data, pos)
                        pos += 2

                        return v, pos
            else:
                if m < 0xD0:
                    if m < 0xCB:
                        # INT_32
                        v, = _i32(data, pos)
                        pos += 4

                        return v, pos
                    else:
                        if m < 0xCC:
                            # INT_64
                            v, = _i64(data, pos)
                            pos += 8

                            return v, pos
                        else:
                            if m < 0xCD:
                                # BYTES_8
                                n = data[pos]
                                pos += 1
                                end = pos + n
                                if end > len(data):
                                    raise _overrun("bytes", n, pos, data)
                                v = data[pos:end]
                                pos = end

                                return v, pos
                            else:
                                if m == 0xCD:  # BYTES_16
                                    n = _u16(data, pos)[0]
                                    pos += 2
                                    end = pos + n
                                    if end > len(data):
                                        raise _overrun("bytes", n, pos, data)
                                    v = data[pos:end]
                                    pos = end

                                    return v, pos
                                elif m == 0xCE:  # BYTES_32
                                    n = _u32(data, pos)[0]
                                    pos += 4
                                    end = pos + n
                                    if end > len(data):
                                        raise _overrun("bytes", n, pos, data)
                                    v = data[pos:end]
                                    pos = end

                                    return v, pos
                else:
                    if m < 0xD1:
                        # STRING_8
                        n = data[pos]
                        pos += 1
                        end = pos + n
                        if end > len(data):
                            raise _overrun("string", n, pos, data)
                        try:
                            v = data[pos:end].decode()
                        except UnicodeDecodeError as exc:
                            raise _bad_utf8(exc, pos) from None
                        pos = end

                        return v, pos
                    else:
                        if m < 0xE0:
                            if m < 0xD5:
                                if m < 0xD2:
                                    # STRING_16
                                    n = _u16(data, pos)[0]
                                    pos += 2
                                    end = pos + n
                                    if end > len(data):
                                        raise _overrun("string", n, pos, data)
                                    try:
                                        v = data[pos:end].decode()
                                    except UnicodeDecodeError as exc:
                                        raise _bad_utf8(exc, pos) from None
                                    pos = end

                                    return v, pos
                                else:
                                    if m == 0xD4:  # LIST_8
                                        if level >= max_depth:
                                            raise ProtocolError(f"values nested deeper than {max_depth} levels", pos - 1)
                                        n = data[pos]
                                        pos += 1
                                        if n > len(data) - pos:
                                            raise _overrun("list", n, pos, data)
                                        left[0] -= n
                                        if left[0] < 0:
                                            raise _too_many(left, pos - 2)
                                        lst = _NONE * n
                                        for i in range(n):
                                            m = data[pos]
                                            pos += 1
                                            if m <= 0x7F:  # TINY_INT
                                                lst[i] = m
                                            elif m <= 0x8F:  # TINY_STRING
                                                n = m - 0x80
                                                end = pos + n
                                                if end > len(data):
                                                    raise _overrun("string", n, pos, data)
                                                try:
                                                    lst[i] = data[pos:end].decode()
                                                except UnicodeDecodeError as exc:
                                                    raise _bad_utf8(exc, pos) from None
                                                pos = end
                                            elif m >= 0xC0:
                                                if m < 0xCA:
                                                    if m < 0xC3:
                                                        if m < 0xC1:
                                                            # NULL
                                                            lst[i] = None
                                                        else:
                                                            if m == 0xC1:  # FLOAT_64
                                                                lst[i], = _f64(data, pos)
                                                                pos += 8
                                                            else:  # FALSE
                                                                lst[i] = False
                                                    else:
                                                        if m < 0xC9:
                                                            if m == 0xC3:  # TRUE
                                                                lst[i] = True
                                                            elif m == 0xC8:  # INT_8
                                                                n = data[pos]
                                                                lst[i] = n - 0x100 if n > 0x7F else n
                                                                pos += 1
                                                            else:
                                                                lst[i], pos = unpack(data, pos - 1, level + 1, left)
                                                        else:
                                                            # INT_16
                                                            lst[i], = _i16(data, pos)
                                                            pos += 2
                                                else:
                                                    if m < 0xD0:
                                                        if m < 0xCB:
                                                            # INT_32
                                                            lst[i], = _i32(data, pos)
                                                            pos += 4
                                                        else:
                                                            if m < 0xCC:
                                                                # INT_64
                                                                lst[i], = _i64(data, pos)
                                                                pos += 8
                                                            else:
                                                                if m < 0xCD:
                                                                    # BYTES_8
                                                                    n = data[pos]
                                                                    pos += 1
                                                                    end = pos + n
                                                                    if end > len(data):
                                                                        raise _overrun("bytes", n, pos, data)
                                                                    lst[i] = data[pos:end]
                                                                    pos = end
                                                                else:
                                                                    if m == 0xCD:  # BYTES_16
                                                                        n = _u16(data, pos)[0]
                                                                        pos += 2
                                                                        end = pos + n
                                                                        if end > len(data):
                                                                            raise _overrun("bytes", n, pos, data)
                                                                        lst[i] = data[pos:end]
                                                                        pos = end
                                                                    elif m == 0xCE:  # BYTES_32
                                                                        n = _u32(data, pos)[0]
                                                                        pos += 4
                                                                        end = pos + n
                                                                        if end > len(data):
                                                                            raise _overrun("bytes", n, pos, data)
                                                                        lst[i] = data[pos:end]
                                                                        pos = end
                                                                    else:
                                                                        lst[i], pos = unpack(data, pos - 1, level + 1, left)
                                                    else:
                                                        if m < 0xD1:
                                                            # STRING_8
                                                            n = data[pos]
                                                            pos += 1
                                                            end = pos + n
                                                            if end > len(data):
                                                                raise _overrun("string", n, pos, data)
                                                            try:
                                                                lst[i] = data[pos:end].decode()
                                                            except UnicodeDecodeError as exc:
                                                                raise _bad_utf8(exc, pos) from None
                                                            pos = end
                                                        else:
                                                            if m < 0xF0:
                                                                if m < 0xD2:
                                                                    # STRING_16
                                                                    n = _u16(data, pos)[0]
                                                                    pos += 2
                                                                    end = pos + n
                                                                    if end > len(data):
                                                                        raise _overrun("string", n, pos, data)
                                                                    try:
                                                                        lst[i] = data[pos:end].decode()
                                                                    except UnicodeDecodeError as exc:
                                                                        raise _bad_utf8(exc, pos) from None
                                                                    pos = end
                                                                else:
                                                                    if m == 0xD2:  # STRING_32
                                                                        n = _u32(data, pos)[0]
                                                                        pos += 4
                                                                        end = pos + n
                                                                        if end > len(data):
                                                                            raise _overrun("string", n, pos, data)
                                                                        try:
                                                                            lst[i] = data[pos:end].decode()
                                                                        except UnicodeDecodeError as exc:
                                                                            raise _bad_utf8(exc, pos) from None
                                                                        pos = end
                                                                    elif m == 0xE0:  # UUID
                                                                        if not allow_UUID:
                                                                            raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                "it exists in Bolt 6.1+", pos - 1)
                                                                        if pos + 16 > len(data):
                                                                            raise _overrun("UUID", 16, pos, data)
                                                                        lst[i] = _from_UUID(data[pos:pos + 16])
                                                                        pos += 16
                                                                    else:
                                                                        lst[i], pos = unpack(data, pos - 1, level + 1, left)
                                                            else:
                                                                # TINY_INT_NEGATIVE
                                                                lst[i] = m - 0x100
                                            else:  # tiny containers and structures
                                                lst[i], pos = unpack(data, pos - 1, level + 1, left)
                                        return lst, pos
                                    elif m == 0xD2:  # STRING_32
                                        n = _u32(data, pos)[0]
                                        pos += 4
                                        end = pos + n
                                        if end > len(data):
                                            raise _overrun("string", n, pos, data)
                                        try:
                                            v = data[pos:end].decode()
                                        except UnicodeDecodeError as exc:
                                            raise _bad_utf8(exc, pos) from None
                                        pos = end

                                        return v, pos
                            else:
                                if m < 0xD8:
                                    if m == 0xD5:  # LIST_16
                                        if level >= max_depth:
                                            raise ProtocolError(f"values nested deeper than {max_depth} levels", pos - 1)
                                        n = _u16(data, pos)[0]
                                        pos += 2
                                        if n > len(data) - pos:
                                            raise _overrun("list", n, pos, data)
                                        left[0] -= n
                                        if left[0] < 0:
                                            raise _too_many(left, pos - 3)
                                        lst = _NONE * n
                                        for i in range(n):
                                            m = data[pos]
                                            pos += 1
                                            if m <= 0x7F:  # TINY_INT
                                                lst[i] = m
                                            elif m <= 0x8F:  # TINY_STRING
                                                n = m - 0x80
                                                end = pos + n
                                                if end > len(data):
                                                    raise _overrun("string", n, pos, data)
                                                try:
                                                    lst[i] = data[pos:end].decode()
                                                except UnicodeDecodeError as exc:
                                                    raise _bad_utf8(exc, pos) from None
                                                pos = end
                                            elif m >= 0xC0:
                                                if m < 0xCA:
                                                    if m < 0xC3:
                                                        if m < 0xC1:
                                                            # NULL
                                                            lst[i] = None
                                                        else:
                                                            if m == 0xC1:  # FLOAT_64
                                                                lst[i], = _f64(data, pos)
                                                                pos += 8
                                                            else:  # FALSE
                                                                lst[i] = False
                                                    else:
                                                        if m < 0xC9:
                                                            if m == 0xC3:  # TRUE
                                                                lst[i] = True
                                                            elif m == 0xC8:  # INT_8
                                                                n = data[pos]
                                                                lst[i] = n - 0x100 if n > 0x7F else n
                                                                pos += 1
                                                            else:
                                                                lst[i], pos = unpack(data, pos - 1, level + 1, left)
                                                        else:
                                                            # INT_16
                                                            lst[i], = _i16(data, pos)
                                                            pos += 2
                                                else:
                                                    if m < 0xD0:
                                                        if m < 0xCB:
                                                            # INT_32
                                                            lst[i], = _i32(data, pos)
                                                            pos += 4
                                                        else:
                                                            if m < 0xCC:
                                                                # INT_64
                                                                lst[i], = _i64(data, pos)
                                                                pos += 8
                                                            else:
                                                                if m < 0xCD:
                                                                    # BYTES_8
                                                                    n = data[pos]
                                                                    pos += 1
                                                                    end = pos + n
                                                                    if end > len(data):
                                                                        raise _overrun("bytes", n, pos, data)
                                                                    lst[i] = data[pos:end]
                                                                    pos = end
                                                                else:
                                                                    if m == 0xCD:  # BYTES_16
                                                                        n = _u16(data, pos)[0]
                                                                        pos += 2
                                                                        end = pos + n
                                                                        if end > len(data):
                                                                            raise _overrun("bytes", n, pos, data)
                                                                        lst[i] = data[pos:end]
                                                                        pos = end
                                                                    elif m == 0xCE:  # BYTES_32
                                                                        n = _u32(data, pos)[0]
                                                                        pos += 4
                                                                        end = pos + n
                                                                        if end > len(data):
                                                                            raise _overrun("bytes", n, pos, data)
                                                                        lst[i] = data[pos:end]
                                                                        pos = end
                                                                    else:
                                                                        lst[i], pos = unpack(data, pos - 1, level + 1, left)
                                                    else:
                                                        if m < 0xD1:
                                                            # STRING_8
                                                            n = data[pos]
                                                            pos += 1
                                                            end = pos + n
                                                            if end > len(data):
                                                                raise _overrun("string", n, pos, data)
                                                            try:
                                                                lst[i] = data[pos:end].decode()
                                                            except UnicodeDecodeError as exc:
                                                                raise _bad_utf8(exc, pos) from None
                                                            pos = end
                                                        else:
                                                            if m < 0xF0:
                                                                if m < 0xD2:
                                                                    # STRING_16
                                                                    n = _u16(data, pos)[0]
                                                                    pos += 2
                                                                    end = pos + n
                                                                    if end > len(data):
                                                                        raise _overrun("string", n, pos, data)
                                                                    try:
                                                                        lst[i] = data[pos:end].decode()
                                                                    except UnicodeDecodeError as exc:
                                                                        raise _bad_utf8(exc, pos) from None
                                                                    pos = end
                                                                else:
                                                                    if m == 0xD2:  # STRING_32
                                                                        n = _u32(data, pos)[0]
                                                                        pos += 4
                                                                        end = pos + n
                                                                        if end > len(data):
                                                                            raise _overrun("string", n, pos, data)
                                                                        try:
                                                                            lst[i] = data[pos:end].decode()
                                                                        except UnicodeDecodeError as exc:
                                                                            raise _bad_utf8(exc, pos) from None
                                                                        pos = end
                                                                    elif m == 0xE0:  # UUID
                                                                        if not allow_UUID:
                                                                            raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                "it exists in Bolt 6.1+", pos - 1)
                                                                        if pos + 16 > len(data):
                                                                            raise _overrun("UUID", 16, pos, data)
                                                                        lst[i] = _from_UUID(data[pos:pos + 16])
                                                                        pos += 16
                                                                    else:
                                                                        lst[i], pos = unpack(data, pos - 1, level + 1, left)
                                                            else:
                                                                # TINY_INT_NEGATIVE
                                                                lst[i] = m - 0x100
                                            elif m <= 0xAF:  # TINY_LIST, TINY_MAP: here, saving a call
                                                if level >= max_depth - 1:
                                                    raise ProtocolError(f"values nested deeper than {max_depth} levels", pos - 1)
                                                if m <= 0x9F:
                                                    n = m - 0x90
                                                    if n > len(data) - pos:
                                                        raise _overrun("list", n, pos, data)
                                                    left[0] -= n
                                                    if left[0] < 0:
                                                        raise _too_many(left, pos - 1)
                                                    lst1 = _NONE * n
                                                    for i1 in _RANGES[n]:
                                                        m = data[pos]
                                                        pos += 1
                                                        if m <= 0x7F:  # TINY_INT
                                                            lst1[i1] = m
                                                        elif m <= 0x8F:  # TINY_STRING
                                                            n = m - 0x80
                                                            end = pos + n
                                                            if end > len(data):
                                                                raise _overrun("string", n, pos, data)
                                                            try:
                                                                lst1[i1] = data[pos:end].decode()
                                                            except UnicodeDecodeError as exc:
                                                                raise _bad_utf8(exc, pos) from None
                                                            pos = end
                                                        elif m >= 0xC0:
                                                            if m < 0xCA:
                                                                if m < 0xC3:
                                                                    if m < 0xC1:
                                                                        # NULL
                                                                        lst1[i1] = None
                                                                    else:
                                                                        if m == 0xC1:  # FLOAT_64
                                                                            lst1[i1], = _f64(data, pos)
                                                                            pos += 8
                                                                        else:  # FALSE
                                                                            lst1[i1] = False
                                                                else:
                                                                    if m < 0xC9:
                                                                        if m == 0xC3:  # TRUE
                                                                            lst1[i1] = True
                                                                        elif m == 0xC8:  # INT_8
                                                                            n = data[pos]
                                                                            lst1[i1] = n - 0x100 if n > 0x7F else n
                                                                            pos += 1
                                                                        else:
                                                                            lst1[i1], pos = unpack(data, pos - 1, level + 2, left)
                                                                    else:
                                                                        # INT_16
                                                                        lst1[i1], = _i16(data, pos)
                                                                        pos += 2
                                                            else:
                                                                if m < 0xD0:
                                                                    if m < 0xCB:
                                                                        # INT_32
                                                                        lst1[i1], = _i32(data, pos)
                                                                        pos += 4
                                                                    else:
                                                                        if m < 0xCC:
                                                                            # INT_64
                                                                            lst1[i1], = _i64(data, pos)
                                                                            pos += 8
                                                                        else:
                                                                            if m < 0xCD:
                                                                                # BYTES_8
                                                                                n = data[pos]
                                                                                pos += 1
                                                                                end = pos + n
                                                                                if end > len(data):
                                                                                    raise _overrun("bytes", n, pos, data)
                                                                                lst1[i1] = data[pos:end]
                                                                                pos = end
                                                                            else:
                                                                                if m == 0xCD:  # BYTES_16
                                                                                    n = _u16(data, pos)[0]
                                                                                    pos += 2
                                                                                    end = pos + n
                                                                                    if end > len(data):
                                                                                        raise _overrun("bytes", n, pos, data)
                                                                                    lst1[i1] = data[pos:end]
                                                                                    pos = end
                                                                                elif m == 0xCE:  # BYTES_32
                                                                                    n = _u32(data, pos)[0]
                                                                                    pos += 4
                                                                                    end = pos + n
                                                                                    if end > len(data):
                                                                                        raise _overrun("bytes", n, pos, data)
                                                                                    lst1[i1] = data[pos:end]
                                                                                    pos = end
                                                                                else:
                                                                                    lst1[i1], pos = unpack(data, pos - 1, level + 2, left)
                                                                else:
                                                                    if m < 0xD1:
                                                                        # STRING_8
                                                                        n = data[pos]
                                                                        pos += 1
                                                                        end = pos + n
                                                                        if end > len(data):
                                                                            raise _overrun("string", n, pos, data)
                                                                        try:
                                                                            lst1[i1] = data[pos:end].decode()
                                                                        except UnicodeDecodeError as exc:
                                                                            raise _bad_utf8(exc, pos) from None
                                                                        pos = end
                                                                    else:
                                                                        if m < 0xF0:
                                                                            if m < 0xD2:
                                                                                # STRING_16
                                                                                n = _u16(data, pos)[0]
                                                                                pos += 2
                                                                                end = pos + n
                                                                                if end > len(data):
                                                                                    raise _overrun("string", n, pos, data)
                                                                                try:
                                                                                    lst1[i1] = data[pos:end].decode()
                                                                                except UnicodeDecodeError as exc:
                                                                                    raise _bad_utf8(exc, pos) from None
                                                                                pos = end
                                                                            else:
                                                                                if m == 0xD2:  # STRING_32
                                                                                    n = _u32(data, pos)[0]
                                                                                    pos += 4
                                                                                    end = pos + n
                                                                                    if end > len(data):
                                                                                        raise _overrun("string", n, pos, data)
                                                                                    try:
                                                                                        lst1[i1] = data[pos:end].decode()
                                                                                    except UnicodeDecodeError as exc:
                                                                                        raise _bad_utf8(exc, pos) from None
                                                                                    pos = end
                                                                                elif m == 0xE0:  # UUID
                                                                                    if not allow_UUID:
                                                                                        raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                            "it exists in Bolt 6.1+", pos - 1)
                                                                                    if pos + 16 > len(data):
                                                                                        raise _overrun("UUID", 16, pos, data)
                                                                                    lst1[i1] = _from_UUID(data[pos:pos + 16])
                                                                                    pos += 16
                                                                                else:
                                                                                    lst1[i1], pos = unpack(data, pos - 1, level + 2, left)
                                                                        else:
                                                                            # TINY_INT_NEGATIVE
                                                                            lst1[i1] = m - 0x100
                                                        else:  # tiny containers and structures
                                                            lst1[i1], pos = unpack(data, pos - 1, level + 2, left)
                                                    lst[i] = lst1
                                                else:
                                                    n = m - 0xA0
                                                    if n > (len(data) - pos) >> 1:
                                                        raise _overrun("map", n, pos, data)
                                                    left[0] -= n + n
                                                    if left[0] < 0:
                                                        raise _too_many(left, pos - 1)
                                                    d1 = {}
                                                    for _ in _RANGES[n]:
                                                        k1 = data[pos] ^ 0x80
                                                        pos += 1
                                                        if k1 < 16:  # TINY_STRING
                                                            pass
                                                        elif k1 == 0x50:  # STRING_8
                                                            k1 = data[pos]
                                                            pos += 1
                                                        elif k1 == 0x51:  # STRING_16
                                                            k1 = _u16(data, pos)[0]
                                                            pos += 2
                                                        elif k1 == 0x52:  # STRING_32
                                                            k1 = _u32(data, pos)[0]
                                                            pos += 4
                                                        else:
                                                            raise _bad_key(k1 ^ 0x80, pos - 1)
                                                        end = pos + k1
                                                        if end > len(data):
                                                            raise _overrun("string", k1, pos, data)
                                                        try:
                                                            k1 = data[pos:end].decode()
                                                        except UnicodeDecodeError as exc:
                                                            raise _bad_utf8(exc, pos) from None
                                                        pos = end
                                                        m = data[pos]
                                                        pos += 1
                                                        if m <= 0x7F:  # TINY_INT
                                                            d1[k1] = m
                                                        elif m <= 0x8F:  # TINY_STRING
                                                            n = m - 0x80
                                                            end = pos + n
                                                            if end > len(data):
                                                                raise _overrun("string", n, pos, data)
                                                            try:
                                                                d1[k1] = data[pos:end].decode()
                                                            except UnicodeDecodeError as exc:
                                                                raise _bad_utf8(exc, pos) from None
                                                            pos = end
                                                        elif m >= 0xC0:
                                                            if m < 0xCA:
                                                                if m < 0xC3:
                                                                    if m < 0xC1:
                                                                        # NULL
                                                                        d1[k1] = None
                                                                    else:
                                                                        if m == 0xC1:  # FLOAT_64
                                                                            d1[k1], = _f64(data, pos)
                                                                            pos += 8
                                                                        else:  # FALSE
                                                                            d1[k1] = False
                                                                else:
                                                                    if m < 0xC9:
                                                                        if m == 0xC3:  # TRUE
                                                                            d1[k1] = True
                                                                        elif m == 0xC8:  # INT_8
                                                                            n = data[pos]
                                                                            d1[k1] = n - 0x100 if n > 0x7F else n
                                                                            pos += 1
                                                                        else:
                                                                            d1[k1], pos = unpack(data, pos - 1, level + 2, left)
                                                                    else:
                                                                        # INT_16
                                                                        d1[k1], = _i16(data, pos)
                                                                        pos += 2
                                                            else:
                                                                if m < 0xD0:
                                                                    if m < 0xCB:
                                                                        # INT_32
                                                                        d1[k1], = _i32(data, pos)
                                                                        pos += 4
                                                                    else:
                                                                        if m < 0xCC:
                                                                            # INT_64
                                                                            d1[k1], = _i64(data, pos)
                                                                            pos += 8
                                                                        else:
                                                                            if m < 0xCD:
                                                                                # BYTES_8
                                                                                n = data[pos]
                                                                                pos += 1
                                                                                end = pos + n
                                                                                if end > len(data):
                                                                                    raise _overrun("bytes", n, pos, data)
                                                                                d1[k1] = data[pos:end]
                                                                                pos = end
                                                                            else:
                                                                                if m == 0xCD:  # BYTES_16
                                                                                    n = _u16(data, pos)[0]
                                                                                    pos += 2
                                                                                    end = pos + n
                                                                                    if end > len(data):
                                                                                        raise _overrun("bytes", n, pos, data)
                                                                                    d1[k1] = data[pos:end]
                                                                                    pos = end
                                                                                elif m == 0xCE:  # BYTES_32
                                                                                    n = _u32(data, pos)[0]
                                                                                    pos += 4
                                                                                    end = pos + n
                                                                                    if end > len(data):
                                                                                        raise _overrun("bytes", n, pos, data)
                                                                                    d1[k1] = data[pos:end]
                                                                                    pos = end
                                                                                else:
                                                                                    d1[k1], pos = unpack(data, pos - 1, level + 2, left)
                                                                else:
                                                                    if m < 0xD1:
                                                                        # STRING_8
                                                                        n = data[pos]
                                                                        pos += 1
                                                                        end = pos + n
                                                                        if end > len(data):
                                                                            raise _overrun("string", n, pos, data)
                                                                        try:
                                                                            d1[k1] = data[pos:end].decode()
                                                                        except UnicodeDecodeError as exc:
                                                                            raise _bad_utf8(exc, pos) from None
                                                                        pos = end
                                                                    else:
                                                                        if m < 0xF0:
                                                                            if m < 0xD2:
                                                                                # STRING_16
                                                                                n = _u16(data, pos)[0]
                                                                                pos += 2
                                                                                end = pos + n
                                                                                if end > len(data):
                                                                                    raise _overrun("string", n, pos, data)
                                                                                try:
                                                                                    d1[k1] = data[pos:end].decode()
                                                                                except UnicodeDecodeError as exc:
                                                                                    raise _bad_utf8(exc, pos) from None
                                                                                pos = end
                                                                            else:
                                                                                if m == 0xD2:  # STRING_32
                                                                                    n = _u32(data, pos)[0]
                                                                                    pos += 4
                                                                                    end = pos + n
                                                                                    if end > len(data):
                                                                                        raise _overrun("string", n, pos, data)
                                                                                    try:
                                                                                        d1[k1] = data[pos:end].decode()
                                                                                    except UnicodeDecodeError as exc:
                                                                                        raise _bad_utf8(exc, pos) from None
                                                                                    pos = end
                                                                                elif m == 0xE0:  # UUID
                                                                                    if not allow_UUID:
                                                                                        raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                            "it exists in Bolt 6.1+", pos - 1)
                                                                                    if pos + 16 > len(data):
                                                                                        raise _overrun("UUID", 16, pos, data)
                                                                                    d1[k1] = _from_UUID(data[pos:pos + 16])
                                                                                    pos += 16
                                                                                else:
                                                                                    d1[k1], pos = unpack(data, pos - 1, level + 2, left)
                                                                        else:
                                                                            # TINY_INT_NEGATIVE
                                                                            d1[k1] = m - 0x100
                                                        else:  # tiny containers and structures
                                                            d1[k1], pos = unpack(data, pos - 1, level + 2, left)
                                                    lst[i] = d1
                                            else:  # TINY_STRUCT
                                                lst[i], pos = unpack(data, pos - 1, level + 1, left)
                                        return lst, pos
                                    elif m == 0xD6:  # LIST_32
                                        if level >= max_depth:
                                            raise ProtocolError(f"values nested deeper than {max_depth} levels", pos - 1)
                                        n = _u32(data, pos)[0]
                                        pos += 4
                                        if n > len(data) - pos:
                                            raise _overrun("list", n, pos, data)
                                        left[0] -= n
                                        if left[0] < 0:
                                            raise _too_many(left, pos - 5)
                                        lst = _NONE * n
                                        for i in range(n):
                                            m = data[pos]
                                            pos += 1
                                            if m <= 0x7F:  # TINY_INT
                                                lst[i] = m
                                            elif m <= 0x8F:  # TINY_STRING
                                                n = m - 0x80
                                                end = pos + n
                                                if end > len(data):
                                                    raise _overrun("string", n, pos, data)
                                                try:
                                                    lst[i] = data[pos:end].decode()
                                                except UnicodeDecodeError as exc:
                                                    raise _bad_utf8(exc, pos) from None
                                                pos = end
                                            elif m >= 0xC0:
                                                if m < 0xCA:
                                                    if m < 0xC3:
                                                        if m < 0xC1:
                                                            # NULL
                                                            lst[i] = None
                                                        else:
                                                            if m == 0xC1:  # FLOAT_64
                                                                lst[i], = _f64(data, pos)
                                                                pos += 8
                                                            else:  # FALSE
                                                                lst[i] = False
                                                    else:
                                                        if m < 0xC9:
                                                            if m == 0xC3:  # TRUE
                                                                lst[i] = True
                                                            elif m == 0xC8:  # INT_8
                                                                n = data[pos]
                                                                lst[i] = n - 0x100 if n > 0x7F else n
                                                                pos += 1
                                                            else:
                                                                lst[i], pos = unpack(data, pos - 1, level + 1, left)
                                                        else:
                                                            # INT_16
                                                            lst[i], = _i16(data, pos)
                                                            pos += 2
                                                else:
                                                    if m < 0xD0:
                                                        if m < 0xCB:
                                                            # INT_32
                                                            lst[i], = _i32(data, pos)
                                                            pos += 4
                                                        else:
                                                            if m < 0xCC:
                                                                # INT_64
                                                                lst[i], = _i64(data, pos)
                                                                pos += 8
                                                            else:
                                                                if m < 0xCD:
                                                                    # BYTES_8
                                                                    n = data[pos]
                                                                    pos += 1
                                                                    end = pos + n
                                                                    if end > len(data):
                                                                        raise _overrun("bytes", n, pos, data)
                                                                    lst[i] = data[pos:end]
                                                                    pos = end
                                                                else:
                                                                    if m == 0xCD:  # BYTES_16
                                                                        n = _u16(data, pos)[0]
                                                                        pos += 2
                                                                        end = pos + n
                                                                        if end > len(data):
                                                                            raise _overrun("bytes", n, pos, data)
                                                                        lst[i] = data[pos:end]
                                                                        pos = end
                                                                    elif m == 0xCE:  # BYTES_32
                                                                        n = _u32(data, pos)[0]
                                                                        pos += 4
                                                                        end = pos + n
                                                                        if end > len(data):
                                                                            raise _overrun("bytes", n, pos, data)
                                                                        lst[i] = data[pos:end]
                                                                        pos = end
                                                                    else:
                                                                        lst[i], pos = unpack(data, pos - 1, level + 1, left)
                                                    else:
                                                        if m < 0xD1:
                                                            # STRING_8
                                                            n = data[pos]
                                                            pos += 1
                                                            end = pos + n
                                                            if end > len(data):
                                                                raise _overrun("string", n, pos, data)
                                                            try:
                                                                lst[i] = data[pos:end].decode()
                                                            except UnicodeDecodeError as exc:
                                                                raise _bad_utf8(exc, pos) from None
                                                            pos = end
                                                        else:
                                                            if m < 0xF0:
                                                                if m < 0xD2:
                                                                    # STRING_16
                                                                    n = _u16(data, pos)[0]
                                                                    pos += 2
                                                                    end = pos + n
                                                                    if end > len(data):
                                                                        raise _overrun("string", n, pos, data)
                                                                    try:
                                                                        lst[i] = data[pos:end].decode()
                                                                    except UnicodeDecodeError as exc:
                                                                        raise _bad_utf8(exc, pos) from None
                                                                    pos = end
                                                                else:
                                                                    if m == 0xD2:  # STRING_32
                                                                        n = _u32(data, pos)[0]
                                                                        pos += 4
                                                                        end = pos + n
                                                                        if end > len(data):
                                                                            raise _overrun("string", n, pos, data)
                                                                        try:
                                                                            lst[i] = data[pos:end].decode()
                                                                        except UnicodeDecodeError as exc:
                                                                            raise _bad_utf8(exc, pos) from None
                                                                        pos = end
                                                                    elif m == 0xE0:  # UUID
                                                                        if not allow_UUID:
                                                                            raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                "it exists in Bolt 6.1+", pos - 1)
                                                                        if pos + 16 > len(data):
                                                                            raise _overrun("UUID", 16, pos, data)
                                                                        lst[i] = _from_UUID(data[pos:pos + 16])
                                                                        pos += 16
                                                                    else:
                                                                        lst[i], pos = unpack(data, pos - 1, level + 1, left)
                                                            else:
                                                                # TINY_INT_NEGATIVE
                                                                lst[i] = m - 0x100
                                            elif m <= 0xAF:  # TINY_LIST, TINY_MAP: here, saving a call
                                                if level >= max_depth - 1:
                                                    raise ProtocolError(f"values nested deeper than {max_depth} levels", pos - 1)
                                                if m <= 0x9F:
                                                    n = m - 0x90
                                                    if n > len(data) - pos:
                                                        raise _overrun("list", n, pos, data)
                                                    left[0] -= n
                                                    if left[0] < 0:
                                                        raise _too_many(left, pos - 1)
                                                    lst1 = _NONE * n
                                                    for i1 in _RANGES[n]:
                                                        m = data[pos]
                                                        pos += 1
                                                        if m <= 0x7F:  # TINY_INT
                                                            lst1[i1] = m
                                                        elif m <= 0x8F:  # TINY_STRING
                                                            n = m - 0x80
                                                            end = pos + n
                                                            if end > len(data):
                                                                raise _overrun("string", n, pos, data)
                                                            try:
                                                                lst1[i1] = data[pos:end].decode()
                                                            except UnicodeDecodeError as exc:
                                                                raise _bad_utf8(exc, pos) from None
                                                            pos = end
                                                        elif m >= 0xC0:
                                                            if m < 0xCA:
                                                                if m < 0xC3:
                                                                    if m < 0xC1:
                                                                        # NULL
                                                                        lst1[i1] = None
                                                                    else:
                                                                        if m == 0xC1:  # FLOAT_64
                                                                            lst1[i1], = _f64(data, pos)
                                                                            pos += 8
                                                                        else:  # FALSE
                                                                            lst1[i1] = False
                                                                else:
                                                                    if m < 0xC9:
                                                                        if m == 0xC3:  # TRUE
                                                                            lst1[i1] = True
                                                                        elif m == 0xC8:  # INT_8
                                                                            n = data[pos]
                                                                            lst1[i1] = n - 0x100 if n > 0x7F else n
                                                                            pos += 1
                                                                        else:
                                                                            lst1[i1], pos = unpack(data, pos - 1, level + 2, left)
                                                                    else:
                                                                        # INT_16
                                                                        lst1[i1], = _i16(data, pos)
                                                                        pos += 2
                                                            else:
                                                                if m < 0xD0:
                                                                    if m < 0xCB:
                                                                        # INT_32
                                                                        lst1[i1], = _i32(data, pos)
                                                                        pos += 4
                                                                    else:
                                                                        if m < 0xCC:
                                                                            # INT_64
                                                                            lst1[i1], = _i64(data, pos)
                                                                            pos += 8
                                                                        else:
                                                                            if m < 0xCD:
                                                                                # BYTES_8
                                                                                n = data[pos]
                                                                                pos += 1
                                                                                end = pos + n
                                                                                if end > len(data):
                                                                                    raise _overrun("bytes", n, pos, data)
                                                                                lst1[i1] = data[pos:end]
                                                                                pos = end
                                                                            else:
                                                                                if m == 0xCD:  # BYTES_16
                                                                                    n = _u16(data, pos)[0]
                                                                                    pos += 2
                                                                                    end = pos + n
                                                                                    if end > len(data):
                                                                                        raise _overrun("bytes", n, pos, data)
                                                                                    lst1[i1] = data[pos:end]
                                                                                    pos = end
                                                                                elif m == 0xCE:  # BYTES_32
                                                                                    n = _u32(data, pos)[0]
                                                                                    pos += 4
                                                                                    end = pos + n
                                                                                    if end > len(data):
                                                                                        raise _overrun("bytes", n, pos, data)
                                                                                    lst1[i1] = data[pos:end]
                                                                                    pos = end
                                                                                else:
                                                                                    lst1[i1], pos = unpack(data, pos - 1, level + 2, left)
                                                                else:
                                                                    if m < 0xD1:
                                                                        # STRING_8
                                                                        n = data[pos]
                                                                        pos += 1
                                                                        end = pos + n
                                                                        if end > len(data):
                                                                            raise _overrun("string", n, pos, data)
                                                                        try:
                                                                            lst1[i1] = data[pos:end].decode()
                                                                        except UnicodeDecodeError as exc:
                                                                            raise _bad_utf8(exc, pos) from None
                                                                        pos = end
                                                                    else:
                                                                        if m < 0xF0:
                                                                            if m < 0xD2:
                                                                                # STRING_16
                                                                                n = _u16(data, pos)[0]
                                                                                pos += 2
                                                                                end = pos + n
                                                                                if end > len(data):
                                                                                    raise _overrun("string", n, pos, data)
                                                                                try:
                                                                                    lst1[i1] = data[pos:end].decode()
                                                                                except UnicodeDecodeError as exc:
                                                                                    raise _bad_utf8(exc, pos) from None
                                                                                pos = end
                                                                            else:
                                                                                if m == 0xD2:  # STRING_32
                                                                                    n = _u32(data, pos)[0]
                                                                                    pos += 4
                                                                                    end = pos + n
                                                                                    if end > len(data):
                                                                                        raise _overrun("string", n, pos, data)
                                                                                    try:
                                                                                        lst1[i1] = data[pos:end].decode()
                                                                                    except UnicodeDecodeError as exc:
                                                                                        raise _bad_utf8(exc, pos) from None
                                                                                    pos = end
                                                                                elif m == 0xE0:  # UUID
                                                                                    if not allow_UUID:
                                                                                        raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                            "it exists in Bolt 6.1+", pos - 1)
                                                                                    if pos + 16 > len(data):
                                                                                        raise _overrun("UUID", 16, pos, data)
                                                                                    lst1[i1] = _from_UUID(data[pos:pos + 16])
                                                                                    pos += 16
                                                                                else:
                                                                                    lst1[i1], pos = unpack(data, pos - 1, level + 2, left)
                                                                        else:
                                                                            # TINY_INT_NEGATIVE
                                                                            lst1[i1] = m - 0x100
                                                        else:  # tiny containers and structures
                                                            lst1[i1], pos = unpack(data, pos - 1, level + 2, left)
                                                    lst[i] = lst1
                                                else:
                                                    n = m - 0xA0
                                                    if n > (len(data) - pos) >> 1:
                                                        raise _overrun("map", n, pos, data)
                                                    left[0] -= n + n
                                                    if left[0] < 0:
                                                        raise _too_many(left, pos - 1)
                                                    d1 = {}
                                                    for _ in _RANGES[n]:
                                                        k1 = data[pos] ^ 0x80
                                                        pos += 1
                                                        if k1 < 16:  # TINY_STRING
                                                            pass
                                                        elif k1 == 0x50:  # STRING_8
                                                            k1 = data[pos]
                                                            pos += 1
                                                        elif k1 == 0x51:  # STRING_16
                                                            k1 = _u16(data, pos)[0]
                                                            pos += 2
                                                        elif k1 == 0x52:  # STRING_32
                                                            k1 = _u32(data, pos)[0]
                                                            pos += 4
                                                        else:
                                                            raise _bad_key(k1 ^ 0x80, pos - 1)
                                                        end = pos + k1
                                                        if end > len(data):
                                                            raise _overrun("string", k1, pos, data)
                                                        try:
                                                            k1 = data[pos:end].decode()
                                                        except UnicodeDecodeError as exc:
                                                            raise _bad_utf8(exc, pos) from None
                                                        pos = end
                                                        m = data[pos]
                                                        pos += 1
                                                        if m <= 0x7F:  # TINY_INT
                                                            d1[k1] = m
                                                        elif m <= 0x8F:  # TINY_STRING
                                                            n = m - 0x80
                                                            end = pos + n
                                                            if end > len(data):
                                                                raise _overrun("string", n, pos, data)
                                                            try:
                                                                d1[k1] = data[pos:end].decode()
                                                            except UnicodeDecodeError as exc:
                                                                raise _bad_utf8(exc, pos) from None
                                                            pos = end
                                                        elif m >= 0xC0:
                                                            if m < 0xCA:
                                                                if m < 0xC3:
                                                                    if m < 0xC1:
                                                                        # NULL
                                                                        d1[k1] = None
                                                                    else:
                                                                        if m == 0xC1:  # FLOAT_64
                                                                            d1[k1], = _f64(data, pos)
                                                                            pos += 8
                                                                        else:  # FALSE
                                                                            d1[k1] = False
                                                                else:
                                                                    if m < 0xC9:
                                                                        if m == 0xC3:  # TRUE
                                                                            d1[k1] = True
                                                                        elif m == 0xC8:  # INT_8
                                                                            n = data[pos]
                                                                            d1[k1] = n - 0x100 if n > 0x7F else n
                                                                            pos += 1
                                                                        else:
                                                                            d1[k1], pos = unpack(data, pos - 1, level + 2, left)
                                                                    else:
                                                                        # INT_16
                                                                        d1[k1], = _i16(data, pos)
                                                                        pos += 2
                                                            else:
                                                                if m < 0xD0:
                                                                    if m < 0xCB:
                                                                        # INT_32
                                                                        d1[k1], = _i32(data, pos)
                                                                        pos += 4
                                                                    else:
                                                                        if m < 0xCC:
                                                                            # INT_64
                                                                            d1[k1], = _i64(data, pos)
                                                                            pos += 8
                                                                        else:
                                                                            if m < 0xCD:
                                                                                # BYTES_8
                                                                                n = data[pos]
                                                                                pos += 1
                                                                                end = pos + n
                                                                                if end > len(data):
                                                                                    raise _overrun("bytes", n, pos, data)
                                                                                d1[k1] = data[pos:end]
                                                                                pos = end
                                                                            else:
                                                                                if m == 0xCD:  # BYTES_16
                                                                                    n = _u16(data, pos)[0]
                                                                                    pos += 2
                                                                                    end = pos + n
                                                                                    if end > len(data):
                                                                                        raise _overrun("bytes", n, pos, data)
                                                                                    d1[k1] = data[pos:end]
                                                                                    pos = end
                                                                                elif m == 0xCE:  # BYTES_32
                                                                                    n = _u32(data, pos)[0]
                                                                                    pos += 4
                                                                                    end = pos + n
                                                                                    if end > len(data):
                                                                                        raise _overrun("bytes", n, pos, data)
                                                                                    d1[k1] = data[pos:end]
                                                                                    pos = end
                                                                                else:
                                                                                    d1[k1], pos = unpack(data, pos - 1, level + 2, left)
                                                                else:
                                                                    if m < 0xD1:
                                                                        # STRING_8
                                                                        n = data[pos]
                                                                        pos += 1
                                                                        end = pos + n
                                                                        if end > len(data):
                                                                            raise _overrun("string", n, pos, data)
                                                                        try:
                                                                            d1[k1] = data[pos:end].decode()
                                                                        except UnicodeDecodeError as exc:
                                                                            raise _bad_utf8(exc, pos) from None
                                                                        pos = end
                                                                    else:
                                                                        if m < 0xF0:
                                                                            if m < 0xD2:
                                                                                # STRING_16
                                                                                n = _u16(data, pos)[0]
                                                                                pos += 2
                                                                                end = pos + n
                                                                                if end > len(data):
                                                                                    raise _overrun("string", n, pos, data)
                                                                                try:
                                                                                    d1[k1] = data[pos:end].decode()
                                                                                except UnicodeDecodeError as exc:
                                                                                    raise _bad_utf8(exc, pos) from None
                                                                                pos = end
                                                                            else:
                                                                                if m == 0xD2:  # STRING_32
                                                                                    n = _u32(data, pos)[0]
                                                                                    pos += 4
                                                                                    end = pos + n
                                                                                    if end > len(data):
                                                                                        raise _overrun("string", n, pos, data)
                                                                                    try:
                                                                                        d1[k1] = data[pos:end].decode()
                                                                                    except UnicodeDecodeError as exc:
                                                                                        raise _bad_utf8(exc, pos) from None
                                                                                    pos = end
                                                                                elif m == 0xE0:  # UUID
                                                                                    if not allow_UUID:
                                                                                        raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                            "it exists in Bolt 6.1+", pos - 1)
                                                                                    if pos + 16 > len(data):
                                                                                        raise _overrun("UUID", 16, pos, data)
                                                                                    d1[k1] = _from_UUID(data[pos:pos + 16])
                                                                                    pos += 16
                                                                                else:
                                                                                    d1[k1], pos = unpack(data, pos - 1, level + 2, left)
                                                                        else:
                                                                            # TINY_INT_NEGATIVE
                                                                            d1[k1] = m - 0x100
                                                        else:  # tiny containers and structures
                                                            d1[k1], pos = unpack(data, pos - 1, level + 2, left)
                                                    lst[i] = d1
                                            else:  # TINY_STRUCT
                                                lst[i], pos = unpack(data, pos - 1, level + 1, left)
                                        return lst, pos
                                else:
                                    if m < 0xD9:
                                        # MAP_8
                                        if level >= max_depth:
                                            raise ProtocolError(f"values nested deeper than {max_depth} levels", pos - 1)
                                        n = data[pos]
                                        pos += 1
                                        if n > (len(data) - pos) >> 1:
                                            raise _overrun("map", n, pos, data)
                                        left[0] -= n + n
                                        if left[0] < 0:
                                            raise _too_many(left, pos - 2)
                                        d = {}
                                        for _ in range(n):
                                            k = data[pos] ^ 0x80
                                            pos += 1
                                            if k < 16:  # TINY_STRING
                                                pass
                                            elif k == 0x50:  # STRING_8
                                                k = data[pos]
                                                pos += 1
                                            elif k == 0x51:  # STRING_16
                                                k = _u16(data, pos)[0]
                                                pos += 2
                                            elif k == 0x52:  # STRING_32
                                                k = _u32(data, pos)[0]
                                                pos += 4
                                            else:
                                                raise _bad_key(k ^ 0x80, pos - 1)
                                            end = pos + k
                                            if end > len(data):
                                                raise _overrun("string", k, pos, data)
                                            try:
                                                k = data[pos:end].decode()
                                            except UnicodeDecodeError as exc:
                                                raise _bad_utf8(exc, pos) from None
                                            pos = end
                                            m = data[pos]
                                            pos += 1
                                            if m <= 0x7F:  # TINY_INT
                                                d[k] = m
                                            elif m <= 0x8F:  # TINY_STRING
                                                n = m - 0x80
                                                end = pos + n
                                                if end > len(data):
                                                    raise _overrun("string", n, pos, data)
                                                try:
                                                    d[k] = data[pos:end].decode()
                                                except UnicodeDecodeError as exc:
                                                    raise _bad_utf8(exc, pos) from None
                                                pos = end
                                            elif m >= 0xC0:
                                                if m < 0xCA:
                                                    if m < 0xC3:
                                                        if m < 0xC1:
                                                            # NULL
                                                            d[k] = None
                                                        else:
                                                            if m == 0xC1:  # FLOAT_64
                                                                d[k], = _f64(data, pos)
                                                                pos += 8
                                                            else:  # FALSE
                                                                d[k] = False
                                                    else:
                                                        if m < 0xC9:
                                                            if m == 0xC3:  # TRUE
                                                                d[k] = True
                                                            elif m == 0xC8:  # INT_8
                                                                n = data[pos]
                                                                d[k] = n - 0x100 if n > 0x7F else n
                                                                pos += 1
                                                            else:
                                                                d[k], pos = unpack(data, pos - 1, level + 1, left)
                                                        else:
                                                            # INT_16
                                                            d[k], = _i16(data, pos)
                                                            pos += 2
                                                else:
                                                    if m < 0xD0:
                                                        if m < 0xCB:
                                                            # INT_32
                                                            d[k], = _i32(data, pos)
                                                            pos += 4
                                                        else:
                                                            if m < 0xCC:
                                                                # INT_64
                                                                d[k], = _i64(data, pos)
                                                                pos += 8
                                                            else:
                                                                if m < 0xCD:
                                                                    # BYTES_8
                                                                    n = data[pos]
                                                                    pos += 1
                                                                    end = pos + n
                                                                    if end > len(data):
                                                                        raise _overrun("bytes", n, pos, data)
                                                                    d[k] = data[pos:end]
                                                                    pos = end
                                                                else:
                                                                    if m == 0xCD:  # BYTES_16
                                                                        n = _u16(data, pos)[0]
                                                                        pos += 2
                                                                        end = pos + n
                                                                        if end > len(data):
                                                                            raise _overrun("bytes", n, pos, data)
                                                                        d[k] = data[pos:end]
                                                                        pos = end
                                                                    elif m == 0xCE:  # BYTES_32
                                                                        n = _u32(data, pos)[0]
                                                                        pos += 4
                                                                        end = pos + n
                                                                        if end > len(data):
                                                                            raise _overrun("bytes", n, pos, data)
                                                                        d[k] = data[pos:end]
                                                                        pos = end
                                                                    else:
                                                                        d[k], pos = unpack(data, pos - 1, level + 1, left)
                                                    else:
                                                        if m < 0xD1:
                                                            # STRING_8
                                                            n = data[pos]
                                                            pos += 1
                                                            end = pos + n
                                                            if end > len(data):
                                                                raise _overrun("string", n, pos, data)
                                                            try:
                                                                d[k] = data[pos:end].decode()
                                                            except UnicodeDecodeError as exc:
                                                                raise _bad_utf8(exc, pos) from None
                                                            pos = end
                                                        else:
                                                            if m < 0xF0:
                                                                if m < 0xD2:
                                                                    # STRING_16
                                                                    n = _u16(data, pos)[0]
                                                                    pos += 2
                                                                    end = pos + n
                                                                    if end > len(data):
                                                                        raise _overrun("string", n, pos, data)
                                                                    try:
                                                                        d[k] = data[pos:end].decode()
                                                                    except UnicodeDecodeError as exc:
                                                                        raise _bad_utf8(exc, pos) from None
                                                                    pos = end
                                                                else:
                                                                    if m == 0xD2:  # STRING_32
                                                                        n = _u32(data, pos)[0]
                                                                        pos += 4
                                                                        end = pos + n
                                                                        if end > len(data):
                                                                            raise _overrun("string", n, pos, data)
                                                                        try:
                                                                            d[k] = data[pos:end].decode()
                                                                        except UnicodeDecodeError as exc:
                                                                            raise _bad_utf8(exc, pos) from None
                                                                        pos = end
                                                                    elif m == 0xE0:  # UUID
                                                                        if not allow_UUID:
                                                                            raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                "it exists in Bolt 6.1+", pos - 1)
                                                                        if pos + 16 > len(data):
                                                                            raise _overrun("UUID", 16, pos, data)
                                                                        d[k] = _from_UUID(data[pos:pos + 16])
                                                                        pos += 16
                                                                    else:
                                                                        d[k], pos = unpack(data, pos - 1, level + 1, left)
                                                            else:
                                                                # TINY_INT_NEGATIVE
                                                                d[k] = m - 0x100
                                            else:  # tiny containers and structures
                                                d[k], pos = unpack(data, pos - 1, level + 1, left)
                                        return d, pos
                                    else:
                                        if m == 0xD9:  # MAP_16
                                            if level >= max_depth:
                                                raise ProtocolError(f"values nested deeper than {max_depth} levels", pos - 1)
                                            n = _u16(data, pos)[0]
                                            pos += 2
                                            if n > (len(data) - pos) >> 1:
                                                raise _overrun("map", n, pos, data)
                                            left[0] -= n + n
                                            if left[0] < 0:
                                                raise _too_many(left, pos - 3)
                                            d = {}
                                            for _ in range(n):
                                                k = data[pos] ^ 0x80
                                                pos += 1
                                                if k < 16:  # TINY_STRING
                                                    pass
                                                elif k == 0x50:  # STRING_8
                                                    k = data[pos]
                                                    pos += 1
                                                elif k == 0x51:  # STRING_16
                                                    k = _u16(data, pos)[0]
                                                    pos += 2
                                                elif k == 0x52:  # STRING_32
                                                    k = _u32(data, pos)[0]
                                                    pos += 4
                                                else:
                                                    raise _bad_key(k ^ 0x80, pos - 1)
                                                end = pos + k
                                                if end > len(data):
                                                    raise _overrun("string", k, pos, data)
                                                try:
                                                    k = data[pos:end].decode()
                                                except UnicodeDecodeError as exc:
                                                    raise _bad_utf8(exc, pos) from None
                                                pos = end
                                                m = data[pos]
                                                pos += 1
                                                if m <= 0x7F:  # TINY_INT
                                                    d[k] = m
                                                elif m <= 0x8F:  # TINY_STRING
                                                    n = m - 0x80
                                                    end = pos + n
                                                    if end > len(data):
                                                        raise _overrun("string", n, pos, data)
                                                    try:
                                                        d[k] = data[pos:end].decode()
                                                    except UnicodeDecodeError as exc:
                                                        raise _bad_utf8(exc, pos) from None
                                                    pos = end
                                                elif m >= 0xC0:
                                                    if m < 0xCA:
                                                        if m < 0xC3:
                                                            if m < 0xC1:
                                                                # NULL
                                                                d[k] = None
                                                            else:
                                                                if m == 0xC1:  # FLOAT_64
                                                                    d[k], = _f64(data, pos)
                                                                    pos += 8
                                                                else:  # FALSE
                                                                    d[k] = False
                                                        else:
                                                            if m < 0xC9:
                                                                if m == 0xC3:  # TRUE
                                                                    d[k] = True
                                                                elif m == 0xC8:  # INT_8
                                                                    n = data[pos]
                                                                    d[k] = n - 0x100 if n > 0x7F else n
                                                                    pos += 1
                                                                else:
                                                                    d[k], pos = unpack(data, pos - 1, level + 1, left)
                                                            else:
                                                                # INT_16
                                                                d[k], = _i16(data, pos)
                                                                pos += 2
                                                    else:
                                                        if m < 0xD0:
                                                            if m < 0xCB:
                                                                # INT_32
                                                                d[k], = _i32(data, pos)
                                                                pos += 4
                                                            else:
                                                                if m < 0xCC:
                                                                    # INT_64
                                                                    d[k], = _i64(data, pos)
                                                                    pos += 8
                                                                else:
                                                                    if m < 0xCD:
                                                                        # BYTES_8
                                                                        n = data[pos]
                                                                        pos += 1
                                                                        end = pos + n
                                                                        if end > len(data):
                                                                            raise _overrun("bytes", n, pos, data)
                                                                        d[k] = data[pos:end]
                                                                        pos = end
                                                                    else:
                                                                        if m == 0xCD:  # BYTES_16
                                                                            n = _u16(data, pos)[0]
                                                                            pos += 2
                                                                            end = pos + n
                                                                            if end > len(data):
                                                                                raise _overrun("bytes", n, pos, data)
                                                                            d[k] = data[pos:end]
                                                                            pos = end
                                                                        elif m == 0xCE:  # BYTES_32
                                                                            n = _u32(data, pos)[0]
                                                                            pos += 4
                                                                            end = pos + n
                                                                            if end > len(data):
                                                                                raise _overrun("bytes", n, pos, data)
                                                                            d[k] = data[pos:end]
                                                                            pos = end
                                                                        else:
                                                                            d[k], pos = unpack(data, pos - 1, level + 1, left)
                                                        else:
                                                            if m < 0xD1:
                                                                # STRING_8
                                                                n = data[pos]
                                                                pos += 1
                                                                end = pos + n
                                                                if end > len(data):
                                                                    raise _overrun("string", n, pos, data)
                                                                try:
                                                                    d[k] = data[pos:end].decode()
                                                                except UnicodeDecodeError as exc:
                                                                    raise _bad_utf8(exc, pos) from None
                                                                pos = end
                                                            else:
                                                                if m < 0xF0:
                                                                    if m < 0xD2:
                                                                        # STRING_16
                                                                        n = _u16(data, pos)[0]
                                                                        pos += 2
                                                                        end = pos + n
                                                                        if end > len(data):
                                                                            raise _overrun("string", n, pos, data)
                                                                        try:
                                                                            d[k] = data[pos:end].decode()
                                                                        except UnicodeDecodeError as exc:
                                                                            raise _bad_utf8(exc, pos) from None
                                                                        pos = end
                                                                    else:
                                                                        if m == 0xD2:  # STRING_32
                                                                            n = _u32(data, pos)[0]
                                                                            pos += 4
                                                                            end = pos + n
                                                                            if end > len(data):
                                                                                raise _overrun("string", n, pos, data)
                                                                            try:
                                                                                d[k] = data[pos:end].decode()
                                                                            except UnicodeDecodeError as exc:
                                                                                raise _bad_utf8(exc, pos) from None
                                                                            pos = end
                                                                        elif m == 0xE0:  # UUID
                                                                            if not allow_UUID:
                                                                                raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                    "it exists in Bolt 6.1+", pos - 1)
                                                                            if pos + 16 > len(data):
                                                                                raise _overrun("UUID", 16, pos, data)
                                                                            d[k] = _from_UUID(data[pos:pos + 16])
                                                                            pos += 16
                                                                        else:
                                                                            d[k], pos = unpack(data, pos - 1, level + 1, left)
                                                                else:
                                                                    # TINY_INT_NEGATIVE
                                                                    d[k] = m - 0x100
                                                elif m <= 0xAF:  # TINY_LIST, TINY_MAP: here, saving a call
                                                    if level >= max_depth - 1:
                                                        raise ProtocolError(f"values nested deeper than {max_depth} levels", pos - 1)
                                                    if m <= 0x9F:
                                                        n = m - 0x90
                                                        if n > len(data) - pos:
                                                            raise _overrun("list", n, pos, data)
                                                        left[0] -= n
                                                        if left[0] < 0:
                                                            raise _too_many(left, pos - 1)
                                                        lst1 = _NONE * n
                                                        for i1 in _RANGES[n]:
                                                            m = data[pos]
                                                            pos += 1
                                                            if m <= 0x7F:  # TINY_INT
                                                                lst1[i1] = m
                                                            elif m <= 0x8F:  # TINY_STRING
                                                                n = m - 0x80
                                                                end = pos + n
                                                                if end > len(data):
                                                                    raise _overrun("string", n, pos, data)
                                                                try:
                                                                    lst1[i1] = data[pos:end].decode()
                                                                except UnicodeDecodeError as exc:
                                                                    raise _bad_utf8(exc, pos) from None
                                                                pos = end
                                                            elif m >= 0xC0:
                                                                if m < 0xCA:
                                                                    if m < 0xC3:
                                                                        if m < 0xC1:
                                                                            # NULL
                                                                            lst1[i1] = None
                                                                        else:
                                                                            if m == 0xC1:  # FLOAT_64
                                                                                lst1[i1], = _f64(data, pos)
                                                                                pos += 8
                                                                            else:  # FALSE
                                                                                lst1[i1] = False
                                                                    else:
                                                                        if m < 0xC9:
                                                                            if m == 0xC3:  # TRUE
                                                                                lst1[i1] = True
                                                                            elif m == 0xC8:  # INT_8
                                                                                n = data[pos]
                                                                                lst1[i1] = n - 0x100 if n > 0x7F else n
                                                                                pos += 1
                                                                            else:
                                                                                lst1[i1], pos = unpack(data, pos - 1, level + 2, left)
                                                                        else:
                                                                            # INT_16
                                                                            lst1[i1], = _i16(data, pos)
                                                                            pos += 2
                                                                else:
                                                                    if m < 0xD0:
                                                                        if m < 0xCB:
                                                                            # INT_32
                                                                            lst1[i1], = _i32(data, pos)
                                                                            pos += 4
                                                                        else:
                                                                            if m < 0xCC:
                                                                                # INT_64
                                                                                lst1[i1], = _i64(data, pos)
                                                                                pos += 8
                                                                            else:
                                                                                if m < 0xCD:
                                                                                    # BYTES_8
                                                                                    n = data[pos]
                                                                                    pos += 1
                                                                                    end = pos + n
                                                                                    if end > len(data):
                                                                                        raise _overrun("bytes", n, pos, data)
                                                                                    lst1[i1] = data[pos:end]
                                                                                    pos = end
                                                                                else:
                                                                                    if m == 0xCD:  # BYTES_16
                                                                                        n = _u16(data, pos)[0]
                                                                                        pos += 2
                                                                                        end = pos + n
                                                                                        if end > len(data):
                                                                                            raise _overrun("bytes", n, pos, data)
                                                                                        lst1[i1] = data[pos:end]
                                                                                        pos = end
                                                                                    elif m == 0xCE:  # BYTES_32
                                                                                        n = _u32(data, pos)[0]
                                                                                        pos += 4
                                                                                        end = pos + n
                                                                                        if end > len(data):
                                                                                            raise _overrun("bytes", n, pos, data)
                                                                                        lst1[i1] = data[pos:end]
                                                                                        pos = end
                                                                                    else:
                                                                                        lst1[i1], pos = unpack(data, pos - 1, level + 2, left)
                                                                    else:
                                                                        if m < 0xD1:
                                                                            # STRING_8
                                                                            n = data[pos]
                                                                            pos += 1
                                                                            end = pos + n
                                                                            if end > len(data):
                                                                                raise _overrun("string", n, pos, data)
                                                                            try:
                                                                                lst1[i1] = data[pos:end].decode()
                                                                            except UnicodeDecodeError as exc:
                                                                                raise _bad_utf8(exc, pos) from None
                                                                            pos = end
                                                                        else:
                                                                            if m < 0xF0:
                                                                                if m < 0xD2:
                                                                                    # STRING_16
                                                                                    n = _u16(data, pos)[0]
                                                                                    pos += 2
                                                                                    end = pos + n
                                                                                    if end > len(data):
                                                                                        raise _overrun("string", n, pos, data)
                                                                                    try:
                                                                                        lst1[i1] = data[pos:end].decode()
                                                                                    except UnicodeDecodeError as exc:
                                                                                        raise _bad_utf8(exc, pos) from None
                                                                                    pos = end
                                                                                else:
                                                                                    if m == 0xD2:  # STRING_32
                                                                                        n = _u32(data, pos)[0]
                                                                                        pos += 4
                                                                                        end = pos + n
                                                                                        if end > len(data):
                                                                                            raise _overrun("string", n, pos, data)
                                                                                        try:
                                                                                            lst1[i1] = data[pos:end].decode()
                                                                                        except UnicodeDecodeError as exc:
                                                                                            raise _bad_utf8(exc, pos) from None
                                                                                        pos = end
                                                                                    elif m == 0xE0:  # UUID
                                                                                        if not allow_UUID:
                                                                                            raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                                "it exists in Bolt 6.1+", pos - 1)
                                                                                        if pos + 16 > len(data):
                                                                                            raise _overrun("UUID", 16, pos, data)
                                                                                        lst1[i1] = _from_UUID(data[pos:pos + 16])
                                                                                        pos += 16
                                                                                    else:
                                                                                        lst1[i1], pos = unpack(data, pos - 1, level + 2, left)
                                                                            else:
                                                                                # TINY_INT_NEGATIVE
                                                                                lst1[i1] = m - 0x100
                                                            else:  # tiny containers and structures
                                                                lst1[i1], pos = unpack(data, pos - 1, level + 2, left)
                                                        d[k] = lst1
                                                    else:
                                                        n = m - 0xA0
                                                        if n > (len(data) - pos) >> 1:
                                                            raise _overrun("map", n, pos, data)
                                                        left[0] -= n + n
                                                        if left[0] < 0:
                                                            raise _too_many(left, pos - 1)
                                                        d1 = {}
                                                        for _ in _RANGES[n]:
                                                            k1 = data[pos] ^ 0x80
                                                            pos += 1
                                                            if k1 < 16:  # TINY_STRING
                                                                pass
                                                            elif k1 == 0x50:  # STRING_8
                                                                k1 = data[pos]
                                                                pos += 1
                                                            elif k1 == 0x51:  # STRING_16
                                                                k1 = _u16(data, pos)[0]
                                                                pos += 2
                                                            elif k1 == 0x52:  # STRING_32
                                                                k1 = _u32(data, pos)[0]
                                                                pos += 4
                                                            else:
                                                                raise _bad_key(k1 ^ 0x80, pos - 1)
                                                            end = pos + k1
                                                            if end > len(data):
                                                                raise _overrun("string", k1, pos, data)
                                                            try:
                                                                k1 = data[pos:end].decode()
                                                            except UnicodeDecodeError as exc:
                                                                raise _bad_utf8(exc, pos) from None
                                                            pos = end
                                                            m = data[pos]
                                                            pos += 1
                                                            if m <= 0x7F:  # TINY_INT
                                                                d1[k1] = m
                                                            elif m <= 0x8F:  # TINY_STRING
                                                                n = m - 0x80
                                                                end = pos + n
                                                                if end > len(data):
                                                                    raise _overrun("string", n, pos, data)
                                                                try:
                                                                    d1[k1] = data[pos:end].decode()
                                                                except UnicodeDecodeError as exc:
                                                                    raise _bad_utf8(exc, pos) from None
                                                                pos = end
                                                            elif m >= 0xC0:
                                                                if m < 0xCA:
                                                                    if m < 0xC3:
                                                                        if m < 0xC1:
                                                                            # NULL
                                                                            d1[k1] = None
                                                                        else:
                                                                            if m == 0xC1:  # FLOAT_64
                                                                                d1[k1], = _f64(data, pos)
                                                                                pos += 8
                                                                            else:  # FALSE
                                                                                d1[k1] = False
                                                                    else:
                                                                        if m < 0xC9:
                                                                            if m == 0xC3:  # TRUE
                                                                                d1[k1] = True
                                                                            elif m == 0xC8:  # INT_8
                                                                                n = data[pos]
                                                                                d1[k1] = n - 0x100 if n > 0x7F else n
                                                                                pos += 1
                                                                            else:
                                                                                d1[k1], pos = unpack(data, pos - 1, level + 2, left)
                                                                        else:
                                                                            # INT_16
                                                                            d1[k1], = _i16(data, pos)
                                                                            pos += 2
                                                                else:
                                                                    if m < 0xD0:
                                                                        if m < 0xCB:
                                                                            # INT_32
                                                                            d1[k1], = _i32(data, pos)
                                                                            pos += 4
                                                                        else:
                                                                            if m < 0xCC:
                                                                                # INT_64
                                                                                d1[k1], = _i64(data, pos)
                                                                                pos += 8
                                                                            else:
                                                                                if m < 0xCD:
                                                                                    # BYTES_8
                                                                                    n = data[pos]
                                                                                    pos += 1
                                                                                    end = pos + n
                                                                                    if end > len(data):
                                                                                        raise _overrun("bytes", n, pos, data)
                                                                                    d1[k1] = data[pos:end]
                                                                                    pos = end
                                                                                else:
                                                                                    if m == 0xCD:  # BYTES_16
                                                                                        n = _u16(data, pos)[0]
                                                                                        pos += 2
                                                                                        end = pos + n
                                                                                        if end > len(data):
                                                                                            raise _overrun("bytes", n, pos, data)
                                                                                        d1[k1] = data[pos:end]
                                                                                        pos = end
                                                                                    elif m == 0xCE:  # BYTES_32
                                                                                        n = _u32(data, pos)[0]
                                                                                        pos += 4
                                                                                        end = pos + n
                                                                                        if end > len(data):
                                                                                            raise _overrun("bytes", n, pos, data)
                                                                                        d1[k1] = data[pos:end]
                                                                                        pos = end
                                                                                    else:
                                                                                        d1[k1], pos = unpack(data, pos - 1, level + 2, left)
                                                                    else:
                                                                        if m < 0xD1:
                                                                            # STRING_8
                                                                            n = data[pos]
                                                                            pos += 1
                                                                            end = pos + n
                                                                            if end > len(data):
                                                                                raise _overrun("string", n, pos, data)
                                                                            try:
                                                                                d1[k1] = data[pos:end].decode()
                                                                            except UnicodeDecodeError as exc:
                                                                                raise _bad_utf8(exc, pos) from None
                                                                            pos = end
                                                                        else:
                                                                            if m < 0xF0:
                                                                                if m < 0xD2:
                                                                                    # STRING_16
                                                                                    n = _u16(data, pos)[0]
                                                                                    pos += 2
                                                                                    end = pos + n
                                                                                    if end > len(data):
                                                                                        raise _overrun("string", n, pos, data)
                                                                                    try:
                                                                                        d1[k1] = data[pos:end].decode()
                                                                                    except UnicodeDecodeError as exc:
                                                                                        raise _bad_utf8(exc, pos) from None
                                                                                    pos = end
                                                                                else:
                                                                                    if m == 0xD2:  # STRING_32
                                                                                        n = _u32(data, pos)[0]
                                                                                        pos += 4
                                                                                        end = pos + n
                                                                                        if end > len(data):
                                                                                            raise _overrun("string", n, pos, data)
                                                                                        try:
                                                                                            d1[k1] = data[pos:end].decode()
                                                                                        except UnicodeDecodeError as exc:
                                                                                            raise _bad_utf8(exc, pos) from None
                                                                                        pos = end
                                                                                    elif m == 0xE0:  # UUID
                                                                                        if not allow_UUID:
                                                                                            raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                                "it exists in Bolt 6.1+", pos - 1)
                                                                                        if pos + 16 > len(data):
                                                                                            raise _overrun("UUID", 16, pos, data)
                                                                                        d1[k1] = _from_UUID(data[pos:pos + 16])
                                                                                        pos += 16
                                                                                    else:
                                                                                        d1[k1], pos = unpack(data, pos - 1, level + 2, left)
                                                                            else:
                                                                                # TINY_INT_NEGATIVE
                                                                                d1[k1] = m - 0x100
                                                            else:  # tiny containers and structures
                                                                d1[k1], pos = unpack(data, pos - 1, level + 2, left)
                                                        d[k] = d1
                                                else:  # TINY_STRUCT
                                                    d[k], pos = unpack(data, pos - 1, level + 1, left)
                                            return d, pos
                                        elif m == 0xDA:  # MAP_32
                                            if level >= max_depth:
                                                raise ProtocolError(f"values nested deeper than {max_depth} levels", pos - 1)
                                            n = _u32(data, pos)[0]
                                            pos += 4
                                            if n > (len(data) - pos) >> 1:
                                                raise _overrun("map", n, pos, data)
                                            left[0] -= n + n
                                            if left[0] < 0:
                                                raise _too_many(left, pos - 5)
                                            d = {}
                                            for _ in range(n):
                                                k = data[pos] ^ 0x80
                                                pos += 1
                                                if k < 16:  # TINY_STRING
                                                    pass
                                                elif k == 0x50:  # STRING_8
                                                    k = data[pos]
                                                    pos += 1
                                                elif k == 0x51:  # STRING_16
                                                    k = _u16(data, pos)[0]
                                                    pos += 2
                                                elif k == 0x52:  # STRING_32
                                                    k = _u32(data, pos)[0]
                                                    pos += 4
                                                else:
                                                    raise _bad_key(k ^ 0x80, pos - 1)
                                                end = pos + k
                                                if end > len(data):
                                                    raise _overrun("string", k, pos, data)
                                                try:
                                                    k = data[pos:end].decode()
                                                except UnicodeDecodeError as exc:
                                                    raise _bad_utf8(exc, pos) from None
                                                pos = end
                                                m = data[pos]
                                                pos += 1
                                                if m <= 0x7F:  # TINY_INT
                                                    d[k] = m
                                                elif m <= 0x8F:  # TINY_STRING
                                                    n = m - 0x80
                                                    end = pos + n
                                                    if end > len(data):
                                                        raise _overrun("string", n, pos, data)
                                                    try:
                                                        d[k] = data[pos:end].decode()
                                                    except UnicodeDecodeError as exc:
                                                        raise _bad_utf8(exc, pos) from None
                                                    pos = end
                                                elif m >= 0xC0:
                                                    if m < 0xCA:
                                                        if m < 0xC3:
                                                            if m < 0xC1:
                                                                # NULL
                                                                d[k] = None
                                                            else:
                                                                if m == 0xC1:  # FLOAT_64
                                                                    d[k], = _f64(data, pos)
                                                                    pos += 8
                                                                else:  # FALSE
                                                                    d[k] = False
                                                        else:
                                                            if m < 0xC9:
                                                                if m == 0xC3:  # TRUE
                                                                    d[k] = True
                                                                elif m == 0xC8:  # INT_8
                                                                    n = data[pos]
                                                                    d[k] = n - 0x100 if n > 0x7F else n
                                                                    pos += 1
                                                                else:
                                                                    d[k], pos = unpack(data, pos - 1, level + 1, left)
                                                            else:
                                                                # INT_16
                                                                d[k], = _i16(data, pos)
                                                                pos += 2
                                                    else:
                                                        if m < 0xD0:
                                                            if m < 0xCB:
                                                                # INT_32
                                                                d[k], = _i32(data, pos)
                                                                pos += 4
                                                            else:
                                                                if m < 0xCC:
                                                                    # INT_64
                                                                    d[k], = _i64(data, pos)
                                                                    pos += 8
                                                                else:
                                                                    if m < 0xCD:
                                                                        # BYTES_8
                                                                        n = data[pos]
                                                                        pos += 1
                                                                        end = pos + n
                                                                        if end > len(data):
                                                                            raise _overrun("bytes", n, pos, data)
                                                                        d[k] = data[pos:end]
                                                                        pos = end
                                                                    else:
                                                                        if m == 0xCD:  # BYTES_16
                                                                            n = _u16(data, pos)[0]
                                                                            pos += 2
                                                                            end = pos + n
                                                                            if end > len(data):
                                                                                raise _overrun("bytes", n, pos, data)
                                                                            d[k] = data[pos:end]
                                                                            pos = end
                                                                        elif m == 0xCE:  # BYTES_32
                                                                            n = _u32(data, pos)[0]
                                                                            pos += 4
                                                                            end = pos + n
                                                                            if end > len(data):
                                                                                raise _overrun("bytes", n, pos, data)
                                                                            d[k] = data[pos:end]
                                                                            pos = end
                                                                        else:
                                                                            d[k], pos = unpack(data, pos - 1, level + 1, left)
                                                        else:
                                                            if m < 0xD1:
                                                                # STRING_8
                                                                n = data[pos]
                                                                pos += 1
                                                                end = pos + n
                                                                if end > len(data):
                                                                    raise _overrun("string", n, pos, data)
                                                                try:
                                                                    d[k] = data[pos:end].decode()
                                                                except UnicodeDecodeError as exc:
                                                                    raise _bad_utf8(exc, pos) from None
                                                                pos = end
                                                            else:
                                                                if m < 0xF0:
                                                                    if m < 0xD2:
                                                                        # STRING_16
                                                                        n = _u16(data, pos)[0]
                                                                        pos += 2
                                                                        end = pos + n
                                                                        if end > len(data):
                                                                            raise _overrun("string", n, pos, data)
                                                                        try:
                                                                            d[k] = data[pos:end].decode()
                                                                        except UnicodeDecodeError as exc:
                                                                            raise _bad_utf8(exc, pos) from None
                                                                        pos = end
                                                                    else:
                                                                        if m == 0xD2:  # STRING_32
                                                                            n = _u32(data, pos)[0]
                                                                            pos += 4
                                                                            end = pos + n
                                                                            if end > len(data):
                                                                                raise _overrun("string", n, pos, data)
                                                                            try:
                                                                                d[k] = data[pos:end].decode()
                                                                            except UnicodeDecodeError as exc:
                                                                                raise _bad_utf8(exc, pos) from None
                                                                            pos = end
                                                                        elif m == 0xE0:  # UUID
                                                                            if not allow_UUID:
                                                                                raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                    "it exists in Bolt 6.1+", pos - 1)
                                                                            if pos + 16 > len(data):
                                                                                raise _overrun("UUID", 16, pos, data)
                                                                            d[k] = _from_UUID(data[pos:pos + 16])
                                                                            pos += 16
                                                                        else:
                                                                            d[k], pos = unpack(data, pos - 1, level + 1, left)
                                                                else:
                                                                    # TINY_INT_NEGATIVE
                                                                    d[k] = m - 0x100
                                                elif m <= 0xAF:  # TINY_LIST, TINY_MAP: here, saving a call
                                                    if level >= max_depth - 1:
                                                        raise ProtocolError(f"values nested deeper than {max_depth} levels", pos - 1)
                                                    if m <= 0x9F:
                                                        n = m - 0x90
                                                        if n > len(data) - pos:
                                                            raise _overrun("list", n, pos, data)
                                                        left[0] -= n
                                                        if left[0] < 0:
                                                            raise _too_many(left, pos - 1)
                                                        lst1 = _NONE * n
                                                        for i1 in _RANGES[n]:
                                                            m = data[pos]
                                                            pos += 1
                                                            if m <= 0x7F:  # TINY_INT
                                                                lst1[i1] = m
                                                            elif m <= 0x8F:  # TINY_STRING
                                                                n = m - 0x80
                                                                end = pos + n
                                                                if end > len(data):
                                                                    raise _overrun("string", n, pos, data)
                                                                try:
                                                                    lst1[i1] = data[pos:end].decode()
                                                                except UnicodeDecodeError as exc:
                                                                    raise _bad_utf8(exc, pos) from None
                                                                pos = end
                                                            elif m >= 0xC0:
                                                                if m < 0xCA:
                                                                    if m < 0xC3:
                                                                        if m < 0xC1:
                                                                            # NULL
                                                                            lst1[i1] = None
                                                                        else:
                                                                            if m == 0xC1:  # FLOAT_64
                                                                                lst1[i1], = _f64(data, pos)
                                                                                pos += 8
                                                                            else:  # FALSE
                                                                                lst1[i1] = False
                                                                    else:
                                                                        if m < 0xC9:
                                                                            if m == 0xC3:  # TRUE
                                                                                lst1[i1] = True
                                                                            elif m == 0xC8:  # INT_8
                                                                                n = data[pos]
                                                                                lst1[i1] = n - 0x100 if n > 0x7F else n
                                                                                pos += 1
                                                                            else:
                                                                                lst1[i1], pos = unpack(data, pos - 1, level + 2, left)
                                                                        else:
                                                                            # INT_16
                                                                            lst1[i1], = _i16(data, pos)
                                                                            pos += 2
                                                                else:
                                                                    if m < 0xD0:
                                                                        if m < 0xCB:
                                                                            # INT_32
                                                                            lst1[i1], = _i32(data, pos)
                                                                            pos += 4
                                                                        else:
                                                                            if m < 0xCC:
                                                                                # INT_64
                                                                                lst1[i1], = _i64(data, pos)
                                                                                pos += 8
                                                                            else:
                                                                                if m < 0xCD:
                                                                                    # BYTES_8
                                                                                    n = data[pos]
                                                                                    pos += 1
                                                                                    end = pos + n
                                                                                    if end > len(data):
                                                                                        raise _overrun("bytes", n, pos, data)
                                                                                    lst1[i1] = data[pos:end]
                                                                                    pos = end
                                                                                else:
                                                                                    if m == 0xCD:  # BYTES_16
                                                                                        n = _u16(data, pos)[0]
                                                                                        pos += 2
                                                                                        end = pos + n
                                                                                        if end > len(data):
                                                                                            raise _overrun("bytes", n, pos, data)
                                                                                        lst1[i1] = data[pos:end]
                                                                                        pos = end
                                                                                    elif m == 0xCE:  # BYTES_32
                                                                                        n = _u32(data, pos)[0]
                                                                                        pos += 4
                                                                                        end = pos + n
                                                                                        if end > len(data):
                                                                                            raise _overrun("bytes", n, pos, data)
                                                                                        lst1[i1] = data[pos:end]
                                                                                        pos = end
                                                                                    else:
                                                                                        lst1[i1], pos = unpack(data, pos - 1, level + 2, left)
                                                                    else:
                                                                        if m < 0xD1:
                                                                            # STRING_8
                                                                            n = data[pos]
                                                                            pos += 1
                                                                            end = pos + n
                                                                            if end > len(data):
                                                                                raise _overrun("string", n, pos, data)
                                                                            try:
                                                                                lst1[i1] = data[pos:end].decode()
                                                                            except UnicodeDecodeError as exc:
                                                                                raise _bad_utf8(exc, pos) from None
                                                                            pos = end
                                                                        else:
                                                                            if m < 0xF0:
                                                                                if m < 0xD2:
                                                                                    # STRING_16
                                                                                    n = _u16(data, pos)[0]
                                                                                    pos += 2
                                                                                    end = pos + n
                                                                                    if end > len(data):
                                                                                        raise _overrun("string", n, pos, data)
                                                                                    try:
                                                                                        lst1[i1] = data[pos:end].decode()
                                                                                    except UnicodeDecodeError as exc:
                                                                                        raise _bad_utf8(exc, pos) from None
                                                                                    pos = end
                                                                                else:
                                                                                    if m == 0xD2:  # STRING_32
                                                                                        n = _u32(data, pos)[0]
                                                                                        pos += 4
                                                                                        end = pos + n
                                                                                        if end > len(data):
                                                                                            raise _overrun("string", n, pos, data)
                                                                                        try:
                                                                                            lst1[i1] = data[pos:end].decode()
                                                                                        except UnicodeDecodeError as exc:
                                                                                            raise _bad_utf8(exc, pos) from None
                                                                                        pos = end
                                                                                    elif m == 0xE0:  # UUID
                                                                                        if not allow_UUID:
                                                                                            raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                                "it exists in Bolt 6.1+", pos - 1)
                                                                                        if pos + 16 > len(data):
                                                                                            raise _overrun("UUID", 16, pos, data)
                                                                                        lst1[i1] = _from_UUID(data[pos:pos + 16])
                                                                                        pos += 16
                                                                                    else:
                                                                                        lst1[i1], pos = unpack(data, pos - 1, level + 2, left)
                                                                            else:
                                                                                # TINY_INT_NEGATIVE
                                                                                lst1[i1] = m - 0x100
                                                            else:  # tiny containers and structures
                                                                lst1[i1], pos = unpack(data, pos - 1, level + 2, left)
                                                        d[k] = lst1
                                                    else:
                                                        n = m - 0xA0
                                                        if n > (len(data) - pos) >> 1:
                                                            raise _overrun("map", n, pos, data)
                                                        left[0] -= n + n
                                                        if left[0] < 0:
                                                            raise _too_many(left, pos - 1)
                                                        d1 = {}
                                                        for _ in _RANGES[n]:
                                                            k1 = data[pos] ^ 0x80
                                                            pos += 1
                                                            if k1 < 16:  # TINY_STRING
                                                                pass
                                                            elif k1 == 0x50:  # STRING_8
                                                                k1 = data[pos]
                                                                pos += 1
                                                            elif k1 == 0x51:  # STRING_16
                                                                k1 = _u16(data, pos)[0]
                                                                pos += 2
                                                            elif k1 == 0x52:  # STRING_32
                                                                k1 = _u32(data, pos)[0]
                                                                pos += 4
                                                            else:
                                                                raise _bad_key(k1 ^ 0x80, pos - 1)
                                                            end = pos + k1
                                                            if end > len(data):
                                                                raise _overrun("string", k1, pos, data)
                                                            try:
                                                                k1 = data[pos:end].decode()
                                                            except UnicodeDecodeError as exc:
                                                                raise _bad_utf8(exc, pos) from None
                                                            pos = end
                                                            m = data[pos]
                                                            pos += 1
                                                            if m <= 0x7F:  # TINY_INT
                                                                d1[k1] = m
                                                            elif m <= 0x8F:  # TINY_STRING
                                                                n = m - 0x80
                                                                end = pos + n
                                                                if end > len(data):
                                                                    raise _overrun("string", n, pos, data)
                                                                try:
                                                                    d1[k1] = data[pos:end].decode()
                                                                except UnicodeDecodeError as exc:
                                                                    raise _bad_utf8(exc, pos) from None
                                                                pos = end
                                                            elif m >= 0xC0:
                                                                if m < 0xCA:
                                                                    if m < 0xC3:
                                                                        if m < 0xC1:
                                                                            # NULL
                                                                            d1[k1] = None
                                                                        else:
                                                                            if m == 0xC1:  # FLOAT_64
                                                                                d1[k1], = _f64(data, pos)
                                                                                pos += 8
                                                                            else:  # FALSE
                                                                                d1[k1] = False
                                                                    else:
                                                                        if m < 0xC9:
                                                                            if m == 0xC3:  # TRUE
                                                                                d1[k1] = True
                                                                            elif m == 0xC8:  # INT_8
                                                                                n = data[pos]
                                                                                d1[k1] = n - 0x100 if n > 0x7F else n
                                                                                pos += 1
                                                                            else:
                                                                                d1[k1], pos = unpack(data, pos - 1, level + 2, left)
                                                                        else:
                                                                            # INT_16
                                                                            d1[k1], = _i16(data, pos)
                                                                            pos += 2
                                                                else:
                                                                    if m < 0xD0:
                                                                        if m < 0xCB:
                                                                            # INT_32
                                                                            d1[k1], = _i32(data, pos)
                                                                            pos += 4
                                                                        else:
                                                                            if m < 0xCC:
                                                                                # INT_64
                                                                                d1[k1], = _i64(data, pos)
                                                                                pos += 8
                                                                            else:
                                                                                if m < 0xCD:
                                                                                    # BYTES_8
                                                                                    n = data[pos]
                                                                                    pos += 1
                                                                                    end = pos + n
                                                                                    if end > len(data):
                                                                                        raise _overrun("bytes", n, pos, data)
                                                                                    d1[k1] = data[pos:end]
                                                                                    pos = end
                                                                                else:
                                                                                    if m == 0xCD:  # BYTES_16
                                                                                        n = _u16(data, pos)[0]
                                                                                        pos += 2
                                                                                        end = pos + n
                                                                                        if end > len(data):
                                                                                            raise _overrun("bytes", n, pos, data)
                                                                                        d1[k1] = data[pos:end]
                                                                                        pos = end
                                                                                    elif m == 0xCE:  # BYTES_32
                                                                                        n = _u32(data, pos)[0]
                                                                                        pos += 4
                                                                                        end = pos + n
                                                                                        if end > len(data):
                                                                                            raise _overrun("bytes", n, pos, data)
                                                                                        d1[k1] = data[pos:end]
                                                                                        pos = end
                                                                                    else:
                                                                                        d1[k1], pos = unpack(data, pos - 1, level + 2, left)
                                                                    else:
                                                                        if m < 0xD1:
                                                                            # STRING_8
                                                                            n = data[pos]
                                                                            pos += 1
                                                                            end = pos + n
                                                                            if end > len(data):
                                                                                raise _overrun("string", n, pos, data)
                                                                            try:
                                                                                d1[k1] = data[pos:end].decode()
                                                                            except UnicodeDecodeError as exc:
                                                                                raise _bad_utf8(exc, pos) from None
                                                                            pos = end
                                                                        else:
                                                                            if m < 0xF0:
                                                                                if m < 0xD2:
                                                                                    # STRING_16
                                                                                    n = _u16(data, pos)[0]
                                                                                    pos += 2
                                                                                    end = pos + n
                                                                                    if end > len(data):
                                                                                        raise _overrun("string", n, pos, data)
                                                                                    try:
                                                                                        d1[k1] = data[pos:end].decode()
                                                                                    except UnicodeDecodeError as exc:
                                                                                        raise _bad_utf8(exc, pos) from None
                                                                                    pos = end
                                                                                else:
                                                                                    if m == 0xD2:  # STRING_32
                                                                                        n = _u32(data, pos)[0]
                                                                                        pos += 4
                                                                                        end = pos + n
                                                                                        if end > len(data):
                                                                                            raise _overrun("string", n, pos, data)
                                                                                        try:
                                                                                            d1[k1] = data[pos:end].decode()
                                                                                        except UnicodeDecodeError as exc:
                                                                                            raise _bad_utf8(exc, pos) from None
                                                                                        pos = end
                                                                                    elif m == 0xE0:  # UUID
                                                                                        if not allow_UUID:
                                                                                            raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                                                                                "it exists in Bolt 6.1+", pos - 1)
                                                                                        if pos + 16 > len(data):
                                                                                            raise _overrun("UUID", 16, pos, data)
                                                                                        d1[k1] = _from_UUID(data[pos:pos + 16])
                                                                                        pos += 16
                                                                                    else:
                                                                                        d1[k1], pos = unpack(data, pos - 1, level + 2, left)
                                                                            else:
                                                                                # TINY_INT_NEGATIVE
                                                                                d1[k1] = m - 0x100
                                                            else:  # tiny containers and structures
                                                                d1[k1], pos = unpack(data, pos - 1, level + 2, left)
                                                        d[k] = d1
                                                else:  # TINY_STRUCT
                                                    d[k], pos = unpack(data, pos - 1, level + 1, left)
                                            return d, pos
                        else:
                            if m == 0xE0:  # UUID
                                if not allow_UUID:
                                    raise ProtocolError(f"UUID (marker 0xE0) is not part of Bolt {profile}; "
                                                        "it exists in Bolt 6.1+", pos - 1)
                                if pos + 16 > len(data):
                                    raise _overrun("UUID", 16, pos, data)
                                v = _from_UUID(data[pos:pos + 16])
                                pos += 16

                                return v, pos
                            elif m >= 0xF0:  # TINY_INT_NEGATIVE
                                v = m - 0x100

                                return v, pos
        raise ProtocolError(_reserved(m), pos - 1)

    return unpack


def _make_pack(packers: dict, unavailable: dict) -> Any:
    """The encoder of one profile: ``pack(value, out)`` appends to the bytearray ``out``."""

    def pack(v: Any, out: bytearray) -> None:
        t = type(v)
        if t is str:
            b = v.encode()
            n = len(b)
            if n < 0x10:
                out.append(0x80 + n)
            elif n < 0x100:
                out += _pack_BB(0xD0, n)
            elif n < 0x10000:
                out += _pack_BH(0xD1, n)
            elif n < 0x80000000:
                out += _pack_BI(0xD2, n)
            else:
                raise ValueError(f"string of size {n} exceeds the PackStream limit of {_MAX_SIZE}")
            out += b
        elif t is int:
            if -16 <= v <= 127:
                out.append(v & 0xFF)
            elif -128 <= v <= 127:
                out += _pack_Bb(0xC8, v)
            elif -32768 <= v <= 32767:
                out += _pack_Bh(0xC9, v)
            elif -2147483648 <= v <= 2147483647:
                out += _pack_Bi(0xCA, v)
            elif -9223372036854775808 <= v <= 9223372036854775807:
                out += _pack_Bq(0xCB, v)
            else:
                raise ValueError(f"integer {v} is outside the PackStream range (64-bit signed)")
        elif v is None:
            out.append(0xC0)
        elif t is float:
            out += _pack_Bd(0xC1, v)
        elif t is dict:
            n = len(v)
            if n < 0x10:
                out.append(0xA0 + n)
            elif n < 0x100:
                out += _pack_BB(0xD8, n)
            elif n < 0x10000:
                out += _pack_BH(0xD9, n)
            elif n < 0x80000000:
                out += _pack_BI(0xDA, n)
            else:
                raise ValueError(f"map of size {n} exceeds the PackStream limit of {_MAX_SIZE}")
            for k, item in v.items():
                if type(k) is not str:
                    if not isinstance(k, str):
                        raise TypeError(f"map keys must be strings, found {type(k).__name__} {k!r}")
                    k = str(k)
                pack(k, out)
                pack(item, out)
        elif t is list or t is tuple:
            n = len(v)
            if n < 0x10:
                out.append(0x90 + n)
            elif n < 0x100:
                out += _pack_BB(0xD4, n)
            elif n < 0x10000:
                out += _pack_BH(0xD5, n)
            elif n < 0x80000000:
                out += _pack_BI(0xD6, n)
            else:
                raise ValueError(f"list of size {n} exceeds the PackStream limit of {_MAX_SIZE}")
            for item in v:
                pack(item, out)
        elif t is bool:
            out.append(0xC3 if v else 0xC2)
        elif t in packers:
            header, fields = packers[t]
            out += header
            for item in fields(v):
                pack(item, out)
        elif t is bytes or t is bytearray or t is memoryview:
            n = len(v) if t is not memoryview else v.nbytes
            if n < 0x100:
                out += _pack_BB(0xCC, n)
            elif n < 0x10000:
                out += _pack_BH(0xCD, n)
            elif n < 0x80000000:
                out += _pack_BI(0xCE, n)
            else:
                raise ValueError(f"bytes of size {n} exceeds the PackStream limit of {_MAX_SIZE}")
            out += v
        else:
            _pack_other(pack, v, out, unavailable)

    return pack


def _string_header(n: int, out: bytearray) -> None:
    if n < 0x10:
        out.append(0x80 + n)
    elif n < 0x100:
        out += _pack_BB(0xD0, n)
    elif n < 0x10000:
        out += _pack_BH(0xD1, n)
    elif n < 0x80000000:
        out += _pack_BI(0xD2, n)
    else:
        raise ValueError(f"string of size {n} exceeds the PackStream limit of {_MAX_SIZE}")


def _list_header(n: int, out: bytearray) -> None:
    if n < 0x10:
        out.append(0x90 + n)
    elif n < 0x100:
        out += _pack_BB(0xD4, n)
    elif n < 0x10000:
        out += _pack_BH(0xD5, n)
    elif n < 0x80000000:
        out += _pack_BI(0xD6, n)
    else:
        raise ValueError(f"list of size {n} exceeds the PackStream limit of {_MAX_SIZE}")


def _map_header(n: int, out: bytearray) -> None:
    if n < 0x10:
        out.append(0xA0 + n)
    elif n < 0x100:
        out += _pack_BB(0xD8, n)
    elif n < 0x10000:
        out += _pack_BH(0xD9, n)
    elif n < 0x80000000:
        out += _pack_BI(0xDA, n)
    else:
        raise ValueError(f"map of size {n} exceeds the PackStream limit of {_MAX_SIZE}")


def _pack_other(pack: Any, v: Any, out: bytearray, unavailable: dict) -> None:
    """Values off the hot path: generic structures, natives, subclasses of the basic types,
    numpy / pandas / pyarrow values (asyncbolt.codec.bulk, loaded when one comes)."""
    t = type(v)
    if t.__module__.partition(".")[0] in _FOREIGN:
        if not _BULK:
            from asyncbolt.codec.bulk import pack_foreign

            _BULK.append(pack_foreign)
        if _BULK[0](pack, v, out, unavailable):
            return
    if t is Structure:
        if len(v.fields) > _MAX_STRUCT_FIELDS:
            raise ValueError(f"a structure holds at most {_MAX_STRUCT_FIELDS} fields, got {len(v.fields)}")
        out.append(0xB0 + len(v.fields))
        out.append(v.tag)
        for item in v.fields:
            pack(item, out)
        return
    if t in unavailable:
        raise ValueError(unavailable[t])
    fixed = _FIXED_ENCODERS.get(t)
    if fixed is not None:
        out.append(fixed[0])
        out += fixed[1](v)
        return
    native = from_native(v)
    if native is not None:
        pack(native, out)
    elif isinstance(v, bool):
        pack(bool(v), out)
    elif isinstance(v, int):
        pack(int(v), out)
    elif isinstance(v, float):
        pack(float(v), out)
    elif isinstance(v, str):
        pack(str(v), out)
    elif isinstance(v, (bytes, bytearray)):
        pack(bytes(v), out)
    elif isinstance(v, dict):
        pack(dict(v), out)
    elif isinstance(v, (list, tuple)):
        pack(list(v), out)
    else:
        raise TypeError(f"cannot pack a {t.__module__}.{t.__qualname__} value into PackStream")


def _m_Init_0(f: list, at: int) -> Any:
    if type(f[0]) is not str:
        raise _bad_field("INIT", "user_agent", "String", f[0], at)
    if type(f[1]) is not dict:
        raise _bad_field("INIT", "auth_token", "Map", f[1], at)
    return _m.Init(user_agent=f[0], auth_token=f[1], )


def _m_Hello_0(f: list, at: int) -> Any:
    if type(f[0]) is not dict:
        raise _bad_field("HELLO", "extra", "Map", f[0], at)
    return _m.Hello(extra=f[0], )


def _m_Goodbye_0(f: list, at: int) -> Any:
    return _m.Goodbye()


def _m_AckFailure_0(f: list, at: int) -> Any:
    return _m.AckFailure()


def _m_Reset_0(f: list, at: int) -> Any:
    return _m.Reset()


def _m_Run_0(f: list, at: int) -> Any:
    if type(f[0]) is not str:
        raise _bad_field("RUN", "query", "String", f[0], at)
    if type(f[1]) is not dict:
        raise _bad_field("RUN", "parameters", "Map", f[1], at)
    return _m.Run(query=f[0], parameters=f[1], )


def _m_Run_1(f: list, at: int) -> Any:
    if type(f[0]) is not str:
        raise _bad_field("RUN", "query", "String", f[0], at)
    if type(f[1]) is not dict:
        raise _bad_field("RUN", "parameters", "Map", f[1], at)
    if type(f[2]) is not dict:
        raise _bad_field("RUN", "extra", "Map", f[2], at)
    return _m.Run(query=f[0], parameters=f[1], extra=f[2], )


def _m_Begin_0(f: list, at: int) -> Any:
    if type(f[0]) is not dict:
        raise _bad_field("BEGIN", "extra", "Map", f[0], at)
    return _m.Begin(extra=f[0], )


def _m_Commit_0(f: list, at: int) -> Any:
    return _m.Commit()


def _m_Rollback_0(f: list, at: int) -> Any:
    return _m.Rollback()


def _m_DiscardAll_0(f: list, at: int) -> Any:
    return _m.DiscardAll()


def _m_Discard_0(f: list, at: int) -> Any:
    if type(f[0]) is not dict:
        raise _bad_field("DISCARD", "extra", "Map", f[0], at)
    return _m.Discard(extra=f[0], )


def _m_PullAll_0(f: list, at: int) -> Any:
    return _m.PullAll()


def _m_Pull_0(f: list, at: int) -> Any:
    if type(f[0]) is not dict:
        raise _bad_field("PULL", "extra", "Map", f[0], at)
    return _m.Pull(extra=f[0], )


def _m_Telemetry_0(f: list, at: int) -> Any:
    if type(f[0]) is not int:
        raise _bad_field("TELEMETRY", "api", "Integer", f[0], at)
    return _m.Telemetry(api=f[0], )


def _m_Route_0(f: list, at: int) -> Any:
    if type(f[0]) is not dict:
        raise _bad_field("ROUTE", "routing", "Map", f[0], at)
    if not (type(f[1]) is list and (len(f[1]) < 2 and (not f[1] or type(f[1][0]) is str) or _ONLY_String.issuperset(map(type, f[1])))):
        raise _bad_field("ROUTE", "bookmarks", "List<String>", f[1], at)
    if not (f[2] is None or type(f[2]) is str):
        raise _bad_field("ROUTE", "db", "String?", f[2], at)
    return _m.Route(routing=f[0], bookmarks=f[1], db=f[2], )


def _m_Route_1(f: list, at: int) -> Any:
    if type(f[0]) is not dict:
        raise _bad_field("ROUTE", "routing", "Map", f[0], at)
    if not (type(f[1]) is list and (len(f[1]) < 2 and (not f[1] or type(f[1][0]) is str) or _ONLY_String.issuperset(map(type, f[1])))):
        raise _bad_field("ROUTE", "bookmarks", "List<String>", f[1], at)
    if type(f[2]) is not dict:
        raise _bad_field("ROUTE", "extra", "Map", f[2], at)
    return _m.Route(routing=f[0], bookmarks=f[1], extra=f[2], )


def _m_Logon_0(f: list, at: int) -> Any:
    if type(f[0]) is not dict:
        raise _bad_field("LOGON", "auth", "Map", f[0], at)
    return _m.Logon(auth=f[0], )


def _m_Logoff_0(f: list, at: int) -> Any:
    return _m.Logoff()


def _m_Success_0(f: list, at: int) -> Any:
    if type(f[0]) is not dict:
        raise _bad_field("SUCCESS", "metadata", "Map", f[0], at)
    return _m.Success(metadata=f[0], )


def _m_Record_0(f: list, at: int) -> Any:
    if type(f[0]) is not list:
        raise _bad_field("RECORD", "data", "List", f[0], at)
    return _m.Record(data=f[0], )


def _m_Ignored_0(f: list, at: int) -> Any:
    if len(f) > 0 and type(f[0]) is not dict:
        raise _bad_field("IGNORED", "metadata", "Map", f[0], at)
    return _m.Ignored(*f)


def _m_Failure_0(f: list, at: int) -> Any:
    if type(f[0]) is not dict:
        raise _bad_field("FAILURE", "metadata", "Map", f[0], at)
    return _m.Failure(metadata=f[0], )

# Message table 0: Bolt 1.0, 2.0
_REQUESTS_0 = {
    0x01: ("INIT", 2, 0, _m_Init_0, ("user_agent", "auth_token", )),
    0x0E: ("ACK_FAILURE", 0, 0, _m_AckFailure_0, ()),
    0x0F: ("RESET", 0, 0, _m_Reset_0, ()),
    0x10: ("RUN", 2, 0, _m_Run_0, ("query", "parameters", )),
    0x2F: ("DISCARD_ALL", 0, 0, _m_DiscardAll_0, ()),
    0x3F: ("PULL_ALL", 0, 0, _m_PullAll_0, ()),
}
_RESPONSES_0 = {
    0x70: ("SUCCESS", 1, 0, _m_Success_0, ("metadata", )),
    0x71: ("RECORD", 1, 0, _m_Record_0, ("data", )),
    0x7E: ("IGNORED", 0, 1, _m_Ignored_0, ("metadata", )),
    0x7F: ("FAILURE", 1, 0, _m_Failure_0, ("metadata", )),
}
_MESSAGE_PACKERS_0 = {
    _m.Init: (bytes((0xB2, 0x01)), ("user_agent", "auth_token", )),
    _m.AckFailure: (bytes((0xB0, 0x0E)), ()),
    _m.Reset: (bytes((0xB0, 0x0F)), ()),
    _m.Run: (bytes((0xB2, 0x10)), ("query", "parameters", )),
    _m.DiscardAll: (bytes((0xB0, 0x2F)), ()),
    _m.PullAll: (bytes((0xB0, 0x3F)), ()),
    _m.Success: (bytes((0xB1, 0x70)), ("metadata", )),
    _m.Record: (bytes((0xB1, 0x71)), ("data", )),
    _m.Ignored: (bytes((0xB0, 0x7E)), ()),
    _m.Failure: (bytes((0xB1, 0x7F)), ("metadata", )),
}

# Message table 1: Bolt 3.0
_REQUESTS_1 = {
    0x01: ("HELLO", 1, 0, _m_Hello_0, ("extra", )),
    0x02: ("GOODBYE", 0, 0, _m_Goodbye_0, ()),
    0x0F: ("RESET", 0, 0, _m_Reset_0, ()),
    0x10: ("RUN", 3, 0, _m_Run_1, ("query", "parameters", "extra", )),
    0x11: ("BEGIN", 1, 0, _m_Begin_0, ("extra", )),
    0x12: ("COMMIT", 0, 0, _m_Commit_0, ()),
    0x13: ("ROLLBACK", 0, 0, _m_Rollback_0, ()),
    0x2F: ("DISCARD_ALL", 0, 0, _m_DiscardAll_0, ()),
    0x3F: ("PULL_ALL", 0, 0, _m_PullAll_0, ()),
}
_RESPONSES_1 = {
    0x70: ("SUCCESS", 1, 0, _m_Success_0, ("metadata", )),
    0x71: ("RECORD", 1, 0, _m_Record_0, ("data", )),
    0x7E: ("IGNORED", 0, 1, _m_Ignored_0, ("metadata", )),
    0x7F: ("FAILURE", 1, 0, _m_Failure_0, ("metadata", )),
}
_MESSAGE_PACKERS_1 = {
    _m.Hello: (bytes((0xB1, 0x01)), ("extra", )),
    _m.Goodbye: (bytes((0xB0, 0x02)), ()),
    _m.Reset: (bytes((0xB0, 0x0F)), ()),
    _m.Run: (bytes((0xB3, 0x10)), ("query", "parameters", "extra", )),
    _m.Begin: (bytes((0xB1, 0x11)), ("extra", )),
    _m.Commit: (bytes((0xB0, 0x12)), ()),
    _m.Rollback: (bytes((0xB0, 0x13)), ()),
    _m.DiscardAll: (bytes((0xB0, 0x2F)), ()),
    _m.PullAll: (bytes((0xB0, 0x3F)), ()),
    _m.Success: (bytes((0xB1, 0x70)), ("metadata", )),
    _m.Record: (bytes((0xB1, 0x71)), ("data", )),
    _m.Ignored: (bytes((0xB0, 0x7E)), ()),
    _m.Failure: (bytes((0xB1, 0x7F)), ("metadata", )),
}

# Message table 2: Bolt 4.0, 4.1, 4.2
_REQUESTS_2 = {
    0x01: ("HELLO", 1, 0, _m_Hello_0, ("extra", )),
    0x02: ("GOODBYE", 0, 0, _m_Goodbye_0, ()),
    0x0F: ("RESET", 0, 0, _m_Reset_0, ()),
    0x10: ("RUN", 3, 0, _m_Run_1, ("query", "parameters", "extra", )),
    0x11: ("BEGIN", 1, 0, _m_Begin_0, ("extra", )),
    0x12: ("COMMIT", 0, 0, _m_Commit_0, ()),
    0x13: ("ROLLBACK", 0, 0, _m_Rollback_0, ()),
    0x2F: ("DISCARD", 1, 0, _m_Discard_0, ("extra", )),
    0x3F: ("PULL", 1, 0, _m_Pull_0, ("extra", )),
}
_RESPONSES_2 = {
    0x70: ("SUCCESS", 1, 0, _m_Success_0, ("metadata", )),
    0x71: ("RECORD", 1, 0, _m_Record_0, ("data", )),
    0x7E: ("IGNORED", 0, 1, _m_Ignored_0, ("metadata", )),
    0x7F: ("FAILURE", 1, 0, _m_Failure_0, ("metadata", )),
}
_MESSAGE_PACKERS_2 = {
    _m.Hello: (bytes((0xB1, 0x01)), ("extra", )),
    _m.Goodbye: (bytes((0xB0, 0x02)), ()),
    _m.Reset: (bytes((0xB0, 0x0F)), ()),
    _m.Run: (bytes((0xB3, 0x10)), ("query", "parameters", "extra", )),
    _m.Begin: (bytes((0xB1, 0x11)), ("extra", )),
    _m.Commit: (bytes((0xB0, 0x12)), ()),
    _m.Rollback: (bytes((0xB0, 0x13)), ()),
    _m.Discard: (bytes((0xB1, 0x2F)), ("extra", )),
    _m.Pull: (bytes((0xB1, 0x3F)), ("extra", )),
    _m.Success: (bytes((0xB1, 0x70)), ("metadata", )),
    _m.Record: (bytes((0xB1, 0x71)), ("data", )),
    _m.Ignored: (bytes((0xB0, 0x7E)), ()),
    _m.Failure: (bytes((0xB1, 0x7F)), ("metadata", )),
}

# Message table 3: Bolt 4.3
_REQUESTS_3 = {
    0x01: ("HELLO", 1, 0, _m_Hello_0, ("extra", )),
    0x02: ("GOODBYE", 0, 0, _m_Goodbye_0, ()),
    0x0F: ("RESET", 0, 0, _m_Reset_0, ()),
    0x10: ("RUN", 3, 0, _m_Run_1, ("query", "parameters", "extra", )),
    0x11: ("BEGIN", 1, 0, _m_Begin_0, ("extra", )),
    0x12: ("COMMIT", 0, 0, _m_Commit_0, ()),
    0x13: ("ROLLBACK", 0, 0, _m_Rollback_0, ()),
    0x2F: ("DISCARD", 1, 0, _m_Discard_0, ("extra", )),
    0x3F: ("PULL", 1, 0, _m_Pull_0, ("extra", )),
    0x66: ("ROUTE", 3, 0, _m_Route_0, ("routing", "bookmarks", "db", )),
}
_RESPONSES_3 = {
    0x70: ("SUCCESS", 1, 0, _m_Success_0, ("metadata", )),
    0x71: ("RECORD", 1, 0, _m_Record_0, ("data", )),
    0x7E: ("IGNORED", 0, 1, _m_Ignored_0, ("metadata", )),
    0x7F: ("FAILURE", 1, 0, _m_Failure_0, ("metadata", )),
}
_MESSAGE_PACKERS_3 = {
    _m.Hello: (bytes((0xB1, 0x01)), ("extra", )),
    _m.Goodbye: (bytes((0xB0, 0x02)), ()),
    _m.Reset: (bytes((0xB0, 0x0F)), ()),
    _m.Run: (bytes((0xB3, 0x10)), ("query", "parameters", "extra", )),
    _m.Begin: (bytes((0xB1, 0x11)), ("extra", )),
    _m.Commit: (bytes((0xB0, 0x12)), ()),
    _m.Rollback: (bytes((0xB0, 0x13)), ()),
    _m.Discard: (bytes((0xB1, 0x2F)), ("extra", )),
    _m.Pull: (bytes((0xB1, 0x3F)), ("extra", )),
    _m.Route: (bytes((0xB3, 0x66)), ("routing", "bookmarks", "db", )),
    _m.Success: (bytes((0xB1, 0x70)), ("metadata", )),
    _m.Record: (bytes((0xB1, 0x71)), ("data", )),
    _m.Ignored: (bytes((0xB0, 0x7E)), ()),
    _m.Failure: (bytes((0xB1, 0x7F)), ("metadata", )),
}

# Message table 4: Bolt 4.4, 5.0
_REQUESTS_4 = {
    0x01: ("HELLO", 1, 0, _m_Hello_0, ("extra", )),
    0x02: ("GOODBYE", 0, 0, _m_Goodbye_0, ()),
    0x0F: ("RESET", 0, 0, _m_Reset_0, ()),
    0x10: ("RUN", 3, 0, _m_Run_1, ("query", "parameters", "extra", )),
    0x11: ("BEGIN", 1, 0, _m_Begin_0, ("extra", )),
    0x12: ("COMMIT", 0, 0, _m_Commit_0, ()),
    0x13: ("ROLLBACK", 0, 0, _m_Rollback_0, ()),
    0x2F: ("DISCARD", 1, 0, _m_Discard_0, ("extra", )),
    0x3F: ("PULL", 1, 0, _m_Pull_0, ("extra", )),
    0x66: ("ROUTE", 3, 0, _m_Route_1, ("routing", "bookmarks", "extra", )),
}
_RESPONSES_4 = {
    0x70: ("SUCCESS", 1, 0, _m_Success_0, ("metadata", )),
    0x71: ("RECORD", 1, 0, _m_Record_0, ("data", )),
    0x7E: ("IGNORED", 0, 1, _m_Ignored_0, ("metadata", )),
    0x7F: ("FAILURE", 1, 0, _m_Failure_0, ("metadata", )),
}
_MESSAGE_PACKERS_4 = {
    _m.Hello: (bytes((0xB1, 0x01)), ("extra", )),
    _m.Goodbye: (bytes((0xB0, 0x02)), ()),
    _m.Reset: (bytes((0xB0, 0x0F)), ()),
    _m.Run: (bytes((0xB3, 0x10)), ("query", "parameters", "extra", )),
    _m.Begin: (bytes((0xB1, 0x11)), ("extra", )),
    _m.Commit: (bytes((0xB0, 0x12)), ()),
    _m.Rollback: (bytes((0xB0, 0x13)), ()),
    _m.Discard: (bytes((0xB1, 0x2F)), ("extra", )),
    _m.Pull: (bytes((0xB1, 0x3F)), ("extra", )),
    _m.Route: (bytes((0xB3, 0x66)), ("routing", "bookmarks", "extra", )),
    _m.Success: (bytes((0xB1, 0x70)), ("metadata", )),
    _m.Record: (bytes((0xB1, 0x71)), ("data", )),
    _m.Ignored: (bytes((0xB0, 0x7E)), ()),
    _m.Failure: (bytes((0xB1, 0x7F)), ("metadata", )),
}

# Message table 5: Bolt 5.1, 5.2, 5.3
_REQUESTS_5 = {
    0x01: ("HELLO", 1, 0, _m_Hello_0, ("extra", )),
    0x02: ("GOODBYE", 0, 0, _m_Goodbye_0, ()),
    0x0F: ("RESET", 0, 0, _m_Reset_0, ()),
    0x10: ("RUN", 3, 0, _m_Run_1, ("query", "parameters", "extra", )),
    0x11: ("BEGIN", 1, 0, _m_Begin_0, ("extra", )),
    0x12: ("COMMIT", 0, 0, _m_Commit_0, ()),
    0x13: ("ROLLBACK", 0, 0, _m_Rollback_0, ()),
    0x2F: ("DISCARD", 1, 0, _m_Discard_0, ("extra", )),
    0x3F: ("PULL", 1, 0, _m_Pull_0, ("extra", )),
    0x66: ("ROUTE", 3, 0, _m_Route_1, ("routing", "bookmarks", "extra", )),
    0x6A: ("LOGON", 1, 0, _m_Logon_0, ("auth", )),
    0x6B: ("LOGOFF", 0, 0, _m_Logoff_0, ()),
}
_RESPONSES_5 = {
    0x70: ("SUCCESS", 1, 0, _m_Success_0, ("metadata", )),
    0x71: ("RECORD", 1, 0, _m_Record_0, ("data", )),
    0x7E: ("IGNORED", 0, 1, _m_Ignored_0, ("metadata", )),
    0x7F: ("FAILURE", 1, 0, _m_Failure_0, ("metadata", )),
}
_MESSAGE_PACKERS_5 = {
    _m.Hello: (bytes((0xB1, 0x01)), ("extra", )),
    _m.Goodbye: (bytes((0xB0, 0x02)), ()),
    _m.Reset: (bytes((0xB0, 0x0F)), ()),
    _m.Run: (bytes((0xB3, 0x10)), ("query", "parameters", "extra", )),
    _m.Begin: (bytes((0xB1, 0x11)), ("extra", )),
    _m.Commit: (bytes((0xB0, 0x12)), ()),
    _m.Rollback: (bytes((0xB0, 0x13)), ()),
    _m.Discard: (bytes((0xB1, 0x2F)), ("extra", )),
    _m.Pull: (bytes((0xB1, 0x3F)), ("extra", )),
    _m.Route: (bytes((0xB3, 0x66)), ("routing", "bookmarks", "extra", )),
    _m.Logon: (bytes((0xB1, 0x6A)), ("auth", )),
    _m.Logoff: (bytes((0xB0, 0x6B)), ()),
    _m.Success: (bytes((0xB1, 0x70)), ("metadata", )),
    _m.Record: (bytes((0xB1, 0x71)), ("data", )),
    _m.Ignored: (bytes((0xB0, 0x7E)), ()),
    _m.Failure: (bytes((0xB1, 0x7F)), ("metadata", )),
}

# Message table 6: Bolt 5.4, 5.5, 5.6, 5.7, 5.8, 6.0, 6.1
_REQUESTS_6 = {
    0x01: ("HELLO", 1, 0, _m_Hello_0, ("extra", )),
    0x02: ("GOODBYE", 0, 0, _m_Goodbye_0, ()),
    0x0F: ("RESET", 0, 0, _m_Reset_0, ()),
    0x10: ("RUN", 3, 0, _m_Run_1, ("query", "parameters", "extra", )),
    0x11: ("BEGIN", 1, 0, _m_Begin_0, ("extra", )),
    0x12: ("COMMIT", 0, 0, _m_Commit_0, ()),
    0x13: ("ROLLBACK", 0, 0, _m_Rollback_0, ()),
    0x2F: ("DISCARD", 1, 0, _m_Discard_0, ("extra", )),
    0x3F: ("PULL", 1, 0, _m_Pull_0, ("extra", )),
    0x54: ("TELEMETRY", 1, 0, _m_Telemetry_0, ("api", )),
    0x66: ("ROUTE", 3, 0, _m_Route_1, ("routing", "bookmarks", "extra", )),
    0x6A: ("LOGON", 1, 0, _m_Logon_0, ("auth", )),
    0x6B: ("LOGOFF", 0, 0, _m_Logoff_0, ()),
}
_RESPONSES_6 = {
    0x70: ("SUCCESS", 1, 0, _m_Success_0, ("metadata", )),
    0x71: ("RECORD", 1, 0, _m_Record_0, ("data", )),
    0x7E: ("IGNORED", 0, 1, _m_Ignored_0, ("metadata", )),
    0x7F: ("FAILURE", 1, 0, _m_Failure_0, ("metadata", )),
}
_MESSAGE_PACKERS_6 = {
    _m.Hello: (bytes((0xB1, 0x01)), ("extra", )),
    _m.Goodbye: (bytes((0xB0, 0x02)), ()),
    _m.Reset: (bytes((0xB0, 0x0F)), ()),
    _m.Run: (bytes((0xB3, 0x10)), ("query", "parameters", "extra", )),
    _m.Begin: (bytes((0xB1, 0x11)), ("extra", )),
    _m.Commit: (bytes((0xB0, 0x12)), ()),
    _m.Rollback: (bytes((0xB0, 0x13)), ()),
    _m.Discard: (bytes((0xB1, 0x2F)), ("extra", )),
    _m.Pull: (bytes((0xB1, 0x3F)), ("extra", )),
    _m.Telemetry: (bytes((0xB1, 0x54)), ("api", )),
    _m.Route: (bytes((0xB3, 0x66)), ("routing", "bookmarks", "extra", )),
    _m.Logon: (bytes((0xB1, 0x6A)), ("auth", )),
    _m.Logoff: (bytes((0xB0, 0x6B)), ()),
    _m.Success: (bytes((0xB1, 0x70)), ("metadata", )),
    _m.Record: (bytes((0xB1, 0x71)), ("data", )),
    _m.Ignored: (bytes((0xB0, 0x7E)), ()),
    _m.Failure: (bytes((0xB1, 0x7F)), ("metadata", )),
}

_MESSAGE_TABLE_OF = {
    (1, 0): (_REQUESTS_0, _RESPONSES_0, _MESSAGE_PACKERS_0),
    (2, 0): (_REQUESTS_0, _RESPONSES_0, _MESSAGE_PACKERS_0),
    (3, 0): (_REQUESTS_1, _RESPONSES_1, _MESSAGE_PACKERS_1),
    (4, 0): (_REQUESTS_2, _RESPONSES_2, _MESSAGE_PACKERS_2),
    (4, 1): (_REQUESTS_2, _RESPONSES_2, _MESSAGE_PACKERS_2),
    (4, 2): (_REQUESTS_2, _RESPONSES_2, _MESSAGE_PACKERS_2),
    (4, 3): (_REQUESTS_3, _RESPONSES_3, _MESSAGE_PACKERS_3),
    (4, 4): (_REQUESTS_4, _RESPONSES_4, _MESSAGE_PACKERS_4),
    (5, 0): (_REQUESTS_4, _RESPONSES_4, _MESSAGE_PACKERS_4),
    (5, 1): (_REQUESTS_5, _RESPONSES_5, _MESSAGE_PACKERS_5),
    (5, 2): (_REQUESTS_5, _RESPONSES_5, _MESSAGE_PACKERS_5),
    (5, 3): (_REQUESTS_5, _RESPONSES_5, _MESSAGE_PACKERS_5),
    (5, 4): (_REQUESTS_6, _RESPONSES_6, _MESSAGE_PACKERS_6),
    (5, 5): (_REQUESTS_6, _RESPONSES_6, _MESSAGE_PACKERS_6),
    (5, 6): (_REQUESTS_6, _RESPONSES_6, _MESSAGE_PACKERS_6),
    (5, 7): (_REQUESTS_6, _RESPONSES_6, _MESSAGE_PACKERS_6),
    (5, 8): (_REQUESTS_6, _RESPONSES_6, _MESSAGE_PACKERS_6),
    (6, 0): (_REQUESTS_6, _RESPONSES_6, _MESSAGE_PACKERS_6),
    (6, 1): (_REQUESTS_6, _RESPONSES_6, _MESSAGE_PACKERS_6),
}
_STRUCTURE_CLASSES = (_s.Node, _s.Relationship, _s.UnboundRelationship, _s.Path, _s.Date, _s.Time, _s.LocalTime, _s.DateTime, _s.DateTimeZoneId, _s.LegacyDateTime, _s.LegacyDateTimeZoneId, _s.LocalDateTime, _s.Duration, _s.Point2D, _s.Point3D, _s.Vector, _s.UnsupportedType, )
_STRUCTURE_VERSIONS = {
    _s.Node: "1.0-4.4, 5.0+",
    _s.Relationship: "1.0-4.4, 5.0+",
    _s.UnboundRelationship: "1.0-4.4, 5.0+",
    _s.Path: "1.0+",
    _s.Date: "2.0+",
    _s.Time: "2.0+",
    _s.LocalTime: "2.0+",
    _s.DateTime: "5.0+, 4.3-4.4 with patch utc",
    _s.DateTimeZoneId: "5.0+, 4.3-4.4 with patch utc",
    _s.LegacyDateTime: "2.0-4.4 without patch utc",
    _s.LegacyDateTimeZoneId: "2.0-4.4 without patch utc",
    _s.LocalDateTime: "2.0+",
    _s.Duration: "2.0+",
    _s.Point2D: "2.0+",
    _s.Point3D: "2.0+",
    _s.Vector: "6.0+",
    _s.UnsupportedType: "6.0+",
}
