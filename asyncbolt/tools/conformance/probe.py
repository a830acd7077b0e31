"""A raw Bolt client over asyncio streams: no driver logic, every byte under the caller's control.

The conformance checker speaks to a server through it, and the tests use it for byte-level
conversations with asyncbolt's own server. The caller says exactly which bytes go out and sees
every message that comes back, in order. Messages are encoded with
:func:`asyncbolt.codec.packstream.get_codec` for the negotiated version and framed with
:func:`asyncbolt.core.framing.chunk_message`; replies are dechunked with
:class:`asyncbolt.core.framing.ChunkReader` and decoded with ``unpack_response``.

    probe = await Probe.connect(port, record=True)
    assert await probe.handshake((4, 4)) == (4, 4)
    mark = probe.mark()
    await probe.send(Hello({"user_agent": "t/1", "scheme": "none"}))
    assert (await probe.recv()).name == "SUCCESS"
    sent, received = probe.since(mark)      # the exact bytes of that exchange
"""

from __future__ import annotations

import asyncio
import socket
import ssl as _ssl
from collections import deque
from typing import Any

from asyncbolt._generated.versions import MAGIC, NO_VERSION
from asyncbolt.codec.packstream import Codec, get_codec
from asyncbolt.core.framing import ChunkReader, chunk_message
from asyncbolt.core.handshake_wire import Answer, encode_varint, parse_answer
from asyncbolt.errors import ProtocolError

__all__ = ["MAGIC", "RECORD", "RECORDED_BYTES", "Probe", "proposal", "names"]

#: Signature byte of RECORD (payload[1]), to count records without decoding them.
RECORD = 0x71
#: Bytes kept per direction by a recording probe; past it only the count goes on (a long stream
#: must not cost memory without bound).
RECORDED_BYTES = 1 << 20

Version = tuple[int, int]


def proposal(version: Version, range_: int = 0) -> bytes:
    """One 4-byte handshake slot ``00 RR mm MM``: ``version`` and ``range_`` minors below it.
    Any bytes go (a probe sends what a hostile client would: major 0, a range past the minor),
    unlike :func:`asyncbolt.core.handshake_wire.encode_version`, which refuses them."""
    major, minor = version
    return bytes([0, range_, minor, major])


def names(messages: list[Any]) -> list[str]:
    """The message names of a list of decoded messages, for asserting a sequence."""
    return [m.name for m in messages]


