"""Notifications (issue 18): the filters of drivers, sessions and execute_query on the wire
(none before Bolt 5.2, ``..._categories`` on 5.2-5.4, ``..._classifications`` from 5.5), the
client-side filtering before 5.2, the typed forms (SummaryNotification, GqlStatusObject, with
the polyfill of servers before GQL), the ``asyncbolt.notifications`` logger and the
``warn_notification_severity`` warnings; against scripted servers on loopback."""

from __future__ import annotations

import logging
import warnings
from typing import Any

import pytest

import asyncbolt
from asyncbolt.client.notifications import (
    GqlStatusObject,
    NotificationClassification,
    NotificationFilters,
    NotificationMinimumSeverity,
    NotificationSeverity,
    SummaryInputPosition,
)
from asyncbolt.codec.messages import Record, Success
from asyncbolt.errors import NotificationDeprecationWarning, NotificationWarning

from .test_client_odd_servers import FakeServer, Peer, driver_for

POSITION = {"offset": 7, "line": 1, "column": 8}
WARN_HINT = {"code": "Neo.ClientNotification.Statement.CartesianProduct", "title": "cartesian",
             "description": "a cartesian product", "severity": "WARNING", "category": "HINT",
             "position": POSITION}
INFO_PERF = {"code": "Neo.ClientNotification.Statement.EagerOperator", "title": "eager",
             "description": "an eager operator", "severity": "INFORMATION",
             "category": "PERFORMANCE"}
WARN_DEPRECATION = {"code": "Neo.ClientNotification.Statement.FeatureDeprecationWarning",
                    "title": "deprecated", "description": "this is deprecated",
                    "severity": "WARNING", "category": "DEPRECATION"}
NOTIFICATIONS = [WARN_HINT, INFO_PERF, WARN_DEPRECATION]

FILTER_KEYS = ("notifications_minimum_severity", "notifications_disabled_categories",
               "notifications_disabled_classifications")


def answering(version: tuple[int, int], summary: dict[str, Any], rows: list[list] | None = None,
              fields: list[str] | None = None) -> Any:
    """A server script: accept ``version``, then answer every request (RUN with ``fields``,
    PULL with ``rows`` and ``summary``) until the client leaves; what arrived is in
    ``peer.messages``."""
    rows = [[1]] if rows is None else rows
    fields = ["n"] if fields is None else fields

    async def script(peer: Peer) -> None:
        await peer.accept(version)
        while True:
            message = await peer.recv(10)
            name = message.name
            if name == "GOODBYE":
                return
            if name in ("HELLO", "LOGON", "INIT"):
                await peer.send(Success({"server": "Neo4j/5.26.0", "connection_id": "b-1"}))
            elif name == "RUN":
                await peer.send(Success({"fields": fields}))
            elif name in ("PULL", "PULL_ALL", "DISCARD", "DISCARD_ALL"):
                records = [] if name.startswith("DISCARD") else [Record(r) for r in rows]
                await peer.send(*records, Success({"type": "r", **summary}))
            elif name == "COMMIT":
                await peer.send(Success({"bookmark": "bm:1"}))
            else:  # BEGIN, RESET, ROLLBACK, TELEMETRY
                await peer.send(Success({}))
    return script


def sent(server: FakeServer, name: str) -> list[dict[str, Any]]:
    """The filter keys of each ``name`` request the server got (HELLO, RUN or BEGIN)."""
    out = []
    for peer in server.peers:
        for message in peer.messages:
            if message.name == name:
                extra = dict(getattr(message, "extra", None) or {})
                out.append({k: v for k, v in extra.items() if k in FILTER_KEYS})
    return out


async def summary_from(version: tuple[int, int], meta: dict[str, Any], *, rows: Any = None,
                       fields: Any = None, driver: dict[str, Any] | None = None,
                       session: dict[str, Any] | None = None) -> Any:
    async with FakeServer(answering(version, meta, rows, fields)) as server:
        async with driver_for(server, versions=[version], **(driver or {})) as drv:
            async with drv.session(**(session or {})) as s:
                result = await s.run("MATCH (a), (b) RETURN a")
                await result.fetch(1)
                return await result.consume()


# -- the filters on the wire ----------------------------------------------------------------

