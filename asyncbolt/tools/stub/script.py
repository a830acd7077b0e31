"""Stub scripts: the parser (text -> :class:`Script`, an AST with line numbers).

The language is testkit's stub script language (see asyncbolt/stub/__init__.py for a summary):
a head of bang lines (``!: BOLT 4.4``, ``!: AUTO RESET``, ``!: ALLOW RESTART``, ...) and a
body of client lines (``C:``), server lines (``S:``), auto lines (``A:``, ``?:``, ``*:``,
``+:``), Python lines (``PY:``) and blocks: ``{{ }}`` (plain, or alternatives split by
``----``, or parallel lists split by ``++++``), ``{? ?}`` optional, ``{* *}`` repeat 0+,
``{+ +}`` repeat 1+, and ``IF:``/``ELIF:``/``ELSE:``. Comments are lines starting with ``#``.

Every error is a :class:`ScriptError` that names the file, the line and what is wrong.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Union

from asyncbolt._generated.versions import has
from asyncbolt.errors import ScriptError
from asyncbolt.tools.stub.values import JoltError, Wildcard, from_jolt

__all__ = [
    "Alt", "Auto", "Client", "Cond", "Node", "Opt", "Par", "Python", "Rep", "Script",
    "ScriptError", "Seq", "ServerLine", "parse_script",
]


# ------------------------------------------------------------------------------------------
# AST


@dataclass(eq=False)
class Client:
    """``C: NAME field...``: a request the client must send next."""

    line: int
    name: str
    fields: list[Any]
    text: str  # the line as written, after the marker

    def show(self) -> str:
        return f"C: {self.text}"


@dataclass(eq=False)
class Auto(Client):
    """``A: NAME field...``: like a client line, and the server answers it automatically."""

    def show(self) -> str:
        return f"A: {self.text}"


@dataclass(eq=False)
class ServerLine:
    """``S: NAME field...`` (a message) or ``S: <COMMAND> arg`` (kind is the command)."""

    line: int
    kind: str  # "MSG", "EXIT", "NOOP", "RAW", "SLEEP", "ASSERT ORDER"
    text: str
    name: str = ""
    fields: list[Any] = field(default_factory=list)
    arg: Any = None


@dataclass(eq=False)
class Python:
    """``PY: statement``: run in the script's shared namespace."""

    line: int
    code: str


@dataclass(eq=False)
class Seq:
    # Nodes; while a script plays, the player also queues its own steps in sequences (a pending
    # automatic reply, see stub/player.py), so the items are not only the parser's classes.
    items: list[Any]
    line: int = 0


@dataclass(eq=False)
class Alt:
    branches: list[Seq]
    line: int = 0


@dataclass(eq=False)
class Par:
    branches: list[Seq]
    line: int = 0


@dataclass(eq=False)
class Opt:
    body: Seq
    line: int = 0


@dataclass(eq=False)
class Rep:
    body: Seq
    min: int  # 0 or 1
    line: int = 0


@dataclass(eq=False)
class Cond:
    """``IF:``/``ELIF:`` conditions (Python expressions) with their blocks; ``ELSE:`` is the
    branch with condition None."""

    branches: list[tuple[str | None, Node]]
    line: int = 0


Node = Union[Client, ServerLine, Python, Seq, Alt, Par, Opt, Rep, Cond]  # noqa: UP007 - a runtime alias


@dataclass(eq=False)
class Script:
    """A parsed stub script."""

    version: tuple[int, int]
    body: Seq
    path: str | None = None
    auto: set[str] = field(default_factory=set)
    restart: bool = False
    concurrent: bool = False
    handshake: bytes | None = None
    handshake_delay: float | None = None
    python: list[str] = field(default_factory=list)
    text: str = ""

    @property
    def packstream(self) -> int:
        return 2 if has("element_ids", self.version) else 1


# ------------------------------------------------------------------------------------------
# Lexing: one token per non-blank, non-comment line

_MARKERS = ("!:", "C:", "S:", "A:", "?:", "*:", "+:", "PY:", "IF:", "ELIF:", "ELSE:")
_BRACES = ("{{", "}}", "----", "++++", "{?", "?}", "{*", "*}", "{+", "+}")


