"""The seed's protocol classes, kept for its users.

``BoltClientProtocol`` is the seed's client hook: subclass it, take your own keyword
arguments, and return ``(client_name, auth_token)`` from ``get_init_params()``; pass the class
to ``asyncbolt.connect(protocol_class=...)``. asyncbolt does the I/O itself now, so this class
holds only configuration.

``BoltServerProtocol`` is the seed's server base: in asyncbolt the same role is played by
:class:`asyncbolt.ServerSession` (implement ``run``; see the README, "Coming from the original
asyncbolt"), which this name refers to.
"""

from __future__ import annotations

from typing import Any

from asyncbolt.server.session import ServerSession as BoltServerProtocol

__all__ = ["BoltClientProtocol", "BoltServerProtocol"]


class BoltClientProtocol:
    """Configuration of a seed-style client connection (see :func:`asyncbolt.connect`)."""

    def __init__(self, loop: Any = None, **kwargs: Any) -> None:
        self.loop = loop

    def get_init_params(self) -> tuple[str, dict[str, Any]]:
        """``(client_name, auth_token)`` for INIT/HELLO/LOGON."""
        return "AsyncBolt/1.0", {"scheme": "none"}
