"""The pure-Python twin of the C accelerator's ``pack.columns``: the same bytes, slower.

It reads the column descriptions of ``_bulk_columns`` (their buffers through ``memoryview``)
and appends, for each row, what the C code appends. Values are built as Python objects here
and packed by the codec's own ``pack``, so numbers, strings and structures are encoded in one
place.
"""

from __future__ import annotations

from struct import Struct
from typing import Any

from asyncbolt._generated import codec as _g
from asyncbolt.codec.bulk import KINDS, NAT_IS_NULL, TZ_NAMED, TZ_OFFSET, V_BITS, V_MASK

_INT_MIN = -(2 ** 63)
_INT_MAX = 2 ** 63 - 1
_FORMATS = {"i8": "b", "i16": "h", "i32": "i", "i64": "q", "u8": "B", "u16": "H", "u32": "I",
            "u64": "Q", "f32": "f", "f64": "d", "bool8": "B", "date32": "i", "date64": "q",
            "ts": "q", "dur": "q"}
_MDN = Struct("=iiq").unpack_from
_INTS = {"i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64"}


class _PureColumn:
    """One parsed column description: ``value(i)`` gives the Python value of element ``i``."""

    def __init__(self, desc: tuple) -> None:
        (kind, self.len, self.off, valid, self.vkind, b0, b1, iw, self.param, self.tzmode,
         self.tzoff, self.flags, self.obj, self.hdr, children, self.name) = desc
        self.kind = KINDS[kind]
        # the buffers (None when absent): Any, as memoryview casts type their items by format
        self.valid: Any
        self.b0: Any
        self.data: Any
        self.b1: Any
        self.valid = memoryview(valid).cast("B") if valid is not None else None
        fmt: Any = _FORMATS.get(self.kind)
        if self.kind == "time":
            fmt = "i" if iw == 4 else "q"
        if self.kind in ("str32", "bin32", "list32", "map32"):
            fmt = "i"
        if self.kind in ("str64", "bin64", "list64"):
            fmt = "q"
        self.b0 = memoryview(b0).cast("B") if b0 is not None else None
        self.data = self.b0.cast(fmt) if fmt is not None and self.b0 is not None and fmt != "B" else self.b0
        self.b1 = bytes(memoryview(b1).cast("B")) if b1 is not None else None
        self.children = [_PureColumn(c) for c in children]

    def missing(self, j: int) -> bool:
        if self.vkind == V_BITS:
            return not (self.valid[j >> 3] >> (j & 7)) & 1
        if self.vkind == V_MASK:
            return bool(self.valid[j])
        return False

    def value(self, i: int) -> Any:
        j = self.off + i
        if self.missing(j):
            return None
        k = self.kind
        if k in _INTS:
            x = self.data[j]
            if x > _INT_MAX:
                raise ValueError(f"column {self.name!r}: integer {x} is outside the PackStream "
                                 "range (64-bit signed)")
            return x
        if k == "f32" or k == "f64":
            return self.data[j]
        if k == "bool8":
            return self.data[j] != 0
        if k == "boolbit":
            return bool((self.b0[j >> 3] >> (j & 7)) & 1)
        if k in ("str32", "str64", "bin32", "bin64"):
            o0, o1 = self.data[j], self.data[j + 1]
            if not 0 <= o0 <= o1 <= len(self.b1):
                raise ValueError(f"column {self.name!r}: offsets {o0}..{o1} outside the data")
            raw = self.b1[o0:o1]
            return _Utf8Bytes(raw) if k[0] == "s" else raw
        if k == "null":
            return None
        if k in ("ts", "dur", "time", "date32", "date64"):
            return self._temporal(k, self.data[j])
        if k == "mdn":
            mo, days, total = _MDN(self.b0, 16 * j)
            s, ns = divmod(total, 1_000_000_000)
            return _WireStruct(self.hdr, (mo, days, s, ns))
        if k in ("list32", "list64", "fixlist"):
            if k == "fixlist":
                o0, o1 = j * self.param, (j + 1) * self.param
            else:
                o0, o1 = self.data[j], self.data[j + 1]
            child = self.children[0]
            if not 0 <= o0 <= o1 <= child.len:
                raise ValueError(f"column {self.name!r}: list offsets {o0}..{o1} outside the values")
            return [child.value(x) for x in range(o0, o1)]
        if k == "struct":
            return _RowMap([(key, c.value(i)) for key, c in zip(self.obj, self.children, strict=True)])
        if k == "map32":
            o0, o1 = self.data[j], self.data[j + 1]
            kv = self.children[0]
            if not 0 <= o0 <= o1 <= kv.len:
                raise ValueError(f"column {self.name!r}: map offsets {o0}..{o1} outside the entries")
            keys, vals = kv.children
            items = []
            for x in range(o0, o1):
                key = keys.value(x)
                if key is None:
                    raise ValueError(f"column {self.name!r}: a map key is null")
                encoded = bytearray()
                _g._string_header(len(key), encoded)
                items.append((bytes(encoded + key), vals.value(x)))
            return _RowMap(items)
        if k == "dict":
            idx, dictionary = self.children
            x = idx.value(i)
            if x is None or x < 0:
                return None
            if x >= dictionary.len:
                raise ValueError(f"column {self.name!r}: dictionary index {x} out of range")
            return dictionary.value(x)
        if k == "ucs4":
            raw = bytes(self.b0[4 * self.param * j:4 * self.param * (j + 1)])
            try:
                return raw.decode("utf-32-le").rstrip("\0")
            except UnicodeDecodeError:
                raise ValueError(f"column {self.name!r}: element {i} holds a surrogate or a code "
                                 "point beyond U+10FFFF, which UTF-8 cannot encode") from None
        if k == "bytesn":
            return bytes(self.b0[self.param * j:self.param * (j + 1)]).rstrip(b"\0")
        if k == "obj":
            return _PerValue(self.obj[j])
        raise ValueError(f"unknown column kind {k}")

    def _temporal(self, k: str, t: int) -> Any:
        if t == _INT_MIN and self.flags & NAT_IS_NULL:
            return None
        if k == "date32":
            return _WireStruct(self.hdr, (t,))
        if k == "date64":
            return _WireStruct(self.hdr, (t // 86_400_000,))
        tps = self.param
        s, rem = divmod(t, tps)
        ns = rem * (1_000_000_000 // tps)
        if k == "time":
            return _WireStruct(self.hdr, (t * (1_000_000_000 // tps),))
        if k == "dur":
            d, s = divmod(s, 86_400)
            return _WireStruct(self.hdr, (0, d, s, ns))
        if self.tzmode == TZ_OFFSET:
            return _WireStruct(self.hdr, (s, ns, self.tzoff))
        if self.tzmode == TZ_NAMED:
            return _WireStruct(self.hdr, (s, ns, self.obj))
        return _WireStruct(self.hdr, (s, ns))


class _WireStruct(tuple):
    """A structure already in wire form: its header bytes and fields."""

    hdr: bytes

    def __new__(cls, hdr: bytes, fields: tuple) -> _WireStruct:
        self = super().__new__(cls, fields)
        self.hdr = hdr
        return self


class _Utf8Bytes(bytes):
    """String bytes, copied as they are (Arrow strings are UTF-8)."""


class _RowMap(list):
    """A row or struct value: (encoded key or plain key, value) pairs."""


class _PerValue:
    __slots__ = ("v",)

    def __init__(self, v: Any) -> None:
        self.v = v


def _emit(pack: Any, v: Any, out: bytearray) -> None:
    t = type(v)
    if t is _WireStruct:
        out += v.hdr
        for f in v:
            _emit(pack, f, out)
    elif t is _Utf8Bytes:
        _g._string_header(len(v), out)
        out += v
    elif t is _RowMap:
        _g._map_header(len(v), out)
        for key, item in v:
            out += key
            _emit(pack, item, out)
    elif t is list:
        _g._list_header(len(v), out)
        for item in v:
            _emit(pack, item, out)
    elif t is _PerValue:
        pack(v.v, out)
    else:
        pack(v, out)


def columns(pack: Any, parts: list, keys: tuple | None, out: bytearray) -> None:
    """Append the list of rows (``keys``: maps) or values (None) the parts describe."""
    total = sum(rows for rows, _ in parts)
    _g._list_header(total, out)
    for rows, descs in parts:
        cols = [_PureColumn(d) for d in descs]
        for c in cols:
            if c.len != rows:
                raise ValueError(f"column {c.name!r} holds {c.len} values, the batch {rows} rows")
        if keys is None:
            col = cols[0]
            for i in range(rows):
                _emit(pack, col.value(i), out)
            continue
        if len(keys) != len(cols):
            raise ValueError(f"{len(keys)} column names for {len(cols)} columns")
        for i in range(rows):
            _g._map_header(len(keys), out)
            for key, c in zip(keys, cols, strict=True):
                out += key
                _emit(pack, c.value(i), out)
