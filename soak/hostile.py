"""``python -m soak.hostile``: the hostile peers of issue #14, cases 1-4, measured.

Each case runs against a server (or, for case 4, a client) with its *default* limits and checks
that what an attacker can make it hold stays bounded, and that other clients are still served:

1. **Unauthenticated amplification**: a Bolt 5.0 HELLO with a wrong password whose extra map
   holds a list of N empty maps (10,000,000 by default: 9.5 MiB on the wire; each ``A0`` byte
   would become a ~64-byte dict). Server RSS must grow < 64 MiB, another client's
   connect+HELLO must answer < 1 s.
2. **Authenticated amplification**: the same inside RUN's parameters (20,000,000 maps, 19 MiB).
   RSS < +256 MiB, other clients < 1 s.
3. **Pipelining without reading**: an authenticated client sends RUN+PULL for 20 s and never
   reads an answer. RSS < +64 MiB.
4. **Unrequested records** (the client): a server answers RUN, then pushes 4 KB RECORDs that
   nobody PULLed. The client must raise an asyncbolt error before growing 256 MiB.
8. **Stalled TLS handshakes**: 3,000 connections each send 50 bytes of a ClientHello and stall,
   against ``max_connections=50, handshake_timeout=2``: the server holds at most 50 (+ the 64
   it may be refusing) and none once the deadline has passed; a good TLS client then gets in.
9. **Unauthenticated crowd**: 1,000 connections that only did the handshake (reopened when
   closed), from one address and then from ten; a client from another address must get in
   every time meanwhile.

The server is :mod:`soak.session` in a child process (so its RSS is its own), with a password.
Why scripted attackers: no real client misbehaves like this on demand.

    python -m soak.hostile            # every case, full size
    python -m soak.hostile --quick    # smaller sizes (case 3 for 5 s)
    python -m soak.hostile --cases 1 3

Exits 1 if a bound was broken.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import struct
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import asyncbolt
import asyncbolt.codec.packstream
from asyncbolt.codec.messages import Pull, Record, Run, Success
from asyncbolt.codec.packstream import get_codec
from asyncbolt.core.framing import chunk_message

from . import procstat
from .servers import ROOT, ServerProcess

MAGIC = b"\x60\x60\xb0\x17"
PASSWORD = "soak-password"
MiB = 2**20
#: The default decoded-values budget: a RUN holding more maps than this must be refused.
_BUDGET = getattr(asyncbolt.codec.packstream, "DEFAULT_MAX_DECODED_VALUES", 2_000_000)


def _proposal(version: tuple[int, int]) -> bytes:
    return MAGIC + bytes([0, 0, version[1], version[0]]) + b"\x00" * 12


def _map_list(n: int) -> bytes:
    """PackStream: a list (LIST_32 header) of ``n`` empty maps."""
    return b"\xd6" + struct.pack(">I", n) + b"\xa0" * n


def _string(s: str) -> bytes:
    data = s.encode()
    assert len(data) < 16
    return bytes([0x80 + len(data)]) + data


def _hello_with(junk: bytes, password: str) -> bytes:
    """A Bolt 5.0 HELLO {user_agent, scheme, principal, credentials, junk: <junk>}."""
    entries = [("user_agent", _string("hostile/1")), ("scheme", _string("basic")),
               ("principal", _string("neo4j")), ("credentials", _string(password)), ("junk", junk)]
    body = bytes([0xA0 + len(entries)])
    for key, value in entries:
        body += _string(key) + value
    return b"\xb1\x01" + body


def _run_with(junk: bytes) -> bytes:
    """RUN "ECHO" {rows: <junk>} {}."""
    return b"\xb3\x10" + _string("ECHO") + b"\xa1" + _string("rows") + junk + b"\xa0"


@dataclass
class Outcome:
    case: str
    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def say(self, text: str) -> None:
        self.lines.append(text)
        print(f"  {text}", flush=True)

    def fail(self, text: str) -> None:
        self.failures.append(f"{self.case}: {text}")
        print(f"  FAILED: {text}", flush=True)


class RssSampler:
    """Samples a process's RSS every ``interval`` seconds while running; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self._task: asyncio.Task | None = None

    def _sample(self) -> int:
        try:
            rss = procstat.rss_bytes(self.pid)
        except OSError:
            return self.peak
        self.peak = max(self.peak, rss)
        return rss

    async def _run(self) -> None:
        while True:
            self._sample()
            await asyncio.sleep(self.interval)

    def __enter__(self) -> RssSampler:
        self.start = self._sample()
        self._task = asyncio.ensure_future(self._run())
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._task is not None:
            self._task.cancel()
        self._sample()


