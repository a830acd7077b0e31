"""Column builders of columnar results: RECORDs laid out column by column, kind by kind.

Two builders implement the same rules (README "Columnar results"; :mod:`asyncbolt.codec.arrow`
turns what they describe into pyarrow arrays):

* the C one (``asyncbolt._generated._columns.Builder``, generated from spec/), which reads
  RECORD payloads straight into Arrow buffers with no Python object per value;
* :class:`PyBuilder`, the pure-Python reference, fed with decoded values (used under
  ``ASYNCBOLT_PURE=1`` or when the C builder is not built).

:class:`Columns` puts them behind one interface: ``add_payload(payload)`` for RECORD bytes and
``add_values(values)`` for records already decoded (the C builder takes those re-encoded; the
pure one decodes payloads first), then ``finish()``.
"""

from __future__ import annotations

import importlib
import uuid
import warnings
from typing import Any

from asyncbolt._generated.columns import COLUMNS_DIGEST, STRUCTURE_FIELDS
from asyncbolt._generated.structures import STRUCTURES
from asyncbolt.codec._speedups import pure_requested
from asyncbolt.errors import ProtocolError

__all__ = ["Columns", "PyBuilder", "CBuilder", "ACCELERATED"]

_NAME_OF = {cls: name for name, cls in STRUCTURES.items()}
_SCALARS = {bool: "bool", int: "int", float: "float", str: "string", bytes: "bytes",
            uuid.UUID: "uuid"}


def _load() -> Any:
    if pure_requested():
        return None
    try:
        module = importlib.import_module("asyncbolt._generated._columns")
    except ImportError:
        return None
    if getattr(module, "DIGEST", None) != COLUMNS_DIGEST:
        warnings.warn("asyncbolt's C column builder was built from another version of the spec; "
                      "using the pure-Python one (`make install` or `pip install -e .` rebuilds "
                      "it)", RuntimeWarning, stacklevel=3)
        return None
    return module.Builder


#: The C column builder class, or None (not built, stale, or ASYNCBOLT_PURE=1).
CBuilder: Any = _load()
ACCELERATED = CBuilder is not None


class _Col:
    """One column of the pure-Python builder (the twin of the C ``Col``)."""

    __slots__ = ("kind", "length", "nulls", "valid", "data", "child", "names", "kids", "index",
                 "types", "offs")

    def __init__(self) -> None:
        self.kind = "null"
        self.length = 0
        self.nulls = 0
        self.valid: list[bool] = []  # (kept for every slot; None in the description when no null)
        self.data: list = []  # scalars; list offsets
        self.child: _Col | None = None
        self.names: list[str] = []
        self.kids: list[_Col] = []
        self.index: dict[Any, _Col] = {}  # map/struct: name -> kid; union: kind -> kid
        self.types: list[int] = []
        self.offs: list[int] = []


_ZERO = {"bool": False, "int": 0, "float": 0.0, "string": "", "bytes": b"", "uuid": None}


