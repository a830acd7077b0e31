"""testkit's TLS options: NewDriver's ``encrypted``, ``trustedCertificates``,
``clientCertificate`` and ``clientCertificateProviderId``, and the client certificate providers
whose answers testkit gives (``NewClientCertificateProvider``; the driver asks with
``ClientCertificateProviderRequest``, testkit answers ``ClientCertificateProviderCompleted``).

``trustedCertificates`` names files of testkit's ``tests/tls/certs/driver/custom``, which its
Docker image installs in /usr/local/share/custom-ca-certificates; ``TESTKIT_CUSTOM_CAS`` (set
by ``testkit_backend.run``) names that folder when testkit runs without Docker. The system
CAs are OpenSSL's (``SSL_CERT_FILE`` replaces them).
"""

from __future__ import annotations

import os
from typing import Any

from asyncbolt.client.tls import ClientCertificate, TrustAll, TrustCustomCAs, TrustSystemCAs

__all__ = ["TlsRequests", "TLS_FEATURES", "CUSTOM_CAS"]

#: The TLS features asyncbolt's Driver has (TLS 1.1 and older it refuses).
TLS_FEATURES = [
    "Feature:API:SSLClientCertificate",
    "Feature:API:SSLConfig",
    "Feature:API:SSLSchemes",
    "Feature:TLS:1.2",
    "Feature:TLS:1.3",
]

#: Where testkit's Docker image puts the CA files trustedCertificates names.
CUSTOM_CAS = "/usr/local/share/custom-ca-certificates"


def _certificate(value: Any) -> ClientCertificate | None:
    """testkit's ``ClientCertificate`` object (``{"name": ..., "data": {...}}``)."""
    if value is None:
        return None
    data = value.get("data", value)
    return ClientCertificate(data["certfile"], data.get("keyfile"), data.get("password"))


class _TestkitProvider:
    """A client certificate provider that asks testkit."""

    def __init__(self, backend: Any, provider_id: int) -> None:
        self.backend = backend
        self.id = provider_id

    async def get_certificate(self) -> ClientCertificate | None:
        got = await self.backend._callback("ClientCertificateProviderRequest",
                                           {"clientCertificateProviderId": self.id},
                                           "ClientCertificateProviderCompleted")
        return _certificate(got.get("clientCertificate")) if got.get("hasUpdate") else None


class TlsRequests:
    """Mixed into the Backend: its TLS requests, and NewDriver's TLS options."""

    _new_id: Any
    _callback: Any

    @property
    def cert_providers(self) -> dict[int, _TestkitProvider]:
        providers = self.__dict__.get("_cert_providers")
        if providers is None:
            providers = self.__dict__["_cert_providers"] = {}
        return providers

    def tls_options(self, data: dict) -> dict[str, Any]:
        """The Driver's keyword arguments for NewDriver's TLS options (only those testkit gave:
        the Driver refuses any of them with a +s/+ssc URI, as testkit expects)."""
        options: dict[str, Any] = {}
        if data.get("encrypted") is not None:
            options["encrypted"] = bool(data["encrypted"])
        if "trustedCertificates" in data:
            names = data["trustedCertificates"]
            if names is None:
                options["trusted_certificates"] = TrustSystemCAs()
            elif not names:
                options["trusted_certificates"] = TrustAll()
            else:
                folder = os.environ.get("TESTKIT_CUSTOM_CAS", CUSTOM_CAS)
                options["trusted_certificates"] = TrustCustomCAs(
                    *(os.path.join(folder, name) for name in names))
        provider_id = data.get("clientCertificateProviderId")
        if provider_id is not None:
            options["client_certificate"] = self.cert_providers[provider_id]
        elif data.get("clientCertificate") is not None:
            options["client_certificate"] = _certificate(data["clientCertificate"])
        return options

    async def on_NewClientCertificateProvider(self, data: dict) -> dict:
        provider = _TestkitProvider(self, self._new_id())
        self.cert_providers[provider.id] = provider
        return {"name": "ClientCertificateProvider", "data": {"id": provider.id}}

    async def on_ClientCertificateProviderClose(self, data: dict) -> dict:
        self.cert_providers.pop(data["id"], None)
        return {"name": "ClientCertificateProvider", "data": {"id": data["id"]}}
