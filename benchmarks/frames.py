"""Results into pandas: asyncbolt's ``Result.to_pandas()`` (the Record path) against the official
driver's ``AsyncResult.to_df()`` with neo4j-rust-ext.

    python -m benchmarks.frames [--quick] [--rows N] [--json PATH] [--results PATH]

What is measured
    One auto-commit query streaming 100,000 records ``[int, float, str, bool, date, list,
    Node]`` (10,000 with ``--quick``) over loopback, timed from ``session.run`` until the
    DataFrame is made: ``await result.to_pandas(...)`` for asyncbolt (the decoded records turned
    into columns, :func:`asyncbolt.client.frames.record_path_frame`) and ``await
    result.to_df(...)`` for neo4j 6.x with neo4j-rust-ext, each with the three option sets
    ``to_df()``, ``to_df(parse_dates=True)`` and ``to_df(expand=True)``. Both drivers use a
    session of a Driver, fetch size 1,000.

The server
    A pre-encoded one in a spawned child process (as ``benchmarks.client``'s): every PULL n is
    answered with n copies of one RECORD encoded once, so the clients are the bottleneck.

Method
    A warm-up query per client and option set checks that both frames have the same columns,
    dtypes and length. Then rounds alternate the clients (3 rounds, 1 with ``--quick``); the best
    time of each counts; ratios are the official's best time over asyncbolt's. ``--results PATH``
    writes the "frames" section of PATH (benchmarks/results.py).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import multiprocessing
import os
import time
from typing import Any

from benchmarks import preencoded

ROWS = 100_000
FIELDS = ["i", "score", "name", "flag", "born", "list", "node"]
OPTIONS = {"to_df()": {}, "to_df(parse_dates=True)": {"parse_dates": True},
           "to_df(expand=True)": {"expand": True}}


def _row() -> list:
    from asyncbolt.codec.structures import Date, Node

    return [12345, 3.25, "a name string", True, Date(19_000), [1, 2, 3],
            Node(42, ["Person"], {"name": "Ada", "age": 36}, "4:abc:42")]


async def _frame(driver: Any, rows: int, options: dict[str, bool], official: bool) -> tuple[float, Any]:
    async with driver.session() as session:
        gc.collect()
        start = time.perf_counter()
        result = await session.run("RETURN $n", n=rows)
        if official:
            frame = await result.to_df(**options)
        else:
            from asyncbolt.client.frames import record_path_frame

            frame = await record_path_frame(result, **options)
        return time.perf_counter() - start, frame


def _same_shape(ours: Any, theirs: Any, label: str) -> None:
    if list(ours.columns) != list(theirs.columns) or len(ours) != len(theirs):
        raise AssertionError(f"{label}: columns {list(ours.columns)} x {len(ours)} vs "
                             f"{list(theirs.columns)} x {len(theirs)}")
    for name in theirs.columns:
        a, b = ours[name].dtype, theirs[name].dtype
        if str(a) != str(b):
            raise AssertionError(f"{label}: column {name!r} is {a} vs the official's {b}")


async def measure(uri: str, rows: int, rounds: int) -> dict[str, dict[str, list[float]]]:
    import neo4j

    import asyncbolt

    times: dict[str, dict[str, list[float]]] = {k: {"asyncbolt": [], "neo4j-rust": []} for k in OPTIONS}
    async with asyncbolt.Driver(uri, auth=("neo4j", "pw")) as ours, \
            neo4j.AsyncGraphDatabase.driver(uri, auth=("neo4j", "pw")) as theirs:
        for label, options in OPTIONS.items():
            _, a = await _frame(ours, 1000, options, False)
            _, b = await _frame(theirs, 1000, options, True)
            _same_shape(a, b, label)
        for _ in range(rounds):
            for label, options in OPTIONS.items():
                for name, driver, official in (("asyncbolt", ours, False), ("neo4j-rust", theirs, True)):
                    took, frame = await _frame(driver, rows, options, official)
                    if len(frame) != rows:
                        raise AssertionError(f"{name} {label}: {len(frame)} rows, expected {rows}")
                    del frame
                    times[label][name].append(took)
    return times


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.frames", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="10,000 rows, one round")
    ap.add_argument("--rows", type=int, help=f"rows per query (default {ROWS:,})")
    ap.add_argument("--json", metavar="PATH")
    ap.add_argument("--results", metavar="PATH", help="update the frames section of this markdown file")
    args = ap.parse_args(argv)
    rows = args.rows or (10_000 if args.quick else ROWS)
    rounds = 1 if args.quick else 3
    from asyncbolt.codec.packstream import ACCELERATED

    ctx = multiprocessing.get_context("spawn")
    ports = ctx.Queue()
    server = ctx.Process(target=preencoded.serve, args=(ports, FIELDS, _row), daemon=True)
    server.start()
    try:
        uri = f"bolt://127.0.0.1:{ports.get(timeout=60)}"
        load_before = os.getloadavg()[0]
        times = asyncio.run(measure(uri, rows, rounds))
        load = f"1-minute load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    finally:
        server.terminate()
        server.join(10)
    print(f"{rows:,} rows [int, float, str, bool, date, list, Node] into pandas, best of {rounds} "
          f"(asyncbolt codec: {'C' if ACCELERATED else 'pure Python'}; {load})")
    report = {"rows": rows, "rounds": rounds, "times_s": times, "load": load}
    lines = []
    for label, by in times.items():
        ours, theirs = min(by["asyncbolt"]), min(by["neo4j-rust"])
        lines.append([label, f"{ours * 1000:,.0f}", f"{rows / ours:,.0f}", f"{theirs * 1000:,.0f}",
                      f"{rows / theirs:,.0f}", f"{theirs / ours:.2f}x"])
        print(f"{label:<26} asyncbolt {ours * 1000:8,.0f} ms {rows / ours:10,.0f} rows/s   "
              f"neo4j-rust {theirs * 1000:8,.0f} ms {rows / theirs:10,.0f} rows/s   {theirs / ours:5.2f}x")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
    if args.results:
        from .results import machine_markdown, table, update_section

        head = ["call", "asyncbolt ms", "asyncbolt rows/s", "neo4j-rust ms", "neo4j-rust rows/s",
                "asyncbolt vs neo4j-rust"]
        update_section(args.results, "frames", "\n\n".join([
            "## Results into pandas: the Record path (`python -m benchmarks.frames`)",
            f"{rows:,} records `[int, float, str, bool, date, list, Node]` from a pre-encoded server "
            "(child process) over loopback, timed from `session.run` to the finished DataFrame: "
            "asyncbolt's `to_pandas(...)` (decoded records turned into columns) against neo4j's "
            f"`to_df(...)` with neo4j-rust-ext; best of {rounds} alternating rounds.",
            machine_markdown() + f"\n- Load: {load} (2 cores: above 2, other work shared them)",
            table(head, lines)]))
    return report


if __name__ == "__main__":
    main()
