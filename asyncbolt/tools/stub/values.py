"""Values of a stub script: a lenient PackStream and the JOLT notation of script fields.

A stub server must replay whatever a script says and accept whatever a client sends, even
structures the negotiated Bolt version does not define (a script may force the PackStream v2
form of a DateTime into a Bolt 4.4 conversation with ``{"Tv2": ...}``). asyncbolt's codec is
deliberately strict per version, so the stub keeps its own small PackStream that knows only the
wire markers and turns every structure into a :class:`Struct` (tag + fields).

Script fields are JSON, read as JOLT: ``{"Z": "9007199254740993"}`` is an Integer,
``{"R": "1.5"}`` a Float, ``{"T": "2022-06-07T11:52:05+02:00"}`` a DateTime, ``{"()": [...]}``
a Node, and so on; a sigil may carry a PackStream version (``"Tv2"``). ``{"Z": "*"}`` (any
sigil with the value ``"*"``) is a typed wildcard that client lines may use.
"""

from __future__ import annotations

import json
import math
import re
import struct
from typing import Any

from asyncbolt.errors import JoltError

__all__ = ["JoltError", "Struct", "Wildcard", "from_jolt", "pack", "to_jolt", "dumps", "unpack"]


class Struct:
    """A PackStream structure: a one-byte tag and its fields."""

    __slots__ = ("tag", "fields")

    def __init__(self, tag: int, fields: list[Any]) -> None:
        self.tag = tag
        self.fields = list(fields)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Struct) and other.tag == self.tag and other.fields == self.fields

    def __hash__(self) -> int:
        return hash(self.tag)

    def __repr__(self) -> str:
        return f"Struct(0x{self.tag:02X}, {self.fields!r})"


# Structure tags (PackStream v1 / v2 where they differ).
DATE, TIME, LOCAL_TIME, LOCAL_DATE_TIME, DURATION = 0x44, 0x54, 0x74, 0x64, 0x45
DATE_TIME_V1, DATE_TIME_ZONE_ID_V1 = 0x46, 0x66
DATE_TIME_V2, DATE_TIME_ZONE_ID_V2 = 0x49, 0x69
POINT_2D, POINT_3D = 0x58, 0x59
NODE, RELATIONSHIP, UNBOUND_RELATIONSHIP, PATH = 0x4E, 0x52, 0x72, 0x50
TEMPORAL_TAGS = frozenset({DATE, TIME, LOCAL_TIME, LOCAL_DATE_TIME, DURATION, DATE_TIME_V1,
                           DATE_TIME_ZONE_ID_V1, DATE_TIME_V2, DATE_TIME_ZONE_ID_V2})


class Wildcard:
    """A typed wildcard (``{"Z": "*"}``): matches any value of the sigil's type."""

    __slots__ = ("sigil",)

    def __init__(self, sigil: str) -> None:
        self.sigil = sigil

    def matches(self, value: Any) -> bool:
        s = self.sigil
        if s == "?":
            return type(value) is bool
        if s == "Z":
            return type(value) is int
        if s == "R":
            return type(value) is float
        if s == "U":
            return type(value) is str
        if s == "#":
            return type(value) in (bytes, bytearray)
        if s == "[]":
            return type(value) is list
        if s == "{}":
            return type(value) is dict
        if not isinstance(value, Struct):
            return False
        if s == "T":
            return value.tag in TEMPORAL_TAGS
        if s == "@":
            return value.tag in (POINT_2D, POINT_3D)
        if s == "()":
            return value.tag == NODE
        if s in ("->", "<-"):
            return value.tag == RELATIONSHIP
        if s == "..":
            return value.tag == PATH
        return False

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Wildcard) and other.sigil == self.sigil

    def __hash__(self) -> int:
        return hash(self.sigil)

    def __repr__(self) -> str:
        return f'{{"{self.sigil}": "*"}}'


# ------------------------------------------------------------------------------------------
# PackStream (markers only; every structure is a Struct)


def pack(value: Any) -> bytes:
    out = bytearray()
    _pack(value, out)
    return bytes(out)


def _pack_size(out: bytearray, n: int, tiny: int, m8: int | None, m16: int, m32: int) -> None:
    if n < 16 and tiny >= 0:
        out.append(tiny + n)
    elif m8 is not None and n < 0x100:
        out += bytes((m8, n))
    elif n < 0x10000:
        out.append(m16)
        out += n.to_bytes(2, "big")
    else:
        out.append(m32)
        out += n.to_bytes(4, "big")


