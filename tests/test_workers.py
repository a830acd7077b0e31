"""``serve(workers=N)`` and ``asyncbolt serve --workers N``: several processes on one port
(SO_REUSEPORT), supervised by the parent."""

from __future__ import annotations

import os
import re
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

import asyncbolt
from asyncbolt.server.workers import ServerWorkers

from .conftest import until
from .worker_sessions import PidSession

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SO_REUSEPORT spreads connections on Linux only")

ROOT = Path(__file__).resolve().parent.parent


async def _pid(port: int, query: str = "PID") -> int:
    async with asyncbolt.connect(f"bolt://127.0.0.1:{port}") as conn:
        result = await conn.run(query)
        return (await result.values())[0][0]


async def _pids_seen(port: int, want: set[int] | int, tries: int = 200) -> set[int]:
    """Connect (a new connection, so a new client port and hash each time) until the pids in
    ``want`` (or that many distinct ones) have answered; at most ``tries`` connections."""
    seen: set[int] = set()
    for _ in range(tries):
        seen.add(await _pid(port))
        if (seen >= want) if isinstance(want, set) else len(seen) >= want:
            break
    return seen


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # a zombie of ours is gone too (its parent reaps it)
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


async def test_two_workers_both_answer_on_one_port() -> None:
    async with await asyncbolt.serve(PidSession, "127.0.0.1", 0, workers=2) as server:
        assert isinstance(server, ServerWorkers)
        assert server.workers == 2 and len(server.pids) == 2
        assert os.getpid() not in server.pids
        assert await _pids_seen(server.port, set(server.pids)) == set(server.pids)
        assert server.connections == 0  # the parent serves none itself
        pids = server.pids
    assert all(_gone(pid) for pid in pids)


async def test_workers_1_is_the_single_process_server() -> None:
    async with await asyncbolt.serve(PidSession, "127.0.0.1", 0, workers=1) as server:
        assert type(server) is asyncbolt.Server
        assert await _pid(server.port) == os.getpid()


async def test_reuse_port_lets_two_servers_share_a_port() -> None:
    async with await asyncbolt.serve(PidSession, "127.0.0.1", 0, reuse_port=True) as first:
        async with await asyncbolt.serve(PidSession, "127.0.0.1", first.port, reuse_port=True) as second:
            assert second.port == first.port
    async with await asyncbolt.serve(PidSession, "127.0.0.1", 0) as plain:
        with pytest.raises(OSError):
            await asyncbolt.serve(PidSession, "127.0.0.1", plain.port, reuse_port=True)


async def test_workers_on_a_port_in_use_fail_before_any_worker_starts() -> None:
    async with await asyncbolt.serve(PidSession, "127.0.0.1", 0) as plain:
        with pytest.raises(OSError):
            await asyncbolt.serve(PidSession, "127.0.0.1", plain.port, workers=2)


async def test_a_crashed_worker_is_logged_and_replaced(caplog: pytest.LogCaptureFixture) -> None:
    async with await asyncbolt.serve(PidSession, "127.0.0.1", 0, workers=2) as server:
        first = set(server.pids)
        victim = await _pid(server.port)
        with pytest.raises(asyncbolt.ServiceUnavailable):  # the worker exits (code 3) while answering
            await _crash_one(server.port, victim)
        await until(lambda: victim not in server.pids and len(server.pids) == 2, timeout=30)
        assert server.restarts >= 1
        assert f"worker process {victim} exited with code 3; starting another" in caplog.text
        replacement = (set(server.pids) - first).pop()
        # the replacement listens and answers (the survivor too)
        assert await _pids_seen(server.port, {replacement}) >= {replacement}


async def _crash_one(port: int, victim: int) -> None:
    """Send CRASH on a connection served by ``victim`` (connecting until one is)."""
    for _ in range(200):
        async with asyncbolt.connect(f"bolt://127.0.0.1:{port}") as conn:
            result = await conn.run("PID")
            if (await result.values())[0][0] == victim:
                result = await conn.run("CRASH")
                await result.values()
                return
    raise AssertionError(f"no connection reached worker {victim}")


