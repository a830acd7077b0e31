"""Decode and validate a captured Bolt conversation, sans-IO (used by ``asyncbolt inspect`` and
the proxy).

Feed the bytes of each direction to a :class:`Conversation` in any slices; it returns
:class:`Event` objects (the handshake, every message decoded with the strict construct schemas,
NOOPs) and collects :class:`Problem` objects: each names the byte offset in that side's stream,
the path of the field (``RECORD.data[3].properties``) and what is wrong. Nothing raises: damaged
input is reported, and decoding resumes with the next message wherever the chunk framing allows.

When both sides are present, the server's answers are paired with the client's requests in
order and checked against the server state machine of the negotiated version
(``asyncbolt._generated.states``): a RECORD without an open PULL, a SUCCESS or FAILURE where
IGNORED was due (after a FAILURE, before RESET), a request the state does not allow. A server
message is only emitted once the request it answers has been seen, so the events (and their
problems) do not depend on how the two streams were sliced or interleaved.
"""

from __future__ import annotations

import json
import math
import sys
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from asyncbolt._generated import states as _states
from asyncbolt._generated.versions import (
    PATCHES,
    SECRET_KEYS,
    VERSIONS,
    has,
    patch_holds,
    since,
)
from asyncbolt.codec import schemas
from asyncbolt.codec.messages import LAYOUTS, MESSAGE_VERSIONS, REQUESTS, RESPONSES, Message
from asyncbolt.codec.packstream import get_codec
from asyncbolt.codec.types import Structure, StructureBase
from asyncbolt.core.framing import ChunkReader, Frame
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
from asyncbolt.errors import HandshakeError, ProtocolError

__all__ = ["Problem", "Event", "Conversation", "render_text", "render_json", "format_path"]

Version = tuple[int, int]

CLIENT = "client"
SERVER = "server"
_SIDES = (CLIENT, SERVER)
#: Default bound on one message (payload bytes): larger is reported as framing damage.
MAX_MESSAGE_SIZE = 256 * 1024 * 1024
#: Messages larger than this are not decoded again by the (slow) construct reference decoder to
#: locate what the fast codec refused: the codec's own error (offset and path) is reported.
REFERENCE_MAX_BYTES = 256 * 1024
#: Bytes of decoded-but-unpaired messages one side may queue while it waits for the other side
#: (server answers for the requests they answer, client requests for HELLO's answer); past it
#: the pairing is given up (a problem says so) instead of holding the whole dump in memory.
MAX_QUEUED_BYTES = 64 * 1024 * 1024
#: Requests waiting for their answers beyond which the pairing is given up likewise.
MAX_PENDING_REQUESTS = 100_000
#: ``max_decoded_values`` left to the codec's own default.
DEFAULT: Any = type("_Default", (), {"__repr__": lambda self: "DEFAULT"})()
_PULLS = ("PULL", "PULL_ALL")
_SUMMARIES = ("SUCCESS", "FAILURE", "IGNORED")
_REDACTED = "******"
#: Signatures of the requests that carry credentials (INIT/HELLO 0x01, LOGON 0x6A): when one
#: cannot be decoded, its raw bytes are not shown either unless secrets are asked for.
_SECRET_SIGNATURES = frozenset(cls.signature for table in REQUESTS.values() for cls in table.values()
                               if getattr(cls, "secret_fields", ()))


def _secret_bytes(event: Event) -> bool:
    """An undecoded client message whose bytes may hold credentials."""
    return event.side == CLIENT and len(event.data) > 1 and event.data[1] in _SECRET_SIGNATURES


@dataclass
class Problem:
    """One violation: byte ``offset`` in ``side``'s stream, field ``path``, and ``reason``."""

    offset: int
    path: str
    reason: str
    side: str = ""

    def __str__(self) -> str:
        return f"{self.offset}: {self.path}: {self.reason}"


@dataclass
class Event:
    """One item of a side's stream: the handshake, a message or a NOOP."""

    offset: int
    side: str
    kind: str
    version: tuple[int, int] | None
    name: str
    fields: list = field(default_factory=list)
    message: Any = None
    problems: list[Problem] = field(default_factory=list)
    #: The item's bytes: the dechunked payload of a message, the handshake bytes as sent.
    data: bytes = b""


# --------------------------------------------------------------------------------------------
# Paths and names


def format_path(path: Iterable[Any], structures: frozenset[str] = frozenset()) -> str:
    """``("RECORD", "data", "[3]", "Node", "properties")`` -> ``RECORD.data[3].properties``.

    Structure type names (which the construct path inserts after the field holding the
    structure) are left out; map keys that are not identifiers are quoted: ``extra["a b"]``.
    """
    out = ""
    prev = ""
    for raw in path:
        part = str(raw)
        if not part:
            continue
        if not out:
            out = part
        elif part.startswith("[") and part.endswith("]"):
            out += part
        elif part in structures and prev not in structures:
            pass  # Node in RECORD -> data -> [3] -> Node -> properties
        elif part.isidentifier():
            out += "." + part
        else:
            out += "[" + json.dumps(part, ensure_ascii=False) + "]"
        prev = part
    return out


def _structure_names() -> frozenset[str]:
    from asyncbolt.codec.structures import STRUCTURES

    return frozenset(STRUCTURES)


_STRUCTURE_NAMES = _structure_names()
_LAYOUT_CACHE: dict[str, dict[type, tuple[str, ...]]] = {}


def _profile_key(version: Version | None, patches: Iterable[str]) -> str:
    if version is None:
        return ""
    return f"{version[0]}.{version[1]}" + "".join(f"+{p}" for p in sorted(set(patches)))


