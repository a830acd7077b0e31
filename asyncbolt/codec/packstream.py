"""PackStream encoding and decoding: the public codec API.

    >>> from asyncbolt import packstream
    >>> packstream.pack({"one": "eins"})
    b'\\xa1\\x83one\\x84eins'
    >>> packstream.unpack(b"\\x93\\x01\\x02\\x03")
    [1, 2, 3]

Values map to Python as: Null ``None``, Boolean ``bool``, Integer ``int`` (64-bit signed),
Float ``float``, Bytes ``bytes``, String ``str``, List ``list``, Map ``dict`` (string keys), and
structures to the classes in :mod:`asyncbolt.codec.structures` (``Node``, ``Date``, ...); a structure
tag no version defines becomes :class:`Structure`. Encoding also accepts ``tuple``,
``bytearray``, subclasses of the basic types and ``datetime``/``date``/``time``/``timedelta``,
and numpy / pandas / pyarrow values (:mod:`asyncbolt.codec.bulk`: a DataFrame or an Arrow table as
a list of row maps, arrays as lists, scalars as their plain values).

Which structures exist and how they look depends on the Bolt version (element ids from 5.0,
UTC DateTime from 5.0 or with the 4.3/4.4 ``utc`` patch, Vector from 6.0), hence ``version`` and
``patches``. The tables and the decoder are generated from spec/packstream.yaml.

The decoder and encoder come in two builds generated from the same spec: C
(``asyncbolt._generated._accel``, compiled when the package is installed) and pure Python
(``asyncbolt._generated.codec``). ``ACCELERATED`` says which one codecs use by default: the C one
when it was built, is current and ``ASYNCBOLT_PURE=1`` is not set in the environment. Both give
the same values, bytes and errors.
"""

from __future__ import annotations

import gc
import sys
import warnings
from collections.abc import Iterable
from struct import error as _StructError
from typing import Any

from asyncbolt._generated import codec as _g
from asyncbolt._generated.codec import DEFAULT_MAX_DECODED_VALUES, DEFAULT_MAX_DEPTH
from asyncbolt._generated.messages import Message
from asyncbolt.codec import _speedups
from asyncbolt.codec.types import Structure
from asyncbolt.errors import ProtocolError

__all__ = ["ACCELERATED", "DEFAULT_MAX_DECODED_VALUES", "DEFAULT_MAX_DEPTH", "Codec", "Structure",
           "ProtocolError", "check_max_decoded_values", "get_codec", "pack", "unpack"]


def _load_accelerator() -> Any:
    """The C accelerator bound to the generated tables, or None (see asyncbolt.codec._speedups)."""
    if _speedups.accel is None:
        return None
    try:
        _speedups.accel.bind(_g)
    except Exception as exc:  # tables the C code does not recognise: stay correct, stay pure
        warnings.warn(f"asyncbolt's C accelerator is unusable ({exc}); using the pure-Python codec",
                      RuntimeWarning, stacklevel=2)
        return None
    return _speedups.accel


_accel = _load_accelerator()
#: True when codecs use the C accelerator by default (see the module docstring).
ACCELERATED: bool = _accel is not None

Version = tuple[int, int]
#: Messages longer than this are decoded with the cyclic garbage collector paused.
_GC_PAUSE_BYTES = 256 * 1024
DEFAULT_VERSION: Version = (5, 0)


def _profile_key(version: Version, patches: Iterable[str]) -> str:
    return f"{version[0]}.{version[1]}" + "".join(f"+{p}" for p in sorted(set(patches)))


def _truncated(data: bytes) -> ProtocolError:
    return ProtocolError(f"unexpected end of data: the value needs more than {len(data)} bytes",
                         len(data))


def check_max_decoded_values(value: Any) -> None:
    """ValueError unless ``value`` is a valid ``max_decoded_values``: a positive int or None."""
    if value is not None and (type(value) is not int or value < 1):
        raise ValueError(f"max_decoded_values must be a positive integer or None, got {value!r}")


