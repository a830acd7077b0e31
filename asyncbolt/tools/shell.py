"""``asyncbolt query`` and ``asyncbolt shell``: a small cypher-shell on asyncbolt's client.

    asyncbolt query bolt://localhost:7687 'MATCH (p:Person) RETURN p.name AS name LIMIT $n' --param n=3
    asyncbolt query bolt://localhost:7687 'RETURN 1 AS x' --format json       # or csv; default table
    asyncbolt shell bolt://localhost:7687 --user neo4j --password secret

Credentials: ``--user``/``--password``, else the ``NEO4J_USER``/``NEO4J_PASSWORD`` environment
variables, else none. ``--param k=v``: ``v`` is read as JSON when it parses (``n=3``,
``names='["a","b"]'``), as a string otherwise.

The shell reads statements ending in ``;`` (several lines each if you like), keeps a history
(``~/.asyncbolt_history``) when readline is available, and knows ``:begin``, ``:commit``,
``:rollback``, ``:param k=v``, ``:params``, ``:format table|json|csv``, ``:help`` and ``:exit``.
Piped input runs as a script and stops at the first failing statement (exit code 1).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import csv
import getpass
import json
import math
import os
import re
import sys
import time
from typing import Any, TextIO

from asyncbolt.codec import structures as _s
from asyncbolt.errors import BoltError, Neo4jError

__all__ = ["main_query", "main_shell", "format_value", "to_json", "render_table",
           "split_statements", "parse_param", "describe_counters"]

FORMATS = ("table", "json", "csv")
HISTORY = "~/.asyncbolt_history"

# -- values as text ------------------------------------------------------------------------

_BARE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _key(k: str) -> str:
    return k if _BARE_KEY.match(k) else "`" + k.replace("`", "``") + "`"


def _map(m: dict) -> str:
    return "{" + ", ".join(f"{_key(str(k))}: {format_value(v)}" for k, v in m.items()) + "}"


def _entity(prefix: str, props: dict) -> str:
    return prefix + (" " + _map(props) if props else "")


def _node(n: Any) -> str:
    return "(" + _entity("".join(":" + _key(label) for label in n.labels), n.properties) + ")"


def _rel(r: Any) -> str:
    return "[" + _entity(":" + _key(r.type), r.properties) + "]"


def _path(p: Any) -> str:
    if not p.nodes:
        return "<empty path>"
    out = [_node(p.nodes[0])]
    for i in range(0, len(p.indices) - 1, 2):
        ri, ni = p.indices[i], p.indices[i + 1]
        rel = _rel(p.relationships[abs(ri) - 1])
        out.append(f"-{rel}->" if ri > 0 else f"<-{rel}-")
        out.append(_node(p.nodes[ni]))
    return "".join(out)


def _fraction(ns: int) -> str:
    return ("." + f"{ns:09d}".rstrip("0")) if ns else ""


def _duration(d: Any) -> str:
    out = "P"
    years, months = divmod(d.months, 12) if d.months >= 0 else (0, d.months)
    if years:
        out += f"{years}Y"
    if months:
        out += f"{months}M"
    if d.days:
        out += f"{d.days}D"
    seconds, ns = d.seconds, d.nanoseconds
    if seconds or ns or out == "P":
        hours, rest = divmod(abs(seconds), 3600)
        minutes, secs = divmod(rest, 60)
        sign = "-" if seconds < 0 else ""
        out += "T"
        if hours:
            out += f"{sign}{hours}H"
        if minutes:
            out += f"{sign}{minutes}M"
        if secs or ns or not (hours or minutes):
            out += f"{sign}{secs}{_fraction(ns)}S"
    return out


def _temporal(v: Any) -> str | None:
    """ISO 8601 for a Bolt temporal structure (or a datetime value), None if not one."""
    name = type(v).__name__
    try:
        if name == "Duration":
            return _duration(v)
        if name in ("Date", "date"):
            native = v.to_native() if hasattr(v, "to_native") else v
            return native.isoformat()
        ns = getattr(v, "nanoseconds", 0) or 0
        if name in ("LocalTime", "Time"):
            t = v.to_native()
            return (t.strftime("%H:%M:%S") + _fraction(ns % 1_000_000_000)
                    + (_offset(t.utcoffset()) if name == "Time" else ""))
        if name in ("LocalDateTime", "DateTime", "DateTimeZoneId", "LegacyDateTime",
                    "LegacyDateTimeZoneId"):
            d = v.to_native()
            text = d.replace(microsecond=0, tzinfo=None).isoformat() + _fraction(ns)
            if name == "LocalDateTime":
                return text
            text += _offset(d.utcoffset())
            return text + (f"[{v.tz_id}]" if hasattr(v, "tz_id") else "")
    except (ValueError, OverflowError, AttributeError):
        return None
    return None


def _offset(off: Any) -> str:
    if off is None:
        return ""
    total = int(off.total_seconds())
    if total == 0:
        return "Z"
    sign = "+" if total > 0 else "-"
    hours, rest = divmod(abs(total), 3600)
    return f"{sign}{hours:02d}:{rest // 60:02d}"


def format_value(v: Any) -> str:
    """A value as Cypher-like text, as cypher-shell shows it."""
    if v is None:
        return "NULL"
    if v is True:
        return "TRUE"
    if v is False:
        return "FALSE"
    if isinstance(v, str):
        return _quote(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return repr(v)
    if isinstance(v, (bytes, bytearray)):
        return "0x" + bytes(v).hex()
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(format_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return _map(v)
    if isinstance(v, _s.Node):
        return _node(v)
    if isinstance(v, _s.Relationship):
        return _rel(v)
    if isinstance(v, _s.Path):
        return _path(v)
    if isinstance(v, (_s.Point2D, _s.Point3D)):
        coords = ", ".join(f"{c}: {getattr(v, c)!r}" for c in ("x", "y", "z") if hasattr(v, c))
        return f"point({{srid: {v.srid}, {coords}}})"
    if isinstance(v, _s.Vector):
        try:
            return f"vector({v.to_list()!r}, {v.element_type})"
        except ValueError:
            return repr(v)
    text = _temporal(v)
    return text if text is not None else repr(v)


def to_json(v: Any) -> Any:
    """A value as plain JSON data: graph entities as objects, temporal values as ISO strings."""
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else str(v)
    if isinstance(v, (bytes, bytearray)):
        return base64.b64encode(bytes(v)).decode("ascii")
    if isinstance(v, (list, tuple)):
        return [to_json(x) for x in v]
    if isinstance(v, dict):
        return {str(k): to_json(x) for k, x in v.items()}
    if isinstance(v, _s.Node):
        return {"id": v.id, "element_id": v.element_id, "labels": list(v.labels),
                "properties": to_json(v.properties)}
    if isinstance(v, _s.Relationship):
        return {"id": v.id, "element_id": v.element_id, "type": v.type,
                "start": v.start_node_element_id or v.start_node_id,
                "end": v.end_node_element_id or v.end_node_id, "properties": to_json(v.properties)}
    if isinstance(v, _s.Path):
        rels = []
        for i in range(0, len(v.indices) - 1, 2):
            ri = v.indices[i]
            rel = v.relationships[abs(ri) - 1]
            a = v.nodes[0 if i == 0 else v.indices[i - 1]]
            b = v.nodes[v.indices[i + 1]]
            start, end = (a, b) if ri > 0 else (b, a)
            rels.append({"id": rel.id, "element_id": rel.element_id, "type": rel.type,
                         "start": start.element_id or start.id, "end": end.element_id or end.id,
                         "properties": to_json(rel.properties)})
        order = [v.nodes[0]] + [v.nodes[v.indices[i]] for i in range(1, len(v.indices), 2)] if v.nodes else []
        return {"nodes": [to_json(n) for n in order], "relationships": rels}
    if isinstance(v, (_s.Point2D, _s.Point3D)):
        return {k: getattr(v, k) for k in ("srid", "x", "y", "z") if hasattr(v, k)}
    if isinstance(v, _s.Vector):
        try:
            return v.to_list()
        except ValueError:
            return repr(v)
    text = _temporal(v)
    return text if text is not None else repr(v)


# -- output formats ------------------------------------------------------------------------


def render_table(keys: list[str], rows: list[list[Any]]) -> str:
    """cypher-shell's table: a header, the rows, a line around them."""
    cells = [[format_value(v) for v in row] for row in rows]
    widths = [len(k) for k in keys]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    inner = sum(w + 3 for w in widths) - 1 if widths else 0
    line = "+" + "-" * inner + "+"

    def fmt(values: list[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    out = [line, fmt(keys), line, *(fmt(row) for row in cells)]
    if cells:
        out.append(line)
    return "\n".join(out)


class _Printer:
    """Prints one result in a format, streaming where the format allows."""

    def __init__(self, fmt: str, out: TextIO) -> None:
        self.fmt = fmt
        self.out = out
        self.rows: list[list[Any]] = []
        self.count = 0
        self.keys: list[str] = []
        self._csv: Any = None

    def start(self, keys: list[str]) -> None:
        self.keys = keys
        if self.fmt == "csv" and keys:
            self._csv = csv.writer(self.out, lineterminator="\n")
            self._csv.writerow(keys)
        elif self.fmt == "json":
            self.out.write("[")

    def row(self, values: list[Any]) -> None:
        if self.fmt == "table":
            self.rows.append(values)
        elif self.fmt == "csv":
            self._csv.writerow(["" if v is None else v if isinstance(v, str) else format_value(v)
                                for v in values])
        else:
            record = {k: to_json(v) for k, v in zip(self.keys, values, strict=True)}
            self.out.write(("\n  " if self.count == 0 else ",\n  ")
                           + json.dumps(record, ensure_ascii=False))
        self.count += 1

    def end(self, counters: Any = None) -> None:
        if self.fmt == "table":
            if self.keys:
                self.out.write(render_table(self.keys, self.rows) + "\n\n")
            self.out.write(f"{self.count} row{'' if self.count == 1 else 's'}\n")
            changes = describe_counters(counters)
            if changes:
                self.out.write(changes + "\n")
        elif self.fmt == "json":
            self.out.write("\n]\n" if self.count else "]\n")
        self.out.flush()


#: The summary's counters as cypher-shell words them, in its order.
_CHANGES = [("nodes_created", "Added {} nodes"), ("nodes_deleted", "Deleted {} nodes"),
            ("relationships_created", "Created {} relationships"),
            ("relationships_deleted", "Deleted {} relationships"), ("properties_set", "Set {} properties"),
            ("labels_added", "Added {} labels"), ("labels_removed", "Removed {} labels"),
            ("indexes_added", "Added {} indexes"), ("indexes_removed", "Removed {} indexes"),
            ("constraints_added", "Added {} constraints"), ("constraints_removed", "Removed {} constraints")]


def describe_counters(counters: Any) -> str:
    """``Added 1 nodes, Set 2 properties, ...`` (as cypher-shell), or "" when nothing changed."""
    if counters is None:
        return ""
    return ", ".join(text.format(getattr(counters, name)) for name, text in _CHANGES
                     if getattr(counters, name, 0))


# -- input ---------------------------------------------------------------------------------


def split_statements(text: str) -> tuple[list[str], str]:
    """Complete statements (ending in ``;`` outside strings and comments) and the rest."""
    statements: list[str] = []
    start = i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c in "'\"`":
            i += 1
            while i < n and text[i] != c:
                i += 2 if (text[i] == "\\" and c != "`") else 1
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif c == ";":
            statement = text[start:i].strip()
            if statement:
                statements.append(statement)
            start = i = i + 1
        else:
            i += 1
    return statements, text[start:]


_COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)


def _blank(text: str) -> bool:
    """Nothing but whitespace and comments (so a ``:command`` may follow)."""
    return not _COMMENTS.sub("", text).strip()


def parse_param(item: str) -> tuple[str, Any]:
    """``k=v`` (or ``k => v``): ``v`` as JSON when it parses, as a string otherwise."""
    m = re.match(r"^\s*\$?([^=\s]+)\s*(?:=>|=|:)\s*(.*)$", item, re.S)
    if not m:
        raise ValueError(f"a parameter is name=value, not {item!r}")
    name, raw = m.group(1), m.group(2)
    try:
        return name, json.loads(raw)
    except ValueError:
        return name, raw


def _credentials(user: str | None, password: str | None, interactive: bool) -> Any:
    user = user if user is not None else os.environ.get("NEO4J_USER") or os.environ.get("NEO4J_USERNAME")
    password = password if password is not None else os.environ.get("NEO4J_PASSWORD")
    if user is None and password is None:
        return None
    if user is None:
        user = "neo4j"
    if password is None:
        password = getpass.getpass(f"password for {user}: ") if interactive else ""
    return (user, password)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("-u", "--user", help="user name (default: $NEO4J_USER; none: no auth)")
    p.add_argument("-p", "--password", help="password (default: $NEO4J_PASSWORD)")
    p.add_argument("-d", "--db", "--database", dest="db", help="database name (default: the server's)")
    p.add_argument("--format", choices=FORMATS, default="table", help="output format (default table)")


def _address(uri: str, prog: str, err: TextIO) -> str | None:
    """The Bolt URI to connect to, or None after one line on ``err`` saying what to type.

    A bare ``host[:port]`` (what cypher-shell's ``-a`` takes) means ``bolt://host[:port]``."""
    from asyncbolt.client.connect import parse_uri
    from asyncbolt.security import redact_uri

    if "://" not in uri:
        uri = f"bolt://{uri}"
    try:
        parse_uri(uri)
    except ValueError as exc:
        why = str(exc)
        if why.startswith("Port could not"):  # urllib's
            why = "the port is not a number"
        if redact_uri(uri) not in why:
            why += f" in {redact_uri(uri)!r}"
        if "use one of" not in why:
            why += "; write bolt://HOST:PORT (or neo4j://, bolt+s://)"
        err.write(f"{prog}: {why}\n")
        return None
    return uri


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, Neo4jError):
        return f"{exc.code}: {exc.message}"
    return f"{type(exc).__name__}: {exc}"


