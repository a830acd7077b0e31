"""Server throughput: queries/s, server CPU per query and records/s, on asyncio's loop and uvloop.

    python -m benchmarks.server [--quick] [--json PATH] [--results PATH] [--profile LOOP]

The servers
    ``asyncbolt.serve`` with a trivial session (``run`` returns one row ``[1]``; ``ROWS n``
    streams ``[i, "row", 0.5]`` rows), each in a spawned child process (its own core on a 2-core
    machine), one worker: one on asyncio's event loop, one on uvloop (``asyncbolt.run(...,
    loop=...)``; only the first when uvloop is not installed). Both run for the whole benchmark;
    the one not being measured is idle.

The clients (in this process, on uvloop when installed, so that the client takes as little
of the time as it can; the same client for both servers)
    asyncbolt   ``asyncbolt.connect`` + ``conn.run`` on one connection: *sequential* (``await
                (await conn.run("Q")).consume()`` one after the other) and *pipelined* (500
                ``conn.run`` queued, then their results consumed: RUN+PULL pairs written
                together, answered together).
    neo4j       the official driver (async API; with neo4j-rust-ext when installed):
                ``session.run("Q")`` + ``consume()``, one after the other on one connection
                (*sequential*), and the same on 50 connections at once (*50 connections*); and
                records/s of one ``ROWS n`` result on one connection (``async for``).

Reported, for each server loop: queries/s and the server's CPU time per query (user + system
CPU seconds of the server process during the measurement, from /proc, divided by the queries
answered: what a query costs the server, whoever the bottleneck is). Measurements of the two
servers alternate, round after round (3 rounds, 1 with ``--quick``), and the best of the rounds
is kept (this machine is shared). ``--profile LOOP`` runs the pipelined asyncbolt load against a
server on LOOP under cProfile and prints its top functions (the server's, not the client's).
``--results PATH`` writes the table to the "server" section of PATH (markdown; see
benchmarks/results.py).

Targets (issue #19): >= 20,000 queries/s pipelined on one connection and <= 40 us of server CPU
per trivial query.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import signal
import time
from typing import Any

PIPELINE = 500
CONCURRENT = 50
#: The measurements: (key, client, what it is in the table).
CASES = [
    ("asyncbolt_sequential", "asyncbolt", "asyncbolt client, 1 connection, sequential"),
    ("asyncbolt_pipelined", "asyncbolt", f"asyncbolt client, 1 connection, {PIPELINE} pipelined"),
    ("neo4j_sequential", "neo4j", "neo4j driver, 1 connection, sequential"),
    ("neo4j_concurrent", "neo4j", f"neo4j driver, {CONCURRENT} connections"),
]


def _serve(port_queue: Any, loop: str, profile: str | None = None) -> None:
    import asyncbolt

    class BenchSession(asyncbolt.ServerSession):
        async def run(self, query, parameters, extra):
            if query.startswith("ROWS"):
                n = int(query.split()[1])
                return asyncbolt.ServerResult(["i", "name", "score"],
                                              ([i, "row", 0.5] for i in range(n)))
            return asyncbolt.ServerResult(["x"], [[1]])

    async def main() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        server = await asyncbolt.serve(BenchSession, "127.0.0.1", 0)
        port_queue.put(server.port)
        await stop.wait()
        server.close()
        await server.wait_closed()

    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
        asyncbolt.run(main(), loop=loop)
        profiler.disable()
        profiler.dump_stats(profile)
    else:
        asyncbolt.run(main(), loop=loop)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux /proc; 0.0 elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


class _Load:
    """One client measurement: ``done`` queries, the wall and server CPU seconds they took."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.done = 0

    def start(self) -> None:
        self.cpu0 = _cpu_seconds(self.pid)
        self.t0 = time.perf_counter()

    def stop(self) -> dict[str, float]:
        elapsed = time.perf_counter() - self.t0
        cpu = _cpu_seconds(self.pid) - self.cpu0
        return {"qps": self.done / elapsed, "cpu_us": cpu / max(self.done, 1) * 1e6}


