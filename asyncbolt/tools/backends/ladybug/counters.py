"""The update counters of a write (``stats`` in the final SUCCESS: ``nodes-created``,
``properties-set``, ...), which LadybugDB's results do not carry: the database is counted before
and after the statement, on the statement's own connection (so inside its transaction), while
the statement holds the database's writer lock (so no other writer moves the counts).

The counters are therefore net: a statement that creates one node and deletes another reports
neither, and ``properties-set`` counts property values that became non-null (a value
overwritten by another is not seen). Counting scans every table twice per write statement."""

from __future__ import annotations

import logging
from typing import Any

from asyncbolt.tools.backends.ladybug.catalog import SHOW_TABLES

__all__ = ["census", "stats"]

log = logging.getLogger(__name__)

#: (nodes, relationships, non-null property values) in the whole database.
Census = tuple[int, int, int]


def _rows(conn: Any, query: str) -> list[list[Any]]:
    result = conn.execute(query)
    try:
        return result.get_all()
    finally:
        result.close()


def census(conn: Any) -> Census | None:
    """(worker thread) Count the database's nodes, relationships and non-null property values
    (SERIAL columns, which the database fills, left out); None when it cannot be counted."""
    nodes = relationships = properties = 0
    try:
        for name, kind in _rows(conn, SHOW_TABLES):
            if kind not in ("NODE", "REL") or "'" in name or "`" in name:
                continue
            columns = [row[1] for row in _rows(conn, f"CALL table_info('{name}') RETURN *")
                       if row[2] != "SERIAL" and "`" not in row[1]]
            pattern = f"(x:`{name}`)" if kind == "NODE" else f"()-[x:`{name}`]->()"
            counts = _rows(conn, f"MATCH {pattern} RETURN count(*)"
                                 + "".join(f", count(x.`{c}`)" for c in columns))[0]
            if kind == "NODE":
                nodes += counts[0]
            else:
                relationships += counts[0]
            properties += sum(counts[1:])
    except Exception:  # an unusual table: no counters rather than a failed query
        log.debug("counting the database failed", exc_info=True)
        return None
    return nodes, relationships, properties


def stats(before: Census | None, after: Census | None) -> dict[str, Any]:
    """The Bolt ``stats`` map of what changed between two censuses (only non-zero counters,
    as Neo4j sends them; empty when nothing changed or either census failed)."""
    if before is None or after is None:
        return {}
    nodes, relationships, properties = (a - b for a, b in zip(after, before, strict=True))
    out: dict[str, Any] = {}
    if nodes > 0:
        out["nodes-created"] = nodes
        out["labels-added"] = nodes  # a LadybugDB node has exactly one label, its table
    elif nodes < 0:
        out["nodes-deleted"] = -nodes
    if relationships > 0:
        out["relationships-created"] = relationships
    elif relationships < 0:
        out["relationships-deleted"] = -relationships
    if properties > 0:
        out["properties-set"] = properties
    # (no "contains-updates": drivers derive it from the counters, and old ones, neo4j-driver
    # 1.7 among them, fail on a key they cannot set)
    return out
