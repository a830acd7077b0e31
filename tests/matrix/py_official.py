"""The client matrix's script for the official Python driver, 1.7 through 6.x (issue 16).

Run by tests/test_client_matrix_python.py in the driver's own venv::

    .matrix/venv-neo4j-X/bin/python tests/matrix/py_official.py TARGET_JSON

It imports nothing from asyncbolt (the venv has only the driver), runs every scenario the driver
supports against the target and prints one JSON object: the driver's version, the Bolt version it
negotiated, the server agent it saw, and one entry per scenario (what came back, or the exception
that came instead). The API differences between the lines are kept to a few switches:

- 1.7 (``neo4j-driver``, Bolt 1-3): ``basic_auth``, ``encrypted=False`` (it encrypts by default),
  ``bolt+routing://``, no fetch size (Bolt 3 pulls everything; the socket applies back-pressure),
  ``last_bookmark()``, ``read/write_transaction``, ``session(bookmarks=[...])``;
- 4.4: ``neo4j://``, ``fetch_size``, ``last_bookmark()``, ``read/write_transaction``;
- 5.x and 6.x: ``last_bookmarks()`` (a Bookmarks object), ``execute_read/execute_write``.
"""

from __future__ import annotations

import datetime as dt
import time
import warnings
from collections.abc import Callable
from typing import Any

import _common  # tests/matrix/_common.py: this script's folder is on sys.path
import neo4j
from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, CypherSyntaxError

warnings.simplefilter("ignore")  # deprecations of the older APIs used on purpose below

VERSION = tuple(int(p) for p in neo4j.__version__.split(".")[:2])
LEGACY = VERSION < (4, 0)  # neo4j-driver 1.7 (neobolt)
FETCH_SIZE = 1000
STREAM_ROWS = 20_000

if LEGACY:
    from neo4j import basic_auth
    from neo4j.types.spatial import CartesianPoint, WGS84Point
    from neotime import Duration
else:
    from neo4j.spatial import CartesianPoint, WGS84Point
    from neo4j.time import Duration


def auth(target: dict, password: str | None = None) -> Any:
    password = target["password"] if password is None else password
    return basic_auth(target["user"], password) if LEGACY else (target["user"], password)


def driver(target: dict, uri: str | None = None, password: str | None = None) -> Any:
    config: dict[str, Any] = {"connection_timeout": 10}
    if LEGACY:
        config.update(encrypted=False, max_retry_time=5)
    else:
        config.update(max_transaction_retry_time=5)
    return GraphDatabase.driver(uri or target["uri"], auth=auth(target, password), **config)


def session(drv: Any, **kwargs: Any) -> Any:
    if not LEGACY:
        kwargs.setdefault("fetch_size", FETCH_SIZE)
    return drv.session(**kwargs)


def write_tx(sess: Any, fn: Callable) -> Any:
    return sess.execute_write(fn) if VERSION >= (5, 0) else sess.write_transaction(fn)


def read_tx(sess: Any, fn: Callable) -> Any:
    return sess.execute_read(fn) if VERSION >= (5, 0) else sess.read_transaction(fn)


def last_bookmarks(sess: Any) -> list[str]:
    if VERSION >= (5, 0):
        return sorted(sess.last_bookmarks().raw_values)
    bookmark = sess.last_bookmark()
    return [bookmark] if bookmark is not None else []


def bookmarks_arg(values: list[str]) -> Any:
    if VERSION >= (5, 0):
        return neo4j.Bookmarks.from_raw_values(values)
    return values


def single(result: Any, key: str) -> Any:
    return result.single()[key]


# -- values -------------------------------------------------------------------------------------


def samples() -> dict[str, list[Any]]:
    """Values of each kind, as this driver's users send them."""
    # The drivers pass the time itself to tzinfo.utcoffset(), which datetime.timezone refuses (it
    # takes datetimes only): a time with an offset is sent with pytz's FixedOffset, as in their docs.
    import pytz
    return _common.samples(
        bytes=[bytearray(b"\x00\x01\xfe\xff")],
        time=[dt.time(13, 37, 1, 500, tzinfo=pytz.FixedOffset(120))],
        duration=[Duration(days=3, seconds=4, nanoseconds=5000)],
        point=[CartesianPoint((1.5, -2.0)), WGS84Point((12.5, 55.0, 100.0))],
    )


def native(value: Any) -> Any:
    """A driver temporal value as its Python equivalent (to compare with what was sent)."""
    return _common.native(value, Duration)


