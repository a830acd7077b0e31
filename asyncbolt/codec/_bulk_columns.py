"""Column descriptions of numpy arrays, pandas frames and series, and Arrow data (see bulk.py).

``describe(value, plan)`` returns ``(keys, parts)`` or None when the value is none of these:
``keys`` is None for a list (an array: each part holds one column) or the tuple of encoded
column names for a list of maps (a table: each part is a batch of rows); ``parts`` is a list of
``(rows, columns)``. The library of the value is already imported when this runs (the value is
one of its objects), so it is read from ``sys.modules``.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from asyncbolt._generated import structures as _s
from asyncbolt.codec.bulk import (
    _TPS,
    NAT_IS_NULL,
    TZ_NAMED,
    TZ_OFFSET,
    V_BITS,
    V_MASK,
    _BulkPlan,
    _col,
    _zone_of,
)

_NP_INTS = {"i1": "i8", "i2": "i16", "i4": "i32", "i8": "i64",
            "u1": "u8", "u2": "u16", "u4": "u32", "u8": "u64"}
_PA_INTS = {"int8": "i8", "int16": "i16", "int32": "i32", "int64": "i64",
            "uint8": "u8", "uint16": "u16", "uint32": "u32", "uint64": "u64"}
_PA_BYTES = {"string": "str32", "large_string": "str64", "binary": "bin32", "large_binary": "bin64"}
_OFFSET = re.compile(r"^([+-])(\d\d):(\d\d)$")


def describe(v: Any, plan: _BulkPlan) -> tuple[tuple | None, list] | None:
    t = type(v)
    root = t.__module__.partition(".")[0]
    if root == "numpy":
        np = sys.modules["numpy"]
        if not isinstance(v, np.ndarray):
            return None
        if isinstance(v, np.ma.MaskedArray):  # masked elements are missing: null
            if v.ndim != 1:
                return None, [(len(v), (_objects(v.tolist(), "array"),))]
            return None, [(len(v), (_numpy(np.asarray(v.data), "array", plan,
                                           valid=np.ma.getmaskarray(v)),))]
        return None, [(len(v), (_numpy(np.asarray(v), "array", plan),))]
    if root == "pandas":
        pd = sys.modules["pandas"]
        if isinstance(v, pd.DataFrame):
            return _frame(v, plan)
        if isinstance(v, (pd.Index, pd.api.extensions.ExtensionArray)):
            v = pd.Series(v, copy=False)
        if isinstance(v, pd.Series):
            return None, [(len(v), (_series(v, "series", plan),))]
        return None
    if root == "pyarrow":
        pa = sys.modules["pyarrow"]
        if isinstance(v, pa.Table):
            keys = _names(v.column_names, "Table", plan)
            return keys, [(b.num_rows, _batch(b, plan)) for b in v.to_batches()]
        if isinstance(v, pa.RecordBatch):
            return _names(v.column_names, "RecordBatch", plan), [(v.num_rows, _batch(v, plan))]
        if isinstance(v, pa.ChunkedArray):
            return None, [(len(c), (_arrow(c, "array", plan),)) for c in v.chunks]
        if isinstance(v, pa.Array):
            return None, [(len(v), (_arrow(v, "array", plan),))]
    return None


def _names(names: list, what: str, plan: _BulkPlan) -> tuple:
    seen = set()
    for n in names:
        if n in seen:
            raise ValueError(f"{what} column {n!r} appears twice; a row is a map, whose keys are unique")
        seen.add(n)
    return tuple(plan.encoded(n, f"{what} column name") for n in names)


def _batch(b: Any, plan: _BulkPlan) -> tuple:
    return tuple(_arrow(b.column(i), str(n), plan) for i, n in enumerate(b.column_names))


def _frame(df: Any, plan: _BulkPlan) -> tuple[tuple, list]:
    keys = _names(list(df.columns), "DataFrame", plan)
    cols = tuple(_series(df.iloc[:, i], str(n), plan) for i, n in enumerate(df.columns))
    return keys, [(len(df), cols)]


def _objects(values: list, name: str) -> tuple:
    """The fallback: values packed one by one by the per-value packer."""
    return _col("obj", len(values), obj=values, name=name)


# -- numpy --------------------------------------------------------------------------------------

def _numpy(a: Any, name: str, plan: _BulkPlan, valid: Any = None) -> tuple:
    np = sys.modules["numpy"]
    if a.ndim > 1:
        a = np.ascontiguousarray(a)
        inner = a.reshape((a.shape[0] * a.shape[1],) + a.shape[2:])
        return _col("fixlist", a.shape[0], param=a.shape[1], children=(_numpy(inner, name, plan),),
                    name=name)
    dt = a.dtype
    if not dt.isnative:
        a = a.astype(dt.newbyteorder("="))
        dt = a.dtype
    mask = {} if valid is None else {"valid": np.ascontiguousarray(valid).view(np.uint8), "vkind": V_MASK}
    k = dt.kind
    if k == "b":
        kind, param, hdr, flags = "bool8", 0, None, 0
    elif k in "iu":
        kind, param, hdr, flags = _NP_INTS[dt.str[1:]], 0, None, 0
    elif k == "f":
        if dt.itemsize != 4 and dt.itemsize != 8:
            a = a.astype(np.float32 if dt.itemsize < 4 else np.float64)
        kind, param, hdr, flags = ("f32" if a.dtype.itemsize == 4 else "f64"), 0, None, 0
    elif k in "Mm":
        unit = np.datetime_data(dt)[0]
        if unit not in _TPS or np.datetime_data(dt)[1] != 1:
            if k == "m" and unit in ("Y", "M"):
                return _objects(list(a), name)  # months: not a fixed length
            fine = unit in ("ps", "fs", "as") or (unit in _TPS and _TPS[unit] > 1)
            a = a.astype(f"{'datetime64' if k == 'M' else 'timedelta64'}[{'ns' if fine else 's'}]")
            unit = np.datetime_data(a.dtype)[0]
        kind = "ts" if k == "M" else "dur"
        param, flags = _TPS[unit], NAT_IS_NULL
        hdr = plan.header(_s.LocalDateTime if k == "M" else _s.Duration)
    elif k in "US" and dt.itemsize > 0:  # fixed width: UCS-4 code points / bytes, NUL-padded
        kind, param = ("ucs4", dt.itemsize // 4) if k == "U" else ("bytesn", dt.itemsize)
        hdr, flags = None, 0
    elif k in "OUS":
        return _objects(a.tolist(), name)
    else:
        raise TypeError(f"{name!r}: cannot pack numpy dtype {dt} into PackStream")
    a = np.ascontiguousarray(a)
    return _col(kind, len(a), b0=a.view(np.uint8), param=param, flags=flags, hdr=hdr, name=name,
                **mask)


# -- pandas -------------------------------------------------------------------------------------

def _series(s: Any, name: str, plan: _BulkPlan) -> tuple:
    np = sys.modules["numpy"]
    pd = sys.modules["pandas"]
    dt = s.dtype
    arr = s.array
    if isinstance(dt, np.dtype):
        return _numpy(s.to_numpy(copy=False), name, plan)
    if isinstance(dt, pd.DatetimeTZDtype):
        mode, zone = _zone_of(dt.tz)
        if mode < 0 or plan.legacy:  # offsets per instant / the pre-5.0 form: value by value
            return _objects(list(arr), name)
        ticks = np.ascontiguousarray(arr.asi8)
        cls = _s.DateTimeZoneId if mode == TZ_NAMED else _s.DateTime
        return _col("ts", len(ticks), b0=ticks.view(np.uint8), param=_TPS[dt.unit], tzmode=mode,
                    tzoff=zone if mode == TZ_OFFSET else 0, obj=zone if mode == TZ_NAMED else None,
                    flags=NAT_IS_NULL, hdr=plan.header(cls), name=name)
    if isinstance(dt, pd.CategoricalDtype):
        codes = np.ascontiguousarray(arr.codes)
        cats = _series(pd.Series(dt.categories, copy=False), name, plan)
        return _col("dict", len(codes), children=(_numpy(codes, name, plan), cats), name=name)
    if isinstance(arr, (pd.arrays.IntegerArray, pd.arrays.FloatingArray, pd.arrays.BooleanArray)):
        # values and a mask of the missing ones (what pandas' masked arrays are made of)
        return _numpy(arr._data, name, plan, valid=arr._mask)
    if hasattr(arr, "__arrow_array__") and "pyarrow" in sys.modules and (
            getattr(dt, "storage", None) == "pyarrow" or type(dt).__name__ == "ArrowDtype"):
        chunked = arr.__arrow_array__()
        return _arrow(chunked.combine_chunks() if chunked.num_chunks != 1 else chunked.chunk(0),
                      name, plan)
    if isinstance(dt, pd.StringDtype):  # strings as Python objects; missing ones (NaN, NA) null
        values = s.tolist()
        for i in np.flatnonzero(s.isna().to_numpy()):
            values[i] = None
        return _objects(values, name)
    raise TypeError(f"column {name!r}: cannot pack pandas dtype {dt} into PackStream")


# -- Arrow --------------------------------------------------------------------------------------

def _arrow_tz(tz: str) -> tuple[int, int, Any]:
    m = _OFFSET.match(tz)
    if m:
        off = (int(m.group(2)) * 3600 + int(m.group(3)) * 60) * (-1 if m.group(1) == "-" else 1)
        return TZ_OFFSET, off, None
    return TZ_NAMED, 0, tz


def _arrow(arr: Any, name: str, plan: _BulkPlan) -> tuple:
    pa = sys.modules["pyarrow"]
    types = pa.types
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    t = arr.type
    n = len(arr)
    bufs = arr.buffers()
    common: dict[str, Any] = {"offset": arr.offset, "name": name}
    if bufs and bufs[0] is not None and not types.is_dictionary(t) and arr.null_count:
        common.update(valid=bufs[0], vkind=V_BITS)
    tid = str(t)
    if types.is_null(t):
        return _col("null", n, name=name)
    if tid in _PA_INTS:
        return _col(_PA_INTS[tid], n, b0=bufs[1], **common)
    if types.is_float16(t):
        return _arrow(arr.cast(pa.float32()), name, plan)
    if types.is_float32(t) or types.is_float64(t):
        return _col("f32" if types.is_float32(t) else "f64", n, b0=bufs[1], **common)
    if types.is_boolean(t):
        return _col("boolbit", n, b0=bufs[1], **common)
    if tid in _PA_BYTES:
        return _col(_PA_BYTES[tid], n, b0=bufs[1], b1=bufs[2], **common)
    if types.is_string_view(t) or types.is_binary_view(t) or types.is_fixed_size_binary(t):
        return _arrow(arr.cast(pa.large_string() if types.is_string_view(t) else pa.large_binary()),
                      name, plan)
    if types.is_date32(t) or types.is_date64(t):
        return _col("date32" if types.is_date32(t) else "date64", n, b0=bufs[1],
                    hdr=plan.header(_s.Date), **common)
    if types.is_time(t):
        return _col("time", n, b0=bufs[1], iw=t.bit_width // 8, param=_TPS[t.unit],
                    hdr=plan.header(_s.LocalTime), **common)
    if types.is_timestamp(t):
        if t.tz is None:
            return _col("ts", n, b0=bufs[1], param=_TPS[t.unit], hdr=plan.header(_s.LocalDateTime),
                        **common)
        mode, off, zone = _arrow_tz(t.tz)
        if plan.legacy:
            return _objects(arr.to_pylist(), name)
        cls = _s.DateTimeZoneId if mode == TZ_NAMED else _s.DateTime
        return _col("ts", n, b0=bufs[1], param=_TPS[t.unit], tzmode=mode, tzoff=off, obj=zone,
                    hdr=plan.header(cls), **common)
    if types.is_duration(t):
        return _col("dur", n, b0=bufs[1], param=_TPS[t.unit], hdr=plan.header(_s.Duration), **common)
    if types.is_interval(t) and tid == "month_day_nano_interval":
        return _col("mdn", n, b0=bufs[1], hdr=plan.header(_s.Duration), **common)
    if types.is_list(t) or types.is_large_list(t):
        return _col("list32" if types.is_list(t) else "list64", n, b0=bufs[1],
                    children=(_arrow(arr.values, name, plan),), **common)
    if types.is_fixed_size_list(t):
        return _col("fixlist", n, param=t.list_size, children=(_arrow(arr.values, name, plan),),
                    **common)
    if types.is_struct(t):
        names = _names([t.field(i).name for i in range(t.num_fields)], "struct", plan)
        children = tuple(_arrow(c, name, plan) for c in arr.flatten())
        return _col("struct", n, obj=names, children=children, **common)
    if types.is_map(t):
        entries = arr.values
        if str(t.key_type) not in ("string", "large_string"):
            raise TypeError(f"column {name!r}: map keys must be strings, found Arrow {t.key_type}")
        kv = _col("struct", len(entries), obj=(b"", b""), children=tuple(
            _arrow(c, name, plan) for c in entries.flatten()), offset=0, name=name)
        return _col("map32", n, b0=bufs[1], children=(kv,), **common)
    if types.is_dictionary(t):
        return _col("dict", n, children=(_arrow(arr.indices, name, plan),
                                         _arrow(arr.dictionary, name, plan)), name=name)
    if isinstance(t, pa.ExtensionType):
        return _arrow(arr.storage, name, plan)
    raise TypeError(f"column {name!r}: cannot pack Arrow type {t} into PackStream "
                    "(supported: integers, floats, bool, strings, binary, date, time, timestamp, "
                    "duration, month_day_nano_interval, list, struct, map, dictionary, null)")

