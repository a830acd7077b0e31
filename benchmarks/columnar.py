"""Columnar results: a whole result into a table (``python -m benchmarks.columnar``).

    python -m benchmarks.columnar [--quick] [--rows N] [--json PATH] [--results PATH]

What is measured
    One auto-commit query streaming 1,000,000 rows (100,000 with ``--quick``) of 7 fields
    ``[int, float, str, bool, date, list, Node]`` into a table, timed from ``run`` until the
    table exists, fetch size 1000 for every client:

    asyncbolt-arrow   ``await (await conn.run(q)).to_arrow()``: the RECORDs laid out in Arrow
                      buffers by the C column builder (the pure-Python one without it).
    asyncbolt-pandas  asyncbolt's Record path into pandas: ``pd.DataFrame(await result.values(),
                      columns=keys)`` (one Python object per value, as users do today).
    neo4j-to_df       the official driver (with neo4j-rust-ext when installed):
                      ``await (await session.run(q)).to_df()``.

    Ratios: asyncbolt-arrow's rows/s over each other's (targets: >= 10x neo4j-to_df, >= 3x
    asyncbolt-pandas). Memory: each client runs in a process of its own (multiprocessing spawn),
    which reports its peak RSS (``VmHWM``) minus its RSS just before the query; for
    asyncbolt-arrow that is compared with the final table's size (``Table.nbytes``; target
    <= 2x).

The server
    A pre-encoded server in a child process (as in ``benchmarks.client``): the protocol by
    ``asyncbolt.core.server.ServerConnection``; every PULL n is answered with n copies of one
    RECORD encoded and chunked once per connection, so the server is not the bottleneck.

Method
    Rounds alternate the clients (3 rounds; 1 with ``--quick``), each run in a fresh process
    that first checks an untimed 1,000-row warm-up; the best time of the rounds is reported,
    and the peak memory of the best run's process. ``--results PATH`` writes the "columnar"
    section of PATH (benchmarks/RESULTS.md).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import multiprocessing
import time
from typing import Any

from benchmarks import preencoded

ROWS = 1_000_000
QUICK_ROWS = 100_000
WARMUP = 1_000
FIELDS = ["i", "score", "name", "flag", "day", "list", "node"]
TARGETS = {"neo4j-to_df": 10.0, "asyncbolt-pandas": 3.0}
MEMORY_TARGET = 2.0


def _row() -> list:
    from asyncbolt.codec.structures import Node

    return [12345, 3.25, "a name string", True, dt.date(2024, 2, 29), [1, 2, 3],
            Node(42, ["Person"], {"name": "Ada", "age": 36}, "4:abc:42")]


# -- clients (each in a child process) -------------------------------------------------------------


def _rss() -> tuple[int, int]:
    """(current RSS, peak RSS) of this process, bytes."""
    now = peak = 0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                now = int(line.split()[1]) * 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) * 1024
    return now, peak


def _reset_peak() -> None:
    """Start VmHWM afresh where the kernel allows it (Linux >= 4.0: write 5 to clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


async def _asyncbolt_arrow(uri: str, rows: int) -> dict[str, Any]:
    import asyncbolt
    from asyncbolt.codec.columns import ACCELERATED

    async with asyncbolt.connect(uri, auth=("neo4j", "x"), fetch_size=1000) as conn:
        warm = await (await conn.run("Q", {"n": WARMUP})).to_arrow()
        assert warm.num_rows == WARMUP and warm.column("node")[0].as_py()["element_id"] == "4:abc:42"
        del warm
        before = _measure_start()
        start = time.perf_counter()
        table = await (await conn.run("Q", {"n": rows})).to_arrow()
        elapsed = time.perf_counter() - start
        peak = _rss()[1] - before
        assert table.num_rows == rows and table.column("i")[rows - 1].as_py() == 12345
        return {"time": elapsed, "peak": peak, "size": table.nbytes, "builder": "C" if ACCELERATED else "pure Python",
                "types": [str(t) for t in table.schema.types]}


async def _asyncbolt_pandas(uri: str, rows: int) -> dict[str, Any]:
    import pandas as pd

    import asyncbolt

    async with asyncbolt.connect(uri, auth=("neo4j", "x"), fetch_size=1000) as conn:
        result = await conn.run("Q", {"n": WARMUP})
        warm = pd.DataFrame(await result.values(), columns=await result.keys())
        assert len(warm) == WARMUP
        del warm, result
        before = _measure_start()
        start = time.perf_counter()
        result = await conn.run("Q", {"n": rows})
        frame = pd.DataFrame(await result.values(), columns=await result.keys())
        elapsed = time.perf_counter() - start
        peak = _rss()[1] - before
        assert len(frame) == rows
        return {"time": elapsed, "peak": peak, "size": int(frame.memory_usage(deep=True).sum())}


async def _neo4j_to_df(uri: str, rows: int) -> dict[str, Any]:
    import neo4j

    async with neo4j.AsyncGraphDatabase.driver(uri, auth=("neo4j", "x"), fetch_size=1000) as driver:
        async with driver.session() as session:
            warm = await (await session.run("Q", n=WARMUP)).to_df()
            assert len(warm) == WARMUP
            del warm
            before = _measure_start()
            start = time.perf_counter()
            frame = await (await session.run("Q", n=rows)).to_df()
            elapsed = time.perf_counter() - start
            peak = _rss()[1] - before
            assert len(frame) == rows
            return {"time": elapsed, "peak": peak, "size": int(frame.memory_usage(deep=True).sum())}


def _measure_start() -> int:
    import gc

    gc.collect()
    _reset_peak()
    return _rss()[0]


CLIENTS = {"asyncbolt-arrow": _asyncbolt_arrow, "asyncbolt-pandas": _asyncbolt_pandas,
           "neo4j-to_df": _neo4j_to_df}


def _child(name: str, uri: str, rows: int, out: Any) -> None:
    try:
        out.put(asyncio.run(CLIENTS[name](uri, rows)))
    except BaseException as exc:  # report to the parent, whatever it is
        out.put({"error": f"{type(exc).__name__}: {exc}"})


def _run_child(ctx: Any, name: str, uri: str, rows: int) -> dict[str, Any]:
    out = ctx.Queue()
    child = ctx.Process(target=_child, args=(name, uri, rows, out))
    child.start()
    got = out.get(timeout=1800)
    child.join(30)
    if "error" in got:
        raise RuntimeError(f"{name}: {got['error']}")
    return got


# -- report ----------------------------------------------------------------------------------------


def _mib(n: float) -> str:
    return f"{n / 2**20:,.1f}"


def _write_results(path: str, report: dict[str, Any]) -> None:
    from benchmarks.results import machine_markdown, table, update_section

    best = report["best"]
    rows = report["rows"]
    body_rows = []
    for name, r in best.items():
        ratio = "" if name == "asyncbolt-arrow" else f"{report['ratios'][name]:.1f}x"
        body_rows.append([name, f"{r['time']:.2f}", f"{rows / r['time']:,.0f}", ratio,
                          _mib(r["peak"]), _mib(r["size"])])
    lines = [
        "## Columnar results: a result into a table (`python -m benchmarks.columnar`)",
        "",
        f"{rows:,} rows of 7 fields (int, float, str, bool, date, list, Node) streamed by one "
        "auto-commit query from a pre-encoded server in a child process, over loopback, fetch "
        f"size 1000; best of {report['rounds']} runs, each client in a process of its own, from "
        "`run` until the table exists. asyncbolt-arrow: `result.to_arrow()` (column builder: "
        f"{best['asyncbolt-arrow']['builder']}); asyncbolt-pandas: `pd.DataFrame(await "
        "result.values())` (the Record path); neo4j-to_df: the official driver's `result.to_df()`. "
        "Peak is the process's peak RSS above its RSS before the query; size is `Table.nbytes` "
        "(`DataFrame.memory_usage(deep=True)` for the frames).",
        "",
        machine_markdown(),
        "",
        table(["client", "seconds", "rows/s", "to_arrow is", "peak MiB", "table MiB"], body_rows),
        "",
        report["verdict"],
    ]
    update_section(path, "columnar", "\n".join(lines))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.columnar", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS:,} rows, one round")
    ap.add_argument("--rows", type=int, help="rows per query (default 1,000,000)")
    ap.add_argument("--rounds", type=int, help="rounds of the clients (default 3, 1 with --quick)")
    ap.add_argument("--json", help="write the numbers to this file")
    ap.add_argument("--results", metavar="PATH", help="write the columnar section of PATH (markdown)")
    args = ap.parse_args(argv)
    rows = args.rows or (QUICK_ROWS if args.quick else ROWS)
    rounds = args.rounds or (1 if args.quick else 3)
    clients = list(CLIENTS)
    try:
        import neo4j  # noqa: F401
    except ImportError:
        clients.remove("neo4j-to_df")
        print("columnar bench: the neo4j driver is not installed; not timing its to_df()")

    ctx = multiprocessing.get_context("spawn")
    ports = ctx.Queue()
    server = ctx.Process(target=preencoded.serve, args=(ports, FIELDS, _row), daemon=True)
    server.start()
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in clients}
    try:
        uri = f"bolt://127.0.0.1:{ports.get(timeout=30)}"
        print(f"{rows:,} rows x 7 fields (int, float, str, bool, date, list, Node), fetch size 1000, "
              f"{rounds} round(s)")
        for _ in range(rounds):
            for name in clients:
                got = _run_child(ctx, name, uri, rows)
                runs[name].append(got)
                print(f"  {name:<17} {got['time']:7.2f} s  {rows / got['time']:>11,.0f} rows/s  "
                      f"peak {_mib(got['peak']):>8} MiB  table {_mib(got['size']):>8} MiB", flush=True)
    finally:
        server.terminate()
        server.join(5)

    best = {name: min(r, key=lambda x: x["time"]) for name, r in runs.items()}
    arrow = best["asyncbolt-arrow"]
    ratios = {name: r["time"] / arrow["time"] for name, r in best.items() if name != "asyncbolt-arrow"}
    memory = arrow["peak"] / arrow["size"]
    verdicts = []
    for name, target in TARGETS.items():
        if name in ratios:
            met = "MET" if ratios[name] >= target else "NOT MET"
            verdicts.append(f"to_arrow >= {target:g}x {name}: {met} ({ratios[name]:.1f}x)")
    verdicts.append(f"peak RSS <= {MEMORY_TARGET:g}x the table: "
                    f"{'MET' if memory <= MEMORY_TARGET else 'NOT MET'} ({memory:.2f}x)")
    verdict = "Targets: " + "; ".join(verdicts)
    print("\n" + verdict)
    report = {"rows": rows, "rounds": rounds, "best": best, "ratios": ratios,
              "memory_ratio": memory, "verdict": verdict,
              "runs": {name: [r["time"] for r in rs] for name, rs in runs.items()}}
    if args.results:
        _write_results(args.results, report)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=2, default=str)
    return report


if __name__ == "__main__":
    main()
