"""The sans-IO server connection: plain bytes in and out, no sockets, no event loop."""

from __future__ import annotations

import pytest

from asyncbolt.codec.messages import (
    Begin,
    Commit,
    Discard,
    Goodbye,
    Hello,
    Logoff,
    Logon,
    Pull,
    Reset,
    Rollback,
    Run,
    Telemetry,
)
from asyncbolt.codec.packstream import get_codec
from asyncbolt.codec.structures import DateTime
from asyncbolt.core.framing import ChunkReader, ChunkWriter
from asyncbolt.core.handshake import MAGIC, ClientHandshake
from asyncbolt.core.server import Closed, Request, ServerConnection


class Peer:
    """Drives a ServerConnection like a client would."""

    def __init__(self, version: tuple[int, int], **kwargs) -> None:
        self.conn = ServerConnection(**kwargs)
        hs = ClientHandshake([version])
        self.conn.receive_data(hs.initial_bytes())
        hs.receive_data(self.conn.data_to_send())
        assert hs.version == version == self.conn.version
        self.codec = get_codec(version)
        self.reader = ChunkReader()

    def send(self, *messages) -> None:
        writer = ChunkWriter()
        for m in messages:
            writer.write(self.codec.pack_message(m))
        self.conn.receive_data(writer.take())

    def replies(self) -> list:
        return [self.codec.unpack_response(p) for p in self.reader.feed(self.conn.data_to_send())]

    def names(self) -> list[str]:
        return [m.name for m in self.replies()]


def login(peer: Peer) -> None:
    peer.send(Hello({"user_agent": "t"}))
    ev = peer.conn.next_event()
    assert isinstance(ev, Request) and ev.name == "HELLO"
    peer.conn.success({"server": "x"})
    if peer.conn.version >= (5, 1):
        peer.send(Logon({"scheme": "none"}))
        assert peer.conn.next_event().name == "LOGON"
        peer.conn.success({})
    assert peer.conn.state == "READY"
    peer.replies()


def test_handshake_then_initial_state() -> None:
    conn = ServerConnection(versions=[(4, 4), (5, 0)])
    conn.receive_data(MAGIC + bytes.fromhex("00 01 00 05 00 00 00 00 00 00 00 00 00 00 00 00".replace(" ", "")))
    assert conn.data_to_send() == bytes.fromhex("00000005")
    assert conn.version == (5, 0) and conn.state == "CONNECTED"
    assert conn.next_event() is None


def test_no_common_version_closes() -> None:
    conn = ServerConnection(versions=[(5, 0)])
    conn.receive_data(MAGIC + bytes.fromhex("00000003") + bytes(12))
    assert conn.data_to_send() == b"\x00\x00\x00\x00"
    assert isinstance(conn.next_event(), Closed)


def test_failed_then_ignored_until_reset() -> None:
    peer = Peer((5, 4))
    login(peer)
    peer.send(Run("x", {}, {}))
    ev = peer.conn.next_event()
    assert ev.name == "RUN"
    peer.conn.failure({"code": "Neo.ClientError.Statement.SyntaxError", "message": "no"})
    peer.send(Pull({"n": -1}), Begin({}), Reset(), Run("y", {}, {}))
    ev = peer.conn.next_event()
    assert ev.name == "RESET"
    peer.conn.success({})
    assert peer.conn.state == "READY"
    assert peer.conn.next_event().name == "RUN"
    assert peer.names() == ["FAILURE", "IGNORED", "IGNORED", "SUCCESS"]


def test_reset_arrival_interrupts_queued_work() -> None:
    peer = Peer((5, 0))
    login(peer)
    peer.send(Run("x", {}, {}), Pull({"n": -1}), Reset(), Run("y", {}, {}))
    assert peer.conn.interrupted and peer.conn.state == "INTERRUPTED"
    ev = peer.conn.next_event()
    assert ev.name == "RESET"  # RUN and PULL were queued before it: IGNORED
    peer.conn.success({})
    assert not peer.conn.interrupted and peer.conn.state == "READY"
    assert peer.conn.next_event().name == "RUN"
    assert peer.names() == ["IGNORED", "IGNORED", "SUCCESS"]