def _pack(v: Any, out: bytearray) -> None:
    if v is None:
        out.append(0xC0)
    elif v is True:
        out.append(0xC3)
    elif v is False:
        out.append(0xC2)
    elif isinstance(v, int):
        if -16 <= v < 128:
            out += v.to_bytes(1, "big", signed=True)
        elif -0x80 <= v < 0x80:
            out.append(0xC8)
            out += v.to_bytes(1, "big", signed=True)
        elif -0x8000 <= v < 0x8000:
            out.append(0xC9)
            out += v.to_bytes(2, "big", signed=True)
        elif -0x80000000 <= v < 0x80000000:
            out.append(0xCA)
            out += v.to_bytes(4, "big", signed=True)
        elif -(1 << 63) <= v < 1 << 63:
            out.append(0xCB)
            out += v.to_bytes(8, "big", signed=True)
        else:
            raise ValueError(f"integer {v} does not fit in 64 bits")
    elif isinstance(v, float):
        out.append(0xC1)
        out += struct.pack(">d", v)
    elif isinstance(v, str):
        b = v.encode("utf-8")
        _pack_size(out, len(b), 0x80, 0xD0, 0xD1, 0xD2)
        out += b
    elif isinstance(v, (bytes, bytearray)):
        _pack_size(out, len(v), -1, 0xCC, 0xCD, 0xCE)
        out += v
    elif isinstance(v, (list, tuple)):
        _pack_size(out, len(v), 0x90, 0xD4, 0xD5, 0xD6)
        for item in v:
            _pack(item, out)
    elif isinstance(v, dict):
        _pack_size(out, len(v), 0xA0, 0xD8, 0xD9, 0xDA)
        for key, item in v.items():
            _pack(key, out)
            _pack(item, out)
    elif isinstance(v, Struct):
        n = len(v.fields)
        if n < 16:
            out.append(0xB0 + n)
        elif n < 0x100:
            out += bytes((0xDC, n))
        else:
            out.append(0xDD)
            out += n.to_bytes(2, "big")
        out.append(v.tag)
        for item in v.fields:
            _pack(item, out)
    elif isinstance(v, Wildcard):
        raise ValueError(f"a wildcard ({v!r}) cannot be sent")
    else:
        raise ValueError(f"cannot pack {type(v).__name__}")


class _Reader:
    __slots__ = ("data", "pos", "depth")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        end = self.pos + n
        if end > len(self.data):
            raise ValueError(f"truncated PackStream value at byte {self.pos}")
        chunk = self.data[self.pos:end]
        self.pos = end
        return chunk

    def uint(self, n: int) -> int:
        return int.from_bytes(self.take(n), "big")


_MAX_DEPTH = 200


def unpack(data: bytes) -> Any:
    """Decode one PackStream value (a message is a Struct); ValueError for bad data."""
    reader = _Reader(bytes(data))
    value = _unpack(reader, 0)
    if reader.pos != len(reader.data):
        raise ValueError(f"{len(reader.data) - reader.pos} bytes after the value")
    return value


def _unpack(r: _Reader, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        raise ValueError("values nested too deeply")
    m = r.uint(1)
    if m < 0x80:
        return m
    if m >= 0xF0:
        return m - 0x100
    hi = m & 0xF0
    if hi == 0x80:
        return _text(r, m & 0x0F)
    if hi == 0x90:
        return [_unpack(r, depth + 1) for _ in range(m & 0x0F)]
    if hi == 0xA0:
        return _map(r, m & 0x0F, depth)
    if hi == 0xB0:
        return _struct(r, m & 0x0F, depth)
    if m == 0xC0:
        return None
    if m == 0xC1:
        return struct.unpack(">d", r.take(8))[0]
    if m == 0xC2:
        return False
    if m == 0xC3:
        return True
    if 0xC8 <= m <= 0xCB:
        n = 1 << (m - 0xC8)
        return int.from_bytes(r.take(n), "big", signed=True)
    if 0xCC <= m <= 0xCE:
        return r.take(r.uint(1 << (m - 0xCC)))
    if 0xD0 <= m <= 0xD2:
        return _text(r, r.uint(1 << (m - 0xD0)))
    if 0xD4 <= m <= 0xD6:
        return [_unpack(r, depth + 1) for _ in range(_count(r, r.uint(1 << (m - 0xD4))))]
    if 0xD8 <= m <= 0xDA:
        return _map(r, r.uint(1 << (m - 0xD8)), depth)
    if m in (0xDC, 0xDD):
        return _struct(r, r.uint(1 if m == 0xDC else 2), depth)
    raise ValueError(f"unknown PackStream marker 0x{m:02X} at byte {r.pos - 1}")


def _count(r: _Reader, n: int) -> int:
    # Every item takes a byte at least: a count beyond the data left is a lie, not a big list.
    if n > len(r.data) - r.pos:
        raise ValueError(f"container of {n} items in {len(r.data) - r.pos} bytes")
    return n


def _text(r: _Reader, n: int) -> str:
    raw = r.take(n)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"invalid UTF-8 in a string: {error}") from None


