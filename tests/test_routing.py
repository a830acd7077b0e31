"""neo4j:// routing against a loopback "cluster" of asyncbolt servers.

The cluster: one router (the only server in the ROUTE role), one writer and several readers, all
``asyncbolt.serve`` instances whose sessions share a :class:`Topology`: their ``route`` hook
answers its current table (short ttl), and a server that is not the writer refuses writes as a
real cluster member does (``NotALeader``, or ``ForbiddenOnReadOnlyDatabase`` from a reader).
Each query is logged with the server that ran it and the access mode the client asked for, so the
tests can see where the driver sent what. The official neo4j driver runs against the same
cluster as a cross-check that the tables are valid.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import threading
from typing import Any

import neo4j
import pytest

import asyncbolt
from asyncbolt.client import session as session_module
from asyncbolt.client.routing import Address, RoutingTable, SessionExpired


class Topology:
    """The cluster's shared state: who has which role, and what every server ran."""

    def __init__(self, ttl: int = 300) -> None:
        self.ttl = ttl
        self.routers: list[str] = []
        self.readers: list[str] = []
        self.writers: list[str] = []
        self.names: dict[str, str] = {}  # address -> name ("writer", "reader1", ...)
        self.by_port: dict[int, str] = {}  # port -> the address the cluster announces
        self.log: list[dict[str, Any]] = []  # one entry per query run
        self.routes: list[dict[str, Any]] = []  # one entry per routing request
        self.begins: list[dict[str, Any]] = []
        self.commits = 0
        self.delay = 0.0  # seconds each query takes, to keep work in flight

    def table(self, db: str | None) -> dict[str, Any]:
        return {"ttl": self.ttl, "db": db or "neo4j", "servers": [
            {"addresses": list(self.routers), "role": "ROUTE"},
            {"addresses": list(self.readers), "role": "READ"},
            {"addresses": list(self.writers), "role": "WRITE"},
        ]}

    def ran(self, name: str | None = None, mode: str | None = None) -> list[dict[str, Any]]:
        return [e for e in self.log if (name is None or e["server"] == name)
                and (mode is None or e["mode"] == mode)]


