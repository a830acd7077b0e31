"""The Bolt connection state machine, as any party sees it: server, client or an observer.

One class steps the tables generated from spec/bolt.yaml (``asyncbolt._generated.states``) for
every role, like h11's state machine, which does not know which side it plays:

* the server core (:mod:`asyncbolt.core.server`) asks :meth:`StateMachine.lookup` whether a
  request is allowed, ignored or a violation *before* answering it, then records the answer with
  :meth:`StateMachine.succeeded` / :meth:`StateMachine.failed`;
* the client core and the dump validator only see requests go out and answers come back: they
  call :meth:`StateMachine.observe` per answer, which looks the request up in the state the
  server was in and says what, if anything, the answer got wrong.

Besides the state name it keeps what the tables alone do not: whether the peer is authenticated
(the spec marks the unauthenticated states), RESETs on their way (everything before one is cut
short: state INTERRUPTED), and the open results of a transaction (qids, Bolt 4.0+).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from asyncbolt._generated.states import (
    INITIAL,
    ON_VIOLATION,
    TRANSITIONS,
    UNAUTHENTICATED,
    Transition,
)
from asyncbolt._generated.versions import has

__all__ = ["StateMachine", "Transition", "Mismatch", "PULLS", "SUMMARIES"]

Version = tuple[int, int]

#: Requests that consume (part of) a result.
PULLS = frozenset({"PULL", "PULL_ALL", "DISCARD", "DISCARD_ALL"})
#: The answers that end a request.
SUMMARIES = frozenset({"SUCCESS", "FAILURE", "IGNORED"})
_TX_STATES = frozenset({"TX_READY", "TX_STREAMING"})


class Mismatch(NamedTuple):
    """What an answer got wrong, as :meth:`StateMachine.check_answer` found it.

    ``kind`` is ``"not_allowed"`` (the request is not allowed in ``state``: the client's fault)
    or ``"not_ignored"`` (``state`` ignores the request until RESET, and the server answered it
    anyway: the server's fault); ``str()`` gives the sentence :meth:`StateMachine.observe`
    returns."""

    kind: str
    request: str
    answer: str
    state: str

    def __str__(self) -> str:
        if self.kind == "not_allowed":
            return f"{self.request} is not allowed in state {self.state} (answered {self.answer})"
        return (f"{self.answer} answers {self.request}, which should have been IGNORED: state "
                f"{self.state} ignores it until RESET")


class StateMachine:
    """The state of one Bolt connection of ``version`` (from the handshake on)."""

    __slots__ = ("version", "table", "state", "authenticated", "qids", "_next_qid", "_resets",
                 "_unauthenticated")

    def __init__(self, version: Version) -> None:
        self.version = version
        self.table: dict[tuple[str, str], Transition] = TRANSITIONS[version]
        self._unauthenticated = UNAUTHENTICATED[version]
        #: The state name of spec/bolt.yaml (CONNECTED, READY, STREAMING, TX_READY, ...,
        #: FAILED, INTERRUPTED, DEFUNCT).
        self.state: str = INITIAL[version]
        #: Whether INIT/HELLO/LOGON succeeded (and no LOGOFF since).
        self.authenticated = False
        #: The open results of the current transaction (qids, Bolt 4.0+), oldest first.
        self.qids: list[int] = []
        self._next_qid = 0
        self._resets = 0  # RESETs sent (or received) and not yet looked up

    # -- RESET ----------------------------------------------------------------------------

    def interrupt(self) -> None:
        """A RESET is on its way: the work before it is cut short (answered IGNORED)."""
        self._resets += 1
        self._interrupt_state()

    def _interrupt_state(self) -> None:
        # From every state RESET is allowed in (not before authentication).
        if (self.state, "RESET") in self.table:
            self.state = "INTERRUPTED"

    @property
    def in_transaction(self) -> bool:
        """An explicit transaction is open (BEGIN succeeded, no COMMIT/ROLLBACK/RESET since)."""
        return self.state in _TX_STATES

    @property
    def interrupted(self) -> bool:
        """A RESET is pending and will be honoured: work in progress should stop."""
        return self._resets > 0 and (self.state == "INTERRUPTED" or (self.state, "RESET") in self.table)

    def frozen(self, name: str) -> bool:
        """While a RESET is pending the state stays INTERRUPTED, whatever earlier work says."""
        return self.state == "INTERRUPTED" and name != "RESET"

    # -- requests -------------------------------------------------------------------------

    def lookup(self, name: str) -> Transition | None:
        """What request ``name`` does in the current state (None: not allowed there).

        Call once per request, in order: the RESET a request was interrupted by is accounted
        here (its own lookup ends the interruption's count)."""
        if name == "RESET":
            if self._resets:
                self._resets -= 1
        elif self._resets:
            self._interrupt_state()
        return self.table.get((self.state, name))

    def peek(self, name: str) -> Transition | None:
        """What request ``name`` would do in the current state, without stepping anything."""
        return self.table.get((self.state, name))

    def violation(self) -> str:
        """A request that is not allowed was refused (FAILURE): the state that follows."""
        self.state = ON_VIOLATION[self.version].get(self.state, "DEFUNCT")
        return self.state

    def stream_key(self, name: str, qid: int = -1) -> Any:
        """Which result a request starts or addresses: a RUN gets its qid inside a transaction
        (Bolt 4.0+; ``"tx"`` before), ``"auto"`` outside one; PULL/DISCARD address ``qid`` (-1:
        the last one opened), or None if it names no open result."""
        in_tx = self.in_transaction
        if name == "RUN":
            if in_tx and has("qid", self.version):
                key = self._next_qid
                self._next_qid += 1
                return key
            return "tx" if in_tx else "auto"
        if name in PULLS:
            if self.state == "TX_STREAMING":
                if not has("qid", self.version):
                    return "tx"
                if qid == -1:
                    return self.qids[-1] if self.qids else None
                return qid if qid in self.qids else None
            return "auto"
        return None

    # -- answers --------------------------------------------------------------------------

    def succeeded(self, name: str, transition: Transition, metadata: dict[str, Any] | None = None,
                  stream: Any = None) -> str:
        """Request ``name`` (allowed by ``transition``) was answered SUCCESS; returns the state."""
        if transition.success is not None:
            authenticated = transition.success not in self._unauthenticated
            if authenticated != self.authenticated:
                self.authenticated = authenticated
        if self.frozen(name):
            return self.state
        has_more = bool(metadata and metadata.get("has_more"))
        if name == "RUN" and isinstance(stream, int):
            self.qids.append(stream)
        elif name in PULLS and isinstance(stream, int) and not has_more:
            if stream in self.qids:
                self.qids.remove(stream)
        if name in PULLS and self.state == "TX_STREAMING" and not has_more and self.qids:
            return self.state  # other results of the transaction are still open
        if name in ("COMMIT", "ROLLBACK", "RESET"):
            self.qids.clear()
        if transition.success is None:
            raise ValueError(f"{name} has no SUCCESS in state {self.state} (it is ignored or closes)")
        self.state = transition.has_more if has_more and transition.has_more else transition.success
        return self.state

    def failed(self, name: str, transition: Transition | None) -> str:
        """Request ``name`` was answered FAILURE; returns the state."""
        if self.frozen(name):
            return self.state
        self.qids.clear()
        self.state = (transition.failure if transition is not None else None) or "FAILED"
        return self.state

    def observe(self, name: str, answer: str, metadata: dict[str, Any] | None = None,
                qid: int = -1) -> str | None:
        """As the client or an observer: request ``name`` (PULL/DISCARD addressing ``qid``) was
        answered ``answer`` (SUCCESS, FAILURE or IGNORED). Steps the state as the server must
        have, and returns what was wrong with the answer (None: nothing)."""
        mismatch = self.check_answer(name, answer, metadata, qid)
        return None if mismatch is None else str(mismatch)

    def check_answer(self, name: str, answer: str, metadata: dict[str, Any] | None = None,
                     qid: int = -1) -> Mismatch | None:
        """:meth:`observe`, with what was wrong as a :class:`Mismatch` (whose fault, in which
        state) rather than a sentence."""
        state = self.state
        transition = self.lookup(name)
        if transition is None or transition.close:
            if answer == "IGNORED":
                return None  # cut short by a RESET before the server looked at it
            if answer == "FAILURE":
                self.violation()
            return Mismatch("not_allowed", name, answer, state)
        if transition.ignored:
            if answer == "IGNORED":
                return None
            if answer == "SUCCESS" and transition.success:
                self.state = transition.success
            return Mismatch("not_ignored", name, answer, state)
        if answer == "IGNORED":
            return None  # interrupted by a RESET: the state is unchanged
        stream = self.stream_key(name, qid)
        if answer == "FAILURE":
            self.failed(name, transition)
            return None
        if name == "RUN" and isinstance(stream, int) and metadata is not None:
            reported = metadata.get("qid")
            if isinstance(reported, int) and not isinstance(reported, bool):
                stream = reported  # (the server numbers the results; we follow it)
        self.succeeded(name, transition, metadata, stream)
        return None
