"""``asyncbolt proxy`` between the official driver and asyncbolt's own server.

The proxy must be invisible: the driver gets the same results through it as directly, the
bytes on both sides are identical (checked against independent byte taps), and the log shows
every message with its connection and direction, passwords redacted.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import neo4j
import neo4j.exceptions as nx
import pytest

import asyncbolt
from asyncbolt.codec.messages import Hello, Pull, Run
from asyncbolt.tools import proxy as proxy_mod
from asyncbolt.tools.proxy import parse_listen, parse_upstream, run_proxy

from .conftest import until
from .rawbolt import MAGIC, RawBolt, proposal
from .sessions import EchoSession, Recorder, ServerThread

PASSWORD = "pa55-S3CRET-w0rd"
AUTH = ("neo4j", PASSWORD)
LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z) (#\d+|--) (C->S|S->C|--) (.*)$")


# -- helpers ----------------------------------------------------------------------------------


class Lines(logging.Handler):
    """Collects what the ``asyncbolt.tools.proxy`` logger emits, as finished lines."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.levels: list[int] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())
        self.levels.append(record.levelno)


@pytest.fixture
def logged():
    """The proxy's default logger, captured."""
    logger = logging.getLogger("asyncbolt.tools.proxy")
    handler = Lines()
    saved = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved)


def messages(lines: list[str]) -> list[tuple[str, str, str]]:
    """``(conn, arrow, rest)`` of every Bolt-traffic line (not the proxy's own notes)."""
    out = []
    for line in lines:
        match = LINE.match(line)
        assert match, f"malformed log line: {line!r}"
        if match.group(3) != "--":
            out.append((match.group(2), match.group(3), match.group(4)))
    return out


def seen(lines: list[str], arrow: str, name: str) -> int:
    """How many messages called ``name`` went in direction ``arrow`` (``render_text`` lines:
    ``offset side NAME fields``)."""
    count = 0
    for _, a, rest in messages(lines):
        match = re.match(r"\s*\d+ (client|server)\s+(\S+)", rest)
        if a == arrow and match and match.group(2) == name:
            assert match.group(1) == ("client" if arrow == "C->S" else "server")
            count += 1
    return count


