"""asyncbolt's client against hostile servers (issue 14, points 4, 5 and 13).

The servers are scripted peers on 127.0.0.1 (tests/test_client_odd_servers.py's FakeServer):
no real server pushes records nobody asked for, sends ``stats: "oops"`` or goes silent in the
middle of a message on demand, and these are exactly the byte streams a malicious or broken
server could send. Every wait is bounded, so a client that hangs fails instead of blocking.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import pytest

import asyncbolt
import asyncbolt.client.connection
import asyncbolt.core.client
from asyncbolt.codec.messages import Failure, Record, Success
from asyncbolt.core.framing import chunk_message

from .loopwatch import LoopWatch
from .test_client_odd_servers import NOOP, FakeServer, Peer, connect, idle


@contextlib.contextmanager
def loop_errors() -> Any:
    """What reaches asyncio's exception handler (the 'error log') inside the block."""
    loop = asyncio.get_running_loop()
    seen: list[dict] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: seen.append(context))
    try:
        yield seen
    finally:
        loop.set_exception_handler(previous)


def vm_rss() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


async def closed(conn: asyncbolt.Connection, timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not conn.closed:
        assert time.monotonic() < deadline, "the connection was not closed"
        await asyncio.sleep(0.01)


# -- point 4: records nobody asked for ----------------------------------------------------------


async def test_records_beyond_the_pulls_n_are_bounded_by_the_buffer_limits() -> None:
    """Records beyond the PULL's n break the protocol, but FalkorDB sends them (it ignores n:
    tests/test_client_falkordb.py), so they are kept only within max_buffered_records and
    max_buffered_bytes; past those, the error says the server overran n."""

    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        _, pull = await peer.expect("RUN", "PULL")
        assert pull.extra["n"] == 2
        await peer.send(Success({"fields": ["x"]}), *[Record([i]) for i in range(10)])
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server, fetch_size=2, max_buffered_records=3)
        with loop_errors() as seen:
            result = await conn.run("RETURN 1 AS x")
            got = []
            with pytest.raises(asyncbolt.ProtocolError,
                               match=r"buffered unread \(the server sent more than the 2 records its PULL asked for\)"):
                async for record in result:
                    got.append(record["x"])
            assert got == [0, 1, 2]  # what was buffered is still delivered
            await closed(conn)
        assert seen == []


async def test_a_record_with_no_pull_outstanding_closes_the_connection() -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.expect("RUN", "PULL")
        await peer.send(Success({"fields": ["x"]}), Record([1]), Success({"has_more": True}))
        await asyncio.sleep(0.05)
        await peer.send(Record([2]))  # the client has not sent its next PULL
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server, fetch_size=1)
        result = await conn.run("RETURN 1 AS x")
        assert await asyncio.wait_for(result.keys(), 2) == ["x"]
        await closed(conn)
        assert "RECORD with no request waiting" in str(conn._closed)


async def test_records_in_answer_to_discard_are_dropped_not_buffered() -> None:
    """A DISCARD has no records; a server that sends some anyway (FalkorDB does) gets them
    dropped: nothing is buffered, whatever their number."""

    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.expect("RUN", "PULL")
        await peer.send(Success({"fields": ["x"]}), Record([0]), Success({"has_more": True}))
        await peer.expect("DISCARD")
        await peer.send(*[Record(["y" * 1000]) for _ in range(2000)], Success({"type": "r"}))
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server, fetch_size=1, max_buffered_bytes=100_000)
        result = await conn.run("RETURN 1 AS x")
        assert (await asyncio.wait_for(result.__anext__(), 2))["x"] == 0
        summary = await asyncio.wait_for(result.consume(), 5)
        assert summary.metadata["type"] == "r"
        assert conn.buffered_bytes == 0 and not conn.closed
        await conn.close()


RECORD_4K = chunk_message(b"\xb1\x71\x91\xd1\x10\x00" + b"x" * 4096)  # RECORD ["xxxx..."]


async def _push_records(peer: Peer, fetch_size_seen: list, limit_bytes: int) -> None:
    """Answer RUN, then push 4 KiB RECORDs nobody PULLed (at most ``limit_bytes``)."""
    await peer.accept((5, 4))
    await peer.hello()
    _, pull = await peer.expect("RUN", "PULL")
    fetch_size_seen.append(pull.extra["n"])
    await peer.send(Success({"fields": ["x"]}))
    batch = RECORD_4K * 256
    sent = 0
    while sent < limit_bytes:
        peer.writer.write(batch)
        await peer.writer.drain()
        sent += len(batch)
    await idle(peer)


