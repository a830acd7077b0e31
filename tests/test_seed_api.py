"""The 2017 seed's names stay importable from ``asyncbolt`` (its users' code moves over), but the
documented ``asyncbolt.__all__`` lists asyncbolt's own API only (issue #17, part 3)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import asyncbolt

ROOT = Path(__file__).resolve().parent.parent

#: What the seed exported at top level (../shared/SEED-API.md, 1) that asyncbolt provides, and
#: what its README promised there (ClientSession, ClientResponse, Server).
SEED_TOP_LEVEL = ["connect", "BoltClientProtocol", "BoltServerProtocol", "ServerSession",
                  "create_server", "ClientSession", "ClientResponse", "Server"]


def test_the_seed_names_import_from_asyncbolt() -> None:
    from asyncbolt import (  # noqa: F401 - what the seed's users wrote
        BoltClientProtocol,
        BoltServerProtocol,
        ClientResponse,
        ClientSession,
        ServerSession,
        connect,
        create_server,
    )

    for name in SEED_TOP_LEVEL:
        assert getattr(asyncbolt, name) is not None, name
    assert ClientResponse._fields == ("fields", "metadata", "eof")
    assert BoltServerProtocol is ServerSession
    # the seed's modules, by their old names (compat.moved)
    from asyncbolt import exception, protocol

    assert protocol.BoltClientProtocol is BoltClientProtocol
    assert issubclass(exception.ServerFailedError, exception.ServerError)


def test_the_seed_only_names_are_not_in_all() -> None:
    seed_only = set(asyncbolt._SEED_API)
    assert seed_only == {"BoltClientProtocol", "BoltServerProtocol", "ClientSession", "ClientResponse"}
    assert not seed_only & set(asyncbolt.__all__)
    # the seed's names that are asyncbolt's own API too stay documented
    assert {"connect", "ServerSession", "create_server", "Server"} <= set(asyncbolt.__all__)
    assert set(asyncbolt.__all__) | seed_only <= set(dir(asyncbolt))


def test_everything_in_all_imports_and_star_import_leaves_the_seed_out() -> None:
    code = ("from asyncbolt import *\n"
            "import asyncbolt\n"
            "names = set(globals())\n"
            "missing = [n for n in asyncbolt.__all__ if n not in names]\n"
            "print(missing, sorted(set(asyncbolt._SEED_API) & names))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT)
    assert out.stdout.strip() == "[] []"
