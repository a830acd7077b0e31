"""The seed's exception names, kept importable for its users.

``ProtocolError`` and ``HandshakeError`` are the ones in :mod:`asyncbolt.errors`. The rest
belong to the seed's client API (:class:`asyncbolt.ClientSession`): ``ServerFailedError`` now
carries the FAILURE's ``code``, ``message`` and ``metadata`` (the seed's carried only text).
"""

from __future__ import annotations

from typing import Any

from asyncbolt.errors import HandshakeError, ProtocolError

__all__ = ["ProtocolError", "HandshakeError", "BufferError", "ServerError", "ServerFailedError",
           "ServerIgnoredError", "BoltClientError"]


class BufferError(ProtocolError):  # noqa: A001 - the seed's name, shadowing the builtin
    """Framing trouble (the seed's buffers); asyncbolt raises ProtocolError itself."""


class ServerError(ProtocolError):
    """The server answered something other than SUCCESS."""


class ServerFailedError(ServerError):
    """The server answered FAILURE."""

    def __init__(self, message: str = "", metadata: dict[str, Any] | None = None) -> None:
        self.metadata = dict(metadata or {})
        self.code = self.metadata.get("neo4j_code") or self.metadata.get("code")
        self.message = self.metadata.get("message", "")
        super().__init__(message)


class ServerIgnoredError(ServerError):
    """The server answered IGNORED."""


class BoltClientError(ProtocolError):
    """Pilot error on the client side, e.g. too many requests in flight."""
