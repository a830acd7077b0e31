"""The client matrix, JavaScript side (issue 16): the official JavaScript driver of every era
against both of asyncbolt's servers with default settings.

``neo4j-driver`` 1.7 (Bolt 1-3, CommonJS, ``.v1``), 4.4, 5.28 and 6.x each install into their own
cached npm folder (``tests.matrix.npm_folder``); ``tests/matrix/js_client.cjs`` runs every
scenario with one of them against a :class:`tests.matrix.Target` and prints the results as JSON.
One Node process per (driver, server), cached for the module; each test asserts one scenario
of it precisely and :func:`tests.matrix.record` keeps the outcome for the README's table.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from asyncbolt._generated.versions import NEO4J_RELEASES

from .matrix import SERVERS, Target, asyncbolt_server, npm_folder, record, run_client

CLIENT = Path(__file__).parent / "matrix" / "js_client.cjs"

#: npm folder name -> (package spec, the Bolt version it must negotiate with asyncbolt's servers;
#: 6.x: any 6.x the spec has, as a newer 6 may speak a newer minor).
DRIVERS: dict[str, tuple[str, str | None]] = {
    "1.7": ("neo4j-driver@1.7", "3.0"),
    "4.4": ("neo4j-driver@4.4", "4.4"),
    "5.28": ("neo4j-driver@5.28", "5.8"),
    "6": ("neo4j-driver@6", None),
}
STREAM_ROWS = 20000
FETCH_SIZE = 1000

#: What ``asyncbolt serve`` refuses of the JS samples, rather than give back another value (see
#: README "Values on `asyncbolt serve`"): how the FAILURE's message begins (Bolt 3.0-4.4 carry
#: a DateTime in its legacy structure).
SERVE_REFUSES: dict[str, str] = {
    "datetime": r"parameter \$x: (Legacy)?DateTime with offset \+01:00: LadybugDB keeps no offset or zone",
    "localdatetime": (r"parameter \$x: LocalDateTime with nanoseconds 123456789: LadybugDB takes "
                      r"timestamps with microsecond precision"),
    "duration": r"parameter \$x: Duration with months \(14\): LadybugDB's Python binding passes an INTERVAL",
}
SERVE_NOTE = ("LadybugDB refuses, with a TypeError saying why, a DateTime (it keeps no offset), "
              "nanoseconds finer than microseconds, a Duration with months")

#: Servers beyond tests.matrix.SERVERS: asyncbolt's pinned to Bolt 1.0 and 2.0 (only 1.7 speaks them).
PINNED: dict[str, tuple[int, int]] = {"asyncbolt@1.0": (1, 0), "asyncbolt@2.0": (2, 0)}
#: asyncbolt's server with TLS (a throwaway certificate): bolt+ssc://, 1.7 with its defaults.
TLS = "asyncbolt (TLS)"
#: (driver, server): every driver against both servers and TLS, 1.7 also against the pinned ones.
CASES = ([(driver, server) for server in [*sorted(SERVERS), TLS] for driver in DRIVERS]
         + [("1.7", name) for name in PINNED])
#: What Bolt 1 cannot carry (Bolt 2 added temporal and spatial values).
BOLT1_HAS_NO = {"date", "time", "localtime", "datetime", "localdatetime", "duration", "point",
                "datetime_zone", "point3d"}
#: Values the script echoes on asyncbolt's server beyond Target.kinds (a zone id, a 3D point,
#: a 70,000-character string), and with 6.x Bolt 6's vectors and 6.1's UUID.
ASYNCBOLT_EXTRAS = ["datetime_zone", "point3d", "long_string"]
BOLT6_EXTRAS = ["vector_float32", "vector_int64", "uuid"]


@pytest.fixture(scope="module")
def servers() -> Iterator[Any]:
    """A server by name, started on first use and kept for the module."""
    with contextlib.ExitStack() as stack:
        started: dict[str, Target] = {}

        def get(name: str) -> Target:
            if name not in started:
                if name in PINNED:
                    found = stack.enter_context(asyncbolt_server(versions=[PINNED[name]]))
                elif name == TLS:
                    found = stack.enter_context(_tls_server())
                else:
                    found = stack.enter_context(SERVERS[name]())
                started[name] = found
            return started[name]

        yield get


@contextlib.contextmanager
def _tls_server() -> Iterator[Target]:
    trustme = pytest.importorskip("trustme", reason="trustme (a dev dependency) makes the test certificate")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    trustme.CA().issue_cert("127.0.0.1").configure_cert(context)
    with asyncbolt_server(ssl=context) as target:
        yield dataclasses.replace(target, uri=target.uri.replace("bolt://", "bolt+ssc://"))


_RUNS: dict[tuple[str, str], dict[str, Any]] = {}


@pytest.fixture(params=CASES, ids=[f"{driver}-{server}" for driver, server in CASES])
def run(request: pytest.FixtureRequest, servers: Any) -> dict[str, Any]:
    """The client script's output for (driver, server): one Node process, run once."""
    version, server = request.param
    node = shutil.which("node")
    folder = npm_folder(f"js-{version}", [DRIVERS[version][0]])  # skips when it cannot install
    assert node is not None  # npm_folder skipped otherwise
    target = servers(server)
    if (version, server) not in _RUNS:
        try:
            _RUNS[version, server] = run_client([node, str(CLIENT), str(folder)], target, timeout=300)
        except AssertionError as exc:  # the script itself died: once, for all its tests
            _RUNS[version, server] = {"fatal": str(exc)}
            record(f"neo4j-driver (JS) {DRIVERS[version][0]}", target.name, None, "connect", False, str(exc))
    if "fatal" in _RUNS[version, server]:
        pytest.fail(_RUNS[version, server]["fatal"])
    out = dict(_RUNS[version, server])
    # backend: whose answers to expect; server: the name in the results
    out["backend"], out["uri"], out["kinds"] = target.name, target.uri, target.kinds
    out["server"] = (TLS if server == TLS else f"asyncbolt (Bolt {PINNED[server][0]}.{PINNED[server][1]})"
                     if server in PINNED else target.name)
    pinned = PINNED.get(server)
    out["wanted_protocol"] = f"{pinned[0]}.{pinned[1]}" if pinned else DRIVERS[version][1]
    return out


