"""A short pass of the soak (``make soak`` runs the long one): 200 connections of the official
driver held at once with every result matched to its query, against the test session and
``asyncbolt serve``; 2,000 connect/disconnect cycles with the server's fds checked."""

from __future__ import annotations

import pytest

from soak import procstat
from soak.churn import churn, settle
from soak.load import run_load
from soak.servers import ServerProcess
from soak.session import serve

from .conftest import until

needs_proc = pytest.mark.skipif(not procstat.available(), reason="needs Linux's /proc (fds of a process)")


async def test_200_connections_at_once_each_result_answers_its_own_query() -> None:
    server = await serve()
    async with server:
        report = await run_load(f"bolt://127.0.0.1:{server.port}", connections=200, queries=5,
                                count=lambda: server.connections, timeout=60)
        assert report.errors == []
        assert report.at_barrier == 200  # every connection open at once, as the server counts
        assert server.stats.peak == 200
        assert report.queries == 1000 and report.transactions >= 200
        await until(lambda: server.connections == 0)
        assert server.stats.closed == server.stats.opened == 200


@needs_proc
async def test_200_connections_against_asyncbolt_serve() -> None:
    pytest.importorskip("ladybug")
    with ServerProcess.ladybug() as server:
        listening = procstat.socket_count(server.pid)
        report = await run_load(server.uri, connections=200, queries=5, dialect="cypher",
                                count=lambda: procstat.socket_count(server.pid) - listening, timeout=90)
        assert report.errors == []
        assert report.at_barrier == 200
        assert report.queries == 1000
        held = await settle(server.pid, listening)
        assert held.sockets == listening
    assert "Traceback" not in server.log and "ERROR" not in server.log, server.log


@needs_proc
async def test_connect_disconnect_cycles_leave_no_fd_behind() -> None:
    with ServerProcess.session() as server:
        listening = procstat.socket_count(server.pid)
        warm = await churn(server.host, server.port, 200)
        before = await settle(server.pid, listening)
        report = await churn(server.host, server.port, 2000)
        after = await settle(server.pid, listening)
        assert warm.errors == [] and report.errors == []
        assert report.cycles == 2000 and set(report.kinds) == {"plain", "abort", "bolt4", "bolt5"}
        assert after.fds == before.fds, (before, after)
        # A leak of even 1 KiB a connection would show as 2 MiB; allocator noise stays below.
        assert after.rss - before.rss < 4 * 2**20, (before, after)
    assert "Traceback" not in server.log, server.log


@needs_proc
async def test_asyncbolt_serve_keeps_no_memory_per_distinct_query() -> None:
    """LadybugDB's Python binding caches a prepared statement per distinct parameterized query
    text, without bound, and such a statement can pin a 256 KiB buffer-pool page: 400 distinct
    texts on one connection used to keep ~100 MiB resident (and 200 connections at once ~50 MiB
    more per round). The backend drops them once no result is open."""
    pytest.importorskip("ladybug")
    import neo4j

    with ServerProcess.ladybug() as server:
        async with neo4j.AsyncGraphDatabase.driver(server.uri, auth=("neo4j", "x")) as driver:
            async def run(texts: range) -> None:
                async with driver.session() as session:
                    for k in texts:
                        result = await session.run(f"UNWIND range(0, $n - 1) AS i RETURN i + {k} AS v",
                                                   n=3)
                        assert [r["v"] async for r in result] == [k, k + 1, k + 2]

            await run(range(50))  # warm-up: the connection, the thread, Ladybug's first pages
            before = procstat.rss_bytes(server.pid)
            await run(range(50, 450))
            after = procstat.rss_bytes(server.pid)
    # ~100 MiB before the fix; a few MiB of allocator noise after it.
    assert after - before < 24 * 2**20, (before / 2**20, after / 2**20)


@needs_proc
def test_a_short_pass_of_the_hostile_soak() -> None:
    # soak/hostile.py at small sizes (make soak runs it whole): it exits 1 when a bound breaks,
    # and it must still find the cases (a FAILURE for case 2, past the default budget).
    import subprocess
    import sys

    from soak.servers import ROOT

    argv = [sys.executable, "-m", "soak.hostile", "--maps1", "300000", "--maps2", "2100000",
            "--seconds3", "2", "--records4", "30000", "--stalled8", "200", "--held9", "100",
            "--seconds9", "2"]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert "max_unauthenticated_message_size" in out and "max_decoded_values" in out
    assert "every bound held" in out


@needs_proc
def test_1000_authenticated_connections_held_cost_under_10_kib_each() -> None:
    # soak/many.py at 1,000 (make soak holds 10,000): every connection authenticated and held at
    # once by one server process, its RSS per connection measured, every socket released after.
    from soak.many import check, hold_many, serve_for

    with serve_for(1000) as server:
        report = hold_many(server, 1000, processes=2, warmup=100)
    assert report.held == 1000 and report.errors == []
    assert report.sockets_held >= 1000 and report.sockets_after == 0
    assert check(report, 10.0) == [], report.summary()


def test_raise_nofile_raises_the_soft_limit_up_to_the_hard_one() -> None:
    import resource

    from soak.many import raise_nofile

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        assert raise_nofile(1) == soft  # never lowered
        if hard != resource.RLIM_INFINITY:
            assert raise_nofile(hard + 1000) == hard  # at most the hard limit
            assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == hard
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@needs_proc
def test_a_few_hundred_connections_are_held_too() -> None:
    # Below ~1,000 the AUTO shares of --max-connections (a half unauthenticated, a quarter per
    # address) refused part of the ramp: serve_for() lifts both to the same cap.
    from soak.many import hold_many, serve_for

    with serve_for(400) as server:
        report = hold_many(server, 400, processes=2, warmup=50)
    assert report.held == 400 and report.errors == [], report.summary()
    assert report.sockets_after == 0
