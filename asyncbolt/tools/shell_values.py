"""How ``asyncbolt query`` and ``asyncbolt shell`` show results: values as Cypher-like text
(:func:`format_value`), as JSON (:func:`to_json`), tables (:func:`render_table`), and the
printer of a result in the chosen format."""

from __future__ import annotations

import base64
import csv
import json
import math
import re
from typing import Any, TextIO

from asyncbolt.codec import structures as _s

__all__ = ["format_value", "to_json", "render_table", "describe_counters", "FORMATS"]

FORMATS = ("table", "json", "csv")

# -- values as text ------------------------------------------------------------------------

_BARE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _key(k: str) -> str:
    return k if _BARE_KEY.match(k) else "`" + k.replace("`", "``") + "`"


def _map(m: dict) -> str:
    return "{" + ", ".join(f"{_key(str(k))}: {format_value(v)}" for k, v in m.items()) + "}"


def _entity(prefix: str, props: dict) -> str:
    return prefix + (" " + _map(props) if props else "")


def _node(n: Any) -> str:
    return "(" + _entity("".join(":" + _key(label) for label in n.labels), n.properties) + ")"


def _rel(r: Any) -> str:
    return "[" + _entity(":" + _key(r.type), r.properties) + "]"


def _path(p: Any) -> str:
    if not p.nodes:
        return "<empty path>"
    out = [_node(p.nodes[0])]
    for i in range(0, len(p.indices) - 1, 2):
        ri, ni = p.indices[i], p.indices[i + 1]
        rel = _rel(p.relationships[abs(ri) - 1])
        out.append(f"-{rel}->" if ri > 0 else f"<-{rel}-")
        out.append(_node(p.nodes[ni]))
    return "".join(out)


def _fraction(ns: int) -> str:
    return ("." + f"{ns:09d}".rstrip("0")) if ns else ""


def _duration(d: Any) -> str:
    out = "P"
    years, months = divmod(d.months, 12) if d.months >= 0 else (0, d.months)
    if years:
        out += f"{years}Y"
    if months:
        out += f"{months}M"
    if d.days:
        out += f"{d.days}D"
    seconds, ns = d.seconds, d.nanoseconds
    if seconds or ns or out == "P":
        hours, rest = divmod(abs(seconds), 3600)
        minutes, secs = divmod(rest, 60)
        sign = "-" if seconds < 0 else ""
        out += "T"
        if hours:
            out += f"{sign}{hours}H"
        if minutes:
            out += f"{sign}{minutes}M"
        if secs or ns or not (hours or minutes):
            out += f"{sign}{secs}{_fraction(ns)}S"
    return out


def _temporal(v: Any) -> str | None:
    """ISO 8601 for a Bolt temporal structure (or a datetime value), None if not one."""
    name = type(v).__name__
    try:
        if name == "Duration":
            return _duration(v)
        if name in ("Date", "date"):
            native = v.to_native() if hasattr(v, "to_native") else v
            return native.isoformat()
        ns = getattr(v, "nanoseconds", 0) or 0
        if name in ("LocalTime", "Time"):
            t = v.to_native()
            return (t.strftime("%H:%M:%S") + _fraction(ns % 1_000_000_000)
                    + (_offset(t.utcoffset()) if name == "Time" else ""))
        if name in ("LocalDateTime", "DateTime", "DateTimeZoneId", "LegacyDateTime",
                    "LegacyDateTimeZoneId"):
            d = v.to_native()
            text = d.replace(microsecond=0, tzinfo=None).isoformat() + _fraction(ns)
            if name == "LocalDateTime":
                return text
            text += _offset(d.utcoffset())
            return text + (f"[{v.tz_id}]" if hasattr(v, "tz_id") else "")
    except (ValueError, OverflowError, AttributeError):
        return None
    return None


def _offset(off: Any) -> str:
    if off is None:
        return ""
    total = int(off.total_seconds())
    if total == 0:
        return "Z"
    sign = "+" if total > 0 else "-"
    hours, rest = divmod(abs(total), 3600)
    return f"{sign}{hours:02d}:{rest // 60:02d}"


