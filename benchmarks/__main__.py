"""Codec benchmark: ``python -m benchmarks [--quick] [--json PATH] [--results PATH] [--png PATH]
[--profile]`` (``make bench``).

What is measured
    Encoding and decoding one fixed payload (``benchmarks.payload.build_rows``: 1,000 RECORD-like
    rows ``[int, float, str, [ints], {str: mixed}, Node]``, seeded, ~280 KB of PackStream) in two
    shapes:

    * one blob: the 1,000 rows as a single list value (one call per operation);
    * per row: 1,000 separate row values (1,000 calls), as records arrive one per message.

Implementations
    asyncbolt-c    ``asyncbolt.codec.packstream.Codec((5, 0), accelerated=True)`` ``.pack`` / ``.unpack``:
                   the C accelerator (skipped when it is not built or ``ASYNCBOLT_PURE=1``).
    asyncbolt-py   the same with ``accelerated=False``: the pure-Python codec.
    construct      ``asyncbolt.codec.schemas.parse_value`` (decode only; the strict reference decoder).
    neo4j-python   neo4j's ``Packer`` / ``Unpacker`` (``neo4j._codec.packstream.v1``) with the Rust
                   extension hidden: the module is imported a second time with ``neo4j._rust``
                   blocked in ``sys.modules``, so it takes its pure-Python branches *and* uses the
                   pure-Python ``Structure``, exactly as for a user without neo4j-rust-ext.
    neo4j-rust     the same classes imported normally, which delegate to neo4j-rust-ext's
                   ``_rust_pack`` / ``_rust_unpack`` (skipped when the extension is missing).
    msgpack        ``msgpack.Packer().pack`` / ``msgpack.unpackb`` on the same values with each Node
                   as a plain list ``[id, labels, properties, element_id]`` (all C, no callbacks).
    msgpack+ext    the same, but each Node as an ``ExtType`` built by a ``default=`` hook and
                   turned back into a ``Node`` by an ``ext_hook`` (a Python callback per Node).

    The neo4j ``Unpacker`` runs without hydration hooks, so Nodes stay ``Structure(b"N", ...)``
    and the comparison is codec-only; the driver's hydration into ``neo4j.graph.Node`` would add
    to neo4j's decode time. Its ``Packer.pack`` is timed as the driver calls it (including the
    per-call ``DehydrationHooks`` set-up). Encoders return ``bytes`` (neo4j's buffer is copied
    out with ``bytes()``); neo4j decoders read from pre-filled ``UnpackableBuffer`` s (rewound
    each run), the others from ``bytes``.

Method
    Before anything is timed, every decoder's output is compared with the input (exact types;
    structures by tag and fields, see ``payload.diff``) and every encoder's output must decode
    back to it; an implementation that fails is reported and not timed. The PackStream encoders
    are also checked for byte-identical output. Timing uses ``time.perf_counter`` around a
    single operation; runs of all cases are interleaved over several rounds (so a noisy
    neighbour hits everyone alike), the garbage collector is disabled while timing (as
    ``timeit`` does) and the best run is reported. Ratios are speed factors: baseline time /
    this time, so ``2.00x`` means twice as fast as the baseline and ``0.50x`` half as fast.

Machine
    The header of every run prints the platform, CPU model, CPU count and Python build; the
    numbers are only comparable between runs on the same machine. ``--quick`` is a short pass
    for CI (fewer runs, noisier numbers); ``--json PATH`` also writes all numbers as JSON,
    ``--results PATH`` puts them as markdown tables in the "codec" section of PATH
    (benchmarks/RESULTS.md for ``make bench``) and ``--png PATH`` draws the speed ratios as a bar
    chart (only when matplotlib is installed; it is not a dependency).

Targets
    asyncbolt-c decode >= 1.5x neo4j-rust, asyncbolt-py decode >= 3.7x neo4j-python (the lower of
    the two shapes counts).
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import gc
import importlib
import json
import math
import os
import pstats
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from asyncbolt.codec.packstream import ACCELERATED, Codec
from asyncbolt.codec.structures import Node

from . import results as _results
from .payload import ROWS, build_rows, convert_nodes, diff, node_fields

VERSION = (5, 0)
SHAPES = ("one blob", "per row")
OPS = ("encode", "decode")
BASELINES = ("neo4j-python", "neo4j-rust", "msgpack")
OURS = ("asyncbolt-c", "asyncbolt-py")
#: (asyncbolt implementation, baseline, decode speed factor it must reach)
#: The pure-Python floor is issue #17's (3.7x, set with the inline depth 1 that halved codec.py).
TARGETS = (("asyncbolt-c", "neo4j-rust", 1.5), ("asyncbolt-py", "neo4j-python", 3.7))


@dataclass
class Impl:
    """One implementation: timed callables per (shape, op) and what it must decode to."""

    name: str
    expected: Any  # the payload in this implementation's own value form
    blob: bytes  # the blob this implementation decodes (its own encoding when it has one)
    rows: list[bytes]
    encode: dict[str, Callable[[], Any]] = field(default_factory=dict)
    decode: dict[str, Callable[[], Any]] = field(default_factory=dict)
    packstream: bool = True


@dataclass
class Case:
    impl: str
    shape: str
    op: str
    fn: Callable[[], Any]
    best: float = math.inf
    runs: int = 0
    per_round: int = 1


# -- implementations ---------------------------------------------------------------------------


def setup_asyncbolt(rows: list, accelerated: bool) -> Impl:
    codec = Codec(VERSION, accelerated=accelerated)
    pack, unpack = codec.pack, codec.unpack
    blob, row_bytes = pack(rows), [pack(r) for r in rows]
    return Impl(
        "asyncbolt-c" if accelerated else "asyncbolt-py", rows, blob, row_bytes,
        encode={"one blob": lambda: pack(rows), "per row": lambda: [pack(r) for r in rows]},
        decode={"one blob": lambda: unpack(blob),
                "per row": lambda: [unpack(b) for b in row_bytes]},
    )


def setup_construct(rows: list, blob: bytes, row_bytes: list[bytes]) -> Impl:
    from asyncbolt.codec import schemas

    parse = functools.partial(schemas.parse_value, version=VERSION)
    return Impl(
        "construct", rows, blob, row_bytes,
        decode={"one blob": lambda: parse(blob),
                "per row": lambda: [parse(b) for b in row_bytes]},
    )


def _import_neo4j_pure_python() -> Any:
    """``neo4j._codec.packstream.v1`` as imported without neo4j-rust-ext.

    Imports the neo4j package afresh with ``neo4j._rust`` set to None in ``sys.modules`` (which
    makes ``import neo4j._rust...`` raise ImportError, taking neo4j's fallback branches), then
    puts the normally imported neo4j modules back. The returned module keeps its own globals.
    """

    def ours(name: str) -> bool:
        return name == "neo4j" or name.startswith("neo4j.")

    saved = {name: module for name, module in sys.modules.items() if ours(name)}
    for name in saved:
        del sys.modules[name]
    sys.modules["neo4j._rust"] = None  # type: ignore[assignment]
    try:
        v1 = importlib.import_module("neo4j._codec.packstream.v1")
    finally:
        for name in [name for name in sys.modules if ours(name)]:
            del sys.modules[name]
        sys.modules.update(saved)
    if v1._rust_pack is not None or v1._rust_unpack is not None:
        raise RuntimeError("could not hide neo4j-rust-ext")
    if "_python" not in v1.Structure.__module__:
        raise RuntimeError(f"pure-Python neo4j uses {v1.Structure.__module__}.Structure")
    return v1


def _setup_neo4j(name: str, v1: Any, rows: list) -> Impl:
    structure = v1.Structure
    values = convert_nodes(rows, lambda n: structure(b"N", *node_fields(n)))
    buffer = v1.PackableBuffer()
    packer = v1.Packer(buffer)
    clear, data = buffer.clear, buffer.data

    def pack(value: Any) -> bytes:
        clear()
        packer.pack(value)
        return bytes(data)

    blob, row_bytes = pack(values), [pack(r) for r in values]
    blob_unpacker = v1.Unpacker(v1.UnpackableBuffer(blob))
    row_unpackers = [v1.Unpacker(v1.UnpackableBuffer(b)) for b in row_bytes]

    def decode_blob() -> Any:
        blob_unpacker.unpackable.p = 0
        return blob_unpacker.unpack()  # no hydration hooks: Structures stay Structures

    def decode_rows() -> list:
        out = []
        append = out.append
        for unpacker in row_unpackers:
            unpacker.unpackable.p = 0
            append(unpacker.unpack())
        return out

    return Impl(
        name, values, blob, row_bytes,
        encode={"one blob": lambda: pack(values), "per row": lambda: [pack(r) for r in values]},
        decode={"one blob": decode_blob, "per row": decode_rows},
    )


def setup_neo4j_python(rows: list) -> Impl:
    return _setup_neo4j("neo4j-python", _import_neo4j_pure_python(), rows)


def setup_neo4j_rust(rows: list) -> Impl:
    from neo4j._codec.packstream import v1

    if v1._rust_pack is None or v1._rust_unpack is None:
        raise ImportError("neo4j-rust-ext is not installed")
    return _setup_neo4j("neo4j-rust", v1, rows)


def setup_msgpack(rows: list) -> Impl:
    import msgpack

    values = convert_nodes(rows, node_fields)
    pack, unpack = msgpack.Packer().pack, msgpack.unpackb
    blob, row_bytes = pack(values), [pack(r) for r in values]
    return Impl(
        "msgpack", values, blob, row_bytes, packstream=False,
        encode={"one blob": lambda: pack(values), "per row": lambda: [pack(r) for r in values]},
        decode={"one blob": lambda: unpack(blob),
                "per row": lambda: [unpack(b) for b in row_bytes]},
    )


def setup_msgpack_ext(rows: list) -> Impl:
    import msgpack

    node_code = 0x4E
    pack_fields = msgpack.Packer().pack  # a separate packer: the hook runs inside pack()

    def default(value: Any) -> Any:
        if type(value) is Node:
            return msgpack.ExtType(node_code, pack_fields(node_fields(value)))
        raise TypeError(f"cannot pack {type(value).__name__}")

    def ext_hook(code: int, data: bytes) -> Any:
        if code == node_code:
            return Node(*msgpack.unpackb(data))
        return msgpack.ExtType(code, data)

    pack = msgpack.Packer(default=default).pack
    unpack = functools.partial(msgpack.unpackb, ext_hook=ext_hook)
    blob, row_bytes = pack(rows), [pack(r) for r in rows]
    return Impl(
        "msgpack+ext", rows, blob, row_bytes, packstream=False,
        encode={"one blob": lambda: pack(rows), "per row": lambda: [pack(r) for r in rows]},
        decode={"one blob": lambda: unpack(blob),
                "per row": lambda: [unpack(b) for b in row_bytes]},
    )


# -- verification ------------------------------------------------------------------------------


def verify(impl: Impl) -> str | None:
    """None if ``impl`` is correct, else what is wrong.

    Its decoders must return the input exactly from its own encoding (so the encoders are
    checked too: their output decodes back to the input), and its encoders must reproduce that
    encoding on every call.
    """
    for shape, fn in impl.decode.items():
        problem = diff(impl.expected, fn())
        if problem:
            return f"decode {shape}: {problem}"
    encoded = {"one blob": impl.blob, "per row": impl.rows}
    for shape, fn in impl.encode.items():
        if fn() != encoded[shape]:
            return f"encode {shape}: output differs from the verified encoding"
    return None


# -- timing ------------------------------------------------------------------------------------


def _time_once(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    del result  # freed outside the timed region
    return elapsed


def measure(cases: list[Case], budget: float, rounds: int, min_runs: int) -> None:
    """Best-of timing, interleaving all cases over ``rounds`` rounds, ~``budget`` s per case."""
    gc.collect()
    gc.disable()
    try:
        for case in cases:  # warm up and calibrate
            once = min(_time_once(case.fn), _time_once(case.fn))
            runs = min(max(min_runs, int(budget / max(once, 1e-9))), 10_000)
            case.per_round = max(1, math.ceil(runs / rounds))
        for _ in range(rounds):
            for case in cases:
                for _ in range(case.per_round):
                    case.best = min(case.best, _time_once(case.fn))
                    case.runs += 1
            gc.collect()
    finally:
        gc.enable()


# -- report ------------------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    return _results.machine()


def _factor(baseline: float | None, this: float | None) -> float | None:
    if baseline is None or this is None:
        return None
    return baseline / this


def _fmt_ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1e3:.2f}"


def _fmt_x(factor: float | None) -> str:
    return "-" if factor is None else f"{factor:.2f}x"


def markdown_table(times: dict[str, dict[str, float | None]], names: list[str]) -> str:
    head = ["implementation"]
    for op in OPS:
        head += [f"{op} ms"] + [f"{op} vs {b}" for b in BASELINES]
    rows = []
    for name in names:
        row = [f"**{name}**" if name in OURS else name]
        for op in OPS:
            this = times[name][op]
            row.append(_fmt_ms(this))
            row += [_fmt_x(_factor(times.get(b, {}).get(op), this)) for b in BASELINES]
        rows.append(row)
    return _results.table(head, rows)


def results_markdown(report: dict[str, Any], names: list[str]) -> str:
    p = report["payload"]
    m = report["method"]
    parts = [
        "## Codec: encode and decode (`python -m benchmarks`)",
        "",
        f"{p['rows']:,} RECORD-like rows `[int, float, str, [ints], {{str: mixed}}, Node]` "
        f"(seeded), Bolt {p['bolt_version'][0]}.{p['bolt_version'][1]}: one blob of "
        f"{p['blob_bytes']:,} bytes, and per row ({p['rows']:,} values, {p['row_bytes']:,} bytes). "
        f"Best of >= {m['min_runs']} runs per case (perf_counter, gc off), interleaved over "
        f"{m['rounds']} rounds{' (--quick)' if m['quick'] else ''}. Ratios are speed factors: "
        "baseline time / this time (>1 = faster). asyncbolt-c is the C accelerator, asyncbolt-py "
        "the pure-Python codec; neo4j-rust is the official driver's codec with neo4j-rust-ext, "
        "neo4j-python the same without it.",
        "",
        _results.machine_markdown(report["machine"]),
    ]
    if report["unavailable"]:
        parts += ["", "Not measured: " + "; ".join(f"{k} ({v})" for k, v in report["unavailable"].items())]
    for shape in SHAPES:
        what = "1 value holding 1,000 rows" if shape == "one blob" else "1,000 values, 1 call each"
        parts += ["", f"### {shape} ({what})", "", markdown_table(report["seconds"][shape], names)]
    parts += ["", "### Targets", ""]
    rows = [[t["what"], f"{t['threshold']:g}x", _fmt_x(t["value"]), t["verdict"]]
            for t in report["targets"]]
    parts.append(_results.table(["target", "needed", "measured", "verdict"], rows, right={1, 2}))
    return "\n".join(parts)


def draw_png(path: str, report: dict[str, Any]) -> bool:
    """A bar chart of asyncbolt's speed factors; False when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    pairs = [(ours, base) for ours in OURS for base in ("neo4j-rust", "neo4j-python", "msgpack")
             if ours in report["seconds"]["one blob"] and base in report["seconds"]["one blob"]]
    groups = [(op, shape) for op in ("decode", "encode") for shape in SHAPES]
    fig, ax = plt.subplots(figsize=(10, 6))
    width = 0.8 / max(len(pairs), 1)
    for i, (ours, base) in enumerate(pairs):
        values = [_factor(report["seconds"][shape][base][op], report["seconds"][shape][ours][op]) or 0
                  for op, shape in groups]
        xs = [g + (i - (len(pairs) - 1) / 2) * width for g in range(len(groups))]
        bars = ax.bar(xs, values, width, label=f"{ours} vs {base}")
        ax.bar_label(bars, labels=[f"{v:.1f}" for v in values], fontsize=7, padding=2)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_yscale("log")
    ax.set_xticks(range(len(groups)), [f"{op}\n{shape}" for op, shape in groups])
    ax.set_ylabel("speed factor (baseline time / asyncbolt time, log scale)")
    info = report["machine"]
    ax.set_title(f"asyncbolt codec speed, {ROWS:,} rows, Bolt {VERSION[0]}.{VERSION[1]} — "
                 f"{info['cpu_model']}, {info['python']}", fontsize=9)
    ax.legend(fontsize=8, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.14))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def print_table(shape: str, times: dict[str, dict[str, float | None]], names: list[str]) -> None:
    short = {"neo4j-python": "n4j-py", "neo4j-rust": "n4j-rs", "msgpack": "msgpack"}
    head = f"{'implementation':<14}"
    for op in OPS:
        head += f" {op + ' ms':>10}" + "".join(f" {'vs ' + short[b]:>10}" for b in BASELINES)
    print(head)
    print("-" * len(head))
    for name in names:
        line = f"{name:<14}"
        for op in OPS:
            this = times[name][op]
            line += f" {_fmt_ms(this):>10}"
            line += "".join(f" {_fmt_x(_factor(times.get(b, {}).get(op), this)):>10}"
                            for b in BASELINES)
        print(line)


