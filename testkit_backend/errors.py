"""asyncbolt's exceptions as the ``DriverError`` testkit expects of the Python driver.

With ``TEST_DRIVER_NAME=python`` testkit compares ``errorType`` with the official driver's
exception classes (``"<class 'neo4j.exceptions.ClientError'>"``), so each asyncbolt error is
named by the official class for the same situation: the Neo4j status code picks it for FAILUREs
(as the official driver's code table does), the asyncbolt class otherwise.
"""

from __future__ import annotations

from typing import Any

from asyncbolt.client.connection import RequestIgnored
from asyncbolt.client.driver import (
    IncompleteCommit,
    ResultConsumedError,
    ResultFailedError,
    TransactionError,
    is_retryable,
)
from asyncbolt.client.pool import ConnectionAcquisitionTimeout
from asyncbolt.client.routing import RoutingServiceUnavailable, SessionExpired
from asyncbolt.errors import (
    AuthError,
    ClientError,
    ConfigurationError,
    DatabaseError,
    Neo4jError,
    ProtocolError,
    ServiceUnavailable,
    TransientError,
    UnsupportedServerProduct,
)

__all__ = ["error_type", "error_code", "driver_error"]

_PKG = "neo4j.exceptions."

#: Status codes the official driver raises a ClientError subclass for.
_BY_CODE = {
    "Neo.ClientError.Schema.ConstraintValidationFailed": "ConstraintError",
    "Neo.ClientError.Schema.ConstraintViolation": "ConstraintError",
    "Neo.ClientError.Statement.ConstraintVerificationFailed": "ConstraintError",
    "Neo.ClientError.Statement.ConstraintViolation": "ConstraintError",
    "Neo.ClientError.Statement.InvalidSyntax": "CypherSyntaxError",
    "Neo.ClientError.Statement.SyntaxError": "CypherSyntaxError",
    "Neo.ClientError.Procedure.TypeError": "CypherTypeError",
    "Neo.ClientError.Statement.InvalidType": "CypherTypeError",
    "Neo.ClientError.Statement.TypeError": "CypherTypeError",
    "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase": "ForbiddenOnReadOnlyDatabase",
    "Neo.ClientError.General.ReadOnly": "Forbidden",
    "Neo.ClientError.Schema.ForbiddenOnConstraintIndex": "Forbidden",
    "Neo.ClientError.Schema.IndexBelongsToConstraint": "Forbidden",
    "Neo.ClientError.Security.Forbidden": "Forbidden",
    "Neo.ClientError.Transaction.ForbiddenDueToTransactionType": "Forbidden",
    "Neo.ClientError.Security.AuthorizationFailed": "AuthError",
    "Neo.ClientError.Security.Unauthorized": "AuthError",
    "Neo.ClientError.Security.TokenExpired": "TokenExpired",
    # the official driver raises its expired authorization as a TransientError (it is retried)
    "Neo.ClientError.Security.AuthorizationExpired": "TransientError",
    "Neo.ClientError.Cluster.NotALeader": "NotALeader",
    "Neo.TransientError.General.DatabaseUnavailable": "DatabaseUnavailable",
}

#: Transient codes the official driver reports as client errors (Neo4j 5 reclassified them).
_RECLASSIFIED = {
    "Neo.TransientError.Transaction.Terminated": "Neo.ClientError.Transaction.Terminated",
    "Neo.TransientError.Transaction.LockClientStopped":
        "Neo.ClientError.Transaction.LockClientStopped",
}


#: Codes asyncbolt itself raises (no FAILURE behind them, so no metadata) when a transaction is
#: used after it ended or failed; the official driver raises a TransactionError (no code) there.
_LOCAL_TX_CODES = frozenset({"Neo.ClientError.Transaction.TransactionNotFound",
                             "Neo.ClientError.Transaction.TransactionTerminated"})


def _local_tx_error(exc: BaseException) -> bool:
    return (isinstance(exc, Neo4jError) and exc.code in _LOCAL_TX_CODES and not exc.metadata)


def _cls(name: str) -> str:
    return f"<class '{_PKG}{name}'>"


def _unwrap(exc: BaseException) -> BaseException:
    seen = 0
    while isinstance(exc, RequestIgnored) and exc.__cause__ is not None and seen < 10:
        exc, seen = exc.__cause__, seen + 1
    return exc


def error_code(exc: BaseException) -> str | None:
    """The status code testkit sees (None for errors that are not FAILUREs)."""
    exc = _unwrap(exc)
    if not isinstance(exc, Neo4jError) or _local_tx_error(exc):
        return None
    return _RECLASSIFIED.get(exc.code, exc.code)


