"""The role-neutral state machine (asyncbolt.core.states) stepped as a client or observer sees it."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from asyncbolt._generated.versions import has
from asyncbolt.codec.messages import (
    Begin,
    Commit,
    Discard,
    Hello,
    Logon,
    Pull,
    Reset,
    Rollback,
    Run,
)
from asyncbolt.codec.packstream import get_codec
from asyncbolt.core.framing import ChunkWriter
from asyncbolt.core.handshake import ClientHandshake
from asyncbolt.core.server import Closed, ServerConnection
from asyncbolt.core.states import StateMachine
from asyncbolt.tools import dump


def test_transaction_with_two_open_results_stays_streaming_until_both_end() -> None:
    sm = StateMachine((4, 4))
    assert sm.observe("HELLO", "SUCCESS") is None and sm.state == "READY" and sm.authenticated
    assert sm.observe("BEGIN", "SUCCESS") is None and sm.state == "TX_READY"
    sm.observe("RUN", "SUCCESS", {"qid": 0})
    sm.observe("RUN", "SUCCESS", {"qid": 1})
    assert sm.state == "TX_STREAMING" and sm.qids == [0, 1]
    sm.observe("PULL", "SUCCESS", {"has_more": False}, qid=0)
    assert sm.state == "TX_STREAMING" and sm.qids == [1]
    sm.observe("PULL", "SUCCESS", {"has_more": True})
    assert sm.state == "TX_STREAMING" and sm.qids == [1]
    sm.observe("PULL", "SUCCESS", {})
    assert sm.state == "TX_READY" and sm.qids == []
    sm.observe("COMMIT", "SUCCESS", {"bookmark": "b"})
    assert sm.state == "READY"


def test_answers_the_state_does_not_allow_are_reported() -> None:
    sm = StateMachine((5, 0))
    sm.observe("HELLO", "SUCCESS")
    assert sm.observe("RUN", "FAILURE") is None and sm.state == "FAILED"
    assert sm.observe("PULL", "IGNORED") is None and sm.state == "FAILED"
    problem = sm.observe("RUN", "SUCCESS")
    assert problem is not None and "should have been IGNORED" in problem and "FAILED" in problem
    sm2 = StateMachine((5, 0))
    problem = sm2.observe("RUN", "FAILURE")
    assert problem == "RUN is not allowed in state CONNECTED (answered FAILURE)"
    assert sm2.state == "DEFUNCT"


def test_reset_on_its_way_interrupts_until_it_is_looked_up() -> None:
    sm = StateMachine((4, 4))
    sm.observe("HELLO", "SUCCESS")
    sm.observe("RUN", "SUCCESS", {"fields": ["x"]})
    assert sm.state == "STREAMING"
    sm.interrupt()
    assert sm.interrupted and sm.state == "INTERRUPTED"
    assert sm.observe("PULL", "IGNORED") is None and sm.state == "INTERRUPTED"
    assert sm.observe("RESET", "SUCCESS") is None
    assert sm.state == "READY" and not sm.interrupted


def test_no_interruption_before_authentication() -> None:
    sm = StateMachine((5, 1))
    sm.interrupt()
    assert not sm.interrupted and sm.state == "CONNECTED"
    assert sm.observe("RESET", "FAILURE") == "RESET is not allowed in state CONNECTED (answered FAILURE)"
    sm = StateMachine((5, 1))
    sm.observe("HELLO", "SUCCESS")
    assert sm.state == "AUTHENTICATION" and not sm.authenticated
    sm.observe("LOGON", "SUCCESS")
    assert sm.state == "READY" and sm.authenticated
    sm.observe("LOGOFF", "SUCCESS")
    assert sm.state == "AUTHENTICATION" and not sm.authenticated


def test_stream_keys_before_and_after_qids() -> None:
    old = StateMachine((3, 0))
    old.observe("HELLO", "SUCCESS")
    old.observe("BEGIN", "SUCCESS")
    assert old.stream_key("RUN") == "tx"
    assert StateMachine((3, 0)).stream_key("RUN") == "auto"
    new = StateMachine((4, 0))
    new.observe("HELLO", "SUCCESS")
    new.observe("BEGIN", "SUCCESS")
    assert [new.stream_key("RUN"), new.stream_key("RUN")] == [0, 1]


def test_succeeded_refuses_a_transition_without_success() -> None:
    sm = StateMachine((3, 0))
    transition = sm.lookup("GOODBYE")
    assert transition is not None and transition.close
    with pytest.raises(ValueError, match="GOODBYE has no SUCCESS"):
        sm.succeeded("GOODBYE", transition)


def test_check_answer_says_whose_fault_and_observe_says_it_in_words() -> None:
    sm = StateMachine((5, 0))
    mismatch = sm.check_answer("RUN", "FAILURE")
    assert mismatch is not None and mismatch.kind == "not_allowed" and mismatch.state == "CONNECTED"
    assert str(mismatch) == "RUN is not allowed in state CONNECTED (answered FAILURE)"
    sm = StateMachine((5, 0))
    sm.observe("HELLO", "SUCCESS")
    sm.observe("RUN", "FAILURE")
    assert sm.peek("PULL") is not None and sm.peek("PULL").ignored and sm.state == "FAILED"
    mismatch = sm.check_answer("PULL", "SUCCESS")
    assert mismatch is not None and (mismatch.kind, mismatch.request, mismatch.answer) == (
        "not_ignored", "PULL", "SUCCESS")
    assert sm.observe("PULL", "SUCCESS") == str(mismatch)



# ---- the server and the dump validator step the same machine ---------------------------------

_STEPS = {
    "run": lambda: Run("RETURN 1", {}, {}),
    "pull1": lambda: Pull({"n": 1}),
    "pull": lambda: Pull({"n": -1}),
    "pull_qid0": lambda: Pull({"n": -1, "qid": 0}),
    "discard": lambda: Discard({"n": -1}),
    "begin": lambda: Begin({}),
    "commit": lambda: Commit(),
    "rollback": lambda: Rollback(),
    "reset": lambda: Reset(),
}


def _chunked(codec, message) -> bytes:
    writer = ChunkWriter()
    writer.write(codec.pack_message(message))
    return writer.take()


@settings(max_examples=400, deadline=None)
@example(version=(4, 4), steps=[("begin", False), ("run", False), ("run", False), ("pull", False),
                                ("pull_qid0", False), ("commit", False)])
@given(version=st.sampled_from([(4, 4), (5, 4)]),
       steps=st.lists(st.tuples(st.sampled_from(sorted(_STEPS)), st.booleans()), max_size=14))
def test_the_dump_validator_agrees_with_the_server_on_every_answer(version, steps) -> None:
    """Whatever the client asks (allowed or not) and however the application answers (SUCCESS,
    has_more, FAILURE), the validator finds nothing wrong with the server's answers: both step
    core.states.StateMachine, qids and RESET included."""
    conn = ServerConnection([version])
    handshake = ClientHandshake([version])
    client = handshake.initial_bytes()
    conn.receive_data(client)
    server = conn.data_to_send()
    handshake.receive_data(server)
    codec = get_codec(version)
    requests = [(Hello({"user_agent": "t"}), False)]
    if has("logon", version):
        requests.append((Logon({"scheme": "none"}), False))
    requests += [(_STEPS[name](), bad) for name, bad in steps]
    for message, bad in requests:
        data = _chunked(codec, message)
        client += data
        conn.receive_data(data)
        while (event := conn.next_event()) is not None and not isinstance(event, Closed):
            if bad and event.name != "RESET":
                conn.failure({"code": "Neo.ClientError.Statement.SyntaxError", "message": "no"})
            elif event.name == "PULL" and event.message.extra.get("n") == 1:
                conn.record([1])
                conn.success({"has_more": True})
            elif event.name == "RUN":
                conn.success({"fields": ["1"]})
            else:
                conn.success({})
        server += conn.data_to_send()
        if conn.closed:
            break
    conv = dump.Conversation()
    events = conv.feed("client", client) + conv.feed("server", server) + conv.close()
    # The only problems are the requests the server refused as not allowed, in its words.
    refused = [e.message.metadata["message"].split(" (")[0] for e in events
               if e.name == "FAILURE" and "is not allowed in state" in e.message.metadata["message"]]
    assert [p.reason.split(" (")[0] for p in conv.problems] == refused, (steps, conv.problems)
    assert all(p.side == "client" for p in conv.problems)
