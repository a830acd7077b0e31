"""Many connections at once: N authenticated connections held by one server process, and the
server's resident memory per connection.

Client processes (a process may hold 20,000 fds at most here, and the server needs one per
connection, so the clients live elsewhere) each open their share of raw sockets, do the Bolt 5.4
handshake, HELLO and LOGON, check both SUCCESSes, and hold the connection idle. Measured from
/proc: the server's RSS after a warm-up (connections opened and closed once, so one-off
allocations are counted before) and again with all N held; the growth over N is the RSS per
connection. The clients then close them all and the server's sockets must come back down.

    python -m soak.many [--connections 10000] [--processes 2] [--limit-kib 10]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import socket
import sys
import time
from dataclasses import dataclass
from typing import Any

from asyncbolt.core.framing import ChunkReader

from . import procstat
from .churn import _BOLT, _handshake_answer, _recv_messages
from .servers import ServerProcess

__all__ = ["HeldReport", "hold_many", "raise_nofile", "main"]

#: Connections each client process opens at once while it ramps up.
RAMP = 128


def raise_nofile(needed: int) -> int:
    """Raise this process's soft limit on open files to ``needed`` (at most the hard limit);
    returns the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft != resource.RLIM_INFINITY and soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
        soft = want
    return soft


async def _open(loop: Any, host: str, port: int) -> socket.socket:
    version, (handshake, hello, replies) = _BOLT["bolt5"]
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setblocking(False)
    try:
        await loop.sock_connect(sock, (host, port))
        await loop.sock_sendall(sock, handshake)
        await _handshake_answer(loop, sock, version)
        await loop.sock_sendall(sock, hello)
        for payload in await _recv_messages(loop, sock, ChunkReader(), replies):
            if payload[1] != 0x70:  # SUCCESS
                raise ConnectionError(f"HELLO/LOGON answered with signature {payload[1]:#04x}")
    except BaseException:
        sock.close()
        raise
    return sock


def _client(host: str, port: int, count: int, ready: Any, release: Any) -> None:
    """One client process: open ``count`` authenticated connections, report, hold, close."""
    raise_nofile(count + 64)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        socks: list[socket.socket] = []
        errors: list[str] = []
        gate = asyncio.Semaphore(RAMP)

        async def one() -> None:
            async with gate:
                try:
                    socks.append(await asyncio.wait_for(_open(loop, host, port), 60))
                except (OSError, asyncio.TimeoutError) as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")

        await asyncio.gather(*(one() for _ in range(count)))
        ready.put((len(socks), errors[:5], len(errors)))
        await loop.run_in_executor(None, release.wait)
        for sock in socks:
            sock.close()

    asyncio.run(main())


@dataclass
class HeldReport:
    connections: int
    held: int
    errors: list[str]
    rss_before: int
    rss_held: int
    sockets_held: int
    sockets_after: int
    seconds: float

    @property
    def per_connection(self) -> float:
        """Bytes of server RSS per held connection."""
        return (self.rss_held - self.rss_before) / self.held if self.held else float("nan")

    def summary(self) -> str:
        return (f"{self.held:,} of {self.connections:,} authenticated connections held at once "
                f"(opened in {self.seconds:.1f} s); server RSS {self.rss_before / 2**20:.1f} -> "
                f"{self.rss_held / 2**20:.1f} MiB = {self.per_connection / 1024:.2f} KiB per connection; "
                f"server sockets {self.sockets_held:,} held, {self.sockets_after:,} after; "
                f"errors: {len(self.errors)}")


def _open_and_release(host: str, port: int, n: int, processes: int) -> tuple[int, list[str], Any, Any]:
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Queue(), ctx.Event()
    shares = [n // processes + (1 if i < n % processes else 0) for i in range(processes)]
    procs = [ctx.Process(target=_client, args=(host, port, share, ready, release), daemon=True)
             for share in shares if share]
    for p in procs:
        p.start()
    held, errors = 0, []
    for _ in procs:
        count, first, _failed = ready.get(timeout=600)
        held += count
        errors += first
    return held, errors, release, procs


def hold_many(server: ServerProcess, n: int, *, processes: int = 2, warmup: int = 200) -> HeldReport:
    """Hold ``n`` authenticated connections to ``server`` at once; measure its RSS per connection."""
    base = procstat.socket_count(server.pid)  # (its listening socket, its loop's self-pipe)
    # Warm-up: connections opened and closed once (the server's one-off allocations and pools).
    _, _, release, procs = _open_and_release(server.host, server.port, warmup, 1)
    release.set()
    for p in procs:
        p.join(60)
    server.wait_until(lambda: procstat.socket_count(server.pid) <= base, timeout=30)
    time.sleep(0.5)
    rss_before = procstat.rss_bytes(server.pid)
    start = time.monotonic()
    held, errors, release, procs = _open_and_release(server.host, server.port, n, processes)
    seconds = time.monotonic() - start
    try:
        server.wait_until(lambda: procstat.socket_count(server.pid) >= held + base, timeout=60)
        time.sleep(0.5)
        rss_held = procstat.rss_bytes(server.pid)
        sockets_held = procstat.socket_count(server.pid) - base
    finally:
        release.set()
        for p in procs:
            p.join(60)
    server.wait_until(lambda: procstat.socket_count(server.pid) <= base, timeout=60)
    return HeldReport(n, held, errors, rss_before, rss_held, sockets_held,
                      procstat.socket_count(server.pid) - base, seconds)


def serve_for(n: int) -> ServerProcess:
    """The soak's test session, allowed ``n`` connections (and enough open files). Every one of
    them comes from 127.0.0.1 and is opened in ramps before it authenticates, so the per-address
    and unauthenticated limits are lifted to the same cap: their AUTO shares of it (a half and a
    quarter) would refuse a ramp of a few hundred when ``n`` is small."""
    cap = str(n + 100)
    return ServerProcess.session_with("--max-connections", cap, "--max-unauthenticated-connections", cap,
                                      "--max-connections-per-address", cap, "--nofile", str(n + 200))


def check(report: HeldReport, limit_kib: float) -> list[str]:
    """What went wrong (empty: nothing)."""
    failures = []
    if report.held != report.connections or report.errors:
        failures.append(f"many: {report.held:,} of {report.connections:,} connections held; "
                        f"errors: {report.errors[:3]}")
    if report.sockets_held < report.held:
        failures.append(f"many: the server held {report.sockets_held:,} sockets for {report.held:,} connections")
    if report.per_connection > limit_kib * 1024:
        failures.append(f"many: {report.per_connection / 1024:.2f} KiB of server RSS per connection "
                        f"(> {limit_kib:g} KiB)")
    if report.sockets_after:
        failures.append(f"many: the server still held {report.sockets_after} sockets after the clients closed")
    return failures


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m soak.many", description=__doc__.split("\n\n")[0])
    p.add_argument("--connections", type=int, default=10_000)
    p.add_argument("--processes", type=int, default=2, help="client processes (default 2)")
    p.add_argument("--limit-kib", type=float, default=10.0, help="server RSS per connection allowed (default 10)")
    args = p.parse_args(argv)
    if not procstat.available():
        print("soak.many: needs Linux's /proc", file=sys.stderr)
        return 2
    with serve_for(args.connections) as server:
        report = hold_many(server, args.connections, processes=args.processes)
    print(report.summary())
    failures = check(report, args.limit_kib)
    print("\n".join(failures) if failures else "soak.many: passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
