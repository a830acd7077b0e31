"""Client throughput: records/s that asyncbolt's client decodes, against the decode-only floor
and the official driver; and small queries/s through a Driver session.

    python -m benchmarks.client [--quick] [--mode records|small|all] [--json PATH]
                                [--results PATH] [--profile]

Records (``--mode records``)
    One auto-commit query streaming 10,000, then 200,000 records of 7 fields (int, str, float,
    bool, list, map, Node) over loopback, timed from ``run`` until the last record has been
    taken with ``async for`` (each record's ``record[0]`` is read). Connecting, authenticating
    and opening the session are not timed. Reported per result size: the best records/s of the
    runs, and the ratios of asyncbolt to the decode-only floor and to the official driver.

The decode-only floor
    The same bytes the server sends (one RECORD encoded for the negotiated version, chunked,
    repeated n times) split into payloads beforehand, then timed: the C codec decoding each
    RECORD payload alone (``codec._unpack(payload, 2)``, the call the client's RECORD path
    makes per record), in a Python loop, with no I/O, no framing and no Record objects. It is
    what a client built on the per-record decoder could reach at best; asyncbolt's ratio to it
    is the share of the time left to everything else (reading, framing, buffering, Records).

The server
    A fake, "pre-encoded" server in a child process (multiprocessing spawn: its own core on a
    2-core machine). It uses ``asyncbolt.core.server.ServerConnection`` for the protocol only
    (handshake with manifest, HELLO/LOGON/RESET/GOODBYE..., the state machine), but answers
    every PULL n with n copies of one RECORD that was encoded and chunked once per connection,
    for the negotiated version, and written as one ``bytes`` repetition: no per-record work on
    the server, so the client is the bottleneck. Then SUCCESS {has_more: true}, or the final
    SUCCESS once all the records are out. Both clients use a fetch size of 1,000 (PULL n=1000),
    each's default.

Clients
    asyncbolt       ``asyncbolt.connect`` + ``conn.run``, in this process, with the codec
                    ``asyncbolt.codec.packstream.ACCELERATED`` picks (the C accelerator when built).
    asyncbolt-py    the same in a spawned child process with ``ASYNCBOLT_PURE=1`` (checked there:
                    ``ACCELERATED`` is False): the pure-Python codec. Only when the first one is
                    accelerated.
    neo4j-rust      ``neo4j.AsyncGraphDatabase.driver`` + ``session.run``, with neo4j-rust-ext,
                    in this process.
    neo4j-python    the same driver without the extension, in a spawned child process that sets
                    ``sys.modules["neo4j._rust"] = None`` before importing neo4j (checked: the
                    driver's ``_rust_unpack`` is None there), as for a user without the extension.

Small queries (``--mode small``)
    2,000 x ``result = await session.run("RETURN 1")`` + ``await result.single()`` in one
    session of an ``asyncbolt.Driver`` (and of the official driver, for comparison) against an
    asyncbolt ``ServerSession`` in a child process answering ``[[1]]``: queries/s, best of the
    runs, after 200 untimed ones. This is the per-query cost of the driver's session path
    (acquisition, RUN+PULL, summary), the server being the same for both clients.

Method
    Before a client is timed, an untimed warm-up query checks that the values of the first
    record are the expected ones (for the drivers, the Node by element_id, labels and
    properties); every timed run must then deliver exactly the records asked for, whose first
    one is checked again after the clock stops. Runs of the clients and of the floor alternate
    (3 rounds, 1 with ``--quick``); the garbage collector stays enabled, as users have it.
    ``--profile`` runs one 200,000-record asyncbolt query (and, with the small mode, the small
    loop) under cProfile (this process only, the server is not in it) and prints the top
    functions. ``--results PATH`` writes the tables to the "client" section of PATH (markdown;
    see benchmarks/results.py).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import functools
import gc
import json
import multiprocessing
import os
import platform
import pstats
import sys
import time
from importlib import metadata
from typing import Any

from benchmarks import preencoded

#: The result sizes timed (records per query).
SIZES = (10_000, 200_000)
WARMUP = 1_000
FIELDS = ["i", "name", "score", "flag", "list", "map", "node"]
QUERY = "UNWIND range(1, $n) AS i RETURN i, 'a name string', 3.25, true, [1, 2, 3], {k: 'v', n: 7}, n"
#: Issue #19's targets: asyncbolt's records/s against the floor and the official driver (+ Rust).
FLOOR_TARGET = 0.85
DRIVER_TARGET = 15.0
SMALL_QUERIES = 2_000
SMALL_WARMUP = 200


def _expected() -> list:
    from asyncbolt.codec.structures import Node

    return [12345, "a name string", 3.25, True, [1, 2, 3], {"k": "v", "n": 7},
            Node(42, ["Person"], {"name": "Ada", "age": 36}, "4:abc:42")]


def _serve_session(port_queue: Any) -> None:
    """Child process: an asyncbolt ServerSession answering every query with [[1]]."""
    import asyncbolt

    class Echo(asyncbolt.ServerSession):
        async def run(self, query: str, parameters: dict, extra: dict) -> asyncbolt.ServerResult:
            return asyncbolt.ServerResult(["x"], [[1]])

    async def main() -> None:
        server = await asyncbolt.serve(Echo, "127.0.0.1", 0)
        port_queue.put(server.port)
        await server.serve_forever()

    asyncio.run(main())


# -- checks ----------------------------------------------------------------------------------------


def _check_asyncbolt(values: list) -> None:
    expected = _expected()
    if values != expected:
        raise AssertionError(f"asyncbolt: first record {values!r}, expected {expected!r}")


def _check_driver(label: str, values: list) -> None:
    expected = _expected()
    node, want = values[6], expected[6]
    got_node = (getattr(node, "element_id", None), set(getattr(node, "labels", ())),
                dict(node.items()) if hasattr(node, "items") else None)
    want_node = (want.element_id, set(want.labels), want.properties)
    if values[:6] != expected[:6] or got_node != want_node:
        raise AssertionError(f"{label}: first record {values[:6]!r} + node {got_node!r}, "
                             f"expected {expected[:6]!r} + node {want_node!r}")


def _check_count(label: str, count: int, wanted: int) -> None:
    if count != wanted:
        raise AssertionError(f"{label}: received {count} records, expected {wanted}")


# -- clients ---------------------------------------------------------------------------------------

Times = dict[int, list[float]]  # result size -> seconds of each timed run


async def _asyncbolt_once(conn: Any, n: int) -> tuple[float, int, list, float]:
    gc.collect()
    count = 0
    first = None
    start, cpu = time.perf_counter(), time.process_time()
    result = await conn.run(QUERY, {"n": n})
    async for record in result:
        record[0]
        if first is None:
            first = record
        count += 1
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return elapsed, count, first.values(), cpu


async def _asyncbolt(uri: str, sizes: tuple[int, ...], runs: int, profile: bool) -> dict[str, Any]:
    import asyncbolt

    conn = await asyncbolt.connect(uri, auth=None)
    try:
        _, count, first, _ = await _asyncbolt_once(conn, WARMUP)
        _check_count("asyncbolt warm-up", count, WARMUP)
        _check_asyncbolt(first)
        times: Times = {n: [] for n in sizes}
        cpu_times: Times = {n: [] for n in sizes}
        for _ in range(runs):
            for n in sizes:
                elapsed, count, first, cpu = await _asyncbolt_once(conn, n)
                _check_count("asyncbolt", count, n)
                _check_asyncbolt(first)
                times[n].append(elapsed)
                cpu_times[n].append(cpu)
        if profile:
            n = max(SIZES)
            profiler = cProfile.Profile()
            profiler.enable()
            await _asyncbolt_once(conn, n)
            profiler.disable()
            print(f"\nasyncbolt client profile (one {n:,}-record query, this process only):")
            stats = pstats.Stats(profiler, stream=sys.stdout)
            stats.sort_stats("tottime").print_stats(15)
        return {"times": times, "cpu_times": cpu_times, "bolt": "{}.{}".format(*conn.protocol_version)}
    finally:
        await conn.close()


def _floor_payloads(version: tuple[int, int], n: int) -> tuple[Any, list[bytes]]:
    """The codec of ``version`` and the n RECORD payloads the server's bytes split into."""
    from asyncbolt.codec.messages import Record
    from asyncbolt.codec.packstream import get_codec
    from asyncbolt.core.framing import ChunkReader, chunk_message

    codec = get_codec(version)  # the client's default limits
    wire = chunk_message(codec.pack_message(Record(_expected()))) * n
    payloads = ChunkReader().feed(wire)
    _check_count("floor", len(payloads), n)
    return codec, payloads