async def _raw(port: int, version: tuple[int, int] = (5, 0)) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(_proposal(version))
    await writer.drain()
    reply = await asyncio.wait_for(reader.readexactly(4), 10)
    if reply != bytes([0, 0, version[1], version[0]]):
        raise RuntimeError(f"the server answered {reply.hex()} to a {version} proposal")
    return reader, writer


async def _answers(reader: asyncio.StreamReader, timeout: float, count: int | None = None) -> list[str]:
    """Names of the messages the server sends until it closes (or ``timeout``, or ``count``
    messages)."""
    from asyncbolt.core.framing import ChunkReader

    codec = get_codec((5, 0))
    chunks = ChunkReader()
    names: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            data = await asyncio.wait_for(reader.read(65536), deadline - time.monotonic())
        except (asyncio.TimeoutError, ConnectionError):
            break
        if not data:
            break
        for payload in chunks.feed(data):
            message = codec.unpack_response(payload)
            text = message.name
            if message.name == "FAILURE":
                text += f" {message.metadata.get('code') or message.metadata.get('neo4j_code')}: " \
                        f"{message.metadata.get('message')}"
            names.append(text)
        if count is not None and len(names) >= count:
            break
    return names


async def _bystander(port: int, stop: asyncio.Event, latencies: list[float], errors: list[str],
                     timeout: float = 30.0) -> None:
    """Another client: connect (handshake + HELLO with the right password) and run a query,
    every 0.1 s, timing each (``timeout`` seconds at most per step) until ``stop``."""
    while not stop.is_set():
        started = time.perf_counter()
        try:
            async with await asyncio.wait_for(
                    asyncbolt.connect(f"bolt://127.0.0.1:{port}", auth=("neo4j", PASSWORD)), timeout) as conn:
                result = await conn.run("ECHO", {"x": 1})
                await asyncio.wait_for(result.values(), timeout)
        except Exception as exc:  # noqa: BLE001 - reported, not hidden
            errors.append(f"{type(exc).__name__}: {exc}")
        latencies.append(time.perf_counter() - started)
        await asyncio.sleep(0.1)


async def _send_big(writer: asyncio.StreamWriter, payload: bytes) -> float:
    """Send one message chunked; seconds it took (the server may close before the end)."""
    started = time.perf_counter()
    framed = chunk_message(payload)
    try:
        for i in range(0, len(framed), 1 << 20):
            writer.write(framed[i:i + (1 << 20)])
            await asyncio.wait_for(writer.drain(), 60)
    except (ConnectionError, asyncio.TimeoutError):
        pass
    return time.perf_counter() - started