def _structure_layouts(profile: str) -> dict[type, tuple[str, ...]]:
    """Structure class -> its fields on the wire in ``profile`` (empty when unknown)."""
    layouts = _LAYOUT_CACHE.get(profile)
    if layouts is None:
        layouts = {}
        try:
            from construct import Pass

            from asyncbolt._generated import schemas as _g

            for _name, cls, schema in _g._STRUCTURES_OF[profile](Pass).values():
                layouts[cls] = tuple(sc.name for sc in schema.subcons)
        except Exception:  # noqa: BLE001 - a display nicety only
            layouts = {}
        _LAYOUT_CACHE[profile] = layouts
    return layouts


def _versions_text(versions: Iterable[Version]) -> str:
    vs = sorted(versions)
    if not vs:
        return "no version"
    if len(vs) == 1:
        return format_version(vs[0])
    return f"{format_version(vs[0])}-{format_version(vs[-1])}"


def _signature_hint(sig: int, side: str, version: Version) -> str:
    """Why a signature is unknown: it belongs to the other side, or to other versions."""
    own, other = (REQUESTS, RESPONSES) if side == CLIENT else (RESPONSES, REQUESTS)
    found = [cls for table in own.values() for s, cls in table.items() if s == sig]
    if found:
        cls = found[0]
        return f" ({cls.name} exists in Bolt {_versions_text(MESSAGE_VERSIONS.get(cls, ()))})"
    for table in other.values():
        theirs = table.get(sig)
        if theirs is not None:
            what = "response" if side == CLIENT else "request"
            return f" (0x{sig:02X} is the {what} {theirs.name}; wrong direction?)"
    return ""


def _message_name(payload: bytes, side: str, version: Version | None) -> str:
    if version is None or len(payload) < 2 or not 0xB0 <= payload[0] <= 0xBF:
        return "RAW"
    table = (REQUESTS if side == CLIENT else RESPONSES).get(version, {})
    cls = table.get(payload[1])
    return cls.name if cls is not None else "RAW"


def make_codec(version: Version, patches: Iterable[str] = (), max_decoded_values: Any = DEFAULT) -> Any:
    """The codec for ``version`` and ``patches``, with the decoded-size budget passed down when
    one is given (``None`` = off; else the codecs' default)."""
    if max_decoded_values is DEFAULT:
        return get_codec(version, patches)
    return get_codec(version, patches, max_decoded_values=max_decoded_values)


def _budget_error(exc: BaseException) -> bool:
    """A refusal by the decoded-size budget (the reference decoder would not say more, slowly)."""
    return "max_decoded_values" in str(getattr(exc, "reason", "")) or "decoded values" in str(exc)


_LAYOUTS: dict[tuple[Version, type[Message]], tuple[str, ...]] = {}


def _layout(version: Version, cls: type[Message]) -> tuple[str, ...]:
    """The fields of message class ``cls`` on the wire in ``version``, in order."""
    key = (version, cls)
    layout = _LAYOUTS.get(key)
    if layout is None:
        layout = _LAYOUTS[key] = tuple(LAYOUTS.get(version, {}).get(cls, cls.fields))
    return layout


_NO_REPLY: dict[Version, frozenset[str]] = {}


def _no_reply_requests(version: Version) -> frozenset[str]:
    """Requests the server never answers (GOODBYE): they close the connection."""
    names = _NO_REPLY.get(version)
    if names is None:
        table = _states.TRANSITIONS.get(version, {})
        names = _NO_REPLY[version] = frozenset(n for (_, n), t in table.items() if t.close)
    return names


# --------------------------------------------------------------------------------------------
# One direction of the connection


#: A dechunked message or a NOOP waiting to be decoded (the framing's tolerant Frame), or a
#: message cut off by the dump's end (kind "truncated").
_Item = Frame
#: The dump bounds a message by its size only (as it always has), not by its chunks.
_NO_CHUNK_LIMIT = 1 << 62


@dataclass
class _Request:
    name: str
    offset: int
    damaged: bool
    qid: int = -1  # the result a PULL/DISCARD addresses (-1: the last one opened)


class _Side:
    def __init__(self, name: str, present: bool) -> None:
        self.name = name
        self.present = present
        self.buf = bytearray()
        self.base = 0  # stream offset of buf[0]
        # "handshake", "answer" (client: waiting to know whether a manifest choice follows),
        # "choice" (client), "manifest" (server), "messages", "done" (nothing more expected),
        # "dead" (damage stopped decoding).
        self.phase = "handshake"
        self.eof = False
        self.truncated_event: Event | None = None  # the event of a message cut off by the dump's end
        #: The framing of the message stream (from the end of the handshake on).
        self.reader: ChunkReader | None = None
        self.items: deque[_Item] = deque()
        self.queued = 0  # payload bytes in items
        self.patches: frozenset[str] = frozenset()

    @property
    def finished(self) -> bool:
        """Nothing more will come from this side (absent, ended or stopped by damage)."""
        return not self.present or self.eof or self.phase in ("dead", "done")

    def push(self, item: _Item) -> None:
        self.items.append(item)
        self.queued += len(item.payload)

    def pop(self) -> _Item:
        item = self.items.popleft()
        self.queued -= len(item.payload)
        return item

    def consume(self, n: int) -> None:
        del self.buf[:n]
        self.base += n