class Tap:
    """A minimal TCP relay written independently of the proxy: it keeps every byte it passes
    in each direction, per connection. The ground truth for "unchanged"."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.streams: list[tuple[bytearray, bytearray]] = []
        self.tasks: list[asyncio.Task] = []
        self.server: asyncio.base_events.Server | None = None

    async def start(self) -> Tap:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self

    @property
    def port(self) -> int:
        return self.server.sockets[0].getsockname()[1]

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.tasks.append(asyncio.current_task())
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        c2s, s2c = bytearray(), bytearray()
        self.streams.append((c2s, s2c))

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter, keep: bytearray) -> None:
            try:
                while data := await src.read(65536):
                    keep += data
                    dst.write(data)
                    await dst.drain()
            except ConnectionError:
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_writer, c2s), pipe(up_reader, writer, s2c))

    async def close(self) -> None:
        await asyncio.wait_for(asyncio.gather(*self.tasks, return_exceptions=True), 5)
        self.server.close()
        await self.server.wait_closed()


async def scenario(uri: str) -> dict[str, Any]:
    """What the driver makes of a typical workload: parameters, a stream in batches,
    transactions, a failure and the session carrying on."""
    out: dict[str, Any] = {}
    params = {"i": -(2**63), "s": "grüße 東京", "b": b"\x00\xff" * 100, "l": [1, [2.5, None]],
              "m": {"k": {"nested": True}}, "long": "x" * 70_000}
    async with neo4j.AsyncGraphDatabase.driver(uri, auth=AUTH, max_connection_pool_size=1) as driver:
        async with driver.session(fetch_size=100) as session:
            out["echo"] = (await (await session.run("ECHO", params)).single()).data()
            result = await session.run("STREAM 1000")
            out["stream"] = [r["i"] async for r in result]

            async def work(tx: Any, value: int) -> int:
                return (await (await tx.run("ECHO", {"v": value})).single())["v"]

            out["managed"] = await session.execute_write(work, 41)
            tx = await session.begin_transaction()
            out["explicit"] = (await (await tx.run("ECHO", {"v": 2})).single())["v"]
            await tx.rollback()
            with pytest.raises(nx.CypherSyntaxError) as exc:
                await (await session.run("FAIL")).consume()
            out["failure"] = (exc.value.code, exc.value.message)
            out["after"] = (await (await session.run("ECHO", {"a": 1})).single())["a"]
        out["protocol"] = (await driver.get_server_info()).protocol_version
    return out


async def raw_reply(port: int, data: bytes) -> bytes:
    """Send ``data`` on a fresh connection, then everything the other end sends until it closes."""
    bolt = await RawBolt.connect(port)
    try:
        await bolt.send_raw(data)
        return await bolt.read_raw_until_eof(timeout=5)
    finally:
        bolt.close()


# -- the driver through the proxy -------------------------------------------------------------


async def test_driver_gets_the_same_results_and_every_message_is_logged(server, logged) -> None:
    direct = await scenario(f"bolt://127.0.0.1:{server.port}")
    proxy = await run_proxy("127.0.0.1", 0, "127.0.0.1", server.port)
    async with proxy:
        proxied = await scenario(f"bolt://127.0.0.1:{proxy.port}")
        await until(lambda: not proxy.connections)
    assert proxied == direct
    assert proxied["stream"] == list(range(1000)) and proxied["managed"] == 41
    assert proxied["failure"][0] == "Neo.ClientError.Statement.SyntaxError"
    assert proxied["protocol"] >= (5, 1)  # so LOGON carries the credentials

    lines = logged.lines
    for arrow, name in [("C->S", "HELLO"), ("C->S", "LOGON"), ("C->S", "RUN"), ("C->S", "PULL"),
                        ("C->S", "BEGIN"), ("C->S", "COMMIT"), ("C->S", "ROLLBACK"), ("C->S", "GOODBYE"),
                        ("S->C", "SUCCESS"), ("S->C", "RECORD"), ("S->C", "FAILURE")]:
        assert seen(lines, arrow, name), f"no {arrow} {name} in the log:\n" + "\n".join(lines[:40])
    assert seen(lines, "S->C", "RECORD") >= 1000 + 4
    assert seen(lines, "C->S", "PULL") >= 10  # fetch_size 100: the stream came in batches
    conns = {c for c, _, _ in messages(lines)}
    assert conns == {"#1"}, conns
    assert any("open from 127.0.0.1:" in line for line in lines)
    assert any(re.search(r"#1 -- closed .* bytes C->S, \d+ bytes S->C", line) for line in lines)
    assert not any(PASSWORD in line for line in lines)


async def test_json_log_lines(server) -> None:
    lines: list[str] = []
    async with await run_proxy("127.0.0.1", 0, "127.0.0.1", server.port, log=lines.append, json=True) as proxy:
        uri = f"bolt://127.0.0.1:{proxy.port}"
        async with neo4j.AsyncGraphDatabase.driver(uri, auth=AUTH) as driver:
            records, _, _ = await driver.execute_query("ECHO", {"x": [1, "two"]})
            assert records[0]["x"] == [1, "two"]
        await until(lambda: not proxy.connections)
    objects = [json.loads(line) for line in lines]
    assert all({"ts", "conn", "dir"} <= set(o) for o in objects)
    traffic = [o for o in objects if o["dir"] in ("C->S", "S->C")]
    names = {(o["dir"], o.get("message")) for o in traffic}
    for pair in [("C->S", "HELLO"), ("C->S", "LOGON"), ("C->S", "RUN"), ("C->S", "PULL"),
                 ("S->C", "SUCCESS"), ("S->C", "RECORD")]:
        assert pair in names, names
    assert {o["conn"] for o in traffic} <= {o["conn"] for o in objects if o.get("event") == "open"}
    assert not any(PASSWORD in line for line in lines)


def test_sync_driver_and_routing_through_the_proxy() -> None:
    """The blocking driver (server and proxy on a background loop), with neo4j://: the routing
    table names the address the driver asked for, which is the proxy's."""
    lines: list[str] = []
    with ServerThread() as srv:
        proxy = asyncio.run_coroutine_threadsafe(
            run_proxy("127.0.0.1", 0, "127.0.0.1", srv.port, log=lines.append), srv.loop).result(10)
        try:
            with neo4j.GraphDatabase.driver(f"neo4j://127.0.0.1:{proxy.port}", auth=AUTH) as driver:
                with driver.session() as session:
                    assert session.execute_read(lambda tx: tx.run("ECHO", {"r": 1}).single()["r"]) == 1
                    assert [r["i"] for r in session.run("STREAM 5")] == list(range(5))
        finally:
            async def stop() -> None:
                proxy.close()
                await proxy.wait_closed()
            asyncio.run_coroutine_threadsafe(stop(), srv.loop).result(10)
    assert seen(lines, "C->S", "ROUTE") and seen(lines, "S->C", "RECORD")
    assert not any(PASSWORD in line for line in lines)


