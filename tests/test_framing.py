"""Tests for asyncbolt.core.framing: chunking vectors from the Bolt docs, limits and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asyncbolt.core.framing import MAX_CHUNK_SIZE, ChunkReader, ChunkWriter, chunk_message
from asyncbolt.errors import ProtocolError

# docs-bolt bolt/message.adoc "Chunking" examples.
MSG16 = bytes(range(16))
CHUNKED16 = bytes.fromhex("0010 000102030405060708090a0b0c0d0e0f 0000")
MSG20 = bytes(range(16)) + bytes([1, 2, 3, 4])
CHUNKED20_MAX16 = bytes.fromhex("0010 000102030405060708090a0b0c0d0e0f 0004 01020304 0000")
MSG8 = bytes.fromhex("0f0e0d0c0b0a0908")
CHUNKED8 = bytes.fromhex("0008 0f0e0d0c0b0a0908 0000")


def feed_all(reader: ChunkReader, stream: bytes, step: int) -> list[bytes]:
    out: list[bytes] = []
    for i in range(0, len(stream), step):
        out += reader.feed(stream[i : i + step])
    return out


# ---- chunk_message / ChunkWriter ---------------------------------------------------------------


def test_docs_single_chunk() -> None:
    assert chunk_message(MSG16) == CHUNKED16


def test_docs_split_with_max_16() -> None:
    assert chunk_message(MSG20, max_chunk_size=16) == CHUNKED20_MAX16


def test_docs_two_messages_back_to_back() -> None:
    writer = ChunkWriter()
    writer.write(MSG16)
    writer.write(MSG8)
    assert writer.take() == CHUNKED16 + CHUNKED8


def test_docs_noop_between_messages() -> None:
    writer = ChunkWriter()
    writer.write(MSG16)
    writer.noop()
    writer.write(MSG8)
    assert writer.take() == CHUNKED16 + b"\x00\x00" + CHUNKED8


def test_chunk_message_accepts_bytearray_and_memoryview() -> None:
    assert chunk_message(bytearray(MSG16)) == CHUNKED16
    assert chunk_message(memoryview(MSG16)) == CHUNKED16
    assert chunk_message(memoryview(MSG20), max_chunk_size=16) == CHUNKED20_MAX16


def test_chunk_message_memoryview_of_wide_items_counts_bytes() -> None:
    view = memoryview(bytes(range(8))).cast("I")  # 2 items of 4 bytes
    assert chunk_message(view) == b"\x00\x08" + bytes(range(8)) + b"\x00\x00"
    writer = ChunkWriter()
    writer.write(view)
    assert writer.take() == b"\x00\x08" + bytes(range(8)) + b"\x00\x00"


def test_empty_message_is_rejected() -> None:
    with pytest.raises(ValueError):
        chunk_message(b"")
    with pytest.raises(ValueError):
        ChunkWriter().write(b"")


@pytest.mark.parametrize("bad", [0, -1, 65536])
def test_max_chunk_size_bounds(bad: int) -> None:
    with pytest.raises(ValueError):
        chunk_message(b"x", max_chunk_size=bad)
    with pytest.raises(ValueError):
        ChunkWriter(max_chunk_size=bad)


def test_exact_max_chunk_is_one_chunk() -> None:
    payload = bytes(range(256)) * 255 + bytes(255)  # 65535 bytes
    assert len(payload) == MAX_CHUNK_SIZE
    assert chunk_message(payload) == b"\xff\xff" + payload + b"\x00\x00"


def test_one_over_max_chunk_is_two_chunks() -> None:
    payload = bytes(i % 251 for i in range(65536))
    assert chunk_message(payload) == (
        b"\xff\xff" + payload[:65535] + b"\x00\x01" + payload[65535:] + b"\x00\x00"
    )


def test_200000_bytes_split_into_full_chunks_then_rest() -> None:
    payload = bytes(i % 253 for i in range(200_000))
    chunked = chunk_message(payload)
    # 3 full chunks (196605 bytes) + 3395
    assert chunked == (
        b"\xff\xff"
        + payload[0:65535]
        + b"\xff\xff"
        + payload[65535:131070]
        + b"\xff\xff"
        + payload[131070:196605]
        + (3395).to_bytes(2, "big")
        + payload[196605:]
        + b"\x00\x00"
    )
    writer = ChunkWriter()
    writer.write(payload)
    assert writer.take() == chunked


def test_writer_take_clears_and_len() -> None:
    writer = ChunkWriter()
    assert len(writer) == 0
    writer.write(b"\xb0\x0f")
    writer.noop()
    assert len(writer) == 8
    assert writer.take() == bytes.fromhex("0002 b00f 0000 0000")
    assert len(writer) == 0
    assert writer.take() == b""


def test_writer_small_max_chunk_size() -> None:
    writer = ChunkWriter(max_chunk_size=2)
    writer.write(b"abcde")
    assert writer.take() == b"\x00\x02ab\x00\x02cd\x00\x01e\x00\x00"


# ---- ChunkReader -------------------------------------------------------------------------------


def test_reader_docs_vectors() -> None:
    reader = ChunkReader()
    assert reader.feed(CHUNKED16) == [MSG16]
    assert reader.feed(CHUNKED20_MAX16) == [MSG20]
    assert reader.feed(CHUNKED16 + CHUNKED8) == [MSG16, MSG8]
    assert reader.noops == 0
    assert reader.feed(CHUNKED16 + b"\x00\x00" + CHUNKED8) == [MSG16, MSG8]
    assert reader.noops == 1
    assert reader.buffered == 0
    assert reader.offset == len(CHUNKED16) * 3 + len(CHUNKED20_MAX16) + len(CHUNKED8) * 2 + 2


def test_reader_one_byte_at_a_time() -> None:
    stream = b"\x00\x00" + CHUNKED16 + b"\x00\x00" + CHUNKED20_MAX16 + CHUNKED8 + b"\x00\x00"
    reader = ChunkReader()
    out = []
    seen_at = []
    for i in range(len(stream)):
        got = reader.feed(stream[i : i + 1])
        if got:
            seen_at.append(i)
        out += got
    assert out == [MSG16, MSG20, MSG8]
    # Each message completes exactly on the last byte of its end marker.
    ends = [2 + len(CHUNKED16) - 1]
    ends.append(ends[0] + 2 + len(CHUNKED20_MAX16))
    ends.append(ends[1] + len(CHUNKED8))
    assert seen_at == ends
    assert reader.noops == 3
    assert reader.offset == len(stream)
    assert reader.buffered == 0
    assert reader.feed_eof() is None


def test_reader_buffered_counts_partial_header_and_payload() -> None:
    reader = ChunkReader()
    assert reader.feed(b"\x00") == []
    assert reader.buffered == 1
    assert reader.feed(b"\x10\x00\x01\x02") == []
    assert reader.buffered == 3
    assert reader.feed(CHUNKED16[5:-1]) == []
    assert reader.buffered == 17  # whole payload + first byte of the end marker
    assert reader.feed(b"\x00") == [MSG16]
    assert reader.buffered == 0


def test_reader_accepts_bytearray_and_memoryview() -> None:
    stream = CHUNKED16 + CHUNKED20_MAX16
    assert ChunkReader().feed(bytearray(stream)) == [MSG16, MSG20]
    assert ChunkReader().feed(memoryview(stream)) == [MSG16, MSG20]
    results = ChunkReader().feed(memoryview(stream))
    assert all(type(m) is bytes for m in results)


def test_reader_result_does_not_alias_a_reused_input_buffer() -> None:
    # A runtime typically reuses one receive buffer; messages must be copies.
    buf = bytearray(CHUNKED16)
    reader = ChunkReader()
    (msg,) = reader.feed(buf)
    buf[2:18] = bytes(16)
    assert msg == MSG16
    buf = bytearray(CHUNKED16[:10])
    assert reader.feed(buf) == []
    buf[:] = bytes(10)
    assert reader.feed(CHUNKED16[10:]) == [MSG16]


def test_reader_empty_feed() -> None:
    reader = ChunkReader()
    assert reader.feed(b"") == []
    assert reader.offset == 0


@pytest.mark.parametrize("size", [65535, 65536, 200_000])
@pytest.mark.parametrize("step", [1000, 65536, 10**6])
def test_large_messages_round_trip(size: int, step: int) -> None:
    payload = bytes(i % 251 for i in range(size))
    stream = chunk_message(payload) + chunk_message(b"\xb0\x0f")
    reader = ChunkReader()
    assert feed_all(reader, stream, step) == [payload, b"\xb0\x0f"]
    assert reader.buffered == 0


def test_max_message_size_allows_exact_size() -> None:
    reader = ChunkReader(max_message_size=16)
    assert reader.feed(CHUNKED16 + CHUNKED20_MAX16[:18]) == [MSG16]  # first 16-byte chunk fits


def test_oversized_single_chunk_raises_with_header_offset() -> None:
    reader = ChunkReader(max_message_size=15)
    stream = CHUNKED8 + b"\x00\x00" + CHUNKED16
    with pytest.raises(ProtocolError) as info:
        reader.feed(stream)
    assert info.value.offset == len(CHUNKED8) + 2
    assert "15" in str(info.value)
    assert reader.buffered == 0


def test_oversized_multi_chunk_raises_at_offending_chunk() -> None:
    # 20 bytes in chunks of 16 + 4, limit 18: the second chunk header (offset 18) crosses it.
    reader = ChunkReader(max_message_size=18)
    with pytest.raises(ProtocolError) as info:
        for b in CHUNKED20_MAX16:
            reader.feed(bytes([b]))
    assert info.value.offset == 18
    # Nothing past the refused header was buffered, and the reader stays failed.
    assert reader.buffered == 0
    with pytest.raises(ProtocolError):
        reader.feed(b"\x00\x00")


def test_oversized_header_split_across_feeds_reports_header_start() -> None:
    reader = ChunkReader(max_message_size=100)
    assert reader.feed(CHUNKED8 + b"\x01") == [MSG8]
    with pytest.raises(ProtocolError) as info:
        reader.feed(b"\x00" + bytes(256))
    assert info.value.offset == len(CHUNKED8)


def test_oversized_does_not_wait_for_payload() -> None:
    reader = ChunkReader(max_message_size=1000)
    with pytest.raises(ProtocolError) as info:
        reader.feed(b"\xff\xff")  # header alone is enough to refuse
    assert info.value.offset == 0


def test_feed_eof_clean() -> None:
    reader = ChunkReader()
    reader.feed(CHUNKED16 + b"\x00\x00")
    assert reader.feed_eof() is None


@pytest.mark.parametrize("cut", [1, 2, 5, 18, 19])
def test_feed_eof_mid_message(cut: int) -> None:
    reader = ChunkReader()
    reader.feed(CHUNKED8 + CHUNKED16[:cut])
    with pytest.raises(ProtocolError) as info:
        reader.feed_eof()
    assert "middle of a message" in str(info.value)
    assert info.value.offset == len(CHUNKED8) + cut


def test_feed_eof_after_whole_chunk_but_no_end_marker() -> None:
    reader = ChunkReader()
    assert reader.feed(CHUNKED20_MAX16[:18]) == []
    with pytest.raises(ProtocolError):
        reader.feed_eof()


@pytest.mark.parametrize("bad", [0, -5])
def test_reader_rejects_bad_limit(bad: int) -> None:
    with pytest.raises(ValueError):
        ChunkReader(max_message_size=bad)


# ---- properties --------------------------------------------------------------------------------

messages_st = st.lists(st.binary(min_size=1, max_size=300), min_size=0, max_size=20)


def _slice(stream: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(stream) + 1) for c in cuts} | {0, len(stream)})
    return [stream[a:b] for a, b in zip(points, points[1:], strict=False)]


@settings(max_examples=300, deadline=None)
@given(
    messages=messages_st,
    max_chunk=st.integers(min_value=1, max_value=64),
    cuts=st.lists(st.integers(min_value=0, max_value=10**6), max_size=40),
    noops_before=st.lists(st.integers(min_value=0, max_value=3), min_size=21, max_size=21),
    as_memoryview=st.booleans(),
)
def test_round_trip_random_chunking_slicing_and_noops(
    messages: list[bytes],
    max_chunk: int,
    cuts: list[int],
    noops_before: list[int],
    as_memoryview: bool,
) -> None:
    writer = ChunkWriter(max_chunk_size=max_chunk)
    for i, msg in enumerate(messages):
        for _ in range(noops_before[i]):
            writer.noop()
        writer.write(msg)
    for _ in range(noops_before[len(messages)]):
        writer.noop()
    stream = writer.take()
    expected_noops = sum(noops_before[: len(messages) + 1])
    assert (
        stream
        == b"".join(
            b"\x00\x00" * noops_before[i] + chunk_message(m, max_chunk)
            for i, m in enumerate(messages)
        )
        + b"\x00\x00" * noops_before[len(messages)]
    )

    reader = ChunkReader()
    out: list[bytes] = []
    for piece in _slice(stream, cuts):
        out += reader.feed(memoryview(piece) if as_memoryview else piece)
    assert out == messages
    assert reader.noops == expected_noops
    assert reader.offset == len(stream)
    assert reader.buffered == 0
    assert reader.feed_eof() is None


@settings(max_examples=100, deadline=None)
@given(messages=st.lists(st.binary(min_size=1, max_size=40), min_size=1, max_size=6))
def test_round_trip_one_byte_slices(messages: list[bytes]) -> None:
    stream = b"".join(chunk_message(m, 7) + b"\x00\x00" for m in messages)
    reader = ChunkReader()
    assert feed_all(reader, stream, 1) == messages
    assert reader.noops == len(messages)


@settings(max_examples=200, deadline=None)
@given(
    messages=st.lists(st.binary(min_size=1, max_size=100), min_size=1, max_size=10),
    max_chunk=st.integers(min_value=1, max_value=50),
    limit=st.integers(min_value=1, max_value=120),
    step=st.integers(min_value=1, max_value=64),
)
def test_limit_property(messages: list[bytes], max_chunk: int, limit: int, step: int) -> None:
    """Messages up to the limit pass; the first bigger one fails at its offending chunk header."""
    stream = b""
    expected_ok: list[bytes] = []
    bad_offset = None
    for msg in messages:
        chunked = chunk_message(msg, max_chunk)
        if bad_offset is None:
            if len(msg) <= limit:
                expected_ok.append(msg)
            else:
                # The header of the chunk that takes the total past the limit.
                full = limit // max_chunk  # whole chunks that still fit
                bad_offset = len(stream) + full * (max_chunk + 2)
        stream += chunked
    reader = ChunkReader(max_message_size=limit)
    out: list[bytes] = []
    if bad_offset is None:
        assert feed_all(reader, stream, step) == messages
        return
    with pytest.raises(ProtocolError) as info:
        for i in range(0, len(stream), step):
            out += reader.feed(stream[i : i + step])
    assert info.value.offset == bad_offset
    # Everything before the bad message was delivered (possibly all in the failing feed's
    # predecessors; what the failing feed completed is lost with the exception).
    assert out == expected_ok[: len(out)]


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=200), cuts=st.lists(st.integers(0, 400), max_size=10))
def test_garbage_never_escapes_other_errors(data: bytes, cuts: list[int]) -> None:
    reader = ChunkReader(max_message_size=64)
    try:
        for piece in _slice(data, cuts):
            for msg in reader.feed(piece):
                assert 1 <= len(msg) <= 64
        reader.feed_eof()
    except ProtocolError:
        pass


# ---- ChunkReader.frames: the tolerant mode of dumps ---------------------------------------------


def _frames_of(stream: bytes, pieces: list[bytes], **kwargs) -> tuple[list, ChunkReader]:
    reader = ChunkReader(**kwargs)
    out: list = []
    for piece in pieces:
        out += reader.frames(piece)
    return out, reader


def test_frames_report_offsets_of_messages_chunks_and_noops() -> None:
    stream = b"\x00\x00" + CHUNKED20_MAX16 + CHUNKED8
    frames, reader = _frames_of(stream, [stream])
    assert [(f.kind, f.offset, f.payload, f.segments, f.end) for f in frames] == [
        ("noop", 0, b"", (), 0),
        ("message", 2, MSG20, ((0, 4), (16, 22)), 26),
        ("message", 28, MSG8, ((0, 30),), 38),
    ]
    assert reader.noops == 1 and reader.offset == len(stream) and reader.cut() is None


def test_frames_start_at_a_given_stream_offset() -> None:
    reader = ChunkReader()
    reader.offset = 100  # (the bytes before were a handshake)
    [frame] = reader.frames(CHUNKED8)
    assert (frame.offset, frame.segments, frame.end) == (100, ((0, 102),), 110)


@settings(max_examples=200, deadline=None)
@given(
    messages=messages_st,
    max_chunk=st.integers(min_value=1, max_value=64),
    cuts=st.lists(st.integers(min_value=0, max_value=10**6), max_size=40),
    noops=st.integers(min_value=0, max_value=3),
)
def test_frames_do_not_depend_on_slicing_and_agree_with_feed(
    messages: list[bytes], max_chunk: int, cuts: list[int], noops: int
) -> None:
    stream = b"\x00\x00" * noops + b"".join(chunk_message(m, max_chunk) for m in messages)
    whole, _ = _frames_of(stream, [stream])
    sliced, reader = _frames_of(stream, _slice(stream, cuts))
    assert sliced == whole
    assert [f.payload for f in whole if f.kind == "message"] == messages
    assert sum(f.kind == "noop" for f in whole) == noops == reader.noops
    for f in whole:
        if f.kind == "message":
            # Every segment points at its bytes in the stream.
            bounds = [start for start, _ in f.segments[1:]] + [len(f.payload)]
            for (start, at), stop in zip(f.segments, bounds, strict=True):
                assert stream[at : at + stop - start] == f.payload[start:stop]
            assert stream[f.end : f.end + 2] == b"\x00\x00"


@pytest.mark.parametrize("cut, missing, in_header", [(1, 0, True), (5, 13, False),
                                                     (18, 0, False), (19, 0, True), (21, 3, False)])
def test_cut_says_what_the_end_of_the_stream_cut_off(cut: int, missing: int, in_header: bool) -> None:
    stream = CHUNKED8 + CHUNKED20_MAX16
    frames, reader = _frames_of(stream[: len(CHUNKED8) + cut], [stream[: len(CHUNKED8) + cut]])
    assert [f.payload for f in frames] == [MSG8]
    c = reader.cut()
    assert c is not None
    assert (c.offset, c.end, c.missing, c.in_header) == (len(CHUNKED8), len(CHUNKED8) + cut,
                                                         missing, in_header)
    assert MSG20.startswith(c.payload)


def test_frames_report_a_message_over_the_limit_instead_of_raising() -> None:
    stream = CHUNKED8 + CHUNKED20_MAX16 + CHUNKED8
    frames, reader = _frames_of(stream, [stream[:15], stream[15:]], max_message_size=18)
    assert [f.kind for f in frames] == ["message", "too_big"]
    bad = frames[1]
    assert (bad.offset, bad.size) == (len(CHUNKED8) + 18, 20) and "maximum size of 18" in bad.reason
    assert reader.error is not None and reader.error.offset == bad.offset
    assert reader.frames(CHUNKED8) == [] and reader.cut() is None
    frames, reader = _frames_of(CHUNKED20_MAX16, [CHUNKED20_MAX16], max_chunks=1)
    assert [f.kind for f in frames] == ["too_many_chunks"] and frames[0].offset == 18
