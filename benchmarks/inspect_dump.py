"""``asyncbolt inspect`` throughput and peak memory on big generated dumps.

    python -m benchmarks.inspect_dump [--mib 100] [--quick] [--results PATH] [--keep DIR]

Two one-direction raw dumps are generated (seeded, Bolt 5.4, each starting with its side's
handshake) and inspected by ``python -m asyncbolt inspect FILE`` in a child process, its text
output discarded:

* **requests**: a client stream: HELLO, LOGON, then ordinary requests — RUN with a few
  parameters (strings, ints, a list, a map) and ``db``, PULL, some BEGIN/COMMIT;
* **records**: a server stream: HELLO's SUCCESS, RUN's SUCCESS, then RECORDs of
  ``[int, str, float, Node(labels, 4 properties)]``, a PULL SUCCESS every 1,000 records.

Reported: MiB of dump per second (wall clock of the child) and its peak RSS
(``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``). Targets (issue #14): at least 5 MiB/s and,
for a 100 MiB dump, under 400 MiB of peak RSS and under 2 minutes (printed MET / NOT MET: wall
time depends on what else runs). ``--results PATH`` updates the ``inspect`` section of PATH; the
exit status is 1 only when ``asyncbolt inspect`` itself fails on a dump.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

MIB = 1024 * 1024
VERSION = (5, 4)
TARGET_MIB_S = 5.0
TARGET_RSS_MIB = 400.0
TARGET_SECONDS = 120.0

_NAMES = ["Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "Tony", "Niklaus", "Leslie"]


def _client_handshake() -> bytes:
    # Magic, then 5.4 proposed (no manifest): a legacy 20-byte handshake.
    return b"\x60\x60\xb0\x17" + bytes((0, 0, 4, 5)) + b"\0" * 12


def _server_handshake() -> bytes:
    return bytes((0, 0, 4, 5))


def _chunked(codec: Any, messages: list) -> bytes:
    from asyncbolt.core.framing import chunk_message

    return b"".join(chunk_message(codec.pack_message(m)) for m in messages)


def requests_block(rng: random.Random, n: int) -> bytes:
    """``n`` rounds of ordinary client requests (about 150 bytes a round)."""
    from asyncbolt.codec.messages import Begin, Commit, Pull, Run
    from asyncbolt.codec.packstream import get_codec

    codec = get_codec(VERSION)
    messages: list = []
    for i in range(n):
        name = f"{rng.choice(_NAMES)} {rng.randrange(1_000_000)}"
        params = {"name": name, "age": rng.randrange(18, 99), "tags": ["a", "bc", str(i % 97)],
                  "props": {"score": rng.random(), "active": bool(i & 1)}}
        if i % 10 == 0:
            messages += [Begin({"db": "neo4j"}),
                         Run("MERGE (p:Person {name: $name}) SET p += $props RETURN p", params, {}),
                         Pull({"n": 1000}), Commit()]
        else:
            messages += [Run("MATCH (p:Person {name: $name}) WHERE p.age > $age RETURN p.name, p.tags",
                             params, {"db": "neo4j"}),
                         Pull({"n": 1000})]
    return _chunked(codec, messages)


def records_block(rng: random.Random, n: int) -> bytes:
    """``n`` ordinary RECORDs (about 120 bytes each) and a PULL SUCCESS after each 1,000."""
    from asyncbolt.codec.messages import Record, Success
    from asyncbolt.codec.packstream import get_codec
    from asyncbolt.codec.structures import Node

    codec = get_codec(VERSION)
    messages: list = []
    for i in range(n):
        node_id = rng.randrange(1 << 30)
        node = Node(node_id, ["Person"], {"name": f"{rng.choice(_NAMES)} {i}", "born": 1900 + i % 120,
                                          "score": rng.random(), "tags": ["x", "y"]},
                    f"4:db:{node_id}")
        messages.append(Record([i, f"row {i}", rng.random(), node]))
        if i % 1000 == 999:
            messages.append(Success({"has_more": True}))
    return _chunked(codec, messages)


def write_dump(path: str | os.PathLike, kind: str, size: int, seed: int = 14) -> int:
    """Write a dump of about ``size`` bytes (``kind``: requests or records); returns its size."""
    from asyncbolt.codec.messages import Hello, Logon, Success
    from asyncbolt.codec.packstream import get_codec

    rng = random.Random(seed)
    codec = get_codec(VERSION)
    if kind == "requests":
        head = _client_handshake() + _chunked(codec, [
            Hello({"user_agent": "bench/1.0", "bolt_agent": {"product": "bench/1.0"}}),
            Logon({"scheme": "basic", "principal": "neo4j", "credentials": "pw"})])
        block = requests_block(rng, 2000)
        tail = b""
    elif kind == "records":
        head = _server_handshake() + _chunked(codec, [
            Success({"server": "Neo4j/5.26.0", "connection_id": "bolt-1"}), Success({}),
            Success({"fields": ["i", "s", "f", "n"], "t_first": 1})])
        block = records_block(rng, 2000)
        tail = _chunked(codec, [Success({"type": "r", "t_last": 0, "has_more": False})])
    else:
        raise ValueError(f"unknown dump kind {kind!r}")
    written = 0
    with open(path, "wb") as f:
        f.write(head)
        written += len(head)
        while written + len(block) <= size:
            f.write(block)
            written += len(block)
        f.write(tail)
        written += len(tail)
    return written


def measure(path: str | os.PathLike, extra: list[str] | None = None,
            env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``asyncbolt inspect`` on ``path`` in a child (output discarded): exit code, seconds,
    MiB/s, peak RSS in MiB of that child alone."""
    code = ("import resource, subprocess, sys, time\n"
            "t = time.perf_counter()\n"
            "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
            "t = time.perf_counter() - t\n"
            "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
            "print(p.returncode, t, u.ru_maxrss, u.ru_utime + u.ru_stime, flush=True)\n"
            "sys.stderr.buffer.write(p.stderr[-2000:])\n")
    cmd = [sys.executable, "-c", code, sys.executable, "-m", "asyncbolt", "inspect", os.fspath(path),
           *(extra or [])]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    rc, seconds, rss_kib, cpu = done.stdout.split()
    size = os.path.getsize(path)
    return {"code": int(rc), "seconds": float(seconds), "mib": size / MIB,
            "mib_s": size / MIB / float(seconds), "peak_rss_mib": int(rss_kib) / 1024,
            "cpu_seconds": float(cpu), "cpu_mib_s": size / MIB / max(float(cpu), 1e-9),
            "load": os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan"),
            "stderr": done.stderr.strip()}