# -- bytes unchanged, and recorded ------------------------------------------------------------


async def test_bytes_pass_unchanged_and_are_recorded(server, tmp_path) -> None:
    """driver -> tap -> proxy -> tap -> server: both taps saw the same bytes, and the
    recordings are exactly those bytes."""
    inner = await Tap(server.port).start()
    lines: list[str] = []
    proxy = await run_proxy("127.0.0.1", 0, "127.0.0.1", inner.port, log=lines.append, record_dir=tmp_path)
    outer = await Tap(proxy.port).start()
    async with proxy:
        result = await scenario(f"bolt://127.0.0.1:{outer.port}")
        assert result["stream"] == list(range(1000))
        await until(lambda: not proxy.connections)
        await outer.close()
        await inner.close()
    assert len(outer.streams) == len(inner.streams) == 1
    (driver_sent, driver_got), (server_got, server_sent) = outer.streams[0], inner.streams[0]
    assert bytes(driver_sent) == bytes(server_got)
    assert bytes(server_sent) == bytes(driver_got)

    client_file, server_file = tmp_path / "1-client.bin", tmp_path / "1-server.bin"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["1-client.bin", "1-order.txt", "1-server.bin"]
    order = [line.split() for line in (tmp_path / "1-order.txt").read_text().splitlines()]
    assert {side for side, _ in order} == {"c", "s"} and order[0] == ["c", "20"]
    assert sum(int(n) for side, n in order if side == "c") == len(server_got)
    assert sum(int(n) for side, n in order if side == "s") == len(server_sent)
    assert client_file.read_bytes()[:4] == MAGIC == b"\x60\x60\xb0\x17"
    assert client_file.read_bytes() == bytes(server_got)
    assert server_file.read_bytes() == bytes(server_sent)
    closed = next(line for line in lines if "#1 -- closed" in line)
    assert f"{len(server_got)} bytes C->S, {len(server_sent)} bytes S->C" in closed

    # A second proxy on the same directory continues the numbering instead of overwriting.
    async with await run_proxy("127.0.0.1", 0, "127.0.0.1", server.port, log=lines.append,
                               record_dir=tmp_path) as again:
        bolt = await RawBolt.connect(again.port)
        assert await bolt.handshake((5, 4)) == (5, 4)
        bolt.close()
        await until(lambda: not again.connections)
    assert (tmp_path / "2-client.bin").read_bytes()[:4] == MAGIC
    assert client_file.read_bytes() == bytes(server_got)


async def test_recordings_read_back_with_inspect(server, tmp_path, capsys) -> None:
    inspect = pytest.importorskip("asyncbolt.tools.inspect")
    async with await run_proxy("127.0.0.1", 0, "127.0.0.1", server.port, log=lambda line: None,
                               record_dir=tmp_path) as proxy:
        uri = f"bolt://127.0.0.1:{proxy.port}"
        async with neo4j.AsyncGraphDatabase.driver(uri, auth=AUTH) as driver:
            records, _, _ = await driver.execute_query("STREAM 3")
            assert [r["i"] for r in records] == [0, 1, 2]
        await until(lambda: not proxy.connections)
    capsys.readouterr()
    assert inspect.main([str(tmp_path / "1-client.bin"), "--side", "client"]) == 0
    out = capsys.readouterr().out
    for name in ("HELLO", "LOGON", "RUN", "PULL", "GOODBYE"):
        assert name in out, out
    assert PASSWORD not in out
    assert inspect.main([str(tmp_path / "1-server.bin"), "--side", "server"]) == 0
    out = capsys.readouterr().out
    assert "SUCCESS" in out and out.count("RECORD") >= 3, out