def format_value(v: Any) -> str:
    """A value as Cypher-like text, as cypher-shell shows it."""
    if v is None:
        return "NULL"
    if v is True:
        return "TRUE"
    if v is False:
        return "FALSE"
    if isinstance(v, str):
        return _quote(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return repr(v)
    if isinstance(v, (bytes, bytearray)):
        return "0x" + bytes(v).hex()
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(format_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return _map(v)
    if isinstance(v, _s.Node):
        return _node(v)
    if isinstance(v, _s.Relationship):
        return _rel(v)
    if isinstance(v, _s.Path):
        return _path(v)
    if isinstance(v, (_s.Point2D, _s.Point3D)):
        coords = ", ".join(f"{c}: {getattr(v, c)!r}" for c in ("x", "y", "z") if hasattr(v, c))
        return f"point({{srid: {v.srid}, {coords}}})"
    if isinstance(v, _s.Vector):
        try:
            return f"vector({v.to_list()!r}, {v.element_type})"
        except ValueError:
            return repr(v)
    text = _temporal(v)
    return text if text is not None else repr(v)


def to_json(v: Any) -> Any:
    """A value as plain JSON data: graph entities as objects, temporal values as ISO strings."""
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else str(v)
    if isinstance(v, (bytes, bytearray)):
        return base64.b64encode(bytes(v)).decode("ascii")
    if isinstance(v, (list, tuple)):
        return [to_json(x) for x in v]
    if isinstance(v, dict):
        return {str(k): to_json(x) for k, x in v.items()}
    if isinstance(v, _s.Node):
        return {"id": v.id, "element_id": v.element_id, "labels": list(v.labels),
                "properties": to_json(v.properties)}
    if isinstance(v, _s.Relationship):
        return {"id": v.id, "element_id": v.element_id, "type": v.type,
                "start": v.start_node_element_id or v.start_node_id,
                "end": v.end_node_element_id or v.end_node_id, "properties": to_json(v.properties)}
    if isinstance(v, _s.Path):
        rels = []
        for i in range(0, len(v.indices) - 1, 2):
            ri = v.indices[i]
            rel = v.relationships[abs(ri) - 1]
            a = v.nodes[0 if i == 0 else v.indices[i - 1]]
            b = v.nodes[v.indices[i + 1]]
            start, end = (a, b) if ri > 0 else (b, a)
            rels.append({"id": rel.id, "element_id": rel.element_id, "type": rel.type,
                         "start": start.element_id or start.id, "end": end.element_id or end.id,
                         "properties": to_json(rel.properties)})
        order = [v.nodes[0]] + [v.nodes[v.indices[i]] for i in range(1, len(v.indices), 2)] if v.nodes else []
        return {"nodes": [to_json(n) for n in order], "relationships": rels}
    if isinstance(v, (_s.Point2D, _s.Point3D)):
        return {k: getattr(v, k) for k in ("srid", "x", "y", "z") if hasattr(v, k)}
    if isinstance(v, _s.Vector):
        try:
            return v.to_list()
        except ValueError:
            return repr(v)
    text = _temporal(v)
    return text if text is not None else repr(v)


# -- output formats ------------------------------------------------------------------------


def render_table(keys: list[str], rows: list[list[Any]]) -> str:
    """cypher-shell's table: a header, the rows, a line around them."""
    cells = [[format_value(v) for v in row] for row in rows]
    widths = [len(k) for k in keys]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    inner = sum(w + 3 for w in widths) - 1 if widths else 0
    line = "+" + "-" * inner + "+"

    def fmt(values: list[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    out = [line, fmt(keys), line, *(fmt(row) for row in cells)]
    if cells:
        out.append(line)
    return "\n".join(out)


class _Printer:
    """Prints one result in a format, streaming where the format allows."""

    def __init__(self, fmt: str, out: TextIO) -> None:
        self.fmt = fmt
        self.out = out
        self.rows: list[list[Any]] = []
        self.count = 0
        self.keys: list[str] = []
        self._csv: Any = None

    def start(self, keys: list[str]) -> None:
        self.keys = keys
        if self.fmt == "csv" and keys:
            self._csv = csv.writer(self.out, lineterminator="\n")
            self._csv.writerow(keys)
        elif self.fmt == "json":
            self.out.write("[")

    def row(self, values: list[Any]) -> None:
        if self.fmt == "table":
            self.rows.append(values)
        elif self.fmt == "csv":
            self._csv.writerow(["" if v is None else v if isinstance(v, str) else format_value(v)
                                for v in values])
        else:
            record = {k: to_json(v) for k, v in zip(self.keys, values, strict=True)}
            self.out.write(("\n  " if self.count == 0 else ",\n  ")
                           + json.dumps(record, ensure_ascii=False))
        self.count += 1

    def end(self, counters: Any = None) -> None:
        if self.fmt == "table":
            if self.keys:
                self.out.write(render_table(self.keys, self.rows) + "\n\n")
            self.out.write(f"{self.count} row{'' if self.count == 1 else 's'}\n")
            changes = describe_counters(counters)
            if changes:
                self.out.write(changes + "\n")
        elif self.fmt == "json":
            self.out.write("\n]\n" if self.count else "]\n")
        self.out.flush()


#: The summary's counters as cypher-shell words them, in its order.
_CHANGES = [("nodes_created", "Added {} nodes"), ("nodes_deleted", "Deleted {} nodes"),
            ("relationships_created", "Created {} relationships"),
            ("relationships_deleted", "Deleted {} relationships"), ("properties_set", "Set {} properties"),
            ("labels_added", "Added {} labels"), ("labels_removed", "Removed {} labels"),
            ("indexes_added", "Added {} indexes"), ("indexes_removed", "Removed {} indexes"),
            ("constraints_added", "Added {} constraints"), ("constraints_removed", "Removed {} constraints")]


def describe_counters(counters: Any) -> str:
    """``Added 1 nodes, Set 2 properties, ...`` (as cypher-shell), or "" when nothing changed."""
    if counters is None:
        return ""
    return ", ".join(text.format(getattr(counters, name)) for name, text in _CHANGES
                     if getattr(counters, name, 0))
