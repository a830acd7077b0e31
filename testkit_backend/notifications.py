"""testkit's notification requests and answers: the filters of ``NewDriver``, ``NewSession``
and ``ExecuteQuery`` (``notificationsMinSeverity``, ``notificationsDisabledCategories`` and
``...Classifications``) as asyncbolt options, and the ``notifications`` and
``gqlStatusObjects`` of a ``Summary`` in the form testkit reads. A mixin of :class:`Backend`."""

from __future__ import annotations

from typing import Any

from asyncbolt._generated.versions import key_holds

from .values import to_testkit

__all__ = ["NotificationRequests", "notifications_data", "gql_status_objects_data",
           "NOTIFICATION_FEATURES"]

#: What the mixin lets the backend declare.
NOTIFICATION_FEATURES = [
    "Feature:API:Driver:NotificationsConfig",
    "Feature:API:Session:NotificationsConfig",
    "Feature:API:Summary:GqlStatusObjects",
]

_OPTIONS = (("notificationsMinSeverity", "notifications_min_severity"),
            ("notificationsDisabledCategories", "notifications_disabled_categories"),
            ("notificationsDisabledClassifications", "notifications_disabled_classifications"))


class NotificationRequests:
    """The notification options of testkit's requests, as keyword arguments."""

    @staticmethod
    def notification_options(data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Driver or session options (``suffix="_"``: execute_query's) from a request's data:
        only those it names (a list may be empty: that is a filter too)."""
        return {name + suffix: data[key] for key, name in _OPTIONS if data.get(key) is not None}


def _position(position: Any) -> dict[str, int] | None:
    if position is None:
        return None
    return {"column": position.column, "offset": position.offset, "line": position.line}


def notifications_data(summary: Any) -> list[dict[str, Any]] | None:
    """The summary's notifications, parsed, as testkit reads them; None when a server before
    GQL status objects sent none (from Bolt 5.5 the list is never missing)."""
    version = tuple(summary.protocol_version)
    if "notifications" not in summary.metadata and not key_holds("success_metadata", "statuses",
                                                                 version):
        return None
    out = []
    for n in summary.summary_notifications:
        item = {"title": n.title, "code": n.code, "description": n.description,
                "severity": n.raw_severity_level, "severityLevel": n.severity_level.name,
                "rawSeverityLevel": n.raw_severity_level, "category": n.category.name,
                "rawCategory": n.raw_category}
        if n.position is not None:
            item["position"] = _position(n.position)
        out.append(item)
    return out


def gql_status_objects_data(summary: Any) -> list[dict[str, Any]]:
    return [{"gqlStatus": s.gql_status, "statusDescription": s.status_description,
             "position": _position(s.position), "classification": s.classification.name,
             "rawClassification": s.raw_classification, "severity": s.severity.name,
             "rawSeverity": s.raw_severity, "isNotification": s.is_notification,
             "diagnosticRecord": {k: to_testkit(v) for k, v in s.diagnostic_record.items()}}
            for s in summary.gql_status_objects]