# -- trouble ----------------------------------------------------------------------------------


async def test_garbage_gets_the_servers_answer_and_the_proxy_carries_on(server) -> None:
    lines: list[str] = []
    async with await run_proxy("127.0.0.1", 0, "127.0.0.1", server.port, log=lines.append) as proxy:
        http = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
        bad_chunk = MAGIC + proposal((5, 4)) + bytes(12) + b"\x00\x04\xc4\xc5\xc6\xc7\x00\x00"
        for garbage in (http, bad_chunk, b"\xff" * 5000):
            direct = await raw_reply(server.port, garbage)
            proxied = await raw_reply(proxy.port, garbage)
            assert proxied == direct  # including: closed by the server, after the same bytes
        await until(lambda: not proxy.connections)
        assert proxy.total_connections == 3
        # Decoding problems were logged, and the proxy still serves a real client.
        assert any(re.match(r"\S+ #1 C->S ", line) for line in lines), lines
        uri = f"bolt://127.0.0.1:{proxy.port}"
        async with neo4j.AsyncGraphDatabase.driver(uri, auth=AUTH) as driver:
            records, _, _ = await driver.execute_query("ECHO", {"ok": True})
            assert records[0]["ok"] is True


async def test_a_decoder_crash_never_touches_the_traffic(server, monkeypatch) -> None:
    class Broken:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pass

        def feed(self, side: str, data: bytes) -> list:
            raise RuntimeError("decoder bug")

        def close(self) -> list:
            raise RuntimeError("decoder bug")

    lines: list[str] = []
    async with await run_proxy("127.0.0.1", 0, "127.0.0.1", server.port, log=lines.append) as proxy:
        monkeypatch.setattr("asyncbolt.tools.dump.Conversation", Broken)
        result = await scenario(f"bolt://127.0.0.1:{proxy.port}")
        assert result["stream"] == list(range(1000))
        await until(lambda: not proxy.connections)
    errors = [line for line in lines if "decoder error" in line]
    assert len(errors) == 1 and "decoder bug" in errors[0]  # once, then decoding stops


async def test_a_decoder_that_falls_behind_is_given_up_not_waited_for(server, tmp_path) -> None:
    """Decoding lags the traffic by at most ``max_backlog`` bytes; beyond that the connection
    is no longer decoded, and the traffic goes on as before. ``log`` may be a file path."""
    log = tmp_path / "proxy.log"
    async with await run_proxy("127.0.0.1", 0, "127.0.0.1", server.port, log=log, max_backlog=4096) as proxy:
        result = await scenario(f"bolt://127.0.0.1:{proxy.port}")
        assert result["stream"] == list(range(1000))
    lines = log.read_text().splitlines()
    assert sum("the log fell too far behind" in line for line in lines) == 1
    assert seen(lines, "C->S", "HELLO")  # decoded until then
    assert not any("the dump ends" in line for line in lines)  # no false truncation report
    assert re.search(r"#1 -- closed .*; \d+ bytes C->S", lines[-1])


async def test_a_slow_client_holds_back_the_server(server) -> None:
    """Back-pressure end to end: a client that stops reading stops the server's stream
    instead of filling the proxy's memory."""
    async with await run_proxy("127.0.0.1", 0, "127.0.0.1", server.port, log=lambda line: None) as proxy:
        for sock in proxy.sockets:  # small kernel buffers, so the proxy's own limits show
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
        for sock in server.sockets:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
        bolt = await RawBolt.connect(proxy.port, rcvbuf=16384)
        assert await bolt.handshake((4, 4)) == (4, 4)
        await bolt.send(Hello({"user_agent": "rawbolt/1.0", "scheme": "none"}))
        assert (await bolt.recv()).name == "SUCCESS"
        await bolt.send(Run("STREAM 5000000", {}, {}), Pull({"n": -1}))
        assert (await bolt.recv()).name == "SUCCESS"
        assert (await bolt.recv()).name == "RECORD"
        # The stream stalls (every buffer on the way full) instead of racing ahead.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while True:
            produced = server.recorder.produced
            await asyncio.sleep(0.3)
            if server.recorder.produced == produced:
                break
            assert loop.time() < deadline, "the server never stopped producing"
        assert produced < 1_500_000, produced
        conn = next(iter(proxy.connections.values()))
        assert conn.client.transport.get_write_buffer_size() < 1 << 20
        # Reading again resumes the stream.
        before = server.recorder.produced
        deadline = loop.time() + 10
        while server.recorder.produced == before:
            assert loop.time() < deadline, "reading again did not resume the stream"
            for _ in range(10_000):
                await bolt.recv_payload()
        bolt.close()
        await until(lambda: server.recorder.closed >= 1)
        await until(lambda: not proxy.connections)