def echo(sess: Any, kinds: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind, values in samples().items():
        if kind not in kinds:
            continue
        out[kind] = []
        for value in values:
            try:
                got = single(sess.run("RETURN $x AS x", x=value), "x")
                entry = {"type": type(got).__name__, "equal": native(got) == value, "got": repr(got)[:200]}
                if isinstance(value, dt.datetime) and value.tzinfo is not None:
                    entry["instant_equal"] = _common.same_instant(native(got), value)
                out[kind].append(entry)
            except Exception as exc:
                out[kind].append({"error": type(exc).__name__, "message": str(exc)[:300]})
    return out


def ident(entity: Any) -> Any:
    return getattr(entity, "element_id", None) if VERSION >= (5, 0) else entity.id


def graph(sess: Any, query: str) -> dict[str, Any]:
    record = sess.run(query).single()
    a, r, p = record["a"], record["r"], record["p"]
    return {
        "node": {"type": type(a).__name__, "labels": sorted(a.labels), "properties": dict(a.items())},
        "relationship": {"type": type(r).__name__, "rel_type": r.type, "properties": dict(r.items()),
                         "starts_at_node": ident(r.start_node) == ident(a)},
        "path": {"type": type(p).__name__, "length": len(p),
                 "nodes": [n.get("name") for n in p.nodes],
                 "relationships": [rel.type for rel in p.relationships],
                 "starts_at_node": ident(p.start_node) == ident(a)},
    }


# -- scenarios -------------------------------------------------------------------------------------


def scenario_values(drv: Any, target: dict, out: dict) -> dict[str, Any]:
    q = target["queries"]
    with session(drv) as sess:
        result = sess.run(q["echo"], x=1)
        if LEGACY:
            summary = result.summary()
            out["protocol"] = f"{summary.protocol_version}.0"
        else:
            summary = result.consume()
            out["protocol"] = "{}.{}".format(*summary.server.protocol_version)
        out["agent"] = summary.server.agent
        return {"echo": echo(sess, target["kinds"]), "graph": graph(sess, q["graph"])}


def scenario_stream(drv: Any, target: dict, out: dict) -> dict[str, Any]:
    started = time.monotonic()
    with session(drv) as sess:
        rows = [record["i"] for record in sess.run(target["queries"]["stream"], n=STREAM_ROWS)]
    return {"count": len(rows), "in_order": rows == list(range(1, STREAM_ROWS + 1)),
            "first": rows[:1], "last": rows[-1:], "fetch_size": None if LEGACY else FETCH_SIZE,
            "seconds": round(time.monotonic() - started, 3)}


def scenario_failure(drv: Any, target: dict, out: dict) -> dict[str, Any]:
    q = target["queries"]
    with session(drv) as sess:
        try:
            list(sess.run(q["fail"]))
            error: dict[str, Any] = {"error": None}
        except Exception as exc:
            error = {"error": type(exc).__name__, "syntax_error": isinstance(exc, CypherSyntaxError),
                     "code": getattr(exc, "code", None)}
        error["after"] = single(sess.run(q["echo"], x="after failure"), "x")
    with session(drv) as sess:
        error["next_session"] = single(sess.run(q["echo"], x="next session"), "x")
    return error


def count(runner: Any, target: dict) -> int:
    return single(runner.run(target["queries"]["count"]), "c")


def scenario_transactions(drv: Any, target: dict, out: dict) -> dict[str, Any]:
    q = target["queries"]
    k = target["key"]
    with session(drv) as sess:
        before = count(sess, target)
        tx = sess.begin_transaction()
        tx.run(q["write"], k=k).consume()
        tx.commit()
        after_commit = count(sess, target)
        tx = sess.begin_transaction()
        tx.run(q["write"], k=k + 1).consume()
        inside = count(tx, target)
        tx.rollback()
        after_rollback = count(sess, target)
    return {"committed": after_commit - before, "inside_rolled_back": inside - before,
            "after_rollback": after_rollback - before}


def scenario_managed(drv: Any, target: dict, out: dict) -> dict[str, Any]:
    q = target["queries"]
    k = target["key"] + 2
    with session(drv) as sess:
        before = read_tx(sess, lambda tx: count(tx, target))
        written = write_tx(sess, lambda tx: single(tx.run(q["write"], k=k), "k"))
        after = read_tx(sess, lambda tx: count(tx, target))
    return {"written": written == k, "counted": after - before}


def scenario_bookmarks(drv: Any, target: dict, out: dict) -> dict[str, Any]:
    q = target["queries"]
    k = target["key"] + 3
    with session(drv) as sess:
        tx = sess.begin_transaction()
        tx.run(q["write"], k=k).consume()
        tx.commit()
        marks = last_bookmarks(sess)
        # The next query of the same session sends that bookmark (where Python 1.7 sent [None]).
        same_session = single(sess.run(q["echo"], x="after commit"), "x")
        auto_marks = last_bookmarks(sess)
    with session(drv, bookmarks=bookmarks_arg(marks)) as other:
        counted = count(other, target)
        tx = other.begin_transaction()
        in_tx = single(tx.run(q["echo"], x="bookmarked tx"), "x")
        tx.commit()
    return {"bookmarks": marks, "after_auto_commit": auto_marks, "same_session": same_session,
            "second_session_count": counted, "second_session_tx": in_tx}


def scenario_wrong_password(drv: Any, target: dict, out: dict) -> dict[str, Any]:
    started = time.monotonic()
    try:
        bad = driver(target, password=target["password"] + "-wrong")
        try:
            with session(bad) as sess:
                sess.run(target["queries"]["echo"], x=1).consume()
        finally:
            bad.close()
        error: dict[str, Any] = {"error": None}
    except Exception as exc:
        error = {"error": type(exc).__name__, "auth_error": isinstance(exc, AuthError),
                 "code": getattr(exc, "code", None)}
    error["seconds"] = round(time.monotonic() - started, 3)
    return error


def scenario_routing(drv: Any, target: dict, out: dict) -> dict[str, Any]:
    scheme = "bolt+routing" if LEGACY else "neo4j"
    uri = target["uri"].replace("bolt://", f"{scheme}://", 1)
    q = target["queries"]
    routed = driver(target, uri=uri)
    try:
        with session(routed) as sess:
            written = single(sess.run(q["echo"], x="routed"), "x")
            read = read_tx(sess, lambda tx: single(tx.run(q["echo"], x="routed read"), "x"))
    finally:
        routed.close()
    return {"scheme": scheme, "write": written, "read": read}


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
    out: dict[str, Any] = {"client": f"neo4j {neo4j.__version__}", "protocol": None, "agent": None}
    drv = driver(target)
    try:
        return _common.run_scenarios(SCENARIOS, drv, target, out)
    finally:
        drv.close()


if __name__ == "__main__":
    _common.script_main(main)