@pytest.mark.parametrize("fetch_size", [1000, -1])
async def test_pushed_records_end_in_an_error_before_256_mib(fetch_size: int) -> None:
    """Issue 14, point 4: a server that answers RUN and then pushes 4 KB RECORDs took the
    client to ~3.9 GB. With a PULL n, records past it are refused; with n = -1 (everything
    asked for) and nobody reading, max_buffered_bytes (64 MiB by default) ends it."""
    seen: list = []
    cap = 300 * 1024 * 1024  # the script stops here: a client still open by then has failed

    async with FakeServer(lambda peer: _push_records(peer, seen, cap)) as server:
        conn = await connect(server, fetch_size=fetch_size)
        before = vm_rss()
        with loop_errors() as logged:
            result = await conn.run("RETURN 1 AS x")
            assert await asyncio.wait_for(result.keys(), 5) == ["x"]
            await closed(conn, timeout=60)
        grown = vm_rss() - before
        assert seen == [fetch_size]
        assert isinstance(conn._closed, asyncbolt.ProtocolError)
        assert "max_buffered_bytes" in str(conn._closed)
        if fetch_size == 1000:
            assert "more than the 1,000 records its PULL asked for" in str(conn._closed)
        assert grown < 256 * 1024 * 1024, f"RSS grew {grown / 2**20:.0f} MiB"
        assert logged == []
        del result


async def test_max_buffered_bytes_counts_what_is_unread_and_none_switches_it_off() -> None:
    rows = [["y" * 1000] for _ in range(50)]

    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        for _ in range(2):
            await peer.answer_query(rows)
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server, max_buffered_bytes=100_000, fetch_size=-1)
        first = await conn.run("RETURN 1 AS x")
        assert len(await asyncio.wait_for(first.values(), 2)) == 50
        assert conn.buffered_bytes == 0  # read records are no longer counted
        second = await conn.run("RETURN 1 AS x")
        async for _ in second:
            pass
        assert conn.buffered_bytes == 0
        await conn.close()

    async def small(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.answer_query(rows)
        await idle(peer)

    async with FakeServer(small) as server:
        conn = await connect(server, max_buffered_bytes=20_000, fetch_size=-1)
        result = await conn.run("RETURN 1 AS x")
        with pytest.raises(asyncbolt.ProtocolError, match="more than 20,000 bytes of records"):
            await asyncio.wait_for(result.values(), 2)
    async with FakeServer(small) as server:
        conn = await connect(server, max_buffered_bytes=None, fetch_size=-1)
        assert len(await asyncio.wait_for((await conn.run("RETURN 1 AS x")).values(), 2)) == 50
        await conn.close()


# -- point 5: odd metadata ----------------------------------------------------------------------

QUERY_CASES = [
    # (RUN's SUCCESS, PULL's SUCCESS, what the error names)
    ({"fields": 42}, {"type": "r"}, "SUCCESS fields must be List<String>, found Integer"),
    ({"fields": [42]}, {"type": "r"}, "SUCCESS fields must be List<String>, found List"),
    ({"fields": ["x"], "t_first": "soon"}, {}, "SUCCESS t_first must be Integer, found String"),
    ({"fields": ["x"], "qid": "q"}, {}, "SUCCESS qid must be Integer, found String"),
    ({"fields": ["x"]}, {"stats": "oops"}, "SUCCESS stats must be Map, found String"),
    ({"fields": ["x"]}, {"stats": {"nodes-created": "5"}},
     "SUCCESS stats.nodes-created must be Integer, found String"),
    ({"fields": ["x"]}, {"stats": {"contains-updates": 1}},
     "SUCCESS stats.contains-updates must be Boolean, found Integer"),
    ({"fields": ["x"]}, {"has_more": "no"}, "SUCCESS has_more must be Boolean, found String"),
    ({"fields": ["x"]}, {"bookmark": 7}, "SUCCESS bookmark must be String, found Integer"),
    ({"fields": ["x"]}, {"db": ["neo4j"]}, "SUCCESS db must be String, found List"),
    ({"fields": ["x"]}, {"type": None}, "SUCCESS type must be String 'r', 'w', 'rw' or 's', found Null"),
    ({"fields": ["x"]}, {"type": "wr"}, "SUCCESS type must be String 'r', 'w', 'rw' or 's', found String 'wr'"),
    ({"fields": ["x"]}, {"plan": "p"}, "SUCCESS plan must be Map, found String"),
    ({"fields": ["x"]}, {"profile": 1.5}, "SUCCESS profile must be Map, found Float"),
    ({"fields": ["x"]}, {"notifications": 42}, "SUCCESS notifications must be List<Map>, found Integer"),
    ({"fields": ["x"]}, {"notifications": ["a", "b"]}, "SUCCESS notifications must be List<Map>"),
    ({"fields": ["x"]}, {"statuses": {"a": 1}}, "SUCCESS statuses must be List<Map>, found Map"),
    ({"fields": ["x"]}, {"t_last": 1.0}, "SUCCESS t_last must be Integer, found Float"),
]


@pytest.mark.parametrize("run_meta, pull_meta, message", QUERY_CASES)
async def test_odd_query_metadata_is_a_protocol_error_naming_the_key(run_meta, pull_meta, message) -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.expect("RUN", "PULL")
        await peer.send(Success(run_meta), Record([1]), Success(pull_meta))
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server)
        with loop_errors() as logged:
            result = await conn.run("RETURN 1 AS x")
            with pytest.raises(asyncbolt.ProtocolError) as caught:
                await asyncio.wait_for(result.consume(), 2)
            assert message in str(caught.value)
            assert "in answer to" in str(caught.value)
            await closed(conn)
        assert logged == []


