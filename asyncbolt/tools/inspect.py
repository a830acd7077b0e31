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
import codecs
import contextlib
import heapq
import io
import json
import re
import struct
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Protocol, TextIO

from asyncbolt._generated.versions import VERSIONS
from asyncbolt.core.handshake import MAGIC, MANIFEST_V1
from asyncbolt.errors import InputError
from asyncbolt.tools import dump
from asyncbolt.tools.cli import budget_arg as _budget_arg

__all__ = ["main", "InputError", "Connection", "read_input", "read_stream", "detect_format",
           "parse_hex", "parse_pybytes", "parse_pcap"]

Version = tuple[int, int]
FORMATS = ("raw", "hex", "pybytes", "pcap", "pcapng")
_GUESS_BYTES = 64 * 1024


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


def detect_format(data: bytes, complete: bool = True) -> str:
    """Guess the input format from its start (``complete``: ``data`` is all of the input);
    InputError for text in no known format."""
    head = data[:4]
    if head in _PCAP_MAGICS:
        return "pcap"
    if head == _PCAPNG_MAGIC:
        return "pcapng"
    if head == MAGIC or not data:
        return "raw"
    cut_line = False
    if not complete:
        # Judge whole lines only (or the start of one long line).
        cut = data.rfind(b"\n")
        if cut > 0:
            data = data[:cut + 1]
        else:
            cut_line = True
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if complete or exc.start < len(data) - 3:
            return "raw"
        text = data[:exc.start].decode("utf-8", "replace")
    if _BYTES_LITERAL.search(text):
        return "pybytes"
    try:
        parse_hex(text)
    except InputError:
        if cut_line:  # the line may be cut after one digit of a byte
            try:
                parse_hex(text[:-1])
            except InputError:
                pass
            else:
                return "hex"
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

    def emit(side: str | None, value: bytes) -> None:
        if pieces and pieces[-1][0] == side:
            pieces[-1] = (side, pieces[-1][1] + value)
        else:
            pieces.append((side, value))

    for number, line in enumerate(text.splitlines(), 1):
        side, got = _pybytes_line(line, number, side, emit)
        found = found or got
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
    #: What is wrong with the headers (a length beyond the packet), when something is.
    damage: str = ""


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
    damage = ""
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
        if total < ihl or total > len(packet):
            damage = f"IPv4 total length {total} does not fit the packet's {len(packet)} bytes"
    elif version == 6:
        if len(packet) < 40:
            return None
        nxt = packet[6]
        plen = (packet[4] << 8) | packet[5]
        src, dst = _ip_text(packet[8:24]), _ip_text(packet[24:40])
        body = packet[40: 40 + plen] if plen else packet[40:]
        if plen > len(packet) - 40:
            damage = f"IPv6 payload length {plen} is more than the packet's {len(packet) - 40} bytes"
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
    if offset > len(body):
        damage = damage or f"TCP header length {offset} is more than the segment's {len(body)} bytes"
    return _Segment((src, sport), (dst, dport), seq, flags, bytes(body[offset:]), damage)


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


class _Bytes:
    """Reads a stream of blocks as a file: ``read(n)`` returns up to ``n`` bytes."""

    def __init__(self, blocks: Iterator[bytes]) -> None:
        self._blocks = blocks
        self._buf = bytearray()
        self._pos = 0
        self.offset = 0  # bytes of the input consumed

    def read(self, n: int) -> bytes:
        while len(self._buf) - self._pos < n:
            block = next(self._blocks, None)
            if block is None:
                break
            if self._pos:
                del self._buf[:self._pos]
                self._pos = 0
            self._buf += block
        out = bytes(self._buf[self._pos:self._pos + n])
        self._pos += len(out)
        self.offset += len(out)
        return out


#: The largest packet record a pcap may hold: libpcap's maximum snap length (262,144), or the
#: file's own snap length when larger, up to MAX_RECORD. A larger record length is damage.
_LIBPCAP_MAX_SNAPLEN = 262144
MAX_RECORD = 16 * 1024 * 1024


def _capture_problem(offset: int, reason: str) -> dump.Problem:
    return dump.Problem(offset, "capture", reason)


