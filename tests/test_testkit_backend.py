"""The testkit backend's own pieces (testkit_backend/): value conversion, error mapping, the
request framing and the parsing of unittest's output. No testkit run: ``make testkit`` does that."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math

import pytest

import asyncbolt
from asyncbolt._generated.structures import (
    Date,
    DateTime,
    DateTimeZoneId,
    Duration,
    LegacyDateTime,
    LocalDateTime,
    LocalTime,
    Node,
    Path,
    Point2D,
    Point3D,
    Relationship,
    Time,
    UnboundRelationship,
)
from asyncbolt.client.connection import RequestIgnored
from asyncbolt.client.driver import IncompleteCommit, ResultConsumedError
from asyncbolt.errors import (
    ClientError,
    ConfigurationError,
    Neo4jError,
    ServiceUnavailable,
    TransientError,
)
from testkit_backend.errors import driver_error, error_type
from testkit_backend.run import parse_unittest_output
from testkit_backend.server import Backend, serve
from testkit_backend.values import civil_from_days, days_from_civil, from_testkit, to_testkit


def tk(name, value):
    return {"name": name, "data": {"value": value}}


@pytest.mark.parametrize("value, expected", [
    (None, {"name": "CypherNull", "data": {"value": None}}),
    (True, tk("CypherBool", True)),
    (-(2 ** 63), tk("CypherInt", -(2 ** 63))),
    (1.5, tk("CypherFloat", 1.5)),
    (math.inf, tk("CypherFloat", "+Infinity")),
    (-math.inf, tk("CypherFloat", "-Infinity")),
    (math.nan, tk("CypherFloat", "NaN")),
    ("ünïcode", tk("CypherString", "ünïcode")),
    (b"\x00\x01\xff", tk("CypherBytes", "00 01 ff")),
    ([1, "a"], tk("CypherList", [tk("CypherInt", 1), tk("CypherString", "a")])),
    ({"k": [None]}, tk("CypherMap", {"k": tk("CypherList", [{"name": "CypherNull",
                                                             "data": {"value": None}}])})),
])
def test_plain_values_both_ways(value, expected):
    assert to_testkit(value) == expected
    back = from_testkit(expected)
    if isinstance(value, float) and math.isnan(value):
        assert math.isnan(back)
    else:
        assert back == value


@pytest.mark.parametrize("days", [-719_162 * 3, -719_162, -1, 0, 59, 10_957, 2_932_896, 10 ** 8])
def test_calendar_arithmetic_round_trips(days):
    y, m, d = civil_from_days(days)
    assert days_from_civil(y, m, d) == days
    assert 1 <= m <= 12 and 1 <= d <= 31


def test_calendar_matches_datetime_where_it_can():
    import datetime as dt
    for days in (-719_162, -1, 0, 19_000, 2_932_896):
        date = dt.date(1970, 1, 1) + dt.timedelta(days=days)
        assert civil_from_days(days) == (date.year, date.month, date.day)


def test_node_and_relationship():
    node = Node(7, ["A", "B"], {"x": 1}, "el7")
    assert to_testkit(node) == {"name": "Node", "data": {
        "id": tk("CypherInt", 7),
        "labels": tk("CypherList", [tk("CypherString", "A"), tk("CypherString", "B")]),
        "props": tk("CypherMap", {"x": tk("CypherInt", 1)}), "elementId": tk("CypherString", "el7")}}
    rel = Relationship(3, 1, 2, "KNOWS", {}, "r3", "n1", "n2")
    data = to_testkit(rel)["data"]
    assert data["startNodeId"] == tk("CypherInt", 1) and data["endNodeId"] == tk("CypherInt", 2)
    assert data["type"] == tk("CypherString", "KNOWS")
    assert data["startNodeElementId"] == tk("CypherString", "n1")


def test_path_follows_the_indices_in_both_directions():
    a, b, c = Node(1, [], {}, "a"), Node(2, [], {}, "b"), Node(3, [], {}, "c")
    r1 = UnboundRelationship(10, "X", {}, "r10")
    r2 = UnboundRelationship(11, "Y", {}, "r11")
    # a -[r1]-> b <-[r2]- c
    path = to_testkit(Path([a, b, c], [r1, r2], [1, 1, -2, 2]))
    nodes = path["data"]["nodes"]["data"]["value"]
    rels = path["data"]["relationships"]["data"]["value"]
    def ends(rel):
        return rel["data"]["startNodeId"], rel["data"]["endNodeId"]

    assert [n["data"]["id"] for n in nodes] == [tk("CypherInt", i) for i in (1, 2, 3)]
    assert ends(rels[0]) == (tk("CypherInt", 1), tk("CypherInt", 2))
    assert ends(rels[1]) == (tk("CypherInt", 3), tk("CypherInt", 2))
    assert rels[1]["data"]["endNodeElementId"] == tk("CypherString", "b")


def test_points():
    assert to_testkit(Point2D(4326, 1.0, 2.0))["data"] == {"system": "wgs84", "x": 1.0, "y": 2.0,
                                                           "z": None}
    p3 = {"name": "CypherPoint", "data": {"system": "cartesian", "x": 1, "y": 2, "z": 3}}
    assert from_testkit(p3) == Point3D(9157, 1.0, 2.0, 3.0)
    assert to_testkit(from_testkit(p3)) == {"name": "CypherPoint", "data": {
        "system": "cartesian", "x": 1.0, "y": 2.0, "z": 3.0}}


def _dt(**kw):
    base = {"year": 2024, "month": 2, "day": 29, "hour": 23, "minute": 59, "second": 58,
            "nanosecond": 123_456_789}
    return {"name": "CypherDateTime", "data": {**base, **kw}}


def test_temporal_values_both_ways():
    cases = [
        {"name": "CypherDate", "data": {"year": -9999, "month": 1, "day": 1}},
        {"name": "CypherDate", "data": {"year": 999_999, "month": 12, "day": 31}},
        {"name": "CypherTime", "data": {"hour": 1, "minute": 2, "second": 3, "nanosecond": 4}},
        {"name": "CypherTime", "data": {"hour": 1, "minute": 2, "second": 3, "nanosecond": 4,
                                        "utc_offset_s": -3600}},
        _dt(),
        _dt(utc_offset_s=3600),
        _dt(utc_offset_s=3600, timezone_id="Europe/Stockholm"),
        {"name": "CypherDuration", "data": {"months": 1, "days": -2, "seconds": 3,
                                            "nanoseconds": 4}},
    ]
    for case in cases:
        assert to_testkit(from_testkit(case)) == case, case


def test_temporal_structure_types():
    assert isinstance(from_testkit(_dt()), LocalDateTime)
    aware = from_testkit(_dt(utc_offset_s=3600))
    assert isinstance(aware, DateTime)
    # DateTime carries UTC seconds: 23:59:58 at +01:00 is 22:59:58 UTC
    assert aware.seconds % 86_400 == 22 * 3600 + 59 * 60 + 58
    assert isinstance(from_testkit(_dt(utc_offset_s=3600, timezone_id="Europe/Stockholm")),
                      DateTimeZoneId)
    # Bolt < 5 (no UTC patch) sends local seconds: the same wall clock comes out
    legacy = LegacyDateTime(days_from_civil(2024, 2, 29) * 86_400 + 23 * 3600 + 59 * 60 + 58,
                            123_456_789, 3600)
    assert to_testkit(legacy) == _dt(utc_offset_s=3600)
    assert to_testkit(Date(0))["data"] == {"year": 1970, "month": 1, "day": 1}
    assert to_testkit(LocalTime(0))["data"] == {"hour": 0, "minute": 0, "second": 0,
                                                "nanosecond": 0}
    assert to_testkit(Time(60 * 10 ** 9, 0))["data"]["utc_offset_s"] == 0
    assert to_testkit(Duration(0, 0, 0, 0))["name"] == "CypherDuration"


def test_unknown_values_are_refused():
    with pytest.raises(ValueError):
        to_testkit(object())
    with pytest.raises(ValueError):
        from_testkit({"name": "CypherVector", "data": {}})


# -- errors ---------------------------------------------------------------------------------

def _cls(name):
    return f"<class 'neo4j.exceptions.{name}'>"


@pytest.mark.parametrize("exc, expected", [
    (ClientError("Neo.ClientError.Statement.SyntaxError", "bad"), _cls("CypherSyntaxError")),
    (ClientError("Neo.ClientError.Statement.TypeError", "bad"), _cls("CypherTypeError")),
    (ClientError("Neo.ClientError.Security.Unauthorized", "no"), _cls("AuthError")),
    (ConfigurationError("Neo.ClientError.Request.Invalid", "imp_user ('x') needs Bolt 4.4+"),
     _cls("ConfigurationError")),
    (ClientError("Neo.ClientError.Security.TokenExpired", "old"), _cls("TokenExpired")),
    (ClientError("Neo.ClientError.Security.AuthorizationExpired", "old"), _cls("TransientError")),
    (ClientError("Neo.ClientError.Security.Forbidden", "no"), _cls("Forbidden")),
    (ClientError("Neo.ClientError.Cluster.NotALeader", "no"), _cls("NotALeader")),
    (ClientError("Neo.ClientError.Made.Up", "x"), _cls("ClientError")),
    (Neo4jError.from_metadata({"code": "Neo.TransientError.Transaction.Terminated"}),
     _cls("ClientError")),
    (TransientError("Neo.TransientError.Transaction.DeadlockDetected", "x"), _cls("TransientError")),
    (Neo4jError.from_metadata({"code": "Neo.DatabaseError.General.UnknownError"}),
     _cls("DatabaseError")),
    (ClientError("Neo.ClientError.Statement.ResultNotSingle", "two"), _cls("ResultNotSingleError")),
    (ServiceUnavailable("gone"), _cls("ServiceUnavailable")),
    (IncompleteCommit("maybe"), _cls("IncompleteCommit")),
    (ResultConsumedError("closed"), _cls("ResultConsumedError")),
    (ClientError("Neo.ClientError.Transaction.TransactionTerminated", "failed earlier"),
     _cls("TransactionError")),
    (Neo4jError.from_metadata({"code": "Neo.ClientError.Transaction.TransactionNotFound"}),
     _cls("ClientError")),
    (ValueError("x"), "<class 'ValueError'>"),
])
def test_error_types(exc, expected):
    assert error_type(exc) == expected


def test_driver_error_payload():
    exc = TransientError("Neo.TransientError.Transaction.DeadlockDetected", "deadlock")
    data = driver_error(exc, "5")["data"]
    assert {k: data[k] for k in ("id", "errorType", "msg", "code", "retryable")} == {
        "id": "5", "errorType": _cls("TransientError"), "msg": "deadlock",
        "code": "Neo.TransientError.Transaction.DeadlockDetected", "retryable": True}
    # no GQL status from the server (before Bolt 5.7): asyncbolt's defaults
    assert data["gqlStatus"] == "50N42" and data["classification"] == "UNKNOWN"
    assert data["diagnosticRecord"]["OPERATION_CODE"] == tk("CypherString", "0")
    terminated = Neo4jError.from_metadata({"code": "Neo.TransientError.Transaction.Terminated",
                                           "message": "t"})
    data = driver_error(terminated)["data"]
    assert data["code"] == "Neo.ClientError.Transaction.Terminated" and data["retryable"] is False
    assert "code" not in driver_error(ServiceUnavailable("x"))["data"]


def test_expired_authorization_is_retryable_and_an_expired_token_is_not():
    # testkit's AuthorizationExpiredTreatment: the official driver raises AuthorizationExpired
    # as a (retryable) TransientError with the server's code; TokenExpired is final
    expired = Neo4jError.from_metadata({"code": "Neo.ClientError.Security.AuthorizationExpired",
                                        "message": "Authorization expired"})
    data = driver_error(expired)["data"]
    assert (data["errorType"], data["code"], data["retryable"]) == (
        _cls("TransientError"), "Neo.ClientError.Security.AuthorizationExpired", True)
    token = Neo4jError.from_metadata({"code": "Neo.ClientError.Security.TokenExpired",
                                      "message": "Token expired"})
    data = driver_error(token)["data"]
    assert (data["errorType"], data["retryable"]) == (_cls("TokenExpired"), False)


def test_custom_auth_tokens_keep_their_parameters():
    from testkit_backend.server import _auth

    # testkit sends a custom scheme's parameters as plain JSON values
    token = _auth({"name": "AuthorizationToken", "data": {
        "scheme": "wild-scheme", "principal": "I See Something", "credentials": "You Don't See!",
        "realm": "And it's blue.", "parameters": {"sky?": "no", "my eyes": 0.1, "da?": True}}})
    assert token == {"scheme": "wild-scheme", "principal": "I See Something",
                     "credentials": "You Don't See!", "realm": "And it's blue.",
                     "parameters": {"sky?": "no", "my eyes": 0.1, "da?": True}}
    token = _auth({"name": "AuthorizationToken", "data": {
        "scheme": "x", "parameters": {"n": tk("CypherInt", 1)}}})
    assert token == {"scheme": "x", "parameters": {"n": 1}}
    assert _auth({"name": "AuthorizationToken", "data": {
        "scheme": "bearer", "credentials": "t"}}) == {"scheme": "bearer", "credentials": "t"}
    assert _auth({"name": "AuthorizationToken", "data": {
        "scheme": "kerberos", "credentials": "t"}})["credentials"] == "t"


def test_stub_scripts_are_written_to_a_folder_of_the_run(tmp_path):
    # testkit writes each stub script (variables filled in) to tempfile.gettempdir() under its
    # own name: runs side by side (in separate network namespaces) must not share that folder
    from testkit_backend.run import _tmpdir

    path = _tmpdir(tmp_path / "build")
    assert path.is_dir() and path.parent == tmp_path / "build"
    assert _tmpdir(tmp_path / "build") == path


def test_gql_fields_and_cause():
    exc = Neo4jError.from_metadata({
        "neo4j_code": "Neo.ClientError.Statement.SyntaxError", "message": "m",
        "gql_status": "42001", "description": "d",
        "diagnostic_record": {"_classification": "CLIENT_ERROR", "OPERATION": "x"},
        "cause": {"message": "c", "gql_status": "22N01", "description": "cd",
                  "diagnostic_record": {"_classification": "SECURITY_ERROR"}}})
    data = driver_error(exc)["data"]
    assert (data["gqlStatus"], data["statusDescription"]) == ("42001", "d")
    assert (data["classification"], data["rawClassification"]) == ("CLIENT_ERROR", "CLIENT_ERROR")
    assert data["diagnosticRecord"]["OPERATION"] == tk("CypherString", "x")
    assert data["diagnosticRecord"]["CURRENT_SCHEMA"] == tk("CypherString", "/")
    cause = data["cause"]
    assert cause["name"] == "GqlError" and cause["data"]["msg"] == "c"
    assert cause["data"]["classification"] == "UNKNOWN"
    assert cause["data"]["rawClassification"] == "SECURITY_ERROR"


def test_ignored_requests_report_their_cause():
    cause = ClientError("Neo.ClientError.Statement.SyntaxError", "bad")
    ignored = RequestIgnored("ignored")
    ignored.__cause__ = cause
    data = driver_error(ignored)["data"]
    assert data["errorType"] == _cls("CypherSyntaxError") and data["msg"] == "bad"


async def test_backend_answers_unknown_and_unsupported_requests():
    backend = Backend()
    assert (await backend.handle({"name": "NoSuchRequest", "data": {}}))["name"] == "BackendError"
    features = await backend.handle({"name": "GetFeatures", "data": {}})
    assert "Feature:API:Driver.ExecuteQuery:WithAuth" in features["data"]["features"]
    assert "Feature:API:SSLClientCertificate" in features["data"]["features"]
    answer = await backend.handle({"name": "NewDriver", "data": {
        "uri": "bolt://127.0.0.1:1", "authorizationToken": {
            "name": "AuthorizationToken",
            "data": {"scheme": "basic", "principal": "u", "credentials": "p"}}}})
    assert answer["name"] == "Driver"
    await backend.drivers[answer["data"]["id"]].close()


async def test_start_test_runs_every_test_asyncbolt_has_the_api_for():
    backend = Backend()
    skip = await backend.handle({"name": "StartTest", "data": {
        "testName": "stub.summary.test_summary.TestSummaryGqlStatusObjects5x6.test_success"}})
    assert skip == {"name": "RunTest", "data": {}}  # (nothing is skipped by name any more)
    for name in ("stub.summary.test_summary.TestSummaryBasicInfo.test_database",
                 "stub.notifications_config.test_notification_mapping.TestNotificationMapping"
                 ".test_mapping",
                 "stub.driver_parameters.test_liveness_check.TestLivenessCheck.test_timeout",
                 "stub.driver_parameters.test_liveness_check.TestLivenessCheckRouting"
                 ".test_timeout_with_re_auth"):
        run = await backend.handle({"name": "StartTest", "data": {"testName": name}})
        assert run == {"name": "RunTest", "data": {}}


@contextlib.asynccontextmanager
async def _backend():
    """The backend serving on a free port of 127.0.0.1, and a connection to it."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    task = asyncio.create_task(serve("127.0.0.1", port))
    try:
        for _ in range(100):
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                break
            except OSError:
                await asyncio.sleep(0.02)
        else:
            pytest.fail("the backend did not listen")
        yield reader, writer
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_framing_over_loopback():
    async with _backend() as (reader, writer):
        writer.write(b'#request begin\n{"name": "StartTest",\n"data": {"testName": "x"}}\n'
                     b'#request end\n')
        lines = [(await reader.readline()).decode().strip() for _ in range(3)]
        assert lines[0] == "#response begin" and lines[2] == "#response end"
        assert json.loads(lines[1]) == {"name": "RunTest", "data": {}}
        writer.close()


