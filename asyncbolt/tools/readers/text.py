"""The text formats of ``asyncbolt inspect``: hex (with ``C:``/``S:`` side marks) and Python
bytes literals as drivers' debug logs print them, read whole or incrementally."""

from __future__ import annotations

import ast
import codecs
import re
from collections.abc import Callable, Iterator

from asyncbolt.errors import InputError
from asyncbolt.tools import dump
from asyncbolt.tools.readers.base import BLOCK, _Sink

_BYTES_LITERAL = re.compile(r"""[bB][rR]?(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")""")
_SIDE_MARK = re.compile(r"(?:^|[\s\]>|])(C|S|client|server|CLIENT|SERVER)\s*:\s*$")
_HEX_SIDE = re.compile(r"^\s*(C|S|client|server|CLIENT|SERVER)\s*:\s*", re.ASCII)
_HEX_TOKEN = re.compile(r"0[xX]|[\s:,;]+")
_HEX_DIGITS = re.compile(r"^[0-9a-fA-F]*$")


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


class _TextInput:
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

    text = _TextInput()
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
