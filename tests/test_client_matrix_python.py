"""The client matrix, Python side (issue 16): real Python clients nobody here wrote, each in its
own venv installed from PyPI (cached under .matrix/), against asyncbolt's server framework and
against ``asyncbolt serve``, both with default settings.

Each (client, server) pair runs its script once (tests/matrix/py_official.py for the official
driver 1.7-6.x, py2neo_client.py, mgclient_client.py) and every scenario is asserted here from
its JSON; each outcome is also recorded in .matrix/results.jsonl for the README's table
(``python -m tests.matrix``). A client that cannot install is skipped with pip's error; a
scenario a client cannot do (no routing in pymgclient...) is skipped with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from .matrix import SERVERS, Target, client_venv, record, run_client

HERE = Path(__file__).resolve().parent / "matrix"
STREAM_ROWS = 20_000


class Client:
    def __init__(self, venv: str, requirements: list[str], script: str, family: str) -> None:
        self.venv, self.requirements, self.script, self.family = venv, requirements, script, family


#: The clients: (venv name, pip requirements, script). All install on CPython 3.11 as they are:
#: neo4j-driver 1.7 pulls neobolt 1.7.17 (its C extension, generated for Python <= 3.7, does not
#: compile on 3.11 and its setup falls back to pure Python) and neotime; py2neo 2021.2.4 pulls
#: interchange and pansi.
CLIENTS = {
    "neo4j-1.7": Client("neo4j-1.7", ["neo4j-driver<2"], "py_official.py", "official"),
    "neo4j-4.4": Client("neo4j-4.4", ["neo4j>=4.4,<5"], "py_official.py", "official"),
    "neo4j-5.28": Client("neo4j-5.28", ["neo4j==5.28.*"], "py_official.py", "official"),
    "neo4j-6": Client("neo4j-6", ["neo4j>=6,<7"], "py_official.py", "official"),
    "py2neo": Client("py2neo", ["py2neo==2021.2.4"], "py2neo_client.py", "py2neo"),
    "pymgclient": Client("pymgclient", ["pymgclient"], "mgclient_client.py", "mgclient"),
}
#: The Bolt version each should negotiate with a server offering everything (1.0-6.1).
NEGOTIATED = {"neo4j-1.7": "3.0", "neo4j-4.4": "4.4", "neo4j-5.28": "5.8", "neo4j-6": "6.1",
              "py2neo": "4.3", "pymgclient": "4.4"}
AGENTS = {"3.0": "Neo4j/3.5.0", "4.3": "Neo4j/4.3.0", "4.4": "Neo4j/4.4.0", "5.8": "Neo4j/5.26.0",
          "6.1": "Neo4j/2025.10.0"}
SCENARIOS = ["values", "stream", "failure", "transactions", "managed", "bookmarks",
             "wrong_password", "routing"]


#: Each client's venv python, or why it could not be installed (filled by ``venvs``).
_PYTHONS: dict[str, str | pytest.skip.Exception] = {}
_RUNS: dict[tuple[str, str], dict[str, Any]] = {}


def _install(client: Client) -> str | pytest.skip.Exception:
    try:
        return str(client_venv(client.venv, client.requirements))
    except pytest.skip.Exception as skip:
        return skip


@pytest.fixture(scope="module")
def venvs() -> dict[str, str | pytest.skip.Exception]:
    """Every client's venv, installed side by side (a first run: about a minute, not six)."""
    with ThreadPoolExecutor(len(CLIENTS)) as pool:
        for name, found in zip(CLIENTS, pool.map(_install, CLIENTS.values()), strict=True):
            _PYTHONS[name] = found
    return _PYTHONS


@pytest.fixture(scope="module", params=list(SERVERS))
def target(request, venvs) -> Any:
    with SERVERS[request.param]() as found:
        yield found


def outcome(name: str, target: Target) -> dict[str, Any]:
    """The client's JSON against this server: one run per (client, server) per session."""
    python = _PYTHONS[name]
    if isinstance(python, pytest.skip.Exception):
        record(label(name), target.name, None, "install", None, str(python))
        raise python
    key = (name, target.uri)
    if key not in _RUNS:
        _RUNS[key] = run_client([python, str(HERE / CLIENTS[name].script)], target, timeout=240)
    return _RUNS[key]


def label(name: str, out: dict[str, Any] | None = None) -> str:
    """The table's name for a client: what the script reports (its installed version)."""
    client, _, version = (out["client"] if out else name).partition(" ")
    return f"{client} (Python) {version}".rstrip()  # as the JS rows: "neo4j-driver (JS) 1.7.8"


# -- what each scenario must give ---------------------------------------------------------------

#: The type names values come back as (official drivers, py2neo; pymgclient's below).
TYPES = {"null": ["NoneType"], "boolean": ["bool", "bool"], "integer": ["int"] * 4, "float": ["float"] * 2,
         "string": ["str"] * 2, "bytes": ["bytes"], "list": ["list"] * 2, "map": ["dict"],
         "date": ["Date"], "time": ["Time"], "localtime": ["Time"], "datetime": ["DateTime"],
         "localdatetime": ["DateTime"], "duration": ["Duration"], "point": ["CartesianPoint", "WGS84Point"]}