async def _amplification(server: ServerProcess, out: Outcome, payload: bytes, limit_mib: float,
                         login: bool, refused: bool) -> None:
    port = server.port
    stop = asyncio.Event()
    latencies: list[float] = []
    errors: list[str] = []
    await asyncio.sleep(0.5)
    with RssSampler(server.pid) as rss:
        bystander = asyncio.ensure_future(_bystander(port, stop, latencies, errors))
        await asyncio.sleep(0.5)
        baseline = max(latencies, default=0.0)
        reader, writer = await _raw(port)
        answers = []
        if login:
            # As drivers do: wait for HELLO's answer (requests pipelined behind it would still be
            # held to the smaller limit before authentication).
            writer.write(chunk_message(_hello_with(b"\xc0", PASSWORD)))
            await writer.drain()
            answers = await _answers(reader, 10, count=1)
        seconds = await _send_big(writer, payload)
        answers += await _answers(reader, 30)
        writer.close()
        await asyncio.sleep(1.0)
        stop.set()
        await bystander
    out.say(f"{len(payload) / MiB:.1f} MiB sent in {seconds:.1f} s; the server answered {answers}")
    growth = (rss.peak - rss.start) / MiB
    out.say(f"server RSS {rss.start / MiB:.0f} MiB -> peak {rss.peak / MiB:.0f} MiB (+{growth:.1f} MiB); "
            f"after: {procstat.rss_bytes(server.pid) / MiB:.0f} MiB")
    worst = max(latencies, default=float("nan"))
    out.say(f"bystander: {len(latencies)} connect+query rounds, worst {worst * 1000:.0f} ms "
            f"(before the attack {baseline * 1000:.0f} ms), {len(errors)} errors")
    if growth >= limit_mib:
        out.fail(f"server RSS grew {growth:.1f} MiB (bound {limit_mib} MiB)")
    if not latencies or worst >= 1.0:
        out.fail(f"another client waited {worst:.2f} s (bound 1 s)")
    if errors:
        out.fail(f"the bystander failed: {errors[:3]}")
    if refused and not any(a.startswith("FAILURE") for a in answers):
        out.fail("the attacker did not get a FAILURE")


async def case1(args: argparse.Namespace) -> Outcome:
    n = args.maps1
    out = Outcome("case 1")
    print(f"\n== case 1: unauthenticated HELLO (wrong password) holding a list of {n:,} empty maps", flush=True)
    with ServerProcess.session_with("--password", PASSWORD) as server:
        await _amplification(server, out, _hello_with(_map_list(n), "wrong"), 64, login=False, refused=True)
    return out


async def case2(args: argparse.Namespace) -> Outcome:
    n = args.maps2
    out = Outcome("case 2")
    print(f"\n== case 2: authenticated RUN whose parameters hold a list of {n:,} empty maps", flush=True)
    with ServerProcess.session_with("--password", PASSWORD) as server:
        await _amplification(server, out, _run_with(_map_list(n)), 256, login=True,
                            refused=n >= _BUDGET)
    return out


async def case3(args: argparse.Namespace) -> Outcome:
    out = Outcome("case 3")
    seconds = args.seconds3
    print(f"\n== case 3: an authenticated client sends RUN+PULL for {seconds:.0f} s and never reads", flush=True)
    codec = get_codec((5, 0))
    batch = (chunk_message(codec.pack_message(Run("ROWS", {"token": "t", "n": 1000}, {})))
             + chunk_message(codec.pack_message(Pull({"n": -1})))) * 100
    with ServerProcess.session_with("--password", PASSWORD) as server:
        await asyncio.sleep(0.5)
        with RssSampler(server.pid) as rss:
            reader, writer = await _raw(server.port)
            writer.write(chunk_message(_hello_with(b"\xc0", PASSWORD)))
            sent = 0
            deadline = time.monotonic() + seconds
            closed = False
            while time.monotonic() < deadline:
                writer.write(batch)
                try:
                    await asyncio.wait_for(writer.drain(), max(0.05, deadline - time.monotonic()))
                except asyncio.TimeoutError:
                    continue  # the server stopped reading: what we want; keep the pressure on
                except ConnectionError:
                    closed = True
                    break
                sent += len(batch)
            held = procstat.rss_bytes(server.pid)
            writer.transport.abort()
            await asyncio.sleep(1.0)
        after = procstat.rss_bytes(server.pid)
    growth = (rss.peak - rss.start) / MiB
    out.say(f"{sent / MiB:.1f} MiB of requests went out in {seconds:.0f} s "
            f"({'the server closed the connection' if closed else 'the server stopped reading'})")
    out.say(f"server RSS {rss.start / MiB:.0f} MiB -> peak {rss.peak / MiB:.0f} MiB (+{growth:.1f} MiB); "
            f"at the end {held / MiB:.0f} MiB, after the close {after / MiB:.0f} MiB")
    if growth >= 64:
        out.fail(f"server RSS grew {growth:.1f} MiB (bound 64 MiB)")
    return out