def test_reset_during_work_lets_the_runtime_ignore_it() -> None:
    peer = Peer((5, 0))
    login(peer)
    peer.send(Run("x", {}, {}), Pull({"n": -1}))
    peer.conn.next_event()
    peer.conn.success({"fields": ["a"]})
    assert peer.conn.next_event().name == "PULL"
    peer.conn.record([1])
    peer.send(Reset())  # arrives while the PULL streams
    assert peer.conn.interrupted
    peer.conn.ignored()
    assert peer.conn.next_event().name == "RESET"
    peer.conn.success({})
    assert peer.names() == ["SUCCESS", "RECORD", "IGNORED", "SUCCESS"]
    assert peer.conn.state == "READY"


def test_failure_without_reset_ignores_everything() -> None:
    peer = Peer((4, 4))
    login(peer)
    peer.send(Run("x", {}, {}))
    peer.conn.next_event()
    peer.conn.failure({"code": "Neo.ClientError.Statement.SyntaxError", "message": "no"})
    peer.send(Pull({"n": -1}), Run("y", {}, {}), Begin({}))
    assert peer.conn.next_event() is None
    assert peer.names() == ["FAILURE", "IGNORED", "IGNORED", "IGNORED"]
    assert peer.conn.state == "FAILED"


def test_message_not_allowed_in_state_is_a_failure() -> None:
    peer = Peer((5, 0))
    login(peer)
    peer.send(Commit())
    assert peer.conn.next_event() is None
    [failure] = peer.replies()
    assert failure.name == "FAILURE"
    assert failure.metadata["code"] == "Neo.ClientError.Request.Invalid"
    assert "COMMIT is not allowed in state READY" in failure.metadata["message"]
    assert peer.conn.state == "FAILED"


def test_violation_before_authentication_closes() -> None:
    peer = Peer((5, 1))
    peer.send(Hello({"user_agent": "t"}))
    peer.conn.next_event()
    peer.conn.success({})
    peer.send(Run("x", {}, {}))
    assert isinstance(peer.conn.next_event(), Closed)
    assert peer.names()[-1] == "FAILURE"
    assert peer.conn.state == "DEFUNCT"


def test_streaming_with_has_more_and_discard() -> None:
    peer = Peer((4, 4))
    login(peer)
    peer.send(Run("x", {}, {}), Pull({"n": 2}), Discard({"n": -1}))
    assert peer.conn.next_event().stream == "auto"
    peer.conn.success({"fields": ["a"]})
    pull = peer.conn.next_event()
    assert pull.name == "PULL" and pull.stream == "auto"
    peer.conn.records([[1], [2]])
    peer.conn.success({"has_more": True})
    assert peer.conn.state == "STREAMING"
    assert peer.conn.next_event().name == "DISCARD"
    peer.conn.success({})
    assert peer.conn.state == "READY"
    assert [m.name for m in peer.replies()] == ["SUCCESS", "RECORD", "RECORD", "SUCCESS", "SUCCESS"]


def test_transaction_results_get_qids_from_4_0() -> None:
    peer = Peer((4, 0))
    login(peer)
    peer.send(Begin({}), Run("a", {}, {}), Run("b", {}, {}), Pull({"n": -1, "qid": 0}),
              Pull({"n": -1}), Commit())
    peer.conn.next_event()
    peer.conn.success({})
    first = peer.conn.next_event()
    peer.conn.success({"fields": []})
    second = peer.conn.next_event()
    peer.conn.success({"fields": []})
    assert (first.stream, second.stream) == (0, 1)
    assert peer.conn.next_event().stream == 0
    peer.conn.success({})
    assert peer.conn.state == "TX_STREAMING"  # qid 1 is still open
    assert peer.conn.next_event().stream == 1  # qid -1 = the last one
    peer.conn.success({})
    assert peer.conn.state == "TX_READY"
    assert peer.conn.next_event().name == "COMMIT"
    peer.conn.success({"bookmark": "b"})
    replies = peer.replies()
    assert [r.metadata.get("qid") for r in replies[1:3]] == [0, 1]
    assert peer.conn.state == "READY"


