# Generated from spec/packstream.yaml, spec/bolt.yaml by `python -m codegen` (make generate).
# Do not edit: change the spec and regenerate.
"""construct schemas: the strict reference decoder for PackStream values and Bolt messages.

Slow but explicit: used to validate dumps (``asyncbolt inspect``), by the proxy, and by the
tests as the oracle the fast codec must agree with. Parsing only; ``asyncbolt.codec.schemas`` is the
public entry point.
"""

from __future__ import annotations

from typing import Any

from construct import (
    Construct,
    Float64b,
    Int8sb,
    Int8ub,
    Int16sb,
    Int16ub,
    Int32sb,
    Int32ub,
    Int64sb,
    LazyBound,
    Struct,
)

from asyncbolt.codec._schema import (
    NIBBLE,
    Checked,
    Fixed,
    Legacy,
    ListOf,
    Literal,
    MapOf,
    MessageOf,
    PackValue,
    Raw,
    StructureOf,
    Text,
    TinyInt,
    Unavailable,
)
from asyncbolt.codec.types import FIXED as _FIXED_TYPES

from . import codec as _c
from . import messages as _m
from . import structures as _s

_SIZE = {"nibble": NIBBLE, 1: Int8ub, 2: Int16ub, 4: Int32ub}

# Structure tags of every version (shared with the fast codec), for errors about a tag of
# another version.
_ELSEWHERE = _c._TAG_VERSIONS


def _markers(value: Construct, structures: dict, profile: str) -> list:
    """What follows each marker byte (spec/packstream.yaml, markers)."""
    keys = {
        0x80: Text(NIBBLE),
        0x81: Text(NIBBLE),
        0x82: Text(NIBBLE),
        0x83: Text(NIBBLE),
        0x84: Text(NIBBLE),
        0x85: Text(NIBBLE),
        0x86: Text(NIBBLE),
        0x87: Text(NIBBLE),
        0x88: Text(NIBBLE),
        0x89: Text(NIBBLE),
        0x8A: Text(NIBBLE),
        0x8B: Text(NIBBLE),
        0x8C: Text(NIBBLE),
        0x8D: Text(NIBBLE),
        0x8E: Text(NIBBLE),
        0x8F: Text(NIBBLE),
        0xD0: Text(Int8ub),
        0xD1: Text(Int16ub),
        0xD2: Text(Int32ub),
    }
    markers = [
        (0x00, 0x7F, "TINY_INT", TinyInt(negative=False)),
        (0x80, 0x8F, "TINY_STRING", Text(NIBBLE)),
        (0x90, 0x9F, "TINY_LIST", ListOf(NIBBLE, value)),
        (0xA0, 0xAF, "TINY_MAP", MapOf(NIBBLE, value, keys)),
        (0xB0, 0xBF, "TINY_STRUCT", StructureOf(NIBBLE, structures, _ELSEWHERE, value, profile)),
        (0xC0, 0xC0, "NULL", Literal(None)),
        (0xC1, 0xC1, "FLOAT_64", Float64b),
        (0xC2, 0xC2, "FALSE", Literal(False)),
        (0xC3, 0xC3, "TRUE", Literal(True)),
        (0xC8, 0xC8, "INT_8", Int8sb),
        (0xC9, 0xC9, "INT_16", Int16sb),
        (0xCA, 0xCA, "INT_32", Int32sb),
        (0xCB, 0xCB, "INT_64", Int64sb),
        (0xCC, 0xCC, "BYTES_8", Raw(Int8ub)),
        (0xCD, 0xCD, "BYTES_16", Raw(Int16ub)),
        (0xCE, 0xCE, "BYTES_32", Raw(Int32ub)),
        (0xD0, 0xD0, "STRING_8", Text(Int8ub)),
        (0xD1, 0xD1, "STRING_16", Text(Int16ub)),
        (0xD2, 0xD2, "STRING_32", Text(Int32ub)),
        (0xD4, 0xD4, "LIST_8", ListOf(Int8ub, value)),
        (0xD5, 0xD5, "LIST_16", ListOf(Int16ub, value)),
        (0xD6, 0xD6, "LIST_32", ListOf(Int32ub, value)),
        (0xD8, 0xD8, "MAP_8", MapOf(Int8ub, value, keys)),
        (0xD9, 0xD9, "MAP_16", MapOf(Int16ub, value, keys)),
        (0xDA, 0xDA, "MAP_32", MapOf(Int32ub, value, keys)),
        (0xF0, 0xFF, "TINY_INT_NEGATIVE", TinyInt(negative=True)),
    ]
    if profile in ("6.1", ):  # UUID: Bolt 6.1+
        markers.append((0xE0, 0xE0, "UUID", Fixed(16, _FIXED_TYPES["uuid"][1])))
    else:
        markers.append((0xE0, 0xE0, "UUID",
                        Unavailable("UUID", 0xE0, profile, "6.1+")))
    # Legacy PackStream v1 markers: decoded only when the parse asks for it (legacy=[...]).
    markers.append((0xDC, 0xDC, "STRUCT_8", Legacy("STRUCT_8", _c._LEGACY_MARKERS[0xDC],
                    StructureOf(Int8ub, structures, _ELSEWHERE, value, profile))))
    markers.append((0xDD, 0xDD, "STRUCT_16", Legacy("STRUCT_16", _c._LEGACY_MARKERS[0xDD],
                    StructureOf(Int16ub, structures, _ELSEWHERE, value, profile))))
    return markers


