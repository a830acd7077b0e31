"""``asyncbolt serve --init FILE``: the file's statements run one by one, so that a failure names
the statement (its number, line and first words) and not only the file."""

from __future__ import annotations

from asyncbolt.errors import Neo4jError
from asyncbolt.tools.backends.ladybug.graph import LadybugGraph

__all__ = ["run_init"]


def run_init(graph: LadybugGraph, path: str) -> None:
    """Run the ``;``-separated Cypher statements of ``path`` in auto-commit mode, in order.

    Raises ``ValueError`` ("FILE, line L, statement N (`CREATE ...`): CODE: message") for the
    first statement the database refuses; ``OSError`` when the file cannot be read."""
    from asyncbolt.tools.shell import _blank, split_statements

    with open(path, encoding="utf-8") as f:
        text = f.read()
    statements, rest = split_statements(text)
    if not _blank(rest):
        statements.append(rest.strip())  # the last statement may omit its ';'
    pos = 0
    for number, statement in enumerate(statements, 1):
        at = text.find(statement, pos)
        pos = at + len(statement)
        try:
            graph.execute_script(statement)
        except Neo4jError as exc:
            line = text.count("\n", 0, at) + 1
            words = " ".join(statement.split())
            shown = words if len(words) <= 60 else words[:57] + "..."
            raise ValueError(f"{path}, line {line}, statement {number} (`{shown}`): "
                             f"{exc.code}: {exc.message}") from None
