"""benchmarks/RESULTS.md: one markdown file, one section per benchmark.

Each benchmark's ``--results PATH`` replaces its own section (between ``<!-- bench:NAME -->`` and
``<!-- /bench:NAME -->``) and leaves the others as they are, so ``make bench`` running the three
of them one after the other writes one report; a section not there yet is appended.
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import re
from importlib import metadata
from pathlib import Path
from typing import Any

TITLE = """# asyncbolt benchmark results

Written by `make bench` (`python -m benchmarks`, `python -m benchmarks.server` and
`python -m benchmarks.client`, each with `--results benchmarks/RESULTS.md`); each section says
how it was measured and on which machine. Numbers compare only within one machine, and ratios
come from one run: expect a few percent of noise between runs.
"""


def machine() -> dict[str, Any]:
    """The machine and software a benchmark ran on."""
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f
                        if line.startswith("model name")), cpu)
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    packages = {}
    for dist in ("asyncbolt", "neo4j", "neo4j-rust-ext", "msgpack", "construct"):
        try:
            packages[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            packages[dist] = None
    try:
        from asyncbolt.codec.packstream import ACCELERATED
    except ImportError:
        ACCELERATED = None  # noqa: N806
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_model": cpu or "unknown CPU",
        "cpu_count": os.cpu_count(),
        "cpu_usable": usable,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "python_build": " ".join(platform.python_build()),
        "packages": packages,
        "asyncbolt_accelerated": ACCELERATED,
    }


def machine_markdown(info: dict[str, Any] | None = None) -> str:
    info = info or machine()
    packages = ", ".join(f"{k} {v or 'not installed'}" for k, v in info["packages"].items())
    codec = {True: "C accelerator built and in use", False: "pure Python (no C accelerator)",
             None: "unknown"}[info.get("asyncbolt_accelerated")]
    return "\n".join([
        f"- Machine: {info['cpu_model']}, {info['cpu_count']} CPUs ({info['cpu_usable']} usable), "
        f"{info['platform']}",
        f"- Python: {info['python']} ({info['python_build']})",
        f"- Packages: {packages}",
        f"- asyncbolt codec by default: {codec}",
        f"- Run: {_dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}",
    ])


def table(head: list[str], rows: list[list[str]], right: set[int] | None = None) -> str:
    """A markdown table; columns in ``right`` (default: all but the first) align right."""
    right = set(range(1, len(head))) if right is None else right
    align = ["---:" if i in right else ":---" for i in range(len(head))]
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def update_section(path: str | os.PathLike, name: str, body: str) -> None:
    """Put ``body`` as section ``name`` of the results file at ``path``."""
    path = Path(path)
    text = path.read_text(encoding="utf-8") if path.exists() else TITLE
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    section = f"{start}\n{body.strip()}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    print(f"updated the {name} section of {path}")
