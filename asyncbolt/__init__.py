"""asyncbolt: the Neo4j Bolt protocol, client and server, for Python asyncio.

Generated from a declarative spec (spec/*.yaml). This package needs only ``construct`` at run
time.
"""

from __future__ import annotations

from ._generated.versions import SERVER_VERSIONS, VERSIONS
from .errors import BoltError, HandshakeError, ProtocolError
from .types import Structure

__version__ = "0.1.0"

__all__ = [
    "BoltError",
    "HandshakeError",
    "ProtocolError",
    "SERVER_VERSIONS",
    "Structure",
    "VERSIONS",
    "__version__",
]
