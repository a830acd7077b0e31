"""The server's defaults that older real clients depend on (issue 16): the agent HELLO announces,
a bookmark on every COMMIT and at the end of every auto-commit transaction, a bookmarks error
that names the wrong item, and Bolt 1/2 transactions run as BEGIN/COMMIT/ROLLBACK statements.
The clients themselves run in tests/test_client_matrix*.py."""

from __future__ import annotations

from typing import Any

import pytest

import asyncbolt
from asyncbolt import SERVER_VERSIONS
from asyncbolt._generated.versions import NEO4J_RELEASES
from asyncbolt.messages import AckFailure, Begin, Commit, Hello, Init, Logon, Pull, PullAll, Run

from .rawbolt import RawBolt, names
from .sessions import EchoSession, Recorder


class PlainCommitSession(EchoSession):
    """ServerSession's own commit (EchoSession's names a bookmark)."""

    async def commit(self) -> dict[str, Any]:
        return await asyncbolt.ServerSession.commit(self)


class BookmarkingSession(EchoSession):
    """A session that names its own commits."""

    async def commit(self) -> dict[str, Any]:
        return {"bookmark": "mine:7"}


async def hello(port: int, version: tuple[int, int]) -> tuple[RawBolt, dict]:
    bolt = await RawBolt.connect(port)
    assert await bolt.handshake(version) == version
    if version < (3, 0):
        await bolt.send(Init("rawbolt/1.0", {"scheme": "none"}))
    else:
        await bolt.send(Hello({"user_agent": "rawbolt/1.0", "scheme": "none"}))
    reply = await bolt.recv()
    assert reply.name == "SUCCESS", reply
    if version >= (5, 1):
        await bolt.send(Logon({"scheme": "none"}))
        assert (await bolt.recv()).name == "SUCCESS"
    return bolt, reply.metadata


async def test_the_default_agent_names_the_neo4j_release_of_each_version() -> None:
    async with await asyncbolt.serve(EchoSession, "127.0.0.1", 0, recorder=Recorder()) as server:
        for version in SERVER_VERSIONS:
            if version >= (6, 0):  # reached through the manifest only: asyncbolt's client below
                continue
            bolt, meta = await hello(server.port, version)
            # Python 4.4 and py2neo refuse anything else, JavaScript 1.7 parses X.Y.Z.
            assert meta["server"] == f"Neo4j/{NEO4J_RELEASES[version]}.0"
            bolt.close()
        async with asyncbolt.connect(f"bolt://127.0.0.1:{server.port}") as conn:
            assert conn.protocol_version == SERVER_VERSIONS[-1]
            assert conn.server_agent == "Neo4j/2025.10.0"
    assert NEO4J_RELEASES[(1, 0)] == "3.5" and NEO4J_RELEASES[(5, 8)] == "5.26"


async def test_agent_still_overrides() -> None:
    async with await asyncbolt.serve(EchoSession, "127.0.0.1", 0, agent="MyGraph/1.2",
                                     recorder=Recorder()) as server:
        for version in ((1, 0), (4, 4), (5, 8)):
            bolt, meta = await hello(server.port, version)
            assert meta["server"] == "MyGraph/1.2"
            bolt.close()


@pytest.mark.parametrize("version", [(3, 0), (4, 4), (5, 8)], ids=lambda v: f"{v[0]}.{v[1]}")
async def test_commit_and_auto_commit_always_carry_a_bookmark(version) -> None:
    pull = PullAll() if version < (4, 0) else Pull({"n": -1})
    async with await asyncbolt.serve(PlainCommitSession, "127.0.0.1", 0, recorder=Recorder()) as server:
        bolt, _ = await hello(server.port, version)
        await bolt.send(Begin({}), Run("ECHO", {"a": 1}, {}), pull, Commit())
        begin, run, record, pulled, commit = await bolt.recv_many(5)
        assert names([begin, run, record, pulled, commit]) == ["SUCCESS", "SUCCESS", "RECORD", "SUCCESS", "SUCCESS"]
        assert "bookmark" not in pulled.metadata  # inside a transaction: only COMMIT names it
        first = commit.metadata["bookmark"]
        assert first.startswith("asyncbolt:")
        # The next transaction passes it on (what the Python driver 1.7 does): accepted.
        await bolt.send(Run("ECHO", {"b": 2}, {"bookmarks": [first]}), pull)
        run, record, pulled = await bolt.recv_many(3)
        assert names([run, record, pulled]) == ["SUCCESS", "RECORD", "SUCCESS"]
        second = pulled.metadata["bookmark"]
        assert second.startswith("asyncbolt:") and second != first
        bolt.close()


async def test_a_session_bookmark_is_kept() -> None:
    async with await asyncbolt.serve(BookmarkingSession, "127.0.0.1", 0, recorder=Recorder()) as server:
        bolt, _ = await hello(server.port, (4, 4))
        await bolt.send(Begin({}), Commit())
        begin, commit = await bolt.recv_many(2)
        assert commit.metadata == {"bookmark": "mine:7"}
        bolt.close()


