"""Fuzz target: PackStream value decoding, every profile, C and pure-Python codecs side by side.

Input: byte 0 picks the profile (version + patches), the rest is the encoded value. Both codecs
decode it; they must agree (the same value, or both a ``ProtocolError``), the error must carry
an offset inside the data, and a value that decodes must encode and decode back to itself.
``ProtocolError`` is the codec's one documented error; anything else escaping is a finding.

    python -m fuzz.packstream_decode [libFuzzer args]
"""

from __future__ import annotations

import sys

from fuzz._common import instrumenting, main, profiles, same

with instrumenting():
    from asyncbolt.codec import packstream
    from asyncbolt.errors import ProtocolError
    from fuzz import samples

NAME = "packstream_decode"
PROFILES = profiles()
_PURE = [packstream.Codec(v, p, accelerated=False) for v, p in PROFILES]
_FAST = [packstream.Codec(v, p, accelerated=True) if packstream.ACCELERATED else None
         for v, p in PROFILES]


def _decode(codec: packstream.Codec, data: bytes) -> tuple[bool, object]:
    try:
        return True, codec.unpack(data)
    except ProtocolError as exc:
        if exc.offset is None or not 0 <= exc.offset <= len(data):
            raise AssertionError(f"{codec!r}: offset {exc.offset} outside the data: {exc}") from exc
        return False, exc


def test_one_input(data: bytes) -> None:
    if not data:
        return
    index = data[0] % len(PROFILES)
    body = data[1:]
    pure = _PURE[index]
    ok, value = _decode(pure, body)
    fast = _FAST[index]
    if fast is not None:
        fast_ok, fast_value = _decode(fast, body)
        if ok != fast_ok or (ok and not same(value, fast_value)):
            raise AssertionError(f"C and pure codecs disagree on {body.hex(' ')} in {pure.profile}: "
                                 f"C {fast_value!r}, pure {value!r}")
        if not ok and str(value) != str(fast_value):
            raise AssertionError(f"C and pure codecs report different errors on {body.hex(' ')}: "
                                 f"C {fast_value}, pure {value}")
    if ok:
        again = pure.unpack(pure.pack(value))
        if not same(again, value):
            raise AssertionError(f"{pure.profile}: {value!r} re-encodes to {again!r}")


def seeds() -> list[bytes]:
    values = samples.sample_values()
    out = []
    for i, (version, patches) in enumerate(PROFILES):
        for encoded in samples.encodable(packstream.get_codec(version, patches), values):
            out.append(bytes([i]) + encoded)
    return out


if __name__ == "__main__":
    main(test_one_input, seeds, NAME, sys.argv)
