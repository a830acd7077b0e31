"""The server framework's public names: ServerResult (Result is the same class under its older
name), and the old module path asyncbolt.server.runtime, which still imports."""

from __future__ import annotations

import importlib

import asyncbolt
import asyncbolt.server


def test_server_result_and_its_old_name_are_one_class() -> None:
    assert asyncbolt.ServerResult is asyncbolt.Result
    assert asyncbolt.server.ServerResult is asyncbolt.server.Result is asyncbolt.ServerResult
    assert "ServerResult" in asyncbolt.__all__ and "Result" in asyncbolt.__all__
    result = asyncbolt.Result(["x"], [[1]], {"type": "r"})
    assert isinstance(result, asyncbolt.ServerResult)
    assert repr(result) == "ServerResult(fields=['x'], metadata={'type': 'r'})"


def test_server_result_is_not_the_clients_result() -> None:
    from asyncbolt.client.connection import Result as ClientResult

    assert ClientResult is not asyncbolt.ServerResult


def test_the_old_runtime_module_path_still_imports_the_public_names() -> None:
    runtime = importlib.import_module("asyncbolt.server.runtime")
    for name in asyncbolt.server.__all__:
        assert getattr(runtime, name) is getattr(asyncbolt, name), name
    from asyncbolt.server.runtime import Result, ServerSession, serve  # noqa: F401 (the old import)