def test_rollback_telemetry_logoff_goodbye() -> None:
    peer = Peer((5, 4))
    login(peer)
    peer.send(Telemetry(2), Begin({}), Rollback(), Logoff(), Logon({"scheme": "none"}), Goodbye())
    for name in ("TELEMETRY", "BEGIN", "ROLLBACK", "LOGOFF", "LOGON"):
        ev = peer.conn.next_event()
        assert ev.name == name
        peer.conn.success({})
    assert peer.conn.state == "READY"
    closed = peer.conn.next_event()
    assert isinstance(closed, Closed) and "GOODBYE" in closed.reason
    assert peer.names() == ["SUCCESS"] * 5  # GOODBYE gets no reply


def test_malformed_request_fails_and_closes() -> None:
    peer = Peer((5, 0))
    peer.conn.receive_data(b"\x00\x03\xb1\x01\xc4\x00\x00")  # HELLO with a reserved marker
    closed = peer.conn.next_event()
    assert isinstance(closed, Closed)
    [failure] = peer.replies()
    assert failure.metadata["code"] == "Neo.ClientError.Request.Invalid"
    assert "reserved marker byte 0xC4" in failure.metadata["message"]


def test_oversized_message_fails_and_closes() -> None:
    peer = Peer((5, 0), max_message_size=100)
    peer.send(Hello({"user_agent": "x" * 200}))
    assert isinstance(peer.conn.next_event(), Closed)
    assert peer.names() == ["FAILURE"]


def test_utc_patch_switches_the_codec_after_hello() -> None:
    peer = Peer((4, 4))
    peer.send(Hello({"user_agent": "t", "patch_bolt": ["utc"]}))
    peer.conn.next_event()
    peer.conn.success({"patch_bolt": ["utc"]})
    assert peer.conn.patches == frozenset({"utc"})
    peer.send(Run("x", {}, {}), Pull({"n": -1}))
    peer.conn.next_event()
    peer.conn.success({"fields": ["t"]})
    peer.conn.next_event()
    peer.conn.record([DateTime(0, 0, 3600)])
    data = peer.conn.data_to_send()
    assert b"\xb3\x49" in data and b"\xb3\x46" not in data  # UTC DateTime, not the legacy form


def test_records_only_answer_a_pull() -> None:
    peer = Peer((5, 0))
    login(peer)
    peer.send(Run("x", {}, {}))
    peer.conn.next_event()
    with pytest.raises(RuntimeError):
        peer.conn.record([1])
    with pytest.raises(RuntimeError):
        ServerConnection().success({})


# ---- well-known map keys of the wrong type (found by fuzz.server_connection) -----------------


@pytest.mark.parametrize("extra", [{"n": {}}, {"n": "10"}, {"n": True}, {"n": 5, "qid": [1]}])
def test_pull_with_a_key_of_the_wrong_type_fails_before_the_application(extra) -> None:
    peer = Peer((5, 0))
    login(peer)
    peer.send(Run("RETURN 1", {}, {}))
    assert peer.conn.next_event().name == "RUN"
    peer.conn.success({"fields": ["x"]})
    peer.send(Pull(extra))
    # The application never sees the PULL: the connection answers it and moves to FAILED.
    assert peer.conn.next_event() is None
    assert peer.conn.state == "FAILED"
    replies = peer.replies()
    assert [m.name for m in replies] == ["SUCCESS", "FAILURE"]
    assert replies[1].metadata["code"] == "Neo.ClientError.Request.Invalid"
    key = "qid" if "qid" in extra else "n"
    assert replies[1].metadata["message"].startswith(f"PULL extra.{key} must be Integer, found ")


def test_hello_with_a_key_of_the_wrong_type_fails_and_closes() -> None:
    peer = Peer((5, 0))
    peer.send(Hello({"user_agent": 7}))
    event = peer.conn.next_event()
    assert isinstance(event, Closed)
    (failure,) = peer.replies()
    assert failure.metadata["message"] == "HELLO extra.user_agent must be String, found Integer"


def test_keys_outside_their_versions_are_not_checked() -> None:
    # patch_bolt is a well-known key of 4.3-4.4 only: in 5.0 it is just another key.
    peer = Peer((5, 0))
    peer.send(Hello({"user_agent": "t", "patch_bolt": 1}))
    assert peer.conn.next_event().name == "HELLO"