class Conversation:
    """Decode and validate one Bolt connection, one or both directions.

    ``version``: the negotiated version when the dump has no handshake (a handshake at the start
    is still recognised); ``patches``: patches in force from the start (e.g. ``{"utc"}``);
    ``side``: the only side present in a one-direction dump. Without ``side`` both are expected.
    ``max_message_size`` bounds one message (larger is framing damage); ``reference=True``
    decodes every message with the construct schemas instead of only the damaged ones.
    ``max_decoded_values`` is handed to the codecs it builds (the decoded-size budget of one
    message; ``None`` = off; by default the codec's own default).

    ``keep_problems=False`` keeps no list of every problem (:attr:`problems` stays empty), only
    :attr:`problem_count`; problems not attached to an event are then taken with
    :meth:`take_problems` — memory does not grow with the dump.
    """

    def __init__(self, version: tuple[int, int] | None = None, patches: Iterable[str] = (), *,
                 side: str | None = None, max_message_size: int = MAX_MESSAGE_SIZE,
                 reference: bool = False, keep_problems: bool = True,
                 max_decoded_values: Any = DEFAULT,
                 max_queued_bytes: int = MAX_QUEUED_BYTES) -> None:
        #: Decode every message with the construct reference schemas (slower), not only the
        #: damaged ones.
        self.reference = reference
        self.keep_problems = keep_problems
        self.max_decoded_values = max_decoded_values
        self.max_queued_bytes = max_queued_bytes
        #: Problems found so far (all of them, attached to an event or not).
        self.problem_count = 0
        self._problems: list[Problem] = []
        self._detached: list[Problem] = []
        self._codecs: dict[tuple, Any] = {}
        self._out: list[Event] = []
        #: Assumptions made where the dump lacks information (e.g. an absent handshake answer).
        self.notes: list[str] = []
        self.max_message_size = max_message_size
        self.closed = False
        self.version: Version | None = None
        self.given_version: Version | None = None
        self.proposals: list[Proposal] | None = None
        self.offers: list[Proposal] | None = None
        self.manifest = False
        self.refused = False
        self._init_problems: list[Problem] = []
        if side not in (None, CLIENT, SERVER):
            self._init_problems.append(Problem(0, "side", f"unknown side {side!r} (client or server)"))
            side = None
        self.only = side
        self.sides = {s: _Side(s, side is None or side == s) for s in _SIDES}
        self._pairing = side is None
        self._pending: deque[_Request] = deque()
        #: The server's state as the answers show it (from the version on).
        self._sm: StateMachine | None = None
        self._await_hello: bool = False
        self._hello_asked_utc = False
        try:
            patch_set = frozenset(str(p) for p in patches)
        except TypeError:
            patch_set = frozenset()
        if version is not None:
            try:
                v = (int(version[0]), int(version[1]))
            except (TypeError, ValueError, IndexError):
                v = None
            if v not in VERSIONS:
                self._init_problems.append(Problem(0, "version", f"unknown Bolt version {version!r}"))
            else:
                bad = [p for p in patch_set if p not in PATCHES or not patch_holds(p, v)]
                if bad:
                    self._init_problems.append(
                        Problem(0, "patches", f"patch {sorted(bad)[0]!r} does not exist in Bolt "
                                              f"{format_version(v)}"))
                    patch_set = frozenset()
                self.given_version = v
                for s in self.sides.values():
                    s.patches = patch_set
        for p in self._init_problems:
            self._add(p)
        if self.given_version is not None:
            # No handshake expected; one at the very start is still recognised.
            self._set_version(self.given_version)

    # -- public ------------------------------------------------------------------------------

    @property
    def problems(self) -> list[Problem]:
        """Every problem found so far, in the order found (do not modify); empty with
        ``keep_problems=False``."""
        return self._problems

    def take_problems(self) -> list[Problem]:
        """The problems found since the last call that are not attached to an event (a foreign
        handshake, lost framing, a dump cut off, ...)."""
        out, self._detached = self._detached, []
        return out

    def feed(self, side: str, data: bytes | memoryview) -> list[Event]:
        """Consume bytes of ``side``'s stream; return the events completed (of either side)."""
        try:
            s = self.sides.get(side)
            if s is None:
                self._add(Problem(0, "side", f"unknown side {side!r}"))
                return self._take()
            if self.closed or s.eof:
                return self._take()
            try:
                if isinstance(data, (int, str)):
                    raise TypeError(type(data).__name__)
                chunk = bytes(data)
            except (TypeError, ValueError):
                self._add(Problem(s.base + len(s.buf), side, "data is not bytes"))
                return self._take()
            if not s.present and chunk:
                # A dump said to hold one side turned out to have the other: take it anyway.
                s.present = True
            if s.phase != "dead" and chunk:
                s.buf += chunk
            self._pump()
        except Exception as exc:  # noqa: BLE001 - the promise: never raise on any input
            self._internal(side, exc)
        return self._take()

    def close(self) -> list[Event]:
        """End of input: decode what can be, then report what was cut off."""
        if self.closed:
            return self._take()
        try:
            self.closed = True
            for s in self.sides.values():
                s.eof = True
            self._pump()
            if self.version is None:
                self._guess_version()
                self._pump()
            for s in self.sides.values():
                self._truncated(s)
            self._pump()
            self._flush()
        except Exception as exc:  # noqa: BLE001
            self._internal("", exc)
        return self._take()

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

    def _flush(self) -> None:
        """Emit what could not be decoded (no version), so that nothing is silently dropped."""
        for s in self.sides.values():
            while s.items:
                item = s.pop()
                if item.kind == "truncated":
                    assert s.truncated_event is not None  # (set with the item)
                    self._emit(s.truncated_event)
                    continue
                event = Event(item.offset, s.name, item.kind, self.version,
                              "NOOP" if item.kind == "noop" else "RAW", [], None, [], item.payload)
                if item.kind == "message":
                    self._problem(event, item.offset, "message",
                                  "not decoded: the Bolt version is unknown (use --bolt)", s.name)
                self._emit(event)

    # -- plumbing ----------------------------------------------------------------------------

    def _internal(self, side: str, exc: BaseException) -> None:
        s = self.sides.get(side)
        offset = s.base if s is not None else 0
        self._add(Problem(offset, side or "dump",
                          f"internal decoder error {type(exc).__name__}: {exc}", side))
        for s in self.sides.values():
            s.phase = "dead"
            s.buf.clear()
            s.items.clear()
            s.queued = 0

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

    def _codec(self, version: Version, patches: frozenset[str]) -> Any:
        key = (version, patches)
        codec = self._codecs.get(key)
        if codec is None:
            codec = self._codecs[key] = make_codec(version, patches, self.max_decoded_values)
        return codec

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

    def _pump(self) -> None:
        client, server = self.sides[CLIENT], self.sides[SERVER]
        progress = True
        while progress:
            progress = False
            if client.phase in ("handshake", "answer", "choice"):
                progress |= self._client_handshake(client)
            if server.phase in ("handshake", "manifest"):
                progress |= self._server_handshake(server)
            for s in (client, server):
                if s.phase == "messages":
                    progress |= self._dechunk(s)
            progress |= self._decode_client(client)
            progress |= self._decode_server(server)

    # -- handshake ---------------------------------------------------------------------------

    def _client_handshake(self, s: _Side) -> bool:
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

    def _client_answer(self, s: _Side) -> bool:
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

    def _client_choice(self, s: _Side) -> bool:
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

    def _server_handshake(self, s: _Side) -> bool:
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

    # -- framing -----------------------------------------------------------------------------

    def _dechunk(self, s: _Side) -> bool:
        reader = s.reader
        if reader is None:
            reader = s.reader = ChunkReader(self.max_message_size, _NO_CHUNK_LIMIT)
            reader.offset = s.base
        if not s.buf:
            return False
        data, s.buf = s.buf, bytearray()
        s.base += len(data)
        frames = reader.frames(data)
        if not frames:
            return False
        last = frames[-1]
        if last.kind != "message" and last.kind != "noop":
            frames.pop()
        s.items.extend(frames)
        s.queued += sum(len(f.payload) for f in frames)
        if last.kind != "message" and last.kind != "noop":
            self._problem(None, last.offset, "chunk",
                          f"message larger than {self.max_message_size} bytes "
                          f"({last.size} so far); framing lost, {s.name} stream "
                          "not decoded further", s.name)
            s.phase = "dead"
        return True

    def _truncated(self, s: _Side) -> None:
        """At close: report a handshake, chunk or message that the dump cut off."""
        if not s.present or s.phase in ("dead", "done"):
            return
        if s.phase != "messages":
            if s.buf:
                what = {"handshake": "handshake", "answer": "handshake", "choice": "manifest choice",
                        "manifest": "manifest"}.get(s.phase, "handshake")
                self._problem(None, s.base, "HANDSHAKE",
                              f"the dump ends inside the {what} ({len(s.buf)} bytes)", s.name)
            s.phase = "dead"
            return
        if s.buf or s.reader is None:
            self._dechunk(s)
            if s.phase == "dead":
                return
        cut = s.reader.cut() if s.reader is not None else None
        if cut is None:
            return
        if cut.missing:
            reason = (f"the dump ends inside a chunk: {cut.missing} of its bytes are missing")
        elif cut.in_header:
            reason = "the dump ends inside a chunk header"
        else:
            reason = "the dump ends before the message's end marker 00 00"
        start, end, payload = cut.offset, cut.end, cut.payload
        name = _message_name(payload, s.name, self.version)
        event = Event(start, s.name, "message", self.version, name, [], None, [], payload)
        self._problem(event, end, name, reason, s.name)
        # Queue it behind the complete messages so that events stay in stream order.
        s.push(Frame("truncated", start, payload))
        s.truncated_event = event
        s.phase = "done"

    # -- decoding ----------------------------------------------------------------------------

    def _stream_offset(self, item: _Item, payload_offset: int | None) -> int:
        if payload_offset is None:
            return item.offset
        if payload_offset >= len(item.payload):
            return item.end + (payload_offset - len(item.payload))
        stream = item.offset
        for start, at in item.segments:
            if start > payload_offset:
                break
            stream = at + (payload_offset - start)
        return stream

    def _decode(self, s: _Side, item: _Item) -> Event:
        version = self.version
        if item.kind == "truncated":
            assert s.truncated_event is not None  # (set with the item)
            return s.truncated_event
        if item.kind == "noop":
            event = Event(item.offset, s.name, "noop", version, "NOOP", [], None, [], b"")
            if version is not None and not has("noop_chunks", version):
                self._problem(event, item.offset, "NOOP",
                              f"NOOP chunks (00 00 between messages) exist from Bolt "
                              f"{format_version(since('noop_chunks'))}, "
                              f"not in {format_version(version)}", s.name)
            return event
        payload = item.payload
        assert version is not None
        message = None
        fast_error: BaseException | None = None
        if not self.reference:
            # The fast codec accepts and refuses exactly what the reference schemas do (the
            # tests' pact); the reference decoder runs only to locate what the codec refused.
            try:
                codec = self._codecs.get((version, s.patches)) or self._codec(version, s.patches)
                unpack = codec.unpack_request if s.name == CLIENT else codec.unpack_response
                message = unpack(payload)
            except Exception as exc:  # noqa: BLE001 - located below by the reference decoder
                message = None
                fast_error = exc
            else:
                layout = _layout(version, type(message))
                return Event(item.offset, s.name, "message", version, message.name,
                             [getattr(message, f, None) for f in layout], message, [], payload)
        parse = schemas.parse_request if s.name == CLIENT else schemas.parse_response
        name = _message_name(payload, s.name, version)
        event = Event(item.offset, s.name, "message", version, name, [], None, [], payload)
        legacy: list[tuple[int, str, str]] = []
        try:
            if message is None:
                if isinstance(fast_error, ProtocolError) and (
                        _budget_error(fast_error) or len(payload) > REFERENCE_MAX_BYTES):
                    # Over the budget, or too big to decode again slowly: the codec's word.
                    raise fast_error
                try:
                    message = parse(payload, version, s.patches)
                except ProtocolError as exc:
                    if not schemas.is_legacy_marker_error(exc):
                        raise
                    # STRUCT_8/STRUCT_16 (legacy PackStream v1): show what they hold, and
                    # flag each one below, since Bolt peers (asyncbolt's codec too) refuse them.
                    message = parse(payload, version, s.patches, legacy=legacy)
        except ProtocolError as exc:
            path = format_path(exc.path, _STRUCTURE_NAMES) or name
            if path == "RAW":
                path = "message"
            reason = exc.reason
            if exc.offset == 1 and len(payload) > 1 and reason.startswith("unknown"):
                reason += _signature_hint(payload[1], s.name, version)
            self._problem(event, self._stream_offset(item, exc.offset), path, reason, s.name)
            return event
        except Exception as exc:  # noqa: BLE001 - construct or a structure class refusing values
            self._problem(event, item.offset, name, f"undecodable: {type(exc).__name__}: {exc}", s.name)
            return event
        event.message = message
        event.name = message.name
        event.fields = [getattr(message, f, None) for f in _layout(version, type(message))]
        for at, marker, where in legacy:
            path = format_path(schemas.clean_path(where), _STRUCTURE_NAMES) or event.name
            self._problem(event, self._stream_offset(item, at), path,
                          f"{marker} (legacy PackStream v1 marker 0x{payload[at]:02X}): decoded, but it is "
                          "not part of Bolt (asyncbolt's codec refuses it)", s.name)
        return event

    def _decode_client(self, s: _Side) -> bool:
        progress = False
        server = self.sides[SERVER]
        if self._await_hello and server.finished and not server.items:
            self._await_hello = False  # the server never answered HELLO: assume what it asked
            if self._hello_asked_utc:
                s.patches = s.patches | {"utc"}
        if self._await_hello and s.queued > self.max_queued_bytes:
            self._await_hello = False  # no answer to HELLO in sight: assume what it asked
            self.notes.append(f"no answer to HELLO within {self.max_queued_bytes} bytes of client "
                              "messages: assuming the patches it asked for")
            if self._hello_asked_utc:
                s.patches = s.patches | {"utc"}
        while s.items and self.version is not None and not self._await_hello:
            item = s.pop()
            event = self._decode(s, item)
            progress = True
            self._emit(event)
            if event.kind != "message" or item.kind == "truncated":
                continue
            if self._pairing and event.name not in _no_reply_requests(self.version) and (
                    server.present and not server.finished or server.items):
                if len(self._pending) >= MAX_PENDING_REQUESTS:
                    self._stop_pairing(CLIENT, event.offset, f"more than {MAX_PENDING_REQUESTS} requests "
                                                               "wait for an answer in the dump")
                else:
                    self._pending.append(_Request(event.name, event.offset, event.message is None,
                                                  _qid_of(event.message)))
            if event.name == "HELLO" and self._patch_possible():
                extra = getattr(event.message, "extra", None)
                asked = extra.get("patch_bolt") if isinstance(extra, dict) else None
                self._hello_asked_utc = isinstance(asked, list) and "utc" in asked
                if self._pairing and server.present and not server.finished:
                    # The answer decides how what follows decodes (even after a damaged HELLO:
                    # waiting either way keeps the events independent of the slicing).
                    self._await_hello = True
                elif self._hello_asked_utc:
                    s.patches = s.patches | {"utc"}  # no answer in the dump: assume granted
        return progress

    def _patch_possible(self) -> bool:
        v = self.version
        return v is not None and patch_holds("utc", v)

    def _decode_server(self, s: _Side) -> bool:
        progress = False
        client = self.sides[CLIENT]
        while s.items and self.version is not None:
            item = s.items[0]
            pairing = self._pairing and item.kind == "message" and item.kind != "truncated"
            if pairing and not self._pending and s.queued > self.max_queued_bytes:
                self._stop_pairing(SERVER, item.offset, f"the server's stream runs more than "
                                                        f"{self.max_queued_bytes} bytes ahead of the "
                                                        "requests it answers")
                continue
            if pairing and not self._pending and not client.finished:
                break  # wait for the request this answers
            if pairing and not self._pending and client.items and client.present:
                break  # the client's requests are decoded first (e.g. after a HELLO answer)
            s.pop()
            event = self._decode(s, item)
            progress = True
            if item.kind == "message":
                if pairing:
                    self._pair(event)
                elif event.name == "SUCCESS":
                    self._maybe_patch(event, None)
            self._emit(event)
        return progress

    def _stop_pairing(self, side: str, offset: int, why: str) -> None:
        """Stop checking answers against requests (bounded memory over completeness)."""
        self._pairing = False
        self._pending.clear()
        self._problem(None, offset, "pairing", f"{why}: answers are no longer checked against requests",
                      side)

    def _maybe_patch(self, event: Event, request: _Request | None) -> None:
        """Switch both sides to the utc patch after a HELLO SUCCESS that echoes it."""
        if not self._patch_possible() or event.message is None:
            return
        if request is not None and request.name != "HELLO":
            return
        metadata = event.message.metadata if isinstance(event.message.metadata, dict) else {}
        echoed = metadata.get("patch_bolt")
        if isinstance(echoed, list) and "utc" in echoed:
            for side in self.sides.values():
                side.patches = side.patches | {"utc"}

    def _pair(self, event: Event) -> None:
        name = event.name
        if name not in _SUMMARIES and name != "RECORD":
            return  # an undecodable message: nothing to pair
        if not self._pending:
            reason = (f"{name} answers no request (the client sent nothing more)" if name != "RECORD"
                      else "RECORD without an open PULL (no request is waiting for an answer)")
            self._problem(event, event.offset, name, reason, SERVER)
            return
        sm = self._sm
        assert sm is not None  # (set with the version, which decoding needed)
        head = self._pending[0]
        if name == "RECORD":
            transition = sm.peek(head.name)
            if head.name not in _PULLS:
                self._problem(event, event.offset, name,
                              f"RECORD without an open PULL (it would answer {head.name} at client "
                              f"offset {head.offset})", SERVER)
            elif transition is not None and transition.ignored:
                self._problem(event, event.offset, name,
                              f"RECORD for {head.name} (client offset {head.offset}), which should be "
                              f"IGNORED in state {sm.state}", SERVER)
            return
        self._pending.popleft()
        if head.name == "HELLO":
            if name == "SUCCESS":
                self._maybe_patch(event, head)
            self._await_hello = False
        if head.damaged:
            if name == "FAILURE":
                sm.violation()
            return
        metadata = event.message.metadata if event.message is not None else None
        mismatch = sm.check_answer(head.name, name, metadata if isinstance(metadata, dict) else None,
                                   head.qid)
        if mismatch is None:
            return
        if mismatch.kind == "not_allowed":
            self._problem(event, head.offset, head.name, str(mismatch), CLIENT)
        else:
            self._problem(event, event.offset, name,
                          f"{name} answers {head.name} (client offset {head.offset}), which should "
                          f"have been IGNORED: state {mismatch.state} ignores it until RESET", SERVER)