async def test_stats_of_the_right_types_still_make_counters() -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.expect("RUN", "PULL")
        await peer.send(Success({"fields": ["x"], "t_first": 1}),
                        Success({"stats": {"nodes-created": 2, "contains-updates": True},
                                 "notifications": [{"code": "c"}], "type": "w", "t_last": 0}))
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server)
        summary = await asyncio.wait_for((await conn.run("CREATE (), ()")).consume(), 2)
        assert summary.counters.nodes_created == 2 and summary.counters.contains_updates
        assert summary.notifications == [{"code": "c"}]
        await conn.close()


@pytest.mark.parametrize("meta, message", [
    ({"hints": 42}, "SUCCESS hints must be Map, found Integer"),
    ({"server": 1}, "SUCCESS server must be String, found Integer"),
    ({"connection_id": ["a"]}, "SUCCESS connection_id must be String, found List"),
])
async def test_odd_hello_metadata_fails_connect(meta, message) -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((4, 4))
        await peer.expect("HELLO")
        await peer.send(Success({"server": "Fake/1", **meta}))
        await idle(peer)

    async with FakeServer(script) as server:
        with loop_errors() as logged:
            with pytest.raises(asyncbolt.ProtocolError, match=message):
                await connect(server)
        assert logged == []


@pytest.mark.parametrize("rt, message", [
    ({"ttl": "300", "servers": []}, "SUCCESS rt.ttl must be Integer, found String"),
    ({"ttl": 300, "servers": [{"role": "READ", "addresses": "a:1"}]},
     r"SUCCESS rt.servers\[0\].addresses must be List<String>, found String"),
    ({"ttl": 300, "servers": [{"role": 1, "addresses": []}]},
     r"SUCCESS rt.servers\[0\].role must be String, found Integer"),
    ({"ttl": 300, "servers": ["x"]}, "SUCCESS rt.servers must be List<Map>"),
])
async def test_odd_routing_table_is_a_protocol_error(rt, message) -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.expect("ROUTE")
        await peer.send(Success({"rt": rt}))
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server)
        with loop_errors() as logged:
            with pytest.raises(asyncbolt.ProtocolError, match=message):
                await asyncio.wait_for(conn.route(), 2)
        assert logged == [] and conn.closed


