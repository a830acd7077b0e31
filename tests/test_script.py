"""``asyncbolt script``: a recorded connection (``asyncbolt proxy --record``) made into a stub
script, validated by testkit's own stub server (``boltstub``): recorded with asyncbolt's client
and the official driver against asyncbolt's server, replayed against ``boltstub`` playing the
script, the client must read the same values and the stub must reach the script's end (exit 0)."""

from __future__ import annotations

import asyncio
import io
import math
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

import asyncbolt
from asyncbolt.codec.messages import Begin, Hello, Init, Logon, Pull, Record, Route, Run, Success
from asyncbolt.codec.structures import (
    Date,
    DateTime,
    DateTimeZoneId,
    Duration,
    LegacyDateTime,
    LegacyDateTimeZoneId,
    LocalDateTime,
    LocalTime,
    Node,
    Point2D,
    Point3D,
    Relationship,
    Time,
    UnboundRelationship,
    Vector,
)
from asyncbolt.codec.structures import (
    Path as GraphPath,
)
from asyncbolt.codec.types import Structure
from asyncbolt.tools.proxy import run_proxy
from asyncbolt.tools.script import (
    WILDCARD,
    RecordingError,
    main,
    script_from_recording,
    script_from_streams,
    to_jolt,
)

from .sessions import EchoSession, Recorder
from .test_dump import chunked

ROOT = Path(__file__).resolve().parent.parent
TESTKIT = Path(os.environ.get("ASYNCBOLT_TESTKIT", ROOT.parent / "shared" / "testkit"))
TESTKIT_PYTHON = Path(os.environ.get("ASYNCBOLT_TESTKIT_PYTHON", ROOT / ".testkit-venv" / "bin" / "python"))


def jolt(value: Any, version=(5, 0), client=False) -> Any:
    return to_jolt(value, version, client=client)


# -- values ---------------------------------------------------------------------------------------

def test_scalars() -> None:
    assert jolt([None, True, 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1]) == \
        [None, True, 1, -(2 ** 31), {"Z": "2147483648"}, {"Z": "-2147483649"}]
    assert jolt([1.5, 1e300, math.nan, math.inf, -math.inf, -0.0]) == \
        [{"R": "1.5"}, {"R": "1e+300"}, {"R": "NaN"}, {"R": "+Infinity"}, {"R": "-Infinity"}, {"R": "-0.0"}]
    assert jolt(b"\x00\xab") == {"#": "00AB"}


def test_strings_and_keys_match_literally_in_client_lines() -> None:
    assert jolt("a*b\\c", client=True) == "a\\*b\\\\c"
    assert jolt("*", client=True) == "\\*"
    assert jolt("a*b\\c") == "a*b\\c"  # server lines send strings as they are
    assert jolt({"[opt]": 1, "x{}": 2, "a\\b": 3}, client=True) == {"\\[opt\\]": 1, "x\\{\\}": 2, "a\\\\b": 3}
    assert jolt(WILDCARD, client=True) == "*"
    with pytest.raises(RecordingError, match="server line cannot hold a wildcard"):
        jolt(WILDCARD)


def test_one_key_maps_that_look_like_sigils_are_wrapped() -> None:
    assert jolt({"Z": 1}) == {"{}": {"Z": 1}}
    assert jolt({"Tv2": 1}) == {"{}": {"Tv2": 1}}
    assert jolt({"name": 1}) == {"name": 1}
    assert jolt({"Z": 1, "R": 2}) == {"Z": 1, "R": 2}
    assert jolt({}) == {}


