"""What the input readers of ``asyncbolt inspect`` share: the connections they find, the sink
they report to, and reading the input in blocks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from asyncbolt.tools import dump

Version = tuple[int, int]
FORMATS = ("raw", "hex", "pybytes", "pcap", "pcapng")
_GUESS_BYTES = 64 * 1024  # bytes read to detect the format


@dataclass
class CapturedConnection:
    """One Bolt connection found in the input: pieces of bytes in the order they were seen."""

    ident: str = ""
    label: str = ""
    #: (side or None when the input does not say, bytes)
    pieces: list[tuple[str | None, bytes]] = field(default_factory=list)
    #: Capture damage (TCP gaps) found while reassembling, per side.
    problems: list[dump.Problem] = field(default_factory=list)




#: The name it had in asyncbolt.tools.inspect until 0.1.
Connection = CapturedConnection

#: Bytes read from the input at a time (and the most fed to a decoder at once).
BLOCK = 256 * 1024


class _Sink:
    """Where the readers put what they find (``_Report`` prints it)."""

    def open(self, cid: str, label: str) -> None: ...
    def data(self, cid: str, side: str | None, data: bytes) -> None: ...
    def end(self, cid: str) -> None: ...
    def problem(self, cid: str | None, problem: dump.Problem) -> None: ...
    def note(self, cid: str, text: str) -> None: ...


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
