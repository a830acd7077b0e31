"""``asyncbolt serve``: Bolt in front of an embedded graph database.

    asyncbolt serve                                  # LadybugDB in memory on bolt://127.0.0.1:7687
    asyncbolt serve --db ./graph.lbdb --auth neo4j:secret --port 7688
    asyncbolt serve --tls-cert cert.pem --tls-key key.pem    # bolt+s:// / bolt+ssc://
    asyncbolt serve --loop asyncio                   # asyncio's event loop even with uvloop installed

The first line on standard output names the address (useful with ``--port 0``)::

    asyncbolt serve: LadybugDB 0.22.0, in memory, on bolt://127.0.0.1:7687 (no auth)

SIGINT (Ctrl-C) or SIGTERM stops it cleanly: connections are closed, open transactions rolled
back, the database closed (an on-disk one checkpointed); the exit code is then 0.

(The module is ``serving``, not ``serve``: ``asyncbolt.serve`` is the server function.)
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
import os
import signal
import ssl
import sys
from typing import Any

from asyncbolt.loops import LOOPS
from asyncbolt.loops import run as run_on_loop
from asyncbolt.server.listener import TLS_ON_UVLOOP
from asyncbolt.tools.backends import DEFAULT_BACKEND, available_backends, get_backend

__all__ = ["main", "main_serve", "build_parser", "run", "limits_of"]

log = logging.getLogger("asyncbolt.serve")


def _forget_signals(loop: asyncio.AbstractEventLoop) -> None:
    """Remove the SIGINT/SIGTERM handlers a serve command set on ``loop`` (where it could)."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.remove_signal_handler(sig)
        except (NotImplementedError, RuntimeError, ValueError):  # pragma: no cover
            pass


