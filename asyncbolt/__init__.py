"""asyncbolt: the Neo4j Bolt protocol, client and server, for Python asyncio.

Generated from a declarative spec (spec/*.yaml). This package needs only ``construct`` at run
time.
"""

from __future__ import annotations

__version__ = "0.1.0"

from ._generated.versions import SERVER_VERSIONS, VERSIONS
from .auth import basic_auth, bearer_auth, custom_auth, kerberos_auth
from .client import (
    ClientResponse,
    ClientSession,
    Connection,
    Record,
    RequestIgnored,
    Summary,
    Transaction,
    connect,
)
from .driver import (
    BookmarkManager,
    Driver,
    IncompleteCommit,
    ManagedTransaction,
    ResultConsumedError,
    ResultFailedError,
    Session,
    SessionTransaction,
    TransactionError,
    is_retryable,
    unit_of_work,
)
from .errors import (
    AuthError,
    BoltError,
    ClientError,
    ConfigurationError,
    DatabaseError,
    HandshakeError,
    Neo4jError,
    ProtocolError,
    ServiceUnavailable,
    TransientError,
    UnsupportedServerProduct,
)
from .pool import ConnectionAcquisitionTimeout
from .protocol import BoltClientProtocol, BoltServerProtocol
from .routing import Address, RoutingServiceUnavailable, SessionExpired
from .server import ConnectionInfo, Result, Server, ServerSession, create_server, serve
from .types import Structure

__all__ = [
    "Address",
    "BookmarkManager",
    "ConnectionAcquisitionTimeout",
    "Driver",
    "IncompleteCommit",
    "ManagedTransaction",
    "ResultConsumedError",
    "ResultFailedError",
    "RoutingServiceUnavailable",
    "Session",
    "SessionExpired",
    "SessionTransaction",
    "is_retryable",
    "unit_of_work",
    "AuthError",
    "BoltClientProtocol",
    "BoltServerProtocol",
    "ClientResponse",
    "ClientSession",
    "Connection",
    "Record",
    "RequestIgnored",
    "Summary",
    "Transaction",
    "TransactionError",
    "basic_auth",
    "bearer_auth",
    "connect",
    "custom_auth",
    "kerberos_auth",
    "BoltError",
    "ClientError",
    "ConfigurationError",
    "ConnectionInfo",
    "DatabaseError",
    "HandshakeError",
    "Neo4jError",
    "ProtocolError",
    "Result",
    "SERVER_VERSIONS",
    "Server",
    "ServerSession",
    "ServiceUnavailable",
    "Structure",
    "TransientError",
    "UnsupportedServerProduct",
    "VERSIONS",
    "__version__",
    "create_server",
    "serve",
]
