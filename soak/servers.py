"""Servers in child processes, so that what they hold (fds, RSS) can be read from /proc and
they can be killed like real servers are."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["ServerProcess", "ROOT"]

ROOT = Path(__file__).resolve().parent.parent


class ServerProcess:
    """A child process that prints ``... bolt://HOST:PORT ...`` once it listens.

    ``log`` is its standard error (a temporary file, so the child never blocks on a pipe)."""

    def __init__(self, argv: list[str], timeout: float = 30.0) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        self._stderr = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self._stderr, text=True,
                                     cwd=ROOT, env=env)
        self.pid = self.proc.pid
        line = self._first_line(timeout)
        match = re.search(r"bolt://([\d.]+):(\d+)", line)
        if not match:
            self.kill()
            raise RuntimeError(f"{argv[2:]}: no address in {line!r}; stderr: {self.log}")
        self.host, self.port = match.group(1), int(match.group(2))
        self.uri = f"bolt://{self.host}:{self.port}"

    def _first_line(self, timeout: float) -> str:
        import selectors

        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            if not sel.select(timeout):
                self.kill()
                raise RuntimeError(f"the server did not start within {timeout}s; stderr: {self.log}")
        return self.proc.stdout.readline()

    @classmethod
    def session(cls, handshake_timeout: float = 10.0) -> ServerProcess:
        """:class:`soak.session.SoakSession` served by ``python -m soak.session``."""
        return cls([sys.executable, "-m", "soak.session", "--port", "0",
                    "--handshake-timeout", str(handshake_timeout)])

    @classmethod
    def session_with(cls, *args: str) -> ServerProcess:
        """``python -m soak.session`` with more options (e.g. ``"--password", "pw"``)."""
        return cls([sys.executable, "-m", "soak.session", "--port", "0", *args])

    @classmethod
    def ladybug(cls, *args: str) -> ServerProcess:
        """``asyncbolt serve`` (LadybugDB in memory)."""
        return cls([sys.executable, "-m", "asyncbolt", "serve", "--port", "0", *args])

    @property
    def log(self) -> str:
        if self._stderr.closed:
            return self._final_log
        self._stderr.flush()
        self._stderr.seek(0)
        return self._stderr.read()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: the server dies mid-whatever, as on a crash."""
        if self.alive():
            self.proc.kill()
        self.proc.wait(10)

    def stop(self, timeout: float = 20.0) -> int:
        """SIGINT, then wait (SIGKILL after ``timeout``); the exit code."""
        if self.alive():
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        return self.proc.returncode

    def wait_until(self, predicate: Any, timeout: float = 10.0, interval: float = 0.02) -> bool:
        """Poll ``predicate()`` until true or ``timeout``; whether it became true."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(interval)
        return bool(predicate())

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()
        self._final_log = self.log  # still readable after the block
        self._stderr.close()
