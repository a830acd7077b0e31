"""The sans-IO server side of one Bolt connection: bytes in, requests out, answers in, bytes out.

No sockets and no event loop (like h11): the asyncio runtime in :mod:`asyncbolt.server.connection` feeds
received bytes to :meth:`ServerConnection.receive_data`, takes requests from
:meth:`ServerConnection.next_event`, answers each with :meth:`success`, :meth:`failure`,
:meth:`ignored` (and :meth:`record` for PULL), and writes :meth:`data_to_send` to the socket.

The connection owns everything the protocol decides: version negotiation, dechunking, decoding
with the negotiated version's codec, the server state machine generated from spec/bolt.yaml
(which requests are IGNORED, which are violations), RESET jumping the queue, transaction result
ids (qid), the ``utc`` patch, and the time limits: given a clock, it says when the next one
falls due (:meth:`ServerConnection.next_deadline`) and, when the runtime calls
:meth:`ServerConnection.check_deadlines` then, closes the connection (handshake, authentication,
idle) or queues a NOOP keep-alive. The application only answers questions about data.
"""

from __future__ import annotations

import functools
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from asyncbolt._generated.codec import check_request_maps
from asyncbolt._generated.versions import SERVER_VERSIONS, has
from asyncbolt.codec.messages import Discard, Failure, Ignored, Message, Pull
from asyncbolt.codec.packstream import (
    DEFAULT_MAX_DECODED_VALUES,
    DEFAULT_MAX_DEPTH,
    Codec,
    get_codec,
)
from asyncbolt.core.framing import MAX_CHUNK_SIZE, ChunkReader, _chunk_into
from asyncbolt.core.handshake import ServerHandshake
from asyncbolt.core.states import StateMachine, Transition
from asyncbolt.errors import ClientError, Neo4jError, ProtocolError

__all__ = ["ServerConnection", "Request", "Closed", "DEFAULT_MAX_MESSAGE_SIZE",
           "DEFAULT_MAX_UNAUTHENTICATED_MESSAGE_SIZE"]

log = logging.getLogger(__name__)

#: Largest request a server accepts by default (64 MiB): bigger ones are refused, not buffered.
DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024 * 1024
#: Largest request before authentication (INIT/HELLO/LOGON, and after LOGOFF): 32 KiB. The
#: official driver's HELLO+LOGON are ~0.3 KiB with basic auth, ~2-9 KiB with a bearer token
#: (README, Limits); Neo4j allows 8 KiB.
DEFAULT_MAX_UNAUTHENTICATED_MESSAGE_SIZE = 32 * 1024
#: Bytes of automatic answers (IGNORED, FAILURE of violations) buffered by one next_event()
#: before it hands control back so they are written out at the pace the client reads.
_AUTO_ANSWER_BYTES = 64 * 1024
_RESET_PAYLOAD = b"\xb0\x0f"
#: A chunk header to be filled in (00 00) and the structure header of SUCCESS / RECORD {...}:
#: these answers are encoded straight into the output buffer (see ServerConnection._put()).
_SUCCESS_HEAD = b"\x00\x00\xb1\x70"
_RECORD_HEAD = b"\x00\x00\xb1\x71"
_END = b"\x00\x00"
#: Requests whose decoded message stays within the core (no hook sees it), so that the same
#: payload again need not be decoded again (see next_event()).
_REPEATABLE = frozenset({"PULL", "DISCARD"})


class Request:
    """A request the application must answer (exactly once)."""

    __slots__ = ("message", "stream")

    def __init__(self, message: Message, stream: Any = None) -> None:
        self.message = message
        #: For RUN: the key under which its result is kept; for PULL/DISCARD: the key of the
        #: result they address ("auto" outside transactions, the qid inside one from 4.0).
        self.stream = stream

    @property
    def name(self) -> str:
        return self.message.name

    def __repr__(self) -> str:
        return f"Request({self.message!r}, stream={self.stream!r})"


class _Decoded:
    """A queued request already decoded off the event loop (see ServerConnection.decoded())."""

    __slots__ = ("payload", "result")

    def __init__(self, payload: bytes, result: Message | ProtocolError) -> None:
        self.payload = payload
        self.result = result