def _pcap_frames(src: _Bytes, problems: list[dump.Problem]) -> Iterator[tuple[int, bytes, bool, bool]]:
    """(link type, frame, little-endian file, frame cut short by the snap length); damage to the
    file's own framing is appended to ``problems`` and ends the reading."""
    header = src.read(24)
    if len(header) < 24:
        raise InputError("pcap file header is cut off")
    magic = header[:4]
    little = magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1")
    order = "<" if little else ">"
    snaplen, linktype = struct.unpack_from(order + "II", header, 16)
    linktype &= 0x0FFFFFFF
    limit = max(_LIBPCAP_MAX_SNAPLEN, min(snaplen, MAX_RECORD))
    number = 0
    while True:
        at = src.offset
        record = src.read(16)
        if not record:
            return
        number += 1
        if len(record) < 16:
            problems.append(_capture_problem(at, f"the capture ends inside the header of packet "
                                                 f"#{number} ({len(record)} of 16 bytes)"))
            return
        _, _, incl, orig = struct.unpack_from(order + "IIII", record, 0)
        if incl > limit:
            problems.append(_capture_problem(at, f"packet #{number} claims {incl} captured bytes, more "
                                                 f"than the snap length allows ({limit}): damaged "
                                                 "capture, the rest of the file is not read"))
            return
        frame = src.read(incl)
        if len(frame) < incl:
            problems.append(_capture_problem(at, f"the capture ends inside packet #{number}: "
                                                 f"{len(frame)} of its {incl} bytes are in the file"))
            return
        yield linktype, frame, little, incl < orig


def _pcapng_frames(src: _Bytes, problems: list[dump.Problem]) -> Iterator[tuple[int, bytes, bool, bool]]:
    order = "<"
    interfaces: list[int] = []
    first = True
    while True:
        at = src.offset
        head = src.read(8)
        if not head:
            return
        if len(head) < 8:
            problems.append(_capture_problem(at, f"the capture ends inside a block header "
                                                 f"({len(head)} of 8 bytes)"))
            return
        if head[:4] == _PCAPNG_MAGIC:
            bom = src.read(4)
            if bom == b"\x4d\x3c\x2b\x1a":
                order = "<"
            elif bom == b"\x1a\x2b\x3c\x4d":
                order = ">"
            elif first:
                raise InputError(f"pcapng section at byte {at} has no byte-order magic")
            else:
                problems.append(_capture_problem(at, "a pcapng section header without its byte-order "
                                                     "magic: damaged capture, the rest is not read"))
                return
            interfaces = []
            btype, blen = struct.unpack_from(order + "II", head, 0)
            rest_len = blen - 12
            prefix = bom
        else:
            if first:
                raise InputError("pcapng section header block is damaged")
            btype, blen = struct.unpack_from(order + "II", head, 0)
            rest_len = blen - 8
            prefix = b""
        if blen < 12 or blen % 4 or blen > MAX_RECORD + 64:
            if first:
                raise InputError("pcapng section header block is damaged")
            problems.append(_capture_problem(at, f"block of type {btype} claims {blen} bytes (a multiple of "
                                                 f"4 from 12 to {MAX_RECORD + 64}): damaged capture, the "
                                                 "rest of the file is not read"))
            return
        rest = src.read(rest_len)
        if len(rest) < rest_len:
            problems.append(_capture_problem(at, f"the capture ends inside a block of type {btype}: "
                                                 f"{len(prefix) + len(rest) + 8} of its {blen} bytes are in "
                                                 "the file"))
            return
        first = False
        body = (prefix + rest)[:-4]
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


#: Out-of-order bytes held per direction while waiting for a missing segment, and in all:
#: past either, the missing bytes are taken as lost (a problem) and the direction stops.
MAX_OUT_OF_ORDER = 16 * 1024 * 1024
MAX_OUT_OF_ORDER_TOTAL = 64 * 1024 * 1024
#: Connections decoded at once; past it the oldest is ended early (with a problem).
MAX_OPEN_CONNECTIONS = 10_000


