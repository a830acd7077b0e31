"""The package layout: old flat module paths still import, and `import asyncbolt` is lazy."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import asyncbolt
from asyncbolt.compat.moved import MOVED

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("old", sorted(MOVED))
def test_old_module_paths_give_the_module_at_its_new_place(old: str) -> None:
    if old == "backends" or old == "serving":
        pytest.importorskip("ladybug", reason="the serve extra (ladybug) is not installed")
    module = importlib.import_module(f"asyncbolt.{old}")
    assert module is importlib.import_module(f"asyncbolt.{MOVED[old]}")
    assert module.__name__ == f"asyncbolt.{MOVED[old]}"


def test_submodules_of_a_moved_package_are_not_loaded_twice() -> None:
    old = importlib.import_module("asyncbolt.stub.script")
    new = importlib.import_module("asyncbolt.tools.stub.script")
    assert old is new


def test_unknown_names_still_fail_to_import() -> None:
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("asyncbolt.no_such_module")
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        asyncbolt.no_such_name  # noqa: B018


def test_every_public_name_resolves() -> None:
    for name in asyncbolt.__all__:
        assert getattr(asyncbolt, name) is not None, name
    assert set(asyncbolt.__all__) <= set(dir(asyncbolt))


def test_import_asyncbolt_loads_neither_asyncio_nor_the_client() -> None:
    code = ("import json, sys, asyncbolt; "
            "print(json.dumps(sorted(m for m in sys.modules if m == 'asyncio' or m.startswith('asyncbolt.'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    loaded = json.loads(out)
    assert "asyncio" not in loaded
    assert not [m for m in loaded if m.startswith(("asyncbolt.client", "asyncbolt.server",
                                                    "asyncbolt.tools"))], loaded


#: The largest hand-written module may have (issue #17: "no hand-written module over ~700
#: lines", h11's largest); a module that grows past it is split by job, not allowed more.
MAX_MODULE_LINES = 720


def test_no_hand_written_module_is_much_over_700_lines() -> None:
    package = ROOT / "asyncbolt"
    sizes = {path.relative_to(ROOT).as_posix(): len(path.read_text().splitlines())
             for path in package.rglob("*.py") if "_generated" not in path.parts}
    assert sizes, "no modules found"
    too_long = {path: n for path, n in sizes.items() if n > MAX_MODULE_LINES}
    assert not too_long, f"modules over {MAX_MODULE_LINES} lines (split them by job): {too_long}"


def test_one_meaning_per_class_name() -> None:
    """No two hand-written modules define a class of the same name (a reader meeting
    ``Connection`` or ``_Side`` knows which one it is)."""
    import ast

    where: dict[str, list[str]] = {}
    for path in (ROOT / "asyncbolt").rglob("*.py"):
        if "_generated" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                where.setdefault(node.name, []).append(path.relative_to(ROOT).as_posix())
    twice = {name: paths for name, paths in where.items() if len(paths) > 1}
    assert not twice, twice
