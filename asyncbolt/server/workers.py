"""``serve(workers=N)``: N processes serving one port, and the parent that supervises them.

Each worker is a process of its own that listens on the same host and port with
``SO_REUSEPORT``: Linux's kernel spreads new connections over the workers' listening sockets (by
a hash of the client's address and port), so N workers use N cores. A connection, its session
and everything it holds stay in the worker that accepted it; workers share nothing.

The parent (this module's :class:`ServerWorkers`) serves no connection. It keeps the port bound
(a socket that never listens, so ``port=0`` gives every worker the same port and a port in use
fails before any worker starts), starts the workers with multiprocessing's **spawn** method,
restarts a worker that dies, and stops them all on :meth:`ServerWorkers.close`.

Why spawn and not fork: ``serve()`` runs inside a running event loop, often beside threads (the
loop's executor, a database's threads); forking such a process copies locks held by threads
that do not exist in the child, and a copied event loop. A spawned worker starts a fresh
interpreter, imports the session class by its module and name and unpickles the keyword
arguments, so these must be importable and picklable (see README, "Several processes").
"""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import signal
import socket
import sys
import time
from collections.abc import Callable
from typing import Any

from asyncbolt.server.listener import Server

__all__ = ["ServerWorkers", "check_workers"]

log = logging.getLogger(__name__)

#: Seconds a worker has to import the session class and listen before serve() gives up.
START_TIMEOUT = 60.0
#: Seconds workers have to close their connections once told to stop, before they are killed.
STOP_TIMEOUT = 30.0

#: A worker's setup: called in each worker before it listens; returns more keyword arguments
#: for serve() there and a function to call after it stopped (or None).
Setup = Callable[[], "tuple[dict[str, Any], Callable[[], None] | None]"]


def check_workers(workers: Any) -> int:
    """``workers`` as serve() takes it: a positive int, and above 1 only where SO_REUSEPORT spreads
    connections over processes."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer (processes serving the port), got {workers!r}")
    if workers > 1 and (not sys.platform.startswith("linux") or not hasattr(socket, "SO_REUSEPORT")):
        raise NotImplementedError(
            f"workers={workers} needs Linux's SO_REUSEPORT, which spreads the connections of one "
            f"port over several processes; {sys.platform} does not (macOS and the BSDs give them "
            "all to one process, Windows has no such option): use workers=1, or run one server per "
            "port behind a load balancer")
    return workers


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "is still running"
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


class _Worker:
    """One worker process and the parent's end of its pipe."""

    __slots__ = ("slot", "process", "conn", "started", "ready", "exited")

    def __init__(self, slot: int, process: Any, conn: Any) -> None:
        self.slot = slot
        self.process = process
        self.conn = conn
        self.started = time.monotonic()
        self.ready: asyncio.Future = asyncio.get_running_loop().create_future()
        self.exited: asyncio.Future = asyncio.get_running_loop().create_future()


