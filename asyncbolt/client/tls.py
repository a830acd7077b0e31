"""TLS for the client without hand-built ``SSLContext``\\ s: whom to trust (:class:`TrustSystemCAs`,
:class:`TrustCustomCAs`, :class:`TrustAll`), the client certificate of mutual TLS
(:class:`ClientCertificate`, static or rotating :class:`ClientCertificateProviders`), and the
context a driver makes of them (:class:`TlsSettings`), as the official driver's
``encrypted``/``trusted_certificates``/``client_certificate``/``ssl_context`` options.

    driver = asyncbolt.Driver("bolt://db.example.com:7687", auth=("neo4j", "pw"), encrypted=True,
                              trusted_certificates=asyncbolt.TrustCustomCAs("/etc/ca.pem"),
                              client_certificate=asyncbolt.ClientCertificate("me.pem", "me.key"))

Every context made here requires TLS 1.2 or newer (:func:`asyncbolt.security.require_tls12`).
"""

from __future__ import annotations

import asyncio
import os
import ssl as _ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, Union, runtime_checkable

from asyncbolt.client.deadline import stage
from asyncbolt.errors import ConfigurationError, ServiceUnavailable
from asyncbolt.security import require_tls12

__all__ = ["TrustStore", "TrustSystemCAs", "TrustCustomCAs", "TrustAll", "ClientCertificate",
           "ClientCertificateProvider", "RotatingClientCertificateProvider",
           "ClientCertificateProviders", "TlsSettings", "tls_settings", "describe_tls_failure",
           "connect_failure", "lost_reason"]

_INVALID = "Neo.ClientError.Request.Invalid"

_Path = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]


def _error(message: str) -> ConfigurationError:
    return ConfigurationError(_INVALID, message)


# -------------------------------------------------------------------------------------------
# Whom to trust


class TrustStore:
    """What ``trusted_certificates`` takes: one of the three below. Equal when of the same
    kind (and, for :class:`TrustCustomCAs`, the same files)."""

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash((type(self), tuple(vars(self).values())))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class TrustSystemCAs(TrustStore):
    """Verify the server's certificate against the system's certificate authorities (and its
    name against the host connected to): the default of an encrypted connection, what
    ``bolt+s://``/``neo4j+s://`` mean. ``SSL_CERT_FILE``/``SSL_CERT_DIR`` (OpenSSL's) replace
    the system's store."""


class TrustAll(TrustStore):
    """Accept any server certificate, unverified (self-signed, expired, another name): the
    traffic is encrypted, but a man in the middle goes unnoticed. What ``+ssc`` URIs mean."""


class TrustCustomCAs(TrustStore):
    """Verify the server's certificate against these CA certificates (PEM files; not the
    server's own certificate, the CAs that signed it) instead of the system's, and its name
    against the host connected to."""

    def __init__(self, *certificates: _Path) -> None:
        if not certificates:
            raise _error("TrustCustomCAs needs at least one CA certificate file "
                         "(TrustSystemCAs() trusts the system's CAs)")
        self.certs: tuple[_Path, ...] = tuple(certificates)

    def __repr__(self) -> str:
        return f"TrustCustomCAs({', '.join(repr(c) for c in self.certs)})"


# -------------------------------------------------------------------------------------------
# Client certificates (mutual TLS)


@dataclass(frozen=True)
class ClientCertificate:
    """A client certificate for mutual TLS: as :meth:`ssl.SSLContext.load_cert_chain`'s
    arguments. ``certfile``: PEM certificate (chain), with the private key unless ``keyfile``
    names it; ``password``: of an encrypted key (a string, bytes, or a function returning one).
    The certificate is a second factor: the user still authenticates with ``auth``."""

    certfile: _Path
    keyfile: _Path | None = None
    password: Callable[[], str | bytes] | str | bytes | None = None

    def __repr__(self) -> str:  # (never the password)
        key = "" if self.keyfile is None else f", keyfile={self.keyfile!r}"
        password = "" if self.password is None else ", password=******"
        return f"ClientCertificate({self.certfile!r}{key}{password})"


@runtime_checkable
class ClientCertificateProvider(Protocol):
    """What ``client_certificate`` takes besides a :class:`ClientCertificate`: the driver awaits
    ``get_certificate()`` before opening each connection; a :class:`ClientCertificate` is the
    one to use from now on, None means "the same as before". The driver loads a certificate
    again only when it gets another object than the last time (the same object, even with its
    files rewritten, is not reloaded: return a new ``ClientCertificate`` to reload). Connections
    already open keep the certificate they were opened with. It must not use the driver (its
    time counts towards the connection's acquisition), and may serve several drivers."""

    async def get_certificate(self) -> ClientCertificate | None: ...


