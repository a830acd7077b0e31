"""The short fuzzing pass of the normal test run: every atheris target in fuzz/ runs its seed
corpus (valid inputs of every version and format, generated from the tables) plus a few
hundred to a few thousand mutations, in a subprocess, and must exit 0.

libFuzzer exits non-zero on a finding: an exception escaping the target (anything but the
documented errors, or a failed check such as the C and pure codecs disagreeing), a hang past
``-timeout`` or memory past ``-rss_limit_mb``. The long runs are ``make fuzz``. The five
targets run at once (two cores) with light coverage instrumentation so the pass stays short.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("atheris", reason="atheris (the `fuzz` extra) is not installed here")

ROOT = Path(__file__).resolve().parent.parent
#: Mutations per target after its seeds, sized so that each takes a few seconds.
RUNS = {
    "packstream_decode": 4000,
    "message_decode": 4000,
    "server_connection": 1000,
    "client_connection": 1000,
    "inspect_input": 300,
}


@pytest.fixture(scope="module")
def fuzz_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.Popen]:
    base = tmp_path_factory.mktemp("fuzz")
    env = {**os.environ, "FUZZ_INSTRUMENT": "light",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    procs = {}
    for name, runs in RUNS.items():
        corpus = base / name
        log = open(base / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        procs[name] = subprocess.Popen(
            [sys.executable, "-m", f"fuzz.{name}", f"-runs={runs}", "-seed=1", "-timeout=10",
             "-rss_limit_mb=2048", f"-artifact_prefix={base}/{name}-", str(corpus)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        procs[name].log_path = base / f"{name}.log"  # type: ignore[attr-defined]
        log.close()
    yield procs
    for proc in procs.values():
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("name", list(RUNS))
def test_fuzz_target_short_pass(fuzz_runs, name: str) -> None:
    proc = fuzz_runs[name]
    try:
        code = proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"fuzz.{name} did not finish in 120 s")
    output = proc.log_path.read_text(errors="replace")
    tail = "\n".join(line for line in output.splitlines()[-60:]
                     if not line.startswith("INFO: Instrumenting"))
    assert code == 0, f"fuzz.{name} found something (exit {code}):\n{tail}"
    seeds = len(list((proc.log_path.parent / name).iterdir()))
    assert seeds > 10, f"fuzz.{name}: only {seeds} inputs in its corpus"
    done = re.search(r"^Done (\d+) runs", output, re.M)  # libFuzzer may overshoot -runs a little
    assert done and int(done.group(1)) >= RUNS[name], tail