async def case4(args: argparse.Namespace) -> Outcome:
    out = Outcome("case 4")
    print("\n== case 4: a server answers RUN, then pushes 4 KB RECORDs nobody PULLed", flush=True)
    codec = get_codec((5, 0))
    record = chunk_message(codec.pack_message(Record(["x" * 4096])))
    pushed = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal pushed
        try:
            await reader.readexactly(20)
            writer.write(b"\x00\x00\x00\x05")
            await reader.read(65536)  # HELLO
            writer.write(chunk_message(codec.pack_message(Success({"server": "Neo4j/5.0.0",
                                                                   "connection_id": "bolt-1"}))))
            await reader.read(65536)  # RUN (+ PULL)
            writer.write(chunk_message(codec.pack_message(Success({"fields": ["x"], "t_first": 0}))))
            burst = record * 64
            for _ in range(args.records4 // 64):
                writer.write(burst)
                pushed += 64
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    listener = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    with RssSampler(os.getpid()) as rss:
        error: BaseException | None = None
        try:
            async with await asyncbolt.connect(f"bolt://127.0.0.1:{port}", auth=("neo4j", "x")) as conn:
                result = await conn.run("RETURN 1")
                async for _ in result:
                    pass
        except asyncbolt.BoltError as exc:  # what the client must raise
            error = exc
        except Exception as exc:  # noqa: BLE001 - reported as a failure below
            error = exc
    listener.close()
    growth = (rss.peak - rss.start) / MiB
    out.say(f"the server pushed {pushed:,} records ({pushed * len(record) / MiB:.1f} MiB); the client raised "
            f"{type(error).__name__ if error else 'nothing'}: {error}")
    out.say(f"client RSS {rss.start / MiB:.0f} MiB -> peak {rss.peak / MiB:.0f} MiB (+{growth:.1f} MiB)")
    if not isinstance(error, asyncbolt.BoltError):
        out.fail(f"the client did not raise an asyncbolt error (got {error!r})")
    if growth >= 256:
        out.fail(f"the client grew {growth:.1f} MiB (bound 256 MiB)")
    return out


def _client_hello_prefix(size: int = 50) -> bytes:
    """The first ``size`` bytes of a real TLS ClientHello (from Python's ssl, in memory)."""
    import ssl

    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()[:size]


async def case8(args: argparse.Namespace) -> Outcome:
    out = Outcome("case 8")
    n, cap, limit = args.stalled8, 50, 2.0
    print(f"\n== case 8: {n:,} connections send 50 bytes of a TLS ClientHello and stall "
          f"(max_connections={cap}, handshake_timeout={limit:g} s)", flush=True)
    hello = _client_hello_prefix()
    with ServerProcess.session_with("--tls", "--max-connections", str(cap), "--handshake-timeout",
                                    str(limit)) as server:
        listening = procstat.socket_count(server.pid)
        fds_before = procstat.fd_count(server.pid)
        peak = 0
        writers = []
        started = time.monotonic()
        for i in range(n):
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", server.port)
            except OSError as exc:
                out.say(f"connection {i} refused by the OS: {exc}")
                break
            writer.write(hello)
            writers.append(writer)
            if i % 100 == 0:
                peak = max(peak, procstat.socket_count(server.pid) - listening)
        opened = time.monotonic() - started
        # During the burst the count includes sockets accepted and being closed at that moment
        # (asyncio accepts up to 100 at a time before their handlers run): reported, not bounded.
        # Once the burst is over, what is held must be within the caps.
        burst = peak
        await asyncio.sleep(0.3)
        samples = []
        while time.monotonic() - started < opened + limit + 1.5:
            held = procstat.socket_count(server.pid) - listening
            samples.append(held)
            await asyncio.sleep(0.1)
        peak = max(samples)
        after = procstat.socket_count(server.pid) - listening
        for writer in writers:
            writer.transport.abort()
        await asyncio.sleep(0.5)
        fds_after = procstat.fd_count(server.pid)
        good = "no"
        try:
            async with await asyncio.wait_for(asyncbolt.connect(f"bolt+ssc://127.0.0.1:{server.port}",
                                                                 auth=("neo4j", "x")), 10) as conn:
                result = await conn.run("ECHO", {"x": 1})
                good = f"yes ({await result.values()})"
        except Exception as exc:  # noqa: BLE001 - reported
            good = f"no: {type(exc).__name__}: {exc}"
    out.say(f"{len(writers):,} stalled in {opened:.1f} s (server sockets during the burst: at most {burst}); "
            f"held after it: at most {peak} (cap {cap}), {after} once {limit:g} s had passed after the "
            f"last; fds {fds_before} -> {fds_after}")
    out.say(f"a good TLS client then got in: {good}")
    # Past max_connections, up to 64 more are held while they hear why (a FAILURE after their
    # handshake, within handshake_timeout too); past those, a plain close.
    if peak > cap + 64 + 10:
        out.fail(f"the server held {peak} connections at once (max_connections={cap}, +64 being refused)")
    if after > 0:
        out.fail(f"{after} stalled handshakes were still held {limit + 1.5:g} s after they stalled")
    if not good.startswith("yes"):
        out.fail("a good TLS client could not connect afterwards")
    return out


async def _crowd_and_newcomer(port: int, sources: list[str], n: int, seconds: float,
                              out: Outcome, label: str, share: float = 1.0) -> None:
    """``n`` connections from ``sources`` that do the handshake and nothing else, reopened at
    once when the server closes them, while a client logs in and queries; at least ``share``
    of its attempts must succeed."""
    handshake = _proposal((5, 0))
    stop = asyncio.Event()
    opened = 0

    async def hold(source: str) -> None:
        nonlocal opened
        while not stop.is_set():
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
                writer.write(handshake)
                opened += 1
                stop_wait = asyncio.ensure_future(stop.wait())
                eof = asyncio.ensure_future(reader.read())
                await asyncio.wait((stop_wait, eof), return_when=asyncio.FIRST_COMPLETED)
                stop_wait.cancel()
                eof.cancel()
                writer.transport.abort()
            except OSError:
                await asyncio.sleep(0.05)

    holders = [asyncio.ensure_future(hold(sources[i % len(sources)])) for i in range(n)]
    await asyncio.sleep(2.0)
    # The legitimate client runs in a process of its own, as it would on its own machine: in
    # this one it would wait on the crowd's tasks, not on the server.
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "soak.hostile", "--newcomer", str(port), str(seconds),
        stdout=asyncio.subprocess.PIPE, cwd=str(ROOT))
    output, _ = await child.communicate()
    stop.set()
    await asyncio.gather(*holders, return_exceptions=True)
    report = json.loads(output.decode().strip().splitlines()[-1])
    ok, refused, latencies = report["ok"], report["refused"], report["latencies"]
    attempts = ok + len(refused)
    out.say(f"{label}: {opened:,} unauthenticated connections opened in all; the legitimate client "
            f"got in {ok}/{attempts} times, worst {max(latencies, default=0) * 1000:.0f} ms; "
            f"refusals: {refused[:2]}")
    if not ok or ok < share * attempts:
        out.fail(f"{label}: {len(refused)} of {attempts} legitimate attempts refused "
                 f"(at most {1 - share:.0%} may be)")


