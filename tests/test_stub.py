"""``asyncbolt stub``: the script parser, the matching engine, StubServer with real clients
(asyncbolt's own and the official neo4j driver), and the command line as a subprocess."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import asyncbolt
from asyncbolt.tools.stub import ScriptError, StubServer, parse_script
from asyncbolt.tools.stub.player import Namespace, Player, match_fields
from asyncbolt.tools.stub.script import (
    Alt,
    Auto,
    Client,
    Cond,
    Opt,
    Par,
    Python,
    Rep,
    Seq,
    ServerLine,
)
from asyncbolt.tools.stub.values import Struct, Wildcard, dumps, from_jolt, pack, unpack

ROOT = Path(__file__).resolve().parent.parent


def script(text: str, path: str | None = "t.script"):
    return parse_script(textwrap.dedent(text), path)


def error_of(text: str) -> ScriptError:
    with pytest.raises(ScriptError) as info:
        script(text)
    return info.value


# ------------------------------------------------------------------------------------------
# Parser


def test_head_options() -> None:
    s = script("""\
        !: BOLT 4
        !: AUTO RESET
        !: ALLOW CONCURRENT
        !: HANDSHAKE 0 5 12 F
        !: HANDSHAKE_DELAY 0.5
        !: PY n = 1
        C: RESET
        """)
    assert s.version == (4, 0) and s.auto == {"RESET"} and s.concurrent and s.restart
    assert s.handshake == bytes((0, 5, 0x12, 0x0F)) and s.handshake_delay == 0.5
    assert s.python == ["n = 1"] and s.packstream == 1
    assert script("!: BOLT 5.4\nC: RESET\n").packstream == 2
    assert script("!: BOLT 6.1\nC: TELEMETRY 1\n").version == (6, 1)


def test_every_construct_becomes_its_node() -> None:
    s = script("""\
        !: BOLT 5.0
        # a comment
        C: HELLO {"{}": "*"}
           RUN "RETURN 1" {} {}
        S: SUCCESS {}
           <NOOP>
           <RAW> 00 00
           <SLEEP> 0.1
           <ASSERT ORDER>
        A: RESET
        ?: GOODBYE
        *: RESET
        +: RESET
        {{
            C: BEGIN {}
        ----
            C: COMMIT
        }}
        {{
            C: BEGIN {}
        ++++
            C: COMMIT
        }}
        {?
            C: RESET
        ?}
        {*
            C: RESET
        *}
        {+
            C: RESET
        +}
        {{
            C: RESET
        }}
        PY: x = 1
        IF: x == 1
            S: SUCCESS {}
        ELIF: x == 2
            S: FAILURE {}
        ELSE:
            S: IGNORED
        S: <EXIT>
        """)
    kinds = [type(i).__name__ for i in s.body.items]
    assert kinds == ["Client", "Client", "ServerLine", "ServerLine", "ServerLine", "ServerLine",
                     "ServerLine", "Auto",
                     "Opt", "Rep", "Rep", "Alt", "Par", "Opt", "Rep", "Rep", "Seq", "Python",
                     "Cond", "ServerLine"]
    items = s.body.items
    assert items[1].line == 4 and items[1].name == "RUN" and items[1].fields == ["RETURN 1", {}, {}]
    assert [i.kind for i in items[2:7]] == ["MSG", "NOOP", "RAW", "SLEEP", "ASSERT ORDER"]
    assert items[4].arg == b"\x00\x00" and items[6].arg == 1.0
    assert isinstance(items[8].body.items[0], Auto) and items[9].min == 0 and items[10].min == 1
    assert len(items[11].branches) == 2 and len(items[12].branches) == 2
    assert items[14].min == 0 and items[15].min == 1
    cond = items[18]
    assert [c for c, _ in cond.branches] == ["x == 1", "x == 2", None]
    assert items[19].kind == "EXIT"


def test_jolt_values() -> None:
    s = script("""\
        !: BOLT 4.4
        S: RECORD [{"Z": "9007199254740993"}, {"R": "1.5"}, {"#": "00 FF"}, {"U": "x"}, {"?": true}, 3000000000, {"[]": [1]}, {"{}": {"Z": 1}}]
           RECORD [{"T": "2022-06-07"}, {"T": "12:34:56.5+01:00"}, {"T": "12:34"}, {"T": "1970-01-02T00:00:01"}, {"T": "P1Y2M3DT4H5M6.7S"}]
           RECORD [{"T": "1970-01-01T01:00:00+01:00"}, {"Tv2": "1970-01-01T01:00:00+01:00"}, {"T": "2022-06-07T11:52:05+02:00[Europe/Stockholm]"}]
           RECORD [{"@": "SRID=4326;POINT(1 2)"}, {"()": [1, ["L"], {"p": 1}]}, {"->": [7, 1, "T", 2, {}]}]
        """)
    r1, r2, r3, r4 = (line.fields[0] for line in s.body.items)
    assert r1 == [9007199254740993, 1.5, b"\x00\xff", "x", True, 3000000000.0, [1], {"Z": 1}]
    assert r2 == [Struct(0x44, [19150]), Struct(0x54, [45296500000000, 3600]),
                  Struct(0x74, [45240000000000]), Struct(0x64, [86401, 0]),
                  Struct(0x45, [14, 3, 14706, 700000000])]
    assert r3[0] == Struct(0x46, [3600, 0, 3600])  # Bolt 4.4: local seconds
    assert r3[1] == Struct(0x49, [0, 0, 3600])  # forced PackStream v2: UTC seconds
    assert r3[2].tag == 0x66 and r3[2].fields[2] == "Europe/Stockholm"
    assert r4 == [Struct(0x58, [4326, 1.0, 2.0]), Struct(0x4E, [1, ["L"], {"p": 1}]),
                  Struct(0x52, [7, 1, 2, "T", {}])]
    v5 = script('!: BOLT 5.0\nS: RECORD [{"()": [1, [], {}, "e1"]}, {"T": "1970-01-01T01:00:00+01:00"}]\n')
    assert v5.body.items[0].fields[0] == [Struct(0x4E, [1, [], {}, "e1"]), Struct(0x49, [0, 0, 3600])]
    # wildcards in client lines only
    c = script('!: BOLT 4.4\nC: RUN {"U": "*"} {"{}": "*"} {"Z": "*"}\n').body.items[0]
    assert c.fields == [Wildcard("U"), Wildcard("{}"), Wildcard("Z")]


@pytest.mark.parametrize(("text", "line", "words"), [
    ("C: RESET\n", 1, 'no "!: BOLT x.y" line'),
    ("!: BOLT 9.9\nC: RESET\n", 1, "Bolt 9.9 is not a Bolt version"),
    ("!: BOLT 4.4\nC: PULL_ALL\n", 2, "Bolt 4.4 has no client message PULL_ALL"),
    ("!: BOLT 5.0\nC: LOGON {}\n", 2, "Bolt 5.0 has no client message LOGON"),
    ("!: BOLT 4.4\nS: HELLO {}\n", 2, "no server message HELLO"),
    ("!: BOLT 4.4\n\nC: RUN {\"a\": }\n", 3, "fields must be JSON"),
    ("!: BOLT 4.4\n{?\n  C: RESET\n", 2, "{? is not closed: expected ?}"),
    ("!: BOLT 4.4\n{{\n  S: SUCCESS {}\n----\n  C: RESET\n}}\n", 3, "a server line cannot"),
    ("!: BOLT 4.4\n?: RESET\nS: SUCCESS {}\n", 3, "may end at more than one point"),
    ("!: BOLT 4.4\n{*\n  PY: x = 1\n*}\n", 3, "a Python line cannot"),
    ("!: BOLT 4.4\nS: <FOO>\n", 2, "unknown server command <FOO>"),
    ("!: BOLT 4.4\nS: <SLEEP> soon\n", 2, "<SLEEP> needs seconds"),
    ("!: BOLT 4.4\nS: <RAW> 0G\n", 2, "<RAW>: '0G' is not hex"),
    ("!: BOLT 4.4\n   RESET\n", 2, "a line without a marker"),
    ("!: BOLT 4.4\nC: RESET\n!: AUTO RESET\n", 3, "bang lines (!:) belong in the head"),
    ("!: BOLT 4.4\n{{\n C: RESET\n----\n C: RESET\n++++\n C: RESET\n}}\n", 2, "mixes"),
    ("!: BOLT 4.4\nELSE:\n", 2, "ELSE: without IF:"),
    ("!: BOLT 4.4\nIF: x ==\nC: RESET\n", 2, "Python: invalid syntax"),
    ("!: BOLT 4.4\n!: AUTO PULL_ALL\nC: RESET\n", 2, "AUTO PULL_ALL: Bolt 4.4 has no request"),
    ("!: BOLT 4.4\n!: FROBNICATE\nC: RESET\n", 2, "unknown bang line"),
    ("!: BOLT 4.4\nS: RECORD [{\"Z\": \"*\"}]\n", 2, "only allowed in client lines"),
    ("!: BOLT 4.4\nS: RECORD [{\"T\": \"2022-13-01\"}]\n", 2, "month must be in 1..12"),
    ("!: BOLT 4.4\n}}\n", 2, "no block is open"),
])
def test_errors_name_the_line(text: str, line: int, words: str) -> None:
    error = error_of(text)
    assert error.line == line and error.path == "t.script"
    assert words in str(error) and str(error).startswith(f"t.script:{line}: ")


# ------------------------------------------------------------------------------------------
# Matching


def test_field_matching() -> None:
    def m(pattern: str, value: object) -> bool:
        s = script(f"!: BOLT 4.4\nC: RUN {pattern}\n")
        return match_fields(s.body.items[0].fields, [value])

    assert m('"*"', 1.5) and m('"*"', {"a": 1}) and m('"a\\\\*"', "a*") and not m('"a\\\\*"', "ab")
    assert m('{"Z": "*"}', 7) and not m('{"Z": "*"}', 7.0) and not m('{"Z": "*"}', True)
    assert m("1", 1) and not m("1", 1.0) and not m("true", 1)
    assert m('{"[n]": 1000}', {}) and m('{"[n]": 1000}', {"n": 1000})
    assert not m('{"[n]": 1000}', {"n": 1}) and not m('{"[n]": 1000}', {"n": 1000, "m": 1})
    assert not m('{"[n]": 1000}', None)
    assert m('{"b{}": [1, 2]}', {"b": [2, 1]}) and not m('{"b": [1, 2]}', {"b": [2, 1]})
    assert m('{"[b{}]": ["x", "y"]}', {}) and m('{"[b{}]": ["x", "y"]}', {"b": ["y", "x"]})
    assert m('{"\\\\[k\\\\]": 1}', {"[k]": 1}) and not m('{"\\\\[k\\\\]": 1}', {})
    assert m('{"T": "*"}', Struct(0x44, [1])) and not m('{"T": "*"}', Struct(0x4E, [1, [], {}]))
    assert m('{"R": "NaN"}', float("nan"))


def _player(text: str) -> Player:
    return Player(script(text), Namespace(script(text).python))


def _feed(player: Player, name: str, *fields: object) -> tuple[int | None, list[str]]:
    line = player.feed(name, list(fields))
    if line is None:
        return None, []
    sent = [item.text if kind == "server" else kind for kind, item in player.settle()]
    return line.line, sent


def test_optional_prefers_playing_and_alternatives_take_the_first_match() -> None:
    p = _player("""\
        !: BOLT 4.4
        {?
            C: RUN "a" {} {}
            S: SUCCESS {"a": 1}
        ?}
        {{
            C: RUN "*" {} {}
            S: SUCCESS {"any": 1}
        ----
            C: RUN "b" {} {}
            S: SUCCESS {"b": 1}
        }}
        """)
    assert _feed(p, "RUN", "a", {}, {}) == (3, ['SUCCESS {"a": 1}'])
    assert [c.line for c in p.expected()] == [7, 10]
    assert _feed(p, "RUN", "b", {}, {}) == (7, ['SUCCESS {"any": 1}'])
    assert p.done


def test_parallel_blocks_interleave() -> None:
    text = """\
        !: BOLT 4.4
        {{
            C: RUN "a1" {} {}
            C: RUN "a2" {} {}
        ++++
            C: RUN "b" {} {}
        }}
        S: SUCCESS {}
        """
    for order in (["a1", "a2", "b"], ["a1", "b", "a2"], ["b", "a1", "a2"]):
        p = _player(text)
        sent = [_feed(p, "RUN", q, {}, {})[1] for q in order]
        assert sent == [[], [], ["SUCCESS {}"]] and p.done
    p = _player(text)
    assert _feed(p, "RUN", "a2", {}, {}) == (None, [])


def test_repeats_and_auto_lines() -> None:
    p = _player("""\
        !: BOLT 4.4
        +: RESET
        {*
            C: RUN "x" {} {}
            S: SUCCESS {}
        *}
        C: GOODBYE
        """)
    assert _feed(p, "RUN", "x", {}, {}) == (None, [])  # +: needs one RESET first
    assert _feed(p, "RESET") == (2, ["auto"])
    assert _feed(p, "RESET") == (2, ["auto"])
    assert p.can_end() is False
    for _ in range(3):
        assert _feed(p, "RUN", "x", {}, {}) == (4, ["SUCCESS {}"])
    assert _feed(p, "GOODBYE") == (7, []) and p.done


def test_conditions_and_python_lines() -> None:
    text = """\
        !: BOLT 4.4
        !: ALLOW RESTART
        !: PY calls = 0
        C: RESET
        PY: calls += 1
        IF: calls == 1
            S: SUCCESS {"first": true}
        ELSE:
            S: FAILURE {}
        """
    s = script(text)
    ns = Namespace(s.python)
    first, second = Player(s, ns), Player(s, ns)
    first.settle(), second.settle()
    assert _feed(first, "RESET") == (4, ["python", 'SUCCESS {"first": true}'])
    assert _feed(second, "RESET") == (4, ["python", "FAILURE {}"])
    assert ns.vars["calls"] == 2


def test_values_round_trip_through_packstream() -> None:
    value = Struct(0x71, [[None, True, False, -17, 200, -40000, 2**40, 1.5, "é" * 20, b"\x01" * 300,
                          list(range(20)), {str(i): i for i in range(20)}, Struct(0x44, [1])]])
    assert unpack(pack(value)) == value
    with pytest.raises(ValueError, match="unknown PackStream marker"):
        unpack(b"\xe0")
    with pytest.raises(ValueError, match="container of"):
        unpack(b"\xd6\x7f\xff\xff\xff")
    assert dumps({"a": [1, 2**40, 1.5, b"\x00"]}) == \
        '{"{}": {"a": [1, {"Z": "1099511627776"}, {"R": "1.5"}, {"#": "00"}]}}'
    assert from_jolt({"x": {"Z": "5"}}, 1) == {"x": 5}


# ------------------------------------------------------------------------------------------
# StubServer with real clients


HELLO_44 = """\
!: BOLT 4.4
!: AUTO RESET
A: HELLO {"{}": "*"}
"""


async def test_asyncbolt_client_plays_a_4_4_script_and_log_lines_have_boltstub_form() -> None:
    text = HELLO_44 + textwrap.dedent("""\
        C: RUN "RETURN $x AS x" {"x": 1} {"[db]": "*", "[mode]": "*"}
           PULL {"n": {"Z": "*"}}
        S: SUCCESS {"fields": ["x"]}
           RECORD [1]
           SUCCESS {"type": "r"}
        ?: GOODBYE
        """)
    async with StubServer(text) as stub:
        assert stub.uri == f"bolt://127.0.0.1:{stub.address[1]}"
        async with asyncbolt.connect(stub.uri, auth=("neo4j", "pw"), versions=[(4, 4)]) as conn:
            assert conn.protocol_version == (4, 4) and conn.server_agent == "Neo4j/4.4.0"
            record = await (await conn.run("RETURN $x AS x", {"x": 1})).single()
            assert record["x"] == 1
        assert await stub.wait(5), stub.errors
        assert stub.played_to_end and stub.errors == [] and stub.exit_code == 0
    lines = [line.split("]  ", 1)[1] for line in stub.log]
    assert lines[0].startswith("S: <ACCEPT> 127.0.0.1:")
    assert lines[1:4] == ["C: <MAGIC> 60 60 B0 17", lines[2], "S: <HANDSHAKE> 00 00 04 04"]
    assert lines[2].startswith("C: <HANDSHAKE> ")
    assert any(line.startswith('(  3) C: HELLO {"{}": {"user_agent": ') for line in lines)
    assert '(  4) C: RUN "RETURN $x AS x" {"{}": {"x": 1}} {"{}": {}}' in lines
    assert "(  7) S: RECORD [1]" in lines and lines[-2:] == ["Script finished", "S: <HANGUP>"]


@pytest.mark.parametrize("version", [(1, 0), (2, 0), (3, 0), (4, 4), (5, 4), (6, 0)], ids=str)
async def test_asyncbolt_client_across_versions(version: tuple[int, int]) -> None:
    hello = ('A: INIT "*" "*"\n' if version < (3, 0) else 'A: HELLO {"{}": "*"}\n') \
        + ('A: LOGON {"{}": "*"}\n' if version >= (5, 1) else "")
    pull = "PULL_ALL" if version < (4, 0) else 'PULL {"n": {"Z": "*"}}'
    run = '"RETURN 1" {}' + ("" if version < (3, 0) else " {}")
    value = '{"T": "2024-02-29"}' if version >= (2, 0) else "19782"  # no Date in Bolt 1
    text = (f"!: BOLT {version[0]}.{version[1]}\n" + hello
            + f'C: RUN {run}\n   {pull}\n'
            + f'S: SUCCESS {{"fields": ["n"]}}\n   RECORD [{value}]\n'
            + '   SUCCESS {"bookmark": "b1"}\n' + ("?: GOODBYE\n" if version >= (3, 0) else ""))
    async with StubServer(text) as stub:
        async with asyncbolt.connect(stub.uri, auth=("neo4j", "pw"), versions=[version]) as conn:
            assert conn.protocol_version == version
            record = await (await conn.run("RETURN 1")).single()
            n = record["n"]
            assert (n if version < (2, 0) else n.days) == 19782  # 2024-02-29
        assert await stub.wait(5), stub.errors
    handshake = [line for line in stub.log if "S: <HANDSHAKE>" in line]
    if version == (6, 0):
        assert handshake[0].endswith("S: <HANDSHAKE> 00 00 01 FF 01 00 00 00 06 00")
        assert any("C: <HANDSHAKE MANIFEST CHOICE> 00 00 00 06 00" in line for line in stub.log)


async def test_official_driver_against_stub_server() -> None:
    neo4j = pytest.importorskip("neo4j")
    text = textwrap.dedent("""\
        !: BOLT 5.4
        !: AUTO RESET
        A: HELLO {"{}": "*"}
        A: LOGON {"{}": "*"}
        *: TELEMETRY {"Z": "*"}
        C: BEGIN {"[db]": "*", "[mode]": "*", "[bookmarks]": "*", "[tx_metadata]": "*"}
        S: SUCCESS {}
        C: RUN "CREATE (n) RETURN n" {} {}
           PULL {"n": {"Z": "*"}}
        S: SUCCESS {"fields": ["n"]}
           RECORD [{"()": [1, ["L"], {"p": "v"}, "4:x:1"]}]
           SUCCESS {"type": "w"}
        C: COMMIT
        S: SUCCESS {"bookmark": "bm:1"}
        ?: GOODBYE
        """)
    async with StubServer(text) as stub:
        driver = neo4j.AsyncGraphDatabase.driver(stub.uri, auth=("neo4j", "pw"))
        try:
            async with driver.session() as session:
                async def work(tx):
                    result = await tx.run("CREATE (n) RETURN n")
                    return (await result.single())["n"]

                node = await session.execute_write(work)
                assert node.element_id == "4:x:1" and node["p"] == "v"
                assert (await session.last_bookmarks()).raw_values == frozenset({"bm:1"})
        finally:
            await driver.close()
        assert await stub.wait(5), stub.errors


async def test_official_driver_negotiates_6_0_through_the_manifest() -> None:
    neo4j = pytest.importorskip("neo4j")
    text = textwrap.dedent("""\
        !: BOLT 6.0
        !: AUTO RESET
        A: HELLO {"{}": "*"}
        A: LOGON {"{}": "*"}
        C: RUN "RETURN 1 AS n" {} {"[db]": "*"}
           PULL {"n": {"Z": "*"}}
        S: SUCCESS {"fields": ["n"]}
           RECORD [1]
           SUCCESS {}
        ?: GOODBYE
        """)
    async with StubServer(text) as stub:
        driver = neo4j.AsyncGraphDatabase.driver(stub.uri, auth=("neo4j", "pw"))
        try:
            async with driver.session() as session:
                record = await (await session.run("RETURN 1 AS n")).single()
                assert record["n"] == 1
        finally:
            await driver.close()
        assert await stub.wait(5), stub.errors


async def test_mismatch_names_the_line_and_what_came() -> None:
    text = HELLO_44 + textwrap.dedent("""\
        {{
            C: RUN "RETURN 1" {} {}
        ----
            C: BEGIN {}
        }}
        """)
    async with StubServer(text) as stub:
        with pytest.raises(Exception):  # noqa: B017 - the stub hangs up on the mismatch
            async with asyncbolt.connect(stub.uri, auth=("n", "p"), versions=[(4, 4)]) as conn:
                await (await conn.run("RETURN 2")).consume()
        assert not await stub.wait(5)
    assert stub.errors == [
        '<script>:5: expected `C: RUN "RETURN 1" {} {}` (or one of: `C: BEGIN {}` (line 7), '
        '`!: AUTO RESET`), got `C: RUN "RETURN 2" {"{}": {}} {"{}": {}}`']
    assert stub.exit_code == 1 and not stub.played_to_end


async def test_script_not_played_to_the_end_is_reported() -> None:
    text = HELLO_44 + 'C: RUN "RETURN 1" {} {}\n   PULL {"n": {"Z": "*"}}\nS: SUCCESS {}\n'
    async with StubServer(text) as stub:
        reader, writer = await asyncio.open_connection(*stub.address)
        writer.write(b"\x60\x60\xb0\x17" + b"\x00\x00\x04\x04" + b"\x00" * 12)
        assert await reader.readexactly(4) == b"\x00\x00\x04\x04"
        writer.close()  # hangs up without a word
        assert not await stub.wait(5)
    assert len(stub.errors) == 1
    assert stub.errors[0].startswith("<script>:3: the client closed the connection")
    assert 'expected `A: HELLO {"{}": "*"}`' in stub.errors[0]
    assert any("S: <BROKEN>" in line for line in stub.log)


async def test_exit_noop_raw_and_restart() -> None:
    text = textwrap.dedent("""\
        !: BOLT 4.4
        !: ALLOW RESTART
        A: HELLO {"{}": "*"}
        C: RUN "RETURN 1" {} {}
        S: <NOOP>
           <RAW> 00 03 B1 70 A0 00 00
           <EXIT>
        """)
    async with StubServer(text) as stub:
        for _ in range(2):  # ALLOW RESTART: the same script for the next connection
            async with asyncbolt.connect(stub.uri, versions=[(4, 4)]) as conn:
                result = await conn.run("RETURN 1")
                with pytest.raises(Exception):  # noqa: B017 - the server exits before PULL's reply
                    await result.consume()
        assert await stub.wait(5), stub.errors
    assert sum("S: <EXIT>" in line for line in stub.log) == 2
    assert sum("(  5) S: <NOOP>" in line for line in stub.log) == 2


async def test_concurrent_connections_each_play_the_script() -> None:
    text = textwrap.dedent("""\
        !: BOLT 4.4
        !: ALLOW CONCURRENT
        A: HELLO {"{}": "*"}
        C: RUN "*" {} {}
           PULL {"n": {"Z": "*"}}
        S: SUCCESS {"fields": ["n"]}
           RECORD [1]
           SUCCESS {}
        ?: GOODBYE
        """)
    async with StubServer(text) as stub:
        conns = [await asyncbolt.connect(stub.uri, versions=[(4, 4)]) for _ in range(3)]
        pending = [await c.run("x") for c in conns]
        results = await asyncio.gather(*(r.single() for r in pending))
        assert [r["n"] for r in results] == [1, 1, 1]
        for conn in conns:
            await conn.close()
        assert await stub.wait(5), stub.errors
    assert sum("S: <ACCEPT>" in line for line in stub.log) == 3


async def test_wait_ends_open_connections_whose_rest_is_optional() -> None:
    text = HELLO_44 + "*: RUN \"*\" {} {}\n"
    async with StubServer(text) as stub:
        conn = await asyncbolt.connect(stub.uri, versions=[(4, 4)])
        try:
            assert await stub.wait(5), stub.errors  # the rest is optional: it ends cleanly
        finally:
            await conn.close()


async def test_handshake_failure_is_an_error() -> None:
    async with StubServer("!: BOLT 4.4\nC: RESET\n") as stub:
        with pytest.raises(Exception):  # noqa: B017
            await asyncbolt.connect(stub.uri, versions=[(5, 0)])
        assert not await stub.wait(5)
    assert "handshake failed: the script speaks Bolt 4.4, the client proposed 5.0" in stub.errors[0]


async def test_assert_order_catches_pipelining() -> None:
    text = HELLO_44 + textwrap.dedent("""\
        C: RUN "RETURN 1" {} {}
        S: <ASSERT ORDER> 0.2
           SUCCESS {"fields": []}
        C: PULL {"n": {"Z": "*"}}
        S: SUCCESS {}
        """)
    async with StubServer(text) as stub:
        async with asyncbolt.connect(stub.uri, versions=[(4, 4)]) as conn:
            with pytest.raises(Exception):  # noqa: B017 - RUN and PULL come pipelined
                await (await conn.run("RETURN 1")).single()
        assert not await stub.wait(5)
    assert "<ASSERT ORDER>: expected the client to send nothing for 0.2 s, but it sent " \
           "`C: PULL" in stub.errors[0]


async def test_garbage_from_a_client_never_hangs_the_server() -> None:
    async with StubServer(HELLO_44 + "C: RESET\n") as stub:
        reader, writer = await asyncio.open_connection(*stub.address)
        writer.write(b"\x60\x60\xb0\x17" + b"\x00\x00\x04\x04" + b"\x00" * 12)
        assert await reader.readexactly(4) == b"\x00\x00\x04\x04"
        writer.write(b"\x00\x02\xe0\xe0\x00\x00")  # a chunk with an unknown marker
        assert await asyncio.wait_for(reader.read(), 5) == b""  # the server hangs up
        writer.close()
        assert not await stub.wait(5)
    assert "undecodable message" in stub.errors[0]


# ------------------------------------------------------------------------------------------
# Command line


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stub_cli(path: Path, *args: str) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "asyncbolt", "stub", "-l", f"127.0.0.1:{port}",
                             *args, str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=ROOT)
    assert proc.stdout is not None
    assert proc.stdout.readline() == "Listening\n"
    return proc, port


def test_cli_plays_a_script_and_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "ok.script"
    path.write_text(HELLO_44 + 'C: RUN "RETURN 1" {} {}\n   PULL {"n": {"Z": "*"}}\n'
                    'S: SUCCESS {"fields": ["n"]}\n   RECORD [1]\n   SUCCESS {}\n?: GOODBYE\n')
    proc, port = _stub_cli(path, "-v")

    async def client() -> None:
        async with asyncbolt.connect(f"bolt://127.0.0.1:{port}", versions=[(4, 4)]) as conn:
            assert (await (await conn.run("RETURN 1")).single())["n"] == 1

    asyncio.run(client())
    out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 0
    lines = out.splitlines()
    assert any(line.endswith("S: <HANDSHAKE> 00 00 04 04") for line in lines)
    assert lines[-1].endswith("S: <HANGUP>")
    assert all(line[:2].isdigit() and line[2] == ":" for line in lines)  # HH:MM:SS.mmm stamps


def test_cli_mismatch_exits_1_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.script"
    path.write_text(HELLO_44 + 'C: RUN "RETURN 1" {} {}\n')
    proc, port = _stub_cli(path)

    async def client() -> None:
        async with asyncbolt.connect(f"bolt://127.0.0.1:{port}", versions=[(4, 4)]) as conn:
            with pytest.raises(Exception):  # noqa: B017
                await (await conn.run("RETURN 2")).consume()

    asyncio.run(client())
    out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 1
    assert f"Script mismatch in '{path}':\n{path}:4: expected `C: RUN \"RETURN 1\" {{}} {{}}`" in out


def test_cli_sigint_exit_codes(tmp_path: Path) -> None:
    path = tmp_path / "never.script"
    path.write_text(HELLO_44 + "C: RESET\n")
    proc, _ = _stub_cli(path)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 3 and "Script never started" in out

    # A connection that still owes lines survives the first SIGINT, not the second.
    proc, port = _stub_cli(path)
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"\x60\x60\xb0\x17\x00\x00\x04\x04" + b"\x00" * 12)
    assert sock.recv(4) == b"\x00\x00\x04\x04"
    proc.send_signal(signal.SIGINT)
    with pytest.raises(subprocess.TimeoutExpired):
        proc.wait(0.5)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=10)
    sock.close()
    assert proc.returncode == 1 and "the server was stopped before the script ended" in out


def test_cli_timeout_and_bad_script(tmp_path: Path) -> None:
    path = tmp_path / "ok.script"
    path.write_text(HELLO_44 + "C: RESET\n")
    proc, _ = _stub_cli(path, "-t", "0.3")
    started = time.monotonic()
    out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 2 and "Timed out" in out and time.monotonic() - started < 5
    bad = tmp_path / "bad.script"
    bad.write_text("!: BOLT 4.4\nC: NOPE\n")
    done = subprocess.run([sys.executable, "-m", "asyncbolt", "stub", str(bad)],
                          capture_output=True, text=True, cwd=ROOT, timeout=30,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 99 and f"{bad}:2: Bolt 4.4 has no client message NOPE" in done.stderr
    helped = subprocess.run([sys.executable, "-m", "asyncbolt", "stub", "--help"],
                            capture_output=True, text=True, cwd=ROOT, timeout=30)
    assert helped.returncode == 0 and "usage: asyncbolt stub" in helped.stdout


def test_unused_names_are_exported() -> None:
    # The AST classes are part of the parser's documented result.
    assert {Alt, Client, Cond, Opt, Par, Python, Rep, Seq, ServerLine}


def test_paths_share_repeated_nodes_and_relationships() -> None:
    s = script("""\
        !: BOLT 5.0
        S: RECORD [{"..": [{"()": [1, ["l"], {}, "n1"]}, {"->": [2, 1, "R", 3, {}, "r2", "n1", "n3"]}, {"()": [3, ["l"], {}, "n3"]}, {"->": [4, 3, "R", 1, {}, "r4", "n3", "n1"]}, {"()": [1, ["l"], {}, "n1"]}]}]
        """)
    path = s.body.items[0].fields[0][0]
    nodes, rels, indices = path.fields
    assert [n.fields[3] for n in nodes] == ["n1", "n3"]
    assert rels == [Struct(0x72, [2, "R", {}, "r2"]), Struct(0x72, [4, "R", {}, "r4"])]
    assert indices == [1, 1, 2, 0]


def test_testkit_shim_runs_asyncbolt_stub_in_place_of_boltstub(tmp_path: Path) -> None:
    from testkit_backend.run import install_stub_shim

    (tmp_path / "boltstub").mkdir()
    (tmp_path / "boltstub" / "parsing.py").write_text("raise SystemExit('the real boltstub')\n")
    install_stub_shim(tmp_path, Path(sys.executable), ROOT)
    assert sorted(p.name for p in (tmp_path / "boltstub").iterdir()) == ["__init__.py",
                                                                         "__main__.py"]
    path = tmp_path / "s.script"
    path.write_text(HELLO_44 + "C: RESET\n")
    proc = subprocess.Popen([sys.executable, "-m", "boltstub", "-l", "127.0.0.1:0", "-v",
                             str(path)], cwd=tmp_path, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline() == "Listening\n"
    proc.send_signal(signal.SIGINT)  # the same process: exec kept the pid
    assert proc.wait(10) == 3
    proc.stdout.close()


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    error = error_of("!: BOLT 4.4\n" + "{?\n" * 5000 + "C: RESET\n" + "?}\n" * 5000)
    assert "nested more than 100 deep" in str(error) and error.line == 102
    error = error_of("!: BOLT 4.4\nC: RUN " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert "nested too deeply" in str(error) or "fields must be JSON" in str(error)


async def test_script_from_a_path_names_the_file_in_errors(tmp_path: Path) -> None:
    path = tmp_path / "bye.script"
    path.write_text(HELLO_44 + "C: RESET\n")
    for given in (path, str(path)):
        async with StubServer(given) as stub:
            async with asyncbolt.connect(stub.uri, versions=[(4, 4)]) as conn:
                with pytest.raises(Exception):  # noqa: B017
                    await (await conn.run("RETURN 1")).consume()
            assert not await stub.wait(5)
        assert stub.errors[0].startswith(f"{path}:4: expected `C: RESET`")
    with pytest.raises(ScriptError, match=r"bad\.script:2: "):
        bad = tmp_path / "bad.script"
        bad.write_text("!: BOLT 4.4\nC: NOPE\n")
        StubServer(bad)


@pytest.mark.parametrize("version", [(3, 0), (4, 4), (5, 0), (5, 8), (6, 1)], ids=str)
async def test_official_driver_session_run_across_versions(version: tuple[int, int]) -> None:
    neo4j = pytest.importorskip("neo4j")
    logon = 'A: LOGON {"{}": "*"}\n' if version >= (5, 1) else ""
    telemetry = '*: TELEMETRY {"Z": "*"}\n' if version >= (5, 4) else ""
    pull = "PULL_ALL" if version < (4, 0) else 'PULL {"n": {"Z": "*"}}'
    text = (f"!: BOLT {version[0]}.{version[1]}\n!: AUTO RESET\n"
            f'A: HELLO {{"{{}}": "*"}}\n{logon}{telemetry}'
            f'C: RUN "RETURN $x AS x" {{"x": {{"Z": "*"}}}} {{"[db]": "*"}}\n   {pull}\n'
            'S: SUCCESS {"fields": ["x"]}\n   RECORD [{"T": "12:00:00+01:00"}]\n'
            '   SUCCESS {"type": "r"}\n?: GOODBYE\n')
    async with StubServer(text) as stub:
        driver = neo4j.AsyncGraphDatabase.driver(stub.uri, auth=("neo4j", "pw"))
        try:
            async with driver.session() as session:
                result = await session.run("RETURN $x AS x", x=7)
                record = await result.single()
                summary = await result.consume()
            assert record["x"].hour == 12 and record["x"].utcoffset().total_seconds() == 3600
            assert summary.server.protocol_version == version
        finally:
            await driver.close()
        assert await stub.wait(5), stub.errors
