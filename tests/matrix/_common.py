"""What the Python client scripts share (tests/matrix/py_official.py, py2neo_client.py,
mgclient_client.py). Each script runs in its client's own venv as ``python SCRIPT TARGET_JSON``,
so this folder is on its ``sys.path``; only the standard library is imported here."""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any


def native(value: Any, keep: type | tuple[type, ...] = ()) -> Any:
    """A client's temporal value as its Python equivalent, to compare with what was sent (types
    in ``keep``, e.g. a Duration, stay as they are)."""
    if hasattr(value, "to_native") and not isinstance(value, keep):
        plain = value.to_native()
        zone = getattr(value, "tzinfo", None)
        if zone is not None and plain.tzinfo is None:  # neotime (1.7) and py2neo drop the zone here
            plain = plain.replace(tzinfo=zone)
        return plain
    return value


def same_instant(got: Any, sent: dt.datetime) -> bool:
    """A zoned datetime that came back as the same instant in UTC without its zone (what
    ``asyncbolt serve`` does: LadybugDB keeps instants, not offsets)."""
    if isinstance(got, dt.datetime) and got.tzinfo is None:
        return got == sent.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return got == sent


def run_scenarios(scenarios: dict[str, Callable[[Any, dict, dict], dict]], handle: Any, target: dict,
                  out: dict) -> dict:
    """Each scenario ``fn(handle, target, out)`` in turn, its result (or the exception it raised)
    and its time under ``out["scenarios"][name]``."""
    out.setdefault("scenarios", {})
    for name, fn in scenarios.items():
        started = time.monotonic()
        try:
            result = fn(handle, target, out)
        except Exception as exc:
            result = {"exception": type(exc).__name__, "message": str(exc)[:500],
                      "traceback": traceback.format_exc()[-1500:]}
        result["elapsed"] = round(time.monotonic() - started, 3)
        out["scenarios"][name] = result
    return out


def script_main(main: Callable[[dict], dict]) -> None:
    """``python SCRIPT TARGET_JSON``: MatrixNode keys are unique in serve's table, so each run
    takes a random block of ten; the result is printed as one JSON line."""
    target = json.loads(sys.argv[-1])
    target.setdefault("key", random.randrange(1 << 40) * 10)
    print(json.dumps(main(target), default=repr))
