"""asyncbolt's pytest plugin (asyncbolt.testing): bolt_server, ladybug_server and bolt_stub, used
from sync tests (the official neo4j driver, blocking) and async ones (asyncbolt's client), and
their teardown (servers closed; a stub script not played to the end fails the test)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import neo4j
import pytest
import tomllib

import asyncbolt
from asyncbolt.testing import RunningServer

from .sessions import EchoSession, Recorder

ROOT = Path(__file__).resolve().parent.parent


def _has_stub() -> bool:
    try:
        import asyncbolt.tools.stub  # noqa: F401
    except ImportError:
        return False
    return True


#: bolt_stub plays scripts with asyncbolt.tools.stub.StubServer (helper C's asyncbolt stub); until
#: that is merged the stub tests skip with this reason.
needs_stub = pytest.mark.skipif(not _has_stub(), reason="asyncbolt.tools.stub (asyncbolt stub's StubServer) "
                                                        "is not in this tree yet")


@pytest.fixture
def inner(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """pytester whose subprocess imports this checkout's asyncbolt (and tests.sessions)."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    return pytester


def _refused(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex(("127.0.0.1", port)) != 0


# -- packaging --------------------------------------------------------------------------------------

def test_entry_point_and_no_pytest_in_import_asyncbolt() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["entry-points"]["pytest11"] == {"asyncbolt.testing": "asyncbolt.testing"}
    code = ("import sys, asyncbolt, asyncbolt.tools.script, asyncbolt.client.connection, asyncbolt.server; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pytest', '_pytest')))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "[]", proc.stdout + proc.stderr


# -- bolt_server ------------------------------------------------------------------------------------

def test_bolt_server_with_the_official_driver(bolt_server: Any) -> None:
    recorder = Recorder()
    server = bolt_server(EchoSession, recorder=recorder)
    assert isinstance(server, RunningServer)
    assert server.address == ("127.0.0.1", server.port) and server.uri == f"bolt://127.0.0.1:{server.port}"
    with neo4j.GraphDatabase.driver(server.uri, auth=("neo4j", "pw")) as driver:
        records, _, _ = driver.execute_query("ECHO", {"x": 42})
    assert records[0]["x"] == 42
    assert ("auth", "basic", "neo4j") in recorder.calls


async def test_bolt_server_from_an_async_test(bolt_server: Any) -> None:
    a = bolt_server(EchoSession, recorder=Recorder())
    b = bolt_server(EchoSession, recorder=Recorder(), agent="Neo4j/5.26.0")
    assert a.port != b.port
    conn = await asyncbolt.connect(b.uri, auth=("u", "p"))
    try:
        assert await (await conn.run("ECHO", {"y": [1, 2]})).values() == [[[1, 2]]]
        assert conn.server_agent == "Neo4j/5.26.0"
    finally:
        await conn.close()


@pytest.mark.parametrize("bolt_server", [(EchoSession, {"recorder": Recorder()})], indirect=True)
def test_bolt_server_indirect(bolt_server: Any) -> None:
    with neo4j.GraphDatabase.driver(bolt_server.uri, auth=("neo4j", "pw")) as driver:
        assert driver.execute_query("ECHO", {"z": "a"}).records[0]["z"] == "a"


def test_bolt_server_is_closed_at_teardown(inner: pytest.Pytester) -> None:
    pytester = inner
    pytester.makepyfile(test_inner="""
        from tests.sessions import EchoSession, Recorder

        def test_one(bolt_server):
            server = bolt_server(EchoSession, recorder=Recorder())
            open("port", "w").write(str(server.port))
    """)
    result = pytester.runpytest_subprocess("-p", "asyncbolt.testing", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert _refused(int((pytester.path / "port").read_text()))


# -- ladybug_server ---------------------------------------------------------------------------------

def test_ladybug_server_with_the_official_driver(ladybug_server: Any) -> None:
    ladybug_server.graph.execute_script("CREATE NODE TABLE Person(name STRING PRIMARY KEY, born INT64)")
    with neo4j.GraphDatabase.driver(ladybug_server.uri, auth=("neo4j", "pw")) as driver:
        driver.execute_query("CREATE (:Person {name: $n, born: $b})", {"n": "Ada", "b": 1815})
        records, _, _ = driver.execute_query("MATCH (p:Person) RETURN p.name AS name, p.born AS born")
    assert [(r["name"], r["born"]) for r in records] == [("Ada", 1815)]


@pytest.mark.parametrize("ladybug_server", [{"auth": ("neo4j", "right")}], indirect=True)
async def test_ladybug_server_options_from_an_async_test(ladybug_server: Any) -> None:
    with pytest.raises(asyncbolt.AuthError):
        await asyncbolt.connect(ladybug_server.uri, auth=("neo4j", "wrong"))
    conn = await asyncbolt.connect(ladybug_server.uri, auth=("neo4j", "right"))
    try:
        assert await (await conn.run("RETURN 1 + 1 AS n")).values() == [[2]]
    finally:
        await conn.close()


def test_ladybug_server_skips_without_ladybug(inner: pytest.Pytester) -> None:
    pytester = inner
    pytester.makepyfile(test_inner="""
        import sys
        sys.modules["ladybug"] = None  # as if the serve extra were not installed

        def test_one(ladybug_server):
            pass
    """)
    result = pytester.runpytest_subprocess("-p", "asyncbolt.testing", "-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*ladybug_server needs asyncbolt's serve extra*"])


# -- bolt_stub --------------------------------------------------------------------------------------

SCRIPT = """
    !: BOLT 5.4

    A: HELLO {"{}": "*"}
    A: LOGON {"{}": "*"}
    *: RESET
    C: RUN "RETURN $x AS x" {"x": 1} {"[db]": "*"}
    C: PULL {"n": {"Z": "*"}}
    S: SUCCESS {"fields": ["x"]}
       RECORD [1]
       SUCCESS {"type": "r"}
    *: RESET
    ?: GOODBYE
"""


@needs_stub
def test_bolt_stub_with_the_official_driver(bolt_stub: Any) -> None:
    stub = bolt_stub(SCRIPT)
    with neo4j.GraphDatabase.driver(stub.uri, auth=("neo4j", "pw")) as driver, driver.session() as session:
        assert session.run("RETURN $x AS x", x=1).values() == [[1]]


@needs_stub
async def test_bolt_stub_from_an_async_test_and_a_script_file(bolt_stub: Any, tmp_path: Path) -> None:
    path = tmp_path / "one.script"
    path.write_text("\n".join(line.strip() for line in SCRIPT.splitlines()))
    stub = bolt_stub(path)
    conn = await asyncbolt.connect(stub.uri, auth=("neo4j", "pw"), versions=[(5, 4)])
    try:
        assert await (await conn.run("RETURN $x AS x", {"x": 1})).values() == [[1]]
    finally:
        await conn.close()


@needs_stub
def test_bolt_stub_fails_the_test_when_the_script_is_not_played_to_the_end(inner: pytest.Pytester) -> None:
    pytester = inner
    pytester.makepyfile(test_inner=f"""
        import neo4j

        SCRIPT = {SCRIPT!r}

        def test_wrong_query(bolt_stub):
            stub = bolt_stub(SCRIPT)
            with neo4j.GraphDatabase.driver(stub.uri, auth=("neo4j", "pw")) as driver:
                try:
                    with driver.session() as session:
                        session.run("RETURN $x AS x", x=2).values()
                except neo4j.exceptions.ServiceUnavailable:
                    pass  # the stub hangs up on the unexpected RUN

        def test_nobody_came(bolt_stub):
            bolt_stub(SCRIPT)
    """)
    result = pytester.runpytest_subprocess("-p", "asyncbolt.testing", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=2)
    result.stdout.fnmatch_lines(["*bolt_stub: the conversation broke the script*",
                                 "*RUN*",
                                 "*bolt_stub: the script was not played to the end*"])
