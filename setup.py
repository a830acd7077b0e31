"""Build hook for the optional C accelerator; everything else is in pyproject.toml.

``asyncbolt._generated._accel`` (generated from spec/ like the rest of ``_generated/``) is
compiled with the machine's C compiler when the package is installed. It is optional: without a
compiler or Python headers the build warns and the pure-Python codec is used, and
``ASYNCBOLT_PURE=1`` skips it altogether (``asyncbolt.codec.packstream.ACCELERATED`` says which codec
runs).
"""

from __future__ import annotations

import os
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


def _pure() -> bool:
    return os.environ.get("ASYNCBOLT_PURE", "") not in ("", "0")


class OptionalBuildExt(build_ext):
    """build_ext that warns and carries on when the extension cannot be built."""

    def run(self) -> None:
        if _pure():
            print("ASYNCBOLT_PURE is set: not building the C accelerator", file=sys.stderr)
            return
        try:
            super().run()
        except Exception as exc:  # no compiler, no headers, ...
            self._warn(exc)

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:
            self._warn(exc)

    def _warn(self, exc: BaseException) -> None:
        print(f"WARNING: could not build the asyncbolt C accelerator ({exc}); "
              "the pure-Python codec will be used", file=sys.stderr)


setup(
    ext_modules=[
        Extension(
            "asyncbolt._generated._accel",
            ["asyncbolt/_generated/_accel.c"],
            optional=True,
        ),
        # The column builder of columnar results (Result.to_arrow()), optional the same way.
        Extension(
            "asyncbolt._generated._columns",
            ["asyncbolt/_generated/_columns.c"],
            optional=True,
        ),
    ],
    cmdclass={"build_ext": OptionalBuildExt},
)