class Codec:
    """Packs and unpacks values and messages for one Bolt version (plus negotiated patches).

    Build one per connection (``get_codec`` caches them); every method is thread-safe and
    holds no state between calls.
    """

    __slots__ = ("version", "patches", "profile", "accelerated", "max_depth", "max_decoded_values",
                 "_fast_len", "_unpack", "_fields", "_checked", "_pack", "_whole", "_to_bytes",
                 "_requests", "_responses", "_message_packers")

    def __init__(self, version: Version = DEFAULT_VERSION, patches: Iterable[str] = (), *,
                 accelerated: bool | None = None, max_depth: int = DEFAULT_MAX_DEPTH,
                 max_decoded_values: int | None = DEFAULT_MAX_DECODED_VALUES) -> None:
        """``accelerated``: True for the C codec, False for pure Python, None (default) for
        ``ACCELERATED``. True raises RuntimeError when the C codec is not available.
        ``max_depth``: decoding refuses values with containers (lists, maps, structures)
        nested deeper than this, with a ProtocolError (default :data:`DEFAULT_MAX_DEPTH`).
        ``max_decoded_values``: decoding refuses a message (all its fields together) or a value
        that holds more values than this, with a ProtocolError, before allocating them; every
        list item, map key, map value and structure field counts 1, as does each top-level value
        (default :data:`DEFAULT_MAX_DECODED_VALUES`; None: no limit)."""
        if not isinstance(max_depth, int) or max_depth < 1:
            raise ValueError(f"max_depth must be a positive integer, got {max_depth!r}")
        check_max_decoded_values(max_decoded_values)
        self.max_depth = max_depth
        self.max_decoded_values = max_decoded_values
        # Every value takes a byte at least: data no longer than the budget cannot exceed it,
        # so the pure-Python codec decodes it with the fast (uncounting) decoder.
        self._fast_len = sys.maxsize if max_decoded_values is None else max_decoded_values
        version = (int(version[0]), int(version[1]))
        self.version = version
        self.patches = frozenset(patches)
        self.profile = _profile_key(version, self.patches)
        index = _g._STRUCT_SET_OF.get(self.profile)
        tables = _g._MESSAGE_TABLE_OF.get(version)
        if index is None or tables is None:
            known = ", ".join(_g._STRUCT_SET_OF)
            raise ValueError(f"unknown Bolt profile {self.profile!r}; known: {known}")
        structs, packers = _g._STRUCT_SETS[index]
        unavailable: dict[type, str] = {
            cls: f"{cls.__name__} cannot be sent in Bolt {self.profile}; "
                 f"it exists in Bolt {_g._STRUCTURE_VERSIONS[cls]}"
            for cls in _g._STRUCTURE_CLASSES if cls not in packers
        }
        for cls, (_, _, name) in _g._FIXED_ENCODERS.items():
            if name in _g._GATED and self.profile not in _g._GATED[name]:
                unavailable[cls] = (f"{name} values ({cls.__module__}.{cls.__qualname__}) cannot be "
                                    f"sent in Bolt {self.profile}; they need Bolt "
                                    f"{_g._MARKER_VERSIONS[name]}")
        if accelerated is None:
            accelerated = ACCELERATED
        elif accelerated and _accel is None:
            raise RuntimeError("the asyncbolt C accelerator is not available"
                               + (" (ASYNCBOLT_PURE is set)" if _speedups.pure_requested() else ""))
        self.accelerated = bool(accelerated)
        if accelerated:
            # The C decoder counts values always (per call; .fields() across a message's fields).
            self._unpack = _accel.make_unpack(structs, self.profile, max_depth, max_decoded_values)
            self._fields = self._unpack.fields
            self._pack = _accel.make_pack(packers, unavailable, _g._pack_other)
            # One call for a whole value / a whole encoding: unpack() and pack() on the hot path.
            self._whole = self._unpack.whole
            self._to_bytes = self._pack.to_bytes
        else:
            # The fast decoder does not count: it only sees data of at most _fast_len bytes.
            self._unpack = _g._make_unpack(structs, self.profile, max_depth)
            self._pack = _g._make_pack(packers, unavailable)
            self._whole = self._to_bytes = self._fields = None
        # Errors are always diagnosed by the checked pure-Python decoder, which also counts (and
        # decodes, for the pure codec, data longer than the budget).
        self._checked = _g._make_checked_unpack(structs, self.profile, max_depth)
        self._requests, self._responses, self._message_packers = tables

    def __repr__(self) -> str:
        return f"Codec({self.profile!r}{'' if self.accelerated else ', pure Python'})"

    # -- values ---------------------------------------------------------------------------

    def pack(self, value: Any) -> bytes:
        """Encode one value. ValueError for values out of range, TypeError for unknown types."""
        if self._to_bytes is not None:
            try:
                return self._to_bytes(value)
            except RecursionError:
                raise ValueError("value nested too deeply (or cyclic) to encode") from None
        out = bytearray()
        self.pack_into(value, out)
        return bytes(out)

    def pack_into(self, value: Any, out: bytearray) -> None:
        """Append the encoding of ``value`` to ``out``."""
        try:
            self._pack(value, out)
        except RecursionError:
            raise ValueError("value nested too deeply (or cyclic) to encode") from None

    def unpack(self, data: bytes | bytearray | memoryview) -> Any:
        """Decode exactly one value; trailing bytes are an error."""
        if self._whole is not None and type(data) is bytes:
            try:
                return self._whole(data)
            except ProtocolError:
                pass  # diagnosed below, by the checked pure-Python decoder
        if type(data) is not bytes:
            data = bytes(data)
        if len(data) > self._fast_len and self._fields is None:
            value, end = self._diagnose(data, 0)  # pure and long: the checked decoder counts
        else:
            try:  # unpack_from, inlined: this is the per-value hot path of the pure codec
                value, end = self._unpack(data, 0)
            except (ProtocolError, IndexError, _StructError, RecursionError):
                end = -1  # diagnosed outside the handler: one traceback, not two chained ones
            if end < 0 or end > len(data):
                value, end = self._diagnose(data, 0)
        if end != len(data):
            raise ProtocolError(f"{len(data) - end} trailing bytes after the value", end)
        return value

    def unpack_from(self, data: bytes, offset: int = 0) -> tuple[Any, int]:
        """Decode one value starting at ``offset``; returns ``(value, end offset)``."""
        if type(data) is not bytes:
            data = bytes(data)
        if self._fields is None and len(data) - offset > self._fast_len:
            return self._diagnose(data, offset)  # pure: the counting decoder
        try:
            value, end = self._unpack(data, offset)
        except (ProtocolError, IndexError, _StructError, RecursionError):
            end = -1  # diagnosed outside the handler: one traceback, not two chained ones
        if end < 0 or end > len(data):
            return self._diagnose(data, offset)
        return value, end

    def _budget(self, what: str, taken: int = 1) -> list:
        """The value budget of one decode call of the checked decoder (see _make_checked_unpack)."""
        limit = self.max_decoded_values
        return [sys.maxsize if limit is None else limit - taken, limit, what]

    def _diagnose(self, data: bytes, offset: int, left: list | None = None) -> tuple[Any, int]:
        """Decode again, checking every size, to raise the precise ProtocolError.

        The fast decoder trusts declared sizes and only notices at the end (or by an
        IndexError) that they lie; this slower pass says where and why. Should it succeed where
        the fast one gave up (a nesting depth right at the recursion limit), its result stands.
        It counts values against ``left`` (a fresh budget for one value when None).
        """
        if left is None:
            left = self._budget("value")
        try:
            value, end = self._checked(data, offset, 0, left)
        except (IndexError, _StructError):
            raise _truncated(data) from None
        except RecursionError:
            raise ProtocolError("values nested too deeply to decode", offset) from None
        if end > len(data):
            raise _truncated(data)
        return value, end

    # -- messages -------------------------------------------------------------------------

    def pack_message(self, message: Message) -> bytes:
        """Encode one message (unchunked) in this version's layout."""
        entry = self._message_packers.get(type(message))
        if entry is None:
            raise ValueError(f"{getattr(message, 'name', type(message).__name__)} does not exist in "
                             f"Bolt {self.version[0]}.{self.version[1]}")
        header, names = entry
        out = bytearray(header)
        for name in names:
            self.pack_into(getattr(message, name), out)
        return bytes(out)

    def request_name(self, data: bytes | bytearray | memoryview) -> str | None:
        """The name of the request whose structure header (marker and signature bytes) starts
        ``data``, when that header is well formed in this version (a known signature, a field
        count it allows); else None. Reads the header only: no field is decoded."""
        if len(data) < 2 or not 0xB0 <= data[0] <= 0xBF:
            return None
        entry = self._requests.get(data[1])
        if entry is None:
            return None
        name, count, optional = entry[:3]
        return name if count <= data[0] - 0xB0 <= count + optional else None

    def unpack_request(self, data: bytes | bytearray | memoryview) -> Message:
        """Decode one client message (the payload of a dechunked message)."""
        return self._unpack_message(data, self._requests, "request")

    def unpack_response(self, data: bytes | bytearray | memoryview) -> Message:
        """Decode one server message (the payload of a dechunked message)."""
        return self._unpack_message(data, self._responses, "response")

    def _unpack_message(self, data: Any, table: dict, what: str) -> Message:
        if len(data) > _GC_PAUSE_BYTES and gc.isenabled():
            # A long message makes up to max_decoded_values objects; the cyclic collector would
            # scan the growing heap again and again meanwhile (2,000,000 empty lists: 336 ms in C
            # with it, 73 ms without). Decoding makes no cycles, so it is paused, not needed.
            gc.disable()
            try:
                return self._unpack_message_now(data, table, what)
            finally:
                gc.enable()
        return self._unpack_message_now(data, table, what)

    def _unpack_message_now(self, data: Any, table: dict, what: str) -> Message:
        if type(data) is not bytes:
            data = bytes(data)
        if len(data) < 2:
            raise ProtocolError(f"a {what} message needs at least 2 bytes, got {len(data)}", len(data))
        marker = data[0]
        if not 0xB0 <= marker <= 0xBF:
            raise ProtocolError(f"a {what} message must be a structure, found marker 0x{marker:02X}", 0)
        n = marker - 0xB0
        entry = table.get(data[1])
        if entry is None:
            raise ProtocolError(f"unknown {what} signature 0x{data[1]:02X} in Bolt "
                                f"{self.version[0]}.{self.version[1]}", 1)
        name, count, optional, build, names = entry
        if not count <= n <= count + optional:
            expected = f"{count}" if not optional else f"{count} to {count + optional}"
            raise ProtocolError(f"{name} must have {expected} fields, found {n}", 0, (name,))
        limit = self.max_decoded_values
        if limit is not None and n > limit:
            raise ProtocolError(f"message decodes to more than {limit:,} values (max_decoded_values)",
                                0, (name,))
        pos = 2
        if self._fields is not None:  # C: all fields in one call, counted together
            try:
                fields, pos = self._fields(data, 2, n)
            except (ProtocolError, IndexError, _StructError, RecursionError):
                pos = len(data) + 1
        elif len(data) <= self._fast_len:  # pure, too short to exceed the budget: not counted
            unpack = self._unpack
            fields = []
            try:
                for _ in range(n):
                    value, pos = unpack(data, pos)
                    fields.append(value)
            except (ProtocolError, IndexError, _StructError, RecursionError):
                pos = len(data) + 1
        else:
            pos = len(data) + 1  # pure and long: the checked decoder counts
        if pos > len(data):
            # Decode again, diagnosing and counting: an error is raised with its field's path,
            # and values the fast decoder gave up on but the checked one accepts (nesting near
            # max_depth) stand.
            left = self._budget("message", n)
            try:
                pos = 2
                fields = []
                for _ in range(n):
                    value, pos = self._diagnose(data, pos, left)
                    fields.append(value)
            except ProtocolError as exc:
                field = names[len(fields):len(fields) + 1]  # the field being decoded
                raise ProtocolError(exc.reason, exc.offset, (name, *field, *exc.path)) from None
            if pos > len(data):
                raise _truncated(data)
        if pos != len(data):
            raise ProtocolError(f"{len(data) - pos} trailing bytes after the {name} message", pos)
        try:
            return build(fields, 0)
        except ProtocolError as exc:
            raise ProtocolError(exc.reason, self._field_offset(data, names, exc.path), exc.path) from None

    def _field_offset(self, data: bytes, names: tuple[str, ...], path: tuple) -> int | None:
        """Offset of the message field named in ``path`` (only for error reports)."""
        if len(path) < 2 or path[1] not in names:
            return None
        pos = 2
        for _ in range(names.index(path[1])):
            pos = self._unpack(data, pos)[1]
        return pos


_CODECS: dict[tuple[str, int, int | None], Codec] = {}


def get_codec(version: Version = DEFAULT_VERSION, patches: Iterable[str] = (), *,
              max_depth: int = DEFAULT_MAX_DEPTH,
              max_decoded_values: int | None = DEFAULT_MAX_DECODED_VALUES) -> Codec:
    """The (cached) codec for a version, set of patches, nesting limit and value budget."""
    key = (_profile_key(version, patches), max_depth, max_decoded_values)
    codec = _CODECS.get(key)
    if codec is None:
        codec = _CODECS[key] = Codec(version, patches, max_depth=max_depth,
                                     max_decoded_values=max_decoded_values)
    return codec


def pack(value: Any, version: Version = DEFAULT_VERSION, *, patches: Iterable[str] = ()) -> bytes:
    """Encode one value as PackStream for ``version`` (default Bolt 5.0)."""
    return get_codec(version, patches).pack(value)


def unpack(data: bytes | bytearray | memoryview, version: Version = DEFAULT_VERSION, *,
           patches: Iterable[str] = ()) -> Any:
    """Decode exactly one PackStream value; ProtocolError (with ``.offset``) if malformed."""
    return get_codec(version, patches).unpack(data)
