"""The ``asyncbolt proxy --record DIR`` directories as ``asyncbolt inspect`` reads them.

A recording holds, per connection ``N``, the client's stream ``N-client.bin``, the server's
``N-server.bin`` and the order the bytes passed in, ``N-order.txt`` (a line ``c BYTES`` or
``s BYTES`` per piece). Both streams go to the sink in that order, so the decoder sees (and
prints) both sides of the connection together, as they passed. A recording without the order
file (made before it existed) is put in request order instead: each request, then the server's
messages up to the summary that answers it (framing only; the decoder judges the contents).
Past damage to the order file, the rest of the client's stream goes first, then the server's.

What is wrong with the recording itself (a side missing, an order file that does not match the
streams) is reported to the sink as a problem of path ``recording``; nothing here raises but
:class:`~asyncbolt.errors.InputError` for a path that is no recording at all.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable
from typing import BinaryIO

from asyncbolt.codec.messages import Goodbye, Record
from asyncbolt.core.handshake import MANIFEST_V1
from asyncbolt.errors import InputError
from asyncbolt.tools import dump
from asyncbolt.tools.readers.base import BLOCK, _Sink

__all__ = ["find_recording", "read_recording", "RECORDING_FILE"]

#: The files ``asyncbolt proxy --record`` writes.
RECORDING_FILE = re.compile(r"(\d+)-(client\.bin|server\.bin|order\.txt)")
_ORDER_LINE = re.compile(rb"([cs]) (\d{1,12})")
_SIDES = {b"c": dump.CLIENT, b"s": dump.SERVER}
#: Longest line of an order file taken as one (longer is damage, not read whole).
_MAX_ORDER_LINE = 64
_HANDSHAKE = 20  # the client's magic and four proposals
_NO_REPLY = Goodbye.signature
_RECORD = Record.signature


def _ids(directory: str) -> list[int]:
    try:
        names = os.listdir(directory)
    except OSError as exc:
        raise InputError(f"cannot list the directory: {exc.strerror or exc}") from None
    found = {int(m.group(1)) for name in names
             if (m := RECORDING_FILE.fullmatch(name)) and m.group(2) != "order.txt"}
    return sorted(found)


def _span(ids: list[int]) -> str:
    shown = ", ".join(str(i) for i in ids[:10])
    return shown + (f" ... {ids[-1]}" if len(ids) > 10 else "")


def find_recording(path: str) -> tuple[str, list[int]] | None:
    """``(directory, connection ids)`` when ``path`` is a recording directory or ``DIR/N`` (one
    connection of one); None when it is neither a directory nor such a path (read it as a file).
    InputError for a directory that holds no recording, or ``DIR/N`` naming no connection."""
    if os.path.isdir(path):
        ids = _ids(path)
        if not ids:
            raise InputError("not a recording of 'asyncbolt proxy --record DIR': no N-client.bin "
                             "or N-server.bin file in the directory")
        return path, ids
    parent, name = os.path.split(path.rstrip("/\\"))
    if os.path.exists(path) or not name.isdigit() or not os.path.isdir(parent or "."):
        return None
    ids = _ids(parent or ".")
    if not ids:
        return None
    if int(name) not in ids:
        raise InputError(f"no connection {int(name)} in the recording (it holds {_span(ids)})")
    return parent or ".", [int(name)]


def read_recording(directory: str, ids: list[int], sink: _Sink) -> None:
    """Every connection ``ids`` of the recording in ``directory`` into ``sink``, one after the
    other (connection id ``str(N)``, label the directory and ``N``)."""
    for cid in ids:
        _read_connection(directory, cid, sink)


def _read_connection(directory: str, cid: int, sink: _Sink) -> None:
    ident = str(cid)
    sink.open(ident, os.path.join(directory, ident))

    found: list[dump.Problem] = []  # told after the data: the decoder settles on the streams first

    def problem(reason: str, side: str = "", offset: int = 0) -> None:
        found.append(dump.Problem(offset, "recording", reason, side))

    with contextlib.ExitStack() as stack:
        streams: dict[str, _RecordedSide] = {}
        for side in (dump.CLIENT, dump.SERVER):
            name = f"{cid}-{side}.bin"
            try:
                f = stack.enter_context(open(os.path.join(directory, name), "rb"))
            except FileNotFoundError:
                problem(f"{name} is missing: the {side}'s side of the connection is not in the recording")
                f = None
            except OSError as exc:
                problem(f"cannot read {name}: {exc.strerror or exc}")
                f = None
            streams[side] = _RecordedSide(f, side)
        one_side = [s for s in streams.values() if s.f is None]  # then a one-direction dump

        def emit(side: str, data: bytes) -> None:
            sink.data(ident, None if one_side else side, data)
        for stream in streams.values():
            stream.emit = emit
        order_name = f"{cid}-order.txt"
        try:
            order = stack.enter_context(open(os.path.join(directory, order_name), "rb"))
        except FileNotFoundError:
            order = None
        except OSError as exc:
            problem(f"cannot read {order_name}: {exc.strerror or exc}; the sides are shown in request order")
            order = None
        client, server = streams[dump.CLIENT], streams[dump.SERVER]
        if order is None:
            if not one_side:
                sink.note(ident, f"no {order_name} (a recording older than it): the server's answers "
                                 "are shown after the requests they answer")
            _in_request_order(client, server)
        elif _in_order(order, order_name, streams, problem):
            unlisted = [f"{_size(s) - s.pos} bytes of the {s.name}'s"
                        for s in (client, server) if s.f is not None and _size(s) > s.pos]
            if unlisted:
                problem(f"{order_name} does not list the last {' and '.join(unlisted)} stream (the "
                        "recording was cut short): they are shown after the rest")
        for stream in (client, server):  # what is left: all of it, the client's first
            while stream.take(BLOCK):
                pass
    for p in found:
        sink.problem(ident, p)
    sink.end(ident)


def _in_order(order: BinaryIO, name: str, streams: dict[str, _RecordedSide],
              problem: Callable[..., None]) -> bool:
    """Feed both streams as the order file says; False when it is damaged (the caller then
    feeds the rest of each stream as it is), with a problem saying where and why."""
    for number in range(1, 1 << 62):
        line = order.readline(_MAX_ORDER_LINE)
        if not line:
            return True
        text = line.rstrip(b"\r\n")
        match = _ORDER_LINE.fullmatch(text)
        if match is None:
            if not line.endswith(b"\n") and len(line) < _MAX_ORDER_LINE and _ORDER_LINE.fullmatch(text + b"0"):
                return True  # the last line cut short while it was written: what it lists follows anyway
            shown = text[:40].decode("ascii", "backslashreplace")
            problem(f"{name} line {number}: {shown!r} is not 'c BYTES' or 's BYTES': from there on, "
                    "the rest of the client's stream is shown, then the rest of the server's")
            return False
        side = _SIDES[match.group(1)]
        size = int(match.group(2))
        stream = streams[side]
        if stream.f is None:  # (said already: the file is missing)
            continue
        got = stream.take(size)
        if got < size:
            problem(f"{name} line {number} lists {size} bytes of the {side}'s stream from offset "
                    f"{stream.pos - got}, but {stream.file_name} ends after {got}: "
                    "the stream was cut short", side, stream.pos)
            return False
    return True  # pragma: no cover - a file of 2**62 lines


def _size(stream: _RecordedSide) -> int:
    try:
        return os.fstat(stream.f.fileno()).st_size if stream.f is not None else 0
    except (OSError, AttributeError, ValueError):
        return stream.pos


def _in_request_order(client: _RecordedSide, server: _RecordedSide) -> None:
    """Each request, then the server's messages up to and including the summary answering it."""
    client.take(_HANDSHAKE)
    answer = server.take_bytes(4)
    if answer == MANIFEST_V1:  # the manifest handshake: offers, then the client's choice
        count = server.varint()
        if count is None or count > 1024 or server.take(4 * count) < 4 * count or server.varint() is None:
            return
        if client.take(4) < 4 or client.varint() is None:
            return
    elif len(answer) < 4:
        return
    while True:
        signature = client.message()
        if signature is None:
            return
        if signature == _NO_REPLY:
            continue
        while True:
            signature = server.message()
            if signature != _RECORD:
                break
        if signature is None:
            return


