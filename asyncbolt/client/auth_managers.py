"""Auth managers: where a driver gets the token of each connection it authenticates.

    manager = AuthManagers.bearer(fetch_sso_token)     # fetch_sso_token() -> ExpiringAuth
    driver = asyncbolt.Driver("neo4j://db:7687", auth=manager)

A :class:`~asyncbolt.client.driver.Driver` asks its manager (``get_auth()``) for the token
whenever it opens a connection and whenever it hands an idle one out; a connection whose token
is no longer the current one is re-authenticated (Bolt 5.1+: LOGOFF and LOGON on it; before,
it is closed and a new one opened). When a server refuses a connection's token with a
``Neo.ClientError.Security.*`` FAILURE, the manager that gave the token is told
(``handle_security_exception(auth, error)``); its answer True makes the failed work retryable
(``execute_read``/``execute_write``/``execute_query`` run it again, with the new token).

``Neo.ClientError.Security.AuthorizationExpired`` (the server's cached authorization ran out)
closes the connection it came on, makes every other connection to that server
re-authenticate before its next use, and is always retryable.

Session-level auth (``driver.session(auth=...)``) takes a static token for the session's
connections: they are re-authenticated to it as they are acquired (which needs Bolt 5.1+:
:class:`~asyncbolt.errors.ConfigurationError` before) and back to the driver's token when a
later session without auth acquires them, so no session sees another's credentials.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from asyncbolt._generated.versions import has, since
from asyncbolt.client import clock
from asyncbolt.client.auth import auth_token
from asyncbolt.core.handshake import format_version
from asyncbolt.errors import ConfigurationError, Neo4jError

if TYPE_CHECKING:
    from asyncbolt.client.connection import Connection

__all__ = ["AuthManager", "AuthManagers", "ExpiringAuth", "StaticAuthManager",
           "RefreshingAuthManager"]

log = logging.getLogger(__name__)

AUTHORIZATION_EXPIRED = "Neo.ClientError.Security.AuthorizationExpired"
TOKEN_EXPIRED = "Neo.ClientError.Security.TokenExpired"
UNAUTHORIZED = "Neo.ClientError.Security.Unauthorized"
_SECURITY = "Neo.ClientError.Security."


@runtime_checkable
class AuthManager(Protocol):
    """What ``Driver(auth=...)`` accepts besides a token: any object with these two coroutines.

    ``get_auth()`` returns the token to authenticate with now (a dict from
    :func:`asyncbolt.basic_auth` & co., a ``(user, password)`` tuple, or None). It is called once
    per connection acquisition, so it should be quick (cache, refresh when needed).
    ``handle_security_exception(auth, error)`` hears that the server refused ``auth`` (a token
    this manager gave) with ``error``, a ``Neo.ClientError.Security.*`` Neo4jError; True says
    the work may be retried (the manager has a better token now), False that it may not.
    Neither may use the driver (that can deadlock the pool)."""

    async def get_auth(self) -> Any: ...

    async def handle_security_exception(self, auth: Any, error: Neo4jError) -> bool: ...


@dataclass(frozen=True)
class ExpiringAuth:
    """A token and when it stops being valid: ``expires_at`` in seconds since the epoch
    (``time.time()``'s clock, read through :func:`asyncbolt.client.clock.now`, which a test can
    replace), None for "until the server says so"."""

    auth: Any
    expires_at: float | None = None

    def expires_in(self, seconds: float) -> ExpiringAuth:
        """The same token, expiring ``seconds`` from now."""
        return ExpiringAuth(self.auth, clock.now() + seconds)

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at < clock.now()


class StaticAuthManager:
    """The same token always; the server's refusals are never retryable."""

    def __init__(self, auth: Any) -> None:
        auth_token(auth)  # (a malformed token fails here, not at the first connection)
        self._auth = auth

    async def get_auth(self) -> Any:
        return self._auth

    async def handle_security_exception(self, auth: Any, error: Neo4jError) -> bool:
        return False

    def __repr__(self) -> str:
        return "<StaticAuthManager>"