def test_temporal() -> None:
    assert jolt(Date(19782)) == {"T": "2024-02-29"}
    assert jolt(Date(-719162)) == {"T": "0001-01-01"}
    assert jolt(LocalTime(86399_000_000_001)) == {"T": "23:59:59.000000001"}
    assert jolt(Time(3_600_500_000_000, -5400)) == {"T": "01:00:00.5-0130"}
    assert jolt(LocalDateTime(946684799, 5)) == {"T": "1999-12-31T23:59:59.000000005"}
    assert jolt(DateTime(1709213821, 123456000, 7200)) == {"T": "2024-02-29T15:37:01.123456000+0200"}
    assert jolt(DateTime(0, 0, 0), (4, 4)) == {"Tv2": "1970-01-01T00:00:00.000000000+0000"}
    assert jolt(LegacyDateTime(7200, 0, 7200), (4, 4)) == {"T": "1970-01-01T02:00:00.000000000+0200"}
    # 2024-07-01T10:00Z is noon in Paris (CEST, +02:00).
    assert jolt(DateTimeZoneId(1719828000, 0, "Europe/Paris")) == \
        {"T": "2024-07-01T12:00:00.000000000+0200[Europe/Paris]"}
    assert jolt(LegacyDateTimeZoneId(1719835200, 0, "Europe/Paris"), (4, 4)) == \
        {"T": "2024-07-01T12:00:00.000000000+0200[Europe/Paris]"}
    assert jolt(Duration(14, 3, 4, 5000)) == {"T": "P14M3DT4.000005S"}
    assert jolt(Duration(0, 0, 0, 1_500_000_000)) == {"T": "P0M0DT1.5S"}


@pytest.mark.parametrize(("value", "error"), [
    (Duration(-1, 0, 0, 0), "negative duration"),
    (Date(10 ** 9), "beyond years 1-9999"),
    (Time(0, 30), "not whole minutes"),
    (DateTimeZoneId(0, 0, "No/Such_Zone"), "unknown time zone"),
    (Point2D(7203, math.inf, 0.0), "non-finite|coordinate"),
    (Vector.from_list([1.0], "float32"), "Vector"),
    (uuid.UUID(int=1), "UUID"),
    (Structure(0x01, [1]), "Structure"),
    (UnboundRelationship(1, "T", {}, "e"), "UnboundRelationship"),
])
def test_values_the_script_cannot_write(value: Any, error: str) -> None:
    with pytest.raises(RecordingError, match=error):
        to_jolt([value], (5, 0), client=False, what="server RECORD at offset 7, field 1")
    try:
        to_jolt(value, (5, 0), client=False, what="server RECORD at offset 7, field 1")
    except RecordingError as exc:
        assert str(exc).startswith("server RECORD at offset 7, field 1: ")


def test_points() -> None:
    assert jolt(Point2D(7203, 1.5, -2.0)) == {"@": "SRID=7203;POINT(1.5 -2.0)"}
    assert jolt(Point3D(4979, 1e-7, 2e20, 0.0)) == \
        {"@": "SRID=4979;POINT(0.000000099999999999999995474811182588625868561393872369080781936645507812"
              "5 200000000000000000000.0 0.0)"}


def test_graph_values_v1_and_v2() -> None:
    a, b = Node(1, ["A"], {"x": 1}, "4:a"), Node(2, [], {}, "4:b")
    rel = Relationship(7, 1, 2, "KNOWS", {"since": 2.5}, "5:r", "4:a", "4:b")
    assert jolt(a, (4, 4)) == {"()": [1, ["A"], {"x": 1}]}
    assert jolt(a) == {"()": [1, ["A"], {"x": 1}, "4:a"]}
    assert jolt(rel, (4, 4)) == {"->": [7, 1, "KNOWS", 2, {"since": {"R": "2.5"}}]}
    assert jolt(rel) == {"->": [7, 1, "KNOWS", 2, {"since": {"R": "2.5"}}, "5:r", "4:a", "4:b"]}
    # a -> b, then back along the same relationship: b <- a written as its real direction
    path = GraphPath([a, b], [UnboundRelationship(7, "KNOWS", {}, "5:r")], [1, 1, -1, 0])
    assert jolt(path) == {"..": [
        {"()": [1, ["A"], {"x": 1}, "4:a"]}, {"->": [7, 1, "KNOWS", 2, {}, "5:r", "4:a", "4:b"]},
        {"()": [2, [], {}, "4:b"]}, {"->": [7, 1, "KNOWS", 2, {}, "5:r", "4:a", "4:b"]},
        {"()": [1, ["A"], {"x": 1}, "4:a"]}]}


