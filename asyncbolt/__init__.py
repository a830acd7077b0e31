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
    from asyncbolt.client.auth_managers import (
        AuthManager,
        AuthManagers,
        ExpiringAuth,
    )
    from asyncbolt.client.connect import (
        connect,
    )
    from asyncbolt.client.connection import (
        Connection,
    )
    from asyncbolt.client.driver import (
        BookmarkManager,
        Driver,
        unit_of_work,
    )
    from asyncbolt.client.eager import (
        EagerResult,
        Graph,
        Query,
        RoutingControl,
        ServerInfo,
    )
    from asyncbolt.client.homedb import HomeDatabaseCache
    from asyncbolt.client.names import (
        READ_ACCESS,
        WRITE_ACCESS,
        AsyncDriver,
        AsyncManagedTransaction,
        AsyncResult,
        AsyncSession,
        AsyncTransaction,
        ResultSummary,
        SummaryCounters,
    )
    from asyncbolt.client.notifications import (
        GqlStatusObject,
        NotificationCategory,
        NotificationClassification,
        NotificationDisabledCategory,
        NotificationDisabledClassification,
        NotificationMinimumSeverity,
        NotificationSeverity,
        SummaryInputPosition,
        SummaryNotification,
    )
    from asyncbolt.client.result import (
        Record,
        Summary,
    )
    from asyncbolt.client.routing import (
        Address,
    )
    from asyncbolt.client.session import (
        ManagedTransaction,
        Session,
        SessionTransaction,
        is_retryable,
    )
    from asyncbolt.client.tls import (
        ClientCertificate,
        ClientCertificateProvider,
        ClientCertificateProviders,
        RotatingClientCertificateProvider,
        TrustAll,
        TrustCustomCAs,
        TrustStore,
        TrustSystemCAs,
    )
    from asyncbolt.client.transaction import (
        Transaction,
    )
    from asyncbolt.codec.types import (
        Structure,
    )
    from asyncbolt.compat.client import (
        ClientResponse,  # noqa: F401 - the seed API (_SEED_API): importable, not in __all__
        ClientSession,  # noqa: F401 - the seed API (_SEED_API): importable, not in __all__
    )
    from asyncbolt.compat.protocol import (
        BoltClientProtocol,  # noqa: F401 - the seed API (_SEED_API): importable, not in __all__
        BoltServerProtocol,  # noqa: F401 - the seed API (_SEED_API): importable, not in __all__
    )
    from asyncbolt.errors import (
        AcquisitionDeadlineExceeded,
        AuthError,
        BoltError,
        ClientError,
        ConfigurationError,
        ConnectionAcquisitionTimeout,
        DatabaseError,
        HandshakeError,
        IncompleteCommit,
        Neo4jError,
        NotificationDeprecationWarning,
        NotificationWarning,
        ProtocolError,
        RequestIgnored,
        ResultConsumedError,
        ResultFailedError,
        ResultNotSingleError,
        RoutingServiceUnavailable,
        ServiceUnavailable,
        SessionExpired,
        TransactionError,
        TransientError,
        UnsupportedServerProduct,
    )
    from asyncbolt.loops import run
    from asyncbolt.server.listener import (
        Server,
        create_server,
        serve,
    )
    from asyncbolt.server.session import (
        ConnectionInfo,
        Result,
        ServerResult,
        ServerSession,
    )
    from asyncbolt.server.workers import ServerWorkers