class ClusterSession(asyncbolt.ServerSession):
    """A cluster member: answers routing requests from the topology, refuses writes unless it is
    the writer, logs every query as read or write by the access mode the client sent."""

    def __init__(self, topology: Topology, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.topology = topology
        self.tx_mode: str | None = None
        self.tx_bookmarks: list[str] = []

    @property
    def me(self) -> str:
        return self.topology.by_port[self.connection.local[1]]

    @property
    def name(self) -> str:
        return self.topology.names.get(self.me, self.me)

    async def route(self, routing: dict[str, Any], bookmarks: list[str], extra: dict[str, Any]) -> dict:
        self.topology.routes.append({"server": self.name, "routing": routing, "bookmarks": bookmarks,
                                     "extra": extra, "version": self.connection.version})
        return self.topology.table(extra.get("db"))

    async def begin(self, extra: dict[str, Any]) -> None:
        self.tx_mode = "r" if extra.get("mode") == "r" else "w"
        self.tx_bookmarks = list(extra.get("bookmarks") or [])
        self.topology.begins.append({"server": self.name, "mode": self.tx_mode,
                                     "bookmarks": self.tx_bookmarks, "db": extra.get("db")})

    async def run(self, query: str, parameters: dict[str, Any], extra: dict[str, Any]) -> asyncbolt.Result:
        topology = self.topology
        mode = self.tx_mode or ("r" if extra.get("mode") == "r" else "w")
        if mode == "w" and self.me not in topology.writers:
            if self.me in topology.readers:
                raise asyncbolt.ClientError("Neo.ClientError.General.ForbiddenOnReadOnlyDatabase",
                                            f"{self.name} is a read replica")
            raise asyncbolt.ClientError("Neo.ClientError.Cluster.NotALeader",
                                        f"{self.name} is not the leader")
        if topology.delay:
            await asyncio.sleep(topology.delay)
        bookmarks = self.tx_bookmarks if self.tx_mode else list(extra.get("bookmarks") or [])
        topology.log.append({"server": self.name, "mode": mode, "query": query,
                             "x": parameters.get("x"), "bookmarks": bookmarks,
                             "tx": self.tx_mode is not None})
        meta: dict[str, Any] = {"type": mode}
        if self.tx_mode is None and mode == "w":
            topology.commits += 1
            meta["bookmark"] = f"bm:{topology.commits}"
        return asyncbolt.Result(["server", "mode", "x"], [[self.name, mode, parameters.get("x")]], meta)

    async def commit(self) -> dict[str, Any]:
        mode, self.tx_mode = self.tx_mode, None
        if mode == "w":
            self.topology.commits += 1
            return {"bookmark": f"bm:{self.topology.commits}"}
        return {"bookmark": f"bm:{self.topology.commits}"}

    async def rollback(self) -> None:
        self.tx_mode = None

    async def reset(self) -> None:
        self.tx_mode = None


class Cluster:
    """A router, a writer and ``readers`` readers on loopback, sharing one Topology."""

    def __init__(self, readers: int = 3, ttl: int = 300, host_name: str = "127.0.0.1",
                 **serve_kwargs: Any) -> None:
        self.topology = Topology(ttl)
        self.host_name = host_name  # what the routing tables call the servers
        self.n_readers = readers
        self.serve_kwargs = serve_kwargs
        self.servers: dict[str, asyncbolt.Server] = {}
        self.addresses: dict[str, str] = {}

    async def start(self) -> Cluster:
        for name in ["router", "writer"] + [f"reader{i}" for i in range(1, self.n_readers + 1)]:
            await self.add(name)
        t = self.topology
        t.routers = [self.addresses["router"]]
        t.writers = [self.addresses["writer"]]
        t.readers = [self.addresses[f"reader{i}"] for i in range(1, self.n_readers + 1)]
        return self

    async def add(self, name: str) -> str:
        server = await asyncbolt.serve(ClusterSession, "127.0.0.1", 0, topology=self.topology,
                                       **self.serve_kwargs)
        address = f"{self.host_name}:{server.port}"
        self.topology.by_port[server.port] = address
        self.servers[name] = server
        self.addresses[name] = address
        self.topology.names[address] = name
        return address

    @property
    def uri(self) -> str:
        return f"neo4j://{self.addresses['router']}"

    async def kill(self, name: str) -> None:
        server = self.servers[name]
        server.close()
        await server.wait_closed()

    async def close(self) -> None:
        for server in self.servers.values():
            server.close()
        await asyncio.gather(*(s.wait_closed() for s in self.servers.values()))


@pytest.fixture
async def cluster():
    c = await Cluster().start()
    try:
        yield c
    finally:
        await c.close()


def fast_driver(uri: str, **kwargs: Any) -> asyncbolt.Driver:
    kwargs.setdefault("initial_retry_delay", 0.01)
    kwargs.setdefault("retry_delay_multiplier", 1.5)
    kwargs.setdefault("max_retry_time", 5.0)
    kwargs.setdefault("connection_timeout", 2.0)
    return asyncbolt.Driver(uri, auth=("neo4j", "pw"), **kwargs)


async def read_x(tx: Any, x: int) -> tuple[str, int]:
    record = await (await tx.run("READ", x=x)).single()
    return record["server"], record["x"]


async def write_x(tx: Any, x: int) -> tuple[str, int]:
    record = await (await tx.run("WRITE", x=x)).single()
    return record["server"], record["x"]


# -------------------------------------------------------------------------------------------
# Addresses and tables


def test_address_parse_and_str() -> None:
    assert Address.parse("db.example:7688") == Address("db.example", 7688)
    assert Address.parse("db.example") == Address("db.example", 7687)
    assert Address.parse("[::1]:9000") == Address("::1", 9000)
    assert Address.parse("::1") == Address("::1", 7687)
    assert Address.parse(("10.0.0.1", 7000, 0, 0)) == Address("10.0.0.1", 7000)
    assert str(Address("::1", 9000)) == "[::1]:9000" and str(Address("h", 1)) == "h:1"
    with pytest.raises(ValueError):
        Address.parse("host:port")
    with pytest.raises(ValueError):
        Address.parse("[::1:7687")


def test_routing_table_parse_freshness_and_forgetting() -> None:
    raw = {"ttl": 300, "db": "neo4j", "servers": [
        {"addresses": ["r:1"], "role": "ROUTE"},
        {"addresses": ["a:1", "b:1"], "role": "READ"},
        {"addresses": ["w:1"], "role": "WRITE"},
        {"addresses": ["x:1"], "role": "SOMETHING_NEW"},
    ]}
    table = RoutingTable.parse(raw)
    assert table.database == "neo4j" and table.ttl == 300
    assert table.routers == [Address("r", 1)] and table.writers == [Address("w", 1)]
    assert table.readers == [Address("a", 1), Address("b", 1)]
    assert table.is_fresh(readonly=True) and table.is_fresh(readonly=False)
    table.forget_writer(Address("w", 1))
    assert table.is_fresh(readonly=True) and not table.is_fresh(readonly=False)
    table.forget(Address("a", 1))
    assert table.readers == [Address("b", 1)]
    table.updated -= 301
    assert not table.is_fresh(readonly=True)
    assert RoutingTable.parse({"ttl": 1, "servers": []}, "other").database == "other"
    for bad in ({"servers": []}, {"ttl": 1}, {"ttl": 1, "servers": [{"role": "READ"}]},
                {"ttl": 1, "servers": [{"addresses": ["h:x"], "role": "READ"}]}):
        with pytest.raises(ValueError):
            RoutingTable.parse(bad)


# -------------------------------------------------------------------------------------------
# Connection.route on every version

ROUTE_VERSIONS = [(1, 0), (2, 0), (3, 0), (4, 0), (4, 1), (4, 2), (4, 3), (4, 4), (5, 0), (5, 4),
                  (5, 8), (6, 0)]


@pytest.mark.parametrize("version", ROUTE_VERSIONS, ids=lambda v: f"{v[0]}.{v[1]}")
async def test_connection_route_on_every_version(cluster, version) -> None:
    uri = f"{cluster.uri}?region=eu"
    async with asyncbolt.connect(uri, auth=("neo4j", "pw"), versions=[version]) as conn:
        db = "movies" if version >= (4, 0) else None
        table = await conn.route(bookmarks=["bm:0"], db=db)
        parsed = RoutingTable.parse(table)
        assert [str(a) for a in parsed.routers] == [cluster.addresses["router"]]
        assert [str(a) for a in parsed.writers] == [cluster.addresses["writer"]]
        assert len(parsed.readers) == 3
        seen = cluster.topology.routes[-1]
        assert seen["routing"] == {"region": "eu", "address": cluster.addresses["router"]}
        if version >= (4, 0):
            assert seen["extra"] == {"db": "movies"} and parsed.database == "movies"
        if version >= (4, 3):
            assert seen["bookmarks"] == ["bm:0"]
        # the connection is usable afterwards
        if version >= (3, 0):
            assert (await (await conn.run("READ", x=1, mode="r")).single())["x"] == 1
        else:  # no access modes before 3.0: the router takes it for a write and refuses it
            with pytest.raises(asyncbolt.ClientError, match="not the leader"):
                await (await conn.run("READ", x=1)).single()
        if version < (4, 4):
            with pytest.raises(asyncbolt.ClientError, match="imp_user"):
                await conn.route(imp_user="bob")
        else:
            await conn.route(db="movies", imp_user="bob")
            assert cluster.topology.routes[-1]["extra"] == {"db": "movies", "imp_user": "bob"}
        if version < (4, 0):
            with pytest.raises(asyncbolt.ClientError, match="db"):
                await conn.route(db="movies")


async def test_route_is_refused_inside_a_transaction(cluster) -> None:
    async with asyncbolt.connect(cluster.uri, auth=("neo4j", "pw")) as conn:
        async with conn.begin(mode="r") as tx:
            with pytest.raises(asyncbolt.ClientError, match="inside a transaction"):
                await conn.route()
            await tx.run("READ", x=1)


# -------------------------------------------------------------------------------------------
# The driver against the cluster


async def test_reads_spread_over_readers_and_writes_go_to_the_writer(cluster) -> None:
    t = cluster.topology
    async with fast_driver(cluster.uri) as driver:
        for i in range(30):
            server, x = await driver.execute_read(read_x, i)
            assert x == i and server.startswith("reader")
        counts = {f"reader{i}": len(t.ran(f"reader{i}")) for i in (1, 2, 3)}
        assert counts == {"reader1": 10, "reader2": 10, "reader3": 10}  # ties rotate
        # concurrently: the least-connected reader gets the next read
        results = await asyncio.gather(*(driver.execute_read(read_x, i) for i in range(60)))
        assert sorted(x for _, x in results) == list(range(60))
        busy = {f"reader{i}": len(t.ran(f"reader{i}")) - 10 for i in (1, 2, 3)}
        assert all(n >= 10 for n in busy.values()), busy
        for i in range(5):
            assert await driver.execute_write(write_x, i) == ("writer", i)
        assert len(t.ran("writer", "w")) == 5 and not t.ran("writer", "r")
        assert not t.ran("router")  # the router only routes
        assert {r["server"] for r in t.routes} == {"router"}
        # each session asked for its home database's table (as the official drivers do where
        # the servers cannot check a cached one: no server-side routing here, see homedb.py);
        # the table itself never needed a refresh, which would name the database
        assert len(t.routes) >= 36 and not [r for r in t.routes if r["extra"]]
        assert not driver.router.ssr_enabled and driver.home_database_cache.stats()["hits"] == 0
        # sessions route by their access mode
        async with driver.session(default_access_mode="r") as s:
            assert (await (await s.run("READ", x=1)).single())["server"].startswith("reader")
        async with driver.session() as s:
            assert (await (await s.run("WRITE", x=1)).single())["server"] == "writer"
            async with await s.begin_transaction() as tx:
                assert (await (await tx.run("WRITE", x=2)).single())["server"] == "writer"
        # one pool per server, no connection to the router beyond the routing one
        stats = driver.pool.stats()
        assert {str(a) for a in stats} == set(cluster.addresses.values())


async def test_hello_carries_the_uri_routing_context_on_every_member(cluster) -> None:
    async with fast_driver(f"{cluster.uri}?region=eu&policy=fast") as driver:
        await driver.execute_read(read_x, 1)
        await driver.execute_write(write_x, 1)
        route = cluster.topology.routes[-1]
        assert route["routing"] == {"region": "eu", "policy": "fast",
                                    "address": cluster.addresses["router"]}
    with pytest.raises(ValueError, match="reserved"):
        asyncbolt.Driver(f"{cluster.uri}?address=x:1")
    with pytest.raises(ValueError, match="neo4j://") as info:
        asyncbolt.Driver(f"bolt://{cluster.addresses['writer']}?region=eu")
    assert f"bolt://{cluster.addresses['writer']}?region=eu" in str(info.value)  # which URI


async def test_writer_killed_writes_fail_over_to_the_new_writer(cluster) -> None:
    t = cluster.topology
    async with fast_driver(cluster.uri) as driver:
        assert (await driver.execute_write(write_x, 1))[0] == "writer"
        # the leader dies; reader3 is elected, and the next routing table says so
        await cluster.kill("writer")
        t.writers = [cluster.addresses["reader3"]]
        t.readers.remove(cluster.addresses["reader3"])
        assert await driver.execute_write(write_x, 2) == ("reader3", 2)
        assert await driver.execute_write(write_x, 3) == ("reader3", 3)
        table = driver.router.tables["neo4j"]  # the home database, by the name the router gave
        assert [str(a) for a in table.writers] == [cluster.addresses["reader3"]]
        assert Address.parse(cluster.addresses["writer"]) not in table.servers()
        # reads never touched the dead writer and keep working
        assert (await driver.execute_read(read_x, 4))[0] in ("reader1", "reader2")


async def test_writer_killed_before_the_table_changes_retries_until_it_does(cluster) -> None:
    t = cluster.topology
    async with fast_driver(cluster.uri) as driver:
        await driver.execute_write(write_x, 1)
        await cluster.kill("writer")

        async def elect_later() -> None:
            await asyncio.sleep(0.2)  # the old table still names the dead writer meanwhile
            t.writers = [cluster.addresses["reader1"]]
            t.readers.remove(cluster.addresses["reader1"])

        election = asyncio.ensure_future(elect_later())
        assert await driver.execute_write(write_x, 2) == ("reader1", 2)
        await election
        assert len(t.routes) >= 3  # it asked again while no writer was known


@pytest.mark.parametrize("refusal", ["NotALeader", "ForbiddenOnReadOnlyDatabase"])
async def test_a_refused_write_forgets_the_writer_and_refreshes(cluster, refusal) -> None:
    t = cluster.topology
    # one session: a new one would ask for its home database's table and find the new writer
    async with fast_driver(cluster.uri) as driver, driver.session() as s:
        assert (await s.execute_write(write_x, 1))[0] == "writer"
        assert len(t.routes) == 1
        # leadership moves to reader2 without anyone dying
        t.writers = [cluster.addresses["reader2"]]
        t.readers.remove(cluster.addresses["reader2"])
        if refusal == "ForbiddenOnReadOnlyDatabase":
            t.readers.append(cluster.addresses["writer"])  # the old writer is a reader now
        assert await s.execute_write(write_x, 2) == ("reader2", 2)
        assert len(t.routes) == 2  # exactly one refresh
        assert t.routes[-1]["extra"] == {"db": "neo4j"}
        # auto-commit sees the error once, and the next write goes to the new writer
        t.writers = [cluster.addresses["reader1"]]
        with pytest.raises(asyncbolt.ClientError) as info:
            await (await s.run("WRITE", x=3)).consume()
        code = info.value.code
        assert code.endswith("ForbiddenOnReadOnlyDatabase") or code.endswith("NotALeader")
        assert not driver.router.tables["neo4j"].writers  # forgotten
        assert (await (await s.run("WRITE", x=4)).single())["server"] == "reader1"


async def test_a_reader_killed_mid_load_loses_no_results(cluster, caplog) -> None:
    t = cluster.topology
    t.delay = 0.002
    caplog.set_level(logging.INFO, logger="asyncbolt.client.session")  # where the retries are logged
    async with fast_driver(cluster.uri, max_pool_size=20) as driver:
        await driver.execute_read(read_x, -1)  # warm up: the table is known
        tasks = [asyncio.ensure_future(driver.execute_read(read_x, i)) for i in range(300)]
        while len(t.ran("reader2")) < 10:  # reader2 is busy with its share
            await asyncio.sleep(0.001)
        await cluster.kill("reader2")
        answered_by_reader2 = len(t.ran("reader2"))
        results = await asyncio.gather(*tasks)
        assert sorted(x for _, x in results) == list(range(300))  # every query answered
        assert len(t.ran("reader2")) == answered_by_reader2  # nothing after it died
        assert {s for s, _ in results} >= {"reader1", "reader3"}
        retried = [r for r in caplog.records if "retrying" in r.getMessage()]
        assert retried, "some queries were in flight on reader2 and ran again elsewhere"
        assert Address.parse(cluster.addresses["reader2"]) not in driver.router.tables["neo4j"].readers
        # the killed reader is back in the next table: the driver finds it dead and moves on
        driver.router.tables["neo4j"].updated -= 1000
        for i in range(10):
            assert (await driver.execute_read(read_x, i))[0] in ("reader1", "reader3")


async def test_ttl_expiry_refreshes_the_table(cluster) -> None:
    t = cluster.topology
    t.ttl = 1
    # one session: a new one would ask for its home database's table anew
    async with fast_driver(cluster.uri) as driver, driver.session(default_access_mode="r") as s:
        await s.execute_read(read_x, 1)
        await s.execute_read(read_x, 2)
        assert len(t.routes) == 1
        await cluster.add("reader4")
        t.readers = [cluster.addresses["reader4"]]  # shows up only in the next table
        assert (await s.execute_read(read_x, 3))[0] != "reader4"
        await asyncio.sleep(1.05)
        assert (await s.execute_read(read_x, 4))[0] == "reader4"
        assert len(t.routes) == 2
        # the idle connections to servers no table names any more were closed
        gone = {Address.parse(cluster.addresses[f"reader{i}"]) for i in (1, 2, 3)}
        assert not gone & set(driver.pool.addresses)


async def test_tables_per_database(cluster) -> None:
    t = cluster.topology
    async with fast_driver(cluster.uri) as driver:
        await driver.execute_read(read_x, 1, db_="movies")
        await driver.execute_write(write_x, 1, db_="people")
        await driver.execute_read(read_x, 2, db_="movies")
        assert sorted(r["extra"].get("db") for r in t.routes) == ["movies", "people"]
        assert set(driver.router.tables) == {"movies", "people"}
        assert {b["db"] for b in t.begins} == {"movies", "people"}


async def test_a_session_without_a_database_pins_the_home_database_the_router_names(cluster) -> None:
    # As the official drivers: before its first work, a session without a database fetches the
    # home database's table (ROUTE without "db"), then names that database in BEGIN/RUN and
    # routes by its table for the rest of its life, even once the home database changed.
    t = cluster.topology
    home = ["homedb1"]
    t.table = lambda db: {**Topology.table(t, db), "db": db or home[0]}
    async with fast_driver(cluster.uri) as driver, driver.session() as first:
        await (await first.run("WRITE", x=1)).consume()
        assert t.routes[-1]["extra"] == {} and len(t.routes) == 1
        home[0] = "homedb2"
        await first.execute_write(write_x, 2)
        await (await first.run("WRITE", x=3)).consume()
        assert len(t.routes) == 1  # the table of homedb1 was still fresh: no new lookup
        assert [b["db"] for b in t.begins] == ["homedb1"]
        async with driver.session(default_access_mode="r", bookmarks=["bm:1"],
                                  bookmark_manager=None) as second:
            await second.execute_read(read_x, 4)
        assert t.routes[-1]["extra"] == {} and t.routes[-1]["bookmarks"] == ["bm:1"]
        assert t.begins[-1]["db"] == "homedb2"
        # the first session's table expires: it is refreshed by the name the session pinned
        driver.router.tables["homedb1"].updated -= 1000
        await first.execute_write(write_x, 5)
        assert t.routes[-1]["extra"] == {"db": "homedb1"} and t.begins[-1]["db"] == "homedb1"
        assert set(driver.router.tables) == {"homedb1", "homedb2"}


async def test_a_home_database_the_router_does_not_name_stays_unnamed(cluster) -> None:
    # A routing table without "db" (servers before Bolt 4.4): the session sends no "db" and
    # the table is the home database's, per impersonated user.
    t = cluster.topology
    t.table = lambda db: {k: v for k, v in Topology.table(t, db).items() if k != "db" or db}
    async with fast_driver(cluster.uri) as driver:
        await driver.execute_write(write_x, 1)
        async with driver.session(imp_user="bob") as session:
            await session.execute_write(write_x, 2)
        assert [b["db"] for b in t.begins] == [None, None]
        assert set(driver.router.tables) == {None, ("home", "bob")}
        assert t.routes[-1]["extra"] == {"imp_user": "bob"}


async def test_concurrent_sessions_share_one_home_database_lookup(cluster) -> None:
    t = cluster.topology
    async with fast_driver(cluster.uri) as driver:
        sessions = [driver.session(default_access_mode="r") for _ in range(10)]
        await asyncio.gather(*(s.execute_read(read_x, i) for i, s in enumerate(sessions)))
        await asyncio.gather(*(s.close() for s in sessions))
        assert len(t.routes) == 1
        async with driver.session(bookmarks=["bm:9"], bookmark_manager=None) as s:  # asked anew
            await s.execute_write(write_x, 1)
        assert len(t.routes) == 2 and t.routes[-1]["bookmarks"] == ["bm:9"]


@pytest.mark.parametrize("version", [(3, 0), (4, 0), (5, 0)], ids=lambda v: f"{v[0]}.{v[1]}")
async def test_supports_multi_db_asks_a_reader(cluster, version) -> None:
    t = cluster.topology
    async with fast_driver(cluster.uri, versions=[version]) as driver:
        assert await driver.supports_multi_db() is (version >= (4, 0))
        assert len(t.routes) == 1 and not t.log  # a routing request, and no query
        readers = {Address.parse(cluster.addresses[f"reader{i}"]) for i in (1, 2, 3)}
        assert readers & set(driver.pool.addresses)


async def _until(condition: Any, what: str) -> None:
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"never happened: {what}")


