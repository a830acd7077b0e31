"""``asyncbolt inspect FILE``: decode and validate a captured Bolt conversation.

Input formats (auto-detected, or forced with ``--format``):

* ``raw``: the wire bytes of one direction;
* ``hex``: hex text (spaces, colons, commas, newlines and ``0x`` allowed); a line may start with
  ``C:`` or ``S:`` to say which side sent it;
* ``pybytes``: Python bytes literals, one per line, as drivers' debug logs print them
  (``b'\\x00\\x13\\xb2\\x10...'``), optionally after a ``C:``/``S:`` marker; other lines (the
  official driver's decoded ``C: HELLO {...}`` text) are skipped;
* ``pcap`` / ``pcapng``: the TCP connections to ``--port`` (default 7687), both directions
  reassembled by sequence number, one report per connection;
* a directory written by ``asyncbolt proxy --record DIR`` (every connection, both sides together
  in the order they passed) or ``DIR/N`` (connection N only): see
  :mod:`asyncbolt.tools.readers.recording`.

Every message becomes one line (offset, side, name, fields); every problem one line
``offset: path: reason``. Exit status: 0 valid, 1 problems found, 2 unusable input.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from typing import Any, BinaryIO, TextIO

from asyncbolt._generated.versions import VERSIONS
from asyncbolt.core.handshake import MAGIC, MANIFEST_V1
from asyncbolt.errors import InputError
from asyncbolt.tools import dump
from asyncbolt.tools.cli import budget_arg as _budget_arg

# The input readers live in asyncbolt.tools.readers; their names stay importable from here.
from asyncbolt.tools.readers import (
    detect_format,
    parse_pcap,
    read_input,
    read_stream,
)
from asyncbolt.tools.readers.base import (
    _GUESS_BYTES,
    BLOCK,
    FORMATS,
    CapturedConnection,
    Connection,
    Readable,
    Version,
    _read_head,
    _Sink,
)
from asyncbolt.tools.readers.pcap import (
    MAX_OPEN_CONNECTIONS,
    MAX_OUT_OF_ORDER,
    MAX_OUT_OF_ORDER_TOTAL,
    MAX_RECORD,
)
from asyncbolt.tools.readers.recording import find_recording, read_recording
from asyncbolt.tools.readers.text import parse_hex, parse_pybytes

__all__ = ["main", "InputError", "CapturedConnection", "Connection", "read_input", "read_stream",
           "detect_format", "parse_hex", "parse_pybytes", "parse_pcap", "FORMATS", "BLOCK", "Readable",
           "MAX_OPEN_CONNECTIONS", "MAX_OUT_OF_ORDER", "MAX_OUT_OF_ORDER_TOTAL", "MAX_RECORD"]


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

    def note(self, cid: str, text: str) -> None:
        self.conns[cid].notes.append(text)

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
            version, side, notes = _choose(pieces, args.bolt, args.side)
            conn.notes.extend(notes)
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
    parser.add_argument("file", help="the dump ('-' reads standard input), or a directory of "
                                     "'asyncbolt proxy --record DIR' (every connection, both sides "
                                     "together) or DIR/N (connection N)")
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
        recording = None if args.file == "-" else find_recording(args.file)
    except InputError as exc:
        err.write(f"asyncbolt inspect: {args.file}: {exc}\n")
        return 2
    if recording is not None:
        directory, ids = recording
        report = _Report(args, out, err, many=len(ids) > 1 or os.path.isdir(args.file))
        try:
            read_recording(directory, ids, report)
        finally:
            report.finish()
        err.write(f"asyncbolt inspect: {report.summary('recording')}\n")
        return 1 if report.problems else 0
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
