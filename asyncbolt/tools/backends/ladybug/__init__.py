"""LadybugDB behind Bolt: the reference backend of ``asyncbolt serve``.

`LadybugDB <https://ladybugdb.com>`_ (PyPI ``ladybug``, the maintained continuation of Kuzu) is
an embedded graph database with Cypher; this package makes it answer the official Neo4j drivers::

    graph = LadybugGraph("people.lbdb")            # or LadybugGraph() for an in-memory database
    server = await asyncbolt.serve(LadybugSession, port=7687, graph=graph)

By job:

- :mod:`.session`: :class:`LadybugSession`, one Bolt connection's view of the database (the
  ``ServerSession`` hooks: auth, ``run`` with rows streamed batch by batch, transactions) --
  the model to follow when writing another backend;
- :mod:`.worker`: the connection's Ladybug connection and the thread its blocking calls run
  on (executing, fetching in batches, closing results early, interrupting on cancel);
- :mod:`.graph`: :class:`LadybugGraph`, the database all connections share (its connections,
  the writer lock, the bound on queries running at once, bookmarks);
- :mod:`.values`: Ladybug values to PackStream values (exactly, or a FAILURE);
- :mod:`.params`: Bolt parameters as values Ladybug takes (exactly, or a FAILURE);
- :mod:`.ids`: Bolt ids of Ladybug's (table, offset) ids, and ``id(n) = $id`` made to work;
- :mod:`.queries`: what a query's words say (keywords, parameters, read or write);
- :mod:`.failures`: Ladybug's errors as FAILUREs with Neo4j codes;
- :mod:`.catalog`: the few Neo4j procedures tools call on connect.
"""

from __future__ import annotations

from asyncbolt.tools.backends.ladybug.failures import map_error
from asyncbolt.tools.backends.ladybug.graph import MAX_RUNNING, LadybugGraph
from asyncbolt.tools.backends.ladybug.ids import element_id, node_id
from asyncbolt.tools.backends.ladybug.session import LadybugSession
from asyncbolt.tools.backends.ladybug.worker import BATCH

__all__ = ["LadybugGraph", "LadybugSession", "map_error", "node_id", "element_id", "BATCH",
           "MAX_RUNNING"]