async def test_work_stops_when_testkit_leaves(monkeypatch):
    # testkit gives up on an answer after 10 s and closes the connection: a transaction
    # function still retrying must stop then, not go on into the next test's stub servers
    import testkit_backend.server as server_module

    started, cancelled = asyncio.Event(), asyncio.Event()

    async def never_answers(self, data):
        started.set()
        try:
            await asyncio.Event().wait()
        finally:
            cancelled.set()

    monkeypatch.setattr(server_module.Backend, "on_StartTest", never_answers)
    async with _backend() as (reader, writer):
        writer.write(b'#request begin\n{"name": "StartTest", "data": {"testName": "x"}}\n'
                     b'#request end\n')
        await asyncio.wait_for(started.wait(), 5)
        writer.close()
        await asyncio.wait_for(cancelled.wait(), 5)


async def test_a_request_sent_early_is_answered_after_the_one_before():
    # the connection is watched while a request is handled; a line that arrives meanwhile is
    # the next request's, kept for it
    async with _backend() as (reader, writer):
        writer.write(b'#request begin\n{"name": "StartTest", "data": {"testName": "x"}}\n'
                     b'#request end\n#request begin\n{"name": "GetFeatures", "data": {}}\n'
                     b'#request end\n')
        answers = []
        for _ in range(2):
            lines = [(await reader.readline()).decode().strip() for _ in range(3)]
            answers.append(json.loads(lines[1])["name"])
        assert answers == ["RunTest", "FeatureList"]
        writer.close()


