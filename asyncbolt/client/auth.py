"""Auth tokens for :func:`asyncbolt.connect`.

A token is a plain dict sent in INIT/HELLO (Bolt < 5.1) or LOGON (5.1+). ``("user", "pw")`` as
``auth=`` means :func:`basic_auth`; ``None`` means no auth (scheme ``none``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["basic_auth", "bearer_auth", "kerberos_auth", "custom_auth", "auth_token"]


def basic_auth(user: str, password: str, realm: str | None = None) -> dict[str, Any]:
    """User name and password."""
    token = {"scheme": "basic", "principal": user, "credentials": password}
    if realm:
        token["realm"] = realm
    return token


def bearer_auth(token: str) -> dict[str, Any]:
    """A bearer token (e.g. an SSO access token)."""
    return {"scheme": "bearer", "credentials": token}


def kerberos_auth(ticket: str) -> dict[str, Any]:
    """A base64-encoded Kerberos ticket."""
    return {"scheme": "kerberos", "principal": "", "credentials": ticket}


def custom_auth(principal: str | None, credentials: str | None, realm: str | None, scheme: str,
                **parameters: Any) -> dict[str, Any]:
    """Any scheme a server knows; extra keyword arguments become ``parameters``. The principal
    goes even when empty (servers before 4.4 require the key); empty credentials, realm and
    parameters are left out, as the official drivers leave them."""
    token: dict[str, Any] = {"scheme": scheme}
    if principal is not None:
        token["principal"] = principal
    if credentials:
        token["credentials"] = credentials
    if realm:
        token["realm"] = realm
    if parameters:
        token["parameters"] = parameters
    return token


def auth_token(auth: Any) -> dict[str, Any]:
    """Normalise what ``connect(auth=...)`` accepts into a token dict."""
    if auth is None:
        return {"scheme": "none"}
    if isinstance(auth, dict):
        if "scheme" not in auth:
            raise ValueError("an auth token needs a 'scheme'")
        return dict(auth)
    if isinstance(auth, (tuple, list)) and len(auth) in (2, 3):
        return basic_auth(*auth)
    raise TypeError("auth must be None, (user, password), or a token from asyncbolt.*_auth()")
