"""The server core's time limits, driven by a fake clock: no sockets, no sleeping.

``ServerConnection`` decides the handshake, authentication and idle time limits and the NOOP
keep-alive schedule; the asyncio runtime only sets a timer for :meth:`next_deadline` and calls
:meth:`check_deadlines` then (its socket tests are in test_limits.py and test_server_faults.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from asyncbolt._generated.versions import has
from asyncbolt.codec.messages import Hello, Logoff, Logon, Pull, Record, Run
from asyncbolt.codec.packstream import get_codec
from asyncbolt.core.framing import ChunkReader, ChunkWriter
from asyncbolt.core.handshake import ClientHandshake
from asyncbolt.core.server import Closed, Request, ServerConnection


class Clock:
    """A clock that moves only when told to."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Client:
    """Drives a ServerConnection like a client would, on a fake clock."""

    def __init__(self, version: tuple[int, int] = (5, 0), **limits: Any) -> None:
        self.clock = Clock()
        self.conn = ServerConnection(clock=self.clock, **limits)
        self.version = version
        self.codec = get_codec(version)
        self.reader = ChunkReader()

    def handshake(self) -> None:
        hs = ClientHandshake([self.version])
        self.conn.receive_data(hs.initial_bytes())
        hs.receive_data(self.conn.data_to_send())
        assert self.conn.version == self.version

    def send(self, *messages: Any) -> None:
        writer = ChunkWriter()
        for message in messages:
            writer.write(self.codec.pack_message(message))
        self.conn.receive_data(writer.take())

    def take(self, name: str) -> Request:
        event = self.conn.next_event()
        assert isinstance(event, Request) and event.name == name, event
        return event

    def answer(self, name: str, metadata: dict | None = None) -> None:
        self.take(name)
        self.conn.success(metadata or {})

    def login(self) -> None:
        """HELLO (and LOGON where it exists), answered: authenticated."""
        self.send(Hello({"user_agent": "t/1", "scheme": "none"}))
        self.answer("HELLO", {"server": "x"})
        if has("logon", self.version):
            assert not self.conn.authenticated
            self.send(Logon({"scheme": "none"}))
            self.answer("LOGON")
        assert self.conn.authenticated
        self.conn.data_to_send()

    def wire(self) -> bytes:
        return self.conn.data_to_send()

    def closed_for(self) -> str:
        event = self.conn.next_event()
        assert isinstance(event, Closed), event
        return event.reason


def expire(client: Client) -> str | None:
    """Move the clock to the next deadline and act on it, as the runtime's timer does."""
    when = client.conn.next_deadline()
    assert when is not None, "no deadline"
    client.clock.now = max(client.clock.now, when)
    return client.conn.check_deadlines()


# -- no limits, bad limits -----------------------------------------------------------------------


def test_without_limits_nothing_is_ever_due() -> None:
    client = Client()
    assert client.conn.next_deadline() is None
    client.handshake()
    client.login()
    client.send(Run("RETURN 1", {}, {}))
    client.take("RUN")
    assert client.conn.next_deadline() is None
    client.clock.advance(10**6)
    assert client.conn.check_deadlines() is None and not client.conn.closed
    assert client.wire() == b""


@pytest.mark.parametrize("name", ["handshake_timeout", "auth_timeout", "idle_timeout", "recv_timeout"])
@pytest.mark.parametrize("bad", [0, -1.5])
def test_limits_must_be_positive(name: str, bad: float) -> None:
    with pytest.raises(ValueError, match=f"{name} must be positive or None, got {bad!r}"):
        ServerConnection(**{name: bad})


# -- handshake -----------------------------------------------------------------------------------


def test_the_handshake_must_finish_in_time_however_its_bytes_trickle_in() -> None:
    client = Client(handshake_timeout=10)
    start = client.clock.now
    assert client.conn.handshake_deadline == client.conn.next_deadline() == start + 10
    initial = ClientHandshake([(5, 0)]).initial_bytes()
    for byte in initial[:-1]:  # every byte but the last, slowly: the deadline does not move
        client.clock.advance(0.5)
        client.conn.receive_data(bytes([byte]))
    assert client.conn.next_deadline() == start + 10
    client.clock.now = start + 10 - 0.001
    assert client.conn.check_deadlines() is None and not client.conn.closed
    client.clock.now = start + 10
    assert client.conn.check_deadlines() == "no handshake within 10s"
    assert client.closed_for() == "no handshake within 10s"
    assert client.conn.next_deadline() is None
    assert client.wire() == b""  # closed without a word: there is no version to speak