def _structures_0(value: Construct) -> dict:
    """Structure layouts of Bolt 1.0."""
    return {
        0x4E: ("Node", _s.Node, Struct(
            "id" / Checked(value, "Integer", lambda v: type(v) is int),
            "labels" / Checked(value, "List<String>", lambda v: (type(v) is list and (len(v) < 2 and (not v or type(v[0]) is str) or _c._ONLY_String.issuperset(map(type, v))))),
            "properties" / Checked(value, "Map", lambda v: type(v) is dict),
        )),
        0x52: ("Relationship", _s.Relationship, Struct(
            "id" / Checked(value, "Integer", lambda v: type(v) is int),
            "start_node_id" / Checked(value, "Integer", lambda v: type(v) is int),
            "end_node_id" / Checked(value, "Integer", lambda v: type(v) is int),
            "type" / Checked(value, "String", lambda v: type(v) is str),
            "properties" / Checked(value, "Map", lambda v: type(v) is dict),
        )),
        0x72: ("UnboundRelationship", _s.UnboundRelationship, Struct(
            "id" / Checked(value, "Integer", lambda v: type(v) is int),
            "type" / Checked(value, "String", lambda v: type(v) is str),
            "properties" / Checked(value, "Map", lambda v: type(v) is dict),
        )),
        0x50: ("Path", _s.Path, Struct(
            "nodes" / Checked(value, "List<Node>", lambda v: (type(v) is list and _c._ONLY_Node.issuperset(map(type, v)))),
            "relationships" / Checked(value, "List<UnboundRelationship>", lambda v: (type(v) is list and _c._ONLY_UnboundRelationship.issuperset(map(type, v)))),
            "indices" / Checked(value, "List<Integer>", lambda v: (type(v) is list and (len(v) < 2 and (not v or type(v[0]) is int) or _c._ONLY_Integer.issuperset(map(type, v))))),
        )),
    }


def _structures_1(value: Construct) -> dict:
    """Structure layouts of Bolt 2.0, 3.0, 4.0, 4.1, 4.2, 4.3, 4.4."""
    return {
        0x4E: ("Node", _s.Node, Struct(
            "id" / Checked(value, "Integer", lambda v: type(v) is int),
            "labels" / Checked(value, "List<String>", lambda v: (type(v) is list and (len(v) < 2 and (not v or type(v[0]) is str) or _c._ONLY_String.issuperset(map(type, v))))),
            "properties" / Checked(value, "Map", lambda v: type(v) is dict),
        )),
        0x52: ("Relationship", _s.Relationship, Struct(
            "id" / Checked(value, "Integer", lambda v: type(v) is int),
            "start_node_id" / Checked(value, "Integer", lambda v: type(v) is int),
            "end_node_id" / Checked(value, "Integer", lambda v: type(v) is int),
            "type" / Checked(value, "String", lambda v: type(v) is str),
            "properties" / Checked(value, "Map", lambda v: type(v) is dict),
        )),
        0x72: ("UnboundRelationship", _s.UnboundRelationship, Struct(
            "id" / Checked(value, "Integer", lambda v: type(v) is int),
            "type" / Checked(value, "String", lambda v: type(v) is str),
            "properties" / Checked(value, "Map", lambda v: type(v) is dict),
        )),
        0x50: ("Path", _s.Path, Struct(
            "nodes" / Checked(value, "List<Node>", lambda v: (type(v) is list and _c._ONLY_Node.issuperset(map(type, v)))),
            "relationships" / Checked(value, "List<UnboundRelationship>", lambda v: (type(v) is list and _c._ONLY_UnboundRelationship.issuperset(map(type, v)))),
            "indices" / Checked(value, "List<Integer>", lambda v: (type(v) is list and (len(v) < 2 and (not v or type(v[0]) is int) or _c._ONLY_Integer.issuperset(map(type, v))))),
        )),
        0x44: ("Date", _s.Date, Struct(
            "days" / Checked(value, "Integer", lambda v: type(v) is int),
        )),
        0x54: ("Time", _s.Time, Struct(
            "nanoseconds" / Checked(value, "Integer", lambda v: type(v) is int),
            "tz_offset_seconds" / Checked(value, "Integer", lambda v: type(v) is int),
        )),
        0x74: ("LocalTime", _s.LocalTime, Struct(
            "nanoseconds" / Checked(value, "Integer", lambda v: type(v) is int),
        )),
        0x46: ("LegacyDateTime", _s.LegacyDateTime, Struct(
            "seconds" / Checked(value, "Integer", lambda v: type(v) is int),
            "nanoseconds" / Checked(value, "Integer", lambda v: type(v) is int),
            "tz_offset_seconds" / Checked(value, "Integer", lambda v: type(v) is int),
        )),
        0x66: ("LegacyDateTimeZoneId", _s.LegacyDateTimeZoneId, Struct(
            "seconds" / Checked(value, "Integer", lambda v: type(v) is int),
            "nanoseconds" / Checked(value, "Integer", lambda v: type(v) is int),
            "tz_id" / Checked(value, "String", lambda v: type(v) is str),
        )),
        0x64: ("LocalDateTime", _s.LocalDateTime, Struct(
            "seconds" / Checked(value, "Integer", lambda v: type(v) is int),
            "nanoseconds" / Checked(value, "Integer", lambda v: type(v) is int),
        )),
        0x45: ("Duration", _s.Duration, Struct(
            "months" / Checked(value, "Integer", lambda v: type(v) is int),
            "days" / Checked(value, "Integer", lambda v: type(v) is int),
            "seconds" / Checked(value, "Integer", lambda v: type(v) is int),
            "nanoseconds" / Checked(value, "Integer", lambda v: type(v) is int),
        )),
        0x58: ("Point2D", _s.Point2D, Struct(
            "srid" / Checked(value, "Integer", lambda v: type(v) is int),
            "x" / Checked(value, "Float", lambda v: type(v) is float),
            "y" / Checked(value, "Float", lambda v: type(v) is float),
        )),
        0x59: ("Point3D", _s.Point3D, Struct(
            "srid" / Checked(value, "Integer", lambda v: type(v) is int),
            "x" / Checked(value, "Float", lambda v: type(v) is float),
            "y" / Checked(value, "Float", lambda v: type(v) is float),
            "z" / Checked(value, "Float", lambda v: type(v) is float),
        )),
    }