def test_parse_unittest_output():
    text = "\n".join([
        "test_a (tests.stub.x.m.C.test_a) ... ok",
        "test_b (tests.stub.x.m.C.test_b) ... skipped 'needs Feature:X'",
        "test_c (tests.stub.x.m.C.test_c) ... ",
        "some log line",
        "FAIL",
        "test_d (tests.stub.x.m.C) ... ERROR",
        "test_a (tests.stub.x.m.C.test_a) ... ok",
        "test_e (tests.stub.x.m.C.test_e) ... ok",
        "test_f (tests.stub.x.m.C.test_f) ... ",
        "  test_f (tests.stub.x.m.C.test_f) (a=1) ... FAIL",
        "======",
        "FAIL: test_e (tests.stub.x.m.C.test_e) [subtest]",
    ])
    outcomes, runs = parse_unittest_output(text)
    assert runs == 7
    assert outcomes == {
        "tests.stub.x.m.C.test_a": ("passed", ""),
        "tests.stub.x.m.C.test_b": ("skipped", "needs Feature:X"),
        "tests.stub.x.m.C.test_c": ("failed", ""),
        "tests.stub.x.m.C.test_d": ("failed", ""),
        "tests.stub.x.m.C.test_e": ("failed", "FAIL"),
        "tests.stub.x.m.C.test_f": ("failed", ""),
    }