async def test_a_connection_closed_while_idle_leaves_its_server_in_the_table(cluster) -> None:
    # As the official drivers: a pooled connection that the server closed says nothing about the
    # server now; it is forgotten, and only a failed use (or connect) removes the server.
    async with fast_driver(cluster.uri) as driver, driver.session() as s:
        assert (await s.execute_write(write_x, 1))[0] == "writer"
        writer = Address.parse(cluster.addresses["writer"])
        await cluster.kill("writer")
        await _until(lambda: writer not in driver.pool.stats(), "the idle connection dropped")
        assert writer in driver.router.tables["neo4j"].writers
        assert writer in driver.router.tables["neo4j"].servers()
        with pytest.raises(SessionExpired):  # used now: the server is gone, and forgotten
            await (await s.run("WRITE", x=2)).consume()
        assert writer not in driver.router.tables["neo4j"].servers()


async def test_a_cluster_member_lost_mid_work_raises_session_expired(cluster) -> None:
    # The official drivers' SessionExpired: the work may go on on another member (retried by
    # execute_read/execute_write as any ServiceUnavailable); a bolt:// driver says
    # ServiceUnavailable.
    async with fast_driver(cluster.uri) as driver, driver.session() as s:
        tx = await s.begin_transaction()
        await tx.run("WRITE", x=1)
        await cluster.kill("writer")
        await _until(lambda: tx._conn.closed, "the connection dropped")
        with pytest.raises(SessionExpired, match="closed"):
            await tx.run("WRITE", x=2)
        await tx.close()
    await cluster.add("direct")
    async with fast_driver(f"bolt://{cluster.addresses['direct']}") as driver, driver.session() as s:
        tx = await s.begin_transaction()
        await cluster.kill("direct")
        await _until(lambda: tx._conn.closed, "the connection dropped")
        with pytest.raises(asyncbolt.ServiceUnavailable) as info:
            await tx.run("WRITE", x=2)
        assert not isinstance(info.value, SessionExpired)
        await tx.close()


