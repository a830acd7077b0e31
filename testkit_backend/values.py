"""Cypher values between testkit's JSON (``{"name": "CypherInt", "data": {"value": 1}}``) and
asyncbolt's Python values (the generated structures for graph, temporal and spatial types).

Dates are converted with integer calendar arithmetic, not :mod:`datetime`, so every date Bolt can
carry (years outside 1-9999 included) goes through with its nanoseconds.
"""

from __future__ import annotations

import math
from typing import Any

from asyncbolt._generated.structures import (
    Date,
    DateTime,
    DateTimeZoneId,
    Duration,
    LegacyDateTime,
    LegacyDateTimeZoneId,
    LocalDateTime,
    LocalTime,
    Node,
    Path,
    Point2D,
    Point3D,
    Relationship,
    Time,
    UnboundRelationship,
)
from asyncbolt.codec.types import _offset_at_local, _offset_at_utc

__all__ = ["to_testkit", "from_testkit", "days_from_civil", "civil_from_days"]

_NS = 1_000_000_000
_SRIDS = {7203: "cartesian", 9157: "cartesian", 4326: "wgs84", 4979: "wgs84"}
_SRID_2D = {"cartesian": 7203, "wgs84": 4326}
_SRID_3D = {"cartesian": 9157, "wgs84": 4979}


def days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (any year)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(z: int) -> tuple[int, int, int]:
    """The proleptic Gregorian (year, month, day) ``z`` days after 1970-01-01."""
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return y + (m <= 2), m, d


def _wrap(name: str, value: Any) -> dict[str, Any]:
    return {"name": name, "data": {"value": value}}


def _clock(ns_of_day: int) -> dict[str, int]:
    s, ns = divmod(ns_of_day, _NS)
    h, rem = divmod(s, 3600)
    mi, sec = divmod(rem, 60)
    return {"hour": h, "minute": mi, "second": sec, "nanosecond": ns}


def _local_datetime(local_seconds: int, nanoseconds: int) -> dict[str, int]:
    days, secs = divmod(local_seconds, 86_400)
    y, m, d = civil_from_days(days)
    return {"year": y, "month": m, "day": d, **_clock(secs * _NS + nanoseconds)}


def _eid(element_id: Any, id_: Any) -> dict[str, Any]:
    """An element id as the official driver reports it: before Bolt 5 (no element ids on the
    wire, where asyncbolt's structures keep None as received) the id as a string."""
    if element_id is None and isinstance(id_, int):
        element_id = str(id_)
    return to_testkit(element_id)


def _relationship(rel: Any, start_id: Any, start_eid: Any, end_id: Any,
                  end_eid: Any) -> dict[str, Any]:
    """A Relationship for testkit; its ends given apart (a path's unbound ones take its nodes')."""
    return {"name": "Relationship", "data": {
        "id": to_testkit(rel.id), "startNodeId": to_testkit(start_id),
        "endNodeId": to_testkit(end_id), "type": to_testkit(rel.type),
        "props": to_testkit(rel.properties), "elementId": _eid(rel.element_id, rel.id),
        "startNodeElementId": _eid(start_eid, start_id),
        "endNodeElementId": _eid(end_eid, end_id)}}


def _unbound(rel: Any, start: Any, end: Any) -> dict[str, Any]:
    return _relationship(rel, start.id, start.element_id, end.id, end.element_id)


def _path(path: Path) -> dict[str, Any]:
    nodes, rels = [path.nodes[0]], []
    prev = path.nodes[0]
    idx = list(path.indices)
    for i in range(0, len(idx) - 1, 2):
        r, n = idx[i], idx[i + 1]
        nxt = path.nodes[n]
        rel = path.relationships[abs(r) - 1]
        rels.append(_unbound(rel, prev, nxt) if r > 0 else _unbound(rel, nxt, prev))
        nodes.append(nxt)
        prev = nxt
    return {"name": "Path", "data": {
        "nodes": _wrap("CypherList", [to_testkit(n) for n in nodes]),
        "relationships": _wrap("CypherList", rels)}}


