"""Client throughput: records/s that asyncbolt's client decodes, against the official driver.

    python -m benchmarks.client [--quick] [--json PATH] [--results PATH] [--profile]

What is measured
    One auto-commit query streaming 100,000 records of 7 fields (int, str, float, bool, list,
    map, Node) over loopback, timed from ``run`` until the last record has been taken with
    ``async for`` (each record's ``record[0]`` is read). Connecting, authenticating and opening
    the session are not timed. Reported: the best records/s of the runs, and the ratios of
    asyncbolt to the official driver.

The server
    A fake, "pre-encoded" server in a child process (multiprocessing spawn: its own core on a
    2-core machine). It uses ``asyncbolt.core.server.ServerConnection`` for the protocol only
    (handshake with manifest, HELLO/LOGON/RESET/GOODBYE..., the state machine), but answers
    every PULL n with n copies of one RECORD that was encoded and chunked once per connection,
    for the negotiated version, and written as one ``bytes`` repetition: no per-record work on
    the server, so the client is the bottleneck. Then SUCCESS {has_more: true}, or the final
    SUCCESS once 100,000 records are out. Both clients use a fetch size of 1,000 (PULL n=1000),
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

Method
    Before a client is timed, an untimed warm-up query checks that the values of the first
    record are the expected ones (for the drivers, the Node by element_id, labels and
    properties); every timed run must then deliver exactly 100,000 records whose first one is
    checked again after the clock stops. Runs of the clients alternate (3 rounds, 1 with
    ``--quick``); the garbage collector stays enabled, as users have it. Ratios are asyncbolt's
    records/s divided by the other client's. ``--profile`` runs one asyncbolt query under
    cProfile (this process only, the server is not in it) and prints the top functions.
    ``--results PATH`` writes the table to the "client" section of PATH (markdown; see
    benchmarks/results.py).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
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

RECORDS = 100_000
WARMUP = 1_000
FIELDS = ["i", "name", "score", "flag", "list", "map", "node"]
QUERY = "UNWIND range(1, $n) AS i RETURN i, 'a name string', 3.25, true, [1, 2, 3], {k: 'v', n: 7}, n"
TARGET = 3.0
SERVER_AGENT = "Neo4j/5.26.0"


def _expected() -> list:
    from asyncbolt.codec.structures import Node

    return [12345, "a name string", 3.25, True, [1, 2, 3], {"k": "v", "n": 7},
            Node(42, ["Person"], {"name": "Ada", "age": 36}, "4:abc:42")]


# -- the pre-encoded server (child process) ------------------------------------------------------


def _serve(port_queue: Any) -> None:
    from asyncbolt.codec.messages import Record
    from asyncbolt.codec.packstream import get_codec
    from asyncbolt.core.framing import chunk_message
    from asyncbolt.core.server import Closed, ServerConnection

    final = {"type": "r", "t_last": 0, "db": "neo4j"}

    class Proto(asyncio.Protocol):
        def connection_made(self, transport: Any) -> None:
            self.transport = transport
            self.conn = ServerConnection()
            self.record: bytes | None = None
            self.batches: dict[int, bytes] = {}
            self.left = 0  # records of the open result still to send

        def data_received(self, data: bytes) -> None:
            conn = self.conn
            conn.receive_data(data)
            while True:
                event = conn.next_event()
                if event is None:
                    break
                if isinstance(event, Closed):
                    self._flush()
                    self.transport.close()
                    return
                self._answer(event)
            self._flush()

        def connection_lost(self, exc: Exception | None) -> None:
            self.conn.receive_data(b"")

        def _flush(self) -> None:
            data = self.conn.data_to_send()
            if data:
                self.transport.write(data)

        def _answer(self, request: Any) -> None:
            conn = self.conn
            name = request.name
            message = request.message
            if name == "HELLO":
                conn.success({"server": SERVER_AGENT, "connection_id": "bolt-1"})
            elif name == "RUN":
                # The query's parameter n (or a number at its end) says how many records.
                n = (message.parameters or {}).get("n")
                self.left = int(n if n is not None else message.query.split()[-1])
                conn.success({"fields": FIELDS, "t_first": 0})
            elif name in ("PULL", "PULL_ALL"):
                n = message.extra.get("n", -1) if name == "PULL" else -1
                k = self.left if n < 0 else min(n, self.left)
                self.left -= k
                if k:
                    # Whatever the connection holds (the RUN's SUCCESS) goes before the records.
                    self._flush()
                    self.transport.write(self._batch(k))
                conn.success({"has_more": True} if self.left else final)
            elif name in ("DISCARD", "DISCARD_ALL"):
                self.left = 0
                conn.success(final)
            else:  # LOGON, RESET, BEGIN, COMMIT, ROLLBACK, ROUTE, TELEMETRY...
                conn.success({})

        def _batch(self, k: int) -> bytes:
            batch = self.batches.get(k)
            if batch is None:
                if self.record is None:
                    # Encoded once per connection, in the negotiated version's layout (the Node
                    # has 3 fields before Bolt 5.0, 4 with element_id from 5.0).
                    payload = get_codec(self.conn.version).pack_message(Record(_expected()))
                    self.record = chunk_message(payload)
                batch = self.batches[k] = self.record * k
            return batch

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Proto, "127.0.0.1", 0)
        port_queue.put(server.sockets[0].getsockname()[1])
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


async def _asyncbolt_once(conn: Any, n: int) -> tuple[float, int, list]:
    gc.collect()
    count = 0
    first = None
    start = time.perf_counter()
    result = await conn.run(QUERY, {"n": n})
    async for record in result:
        record[0]
        if first is None:
            first = record
        count += 1
    elapsed = time.perf_counter() - start
    return elapsed, count, first.values()


async def _asyncbolt(uri: str, runs: int, profile: bool) -> dict[str, Any]:
    import asyncbolt

    conn = await asyncbolt.connect(uri, auth=None)
    try:
        _, count, first = await _asyncbolt_once(conn, WARMUP)
        _check_count("asyncbolt warm-up", count, WARMUP)
        _check_asyncbolt(first)
        times = []
        for _ in range(runs):
            elapsed, count, first = await _asyncbolt_once(conn, RECORDS)
            _check_count("asyncbolt", count, RECORDS)
            _check_asyncbolt(first)
            times.append(elapsed)
        if profile:
            profiler = cProfile.Profile()
            profiler.enable()
            await _asyncbolt_once(conn, RECORDS)
            profiler.disable()
            print("\nasyncbolt client profile (one 100,000-record query, this process only):")
            stats = pstats.Stats(profiler, stream=sys.stdout)
            stats.sort_stats("tottime").print_stats(15)
        return {"times": times, "bolt": "{}.{}".format(*conn.protocol_version)}
    finally:
        await conn.close()


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


async def _driver(uri: str, runs: int, label: str) -> dict[str, Any]:
    import neo4j

    async with neo4j.AsyncGraphDatabase.driver(uri, auth=("neo4j", "x"), fetch_size=1000) as driver:
        info = await driver.get_server_info()
        _, count, first = await _driver_once(driver, WARMUP)
        _check_count(f"{label} warm-up", count, WARMUP)
        _check_driver(label, first)
        times = []
        for _ in range(runs):
            elapsed, count, first = await _driver_once(driver, RECORDS)
            _check_count(label, count, RECORDS)
            _check_driver(label, first)
            times.append(elapsed)
        bolt = info.protocol_version
        return {"times": times, "bolt": f"{bolt[0]}.{bolt[1]}"}


def _pure_python_asyncbolt(uri: str, runs: int, out: Any) -> None:
    """Child process (started with ASYNCBOLT_PURE=1): asyncbolt on its pure-Python codec."""
    try:
        from asyncbolt.codec.packstream import ACCELERATED

        if ACCELERATED:
            raise RuntimeError("the C accelerator is in use with ASYNCBOLT_PURE=1")
        out.put(asyncio.run(_asyncbolt(uri, runs, False)))
    except BaseException as exc:  # report to the parent, whatever it is
        out.put({"error": f"{type(exc).__name__}: {exc}"})


def _in_child(ctx: Any, target: Any, uri: str, runs: int, env: dict[str, str]) -> dict[str, Any]:
    """Run ``target(uri, runs, queue)`` in a spawned process with ``env`` added to its environment."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        out = ctx.Queue()
        child = ctx.Process(target=target, args=(uri, runs, out))
        child.start()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    got = out.get(timeout=300)
    child.join(10)
    if "error" in got:
        raise RuntimeError(got["error"])
    return got


