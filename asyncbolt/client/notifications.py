"""Notifications: the filters a client asks the server for, client-side filtering where the
server cannot, the typed forms of what comes back, and the ``asyncbolt.notifications`` logger.

Filters (:class:`NotificationFilters`) go in HELLO (the driver's) and in BEGIN/RUN (a session's,
which override the driver's key by key) from Bolt 5.2, under the keys spec/bolt.yaml gives each
version (``notifications_disabled_categories`` until 5.4, ``..._classifications`` from 5.5).
Servers before 5.2 take no filters: the client drops what the filters exclude from the summary
instead (a server that old sends notifications only as ``notifications``).

What comes back: :class:`SummaryNotification` (the parsed form of one notification map) and
:class:`GqlStatusObject` (Bolt 5.5+ ``statuses`` as sent; before, made from the notifications
plus one status saying how the query ended, in the official driver's order). Each notification
received is logged on ``asyncbolt.notifications`` at the level of its severity, and issued as a
:class:`~asyncbolt.errors.NotificationWarning` when its severity reaches
``warn_notification_severity``.
"""

from __future__ import annotations

import copy
import enum
import logging
import sys
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from asyncbolt._generated.versions import key_holds
from asyncbolt.errors import NotificationDeprecationWarning, NotificationWarning

if TYPE_CHECKING:
    from asyncbolt.client.connection import Connection
    from asyncbolt.client.result import _Stream

__all__ = ["NotificationMinimumSeverity", "NotificationSeverity", "NotificationClassification",
           "NotificationCategory", "NotificationDisabledClassification",
           "NotificationDisabledCategory", "NotificationFilters", "SummaryInputPosition",
           "SummaryNotificationPosition", "SummaryNotification", "GqlStatusObject"]

log = logging.getLogger("asyncbolt.notifications")


class _Named(str, enum.Enum):
    def __str__(self) -> str:
        return str(self.value)


class NotificationMinimumSeverity(_Named):
    """The least severe notifications a query should report (``OFF``: none)."""

    OFF = "OFF"
    WARNING = "WARNING"
    INFORMATION = "INFORMATION"


class NotificationSeverity(_Named):
    """A notification's severity as parsed (``UNKNOWN``: one this client does not know)."""

    WARNING = "WARNING"
    INFORMATION = "INFORMATION"
    UNKNOWN = "UNKNOWN"


class NotificationClassification(_Named):
    """A notification's classification (``UNKNOWN``: one this client does not know). Bolt
    before 5.5 called it the category: :data:`NotificationCategory` is the same enum."""

    HINT = "HINT"
    UNRECOGNIZED = "UNRECOGNIZED"
    UNSUPPORTED = "UNSUPPORTED"
    PERFORMANCE = "PERFORMANCE"
    DEPRECATION = "DEPRECATION"
    SECURITY = "SECURITY"
    TOPOLOGY = "TOPOLOGY"
    GENERIC = "GENERIC"
    SCHEMA = "SCHEMA"
    UNKNOWN = "UNKNOWN"


class NotificationDisabledClassification(_Named):
    """The classifications a filter may disable (any other string is sent as given)."""

    HINT = "HINT"
    UNRECOGNIZED = "UNRECOGNIZED"
    UNSUPPORTED = "UNSUPPORTED"
    PERFORMANCE = "PERFORMANCE"
    DEPRECATION = "DEPRECATION"
    SECURITY = "SECURITY"
    TOPOLOGY = "TOPOLOGY"
    GENERIC = "GENERIC"
    SCHEMA = "SCHEMA"


NotificationCategory = NotificationClassification
NotificationDisabledCategory = NotificationDisabledClassification

#: Severities from the most severe; a minimum keeps its own and those before it.
_RANKS = {"WARNING": 0, "INFORMATION": 1}
_SEVERITIES = {s.value: s for s in NotificationSeverity if s is not NotificationSeverity.UNKNOWN}
_CLASSES = {c.value: c for c in NotificationClassification
            if c is not NotificationClassification.UNKNOWN}


def _name(value: Any) -> Any:
    return getattr(value, "value", value)


def _minimum(value: Any, option: str) -> str | None:
    value = _name(value)
    if value is None or value in NotificationMinimumSeverity.__members__:
        return value
    raise ValueError(f"{option} must be one of OFF, WARNING, INFORMATION (or None), "
                     f"not {value!r}")


def _classifications(values: Any, option: str) -> list[str] | None:
    if values is None:
        return None
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise ValueError(f"{option} must be a list of classifications such as ['HINT', "
                         f"'DEPRECATION'], not {values!r}")
    out = [_name(v) for v in values]
    wrong = [v for v in out if not isinstance(v, str)]
    if wrong:
        raise ValueError(f"{option} must name classifications as strings, not {wrong!r}")
    return out


