"""The client matrix's script for py2neo 2021.2 (its own Bolt client, Bolt 1-4.x; issue 16).

Run in py2neo's venv by tests/test_client_matrix_python.py with the Target as JSON; prints one JSON
object (see py_official.py). py2neo's API differs from the official driver's:

- ``Graph(uri, auth=...)`` opens a connection pool at once (a wrong password fails there);
- explicit transactions are ``graph.begin()`` / ``graph.commit(tx)`` / ``graph.rollback(tx)``;
  managed ones are ``graph.update(fn)`` (writes, retried) and ``graph.query()`` (read-only,
  retried); there is no fetch size (py2neo pulls whole results; the socket applies back-pressure);
- a committed transaction's bookmark is ``tx.bookmark``, but nothing in py2neo's API starts a
  transaction *after* given bookmarks (``begin(after=...)`` is commented out in 2021.2), so the
  second-session half of the bookmarks scenario is reported as unsupported;
- ``neo4j://`` makes it route (the routing procedure, or ROUTE from Bolt 4.3).
"""

from __future__ import annotations

import datetime as dt
import time
import warnings
from typing import Any

import _common  # tests/matrix/_common.py: this script's folder is on sys.path
import py2neo
from py2neo import Graph
from py2neo.errors import ClientError

warnings.simplefilter("ignore")

STREAM_ROWS = 20_000


def graph_for(target: dict, uri: str | None = None, password: str | None = None) -> Graph:
    password = target["password"] if password is None else password
    return Graph(uri or target["uri"], auth=(target["user"], password))


def samples() -> dict[str, list[Any]]:
    import pytz  # a time with an offset (datetime.timezone refuses times in utcoffset())
    from interchange.geo import CartesianPoint, WGS84Point
    from interchange.time import Duration

    plus2 = pytz.FixedOffset(120)  # py2neo calls utcoffset() with its own DateTime, too
    return _common.samples(
        bytes=[bytearray(b"\x00\x01\xfe\xff")],
        time=[dt.time(13, 37, 1, 500, tzinfo=pytz.FixedOffset(120))],
        datetime=[dt.datetime(2024, 2, 29, 13, 37, 1, 123456, tzinfo=plus2)],
        duration=[Duration(days=3, seconds=4, nanoseconds=5000)],
        point=[CartesianPoint((1.5, -2.0)), WGS84Point((12.5, 55.0, 100.0))],
    )


def native(value: Any) -> Any:
    from interchange.time import Duration

    return _common.native(value, Duration)


