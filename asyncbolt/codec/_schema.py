"""construct building blocks for the generated PackStream schemas (asyncbolt._generated.schemas).

The generated schemas read like the spec: a marker table, then one ``Struct`` per structure
layout and per message layout. These classes supply what construct has no primitive for:
values whose shape depends on the marker byte, UTF-8 with exact error offsets, typed fields,
and the structure/message tag dispatch. Every failure is a ``SchemaError`` carrying the byte
offset and the construct path; ``asyncbolt.codec.schemas`` turns it into ``ProtocolError``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from construct import Construct, ConstructError, Container, Subconstruct, stream_read

from asyncbolt.codec.types import Structure
from asyncbolt.errors import SchemaError

__all__ = ["NIBBLE", "SchemaError", "TinyInt", "Literal", "Text", "Raw", "Fixed", "Unavailable", "Legacy", "ListOf",
           "MapOf", "StructureOf", "PackValue", "Checked", "MessageOf"]


class _Nibble:
    def __repr__(self) -> str:
        return "NIBBLE"


#: Size taken from the marker's low four bits (tiny strings, lists, maps, structures).
NIBBLE = _Nibble()


def _size(size: Any, stream: Any, context: Any, path: str) -> int:
    if size is NIBBLE:
        return context._marker & 0x0F
    return size._parsereport(stream, context, path)


def _context(parent: Any, **values: Any) -> Container:
    """A context construct's own classes (Struct) accept, carrying ``values``."""
    params = getattr(parent, "_params", None) if isinstance(parent, dict) else None
    return Container(_=parent, _params=params if params is not None else Container(),
                     _parsing=True, _building=False, _sizing=False, **values)


def _type_name(v: Any) -> str:
    names = {type(None): "Null", bool: "Boolean", int: "Integer", float: "Float", str: "String",
             bytes: "Bytes", list: "List", dict: "Map"}
    return names.get(type(v), type(v).__name__)


class _Leaf(Construct):
    def _build(self, obj: Any, stream: Any, context: Any, path: str) -> Any:
        raise ConstructError("the reference schemas only parse; use asyncbolt.codec.packstream to encode",
                             path)

    def _sizeof(self, context: Any, path: str) -> int:
        raise ConstructError("PackStream values have no fixed size", path)


class TinyInt(_Leaf):
    """The marker byte is the value (0x00-0x7F, or 0xF0-0xFF for -16..-1)."""

    def __init__(self, negative: bool) -> None:
        super().__init__()
        self.negative = negative

    def _parse(self, stream: Any, context: Any, path: str) -> int:
        return context._marker - 0x100 if self.negative else context._marker


class Literal(_Leaf):
    """A marker that is the whole value (null, true, false)."""

    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value

    def _parse(self, stream: Any, context: Any, path: str) -> Any:
        return self.value


class Text(_Leaf):
    """A UTF-8 string whose byte length is ``size`` (a construct, or NIBBLE)."""

    def __init__(self, size: Any) -> None:
        super().__init__()
        self.size = size

    def _parse(self, stream: Any, context: Any, path: str) -> str:
        n = _size(self.size, stream, context, path)
        start = stream.tell()
        data = stream_read(stream, n, path)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SchemaError(f"invalid UTF-8 in string: {exc.reason}", start + exc.start, path) from None


class Raw(_Leaf):
    """A byte array whose length is ``size``."""

    def __init__(self, size: Any) -> None:
        super().__init__()
        self.size = size

    def _parse(self, stream: Any, context: Any, path: str) -> bytes:
        return stream_read(stream, _size(self.size, stream, context, path), path)


class Fixed(_Leaf):
    """``size`` raw bytes made into a value by ``convert`` (e.g. a UUID)."""

    def __init__(self, size: int, convert: Callable[[bytes], Any]) -> None:
        super().__init__()
        self.size, self.convert = size, convert

    def _parse(self, stream: Any, context: Any, path: str) -> Any:
        return self.convert(stream_read(stream, self.size, path))


class Unavailable(_Leaf):
    """A marker another Bolt version defines: an error naming where it exists."""

    def __init__(self, name: str, marker: int, profile: str, versions: str) -> None:
        super().__init__()
        self.reason = (f"{name} (marker 0x{marker:02X}) is not part of Bolt {profile}; "
                       f"it exists in Bolt {versions}")

    def _parse(self, stream: Any, context: Any, path: str) -> Any:
        raise SchemaError(self.reason, context._at, path)


class Legacy(_Leaf):
    """A legacy PackStream v1 marker (STRUCT_8, STRUCT_16): an error naming it, unless the parse
    was given ``legacy=[...]``; then what follows is decoded and ``(offset, name, path)`` noted
    in that list."""

    def __init__(self, name: str, reason: str, subcon: Construct) -> None:
        super().__init__()
        self.name, self.reason, self.subcon = name, reason, subcon

    def _parse(self, stream: Any, context: Any, path: str) -> Any:
        params = getattr(context, "_params", None)
        seen = params.get("legacy") if isinstance(params, dict) else None
        if seen is None:
            raise SchemaError(self.reason, context._at, path)
        seen.append((context._at, self.name, path))
        return self.subcon._parsereport(stream, context, path)


class ListOf(_Leaf):
    """``size`` items, each an ``item``."""

    def __init__(self, size: Any, item: Construct) -> None:
        super().__init__()
        self.size, self.item = size, item

    def _parse(self, stream: Any, context: Any, path: str) -> list:
        n = _size(self.size, stream, context, path)
        return [self.item._parsereport(stream, context, f"{path} -> [{i}]") for i in range(n)]