def _floor(bolt: str, sizes: tuple[int, ...], runs: int) -> dict[str, Any]:
    """The decode-only floor: each RECORD payload decoded alone by the codec (see the doc)."""
    version = (int(bolt.split(".")[0]), int(bolt.split(".")[1]))
    times: Times = {n: [] for n in sizes}
    for n in sizes:
        codec, payloads = _floor_payloads(version, n)
        unpack = codec._unpack
        values, end = unpack(payloads[0], 2)
        if end != len(payloads[0]) or values != _expected():
            raise AssertionError(f"floor: decoded {values!r}, expected {_expected()!r}")
        for _ in range(runs):
            gc.collect()
            start = time.perf_counter()
            for payload in payloads:
                unpack(payload, 2)
            times[n].append(time.perf_counter() - start)
        del payloads
    return {"times": times, "bolt": bolt}


async def _driver_once(driver: Any, n: int) -> tuple[float, int, list]:
    gc.collect()
    count = 0
    first = None
    async with driver.session() as session:
        start = time.perf_counter()
        result = await session.run(QUERY, n=n)
        async for record in result:
            record[0]
            if first is None:
                first = record
            count += 1
        elapsed = time.perf_counter() - start
    return elapsed, count, list(first.values())


async def _driver(uri: str, sizes: tuple[int, ...], runs: int, label: str) -> dict[str, Any]:
    import neo4j

    async with neo4j.AsyncGraphDatabase.driver(uri, auth=("neo4j", "x"), fetch_size=1000) as driver:
        info = await driver.get_server_info()
        _, count, first = await _driver_once(driver, WARMUP)
        _check_count(f"{label} warm-up", count, WARMUP)
        _check_driver(label, first)
        times: Times = {n: [] for n in sizes}
        for _ in range(runs):
            for n in sizes:
                elapsed, count, first = await _driver_once(driver, n)
                _check_count(label, count, n)
                _check_driver(label, first)
                times[n].append(elapsed)
        bolt = info.protocol_version
        return {"times": times, "bolt": f"{bolt[0]}.{bolt[1]}"}


