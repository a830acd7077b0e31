"""The official Neo4j JavaScript driver (neo4j-driver from npm, run by Node) as a real client.

tests/js/client.mjs runs one scenario against a bolt:// URI and prints JSON (values tagged by
type: {"int": "42"} for a neo4j Integer, {"float": 1.5} for a JS number, {"bytes": [...]} for an
Int8Array, {"$type": "Date", ...} for temporal, spatial and graph values). The driver is
installed into tests/js/node_modules on first use (npm, pinned in tests/js/package.json).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

import asyncbolt

from .sessions import EchoSession, ServerThread

JS_DIR = Path(__file__).parent / "js"
CLIENT = JS_DIR / "client.mjs"
TIMEOUT = 30


class ParamSession(EchoSession):
    """EchoSession that also records the parameters it received, as Python sees them."""

    async def run(self, query: str, parameters: dict[str, Any], extra: dict[str, Any]) -> asyncbolt.Result:
        self.recorder.log("params", query, dict(parameters))
        return await super().run(query, parameters, extra)


@pytest.fixture(scope="module")
def node() -> str:
    """The node executable, with neo4j-driver installed next to client.mjs (or a skip)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None:
        pytest.skip("node is not installed (the JavaScript driver tests need Node.js)")
    if not (JS_DIR / "node_modules" / "neo4j-driver").is_dir():
        if npm is None:
            pytest.skip("npm is not installed (needed to install neo4j-driver)")
        try:
            # --no-package-lock: package.json pins the version; no lock file in the work tree
            done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--no-package-lock"],
                                  cwd=JS_DIR, capture_output=True, text=True, timeout=180)
        except subprocess.TimeoutExpired:
            pytest.skip("npm install of neo4j-driver timed out")
        if done.returncode != 0 or not (JS_DIR / "node_modules" / "neo4j-driver").is_dir():
            pytest.skip(f"npm install of neo4j-driver failed: {(done.stderr or done.stdout)[-500:]}")
    return node


@pytest.fixture(scope="module")
def server():
    with ServerThread(ParamSession) as srv:
        yield srv


def run_js(node: str, uri: str, scenario: str) -> dict[str, Any]:
    done = subprocess.run([node, str(CLIENT), uri, scenario], capture_output=True, text=True,
                          timeout=TIMEOUT)
    assert done.returncode == 0, f"node {scenario} failed:\n{done.stdout}\n{done.stderr}"
    return json.loads(done.stdout)


def test_every_plain_type_and_structure_round_trips(node, server) -> None:
    out = run_js(node, server.uri, "types")
    echoed = out["echoed"]
    assert out["keys"] == list(echoed)  # field order = parameter order
    assert echoed["null"] is None and echoed["t"] is True and echoed["f"] is False
    assert echoed["int"] == {"int": "42"}
    assert echoed["intMin"] == {"int": "-9223372036854775808"}
    assert echoed["intMax"] == {"int": "9223372036854775807"}
    assert echoed["small"] == {"int": "-16"}
    assert echoed["bigint"] == {"int": str(12345678901234567890 % 9223372036854775807)}
    assert echoed["float"] == {"float": 1.5}
    assert echoed["wholeFloat"] == {"float": 3}  # still a Float, not an Integer
    assert echoed["negZero"] == {"float": "-0"}
    assert echoed["inf"] == {"float": "Infinity"} and echoed["nan"] == {"float": "NaN"}
    assert echoed["s"] == "grüße 東京" and echoed["empty"] == "" and echoed["long"] == "x" * 70000
    assert echoed["bytes"] == {"bytes": [0, 1, -1, 127, -128]}  # Int8Array both ways
    assert echoed["list"] == [{"int": "1"}, "two", [{"float": 3.5}, None]]
    assert echoed["map"] == {"k": {"nested": [True]}}

    def temporal(value: dict) -> tuple[str, str]:
        return value["$type"], value["str"]

    assert temporal(echoed["date"]) == ("Date", "2024-02-29")
    assert temporal(echoed["localTime"]) == ("LocalTime", "23:59:59.999999999")
    assert temporal(echoed["time"]) == ("Time", "13:37:01.000000005+02:00")
    assert temporal(echoed["localDateTime"]) == ("LocalDateTime", "1999-12-31T23:59:59.123456789")
    assert temporal(echoed["dateTimeOffset"]) == ("DateTime", "2024-02-29T13:37:01.123456789+01:00")
    assert echoed["dateTimeOffset"]["timeZoneOffsetSeconds"] == 3600
    assert temporal(echoed["dateTimeZone"]) == ("DateTime", "2024-07-01T12:00:00+02:00[Europe/Paris]")
    assert echoed["dateTimeZone"]["timeZoneId"] == "Europe/Paris"
    assert temporal(echoed["duration"]) == ("Duration", "P1Y2M3DT4.000000005S")
    assert echoed["point2d"] == {"$type": "Point", "srid": 7203, "x": 1.5, "y": -2,
                                 "str": "Point{srid=7203, x=1.5, y=-2.0}"}
    assert echoed["point3d"]["srid"] == 4979 and echoed["point3d"]["z"] == 100

    # what the session received, as Python values
    params = next(c[2] for c in reversed(server.recorder.calls) if c[:2] == ("params", "ECHO"))
    assert params["int"] == 42 and type(params["int"]) is int
    assert params["wholeFloat"] == 3.0 and type(params["wholeFloat"]) is float
    assert params["bytes"] == b"\x00\x01\xff\x7f\x80" and type(params["bytes"]) is bytes
    assert params["intMin"] == -(2**63) and params["intMax"] == 2**63 - 1

    # values the server makes
    temporal_out = out["TEMPORAL"]
    assert temporal(temporal_out["date"]) == ("Date", "2024-02-29")
    assert temporal(temporal_out["time"]) == ("Time", "13:37:01.000500000+02:00")
    assert temporal(temporal_out["localtime"]) == ("LocalTime", "23:59:59")
    assert temporal(temporal_out["datetime"]) == ("DateTime", "2024-02-29T13:37:01.123456000Z")
    assert temporal(temporal_out["zoned"]) == ("DateTime", "2024-07-01T12:00:00+02:00[Europe/Paris]")
    assert temporal(temporal_out["localdatetime"]) == ("LocalDateTime", "1999-12-31T23:59:59")
    assert temporal(temporal_out["duration"]) == ("Duration", "P3DT4.000005000S")
    assert out["SPATIAL"]["p2"]["str"] == "Point{srid=7203, x=1.5, y=-2.0}"
    assert out["SPATIAL"]["p3"]["str"] == "Point{srid=4979, x=12.5, y=55.0, z=100.0}"
    graph = out["GRAPH"]
    assert graph["n"] == {"$type": "Node", "labels": ["Person", "Admin"], "elementId": "4:db:1",
                          "properties": {"name": "Ada", "born": {"int": "1815"}}}
    assert graph["r"]["type"] == "KNOWS" and graph["r"]["elementId"] == "5:db:7"
    assert graph["r"]["startNodeElementId"] == "4:db:1" and graph["r"]["endNodeElementId"] == "4:db:2"
    assert graph["p"] == {"$type": "Path", "nodes": ["4:db:1", "4:db:2"], "relationships": ["KNOWS"]}


