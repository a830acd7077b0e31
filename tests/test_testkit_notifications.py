"""The testkit backend's notification mixin (testkit_backend/notifications.py): the filters of
NewDriver, NewSession and ExecuteQuery, and the notifications and GQL status objects of a
Summary in testkit's form (the official backend's passes in testkit's notifications_config
and summary areas are checked by ``make testkit``)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from asyncbolt.client.result import Summary
from testkit_backend.notifications import gql_status_objects_data, notifications_data
from testkit_backend.server import FEATURES, Backend


def summary(version: tuple[int, int], pull: dict[str, Any], fields: list[str] | None = None,
            had_record: bool = True) -> Summary:
    conn = SimpleNamespace(server_agent="Neo4j/5.26.0", protocol_version=version, host="127.0.0.1",
                           port=7687, connection_id="bolt-1")
    return Summary("RETURN 1", {}, {"fields": ["n"] if fields is None else fields}, pull,
                   conn, had_record)  # type: ignore[arg-type]  # (a stand-in connection)


def test_the_features_are_declared() -> None:
    for feature in ("Feature:API:Driver:NotificationsConfig",
                    "Feature:API:Session:NotificationsConfig",
                    "Feature:API:Summary:GqlStatusObjects"):
        assert feature in FEATURES


async def test_driver_and_session_take_the_filters() -> None:
    backend = Backend()
    answer = await backend.handle({"name": "NewDriver", "data": {
        "uri": "bolt://127.0.0.1:1", "authorizationToken": None,
        "notificationsMinSeverity": "OFF", "notificationsDisabledCategories": []}})
    assert answer["name"] == "Driver", answer
    driver = backend.drivers[answer["data"]["id"]]
    assert driver._hello_filters == {"notifications_min_severity": "OFF",
                                     "notifications_disabled_classifications": ()}
    answer = await backend.handle({"name": "NewSession", "data": {
        "driverId": answer["data"]["id"], "accessMode": "r",
        "notificationsDisabledClassifications": ["HINT"]}})
    assert answer["name"] == "Session", answer
    notes = backend.sessions[answer["data"]["id"]]._notes
    assert (notes.min_severity, notes.disabled) == (None, ("HINT",))
    await driver.close()


def test_notifications_in_the_official_parsed_form() -> None:
    raw = {"severity": "WARNING", "category": "MADE_UP", "code": "C", "title": "T",
           "description": "D", "position": {"line": 2, "column": 3, "offset": 4}}
    data = notifications_data(summary((4, 4), {"notifications": [raw, {"severity": "X"}]}))
    assert data == [
        {"title": "T", "code": "C", "description": "D", "severity": "WARNING",
         "severityLevel": "WARNING", "rawSeverityLevel": "WARNING", "category": "UNKNOWN",
         "rawCategory": "MADE_UP", "position": {"column": 3, "offset": 4, "line": 2}},
        {"title": "", "code": "", "description": "", "severity": "X", "severityLevel": "UNKNOWN",
         "rawSeverityLevel": "X", "category": "UNKNOWN", "rawCategory": ""}]
    # none sent: None before GQL statuses, [] from 5.5
    assert notifications_data(summary((4, 4), {})) is None
    assert notifications_data(summary((5, 6), {})) == []


def test_gql_status_objects_in_testkits_form() -> None:
    data = gql_status_objects_data(summary((4, 4), {}, had_record=True))
    assert data == [{"gqlStatus": "00000", "statusDescription": "note: successful completion",
                     "position": None, "classification": "UNKNOWN", "rawClassification": None,
                     "severity": "UNKNOWN", "rawSeverity": None, "isNotification": False,
                     "diagnosticRecord": {
                         "OPERATION": {"name": "CypherString", "data": {"value": ""}},
                         "OPERATION_CODE": {"name": "CypherString", "data": {"value": "0"}},
                         "CURRENT_SCHEMA": {"name": "CypherString", "data": {"value": "/"}}}}]