def _pure_python_asyncbolt(uri: str, sizes: tuple[int, ...], runs: int, out: Any) -> None:
    """Child process (started with ASYNCBOLT_PURE=1): asyncbolt on its pure-Python codec."""
    try:
        from asyncbolt.codec.packstream import ACCELERATED

        if ACCELERATED:
            raise RuntimeError("the C accelerator is in use with ASYNCBOLT_PURE=1")
        out.put(asyncio.run(_asyncbolt(uri, sizes, runs, False)))
    except BaseException as exc:  # report to the parent, whatever it is
        out.put({"error": f"{type(exc).__name__}: {exc}"})


def _in_child(ctx: Any, target: Any, uri: str, sizes: tuple[int, ...], runs: int,
              env: dict[str, str]) -> dict[str, Any]:
    """Run ``target(uri, sizes, runs, queue)`` in a spawned process with ``env`` added to its
    environment."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        out = ctx.Queue()
        child = ctx.Process(target=target, args=(uri, sizes, runs, out))
        child.start()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    got = out.get(timeout=600)
    child.join(10)
    if "error" in got:
        raise RuntimeError(got["error"])
    return got


def _pure_python_driver(uri: str, sizes: tuple[int, ...], runs: int, out: Any) -> None:
    """Child process: the official driver with neo4j-rust-ext hidden."""
    sys.modules["neo4j._rust"] = None  # type: ignore[assignment]
    try:
        from neo4j._codec.packstream.v1 import _rust_unpack

        if _rust_unpack is not None:
            raise RuntimeError("neo4j-rust-ext is still in use with neo4j._rust blocked")
        out.put(asyncio.run(_driver(uri, sizes, runs, "neo4j-python")))
    except BaseException as exc:  # report to the parent, whatever it is
        out.put({"error": f"{type(exc).__name__}: {exc}"})


# -- small queries -------------------------------------------------------------------------------


async def _small_loop(name: str, session: Any, n: int) -> float:
    """Seconds for ``n`` × ``session.run("RETURN 1")`` + ``single()`` (either driver's session)."""
    gc.collect()
    start = time.perf_counter()
    for _ in range(n):
        result = await session.run("RETURN 1")
        record = await result.single()
        if record[0] != 1:
            raise AssertionError(f"{name} small query: got {record!r}")
    return time.perf_counter() - start


async def _small_asyncbolt(uri: str, runs: int, profile: bool) -> list[float]:
    import asyncbolt

    loop = functools.partial(_small_loop, "asyncbolt")

    async with asyncbolt.Driver(uri, auth=("neo4j", "x")) as driver:
        async with driver.session() as session:
            await loop(session, SMALL_WARMUP)
            times = [await loop(session, SMALL_QUERIES) for _ in range(runs)]
            if profile:
                profiler = cProfile.Profile()
                profiler.enable()
                await loop(session, SMALL_QUERIES)
                profiler.disable()
                print(f"\nasyncbolt small-query profile ({SMALL_QUERIES:,} queries, this process only):")
                stats = pstats.Stats(profiler, stream=sys.stdout)
                stats.sort_stats("tottime").print_stats(25)
    return times


async def _small_driver(uri: str, runs: int) -> list[float]:
    import neo4j

    loop = functools.partial(_small_loop, "neo4j")

    async with neo4j.AsyncGraphDatabase.driver(uri, auth=("neo4j", "x")) as driver:
        async with driver.session() as session:
            await loop(session, SMALL_WARMUP)
            return [await loop(session, SMALL_QUERIES) for _ in range(runs)]


def _small(ctx: Any, runs: int, neo4j_here: bool, profile: bool) -> dict[str, list[float]]:
    ports = ctx.Queue()
    server = ctx.Process(target=_serve_session, args=(ports,), daemon=True)
    server.start()
    times: dict[str, list[float]] = {}
    try:
        uri = f"bolt://127.0.0.1:{ports.get(timeout=30)}"
        for _ in range(runs):
            times.setdefault("asyncbolt", []).extend(asyncio.run(_small_asyncbolt(uri, 1, False)))
            if neo4j_here:
                times.setdefault("neo4j-rust", []).extend(asyncio.run(_small_driver(uri, 1)))
        if profile:
            asyncio.run(_small_asyncbolt(uri, 0, True))
    finally:
        server.terminate()
        server.join(5)
    return times


# -- report ----------------------------------------------------------------------------------------


def _machine() -> str:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f
                        if line.startswith("model name")), cpu)
    except OSError:
        pass
    versions = []
    for dist in ("neo4j", "neo4j-rust-ext"):
        try:
            versions.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{dist} not installed")
    return (f"{platform.machine()} {platform.system()}, {cpu or 'unknown CPU'}, {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}; {', '.join(versions)}")


