"""``asyncbolt stub``, the command line: plays scripts with :class:`~asyncbolt.tools.stub.server.StubServer`
until they are played, with testkit's boltstub options, output and exit codes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from typing import Any

from asyncbolt.errors import ScriptError
from asyncbolt.tools.stub.script import parse_script
from asyncbolt.tools.stub.server import StubServer

__all__ = ["main"]


_HELP = """\
usage: asyncbolt stub [-l [HOST]:PORT] [-t SECONDS] [-v] [--record] SCRIPT...

A scripted Bolt server (testkit's stub script language, Bolt 1.0-6.1): it accepts clients and
plays each script, line by line, checking every request and sending the scripted responses.
Exit codes (as testkit's boltstub): 0 the script was played, 1 a mismatch or other error,
2 no client came within the timeout, 3 the script never started. A first SIGINT ends the
connections whose remaining lines are optional, a second closes all, a third exits at once.

options:
  -l, --listen-addr [HOST]:PORT  where to listen (default: $BOLT_LISTEN_ADDR or localhost:17687);
                                 further scripts use the following ports
  -t, --timeout SECONDS          how long a single-run script waits for its client (default 30)
  -v, --verbose                  log the conversation (boltstub's format) on stdout
  --record                       the SCRIPTs are connections recorded by `asyncbolt proxy
                                 --record DIR` (DIR/N, DIR/N-client.bin or DIR/N-server.bin):
                                 each is played as `asyncbolt script` turns it into a script
"""


def _parse_listen(text: str) -> tuple[str, int]:
    if text.startswith("["):
        host, _, port = text[1:].partition("]")
        port = port.lstrip(":")
    else:
        host, _, port = text.rpartition(":") if ":" in text else (text, "", "")
    return host or "localhost", int(port) if port else 17687


def main(argv: list[str] | None = None) -> int:
    """``asyncbolt stub``: run scripts until they are played (see ``--help``)."""
    import argparse
    import signal

    args = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("-h", "--help") for a in args):
        print(_HELP)
        return 0
    parser = argparse.ArgumentParser(prog="asyncbolt stub", add_help=False)
    parser.add_argument("-l", "--listen-addr")
    parser.add_argument("-t", "--timeout", type=float, default=30.0)
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--record", action="store_true")
    parser.add_argument("script", nargs="+")
    try:
        opts = parser.parse_args(args)
    except SystemExit:
        print(_HELP, file=sys.stderr)
        return 2

    def emit(line: str) -> None:
        now = time.time()
        stamp = time.strftime("%H:%M:%S", time.localtime(now)) + f".{int(now % 1 * 1000):03d}"
        sys.stdout.write(f"{stamp}  {line}\n")
        sys.stdout.flush()

    scripts = []
    for path in opts.script:
        try:
            if opts.record:
                from asyncbolt.tools.script import RecordingError, script_from_recording

                try:
                    text = script_from_recording(path)
                except RecordingError as error:
                    print(f"Error while converting the recording {path}: {error}", file=sys.stderr)
                    return 99
                scripts.append(parse_script(text, f"{path} (recording)"))
            else:
                with open(path, encoding="utf-8") as f:
                    scripts.append(parse_script(f.read(), path))
        except (OSError, ScriptError) as error:
            print(f"Error while parsing {path}: {error}", file=sys.stderr)
            return 99
    listen = opts.listen_addr or os.environ.get("BOLT_LISTEN_ADDR") or "localhost:17687"
    try:
        host, port = _parse_listen(listen)
    except ValueError:
        print(f"asyncbolt stub: bad listen address {listen!r}", file=sys.stderr)
        return 99

    async def run() -> int:
        servers = [StubServer(s, host, port + i if port else 0, timeout=opts.timeout,
                              on_log=emit if opts.verbose else None)
                   for i, s in enumerate(scripts)]
        try:
            for server in servers:
                await server.start()
        except OSError as error:
            from asyncbolt.tools.connect_errors import why_cannot_listen

            print(f"asyncbolt stub: cannot listen on {listen}: {why_cannot_listen(error, port)}", file=sys.stderr)
            for server in servers:
                await server.close()
            return 99
        loop = asyncio.get_running_loop()
        interrupts = 0
        hard_exit = asyncio.Event()

        def on_sigint() -> None:
            nonlocal interrupts
            interrupts += 1
            if interrupts == 1:
                print("1st SIGINT received. Trying to finish all running scripts.", flush=True)
                for server in servers:
                    server.skip_to_end()
            elif interrupts == 2:
                print("2nd SIGINT received. Closing all connections.", flush=True)
                for server in servers:
                    server.close_connections()
            else:
                print("3rd SIGINT received. Hard exit.", flush=True)
                hard_exit.set()

        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGINT, on_sigint)
        # Only now: whoever waits for this line may interrupt us from then on.
        print("Listening", flush=True)
        done = asyncio.ensure_future(asyncio.gather(*(s._finished.wait() for s in servers)))
        hard = asyncio.ensure_future(hard_exit.wait())
        either: set[asyncio.Future[Any]] = {done, hard}
        await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
        if hard.done():
            return 130
        hard.cancel()
        for server in servers:
            await server.close()
        code = 0
        for server in servers:
            where = f" in {server.script.path!r}" if server.script.path else ""
            for mismatch in server.errors:
                print(f"Script mismatch{where}:\n{mismatch}\n", flush=True)
            if server.timed_out:
                print("Timed out", flush=True)
            elif not server.started and not server.errors:
                print("Script never started", flush=True)
            code = max(code, server.exit_code)
        return code

    try:
        code = asyncio.run(run())
    except KeyboardInterrupt:
        code = 130
    sys.stdout.flush()
    if code == 130:
        os._exit(130)
    return code