class ServerWorkers(Server):
    """What ``serve(workers=N)`` returns for N > 1: the parent of N worker processes.

    It is a :class:`Server` (``port``, ``host``, ``close()``, ``wait_closed()``,
    ``serve_forever()``, ``async with``) whose connections are served by its workers: its own
    counters (``connections``, ``refused``, ``evicted``, ``unauthenticated``) stay 0, each worker
    keeps its own. A worker that dies is logged (WARNING, with its exit code or signal) and
    replaced; a worker that dies or fails before it listens (at start or as a replacement) stops
    the whole server: ``serve()`` raises its error, ``serve_forever()`` raises RuntimeError.
    """

    #: How many worker processes serve the port.
    workers: int = 0
    #: Workers started to replace one that died.
    restarts: int = 0

    def _setup_workers(self, count: int, options: dict[str, Any], setup: Setup | None) -> None:
        self.workers = count
        self.restarts = 0
        self._options = options
        self._setup = setup
        self._reserved: list[socket.socket] = []
        self._running: dict[int, _Worker] = {}
        self._closing = False
        self._failure: str | None = None
        self._done: asyncio.Future = asyncio.get_running_loop().create_future()
        import multiprocessing  # (only here: importing asyncbolt.server stays light)

        self._context = multiprocessing.get_context("spawn")
        # The workers run the caller's kind of event loop (uvloop's when the caller runs uvloop).
        self._loop_class = type(asyncio.get_running_loop())

    # -- starting ---------------------------------------------------------------------------

    async def _start_workers(self, host: str | None, port: int) -> None:
        self._reserve(host, port)
        self._options["port"] = self.port
        try:
            pickle.dumps((self._options, self._setup, self._loop_class))
        except Exception as exc:
            self._release()
            raise TypeError(
                f"serve(workers={self.workers}) sends the session class and its keyword arguments to "
                f"each worker process by pickling them, and {exc}: give a class importable by its "
                "module and name (not one defined in a function) and picklable keyword arguments "
                "(open a database in the session, or per worker, not in the parent)") from None
        try:
            for slot in range(self.workers):
                self._spawn(slot)
            for worker in list(self._running.values()):
                await self._await_ready(worker)
        except BaseException:
            self.close()
            await self.wait_closed()
            raise

    def _reserve(self, host: str | None, port: int) -> None:
        """Bind (never listen on) the port, with SO_REUSEPORT so that the workers can bind it too."""
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        seen = set()
        try:
            for family, kind, proto, _, address in infos:
                if (family, address[0]) in seen:
                    continue
                seen.add((family, address[0]))
                sock = socket.socket(family, kind, proto)
                self._reserved.append(sock)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
                if family == socket.AF_INET6 and hasattr(socket, "IPPROTO_IPV6"):
                    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                # port 0: the first bind picks the port, the others (IPv6 beside IPv4) take it too
                sock.bind((address[0], self._reserved[0].getsockname()[1] if len(self._reserved) > 1 else port,
                           *address[2:]))
        except BaseException:
            self._release()
            raise

    def _release(self) -> None:
        for sock in self._reserved:
            sock.close()

    def _spawn(self, slot: int) -> _Worker:
        mine, theirs = self._context.Pipe()
        process = self._context.Process(
            target=_worker_main, name=f"asyncbolt-worker-{slot}", daemon=True,
            args=(self._options, self._setup, theirs, self._loop_class, logging.getLogger().getEffectiveLevel()))
        process.start()
        theirs.close()
        worker = _Worker(slot, process, mine)
        self._running[slot] = worker
        loop = asyncio.get_running_loop()
        loop.add_reader(mine.fileno(), self._message, worker)
        loop.add_reader(process.sentinel, self._exited, worker)
        return worker

    def _message(self, worker: _Worker) -> None:
        loop = asyncio.get_running_loop()
        loop.remove_reader(worker.conn.fileno())
        try:
            what, value = worker.conn.recv()
        except (EOFError, OSError):
            what, value = "exit", None  # it died first: _exited tells
        except Exception as exc:  # an error that does not unpickle here
            what, value = "error", RuntimeError(f"a worker failed to start ({exc})")
        if worker.ready.done():
            return
        if what == "ready":
            worker.ready.set_result(value)
        elif what == "error":
            worker.ready.set_exception(value)

    async def _await_ready(self, worker: _Worker) -> None:
        try:
            await asyncio.wait_for(asyncio.shield(worker.ready), START_TIMEOUT)
        except asyncio.TimeoutError:
            raise RuntimeError(f"worker process {worker.process.pid} did not listen within "
                               f"{START_TIMEOUT:g}s") from None

    def _exited(self, worker: _Worker) -> None:
        loop = asyncio.get_running_loop()
        loop.remove_reader(worker.process.sentinel)
        try:
            loop.remove_reader(worker.conn.fileno())
        except (OSError, ValueError):
            pass
        # (its pipe closes an instant before the kernel marks it exited: wait that instant)
        worker.process.join(5)
        code = worker.process.exitcode
        worker.conn.close()
        if self._running.get(worker.slot) is worker:
            del self._running[worker.slot]
        if not worker.ready.done() and self._closing:
            worker.ready.cancel()
        elif not worker.ready.done():
            worker.ready.set_exception(RuntimeError(
                f"worker process {worker.process.pid} {_describe_exit(code)} before it listened "
                "(its error is on standard error; a script that calls serve(workers=N) must do so "
                "under `if __name__ == \"__main__\":`, as workers import it again)"))
        worker.exited.set_result(code)
        if self._closing:
            return
        if worker.ready.cancelled() or worker.ready.exception() is not None:
            return  # a worker that never listened: whoever awaits it stops the server
        log.warning("worker process %d %s; starting another in its place", worker.process.pid,
                    _describe_exit(code))
        self.restarts += 1
        replacement = self._spawn(worker.slot)
        replacement.ready.add_done_callback(self._replaced)

    def _replaced(self, ready: asyncio.Future) -> None:
        if ready.cancelled() or ready.exception() is None or self._closing:
            return
        self._failure = f"a replacement worker failed to start: {ready.exception()}"
        log.error("stopping the server: %s", self._failure)
        self.close()

    # -- the Server interface ---------------------------------------------------------------

    @property
    def sockets(self) -> tuple:
        """The parent's bound (not listening) sockets, which hold the port for the workers."""
        return tuple(self._reserved)

    @property
    def pids(self) -> list[int]:
        """Process ids of the workers listening now (a replacement counts once it listens)."""
        return [w.process.pid for w in self._running.values()
                if w.ready.done() and not w.ready.cancelled() and w.ready.exception() is None]

    async def serve_forever(self) -> None:
        """Wait until the server is closed; RuntimeError if it stopped because a worker could not
        start (see the class)."""
        await asyncio.shield(self._done)
        if self._failure is not None:
            raise RuntimeError(self._failure)

    def close(self) -> None:
        """Tell every worker to stop (SIGTERM: each closes its connections and exits)."""
        self._closing = True
        for worker in self._running.values():
            if worker.process.exitcode is None:
                try:
                    worker.process.terminate()
                except OSError:  # pragma: no cover - already gone
                    pass

    async def wait_closed(self) -> None:
        """Wait for the workers to exit (killing those still running after STOP_TIMEOUT s)."""
        waiting = [w.exited for w in self._running.values()]
        if waiting:
            _, late = await asyncio.wait(waiting, timeout=STOP_TIMEOUT)
            for worker in list(self._running.values()):
                if not worker.exited.done():
                    log.warning("worker process %d did not stop within %gs; killing it",
                                worker.process.pid, STOP_TIMEOUT)
                    worker.process.kill()
            if late:
                await asyncio.wait(late)
        self._release()
        if not self._done.done():
            self._done.set_result(None)


