"""``asyncbolt conformance``: asyncbolt's own server passes every check of every version;
``asyncbolt serve`` passes too; servers broken on purpose fail the matching check, with the
exact bytes in its line; the JSON report's shape; exit codes 0, 1 and 2."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import asyncbolt
from asyncbolt._generated.versions import SERVER_VERSIONS, VERSIONS
from asyncbolt.core.handshake_wire import format_version
from asyncbolt.tools.conformance.auth import metadata_check
from asyncbolt.tools.conformance.checking import Checker
from asyncbolt.tools.conformance.cli import main
from asyncbolt.tools.conformance.runner import check_server, open_ready, ready_opener
from asyncbolt.tools.conformance.target import (
    DEFAULT_ECHO_QUERY,
    DEFAULT_GRAPH_QUERY,
    DEFAULT_ROWS_QUERY,
    Target,
)

from .conformance_open import GRAPH
from .sessions import ServerThread

ROOT = Path(__file__).resolve().parent.parent
USER, PASSWORD = "neo4j", "secret"


class QueryApp(asyncbolt.ServerSession):
    """A Cypher-less application answering exactly the checker's two queries."""

    async def authenticate(self, auth: dict[str, Any]) -> None:
        if auth.get("principal") != USER or auth.get("credentials") != PASSWORD:
            raise asyncbolt.AuthError("wrong user or password")

    async def run(self, query: str, parameters: dict[str, Any], extra: dict[str, Any]) -> asyncbolt.ServerResult:
        if query == DEFAULT_ROWS_QUERY:
            return asyncbolt.ServerResult(["i"], ([i] for i in range(1, parameters["n"] + 1)))
        if query == DEFAULT_ECHO_QUERY:
            return asyncbolt.ServerResult(["x"], [[parameters["x"]]])
        if query == DEFAULT_GRAPH_QUERY:
            return asyncbolt.ServerResult(["a", "r", "b", "p"], [GRAPH])
        if query in ("BEGIN", "ROLLBACK"):  # the graph query's transaction on Bolt 1.0-2.0
            return asyncbolt.ServerResult([], [])
        raise asyncbolt.ClientError("Neo.ClientError.Statement.SyntaxError", f"unknown query {query!r}")


def _failures(report: Any) -> str:
    import io

    out = io.StringIO()
    report.write_text(out, show_skips=False, show_passes=False)
    return out.getvalue()


async def test_asyncbolt_server_passes_every_check_of_every_version() -> None:
    server = await asyncbolt.serve(QueryApp, "127.0.0.1", 0)
    async with server:
        target = Target("127.0.0.1", server.port, user=USER, password=PASSWORD)
        started = time.perf_counter()
        report = await check_server(target)
        took = time.perf_counter() - started
    assert report.passed, _failures(report)
    summary = report.summary()
    assert summary["handshake"]["fail"] == 0 and summary["handshake"]["pass"] >= 5
    for version in SERVER_VERSIONS:
        counts = summary[format_version(version)]
        assert counts["fail"] == 0 and counts["pass"] >= 30, (version, counts)
    withdrawn = [v for v in VERSIONS if v not in SERVER_VERSIONS]
    for version in withdrawn:
        (check,) = [c for c in report.checks if c.version == format_version(version)]
        assert check.outcome == "skip" and "not offered" in check.detail
    names = {c.name for c in report.checks}
    for expected in ("FAILED: RUN -> IGNORED", "STREAMING: RESET -> SUCCESS", "READY: GOODBYE -> closes",
                     "TX_STREAMING: RUN -> SUCCESS", "INTERRUPTED: RUN before a RESET -> IGNORED",
                     "AUTHENTICATION: LOGON -> SUCCESS"):
        assert expected in names
    print(f"\nconformance of asyncbolt's server, {len(report.checks)} checks: {took:.1f}s")


async def test_open_ready_gives_a_ready_connection_of_each_version() -> None:
    """What the value checks are handed: a connection of the version, logged in, READY."""
    server = await asyncbolt.serve(QueryApp, "127.0.0.1", 0)
    async with server:
        target = Target("127.0.0.1", server.port, user=USER, password=PASSWORD)
        for version in ((1, 0), (5, 0), (5, 4), (6, 1)):
            for opener in (lambda v=version: open_ready(target, v), ready_opener(target, version)):
                probe = await opener()
                try:
                    assert probe.version == version
                    run = Checker(target, version).run_rows(2)
                    await probe.send(run)
                    assert (await probe.recv()).name == "SUCCESS"
                finally:
                    probe.close()


