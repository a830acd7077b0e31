"""The strict reference decoder: construct schemas generated from spec/.

Slower than :mod:`asyncbolt.codec.packstream` by design; it reports *where* bytes break the spec
(``ProtocolError.offset`` and ``.path``, e.g. ``RECORD -> data -> [3] -> properties``). Used by
``asyncbolt inspect``, the proxy and as the tests' oracle.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from construct import Construct, ConstructError, StreamError

from asyncbolt._generated import schemas as _g
from asyncbolt.errors import ProtocolError, SchemaError

__all__ = ["parse_value", "parse_request", "parse_response", "value_schema", "message_schemas",
           "is_legacy_marker_error", "clean_path"]

Version = tuple[int, int]
_cache: dict[tuple[str, str], Any] = {}


def _profile(version: Version, patches: Iterable[str]) -> str:
    key = f"{version[0]}.{version[1]}" + "".join(f"+{p}" for p in sorted(set(patches)))
    if key not in _g._STRUCTURES_OF:
        raise ValueError(f"unknown Bolt profile {key!r}")
    return key


def value_schema(version: Version = (5, 0), patches: Iterable[str] = ()) -> Construct:
    """The construct schema of one PackStream value."""
    key = _profile(version, patches)
    if ("v", key) not in _cache:
        _cache["v", key] = _g.value_schema(key)
    return _cache["v", key]


def message_schemas(version: Version = (5, 0), patches: Iterable[str] = ()) -> tuple[Construct, Construct]:
    """The (request, response) construct schemas of a version."""
    key = _profile(version, patches)
    if ("m", key) not in _cache:
        _cache["m", key] = _g.message_schemas(key)
    return _cache["m", key]


def clean_path(path: str | None) -> tuple[str, ...]:
    if not path:
        return ()
    parts = [p.strip() for p in path.replace("(parsing)", "").split("->")]
    return tuple(p for p in parts if p)


def _parse(schema: Construct, data: bytes | bytearray | memoryview, legacy: list | None = None) -> Any:
    data = bytes(data)
    stream = io.BytesIO(data)
    try:
        value = schema.parse_stream(stream) if legacy is None else schema.parse_stream(stream, legacy=legacy)
    except SchemaError as exc:
        raise ProtocolError(exc.reason, exc.offset, clean_path(exc.path)) from None
    except StreamError as exc:
        raise ProtocolError(f"unexpected end of data: the value needs more than {len(data)} bytes",
                            len(data), clean_path(exc.path)) from None
    except ConstructError as exc:
        raise ProtocolError(str(exc).splitlines()[-1], stream.tell(), clean_path(exc.path)) from None
    except RecursionError:
        raise ProtocolError("values nested too deeply to decode", stream.tell()) from None
    end = stream.tell()
    if end != len(data):
        raise ProtocolError(f"{len(data) - end} trailing bytes after the value", end)
    return value


def parse_value(data: bytes | bytearray | memoryview, version: Version = (5, 0),
                patches: Iterable[str] = (), *, legacy: list | None = None) -> Any:
    """Decode exactly one value with the reference schema.

    The legacy PackStream v1 markers STRUCT_8 and STRUCT_16 (spec/packstream.yaml
    legacy_markers) are a ProtocolError naming them, as in the fast codec; given a list as
    ``legacy``, they are decoded and each is noted there as ``(offset, name, path)``."""
    return _parse(value_schema(version, patches), data, legacy)


def parse_request(data: bytes | bytearray | memoryview, version: Version = (5, 0),
                  patches: Iterable[str] = (), *, legacy: list | None = None) -> Any:
    """Decode one (dechunked) client message with the reference schema (``legacy``: as
    :func:`parse_value`)."""
    return _parse(message_schemas(version, patches)[0], data, legacy)


def parse_response(data: bytes | bytearray | memoryview, version: Version = (5, 0),
                   patches: Iterable[str] = (), *, legacy: list | None = None) -> Any:
    """Decode one (dechunked) server message with the reference schema (``legacy``: as
    :func:`parse_value`)."""
    return _parse(message_schemas(version, patches)[1], data, legacy)


def is_legacy_marker_error(exc: ProtocolError) -> bool:
    """Whether ``exc`` refused a legacy PackStream v1 marker (STRUCT_8, STRUCT_16)."""
    from asyncbolt._generated.codec import _LEGACY_MARKERS

    return exc.reason in _LEGACY_MARKERS.values()
