"""``asyncbolt inspect FILE``: decode and validate a captured Bolt conversation.

Input formats (auto-detected, or forced with ``--format``):

* ``raw``: the wire bytes of one direction;
* ``hex``: hex text (spaces, colons, commas, newlines and ``0x`` allowed); a line may start with
  ``C:`` or ``S:`` to say which side sent it;
* ``pybytes``: Python bytes literals, one per line, as drivers' debug logs print them
  (``b'\\x00\\x13\\xb2\\x10...'``), optionally after a ``C:``/``S:`` marker; other lines (the
  official driver's decoded ``C: HELLO {...}`` text) are skipped;
* ``pcap`` / ``pcapng``: the TCP connections to ``--port`` (default 7687), both directions
  reassembled by sequence number, one report per connection.

Every message becomes one line (offset, side, name, fields); every problem one line
``offset: path: reason``. Exit status: 0 valid, 1 problems found, 2 unusable input.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import struct
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TextIO

from . import dump
from ._generated.versions import VERSIONS
from .handshake import MAGIC, MANIFEST_V1

__all__ = ["main", "InputError", "Connection", "read_input", "detect_format", "parse_hex",
           "parse_pybytes", "parse_pcap"]

Version = tuple[int, int]
FORMATS = ("raw", "hex", "pybytes", "pcap", "pcapng")
_GUESS_BYTES = 64 * 1024


class InputError(Exception):
    """The input cannot be used at all (exit status 2)."""


@dataclass
class Connection:
    """One Bolt connection found in the input: pieces of bytes in the order they were seen."""

    ident: str = ""
    label: str = ""
    #: (side or None when the input does not say, bytes)
    pieces: list[tuple[str | None, bytes]] = field(default_factory=list)
    #: Capture damage (TCP gaps) found while reassembling, per side.
    problems: list[dump.Problem] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Format detection and the text formats

_PCAP_MAGICS = {b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d"}
_PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"
_BYTES_LITERAL = re.compile(r"""[bB][rR]?(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")""")
_SIDE_MARK = re.compile(r"(?:^|[\s\]>|])(C|S|client|server|CLIENT|SERVER)\s*:\s*$")
_HEX_SIDE = re.compile(r"^\s*(C|S|client|server|CLIENT|SERVER)\s*:\s*", re.ASCII)
_HEX_TOKEN = re.compile(r"0[xX]|[\s:,;]+")
_HEX_DIGITS = re.compile(r"^[0-9a-fA-F]*$")


def detect_format(data: bytes) -> str:
    """Guess the input format; InputError for text in no known format."""
    head = data[:4]
    if head in _PCAP_MAGICS:
        return "pcap"
    if head == _PCAPNG_MAGIC:
        return "pcapng"
    if head == MAGIC or not data:
        return "raw"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "raw"
    if _BYTES_LITERAL.search(text):
        return "pybytes"
    try:
        parse_hex(text)
    except InputError:
        pass
    else:
        return "hex"
    if all(c.isprintable() or c in "\t\r\n" for c in text):
        # Wire bytes always hold control bytes (chunk headers start with 00 for small chunks):
        # plain text that is neither hex nor bytes literals is no format we know.
        raise InputError("text that is neither hex nor Python bytes literals (say --format)")
    return "raw"


def _side_of(mark: str) -> str:
    return dump.CLIENT if mark[0] in "Cc" else dump.SERVER


def parse_hex(text: str) -> list[tuple[str | None, bytes]]:
    """Hex text to pieces; lines starting with ``C:``/``S:`` set the side."""
    pieces: list[tuple[str | None, bytes]] = []
    side: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0]
        match = _HEX_SIDE.match(line)
        if match:
            side = _side_of(match.group(1))
            line = line[match.end():]
        digits = _HEX_TOKEN.sub("", line)
        if not digits:
            continue
        if not _HEX_DIGITS.match(digits):
            bad = re.search(r"[^0-9a-fA-F]", digits)
            raise InputError(f"line {number}: not hex: {bad.group(0) if bad else digits!r}")
        if len(digits) % 2:
            raise InputError(f"line {number}: odd number of hex digits")
        data = bytes.fromhex(digits)
        if pieces and pieces[-1][0] == side:
            pieces[-1] = (side, pieces[-1][1] + data)
        else:
            pieces.append((side, data))
    if not pieces:
        raise InputError("no hex bytes in the input")
    return pieces