# -- in the worker process ------------------------------------------------------------------

def _worker_main(options: dict[str, Any], setup: Setup | None, conn: Any, loop_class: type,
                 log_level: int) -> None:
    """A worker process: serve until SIGTERM, or until the parent is gone."""
    # Ctrl-C reaches the whole process group: the parent hears it and stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    loop = loop_class()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(_serve_in_worker(options, setup, conn))
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        asyncio.set_event_loop(None)
        loop.close()


async def _serve_in_worker(options: dict[str, Any], setup: Setup | None, conn: Any) -> None:
    from asyncbolt.server.listener import serve

    teardown = None
    try:
        extra: dict[str, Any] = {}
        if setup is not None:
            extra, teardown = setup()
        options = dict(options)
        session_kwargs = dict(options.pop("session_kwargs"))
        for name, value in extra.items():  # serve()'s own (ssl...) or the session's
            (options if name in options else session_kwargs)[name] = value
        options.update(workers=1, reuse_port=True)
        server = await serve(**options, **session_kwargs)
    except BaseException as exc:
        if teardown is not None:
            teardown()
        try:
            conn.send(("error", exc))
        except Exception:  # it does not pickle: send its words
            conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
        return
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_reader(conn.fileno(), stop.set)  # the parent is gone (or closed its end)
    conn.send(("ready", os.getpid()))
    try:
        await stop.wait()
    finally:
        loop.remove_reader(conn.fileno())
        server.close()
        await server.wait_closed()
        if teardown is not None:
            teardown()