@pytest.mark.parametrize("version", [(3, 0), (4, 0), (4, 2), (4, 3), (4, 4), (5, 0)],
                         ids=lambda v: f"{v[0]}.{v[1]}")
async def test_routing_on_older_versions(cluster, version) -> None:
    t = cluster.topology
    async with fast_driver(cluster.uri, versions=[version]) as driver:
        db = None if version < (4, 0) else "neo4j"
        assert (await driver.execute_read(read_x, 1, db_=db))[0].startswith("reader")
        assert await driver.execute_write(write_x, 2, db_=db) == ("writer", 2)
        assert t.routes[-1]["version"] == version
        assert t.routes[-1]["routing"]["address"] == cluster.addresses["router"]


async def test_concurrent_acquisitions_share_one_table_fetch(cluster) -> None:
    t = cluster.topology
    async with fast_driver(cluster.uri) as driver:
        results = await asyncio.gather(*(driver.execute_read(read_x, i) for i in range(50)))
        assert sorted(x for _, x in results) == list(range(50))
        assert len(t.routes) == 1
    await cluster.kill("router")
    async with fast_driver(cluster.uri, max_retry_time=0) as driver:
        outcomes = await asyncio.gather(*(driver.execute_read(read_x, i) for i in range(20)),
                                        return_exceptions=True)
        assert all(isinstance(o, asyncbolt.RoutingServiceUnavailable) for o in outcomes)
        assert len({id(o) for o in outcomes}) == 1  # one failed fetch, shared