def parse_pybytes(text: str) -> list[tuple[str | None, bytes]]:
    """Python bytes literals (one or more per line) to pieces; ``C:``/``S:`` before one sets
    the side. Lines without a literal are skipped."""
    pieces: list[tuple[str | None, bytes]] = []
    side: str | None = None
    found = False
    for number, line in enumerate(text.splitlines(), 1):
        for match in _BYTES_LITERAL.finditer(line):
            mark = _SIDE_MARK.search(line[: match.start()])
            if mark:
                side = _side_of(mark.group(1))
            try:
                value = ast.literal_eval(match.group(0))
            except (ValueError, SyntaxError) as exc:
                raise InputError(f"line {number}: bad bytes literal: {exc}") from None
            if not isinstance(value, bytes):
                raise InputError(f"line {number}: not a bytes literal")
            found = True
            if pieces and pieces[-1][0] == side:
                pieces[-1] = (side, pieces[-1][1] + value)
            else:
                pieces.append((side, value))
    if not found:
        raise InputError("no Python bytes literal (b'...') in the input")
    return pieces


def _text_of(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not text (invalid UTF-8 at byte {exc.start})") from None


# --------------------------------------------------------------------------------------------
# pcap / pcapng


@dataclass
class _Segment:
    src: tuple[str, int]
    dst: tuple[str, int]
    seq: int
    flags: int
    payload: bytes


_SYN, _ACK, _FIN, _RST = 0x02, 0x10, 0x01, 0x04


def _ip_text(raw: bytes) -> str:
    if len(raw) == 4:
        return ".".join(str(b) for b in raw)
    groups = [f"{(raw[i] << 8) | raw[i + 1]:x}" for i in range(0, 16, 2)]
    return "[" + ":".join(groups) + "]"


def _decode_ip(packet: bytes, version_hint: int | None = None) -> _Segment | None:
    """An IPv4/IPv6 packet to its TCP segment (None for anything else)."""
    if not packet:
        return None
    version = packet[0] >> 4 if version_hint is None else version_hint
    if version == 4:
        if len(packet) < 20:
            return None
        ihl = (packet[0] & 0x0F) * 4
        total = (packet[2] << 8) | packet[3]
        proto = packet[9]
        frag = ((packet[6] << 8) | packet[7]) & 0x3FFF
        if proto != 6 or frag or ihl < 20:
            return None  # not TCP, or a fragment (Bolt over loopback is never fragmented)
        src, dst = _ip_text(packet[12:16]), _ip_text(packet[16:20])
        body = packet[ihl: total if total >= ihl else len(packet)]
    elif version == 6:
        if len(packet) < 40:
            return None
        nxt = packet[6]
        plen = (packet[4] << 8) | packet[5]
        src, dst = _ip_text(packet[8:24]), _ip_text(packet[24:40])
        body = packet[40: 40 + plen] if plen else packet[40:]
        while nxt in (0, 43, 60, 44) and len(body) >= 8:  # extension headers
            if nxt == 44:
                return None  # fragment
            nxt, body = body[0], body[(body[1] + 1) * 8:]
        if nxt != 6:
            return None
    else:
        return None
    if len(body) < 20:
        return None
    sport, dport, seq = struct.unpack_from(">HHI", body, 0)
    offset = (body[12] >> 4) * 4
    flags = body[13]
    if offset < 20:
        return None
    return _Segment((src, sport), (dst, dport), seq, flags, bytes(body[offset:]))


def _decode_link(linktype: int, frame: bytes, little: bool) -> _Segment | None:
    if linktype == 1:  # Ethernet
        pos = 12
        ethertype = struct.unpack_from(">H", frame, pos)[0] if len(frame) >= 14 else 0
        while ethertype in (0x8100, 0x88A8) and len(frame) >= pos + 6:  # VLAN tags
            pos += 4
            ethertype = struct.unpack_from(">H", frame, pos)[0]
        if ethertype not in (0x0800, 0x86DD):
            return None
        return _decode_ip(frame[pos + 2:])
    if linktype == 113:  # Linux cooked capture (SLL)
        if len(frame) < 16 or struct.unpack_from(">H", frame, 14)[0] not in (0x0800, 0x86DD):
            return None
        return _decode_ip(frame[16:])
    if linktype == 276:  # Linux cooked capture v2 (SLL2)
        if len(frame) < 20 or struct.unpack_from(">H", frame, 0)[0] not in (0x0800, 0x86DD):
            return None
        return _decode_ip(frame[20:])
    if linktype in (0, 108):  # BSD loopback (NULL: host byte order; LOOP: big-endian)
        if len(frame) < 4:
            return None
        order = "<" if (linktype == 0 and little) else ">"
        family = struct.unpack_from(order + "I", frame, 0)[0]
        if family not in (2, 24, 28, 30):
            # Captured on another machine than it was written on: try the other byte order.
            family = struct.unpack_from(("<" if order == ">" else ">") + "I", frame, 0)[0]
        if family == 2:
            return _decode_ip(frame[4:], 4)
        if family in (24, 28, 30):
            return _decode_ip(frame[4:], 6)
        return None
    if linktype in (101, 12, 14, 228, 229):  # raw IP
        return _decode_ip(frame)
    return None


def _pcap_frames(data: bytes) -> Iterator[tuple[int, bytes, bool, bool]]:
    """(link type, frame, little-endian file, frame cut short by the snap length)."""
    magic = data[:4]
    little = magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1")
    order = "<" if little else ">"
    if len(data) < 24:
        raise InputError("pcap file header is cut off")
    linktype = struct.unpack_from(order + "I", data, 20)[0] & 0x0FFFFFFF
    pos = 24
    while pos + 16 <= len(data):
        _, _, incl, orig = struct.unpack_from(order + "IIII", data, pos)
        pos += 16
        frame = data[pos: pos + incl]
        pos += incl
        yield linktype, frame, little, len(frame) < orig


def _pcapng_frames(data: bytes) -> Iterator[tuple[int, bytes, bool, bool]]:
    pos = 0
    order = "<"
    interfaces: list[int] = []
    while pos + 12 <= len(data):
        if data[pos:pos + 4] == _PCAPNG_MAGIC:
            bom = data[pos + 8: pos + 12]
            if bom == b"\x4d\x3c\x2b\x1a":
                order = "<"
            elif bom == b"\x1a\x2b\x3c\x4d":
                order = ">"
            else:
                raise InputError(f"pcapng section at byte {pos} has no byte-order magic")
            interfaces = []
        btype, blen = struct.unpack_from(order + "II", data, pos)
        if blen < 12 or blen % 4 or pos + blen > len(data):
            if pos == 0:
                raise InputError("pcapng section header block is damaged")
            return  # a cut-off capture: keep what came before
        body = data[pos + 8: pos + blen - 4]
        pos += blen
        little = order == "<"
        if btype == 1 and len(body) >= 8:  # Interface Description Block
            interfaces.append(struct.unpack_from(order + "H", body, 0)[0])
        elif btype == 6 and len(body) >= 20:  # Enhanced Packet Block
            iface, _, _, caplen, origlen = struct.unpack_from(order + "IIIII", body, 0)
            if iface < len(interfaces):
                frame = body[20: 20 + caplen]
                yield interfaces[iface], frame, little, len(frame) < origlen
        elif btype == 3 and len(body) >= 4 and interfaces:  # Simple Packet Block
            origlen = struct.unpack_from(order + "I", body, 0)[0]
            frame = body[4: 4 + origlen]
            yield interfaces[0], frame, little, len(frame) < origlen
        elif btype == 2 and len(body) >= 20:  # obsolete Packet Block
            iface = struct.unpack_from(order + "H", body, 0)[0]
            caplen, origlen = struct.unpack_from(order + "II", body, 12)
            if iface < len(interfaces):
                frame = body[20: 20 + caplen]
                yield interfaces[iface], frame, little, len(frame) < origlen


class _Direction:
    """One direction of a TCP connection, reassembled by sequence number."""

    def __init__(self, side: str) -> None:
        self.side = side
        self.next: int | None = None  # next expected sequence number
        self.pending: dict[int, bytes] = {}
        self.delivered = 0
        self.stopped = False

    def add(self, seg: _Segment) -> bytes:
        """Take a segment; return the bytes that became contiguous."""
        seq = seg.seq
        if seg.flags & _SYN:
            if not self.delivered:
                self.next = (seq + 1) & 0xFFFFFFFF
            seq += 1
        if not seg.payload or self.stopped:
            return b""
        if self.next is None:
            self.next = seq & 0xFFFFFFFF  # capture started mid-connection
        rel = (seq - self.next) & 0xFFFFFFFF
        if rel >= 0x80000000:  # before what we have: a retransmit, maybe with new bytes
            overlap = 0x100000000 - rel
            if overlap >= len(seg.payload):
                return b""
            payload, rel = seg.payload[overlap:], 0
        else:
            payload = seg.payload
        key = (self.next + rel) & 0xFFFFFFFF
        if len(payload) > len(self.pending.get(key, b"")):
            self.pending[key] = payload
        out = bytearray()
        while self.next in self.pending:
            chunk = self.pending.pop(self.next)
            out += chunk
            self.next = (self.next + len(chunk)) & 0xFFFFFFFF
            # Drop or trim pending segments the new bytes cover (overlapping retransmits).
            for start in list(self.pending):
                rel = (start - self.next) & 0xFFFFFFFF
                if rel >= 0x80000000:
                    data = self.pending.pop(start)
                    cover = 0x100000000 - rel
                    if cover < len(data):
                        self.pending[self.next] = max(self.pending.get(self.next, b""),
                                                      data[cover:], key=len)
        self.delivered += len(out)
        return bytes(out)


def parse_pcap(data: bytes, port: int = 7687) -> list[Connection]:
    """The Bolt connections (TCP to ``port``) of a pcap or pcapng capture."""
    frames = _pcapng_frames(data) if data[:4] == _PCAPNG_MAGIC else _pcap_frames(data)
    active: dict[tuple, tuple[Connection, dict[tuple[str, int], _Direction]]] = {}
    found: list[tuple[Connection, dict[tuple[str, int], _Direction]]] = []
    packets = 0
    try:
        for linktype, frame, little, _short in frames:
            packets += 1
            try:
                seg = _decode_link(linktype, frame, little)
            except (struct.error, IndexError):
                continue
            if seg is None or port not in (seg.src[1], seg.dst[1]):
                continue
            key = tuple(sorted((seg.src, seg.dst)))
            entry = active.get(key)
            opening = bool(seg.flags & _SYN) and not seg.flags & _ACK
            if entry is None or (opening and any(d.delivered for d in entry[1].values())):
                # A new connection (or the same 4-tuple reused after a new SYN).
                if opening:
                    client = seg.src
                elif seg.flags & _SYN:
                    client = seg.dst
                else:
                    client = seg.src if seg.dst[1] == port else seg.dst
                server = seg.dst if client == seg.src else seg.src
                conn = Connection(str(len(found) + 1), f"{_addr(client)} -> {_addr(server)}")
                entry = (conn, {client: _Direction(dump.CLIENT), server: _Direction(dump.SERVER)})
                active[key] = entry
                found.append(entry)
            conn, dirs = entry
            direction = dirs[seg.src]
            new = direction.add(seg)
            if new:
                conn.pieces.append((direction.side, new))
    except (struct.error, IndexError) as exc:
        raise InputError(f"damaged capture: {exc}") from None
    if not packets:
        raise InputError("the capture holds no packets")
    out = []
    for conn, dirs in found:
        for d in dirs.values():
            if d.pending and d.next is not None:
                missing = min((start - d.next) & 0xFFFFFFFF for start in d.pending)
                conn.problems.append(dump.Problem(
                    d.delivered, "tcp",
                    f"{missing} bytes of the {d.side} stream are missing from the capture (lost "
                    f"segments or snap length); {sum(len(v) for v in d.pending.values())} bytes "
                    "after the gap not decoded", d.side))
        if conn.pieces or conn.problems:
            out.append(conn)
    if not out:
        raise InputError(f"no TCP payload to or from port {port} in the capture ({packets} packets)")
    return out


def _addr(addr: tuple[str, int]) -> str:
    return f"{addr[0]}:{addr[1]}"


# --------------------------------------------------------------------------------------------
# Reading any input


def read_input(data: bytes, fmt: str | None = None, port: int = 7687) -> tuple[str, list[Connection]]:
    """Parse input bytes: returns (format, connections)."""
    fmt = fmt or detect_format(data)
    if fmt in ("pcap", "pcapng"):
        if data[:4] not in _PCAP_MAGICS and data[:4] != _PCAPNG_MAGIC:
            raise InputError(f"not a pcap or pcapng file (starts with {data[:4].hex(' ')})")
        return fmt, parse_pcap(data, port)
    if fmt == "raw":
        if not data:
            raise InputError("the input is empty")
        return fmt, [Connection("", "", [(None, data)])]
    if fmt == "hex":
        return fmt, [Connection("", "", parse_hex(_text_of(data)))]
    if fmt == "pybytes":
        return fmt, [Connection("", "", parse_pybytes(_text_of(data)))]
    raise InputError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")


def _parse_version(text: str) -> Version:
    major, _, minor = text.strip().partition(".")
    try:
        version = (int(major), int(minor or 0))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a Bolt version: {text!r}") from None
    if version not in VERSIONS:
        known = ", ".join(f"{a}.{b}" for a, b in VERSIONS)
        raise argparse.ArgumentTypeError(f"unknown Bolt version {text!r} (known: {known})")
    return version


# --------------------------------------------------------------------------------------------
# Choosing how to read a dump without a handshake


def _looks_like_handshake(side: str | None, data: bytes) -> str | None:
    """Which side a one-direction dump is, from its first bytes, if they are a handshake."""
    if data[:4] == MAGIC:
        return dump.CLIENT
    if side != dump.CLIENT and len(data) >= 4 and (
            data[:4] == MANIFEST_V1 or (data[:2] == b"\0\0" and (data[3], data[2]) in VERSIONS)):
        return dump.SERVER
    return None


def _score(pieces: list[tuple[str | None, bytes]], version: Version | None, side: str | None) -> tuple:
    conv = dump.Conversation(version, side=side)
    budget = _GUESS_BYTES
    messages = 0
    for piece_side, data in pieces:
        part = data[:budget]
        budget -= len(part)
        for event in conv.feed(piece_side or side or dump.CLIENT, part):
            messages += event.kind == "message"
        if budget <= 0:
            break
    problems = len(conv.problems)
    return problems, -messages


def _choose(pieces: list[tuple[str | None, bytes]], version: Version | None,
            side: str | None) -> tuple[Version | None, str | None, list[str]]:
    """Settle the version and side of a dump; returns them and notes on what was guessed."""
    notes: list[str] = []
    sides = {s for s, _ in pieces}
    two_sided = sides - {None}
    if two_sided:
        side = None
        first = next((d for s, d in pieces if s == dump.CLIENT), b"")
        if version is not None or first[:4] == MAGIC:
            return version, None, notes
    else:
        data = b"".join(d for _, d in pieces)
        found = _looks_like_handshake(side, data)
        if found is not None and (side is None or side == found):
            return version, found, notes
        if version is not None and side is not None:
            return version, side, notes
    side_options = [side] if (side or two_sided) else [dump.CLIENT, dump.SERVER]
    version_options = [version] if version is not None else list(reversed(VERSIONS))
    best: tuple | None = None
    for s in side_options:
        for v in version_options:
            score = _score(pieces, v, s)
            if best is None or score < best[0]:
                best = (score, v, s)
    assert best is not None
    _, v, s = best
    if version is None and v is not None:
        notes.append(f"no handshake in the dump: decoding as Bolt {v[0]}.{v[1]}, the newest version "
                     "that reads it best (say --bolt VERSION)")
    if side is None and not two_sided:
        notes.append(f"decoding as the {s} side (say --side client|server)")
    return v, s, notes


# --------------------------------------------------------------------------------------------
# The command


def _report(conn: Connection, args: argparse.Namespace, out: TextIO, err: TextIO,
            many: bool) -> tuple[int, int]:
    """Decode and print one connection; returns (messages, problems)."""
    prefix = f"#{conn.ident} " if many else ""
    version, side, notes = _choose(conn.pieces, args.bolt, args.side)
    conv = dump.Conversation(version, args.patch or (), side=side)
    if many and not args.json:
        out.write(f"connection #{conn.ident} {conn.label}\n")
    messages = 0
    problem_count = 0
    printed: set[int] = set()

    def show(events: list[dump.Event]) -> None:
        nonlocal messages, problem_count
        for event in events:
            messages += event.kind == "message"
            for p in event.problems:
                printed.add(id(p))
            problem_count += len(event.problems)
            if args.json:
                record = dump.render_json(event, redact=not args.show_secrets)
                if many:
                    record = {"connection": conn.ident, **record}
                try:
                    line = json.dumps(record, ensure_ascii=False)
                except (RecursionError, ValueError):
                    line = json.dumps({**record, "fields": "<nested too deeply to show>"})
                out.write(line + "\n")
            else:
                text = dump.render_text(event, redact=not args.show_secrets)
                out.write("\n".join(prefix + line for line in text.split("\n")) + "\n")
        for p in conv.problems:
            if id(p) not in printed:
                printed.add(id(p))
                problem_count += 1
                show_problem(p)

    def show_problem(p: dump.Problem) -> None:
        if args.json:
            record = {"offset": p.offset, "side": p.side or None, "problem": str(p)}
            if many:
                record = {"connection": conn.ident, **record}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            out.write(f"{prefix}{'':>8} ! {p}{f' ({p.side} stream)' if p.side else ''}\n")

    for piece_side, data in conn.pieces:
        show(conv.feed(piece_side or side or dump.CLIENT, data))
    show(conv.close())
    for p in conn.problems:
        problem_count += 1
        show_problem(p)
    for note in notes + conv.notes:
        err.write(f"asyncbolt inspect: {prefix}note: {note}\n")
    return messages, problem_count


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="asyncbolt inspect",
        description="Decode and validate a captured Bolt conversation: raw bytes, hex, Python "
                    "bytes literals, or a pcap/pcapng capture.",
        epilog="Exit status: 0 valid, 1 problems found, 2 unusable input.")
    parser.add_argument("file", help="the dump ('-' reads standard input)")
    parser.add_argument("--format", choices=FORMATS, help="input format (default: auto-detect)")
    parser.add_argument("--bolt", type=_parse_version, metavar="VERSION",
                        help="Bolt version of a dump without the handshake (e.g. 4.4, 5.4)")
    parser.add_argument("--side", choices=(dump.CLIENT, dump.SERVER),
                        help="which side sent a one-direction dump")
    parser.add_argument("--patch", action="append", choices=("utc",),
                        help="a patch in force from the start (4.3/4.4 dumps without the HELLO)")
    parser.add_argument("--port", type=int, default=7687, help="Bolt TCP port in a capture (7687)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--show-secrets", action="store_true",
                        help="do not redact credentials")
    return parser


def main(argv: list[str] | None = None, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = _parser()
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    except SystemExit as exc:  # argparse: --help (0) or bad usage (2)
        return int(exc.code or 0) if isinstance(exc.code, int) else 2
    try:
        if args.file == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(args.file, "rb") as f:
                data = f.read()
    except OSError as exc:
        err.write(f"asyncbolt inspect: cannot read {args.file}: {exc.strerror or exc}\n")
        return 2
    try:
        fmt, conns = read_input(data, args.format, args.port)
    except InputError as exc:
        err.write(f"asyncbolt inspect: {args.file}: unusable input: {exc}\n")
        return 2
    total_messages = total_problems = 0
    many = len(conns) > 1 or fmt in ("pcap", "pcapng")
    for conn in conns:
        messages, problems = _report(conn, args, out, err, many)
        total_messages += messages
        total_problems += problems
    summary = (f"{total_messages} messages, {total_problems} problem"
               f"{'' if total_problems == 1 else 's'}"
               + (f", {len(conns)} connections" if len(conns) > 1 else ""))
    err.write(f"asyncbolt inspect: {summary}\n")
    return 1 if total_problems else 0


if __name__ == "__main__":
    sys.exit(main())
