"""The client matrix (issue 16): real clients of every era against asyncbolt's servers.

Each client runs in its own interpreter or Node install, cached under ``.matrix/`` at the
project's root (``ASYNCBOLT_MATRIX_CACHE`` moves it): ``client_venv()`` makes a venv with the
client's pip requirements, ``npm_folder()`` an npm folder with its packages. A client that cannot
install is skipped with the installer's own error.

Two servers, the same scenarios, the same credentials (``USER``/``PASSWORD``):

- ``asyncbolt``: asyncbolt's server framework with :class:`MatrixSession` (in a thread),
- ``serve``: ``asyncbolt serve`` (LadybugDB in memory) as its own process, started as a user would.

A client script gets a :class:`Target` as JSON (its ``queries`` are what to send for each
scenario: both servers answer the same Cypher) and prints its results as JSON; the tests assert
on them and :func:`record` keeps one line per (client, server, scenario) in
``.matrix/results.jsonl`` for the README's compatibility table (``python -m tests.matrix``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest

import asyncbolt

from ..sessions import NODE, NODE2, PATH, REL, EchoSession, ServerThread

ROOT = Path(__file__).resolve().parent.parent.parent
CACHE = Path(os.environ.get("ASYNCBOLT_MATRIX_CACHE", ROOT / ".matrix"))
RESULTS = CACHE / "results.jsonl"
USER, PASSWORD = "neo4j", "matrix-secret"
INSTALL_TIMEOUT = 600

#: The Cypher each scenario sends; both servers answer it. ``$n`` rows in STREAM; ECHO's
#: parameter is ``x``; FAIL is a syntax error; WRITE creates one node and names a bookmark.
QUERIES: dict[str, str] = {
    "echo": "RETURN $x AS x",
    "stream": "UNWIND range(1, $n) AS i RETURN i",
    "fail": "RETURN 1 +",
    "write": "CREATE (n:MatrixNode {k: $k}) RETURN n.k AS k",
    "count": "MATCH (n:MatrixNode) RETURN count(n) AS c",
    "graph": "MATCH p = (a:MatrixPerson)-[r:MATRIX_KNOWS]->(b:MatrixPerson) RETURN a, r, p",
}

#: What py2neo asks whenever it builds a Path: its nodes' and relationships' current labels and
#: properties, by id (it hydrates a path's relationships with placeholder nodes, then refreshes).
PY2NEO_PULL_NODES = "MATCH (_) WHERE id(_) in $x RETURN id(_), labels(_), properties(_)"
PY2NEO_PULL_RELS = "MATCH ()-[_]->() WHERE id(_) in $x RETURN id(_), properties(_)"

#: What ``asyncbolt serve``'s database needs before the scenarios (LadybugDB has typed tables).
SERVE_INIT = [
    "CREATE NODE TABLE MatrixNode(k INT64, PRIMARY KEY (k))",
    "CREATE NODE TABLE MatrixPerson(name STRING, born INT64, PRIMARY KEY (name))",
    "CREATE REL TABLE MATRIX_KNOWS(FROM MatrixPerson TO MatrixPerson, since INT64)",
    "CREATE (:MatrixPerson {name: 'Ada', born: 1815})",
    "CREATE (:MatrixPerson {name: 'Charles', born: 1791})",
    "MATCH (a:MatrixPerson {name: 'Ada'}), (b:MatrixPerson {name: 'Charles'}) "
    "CREATE (a)-[:MATRIX_KNOWS {since: 1833}]->(b)",
]


@dataclass
class Target:
    """A server for a client script: where it is, how to log in, what to send."""

    name: str  # "asyncbolt" or "serve"
    uri: str
    user: str = USER
    password: str = PASSWORD
    queries: dict[str, str] = field(default_factory=lambda: dict(QUERIES))
    #: Value kinds this server can echo back (``serve``: what LadybugDB stores and returns).
    kinds: list[str] = field(default_factory=list)

    def json(self) -> str:
        return json.dumps(asdict(self))


class MatrixSession(EchoSession):
    """The matrix's scenarios on asyncbolt's server framework (EchoSession's queries as well)."""

    def __init__(self, recorder: Any, **kwargs: Any) -> None:
        super().__init__(recorder, password=PASSWORD, **kwargs)
        self.created: list[int] = []
        self.pending: list[int] = []
        self.in_tx = False

    async def authenticate(self, auth: dict[str, Any]) -> None:
        if auth.get("principal") != USER or auth.get("credentials") != PASSWORD:
            raise asyncbolt.AuthError("The client is unauthorized due to authentication failure.")

    async def run(self, query: str, parameters: dict[str, Any], extra: dict[str, Any]) -> asyncbolt.Result:
        if query == QUERIES["echo"]:
            return asyncbolt.Result(["x"], [[parameters.get("x")]])
        if query == QUERIES["stream"]:
            return asyncbolt.Result(["i"], self._rows(int(parameters["n"])))
        if query == QUERIES["fail"]:
            raise asyncbolt.ClientError("Neo.ClientError.Statement.SyntaxError",
                                        "Invalid input '': expected an expression (line 1, column 11)")
        if query == QUERIES["write"]:
            (self.pending if self.in_tx else _STORE).append(parameters["k"])
            return asyncbolt.Result(["k"], [[parameters["k"]]], {"type": "w", "stats": {"nodes-created": 1}})
        if query == QUERIES["count"]:
            return asyncbolt.Result(["c"], [[len(_STORE) + len(self.pending)]])
        if query == QUERIES["graph"]:
            return asyncbolt.Result(["a", "r", "p"], [[NODE, REL, PATH]])
        if query == PY2NEO_PULL_NODES:
            wanted = set(parameters.get("x") or ())
            return asyncbolt.Result(["id(_)", "labels(_)", "properties(_)"],
                                    [[n.id, n.labels, n.properties] for n in (NODE, NODE2) if n.id in wanted])
        if query == PY2NEO_PULL_RELS:
            wanted = set(parameters.get("x") or ())
            return asyncbolt.Result(["id(_)", "properties(_)"],
                                    [[r.id, r.properties] for r in (REL,) if r.id in wanted])
        return await super().run(query, parameters, extra)

    def _rows(self, n: int) -> Iterator[list[int]]:
        for i in range(1, n + 1):
            self.recorder.produced += 1
            yield [i]

    async def begin(self, extra: dict[str, Any]) -> None:
        self.in_tx, self.pending = True, []

    async def commit(self) -> dict[str, Any]:
        _STORE.extend(self.pending)
        self.in_tx, self.pending = False, []
        return {}  # the server's default bookmark

    async def rollback(self) -> None:
        self.in_tx, self.pending = False, []

    async def reset(self) -> None:
        self.in_tx, self.pending = False, []


#: MatrixNode keys committed on asyncbolt's server (shared by its sessions, like a database).
_STORE: list[int] = []


@contextlib.contextmanager
def asyncbolt_server(**options: Any) -> Iterator[Target]:
    """asyncbolt's server framework, default settings, :class:`MatrixSession` (``options``: for
    ``asyncbolt.serve``, e.g. an ``agent=`` to show what the default spares a client)."""
    with ServerThread(MatrixSession, **options) as srv:
        yield Target("asyncbolt", srv.uri, kinds=ALL_KINDS)


#: Value kinds a client script may echo: the names client scripts use.
ALL_KINDS = ["null", "boolean", "integer", "float", "string", "bytes", "list", "map",
             "date", "time", "localtime", "datetime", "localdatetime", "duration", "point"]
#: What LadybugDB stores and gives back (no spatial types, no zoned time; see tools/backends/ladybug/values.py).
SERVE_KINDS = ["null", "boolean", "integer", "float", "string", "bytes", "list", "map",
               "date", "localdatetime", "datetime", "duration"]


@contextlib.contextmanager
def serve_process() -> Iterator[Target]:
    """``asyncbolt serve`` as its own process: LadybugDB in memory, basic auth, a free port."""
    pytest.importorskip("ladybug", reason="the ladybug extra (asyncbolt[serve]) is not installed")
    init = CACHE / "serve-init.cypher"
    CACHE.mkdir(parents=True, exist_ok=True)
    init.write_text(";\n".join(SERVE_INIT) + ";\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "asyncbolt", "serve", "--port", "0", "--auth", f"{USER}:{PASSWORD}",
         "--init", str(init)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        uri = None
        deadline = time.monotonic() + 60
        assert proc.stdout is not None
        while uri is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            found = re.search(r"on (bolt://[\d.]+:\d+)", line)
            if found:
                uri = found.group(1)
        if uri is None:
            proc.kill()
            _, err = proc.communicate(timeout=10)
            raise AssertionError(f"asyncbolt serve did not start: {err[-2000:]}")
        yield Target("serve", uri, kinds=SERVE_KINDS)
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


SERVERS = {"asyncbolt": asyncbolt_server, "serve": serve_process}


# -- installing clients ---------------------------------------------------------------------------


def _installed(folder: Path, what: list[str], install: Any) -> Path:
    """``folder`` with ``what`` installed by ``install(folder)``; cached by a stamp file."""
    stamp = folder / ".matrix-installed"
    wanted = json.dumps(what)
    if stamp.exists() and stamp.read_text() == wanted:
        return folder
    if folder.exists():
        shutil.rmtree(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    error = install(folder)
    if error is not None:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"cannot install {' '.join(what)} here: {error[-800:]}")
    stamp.write_text(wanted)
    return folder


def client_venv(name: str, requirements: list[str], python: str | None = None) -> Path:
    """The python of a cached venv ``.matrix/venv-NAME`` with ``requirements`` pip-installed
    (``python``: the interpreter to make it with, e.g. an older one a client needs)."""
    base = python or sys.executable

    def install(folder: Path) -> str | None:
        steps = [[base, "-m", "venv", str(folder)],
                 [str(folder / "bin" / "python"), "-m", "pip", "install", "-q", *requirements]]
        for step in steps:
            try:
                done = subprocess.run(step, capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
            except subprocess.TimeoutExpired:
                return f"{' '.join(step[:3])} timed out after {INSTALL_TIMEOUT} s"
            if done.returncode != 0:
                return (done.stderr or done.stdout).strip()
        return None

    return _installed(CACHE / f"venv-{name}", requirements, install) / "bin" / "python"


def npm_folder(name: str, packages: list[str]) -> Path:
    """A cached npm folder ``.matrix/npm-NAME`` with ``packages`` (``neo4j-driver@1.7``...)."""
    npm = shutil.which("npm")
    if shutil.which("node") is None or npm is None:
        pytest.skip("node/npm are not installed (the JavaScript clients need Node.js)")

    def install(folder: Path) -> str | None:
        folder.mkdir(parents=True)
        (folder / "package.json").write_text(json.dumps({"name": f"matrix-{name}", "private": True}))
        try:
            done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--no-package-lock",
                                   *packages], cwd=folder, capture_output=True, text=True,
                                  timeout=INSTALL_TIMEOUT)
        except subprocess.TimeoutExpired:
            return f"npm install timed out after {INSTALL_TIMEOUT} s"
        return None if done.returncode == 0 else (done.stderr or done.stdout).strip()

    return _installed(CACHE / f"npm-{name}", packages, install)


# -- results ------------------------------------------------------------------------------------


def run_client(argv: list[str], target: Target, timeout: float = 120, cwd: Path | None = None) -> dict[str, Any]:
    """Run a client script with the target as its last argument; its stdout is one JSON object."""
    done = subprocess.run([*argv, target.json()], capture_output=True, text=True, timeout=timeout,
                          cwd=cwd)
    assert done.returncode == 0, f"{argv[-1]} against {target.name} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise AssertionError(f"{argv[-1]} printed no JSON:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}") from None


def record(client: str, server: str, version: str | None, scenario: str, ok: bool | None,
           detail: str = "") -> None:
    """One outcome for the compatibility table (``.matrix/results.jsonl``); ``ok=None``: the
    client cannot do this (``detail`` says why) or could not be installed (scenario "install")."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a") as f:
        f.write(json.dumps({"client": client, "server": server, "version": version, "scenario": scenario,
                            "ok": ok, "detail": detail[:300],
                            "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}) + "\n")