class RefreshingAuthManager:
    """A token from ``provider()`` (a function or coroutine function returning an
    :class:`ExpiringAuth`, or a bare token that never expires), asked again when it expires or
    when the server refuses it with one of ``handled_codes`` (then the refusal is retryable).
    One refresh at a time: concurrent acquisitions wait for it."""

    def __init__(self, provider: Callable[[], Any], handled_codes: frozenset[str]) -> None:
        if not callable(provider):
            raise TypeError(f"the auth provider must be callable, got {provider!r}")
        self._provider = provider
        self.handled_codes = handled_codes
        self._current: ExpiringAuth | None = None
        self._lock = asyncio.Lock()

    async def _refresh(self) -> ExpiringAuth:
        got = self._provider()
        if inspect.isawaitable(got):
            got = await got
        if not isinstance(got, ExpiringAuth):
            got = ExpiringAuth(got)
        auth_token(got.auth)  # (say now, and here, when the provider gave something unusable)
        self._current = got
        return got

    async def get_auth(self) -> Any:
        async with self._lock:
            current = self._current
            if current is None or current.expired:
                log.debug("auth manager: %s", "first token" if current is None else "token expired")
                current = await self._refresh()
            return current.auth

    async def handle_security_exception(self, auth: Any, error: Neo4jError) -> bool:
        if error.code not in self.handled_codes:
            return False
        async with self._lock:
            if self._current is not None and self._current.auth == auth:
                log.debug("auth manager: the server refused the token (%s); refreshing", error.code)
                await self._refresh()
        return True

    def __repr__(self) -> str:
        return f"<RefreshingAuthManager handles {sorted(self.handled_codes)}>"


class AuthManagers:
    """Ready-made :class:`AuthManager`\\ s, as the official driver's ``AsyncAuthManagers``."""

    @staticmethod
    def static(auth: Any) -> AuthManager:
        """Always ``auth``. Same as passing ``auth`` itself to the driver."""
        return StaticAuthManager(auth)

    @staticmethod
    def basic(provider: Callable[[], Any]) -> AuthManager:
        """A token from ``provider()`` (sync or async; a token, or an :class:`ExpiringAuth`),
        asked again when the server says ``Neo.ClientError.Security.Unauthorized`` (password
        rotation), which then is retryable."""
        return RefreshingAuthManager(provider, frozenset((UNAUTHORIZED,)))

    @staticmethod
    def bearer(provider: Callable[[], Any]) -> AuthManager:
        """A token from ``provider()`` (sync or async; an :class:`ExpiringAuth`), asked again
        when its ``expires_at`` passes or the server says ``TokenExpired`` or ``Unauthorized``
        (then retryable): SSO and cloud IAM tokens."""
        return RefreshingAuthManager(provider, frozenset((TOKEN_EXPIRED, UNAUTHORIZED)))


def is_auth_manager(auth: Any) -> bool:
    return callable(getattr(auth, "get_auth", None)) and \
        callable(getattr(auth, "handle_security_exception", None))


# -------------------------------------------------------------------------------------------
# What the pool does with them


@dataclass(frozen=True)
class AcquireAuth:
    """Who authenticates an acquisition: the driver's manager, or a session's own token
    (``session``: then the connection must be able to switch users, Bolt 5.1+)."""

    manager: Any
    session: bool = False


#: A session's auth for the acquisitions made while it asks for a connection (the routing
#: table's included); unset: the driver's.
_SESSION_AUTH: ContextVar[AcquireAuth | None] = ContextVar("asyncbolt_session_auth", default=None)


@contextmanager
def acquiring_as(auth: AcquireAuth | None) -> Iterator[None]:
    """Acquisitions inside use ``auth`` (None: the driver's)."""
    token = _SESSION_AUTH.set(auth)
    try:
        yield
    finally:
        _SESSION_AUTH.reset(token)


def acquisition_auth(default: AcquireAuth | None) -> AcquireAuth | None:
    return _SESSION_AUTH.get() or default


def check_user_switching(conn: Connection) -> None:
    """Session-level auth needs LOGOFF/LOGON (a connection serves several users in turn)."""
    version = conn.negotiated_version
    if not has("logon", version):
        raise ConfigurationError(
            "Neo.ClientError.Request.Invalid",
            f"User switching is not supported for Bolt protocol version{tuple(version)!r} "
            f"({conn.host}:{conn.port}): session-level auth needs Bolt "
            f"{format_version(since('logon'))}+; use a Driver with that auth instead")


