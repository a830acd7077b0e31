"""Old module paths of asyncbolt, kept importable after the package was laid out by job.

Until 0.1 every module sat directly in ``asyncbolt/`` (``asyncbolt.packstream``,
``asyncbolt.dump``, ...). They now live in ``codec/``, ``core/``, ``client/``, ``server/``,
``tools/`` and ``compat/``. Importing an old path gives the module at its new place — the same
module object, so attributes set on one are seen through the other.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from types import ModuleType

#: old path -> new path (both under ``asyncbolt.``)
MOVED: dict[str, str] = {
    "packstream": "codec.packstream",
    "types": "codec.types",
    "structures": "codec.structures",
    "messages": "codec.messages",
    "schemas": "codec.schemas",
    "_schema": "codec._schema",
    "_speedups": "codec._speedups",
    "_offload": "codec._offload",
    "framing": "core.framing",
    "handshake": "core.handshake",
    "connection": "core.server",
    "auth": "client.auth",
    "driver": "client.driver",
    "pool": "client.pool",
    "routing": "client.routing",
    "serving": "tools.serving",
    "backends": "tools.backends",
    "dump": "tools.dump",
    "inspect": "tools.inspect",
    "proxy": "tools.proxy",
    "shell": "tools.shell",
    "script": "tools.script",
    "demo": "tools.demo",
    "demo_wire": "tools.demo_wire",
    "cli": "tools.cli",
    "stub": "tools.stub",
    "protocol": "compat.protocol",
    "exception": "compat.exception",
    # (the server framework's one module, split by job: the package re-exports its public names)
    "server.runtime": "server",
}


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``asyncbolt.<old>`` (and what is below it) and loads the module at its new path."""

    @staticmethod
    def _target(fullname: str) -> str | None:
        if not fullname.startswith("asyncbolt."):
            return None
        rest = fullname[len("asyncbolt."):]
        for old, new in MOVED.items():  # (keys may be dotted: "server.runtime")
            if rest == old or rest.startswith(old + "."):
                return f"asyncbolt.{new}{rest[len(old):]}"
        return None

    def find_spec(self, fullname: str, path: object = None,
                  target: object = None) -> importlib.machinery.ModuleSpec | None:
        new = self._target(fullname)
        if new is None:
            return None
        module = importlib.import_module(new)
        return importlib.machinery.ModuleSpec(fullname, self, is_package=hasattr(module, "__path__"))

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        new = self._target(spec.name)
        if new is None:
            raise ImportError(f"{spec.name} is not a moved asyncbolt module", name=spec.name)
        return importlib.import_module(new)

    def exec_module(self, module: ModuleType) -> None:
        pass  # already executed at its new path


def install() -> None:
    """Make the old paths importable (once per interpreter)."""
    if not any(isinstance(f, _Alias) for f in sys.meta_path):
        sys.meta_path.insert(0, _Alias())