def _map(r: _Reader, n: int, depth: int) -> dict:
    out = {}
    for _ in range(_count(r, n)):
        key = _unpack(r, depth + 1)
        if not isinstance(key, str):
            raise ValueError(f"map key is {type(key).__name__}, not a string")
        out[key] = _unpack(r, depth + 1)
    return out


def _struct(r: _Reader, n: int, depth: int) -> Struct:
    tag = r.uint(1)
    return Struct(tag, [_unpack(r, depth + 1) for _ in range(_count(r, n))])


# ------------------------------------------------------------------------------------------
# JOLT -> values

_SIGILS = frozenset({"?", "Z", "R", "U", "#", "[]", "{}", "T", "@", "()", "->", "<-", ".."})
_SIGIL_RE = re.compile(r"^(.+?)(?:v(\d+))?$")
_DATE_RE = re.compile(r"^(-?\d{4,})(?:-(\d{2}))?(?:-(\d{2}))?$")
_TIME_RE = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2}))?(?:\.(\d{1,9}))?"
                      r"(?:(Z)|([+-]\d{2}(?::?\d{2})?)(?:\[([^\]]+)\])?)?$")
_DURATION_RE = re.compile(r"^P(?:(-?\d+)Y)?(?:(-?\d+)M)?(?:(-?\d+)W)?(?:(-?\d+)D)?"
                          r"(?:T(?:(-?\d+)H)?(?:(-?\d+)M)?(?:(-?\d+)(?:\.(\d{1,9}))?S)?)?$")
_POINT_RE = re.compile(r"^(?:SRID=(\d+);)?\s*POINT\s*\(\s*([^()]*?)\s*\)$")
_EPOCH_ORDINAL = 719163  # date(1970, 1, 1).toordinal()


def from_jolt(value: Any, packstream: int, *, wildcards: bool = False) -> Any:
    """Turn a JSON-decoded script field into a value (structures as :class:`Struct`).

    ``packstream`` (1 or 2) picks the structure layouts unless a sigil names its own
    (``"Tv1"``). ``wildcards`` allows ``{"Z": "*"}``-style typed wildcards (client lines only).
    Raises :class:`JoltError` saying what is wrong.
    """
    if isinstance(value, dict):
        if len(value) == 1:
            key, content = next(iter(value.items()))
            match = _SIGIL_RE.match(key)
            if match and match.group(1) in _SIGILS:
                sigil, version = match.group(1), match.group(2)
                if version is not None:
                    if version not in ("1", "2"):
                        raise JoltError(f"unknown PackStream version in sigil {key!r}")
                    packstream = int(version)
                if content == "*":
                    if not wildcards:
                        raise JoltError(f"the wildcard {{{key!r}: \"*\"}} is only allowed in "
                                        "client lines")
                    return Wildcard(sigil)
                return _from_sigil(sigil, content, packstream, wildcards)
        return {k: from_jolt(v, packstream, wildcards=wildcards) for k, v in value.items()}
    if isinstance(value, list):
        return [from_jolt(v, packstream, wildcards=wildcards) for v in value]
    if type(value) is int and not -0x80000000 <= value < 0x80000000:
        # JOLT's plain number is a 32-bit integer; a larger one reads as a Float (write
        # {"Z": "..."} for big integers).
        return float(value)
    return value


def _need(cond: bool, sigil: str, what: str) -> None:
    if not cond:
        raise JoltError(f'sigil "{sigil}" needs {what}')