class _Direction:
    """One direction of a TCP connection, reassembled by sequence number: segments that arrive
    ahead of a gap wait in a heap (by absolute sequence number), so reassembly is O(n log n) in
    segments whatever their order, and the bytes waiting are bounded."""

    __slots__ = ("side", "next", "heap", "waiting", "delivered", "stopped", "fin", "_count")

    def __init__(self, side: str) -> None:
        self.side = side
        self.next: int | None = None  # absolute (unwrapped) sequence number expected next
        self.heap: list[tuple[int, int, bytes]] = []  # (start, arrival, payload)
        self.waiting = 0  # bytes in heap
        self.delivered = 0
        self.stopped = False
        self.fin = False
        self._count = 0

    def _absolute(self, seq: int) -> int:
        assert self.next is not None
        rel = (seq - self.next) & 0xFFFFFFFF
        if rel >= 0x80000000:
            rel -= 0x100000000
        return self.next + rel

    def add(self, seg: _Segment) -> bytes:
        """Take a segment; return the bytes that became contiguous."""
        seq = seg.seq
        if seg.flags & _SYN:
            if not self.delivered and not self.heap:
                self.next = (seq + 1) & 0xFFFFFFFF
            seq = (seq + 1) & 0xFFFFFFFF
        if seg.flags & (_FIN | _RST):
            self.fin = True
        payload = seg.payload
        if not payload or self.stopped:
            return b""
        if self.next is None:
            self.next = seq  # capture started mid-connection
        start = self._absolute(seq)
        end = start + len(payload)
        if end <= self.next:
            return b""  # a retransmit of what we have
        if start > self.next:
            self._count += 1
            heapq.heappush(self.heap, (start, self._count, payload))
            self.waiting += len(payload)
            return b""
        out = [payload[self.next - start:] if start < self.next else payload]
        self.next = end
        heap = self.heap
        while heap and heap[0][0] <= self.next:
            s0, _, p0 = heapq.heappop(heap)
            self.waiting -= len(p0)
            e0 = s0 + len(p0)
            if e0 > self.next:
                out.append(p0[self.next - s0:])
                self.next = e0
        data = out[0] if len(out) == 1 else b"".join(out)
        self.delivered += len(data)
        return data

    def gap_problem(self, why: str = "") -> dump.Problem | None:
        """The bytes missing before the waiting ones (then forgets them and stops)."""
        if not self.heap or self.next is None:
            return None
        missing = self.heap[0][0] - self.next
        problem = dump.Problem(
            self.delivered, "tcp",
            f"{missing} bytes of the {self.side} stream are missing from the capture (lost "
            f"segments or snap length); {self.waiting} bytes after the gap not decoded{why}", self.side)
        self.heap.clear()
        self.waiting = 0
        self.stopped = True
        return problem


