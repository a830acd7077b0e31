"""Columns described by the column builders (asyncbolt.codec.columns) as pyarrow arrays.

Shared by the C builder (whose buffers are handed to pyarrow without a copy) and the
pure-Python one (whose lists pyarrow converts), so both give identical tables: the type rules
of README "Columnar results" that need the whole column (one offset or zone for a
timestamp's tz, values in timestamp[ns]'s range, one Vector element type) are applied here.
pyarrow is imported by the caller (:func:`require`) only when a columnar result is asked for.
"""

from __future__ import annotations

import importlib
from typing import Any

from asyncbolt._generated.columns import STRUCTURE_FIELDS
from asyncbolt._generated.structures import STRUCTURES

__all__ = ["require", "assemble", "for_polars"]

_VECTOR_TYPES = {0xC8: ("int8", ">i1"), 0xC9: ("int16", ">i2"), 0xCA: ("int32", ">i4"),
                 0xCB: ("int64", ">i8"), 0xC6: ("float32", ">f4"), 0xC1: ("float64", ">f8")}
_NS = 1_000_000_000
_DAY_NS = 86_400 * _NS
_I32 = 2**31


def require(module: str, extra: str) -> Any:
    """Import an optional dependency, or say which extra installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(f"{module} is needed for this (install it with "
                          f"`pip install 'asyncbolt[{extra}]'`)") from exc


class _Assembler:
    def __init__(self, profile: str) -> None:
        self.pa = require("pyarrow", "arrow")
        self.pc = importlib.import_module("pyarrow.compute")
        self.fields = STRUCTURE_FIELDS[profile]

    # -- buffers --------------------------------------------------------------------------

    def _validity(self, valid: Any) -> Any:
        pa = self.pa
        if valid is None:
            return None
        if isinstance(valid, list):  # the pure builder's
            return pa.array(valid, pa.bool_()).buffers()[1]
        return pa.py_buffer(valid)

    def _ints(self, data: Any, type_: Any) -> Any:
        pa = self.pa
        if isinstance(data, list):
            return pa.array(data, type_)
        return pa.Array.from_buffers(type_, len(data) * 8 // type_.bit_width, [None, pa.py_buffer(data)])

    # -- columns --------------------------------------------------------------------------

    def column(self, d: tuple) -> tuple[str, Any]:
        """(kind name, array) of one column description."""
        pa = self.pa
        kind = d[0]
        if kind == "null":
            return "null", pa.nulls(d[1])
        if kind == "union":
            _, length, types, offs, kids = d
            members = [self.column(k) for k in kids]
            arr = pa.UnionArray.from_dense(self._ints(types, pa.int8()), self._ints(offs, pa.int32()),
                                           [a for _, a in members], [n for n, _ in members])
            return "union", arr
        length, nulls, valid = d[1], d[2], d[3]
        if kind in ("bool", "int", "float", "string", "bytes", "uuid"):
            return kind, self._leaf(d)
        if kind == "list":
            offs, wide, child = d[4], d[5], d[6]
            _, items = self.column(child)
            if isinstance(offs, list):
                offsets = pa.array(offs, pa.int32())
                arr = pa.ListArray.from_arrays(offsets, items, mask=pa.array([not v for v in valid])
                                               if valid is not None else None)
                return "list", arr
            type_ = pa.large_list(items.type) if wide else pa.list_(items.type)
            return "list", pa.Array.from_buffers(type_, length, [self._validity(valid), pa.py_buffer(offs)],
                                                 null_count=nulls, children=[items])
        names, kids = d[4], d[5]
        arrays = [self.column(k)[1] for k in kids]
        if kind != "map":
            arrays = [self._declared(kind, n, a) for n, a in zip(names, arrays, strict=True)]
        type_ = pa.struct([pa.field(n, a.type) for n, a in zip(names, arrays, strict=True)])
        arr = pa.Array.from_buffers(type_, length, [self._validity(valid)], null_count=nulls,
                                    children=arrays)
        if kind == "map":
            return "map", arr
        return self._structure(kind, arr)

    def _leaf(self, d: tuple) -> Any:
        pa = self.pa
        kind, length, nulls, valid = d[:4]
        type_ = {"bool": pa.bool_(), "int": pa.int64(), "float": pa.float64(), "string": pa.string(),
                 "bytes": pa.binary(), "uuid": pa.binary()}[kind]
        if isinstance(d[4], list):  # the pure builder's values
            values = d[4] if valid is None else [v if ok else None for v, ok in zip(d[4], valid, strict=True)]
            arr = pa.array(values, type_)
        elif kind in ("bool", "int", "float"):
            arr = pa.Array.from_buffers(type_, length, [self._validity(valid), pa.py_buffer(d[4])],
                                        null_count=nulls)
        else:
            if d[6]:
                type_ = pa.large_string() if kind == "string" else pa.large_binary()
            arr = pa.Array.from_buffers(type_, length, [self._validity(valid), pa.py_buffer(d[4]),
                                                        pa.py_buffer(d[5])], null_count=nulls)
        if kind == "uuid":
            arr = pa.ExtensionArray.from_storage(pa.uuid(), arr.cast(pa.binary(16)))
        return arr

    def _declared(self, structure: str, field: str, arr: Any) -> Any:
        """A structure field that held no value of its declared type (null Node ids, empty
        labels lists) is given that type."""
        declared = _DECLARED.get((structure, field))
        if declared is None or "null" not in str(arr.type):
            return arr
        try:
            return arr.cast(declared(self))
        except Exception:  # (it holds something else: keep what it holds)
            return arr

    # -- structures -----------------------------------------------------------------------

    def _structure(self, kind: str, arr: Any) -> tuple[str, Any]:
        convert = getattr(self, f"_to_{kind}", None)
        if convert is None:
            return kind, arr
        return convert(arr)

    def _f(self, arr: Any, name: str) -> Any:
        return arr.field(name)

    def _ns(self, seconds: Any, nanos: Any) -> Any:
        """seconds * 1e9 + nanos as int64, or None when a value leaves timestamp[ns]'s range."""
        pc = self.pc
        try:
            return pc.add_checked(pc.multiply_checked(seconds, _NS), nanos)
        except self.pa.ArrowInvalid:
            return None

    def _fits(self, arr: Any, lo: int, hi: int) -> bool:
        mm = self.pc.min_max(arr)
        low, high = mm["min"].as_py(), mm["max"].as_py()
        return low is None or (lo <= low and high < hi)

    def _to_Date(self, arr: Any) -> tuple[str, Any]:
        days = self._f(arr, "days")
        if days.type != self.pa.int64() or not self._fits(days, -_I32, _I32):
            return "Date", arr
        return "Date", days.cast(self.pa.int32()).cast(self.pa.date32())

    def _to_LocalTime(self, arr: Any) -> tuple[str, Any]:
        ns = self._f(arr, "nanoseconds")
        if ns.type != self.pa.int64() or not self._fits(ns, 0, _DAY_NS):
            return "LocalTime", arr
        return "LocalTime", ns.cast(self.pa.time64("ns"))

    def _to_Time(self, arr: Any) -> tuple[str, Any]:
        pa = self.pa
        ns, offset = self._f(arr, "nanoseconds"), self._f(arr, "tz_offset_seconds")
        if (ns.type != pa.int64() or offset.type != pa.int64() or not self._fits(ns, 0, _DAY_NS)
                or not self._fits(offset, -_I32, _I32)):
            return "Time", arr
        return "Time", pa.StructArray.from_arrays(
            [ns.cast(pa.time64("ns")), offset.cast(pa.int32())], ["time", "tz_offset_seconds"],
            mask=arr.is_null())

    def _to_LocalDateTime(self, arr: Any) -> tuple[str, Any]:
        ns = self._ns(self._f(arr, "seconds"), self._f(arr, "nanoseconds"))
        if ns is None:
            return "LocalDateTime", arr
        return "LocalDateTime", ns.cast(self.pa.timestamp("ns"))

    def _to_DateTime(self, arr: Any) -> tuple[str, Any]:
        pa, pc = self.pa, self.pc
        offsets = self._f(arr, "tz_offset_seconds")
        ns = self._ns(self._f(arr, "seconds"), self._f(arr, "nanoseconds"))
        distinct = pc.unique(offsets.drop_null()).to_pylist()
        if ns is None or len(distinct) != 1 or distinct[0] % 60 or abs(distinct[0]) >= 86_400:
            return "DateTime", arr
        minutes = abs(distinct[0]) // 60
        tz = f"{'-' if distinct[0] < 0 else '+'}{minutes // 60:02d}:{minutes % 60:02d}"
        return "DateTime", ns.cast(pa.timestamp("ns", tz=tz))

    def _to_DateTimeZoneId(self, arr: Any) -> tuple[str, Any]:
        pa, pc = self.pa, self.pc
        zones = pc.unique(self._f(arr, "tz_id").drop_null()).to_pylist()
        ns = self._ns(self._f(arr, "seconds"), self._f(arr, "nanoseconds"))
        if ns is None or len(zones) != 1 or not _known_zone(zones[0]):
            return "DateTimeZoneId", arr
        return "DateTimeZoneId", ns.cast(pa.timestamp("ns", tz=zones[0]))

    def _to_LegacyDateTime(self, arr: Any) -> tuple[str, Any]:
        # Local wall-clock seconds -> UTC seconds (seconds - offset), then as DateTime.
        pa, pc = self.pa, self.pc
        offsets = self._f(arr, "tz_offset_seconds")
        try:
            seconds = pc.subtract_checked(self._f(arr, "seconds"), offsets)
        except pa.ArrowInvalid:
            return "DateTime", arr
        utc = pa.StructArray.from_arrays([seconds, self._f(arr, "nanoseconds"), offsets],
                                         ["seconds", "nanoseconds", "tz_offset_seconds"],
                                         mask=arr.is_null())
        return self._to_DateTime(utc)

    def _to_LegacyDateTimeZoneId(self, arr: Any) -> tuple[str, Any]:
        # The zone's offset at that wall-clock time takes the zone database: one value at a time.
        pa = self.pa
        legacy = STRUCTURES["LegacyDateTimeZoneId"]
        seconds: list[int | None] = []
        for row in arr.to_pylist():
            if row is None:
                seconds.append(None)
                continue
            try:
                seconds.append(legacy(row["seconds"], row["nanoseconds"], row["tz_id"]).to_utc().seconds)
            except Exception:  # an unknown zone: the wall-clock seconds are kept as they are
                return "DateTimeZoneId", arr
        utc = pa.StructArray.from_arrays([pa.array(seconds, pa.int64()), self._f(arr, "nanoseconds"),
                                          self._f(arr, "tz_id")], ["seconds", "nanoseconds", "tz_id"],
                                         mask=arr.is_null())
        return self._to_DateTimeZoneId(utc)

    def _to_Duration(self, arr: Any) -> tuple[str, Any]:
        pa = self.pa
        np = importlib.import_module("numpy")
        months, days = self._f(arr, "months"), self._f(arr, "days")
        ns = self._ns(self._f(arr, "seconds"), self._f(arr, "nanoseconds"))
        if ns is None or not self._fits(months, -_I32, _I32) or not self._fits(days, -_I32, _I32):
            return "Duration", arr
        rec = np.zeros(len(arr), dtype=[("m", "<i4"), ("d", "<i4"), ("n", "<i8")])
        rec["m"] = months.fill_null(0).to_numpy()
        rec["d"] = days.fill_null(0).to_numpy()
        rec["n"] = ns.fill_null(0).to_numpy()
        validity = pa.array(arr.is_valid()).buffers()[1] if arr.null_count else None
        return "Duration", pa.Array.from_buffers(pa.month_day_nano_interval(), len(arr),
                                                 [validity, pa.py_buffer(rec)], null_count=arr.null_count)

    def _to_Vector(self, arr: Any) -> tuple[str, Any]:
        pa = self.pa
        np = importlib.import_module("numpy")
        markers = self.pc.unique(self._f(arr, "type_marker").drop_null()).to_pylist()
        data = self._f(arr, "data")
        if len(markers) != 1 or len(markers[0]) != 1 or markers[0][0] not in _VECTOR_TYPES:
            return "Vector", arr
        name, fmt = _VECTOR_TYPES[markers[0][0]]
        size = np.dtype(fmt).itemsize
        lengths = self.pc.binary_length(data).fill_null(0).to_numpy()
        if (lengths % size).any():
            return "Vector", arr
        data = data.cast(pa.binary())
        offsets = np.frombuffer(data.buffers()[1], dtype=np.int32)[data.offset:data.offset + len(data) + 1]
        raw = data.buffers()[2]
        raw = b"" if raw is None else raw
        start = int(offsets[0])
        items = np.frombuffer(raw, dtype=fmt, count=int(offsets[-1] - start) // size, offset=start)
        values = pa.array(items.astype(np.dtype(fmt).newbyteorder("=")), getattr(pa, name)())
        list_offsets = pa.array(((offsets - start) // size).astype(np.int32))
        return "Vector", pa.ListArray.from_arrays(list_offsets, values, mask=arr.is_null()
                                                  if arr.null_count else None)


def _known_zone(name: str) -> bool:
    """A zone name the tz database knows (a timestamp's tz must be one to be read back)."""
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(name)
    except Exception:  # (ValueError, ZoneInfoNotFoundError, OSError for a directory...)
        return False
    return True


def _declared_type(t: str, profile_fields: dict[str, tuple[str, ...]] | None = None) -> Any:
    def make(a: _Assembler) -> Any:
        pa = a.pa
        simple = {"Integer": pa.int64(), "Float": pa.float64(), "String": pa.string(),
                  "Boolean": pa.bool_(), "Bytes": pa.binary(), "Map": pa.struct([])}
        if t.startswith("List<"):
            return pa.list_(simple[t[5:-1]])
        return simple[t]
    return make


# Fields whose column may hold no value to take a type from: nullable ids, typed lists.
_DECLARED: dict[tuple[str, str], Any] = {
    ("Node", "id"): _declared_type("Integer"),
    ("Node", "labels"): _declared_type("List<String>"),
    ("Relationship", "id"): _declared_type("Integer"),
    ("Relationship", "start_node_id"): _declared_type("Integer"),
    ("Relationship", "end_node_id"): _declared_type("Integer"),
    ("UnboundRelationship", "id"): _declared_type("Integer"),
    ("Path", "indices"): _declared_type("List<Integer>"),
}


def assemble(descriptions: list, names: list[str], profile: str, batch: bool = False) -> Any:
    """A pyarrow Table (or RecordBatch with ``batch``) of the described columns."""
    a = _Assembler(profile)
    arrays = [a.column(d)[1] for d in descriptions]
    if batch:
        return a.pa.RecordBatch.from_arrays(arrays, names=list(names))
    return a.pa.Table.from_arrays(arrays, names=list(names))


def for_polars(table: Any) -> Any:
    """The table with what polars cannot import made plain (README "Columnar results"):
    a dense union becomes a struct of its members (one non-null per row), a
    month_day_nano_interval a struct<months, days, nanoseconds>, and a timestamp with a fixed
    offset as tz a struct<time: timestamp[ns, tz=UTC], tz_offset_seconds: int32>."""
    pa = require("pyarrow", "arrow")
    importlib.import_module("pyarrow.compute")
    return pa.Table.from_arrays([_plain(pa, c.combine_chunks() if c.num_chunks != 1 else c.chunk(0))
                                 if c.num_chunks else c for c in table.columns],
                                names=table.column_names)


def _plain(pa: Any, arr: Any) -> Any:
    t = arr.type
    if pa.types.is_union(t):
        kids = []
        for i in range(t.num_fields):
            member = _plain(pa, arr.field(i))
            mask = pa.compute.not_equal(arr.type_codes, t.type_codes[i])
            idx = pa.compute.if_else(mask, None, arr.offsets)
            kids.append(member.take(idx))
        return pa.StructArray.from_arrays(kids, [t.field(i).name for i in range(t.num_fields)])
    if pa.types.is_interval(t):
        rows = arr.to_pylist()
        return pa.StructArray.from_arrays(
            [pa.array([None if r is None else r.months for r in rows], pa.int32()),
             pa.array([None if r is None else r.days for r in rows], pa.int32()),
             pa.array([None if r is None else r.nanoseconds for r in rows], pa.int64())],
            ["months", "days", "nanoseconds"], mask=arr.is_null() if arr.null_count else None)
    if pa.types.is_timestamp(t) and t.tz and t.tz[:1] in "+-":
        sign = -1 if t.tz[0] == "-" else 1
        offset = sign * (int(t.tz[1:3]) * 3600 + int(t.tz[4:6]) * 60)
        utc = arr.cast(pa.int64()).cast(pa.timestamp("ns", tz="UTC"))
        offsets = pa.array([None if v is None else offset for v in arr.is_valid().to_pylist()]
                           if arr.null_count else [offset] * len(arr), pa.int32())
        return pa.StructArray.from_arrays([utc, offsets], ["time", "tz_offset_seconds"],
                                          mask=arr.is_null() if arr.null_count else None)
    if pa.types.is_struct(t):
        kids = [_plain(pa, arr.field(i)) for i in range(t.num_fields)]
        return pa.StructArray.from_arrays(kids, [t.field(i).name for i in range(t.num_fields)],
                                          mask=arr.is_null() if arr.null_count else None)
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        items = _plain(pa, arr.values)
        if items.type == arr.values.type:
            return arr
        cls = pa.LargeListArray if pa.types.is_large_list(t) else pa.ListArray
        return cls.from_arrays(arr.offsets, items, mask=arr.is_null() if arr.null_count else None)
    return arr