async def test_routing_procedure_table_is_checked_too() -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((4, 2))
        await peer.hello()
        await peer.expect("RUN", "PULL")
        await peer.send(Success({"fields": ["ttl", "servers"]}), Record([300, [{"role": "READ"}, 5]]),
                        Success({"type": "r"}))
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server, versions=[(4, 2)])
        with pytest.raises(asyncbolt.ProtocolError, match=r"bad table: servers must be List<Map>"):
            await asyncio.wait_for(conn.route(), 2)
        await conn.close()


async def test_odd_failure_metadata_is_a_protocol_error() -> None:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.expect("RUN", "PULL")
        await peer.send(Failure({"code": 42, "message": "boom"}))
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server)
        with loop_errors() as logged:
            with pytest.raises(asyncbolt.ProtocolError, match="FAILURE code must be String, found Integer"):
                await asyncio.wait_for((await conn.run("RETURN 1")).consume(), 2)
        assert logged == [] and conn.closed


# -- no exception escapes a protocol callback -------------------------------------------------


async def test_an_unforeseen_error_in_a_handler_becomes_a_protocol_error(monkeypatch) -> None:
    """The last line of defence: whatever goes wrong while handling the server's bytes (here a
    handler with a bug) fails the waiting caller with a ProtocolError and closes the
    connection; asyncio's exception handler sees nothing."""

    def broken(self, meta):
        raise KeyError("bug")

    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.answer_query([[1]])
        await idle(peer)

    monkeypatch.setattr(asyncbolt.client.connection._RunHandler, "on_success", broken)
    async with FakeServer(script) as server:
        conn = await connect(server)
        with loop_errors() as logged:
            with pytest.raises(asyncbolt.ProtocolError, match=r"handling SUCCESS for RUN\): KeyError"):
                await asyncio.wait_for((await conn.run("RETURN 1 AS x")).values(), 2)
            await closed(conn)
        assert logged == []


async def test_an_error_escaping_data_received_is_caught(monkeypatch) -> None:
    calls = []

    def broken(self, payloads):
        calls.append(len(payloads))
        raise RuntimeError("bug in the read loop")

    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.answer_query([[1]])
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server)
        # (the protocol core's message loop, which the asyncio connection calls)
        monkeypatch.setattr(asyncbolt.core.client.ClientConnection, "_messages", broken)
        with loop_errors() as logged:
            with pytest.raises(asyncbolt.ProtocolError, match="RuntimeError: bug in the read loop"):
                await asyncio.wait_for((await conn.run("RETURN 1 AS x")).values(), 2)
        assert calls and logged == [] and conn.closed


# -- point 13: silent servers -----------------------------------------------------------------


async def _silent_after_run(peer: Peer, **hello: Any) -> None:
    await peer.accept((5, 4))
    await peer.hello(**hello)
    await peer.expect("RUN", "PULL")


async def test_by_default_a_silent_server_without_a_hint_is_given_up(monkeypatch) -> None:
    monkeypatch.setattr(asyncbolt.core.client, "DEFAULT_READ_TIMEOUT", 0.4)

    async def script(peer: Peer) -> None:
        await _silent_after_run(peer)
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server)  # read_timeout left at "auto"
        assert conn.read_timeout == "auto"
        with pytest.raises(asyncbolt.ServiceUnavailable, match="no data .* for 0.4 s while waiting for the answer to RUN"):
            await asyncio.wait_for((await conn.run("RETURN 1")).values(), 3)
        assert conn.closed


def test_the_default_read_timeout_is_documented_and_bounded() -> None:
    assert asyncbolt.client.connection.DEFAULT_READ_TIMEOUT == 300.0
    assert asyncbolt.core.client.DEFAULT_READ_TIMEOUT is asyncbolt.client.connection.DEFAULT_READ_TIMEOUT
    assert asyncbolt.connect.__kwdefaults__["read_timeout"] == "auto"
    assert asyncbolt.Driver.__init__.__kwdefaults__["read_timeout"] == "auto"


# The rules of silence (a stall mid-message, NOOPs without a hint or slower than it,
# read_timeout=None) are the client core's, tested on a fake clock in tests/test_client_core.py.
# Over a socket: the asyncio client's one timer, which NOOPs keep moving later.


