"""The decoded-value budget (``max_decoded_values``, issue #14): ``max_message_size`` bounds wire
bytes, not what decoding builds (the byte A0 becomes a ~64-byte dict), so one decode call (a
message: all its fields together; or one value) may produce at most this many values.

Every decoded value counts 1 — each top-level value (each message field), list item, map key,
map value and structure field — so the count is the number of PackStream values in the input.
A container whose declared size would take the count past the budget is refused at its header,
before anything is allocated for it, with a ProtocolError at its marker naming the limit. Both
decoders (C and pure Python) give the same values and errors.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asyncbolt._generated import codec as generated
from asyncbolt.codec import packstream
from asyncbolt.codec.messages import Record, Run
from asyncbolt.codec.packstream import DEFAULT_MAX_DECODED_VALUES, Codec, get_codec
from asyncbolt.codec.structures import Node
from asyncbolt.codec.types import Structure
from asyncbolt.errors import ProtocolError
from tests.strategies import PROFILES, profile_id, same, values

ROOT = Path(__file__).resolve().parent.parent
NO_C = "the C accelerator is not built or ASYNCBOLT_PURE is set"
CODECS = [pytest.param(False, id="pure"),
          pytest.param(True, id="C", marks=pytest.mark.skipif(not packstream.ACCELERATED, reason=NO_C))]
needs_c = pytest.mark.skipif(not packstream.ACCELERATED, reason=NO_C)


def too_many(n: int, what: str = "value") -> str:
    return f"{what} decodes to more than {n:,} values (max_decoded_values)"


def outcome(fn, *args) -> tuple:
    try:
        return ("ok", fn(*args))
    except ProtocolError as exc:
        return ("ProtocolError", exc.reason, exc.offset, exc.path)


def count_values(value: Any, profile=((5, 0), ())) -> int:
    """The reference count of a decoded value: 1, plus its items, keys, values and fields."""
    packers = generated._STRUCT_SETS[generated._STRUCT_SET_OF[packstream._profile_key(*profile)]][1]
    stack, total = [value], 0
    while stack:
        v = stack.pop()
        total += 1
        if type(v) is list:
            stack.extend(v)
        elif type(v) is dict:
            total += len(v)  # the keys
            stack.extend(v.values())
        elif type(v) is Structure:
            stack.extend(v.fields)
        elif type(v) in packers:
            stack.extend(packers[type(v)][1](v))
    return total


# -- the knob ------------------------------------------------------------------------------------


def test_default_and_get_codec_cache() -> None:
    assert DEFAULT_MAX_DECODED_VALUES == 2_000_000
    assert Codec((5, 0)).max_decoded_values == DEFAULT_MAX_DECODED_VALUES
    assert get_codec((5, 0)) is get_codec((5, 0), max_decoded_values=DEFAULT_MAX_DECODED_VALUES)
    small = get_codec((5, 0), max_decoded_values=10)
    assert small.max_decoded_values == 10 and small is get_codec((5, 0), max_decoded_values=10)
    assert small is not get_codec((5, 0)) and get_codec((5, 0), max_decoded_values=None) is not small
    assert get_codec((5, 0), max_decoded_values=None).max_decoded_values is None


@pytest.mark.parametrize("bad", [0, -1, 1.5, "7", True, [3]])
def test_max_decoded_values_must_be_a_positive_integer_or_none(bad: Any) -> None:
    with pytest.raises(ValueError, match="max_decoded_values must be a positive integer or None"):
        Codec((5, 0), max_decoded_values=bad)


# -- exact at the limit --------------------------------------------------------------------------

# (value, its count, offset of the container refused with a budget of count - 1)
CASES = [
    pytest.param([1, 2, 3], 4, 0, id="list"),
    pytest.param([None] * 300, 301, 0, id="list16"),
    pytest.param({"a": 1, "b": 2}, 5, 0, id="map"),
    pytest.param({f"k{i}": i for i in range(20)}, 41, 0, id="map8"),
    pytest.param([1, [2, 3]], 5, 2, id="nested-list"),
    pytest.param({"k": [1, 2]}, 5, 3, id="list-in-map"),
    pytest.param([[[[[]]]]], 5, 3, id="deep"),
    pytest.param([{}, {}, {"a": {}}], 6, 3, id="maps"),
    pytest.param(Structure(0x10, [1, 2]), 3, 0, id="unknown-structure"),
    pytest.param([0, Structure(0x10, [1, [2]])], 6, 5, id="list-in-unknown-structure"),
    # B4 4E 01 | 91 81 41 | A1 81 78 01 | 81 65: the properties map (offset 6) is one too many.
    pytest.param(Node(1, ["A"], {"x": 1}, "e"), 8, 6, id="node"),
    pytest.param([Node(1, [], {}, "e")], 6, 1, id="node-in-list"),
]


@pytest.mark.parametrize("accelerated", CODECS)
@pytest.mark.parametrize(("value", "count", "at"), CASES)
def test_exactly_the_budget_passes_one_more_is_refused(accelerated: bool, value: Any, count: int,
                                                        at: int) -> None:
    data = Codec((5, 0)).pack(value)
    assert count_values(Codec((5, 0)).unpack(data)) == count
    exact = Codec((5, 0), accelerated=accelerated, max_decoded_values=count)
    assert same(exact.unpack(data), value)
    assert same(exact.unpack_from(b"\xc0" + data, 1)[0], value)
    short = Codec((5, 0), accelerated=accelerated, max_decoded_values=count - 1)
    calls = [(short.unpack, (data,), at), (short.unpack_from, (b"\xc0" + data, 1), at + 1)]
    if accelerated:  # the C decoder on its own, without the pure-Python diagnosis
        calls.append((short._unpack, (data, 0), at))
    for fn, args, offset in calls:
        with pytest.raises(ProtocolError) as info:
            fn(*args)
        assert info.value.reason == too_many(count - 1)
        assert info.value.offset == offset
    assert Codec((5, 0), accelerated=accelerated, max_decoded_values=None).unpack(data) is not None


@pytest.mark.parametrize("accelerated", CODECS)
def test_a_message_counts_all_its_fields_together(accelerated: bool) -> None:
    # B3 10 | 81 71 | A1 81 61 92 01 02 | A1 81 62 01: 3 fields + 2 + 2 + 2 = 9 values, and no
    # field alone holds more than 5.
    message = Run("q", {"a": [1, 2]}, {"b": 1})
    data = Codec((5, 0)).pack_message(message)
    assert Codec((5, 0), accelerated=accelerated, max_decoded_values=9).unpack_request(data) == message
    with pytest.raises(ProtocolError) as info:
        Codec((5, 0), accelerated=accelerated, max_decoded_values=8).unpack_request(data)
    assert (info.value.reason, info.value.offset, info.value.path) == (
        too_many(8, "message"), 10, ("RUN", "extra"))
    with pytest.raises(ProtocolError) as info:
        Codec((5, 0), accelerated=accelerated, max_decoded_values=6).unpack_request(data)
    assert (info.value.offset, info.value.path) == (7, ("RUN", "parameters"))
    # Fewer values allowed than the message has fields: refused at its marker.
    with pytest.raises(ProtocolError) as info:
        Codec((5, 0), accelerated=accelerated, max_decoded_values=2).unpack_request(data)
    assert (info.value.reason, info.value.offset, info.value.path) == (too_many(2, "message"), 0, ("RUN",))
    record = Codec((5, 0)).pack_message(Record([1, 2, 3]))
    assert Codec((5, 0), accelerated=accelerated, max_decoded_values=4).unpack_response(record) == Record([1, 2, 3])
    with pytest.raises(ProtocolError) as info:
        Codec((5, 0), accelerated=accelerated, max_decoded_values=3).unpack_response(record)
    assert (info.value.reason, info.value.offset, info.value.path) == (too_many(3, "message"), 2, ("RECORD", "data"))


@pytest.mark.parametrize("accelerated", CODECS)
def test_default_budget_and_none(accelerated: bool) -> None:
    data = Codec((5, 0)).pack([None] * 2_000_000)  # 2,000,001 values, 1.9 MiB
    codec = Codec((5, 0), accelerated=accelerated)
    with pytest.raises(ProtocolError) as info:
        codec.unpack(data)
    assert (info.value.reason, info.value.offset) == (
        "value decodes to more than 2,000,000 values (max_decoded_values)", 0)
    assert len(Codec((5, 0), accelerated=accelerated, max_decoded_values=None).unpack(data)) == 2_000_000
    assert len(codec.unpack(data[:1] + (1_999_999).to_bytes(4, "big") + data[5:-1])) == 1_999_999


@pytest.mark.parametrize("accelerated", CODECS)
def test_an_unwind_batch_of_50000_rows_of_10_fields_passes(accelerated: bool) -> None:
    rows = [{f"field{j}": i * 10 + j for j in range(10)} for i in range(50_000)]
    message = Run("UNWIND $rows AS row CREATE (n:Row) SET n = row", {"rows": rows}, {})
    data = Codec((5, 0)).pack_message(message)
    assert len(data) > DEFAULT_MAX_DECODED_VALUES  # long enough for the counting path
    decoded = Codec((5, 0), accelerated=accelerated).unpack_request(data)
    assert decoded.parameters["rows"][-1] == rows[-1]
    assert count_values(decoded.parameters) == 1 + 2 + 50_000 * 21  # well within the budget


# -- hostile input: refused at the header, before allocating -------------------------------------

_PROBE = textwrap.dedent("""
    import sys, time
    from asyncbolt.codec.packstream import Codec
    from asyncbolt.errors import ProtocolError

    def rss(field):
        for line in open("/proc/self/status"):
            if line.startswith(field + ":"):
                return int(line.split()[1]) // 1024

    accelerated = sys.argv[1] == "C"
    codec = Codec((5, 0), accelerated=accelerated)
    maps = b"\\xd6" + (20_000_000).to_bytes(4, "big") + b"\\xa0" * 20_000_000  # 19 MiB
    # RUN "q" {"p": maps} {}
    message = b"\\xb3\\x10\\x81q\\xa1\\x81p" + maps + b"\\xa0"
    before = rss("VmHWM")
    start = time.monotonic()
    errors = []
    for decode, data in ((codec.unpack, maps), (codec.unpack_request, message)):
        try:
            decode(data)
        except ProtocolError as exc:
            errors.append((exc.reason, exc.offset, exc.path))
    print(repr((errors, rss("VmHWM") - before, time.monotonic() - start)))
