"""The client matrix's script for pymgclient (Memgraph's C client, Bolt 1.0 and 4.1-4.4; issue 16).

Run in pymgclient's venv with the Target as JSON; prints one JSON object (see py_official.py).
pymgclient is a DB-API 2.0 client, not a Neo4j driver:

- ``autocommit`` is off by default: every ``execute`` outside a transaction first sends
  RUN "BEGIN", and ``conn.commit()``/``conn.rollback()`` send RUN "COMMIT"/"ROLLBACK" (Memgraph's
  transactions are queries), which asyncbolt's server answers by default;
- no fetch size of its own (``cursor.fetchmany`` reads from what it pulled with PULL n=-1; the
  socket applies back-pressure), no managed transactions (DB-API has none), no bookmarks (it
  never reads or sends them), no routing: those scenarios are reported as unsupported;
- it cannot send bytes ("can't be used as query parameter"), has no spatial type, and sends a
  time with an offset as a local time (the offset is lost): those kinds are not sent.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import _common  # tests/matrix/_common.py: this script's folder is on sys.path
import mgclient

STREAM_ROWS = 20_000
UNSUPPORTED = {
    "managed": "unsupported: pymgclient is a DB-API client, it has no managed transactions",
    "bookmarks": "unsupported: pymgclient neither reads nor sends bookmarks",
    "routing": "unsupported: pymgclient connects to one server, it does not route",
}


def connect(target: dict, password: str | None = None, autocommit: bool = True) -> Any:
    host, _, port = target["uri"].split("://", 1)[1].rpartition(":")
    conn = mgclient.connect(host=host, port=int(port), username=target["user"],
                            password=target["password"] if password is None else password,
                            sslmode=mgclient.MG_SSLMODE_DISABLE)
    conn.autocommit = autocommit
    return conn


def samples() -> dict[str, list[Any]]:
    return _common.samples(duration=[dt.timedelta(days=3, seconds=4, microseconds=5)])


def value(cursor: Any, query: str, params: dict | None = None) -> Any:
    cursor.execute(query, params or {})
    return cursor.fetchall()[0][0]


def scenario_values(conn: Any, target: dict, out: dict) -> dict[str, Any]:
    cursor = conn.cursor()
    q = target["queries"]
    echo: dict[str, Any] = {}
    for kind, values in samples().items():
        if kind not in target["kinds"]:
            continue
        echo[kind] = []
        for sent in values:
            try:
                got = value(cursor, q["echo"], {"x": sent})
                entry = {"type": type(got).__name__, "equal": got == sent, "got": repr(got)[:200]}
                if isinstance(sent, dt.datetime) and sent.tzinfo is not None:
                    entry["instant_equal"] = (got == sent.astimezone(dt.timezone.utc).replace(tzinfo=None)
                                              if getattr(got, "tzinfo", 1) is None else got == sent)
                echo[kind].append(entry)
            except Exception as exc:
                echo[kind].append({"error": type(exc).__name__, "message": str(exc)[:300]})
    cursor.execute(q["graph"])
    a, r, p = cursor.fetchall()[0]
    return {
        "echo": echo,
        "not_sent": sorted(set(target["kinds"]) - set(samples())),
        "graph": {
            "node": {"type": type(a).__name__, "labels": sorted(a.labels), "properties": dict(a.properties)},
            "relationship": {"type": type(r).__name__, "rel_type": r.type, "properties": dict(r.properties),
                             "starts_at_node": r.start_id == a.id},
            "path": {"type": type(p).__name__, "length": len(p.relationships),
                     "nodes": [n.properties.get("name") for n in p.nodes],
                     "relationships": [rel.type for rel in p.relationships],
                     "starts_at_node": p.nodes[0].id == a.id},
        },
    }


def scenario_stream(conn: Any, target: dict, out: dict) -> dict[str, Any]:
    started = time.monotonic()
    cursor = conn.cursor()
    cursor.execute(target["queries"]["stream"], {"n": STREAM_ROWS})
    rows: list[int] = []
    while True:  # in DB-API batches
        batch = cursor.fetchmany(1000)
        if not batch:
            break
        rows.extend(row[0] for row in batch)
    return {"count": len(rows), "in_order": rows == list(range(1, STREAM_ROWS + 1)),
            "first": rows[:1], "last": rows[-1:], "fetch_size": None,
            "seconds": round(time.monotonic() - started, 3)}


def scenario_failure(conn: Any, target: dict, out: dict) -> dict[str, Any]:
    q = target["queries"]
    cursor = conn.cursor()
    try:
        cursor.execute(q["fail"])
        cursor.fetchall()
        error: dict[str, Any] = {"error": None}
    except Exception as exc:
        # mgclient has one exception class for server failures and keeps only the message.
        error = {"error": type(exc).__name__, "syntax_error": isinstance(exc, mgclient.DatabaseError),
                 "code": None, "message": str(exc)[:300]}
    error["after"] = value(cursor, q["echo"], {"x": "after failure"})
    other = connect(target)
    error["next_session"] = value(other.cursor(), q["echo"], {"x": "next session"})
    other.close()
    return error


def scenario_transactions(conn: Any, target: dict, out: dict) -> dict[str, Any]:
    """DB-API transactions: autocommit off (pymgclient's default), commit() and rollback()."""
    q = target["queries"]
    k = target["key"]
    count = conn.cursor()
    before = value(count, q["count"])
    tx = connect(target, autocommit=False)
    cursor = tx.cursor()
    value(cursor, q["write"], {"k": k})
    tx.commit()
    after_commit = value(count, q["count"])
    value(cursor, q["write"], {"k": k + 1})
    inside = value(cursor, q["count"])
    tx.rollback()
    after_rollback = value(count, q["count"])
    tx.close()
    return {"committed": after_commit - before, "inside_rolled_back": inside - before,
            "after_rollback": after_rollback - before}


def scenario_wrong_password(conn: Any, target: dict, out: dict) -> dict[str, Any]:
    started = time.monotonic()
    try:
        connect(target, password=target["password"] + "-wrong").close()
        error: dict[str, Any] = {"error": None}
    except Exception as exc:
        error = {"error": type(exc).__name__, "message": str(exc)[:300],
                 "auth_error": isinstance(exc, mgclient.OperationalError)}
    error["seconds"] = round(time.monotonic() - started, 3)
    return error


SCENARIOS = {
    "values": scenario_values,
    "stream": scenario_stream,
    "failure": scenario_failure,
    "transactions": scenario_transactions,
    "wrong_password": scenario_wrong_password,
}


def negotiated(target: dict) -> str | None:
    """The version the server picks from what mgclient 1.7 proposes (4.4, 4.3, 4.1, 1.0):
    pymgclient does not tell, so the same 20 bytes are sent on a socket of our own."""
    import socket

    host, _, port = target["uri"].split("://", 1)[1].rpartition(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(bytes.fromhex("6060b017 00000404 00000304 00000104 00000001"))
        reply = b""
        while len(reply) < 4:
            chunk = sock.recv(4 - len(reply))
            if not chunk:
                return None
            reply += chunk
    return f"{reply[3]}.{reply[2]}"


def main(target: dict) -> dict[str, Any]:
    from importlib.metadata import version

    out: dict[str, Any] = {"client": f"pymgclient {version('pymgclient')}",
                           "protocol": negotiated(target), "agent": None}
    conn = connect(target)
    try:
        _common.run_scenarios(SCENARIOS, conn, target, out)
    finally:
        conn.close()
    for name, reason in UNSUPPORTED.items():
        out["scenarios"][name] = {"unsupported": reason}
    return out


if __name__ == "__main__":
    _common.script_main(main)
