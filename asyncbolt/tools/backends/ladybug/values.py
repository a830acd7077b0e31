"""LadybugDB values as PackStream values, and Bolt parameters as values Ladybug takes.

**Values.** Integers, floats, strings, booleans, blobs (bytes), lists/arrays, structs and maps
(maps' keys become strings) map one to one; DATE -> Date, TIMESTAMP (and _NS/_MS/_SEC) ->
LocalDateTime, TIMESTAMP_TZ -> DateTime in UTC, INTERVAL -> Duration (Ladybug's Python binding
hands months over as 30 days), UUID -> string, DECIMAL -> float, INT128/UINT64 beyond 64 bits ->
string. Paths (``MATCH p = ...``) become Bolt Paths; a variable-length relationship
(``-[r*1..3]->``) becomes a list of relationships, as in Neo4j. Parameters map back the same
way; Bolt DateTime parameters become UTC timestamps; Time, LocalTime and spatial points have no
Ladybug type and are refused with ``Neo.ClientError.Statement.TypeError``.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import uuid
from collections.abc import Callable
from typing import Any

from asyncbolt.codec import structures as _s
from asyncbolt.errors import ClientError
from asyncbolt.tools.backends.ladybug.ids import element_id, node_id

__all__ = ["to_bolt", "to_ladybug", "converters"]

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_UTC = _dt.timezone.utc

# -- Ladybug -> Bolt -------------------------------------------------------------------------

_PLAIN = (str, float, bool, bytes, type(None))
_HIDDEN = frozenset({"_ID", "_LABEL", "_SRC", "_DST"})


def _iid(raw: Any) -> tuple[int, int]:
    return raw["table"], raw["offset"]


def _props(raw: dict) -> dict[str, Any]:
    return {k: to_bolt(v) for k, v in raw.items() if k not in _HIDDEN and v is not None}


def _node(raw: dict) -> _s.Node:
    table, offset = _iid(raw["_ID"])
    return _s.Node(node_id(table, offset), [raw["_LABEL"]], _props(raw), element_id(table, offset))


def _relationship(raw: dict) -> _s.Relationship:
    table, offset = _iid(raw["_ID"])
    st, so = _iid(raw["_SRC"])
    et, eo = _iid(raw["_DST"])
    return _s.Relationship(node_id(table, offset), node_id(st, so), node_id(et, eo), raw["_LABEL"],
                           _props(raw), element_id(table, offset), element_id(st, so),
                           element_id(et, eo))


def _path(raw_nodes: list, raw_rels: list) -> _s.Path:
    nodes: list[_s.Node] = []
    node_index: dict[tuple, int] = {}
    sequence = []
    for raw in raw_nodes:
        key = _iid(raw["_ID"])
        if key not in node_index:
            node_index[key] = len(nodes)
            nodes.append(_node(raw))
        sequence.append(node_index[key])
    rels: list[_s.UnboundRelationship] = []
    rel_index: dict[tuple, int] = {}
    indices: list[int] = []
    for step, raw in enumerate(raw_rels):
        table, offset = key = _iid(raw["_ID"])
        if key not in rel_index:
            rels.append(_s.UnboundRelationship(node_id(table, offset), raw["_LABEL"], _props(raw),
                                               element_id(table, offset)))
            rel_index[key] = len(rels)  # 1-based
        forward = _iid(raw["_SRC"]) == _iid(raw_nodes[step]["_ID"])
        indices += [rel_index[key] if forward else -rel_index[key], sequence[step + 1]]
    return _s.Path(nodes, rels, indices)


def _int(value: int) -> Any:
    return value if _INT64_MIN <= value <= _INT64_MAX else str(value)


def to_bolt(value: Any) -> Any:
    """A value from Ladybug's Python binding as a PackStream value."""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, int):
        return _int(value)
    if isinstance(value, dict):
        if "_ID" in value and "_LABEL" in value:
            return _relationship(value) if "_SRC" in value else _node(value)
        if "_NODES" in value and "_RELS" in value:
            nodes, rels = value["_NODES"], value["_RELS"]
            if len(nodes) == len(rels) + 1:
                return _path(nodes, rels)
            # A variable-length relationship: its inner nodes only. Neo4j gives a list.
            return [_relationship(r) for r in rels]
        return {str(k): to_bolt(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_bolt(v) for v in value]
    if isinstance(value, (_dt.date, _dt.timedelta)):  # datetime is a date
        return value
    if isinstance(value, decimal.Decimal):
        exponent = value.as_tuple().exponent  # (a letter for NaN and infinities)
        if isinstance(exponent, int) and exponent >= 0:
            return _int(int(value))
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return str(value)


def _internal_id(value: Any) -> Any:
    if isinstance(value, dict) and "table" in value and "offset" in value:
        return node_id(value["table"], value["offset"])
    if isinstance(value, list):
        return [_internal_id(v) for v in value]
    return to_bolt(value)


def converters(types: list[str]) -> list[Callable[[Any], Any]]:
    """One conversion per column of these Ladybug types (``INTERNAL_ID`` columns: Bolt ids)."""
    return [_internal_id if t.startswith("INTERNAL_ID") else to_bolt for t in types]


# -- Bolt -> Ladybug -------------------------------------------------------------------------


def to_ladybug(value: Any, name: str) -> Any:
    """A Bolt parameter as a value Ladybug's binding takes."""
    if isinstance(value, (str, bool, int, float, bytes, type(None))):
        return value
    if isinstance(value, (list, tuple)):
        return [to_ladybug(v, name) for v in value]
    if isinstance(value, dict):
        return {k: to_ladybug(v, name) for k, v in value.items()}
    if isinstance(value, bytearray):
        return bytes(value)
    if isinstance(value, _dt.datetime):
        if value.tzinfo is not None:  # Ladybug would drop the offset: store the instant in UTC
            return value.astimezone(_UTC).replace(tzinfo=None)
        return value
    if isinstance(value, (_dt.date, _dt.timedelta)):
        return value
    if isinstance(value, (_s.Date, _s.LocalDateTime)):
        return _native(value, name)
    if isinstance(value, (_s.DateTime, _s.DateTimeZoneId, _s.LegacyDateTime, _s.LegacyDateTimeZoneId)):
        return _native(value, name).astimezone(_UTC).replace(tzinfo=None)
    if isinstance(value, _s.Duration):
        try:
            return _dt.timedelta(days=value.months * 30 + value.days, seconds=value.seconds,
                                 microseconds=value.nanoseconds // 1000)
        except OverflowError:
            raise ClientError("Neo.ClientError.Statement.TypeError",
                              f"parameter ${name}: the duration is too large") from None
    if isinstance(value, _s.Vector):
        return value.to_list()
    kind = {"LocalTime": "local time", "Time": "time", "Point2D": "point", "Point3D": "point"}.get(
        type(value).__name__, type(value).__name__)
    raise ClientError("Neo.ClientError.Statement.TypeError",
                      f"parameter ${name}: LadybugDB has no {kind} type")


def _native(value: Any, name: str) -> Any:
    try:
        return value.to_native()
    except ValueError as exc:
        raise ClientError("Neo.ClientError.Statement.TypeError", f"parameter ${name}: {exc}") from None