""")


@pytest.mark.parametrize("accelerated", CODECS)
def test_twenty_million_empty_maps_are_refused_without_growing(accelerated: bool) -> None:
    # Peak RSS (VmHWM) in a fresh process, so nothing else this test run did is counted.
    env = {k: v for k, v in os.environ.items() if k != "ASYNCBOLT_PURE"}
    proc = subprocess.run([sys.executable, "-c", _PROBE, "C" if accelerated else "pure"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    errors, grown_mib, seconds = eval(proc.stdout)  # noqa: S307 - our own repr
    assert errors == [(too_many(2_000_000), 0, ()),
                      (too_many(2_000_000, "message"), 7, ("RUN", "parameters"))]
    assert grown_mib < 64, f"peak RSS grew {grown_mib} MiB"
    assert seconds < 1, f"took {seconds:.2f} s"


@pytest.mark.parametrize("accelerated", CODECS)
def test_a_lying_size_is_checked_against_the_data_before_the_budget(accelerated: bool) -> None:
    # A list declaring 20,000,000 items with 5 bytes there: the data runs out first.
    codec = Codec((5, 0), accelerated=accelerated, max_decoded_values=3)
    with pytest.raises(ProtocolError, match="list of declared size 20000000 runs past the end"):
        codec.unpack(b"\xd6" + (20_000_000).to_bytes(4, "big") + b"\x01" * 5)


# -- the two decoders agree ----------------------------------------------------------------------

AGREE = [
    "93 01 02 03", "A2 81 61 01 81 62 02", "92 01 92 02 03", "A1 81 6B 92 01 02", "91 91 91 91 90",
    "B2 10 01 92 02 03", "B4 4E 01 91 81 41 A1 81 78 01 81 65", "D4 05 A0 A0 A0 A0 A0",
    "D8 02 81 61 90 81 62 A0", "92 A0 B1 10 B1 10 01", "D6 01 31 2D 00" + " A0" * 10,
]


@needs_c
@pytest.mark.parametrize("hexdata", AGREE)
@pytest.mark.parametrize("budget", [1, 2, 3, 4, 5, 6, 7, 8, 12, None])
def test_budget_errors_agree(hexdata: str, budget: int | None) -> None:
    data = bytes.fromhex(hexdata)
    c = Codec((5, 0), accelerated=True, max_decoded_values=budget)
    p = Codec((5, 0), accelerated=False, max_decoded_values=budget)
    for offset in (0, 1):
        a, b = outcome(c._unpack, data, offset), outcome(p.unpack_from, data, offset)
        assert a[0] == b[0] and (a[0] == "ok" and same(a[1], b[1]) or a == b), (a, b)
    a, b = outcome(c.unpack, data), outcome(p.unpack, data)
    assert a[0] == b[0] and (a[0] == "ok" and same(a[1], b[1]) or a == b), (a, b)
    message = b"\xb1\x71" + data  # a RECORD
    a, b = outcome(c.unpack_response, message), outcome(p.unpack_response, message)
    assert a[0] == b[0] and (a[0] == "ok" and a[1] == b[1] or a == b), (a, b)


@needs_c
@pytest.mark.parametrize("profile", PROFILES, ids=[profile_id(p) for p in PROFILES])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_values_pass_exactly_at_their_count(profile, data) -> None:
    plain = Codec(*profile, max_decoded_values=None)
    encoded = plain.pack(data.draw(values(profile)))
    value = plain.unpack(encoded)
    count = count_values(value, profile)
    budget = data.draw(st.integers(1, count + 1))
    c = Codec(*profile, accelerated=True, max_decoded_values=budget)
    p = Codec(*profile, accelerated=False, max_decoded_values=budget)
    as_values = [outcome(c.unpack, encoded), outcome(c._unpack, encoded, 0), outcome(p.unpack, encoded)]
    as_values[1] = ("ok", as_values[1][1][0]) if as_values[1][0] == "ok" else as_values[1]
    record = b"\xb1\x71" + encoded  # a RECORD: its one field is the value, so the count is the same
    as_records = [outcome(c.unpack_response, record), outcome(p.unpack_response, record)]
    if budget >= count:
        assert all(r[0] == "ok" and same(r[1], value) for r in as_values), as_values
    else:
        assert as_values[0][:2] == ("ProtocolError", too_many(budget))
        assert as_values[1] == as_values[2] == as_values[0], as_values
        assert as_records[0][:3] == ("ProtocolError", too_many(budget, "message"), as_values[0][2] + 2)
    if as_records[0][0] == "ok":
        assert as_records[1][0] == "ok" and same(as_records[0][1].data, as_records[1][1].data)
    else:
        assert as_records[0] == as_records[1], as_records


def _wide(kind: str, inner: Any) -> Any:
    """A list or map of 300 items (LIST_16 / MAP_16: the pure codec's counting decoder decodes
    tiny lists and maps inside these inline) whose last items are ``inner``."""
    items = [1000] * 297 + [inner, [inner], {"k": inner}]  # 3 bytes each: longer than the count
    return items if kind == "list" else {f"k{i}": v for i, v in enumerate(items)}


@needs_c
@pytest.mark.parametrize("kind", ["list", "map"])
@pytest.mark.parametrize("inner", [[], {}, [1, [2]], {"a": {"b": []}}, [Structure(0x10, [[1]])], "é"],
                         ids=["list", "map", "lists", "maps", "structure", "string"])
@pytest.mark.parametrize("max_depth", [1, 2, 3, 4])
def test_wide_containers_agree_at_every_limit_and_cut(kind: str, inner: Any, max_depth: int) -> None:
    data = Codec((5, 0)).pack(_wide(kind, inner))
    count = count_values(Codec((5, 0)).unpack(data))
    assert len(data) > count  # so the pure codec takes its counting decoder
    for budget in (count - 3, count - 1, count, None):
        c = Codec((5, 0), accelerated=True, max_depth=max_depth, max_decoded_values=budget)
        p = Codec((5, 0), accelerated=False, max_depth=max_depth, max_decoded_values=budget)
        for cut in sorted({len(data), len(data) - 1, len(data) - 2, len(data) - 5, len(data) - 9}):
            piece = data[:cut]
            a, b = outcome(c._unpack, piece, 0), outcome(p.unpack, piece)
            if a[0] == "ok":
                assert b[0] == "ok" and same(a[1][0], b[1]) and a[1][1] == len(piece), (a, b)
            else:
                assert a == b, (budget, cut, a, b)


# -- end to end: serve(), connect() and Driver pass the budget to their codecs ------------------


def _rows(n: int) -> bytes:
    """PackStream: a LIST_32 of ``n`` tiny ints (n + 5 bytes: few bytes, many values)."""
    return b"\xd6" + n.to_bytes(4, "big") + b"\x01" * n


@pytest.mark.parametrize("budget", [1000, None], ids=["budget=1000", "off"])
async def test_serve_refuses_a_request_over_its_budget_and_closes(budget: int | None) -> None:
    import asyncbolt
    from tests.sessions import EchoSession, Recorder
    from tests.test_security import PASSWORD, auth_messages, failure_code, negotiate

    server = await asyncbolt.serve(EchoSession, "127.0.0.1", 0, recorder=Recorder(), password=PASSWORD,
                                   max_decoded_values=budget)
    async with server:
        bolt = await negotiate(server.port, (5, 4))
        await bolt.send(*auth_messages((5, 4), PASSWORD))
        assert [(await bolt.recv()).name for _ in range(2)] == ["SUCCESS", "SUCCESS"]
        # RUN "ECHO" {rows: [1 x 1,000]} {}: 1,000 + 5 values (the query, the map's key, the
        # list, the extra map and the parameters map).
        payload = b"\xb3\x10\x84ECHO\xa1\x84rows" + _rows(1000) + b"\xa0"
        await bolt.send(payload, b"\xb1\x3f\xa1\x81n\xc9\xff\xff")  # and PULL {n: -1}
        if budget is None:
            rows, summary = (await bolt.recv()), await bolt.recv_result()
            assert rows.name == "SUCCESS" and summary[0] == [[[1] * 1000]]
            return
        answers = await bolt.read_until_eof()
        assert [m.name for m in answers] == ["FAILURE"]
        assert failure_code(answers[0]) == "Neo.ClientError.Request.Invalid"
        assert "more than 1,000 values (max_decoded_values)" in answers[0].metadata["message"]


@pytest.mark.parametrize("accelerated", CODECS)
async def test_the_client_refuses_a_record_over_its_budget(accelerated: bool, monkeypatch) -> None:
    # A scripted server (no real one sends an over-budget RECORD on demand), on both codecs: the
    # pure client's RECORD fast path does not count, so a long RECORD must take the counting
    # decoder there.
    import asyncbolt
    from tests.test_client_odd_servers import FakeServer, Peer, connect, idle

    monkeypatch.setattr(packstream, "ACCELERATED", accelerated)
    packstream._CODECS.clear()

    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.expect("RUN", "PULL")
        await peer.send(Success({"fields": ["x"]}))
        await peer.send_raw(chunk_message(b"\xb1\x71\x91" + _rows(5000)))
        await idle(peer)

    from asyncbolt.codec.messages import Success
    from asyncbolt.core.framing import chunk_message

    try:
        async with FakeServer(script) as server:
            conn = await connect(server, max_decoded_values=4000)
            result = await conn.run("RETURN 1 AS x")
            with pytest.raises(asyncbolt.ProtocolError, match=r"more than 4,000 values \(max_decoded_values\)"):
                await result.values()
            assert conn._codec.accelerated is accelerated
    finally:
        packstream._CODECS.clear()


def test_asyncbolt_serve_takes_max_decoded_values() -> None:
    from asyncbolt.tools import serving

    args = serving.build_parser().parse_args(["--max-decoded-values", "5000"])
    assert serving.limits_of(args)["max_decoded_values"] == 5000
    args = serving.build_parser().parse_args(["--max-decoded-values", "off"])
    assert serving.limits_of(args)["max_decoded_values"] is None