def to_testkit(v: Any) -> dict[str, Any]:
    """A value as asyncbolt returns it, in testkit's JSON form."""
    if v is None:
        return {"name": "CypherNull", "data": {"value": None}}
    if isinstance(v, bool):
        return _wrap("CypherBool", v)
    if isinstance(v, int):
        return _wrap("CypherInt", v)
    if isinstance(v, float):
        if math.isnan(v):
            return _wrap("CypherFloat", "NaN")
        if math.isinf(v):
            return _wrap("CypherFloat", "+Infinity" if v > 0 else "-Infinity")
        return _wrap("CypherFloat", v)
    if isinstance(v, str):
        return _wrap("CypherString", v)
    if isinstance(v, (bytes, bytearray, memoryview)):
        return _wrap("CypherBytes", " ".join(f"{b:02x}" for b in bytes(v)))
    if isinstance(v, (list, tuple)):
        return _wrap("CypherList", [to_testkit(x) for x in v])
    if isinstance(v, dict):
        return _wrap("CypherMap", {k: to_testkit(x) for k, x in v.items()})
    if isinstance(v, Node):
        return {"name": "Node", "data": {
            "id": to_testkit(v.id), "labels": to_testkit(list(v.labels)),
            "props": to_testkit(v.properties), "elementId": _eid(v.element_id, v.id)}}
    if isinstance(v, Relationship):
        return _relationship(v, v.start_node_id, v.start_node_element_id, v.end_node_id,
                             v.end_node_element_id)
    if isinstance(v, Path):
        return _path(v)
    if isinstance(v, Point2D):
        return {"name": "CypherPoint", "data": {"system": _SRIDS.get(v.srid, str(v.srid)),
                                                "x": v.x, "y": v.y, "z": None}}
    if isinstance(v, Point3D):
        return {"name": "CypherPoint", "data": {"system": _SRIDS.get(v.srid, str(v.srid)),
                                                "x": v.x, "y": v.y, "z": v.z}}
    if isinstance(v, Date):
        y, m, d = civil_from_days(v.days)
        return {"name": "CypherDate", "data": {"year": y, "month": m, "day": d}}
    if isinstance(v, LocalTime):
        return {"name": "CypherTime", "data": _clock(v.nanoseconds)}
    if isinstance(v, Time):
        return {"name": "CypherTime",
                "data": {**_clock(v.nanoseconds), "utc_offset_s": v.tz_offset_seconds}}
    if isinstance(v, LocalDateTime):
        return {"name": "CypherDateTime", "data": _local_datetime(v.seconds, v.nanoseconds)}
    if isinstance(v, DateTime):  # seconds: UTC
        off = v.tz_offset_seconds
        return {"name": "CypherDateTime",
                "data": {**_local_datetime(v.seconds + off, v.nanoseconds), "utc_offset_s": off}}
    if isinstance(v, LegacyDateTime):  # seconds: local
        return {"name": "CypherDateTime",
                "data": {**_local_datetime(v.seconds, v.nanoseconds),
                         "utc_offset_s": v.tz_offset_seconds}}
    if isinstance(v, DateTimeZoneId):  # seconds: UTC
        off = _offset_at_utc(v.tz_id, v.seconds)
        return {"name": "CypherDateTime",
                "data": {**_local_datetime(v.seconds + off, v.nanoseconds), "utc_offset_s": off,
                         "timezone_id": v.tz_id}}
    if isinstance(v, LegacyDateTimeZoneId):  # seconds: local
        off = _offset_at_local(v.tz_id, v.seconds)
        return {"name": "CypherDateTime",
                "data": {**_local_datetime(v.seconds, v.nanoseconds), "utc_offset_s": off,
                         "timezone_id": v.tz_id}}
    if isinstance(v, Duration):
        return {"name": "CypherDuration", "data": {"months": v.months, "days": v.days,
                                                   "seconds": v.seconds,
                                                   "nanoseconds": v.nanoseconds}}
    if isinstance(v, UnboundRelationship):
        raise ValueError("an unbound relationship outside a path")
    raise ValueError(f"no testkit form for {type(v).__name__}")


def _float(value: Any) -> float:
    if isinstance(value, str):
        return {"+Infinity": math.inf, "-Infinity": -math.inf, "NaN": math.nan}[value]
    return float(value)


def from_testkit(obj: Any) -> Any:
    """A testkit JSON value (a parameter) as the Python value asyncbolt sends."""
    if obj is None:
        return None
    name = obj["name"]
    data = obj.get("data") or {}
    value = data.get("value")
    if name == "CypherNull":
        return None
    if name in ("CypherBool", "CypherInt", "CypherString"):
        return value
    if name == "CypherFloat":
        return _float(value)
    if name == "CypherBytes":
        return bytes(int(b, 16) for b in value.split()) if value else b""
    if name == "CypherList":
        return [from_testkit(x) for x in value]
    if name == "CypherMap":
        return {k: from_testkit(x) for k, x in value.items()}
    if name == "CypherPoint":
        system = data["system"]
        if data.get("z") is None:
            return Point2D(_SRID_2D[system], float(data["x"]), float(data["y"]))
        return Point3D(_SRID_3D[system], float(data["x"]), float(data["y"]), float(data["z"]))
    if name == "CypherDate":
        return Date(days_from_civil(data["year"], data["month"], data["day"]))
    if name == "CypherTime":
        ns = ((data["hour"] * 60 + data["minute"]) * 60 + data["second"]) * _NS + data["nanosecond"]
        if data.get("utc_offset_s") is None:
            return LocalTime(ns)
        return Time(ns, int(data["utc_offset_s"]))
    if name == "CypherDateTime":
        local = (days_from_civil(data["year"], data["month"], data["day"]) * 86_400
                 + (data["hour"] * 60 + data["minute"]) * 60 + data["second"])
        ns = data["nanosecond"]
        off = data.get("utc_offset_s")
        tz_id = data.get("timezone_id")
        if tz_id is not None:
            return DateTimeZoneId(local - int(off if off is not None else
                                              _offset_at_local(tz_id, local)), ns, tz_id)
        if off is not None:
            return DateTime(local - int(off), ns, int(off))
        return LocalDateTime(local, ns)
    if name == "CypherDuration":
        return Duration(data["months"], data["days"], data["seconds"], data["nanoseconds"])
    raise ValueError(f"unknown testkit value type {name!r}")