async def test_impersonated_users_get_their_own_home_database_table(cluster) -> None:
    t = cluster.topology
    t.table = lambda db: {**Topology.table(t, db), "db": db or ("bobs" if bob else "neo4j")}
    async with fast_driver(cluster.uri) as driver:
        bob = True
        async with driver.session(imp_user="bob") as session:
            assert (await session.execute_write(write_x, 1))[0] == "writer"
        assert t.routes[-1]["extra"] == {"imp_user": "bob"}
        assert t.begins[-1]["db"] == "bobs"
        bob = False
        await driver.execute_write(write_x, 2)
        assert t.routes[-1]["extra"] == {}
        assert t.begins[-1]["db"] == "neo4j"
        assert set(driver.router.tables) == {"bobs", "neo4j"}


async def test_initial_routers_from_dns_and_a_custom_resolver(cluster) -> None:
    t = cluster.topology
    router_port = int(cluster.addresses["router"].rsplit(":", 1)[1])
    # DNS: localhost may resolve to ::1 first (nothing listens there): the driver moves on.
    async with fast_driver(f"neo4j://localhost:{router_port}") as driver:
        assert (await driver.execute_read(read_x, 1))[0].startswith("reader")
        assert t.routes[-1]["routing"] == {"address": f"localhost:{router_port}"}
        assert Address("127.0.0.1", router_port) in driver.router.hostnames
    # a resolver maps a logical name to several routers; the dead one is skipped
    dead = await cluster.add("dead")
    await cluster.kill("dead")
    asked = []

    async def resolver(address: Address) -> list:
        asked.append(address)
        return [dead, ("127.0.0.1", router_port)]

    async with fast_driver("neo4j://cluster.invalid:7687", resolver=resolver) as driver:
        assert await driver.execute_write(write_x, 1) == ("writer", 1)
        assert asked == [Address("cluster.invalid", 7687)]
        assert t.routes[-1]["routing"] == {"address": "cluster.invalid:7687"}


