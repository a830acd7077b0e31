"""``asyncbolt shell``'s ``:use DB`` and ``:history``, driven through standard input against
``asyncbolt serve``'s LadybugDB session and the test EchoSession (which records the ``db`` of
every request)."""

from __future__ import annotations

import asyncio
import io
import json
import os
import pty
import select
import sys
import time
from pathlib import Path

import pytest

from asyncbolt.tools.shell import Shell, main_shell
from asyncbolt.tools.shell_history import History, history_path

from .sessions import ServerThread

pytest.importorskip("ladybug")

from asyncbolt.tools.backends.ladybug import LadybugGraph, LadybugSession  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
AUTH = ["--user", "neo4j", "--password", "pw"]
NOT_FOUND = ("Neo.ClientError.Database.DatabaseNotFound: Database does not exist. Database name: "
             "'nosuch'. This server has one database, 'neo4j' (the default).")


@pytest.fixture(scope="module")
def ladybug():
    graph = LadybugGraph()
    graph.execute_script("CREATE NODE TABLE T(x INT64 PRIMARY KEY); CREATE (:T {x: 1});")
    with ServerThread(LadybugSession, graph=graph, auth=("neo4j", "pw")) as srv:
        yield srv
    graph.close()


@pytest.fixture
def echo():
    with ServerThread() as srv:
        yield srv