def test_backend_is_not_packaged():
    """pyproject's package discovery takes asyncbolt* only: not testkit_backend (nor tests/)."""
    from pathlib import Path

    import setuptools

    root = Path(__file__).resolve().parent.parent
    text = (root / "pyproject.toml").read_text()
    assert 'include = ["asyncbolt*"]' in text
    found = setuptools.find_packages(str(root), include=["asyncbolt*"])
    assert "asyncbolt" in found and not any(p.startswith("testkit_backend") for p in found)


def test_tabulate_area_counts_only_what_asyncbolt_can_run():
    from testkit_backend.run import format_table, tabulate_area

    official = {"a.t1", "a.t2", "a.t3", "a.t4"}
    outcomes = {"a.t1": ("passed", ""), "a.t2": ("failed", ""),
                "a.t3": ("skipped", "Needs support for Feature.AUTH_MANAGED"),
                "a.t4": ("skipped", "the stub script says so"), "a.t5": ("passed", "")}
    row = tabulate_area("a", outcomes, official)
    # t3 is skipped for a feature asyncbolt lacks: not runnable; t4 is skipped for another
    # reason: runnable and missed.
    assert (row["passed"], row["skipped"], row["failed"]) == (2, 2, 1)
    assert (row["official"], row["runnable"], row["ours"]) == (4, 3, 1)
    assert row["missed"] == ["a.t2", "a.t4"]
    table = format_table([row]).splitlines()
    assert table[-2].split() == ["a", "2", "2", "1", "0", "0", "4", "3", "1"]
    assert table[-1].split()[0] == "total"


