"""Scripted byte conversations with the server for Bolt versions the official drivers no longer
speak (1.0, 2.0, 4.0, 4.1) and for 3.0 and the 4.3/4.4 ``utc`` patch.

Every reply is decoded and asserted in order, with the metadata keys each version defines
(see shared/bolt-spec-detailed.md sections 4 and 5).
"""

from __future__ import annotations

import pytest

import asyncbolt
from asyncbolt.codec.messages import (
    AckFailure,
    Begin,
    Commit,
    Discard,
    DiscardAll,
    Goodbye,
    Hello,
    Init,
    Pull,
    PullAll,
    Reset,
    Rollback,
    Run,
)
from asyncbolt.codec.structures import (
    DateTime,
    DateTimeZoneId,
    LegacyDateTime,
    LegacyDateTimeZoneId,
)

from .rawbolt import RECORD, RawBolt, names
from .sessions import EchoSession, Recorder

#: The default agent: the Neo4j release of the negotiated version (spec/bolt.yaml "announce").
AGENT = {(1, 0): "Neo4j/3.5.0", (2, 0): "Neo4j/3.5.0", (3, 0): "Neo4j/3.5.0"}
#: 1970-01-01T02:15:00.000000042+01:00 (docs-bolt's example): legacy F carries the local
#: wall-clock seconds (8100), I the UTC seconds (4500).
LEGACY_F = bytes.fromhex("b346c91fa42ac90e10")  # F(8100, 42, 3600)
UTC_I = bytes.fromhex("b349c911942ac90e10")  # I(4500, 42, 3600)


@pytest.fixture
async def server():
    recorder = Recorder()
    srv = await asyncbolt.serve(EchoSession, "127.0.0.1", 0, recorder=recorder)
    srv.recorder = recorder
    async with srv:
        yield srv


async def connect(server, version, **hello) -> RawBolt:
    """Connect, negotiate exactly ``version`` and say INIT/HELLO (asserting SUCCESS)."""
    bolt = await RawBolt.connect(server.port)
    assert await bolt.handshake(version) == version
    if version < (3, 0):
        await bolt.send(Init("rawbolt/1.0", {"scheme": "basic", "principal": "neo4j", "credentials": "pw"}))
    else:
        await bolt.send(Hello({"user_agent": "rawbolt/1.0", "scheme": "basic", "principal": "neo4j",
                               "credentials": "pw", **hello}))
    reply = await bolt.recv()
    assert reply.name == "SUCCESS", reply
    bolt.hello = reply.metadata
    return bolt


def run_payload(query: str, param: bytes, v3: bool) -> bytes:
    """A RUN whose single parameter ``t`` is the given encoded value (hand-built bytes)."""
    q = query.encode()
    assert len(q) < 16
    return (b"\xb3" if v3 else b"\xb2") + b"\x10" + bytes([0x80 + len(q)]) + q + b"\xa1\x81t" + param + (
        b"\xa0" if v3 else b"")


# -- Bolt 1.0 and 2.0 -------------------------------------------------------------------------


