"""What a query's words say: its keywords and parameters (outside strings and comments), and
whether it reads, writes or changes the schema -- which decides the Bolt query type and whether
an auto-commit run queues for the database's writer lock."""

from __future__ import annotations

import re

__all__ = ["scan", "classify", "cast_parameters", "TX_WORDS"]

_WRITE_WORDS = frozenset({"CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "COPY"})
_SCHEMA_WORDS = frozenset({"DROP", "ALTER"})
# Words after which a statement might write although it has none of the above (procedures,
# extensions, imports): auto-commit statements with them also take the writer lock.
_MAYBE_WRITE_WORDS = frozenset({"CALL", "INSTALL", "LOAD", "IMPORT", "EXPORT", "ATTACH", "USE",
                                "CHECKPOINT", "UPDATE", "UNINSTALL", "ANALYZE", "COMMENT"})
#: A statement that begins with one of these is a transaction statement, not a query.
TX_WORDS = frozenset({"BEGIN", "COMMIT", "ROLLBACK"})
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PARAM = re.compile(r"\$(?:([A-Za-z_0-9]+)|`([^`]*)`)")



def scan(query: str) -> tuple[list[str], set[str]]:
    """The query's keywords (upper-cased words outside strings, comments, backquotes and
    property accesses) and the names of the parameters it uses."""
    words, params, _ = _scan(query)
    return words, params


def cast_parameters(query: str, casts: dict[str, tuple[str, str]]) -> str:
    """The query with each use of a parameter of ``casts`` (outside strings and comments) put
    between the two texts given for it, e.g. ``("list_extract(", ", 1)")`` (see
    :func:`asyncbolt.tools.backends.ladybug.params.prepare_parameters`)."""
    if not casts:
        return query
    out, last = [], 0
    for start, end, name in _scan(query)[2]:
        if name in casts:
            before, after = casts[name]
            out += [query[last:start], before, query[start:end], after]
            last = end
    return "".join(out) + query[last:]


def _scan(query: str) -> tuple[list[str], set[str], list[tuple[int, int, str]]]:
    words: list[str] = []
    params: set[str] = set()
    spans: list[tuple[int, int, str]] = []
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c in "'\"":
            i += 1
            while i < n and query[i] != c:
                i += 2 if query[i] == "\\" else 1
            i += 1
        elif c == "`":
            end = query.find("`", i + 1)
            i = n if end < 0 else end + 1
        elif query.startswith("//", i):
            end = query.find("\n", i)
            i = n if end < 0 else end + 1
        elif query.startswith("/*", i):
            end = query.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif c == "$":
            m = _PARAM.match(query, i)
            if m:
                name = m.group(1) if m.group(1) is not None else m.group(2)
                params.add(name)
                spans.append((i, m.end(), name))
                i = m.end()
            else:
                i += 1
        elif c.isalpha() or c == "_":
            m = _IDENT.match(query, i)
            assert m is not None
            b = i - 1
            while b >= 0 and query[b].isspace():
                b -= 1
            a = m.end()
            while a < n and query[a].isspace():
                a += 1
            before, after = query[b] if b >= 0 else "", query[a:a + 1]
            if before not in (".", ":") and after != ":":  # n.set, (:Create), {set: 1}: names
                words.append(m.group().upper())
            i = m.end()
        else:
            i += 1
    return words, params, spans


def classify(words: list[str]) -> tuple[str, bool]:
    """(Bolt query type ``r``/``w``/``rw``/``s``, whether an auto-commit run takes the writer lock)."""
    kinds = set(words)
    if kinds & _SCHEMA_WORDS or ("CREATE" in kinds and "TABLE" in kinds and (
            "NODE" in kinds or "REL" in kinds)):
        return "s", True
    if kinds & _WRITE_WORDS:
        return ("rw" if "RETURN" in kinds else "w"), True
    return "r", bool(kinds & _MAYBE_WRITE_WORDS)