_WHAT = {"asyncbolt": "asyncbolt (C accelerator)", "floor": "decode-only floor (C codec)",
         "asyncbolt-py": "asyncbolt (pure Python)", "neo4j-rust": "neo4j driver + neo4j-rust-ext",
         "neo4j-python": "neo4j driver, pure Python"}


def _records_rows(report: dict[str, Any]) -> list[list[str]]:
    rows = []
    for n in report["sizes"]:
        rates = report["records_per_s"][str(n)]
        ours = rates["asyncbolt"]
        for name, rate in rates.items():
            if name == "asyncbolt":
                vs = ""
            elif name == "floor":
                vs = f"{ours / rate:.2f} of it"
            else:
                vs = f"{ours / rate:.2f}x"
            what = _WHAT.get(name, name)
            if name == "asyncbolt" and not report["accelerated"]:
                what = "asyncbolt (pure Python)"
            rows.append([f"{n:,}", what, report["bolt"].get(name, ""), f"{rate:,.0f}", vs])
    return rows


def _verdicts(report: dict[str, Any]) -> list[str]:
    lines = []
    for n in report["sizes"]:
        got = report["ratios"][str(n)]
        parts = []
        if "floor" in got:
            ok = got["floor"] >= FLOOR_TARGET
            parts.append(f">= {FLOOR_TARGET:g} of the floor: {'MET' if ok else 'NOT MET'} "
                         f"({got['floor']:.2f})")
        if "neo4j-rust" in got:
            ok = got["neo4j-rust"] >= DRIVER_TARGET
            parts.append(f">= {DRIVER_TARGET:g}x the driver + Rust: {'MET' if ok else 'NOT MET'} "
                         f"({got['neo4j-rust']:.2f}x)")
        lines.append(f"{n:,} rows: " + "; ".join(parts))
    return lines


