"""The matching engine: where a connection is in its script, and what a client message does.

The position in a script is a *state*: what is left to play, built from the script's own AST
nodes (a node that has not started is its own state). Receiving a message computes the next
state the way a regular-expression derivative does: the first line (top to bottom) that accepts
the message wins, a block that may be skipped is skipped only when nothing in it accepts the
message, and an optional or repeated block prefers playing to skipping. After each accepted
message the server and Python lines that now come first are run (:meth:`Player.settle`).

States (besides AST nodes): ``_Done`` (nothing left), ``Seq`` with fewer items (the rest of a
block list), ``Par`` with advanced branches. Nothing here does I/O: the player returns the
actions (server lines, auto replies) for the connection to carry out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from asyncbolt.tools.stub.script import (
    Alt,
    Auto,
    Client,
    Cond,
    Node,
    Opt,
    Par,
    Python,
    Rep,
    Script,
    Seq,
    ServerLine,
)
from asyncbolt.tools.stub.values import Struct, Wildcard

__all__ = ["Player", "Namespace", "match_fields"]


class Namespace:
    """The variables ``PY:`` lines and ``IF:`` conditions share (one per script, all
    connections)."""

    def __init__(self, setup: list[str]) -> None:
        self.vars: dict[str, Any] = {}
        for code in setup:
            exec(code, {}, self.vars)  # noqa: S102 - scripts are code by design

    def run(self, code: str) -> None:
        exec(code, {}, self.vars)  # noqa: S102

    def test(self, condition: str) -> bool:
        return bool(eval(condition, {}, self.vars))  # noqa: S307


# ------------------------------------------------------------------------------------------
# Field matching (client lines against received fields)

_STR_UNESCAPE = re.compile(r"\\([\\*])")
_KEY_UNESCAPE = re.compile(r"\\([\[\]\\{}])")


def match_fields(pattern: list[Any], fields: list[Any]) -> bool:
    return len(pattern) == len(fields) and all(_match(p, v) for p, v in zip(pattern, fields, strict=True))


def _match(p: Any, v: Any) -> bool:
    if isinstance(p, str):
        if p == "*":
            return True
        return type(v) is str and v == _STR_UNESCAPE.sub(r"\1", p)
    if isinstance(p, Wildcard):
        return p.matches(v)
    if isinstance(p, Struct):
        return isinstance(v, Struct) and p.tag == v.tag and match_fields(p.fields, v.fields)
    if type(p) is not type(v):
        return False
    if isinstance(p, list):
        return match_fields(p, v)
    if isinstance(p, dict):
        return _match_dict(p, v)
    if isinstance(p, float) and math.isnan(p):
        return math.isnan(v)
    return bool(p == v)


def _sorted(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    try:
        return sorted(value)
    except TypeError:
        return sorted(value, key=repr)


def _match_dict(p: dict, v: dict) -> bool:
    seen = set()
    for raw_key, want in p.items():
        optional = raw_key.startswith("[") and raw_key.endswith("]") and len(raw_key) >= 2
        unordered = bool(re.match(r"^(?:\[.*\{\}\]|.*\{\})$", raw_key))
        key = _KEY_UNESCAPE.sub(r"\1", raw_key)
        if optional:
            key = key[1:-1]
        if unordered:
            key = key[:-2]
        seen.add(key)
        if key in v:
            got = v[key]
            if unordered:
                want, got = _sorted(want), _sorted(got)
            if not _match(want, got):
                return False
        elif not optional:
            return False
    return set(v) <= seen


# ------------------------------------------------------------------------------------------
# States


class _Done:
    """Nothing left to play."""


DONE = _Done()

Action = tuple[str, Any]  # ("server", ServerLine) | ("python", Python) | ("auto", Client)


class Player:
    """One connection's walk through a script.

    ``state`` is what is left. :meth:`feed` takes a received message (name, fields), advances and
    returns the client line that took it (or None: nothing accepts it); then :meth:`settle`
    yields the server lines and Python lines that are due, in order.
    """

    def __init__(self, script: Script, namespace: Namespace) -> None:
        self.script = script
        self.ns = namespace
        self.state: Any = script.body
        self._auto_reply: Client | None = None

    # -- queries ----------------------------------------------------------------------------

    @property
    def done(self) -> bool:
        """The script has been played to its (definite) end."""
        return self.state is DONE

    def can_end(self) -> bool:
        """The script may end here (the rest is optional)."""
        return self.state is DONE or self._nullable(self.state)

    def expected(self) -> list[Client]:
        """The client lines that would be accepted next."""
        out: list[Client] = []
        self._firsts(self.state, out)
        unique: list[Client] = []
        for line in out:
            if all(line is not u for u in unique):
                unique.append(line)
        return unique

    def _select(self, node: Cond) -> Node | None:
        for cond, branch in node.branches:
            if cond is None or self.ns.test(cond):
                return branch
        return None

    def _nullable(self, s: Any) -> bool:
        if s is DONE:
            return True
        if isinstance(s, (Client, ServerLine, Python, _AutoReply)):
            return False
        if isinstance(s, Seq):
            return all(self._nullable(i) for i in s.items)
        if isinstance(s, Alt):
            return any(self._nullable(b) for b in s.branches)
        if isinstance(s, Par):
            return all(self._nullable(b) for b in s.branches)
        if isinstance(s, Opt):
            return True
        if isinstance(s, Rep):
            return s.min == 0 or self._nullable(s.body)
        if isinstance(s, Cond):
            branch = self._select(s)
            return branch is None or self._nullable(branch)
        raise TypeError(f"unknown state {s!r}")  # pragma: no cover

    def _firsts(self, s: Any, out: list[Client]) -> None:
        if isinstance(s, Client):
            out.append(s)
        elif isinstance(s, Seq):
            for item in s.items:
                self._firsts(item, out)
                if not self._nullable(item):
                    break
        elif isinstance(s, (Alt, Par)):
            for b in s.branches:
                self._firsts(b, out)
        elif isinstance(s, (Opt, Rep)):
            self._firsts(s.body, out)
        elif isinstance(s, Cond):
            branch = self._select(s)
            if branch is not None:
                self._firsts(branch, out)

    # -- stepping ---------------------------------------------------------------------------

    def feed(self, name: str, fields: list[Any]) -> Client | None:
        """Consume one client message; returns the line that took it, or None."""
        taken: list[Client] = []
        new = self._deriv(self.state, name, fields, taken)
        if new is None:
            return None
        self.state = new
        return taken[0]

    def _deriv(self, s: Any, name: str, fields: list[Any], taken: list[Client]) -> Any:
        """The state after ``s`` takes the message, or None when it cannot."""
        if isinstance(s, Client):
            if s.name == name and match_fields(s.fields, fields):
                taken.append(s)
                if isinstance(s, Auto):
                    return Seq([_AutoReply(s)])
                return DONE
            return None
        if isinstance(s, Seq):
            for i, item in enumerate(s.items):
                new = self._deriv(item, name, fields, taken)
                if new is not None:
                    return Seq([new, *s.items[i + 1:]], s.line)
                if not self._nullable(item):
                    return None
            return None
        if isinstance(s, Alt):
            for b in s.branches:
                new = self._deriv(b, name, fields, taken)
                if new is not None:
                    return new
            return None
        if isinstance(s, Par):
            for i, b in enumerate(s.branches):
                new = self._deriv(b, name, fields, taken)
                if new is not None:
                    return Par([*s.branches[:i], new, *s.branches[i + 1:]], s.line)
            return None
        if isinstance(s, Opt):
            return self._deriv(s.body, name, fields, taken)
        if isinstance(s, Rep):
            new = self._deriv(s.body, name, fields, taken)
            if new is None:
                return None
            return Seq([new, Rep(s.body, 0, s.line)], s.line)
        if isinstance(s, Cond):
            branch = self._select(s)
            return None if branch is None else self._deriv(branch, name, fields, taken)
        return None  # DONE, ServerLine, Python, _AutoReply take no message

    def settle(self, run: Callable[[Action], None] | None = None) -> list[Action]:
        """Run what is due now: leading server lines, Python lines and auto replies; resolve
        leading conditions. Returns the actions in order (Python lines already ran)."""
        actions: list[Action] = []
        self.state = self._settle(self.state, actions)
        return actions

    def _settle(self, s: Any, actions: list[Action]) -> Any:
        if isinstance(s, Seq):
            items = list(s.items)
            out: list[Any] = []
            while items:
                head = items.pop(0)
                if isinstance(head, Seq):  # flatten, so repeats do not nest forever
                    items[:0] = head.items
                    continue
                if isinstance(head, ServerLine):
                    actions.append(("server", head))
                    if head.kind == "EXIT":
                        return DONE
                    continue
                if isinstance(head, Python):
                    self.ns.run(head.code)
                    actions.append(("python", head))
                    continue
                if isinstance(head, _AutoReply):
                    actions.append(("auto", head.line))
                    continue
                if isinstance(head, Cond):
                    branch = self._select(head)
                    if branch is not None:
                        items.insert(0, branch)
                    continue
                if head is DONE:
                    continue
                head = self._settle(head, actions)
                if head is DONE:
                    continue
                if actions and actions[-1][0] == "server" and actions[-1][1].kind == "EXIT":
                    return DONE
                out = [head, *items]
                break
            return Seq(out, s.line) if out else DONE
        if isinstance(s, Par):
            branches = [self._settle(b, actions) for b in s.branches]
            live = [b for b in branches if b is not DONE]
            if not live:
                return DONE
            return Par(live, s.line)
        if isinstance(s, (ServerLine, Python, Cond, _AutoReply)):
            return self._settle(Seq([s]), actions)
        return s


class _AutoReply:
    """The pending automatic answer to an ``A:`` line."""

    __slots__ = ("line",)

    def __init__(self, line: Client) -> None:
        self.line = line