async def test_noops_from_a_server_that_keeps_its_hint_keep_a_long_query_alive() -> None:
    async def script(peer: Peer) -> None:
        await _silent_after_run(peer, hints={"connection.recv_timeout_seconds": 1})
        for _ in range(10):  # 2.5 s of work, a NOOP every 0.25 s
            await peer.send_raw(NOOP)
            await asyncio.sleep(0.25)
        await peer.send(Success({"fields": ["x"]}), Record([1]), Success({}))
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server)  # auto: the hint, 1 s
        assert await asyncio.wait_for((await conn.run("RETURN 1 AS x")).values(), 5) == [[1]]
        await conn.close()


# -- point 10: driver deadlines ----------------------------------------------------------------


@contextlib.asynccontextmanager
async def black_hole() -> Any:
    """A listener that accepts TCP connections and never sends a byte (the port)."""
    held: list[asyncio.StreamWriter] = []

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)
        with contextlib.suppress(ConnectionError):
            while await reader.read(65536):
                pass

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for writer in held:
            writer.close()


def router_script(readers: list[int]) -> Any:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        me = f"127.0.0.1:{peer.writer.get_extra_info('sockname')[1]}"
        while True:
            message = await peer.recv(30)
            if message.name == "ROUTE":
                await peer.send(Success({"rt": {"ttl": 300, "db": "neo4j", "servers": [
                    {"role": "ROUTE", "addresses": [me]}, {"role": "WRITE", "addresses": [me]},
                    {"role": "READ", "addresses": [f"127.0.0.1:{p}" for p in readers]}]}}))
            elif message.name == "RESET":
                await peer.send(Success({}))
            elif message.name == "GOODBYE":
                return
    return script


async def _read(tx: Any) -> Any:
    return await (await tx.run("RETURN 1 AS x")).values()


def check_message(text: str) -> None:
    assert "-0." not in text, text
    assert "max_pool_size" not in text and "holds its maximum" not in text, text


async def test_execute_read_against_readers_that_never_answer_gives_up_in_its_total_time() -> None:
    """Issue 14, point 10: readers that accept TCP and never answer. execute_read gives up
    within connection_acquisition_timeout + max_retry_time (90 s with the defaults; scaled
    down here) and says what happened."""
    async with black_hole() as r1, black_hole() as r2, FakeServer(router_script([r1, r2])) as router:
        driver = asyncbolt.Driver(f"neo4j://127.0.0.1:{router.port}", auth=("u", "p"),
                                  connection_timeout=0.3, connection_acquisition_timeout=1.0,
                                  max_retry_time=1.0, initial_retry_delay=0.1)
        started = time.monotonic()
        with pytest.raises(asyncbolt.ServiceUnavailable) as caught:
            await asyncio.wait_for(driver.execute_read(_read), 10)
        took = time.monotonic() - started
        await driver.close()
    text = str(caught.value)
    assert took < 1.0 + 1.0 + 1.0, f"{took:.2f}s"  # the documented total, plus slack
    check_message(text)
    # the acquisition deadline ran out in a reader's handshake, and the error says so
    assert f"with 127.0.0.1:{r1} (the handshake)" in text or f"with 127.0.0.1:{r2} (the handshake)" in text, text
    assert "timed out after 0." in text and "while negotiating the Bolt version" in text, text


async def test_a_short_acquisition_timeout_says_what_happened() -> None:
    """With connection_acquisition_timeout=0.5 and the default connection_timeout (30 s), the
    error used to read '-0.007s' and blame a full pool with 0 connections in use."""
    async with black_hole() as r1, black_hole() as r2, FakeServer(router_script([r1, r2])) as router:
        driver = asyncbolt.Driver(f"neo4j://127.0.0.1:{router.port}", auth=("u", "p"),
                                  connection_acquisition_timeout=0.5, max_retry_time=0.2,
                                  initial_retry_delay=0.05)
        started = time.monotonic()
        with pytest.raises(asyncbolt.ServiceUnavailable) as caught:
            await asyncio.wait_for(driver.execute_read(_read), 10)
        took = time.monotonic() - started
        await driver.close()
    text = str(caught.value)
    assert took < 0.5 + 0.2 + 1.0, f"{took:.2f}s"
    check_message(text)
    assert "timed out after 0." in text, text
    assert "while negotiating the Bolt version with 127.0.0.1:" in text, text