class _Tcp:
    """The Bolt connections (TCP to ``port``) of a capture, reassembled as the packets come:
    each direction's new contiguous bytes go to ``sink.data`` as soon as they are known."""

    def __init__(self, sink: _Sink, port: int) -> None:
        self.sink = sink
        self.port = port
        self.active: dict[tuple, tuple[str, dict[tuple[str, int], _Direction]]] = {}
        self.closed: dict[tuple, None] = {}  # recently ended 4-tuples (late retransmits)
        self.count = 0
        self.packets = 0
        self.waiting = 0

    def segment(self, seg: _Segment, number: int) -> None:
        if self.port not in (seg.src[1], seg.dst[1]):
            return
        key = (seg.src, seg.dst) if seg.src < seg.dst else (seg.dst, seg.src)
        entry = self.active.get(key)
        opening = bool(seg.flags & _SYN) and not seg.flags & _ACK
        if entry is not None and opening and any(d.delivered for d in entry[1].values()):
            self.end(key)  # the same 4-tuple reused after a new SYN
            entry = None
        if entry is None:
            if key in self.closed and not opening:
                return  # a late retransmit of an ended connection
            self.closed.pop(key, None)
            if opening:
                client = seg.src
            elif seg.flags & _SYN:
                client = seg.dst
            else:
                client = seg.src if seg.dst[1] == self.port else seg.dst
            server = seg.dst if client == seg.src else seg.src
            self.count += 1
            cid = str(self.count)
            entry = (cid, {client: _Direction(dump.CLIENT), server: _Direction(dump.SERVER)})
            self.active[key] = entry
            self.sink.open(cid, f"{_addr(client)} -> {_addr(server)}")
            if len(self.active) > MAX_OPEN_CONNECTIONS:
                oldest = next(iter(self.active))
                self.sink.problem(self.active[oldest][0], _capture_problem(
                    number, f"more than {MAX_OPEN_CONNECTIONS} connections open at once in the "
                            "capture: the oldest is ended here"))
                self.end(oldest)
        cid, dirs = entry
        direction = dirs[seg.src]
        before = direction.waiting
        new = direction.add(seg)
        self.waiting += direction.waiting - before
        if direction.waiting > MAX_OUT_OF_ORDER or self.waiting > MAX_OUT_OF_ORDER_TOTAL:
            limit = MAX_OUT_OF_ORDER if direction.waiting > MAX_OUT_OF_ORDER else MAX_OUT_OF_ORDER_TOTAL
            self.waiting -= direction.waiting
            problem = direction.gap_problem(f" (more than {limit} bytes wait behind the gap)")
            if problem is not None:
                self.sink.problem(cid, problem)
        if new:
            self.sink.data(cid, direction.side, new)
        if seg.flags & _RST or all(d.fin for d in dirs.values()):
            self.end(key)

    def end(self, key: tuple) -> None:
        cid, dirs = self.active.pop(key)
        for d in dirs.values():
            self.waiting -= d.waiting
            problem = d.gap_problem()
            if problem is not None:
                self.sink.problem(cid, problem)
        self.sink.end(cid)
        self.closed[key] = None
        if len(self.closed) > MAX_OPEN_CONNECTIONS:
            del self.closed[next(iter(self.closed))]

    def finish(self) -> None:
        for key in list(self.active):
            self.end(key)


def _read_capture(blocks: Iterator[bytes], fmt: str, sink: _Sink, port: int) -> None:
    src = _Bytes(blocks)
    problems: list[dump.Problem] = []
    frames = _pcapng_frames(src, problems) if fmt == "pcapng" else _pcap_frames(src, problems)
    tcp = _Tcp(sink, port)
    packets = 0
    for linktype, frame, little, short in frames:
        packets += 1
        try:
            seg = _decode_link(linktype, frame, little)
        except (struct.error, IndexError):
            continue
        if seg is None:
            continue
        if seg.damage and not short and tcp.port in (seg.src[1], seg.dst[1]):
            sink.problem(None, _capture_problem(src.offset - len(frame),
                                                f"packet #{packets}: {seg.damage}"))
        tcp.segment(seg, packets)
    tcp.finish()
    for p in problems:
        sink.problem(None, p)
    if not packets and not problems:
        raise InputError("the capture holds no packets")
    if not tcp.count and not problems:
        raise InputError(f"no TCP payload to or from port {port} in the capture ({packets} packets)")


def _addr(addr: tuple[str, int]) -> str:
    return f"{addr[0]}:{addr[1]}"


# --------------------------------------------------------------------------------------------
# Reading any input, incrementally

#: Bytes read from the input at a time (and the most fed to a decoder at once).
BLOCK = 256 * 1024


class _Sink:
    """Where the readers put what they find (``_Report`` prints it)."""

    def open(self, cid: str, label: str) -> None: ...
    def data(self, cid: str, side: str | None, data: bytes) -> None: ...
    def end(self, cid: str) -> None: ...
    def problem(self, cid: str | None, problem: dump.Problem) -> None: ...