class _StaticProvider:
    """One certificate for every connection."""

    def __init__(self, cert: ClientCertificate) -> None:
        _check_certificate(cert)
        self._cert = cert

    async def get_certificate(self) -> ClientCertificate | None:
        return self._cert

    def __repr__(self) -> str:
        return "<static client certificate provider>"


class RotatingClientCertificateProvider:
    """A provider whose certificate can be replaced: :meth:`update_certificate` makes new
    connections use another certificate (open ones keep theirs). Made by
    :meth:`ClientCertificateProviders.rotating`."""

    def __init__(self, initial_cert: ClientCertificate) -> None:
        _check_certificate(initial_cert)
        self._cert = initial_cert

    @property
    def certificate(self) -> ClientCertificate:
        """The certificate new connections use."""
        return self._cert

    def update_certificate(self, cert: ClientCertificate) -> None:
        """Use ``cert`` for connections opened from now on."""
        _check_certificate(cert)
        self._cert = cert

    async def get_certificate(self) -> ClientCertificate | None:
        return self._cert  # (the driver makes a new context only when this is another object)

    def __repr__(self) -> str:
        return f"<RotatingClientCertificateProvider {self._cert!r}>"


class ClientCertificateProviders:
    """Factories of client certificate providers, as the official driver's."""

    @staticmethod
    def static(cert: ClientCertificate) -> ClientCertificateProvider:
        """Always ``cert`` (the same as passing ``cert`` itself as ``client_certificate``)."""
        return _StaticProvider(cert)

    @staticmethod
    def rotating(initial_cert: ClientCertificate) -> RotatingClientCertificateProvider:
        """``initial_cert`` until :meth:`RotatingClientCertificateProvider.update_certificate`."""
        return RotatingClientCertificateProvider(initial_cert)


def _check_certificate(cert: Any) -> None:
    if not isinstance(cert, ClientCertificate):
        raise TypeError(f"a client certificate is a ClientCertificate, not {type(cert).__name__}")


def _provider(value: Any) -> ClientCertificateProvider | None:
    if value is None:
        return None
    if isinstance(value, ClientCertificate):
        return _StaticProvider(value)
    if not callable(getattr(value, "get_certificate", None)):
        raise TypeError("client_certificate must be a ClientCertificate or a provider with an "
                        f"async get_certificate() (ClientCertificateProviders), not "
                        f"{type(value).__name__}")
    return value


# -------------------------------------------------------------------------------------------
# Contexts


def _need_file(path: _Path, what: str) -> None:
    if not os.path.isfile(path):
        raise _error(f"{what} {os.fsdecode(path)!r}: no such file")


def make_context(trust: TrustStore, cert: ClientCertificate | None = None) -> _ssl.SSLContext:
    """A client context trusting ``trust`` (and presenting ``cert``), TLS 1.2 or newer.
    ConfigurationError naming the file if a CA or certificate file is missing or unusable."""
    context = _ssl.SSLContext(_ssl.PROTOCOL_TLS_CLIENT)
    if isinstance(trust, TrustAll):
        context.check_hostname = False
        context.verify_mode = _ssl.CERT_NONE
    elif isinstance(trust, TrustCustomCAs):
        for path in trust.certs:
            _need_file(path, "TrustCustomCAs: CA certificate file")
            try:
                context.load_verify_locations(path)
            except _ssl.SSLError as exc:
                raise _error(f"TrustCustomCAs: cannot read CA certificates from "
                             f"{os.fsdecode(path)!r}: {exc.reason or exc} (a PEM file of "
                             "CA certificates is needed)") from None
    else:
        context.load_default_certs()
    if cert is not None:
        _need_file(cert.certfile, "client certificate file")
        if cert.keyfile is not None:
            _need_file(cert.keyfile, "client certificate key file")
        try:
            context.load_cert_chain(cert.certfile, cert.keyfile, cert.password)
        except (_ssl.SSLError, ValueError, TypeError) as exc:
            files = repr(os.fsdecode(cert.certfile)) + (
                "" if cert.keyfile is None else f" with key {os.fsdecode(cert.keyfile)!r}")
            reason = getattr(exc, "reason", None) or str(exc)
            hint = ("; is the password right?" if cert.password is not None or "decrypt" in str(exc)
                    else "; give the PEM certificate and its private key (in certfile or keyfile)")
            raise _error(f"cannot load the client certificate {files}: {reason}{hint}") from None
    require_tls12(context)
    return context