@dataclass(frozen=True)
class NotificationFilters:
    """What notifications to report: ``min_severity`` (OFF, WARNING, INFORMATION),
    ``disabled`` (classifications, or None), and ``warn`` (the ``warn_notification_severity``
    threshold of Python warnings). None in a field: not set here (the server's default, or
    the driver's under a session's)."""

    min_severity: str | None = None
    disabled: tuple[str, ...] | None = None
    warn: str | None = None

    @classmethod
    def of(cls, min_severity: Any = None, disabled_classifications: Any = None,
           disabled_categories: Any = None, warn: Any = None) -> NotificationFilters:
        """Checked filters from the options of a driver, session or connection. The older
        ``disabled_categories`` is the same list (both given: their union, as the official
        driver)."""
        classes = _classifications(disabled_classifications, "notifications_disabled_classifications")
        categories = _classifications(disabled_categories, "notifications_disabled_categories")
        if categories is not None:
            classes = list(dict.fromkeys([*categories, *(classes or ())]))
        return cls(_minimum(min_severity, "notifications_min_severity"),
                   None if classes is None else tuple(classes),
                   _minimum(warn, "warn_notification_severity"))

    @property
    def filtering(self) -> bool:
        return self.min_severity is not None or self.disabled is not None

    def over(self, base: NotificationFilters | None) -> NotificationFilters:
        """These filters, each unset field taken from ``base``."""
        if base is None:
            return self
        return NotificationFilters(
            base.min_severity if self.min_severity is None else self.min_severity,
            base.disabled if self.disabled is None else self.disabled,
            base.warn if self.warn is None else self.warn)

    def extra(self, table: str, version: tuple[int, int]) -> dict[str, Any]:
        """The keys of these filters in a ``table`` map (hello_extra, tx_extra) of Bolt
        ``version``: none before 5.2 (the client filters there instead)."""
        extra: dict[str, Any] = {}
        if self.min_severity is not None and key_holds(table, "notifications_minimum_severity", version):
            extra["notifications_minimum_severity"] = self.min_severity
        if self.disabled is not None:
            for key in ("notifications_disabled_classifications", "notifications_disabled_categories"):
                if key_holds(table, key, version):
                    extra[key] = list(self.disabled)
        return extra

    def keeps(self, notification: Any) -> bool:
        """Whether a notification map passes these filters (a severity this client does not
        know passes any minimum but OFF)."""
        if not isinstance(notification, dict):
            return True
        if self.min_severity == "OFF":
            return False
        rank = _RANKS.get(str(notification.get("severity")))
        if self.min_severity is not None and rank is not None and rank > _RANKS[self.min_severity]:
            return False
        return not (self.disabled is not None and notification.get("category") in self.disabled)


def connection_filters(conn: Connection) -> NotificationFilters:
    """The filters a connection's HELLO asked for, and its warning threshold."""
    disabled = conn.notifications_disabled_classifications
    return NotificationFilters(conn.notifications_min_severity,
                               None if disabled is None else tuple(disabled),
                               getattr(conn, "warn_notification_severity", None))


def default_warn_severity(value: Any) -> str | None:
    """A driver's ``warn_notification_severity``: None means INFORMATION in Python's
    development mode (``python -X dev``) and off otherwise; OFF means off."""
    value = _minimum(value, "warn_notification_severity")
    if value is None:
        return "INFORMATION" if sys.flags.dev_mode else None
    return None if value == "OFF" else value


# -------------------------------------------------------------------------------------------
# The parsed forms


@dataclass(frozen=True)
class SummaryInputPosition:
    """Where in the query a notification or status points: ``line`` and ``column`` from 1,
    ``offset`` (characters) from 0."""

    line: int
    column: int
    offset: int

    @classmethod
    def parse(cls, value: Any) -> SummaryInputPosition | None:
        """The position in a server's map (None: missing or not three integers)."""
        if not isinstance(value, dict):
            return None
        parts: list[int] = []
        for key in ("line", "column", "offset"):
            part = value.get(key)
            if not isinstance(part, int) or isinstance(part, bool):
                return None
            parts.append(part)
        return cls(*parts)

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column} (offset {self.offset})"


SummaryNotificationPosition = SummaryInputPosition


def _text(value: Any, default: Any = "") -> Any:
    return value if isinstance(value, str) else default


