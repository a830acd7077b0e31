"""The sans-IO client core (``asyncbolt.core.client.ClientConnection``), bytes in and bytes out.

A client core and a server core (``asyncbolt.core.server.ServerConnection``) talk through
``data_to_send()``/``receive_data()`` in memory, as h11's ``ConnectionPair``: no sockets, no event
loop, no sleeping. Time is a fake clock the test moves. The asyncio client over sockets is tested
elsewhere (tests/test_client*.py); these are the protocol decisions it delegates to the core.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asyncbolt._generated.versions import has
from asyncbolt.codec.messages import (
    Begin,
    Commit,
    Failure,
    Hello,
    Ignored,
    Init,
    Logon,
    Pull,
    PullAll,
    Record,
    Reset,
    Run,
    Success,
)
from asyncbolt.codec.packstream import Codec, get_codec
from asyncbolt.core.client import AUTO, ClientConnection
from asyncbolt.core.framing import chunk_message
from asyncbolt.core.server import Closed, Request, ServerConnection
from asyncbolt.errors import HandshakeError, Neo4jError, ProtocolError, ServiceUnavailable

Version = tuple[int, int]
AGENT = "Neo4j/5.26.0"
NOOP = b"\x00\x00"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Waiter:
    """A handler that writes down what it hears (what the asyncio client's results do)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.records: list[list] = []
        self.sizes: list[int] = []
        self.outcome: str | None = None  # SUCCESS, FAILURE, IGNORED, ERROR
        self.meta: dict | None = None
        self.error: BaseException | None = None
        self.cause: BaseException | None = None

    def what(self) -> str:
        return self.name

    def _end(self, outcome: str) -> None:
        assert self.outcome is None, f"{self.name} answered twice ({self.outcome}, then {outcome})"
        self.outcome = outcome

    def on_record(self, values: list, size: int) -> None:
        if self.name not in ("PULL", "PULL_ALL"):
            raise ProtocolError(f"a RECORD for {self.name}")
        self.records.append(values)
        self.sizes.append(size)

    def on_success(self, meta: dict) -> None:
        self._end("SUCCESS")
        self.meta = meta

    def on_failure(self, error: Neo4jError) -> None:
        self._end("FAILURE")
        self.error = error

    def on_ignored(self, cause: BaseException | None) -> None:
        self._end("IGNORED")
        self.cause = cause

    def on_error(self, error: BaseException) -> None:
        self._end("ERROR")
        self.error = error


class App:
    """The server's application: answers requests as a small database would. ``fail`` names
    queries that fail; ``rows[query]`` are a query's records."""

    def __init__(self, rows: dict[str, list[list]] | None = None, fail: frozenset[str] = frozenset(),
                 hints: dict[str, Any] | None = None) -> None:
        self.rows = rows or {}
        self.fail = fail
        self.hints = hints or {}
        self.streams: dict[Any, list[list]] = {}
        self.seen: list[str] = []

    def answer(self, server: ServerConnection, request: Request) -> None:
        message = request.message
        name = request.name
        self.seen.append(name)
        if name in ("HELLO", "INIT"):
            server.success({"server": AGENT, "connection_id": "bolt-1", "hints": self.hints})
        elif name == "RUN":
            query = message.query
            if query in self.fail:
                server.failure(Neo4jError("Neo.ClientError.Statement.SyntaxError", f"bad: {query}"))
                return
            self.streams[request.stream] = list(self.rows.get(query, []))
            server.success({"fields": ["x"], "t_first": 1})
        elif name in ("PULL", "PULL_ALL", "DISCARD", "DISCARD_ALL"):
            rows = self.streams.get(request.stream, [])
            n = message.extra.get("n", -1) if name in ("PULL", "DISCARD") else -1
            batch = rows[:] if n == -1 else rows[:n]
            del rows[:len(batch)]
            if name.startswith("PULL"):
                server.records(batch)
            if rows and name in ("PULL", "DISCARD") and n != -1:
                server.success({"has_more": True})
            else:
                rows.clear()
                server.success({"type": "r", "t_last": 2})
        elif name == "COMMIT":
            server.success({"bookmark": "bm:1"})
        else:
            server.success({})


class Pair:
    """A client core and a server core connected in memory."""

    def __init__(self, proposals: list | None = None, *, manifest: bool = False,
                 server_versions: list[Version] | None = None, server_manifest: bool = True,
                 app: App | None = None, version: Version | None = None, **client: Any) -> None:
        if version is not None:
            proposals = [version]
            server_versions = server_versions or [version]
        self.clock = Clock()
        self.client = ClientConnection(proposals or [(5, 4)], manifest=manifest, clock=self.clock,
                                       peer="memory:7687", **client)
        self.server = ServerConnection(server_versions, manifest=server_manifest)
        self.app = app or App()

    def to_server(self) -> bytes:
        """Client bytes to the server; the application answers what it can."""
        data = self.client.data_to_send()
        if data:
            self.server.receive_data(data)
        while True:
            event = self.server.next_event()
            if event is None or isinstance(event, Closed):
                return data
            self.app.answer(self.server, event)

    def to_client(self) -> BaseException | None:
        """Server bytes to the client."""
        return self.client.receive_data(self.server.data_to_send())

    def exchange(self) -> None:
        """Until neither side has anything to say."""
        for _ in range(20):
            sent = self.to_server()
            answer = self.server.data_to_send()
            if not sent and not answer:
                return
            error = self.client.receive_data(answer)
            while error is None and self.client.large_message is not None:
                payload = self.client.large_message  # (decoded here, not in a worker thread)
                error = self.client.decoded(payload, self.client.decode(payload))
            assert error is None, error
        raise AssertionError("the conversation did not settle")

    def send(self, message: Any, name: str | None = None) -> Waiter:
        waiter = Waiter(name or message.name)
        self.client.send(message, waiter)
        return waiter

    def login(self) -> None:
        self.exchange()  # the handshake
        v = self.client.version
        assert v is not None
        if not has("hello", v):
            hello = self.send(Init("core/1", {"scheme": "none"}))
        elif has("logon", v):
            hello = self.send(Hello({"user_agent": "core/1"}))
            self.send(Logon({"scheme": "none"}))
        else:
            hello = self.send(Hello({"user_agent": "core/1", "scheme": "none"}))
        self.exchange()
        assert hello.outcome == "SUCCESS" and self.client.state == "READY"

    def pull(self, n: int = -1, qid: int = -1) -> Waiter:
        v = self.client.version
        assert v is not None
        if not has("pull_n", v):
            return self.send(PullAll())
        extra = {"n": n} if qid == -1 else {"n": n, "qid": qid}
        return self.send(Pull(extra))

    def run(self, query: str) -> Waiter:
        v = self.client.version
        assert v is not None
        return self.send(Run(query, {}, {}) if has("tx_extra", v) else Run(query, {}))


def frame(version: Version, *messages: Any) -> bytes:
    codec = get_codec(version)
    return b"".join(chunk_message(m if isinstance(m, bytes) else codec.pack_message(m)) for m in messages)


# -- import ---------------------------------------------------------------------------------


def test_the_cores_import_without_asyncio() -> None:
    code = ("import sys, asyncbolt.core.client, asyncbolt.core.server; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'asyncio'))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "[]", proc.stdout + proc.stderr


# -- handshake ------------------------------------------------------------------------------


@pytest.mark.parametrize(("proposals", "manifest", "server_versions", "expected"), [
    ([(5, 8, 8), (4, 4, 2), (3, 0)], True, [(5, 4)], (5, 4)),
    ([(5, 8, 8), (4, 4, 2), (3, 0)], True, [(6, 0), (5, 8)], (6, 0)),  # the manifest
    ([(5, 8, 8), (4, 4, 2), (3, 0)], True, [(4, 3), (4, 2)], (4, 3)),
    ([(5, 8, 8), (4, 4, 2), (3, 0)], True, [(3, 0)], (3, 0)),
    ([(4, 1), (4, 0), (2, 0), (1, 0)], False, [(1, 0)], (1, 0)),
    ([(4, 1), (4, 0), (2, 0), (1, 0)], False, [(4, 1)], (4, 1)),
])
def test_handshake(proposals: list, manifest: bool, server_versions: list, expected: Version) -> None:
    pair = Pair(proposals, manifest=manifest, server_versions=server_versions)
    assert pair.client.version is None and pair.client.state == "NEGOTIATION"
    pair.exchange()
    assert pair.client.version == expected == pair.server.version
    assert pair.client.manifest == pair.server.manifest
    if expected >= (6, 0):
        assert pair.client.manifest  # (only the manifest reaches 6.x)
    assert pair.client.states is not None and pair.client.states.version == expected
    assert pair.client.state == "CONNECTED"  # (the spec's first state, for every version)
    pair.login()


def test_a_handshake_refused_ends_the_connection_with_a_handshake_error() -> None:
    pair = Pair([(5, 4)], server_versions=[(4, 4)])
    waiter_error = None
    pair.to_server()
    error = pair.to_client()
    waiter_error = pair.client.error
    assert isinstance(error, HandshakeError) and error is waiter_error
    assert "none of the proposed" in str(error) or "supports none" in str(error)
    with pytest.raises(HandshakeError):
        pair.client.send(Reset(), Waiter("RESET"))


# -- requests and answers -------------------------------------------------------------------


@pytest.mark.parametrize("version", [(3, 0), (4, 4), (5, 4), (5, 8)])
def test_pipelined_hello_run_pull_in_one_write(version: Version) -> None:
    app = App(rows={"q": [[1], [2], [3]]})
    pair = Pair(version=version, app=app)
    pair.exchange()
    hello = pair.send(Hello({"user_agent": "core/1", "scheme": "none"}))
    if has("logon", version):
        pair.send(Logon({"scheme": "none"}))
    run = pair.run("q")
    pull = pair.pull(n=-1)
    assert pair.client.has_output
    written = pair.to_server()  # one write
    assert written and not pair.client.has_output
    assert pair.to_client() is None
    assert hello.outcome == "SUCCESS" and hello.meta is not None and hello.meta["server"] == AGENT
    assert run.outcome == "SUCCESS" and run.meta is not None and run.meta["fields"] == ["x"]
    assert pull.records == [[1], [2], [3]] and pull.outcome == "SUCCESS"
    assert all(size > 2 for size in pull.sizes)
    assert pair.client.state == "READY" and not pair.client.pending


def test_records_go_to_the_pull_they_answer_in_batches() -> None:
    app = App(rows={"q": [[i] for i in range(5)]})
    pair = Pair(version=(5, 4), app=app)
    pair.login()
    run, first = pair.run("q"), pair.pull(n=2)
    pair.exchange()
    assert first.records == [[0], [1]] and first.meta == {"has_more": True}
    assert pair.client.state == "STREAMING"
    second = pair.pull(n=2)
    third = pair.pull(n=2)
    pair.exchange()
    assert second.records == [[2], [3]] and third.records == [[4]]
    assert third.meta is not None and "has_more" not in third.meta
    assert run.outcome == "SUCCESS" and pair.client.state == "READY"


def test_hello_hints_and_the_utc_patch_are_read_by_the_core() -> None:
    pair = Pair(version=(4, 4), app=App(hints={"connection.recv_timeout_seconds": 7}))
    pair.exchange()
    pair.send(Hello({"user_agent": "core/1", "scheme": "none", "patch_bolt": ["utc"]}))
    pair.to_server()
    # (the server application agrees to the patch)
    pair.client.receive_data(frame((4, 4), Success({"server": AGENT, "patch_bolt": ["utc"],
                                                   "hints": {"connection.recv_timeout_seconds": 7}})))
    assert pair.client.hints == {"connection.recv_timeout_seconds": 7}
    assert pair.client.patches == frozenset({"utc"}) and pair.client.effective_read_timeout == 7


# -- FAILURE, the RESET after it, IGNORED ---------------------------------------------------


@pytest.mark.parametrize("version", [(1, 0), (3, 0), (4, 4), (5, 4)])
def test_failure_then_the_core_resets_and_ignored_answers_carry_the_cause(version: Version) -> None:
    app = App(rows={"ok": [[1]]}, fail=frozenset({"bad"}))
    pair = Pair(version=version, app=app)
    pair.login()
    run1, pull1 = pair.run("bad"), pair.pull()
    run2, pull2 = pair.run("ok"), pair.pull()
    pair.to_server()
    assert pair.to_client() is None
    assert run1.outcome == "FAILURE" and isinstance(run1.error, Neo4jError)
    assert run1.error.code == "Neo.ClientError.Statement.SyntaxError"
    for waiter in (pull1, run2, pull2):
        assert waiter.outcome == "IGNORED" and waiter.cause is run1.error
    # The core wrote the RESET by itself, once, and the state machine knows it is on its way.
    assert pair.client.has_output and pair.client.resetting and pair.client.interrupted
    sent = pair.to_server()
    assert sent == chunk_message(b"\xb0\x0f")
    assert pair.to_client() is None
    assert not pair.client.resetting and not pair.client.pending and pair.client.state == "READY"
    assert app.seen.count("RESET") == 1
    # and it works again
    run3, pull3 = pair.run("ok"), pair.pull()
    pair.exchange()
    assert pull3.records == [[1]] and run3.outcome == "SUCCESS"


def test_the_reset_after_a_failure_waits_for_the_bytes_that_brought_the_failure() -> None:
    """A server that answers once too often, in the same bytes as its FAILURE: those bytes were
    written before it could have read the RESET, so the extra SUCCESS cannot be the RESET's
    answer. The client says so (an answer with no request waiting) instead of pairing it with
    the RESET and shifting every later answer by one."""
    pair = Pair(version=(5, 4))
    pair.login()
    run, pull = pair.run("RETURN 1"), pair.pull()
    pair.client.data_to_send()  # (the requests went out; the server below is scripted)
    failure = Failure({"code": "Neo.ClientError.Statement.SyntaxError", "message": "bad"})
    error = pair.client.receive_data(frame((5, 4), failure, Ignored(), Success({})))
    assert run.outcome == "FAILURE" and pull.outcome == "IGNORED"
    assert isinstance(error, ProtocolError) and "SUCCESS with no request waiting" in str(error)
    assert pair.client.error is error and not pair.client.has_output  # no RESET went out


def test_the_reset_after_a_failure_goes_out_once_the_bytes_at_hand_are_handled() -> None:
    pair = Pair(version=(5, 4))
    pair.login()
    run, pull = pair.run("RETURN 1"), pair.pull()
    pair.client.data_to_send()
    failure = Failure({"code": "Neo.ClientError.Statement.SyntaxError", "message": "bad"})
    assert pair.client.receive_data(frame((5, 4), failure)) is None
    assert run.outcome == "FAILURE" and pair.client.resetting and pair.client.interrupted
    assert pair.client.data_to_send() == chunk_message(b"\xb0\x0f")
    assert pair.client.receive_data(frame((5, 4), Ignored(), Success({}))) is None
    assert pull.outcome == "IGNORED" and not pair.client.resetting
    assert pair.client.state == "READY" and not pair.client.pending


def test_a_failure_while_a_reset_is_on_its_way_sends_no_second_reset() -> None:
    app = App(fail=frozenset({"bad"}))
    pair = Pair(version=(5, 4), app=app)
    pair.login()
    run, pull = pair.run("bad"), pair.pull()
    pair.to_server()  # the server answers FAILURE, IGNORED (not delivered yet)
    reset = pair.send(Reset())  # the user resets meanwhile
    assert pair.client.interrupted
    assert pair.to_client() is None
    assert run.outcome == "FAILURE" and pull.outcome == "IGNORED"
    assert not pair.client.resetting  # (no RESET of the core's own: the user's clears it)
    sent = pair.to_server()
    assert sent == chunk_message(b"\xb0\x0f")  # the user's RESET, only
    pair.to_client()
    assert reset.outcome == "SUCCESS" and pair.client.state == "READY"
    assert app.seen.count("RESET") == 1


def test_a_reset_interrupts_a_stream() -> None:
    app = App(rows={"q": [[i] for i in range(10)]})
    pair = Pair(version=(5, 4), app=app)
    pair.login()
    run, first = pair.run("q"), pair.pull(n=3)
    pair.exchange()
    assert run.outcome == "SUCCESS" and first.records == [[0], [1], [2]]
    assert pair.client.state == "STREAMING"
    more = pair.pull(n=3)
    reset = pair.send(Reset())
    assert pair.client.state == "INTERRUPTED" and pair.client.interrupted
    pair.to_server()
    pair.to_client()
    assert more.outcome == "IGNORED" and more.records == []
    assert reset.outcome == "SUCCESS" and pair.client.state == "READY"
    assert not pair.client.interrupted


def test_a_transaction_keeps_two_results_open_by_qid() -> None:
    app = App(rows={"a": [[1], [2], [3]], "b": [[10], [20]]})
    pair = Pair(version=(5, 4), app=app)
    pair.login()
    begin = pair.send(Begin({}))
    run_a, pull_a = pair.run("a"), pair.pull(n=1)
    run_b, pull_b = pair.run("b"), pair.pull(n=1)
    pair.exchange()
    assert begin.outcome == "SUCCESS" and pair.client.in_transaction
    assert run_a.meta is not None and run_a.meta["qid"] == 0
    assert run_b.meta is not None and run_b.meta["qid"] == 1
    assert pull_a.records == [[1]] and pull_b.records == [[10]]
    states = pair.client.states
    assert states is not None and states.qids == [0, 1] and pair.client.state == "TX_STREAMING"
    rest_a = pair.pull(n=-1, qid=0)  # the first result, by its qid
    pair.exchange()
    assert rest_a.records == [[2], [3]] and states.qids == [1]
    assert pair.client.state == "TX_STREAMING"  # b is still open
    rest_b = pair.pull(n=-1)  # the last one by default
    pair.exchange()
    assert rest_b.records == [[20]] and states.qids == [] and pair.client.state == "TX_READY"
    commit = pair.send(Commit())
    pair.exchange()
    assert commit.meta == {"bookmark": "bm:1"} and pair.client.state == "READY"
    assert not pair.client.in_transaction


# -- liveness: the read timeout and NOOPs, on a fake clock ---------------------------------


def _waiting(read_timeout: Any = AUTO, hints: dict | None = None) -> tuple[Pair, Waiter]:
    """A logged-in pair whose client waits for the answer to a RUN the server keeps."""
    pair = Pair(version=(5, 4), app=App(hints=hints), read_timeout=read_timeout)
    pair.login()
    run = pair.run("RETURN 1")
    pair.client.data_to_send()  # sent, and never answered
    return pair, run


def test_silence_past_the_read_timeout_ends_the_connection() -> None:
    pair, run = _waiting(read_timeout=10)
    client = pair.client
    deadline = client.next_deadline()
    assert deadline == pair.clock.now + 10
    pair.clock.advance(9.9)
    assert client.check_timeout() is None and client.error is None
    pair.clock.advance(0.1)
    error = client.check_timeout()
    assert isinstance(error, ServiceUnavailable)
    assert str(error) == "no data from memory:7687 for 10 s while waiting for the answer to RUN"
    assert run.outcome == "ERROR" and run.error is error and client.error is error
    assert client.next_deadline() is None


def test_no_deadline_while_nothing_is_awaited() -> None:
    pair = Pair(version=(5, 4), read_timeout=1)
    pair.login()
    assert pair.client.next_deadline() is None
    pair.clock.advance(3600)
    assert pair.client.check_timeout() is None
    pair.client.receive_data(NOOP * 3)  # keep-alives while idle
    run = pair.run("q")  # the clock starts with the request
    assert pair.client.next_deadline() == pair.clock.now + 1
    pair.exchange()
    assert run.outcome == "SUCCESS" and pair.client.next_deadline() is None


def test_auto_read_timeout_is_the_hint_else_the_default() -> None:
    pair, _ = _waiting()
    assert pair.client.effective_read_timeout == 300.0
    pair, _ = _waiting(hints={"connection.recv_timeout_seconds": 4})
    assert pair.client.effective_read_timeout == 4
    for bad in (0, -1, True, "4", float("inf")):
        pair, _ = _waiting(hints={"connection.recv_timeout_seconds": bad})
        assert pair.client.effective_read_timeout == 300.0, bad


def test_a_stall_in_the_middle_of_a_message_counts_as_silence() -> None:
    pair, run = _waiting(read_timeout=2)
    whole = frame((5, 4), Success({"fields": ["x"]}))
    pair.clock.advance(1)
    assert pair.client.receive_data(whole[:5]) is None  # header and three bytes, then nothing
    assert pair.client.next_deadline() == pair.clock.now + 2  # message bytes are a sign of life
    pair.clock.advance(2)
    error = pair.client.check_timeout()
    assert isinstance(error, ServiceUnavailable) and "(it stopped in the middle of a message)" in str(error)


def test_noops_from_a_server_without_a_hint_do_not_keep_a_query_alive() -> None:
    pair, run = _waiting(read_timeout=5)
    for _ in range(9):  # a NOOP every 0.5 s
        pair.clock.advance(0.5)
        assert pair.client.receive_data(NOOP) is None
        assert pair.client.check_timeout() is None
    pair.clock.advance(0.5)
    error = pair.client.check_timeout()
    assert isinstance(error, ServiceUnavailable)
    assert "for 5 s" in str(error) and "only 9 NOOP keep-alive(s)" in str(error)


def test_noops_from_a_server_that_keeps_its_hint_keep_a_long_query_alive() -> None:
    pair, run = _waiting(hints={"connection.recv_timeout_seconds": 1})
    for _ in range(100):  # 25 s of work, a NOOP every 0.25 s
        pair.clock.advance(0.25)
        assert pair.client.receive_data(NOOP) is None
        assert pair.client.check_timeout() is None
    pair.to_server()
    pair.client.receive_data(frame((5, 4), Success({"fields": ["x"]})))
    assert run.outcome == "SUCCESS"


def test_noops_slower_than_the_servers_own_hint_do_not_count() -> None:
    """A server that hinted 0.3 s but sends a NOOP only every 0.6 s is not keeping its promise:
    its NOOPs do not count, so even a longer read_timeout (1 s) ends the wait."""
    pair, run = _waiting(read_timeout=1, hints={"connection.recv_timeout_seconds": 0.3})
    pair.clock.advance(0.6)
    pair.client.receive_data(NOOP)
    assert pair.client.check_timeout() is None
    pair.clock.advance(0.6)
    pair.client.receive_data(NOOP)
    error = pair.client.check_timeout()
    assert isinstance(error, ServiceUnavailable) and "for 1 s" in str(error)


def test_read_timeout_none_waits_for_a_slow_answer() -> None:
    pair, run = _waiting(read_timeout=None, hints={"connection.recv_timeout_seconds": 0.2})
    assert pair.client.next_deadline() is None
    pair.clock.advance(3600)
    assert pair.client.check_timeout() is None
    pair.client.receive_data(frame((5, 4), Success({"fields": ["x"]})))
    assert run.outcome == "SUCCESS"


@pytest.mark.parametrize("version", [(4, 2), (4, 4), (5, 0), (5, 4), (5, 7)])
def test_noops_before_between_and_after_messages_are_ignored(version: Version) -> None:
    pair = Pair(version=version)
    pair.to_server()
    assert pair.client.receive_data(pair.server.data_to_send() + NOOP) is None  # right after the handshake
    assert pair.client.version == version
    hello = pair.send(Hello({"user_agent": "core/1", "scheme": "none"}))
    logon = pair.send(Logon({"scheme": "none"})) if has("logon", version) else None
    pair.client.data_to_send()
    answers = NOOP + frame(version, Success({"server": AGENT})) + NOOP * 3
    if logon is not None:
        answers += frame(version, Success({})) + NOOP
    assert pair.client.receive_data(answers) is None
    assert hello.outcome == "SUCCESS" and (logon is None or logon.outcome == "SUCCESS")
    run, pull = pair.run("q"), pair.pull()
    pair.client.data_to_send()
    data = (NOOP * 2 + frame(version, Success({"fields": ["x"]})) + NOOP + frame(version, Record([1]))
            + NOOP * 3 + frame(version, Record([2])) + NOOP + b"\x00"
            + b"\x00" + frame(version, Record([3])) + NOOP + frame(version, Success({})) + NOOP * 5)
    for piece in (data[:7], data[7:8], data[8:30], data[30:]):  # split anywhere
        assert pair.client.receive_data(piece) is None
    assert run.outcome == "SUCCESS" and pull.records == [[1], [2], [3]] and pull.outcome == "SUCCESS"
    assert pair.client.error is None and pair.client.state == "READY"
    again, more = pair.run("q"), pair.pull()  # (the trailing NOOPs arrived while idle)
    assert pair.client.receive_data(frame(version, Success({"fields": ["x"]}), Record(["again"]),
                                          Success({}))) is None
    assert again.outcome == more.outcome == "SUCCESS" and more.records == [["again"]]


# -- a long message decoded elsewhere --------------------------------------------------------


def test_a_long_message_is_left_to_decode_elsewhere_and_what_follows_waits() -> None:
    version = (5, 4)
    pair = Pair(version=version, offload_bytes=100)
    pair.login()
    run, pull = pair.run("q"), pair.pull()
    pair.client.data_to_send()
    long_value = "x" * 500
    data = frame(version, Success({"fields": ["x"]}), Record([1]), Record([long_value]), Record([2]),
                 Success({}))
    assert pair.client.receive_data(data) is None
    payload = pair.client.large_message
    assert payload is not None and len(payload) > 100
    assert run.outcome == "SUCCESS" and pull.records == [[1]]  # the rest waits behind it
    assert pair.client.receive_data(frame(version, Record([3]))) is None  # (no answer, but it waits)
    result = pair.client.decode(payload)  # (a worker thread would call this)
    error = pair.client.decoded(payload, result)
    assert pull.records == [[1], [long_value], [2]] and pull.outcome == "SUCCESS"
    assert pair.client.large_message is None
    # Then the RECORD that arrived behind it: it answers nothing, a protocol error, in order.
    assert isinstance(error, ProtocolError) and error is pair.client.error
    assert "RECORD with no request waiting" in str(error)


def test_a_long_message_that_does_not_decode_ends_the_connection_precisely() -> None:
    version = (5, 4)
    pair = Pair(version=version, offload_bytes=10)
    pair.login()
    pull = pair.pull()
    pair.client.data_to_send()
    bad = b"\xb1\x71\x91\xd0\x20" + b"short"  # a string of 32 bytes with 5 of them
    assert pair.client.receive_data(chunk_message(b"\xb1\x71\x91" + b"\x81a" * 8) + chunk_message(bad)) is None
    payload = pair.client.large_message
    assert payload is not None
    error = pair.client.decoded(payload, pair.client.decode(payload))
    assert isinstance(error, ProtocolError) and pull.outcome == "ERROR" and pull.error is error


# -- malformed answers ------------------------------------------------------------------------


@pytest.mark.parametrize(("answer", "message"), [
    (chunk_message(b"\xb1\x71\x91\xc7"), "0xC7"),  # an undefined marker inside a RECORD
    (chunk_message(b"\xb1\x55\xa0"), "0x55"),  # an unknown signature
    (chunk_message(b"\xb1\x70\xa1\x88has_more\x85maybe"), "has_more"),  # a well-known key of the wrong type
    (b"\x00\x05\xb1\x70\xa0", None),  # an unfinished chunk: nothing to say yet
])
def test_malformed_answers_end_the_connection_with_a_precise_protocol_error(answer: bytes, message: str | None) -> None:
    pair = Pair(version=(5, 4))
    pair.login()
    run = pair.run("q")
    pair.client.data_to_send()
    error = pair.client.receive_data(answer)
    if message is None:
        assert error is None and run.outcome is None
        return
    assert isinstance(error, ProtocolError), error
    assert message in str(error), str(error)
    assert run.outcome == "ERROR" and run.error is error and pair.client.error is error
    assert pair.client.receive_data(frame((5, 4), Success({}))) is None  # (ended: nothing more)


def test_an_answer_with_no_request_waiting_is_a_protocol_error() -> None:
    pair = Pair(version=(5, 4))
    pair.login()
    error = pair.client.receive_data(frame((5, 4), Success({})))
    assert isinstance(error, ProtocolError) and "SUCCESS with no request waiting" in str(error)


@pytest.mark.parametrize("accelerated", [True, False])
def test_a_record_nobody_asked_for_is_named_in_the_error(accelerated: bool) -> None:
    # (with nothing pending the RECORD leaves the hot path: it must not end as "undecodable
    # message: deque index out of range" though it decoded fine)
    pair = Pair(version=(5, 4))
    pair.login()
    if not accelerated:
        pure = Codec((5, 4), accelerated=False)
        pair.client.codec, pair.client._unpack = pure, pure._unpack
    error = pair.client.receive_data(frame((5, 4), Record(["nobody asked"])))
    assert isinstance(error, ProtocolError)
    assert str(error) == "the server sent RECORD with no request waiting"


def test_a_record_for_a_request_without_records_is_a_protocol_error() -> None:
    pair = Pair(version=(5, 4))
    pair.login()
    run = pair.run("q")
    pair.client.data_to_send()
    error = pair.client.receive_data(frame((5, 4), Record([1])))
    assert isinstance(error, ProtocolError) and "a RECORD for RUN" in str(error)
    assert run.outcome == "ERROR"


def test_a_handler_that_breaks_ends_the_connection_with_a_protocol_error() -> None:
    pair = Pair(version=(5, 4))
    pair.login()

    class Broken(Waiter):
        def on_success(self, meta: dict) -> None:
            raise KeyError("oops")

    broken = Broken("RUN")
    pair.client.send(Run("q", {}, {}), broken)
    later = pair.pull()
    pair.to_server()
    error = pair.to_client()
    assert isinstance(error, ProtocolError)
    assert "handling SUCCESS for RUN" in str(error) and isinstance(error.__cause__, KeyError)
    assert broken.outcome == "ERROR" and later.outcome == "ERROR"


# -- property: any answers, the core either routes them or ends precisely -------------------

ANSWERS = [Success({}), Success({"has_more": True}), Success({"fields": ["x"]}), Failure(
    {"code": "Neo.ClientError.Statement.SyntaxError", "message": "no"}), Ignored(), Record([1]),
    Record(["a", [1, 2]])]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests=st.lists(st.sampled_from(["RUN", "PULL", "BEGIN", "COMMIT", "RESET"]), max_size=6),
       answers=st.lists(st.sampled_from(range(len(ANSWERS))), max_size=10),
       garbage=st.binary(max_size=8), cut=st.integers(min_value=0, max_value=64))
def test_the_core_routes_any_answers_or_ends_with_a_protocol_error(
        requests: list[str], answers: list[int], garbage: bytes, cut: int) -> None:
    pair = Pair(version=(5, 4))
    pair.login()
    make = {"RUN": lambda: Run("q", {}, {}), "PULL": lambda: Pull({"n": 10}),
            "BEGIN": lambda: Begin({}), "COMMIT": lambda: Commit(), "RESET": lambda: Reset()}
    waiters = [pair.send(make[name]()) for name in requests]
    pair.client.data_to_send()
    data = frame((5, 4), *(ANSWERS[i] for i in answers)) + garbage
    for piece in (data[:cut], data[cut:]):
        error = pair.client.receive_data(piece)  # never raises
        assert error is None or isinstance(error, (ProtocolError, ServiceUnavailable)), error
    client = pair.client
    if client.error is not None:
        assert all(w.outcome is not None for w in waiters)  # everything waiting heard the end
        assert not client.pending
    else:
        answered = [w for w in waiters if w.outcome is not None]
        assert waiters[:len(answered)] == answered  # strictly in order
        assert len(client.pending) == len(waiters) - len(answered) + client.resetting
