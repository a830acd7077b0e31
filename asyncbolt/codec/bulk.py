"""Bulk parameters: numpy, pandas and pyarrow values packed from their buffers.

A ``pyarrow.Table`` / ``RecordBatch`` or a pandas ``DataFrame`` packs as a list of maps (one map
per row, column name -> value: what ``UNWIND $rows AS row ...`` ingests), a numpy array (any
dimension) or a pandas ``Series`` / pyarrow ``Array`` / ``ChunkedArray`` as a (nested) list;
numpy scalars, ``pandas.Timestamp`` / ``Timedelta`` / ``NaT`` / ``NA`` and pyarrow scalars as
the plain value they hold.

None of those libraries is imported here: the codec calls :func:`pack_foreign` only for a value
whose type comes from one of them (so the library is already loaded). Each column becomes a
*column description* (a tuple, :func:`_col`) naming its kind, its buffers and its children; the C
accelerator (``pack.columns``) encodes rows straight from the buffers, and
``asyncbolt.codec._bulk_pure`` does the same in Python, byte for byte.
"""

from __future__ import annotations

import sys
from typing import Any

from asyncbolt._generated import structures as _s

__all__ = ["KINDS", "pack_foreign"]

#: Column kinds, in the order of the C accelerator's ``BK_`` enum (codegen/templates/_accel.c.j2).
KINDS = ("null i8 i16 i32 i64 u8 u16 u32 u64 f32 f64 bool8 boolbit str32 str64 bin32 bin64 date32 "
         "date64 time ts dur mdn list32 list64 fixlist struct map32 dict obj ucs4 bytesn").split()
K = {name: i for i, name in enumerate(KINDS)}
#: Flag: the int64 minimum is missing (numpy's NaT), packed as null.
NAT_IS_NULL = 1
# Validity: none, an Arrow bitmap (bit set: present), a byte mask (non-zero: missing).
V_NONE, V_BITS, V_MASK = 0, 1, 2
# Timestamp zones: naive (LocalDateTime), a fixed offset (DateTime), a named zone (DateTimeZoneId).
TZ_NAIVE, TZ_OFFSET, TZ_NAMED = 0, 1, 2
_TPS = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


def _col(kind: str, length: int, *, offset: int = 0, valid: Any = None, vkind: int = V_NONE,
         b0: Any = None, b1: Any = None, iw: int = 8, param: int = 0, tzmode: int = TZ_NAIVE,
         tzoff: int = 0, flags: int = 0, obj: Any = None, hdr: bytes | None = None,
         children: tuple = (), name: str = "") -> tuple:
    """One column description, in the field order ``pack.columns`` parses."""
    return (K[kind], length, offset, valid, vkind, b0, b1, iw, param, tzmode, tzoff, flags, obj,
            hdr, children, name)


class _BulkPlan:
    """What one call needs from the codec: the ``pack`` function (for keys and headers) and
    the profile's ``unavailable`` table (structures the negotiated version lacks)."""

    __slots__ = ("pack", "unavailable")

    def __init__(self, pack: Any, unavailable: dict) -> None:
        self.pack = pack
        self.unavailable = unavailable

    def header(self, cls: type) -> bytes:
        """The structure header (marker and tag) of a temporal class in this profile."""
        if cls in self.unavailable:
            raise ValueError(self.unavailable[cls])
        from asyncbolt._generated import codec as g

        return g._STRUCT_SETS[-1][1][cls][0]

    @property
    def legacy(self) -> bool:
        """Whether zoned date-times take their pre-5.0 form (seconds of the local wall clock)."""
        return _s.LegacyDateTime not in self.unavailable

    def encoded(self, key: Any, what: str) -> bytes:
        if type(key) is not str:
            if not isinstance(key, str):
                raise TypeError(f"map keys must be strings, found {type(key).__name__} {key!r} ({what})")
            key = str(key)
        out = bytearray()
        self.pack(key, out)
        return bytes(out)


# -- scalars ------------------------------------------------------------------------------------

def _root(t: type) -> str:
    return t.__module__.partition(".")[0]


def _ticks(value: Any) -> tuple[int, str]:
    """(ticks, unit) of a numpy datetime64 / timedelta64 scalar."""
    np = sys.modules["numpy"]
    unit, step = np.datetime_data(value.dtype)
    return int(value.astype(np.int64)) * step, unit


