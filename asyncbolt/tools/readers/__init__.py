"""The input readers of ``asyncbolt inspect``: raw wire bytes, hex, Python bytes literals
(:mod:`.text`), pcap and pcapng captures (:mod:`.pcap`); :func:`detect_format` tells them apart
and :func:`read_stream` reads any of them incrementally into a sink."""

from __future__ import annotations

import io

from asyncbolt.core.handshake import MAGIC
from asyncbolt.errors import InputError
from asyncbolt.tools import dump
from asyncbolt.tools.readers.base import (
    FORMATS,
    CapturedConnection,
    Readable,
    _blocks,
    _read_head,
    _Sink,
)
from asyncbolt.tools.readers.pcap import _PCAP_MAGICS, _PCAPNG_MAGIC, _read_capture
from asyncbolt.tools.readers.text import _BYTES_LITERAL, _read_text, parse_hex


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
    """Everything into :class:`CapturedConnection` objects (the whole-input API)."""

    def __init__(self) -> None:
        self.conns: dict[str, CapturedConnection] = {}
        self.capture: list[dump.Problem] = []

    def open(self, cid: str, label: str) -> None:
        self.conns[cid] = CapturedConnection(cid, label)

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


def parse_pcap(data: bytes, port: int = 7687) -> list[CapturedConnection]:
    """The Bolt connections (TCP to ``port``) of a pcap or pcapng capture, in memory (damage to
    the capture itself is attached to the first connection)."""
    sink = _Collect()
    _read_capture(iter([data]), "pcapng" if data[:4] == _PCAPNG_MAGIC else "pcap", sink, port)
    conns = [c for c in sink.conns.values() if c.pieces or c.problems]
    if sink.capture:
        if not conns:
            conns.append(CapturedConnection("", "capture"))
        conns[0].problems.extend(sink.capture)
    if not conns:
        raise InputError(f"no TCP payload to or from port {port} in the capture")
    return conns


def read_input(data: bytes, fmt: str | None = None, port: int = 7687) -> tuple[str, list[CapturedConnection]]:
    """Parse input bytes in memory: returns (format, connections). ``read_stream`` is the
    incremental form ``asyncbolt inspect`` uses."""
    sink = _Collect()
    fmt = read_stream(io.BytesIO(data), sink, fmt, port)
    conns = [c for c in sink.conns.values() if c.pieces or c.problems or fmt not in ("pcap", "pcapng")]
    if sink.capture:
        if not conns:
            conns.append(CapturedConnection("", "capture"))
        conns[0].problems.extend(sink.capture)
    return fmt, conns