# -- whole conversations --------------------------------------------------------------------------

def _handshake(version: tuple[int, int]) -> tuple[bytes, bytes]:
    client = b"\x60\x60\xb0\x17" + bytes([0, 0, version[1], version[0]]) + bytes(12)
    return client, bytes([0, 0, version[1], version[0]])


def _streams(version: tuple[int, int], requests: list, answers: list) -> tuple[bytes, bytes]:
    c, s = _handshake(version)
    return c + chunked(version, *requests), s + chunked(version, *answers)


def test_wildcards_and_secrets() -> None:
    c, s = _streams((4, 4), [
        Hello({"user_agent": "drv/1.2.3", "scheme": "basic", "principal": "neo4j", "credentials": "s3cret",
               "routing": {"address": "10.0.0.7:7687", "region": "eu"}}),
        Route({"address": "10.0.0.7:7687"}, ["bm:2"], extra={"db": "movies"}),
        Begin({"bookmarks": ["bm:1"], "db": "movies", "tx_timeout": 3000, "mode": "r"}),
        Run("RETURN $x", {"x": "*"}, {}),
    ], [Success({"server": "Neo4j/4.4.0", "connection_id": "bolt-9"}),
        Success({"rt": {"ttl": 300, "db": "movies", "servers": []}}), Success({}), Success({"fields": ["x"]})])
    text = script_from_streams(c, s)
    assert "s3cret" not in text and "drv/1.2.3" not in text and "10.0.0.7" not in text and "bm:" not in text
    lines = text.splitlines()
    assert "!: BOLT 4.4" in lines
    assert ('C: HELLO {"user_agent": "*", "scheme": "basic", "principal": "neo4j", "credentials": "*", '
            '"routing": {"address": "*", "region": "eu"}}') in lines
    assert 'C: BEGIN {"bookmarks": "*", "db": "movies", "tx_timeout": 3000, "mode": "r"}' in lines
    assert 'C: RUN "RETURN $x" {"x": "\\\\*"} {}' in lines  # a literal "*" parameter stays literal
    assert 'C: ROUTE {"address": "*"} "*" {"db": "movies"}' in lines
    # Server lines keep what the server said (the stub allows no wildcard there).
    assert 'S: SUCCESS {"server": "Neo4j/4.4.0", "connection_id": "bolt-9"}' in lines


def test_init_and_logon_hide_credentials() -> None:
    c, s = _streams((1, 0), [Init("drv/1", {"scheme": "basic", "principal": "u", "credentials": "pw"})],
                    [Success({"server": "Neo4j/3.0.0"})])
    text = script_from_streams(c, s)
    assert "!: BOLT 1\n" in text  # boltstub reads "1.0"... and "3.0" as Neo4j versions: majors only
    assert 'C: INIT "*" {"scheme": "basic", "principal": "u", "credentials": "*"}' in text
    c, s = _streams((5, 4), [Hello({"user_agent": "x", "bolt_agent": {"product": "x/1"}}),
                             Logon({"scheme": "basic", "principal": "u", "credentials": "pw"})],
                    [Success({}), Success({})])
    text = script_from_streams(c, s)
    assert '"credentials": "*"' in text and "pw" not in text and '"bolt_agent": "*"' in text