def build_parser() -> argparse.ArgumentParser:
    backends = "; ".join(f"{name}: {about}" for name, about in available_backends().items())
    p = argparse.ArgumentParser(
        prog="asyncbolt serve",
        description="Serve the Bolt protocol in front of an embedded graph database, so that the "
                    "official Neo4j drivers (and asyncbolt's client) can use it.",
        epilog=f"Backends: {backends}. Stop with Ctrl-C or SIGTERM.")
    p.add_argument("--backend", default=DEFAULT_BACKEND,
                   help=f"the database behind Bolt: a name or package.module:Class (default {DEFAULT_BACKEND})")
    p.add_argument("--db", metavar="PATH", default=None,
                   help="the database on disk (created if missing; default: in memory, gone on exit)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=7687, help="port (default 7687; 0 picks a free one)")
    p.add_argument("--auth", metavar="USER:PASSWORD", default=None,
                   help="require this user and password (basic auth; default: accept everyone)")
    p.add_argument("--tls-cert", metavar="FILE", help="serve TLS with this certificate chain (PEM)")
    p.add_argument("--tls-key", metavar="FILE", help="the certificate's private key (PEM)")
    p.add_argument("--agent", default=None,
                   help="the server agent HELLO announces (default Neo4j/X.Y.0, the Neo4j release "
                        "of the negotiated Bolt version, which every driver accepts)")
    p.add_argument("--read-only", action="store_true", help="open the database read-only")
    p.add_argument("--workers", type=_workers, default=1, metavar="N",
                   help="processes serving the port (Linux, SO_REUSEPORT; default 1); the ladybug "
                        "backend takes more than 1 only with --db PATH --read-only")
    p.add_argument("--init", metavar="FILE",
                   help="run the Cypher statements in FILE (';'-separated) before serving")
    p.add_argument("--lock-timeout", type=float, default=10.0, metavar="SECONDS",
                   help="how long a writer waits for the database's write transaction (default 10)")
    p.add_argument("--max-running", type=int, default=None, metavar="N",
                   help="queries the database executes at once, the others wait their turn; it "
                        "bounds the memory LadybugDB keeps (ladybug default 16)")
    p.add_argument("--loop", choices=LOOPS, default="auto",
                   help="the event loop: uvloop (faster; pip install 'asyncbolt[uvloop]'), asyncio's "
                        "own, or auto, uvloop when it is installed (default auto); TLS "
                        "(--tls-cert) is served on asyncio's loop")
    limits = p.add_argument_group(
        "limits", "serve()'s limits against runaway or hostile clients (see README, Limits); "
                  "'off' disables one; unset, serve()'s default applies")
    for flag, kind, about in _LIMITS:
        limits.add_argument(flag, type=_limit(kind, flag), default=argparse.SUPPRESS,
                            metavar=("SECONDS|off" if kind is float else "N" if flag in ("--max-chunks", "--max-depth") else "N|off"),
                            help=about)
    p.add_argument("--log-level", default="WARNING",
                   choices=["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
                   type=str.upper, help="logging level (default WARNING)")
    return p


#: serve() keyword arguments exposed as options: (flag, type, help).
_LIMITS: list[tuple[str, type, str]] = [
    ("--max-connections", int, "connections at once, TLS handshakes included (default 1000)"),
    ("--max-unauthenticated-connections", int,
     "connections not (yet) authenticated at once (default half of --max-connections)"),
    ("--max-connections-per-address", int,
     "unauthenticated connections from one peer address (default half of the above)"),
    ("--handshake-timeout", float, "seconds for the whole handshake, TLS included (default 10)"),
    ("--auth-timeout", float, "seconds from connecting (or LOGOFF) to authenticating (default 30)"),
    ("--idle-timeout", float, "seconds an authenticated client may stay idle (default 600)"),
    ("--write-timeout", float,
     "seconds a client may leave the answers waiting for it unread (default 300)"),
    ("--recv-timeout", int,
     "seconds announced as connection.recv_timeout_seconds; NOOPs keep it (default off)"),
    ("--max-message-size", int, "bytes per request (default 64 MiB)"),
    ("--max-unauthenticated-message-size", int,
     "bytes per request before authentication (default 32 KiB)"),
    ("--max-chunks", int, "chunks per request (default 65536)"),
    ("--max-depth", int, "nesting of lists, maps and structures in a request (default 256)"),
    ("--max-decoded-values", int,
     "values one request may decode to, counted before they are built (default 2000000)"),
]


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of processes: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def _limit(kind: type, flag: str) -> Any:
    def parse(text: str) -> Any:
        if text.lower() in ("off", "none"):
            if flag in ("--max-chunks", "--max-depth"):
                raise argparse.ArgumentTypeError(f"{flag} cannot be off")
            return None
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a {kind.__name__}: {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
        return value
    parse.__name__ = kind.__name__
    return parse


def limits_of(args: argparse.Namespace) -> dict[str, Any]:
    """The serve() keyword arguments given on the command line."""
    out = {}
    for flag, _, _ in _LIMITS:
        name = flag[2:].replace("-", "_")
        if hasattr(args, name):
            out[name] = getattr(args, name)
    return out


def _ssl_context(cert: str | None, key: str | None) -> ssl.SSLContext | None:
    if not cert and not key:
        return None
    if not cert:
        raise SystemExit("asyncbolt serve: --tls-key needs --tls-cert")
    for flag, path in (("--tls-cert", cert), ("--tls-key", key)):
        if path and not os.path.isfile(path):  # (load_cert_chain's error names no file)
            raise ValueError(f"{flag} {path}: no such file")
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2  # serve() enforces it too; say it where it is made
    try:
        ctx.load_cert_chain(cert, key)
    except ssl.SSLError as exc:
        files = f"--tls-cert {cert}" + (f" and --tls-key {key}" if key else "")
        raise ValueError(f"cannot load {files}: {exc.reason or exc}; give a PEM certificate chain "
                         "and its PEM private key (in the same file or with --tls-key)") from None
    return ctx


def _auth(value: str | None) -> tuple[str, str] | None:
    if value is None:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user:
        raise SystemExit("asyncbolt serve: --auth takes USER:PASSWORD")
    return user, password


async def run(args: argparse.Namespace, ready: Any = None) -> int:
    """Serve until SIGINT/SIGTERM (or until ``ready(server, stop_event)``'s event is set)."""
    session_class = get_backend(args.backend)
    auth = _auth(args.auth)
    context = _ssl_context(args.tls_cert, args.tls_key)
    workers = getattr(args, "workers", 1)
    if workers > 1:
        return await _run_workers(args, session_class, auth, workers, ready)
    open_shared = getattr(session_class, "open_shared", None)
    if open_shared is not None:
        max_running = getattr(args, "max_running", None)
        options = {} if max_running is None else {"max_running": max_running}
        shared = open_shared(args.db, read_only=args.read_only, lock_timeout=args.lock_timeout,
                             init=args.init, auth=auth, **options)
    else:
        if args.db or args.init:
            raise SystemExit(f"asyncbolt serve: backend {args.backend!r} takes no --db/--init")
        shared = {}
    import asyncbolt

    try:
        server = await asyncbolt.serve(session_class, args.host, args.port, ssl=context,
                                       agent=args.agent, **limits_of(args), **shared)
    except OSError as exc:
        _close(session_class, shared)
        from asyncbolt.tools.connect_errors import why_cannot_listen

        address = f"[{args.host}]:{args.port}" if ":" in (args.host or "") else f"{args.host}:{args.port}"
        print(f"asyncbolt serve: cannot listen on {address}: {why_cannot_listen(exc, args.port)}",
              file=sys.stderr)
        return 1
    except BaseException:
        _close(session_class, shared)
        raise
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError, ValueError):  # pragma: no cover - Windows, threads
            pass
    from asyncbolt.loops import running_loop_name

    log.info("event loop: %s", running_loop_name())
    describe = getattr(session_class, "describe", None)
    what = describe(shared) if describe is not None else args.backend
    scheme = "bolt+s" if context is not None else "bolt"
    host = server.host if ":" not in server.host else f"[{server.host}]"
    print(f"asyncbolt serve: {what}, on {scheme}://{host}:{server.port} "
          f"({'auth required' if auth else 'no auth'})", flush=True)
    if ready is not None:
        ready(server, stop)
    try:
        await stop.wait()
    finally:
        _forget_signals(loop)
        server.close()
        await server.wait_closed()
        _close(session_class, shared)
    print("asyncbolt serve: stopped", flush=True)
    return 0


async def _run_workers(args: argparse.Namespace, session_class: type, auth: tuple[str, str] | None,
                       workers: int, ready: Any) -> int:
    """``--workers N``: N processes, each opening the backend (and TLS) itself."""
    check = getattr(session_class, "check_workers", None)
    if check is not None:
        check(workers, db=args.db, read_only=args.read_only)
    elif args.db or args.init:
        raise SystemExit(f"asyncbolt serve: backend {args.backend!r} takes no --db/--init")
    import asyncbolt

    setup = functools.partial(_open_in_worker, args.backend, args.db, args.read_only, args.lock_timeout,
                              args.init, auth, getattr(args, "max_running", None), args.tls_cert, args.tls_key)
    try:
        server = await asyncbolt.serve(session_class, args.host, args.port, agent=args.agent,
                                       workers=workers, _worker_setup=setup, **limits_of(args))
    except OSError as exc:
        from asyncbolt.tools.connect_errors import why_cannot_listen

        address = f"[{args.host}]:{args.port}" if ":" in (args.host or "") else f"{args.host}:{args.port}"
        print(f"asyncbolt serve: cannot listen on {address}: {why_cannot_listen(exc, args.port)}",
              file=sys.stderr)
        return 1
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError, ValueError):  # pragma: no cover
            pass
    scheme = "bolt+s" if args.tls_cert else "bolt"
    host = server.host if ":" not in server.host else f"[{server.host}]"
    pids = getattr(server, "pids", ())  # (a ServerWorkers: workers > 1)
    where = ("" if not args.db else f", {args.db}") + (", read-only" if args.read_only else "")
    print(f"asyncbolt serve: {args.backend}{where}, {workers} worker processes "
          f"(pids {' '.join(map(str, pids))}), on {scheme}://{host}:{server.port} "
          f"({'auth required' if auth else 'no auth'})", flush=True)
    if ready is not None:
        ready(server, stop)
    serving = asyncio.ensure_future(server.serve_forever())
    stopping = asyncio.ensure_future(stop.wait())
    code = 0
    try:
        await asyncio.wait([serving, stopping], return_when=asyncio.FIRST_COMPLETED)
        if serving.done() and serving.exception() is not None:
            print(f"asyncbolt serve: {serving.exception()}", file=sys.stderr)
            code = 1
    finally:
        stopping.cancel()
        _forget_signals(loop)
        server.close()
        await server.wait_closed()
        serving.cancel()
    print("asyncbolt serve: stopped", flush=True)
    return code


def _open_in_worker(backend: str, db: str | None, read_only: bool, lock_timeout: float,
                    init: str | None, auth: tuple[str, str] | None, max_running: int | None,
                    cert: str | None, key: str | None) -> tuple[dict[str, Any], Any]:
    """In each worker process of ``--workers N``: open the backend and TLS as one server does."""
    session_class = get_backend(backend)
    extra: dict[str, Any] = {"ssl": _ssl_context(cert, key)}
    open_shared = getattr(session_class, "open_shared", None)
    if open_shared is None:
        return extra, None
    options = {} if max_running is None else {"max_running": max_running}
    shared = open_shared(db, read_only=read_only, lock_timeout=lock_timeout, init=init, auth=auth, **options)
    return {**extra, **shared}, functools.partial(_close, session_class, shared)


def _close(session_class: type, shared: dict) -> None:
    close_shared = getattr(session_class, "close_shared", None)
    if close_shared is not None and shared:
        close_shared(shared)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=getattr(logging, args.log_level),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    loop = args.loop
    if args.tls_cert:
        # (uvloop's TLS upgrade of an accepted connection can lose the ClientHello: see
        # asyncbolt.server.listener.TLS_ON_UVLOOP)
        if loop == "uvloop":
            print(f"asyncbolt serve: --loop uvloop cannot serve TLS: {TLS_ON_UVLOOP}",
                  file=sys.stderr)
            return 2
        loop = "asyncio"
    try:
        return run_on_loop(run(args), loop=loop)
    except KeyboardInterrupt:  # pragma: no cover - where signal handlers are unavailable
        return 0
    except (OSError, ValueError, ImportError) as exc:
        print(f"asyncbolt serve: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a database error while opening or running --init
        print(f"asyncbolt serve: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


main_serve = main


if __name__ == "__main__":
    sys.exit(main())