@pytest.mark.parametrize("version", [(1, 0), (2, 0)], ids=["1.0", "2.0"])
async def test_v1_v2_conversation(server, version) -> None:
    async with await RawBolt.connect(server.port) as bolt:
        # a version nobody speaks first: the server skips it and takes the next proposal
        assert await bolt.handshake((9, 9), version) == version
        assert bolt.reply == bytes([0, 0, version[1], version[0]])
        await bolt.send(Init("rawbolt/1.0", {"scheme": "basic", "principal": "neo4j", "credentials": "pw"}))
        init = await bolt.recv()
        assert init.name == "SUCCESS" and init.metadata == {"server": AGENT[version]}
        assert server.recorder.calls[-1] == ("auth", "basic", "neo4j")

        await bolt.send(Run("ECHO", {"x": 1, "s": "a"}), PullAll())
        run = await bolt.recv()
        assert run.name == "SUCCESS"
        assert set(run.metadata) == {"fields", "result_available_after"}
        assert run.metadata["fields"] == ["x", "s"]
        rows, summary = await bolt.recv_result()
        assert rows == [[1, "a"]]
        assert summary.name == "SUCCESS"
        assert set(summary.metadata) == {"type", "result_consumed_after"}  # no t_last, no db

        await bolt.send(Run("STREAM 5", {}), DiscardAll())
        assert names(await bolt.recv_many(2)) == ["SUCCESS", "SUCCESS"]  # no RECORD

        # FAILURE, then IGNORED until ACK_FAILURE
        await bolt.send(Run("FAIL", {}), PullAll(), Run("ECHO", {"y": 2}), PullAll(), AckFailure(),
                        Run("ECHO", {"z": 3}), PullAll())
        replies = await bolt.recv_many(8)
        assert names(replies) == ["FAILURE", "IGNORED", "IGNORED", "IGNORED", "SUCCESS",
                                  "SUCCESS", "RECORD", "SUCCESS"]
        assert replies[0].metadata == {"code": "Neo.ClientError.Statement.SyntaxError",
                                       "message": "Invalid input 'FAIL'"}
        assert replies[6].data == [3]

        # RESET also leaves FAILED (v1/v2 have both). It jumps the queue, so it is sent only
        # once the FAILURE is in: sent together, it would have the RUN IGNORED instead.
        await bolt.send(Run("FAIL", {}), PullAll())
        assert names(await bolt.recv_many(2)) == ["FAILURE", "IGNORED"]
        await bolt.send(Reset(), Run("STREAM 2", {}), PullAll())
        replies = await bolt.recv_many(5)
        assert names(replies) == ["SUCCESS", "SUCCESS", "RECORD", "RECORD", "SUCCESS"]


@pytest.mark.parametrize("version", [(1, 0), (2, 0)], ids=["1.0", "2.0"])
async def test_ack_failure_outside_failed_is_a_protocol_violation(server, version) -> None:
    """docs: ACK_FAILURE outside FAILED is a protocol error. The server answers FAILURE
    Request.Invalid and, READY being recoverable, IGNORED until the client resets."""
    async with await connect(server, version) as bolt:
        await bolt.send(AckFailure(), Run("ECHO", {"a": 1}), PullAll(), AckFailure(),
                        Run("ECHO", {"a": 2}), PullAll())
        replies = await bolt.recv_many(7)
        assert names(replies) == ["FAILURE", "IGNORED", "IGNORED", "SUCCESS", "SUCCESS", "RECORD",
                                  "SUCCESS"]
        assert replies[0].metadata["code"] == "Neo.ClientError.Request.Invalid"
        assert replies[5].data == [2]


async def test_v2_legacy_datetime_round_trip(server) -> None:
    """Bolt 2.0 carries DateTime as the legacy tag F; ECHO sends the very same bytes back."""
    async with await connect(server, (2, 0)) as bolt:
        await bolt.send(run_payload("ECHO", LEGACY_F, v3=False), PullAll())
        assert (await bolt.recv()).name == "SUCCESS"
        record = await bolt.recv_payload()
        assert record == b"\xb1\x71\x91" + LEGACY_F
        assert bolt.codec.unpack_response(record).data == [LegacyDateTime(8100, 42, 3600)]
        assert (await bolt.recv()).name == "SUCCESS"

        # Values the server makes: zoned and offset datetimes go out as f and F.
        await bolt.send(Run("TEMPORAL", {}), PullAll())
        assert (await bolt.recv()).name == "SUCCESS"
        payload = await bolt.recv_payload()
        assert payload[1] == RECORD
        values = bolt.codec.unpack_response(payload).data
        assert type(values[3]) is LegacyDateTime and type(values[4]) is LegacyDateTimeZoneId
        # 2024-02-29T13:37:01.123456Z: UTC, so legacy seconds = UTC seconds
        assert values[3] == LegacyDateTime(1709213821, 123456000, 0)
        # 2024-07-01T12:00 Europe/Paris: local wall-clock seconds, zone id
        assert values[4] == LegacyDateTimeZoneId(1719835200, 0, "Europe/Paris")
        assert (await bolt.recv()).name == "SUCCESS"