def test_a_finished_handshake_has_no_more_deadline() -> None:
    client = Client(handshake_timeout=10)
    client.clock.advance(9.9)
    client.handshake()
    assert client.conn.handshake_deadline is None and client.conn.next_deadline() is None
    client.clock.advance(100)
    assert client.conn.check_deadlines() is None and not client.conn.closed


# -- authentication ------------------------------------------------------------------------------


@pytest.mark.parametrize("version", [(3, 0), (4, 4), (5, 0), (5, 4)])
def test_auth_timeout_closes_a_connection_that_never_authenticates(version: tuple[int, int]) -> None:
    client = Client(version, auth_timeout=30)
    start = client.clock.now
    client.clock.advance(20)  # a slow handshake counts: the limit runs from connecting
    client.handshake()
    assert client.conn.next_deadline() == start + 30
    assert expire(client) == "not authenticated within 30s"
    assert client.closed_for() == "not authenticated within 30s"


@pytest.mark.parametrize("version", [(3, 0), (4, 4), (5, 0), (5, 4)])
def test_authenticating_lifts_the_auth_timeout(version: tuple[int, int]) -> None:
    client = Client(version, auth_timeout=30)
    client.handshake()
    client.clock.advance(29)
    client.login()
    assert client.conn.next_deadline() is None
    client.clock.advance(1000)
    assert client.conn.check_deadlines() is None and not client.conn.closed


def test_hello_alone_does_not_authenticate_where_logon_exists() -> None:
    client = Client((5, 4), auth_timeout=30)
    start = client.clock.now
    client.handshake()
    client.send(Hello({"user_agent": "t/1"}))
    client.answer("HELLO", {"server": "x"})
    assert client.conn.next_deadline() == start + 30
    assert expire(client) == "not authenticated within 30s"


def test_logoff_makes_the_next_logon_due_within_the_auth_timeout() -> None:
    client = Client((5, 4), auth_timeout=30, idle_timeout=600)
    client.handshake()
    client.login()
    client.clock.advance(500)
    client.send(Logoff())
    client.clock.advance(1)
    client.answer("LOGOFF")
    logged_off = client.clock.now
    # (the auth limit replaces the idle one until the client authenticates again)
    assert client.conn.next_deadline() == logged_off + 30
    client.clock.advance(29)
    client.send(Logon({"scheme": "none"}))
    client.answer("LOGON")
    assert client.conn.next_deadline() == client.clock.now + 600  # idle again
    # A second LOGOFF, and no LOGON this time.
    client.send(Logoff())
    client.answer("LOGOFF")
    assert expire(client) == "not authenticated within 30s"
    assert client.closed_for() == "not authenticated within 30s"


# -- idle ----------------------------------------------------------------------------------------


def test_idle_timeout_counts_from_the_last_bytes_in_or_answer() -> None:
    client = Client(idle_timeout=5)
    client.handshake()
    client.login()
    answered = client.clock.now
    assert client.conn.next_deadline() == answered + 5
    client.clock.advance(4)
    client.send(Run("RETURN 1", {}, {}))  # bytes in: the clock restarts
    arrived = client.clock.now
    # Being answered is not idling, however long it takes.
    client.take("RUN")
    assert client.conn.next_deadline() is None
    client.clock.advance(60)
    assert client.conn.check_deadlines() is None and not client.conn.closed
    client.conn.success({"fields": ["x"]})
    assert client.conn.next_deadline() == client.clock.now + 5 > arrived + 5
    assert expire(client) == "idle for 5s"
    assert client.closed_for() == "idle for 5s"


def test_idle_timeout_without_auth_timeout_applies_from_connecting() -> None:
    client = Client(idle_timeout=5)
    assert client.conn.next_deadline() == client.clock.now + 5
    assert expire(client) == "idle for 5s"


def test_a_client_that_does_not_take_its_answers_is_idle() -> None:
    client = Client(idle_timeout=5)
    client.handshake()
    client.login()
    client.send(Run("STREAM", {}, {}), Pull({"n": -1}))
    client.answer("RUN", {"fields": ["i"]})
    client.take("PULL")
    client.conn.record([1])
    client.wire()
    assert client.conn.next_deadline() is None  # answering
    client.clock.advance(3)
    client.conn.write_blocked(True)  # the runtime waits for the client to read
    assert client.conn.next_deadline() == client.clock.now - 3 + 5  # from the last activity
    assert expire(client) == "idle for 5s"
    assert client.closed_for() == "idle for 5s"


