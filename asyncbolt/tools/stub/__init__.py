"""``asyncbolt stub``: a scripted Bolt server (testkit's stub script language).

A script has a head of bang lines and a body of lines the conversation must follow::

    !: BOLT 5.4
    !: AUTO RESET

    A: HELLO {"{}": "*"}
    A: LOGON {"{}": "*"}
    C: RUN "RETURN $x AS x" {"x": 1} {"[db]": "*"}
       PULL {"n": {"Z": "*"}}
    S: SUCCESS {"fields": ["x"]}
       RECORD [1]
       SUCCESS {"type": "r"}
    ?: GOODBYE

Head: ``!: BOLT x.y`` (required; any version 1.0-6.1 of the spec), ``!: AUTO NAME`` (answer
NAME with SUCCESS wherever it comes), ``!: ALLOW RESTART`` (play again for the next connection),
``!: ALLOW CONCURRENT`` (any number of connections at once), ``!: HANDSHAKE hex``,
``!: HANDSHAKE_DELAY seconds``, ``!: PY statement``.

Body: ``C:`` client lines (fields are JSON/JOLT; ``"*"`` matches anything, ``{"Z": "*"}`` any
integer, a ``"[key]"`` is optional, a ``"key{}"`` list compares unordered), ``S:`` server lines
(messages, or ``<EXIT>``, ``<NOOP>``, ``<RAW> hex``, ``<SLEEP> s``, ``<ASSERT ORDER> s``), a line
without a marker continues the C:/S: block above it; ``A: MSG`` answers automatically, ``?:``,
``*:``, ``+:`` do so optionally / 0+ / 1+ times; ``{{ ... }}`` groups, ``{{ a ---- b }}`` takes
the first alternative that matches, ``{{ a ++++ b }}`` plays both interleaved, ``{? ?}`` is
optional, ``{* *}`` repeats 0+ times, ``{+ +}`` 1+ times; ``PY:`` runs Python, ``IF:``,
``ELIF:``, ``ELSE:`` choose by a Python condition. ``#`` starts a comment line.

Public API (stable): :func:`parse_script` -> :class:`Script` (raises :class:`ScriptError`
``path:line: what``), :class:`StubServer` (see its docstring), :func:`main` (the command line).
"""

from __future__ import annotations

from asyncbolt.tools.stub.cli import main
from asyncbolt.tools.stub.script import Script, ScriptError, parse_script
from asyncbolt.tools.stub.server import StubServer

__all__ = ["Script", "ScriptError", "StubServer", "main", "parse_script"]
