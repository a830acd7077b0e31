"""Recording the Wireshark dissector's test captures (tests/captures/*.pcap): tcpdump on loopback
while real clients talk to asyncbolt's server. ``make captures`` (``python -m tests.capture_recording``)
re-records them all; tests/test_wireshark.py reads the committed ones and records a live one.

- ``bolt-1.0``, ``bolt-3.0``: the official driver 1.7 (client matrix venv ``neo4j-1.7``), the
  server limited to that version;
- ``bolt-4.4``, ``bolt-5.8``, ``bolt-6.1``: the official drivers 4.4, 5.28 and 6.x (matrix venvs);
- ``reassembly``: a raw socket client (no driver can be made to do this) reaching Bolt 6.1 through
  the manifest, with a 4 KiB receive buffer, so the server's 12 KB RECORD (with a UUID, PackStream
  v2) crosses many TCP segments, and its requests written in pieces (one message across
  segments), in 16-byte chunks, after a NOOP, and pipelined (several messages in one segment);
- ``malformed``: a raw socket client writing bad bytes (no real client sends them): a bad
  magic on one connection, and on another unknown signatures, wrong field counts and types, a
  reserved marker, a truncated value, bytes left over and a well-known map key of the wrong
  type.

Each capture's server listens on a free port (the first packet, the client's SYN, names it);
the clients log in as ``neo4j`` / :data:`PASSWORD`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncbolt
from asyncbolt.codec.messages import Hello, Logon, Pull, Run
from asyncbolt.codec.packstream import get_codec
from asyncbolt.core.framing import chunk_message

from .sessions import EchoSession, ServerThread

ROOT = Path(__file__).resolve().parent.parent
CAPTURES = Path(__file__).resolve().parent / "captures"
CLIENT = CAPTURES / "client.py"
PORT = 0  # any free port
USER, PASSWORD = "neo4j", "capture-secret"
MAGIC = b"\x60\x60\xb0\x17"
#: The matrix venvs (tests/matrix/__init__.py's client_venv, cached in .matrix/) per capture.
DRIVERS = {
    "bolt-1.0": ("neo4j-1.7", ["neo4j-driver<2"], [(1, 0)], "1.0"),
    "bolt-3.0": ("neo4j-1.7", ["neo4j-driver<2"], [(3, 0)], "3.0"),
    "bolt-4.4": ("neo4j-4.4", ["neo4j>=4.4,<5"], None, "4.x"),
    "bolt-5.8": ("neo4j-5.28", ["neo4j==5.28.*"], None, "5.x"),
    "bolt-6.1": ("neo4j-6", ["neo4j>=6,<7"], None, "6.x"),
}
TIMEOUT = 60


class BigSession(EchoSession):
    """EchoSession, plus ``BIG n``: one RECORD holding a string of n characters (and a UUID)."""

    async def run(self, query: str, parameters: dict[str, Any], extra: dict[str, Any]) -> asyncbolt.Result:
        if query.startswith("BIG "):
            n = int(query.split()[1])
            return asyncbolt.Result(["big", "small", "id"],
                                    [["x" * n, list(range(20)), uuid.UUID("12345678-1234-5678-1234-567812345678")]])
        return await super().run(query, parameters, extra)


class CaptureServer(ServerThread):
    """asyncbolt's server (BigSession, a password) on its own loop thread, on ``port`` (0: any
    free one), speaking only ``versions`` when given."""

    def __init__(self, port: int = PORT, versions: list[tuple[int, int]] | None = None) -> None:
        options: dict[str, Any] = {"password": PASSWORD}
        if versions is not None:
            options["versions"] = versions
        super().__init__(BigSession, port=port, **options)


def tcpdump_missing() -> str | None:
    """Why tcpdump cannot record here (None: it can)."""
    if shutil.which("tcpdump") is None:
        return "tcpdump is not installed (apt-get install tcpdump)"
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        return "tcpdump needs root (or CAP_NET_RAW) to capture on loopback"
    try:  # root in a container may still lack CAP_NET_RAW: a raw packet socket tells
        socket.socket(socket.AF_PACKET, socket.SOCK_RAW).close()
    except (PermissionError, AttributeError, OSError) as exc:
        return f"no packet capture here (a raw packet socket: {exc!r}): tcpdump cannot record"
    return None


@contextlib.contextmanager
def tcpdump(path: Path, port: int) -> Iterator[None]:
    """tcpdump recording loopback traffic on ``port`` into ``path`` while the block runs."""
    proc = subprocess.Popen(["tcpdump", "-i", "lo", "--immediate-mode", "-U", "-s", "0", "-Z", "root", "-w", str(path), "tcp", "port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        deadline = time.monotonic() + 10
        line = ""
        while time.monotonic() < deadline:  # "listening on lo, ..." once it captures
            line = proc.stderr.readline()
            if not line or "listening on" in line:
                break
        if "listening on" not in line:
            proc.kill()
            raise RuntimeError(f"tcpdump did not start: {line}{proc.stderr.read()[-500:]}")
        yield
        # Let the last packets (the FINs) reach the file: wait until it stops growing.
        size, stable = -1, 0
        deadline = time.monotonic() + 3
        while stable < 3 and time.monotonic() < deadline:
            now = path.stat().st_size if path.exists() else 0
            stable = stable + 1 if now == size else 0
            size = now
            time.sleep(0.1)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def _driver_python(venv: str, requirements: list[str]) -> Path:
    os.environ.setdefault("ASYNCBOLT_MATRIX_CACHE", str(ROOT / ".matrix"))
    from .matrix import client_venv

    return client_venv(venv, requirements)


def run_driver(python: Path | str, port: int, family: str) -> None:
    """The capture client (tests/captures/client.py) in ``python``'s environment."""
    done = subprocess.run([str(python), str(CLIENT), f"bolt://127.0.0.1:{port}", USER, PASSWORD, family],
                          capture_output=True, text=True, timeout=TIMEOUT)
    if done.returncode != 0:
        raise RuntimeError(f"capture client failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


def record_driver(name: str, path: Path, port: int = PORT) -> None:
    venv, requirements, versions, family = DRIVERS[name]
    python = _driver_python(venv, requirements)
    server = CaptureServer(port, versions)
    try:
        with tcpdump(path, server.port):
            run_driver(python, server.port, family)
    finally:
        server.close()


def _frames(version: tuple[int, int], *messages: Any) -> bytes:
    codec = get_codec(version)
    return b"".join(chunk_message(codec.pack_message(m)) for m in messages)


def _raw(port: int, rcvbuf: int | None = None) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.settimeout(10)
    sock.connect(("127.0.0.1", port))
    return sock


def _read_until_closed_or(sock: socket.socket, marker: bytes, limit: int = 1 << 20) -> bytes:
    """What the server sends until ``marker`` appears in it (or it closes), bounded."""
    got = b""
    while marker not in got and len(got) < limit:
        try:
            data = sock.recv(65536)
        except (TimeoutError, ConnectionError):
            break
        if not data:
            break
        got += data
    return got


def _handshake(sock: socket.socket, version: tuple[int, int]) -> None:
    sock.sendall(MAGIC + bytes((0, 0, version[1], version[0])) + bytes(12))
    answer = sock.recv(4)
    assert answer == bytes((0, 0, version[1], version[0])), answer


def _manifest_handshake(sock: socket.socket, version: tuple[int, int]) -> None:
    """Ask for the manifest (v1), read the server's offers, choose ``version``, no capabilities."""
    sock.sendall(MAGIC + b"\x00\x00\x01\xff" + bytes(12))
    got = b""
    while len(got) < 5 or len(got) < 5 + 4 * got[4] + 1:  # 00 00 01 FF, count (< 128), offers, caps
        more = sock.recv(256)
        if not more:
            raise ConnectionError(f"the server closed during the manifest: {got.hex(' ')}")
        got += more
    assert got[:4] == b"\x00\x00\x01\xff", got
    sock.sendall(bytes((0, 0, version[1], version[0])) + b"\x00")


def record_reassembly(path: Path, port: int = PORT) -> None:
    version = (6, 1)  # through the manifest, as 6.x clients reach it; 6.1 has the UUID marker
    server = CaptureServer(port)
    try:
        with tcpdump(path, server.port):
            sock = _raw(server.port, rcvbuf=4096)
            with sock:
                _manifest_handshake(sock, version)
                hello = _frames(version, Hello({"user_agent": "capture/1", "bolt_agent": {"product": "capture/1"}}),
                                Logon({"scheme": "basic", "principal": USER, "credentials": PASSWORD}))
                # HELLO in three pieces, each its own segment (one message across segments).
                for i in range(3):
                    sock.sendall(hello[i * len(hello) // 3:(i + 1) * len(hello) // 3])
                    time.sleep(0.05)
                _read_until_closed_or(sock, b"\xb1\x70\xa0")  # LOGON's SUCCESS {}
                codec = get_codec(version)
                # A NOOP chunk, then RUN in 16-byte chunks (one message, many chunks) with PULL behind
                # it in the same segment; the answer's RECORD is 12 KB and holds a UUID.
                sock.sendall(b"\x00\x00" + chunk_message(codec.pack_message(Run("BIG 12000", {"pad": "y" * 40}, {})), 16)
                             + _frames(version, Pull({"n": -1})))
                got = b""
                while b"t_last" not in got and len(got) < 100_000:
                    try:
                        data = sock.recv(1024)  # a little at a time: the small window splits the RECORD
                    except TimeoutError:
                        break
                    if not data:
                        break
                    got += data
    finally:
        server.close()


def record_malformed(path: Path, port: int = PORT) -> None:
    version = (5, 4)
    server = CaptureServer(port)
    try:
        with tcpdump(path, server.port):
            with _raw(server.port) as sock:  # not Bolt at all
                sock.sendall(b"GET / HTTP/1.1\r\n\r\n" + bytes(4))
                _read_until_closed_or(sock, b"never")
            with _raw(server.port) as sock:
                _handshake(sock, version)
                good = _frames(version, Hello({"user_agent": "capture/1"}))
                bad = [
                    b"\xb1\x55\x01",                        # unknown request signature 0x55
                    b"\xb1\x10\x85hello",                   # RUN with 1 field (3 wanted)
                    b"\xb3\x10\x2a\xa0\xa0",                # RUN whose query is an Integer
                    b"\xb3\x10\x80\xa1\x81x\xc4\xa0",       # a reserved marker byte 0xC4
                    b"\xb3\x10\x8ahello",                   # a string cut short
                    b"\xb0\x12\x00\x00",                    # COMMIT with 2 bytes left over
                    b"\xb3\x10\x80\xa0\xa1\x89bookmarks\x05",  # a well-known key of the wrong type
                ]
                data = good + b"".join(len(p).to_bytes(2, "big") + p + b"\x00\x00" for p in bad)
                sock.sendall(data)
                _read_until_closed_or(sock, b"never")
    finally:
        server.close()


def record_all(directory: Path = CAPTURES, port: int = PORT) -> list[Path]:
    """Every capture of tests/captures/, re-recorded."""
    why = tcpdump_missing()
    if why:
        raise SystemExit(f"cannot record: {why}")
    out = []
    for name in DRIVERS:
        path = directory / f"{name}.pcap"
        record_driver(name, path, port)
        out.append(path)
    for name, record in (("reassembly", record_reassembly), ("malformed", record_malformed)):
        path = directory / f"{name}.pcap"
        record(path, port)
        out.append(path)
    return out


if __name__ == "__main__":
    for p in record_all(*(Path(a) for a in sys.argv[1:2])):
        print(f"{p.relative_to(ROOT) if p.is_relative_to(ROOT) else p}: {p.stat().st_size:,} bytes")