async def test_tls_verifies_the_uri_host_name_on_its_resolved_addresses() -> None:
    trustme = pytest.importorskip("trustme", reason="trustme (a dev dependency) makes the certificate")
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(server_context)  # valid for the name only
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    tls = await Cluster(host_name="localhost", ssl=server_context).start()
    try:
        port = tls.servers["router"].port
        async with fast_driver(f"neo4j+s://localhost:{port}", ssl=client_context) as driver:
            assert (await driver.execute_read(read_x, 1))[0].startswith("reader")
            assert await driver.execute_write(write_x, 2) == ("writer", 2)
            # the router was reached at its resolved IP address, its certificate checked for
            # "localhost"; the other members by the names the table gives
            assert Address("127.0.0.1", port) in driver.pool.addresses
            assert Address("localhost", tls.servers["writer"].port) in driver.pool.addresses
    finally:
        await tls.close()


async def test_no_router_answers(cluster) -> None:
    await cluster.kill("router")
    async with fast_driver(cluster.uri, max_retry_time=0) as driver:
        with pytest.raises(asyncbolt.RoutingServiceUnavailable, match="routing table"):
            await driver.execute_read(read_x, 1)
        with pytest.raises(asyncbolt.ServiceUnavailable):
            await driver.verify_connectivity()