@pytest.mark.parametrize(("version", "disabled_key"), [
    ((5, 1), None),
    ((4, 4), None),
    ((5, 2), "notifications_disabled_categories"),
    ((5, 4), "notifications_disabled_categories"),
    ((5, 5), "notifications_disabled_classifications"),
    ((5, 6), "notifications_disabled_classifications"),
])
async def test_filters_go_in_hello_and_run_and_begin_under_the_key_of_the_version(
        version: tuple[int, int], disabled_key: str | None) -> None:
    async with FakeServer(answering(version, {})) as server:
        async with driver_for(server, versions=[version], notifications_min_severity="WARNING",
                              notifications_disabled_classifications=["HINT"]) as driver:
            async with driver.session(notifications_min_severity="INFORMATION",
                                      notifications_disabled_categories=["GENERIC"]) as session:
                await (await session.run("RETURN 1 AS n")).consume()
                async with await session.begin_transaction() as tx:
                    await (await tx.run("RETURN 1 AS n")).consume()
            async with driver.session() as plain:  # no filters of its own: none in RUN
                await (await plain.run("RETURN 1 AS n")).consume()
    hello, = sent(server, "HELLO")
    runs = sent(server, "RUN")
    begins = sent(server, "BEGIN")
    if disabled_key is None:
        assert hello == {} and runs == [{}, {}, {}] and begins == [{}]
        return
    assert hello == {"notifications_minimum_severity": "WARNING", disabled_key: ["HINT"]}
    session_keys = {"notifications_minimum_severity": "INFORMATION", disabled_key: ["GENERIC"]}
    assert runs == [session_keys, {}, {}]  # (the transaction's RUN carries none)
    assert begins == [session_keys]


async def test_enums_and_empty_lists_go_as_their_values() -> None:
    version = (5, 2)
    async with FakeServer(answering(version, {})) as server:
        async with driver_for(server, versions=[version],
                              notifications_min_severity=NotificationMinimumSeverity.OFF,
                              notifications_disabled_classifications=[]) as driver:
            await driver.execute_query(
                "RETURN 1 AS n", notifications_disabled_classifications_=[
                    NotificationClassification.DEPRECATION, "SECURITY"])
    assert sent(server, "HELLO") == [{"notifications_minimum_severity": "OFF",
                                      "notifications_disabled_categories": []}]
    assert sent(server, "BEGIN") == [{"notifications_disabled_categories": ["DEPRECATION",
                                                                             "SECURITY"]}]


def test_bad_filter_values_are_refused_saying_what_is_allowed() -> None:
    with pytest.raises(ValueError, match="OFF, WARNING, INFORMATION"):
        asyncbolt.Driver("bolt://127.0.0.1:1", notifications_min_severity="LOUD")
    with pytest.raises(ValueError, match="must be a list of classifications"):
        asyncbolt.Driver("bolt://127.0.0.1:1", notifications_disabled_classifications="HINT")
    with pytest.raises(ValueError, match="warn_notification_severity"):
        asyncbolt.Driver("bolt://127.0.0.1:1", warn_notification_severity="ALL")
    driver = asyncbolt.Driver("bolt://127.0.0.1:1")
    with pytest.raises(ValueError, match="as strings"):
        driver.session(notifications_disabled_categories=[1])


def test_categories_and_classifications_together_are_their_union() -> None:
    filters = NotificationFilters.of(None, ["HINT", "GENERIC"], ["GENERIC", "SCHEMA"])
    assert filters.disabled == ("GENERIC", "SCHEMA", "HINT")


# -- client-side filtering before 5.2 -------------------------------------------------------

@pytest.mark.parametrize("version", [(3, 0), (4, 4), (5, 1)])
async def test_servers_before_5_2_are_filtered_by_the_client(version: tuple[int, int]) -> None:
    meta = {"notifications": NOTIFICATIONS}
    driver = {"notifications_min_severity": "WARNING",
              "notifications_disabled_classifications": ["DEPRECATION"]}
    summary = await summary_from(version, meta, driver=driver)
    assert summary.notifications == [WARN_HINT]
    # the session's filters override the driver's, key by key
    summary = await summary_from(version, meta, driver=driver,
                                 session={"notifications_min_severity": "INFORMATION"})
    assert summary.notifications == [WARN_HINT, INFO_PERF]
    summary = await summary_from(version, meta, driver=driver,
                                 session={"notifications_min_severity": "OFF"})
    assert summary.notifications == [] and summary.gql_status_objects[0].gql_status == "00000"
    # no filters: all of them, as sent
    assert (await summary_from(version, meta)).notifications == NOTIFICATIONS


