"""The home database cache (asyncbolt.client.homedb): a routing driver resolves each user's home
database once, not once per session. Played against ``asyncbolt stub`` scripts (one server
that is router, reader and writer), counting the ROUTE requests in the stub's log: one per
user, not one per session. On Bolt 5.8 with server-side routing the session sends no ``db``,
the server names the database in the SUCCESS of BEGIN/RUN, and a different name corrects the
cache; before 5.8 (or without server-side routing) each session asks, unless the cache is
told to be used ``without_ssr`` (then the cached name is sent as the session's ``db``)."""

from __future__ import annotations

import asyncio
import json
import socket
import textwrap
from typing import Any

import pytest

import asyncbolt
from asyncbolt.client.homedb import HomeDatabaseCache, home_key
from asyncbolt.client.routing import Address, Router
from asyncbolt.errors import ClientError
from asyncbolt.tools.stub import StubServer

HOMES = {"alice": "alice_home", "bob": "bob_home", None: "neo4j"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def table(port: int, db: str) -> str:
    address = f"127.0.0.1:{port}"
    return json.dumps({"rt": {"ttl": 1000, "db": db, "servers": [
        {"addresses": [address], "role": "ROUTE"}, {"addresses": [address], "role": "READ"},
        {"addresses": [address], "role": "WRITE"}]}})


def cluster_script(version: str, port: int, answers: dict[str, str] | None = None,
                   ssr: bool = True) -> str:
    """A server that answers ROUTE for each user (and for a named database), and any RUN/PULL
    or BEGIN/RUN/PULL/COMMIT. ``answers``: the ``db`` to name in RUN/BEGIN SUCCESS, per query
    text (Bolt 5.8: the resolved home database)."""
    routes = []
    for user, home in HOMES.items():
        extra = {} if user is None else {"imp_user": user}
        routes.append(f'C: ROUTE "*" "*" {json.dumps(extra)}\n'
                      f'S: SUCCESS {table(port, home)}')
    for db in ("alice_home", "bob_home", "neo4j", "new_home", "old_home"):
        routes.append(f'C: ROUTE "*" "*" {{"db": "{db}", "[imp_user]": "*"}}\n'
                      f'S: SUCCESS {table(port, db)}')
    runs = []
    for query, db in (answers or {"RETURN 1": ""}).items():
        meta = {"fields": ["n"]}
        if db:
            meta["db"] = db
        runs.append(f'C: RUN "{query}" "*" "*"\n'
                    f'S: SUCCESS {json.dumps(meta)}\n'
                    f'C: PULL "*"\n'
                    f'S: RECORD [1]\n'
                    f'   SUCCESS {{"type": "r"}}')
        begin = {"db": db} if db else {}
        runs.append(f'C: BEGIN "*"\n'
                    f'S: SUCCESS {json.dumps(begin)}\n'
                    f'C: RUN "{query}" "*" "*"\n'
                    f'S: SUCCESS {{"fields": ["n"]}}\n'
                    f'C: PULL "*"\n'
                    f'S: RECORD [1]\n'
                    f'   SUCCESS {{"type": "r"}}\n'
                    f'C: COMMIT\n'
                    f'S: SUCCESS {{"bookmark": "bm"}}')
    body = "\n    ----\n".join(textwrap.indent(part, "        ") for part in routes + runs)
    hints = {"ssr.enabled": True} if ssr and version == "5.8" else {}
    return (f"!: BOLT {version}\n!: ALLOW CONCURRENT\n!: AUTO RESET\n\n"
            'C: HELLO {"{}": "*"}\n'
            f'S: SUCCESS {{"server": "Neo4j/5.26.0", "connection_id": "b", "hints": {json.dumps(hints)}}}\n'
            + ('A: LOGON {"{}": "*"}\n' if version != "4.4" else "")
            + "{*\n    {{\n" + body + "\n    }}\n*}\n?: GOODBYE\n")


def requests(stub: StubServer, name: str) -> list[dict[str, Any]]:
    """The extra maps (last field) of the ``name`` requests the stub received, in order."""
    out = []
    for line in stub.log:
        head = f"C: {name} "
        if head in line:
            text = line.split(head, 1)[1]
            decoder = json.JSONDecoder()
            fields, pos = [], 0
            while pos < len(text):
                value, end = decoder.raw_decode(text, pos)
                fields.append(value)
                pos = end + 1
            extra = fields[-1]
            out.append(extra.get("{}", extra) if isinstance(extra, dict) else extra)
    return out


async def run_in_sessions(driver: asyncbolt.Driver, n: int, *, imp_user: str | None = None,
                          tx: bool = False, query: str = "RETURN 1", **session: Any) -> None:
    for _ in range(n):
        async with driver.session(default_access_mode="r", imp_user=imp_user, **session) as s:
            if tx:
                async with await s.begin_transaction() as t:
                    await (await t.run(query)).values()
            else:
                await (await s.run(query)).values()


async def play(version: str, work: Any, answers: dict[str, str] | None = None, *,
               ssr: bool = True, without_ssr: bool = False) -> StubServer:
    port = free_port()
    async with StubServer(cluster_script(version, port, answers, ssr), port=port) as stub:
        async with asyncbolt.Driver(f"neo4j://127.0.0.1:{port}", auth=("neo4j", "pw"),
                                    versions=[tuple(int(p) for p in version.split("."))],
                                    connection_timeout=5,
                                    connection_acquisition_timeout=10) as driver:
            driver.home_database_cache.without_ssr = without_ssr
            await asyncio.wait_for(work(driver), 20)
        assert await stub.wait(5), stub.errors
    return stub


async def six_sessions_per_user(driver: asyncbolt.Driver, tx: bool = False) -> None:
    for user in ("alice", "bob", None, "alice", "bob", None):
        await run_in_sessions(driver, 3, imp_user=user, tx=tx)


@pytest.mark.parametrize("version,ssr", [("4.4", False), ("5.4", False), ("5.8", False)])
async def test_without_server_side_routing_each_session_asks(version: str, ssr: bool) -> None:
    stub = await play(version, six_sessions_per_user, ssr=ssr)
    routes = requests(stub, "ROUTE")
    assert len(routes) == 18 and not [r for r in routes if "db" in r], routes


@pytest.mark.parametrize("version", ["4.4", "5.4"])
@pytest.mark.parametrize("tx", [False, True], ids=["run", "tx"])
async def test_one_route_per_user_when_told_to_cache_without_ssr(version: str, tx: bool) -> None:
    caches: list[HomeDatabaseCache] = []

    async def work(driver: asyncbolt.Driver) -> None:
        caches.append(driver.home_database_cache)
        await six_sessions_per_user(driver, tx)

    stub = await play(version, work, without_ssr=True)
    routes = requests(stub, "ROUTE")
    assert sorted(r.get("imp_user", "-") for r in routes) == ["-", "alice", "bob"], routes
    sent = requests(stub, "BEGIN" if tx else "RUN")
    dbs = [(m.get("imp_user"), m.get("db")) for m in sent if "db" in m or "imp_user" in m]
    # the cached name goes in every BEGIN/RUN: the right one for each user
    assert {db for user, db in dbs if user == "alice"} == {"alice_home"}
    assert {db for user, db in dbs if user == "bob"} == {"bob_home"}
    assert {m.get("db") for m in sent if "imp_user" not in m} == {"neo4j"}
    stats = caches[0].stats()
    assert stats["entries"] == 3 and stats["misses"] == 3 and stats["hits"] == 15


@pytest.mark.parametrize("tx", [False, True], ids=["run", "tx"])
async def test_5_8_with_server_side_routing_one_route_per_user(tx: bool) -> None:
    caches: list[HomeDatabaseCache] = []

    async def work(driver: asyncbolt.Driver) -> None:
        caches.append(driver.home_database_cache)
        await six_sessions_per_user(driver, tx)

    stub = await play("5.8", work)
    routes = requests(stub, "ROUTE")
    assert sorted(r.get("imp_user", "-") for r in routes) == ["-", "alice", "bob"], routes
    assert caches[0].stats()["hits"] == 15


async def test_bookmarks_given_to_a_session_resolve_anew() -> None:
    async def work(driver: asyncbolt.Driver) -> None:
        await run_in_sessions(driver, 2)
        await run_in_sessions(driver, 1, bookmarks=["bm"])

    stub = await play("5.8", work, {"RETURN 1": "neo4j"})
    routes = requests(stub, "ROUTE")
    assert len(routes) == 2, routes


async def test_5_8_sends_no_db_and_learns_it_from_the_success() -> None:
    cache: list[HomeDatabaseCache] = []

    async def work(driver: asyncbolt.Driver) -> None:
        cache.append(driver.home_database_cache)
        await run_in_sessions(driver, 1)            # ROUTE: "neo4j", sent by name
        await run_in_sessions(driver, 3)            # cached: no db, the server names it
        await run_in_sessions(driver, 2, tx=True)

    stub = await play("5.8", work, {"RETURN 1": "neo4j"})
    assert len(requests(stub, "ROUTE")) == 1
    runs = requests(stub, "RUN")
    begins = requests(stub, "BEGIN")
    assert runs[0].get("db") == "neo4j"
    assert all("db" not in m for m in runs[1:4]), runs  # the server resolves it
    assert all("db" not in m for m in begins), begins
    assert cache[0].stats()["corrections"] == 0 and cache[0].peek(None) == "neo4j"


async def test_5_8_corrects_the_cache_when_the_server_names_another_database() -> None:
    cache: list[HomeDatabaseCache] = []

    async def work(driver: asyncbolt.Driver) -> None:
        c = driver.home_database_cache
        cache.append(c)
        # (a first connection says the server resolves home databases itself)
        await run_in_sessions(driver, 1, db="neo4j", query="RETURN 2")
        assert driver.router.ssr_enabled
        c.put(None, "old_home")  # what an earlier resolution said; the home database moved
        async with driver.session(default_access_mode="r") as s:
            await (await s.run("RETURN 1")).values()
            assert c.peek(None) == "new_home"
            # the session is pinned to what the server named
            await (await s.run("RETURN 2")).values()
        await run_in_sessions(driver, 1, query="RETURN 1")

    stub = await play("5.8", work, {"RETURN 1": "new_home", "RETURN 2": "new_home"})
    runs = requests(stub, "RUN")[1:]
    assert "db" not in runs[0] and runs[1].get("db") == "new_home" and "db" not in runs[2]
    # one table for the guess, one for the corrected name: never the home database's
    assert [r.get("db") for r in requests(stub, "ROUTE")] == ["neo4j", "old_home", "new_home"]
    assert cache[0].stats()["corrections"] == 1


# -- the cache itself -------------------------------------------------------------------------


def test_entries_expire_after_ttl(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr("asyncbolt.client.clock.monotonic", lambda: now[0])
    cache = HomeDatabaseCache(ttl=10)
    cache.put(None, "neo4j")
    now[0] += 9
    assert cache.get(None) == "neo4j"
    now[0] += 2
    assert cache.get(None) is None
    assert cache.stats() == {"entries": 0, "hits": 1, "misses": 1, "corrections": 0,
                             "evictions": 0, "expired": 1}


def test_size_is_bounded_least_recently_used_first() -> None:
    cache = HomeDatabaseCache(max_size=2)
    cache.put("a", "da")
    cache.put("b", "db")
    assert cache.get("a") == "da"  # now b is the least recently used
    cache.put("c", "dc")
    assert cache.peek("b") is None and cache.peek("a") == "da" and cache.peek("c") == "dc"
    assert cache.stats()["evictions"] == 1 and len(cache) == 2
    off = HomeDatabaseCache(max_size=0)  # (a cache that keeps nothing)
    off.put(None, "neo4j")
    assert off.get(None) is None


def test_clear_forget_and_bad_settings() -> None:
    cache = HomeDatabaseCache()
    cache.put(("imp_user", "x"), "d1")
    cache.put(("imp_user", "y"), "d1")
    cache.put(None, "d2")
    assert cache.forget_database("d1") == 2 and len(cache) == 1
    cache.put(None, "")  # (not a name: ignored)
    assert cache.peek(None) == "d2"
    cache.clear()
    assert len(cache) == 0
    with pytest.raises(ValueError, match="ttl"):
        HomeDatabaseCache(ttl=-1)
    with pytest.raises(ValueError, match="max_size"):
        HomeDatabaseCache(max_size=-5)


def test_keys_name_the_user_work_runs_as() -> None:
    assert home_key() is None
    assert home_key("bob") == ("imp_user", "bob")
    assert home_key("bob", ("alice", "pw")) == ("imp_user", "bob")  # impersonation wins
    assert home_key(None, ("alice", "pw")) == ("auth", "alice")
    assert home_key(None, {"scheme": "basic", "principal": "carol"}) == ("auth", "carol")
    bearer = home_key(None, {"scheme": "bearer", "credentials": "t1"})
    assert bearer != home_key(None, {"scheme": "bearer", "credentials": "t2"})


def test_database_not_found_drops_the_entries_naming_it() -> None:
    router = Router(pool=None, address=Address("h", 1), context={})  # type: ignore[arg-type]  # (no pool needed: on_error only)
    router.home_db.put(None, "gone")
    router.home_db.put(("imp_user", "x"), "kept")
    router.on_error(Address("h", 1), ClientError("Neo.ClientError.Database.DatabaseNotFound",
                                                 "no such database"), "gone")
    assert router.home_db.peek(None) is None and router.home_db.peek(("imp_user", "x")) == "kept"


async def test_a_direct_driver_has_no_cache() -> None:
    async with asyncbolt.Driver("bolt://127.0.0.1:1") as driver:
        assert driver.home_database_cache is None
        assert driver.encrypted is False
    async with asyncbolt.Driver("neo4j+ssc://127.0.0.1:1") as driver:
        assert isinstance(driver.home_database_cache, asyncbolt.HomeDatabaseCache)
        assert driver.encrypted is True
