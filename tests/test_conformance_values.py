"""The conformance checker's value checks (asyncbolt.tools.conformance.values and .samples).

Against asyncbolt's own server every check passes on every version it negotiates (4.3 and 4.4
with and without the ``utc`` patch); servers that mangle an echo in one precise way (-0.0 made
0.0, integers made floats, long strings cut, a value never answered, the connection closed)
fail exactly the matching checks, with the expected and received values and the bytes.
"""

from __future__ import annotations

import asyncio
import io
import math
from typing import Any

import pytest

import asyncbolt
from asyncbolt._generated.versions import PROFILES, SERVER_VERSIONS, patch_holds
from asyncbolt.codec.packstream import get_codec
from asyncbolt.codec.structures import Node, Path, Relationship
from asyncbolt.tools.conformance.report import Report
from asyncbolt.tools.conformance.samples import (
    GRAPH_STRUCTURES,
    difference,
    marker_name,
    markers,
    samples,
    unsampled,
    value_end,
)
from asyncbolt.tools.conformance.values import ECHO_QUERY, GRAPH_QUERY, _encoding_note, value_checks

from .conformance_open import A, B, P, R, opener


class ConformanceSession(asyncbolt.ServerSession):
    """Answers the echo query with its parameter x (through ``mangle``, when given) and the
    graph query with a real node, relationship and path (``graph``, when given)."""

    async def run(self, query: str, parameters: dict[str, Any], extra: dict[str, Any]) -> asyncbolt.Result:
        if query == ECHO_QUERY and not self.options.get("refuse"):
            x = parameters["x"]
            mangle = self.options.get("mangle")
            if mangle is not None:
                x = await mangle(x)
            return asyncbolt.Result(["x"], [[x]])
        if query == GRAPH_QUERY:
            return asyncbolt.Result(["a", "r", "b", "p"], [self.options.get("graph", [A, R, B, P])])
        if query in ("BEGIN", "ROLLBACK"):  # Bolt 1.0-2.0 transactions
            return asyncbolt.Result([], [])
        raise asyncbolt.ClientError("Neo.ClientError.Statement.SyntaxError", f"unknown query {query!r}")


def _profiles() -> list[tuple[tuple[int, int], bool]]:
    out = []
    for version in SERVER_VERSIONS:
        out.append((version, False))
        if patch_holds("utc", version):
            out.append((version, True))
    return out


def _id(case: tuple[tuple[int, int], bool]) -> str:
    (major, minor), utc = case
    return f"{major}.{minor}" + ("+utc" if utc else "")


async def _check(version: tuple[int, int], utc: bool = False, timeout: float = 5.0,
                 echo_query: str | None = ECHO_QUERY, **options: Any) -> dict:
    server = await asyncbolt.serve(ConformanceSession, "127.0.0.1", 0, **options)
    async with server:
        checks = await value_checks(opener(server.port, version, utc=utc, timeout=timeout), version,
                                    echo_query=echo_query, timeout=timeout)
    names = [c.name for c in checks]
    assert len(names) == len(set(names)), "every check has its own name"
    return {c.name: c for c in checks}


# -- asyncbolt's own server: everything passes --------------------------------------------------


@pytest.mark.parametrize("case", _profiles(), ids=_id)
async def test_every_value_check_passes_on_asyncbolt(case) -> None:
    version, utc = case
    checks = await _check(version, utc)
    failed = [f"{c.name}: {c.detail}" for c in checks.values() if c.outcome != "pass"]
    assert not failed
    profile = get_codec(version, ("utc",) if utc else ()).profile
    # one check per sample, and one per graph structure
    assert {s.name for s in samples(profile)} | {f"graph {n}" for n in GRAPH_STRUCTURES} <= set(checks)
    legacy = any(n == "echo LegacyDateTime" for n in checks)
    assert legacy == (version in ((2, 0), (3, 0), (4, 0), (4, 1), (4, 2), (4, 3), (4, 4)) and not utc)
    # the exchanges are in the report (small ones, and every failure)
    assert checks["echo Integer INT_16 edge 32767"].sent and checks["echo Integer INT_16 edge 32767"].received


# -- the samples -------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_each_sample_is_encoded_with_the_marker_it_names(profile) -> None:
    version = tuple(int(x) for x in profile.split("+")[0].split("."))
    codec = get_codec(version, profile.split("+")[1:])
    assert unsampled(profile) == []
    seen = set()
    for sample in samples(profile):
        encoded = codec.pack(sample.value)
        assert value_end(profile, encoded, 0) == len(encoded)
        assert len(encoded) < 1 << 20, sample.name
        words = sample.name.split()
        marker = marker_name(profile, encoded[0])
        seen.add(marker)
        if len(words) > 3 and words[3] in ("edge", "size"):
            assert words[2] == marker, sample.name
            if words[3] == "edge":  # an edge: one step outwards needs another marker
                n = int(words[4])
                outside = [m for m in (n - 1, n + 1) if -(1 << 63) <= m < 1 << 63]
                assert any(marker_name(profile, codec.pack(m)[0]) != marker for m in outside) or \
                    n in (-(1 << 63), (1 << 63) - 1), sample.name
    # every marker of the profile is used by some sample (structures: TINY_STRUCT, except in
    # Bolt 1.0, whose structures are all graph structures, checked by the graph query)
    assert {m.name for m in markers(profile)} - seen <= ({"TINY_STRUCT"} if profile == "1.0" else set())