async def _asyncbolt(port: int, pid: int, pipelined: bool, seconds: float) -> dict[str, float]:
    import asyncbolt

    async with asyncbolt.connect(f"bolt://127.0.0.1:{port}", auth=("neo4j", "x")) as conn:
        for _ in range(20):  # warm-up (and a check of the answer)
            result = await conn.run("Q")
            assert [r[0] async for r in result] == [1]
        load = _Load(pid)
        load.start()
        deadline = load.t0 + seconds
        while time.perf_counter() < deadline:
            if pipelined:
                results = [await conn.run("Q") for _ in range(PIPELINE)]
                for result in results:
                    await result.consume()
                load.done += PIPELINE
            else:
                await (await conn.run("Q")).consume()
                load.done += 1
        return load.stop()


async def _neo4j(port: int, pid: int, connections: int, seconds: float) -> dict[str, float]:
    import neo4j

    async with neo4j.AsyncGraphDatabase.driver(f"bolt://127.0.0.1:{port}", auth=("neo4j", "x"),
                                               max_connection_pool_size=connections) as driver:
        await driver.verify_connectivity()
        load = _Load(pid)
        deadline = 0.0

        async def worker() -> None:
            async with driver.session() as session:
                await (await session.run("Q")).consume()  # (connected before the clock starts)
                await ready.wait()
                while time.perf_counter() < deadline:
                    result = await session.run("Q")
                    await result.consume()
                    load.done += 1

        ready = asyncio.Event()
        workers = [asyncio.ensure_future(worker()) for _ in range(connections)]
        await asyncio.sleep(0.2)
        load.start()
        deadline = load.t0 + seconds
        ready.set()
        await asyncio.gather(*workers)
        return load.stop()


async def _records(port: int, rows: int) -> float:
    import neo4j

    async with neo4j.AsyncGraphDatabase.driver(f"bolt://127.0.0.1:{port}", auth=("neo4j", "x")) as driver:
        await driver.verify_connectivity()
        async with driver.session() as session:
            start = time.perf_counter()
            result = await session.run(f"ROWS {rows}")
            n = 0
            async for _ in result:
                n += 1
            elapsed = time.perf_counter() - start
        assert n == rows, n
        return n / elapsed


def _measure(case: str, port: int, pid: int, seconds: float) -> dict[str, float]:
    from asyncbolt.loops import run

    if case == "asyncbolt_sequential":
        return run(_asyncbolt(port, pid, False, seconds))
    if case == "asyncbolt_pipelined":
        return run(_asyncbolt(port, pid, True, seconds))
    if case == "neo4j_sequential":
        return run(_neo4j(port, pid, 1, seconds))
    return run(_neo4j(port, pid, CONCURRENT, seconds))


def _start(ctx: Any, loop: str, profile: str | None = None) -> tuple[Any, int]:
    ports = ctx.Queue()
    proc = ctx.Process(target=_serve, args=(ports, loop, profile), daemon=True)
    proc.start()
    return proc, ports.get(timeout=60)


def _stop(proc: Any) -> None:
    proc.terminate()  # SIGTERM: the server closes and (with --profile) writes its profile
    proc.join(30)


