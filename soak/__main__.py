"""``python -m soak``: the load and churn soak against servers in child processes.

    python -m soak                      # 200 connections x 1,000 queries against the test
                                        # session (x 250 against `asyncbolt serve`);
                                        # 100,000 connect/disconnect cycles; 10,000
                                        # authenticated connections held at once
    python -m soak --serve-queries 1000 # 200 x 1,000 against `asyncbolt serve` too
    python -m soak --quick              # 200 x 50, 10,000 cycles, 1,000 connections held
    python -m soak --targets session --connections 50 --queries 200 --cycles 0

Exits 1 if any query failed or answered another query, if the server did not hold every
connection at once, if its log shows an error, if its fds or RSS grew over the cycles, or if
the many connections held at once (soak/many.py) cost more than 10 KiB of server RSS each.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from . import procstat
from .churn import churn, measure, settle
from .load import run_load_processes
from .many import check, hold_many, serve_for
from .servers import ServerProcess

DIALECT = {"session": "session", "serve": "cypher"}


def _start(target: str) -> ServerProcess:
    return ServerProcess.session() if target == "session" else ServerProcess.ladybug()


def _log_errors(server: ServerProcess) -> list[str]:
    return [line for line in server.log.splitlines() if "Traceback" in line or "ERROR" in line
            or line.startswith(("Task exception", "Exception"))]


async def _load(target: str, args: argparse.Namespace, failures: list[str]) -> None:
    if target == "serve":
        args = argparse.Namespace(**dict(vars(args), queries=args.serve_queries))
    with _start(target) as server:
        listening = procstat.socket_count(server.pid)
        print(f"\n== load: {args.connections} connections x {args.queries:,} queries, official neo4j "
              f"driver in {args.processes} processes -> {'the test session' if target == 'session' else 'asyncbolt serve (LadybugDB)'} "
              f"(pid {server.pid})", flush=True)
        before = measure(server.pid)
        report = await run_load_processes(
            server.uri, args.processes, connections=args.connections, queries=args.queries,
            dialect=DIALECT[target], fetch_size=args.fetch_size, rows=args.rows,
            count=lambda: procstat.socket_count(server.pid) - listening, timeout=args.timeout)
        after = await settle(server.pid, listening)
        print(report.summary())
        print(f"server before: {before}; after: {after}")
        for e in report.errors[:10]:
            print("  error:", e)
        if report.errors:
            failures.append(f"load/{target}: {len(report.errors)} errors")
        if report.at_barrier < args.connections:
            failures.append(f"load/{target}: only {report.at_barrier} connections open at once")
        logged = _log_errors(server)
        if logged:
            failures.append(f"load/{target}: the server logged errors: {logged[:3]}")
        if report.queries < args.connections * args.queries:
            failures.append(f"load/{target}: {report.queries} of {args.connections * args.queries} queries checked")


async def _churn(target: str, args: argparse.Namespace, failures: list[str]) -> None:
    with _start(target) as server:
        print(f"\n== churn: {args.cycles:,} connect/disconnect cycles -> "
              f"{'the test session' if target == 'session' else 'asyncbolt serve (LadybugDB)'} "
              f"(pid {server.pid})", flush=True)
        listening = procstat.socket_count(server.pid)
        warm = await churn(server.host, server.port, args.warmup, concurrency=args.concurrency)
        before = await settle(server.pid, listening)
        marks: list[str] = []
        started = time.perf_counter()

        def progress(done: int) -> None:
            if done % max(args.cycles // 4, 1000) == 0:
                held = measure(server.pid)
                marks.append(f"{done:,}: {held}")

        report = await churn(server.host, server.port, args.cycles, concurrency=args.concurrency,
                             progress=progress)
        after = await settle(server.pid, listening)
        print(report.summary())
        print(f"server after {args.warmup:,} warm-up cycles: {before}")
        for mark in marks:
            print(f"  during, after {mark}")
        print(f"server after {args.cycles:,} more and {time.perf_counter() - started - report.seconds:.1f} s "
              f"to settle: {after}")
        growth = (after.rss - before.rss) / 2**20
        print(f"growth: {after.fds - before.fds:+d} fds, {growth:+.1f} MiB RSS")
        errors = warm.errors + report.errors
        for e in errors[:10]:
            print("  error:", e)
        if errors:
            failures.append(f"churn/{target}: {len(errors)} errors")
        if after.fds > before.fds:
            failures.append(f"churn/{target}: fds grew from {before.fds} to {after.fds}")
        if growth > args.rss_slack:
            failures.append(f"churn/{target}: RSS grew by {growth:.1f} MiB (> {args.rss_slack} MiB)")
        logged = _log_errors(server)
        if logged:
            failures.append(f"churn/{target}: the server logged errors: {logged[:3]}")


def _many(args: argparse.Namespace, failures: list[str]) -> None:
    print(f"\n== many: {args.many:,} authenticated connections held at once by the test session ==")
    with serve_for(args.many) as server:
        report = hold_many(server, args.many, processes=args.processes)
        logged = _log_errors(server)
    print(report.summary())
    failures += check(report, args.many_limit_kib)
    if logged:
        failures.append(f"many: the server logged errors: {logged[:3]}")


async def _main(args: argparse.Namespace) -> int:
    failures: list[str] = []
    if not procstat.available():
        print("soak: needs Linux's /proc to count a server's connections, fds and RSS", file=sys.stderr)
        return 2
    for target in args.targets:
        if args.queries and args.serve_queries:
            await _load(target, args, failures)
    for target in args.churn_targets:
        if args.cycles:
            await _churn(target, args, failures)
    if args.many:
        _many(args, failures)
    print()
    if failures:
        print("soak: FAILED\n" + "\n".join(f"  {f}" for f in failures))
        return 1
    print("soak: all checks passed")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m soak", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="200 x 50 queries, 10,000 cycles")
    p.add_argument("--targets", nargs="+", choices=["session", "serve"], default=["session", "serve"],
                   help="servers for the load (default both)")
    p.add_argument("--churn-targets", nargs="+", choices=["session", "serve"], default=["session"],
                   help="servers for the connect/disconnect cycles (default session)")
    p.add_argument("--connections", type=int, default=200)
    p.add_argument("--queries", type=int, default=None, help="queries per connection (default 1000)")
    p.add_argument("--serve-queries", type=int, default=None,
                   help="queries per connection against `asyncbolt serve` (default 250: LadybugDB "
                        "serves ~800 queries/s here, so 1,000 takes 4 minutes more)")
    p.add_argument("--processes", type=int, default=2,
                   help="client processes sharing the connections (default 2: one Python driver "
                        "is the bottleneck of one core)")
    p.add_argument("--fetch-size", type=int, default=3, help="records per PULL in streams (default 3)")
    p.add_argument("--rows", type=int, default=10, help="records per stream (default 10)")
    p.add_argument("--cycles", type=int, default=None, help="connect/disconnect cycles (default 100,000)")
    p.add_argument("--warmup", type=int, default=2000, help="cycles before the first measure (default 2,000)")
    p.add_argument("--concurrency", type=int, default=16, help="cycles at once (default 16)")
    p.add_argument("--rss-slack", type=float, default=8.0,
                   help="MiB of RSS growth over the cycles taken as noise (default 8)")
    p.add_argument("--many", type=int, default=None,
                   help="authenticated connections held at once, RSS per connection measured "
                        "(default 10,000; --quick 1,000; 0 skips)")
    p.add_argument("--many-limit-kib", type=float, default=10.0,
                   help="server RSS allowed per held connection (default 10 KiB)")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds one load may take (default 600)")
    args = p.parse_args(argv)
    if args.queries is None:
        args.queries = 50 if args.quick else 1000
    if args.serve_queries is None:
        args.serve_queries = min(args.queries, 250)
    if args.cycles is None:
        args.cycles = 10_000 if args.quick else 100_000
    if args.many is None:
        args.many = 1_000 if args.quick else 10_000
    return asyncio.run(_main(args))


if __name__ == "__main__":
    sys.exit(main())
