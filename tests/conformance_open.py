"""What the conformance tests share: an opener for the value checks (the checker's own
``ready_opener``, bound to a local port) and the graph structures a test server answers the
graph query with.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from asyncbolt.codec.structures import Node, Path, Relationship, UnboundRelationship
from asyncbolt.tools.conformance.probe import Probe
from asyncbolt.tools.conformance.target import Target, ready_opener

#: The graph query's answer (a, r, b, p) from a test server: a node, a relationship to another
#: node and their path, with element ids (dropped on the wire before 5.0).
A = Node(11, ["AsyncboltConformance"], {"k": 1}, "4:x:11")
B = Node(12, ["AsyncboltConformance"], {}, "4:x:12")
R = Relationship(21, 11, 12, "PROBE", {"k": 2}, "5:x:21", "4:x:11", "4:x:12")
P = Path([A, B], [UnboundRelationship(21, "PROBE", {"k": 2}, "5:x:21")], [1, 1])
GRAPH = [A, R, B, P]


def opener(port: int, version: tuple[int, int], *, utc: bool = False, timeout: float = 5.0,
           user: str | None = None, password: str | None = None) -> Callable[[], Awaitable[Probe]]:
    """``open_ready`` for :func:`asyncbolt.tools.conformance.values.value_checks` against
    127.0.0.1:``port``: auth scheme none unless ``user``/``password``; ``utc`` asks for the
    4.3/4.4 ``utc`` patch."""
    target = Target("127.0.0.1", port, user=user, password=password, timeout=timeout)
    return ready_opener(target, version, ("utc",) if utc else ())
