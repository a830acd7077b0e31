"""Byte-for-byte cross-check against the official ``neo4j`` driver's PackStream v1 codec.

The driver picks its codec at import time: ``neo4j._codec.packstream.v1`` defines
``Packer._pack`` / ``Unpacker.unpack`` to call the Rust extension (``neo4j-rust-ext``) when it
imports, and keeps the pure-Python implementation in ``Packer._py_pack`` / ``Unpacker._unpack``.
``PyPacker`` / ``PyUnpacker`` below override the dispatching methods to call the Python ones
directly (structure fields included, since ``_pack_struct`` recurses through ``self._pack``), so
both implementations are compared whatever is installed; a test proves the override never
reaches the Rust functions.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asyncbolt.codec.packstream import pack, unpack
from asyncbolt.codec.structures import STRUCTURES, Structure
from tests.strategies import (
    PROFILES,
    UNKNOWN_TAGS,
    assert_same,
    codec_of,
    floats,
    integers,
    profile_id,
    same,
    struct_layout,
    structure_of,
    structures_in,
    texts,
)

v1 = pytest.importorskip("neo4j._codec.packstream.v1")
from neo4j._codec.packstream import RUST_AVAILABLE  # noqa: E402
from neo4j._codec.packstream._common import PackableBuffer, UnpackableBuffer  # noqa: E402

TheirStructure = v1.Structure


class PyPacker(v1.Packer):
    """The driver's packer with the Rust dispatch bypassed: pure Python all the way down."""

    def _pack(self, data, dehydration_hooks=None):
        self._py_pack(data, dehydration_hooks)


class PyUnpacker(v1.Unpacker):
    """The driver's unpacker with the Rust dispatch bypassed."""

    def unpack(self, hydration_hooks=None):
        return self._unpack(hydration_hooks=hydration_hooks)


def py_pack(value) -> bytes:
    packer = PyPacker(PackableBuffer())
    packer.pack(value)
    return bytes(packer.stream.data)


def py_unpack(data: bytes):
    unpacker = PyUnpacker(UnpackableBuffer(data))
    value = unpacker.unpack()
    assert unpacker.unpackable.p == len(data), "the driver left bytes unread"
    return value


def default_pack(value) -> bytes:
    """The driver's default path (Rust when neo4j-rust-ext is installed)."""
    packer = v1.Packer(PackableBuffer())
    packer.pack(value)
    return bytes(packer.stream.data)


def default_unpack(data: bytes):
    unpacker = v1.Unpacker(UnpackableBuffer(data))
    value = unpacker.unpack()
    assert unpacker.unpackable.p == len(data), "the driver left bytes unread"
    return value


IMPLEMENTATIONS = [pytest.param((py_pack, py_unpack), id="python")]
if RUST_AVAILABLE and v1._rust_pack is not None:
    IMPLEMENTATIONS.append(pytest.param((default_pack, default_unpack), id="rust"))


# ---- value mapping: theirs <-> ours ---------------------------------------------------------


def to_theirs(value, profile=None):
    if type(value) is Structure:
        return TheirStructure(bytes([value.tag]), *(to_theirs(f, profile) for f in value.fields))
    if type(value) in STRUCTURES.values():
        name = type(value).__name__
        layout = struct_layout(name, profile)
        fields = [to_theirs(getattr(value, f), profile) for f, _ in layout]
        return TheirStructure(bytes([value.tag]), *fields)
    if type(value) is list:
        return [to_theirs(v, profile) for v in value]
    if type(value) is dict:
        return {k: to_theirs(v, profile) for k, v in value.items()}
    return value


def from_theirs(value):
    if isinstance(value, TheirStructure):
        return Structure(value.tag[0], [from_theirs(f) for f in value.fields])
    if type(value) is list:
        return [from_theirs(v) for v in value]
    if type(value) is dict:
        return {k: from_theirs(v) for k, v in value.items()}
    if type(value) in (bytearray, memoryview):
        return bytes(value)
    return value


# The shared semantics: None, bool, int64, float (NaN included: compared bit for bit), str,
# bytes, list, str-keyed dict, and structures whose tag no Bolt version defines.
shared_scalars = st.one_of(st.none(), st.booleans(), integers, floats, texts, st.binary(max_size=30))
shared_values = st.recursive(
    shared_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(texts, children, max_size=5),
        st.builds(Structure, st.sampled_from(UNKNOWN_TAGS), st.lists(children, max_size=4)),
    ),
    max_leaves=25,
)