async def test_resolvers_ask_testkit_in_the_middle_of_a_request():
    # testkit's resolver functions: the backend answers ResolverResolutionRequired (then
    # DomainNameResolutionRequired per address) instead of the request's own response, reads
    # the answers as the next requests, and the driver goes on with those addresses.
    async with _backend() as (reader, writer):

        async def send(name: str, data: dict) -> None:
            writer.write(f"#request begin\n{json.dumps({'name': name, 'data': data})}\n"
                         "#request end\n".encode())
            await writer.drain()

        async def receive() -> dict:
            lines = [(await reader.readline()).decode().strip() for _ in range(3)]
            assert lines[0] == "#response begin" and lines[2] == "#response end"
            return json.loads(lines[1])

        await send("NewDriver", {"uri": "neo4j://cluster.invalid:7687", "authorizationToken": None,
                                 "resolverRegistered": True, "domainNameResolverRegistered": True,
                                 "connectionTimeoutMs": 1000})
        driver = await receive()
        assert driver["name"] == "Driver"
        await send("VerifyConnectivity", {"driverId": driver["data"]["id"]})
        ask = await receive()
        assert ask["name"] == "ResolverResolutionRequired"
        assert ask["data"]["address"] == "cluster.invalid:7687"
        await send("ResolverResolutionCompleted", {"requestId": ask["data"]["id"],
                                                   "addresses": ["router.invalid:1"]})
        ask = await receive()
        assert ask == {"name": "DomainNameResolutionRequired",
                       "data": {"id": ask["data"]["id"], "name": "router.invalid"}}
        await send("DomainNameResolutionCompleted", {"requestId": ask["data"]["id"],
                                                     "addresses": ["127.0.0.1"]})
        error = await receive()  # nothing listens on 127.0.0.1:1: the resolved address was tried
        assert error["name"] == "DriverError" and "127.0.0.1:1" in error["data"]["msg"]
        writer.close()