def _floor(ticks: int, unit: str) -> tuple[int, int]:
    """(seconds, nanoseconds) of a count of ``unit`` (s, ms, us, ns)."""
    tps = _TPS[unit]
    s, rem = divmod(ticks, tps)
    return s, rem * (1_000_000_000 // tps)


def _duration(seconds: int, ns: int, months: int = 0, days: int = 0) -> Any:
    """A Duration in ``datetime.timedelta``'s form: whole days, then seconds of the day."""
    d, s = divmod(seconds, 86_400)
    return _s.Duration(months, days + d, s, ns)


def _zone_of(tz: Any) -> tuple[int, Any]:
    """How a time zone packs: (TZ_NAMED, key) for a zoneinfo zone (as ``from_native`` does),
    (TZ_OFFSET, seconds) for a fixed offset (``datetime.timezone``), (-1, None) for any other
    tzinfo (its offset depends on the instant)."""
    import datetime as dt

    key = getattr(tz, "key", None)
    if isinstance(key, str) and key:
        return TZ_NAMED, key
    if isinstance(tz, dt.timezone):
        off = tz.utcoffset(None)
        if off.microseconds:
            raise ValueError(f"a UTC offset of {off} has a fraction of a second, which Bolt cannot send")
        return TZ_OFFSET, off.days * 86_400 + off.seconds
    return -1, None


def _datetime(s: int, ns: int, tz: Any) -> Any:
    """The structure of an instant: ``s`` seconds and ``ns`` nanoseconds since the epoch (of
    UTC when ``tz`` is a zone)."""
    if tz is None:
        return _s.LocalDateTime(s, ns)
    mode, zone = _zone_of(tz)
    if mode == TZ_NAMED:
        return _s.DateTimeZoneId(s, ns, zone)
    if mode == TZ_OFFSET:
        return _s.DateTime(s, ns, zone)
    import datetime as dt

    utc = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(seconds=s)
    off = utc.astimezone(tz).utcoffset()
    if off is None:
        return _s.LocalDateTime(s, ns)
    if off.microseconds:
        raise ValueError(f"a UTC offset of {off} has a fraction of a second, which Bolt cannot send")
    return _s.DateTime(s, ns, off.days * 86_400 + off.seconds)


def _scalar(v: Any) -> Any:
    """The plain value (or structure) of a numpy / pandas / pyarrow scalar; ``v`` itself when
    it is none of those."""
    t = type(v)
    name = t.__name__
    root = _root(t)
    if root == "numpy":
        np = sys.modules["numpy"]
        if isinstance(v, np.datetime64):
            if np.isnat(v):
                return None
            if np.datetime_data(v.dtype)[0] not in _TPS:
                v = v.astype("datetime64[ns]" if np.datetime_data(v.dtype)[0] in ("ps", "fs", "as")
                             else "datetime64[s]")
            return _datetime(*_floor(*_ticks(v)), None)
        if isinstance(v, np.timedelta64):
            if np.isnat(v):
                return None
            unit = np.datetime_data(v.dtype)[0]
            if unit in ("Y", "M"):
                n = int(v.astype(np.int64)) * np.datetime_data(v.dtype)[1]
                return _s.Duration(n * 12 if unit == "Y" else n, 0, 0, 0)
            if unit not in _TPS:
                v = v.astype("timedelta64[ns]" if unit in ("ps", "fs", "as") else "timedelta64[s]")
            return _duration(*_floor(*_ticks(v)))
        if isinstance(v, np.bool_):
            return bool(v)
        if isinstance(v, np.integer):
            return int(v)
        if isinstance(v, np.floating):
            return float(v)
        return v
    if root == "pandas":
        if name == "NaTType" or name == "NAType":
            return None
        if name == "Timestamp":
            try:
                s, ns = divmod(v.value, 1_000_000_000)  # (UTC) nanoseconds since the epoch
            except OverflowError:  # beyond 2262 in a coarser unit
                s, ns = _floor(*_ticks(v.asm8))
            if v.tzinfo is None:
                return _s.LocalDateTime(s, ns)
            return _datetime(s, ns, v.tzinfo)
        if name == "Timedelta":
            return _duration(*_floor(*_ticks(v.asm8)))
        return v
    if root == "pyarrow":
        if name == "MonthDayNano":
            s, ns = divmod(v.nanoseconds, 1_000_000_000)
            return _s.Duration(v.months, v.days, s, ns)
        as_py = getattr(v, "as_py", None)
        if as_py is not None and hasattr(v, "is_valid"):  # a pyarrow Scalar
            return as_py()
    return v


# -- the codec's entry point --------------------------------------------------------------------

def pack_foreign(pack: Any, v: Any, out: bytearray, unavailable: dict) -> bool:
    """Append ``v`` (a numpy / pandas / pyarrow value) to ``out``; False if it is not one this
    module packs (the caller then reports it)."""
    plain = _scalar(v)
    if plain is not v:
        pack(plain, out)
        return True
    if _root(type(v)) == "numpy" and isinstance(v, sys.modules["numpy"].ndarray) and v.ndim == 0:
        pack(v[()], out)  # a 0-d array: its scalar
        return True
    from asyncbolt.codec import _bulk_columns as bc

    plan = _BulkPlan(pack, unavailable)
    batches = bc.describe(v, plan)
    if batches is None:
        return False
    keys, parts = batches
    columns = getattr(pack, "columns", None)
    if columns is not None:
        columns(parts, keys, out)
    else:
        from asyncbolt.codec import _bulk_pure

        _bulk_pure.columns(pack, parts, keys, out)
    return True
