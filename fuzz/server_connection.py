"""Fuzz target: the sans-IO server core (``asyncbolt.core.server.ServerConnection``) fed
arbitrary byte streams, split at arbitrary points, and answered the way the asyncio server
answers (SUCCESS, FAILURE, RECORDs, IGNORED after a RESET).

Input layout (14-byte header, then the stream):

* byte 0: how the stream starts: 0 as given (the fuzzer must find a handshake itself),
  1 a valid classic handshake for the chosen version, 2 a valid manifest handshake, 3 a
  classic handshake proposing a range that includes the version;
* byte 1: the version (index into the versions a server may choose);
* bytes 2-5: seed of the points where the stream is cut into ``receive_data`` calls;
* bytes 6-13: the answering policy, one byte per request, cycled (fail or succeed, rows, more).

``ServerConnection`` documents no exception for any input: bad bytes close the connection
(``Closed``) or are answered with FAILURE. So nothing may escape; everything it sends after the
handshake must be well-formed chunked responses of the version; after EOF it must be closed.

Time passes on a fake clock between the pieces of the stream and, for some requests, while
they are answered (the same seed picks how much): the time limits may close the connection or
queue NOOPs, and after ``check_deadlines`` nothing may be left due (the runtime would spin).

    python -m fuzz.server_connection [libFuzzer args]
"""

from __future__ import annotations

import random
import sys

from fuzz._common import chunked, instrumenting, main

with instrumenting():
    from asyncbolt._generated.versions import SERVER_VERSIONS
    from asyncbolt.codec.packstream import get_codec
    from asyncbolt.core.framing import ChunkReader
    from asyncbolt.core.handshake import MAGIC, MANIFEST_V1, encode_varint, encode_version
    from asyncbolt.core.server import Closed, Request, ServerConnection
    from asyncbolt.errors import ClientError
    from fuzz import samples

NAME = "server_connection"
#: Seconds the clock moves before a piece of the stream (picked by the cut seed).
#: Mostly none: a limit that ran out leaves nothing of the conversation to fuzz.
_TICKS = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 3.0, 25.0, 70.0)
HEADER = 14
VERSIONS = tuple(SERVER_VERSIONS)
_RESPONSES = frozenset({"SUCCESS", "RECORD", "IGNORED", "FAILURE"})
_PULLS = frozenset({"PULL", "PULL_ALL", "DISCARD", "DISCARD_ALL"})


def handshake(kind: int, version: tuple[int, int]) -> bytes:
    """The client's bytes of a valid negotiation of ``version`` (kind 1-3), or b"" (kind 0)."""
    if kind == 1:
        return MAGIC + encode_version(version) + bytes(12)
    if kind == 2:
        return MAGIC + MANIFEST_V1 + bytes(12) + encode_version(version) + encode_varint(0)
    if kind == 3:
        return MAGIC + encode_version((version[0], version[1] + 2), 2) + bytes(12)
    return b""


