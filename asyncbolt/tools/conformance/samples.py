"""The values the conformance checker sends through a server's echo query, derived from the spec.

For one codec profile (``"5.0"``, ``"4.4+utc"``...) :func:`samples` lists a value of every
PackStream kind the profile has: null, booleans, the integers at the edges of each integer
marker, floats that round trips tend to lose (-0.0, NaN, infinities, a subnormal), strings,
bytes, lists and maps whose sizes sit on each side of every size marker's limit, non-ASCII
strings, nested containers, every structure a client may send as a parameter, and the
fixed-size markers (UUID from Bolt 6.1). Which markers and structures a profile has, and how
wide each size field is, comes from the generated tables (spec/packstream.yaml), not from
version numbers written here: a marker or structure added to the spec gets checked, or named
as unchecked (:func:`unsampled`).

:func:`markers` is that marker table; :func:`value_end` walks one encoded value without
decoding it (for slicing a record into its fields); :func:`difference` says where an echoed
value differs from the sent one, exactly (type and value: -0.0 is not 0.0, 1.0 is not 1).
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from asyncbolt._generated import codec as _g
from asyncbolt._generated import schemas as _schemas
from asyncbolt.codec import _schema
from asyncbolt.codec.structures import (
    STRUCTURES,
    Date,
    DateTime,
    DateTimeZoneId,
    Duration,
    LegacyDateTime,
    LegacyDateTimeZoneId,
    LocalDateTime,
    LocalTime,
    Point2D,
    Point3D,
    Structure,
    Time,
    Vector,
)
from asyncbolt.codec.types import StructureBase

__all__ = ["GRAPH_STRUCTURES", "Marker", "Sample", "difference", "describe", "markers",
           "marker_name", "samples", "structure_layout", "unsampled", "value_end"]

#: Structures a server makes from its graph (a client cannot send them as parameters): the
#: conformance checker gets them from a query that creates them (values.GRAPH_QUERY).
GRAPH_STRUCTURES = ("Node", "Relationship", "UnboundRelationship", "Path")
#: Structures only a server sends, as a placeholder for a value the version cannot carry.
SERVER_ONLY = ("UnsupportedType",)
#: Sizes past this are not sampled (the widest size fields reach 2^31-1): a message stays well
#: under 1 MB.
MAX_SAMPLE_SIZE = 1 << 16
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"

#: One parameter value per structure a client can send, by structure name. Each holds values a
#: server keeps exactly: normalised (nanoseconds below a second, a time of day within a day),
#: zone and offset that exist, cartesian points with the SRIDs Neo4j defines.
STRUCTURE_SAMPLES: dict[str, Any] = {
    "Date": Date(19782),  # 2024-02-29
    "Time": Time(49_021_000_000_042, 3600),  # 13:37:01.000000042+01:00
    "LocalTime": LocalTime(86_399_999_999_999),  # 23:59:59.999999999
    "DateTime": DateTime(1_709_213_821, 123_456_789, 7200),
    "DateTimeZoneId": DateTimeZoneId(1_719_828_000, 5, "Europe/Paris"),
    "LegacyDateTime": LegacyDateTime(1_709_221_021, 123_456_789, 7200),
    "LegacyDateTimeZoneId": LegacyDateTimeZoneId(1_719_835_200, 5, "Europe/Paris"),
    "LocalDateTime": LocalDateTime(946_684_799, 999_999_999),  # 1999-12-31T23:59:59.999999999
    "Duration": Duration(14, 3, 7200, 5),
    "Point2D": Point2D(7203, 1.5, -2.25),
    "Point3D": Point3D(9157, 1.5, -2.25, 1e-3),
}
#: Vectors of each element type (Bolt 6.0+), checked one by one.
VECTOR_SAMPLES: dict[str, Any] = {
    "int8": Vector.from_list([-128, 0, 127], "int8"),
    "int16": Vector.from_list([-32768, 1, 32767], "int16"),
    "int32": Vector.from_list([-(1 << 31), 1, (1 << 31) - 1], "int32"),
    "int64": Vector.from_list([-(1 << 63), 1, (1 << 63) - 1], "int64"),
    "float32": Vector.from_list([1.0, -2.5, 3.25], "float32"),
    "float64": Vector.from_list([1.0, -2.5, 1e-300], "float64"),
}


@dataclass(frozen=True)
class Marker:
    """One marker of a profile: its ``name``, byte range, ``kind`` (``tiny_int``, ``int``,
    ``float``, ``null``, ``boolean``, ``string``, ``bytes``, ``list``, ``map``, ``struct``,
    ``fixed``) and ``width``: the bytes of its size field (0: the size is the marker's low
    nibble), of an integer's payload, or of a fixed value."""

    name: str
    first: int
    last: int
    kind: str
    width: int
    #: For a fixed-size marker: its bytes -> the Python value.
    convert: Any = field(default=None, compare=False)

    def size_range(self) -> tuple[int, int]:
        """The sizes (string/bytes length, item or entry count) this marker can carry."""
        top = 15 if self.width == 0 else min((1 << (8 * self.width)) - 1, _g._MAX_SIZE)
        return 0, top

    def int_range(self) -> tuple[int, int]:
        """The integers this marker can carry."""
        if self.kind == "tiny_int":
            low, high = self.first, self.last
            return (low - 0x100, high - 0x100) if low >= 0x80 else (low, high)
        bits = 8 * self.width
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1