def _qid_of(message: Any) -> int:
    """The result a decoded PULL/DISCARD addresses: its ``qid`` (-1, the last one, if none)."""
    extra = getattr(message, "extra", None) if message is not None and message.name in (
        "PULL", "DISCARD") else None
    qid = extra.get("qid", -1) if isinstance(extra, dict) else -1
    return qid if type(qid) is int else -1


def _handshake_path(exc: HandshakeError) -> str:
    """``HANDSHAKE`` and the field a handshake parser named (``HANDSHAKE.offers``)."""
    return ".".join(("HANDSHAKE", *map(str, exc.path)))


# --------------------------------------------------------------------------------------------
# Rendering


#: Output elides long values unless ``full=True``: list items and map entries shown, string
#: characters shown, bytes shown, and about how many characters one message's fields may take.
ELIDE_ITEMS = 20
ELIDE_CHARS = 200
ELIDE_BYTES = 32
ELIDE_TOTAL = 4000  # JSON output (text: ELIDE_PARTS)
#: Text output bounds a message's fields by pieces (each a value of at most ELIDE_CHARS or a
#: separator), which is cheaper to count than characters.
ELIDE_PARTS = 400
#: Bytes of an undecodable message shown in JSON output (text shows 64).
ELIDE_RAW = 256
_UNLIMITED = sys.maxsize
_encode_str = json.encoder.encode_basestring  # json.dumps(s, ensure_ascii=False), minus the overhead