def error_type(exc: BaseException) -> str:
    """The official driver's exception class for ``exc``, as ``str(type(...))`` prints it."""
    exc = _unwrap(exc)
    if _local_tx_error(exc):
        return _cls("TransactionError")
    if isinstance(exc, ConfigurationError):
        return _cls("ConfigurationError")
    if isinstance(exc, Neo4jError):
        code = error_code(exc) or ""
        if code == "Neo.ClientError.Statement.ResultNotSingle":  # asyncbolt's Result.single
            return _cls("ResultNotSingleError")
        if code in _BY_CODE:
            return _cls(_BY_CODE[code])
        if isinstance(exc, AuthError):
            return _cls("AuthError")
        if code.startswith("Neo.ClientError.") or isinstance(exc, ClientError):
            return _cls("ClientError")
        if code.startswith("Neo.TransientError.") or isinstance(exc, TransientError):
            return _cls("TransientError")
        if code.startswith("Neo.DatabaseError.") or isinstance(exc, DatabaseError):
            return _cls("DatabaseError")
        return _cls("Neo4jError")
    if isinstance(exc, IncompleteCommit):
        return _cls("IncompleteCommit")
    if isinstance(exc, SessionExpired):
        return _cls("SessionExpired")
    if isinstance(exc, RoutingServiceUnavailable):
        return _cls("ServiceUnavailable")
    if isinstance(exc, ServiceUnavailable):
        return _cls("ServiceUnavailable")
    if isinstance(exc, TransactionError):
        return _cls("TransactionError")
    if isinstance(exc, ResultFailedError):
        return _cls("ResultFailedError")
    if isinstance(exc, ResultConsumedError):
        return _cls("ResultConsumedError")
    if isinstance(exc, UnsupportedServerProduct):
        return _cls("UnsupportedServerProduct")
    if isinstance(exc, ConnectionAcquisitionTimeout):
        return _cls("ClientError")
    if isinstance(exc, ProtocolError):
        return "<class 'neo4j._exceptions.BoltProtocolError'>"
    return str(type(exc))


def _message(exc: BaseException) -> str:
    exc = _unwrap(exc)
    if isinstance(exc, Neo4jError):
        return exc.message
    if isinstance(exc, (TransactionError, ResultFailedError)) and exc.__cause__ is not None:
        # The official driver's message names its cause's class (testkit looks for it).
        cause = error_type(exc.__cause__).rsplit(".", 1)[-1].rstrip("'>")
        return f"{exc} (caused by {cause})"
    return str(exc)


#: The diagnostic record every GQL error has (filled in where the server left keys out).
_DEFAULT_DIAGNOSTIC_RECORD = {"OPERATION": "", "OPERATION_CODE": "0", "CURRENT_SCHEMA": "/"}
_CLASSIFICATIONS = ("CLIENT_ERROR", "DATABASE_ERROR", "TRANSIENT_ERROR")


def _gql_fields(exc: Neo4jError, depth: int = 0) -> dict[str, Any]:
    """The GQL status fields of a FAILURE (Bolt 5.7+; asyncbolt's defaults before)."""
    from .values import to_testkit

    record = {**_DEFAULT_DIAGNOSTIC_RECORD, **exc.diagnostic_record}
    raw = record.get("_classification")
    raw = raw if isinstance(raw, str) else None
    out: dict[str, Any] = {
        "gqlStatus": exc.gql_status, "statusDescription": exc.description,
        "diagnosticRecord": {k: to_testkit(v) for k, v in record.items()},
        "rawClassification": raw,
        "classification": raw if raw in _CLASSIFICATIONS else "UNKNOWN",
    }
    if exc.cause is not None and depth < 10:
        out["cause"] = {"name": "GqlError",
                        "data": {"msg": exc.cause.message, **_gql_fields(exc.cause, depth + 1)}}
    return out


def driver_error(exc: BaseException, error_id: str | None = None) -> dict[str, Any]:
    """The ``DriverError`` response for ``exc`` (``error_id``: the backend's handle on it)."""
    data: dict[str, Any] = {"errorType": error_type(exc), "msg": _message(exc),
                            "retryable": is_retryable(exc)}
    if error_id is not None:
        data["id"] = error_id
    code = error_code(exc)
    if code is not None:
        data["code"] = code
        inner = _unwrap(exc)
        if isinstance(inner, Neo4jError):
            data.update(_gql_fields(inner))
    return {"name": "DriverError", "data": data}