def _structures_2(value: Construct) -> dict:
    """Structure layouts of Bolt 4.3+utc, 4.4+utc."""
    return {
        0x4E: ("Node", _s.Node, Struct(
            "id" / Checked(value, "Integer", lambda v: type(v) is int),
            "labels" / Checked(value, "List<String>", lambda v: (type(v) is list and (len(v) < 2 and (not v or type(v[0]) is str) or _c._ONLY_String.issuperset(map(type, v))))),
            "properties" / Checked(value, "Map", lambda v: type(v) is dict),
        )),
        0x52: ("Relationship", _s.Relationship, Struct(
            "id" / Checked(value, "Integer", lambda v: type(v) is int),
            "start_node_id" / Checked(value, "Integer", lambda v: type(v) is int),
            "end_node_id" / Checked(value, "Integer", lambda v: type(v) is int),
            "type" / Checked(value, "String", lambda v: type(v) is str),
            "properties" / Checked(value, "Map", lambda v: type(v) is dict),
        )),
        0x72: ("UnboundRelationship", _s.UnboundRelationship, Struct(
            "id" / Checked(value, "Integer", lambda v: type(v) is int),
            "type" / Checked(value, "String", lambda v: type(v) is str),
            "properties" / Checked(value, "Map", lambda v: type(v) is dict),
        )),
        0x50: ("Path", _s.Path, Struct(
            "nodes" / Checked(value, "List<Node>", lambda v: (type(v) is list and _c._ONLY_Node.issuperset(map(type, v)))),
            "relationships" / Checked(value, "List<UnboundRelationship>", lambda v: (type(v) is list and _c._ONLY_UnboundRelationship.issuperset(map(type, v)))),
            "indices" / Checked(value, "List<Integer>", lambda v: (type(v) is list and (len(v) < 2 and (not v or type(v[0]) is int) or _c._ONLY_Integer.issuperset(map(type, v))))),
        )),
        0x44: ("Date", _s.Date, Struct(
            "days" / Checked(value, "Integer", lambda v: type(v) is int),
        )),
        0x54: ("Time", _s.Time, Struct(
            "nanoseconds" / Checked(value, "Integer", lambda v: type(v) is int),
            "tz_offset_seconds" / Checked(value, "Integer", lambda v: type(v) is int),
        )),
        0x74: ("LocalTime", _s.LocalTime, Struct(
            "nanoseconds" / Checked(value, "Integer", lambda v: type(v) is int),
        )),
        0x49: ("DateTime", _s.DateTime, Struct(
            "seconds" / Checked(value, "Integer", lambda v: type(v) is int),
            "nanoseconds" / Checked(value, "Integer", lambda v: type(v) is int),
            "tz_offset_seconds" / Checked(value, "Integer", lambda v: type(v) is int),
        )),
        0x69: ("DateTimeZoneId", _s.DateTimeZoneId, Struct(
            "seconds" / Checked(value, "Integer", lambda v: type(v) is int),
            "nanoseconds" / Checked(value, "Integer", lambda v: type(v) is int),
            "tz_id" / Checked(value, "String", lambda v: type(v) is str),
        )),
        0x64: ("LocalDateTime", _s.LocalDateTime, Struct(
            "seconds" / Checked(value, "Integer", lambda v: type(v) is int),
            "nanoseconds" / Checked(value, "Integer", lambda v: type(v) is int),
        )),
        0x45: ("Duration", _s.Duration, Struct(
            "months" / Checked(value, "Integer", lambda v: type(v) is int),
            "days" / Checked(value, "Integer", lambda v: type(v) is int),
            "seconds" / Checked(value, "Integer", lambda v: type(v) is int),
            "nanoseconds" / Checked(value, "Integer", lambda v: type(v) is int),
        )),
        0x58: ("Point2D", _s.Point2D, Struct(
            "srid" / Checked(value, "Integer", lambda v: type(v) is int),
            "x" / Checked(value, "Float", lambda v: type(v) is float),
            "y" / Checked(value, "Float", lambda v: type(v) is float),
        )),
        0x59: ("Point3D", _s.Point3D, Struct(
            "srid" / Checked(value, "Integer", lambda v: type(v) is int),
            "x" / Checked(value, "Float", lambda v: type(v) is float),
            "y" / Checked(value, "Float", lambda v: type(v) is float),
            "z" / Checked(value, "Float", lambda v: type(v) is float),
        )),
    }