_KEYS: dict[Any, str] = {}  # short map keys as shown (they repeat from message to message)


def _key_text(key: Any, chars: int = _UNLIMITED) -> str:
    text = _KEYS.get(key) if type(key) is str else None
    if text is not None:
        return text
    k = str(key)
    if len(k) > chars:
        return _encode_str(k[:chars]) + f"...({len(k):,} chars)"
    text = k if k.isidentifier() else _encode_str(k)
    if type(key) is str and len(k) <= 64 and len(_KEYS) < 10_000:
        _KEYS[key] = text
    return text


def _float_text(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(value)


class _Elider:
    """What renderers share: redaction, the profile, and the limits past which values are
    elided (``full``: no limits)."""

    __slots__ = ("redact", "profile", "items", "chars", "nbytes")

    def __init__(self, redact: bool, profile: str, full: bool) -> None:
        self.redact = redact
        self.profile = profile
        self.items = _UNLIMITED if full else ELIDE_ITEMS
        self.chars = _UNLIMITED if full else ELIDE_CHARS
        self.nbytes = _UNLIMITED if full else ELIDE_BYTES


class _Text(_Elider):
    """Renders values as text into ``parts``, eliding past the limits (``full``: no limits).
    The whole is bounded by counting parts (each at most a few hundred characters)."""

    __slots__ = ("max_parts", "parts")

    def __init__(self, redact: bool, profile: str, full: bool) -> None:
        super().__init__(redact, profile, full)
        self.max_parts = _UNLIMITED if full else ELIDE_PARTS
        self.parts: list[str] = []

    def value(self, value: Any) -> None:
        t = type(value)
        if t is str:
            if len(value) > self.chars:
                self.parts.append(_encode_str(value[:self.chars]) + f"...({len(value):,} chars)")
            else:
                self.parts.append(_encode_str(value))
        elif t is int:
            self.parts.append(str(value))
        elif value is None:
            self.parts.append("null")
        elif value is True:
            self.parts.append("true")
        elif value is False:
            self.parts.append("false")
        elif t is float:
            self.parts.append(_float_text(value))
        elif t is list or t is tuple:
            self.sequence(value)
        elif t is dict:
            self.mapping(value)
        elif t in _STRUCTURE_CLASSES:
            self.structure(value)
        else:
            self.other(value)

    def structure(self, value: StructureBase) -> None:
        parts = self.parts
        cls = type(value)
        names = _structure_layouts(self.profile).get(cls, cls.fields)
        parts.append(cls.__name__ + "(")
        chars = self.chars
        for i, f in enumerate(names):
            head = (", " + f + "=") if i else (f + "=")
            v = getattr(value, f, None)
            t = type(v)
            if t is int:
                parts.append(head + str(v))
            elif isinstance(v, str) and len(v) <= chars:
                parts.append(head + _encode_str(v))
            else:
                parts.append(head)
                self.value(v)
        parts.append(")")

    def sequence(self, value: Any) -> None:
        parts = self.parts
        parts.append("[")
        n = len(value)
        items, chars, max_parts = self.items, self.chars, self.max_parts
        for i, item in enumerate(value):
            if i >= items or len(parts) >= max_parts:
                parts.append(f", ... {n:,} items" if i else f"... {n:,} items")
                break
            if i:
                parts.append(", ")
            t = type(item)
            if t is int:
                parts.append(str(item))
            elif t is str and len(item) <= chars:
                parts.append(_encode_str(item))
            elif t is float:
                text = repr(item)
                parts.append(text if text[-1] not in "nf" else _float_text(item))  # nan, inf
            else:
                self.value(item)
        parts.append("]")

    def mapping(self, value: dict) -> None:
        parts = self.parts
        parts.append("{")
        n = len(value)
        secret = SECRET_KEYS if self.redact else ()
        items, chars, max_parts = self.items, self.chars, self.max_parts
        keys = _KEYS
        i = 0
        for k, v in value.items():
            if i >= items or len(parts) >= max_parts:
                parts.append(f", ... {n:,} entries" if i else f"... {n:,} entries")
                break
            key = keys.get(k) if type(k) is str else None
            if key is None:
                key = _key_text(k, chars)
            head = (", " + key + ": ") if i else (key + ": ")
            i += 1
            if k in secret:
                parts.append(head + _REDACTED_TEXT)
                continue
            t = type(v)
            if t is str and len(v) <= chars:
                parts.append(head + _encode_str(v))
            elif t is int:
                parts.append(head + str(v))
            elif t is float:
                text = repr(v)
                parts.append(head + (text if text[-1] not in "nf" else _float_text(v)))
            else:
                parts.append(head)
                self.value(v)
        parts.append("}")

    def other(self, value: Any) -> None:
        parts = self.parts
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, int):
            text = str(value)
        elif isinstance(value, float):
            text = _float_text(value)
        elif isinstance(value, str):
            self.value(str(value))
            return
        elif isinstance(value, (bytes, bytearray, memoryview)):
            data = bytes(value[:self.nbytes] if len(value) > self.nbytes else value)
            n = len(value)
            text = f"bytes({data.hex()}{f'...({n:,} bytes)' if n > len(data) else ''})"
        elif isinstance(value, (list, tuple)):
            self.sequence(value)
            return
        elif isinstance(value, dict):
            self.mapping(value)
            return
        elif isinstance(value, Structure):
            parts.append(f"Structure(tag=0x{value.tag:02X}, fields=")
            self.value(value.fields)
            parts.append(")")
            return
        elif isinstance(value, StructureBase):
            self.structure(value)
            return
        else:
            text = repr(value)
            if len(text) > self.chars:
                text = text[:self.chars] + f"...({len(text):,} chars)"
        parts.append(text)


