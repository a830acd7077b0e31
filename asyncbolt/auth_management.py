"""The official driver's ``neo4j.auth_management`` names, for code ported by changing its import
(``import asyncbolt as neo4j``: ``neo4j.auth_management.AsyncAuthManagers.bearer(...)`` works).

Aliases of asyncbolt's own classes (:mod:`asyncbolt.client.auth_managers`,
:mod:`asyncbolt.client.tls`), not new ones."""

from __future__ import annotations

from asyncbolt.client.auth_managers import AuthManager, AuthManagers, ExpiringAuth
from asyncbolt.client.tls import (
    ClientCertificate,
    ClientCertificateProvider,
    ClientCertificateProviders,
    RotatingClientCertificateProvider,
)

__all__ = ["AsyncAuthManager", "AsyncAuthManagers", "AuthManager", "AuthManagers", "ExpiringAuth",
           "ClientCertificate", "AsyncClientCertificateProvider", "AsyncClientCertificateProviders",
           "AsyncRotatingClientCertificateProvider", "ClientCertificateProvider",
           "ClientCertificateProviders", "RotatingClientCertificateProvider"]

AsyncAuthManager = AuthManager
AsyncAuthManagers = AuthManagers
AsyncClientCertificateProvider = ClientCertificateProvider
AsyncClientCertificateProviders = ClientCertificateProviders
AsyncRotatingClientCertificateProvider = RotatingClientCertificateProvider
