"""testkit's auth requests: auth token managers whose functions are testkit's callbacks
(``NewAuthTokenManager``: get_auth and handle_security_exception; ``NewBasicAuthTokenManager``
and ``NewBearerAuthTokenManager``: the provider of asyncbolt's ``AuthManagers.basic``/``bearer``),
``AuthTokenManagerClose``, ``VerifyAuthentication`` and ``CheckSessionAuthSupport``. A mixin of
:class:`Backend`, which supplies the tables and :meth:`_callback`."""

from __future__ import annotations

from typing import Any

from asyncbolt.client.auth_managers import AuthManagers, ExpiringAuth
from asyncbolt.client.driver import Driver
from asyncbolt.errors import Neo4jError

__all__ = ["AuthRequests", "token_to_testkit"]


def token_to_testkit(auth: Any) -> dict[str, Any]:
    """An asyncbolt token (dict, or ``(user, password)``) as testkit's AuthorizationToken."""
    from asyncbolt.client.auth import auth_token

    return {"name": "AuthorizationToken", "data": auth_token(auth)}


class _TestkitAuthManager:
    """An auth manager whose two functions testkit answers."""

    def __init__(self, backend: AuthRequests, manager_id: int) -> None:
        self._backend = backend
        self._id = manager_id

    async def get_auth(self) -> Any:
        from .server import _auth  # (server imports this module)

        got = await self._backend._callback("AuthTokenManagerGetAuthRequest",
                                            {"authTokenManagerId": self._id},
                                            "AuthTokenManagerGetAuthCompleted")
        return _auth(got.get("auth"))

    async def handle_security_exception(self, auth: Any, error: Neo4jError) -> bool:
        got = await self._backend._callback(
            "AuthTokenManagerHandleSecurityExceptionRequest",
            {"authTokenManagerId": self._id, "auth": token_to_testkit(auth),
             "errorCode": error.code},
            "AuthTokenManagerHandleSecurityExceptionCompleted")
        return bool(got.get("handled"))


class AuthRequests:
    """Handlers for the requests above."""

    drivers: dict[int, Driver]
    auth_managers: dict[int, Any]

    def _new_id(self) -> int:
        raise NotImplementedError

    async def _callback(self, name: str, data: dict, answer: str) -> dict:
        raise NotImplementedError

    async def on_NewAuthTokenManager(self, data: dict) -> dict:
        manager_id = self._new_id()
        self.auth_managers[manager_id] = _TestkitAuthManager(self, manager_id)
        return {"name": "AuthTokenManager", "data": {"id": manager_id}}

    async def on_NewBasicAuthTokenManager(self, data: dict) -> dict:
        from .server import _auth

        manager_id = self._new_id()

        async def provider() -> Any:
            got = await self._callback("BasicAuthTokenProviderRequest",
                                       {"basicAuthTokenManagerId": manager_id},
                                       "BasicAuthTokenProviderCompleted")
            return _auth(got.get("auth"))

        self.auth_managers[manager_id] = AuthManagers.basic(provider)
        return {"name": "BasicAuthTokenManager", "data": {"id": manager_id}}

    async def on_NewBearerAuthTokenManager(self, data: dict) -> dict:
        from .server import _auth

        manager_id = self._new_id()

        async def provider() -> ExpiringAuth:
            got = await self._callback("BearerAuthTokenProviderRequest",
                                       {"bearerAuthTokenManagerId": manager_id},
                                       "BearerAuthTokenProviderCompleted")
            wrapped = got.get("auth") or {}
            wrapped = wrapped.get("data", wrapped)
            expiring = ExpiringAuth(_auth(wrapped.get("auth")))
            if wrapped.get("expiresInMs") is not None:
                expiring = expiring.expires_in(wrapped["expiresInMs"] / 1000)
            return expiring

        self.auth_managers[manager_id] = AuthManagers.bearer(provider)
        return {"name": "BearerAuthTokenManager", "data": {"id": manager_id}}

    async def on_AuthTokenManagerClose(self, data: dict) -> dict:
        self.auth_managers.pop(data["id"], None)
        return {"name": "AuthTokenManager", "data": {"id": data["id"]}}

    async def on_VerifyAuthentication(self, data: dict) -> dict:
        from .server import _auth

        token = data.get("authorizationToken")
        driver = self.drivers[data["driverId"]]
        ok = await driver.verify_authentication(None if token is None else _auth(token))
        return {"name": "DriverIsAuthenticated",
                "data": {"id": data["driverId"], "authenticated": ok}}

    async def on_CheckSessionAuthSupport(self, data: dict) -> dict:
        available = await self.drivers[data["driverId"]].supports_session_auth()
        return {"name": "SessionAuthSupport", "data": {"id": data["driverId"], "available": available}}
