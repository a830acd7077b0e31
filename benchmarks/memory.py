"""Memory: peak while asyncbolt's client streams 1,000,000 records, and the server's RSS per
connection with 10,000 authenticated connections held at once.

    python -m benchmarks.memory [--records N] [--connections N] [--results PATH]

The pre-encoded server of ``benchmarks.client`` runs in a child process; this process streams
the records (7 fields incl. a Node) with ``async for`` and reports how much its peak RSS grew
(current RSS sampled every 10,000 records) over the baseline measured after connecting. Target: under 50 MB for 1,000,000
records, i.e. nothing is kept but the batch in flight.

Connections: the soak's test session serves in a child process while client processes hold
``--connections`` authenticated connections to it (``soak.many``: Bolt 5.4, HELLO + LOGON,
idle); the growth of the server's RSS over them, per connection, is reported. Target: at most
10 KiB per connection at 10,000. ``--results PATH`` writes both to the "memory" section of PATH.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing
import resource
import sys
import time

from .client import QUERY, _serve


def _peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _rss_mb() -> float:
    """Current resident set size (Linux /proc; falls back to the peak elsewhere)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * resource.getpagesize() / (1024 * 1024)
    except OSError:
        return _peak_mb()


async def _stream(uri: str, n: int) -> tuple[int, float, float]:
    import asyncbolt

    async with asyncbolt.connect(uri) as conn:
        warm = await conn.run(QUERY, {"n": 1000})
        await warm.values()
        gc.collect()
        before = _rss_mb()
        highest = before
        start = time.perf_counter()
        count = 0
        async for record in await conn.run(QUERY, {"n": n}):
            record[0]
            count += 1
            if count % 10_000 == 0:  # sample the resident size as the stream goes
                highest = max(highest, _rss_mb())
        elapsed = time.perf_counter() - start
    return count, highest - before, count / elapsed


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.memory", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--connections", type=int, default=10_000,
                    help="authenticated connections held at once (default 10,000; 0 skips)")
    ap.add_argument("--results", metavar="PATH", help="write the memory section of PATH")
    args = ap.parse_args(argv)
    ctx = multiprocessing.get_context("spawn")
    ports = ctx.Queue()
    proc = ctx.Process(target=_serve, args=(ports,), daemon=True)
    proc.start()
    try:
        uri = f"bolt://127.0.0.1:{ports.get(timeout=30)}"
        count, growth, rate = asyncio.run(_stream(uri, args.records))
    finally:
        proc.terminate()
        proc.join(5)
    if count != args.records:
        raise SystemExit(f"expected {args.records:,} records, got {count:,}")
    verdict = "MET" if growth < 50 else "NOT MET"
    print(f"memory: streamed {count:,} records at {rate:,.0f} rec/s; resident memory grew at most {growth:.1f} MB "
          f"(target < 50 MB: {verdict})")
    report: dict = {"records": count, "peak_rss_growth_mb": growth, "records_per_s": rate}
    if args.connections:
        report["connections"] = _connections(args.connections)
    if args.results:
        _write(args.results, report)
    return report


def _connections(n: int) -> dict:
    from soak.many import check, hold_many, serve_for

    with serve_for(n) as server:
        held = hold_many(server, n)
    kib = held.per_connection / 1024
    verdict = "MET" if not check(held, 10.0) else "NOT MET"
    print(f"memory: {held.summary()} (target <= 10 KiB: {verdict})")
    return {"connections": held.held, "kib_per_connection": kib, "rss_before_mib": held.rss_before / 2**20,
            "rss_held_mib": held.rss_held / 2**20, "errors": len(held.errors), "verdict": verdict}


def _write(path: str, report: dict) -> None:
    from .results import machine_markdown, table, update_section

    rows = [["client: peak RSS growth streaming", f"{report['records']:,} records",
             f"{report['peak_rss_growth_mb']:.1f} MB", "< 50 MB",
             "MET" if report["peak_rss_growth_mb"] < 50 else "NOT MET"]]
    held = report.get("connections")
    if held:
        rows.append(["server: RSS per authenticated idle connection", f"{held['connections']:,} held at once",
                     f"{held['kib_per_connection']:.2f} KiB "
                     f"({held['rss_before_mib']:.1f} -> {held['rss_held_mib']:.1f} MiB)",
                     "<= 10 KiB", held["verdict"]])
    update_section(path, "memory", "\n".join([
        "## Memory (`python -m benchmarks.memory`)",
        "",
        machine_markdown(),
        "",
        "The client streams 7-field records (with a Node) from a pre-encoded server and its RSS "
        "is sampled every 10,000 records; the server (the soak's test session, one process) "
        "holds connections opened by 2 client processes (Bolt 5.4 handshake, HELLO, LOGON, "
        "then idle), its RSS read from /proc after a warm-up and with all of them held.",
        "",
        table(["what", "size", "measured", "target", ""], rows, right={2}),
    ]))


if __name__ == "__main__":
    main()
