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
from asyncbolt.codec.messages import Begin, Commit, Hello, Init, Logon, Pull, PullAll, Reset, Run

from .rawbolt import RawBolt, names
from .sessions import EchoSession, Recorder


class PlainCommitSession(EchoSession):
    """ServerSession's own commit (EchoSession's names a bookmark)."""

    async def commit(self) -> dict[str, Any]:
        return await asyncbolt.ServerSession.commit(self)


class LoggedPlainCommitSession(EchoSession):
    """Logs its commits, names no bookmark (the server makes one up)."""

    async def commit(self) -> dict[str, Any]:
        self.recorder.log("commit")
        return {}


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


async def _query(bolt: RawBolt, query: str, parameters: dict | None = None,
                 extra: dict | None = None) -> tuple[list[list[Any]], dict]:
    """RUN + PULL all (Bolt 4.4): the rows and the final SUCCESS's metadata."""
    await bolt.send(Run(query, parameters or {}, extra or {}), Pull({"n": -1}))
    run = await bolt.recv()
    assert run.name == "SUCCESS", run
    rows, summary = await bolt.recv_result()
    assert summary.name == "SUCCESS", summary
    return rows, summary.metadata


def _hooks(recorder: Recorder) -> list[tuple]:
    return [c[:2] if c[0] == "run" else c[:1] for c in recorder.calls if c[0] != "auth"]


async def test_transactions_as_queries_reach_the_transaction_hooks() -> None:
    """pymgclient (Memgraph's dialect; DB-API autocommit off by default) sends RUN "BEGIN",
    "COMMIT", "ROLLBACK": the server maps them to begin()/commit()/rollback() by default."""
    recorder = Recorder()
    async with await asyncbolt.serve(LoggedPlainCommitSession, "127.0.0.1", 0, recorder=recorder) as server:
        bolt, _ = await hello(server.port, (4, 4))
        rows, meta = await _query(bolt, "BEGIN", extra={"tx_metadata": {"app": "mg"}})
        assert rows == [] and "bookmark" not in meta and meta["has_more"] is False
        rows, meta = await _query(bolt, "ECHO", {"v": 1})
        assert rows == [[1]] and "bookmark" not in meta  # inside the transaction
        rows, meta = await _query(bolt, "commit;")  # any case, a trailing semicolon
        assert rows == [] and meta["bookmark"].startswith("asyncbolt:")
        rows, meta = await _query(bolt, "ECHO", {"v": 2})
        assert "bookmark" in meta  # auto-commit again
        await _query(bolt, " Begin ")
        await _query(bolt, "ECHO", {"v": 3})
        rows, _ = await _query(bolt, "ROLLBACK")
        assert rows == []
        bolt.close()
    assert _hooks(recorder) == [("begin",), ("run", "ECHO"), ("commit",), ("run", "ECHO"),
                                ("begin",), ("run", "ECHO"), ("rollback",)]
    assert [c[1] for c in recorder.calls if c[0] == "begin"][0] == {"tx_metadata": {"app": "mg"}}


async def test_transaction_queries_elsewhere_are_ordinary_queries() -> None:
    """COMMIT/ROLLBACK without a query-begun transaction, and BEGIN inside a transaction begun by
    the BEGIN message, go to run() like any query (the session answers or refuses them)."""
    recorder = Recorder()
    async with await asyncbolt.serve(EchoSession, "127.0.0.1", 0, recorder=recorder) as server:
        bolt, _ = await hello(server.port, (4, 4))
        assert (await _query(bolt, "COMMIT"))[0] == [["COMMIT"]]
        assert (await _query(bolt, "ROLLBACK"))[0] == [["ROLLBACK"]]
        await bolt.send(Begin({}))
        assert (await bolt.recv()).name == "SUCCESS"
        assert (await _query(bolt, "BEGIN"))[0] == [["BEGIN"]]
        assert (await _query(bolt, "COMMIT"))[0] == [["COMMIT"]]  # the message began it
        await bolt.send(Commit())
        assert (await bolt.recv()).name == "SUCCESS"
        assert (await _query(bolt, "BEGIN TRANSACTION"))[0] == [["BEGIN TRANSACTION"]]
        bolt.close()
    assert _hooks(recorder) == [("run", "COMMIT"), ("run", "ROLLBACK"), ("begin",), ("run", "BEGIN"),
                                ("run", "COMMIT"), ("commit",), ("run", "BEGIN TRANSACTION")]


async def test_reset_rolls_back_a_transaction_begun_by_query() -> None:
    recorder = Recorder()
    async with await asyncbolt.serve(EchoSession, "127.0.0.1", 0, recorder=recorder) as server:
        bolt, _ = await hello(server.port, (4, 4))
        await _query(bolt, "BEGIN")
        await bolt.send(Reset())
        assert (await bolt.recv()).name == "SUCCESS"
        # No transaction any more: COMMIT is an ordinary query again.
        assert (await _query(bolt, "COMMIT"))[0] == [["COMMIT"]]
        bolt.close()
    assert _hooks(recorder) == [("begin",), ("rollback",), ("reset",), ("run", "COMMIT")]


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