@dataclass(frozen=True)
class SummaryNotification:
    """One notification, parsed: the raw strings and their known values (``UNKNOWN`` for
    others; empty strings for what the server left out)."""

    title: str = ""
    code: str = ""
    description: str = ""
    severity_level: NotificationSeverity = NotificationSeverity.UNKNOWN
    category: NotificationClassification = NotificationClassification.UNKNOWN
    raw_severity_level: str = ""
    raw_category: str = ""
    position: SummaryInputPosition | None = None

    @classmethod
    def parse(cls, raw: Any) -> SummaryNotification:
        if not isinstance(raw, dict):
            return cls()
        severity, category = _text(raw.get("severity")), _text(raw.get("category"))
        return cls(_text(raw.get("title")), _text(raw.get("code")), _text(raw.get("description")),
                   _SEVERITIES.get(severity, NotificationSeverity.UNKNOWN),
                   _CLASSES.get(category, NotificationClassification.UNKNOWN),
                   severity, category, SummaryInputPosition.parse(raw.get("position")))

    def __str__(self) -> str:
        where = "" if self.position is None else f" at {self.position}"
        return (f"{self.raw_severity_level or 'notification'} {self.code} "
                f"({self.raw_category or 'no classification'}): {self.title}. "
                f"{self.description}{where}")


#: What a status from a server before GQL (or a 5.5+ status without it) has in its diagnostic
#: record, as the official driver fills it in.
_DIAGNOSTIC_DEFAULTS = (("OPERATION", ""), ("OPERATION_CODE", "0"), ("CURRENT_SCHEMA", "/"))


@dataclass(frozen=True)
class GqlStatusObject:
    """A GQL status of a query: how it ended (``00000`` success, ``00001`` omitted result,
    ``02000`` no data) or a notification (``is_notification``; then ``position``,
    ``classification`` and ``severity`` mean something). ``diagnostic_record`` is a copy."""

    gql_status: str = ""
    status_description: str = ""
    position: SummaryInputPosition | None = None
    raw_classification: str | None = None
    classification: NotificationClassification = NotificationClassification.UNKNOWN
    raw_severity: str | None = None
    severity: NotificationSeverity = NotificationSeverity.UNKNOWN
    diagnostic_record: dict[str, Any] = field(default_factory=dict)
    is_notification: bool = False

    @classmethod
    def parse(cls, status: Any) -> GqlStatusObject:
        """A status of a Bolt 5.5+ ``statuses`` list (its diagnostic record's missing
        OPERATION, OPERATION_CODE and CURRENT_SCHEMA filled in with their defaults)."""
        if not isinstance(status, dict):
            return cls()
        record = status.get("diagnostic_record", {})
        record = {**dict(_DIAGNOSTIC_DEFAULTS), **record} if isinstance(record, dict) else {}
        classification = _text(record.get("_classification"), None)
        severity = _text(record.get("_severity"), None)
        code = status.get("neo4j_code")
        return cls(_text(status.get("gql_status")), _text(status.get("status_description")),
                   SummaryInputPosition.parse(record.get("_position")), classification,
                   _CLASSES.get(classification or "", NotificationClassification.UNKNOWN),
                   severity, _SEVERITIES.get(severity or "", NotificationSeverity.UNKNOWN),
                   copy.deepcopy(record), isinstance(code, str) and bool(code))

    @classmethod
    def from_notification(cls, raw: Any) -> GqlStatusObject:
        """The status standing for a notification of a server before GQL: ``01N42`` for a
        WARNING, ``03N42`` otherwise, with the notification's description (or a generic one)."""
        raw = raw if isinstance(raw, dict) else {}
        severity, classification = _text(raw.get("severity"), None), _text(raw.get("category"), None)
        warning = severity == "WARNING"
        description = raw.get("description")
        if not isinstance(description, str) or not description:
            description = "warn: unknown warning" if warning else "info: unknown notification"
        record = dict(_DIAGNOSTIC_DEFAULTS)
        for key, raw_key in (("_classification", "category"), ("_severity", "severity"),
                             ("_position", "position")):
            if raw_key in raw:
                record[key] = copy.deepcopy(raw[raw_key])
        return cls("01N42" if warning else "03N42", description,
                   SummaryInputPosition.parse(raw.get("position")), classification,
                   _CLASSES.get(classification or "", NotificationClassification.UNKNOWN),
                   severity, _SEVERITIES.get(severity or "", NotificationSeverity.UNKNOWN),
                   record, True)

    @classmethod
    def outcome(cls, had_record: bool | None, had_key: bool) -> GqlStatusObject:
        """How a query of a server before GQL ended: omitted result (no columns), success (it
        returned records), no data (it returned none), or no data of an unknown subcondition
        (``had_record`` None: its records were discarded unseen)."""
        status, description = (("00001", "note: successful completion - omitted result")
                               if not had_key else ("00000", "note: successful completion")
                               if had_record else ("02000", "note: no data")
                               if had_record is not None
                               else ("02N42", "note: no data - unknown subcondition"))
        return cls(status, description, diagnostic_record=dict(_DIAGNOSTIC_DEFAULTS))

    def __str__(self) -> str:
        return self.status_description


