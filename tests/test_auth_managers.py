"""Auth managers and session-level auth (issue #18), on loopback against asyncbolt's own server:
a :class:`Realm` of accepted credentials that can expire a token (``TokenExpired``) or an
authorization (``AuthorizationExpired``) and logs every LOGON/LOGOFF, so the tests see which
connection authenticated with what, and when."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import asyncbolt
from asyncbolt import AuthManagers, ExpiringAuth, bearer_auth
from asyncbolt.client.auth_managers import StaticAuthManager
from asyncbolt.client.session import is_retryable
from asyncbolt.errors import AuthError, ClientError, ConfigurationError, Neo4jError

TOKEN_EXPIRED = "Neo.ClientError.Security.TokenExpired"
AUTHZ_EXPIRED = "Neo.ClientError.Security.AuthorizationExpired"
UNAUTHORIZED = "Neo.ClientError.Security.Unauthorized"


class Realm:
    """What the server's sessions share: the credentials it accepts, the ones whose token has
    expired, how many AuthorizationExpired failures are due, and a log of (event, conn, who)."""

    def __init__(self, *accepted: str) -> None:
        self.accepted = set(accepted)
        self.expired: set[str] = set()
        self.authz_failures = 0
        self.log: list[tuple[str, int, Any]] = []
        self.connections = 0

    def events(self, kind: str) -> list[tuple[int, Any]]:
        return [(conn, who) for event, conn, who in self.log if event == kind]


class RealmSession(asyncbolt.ServerSession):
    def __init__(self, realm: Realm, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.realm = realm
        realm.connections += 1
        self.number = realm.connections
        self.user: str | None = None

    async def authenticate(self, auth: dict[str, Any]) -> None:
        secret = auth.get("credentials")
        self.realm.log.append(("logon", self.number, secret))
        if secret not in self.realm.accepted:
            raise AuthError("unknown credentials")
        self.user = secret

    async def logoff(self) -> None:
        self.realm.log.append(("logoff", self.number, self.user))
        self.user = None

    async def run(self, query: str, parameters: dict[str, Any], extra: dict[str, Any]) -> Any:
        if self.user in self.realm.expired:
            raise ClientError(TOKEN_EXPIRED, "the token has expired")
        if query == "EXPIRE" and self.realm.authz_failures > 0:
            self.realm.authz_failures -= 1
            raise ClientError(AUTHZ_EXPIRED, "the authorization has expired")
        return asyncbolt.Result(["who", "conn"], [[self.user, self.number]])


@pytest.fixture
async def realm():
    realm = Realm("t1", "t2", "driver-pw", "session-pw")
    async with await asyncbolt.serve(RealmSession, "127.0.0.1", 0, realm=realm) as server:
        realm.port = server.port  # type: ignore[attr-defined]
        yield realm


def driver(realm: Realm, auth: Any, **kwargs: Any) -> asyncbolt.Driver:
    kwargs.setdefault("max_retry_time", 5.0)
    return asyncbolt.Driver(f"bolt://127.0.0.1:{realm.port}", auth=auth,  # type: ignore[attr-defined]
                            initial_retry_delay=0.001, **kwargs)


async def who(session: Any) -> tuple[str, int]:
    record = await (await session.run("RETURN who")).single()
    return record["who"], record["conn"]


class Tokens:
    """A provider handing out the given tokens in turn (the last one forever), counting calls."""

    def __init__(self, *tokens: Any) -> None:
        self.tokens = list(tokens)
        self.calls = 0

    async def __call__(self) -> Any:
        self.calls += 1
        return self.tokens[min(self.calls, len(self.tokens)) - 1]


class Recording:
    """A manager of our own: the current token, and every security failure it heard of."""

    def __init__(self, token: Any, handles: bool = False) -> None:
        self.token = token
        self.handles = handles
        self.gets = 0
        self.heard: list[tuple[Any, str]] = []

    async def get_auth(self) -> Any:
        self.gets += 1
        return self.token

    async def handle_security_exception(self, auth: Any, error: Neo4jError) -> bool:
        self.heard.append((auth, error.code))
        return self.handles


# -------------------------------------------------------------------------------------------
# The managers


async def test_a_bearer_token_past_its_expiry_is_refreshed_with_logoff_logon(realm):
    provider = Tokens(ExpiringAuth(bearer_auth("t1")).expires_in(-1), ExpiringAuth(bearer_auth("t2")))
    async with driver(realm, AuthManagers.bearer(provider)) as d:
        async with d.session() as s:
            assert await who(s) == ("t1", 1)
        async with d.session() as s:  # t1 has expired by now: t2, on the same connection
            assert await who(s) == ("t2", 1)
        async with d.session() as s:
            assert await who(s) == ("t2", 1)
    assert provider.calls == 2
    assert realm.events("logon") == [(1, "t1"), (1, "t2")]
    assert realm.events("logoff") == [(1, "t1")]


async def test_token_expired_is_raised_and_not_retried_with_a_static_token(realm):
    realm.expired.add("t1")
    attempts = []

    async def work(tx: Any) -> Any:
        attempts.append(tx)
        return await (await tx.run("RETURN 1")).single()

    async with driver(realm, bearer_auth("t1")) as d:
        async with d.session() as s:
            with pytest.raises(Neo4jError) as caught:
                await who(s)
            assert caught.value.code == TOKEN_EXPIRED
            assert not is_retryable(caught.value)
            with pytest.raises(Neo4jError) as caught:
                await s.execute_read(work)
            assert caught.value.code == TOKEN_EXPIRED
    assert len(attempts) == 1


async def test_token_expired_is_retried_with_the_bearer_managers_next_token(realm):
    realm.expired.add("t1")
    provider = Tokens(ExpiringAuth(bearer_auth("t1")), ExpiringAuth(bearer_auth("t2")))
    attempts = []

    async def work(tx: Any) -> Any:
        attempts.append(tx)
        return (await (await tx.run("RETURN who")).single())["who"]

    async with driver(realm, AuthManagers.bearer(provider)) as d:
        async with d.session() as s:
            assert await s.execute_read(work) == "t2"
    assert len(attempts) == 2 and provider.calls == 2


async def test_a_manager_hears_of_the_refusal_of_its_own_token_and_decides(realm):
    realm.expired.add("t1")
    for handles in (False, True):
        manager = Recording(bearer_auth("t1"), handles=handles)
        async with driver(realm, manager, max_retry_time=0.2) as d:
            async with d.session() as s:
                with pytest.raises(Neo4jError) as caught:
                    await s.execute_read(lambda tx: tx.run("RETURN 1"))
        assert caught.value.code == TOKEN_EXPIRED
        assert manager.heard[0] == (bearer_auth("t1"), TOKEN_EXPIRED)
        # told once per failure; when it says "retryable", the work ran again (and failed again)
        assert len(manager.heard) == (1 if not handles else len(manager.heard))
        if handles:
            assert len(manager.heard) > 1 and is_retryable(caught.value)


async def test_the_basic_manager_asks_again_after_unauthorized(realm):
    realm.accepted.discard("t2")
    provider = Tokens(bearer_auth("t2"), bearer_auth("t1"))  # a rotated password
    manager = AuthManagers.basic(provider)
    async with driver(realm, manager) as d:
        with pytest.raises(AuthError) as caught:  # the first connection's LOGON is refused
            async with d.session() as s:
                await who(s)
        assert not is_retryable(caught.value)  # (not yet: the manager has not heard of it)
        async with d.session() as s:  # the next acquisition tells it first: a new password
            assert (await who(s))[0] == "t1"
        # in a transaction function, the refusal is retried with the manager's next password
        realm.accepted.discard("t1")
        realm.accepted.add("t2")
        provider.tokens.append(bearer_auth("t2"))
        realm.authz_failures = 1  # (the pooled connection goes: a new one must LOGON)
        async with d.session() as s:
            with pytest.raises(Neo4jError):
                await (await s.run("EXPIRE")).consume()
        assert await d.execute_query("RETURN who") is not None
    assert [who for _, who in realm.events("logon")] == ["t2", "t1", "t1", "t2"]


async def test_static_and_provider_errors_are_clear():
    with pytest.raises(TypeError, match="callable"):
        AuthManagers.bearer("not a function")  # type: ignore[arg-type]
    with pytest.raises((TypeError, ValueError)):
        StaticAuthManager(42)
    manager = AuthManagers.basic(lambda: 42)
    with pytest.raises(TypeError):
        await manager.get_auth()


# -------------------------------------------------------------------------------------------
# Expired authorization


async def test_authorization_expired_closes_its_connection_and_reauthenticates_the_others(realm):
    realm.authz_failures = 1
    async with driver(realm, bearer_auth("t1")) as d:
        first, second = d.session(), d.session()
        tx1, tx2 = await first.begin_transaction(), await second.begin_transaction()
        await tx1.commit()
        await tx2.commit()  # two idle connections now, 1 and 2 (2 used last)
        await first.close()
        await second.close()
        async with d.session() as s:
            result = await s.execute_read(lambda tx: _who_expiring(tx))
        assert result[0] == "t1"
        stats = d.pool_stats()
    # The failed connection closed; the other one authenticated again before its next use.
    assert sum(next(iter(stats.values()))["closed_by_reason"].values()) == 1
    assert realm.events("logoff") == [(result[1], "t1")]
    assert realm.events("logon")[-1] == (result[1], "t1")


async def _who_expiring(tx: Any) -> tuple[str, int]:
    record = await (await tx.run("EXPIRE")).single()
    return record["who"], record["conn"]


async def test_authorization_expired_is_retryable_and_closes_idle_connections_before_5_1(realm):
    realm.authz_failures = 1
    async with driver(realm, bearer_auth("t1"), versions=[(5, 0)]) as d:
        async with d.session() as s:
            with pytest.raises(Neo4jError) as caught:
                await (await s.run("EXPIRE")).consume()
        assert caught.value.code == AUTHZ_EXPIRED and is_retryable(caught.value)
        async with d.session() as s:
            assert (await who(s))[1] == 2  # a new connection
    assert realm.events("logoff") == []


# -------------------------------------------------------------------------------------------
# Token changes on servers with and without LOGOFF/LOGON


async def test_a_changed_token_before_5_1_gets_a_fresh_connection(realm):
    manager = Recording(bearer_auth("t1"))
    async with driver(realm, manager, versions=[(5, 0)]) as d:
        async with d.session() as s:
            assert await who(s) == ("t1", 1)
        manager.token = bearer_auth("t2")
        async with d.session() as s:
            assert await who(s) == ("t2", 2)
        stats = next(iter(d.pool_stats().values()))
    assert stats["closed_by_reason"] == {"re-authentication": 1}
    assert realm.events("logoff") == []
    # As the official driver: asked once per acquisition, and again for the replacement.
    assert manager.gets == 3


async def test_a_changed_token_on_5_1_switches_the_idle_connection(realm):
    manager = Recording(bearer_auth("t1"))
    async with driver(realm, manager) as d:
        async with d.session() as s:
            assert await who(s) == ("t1", 1)
        manager.token = bearer_auth("t2")
        async with d.session() as s:
            assert await who(s) == ("t2", 1)
    assert realm.events("logoff") == [(1, "t1")]
    assert manager.gets == 2


# -------------------------------------------------------------------------------------------
# Session-level auth


async def test_session_auth_does_not_leak_into_other_sessions(realm):
    async with driver(realm, ("neo4j", "driver-pw")) as d:
        async with d.session(auth=("alice", "session-pw")) as s:
            tx = await s.begin_transaction()
            assert await who(tx) == ("session-pw", 1)
            # meanwhile, another session: the driver's token, on another connection
            async with d.session() as other:
                assert await who(other) == ("driver-pw", 2)
            await tx.commit()
            # still the session's token, on whichever connection it gets next
            assert (await who(s))[0] == "session-pw"
        async with d.session() as s:  # back to the driver's token
            assert (await who(s))[0] == "driver-pw"
        async with d.session() as s:
            assert (await who(s))[0] == "driver-pw"
        assert (await d.execute_query("RETURN 1")).records[0]["who"] == "driver-pw"
    assert realm.connections == 2


async def test_a_refused_session_token_on_a_pooled_connection_raises_the_refusal(realm):
    async with driver(realm, ("neo4j", "driver-pw")) as d:
        assert (await d.execute_query("RETURN 1")).records[0]["who"] == "driver-pw"
        async with d.session(auth=("alice", "wrong")) as s:  # LOGOFF, LOGON pipelined with RUN
            with pytest.raises(AuthError) as caught:
                await who(s)
        assert caught.value.code == UNAUTHORIZED
        assert (await d.execute_query("RETURN 1")).records[0]["who"] == "driver-pw"
        stats = next(iter(d.pool_stats().values()))
    assert stats["closed_by_reason"] == {"token refused": 1}
    assert realm.events("logoff") == [(1, "driver-pw")]


async def test_session_auth_needs_bolt_5_1(realm):
    async with driver(realm, ("neo4j", "driver-pw"), versions=[(5, 0)]) as d:
        assert await d.supports_session_auth() is False
        async with d.session(auth=("alice", "session-pw")) as s:
            with pytest.raises(ConfigurationError, match="User switching is not supported"):
                await who(s)
        async with d.session() as s:  # the driver's own sessions still work
            assert (await who(s))[0] == "driver-pw"
    async with driver(realm, ("neo4j", "driver-pw")) as d:
        assert await d.supports_session_auth() is True


async def test_session_auth_is_not_told_to_the_drivers_manager(realm):
    realm.expired.add("session-pw")
    manager = Recording(bearer_auth("t1"), handles=True)
    async with driver(realm, manager) as d:
        async with d.session(auth=bearer_auth("session-pw")) as s:
            with pytest.raises(Neo4jError) as caught:
                await s.execute_read(lambda tx: tx.run("RETURN 1"))
    assert caught.value.code == TOKEN_EXPIRED and not is_retryable(caught.value)
    assert manager.heard == [] and manager.gets == 0


async def test_execute_query_with_its_own_auth(realm):
    async with driver(realm, ("neo4j", "driver-pw")) as d:
        eager = await d.execute_query("RETURN who", auth_=("alice", "session-pw"))
        assert eager.records[0]["who"] == "session-pw"
        assert (await d.execute_query("RETURN who")).records[0]["who"] == "driver-pw"
        with pytest.raises(AuthError):
            await d.execute_query("RETURN who", auth_=("alice", "wrong"))


async def test_verify_authentication_logs_on_anew(realm):
    async with driver(realm, ("neo4j", "driver-pw")) as d:
        assert await d.verify_authentication() is True
        assert await d.verify_authentication(("alice", "session-pw")) is True
        assert await d.verify_authentication(("alice", "wrong")) is False
        assert await d.verify_authentication() is True
        # the pooled connection authenticated again each time (LOGOFF, LOGON)
        assert [who for _, who in realm.events("logon")] == \
            ["driver-pw", "session-pw", "wrong", "driver-pw"]
        assert len(realm.events("logoff")) == 2  # (the refused one was closed)
        assert await d.verify_authentication() is True  # the same token: LOGON again all the same
        assert realm.events("logon")[-2:] == [(2, "driver-pw"), (2, "driver-pw")]
    async with driver(realm, ("neo4j", "driver-pw"), versions=[(5, 0)]) as d:
        assert await d.verify_authentication() is True
        with pytest.raises(ConfigurationError):
            await d.verify_authentication(("alice", "session-pw"))


async def test_concurrent_acquisitions_refresh_once(realm):
    provider = Tokens(ExpiringAuth(bearer_auth("t1")))
    async with driver(realm, AuthManagers.bearer(provider)) as d:
        async def one() -> str:
            async with d.session() as s:
                return (await who(s))[0]
        assert await asyncio.gather(*(one() for _ in range(5))) == ["t1"] * 5
    assert provider.calls == 1