async def current_token(auth: AcquireAuth) -> tuple[Any, dict[str, Any]]:
    """What the manager says now, and that as a token dict."""
    raw = await auth.manager.get_auth()
    return raw, auth_token(raw)


def remember(conn: Connection, auth: AcquireAuth, raw: Any) -> None:
    conn.auth_manager, conn.auth_given, conn.auth_stale = auth.manager, raw, False


async def reauthenticate(conn: Connection, auth: AcquireAuth, force: bool = False) -> bool:
    """Bring an idle connection to ``auth``'s current token: True when it is (it was, or after
    LOGOFF/LOGON), False when it must be replaced (Bolt before 5.1 and another token).
    ConfigurationError for session auth before 5.1. ``force``: LOGOFF/LOGON even with the
    same token."""
    if auth.session:
        check_user_switching(conn)
    raw, token = await current_token(auth)
    if token == conn._auth and not conn.auth_stale and not force:
        remember(conn, auth, raw)
        return True
    if not has("logon", conn.negotiated_version):
        log.debug("auth: %s has another token and cannot switch (Bolt < %s); replacing it",
                  conn, format_version(since("logon")))
        return False
    # Pipelined with the work that follows (as the official drivers): a refused token fails
    # it; forced (verify_authentication), the answer is awaited here.
    try:
        answered = await conn.reauth(token, wait=force)
    except BaseException:
        conn.auth_stale = True  # (the pool closes it)
        raise
    if answered is not None:
        answered.add_done_callback(partial(_logon_answered, conn))
    remember(conn, auth, raw)
    return True


def _logon_answered(conn: Connection, future: asyncio.Future) -> None:
    """A pipelined LOGON was refused: the server ends the connection, and what was sent after
    it fails with the refusal itself rather than with a lost connection."""
    error = None if future.cancelled() else future.exception()
    if error is not None and not conn.closed:
        conn.end_reason = conn.end_reason or "token refused"
        conn._abort(error)


#: The attribute a handled security failure carries: is_retryable then says True.
RETRYABLE_AFTER_AUTH = "_retryable_after_auth"
_PENDING = "_auth_manager_to_tell"


class ManagerNotice:
    """Telling a manager of a security failure, once. It runs when someone needs its outcome
    (:func:`settled`: the retry loop before deciding) or at the pool's next acquisition, in
    the task that asked for the connection; never on its own from the connection's reader,
    so a manager's callbacks run where the application is waiting for the driver."""

    def __init__(self, manager: Any, auth: Any, error: Neo4jError) -> None:
        self.manager, self.auth, self.error = manager, auth, error
        self._task: asyncio.Future | None = None

    async def run(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._tell())
        await asyncio.shield(self._task)

    async def _tell(self) -> None:
        try:
            handled = await self.manager.handle_security_exception(self.auth, self.error)
        except Exception:
            log.exception("the auth manager's handle_security_exception failed")
            return
        if handled:
            setattr(self.error, RETRYABLE_AFTER_AUTH, True)


def security_failure(conn: Connection, error: Neo4jError) -> ManagerNotice | None:
    """A connection's FAILURE with a security code: the notice for the manager that gave its
    token (also carried by the error, see :func:`settled`); None for other failures."""
    return refused(conn.auth_manager, conn.auth_given, error)


def refused(manager: Any, auth: Any, error: BaseException) -> ManagerNotice | None:
    """The server refused ``auth`` (from ``manager``) with ``error``: the notice to give the
    manager when ``error`` has a security code (also carried by the error), else None."""
    if manager is None or not isinstance(error, Neo4jError) or \
            not error.code.startswith(_SECURITY) or getattr(error, _PENDING, None) is not None:
        return None
    notice = ManagerNotice(manager, auth, error)
    setattr(error, _PENDING, notice)
    return notice


async def settled(error: BaseException | None) -> None:
    """Tell the auth manager of ``error`` (or of the failure that caused it) if that is due,
    and wait for it: then the error's retryability is final."""
    seen = 0
    while error is not None and seen < 10:
        notice = getattr(error, _PENDING, None)
        if notice is not None:
            await notice.run()
            return
        error, seen = error.__cause__ or error.__context__, seen + 1