async def test_v1_cannot_return_a_date(server) -> None:
    """Bolt 1.0 has no temporal structures. A RECORD holding a date cannot be encoded: the PULL
    fails (no partial RECORD is sent), the connection stays usable after ACK_FAILURE."""
    async with await connect(server, (1, 0)) as bolt:
        await bolt.send(Run("TEMPORAL", {}), PullAll())
        run, failure = await bolt.recv_many(2)
        assert run.name == "SUCCESS"
        assert failure.name == "FAILURE", failure
        assert failure.metadata["code"] == "Neo.DatabaseError.General.UnknownError"
        assert "Date cannot be sent in Bolt 1.0" in failure.metadata["message"]
        await bolt.send(AckFailure(), Run("ECHO", {"ok": True}), PullAll())
        replies = await bolt.recv_many(4)
        assert names(replies) == ["SUCCESS", "SUCCESS", "RECORD", "SUCCESS"]
        assert replies[2].data == [True]


async def test_v1_refuses_a_date_parameter(server) -> None:
    """A client that sends a Date (tag D) on Bolt 1.0 sent a malformed request: FAILURE
    Request.Invalid, then the server closes the connection."""
    async with await connect(server, (1, 0)) as bolt:
        date = b"\xb1\x44\xc9\x4d\x46"  # Date(19782)
        await bolt.send(run_payload("ECHO", date, v3=False), PullAll())
        replies = await bolt.read_until_eof(3)
        assert names(replies) == ["FAILURE"]
        assert replies[0].metadata["code"] == "Neo.ClientError.Request.Invalid"
        assert "Date" in replies[0].metadata["message"]


# -- Bolt 3.0 ---------------------------------------------------------------------------------


async def test_v3_conversation(server) -> None:
    recorder = server.recorder
    async with await connect(server, (3, 0)) as bolt:
        assert bolt.reply == b"\x00\x00\x00\x03"
        assert bolt.hello == {"server": AGENT[(3, 0)], "connection_id": bolt.hello["connection_id"]}
        assert bolt.hello["connection_id"].startswith("bolt-")

        await bolt.send(Run("ECHO", {"a": 1}, {}), PullAll())
        run = await bolt.recv()
        assert set(run.metadata) == {"fields", "t_first"}
        rows, summary = await bolt.recv_result()
        assert rows == [[1]]
        # An auto-commit transaction ends with a bookmark, as Neo4j's do (made up: EchoSession
        # gives none).
        assert set(summary.metadata) == {"type", "t_last", "bookmark"}
        assert summary.metadata["bookmark"].startswith("asyncbolt:")

        await bolt.send(Run("STREAM 3", {}, {}), DiscardAll())
        assert names(await bolt.recv_many(2)) == ["SUCCESS", "SUCCESS"]

        # explicit transaction, one result at a time (no qid before 4.0)
        start = len(recorder.calls)
        await bolt.send(Begin({"tx_metadata": {"app": "t"}}), Run("STREAM 2", {}, {}), PullAll(),
                        Commit())
        replies = await bolt.recv_many(6)
        assert names(replies) == ["SUCCESS", "SUCCESS", "RECORD", "RECORD", "SUCCESS", "SUCCESS"]
        assert "qid" not in replies[1].metadata
        assert replies[5].metadata == {"bookmark": "asyncbolt:1"}
        assert [c[0] for c in recorder.calls[start:]] == ["begin", "run", "commit"]
        assert recorder.calls[start] == ("begin", {"tx_metadata": {"app": "t"}})

        await bolt.send(Begin({}), Run("ECHO", {"b": 2}, {}), PullAll(), Rollback())
        assert names(await bolt.recv_many(5)) == ["SUCCESS", "SUCCESS", "RECORD", "SUCCESS", "SUCCESS"]
        assert recorder.calls[-1] == ("rollback",)

        # FAILURE, IGNORED, then RESET (ACK_FAILURE is gone in 3.0)
        await bolt.send(Run("FAIL", {}, {}), PullAll(), Run("ECHO", {}, {}))
        replies = await bolt.recv_many(3)
        assert names(replies) == ["FAILURE", "IGNORED", "IGNORED"]
        assert replies[0].metadata == {"code": "Neo.ClientError.Statement.SyntaxError",
                                       "message": "Invalid input 'FAIL'"}
        await bolt.send(Reset(), Run("ECHO", {"c": 3}, {}), PullAll())
        replies = await bolt.recv_many(4)
        assert names(replies) == ["SUCCESS", "SUCCESS", "RECORD", "SUCCESS"]

        # GOODBYE: no reply, the server closes
        closed_before = recorder.closed
        await bolt.send(Goodbye())
        assert await bolt.read_until_eof(3) == []
    assert recorder.closed == closed_before + 1