def _client(out: dict[str, Any]) -> str:
    return f"neo4j-driver (JS) {out['driver']}"


class _Recorded:
    """Assertions of one scenario, recorded as its outcome under ``column`` (the table's name
    for it; the failure's message, or a passing run's ``note``, as detail). ``source``: the
    script's scenario they look at (default: ``column``)."""

    def __init__(self, out: dict[str, Any], column: str, source: str | None = None,
                 failures_only: bool = False) -> None:
        self.out, self.column, self.source = out, column, source or column
        self.failures_only = failures_only  # a part of a column another test records
        self.note = ""

    def __enter__(self) -> _Recorded:
        found = self.out["scenarios"].get(self.source)
        assert found is not None, f"the client script did not run {self.source}"
        self.found = found
        return self

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> None:
        if exc is None and self.failures_only:
            return
        detail = f"{kind.__name__}: {exc}" if exc is not None else (f"note: {self.note}" if self.note else "")
        record(_client(self.out), self.out["server"], self.out.get("protocol"), self.column,
               exc is None, detail)


def test_connects_with_the_default_agent(run: dict[str, Any]) -> None:
    """Every era connects with no server settings: the agent is Neo4j/X.Y.0 of the negotiated
    version (1.7 parses it and crashed on asyncbolt/...), the version is the newest both speak."""
    # (not a column of the table of its own: every other one needs it)
    assert "serverInfoError" not in run, run.get("serverInfoError")
    protocol = tuple(int(p) for p in run["protocol"].split("."))
    if run["wanted_protocol"] is not None:
        assert run["protocol"] == run["wanted_protocol"]
    else:
        assert protocol[0] == run["major"]
    assert run["agent"] == f"Neo4j/{NEO4J_RELEASES[protocol]}.0"
    # the handshake's own answer agrees (5.7+ drivers negotiate through the manifest)
    assert run["handshake"] in ("manifest", run["protocol"])