def _is_secure_scheme(scheme: str) -> bool:
    return scheme.endswith("+s") or scheme.endswith("+ssc")


class TlsSettings:
    """A driver's TLS: :attr:`encrypted`, and :meth:`context` for each new connection (asking
    the client certificate provider, if any, whether the certificate changed)."""

    def __init__(self, encrypted: bool, trust: TrustStore | None = None,
                 provider: ClientCertificateProvider | None = None,
                 fixed: _ssl.SSLContext | None = None) -> None:
        self.encrypted = encrypted
        self.trust = trust or TrustSystemCAs()
        self.provider = provider
        self._fixed = fixed
        self._cached: _ssl.SSLContext | None = fixed
        self._cert: ClientCertificate | None = None  # (the one in _cached)
        self._lock = asyncio.Lock()
        # Made now when it can be: a missing or unusable file fails the driver's constructor.
        if encrypted and fixed is None and provider is None:
            self._cached = make_context(self.trust)
        elif encrypted and isinstance(provider, _StaticProvider):
            self._cert = provider._cert
            self._cached = make_context(self.trust, self._cert)
        elif encrypted and isinstance(self.trust, TrustCustomCAs):
            for path in self.trust.certs:
                _need_file(path, "TrustCustomCAs: CA certificate file")

    async def context(self) -> _ssl.SSLContext | None:
        """The context for a new connection (None: not encrypted)."""
        if not self.encrypted:
            return None
        if self.provider is None:
            return self._cached
        async with self._lock:  # (one question to the provider at a time)
            cert = await self.provider.get_certificate()
            if cert is not None and cert is not self._cert:
                _check_certificate(cert)
                self._cached = make_context(self.trust, cert)
                self._cert = cert
            elif self._cached is None:
                self._cached = make_context(self.trust)
            return self._cached

    async def context_within(self, timeout: float | None) -> tuple[_ssl.SSLContext | None, float | None]:
        """:meth:`context` within ``timeout`` seconds (a provider's time counts towards the
        connection's acquisition), and what is left of them; ServiceUnavailable past it."""
        if self.provider is None or not self.encrypted:
            return await self.context(), timeout
        stage("asking the client certificate provider for a certificate")
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            context = await asyncio.wait_for(self.context(), timeout)
        except asyncio.TimeoutError:
            raise ServiceUnavailable(f"the client certificate provider did not answer within "
                                     f"{timeout:.3g}s (its time counts towards the connection's "
                                     "acquisition)") from None
        return context, None if timeout is None else max(timeout - (loop.time() - started), 0.001)

    def __repr__(self) -> str:
        if not self.encrypted:
            return "<TlsSettings unencrypted>"
        if self._fixed is not None:
            return "<TlsSettings ssl_context>"
        return f"<TlsSettings {self.trust!r} client_certificate={self.provider is not None}>"


def tls_settings(scheme: str, *, ssl: _ssl.SSLContext | bool | None = None,
                 encrypted: bool | None = None, trusted_certificates: TrustStore | None = None,
                 client_certificate: Any = None,
                 ssl_context: _ssl.SSLContext | None = None) -> TlsSettings:
    """The TLS of a URI scheme and the options (see :class:`asyncbolt.Driver`); a
    ConfigurationError for options that contradict each other or the scheme."""
    official = {name: value for name, value in (
        ("encrypted", encrypted), ("trusted_certificates", trusted_certificates),
        ("ssl_context", ssl_context)) if value is not None}
    if _is_secure_scheme(scheme) and official:
        raise _error(f"{scheme}:// already says how to encrypt and whom to trust; "
                     f"{' and '.join(official)} can only be used with bolt:// or neo4j:// URIs "
                     "(drop them, or use bolt:// or neo4j:// with them)")
    if ssl is not None and ssl is not False and official:
        raise _error(f"ssl= and {' and '.join(official)} both configure TLS: use one or the other")
    if trusted_certificates is not None and not isinstance(trusted_certificates, TrustStore):
        raise _error("trusted_certificates must be TrustSystemCAs(), TrustCustomCAs(*files) or "
                     f"TrustAll(), not {type(trusted_certificates).__name__}")
    if ssl_context is not None and not isinstance(ssl_context, _ssl.SSLContext):
        raise _error(f"ssl_context must be an ssl.SSLContext, not {type(ssl_context).__name__}")
    if isinstance(ssl, _ssl.SSLContext):
        ssl_context = ssl
    provider = _provider(client_certificate)
    if ssl_context is not None:
        if encrypted is False:
            raise _error("encrypted=False contradicts ssl_context (a context encrypts)")
        if trusted_certificates is not None or provider is not None:
            given = " and ".join(n for n, v in (("trusted_certificates", trusted_certificates),
                                                ("client_certificate", provider)) if v is not None)
            raise _error(f"an SSLContext decides whom to trust and which certificate to present: "
                         f"{given} cannot go with it (load them into the context, or drop it)")
        return TlsSettings(True, fixed=require_tls12(ssl_context))
    if scheme.endswith("+ssc"):
        return TlsSettings(True, TrustAll(), provider)
    if scheme.endswith("+s"):
        return TlsSettings(True, TrustSystemCAs(), provider)
    on = bool(encrypted) or ssl is True
    if provider is not None and not on:
        raise _error("client_certificate needs an encrypted connection: use a bolt+s://, "
                     "neo4j+s:// (or +ssc) URI, or encrypted=True")
    return TlsSettings(on, trusted_certificates, provider)


