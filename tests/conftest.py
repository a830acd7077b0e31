"""The suite's plugins: pytester (tests of the fixtures' failure paths) and asyncbolt's own
pytest plugin (asyncbolt.testing, normally loaded by its pytest11 entry point; loaded here by
name, which it is registered under either way, for a checkout that is not installed).

And what several test files share: ``until`` (poll a condition on the running loop instead of
sleeping for a guessed time) and ``uri_of`` (a server's bolt:// URI), imported with
``from .conftest import until, uri_of``; the ``server`` fixture (an EchoSession server on an
ephemeral port, its Recorder as ``server.recorder``), which a test file may override with its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

import asyncbolt

from .sessions import EchoSession, Recorder

#: How long ``until`` waits by default: generous, since it only matters when the test fails
#: (a loaded CI machine must not turn a slow pass into a failure).
UNTIL_TIMEOUT = 10.0


def pytest_configure(config: pytest.Config) -> None:
    for name in ("pytester", "asyncbolt.testing"):
        config.pluginmanager.import_plugin(name)


async def until(condition: Callable[[], object], timeout: float = UNTIL_TIMEOUT,
                interval: float = 0.005) -> None:
    """Wait until ``condition()`` is true, polling every ``interval`` seconds on the running
    loop (the servers and clients under test work meanwhile); AssertionError after ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {condition}")
        await asyncio.sleep(interval)


def uri_of(server: Any) -> str:
    """The bolt:// URI of a server listening on 127.0.0.1 (anything with a ``port``)."""
    return f"bolt://127.0.0.1:{server.port}"


@pytest.fixture
async def server() -> AsyncIterator[asyncbolt.Server]:
    """asyncbolt's server with the test EchoSession on an ephemeral port of 127.0.0.1; what the
    sessions did is in ``server.recorder``."""
    recorder = Recorder()
    srv = await asyncbolt.serve(EchoSession, "127.0.0.1", 0, recorder=recorder)
    srv.recorder = recorder
    async with srv:
        yield srv