def test_pairing_and_goodbye() -> None:
    from asyncbolt.codec.messages import Goodbye

    c, s = _streams((5, 4), [Hello({}), Logon({"scheme": "none"}), Run("R", {}, {}), Pull({"n": -1}), Goodbye()],
                    [Success({}), Success({}), Success({"fields": ["n"]}), Record([1]), Record([2]),
                     Success({"type": "r"})])
    body = [x for x in script_from_streams(c, s).splitlines() if x and x[0] in "CS?"]
    assert body == ["C: HELLO {}", "S: SUCCESS {}", 'C: LOGON {"scheme": "none"}', "S: SUCCESS {}",
                    'C: RUN "R" {} {}', 'S: SUCCESS {"fields": ["n"]}', 'C: PULL {"n": -1}',
                    "S: RECORD [1]", "S: RECORD [2]", 'S: SUCCESS {"type": "r"}', "?: GOODBYE"]


def test_damaged_or_missing_recording_is_an_error(tmp_path: Path) -> None:
    c, s = _streams((5, 4), [Hello({})], [Success({})])
    with pytest.raises(RecordingError, match="the recording has problems .*asyncbolt inspect"):
        script_from_streams(c, s[:-3])
    with pytest.raises(RecordingError, match="no complete handshake"):
        script_from_streams(b"", b"")
    with pytest.raises(RecordingError, match="no recording at .*7-client.bin, .*7-server.bin not found"):
        script_from_recording(tmp_path / "7")
    err = io.StringIO()
    assert main([str(tmp_path / "7-client.bin")], stderr=err) == 1
    assert err.getvalue().startswith("asyncbolt script: no recording at")