async def test_servers_from_5_2_filter_themselves() -> None:
    # what such a server sends is what it kept: the client does not filter again
    summary = await summary_from((5, 2), {"notifications": NOTIFICATIONS},
                                 driver={"notifications_min_severity": "WARNING"})
    assert summary.notifications == NOTIFICATIONS


async def test_filters_on_a_plain_connection_before_5_2() -> None:
    async with FakeServer(answering((4, 4), {"notifications": NOTIFICATIONS})) as server:
        async with asyncbolt.connect(server.uri, versions=[(4, 4)], timeout=3,
                                     notifications_disabled_classifications=["HINT"]) as conn:
            summary = await (await conn.run("RETURN 1 AS n")).consume()
    assert summary.notifications == [INFO_PERF, WARN_DEPRECATION]


# -- typed notifications and GQL status objects ---------------------------------------------

async def test_summary_notifications_are_parsed() -> None:
    odd = {"severity": "LOUD", "category": "MADE_UP", "code": "X", "position": {"line": 1}}
    summary = await summary_from((4, 4), {"notifications": [WARN_HINT, odd]})
    hint, other = summary.summary_notifications
    assert hint.severity_level is NotificationSeverity.WARNING
    assert hint.category is NotificationClassification.HINT
    assert (hint.code, hint.title, hint.description) == (WARN_HINT["code"], "cartesian",
                                                         "a cartesian product")
    assert hint.position == SummaryInputPosition(line=1, column=8, offset=7)
    assert other.severity_level is NotificationSeverity.UNKNOWN
    assert (other.raw_severity_level, other.raw_category) == ("LOUD", "MADE_UP")
    assert other.category is NotificationClassification.UNKNOWN and other.position is None
    assert summary.notifications == [WARN_HINT, odd]  # (the raw maps stay as sent)


@pytest.mark.parametrize(("rows", "fields", "outcome"), [
    ([[1]], ["n"], "00000"),
    ([], ["n"], "02000"),
    ([], [], "00001"),
])
async def test_status_objects_are_polyfilled_before_gql(rows: list, fields: list,
                                                        outcome: str) -> None:
    summary = await summary_from((4, 4), {"notifications": [INFO_PERF, WARN_HINT]},
                                 rows=rows, fields=fields)
    statuses = summary.gql_status_objects
    order = [s.gql_status for s in statuses]
    if outcome == "02000":  # no data first, then warnings, success, informational
        assert order == ["02000", "01N42", "03N42"]
    else:
        assert order == ["01N42", outcome, "03N42"]
    end = next(s for s in statuses if s.gql_status == outcome)
    assert not end.is_notification and end.position is None and end.raw_severity is None
    assert end.diagnostic_record == {"OPERATION": "", "OPERATION_CODE": "0", "CURRENT_SCHEMA": "/"}
    warning = statuses[order.index("01N42")]
    assert warning.is_notification and warning.status_description == "a cartesian product"
    assert warning.severity is NotificationSeverity.WARNING and warning.raw_severity == "WARNING"
    assert warning.classification is NotificationClassification.HINT
    assert warning.position == SummaryInputPosition(1, 8, 7)
    assert warning.diagnostic_record == {"OPERATION": "", "OPERATION_CODE": "0",
                                         "CURRENT_SCHEMA": "/", "_severity": "WARNING",
                                         "_classification": "HINT", "_position": POSITION}


async def test_a_result_discarded_unseen_has_no_data_of_an_unknown_subcondition() -> None:
    # (a session's run waits for RUN's answer, by which time its pipelined PULL may have brought
    # records: the connection's run, consumed at once, discards them unseen)
    async with FakeServer(answering((4, 4), {})) as server:
        async with asyncbolt.connect(server.uri, auth=("u", "p"), versions=[(4, 4)]) as conn:
            summary = await (await conn.run("MATCH (a), (b) RETURN a")).consume()
    assert [s.gql_status for s in summary.gql_status_objects] == ["02N42"]
    assert summary.gql_status_objects[0].status_description == (
        "note: no data - unknown subcondition")


def test_a_notification_without_description_gets_a_generic_one() -> None:
    assert GqlStatusObject.from_notification({"severity": "WARNING"}).status_description == (
        "warn: unknown warning")
    info = GqlStatusObject.from_notification({"severity": "BANANA"})
    assert (info.gql_status, info.status_description) == ("03N42", "info: unknown notification")
    assert info.severity is NotificationSeverity.UNKNOWN and info.raw_severity == "BANANA"