def _precedence(status: GqlStatusObject) -> int:
    # no data, then warnings, then success, then informational (and anything else last)
    return {"02": 3, "01": 2, "00": 1, "03": 0}.get(status.gql_status[:2], -1)


def gql_status_objects(metadata: dict[str, Any], notifications: Any, had_record: bool | None,
                       had_key: bool) -> tuple[GqlStatusObject, ...]:
    """The statuses of a summary: Bolt 5.5+ ``statuses`` as the server ordered them; before,
    the ``notifications`` and the outcome, most important first (stable for equals)."""
    statuses = metadata.get("statuses")
    if isinstance(statuses, list):
        return tuple(GqlStatusObject.parse(s) for s in statuses)
    made = [GqlStatusObject.from_notification(n) for n in notifications or ()]
    made.append(GqlStatusObject.outcome(had_record, had_key))
    return tuple(sorted(made, key=_precedence, reverse=True))


def summary_notifications(notifications: Any) -> list[SummaryNotification]:
    return [SummaryNotification.parse(n) for n in notifications or ()]


#: A notification map's key -> the GQL status object's key (then its diagnostic record's).
_STATUS_KEYS = (("title", "title"), ("code", "neo4j_code"), ("description", "description"))
_DIAGNOSTIC_KEYS = (("severity", "_severity"), ("category", "_classification"),
                    ("position", "_position"))


def notifications_from_statuses(statuses: Sequence[Any]) -> list[dict[str, Any]]:
    """The notifications among GQL status objects (Bolt 5.5+), as pre-5.5 servers sent them."""
    out = []
    for status in statuses:
        if not isinstance(status, dict) or "neo4j_code" not in status:
            continue  # a status that is no notification (success, no data, ...)
        notification = {key: status[skey] for key, skey in _STATUS_KEYS if skey in status}
        if "description" not in notification and "status_description" in status:
            # Bolt 5.5's statuses have only the status description (5.6 added description).
            notification["description"] = status["status_description"]
        record = status.get("diagnostic_record")
        if isinstance(record, dict):
            notification.update((key, record[dkey]) for key, dkey in _DIAGNOSTIC_KEYS if dkey in record)
        out.append(notification)
    return out


def notifications_of(metadata: dict[str, Any]) -> list:
    """A summary's notification maps: ``notifications`` as sent, or those of the statuses."""
    if "notifications" in metadata:
        return list(metadata.get("notifications") or [])
    return notifications_from_statuses(metadata.get("statuses") or [])


# -------------------------------------------------------------------------------------------
# When a summary arrives

_LEVELS = {NotificationSeverity.WARNING: logging.WARNING,
           NotificationSeverity.INFORMATION: logging.INFO}


def received(stream: _Stream, metadata: dict[str, Any]) -> None:
    """A summary with notifications (or statuses) arrived for ``stream``: on a server before
    Bolt 5.2, drop what the filters exclude (from ``metadata``, in place); then log each
    notification, and warn of those at the warning threshold. Never raises (it runs in the
    connection's read callback)."""
    try:
        _received(stream, metadata)
    except Exception:
        log.exception("handling the notifications of %r failed", stream.query)


def _received(stream: _Stream, metadata: dict[str, Any]) -> None:
    conn = stream.conn
    config = connection_filters(conn) if stream.notes is None else stream.notes.over(
        connection_filters(conn))
    raw = metadata.get("notifications")
    if (config.filtering and isinstance(raw, list)
            and not key_holds("hello_extra", "notifications_minimum_severity", conn.negotiated_version)):
        metadata["notifications"] = [n for n in raw if config.keeps(n)]
    found = summary_notifications(notifications_of(metadata))
    threshold = _RANKS.get(config.warn or "OFF")
    for notification in found:
        level = _LEVELS.get(notification.severity_level, logging.DEBUG)
        if log.isEnabledFor(level):
            log.log(level, "notification from %s:%s: %s; for query %r", conn.host, conn.port,
                    notification, stream.query)
        rank = _RANKS.get(notification.raw_severity_level)
        if threshold is not None and rank is not None and rank <= threshold:
            category = (NotificationDeprecationWarning
                        if notification.category is NotificationClassification.DEPRECATION
                        else NotificationWarning)
            try:
                warnings.warn(category(notification, stream.query), stacklevel=2)
            except Warning as exc:  # (warnings made errors: nowhere to raise in a read callback)
                log.warning("a notification warning was turned into an error: %s", exc)