def test_workers_run_the_callers_kind_of_event_loop() -> None:
    pytest.importorskip("uvloop", reason="the uvloop extra")
    code = """
import asyncio, uvloop, asyncbolt
from tests.worker_sessions import PidSession
from tests.test_workers import _pid

async def main():
    async with await asyncbolt.serve(PidSession, "127.0.0.1", 0, workers=2) as server:
        print(type(asyncio.get_running_loop()).__module__, await _pid(server.port, "LOOP"))

uvloop.run(main())
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["uvloop", "uvloop"]


@pytest.mark.parametrize("workers", [0, -1, True, 1.0, 1.5, "2", None])
async def test_workers_must_be_a_positive_int(workers: object) -> None:
    with pytest.raises(ValueError, match=r"workers must be a positive integer .* got"):
        await asyncbolt.serve(PidSession, "127.0.0.1", 0, workers=workers)


async def test_workers_refuse_an_ssl_context_and_unpicklable_arguments() -> None:
    with pytest.raises(ValueError, match="cannot send an ssl.SSLContext"):
        await asyncbolt.serve(PidSession, "127.0.0.1", 0, workers=2,
                              ssl=ssl.create_default_context(ssl.Purpose.CLIENT_AUTH))
    with pytest.raises(TypeError, match="by pickling them"):
        await asyncbolt.serve(PidSession, "127.0.0.1", 0, workers=2, handle=lambda: None)

    class Local(PidSession):
        pass

    with pytest.raises(TypeError, match="importable by its module and name"):
        await asyncbolt.serve(Local, "127.0.0.1", 0, workers=2)


def _fail_setup() -> tuple[dict, None]:
    raise ValueError("no database here")


async def test_a_worker_that_cannot_start_fails_serve() -> None:
    with pytest.raises(ValueError, match="no database here"):
        await asyncbolt.serve(PidSession, "127.0.0.1", 0, workers=2, _worker_setup=_fail_setup)


async def test_platforms_without_so_reuseport_are_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    with pytest.raises(NotImplementedError, match="workers=2 needs Linux's SO_REUSEPORT"):
        await asyncbolt.serve(PidSession, "127.0.0.1", 0, workers=2)


# -- asyncbolt serve --workers N ---------------------------------------------------------------

def _start(*args: str) -> tuple[subprocess.Popen, int, list[int]]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "asyncbolt", "serve", "--port", "0", *args],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    match = re.search(r"pids ([\d ]+)\), on bolt(?:\+s)?://127.0.0.1:(\d+)", line)
    if match is None:
        proc.kill()
        raise AssertionError(f"no address in {line!r}: {proc.communicate(timeout=30)}")
    return proc, int(match.group(2)), [int(p) for p in match.group(1).split()]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_cli_workers_answer_and_stop_on_a_signal(sig: signal.Signals) -> None:
    proc, port, pids = _start("--backend", "tests.worker_sessions:PidSession", "--workers", "2")
    try:
        assert len(pids) == 2
        assert await _pids_seen(port, set(pids)) == set(pids)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "asyncbolt serve: stopped" in out
    assert all(_gone(pid) for pid in pids)


async def test_workers_stop_when_the_parent_is_killed() -> None:
    proc, port, pids = _start("--backend", "tests.worker_sessions:PidSession", "--workers", "2")
    proc.kill()
    proc.communicate(timeout=30)
    deadline = time.monotonic() + 30
    while not all(_gone(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(_gone(pid) for pid in pids)


def test_cli_refuses_workers_for_a_writable_ladybug_database() -> None:
    pytest.importorskip("ladybug", reason="the ladybug backend needs LadybugDB")
    proc = subprocess.run([sys.executable, "-m", "asyncbolt", "serve", "--port", "0", "--workers", "2"],
                          cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 1
    assert "--workers 2: the ladybug backend serves from one process" in proc.stderr
    assert "--db PATH --read-only" in proc.stderr


async def test_cli_workers_share_a_read_only_ladybug_database(tmp_path: Path) -> None:
    ladybug = pytest.importorskip("ladybug", reason="the ladybug backend needs LadybugDB")
    path = str(tmp_path / "graph.lbdb")
    db = ladybug.Database(path)
    conn = ladybug.Connection(db)
    conn.execute("CREATE NODE TABLE P(id INT64, PRIMARY KEY(id))")
    conn.execute("UNWIND range(1, 5) AS i CREATE (:P {id: i})")
    del conn
    db.close()
    proc, port, pids = _start("--workers", "2", "--db", path, "--read-only")
    try:
        for _ in range(4):
            async with asyncbolt.connect(f"bolt://127.0.0.1:{port}") as client:
                result = await client.run("MATCH (p:P) RETURN count(p)")
                assert await result.values() == [[5]]
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert all(_gone(pid) for pid in pids)


async def test_the_readme_example_runs_as_a_script(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(# server.py\n.*?)```", readme, re.S).group(1)
    script = tmp_path / "server.py"
    script.write_text(code.replace("port=7687", "port=0"))
    proc = subprocess.Popen([sys.executable, str(script)], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1"))
    try:
        line = proc.stdout.readline()
        match = re.search(r"bolt://127.0.0.1:(\d+), workers \[(\d+), (\d+)\]", line)
        assert match, f"{line!r}: {proc.stderr.read() if proc.poll() is not None else ''}"
        pids = {int(match.group(2)), int(match.group(3))}
        assert await _pids_seen(int(match.group(1)), pids) == pids
        proc.terminate()  # the script has no handler: the parent dies, its workers follow
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    deadline = time.monotonic() + 30
    while not all(_gone(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(_gone(pid) for pid in pids)


async def test_cli_workers_serve_tls_each_with_its_own_context(tmp_path: Path) -> None:
    trustme = pytest.importorskip("trustme", reason="a throw-away CA (dev extra)")
    ca = trustme.CA()
    ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(tmp_path / "both.pem"))
    context = ssl.create_default_context(cadata=ca.cert_pem.bytes().decode())
    proc, port, pids = _start("--backend", "tests.worker_sessions:PidSession", "--workers", "2",
                              "--tls-cert", str(tmp_path / "both.pem"))
    try:
        seen = set()
        for _ in range(200):
            async with asyncbolt.connect(f"bolt://127.0.0.1:{port}", ssl=context) as conn:
                seen.add((await (await conn.run("PID")).values())[0][0])
            if seen == set(pids):
                break
        assert seen == set(pids)
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