@dataclass
class _Tok:
    kind: str  # a marker, a brace, or "" for a continuation line
    text: str  # what follows the marker (stripped)
    line: int


def _lex(text: str, path: str | None) -> list[_Tok]:
    toks = []
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        for brace in _BRACES:
            if stripped == brace:
                toks.append(_Tok(brace, "", number))
                break
        else:
            for marker in _MARKERS:
                if stripped.startswith(marker):
                    toks.append(_Tok(marker, stripped[len(marker):].strip(), number))
                    break
            else:
                for brace in _BRACES:
                    if stripped.startswith(brace):
                        raise ScriptError(f"{brace!r} must be alone on its line", number, path)
                toks.append(_Tok("", stripped, number))
    return toks


# ------------------------------------------------------------------------------------------
# Parsing


_VERSION_RE = re.compile(r"^(\d+)(?:\.(\d+))?$")
_COMMAND_RE = re.compile(r"^<([^>]+)>(.*)$")


_MAX_NESTING = 100


def parse_script(text: str, path: str | os.PathLike[str] | None = None) -> Script:
    """Parse a stub script; raises :class:`ScriptError` (``path:line: what``)."""
    parser = _Parser(text, None if path is None else os.fspath(path))
    try:
        return parser.parse()
    except RecursionError:
        tok = parser.peek()
        raise ScriptError("blocks or values nested too deeply", tok.line if tok else None,
                          parser.path) from None


def _versions() -> dict[tuple[int, int], tuple[dict[str, int], dict[str, int]]]:
    from asyncbolt._generated.messages import REQUESTS, RESPONSES

    return {v: ({c.name: t for t, c in REQUESTS[v].items()},
                {c.name: t for t, c in RESPONSES[v].items()}) for v in REQUESTS}