def echo(graph: Graph, kinds: list[str], query: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind, values in samples().items():
        if kind not in kinds:
            continue
        out[kind] = []
        for value in values:
            try:
                got = graph.evaluate(query, x=value)
                entry = {"type": type(got).__name__, "equal": native(got) == value, "got": repr(got)[:200]}
                if isinstance(value, dt.datetime) and value.tzinfo is not None:
                    entry["instant_equal"] = _common.same_instant(native(got), value)
                out[kind].append(entry)
            except Exception as exc:
                out[kind].append({"error": type(exc).__name__, "message": str(exc)[:300]})
    return out


def scenario_values(graph: Graph, target: dict, out: dict) -> dict[str, Any]:
    q = target["queries"]
    graph.evaluate(q["echo"], x=1)
    pool = next(iter(graph.service.connector._pools.values()))
    cx = next(iter(pool._free_list), None)
    out["protocol"] = "{}.{}".format(*cx.protocol_version) if cx is not None else None
    out["agent"] = graph.service.connector.server_agent
    record = graph.run(q["graph"]).next()
    a, r, p = record["a"], record["r"], record["p"]
    return {
        "echo": echo(graph, target["kinds"], q["echo"]),
        "graph": {
            "node": {"type": type(a).__name__, "labels": sorted(a.labels), "properties": dict(a)},
            "relationship": {"type": "Relationship", "rel_type": type(r).__name__,
                             "properties": dict(r), "starts_at_node": r.start_node == a},
            "path": {"type": type(p).__name__, "length": len(p),
                     "nodes": [n.get("name") for n in p.nodes],
                     "relationships": [type(rel).__name__ for rel in p.relationships],
                     "starts_at_node": p.start_node == a},
        },
    }


def scenario_stream(graph: Graph, target: dict, out: dict) -> dict[str, Any]:
    started = time.monotonic()
    rows = [record["i"] for record in graph.run(target["queries"]["stream"], n=STREAM_ROWS)]
    return {"count": len(rows), "in_order": rows == list(range(1, STREAM_ROWS + 1)),
            "first": rows[:1], "last": rows[-1:], "fetch_size": None,
            "seconds": round(time.monotonic() - started, 3)}


def scenario_failure(graph: Graph, target: dict, out: dict) -> dict[str, Any]:
    q = target["queries"]
    try:
        graph.run(q["fail"]).data()
        error: dict[str, Any] = {"error": None}
    except Exception as exc:
        error = {"error": type(exc).__name__, "syntax_error": isinstance(exc, ClientError)
                 and getattr(exc, "title", None) == "SyntaxError", "code": getattr(exc, "code", None)}
    error["after"] = graph.evaluate(q["echo"], x="after failure")
    error["next_session"] = graph_for(target).evaluate(q["echo"], x="next session")
    return error


def count(runner: Any, target: dict) -> int:
    return runner.evaluate(target["queries"]["count"])


def scenario_transactions(graph: Graph, target: dict, out: dict) -> dict[str, Any]:
    q = target["queries"]
    k = target["key"]
    before = count(graph, target)
    tx = graph.begin()
    tx.evaluate(q["write"], k=k)
    graph.commit(tx)
    after_commit = count(graph, target)
    tx = graph.begin()
    tx.evaluate(q["write"], k=k + 1)
    inside = count(tx, target)
    graph.rollback(tx)
    after_rollback = count(graph, target)
    return {"committed": after_commit - before, "inside_rolled_back": inside - before,
            "after_rollback": after_rollback - before}


def scenario_managed(graph: Graph, target: dict, out: dict) -> dict[str, Any]:
    q = target["queries"]
    k = target["key"] + 2
    written: list[Any] = []
    before = graph.query(q["count"]).evaluate()
    graph.update(lambda tx: written.append(tx.evaluate(q["write"], k=k)))
    after = graph.query(q["count"]).evaluate()
    return {"written": written == [k], "counted": after - before}


def scenario_bookmarks(graph: Graph, target: dict, out: dict) -> dict[str, Any]:
    q = target["queries"]
    tx = graph.begin()
    tx.evaluate(q["write"], k=target["key"] + 3)
    graph.commit(tx)
    same = graph.evaluate(q["echo"], x="after commit")
    return {"bookmarks": sorted(tx.bookmark or ()), "same_session": same,
            "second_session": "unsupported: py2neo 2021.2 cannot begin a transaction after given "
                              "bookmarks (Graph.begin's 'after' argument is commented out)"}


def scenario_wrong_password(graph: Graph, target: dict, out: dict) -> dict[str, Any]:
    started = time.monotonic()
    try:
        graph_for(target, password=target["password"] + "-wrong").evaluate(target["queries"]["echo"], x=1)
        error: dict[str, Any] = {"error": None}
    except Exception as exc:
        # py2neo RESETs after any FAILURE; after a refused HELLO the server has closed the
        # connection (as Neo4j does), so that RESET raises ConnectionUnavailable and the
        # ClientError with the server's code is left as its __context__.
        cause = exc if hasattr(exc, "code") else exc.__context__
        error = {"error": type(exc).__name__, "cause": type(cause).__name__ if cause else None,
                 "code": getattr(cause, "code", None),
                 "auth_error": getattr(cause, "code", None) == "Neo.ClientError.Security.Unauthorized",
                 "message": str(exc)[:300]}
    error["seconds"] = round(time.monotonic() - started, 3)
    return error


def scenario_routing(graph: Graph, target: dict, out: dict) -> dict[str, Any]:
    q = target["queries"]
    routed = graph_for(target, uri=target["uri"].replace("bolt://", "neo4j://", 1))
    return {"scheme": "neo4j", "write": routed.evaluate(q["echo"], x="routed"),
            "read": routed.query(q["echo"], {"x": "routed read"}).evaluate()}


SCENARIOS = {
    "values": scenario_values,
    "stream": scenario_stream,
    "failure": scenario_failure,
    "transactions": scenario_transactions,
    "managed": scenario_managed,
    "bookmarks": scenario_bookmarks,
    "wrong_password": scenario_wrong_password,
    "routing": scenario_routing,
}


def main(target: dict) -> dict[str, Any]:
    out: dict[str, Any] = {"client": f"py2neo {py2neo.__version__}", "protocol": None, "agent": None}
    return _common.run_scenarios(SCENARIOS, graph_for(target), target, out)


if __name__ == "__main__":
    _common.script_main(main)