_REDACTED_TEXT = json.dumps(_REDACTED)
#: render_text remembers the text of the fields of small messages (by their bytes).
_TEXT_CACHE: dict[tuple, str] = {}
_TEXT_CACHE_BYTES = 64
_TEXT_CACHE_SIZE = 4096
#: Versions where the same bytes decode differently with a patch (utc): not cached.
_PATCHED_VERSIONS = frozenset(v for v in VERSIONS if any(patch_holds(p, v) for p in PATCHES))


def _structure_classes() -> frozenset[type]:
    from asyncbolt.codec.structures import STRUCTURES

    return frozenset(cls for cls in STRUCTURES.values() if isinstance(cls, type))


_STRUCTURE_CLASSES = _structure_classes()


def _value_text(value: Any, redact: bool, profile: str, full: bool = True) -> str:
    r = _Text(redact, profile, full)
    r.value(value)
    return "".join(r.parts)


class _Json(_Elider):
    """Values to JSON-ready values, eliding past the limits like :class:`_Text`."""

    __slots__ = ("left",)

    def __init__(self, redact: bool, profile: str, full: bool) -> None:
        super().__init__(redact, profile, full)
        self.left = _UNLIMITED if full else ELIDE_TOTAL

    def value(self, value: Any) -> Any:
        t = type(value)
        if t is str:
            self.left -= len(value) + 2
            if len(value) > self.chars:
                return value[:self.chars] + f"...({len(value):,} chars)"
            return value
        if t is int or value is None or value is True or value is False:
            self.left -= 6
            return value
        if t is float or isinstance(value, float):
            self.left -= 12
            if value != value:
                return "NaN"
            if value in (math.inf, -math.inf):
                return "Infinity" if value > 0 else "-Infinity"
            return value
        if isinstance(value, (bool, int, str)):
            return self.value(value if t is bool else (int(value) if isinstance(value, int) else str(value)))
        if isinstance(value, (list, tuple)):
            out = []
            self.left -= 2
            for i, item in enumerate(value):
                if i >= self.items or self.left <= 0:
                    out.append(f"... {len(value):,} items")
                    break
                out.append(self.value(item))
            return out
        if isinstance(value, dict):
            obj: dict[str, Any] = {}
            self.left -= 2
            for i, (k, v) in enumerate(value.items()):
                if i >= self.items or self.left <= 0:
                    obj["..."] = f"{len(value):,} entries"
                    break
                key = str(k)
                if len(key) > self.chars:
                    key = key[:self.chars] + f"...({len(key):,} chars)"
                self.left -= len(key) + 4
                obj[key] = _REDACTED if self.redact and k in SECRET_KEYS else self.value(v)
            return obj
        if isinstance(value, (bytes, bytearray, memoryview)):
            data = bytes(value[:self.nbytes] if len(value) > self.nbytes else value)
            self.left -= 2 * len(data) + 2
            return data.hex() + (f"...({len(value):,} bytes)" if len(value) > len(data) else "")
        if isinstance(value, Structure):
            return {"type": "Structure", "tag": value.tag, "fields": self.value(list(value.fields))}
        if isinstance(value, StructureBase):
            names = _structure_layouts(self.profile).get(type(value), type(value).fields)
            return {"type": type(value).__name__,
                    "fields": {f: self.value(getattr(value, f, None)) for f in names}}
        text = repr(value)
        return text[:self.chars] + f"...({len(text):,} chars)" if len(text) > self.chars else text


