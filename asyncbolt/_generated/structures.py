# Generated from spec/packstream.yaml, spec/bolt.yaml by `python -m codegen` (make generate).
# Do not edit: change the spec and regenerate.
"""PackStream structure classes (Node, Relationship, Path, temporal, spatial, Vector).

Each class holds the union of the fields of all its layouts; a field that only some Bolt
versions carry defaults to None. Which layout is on the wire is the codec's business.
"""

from __future__ import annotations

from typing import Any

from asyncbolt.codec.types import (
    DateMixin,
    DateTimeMixin,
    DateTimeZoneIdMixin,
    DurationMixin,
    EntityMixin,
    LegacyDateTimeMixin,
    LegacyDateTimeZoneIdMixin,
    LocalDateTimeMixin,
    LocalTimeMixin,
    StructureBase,
    TimeMixin,
    VectorMixin,
)

__all__ = [
    "Node",
    "Relationship",
    "UnboundRelationship",
    "Path",
    "Date",
    "Time",
    "LocalTime",
    "DateTime",
    "DateTimeZoneId",
    "LegacyDateTime",
    "LegacyDateTimeZoneId",
    "LocalDateTime",
    "Duration",
    "Point2D",
    "Point3D",
    "Vector",
    "UnsupportedType",
]


class Node(EntityMixin, StructureBase):
    """A node of the graph.

    Tag 0x4E ('N').
    Bolt 1.0-4.4: id: Integer, labels: List<String>, properties: Map
    Bolt 5.0+: id: Integer?, labels: List<String>, properties: Map, element_id: String
    """

    __slots__ = ("id", "labels", "properties", "element_id", )
    tag = 0x4E
    fields = ("id", "labels", "properties", "element_id", )

    def __init__(
        self,
        id: int | None,
        labels: list[str],
        properties: dict[str, Any],
        element_id: str | None = None,
    ) -> None:
        self.id = id
        self.labels = labels
        self.properties = properties
        self.element_id = element_id


class Relationship(EntityMixin, StructureBase):
    """A relationship with both of its end nodes.

    Tag 0x52 ('R').
    Bolt 1.0-4.4: id: Integer, start_node_id: Integer, end_node_id: Integer, type: String, properties: Map
    Bolt 5.0+: id: Integer?, start_node_id: Integer?, end_node_id: Integer?, type: String, properties: Map, element_id: String, start_node_element_id: String, end_node_element_id: String
    """

    __slots__ = ("id", "start_node_id", "end_node_id", "type", "properties", "element_id", "start_node_element_id", "end_node_element_id", )
    tag = 0x52
    fields = ("id", "start_node_id", "end_node_id", "type", "properties", "element_id", "start_node_element_id", "end_node_element_id", )

    def __init__(
        self,
        id: int | None,
        start_node_id: int | None,
        end_node_id: int | None,
        type: str,
        properties: dict[str, Any],
        element_id: str | None = None,
        start_node_element_id: str | None = None,
        end_node_element_id: str | None = None,
    ) -> None:
        self.id = id
        self.start_node_id = start_node_id
        self.end_node_id = end_node_id
        self.type = type
        self.properties = properties
        self.element_id = element_id
        self.start_node_element_id = start_node_element_id
        self.end_node_element_id = end_node_element_id


class UnboundRelationship(EntityMixin, StructureBase):
    """A relationship inside a Path, without its end nodes.

    Tag 0x72 ('r').
    Bolt 1.0-4.4: id: Integer, type: String, properties: Map
    Bolt 5.0+: id: Integer?, type: String, properties: Map, element_id: String
    """

    __slots__ = ("id", "type", "properties", "element_id", )
    tag = 0x72
    fields = ("id", "type", "properties", "element_id", )

    def __init__(
        self,
        id: int | None,
        type: str,
        properties: dict[str, Any],
        element_id: str | None = None,
    ) -> None:
        self.id = id
        self.type = type
        self.properties = properties
        self.element_id = element_id


class Path(StructureBase):
    """An alternating sequence of nodes and relationships. indices has an even length: odd
    positions are 1-based indexes into relationships (negative = traversed backwards), even
    positions 0-based indexes into nodes; the first node is implicit.

    Tag 0x50 ('P').
    Bolt 1.0+: nodes: List<Node>, relationships: List<UnboundRelationship>, indices: List<Integer>
    """

    __slots__ = ("nodes", "relationships", "indices", )
    tag = 0x50
    fields = ("nodes", "relationships", "indices", )

    def __init__(
        self,
        nodes: list[Node],
        relationships: list[UnboundRelationship],
        indices: list[int],
    ) -> None:
        self.nodes = nodes
        self.relationships = relationships
        self.indices = indices