def _width(size: Any) -> int:
    return 0 if size is _schema.NIBBLE else int(size.length)


def _marker(name: str, first: int, last: int, schema: Any) -> Marker | None:
    """What the reference schema of a marker says about it (None: not part of the profile)."""
    if isinstance(schema, _schema.TinyInt):
        return Marker(name, first, last, "tiny_int", 0)
    if isinstance(schema, _schema.Literal):
        kind = "null" if schema.value is None else "boolean"
        return Marker(name, first, last, kind, 0)
    for cls, kind in ((_schema.Text, "string"), (_schema.Raw, "bytes"), (_schema.ListOf, "list"),
                      (_schema.MapOf, "map"), (_schema.StructureOf, "struct")):
        if isinstance(schema, cls):
            return Marker(name, first, last, kind, _width(schema.size))
    if isinstance(schema, _schema.Fixed):
        return Marker(name, first, last, "fixed", schema.size, schema.convert)
    fmt = getattr(schema, "fmtstr", None)  # construct's FormatField: INT_n and FLOAT_64
    if fmt is not None:
        return Marker(name, first, last, "float" if fmt[-1] == "d" else "int", int(schema.length))
    return None  # another version's marker (Unavailable) or a legacy one


@cache
def markers(profile: str) -> tuple[Marker, ...]:
    """The markers of ``profile`` (spec/packstream.yaml ``markers``, through the generated
    reference schema), in byte order."""
    table = _schemas.value_schema(profile).table
    out: list[Marker] = []
    byte = 0
    while byte < 256:
        entry = table[byte]
        last = byte
        while last + 1 < 256 and _same(table[last + 1], entry):
            last += 1
        if entry is not None:
            marker = _marker(entry[0], byte, last, entry[1])
            if marker is not None:
                out.append(marker)
        byte = last + 1
    return tuple(out)


def marker_name(profile: str, byte: int) -> str:
    """The name of the marker that starts with ``byte`` in ``profile``."""
    for m in markers(profile):
        if m.first <= byte <= m.last:
            return m.name
    return f"reserved byte 0x{byte:02X}"


def _same(a: Any, b: Any) -> bool:
    return a is b or (a is not None and b is not None and a[0] == b[0] and a[1] is b[1])


def _of_kind(profile: str, kind: str) -> list[Marker]:
    """The markers of one kind, narrowest first (tiny markers before sized ones)."""
    return sorted((m for m in markers(profile) if m.kind == kind), key=lambda m: (m.width, m.first))


