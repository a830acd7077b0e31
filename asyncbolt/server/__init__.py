"""The asyncio Bolt server framework: subclass ``ServerSession``, run ``serve()``.

Built on the sans-IO :class:`asyncbolt.core.server.ServerConnection`.
"""

from asyncbolt.server.runtime import (
    ConnectionInfo,
    Result,
    Server,
    ServerSession,
    create_server,
    serve,
)

__all__ = ["ConnectionInfo", "Result", "Server", "ServerSession", "create_server", "serve"]