async def test_routers_from_the_table_are_asked_before_the_uri(cluster) -> None:
    t = cluster.topology
    # every member routes; the URI's router dies after the first table
    t.routers = [cluster.addresses["router"], cluster.addresses["reader1"]]
    async with fast_driver(cluster.uri) as driver:
        await driver.execute_read(read_x, 1)
        await cluster.kill("router")
        driver.router.tables["neo4j"].updated -= 1000
        await driver.execute_read(read_x, 2)
        assert [r["server"] for r in t.routes] == ["router", "reader1"]


async def test_no_writer_while_electing_is_retried_as_session_expired(cluster) -> None:
    t = cluster.topology
    t.writers = []
    sleeps: list[float] = []

    async def no_wait(delay: float) -> None:
        sleeps.append(delay)
        if len(sleeps) == 3:
            t.writers = [cluster.addresses["writer"]]  # elected
        await asyncio.sleep(0)

    original, session_module._sleep = session_module._sleep, no_wait
    try:
        async with fast_driver(cluster.uri) as driver:
            assert await driver.execute_write(write_x, 1) == ("writer", 1)
            assert len(sleeps) == 3
            t.writers = []
            driver.router.tables["neo4j"].writers.clear()
            with pytest.raises(SessionExpired):
                async with driver.session() as s:
                    await s.run("WRITE")  # auto-commit: not retried
    finally:
        session_module._sleep = original