def _from_sigil(sigil: str, c: Any, ps: int, wildcards: bool) -> Any:
    if sigil == "?":
        _need(isinstance(c, bool), sigil, "true or false")
        return c
    if sigil == "Z":
        _need(isinstance(c, str), sigil, 'a string such as "42"')
        try:
            return int(re.sub(r"\.\d*$", "", c))
        except ValueError:
            raise JoltError(f'sigil "Z": {c!r} is not an integer') from None
    if sigil == "R":
        _need(isinstance(c, str), sigil, 'a string such as "1.5", "NaN" or "+Infinity"')
        try:
            return float(c)
        except ValueError:
            raise JoltError(f'sigil "R": {c!r} is not a float') from None
    if sigil == "U":
        _need(isinstance(c, str), sigil, "a string")
        return c
    if sigil == "#":
        if isinstance(c, list) and all(type(b) is int and 0 <= b < 256 for b in c):
            return bytes(c)
        _need(isinstance(c, str), sigil, "hex digits or a list of 0-255 integers")
        try:
            return bytes.fromhex(c)
        except ValueError:
            raise JoltError(f'sigil "#": {c!r} is not hex-encoded bytes') from None
    if sigil == "[]":
        _need(isinstance(c, list), sigil, "a list")
        return [from_jolt(v, ps, wildcards=wildcards) for v in c]
    if sigil == "{}":
        _need(isinstance(c, dict), sigil, "an object")
        return {k: from_jolt(v, ps, wildcards=wildcards) for k, v in c.items()}
    if sigil == "T":
        _need(isinstance(c, str), sigil, "an ISO 8601 string")
        return _temporal(c, ps)
    if sigil == "@":
        _need(isinstance(c, str), sigil, 'a WKT string such as "SRID=4326;POINT(1 2)"')
        return _point(c)
    if sigil == "()":
        n = 3 if ps == 1 else 4
        _need(isinstance(c, list) and len(c) == n, sigil,
              "[id, labels, properties]" if ps == 1 else "[id, labels, properties, element_id]")
        props = c[2]
        _need(isinstance(props, dict) and isinstance(c[1], list), sigil, "a list of labels and a"
              " properties object")
        return Struct(NODE, [c[0], list(c[1]), from_jolt(props, ps, wildcards=wildcards),
                             *c[3:]])
    if sigil in ("->", "<-"):
        n = 5 if ps == 1 else 8
        _need(isinstance(c, list) and len(c) == n, sigil,
              "[id, start, type, end, properties]" if ps == 1 else
              "[id, start, type, end, properties, element_id, start_element_id, end_element_id]")
        id_, start, type_, end, props = c[:5]
        extra = list(c[5:])
        if sigil == "<-":
            start, end = end, start
            if extra:
                extra = [extra[0], extra[2], extra[1]]
        _need(isinstance(props, dict), sigil, "a properties object")
        return Struct(RELATIONSHIP, [id_, start, end, type_,
                                     from_jolt(props, ps, wildcards=wildcards), *extra])
    if sigil == "..":
        _need(isinstance(c, list) and len(c) % 2 == 1, sigil,
              "an odd-length list of nodes and relationships")
        return _path([from_jolt(v, ps) for v in c], ps)
    raise JoltError(f"unknown sigil {sigil!r}")  # pragma: no cover - _SIGILS guards


def _days(text: str) -> int:
    match = _DATE_RE.match(text)
    if not match:
        raise JoltError(f"{text!r} is not a date (YYYY-MM-DD)")
    import datetime

    year, month, day = (int(g) if g else 1 for g in match.groups())
    try:
        return datetime.date(year, month, day).toordinal() - _EPOCH_ORDINAL
    except ValueError as error:
        raise JoltError(f"{text!r}: {error}") from None


def _time(text: str) -> tuple[int, int | None, str | None]:
    """-> (nanoseconds since midnight, UTC offset seconds or None, zone id or None)."""
    match = _TIME_RE.match(text)
    if not match:
        raise JoltError(f"{text!r} is not a time (HH:MM[:SS[.fraction]][offset])")
    h, m, s, frac, zulu, offset, zone = match.groups()
    ns = ((int(h) * 60 + int(m)) * 60 + int(s or 0)) * 10**9 + int((frac or "").ljust(9, "0"))
    tz: int | None = None
    if zulu:
        tz = 0
    elif offset:
        digits = offset[1:].replace(":", "").ljust(4, "0")
        tz = (int(digits[:2]) * 3600 + int(digits[2:]) * 60) * (-1 if offset[0] == "-" else 1)
    return ns, tz, zone


