"""Bolt parameters as values LadybugDB's Python binding takes -- exactly, or refused.

A parameter reaches the query as the same value, or the query is refused with
``Neo.ClientError.Statement.TypeError`` naming the parameter path (``$x``, ``$x[2]``, ``$x.a``),
the value kind and what LadybugDB cannot hold. Never a silently different value:

- **Lists** are typed in LadybugDB (``INT64[]``, ``STRUCT(a STRING)[]``): a List whose items are
  of different kinds (Integer and Float, Boolean and Integer, a List and a String, maps with
  different keys) is refused -- the binding would turn ``[1, 2.5]`` into ``[1.0, 2.5]``, a
  nested mix into one String, and maps with other keys into the first map's keys. An empty List
  (or one of nulls only) has no item type: LadybugDB takes it from the query when it can
  (``n.tags = $x``); where it cannot (``RETURN $x``) an auto-commit query is run again with the
  item type INT64, and a Map holding a null likewise (see :func:`prepare_parameters`).
- **Maps** become STRUCTs (keys kept; a map of keys ``key`` and ``value`` too, which the binding
  would read as a MAP of those two lists); maps in a List have their keys put in one order.
- **Temporal**: Date -> DATE, LocalDateTime -> TIMESTAMP (microseconds: more precise
  nanoseconds are refused), Duration -> INTERVAL when the binding's ``timedelta`` holds it the
  same (no months; 0 <= seconds < 86400; whole microseconds), a DateTime at offset +00:00 ->
  TIMESTAMP_TZ (``CAST($x AS TIMESTAMP_TZ)``: the binding passes a datetime as a TIMESTAMP; a
  parameter of its own only). Other DateTimes and DateTimeZoneIds are refused: LadybugDB keeps
  no offset or zone (its TIMESTAMP_TZ is a UTC instant). Time, LocalTime, Point2D/3D have no
  LadybugDB type; a Vector would come back as a List.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from typing import Any, NamedTuple

from asyncbolt.codec import structures as _s
from asyncbolt.errors import ClientError
from asyncbolt.tools.backends.ladybug.queries import cast_parameters

__all__ = ["to_ladybug", "prepare_parameters", "Prepared", "UNTYPED"]

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_TYPE = "Neo.ClientError.Statement.TypeError"
# A value's LadybugDB type: a name ("INT64"), ("LIST", item type or None when unknown) or
# ("STRUCT", ((key, type), ...)); None for null (any type).
Sig = Any


# Where a value is in a parameter, built only when a refusal names it: "$x", or (where, index or
# key) for an item of a List or a Map ("[]" for a List's items in general).
Path = Any


def _text(path: Path) -> str:
    segments = []
    while isinstance(path, tuple):
        path, segment = path
        if isinstance(segment, int):
            segments.append(f"[{segment}]")
        elif segment == "[]":
            segments.append("[]")
        else:
            segments.append(f".{segment}" if _IDENT.match(segment) else f"[{segment!r}]")
    return path + "".join(reversed(segments))


def _refuse(path: Path, message: str) -> ClientError:
    return ClientError(_TYPE, f"parameter {_text(path)}: {message}")


_KINDS = {"BOOL": "Boolean", "INT64": "Integer", "DOUBLE": "Float", "STRING": "String",
          "BLOB": "Bytes", "DATE": "Date", "TIMESTAMP": "LocalDateTime", "INTERVAL": "Duration"}


def _kind(sig: Sig) -> str:
    """A type as Bolt names the value kind."""
    if isinstance(sig, tuple):
        return "List" if sig[0] == "LIST" else "Map"
    return _KINDS.get(sig, str(sig))


def _merge(a: Sig, b: Sig, path: Path) -> Sig:
    """The one type of two items of a List, or refused."""
    if a is None or a == b:
        return b
    if b is None:
        return a
    if isinstance(a, tuple) and isinstance(b, tuple) and a[0] == b[0]:
        if a[0] == "LIST":
            return ("LIST", _merge(a[1], b[1], (path, "[]")))
        keys_a, keys_b = [k for k, _ in a[1]], [k for k, _ in b[1]]
        if set(keys_a) == set(keys_b):
            other = dict(b[1])
            return ("STRUCT", tuple((k, _merge(t, other[k], (path, k))) for k, t in a[1]))
        raise _refuse(path, f"a List of Maps with different keys ({sorted(keys_a)} and "
                            f"{sorted(keys_b)}): LadybugDB gives a List's Maps one STRUCT type, "
                            "with the same keys; send the missing keys as null")
    raise _refuse(path, f"a List mixing {_kind(a)} and {_kind(b)}: LadybugDB lists hold values "
                        "of one type (it would change the items), so send one kind per List")


_SCALARS: dict[type, Sig] = {type(None): None, bool: "BOOL", int: "INT64", float: "DOUBLE",
                             str: "STRING", bytes: "BLOB"}
_NOT_SCALAR = object()
_INNER_UTC = ("DateTime inside a List or Map: LadybugDB takes a DateTime (at offset +00:00) only "
              "as a parameter of its own, cast to TIMESTAMP_TZ (the binding passes a datetime as "
              "a TIMESTAMP); send it as one")


def _convert(value: Any, path: Path) -> tuple[Any, Sig]:
    """(the value for the binding, its LadybugDB type)."""
    sig = _SCALARS.get(type(value), _NOT_SCALAR)
    if sig is not _NOT_SCALAR:
        return value, sig
    if isinstance(value, bool):
        return bool(value), "BOOL"
    if isinstance(value, int):
        return int(value), "INT64"
    if isinstance(value, float):
        return float(value), "DOUBLE"
    if isinstance(value, str):
        return str(value), "STRING"
    if isinstance(value, (bytes, bytearray)):
        return bytes(value), "BLOB"
    if isinstance(value, (list, tuple)):
        items, sig = [], None
        for i, item in enumerate(value):
            converted, item_sig = _convert(item, (path, i))
            if item_sig == "TIMESTAMP_TZ":
                raise _refuse((path, i), _INNER_UTC)
            items.append(converted)
            if item_sig != sig:
                sig = _merge(sig, item_sig, path)
        return items, ("LIST", sig)  # (the Maps' keys are put in order once, at the end)
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        fields = []
        for key, item in value.items():
            out[key], item_sig = _convert(item, (path, key))
            if item_sig == "TIMESTAMP_TZ":
                raise _refuse((path, key), _INNER_UTC)
            fields.append((key, item_sig))
        if list(out) == ["key", "value"]:  # the binding's MAP form: keep it a STRUCT
            out = {"value": out["value"], "key": out["key"]}
            fields.reverse()
        return out, ("STRUCT", tuple(fields))
    return _temporal(value, path)


@functools.lru_cache(maxsize=256)
def _disordered(sig: Sig) -> bool:
    """Whether values of this type may hold Maps whose keys need putting in order: Maps in a
    List (the binding reads a List's STRUCTs by position, in the first one's order)."""
    if not isinstance(sig, tuple):
        return False
    if sig[0] == "LIST":
        return isinstance(sig[1], tuple) and (sig[1][0] == "STRUCT" or _disordered(sig[1]))
    return any(_disordered(t) for _, t in sig[1])


def _arrange(value: Any, sig: Sig) -> Any:
    """The value with every Map in a List with its keys in the order of its STRUCT type (one
    pass over the parts that hold such Maps)."""
    if value is None or not isinstance(sig, tuple):
        return value
    if sig[0] == "LIST":
        item = sig[1]
        if not isinstance(item, tuple) or (item[0] == "LIST" and not _disordered(item)):
            return value
        return [_arrange(v, item) for v in value]
    if not _disordered(sig) and [k for k, _ in sig[1]] == list(value):
        return value
    return {k: _arrange(value[k], t) for k, t in sig[1]}


def _offset(seconds: int) -> str:
    sign = "-" if seconds < 0 else "+"
    h, rest = divmod(abs(seconds), 3600)
    return f"{sign}{h:02d}:{rest // 60:02d}" + (f":{rest % 60:02d}" if rest % 60 else "")


def _temporal(value: Any, path: Path) -> tuple[Any, Sig]:
    name = type(value).__name__
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            return value, "TIMESTAMP"
        if value.utcoffset() == _dt.timedelta(0) and getattr(value.tzinfo, "key", None) is None:
            return value.replace(tzinfo=None), "TIMESTAMP_TZ"
        raise _refuse(path, f"DateTime {value.isoformat()}: {_NO_ZONE}")
    if isinstance(value, _dt.date):
        return value, "DATE"
    if isinstance(value, _dt.timedelta):
        return value, "INTERVAL"
    if isinstance(value, _s.Date):
        return _native(value, path, "Date"), "DATE"
    if isinstance(value, _s.LocalDateTime):
        if value.nanoseconds % 1000:
            raise _refuse(path, f"LocalDateTime with nanoseconds {value.nanoseconds}: LadybugDB "
                                "takes timestamps with microsecond precision (its Python binding "
                                "passes a datetime), so the last 3 digits would be lost")
        return _native(value, path, "LocalDateTime"), "TIMESTAMP"
    if isinstance(value, (_s.DateTime, _s.LegacyDateTime)):
        if value.tz_offset_seconds:
            raise _refuse(path, f"{name} with offset {_offset(value.tz_offset_seconds)}: {_NO_ZONE}")
        if value.nanoseconds % 1000:
            raise _refuse(path, f"{name} with nanoseconds {value.nanoseconds}: LadybugDB's "
                                "TIMESTAMP_TZ takes microseconds (its Python binding passes a "
                                "datetime), so the last 3 digits would be lost")
        native = _native(value, path, name)
        return native.astimezone(_UTC).replace(tzinfo=None), "TIMESTAMP_TZ"
    if isinstance(value, (_s.DateTimeZoneId, _s.LegacyDateTimeZoneId)):
        raise _refuse(path, f"{name} in zone {value.tz_id}: {_NO_ZONE}")
    if isinstance(value, _s.Duration):
        return _duration(value, path), "INTERVAL"
    if isinstance(value, (_s.Time, _s.LocalTime)):
        raise _refuse(path, f"{name}: LadybugDB has no time-of-day type; send it as a String, "
                            "or as a Duration since midnight")
    if isinstance(value, (_s.Point2D, _s.Point3D)):
        raise _refuse(path, f"{name}: LadybugDB has no spatial type; send the coordinates as "
                            "a List or a Map")
    if isinstance(value, _s.Vector):
        raise _refuse(path, "Vector: LadybugDB has no vector value that comes back as a Bolt "
                            "Vector (a list or array comes back as a List); send a List")
    raise _refuse(path, f"{name}: LadybugDB has no type for this value")


_NO_ZONE = ("LadybugDB keeps no offset or zone (TIMESTAMP_TZ holds only the UTC instant), so it "
            "would come back as another value; send it at offset +00:00 (UTC), or as a "
            "LocalDateTime, and the zone apart if needed")
_UTC = _dt.timezone.utc


def _native(value: Any, path: Path, kind: str) -> Any:
    try:
        return value.to_native()
    except (ValueError, OverflowError) as exc:
        raise _refuse(path, f"{kind} outside the range LadybugDB takes: {exc}") from None


def _duration(value: Any, path: Path) -> _dt.timedelta:
    if value.months:
        raise _refuse(path, f"Duration with months ({value.months}): LadybugDB's Python binding "
                            "passes an INTERVAL parameter as a timedelta, which has no months; "
                            "send the months as days, or write interval('N months') in the query")
    if value.nanoseconds % 1000:
        raise _refuse(path, f"Duration with nanoseconds {value.nanoseconds}: LadybugDB's INTERVAL "
                            "holds whole microseconds")
    try:
        td = _dt.timedelta(days=value.days, seconds=value.seconds,
                           microseconds=value.nanoseconds // 1000)
    except OverflowError:
        raise _refuse(path, f"Duration of {value.days} days: beyond LadybugDB's INTERVAL "
                            "(and Python's timedelta)") from None
    if (td.days, td.seconds, td.microseconds * 1000) != (value.days, value.seconds, value.nanoseconds):
        raise _refuse(path, f"Duration(days={value.days}, seconds={value.seconds}, nanoseconds="
                            f"{value.nanoseconds}): LadybugDB's Python binding passes it as a "
                            "timedelta, which moves whole days of seconds into days (and keeps "
                            "seconds and nanoseconds from 0 up), so it would come back as another "
                            "Duration; send seconds from 0 to 86399")
    return td


_SAMPLES: dict[str, Any] = {"BOOL": False, "INT64": 0, "DOUBLE": 0.0, "STRING": "", "BLOB": b"",
                           "DATE": _dt.date(1970, 1, 1), "TIMESTAMP": _dt.datetime(1970, 1, 1),
                           "INTERVAL": _dt.timedelta(0)}


def _typed_sample(sig: Sig) -> Any:
    """A value of this type with every List holding an item and no null (an unknown type:
    INT64), from which the binding can tell the type."""
    if sig is None:
        return 0
    if not isinstance(sig, tuple):
        return _SAMPLES[sig]
    if sig[0] == "LIST":
        return [_typed_sample(sig[1])]
    return {k: _typed_sample(t) for k, t in sig[1]}


def _unresolved(sig: Sig) -> bool:
    """Whether the binding cannot type this value: a List of no typed item, or a Map with a
    null value (its STRUCT field has no type; LadybugDB 0.22 even fails an assertion)."""
    if not isinstance(sig, tuple):
        return False
    if sig[0] == "LIST":
        return sig[1] is None or _unresolved(sig[1])
    return any(t is None or _unresolved(t) for _, t in sig[1])


def to_ladybug(value: Any, name: str) -> Any:
    """A Bolt parameter as a value Ladybug's binding takes (refused with a TypeError FAILURE
    when LadybugDB cannot hold it exactly)."""
    return _convert(value, f"${name}")[0]


#: How LadybugDB 0.22 fails on a parameter whose type it could not tell (an empty List, a Map
#: holding a null) where the query does not tell it either (``RETURN $x``).
UNTYPED = re.compile(r"vector with ANY type|UNREACHABLE_CODE")


class Prepared(NamedTuple):
    """Parameters for the binding, and the way to run the query when LadybugDB cannot type some
    of them (``untyped``: their names)."""

    parameters: dict[str, Any]
    #: Each untyped parameter ``v`` as ``[v, t]``, ``t`` a value of its type with nothing empty
    #: or null in it, from which the binding takes the type...
    typed: dict[str, Any]
    #: ...and the text around its uses in the query, to read ``v`` back: ``list_extract($x, 1)``.
    casts: dict[str, tuple[str, str]]
    #: The text around the uses of parameters that are always cast (a DateTime at UTC, passed
    #: as a TIMESTAMP: ``CAST($x AS TIMESTAMP_TZ)``).
    always: dict[str, tuple[str, str]]

    @property
    def untyped(self) -> list[str]:
        return sorted(self.casts)

    def query(self, query: str) -> str:
        """The query to run, with the parameters that are always cast cast."""
        return cast_parameters(query, self.always)

    def retry(self, query: str) -> tuple[str, dict[str, Any]] | None:
        """The query and parameters to run when LadybugDB cannot type the parameters as they
        are, or None when it types them all (``query``: as the caller gave it)."""
        if not self.casts:
            return None
        return cast_parameters(query, {**self.always, **self.casts}), {**self.parameters, **self.typed}

    def refusal(self) -> ClientError:
        """The FAILURE when LadybugDB could not type them in a transaction (where the query
        cannot be run again: the failure rolled the transaction back)."""
        names = ", ".join(f"${n}" for n in self.untyped)
        return ClientError(_TYPE, f"parameter {names}: an empty List, a List of nulls or a Map "
                                  "holding a null, whose type LadybugDB could not tell from the "
                                  "query; give it there, e.g. CAST($x AS STRING[]) (outside a "
                                  "transaction the server gives such a List the item type INT64)")


def prepare_parameters(parameters: dict[str, Any]) -> Prepared:
    """The parameters for the binding (refused when LadybugDB cannot hold one exactly). A value
    the binding cannot type (an empty List, a Map with a null) is passed as it is first -- the
    query may tell LadybugDB its type (``n.tags = $x``) -- and :meth:`Prepared.retry` says how
    to run the query again with the type given (INT64 where nothing says)."""
    out: dict[str, Any] = {}
    typed: dict[str, Any] = {}
    casts: dict[str, tuple[str, str]] = {}
    always: dict[str, tuple[str, str]] = {}
    for name, value in parameters.items():
        try:
            converted, sig = _convert(value, f"${name}")
            out[name] = _arrange(converted, sig)
        except RecursionError:
            raise _refuse(f"${name}", "nested too deeply to be checked (Lists and Maps more "
                                      "than a few hundred levels deep)") from None
        if sig == "TIMESTAMP_TZ":
            always[name] = ("CAST(", " AS TIMESTAMP_TZ)")
        elif _unresolved(sig):
            typed[name] = [out[name], _typed_sample(sig)]
            casts[name] = ("list_extract(", ", 1)")
    return Prepared(out, typed, casts, always)
