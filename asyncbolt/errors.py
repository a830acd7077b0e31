"""The one exception hierarchy of asyncbolt.

``BoltError`` is the root. ``ProtocolError`` means bytes (or values) that break the Bolt or
PackStream spec; it carries the byte ``offset`` where the problem was found and, where known, the
``path`` of the field inside the value (``RECORD -> fields -> [3] -> properties``).
"""

from __future__ import annotations


class BoltError(Exception):
    """Base class of every error raised by asyncbolt."""


class ProtocolError(BoltError):
    """Input that breaks the Bolt/PackStream spec.

    ``offset`` is the byte offset (within the buffer handed to the decoder) where the problem
    was detected, or ``None`` when the problem is not tied to a position (e.g. a value that
    cannot be encoded). ``path`` names the field, outermost first.
    """

    def __init__(self, message: str, offset: int | None = None, path: tuple = ()) -> None:
        self.reason = message
        self.offset = offset
        self.path = tuple(path)
        super().__init__(self._format())

    def _format(self) -> str:
        parts = [self.reason]
        if self.offset is not None:
            parts.append(f"at offset {self.offset}")
        if self.path:
            parts.append("in " + " -> ".join(str(p) for p in self.path))
        return " ".join(parts)


class HandshakeError(ProtocolError):
    """The version negotiation failed: bad magic, no common version, bad manifest."""


class SpecError(BoltError):
    """The spec/ YAML is invalid (raised by the generator, with file, line and reason)."""
