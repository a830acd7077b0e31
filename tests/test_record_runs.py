"""Runs of RECORDs decoded in one C call (``unpack.records``), and the client core handing them to
their request at once (``on_records``): the same values, sizes, limits and errors as one RECORD
at a time (the pure-Python codec's path, which these tests also run for comparison)."""

from __future__ import annotations

from typing import Any

import pytest

from asyncbolt.codec.messages import Pull, Record, Success
from asyncbolt.codec.packstream import Codec, get_codec
from asyncbolt.codec.structures import Node
from asyncbolt.core.framing import chunk_message
from asyncbolt.errors import ProtocolError

from .test_client_core import Pair, Waiter, frame

ACCEL = get_codec((5, 4)).accelerated
needs_c = pytest.mark.skipif(not ACCEL, reason="the C accelerator is not built or is disabled")

ROWS = [[1, "a", 2.5, True, None, [1, [2]], {"k": "v"}],
        [Node(1, ["L"], {"p": 1}, "4:x:1")], [], ["x" * 300]]


def _payloads(version: tuple[int, int] = (5, 4)) -> list[bytes]:
    codec = get_codec(version)
    return [codec.pack_message(Record(row)) for row in ROWS]


@needs_c
def test_records_decodes_a_run_with_each_size() -> None:
    codec = get_codec((5, 4))
    payloads = _payloads()
    values, sizes = codec._unpack.records(payloads, 0, 1 << 30)
    assert values == ROWS and sizes == [len(p) for p in payloads]
    assert all(type(v) is list for v in values)
    values, sizes = codec._unpack.records(payloads, 2, 1 << 30)
    assert values == ROWS[2:] and sizes == [len(p) for p in payloads[2:]]
    assert codec._unpack.records(payloads, 4, 1 << 30) == ([], [])
    assert codec._unpack.records(payloads, 99, 1 << 30) == ([], [])


@needs_c
@pytest.mark.parametrize("stop", [
    get_codec((5, 4)).pack_message(Success({})),  # another message
    b"\xb1\x71\x91\xc7",  # an undefined marker: left for the precise path
    b"\xb1\x71\x91\xd0\x20short",  # a string overrunning the message
    b"\xb1\x71\x01",  # a RECORD whose field is not a list
    b"\xb1\x71\x91\x01\x02",  # trailing bytes
    b"\xb1\x71",  # no field at all
    b"\xb1\x71\x91" + b"\x91" * 300 + b"\x90",  # deeper than max_depth
    bytearray(b"\xb1\x71\x91\x01"),  # not bytes
])
def test_records_stops_before_anything_else_without_raising(stop: Any) -> None:
    codec = get_codec((5, 4))
    payloads = _payloads()
    values, sizes = codec._unpack.records([*payloads[:2], stop, *payloads[2:]], 0, 1 << 30)
    assert values == ROWS[:2] and len(sizes) == 2


@needs_c
def test_records_stops_at_a_message_longer_than_max_len_and_at_the_value_budget() -> None:
    payloads = _payloads()
    short, long = payloads[2], payloads[0]
    values, _ = get_codec((5, 4))._unpack.records([short, short, long, short], 0, len(short))
    assert values == [[], []]  # the third one is longer
    tight = Codec((5, 4), max_decoded_values=5)
    values, _ = tight._unpack.records([b"\xb1\x71\x93\x01\x02\x03", b"\xb1\x71\x95\x01\x02\x03\x04\x05"],
                                      0, 1 << 30)
    assert values == [[1, 2, 3]]  # the second has 6 values: the precise path refuses it


@needs_c
def test_records_checks_its_arguments() -> None:
    unpack = get_codec((5, 4))._unpack
    with pytest.raises(TypeError, match="list of payloads"):
        unpack.records(tuple(_payloads()), 0, 10)
    with pytest.raises(TypeError, match="exactly 3 arguments"):
        unpack.records(_payloads(), 0)
    with pytest.raises(IndexError):
        unpack.records(_payloads(), -1, 10)


