"""LadybugDB values as PackStream values (parameters the other way: :mod:`.params`).

**Values.** Integers, floats, strings, booleans, blobs (bytes), lists/arrays, structs and MAPs
with STRING keys map one to one; DATE -> Date, TIMESTAMP (and _NS/_MS/_SEC) -> LocalDateTime,
TIMESTAMP_TZ -> DateTime in UTC, INTERVAL -> Duration, UUID -> String, a DECIMAL -> Integer
when whole, else the Float of the same decimal digits. Paths (``MATCH p = ...``) become Bolt
Paths; a variable-length relationship (``-[r*1..3]->``) becomes a list of relationships, as in
Neo4j. A value Bolt cannot hold exactly fails the query with ``Neo.ClientError.Statement.TypeError``
saying which and why (never a different value): an integer beyond 64 bits (INT128, UINT64), a
DECIMAL no Float holds, a MAP whose keys are not strings, a type this module does not know.
What LadybugDB's Python binding loses before the value reaches this module cannot be told
apart: an INTERVAL's months arrive as 30 days each, TIMESTAMP_NS as microseconds.
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

__all__ = ["to_bolt", "converters"]

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


def _unholdable(message: str) -> ClientError:
    return ClientError("Neo.ClientError.Statement.TypeError",
                       f"a result value Bolt cannot hold exactly: {message}")


def _int(value: int) -> int:
    if _INT64_MIN <= value <= _INT64_MAX:
        return value
    raise _unholdable(f"the integer {value} is beyond Bolt's 64-bit Integer; return it "
                      "CAST(... AS STRING) or CAST(... AS DOUBLE)")


def _decimal(value: decimal.Decimal) -> Any:
    exponent = value.as_tuple().exponent  # (a letter for NaN and infinities)
    if isinstance(exponent, int) and exponent >= 0:
        return _int(int(value))
    number = float(value)
    if value.is_finite() and decimal.Decimal(repr(number)) == value:
        return number
    raise _unholdable(f"the DECIMAL {value} is no Float (Bolt has no decimal type; the nearest "
                      f"Float is {number!r}); return it CAST(... AS STRING) or CAST(... AS DOUBLE)")


def _map(value: dict) -> dict[str, Any]:
    out = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise _unholdable(f"a MAP with {type(key).__name__} keys ({key!r}): Bolt maps have "
                              "String keys; return map_keys(m) and map_values(m), or make the "
                              "keys strings")
        out[key] = to_bolt(item)
    return out


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
        return _map(value)
    if isinstance(value, (list, tuple)):
        return [to_bolt(v) for v in value]
    if isinstance(value, (_dt.date, _dt.timedelta)):  # datetime is a date
        return value
    if isinstance(value, decimal.Decimal):
        return _decimal(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    raise _unholdable(f"LadybugDB gave a {type(value).__name__} ({value!r:.80}), which has no "
                      "Bolt value")


def _internal_id(value: Any) -> Any:
    if isinstance(value, dict) and "table" in value and "offset" in value:
        return node_id(value["table"], value["offset"])
    if isinstance(value, list):
        return [_internal_id(v) for v in value]
    return to_bolt(value)


def converters(types: list[str]) -> list[Callable[[Any], Any]]:
    """One conversion per column of these Ladybug types (``INTERNAL_ID`` columns: Bolt ids)."""
    return [_internal_id if t.startswith("INTERNAL_ID") else to_bolt for t in types]