def _structures_3(value: Construct) -> dict:
    """Structure layouts of Bolt 5.0, 5.1, 5.2, 5.3, 5.4, 5.5, 5.6, 5.7, 5.8."""
    return {
        0x4E: ("Node", _s.Node, Struct(
            "id" / Checked(value, "Integer?", lambda v: (v is None or type(v) is int)),
            "labels" / Checked(value, "List<String>", lambda v: (type(v) is list and (len(v) < 2 and (not v or type(v[0]) is str) or _c._ONLY_String.issuperset(map(type, v))))),
            "properties" / Checked(value, "Map", lambda v: type(v) is dict),
            "element_id" / Checked(value, "String", lambda v: type(v) is str),
        )),
        0x52: ("Relationship", _s.Relationship, Struct(
            "id" / Checked(value, "Integer?", lambda v: (v is None or type(v) is int)),
            "start_node_id" / Checked(value, "Integer?", lambda v: (v is None or type(v) is int)),
            "end_node_id" / Checked(value, "Integer?", lambda v: (v is None or type(v) is int)),
            "type" / Checked(value, "String", lambda v: type(v) is str),
            "properties" / Checked(value, "Map", lambda v: type(v) is dict),
            "element_id" / Checked(value, "String", lambda v: type(v) is str),
            "start_node_element_id" / Checked(value, "String", lambda v: type(v) is str),
            "end_node_element_id" / Checked(value, "String", lambda v: type(v) is str),
        )),
        0x72: ("UnboundRelationship", _s.UnboundRelationship, Struct(
            "id" / Checked(value, "Integer?", lambda v: (v is None or type(v) is int)),
            "type" / Checked(value, "String", lambda v: type(v) is str),
            "properties" / Checked(value, "Map", lambda v: type(v) is dict),
            "element_id" / Checked(value, "String", lambda v: type(v) is str),
        )),
        0x50: ("Path", _s.Path, Struct(
            "nodes" / Checked(value, "List<Node>", lambda v: (type(v) is list and _c._ONLY_Node.issuperset(map(type, v)))),
            "relationships" / Checked(value, "List<UnboundRelationship>", lambda v: (type(v) is list and _c._ONLY_UnboundRelationship.issuperset(map(type, v)))),
            "indices" / Checked(value, "List<Integer>", lambda v: (type(v) is list and (len(v) < 2 and (not v or type(v[0]) is int) or _c._ONLY_Integer.issuperset(map(type, v))))),
        )),
        0x44: ("Date", _s.Date, Struct(
            "days" / Checked(value, "Integer", lambda v: type(v) is int),
        )),
        0x54: ("Time", _s.Time, Struct(
            "nanoseconds" / Checked(value, "Integer", lambda v: type(v) is int),
            "tz_offset_seconds" / Checked(value, "Integer", lambda v: type(v) is int),
        )),
        0x74: ("LocalTime", _s.LocalTime, Struct(
            "nanoseconds" / Checked(value, "Integer", lambda v: type(v) is int),
        )),
        0x49: ("DateTime", _s.DateTime, Struct(
            "seconds" / Checked(value, "Integer", lambda v: type(v) is int),
            "nanoseconds" / Checked(value, "Integer", lambda v: type(v) is int),
            "tz_offset_seconds" / Checked(value, "Integer", lambda v: type(v) is int),
        )),
        0x69: ("DateTimeZoneId", _s.DateTimeZoneId, Struct(
            "seconds" / Checked(value, "Integer", lambda v: type(v) is int),
            "nanoseconds" / Checked(value, "Integer", lambda v: type(v) is int),
            "tz_id" / Checked(value, "String", lambda v: type(v) is str),
        )),
        0x64: ("LocalDateTime", _s.LocalDateTime, Struct(
            "seconds" / Checked(value, "Integer", lambda v: type(v) is int),
            "nanoseconds" / Checked(value, "Integer", lambda v: type(v) is int),
        )),
        0x45: ("Duration", _s.Duration, Struct(
            "months" / Checked(value, "Integer", lambda v: type(v) is int),
            "days" / Checked(value, "Integer", lambda v: type(v) is int),
            "seconds" / Checked(value, "Integer", lambda v: type(v) is int),
            "nanoseconds" / Checked(value, "Integer", lambda v: type(v) is int),
        )),
        0x58: ("Point2D", _s.Point2D, Struct(
            "srid" / Checked(value, "Integer", lambda v: type(v) is int),
            "x" / Checked(value, "Float", lambda v: type(v) is float),
            "y" / Checked(value, "Float", lambda v: type(v) is float),
        )),
        0x59: ("Point3D", _s.Point3D, Struct(
            "srid" / Checked(value, "Integer", lambda v: type(v) is int),
            "x" / Checked(value, "Float", lambda v: type(v) is float),
            "y" / Checked(value, "Float", lambda v: type(v) is float),
            "z" / Checked(value, "Float", lambda v: type(v) is float),
        )),
    }


