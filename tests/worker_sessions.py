"""Sessions for the tests of ``serve(workers=N)`` (importable, so that worker processes can
unpickle them by name)."""

from __future__ import annotations

import os
from typing import Any

import asyncbolt


class PidSession(asyncbolt.ServerSession):
    """``PID``: one record, the serving process's id; ``CRASH``: the process exits at once
    (code 3), as a worker that dies; anything else: one record ``[query]``."""

    async def run(self, query: str, parameters: dict[str, Any], extra: dict[str, Any]) -> asyncbolt.ServerResult:
        if query == "CRASH":
            os._exit(3)
        if query == "PID":
            return asyncbolt.ServerResult(["pid"], [[os.getpid()]])
        return asyncbolt.ServerResult(["query"], [[query]])
