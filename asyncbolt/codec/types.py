"""Python value mapping for PackStream structures.

The structure classes themselves are generated from spec/packstream.yaml into
``asyncbolt._generated.structures``; this module holds what they share (the base class) and
the hand-written conversions to and from the standard library types (``datetime``, ``date``,
``time``, ``timedelta``), which the spec names as mixins.

Temporal classes keep every nanosecond and every date the protocol can carry; ``to_native()``
converts to the standard library where Python can hold the value (microsecond precision, years
1-9999) and raises ``ValueError`` otherwise.
"""

from __future__ import annotations

import datetime as _dt
import struct as _struct
import uuid as _uuid
from collections.abc import ItemsView, Iterator, KeysView, ValuesView
from typing import Any

__all__ = ["StructureBase", "Structure", "from_native", "FIXED"]

#: Fixed-size PackStream values (spec/packstream.yaml markers of kind ``fixed``), by the name
#: the spec's ``python`` key gives: (Python type, bytes -> value, value -> bytes).
FIXED: dict[str, tuple[type, Any, Any]] = {
    "uuid": (_uuid.UUID, lambda b: _uuid.UUID(bytes=b), lambda v: v.bytes),
}

_EPOCH_ORDINAL = _dt.date(1970, 1, 1).toordinal()
_UTC = _dt.timezone.utc
_NS_PER_S = 1_000_000_000
_NS_PER_DAY = 86_400 * _NS_PER_S


class StructureBase:
    """Shared behaviour of the generated structure and message classes.

    Subclasses declare ``__slots__`` and a class attribute ``fields`` (names in wire order of
    the newest layout); equality compares type and every field, and the repr names them.
    """

    __slots__ = ()
    fields: tuple[str, ...] = ()

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in self.fields)

    __hash__ = None  # type: ignore[assignment]  # field values are lists and dicts

    def __repr__(self) -> str:
        args = ", ".join(f"{f}={getattr(self, f)!r}" for f in self.fields)
        return f"{type(self).__name__}({args})"

    def __iter__(self) -> Iterator[Any]:
        return (getattr(self, f) for f in self.fields)


class Structure:
    """A structure whose tag the negotiated version does not define.

    Decoders return it for unknown tags rather than failing the whole stream; it packs back to
    the same bytes.
    """

    __slots__ = ("tag", "fields")

    def __init__(self, tag: int | bytes, fields: list | tuple = ()) -> None:
        if isinstance(tag, (bytes, bytearray)):
            if len(tag) != 1:
                raise ValueError("a structure tag is one byte")
            tag = tag[0]
        if not 0 <= tag <= 0x7F:
            raise ValueError(f"structure tag {tag} is outside 0x00-0x7F")
        self.tag = tag
        self.fields = list(fields)

    def __eq__(self, other: object) -> bool:
        if type(other) is not Structure:
            return NotImplemented
        return self.tag == other.tag and self.fields == other.fields

    __hash__ = None  # type: ignore[assignment]  # compared by value: unhashable (mypy wants a method)

    def __repr__(self) -> str:
        return f"Structure(tag=0x{self.tag:02X}, fields={self.fields!r})"


def _split_ns(ns: int) -> tuple[int, int]:
    return divmod(ns, _NS_PER_S)


