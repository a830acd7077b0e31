# Generated from spec/packstream.yaml, spec/bolt.yaml by `python -m codegen` (make generate).
# Do not edit: change the spec and regenerate.
"""The structure tables of columnar results: per profile, each structure's fields in wire order.

The column builders (the C one, asyncbolt._generated._columns, and the pure-Python one in
asyncbolt.codec.columns) lay a structure out as a struct of these fields.
"""

from __future__ import annotations

#: The digest of _columns.c that this module belongs to (a stale build is not used).
COLUMNS_DIGEST = "a3bfe1fcf2be6eb7"

_SET_0: dict[str, tuple[str, ...]] = {
    "Node": ("id", "labels", "properties", ),
    "Relationship": ("id", "start_node_id", "end_node_id", "type", "properties", ),
    "UnboundRelationship": ("id", "type", "properties", ),
    "Path": ("nodes", "relationships", "indices", ),
}
_SET_1: dict[str, tuple[str, ...]] = {
    "Node": ("id", "labels", "properties", ),
    "Relationship": ("id", "start_node_id", "end_node_id", "type", "properties", ),
    "UnboundRelationship": ("id", "type", "properties", ),
    "Path": ("nodes", "relationships", "indices", ),
    "Date": ("days", ),
    "Time": ("nanoseconds", "tz_offset_seconds", ),
    "LocalTime": ("nanoseconds", ),
    "LegacyDateTime": ("seconds", "nanoseconds", "tz_offset_seconds", ),
    "LegacyDateTimeZoneId": ("seconds", "nanoseconds", "tz_id", ),
    "LocalDateTime": ("seconds", "nanoseconds", ),
    "Duration": ("months", "days", "seconds", "nanoseconds", ),
    "Point2D": ("srid", "x", "y", ),
    "Point3D": ("srid", "x", "y", "z", ),
}
_SET_2: dict[str, tuple[str, ...]] = {
    "Node": ("id", "labels", "properties", ),
    "Relationship": ("id", "start_node_id", "end_node_id", "type", "properties", ),
    "UnboundRelationship": ("id", "type", "properties", ),
    "Path": ("nodes", "relationships", "indices", ),
    "Date": ("days", ),
    "Time": ("nanoseconds", "tz_offset_seconds", ),
    "LocalTime": ("nanoseconds", ),
    "DateTime": ("seconds", "nanoseconds", "tz_offset_seconds", ),
    "DateTimeZoneId": ("seconds", "nanoseconds", "tz_id", ),
    "LocalDateTime": ("seconds", "nanoseconds", ),
    "Duration": ("months", "days", "seconds", "nanoseconds", ),
    "Point2D": ("srid", "x", "y", ),
    "Point3D": ("srid", "x", "y", "z", ),
}
_SET_3: dict[str, tuple[str, ...]] = {
    "Node": ("id", "labels", "properties", "element_id", ),
    "Relationship": ("id", "start_node_id", "end_node_id", "type", "properties", "element_id", "start_node_element_id", "end_node_element_id", ),
    "UnboundRelationship": ("id", "type", "properties", "element_id", ),
    "Path": ("nodes", "relationships", "indices", ),
    "Date": ("days", ),
    "Time": ("nanoseconds", "tz_offset_seconds", ),
    "LocalTime": ("nanoseconds", ),
    "DateTime": ("seconds", "nanoseconds", "tz_offset_seconds", ),
    "DateTimeZoneId": ("seconds", "nanoseconds", "tz_id", ),
    "LocalDateTime": ("seconds", "nanoseconds", ),
    "Duration": ("months", "days", "seconds", "nanoseconds", ),
    "Point2D": ("srid", "x", "y", ),
    "Point3D": ("srid", "x", "y", "z", ),
}
_SET_4: dict[str, tuple[str, ...]] = {
    "Node": ("id", "labels", "properties", "element_id", ),
    "Relationship": ("id", "start_node_id", "end_node_id", "type", "properties", "element_id", "start_node_element_id", "end_node_element_id", ),
    "UnboundRelationship": ("id", "type", "properties", "element_id", ),
    "Path": ("nodes", "relationships", "indices", ),
    "Date": ("days", ),
    "Time": ("nanoseconds", "tz_offset_seconds", ),
    "LocalTime": ("nanoseconds", ),
    "DateTime": ("seconds", "nanoseconds", "tz_offset_seconds", ),
    "DateTimeZoneId": ("seconds", "nanoseconds", "tz_id", ),
    "LocalDateTime": ("seconds", "nanoseconds", ),
    "Duration": ("months", "days", "seconds", "nanoseconds", ),
    "Point2D": ("srid", "x", "y", ),
    "Point3D": ("srid", "x", "y", "z", ),
    "Vector": ("type_marker", "data", ),
    "UnsupportedType": ("name", "minimum_protocol_major", "minimum_protocol_minor", "extra", ),
}

#: Profile ("5.0", "4.4+utc"...) -> structure name -> its field names in this profile.
STRUCTURE_FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "1.0": _SET_0,
    "2.0": _SET_1,
    "3.0": _SET_1,
    "4.0": _SET_1,
    "4.1": _SET_1,
    "4.2": _SET_1,
    "4.3": _SET_1,
    "4.3+utc": _SET_2,
    "4.4": _SET_1,
    "4.4+utc": _SET_2,
    "5.0": _SET_3,
    "5.1": _SET_3,
    "5.2": _SET_3,
    "5.3": _SET_3,
    "5.4": _SET_3,
    "5.5": _SET_3,
    "5.6": _SET_3,
    "5.7": _SET_3,
    "5.8": _SET_3,
    "6.0": _SET_4,
    "6.1": _SET_4,
}
