"""The role-neutral state machine (asyncbolt.core.states) stepped as a client or observer sees it."""

from __future__ import annotations

import pytest

from asyncbolt.core.states import StateMachine


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
