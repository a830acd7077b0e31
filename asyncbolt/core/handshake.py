"""Bolt version negotiation (the handshake), sans-IO, for both ends of a connection.

The client sends the magic ``60 60 B0 17`` and four 4-byte proposals ``00 RR mm MM`` (major ``MM``,
minor ``mm``, and from Bolt 4.3 a range ``RR``: minors ``mm`` down to ``mm - RR``). The server
answers the one version it picked (``00 00 mm MM``) or ``00 00 00 00``.

The proposal ``00 00 01 FF`` asks for *manifest v1* (Bolt 5.7+, needed for 6.x): the server then
answers ``00 00 01 FF``, a varint count, that many range offers and a varint capability mask; the
client replies with one exact version and a varint of the capabilities it takes.

Versions are ``(major, minor)`` tuples. Nothing here does I/O: feed received bytes to
``receive_data`` and send what it returns.

The bytes themselves (encodings, and the pure parsers the two ends and the dump validator
share) are in :mod:`asyncbolt.core.handshake_wire`; this module re-exports them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence

from asyncbolt._generated.versions import MAGIC, MANIFEST_V1
from asyncbolt.core.handshake_wire import (
    _HTTP,
    _MANIFEST_MARKER,
    _NONE,
    MAX_OFFERS,
    Answer,
    Choice,
    Manifest,
    Opening,
    Proposal,
    Version,
    _check_version,
    _describe,
    _describe_magic,
    compress_versions,
    decode_offer,
    decode_proposals,
    decode_varint,
    describe_foreign,
    encode_varint,
    encode_version,
    format_version,
    negotiate,
    parse_answer,
    parse_choice,
    parse_manifest,
    parse_opening,
)
from asyncbolt.errors import HandshakeError

__all__ = [
    "MAGIC",
    "MANIFEST_V1",
    "MAX_OFFERS",
    "Answer",
    "Choice",
    "ClientHandshake",
    "Manifest",
    "Opening",
    "Proposal",
    "ServerHandshake",
    "compress_versions",
    "decode_offer",
    "decode_proposals",
    "decode_varint",
    "describe_foreign",
    "encode_varint",
    "encode_version",
    "format_version",
    "negotiate",
    "parse_answer",
    "parse_choice",
    "parse_manifest",
    "parse_opening",
]


# --------------------------------------------------------------------------------------------
# Client


class ClientHandshake:
    """The client end of the handshake.

    ``proposals``: up to 4 items (3 with ``manifest=True``, whose request takes the first slot),
    each ``(major, minor)`` or ``(major, minor, range)``, best first. ``supported``: the versions
    the client can speak (default: everything the proposals cover); it decides what to pick from
    a manifest and what a legacy answer may be.

    Usage: send :meth:`initial_bytes`, then feed every received byte to :meth:`receive_data` and
    send what it returns until :attr:`done`. Bytes that arrive after the handshake are in
    :attr:`unused`.

    When a manifest offers nothing the client supports, the protocol still wants the client to
    answer ``00 00 00 00 00`` before closing; :meth:`receive_data` then raises
    :class:`HandshakeError` with those bytes in the error's ``reply`` attribute (``b""`` on every
    other error), and :attr:`failed` is set.
    """

    def __init__(
        self,
        proposals: Sequence[Sequence[int]],
        *,
        manifest: bool = False,
        supported: Iterable[Sequence[int]] | None = None,
    ) -> None:
        room = 3 if manifest else 4
        if len(proposals) > room:
            raise ValueError(f"at most {room} proposals fit next to manifest={manifest}")
        slots = []
        for item in proposals:
            if len(item) == 2:
                major, minor = _check_version(item)
                range_ = 0
            elif len(item) == 3:
                major, minor = _check_version(item[:2])
                range_ = int(item[2])
                if not 0 <= range_ <= minor:
                    raise ValueError(f"range must be 0..minor in proposal {tuple(item)!r}")
            else:
                raise ValueError(f"a proposal is (major, minor) or (major, minor, range): {item!r}")
            slots.append(Proposal(major, minor, range_))
        if not slots and not manifest:
            raise ValueError("propose at least one version")
        if manifest:
            slots.insert(0, Proposal(_MANIFEST_MARKER, 1, 0))
        #: The proposals as sent, best first (manifest request included).
        self.proposals: list[Proposal] = slots
        self._proposed: set[Version] = {v for p in slots for v in p.versions()}
        if supported is None:
            self.supported: frozenset[Version] = frozenset(self._proposed)
        else:
            self.supported = frozenset(_check_version(v) for v in supported)
        self.manifest_requested = manifest
        #: True once a version is agreed (and any manifest reply returned).
        self.done = False
        #: True after a :class:`HandshakeError`; the connection should be closed.
        self.failed = False
        #: The agreed version.
        self.version: Version | None = None
        #: Whether the server answered through the manifest.
        self.manifest = False
        #: Capability mask the server offered (manifest only; 0 otherwise).
        self.capabilities = 0
        #: Version ranges the server offered (manifest only), as received.
        self.offers: list[Proposal] = []
        #: Bytes received after the handshake ended: the start of the message stream.
        self.unused = b""
        self._buf = bytearray()
        self._error: HandshakeError | None = None

    def initial_bytes(self) -> bytes:
        """The 20 bytes that open the connection: magic + 4 proposal slots (zero-padded)."""
        slots = b"".join(p.to_bytes() for p in self.proposals)
        return MAGIC + slots + _NONE * (4 - len(self.proposals))

    def _fail(self, message: str, offset: int | None, reply: bytes = b"") -> HandshakeError:
        error = HandshakeError(message, offset)
        error.reply = reply
        self.failed = True
        self._error = error
        return error

    def receive_data(self, data: bytes | bytearray | memoryview) -> bytes:
        """Feed bytes from the server; return bytes to send now (often ``b""``).

        Raises :class:`HandshakeError` when the server refuses or answers out of protocol.
        """
        if self._error is not None:
            raise self._error
        if self.done:
            self.unused += bytes(data)
            return b""
        buf = self._buf
        buf += data
        # The whole answer is re-parsed on each feed; a manifest is a few dozen bytes at most.
        try:
            answer = parse_answer(buf, self.manifest_requested)
        except HandshakeError as error:
            raise self._fail(f"bad manifest reply: {error.reason}", error.offset) from None
        if answer is None:
            return b""
        head = answer.head
        if answer.kind == "refused":
            raise self._fail(
                f"server supports none of the proposed versions ({_describe(self.proposals)})",
                0,
            )
        if head == _HTTP:
            raise self._fail("server answered 'HTTP': this is an HTTP port, not Bolt", 0)
        if answer.kind == "manifest":
            if answer.manifest is None:
                raise self._fail(
                    f"server answered manifest version {head[2]}, but only 1 was requested", 0
                )
            return self._use_manifest(answer.manifest)
        # Like the drivers, read only bytes 2-3: a server reply never carries a range.
        version = (head[3], head[2])
        if version not in self._proposed:
            raise self._fail(
                f"server chose version {format_version(version)} ({head.hex(' ')}), which was "
                f"not proposed ({_describe(self.proposals)})",
                0,
            )
        if version not in self.supported:
            raise self._fail(
                f"server chose version {format_version(version)}, "
                "which this client does not support",
                0,
            )
        self._finish(version, 4)
        return b""

    def _use_manifest(self, manifest: Manifest) -> bytes:
        offers, capabilities, end = manifest
        self.offers = offers
        self.capabilities = capabilities
        self.manifest = True
        offered = manifest.versions()
        common = offered & self.supported
        if not common:
            # The client still owes the server an answer: "nothing" and no capabilities.
            raise self._fail(
                "server offers no version this client supports (offered: "
                f"{_describe(offers)}; supported: "
                f"{', '.join(format_version(v) for v in sorted(self.supported, reverse=True))})",
                4,
                reply=_NONE + b"\x00",
            )
        version = max(common)
        self._finish(version, end)
        # No capability bits are defined publicly, so the client takes none of them.
        return encode_version(version) + encode_varint(0)

    def _finish(self, version: Version, end: int) -> None:
        self.version = version
        self.unused = bytes(self._buf[end:])
        self._buf = bytearray()
        self.done = True


# --------------------------------------------------------------------------------------------
# Server


@functools.lru_cache(maxsize=64)
def _server_tables(supported: tuple[tuple[int, ...], ...]) -> tuple[frozenset[Version], list[Proposal]]:
    """A server's versions and its manifest offers, made once per list of versions and shared by
    its connections (each would otherwise keep its own ~1.7 KB of tuples: 10,000 connections
    held at once are 17 MB). Neither is changed after it is made."""
    versions = frozenset(_check_version(v) for v in supported)
    if not versions:
        raise ValueError("a server must support at least one version")
    return versions, compress_versions(versions)


class ServerHandshake:
    """The server end of the handshake.

    ``supported``: the versions this server speaks (default: the generated
    ``asyncbolt._generated.versions.SERVER_VERSIONS``). ``manifest``: whether to answer a manifest
    request. ``capabilities``: the capability mask offered in a manifest reply.

    Feed every received byte to :meth:`receive_data` and send what it returns. When no version
    matches it returns the refusal ``00 00 00 00`` without raising and sets :attr:`failed` and
    :attr:`error`; send the bytes, then close. Out-of-protocol input (bad magic, a bad manifest
    choice) raises :class:`HandshakeError`. Bytes after the handshake (say, a pipelined HELLO)
    end up in :attr:`unused`.
    """

    def __init__(
        self,
        supported: Iterable[Sequence[int]] | None = None,
        *,
        manifest: bool = True,
        capabilities: int = 0,
    ) -> None:
        if supported is None:
            # Imported lazily: the table is generated from spec/ and only needed for the default.
            from asyncbolt._generated.versions import SERVER_VERSIONS

            supported = SERVER_VERSIONS
        self.supported: frozenset[Version]
        #: Offers sent in a manifest reply: ``supported`` compressed into ranges.
        self.offers: list[Proposal]
        self.supported, self.offers = _server_tables(tuple(tuple(v) for v in supported))
        if not 0 <= capabilities < 1 << 64:
            raise ValueError("capabilities must be a 64-bit unsigned mask")
        self.manifest_enabled = manifest
        self.capabilities_offered = capabilities
        #: The client's proposals (filler slots dropped), once received.
        self.proposals: list[Proposal] = []
        #: True once a version is agreed.
        self.done = False
        #: True when the client proposed nothing this server speaks; see :attr:`error`.
        self.failed = False
        #: Describes the failure when :attr:`failed` (not raised: the refusal must be sent first).
        self.error: HandshakeError | None = None
        #: The agreed version.
        self.version: Version | None = None
        #: Whether the version was agreed through the manifest.
        self.manifest = False
        #: Capability bits the client accepted (manifest only).
        self.client_capabilities = 0
        #: Bytes received after the handshake ended: the start of the message stream.
        self.unused = b""
        self._buf = bytearray()
        self._raised: HandshakeError | None = None

    def _raise(self, message: str, offset: int | None) -> HandshakeError:
        self._raised = HandshakeError(message, offset)
        return self._raised

    def receive_data(self, data: bytes | bytearray | memoryview) -> bytes:
        """Feed bytes from the client; return the bytes to send to it (``b""`` while waiting)."""
        if self._raised is not None:
            raise self._raised
        if self.failed:
            assert self.error is not None
            raise self.error
        if self.done:
            self.unused += bytes(data)
            return b""
        buf = self._buf
        buf += data
        if self.manifest:
            return self._receive_choice()
        if len(buf) < 4:
            # The magic is judged only once all 4 bytes are here, so the error can say what the
            # peer speaks (a TLS record or HTTP request is recognisable from its first 4 bytes).
            return b""
        if buf[:4] != MAGIC:
            raise self._raise(
                f"expected the Bolt magic 60 60 b0 17, got {_describe_magic(bytes(buf[:4]))}", 0
            )
        opening = parse_opening(buf)
        if opening is None:
            return b""
        self.proposals = opening.proposals
        for proposal in self.proposals:
            if proposal.is_manifest:
                if self.manifest_enabled and proposal.minor == 1:
                    self.manifest = True
                    del buf[:20]
                    reply = bytearray(MANIFEST_V1)
                    reply += encode_varint(len(self.offers))
                    for offer in self.offers:
                        reply += offer.to_bytes()
                    reply += encode_varint(self.capabilities_offered)
                    # The client may pipeline its choice (and HELLO) right behind the proposals.
                    self._receive_choice()
                    return bytes(reply)
                continue  # an unknown manifest version, or manifests disabled: not a version
            for version in proposal.versions():
                if version in self.supported:
                    self.version = version
                    self._finish(20)
                    return encode_version(version)
        self.failed = True
        self.error = HandshakeError(
            "client proposed no version this server supports (proposed: "
            f"{_describe(self.proposals)}; supported: {_describe(self.offers)})",
            4,
        )
        return _NONE

    def _receive_choice(self) -> bytes:
        """Parse the client's manifest answer (4-byte version + varint capabilities)."""
        try:
            parsed = parse_choice(self._buf)
        except HandshakeError as error:
            # The buffer starts right after the 20 bytes of magic and proposals.
            raise self._raise(f"bad manifest answer: {error.reason}", 20 + (error.offset or 0)) from None
        if parsed is None:
            return b""
        choice, capabilities, end = parsed
        if choice is None:  # no common version
            raise self._raise(
                f"client found no common version in the manifest offers ({_describe(self.offers)})",
                20,
            )
        if choice not in self.supported:  # the offers are exactly the supported versions
            raise self._raise(
                f"client chose {format_version(choice)}, which was not offered "
                f"({_describe(self.offers)})",
                20,
            )
        if capabilities & ~self.capabilities_offered:
            raise self._raise(
                f"client accepted capabilities {capabilities:#x}, "
                f"but only {self.capabilities_offered:#x} were offered",
                24,
            )
        self.version = choice
        self.client_capabilities = capabilities
        self._finish(end)
        return b""

    def _finish(self, end: int) -> None:
        self.unused = bytes(self._buf[end:])
        self._buf = bytearray()
        self.done = True
