"""The handshake's bytes: version proposals and answers, the manifest's varints and offers,
and pure parsers of each part of the handshake.

:class:`~asyncbolt.core.handshake.ClientHandshake`, :class:`~asyncbolt.core.handshake.ServerHandshake`
and the dump validator (:mod:`asyncbolt.tools.dump`) share them: :func:`parse_opening` (magic
and proposals), :func:`parse_answer` (the server's answer, a manifest included),
:func:`parse_manifest` and :func:`parse_choice` (the client's manifest answer). They return None
while bytes are missing and raise :class:`HandshakeError` with the offset of what is malformed;
what is merely unexpected (an unproposed version, a refusal) is for the caller to judge.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from asyncbolt._generated.versions import MAGIC, MANIFEST_MARKER, NO_VERSION
from asyncbolt.errors import HandshakeError

Version = tuple[int, int]

# MAGIC (the 4 bytes that open every Bolt connection), MANIFEST_V1 (the proposal slot, and the
# server's answer, that selects handshake manifest v1), the manifest marker and the "no version"
# answer come from the spec (spec/bolt.yaml handshake:, asyncbolt._generated.versions).
_NONE = NO_VERSION
_HTTP = b"HTTP"
_MANIFEST_MARKER = MANIFEST_MARKER
# A varint of up to 64 bits needs at most ceil(64 / 7) = 10 bytes.
_MAX_VARINT_BYTES = 10
#: Real servers send a handful of offers; the cap keeps a hostile count from making the client
#: wait for (and buffer) gigabytes that will never come.
MAX_OFFERS = 1024
_HTTP_STARTS = (b"GET ", b"POST", b"PUT ", b"HEAD", b"HTTP", b"OPTI", b"DELE", b"PATC", b"CONN")


# --------------------------------------------------------------------------------------------
# Primitive encodings


def encode_varint(n: int) -> bytes:
    """Encode an unsigned integer (< 2**64) as a handshake varint.

    7-bit groups, least significant first; the high bit of a byte means "more bytes follow".
    """
    if not 0 <= n < 1 << 64:
        raise ValueError(f"varint must be in 0..2**64-1, got {n}")
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def decode_varint(data: bytes | bytearray | memoryview, offset: int = 0) -> tuple[int, int] | None:
    """Decode a varint starting at ``data[offset]``.

    Returns ``(value, offset just past the varint)``, or ``None`` when ``data`` ends before the
    varint does. Raises :class:`HandshakeError` for a varint longer than 10 bytes or a value that
    does not fit in 64 bits.
    """
    value = 0
    shift = 0
    pos = offset
    end = len(data)
    while pos < end:
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        if not byte & 0x80:
            if value >> 64:
                raise HandshakeError("varint value does not fit in 64 bits", offset)
            return value, pos
        shift += 7
        if pos - offset >= _MAX_VARINT_BYTES:
            raise HandshakeError(f"varint longer than {_MAX_VARINT_BYTES} bytes", offset)
    return None


def _check_version(version: Sequence[int]) -> Version:
    if len(version) != 2:
        raise ValueError(f"a version is a (major, minor) pair, got {version!r}")
    major, minor = version
    if not (1 <= major <= 254 and 0 <= minor <= 255):
        # Major 0 is the empty slot and major 255 the manifest marker, so neither is a version.
        raise ValueError(f"version out of range (major 1..254, minor 0..255): {version!r}")
    return int(major), int(minor)


def encode_version(version: Sequence[int], range_: int = 0) -> bytes:
    """Encode ``(major, minor)`` as the 4 bytes ``00 RR mm MM``.

    ``range_`` (Bolt 4.3+) also offers the ``range_`` minors below ``minor``; it may be at most
    ``minor`` because a range never crosses a major version.
    """
    major, minor = _check_version(version)
    if not 0 <= range_ <= minor:
        raise ValueError(f"range must be 0..minor ({minor}), got {range_}")
    return bytes((0, range_, minor, major))


def format_version(version: Sequence[int]) -> str:
    """``(5, 7)`` -> ``"5.7"``."""
    return f"{version[0]}.{version[1]}"


class Proposal(NamedTuple):
    """One decoded 4-byte proposal/offer ``00 RR mm MM`` (byte 0 is reserved and ignored)."""

    major: int
    minor: int
    range: int = 0

    @classmethod
    def from_bytes(cls, b4: bytes | bytearray | memoryview) -> Proposal:
        """Decode 4 bytes (byte 0 ignored, as servers do)."""
        if len(b4) != 4:
            raise ValueError(f"a proposal is 4 bytes, got {len(b4)}")
        return cls(b4[3], b4[2], b4[1])

    @property
    def is_empty(self) -> bool:
        """An all-zero filler slot."""
        return self.major == 0

    @property
    def is_manifest(self) -> bool:
        """A manifest request slot (``00 00 vv FF``); ``minor`` is the manifest version."""
        return self.major == _MANIFEST_MARKER

    def versions(self) -> list[Version]:
        """The versions this proposal covers, highest first (none for filler/manifest slots)."""
        if self.is_empty or self.is_manifest:
            return []
        low = max(0, self.minor - self.range)
        return [(self.major, m) for m in range(self.minor, low - 1, -1)]

    def to_bytes(self) -> bytes:
        """Encode as ``00 RR mm MM``."""
        return bytes((0, self.range, self.minor, self.major))

    def __str__(self) -> str:
        if self.is_manifest:
            return f"manifest v{self.minor}"
        if self.is_empty:
            return "(empty)"
        low = max(0, self.minor - self.range)
        if low == self.minor:
            return f"{self.major}.{self.minor}"
        return f"{self.major}.{self.minor}-{self.major}.{low}"


def decode_offer(b4: bytes | bytearray | memoryview) -> list[Version]:
    """Expand one 4-byte proposal/offer into the versions it covers, highest first.

    ``00 02 04 04`` -> ``[(4, 4), (4, 3), (4, 2)]``. A range never reaches below minor 0. The
    filler ``00 00 00 00`` and the manifest slot ``00 00 01 FF`` cover no version: ``[]``.
    """
    return Proposal.from_bytes(b4).versions()


def decode_proposals(data16: bytes | bytearray | memoryview) -> list[Proposal]:
    """Decode the client's 16 proposal bytes, dropping empty filler slots."""
    if len(data16) != 16:
        raise ValueError(f"the proposals are 16 bytes, got {len(data16)}")
    slots = (Proposal.from_bytes(data16[i : i + 4]) for i in range(0, 16, 4))
    return [p for p in slots if not p.is_empty]


