"""What every fuzz target shares: instrumented imports, the seed corpus, libFuzzer defaults,
and a strict value comparison.

A target module defines ``test_one_input(data: bytes)`` and ``seeds() -> list[bytes]`` and ends
with ``main(test_one_input, seeds, NAME)``. ``main`` takes libFuzzer's own arguments
(``-runs=N``, ``-max_total_time=S``, a corpus directory, a crash file to replay...) and adds the
defaults that make a hang or unbounded memory growth a finding: ``-timeout`` and
``-rss_limit_mb`` (unless given). Without a corpus directory it uses ``.fuzz-corpus/NAME``
(git-ignored); an empty corpus directory is filled with the target's seeds first. Crashing
inputs go to ``.fuzz-corpus/crashes/NAME-crash-...``; replay one with
``python -m fuzz.NAME FILE``.

``FUZZ_INSTRUMENT`` says how much of asyncbolt atheris instruments for coverage: ``full``
(default) everything the targets run except the generated fast decoder (see below); ``light``
leaves the generated codec module out too, so a target starts in about two seconds (the short
pass in the test suite uses it); ``none`` instruments nothing (libFuzzer then sees no coverage
and mutates blindly).
"""

from __future__ import annotations

import os
import struct
import sys
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import atheris

ROOT = Path(__file__).resolve().parent.parent
#: Defaults added to libFuzzer's arguments unless the caller gives them: an input that runs
#: longer than 10 s is a hang, a process above 2 GiB is unbounded memory growth.
DEFAULTS = {"-timeout": "10", "-rss_limit_mb": "2048", "-max_len": "8192"}

# Instrumenting the generated fast pure-Python decoder (one huge factory function) takes
# atheris ~40 s because its bytecode patching is quadratic in function size. It is left out:
# its twin, the checked decoder that diagnoses every error, is instrumented, and the fast
# decoder's results are checked against the C codec's anyway. The other asyncio modules are
# left out because no target runs them (client_connection runs asyncbolt.client.connection).
_SKIP_MODULES = ["asyncbolt._generated.codec", "asyncbolt.client.driver",
                 "asyncbolt.client.pool", "asyncbolt.client.routing", "asyncbolt.server.listener", "asyncbolt.server.connection",
                 "asyncbolt.server.answers", "asyncbolt.tools.proxy",
                 "asyncbolt.tools.shell", "asyncbolt.tools.serving", "asyncbolt.tools.demo", "asyncbolt.tools.demo_wire",
                 "asyncbolt.tools.cli"]
_SKIP_FUNCTIONS = {"_make_unpack"}


def instrumentation() -> str:
    level = os.environ.get("FUZZ_INSTRUMENT", "") or "full"
    if level not in ("full", "light", "none"):
        raise SystemExit(f"FUZZ_INSTRUMENT={level!r}: say full, light or none")
    return level


def instrumenting() -> Any:
    """Context manager for a target's imports of asyncbolt (coverage instrumentation)."""
    level = instrumentation()
    return nullcontext() if level == "none" else _Instrumenting(level == "full")


class _Instrumenting:
    def __init__(self, codec: bool) -> None:
        self._codec = codec

    def __enter__(self) -> None:
        self._hook = atheris.instrument_imports(include=["asyncbolt"], exclude=_SKIP_MODULES)
        self._hook.__enter__()

    def __exit__(self, *exc: Any) -> None:
        self._hook.__exit__(*exc)
        if not self._codec:
            return
        from asyncbolt._generated import codec

        for name, obj in vars(codec).items():
            if (callable(obj) and getattr(obj, "__module__", None) == codec.__name__
                    and hasattr(obj, "__code__") and name not in _SKIP_FUNCTIONS):
                atheris.instrument_func(obj)


def main(test_one_input: Callable[[bytes], None], seeds: Callable[[], Iterable[bytes]],
         name: str, argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    given = {a.split("=", 1)[0] for a in argv[1:] if a.startswith("-")}
    defaults = {**DEFAULTS, "-artifact_prefix": f"{ROOT / '.fuzz-corpus' / 'crashes' / name}-"}
    extra = [f"{k}={v}" for k, v in defaults.items() if k not in given]
    if "-artifact_prefix" not in given:
        (ROOT / ".fuzz-corpus" / "crashes").mkdir(parents=True, exist_ok=True)
    positional = [a for a in argv[1:] if not a.startswith("-")]
    if not positional:
        corpus = ROOT / ".fuzz-corpus" / name
        argv.append(str(corpus))
        positional = [str(corpus)]
    first = Path(positional[0])
    if first.is_dir() or not first.exists():
        write_seeds(first, seeds())
    atheris.Setup(argv[:1] + extra + argv[1:], test_one_input)
    atheris.Fuzz()


def write_seeds(corpus: Path, seeds: Iterable[bytes]) -> None:
    """Fill an empty (or missing) corpus directory with the seeds."""
    corpus.mkdir(parents=True, exist_ok=True)
    if any(corpus.iterdir()):
        return
    for i, seed in enumerate(seeds):
        (corpus / f"seed-{i:04d}").write_bytes(seed)


# -- comparison ----------------------------------------------------------------------------


def same(a: Any, b: Any) -> bool:
    """Deep equality that also compares types (True is not 1, 1.0 is not 1), floats bit for bit
    (NaN equals the same NaN, -0.0 differs from 0.0) and dict key order."""
    from asyncbolt.codec.types import Structure, StructureBase

    if type(a) is not type(b):
        return False
    if type(a) is float:
        return struct.pack(">d", a) == struct.pack(">d", b)
    if type(a) in (list, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is dict:
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if type(a) is Structure:
        return a.tag == b.tag and same(a.fields, b.fields)
    if isinstance(a, StructureBase):
        return all(same(getattr(a, f, None), getattr(b, f, None)) for f in a.fields)
    return a == b


def profiles() -> list[tuple[tuple[int, int], tuple[str, ...]]]:
    """Every codec profile the generated tables know: (version, patches)."""
    from asyncbolt._generated import codec

    out = []
    for key in codec._STRUCT_SET_OF:
        version, *patches = key.split("+")
        major, minor = version.split(".")
        out.append(((int(major), int(minor)), tuple(patches)))
    return out


def chunked(payload: bytes) -> bytes:
    from asyncbolt.core.framing import chunk_message

    return chunk_message(payload)