MGCLIENT_TYPES = {**TYPES, "date": ["date"], "localtime": ["time"], "datetime": ["datetime"],
                  "localdatetime": ["datetime"], "duration": ["timedelta"]}
#: What pymgclient cannot send: bytes ("can't be used as query parameter"), points (no class), a
#: time with an offset (it sends the local time, the offset is lost).
MGCLIENT_UNSENDABLE = {"bytes", "point", "time"}
#: How ``asyncbolt serve`` refuses a datetime with an offset (Bolt 3.0-4.4: the legacy structure).
SERVE_DATETIME_REFUSED = (r"parameter \$x: (Legacy)?DateTime with offset \+02:00: LadybugDB keeps no "
                          r"offset or zone")


def check_values(name: str, server: str, target: Target, result: dict[str, Any]) -> str:
    family = CLIENTS[name].family
    types = MGCLIENT_TYPES if family == "mgclient" else TYPES
    sent = set(target.kinds) - (MGCLIENT_UNSENDABLE if family == "mgclient" else set())
    echo = result["echo"]
    assert set(echo) == sent, f"kinds echoed: {sorted(echo)}, wanted {sorted(sent)}"
    for kind, entries in echo.items():
        if not (kind == "datetime" and server == "serve"):
            assert [e.get("type") for e in entries] == types[kind], f"{kind}: {entries}"
        for entry in entries:
            if kind == "datetime" and server == "serve":
                # LadybugDB keeps no offset (its TIMESTAMP_TZ is a UTC instant): the DateTime is
                # refused with a TypeError saying so, never given back as another value (README
                # "Values on `asyncbolt serve`").
                assert re.search(SERVE_DATETIME_REFUSED, entry.get("message", "")), entry
            else:
                assert entry["equal"] is True, f"{kind}: {entry}"
    graph = result["graph"]
    labels, rel = (["Admin", "Person"], "KNOWS") if server == "asyncbolt" else (["MatrixPerson"], "MATRIX_KNOWS")
    assert graph["node"] == {"type": "Node", "labels": labels, "properties": {"name": "Ada", "born": 1815}}
    assert {k: v for k, v in graph["relationship"].items() if k != "type"} == {
        "rel_type": rel, "properties": {"since": 1833}, "starts_at_node": True}
    assert graph["path"] == {"type": "Path", "length": 1, "nodes": ["Ada", "Charles"],
                             "relationships": [rel], "starts_at_node": True}
    notes = "a datetime with an offset is refused with a TypeError (LadybugDB keeps no offset)" \
        if server == "serve" and "datetime" in sent else ""
    if family == "mgclient":
        assert result["not_sent"] == sorted(set(target.kinds) & MGCLIENT_UNSENDABLE)
        notes = "; ".join(filter(None, [notes, "pymgclient cannot send " + ", ".join(result["not_sent"])]))
    return f"note: {notes}" if notes else ""


def check_stream(name: str, server: str, target: Target, result: dict[str, Any]) -> str:
    fetch = 1000 if name in ("neo4j-4.4", "neo4j-5.28", "neo4j-6") else None
    assert result["count"] == STREAM_ROWS and result["in_order"] is True, result
    assert result["first"] == [1] and result["last"] == [STREAM_ROWS] and result["fetch_size"] == fetch
    return f"{STREAM_ROWS:,} rows in {result['seconds']} s" + (f", fetch_size {fetch}" if fetch else "")


def check_failure(name: str, server: str, target: Target, result: dict[str, Any]) -> str:
    family = CLIENTS[name].family
    error = {"official": "CypherSyntaxError", "py2neo": "ClientError", "mgclient": "DatabaseError"}[family]
    assert result["error"] == error and result["syntax_error"] is True, result
    if family == "mgclient":  # one exception class, the message only
        assert result["code"] is None and result["message"]
    else:
        assert result["code"] == "Neo.ClientError.Statement.SyntaxError", result
    assert result["after"] == "after failure" and result["next_session"] == "next session", result
    return error


def check_transactions(name: str, server: str, target: Target, result: dict[str, Any]) -> str:
    assert {k: result[k] for k in ("committed", "inside_rolled_back", "after_rollback")} == {
        "committed": 1, "inside_rolled_back": 2, "after_rollback": 1}, result
    return "autocommit off, commit(), rollback()" if CLIENTS[name].family == "mgclient" else ""


def check_managed(name: str, server: str, target: Target, result: dict[str, Any]) -> str:
    assert result["written"] is True and result["counted"] == 1, result
    return {"official": "execute_read/write" if name in ("neo4j-5.28", "neo4j-6") else "read/write_transaction",
            "py2neo": "Graph.update/query"}[CLIENTS[name].family]


