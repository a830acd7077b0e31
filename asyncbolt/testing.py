"""pytest fixtures for code that talks Bolt (a pytest plugin, loaded by its ``pytest11`` entry
point once asyncbolt is installed).

``bolt_server``
    Starts asyncbolt servers: ``bolt_server(SessionClass, **serve_kwargs)`` returns a running
    :class:`RunningServer` on a free 127.0.0.1 port (``.uri``, ``.address``, ``.port``); every
    server the test started is closed at teardown. Or parametrize it indirectly with a session
    class (or ``(SessionClass, {serve kwargs})``) to get the running server itself.

``ladybug_server``
    ``asyncbolt serve`` in memory: a :class:`RunningServer` in front of an empty LadybugDB
    (``.graph`` is the database, for a schema or test data). Skipped when the ``serve`` extra
    (``ladybug``) is not installed. Parametrize it indirectly with a dict of ``open_shared``
    options (``auth=("neo4j", "pw")``, ``init="schema.cypher"``, ...).

``bolt_stub``
    ``bolt_stub(script)`` (the script's text or a path) plays a stub script (testkit's stub script
    language, see ``asyncbolt stub``) on a free port and returns the stub (``.uri``,
    ``.address``); at teardown it asserts that the script was played to the end, and fails the
    test with the stub's error lines (which line expected what, and what came) if not.

The servers run on an event loop in a background thread, so the fixtures serve sync tests
(blocking drivers) and async tests alike::

    def test_reads_one(bolt_stub):
        stub = bolt_stub('''
            !: BOLT 5.4
            A: HELLO {"{}": "*"}
            A: LOGON {"{}": "*"}
            C: RUN "RETURN 1 AS n" {} {}
            C: PULL {"n": {"Z": "*"}}
            S: SUCCESS {"fields": ["n"]}
               RECORD [1]
               SUCCESS {"type": "r"}
            ?: GOODBYE
            ''')
        with neo4j.GraphDatabase.driver(stub.uri, auth=("u", "p")) as driver:
            with driver.session() as session:   # an auto-commit RUN (execute_query would BEGIN)
                assert session.run("RETURN 1 AS n").single()["n"] == 1

Only this module imports pytest: ``import asyncbolt`` does not.
"""

from __future__ import annotations

import asyncio
import os
import textwrap
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

__all__ = ["RunningServer", "LoopThread", "bolt_server", "ladybug_server", "bolt_stub"]

#: Seconds a fixture waits for its server to start, stop, or (bolt_stub) finish its script.
TIMEOUT = 10.0


class LoopThread:
    """An asyncio event loop running in a daemon thread; ``call(coro)`` runs a coroutine on it
    and returns its result (blocking the caller up to ``timeout`` seconds)."""

    def __init__(self, name: str = "asyncbolt-testing") -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self.thread.start()

    def call(self, coro: Any, timeout: float | None = TIMEOUT) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(TIMEOUT)
        if not self.thread.is_alive():
            self.loop.close()


class RunningServer:
    """An asyncbolt server on its own loop thread: ``uri`` (``bolt://127.0.0.1:PORT``),
    ``address`` (``("127.0.0.1", PORT)``), ``port``, ``server`` (the :class:`asyncbolt.Server`);
    ``close()`` stops it (the fixtures do at teardown)."""

    def __init__(self, session_class: type, host: str = "127.0.0.1", port: int = 0,
                 on_close: Callable[[], None] | None = None, **serve_kwargs: Any) -> None:
        import asyncbolt

        self._on_close = on_close
        #: For ladybug_server: the database (LadybugGraph), for a schema or test data.
        self.graph: Any = None
        self._thread = LoopThread(f"asyncbolt-testing {session_class.__name__}")
        try:
            self.server = self._thread.call(asyncbolt.serve(session_class, host, port, **serve_kwargs))
        except BaseException:
            self._thread.stop()
            raise
        self.closed = False

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def address(self) -> tuple[str, int]:
        return self.server.host, self.server.port

    @property
    def uri(self) -> str:
        host = self.server.host
        return f"bolt://{f'[{host}]' if ':' in host else host}:{self.server.port}"

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True

        async def stop() -> None:
            self.server.close()
            await self.server.wait_closed()

        try:
            self._thread.call(stop())
        finally:
            self._thread.stop()
            if self._on_close is not None:
                self._on_close()

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<RunningServer {self.uri}{' closed' if self.closed else ''}>"


def _param(request: pytest.FixtureRequest) -> Any:
    return getattr(request, "param", None)


@pytest.fixture
def bolt_server(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A factory of running asyncbolt servers (or, parametrized indirectly, one server)."""
    servers: list[RunningServer] = []

    def start(session_class: type, **serve_kwargs: Any) -> RunningServer:
        server = RunningServer(session_class, **serve_kwargs)
        servers.append(server)
        return server

    param = _param(request)
    try:
        if param is None:
            yield start
        elif isinstance(param, tuple):
            yield start(param[0], **(param[1] if len(param) > 1 else {}))
        else:
            yield start(param)
    finally:
        for server in servers:
            server.close()


@pytest.fixture
def ladybug_server(request: pytest.FixtureRequest) -> Iterator[RunningServer]:
    """``asyncbolt serve`` in memory (LadybugDB); ``.graph`` is the database."""
    try:
        import ladybug  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"ladybug_server needs asyncbolt's serve extra (pip install 'asyncbolt[serve]'): {exc}")
    from asyncbolt.tools.backends.ladybug import LadybugSession as session_class
    options = dict(_param(request) or {})
    shared = session_class.open_shared(options.pop("db", None), **options)
    try:
        server = RunningServer(session_class, on_close=lambda: session_class.close_shared(shared), **shared)
    except BaseException:
        session_class.close_shared(shared)
        raise
    server.graph = shared["graph"]
    try:
        yield server
    finally:
        server.close()


def _stub_failure(stub: Any, why: str) -> str:
    lines = [f"bolt_stub: {why}"]
    lines += [f"  {e}" for e in stub.errors]
    tail = stub.log[-20:]
    if tail:
        lines.append("  the stub's last log lines:")
        lines += [f"    {line}" for line in tail]
    return "\n".join(lines)


@pytest.fixture
def bolt_stub() -> Iterator[Callable[..., Any]]:
    """A factory of stub servers: ``bolt_stub(script_text_or_path, **StubServer_kwargs)``; at
    teardown each must have played its script to the end."""
    try:
        from asyncbolt.tools.stub import StubServer
    except ImportError as exc:  # pragma: no cover - the stub server is part of asyncbolt
        pytest.skip(f"bolt_stub needs asyncbolt.tools.stub: {exc}")
    thread = LoopThread("asyncbolt-testing stub")
    stubs: list[Any] = []

    def start(script: str | os.PathLike[str], **kwargs: Any) -> Any:
        if isinstance(script, str) and "\n" in script:
            script = textwrap.dedent(script).strip() + "\n"

        async def make() -> Any:
            return await StubServer(script, "127.0.0.1", 0, **kwargs).start()

        stub = thread.call(make())
        stubs.append(stub)
        return stub

    failures = []
    try:
        yield start
        for stub in stubs:
            ok = thread.call(stub.wait(TIMEOUT), TIMEOUT + 5)
            if not ok:
                why = ("the script was not played to the end" if not stub.errors
                       else "the conversation broke the script")
                failures.append(_stub_failure(stub, why))
    finally:
        for stub in stubs:
            try:
                thread.call(stub.close())
            except Exception:  # noqa: BLE001 - closing; the failures say what went wrong
                pass
        thread.stop()
    if failures:
        pytest.fail("\n".join(failures), pytrace=False)