def test_cli_writes_the_script(tmp_path: Path) -> None:
    c, s = _streams((5, 4), [Hello({"user_agent": "x"})], [Success({"server": "Neo4j/5.20.0"})])
    (tmp_path / "3-client.bin").write_bytes(c)
    (tmp_path / "3-server.bin").write_bytes(s)
    out = io.StringIO()
    assert main([str(tmp_path / "3-server.bin")], stdout=out) == 0
    assert 'C: HELLO {"user_agent": "*"}' in out.getvalue()
    assert main([str(tmp_path / "3"), "-o", str(tmp_path / "x.script")]) == 0
    assert (tmp_path / "x.script").read_text() == out.getvalue()
    proc = subprocess.run([sys.executable, "-m", "asyncbolt", "script", str(tmp_path / "3")], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout == out.getvalue(), proc.stderr


# -- recorded, scripted, replayed against testkit's boltstub ---------------------------------------

def _boltstub_missing() -> str | None:
    if not (TESTKIT / "boltstub").is_dir():
        return f"testkit's boltstub is not at {TESTKIT} (set ASYNCBOLT_TESTKIT)"
    if not TESTKIT_PYTHON.exists():
        return f"no testkit venv at {TESTKIT_PYTHON} (make testkit-venv, or set ASYNCBOLT_TESTKIT_PYTHON)"
    return None


class BoltStub:
    """testkit's real ``boltstub`` playing ``script`` on a free port, in a child process."""

    def __init__(self, script: Path) -> None:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc = subprocess.Popen(
            [str(TESTKIT_PYTHON), "-m", "boltstub", "-l", f"127.0.0.1:{self.port}", "-v", str(script)],
            cwd=TESTKIT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        # It prints "Listening" once bound (probing the port would be taken as the client).
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline()
        assert "Listening" in first, first + self.finish()[1]

    def finish(self, timeout: float = 20) -> tuple[int, str]:
        try:
            out, _ = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        return self.proc.returncode, out


async def _record(tmp_path: Path, version: tuple[int, int], work: Any) -> Any:
    from .scripted_sessions import asyncbolt_work, neo4j_work

    server = await asyncbolt.serve(EchoSession, "127.0.0.1", 0, recorder=Recorder(), versions=[version])
    proxy = await run_proxy("127.0.0.1", 0, "127.0.0.1", server.port, record_dir=tmp_path)
    try:
        uri = f"bolt://127.0.0.1:{proxy.port}"
        if work == "asyncbolt":
            return await asyncbolt_work(uri, version)
        return await asyncio.to_thread(neo4j_work, uri)
    finally:
        proxy.close()
        await proxy.wait_closed()
        server.close()
        await server.wait_closed()


CASES = [("asyncbolt", (3, 0)), ("asyncbolt", (4, 4)), ("asyncbolt", (5, 4)), ("asyncbolt", (5, 7)),
         ("neo4j", (4, 4)), ("neo4j", (5, 4))]
#: Beyond boltstub's versions: played by asyncbolt's own stub only.
NEWER = [("asyncbolt", (5, 8)), ("asyncbolt", (6, 0)), ("neo4j", (5, 8))]


async def _replay(uri: str, client: str, version: tuple[int, int]) -> Any:
    from .scripted_sessions import asyncbolt_work, neo4j_work

    if client == "asyncbolt":
        return await asyncbolt_work(uri, version)
    return await asyncio.to_thread(neo4j_work, uri)


async def _recorded_script(tmp_path: Path, client: str, version: tuple[int, int]) -> tuple[Any, Path]:
    if client == "neo4j":
        pytest.importorskip("neo4j")
    recorded = await _record(tmp_path, version, client)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["1-client.bin", "1-order.txt", "1-server.bin"], files
    text = script_from_recording(tmp_path / "1")
    assert "s3cret" not in text and '"credentials": "*"' in text and '"user_agent": "*"' in text
    script = tmp_path / "conversation.script"
    script.write_text(text)
    return recorded, script


@pytest.mark.parametrize(("client", "version"), CASES, ids=[f"{c}-{v[0]}.{v[1]}" for c, v in CASES])
async def test_recorded_session_replays_on_boltstub(tmp_path: Path, client: str, version: tuple[int, int]) -> None:
    missing = _boltstub_missing()
    if missing:
        pytest.skip(missing)
    recorded, script = await _recorded_script(tmp_path, client, version)
    stub = BoltStub(script)
    try:
        replayed = await _replay(f"bolt://127.0.0.1:{stub.port}", client, version)
    finally:
        code, log = await asyncio.to_thread(stub.finish)
    assert code == 0, log[-4000:]
    assert "Script finished" in log
    assert replayed == recorded


@pytest.mark.parametrize(("client", "version"), CASES + NEWER, ids=[f"{c}-{v[0]}.{v[1]}" for c, v in CASES + NEWER])
async def test_recorded_session_replays_on_asyncbolt_stub(tmp_path: Path, client: str,
                                                          version: tuple[int, int]) -> None:
    stub_module = pytest.importorskip("asyncbolt.tools.stub", reason="asyncbolt.tools.stub (asyncbolt stub) is not in this "
                                                               "tree yet")
    recorded, script = await _recorded_script(tmp_path, client, version)
    async with stub_module.StubServer(script) as stub:
        replayed = await _replay(stub.uri, client, version)
        assert await stub.wait(10), stub.errors
    assert replayed == recorded


async def test_stub_record_plays_a_recording_directly(tmp_path: Path) -> None:
    """``asyncbolt stub --record DIR/N``: the recording converted on the fly, played to the end."""
    import socket

    recorded = await _record(tmp_path, (5, 4), "asyncbolt")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "asyncbolt", "stub", "--record", "-v",
                             "-l", f"127.0.0.1:{port}", str(tmp_path / "1")],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        first = await asyncio.to_thread(proc.stdout.readline)
        assert "Listening" in first, first
        replayed = await _replay(f"bolt://127.0.0.1:{port}", "asyncbolt", (5, 4))
        out, _ = await asyncio.to_thread(proc.communicate, timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, out[-4000:]
    assert replayed == recorded
    assert "C: HELLO" in out and "Script finished" in out


def test_stub_record_names_a_missing_recording(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "asyncbolt", "stub", "--record", str(tmp_path / "9")],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 99
    assert f"Error while converting the recording {tmp_path / '9'}: no recording at" in proc.stderr