def _temporal(text: str, ps: int) -> Struct:
    if text.startswith("P"):
        match = _DURATION_RE.match(text)
        if not match or text in ("P", "PT"):
            raise JoltError(f"{text!r} is not a duration (PnYnMnDTnHnMn.nS)")
        y, mo, w, d, h, mi, s, frac = match.groups()
        seconds = int(h or 0) * 3600 + int(mi or 0) * 60 + int(s or 0)
        nanos = int((frac or "").ljust(9, "0"))
        if s and s.startswith("-") and nanos:
            nanos = -nanos
        return Struct(DURATION, [int(y or 0) * 12 + int(mo or 0), int(w or 0) * 7 + int(d or 0),
                                 seconds, nanos])
    if "T" in text:
        date_text, time_text = text.split("T", 1)
        days = _days(date_text)
        ns, tz, zone = _time(time_text)
        local = days * 86400 + ns // 10**9
        nanos = ns % 10**9
        if tz is None:
            if zone:
                raise JoltError(f"{text!r}: a zone id needs an offset before it")
            return Struct(LOCAL_DATE_TIME, [local, nanos])
        if zone:
            if ps == 1:
                return Struct(DATE_TIME_ZONE_ID_V1, [local, nanos, zone])
            return Struct(DATE_TIME_ZONE_ID_V2, [local - tz, nanos, zone])
        if ps == 1:
            return Struct(DATE_TIME_V1, [local, nanos, tz])
        return Struct(DATE_TIME_V2, [local - tz, nanos, tz])
    if ":" in text:
        ns, tz, zone = _time(text)
        if zone:
            raise JoltError(f"{text!r}: a time cannot have a zone id")
        if tz is None:
            return Struct(LOCAL_TIME, [ns])
        return Struct(TIME, [ns, tz])
    return Struct(DATE, [_days(text)])


def _point(text: str) -> Struct:
    match = _POINT_RE.match(text)
    if not match:
        raise JoltError(f"{text!r} is not a point (SRID=n;POINT(x y [z]))")
    srid = int(match.group(1)) if match.group(1) else None
    try:
        coords = [float(c) for c in match.group(2).split()]
    except ValueError:
        raise JoltError(f"{text!r}: coordinates must be numbers") from None
    if len(coords) == 2:
        return Struct(POINT_2D, [srid, *coords])
    if len(coords) == 3:
        return Struct(POINT_3D, [srid, *coords])
    raise JoltError(f"{text!r}: a point has 2 or 3 coordinates")


def _path(items: list, ps: int) -> Struct:
    nodes: list[Struct] = []
    rels: list[Struct] = []
    indices: list[int] = []
    node_key = (lambda n: n.fields[0]) if ps == 1 else (lambda n: n.fields[3])
    rel_key = (lambda r: r.fields[0]) if ps == 1 else (lambda r: r.fields[5])
    for i, item in enumerate(items):
        want = NODE if i % 2 == 0 else RELATIONSHIP
        if not isinstance(item, Struct) or item.tag != want:
            raise JoltError(f'sigil "..": item {i} must be a '
                            f'{"node" if want == NODE else "relationship"}')
    for i in range(0, len(items), 2):
        node = items[i]
        if all(node_key(n) != node_key(node) for n in nodes):
            nodes.append(node)
    rel_keys: list[Any] = []
    for i in range(1, len(items), 2):
        rel, prev, nxt = items[i], items[i - 1], items[i + 1]
        if rel_key(rel) in rel_keys:
            index = rel_keys.index(rel_key(rel)) + 1
        else:
            rels.append(Struct(UNBOUND_RELATIONSHIP, [rel.fields[0], rel.fields[3], rel.fields[4],
                                                      *rel.fields[5:6]]))
            rel_keys.append(rel_key(rel))
            index = len(rels)
        # Traversed forwards when it starts at the node before it.
        forward = (rel.fields[1] == prev.fields[0]) if ps == 1 else (rel.fields[6] == prev.fields[3])
        indices.append(index if forward else -index)
        indices.append([node_key(n) for n in nodes].index(node_key(nxt)))
    return Struct(PATH, [nodes, rels, indices])


# ------------------------------------------------------------------------------------------
# values -> JOLT (for the log)


