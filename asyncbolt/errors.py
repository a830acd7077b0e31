"""The one exception hierarchy of asyncbolt.

``BoltError`` is the root.

- ``ProtocolError``: bytes (or values) that break the Bolt or PackStream spec; carries the byte
  ``offset`` where the problem was found and, where known, the ``path`` of the field inside the
  value (``RECORD -> data -> [3] -> properties``). ``HandshakeError`` is the negotiation's.
- ``ServiceUnavailable``: the peer cannot be reached or went away.
- ``Neo4jError``: a FAILURE, with the Neo4j status ``code``, ``message`` and the GQL status
  fields. Its subclasses follow the classification in the code: ``ClientError``
  (``Neo.ClientError.*``), ``TransientError``, ``DatabaseError``; ``AuthError`` is the client
  error for refused credentials. Server code raises them to send a FAILURE; the client raises
  them when one arrives.

Below them, by where they are raised (each is also importable from the module that raised it
before, e.g. ``asyncbolt.client.pool.ConnectionAcquisitionTimeout``):

- the client (:mod:`asyncbolt.client`): ``RequestIgnored``, ``ResultConsumedError``,
  ``TransactionError``, ``ResultFailedError``, ``IncompleteCommit`` (a ``ServiceUnavailable``),
  ``ConnectionAcquisitionTimeout`` (the pool), ``AcquisitionDeadlineExceeded`` (a
  ``ServiceUnavailable``: the acquisition deadline), ``RoutingServiceUnavailable`` and
  ``SessionExpired`` (routing; both ``ServiceUnavailable``);
- the reference decoder: ``SchemaError`` (internal; :mod:`asyncbolt.codec.schemas` turns it
  into ``ProtocolError``);
- the tools, for input they refuse (``ValueError`` subclasses, as before): ``InputError``
  (``asyncbolt inspect``), ``RecordingError`` (``asyncbolt script``), ``ScriptError`` and
  ``JoltError`` (``asyncbolt stub``), and the stub server's private control-flow signals.

The seed's exception names (``BufferError``, ``ServerError``...) are the 2017 API and stay in
:mod:`asyncbolt.compat.exception`. ``tests/test_errors.py`` checks that no other module defines
an exception class.
"""

from __future__ import annotations

from typing import Any

from asyncbolt._generated.versions import has


class BoltError(Exception):
    """Base class of every error raised by asyncbolt."""


class ProtocolError(BoltError):
    """Input that breaks the Bolt/PackStream spec.

    ``offset`` is the byte offset (within the buffer handed to the decoder) where the problem
    was detected, or ``None`` when the problem is not tied to a position. ``path`` names the
    field, outermost first. ``completed``: for a framing error, the messages (payloads) that
    the same read had completed before it (see ``ChunkReader.feed``).
    """

    #: Framing: the message outgrew the reader's ``max_message_size``.
    too_big: bool = False

    def __init__(self, message: str, offset: int | None = None, path: tuple = ()) -> None:
        self.reason = message
        self.offset = offset
        self.path = tuple(path)
        self.completed: list[bytes] = []
        super().__init__(self._format())

    def _format(self) -> str:
        parts = [self.reason]
        if self.offset is not None:
            parts.append(f"at offset {self.offset}")
        if self.path:
            parts.append("in " + " -> ".join(str(p) for p in self.path))
        return " ".join(parts)


class HandshakeError(ProtocolError):
    """The version negotiation failed: bad magic, no common version, bad manifest."""

    #: What the side that failed still owes its peer before closing (a client refusing a
    #: manifest answers it with zero capabilities), or b"".
    reply: bytes = b""


class SpecError(BoltError):
    """The spec/ YAML is invalid (raised by the generator, with file, line and reason)."""


class ServiceUnavailable(BoltError):
    """The server cannot be reached, or the connection broke."""


class UnsupportedServerProduct(BoltError):
    """The server's agent (HELLO's ``server``) does not start with the ``server_agent_prefix``
    the client was told to require (see :func:`asyncbolt.connect`)."""


# GQL status and description used when an error names none: "general processing exception".
_DEFAULT_GQL = "50N42"
_CLASSIFICATIONS = {
    "ClientError": "CLIENT_ERROR",
    "TransientError": "TRANSIENT_ERROR",
    "DatabaseError": "DATABASE_ERROR",
}