def _write_results(path: str, report: dict[str, Any], runs: int) -> None:
    from .results import machine_markdown, table, update_section

    parts = ["## Client: records/s decoded (`python -m benchmarks.client`)", ""]
    if "records_per_s" in report:
        parts += [
            "Results of 10,000 and 200,000 records of 7 fields (int, str, float, bool, list, map, "
            "Node) streamed by one auto-commit query from a pre-encoded server in a child process, "
            f"over loopback, fetch size 1000; best of {runs} run{'s' if runs != 1 else ''}, from "
            "`run` to the last record taken with `async for`. The decode-only floor: the same "
            "bytes' RECORD payloads, split beforehand, each decoded alone by the C codec (no I/O, "
            "no Record objects).",
            "",
            machine_markdown(),
            "",
            table(["rows", "client", "bolt", "records/s", "asyncbolt (default codec) is"],
                  _records_rows(report)),
            "",
            "Targets (issue #19): " + " — ".join(_verdicts(report)),
            "",
        ]
        cpu = report.get("cpu_records_per_s")
        if cpu:
            parts += ["asyncbolt per second of its own CPU time (the elapsed time above also "
                      "holds the waits for the server's next batch): " + "; ".join(
                          f"{int(n):,} rows {rate:,.0f} records/s, "
                          f"{rate / report['records_per_s'][n]['floor']:.2f} of the floor"
                          for n, rate in cpu.items()), ""]
        parts += ["What is left beyond decoding (measured in-process, without sockets): per record "
                  "one `Record` and one `async for` step in Python, each about a quarter of the "
                  "floor's time per record, and one young-generation GC collection per batch of "
                  "1,000 live records; the floor ratio cannot reach 0.85 while each record is a "
                  "Python object handed out by `async for` (the columnar path of #19 avoids "
                  "both).", ""]
    if "small_queries_per_s" in report:
        small = report["small_queries_per_s"]
        rows = [[_WHAT.get(name, name), f"{rate:,.0f}",
                 "" if name == "asyncbolt" else f"{small['asyncbolt'] / rate:.2f}x"]
                for name, rate in small.items()]
        parts += [
            f"Small queries: {SMALL_QUERIES:,} x `await session.run(\"RETURN 1\")` + "
            "`await result.single()` in one Driver session against an asyncbolt ServerSession "
            f"(child process) answering `[[1]]`; best of {runs}.",
            "",
            table(["client", "queries/s", "asyncbolt is"], rows),
            "",
        ]
    update_section(path, "client", "\n".join(parts).rstrip("\n"))


