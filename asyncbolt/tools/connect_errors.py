"""One line for a connection that could not be made, as the command line says it.

``asyncbolt query`` and ``asyncbolt shell`` print :func:`cannot_connect`'s line when connecting
fails; ``asyncbolt proxy`` logs :func:`why_unreachable`'s reason when its upstream cannot be
reached. Each names the address once, says what went wrong in words (not an errno and the
address again) and what to do about it.
"""

from __future__ import annotations

import asyncio
import errno
import re
import socket
import ssl
from typing import Any

from asyncbolt.client.tls import describe_tls_failure
from asyncbolt.errors import Neo4jError

__all__ = ["cannot_connect", "why_unreachable", "why_cannot_listen"]

_TIMED_OUT = re.compile(r"timed out after (\S+?)s \((.+?) did not finish\)")


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and what caused it, outermost first (bounded: a chain may loop)."""
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(chain) < 16:
        chain.append(current)
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return chain


def why_unreachable(exc: BaseException, host: str, port: Any) -> str:
    """What went wrong reaching ``host:port`` and what to do, without repeating the address
    (the caller names it once)."""
    chain = _causes(exc)
    for cause in chain:
        if isinstance(cause, socket.gaierror):
            return f"the host name {host!r} does not resolve; check its spelling (or use an IP address)"
        if isinstance(cause, ConnectionRefusedError) or (
                isinstance(cause, OSError) and cause.errno == errno.ECONNREFUSED):
            return (f"connection refused: nothing listens on port {port} there; check the port, "
                    "or start a server (asyncbolt serve)")
        if isinstance(cause, ssl.SSLError):  # (the client's own explanation of TLS failures)
            return describe_tls_failure(cause) or str(cause)
    match = _TIMED_OUT.search(str(exc))
    if match is not None:
        seconds, step = match.groups()
        if step == "connecting":
            return (f"no answer within {seconds}s; check the address, and that no firewall drops "
                    f"the packets to port {port}")
        return f"{step} did not finish within {seconds}s; is it a Bolt server? check the port"
    for cause in chain:
        if isinstance(cause, (TimeoutError, asyncio.TimeoutError)):
            return (f"no answer in time; check the address, and that no firewall drops the packets "
                    f"to port {port}")
        if isinstance(cause, OSError) and cause.strerror:
            return f"{cause.strerror.lower()}; check the address and the network"
    text = str(exc) or type(exc).__name__
    return text


def why_cannot_listen(exc: BaseException, port: Any) -> str:
    """Why a server (``serve``, ``proxy``, ``stub``) cannot listen, and what to do (the caller
    names the address once)."""
    code = exc.errno if isinstance(exc, OSError) else None
    if isinstance(exc, socket.gaierror):
        return "the host name does not resolve; listen on 127.0.0.1, 0.0.0.0 or this machine's name"
    if code == errno.EADDRINUSE:
        return (f"the address is in use (another server listens on port {port}?); stop it, or "
                "choose another port")
    if code == errno.EADDRNOTAVAIL:
        return "no such address on this machine; listen on 127.0.0.1 or 0.0.0.0"
    if code == errno.EACCES:
        return f"permission denied for port {port} (ports below 1024 need privileges); choose another"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc) or type(exc).__name__


def cannot_connect(prog: str, uri: str, exc: BaseException) -> str:
    """``PROG: cannot connect to URI: why; what to do`` (no newline; credentials in ``uri``
    redacted)."""
    from asyncbolt.client.connect import parse_uri
    from asyncbolt.security import redact_uri

    shown = redact_uri(uri) or uri
    if isinstance(exc, Neo4jError):
        why = f"{exc.code}: {exc.message}"
        if "Security" in (exc.code or ""):
            why += "; check --user and --password (or $NEO4J_USER and $NEO4J_PASSWORD)"
        return f"{prog}: cannot connect to {shown}: {why}"
    host: str = ""
    port: int | str = ""
    try:
        _, host, port, _ = parse_uri(uri)
    except ValueError:
        pass
    why = why_unreachable(exc, host, port)
    # The client's own message repeats the address ("cannot connect to HOST:PORT: ..."): drop it.
    for prefix in (f"cannot connect to {host}:{port}: ", f"{host}:{port} "):
        if why.startswith(prefix):
            why = why[len(prefix):]
    return f"{prog}: cannot connect to {shown}: {why}"