def test_stream_with_fetch_size_arrives_whole_and_in_order(node, server) -> None:
    start = server.recorder.produced
    out = run_js(node, server.uri, "stream")
    assert out["count"] == 1000
    assert out["values"] == list(range(1000))
    assert out["queryType"] == "r"
    assert server.recorder.produced - start == 1000


def test_explicit_and_managed_transactions(node, server) -> None:
    recorder = server.recorder
    start = len(recorder.calls)
    out = run_js(node, server.uri, "transactions")
    assert out == {"committed": 1, "bookmarks": ["asyncbolt:1"], "rolledBack": 2, "managed": "managed"}
    calls = [c[0] for c in recorder.calls[start:] if c[0] not in ("auth", "params")]
    assert calls == ["begin", "run", "commit", "begin", "run", "rollback", "begin", "run", "commit"]
    begins = [c for c in recorder.calls[start:] if c[0] == "begin"]
    assert begins[1][1].get("bookmarks") == ["asyncbolt:1"]  # the COMMIT's bookmark came back


def test_failure_then_the_session_still_works(node, server) -> None:
    out = run_js(node, server.uri, "failure")
    assert out["error"]["code"] == "Neo.ClientError.Statement.SyntaxError"
    assert out["error"]["name"] == "Neo4jError"
    assert out["error"]["message"] == "Invalid input 'FAIL'"
    assert out["error"]["retriable"] is False
    assert out["after"] == "failure"


def test_negotiated_protocol_version(node, server) -> None:
    out = run_js(node, server.uri, "serverInfo")
    # neo4j-driver 6 offers the handshake manifest; the newest version both speak is 6.1
    assert out["protocolVersion"] == {"major": 6, "minor": 1}
    assert out["agent"] == "Neo4j/2025.10.0"  # the default: Bolt 6.x came with Neo4j 2025.10
    assert out["address"] == f"127.0.0.1:{server.port}"


@pytest.mark.parametrize("version", [(3, 0), (4, 4), (5, 0), (5, 4), (5, 8)],
                         ids=lambda v: f"{v[0]}.{v[1]}")
def test_driver_pinned_to_older_versions(node, version) -> None:
    """The server restricted to one version: the JS driver falls back to it and still works
    (4.4 with the utc patch, 3.0 with legacy DateTime)."""
    with ServerThread(ParamSession, versions=[version]) as srv:
        info = run_js(node, srv.uri, "serverInfo")
        assert info["protocolVersion"] == {"major": version[0], "minor": version[1]}
        out = run_js(node, srv.uri, "types")
        echoed = out["echoed"]
        assert echoed["dateTimeOffset"]["str"] == "2024-02-29T13:37:01.123456789+01:00"
        # The legacy zone-id layout (f, before the utc patch) carries local time and zone id
        # only: the JS driver then leaves the offset unknown.
        zoned = ("2024-07-01T12:00:00+02:00[Europe/Paris]" if version >= (4, 3)
                 else "2024-07-01T12:00:00[Europe/Paris]")
        assert echoed["dateTimeZone"]["str"] == zoned
        assert out["TEMPORAL"]["zoned"]["str"] == zoned
        assert echoed["int"] == {"int": "42"} and echoed["bytes"] == {"bytes": [0, 1, -1, 127, -128]}
        expected_element_id = "4:db:1" if version >= (5, 0) else "1"
        assert out["GRAPH"]["n"]["elementId"] == expected_element_id
