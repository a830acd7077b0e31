"""The fixed benchmark payload and a strict structural comparison.

``build_rows()`` returns 1,000 RECORD-like rows, each ``[int, float, str, [ints], {str: mixed},
Node]``, generated from a fixed seed so every run (and every machine) packs the same bytes. The
values cover the common PackStream encodings: tiny/8/16/32/64-bit integers, floats, tiny and
8-bit strings (some non-ASCII), tiny and 8-bit lists, maps with mixed values (incl. bools, null,
nested lists) and a Bolt 5 ``Node`` with an element id.

``diff(expected, actual)`` compares a decoded value with the input: types must match exactly
(so ``1``, ``1.0`` and ``True`` are different), and any structure (asyncbolt's ``Node``, the
generic ``Structure``, neo4j's pure-Python or Rust ``Structure``) is compared by tag and fields.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from asyncbolt.codec.structures import Node
from asyncbolt.codec.types import StructureBase

ROWS = 1_000
SEED = 20_240_501

_WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
          "juliett", "kilo", "lima", "mike", "café", "Zürich", "東京", "naïve", "smörgåsbord"]
_LABELS = [["Person"], ["Person", "Employee"], ["Company"], ["City", "Place"], ["Movie"]]
_INT_RANGES = [(0, 127), (-16, -1), (-128, -17), (-32_768, 32_767),
               (-(2**31), 2**31 - 1), (-(2**63), 2**63 - 1)]


def _int(rng: random.Random) -> int:
    lo, hi = rng.choice(_INT_RANGES)
    return rng.randint(lo, hi)


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words))


def _mixed(rng: random.Random) -> Any:
    kind = rng.randrange(6)
    if kind == 0:
        return _int(rng)
    if kind == 1:
        return rng.uniform(-1e6, 1e6)
    if kind == 2:
        return _text(rng, rng.randint(1, 4))
    if kind == 3:
        return rng.random() < 0.5
    if kind == 4:
        return None
    return [rng.randint(0, 1000) for _ in range(rng.randint(0, 5))]


def _node(rng: random.Random, i: int) -> Node:
    node_id = rng.randint(0, 2**40)
    properties = {
        "name": _text(rng, rng.randint(1, 3)),
        "age": rng.randint(0, 100),
        "score": rng.random() * 100,
        "active": rng.random() < 0.7,
        "tags": [rng.choice(_WORDS) for _ in range(rng.randint(0, 4))],
    }
    if i % 3 == 0:
        properties["bio"] = _text(rng, rng.randint(5, 12))  # a STRING_8
    element_id = f"4:5f0c8b6e-6c4a-4a8e-9b3e-2d1f0e9c7a{i % 100:02d}:{node_id}"
    return Node(node_id, list(rng.choice(_LABELS)), properties, element_id)


def build_rows(n: int = ROWS, seed: int = SEED) -> list[list[Any]]:
    """The benchmark payload: ``n`` rows of ``[int, float, str, [ints], {str: mixed}, Node]``."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        ints = [_int(rng) for _ in range(rng.choice((0, 1, 3, 8, 15, 20)))]
        mapping = {f"k{j}": _mixed(rng) for j in range(rng.randint(1, 8))}
        rows.append([_int(rng), rng.uniform(-1e9, 1e9), _text(rng, rng.randint(1, 8)), ints,
                     mapping, _node(rng, i)])
    return rows


def convert_nodes(value: Any, node: Callable[[Node], Any]) -> Any:
    """A copy of ``value`` with every ``Node`` replaced by ``node(that_node)``."""
    if type(value) is list:
        return [convert_nodes(v, node) for v in value]
    if type(value) is dict:
        return {k: convert_nodes(v, node) for k, v in value.items()}
    if type(value) is Node:
        return node(value)
    return value


def node_fields(n: Node) -> list[Any]:
    """The Bolt 5 wire fields of a node: ``[id, labels, properties, element_id]``."""
    return [n.id, n.labels, n.properties, n.element_id]


def _as_structure(value: Any) -> tuple[int, list[Any]] | None:
    """``(tag, fields)`` of any structure type we know, else None."""
    if isinstance(value, StructureBase):
        return value.tag, [getattr(value, f) for f in value.fields]
    tag = getattr(value, "tag", None)
    fields = getattr(value, "fields", None)
    if tag is None or fields is None or isinstance(value, (list, dict, str, bytes)):
        return None
    if isinstance(tag, (bytes, bytearray)):
        tag = tag[0]
    return tag, list(fields)


def diff(expected: Any, actual: Any, path: str = "$") -> str | None:
    """None if ``actual`` equals ``expected`` structurally, else where and how they differ."""
    want = _as_structure(expected)
    if want is not None:
        got = _as_structure(actual)
        if got is None:
            return f"{path}: expected a structure, got {type(actual).__name__} {actual!r:.80}"
        if got[0] != want[0]:
            return f"{path}: structure tag 0x{got[0]:02X}, expected 0x{want[0]:02X}"
        return diff(want[1], got[1], f"{path}<0x{want[0]:02X}>")
    if type(actual) is not type(expected):
        return (f"{path}: expected {type(expected).__name__} {expected!r:.80}, "
                f"got {type(actual).__name__} {actual!r:.80}")
    if type(expected) is list:
        if len(actual) != len(expected):
            return f"{path}: list of {len(actual)} items, expected {len(expected)}"
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            problem = diff(e, a, f"{path}[{i}]")
            if problem:
                return problem
        return None
    if type(expected) is dict:
        if list(actual) != list(expected):
            return f"{path}: keys {list(actual)!r:.80}, expected {list(expected)!r:.80}"
        for k, e in expected.items():
            problem = diff(e, actual[k], f"{path}[{k!r}]")
            if problem:
                return problem
        return None
    if actual != expected:
        return f"{path}: {actual!r:.80} != {expected!r:.80}"
    return None
