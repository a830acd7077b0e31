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

#: The value kinds of the echo scenario, in the order the scripts try them.
KINDS = ("null", "boolean", "integer", "float", "string", "bytes", "list", "map", "date", "time",
         "localtime", "datetime", "localdatetime", "duration", "point")


def samples(**specific: list[Any] | None) -> dict[str, list[Any]]:
    """Values of each kind: the plain Python ones every client sends alike, with a client's own
    (``bytes=``, ``time=``, ``duration=``, ``point=``, or a different ``datetime=``) added; a kind
    given as None, or not given and without a plain value, is left out."""
    plain: dict[str, list[Any]] = {
        "null": [None],
        "boolean": [True, False],
        "integer": [0, 42, -(2**63), 2**63 - 1],
        "float": [1.5, -2.25e-300],
        "string": ["", "grüße 東京 🎉"],
        "list": [[1, 2, 3], ["a", "b"]],
        "map": [{"a": 1, "b": "two"}],
        "date": [dt.date(2024, 2, 29)],
        "localtime": [dt.time(23, 59, 59, 123456)],
        "datetime": [dt.datetime(2024, 2, 29, 13, 37, 1, 123456, tzinfo=dt.timezone(dt.timedelta(hours=2)))],
        "localdatetime": [dt.datetime(1999, 12, 31, 23, 59, 59, 123456)],
    }
    merged = {**plain, **specific}
    return {kind: values for kind in KINDS if (values := merged.get(kind)) is not None}


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