def _value_json(value: Any, redact: bool, profile: str, full: bool = True) -> Any:
    return _Json(redact, profile, full).value(value)


_PROFILES: dict[Version | None, str] = {}


def _event_profile(event: Event) -> str:
    version = event.version
    if version is not None and patch_holds("utc", version):
        # A utc DateTime in the fields tells the profile apart; the layouts only differ there.
        return _profile_key(version, ("utc",) if _has_utc(event.fields) else ())
    profile = _PROFILES.get(version)
    if profile is None:
        profile = _PROFILES[version] = _profile_key(version, ())
    return profile


def _has_utc(values: Any, depth: int = 0) -> bool:
    from asyncbolt.codec.structures import DateTime, DateTimeZoneId

    if depth > 50:
        return False
    if isinstance(values, (DateTime, DateTimeZoneId)):
        return True
    if isinstance(values, (list, tuple)):
        return any(_has_utc(v, depth + 1) for v in values)
    if isinstance(values, dict):
        return any(_has_utc(v, depth + 1) for v in values.values())
    if isinstance(values, StructureBase):
        return any(_has_utc(getattr(values, f, None), depth + 1) for f in type(values).fields)
    return False


def render_text(event: Event, redact: bool = True, full: bool = False) -> str:
    """One line per event (``offset side NAME field, field``), one more per problem.

    Long values are elided (``[1, 2, ... 60,000,000 items]``, strings and bytes cut with their
    length, at most ``ELIDE_PARTS`` pieces of fields in all) unless ``full``."""
    redact_fields = redact and event.side == CLIENT
    if event.message is not None and not event.problems:
        # The common case: a decoded message without problems. Small messages repeat (PULL,
        # COMMIT, SUCCESS {has_more: true}): their text is remembered by their bytes.
        data = event.data
        version = event.version
        key = ((data, version, event.side, redact_fields, full)
               if len(data) <= _TEXT_CACHE_BYTES and version not in _PATCHED_VERSIONS else None)
        fields = _TEXT_CACHE.get(key) if key is not None else None
        if fields is None:
            try:
                r = _Text(redact_fields, _event_profile(event), full)
                parts = r.parts
                for i, f in enumerate(event.fields):
                    if i:
                        parts.append(", ")
                    r.value(f)
                fields = " " + "".join(parts) if parts else ""
            except RecursionError:
                fields = " <nested too deeply to show>"
            if key is not None:
                if len(_TEXT_CACHE) >= _TEXT_CACHE_SIZE:
                    _TEXT_CACHE.clear()
                _TEXT_CACHE[key] = fields
        return f"{event.offset:>8} {event.side:<6} {event.name}{fields}"
    try:
        profile = _event_profile(event)
        if event.kind == "handshake":
            fields = ", ".join(str(f) for f in event.fields)
        elif event.message is None and event.kind == "message" and not event.fields:
            if redact and _secret_bytes(event):
                fields = f"<{len(event.data)} bytes, not shown: they may hold credentials>"
            else:
                shown = len(event.data) if full else 64
                fields = (f"<{len(event.data)} bytes: {event.data[:shown].hex(' ')}"
                          f"{' ...' if len(event.data) > shown else ''}>")
        else:
            r = _Text(redact_fields, profile, full)
            for i, f in enumerate(event.fields):
                if i:
                    r.parts.append(", ")
                r.value(f)
            fields = "".join(r.parts)
    except RecursionError:
        fields = "<nested too deeply to show>"
    line = f"{event.offset:>8} {event.side:<6} {event.name}" + (f" {fields}" if fields else "")
    for p in event.problems:
        where = f" ({p.side} stream)" if p.side and p.side != event.side else ""
        line += f"\n{'':>8} ! {p}{where}"
    return line