class Date(DateMixin, StructureBase):
    """A calendar date as days since 1970-01-01.

    Tag 0x44 ('D').
    Bolt 2.0+: days: Integer
    """

    __slots__ = ("days", )
    tag = 0x44
    fields = ("days", )

    def __init__(
        self,
        days: int,
    ) -> None:
        self.days = days


class Time(TimeMixin, StructureBase):
    """A time of day with a UTC offset.

    Tag 0x54 ('T').
    Bolt 2.0+: nanoseconds: Integer, tz_offset_seconds: Integer
    """

    __slots__ = ("nanoseconds", "tz_offset_seconds", )
    tag = 0x54
    fields = ("nanoseconds", "tz_offset_seconds", )

    def __init__(
        self,
        nanoseconds: int,
        tz_offset_seconds: int,
    ) -> None:
        self.nanoseconds = nanoseconds
        self.tz_offset_seconds = tz_offset_seconds


class LocalTime(LocalTimeMixin, StructureBase):
    """A time of day without a zone.

    Tag 0x74 ('t').
    Bolt 2.0+: nanoseconds: Integer
    """

    __slots__ = ("nanoseconds", )
    tag = 0x74
    fields = ("nanoseconds", )

    def __init__(
        self,
        nanoseconds: int,
    ) -> None:
        self.nanoseconds = nanoseconds


class DateTime(DateTimeMixin, StructureBase):
    """An instant with a fixed UTC offset; seconds count the UTC instant.

    Tag 0x49 ('I').
    Bolt 5.0+, 4.3-4.4 with patch utc: seconds: Integer, nanoseconds: Integer, tz_offset_seconds: Integer
    """

    __slots__ = ("seconds", "nanoseconds", "tz_offset_seconds", )
    tag = 0x49
    fields = ("seconds", "nanoseconds", "tz_offset_seconds", )

    def __init__(
        self,
        seconds: int,
        nanoseconds: int,
        tz_offset_seconds: int,
    ) -> None:
        self.seconds = seconds
        self.nanoseconds = nanoseconds
        self.tz_offset_seconds = tz_offset_seconds


class DateTimeZoneId(DateTimeZoneIdMixin, StructureBase):
    """An instant in a named time zone; seconds count the UTC instant.

    Tag 0x69 ('i').
    Bolt 5.0+, 4.3-4.4 with patch utc: seconds: Integer, nanoseconds: Integer, tz_id: String
    """

    __slots__ = ("seconds", "nanoseconds", "tz_id", )
    tag = 0x69
    fields = ("seconds", "nanoseconds", "tz_id", )

    def __init__(
        self,
        seconds: int,
        nanoseconds: int,
        tz_id: str,
    ) -> None:
        self.seconds = seconds
        self.nanoseconds = nanoseconds
        self.tz_id = tz_id


class LegacyDateTime(LegacyDateTimeMixin, StructureBase):
    """The pre-5.0 DateTime; seconds count the local wall clock (UTC + offset).

    Tag 0x46 ('F').
    Bolt 2.0-4.4 without patch utc: seconds: Integer, nanoseconds: Integer, tz_offset_seconds: Integer
    """

    __slots__ = ("seconds", "nanoseconds", "tz_offset_seconds", )
    tag = 0x46
    fields = ("seconds", "nanoseconds", "tz_offset_seconds", )

    def __init__(
        self,
        seconds: int,
        nanoseconds: int,
        tz_offset_seconds: int,
    ) -> None:
        self.seconds = seconds
        self.nanoseconds = nanoseconds
        self.tz_offset_seconds = tz_offset_seconds


class LegacyDateTimeZoneId(LegacyDateTimeZoneIdMixin, StructureBase):
    """The pre-5.0 DateTimeZoneId; seconds count the local wall clock.

    Tag 0x66 ('f').
    Bolt 2.0-4.4 without patch utc: seconds: Integer, nanoseconds: Integer, tz_id: String
    """

    __slots__ = ("seconds", "nanoseconds", "tz_id", )
    tag = 0x66
    fields = ("seconds", "nanoseconds", "tz_id", )

    def __init__(
        self,
        seconds: int,
        nanoseconds: int,
        tz_id: str,
    ) -> None:
        self.seconds = seconds
        self.nanoseconds = nanoseconds
        self.tz_id = tz_id