def _write_results(path: str, rows: list[dict[str, Any]], mib: int) -> None:
    from .results import machine_markdown, table, update_section

    body = [f"## inspect\n\n`python -m benchmarks.inspect_dump --mib {mib}`: `asyncbolt inspect` "
            "(text output to /dev/null) of generated one-direction Bolt 5.4 dumps, in a child "
            "process; peak RSS is that process's `ru_maxrss`. Targets (issue #14): ≥ "
            f"{TARGET_MIB_S:g} MiB/s, and for 100 MiB < {TARGET_RSS_MIB:g} MiB peak and < "
            f"{TARGET_SECONDS:g} s.\n", machine_markdown(), ""]
    body.append("MiB/s is dump size over wall-clock time; CPU MiB/s over the child's user+system "
                "time (what it gets on a machine with a core to itself). Load is the 1-minute load "
                "average when the run ended (2 cores).\n")
    body.append(table(["dump", "codec", "MiB", "seconds", "MiB/s", "CPU s", "CPU MiB/s", "peak RSS MiB",
                       "load", "exit"],
                      [[r["kind"], r["codec"], f"{r['mib']:.1f}", f"{r['seconds']:.1f}",
                        f"{r['mib_s']:.1f}", f"{r['cpu_seconds']:.1f}", f"{r['cpu_mib_s']:.1f}",
                        f"{r['peak_rss_mib']:.0f}", f"{r['load']:.1f}", str(r["code"])] for r in rows],
                      right={2, 3, 4, 5, 6, 7, 8}))
    body.append("\nTargets: " + "; ".join(_verdicts(rows)))
    update_section(path, "inspect", "\n".join(body))


def _verdicts(rows: list[dict[str, Any]]) -> list[str]:
    out = []
    for r in rows:
        ok = r["mib_s"] >= TARGET_MIB_S and (r["mib"] < 100 or (
            r["peak_rss_mib"] < TARGET_RSS_MIB and r["seconds"] < TARGET_SECONDS))
        out.append(f"{r['kind']} ({r['codec']}) {'MET' if ok else 'NOT MET'}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.inspect_dump", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mib", type=int, default=100, help="size of each dump (100)")
    ap.add_argument("--quick", action="store_true", help="20 MiB dumps, the C codec only")
    ap.add_argument("--pure", action="store_true", help="also measure the pure-Python codec")
    ap.add_argument("--results", metavar="PATH", help="update the inspect section of PATH")
    ap.add_argument("--keep", metavar="DIR", help="write the dumps to DIR and keep them")
    args = ap.parse_args(argv)
    mib = 20 if args.quick else args.mib
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(args.keep or tmp)
        where.mkdir(parents=True, exist_ok=True)
        for kind in ("requests", "records"):
            path = where / f"inspect-{kind}-{mib}mib.bin"
            start = time.perf_counter()
            write_dump(path, kind, mib * MIB)
            print(f"inspect: wrote {path.name} ({os.path.getsize(path) / MIB:.1f} MiB) in "
                  f"{time.perf_counter() - start:.1f} s", flush=True)
            codecs = [("C", None)] + ([("pure", "1")] if args.pure and not args.quick else [])
            for label, pure in codecs:
                env = dict(os.environ)
                env.pop("ASYNCBOLT_PURE", None)
                if pure:
                    env["ASYNCBOLT_PURE"] = pure
                result = measure(path, env=env)
                result.update(kind=kind, codec=label)
                rows.append(result)
                print(f"inspect: {kind:<8} {label:<4} {result['mib']:.1f} MiB in {result['seconds']:.1f} s = "
                      f"{result['mib_s']:.1f} MiB/s ({result['cpu_mib_s']:.1f} MiB/s of CPU time), peak "
                      f"RSS {result['peak_rss_mib']:.0f} MiB, load {result['load']:.1f}, exit "
                      f"{result['code']} ({result['stderr'].splitlines()[-1] if result['stderr'] else ''})",
                      flush=True)
    if args.results:
        _write_results(args.results, rows, mib)
    print("inspect: targets: " + "; ".join(_verdicts(rows)))
    failed = [r for r in rows if r["code"] != 0]
    for r in failed:
        print(f"inspect: asyncbolt inspect failed on the {r['kind']} dump: {r['stderr'][-500:]}",
              file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