async def test_execute_query_with_testkit_bookmark_managers():
    # ExecuteQuery answers an EagerResult; a NewBookmarkManager's supplier and consumer are
    # testkit's callbacks (asked in the middle of the request), -1 disables bookmarks.
    from .sessions import EchoSession, Recorder

    class Marking(EchoSession):
        async def commit(self) -> dict:
            return {"bookmark": "bm:new"}

    recorder = Recorder()
    async with await asyncbolt.serve(Marking, "127.0.0.1", 0, recorder=recorder) as srv:
        backend = Backend()
        asked: list[dict] = []

        async def ask(response: dict) -> dict:
            asked.append(response)
            key = response["data"]["id"]
            if response["name"] == "BookmarksSupplierRequest":
                return {"name": "BookmarksSupplierCompleted",
                        "data": {"requestId": key, "bookmarks": ["bm:supplied"]}}
            return {"name": "BookmarksConsumerCompleted", "data": {"requestId": key}}

        backend.ask = ask
        driver = await backend.handle({"name": "NewDriver", "data": {
            "uri": f"bolt://127.0.0.1:{srv.port}", "authorizationToken": None}})
        driver_id = driver["data"]["id"]
        manager = await backend.handle({"name": "NewBookmarkManager", "data": {
            "initialBookmarks": ["bm:0"], "bookmarksSupplierRegistered": True,
            "bookmarksConsumerRegistered": True}})
        assert manager["name"] == "BookmarkManager"
        eager = await backend.handle({"name": "ExecuteQuery", "data": {
            "driverId": driver_id, "cypher": "ECHO", "params": {"x": {"name": "CypherInt", "data": {"value": 1}}},
            "config": {"routing": "r", "database": "neo4j", "txMeta": None, "timeout": 1500,
                       "bookmarkManagerId": manager["data"]["id"]}}})
        assert eager["name"] == "EagerResult", eager
        assert eager["data"]["keys"] == ["x"]
        assert eager["data"]["records"] == [{"values": [{"name": "CypherInt", "data": {"value": 1}}]}]
        assert eager["data"]["summary"]["query"]["text"] == "ECHO"
        begin = [c for c in recorder.calls if c[0] == "begin"][-1][1]
        assert begin["bookmarks"] == ["bm:0", "bm:supplied"] and begin["tx_timeout"] == 1500
        assert begin["mode"] == "r"
        assert [a["name"] for a in asked] == ["BookmarksSupplierRequest", "BookmarksConsumerRequest"]
        assert asked[1]["data"]["bookmarks"] == ["bm:new"]
        await backend.handle({"name": "ExecuteQuery", "data": {
            "driverId": driver_id, "cypher": "ECHO", "params": {},
            "config": {"bookmarkManagerId": -1}}})
        assert "bookmarks" not in [c for c in recorder.calls if c[0] == "begin"][-1][1]
        as_other = await backend.handle({"name": "ExecuteQuery", "data": {
            "driverId": driver_id, "cypher": "ECHO", "params": {},
            "config": {"authorizationToken": {"name": "AuthorizationToken", "data": {
                "scheme": "basic", "principal": "other-user", "credentials": "pw"}}}}})
        assert as_other["name"] == "EagerResult"  # (issue #18: execute_query(auth_=))
        assert [c for c in recorder.calls if c[0] == "auth"][-1] == ("auth", "basic", "other-user")
        closed = await backend.handle({"name": "BookmarkManagerClose", "data": {"id": manager["data"]["id"]}})
        assert closed["name"] == "BookmarkManager" and not backend.bookmark_managers
        await backend.drivers[driver_id].close()