class _Text:
    """Input bytes to text lines, incrementally: ``feed`` returns the complete lines."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._done = 0  # bytes decoded before the current block
        self.partial = ""

    def feed(self, block: bytes, final: bool = False) -> list[str]:
        try:
            text = self._decoder.decode(block, final)
        except UnicodeDecodeError as exc:
            raise InputError(f"not text (invalid UTF-8 at byte {self._done + exc.start})") from None
        self._done += len(block)
        text = self.partial + text
        lines = text.split("\n")
        self.partial = "" if final else lines.pop()
        if final and lines and lines[-1] == "":
            lines.pop()
        return lines


class _HexReader:
    """Hex text to pieces as it comes (a line may be longer than a block)."""

    def __init__(self, emit: Callable[[str | None, bytes], None]) -> None:
        self.emit = emit
        self.side: str | None = None
        self.number = 0  # lines completed
        self.comment = False  # the rest of the current line is a comment
        self.line_start = True
        self.odd = ""  # a hex digit whose partner is in the next part of the line
        self.found = False

    def part(self, text: str, end_of_line: bool) -> None:
        number = self.number + 1
        if self.line_start:
            match = _HEX_SIDE.match(text)
            if match:
                self.side = _side_of(match.group(1))
                text = text[match.end():]
            self.line_start = False
        if not self.comment:
            if "#" in text:
                text = text.split("#", 1)[0]
                self.comment = True
            digits = self.odd + _HEX_TOKEN.sub("", text)
            self.odd = ""
            if not _HEX_DIGITS.match(digits):
                bad = re.search(r"[^0-9a-fA-F]", digits)
                raise InputError(f"line {number}: not hex: {bad.group(0) if bad else digits!r}")
            if len(digits) % 2:
                if end_of_line:
                    raise InputError(f"line {number}: odd number of hex digits")
                digits, self.odd = digits[:-1], digits[-1]
            if digits:
                self.found = True
                self.emit(self.side, bytes.fromhex(digits))
        if end_of_line:
            self.number += 1
            self.comment = False
            self.line_start = True

    def feed(self, lines: list[str], partial: str, final: bool) -> str:
        """Complete lines, then what there is of the next; returns the part to keep."""
        for line in lines:
            self.part(line, True)
        if final:
            if partial:
                self.part(partial, True)
            if not self.found:
                raise InputError("no hex bytes in the input")
            return ""
        if len(partial) > BLOCK:
            # A long line: decode what is there up to a separator (a 0x prefix or the line's
            # side marker must not be cut in two) and keep the rest for the next block.
            cut = max(partial.rfind(c, len(partial) - 64) for c in " \t,;:") + 1
            if cut <= 0:
                cut = len(partial) - 2
                if partial[cut] in "xX" and partial[cut - 1] == "0":
                    cut -= 1
            self.part(partial[:cut], False)
            return partial[cut:]
        return partial


def _pybytes_line(line: str, number: int, side: str | None,
                  emit: Callable[[str | None, bytes], None]) -> tuple[str | None, bool]:
    found = False
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
        emit(side, value)
    return side, found


def _read_text(blocks: Iterator[bytes], fmt: str, sink: _Sink) -> None:
    """hex or pybytes, line by line as the blocks come (a bytes literal is one line; a hex
    line may be longer than a block)."""
    sink.open("", "")
    pending: list[tuple[str | None, bytearray]] = []

    def emit(side: str | None, data: bytes) -> None:
        # Consecutive pieces of one side are joined, and handed on once per block read.
        if pending and pending[-1][0] == side:
            pending[-1][1].extend(data)
        else:
            pending.append((side, bytearray(data)))

    text = _Text()
    hexreader = _HexReader(emit) if fmt == "hex" else None
    side: str | None = None
    number = 0
    found = False
    final = False
    while not final:
        block = next(blocks, None)
        final = block is None
        lines = text.feed(block or b"", final)
        if hexreader is not None:
            text.partial = hexreader.feed(lines, text.partial, final)
        else:
            for line in lines:
                number += 1
                side, got = _pybytes_line(line, number, side, emit)
                found |= got
            if final and not found:
                raise InputError("no Python bytes literal (b'...') in the input")
        for piece_side, data in pending:
            sink.data("", piece_side, bytes(data))
        pending.clear()
    sink.end("")


class Readable(Protocol):
    """What the readers take: a binary file, or anything with its ``read``."""

    def read(self, n: int = -1, /) -> bytes: ...


def _blocks(f: Readable, head: bytes) -> Iterator[bytes]:
    if head:
        yield head
    while True:
        block = f.read(BLOCK)
        if not block:
            return
        yield block


def _read_head(f: Readable, size: int = _GUESS_BYTES) -> tuple[bytes, bool]:
    """Up to ``size`` bytes from the start of the input, and whether that is all of it."""
    head = bytearray()
    while len(head) < size:
        block = f.read(size - len(head))
        if not block:
            return bytes(head), True
        head += block
    return bytes(head), False


def read_stream(f: Readable, sink: _Sink, fmt: str | None = None, port: int = 7687) -> str:
    """Read the input ``f`` incrementally into ``sink``; returns the format (detected when
    ``fmt`` is None). ``InputError`` when it is unusable (perhaps after some was read)."""
    head, complete = _read_head(f)
    fmt = fmt or detect_format(head, complete)
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    blocks = _blocks(f, head)
    if fmt in ("pcap", "pcapng"):
        if head[:4] not in _PCAP_MAGICS and head[:4] != _PCAPNG_MAGIC:
            raise InputError(f"not a pcap or pcapng file (starts with {head[:4].hex(' ')})")
        _read_capture(blocks, "pcapng" if head[:4] == _PCAPNG_MAGIC else "pcap", sink, port)
    elif fmt == "raw":
        if not head:
            raise InputError("the input is empty")
        sink.open("", "")
        for block in blocks:
            sink.data("", None, block)
        sink.end("")
    else:
        _read_text(blocks, fmt, sink)
    return fmt


class _Collect(_Sink):
    """Everything into :class:`Connection` objects (the whole-input API)."""

    def __init__(self) -> None:
        self.conns: dict[str, Connection] = {}
        self.capture: list[dump.Problem] = []

    def open(self, cid: str, label: str) -> None:
        self.conns[cid] = Connection(cid, label)

    def data(self, cid: str, side: str | None, data: bytes) -> None:
        pieces = self.conns[cid].pieces
        if pieces and pieces[-1][0] == side:
            pieces[-1] = (side, pieces[-1][1] + data)
        else:
            pieces.append((side, data))

    def problem(self, cid: str | None, problem: dump.Problem) -> None:
        if cid is None:
            self.capture.append(problem)
        else:
            self.conns[cid].problems.append(problem)


def parse_pcap(data: bytes, port: int = 7687) -> list[Connection]:
    """The Bolt connections (TCP to ``port``) of a pcap or pcapng capture, in memory (damage to
    the capture itself is attached to the first connection)."""
    sink = _Collect()
    _read_capture(iter([data]), "pcapng" if data[:4] == _PCAPNG_MAGIC else "pcap", sink, port)
    conns = [c for c in sink.conns.values() if c.pieces or c.problems]
    if sink.capture:
        if not conns:
            conns.append(Connection("", "capture"))
        conns[0].problems.extend(sink.capture)
    if not conns:
        raise InputError(f"no TCP payload to or from port {port} in the capture")
    return conns


def read_input(data: bytes, fmt: str | None = None, port: int = 7687) -> tuple[str, list[Connection]]:
    """Parse input bytes in memory: returns (format, connections). ``read_stream`` is the
    incremental form ``asyncbolt inspect`` uses."""
    sink = _Collect()
    fmt = read_stream(io.BytesIO(data), sink, fmt, port)
    conns = [c for c in sink.conns.values() if c.pieces or c.problems or fmt not in ("pcap", "pcapng")]
    if sink.capture:
        if not conns:
            conns.append(Connection("", "capture"))
        conns[0].problems.extend(sink.capture)
    return fmt, conns


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


class _Conn:
    """One connection being reported: pieces held until its version and side are settled (at
    most about _GUESS_BYTES), then a Conversation fed as the bytes come."""

    __slots__ = ("cid", "label", "pieces", "held", "conv", "notes", "side", "header")

    def __init__(self, cid: str, label: str) -> None:
        self.cid = cid
        self.label = label
        self.pieces: list[tuple[str | None, bytes]] = []
        self.held = 0
        self.conv: dump.Conversation | None = None
        self.notes: list[str] = []
        self.side: str | None = None
        self.header = False


def _early_choice(pieces: list[tuple[str | None, bytes]], version: Version | None,
                  side: str | None) -> tuple[Version | None, str | None] | None:
    """The version and side, when the first bytes already settle them (no scoring needed)."""
    marked = any(s is not None for s, _ in pieces)
    if marked:
        if version is not None:
            return version, None
        first = b"".join(d for s, d in pieces if s == dump.CLIENT)[:4]
        if first[:4] == MAGIC:
            return version, None
        return None
    start = b"".join(d for _, d in pieces[:4])[:4]
    if len(start) >= 4:
        found = _looks_like_handshake(side, start)
        if found is not None and (side is None or side == found):
            return version, found
    if version is not None and side is not None:
        return version, side
    return None


class _Report(_Sink):
    """Decodes every connection the reader finds and prints it as it goes."""

    def __init__(self, args: argparse.Namespace, out: TextIO, err: TextIO, many: bool) -> None:
        self.args = args
        self.out = out
        self.err = err
        self.many = many
        self.conns: dict[str, _Conn] = {}
        self.held = 0  # bytes held by connections not settled yet
        self.messages = 0
        self.problems = 0
        self.connections = 0
        self.redact = not args.show_secrets
        self.full = args.full
        self.budget = dump.DEFAULT if args.max_decoded_values is None else (
            None if args.max_decoded_values == "off" else args.max_decoded_values)

    # -- the reader's side ---------------------------------------------------------------------

    def open(self, cid: str, label: str) -> None:
        self.conns[cid] = _Conn(cid, label)
        self.connections += 1

    def data(self, cid: str, side: str | None, data: bytes) -> None:
        conn = self.conns[cid]
        if conn.conv is None:
            conn.pieces.append((side, data))
            conn.held += len(data)
            self.held += len(data)
            if conn.held >= _GUESS_BYTES or _early_choice(conn.pieces, self.args.bolt, self.args.side):
                self._settle(conn)
            elif self.held > MAX_HELD:
                for other in list(self.conns.values()):
                    if other.conv is None:
                        self._settle(other)
            return
        self._feed(conn, side, data)

    def end(self, cid: str) -> None:
        conn = self.conns.pop(cid)
        if conn.conv is None:
            self._settle(conn)
        assert conn.conv is not None
        self._show(conn, conn.conv.close())
        for note in conn.notes + conn.conv.notes:
            self.err.write(f"asyncbolt inspect: {self._prefix(conn)}note: {note}\n")

    def problem(self, cid: str | None, problem: dump.Problem) -> None:
        conn = self.conns.get(cid) if cid is not None else None
        if conn is not None and conn.conv is None:
            self._settle(conn)
        self._problem(conn, problem)

    def finish(self) -> None:
        for cid in list(self.conns):
            self.end(cid)

    # -- decoding and printing -----------------------------------------------------------------

    def _settle(self, conn: _Conn) -> None:
        args = self.args
        self.held -= conn.held
        pieces, conn.pieces, conn.held = conn.pieces, [], 0
        early = _early_choice(pieces, args.bolt, args.side)
        if early is not None:
            version, side = early
        else:
            version, side, conn.notes = _choose(pieces, args.bolt, args.side)
        conn.side = side
        conn.conv = dump.Conversation(version, args.patch or (), side=side, keep_problems=False,
                                      max_decoded_values=self.budget)
        if self.many and not args.json:
            self.out.write(f"connection #{conn.cid} {conn.label}\n")
        self._show(conn, [])  # problems of the set-up (an unknown version)
        for piece_side, data in pieces:
            self._feed(conn, piece_side, data)

    def _feed(self, conn: _Conn, side: str | None, data: bytes) -> None:
        conv = conn.conv
        assert conv is not None
        side = side or conn.side or dump.CLIENT
        if len(data) <= BLOCK:
            self._show(conn, conv.feed(side, data))
            return
        view = memoryview(data)
        for start in range(0, len(data), BLOCK):
            self._show(conn, conv.feed(side, view[start:start + BLOCK]))

    def _prefix(self, conn: _Conn | None) -> str:
        return f"#{conn.cid} " if self.many and conn is not None else ""

    def _show(self, conn: _Conn, events: list[dump.Event]) -> None:
        args = self.args
        prefix = self._prefix(conn)
        lines: list[str] = []
        out = lines.append
        for event in events:
            self.messages += event.kind == "message"
            self.problems += len(event.problems)
            if args.json:
                record = dump.render_json(event, redact=self.redact, full=self.full)
                if self.many:
                    record = {"connection": conn.cid, **record}
                try:
                    line = json.dumps(record, ensure_ascii=False)
                except (RecursionError, ValueError):
                    line = json.dumps({**record, "fields": "<nested too deeply to show>"})
                out(line)
            else:
                text = dump.render_text(event, redact=self.redact, full=self.full)
                if prefix:
                    text = "\n".join(prefix + line for line in text.split("\n"))
                out(text)
        if lines:
            lines.append("")
            self.out.write("\n".join(lines))
        assert conn.conv is not None
        for p in conn.conv.take_problems():
            self._problem(conn, p)

    def _problem(self, conn: _Conn | None, p: dump.Problem) -> None:
        self.problems += 1
        if self.args.json:
            record: dict[str, Any] = {"offset": p.offset, "side": p.side or None, "problem": str(p)}
            if self.many and conn is not None:
                record = {"connection": conn.cid, **record}
            self.out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            self.out.write(f"{self._prefix(conn)}{'':>8} ! {p}{f' ({p.side} stream)' if p.side else ''}\n")

    def summary(self, fmt: str | None) -> str:
        text = (f"{self.messages} messages, {self.problems} problem{'' if self.problems == 1 else 's'}"
                + (f", {self.connections} connections" if self.connections > 1 else ""))
        if self.args.json:
            self.out.write(json.dumps({"summary": {
                "format": fmt, "messages": self.messages, "problems": self.problems,
                "connections": self.connections}}) + "\n")
        return text


#: Bytes all connections not settled yet may hold in all (past it they are settled at once).
MAX_HELD = 16 * 1024 * 1024


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="asyncbolt inspect",
        description="Decode and validate a captured Bolt conversation: raw bytes, hex, Python "
                    "bytes literals, or a pcap/pcapng capture. The input is read as it is decoded "
                    "(memory: about the largest message, not the file).",
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
    parser.add_argument("--json", action="store_true",
                        help="one JSON object per line: per message, per problem, then a summary")
    parser.add_argument("--full", action="store_true",
                        help="show long values whole (by default lists, maps, strings and bytes "
                             "are elided past a few hundred characters, with their size)")
    parser.add_argument("--max-decoded-values", type=_budget_arg, metavar="N",
                        help="decoded-size budget of one message, passed to the codec (default: "
                             "the codec's; 'off' for none)")
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
        f: BinaryIO = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")  # noqa: SIM115
    except OSError as exc:
        err.write(f"asyncbolt inspect: cannot read {args.file}: {exc.strerror or exc}\n")
        return 2
    fmt: str | None = None
    try:
        with contextlib.ExitStack() as stack:
            if f is not sys.stdin.buffer:
                stack.enter_context(f)
            head, complete = _read_head(f)
            fmt = args.format or detect_format(head, complete)
            report = _Report(args, out, err, many=fmt in ("pcap", "pcapng"))
            try:
                read_stream(_Prefixed(head, f), report, fmt, args.port)
            finally:
                report.finish()
    except InputError as exc:
        err.write(f"asyncbolt inspect: {args.file}: unusable input: {exc}\n")
        return 2
    except OSError as exc:
        err.write(f"asyncbolt inspect: cannot read {args.file}: {exc.strerror or exc}\n")
        return 2
    err.write(f"asyncbolt inspect: {report.summary(fmt)}\n")
    return 1 if report.problems else 0


class _Prefixed:
    """A binary file whose first bytes were already read into ``head``."""

    def __init__(self, head: bytes, f: BinaryIO) -> None:
        self._head = head
        self._f = f

    def read(self, n: int = -1) -> bytes:
        if self._head:
            if n < 0 or n >= len(self._head):
                out, self._head = self._head, b""
                return out
            out, self._head = self._head[:n], self._head[n:]
            return out
        return self._f.read(n)


if __name__ == "__main__":
    sys.exit(main())
