"""Spec fixes from the cross-check against the official drivers (issue 16).

- Bolt 5.5: the drivers send ``notifications_disabled_classifications`` (not ``..._categories``)
  and read GQL ``statuses`` (with ``status_description`` only) from 5.5 on;
- IGNORED has no fields: the server always sends it bare (``B0 7E``), which the Go driver needs.

The legacy STRUCT_8/STRUCT_16 markers are in test_inspect.py and test_packstream_malformed.py.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import asyncbolt
from asyncbolt._generated.codec import check_request_maps
from asyncbolt._generated.versions import MAP_KEYS
from asyncbolt.codec.messages import Begin, Hello, Logon, Pull, PullAll, Record, Run, Success

from .rawbolt import RawBolt
from .sessions import EchoSession, Recorder
from .test_client_odd_servers import FakeServer, Peer, connect, idle


def _holds(table: str, key: str, version: tuple[int, int]) -> bool:
    _type, low, high = MAP_KEYS[table][key]
    return low <= version and (high is None or version <= high)


@pytest.mark.parametrize("table", ["hello_extra", "tx_extra"])
def test_spec_classifications_from_5_5_categories_until_5_4(table: str) -> None:
    assert _holds(table, "notifications_disabled_categories", (5, 4))
    assert not _holds(table, "notifications_disabled_categories", (5, 5))
    assert not _holds(table, "notifications_disabled_classifications", (5, 4))
    for version in [(5, 5), (5, 6), (5, 8), (6, 0)]:
        assert _holds(table, "notifications_disabled_classifications", version)


def test_spec_statuses_from_5_5_notifications_until_5_4() -> None:
    assert _holds("success_metadata", "notifications", (5, 4))
    assert not _holds("success_metadata", "notifications", (5, 5))
    assert not _holds("success_metadata", "statuses", (5, 4))
    assert _holds("success_metadata", "statuses", (5, 5)) and _holds("success_metadata", "statuses", (5, 6))


@pytest.mark.parametrize("version, checked, unchecked", [
    ((5, 4), "notifications_disabled_categories", "notifications_disabled_classifications"),
    ((5, 5), "notifications_disabled_classifications", "notifications_disabled_categories"),
    ((5, 6), "notifications_disabled_classifications", "notifications_disabled_categories"),
])
def test_server_checks_the_key_of_its_version(version: tuple[int, int], checked: str, unchecked: str) -> None:
    # A key of the version is well-known (its type is checked); the other is just an unknown key.
    for message in (Hello({checked: 1}), Begin({checked: 1}), Run("RETURN 1", {}, {checked: 1})):
        assert check_request_maps(message, version) == \
            f"{message.name} extra.{checked} must be List<String>?, found Integer"
        assert check_request_maps(type(message)(**{**vars_of(message), "extra": {unchecked: 1}}), version) is None


def vars_of(message: Any) -> dict[str, Any]:
    return {name: getattr(message, name) for name in message.fields}


async def test_server_accepts_classifications_at_5_5() -> None:
    # No server negotiates 5.5 by default; one restricted to it still reads 5.5's keys.
    recorder = Recorder()
    server = await asyncbolt.serve(EchoSession, "127.0.0.1", 0, versions=[(5, 5)], recorder=recorder)
    try:
        async with await RawBolt.connect(server.port) as bolt:
            assert await bolt.handshake((5, 5)) == (5, 5)
            config = {"notifications_minimum_severity": "WARNING",
                      "notifications_disabled_classifications": ["HINT"]}
            await bolt.send(Hello({"user_agent": "t/1", **config}), Logon({"scheme": "none"}))
            assert [m.name for m in await bolt.recv_many(2)] == ["SUCCESS", "SUCCESS"]
            await bolt.send(Run("RETURN 1", {}, config), Pull({"n": -1}))
            assert (await bolt.recv()).name == "SUCCESS"
            rows, summary = await bolt.recv_result()
            assert summary.name == "SUCCESS" and rows == [["RETURN 1"]]
            await bolt.send(Run("RETURN 1", {}, {"notifications_disabled_classifications": "HINT"}))
            failure = await bolt.recv()
            assert failure.name == "FAILURE"
            assert "RUN extra.notifications_disabled_classifications must be List<String>?, found String" \
                in failure.metadata["message"]
    finally:
        server.close()
        await server.wait_closed()
    runs = [call for call in recorder.calls if call[0] == "run"]
    assert runs[0][2]["notifications_disabled_classifications"] == ["HINT"]


STATUS_55 = {"gql_status": "01N01", "status_description": "warn: do not do this",
             "neo4j_code": "Neo.ClientNotification.Foo.Bar", "title": "a title",
             "diagnostic_record": {"_severity": "WARNING", "_classification": "HINT"}}
SUCCESS_55 = {"gql_status": "00000", "status_description": "note: successful completion"}


async def test_client_reads_statuses_at_5_5() -> None:
    # A server that picks 5.5 (a client asking for it) sends statuses with a status_description
    # only: the notification's description is that (as the official drivers make it).
    async def script(peer: Peer) -> None:
        await peer.accept((5, 5))
        await peer.hello()
        await peer.expect("RUN", "PULL")
        await peer.send(Success({"fields": ["n"]}), Record([1]),
                        Success({"type": "r", "statuses": [STATUS_55, SUCCESS_55]}))
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server, versions=[(5, 5)])
        assert conn.protocol_version == (5, 5)
        result = await conn.run("RETURN 1 AS n")
        assert await result.values() == [[1]]
        summary = await result.consume()
        await conn.close()
    assert summary.statuses == [STATUS_55, SUCCESS_55]
    assert summary.notifications == [{"title": "a title", "code": "Neo.ClientNotification.Foo.Bar",
                                      "description": "warn: do not do this", "severity": "WARNING",
                                      "category": "HINT"}]


@pytest.mark.parametrize(("version", "key"), [
    ((5, 2), "notifications_disabled_categories"),
    ((5, 4), "notifications_disabled_categories"),
    ((5, 5), "notifications_disabled_classifications"),
    ((5, 6), "notifications_disabled_classifications"),
    ((5, 8), "notifications_disabled_classifications"),
])
async def test_client_sends_the_filter_key_of_the_version(version: tuple[int, int], key: str) -> None:
    # What the official drivers send: categories until 5.4, classifications from 5.5 (a server
    # that picks 5.5, which the client is told it may speak).
    hellos: list = []

    async def script(peer: Peer) -> None:
        await peer.accept(version)
        hellos.append(await peer.recv())
        await peer.send(Success({"server": "Neo4j/5.26.0"}))
        await peer.expect("LOGON")
        await peer.send(Success({}))
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server, versions=[version], notifications_min_severity="WARNING",
                             notifications_disabled_classifications=["HINT", "DEPRECATION"])
        assert conn.protocol_version == version
        await conn.close()
    extra = hellos[0].extra
    assert extra["notifications_minimum_severity"] == "WARNING"
    assert extra[key] == ["HINT", "DEPRECATION"]
    other = ({"notifications_disabled_categories", "notifications_disabled_classifications"} - {key}).pop()
    assert other not in extra


async def test_client_sends_no_filters_before_5_2() -> None:
    # Bolt 5.1 has no filter keys: HELLO goes without them (the client filters the summaries
    # instead, tests/test_notifications.py) rather than refusing to connect.
    hellos: list = []

    async def script(peer: Peer) -> None:
        await peer.accept((5, 1))
        hellos.append(await peer.recv())
        await peer.send(Success({"server": "Neo4j/5.5.0"}))
        await peer.expect("LOGON")
        await peer.send(Success({}))
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server, versions=[(5, 1)], notifications_min_severity="WARNING",
                             notifications_disabled_classifications=["HINT"])
        await conn.close()
    assert not [k for k in hellos[0].extra if k.startswith("notifications")]


# -- IGNORED is always bare ---------------------------------------------------------------------

IGNORED_CHUNK = b"\x00\x02\xb0\x7e\x00\x00"  # one 2-byte chunk B0 7E, then the end marker


@pytest.mark.parametrize("version", [(1, 0), (3, 0), (4, 4), (5, 0), (5, 4), (5, 8)])
async def test_server_sends_ignored_bare(version: tuple[int, int]) -> None:
    server = await asyncbolt.serve(EchoSession, "127.0.0.1", 0, recorder=Recorder())
    try:
        async with await RawBolt.connect(server.port) as bolt:
            assert await bolt.handshake(version) == version
            await _authenticate(bolt, version)
            await bolt.send(Run("FAIL", {}) if version < (3, 0) else Run("FAIL", {}, {}))
            assert (await bolt.recv()).name == "FAILURE"
            pull = PullAll() if version < (4, 0) else Pull({"n": -1})
            await bolt.send(pull)
            assert await bolt.read_exactly(len(IGNORED_CHUNK)) == IGNORED_CHUNK
            await bolt.send(Run("RETURN 1", {}) if version < (3, 0) else Run("RETURN 1", {}, {}))
            assert await bolt.read_exactly(len(IGNORED_CHUNK)) == IGNORED_CHUNK  # still FAILED
    finally:
        server.close()
        await server.wait_closed()


async def _authenticate(bolt: RawBolt, version: tuple[int, int]) -> None:
    from asyncbolt.codec.messages import Init

    if version < (3, 0):
        await bolt.send(Init("t/1", {"scheme": "none"}))
    elif version < (5, 1):
        await bolt.send(Hello({"user_agent": "t/1", "scheme": "none"}))
    else:
        await bolt.send(Hello({"user_agent": "t/1"}), Logon({"scheme": "none"}))
    for _ in range(1 if version < (5, 1) else 2):
        message = await asyncio.wait_for(bolt.recv(), 5)
        assert message.name == "SUCCESS", message