def test_uuid_is_sampled_where_the_spec_has_it() -> None:
    has_uuid = {p for p in PROFILES if any(s.name == "echo UUID" for s in samples(p))}
    assert has_uuid == {p for p in PROFILES if "UUID" in {m.name for m in markers(p)}} == {"6.1"}


def test_difference_is_exact() -> None:
    assert difference(-0.0, 0.0) == "x: expected Float -0.0, got Float 0.0"
    assert difference(1, 1.0) == "x: expected Integer 1, got Float 1.0"
    assert difference(True, 1) == "x: expected Boolean True, got Integer 1"
    assert difference(math.nan, math.nan) is None
    assert difference({"a": 1, "b": [2]}, {"b": [2], "a": 1}) is None
    assert difference({"a": [1, 2]}, {"a": [1, 2.0]}) == "x['a'][1]: expected Integer 2, got Float 2.0"
    assert "first difference at index 1" in difference("abc", "axc")
    assert "(3 long, not 4)" in difference("abcd", "abc")
    assert difference(A, Node(11, ["AsyncboltConformance"], {"k": 1}, "4:x:99")).startswith("x.element_id:")


def test_an_echo_in_another_legal_encoding_is_noted() -> None:
    assert _encoding_note("5.0", b"\x01", b"\x01") == ""
    assert _encoding_note("5.0", b"\x01", b"\xcb" + (1).to_bytes(8, "big")) == \
        "echoed as INT_64 where TINY_INT was sent (another legal encoding of the same value)"


# -- servers that get a value wrong ------------------------------------------------------------


def _failed(checks: dict) -> dict:
    return {name: c for name, c in checks.items() if c.outcome == "fail"}


async def test_negative_zero_made_positive_fails_its_check_only() -> None:
    async def mangle(x):
        return 0.0 if type(x) is float and x == 0.0 else x

    failed = _failed(await _check((5, 0), mangle=mangle))
    assert set(failed) == {"echo Float -0.0"}
    check = failed["echo Float -0.0"]
    assert check.detail == "x: expected Float -0.0, got Float 0.0"
    assert bytes.fromhex("c18000000000000000") in check.sent  # -0.0 went out
    assert bytes.fromhex("c10000000000000000") in check.received  # 0.0 came back
    report = Report("mangling server", [check])
    out = io.StringIO()
    report.write_text(out)
    assert "FAIL       5.0  echo Float -0.0: x: expected Float -0.0, got Float 0.0\n" in out.getvalue()
    assert "c1 80 00 00 00 00 00 00 00" in out.getvalue() and report.exit_code == 1


async def test_integers_made_floats_fail_the_integer_checks() -> None:
    async def mangle(x):
        return float(x) if type(x) is int and abs(x) > 1000 else x

    failed = _failed(await _check((4, 4), mangle=mangle))
    assert "echo Integer INT_16 edge 32767" in failed
    assert "echo Integer TINY_INT edge 127" not in failed
    assert all(n.startswith("echo Integer") for n in failed)
    assert failed["echo Integer INT_16 edge 32767"].detail == \
        "x: expected Integer 32767, got Float 32767.0"


async def test_cut_strings_fail_the_long_string_checks() -> None:
    async def mangle(x):
        return x[:255] if type(x) is str else x

    failed = _failed(await _check((3, 0), mangle=mangle))
    assert set(failed) == {"echo String STRING_16 size 256", "echo String STRING_16 size 65535",
                           "echo String STRING_32 size 65536"}
    assert "(255 long, not 256)" in failed["echo String STRING_16 size 256"].detail
    assert failed["echo String STRING_32 size 65536"].sent  # failures keep their bytes


async def test_maps_echoed_in_another_order_pass_with_a_note() -> None:
    async def mangle(x):
        return dict(reversed(list(x.items()))) if type(x) is dict else x

    checks = await _check((5, 7), mangle=mangle)
    assert not _failed(checks)
    assert "another legal encoding" in checks["echo Map TINY_MAP size 15"].detail
    assert checks["echo Map TINY_MAP size 0"].detail == ""


