"""The official driver's everyday API around results: :class:`RoutingControl`, :class:`Query`,
:class:`EagerResult` (what :meth:`Driver.execute_query` returns by default) and :class:`Graph`
(the nodes and relationships seen in a result's records).

    records, summary, keys = await driver.execute_query(
        "MATCH (p:Person {name: $name}) RETURN p", name="Ada", routing_=RoutingControl.READ)
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Generator, Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from asyncbolt._generated.structures import Node, Path, Relationship, UnboundRelationship

if TYPE_CHECKING:
    from asyncbolt.client.result import Record, Result, Summary
    from asyncbolt.client.routing import Address

__all__ = ["RoutingControl", "Query", "Keys", "EagerResult", "Graph", "ServerInfo", "to_eager_result",
           "query_text"]


class RoutingControl(str, enum.Enum):
    """Where :meth:`Driver.execute_query` sends its query: ``READ`` (a reader) or ``WRITE`` (the
    writer). Equal to ``"r"``/``"w"``, which are accepted too."""

    READ = "r"
    WRITE = "w"

    @classmethod
    def parse(cls, value: Any) -> RoutingControl:
        """``value`` as a RoutingControl: ValueError for anything but READ/WRITE/"r"/"w"."""
        try:
            return cls(value)
        except ValueError:
            raise ValueError(f"routing_ must be RoutingControl.READ or RoutingControl.WRITE "
                             f"(or 'r'/'w'), not {value!r}") from None


class Query:
    """A query's text with the transaction ``metadata`` (a dict, shown in the server's
    ``SHOW TRANSACTIONS`` and logs) and ``timeout`` (seconds; the server ends the transaction after
    it) to run it with. Accepted wherever a query string is: ``session.run``,
    ``driver.execute_query`` and ``tx.run`` (where a Query with metadata or a timeout is a
    ValueError: the transaction began with its own, give them to ``begin_transaction``)."""

    __slots__ = ("text", "metadata", "timeout")

    def __init__(self, text: str, metadata: dict[str, Any] | None = None,
                 timeout: float | None = None) -> None:
        if not isinstance(text, str):
            raise TypeError(f"a Query's text must be a str, not {type(text).__name__}")
        if metadata is not None and not isinstance(metadata, dict):
            raise TypeError(f"a Query's metadata must be a dict or None, not {type(metadata).__name__}")
        if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
                                    or timeout < 0):
            raise ValueError(f"a Query's timeout must be a number of seconds >= 0 or None, not {timeout!r}")
        self.text = text
        self.metadata = metadata
        self.timeout = timeout

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Query({self.text!r}, metadata={self.metadata!r}, timeout={self.timeout!r})"


def query_text(query: str | Query) -> tuple[str, dict[str, Any] | None, float | None]:
    """``(text, metadata, timeout)`` of a query string or :class:`Query`."""
    if isinstance(query, Query):
        return query.text, query.metadata, query.timeout
    if not isinstance(query, str):
        raise TypeError(f"a query must be a str or a Query, not {type(query).__name__}")
    return query, None, None


class Keys(list):
    """What ``Result.keys()`` returns: the field names, a list (as the official driver's
    ``AsyncResult.keys()``) that may also be awaited (``await result.keys()``, asyncbolt's form
    before issue #18, gives the same list)."""

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, list[str]]:
        return self._resolve().__await__()

    async def _resolve(self) -> list[str]:
        return list(self)


class EagerResult(NamedTuple):
    """Every record of a query with its summary and keys: ``records, summary, keys = ...``."""

    records: list[Record]
    summary: Summary
    keys: list[str]


async def to_eager_result(result: Result) -> EagerResult:
    """Read the whole result: the default ``result_transformer_`` of ``execute_query``."""
    return await result.to_eager_result()


class ServerInfo:
    """What :meth:`Driver.get_server_info` learnt of the server it reached: ``address`` (an
    :class:`~asyncbolt.Address`, ``(host, port)``; ``str()`` gives "host:port"), ``agent`` (its HELLO answer's ``server``), ``protocol_version`` (a
    ``(major, minor)`` tuple) and ``connection_id``."""

    __slots__ = ("address", "agent", "protocol_version", "connection_id")

    def __init__(self, address: Address, agent: str | None, protocol_version: tuple[int, int] | None,
                 connection_id: str | None) -> None:
        self.address = address
        self.agent = agent
        self.protocol_version = protocol_version
        self.connection_id = connection_id

    def __repr__(self) -> str:
        return (f"ServerInfo(address={self.address!r}, agent={self.agent!r}, "
                f"protocol_version={self.protocol_version!r})")


def _key(entity: Any) -> Any:
    """An entity's identity in a graph: its element id (Bolt 5+), else its id."""
    return entity.element_id if entity.element_id is not None else entity.id


class Graph:
    """The distinct nodes and relationships in some records (also inside lists, maps and paths):
    ``graph.nodes`` and ``graph.relationships`` (lists in order of first sight, one entry per
    element id), ``graph.relationship_type(name)``. A path's relationships are listed as the
    path gives them (:class:`UnboundRelationship`, without their end nodes) unless a bound one
    with the same id was seen."""

    def __init__(self) -> None:
        self._nodes: dict[Any, Node] = {}
        self._relationships: dict[Any, Relationship | UnboundRelationship] = {}

    @property
    def nodes(self) -> list[Node]:
        return list(self._nodes.values())

    @property
    def relationships(self) -> list[Relationship | UnboundRelationship]:
        return list(self._relationships.values())

    def relationship_type(self, name: str) -> list[Relationship | UnboundRelationship]:
        """The relationships of type ``name``."""
        return [r for r in self._relationships.values() if r.type == name]

    def add(self, values: Iterable[Any]) -> None:
        """Note the graph entities in ``values`` (bounded: each container is walked once)."""
        todo = deque(values)
        while todo:
            value = todo.popleft()
            if isinstance(value, Node):
                self._nodes.setdefault(_key(value), value)
            elif isinstance(value, Relationship):
                self._relationships[_key(value)] = value
            elif isinstance(value, UnboundRelationship):
                self._relationships.setdefault(_key(value), value)
            elif isinstance(value, Path):
                todo.extend(value.nodes)
                todo.extend(value.relationships)
            elif isinstance(value, dict):
                todo.extend(value.values())
            elif isinstance(value, list):
                todo.extend(value)

    def __repr__(self) -> str:
        return f"<Graph nodes={len(self._nodes)} relationships={len(self._relationships)}>"
