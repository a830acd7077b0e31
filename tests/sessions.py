"""ServerSession subclasses used by the server tests, and a helper to run a server in a thread.

The official drivers' sync APIs block, so those tests run the asyncbolt server on an event loop
in a background thread (:class:`ServerThread`); async tests use the test's own loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from typing import Any

import asyncbolt
from asyncbolt.codec.structures import (
    Node,
    Path,
    Point2D,
    Point3D,
    Relationship,
    UnboundRelationship,
    Vector,
)

#: Values a session returns from RETURN_ALL, with what the official driver should make of them.
NODE = Node(1, ["Person", "Admin"], {"name": "Ada", "born": 1815}, "4:db:1")
NODE2 = Node(2, ["Person"], {"name": "Charles"}, "4:db:2")
REL = Relationship(7, 1, 2, "KNOWS", {"since": 1833}, "5:db:7", "4:db:1", "4:db:2")
PATH = Path([NODE, NODE2], [UnboundRelationship(7, "KNOWS", {"since": 1833}, "5:db:7")], [1, 1])


class Recorder:
    """What the sessions of one server saw, for assertions."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.produced = 0  # rows pulled out of STREAM results so far
        self.max_ahead = 0  # most rows produced beyond what the client had acknowledged
        self.closed = 0

    def log(self, *call: Any) -> None:
        self.calls.append(call)


class EchoSession(asyncbolt.ServerSession):
    """Echoes parameters; a few magic queries exercise the rest of the runtime."""

    def __init__(self, recorder: Recorder, password: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.recorder = recorder
        self.password = password

    async def authenticate(self, auth: dict[str, Any]) -> None:
        self.recorder.log("auth", auth.get("scheme"), auth.get("principal"))
        if self.password is not None and auth.get("credentials") != self.password:
            raise asyncbolt.AuthError("wrong password")

    async def run(self, query: str, parameters: dict[str, Any], extra: dict[str, Any]) -> asyncbolt.Result:
        self.recorder.log("run", query, extra)
        if query == "ECHO":
            return asyncbolt.Result(list(parameters), [list(parameters.values())])
        if query == "GRAPH":
            return asyncbolt.Result(["n", "r", "p"], [[NODE, REL, PATH]])
        if query == "TEMPORAL":
            return asyncbolt.Result(
                ["date", "time", "localtime", "datetime", "zoned", "localdatetime", "duration"],
                [[dt.date(2024, 2, 29), dt.time(13, 37, 1, 500, tzinfo=dt.timezone(dt.timedelta(hours=2))),
                  dt.time(23, 59, 59), dt.datetime(2024, 2, 29, 13, 37, 1, 123456, tzinfo=dt.timezone.utc),
                  dt.datetime(2024, 7, 1, 12, 0, tzinfo=_zone("Europe/Paris")),
                  dt.datetime(1999, 12, 31, 23, 59, 59), dt.timedelta(days=3, seconds=4, microseconds=5)]])
        if query == "SPATIAL":
            return asyncbolt.Result(["p2", "p3"], [[Point2D(7203, 1.5, -2.0), Point3D(4979, 12.5, 55.0, 100.0)]])
        if query == "VECTOR":
            return asyncbolt.Result(["v"], [[Vector.from_list([1.0, 2.5, -3.0], "float32")]])
        if query.startswith("STREAM"):
            n = int(query.split()[1])
            return asyncbolt.Result(["i"], self._stream(n))
        if query == "FAIL":
            raise asyncbolt.ClientError("Neo.ClientError.Statement.SyntaxError", "Invalid input 'FAIL'")
        if query == "TRANSIENT":
            raise asyncbolt.TransientError("Neo.TransientError.Transaction.DeadlockDetected", "try again")
        if query == "CRASH":
            raise RuntimeError("session bug")
        if query == "WRITE":
            return asyncbolt.Result(["ok"], [[True]], {"type": "w", "stats": {"nodes-created": 1}})
        return asyncbolt.Result(["query"], [[query]])

    def _stream(self, n: int):
        for i in range(n):
            self.recorder.produced += 1
            yield [i]

    async def begin(self, extra: dict[str, Any]) -> None:
        self.recorder.log("begin", extra)

    async def commit(self) -> dict[str, Any]:
        self.recorder.log("commit")
        return {"bookmark": "asyncbolt:1"}

    async def rollback(self) -> None:
        self.recorder.log("rollback")

    async def reset(self) -> None:
        self.recorder.log("reset")

    async def route(self, routing: dict[str, Any], bookmarks: list[str], extra: dict[str, Any]) -> dict[str, Any]:
        self.recorder.log("route", routing, extra)
        return await super().route(routing, bookmarks, extra)

    async def close(self) -> None:
        self.recorder.closed += 1


def _zone(name: str) -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


class ServerThread:
    """An asyncbolt server on its own event loop thread (for blocking clients)."""

    def __init__(self, session_class: type[asyncbolt.ServerSession] = EchoSession, port: int = 0,
                 **kwargs: Any) -> None:
        self.recorder = Recorder()
        kwargs.setdefault("recorder", self.recorder)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server: asyncbolt.Server = asyncio.run_coroutine_threadsafe(
            asyncbolt.serve(session_class, "127.0.0.1", port, **kwargs), self.loop).result(10)

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def call(self, fn: Any) -> Any:
        """Run ``fn()`` on the server's loop and return its result."""
        async def wrapper() -> Any:
            return fn()
        return asyncio.run_coroutine_threadsafe(wrapper(), self.loop).result(10)

    def close(self) -> None:
        async def stop() -> None:
            self.server.close()
            await self.server.wait_closed()
        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    def __enter__(self) -> ServerThread:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