async def test_upstream_unreachable_closes_the_client_only() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]  # nothing listens here once closed
    lines: list[str] = []
    async with await run_proxy("127.0.0.1", 0, "127.0.0.1", dead, log=lines.append) as proxy:
        for _ in range(2):
            assert await raw_reply(proxy.port, MAGIC + proposal((5, 4)) + bytes(12)) == b""
        await until(lambda: not proxy.connections)
    said = (f"upstream bolt://127.0.0.1:{dead} unreachable: connection refused: nothing listens on port "
            f"{dead} there; check the port, or start a server (asyncbolt serve)")
    assert sum(line.endswith(said) for line in lines) == 2, lines
    assert sum("closed (upstream unreachable)" in line for line in lines) == 2


async def test_tls_to_the_upstream(tmp_path) -> None:
    trustme = pytest.importorskip("trustme")
    import ssl

    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    srv = await asyncbolt.serve(EchoSession, "127.0.0.1", 0, recorder=Recorder(), ssl=server_context)
    lines: list[str] = []
    async with srv, await run_proxy("127.0.0.1", 0, "localhost", srv.port, log=lines.append,
                                    ssl_upstream=client_context, record_dir=tmp_path) as proxy:
        uri = f"bolt://127.0.0.1:{proxy.port}"  # plain to the proxy, TLS beyond it
        async with neo4j.AsyncGraphDatabase.driver(uri, auth=AUTH) as driver:
            records, _, _ = await driver.execute_query("ECHO", {"secret": "over TLS"})
            assert records[0]["secret"] == "over TLS"
        await until(lambda: not proxy.connections)
    assert seen(lines, "C->S", "RUN") and seen(lines, "S->C", "RECORD")
    assert (tmp_path / "1-client.bin").read_bytes()[:4] == MAGIC  # recorded in the clear

    assert not any(PASSWORD in line for line in lines)


# -- the command line -------------------------------------------------------------------------


def test_addresses() -> None:
    assert parse_listen("127.0.0.1:7688") == ("127.0.0.1", 7688)
    assert parse_listen("[::1]:7688") == ("::1", 7688)
    assert parse_listen(":7688") == ("", 7688)
    assert parse_listen("7688") == ("127.0.0.1", 7688)
    for bad in ("localhost", "host:port", "1.2.3.4:99999", ""):
        with pytest.raises(ValueError):
            parse_listen(bad)
    assert parse_upstream("bolt://db.example")[:2] == ("db.example", 7687)
    assert parse_upstream("bolt://db.example:7000") == ("db.example", 7000, None)
    assert parse_upstream("db.example:7000") == ("db.example", 7000, None)
    assert parse_upstream("bolt+s://db.example")[2].check_hostname is True
    assert parse_upstream("bolt+ssc://db.example")[2].check_hostname is False
    for bad in ("http://db.example", "bolt://db.example/path", "bolt://:7687", "bolt://db.example:x"):
        with pytest.raises(ValueError):
            parse_upstream(bad)


def test_cli_refuses_bad_arguments_and_a_taken_address(capsys) -> None:
    assert proxy_mod.main(["--help"]) == 0
    assert "--upstream" in capsys.readouterr().out
    assert proxy_mod.main(["--bogus"]) == 2
    assert proxy_mod.main(["--listen", "nowhere"]) == 2
    assert "expected HOST:PORT" in capsys.readouterr().err
    assert proxy_mod.main(["--upstream", "http://example.com"]) == 2
    assert "unsupported scheme 'http' in an upstream URI" in capsys.readouterr().err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert proxy_mod.main(["--listen", f"127.0.0.1:{port}", "--upstream", "bolt://127.0.0.1:1"]) == 2
    assert "cannot listen on 127.0.0.1:" in capsys.readouterr().err
    assert logging.getLogger("asyncbolt.tools.proxy").handlers == []  # main cleaned up after itself


