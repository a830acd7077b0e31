"""Memgraph's mgclient (the pymgclient package, a C library) as a third real client.

Two facts about pymgclient 1.6 shape these tests:

* Its calls block in C *holding the GIL*: a server thread in the same process would never run
  while ``mgclient.connect()`` waits for it (the test would deadlock). So the client runs in a
  child process (``python -m tests.test_server_pymgclient PORT SCENARIO``, the ``__main__``
  block below), prints JSON, and the test asserts on that and on the server's Recorder.
* It speaks Memgraph's dialect of Bolt: transactions (``autocommit=False``, its default) are the
  *queries* ``BEGIN``/``COMMIT``/``ROLLBACK`` sent with RUN, not the BEGIN/COMMIT messages, which
  the server maps to the session's begin()/commit()/rollback() hooks by default; and it reads
  ``has_more`` from every final PULL SUCCESS without checking that it is there (Memgraph always
  sends it; the Bolt spec says absent means false) — a missing ``has_more`` makes the client
  dereference NULL and crash, so the server always sends it from Bolt 4.0
  (``test_plain_session_works_because_the_server_sends_has_more_false``).
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

mgclient = pytest.importorskip("mgclient", reason="pymgclient (Memgraph's C client) is not installed")

import asyncbolt  # noqa: E402

from .sessions import EchoSession, ServerThread  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 30
#: What mgclient 1.7 (inside pymgclient 1.6) proposes: 4.4, 4.3, 4.1, 1.0, in that order.
MGCLIENT_HANDSHAKE = bytes.fromhex("6060b017 00000404 00000304 00000104 00000001")


class MemgraphSession(EchoSession):
    """EchoSession noting the negotiated version and user agent. Transactions as queries are the
    server's default, and so is has_more from Bolt 4.0; below (a server pinned to Bolt 1.0, which
    pymgclient also offers) the server sends none, as Neo4j 3.x did not, so this session adds it
    as Memgraph does."""

    async def authenticate(self, auth: dict[str, Any]) -> None:
        self.recorder.log("connected", self.connection.version, self.connection.user_agent)
        await super().authenticate(auth)

    async def run(self, query: str, parameters: dict[str, Any], extra: dict[str, Any]) -> asyncbolt.Result:
        result = await super().run(query, parameters, extra)
        result.metadata.setdefault("has_more", False)
        return result


# -- the client side (runs in a child process) ------------------------------------------------


def _plain(value: Any) -> Any:
    """mgclient values as JSON."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (dt.date, dt.time)):  # datetime is a date
        return {type(value).__name__: value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"timedelta": [value.days, value.seconds, value.microseconds]}
    if isinstance(value, mgclient.Node):
        return {"Node": value.id, "labels": sorted(value.labels), "properties": _plain(value.properties)}
    if isinstance(value, mgclient.Relationship):
        return {"Relationship": value.id, "type": value.type, "start": value.start_id,
                "end": value.end_id, "properties": _plain(value.properties)}
    if isinstance(value, mgclient.Path):
        return {"Path": [n.id for n in value.nodes], "relationships": [r.type for r in value.relationships]}
    return value


def _query(cursor: Any, query: str, params: dict | None = None) -> Any:
    try:
        cursor.execute(query, params) if params is not None else cursor.execute(query)
        return {"columns": [c.name for c in cursor.description], "rows": _plain(cursor.fetchall())}
    except mgclient.Error as exc:
        return {"error": type(exc).__name__, "message": str(exc)}


ECHO_PARAMS = {"null": None, "t": True, "f": False, "i": 42, "min": -(2**63), "max": 2**63 - 1,
               "x": 1.5, "s": "grüße 東京", "l": [1, "two", [3.0, None]], "m": {"k": {"n": [True]}}}
TEMPORAL_PARAMS = {"d": dt.date(2024, 2, 29), "ldt": dt.datetime(1999, 12, 31, 23, 59, 59, 123456),
                   "lt": dt.time(13, 37, 1, 5), "dur": dt.timedelta(days=3, seconds=4, microseconds=5)}


