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

from .test_server_faults import until

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