def _pure_python_driver(uri: str, runs: int, out: Any) -> None:
    """Child process: the official driver with neo4j-rust-ext hidden."""
    sys.modules["neo4j._rust"] = None  # type: ignore[assignment]
    try:
        from neo4j._codec.packstream.v1 import _rust_unpack

        if _rust_unpack is not None:
            raise RuntimeError("neo4j-rust-ext is still in use with neo4j._rust blocked")
        out.put(asyncio.run(_driver(uri, runs, "neo4j-python")))
    except BaseException as exc:  # report to the parent, whatever it is
        out.put({"error": f"{type(exc).__name__}: {exc}"})


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


def _write_results(path: str, report: dict[str, Any], results: dict[str, Any], runs: int) -> None:
    from .results import machine_markdown, table, update_section

    rates = report["records_per_s"]
    what = {"asyncbolt": "asyncbolt (C accelerator)" if report["accelerated"] else "asyncbolt (pure Python)",
            "asyncbolt-py": "asyncbolt (pure Python)",
            "neo4j-rust": "neo4j driver + neo4j-rust-ext", "neo4j-python": "neo4j driver, pure Python"}
    rows = [[what.get(name, name), results[name]["bolt"], f"{rate:,.0f}",
             "" if name == "asyncbolt" else f"{rates['asyncbolt'] / rate:.2f}x"]
            for name, rate in rates.items()]
    body = "\n".join([
        "## Client: records/s decoded (`python -m benchmarks.client`)",
        "",
        f"{RECORDS:,} records of 7 fields (int, str, float, bool, list, map, Node) streamed by one "
        "auto-commit query from a pre-encoded server in a child process, over loopback, fetch size "
        f"1000; best of {runs} run{'s' if runs != 1 else ''}, from `run` to the last record taken "
        "with `async for`.",
        "",
        machine_markdown(),
        "",
        table(["client", "bolt", "records/s", "asyncbolt (default codec) is"], rows),
        "",
        f"Target: asyncbolt >= {TARGET:g}x the official driver with its Rust extension: "
        + (("MET" if report.get("target_met") else "NOT MET")
           + f" ({report['ratio_vs_neo4j_rust']:.2f}x)" if "ratio_vs_neo4j_rust" in report
           else "not measured (no neo4j driver)"),
    ])
    update_section(path, "client", body)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.client", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="one run per client (CI)")
    ap.add_argument("--json", help="write the numbers to this file")
    ap.add_argument("--results", metavar="PATH",
                    help="write the table to the client section of PATH (markdown)")
    ap.add_argument("--profile", action="store_true",
                    help="also profile one asyncbolt query (client side) with cProfile")
    args = ap.parse_args(argv)
    runs = 1 if args.quick else 3
    from asyncbolt.codec.packstream import ACCELERATED

    print(f"client throughput — {_machine()}")
    print("asyncbolt codec: " + ("C accelerator (asyncbolt-py: the pure-Python one)" if ACCELERATED
                                 else "pure Python (the C accelerator is not built or disabled)"))
    print(f"{RECORDS:,} records x 7 fields (int, str, float, bool, list, map, Node) from a "
          f"pre-encoded server on loopback, fetch size 1000, best of {runs}")
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
    ports = ctx.Queue()
    server = ctx.Process(target=_serve, args=(ports,), daemon=True)
    server.start()
    results: dict[str, dict[str, Any]] = {}
    try:
        uri = f"bolt://127.0.0.1:{ports.get(timeout=30)}"
        # Runs alternate, one per client per round; the pure-Python driver keeps its own
        # process (and its own interpreter, without the extension) for all its runs.
        for _ in range(runs):
            for name, run in (("asyncbolt", lambda: _asyncbolt(uri, 1, False)),
                              ("neo4j-rust", lambda: _driver(uri, 1, "neo4j-rust"))):
                if name != "asyncbolt" and not neo4j_here:
                    continue
                got = asyncio.run(run())
                entry = results.setdefault(name, {"times": [], "bolt": got["bolt"]})
                entry["times"] += got["times"]
        if ACCELERATED:
            results["asyncbolt-py"] = _in_child(ctx, _pure_python_asyncbolt, uri, runs,
                                                {"ASYNCBOLT_PURE": "1"})
        if neo4j_here:
            results["neo4j-python"] = _in_child(ctx, _pure_python_driver, uri, runs, {})
        if args.profile:
            asyncio.run(_asyncbolt(uri, 0, True))
    finally:
        server.terminate()
        server.join(5)

    rates = {name: RECORDS / min(r["times"]) for name, r in results.items()}
    print(f"\n{'client':<14} {'bolt':>5} {'records/s':>12} {'asyncbolt is':>13}")
    for name, rate in rates.items():
        ratio = "" if name == "asyncbolt" else f"{rates['asyncbolt'] / rate:.2f}x"
        print(f"{name:<14} {results[name]['bolt']:>5} {rate:>12,.0f} {ratio:>13}")
    report: dict[str, Any] = {"records": RECORDS, "runs": runs, "accelerated": ACCELERATED,
                              "records_per_s": rates,
                              "times_s": {name: r["times"] for name, r in results.items()},
                              "bolt": {name: r["bolt"] for name, r in results.items()}}
    for name in ("neo4j-rust", "neo4j-python"):
        if name in rates:
            report[f"ratio_vs_{name.replace('-', '_')}"] = rates["asyncbolt"] / rates[name]
    if "neo4j-rust" in rates:
        ratio = report["ratio_vs_neo4j_rust"]
        verdict = "MET" if ratio >= TARGET else "NOT MET"
        print(f"target: asyncbolt >= {TARGET:g}x official driver with Rust extension: "
              f"{verdict} ({ratio:.2f}x)")
        report["target_met"] = ratio >= TARGET
    if args.results:
        _write_results(args.results, report, results, runs)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=2)
    return report


if __name__ == "__main__":
    main()