def profile_asyncbolt(impl: Impl) -> None:
    for shape in SHAPES:
        print(f"\ncProfile of {impl.name} decode, {shape} (top 12 by own time):")
        profiler = cProfile.Profile()
        profiler.runcall(impl.decode[shape])
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.strip_dirs().sort_stats("tottime").print_stats(12)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a short, noisier pass for CI")
    parser.add_argument("--json", metavar="PATH", help="also write the numbers to PATH as JSON")
    parser.add_argument("--results", metavar="PATH",
                        help="write the tables to the codec section of PATH (markdown)")
    parser.add_argument("--png", metavar="PATH",
                        help="draw the speed factors as a bar chart (needs matplotlib)")
    parser.add_argument("--profile", action="store_true",
                        help="print a cProfile of asyncbolt's pure-Python decoder after the timings")
    args = parser.parse_args(argv)
    budget, rounds, min_runs = (0.12, 2, 3) if args.quick else (1.0, 5, 10)

    info = machine_info()
    print(f"asyncbolt codec benchmark: {ROWS:,} rows of [int, float, str, [ints], {{str: mixed}}, "
          f"Node], Bolt {VERSION[0]}.{VERSION[1]}{' (quick)' if args.quick else ''}")
    print(f"platform: {info['platform']} ({info['machine']}); cpu: {info['cpu_model']}; "
          f"cpus: {info['cpu_count']} ({info['cpu_usable']} usable)")
    print(f"python: {info['python']} ({info['python_build']})")
    print("packages: " + ", ".join(f"{k} {v or 'not installed'}"
                                   for k, v in info["packages"].items()))
    print(f"method: best of >= {min_runs} runs per case (perf_counter, gc off), "
          f"interleaved over {rounds} rounds, ~{budget:g} s per case; "
          "ratios = baseline time / this time (>1 = faster)")

    rows = build_rows()
    reference = setup_asyncbolt(rows, accelerated=False)
    problem = verify(reference)
    if problem:
        print(f"asyncbolt-py: FAILED verification ({problem}); nothing timed")
        return 1
    print(f"payload: one blob {len(reference.blob):,} bytes; per row {len(reference.rows):,} "
          f"values, {sum(map(len, reference.rows)):,} bytes")

    impls = []
    skipped: dict[str, str] = {}
    if ACCELERATED:
        accel = setup_asyncbolt(rows, accelerated=True)
        problem = verify(accel)
        if not problem and (accel.blob, accel.rows) != (reference.blob, reference.rows):
            problem = "encodes differently from asyncbolt-py"
        if problem:
            print(f"asyncbolt-c: FAILED verification ({problem}); nothing timed")
            return 1
        impls.append(accel)
    else:
        skipped["asyncbolt-c"] = "the C accelerator is not built, or ASYNCBOLT_PURE is set"
        print(f"asyncbolt-c: unavailable ({skipped['asyncbolt-c']})")
    impls.append(reference)

    setups: list[tuple[str, Callable[[], Impl]]] = [
        ("construct", lambda: setup_construct(rows, reference.blob, reference.rows)),
        ("neo4j-python", lambda: setup_neo4j_python(rows)),
        ("neo4j-rust", lambda: setup_neo4j_rust(rows)),
        ("msgpack", lambda: setup_msgpack(rows)),
        ("msgpack+ext", lambda: setup_msgpack_ext(rows)),
    ]
    for name, setup in setups:
        try:
            impl = setup()
            problem = verify(impl)
        except Exception as exc:  # an optional implementation must not stop the benchmark
            problem = f"{type(exc).__name__}: {exc}"
        if problem:
            skipped[name] = problem
            print(f"{name}: unavailable ({problem})")
        else:
            impls.append(impl)
    print("verified: " + ", ".join(i.name for i in impls) + " decode the input exactly")

    wire = {i.name: (i.blob, i.rows) for i in impls if i.packstream and i.encode}
    different = [n for n, w in wire.items() if w != wire["asyncbolt-py"]]
    if different:
        print(f"wire: NOTE {', '.join(different)} encode differently from asyncbolt")
    else:
        print(f"wire: {', '.join(wire)} produce byte-identical PackStream")

    cases = [Case(i.name, shape, op, fn) for shape in SHAPES for i in impls
             for op, fns in (("encode", i.encode), ("decode", i.decode))
             for s, fn in fns.items() if s == shape]
    started = time.perf_counter()
    measure(cases, budget, rounds, min_runs)
    elapsed = time.perf_counter() - started

    names = [i.name for i in impls]
    ours = [n for n in OURS if n in names]
    results: dict[str, dict[str, dict[str, float | None]]] = {
        shape: {n: {op: None for op in OPS} for n in names} for shape in SHAPES}
    runs: dict[str, dict[str, dict[str, int]]] = {shape: {n: {} for n in names} for shape in SHAPES}
    for case in cases:
        results[case.shape][case.impl][case.op] = case.best
        runs[case.shape][case.impl][case.op] = case.runs
    for shape in SHAPES:
        what = "1 value holding 1,000 rows" if shape == "one blob" else "1,000 values, 1 call each"
        print(f"\n{shape} ({what}); times in ms, best of runs")
        print_table(shape, results[shape], names)
    print(f"\n(timed {sum(c.runs for c in cases):,} runs in {elapsed:.1f} s)")

    print("\nasyncbolt speed vs baselines (>1 = asyncbolt faster):")
    summary: dict[str, dict[str, dict[str, dict[str, float | None]]]] = {}
    for name in ours:
        for op in ("decode", "encode"):
            for shape in SHAPES:
                mine = results[shape][name][op]
                factors = {b: _factor(results[shape].get(b, {}).get(op), mine) for b in BASELINES}
                summary.setdefault(name, {}).setdefault(op, {})[shape] = factors
                parts = [f"{_fmt_x(f)} {b}" for b, f in factors.items() if f is not None]
                print(f"  {op}, {shape + ':':<9} {name:<12} {', '.join(parts) or 'no baselines'}")

    targets = []
    print()
    for name, baseline, threshold in TARGETS:
        what = f"{name} decode >= {threshold:g}x {baseline}"
        factors = [summary.get(name, {}).get("decode", {}).get(s, {}).get(baseline) for s in SHAPES]
        if None in factors:
            value, verdict = None, f"UNKNOWN ({name if name not in ours else baseline} unavailable)"
            print(f"target: {what}: {verdict}")
        else:
            value = min(factors)
            verdict = "MET" if value >= threshold else "NOT MET"
            print(f"target: {what}: {verdict} ({value:.2f}; one blob {factors[0]:.2f}x, "
                  f"per row {factors[1]:.2f}x, the lower one counts)")
        targets.append({"what": what, "implementation": name, "baseline": baseline,
                        "threshold": threshold, "value": value, "verdict": verdict})

    if args.profile:
        profile_asyncbolt(reference)

    report = {
        "machine": info,
        "payload": {"rows": ROWS, "blob_bytes": len(reference.blob),
                    "row_bytes": sum(map(len, reference.rows)), "bolt_version": list(VERSION)},
        "method": {"quick": args.quick, "budget_s_per_case": budget, "rounds": rounds,
                   "min_runs": min_runs, "statistic": "min", "gc": "disabled while timing"},
        "unavailable": skipped,
        "wire_identical": not different,
        "seconds": results,
        "runs": runs,
        "asyncbolt_speed_factor": summary,
        "targets": targets,
    }
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
            f.write("\n")
        print(f"\nwrote {args.json}")
    chart = None
    if args.png:
        if draw_png(args.png, report):
            print(f"wrote {args.png}")
            chart = os.path.relpath(args.png, os.path.dirname(os.path.abspath(args.results or ".")))
        else:
            print("no chart: matplotlib is not installed (pip install -e '.[bench]')")
    if args.results:
        text = results_markdown(report, names)
        if chart:
            text += f"\n\n![speed factors of the codec]({chart})"
        _results.update_section(args.results, "codec", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
