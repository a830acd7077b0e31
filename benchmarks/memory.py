"""Peak memory while asyncbolt's client streams 1,000,000 records.

    python -m benchmarks.memory [--records N]

The pre-encoded server of ``benchmarks.client`` runs in a child process; this process streams
the records (7 fields incl. a Node) with ``async for`` and reports how much its peak RSS grew
(current RSS sampled every 10,000 records) over the baseline measured after connecting. Target: under 50 MB for 1,000,000
records, i.e. nothing is kept but the batch in flight.
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
    return {"records": count, "peak_rss_growth_mb": growth, "records_per_s": rate}


if __name__ == "__main__":
    main()