def _describe(proposals: Iterable[Proposal]) -> str:
    text = ", ".join(str(p) for p in proposals)
    return text or "nothing"


def compress_versions(versions: Iterable[Sequence[int]]) -> list[Proposal]:
    """Pack versions into range offers: one per contiguous run of minors of one major.

    Highest major first, and within a major the highest run first.
    ``{(5, 8), (5, 7), (5, 6), (4, 4)}`` -> ``[5.8-5.6, 4.4]``.
    """
    by_major: dict[int, list[int]] = {}
    for version in versions:
        major, minor = _check_version(version)
        by_major.setdefault(major, []).append(minor)
    offers = []
    for major in sorted(by_major, reverse=True):
        minors = sorted(set(by_major[major]), reverse=True)
        top = prev = minors[0]
        for minor in minors[1:]:
            if minor != prev - 1:
                offers.append(Proposal(major, top, top - prev))
                top = minor
            prev = minor
        # A run is at most minors 255..0, so its range (<= 255) always fits in one byte.
        offers.append(Proposal(major, top, top - prev))
    return offers


def negotiate(
    proposals_bytes16: bytes | bytearray | memoryview, supported: Iterable[Sequence[int]]
) -> Version | None:
    """Pick the version a server supporting ``supported`` answers to 16 proposal bytes.

    Proposals are taken in the client's order; the first one covering a supported version wins,
    and from it the highest supported version it covers. Byte 0 of each slot is ignored and byte 1
    is always read as a range (pre-4.3 clients send 0 there). Manifest slots are not versions and
    are skipped here: :class:`ServerHandshake` handles them. ``None`` if nothing matches.
    """
    supported_set = {(int(v[0]), int(v[1])) for v in supported}
    for proposal in decode_proposals(proposals_bytes16):
        for version in proposal.versions():
            if version in supported_set:
                return version
    return None


def _describe_magic(head: bytes) -> str:
    """Name what a peer sent instead of the Bolt magic, for the error message."""
    shown = head.hex(" ")
    if head.startswith(b"\x16\x03"):
        return f"a TLS ClientHello ({shown}); the client uses TLS but this server does not"
    if head.startswith(_HTTP_STARTS):
        return f"an HTTP request ({head!r}); this is a Bolt port, not HTTP"
    return shown


# --------------------------------------------------------------------------------------------
# Parsing, for both ends and the dump validator


Buffer = bytes | bytearray | memoryview


class Opening(NamedTuple):
    """The client's first bytes: the magic and four proposal slots (filler slots dropped)."""

    proposals: list[Proposal]
    end: int = 20


class Manifest(NamedTuple):
    """A server's manifest v1 reply: ``00 00 01 FF``, a varint count, the offers, a varint
    capability mask; ``end``: the offset just past it."""

    offers: list[Proposal]
    capabilities: int
    end: int

    def versions(self) -> set[Version]:
        """Every version the offers cover."""
        return {v for offer in self.offers for v in offer.versions()}