async def test_bookmarks_flow_from_a_write_to_a_later_read_on_another_member(cluster) -> None:
    t = cluster.topology
    async with fast_driver(cluster.uri) as driver:
        await driver.execute_write(write_x, 1)
        written = f"bm:{t.commits}"
        assert await driver.bookmark_manager.get_bookmarks() == {written}
        await driver.execute_read(read_x, 2)
        read_begin = t.begins[-1]
        assert read_begin["server"].startswith("reader") and read_begin["bookmarks"] == [written]
        # the routing request of a fresh table waits for the bookmarks too
        driver.router.tables["neo4j"].updated -= 1000
        await driver.execute_read(read_x, 3)
        assert t.routes[-1]["bookmarks"] == [written]
        # auto-commit writes chain as well
        async with driver.session() as s:
            await (await s.run("WRITE", x=4)).consume()
            auto = await s.last_bookmarks()
        assert auto == [f"bm:{t.commits}"]
        async with driver.session(default_access_mode="r") as s:
            await (await s.run("READ", x=5)).consume()
        assert t.log[-1]["bookmarks"] == auto
        # a session without the manager starts from its own bookmarks only
        async with driver.session(default_access_mode="r", bookmark_manager=None,
                                  bookmarks=["bm:0"]) as s:
            await (await s.run("READ", x=6)).consume()
        assert t.log[-1]["bookmarks"] == ["bm:0"]


# -------------------------------------------------------------------------------------------
# The official driver against the same cluster


class ThreadCluster:
    """The cluster on its own event loop thread, for the official driver's blocking API."""

    def __init__(self, **kwargs: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.cluster = self.call(Cluster(**kwargs).start())

    def call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    def close(self) -> None:
        self.call(self.cluster.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


def test_the_official_driver_routes_by_our_tables() -> None:
    tc = ThreadCluster(agent="Neo4j/5.26.0")
    cluster, t = tc.cluster, tc.cluster.topology
    try:
        def read(tx: Any, x: int) -> str:
            return tx.run("READ", x=x).single()["server"]

        def write(tx: Any, x: int) -> str:
            return tx.run("WRITE", x=x).single()["server"]

        with neo4j.GraphDatabase.driver(cluster.uri, auth=("neo4j", "pw")) as official:
            with official.session(database="neo4j") as session:
                readers = {session.execute_read(read, i) for i in range(12)}
                writers = {session.execute_write(write, i) for i in range(3)}
            assert readers <= {"reader1", "reader2", "reader3"} and len(readers) >= 2
            assert writers == {"writer"}
            assert {r["server"] for r in t.routes} == {"router"}
            assert not t.ran("router")
            assert {e["mode"] for e in t.ran("writer")} == {"w"}
            assert all(e["mode"] == "r" for e in t.log if e["server"].startswith("reader"))
            # leadership moves: the official driver also fails over on NotALeader
            t.writers = [cluster.addresses["reader1"]]
            with official.session(database="neo4j") as session:
                assert session.execute_write(write, 9) == "reader1"
    finally:
        tc.close()