def _own_intervals(low: int, high: int, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``[low, high]`` minus the intervals ``taken``."""
    parts = [(low, high)]
    for t_low, t_high in taken:
        cut = []
        for a, b in parts:
            if b < t_low or a > t_high:
                cut.append((a, b))
                continue
            if a < t_low:
                cut.append((a, t_low - 1))
            if b > t_high:
                cut.append((t_high + 1, b))
        parts = cut
    return parts


def _edges(ranges: list[tuple[Marker, tuple[int, int]]], cap: int | None = None) -> list[tuple[Marker, int]]:
    """For each marker (narrowest first), the ends of the values it is the narrowest for: the
    values an encoder must switch markers at. Sizes above ``cap`` are left out."""
    out: list[tuple[Marker, int]] = []
    taken: list[tuple[int, int]] = []
    for marker, (low, high) in ranges:
        for a, b in _own_intervals(low, high, taken):
            for edge in dict.fromkeys((a, b)):
                if cap is None or edge <= cap:
                    out.append((marker, edge))
        taken.append((low, high))
    return out


@dataclass(frozen=True)
class Sample:
    """A value to echo: the check's ``name`` and the ``value``."""

    name: str
    value: Any


def _text(n: int) -> str:
    return (_ALPHABET * (n // len(_ALPHABET) + 1))[:n]


def _blob(n: int) -> bytes:
    return bytes(i % 256 for i in range(n))


def _sized(kind: str, n: int) -> Any:
    if kind == "string":
        return _text(n)
    if kind == "bytes":
        return _blob(n)
    if kind == "list":
        return list(range(n))
    return {f"k{i}": i % 128 for i in range(n)}


def _float_name(x: float) -> str:
    if math.isnan(x):
        return "NaN"
    if x != 0.0 and abs(x) < 2.2250738585072014e-308:
        return f"subnormal {x!r}"
    return repr(x)


def samples(profile: str) -> list[Sample]:
    """Every value kind of ``profile`` to echo, one :class:`Sample` per check (the values are
    shared between calls: do not change them)."""
    return list(_samples(profile))


@cache
def _samples(profile: str) -> tuple[Sample, ...]:
    out = [Sample("echo Null", None), Sample("echo Boolean true", True),
           Sample("echo Boolean false", False)]
    ints = [(m, m.int_range()) for m in _of_kind(profile, "tiny_int") + _of_kind(profile, "int")]
    for marker, edge in sorted(_edges(ints), key=lambda e: e[1]):
        out.append(Sample(f"echo Integer {marker.name} edge {edge}", edge))
    if _of_kind(profile, "float"):
        for x in (0.0, -0.0, 1.5, -1 / 3, math.inf, -math.inf, math.nan, 5e-324, 1.7976931348623157e308):
            out.append(Sample(f"echo Float {_float_name(x)}", x))
    for kind, label in (("string", "String"), ("bytes", "Bytes"), ("list", "List"), ("map", "Map")):
        sized = [(m, m.size_range()) for m in _of_kind(profile, kind)]
        for marker, n in _edges(sized, MAX_SAMPLE_SIZE):
            out.append(Sample(f"echo {label} {marker.name} size {n}", _sized(kind, n)))
    if _of_kind(profile, "string"):
        out += [
            Sample("echo String non-ASCII 2-byte UTF-8 (8 characters, 16 bytes)", "é" * 8),
            Sample("echo String non-ASCII 3-byte UTF-8", "日本語のテキスト"),
            Sample("echo String non-ASCII 4-byte UTF-8 (outside the BMP)", "😀🎉𝄞"),
            Sample("echo String with U+0000 inside", "a\x00b"),
            Sample("echo Map non-ASCII key", {"ключ": "значение", "é": 1}),
        ]
    out += [
        Sample("echo List nested", [[1, [2, [3, []]]], {"a": [None, True]}, "s", -0.0]),
        Sample("echo Map nested", {"a": {"b": {"c": [1, 2, {"d": None}]}}, "e": [], "f": {}}),
        Sample("echo List mixed kinds", [None, True, False, -17, 1.5, "text", [], {}]),
    ]
    for marker in _of_kind(profile, "fixed"):
        out.append(Sample(f"echo {marker.name}", _fixed_sample(marker)))
    names = _structure_names(profile)
    for name in names:
        if name in STRUCTURE_SAMPLES:
            out.append(Sample(f"echo {name}", STRUCTURE_SAMPLES[name]))
        elif name == "Vector":
            for element, vector in VECTOR_SAMPLES.items():
                out.append(Sample(f"echo Vector {element}", vector))
    return tuple(out)


def unsampled(profile: str) -> list[str]:
    """Structures of ``profile`` that neither an echo nor the graph query checks (a structure
    new in the spec that this module has no sample for yet)."""
    known = set(STRUCTURE_SAMPLES) | set(GRAPH_STRUCTURES) | set(SERVER_ONLY) | {"Vector"}
    return [n for n in _structure_names(profile) if n not in known]


def _fixed_sample(marker: Marker) -> Any:
    """A value of a fixed-size marker: distinct bytes, made into its Python value."""
    return marker.convert(bytes(range(0x10, 0x10 + marker.width)))


def _struct_set(profile: str) -> dict[int, tuple[int, Any, str]]:
    return _g._STRUCT_SETS[_g._STRUCT_SET_OF[profile]][0]


def _structure_names(profile: str) -> list[str]:
    return [entry[2] for entry in _struct_set(profile).values()]


def structure_layout(profile: str, name: str) -> tuple[int, tuple[str, ...]] | None:
    """``(tag, field names)`` of the structure ``name`` in ``profile`` (None: not there)."""
    for tag, (count, _build, struct_name) in _struct_set(profile).items():
        if struct_name == name:
            cls: Any = STRUCTURES[name]
            return tag, tuple(cls.fields[:count])
    return None


# -- walking and comparing -------------------------------------------------------------------


def value_end(profile: str, data: bytes, pos: int) -> int:
    """The offset just past the value starting at ``pos`` (no decoding, no type checks):
    for cutting a record into its fields. IndexError/ValueError for data that is cut short or
    starts with a reserved byte."""
    table = _marker_of_byte(profile)
    todo = 1
    while todo:
        todo -= 1
        byte = data[pos]
        m = table[byte]
        if m is None:
            raise ValueError(f"reserved marker byte 0x{byte:02X} at offset {pos}")
        pos += 1
        if m.kind in ("tiny_int", "null", "boolean"):
            continue
        if m.kind in ("int", "float", "fixed"):
            pos += m.width
            continue
        if m.width == 0:
            size = byte & 0x0F
        else:
            size = int.from_bytes(data[pos:pos + m.width], "big")
            pos += m.width
        if m.kind in ("string", "bytes"):
            pos += size
        elif m.kind == "list":
            todo += size
        elif m.kind == "map":
            todo += 2 * size
        else:  # struct: the tag byte, then its fields
            pos += 1
            todo += size
        if pos > len(data):
            raise IndexError("value cut short")
    if pos > len(data):
        raise IndexError("value cut short")
    return pos


@cache
def _marker_of_byte(profile: str) -> tuple[Marker | None, ...]:
    table: list[Marker | None] = [None] * 256
    for m in markers(profile):
        for b in range(m.first, m.last + 1):
            table[b] = m
    return tuple(table)


_KINDS = {type(None): "Null", bool: "Boolean", int: "Integer", float: "Float", str: "String",
          bytes: "Bytes", list: "List", dict: "Map"}


def describe(value: Any, limit: int = 60) -> str:
    """A short description of a value for a report line: its PackStream kind and (cut) repr."""
    if isinstance(value, (StructureBase, Structure)):
        text = repr(value)
        return text if len(text) <= limit else text[:limit] + "..."
    kind = _KINDS.get(type(value), type(value).__name__)
    if type(value) in (str, bytes, list, dict) and len(value) > 8:
        text = repr(value)
        head = text if len(text) <= limit else text[:limit] + "..."
        unit = "characters" if type(value) is str else "bytes" if type(value) is bytes else \
            "items" if type(value) is list else "entries"
        return f"{kind} of {len(value)} {unit} {head}"
    if type(value) is float:
        return f"Float {_float_name(value)}"
    text = repr(value)
    return f"{kind} {text if len(text) <= limit else text[:limit] + '...'}"


def _float_bits(x: float) -> bytes:
    return struct.pack(">d", x)


def difference(want: Any, got: Any, where: str = "x") -> str | None:
    """Where ``got`` differs from ``want``, exactly (None: the same value). Types must match
    (Integer 1 is not Float 1.0, True is not 1); floats compare by their bits, except that any
    NaN equals NaN; maps compare by keys and values, not order."""
    if type(want) is not type(got):
        return f"{where}: expected {describe(want)}, got {describe(got)}"
    if type(want) is float:
        if math.isnan(want) and math.isnan(got):
            return None
        if _float_bits(want) != _float_bits(got):
            return f"{where}: expected {describe(want)}, got {describe(got)}"
        return None
    if type(want) is list:
        if len(want) != len(got):
            return f"{where}: expected a List of {len(want)} items, got {len(got)}: {describe(got)}"
        for i, (a, b) in enumerate(zip(want, got, strict=True)):
            problem = difference(a, b, f"{where}[{i}]")
            if problem:
                return problem
        return None
    if type(want) is dict:
        missing = [k for k in want if k not in got]
        extra = [k for k in got if k not in want]
        if missing or extra:
            return (f"{where}: expected a Map of {len(want)} entries, got {len(got)}"
                    + (f"; missing keys {missing[:5]!r}" if missing else "")
                    + (f"; unexpected keys {extra[:5]!r}" if extra else ""))
        for key, a in want.items():
            problem = difference(a, got[key], f"{where}[{key!r}]")
            if problem:
                return problem
        return None
    if isinstance(want, StructureBase):
        for field in type(want).fields:
            problem = difference(getattr(want, field), getattr(got, field), f"{where}.{field}")
            if problem:
                return problem
        return None
    if type(want) is Structure:
        if want.tag != got.tag:
            return f"{where}: expected a structure of tag 0x{want.tag:02X}, got 0x{got.tag:02X}"
        return difference(want.fields, got.fields, f"{where}.fields")
    if want != got:
        if type(want) in (str, bytes) and len(want) != len(got):
            return f"{where}: expected {describe(want)}, got {describe(got)} ({len(got)} long, not {len(want)})"
        if type(want) in (str, bytes):
            at = next(i for i, (a, b) in enumerate(zip(want, got, strict=True)) if a != b)
            return f"{where}: expected {describe(want)}, got {describe(got)} (first difference at index {at})"
        return f"{where}: expected {describe(want)}, got {describe(got)}"
    return None
