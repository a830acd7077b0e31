"""Sessions for the tests of ``serve(workers=N)`` (importable, so that worker processes can
unpickle them by name)."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import asyncbolt


class PidSession(asyncbolt.ServerSession):
    """``PID``: one record, the serving process's id; ``CRASH``: the process exits at once
    (code 3), as a worker that dies; ``LOOP``: the module of its event loop's class; anything else: one record ``[query]``."""

    async def run(self, query: str, parameters: dict[str, Any], extra: dict[str, Any]) -> asyncbolt.ServerResult:
        if query == "CRASH":
            os._exit(3)
        if query == "LOOP":  # the module of the worker's event loop class
            return asyncbolt.ServerResult(["loop"], [[type(asyncio.get_running_loop()).__module__]])
        if query == "PID":
            return asyncbolt.ServerResult(["pid"], [[os.getpid()]])
        return asyncbolt.ServerResult(["query"], [[query]])
