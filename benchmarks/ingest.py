"""Bulk ingestion: a DataFrame sent as ``UNWIND $rows AS row ...`` in batches, against the
official driver.

    python -m benchmarks.ingest [--quick] [--rows N] [--json PATH] [--results PATH]

What is measured
    A pandas DataFrame of 1,000,000 rows (100,000 with ``--quick``) and 5 columns — ``id``
    int64, ``score`` float64, ``name`` str (pandas' default string dtype), ``active`` bool,
    ``ts`` datetime64[us] — is sent in batches of 10,000 rows as the ``rows`` parameter of
    ``UNWIND $rows AS row CREATE (:N) SET n = row``:

    asyncbolt        passes each slice ``df.iloc[i:i + 10_000]`` itself: the C packer reads the
                     column buffers (``asyncbolt.codec.bulk``), no Python object per value;
    asyncbolt-dict   passes ``batch.to_dict("records")`` (the plain-Python path, for reference);
    neo4j-rust       the official driver (with neo4j-rust-ext when installed) given
                     ``batch.to_dict("records")`` — what its users do, since it packs a DataFrame
                     as a map of columns, not as rows.

    *encode*: the time to turn every batch into the PackStream bytes of the ``{"rows": ...}``
    parameter map (``to_dict`` included where the client needs it), in this process: asyncbolt's
    ``Codec.pack``, the driver's ``Packer.pack`` with its Bolt 5 dehydration hooks (the code its
    ``session.run`` calls). Every client's bytes are checked to be the same length, and
    asyncbolt's equal to the driver's for the first batch.

    *end to end*: the same batches through ``run`` + consuming the (empty) result, one after
    the other on one connection / session, against an asyncbolt server in a child process
    whose session reads the parameters and discards them (it answers an empty result), on
    loopback. Connecting is not timed.

Runs of the clients alternate, best of 3 (1 with ``--quick``). The target (issue #19):
asyncbolt >= 5x the official driver, encoding; printed MET / NOT MET with the ratio.
``--results PATH`` writes the ``ingest`` section of PATH (markdown, see benchmarks/results.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import time
from typing import Any

BATCH = 10_000
QUERY = "UNWIND $rows AS row CREATE (n:N) SET n = row"
TARGET = 5.0


def frame(rows: int) -> Any:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(19)
    return pd.DataFrame({
        "id": np.arange(rows, dtype=np.int64),
        "score": rng.random(rows),
        "name": pd.array([f"user{i}" for i in range(rows)], dtype="str"),
        "active": rng.random(rows) < 0.5,
        "ts": (pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 10**9, rows), unit="s")
               ).as_unit("us"),
    })


def batches(df: Any) -> list:
    return [df.iloc[i:i + BATCH] for i in range(0, len(df), BATCH)]


# -- encoding alone -----------------------------------------------------------------------------

def _driver_packer() -> Any:
    from neo4j._codec.hydration.bolt.v2.hydration_handler import HydrationHandler
    from neo4j._codec.packstream.v1 import PackableBuffer, Packer

    hooks = HydrationHandler().dehydration_hooks

    def pack(value: Any) -> bytes:
        buf = PackableBuffer()
        Packer(buf).pack(value, dehydration_hooks=hooks)
        return bytes(buf.data)

    return pack


def encoders() -> dict[str, Any]:
    from asyncbolt.codec.packstream import get_codec

    codec = get_codec((5, 0))
    out = {
        "asyncbolt": lambda b: codec.pack({"rows": b}),
        "asyncbolt-dict": lambda b: codec.pack({"rows": b.to_dict("records")}),
    }
    try:
        pack = _driver_packer()
    except ImportError:
        return out
    out["neo4j-rust"] = lambda b: pack({"rows": b.to_dict("records")})
    return out


def encode_times(parts: list, runs: int) -> dict[str, float]:
    enc = encoders()
    first = {name: f(parts[0]) for name, f in enc.items()}
    if "neo4j-rust" in first and first["asyncbolt"] != first["neo4j-rust"]:
        raise SystemExit("ingest bench: asyncbolt's bytes differ from the official driver's")
    best: dict[str, float] = {}
    sizes: dict[str, int] = {}
    for _ in range(runs):
        for name, f in enc.items():
            t0 = time.perf_counter()
            size = sum(len(f(b)) for b in parts)
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - t0)
            sizes[name] = size
    if len(set(sizes.values())) != 1:
        raise SystemExit(f"ingest bench: the clients encoded different sizes: {sizes}")
    return best


# -- end to end ---------------------------------------------------------------------------------

def _serve(port_queue: Any) -> None:
    import asyncbolt

    class Discard(asyncbolt.ServerSession):
        async def run(self, query: str, parameters: dict[str, Any], extra: dict[str, Any]) -> Any:
            return asyncbolt.Result([], [])

    async def main() -> None:
        srv = await asyncbolt.serve(Discard, "127.0.0.1", 0)
        port_queue.put(srv.port)
        async with srv:
            await asyncio.Event().wait()

    asyncio.run(main())


async def _asyncbolt_e2e(uri: str, parts: list, to_dict: bool) -> float:
    import asyncbolt

    async with asyncbolt.connect(uri, auth=("neo4j", "pw")) as conn:
        await (await conn.run(QUERY, {"rows": parts[0].iloc[:1]})).consume()
        t0 = time.perf_counter()
        for b in parts:
            await (await conn.run(QUERY, {"rows": b.to_dict("records") if to_dict else b})).consume()
        return time.perf_counter() - t0


async def _driver_e2e(uri: str, parts: list) -> float:
    import neo4j

    async with neo4j.AsyncGraphDatabase.driver(uri, auth=("neo4j", "pw")) as driver:
        async with driver.session() as session:
            await (await session.run(QUERY, rows=parts[0].iloc[:1].to_dict("records"))).consume()
            t0 = time.perf_counter()
            for b in parts:
                await (await session.run(QUERY, rows=b.to_dict("records"))).consume()
            return time.perf_counter() - t0


def e2e_times(parts: list, runs: int, with_driver: bool) -> dict[str, float]:
    ctx = multiprocessing.get_context("spawn")
    ports = ctx.Queue()
    server = ctx.Process(target=_serve, args=(ports,), daemon=True)
    server.start()
    best: dict[str, float] = {}
    try:
        uri = f"bolt://127.0.0.1:{ports.get(timeout=30)}"
        clients = {"asyncbolt": lambda: _asyncbolt_e2e(uri, parts, False),
                   "asyncbolt-dict": lambda: _asyncbolt_e2e(uri, parts, True)}
        if with_driver:
            clients["neo4j-rust"] = lambda: _driver_e2e(uri, parts)
        for _ in range(runs):
            for name, run in clients.items():
                best[name] = min(best.get(name, float("inf")), asyncio.run(run()))
    finally:
        server.terminate()
        server.join(5)
    return best


# -- report -------------------------------------------------------------------------------------

def _write_results(path: str, report: dict[str, Any]) -> None:
    from .results import machine_markdown, table, update_section

    rows = report["rows"]
    lines = ["## Ingest: a DataFrame as `UNWIND $rows` (`python -m benchmarks.ingest`)", "",
             f"{rows:,} rows (int64, float64, str, bool, datetime64[us]) sent as `UNWIND $rows` "
             f"in batches of {BATCH:,}, best of {report['runs']}; ratios: the other client's time "
             "divided by asyncbolt's (passing the DataFrame slice). *encode*: the parameter map's "
             "PackStream bytes, `to_dict` included where the client needs it; *end to end*: "
             "`run` + consume on one connection against an asyncbolt server (child process) "
             "that discards the rows.", ""]
    head = ["client", "encode s", "rows/s", "asyncbolt is", "end to end s", "rows/s", "asyncbolt is"]
    body = []
    enc, e2e = report["encode_s"], report.get("e2e_s", {})
    for name in enc:
        body.append([name, f"{enc[name]:.3f}", f"{rows / enc[name]:,.0f}",
                     "" if name == "asyncbolt" else f"{enc[name] / enc['asyncbolt']:.1f}x",
                     f"{e2e[name]:.3f}" if name in e2e else "",
                     f"{rows / e2e[name]:,.0f}" if name in e2e else "",
                     "" if name == "asyncbolt" or name not in e2e else f"{e2e[name] / e2e['asyncbolt']:.1f}x"])
    lines.append(table(head, body, right={1, 2, 3, 4, 5, 6}))
    if "target_met" in report:
        lines += ["", f"Target (encoding, >= {TARGET:g}x the official driver with neo4j-rust-ext): "
                  f"{'MET' if report['target_met'] else 'NOT MET'} ({report['ratio_vs_neo4j_rust']:.1f}x)."]
    lines += ["", machine_markdown()]
    update_section(path, "ingest", "\n".join(lines))


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.ingest", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="100,000 rows, one run (CI)")
    ap.add_argument("--rows", type=int, help="rows of the DataFrame (default 1,000,000)")
    ap.add_argument("--no-e2e", action="store_true", help="time the encoding only")
    ap.add_argument("--json", help="write the numbers to this file")
    ap.add_argument("--results", metavar="PATH", help="write the ingest section of PATH (markdown)")
    args = ap.parse_args(argv)
    rows = args.rows or (100_000 if args.quick else 1_000_000)
    runs = 1 if args.quick else 3
    from asyncbolt.codec.packstream import ACCELERATED

    try:
        from neo4j._codec.packstream.v1 import _rust_pack
    except ImportError:
        driver = False
        print("ingest bench: the neo4j driver is not installed; timing asyncbolt alone")
    else:
        driver = True
        if _rust_pack is None:
            print("ingest bench: neo4j-rust-ext is not installed; 'neo4j-rust' is pure Python")
    print(f"ingest: {rows:,} rows x 5 columns as UNWIND $rows in batches of {BATCH:,}, best of "
          f"{runs}; asyncbolt codec: {'C accelerator' if ACCELERATED else 'pure Python'}")
    parts = batches(frame(rows))
    report: dict[str, Any] = {"rows": rows, "runs": runs, "accelerated": ACCELERATED,
                              "encode_s": encode_times(parts, runs)}
    if not args.no_e2e:
        report["e2e_s"] = e2e_times(parts, runs, driver)
    enc, e2e = report["encode_s"], report.get("e2e_s", {})
    print(f"\n{'client':<15} {'encode s':>9} {'rows/s':>12} {'ratio':>7} {'e2e s':>8} {'rows/s':>12} {'ratio':>7}")
    for name in enc:
        r1 = "" if name == "asyncbolt" else f"{enc[name] / enc['asyncbolt']:.1f}x"
        r2 = "" if name == "asyncbolt" or name not in e2e else f"{e2e[name] / e2e['asyncbolt']:.1f}x"
        e = f"{e2e[name]:>8.3f} {rows / e2e[name]:>12,.0f}" if name in e2e else f"{'':>8} {'':>12}"
        print(f"{name:<15} {enc[name]:>9.3f} {rows / enc[name]:>12,.0f} {r1:>7} {e} {r2:>7}")
    if "neo4j-rust" in enc:
        ratio = enc["neo4j-rust"] / enc["asyncbolt"]
        report["ratio_vs_neo4j_rust"] = ratio
        report["target_met"] = ratio >= TARGET
        if "neo4j-rust" in e2e:
            report["e2e_ratio_vs_neo4j_rust"] = e2e["neo4j-rust"] / e2e["asyncbolt"]
        print(f"target: asyncbolt encoding >= {TARGET:g}x the official driver: "
              f"{'MET' if ratio >= TARGET else 'NOT MET'} ({ratio:.1f}x)")
    if args.results:
        _write_results(args.results, report)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=2)
    return report


if __name__ == "__main__":
    main()