def _client(port: int, scenario: str) -> dict[str, Any]:
    conn = mgclient.connect(host="127.0.0.1", port=port, sslmode=mgclient.MG_SSLMODE_DISABLE)
    out: dict[str, Any] = {"autocommit_default": conn.autocommit}
    cursor = conn.cursor()
    if scenario == "basic":
        conn.autocommit = True
        out["echo"] = _query(cursor, "ECHO", ECHO_PARAMS)
        out["stream"] = _query(cursor, "STREAM 100")
        out["graph"] = _query(cursor, "GRAPH")
        out["fail"] = _query(cursor, "FAIL")
        out["after"] = _query(cursor, "ECHO", {"after": "failure"})
        cursor.execute("STREAM 10")
        out["fetchone"] = [cursor.fetchone()[0], cursor.fetchone()[0]]
        out["fetchmany"] = [row[0] for row in cursor.fetchmany(3)]
        out["rest"] = [row[0] for row in cursor.fetchall()]
    elif scenario == "temporal":
        conn.autocommit = True
        out["echo"] = _query(cursor, "ECHO", TEMPORAL_PARAMS)
        out["after"] = _query(cursor, "ECHO", {"ok": 1})
    elif scenario == "transactions":  # autocommit=False, DB-API style
        out["first"] = _query(cursor, "ECHO", {"v": 1})
        conn.commit()
        out["second"] = _query(cursor, "ECHO", {"v": 2})
        conn.rollback()
    elif scenario == "one":
        conn.autocommit = True
        out["echo"] = _query(cursor, "ECHO", {"v": 1})
    else:
        raise ValueError(scenario)
    conn.close()
    return out


def run_client(port: int, scenario: str) -> tuple[int, dict[str, Any] | None, str]:
    """Run a scenario in a child process: ``(returncode, JSON output or None, stderr)``."""
    done = subprocess.run([sys.executable, "-m", "tests.test_server_pymgclient", str(port), scenario],
                          cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT)
    out = json.loads(done.stdout) if done.returncode == 0 and done.stdout.strip() else None
    return done.returncode, out, done.stderr


def client(port: int, scenario: str) -> dict[str, Any]:
    returncode, out, stderr = run_client(port, scenario)
    assert returncode == 0 and out is not None, f"mgclient {scenario} exited {returncode}:\n{stderr}"
    return out


# -- the tests --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server():
    with ServerThread(MemgraphSession) as srv:
        yield srv


def test_handshake_proposals_and_negotiated_version(server) -> None:
    """mgclient offers 4.4, 4.3, 4.1 and 1.0 (no 5.x, no ranges); the server takes 4.4."""
    listener = socket.create_server(("127.0.0.1", 0))
    received = []

    def accept() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(5)
            data = b""
            while len(data) < 20:
                chunk = conn.recv(20 - len(data))
                if not chunk:
                    break
                data += chunk
            received.append(data)
            conn.sendall(b"\x00\x00\x00\x00")  # no common version

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    returncode, _, stderr = run_client(listener.getsockname()[1], "one")
    thread.join(5)
    listener.close()
    assert returncode != 0 and "unsupported protocol version" in stderr
    assert received == [MGCLIENT_HANDSHAKE]

    start = len(server.recorder.calls)
    client(server.port, "one")
    connected = [c for c in server.recorder.calls[start:] if c[0] == "connected"]
    assert connected == [("connected", (4, 4), "mgclient/1.7.0")]


