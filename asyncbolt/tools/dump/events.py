"""What the dump validator produces (:class:`Problem`, :class:`Event`) and the names, paths
and layouts it shows, plus each direction's bookkeeping (:class:`_Flow`)."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from asyncbolt._generated import states as _states
from asyncbolt.codec.messages import LAYOUTS, MESSAGE_VERSIONS, REQUESTS, RESPONSES, Message
from asyncbolt.codec.packstream import get_codec
from asyncbolt.core.framing import ChunkReader, Frame
from asyncbolt.core.handshake import (
    format_version,
)

__all__ = ["CLIENT", "SERVER", "Problem", "Event", "format_path", "make_codec"]

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


class _Flow:
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