async def test_auth_token_managers_ask_testkit():
    # NewAuthTokenManager/NewBearerAuthTokenManager: their functions are testkit's callbacks
    from asyncbolt.errors import ClientError as _ClientError

    backend = Backend()
    asked: list[dict] = []

    async def ask(response: dict) -> dict:
        asked.append(response)
        key = response["data"]["id"]
        token = {"name": "AuthorizationToken",
                 "data": {"scheme": "basic", "principal": "u", "credentials": "p"}}
        answers = {
            "AuthTokenManagerGetAuthRequest": ("AuthTokenManagerGetAuthCompleted", {"auth": token}),
            "AuthTokenManagerHandleSecurityExceptionRequest": (
                "AuthTokenManagerHandleSecurityExceptionCompleted", {"handled": True}),
            "BearerAuthTokenProviderRequest": ("BearerAuthTokenProviderCompleted", {"auth": {
                "name": "AuthTokenAndExpiration", "data": {"auth": token, "expiresInMs": 60000}}}),
        }
        name, data = answers[response["name"]]
        return {"name": name, "data": {"requestId": key, **data}}

    backend.ask = ask
    made = await backend.handle({"name": "NewAuthTokenManager", "data": {}})
    manager = backend.auth_managers[made["data"]["id"]]
    assert await manager.get_auth() == {"scheme": "basic", "principal": "u", "credentials": "p"}
    error = _ClientError("Neo.ClientError.Security.TokenExpired", "expired")
    assert await manager.handle_security_exception({"scheme": "basic", "principal": "u",
                                                    "credentials": "p"}, error) is True
    told = asked[-1]["data"]
    assert told["errorCode"] == "Neo.ClientError.Security.TokenExpired"
    assert told["auth"] == {"name": "AuthorizationToken",
                            "data": {"scheme": "basic", "principal": "u", "credentials": "p"}}
    bearer = await backend.handle({"name": "NewBearerAuthTokenManager", "data": {}})
    assert bearer["name"] == "BearerAuthTokenManager"
    assert (await backend.auth_managers[bearer["data"]["id"]].get_auth())["principal"] == "u"
    closed = await backend.handle({"name": "AuthTokenManagerClose", "data": {"id": made["data"]["id"]}})
    assert closed == {"name": "AuthTokenManager", "data": {"id": made["data"]["id"]}}
    assert list(backend.auth_managers) == [bearer["data"]["id"]]
