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

__all__ = ["parse_unittest_output", "tabulate_area", "format_table", "main"]

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


#: Skip reasons that mean "asyncbolt lacks this" (testkit's feature gates and the backend's SKIPS).
_LACKS = re.compile(r"^Needs support for |^asyncbolt")


def tabulate_area(area: str, outcomes: dict[str, tuple[str, str]], official: set[str]) -> dict:
    """One area's counts. ``runnable``: the official backend's passes not skipped here for a
    feature asyncbolt lacks; ``ours``: how many of those we pass; ``missed``: the rest."""
    counts = {k: sum(1 for o, _ in outcomes.values() if o == k)
              for k in ("passed", "skipped", "failed")}
    lacking = {t for t, (o, d) in outcomes.items() if o == "skipped" and _LACKS.search(d)}
    runnable = official - lacking
    ours = {t for t, (o, _) in outcomes.items() if o == "passed"}
    return {"area": area, **counts, "official": len(official), "runnable": len(runnable),
            "ours": len(runnable & ours), "missed": sorted(runnable - ours), "runs": 0, "wall": 0}


_TITLE = ("# asyncbolt's testkit backend (testkit_backend/) on the stub suites. official: the "
          "official Python driver's passes in the area; runnable: those not skipped here for a "
          "feature asyncbolt lacks; we pass: how many of those asyncbolt passes.")
_STUB_TITLE = ("# The official Python driver's testkit backend with `asyncbolt stub` in place of "
               "testkit's boltstub. official: its passes in the area with boltstub; runnable: "
               "the same; we pass: how many of those also pass with asyncbolt stub.")


def format_table(rows: list[dict], title: str = _TITLE) -> str:
    """``per-area.txt``: a line per area and the totals."""
    cols = ("passed", "skipped", "failed", "runs", "wall", "official", "runnable", "ours")
    heads = ("passed", "skipped", "failed", "runs", "wall s", "official", "runnable", "we pass")
    lines = [title, f"{'area':<24}" + "".join(f" {h:>9}" for h in heads)]
    for row in rows:
        lines.append(f"{row['area']:<24}" + "".join(f" {row[c]:>9}" for c in cols))
    lines.append(f"{'total':<24}" + "".join(f" {sum(r[c] for r in rows):>9}" for c in cols))
    return "\n".join(lines) + "\n"


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


_SHIM = """\
# Written by asyncbolt's testkit_backend/run.py --stub asyncbolt: testkit's harness runs
# `python -m boltstub -l ADDR -v SCRIPT`; this runs `asyncbolt stub` with the same arguments in
# the same process (exec keeps the pid, so the harness's SIGINTs reach it).
import os
import sys

env = dict(os.environ, PYTHONPATH={root!r})
os.execve({python!r}, [{python!r}, "-m", "asyncbolt", "stub", *sys.argv[1:]], env)
"""


def install_stub_shim(testkit_copy: Path, python: Path, root: Path) -> None:
    """Replace the copy's ``boltstub`` package by a shim that execs ``asyncbolt stub``."""
    package = testkit_copy / "boltstub"
    if package.exists():
        shutil.rmtree(package)
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "__main__.py").write_text(_SHIM.format(root=str(root), python=str(python)))


def _tls_problem(tlsserver: str | None) -> str | None:
    """Why testkit's tests/tls cannot run here (None: they can)."""
    if not tlsserver or not os.access(tlsserver, os.X_OK):
        return ("needs --tlsserver: testkit's tlsserver built with Go (apt-get install golang-go; "
                "cd testkit/tlsserver && GO111MODULE=off go build -o /tmp/tlsserver main.go)")
    for name in ("thehost", "thehostbutwrong"):
        try:
            address = socket.gethostbyname(name)
        except OSError:
            address = None
        if address != "127.0.0.1":
            return (f"needs {name} to resolve to 127.0.0.1 (it gives {address}): add "
                    "'127.0.0.1 thehost thehostbutwrong' to /etc/hosts, or run in a mount "
                    "namespace with a hosts file of its own: unshare -m sh -c 'mount --bind "
                    "HOSTS /etc/hosts && python -m testkit_backend.run ...'")
    return None


