"""The optional C accelerator (``asyncbolt._generated._accel``), loaded once for the package.

``accel`` is the extension module, or None when it is not built (no compiler at install time),
when ``ASYNCBOLT_PURE=1`` (anything but empty or ``0``) is set in the environment, or when it is
stale: it was compiled from another rendering of the spec than the Python codec next to it.
Users look at ``asyncbolt.codec.packstream.ACCELERATED``.
"""

from __future__ import annotations

import importlib
import os
import warnings
from typing import Any


def pure_requested() -> bool:
    """Whether ``ASYNCBOLT_PURE`` asks for the pure-Python codec."""
    return os.environ.get("ASYNCBOLT_PURE", "") not in ("", "0")


def _load() -> Any:
    if pure_requested():
        return None
    try:
        # (by name: a compiled extension without a stub, absent from pure-Python installs)
        _accel = importlib.import_module("asyncbolt._generated._accel")
    except ImportError:
        return None
    from asyncbolt._generated.codec import _ACCEL_DIGEST

    if getattr(_accel, "DIGEST", None) != _ACCEL_DIGEST:
        warnings.warn("asyncbolt's C accelerator was built from another version of the spec; "
                      "using the pure-Python codec (`make install` or `pip install -e .` rebuilds "
                      "it)", RuntimeWarning, stacklevel=3)
        return None
    return _accel


accel = _load()
