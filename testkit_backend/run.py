"""Run testkit's stub suites against this backend and tabulate the outcomes (``make testkit``).

    python -m testkit_backend.run --testkit ../shared/testkit --python .testkit-venv/bin/python \\
        [--areas "session_run types"] [--out testkit-results] [--official ../shared/testkit-official]

Testkit is copied under the build folder first (its tree may be read-only, and it writes caches);
the backend is started as ``python -m testkit_backend`` on 127.0.0.1; each area runs as
``python -m unittest discover -v -s tests/stub/AREA -t .`` in testkit's own venv. Writes to
``--out``: ``outcomes.tsv`` (one line per distinct test: failed if any run of it failed),
``per-area.txt`` (counts per area, as the official run's table, with how many of the official
backend's passes we pass) and ``missed.txt`` (the official passes we do not pass), and each
area's unittest output under ``logs/``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["parse_unittest_output", "main"]

ROOT = Path(__file__).resolve().parent.parent

_START = re.compile(r"^(test\w*) \(([\w.]+)\)")
_OUTCOME = re.compile(r"(?:^|\.\.\. )(ok|FAIL|ERROR|skipped(?: (.*))?|expected failure|"
                      r"unexpected success)$")
_HEADER = re.compile(r"^(FAIL|ERROR): (test\w*) \(([\w.]+)\)")


def _tmpdir(build: Path) -> Path:
    path = build / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _test_id(name: str, where: str) -> str:
    # Python 3.11+: "test_x (pkg.mod.Class.test_x)"; up to 3.10: "test_x (pkg.mod.Class)".
    return where if where.endswith("." + name) else f"{where}.{name}"


def parse_unittest_output(text: str) -> tuple[dict[str, tuple[str, str]], int]:
    """``({test id: (outcome, detail)}, runs)`` from ``unittest -v`` output; outcome is passed,
    skipped or failed. A test run several times (testkit imports some classes twice) counts
    failed if any run failed, else passed if any run passed."""
    outcomes: dict[str, tuple[str, str]] = {}
    runs = 0
    current: str | None = None

    def record(test: str, word: str, detail: str) -> None:
        kind = ("passed" if word in ("ok", "expected failure") else
                "skipped" if word.startswith("skipped") else "failed")
        old = outcomes.get(test)
        rank = {"failed": 2, "passed": 1, "skipped": 0}
        if old is None or rank[kind] > rank[old[0]]:
            outcomes[test] = (kind, detail)

    for line in text.splitlines():
        header = _HEADER.match(line)
        if header:
            record(_test_id(header.group(2), header.group(3)), "FAIL", header.group(1))
            continue
        start = _START.match(line)
        if start:
            current = _test_id(start.group(1), start.group(2))
            runs += 1
        if current is None:
            continue
        out = _OUTCOME.search(line.rstrip())
        if out and line.startswith("  ") and _START.match(line.strip()):  # a subtest's (3.11+)
            if out.group(1) in ("FAIL", "ERROR"):
                record(current, "FAIL", "")
            continue
        if out and (start or not line.startswith(" ")):
            word = out.group(1)
            detail = (out.group(2) or "").strip("'\"") if word.startswith("skipped") else ""
            record(current, word, detail)
            current = None
    return outcomes, runs


def _all_areas(testkit: Path) -> list[str]:
    stub = testkit / "tests" / "stub"
    return sorted(p.name for p in stub.iterdir()
                  if p.is_dir() and (p / "__init__.py").exists() and p.name != "__pycache__")


def _wait_port(host: str, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the backend did not listen on {host}:{port}") from None
            time.sleep(0.1)


def _official(official: Path) -> dict[str, set[str]]:
    by_area: dict[str, set[str]] = {}
    path = official / "pass.txt"
    if path.exists():
        for line in path.read_text().split():
            parts = line.split(".")
            if len(parts) > 2:
                by_area.setdefault(parts[2], set()).add(line)
    return by_area


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m testkit_backend.run")
    parser.add_argument("--testkit", default=str(ROOT.parent / "shared" / "testkit"))
    parser.add_argument("--python", required=True, help="testkit's venv python")
    parser.add_argument("--areas", default="", help="stub areas, space- or comma-separated")
    parser.add_argument("--out", default="testkit-results")
    parser.add_argument("--build", default=".testkit-build", help="where testkit is copied")
    parser.add_argument("--official", default=str(ROOT.parent / "shared" / "testkit-official"))
    parser.add_argument("--port", type=int, default=9876)
    parser.add_argument("--area-timeout", type=float, default=3600.0)
    args = parser.parse_args(argv)

    source = Path(args.testkit).resolve()
    copy = Path(args.build).resolve() / "testkit"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns(".git", "__pycache__"))
    areas = [a for a in re.split(r"[\s,]+", args.areas) if a] or _all_areas(copy)
    out = Path(args.out).resolve()
    (out / "logs").mkdir(parents=True, exist_ok=True)

    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "TEST_DRIVER_NAME": "python",
           "TEST_BACKEND_HOST": "127.0.0.1", "TEST_BACKEND_PORT": str(args.port),
           "TEST_STUB_HOST": "127.0.0.1", "PYTHONPATH": str(copy),
           # testkit writes each stub script with its variables filled in to the temp folder
           # under the script's own name: a folder of this run's, not /tmp that concurrent runs
           # (in other network namespaces) share
           "TMPDIR": str(_tmpdir(Path(args.build).resolve()))}
    backend_env = {**os.environ, "PYTHONPATH": str(ROOT)}
    backend_log = open(out / "logs" / "backend.log", "w")  # noqa: SIM115 - closed below
    backend = subprocess.Popen([sys.executable, "-m", "testkit_backend", "--port", str(args.port)],
                               cwd=ROOT, env=backend_env, stdout=backend_log,
                               stderr=subprocess.STDOUT)
    official = _official(Path(args.official))
    rows, tsv = [], ["area\ttest\toutcome\tdetail"]
    missed: list[str] = []
    try:
        _wait_port("127.0.0.1", args.port, 30)
        for area in areas:
            started = time.monotonic()
            try:
                proc = subprocess.run(
                    [str(Path(args.python).absolute()), "-m", "unittest", "discover", "-v", "-s", f"tests/stub/{area}",
                     "-t", "."], cwd=copy, env=env, capture_output=True, text=True,
                    timeout=args.area_timeout)
                text = proc.stdout + proc.stderr
            except subprocess.TimeoutExpired as exc:
                text = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
                text += "\n*** area timed out ***\n"
            wall = time.monotonic() - started
            (out / "logs" / f"{area}.log").write_text(text)
            outcomes, runs = parse_unittest_output(text)
            counts = {k: sum(1 for o, _ in outcomes.values() if o == k)
                      for k in ("passed", "skipped", "failed")}
            theirs = official.get(area, set())
            ours = {t for t, (o, _) in outcomes.items() if o == "passed"}
            missed.extend(sorted(theirs - ours))
            rows.append((area, counts["passed"], counts["skipped"], counts["failed"], runs,
                         round(wall), len(theirs), len(theirs & ours)))
            for test in sorted(outcomes):
                outcome, detail = outcomes[test]
                tsv.append(f"{area}\t{test}\t{outcome}\t{detail}")
            print(f"{area}: {counts['passed']} passed, {counts['skipped']} skipped, "
                  f"{counts['failed']} failed; {len(theirs & ours)}/{len(theirs)} of the "
                  f"official backend's passes", flush=True)
    finally:
        backend.terminate()
        try:
            backend.wait(10)
        except subprocess.TimeoutExpired:
            backend.kill()
        backend_log.close()

    header = (f"{'area':<24} {'passed':>7} {'skipped':>8} {'failed':>7} {'runs':>6} {'wall s':>7}"
              f" {'official':>9} {'of those':>9}")
    lines = ["# asyncbolt's testkit backend (testkit_backend/) on the stub suites; 'official': the "
             "official Python driver's passes in that area, 'of those': how many we pass too.",
             header]
    total = [0] * 7
    for row in rows:
        lines.append(f"{row[0]:<24} {row[1]:>7} {row[2]:>8} {row[3]:>7} {row[4]:>6} {row[5]:>7}"
                     f" {row[6]:>9} {row[7]:>9}")
        total = [a + b for a, b in zip(total, row[1:], strict=True)]
    lines.append(f"{'total':<24} {total[0]:>7} {total[1]:>8} {total[2]:>7} {total[3]:>6} "
                 f"{total[4]:>7} {total[5]:>9} {total[6]:>9}")
    (out / "per-area.txt").write_text("\n".join(lines) + "\n")
    (out / "outcomes.tsv").write_text("\n".join(tsv) + "\n")
    (out / "missed.txt").write_text("".join(m + "\n" for m in missed))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
