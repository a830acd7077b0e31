"""The few Neo4j procedures tools call on connect, answered from LadybugDB's catalog:
``dbms.components()`` (the database's version), ``db.ping()``, ``db.labels()`` and
``db.relationshipTypes()`` (Ladybug's node and relationship tables)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from asyncbolt.server.session import ServerResult

__all__ = ["PROCEDURE", "SHOW_TABLES", "call"]

#: A call of one of the procedures, alone in its query; group 1 is the procedure's name.
PROCEDURE = re.compile(r"^\s*CALL\s+(dbms\.components|db\.labels|db\.relationshipTypes|db\.ping)"
                       r"\s*\(\s*\)\s*;?\s*$", re.I)
#: The Ladybug query whose rows (name, type) ``call`` needs for the labels and types.
SHOW_TABLES = "CALL show_tables() RETURN name, type"


async def call(name: str, version: str, tables: Callable[[], Awaitable[list[list[Any]]]]) -> ServerResult:
    """The result of procedure ``name`` (lower-cased); ``version``: LadybugDB's; ``tables()``:
    the rows of :data:`SHOW_TABLES`, asked for only when needed."""
    if name == "dbms.components":
        return ServerResult(["name", "versions", "edition"], [["Neo4j Kernel", [version], "community"]])
    if name == "db.ping":
        return ServerResult(["success"], [[True]])
    kind = "NODE" if name == "db.labels" else "REL"
    rows = await tables()
    column = "label" if kind == "NODE" else "relationshipType"
    return ServerResult([column], [[name_] for name_, type_ in rows if type_ == kind])