def _official(official: Path) -> dict[str, set[str]]:
    by_area: dict[str, set[str]] = {}
    path = official / "pass.txt"
    if path.exists():
        for line in path.read_text().split():
            parts = line.split(".")
            if len(parts) > 2:
                by_area.setdefault("tls" if parts[1] == "tls" else parts[2], set()).add(line)
    return by_area


def _write(out: Path, rows: list[dict], tsv: list[str], missed: list[str],
           title: str = _TITLE) -> str:
    table = format_table(rows, title)
    (out / "per-area.txt").write_text(table)
    (out / "outcomes.tsv").write_text("\n".join(tsv) + "\n")
    (out / "missed.txt").write_text("".join(m + "\n" for m in missed))
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m testkit_backend.run")
    parser.add_argument("--testkit", default=str(ROOT.parent / "shared" / "testkit"))
    parser.add_argument("--python", required=True, help="testkit's venv python")
    parser.add_argument("--areas", default="", help="stub areas, space- or comma-separated; "
                        "AREA/test_module.py runs one module of an area")
    parser.add_argument("--out", default="testkit-results")
    parser.add_argument("--build", default=".testkit-build", help="where testkit is copied")
    parser.add_argument("--official", default=str(ROOT.parent / "shared" / "testkit-official"))
    parser.add_argument("--port", type=int, default=9876)
    parser.add_argument("--area-timeout", type=float, default=3600.0)
    parser.add_argument("--backend", choices=("asyncbolt", "official"), default="asyncbolt",
                        help="official: the official Python driver's testkit backend (from "
                             "--driver, copied under the build folder, run in testkit's venv)")
    parser.add_argument("--driver", default=str(ROOT.parent / "shared" / "neo4j-python-driver-5.25"),
                        help="the official Python driver's source (src/ and testkitbackend/)")
    parser.add_argument("--stub", choices=("boltstub", "asyncbolt"), default="boltstub",
                        help="asyncbolt: replace testkit's boltstub by `asyncbolt stub` (this "
                             "checkout) in the copy")
    parser.add_argument("--tlsserver", default=None, metavar="BINARY",
                        help="testkit's tlsserver, built (cd testkit/tlsserver && go build): "
                             "needed by the area 'tls' (testkit's tests/tls), which also needs "
                             "'thehost' and 'thehostbutwrong' to resolve to 127.0.0.1")
    parser.add_argument("--require", type=float, default=None, metavar="PCT",
                        help="exit 1 if in some area we pass less than PCT%% of the official "
                             "backend's passes that asyncbolt's features allow")
    args = parser.parse_args(argv)

    source = Path(args.testkit).resolve()
    copy = Path(args.build).resolve() / "testkit"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns(".git", "__pycache__"))
    if args.stub == "asyncbolt":
        install_stub_shim(copy, Path(sys.executable), ROOT)
    areas = [a for a in re.split(r"[\s,]+", args.areas) if a] or _all_areas(copy)
    tls = any(a.partition("/")[0] == "tls" for a in areas)
    if tls:
        problem = _tls_problem(args.tlsserver)
        if problem:
            print(f"testkit_backend.run: the area tls {problem}", file=sys.stderr)
            return 2
        shutil.copy2(args.tlsserver, copy / "tlsserver" / "tlsserver")
    out = Path(args.out).resolve()
    (out / "logs").mkdir(parents=True, exist_ok=True)

    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "TEST_DRIVER_NAME": "python",
           "TEST_BACKEND_HOST": "127.0.0.1", "TEST_BACKEND_PORT": str(args.port),
           "TEST_STUB_HOST": "127.0.0.1", "PYTHONPATH": str(copy),
           # testkit writes each stub script with its variables filled in to the temp folder
           # under the script's own name: a folder of this run's, not /tmp that concurrent runs
           # (in other network namespaces) share
           "TMPDIR": str(_tmpdir(Path(args.build).resolve()))}
    backend_log = open(out / "logs" / "backend.log", "w")  # noqa: SIM115 - closed below
    if args.backend == "official":
        # The official backend always listens on 9876.
        driver = Path(args.build).resolve() / "driver"
        if driver.exists():
            shutil.rmtree(driver)
        shutil.copytree(Path(args.driver).resolve(), driver,
                        ignore=shutil.ignore_patterns(".git", "__pycache__"))
        backend_env = {**os.environ, "PYTHONPATH": f"{driver / 'src'}{os.pathsep}{driver}"}
        backend = subprocess.Popen([str(Path(args.python).absolute()), "-u", "-m",
                                    "testkitbackend", "async"], cwd=driver, env=backend_env,
                                   stdout=backend_log, stderr=subprocess.STDOUT)
    else:
        backend_env = {**os.environ, "PYTHONPATH": str(ROOT)}
        if tls:  # (what testkit's Docker image installs: its CAs as the system's, and custom ones)
            certs = copy / "tests" / "tls" / "certs" / "driver"
            backend_env.update(SSL_CERT_FILE=str(certs / "trusted" / "trustedRoot.crt"),
                               TESTKIT_CUSTOM_CAS=str(certs / "custom"))
        backend = subprocess.Popen([sys.executable, "-m", "testkit_backend", "--port",
                                    str(args.port)], cwd=ROOT, env=backend_env,
                                   stdout=backend_log, stderr=subprocess.STDOUT)
    official = _official(Path(args.official))
    title = _STUB_TITLE if (args.backend, args.stub) == ("official", "asyncbolt") else _TITLE
    rows: list[dict] = []
    tsv = ["area\ttest\toutcome\tdetail"]
    missed: list[str] = []
    try:
        _wait_port("127.0.0.1", args.port, 30)
        for area in areas:
            started = time.monotonic()
            # "routing/test_routing_v5x0.py": one module of an area (compared with the official
            # passes in that module only).
            area, _, module = area.partition("/")
            pattern = ["-p", module] if module else []
            theirs = official.get(area, set())
            folder = "tests/tls" if area == "tls" else f"tests/stub/{area}"
            if module:
                prefix = f"{folder.replace('/', '.')}.{module.removesuffix('.py')}."
                theirs = {t for t in theirs if t.startswith(prefix)}
            try:
                proc = subprocess.run(
                    [str(Path(args.python).absolute()), "-m", "unittest", "discover", "-v",
                     "-s", folder, "-t", ".", *pattern], cwd=copy, env=env,
                    capture_output=True, text=True, timeout=args.area_timeout)
                text = proc.stdout + proc.stderr
            except subprocess.TimeoutExpired as exc:
                text = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
                text += "\n*** area timed out ***\n"
            wall = time.monotonic() - started
            name = f"{area}/{module}" if module else area
            (out / "logs" / f"{name.replace('/', '-')}.log").write_text(text)
            outcomes, runs = parse_unittest_output(text)
            row = tabulate_area(name, outcomes, theirs)
            row["runs"], row["wall"] = runs, round(wall)
            rows.append(row)
            missed.extend(row["missed"])
            for test in sorted(outcomes):
                outcome, detail = outcomes[test]
                tsv.append(f"{area}\t{test}\t{outcome}\t{detail}")
            _write(out, rows, tsv, missed, title)  # after each area, so a cut-off run leaves its part
            print(f"{name}: {row['passed']} passed, {row['skipped']} skipped, {row['failed']} "
                  f"failed; {row['ours']}/{row['runnable']} of the official backend's passes that "
                  f"asyncbolt's features allow ({row['official']} in all)", flush=True)
    finally:
        backend.terminate()
        try:
            backend.wait(10)
        except subprocess.TimeoutExpired:
            backend.kill()
        backend_log.close()

    print(_write(out, rows, tsv, missed, title), end="")
    if args.require is not None:
        short = [r for r in rows if r["runnable"] and 100 * r["ours"] < args.require * r["runnable"]]
        for r in short:
            print(f"{r['area']}: {r['ours']} of {r['runnable']} is below {args.require}%",
                  file=sys.stderr)
        if short:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
