"""How the dump validator reads the handshake: the client's proposals, the server's answer or
manifest, the client's manifest choice (with :mod:`asyncbolt.core.handshake`'s parsers), and what
it assumes where the dump lacks one side; a base of :class:`~asyncbolt.tools.dump.Conversation`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from asyncbolt._generated.versions import (
    VERSIONS,
)
from asyncbolt.core.handshake import (
    MAGIC,
    MANIFEST_V1,
    Proposal,
    describe_foreign,
    format_version,
    parse_answer,
    parse_choice,
    parse_manifest,
    parse_opening,
)
from asyncbolt.core.states import StateMachine
from asyncbolt.errors import HandshakeError
from asyncbolt.tools.dump.events import CLIENT, SERVER, Event, Problem, Version, _Flow


class _HandshakeReader:
    """The handshake half of a :class:`~asyncbolt.tools.dump.Conversation`, and the plumbing
    (problems, events, the version) both halves use. Conversation sets every attribute."""

    sides: dict[str, _Flow]
    version: Version | None
    given_version: Version | None
    proposals: list[Proposal] | None
    offers: list[Proposal] | None
    manifest: bool
    refused: bool
    notes: list[str]
    keep_problems: bool
    problem_count: int
    _problems: list[Problem]
    _detached: list[Problem]
    _out: list[Event]
    _sm: StateMachine | None

    def _take(self) -> list[Event]:
        out, self._out = self._out, []
        return out

    def _emit(self, event: Event) -> Event:
        self._out.append(event)
        self.problem_count += len(event.problems)
        if self.keep_problems:
            self._problems.extend(event.problems)
        return event

    def _add(self, p: Problem) -> None:
        """A problem attached to no event."""
        self.problem_count += 1
        self._detached.append(p)
        if self.keep_problems:
            self._problems.append(p)

    def _problem(self, event: Event | None, offset: int, path: str, reason: str, side: str) -> Problem:
        p = Problem(offset, path, reason, side)
        if event is not None:
            event.problems.append(p)
        else:
            self._add(p)
        return p

    def _handshake_version(self, version: Version) -> None:
        """The handshake in the dump settles the version, over a version given up front."""
        if version == self.version:
            return
        if self.given_version is not None:
            self.notes.append(f"the handshake in the dump agrees on Bolt {format_version(version)}, "
                              f"not {format_version(self.given_version)}: decoding as "
                              f"{format_version(version)}")
        self._set_version(version)

    def _set_version(self, version: Version) -> None:
        self.version = version
        self._sm = StateMachine(version)

    # -- handshake ---------------------------------------------------------------------------

    def _guess_version(self) -> None:
        """At the end of a dump whose handshake left the version open: take the likeliest."""
        candidates = [v for p in self.offers or () for v in p.versions() if v in VERSIONS]
        source = "offered by the server"
        if not candidates:
            candidates = [v for v in self._proposed() if v in VERSIONS]
            source = "proposed by the client"
        if not candidates:
            return
        guess = max(candidates)
        self.notes.append(f"the handshake does not settle the version; assuming Bolt "
                          f"{format_version(guess)}, the highest {source} (use --bolt)")
        self._set_version(guess)
        if self.sides[CLIENT].phase in ("answer", "choice"):
            self.sides[CLIENT].phase = "messages"
    def _client_handshake(self, s: _Flow) -> bool:
        buf = s.buf
        if s.phase == "handshake":
            if self.given_version is not None and (len(buf) >= 4 or s.eof) and buf[:4] != MAGIC:
                s.phase = "messages"
                return True
            try:
                opening = parse_opening(buf)
            except HandshakeError as exc:
                self._problem(None, s.base + (exc.offset or 0), _handshake_path(exc), exc.reason, CLIENT)
                s.phase = "dead"
                return True
            if opening is None:
                return False
            self.proposals = opening.proposals
            event = Event(s.base, CLIENT, "handshake", None, "HANDSHAKE",
                          [str(p) for p in self.proposals], None, [], bytes(buf[:opening.end]))
            if not self.proposals:
                self._problem(event, s.base + 4, "HANDSHAKE", "no version proposed", CLIENT)
            self._emit(event)
            s.consume(opening.end)
            s.phase = "answer"
            return True
        if s.phase == "answer":
            return self._client_answer(s)
        return self._client_choice(s)

    def _proposed(self) -> set[Version]:
        return {v for p in self.proposals or () for v in p.versions()}

    def _client_answer(self, s: _Flow) -> bool:
        server = self.sides[SERVER]
        manifest_asked = any(p.is_manifest for p in self.proposals or ())
        if server.present and server.phase in ("handshake", "manifest") and not server.eof:
            return False  # the server's answer decides what follows
        if self.manifest:
            s.phase = "choice"
            return True
        if self.refused:
            s.phase = "done"
            if s.buf:
                self._problem(None, s.base, "HANDSHAKE",
                              f"{len(s.buf)} bytes after the server refused every version", CLIENT)
            return True
        if self.version is not None and (server.present and server.phase not in ("dead",)
                                         or not manifest_asked):
            s.phase = "messages"
            return True
        # No usable answer in the dump: a manifest choice is recognisable by its shape.
        if manifest_asked:
            if len(s.buf) < 4 and not s.eof:
                return False
            b = bytes(s.buf[:4])
            if len(b) == 4 and b[0] == 0 and b[1] == 0 and ((b[3], b[2]) in VERSIONS or b[2:] == b"\0\0"):
                s.phase = "choice"
                return True
        if self.version is None and not self._assume_version(
                s, self._proposed(), CLIENT, "the server's handshake answer",
                "the server's answer", "no proposal names a known version", "proposed"):
            return True
        s.phase = "messages"
        return True

    def _client_choice(self, s: _Flow) -> bool:
        buf = s.buf
        try:
            parsed = parse_choice(buf)
        except HandshakeError as exc:
            self._problem(None, s.base + (exc.offset or 4), _handshake_path(exc), exc.reason, CLIENT)
            s.phase = "dead"
            return True
        if parsed is None:
            return False  # (a cut-off choice is reported by _truncated)
        choice, capabilities, end = parsed
        event = Event(s.base, CLIENT, "handshake", None, "HANDSHAKE", [], None, [], bytes(buf[:end]))
        if choice is None:  # no common version
            event.fields = ["no common version", f"capabilities 0x{capabilities:x}"]
            self.refused = True
            self._emit(event)
            s.consume(end)
            s.phase = "done"
            return True
        event.fields = [format_version(choice), f"capabilities 0x{capabilities:x}"]
        event.version = choice
        if choice not in VERSIONS:
            self._problem(event, s.base, "HANDSHAKE.version",
                          f"the client chose Bolt {format_version(choice)}, which the spec does not describe",
                          CLIENT)
            self._emit(event)
            s.phase = "dead"
            return True
        if self.offers is not None:
            offered = {v for p in self.offers for v in p.versions()}
            if choice not in offered:
                self._problem(event, s.base, "HANDSHAKE.version",
                              f"the client chose Bolt {format_version(choice)}, which the server did "
                              f"not offer ({', '.join(str(p) for p in self.offers) or 'nothing'})", CLIENT)
        self._handshake_version(choice)
        self._emit(event)
        s.consume(end)
        s.phase = "messages"
        return True

    def _server_handshake(self, s: _Flow) -> bool:
        buf = s.buf
        client = self.sides[CLIENT]
        if client.phase == "handshake" and not client.finished:
            return False  # the answer is checked against the proposals: read those first
        if s.phase == "handshake":
            if len(buf) < 4:
                if self.given_version is not None and s.eof:
                    s.phase = "messages"
                    return True
                return False
            head = bytes(buf[:4])
            if self.given_version is not None and head not in (MANIFEST_V1, b"\0\0\0\0") and head != bytes(
                    (0, 0, self.given_version[1], self.given_version[0])):
                s.phase = "messages"
                return True
            if head == MANIFEST_V1:
                s.phase = "manifest"
                return True
            answer = parse_answer(head, manifest=False)  # (manifest v1 is exactly MANIFEST_V1)
            assert answer is not None  # (4 bytes are here)
            event = Event(s.base, SERVER, "handshake", None, "HANDSHAKE", [], None, [], head)
            if answer.kind == "refused":
                event.fields = ["no common version"]
                self.refused = True
                self._emit(event)
                s.consume(4)
                s.phase = "done"
                if s.buf:
                    self._problem(None, s.base, "HANDSHAKE",
                                  f"{len(s.buf)} bytes after refusing every version", SERVER)
                return True
            version = answer.version
            assert version is not None  # (a version answer)
            event.fields = [format_version(version)]
            event.version = version
            if head[:2] != b"\0\0" or version not in VERSIONS:
                self._problem(event, s.base, "HANDSHAKE",
                              f"expected a version answer 00 00 mm MM, found {head.hex(' ')}"
                              + (" (not a Bolt version the spec describes)"
                                 if head[:2] == b"\0\0" else "") + describe_foreign(head), SERVER)
                self._emit(event)
                s.phase = "dead"
                return True
            if self.proposals is not None and version not in self._proposed():
                self._problem(event, s.base, "HANDSHAKE",
                              f"the server chose Bolt {format_version(version)}, which the client did "
                              f"not propose ({', '.join(str(p) for p in self.proposals)})", SERVER)
            self._handshake_version(version)
            self._emit(event)
            s.consume(4)
            s.phase = "messages"
            return True
        # Manifest v1: 00 00 01 FF, varint count, count offers, varint capabilities.
        try:
            manifest = parse_manifest(buf)
        except HandshakeError as exc:
            self._problem(None, s.base + (exc.offset or 0), _handshake_path(exc), exc.reason, SERVER)
            s.phase = "dead"
            return True
        if manifest is None:
            return False
        offers, capabilities, end = manifest
        self.manifest = True
        self.offers = offers
        event = Event(s.base, SERVER, "handshake", None, "HANDSHAKE",
                      ["manifest v1", "offers " + (" ".join(str(p) for p in offers) or "none"),
                       f"capabilities 0x{capabilities:x}"], None, [], bytes(buf[:end]))
        if self.proposals is not None and not any(p.is_manifest for p in self.proposals):
            self._problem(event, s.base, "HANDSHAKE",
                          "the server answered with a manifest the client did not ask for", SERVER)
        self._emit(event)
        s.consume(end)
        s.phase = "messages"
        if self.given_version is None and (not client.present or client.phase == "dead"):
            self._assume_version(s, [v for p in offers for v in p.versions()], SERVER,
                                 "the client's manifest choice", "the client's manifest choice",
                                 "the server offers no known version", "offered")
        return True

    def _assume_version(self, s: Any, candidates: Iterable[Version], side: str, missing: str,
                        missing_short: str, none_reason: str, highest: str) -> bool:
        """The other side's half of the handshake is not in the dump: assume the highest
        version this side names (with a note), or report that none is usable."""
        guess = max((v for v in candidates if v in VERSIONS), default=None)
        if guess is None:
            self._problem(None, s.base, "HANDSHAKE",
                          f"no usable version: {missing_short} is not in the dump and {none_reason}",
                          side)
            s.phase = "dead"
            return False
        self.notes.append(f"{missing} is not in the dump; assuming Bolt {format_version(guess)}, "
                          f"the highest {highest} (use --bolt)")
        self._set_version(guess)
        return True


def _handshake_path(exc: HandshakeError) -> str:
    """``HANDSHAKE`` and the field a handshake parser named (``HANDSHAKE.offers``)."""
    return ".".join(("HANDSHAKE", *map(str, exc.path)))