def test_values_echo(run: dict[str, Any]) -> None:
    with _Recorded(run, "values") as rec:
        found = rec.found
        kinds = found["kinds"]
        # the script skips no kind the server can echo and the protocol carries: a JS driver has
        # every one of them
        wanted = run["kinds"] + (ASYNCBOLT_EXTRAS if run["backend"] == "asyncbolt" else [])
        if run["backend"] == "asyncbolt" and run["major"] >= 6:
            wanted += BOLT6_EXTRAS
        if run["protocol"] == "1.0":
            wanted = [k for k in wanted if k not in BOLT1_HAS_NO]
            rec.note = "Bolt 1.0 has no temporal or spatial values (2.0 added them)"
        assert sorted(kinds) == sorted(wanted)
        for kind, outcome in kinds.items():
            assert "error" not in outcome or (run["backend"] == "serve" and kind in SERVE_REFUSES), (kind, outcome)
            if run["backend"] == "serve" and kind in SERVE_REFUSES:
                error = outcome.get("error") or {}
                assert error.get("code") == "Neo.ClientError.Statement.TypeError", (kind, outcome)
                assert re.match(SERVE_REFUSES[kind], error.get("message", "")), (kind, outcome)
                rec.note = SERVE_NOTE
            else:
                assert outcome["equal"], (kind, outcome)
        if "integer" in kinds:  # beyond JS numbers: a lossless Integer both ways
            assert kinds["integer"]["got"] == {"int": "-9223372036854775808"}
        if "bytes" in kinds:
            assert kinds["bytes"]["got"] == {"bytes": [0, 1, -1, 127, -128]}
        if "datetime_zone" in kinds:  # the zone id survives every era's structure
            zoned = kinds["datetime_zone"]["got"]
            assert (zoned["timeZoneId"], zoned["hour"], zoned["nanosecond"]) == ("Europe/Paris", 12, 0)
            # 4.4 (utc patch) and 5.0+: the server's structure names the offset too
            assert zoned["timeZoneOffsetSeconds"] == (None if run["major"] == 1 else 7200)
        if "long_string" in kinds:
            assert kinds["long_string"]["got"] == {"length": 70000}
        if "vector_float32" in kinds:
            assert kinds["vector_float32"]["got"] == {"$type": "Vector", "elementType": "FLOAT32",
                                                      "data": [1.5, -2, 0.25]}
            assert kinds["vector_int64"]["got"] == {"$type": "Vector", "elementType": "INT64",
                                                    "data": [str(-(2**63)), "0", "7"]}
            assert kinds["uuid"]["got"] == {"$type": "UUID", "str": "0f8fad5b-d9cb-469f-a165-70867728950e"}


def test_graph_values(run: dict[str, Any]) -> None:
    # part of the values column (recorded after it: only a failure changes the cell)
    with _Recorded(run, "values", "graph", failures_only=True) as rec:
        found = rec.found
        assert found["ok"], found
        (row,) = found["rows"]
        a, r, p = row["a"], row["r"], row["p"]
        element_ids = run["major"] >= 5
        if run["backend"] == "asyncbolt":
            assert a["labels"] == ["Person", "Admin"]
            assert a["properties"] == {"name": "Ada", "born": {"int": "1815"}}
            assert (r["type"], r["properties"]) == ("KNOWS", {"since": {"int": "1833"}})
            assert p == {"$type": "Path", "relationships": ["KNOWS"],
                         "nodes": [{"name": "Ada", "born": {"int": "1815"}}, {"name": "Charles"}]}
            ids = ("4:db:1", "5:db:7", "4:db:2") if element_ids else ({"int": "1"}, {"int": "7"}, {"int": "2"})
        else:
            assert a["labels"] == ["MatrixPerson"]
            assert a["properties"] == {"name": "Ada", "born": {"int": "1815"}}
            assert (r["type"], r["properties"]) == ("MATRIX_KNOWS", {"since": {"int": "1833"}})
            assert p == {"$type": "Path", "relationships": ["MATRIX_KNOWS"],
                         "nodes": [{"name": "Ada", "born": {"int": "1815"}},
                                   {"name": "Charles", "born": {"int": "1791"}}]}
            # ids: table << 40 | offset before Bolt 5, "table:offset" element ids since
            ids = (("1:0", "2:0", "1:1") if element_ids else
                   ({"int": str(1 << 40)}, {"int": str(2 << 40)}, {"int": str((1 << 40) + 1)}))
        assert (a["id"], r["id"], r["end"]) == ids
        assert r["start"] == a["id"]


