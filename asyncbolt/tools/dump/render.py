"""Showing the dump validator's events: one line of text per event (:func:`render_text`) or a
JSON-ready dict (:func:`render_json`), long values elided, secrets redacted."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

from asyncbolt._generated.versions import (
    PATCHES,
    SECRET_KEYS,
    VERSIONS,
    patch_holds,
)
from asyncbolt.codec.types import Structure, StructureBase
from asyncbolt.core.handshake import (
    format_version,
)
from asyncbolt.tools.dump.events import (
    _REDACTED,
    CLIENT,
    Event,
    Version,
    _profile_key,
    _secret_bytes,
    _structure_layouts,
)

__all__ = ["render_text", "render_json"]

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


class _TextRenderer(_Elider):
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
    r = _TextRenderer(redact, profile, full)
    r.value(value)
    return "".join(r.parts)


class _Json(_Elider):
    """Values to JSON-ready values, eliding past the limits like :class:`_TextRenderer`."""

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
                r = _TextRenderer(redact_fields, _event_profile(event), full)
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
            r = _TextRenderer(redact_fields, profile, full)
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