async def _newcomer(port: int, seconds: float) -> None:
    """The legitimate client of case 9: the bystander for ``seconds``; prints one JSON line
    with what happened."""
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(seconds, stop.set)
    latencies: list[float] = []
    refused: list[str] = []
    await _bystander(port, stop, latencies, refused, timeout=10.0)
    ok = len(latencies) - len(refused)
    print(json.dumps({"ok": ok, "refused": refused, "latencies": latencies}))


async def case9(args: argparse.Namespace) -> Outcome:
    out = Outcome("case 9")
    n, seconds = args.held9, args.seconds9
    print(f"\n== case 9: {n:,} unauthenticated connections held open (each reopened when closed) "
          f"for {seconds:g} s, from one address and then from ten; does a client from 127.0.0.1 "
          "get in?", flush=True)
    with ServerProcess.session_with("--password", PASSWORD) as server:
        await _crowd_and_newcomer(server.port, ["127.0.0.3"], n, seconds, out, "one address")
    with ServerProcess.session_with("--password", PASSWORD) as server:
        # Ten addresses stay under the per-address cap, so the unauthenticated cap itself is
        # reached: each newcomer pushes out the oldest, which reconnects at once (tens of
        # thousands a second on loopback); a newcomer is safe once its HELLO has arrived, but
        # can be pushed out before, on a server this busy.
        await _crowd_and_newcomer(server.port, [f"127.0.0.{10 + i}" for i in range(10)], n, seconds,
                                  out, "ten addresses", share=0.8)
    return out