async def test_v3_has_no_ack_failure(server) -> None:
    """ACK_FAILURE (0x0E) does not exist in 3.0: a malformed request, FAILURE then close."""
    async with await connect(server, (3, 0)) as bolt:
        await bolt.send(b"\xb0\x0e")
        replies = await bolt.read_until_eof(3)
        assert names(replies) == ["FAILURE"]
        assert replies[0].metadata["code"] == "Neo.ClientError.Request.Invalid"


# -- Bolt 4.0 and 4.1 -------------------------------------------------------------------------


async def test_v4_0_pull_n_discard_and_two_open_results(server) -> None:
    async with await connect(server, (4, 0)) as bolt:
        assert bolt.reply == b"\x00\x00\x00\x04"
        assert set(bolt.hello) == {"server", "connection_id"}  # hints come with 4.3

        await bolt.send(Run("STREAM 5", {}, {}), Pull({"n": 2}))
        run = await bolt.recv()
        assert run.metadata["fields"] == ["i"] and "qid" not in run.metadata  # auto-commit
        rows, summary = await bolt.recv_result()
        assert rows == [[0], [1]] and summary.metadata == {"has_more": True}
        await bolt.send(Pull({"n": 2}))
        rows, summary = await bolt.recv_result()
        assert rows == [[2], [3]] and summary.metadata == {"has_more": True}
        await bolt.send(Discard({"n": -1}))
        rows, summary = await bolt.recv_result()
        assert rows == []
        assert summary.metadata.pop("bookmark").startswith("asyncbolt:")
        assert summary.metadata == {"type": "r", "t_last": 0, "db": "neo4j", "has_more": False}

        # DISCARD n skips n rows and keeps the result open
        await bolt.send(Run("STREAM 5", {}, {}), Discard({"n": 2}), Pull({"n": -1}))
        replies = await bolt.recv_many(6)
        assert names(replies) == ["SUCCESS", "SUCCESS", "RECORD", "RECORD", "RECORD", "SUCCESS"]
        assert replies[1].metadata == {"has_more": True}
        assert [r.data for r in replies[2:5]] == [[2], [3], [4]]

        # Explicit transaction with two open results, pulled by qid.
        await bolt.send(Begin({"db": "neo4j"}), Run("STREAM 3", {}, {}), Run("STREAM 4", {}, {}))
        begin, first, second = await bolt.recv_many(3)
        assert begin.name == "SUCCESS"
        assert first.metadata["qid"] == 0 and second.metadata["qid"] == 1
        await bolt.send(Pull({"n": 1, "qid": 0}))
        rows, summary = await bolt.recv_result()
        assert rows == [[0]] and summary.metadata == {"has_more": True}
        await bolt.send(Pull({"n": 2, "qid": 1}))
        rows, summary = await bolt.recv_result()
        assert rows == [[0], [1]] and summary.metadata == {"has_more": True}
        await bolt.send(Pull({"n": -1, "qid": 0}))
        rows, summary = await bolt.recv_result()
        assert rows == [[1], [2]] and summary.metadata.get("has_more") is False
        await bolt.send(Pull({"n": -1}))  # qid -1: the last result, i.e. qid 1
        rows, summary = await bolt.recv_result()
        assert rows == [[2], [3]] and summary.name == "SUCCESS"
        await bolt.send(Commit())
        commit = await bolt.recv()
        assert commit.metadata == {"bookmark": "asyncbolt:1"}

        # A qid that is not open is refused.
        await bolt.send(Begin({}), Run("STREAM 2", {}, {}), Pull({"n": -1, "qid": 7}))
        replies = await bolt.recv_many(3)
        assert names(replies) == ["SUCCESS", "SUCCESS", "FAILURE"]
        assert replies[2].metadata["code"] == "Neo.ClientError.Request.Invalid"
        await bolt.send(Reset())
        assert (await bolt.recv()).name == "SUCCESS"