def test_echo_stream_failure_and_fetch_styles(server) -> None:
    recorder = server.recorder
    start = len(recorder.calls)
    out = client(server.port, "basic")
    assert out["autocommit_default"] is False  # DB-API default: every execute opens a transaction
    assert out["echo"] == {"columns": list(ECHO_PARAMS), "rows": [list(ECHO_PARAMS.values())]}
    assert out["stream"] == {"columns": ["i"], "rows": [[i] for i in range(100)]}
    rows = out["graph"]["rows"]
    assert rows[0][0] == {"Node": 1, "labels": ["Admin", "Person"], "properties": {"name": "Ada", "born": 1815}}
    assert rows[0][1] == {"Relationship": 7, "type": "KNOWS", "start": 1, "end": 2, "properties": {"since": 1833}}
    assert rows[0][2] == {"Path": [1, 2], "relationships": ["KNOWS"]}
    assert out["fail"] == {"error": "DatabaseError", "message": "Invalid input 'FAIL'"}
    assert out["after"] == {"columns": ["after"], "rows": [["failure"]]}
    assert out["fetchone"] == [0, 1] and out["fetchmany"] == [2, 3, 4] and out["rest"] == [5, 6, 7, 8, 9]
    # mgclient RESETs after the FAILURE
    calls = [c[0] if c[0] != "run" else c[1] for c in recorder.calls[start:]]
    assert calls == ["connected", "auth", "ECHO", "STREAM 100", "GRAPH", "FAIL", "reset", "ECHO",
                     "STREAM 10"]


def test_local_temporal_values_round_trip(server) -> None:
    out = client(server.port, "temporal")
    assert out["echo"]["rows"] == [[{"date": "2024-02-29"}, {"datetime": "1999-12-31T23:59:59.123456"},
                                    {"time": "13:37:01.000005"}, {"timedelta": [3, 4, 5]}]]
    assert out["after"]["rows"] == [[1]]


def test_commit_and_rollback_with_autocommit_off(server) -> None:
    recorder = server.recorder
    start = len(recorder.calls)
    out = client(server.port, "transactions")
    assert out["first"]["rows"] == [[1]] and out["second"]["rows"] == [[2]]
    calls = [c if c[0] != "run" else ("run", c[1]) for c in recorder.calls[start:]]
    calls = [c for c in calls if c[0] not in ("connected", "auth")]
    # RUN "BEGIN"/"COMMIT"/"ROLLBACK" reach the session's transaction hooks, never its run().
    assert calls == [("begin", {}), ("run", "ECHO"), ("commit",),
                     ("begin", {}), ("run", "ECHO"), ("rollback",)]


@pytest.mark.parametrize("version", [(4, 3), (4, 1), (1, 0)], ids=["4.3", "4.1", "1.0"])
def test_each_version_mgclient_offers(version) -> None:
    with ServerThread(MemgraphSession, versions=[version]) as srv:
        out = client(srv.port, "basic")
        assert out["echo"]["rows"] == [list(ECHO_PARAMS.values())]
        assert out["stream"]["rows"] == [[i] for i in range(100)]
        assert out["fail"]["error"] == "DatabaseError"
        assert out["after"]["rows"] == [["failure"]]
        assert [c for c in srv.recorder.calls if c[0] == "connected"] == [
            ("connected", version, "mgclient/1.7.0")]


def test_bolt_1_refuses_the_date_mgclient_sends() -> None:
    """On Bolt 1.0 mgclient still encodes a date as a Date structure, which Bolt 1.0 does not
    have: a malformed request, so the server answers FAILURE Request.Invalid and closes (see
    test_server_versions.test_v1_refuses_a_date_parameter for the bytes). mgclient reports a
    transport error (its ACK_FAILURE after the FAILURE meets a closed connection) and the
    connection is gone; the session never saw the query."""
    with ServerThread(MemgraphSession, versions=[(1, 0)]) as srv:
        out = client(srv.port, "temporal")
        assert "error" in out["echo"]
        assert out["after"]["error"] in ("InterfaceError", "DatabaseError", "OperationalError")
        assert not [c for c in srv.recorder.calls if c[0] == "run"]  # never reached the session


def test_plain_session_works_because_the_server_sends_has_more_false() -> None:
    """pymgclient reads has_more from the final PULL SUCCESS without checking it is present
    (a NULL dereference); the server therefore always sends has_more: false from Bolt 4.0."""
    with ServerThread(EchoSession) as srv:
        returncode, out, stderr = run_client(srv.port, "one")
        assert returncode == 0, f"mgclient exited {returncode}: {stderr[-300:]}"


if __name__ == "__main__":
    print(json.dumps(_client(int(sys.argv[1]), sys.argv[2])))