def shell(uri: str, script: str, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main_shell([uri, *argv], stdin=io.StringIO(script), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def dbs(server: ServerThread) -> list[object]:
    """The ``db`` of every RUN and BEGIN the server saw, in order."""
    return [(call[0], call[-1].get("db")) for call in server.recorder.calls if call[0] in ("run", "begin")]


def test_use_switches_the_database_of_what_follows(echo) -> None:
    code, out, err = shell(echo.uri, "RETURN 1;\n:use movies\nRETURN 2;\n:use\nRETURN 3;\n")
    assert (code, err) == (0, ""), err
    # :use checks the database with a transaction it rolls back, then RUN carries it.
    assert dbs(echo) == [("run", None), ("begin", "movies"), ("run", "movies"), ("run", None)]
    assert [c[0] for c in echo.recorder.calls if c[0] in ("begin", "rollback")] == ["begin", "rollback"]


def test_use_an_unknown_database_is_the_servers_error_in_one_line(ladybug) -> None:
    code, out, err = shell(ladybug.uri, ":use nosuch\nMATCH (t:T) RETURN t.x AS x;\n", *AUTH)
    assert code == 1  # a script stops at its first failure
    assert err == NOT_FOUND + "\n"
    code, out, err = shell(ladybug.uri, ":use neo4j\nMATCH (t:T) RETURN t.x AS x;\n", *AUTH)
    assert (code, err) == (0, "")
    assert out.endswith("1 row\n")


def test_use_inside_a_transaction_is_refused(echo) -> None:
    code, out, err = shell(echo.uri, ":begin\n:use movies\n")
    assert code == 1
    assert err == "a transaction is open on this database: :commit or :rollback it first\n"


def run_shell_object(server: ServerThread, *steps: str, **kwargs: object) -> Shell:
    """A Shell on its own loop, fed ``steps`` (``:commands`` or statements) as the interactive
    loop feeds them; errors are written to ``shell.err``, ``shell.prompts`` has the prompt after
    each step."""
    import asyncbolt

    async def go() -> Shell:
        conn = await asyncbolt.connect(server.uri, auth=("neo4j", "pw"))
        sh = Shell(conn, db=None, fmt="table", out=io.StringIO(), err=io.StringIO(), interactive=True,
                   **kwargs)  # type: ignore[arg-type]
        sh.prompts = []  # type: ignore[attr-defined]
        try:
            for step in steps:
                if step.startswith(":"):
                    await sh.command(step)
                else:
                    await sh.execute(step)
                sh.prompts.append(sh.prompt)  # type: ignore[attr-defined]
        finally:
            await sh.close()
        return sh

    return asyncio.run(go())


def test_the_prompt_shows_the_database_and_a_failed_use_keeps_it(ladybug) -> None:
    sh = run_shell_object(ladybug, ":use neo4j")
    assert sh.prompts == ["asyncbolt:neo4j> "]
    assert sh.out.getvalue() == "using database neo4j\n"
    sh = run_shell_object(ladybug, ":use neo4j", ":use nosuch", "MATCH (t:T) RETURN t.x AS x")
    assert sh.err.getvalue() == NOT_FOUND + "\n"
    assert sh.prompts == ["asyncbolt:neo4j> "] * 3 and sh.db == "neo4j"
    assert "1 row" in sh.out.getvalue()  # the connection is fine after the failure
    sh = run_shell_object(ladybug, ":use neo4j", ":begin", ":rollback", ":use")
    assert sh.prompts == ["asyncbolt:neo4j> ", "asyncbolt:neo4j# ", "asyncbolt:neo4j> ", "asyncbolt> "]


def test_history_lists_the_session_and_persists(echo, tmp_path) -> None:
    path = tmp_path / "history"
    script = "RETURN 1;\nMATCH (n)\n// a comment\nRETURN n;\n:param x=1\n:history\n"
    code, out, err = shell(echo.uri, script, "--history", str(path))
    assert (code, err) == (0, "")
    assert out.endswith("1  RETURN 1\n"
                        "2  MATCH (n)\n"
                        "   // a comment\n"
                        "   RETURN n\n"
                        "3  :param x=1\n")
    assert os.stat(path).st_mode & 0o777 == 0o600
    lines = path.read_text().splitlines()
    assert lines == ["RETURN 1", json.dumps("MATCH (n)\n// a comment\nRETURN n"), ":param x=1"]

    # The next session numbers on; :history all shows the earlier entries too.
    code, out, err = shell(echo.uri, "RETURN 2;\n:history\n:history all\n", "--history", str(path))
    assert (code, err) == (0, "")
    assert out.count("4  RETURN 2\n") == 2
    assert "1  RETURN 1\n2  MATCH (n)\n   // a comment\n   RETURN n\n3  :param x=1\n4  RETURN 2\n" in out
    assert len(path.read_text().splitlines()) == 4

    # Piped input without --history writes no file; --history none neither.
    assert history_path(None, interactive=False) is None
    assert history_path("none", interactive=True) is None
    code, out, err = shell(echo.uri, "RETURN 5;\n:history\n", "--history", "none")
    assert (code, err, out.endswith("1  RETURN 5\n")) == (0, "", True)


def test_history_file_location(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("ASYNCBOLT_HISTORY", raising=False)
    assert history_path(None, interactive=True) == str(tmp_path / ".asyncbolt_history")
    monkeypatch.setenv("ASYNCBOLT_HISTORY", str(tmp_path / "h"))
    assert history_path(None, interactive=True) == str(tmp_path / "h")
    assert history_path("~/x", interactive=False) == str(tmp_path / "x")


def test_an_unwritable_history_file_is_said_once(echo, tmp_path) -> None:
    path = tmp_path / "missing-dir" / "history"
    code, out, err = shell(echo.uri, "RETURN 1;\nRETURN 2;\n:history\n", "--history", str(path))
    assert code == 0
    assert err == (f"asyncbolt shell: cannot write the history file {path}: No such file or directory "
                   "(the history is kept for this session only)\n")
    assert out.endswith("1  RETURN 1\n2  RETURN 2\n")


def test_history_reads_back_the_last_entries_only(tmp_path) -> None:
    path = tmp_path / "h"
    path.write_text("".join(f"RETURN {i}\n" for i in range(50)) + '"not json\n')
    history = History(str(path), limit=10)
    assert list(history.entries) == [f"RETURN {i}" for i in range(41, 50)] + ['"not json']


def test_an_interactive_session_keeps_its_history(echo, tmp_path) -> None:
    """A real terminal (a pty): the prompt shows the database, and the statements land in
    $ASYNCBOLT_HISTORY."""
    path = tmp_path / "history"
    env = {**os.environ, "ASYNCBOLT_HISTORY": str(path), "TERM": "dumb"}
    pid, fd = pty.fork()
    if pid == 0:  # the child: the shell on the terminal
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "asyncbolt", "shell", echo.uri], env)
    seen = b""

    def until(text: bytes) -> None:
        nonlocal seen
        deadline = time.monotonic() + 30
        while text not in seen:
            assert time.monotonic() < deadline, seen.decode(errors="replace")
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(fd, 4096)
                except OSError:  # the child is gone
                    break
        assert text in seen, seen.decode(errors="replace")

    try:
        until(b"asyncbolt> ")
        os.write(fd, b":use movies\n")
        until(b"asyncbolt:movies> ")
        os.write(fd, b"RETURN 1;\n")
        until(b"ms)")
        os.write(fd, b":history\n")
        until(b"2  RETURN 1")
        os.write(fd, b":exit\n")
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        os.close(fd)
        try:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
    assert path.read_text().splitlines() == [":use movies", "RETURN 1"]


def test_a_refused_begin_leaves_the_connection_usable(ladybug) -> None:
    """``await conn.begin(db=...)`` refused by the server: the error, and no transaction left
    open on the connection (what :use relies on)."""
    import asyncbolt
    from asyncbolt.errors import Neo4jError

    async def go() -> list[object]:
        async with await asyncbolt.connect(ladybug.uri, auth=("neo4j", "pw")) as conn:
            with pytest.raises(Neo4jError) as refused:
                await conn.begin(db="nosuch")
            assert refused.value.code == "Neo.ClientError.Database.DatabaseNotFound"
            result = await conn.run("MATCH (t:T) RETURN t.x AS x")
            rows = await result.data()
            tx = await conn.begin(db="neo4j")
            await tx.rollback()
            return rows

    assert asyncio.run(go()) == [{"x": 1}]
