"""Fuzz target: ``asyncbolt inspect`` on arbitrary input, in every format.

Input: byte 0 picks the options (format: auto-detected or each of raw/hex/pybytes/pcap/pcapng;
``--json``; ``--side``; ``--bolt``), the rest is the file. ``asyncbolt.tools.inspect.main`` runs on it
as on the command line. Its documented outcome is an exit status: 0 valid, 1 problems found,
2 unusable input (``InputError``) or bad usage. Any exception escaping ``main`` is a finding.

    python -m fuzz.inspect_input [libFuzzer args]
"""

from __future__ import annotations

import io
import struct
import sys

from fuzz._common import chunked, instrumenting, main

with instrumenting():
    from asyncbolt.codec.packstream import get_codec
    from asyncbolt.core.handshake import MAGIC, encode_version
    from asyncbolt.tools import inspect as bolt_inspect
    from fuzz import samples

NAME = "inspect_input"
FORMATS = (None,) + bolt_inspect.FORMATS
_BOLTS = (None, "3.0", "4.4", "5.0", "5.8", "6.1")


def argv_of(options: int) -> list[str]:
    argv = ["-"]  # standard input, which test_one_input points at the data
    fmt = FORMATS[options % len(FORMATS)]
    if fmt:
        argv += ["--format", fmt]
    if options & 0x08:
        argv.append("--json")
    if options & 0x10:
        argv += ["--side", "server" if options & 0x20 else "client"]
    bolt = _BOLTS[(options >> 6) % len(_BOLTS)]
    if bolt:
        argv += ["--bolt", bolt]
    return argv


def test_one_input(data: bytes) -> None:
    if not data:
        return
    out, err = io.StringIO(), io.StringIO()
    stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(data[1:]))
    try:
        code = bolt_inspect.main(argv_of(data[0]), stdout=out, stderr=err)
    finally:
        sys.stdin = stdin
    if code not in (0, 1, 2):
        raise AssertionError(f"exit status {code}")
    if code == 2 and "unusable input" not in err.getvalue():
        raise AssertionError(f"exit status 2 without saying why: {err.getvalue()!r}")


# -- seeds: one conversation per version in every format ---------------------------------------


def _pcap(client: bytes, server: bytes, pcapng: bool) -> bytes:
    """A capture of one connection (IPv4 over Ethernet) carrying the two byte streams."""
    def ip(src_port: int, dst_port: int, seq: int, flags: int, payload: bytes) -> bytes:
        tcp = struct.pack(">HHIIBBHHH", src_port, dst_port, seq, 0, 5 << 4, flags, 65535, 0, 0)
        header = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 40 + len(payload), 1, 0x4000, 64, 6, 0,
                             b"\x7f\0\0\1", b"\x7f\0\0\1")
        return b"\0" * 12 + b"\x08\x00" + header + tcp + payload

    frames = [ip(50000, 7687, 0, 0x02, b""), ip(7687, 50000, 0, 0x12, b""),
              ip(50000, 7687, 1, 0x18, client), ip(7687, 50000, 1, 0x18, server)]
    if not pcapng:
        out = bytearray(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, frame in enumerate(frames):
            out += struct.pack("<IIII", 1700000000 + i, 0, len(frame), len(frame)) + frame
        return bytes(out)

    def block(btype: int, body: bytes) -> bytes:
        body += b"\0" * (-len(body) % 4)
        return struct.pack("<II", btype, len(body) + 12) + body + struct.pack("<I", len(body) + 12)

    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += block(1, struct.pack("<HHI", 1, 0, 65535))
    for i, frame in enumerate(frames):
        out += block(6, struct.pack("<IIIII", 0, 0, i, len(frame), len(frame)) + frame)
    return out


def conversation_bytes(version: tuple[int, int]) -> tuple[bytes, bytes]:
    from asyncbolt.codec.messages import Record, Success

    codec = get_codec(version)
    client = MAGIC + encode_version(version) + bytes(12) + b"".join(
        chunked(codec.pack_message(m)) for m in samples.conversation(version)[:4])
    server = encode_version(version) + b"".join(chunked(codec.pack_message(m)) for m in (
        Success({"server": "Neo4j/5"}), Success({"fields": ["x"]}), Record([1, "a"]),
        Success({"type": "r"})))
    return client, server


def seeds() -> list[bytes]:
    out = []
    for version in ((1, 0), (3, 0), (4, 4), (5, 0), (5, 4), (6, 1)):
        client, server = conversation_bytes(version)
        hex_text = f"C: {client.hex(' ')}\nS: {server.hex(' ')}\n".encode()
        pybytes = f"C: {client!r}\nS: {server!r}\n".encode()
        out += [bytes([0]) + client, bytes([0x30]) + server, bytes([0]) + hex_text,
                bytes([0x08]) + pybytes, bytes([0]) + _pcap(client, server, False),
                bytes([0x08]) + _pcap(client, server, True),
                bytes([0x50]) + client[20:]]  # no handshake: --side client --bolt
    return out


if __name__ == "__main__":
    main(test_one_input, seeds, NAME, sys.argv)