def test_write_blocked_idle_asks_whether_the_client_progressed() -> None:
    client = Client(idle_timeout=5)
    client.handshake()
    client.login()
    client.send(Run("STREAM", {}, {}), Pull({"n": -1}))
    client.answer("RUN", {"fields": ["i"]})
    client.take("PULL")
    client.conn.write_blocked(True)
    asked = []

    def progressed() -> bool:
        asked.append(client.clock.now)
        return len(asked) < 3  # takes some twice, then nothing

    start = client.clock.now
    client.wire()
    client.clock.now = start + 5
    assert client.conn.check_deadlines(progressed) is None
    assert client.wire() == b""  # (no keep-alive without recv_timeout)
    assert client.conn.next_deadline() == start + 10
    client.clock.now = start + 7  # early: nothing due, nothing asked
    assert client.conn.check_deadlines(progressed) is None and asked == [start + 5]
    client.clock.now = start + 10
    assert client.conn.check_deadlines(progressed) is None
    client.clock.now = start + 15
    assert client.conn.check_deadlines(progressed) == "idle for 5s"
    assert asked == [start + 5, start + 10, start + 15]


def test_activity_and_the_end_of_a_wait_restart_the_idle_clock() -> None:
    client = Client(idle_timeout=5)
    client.handshake()
    client.login()
    client.send(Run("STREAM", {}, {}), Pull({"n": -1}))
    client.answer("RUN", {"fields": ["i"]})
    client.take("PULL")
    client.conn.write_blocked(True)
    client.clock.advance(4)
    client.conn.activity()  # the runtime saw the socket drain
    assert client.conn.next_deadline() == client.clock.now + 5
    client.conn.write_blocked(False)
    assert client.conn.next_deadline() is None  # answering again: not idle


# -- NOOP keep-alive -----------------------------------------------------------------------------


NOOP = b"\x00\x00"


def long_request(version: tuple[int, int], recv_timeout: float = 2) -> Client:
    client = Client(version, recv_timeout=recv_timeout, idle_timeout=600)
    client.handshake()
    client.login()
    client.clock.advance(100)  # long idle: no keep-alive meanwhile
    assert client.conn.next_deadline() == client.clock.now - 100 + 600  # only the idle limit
    client.send(Run("SLEEP", {}, {}))
    client.take("RUN")
    return client


@pytest.mark.parametrize("version", [(4, 1), (4, 4), (5, 4), (6, 0)])
def test_a_long_request_gets_a_noop_every_half_recv_timeout(version: tuple[int, int]) -> None:
    client = long_request(version)
    arrived = client.clock.now
    assert client.conn.next_deadline() == arrived + 1  # counted from the request's arrival
    noops = []
    for _ in range(5):
        assert expire(client) is None
        noops.append((client.clock.now - arrived, client.wire()))
    assert noops == [(1.0, NOOP), (2.0, NOOP), (3.0, NOOP), (4.0, NOOP), (5.0, NOOP)]
    client.conn.success({"fields": []})
    # Answered: no more keep-alive (the idle limit is back).
    assert client.conn.next_deadline() == client.clock.now + 600


def test_a_write_restarts_the_keep_alive_interval_and_pending_answers_need_no_noop() -> None:
    client = long_request((5, 4))
    client.conn.success({"fields": ["i"]})
    client.send(Pull({"n": -1}))
    client.take("PULL")
    client.clock.advance(0.5)
    client.wire()  # RUN's SUCCESS goes out now
    assert client.conn.next_deadline() == client.clock.now + 1
    client.conn.record([1])  # buffered, not yet written
    assert expire(client) is None
    record = ChunkWriter()
    record.write(client.codec.pack_message(Record([1])))
    assert client.wire() == record.take()  # the RECORD alone, no NOOP after it
    assert client.conn.next_deadline() == client.clock.now + 1


@pytest.mark.parametrize("version", [(3, 0), (4, 0)])
def test_no_noop_before_bolt_4_1(version: tuple[int, int]) -> None:
    assert not has("noop_chunks", version)
    client = long_request(version)
    assert client.conn.next_deadline() is None  # only idle, which does not apply while answering
    client.clock.advance(60)
    assert client.conn.check_deadlines() is None
    assert client.wire() == b""


def test_no_noop_while_no_request_is_answered() -> None:
    client = Client((5, 4), recv_timeout=2)
    client.handshake()
    client.login()
    assert client.conn.next_deadline() is None
    client.clock.advance(60)
    assert client.conn.check_deadlines() is None and client.wire() == b""


def test_bytes_from_the_client_during_a_long_request_do_not_delay_the_noop() -> None:
    client = long_request((5, 4))
    arrived = client.clock.now
    for _ in range(3):  # the client pipelines more while the request runs
        client.clock.advance(0.3)
        client.send(Pull({"n": -1}))
    assert client.conn.next_deadline() == arrived + 1
