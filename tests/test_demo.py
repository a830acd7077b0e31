"""``make demo`` (``python -m asyncbolt.tools.demo``) and the wire-format demo run and say what they should."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytest.importorskip("ladybug")


def _make_is_ready() -> bool:
    """``make demo`` runs as is only when ``make install`` has nothing to do (as in CI, after
    ``make test`` built the virtualenv); otherwise it would reinstall, so run the command the
    target runs instead."""
    if shutil.which("make") is None or not (ROOT / ".venv" / "bin" / "python").exists():
        return False
    probe = subprocess.run(["make", "-q", "install"], cwd=ROOT, capture_output=True, timeout=30)
    return probe.returncode == 0


def test_make_demo_target_runs_the_demo_module() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^demo: .*\n\t\$\(PY\) -m asyncbolt\.tools\.demo$", makefile, re.M)


def test_demo() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    if _make_is_ready():
        cmd = ["make", "--no-print-directory", "demo"]
    else:
        cmd = [sys.executable, "-m", "asyncbolt.tools.demo"]
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    elapsed = time.monotonic() - started
    out = proc.stdout
    assert proc.returncode == 0, f"{cmd} failed:\n{out}\n{proc.stderr}"
    assert elapsed < 20, f"the demo took {elapsed:.1f} s"
    assert re.search(r"asyncbolt serve: LadybugDB [\d.]+, in memory, on bolt://127\.0\.0\.1:\d+ \(auth required\)", out)
    for expected in (
        "loaded 26 people, 11 movies and 50 relationships in one transaction (bookmark ladybug:",
        '| "Keanu Reeves"       | ["Neo"]         |',
        "p: Node element_id='0:0' labels=['Person'] {'name': 'Keanu Reeves', 'born': 1964}",
        "r: Relationship element_id='2:0' type=ACTED_IN roles=['Neo'] from 0:0 to 1:0",
        "Keanu Reeves -[:ACTED_IN]-> Something's Gotta Give <-[:ACTED_IN]- Jack Nicholson",
        "<-[:ACTED_IN]- Tom Hanks",
        "people inside the transaction: 27; after the rollback: 26",
        "CypherSyntaxError: Neo.ClientError.Statement.SyntaxError",
        '| "Gary Sinise"  | ["Apollo 13", "Forrest Gump"]               |',
        "Streamed 20,000 rows in batches of 1,000 (sum of i = 200,010,000)",
        "A write in an explicit transaction committed (bookmark ladybug:",
        "asyncbolt serve: stopped",
        "asyncbolt serve exited with code 0",
    ):
        assert expected in out, f"missing {expected!r} in:\n{out}"
    assert "demo failed" not in out + proc.stderr
    assert "Traceback" not in proc.stderr


def test_wire_demo() -> None:
    proc = subprocess.run([sys.executable, "-m", "asyncbolt.tools.demo_wire"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "negotiated Bolt" in proc.stdout and "damaged RECORD" in proc.stdout
