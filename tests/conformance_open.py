"""A test opener for the conformance value checks: a :class:`Probe` connected, handshaken to one
version, authenticated and READY (what ``asyncbolt conformance``'s runner gives them), built
from the Probe and asyncbolt's message classes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asyncbolt._generated.versions import has
from asyncbolt.codec.messages import Hello, Init, Logon
from asyncbolt.tools.conformance.probe import Probe

AGENT = "asyncbolt-conformance-tests/1.0"


class OpenFailed(Exception):
    """The connection did not reach READY (the message says where it stopped)."""


def opener(port: int, version: tuple[int, int], *, utc: bool = False, timeout: float = 5.0,
           auth: dict[str, Any] | None = None) -> Callable[[], Awaitable[Probe]]:
    """``open_ready`` for :func:`asyncbolt.tools.conformance.values.value_checks`. ``utc`` asks
    for the 4.3/4.4 ``utc`` patch (the probe decodes with it when the server agrees). The probe
    is closed without GOODBYE (FalkorDB answers no handshake on the connection after one)."""
    token = auth or {"scheme": "none"}

    async def open_ready() -> Probe:
        probe = await Probe.connect(port, timeout=timeout, record=True)
        try:
            chosen = await probe.handshake(version)
            if chosen != version:
                raise OpenFailed(f"the server chose {chosen} for a proposal of {version} alone")
            if not has("hello", version):
                await probe.send(Init(AGENT, token))
            else:
                extra: dict[str, Any] = {"user_agent": AGENT}
                if not has("logon", version):
                    extra.update(token)
                if utc:
                    extra["patch_bolt"] = ["utc"]
                await probe.send(Hello(extra))
            reply = await probe.recv()
            if reply.name != "SUCCESS":
                raise OpenFailed(f"{reply.name} answered INIT/HELLO: {reply!r}")
            if utc and "utc" in (reply.metadata.get("patch_bolt") or []):
                probe.use(version, ("utc",))
            if has("logon", version):
                await probe.send(Logon(token))
                reply = await probe.recv()
                if reply.name != "SUCCESS":
                    raise OpenFailed(f"{reply.name} answered LOGON: {reply!r}")
        except BaseException:
            probe.abort()
            raise
        return probe

    return open_ready
