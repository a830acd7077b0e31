"""README's recipe "Several machines: asyncbolt servers behind neo4j://": three `asyncbolt
serve --backend cluster:Member` processes on 127.0.0.1 answering one routing table, and
`neo4j://` drivers (asyncbolt's and the official one) sending reads to the readers and writes
to the writer."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest

import asyncbolt

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("### Several machines: asyncbolt servers behind `neo4j://`"):]
MODULE = re.search(r"```python\n(# cluster.py:.*?)```", SECTION, re.S).group(1)
COMMANDS = re.search(r"```sh\n(export CLUSTER_ROUTERS.*?)```", SECTION, re.S).group(1)
CLIENT = re.search(r"```python\n(import asyncio\n.*?)```", SECTION, re.S).group(1)
PORTS = (7687, 7688, 7689)


def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _ported(text: str, ports: list[int]) -> str:
    for old, new in zip(PORTS, ports, strict=True):
        text = text.replace(f":{old}", f":{new}").replace(f"--port {old}", f"--port {new}")
    return text


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, int]]:
    """The recipe's three members, as its shell lines start them (ports replaced by free ones)."""
    home = tmp_path_factory.mktemp("cluster")
    (home / "cluster.py").write_text(MODULE)
    ports = _free_ports(3)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    procs = []
    try:
        for line in _ported(COMMANDS, ports).splitlines():
            line = line.split("#")[0].strip()
            if line.startswith("export "):
                for pair in line[len("export "):].split():
                    name, _, value = pair.partition("=")
                    env[name] = value
            elif line.endswith("&"):
                words = line.rstrip("&").split()
                member_env = dict(env, PYTHONPATH=os.pathsep.join([str(home), str(ROOT)]))
                while "=" in words[0]:
                    name, _, value = words.pop(0).partition("=")
                    member_env[name] = value
                assert words[:2] == ["asyncbolt", "serve"], line
                procs.append(subprocess.Popen([sys.executable, "-m", "asyncbolt", *words[1:]], cwd=home,
                                              env=member_env, stdout=subprocess.PIPE,
                                              stderr=subprocess.PIPE, text=True))
        assert len(procs) == 3
        for proc in procs:
            line = proc.stdout.readline()
            assert "bolt://127.0.0.1:" in line, (line, proc.stderr.read() if proc.poll() is not None else "")
        yield dict(zip("abc", ports, strict=True))
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()


def test_the_readme_client_routes_reads_and_writes(cluster: dict[str, int]) -> None:
    ports = list(cluster.values())
    done = subprocess.run([sys.executable, "-c", _ported(CLIENT, ports)], cwd=ROOT,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(": ", 1) for line in done.stdout.splitlines())
    assert lines["asyncbolt read"] in ("b", "c")
    assert lines["asyncbolt write"] == "a"
    assert lines["neo4j read"] in ("b", "c")
    assert lines["neo4j write"] == "a"


async def test_every_member_is_a_way_in_and_reads_reach_both_readers(cluster: dict[str, int]) -> None:
    for port in cluster.values():
        async with asyncbolt.Driver(f"neo4j://127.0.0.1:{port}") as driver:
            records, _, _ = await driver.execute_query("CREATE ()", routing_="w")
            assert records[0].values() == ["a"]
            async with driver.session(default_access_mode="r") as session:
                result = await session.run("RETURN 1")
                assert (await result.values())[0][0] in ("b", "c")
    # Reads held open at once spread over the readers (the least busy one gets the next).
    async with asyncbolt.Driver(f"neo4j://127.0.0.1:{cluster['a']}") as driver:
        sessions = [driver.session(default_access_mode="r") for _ in range(4)]
        try:
            members = set()
            txs = [await session.begin_transaction() for session in sessions]  # all held at once
            for tx in txs:
                members.add((await (await tx.run("RETURN 1")).values())[0][0])
        finally:
            for session in sessions:
                await session.close()
    assert members == {"b", "c"}


async def test_the_official_driver_in_read_and_write_sessions(cluster: dict[str, int]) -> None:
    uri = f"neo4j://127.0.0.1:{cluster['c']}"
    async with neo4j.AsyncGraphDatabase.driver(uri, auth=("u", "p")) as driver:
        async with driver.session(default_access_mode=neo4j.READ_ACCESS) as session:
            record = await (await session.run("RETURN 1")).single()
            assert record["member"] in ("b", "c")
        async with driver.session(default_access_mode=neo4j.WRITE_ACCESS) as session:
            record = await (await session.run("CREATE ()")).single()
            assert record["member"] == "a"