def check_bookmarks(name: str, server: str, target: Target, result: dict[str, Any]) -> str:
    prefix = "asyncbolt:" if server == "asyncbolt" else "ladybug:"
    marks = result["bookmarks"]
    assert len(marks) == 1 and marks[0].startswith(prefix), result
    assert result["same_session"] == "after commit", result  # Python 1.7 failed here (issue 16)
    if CLIENTS[name].family == "py2neo":
        assert result["second_session"].startswith("unsupported:")
        return "note: py2neo: tx.bookmark is set; " + result["second_session"].removeprefix("unsupported: ")
    after = result["after_auto_commit"]
    # An auto-commit read names a bookmark too: a new made-up one on asyncbolt's framework, the
    # database's latest (that commit's) on serve.
    assert len(after) == 1 and after[0].startswith(prefix), result
    assert (after != marks) if server == "asyncbolt" else (after == marks), result
    assert result["second_session_count"] >= 1 and result["second_session_tx"] == "bookmarked tx", result
    return marks[0]


def check_wrong_password(name: str, server: str, target: Target, result: dict[str, Any]) -> str:
    family = CLIENTS[name].family
    assert result["auth_error"] is True, result
    assert result["seconds"] < 10, result  # refused at once, no hang
    if family == "official":
        assert result["error"] == "AuthError", result
        if name != "neo4j-1.7":  # neobolt's AuthError keeps the message only
            assert result["code"] == "Neo.ClientError.Security.Unauthorized", result
    elif family == "py2neo":
        # py2neo RESETs after any FAILURE; the server (as Neo4j) has closed the connection after
        # the refused HELLO, so that RESET fails and the auth error is the exception's context.
        assert result["error"] == "ConnectionUnavailable" and result["cause"] == "ClientError", result
        return "ConnectionUnavailable from Unauthorized"
    else:
        assert result["error"] == "OperationalError" and "unauthorized" in result["message"].lower(), result
    return result["error"]


def check_routing(name: str, server: str, target: Target, result: dict[str, Any]) -> str:
    assert result["write"] == "routed" and result["read"] == "routed read", result
    return f"{result['scheme']}://"


CHECKS: dict[str, Callable[[str, str, Target, dict[str, Any]], str]] = {
    "values": check_values, "stream": check_stream, "failure": check_failure,
    "transactions": check_transactions, "managed": check_managed, "bookmarks": check_bookmarks,
    "wrong_password": check_wrong_password, "routing": check_routing,
}


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("name", list(CLIENTS))
def test_client(name: str, scenario: str, target: Target) -> None:
    out = outcome(name, target)
    version = out["protocol"]
    result = out["scenarios"][scenario]
    who = label(name, out)
    if "unsupported" in result:
        record(who, target.name, version, scenario, None, result["unsupported"])
        pytest.skip(f"{name}: {result['unsupported']}")
    try:
        assert "exception" not in result, f"{result['exception']}: {result['message']}\n{result.get('traceback')}"
        detail = CHECKS[scenario](name, target.name, target, result)
    except AssertionError as exc:
        record(who, target.name, version, scenario, False, str(exc))
        raise
    record(who, target.name, version, scenario, True, detail)


@pytest.mark.parametrize("name", list(CLIENTS))
def test_negotiated_version_and_agent(name: str, target: Target) -> None:
    """What each client negotiates with a default server, and that it was told Neo4j/X.Y.0."""
    out = outcome(name, target)
    assert out["protocol"] == NEGOTIATED[name]
    if name != "pymgclient":  # pymgclient does not expose the agent
        assert out["agent"] == AGENTS[out["protocol"]]


def test_the_readme_table_takes_the_latest_outcome_of_each_scenario() -> None:
    from .matrix.__main__ import table

    def line(client: str, server: str, scenario: str, ok: bool | None, detail: str = "",
             version: str | None = "4.4") -> dict[str, Any]:
        return {"client": client, "server": server, "version": version, "scenario": scenario,
                "ok": ok, "detail": detail}

    lines = [
        line("x (Python) 1.0", "serve", "install", None, "cannot install x: no wheel", None),
        line("x (Python) 1.0", "asyncbolt", "values", False, "AssertionError: boom"),
        line("x (Python) 1.0", "asyncbolt", "values", True, "note: kept differently"),
        line("x (Python) 1.0", "asyncbolt", "routing", None, "unsupported: x does not route"),
        line("x (Python) 1.0", "asyncbolt", "stream", True, "20,000 rows"),
        line("JavaScript y 2.0", "asyncbolt", "custom", False, "it broke"),
    ]
    assert table(lines).splitlines() == [
        "| Client | Server | Bolt | values | stream | routing | custom |",
        "|---|---|---|---|---|---|---|",
        "| JavaScript y 2.0 | asyncbolt | 4.4 |  |  |  | ✗<sup>1</sup> |",
        "| x (Python) 1.0 | asyncbolt | 4.4 | ✓<sup>2</sup> | ✓ | –<sup>3</sup> |  |",
        "| x (Python) 1.0 | serve | – | not installable here<sup>4</sup> |  |  |  |",
        "",
        "<sup>1</sup> it broke  ",
        "<sup>2</sup> kept differently  ",
        "<sup>3</sup> x does not route  ",
        "<sup>4</sup> cannot install x: no wheel  ",
    ]