async def test_v4_0_commit_needs_the_results_consumed(server) -> None:
    """docs-bolt: results must be consumed or discarded before COMMIT (COMMIT only in
    TX_READY): a COMMIT with an open result is refused, and RESET rolls the transaction back."""
    async with await connect(server, (4, 0)) as bolt:
        await bolt.send(Begin({}), Run("STREAM 3", {}, {}), Commit(), Pull({"n": -1}))
        replies = await bolt.recv_many(4)
        assert names(replies) == ["SUCCESS", "SUCCESS", "FAILURE", "IGNORED"]
        assert replies[2].metadata["code"] == "Neo.ClientError.Request.Invalid"
        await bolt.send(Reset())
        assert (await bolt.recv()).name == "SUCCESS"
        assert [c[0] for c in server.recorder.calls[-4:]] == ["begin", "run", "rollback", "reset"]
        assert ("commit",) not in server.recorder.calls


@pytest.mark.parametrize("version", [(3, 0), (4, 0)], ids=["3.0", "4.0"])
async def test_failure_inside_a_transaction_reaches_the_session_as_rollback(server, version) -> None:
    """A transaction that fails is over (the client can only RESET): the session that was told
    begin() must be told rollback(), as it is when a healthy transaction is RESET."""
    recorder = server.recorder
    pull = PullAll() if version < (4, 0) else Pull({"n": -1})
    async with await connect(server, version) as bolt:
        # healthy transaction, then RESET: begin, run, rollback, reset
        start = len(recorder.calls)
        await bolt.send(Begin({}), Run("ECHO", {"a": 1}, {}), pull)
        assert names(await bolt.recv_many(4)) == ["SUCCESS", "SUCCESS", "RECORD", "SUCCESS"]
        await bolt.send(Reset())
        assert (await bolt.recv()).name == "SUCCESS"
        assert [c[0] for c in recorder.calls[start:]] == ["begin", "run", "rollback", "reset"]

        # failed transaction, then RESET: the same hooks
        start = len(recorder.calls)
        await bolt.send(Begin({}), Run("FAIL", {}, {}), pull)
        assert names(await bolt.recv_many(3)) == ["SUCCESS", "FAILURE", "IGNORED"]
        await bolt.send(Reset())
        assert (await bolt.recv()).name == "SUCCESS"
        assert [c[0] for c in recorder.calls[start:]] == ["begin", "run", "rollback", "reset"]


async def test_v4_1_noop_chunks_from_the_client_are_skipped(server) -> None:
    async with await RawBolt.connect(server.port) as bolt:
        assert await bolt.handshake((4, 1)) == (4, 1)
        assert bolt.reply == b"\x00\x00\x01\x04"
        await bolt.send_raw(b"\x00\x00")  # NOOP before HELLO
        await bolt.send(Hello({"user_agent": "rawbolt/1.0", "scheme": "none", "routing": None}))
        assert (await bolt.recv()).name == "SUCCESS"
        await bolt.send(Run("ECHO", {"n": 1}, {}))
        await bolt.send_raw(b"\x00\x00\x00\x00\x00\x00")  # three NOOPs between RUN and PULL
        await bolt.send(Pull({"n": -1}))
        await bolt.send_raw(b"\x00\x00")
        replies = await bolt.recv_many(3)
        assert names(replies) == ["SUCCESS", "RECORD", "SUCCESS"]
        assert replies[1].data == [1]
        # the NOOPs produced no reply of their own: the next request is answered next
        await bolt.send(Run("ECHO", {"n": 2}, {}), Pull({"n": -1}))
        replies = await bolt.recv_many(3)
        assert names(replies) == ["SUCCESS", "RECORD", "SUCCESS"] and replies[1].data == [2]