class Harness:
    """Plays the application side of one connection with a byte-driven policy."""

    def __init__(self, policy: bytes) -> None:
        self.now = 0.0
        self.conn = ServerConnection(clock=lambda: self.now, handshake_timeout=10,
                                     auth_timeout=30, idle_timeout=60, recv_timeout=4)
        self.policy = policy or b"\x01"
        self.turn = 0
        self.streams: dict[object, int] = {}  # open results: key -> rows left
        self.reader = ChunkReader()
        self.answered = 0

    def next_policy(self) -> int:
        p = self.policy[self.turn % len(self.policy)]
        self.turn += 1
        return p

    def feed(self, data: bytes) -> None:
        conn = self.conn
        before = conn.version
        conn.receive_data(data)
        out = conn.data_to_send()
        if before is None:
            if conn.version is None:
                return  # handshake bytes (or a refusal) only
            out = b""  # the handshake answer: not chunked
        self.check(out)
        self.pump()

    def tick(self, seconds: float) -> None:
        """Let time pass and act on the deadlines, as the runtime's timer does."""
        conn = self.conn
        self.now += seconds
        conn.write_blocked(bool(self.turn & 2))
        reason = conn.check_deadlines(lambda: bool(self.turn & 1))
        conn.write_blocked(False)
        if reason is not None and not isinstance(conn.next_event(), Closed):
            raise AssertionError(f"{reason!r} but not closed")
        when = conn.next_deadline()
        if when is not None and when <= self.now:
            raise AssertionError(f"still due after check_deadlines ({when} <= {self.now})")
        out = conn.data_to_send()
        if conn.version is not None and conn.codec is not None:
            self.check(out)

    def pump(self) -> None:
        conn = self.conn
        while True:
            event = conn.next_event()
            self.check(conn.data_to_send())
            if event is None or isinstance(event, Closed):
                return
            self.answer(event)
            self.check(conn.data_to_send())

    def check(self, out: bytes) -> None:
        if not out:
            return
        codec = self.conn.codec
        for payload in self.reader.feed(out):
            message = codec.unpack_response(payload)
            if message.name not in _RESPONSES:
                raise AssertionError(f"the server sent {message!r}")

    def answer(self, request: Request) -> None:
        conn = self.conn
        p = self.next_policy()
        if p & 0x40:
            self.tick(_TICKS[p % len(_TICKS)])  # a long request: keep-alive NOOPs
        name = request.name
        fail = p % 5 == 0
        if name == "RESET":
            self.streams.clear()
            conn.success({})
            return
        if conn.interrupted and p & 1:
            conn.ignored()  # work cut short by the RESET that is queued
            return
        if name in ("INIT", "HELLO"):
            meta = {"server": "Fuzz/1.0", "connection_id": "bolt-0"}
            extra = getattr(request.message, "extra", None) or {}
            if "utc" in (extra.get("patch_bolt") or ()) and p & 2:
                meta["patch_bolt"] = ["utc"]
            conn.failure(ClientError("Neo.ClientError.Security.Unauthorized", "no")) \
                if p % 11 == 0 else conn.success(meta)
            return
        if fail:
            conn.failure(ClientError("Neo.ClientError.Statement.SyntaxError", "fuzz says no"))
            if name in ("COMMIT", "ROLLBACK"):
                self.streams = {k: v for k, v in self.streams.items() if k == "auto"}
            return
        if name == "RUN":
            self.streams[request.stream] = p % 4
            conn.success({"fields": ["x"], "t_first": 0})
        elif name in _PULLS:
            self.pull(request, name)
        elif name in ("COMMIT", "ROLLBACK"):
            self.streams = {k: v for k, v in self.streams.items() if k == "auto"}
            conn.success({"bookmark": "bm:1"} if name == "COMMIT" else {})
        elif name == "ROUTE":
            conn.success({"rt": {"ttl": 300, "db": "neo4j", "servers": [
                {"addresses": ["127.0.0.1:7687"], "role": "ROUTE"}]}})
        else:
            conn.success({})

    def pull(self, request: Request, name: str) -> None:
        conn = self.conn
        left = self.streams.get(request.stream)
        if left is None:
            conn.failure(ClientError("Neo.ClientError.Request.Invalid",
                                     f"there is no open result for {name}"))
            return
        n = -1
        if name in ("PULL", "DISCARD"):
            n = (request.message.extra or {}).get("n", -1)
        take = left if n < 0 else min(n, left)
        if name.startswith("PULL"):
            conn.records([[i, "row"]] for i in range(take))
        left -= take
        if left:
            self.streams[request.stream] = left
            conn.success({"has_more": True})
        else:
            del self.streams[request.stream]
            conn.success({"type": "r", "t_last": 0})


def test_one_input(data: bytes) -> None:
    if len(data) < HEADER:
        return
    kind = data[0] & 3
    version = VERSIONS[data[1] % len(VERSIONS)]
    rng = random.Random(int.from_bytes(data[2:6], "big"))
    stream = handshake(kind, version) + data[HEADER:]
    harness = Harness(data[6:HEADER])
    cuts = sorted(rng.sample(range(1, len(stream)), min(len(stream) - 1, rng.randint(0, 8)))) \
        if len(stream) > 1 else []
    start = 0
    for cut in cuts + [len(stream)]:
        if cut > start:
            if start:
                harness.tick(rng.choice(_TICKS))
            harness.feed(stream[start:cut])
        start = cut
    harness.feed(b"")  # EOF
    conn = harness.conn
    if not conn.closed or not isinstance(conn.next_event(), Closed):
        raise AssertionError(f"not closed after EOF (state {conn.state})")


def _header(kind: int, version: tuple[int, int], seed: int, policy: bytes) -> bytes:
    return (bytes([kind, VERSIONS.index(version)]) + seed.to_bytes(4, "big")
            + (policy * 8)[:8])


def seeds() -> list[bytes]:
    out = []
    for version in VERSIONS:
        codec = get_codec(version)
        talk = [chunked(codec.pack_message(m)) for m in samples.conversation(version)]
        body = b"".join(talk)
        noop = b"\x00\x00" if version >= (4, 1) else b""
        for kind in (1, 2, 3):
            if kind == 2 and version < (5, 7):
                continue
            out.append(_header(kind, version, 0, b"\x01") + body)
        out.append(_header(1, version, 7, b"\x01\x05\x02\x0b\x03") + noop.join(talk))
        # time passing while requests are answered (policy bit 0x40): keep-alive NOOPs
        out.append(_header(1, version, 11, b"\x43\x43\x4a\x4a") + body)
        # a RESET in the middle of the conversation
        out.append(_header(1, version, 3, b"\x03\x02") + b"".join(talk[:3]) + talk[-2] + body)
        out.append(handshake(1, version)[:0] + _header(0, version, 1, b"\x01")
                   + handshake(1, version) + body[:40])
    return out


if __name__ == "__main__":
    main(test_one_input, seeds, NAME, sys.argv)
