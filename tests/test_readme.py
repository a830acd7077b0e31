"""Every Python code block of README.md runs as written (issue #18, "The first hour").

Conventions in README.md:

- a ```python block runs, unless the line before it is ``<!-- no-run: REASON -->``;
- a block that talks to ``127.0.0.1:7687`` runs against an ``asyncbolt serve``-like LadybugDB
  server this test starts on a free port (``:7687`` is replaced by its port), whose schema is the
  ```cypher block after ``<!-- readme-test: schema -->`` (what README tells users to ``--init``);
- a block that serves (``serve_forever``) runs in a child process on port 0; its first line of
  output must name its address, and the test connects to it there and runs its query.

Each block runs as a script in a fresh interpreter (a top-level ``await`` fails there, as it
would for a reader).

The documentation site's own pages (``docs/**/*.md``, README's sections are included there, not
copied) follow the same conventions, and their blocks run here too: every code example of the
site runs in the tests."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
# The site's hand-written pages (docs/protocol/ is generated from the spec and has no Python).
DOCS = sorted(p for p in (ROOT / "docs").rglob("*.md")
              if p.relative_to(ROOT / "docs").parts[0] not in ("_build", "protocol"))
# A fence: ```LANGUAGE, or a MyST directive's ```{name} (docs pages), to its closing ```.
FENCE = re.compile(r"^```(\w*|\{[\w-]+\}[^\n]*)\n(.*?)^```$", re.M | re.S)
TIMEOUT = 60


def blocks(language: str, text: str = README) -> list[tuple[int, str, str]]:
    """(line, marker on the line before or "", code) of every block in ``language``."""
    out = []
    for m in FENCE.finditer(text):
        if m.group(1) != language:
            continue
        line = text.count("\n", 0, m.start()) + 1
        before = text[:m.start()].rstrip("\n").rsplit("\n", 1)[-1].strip()
        marker = before if before.startswith("<!--") else ""
        out.append((line, marker, m.group(2)))
    return out


# (where, marker, code): README.md's blocks, then the docs pages'.
PYTHON = [(f"README.md:{line}", marker, code) for line, marker, code in blocks("python")]
PYTHON += [(f"{page.relative_to(ROOT).as_posix()}:{line}", marker, code)
           for page in DOCS for line, marker, code in blocks("python", page.read_text(encoding="utf-8"))]


def schema() -> str:
    found = [code for _, marker, code in blocks("cypher") if marker == "<!-- readme-test: schema -->"]
    assert len(found) == 1, "README needs one ```cypher block after <!-- readme-test: schema -->"
    return found[0]


def run_script(code: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)


def check(line: str, code: str, done: subprocess.CompletedProcess) -> None:
    """It ran, and what a ``print(...)  # comment`` line promises is in its output."""
    assert done.returncode == 0, f"{line}:\n{done.stderr}"
    assert "Traceback" not in done.stderr, f"{line}:\n{done.stderr}"
    for promised in re.findall(r"^\s*print\(.*\)\s+# (.+?)\s*$", code, re.M):
        assert promised in done.stdout, f"{line}: {promised!r} not in {done.stdout!r}"


def test_the_conventions_hold() -> None:
    assert len(PYTHON) >= 5
    for line, marker, _ in PYTHON:
        if marker:
            assert re.fullmatch(r"<!-- no-run: \S.* -->", marker), f"{line}: {marker}"
    assert "CREATE NODE TABLE X" in schema()


def test_the_docs_pages_have_examples() -> None:
    """The site's own examples are found (a renamed docs/ would otherwise skip them silently)."""
    assert any(where.startswith("docs/") for where, _, _ in PYTHON)


@pytest.mark.parametrize("line, marker, code", PYTHON, ids=[b[0] for b in PYTHON])
def test_the_block_runs(line: str, marker: str, code: str) -> None:
    if marker:
        pytest.skip(f"{line}: {marker[len('<!-- no-run: '):-len(' -->')]}")
    for module in re.findall(r"^\s*import (neo4j)\b", code, re.M):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{line} needs the {module} package")
    if "serve_forever" in code:
        serve_block(line, code)
    elif ":7687" in code:
        pytest.importorskip("ladybug", reason="the block needs asyncbolt serve's LadybugDB (pip install 'asyncbolt[serve]')")
        client_block(line, code)
    else:
        check(line, code, run_script(code))


def client_block(line: str, code: str) -> None:
    from asyncbolt.tools.backends.ladybug import LadybugGraph, LadybugSession

    from .sessions import ServerThread

    graph = LadybugGraph()
    try:
        graph.execute_script(schema())
        with ServerThread(LadybugSession, graph=graph) as server:
            done = run_script(code.replace(":7687", f":{server.port}"))
    finally:
        graph.close()
    check(line, code, done)


def serve_block(line: str, code: str) -> None:
    import asyncio

    import asyncbolt

    assert "port=7687" in code, f"{line}: the server example should listen on 7687"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", code.replace("port=7687", "port=0")], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL)
    watchdog = threading.Timer(TIMEOUT, proc.kill)  # a block that never prints cannot hang us
    watchdog.start()
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()  # (ends when the child prints, exits or is killed)
        m = re.search(r"bolt://127\.0\.0\.1:(\d+)", first)
        assert m, f"{line}: the server printed {first!r}, not its address"

        async def ask() -> list:
            async with asyncbolt.connect(f"bolt://127.0.0.1:{m.group(1)}", auth=("neo4j", "secret")) as conn:
                result = await conn.run("MATCH (p:Person) RETURN p.name AS name")
                return await result.values()

        assert asyncio.run(asyncio.wait_for(ask(), TIMEOUT)) == [["Ada"], ["Alan"], ["Grace"]]
    finally:
        watchdog.cancel()
        proc.terminate()
        proc.communicate(timeout=TIMEOUT)