class PyBuilder:
    """The pure-Python column builder: ``add_values(values)`` per record, ``finish()``."""

    def __init__(self, profile: str, ncols: int, max_values: int | None = None) -> None:
        try:
            self._fields = STRUCTURE_FIELDS[profile]
        except KeyError:
            raise ValueError(f"unknown Bolt profile {profile!r}") from None
        self.profile = profile
        self.ncols = ncols
        self.max_values = max_values
        self.rows = 0
        self._left = 0
        self._cols = [_Col() for _ in range(ncols)]

    def add_values(self, values: list) -> None:
        if len(values) != self.ncols:
            raise ProtocolError(f"a RECORD of {len(values)} values for a result of {self.ncols} keys")
        self._left = -1 if self.max_values is None else self.max_values
        self._spend(1)
        for col, value in zip(self._cols, values, strict=True):
            self._append(col, value)
        self.rows += 1

    def finish(self) -> list:
        out = [self._describe(c) for c in self._cols]
        self._cols = [_Col() for _ in range(self.ncols)]
        self.rows = 0
        return out

    # -- appending ------------------------------------------------------------------------

    def _spend(self, n: int) -> None:
        if self._left >= 0:
            self._left -= n
            if self._left < 0:
                raise ProtocolError(f"the message holds more than {self.max_values} values "
                                    "(max_decoded_values) once laid out in columns")

    def _kind(self, value: Any) -> str:
        t = type(value)
        kind = _SCALARS.get(t)
        if kind is not None:
            return kind
        if t is list:
            return "list"
        if t is dict:
            return "map"
        name = _NAME_OF.get(t)
        if name is None or name not in self._fields:
            raise ProtocolError(f"a {t.__name__} is not a structure of Bolt {self.profile}: a "
                                "columnar result cannot hold it (read it as records)")
        return name

    def _init(self, c: _Col, kind: str) -> None:
        c.kind = kind
        if kind == "list":
            c.child = _Col()
            c.data = [0]
        elif kind in self._fields:
            for name in self._fields[kind]:
                kid = _Col()
                c.names.append(name)
                c.kids.append(kid)
                c.index[name] = kid

    def _nulls(self, c: _Col, n: int) -> None:
        if n <= 0:
            return
        kind = c.kind
        if kind == "union":
            k0 = c.kids[0]
            c.types.extend([0] * n)
            c.offs.extend(range(k0.length, k0.length + n))
            self._nulls(k0, n)
            c.length += n
            return
        if kind == "list":
            c.data.extend([c.data[-1]] * n)
        elif kind == "map" or kind in self._fields:
            for kid in c.kids:
                self._nulls(kid, n)
        elif kind != "null":
            c.data.extend([_ZERO[kind]] * n)
        c.valid.extend([False] * n)
        c.length += n
        c.nulls += n

    def _append(self, c: _Col, value: Any) -> None:
        self._spend(1)
        if value is None:
            self._nulls(c, 1)
            return
        self._put(c, value, self._kind(value))

    def _put(self, c: _Col, value: Any, kind: str) -> None:
        if c.kind != kind:
            if c.kind == "null":
                n = c.length
                c.length = c.nulls = 0
                c.valid = []
                self._init(c, kind)
                self._nulls(c, n)
            else:
                if c.kind != "union":
                    k0, fresh = _Col(), _Col()
                    for slot in _Col.__slots__:  # (c's contents move to k0; c starts afresh)
                        setattr(k0, slot, getattr(c, slot))
                        setattr(c, slot, getattr(fresh, slot))
                    c.kind = "union"
                    c.kids = [k0]
                    c.index = {k0.kind: k0}
                    c.types = [0] * k0.length
                    c.offs = list(range(k0.length))
                    c.length = k0.length
                m = c.index.get(kind)
                if m is None:
                    if len(c.kids) >= 127:
                        raise ProtocolError("more than 127 kinds of values in one column")
                    m = _Col()
                    self._init(m, kind)
                    c.index[kind] = m
                    c.kids.append(m)
                c.types.append(c.kids.index(m))
                c.offs.append(m.length)
                c.length += 1
                self._put(m, value, kind)
                return
        if kind == "list":
            child = c.child
            assert child is not None
            for item in value:
                self._append(child, item)
            c.data.append(child.length)
        elif kind == "map":
            row = c.length
            for key, item in value.items():
                self._spend(1)
                kid = c.index.get(key)
                if kid is None:
                    kid = c.index[key] = _Col()
                    c.names.append(key)
                    c.kids.append(kid)
                    self._nulls(kid, row)
                self._append(kid, item)
            for kid in c.kids:
                if kid.length == row:
                    self._spend(1)
                    self._nulls(kid, 1)
        elif kind in self._fields:
            for name, kid in zip(c.names, c.kids, strict=True):
                self._append(kid, getattr(value, name))
        else:
            c.data.append(value.bytes if kind == "uuid" else value)
        c.valid.append(True)
        c.length += 1

    # -- describing (the C builder's tuples, with lists where it has buffers) -------------

    def _describe(self, c: _Col) -> tuple:
        kind = c.kind
        if kind == "null":
            return ("null", c.length)
        if kind == "union":
            return ("union", c.length, c.types, c.offs, [self._describe(k) for k in c.kids])
        valid = c.valid if c.nulls else None
        if kind == "list":
            assert c.child is not None
            return ("list", c.length, c.nulls, valid, c.data, 0, self._describe(c.child))
        if kind == "map" or kind in self._fields:
            return (kind, c.length, c.nulls, valid, list(c.names), [self._describe(k) for k in c.kids])
        return (kind, c.length, c.nulls, valid, c.data)


class Columns:
    """The columns of one result (or batch), built by C when it can be.

    ``codec``: the connection's (its profile and limits; it re-encodes values for the C
    builder and decodes payloads for the pure one). ``accelerated``: None for the default.
    """

    def __init__(self, codec: Any, ncols: int, accelerated: bool | None = None) -> None:
        if accelerated is None:
            accelerated = ACCELERATED
        elif accelerated and CBuilder is None:
            raise RuntimeError("the asyncbolt C column builder is not available")
        self.codec = codec
        self.ncols = ncols
        self.accelerated = bool(accelerated)
        if self.accelerated:
            self._c = CBuilder(codec.profile, ncols, codec.max_depth, codec.max_decoded_values)
        else:
            self._py = PyBuilder(codec.profile, ncols, codec.max_decoded_values)

    @property
    def rows(self) -> int:
        return self._c.rows if self.accelerated else self._py.rows

    def add_payload(self, payload: bytes) -> None:
        """A RECORD message's payload (``B1 71`` then its fields list)."""
        if not self.accelerated:
            self._py.add_values(self.codec.unpack_response(payload).data)
            return
        try:
            self._c.add(payload, 2)
        except ProtocolError as exc:
            self._diagnose(payload, exc)
            raise

    def add_records(self, payloads: list[bytes], start: int, max_len: int) -> tuple[int, int]:
        """The RECORD payloads of ``payloads`` from ``start`` on, up to the first that is not
        one or is longer than ``max_len``: (where that is, the bytes added)."""
        if self.accelerated:
            before = self._c.rows
            try:
                end, size = self._c.add_records(payloads, start, max_len)
            except ProtocolError as exc:
                self._diagnose(payloads[start + self._c.rows - before], exc)
                raise
            return end, size
        i, size = start, 0
        for payload in payloads[start:]:
            if len(payload) < 2 or payload[0] != 0xB1 or payload[1] != 0x71 or len(payload) > max_len:
                break
            self._py.add_values(self.codec.unpack_response(payload).data)
            size += len(payload)
            i += 1
        return i, size

    def _diagnose(self, payload: bytes, exc: ProtocolError) -> None:
        """Raise the codec's diagnosis of bytes the C builder refused, when it refuses them
        too: the error the Record path gives."""
        try:
            self.codec.unpack_response(payload)
        except ProtocolError as precise:
            raise precise from exc

    def add_values(self, values: list) -> None:
        """A record already decoded."""
        if self.accelerated:
            self._c.add(self.codec.pack(values), 0)
        else:
            self._py.add_values(values)

    def finish(self) -> list:
        """The column descriptions (see asyncbolt.codec.arrow); the builder starts afresh."""
        return self._c.finish() if self.accelerated else self._py.finish()