async def test_statuses_from_5_5_are_kept_in_order_with_defaults_filled() -> None:
    statuses = [
        {"gql_status": "03N01", "status_description": "info: x", "neo4j_code": "N.X",
         "diagnostic_record": {"_severity": "INFORMATION", "_classification": "SCHEMA",
                               "_position": POSITION, "OPERATION": "OP", "_extra": [1]}},
        {"gql_status": "00000", "status_description": "note: successful completion"},
    ]
    summary = await summary_from((5, 6), {"statuses": statuses})
    first, second = summary.gql_status_objects
    assert first.gql_status == "03N01" and first.is_notification
    assert first.classification is NotificationClassification.SCHEMA
    assert first.diagnostic_record == {"OPERATION": "OP", "OPERATION_CODE": "0",
                                       "CURRENT_SCHEMA": "/", "_severity": "INFORMATION",
                                       "_classification": "SCHEMA", "_position": POSITION,
                                       "_extra": [1]}
    assert not second.is_notification and second.raw_classification is None
    assert summary.statuses == statuses  # (the raw metadata is not touched)
    assert [n.code for n in summary.summary_notifications] == ["N.X"]


# -- the logger and the warnings ------------------------------------------------------------

async def test_each_notification_is_logged_at_the_level_of_its_severity(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="asyncbolt.notifications")
    odd = {"severity": "LOUD", "code": "Odd.Code"}
    await summary_from((4, 4), {"notifications": [WARN_HINT, INFO_PERF, odd]})
    records = [r for r in caplog.records if r.name == "asyncbolt.notifications"]
    assert [r.levelno for r in records] == [logging.WARNING, logging.INFO, logging.DEBUG]
    text = records[0].getMessage()
    assert WARN_HINT["code"] in text and "line 1, column 8 (offset 7)" in text
    assert "MATCH (a), (b) RETURN a" in text


async def test_filtered_notifications_are_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="asyncbolt.notifications")
    await summary_from((5, 1), {"notifications": NOTIFICATIONS},
                       driver={"notifications_min_severity": "OFF"})
    assert [r for r in caplog.records if r.name == "asyncbolt.notifications"] == []


async def test_warn_notification_severity_issues_python_warnings() -> None:
    meta = {"notifications": NOTIFICATIONS}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        await summary_from((4, 4), meta, driver={"warn_notification_severity": "WARNING"})
    got = [(type(w.message), w.message.notification.code) for w in caught
           if isinstance(w.message, NotificationWarning)]
    assert got == [(NotificationWarning, WARN_HINT["code"]),
                   (NotificationDeprecationWarning, WARN_DEPRECATION["code"])]
    assert "MATCH (a), (b) RETURN a" in str(caught[0].message)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # the session's threshold wins over the driver's
        await summary_from((4, 4), meta, driver={"warn_notification_severity": "WARNING"},
                           session={"warn_notification_severity": "INFORMATION"})
    assert len([w for w in caught if isinstance(w.message, NotificationWarning)]) == 3
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        await summary_from((4, 4), meta)  # (default: none outside python -X dev)
    assert [w for w in caught if isinstance(w.message, NotificationWarning)] == []


async def test_warnings_made_errors_do_not_break_the_connection() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", NotificationWarning)
        summary = await summary_from((4, 4), {"notifications": [WARN_HINT]},
                                     driver={"warn_notification_severity": "WARNING"})
    assert summary.notifications == [WARN_HINT]


async def test_transactions_before_5_2_are_filtered_with_the_sessions_filters() -> None:
    version = (4, 4)

    async def work(tx: Any) -> Any:
        result = await tx.run("RETURN 1 AS n")
        await result.fetch(1)
        return await result.consume()

    async with FakeServer(answering(version, {"notifications": NOTIFICATIONS})) as server:
        async with driver_for(server, versions=[version],
                              notifications_disabled_classifications=["HINT"]) as driver:
            async with driver.session(notifications_min_severity="WARNING") as session:
                summary = await session.execute_read(work)
                async with await session.begin_transaction() as tx:
                    explicit = await work(tx)
    assert summary.notifications == [WARN_DEPRECATION]  # (HINT: the driver's; INFORMATION: the session's)
    assert explicit.notifications == [WARN_DEPRECATION]


async def test_a_failure_handling_notifications_does_not_break_the_result(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from asyncbolt.client import notifications

    def broken(stream: Any, metadata: Any) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(notifications, "_received", broken)
    summary = await summary_from((4, 4), {"notifications": [WARN_HINT]})
    assert summary.notifications == [WARN_HINT]
    assert any("handling the notifications" in r.getMessage() for r in caplog.records)
