"""Connect/disconnect cycles against a server, with what its process holds before and after.

Cycles, mixed by index (out of every 10):

- 4 × ``bolt4``: handshake for 4.4, HELLO with the auth token, SUCCESS, GOODBYE, the server
  closes (this is how drivers leave);
- 4 × ``bolt5``: handshake for 5.4, HELLO, LOGON, two SUCCESSes, GOODBYE;
- 1 × ``plain``: connect and close without sending a byte;
- 1 × ``abort``: handshake, then a reset (RST, no FIN) before HELLO.

``concurrency`` cycles run at once. Every reply is checked (a refused handshake, a FAILURE, or
a server that does not close after GOODBYE is an error).
"""

from __future__ import annotations

import asyncio
import socket
import struct
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from asyncbolt.codec.messages import Goodbye, Hello, Logon
from asyncbolt.codec.packstream import get_codec
from asyncbolt.core.framing import ChunkReader, chunk_message

from . import procstat

__all__ = ["ChurnReport", "churn", "measure", "KINDS"]

MAGIC = b"\x60\x60\xb0\x17"
KINDS = ("plain", "abort", "bolt4", "bolt5", "bolt4", "bolt5", "bolt4", "bolt5", "bolt4", "bolt5")
_AUTH = {"scheme": "basic", "principal": "neo4j", "credentials": "soak"}


def _messages(version: tuple[int, int]) -> tuple[bytes, bytes, int]:
    """(handshake, what to send after it, how many SUCCESSes answer) for ``version``."""
    codec = get_codec(version)
    major, minor = version
    handshake = MAGIC + bytes([0, 0, minor, major]) + bytes(12)
    if version >= (5, 1):
        first = [Hello({"user_agent": "soak/1.0", "bolt_agent": {"product": "soak/1.0"}}), Logon(_AUTH)]
    else:
        first = [Hello({"user_agent": "soak/1.0", **_AUTH})]
    hello = b"".join(chunk_message(codec.pack_message(m)) for m in first)
    return handshake, hello, len(first)


_BOLT = {"bolt4": ((4, 4), _messages((4, 4))), "bolt5": ((5, 4), _messages((5, 4)))}
_GOODBYE = chunk_message(get_codec((4, 4)).pack_message(Goodbye()))


@dataclass
class ChurnReport:
    cycles: int = 0
    kinds: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        kinds = ", ".join(f"{k} {v:,}" for k, v in sorted(self.kinds.items()))
        return (f"{self.cycles:,} connect/disconnect cycles ({kinds}) in {self.seconds:.1f} s "
                f"= {self.cycles / self.seconds if self.seconds else 0:,.0f}/s; errors: {len(self.errors)}")


async def _recv_messages(loop: Any, sock: socket.socket, reader: ChunkReader, n: int) -> list[bytes]:
    payloads: list[bytes] = []
    while len(payloads) < n:
        data = await loop.sock_recv(sock, 65536)
        if not data:
            raise ConnectionError(f"closed by the server after {len(payloads)} of {n} replies")
        payloads += reader.feed(data)
    return payloads


async def _handshake_answer(loop: Any, sock: socket.socket, version: tuple[int, int]) -> None:
    """Read the server's 4-byte handshake answer; ConnectionError unless it chose ``version``."""
    answer = b""
    while len(answer) < 4:
        data = await loop.sock_recv(sock, 4 - len(answer))
        if not data:
            raise ConnectionError("closed during the handshake")
        answer += data
    if answer != bytes([0, 0, version[1], version[0]]):
        raise ConnectionError(f"handshake answered {answer.hex()} for {version}")


async def _cycle(loop: Any, host: str, port: int, kind: str) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setblocking(False)
    try:
        await loop.sock_connect(sock, (host, port))
        if kind == "plain":
            return
        version, (handshake, hello, replies) = _BOLT["bolt4" if kind == "abort" else kind]
        await loop.sock_sendall(sock, handshake)
        await _handshake_answer(loop, sock, version)
        if kind == "abort":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        await loop.sock_sendall(sock, hello)
        reader = ChunkReader()
        for payload in await _recv_messages(loop, sock, reader, replies):
            if payload[1] != 0x70:  # SUCCESS
                raise ConnectionError(f"HELLO answered with signature {payload[1]:#04x}")
        await loop.sock_sendall(sock, _GOODBYE)
        rest = await loop.sock_recv(sock, 65536)  # the server closes after GOODBYE
        if rest:
            raise ConnectionError(f"{len(rest)} bytes after GOODBYE instead of the close")
    finally:
        sock.close()


async def churn(host: str, port: int, cycles: int, *, concurrency: int = 16, timeout: float = 10.0,
                progress: Callable[[int], None] | None = None, max_errors: int = 100) -> ChurnReport:
    """Run ``cycles`` cycles, ``concurrency`` at a time; ``progress(done)`` every 1,000."""
    loop = asyncio.get_running_loop()
    report = ChurnReport()
    next_index = 0

    async def worker() -> None:
        nonlocal next_index
        while next_index < cycles:
            i = next_index
            next_index += 1
            kind = KINDS[i % len(KINDS)]
            try:
                await asyncio.wait_for(_cycle(loop, host, port, kind), timeout)
            except (OSError, asyncio.TimeoutError) as exc:
                if len(report.errors) >= max_errors:
                    raise RuntimeError("too many errors: " + "; ".join(report.errors[:5])) from exc
                report.errors.append(f"cycle {i} ({kind}): {type(exc).__name__}: {exc}")
            report.cycles += 1
            report.kinds[kind] += 1
            if progress is not None and report.cycles % 1000 == 0:
                progress(report.cycles)

    started = time.perf_counter()
    try:
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    finally:
        report.seconds = time.perf_counter() - started
    return report


@dataclass
class Held:
    """What a server process holds at one moment."""

    fds: int
    sockets: int
    rss: int

    def __str__(self) -> str:
        return f"{self.fds} fds ({self.sockets} sockets), RSS {self.rss / 2**20:.1f} MiB"


def measure(pid: int) -> Held:
    return Held(procstat.fd_count(pid), procstat.socket_count(pid), procstat.rss_bytes(pid))


async def settle(pid: int, sockets: int, timeout: float = 10.0) -> Held:
    """Wait until ``pid`` holds at most ``sockets`` sockets (its connections are closed, which
    may lag the client's close by a moment); then what it holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while procstat.socket_count(pid) > sockets and loop.time() < deadline:
        await asyncio.sleep(0.02)
    return measure(pid)