class Neo4jError(BoltError):
    """A Bolt FAILURE: Neo4j status ``code`` and ``message``, plus GQL status fields (5.7+).

    ``Neo4jError.from_metadata(failure_map)`` builds the subclass that matches the code's
    classification; ``to_metadata(version)`` renders the FAILURE map for a Bolt version
    (``code`` up to 5.6, ``neo4j_code`` and the GQL fields from 5.7).
    """

    default_code = "Neo.DatabaseError.General.UnknownError"

    def __init__(self, code: str | None = None, message: str = "", *,
                 gql_status: str | None = None, description: str | None = None,
                 diagnostic_record: dict | None = None, cause: Neo4jError | None = None,
                 metadata: dict | None = None) -> None:
        self.code = code or self.default_code
        self.message = message
        self.gql_status = gql_status or _DEFAULT_GQL
        self.description = description or (
            f"error: general processing exception - unexpected error. {message}".rstrip())
        self.diagnostic_record = dict(diagnostic_record or {})
        self.cause = cause
        self.metadata = dict(metadata or {})
        super().__init__(f"{{code: {self.code}}} {{message: {message}}}")

    @property
    def classification(self) -> str:
        """CLIENT_ERROR, TRANSIENT_ERROR, DATABASE_ERROR (from the code), or UNKNOWN."""
        parts = self.code.split(".")
        return _CLASSIFICATIONS.get(parts[1] if len(parts) > 1 else "", "UNKNOWN")

    @classmethod
    def from_metadata(cls, metadata: dict[str, Any]) -> Neo4jError:
        """The exception for a FAILURE map of any Bolt version."""
        code = metadata.get("neo4j_code") or metadata.get("code") or cls.default_code
        parts = str(code).split(".")
        kind = parts[1] if len(parts) > 1 else ""
        target: type[Neo4jError] = {
            "ClientError": ClientError, "TransientError": TransientError,
            "DatabaseError": DatabaseError}.get(kind, Neo4jError)
        if code in ("Neo.ClientError.Security.Unauthorized",
                    "Neo.ClientError.Security.AuthenticationRateLimit"):
            target = AuthError
        cause = metadata.get("cause")
        error = target.__new__(target)
        Neo4jError.__init__(
            error, code, str(metadata.get("message", "")),
            gql_status=metadata.get("gql_status"), description=metadata.get("description"),
            diagnostic_record=metadata.get("diagnostic_record"),
            cause=Neo4jError.from_metadata(cause) if isinstance(cause, dict) else None,
            metadata=metadata)
        return error

    def to_metadata(self, version: tuple[int, int] = (5, 0)) -> dict[str, Any]:
        """The FAILURE map for ``version``."""
        if not has("gql_errors", version):
            return {"code": self.code, "message": self.message}
        record = {"OPERATION": "", "OPERATION_CODE": "0", "CURRENT_SCHEMA": "/",
                  "_classification": self.classification, **self.diagnostic_record}
        out: dict[str, Any] = {
            "neo4j_code": self.code, "message": self.message, "gql_status": self.gql_status,
            "description": self.description, "diagnostic_record": record,
        }
        if self.cause is not None:
            cause = self.cause.to_metadata(version)
            cause.pop("neo4j_code", None)
            out["cause"] = cause
        return out


class ClientError(Neo4jError):
    """The request was wrong (``Neo.ClientError.*``): retrying it unchanged fails again."""

    default_code = "Neo.ClientError.General.Unknown"


class ResultNotSingleError(ClientError):
    """``Result.single(strict=True)`` found no record or more than one (code
    ``Neo.ClientError.Statement.ResultNotSingle``); the official drivers' ResultNotSingleError."""

    default_code = "Neo.ClientError.Statement.ResultNotSingle"


class ConfigurationError(ClientError):
    """An option the connection's Bolt version cannot carry (impersonation before 4.4, a
    database before 4.0...), refused before anything is sent; the official drivers'
    ConfigurationError."""

    default_code = "Neo.ClientError.Request.Invalid"


class TransientError(Neo4jError):
    """A temporary failure (``Neo.TransientError.*``): the work may succeed if retried."""

    default_code = "Neo.TransientError.General.DatabaseUnavailable"


class DatabaseError(Neo4jError):
    """The server failed (``Neo.DatabaseError.*``)."""

    default_code = "Neo.DatabaseError.General.UnknownError"