class Batches(Waiter):
    """A PULL handler that takes runs of RECORDs at once, writing down each run's length."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.runs: list[int] = []

    def on_records(self, batch: list[list], sizes: list[int]) -> None:
        self.runs.append(len(batch))
        self.records.extend(batch)
        self.sizes.extend(sizes)


def _pull_with(handler: Waiter, pure: bool) -> Pair:
    pair = Pair(version=(5, 4))
    pair.login()
    if pure:
        codec = Codec((5, 4), accelerated=False)
        pair.client.codec, pair.client._unpack, pair.client._unpack_records = codec, codec._unpack, None
        pair.client._record_fast_max = codec._fast_len
    pair.run("q")
    pair.client.send(Pull({"n": -1}), handler)
    pair.client.data_to_send()
    return pair


@pytest.mark.parametrize("pure", [False, True])
def test_a_run_of_records_reaches_its_request_as_one_at_a_time(pure: bool) -> None:
    if not pure and not ACCEL:
        pytest.skip("the C accelerator is not built or is disabled")
    batches, more = Batches("PULL"), Batches("PULL")
    pair = _pull_with(batches, pure)
    pair.client.send(Pull({"n": -1}), more)
    payloads = _payloads()
    data = frame((5, 4), Success({"fields": ["x"]}), *payloads, Success({"has_more": True}),
                 *payloads[:2], Success({}))
    assert pair.client.receive_data(data) is None
    assert batches.records == ROWS and more.records == ROWS[:2]
    assert batches.sizes == [len(p) for p in payloads] and more.sizes == [len(p) for p in payloads[:2]]
    assert batches.outcome == more.outcome == "SUCCESS"
    # One run per stretch of RECORDs with C; one RECORD at a time (on_record) in pure Python.
    assert (batches.runs, more.runs) == (([4], [2]) if not pure else ([], []))


@pytest.mark.parametrize("pure", [False, True])
def test_a_malformed_record_in_a_run_ends_the_connection_after_the_ones_before_it(pure: bool) -> None:
    if not pure and not ACCEL:
        pytest.skip("the C accelerator is not built or is disabled")
    pull = Waiter("PULL")
    pair = _pull_with(pull, pure)
    payloads = _payloads()
    data = (frame((5, 4), Success({"fields": ["x"]}), *payloads[:3]) + chunk_message(b"\xb1\x71\x91\xc7")
            + frame((5, 4), payloads[3], Success({})))
    error = pair.client.receive_data(data)
    assert isinstance(error, ProtocolError) and "0xC7" in str(error)
    assert pull.records == ROWS[:3] and pull.outcome == "ERROR" and pull.error is error


def test_a_handler_without_on_records_hears_each_record() -> None:
    pull = Waiter("PULL")
    assert not hasattr(pull, "on_records")
    pair = _pull_with(pull, False)
    assert pair.client.receive_data(frame((5, 4), Success({"fields": ["x"]}), *_payloads(), Success({}))) is None
    assert pull.records == ROWS and pull.outcome == "SUCCESS"


# -- Record: its base is the accelerator's RecordBase when built, else _PyRecordBase --------------


def test_record_indexing_is_the_same_on_both_bases() -> None:
    import asyncbolt.client.record as record_module

    bases = [record_module._PyRecordBase]
    if ACCEL:
        from asyncbolt._generated import _accel

        bases.append(_accel.RecordBase)
        assert record_module.Record.__mro__[1] is _accel.RecordBase

    def outcome(call: Any) -> Any:
        try:
            return ("value", call())
        except Exception as exc:  # the same exception type and text on both bases
            return (type(exc).__name__, str(exc))

    keys: list[Any] = [0, 2, -1, 3, -4, slice(1, None), "x", "z", "nope", None, 1.5, b"x"]
    seen = []
    for base in bases:
        class Row(base):  # type: ignore[misc, valid-type]
            __slots__ = ()

        row = Row([1, "a", [2]], {"x": 0, "y": 1, "z": 2})
        seen.append([outcome(lambda k=k, row=row: row[k]) for k in keys] + [(row._values, row._index)])
    assert all(s == seen[0] for s in seen)
    assert seen[0][8] == ("KeyError", "\"no field 'nope'; fields are ['x', 'y', 'z']\"")


def test_records_copy_pickle_and_take_part_in_garbage_collection() -> None:
    import copy
    import gc
    import pickle
    import weakref

    from asyncbolt.client.record import Record

    row = Record([1, {"k": "v"}], {"a": 0, "b": 1})
    assert copy.copy(row) == row and copy.deepcopy(row) == row
    assert pickle.loads(pickle.dumps(row)) == row and row["b"] == {"k": "v"}
    with pytest.raises(TypeError):
        Record([1])  # type: ignore[call-arg]

    class Marker:
        pass

    marker = Marker()
    gone = weakref.ref(marker)
    cyclic = Record([marker, {}], {"m": 0, "d": 1})
    cyclic["d"]["self"] = cyclic  # a cycle through the record
    del marker, cyclic
    gc.collect()
    assert gone() is None


@needs_c
def test_records_pauses_the_garbage_collector_only_while_it_decodes() -> None:
    import gc

    unpack = get_codec((5, 4))._unpack
    payloads = _payloads() * 300
    assert gc.isenabled()
    values, _ = unpack.records(payloads, 0, 1 << 30)
    assert len(values) == len(payloads) and gc.isenabled()  # on again after
    # an error in the middle (a payload that is not bytes stops the run; a wrong argument
    # raises before anything is paused): the collector is as it was
    assert unpack.records([*payloads[:5], 7, *payloads], 0, 1 << 30)[0] == ROWS * 1 + ROWS[:1]
    assert gc.isenabled()
    gc.disable()
    try:
        unpack.records(payloads, 0, 1 << 30)
        assert not gc.isenabled()  # a collector someone switched off stays off
    finally:
        gc.enable()
    # the automatic collector still runs afterwards: cycles made later are collected
    import weakref

    class Node:
        pass

    before = gc.get_stats()[0]["collections"]
    probe = Node()
    gone = weakref.ref(probe)
    probe.me = probe  # type: ignore[attr-defined]
    del probe
    kept = []
    for _ in range(100_000):
        kept.append(Node())  # new containers: the young generation is collected meanwhile
        if gone() is None:
            break
    assert gone() is None and gc.get_stats()[0]["collections"] > before