async def test_a_wrong_bookmark_item_is_named() -> None:
    """The Python driver 1.7, given no bookmark, used to send ``bookmarks: [None]``."""
    async with await asyncbolt.serve(EchoSession, "127.0.0.1", 0, recorder=Recorder()) as server:
        bolt, _ = await hello(server.port, (3, 0))
        await bolt.send(Run("ECHO", {}, {"bookmarks": ["b:1", None]}), PullAll())
        failure, ignored = await bolt.recv_many(2)
        assert names([failure, ignored]) == ["FAILURE", "IGNORED"]
        assert failure.metadata["message"] == ("RUN extra.bookmarks must be List<String>, "
                                               "found List whose item [1] is Null")
        bolt.close()


@pytest.mark.parametrize("version", [(1, 0), (2, 0)], ids=lambda v: f"{v[0]}.{v[1]}")
async def test_bolt_1_and_2_transactions_are_statements(version) -> None:
    """Bolt 1 and 2 have no BEGIN/COMMIT/ROLLBACK messages: the JavaScript driver 1.7 (and every
    driver of that era) runs them as statements, with the bookmark as BEGIN's parameter and the
    new one in COMMIT's result; they reach the session's begin/commit/rollback as the messages
    of Bolt 3+ do (a session's run() never sees them)."""
    recorder = Recorder()
    async with await asyncbolt.serve(PlainCommitSession, "127.0.0.1", 0, recorder=recorder) as server:
        bolt, _ = await hello(server.port, version)
        await bolt.send(Run("BEGIN", {"bookmark": "b:1", "bookmarks": ["b:1", "b:2"]}), PullAll(),
                        Run("ECHO", {"a": 1}), PullAll(), Run("COMMIT", {}), PullAll())
        replies = await bolt.recv_many(7)
        assert names(replies) == ["SUCCESS", "SUCCESS", "SUCCESS", "RECORD", "SUCCESS", "SUCCESS", "SUCCESS"]
        begun, committed = replies[1], replies[6]
        assert "bookmark" not in begun.metadata and "bookmark" not in replies[4].metadata
        first = committed.metadata["bookmark"]
        assert first.startswith("asyncbolt:")
        # any case, spaces, a semicolon (as Neo4j 3.x matched them); one bookmark alone works too
        await bolt.send(Run("  begin ;", {"bookmark": first}), PullAll(), Run("ECHO", {"b": 2}), PullAll(),
                        Run("Rollback", {}), PullAll())
        replies = await bolt.recv_many(7)
        assert names(replies) == ["SUCCESS", "SUCCESS", "SUCCESS", "RECORD", "SUCCESS", "SUCCESS", "SUCCESS"]
        assert "bookmark" not in replies[6].metadata
        bolt.close()
    calls = [c for c in recorder.calls if c[0] != "auth"]  # (PlainCommitSession's commit logs nothing)
    assert calls == [("begin", {"bookmarks": ["b:1", "b:2"]}), ("run", "ECHO", {}),
                     ("begin", {"bookmarks": [first]}), ("run", "ECHO", {}), ("rollback",)]


async def test_bolt_1_transaction_statements_out_of_order_fail_precisely() -> None:
    recorder = Recorder()
    async with await asyncbolt.serve(EchoSession, "127.0.0.1", 0, recorder=recorder) as server:
        bolt, _ = await hello(server.port, (1, 0))
        await bolt.send(Run("COMMIT", {}), PullAll(), AckFailure())
        failure, ignored, acked = await bolt.recv_many(3)
        assert names([failure, ignored, acked]) == ["FAILURE", "IGNORED", "SUCCESS"]
        assert failure.metadata == {"code": "Neo.ClientError.Request.Invalid",
                                    "message": "COMMIT without a transaction: BEGIN one first"}
        await bolt.send(Run("BEGIN", {}), PullAll(), Run("BEGIN", {}), PullAll(), AckFailure(),
                        Run("ROLLBACK", {}), PullAll())
        replies = await bolt.recv_many(7)
        assert names(replies) == ["SUCCESS", "SUCCESS", "FAILURE", "IGNORED", "SUCCESS", "SUCCESS", "SUCCESS"]
        assert replies[2].metadata["message"] == "BEGIN inside a transaction: COMMIT or ROLLBACK the open one first"
        bolt.close()
    assert [c for c in recorder.calls if c[0] != "auth"] == [("begin", {}), ("rollback",)]


async def test_from_bolt_3_on_transaction_words_are_queries() -> None:
    """Bolt 3+ has the messages: a RUN "BEGIN" is the session's query (Memgraph's clients send
    them so; tests/test_server_pymgclient.py)."""
    recorder = Recorder()
    async with await asyncbolt.serve(EchoSession, "127.0.0.1", 0, recorder=recorder) as server:
        bolt, _ = await hello(server.port, (3, 0))
        await bolt.send(Run("BEGIN", {}, {}), PullAll())
        assert names(await bolt.recv_many(2))[0] == "SUCCESS"
        bolt.close()
    assert ("run", "BEGIN", {}) in recorder.calls and not any(c[0] == "begin" for c in recorder.calls)
