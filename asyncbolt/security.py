"""Security helpers shared by the client, the server, the proxy and the dumps.

- :func:`require_tls12`: every ``SSLContext`` asyncbolt uses — made here or handed in by the
  user — goes through it, so nothing below TLS 1.2 is ever negotiated. A context whose floor
  is lower is *raised* to TLS 1.2 (the context object is changed in place); a context that
  cannot speak TLS 1.2 at all (``maximum_version`` below it, or a fixed-version protocol such
  as ``PROTOCOL_TLSv1_1``) is refused with a ``ValueError`` that says so.
- :func:`redact` / :func:`redact_uri`: what may appear in reprs, logs and error messages.
  Secret map keys are those the spec marks ``secret: true`` (``credentials``); a URI loses the
  password of its ``user:password@``.
"""

from __future__ import annotations

import ssl
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from asyncbolt._generated.versions import SECRET_KEYS

__all__ = ["MINIMUM_TLS_VERSION", "REDACTED", "SECRET_KEYS", "require_tls12", "redact", "redact_uri"]

#: The lowest TLS version asyncbolt negotiates, as client, server or proxy.
MINIMUM_TLS_VERSION = ssl.TLSVersion.TLSv1_2
#: What a secret value is replaced with.
REDACTED = "******"
# TLSVersion members that are not versions: MINIMUM_SUPPORTED (-2), MAXIMUM_SUPPORTED (-1).
_SPECIAL = (ssl.TLSVersion.MINIMUM_SUPPORTED, ssl.TLSVersion.MAXIMUM_SUPPORTED)


def require_tls12(context: ssl.SSLContext | None) -> ssl.SSLContext | None:
    """Raise ``context``'s floor to TLS 1.2 (in place) and return it; None passes through.

    ValueError if the context cannot negotiate TLS 1.2 or newer."""
    if context is None:
        return None
    if not isinstance(context, ssl.SSLContext):
        raise TypeError(f"ssl must be an ssl.SSLContext, not {type(context).__name__}")
    maximum = context.maximum_version
    if maximum not in _SPECIAL and maximum < MINIMUM_TLS_VERSION:
        raise ValueError(f"this SSLContext allows at most {maximum.name}; asyncbolt requires "
                         "TLS 1.2 or newer (set maximum_version to TLSv1_2 or higher)")
    minimum = context.minimum_version
    if minimum == ssl.TLSVersion.MINIMUM_SUPPORTED or (minimum not in _SPECIAL
                                                       and minimum < MINIMUM_TLS_VERSION):
        try:
            context.minimum_version = MINIMUM_TLS_VERSION
        except ValueError as exc:  # a fixed-version protocol, e.g. PROTOCOL_TLSv1_1
            raise ValueError(f"this SSLContext's protocol ({context.protocol.name}) cannot be "
                             "limited to TLS 1.2 or newer; make it with ssl.create_default_context() "
                             "or PROTOCOL_TLS_CLIENT / PROTOCOL_TLS_SERVER") from exc
    return context


def redact(value: Any, _depth: int = 0) -> Any:
    """A copy of ``value`` with the value of every secret key, in maps at any depth, replaced
    by ``REDACTED``."""
    if _depth > 32:
        return REDACTED  # deeper than any auth token: show nothing rather than recurse on
    if isinstance(value, dict):
        return {k: REDACTED if k in SECRET_KEYS else redact(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact(v, _depth + 1) for v in value)
    return value


def redact_uri(uri: Any) -> Any:
    """``bolt://user:secret@host`` -> ``bolt://user:******@host``; other URIs unchanged."""
    if not isinstance(uri, str) or "@" not in uri:
        return uri
    try:
        parts = urlsplit(uri)
    except ValueError:
        return uri.rpartition("@")[2]  # unparseable: keep only what follows the userinfo
    if parts.password is None and "@" not in parts.netloc:
        return uri
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    netloc = f"{user}:{REDACTED}@{hostport}" if ":" in userinfo else f"{user}@{hostport}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
