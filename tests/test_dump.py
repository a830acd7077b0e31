"""asyncbolt.tools.dump: decoding and validating captured Bolt conversations, sans-IO."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asyncbolt.codec.messages import (
    LAYOUTS,
    Failure,
    Hello,
    Ignored,
    Logon,
    Pull,
    PullAll,
    Record,
    Reset,
    Run,
    Success,
)
from asyncbolt.codec.packstream import get_codec
from asyncbolt.codec.structures import DateTime, Node
from asyncbolt.core.framing import chunk_message
from asyncbolt.core.handshake import ClientHandshake, ServerHandshake
from asyncbolt.tools import dump
from tests.strategies import (
    PROFILES,
    assert_same,
    message_cases,
    message_of,
    mutate,
    mutation_ops,
    profile_id,
)

# ---- a sample conversation: the official driver's manifest handshake, then a query ----------


def chunked(version, *messages, max_chunk_size: int = 65535, patches=()) -> bytes:
    codec = get_codec(version, patches)
    return b"".join(chunk_message(codec.pack_message(m), max_chunk_size) for m in messages)


def sample_conversation(max_chunk_size: int = 65535) -> tuple[bytes, bytes, tuple[int, int]]:
    """(client stream, server stream, version) of a complete, valid exchange."""
    client = ClientHandshake([(5, 8, 8), (4, 4, 2), (3, 0)], manifest=True)
    server = ServerHandshake()
    cs = client.initial_bytes()
    answer = server.receive_data(cs)
    cs += client.receive_data(answer)
    version = client.version
    assert version is not None
    cs += chunked(version,
                  Hello({"user_agent": "test/1.0"}),
                  Logon({"scheme": "basic", "principal": "neo4j", "credentials": "secret"}),
                  Run("MATCH (n) RETURN n, $x AS x", {"x": [1, 2.5, "three", b"\x04"]}, {}),
                  Pull({"n": -1}),
                  max_chunk_size=max_chunk_size)
    ss = answer + chunked(version,
                          Success({"server": "Neo4j/5.26.0", "connection_id": "bolt-1"}),
                          Success({}),
                          Success({"fields": ["n", "x"], "t_first": 1}),
                          Record([Node(0, ["Person"], {"name": "Ada"}, "4:db:0"), 1]),
                          Record([Node(1, [], {}, "4:db:1"), 2]),
                          Success({"type": "r", "t_last": 0, "has_more": False}),
                          max_chunk_size=max_chunk_size)
    return cs, ss, version


def decode_all(cs: bytes, ss: bytes, **kwargs) -> tuple[list[dump.Event], dump.Conversation]:
    conv = dump.Conversation(**kwargs)
    events = conv.feed("client", cs) + conv.feed("server", ss) + conv.close()
    return events, conv


def summary(events: list[dump.Event], side: str | None = None) -> list[tuple]:
    return [(e.side, e.offset, e.kind, e.name, repr(e.fields), [str(p) for p in e.problems])
            for e in events if side is None or e.side == side]


def names(events: list[dump.Event], side: str) -> list[str]:
    return [e.name for e in events if e.side == side]


def test_sample_conversation_is_valid() -> None:
    cs, ss, version = sample_conversation()
    events, conv = decode_all(cs, ss)
    assert conv.problems == []
    assert names(events, "client") == ["HANDSHAKE", "HANDSHAKE", "HELLO", "LOGON", "RUN", "PULL"]
    assert names(events, "server") == ["HANDSHAKE", "SUCCESS", "SUCCESS", "SUCCESS", "RECORD",
                                       "RECORD", "SUCCESS"]
    assert all(e.version == version for e in events if e.kind == "message")
    record = next(e for e in events if e.name == "RECORD")
    assert record.fields == [[Node(0, ["Person"], {"name": "Ada"}, "4:db:0"), 1]]
    run = next(e for e in events if e.name == "RUN")
    assert run.fields == ["MATCH (n) RETURN n, $x AS x", {"x": [1, 2.5, "three", b"\x04"]}, {}]
    assert isinstance(run.message, Run)
    # Offsets are stream offsets: the handshake (20 + 5 bytes) precedes the first chunk.
    assert [e.offset for e in events if e.side == "client"][:3] == [0, 20, 25]
    assert cs[25:27] == len(get_codec(version).pack_message(Hello({"user_agent": "test/1.0"}))).to_bytes(2, "big")


def test_server_messages_wait_for_the_requests_they_answer() -> None:
    cs, ss, _ = sample_conversation()
    conv = dump.Conversation()
    # The answer is checked against the proposals, and the version is the client's choice.
    assert conv.feed("server", ss) == []
    rest = conv.feed("client", cs[:20])
    assert [(e.side, e.name) for e in rest] == [("client", "HANDSHAKE"), ("server", "HANDSHAKE")]
    rest = conv.feed("client", cs[20:]) + conv.close()
    assert names(rest, "server") == ["SUCCESS", "SUCCESS", "SUCCESS", "RECORD", "RECORD", "SUCCESS"]
    assert conv.problems == []


# ---- every message of every version ---------------------------------------------------------

CASES = message_cases()


@pytest.mark.parametrize(("profile", "cls"), CASES,
                         ids=[f"{profile_id(p)}-{c.name}" for p, c in CASES])
@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_every_message_decodes_to_the_same_fields(profile, cls, data) -> None:
    version, patches = profile
    message = data.draw(message_of(cls, profile))
    side = "client" if cls.direction == "request" else "server"
    size = data.draw(st.sampled_from([65535, 7, 1]))
    stream = chunked(version, message, max_chunk_size=size, patches=patches)
    expected = [getattr(message, f) for f in LAYOUTS[version][cls]]
    for reference in (False, True):  # the fast codec, and the construct schemas only
        conv = dump.Conversation(version, patches, side=side, reference=reference)
        events = conv.feed(side, stream) + conv.close()
        assert conv.problems == [], [str(p) for p in conv.problems]
        assert [(e.kind, e.name, e.side, e.offset, e.version) for e in events] == [
            ("message", cls.name, side, 0, version)]
        assert_same(events[0].fields, expected)
    # Both renderings accept every value.
    assert dump.render_text(events[0]).split()[2] == cls.name
    json.dumps(dump.render_json(events[0]))


def test_all_profiles_covered() -> None:
    assert {p for p, _ in CASES} == set(PROFILES)


# ---- slicing ---------------------------------------------------------------------------------


def feed_sliced(cs: bytes, ss: bytes, rnd: random.Random) -> tuple[list[dump.Event], dump.Conversation]:
    conv = dump.Conversation()
    events: list[dump.Event] = []
    i = j = 0
    while i < len(cs) or j < len(ss):
        if i < len(cs) and (j >= len(ss) or rnd.random() < 0.5):
            n = rnd.choice([1, 1, 2, 3, 5, 17, 100])
            events += conv.feed("client", cs[i:i + n])
            i += n
        else:
            n = rnd.choice([1, 1, 2, 3, 5, 17, 100])
            events += conv.feed("server", ss[j:j + n])
            j += n
    events += conv.close()
    return events, conv


@pytest.mark.parametrize("max_chunk_size", [65535, 3])
def test_any_slicing_gives_the_same_events(max_chunk_size: int) -> None:
    cs, ss, _ = sample_conversation(max_chunk_size)
    base, _ = decode_all(cs, ss)
    rnd = random.Random(max_chunk_size)
    for _ in range(40):
        events, conv = feed_sliced(cs, ss, rnd)
        assert conv.problems == []
        for side in ("client", "server"):
            assert summary(events, side) == summary(base, side)


def test_slicing_a_damaged_conversation_gives_the_same_problems() -> None:
    cs, ss, _ = sample_conversation()
    bad = bytearray(ss)
    bad[ss.index(b"Ada") - 1] = 0xC4
    base, base_conv = decode_all(cs, bytes(bad))
    assert base_conv.problems
    rnd = random.Random(7)
    for _ in range(20):
        events, conv = feed_sliced(cs, bytes(bad), rnd)
        assert [str(p) for p in conv.problems] == [str(p) for p in base_conv.problems]
        for side in ("client", "server"):
            assert summary(events, side) == summary(base, side)


# ---- damage: located, never an exception -----------------------------------------------------


def test_damage_at_every_offset_is_reported_never_raised() -> None:
    cs, ss, _ = sample_conversation(max_chunk_size=20)
    detected = total = 0
    for side in ("client", "server"):
        data = cs if side == "client" else ss
        limit = len(data)
        for i in range(len(data)):
            for byte in (0x00, 0xFF, 0xC4, data[i] ^ 0x80):
                damaged = bytearray(data)
                damaged[i] = byte
                if bytes(damaged) == data:
                    continue
                other = ss if side == "client" else cs
                pair = (bytes(damaged), other) if side == "client" else (other, bytes(damaged))
                events, conv = decode_all(*pair)
                total += 1
                detected += bool(conv.problems)
                for p in conv.problems:
                    assert isinstance(p.offset, int) and 0 <= p.offset <= limit + 65537, p
                    assert "internal" not in p.reason, p
                    assert str(p) == f"{p.offset}: {p.path}: {p.reason}"
                for e in events:
                    dump.render_text(e)
                    json.dumps(dump.render_json(e))
            # Cut off after byte i: everything before the cut decodes, the cut is reported.
            cut = data[:i]
            pair = (cut, ss) if side == "client" else (cs, cut)
            events, conv = decode_all(*pair)
            assert all("internal" not in p.reason for p in conv.problems)
    assert detected > total * 0.6, (detected, total)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=200), st.binary(max_size=200), st.sampled_from([None, (3, 0), (4, 4), (5, 4)]))
def test_random_bytes_never_raise(client: bytes, server: bytes, version) -> None:
    cs, ss, _ = sample_conversation()
    for c, s in ((client, server), (cs[:30] + client, ss[:40] + server), (client + cs, server + ss)):
        events, conv = decode_all(c, s, version=version)
        assert all("internal" not in p.reason for p in conv.problems)
        for e in events:
            dump.render_text(e)
            json.dumps(dump.render_json(e))


def utc_conversation() -> tuple[bytes, bytes]:
    """A legacy handshake to 4.4, HELLO asking for the utc patch, a UTC DateTime each way."""
    v = (4, 4)
    client = ClientHandshake([(4, 4, 2), (3, 0)])
    cs = client.initial_bytes()
    ss = ServerHandshake(manifest=False).receive_data(cs)
    stamp = DateTime(1_700_000_000, 0, 3600)
    cs += (chunked(v, Hello({"user_agent": "x", "patch_bolt": ["utc"]}))
           + chunked(v, Run("RETURN $t", {"t": stamp}, {}), Pull({"n": -1}), Reset(), patches=["utc"]))
    ss += (chunked(v, Success({"patch_bolt": ["utc"]}))
           + chunked(v, Success({"fields": ["t"]}), Record([stamp]), Success({}), Success({}),
                     patches=["utc"]))
    return cs, ss


def test_utc_conversation_is_valid() -> None:
    events, conv = decode_all(*utc_conversation())
    assert conv.problems == []
    assert names(events, "server")[-3:] == ["RECORD", "SUCCESS", "SUCCESS"]


@settings(max_examples=150, deadline=None)
@given(mutation_ops, mutation_ops, st.integers(1, 40), st.booleans())
def test_mutated_conversations_never_raise(client_ops, server_ops, step, utc) -> None:
    cs, ss = utc_conversation() if utc else sample_conversation(max_chunk_size=25)[:2]
    cs, ss = mutate(cs, client_ops), mutate(ss, server_ops)
    conv = dump.Conversation()
    events = []
    for i in range(0, max(len(cs), len(ss)), step):
        events += conv.feed("server", ss[i:i + step]) + conv.feed("client", cs[i:i + step])
    events += conv.close()
    whole, whole_conv = decode_all(cs, ss)
    for side in ("client", "server"):
        assert summary(events, side) == summary(whole, side)
    assert sorted(map(str, conv.problems)) == sorted(map(str, whole_conv.problems))
    assert all("internal" not in p.reason for p in conv.problems)


def test_truncated_message_is_reported_at_the_cut() -> None:
    cs, ss, _ = sample_conversation()
    cut = ss[:-5]
    events, conv = decode_all(cs, cut)
    assert names(events, "server")[-1] == "SUCCESS"
    [problem] = conv.problems
    assert problem.offset == len(cut)
    assert "ends inside" in problem.reason
    assert events[-1].problems == [problem]


def test_truncated_handshake_is_reported() -> None:
    events, conv = decode_all(b"\x60\x60\xb0\x17\x00\x00", b"")
    assert [str(p) for p in conv.problems] == ["0: HANDSHAKE: the dump ends inside the handshake (6 bytes)"]


def test_bad_magic_stops_the_client_side() -> None:
    events, conv = decode_all(b"GET / HTTP/1.1\r\n\r\n", b"")
    assert [(p.offset, p.path) for p in conv.problems] == [(0, "HANDSHAKE")]
    assert "HTTP" in conv.problems[0].reason


# ---- precise offsets and paths ---------------------------------------------------------------


def test_offset_maps_across_chunk_boundaries_and_path_names_the_field() -> None:
    version = (5, 4)
    codec = get_codec(version)
    payload = bytearray(codec.pack_message(Record([1, 2, 3, Node(0, [], {"k": 1}, "e")])))
    at = payload.index(b"\x81k")  # the map key
    payload[at] = 0xC4
    stream = bytearray()
    positions = {}  # payload index -> stream offset
    for start in range(0, len(payload), 5):
        stream += len(payload[start:start + 5]).to_bytes(2, "big")
        for k in range(start, min(start + 5, len(payload))):
            positions[k] = len(stream) + (k - start)
        stream += payload[start:start + 5]
    stream += b"\x00\x00"
    prefix = chunked(version, Success({}))
    conv = dump.Conversation(version, side="server")
    events = conv.feed("server", prefix + bytes(stream)) + conv.close()
    [problem] = conv.problems
    assert problem.path == "RECORD.data[3].properties"
    assert problem.offset == len(prefix) + positions[at]
    assert "map key must be a string" in problem.reason
    assert events[1].name == "RECORD" and events[1].offset == len(prefix)
    assert events[1].problems == [problem]


def test_wrong_field_count_and_type_and_unknown_signature() -> None:
    version = (5, 0)
    conv = dump.Conversation(version, side="client")
    stream = (chunk_message(b"\xb1\x10\x81q")            # RUN with 1 field
              + chunk_message(b"\xb1\x3f\x01")           # PULL extra must be a Map
              + chunk_message(b"\xb0\x71")               # RECORD is a response
              + chunk_message(b"\xb0\x0f"))              # RESET: fine
    events = conv.feed("client", stream) + conv.close()
    assert [e.name for e in events] == ["RUN", "PULL", "RAW", "RESET"]
    got = [str(p) for p in conv.problems]
    # Offsets point at the offending byte: past the 2-byte chunk header of each message.
    assert got[0] == "2: RUN: RUN must have 3 fields, found 1"
    assert got[1] == "12: PULL.extra: must be Map, found Integer"
    assert got[2].startswith("18: message: unknown request signature 0x71 in Bolt 5.0")
    assert "RECORD" in got[2]
    assert len(got) == 3


def test_noop_before_4_1_is_a_problem() -> None:
    events, conv = decode_all(b"", b"\x00\x00" + chunked((4, 0), Success({})), version=(4, 0), side="server")
    assert [e.name for e in events] == ["NOOP", "SUCCESS"]
    assert [p.path for p in conv.problems] == ["NOOP"]
    events, conv = decode_all(b"", b"\x00\x00" + chunked((4, 1), Success({})), version=(4, 1), side="server")
    assert conv.problems == []


def test_oversized_message_stops_the_side() -> None:
    conv = dump.Conversation((5, 0), side="server", max_message_size=10)
    conv.feed("server", b"\x00\x08" + b"\xb1\x70\xa0" + b"\x00" * 5 + b"\x00\x08" + b"\x00" * 8 + b"\x00\x00")
    conv.close()
    [problem] = conv.problems
    assert problem.offset == 10 and "larger than 10 bytes" in problem.reason


# ---- the state machine -----------------------------------------------------------------------


def exchange(version, requests, responses, handshake: bool = False):
    cs = chunked(version, *requests)
    ss = chunked(version, *responses)
    return decode_all(cs, ss, version=version)


def test_record_without_a_pull() -> None:
    v = (5, 4)
    events, conv = exchange(v, [Hello({}), Logon({}), Run("RETURN 1", {}, {})],
                            [Success({}), Success({}), Success({"fields": ["1"]}), Record([1])])
    [problem] = conv.problems
    assert problem.path == "RECORD" and "without an open PULL" in problem.reason
    assert problem.side == "server"
    assert events[-1].problems == [problem] or any(e.problems == [problem] for e in events)


def test_success_where_ignored_was_due() -> None:
    v = (4, 4)
    events, conv = exchange(v, [Hello({}), Run("X", {}, {}), Pull({"n": -1}), Reset()],
                            [Success({}), Failure({"code": "Neo.ClientError.Statement.SyntaxError",
                                                   "message": "x"}), Success({}), Success({})])
    [problem] = conv.problems
    assert problem.path == "SUCCESS"
    assert "should have been IGNORED" in problem.reason
    # The same with IGNORED is valid, and RESET leaves FAILED.
    events, conv = exchange(v, [Hello({}), Run("X", {}, {}), Pull({"n": -1}), Reset(),
                                Run("Y", {}, {})],
                            [Success({}), Failure({"code": "c", "message": "x"}), Ignored(),
                             Success({}), Success({"fields": []})])
    assert conv.problems == []


def test_request_not_allowed_in_state() -> None:
    v = (5, 0)
    events, conv = exchange(v, [Hello({}), Pull({"n": -1})],
                            [Success({}), Failure({"code": "c", "message": "x"})])
    [problem] = conv.problems
    assert problem.side == "client" and problem.path == "PULL"
    assert problem.offset == len(chunked(v, Hello({})))
    assert "not allowed in state READY" in problem.reason


def test_has_more_keeps_streaming_and_bolt_1_pull_all() -> None:
    v = (4, 4)
    events, conv = exchange(v, [Hello({}), Run("R", {}, {}), Pull({"n": 1}), Pull({"n": 1})],
                            [Success({}), Success({"fields": ["a"]}), Record([1]),
                             Success({"has_more": True}), Record([2]), Success({})])
    assert conv.problems == []
    events, conv = exchange((1, 0), [Run("R", {}, {})], [Success({})])
    assert [p.path for p in conv.problems] == ["RUN"]  # INIT first
    from asyncbolt.codec.messages import Init
    events, conv = exchange((1, 0), [Init("x", {}), Run("R", {}, {}), PullAll()],
                            [Success({}), Success({"fields": ["a"]}), Record([1]), Success({})])
    assert conv.problems == []


def test_transaction_results_are_followed_by_qid() -> None:
    # Two results open in one transaction (Bolt 4.0+): the first PULL that ends one leaves the
    # transaction streaming while the other is open. (Before the dump validator stepped the
    # shared state machine it did not follow qids: it went to TX_READY there and reported the
    # second result's PULL as "not allowed in state TX_READY".)
    from asyncbolt.codec.messages import Begin, Commit
    v = (4, 4)
    requests = [Hello({}), Begin({}), Run("A", {}, {}), Run("B", {}, {}),
                Pull({"n": -1, "qid": 0}), Pull({"n": -1, "qid": 1}), Commit()]
    answers = [Success({}), Success({}), Success({"fields": ["a"], "qid": 0}),
               Success({"fields": ["b"], "qid": 1}), Record([1]), Success({}), Record([2]),
               Success({}), Success({"bookmark": "b"})]
    events, conv = exchange(v, requests, answers)
    assert conv.problems == []
    # A RECORD for the second result once it has ended is still caught (nothing is open).
    events, conv = exchange(v, requests[:6] + [Pull({"n": -1, "qid": 1})],
                            answers[:8] + [Failure({"code": "c", "message": "x"})])
    [problem] = conv.problems
    assert problem.side == "client" and "not allowed in state TX_READY" in problem.reason


def test_response_to_no_request() -> None:
    v = (5, 0)
    events, conv = exchange(v, [Hello({})], [Success({}), Success({})])
    [problem] = conv.problems
    assert problem.path == "SUCCESS" and "answers no request" in problem.reason


# ---- the utc patch ---------------------------------------------------------------------------


def test_utc_patch_after_hello_success() -> None:
    v = (4, 4)
    stamp = DateTime(1_700_000_000, 0, 3600)
    cs = (chunked(v, Hello({"user_agent": "x", "patch_bolt": ["utc"]}))
          + chunked(v, Run("RETURN $t", {"t": stamp}, {}), patches=["utc"]))
    granted = chunked(v, Success({"patch_bolt": ["utc"]}), Success({"fields": ["t"]}))
    events, conv = decode_all(cs, granted, version=v)
    assert conv.problems == []
    assert next(e for e in events if e.name == "RUN").fields[1] == {"t": stamp}
    # Not granted: the UTC DateTime (tag 0x49) does not exist in plain 4.4.
    refused = chunked(v, Success({}), Success({"fields": ["t"]}))
    events, conv = decode_all(cs, refused, version=v)
    assert [p.path for p in conv.problems] == ["RUN.parameters.t"]
    assert "not part of Bolt 4.4" in conv.problems[0].reason


# ---- handshakes ------------------------------------------------------------------------------


def test_legacy_handshake_version_comes_from_the_server() -> None:
    client = ClientHandshake([(4, 4, 2), (3, 0)])
    server = ServerHandshake(manifest=False)
    cs = client.initial_bytes()
    ss = server.receive_data(cs)
    assert client.receive_data(ss) == b""
    cs += chunked((4, 4), Hello({}))
    ss += chunked((4, 4), Success({}))
    events, conv = decode_all(cs, ss)
    assert conv.problems == []
    assert [(e.side, e.name, e.version) for e in events] == [
        ("client", "HANDSHAKE", None), ("server", "HANDSHAKE", (4, 4)),
        ("client", "HELLO", (4, 4)), ("server", "SUCCESS", (4, 4))]
    assert events[0].fields == ["4.4-4.2", "3.0"]


def test_refused_handshake_and_unproposed_version() -> None:
    cs = ClientHandshake([(4, 4)]).initial_bytes()
    events, conv = decode_all(cs, b"\x00\x00\x00\x00")
    assert conv.problems == []
    assert events[-1].fields == ["no common version"]
    events, conv = decode_all(cs, b"\x00\x00\x00\x05")
    assert [p.path for p in conv.problems] == ["HANDSHAKE"]
    assert "did not propose" in conv.problems[0].reason


def test_one_side_dumps_with_handshake() -> None:
    cs, ss, version = sample_conversation()
    events, conv = decode_all(cs, b"", side="client")
    assert conv.problems == [] and names(events, "client")[-1] == "PULL"
    events, conv = decode_all(b"", ss, side="server")
    assert conv.problems == [] and names(events, "server")[-1] == "SUCCESS"
    assert conv.notes  # the manifest choice is on the other side: the version is assumed


# ---- rendering -------------------------------------------------------------------------------


def test_render_text_and_json() -> None:
    cs, ss, version = sample_conversation()
    events, _ = decode_all(cs, ss)
    record = next(e for e in events if e.name == "RECORD")
    line = dump.render_text(record)
    assert line.split()[:3] == [str(record.offset), "server", "RECORD"]
    assert 'Node(id=0, labels=["Person"], properties={name: "Ada"}, element_id="4:db:0")' in line
    logon = next(e for e in events if e.name == "LOGON")
    assert "secret" not in dump.render_text(logon)
    assert "secret" not in json.dumps(dump.render_json(logon))
    assert "secret" in dump.render_text(logon, redact=False)
    obj = dump.render_json(record)
    assert obj["message"] == "RECORD" and obj["side"] == "server"
    assert obj["version"] == f"{version[0]}.{version[1]}"
    assert obj["fields"][0][0] == {"type": "Node", "fields": {
        "id": 0, "labels": ["Person"], "properties": {"name": "Ada"}, "element_id": "4:db:0"}}
    run = dump.render_json(next(e for e in events if e.name == "RUN"))
    assert run["fields"][1] == {"x": [1, 2.5, "three", "04"]}
    # Pre-5.0 nodes show their 3 wire fields only.
    old = dump.Event(0, "server", "message", (4, 4), "RECORD", [[Node(0, [], {})]])
    assert dump.render_text(old).endswith("RECORD [Node(id=0, labels=[], properties={})]")


def test_problem_str_and_path_format() -> None:
    assert str(dump.Problem(12, "RUN.extra", "bad")) == "12: RUN.extra: bad"
    assert dump.format_path(("RECORD", "data", "[3]", "Node", "properties"),
                            frozenset({"Node"})) == "RECORD.data[3].properties"
    assert dump.format_path(("RUN", "parameters", "a b", "[0]")) == 'RUN.parameters["a b"][0]'


# ---- bounds (issue #14): counters, elision, bounded queues -------------------------------------


def test_keep_problems_false_counts_and_hands_out_detached_problems() -> None:
    cs, ss, version = sample_conversation()
    bad = chunked(version, Run("X", {}, {}))[:3] + b"\xc4" + chunked(version, Run("X", {}, {}))[4:]
    conv = dump.Conversation(keep_problems=False)
    events = conv.feed("client", cs + bad * 3) + conv.feed("server", b"GET / HTTP/1.1")
    assert conv.problems == []
    attached = sum(len(e.problems) for e in events)
    detached = conv.take_problems()
    assert conv.take_problems() == []  # handed out once
    assert conv.problem_count == attached + len(detached) >= 1
    kept = dump.Conversation()
    kept_events = kept.feed("client", cs + bad * 3) + kept.feed("server", b"GET / HTTP/1.1")
    assert [str(p) for p in kept.problems] == [str(p) for e in kept_events for p in e.problems] + \
        [str(p) for p in detached]


def test_text_and_json_elide_long_values_unless_full() -> None:
    v = (5, 4)
    run = Run("UNWIND $rows AS r RETURN r", {"rows": [{}] * 100_000, "s": "é" * 1000,
                                             "b": b"\x02" * 500, "m": {f"k{i}": i for i in range(50)}}, {})
    conv = dump.Conversation(v, side="client")
    [event] = conv.feed("client", chunked(v, run))
    text = dump.render_text(event)
    assert len(text) < 3000
    assert "rows: [{}, {}, " in text and ", ... 100,000 items]" in text
    assert '"' + "é" * 200 + '"...(1,000 chars)' in text
    assert "bytes(" + "02" * 32 + "...(500 bytes))" in text
    assert "k19: 19, ... 50 entries}" in text
    full = dump.render_text(event, full=True)
    assert full.count("{}") == 100_000 + 1 and "k49: 49}" in full  # + the empty extra and "é" * 1000 in full
    obj = dump.render_json(event)
    assert len(json.dumps(obj)) < 5000
    params = obj["fields"][1]
    assert params["rows"][-1] == "... 100,000 items" and len(params["rows"]) == 21
    assert params["m"]["..."] == "50 entries"
    assert params["s"].endswith("...(1,000 chars)") and params["b"].endswith("...(500 bytes)")
    assert dump.render_json(event, full=True)["fields"][1]["rows"] == [{}] * 100_000


def test_unanswered_server_messages_are_bounded_not_queued_forever() -> None:
    cs, ss, version = sample_conversation()
    records = chunked(version, *[Record([i, "x" * 100]) for i in range(2000)])
    conv = dump.Conversation(max_queued_bytes=10_000)
    # The server's stream runs far ahead of a client stream that stalls after the handshake.
    events = conv.feed("client", cs[:25]) + conv.feed("server", ss + records)
    queued = conv.sides["server"].queued
    assert queued <= 10_000 + 200, queued
    problems = [str(p) for p in conv.problems]
    assert any("pairing: the server's stream runs more than 10000 bytes ahead" in p for p in problems)
    assert sum(e.name == "RECORD" for e in events) >= 1900


def test_manifest_damage_is_reported_with_the_shared_parsers_offsets() -> None:
    from asyncbolt.core.handshake import MANIFEST_V1, MAX_OFFERS, ClientHandshake, encode_varint
    opening = ClientHandshake([(5, 8, 8)], manifest=True).initial_bytes()
    events, conv = decode_all(opening, MANIFEST_V1 + encode_varint(MAX_OFFERS + 1))
    [problem] = conv.problems
    assert (problem.side, problem.offset, problem.path) == ("server", 4, "HANDSHAKE.offers")
    assert "manifest announces 1025 offers" in problem.reason
    # A malformed capability varint in the client's choice: at its offset in the client stream.
    ok = MANIFEST_V1 + encode_varint(1) + bytes((0, 8, 8, 5)) + encode_varint(0)
    events, conv = decode_all(opening + b"\x00\x00\x08\x05" + b"\xff" * 11, ok)
    [problem] = conv.problems
    assert (problem.side, problem.offset, problem.path) == ("client", 24, "HANDSHAKE.capabilities")


def test_the_package_keeps_the_modules_names_and_old_path() -> None:
    import importlib

    from asyncbolt.tools.dump import conversation, events, render
    old = importlib.import_module("asyncbolt.dump")
    assert old is dump and dump.Conversation is conversation.Conversation
    assert dump.Event is events.Event and dump.render_text is render.render_text
    for name in ("Problem", "format_path", "render_json", "CLIENT", "SERVER", "DEFAULT",
                 "make_codec", "MAX_MESSAGE_SIZE", "MAX_QUEUED_BYTES", "ELIDE_ITEMS", "_layout"):
        assert hasattr(dump, name), name
