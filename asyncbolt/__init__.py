"""asyncbolt: the Neo4j Bolt protocol, client and server, for Python asyncio.

Generated from a declarative spec (spec/*.yaml). This package needs only ``construct`` at run
time.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

from asyncbolt.compat import moved as _moved

_moved.install()

if TYPE_CHECKING:  # (at run time the names below load on first use: __getattr__)
    from asyncbolt._generated.versions import (
        SERVER_VERSIONS,
        VERSIONS,
    )
    from asyncbolt.client.auth import (
        basic_auth,
        bearer_auth,
        custom_auth,
        kerberos_auth,
    )
    from asyncbolt.client.connect import connect
    from asyncbolt.client.connection import Connection, RequestIgnored
    from asyncbolt.client.driver import (
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
    from asyncbolt.client.pool import (
        ConnectionAcquisitionTimeout,
    )
    from asyncbolt.client.result import Record, Summary
    from asyncbolt.client.routing import (
        Address,
        RoutingServiceUnavailable,
        SessionExpired,
    )
    from asyncbolt.client.transaction import Transaction
    from asyncbolt.codec.types import (
        Structure,
    )
    from asyncbolt.compat.client import ClientResponse, ClientSession
    from asyncbolt.compat.protocol import (
        BoltClientProtocol,
        BoltServerProtocol,
    )
    from asyncbolt.errors import (
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
    from asyncbolt.server.runtime import (
        ConnectionInfo,
        Result,
        Server,
        ServerSession,
        create_server,
        serve,
    )

#: Where each public name lives: importing asyncbolt loads none of them, so `import asyncbolt`
#: (and the `asyncbolt` command) costs only what is used.
_LAZY: dict[str, str] = {
    "Address": "asyncbolt.client.routing",
    "AuthError": "asyncbolt.errors",
    "BoltClientProtocol": "asyncbolt.compat.protocol",
    "BoltError": "asyncbolt.errors",
    "BoltServerProtocol": "asyncbolt.compat.protocol",
    "BookmarkManager": "asyncbolt.client.driver",
    "ClientError": "asyncbolt.errors",
    "ClientResponse": "asyncbolt.compat.client",
    "ClientSession": "asyncbolt.compat.client",
    "ConfigurationError": "asyncbolt.errors",
    "Connection": "asyncbolt.client.connection",
    "ConnectionAcquisitionTimeout": "asyncbolt.client.pool",
    "ConnectionInfo": "asyncbolt.server.runtime",
    "DatabaseError": "asyncbolt.errors",
    "Driver": "asyncbolt.client.driver",
    "HandshakeError": "asyncbolt.errors",
    "IncompleteCommit": "asyncbolt.client.driver",
    "ManagedTransaction": "asyncbolt.client.driver",
    "Neo4jError": "asyncbolt.errors",
    "ProtocolError": "asyncbolt.errors",
    "Record": "asyncbolt.client.result",
    "RequestIgnored": "asyncbolt.client.connection",
    "Result": "asyncbolt.server.runtime",
    "ResultConsumedError": "asyncbolt.client.driver",
    "ResultFailedError": "asyncbolt.client.driver",
    "RoutingServiceUnavailable": "asyncbolt.client.routing",
    "SERVER_VERSIONS": "asyncbolt._generated.versions",
    "Server": "asyncbolt.server.runtime",
    "ServerSession": "asyncbolt.server.runtime",
    "ServiceUnavailable": "asyncbolt.errors",
    "Session": "asyncbolt.client.driver",
    "SessionExpired": "asyncbolt.client.routing",
    "SessionTransaction": "asyncbolt.client.driver",
    "Structure": "asyncbolt.codec.types",
    "Summary": "asyncbolt.client.result",
    "Transaction": "asyncbolt.client.transaction",
    "TransactionError": "asyncbolt.client.driver",
    "TransientError": "asyncbolt.errors",
    "UnsupportedServerProduct": "asyncbolt.errors",
    "VERSIONS": "asyncbolt._generated.versions",
    "basic_auth": "asyncbolt.client.auth",
    "bearer_auth": "asyncbolt.client.auth",
    "connect": "asyncbolt.client.connect",
    "create_server": "asyncbolt.server.runtime",
    "custom_auth": "asyncbolt.client.auth",
    "is_retryable": "asyncbolt.client.driver",
    "kerberos_auth": "asyncbolt.client.auth",
    "serve": "asyncbolt.server.runtime",
    "unit_of_work": "asyncbolt.client.driver",
}

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


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'asyncbolt' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    setattr(sys.modules[__name__], name, value)
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
