"""``python -m testkit_backend [--host 127.0.0.1] [--port 9876]``."""

from __future__ import annotations

import argparse
import asyncio
import logging

from .server import serve


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m testkit_backend")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9876)
    parser.add_argument("--debug", action="store_true", help="log every request and response")
    args = parser.parse_args()
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING)
    try:
        asyncio.run(serve(args.host, args.port))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