def _time_of_day(nanoseconds: int, tz: _dt.tzinfo | None) -> _dt.time:
    if not 0 <= nanoseconds < _NS_PER_DAY:
        raise ValueError(f"{nanoseconds} ns is not a time of day")
    s, ns = _split_ns(nanoseconds)
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return _dt.time(h, m, s, ns // 1000, tzinfo=tz)


def _ns_of_day(t: _dt.time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * _NS_PER_S + t.microsecond * 1000


def _epoch_to_naive(seconds: int, nanoseconds: int) -> _dt.datetime:
    days, secs = divmod(seconds, 86_400)
    try:
        base = _dt.datetime.fromordinal(_EPOCH_ORDINAL + days)
        return base + _dt.timedelta(seconds=secs, microseconds=nanoseconds // 1000)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"{seconds} s since the epoch is outside what datetime holds") from exc


def _naive_to_epoch(d: _dt.datetime) -> tuple[int, int]:
    days = d.toordinal() - _EPOCH_ORDINAL
    return days * 86_400 + d.hour * 3600 + d.minute * 60 + d.second, d.microsecond * 1000


def _zone(tz_id: str) -> _dt.tzinfo:
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(tz_id)
    except (KeyError, ValueError, OSError, ImportError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise ValueError(f"unknown time zone {tz_id!r}") from exc


def _offset_at_utc(tz_id: str, utc_seconds: int) -> int:
    """The zone's UTC offset (seconds) at a UTC instant."""
    utc = _epoch_to_naive(utc_seconds, 0).replace(tzinfo=_UTC)
    off = utc.astimezone(_zone(tz_id)).utcoffset()
    return int(off.total_seconds()) if off is not None else 0


def _offset_at_local(tz_id: str, local_seconds: int) -> int:
    """The zone's UTC offset at a local wall-clock time (the earlier one where ambiguous)."""
    local = _epoch_to_naive(local_seconds, 0).replace(tzinfo=_zone(tz_id), fold=0)
    off = local.utcoffset()
    return int(off.total_seconds()) if off is not None else 0


class EntityMixin:
    """Nodes and relationships read their properties as the official driver's do:
    ``node["name"]``, ``node.get("name")``, ``"name" in node``, ``keys()``, ``values()``,
    ``items()`` (the properties map is ``.properties``; iterating a structure still gives its
    fields)."""

    __slots__ = ()
    properties: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.properties[key]

    def __contains__(self, key: object) -> bool:
        return key in self.properties

    def get(self, key: str, default: Any = None) -> Any:
        return self.properties.get(key, default)

    def keys(self) -> KeysView[str]:
        return self.properties.keys()

    def values(self) -> ValuesView[Any]:
        return self.properties.values()

    def items(self) -> ItemsView[str, Any]:
        return self.properties.items()


class DateMixin:
    __slots__ = ()
    days: int

    def to_native(self) -> _dt.date:
        """The ``datetime.date``; ValueError outside years 1-9999."""
        try:
            return _dt.date.fromordinal(_EPOCH_ORDINAL + self.days)
        except (ValueError, OverflowError) as exc:
            raise ValueError(f"Date({self.days}) is outside what datetime.date holds") from exc

    @classmethod
    def from_native(cls: type[Any], d: _dt.date) -> Any:
        return cls(d.toordinal() - _EPOCH_ORDINAL)


class LocalTimeMixin:
    __slots__ = ()
    nanoseconds: int

    def to_native(self) -> _dt.time:
        """The naive ``datetime.time`` (microsecond precision)."""
        return _time_of_day(self.nanoseconds, None)

    @classmethod
    def from_native(cls: type[Any], t: _dt.time) -> Any:
        return cls(_ns_of_day(t))


class TimeMixin:
    __slots__ = ()
    nanoseconds: int
    tz_offset_seconds: int

    def to_native(self) -> _dt.time:
        """The aware ``datetime.time`` with a fixed offset (microsecond precision)."""
        tz = _dt.timezone(_dt.timedelta(seconds=self.tz_offset_seconds))
        return _time_of_day(self.nanoseconds, tz)

    @classmethod
    def from_native(cls: type[Any], t: _dt.time) -> Any:
        off = t.utcoffset()
        if off is None:
            raise ValueError("Time.from_native needs an aware time")
        return cls(_ns_of_day(t), int(off.total_seconds()))


class LocalDateTimeMixin:
    __slots__ = ()
    seconds: int
    nanoseconds: int

    def to_native(self) -> _dt.datetime:
        """The naive ``datetime.datetime`` (microsecond precision)."""
        try:
            return _epoch_to_naive(self.seconds, self.nanoseconds)
        except (ValueError, OverflowError) as exc:
            raise ValueError(f"{self!r} is outside what datetime holds") from exc

    @classmethod
    def from_native(cls: type[Any], d: _dt.datetime) -> Any:
        return cls(*_naive_to_epoch(d))


class DateTimeMixin:
    __slots__ = ()
    seconds: int
    nanoseconds: int
    tz_offset_seconds: int

    def to_native(self) -> _dt.datetime:
        """The aware ``datetime.datetime`` in its fixed offset."""
        tz = _dt.timezone(_dt.timedelta(seconds=self.tz_offset_seconds))
        try:
            utc = _epoch_to_naive(self.seconds, self.nanoseconds).replace(tzinfo=_UTC)
            return utc.astimezone(tz)
        except (ValueError, OverflowError) as exc:
            raise ValueError(f"{self!r} is outside what datetime holds") from exc

    @classmethod
    def from_native(cls: type[Any], d: _dt.datetime) -> Any:
        off = d.utcoffset()
        if off is None:
            raise ValueError("DateTime.from_native needs an aware datetime")
        offset = int(off.total_seconds())
        local, ns = _naive_to_epoch(d.replace(tzinfo=None))
        return cls(local - offset, ns, offset)

    def to_legacy(self) -> Any:
        """The pre-5.0 form, whose seconds count the local wall clock."""
        from asyncbolt._generated.structures import LegacyDateTime

        return LegacyDateTime(self.seconds + self.tz_offset_seconds, self.nanoseconds,
                              self.tz_offset_seconds)


class LegacyDateTimeMixin:
    __slots__ = ()
    seconds: int
    nanoseconds: int
    tz_offset_seconds: int

    def to_native(self) -> _dt.datetime:
        return self.to_utc().to_native()

    def to_utc(self) -> Any:
        from asyncbolt._generated.structures import DateTime

        return DateTime(self.seconds - self.tz_offset_seconds, self.nanoseconds,
                        self.tz_offset_seconds)


class DateTimeZoneIdMixin:
    __slots__ = ()
    seconds: int
    nanoseconds: int
    tz_id: str

    def to_native(self) -> _dt.datetime:
        """The aware ``datetime.datetime`` in its named zone (``zoneinfo``)."""
        try:
            utc = _epoch_to_naive(self.seconds, self.nanoseconds).replace(tzinfo=_UTC)
            return utc.astimezone(_zone(self.tz_id))
        except (ValueError, OverflowError) as exc:
            raise ValueError(f"{self!r} is outside what datetime holds") from exc

    @classmethod
    def from_native(cls: type[Any], d: _dt.datetime) -> Any:
        key = getattr(d.tzinfo, "key", None)
        if key is None:
            raise ValueError("DateTimeZoneId.from_native needs a datetime with a ZoneInfo")
        off = d.utcoffset()
        offset = int(off.total_seconds()) if off is not None else 0
        local, ns = _naive_to_epoch(d.replace(tzinfo=None))
        return cls(local - offset, ns, key)

    def to_legacy(self) -> Any:
        from asyncbolt._generated.structures import LegacyDateTimeZoneId

        offset = _offset_at_utc(self.tz_id, self.seconds)
        return LegacyDateTimeZoneId(self.seconds + offset, self.nanoseconds, self.tz_id)


class LegacyDateTimeZoneIdMixin:
    __slots__ = ()
    seconds: int
    nanoseconds: int
    tz_id: str

    def to_native(self) -> _dt.datetime:
        return self.to_utc().to_native()

    def to_utc(self) -> Any:
        from asyncbolt._generated.structures import DateTimeZoneId

        offset = _offset_at_local(self.tz_id, self.seconds)
        return DateTimeZoneId(self.seconds - offset, self.nanoseconds, self.tz_id)


class DurationMixin:
    __slots__ = ()
    months: int
    days: int
    seconds: int
    nanoseconds: int

    def to_native(self) -> _dt.timedelta:
        """The ``timedelta``; ValueError when months is not 0 (a month has no fixed length)."""
        if self.months:
            raise ValueError(f"{self!r} has months, which timedelta cannot hold")
        try:
            return _dt.timedelta(days=self.days, seconds=self.seconds,
                                 microseconds=self.nanoseconds // 1000)
        except OverflowError as exc:
            raise ValueError(f"{self!r} is outside what timedelta holds") from exc

    @classmethod
    def from_native(cls: type[Any], td: _dt.timedelta) -> Any:
        return cls(0, td.days, td.seconds, td.microseconds * 1000)


_VECTOR_FORMATS = {0xC8: "b", 0xC9: "h", 0xCA: "i", 0xCB: "q", 0xC6: "f", 0xC1: "d"}
_VECTOR_NAMES = {"int8": 0xC8, "int16": 0xC9, "int32": 0xCA, "int64": 0xCB,
                 "float32": 0xC6, "float64": 0xC1}


class VectorMixin:
    __slots__ = ()
    type_marker: bytes
    data: bytes

    @property
    def element_type(self) -> str:
        m = self.type_marker[0] if len(self.type_marker) == 1 else None
        for name, marker in _VECTOR_NAMES.items():
            if marker == m:
                return name
        raise ValueError(f"unknown vector element marker {self.type_marker!r}")

    def to_list(self) -> list:
        """The elements as Python ints or floats."""
        fmt = _VECTOR_FORMATS[_VECTOR_NAMES[self.element_type]]
        size = _struct.calcsize(fmt)
        if len(self.data) % size:
            raise ValueError(f"vector data of {len(self.data)} bytes is not a multiple of {size}")
        return list(_struct.unpack(f">{len(self.data) // size}{fmt}", self.data))

    @classmethod
    def from_list(cls: type[Any], values: list, element_type: str = "float64") -> Any:
        """Pack ``values`` as a Vector of ``element_type`` (int8 ... int64, float32, float64)."""
        marker = _VECTOR_NAMES.get(element_type)
        if marker is None:
            raise ValueError(f"unknown vector element type {element_type!r}")
        try:
            data = _struct.pack(f">{len(values)}{_VECTOR_FORMATS[marker]}", *values)
        except (_struct.error, OverflowError) as exc:
            raise ValueError(f"values do not fit a {element_type} vector: {exc}") from exc
        return cls(bytes([marker]), data)


def from_native(value: Any) -> Any:
    """The structure for a standard-library temporal value, or ``None`` if it is not one."""
    from asyncbolt._generated import structures as s

    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            return s.LocalDateTime.from_native(value)
        if getattr(value.tzinfo, "key", None) is not None:
            return s.DateTimeZoneId.from_native(value)
        return s.DateTime.from_native(value)
    if isinstance(value, _dt.date):
        return s.Date.from_native(value)
    if isinstance(value, _dt.time):
        if value.utcoffset() is None:
            return s.LocalTime.from_native(value)
        return s.Time.from_native(value)
    if isinstance(value, _dt.timedelta):
        return s.Duration.from_native(value)
    return None
