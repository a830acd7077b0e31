"""The capture formats of ``asyncbolt inspect``: pcap and pcapng files, the TCP connections to
the Bolt port reassembled by sequence number, both directions, with the capture's damage
reported."""

from __future__ import annotations

import heapq
import struct
from collections.abc import Iterator
from dataclasses import dataclass

from asyncbolt.errors import InputError
from asyncbolt.tools import dump
from asyncbolt.tools.readers.base import _Sink

_PCAP_MAGICS = {b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d"}
_PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"


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