async def _print_result(result: Any, printer: _Printer) -> Any:
    printer.start(await result.keys())
    async for record in result:
        printer.row(record.values())
    summary = await result.consume()
    printer.end(summary.counters)
    return summary


# -- asyncbolt query ----------------------------------------------------------------------


def main_query(argv: list[str] | None = None, *, stdout: TextIO | None = None,
               stderr: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    p = argparse.ArgumentParser(prog="asyncbolt query",
                                description="Run one Cypher statement against a Bolt server and print the result.")
    p.add_argument("uri", help="bolt://host:port, bolt+s://, neo4j://...")
    p.add_argument("query", help="the statement ('-' reads it from standard input)")
    p.add_argument("-P", "--param", action="append", default=[], metavar="NAME=VALUE",
                   help="a query parameter (VALUE is JSON if it parses, else a string); repeatable")
    _common(p)
    args = p.parse_args(argv)
    query = sys.stdin.read() if args.query == "-" else args.query
    try:
        params = dict(parse_param(item) for item in args.param)
    except ValueError as exc:
        p.error(str(exc))
    uri = _address(args.uri, "asyncbolt query", err)
    if uri is None:
        return 2
    auth = _credentials(args.user, args.password, sys.stdin.isatty())

    async def go() -> int:
        import asyncbolt

        try:
            conn = await asyncbolt.connect(uri, auth=auth)
        except (BoltError, OSError, ValueError) as exc:
            err.write(f"asyncbolt query: cannot connect to {uri}: {_error_text(exc)}\n")
            return 1
        try:
            result = await conn.run(query, params, db=args.db)
            await _print_result(result, _Printer(args.format, out))
            return 0
        except (BoltError, OSError) as exc:
            err.write(f"asyncbolt query: {_error_text(exc)}\n")
            return 1
        finally:
            await conn.close()

    return asyncio.run(go())


# -- asyncbolt shell ----------------------------------------------------------------------

_HELP = """\
Statements end with ';' and may span lines. Commands:
  :begin            open an explicit transaction        :commit / :rollback  end it
  :param NAME=VALUE set a parameter (VALUE as JSON)     :params              list them (:params clear)
  :format FORMAT    table, json or csv                  :help                this text
  :exit             leave (Ctrl-D too)"""


class Shell:
    """The interactive loop's state; one connection, optionally one open transaction."""

    def __init__(self, conn: Any, *, db: str | None, fmt: str, out: TextIO, err: TextIO,
                 interactive: bool) -> None:
        self.conn = conn
        self.db = db
        self.fmt = fmt
        self.out = out
        self.err = err
        self.interactive = interactive
        self.tx: Any = None
        self.params: dict[str, Any] = {}

    @property
    def prompt(self) -> str:
        return "asyncbolt# " if self.tx is not None else "asyncbolt> "

    async def execute(self, statement: str) -> bool:
        started = time.monotonic()
        try:
            if self.tx is not None:
                result = await self.tx.run(statement, self.params)
            else:
                result = await self.conn.run(statement, self.params, db=self.db)
            await _print_result(result, _Printer(self.fmt, self.out))
        except Neo4jError as exc:
            self.err.write(_error_text(exc) + "\n")
            if self.tx is not None:
                try:
                    await self.tx.rollback()
                finally:
                    self.tx = None
                self.err.write("(the transaction failed and was rolled back)\n")
            return False
        if self.interactive:
            self.out.write(f"({(time.monotonic() - started) * 1000:.0f} ms)\n")
        return True

    async def command(self, line: str) -> bool | None:
        """Run a ``:command``; None means exit."""
        name, _, rest = line.strip().partition(" ")
        name, rest = name.lower(), rest.strip()
        if name in (":exit", ":quit", ":q"):
            return None
        if name == ":help":
            self.out.write(_HELP + "\n")
        elif name == ":begin":
            if self.tx is not None:
                self.err.write("a transaction is already open\n")
                return False
            self.tx = await self.conn.begin(db=self.db)
        elif name in (":commit", ":rollback"):
            if self.tx is None:
                self.err.write(f"there is no open transaction to {name[1:]}\n")
                return False
            tx, self.tx = self.tx, None
            if name == ":commit":
                bookmark = await tx.commit()
                self.out.write(f"committed{f' (bookmark {bookmark})' if bookmark else ''}\n")
            else:
                await tx.rollback()
                self.out.write("rolled back\n")
        elif name == ":param":
            try:
                key, value = parse_param(rest)
            except ValueError as exc:
                self.err.write(f"{exc}\n")
                return False
            self.params[key] = value
        elif name == ":params":
            if rest == "clear":
                self.params.clear()
            for key, value in self.params.items():
                self.out.write(f":param {key} => {format_value(value)}\n")
        elif name == ":format":
            if rest not in FORMATS:
                self.err.write(f"formats: {', '.join(FORMATS)}\n")
                return False
            self.fmt = rest
        else:
            self.err.write(f"unknown command {name}; :help lists them\n")
            return False
        self.out.flush()
        return True

    async def close(self) -> None:
        if self.tx is not None:
            try:
                await self.tx.rollback()
            except BoltError:
                pass
            self.tx = None
        await self.conn.close()


def _readline_setup() -> Any:
    try:
        import readline
    except ImportError:  # pragma: no cover - Windows without pyreadline
        return None
    path = os.path.expanduser(os.environ.get("ASYNCBOLT_HISTORY", HISTORY))
    try:
        readline.read_history_file(path)
    except OSError:
        pass
    readline.set_history_length(1000)
    return path


def main_shell(argv: list[str] | None = None, *, stdin: TextIO | None = None,
               stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    inp = stdin or sys.stdin
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    p = argparse.ArgumentParser(prog="asyncbolt shell", description="An interactive Cypher shell.")
    p.add_argument("uri", nargs="?", default=os.environ.get("NEO4J_URI", "bolt://localhost:7687"),
                   help="bolt://host:port, bolt+s://, neo4j://... (default $NEO4J_URI or bolt://localhost:7687)")
    _common(p)
    args = p.parse_args(argv)
    interactive = stdin is None and inp.isatty()
    uri = _address(args.uri, "asyncbolt shell", err)
    if uri is None:
        return 2
    auth = _credentials(args.user, args.password, interactive)

    loop = asyncio.new_event_loop()
    shell: Shell | None = None
    try:
        import asyncbolt

        try:
            conn = loop.run_until_complete(asyncbolt.connect(uri, auth=auth))
        except (BoltError, OSError, ValueError) as exc:
            err.write(f"asyncbolt shell: cannot connect to {uri}: {_error_text(exc)}\n")
            return 1
        shell = Shell(conn, db=args.db, fmt=args.format, out=out, err=err, interactive=interactive)
        if interactive:
            major, minor = conn.protocol_version
            out.write(f"Connected to {uri} ({conn.server_agent}, Bolt {major}.{minor})"
                      f"{f' as {auth[0]}' if auth else ''}.\n"
                      "Statements end with ';'. :help for commands, :exit to leave.\n")
            return _interactive(loop, shell)
        return _script(loop, shell, inp)
    finally:
        try:
            if shell is not None:
                loop.run_until_complete(shell.close())
        except (BoltError, OSError):
            pass
        loop.close()


def _script(loop: asyncio.AbstractEventLoop, shell: Shell, inp: TextIO) -> int:
    """Piped input: run each statement and command in order; stop at the first failure."""
    buffer = ""
    for line in inp:
        if _blank(buffer) and line.strip().startswith(":"):
            buffer = ""
            try:
                done = loop.run_until_complete(shell.command(line))
            except (BoltError, OSError) as exc:
                shell.err.write(_error_text(exc) + "\n")
                return 1
            if done is None:
                return 0
            if done is False:
                return 1
            continue
        statements, buffer = split_statements(buffer + line)
        for statement in statements:
            try:
                if not loop.run_until_complete(shell.execute(statement)):
                    return 1
            except (BoltError, OSError) as exc:
                shell.err.write(_error_text(exc) + "\n")
                return 1
    if not _blank(buffer):
        try:
            return 0 if loop.run_until_complete(shell.execute(buffer.strip())) else 1
        except (BoltError, OSError) as exc:
            shell.err.write(_error_text(exc) + "\n")
            return 1
    return 0


def _interactive(loop: asyncio.AbstractEventLoop, shell: Shell) -> int:
    history = _readline_setup()
    buffer = ""
    try:
        while True:
            try:
                line = input(shell.prompt if not buffer else " " * (len(shell.prompt) - 2) + "> ")
            except EOFError:
                shell.out.write("\n")
                return 0
            except KeyboardInterrupt:
                shell.out.write("\n")
                buffer = ""
                continue
            if _blank(buffer) and line.strip().startswith(":"):
                buffer = ""
                try:
                    if loop.run_until_complete(shell.command(line)) is None:
                        return 0
                except (BoltError, OSError) as exc:
                    shell.err.write(_error_text(exc) + "\n")
                continue
            statements, buffer = split_statements(buffer + line + "\n")
            if _blank(buffer):
                buffer = ""
            for statement in statements:
                try:
                    loop.run_until_complete(shell.execute(statement))
                except KeyboardInterrupt:
                    shell.err.write("interrupted\n")
                    try:
                        loop.run_until_complete(shell.conn.reset())
                    except (BoltError, OSError):
                        pass
                    shell.tx = None
                except (BoltError, OSError) as exc:
                    shell.err.write(_error_text(exc) + "\n")
                    if shell.conn.closed:
                        return 1
    finally:
        if history is not None:
            try:
                import readline

                readline.write_history_file(history)
            except OSError:
                pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main_shell())