async def test_a_value_never_answered_fails_in_time_and_the_next_check_reconnects() -> None:
    async def mangle(x):
        if x == 32767 and type(x) is int:
            await asyncio.sleep(60)
        return x

    loop = asyncio.get_running_loop()
    start = loop.time()
    checks = await _check((5, 4), timeout=0.5, mangle=mangle)
    assert loop.time() - start < 20
    failed = _failed(checks)
    assert set(failed) == {"echo Integer INT_16 edge 32767"}
    assert "within" in failed["echo Integer INT_16 edge 32767"].detail
    assert checks["echo Integer INT_32 edge 32768"].outcome == "pass"


async def test_a_closed_connection_fails_one_check_and_a_server_gone_skips_the_rest() -> None:
    server = await asyncbolt.serve(ConformanceSession, "127.0.0.1", 0)
    async with server:
        open_ready = opener(server.port, (5, 0), timeout=2.0)
        opened = 0

        async def open_then_vanish():
            nonlocal opened
            opened += 1
            if opened > 1:
                raise OSError("the server is gone")
            probe = await open_ready()
            send, sends = probe.send, 0

            async def send_then_die(*messages):  # the connection dies under the 10th exchange
                nonlocal sends
                sends += 1
                if sends == 10:
                    probe.writer.transport.abort()
                await send(*messages)

            probe.send = send_then_die
            return probe

        checks = await value_checks(open_then_vanish, (5, 0), echo_query=ECHO_QUERY, timeout=2.0)
    outcomes = [c.outcome for c in checks]
    assert outcomes[:8] == ["pass"] * 8 and outcomes[8] == "fail"
    assert checks[8].detail in ("the server closed the connection",
                                "the connection failed while sending: ConnectionResetError('Connection lost')")
    assert set(outcomes[9:]) == {"skip"}
    assert all(c.detail == "not run: could not open a ready connection: OSError('the server is gone')"
               for c in checks[9:])


async def test_a_refused_connection_is_tried_again_within_the_timeout() -> None:
    server = await asyncbolt.serve(ConformanceSession, "127.0.0.1", 0)
    async with server:
        open_ready = opener(server.port, (4, 0))
        refusals = 0

        async def refuse_twice():  # a server starting again after it died
            nonlocal refusals
            if refusals < 2:
                refusals += 1
                raise ConnectionRefusedError(111, "Connect call failed")
            return await open_ready()

        checks = await value_checks(refuse_twice, (4, 0), echo_query=ECHO_QUERY, timeout=2.0)
    assert refusals == 2 and {c.outcome for c in checks} == {"pass"}


async def test_a_server_without_the_echo_query_skips_the_echo_checks() -> None:
    checks = await _check((5, 0), refuse=True)
    assert checks["echo values"].outcome == "skip"
    assert "unknown query 'RETURN $x AS x'" in checks["echo values"].detail
    assert not any(n.startswith("echo ") and n != "echo values" for n in checks)
    assert checks["graph Node"].outcome == "pass"

    server = await asyncbolt.serve(ConformanceSession, "127.0.0.1", 0)
    async with server:
        none = await value_checks(opener(server.port, (4, 4)), (4, 4), echo_query=None, timeout=2.0,
                                  graph_query=None)
    assert [(c.name, c.outcome) for c in none] == [("echo values", "skip"), ("graph structures", "skip")]


async def test_graph_structures_of_the_wrong_shape_fail() -> None:
    # 5.0 wants element ids: a node without one goes out as null, which the layout refuses
    bare = Node(11, ["AsyncboltConformance"], {"k": 1}, None)
    checks = await _check((5, 0), echo_query=None, graph=[bare, R, B, P])
    assert checks["graph Node"].outcome == "fail"
    assert "Node.element_id must be String, found Null" in checks["graph Node"].detail
    assert checks["graph Node"].received
    # a relationship whose end is not the node, and a path that does not hold them
    wrong = Relationship(21, 11, 99, "PROBE", {"k": 2}, "5:x:21", "4:x:11", "4:x:99")
    checks = await _check((4, 4), echo_query=None, graph=[A, wrong, B, Path([A, A], P.relationships, [1, 1])])
    assert checks["graph Node"].outcome == "pass"
    assert checks["graph Relationship"].detail == "r.end_node_id is 99, but the node is 12"
    assert checks["graph Path"].detail.startswith("p.nodes[1].id: expected Integer 12, got Integer 11")
    assert checks["graph UnboundRelationship"].outcome == "pass"


async def test_an_echo_query_never_answered_fails_once_and_skips_the_echo_checks() -> None:
    async def mangle(x):
        await asyncio.sleep(60)

    checks = await _check((5, 1), timeout=0.3, mangle=mangle)
    assert checks["echo query"].outcome == "fail"
    assert checks["echo query"].detail == "RUN 'RETURN $x AS x' {x: 1} got no usable answer: no answer within 0.3 s"
    assert checks["echo query"].sent  # the RUN that was not answered
    assert checks["echo values"].outcome == "skip"
    assert checks["graph Path"].outcome == "pass"  # the graph checks open a new connection