class MapOf(_Leaf):
    """``size`` entries of a string key (any string marker) and a ``value``."""

    def __init__(self, size: Any, value: Construct, key_markers: dict[int, Any]) -> None:
        super().__init__()
        self.size, self.value, self.key_markers = size, value, key_markers

    def _parse(self, stream: Any, context: Any, path: str) -> dict:
        n = _size(self.size, stream, context, path)
        out = {}
        for _ in range(n):
            at = stream.tell()
            marker = stream_read(stream, 1, path)[0]
            key_schema = self.key_markers.get(marker)
            if key_schema is None:
                raise SchemaError(f"map key must be a string, found marker 0x{marker:02X}", at, path)
            key = key_schema._parsereport(stream, _context(context, _marker=marker), path)
            out[key] = self.value._parsereport(stream, context, f"{path} -> {key}")
        return out


class PackValue(_Leaf):
    """Any PackStream value: the marker byte selects what follows it.

    ``markers`` is a list of (first byte, last byte, marker name, schema of what follows).
    """

    def __init__(self, markers: list[tuple[int, int, str, Construct]]) -> None:
        super().__init__()
        self.table: list[tuple[str, Construct] | None] = [None] * 256
        for first, last, name, schema in markers:
            for b in range(first, last + 1):
                self.table[b] = (name, schema)

    def _parse(self, stream: Any, context: Any, path: str) -> Any:
        at = stream.tell()
        marker = stream_read(stream, 1, path)[0]
        entry = self.table[marker]
        if entry is None:
            raise SchemaError(f"reserved marker byte 0x{marker:02X}", at, path)
        return entry[1]._parsereport(stream, _context(context, _marker=marker, _at=at), path)


class Checked(Subconstruct):
    """A field whose value must be of the spec type ``expected``."""

    def __init__(self, subcon: Construct, expected: str, check: Callable[[Any], bool]) -> None:
        super().__init__(subcon)
        self.expected, self.check = expected, check

    def _parse(self, stream: Any, context: Any, path: str) -> Any:
        at = stream.tell()
        value = self.subcon._parsereport(stream, context, path)
        if not self.check(value):
            raise SchemaError(f"must be {self.expected}, found {_type_name(value)}", at, path)
        return value

    def _build(self, obj: Any, stream: Any, context: Any, path: str) -> Any:
        raise ConstructError("the reference schemas only parse", path)


def _fields(container: Any) -> dict:
    return {k: v for k, v in container.items() if not k.startswith("_")}


class StructureOf(_Leaf):
    """A structure: tag byte, then the fields of the layout the tag names.

    ``table`` maps a tag to (name, class, field schema); ``elsewhere`` maps tags that other
    Bolt versions define to the versions, for a precise error.
    """

    def __init__(self, size: Any, table: dict, elsewhere: dict, value: Construct, profile: str) -> None:
        super().__init__()
        self.size, self.table, self.elsewhere, self.value = size, table, elsewhere, value
        self.profile = profile

    def _parse(self, stream: Any, context: Any, path: str) -> Any:
        n = _size(self.size, stream, context, path)
        at = stream.tell()
        tag = stream_read(stream, 1, path)[0]
        if tag > 0x7F:
            raise SchemaError(f"structure tag 0x{tag:02X} is outside 0x00-0x7F", at, path)
        entry = self.table.get(tag)
        if entry is None:
            if tag in self.elsewhere:
                name, versions = self.elsewhere[tag]
                raise SchemaError(f"structure {name} (tag 0x{tag:02X}) is not part of Bolt "
                                  f"{self.profile}; it exists in Bolt {versions}", context._at, path)
            fields = [self.value._parsereport(stream, context, f"{path} -> [{i}]") for i in range(n)]
            return Structure(tag, fields)
        name, cls, schema = entry
        if n != len(schema.subcons):
            raise SchemaError(f"{name} structure must have {len(schema.subcons)} fields, found {n}",
                              context._at, path)
        return cls(**_fields(schema._parsereport(stream, context, f"{path} -> {name}")))


class MessageOf(_Leaf):
    """A Bolt message: a structure whose signature selects the message layout.

    ``table`` maps a signature to (name, class, field schema, number of optional trailing
    fields).
    """

    def __init__(self, table: dict, what: str, version: str) -> None:
        super().__init__()
        self.table, self.what, self.version = table, what, version

    def _parse(self, stream: Any, context: Any, path: str) -> Any:
        marker = stream_read(stream, 1, path)[0]
        if not 0xB0 <= marker <= 0xBF:
            raise SchemaError(f"a {self.what} message must be a structure, found marker 0x{marker:02X}",
                              0, path)
        sig = stream_read(stream, 1, path)[0]
        entry = self.table.get(sig)
        if entry is None:
            raise SchemaError(f"unknown {self.what} signature 0x{sig:02X} in Bolt {self.version}", 1, path)
        name, cls, schema, optional = entry
        n = marker & 0x0F
        required = len(schema.subcons) - optional
        if not required <= n <= len(schema.subcons):
            expected = f"{required}" if not optional else f"{required} to {len(schema.subcons)}"
            raise SchemaError(f"{name} must have {expected} fields, found {n}", 0, name)
        values = {}
        for sc in schema.subcons[:n]:
            values[sc.name] = sc._parsereport(stream, context, name)
        return cls(**values)