def _records(ctx: Any, runs: int, neo4j_here: bool, accelerated: bool, profile: bool,
             report: dict[str, Any]) -> None:
    ports = ctx.Queue()
    server = ctx.Process(target=preencoded.serve, args=(ports, FIELDS, _expected), daemon=True)
    server.start()
    results: dict[str, dict[str, Any]] = {}

    def add(name: str, got: dict[str, Any]) -> None:
        entry = results.setdefault(name, {"times": {n: [] for n in SIZES}, "bolt": got["bolt"]})
        for n, t in got["times"].items():
            entry["times"][int(n)] += t
        for n, t in got.get("cpu_times", {}).items():
            entry.setdefault("cpu_times", {m: [] for m in SIZES})[int(n)] += t

    try:
        uri = f"bolt://127.0.0.1:{ports.get(timeout=30)}"
        # Runs alternate, one per client (and the floor) per round; the pure-Python clients keep
        # their own process (and interpreter) for all their runs.
        for _ in range(runs):
            got = asyncio.run(_asyncbolt(uri, SIZES, 1, False))
            add("asyncbolt", got)
            add("floor", _floor(got["bolt"], SIZES, 1))
            if neo4j_here:
                add("neo4j-rust", asyncio.run(_driver(uri, SIZES, 1, "neo4j-rust")))
        if accelerated:
            add("asyncbolt-py", _in_child(ctx, _pure_python_asyncbolt, uri, SIZES, runs,
                                          {"ASYNCBOLT_PURE": "1"}))
        if neo4j_here:
            add("neo4j-python", _in_child(ctx, _pure_python_driver, uri, SIZES, runs, {}))
        if profile:
            asyncio.run(_asyncbolt(uri, SIZES, 0, True))
    finally:
        server.terminate()
        server.join(5)

    rates = {str(n): {name: n / min(r["times"][n]) for name, r in results.items()} for n in SIZES}
    ratios = {str(n): {name: rates[str(n)]["asyncbolt"] / rate for name, rate in rates[str(n)].items()
                       if name != "asyncbolt"} for n in SIZES}
    report.update({"sizes": list(SIZES), "records_per_s": rates, "ratios": ratios,
                   "times_s": {name: {str(n): t for n, t in r["times"].items()}
                               for name, r in results.items()},
                   "bolt": {name: r["bolt"] for name, r in results.items()}})
    print(f"\n{'rows':>8} {'client':<14} {'bolt':>5} {'records/s':>12} {'asyncbolt is':>14}")
    for n in SIZES:
        for name, rate in rates[str(n)].items():
            ratio = ratios[str(n)].get(name)
            vs = "" if ratio is None else (f"{ratio:.2f} of it" if name == "floor" else f"{ratio:.2f}x")
            print(f"{n:>8,} {name:<14} {results[name]['bolt']:>5} {rate:>12,.0f} {vs:>14}")
    for line in _verdicts(report):
        print("target: " + line)
    # The client's own CPU time (the floor is all CPU time of this process anyway): less
    # sensitive to a machine that is busy with something else than the elapsed time.
    cpu = results["asyncbolt"].get("cpu_times")
    if cpu:
        report["cpu_records_per_s"] = {str(n): n / min(cpu[n]) for n in SIZES}
        for n in SIZES:
            rate = report["cpu_records_per_s"][str(n)]
            print(f"asyncbolt, {n:,} rows, per second of the client's CPU: {rate:,.0f} records "
                  f"({rate / rates[str(n)]['floor']:.2f} of the floor)")
    report["floor_target_met"] = all(r.get("floor", 0) >= FLOOR_TARGET for r in ratios.values())
    if neo4j_here:
        report["driver_target_met"] = all(r["neo4j-rust"] >= DRIVER_TARGET for r in ratios.values())


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.client", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="one run per client (CI)")
    ap.add_argument("--mode", choices=("records", "small", "all"), default="all",
                    help="records/s of large results, small queries/s through a session, or both")
    ap.add_argument("--json", help="write the numbers to this file")
    ap.add_argument("--results", metavar="PATH",
                    help="write the tables to the client section of PATH (markdown)")
    ap.add_argument("--profile", action="store_true",
                    help="also profile asyncbolt (client side) with cProfile")
    args = ap.parse_args(argv)
    runs = 1 if args.quick else 3
    from asyncbolt.codec.packstream import ACCELERATED

    print(f"client throughput — {_machine()}")
    print("asyncbolt codec: " + ("C accelerator (asyncbolt-py: the pure-Python one)" if ACCELERATED
                                 else "pure Python (the C accelerator is not built or disabled)"))
    try:
        import neo4j  # noqa: F401
        from neo4j._codec.packstream.v1 import _rust_unpack
    except ImportError:
        neo4j_here = False
        print("client bench: the neo4j driver is not installed; timing asyncbolt alone")
    else:
        neo4j_here = True
        if _rust_unpack is None:
            print("client bench: neo4j-rust-ext is not installed; 'neo4j-rust' is pure Python too")

    ctx = multiprocessing.get_context("spawn")
    report: dict[str, Any] = {"runs": runs, "accelerated": ACCELERATED}
    if args.mode in ("records", "all"):
        print(f"{' and '.join(f'{n:,}' for n in SIZES)} records x 7 fields (int, str, float, bool, "
              f"list, map, Node) from a pre-encoded server on loopback, fetch size 1000, best of {runs}")
        _records(ctx, runs, neo4j_here, ACCELERATED, args.profile, report)
    if args.mode in ("small", "all"):
        print(f"\n{SMALL_QUERIES:,} x session.run('RETURN 1') + single() through a Driver session, "
              f"against an asyncbolt ServerSession, best of {runs}")
        times = _small(ctx, runs, neo4j_here, args.profile)
        small = {name: SMALL_QUERIES / min(t) for name, t in times.items()}
        report["small_queries_per_s"] = small
        for name, rate in small.items():
            vs = "" if name == "asyncbolt" else f"  (asyncbolt is {small['asyncbolt'] / rate:.2f}x)"
            print(f"{name:<14} {rate:>10,.0f} queries/s{vs}")
    if args.results:
        _write_results(args.results, report, runs)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=2)
    return report


if __name__ == "__main__":
    main()