# -- Bolt 4.3 / 4.4 utc patch -----------------------------------------------------------------


def _temporal_record(bolt: RawBolt, payload: bytes) -> list:
    assert payload[1] == RECORD
    return bolt.codec.unpack_response(payload).data


@pytest.mark.parametrize("version", [(4, 3), (4, 4)], ids=["4.3", "4.4"])
async def test_utc_patch_switches_datetime_to_tag_i(server, version) -> None:
    async with await connect(server, version, patch_bolt=["utc"]) as bolt:
        assert bolt.hello["patch_bolt"] == ["utc"]
        bolt.use(version, ("utc",))
        await bolt.send(Run("TEMPORAL", {}, {}), Pull({"n": -1}))
        assert (await bolt.recv()).name == "SUCCESS"
        payload = await bolt.recv_payload()
        values = _temporal_record(bolt, payload)
        assert type(values[3]) is DateTime and type(values[4]) is DateTimeZoneId
        assert values[3] == DateTime(1709213821, 123456000, 0)
        # 2024-07-01T12:00+02:00 Europe/Paris is 10:00 UTC
        assert values[4] == DateTimeZoneId(1719828000, 0, "Europe/Paris")
        assert b"\xb3\x46" not in payload and b"\xb3\x66" not in payload
        assert (await bolt.recv()).name == "SUCCESS"

        # a UTC DateTime from the client round-trips byte for byte
        await bolt.send(run_payload("ECHO", UTC_I, v3=True), Pull({"n": -1}))
        assert (await bolt.recv()).name == "SUCCESS"
        assert await bolt.recv_payload() == b"\xb1\x71\x91" + UTC_I
        assert (await bolt.recv()).name == "SUCCESS"


@pytest.mark.parametrize("version", [(4, 3), (4, 4)], ids=["4.3", "4.4"])
async def test_without_the_utc_patch_datetime_is_legacy_f(server, version) -> None:
    async with await connect(server, version) as bolt:
        assert "patch_bolt" not in bolt.hello
        assert bolt.hello["hints"] == {}
        await bolt.send(Run("TEMPORAL", {}, {}), Pull({"n": -1}))
        assert (await bolt.recv()).name == "SUCCESS"
        values = _temporal_record(bolt, await bolt.recv_payload())
        assert type(values[3]) is LegacyDateTime and type(values[4]) is LegacyDateTimeZoneId
        assert values[4] == LegacyDateTimeZoneId(1719835200, 0, "Europe/Paris")
        assert (await bolt.recv()).name == "SUCCESS"
        await bolt.send(run_payload("ECHO", LEGACY_F, v3=True), Pull({"n": -1}))
        assert (await bolt.recv()).name == "SUCCESS"
        assert await bolt.recv_payload() == b"\xb1\x71\x91" + LEGACY_F
        assert (await bolt.recv()).name == "SUCCESS"


async def test_unknown_patches_are_not_echoed(server) -> None:
    async with await connect(server, (4, 4), patch_bolt=["no-such-patch"]) as bolt:
        assert "patch_bolt" not in bolt.hello


async def test_utc_patch_is_not_echoed_on_5_0(server) -> None:
    """patch_bolt is gone in 5.0, where I/i are the only DateTime layout."""
    async with await connect(server, (5, 0), patch_bolt=["utc"]) as bolt:
        assert "patch_bolt" not in bolt.hello
        await bolt.send(run_payload("ECHO", UTC_I, v3=True), Pull({"n": -1}))
        assert (await bolt.recv()).name == "SUCCESS"
        assert await bolt.recv_payload() == b"\xb1\x71\x91" + UTC_I