def _structures_4(value: Construct) -> dict:
    """Structure layouts of Bolt 6.0, 6.1."""
    return {
        0x4E: ("Node", _s.Node, Struct(
            "id" / Checked(value, "Integer?", lambda v: (v is None or type(v) is int)),
            "labels" / Checked(value, "List<String>", lambda v: (type(v) is list and (len(v) < 2 and (not v or type(v[0]) is str) or _c._ONLY_String.issuperset(map(type, v))))),
            "properties" / Checked(value, "Map", lambda v: type(v) is dict),
            "element_id" / Checked(value, "String", lambda v: type(v) is str),
        )),
        0x52: ("Relationship", _s.Relationship, Struct(
            "id" / Checked(value, "Integer?", lambda v: (v is None or type(v) is int)),
            "start_node_id" / Checked(value, "Integer?", lambda v: (v is None or type(v) is int)),
            "end_node_id" / Checked(value, "Integer?", lambda v: (v is None or type(v) is int)),
            "type" / Checked(value, "String", lambda v: type(v) is str),
            "properties" / Checked(value, "Map", lambda v: type(v) is dict),
            "element_id" / Checked(value, "String", lambda v: type(v) is str),
            "start_node_element_id" / Checked(value, "String", lambda v: type(v) is str),
            "end_node_element_id" / Checked(value, "String", lambda v: type(v) is str),
        )),
        0x72: ("UnboundRelationship", _s.UnboundRelationship, Struct(
            "id" / Checked(value, "Integer?", lambda v: (v is None or type(v) is int)),
            "type" / Checked(value, "String", lambda v: type(v) is str),
            "properties" / Checked(value, "Map", lambda v: type(v) is dict),
            "element_id" / Checked(value, "String", lambda v: type(v) is str),
        )),
        0x50: ("Path", _s.Path, Struct(
            "nodes" / Checked(value, "List<Node>", lambda v: (type(v) is list and _c._ONLY_Node.issuperset(map(type, v)))),
            "relationships" / Checked(value, "List<UnboundRelationship>", lambda v: (type(v) is list and _c._ONLY_UnboundRelationship.issuperset(map(type, v)))),
            "indices" / Checked(value, "List<Integer>", lambda v: (type(v) is list and (len(v) < 2 and (not v or type(v[0]) is int) or _c._ONLY_Integer.issuperset(map(type, v))))),
        )),
        0x44: ("Date", _s.Date, Struct(
            "days" / Checked(value, "Integer", lambda v: type(v) is int),
        )),
        0x54: ("Time", _s.Time, Struct(
            "nanoseconds" / Checked(value, "Integer", lambda v: type(v) is int),
            "tz_offset_seconds" / Checked(value, "Integer", lambda v: type(v) is int),
        )),
        0x74: ("LocalTime", _s.LocalTime, Struct(
            "nanoseconds" / Checked(value, "Integer", lambda v: type(v) is int),
        )),
        0x49: ("DateTime", _s.DateTime, Struct(
            "seconds" / Checked(value, "Integer", lambda v: type(v) is int),
            "nanoseconds" / Checked(value, "Integer", lambda v: type(v) is int),
            "tz_offset_seconds" / Checked(value, "Integer", lambda v: type(v) is int),
        )),
        0x69: ("DateTimeZoneId", _s.DateTimeZoneId, Struct(
            "seconds" / Checked(value, "Integer", lambda v: type(v) is int),
            "nanoseconds" / Checked(value, "Integer", lambda v: type(v) is int),
            "tz_id" / Checked(value, "String", lambda v: type(v) is str),
        )),
        0x64: ("LocalDateTime", _s.LocalDateTime, Struct(
            "seconds" / Checked(value, "Integer", lambda v: type(v) is int),
            "nanoseconds" / Checked(value, "Integer", lambda v: type(v) is int),
        )),
        0x45: ("Duration", _s.Duration, Struct(
            "months" / Checked(value, "Integer", lambda v: type(v) is int),
            "days" / Checked(value, "Integer", lambda v: type(v) is int),
            "seconds" / Checked(value, "Integer", lambda v: type(v) is int),
            "nanoseconds" / Checked(value, "Integer", lambda v: type(v) is int),
        )),
        0x58: ("Point2D", _s.Point2D, Struct(
            "srid" / Checked(value, "Integer", lambda v: type(v) is int),
            "x" / Checked(value, "Float", lambda v: type(v) is float),
            "y" / Checked(value, "Float", lambda v: type(v) is float),
        )),
        0x59: ("Point3D", _s.Point3D, Struct(
            "srid" / Checked(value, "Integer", lambda v: type(v) is int),
            "x" / Checked(value, "Float", lambda v: type(v) is float),
            "y" / Checked(value, "Float", lambda v: type(v) is float),
            "z" / Checked(value, "Float", lambda v: type(v) is float),
        )),
        0x56: ("Vector", _s.Vector, Struct(
            "type_marker" / Checked(value, "Bytes", lambda v: type(v) is bytes),
            "data" / Checked(value, "Bytes", lambda v: type(v) is bytes),
        )),
        0x3F: ("UnsupportedType", _s.UnsupportedType, Struct(
            "name" / Checked(value, "String", lambda v: type(v) is str),
            "minimum_protocol_major" / Checked(value, "Integer", lambda v: type(v) is int),
            "minimum_protocol_minor" / Checked(value, "Integer", lambda v: type(v) is int),
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        )),
    }

