"""Which event loop runs a program: asyncio's own, or uvloop when it is installed.

    asyncbolt.run(main(), loop="auto")   # uvloop if installed, else asyncio's loop

uvloop (``pip install asyncbolt[uvloop]``) is an optional extra: it is imported only when chosen,
never at package import time. A coroutine such as :func:`asyncbolt.serve` runs on the loop it is
awaited on, so the choice is made where the loop is made: here (or by ``uvloop.run``).
"""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

__all__ = ["LOOPS", "run", "loop_factory", "resolve_loop", "running_loop_name"]

#: The accepted values of ``loop=`` (and of ``asyncbolt serve --loop``).
LOOPS = ("auto", "asyncio", "uvloop")

_T = TypeVar("_T")


def _uvloop_installed() -> bool:
    return importlib.util.find_spec("uvloop") is not None


def resolve_loop(loop: str = "auto") -> str:
    """The loop ``loop`` names: ``"auto"`` is ``"uvloop"`` when uvloop is installed, else
    ``"asyncio"``. ValueError for a name not in :data:`LOOPS`; ImportError for ``"uvloop"``
    when it is not installed (saying how to install it)."""
    if loop not in LOOPS:
        raise ValueError(f"loop must be one of {', '.join(map(repr, LOOPS))}, got {loop!r}")
    if loop == "auto":
        return "uvloop" if _uvloop_installed() else "asyncio"
    if loop == "uvloop" and not _uvloop_installed():
        raise ImportError("loop='uvloop' needs uvloop, which is not installed: "
                          "pip install 'asyncbolt[uvloop]' (or choose loop='asyncio')")
    return loop


def loop_factory(loop: str = "auto") -> Callable[[], asyncio.AbstractEventLoop]:
    """A function that makes a new event loop of the kind ``loop`` names (see
    :func:`resolve_loop`)."""
    if resolve_loop(loop) == "uvloop":
        import uvloop

        factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
        return factory
    return asyncio.new_event_loop


def run(main: Coroutine[Any, Any, _T], *, loop: str = "auto", debug: bool | None = None) -> _T:
    """Run the coroutine ``main`` on a new event loop of the kind ``loop`` names and return its
    result, as :func:`asyncio.run` does (which it is, with the loop chosen): ``"auto"`` (the
    default) takes uvloop when it is installed, else asyncio's loop; ``"asyncio"``;
    ``"uvloop"`` (ImportError when it is not installed). ValueError for another name."""
    try:
        factory = loop_factory(loop)
    except BaseException:
        main.close()  # (never awaited: no "coroutine was never awaited" warning)
        raise
    if hasattr(asyncio, "Runner"):  # Python 3.11+
        with asyncio.Runner(debug=debug, loop_factory=factory) as runner:
            return runner.run(main)
    new = factory()  # Python 3.10: asyncio.run() with its loop made here
    try:
        asyncio.set_event_loop(new)
        if debug is not None:
            new.set_debug(debug)
        return new.run_until_complete(main)
    finally:
        try:
            _cancel_all(new)
            new.run_until_complete(new.shutdown_asyncgens())
            new.run_until_complete(new.shutdown_default_executor())
        finally:
            asyncio.set_event_loop(None)
            new.close()


def _cancel_all(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel the tasks left on ``loop`` and let them finish (what asyncio.run does)."""
    tasks = asyncio.all_tasks(loop)
    if not tasks:
        return
    for task in tasks:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
    for task in tasks:
        if not task.cancelled() and task.exception() is not None:
            loop.call_exception_handler({"message": "unhandled exception during asyncbolt.run() shutdown",
                                         "exception": task.exception(), "task": task})


def running_loop_name() -> str:
    """``"uvloop"`` or ``"asyncio"`` (or the module of another loop class): which kind of event
    loop runs the calling coroutine."""
    module = type(asyncio.get_running_loop()).__module__
    if module.startswith("uvloop"):
        return "uvloop"
    if module.startswith("asyncio"):
        return "asyncio"
    return module