class Closed:
    """The connection is over: GOODBYE, a fatal failure, a protocol violation, or EOF."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"Closed({self.reason!r})"


@functools.lru_cache(maxsize=64)
def _sorted_versions(versions: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    """The versions a server speaks, once per server rather than per connection."""
    return tuple(sorted(set(versions)))


class ServerConnection:
    """One Bolt connection, server side, without I/O.

    ``versions``: the versions this server may choose (default: every version the spec lets a
    server negotiate). ``max_message_size``: larger requests are a protocol error, as are
    requests of more than ``max_chunks`` chunks, values nested deeper than ``max_depth`` and
    requests that decode to more than ``max_decoded_values`` values (counted before they are
    built).
    ``max_unauthenticated_message_size`` is the smaller size limit that applies until
    INIT/HELLO/LOGON succeeds (and again after LOGOFF); None: only ``max_message_size``.

    A request the state table does not allow in the current state is refused from its
    structure header (marker and signature bytes) without its fields being decoded.

    Time limits (seconds; None, the default, disables one), read from ``clock`` (any monotonic
    clock: the runtime passes its event loop's, tests a fake one):
    ``handshake_timeout`` for the whole handshake from the connection's creation;
    ``auth_timeout`` from creation, and again from a LOGOFF, to a successful INIT/HELLO/LOGON;
    ``idle_timeout`` for a connection (authenticated, or with no ``auth_timeout``) that receives
    nothing while none of its requests is being answered, or while the runtime waits for the
    client to take what was written (see :meth:`write_blocked`, :meth:`activity`).
    ``recv_timeout``: the promise of HELLO's ``connection.recv_timeout_seconds`` hint — while a
    request is being answered, something is sent at least every ``recv_timeout / 2`` seconds
    (a NOOP when nothing else is; Bolt 4.1+).
    """
    # Slots for what every connection sets (a server may hold 10,000 of them: an instance dict
    # of more than 29 keys costs 1.6 KB each); __dict__ keeps room for any other attribute.
    __slots__ = ("_auth_deadline", "_clock", "_current", "_handshake", "_keepalive_from",
                 "_last_activity", "_opened", "_pending", "_pending_bytes", "_raw_out", "_reader",
                 "_repeated", "_sm", "_state", "_transition", "_write_blocked", "_out", "auth_timeout",
                 "authenticated", "closed", "codec", "failed_last", "handshake_timeout",
                 "idle_timeout", "max_decoded_values", "max_depth", "max_message_size",
                 "max_unauthenticated_message_size", "patches", "recv_timeout", "version",
                 "versions", "__dict__")

    def __init__(self, versions: Iterable[tuple[int, int]] | None = None, *,
                 manifest: bool = True, max_message_size: int | None = DEFAULT_MAX_MESSAGE_SIZE,
                 max_chunks: int | None = None, max_depth: int = DEFAULT_MAX_DEPTH,
                 max_unauthenticated_message_size: int | None = DEFAULT_MAX_UNAUTHENTICATED_MESSAGE_SIZE,
                 max_decoded_values: int | None = DEFAULT_MAX_DECODED_VALUES,
                 clock: Callable[[], float] = time.monotonic,
                 handshake_timeout: float | None = None, auth_timeout: float | None = None,
                 idle_timeout: float | None = None, recv_timeout: float | None = None) -> None:
        if max_unauthenticated_message_size is not None and max_unauthenticated_message_size < 1:
            raise ValueError("max_unauthenticated_message_size must be positive or None, "
                             f"got {max_unauthenticated_message_size!r}")
        for name, value in (("handshake_timeout", handshake_timeout), ("auth_timeout", auth_timeout),
                            ("idle_timeout", idle_timeout), ("recv_timeout", recv_timeout)):
            if value is not None and not value > 0:
                raise ValueError(f"{name} must be positive or None, got {value!r}")
        self.versions = _sorted_versions(tuple(versions or SERVER_VERSIONS))
        self._handshake = ServerHandshake(self.versions, manifest=manifest)
        self.max_message_size = max_message_size
        self.max_unauthenticated_message_size = max_unauthenticated_message_size
        #: Whether the client has authenticated (the state machine left the states spec/bolt.yaml
        #: marks unauthenticated: INIT/HELLO/LOGON succeeded and no LOGOFF since).
        self.authenticated = False
        self._reader = ChunkReader(self._size_limit(), max_chunks)
        self.max_depth = max_depth
        self.max_decoded_values = max_decoded_values
        self._out = bytearray()  # chunked answers (whole messages only), see _put()
        self._raw_out: list[bytes] = []  # handshake bytes: not chunked
        #: Whether the last answer sent was a FAILURE (a connection closed after one may still
        #: be receiving the client's requests; see the runtime's lingering close).
        self.failed_last = False
        self._pending: deque[bytes | _Decoded | ProtocolError] = deque()
        self._repeated: dict[bytes, Message] = {}  # short PULL/DISCARD payloads, decoded
        self._pending_bytes = 0
        self._current: Request | None = None
        self._transition: Transition | None = None
        #: The spec's state machine (RESETs on their way, open qids), from the handshake on.
        self._sm: StateMachine | None = None
        self._state = "NEGOTIATION"  # before the handshake is done (and after closing)
        self.version: tuple[int, int] | None = None
        self.codec: Codec | None = None
        self.patches: frozenset[str] = frozenset()
        self.closed: str | None = None
        self._init_deadlines(clock, handshake_timeout, auth_timeout, idle_timeout, recv_timeout)

    @property
    def state(self) -> str:
        """The state name of spec/bolt.yaml (NEGOTIATION before the handshake, DEFUNCT once
        closed)."""
        return self._sm.state if self._sm is not None else self._state

    # -- bytes in -------------------------------------------------------------------------

    @property
    def manifest(self) -> bool:
        """Whether the version was negotiated through the handshake manifest."""
        return bool(self._handshake.manifest)

    @property
    def interrupted(self) -> bool:
        """A RESET has arrived: work in progress should stop (its request answered IGNORED).

        Not while authenticating: RESET is not allowed before authentication, so a RESET
        pipelined behind INIT/HELLO/LOGON never masks its answer (an Unauthorized FAILURE
        reaches the client)."""
        return self._sm is not None and self._sm.interrupted

    @property
    def queued(self) -> int:
        """Requests received and not yet taken by :meth:`next_event` (for back-pressure)."""
        return len(self._pending)

    @property
    def queued_bytes(self) -> int:
        """Bytes of those requests. (Not of a request still arriving: max_message_size bounds
        it, and counting it would stop a request longer than the runtime's watermark from ever
        arriving.)"""
        return self._pending_bytes

    def _size_limit(self) -> int | None:
        limit, unauth = self.max_message_size, self.max_unauthenticated_message_size
        if self.authenticated or unauth is None:
            return limit
        return unauth if limit is None else min(limit, unauth)

    def _set_authenticated(self, value: bool) -> None:
        self.authenticated = value
        self._reader.max_message_size = self._size_limit()
        # Authenticated: no more limit; logged off: the next LOGON is due as after connecting.
        limit = self.auth_timeout
        self._auth_deadline = None if value or limit is None else self._clock() + limit

    def receive_data(self, data: bytes) -> None:
        """Feed bytes from the socket; ``b""`` means the peer closed its side."""
        if self.closed:
            return
        self._received()
        if not data:
            if self._reader.buffered or (self.version is None and self._handshake.proposals is not None):
                log.debug("peer closed mid-message")
            self._close("peer closed the connection")
            return
        if self.version is None:
            try:
                self._writer_raw(self._handshake.receive_data(data))
            except ProtocolError as exc:
                self._close(f"handshake failed: {exc}")
                return
            if self._handshake.failed:
                self._close(f"handshake failed: {self._handshake.error}")
                return
            if not self._handshake.done:
                return
            version = self._handshake.version
            assert version is not None  # the handshake is done and did not fail: one was chosen
            self.version = version
            self.codec = get_codec(version, max_depth=self.max_depth,
                                   max_decoded_values=self.max_decoded_values)
            self._sm = StateMachine(version)
            data = self._handshake.unused
            if not data:
                return
        error = None
        try:
            payloads = self._reader.feed(data)
        except ProtocolError as exc:
            # Framing is broken: nothing after this point can be trusted, but the requests
            # completed before it are served first.
            payloads, error = exc.completed, exc
            if (getattr(exc, "too_big", False) and not self.authenticated
                    and self._reader.max_message_size == self.max_unauthenticated_message_size):
                error = ProtocolError(f"{exc.reason} before authentication "
                                      "(max_unauthenticated_message_size)", exc.offset)
        for payload in payloads:
            if payload == _RESET_PAYLOAD and self._sm is not None:
                self._sm.interrupt()
            self._pending.append(payload)
            self._pending_bytes += len(payload)
        if error is not None:
            self._pending.append(error)

    def _negotiated(self) -> tuple[tuple[int, int], Codec]:
        """The version and the codec of the handshake (requests and answers only come after it)."""
        if self.version is None or self.codec is None:
            raise RuntimeError("no Bolt version negotiated yet")
        return self.version, self.codec

    def _writer_raw(self, data: bytes) -> None:
        if data:
            self._raw_out.append(data)

    # -- requests out ---------------------------------------------------------------------

    def large_request(self, size: int) -> bytes | None:
        """The request :meth:`next_event` takes next, if it is longer than ``size`` bytes and
        not decoded yet (else None). Decoding a long request can take long enough to stall
        every other connection on the event loop, so the runtime may decode it elsewhere, with
        :meth:`decode_request` in a worker thread, and hand the result to :meth:`decoded`."""
        if self._current is not None or self.version is None or self.closed or not self._pending:
            return None
        item = self._pending[0]
        return item if type(item) is bytes and len(item) > size else None

    def decode_request(self, payload: bytes) -> Message | ProtocolError:
        """Decode a request (from :meth:`large_request`): the message, or the ProtocolError
        that refuses it. Touches no state of the connection, so it may run in another thread."""
        try:
            return self._negotiated()[1].unpack_request(payload)
        except ProtocolError as exc:
            return exc

    def decoded(self, payload: bytes, result: Message | ProtocolError) -> None:
        """What :meth:`decode_request` made of ``payload``; :meth:`next_event` uses it instead of
        decoding again (ignored if the request is no longer next, e.g. the connection closed)."""
        if self._pending and self._pending[0] is payload:
            self._pending[0] = _Decoded(payload, result)

    def next_event(self) -> Request | Closed | None:
        """The next request for the application, ``Closed``, or None (need bytes or an answer).

        Requests that the state machine answers by itself (IGNORED in FAILED/INTERRUPTED,
        FAILURE for requests not allowed in the current state) are answered here, in order.
        """
        if self.closed:
            return Closed(self.closed)
        if self._current is not None or self.version is None:
            return None
        version, codec = self._negotiated()
        sm = self._sm
        assert sm is not None  # (made with the version)
        pending, out = self._pending, self._out
        while pending:
            if len(out) >= _AUTO_ANSWER_BYTES:
                return None  # written out first, at the pace the client reads
            item = pending.popleft()
            decoded = None
            if type(item) is not bytes:
                if isinstance(item, ProtocolError):
                    return self._fatal(ClientError("Neo.ClientError.Request.Invalid", str(item)))
                assert isinstance(item, _Decoded)  # (the queue holds nothing else)
                decoded = item.result
                item = item.payload
            self._pending_bytes -= len(item)
            # The structure header names the request: one the state does not allow is refused
            # (or IGNORED) before any of its fields is decoded.
            # (a malformed header is decoded, to be diagnosed precisely)
            name = codec.request_name(item)
            # (looked up once per request: the lookup of a RESET ends its interruption)
            transition = sm.lookup(name) if name is not None else None
            checked = False
            if name is not None and (transition is None or transition.ignored or transition.close):
                message = None  # answered from the header alone
            elif decoded is None and item in self._repeated:
                # The same PULL/DISCARD as before (PULL {n: 1000} again and again): decoded and
                # checked then, and never handed to the application, which could change it.
                message, checked = self._repeated[item], True
            else:
                try:
                    if decoded is None:
                        message = codec.unpack_request(item)
                    elif isinstance(decoded, ProtocolError):
                        raise decoded
                    else:
                        message = decoded
                except ProtocolError as exc:
                    return self._fatal(ClientError("Neo.ClientError.Request.Invalid",
                                                   f"malformed request: {exc}"))
                if message.name != name:
                    name = message.name
                    transition = sm.lookup(name)
            if transition is None:
                error = ClientError("Neo.ClientError.Request.Invalid",
                                    f"{name} is not allowed in state {self.state} "
                                    f"(Bolt {version[0]}.{version[1]})")
                self._send(Failure(error.to_metadata(version)))
                if sm.violation() == "DEFUNCT":
                    return self._close(f"protocol violation: {error.message}")
                continue
            if transition.close:
                return self._close("client said GOODBYE")
            if transition.ignored:
                self._send(Ignored())
                continue
            # (only IGNORED and closing transitions are answered from the header alone)
            assert message is not None and name is not None
            problem = None if checked else check_request_maps(message, version)
            if problem is None and name in _REPEATABLE and not checked and len(item) <= 64:
                if len(self._repeated) >= 16:
                    self._repeated.clear()
                self._repeated[item] = message
            if problem is not None:
                # A well-known key of the wrong type (PULL {n: {}}): a bad request, answered here
                # like a failed one, before the application sees it.
                error = ClientError("Neo.ClientError.Request.Invalid", problem)
                self._send(Failure(error.to_metadata(version)))
                if sm.failed(name, transition) == "DEFUNCT":
                    return self._close(f"{name} failed: {problem}")
                continue
            qid = -1
            if sm.state == "TX_STREAMING" and isinstance(message, (Pull, Discard)):
                qid = message.extra.get("qid", -1)
            self._current = request = Request(message, sm.stream_key(name, qid))
            self._transition = transition
            return request
        return None

    @property
    def current(self) -> Request | None:
        """The request awaiting an answer."""
        return self._current

    # -- answers in -----------------------------------------------------------------------

    def success(self, metadata: dict[str, Any] | None = None) -> None:
        """Answer the current request with SUCCESS and move the state machine."""
        request, transition = self._take()
        if metadata is None:
            metadata = {}
        name = request.message.name
        if name == "RUN" and type(request.stream) is int and "qid" not in metadata:
            metadata = {**metadata, "qid": request.stream}
        self._put(_SUCCESS_HEAD, metadata)
        self.failed_last = False
        sm = self._sm
        assert sm is not None  # (a request is current)
        # INIT/HELLO/LOGON authenticate (HELLO only where no LOGON follows), LOGOFF undoes it.
        state = sm.succeeded(name, transition, metadata, request.stream)
        if sm.authenticated != self.authenticated:
            self._set_authenticated(sm.authenticated)
        if name == "HELLO" and "utc" in (metadata.get("patch_bolt") or ()):
            self.patches = frozenset({"utc"})
            self._repeated.clear()
            self.codec = get_codec(self._negotiated()[0], self.patches, max_depth=self.max_depth,
                                   max_decoded_values=self.max_decoded_values)
        if state == "DEFUNCT":
            self._close(f"{name} ended the connection")

    def failure(self, error: Neo4jError | dict[str, Any]) -> None:
        """Answer the current request with FAILURE (an exception or a FAILURE map)."""
        request, transition = self._take()
        metadata = error.to_metadata(self._negotiated()[0]) if isinstance(error, Neo4jError) else dict(error)
        self._send(Failure(metadata))
        assert self._sm is not None  # (a request is current)
        if self._sm.failed(request.name, transition) == "DEFUNCT":
            self._close(f"{request.name} failed: {metadata.get('message', '')}")

    def ignored(self) -> None:
        """Answer the current request with IGNORED (work cut short by a RESET)."""
        self._take()
        self._send(Ignored())

    def record(self, values: list) -> None:
        """Send one RECORD for the current PULL/PULL_ALL."""
        self._check_pull()
        self._put(_RECORD_HEAD, values)

    def records(self, rows: Iterable[list]) -> int:
        """Send several RECORDs for the current PULL/PULL_ALL; returns how many."""
        self._check_pull()
        put = self._put
        n = 0
        for values in rows:
            put(_RECORD_HEAD, values)
            n += 1
        return n

    def _check_pull(self) -> None:
        current = self._current
        if current is None or (current.message.name != "PULL" and current.message.name != "PULL_ALL"):
            raise RuntimeError("RECORDs answer a PULL; the current request is "
                               f"{current.name if current else 'none'}")

    def _take(self) -> tuple[Request, Transition]:
        if self._current is None or self._transition is None:
            raise RuntimeError("no request is awaiting an answer")
        request, transition = self._current, self._transition
        self._current = self._transition = None
        self._last_activity = self._clock()  # (answered: the idle time counts from here)
        return request, transition

    # -- bytes out ------------------------------------------------------------------------

    def _put(self, head: bytes, value: Any) -> None:
        """Encode a one-field answer (SUCCESS / RECORD) straight into the output buffer: a chunk
        header filled in afterwards, the structure header, the value by the codec (the C
        encoder when accelerated) and the end marker; no message object, no copy. A value that
        cannot be encoded leaves nothing behind (ValueError/TypeError, as the codec raises)."""
        codec = self.codec  # (per answer: a None test, not a call of _negotiated())
        if codec is None:
            raise RuntimeError("no Bolt version negotiated yet")
        out = self._out
        start = len(out)
        out += head
        try:
            codec.pack_into(value, out)
        except BaseException:
            del out[start:]
            raise
        size = len(out) - start - 2
        if size <= MAX_CHUNK_SIZE:
            out[start] = size >> 8
            out[start + 1] = size & 0xFF
            out += _END
        else:  # (several chunks: rare, a map or record over 64 KiB)
            payload = bytes(out[start + 2:])
            del out[start:]
            _chunk_into(out, payload, MAX_CHUNK_SIZE)

    def _send(self, message: Message) -> None:
        codec = self.codec  # (per answer: a None test, not a call of _negotiated())
        if codec is None:
            raise RuntimeError("no Bolt version negotiated yet")
        _chunk_into(self._out, codec.pack_message(message), MAX_CHUNK_SIZE)
        self.failed_last = type(message) is Failure

    def data_to_send(self) -> bytes:
        """Everything that should be written to the socket now."""
        out = self._out
        if self._raw_out:
            data = b"".join(self._raw_out) + out
            self._raw_out.clear()
        elif not out:
            return b""
        else:
            data = bytes(out)
        out.clear()
        if data and self.recv_timeout is not None:
            self._keepalive_from = self._clock()
        return data

    @property
    def buffered(self) -> int:
        """Bytes waiting in :meth:`data_to_send`."""
        if self._raw_out:
            return len(self._out) + sum(map(len, self._raw_out))
        return len(self._out)

    # -- time limits ----------------------------------------------------------------------

    def _init_deadlines(self, clock: Callable[[], float], handshake_timeout: float | None,
                        auth_timeout: float | None, idle_timeout: float | None,
                        recv_timeout: float | None) -> None:
        self._clock = clock
        self.handshake_timeout = handshake_timeout
        self.auth_timeout = auth_timeout
        self.idle_timeout = idle_timeout
        self.recv_timeout = recv_timeout
        now = clock()
        self._opened = now
        #: When the client must have authenticated by (None: it has, or there is no limit).
        self._auth_deadline = None if auth_timeout is None else now + auth_timeout
        #: When bytes last arrived, a request was answered, or the client took what was written.
        self._last_activity = now
        #: What the keep-alive interval counts from: the last bytes handed out, or the arrival
        #: of a request on a connection that was answering none.
        self._keepalive_from = now
        self._write_blocked = False

    def _received(self) -> None:
        now = self._clock()
        self._last_activity = now
        if self._current is None:
            self._keepalive_from = max(self._keepalive_from, now)

    @property
    def handshake_deadline(self) -> float | None:
        """When the handshake must be done by (clock time; None: it is, or there is no limit).
        A runtime that does a TLS handshake first gives it what is left."""
        if self.version is not None or self.handshake_timeout is None:
            return None
        return self._opened + self.handshake_timeout

    def _limits(self) -> list[tuple[float, str]]:
        """The time limits that apply now: (when, which). (Asked after every request and
        answer: no reason is formatted here, see _reason().)"""
        limits = []
        if self.version is None and self.handshake_timeout is not None:
            # The whole handshake must finish in time, however the bytes trickle in.
            limits.append((self._opened + self.handshake_timeout, "handshake"))
        if self._auth_deadline is not None:
            limits.append((self._auth_deadline, "auth"))
        elif self.idle_timeout is not None and (self._current is None or self._write_blocked):
            # (answering a request is not idling, unless the client does not take the answer)
            limits.append((self._last_activity + self.idle_timeout, "idle"))
        if (self.recv_timeout is not None and self._current is not None and self.version is not None
                and has("noop_chunks", self.version)):
            limits.append((self._keepalive_from + self.recv_timeout / 2, "keepalive"))
        return limits

    def _reason(self, which: str) -> str:
        if which == "handshake":
            return f"no handshake within {self.handshake_timeout}s"
        if which == "auth":
            return f"not authenticated within {self.auth_timeout}s"
        return f"idle for {self.idle_timeout}s"

    def next_deadline(self) -> float | None:
        """When (clock time) :meth:`check_deadlines` has something to do next; None: nothing
        can fall due until the connection changes (the runtime asks again after each request
        and answer). A deadline may move later meanwhile: checking early does nothing."""
        if self.closed:
            return None
        if self._auth_deadline is None and self.recv_timeout is None and self.version is not None:
            # (the common case, asked after every request and answer: at most the idle limit)
            if self.idle_timeout is not None and (self._current is None or self._write_blocked):
                return self._last_activity + self.idle_timeout
            return None
        limits = self._limits()
        return min(limits)[0] if limits else None

    def check_deadlines(self, progressed: Callable[[], bool] | None = None) -> str | None:
        """Act on the time limits that have run out (the runtime calls this when
        :meth:`next_deadline` is due, then writes :meth:`data_to_send`): a limit that ran out
        closes the connection (:meth:`next_event` returns ``Closed(reason)``) and its reason is
        returned; a keep-alive that is due queues a NOOP, unless answers wait to go out anyway.
        Returns None when the connection stays open.

        ``progressed`` is asked when ``idle_timeout`` runs out while the runtime waits for the
        client to take what was written (:meth:`write_blocked`): whether the client took some
        since it was asked last. If it did, it is not idle (as after :meth:`activity`)."""
        if self.closed:
            return None
        now = self._clock()
        due = sorted(limit for limit in self._limits() if limit[0] <= now)
        for _when, which in due:  # (the first to run out gives the reason)
            if which == "keepalive":
                continue
            if which == "idle" and self._write_blocked and progressed is not None and progressed():
                self._last_activity = now
                continue
            reason = self._reason(which)
            self._close(reason)
            return reason
        if any(which == "keepalive" for _when, which in due):
            if not self.buffered:
                self._out += _END  # a NOOP (between two messages: the buffer only holds whole ones)
            self._keepalive_from = now
        return None

    def write_blocked(self, blocked: bool) -> None:
        """The runtime waits (True) or no longer waits (False) for the client to take what was
        written. While it waits, the request being answered does not count as work for
        ``idle_timeout``: only the client's progress (:meth:`activity`) does."""
        self._write_blocked = blocked

    def activity(self) -> None:
        """The client took some of what was written (the runtime saw its socket drain): it is
        not idle."""
        self._last_activity = self._clock()

    # -- endings --------------------------------------------------------------------------

    def close(self, reason: str) -> None:
        """End the connection from the server's side: no more requests are taken, and
        :meth:`next_event` returns ``Closed(reason)``. What was already answered still goes out
        with :meth:`data_to_send`."""
        self._close(reason)

    def _fatal(self, error: Neo4jError) -> Closed:
        self._send(Failure(error.to_metadata(self._negotiated()[0])))
        return self._close(error.message)

    def _close(self, reason: str) -> Closed:
        if not self.closed:
            self.closed = reason
            self._state = "DEFUNCT"
            if self._sm is not None:
                self._sm.state = "DEFUNCT"
            self._pending.clear()
            self._pending_bytes = 0
        return Closed(self.closed)
