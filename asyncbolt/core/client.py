"""The sans-IO client side of one Bolt connection: requests in, bytes out; bytes in, answers out.

No sockets, no event loop, no asyncio (like h11, and like :mod:`asyncbolt.core.server` for the
other side). The asyncio client (:mod:`asyncbolt.client.connection`) writes
:meth:`ClientConnection.data_to_send` to its socket, feeds what it reads to
:meth:`ClientConnection.receive_data`, and arms one timer at :meth:`ClientConnection.next_deadline`.

The connection owns what the protocol decides:

* the handshake (:class:`~asyncbolt.core.handshake.ClientHandshake`: proposals, manifest);
* framing (:class:`~asyncbolt.core.framing.ChunkReader`/``ChunkWriter``) and decoding with the
  negotiated version's codec (patched by HELLO's ``utc`` patch), RECORDs on a fast path;
* routing every answer to the request it answers: each request is sent with a *handler*
  (:class:`Handler`), answered strictly in order, and gets ``on_record``/``on_success``/
  ``on_failure``/``on_ignored`` (or ``on_error`` when the connection ends first);
* the connection state, stepped by the shared :class:`~asyncbolt.core.states.StateMachine`
  from spec/bolt.yaml per answer (:attr:`ClientConnection.state`);
* the RESET after a FAILURE (the server ignores everything until one), sent once and first in
  line unless a RESET is already on its way;
* liveness: while an answer is awaited, ``read_timeout`` seconds without message bytes from the
  server end the connection (NOOP keep-alives count only while the server keeps its own
  ``connection.recv_timeout_seconds`` hint), measured with an injectable ``clock``;
* a long message may be decoded elsewhere (a worker thread): :attr:`large_message`,
  :meth:`decode`, :meth:`decoded`.

A fatal error (malformed bytes, a broken limit, silence) ends the connection: every request
waiting gets ``on_error``, and :meth:`receive_data` (or :meth:`check_timeout`) returns the
error; :attr:`error` keeps the first one.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from asyncbolt._generated.codec import check_response_maps
from asyncbolt._generated.versions import SERVER_VERSIONS
from asyncbolt.codec.messages import Discard, Message, Pull, Reset
from asyncbolt.codec.packstream import (
    DEFAULT_MAX_DECODED_VALUES,
    DEFAULT_MAX_DEPTH,
    Codec,
    get_codec,
)
from asyncbolt.core.framing import ChunkReader, ChunkWriter
from asyncbolt.core.handshake import ClientHandshake, Proposal
from asyncbolt.core.server import DEFAULT_MAX_MESSAGE_SIZE
from asyncbolt.core.states import StateMachine
from asyncbolt.errors import HandshakeError, Neo4jError, ProtocolError, ServiceUnavailable

__all__ = ["ClientConnection", "Handler", "AUTO", "DEFAULT_READ_TIMEOUT"]

# (the logger of the asyncio client, where these messages were logged before the core existed)
log = logging.getLogger("asyncbolt.client.connection")

Version = tuple[int, int]

#: ``read_timeout="auto"`` (the default): the server's ``connection.recv_timeout_seconds`` hint
#: when it gives one, else :data:`DEFAULT_READ_TIMEOUT` seconds.
AUTO = "auto"
DEFAULT_READ_TIMEOUT = 300.0

class Handler(Protocol):
    """What waits for the answer to one request (the asyncio client's results and futures)."""

    def what(self) -> str:
        """The request, for error messages (``"PULL"``, ``"RUN"``...)."""

    def on_record(self, values: list, size: int) -> None:
        """A RECORD (its values, and its size on the wire). Raise ProtocolError to refuse it
        (e.g. a buffer limit): that ends the connection."""

    # Optionally ``on_payloads(payloads: list[bytes], start: int, max_len: int) -> int``: the
    # handler takes RECORDs undecoded (a columnar result) while it waits first, a run of them at
    # a time (see ClientConnection._payload_answers); the core checks for it once per batch.
    # Optional: ``on_records(batch, sizes)``, a run of RECORDs at once (their values and wire
    # sizes), which the C decoder gives in one call; without it, on_record hears each one.

    def on_success(self, meta: dict) -> None: ...

    def on_failure(self, error: Neo4jError) -> None: ...

    def on_ignored(self, cause: BaseException | None) -> None:
        """IGNORED; ``cause``: the failure that made the server ignore it, when known."""

    def on_error(self, error: BaseException) -> None:
        """The connection ended before the answer came."""


class AutoReset:
    """The handler of the RESET the connection sends by itself after a FAILURE. ``callbacks``
    hear its outcome once: ``callback(None)`` when it succeeded, ``callback(error)`` if not."""

    __slots__ = ("callbacks", "outcome")

    def __init__(self) -> None:
        self.callbacks: list[Callable[[BaseException | None], Any]] = []
        #: None while on its way; then "SUCCESS" or the error.
        self.outcome: str | BaseException | None = None

    def what(self) -> str:
        return "RESET"

    def _done(self, outcome: str | BaseException) -> None:
        if self.outcome is None:
            self.outcome = outcome
            callbacks, self.callbacks = self.callbacks, []
            error = outcome if isinstance(outcome, BaseException) else None
            for callback in callbacks:
                callback(error)

    def on_record(self, values: list, size: int) -> None:
        raise ProtocolError("the server sent a RECORD for a request that has no records (RESET)")

    def on_success(self, meta: dict) -> None:
        self._done("SUCCESS")

    def on_failure(self, error: Neo4jError) -> None:
        self._done(error)

    def on_ignored(self, cause: BaseException | None) -> None:
        error = ProtocolError("the server IGNORED the RESET sent after a failure")
        error.__cause__ = cause
        self._done(error)

    def on_error(self, error: BaseException) -> None:
        self._done(error)


class ClientConnection:
    """One Bolt connection, client side, without I/O.

    ``proposals``/``manifest``/``supported``: the handshake's offer (see
    :class:`~asyncbolt.core.handshake.ClientHandshake`; ``supported`` defaults to every version a
    server may negotiate). Limits on what the server may send: ``max_message_size``,
    ``max_chunks``, ``max_depth``, ``max_decoded_values`` (past one: ProtocolError).
    ``read_timeout``: seconds, ``"auto"`` or None (see :attr:`effective_read_timeout`).
    ``clock``: seconds, monotonic (the asyncio client passes its loop's clock).
    ``offload_bytes``: messages longer than this are not decoded in :meth:`receive_data` but
    left as :attr:`large_message` (None: everything is decoded inline). ``peer``: names the
    server in error messages.
    """

    def __init__(self, proposals: Iterable[Sequence[int]], *, manifest: bool = False,
                 supported: Iterable[Version] | None = None,
                 max_message_size: int | None = DEFAULT_MAX_MESSAGE_SIZE,
                 max_chunks: int | None = None, max_depth: int = DEFAULT_MAX_DEPTH,
                 max_decoded_values: int | None = DEFAULT_MAX_DECODED_VALUES,
                 read_timeout: float | str | None = AUTO,
                 clock: Callable[[], float] = time.monotonic,
                 offload_bytes: int | None = None, peer: str = "the server") -> None:
        if read_timeout is not None and read_timeout != AUTO and not (
                isinstance(read_timeout, (int, float)) and read_timeout > 0):
            raise ValueError(f"read_timeout must be positive, 'auto' or None, got {read_timeout!r}")
        if supported is None:
            supported = list(SERVER_VERSIONS)  # the negotiable ones (5.5 was withdrawn)
        self._handshake = ClientHandshake(list(proposals), manifest=manifest, supported=list(supported))
        self._raw_out: list[bytes] = [self._handshake.initial_bytes()]
        self._reader = ChunkReader(max_message_size, max_chunks)
        self._writer = ChunkWriter()
        self.max_depth = max_depth
        self.max_decoded_values = max_decoded_values
        self.read_timeout = read_timeout
        self.clock = clock
        self.offload_bytes = offload_bytes
        self.peer = peer
        #: The negotiated version (None until the handshake is done).
        self.version: Version | None = None
        self.manifest = False
        self.codec: Codec | None = None
        self.patches: frozenset[str] = frozenset()
        self._unpack: Any = None
        self._unpack_records: Any = None
        self._record_fast_max = 0
        #: The connection state as the server must see it (None until the handshake is done).
        self.states: StateMachine | None = None
        #: Handlers of the requests sent and not yet answered, oldest first.
        self.pending: deque[Handler] = deque()
        self._requests: deque[tuple[str, int]] = deque()  # (name, qid) of each, for the states
        #: HELLO's (INIT's) hints.
        self.hints: dict[str, Any] = {}
        #: The last FAILURE (the cause handed to ``on_ignored``).
        self.last_failure: Neo4jError | None = None
        #: The RESET sent after a FAILURE, while it is on its way.
        self.auto_reset: AutoReset | None = None
        #: Called with every FAILURE before its handler hears it (the pool listens).
        self.failure_hook: Callable[[Neo4jError], Any] | None = None
        #: What silence raises (the driver's routing makes it SessionExpired).
        self.lost: type[ServiceUnavailable] = ServiceUnavailable
        #: Why the connection ended (the first fatal error), or None.
        self.error: BaseException | None = None
        self._large: bytes | None = None  # a message left to decode elsewhere
        self._backlog: list[bytes] = []  # what arrived behind it
        self._last_read = clock()
        self._noops_ignored = 0
        self._reset_due = False  # a FAILURE arrived: RESET once the bytes at hand are handled

    # -- properties -----------------------------------------------------------------------

    @property
    def proposals(self) -> list[Proposal]:
        """The handshake's proposals as sent."""
        return self._handshake.proposals

    @property
    def state(self) -> str:
        """The state name of spec/bolt.yaml (``"NEGOTIATION"`` before the handshake ends)."""
        return "NEGOTIATION" if self.states is None else self.states.state

    @property
    def in_transaction(self) -> bool:
        return self.states is not None and self.states.in_transaction

    @property
    def failed(self) -> bool:
        """A FAILURE was answered and no RESET has cleared it yet."""
        return self.states is not None and self.states.state == "FAILED"

    @property
    def interrupted(self) -> bool:
        """A RESET is on its way (what was sent before it is answered IGNORED)."""
        return self.states is not None and self.states.interrupted

    @property
    def resetting(self) -> bool:
        """The RESET sent after a FAILURE is on its way."""
        return self.auto_reset is not None

    @property
    def has_output(self) -> bool:
        """Bytes are waiting in :meth:`data_to_send`."""
        return bool(self._raw_out) or len(self._writer) > 0

    @property
    def buffered(self) -> int:
        """Bytes held for a message still arriving."""
        return self._reader.buffered

    # -- requests out ---------------------------------------------------------------------

    def send(self, message: Message, handler: Handler | None) -> None:
        """Encode a request for :meth:`data_to_send`; ``handler`` hears its answer (None: one
        that is not answered, as GOODBYE). A RESET interrupts what was sent before it."""
        if self.error is not None:
            raise self.error
        codec = self.codec
        if codec is None:
            raise RuntimeError("no Bolt version negotiated yet")
        self._writer.write(codec.pack_message(message))
        if handler is None:
            return
        name = message.name
        qid = message.extra.get("qid", -1) if isinstance(message, (Pull, Discard)) else -1
        if not self.pending:
            self._last_read = self.clock()  # the clock starts with the request
        self.pending.append(handler)
        self._requests.append((name, qid if type(qid) is int else -1))
        if name == "RESET" and self.states is not None:
            self.states.interrupt()

    def data_to_send(self) -> bytes:
        """Everything that should be written to the socket now."""
        if self._raw_out:
            raw = b"".join(self._raw_out)
            self._raw_out.clear()
            return raw + self._writer.take()
        return self._writer.take()

    # -- bytes in -------------------------------------------------------------------------

    def receive_data(self, data: bytes) -> BaseException | None:
        """Feed bytes from the socket: answers go to their handlers. Returns the error that
        ended the connection, if these bytes did."""
        if self.error is not None:
            return None
        if self.version is None:
            self._last_read = self.clock()
            try:
                reply = self._handshake.receive_data(data)
            except HandshakeError as exc:
                self.abort(exc)
                if exc.reply:
                    self._raw_out.append(exc.reply)  # (the server is told, then it ends)
                return exc
            if reply:
                self._raw_out.append(reply)
            if not self._handshake.done:
                return None
            version = self._handshake.version
            if version is None:  # pragma: no cover - ClientHandshake raises instead
                return self.abort(HandshakeError("the handshake ended without a version"))
            self.version = version
            self.manifest = bool(self._handshake.manifest)
            self.states = StateMachine(version)
            self._set_codec(frozenset())
            data = self._handshake.unused
            if not data:
                return None
        reader = self._reader
        before = reader.message_bytes
        try:
            payloads = reader.feed(data)
        except ProtocolError as exc:
            # The messages completed before the framing error still count, then it ends all.
            return self._messages(exc.completed) or self.abort(exc)
        if payloads or reader.message_bytes > before:
            self._last_read = self.clock()
            self._noops_ignored = 0
        else:
            self._noop_received()
        return self._messages(payloads)

    def _noop_received(self) -> None:
        """Only NOOPs (or chunk headers) arrived: a sign of life only from a server that gave
        the connection.recv_timeout_seconds hint and keeps it (the NOOP comes within the hint
        of the last sign of life)."""
        now = self.clock()
        hint = self.hint
        if hint is not None and now - self._last_read <= hint:
            self._last_read = now
            self._noops_ignored = 0
        else:
            self._noops_ignored += 1

    def _messages(self, payloads: list[bytes]) -> BaseException | None:
        error = self._answers(payloads)
        if self._reset_due and self._large is None:
            self._send_due_reset()
        return error

    def _answers(self, payloads: list[bytes]) -> BaseException | None:
        if self.error is not None:
            return None
        if self._large is not None:  # a long message is decoded elsewhere: the rest waits
            self._backlog.extend(payloads)
            return None
        pending = self.pending
        if pending and getattr(pending[0], "on_payloads", None) is not None:
            return self._payload_answers(payloads)  # (checked once per batch, not per record)
        codec: Any = self._negotiated_codec()  # (Any: a RECORD's message has .data)
        unpack = self._unpack
        records = self._unpack_records
        fast_max = self._record_fast_max
        it = iter(payloads)
        skip = 0
        for i, payload in enumerate(it):
            if skip:  # (decoded with the run of RECORDs before it)
                skip -= 1
                continue
            try:
                if (payload[1] == 0x71 and payload[0] == 0xB1 and pending
                        and len(payload) <= fast_max):  # RECORD: the hot path
                    if records is not None:
                        # The run of RECORDs from here, decoded in one C call; it stops before
                        # anything else (another message, one it cannot decode), which the
                        # per-message code below takes (and diagnoses).
                        batch, sizes = records(payloads, i, fast_max)
                        if batch:
                            skip = len(batch) - 1
                            self._records_to(pending[0], batch, sizes)
                            continue
                    try:
                        values, end = unpack(payload, 2)
                    except Exception:  # the fast decoder gives up (near max_depth, say) or lies:
                        values = end = None  # the codec decides, decoding it again below
                    if end != len(payload) or type(values) is not list:
                        values = codec.unpack_response(payload).data  # raises precisely
                    pending[0].on_record(values, len(payload))
                    continue
                offload = self.offload_bytes
                if offload is not None and len(payload) > offload:
                    self._large = payload
                    self._backlog = list(it)
                    return None
                message = codec.unpack_response(payload)
            except Exception as exc:  # the fast path trusts sizes; anything odd is diagnosed here
                return self.abort(self._diagnosed(exc, payload))
            if not self._dispatch(message, len(payload)):
                return self.error
            if pending and getattr(pending[0], "on_payloads", None) is not None:
                return self._payload_answers(list(it))
        return None

    def _payload_answers(self, payloads: list[bytes]) -> BaseException | None:
        """The answers while the request waiting first takes its RECORDs undecoded (a columnar
        result): ``handler.on_payloads(payloads, i, max_len)`` lays out the run of RECORDs from
        ``i`` (none longer than ``max_len``) and returns where it stopped; limits and errors as
        on_record. Longer RECORDs than ``offload_bytes`` are decoded elsewhere and handed to
        on_record as usual."""
        pending = self.pending
        offload = self.offload_bytes
        max_len = sys.maxsize if offload is None else offload
        i, n = 0, len(payloads)
        while i < n:
            on_payloads = getattr(pending[0], "on_payloads", None) if pending else None
            if on_payloads is None:
                return self._answers(payloads[i:])
            payload = payloads[i]
            try:
                if len(payload) > max_len:
                    self._large = payload
                    self._backlog = payloads[i + 1:]
                    return None
                if payload[1] == 0x71 and payload[0] == 0xB1:
                    end = on_payloads(payloads, i, max_len)
                    if end <= i:  # (a handler must take the RECORD it was given)
                        raise ProtocolError(f"{pending[0].what()} took no RECORD")
                    i = end
                    continue
                message = self._negotiated_codec().unpack_response(payload)
            except Exception as exc:
                return self.abort(self._diagnosed(exc, payload))
            if not self._dispatch(message, len(payload)):
                return self.error
            i += 1
        return None

    @staticmethod
    def _records_to(handler: Handler, batch: list[list], sizes: list[int]) -> None:
        """Hand a run of RECORDs to the request they answer (its ``on_records`` when it has one,
        for the whole run at once)."""
        on_records = getattr(handler, "on_records", None)
        if on_records is not None:
            on_records(batch, sizes)
            return
        for values, size in zip(batch, sizes, strict=True):
            handler.on_record(values, size)

    def _diagnosed(self, exc: BaseException, payload: bytes) -> BaseException:
        """The precise ProtocolError for a message a fast path failed on."""
        if isinstance(exc, ProtocolError):
            return exc
        try:
            self._negotiated_codec().unpack_response(payload)
        except ProtocolError as precise:
            return precise
        return ProtocolError(f"undecodable message: {exc}")

    # -- a long message, decoded elsewhere ------------------------------------------------

    @property
    def large_message(self) -> bytes | None:
        """A message longer than ``offload_bytes`` that :meth:`receive_data` stopped at: decode
        it with :meth:`decode` (in a worker thread, say) and hand the result to :meth:`decoded`.
        What arrives meanwhile waits behind it."""
        return self._large

    def decode(self, payload: bytes) -> Message | BaseException:
        """Decode an answer (from :attr:`large_message`): the message, or why it cannot be.
        Touches no state of the connection, so it may run in another thread."""
        try:
            return self._negotiated_codec().unpack_response(payload)
        except Exception as exc:
            return exc

    def _negotiated_codec(self) -> Codec:
        if self.codec is None:
            raise RuntimeError("no Bolt version negotiated yet")
        return self.codec

    def decoded(self, payload: bytes, result: Message | BaseException) -> BaseException | None:
        """What :meth:`decode` made of :attr:`large_message`: it is handed to its request, then
        what waited behind it. Returns the error that ended the connection, if one did."""
        if self._large is not payload or self.error is not None:
            return None  # (no longer expected: the connection ended meanwhile)
        self._large = None
        backlog, self._backlog = self._backlog, []
        if isinstance(result, BaseException):
            return self.abort(self._diagnosed(result, payload))
        if not self._dispatch(result, len(payload)):
            return self.error
        return self._messages(backlog)

    # -- answers --------------------------------------------------------------------------

    def _dispatch(self, message: Any, size: int) -> bool:
        """Hand a decoded message to the request it answers; False when that ended the
        connection."""
        pending = self.pending
        if not pending:
            self.abort(ProtocolError(f"the server sent {message.name} with no request waiting"))
            return False
        name = message.name
        if name == "RECORD":
            try:
                pending[0].on_record(message.data, size)
            except ProtocolError as exc:
                self.abort(exc)
                return False
            return True
        handler = pending.popleft()
        request, qid = self._requests.popleft()
        states = self.states
        try:
            if name in ("SUCCESS", "FAILURE"):
                problem = check_response_maps(message)
                if problem is not None:
                    raise ProtocolError(f"{problem} (in answer to {handler.what()})")
            if name == "SUCCESS":
                meta = message.metadata
                if states is not None:
                    self._observed(states.observe(request, name, meta, qid))
                if request in ("HELLO", "INIT"):
                    self._hello_answered(meta)
                handler.on_success(meta)
            elif name == "FAILURE":
                error = Neo4jError.from_metadata(message.metadata)
                self.last_failure = error
                if states is not None:
                    self._observed(states.observe(request, name, None, qid))
                if self.failure_hook is not None:
                    self.failure_hook(error)
                handler.on_failure(error)
                self._after_failure()
            else:
                if states is not None:
                    self._observed(states.observe(request, "IGNORED", None, qid))
                handler.on_ignored(self.last_failure)
            if handler is self.auto_reset:
                self.auto_reset = None
        except Exception as exc:
            # The handler is off the queue: fail it here, then everything else.
            if not isinstance(exc, ProtocolError):
                exc = self.unexpected(exc, f"handling {name} for {handler.what()}")
            handler.on_error(exc)
            self.abort(exc)
            return False
        return True

    def _observed(self, problem: str | None) -> None:
        # An answer the state machine did not expect: servers in the wild bend the rules (and
        # the client copes); noted for whoever debugs a conversation.
        if problem is not None:
            log.debug("%s: %s", self.peer, problem)

    def _hello_answered(self, meta: dict) -> None:
        self.hints = dict(meta.get("hints") or {})
        if "utc" in (meta.get("patch_bolt") or ()):
            self._set_codec(frozenset({"utc"}))

    def _after_failure(self) -> None:
        """A FAILURE: the server ignores everything until RESET, so one is sent, first in line,
        once the answers received with the FAILURE are handled (see :meth:`_send_due_reset`)."""
        self._reset_due = True

    def _send_due_reset(self) -> None:
        """Send the RESET a FAILURE calls for (unless one is on its way already, or the failure
        left the connection DEFUNCT: a failed RESET, say, after which the server closes).

        Not before the bytes that brought the FAILURE are all handled: the server wrote those
        before it could have read a RESET, so none of them may be taken for its answer (a
        server that sends one answer too many then shows up as an answer with no request
        waiting, instead of silently shifting every later answer by one)."""
        self._reset_due = False
        if self.error is not None or self.interrupted or self.state == "DEFUNCT":
            return
        self.auto_reset = AutoReset()
        self.send(Reset(), self.auto_reset)

    def unexpected(self, exc: BaseException, doing: str) -> ProtocolError:
        """A ProtocolError for an exception that is not one (an odd answer the code did not
        foresee), keeping the original as the cause; logged at debug level only."""
        log.debug("unexpected error %s from %s", doing, self.peer, exc_info=exc)
        error = ProtocolError(f"the server's answer could not be handled ({doing}): "
                              f"{type(exc).__name__}: {exc}")
        error.__cause__ = exc
        return error

    def _set_codec(self, patches: frozenset[str]) -> None:
        if self.version is None:  # pragma: no cover - only called once negotiated
            raise RuntimeError("no Bolt version negotiated yet")
        self.patches = patches
        codec = self.codec = get_codec(self.version, patches, max_depth=self.max_depth,
                                       max_decoded_values=self.max_decoded_values)
        self._unpack = codec._unpack
        #: The C decoder of a run of RECORDs (see _answers), or None (the pure-Python codec).
        self._unpack_records = getattr(codec._unpack, "records", None)
        # The C decoder counts values against max_decoded_values on every call; the pure fast
        # one does not, so longer RECORDs (which could exceed the budget) take unpack_response.
        # Longer RECORDs than offload_bytes are decoded elsewhere (the slow path).
        offload = sys.maxsize if self.offload_bytes is None else self.offload_bytes
        self._record_fast_max = min(sys.maxsize if codec.accelerated else codec._fast_len, offload)

    # -- liveness -------------------------------------------------------------------------

    @property
    def hint(self) -> float | None:
        """The server's connection.recv_timeout_seconds hint, when it gave a usable one."""
        hint = self.hints.get("connection.recv_timeout_seconds")
        if isinstance(hint, (int, float)) and not isinstance(hint, bool) and 0 < hint < float("inf"):
            return hint
        return None

    @property
    def effective_read_timeout(self) -> float | None:
        """``read_timeout``, with "auto" made the server's hint or DEFAULT_READ_TIMEOUT."""
        if isinstance(self.read_timeout, str):  # AUTO (the only string __init__ takes)
            hint = self.hint
            return DEFAULT_READ_TIMEOUT if hint is None else hint
        return self.read_timeout

    def next_deadline(self) -> float | None:
        """When the connection is given up (clock time) unless the server sends something;
        None while no answer is awaited (or there is no read timeout)."""
        timeout = self.effective_read_timeout
        if timeout is None or self.error is not None or not self.pending:
            return None
        return self._last_read + timeout

    def check_timeout(self, now: float | None = None) -> BaseException | None:
        """End the connection if the server has been silent past the deadline while an answer
        is awaited: returns that error (a ``lost``), else None."""
        deadline = self.next_deadline()
        if deadline is None:
            return None
        if now is None:
            now = self.clock()
        if now < deadline:
            return None
        detail = ""
        if self._reader.buffered:
            detail = " (it stopped in the middle of a message)"
        elif self._noops_ignored:
            detail = (f" (only {self._noops_ignored} NOOP keep-alive(s), which count only while a "
                      "server keeps its connection.recv_timeout_seconds hint)")
        timeout = self.effective_read_timeout
        return self.abort(self.lost(f"no data from {self.peer} for {timeout:g} s while waiting "
                                    f"for the answer to {self.pending[0].what()}{detail}"))

    # -- the end --------------------------------------------------------------------------

    def abort(self, error: BaseException) -> BaseException:
        """The connection is unusable: every request waiting hears ``error``. Returns the
        error the connection ended with (the first one)."""
        if self.error is None:
            self.error = error
        self._writer.take()  # (what was not written stays unwritten)
        self._large = None
        self._backlog = []
        self.auto_reset = None
        self._reset_due = False
        pending = list(self.pending)
        self.pending.clear()
        self._requests.clear()
        for handler in pending:
            handler.on_error(error)
        return self.error