async def test_bolt_driver_against_a_server_that_never_answers() -> None:
    async with black_hole() as port:
        # The handshake is bounded by the acquisition timeout, not connection_timeout (which
        # covers the connect alone), as the official drivers (testkit's
        # connection_acquisition_timeout_ms tests).
        driver = asyncbolt.Driver(f"bolt://127.0.0.1:{port}", auth=("u", "p"),
                                  connection_timeout=5, connection_acquisition_timeout=0.3,
                                  max_retry_time=0.5, initial_retry_delay=0.1)
        started = time.monotonic()
        with pytest.raises(asyncbolt.ServiceUnavailable,
                           match=rf"acquiring a connection to bolt://127.0.0.1:{port} timed out after "
                                 rf"0\.\d+ s while negotiating the Bolt version with 127.0.0.1:{port} "
                                 r"\(the handshake\)"):
            await asyncio.wait_for(driver.execute_write(_read), 10)
        assert time.monotonic() - started < 0.3 + 0.5 + 1.0
        await driver.close()


async def test_connect_timeout_covers_handshake_and_hello_together() -> None:
    """connect(timeout=) is one deadline for connecting, negotiating and authenticating (each
    step used to get the whole timeout again)."""

    async def slow(peer: Peer) -> None:
        await asyncio.sleep(0.3)
        await peer.accept((5, 4))
        await peer.expect("HELLO", "LOGON")
        await asyncio.sleep(0.3)
        await idle(peer)

    async with FakeServer(slow) as server:
        started = time.monotonic()
        with pytest.raises(asyncbolt.ServiceUnavailable, match="timed out after 0.5s"):
            await connect(server, timeout=0.5)
        assert time.monotonic() - started < 1.0


async def test_a_transaction_cut_off_at_begin_leaves_nothing_in_the_error_log() -> None:
    """Found by fuzz/client_connection.py: when the connection died before BEGIN was answered,
    rollback() returned without waiting for BEGIN, and its future's exception was reported as
    'never retrieved' in asyncio's error log."""
    import gc

    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.expect("BEGIN", "RUN", "PULL")
        peer.abort()

    async with FakeServer(script) as server:
        conn = await connect(server)
        with loop_errors() as logged:
            with pytest.raises(asyncbolt.ServiceUnavailable):
                async with conn.begin() as tx:
                    await asyncio.wait_for((await tx.run("RETURN 1")).values(), 2)
            del tx
            gc.collect()
            await asyncio.sleep(0)
        assert logged == []


# -- long messages are decoded off the event loop -----------------------------------------------


@pytest.mark.parametrize("maps, error", [(1_900_000, None), (2_100_000, "max_decoded_values")],
                         ids=["within the budget", "over it"])
async def test_a_long_record_does_not_stall_the_event_loop(maps: int, error: str | None,
                                                            monkeypatch) -> None:
    # Pure-Python decoding of 1,900,000 empty maps takes ~0.3 s: on the event loop every other
    # connection would wait that long. The client decodes it in a worker thread, pausing its
    # reading, and delivers what came behind it in order.
    from asyncbolt.codec import packstream

    monkeypatch.setattr(packstream, "ACCELERATED", False)
    packstream._CODECS.clear()
    big = b"\xb1\x71\x91\xd6" + maps.to_bytes(4, "big") + b"\xa0" * maps

    async def script(peer: Peer) -> None:
        await peer.accept((5, 4))
        await peer.hello()
        await peer.expect("RUN", "PULL")
        await peer.send(Success({"fields": ["x"]}))
        await peer.send_raw(chunk_message(big) + chunk_message(b"\xb1\x71\x91\x01"))
        await peer.send(Success({"type": "r"}))
        await idle(peer)

    try:
        async with FakeServer(script) as server:
            conn = await connect(server)
            with loop_errors() as seen:
                async with LoopWatch() as watch:
                    result = await conn.run("RETURN 1 AS x")
                    if error is None:
                        rows = await asyncio.wait_for(result.values(), 30)
                        assert len(rows) == 2 and len(rows[0][0]) == maps and rows[1] == [1]
                    else:
                        with pytest.raises(asyncbolt.ProtocolError, match=error):
                            await asyncio.wait_for(result.values(), 30)
                        await closed(conn)
            assert seen == []
            await conn.close()
    finally:
        packstream._CODECS.clear()
    assert watch.longest < 0.15, f"the event loop stalled for {watch.longest * 1000:.0f} ms"
