"""The type gate (`make typecheck`, pyproject's [tool.mypy]) and what it made explicit: the
negotiated version is never None where it is used, PEP 561's marker ships, and every remaining
`# type: ignore` names its error code and says why."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

import asyncbolt
from asyncbolt.client.connection import Connection
from asyncbolt.core.handshake import ClientHandshake
from asyncbolt.core.server import ServerConnection

ROOT = Path(__file__).resolve().parent.parent
HAS_MYPY = importlib.util.find_spec("mypy") is not None


class EmptySession(asyncbolt.ServerSession):
    """The default hooks: enough for a handshake and HELLO."""


def _mypy(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
                           "--no-incremental", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(not HAS_MYPY, reason="mypy is not installed (the dev extra has it)")
def test_the_projects_strictness_is_what_mypy_runs_with(tmp_path: Path) -> None:
    # Each line breaks one setting of [tool.mypy]; mypy's defaults would pass all of them.
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def implicit(x: int = None) -> None: ...\n"          # no_implicit_optional
        "def untyped():\n"                                         # disallow_untyped_defs
        "    return 1 + ''\n"                                    # check_untyped_defs
        "y: int = 1  # type: ignore[assignment]\n"               # warn_unused_ignores
        "z = 1 == 'a'\n"                                         # strict_equality
        "def half(x: int, y) -> int: ...\n")                     # disallow_incomplete_defs
    out = _mypy(str(sample))
    assert out.returncode == 1, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert any(":1: error:" in line and "Incompatible default" in line for line in lines), out.stdout
    assert any(":3: error:" in line and "Unsupported operand" in line for line in lines), out.stdout
    assert any(":4: error:" in line and "Unused \"type: ignore\"" in line for line in lines), out.stdout
    assert any(":5: error:" in line and "Non-overlapping equality" in line for line in lines), out.stdout
    assert any(":2: error:" in line and "missing a return type" in line for line in lines), out.stdout
    assert any(":6: error:" in line and "missing a type annotation" in line for line in lines), out.stdout


def test_py_typed_is_shipped() -> None:
    assert (Path(asyncbolt.__file__).parent / "py.typed").is_file()
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        tomllib = pytest.importorskip("tomli", reason="reading pyproject.toml on 3.10 needs tomli")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "py.typed" in config["tool"]["setuptools"]["package-data"]["asyncbolt"]


def test_every_type_ignore_has_a_code_and_a_reason() -> None:
    # Hand-written code only (the generated codec is excluded from the gate as a whole).
    bad = []
    for path in sorted([*(ROOT / "asyncbolt").rglob("*.py"), *(ROOT / "codegen").rglob("*.py")]):
        if "_generated" in path.parts:
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            if "type: ignore" not in line:
                continue
            where = f"{path.relative_to(ROOT)}:{i + 1}"
            if not re.search(r"type: ignore\[[a-z-]+(, *[a-z-]+)*\]", line):
                bad.append(f"{where}: no error code")
                continue
            after = line.split("type: ignore", 1)[1].split("]", 1)[1]
            # The reason: a comment after it, or a comment line somewhere in the lines above
            # that lead to it (a group of ignores shares one).
            above = i - 1
            while above >= 0 and "type: ignore" in lines[above]:
                above -= 1
            if "#" not in after and not (above >= 0 and lines[above].lstrip().startswith("#")):
                bad.append(f"{where}: no reason")
    assert bad == []


def test_the_server_core_refuses_work_before_the_handshake() -> None:
    conn = ServerConnection()
    with pytest.raises(RuntimeError, match="no Bolt version negotiated yet"):
        conn.decode_request(b"\xb0\x0f")
    hs = ClientHandshake([(5, 0)])
    conn.receive_data(hs.initial_bytes())
    assert conn.version == (5, 0)
    assert conn.decode_request(b"\xb0\x0f").name == "RESET"


async def test_the_clients_negotiated_version_is_never_none() -> None:
    conn = Connection(host="127.0.0.1", port=1, auth={}, user_agent="t", fetch_size=10,
                      routing=None, proposals=[ClientHandshake([(5, 4)]).proposals[0]], manifest=False)
    assert conn.protocol_version is None
    with pytest.raises(RuntimeError, match="no Bolt version negotiated yet"):
        conn.negotiated_version  # noqa: B018
    async with await asyncbolt.serve(EmptySession, "127.0.0.1", 0) as server:
        async with asyncbolt.connect(f"bolt://127.0.0.1:{server.port}", versions=[(5, 4)]) as real:
            assert real.negotiated_version == real.protocol_version == (5, 4)


async def test_a_non_numeric_unauthenticated_cap_is_a_value_error() -> None:
    # It used to reach the AUTO per-address split first: TypeError ('str' // int).
    with pytest.raises(ValueError, match="max_unauthenticated_connections"):
        await asyncbolt.serve(EmptySession, "127.0.0.1", 0, max_unauthenticated_connections="many")
