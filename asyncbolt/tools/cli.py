"""The ``asyncbolt`` command line: ``conformance``, ``inspect``, ``proxy``, ``script``, ``serve``, ``query``, ``shell``,
``stub``.

Each subcommand lives in its own module with a ``main(argv) -> int``; this module only
dispatches, so ``asyncbolt --help`` stays fast and a broken optional dependency of one command
does not break the others.
"""

from __future__ import annotations

import importlib
import sys

from asyncbolt import __version__

COMMANDS = {
    "conformance": ("asyncbolt.tools.conformance.cli", "check a running Bolt server against the protocol spec"),
    "inspect": ("asyncbolt.tools.inspect", "decode and validate a captured Bolt byte dump or pcap"),
    "proxy": ("asyncbolt.tools.proxy", "forward Bolt traffic and log every message"),
    "serve": ("asyncbolt.tools.serving", "serve Bolt in front of an embedded graph database"),
    "script": ("asyncbolt.tools.script", "turn a connection recorded by 'proxy --record' into a stub script"),
    "query": ("asyncbolt.tools.shell", "run one query against a Bolt server and print the result"),
    "shell": ("asyncbolt.tools.shell", "an interactive Cypher shell"),
    "stub": ("asyncbolt.tools.stub", "a scripted Bolt server (testkit's stub scripts)"),
}


def budget_arg(text: str) -> int | str:
    """``--max-decoded-values N`` (``inspect``, ``proxy``): a count of at least 1 (``5,000`` and
    ``5_000`` are read as 5000), or ``"off"`` for ``off``/``none`` (no budget)."""
    import argparse  # (only the commands that take the option need it)

    if text.strip().lower() in ("off", "none"):
        return "off"
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a count: {text!r} (a number, or off)") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (or off): {text!r}")
    return value


def _usage() -> str:
    lines = [f"usage: asyncbolt COMMAND [ARGS]   (asyncbolt {__version__})", "", "commands:"]
    lines += [f"  {name:<8} {help_}" for name, (_, help_) in COMMANDS.items()]
    lines += ["", "asyncbolt COMMAND --help shows a command's options."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if not args or args[0] in ("-h", "--help"):
        print(_usage())
        return 0
    if args[0] == "--version":
        print(__version__)
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"asyncbolt: unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[name][0])
    entry = getattr(module, f"main_{name}", None) or module.main
    return int(entry(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