class LocalDateTime(LocalDateTimeMixin, StructureBase):
    """A date and time without a zone.

    Tag 0x64 ('d').
    Bolt 2.0+: seconds: Integer, nanoseconds: Integer
    """

    __slots__ = ("seconds", "nanoseconds", )
    tag = 0x64
    fields = ("seconds", "nanoseconds", )

    def __init__(
        self,
        seconds: int,
        nanoseconds: int,
    ) -> None:
        self.seconds = seconds
        self.nanoseconds = nanoseconds


class Duration(DurationMixin, StructureBase):
    """A temporal amount; every component may be negative.

    Tag 0x45 ('E').
    Bolt 2.0+: months: Integer, days: Integer, seconds: Integer, nanoseconds: Integer
    """

    __slots__ = ("months", "days", "seconds", "nanoseconds", )
    tag = 0x45
    fields = ("months", "days", "seconds", "nanoseconds", )

    def __init__(
        self,
        months: int,
        days: int,
        seconds: int,
        nanoseconds: int,
    ) -> None:
        self.months = months
        self.days = days
        self.seconds = seconds
        self.nanoseconds = nanoseconds


class Point2D(StructureBase):
    """A 2D point; srid 7203 is cartesian, 4326 WGS-84.

    Tag 0x58 ('X').
    Bolt 2.0+: srid: Integer, x: Float, y: Float
    """

    __slots__ = ("srid", "x", "y", )
    tag = 0x58
    fields = ("srid", "x", "y", )

    def __init__(
        self,
        srid: int,
        x: float,
        y: float,
    ) -> None:
        self.srid = srid
        self.x = x
        self.y = y


class Point3D(StructureBase):
    """A 3D point; srid 9157 is cartesian, 4979 WGS-84.

    Tag 0x59 ('Y').
    Bolt 2.0+: srid: Integer, x: Float, y: Float, z: Float
    """

    __slots__ = ("srid", "x", "y", "z", )
    tag = 0x59
    fields = ("srid", "x", "y", "z", )

    def __init__(
        self,
        srid: int,
        x: float,
        y: float,
        z: float,
    ) -> None:
        self.srid = srid
        self.x = x
        self.y = y
        self.z = z


class Vector(VectorMixin, StructureBase):
    """A dense vector. type_marker is a one-byte Bytes holding the element marker (C8 int8, C9
    int16, CA int32, CB int64, C6 float32, C1 float64); data holds the elements packed big-
    endian back to back.

    Tag 0x56 ('V').
    Bolt 6.0+: type_marker: Bytes, data: Bytes
    """

    __slots__ = ("type_marker", "data", )
    tag = 0x56
    fields = ("type_marker", "data", )

    def __init__(
        self,
        type_marker: bytes,
        data: bytes,
    ) -> None:
        self.type_marker = type_marker
        self.data = data


class UnsupportedType(StructureBase):
    """Placeholder a server sends for a value the negotiated version cannot carry.

    Tag 0x3F ('?').
    Bolt 6.0+: name: String, minimum_protocol_major: Integer, minimum_protocol_minor: Integer, extra: Map
    """

    __slots__ = ("name", "minimum_protocol_major", "minimum_protocol_minor", "extra", )
    tag = 0x3F
    fields = ("name", "minimum_protocol_major", "minimum_protocol_minor", "extra", )

    def __init__(
        self,
        name: str,
        minimum_protocol_major: int,
        minimum_protocol_minor: int,
        extra: dict[str, Any],
    ) -> None:
        self.name = name
        self.minimum_protocol_major = minimum_protocol_major
        self.minimum_protocol_minor = minimum_protocol_minor
        self.extra = extra


#: Every structure class by name.
STRUCTURES: dict[str, type] = {
    "Node": Node,
    "Relationship": Relationship,
    "UnboundRelationship": UnboundRelationship,
    "Path": Path,
    "Date": Date,
    "Time": Time,
    "LocalTime": LocalTime,
    "DateTime": DateTime,
    "DateTimeZoneId": DateTimeZoneId,
    "LegacyDateTime": LegacyDateTime,
    "LegacyDateTimeZoneId": LegacyDateTimeZoneId,
    "LocalDateTime": LocalDateTime,
    "Duration": Duration,
    "Point2D": Point2D,
    "Point3D": Point3D,
    "Vector": Vector,
    "UnsupportedType": UnsupportedType,
}


def _unused(_: Any) -> None:  # keeps the Any import used when no field is Any
    return None
