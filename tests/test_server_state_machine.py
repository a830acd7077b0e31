"""Stateful property: the sans-IO server core against the state table of spec/bolt.yaml.

A hypothesis ``RuleBasedStateMachine`` per server version drives a ``ServerConnection`` with
any request message of the version (arbitrary field values, valid and out-of-order), answers
each request it hands out with SUCCESS, SUCCESS ``has_more`` or FAILURE, pipelines requests
behind a RESET, and sends malformed messages. A model built here from spec/bolt.yaml
(independently of the generated tables the connection runs on) says what must come back:
FAILURE for a request the state does not allow (then the state's ``on_violation``), IGNORED
where the table says so, the request handed to the application otherwise, the state after each
answer (with the open results of a 4.0+ transaction counted by qid), and the connection closed
after GOODBYE or in DEFUNCT. No exception may escape the connection.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from asyncbolt._generated.versions import SERVER_VERSIONS
from asyncbolt.codec.messages import LAYOUTS, MESSAGES
from asyncbolt.codec.packstream import get_codec
from asyncbolt.core.framing import ChunkReader, chunk_message
from asyncbolt.core.handshake import MAGIC, encode_version
from asyncbolt.core.server import Closed, Request, ServerConnection
from asyncbolt.errors import ClientError
from tests.strategies import BOLT_SPEC, message_of, version_in

Version = tuple[int, int]
PULLS = {"PULL", "PULL_ALL", "DISCARD", "DISCARD_ALL"}


# -- the model, from the spec --------------------------------------------------------------


def _as_list(x: Any) -> list:
    return x if isinstance(x, list) else [x]


def spec_table(version: Version) -> tuple[str, dict[tuple[str, str], dict], dict[str, str]]:
    """(initial state, (state, message) -> transition entry, state -> on_violation)."""
    for block in BOLT_SPEC["states"]:
        if version_in(version, block["versions"]):
            break
    else:
        raise AssertionError(f"no state table for {version}")
    table: dict[tuple[str, str], dict] = {}
    for entry in block["transitions"]:
        if "versions" in entry and not version_in(version, entry["versions"]):
            continue
        for state in _as_list(entry["state"]):
            for message in _as_list(entry["message"]):
                table[(state, message)] = entry
    violation = {name: (spec or {}).get("on_violation", "FAILED")
                 for name, spec in block["states"].items()}
    return block["initial"], table, violation


def request_names(version: Version) -> list[str]:
    return sorted(cls.name for cls in LAYOUTS[version] if cls.direction == "request")


class ServerModel(RuleBasedStateMachine):
    version: Version = (5, 0)

    def __init__(self) -> None:
        super().__init__()
        version = self.version
        self.codec = get_codec(version)
        self.initial, self.table, self.violation = spec_table(version)
        self.conn = ServerConnection([version])
        self.conn.receive_data(MAGIC + encode_version(version) + bytes(12))
        assert self.conn.data_to_send() == encode_version(version)
        assert self.conn.version == version
        self.state = self.initial
        self.closed = False
        self.reader = ChunkReader()
        self.qids: list[int] = []  # open results of the transaction (4.0+)
        self.next_qid = 0
        self.profile = (version, ())

    # -- helpers --------------------------------------------------------------------------

    def replies(self) -> list[str]:
        return [self.codec.unpack_response(p).name
                for p in self.reader.feed(self.conn.data_to_send())]

    def expect_state(self) -> None:
        if self.closed:
            assert self.conn.closed, f"model closed, connection in {self.conn.state}"
            assert isinstance(self.conn.next_event(), Closed)
        else:
            assert not self.conn.closed, self.conn.closed
            assert self.conn.state == self.state, (self.conn.state, self.state)

    def stream_of(self, message: Any) -> Any:
        """The result a PULL/DISCARD addresses inside a 4.0+ transaction (None: no such)."""
        qid = -1
        if message.name in ("PULL", "DISCARD"):
            qid = message.extra.get("qid", -1)
        if qid == -1:
            return self.qids[-1] if self.qids else None
        return qid if qid in self.qids else None

    def step(self, message: Any, interrupted: bool) -> str:
        """What the model expects for one request arriving in the current state: 'closed',
        'IGNORED', 'FAILURE' (a violation) or 'request' (handed to the application)."""
        name = message.name
        if interrupted and name != "RESET" and (self.state, "RESET") in self.table:
            self.state = "INTERRUPTED"
        entry = self.table.get((self.state, name))
        if entry is None:
            self.state = self.violation.get(self.state, "FAILED")
            if self.state == "DEFUNCT":
                self.closed = True
            return "FAILURE"
        if entry.get("close"):
            self.closed = True
            return "closed"
        if entry.get("ignored"):
            return "IGNORED"
        return "request"

    def answer(self, request: Request, entry: dict, how: str) -> str:
        """Answer a request the way ``how`` says; update the model; return the reply name."""
        conn, name = self.conn, request.name
        frozen = self.state == "INTERRUPTED" and name != "RESET"
        if name == "RUN" and self.state in ("TX_READY", "TX_STREAMING") and self.version >= (4, 0):
            assert request.stream == self.next_qid
            self.next_qid += 1
        if how == "failure":
            conn.failure(ClientError("Neo.ClientError.Statement.SyntaxError", "model says no"))
            if not frozen:
                self.qids.clear()
                self.state = entry.get("failure") or "FAILED"
                self.closed = self.state == "DEFUNCT"
            return "FAILURE"
        has_more = how == "has_more" and name in PULLS
        conn.success({"has_more": True} if has_more else {})
        if frozen:
            return "SUCCESS"
        in_tx_stream = self.state == "TX_STREAMING" and self.version >= (4, 0)
        if name == "RUN" and isinstance(request.stream, int):
            self.qids.append(request.stream)
        if name in PULLS and in_tx_stream and not has_more:
            addressed = request.stream
            if addressed in self.qids:
                self.qids.remove(addressed)
            if self.qids:
                return "SUCCESS"  # other results of the transaction are still open
        if name in ("COMMIT", "ROLLBACK", "RESET"):
            self.qids.clear()
        self.state = entry.get("has_more") if has_more and entry.get("has_more") else entry["success"]
        self.closed = self.state == "DEFUNCT"
        return "SUCCESS"

    def run_requests(self, messages: list[Any], answers: list[str]) -> None:
        """Send the messages in one piece; answer each request handed out; compare replies."""
        data = b"".join(chunk_message(self.codec.pack_message(m)) for m in messages)
        resets = sum(m.name == "RESET" for m in messages)
        self.conn.receive_data(data)
        expected: list[str] = []
        for i, message in enumerate(messages):
            if self.closed:
                break
            if message.name == "RESET":
                resets -= 1
            if self.state != "INTERRUPTED" and resets and (self.state, "RESET") in self.table:
                self.state = "INTERRUPTED"  # a RESET behind this request interrupts it
            outcome = self.step(message, resets > 0)
            if outcome in ("FAILURE", "IGNORED"):
                expected.append(outcome)
                continue
            if outcome == "closed":
                break
            event = self.conn.next_event()
            assert isinstance(event, Request), (message, event, self.state)
            assert event.name == message.name
            entry = self.table[(self.state, message.name)]
            expected.append(self.answer(event, entry, answers[i % len(answers)]))
        event = self.conn.next_event()
        assert event is None or (self.closed and isinstance(event, Closed)), event
        assert self.replies() == expected, (messages, expected)
        self.expect_state()

    # -- rules ----------------------------------------------------------------------------

    @initialize(login=st.sampled_from([True, True, True, False]), data=st.data())
    def start(self, login: bool, data: st.DataObject) -> None:
        """Mostly start logged in (a first request other than HELLO/INIT ends the connection,
        which would leave little to explore)."""
        self.expect_state()
        if not login:
            return
        names = [n for n in ("INIT", "HELLO", "LOGON") if n in request_names(self.version)]
        messages = [data.draw(message_of(MESSAGES[n], self.profile)) for n in names]
        self.run_requests(messages, ["success"])
        assert self.conn.state == "READY"

    @rule(data=st.data(), how=st.sampled_from(["success", "failure", "has_more"]))
    def request(self, data: st.DataObject, how: str) -> None:
        name = data.draw(st.sampled_from(request_names(self.version)))
        message = data.draw(message_of(MESSAGES[name], self.profile))
        self.run_requests([message], [how])

    @rule(data=st.data(), answers=st.lists(st.sampled_from(["success", "failure", "has_more"]),
                                           min_size=1, max_size=3))
    def pipelined_behind_reset(self, data: st.DataObject, answers: list[str]) -> None:
        names = data.draw(st.lists(st.sampled_from(request_names(self.version)), min_size=1,
                                   max_size=3))
        messages = [data.draw(message_of(MESSAGES[n], self.profile)) for n in names]
        reset = MESSAGES["RESET"]()
        self.run_requests(messages + [reset], answers)

    @rule(payload=st.sampled_from([b"\xb0\xff", b"\x01\x02", b"\xb1\x10\xc4"]))
    def malformed(self, payload: bytes) -> None:
        self.conn.receive_data(chunk_message(payload))
        event = self.conn.next_event()
        if not self.closed:
            assert isinstance(event, Closed), event
            assert self.replies() == ["FAILURE"]
        self.closed = True
        self.expect_state()

    @invariant()
    def nothing_pending(self) -> None:
        assert self.conn.current is None


def _machine(version: Version) -> type[ServerModel]:
    return type(f"ServerModel_{version[0]}_{version[1]}", (ServerModel,), {"version": version})


@pytest.mark.parametrize("version", SERVER_VERSIONS, ids=[f"{a}.{b}" for a, b in SERVER_VERSIONS])
def test_server_state_machine_follows_the_spec(version: Version) -> None:
    machine = _machine(version)
    machine.TestCase.settings = settings(
        max_examples=6, stateful_step_count=15, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.filter_too_much])
    machine.TestCase("runTest").runTest()
