"""``asyncbolt inspect DIR`` on what ``asyncbolt proxy --record DIR`` wrote: both sides of each
connection together, in the order they passed; ``DIR/N`` for one connection; a damaged
recording gives findings, an unusable path one line."""

from __future__ import annotations

import io
import json
import random
import re
import subprocess
import sys
from pathlib import Path

import neo4j

import asyncbolt
from asyncbolt.tools import inspect as bolt_inspect
from asyncbolt.tools.proxy import run_proxy

from .conftest import until
from .test_proxy import AUTH, PASSWORD, start_cli, stop_cli

EVENT = re.compile(r"^(?:#(\d+) )?\s*(\d+) (client|server) +([A-Z_]+)(.*)$")


def run(*argv: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = bolt_inspect.main([str(a) for a in argv], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def events(out: str, conn: str | None = None) -> list[tuple[str, str, str]]:
    """(side, name, the rest) of every event line (of connection ``conn`` when given)."""
    found = []
    for line in out.splitlines():
        m = EVENT.match(line)
        if m and (conn is None or m.group(1) == conn):
            found.append((m.group(3), m.group(4), m.group(5).strip()))
    return found


def problems(out: str) -> list[str]:
    return [line.split(" ! ", 1)[1] for line in out.splitlines() if " ! " in line]


async def converse(port: int) -> None:
    """Connection 1: the official driver (a transaction streaming 3 rows); connection 2:
    asyncbolt's client (one auto-commit query)."""
    async with neo4j.AsyncGraphDatabase.driver(f"bolt://127.0.0.1:{port}", auth=AUTH) as driver:
        records, _, _ = await driver.execute_query("STREAM 3")
        assert [r["i"] for r in records] == [0, 1, 2]
    async with await asyncbolt.connect(f"bolt://127.0.0.1:{port}", auth=AUTH) as conn:
        result = await conn.run("ECHO", {"x": 7})
        assert await result.data() == [{"x": 7}]


async def record(server: asyncbolt.Server, directory: Path) -> Path:
    async with await run_proxy("127.0.0.1", 0, "127.0.0.1", server.port, log=lambda line: None,
                               record_dir=directory) as proxy:
        await converse(proxy.port)
        await until(lambda: not proxy.connections)
    return directory


def before(seq: list[tuple[str, str, str]], *steps: tuple[str, str, str]) -> None:
    """Each step (side, name, text in the rest) is found after the one before it."""
    at = -1
    for side, name, text in steps:
        at = next((i for i in range(at + 1, len(seq))
                   if seq[i][0] == side and seq[i][1] == name and text in seq[i][2]), None)
        assert at is not None, f"{side} {name} {text!r} not found in order in {seq}"


async def test_a_cli_recording_shows_both_sides_together(server, tmp_path) -> None:
    log, directory = tmp_path / "proxy.log", tmp_path / "rec"
    child, port = await start_cli(log, "--upstream", f"bolt://127.0.0.1:{server.port}",
                                  "--record", str(directory))
    try:
        await converse(port)
    finally:
        await stop_cli(child)
    assert sorted(p.name for p in directory.iterdir()) == [
        "1-client.bin", "1-order.txt", "1-server.bin", "2-client.bin", "2-order.txt", "2-server.bin"]
    code, out, err = run(directory)
    assert code == 0, out + err
    assert err.splitlines()[-1] == "asyncbolt inspect: 26 messages, 0 problems, 2 connections"
    assert PASSWORD not in out
    assert out.splitlines()[0] == f"connection #1 {directory / '1'}"
    official = events(out, "1")
    # The answers come between the requests: both sides together, in the order they passed.
    before(official, ("client", "HANDSHAKE", "manifest"), ("server", "HANDSHAKE", "offers"),
           ("client", "HELLO", "neo4j-python"), ("server", "SUCCESS", "connection_id"),
           ("client", "BEGIN", ""), ("client", "RUN", '"STREAM 3"'), ("client", "PULL", ""),
           ("server", "RECORD", "[0]"), ("server", "RECORD", "[2]"), ("server", "SUCCESS", "has_more"),
           ("client", "COMMIT", ""), ("server", "SUCCESS", "bookmark"), ("client", "GOODBYE", ""))
    assert [e for e in official if e[0] == "server" and e[1] == "RECORD"] == [
        ("server", "RECORD", f"[{i}]") for i in range(3)]
    ours = events(out, "2")
    before(ours, ("client", "HELLO", "asyncbolt/"), ("server", "SUCCESS", "connection_id"),
           ("client", "RUN", '"ECHO", {x: 7}'), ("server", "SUCCESS", "fields"),
           ("server", "RECORD", "[7]"), ("server", "SUCCESS", "has_more"), ("client", "GOODBYE", ""))
    assert len(official) + len(ours) == 26 + 6  # the messages and three handshake lines each


async def test_one_connection_of_a_recording(server, tmp_path) -> None:
    directory = await record(server, tmp_path)
    code, out, err = run(directory / "2")
    assert code == 0, out + err
    assert not out.startswith("connection") and not out.startswith("#")  # one connection: no prefix
    assert ("client", "RUN", '"ECHO", {x: 7}, {}') in events(out)
    assert all("neo4j-python" not in rest for _, _, rest in events(out))
    assert err == "asyncbolt inspect: 10 messages, 0 problems\n"

    code, out, err = run(directory / "9")
    assert (code, out) == (2, "")
    assert err == f"asyncbolt inspect: {directory / '9'}: no connection 9 in the recording (it holds 1, 2)\n"


def test_a_directory_that_is_no_recording(tmp_path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    code, out, err = run(tmp_path)
    assert (code, out) == (2, "")
    assert err == (f"asyncbolt inspect: {tmp_path}: not a recording of 'asyncbolt proxy --record DIR': "
                   "no N-client.bin or N-server.bin file in the directory\n")


async def test_without_the_order_file_answers_follow_their_requests(server, tmp_path) -> None:
    """A recording made before the order file existed: the requests, each followed by what
    answers it (the framing says where each message ends)."""
    directory = await record(server, tmp_path)
    (directory / "1-order.txt").unlink()
    code, out, err = run(directory / "1")
    assert code == 0, out + err
    assert [(side, name) for side, name, _ in events(out)] == [
        ("client", "HANDSHAKE"), ("server", "HANDSHAKE"), ("client", "HANDSHAKE"),
        ("client", "HELLO"), ("server", "SUCCESS"), ("client", "LOGON"), ("server", "SUCCESS"),
        ("client", "BEGIN"), ("server", "SUCCESS"), ("client", "RUN"), ("server", "SUCCESS"),
        ("client", "PULL"), ("server", "RECORD"), ("server", "RECORD"), ("server", "RECORD"),
        ("server", "SUCCESS"), ("client", "COMMIT"), ("server", "SUCCESS"), ("client", "GOODBYE")]
    assert "note: no 1-order.txt (a recording older than it): the server's answers are shown after " \
           "the requests they answer" in err


async def test_a_damaged_recording_gives_findings(server, tmp_path) -> None:
    directory = await record(server, tmp_path)
    server_file, order = directory / "2-server.bin", directory / "2-order.txt"
    whole = server_file.read_bytes()

    # The server's stream cut short inside a message.
    server_file.write_bytes(whole[:-5])
    code, out, err = run(directory / "2")
    assert code == 1 and "Traceback" not in err
    found = problems(out)
    start, cut, number, size = 0, len(whole) - 5, 0, ""
    for at, line in enumerate(order.read_text().splitlines(), 1):
        side, size = line.split()
        if side == "s" and start + int(size) > cut:
            number = at
            break
        start += int(size) if side == "s" else 0
    assert f"{cut}: recording: 2-order.txt line {number} lists {size} bytes of the server's stream from " \
           f"offset {start}, but 2-server.bin ends after {cut - start}: the stream was cut short (server stream)" in found
    assert any("the dump ends inside a chunk" in p for p in found), found

    # A byte of the server's stream that is no Bolt: the validator's finding, at its offset.
    damaged = bytearray(whole)
    record_at = whole.index(b"\xb1\x71")  # the RECORD's structure marker
    damaged[record_at] = 0xC7
    server_file.write_bytes(bytes(damaged))
    code, out, err = run(directory / "2")
    assert code == 1
    assert problems(out) == [f"{record_at}: message: a response message must be a structure, found marker 0xC7"]

    # An order file with a line that is not 'c N' / 's N'.
    server_file.write_bytes(whole)
    lines = order.read_text().splitlines()
    order.write_text("\n".join(lines[:4] + ["x 12"] + lines[5:]) + "\n")
    code, out, err = run(directory / "2")
    assert code == 1
    assert problems(out) == ["0: recording: 2-order.txt line 5: 'x 12' is not 'c BYTES' or 's BYTES': from "
                             "there on, the rest of the client's stream is shown, then the rest of the server's"]
    assert len(events(out)) == 13  # every message still decoded

    # The server's side missing: the client's side alone, and the finding.
    order.write_text("\n".join(lines) + "\n")
    server_file.unlink()
    code, out, err = run(directory / "2")
    assert code == 1
    assert {side for side, _, _ in events(out)} == {"client"}
    assert problems(out) == ["0: recording: 2-server.bin is missing: the server's side of the connection "
                             "is not in the recording"]


async def test_the_command_line_on_a_recording(server, tmp_path) -> None:
    directory = await record(server, tmp_path)
    (directory / "1-client.bin").write_bytes(b"\x60\x60\xb0\x17garbage")
    child = subprocess.run([sys.executable, "-m", "asyncbolt", "inspect", str(directory)],
                           capture_output=True, text=True, timeout=60, cwd=Path(__file__).parent.parent)
    assert child.returncode == 1, child.stderr
    assert "Traceback" not in child.stderr
    assert child.stderr.splitlines()[-1].startswith("asyncbolt inspect: ")
    assert "2-client.bin" not in child.stdout and "#2 " in child.stdout


async def test_json_output_of_a_recording(server, tmp_path) -> None:
    directory = await record(server, tmp_path)
    (directory / "2-client.bin").unlink()
    code, out, err = run(directory, "--json")
    assert code == 1
    objects = [json.loads(line) for line in out.splitlines()]
    assert objects[-1] == {"summary": {"format": "recording", "messages": 21, "problems": 1, "connections": 2}}
    assert {o["connection"] for o in objects[:-1]} == {"1", "2"}
    assert {"connection": "2", "offset": 0, "side": None,
            "problem": "0: recording: 2-client.bin is missing: the client's side of the connection is not "
                       "in the recording"} in objects
    assert [o["message"] for o in objects if o.get("connection") == "2" and o.get("kind") == "message"] == [
        "SUCCESS", "SUCCESS", "SUCCESS", "RECORD", "SUCCESS"]


def test_any_bytes_in_a_recording_give_findings_not_exceptions(tmp_path) -> None:
    """Random streams and order files (some of them almost right): exit status 0, 1 or 2, and
    every line of output is an event, a finding or a connection header."""
    rng = random.Random(18)
    valid = bytes.fromhex("6060b017") + bytes.fromhex("00000105" * 4) + b"\x00\x03\xb1\x70\xa0\x00\x00"
    for case in range(60):
        directory = tmp_path / str(case)
        directory.mkdir()
        for side in ("client", "server"):
            if rng.random() < 0.9:
                data = bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 300)))
                if rng.random() < 0.5:
                    data = valid + data
                (directory / f"1-{side}.bin").write_bytes(data)
        if rng.random() < 0.7:
            lines = [f"{rng.choice('csx')} {rng.randrange(0, 400)}" for _ in range(rng.randrange(0, 8))]
            text = "\n".join(lines) + rng.choice(["", "\n", "\x00\xff", "c 9" * 40])
            (directory / "1-order.txt").write_bytes(text.encode("latin-1"))
        code, out, err = run(directory)
        assert code in (0, 1, 2), (case, err)
        assert "Traceback" not in err
        for line in out.splitlines():
            assert EVENT.match(line) or " ! " in line or line.startswith("connection #"), (case, line)