def test_stream_with_back_pressure(run: dict[str, Any]) -> None:
    """20,000 rows arrive whole and in order; 4.4+ ask for them 1,000 at a time (PULL n=1000
    twenty times, counted on the wire), 1.7 (Bolt 1-3) has only PULL_ALL. 5.x+ iterate the
    result asynchronously: while the reader pauses after its first 1,000 rows the driver has
    asked for at most the next batch or two, not the remaining nineteen."""
    with _Recorded(run, "stream") as rec:
        found = rec.found
        assert (found["count"], found["first"], found["last"], found["inOrder"]) == (STREAM_ROWS, 1, STREAM_ROWS, True)
        if run["major"] == 1:
            assert (found["pullAll"], found["pullBatches"]) == (1, 0)
        else:
            assert (found["pullAll"], found["pullBatches"]) == (0, STREAM_ROWS // FETCH_SIZE)
        if run["major"] >= 5:
            assert 1 <= found["pullsWhilePaused"] <= 3, found
        else:
            assert found["pullsWhilePaused"] is None
        assert found["queryType"] == "r"
        assert found["ok"]


def test_failure_and_recovery(run: dict[str, Any]) -> None:
    with _Recorded(run, "failure") as rec:
        found = rec.found
        assert found["error"]["code"] == "Neo.ClientError.Statement.SyntaxError", found
        assert found["sameSession"] == "after failure" and found["nextSession"] == "next session"
        assert found["ok"]


def test_explicit_transactions(run: dict[str, Any]) -> None:
    with _Recorded(run, "transactions") as rec:
        found = rec.found
        before = found["before"]
        assert found["written"] == found["managedWrite"] - 2, found
        assert found["afterCommit"] == before + 1, found
        assert found["inside"] == before + 2, found  # the transaction sees its own write
        assert found["afterRollback"] == before + 1, found


def test_managed_transactions(run: dict[str, Any]) -> None:
    """readTransaction/writeTransaction (1.7, 4.4), executeRead/executeWrite (5.x+)."""
    with _Recorded(run, "managed", "transactions") as rec:
        found = rec.found
        assert found["managedWrite"] == found["written"] + 2, found
        assert found["managedRead"] == found["before"] + 2, found
        assert found["ok"], found


def test_bookmarks_across_transactions(run: dict[str, Any]) -> None:
    with _Recorded(run, "bookmarks") as rec:
        found = rec.found
        committed = "ladybug" if run["backend"] == "serve" else "asyncbolt"
        assert len(found["afterCommit"]) == 1 and re.fullmatch(rf"{committed}:\d+", found["afterCommit"][0]), found
        assert len(found["afterAutoCommit"]) == 1, found
        assert re.fullmatch(r"(asyncbolt|ladybug):\d+", found["afterAutoCommit"][0]), found
        if run["backend"] == "asyncbolt" and not run["protocol"].startswith(("1.", "2.")):
            # Bolt 3+: an auto-commit transaction is named by a bookmark too (a new one here; serve
            # may name its database's latest)
            assert found["afterAutoCommit"] != found["afterCommit"], found
        assert found["second"] == "after bookmarks"
        assert found["ok"]


def test_execute_query_with_its_bookmark_manager(run: dict[str, Any]) -> None:
    """5.x+: driver.executeQuery, a write and the reads around it chained by the driver's
    bookmark manager (4.4 and 1.7 have no such API: the script says so, nothing is recorded)."""
    if run["major"] < 5:
        assert run["scenarios"]["executeQuery"]["supported"] is False
        record(_client(run), run["server"], run["protocol"], "executeQuery", None,
               "neo4j-driver before 5.0 has no driver.executeQuery")
        return
    with _Recorded(run, "executeQuery") as rec:
        found = rec.found
        assert found["after"] == found["before"] + 1, found
        assert len(found["bookmarks"]) == 1 and re.fullmatch(r"(asyncbolt|ladybug):\d+", found["bookmarks"][0]), found
        assert found["ok"]


def test_wrong_password(run: dict[str, Any]) -> None:
    with _Recorded(run, "wrong_password", "auth") as rec:
        found = rec.found
        assert found["error"]["code"] == "Neo.ClientError.Security.Unauthorized", found
        assert found["ms"] < 10000, found  # an answer, not a timeout


def test_verify_connectivity(run: dict[str, Any]) -> None:
    """Each era's own check on a fresh driver (1.7: driver.onCompleted; 4.4: verifyConnectivity()
    resolving to the server's info; 5.x+: getServerInfo()) sees the same agent as a query."""
    with _Recorded(run, "verify") as rec:
        found = rec.found
        assert found["agent"] == run["agent"], found
        assert found["address"] == re.sub(r"^[a-z+]+://", "", run["uri"])
        assert found["protocol"] == (run["protocol"] if run["major"] >= 5 else None)
        assert found["ok"]


def test_routing(run: dict[str, Any]) -> None:
    """neo4j:// (bolt+routing:// for 1.7): the server's default routing table names the address
    the client came to, and both a write and a read go there."""
    with _Recorded(run, "routing") as rec:
        found = rec.found
        secure = run["uri"].startswith("bolt+ssc://")
        assert found["uri"].startswith("bolt+routing://" if run["major"] == 1 else
                                       "neo4j+ssc://" if secure else "neo4j://")
        assert (found["write"], found["read"]) == ("routed write", "routed read"), found
        assert found["address"] == re.sub(r"^[a-z+]+://", "", run["uri"])
        assert found["ok"]


def test_the_old_agent_crashed_the_1_7_driver() -> None:
    """Why the default agent is Neo4j/X.Y.0: with any other product 1.7 throws while parsing it,
    outside any promise, and the Node process dies (issue 16)."""
    node = shutil.which("node")
    folder = npm_folder("js-1.7", [DRIVERS["1.7"][0]])
    assert node is not None
    with asyncbolt_server(agent="asyncbolt/0.1.0") as target:
        done = subprocess.run([node, str(CLIENT), str(folder), target.json()], capture_output=True,
                              text=True, timeout=120)
    assert done.returncode != 0
    assert "Unparsable Neo4j version: asyncbolt/0.1.0" in done.stderr
