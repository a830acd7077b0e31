"""Server throughput: queries/s and records/s that asyncbolt serves to the official driver.

    python -m benchmarks.server [--quick] [--json PATH] [--results PATH]

The server runs in a child process (its own core on a 2-core machine); the official neo4j
driver (async API, with neo4j-rust-ext when installed) is the client in this process. Reported:
small auto-commit queries per second and records per second streamed, each with 1 and 50
concurrent connections. Numbers depend on the client as much as on the server: the driver's
own decoding is part of every record. ``--results PATH`` writes the table to the "server"
section of PATH (markdown; see benchmarks/results.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import time
from typing import Any


def _serve(port_queue: Any) -> None:
    import asyncbolt

    class BenchSession(asyncbolt.ServerSession):
        async def run(self, query, parameters, extra):
            if query.startswith("ROWS"):
                n = int(query.split()[1])
                return asyncbolt.ServerResult(["i", "name", "score"],
                                        ([i, "row", 0.5] for i in range(n)))
            return asyncbolt.ServerResult(["x"], [[1]])

    async def main() -> None:
        server = await asyncbolt.serve(BenchSession, "127.0.0.1", 0)
        port_queue.put(server.port)
        await server.serve_forever()

    asyncio.run(main())


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux /proc; 0.0 elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


async def _queries(uri: str, connections: int, seconds: float) -> float:
    import neo4j

    async with neo4j.AsyncGraphDatabase.driver(uri, auth=("neo4j", "x"),
                                               max_connection_pool_size=connections) as driver:
        await driver.verify_connectivity()
        done = 0
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal done
            async with driver.session() as session:
                while time.perf_counter() < deadline:
                    result = await session.run("Q")
                    await result.consume()
                    done += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        return done / (time.perf_counter() - start)


async def _records(uri: str, connections: int, rows: int) -> float:
    import neo4j

    async with neo4j.AsyncGraphDatabase.driver(uri, auth=("neo4j", "x"),
                                               max_connection_pool_size=connections) as driver:
        await driver.verify_connectivity()

        async def worker() -> int:
            async with driver.session() as session:
                result = await session.run(f"ROWS {rows}")
                n = 0
                async for _ in result:
                    n += 1
                return n

        start = time.perf_counter()
        counts = await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - start
        assert all(c == rows for c in counts), counts
        return sum(counts) / elapsed


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.server", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a short pass (CI)")
    ap.add_argument("--json", help="write the numbers to this file")
    ap.add_argument("--results", metavar="PATH",
                    help="write the table to the server section of PATH (markdown)")
    args = ap.parse_args(argv)
    seconds = 1.0 if args.quick else 4.0
    rows = 20_000 if args.quick else 100_000

    try:
        import neo4j
        from neo4j._codec.packstream.v1 import _rust_unpack
    except ImportError:
        print("server bench: the neo4j driver is not installed")
        return {}
    codec = "neo4j-rust-ext" if _rust_unpack is not None else "pure Python"
    print(f"server throughput — {platform.machine()} {platform.system()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}; client: neo4j {neo4j.__version__} ({codec} codec)")

    ctx = multiprocessing.get_context("spawn")
    ports = ctx.Queue()
    proc = ctx.Process(target=_serve, args=(ports,), daemon=True)
    proc.start()
    try:
        uri = f"bolt://127.0.0.1:{ports.get(timeout=30)}"
        out: dict[str, float] = {}
        for connections in (1, 50):
            cpu0 = _cpu_seconds(proc.pid)
            qps = asyncio.run(_queries(uri, connections, seconds))
            out[f"queries_per_s_{connections}"] = qps
            # The server's own CPU per query (its process only), from the same run.
            out[f"server_cpu_us_per_query_{connections}"] = (
                (_cpu_seconds(proc.pid) - cpu0) / max(qps * seconds, 1) * 1e6)
            per_conn = rows if connections == 1 else max(rows // connections, 1000)
            out[f"records_per_s_{connections}"] = asyncio.run(_records(uri, connections, per_conn))
    finally:
        proc.terminate()
        proc.join(5)
    print(f"{'connections':>12} {'queries/s':>12} {'server CPU/query':>17} {'records/s':>12}")
    for connections in (1, 50):
        print(f"{connections:>12} {out[f'queries_per_s_{connections}']:>12,.0f} "
              f"{out[f'server_cpu_us_per_query_{connections}']:>14,.0f} us "
              f"{out[f'records_per_s_{connections}']:>12,.0f}")
    if args.results:
        from asyncbolt.codec.packstream import ACCELERATED

        from .results import machine_markdown, table, update_section

        rows = [[str(c), f"{out[f'queries_per_s_{c}']:,.0f}",
                 f"{out[f'server_cpu_us_per_query_{c}']:,.0f} µs", f"{out[f'records_per_s_{c}']:,.0f}"]
                for c in (1, 50)]
        update_section(args.results, "server", "\n".join([
            "## Server: what asyncbolt serves to the official driver (`python -m benchmarks.server`)",
            "",
            "The server (asyncbolt's, "
            + ("C-accelerated codec" if ACCELERATED else "pure-Python codec")
            + f") in a child process; the client is neo4j {neo4j.__version__} ({codec} codec), so "
            "its decoding is part of every record. Small auto-commit queries per second, and "
            f"records/s of `[int, str, float]` rows streamed; {seconds:g} s per query measurement.",
            "",
            machine_markdown(),
            "",
            table(["connections", "queries/s", "server CPU per query", "records/s"], rows),
        ]))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=2)
    return out


if __name__ == "__main__":
    main()
