"""``asyncbolt query`` and ``asyncbolt shell``: a small cypher-shell on asyncbolt's client.

    asyncbolt query bolt://localhost:7687 'MATCH (p:Person) RETURN p.name AS name LIMIT $n' --param n=3
    asyncbolt query bolt://localhost:7687 'RETURN 1 AS x' --format json       # or csv; default table
    asyncbolt shell bolt://localhost:7687 --user neo4j --password secret

Credentials: ``--user``/``--password``, else the ``NEO4J_USER``/``NEO4J_PASSWORD`` environment
variables, else none. ``--param k=v``: ``v`` is read as JSON when it parses (``n=3``,
``names='["a","b"]'``), as a string otherwise.

The shell reads statements ending in ``;`` (several lines each if you like) and knows
``:begin``, ``:commit``, ``:rollback``, ``:param k=v``, ``:params``, ``:format table|json|csv``,
``:use DB`` (the database of what follows; the prompt shows it), ``:history`` (``:history all``),
``:help`` and ``:exit``. Interactive sessions keep their history in ``~/.asyncbolt_history``
(``$ASYNCBOLT_HISTORY``, or ``--history FILE`` for piped input too; see
:mod:`asyncbolt.tools.shell_history`), recalled with the arrow keys when readline is available.
Piped input runs as a script and stops at the first failing statement (exit code 1).
``--timeout`` bounds connecting; a connection that cannot be made is one line
(:mod:`asyncbolt.tools.connect_errors`).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import re
import sys
import time
from typing import Any, TextIO

from asyncbolt.errors import BoltError, Neo4jError
from asyncbolt.tools.connect_errors import cannot_connect
from asyncbolt.tools.shell_history import DEFAULT_FILE, History, history_path
from asyncbolt.tools.shell_values import (
    FORMATS,
    _Printer,
    describe_counters,
    format_value,
    render_table,
    to_json,
)

__all__ = ["main_query", "main_shell", "format_value", "to_json", "render_table",
           "split_statements", "parse_param", "describe_counters"]

HISTORY = DEFAULT_FILE

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
    p.add_argument("--timeout", type=_seconds, default=30.0, metavar="SECONDS",
                   help="to connect, agree on a version and log in (default 30)")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {text!r}")
    return value


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
            conn = await asyncbolt.connect(uri, auth=auth, timeout=args.timeout)
        except (BoltError, OSError, ValueError) as exc:
            err.write(cannot_connect("asyncbolt query", uri, exc) + "\n")
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
  :use DB           run what follows on database DB     :use                 back to the default one
  :history          this session's statements           :history all         earlier sessions' too
  :exit             leave (Ctrl-D too)"""


class Shell:
    """The interactive loop's state; one connection, optionally one open transaction."""

    def __init__(self, conn: Any, *, db: str | None, fmt: str, out: TextIO, err: TextIO,
                 interactive: bool, history: History | None = None) -> None:
        self.conn = conn
        self.history = history if history is not None else History()
        self.db = db
        self.fmt = fmt
        self.out = out
        self.err = err
        self.interactive = interactive
        self.tx: Any = None
        self.params: dict[str, Any] = {}

    @property
    def prompt(self) -> str:
        """``asyncbolt> `` (``asyncbolt:DB> `` on database DB; ``#`` in a transaction)."""
        return f"asyncbolt{f':{self.db}' if self.db else ''}{'#' if self.tx is not None else '>'} "

    async def execute(self, statement: str) -> bool:
        self.history.add(statement)
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
        if name not in (":history", ":exit", ":quit", ":q"):
            self.history.add(line)
        if name in (":exit", ":quit", ":q"):
            return None
        if name == ":help":
            self.out.write(_HELP + "\n")
        elif name == ":use":
            return await self.use(rest)
        elif name == ":history":
            if rest not in ("", "all"):
                self.err.write(":history lists this session's statements; :history all, every one kept\n")
                return False
            shown = self.history.show(everything=rest == "all")
            self.out.write(shown + "\n" if shown else "")
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

    async def use(self, db: str) -> bool:
        """``:use DB``: run what follows on ``DB`` (``:use`` alone: the server's default), once
        the server has opened (and rolled back) a transaction there: an unknown database is the
        server's error, in one line, and the database stays what it was."""
        if self.tx is not None:
            self.err.write("a transaction is open on this database: :commit or :rollback it first\n")
            return False
        db = db.strip().strip("`")
        if db:
            try:
                tx = await self.conn.begin(db=db)
                await tx.rollback()
            except (BoltError, ValueError) as exc:
                self.err.write(_error_text(exc) + "\n")
                return False
        self.db = db or None
        if self.interactive:
            self.out.write(f"using {f'database {db}' if db else 'the default database'}\n")
        return True

    async def close(self) -> None:
        if self.tx is not None:
            try:
                await self.tx.rollback()
            except BoltError:
                pass
            self.tx = None
        await self.conn.close()


def _readline_setup(history: History) -> None:
    try:
        import readline
    except ImportError:  # pragma: no cover - Windows without pyreadline
        return
    history.into_readline(readline)


def main_shell(argv: list[str] | None = None, *, stdin: TextIO | None = None,
               stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    inp = stdin or sys.stdin
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    p = argparse.ArgumentParser(prog="asyncbolt shell", description="An interactive Cypher shell.")
    p.add_argument("uri", nargs="?", default=os.environ.get("NEO4J_URI", "bolt://localhost:7687"),
                   help="bolt://host:port, bolt+s://, neo4j://... (default $NEO4J_URI or bolt://localhost:7687)")
    _common(p)
    p.add_argument("--history", metavar="FILE",
                   help="keep the statements in FILE, piped ones too ('none': nowhere; default for "
                        f"an interactive session: $ASYNCBOLT_HISTORY or {DEFAULT_FILE})")
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
            conn = loop.run_until_complete(asyncbolt.connect(uri, auth=auth, timeout=args.timeout))
        except (BoltError, OSError, ValueError) as exc:
            err.write(cannot_connect("asyncbolt shell", uri, exc) + "\n")
            return 1
        history = History(history_path(args.history, interactive), err)
        shell = Shell(conn, db=args.db, fmt=args.format, out=out, err=err, interactive=interactive,
                      history=history)
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
    _readline_setup(shell.history)
    buffer = ""
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main_shell())
