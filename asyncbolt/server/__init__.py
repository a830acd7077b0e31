"""The asyncio Bolt server framework: subclass ``ServerSession``, run ``serve()``.

    import asyncbolt

    class Echo(asyncbolt.ServerSession):
        async def run(self, query, parameters, extra):
            return asyncbolt.ServerResult(["query", "parameters"], [[query, parameters]])

    server = await asyncbolt.serve(Echo, host="127.0.0.1", port=7687)

The official Neo4j drivers (and tools built on them) then talk to it as to Neo4j. The runtime
owns the protocol — negotiation of every version in spec/ (``asyncbolt.VERSIONS``), chunking, the
state machine, PULL n / DISCARD n flow control with back-pressure, RESET interrupting a running
stream, FAILURE then IGNORED until RESET, GOODBYE, TLS; a session only answers questions about
data. Each connection gets its own session instance.

Built on the sans-IO :class:`asyncbolt.core.server.ServerConnection`, in five modules:

- :mod:`~asyncbolt.server.session`: what an application writes (``ServerSession``,
  ``ServerResult`` alias ``Result``, ``ConnectionInfo``);
- :mod:`~asyncbolt.server.listener`: ``serve()``, ``create_server()``, ``Server`` (accepting,
  the limits on connections);
- :mod:`~asyncbolt.server.workers`: ``serve(workers=N)``'s worker processes on one port
  (``ServerWorkers``, the parent that supervises them);
- :mod:`~asyncbolt.server.connection`: one connection's asyncio runtime (reading, writing,
  back-pressure, time limits, lingering close, TLS);
- :mod:`~asyncbolt.server.answers`: each request answered by calling the session's hooks.

(``asyncbolt.server.runtime``, where all of it was, still imports: it names this package.)
"""

from asyncbolt.server.listener import Server, create_server, serve
from asyncbolt.server.session import ConnectionInfo, Result, ServerResult, ServerSession
from asyncbolt.server.workers import ServerWorkers

__all__ = ["ConnectionInfo", "Result", "Server", "ServerResult", "ServerSession", "ServerWorkers",
           "create_server", "serve"]