def _profile(loop: str, seconds: float) -> None:
    import pstats
    import tempfile

    from asyncbolt.loops import run

    ctx = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "server.prof")
        proc, port = _start(ctx, loop, path)
        try:
            out = run(_asyncbolt(port, proc.pid, True, seconds))
        finally:
            _stop(proc)
        print(f"profiled server on {loop}: {out['qps']:,.0f} queries/s pipelined (slowed by cProfile)")
        pstats.Stats(path).sort_stats("tottime").print_stats(30)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.server", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a short pass (CI)")
    ap.add_argument("--json", help="write the numbers to this file")
    ap.add_argument("--results", metavar="PATH",
                    help="write the table to the server section of PATH (markdown)")
    ap.add_argument("--profile", metavar="LOOP", choices=("asyncio", "uvloop"),
                    help="profile the server on this loop under the pipelined load, and stop")
    args = ap.parse_args(argv)
    seconds = 0.5 if args.quick else 2.0
    rounds = 1 if args.quick else 3
    rows = 20_000 if args.quick else 100_000
    if args.profile:
        _profile(args.profile, seconds * 2)
        return {}

    try:
        import neo4j
        from neo4j._codec.packstream.v1 import _rust_unpack
    except ImportError:
        print("server bench: the neo4j driver is not installed")
        return {}
    from asyncbolt.loops import resolve_loop, run

    codec = "neo4j-rust-ext" if _rust_unpack is not None else "pure Python"
    loops = ["asyncio", "uvloop"] if resolve_loop("auto") == "uvloop" else ["asyncio"]
    print(f"server throughput — {platform.machine()} {platform.system()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}; clients: asyncbolt, neo4j {neo4j.__version__} "
          f"({codec} codec), on {resolve_loop('auto')}; server loops: {', '.join(loops)}")

    ctx = multiprocessing.get_context("spawn")
    servers = {loop: _start(ctx, loop) for loop in loops}
    best: dict[str, dict[str, float]] = {}
    try:
        for _ in range(rounds):
            for case, _client, _what in CASES:
                for loop, (proc, port) in servers.items():
                    got = _measure(case, port, proc.pid, seconds)
                    key = f"{case}_{loop}"
                    if key not in best or got["qps"] > best[key]["qps"]:
                        best[key] = got
            for loop, (_proc, port) in servers.items():
                key = f"neo4j_records_{loop}"
                got = {"records_per_s": run(_records(port, rows))}
                if key not in best or got["records_per_s"] > best[key]["records_per_s"]:
                    best[key] = got
    finally:
        for proc, _port in servers.values():
            _stop(proc)

    out: dict[str, float] = {}
    for key, got in best.items():
        for name, value in got.items():
            out[f"{key}_{name}"] = value
    header = ["load"] + [f"{h} ({loop})" for loop in loops for h in ("queries/s", "server CPU/query")]
    table_rows = []
    for case, _client, what in CASES:
        row = [what]
        for loop in loops:
            row += [f"{out[f'{case}_{loop}_qps']:,.0f}", f"{out[f'{case}_{loop}_cpu_us']:,.0f} µs"]
        table_rows.append(row)
    records_row = [f"neo4j driver, records/s of one {rows:,}-row result"]
    for loop in loops:
        records_row += [f"{out[f'neo4j_records_{loop}_records_per_s']:,.0f} rec/s", ""]
    table_rows.append(records_row)
    widths = [max(len(r[i]) for r in [header, *table_rows]) for i in range(len(header))]
    for r in [header, *table_rows]:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))))
    if args.results:
        from asyncbolt.codec.packstream import ACCELERATED

        from .results import machine_markdown, table, update_section

        update_section(args.results, "server", "\n".join([
            "## Server: queries/s and CPU per query, asyncio and uvloop (`python -m benchmarks.server`)",
            "",
            "asyncbolt's server ("
            + ("C-accelerated codec" if ACCELERATED else "pure-Python codec")
            + ", one worker) in a child process per event loop, answering a trivial query (one "
            "row `[1]`); the clients in this process on "
            f"{resolve_loop('auto')}: asyncbolt's, and neo4j {neo4j.__version__} ({codec} codec). "
            "Server CPU per query: the server process's user + system CPU time over the queries "
            f"it answered. Best of {rounds} alternating round{'s' if rounds > 1 else ''} of "
            f"{seconds:g} s per measurement. Targets (issue #19): >= 20,000 queries/s pipelined, "
            "<= 40 µs server CPU per query.",
            "",
            machine_markdown(),
            "",
            table(header, table_rows),
        ]))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=2)
    return out


if __name__ == "__main__":
    main()