CHECK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@CHECK
@given(shared_values)
def test_same_bytes_both_ways(impl, value) -> None:
    their_pack, their_unpack = impl
    ours = pack(value)
    theirs = their_pack(to_theirs(value))
    assert ours == theirs
    assert_same(unpack(theirs), value)
    assert_same(from_theirs(their_unpack(ours)), value)


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@pytest.mark.parametrize(
    "value",
    [
        0, -16, -17, 127, 128, -128, -129, 32767, 32768, -32768, -32769,
        2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 2**63 - 1, -(2**63),
        0.0, -0.0, float("inf"), float("-inf"), float("nan"),
        "", "a" * 15, "a" * 16, "a" * 255, "a" * 256, "é" * 40000, "a" * 65536,
        b"", b"x" * 255, b"x" * 256, b"x" * 65535, b"x" * 65536,
        [None] * 15, [None] * 16, [True] * 255, [False] * 256, [1] * 65535, [1] * 65536,
        {f"k{i}": i for i in range(16)}, {f"k{i}": i for i in range(256)},
        {f"k{i}": None for i in range(65536)},
        Structure(0x41, []), Structure(0x41, [1] * 15), Structure(0x00, [[{"a": Structure(0x7F)}]]),
    ],
    ids=lambda v: f"{type(v).__name__}-{len(v) if hasattr(v, '__len__') else v}"[:40],
)
def test_boundaries_same_bytes(impl, value) -> None:
    their_pack, their_unpack = impl
    ours = pack(value)
    assert ours == their_pack(to_theirs(value))
    assert same(from_theirs(their_unpack(ours)), value)


PROFILES_WITH_STRUCTS = [p for p in PROFILES if profile_id(p) in ("1.0", "4.4", "4.4+utc", "5.0", "6.0")]
STRUCT_CASES = [(p, n) for p in PROFILES_WITH_STRUCTS for n in structures_in(p)]


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@pytest.mark.parametrize(
    ("profile", "name"), STRUCT_CASES, ids=[f"{profile_id(p)}-{n}" for p, n in STRUCT_CASES]
)
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_known_structures_same_bytes(impl, profile, name, data) -> None:
    """Our structure classes pack exactly like the driver's generic Structure of the same tag
    and fields in the profile's layout; we decode the driver's bytes back to our class."""
    their_pack, their_unpack = impl
    value = data.draw(structure_of(name, profile))
    codec = codec_of(profile)
    ours = codec.pack(value)
    theirs = their_pack(to_theirs(value, profile))
    assert ours == theirs
    assert_same(codec.unpack(theirs), value)
    decoded = their_unpack(ours)
    assert isinstance(decoded, TheirStructure)
    assert decoded.tag == bytes([STRUCTURES[name].tag])
    assert_same(from_theirs(decoded), from_theirs(to_theirs(value, profile)))


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_tuples_and_bytearrays(impl) -> None:
    their_pack, _ = impl
    assert pack((1, (2, "x"))) == their_pack([1, [2, "x"]])
    assert pack(bytearray(b"abc")) == their_pack(b"abc")


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_both_refuse_non_string_keys_and_big_ints(impl) -> None:
    their_pack, _ = impl
    for bad in ({1: 2}, {"a": {b"k": 1}}):
        with pytest.raises(TypeError):
            pack(bad)
        with pytest.raises(TypeError):
            their_pack(bad)
    for big in (2**63, -(2**63) - 1):
        with pytest.raises(ValueError):
            pack(big)
        with pytest.raises((OverflowError, ValueError)):
            their_pack(big)


def test_pure_python_path_never_calls_rust(monkeypatch) -> None:
    """The override really is the Python implementation: with the Rust entry points replaced
    by traps, PyPacker/PyUnpacker still work (and the default path, when Rust is installed,
    hits the trap, which shows the trap is in the right place)."""

    def trap(*args, **kwargs):
        raise AssertionError("the Rust codec was called")

    monkeypatch.setattr(v1, "_rust_pack", trap)
    monkeypatch.setattr(v1, "_rust_unpack", trap)
    value = [1, {"k": Structure(0x41, ["x", 2.5, None])}, b"\x00", -(2**40)]
    data = py_pack(to_theirs(value))
    assert data == pack(value)
    assert_same(from_theirs(py_unpack(data)), value)
    if len(IMPLEMENTATIONS) == 2:  # the default path is the Rust one
        with pytest.raises(AssertionError, match="Rust"):
            default_pack([1])
        with pytest.raises(AssertionError, match="Rust"):
            default_unpack(b"\x01")


def test_rust_extension_is_installed_and_used_by_default() -> None:
    """With neo4j-rust-ext installed (as in this project's dev extras) both implementations are
    really compared."""
    if not RUST_AVAILABLE:
        pytest.skip("neo4j-rust-ext is not installed: only the pure-Python codec is compared")
    assert v1._rust_pack is not None and v1._rust_unpack is not None
    assert len(IMPLEMENTATIONS) == 2