class _Parser:
    def __init__(self, text: str, path: str | None) -> None:
        self.text = text
        self.path = path
        self.toks = _lex(text, path)
        self.pos = 0
        self.script: Script | None = None

    def error(self, what: str, line: int | None) -> ScriptError:
        return ScriptError(what, line, self.path)

    def peek(self) -> _Tok | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def parse(self) -> Script:
        version: tuple[int, int] | None = None
        opts: dict[str, Any] = {"auto": set(), "python": []}
        while (tok := self.peek()) is not None and tok.kind == "!:":
            self.pos += 1
            self._bang(tok, opts)
            if "version" in opts and version is None:
                version = opts["version"]
        if version is None:
            raise self.error('no "!: BOLT x.y" line: the script must say which Bolt version the '
                             "server speaks", self.toks[0].line if self.toks else None)
        self.tables = _versions()
        if version not in self.tables:
            known = ", ".join(f"{a}.{b}" for a, b in sorted(self.tables))
            raise self.error(f"Bolt {version[0]}.{version[1]} is not a Bolt version (known: "
                             f"{known})", opts["version_line"])
        self.version = version
        self.packstream = 2 if has("element_ids", version) else 1
        for name in opts["auto"]:
            if name not in self.tables[version][0]:
                raise self.error(f"AUTO {name}: Bolt {version[0]}.{version[1]} has no request "
                                 f"{name} (it has {', '.join(self.tables[version][0])})",
                                 opts["auto_lines"][name])
        body = self.block_list(())
        if (tok := self.peek()) is not None:
            raise self.error(f"unexpected {tok.kind!r}: no block is open here", tok.line)
        if not body.items:
            raise self.error("the script has no body (no C:, S: or other lines after the head)",
                             self.toks[-1].line if self.toks else None)
        _check(body, self.path)
        return Script(version=version, body=body, path=self.path, auto=opts["auto"],
                      restart=opts.get("restart", False) or opts.get("concurrent", False),
                      concurrent=opts.get("concurrent", False),
                      handshake=opts.get("handshake"), handshake_delay=opts.get("delay"),
                      python=opts["python"], text=self.text)

    def _bang(self, tok: _Tok, opts: dict[str, Any]) -> None:
        words = tok.text.split(None, 1)
        head = words[0] if words else ""
        arg = words[1].strip() if len(words) > 1 else ""
        if head == "BOLT":
            if "version" in opts:
                raise self.error("the Bolt version is given twice", tok.line)
            match = _VERSION_RE.match(arg)
            if not match:
                raise self.error(f"BOLT needs a version such as 4.4 or 5, got {arg!r}", tok.line)
            opts["version"] = (int(match.group(1)), int(match.group(2) or 0))
            opts["version_line"] = tok.line
        elif head == "AUTO":
            if not arg or " " in arg:
                raise self.error(f"AUTO needs one message name, got {arg!r}", tok.line)
            opts["auto"].add(arg)
            opts.setdefault("auto_lines", {})[arg] = tok.line
        elif re.fullmatch(r"ALLOW\s+RESTART", tok.text):
            opts["restart"] = True
        elif re.fullmatch(r"ALLOW\s+CONCURRENT", tok.text):
            opts["concurrent"] = True
        elif head == "HANDSHAKE":
            opts["handshake"] = self.hex(arg, tok.line, "HANDSHAKE")
        elif head == "HANDSHAKE_DELAY":
            try:
                delay = float(arg)
            except ValueError:
                delay = -1.0
            if not delay >= 0 or delay == float("inf"):
                raise self.error(f"HANDSHAKE_DELAY needs seconds >= 0, got {arg!r}", tok.line)
            opts["delay"] = delay
        elif head == "PY":
            self.compile(arg, tok.line, "exec")
            opts["python"].append(arg)
        else:
            raise self.error(f"unknown bang line {tok.text!r} (known: BOLT, AUTO, ALLOW RESTART,"
                             " ALLOW CONCURRENT, HANDSHAKE, HANDSHAKE_DELAY, PY)", tok.line)

    def hex(self, text: str, line: int, what: str) -> bytes:
        # Whitespace separates bytes, so "0 5 12 F" is 00 05 12 0F; a run of digits is split in
        # pairs ("0512F" would be odd: an error).
        out = bytearray()
        for word in text.split():
            if not re.fullmatch(r"[0-9a-fA-F]+", word):
                raise self.error(f"{what}: {word!r} is not hex", line)
            if len(word) == 1:
                word = "0" + word
            if len(word) % 2:
                raise self.error(f"{what}: {word!r} has an odd number of hex digits", line)
            out += bytes.fromhex(word)
        return bytes(out)

    def compile(self, code: str, line: int, mode: str) -> None:
        try:
            compile(code, f"{self.path or '<script>'}:{line}", mode)
        except SyntaxError as error:
            raise self.error(f"Python: {error.msg}: {code!r}", line) from None

    # -- blocks ---------------------------------------------------------------------------

    def block_list(self, ends: tuple[str, ...]) -> Seq:
        items: list[Node] = []
        first = self.peek()
        self.depth = getattr(self, "depth", 0) + 1
        if self.depth > _MAX_NESTING:
            raise self.error(f"blocks nested more than {_MAX_NESTING} deep",
                             first.line if first else None)
        while (tok := self.peek()) is not None and tok.kind not in ends:
            if tok.kind in ("}}", "----", "++++", "?}", "*}", "+}"):
                break
            if tok.kind in ("ELIF:", "ELSE:"):
                raise self.error(f"{tok.kind} without IF:", tok.line)
            if tok.kind == "!:":
                raise self.error("bang lines (!:) belong in the head, before the first C:/S: "
                                 "line", tok.line)
            items.extend(self.block())
        self.depth -= 1
        return Seq(items, first.line if first else 0)

    def block(self) -> list[Node]:
        """One grammar block: a C:/S: line with its continuation lines, or a brace block..."""
        tok = self.peek()
        assert tok is not None
        self.pos += 1
        kind = tok.kind
        if kind in ("C:", "S:"):
            lines = [self.message(kind, tok.text, tok.line)]
            while (nxt := self.peek()) is not None and nxt.kind == "":
                self.pos += 1
                lines.append(self.message(kind, nxt.text, nxt.line))
            return lines
        if kind == "":
            raise self.error(f"{tok.text!r}: a line without a marker continues a C: or S: "
                             "block, but none is open here", tok.line)
        if kind in ("A:", "?:", "*:", "+:"):
            auto = self.message("A:", tok.text, tok.line)
            body = Seq([auto], tok.line)
            if kind == "A:":
                return [auto]
            if kind == "?:":
                return [Opt(body, tok.line)]
            return [Rep(body, 0 if kind == "*:" else 1, tok.line)]
        if kind == "PY:":
            self.compile(tok.text, tok.line, "exec")
            return [Python(tok.line, tok.text)]
        if kind == "IF:":
            return [self.conditional(tok)]
        closers = {"{?": "?}", "{*": "*}", "{+": "+}"}
        if kind in closers:
            body = self.block_list((closers[kind],))
            self.close(closers[kind], tok)
            if not body.items:
                raise self.error(f"empty {kind} {closers[kind]} block", tok.line)
            if kind == "{?":
                return [Opt(body, tok.line)]
            return [Rep(body, 0 if kind == "{*" else 1, tok.line)]
        if kind == "{{":
            lists = [self.block_list(("}}", "----", "++++"))]
            seps = []
            while (nxt := self.peek()) is not None and nxt.kind in ("----", "++++"):
                seps.append(nxt)
                self.pos += 1
                lists.append(self.block_list(("}}", "----", "++++")))
            self.close("}}", tok)
            if {s.kind for s in seps} == {"----", "++++"}:
                raise self.error("a {{ }} block mixes ---- (alternatives) and ++++ (parallel)",
                                 tok.line)
            for branch in lists:
                if not branch.items:
                    raise self.error("empty branch in a {{ }} block", tok.line)
            if not seps:
                return [lists[0]]
            if seps[0].kind == "----":
                return [Alt(lists, tok.line)]
            return [Par(lists, tok.line)]
        raise self.error(f"unexpected {kind!r}: no block is open here", tok.line)

    def close(self, closer: str, opener: _Tok) -> None:
        tok = self.peek()
        if tok is None or tok.kind != closer:
            found = "the end of the script" if tok is None else f"{tok.kind or tok.text!r} " \
                                                                 f"(line {tok.line})"
            raise self.error(f"{opener.kind} is not closed: expected {closer}, found {found}",
                             opener.line)
        self.pos += 1

    def conditional(self, tok: _Tok) -> Cond:
        branches: list[tuple[str | None, Node]] = []
        cond: str | None = tok.text
        line = tok.line
        while True:
            if cond is not None:
                if not cond:
                    raise self.error("IF:/ELIF: needs a condition", line)
                self.compile(cond, line, "eval")
            following = self.peek()
            if following is None or following.kind in ("}}", "----", "++++", "?}", "*}",
                                                       "+}", "ELIF:", "ELSE:"):
                raise self.error("IF:/ELIF:/ELSE: needs a block after it", line)
            nodes = self.block()
            branches.append((cond, nodes[0] if len(nodes) == 1 else Seq(nodes, line)))
            nxt = self.peek()
            if cond is not None and nxt is not None and nxt.kind == "ELIF:":
                self.pos += 1
                cond, line = nxt.text, nxt.line
                continue
            if cond is not None and nxt is not None and nxt.kind == "ELSE:":
                self.pos += 1
                if nxt.text:
                    raise self.error(f"ELSE: takes no condition, got {nxt.text!r}", nxt.line)
                cond, line = None, nxt.line
                continue
            return Cond(branches, tok.line)

    # -- lines ----------------------------------------------------------------------------

    def message(self, kind: str, text: str, line: int) -> Any:
        if kind == "S:":
            command = _COMMAND_RE.match(text)
            if command:
                return self.command(command.group(1), command.group(2).strip(), text, line)
        parts = text.split(None, 1)
        if not parts:
            raise self.error(f"{kind} needs a message name", line)
        name = parts[0]
        raw = self.json_fields(parts[1] if len(parts) > 1 else "", line)
        requests, responses = self.tables[self.version]
        table = responses if kind == "S:" else requests
        if name not in table:
            side = "server" if kind == "S:" else "client"
            raise self.error(f"Bolt {self.version[0]}.{self.version[1]} has no {side} message "
                             f"{name} (it has {', '.join(table)})", line)
        try:
            fields = [from_jolt(f, self.packstream, wildcards=kind != "S:") for f in raw]
        except JoltError as error:
            raise self.error(f"{error}: {text}", line) from None
        if kind == "S:":
            return ServerLine(line, "MSG", text, name, fields)
        cls = Auto if kind == "A:" else Client
        return cls(line, name, fields, text)

    def json_fields(self, data: str, line: int) -> list[Any]:
        decoder = json.JSONDecoder()
        fields = []
        data = data.strip()
        while data:
            try:
                value, end = decoder.raw_decode(data)
            except json.JSONDecodeError as error:
                raise self.error(f"fields must be JSON values separated by spaces; "
                                 f"{error.msg} at {data[error.pos:error.pos + 20]!r}",
                                 line) from None
            fields.append(value)
            data = data[end:].lstrip()
        return fields

    def command(self, name: str, arg: str, text: str, line: int) -> ServerLine:
        if name in ("EXIT", "NOOP"):
            if arg:
                raise self.error(f"<{name}> takes no argument, got {arg!r}", line)
            return ServerLine(line, name, text)
        if name == "RAW":
            return ServerLine(line, name, text, arg=self.hex(arg, line, "<RAW>"))
        if name in ("SLEEP", "ASSERT ORDER"):
            if not arg and name == "ASSERT ORDER":
                return ServerLine(line, name, text, arg=1.0)
            try:
                seconds = float(arg)
            except ValueError:
                seconds = -1.0
            if not seconds >= 0 or seconds == float("inf"):
                raise self.error(f"<{name}> needs seconds >= 0, got {arg!r}", line)
            return ServerLine(line, name, text, arg=seconds)
        raise self.error(f"unknown server command <{name}> (known: <EXIT>, <NOOP>, <RAW>, "
                         "<SLEEP>, <ASSERT ORDER>)", line)