def test_metadata_of_the_wrong_type_fails_with_the_message_bytes() -> None:
    ck = Checker(Target("127.0.0.1", 1), (5, 4))
    ck.summaries.append(("PULL", "SUCCESS", {"has_more": "yes"}, b"\xb1\x70\xa1\x88has_more\x83yes"))
    check = metadata_check(ck)
    assert check.outcome == "fail" and "has_more must be Boolean" in check.detail
    assert check.received == b"\x00\x10\xb1\x70\xa1\x88has_more\x83yes\x00\x00"
    ck.summaries[:] = [("RUN", "FAILURE", {"message": "m"}, b"\xb1\x7f\xa1\x87message\x81m")]  # no code
    assert "FAILURE should carry code" in metadata_check(ck).detail


# -- the command line ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app():
    with ServerThread(QueryApp) as srv:
        yield srv


def test_cli_quiet_passes_with_exit_0(app: ServerThread, capsys: pytest.CaptureFixture[str]) -> None:
    code = main([app.uri, "--user", USER, "--password", PASSWORD, "--bolt", "5.4", "--quiet"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "PASS" not in out and re.search(r"5\.4: \d+ passed, 0 failed, \d+ skipped  ok", out)
    assert app.uri in out


def test_cli_json_shape(app: ServerThread, capsys: pytest.CaptureFixture[str]) -> None:
    code = main([app.uri, "--user", USER, "--password", PASSWORD, "--bolt", "3.0", "--bolt", "5.5", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert set(report) == {"target", "passed", "summary", "checks"} and report["passed"] is True
    assert report["target"] == app.uri
    assert set(report["summary"]) == {"handshake", "3.0", "5.5"}
    assert report["summary"]["5.5"] == {"pass": 0, "fail": 0, "skip": 1}
    for check in report["checks"]:
        assert set(check) == {"version", "name", "outcome", "detail", "sent", "received"}
        assert check["outcome"] in ("pass", "skip")


def test_cli_auth_none_and_no_rows_query(capsys: pytest.CaptureFixture[str]) -> None:
    """An open server (auth none) and no rows, echo or graph query: the checks that need them are
    skipped with the reason; the wrong-password check too, nothing to spoil."""
    with ServerThread() as srv:  # tests.sessions.EchoSession: accepts everyone
        code = main([srv.uri, "--auth", "none", "--bolt", "4.4", "--rows-query", "off", "--echo-query", "off",
                     "--graph-query", "off"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "SKIP       4.4  graph structures: no graph query given" in out
    assert "SKIP       4.4  results: RUN, then PULL streams rows 1..n: no rows query (--rows-query)" in out
    assert "no credentials to spoil (--auth none)" in out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_cli_exit_2_for_an_unreachable_server(capsys: pytest.CaptureFixture[str]) -> None:
    port = _free_port()
    assert main([f"bolt://127.0.0.1:{port}", "--auth", "none"]) == 2
    err = capsys.readouterr().err
    assert f"cannot reach bolt://127.0.0.1:{port}: connection refused" in err


@pytest.mark.parametrize("args, message", [
    (["bolt://127.0.0.1:7687"], "give --user and --password (basic auth), or --auth none"),
    (["bolt://127.0.0.1:7687", "--user", "u"], "give --user and --password"),
    (["bolt://127.0.0.1:7687", "--auth", "none", "--user", "u"], "--auth none takes no --user/--password"),
    (["bolt://127.0.0.1:7687", "--auth", "none", "--bolt", "9.9"], "no Bolt version '9.9' in the spec"),
    (["http://127.0.0.1:7687", "--auth", "none"], "unsupported scheme 'http'"),
    (["bolt://u:p@127.0.0.1:7687", "--auth", "none"], "the URI carries no user or password"),
    (["bolt://127.0.0.1:7687", "--auth", "none", "--timeout", "0"], "--timeout must be a positive"),
])
def test_cli_exit_2_for_unusable_arguments(args: list[str], message: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


# -- servers broken on purpose ------------------------------------------------------------------

IGNORED = b"\xb0\x7e"
EMPTY_SUCCESS = b"\xb1\x70\xa0"
GOODBYE = b"\xb0\x02"


class BreakingProxy:
    """A proxy in front of an asyncbolt server that breaks one rule, message by message (the
    handshake passes unchanged): ``ignored_as_success`` answers SUCCESS {} where the server
    said IGNORED; ``keep_after_goodbye`` swallows GOODBYE and keeps the connection open."""

    def __init__(self, upstream_port: int, *, ignored_as_success: bool = False,
                 keep_after_goodbye: bool = False) -> None:
        self.upstream_port = upstream_port
        self.ignored_as_success = ignored_as_success
        self.keep_after_goodbye = keep_after_goodbye
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> BreakingProxy:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        assert self.server is not None
        self.server.close()

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        try:
            opening = await reader.readexactly(20)
            up_writer.write(opening)
            answer = await up_reader.readexactly(4)
            writer.write(answer)
            tasks = [asyncio.create_task(self._pipe(reader, up_writer, "client")),
                     asyncio.create_task(self._pipe(up_reader, writer, "server"))]
            if answer[3] == 0xFF or answer == b"\x00\x00\x00\x00":  # (a manifest: passed raw)
                tasks = [asyncio.create_task(self._raw(reader, up_writer)),
                         asyncio.create_task(self._raw(up_reader, writer))]
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in tasks:
                task.cancel()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
            up_writer.close()

    async def _raw(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            writer.write(data)
        writer.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, side: str) -> None:
        while True:
            message = b""
            while True:  # one message: chunks up to the 00 00 that ends it
                size = int.from_bytes(await reader.readexactly(2), "big")
                if size == 0:
                    break
                message += await reader.readexactly(size)
            if side == "server" and self.ignored_as_success and message == IGNORED:
                message = EMPTY_SUCCESS
            if side == "client" and self.keep_after_goodbye and message == GOODBYE:
                await asyncio.sleep(3600)  # (cancelled when the client goes)
            if message:
                writer.write(len(message).to_bytes(2, "big") + message + b"\x00\x00")
            else:
                writer.write(b"\x00\x00")


def _run_cli(port: int, *args: str) -> tuple[int, str]:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([f"bolt://127.0.0.1:{port}", "--user", USER, "--password", PASSWORD, *args])
    return code, out.getvalue()


async def _cli_in_thread(port: int, *args: str) -> tuple[int, str]:
    return await asyncio.get_running_loop().run_in_executor(None, lambda: _run_cli(port, *args))


async def test_a_server_answering_success_in_failed_fails_with_the_bytes() -> None:
    server = await asyncbolt.serve(QueryApp, "127.0.0.1", 0, versions=[(4, 4)])
    async with server, BreakingProxy(server.port, ignored_as_success=True) as proxy:
        code, out = await _cli_in_thread(proxy.port, "--bolt", "4.4", "--quiet")
    assert code == 1
    lines = out.splitlines()
    at = lines.index(next(line for line in lines if line.startswith("FAIL       4.4  FAILED: RUN -> IGNORED")))
    assert "RUN in FAILED should be answered IGNORED (until RESET), got SUCCESS" in lines[at]
    # The exact bytes of the connection: RUN sent, and the SUCCESS {} that came instead of IGNORED.
    assert lines[at + 1].strip().startswith("sent:") and "b3 10" in lines[at + 1]
    assert lines[at + 2].strip().startswith("received:") and lines[at + 2].endswith("00 03 b1 70 a0 00 00")
    assert "4.4: " in out and "FAILED" in out.splitlines()[-1]


async def test_a_server_that_stays_open_after_goodbye_fails() -> None:
    server = await asyncbolt.serve(QueryApp, "127.0.0.1", 0, versions=[(4, 4)])
    async with server, BreakingProxy(server.port, keep_after_goodbye=True) as proxy:
        code, out = await _cli_in_thread(proxy.port, "--bolt", "4.4", "--quiet", "--timeout", "0.5")
    assert code == 1
    line = next(line for line in out.splitlines() if line.startswith("FAIL       4.4  READY: GOODBYE -> closes"))
    assert "the connection should close after GOODBYE in READY; it stayed open 0.5s" in line
    assert "00 02 b0 02 00 00" in out  # the GOODBYE sent, among the bytes shown


# -- asyncbolt serve (LadybugDB) ----------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a subprocess")
def test_asyncbolt_serve_passes() -> None:
    """Every protocol check passes on `asyncbolt serve`. The value round trip is not asked here:
    LadybugDB has no point type, for one, and refuses those values with a FAILURE, which is
    right for it but fails the check; tests/test_serve_ladybug_values.py holds it to exact
    round trips or precise refusals."""
    pytest.importorskip("ladybug")
    proc = subprocess.Popen([sys.executable, "-m", "asyncbolt", "serve", "--port", "0", "--auth",
                             f"{USER}:{PASSWORD}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    try:
        line = proc.stdout.readline()
        match = re.search(r"bolt://\S+", line)
        assert match, f"no address in {line!r}"
        run = subprocess.run([sys.executable, "-m", "asyncbolt", "conformance", match.group(), "--user", USER,
                              "--password", PASSWORD, "--bolt", "4.4", "--bolt", "5.8", "--quiet",
                              "--echo-query", "off", "--graph-query", "off"],
                             capture_output=True, text=True, cwd=ROOT, timeout=120)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"4\.4: \d+ passed, 0 failed", run.stdout) and re.search(r"5\.8: \d+ passed, 0 failed", run.stdout)


# -- TLS, URIs ----------------------------------------------------------------------------------


async def test_tls_bolt_ssc(tmp_path: Path) -> None:
    import ssl

    from . import tlscerts

    if not tlscerts.available():
        pytest.skip("needs the openssl command")
    cert, key = tlscerts.make_leaf("server", tmp_path, None)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = await asyncbolt.serve(QueryApp, "127.0.0.1", 0, ssl=context)
    async with server:
        target = Target.from_uri(f"bolt+ssc://127.0.0.1:{server.port}", user=USER, password=PASSWORD)
        report = await check_server(target, [(5, 8)])
        assert report.passed, _failures(report)
        assert report.target == f"bolt+ssc://127.0.0.1:{server.port}"
        plain = Target("127.0.0.1", server.port, user=USER, password=PASSWORD, timeout=2)
        report = await check_server(plain, [(5, 8)])  # no TLS to a TLS server: nothing answers
        assert not report.passed


@pytest.mark.parametrize("uri, parsed", [
    ("bolt://db.example:7000", ("db.example", 7000, None)),
    ("db.example", ("db.example", 7687, None)),
    ("bolt+s://[::1]:7688", ("::1", 7688, "verify")),
    ("neo4j+ssc://h", ("h", 7687, "self-signed")),
])
def test_parse_uri(uri: str, parsed: tuple) -> None:
    from asyncbolt.tools.conformance.target import parse_uri

    assert parse_uri(uri) == parsed
    assert Target.from_uri(uri).uri.split("://")[0] in ("bolt", "bolt+s", "bolt+ssc")


async def test_announced_hint_and_a_refused_large_request_pass() -> None:
    """The recv_timeout hint is checked for its type and value; a request over the server's
    max_message_size refused with a FAILURE is a pass (saying so)."""
    server = await asyncbolt.serve(QueryApp, "127.0.0.1", 0, recv_timeout=4, max_message_size=1 << 19)
    async with server:
        report = await check_server(Target("127.0.0.1", server.port, user=USER, password=PASSWORD), [(5, 4)])
    assert report.passed, _failures(report)
    details = {c.name.split(":")[0]: c.detail for c in report.checks}
    assert "'connection.recv_timeout_seconds': 4" in details["limits"]
    assert "refused with FAILURE" in details["framing"] and "Neo.ClientError.Request.Invalid" in details["framing"]


# -- a server that goes away ---------------------------------------------------------------------


async def test_a_server_that_stops_listening_fails_one_check_and_skips_the_rest() -> None:
    # The server closes its port after the first check of 5.4 (as a crash would): once a
    # connection is refused (no --reconnect-wait), the server counts as gone, and every later
    # check is skipped with the reason instead of failing one by one.
    server = await asyncbolt.serve(QueryApp, "127.0.0.1", 0)
    target = Target("127.0.0.1", server.port, user=USER, password=PASSWORD, timeout=1.0)

    def progress(check: Any) -> None:
        if check.version == "5.4":
            server.close()

    async with server:
        report = await check_server(target, [(5, 4)], progress=progress)
    assert not report.passed
    failed = [c for c in report.checks if c.outcome == "fail"]
    assert len(failed) == 1, _failures(report)
    assert "stopped accepting connections" in target.gone
    # (the metadata check reads the answers already seen: it needs no connection)
    after = [c for c in report.checks[report.checks.index(failed[0]) + 1:] if not c.name.startswith("metadata")]
    assert len(after) > 20, _failures(report)
    assert all(c.outcome == "skip" and c.detail.startswith("not run: the server stopped accepting connections")
               for c in after), _failures(report)


async def test_reconnect_wait_waits_for_a_server_started_again() -> None:
    port = _free_port()
    target = Target("127.0.0.1", port, user=USER, password=PASSWORD, timeout=1.0, reconnect_wait=5.0)

    async def start_later() -> asyncbolt.Server:
        await asyncio.sleep(0.5)
        return await asyncbolt.serve(QueryApp, "127.0.0.1", port)

    starting = asyncio.ensure_future(start_later())
    probe = await target.connect()  # refused for ~0.5 s, then taken
    probe.close()
    async with await starting:
        assert target.gone is None
        probe = await open_ready(target, (5, 4))
        probe.close()
