"""The C accelerator (asyncbolt._generated._accel) against the pure-Python codec.

Both are generated from spec/; they must agree byte for byte on every encoding, value for value
on every decoding, and on every error: same exception type, same message, same offset and path.
The rest of the suite runs on whichever codec ``ACCELERATED`` picks (``make test`` and
``make test-pure`` run it on both); these tests compare the two in one process, so they are
skipped when the C codec is not available.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import subprocess
import sys
import tracemalloc
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from asyncbolt import ProtocolError
from asyncbolt.codec import packstream
from asyncbolt.codec.messages import LAYOUTS
from asyncbolt.codec.packstream import Codec
from asyncbolt.codec.structures import STRUCTURES, Date, Node, UnboundRelationship
from asyncbolt.codec.structures import Path as GraphPath
from asyncbolt.codec.types import Structure
from tests.strategies import (
    INT_EDGES,
    PROFILES,
    UNKNOWN_TAGS,
    message_cases,
    message_of,
    messages,
    mutate,
    mutation_ops,
    profile_id,
    same,
    structure_of,
    structures_in,
    values,
)

ROOT = Path(__file__).resolve().parent.parent

# -- ACCELERATED and ASYNCBOLT_PURE (these run on both paths) --------------------------------------


def _accelerated_in_subprocess(pure: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "ASYNCBOLT_PURE"}
    if pure is not None:
        env["ASYNCBOLT_PURE"] = pure
    code = ("import asyncbolt.codec.packstream as p; "
            "print(p.ACCELERATED, p.get_codec((5, 0)).accelerated, p._accel is not None)")
    proc = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return proc.stdout.strip()


def _built() -> bool:
    try:
        from asyncbolt._generated import _accel  # noqa: F401
    except ImportError:
        return False
    return True


def test_asyncbolt_pure_forces_the_python_codec() -> None:
    assert _accelerated_in_subprocess("1") == "False False False"


def test_accelerated_by_default_when_built() -> None:
    expected = "True True True" if _built() else "False False False"
    assert _accelerated_in_subprocess(None) == expected
    assert _accelerated_in_subprocess("0") == expected


def test_accelerated_flag_matches_this_process() -> None:
    pure = os.environ.get("ASYNCBOLT_PURE", "") not in ("", "0")
    assert packstream.ACCELERATED == (_built() and not pure)
    assert packstream.get_codec((5, 0)).accelerated == packstream.ACCELERATED
    assert Codec((5, 0), accelerated=False).accelerated is False
    if not packstream.ACCELERATED:
        with pytest.raises(RuntimeError, match="accelerator is not available"):
            Codec((5, 0), accelerated=True)


def test_generated_c_source_is_committed_and_current() -> None:
    from codegen.render import render
    from codegen.spec import load

    files = render(load(ROOT / "spec"), ["spec/packstream.yaml", "spec/bolt.yaml"])
    assert "_accel.c" in files
    path = ROOT / "asyncbolt" / "_generated" / "_accel.c"
    assert path.read_text() == files["_accel.c"]
    head = files["_accel.c"].splitlines()[:2]
    assert "Generated from spec/packstream.yaml, spec/bolt.yaml" in head[0]
    assert "Do not edit" in head[1]


def test_check_mode_covers_the_c_source(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    subprocess.run([sys.executable, "-m", "codegen", "--out", str(out)], cwd=ROOT, check=True,
                   capture_output=True)
    assert (out / "_accel.c").exists()

    def check() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "codegen", "--out", str(out), "--check"],
                              cwd=ROOT, capture_output=True, text=True)

    assert check().returncode == 0
    source = (out / "_accel.c").read_text()
    (out / "_accel.c").write_text(source.replace("reserved marker byte", "reserved byte"))
    stale = check()
    assert stale.returncode == 1 and "_accel.c" in stale.stderr
    (out / "_accel.c").write_text(source)
    (out / "extra.c").write_text("/* left over */\n")
    extra = check()
    assert extra.returncode == 1 and "extra.c" in extra.stderr


def test_the_c_source_carries_the_digest_codec_py_expects() -> None:
    from asyncbolt._generated import codec

    source = (ROOT / "asyncbolt" / "_generated" / "_accel.c").read_text()
    assert f'#define ACCEL_DIGEST "{codec._ACCEL_DIGEST}"' in source


needs_c = pytest.mark.skipif(not packstream.ACCELERATED,
                             reason="the C accelerator is not built or ASYNCBOLT_PURE is set")

# -- helpers ---------------------------------------------------------------------------------------

_PAIRS: dict[tuple, tuple[Codec, Codec]] = {}


def pair(profile=((5, 0), ())) -> tuple[Codec, Codec]:
    """(C codec, pure-Python codec) of a profile."""
    key = (tuple(profile[0]), tuple(profile[1]))
    if key not in _PAIRS:
        _PAIRS[key] = (Codec(*key, accelerated=True), Codec(*key, accelerated=False))
    return _PAIRS[key]


def outcome(fn, *args) -> tuple:
    try:
        result = fn(*args)
    except ProtocolError as exc:
        return ("ProtocolError", exc.reason, exc.offset, exc.path)
    except (ValueError, TypeError, RuntimeError) as exc:
        return (type(exc).__name__, str(exc))
    return ("ok", result)


def assert_same_outcome(a: tuple, b: tuple) -> None:
    if a[0] == "ok" and b[0] == "ok":
        assert same(a[1], b[1]), f"\nC:      {a[1]!r}\nPython: {b[1]!r}"
    else:
        assert a == b, f"\nC:      {a!r}\nPython: {b!r}"


def check_decode(data: bytes, profile=((5, 0), ())) -> None:
    """The C decoder on its own (no Python diagnosis) gives what the pure codec gives."""
    c, p = pair(profile)
    for offset in (0,) if len(data) < 2 else (0, 1):
        assert_same_outcome(outcome(c._unpack, data, offset), outcome(p.unpack_from, data, offset))
    assert_same_outcome(outcome(c.unpack, data), outcome(p.unpack, data))


def check_encode(value: Any, profile=((5, 0), ())) -> bytes | None:
    c, p = pair(profile)
    a, b = outcome(c.pack, value), outcome(p.pack, value)
    assert a == b, f"\nC:      {a!r}\nPython: {b!r}"
    return a[1] if a[0] == "ok" else None


def h(text: str) -> bytes:
    return bytes.fromhex(text)


PROFILE_IDS = [profile_id(p) for p in PROFILES]
FEW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- generated values and messages -----------------------------------------------------------------


@needs_c
@pytest.mark.parametrize("profile", PROFILES, ids=PROFILE_IDS)
@FEW
@given(data=st.data())
def test_values_agree(profile, data) -> None:
    value = data.draw(values(profile))
    encoded = check_encode(value, profile)
    assert encoded is not None
    check_decode(encoded, profile)
    c, _ = pair(profile)
    assert same(c.unpack(encoded), value) or value != value  # NaN inside


@needs_c
@pytest.mark.parametrize("profile", PROFILES, ids=PROFILE_IDS)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_structures_agree(profile, data) -> None:
    for name in structures_in(profile):
        value = data.draw(structure_of(name, profile))
        encoded = check_encode(value, profile)
        assert encoded is not None
        check_decode(encoded, profile)


@needs_c
@pytest.mark.parametrize(("profile", "cls"), message_cases(),
                         ids=[f"{profile_id(p)}-{c.name}" for p, c in message_cases()])
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_messages_agree(profile, cls, data) -> None:
    message = data.draw(message_of(cls, profile))
    c, p = pair(profile)
    a, b = outcome(c.pack_message, message), outcome(p.pack_message, message)
    assert a == b
    assert a[0] == "ok"
    encoded = a[1]
    for decode in ("unpack_request", "unpack_response"):
        assert_same_outcome(outcome(getattr(c, decode), encoded), outcome(getattr(p, decode), encoded))


@needs_c
@pytest.mark.parametrize("profile", PROFILES, ids=PROFILE_IDS)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), ops=mutation_ops)
def test_malformed_messages_agree(profile, data, ops) -> None:
    message = data.draw(messages(profile))
    c, p = pair(profile)
    encoded = mutate(p.pack_message(message), ops)
    for decode in ("unpack_request", "unpack_response"):
        assert_same_outcome(outcome(getattr(c, decode), encoded), outcome(getattr(p, decode), encoded))
    if len(encoded) > 2:
        assert_same_outcome(outcome(c._unpack, encoded, 2), outcome(p.unpack_from, encoded, 2))


# -- malformed input -------------------------------------------------------------------------------


@needs_c
@pytest.mark.parametrize("profile", PROFILES, ids=PROFILE_IDS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), ops=mutation_ops)
def test_mutated_values_agree(profile, data, ops) -> None:
    _, p = pair(profile)
    check_decode(mutate(p.pack(data.draw(values(profile))), ops), profile)


@needs_c
@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PROFILES), st.binary(max_size=64))
@example(((5, 0), ()), h("B4 4E 01 91 01 A0 81 61"))  # a Node label that is not a string
@example(((6, 1), ()), h("E0 00 01"))  # a truncated UUID
@example(((6, 0), ()), h("E0") + bytes(16))  # UUID before 6.1
@example(((5, 0), ()), h("A1 01 01"))  # a map key that is not a string
@example(((5, 0), ()), h("A1 82 C3 28 01"))  # invalid UTF-8 in a key
def test_random_bytes_agree(profile, data) -> None:
    check_decode(data, profile)


@needs_c
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PROFILES), st.data())
def test_every_prefix_agrees(profile, data) -> None:
    _, p = pair(profile)
    encoded = p.pack(data.draw(values(profile)))
    for cut in range(len(encoded)):
        check_decode(encoded[:cut], profile)


MALFORMED = [
    "", "C4", "DF", "E0", "C8", "C9 01", "CA 00 00 01", "CB 00", "C1 00 00", "CC", "CC 05 41",
    "CD 00", "CE 00 00 00 09 41", "D0 03 41 42", "D1 00 05", "D2 7F FF FF FF", "D2 FF FF FF FF",
    "D4 02 01", "D5 FF FF", "D6 7F FF FF FF 01", "D8 01 81 61", "D9 00 02 81 61 01",
    "DA 7F FF FF FF", "93 01 02", "A2 81 61 01", "A1 C0 01", "A1 D0 02 61", "A1 D1 00", "B1",
    "B1 80 C0", "B2 44 01 02", "B1 44 81 61", "B1 44", "B0 4E", "B4 4E C0 90 A0 81 61",
    "B4 4E 01 90 A0 01", "B4 4E 01 91 01 A0 81 61", "B3 4E 01 90 A0", "B1 01 C0", "B2 7F 01",
    "B3 50 90 90 91 C0", "B3 50 91 01 90 90", "81 FF", "82 E2 82", "D0 02 C3 28",
    "A1 81 61 85 68 65 6C 6C FF", "B1 41 B1 41 B1 41", "B3 58 C9 1E 61 C1 3F F0 00 00 00 00 00 00",
]


@needs_c
@pytest.mark.parametrize("hexdata", MALFORMED, ids=[m or "empty" for m in MALFORMED])
def test_malformed_vectors_agree(hexdata: str) -> None:
    for profile in (((5, 0), ()), ((4, 4), ()), ((4, 4), ("utc",)), ((3, 0), ()), ((6, 1), ())):
        check_decode(h(hexdata), profile)


@needs_c
def test_nesting_too_deep_agrees() -> None:
    # Past max_depth (256 by default): the C decoder on its own says where, like the pure one.
    for data, at in ((h("91") * 100_000, 256), (h("A1 81 61") * 50_000, 768),
                     (h("B1 41") * 100_000, 512), (h("B1 44") + h("91") * 100_000, 257)):
        c, p = pair()
        a = outcome(c._unpack, data, 0)
        assert a == ("ProtocolError", "values nested deeper than 256 levels", at, ())
        assert_same_outcome(a, outcome(p.unpack_from, data, 0))
        assert_same_outcome(outcome(c.unpack, data), outcome(p.unpack, data))
    c, p = pair()
    data = h("B1 71") + h("91") * 100_000
    assert_same_outcome(outcome(c.unpack_response, data), outcome(p.unpack_response, data))
    # With a limit beyond what the stack allows, the C decoder's own guard still holds.
    deep_c = Codec((5, 0), accelerated=True, max_depth=10**9)
    assert outcome(deep_c._unpack, h("91") * 1_000_000, 0) == (
        "ProtocolError", "values nested too deeply to decode", 0, ())


@needs_c
def test_buffers_decode_like_bytes() -> None:
    c, p = pair()
    data = p.pack([1, "two", {"three": 3.0}, b"four", Node(5, ["L"], {}, "e")])
    for buffer in (bytearray(data), memoryview(data)):
        value, end = c._unpack(buffer, 0)
        assert end == len(data) and same(value, p.unpack(data))
    assert same(c.unpack_from(b"\xc0" + data, 1), p.unpack_from(b"\xc0" + data, 1))


@needs_c
def test_unpack_argument_errors() -> None:
    c, _ = pair()
    with pytest.raises(TypeError):
        c._unpack(b"\xc0")
    with pytest.raises(TypeError):
        c._unpack("text", 0)
    with pytest.raises(IndexError):
        c._unpack(b"\xc0", -1)
    with pytest.raises(TypeError):
        c._pack(1, [])


# -- size and width boundaries ---------------------------------------------------------------------

SIZES = [0, 1, 15, 16, 17, 255, 256, 257, 65535, 65536, 65537]


@needs_c
@pytest.mark.parametrize("n", SIZES)
def test_size_boundaries_agree(n: int) -> None:
    c, p = pair()
    for value in ("x" * n, "é" * (n // 2), b"\x00" * n, list(range(n % 300)) * (n // 300 or 1),
                  [None] * n, {f"k{i}": i for i in range(n)}, {"k" * n: 1}):
        encoded = check_encode(value)
        assert encoded is not None
        check_decode(encoded)
        assert same(c.unpack(encoded), value)


@needs_c
@pytest.mark.parametrize("value", INT_EDGES)
def test_int_widths_agree(value: int) -> None:
    check_decode(check_encode(value))
    check_decode(check_encode([value, -value if value > -(2**63) else 0]))


@needs_c
@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, 2**64, -(2**64), 10**30, 10**400])
def test_int_out_of_range_agrees(value: int) -> None:
    assert check_encode(value) is None
    assert check_encode({"a": [value]}) is None


@needs_c
def test_floats_bit_exact() -> None:
    import struct

    for bits in (0x7FF8000000000001, 0xFFF0000000000000, 0x8000000000000000, 0x0000000000000001,
                 0x7FF4000000000000):
        x = struct.unpack(">d", bits.to_bytes(8, "big"))[0]
        encoded = check_encode(x)
        c, _ = pair()
        back = c.unpack(encoded)
        assert struct.pack(">d", back) == struct.pack(">d", x)


# -- encoder inputs off the hot path ---------------------------------------------------------------


class MyInt(int):
    pass


class MyStr(str):
    pass


class WeirdStr(str):
    def __str__(self) -> str:
        return "weird"


class MyDict(dict):
    pass


class MyList(list):
    pass


ODD_VALUES = [
    (1, 2, (3,)), bytearray(b"ab"), memoryview(b"abc"), memoryview(b"abcdef")[1:3], MyInt(300),
    MyStr("x"), MyDict(a=1), MyList([1]), {MyStr("k"): 1}, {WeirdStr("k"): 1}, True, False,
    dt.date(2024, 2, 29), dt.datetime(2024, 1, 1, 12, 0, 1, 5), dt.time(1, 2, 3),
    dt.timedelta(days=1, microseconds=3), dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc),
    Structure(0x01, [1, "a"]), Structure(0x7F, []), "\ud800", {1: 2}, {None: 1}, object(),
    Date(10), Structure(0x01, list(range(16))), uuid.UUID(int=5), float("inf"),
    memoryview(b"abcdef")[::2], "😀" * 20,
]


@needs_c
@pytest.mark.parametrize("value", ODD_VALUES, ids=[type(v).__name__ for v in ODD_VALUES])
def test_odd_values_agree(value: Any) -> None:
    for profile in (((5, 0), ()), ((4, 4), ()), ((6, 1), ()), ((1, 0), ())):
        encoded = check_encode(value, profile)
        if encoded is not None:
            check_decode(encoded, profile)
        check_encode([value, {"v": value}], profile)


@needs_c
def test_cyclic_and_deep_values_agree() -> None:
    cyclic: list = []
    cyclic.append(cyclic)
    assert check_encode(cyclic) is None
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    assert check_encode(deep) is None
    shallow: list = []
    for _ in range(200):
        shallow = [shallow]
    check_decode(check_encode(shallow))


@needs_c
@pytest.mark.parametrize("profile", PROFILES, ids=PROFILE_IDS)
def test_structures_of_other_versions_agree(profile) -> None:
    for cls in STRUCTURES.values():
        instance = cls.__new__(cls)
        for name in cls.fields:
            setattr(instance, name, None)
        check_encode(instance, profile)
    for tag in UNKNOWN_TAGS[:5]:
        check_decode(bytes([0xB1, tag, 0x01]), profile)
    for cls in STRUCTURES.values():
        check_decode(bytes([0xB0, cls.tag]), profile)
        check_decode(bytes([0xB3, cls.tag, 0x01, 0x02, 0x03]), profile)


@needs_c
def test_structures_with_unset_or_bad_fields_agree() -> None:
    path = GraphPath([Node(1, [], {}, "a")], [UnboundRelationship(1, "T", {}, "r")], [1, 1])
    check_decode(check_encode(path))
    bad = Node("one", ["L"], {}, "e")
    check_decode(check_encode(bad))  # packs; decoding refuses the id with the same error


def test_unset_slot_raises_attribute_error_on_both() -> None:
    node = Node.__new__(Node)
    node.id = 1
    errors = set()
    for accelerated in (False, True) if packstream.ACCELERATED else (False,):
        with pytest.raises(AttributeError) as info:
            Codec((5, 0), accelerated=accelerated).pack([node])
        errors.add(str(info.value))
    assert len(errors) == 1


# -- references and memory -------------------------------------------------------------------------


@needs_c
def test_no_leaks() -> None:
    c, p = pair()
    payload = [[i, float(i), f"s{i}", [i] * 3, {"k": i, "n": None}, Node(i, ["L"], {"p": i}, f"e{i}")]
               for i in range(200)]
    payload.append([dt.date(2020, 1, 1), Structure(0x01, [1]), uuid.UUID(int=1)])
    data = c.pack(payload[:-1])
    bad = [h(x) for x in MALFORMED]

    def work() -> None:
        for _ in range(20):
            c.unpack(data)
            c.pack(payload[:-1])
            c.pack([payload[-1][0], payload[-1][1]])
            for b in bad:
                try:
                    c._unpack(b, 0)
                except ProtocolError:
                    pass
            try:
                c.pack([1, object()])
            except TypeError:
                pass

    work()
    gc.collect()
    tracemalloc.start()
    try:
        work()
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(5):
            work()
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert after - before < 64_000, after - before


@needs_c
def test_messages_of_every_version_encode_the_same_with_tables() -> None:
    """pack_message goes through the C encoder for every field of every message layout."""
    for version, layouts in LAYOUTS.items():
        c, p = pair((version, ()))
        for cls, names in layouts.items():
            message = cls(*[None] * len(names))
            a, b = outcome(c.pack_message, message), outcome(p.pack_message, message)
            assert a == b


# -- framing ---------------------------------------------------------------------------------------


def _feed_all(reader, stream: bytes, cuts: list[int], kind) -> tuple:
    got: list = []
    pieces = []
    start = 0
    for cut in sorted(c % (len(stream) + 1) for c in cuts) + [len(stream)]:
        pieces.append(stream[start:cut])
        start = max(start, cut)
    try:
        for piece in pieces:
            got += reader.feed(kind(piece))
    except ProtocolError as exc:
        return ("ProtocolError", exc.reason, exc.offset, got, reader.noops, reader.offset)
    return ("ok", got, reader.noops, reader.offset, reader.buffered)


_chunk_streams = st.lists(
    st.one_of(
        st.binary(min_size=1, max_size=300).map(lambda p: ("message", p)),
        st.just(("noop", b"")),
        st.binary(min_size=0, max_size=6).map(lambda p: ("junk", p)),
        st.tuples(st.binary(min_size=1, max_size=40), st.integers(1, 7)).map(
            lambda t: ("small-chunks", t)),
    ),
    max_size=12,
)


def _stream(parts) -> bytes:
    from asyncbolt.core.framing import chunk_message

    out = bytearray()
    for kind, value in parts:
        if kind == "message":
            out += chunk_message(value)
        elif kind == "noop":
            out += b"\x00\x00"
        elif kind == "junk":
            out += value
        else:
            out += chunk_message(value[0], value[1])
    return bytes(out)


@needs_c
@settings(max_examples=300, deadline=None)
@given(_chunk_streams, st.lists(st.integers(0, 4000), max_size=5), st.sampled_from([None, 1, 50, 299]),
       st.sampled_from([bytes, bytearray, memoryview]))
def test_framing_agrees(parts, cuts, limit, kind) -> None:
    from asyncbolt.core import framing

    stream = _stream(parts)
    split = framing._split_chunks
    assert split is not None
    c = _feed_all(framing.ChunkReader(limit), stream, cuts, kind)
    try:
        framing._split_chunks = None
        p = _feed_all(framing.ChunkReader(limit), stream, cuts, kind)
    finally:
        framing._split_chunks = split
    assert c == p