# ------------------------------------------------------------------------------------------
# Ambiguity checks: a block that may or may not be played cannot start with a server or Python
# line (the server could not know whether to send it), and nothing after such a block may.


def _first_line(node: Node) -> int:
    return getattr(node, "line", 0)


def _no_leading_action(node: Node, path: str | None, why: str) -> None:
    if isinstance(node, (ServerLine, Python)):
        what = "server line" if isinstance(node, ServerLine) else "Python line"
        raise ScriptError(f"a {what} cannot stand here: {why}", node.line, path)
    if isinstance(node, Seq) and node.items:
        _no_leading_action(node.items[0], path, why)
    elif isinstance(node, (Alt, Par)):
        for branch in node.branches:
            _no_leading_action(branch, path, why)
    elif isinstance(node, (Opt, Rep)):
        _no_leading_action(node.body, path, why)


def _deterministic_end(node: Node) -> bool:
    if isinstance(node, (Opt, Rep)):
        return False
    if isinstance(node, Seq):
        return not node.items or _deterministic_end(node.items[-1])
    if isinstance(node, (Alt, Par)):
        return all(_deterministic_end(b) for b in node.branches)
    if isinstance(node, Cond):
        return all(_deterministic_end(b) for _, b in node.branches)
    return True


def _check(node: Node, path: str | None) -> None:
    if isinstance(node, Seq):
        for prev, nxt in zip(node.items, node.items[1:], strict=False):
            if not _deterministic_end(prev):
                _no_leading_action(nxt, path, f"the block before it (line {_first_line(prev)}) "
                                   "may end at more than one point, so the server cannot know "
                                   "when to act; start with a C: line")
        for item in node.items:
            _check(item, path)
    elif isinstance(node, (Alt, Par)):
        kind = "alternative" if isinstance(node, Alt) else "parallel"
        for branch in node.branches:
            _no_leading_action(branch, path, f"each {kind} branch (block at line {node.line}) "
                               "must start with a client line, which picks it")
            _check(branch, path)
    elif isinstance(node, (Opt, Rep)):
        _no_leading_action(node.body, path, f"an optional or repeated block (line {node.line}) "
                           "must start with a client line, which decides whether it plays")
        _check(node.body, path)
    elif isinstance(node, Cond):
        for _, block in node.branches:
            _check(block, path)


def describe_pattern(value: Any) -> str:
    if isinstance(value, Wildcard):
        return repr(value)
    return json.dumps(value)
