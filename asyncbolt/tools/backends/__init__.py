"""Backends for ``asyncbolt serve``: a graph database behind a :class:`~asyncbolt.ServerSession`.

A backend is a ``ServerSession`` subclass; one instance serves one Bolt connection, and
:func:`asyncbolt.serve` passes it the keyword arguments it was given. ``asyncbolt serve
--backend NAME`` picks one by name from :data:`BACKENDS` (or ``package.module:Class`` for your
own). :mod:`asyncbolt.tools.backends.ladybug` (LadybugDB) is the reference; to write another,
follow its session module, :mod:`asyncbolt.tools.backends.ladybug.session` (its siblings hold what
is LadybugDB's own: the shared database, values, ids, errors, procedures):

- ``run(query, parameters, extra)`` returns an :class:`asyncbolt.ServerResult` whose rows are an
  async iterable pulled lazily, batch by batch, from the database — never the whole result.
  Blocking database calls go to a worker thread so the event loop keeps serving others.
- ``begin(extra)``/``commit()``/``rollback()`` map onto the database's transactions;
  ``commit()`` returns ``{"bookmark": ...}``.
- Database errors become ``ClientError``/``TransientError``/``DatabaseError`` with a Neo4j status
  code the drivers understand (``Neo.ClientError.Statement.SyntaxError``...).
- Values become PackStream values: ``asyncbolt.codec.structures.Node``/``Relationship``/``Path`` with
  stable ids, ``datetime``/``date``/``timedelta`` (packed as Bolt temporal types), lists, dicts.

What the ``serve`` command needs besides the session class, both optional classmethods:

- ``open_shared(db=None, **options) -> dict``: open what all connections share (the database)
  and return the keyword arguments for :func:`asyncbolt.serve`; ``db`` is ``--db PATH``
  (``None``: in memory). Options the command passes: ``read_only``, ``lock_timeout``, ``init``
  (a file of statements to run first), ``auth`` (``(user, password)`` or ``None``).
- ``close_shared(kwargs)``: release it on shutdown.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["BACKENDS", "DEFAULT_BACKEND", "get_backend", "available_backends"]

#: name -> (module, class, one line about it)
BACKENDS: dict[str, tuple[str, str, str]] = {
    "ladybug": ("asyncbolt.tools.backends.ladybug", "LadybugSession",
                "LadybugDB (PyPI 'ladybug'), the embedded Cypher graph database that continues Kuzu"),
}

DEFAULT_BACKEND = "ladybug"


def available_backends() -> dict[str, str]:
    """Backend names and what they are."""
    return {name: about for name, (_, _, about) in BACKENDS.items()}


def get_backend(name: str) -> type:
    """The session class of backend ``name`` (a registered name or ``package.module:Class``).

    Importing is lazy: a backend's database library is only needed when it is used.
    """
    if name in BACKENDS:
        module_name, class_name, _ = BACKENDS[name]
    elif ":" in name:
        module_name, _, class_name = name.partition(":")
    else:
        known = ", ".join(sorted(BACKENDS))
        raise ValueError(f"unknown backend {name!r} (known: {known}; or give package.module:Class)")
    module = importlib.import_module(module_name)
    try:
        cls: Any = getattr(module, class_name)
    except AttributeError:
        raise ValueError(f"backend {name!r}: {module_name} has no {class_name}") from None
    from asyncbolt.server.session import ServerSession

    if not (isinstance(cls, type) and issubclass(cls, ServerSession)):
        raise ValueError(f"backend {name!r}: {module_name}.{class_name} is not a ServerSession subclass")
    return cls