# -------------------------------------------------------------------------------------------
# What went wrong


def describe_tls_failure(exc: BaseException) -> str | None:
    """One line saying why a TLS handshake failed and what to do (None: not a TLS failure)."""
    if isinstance(exc, _ssl.SSLCertVerificationError):
        why = str(getattr(exc, "verify_message", None) or getattr(exc, "reason", None) or exc)
        low = why.lower()
        if "hostname mismatch" in low or "ip address mismatch" in low:
            fix = ("connect with a name the certificate is for, or trust it without checking "
                   "(TrustAll() or a +ssc URI)")
        elif "self-signed" in low or "self signed" in low or "local issuer" in low \
                or "unknown ca" in low:
            fix = ("the certificate's CA is not trusted: add it with "
                   "trusted_certificates=TrustCustomCAs('ca.pem'), or accept any certificate "
                   "with a +ssc URI / TrustAll()")
        elif "expired" in low:
            fix = "the server needs a renewed certificate (or trust it without checking: TrustAll())"
        else:
            fix = "see trusted_certificates (TrustSystemCAs, TrustCustomCAs, TrustAll)"
        return f"TLS: certificate verify failed: {why.rstrip('.')} ({fix})"
    if isinstance(exc, _ssl.SSLError):
        reason = str(getattr(exc, "reason", None) or exc).lower().replace("_", " ")
        if "certificate required" in reason:
            return (f"TLS: the server refused the connection ({reason}): it requires a client "
                    "certificate it trusts (client_certificate=ClientCertificate(...))")
        if "handshake failure" in reason and "alert" in reason:
            return (f"TLS: the server ended the handshake ({reason}): it requires a client "
                    "certificate it trusts (client_certificate=...), or we have no TLS version "
                    "or cipher in common")
        if "wrong version number" in reason or "record layer failure" in reason \
                or "packet length too long" in reason:
            return f"TLS: the server does not speak TLS ({reason}); use bolt:// or neo4j://"
        if "unknown ca" in reason or "bad certificate" in reason or "certificate unknown" in reason:
            return (f"TLS: the server refused our client certificate ({reason}): it does not "
                    "trust the certificate's CA")
        if "protocol version" in reason or "unsupported protocol" in reason:
            return (f"TLS: no common TLS version ({reason}): asyncbolt requires TLS 1.2 or newer")
        return f"TLS: {reason}"
    return None


def connect_failure(exc: BaseException, tls: bool) -> str:
    """Why opening a connection failed, in one line (after "cannot connect to host:port: ")."""
    described = describe_tls_failure(exc)
    if described is not None:
        return described
    if tls and isinstance(exc, (ConnectionResetError, ConnectionAbortedError, EOFError)):
        return (f"the server closed the connection during the TLS handshake ({type(exc).__name__}"
                f"{': ' + str(exc) if str(exc) else ''}): it may require a client certificate "
                "(client_certificate=...), or not speak TLS 1.2 or newer")
    return str(exc) or type(exc).__name__


def lost_reason(exc: BaseException | None, transport: Any, version: Any) -> str:
    """What follows "connection to host:port closed" in the error of a lost connection: the
    socket's error (a TLS one explained), or for a TLS connection the server closed before
    answering the Bolt handshake, the likely reason (a server refuses a client certificate
    after the TLS 1.3 handshake, often without telling why)."""
    if exc is not None:
        return f": {describe_tls_failure(exc) or exc}"
    if version is None and transport is not None and transport.get_extra_info("ssl_object"):
        return (" by the server right after the TLS handshake, before the Bolt handshake: a "
                "server that requires a client certificate (mutual TLS) does this when it has "
                "none or does not trust ours (see client_certificate)")
    return ""