def to_jolt(value: Any) -> Any:
    """The JSON-able JOLT form of a value, as the log shows it: ints and strings plain, maps
    as ``{"{}": ...}``, floats as ``{"R": ...}``, bytes as ``{"#": ...}``."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if -0x80000000 <= value < 0x80000000 else {"Z": str(value)}
    if isinstance(value, float):
        if math.isnan(value):
            return {"R": "NaN"}
        if math.isinf(value):
            return {"R": "+Infinity" if value > 0 else "-Infinity"}
        return {"R": str(value)}
    if isinstance(value, (bytes, bytearray)):
        return {"#": bytes(value).hex().upper()}
    if isinstance(value, (list, tuple)):
        return [to_jolt(v) for v in value]
    if isinstance(value, dict):
        return {"{}": {k: to_jolt(v) for k, v in value.items()}}
    if isinstance(value, Wildcard):
        return {value.sigil: "*"}
    if isinstance(value, Struct):
        return _struct_to_jolt(value)
    return repr(value)


def _fmt_time(ns: int) -> str:
    s, frac = divmod(ns, 10**9)
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h:02d}:{m:02d}:{s:02d}.{frac:09d}"


def _fmt_offset(seconds: int) -> str:
    if seconds == 0:
        return "Z"
    sign = "-" if seconds < 0 else "+"
    m = abs(seconds) // 60
    return f"{sign}{m // 60:02d}:{m % 60:02d}"


def _fmt_date(days: int) -> str:
    import datetime

    try:
        return datetime.date.fromordinal(days + _EPOCH_ORDINAL).isoformat()
    except (ValueError, OverflowError):
        return f"{days} days since 1970-01-01"


def _fmt_local(seconds: int, nanos: int) -> str:
    days, secs = divmod(seconds, 86400)
    return f"{_fmt_date(days)}T{_fmt_time(secs * 10**9 + nanos)}"


def _struct_to_jolt(s: Struct) -> Any:
    f = s.fields
    try:
        if s.tag == DATE and len(f) == 1:
            return {"T": _fmt_date(f[0])}
        if s.tag == TIME and len(f) == 2:
            return {"T": _fmt_time(f[0]) + _fmt_offset(f[1])}
        if s.tag == LOCAL_TIME and len(f) == 1:
            return {"T": _fmt_time(f[0])}
        if s.tag == LOCAL_DATE_TIME and len(f) == 2:
            return {"T": _fmt_local(f[0], f[1])}
        if s.tag == DATE_TIME_V1 and len(f) == 3:
            return {"Tv1": _fmt_local(f[0], f[1]) + _fmt_offset(f[2])}
        if s.tag == DATE_TIME_ZONE_ID_V1 and len(f) == 3:
            return {"Tv1": f"{_fmt_local(f[0], f[1])}[{f[2]}]"}
        if s.tag == DATE_TIME_V2 and len(f) == 3:
            return {"Tv2": _fmt_local(f[0] + f[2], f[1]) + _fmt_offset(f[2])}
        if s.tag == DATE_TIME_ZONE_ID_V2 and len(f) == 3:
            return {"Tv2": _zoned_v2(f[0], f[1], f[2])}
        if s.tag == DURATION and len(f) == 4:
            sec = f[2] + f[3] / 10**9
            return {"T": f"P{f[0] // 12}Y{f[0] % 12}M{f[1]}DT{sec:.9f}S"}
        if s.tag in (POINT_2D, POINT_3D):
            srid = "" if f[0] is None else f"SRID={f[0]};"
            return {"@": f"{srid}POINT({' '.join(repr(c) for c in f[1:])})"}
        if s.tag == NODE:
            return {"()": [f[0], f[1], {k: to_jolt(v) for k, v in f[2].items()}, *f[3:]]}
        if s.tag == RELATIONSHIP:
            return {"->": [f[0], f[1], f[3], f[2], {k: to_jolt(v) for k, v in f[4].items()},
                           *f[5:]]}
    except (TypeError, ValueError, IndexError, AttributeError, OverflowError):
        pass
    return {"Structure": [f"0x{s.tag:02X}", [to_jolt(v) for v in f]]}


def _zoned_v2(seconds: int, nanos: int, zone: str) -> str:
    try:
        import datetime
        import zoneinfo

        when = datetime.datetime.fromtimestamp(seconds, zoneinfo.ZoneInfo(zone))
        utcoffset = when.utcoffset()
        if utcoffset is None:  # (a ZoneInfo always has one)
            raise ValueError(f"no UTC offset for {zone}")
        offset = int(utcoffset.total_seconds())
        return f"{_fmt_local(seconds + offset, nanos)}{_fmt_offset(offset)}[{zone}]"
    except Exception:  # unknown zone, or no tz database here: show the UTC instant
        return f"{_fmt_local(seconds, nanos)}Z[{zone}]"


def dumps(value: Any) -> str:
    """One field as the log shows it (JSON of :func:`to_jolt`)."""
    return json.dumps(to_jolt(value))