class Probe:
    """One raw connection. Every read is bounded by ``timeout`` seconds (asyncio.TimeoutError).

    With ``record=True`` it keeps the bytes sent and received (the first
    :data:`RECORDED_BYTES` of each direction; ``sent_total``/``received_total`` count them
    all), which :meth:`mark` and :meth:`since` slice per exchange."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 timeout: float = 5.0, record: bool = False) -> None:
        self.reader = reader
        self.writer = writer
        self.timeout = timeout
        self.version: Version | None = None
        self.codec: Codec | None = None
        #: The server's 4-byte handshake answer.
        self.reply: bytes | None = None
        self._chunks = ChunkReader()
        self._payloads: deque[bytes] = deque()
        self.eof = False
        self.record = record
        self.sent = bytearray()
        self.received = bytearray()
        self.sent_total = 0
        self.received_total = 0

    @classmethod
    async def connect(cls, port: int, host: str = "127.0.0.1", timeout: float = 5.0,
                      rcvbuf: int | None = None, *, record: bool = False,
                      ssl: _ssl.SSLContext | None = None) -> Probe:
        """Connect; ``rcvbuf`` shrinks the socket's receive buffer (set before connecting, so
        the TCP window stays small), which bounds how much a server can send ahead; ``ssl``
        wraps the connection in TLS (server name: ``host``)."""
        sock = None
        if rcvbuf is not None:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            sock.setblocking(False)
            await asyncio.wait_for(asyncio.get_running_loop().sock_connect(sock, (host, port)), timeout)
            reader, writer = await asyncio.wait_for(asyncio.open_connection(
                sock=sock, ssl=ssl, server_hostname=host if ssl else None), timeout)
        else:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port, ssl=ssl), timeout)
        return cls(reader, writer, timeout, record)

    async def __aenter__(self) -> Probe:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self.close()

    # -- handshake ------------------------------------------------------------------------

    async def handshake(self, *proposals: Version | bytes) -> Version | None:
        """Send the magic and up to four proposals (versions or raw 4-byte slots).

        Returns the version the server chose, or None for ``00 00 00 00``; from then on
        messages are encoded for that version."""
        slots = [p if isinstance(p, bytes) else proposal(p) for p in proposals]
        slots += [NO_VERSION] * (4 - len(slots))
        await self.send_raw(MAGIC + b"".join(slots))
        self.reply = await self.read_exactly(4)
        if self.reply == NO_VERSION:
            return None
        self.use((self.reply[3], self.reply[2]))
        return self.version

    async def opening(self, slots: bytes, magic: bytes = MAGIC) -> Answer | None:
        """Send ``magic`` and the proposal bytes ``slots`` exactly as given; read the server's
        whole answer (a manifest v1 reply with its offers and capabilities included) and parse
        it. None when the server closes without a complete answer. Does not choose a version:
        for a manifest, :meth:`choose` does."""
        await self.send_raw(magic + slots)
        data = b""
        try:
            while True:
                answer = parse_answer(data)
                if answer is not None:
                    break
                data += await self.read_exactly(1 if len(data) >= 4 else 4 - len(data))
        except (asyncio.IncompleteReadError, ConnectionResetError):
            self.eof = True
            return None
        self.reply = data[:4]
        if answer.kind == "version" and answer.version is not None:
            self.use(answer.version)
        return answer

    async def choose(self, version: Version, capabilities: int = 0) -> None:
        """Answer a manifest: ``version`` (``00 00 mm MM``) and the capabilities taken (a
        varint); from then on messages are encoded for that version."""
        await self.send_raw(proposal(version) + encode_varint(capabilities))
        self.use(version)

    def use(self, version: Version, patches: tuple[str, ...] = ()) -> None:
        """Encode and decode as ``version`` (plus patches, e.g. ``("utc",)``) from now on."""
        self.version = version
        self.codec = get_codec(version, patches)

    @property
    def _codec(self) -> Codec:
        if self.codec is None:
            raise ProtocolError("no Bolt version agreed yet: call handshake() or use() first")
        return self.codec

    # -- sending --------------------------------------------------------------------------

    async def send(self, *messages: Any) -> None:
        """Send messages (asyncbolt message objects, or already-encoded payload bytes), each
        chunked; then drain."""
        out = bytearray()
        for message in messages:
            payload = message if isinstance(message, bytes) else self._codec.pack_message(message)
            out += chunk_message(payload)
        await self.send_raw(bytes(out))

    async def send_raw(self, data: bytes) -> None:
        """Write bytes exactly as given (no chunking)."""
        self._keep(self.sent, data)
        self.sent_total += len(data)
        self.writer.write(data)
        await self.writer.drain()

    # -- recording ------------------------------------------------------------------------

    def _keep(self, into: bytearray, data: bytes) -> None:
        if self.record and len(into) < RECORDED_BYTES:
            into += data[:RECORDED_BYTES - len(into)]

    def _got(self, data: bytes) -> bytes:
        self._keep(self.received, data)
        self.received_total += len(data)
        return data

    def mark(self) -> tuple[int, int]:
        """A position in both directions' records, for :meth:`since`."""
        return len(self.sent), len(self.received)

    def since(self, mark: tuple[int, int]) -> tuple[bytes, bytes]:
        """The bytes sent and received since ``mark`` (as recorded: see :data:`RECORDED_BYTES`)."""
        return bytes(self.sent[mark[0]:]), bytes(self.received[mark[1]:])

    # -- receiving ------------------------------------------------------------------------

    async def read_exactly(self, n: int) -> bytes:
        return self._got(await asyncio.wait_for(self.reader.readexactly(n), self.timeout))

    async def _fill(self, timeout: float | None) -> None:
        data = self._got(await asyncio.wait_for(self.reader.read(1 << 20),
                                                self.timeout if timeout is None else timeout))
        if not data:
            self.eof = True
            raise EOFError("the server closed the connection")
        self._payloads.extend(self._chunks.feed(data))

    async def recv_payload(self, timeout: float | None = None) -> bytes:
        """The next message as raw payload bytes (chunk headers removed)."""
        while not self._payloads:
            await self._fill(timeout)
        return self._payloads.popleft()

    async def recv(self, timeout: float | None = None) -> Any:
        """The next message, decoded with the negotiated version's codec."""
        return self._codec.unpack_response(await self.recv_payload(timeout))

    async def recv_many(self, n: int) -> list[Any]:
        return [await self.recv() for _ in range(n)]

    async def recv_result(self) -> tuple[list[list[Any]], Any]:
        """RECORDs up to the next summary: ``(rows, summary message)``."""
        rows: list[list[Any]] = []
        while True:
            message = await self.recv()
            if message.name != "RECORD":
                return rows, message
            rows.append(message.data)

    async def skip_records(self, timeout: float | None = None) -> tuple[int, Any]:
        """Count RECORDs without decoding them, up to the next other message:
        ``(count, that message)``. For streams too long to decode one by one."""
        count = 0
        while True:
            while self._payloads:
                payload = self._payloads.popleft()
                if payload[1] != RECORD:
                    return count, self._codec.unpack_response(payload)
                count += 1
            await self._fill(timeout)

    async def read_until_eof(self, timeout: float | None = None) -> list[Any]:
        """Every message until the server closes the connection (asyncio.TimeoutError if it
        does not within ``timeout``); a connection reset counts as closed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.timeout if timeout is None else timeout)
        messages = []
        while True:
            try:
                messages.append(await self.recv(max(0.0, deadline - loop.time())))
            except (EOFError, ConnectionResetError):
                return messages

    async def read_raw_until_eof(self, timeout: float | None = None) -> bytes:
        """Every byte until the server closes the connection (no decoding; for connections
        that never got past the handshake)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.timeout if timeout is None else timeout)
        data = bytearray()
        while True:
            try:
                chunk = await asyncio.wait_for(self.reader.read(65536), max(0.0, deadline - loop.time()))
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                self.eof = True
                return bytes(data)
            data += self._got(chunk)

    def close(self) -> None:
        if not self.writer.is_closing():
            self.writer.close()

    def abort(self) -> None:
        """Drop the connection at once (RST), without a FIN."""
        self.writer.transport.abort()
