"""The server under test: where it is, how to reach it and log in, and the queries it runs.

:class:`Target` is what the command line says; :func:`open_ready` opens a connection to it
that is handshaken to one version, authenticated as that version needs (INIT, HELLO, or
HELLO then LOGON) and in state READY — the starting point of most checks, and what
:mod:`asyncbolt.tools.conformance.values` is handed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from asyncbolt import __version__
from asyncbolt._generated.messages import Hello, Init, Logon
from asyncbolt._generated.versions import MANIFEST_ONLY, MANIFEST_V1, has, key_holds
from asyncbolt.core.handshake_wire import encode_version, format_version
from asyncbolt.errors import _CheckFailed, _CheckSkipped
from asyncbolt.tools.conformance.probe import Probe
from asyncbolt.tools.conformance.values import ECHO_QUERY, GRAPH_QUERY
from asyncbolt.tools.proxy import split_server_uri, tls_context

__all__ = ["Target", "parse_uri", "open_connected", "open_ready", "negotiate", "authenticate", "ready_opener", "hello",
           "login", "USER_AGENT", "DEFAULT_ECHO_QUERY", "DEFAULT_GRAPH_QUERY",
           "DEFAULT_ROWS_QUERY"]

Version = tuple[int, int]

USER_AGENT = f"asyncbolt-conformance/{__version__}"
#: Cypher that answers one row, one column: the parameter ``x`` as it came (the value checks').
DEFAULT_ECHO_QUERY = ECHO_QUERY
#: Cypher that creates and returns a node, a relationship and their path (the value checks').
DEFAULT_GRAPH_QUERY = GRAPH_QUERY
#: Cypher that answers the integer rows 1..$n, one column.
DEFAULT_ROWS_QUERY = "UNWIND range(1, $n) AS i RETURN i"
#: Pause between two tries to connect to a server that refused (see Target.reconnect_wait).
RECONNECT_PAUSE = 0.1
def parse_uri(uri: str) -> tuple[str, int, str | None]:
    """``bolt://HOST[:PORT]`` (``bolt+s://`` TLS, ``bolt+ssc://`` TLS with any certificate;
    ``neo4j`` schemes are read as ``bolt``, nothing is routed) -> ``(host, port, tls mode)``.
    ValueError saying what is wrong otherwise."""
    return split_server_uri(uri, "the URI", "give --user and --password")


@dataclass
class Target:
    """A Bolt server to check. ``user``/``password`` None: auth scheme ``none``.
    ``echo_query``/``graph_query``/``rows_query`` None: the checks that need them are skipped."""

    host: str
    port: int
    tls: str | None = None
    user: str | None = None
    password: str | None = None
    timeout: float = 5.0
    echo_query: str | None = DEFAULT_ECHO_QUERY
    graph_query: str | None = DEFAULT_GRAPH_QUERY
    #: Seconds to wait for a server that refuses a connection (one that crashed and that a
    #: supervisor starts again); 0: a refusal is final.
    reconnect_wait: float = 0.0
    #: Set once the server refused connections for good: why (every later check is skipped).
    gone: str | None = None
    rows_query: str | None = DEFAULT_ROWS_QUERY

    @classmethod
    def from_uri(cls, uri: str, **options: Any) -> Target:
        host, port, tls = parse_uri(uri)
        return cls(host, port, tls, **options)

    @property
    def address(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    @property
    def uri(self) -> str:
        scheme = {None: "bolt", "verify": "bolt+s", "self-signed": "bolt+ssc"}[self.tls]
        return f"{scheme}://{self.address}"

    def auth(self, password: str | None = None) -> dict[str, Any]:
        """The auth token (``password`` replaces the given one: the wrong-password checks)."""
        if self.user is None:
            return {"scheme": "none"}
        return {"scheme": "basic", "principal": self.user,
                "credentials": self.password if password is None else password}

    async def connect(self) -> Probe:
        """A new recording connection, not handshaken. A refused one is tried again for up to
        :attr:`reconnect_wait` seconds; after that the server counts as gone: this refusal
        fails its check and every later check is skipped (:attr:`gone`), rather than each
        failing on its own."""
        if self.gone is not None:
            raise _CheckSkipped(f"not run: {self.gone}")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.reconnect_wait
        while True:
            try:
                return await Probe.connect(self.port, self.host, self.timeout, record=True,
                                           ssl=tls_context(self.tls))
            except ConnectionRefusedError:
                if loop.time() + RECONNECT_PAUSE > deadline:
                    waited = f" (for {self.reconnect_wait:g}s)" if self.reconnect_wait else ""
                    self.gone = (f"the server stopped accepting connections{waited}: crashed, or "
                                 "closed its port (see the failed check before)")
                    raise
                await asyncio.sleep(RECONNECT_PAUSE)


async def open_connected(target: Target, version: Version) -> Probe:
    """A new connection handshaken to ``version`` (state CONNECTED): see :func:`negotiate`."""
    probe = await target.connect()
    try:
        await negotiate(probe, version)
    except BaseException:
        probe.close()
        raise
    return probe


async def negotiate(probe: Probe, version: Version) -> None:
    """Handshake ``probe`` to ``version``. Versions that real clients reach only through the
    manifest (6.x) are asked for through it; the others by one legacy proposal of exactly that
    version. _CheckFailed if the server takes another."""
    if version in MANIFEST_ONLY:
        answer = await probe.opening(MANIFEST_V1 + bytes(12))
        if answer is None or answer.manifest is None:
            got = "nothing" if answer is None else answer.head.hex(" ")
            raise _CheckFailed(f"asked for the manifest to reach {format_version(version)}, "
                               f"the server answered {got}")
        if version not in answer.manifest.versions():
            raise _CheckFailed(f"the manifest does not offer {format_version(version)}")
        await probe.choose(version)
    else:
        answer = await probe.opening(encode_version(version) + bytes(12))
        if answer is None or answer.version != version:
            got = "nothing" if answer is None else answer.head.hex(" ")
            raise _CheckFailed(f"proposed exactly {format_version(version)}, the server "
                               f"answered {got}")


def hello(target: Target, version: Version, password: str | None = None,
          patches: tuple[str, ...] = ()) -> Any:
    """INIT (Bolt 1-2) or HELLO, carrying the auth token where the version's HELLO does, and
    asking for ``patches`` (``patch_bolt``) where the version has them."""
    token = target.auth(password)
    if not has("hello", version):
        return Init(USER_AGENT, token)
    extra: dict[str, Any] = {"user_agent": USER_AGENT}
    if key_holds("hello_extra", "bolt_agent", version):
        extra["bolt_agent"] = {"product": USER_AGENT}
    if key_holds("hello_extra", "scheme", version):
        extra.update(token)
    if patches and key_holds("hello_extra", "patch_bolt", version):
        extra["patch_bolt"] = list(patches)
    return Hello(extra)


def login(target: Target, version: Version, password: str | None = None,
          patches: tuple[str, ...] = ()) -> list[Any]:
    """The requests that authenticate: [INIT], [HELLO] or [HELLO, LOGON]."""
    first = hello(target, version, password, patches)
    if isinstance(first, Init) or key_holds("hello_extra", "scheme", version):
        return [first]
    return [first, Logon(target.auth(password))]


async def open_ready(target: Target, version: Version, patches: tuple[str, ...] = ()) -> Probe:
    """A new connection to ``target`` handshaken to ``version``, authenticated with the
    target's credentials (INIT, HELLO or HELLO + LOGON, as ``version`` needs) and in state
    READY. _CheckFailed (with what the server said) if it is not. ``patches`` (such as
    ``("utc",)``) are asked for in HELLO and used from then on; _CheckSkipped when the server
    does not agree to them (a patch is the server's choice)."""
    probe = await target.connect()
    try:
        await negotiate(probe, version)
        await authenticate(probe, target, version, patches)
    except BaseException:
        probe.close()
        raise
    return probe


async def authenticate(probe: Probe, target: Target, version: Version,
                       patches: tuple[str, ...] = ()) -> None:
    """Log ``probe`` (handshaken, CONNECTED) in with the target's credentials, asking for
    ``patches`` (see :func:`open_ready`)."""
    requests = login(target, version, patches=patches)
    await probe.send(*requests)
    for request in requests:
        answer = await probe.recv()
        if answer.name != "SUCCESS":
            raise _CheckFailed(f"{request.name} with the given credentials was answered "
                               f"{answer.name} {getattr(answer, 'metadata', '')}")
        if patches and request is requests[0]:
            agreed = answer.metadata.get("patch_bolt") or []
            if not set(patches) <= set(agreed):
                raise _CheckSkipped(f"the server did not agree to the patch {', '.join(patches)} "
                                    f"(its HELLO SUCCESS has patch_bolt {agreed!r})")
            probe.use(version, patches)


def ready_opener(target: Target, version: Version,
                 patches: tuple[str, ...] = ()) -> Callable[[], Awaitable[Probe]]:
    """``open_ready`` bound to a target, version and patches: what value checks are handed."""
    async def opener() -> Probe:
        return await open_ready(target, version, patches)
    return opener
