"""All of asyncbolt's exception classes live in one module, ``asyncbolt.errors`` (the seed's
names in ``asyncbolt.compat.exception``), and stay importable where they were defined before."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import asyncbolt
from asyncbolt import errors

HOMES = {"asyncbolt.errors", "asyncbolt.compat.exception"}


def _modules() -> list[ModuleType]:
    """Every module of the package (not the ``__main__`` entry points, which run the command)."""
    found = []
    for info in pkgutil.walk_packages(asyncbolt.__path__, "asyncbolt."):
        if info.name.rsplit(".", 1)[-1] == "__main__":
            continue
        found.append(importlib.import_module(info.name))
    return found


def _resolve(node: ast.expr, namespace: dict[str, Any]) -> Any:
    if isinstance(node, ast.Name):
        return namespace.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, namespace)
        return getattr(owner, node.attr, None) if owner is not None else None
    return None


def _is_exception(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseException)


def test_every_exception_class_is_defined_in_asyncbolt_errors() -> None:
    modules = _modules()
    assert len(modules) > 40  # the walk found the package
    elsewhere: list[str] = []
    for module in modules:
        if module.__name__ in HOMES:
            continue
        # Classes reachable at run time (module level, or attributes of classes).
        for name, value in vars(module).items():
            if _is_exception(value) and value.__module__ == module.__name__:
                elsewhere.append(f"{module.__name__}.{name}")
        # Any class statement (also inside functions) whose base is an exception class.
        path = Path(module.__file__ or "")
        if path.suffix != ".py":  # the C accelerator
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                    _is_exception(_resolve(base, vars(module))) or
                    (isinstance(base, ast.Name) and base.id in ("Exception", "BaseException"))
                    for base in node.bases):
                elsewhere.append(f"{module.__name__}: class {node.name} (line {node.lineno})")
    assert sorted(set(elsewhere)) == []


def test_the_check_sees_a_class_defined_elsewhere(tmp_path: Path) -> None:
    """The AST half of the check finds exception classes a namespace walk cannot (local ones)."""
    namespace = {"BoltError": errors.BoltError}
    tree = ast.parse("def f():\n    class Hidden(BoltError):\n        pass\n")
    hits = [node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
            and any(_is_exception(_resolve(base, namespace)) for base in node.bases)]
    assert hits == ["Hidden"]


def test_the_seed_exceptions_are_defined_once() -> None:
    from asyncbolt.compat import exception

    names = [name for name, value in vars(exception).items()
             if _is_exception(value) and value.__module__ == exception.__name__]
    assert sorted(names) == ["BoltClientError", "BufferError", "ServerError", "ServerFailedError",
                             "ServerIgnoredError"]
    assert not set(names) & {name for name, value in vars(errors).items() if _is_exception(value)}
    # The seed's hierarchy (SEED-API.md 6.3): ProtocolError above all of them.
    assert exception.ProtocolError is errors.ProtocolError
    assert exception.HandshakeError is errors.HandshakeError
    assert issubclass(exception.ServerFailedError, exception.ServerError)
    assert issubclass(exception.ServerIgnoredError, exception.ServerError)
    for name in names:
        assert issubclass(getattr(exception, name), errors.ProtocolError)


@pytest.mark.parametrize(("module", "name"), [
    ("asyncbolt.client.connection", "RequestIgnored"),
    ("asyncbolt.client.connection", "ResultConsumedError"),
    ("asyncbolt.client.connection", "TransactionError"),
    ("asyncbolt.client.connection", "ResultFailedError"),
    ("asyncbolt.client.connection", "IncompleteCommit"),
    ("asyncbolt.client.driver", "TransactionError"),
    ("asyncbolt.client.driver", "ResultConsumedError"),
    ("asyncbolt.client.driver", "ResultFailedError"),
    ("asyncbolt.client.driver", "IncompleteCommit"),
    ("asyncbolt.client.pool", "ConnectionAcquisitionTimeout"),
    ("asyncbolt.client.routing", "RoutingServiceUnavailable"),
    ("asyncbolt.client.routing", "SessionExpired"),
    ("asyncbolt.codec._schema", "SchemaError"),
    ("asyncbolt.tools.inspect", "InputError"),
    ("asyncbolt.tools.script", "RecordingError"),
    ("asyncbolt.tools.stub", "ScriptError"),
    ("asyncbolt.tools.stub.script", "ScriptError"),
    ("asyncbolt.tools.stub.values", "JoltError"),
    ("asyncbolt", "TransactionError"),
    ("asyncbolt", "SessionExpired"),
    ("asyncbolt", "ConnectionAcquisitionTimeout"),
    # the flat paths of before the layout by job (asyncbolt.compat.moved)
    ("asyncbolt.pool", "ConnectionAcquisitionTimeout"),
    ("asyncbolt.routing", "SessionExpired"),
    ("asyncbolt.driver", "IncompleteCommit"),
])
def test_old_import_paths_give_the_same_class(module: str, name: str) -> None:
    assert getattr(importlib.import_module(module), name) is getattr(errors, name)


def test_exception_parents_are_kept() -> None:
    assert issubclass(errors.IncompleteCommit, errors.ServiceUnavailable)
    assert issubclass(errors.SessionExpired, errors.ServiceUnavailable)
    assert issubclass(errors.RoutingServiceUnavailable, errors.ServiceUnavailable)
    for name in ("RequestIgnored", "ResultConsumedError", "TransactionError", "ResultFailedError",
                 "ConnectionAcquisitionTimeout", "SchemaError"):
        assert issubclass(getattr(errors, name), errors.BoltError), name
    for name in ("RecordingError", "ScriptError", "JoltError"):
        assert issubclass(getattr(errors, name), ValueError), name
    assert str(errors.ScriptError("no BOLT line", 3, "a.script")) == "a.script:3: no BOLT line"


def test_schema_error_becomes_a_protocol_error_with_its_offset() -> None:
    from asyncbolt.codec.schemas import parse_value

    with pytest.raises(errors.ProtocolError) as caught:
        parse_value(b"\x92\x01\xc7")  # a list of two: 1, then a reserved marker
    assert caught.value.offset == 2 and "reserved marker byte 0xC7" in str(caught.value)
    assert not isinstance(caught.value, errors.SchemaError)


def test_errors_module_imports_neither_construct_nor_asyncio() -> None:
    import subprocess
    import sys

    code = ("import sys, asyncbolt.errors; "
            "print(sorted(m for m in ('construct', 'asyncio') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.strip() == "[]"


def test_inspect_sees_the_moved_classes() -> None:
    assert inspect.getmodule(errors.SessionExpired) is errors
