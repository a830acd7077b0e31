"""``asyncbolt conformance URI``: check a running Bolt server against the spec.

Exit status: 0 every check passed (skips allowed), 1 a check failed, 2 unusable arguments or a
server that cannot be reached.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from asyncbolt._generated.versions import VERSIONS
from asyncbolt.core.handshake_wire import format_version
from asyncbolt.tools.conformance.report import Check, Report, check_text
from asyncbolt.tools.conformance.target import (
    DEFAULT_ECHO_QUERY,
    DEFAULT_GRAPH_QUERY,
    DEFAULT_ROWS_QUERY,
    Target,
)

__all__ = ["main", "parse_version"]

PROG = "asyncbolt conformance"
_OFF = ("off", "none")


def parse_version(text: str) -> tuple[int, int]:
    """``--bolt X.Y``: a version of the spec."""
    versions = {format_version(v): v for v in VERSIONS}
    if text.strip() not in versions:
        raise argparse.ArgumentTypeError(
            f"no Bolt version {text!r} in the spec (one of {', '.join(versions)})")
    return versions[text.strip()]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Check a running Bolt server against the protocol spec: the "
        "handshake, authentication, every request in every state, results, framing and values, "
        "for every version it negotiates. Exit 0: all passed; 1: a check failed; 2: unusable "
        "arguments or server unreachable.")
    parser.add_argument("uri", help="bolt://host[:port] (bolt+s:// TLS, bolt+ssc:// TLS with any certificate)")
    parser.add_argument("--bolt", metavar="X.Y", type=parse_version, action="append",
                        help="check this version only (repeatable; default: every version the server negotiates)")
    parser.add_argument("--user", help="user name (basic auth; with --password)")
    parser.add_argument("--password", help="password (basic auth; with --user)")
    parser.add_argument("--auth", choices=["basic", "none"], default=None,
                        help="'none': log in with auth scheme none (no --user/--password)")
    parser.add_argument("--json", action="store_true", help="the report as one JSON object")
    parser.add_argument("--timeout", type=float, default=5.0, metavar="SECONDS",
                        help="longest wait for any answer (default 5)")
    parser.add_argument("--echo-query", default=DEFAULT_ECHO_QUERY, metavar="QUERY",
                        help=f"a query returning its parameter $x as one value (default {DEFAULT_ECHO_QUERY!r}; "
                        "'off' skips the value checks)")
    parser.add_argument("--graph-query", default=DEFAULT_GRAPH_QUERY, metavar="QUERY",
                        help="a query that creates and returns a node a, a relationship r to a node b and "
                        "their path p, run in a transaction that is rolled back (default: Cypher, see README); "
                        "'off' skips the graph structure checks")
    parser.add_argument("--rows-query", default=DEFAULT_ROWS_QUERY, metavar="QUERY",
                        help=f"a query returning the integer rows 1..$n (default {DEFAULT_ROWS_QUERY!r}; "
                        "'off' skips the checks that stream results)")
    parser.add_argument("--reconnect-wait", type=float, default=0.0, metavar="SECONDS",
                        help="wait up to this long for a server that refuses connections (one that crashed and "
                        "is started again by a supervisor); default 0: once it refuses, the checks left are skipped")
    parser.add_argument("--quiet", action="store_true", help="print failures and the summary only")
    return parser


def _target(parser: argparse.ArgumentParser, args: argparse.Namespace) -> Target:
    if args.auth == "none":
        if args.user is not None or args.password is not None:
            parser.error("--auth none takes no --user/--password")
    elif args.user is None or args.password is None:
        parser.error("give --user and --password (basic auth), or --auth none")
    if not args.timeout > 0:
        parser.error(f"--timeout must be a positive number of seconds, got {args.timeout:g}")
    if not args.reconnect_wait >= 0:
        parser.error(f"--reconnect-wait must be 0 or more seconds, got {args.reconnect_wait:g}")

    def query(text: str) -> str | None:
        return None if text.strip().lower() in _OFF else text

    try:
        return Target.from_uri(args.uri, user=args.user, password=args.password, timeout=args.timeout,
                               echo_query=query(args.echo_query), graph_query=query(args.graph_query),
                               rows_query=query(args.rows_query), reconnect_wait=args.reconnect_wait)
    except ValueError as exc:
        parser.error(str(exc))


async def _reachable(target: Target) -> str | None:
    """None when a connection opens, else why not, in words."""
    try:
        probe = await target.connect()
    except asyncio.TimeoutError:
        return f"no connection within {target.timeout:g}s"
    except ConnectionRefusedError:
        return f"connection refused: nothing listens on port {target.port} there"
    except OSError as exc:
        return str(exc.strerror or exc)
    probe.close()
    return None


async def _run(target: Target, versions: list[tuple[int, int]] | None, *, as_json: bool,
               quiet: bool) -> int:
    from asyncbolt.tools.conformance.runner import check_server

    why = await _reachable(target)
    if why is not None:
        print(f"{PROG}: cannot reach {target.uri}: {why}", file=sys.stderr)
        return 2

    def progress(check: Check) -> None:
        if as_json or (quiet and check.outcome != "fail"):
            return
        sys.stdout.write(check_text(check))
        sys.stdout.flush()

    report: Report = await check_server(target, versions, progress=progress)
    if as_json:
        json.dump(report.to_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        report.write_summary(sys.stdout)
    return report.exit_code


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    target = _target(parser, args)
    versions: Any = None if args.bolt is None else list(dict.fromkeys(args.bolt))
    try:
        return asyncio.run(_run(target, versions, as_json=args.json, quiet=args.quiet))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