def render_json(event: Event, redact: bool = True, full: bool = False) -> dict:
    """The event as a JSON-ready dict; long values elided as in :func:`render_text` unless
    ``full`` (the bytes of an undecoded message: the first ``ELIDE_RAW``, and ``size``)."""
    redact_fields = redact and event.side == CLIENT
    try:
        profile = _event_profile(event)
        if event.kind == "handshake":
            fields: Any = [str(f) for f in event.fields]
        elif event.message is None and event.kind == "message" and not event.fields:
            fields = []
        else:
            r = _Json(redact_fields, profile, full)
            fields = [r.value(f) for f in event.fields]
    except RecursionError:
        fields = "<nested too deeply to show>"
    out: dict[str, Any] = {
        "offset": event.offset,
        "side": event.side,
        "kind": event.kind,
        "version": format_version(event.version) if event.version else None,
        "message": event.name,
        "fields": fields,
        "problems": [str(p) for p in event.problems],
    }
    if event.kind == "message" and event.message is None and not event.fields:
        out["size"] = len(event.data)
        if redact and _secret_bytes(event):
            out["data"] = _REDACTED
        elif full or len(event.data) <= ELIDE_RAW:
            out["data"] = event.data.hex()
        else:
            out["data"] = event.data[:ELIDE_RAW].hex() + f"...({len(event.data):,} bytes)"
    return out