class _RecordedSide:
    """One side's file, read forward, every byte read handed to ``emit`` (in pieces of at most
    :data:`BLOCK` bytes) at once: memory is one chunk, whatever the recording."""

    def __init__(self, f: BinaryIO | None, name: str) -> None:
        self.f = f
        self.name = name
        self.file_name = os.path.basename(str(getattr(f, "name", name)))
        self.emit: Callable[[str, bytes], None] = lambda side, data: None
        self.pos = 0  # bytes read (and emitted)

    def take_bytes(self, n: int) -> bytes:
        """Up to ``n`` bytes (n small), emitted and returned."""
        if self.f is None or n <= 0:
            return b""
        data = self.f.read(n)
        if data:
            self.pos += len(data)
            self.emit(self.name, data)
        return data

    def take(self, n: int) -> int:
        """Emit up to ``n`` bytes; how many there were."""
        done = 0
        while done < n:
            got = len(self.take_bytes(min(BLOCK, n - done)))
            if not got:
                break
            done += got
        return done

    def varint(self) -> int | None:
        value = 0
        for shift in range(0, 70, 7):
            byte = self.take_bytes(1)
            if not byte:
                return None
            value |= (byte[0] & 0x7F) << shift
            if not byte[0] & 0x80:
                return value
        return None

    def message(self) -> int | None:
        """Emit the next message (and the NOOPs before it); its signature, or None at the end
        of the stream (or a message too short to have one)."""
        head = bytearray()
        while True:
            size = self.take_bytes(2)
            if len(size) < 2:
                return None
            n = int.from_bytes(size, "big")
            if n == 0:
                if head:
                    return head[1] if len(head) >= 2 else None
                continue  # a NOOP before the message
            if len(head) < 2:
                part = self.take_bytes(min(n, 2 - len(head)))
                if not part:
                    return None
                head += part
                n -= len(part)
            if self.take(n) < n:
                return None
