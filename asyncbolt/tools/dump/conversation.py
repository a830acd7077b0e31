"""The dump validator's :class:`Conversation`: bytes of each side in, framing (the tolerant
:class:`~asyncbolt.core.framing.ChunkReader`), decoding with the negotiated version's codec (the
construct reference schemas locate what it refuses), and answers paired with requests on the
shared state machine (:class:`~asyncbolt.core.states.StateMachine`)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Any

from asyncbolt._generated.versions import (
    PATCHES,
    VERSIONS,
    has,
    patch_holds,
    since,
)
from asyncbolt.codec import schemas
from asyncbolt.core.framing import ChunkReader, Frame
from asyncbolt.core.handshake import (
    Proposal,
    format_version,
)
from asyncbolt.core.states import SUMMARIES, StateMachine
from asyncbolt.errors import ProtocolError
from asyncbolt.tools.dump.events import (
    _NO_CHUNK_LIMIT,
    _PULLS,
    _SIDES,
    _STRUCTURE_NAMES,
    CLIENT,
    DEFAULT,
    MAX_MESSAGE_SIZE,
    MAX_PENDING_REQUESTS,
    MAX_QUEUED_BYTES,
    REFERENCE_MAX_BYTES,
    SERVER,
    Event,
    Problem,
    Version,
    _budget_error,
    _Flow,
    _Item,
    _layout,
    _message_name,
    _no_reply_requests,
    _Request,
    _signature_hint,
    format_path,
    make_codec,
)
from asyncbolt.tools.dump.handshake import _HandshakeReader


class Conversation(_HandshakeReader):
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
        self.sides = {s: _Flow(s, side is None or side == s) for s in _SIDES}
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
    def _codec(self, version: Version, patches: frozenset[str]) -> Any:
        key = (version, patches)
        codec = self._codecs.get(key)
        if codec is None:
            codec = self._codecs[key] = make_codec(version, patches, self.max_decoded_values)
        return codec

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
    # -- framing -----------------------------------------------------------------------------

    def _dechunk(self, s: _Flow) -> bool:
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

    def _truncated(self, s: _Flow) -> None:
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

    def _decode(self, s: _Flow, item: _Item) -> Event:
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

    def _decode_client(self, s: _Flow) -> bool:
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

    def _decode_server(self, s: _Flow) -> bool:
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
        if name not in SUMMARIES and name != "RECORD":
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