_STRUCTURES_OF = {
    "1.0": _structures_0,
    "2.0": _structures_1,
    "3.0": _structures_1,
    "4.0": _structures_1,
    "4.1": _structures_1,
    "4.2": _structures_1,
    "4.3": _structures_1,
    "4.3+utc": _structures_2,
    "4.4": _structures_1,
    "4.4+utc": _structures_2,
    "5.0": _structures_3,
    "5.1": _structures_3,
    "5.2": _structures_3,
    "5.3": _structures_3,
    "5.4": _structures_3,
    "5.5": _structures_3,
    "5.6": _structures_3,
    "5.7": _structures_3,
    "5.8": _structures_3,
    "6.0": _structures_4,
    "6.1": _structures_4,
}


def _requests_0(value: Construct) -> dict:
    """Request layouts of Bolt 1.0, 2.0."""
    return {
        0x01: ("INIT", _m.Init, Struct(
            "user_agent" / Checked(value, "String", lambda v: type(v) is str),
            "auth_token" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x0E: ("ACK_FAILURE", _m.AckFailure, Struct(
        ), 0),
        0x0F: ("RESET", _m.Reset, Struct(
        ), 0),
        0x10: ("RUN", _m.Run, Struct(
            "query" / Checked(value, "String", lambda v: type(v) is str),
            "parameters" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x2F: ("DISCARD_ALL", _m.DiscardAll, Struct(
        ), 0),
        0x3F: ("PULL_ALL", _m.PullAll, Struct(
        ), 0),
    }


def _responses_0(value: Construct) -> dict:
    """Response layouts of Bolt 1.0, 2.0."""
    return {
        0x70: ("SUCCESS", _m.Success, Struct(
            "metadata" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x71: ("RECORD", _m.Record, Struct(
            "data" / Checked(value, "List", lambda v: type(v) is list),
        ), 0),
        0x7E: ("IGNORED", _m.Ignored, Struct(
            "metadata" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 1),
        0x7F: ("FAILURE", _m.Failure, Struct(
            "metadata" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
    }


def _requests_1(value: Construct) -> dict:
    """Request layouts of Bolt 3.0."""
    return {
        0x01: ("HELLO", _m.Hello, Struct(
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x02: ("GOODBYE", _m.Goodbye, Struct(
        ), 0),
        0x0F: ("RESET", _m.Reset, Struct(
        ), 0),
        0x10: ("RUN", _m.Run, Struct(
            "query" / Checked(value, "String", lambda v: type(v) is str),
            "parameters" / Checked(value, "Map", lambda v: type(v) is dict),
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x11: ("BEGIN", _m.Begin, Struct(
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x12: ("COMMIT", _m.Commit, Struct(
        ), 0),
        0x13: ("ROLLBACK", _m.Rollback, Struct(
        ), 0),
        0x2F: ("DISCARD_ALL", _m.DiscardAll, Struct(
        ), 0),
        0x3F: ("PULL_ALL", _m.PullAll, Struct(
        ), 0),
    }


def _responses_1(value: Construct) -> dict:
    """Response layouts of Bolt 3.0."""
    return {
        0x70: ("SUCCESS", _m.Success, Struct(
            "metadata" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x71: ("RECORD", _m.Record, Struct(
            "data" / Checked(value, "List", lambda v: type(v) is list),
        ), 0),
        0x7E: ("IGNORED", _m.Ignored, Struct(
            "metadata" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 1),
        0x7F: ("FAILURE", _m.Failure, Struct(
            "metadata" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
    }


def _requests_2(value: Construct) -> dict:
    """Request layouts of Bolt 4.0, 4.1, 4.2."""
    return {
        0x01: ("HELLO", _m.Hello, Struct(
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x02: ("GOODBYE", _m.Goodbye, Struct(
        ), 0),
        0x0F: ("RESET", _m.Reset, Struct(
        ), 0),
        0x10: ("RUN", _m.Run, Struct(
            "query" / Checked(value, "String", lambda v: type(v) is str),
            "parameters" / Checked(value, "Map", lambda v: type(v) is dict),
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x11: ("BEGIN", _m.Begin, Struct(
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x12: ("COMMIT", _m.Commit, Struct(
        ), 0),
        0x13: ("ROLLBACK", _m.Rollback, Struct(
        ), 0),
        0x2F: ("DISCARD", _m.Discard, Struct(
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x3F: ("PULL", _m.Pull, Struct(
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
    }


def _responses_2(value: Construct) -> dict:
    """Response layouts of Bolt 4.0, 4.1, 4.2."""
    return {
        0x70: ("SUCCESS", _m.Success, Struct(
            "metadata" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x71: ("RECORD", _m.Record, Struct(
            "data" / Checked(value, "List", lambda v: type(v) is list),
        ), 0),
        0x7E: ("IGNORED", _m.Ignored, Struct(
            "metadata" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 1),
        0x7F: ("FAILURE", _m.Failure, Struct(
            "metadata" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
    }


def _requests_3(value: Construct) -> dict:
    """Request layouts of Bolt 4.3."""
    return {
        0x01: ("HELLO", _m.Hello, Struct(
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x02: ("GOODBYE", _m.Goodbye, Struct(
        ), 0),
        0x0F: ("RESET", _m.Reset, Struct(
        ), 0),
        0x10: ("RUN", _m.Run, Struct(
            "query" / Checked(value, "String", lambda v: type(v) is str),
            "parameters" / Checked(value, "Map", lambda v: type(v) is dict),
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x11: ("BEGIN", _m.Begin, Struct(
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x12: ("COMMIT", _m.Commit, Struct(
        ), 0),
        0x13: ("ROLLBACK", _m.Rollback, Struct(
        ), 0),
        0x2F: ("DISCARD", _m.Discard, Struct(
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x3F: ("PULL", _m.Pull, Struct(
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x66: ("ROUTE", _m.Route, Struct(
            "routing" / Checked(value, "Map", lambda v: type(v) is dict),
            "bookmarks" / Checked(value, "List<String>", lambda v: (type(v) is list and (len(v) < 2 and (not v or type(v[0]) is str) or _c._ONLY_String.issuperset(map(type, v))))),
            "db" / Checked(value, "String?", lambda v: (v is None or type(v) is str)),
        ), 0),
    }


def _responses_3(value: Construct) -> dict:
    """Response layouts of Bolt 4.3."""
    return {
        0x70: ("SUCCESS", _m.Success, Struct(
            "metadata" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x71: ("RECORD", _m.Record, Struct(
            "data" / Checked(value, "List", lambda v: type(v) is list),
        ), 0),
        0x7E: ("IGNORED", _m.Ignored, Struct(
            "metadata" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 1),
        0x7F: ("FAILURE", _m.Failure, Struct(
            "metadata" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
    }


def _requests_4(value: Construct) -> dict:
    """Request layouts of Bolt 4.4, 5.0."""
    return {
        0x01: ("HELLO", _m.Hello, Struct(
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x02: ("GOODBYE", _m.Goodbye, Struct(
        ), 0),
        0x0F: ("RESET", _m.Reset, Struct(
        ), 0),
        0x10: ("RUN", _m.Run, Struct(
            "query" / Checked(value, "String", lambda v: type(v) is str),
            "parameters" / Checked(value, "Map", lambda v: type(v) is dict),
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x11: ("BEGIN", _m.Begin, Struct(
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x12: ("COMMIT", _m.Commit, Struct(
        ), 0),
        0x13: ("ROLLBACK", _m.Rollback, Struct(
        ), 0),
        0x2F: ("DISCARD", _m.Discard, Struct(
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x3F: ("PULL", _m.Pull, Struct(
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x66: ("ROUTE", _m.Route, Struct(
            "routing" / Checked(value, "Map", lambda v: type(v) is dict),
            "bookmarks" / Checked(value, "List<String>", lambda v: (type(v) is list and (len(v) < 2 and (not v or type(v[0]) is str) or _c._ONLY_String.issuperset(map(type, v))))),
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
    }


def _responses_4(value: Construct) -> dict:
    """Response layouts of Bolt 4.4, 5.0."""
    return {
        0x70: ("SUCCESS", _m.Success, Struct(
            "metadata" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x71: ("RECORD", _m.Record, Struct(
            "data" / Checked(value, "List", lambda v: type(v) is list),
        ), 0),
        0x7E: ("IGNORED", _m.Ignored, Struct(
            "metadata" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 1),
        0x7F: ("FAILURE", _m.Failure, Struct(
            "metadata" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
    }


def _requests_5(value: Construct) -> dict:
    """Request layouts of Bolt 5.1, 5.2, 5.3."""
    return {
        0x01: ("HELLO", _m.Hello, Struct(
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x02: ("GOODBYE", _m.Goodbye, Struct(
        ), 0),
        0x0F: ("RESET", _m.Reset, Struct(
        ), 0),
        0x10: ("RUN", _m.Run, Struct(
            "query" / Checked(value, "String", lambda v: type(v) is str),
            "parameters" / Checked(value, "Map", lambda v: type(v) is dict),
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x11: ("BEGIN", _m.Begin, Struct(
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x12: ("COMMIT", _m.Commit, Struct(
        ), 0),
        0x13: ("ROLLBACK", _m.Rollback, Struct(
        ), 0),
        0x2F: ("DISCARD", _m.Discard, Struct(
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x3F: ("PULL", _m.Pull, Struct(
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x66: ("ROUTE", _m.Route, Struct(
            "routing" / Checked(value, "Map", lambda v: type(v) is dict),
            "bookmarks" / Checked(value, "List<String>", lambda v: (type(v) is list and (len(v) < 2 and (not v or type(v[0]) is str) or _c._ONLY_String.issuperset(map(type, v))))),
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x6A: ("LOGON", _m.Logon, Struct(
            "auth" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x6B: ("LOGOFF", _m.Logoff, Struct(
        ), 0),
    }


def _responses_5(value: Construct) -> dict:
    """Response layouts of Bolt 5.1, 5.2, 5.3."""
    return {
        0x70: ("SUCCESS", _m.Success, Struct(
            "metadata" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x71: ("RECORD", _m.Record, Struct(
            "data" / Checked(value, "List", lambda v: type(v) is list),
        ), 0),
        0x7E: ("IGNORED", _m.Ignored, Struct(
            "metadata" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 1),
        0x7F: ("FAILURE", _m.Failure, Struct(
            "metadata" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
    }


def _requests_6(value: Construct) -> dict:
    """Request layouts of Bolt 5.4, 5.5, 5.6, 5.7, 5.8, 6.0, 6.1."""
    return {
        0x01: ("HELLO", _m.Hello, Struct(
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x02: ("GOODBYE", _m.Goodbye, Struct(
        ), 0),
        0x0F: ("RESET", _m.Reset, Struct(
        ), 0),
        0x10: ("RUN", _m.Run, Struct(
            "query" / Checked(value, "String", lambda v: type(v) is str),
            "parameters" / Checked(value, "Map", lambda v: type(v) is dict),
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x11: ("BEGIN", _m.Begin, Struct(
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x12: ("COMMIT", _m.Commit, Struct(
        ), 0),
        0x13: ("ROLLBACK", _m.Rollback, Struct(
        ), 0),
        0x2F: ("DISCARD", _m.Discard, Struct(
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x3F: ("PULL", _m.Pull, Struct(
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x54: ("TELEMETRY", _m.Telemetry, Struct(
            "api" / Checked(value, "Integer", lambda v: type(v) is int),
        ), 0),
        0x66: ("ROUTE", _m.Route, Struct(
            "routing" / Checked(value, "Map", lambda v: type(v) is dict),
            "bookmarks" / Checked(value, "List<String>", lambda v: (type(v) is list and (len(v) < 2 and (not v or type(v[0]) is str) or _c._ONLY_String.issuperset(map(type, v))))),
            "extra" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x6A: ("LOGON", _m.Logon, Struct(
            "auth" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x6B: ("LOGOFF", _m.Logoff, Struct(
        ), 0),
    }


def _responses_6(value: Construct) -> dict:
    """Response layouts of Bolt 5.4, 5.5, 5.6, 5.7, 5.8, 6.0, 6.1."""
    return {
        0x70: ("SUCCESS", _m.Success, Struct(
            "metadata" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
        0x71: ("RECORD", _m.Record, Struct(
            "data" / Checked(value, "List", lambda v: type(v) is list),
        ), 0),
        0x7E: ("IGNORED", _m.Ignored, Struct(
            "metadata" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 1),
        0x7F: ("FAILURE", _m.Failure, Struct(
            "metadata" / Checked(value, "Map", lambda v: type(v) is dict),
        ), 0),
    }

_MESSAGES_OF = {
    "1.0": (_requests_0, _responses_0),
    "2.0": (_requests_0, _responses_0),
    "3.0": (_requests_1, _responses_1),
    "4.0": (_requests_2, _responses_2),
    "4.1": (_requests_2, _responses_2),
    "4.2": (_requests_2, _responses_2),
    "4.3": (_requests_3, _responses_3),
    "4.4": (_requests_4, _responses_4),
    "5.0": (_requests_4, _responses_4),
    "5.1": (_requests_5, _responses_5),
    "5.2": (_requests_5, _responses_5),
    "5.3": (_requests_5, _responses_5),
    "5.4": (_requests_6, _responses_6),
    "5.5": (_requests_6, _responses_6),
    "5.6": (_requests_6, _responses_6),
    "5.7": (_requests_6, _responses_6),
    "5.8": (_requests_6, _responses_6),
    "6.0": (_requests_6, _responses_6),
    "6.1": (_requests_6, _responses_6),
}


def value_schema(profile: str) -> Construct:
    """The schema of one PackStream value in a profile ("5.0", "4.4+utc", ...)."""
    structures: dict[int, Any] = {}
    # (built empty, then filled: the markers refer back to the value through ``lazy``)
    value = PackValue([])
    lazy = LazyBound(lambda: value)
    PackValue.__init__(value, _markers(lazy, structures, profile))
    structures.update(_STRUCTURES_OF[profile](lazy))
    return value


def message_schemas(profile: str) -> tuple[Construct, Construct]:
    """The (request, response) message schemas of a profile."""
    value = value_schema(profile)
    version = profile.split("+")[0]
    requests, responses = _MESSAGES_OF[version]
    return (MessageOf(requests(value), "request", version),
            MessageOf(responses(value), "response", version))