CASES = {1: case1, 2: case2, 3: case3, 4: case4, 8: case8, 9: case9}


async def _main(args: argparse.Namespace) -> int:
    if not procstat.available():
        print("soak.hostile: needs Linux's /proc to read RSS", file=sys.stderr)
        return 2
    failures: list[str] = []
    for number in args.cases:
        outcome = await CASES[number](args)
        failures += outcome.failures
    print()
    if failures:
        print("soak.hostile: FAILED\n" + "\n".join(f"  {f}" for f in failures))
        return 1
    print("soak.hostile: every bound held")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m soak.hostile", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="smaller attacks (1,000,000 maps, 5 s)")
    p.add_argument("--cases", nargs="+", type=int, choices=sorted(CASES), default=sorted(CASES))
    p.add_argument("--maps1", type=int, default=None, help="empty maps in case 1's HELLO (10,000,000)")
    p.add_argument("--maps2", type=int, default=None, help="empty maps in case 2's RUN (20,000,000)")
    p.add_argument("--seconds3", type=float, default=None, help="seconds of case 3 (20)")
    p.add_argument("--records4", type=int, default=1_000_000,
                   help="RECORDs case 4's server pushes at most (1,000,000 = 3.9 GiB)")
    p.add_argument("--stalled8", type=int, default=None, help="stalled TLS handshakes in case 8 (3,000)")
    p.add_argument("--held9", type=int, default=1000, help="unauthenticated connections in case 9 (1,000)")
    p.add_argument("--seconds9", type=float, default=None, help="seconds of case 9 (10)")
    p.add_argument("--newcomer", nargs=2, metavar=("PORT", "SECONDS"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.newcomer:
        asyncio.run(_newcomer(int(args.newcomer[0]), float(args.newcomer[1])))
        return 0
    if args.maps1 is None:
        args.maps1 = 1_000_000 if args.quick else 10_000_000
    if args.maps2 is None:
        args.maps2 = 2_000_000 if args.quick else 20_000_000
    if args.seconds3 is None:
        args.seconds3 = 5.0 if args.quick else 20.0
    if args.stalled8 is None:
        args.stalled8 = 500 if args.quick else 3000
    if args.seconds9 is None:
        args.seconds9 = 3.0 if args.quick else 10.0
    return asyncio.run(_main(args))


if __name__ == "__main__":
    sys.exit(main())