# -- the command, as its own process ---------------------------------------------------------


_RECORD_LINE = re.compile(r"\S+ #\d+ S->C +\d+ server RECORD ")


async def start_cli(log: Path, *args: str) -> tuple[subprocess.Popen, int]:
    """``python -m asyncbolt proxy --listen 127.0.0.1:0 --log LOG ARGS``; its port, read from
    the log's first line."""
    child = subprocess.Popen(
        [sys.executable, "-m", "asyncbolt", "proxy", "--listen", "127.0.0.1:0", "--log", str(log), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 15
    while True:
        if child.poll() is not None:
            raise AssertionError(f"the proxy exited: {child.stderr.read().decode()}")
        if time.monotonic() > deadline:
            await stop_cli(child)
            raise AssertionError("the proxy never said where it listens")
        text = log.read_text() if log.exists() else ""
        if match := re.search(r"listening on 127\.0\.0\.1:(\d+)", text):
            return child, int(match.group(1))
        await asyncio.sleep(0.05)


async def stop_cli(child: subprocess.Popen) -> str:
    """SIGTERM; the exit status must be 0 once the log is complete. Returns stderr."""
    child.send_signal(signal.SIGTERM)
    try:
        code = await asyncio.get_running_loop().run_in_executor(None, child.wait, 90)
    except subprocess.TimeoutExpired:
        child.kill()
        raise
    stderr = child.stderr.read().decode()
    assert code == 0, stderr
    return stderr


async def test_cli_json_log_and_recording(server, tmp_path) -> None:
    log, record = tmp_path / "proxy.jsonl", tmp_path / "streams"
    child, port = await start_cli(log, "--upstream", f"bolt://127.0.0.1:{server.port}", "--json",
                                  "--record", str(record))
    try:
        async with neo4j.AsyncGraphDatabase.driver(f"bolt://127.0.0.1:{port}", auth=AUTH) as driver:
            records, _, _ = await driver.execute_query("STREAM 3")
            assert [r["i"] for r in records] == [0, 1, 2]
    finally:
        stderr = await stop_cli(child)
    assert stderr == ""
    text = log.read_text()
    assert PASSWORD not in text
    objects = [json.loads(line) for line in text.splitlines()]
    assert objects[0]["event"] == "listen" and objects[-1]["event"] == "close"
    names = [(o["conn"], o["dir"], o.get("message")) for o in objects if o["dir"] != "--"]
    for name in ("HELLO", "LOGON", "RUN", "PULL", "GOODBYE"):
        assert (1, "C->S", name) in names
    assert names.count((1, "S->C", "RECORD")) == 3
    assert (record / "1-client.bin").read_bytes()[:4] == MAGIC
    assert (record / "1-server.bin").stat().st_size == objects[-1]["server_bytes"]


async def rows_per_second(uri: str, rows: int) -> float:
    async with neo4j.AsyncGraphDatabase.driver(uri, auth=AUTH) as driver:
        await driver.verify_connectivity()
        async with driver.session() as session:
            start = time.perf_counter()
            result = await session.run(f"STREAM {rows}")
            n = 0
            async for _ in result:
                n += 1
            elapsed = time.perf_counter() - start
    assert n == rows
    return rows / elapsed


async def test_many_rows_through_the_cli_proxy(server, tmp_path) -> None:
    """The command in its own process, logging every RECORD to a file: the official async
    driver's records/s through it against direct (measured on a quarter of the rows). 100,000
    rows (it was 1,000,000: ~29 s) still stream for a few seconds, enough for the ratio."""
    rows = 100_000
    log = tmp_path / "proxy.log"
    child, port = await start_cli(log, "--upstream", f"bolt://127.0.0.1:{server.port}")
    try:
        direct = await rows_per_second(f"bolt://127.0.0.1:{server.port}", rows // 4)
        proxied = await rows_per_second(f"bolt://127.0.0.1:{port}", rows)
    finally:
        started = time.perf_counter()
        await stop_cli(child)
    ratio = proxied / direct
    print(f"\n{rows:,} rows, official async driver: direct {direct:,.0f} records/s, through the proxy "
          f"{proxied:,.0f} records/s ({ratio:.0%}); the log was complete {time.perf_counter() - started:.1f}s "
          "after the stream")
    with open(log, encoding="utf-8") as f:
        records = sum(1 for line in f if _RECORD_LINE.match(line))
    assert records == rows  # every RECORD logged, none lost
    assert ratio >= 0.3, f"proxied {proxied:,.0f}/s is under 30% of direct {direct:,.0f}/s"


# -- bounds on the decoder (issue #14) --------------------------------------------------------


async def test_a_huge_message_is_logged_elided_unless_full(server) -> None:
    big = {"rows": list(range(200_000)), "text": "y" * 2_000_000}
    for full in (False, True):
        lines: list[str] = []
        async with await run_proxy("127.0.0.1", 0, "127.0.0.1", server.port, log=lines.append,
                                   full=full) as proxy:
            async with neo4j.AsyncGraphDatabase.driver(f"bolt://127.0.0.1:{proxy.port}", auth=AUTH) as driver:
                records, _, _ = await driver.execute_query("ECHO", big)
                assert records[0]["rows"][-1] == 199_999
            await until(lambda: not proxy.connections)
        [run] = [line for line in lines if " client RUN " in line]
        [record] = [line for line in lines if " server RECORD " in line]
        if full:
            assert len(run) > 3_000_000 and "199999" in run
        else:
            assert len(run) < 6000 and len(record) < 6000, (len(run), len(record))
            assert "... 200,000 items]" in run and "...(2,000,000 chars)" in run


def test_log_writer_keeps_counts_not_lists_and_passes_the_budget() -> None:
    from asyncbolt.tools import dump

    lines: list[tuple[int, str]] = []
    writer = proxy_mod.LogWriter(lambda level, line: lines.append((level, line)), lambda level: True,
                                 dump=dump, max_decoded_values=1000)
    codec = asyncbolt.codec.packstream.get_codec((4, 4))
    hello = b"\x60\x60\xb0\x17" + b"\x00\x00\x04\x04" + b"\0" * 12
    bad = b"\x00\x02\xb0\x7e\x00\x00"  # an unknown request signature, 5,000 times
    writer.data(1, "client", "t", hello + b"".join(
        b"\x00" + bytes([len(p)]) + p + b"\x00\x00" for p in [codec.pack_message(Hello({"user_agent": "x"}))]))
    success = codec.pack_message(asyncbolt.codec.messages.Success({}))
    writer.data(1, "server", "t", b"\x00\x00\x04\x04" + b"\x00" + bytes([len(success)]) + success + b"\x00\x00")
    for _ in range(50):
        writer.data(1, "client", "t", bad * 100)
    conv = writer._conns[1][0]
    assert conv.problems == [] and conv.problem_count == 5000
    assert sum("unknown request signature 0x7E" in line for _, line in lines) == 5000
    assert conv.max_decoded_values == 1000
    writer.data(2, "client", "t", b"GET / HTTP/1.1\r\n")  # a problem attached to no message
    assert sum("HTTP, not Bolt" in line for _, line in lines) == 1
    default = proxy_mod.LogWriter(lambda level, line: None, lambda level: True, dump=dump)
    default.data(1, "client", "t", hello)
    assert default._conns[1][0].max_decoded_values is dump.DEFAULT


def test_cli_budget_and_full_options() -> None:
    parse = proxy_mod._parser().parse_args
    assert parse([]).max_decoded_values is proxy_mod.DEFAULT and not parse([]).full
    assert parse(["--max-decoded-values", "off", "--full"]).max_decoded_values == "off"  # main: None
    assert parse(["--max-decoded-values", "5,000"]).max_decoded_values == 5000
    with pytest.raises(SystemExit):
        parse(["--max-decoded-values", "0"])


def test_one_budget_option_for_inspect_and_proxy() -> None:
    """``--max-decoded-values`` is read by one function (tools/cli.py) for both commands."""
    import argparse

    from asyncbolt.tools import cli, inspect

    assert proxy_mod.budget_arg is cli.budget_arg and inspect._budget_arg is cli.budget_arg
    assert [cli.budget_arg(t) for t in ("OFF", " none ", "1_000", "7")] == ["off", "off", 1000, 7]
    for bad in ("0", "-3", "many"):
        with pytest.raises(argparse.ArgumentTypeError):
            cli.budget_arg(bad)
