"""Bolt ids of LadybugDB's ids.

**Identity.** Ladybug addresses a node or relationship by (table id, offset). Bolt gets::

    id         = table_id << 40 | offset      (an integer; Bolt 4.x and older use only this)
    element_id = "<table_id>:<offset>"        (Bolt 5+; Cypher: internal_id(<table_id>, <offset>))

so a relationship's start/end ids are exactly its nodes' ids, ids are stable for as long as the
entity exists, and ``id(n)`` in a query (Ladybug's INTERNAL_ID) is returned as the same integer.
Labels: the node's table name (one label); a relationship's type is its table name. Properties
that are null are left out, as Neo4j does (Ladybug reports every column of every table a
label-less ``MATCH (n)`` may touch).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["OFFSET_BITS", "node_id", "element_id", "rewrite_id_comparisons"]

#: Bits of an integer id that hold the offset inside the table.
OFFSET_BITS = 40
_OFFSET_MASK = (1 << OFFSET_BITS) - 1


def node_id(table: int, offset: int) -> int:
    """The Bolt integer id of Ladybug's internal id (table, offset)."""
    return (table << OFFSET_BITS) | offset


def element_id(table: int, offset: int) -> str:
    """The Bolt element id of Ladybug's internal id: ``"<table>:<offset>"``."""
    return f"{table}:{offset}"


#: ``id(v) = $p`` / ``id(v) IN $p``: Ladybug's id() is an INTERNAL_ID, which no parameter can be.
_ID_COMPARISON = re.compile(
    r"\b(id\s*\(\s*[A-Za-z_][A-Za-z0-9_]*\s*\))(\s*(?:=|IN\b)\s*)\$([A-Za-z_][A-Za-z0-9_]*)", re.I)


def _as_element_ids(value: Any) -> Any:
    """Bolt integer ids (one or a list) as Ladybug's ``"table:offset"`` text; None otherwise."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return element_id(value >> OFFSET_BITS, value & _OFFSET_MASK)
    if isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0
                                       for v in value):
        return [element_id(v >> OFFSET_BITS, v & _OFFSET_MASK) for v in value]
    return None


def rewrite_id_comparisons(query: str, parameters: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Make ``WHERE id(n) = $id`` and ``WHERE id(n) IN $ids`` work with Bolt's integer ids.

    Ladybug compares ``id(n)`` (an INTERNAL_ID) with INTERNAL_IDs only, and a parameter cannot
    be one: "Cannot compare INT64 and INTERNAL_ID". Code written for Neo4j 4.x looks nodes up
    that way (py2neo does it for every Path it receives), so such a comparison becomes one of
    ``CAST(id(n) AS STRING)`` with the ids as ``"table:offset"`` text, in a parameter of its own
    (the original may be used elsewhere as a number). Only when the parameter holds integer ids.
    """
    added: dict[str, Any] = {}

    def rewrite(match: re.Match) -> str:
        name = match.group(3)
        ids = _as_element_ids(parameters.get(name))
        if ids is None:
            return match.group(0)
        alias = f"_asyncbolt_id_{name}"
        added[alias] = ids
        return f"CAST({match.group(1)} AS STRING){match.group(2)}${alias}"

    if "$" not in query:
        return query, parameters
    rewritten = _ID_COMPARISON.sub(rewrite, query)
    return (rewritten, {**parameters, **added}) if added else (query, parameters)