#: Where each public name lives: importing asyncbolt loads none of them, so `import asyncbolt`
#: (and the `asyncbolt` command) costs only what is used.
_LAZY: dict[str, str] = {
    "AsyncDriver": "asyncbolt.client.names",
    "AsyncSession": "asyncbolt.client.names",
    "AsyncTransaction": "asyncbolt.client.names",
    "AsyncManagedTransaction": "asyncbolt.client.names",
    "AsyncResult": "asyncbolt.client.names",
    "ResultSummary": "asyncbolt.client.names",
    "SummaryCounters": "asyncbolt.client.names",
    "READ_ACCESS": "asyncbolt.client.names",
    "WRITE_ACCESS": "asyncbolt.client.names",
    "ResultNotSingleError": "asyncbolt.errors",
    "AcquisitionDeadlineExceeded": "asyncbolt.errors",
    "Address": "asyncbolt.client.routing",
    "AuthError": "asyncbolt.errors",
    "AuthManager": "asyncbolt.client.auth_managers",
    "AuthManagers": "asyncbolt.client.auth_managers",
    "ExpiringAuth": "asyncbolt.client.auth_managers",
    "BoltClientProtocol": "asyncbolt.compat.protocol",
    "BoltError": "asyncbolt.errors",
    "BoltServerProtocol": "asyncbolt.compat.protocol",
    "BookmarkManager": "asyncbolt.client.driver",
    "ClientError": "asyncbolt.errors",
    "ClientResponse": "asyncbolt.compat.client",
    "ClientSession": "asyncbolt.compat.client",
    "ConfigurationError": "asyncbolt.errors",
    "Connection": "asyncbolt.client.connection",
    "ConnectionAcquisitionTimeout": "asyncbolt.errors",
    "ConnectionInfo": "asyncbolt.server.session",
    "DatabaseError": "asyncbolt.errors",
    "Driver": "asyncbolt.client.driver",
    "EagerResult": "asyncbolt.client.eager",
    "Graph": "asyncbolt.client.eager",
    "HandshakeError": "asyncbolt.errors",
    "HomeDatabaseCache": "asyncbolt.client.homedb",
    "IncompleteCommit": "asyncbolt.errors",
    "ManagedTransaction": "asyncbolt.client.session",
    "Neo4jError": "asyncbolt.errors",
    "ProtocolError": "asyncbolt.errors",
    "Query": "asyncbolt.client.eager",
    "Record": "asyncbolt.client.result",
    "RequestIgnored": "asyncbolt.errors",
    "Result": "asyncbolt.server.session",
    "ResultConsumedError": "asyncbolt.errors",
    "ResultFailedError": "asyncbolt.errors",
    "RoutingControl": "asyncbolt.client.eager",
    "RoutingServiceUnavailable": "asyncbolt.errors",
    "SERVER_VERSIONS": "asyncbolt._generated.versions",
    "Server": "asyncbolt.server.listener",
    "ServerInfo": "asyncbolt.client.eager",
    "ServerResult": "asyncbolt.server.session",
    "ServerSession": "asyncbolt.server.session",
    "ServerWorkers": "asyncbolt.server.workers",
    "ServiceUnavailable": "asyncbolt.errors",
    "Session": "asyncbolt.client.session",
    "SessionExpired": "asyncbolt.errors",
    "SessionTransaction": "asyncbolt.client.session",
    "Structure": "asyncbolt.codec.types",
    "Summary": "asyncbolt.client.result",
    "Transaction": "asyncbolt.client.transaction",
    "TransactionError": "asyncbolt.errors",
    "TransientError": "asyncbolt.errors",
    "UnsupportedServerProduct": "asyncbolt.errors",
    "VERSIONS": "asyncbolt._generated.versions",
    "basic_auth": "asyncbolt.client.auth",
    "bearer_auth": "asyncbolt.client.auth",
    "connect": "asyncbolt.client.connect",
    "create_server": "asyncbolt.server.listener",
    "custom_auth": "asyncbolt.client.auth",
    "is_retryable": "asyncbolt.client.session",
    "kerberos_auth": "asyncbolt.client.auth",
    "serve": "asyncbolt.server.listener",
    "run": "asyncbolt.loops",
    "unit_of_work": "asyncbolt.client.driver",
    "GqlStatusObject": "asyncbolt.client.notifications",
    "NotificationCategory": "asyncbolt.client.notifications",
    "NotificationClassification": "asyncbolt.client.notifications",
    "NotificationDisabledCategory": "asyncbolt.client.notifications",
    "NotificationDisabledClassification": "asyncbolt.client.notifications",
    "NotificationMinimumSeverity": "asyncbolt.client.notifications",
    "NotificationSeverity": "asyncbolt.client.notifications",
    "SummaryInputPosition": "asyncbolt.client.notifications",
    "SummaryNotification": "asyncbolt.client.notifications",
    "NotificationDeprecationWarning": "asyncbolt.errors",
    "NotificationWarning": "asyncbolt.errors",
    "ClientCertificate": "asyncbolt.client.tls",
    "ClientCertificateProvider": "asyncbolt.client.tls",
    "ClientCertificateProviders": "asyncbolt.client.tls",
    "RotatingClientCertificateProvider": "asyncbolt.client.tls",
    "TrustAll": "asyncbolt.client.tls",
    "TrustCustomCAs": "asyncbolt.client.tls",
    "TrustStore": "asyncbolt.client.tls",
    "TrustSystemCAs": "asyncbolt.client.tls",
}

#: The 2017 seed's own API (asyncbolt 0.0.2; see asyncbolt.compat): importable from here as the
#: seed's users wrote it, but not part of the documented API below. (The seed's other top-level
#: names, connect, ServerSession and create_server, are asyncbolt's own API as well.)
_SEED_API = ("BoltClientProtocol", "BoltServerProtocol", "ClientSession", "ClientResponse")

#: The documented API (``from asyncbolt import *``).
__all__ = [
    "AsyncDriver",
    "AsyncSession",
    "AsyncTransaction",
    "AsyncManagedTransaction",
    "AsyncResult",
    "ResultSummary",
    "SummaryCounters",
    "READ_ACCESS",
    "WRITE_ACCESS",
    "ResultNotSingleError",
    "Address",
    "AuthManager",
    "AuthManagers",
    "ExpiringAuth",
    "BookmarkManager",
    "ConnectionAcquisitionTimeout",
    "AcquisitionDeadlineExceeded",
    "HomeDatabaseCache",
    "Driver",
    "EagerResult",
    "Graph",
    "IncompleteCommit",
    "Query",
    "RoutingControl",
    "ServerInfo",
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
    "ServerResult",
    "ServerSession",
    "ServerWorkers",
    "ServiceUnavailable",
    "Structure",
    "TransientError",
    "UnsupportedServerProduct",
    "VERSIONS",
    "__version__",
    "create_server",
    "serve",
    "run",
    "GqlStatusObject",
    "NotificationCategory",
    "NotificationClassification",
    "NotificationDisabledCategory",
    "NotificationDisabledClassification",
    "NotificationMinimumSeverity",
    "NotificationSeverity",
    "SummaryInputPosition",
    "SummaryNotification",
    "NotificationDeprecationWarning",
    "NotificationWarning",
    "ClientCertificate",
    "ClientCertificateProvider",
    "ClientCertificateProviders",
    "RotatingClientCertificateProvider",
    "TrustAll",
    "TrustCustomCAs",
    "TrustStore",
    "TrustSystemCAs",
]


#: Submodules that load as attributes (``asyncbolt.auth_management``, as ``neo4j``'s).
_SUBMODULES = frozenset({"auth_management"})


def __getattr__(name: str) -> Any:
    import importlib

    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'asyncbolt' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    setattr(sys.modules[__name__], name, value)
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