class Answer(NamedTuple):
    """A server's answer to the proposals.

    ``kind``: ``"refused"`` (``00 00 00 00``), ``"manifest"`` (``00 00 vv FF``: ``manifest`` is
    the parsed reply for v1, None for any other manifest version ``vv``), or ``"version"``:
    ``version`` is bytes 3 and 2. Like the drivers, only bytes 2-3 are read; ``head`` has all 4
    (bytes 0-1 should be zero). ``end``: the offset just past the answer.
    """

    kind: str
    head: bytes
    end: int
    version: Version | None = None
    manifest: Manifest | None = None


class Choice(NamedTuple):
    """The client's answer to a manifest: one version (None: ``00 00 00 00``, no common
    version) and a varint of the capabilities it takes; ``end``: the offset just past it."""

    version: Version | None
    capabilities: int
    end: int


def describe_foreign(head: bytes) -> str:
    """What else the 4 bytes where Bolt was expected may be, in parentheses ("" if nothing)."""
    if head.startswith(b"\x16\x03"):
        return " (a TLS handshake: the connection uses TLS)"
    if head[:4] in (b"GET ", b"POST", b"HTTP", b"PUT ", b"HEAD"):
        return " (HTTP, not Bolt)"
    return ""


def parse_opening(data: Buffer, offset: int = 0) -> Opening | None:
    """The client's opening at ``data[offset:]``: the magic and 16 bytes of proposals.

    None while bytes are missing (the magic is judged once its 4 bytes are here); raises
    :class:`HandshakeError` at ``offset`` when they are not the magic. ``end`` is absolute.
    """
    if len(data) - offset < 4:
        return None
    head = bytes(data[offset : offset + 4])
    if head != MAGIC:
        raise HandshakeError(f"expected the Bolt magic 60 60 B0 17, found {head.hex(' ')}"
                             + describe_foreign(head), offset)
    if len(data) - offset < 20:
        return None
    return Opening(decode_proposals(data[offset + 4 : offset + 20]), offset + 20)


def parse_manifest(data: Buffer, offset: int = 0) -> Manifest | None:
    """The manifest v1 reply whose ``00 00 01 FF`` is at ``data[offset]`` (not checked here).

    None while bytes are missing; raises :class:`HandshakeError` (offsets absolute) for a
    malformed varint or a count of offers over :data:`MAX_OFFERS` (path ``("offers",)``), so a
    hostile count is refused before its offers are waited for.
    """
    count_end = decode_varint(data, offset + 4)
    if count_end is None:
        return None
    count, pos = count_end
    if count > MAX_OFFERS:
        raise HandshakeError(f"manifest announces {count} offers (more than {MAX_OFFERS})",
                             offset + 4, ("offers",))
    offers_end = pos + 4 * count
    if len(data) < offers_end:
        return None
    caps_end = decode_varint(data, offers_end)
    if caps_end is None:
        return None
    capabilities, end = caps_end
    offers = [Proposal.from_bytes(data[i : i + 4]) for i in range(pos, offers_end, 4)]
    return Manifest(offers, capabilities, end)


def parse_answer(data: Buffer, manifest: bool = True) -> Answer | None:
    """The server's answer at the start of ``data`` (see :class:`Answer`); None while bytes are
    missing. Raises :class:`HandshakeError` for a malformed manifest v1 reply. ``manifest``:
    whether a manifest may answer (False: ``00 00 vv FF`` is read as the version ``255.vv``)."""
    if len(data) < 4:
        return None
    head = bytes(data[:4])
    if head == _NONE:
        return Answer("refused", head, 4)
    if manifest and head[3] == _MANIFEST_MARKER:
        if head[2] != 1:
            return Answer("manifest", head, 4)
        reply = parse_manifest(data)
        if reply is None:
            return None
        return Answer("manifest", head, reply.end, manifest=reply)
    return Answer("version", head, 4, version=(head[3], head[2]))


def parse_choice(data: Buffer, offset: int = 0) -> Choice | None:
    """The client's manifest answer at ``data[offset:]``: 4 version bytes and a varint of
    capabilities. None while bytes are missing; raises :class:`HandshakeError` (offset
    absolute, path ``("capabilities",)``) for a malformed varint."""
    if len(data) - offset < 5:
        return None
    try:
        caps = decode_varint(data, offset + 4)
    except HandshakeError as exc:
        raise HandshakeError(exc.reason, exc.offset, ("capabilities",)) from None
    if caps is None:
        return None
    capabilities, end = caps
    if data[offset + 2] == 0 and data[offset + 3] == 0:
        return Choice(None, capabilities, end)
    return Choice((data[offset + 3], data[offset + 2]), capabilities, end)
