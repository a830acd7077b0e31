"""The test session the soak serves, and ``python -m soak.session`` to serve it in a process.

Queries (parameters in brackets):

- ``ECHO`` [any]: one record whose fields are the parameters, in order.
- ``ROWS`` [token, n]: ``n`` records ``[token, i]`` for i in 0..n-1.
- ``STREAM n``: ``n`` records ``[i]``, produced lazily (for clients killed mid-stream).
- ``STATS``: one record ``[connections, sessions, peak_sessions, opened, closed]``: what the
  server holds now (``Server.connections``), and what its sessions counted.

Every query carries a token that its records echo, so a client can tell that each result
answers its own query and not another connection's.

    python -m soak.session [--port 0] [--handshake-timeout 10] [--password PW]
                           [--max-connections N] [--max-unauthenticated-connections N]
                           [--max-connections-per-address N] [--tls] [--nofile N]

prints ``soak session server: pid N, on bolt://127.0.0.1:PORT`` once it listens, and stops on
SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import signal
import sys
from typing import Any

import asyncbolt

__all__ = ["SessionStats", "SoakSession", "main"]


class SessionStats:
    """What the sessions of one server counted."""

    def __init__(self) -> None:
        self.server: asyncbolt.Server | None = None
        self.live = 0
        self.peak = 0
        self.opened = 0
        self.closed = 0
        self.produced = 0  # STREAM rows produced so far


class SoakSession(asyncbolt.ServerSession):
    def __init__(self, stats: SessionStats, password: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stats = stats
        self.password = password
        stats.opened += 1
        stats.live += 1
        stats.peak = max(stats.peak, stats.live)

    async def authenticate(self, auth: dict[str, Any]) -> None:
        """Everyone gets in, unless the server was given a password (any user name)."""
        if self.password is not None and not hmac.compare_digest(
                str(auth.get("credentials", "")).encode(), self.password.encode()):
            raise asyncbolt.AuthError(message="wrong user name or password")

    async def run(self, query: str, parameters: dict[str, Any], extra: dict[str, Any]) -> asyncbolt.ServerResult:
        if query == "ECHO":
            return asyncbolt.ServerResult(list(parameters), [list(parameters.values())])
        if query == "ROWS":
            token, n = parameters["token"], int(parameters["n"])
            return asyncbolt.ServerResult(["token", "i"], ([token, i] for i in range(n)))
        if query.startswith("STREAM "):
            return asyncbolt.ServerResult(["i"], self._stream(int(query.split()[1])))
        if query == "STATS":
            stats = self.stats
            connections = stats.server.connections if stats.server is not None else -1
            return asyncbolt.ServerResult(["connections", "sessions", "peak_sessions", "opened", "closed"],
                                    [[connections, stats.live, stats.peak, stats.opened, stats.closed]])
        raise asyncbolt.ClientError("Neo.ClientError.Statement.SyntaxError", f"unknown query {query!r}")

    def _stream(self, n: int):
        stats = self.stats
        for i in range(n):
            stats.produced += 1
            yield [i]

    async def close(self) -> None:
        self.stats.live -= 1
        self.stats.closed += 1


async def serve(host: str = "127.0.0.1", port: int = 0, **options: Any) -> asyncbolt.Server:
    """Serve :class:`SoakSession` on this loop; ``server.stats`` is its :class:`SessionStats`."""
    stats = SessionStats()
    server = await asyncbolt.serve(SoakSession, host, port, stats=stats, **options)
    stats.server = server
    server.stats = stats  # type: ignore[attr-defined]
    return server


def _self_signed() -> Any:
    """A server TLS context with a throw-away certificate (trustme, a dev dependency)."""
    import ssl

    import trustme

    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    trustme.CA().issue_cert("127.0.0.1", "localhost").configure_cert(ctx)
    return ctx


async def _main(args: argparse.Namespace) -> None:
    import os

    options: dict[str, Any] = {}
    for name in ("max_connections", "max_unauthenticated_connections", "max_connections_per_address"):
        if getattr(args, name) is not None:
            options[name] = getattr(args, name)
    if args.tls:
        options["ssl"] = _self_signed()
    server = await serve(args.host, args.port, handshake_timeout=args.handshake_timeout,
                         password=args.password, **options)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(f"soak session server: pid {os.getpid()}, on bolt://{server.host}:{server.port}", flush=True)
    async with server:
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m soak.session", description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--handshake-timeout", type=float, default=10.0)
    p.add_argument("--password", default=None, help="refuse clients without this password (any user)")
    p.add_argument("--max-connections", type=int, default=None, help="serve()'s max_connections")
    p.add_argument("--max-unauthenticated-connections", type=int, default=None,
                   help="serve()'s max_unauthenticated_connections (default: its AUTO share of --max-connections)")
    p.add_argument("--max-connections-per-address", type=int, default=None,
                   help="serve()'s max_connections_per_address (default: its AUTO share)")
    p.add_argument("--tls", action="store_true", help="TLS with a throw-away certificate (trustme)")
    p.add_argument("--nofile", type=int, default=None,
                   help="raise the open-files limit to N (at most the hard limit) for many connections")
    args = p.parse_args(argv)
    if args.nofile is not None:
        from .many import raise_nofile

        raise_nofile(args.nofile)
    asyncio.run(_main(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
