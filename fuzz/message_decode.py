"""Fuzz target: Bolt message decoding per version (``Codec.unpack_request`` / ``unpack_response``).

Input: byte 0 picks the version (low bits) and the direction (high bit), the rest is one
dechunked message. The C and pure-Python codecs must agree (the same message, or both a
``ProtocolError``, the codec's one documented error), and a message that decodes must encode
and decode back to the same fields.

    python -m fuzz.message_decode [libFuzzer args]
"""

from __future__ import annotations

import sys

from fuzz._common import instrumenting, main, same

with instrumenting():
    from asyncbolt import VERSIONS
    from asyncbolt.codec import packstream
    from asyncbolt.codec.messages import LAYOUTS
    from asyncbolt.errors import ProtocolError
    from fuzz import samples

NAME = "message_decode"
_PURE = [packstream.Codec(v, accelerated=False) for v in VERSIONS]
_FAST = [packstream.Codec(v, accelerated=True) if packstream.ACCELERATED else None
         for v in VERSIONS]


def _decode(codec: packstream.Codec, data: bytes, request: bool) -> tuple[bool, object]:
    decode = codec.unpack_request if request else codec.unpack_response
    try:
        return True, decode(data)
    except ProtocolError as exc:
        if exc.offset is None or not 0 <= exc.offset <= len(data):
            raise AssertionError(f"{codec!r}: offset {exc.offset} outside the data: {exc}") from exc
        return False, exc


def _fields(message: object) -> list:
    return [getattr(message, name) for name in type(message).fields]


def test_one_input(data: bytes) -> None:
    if not data:
        return
    index = (data[0] & 0x7F) % len(VERSIONS)
    request = not data[0] & 0x80
    body = data[1:]
    pure = _PURE[index]
    ok, message = _decode(pure, body, request)
    fast = _FAST[index]
    if fast is not None:
        fast_ok, fast_message = _decode(fast, body, request)
        if ok != fast_ok or (ok and (type(message) is not type(fast_message)
                                     or not same(_fields(message), _fields(fast_message)))):
            raise AssertionError(f"C and pure codecs disagree on {body.hex(' ')} in "
                                 f"{pure.profile}: C {fast_message!r}, pure {message!r}")
    if ok:
        direction = "request" if request else "response"
        if message.direction != direction:
            raise AssertionError(f"a {direction} decoded as {message!r}")
        again = _decode(pure, pure.pack_message(message), request)[1]
        names = LAYOUTS[VERSIONS[index]][type(message)]
        if type(again) is not type(message) or not all(
                same(getattr(again, n), getattr(message, n)) for n in names):
            raise AssertionError(f"{pure.profile}: {message!r} re-encodes to {again!r}")


def seeds() -> list[bytes]:
    out = []
    for i, version in enumerate(VERSIONS):
        codec = packstream.get_codec(version)
        for message in samples.all_messages(version) + samples.conversation(version):
            flag = 0 if message.direction == "request" else 0x80
            out.append(bytes([i | flag]) + codec.pack_message(message))
    return out


if __name__ == "__main__":
    main(test_one_input, seeds, NAME, sys.argv)
