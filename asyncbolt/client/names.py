"""The official neo4j driver's names for asyncbolt's client classes (issue #18: code written for
``neo4j.AsyncGraphDatabase`` ports by changing the import and the driver's constructor).

Aliases, not new classes: ``asyncbolt.AsyncResult is asyncbolt.client.Result``. Type annotations
(``tx: neo4j.AsyncManagedTransaction``), ``result_transformer_=neo4j.AsyncResult.single`` and
``default_access_mode=neo4j.READ_ACCESS`` keep working with ``import asyncbolt as neo4j``."""

from __future__ import annotations

from asyncbolt.client.driver import Driver
from asyncbolt.client.result import Counters, Result, Summary
from asyncbolt.client.session import ManagedTransaction, Session, SessionTransaction

__all__ = ["AsyncDriver", "AsyncSession", "AsyncTransaction", "AsyncManagedTransaction", "AsyncResult",
           "ResultSummary", "SummaryCounters", "READ_ACCESS", "WRITE_ACCESS"]

AsyncDriver = Driver
AsyncSession = Session
AsyncTransaction = SessionTransaction
AsyncManagedTransaction = ManagedTransaction
AsyncResult = Result
ResultSummary = Summary
SummaryCounters = Counters

#: ``default_access_mode`` values, as the official driver's constants ("r"/"w" are accepted too).
READ_ACCESS = "READ"
WRITE_ACCESS = "WRITE"