class AuthError(ClientError):
    """Credentials were refused (``Neo.ClientError.Security.Unauthorized``)."""

    default_code = "Neo.ClientError.Security.Unauthorized"

    def __init__(self, message: str = "The client is unauthorized due to authentication failure.",
                 code: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("gql_status", "42NFF")
        super().__init__(code, message, **kwargs)


# -- the client ------------------------------------------------------------------------------


class RequestIgnored(BoltError):
    """The server did not run this request: an earlier one in the pipeline failed (or a RESET
    cut it short). ``__cause__`` is the failure, when known."""


class ResultConsumedError(BoltError):
    """The result's records can no longer be read: it was consumed (``consume()``), its
    transaction ended, or its session closed before it was read to its end."""


class TransactionError(BoltError):
    """The transaction can no longer be used: a query of it failed, or the connection was reset,
    earlier (``__cause__``: that failure, which was raised where it happened; as the official
    drivers' ``TransactionError``). Retryable when its cause is."""


class ResultFailedError(BoltError):
    """A result of a transaction that another query of it failed: the server dropped its
    records, so what was not yet received can never be read (``__cause__``: the failure; as
    the official drivers' ``ResultFailedError``). Retryable when its cause is."""


class IncompleteCommit(ServiceUnavailable):
    """The connection broke after COMMIT was sent and before its answer arrived: the
    transaction may or may not have been committed, so it must not simply be run again."""


class ConnectionAcquisitionTimeout(BoltError):
    """No connection became free in time: the pool for that server is at its maximum size and
    every connection stayed in use for the whole acquisition timeout. Not retried by
    ``execute_read``/``execute_write`` (waiting longer is the caller's decision)."""


class AcquisitionDeadlineExceeded(ServiceUnavailable):
    """Getting a connection took longer than ``connection_acquisition_timeout``, which covers
    the whole acquisition (resolving the address, TCP, TLS, the handshake, HELLO/LOGON, the
    routing table). ``stage``: what was in progress when the time ran out; ``target``: what
    the connection was for; ``timeout``: the seconds allowed. Retried by
    ``execute_read``/``execute_write`` as any ``ServiceUnavailable``."""

    def __init__(self, message: str, *, stage: str = "", target: str = "",
                 timeout: float | None = None) -> None:
        super().__init__(message)
        self.stage = stage
        self.target = target
        self.timeout = timeout


class RoutingServiceUnavailable(ServiceUnavailable):
    """No router answered with a usable routing table."""


class SessionExpired(ServiceUnavailable):
    """The routing table has no server for this access mode right now (e.g. no writer while the
    cluster elects a leader). Retried by ``execute_read``/``execute_write``."""


class NotificationWarning(Warning):
    """A notification the server sent with a query, issued as a Python warning because its
    severity reached the driver's or session's ``warn_notification_severity`` (as the official
    driver's ``Neo4jWarning``). ``notification``: the
    :class:`~asyncbolt.client.notifications.SummaryNotification`; ``query``: its query text."""

    def __init__(self, notification: Any, query: str | None = None) -> None:
        self.notification = notification
        self.query = query
        super().__init__(f"{notification}" if query is None else f"{notification} in {query!r}")


class NotificationDeprecationWarning(NotificationWarning, DeprecationWarning):
    """A :class:`NotificationWarning` of the DEPRECATION classification (hidden by Python's
    default filters, as any DeprecationWarning outside ``__main__``)."""


# -- the reference decoder -------------------------------------------------------------------


class SchemaError(BoltError):
    """A spec violation found by the reference decoder (:mod:`asyncbolt.codec._schema`), with
    the byte ``offset`` and construct's ``path`` text; :mod:`asyncbolt.codec.schemas` turns it
    into a :class:`ProtocolError`. (Not a ``construct.ConstructError``: this module must not
    import construct, and no construct in the reference schemas catches its errors.)"""

    def __init__(self, message: str, offset: int | None, path: str | None) -> None:
        self.reason = message
        self.offset = offset
        self.path = path
        # (the text construct gives its own errors)
        super().__init__(message if path is None else f"Error in path {path}\n{message}")


# -- the tools -------------------------------------------------------------------------------


class InputError(Exception):
    """``asyncbolt inspect``: the input cannot be used at all (exit status 2)."""


class RecordingError(ValueError):
    """``asyncbolt script``: the recording cannot become a script (damaged, or a value the script
    cannot write)."""


class JoltError(ValueError):
    """``asyncbolt stub``: a script field that is not valid JOLT."""


class ScriptError(ValueError):
    """``asyncbolt stub``: a stub script that cannot be used; ``str()`` is ``path:line: what``."""

    def __init__(self, what: str, line: int | None = None, path: str | None = None) -> None:
        self.what = what
        self.line = line
        self.path = path
        where = path or "<script>"
        if line is not None:
            where += f":{line}"
        super().__init__(f"{where}: {what}")


# The stub server's control flow (asyncbolt.tools.stub.server): how one connection ends. Not
# errors anyone outside it sees.


class _StubExit(Exception):
    """The connection ends without an error (``<EXIT>``, a non-Bolt peer, a forced close)."""


class _StubFailure(Exception):
    """The connection ends with an error (a mismatch, a broken handshake...)."""


class _StubBroken(Exception):
    """The client went away."""


# The conformance checker's control flow (asyncbolt.tools.conformance): how one check ends.
# Not errors anyone outside it sees.


class _CheckFailed(Exception):
    """A conformance check found the server deviating from the spec (``str()``: what)."""


class _CheckSkipped(Exception):
    """A conformance check cannot run against this server (``str()``: why)."""
