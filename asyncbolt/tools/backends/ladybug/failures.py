"""LadybugDB's errors as Bolt FAILUREs.

**Errors.** Ladybug's messages become FAILUREs with the Neo4j code a driver maps to the right
exception (see :func:`map_error`): parser errors -> ``Statement.SyntaxError``, unknown
variables/functions -> ``SyntaxError``, other binder errors (unknown table or property) ->
``SemanticError``, a parameter the query names but the client did not send ->
``ParameterMissing``, primary-key duplicates and deleting connected nodes ->
``Schema.ConstraintValidationFailed``, a write in a read transaction -> ``Statement.AccessMode``;
storage trouble -> ``Neo.DatabaseError.General.UnknownError``; the message is Ladybug's (a
table that does not exist: with how to create it).
"""

from __future__ import annotations

import re

from asyncbolt.errors import ClientError, DatabaseError, Neo4jError, TransientError

__all__ = ["map_error", "BUSY"]

#: How Ladybug's message begins when a second write transaction is refused.
BUSY = "Cannot start a new write transaction"
_ERROR_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Parser exception"), "Neo.ClientError.Statement.SyntaxError"),
    (re.compile(r"^Parameter .* not found"), "Neo.ClientError.Statement.ParameterMissing"),
    (re.compile(r"violates the uniqueness constraint|duplicated primary key|"
                r"expects primary key .* as input|has connected edges|non-null constraint|"
                r"primary key .* cannot be null|violat", re.I),
     "Neo.ClientError.Schema.ConstraintValidationFailed"),
    (re.compile(r"already exists in catalog", re.I),
     "Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists"),
    (re.compile(r"^Binder exception: Variable .* (is not in scope|not defined)", re.I),
     "Neo.ClientError.Statement.SyntaxError"),
    (re.compile(r"function .* does not exist", re.I), "Neo.ClientError.Statement.SyntaxError"),
    (re.compile(r"^Binder exception: Cannot match a built-in function", re.I),
     "Neo.ClientError.Statement.TypeError"),
    (re.compile(r"^Binder exception: No file found", re.I),
     "Neo.ClientError.Statement.ExternalResourceFailed"),
    (re.compile(r"^(Binder|Catalog) exception"), "Neo.ClientError.Statement.SemanticError"),
    (re.compile(r"write query inside a read-only transaction|read.only", re.I),
     "Neo.ClientError.Statement.AccessMode"),
    (re.compile(r"Divide by zero|^Overflow exception", re.I), "Neo.ClientError.Statement.ArithmeticError"),
    (re.compile(r"^Conversion exception"), "Neo.ClientError.Statement.ArgumentError"),
    (re.compile(r"Cannot convert Python object|Unable to cast Python instance|"
                r"Unknown parameter type|vector with ANY type", re.I),
     "Neo.ClientError.Statement.TypeError"),
    (re.compile(r"^Runtime exception|^Copy exception"), "Neo.ClientError.Statement.ExecutionFailed"),
    (re.compile(r"^Interrupted"), "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration"),
    (re.compile(r"^" + BUSY), "Neo.TransientError.Transaction.LockAcquisitionTimeout"),
]
_NO_TABLE = re.compile(r"^Binder exception: Table (\S+) does not exist\.?$")
_ERROR_CLASSES = {"ClientError": ClientError, "TransientError": TransientError,
                  "DatabaseError": DatabaseError}


def map_error(exc: BaseException) -> Neo4jError:
    """The Bolt FAILURE for an exception raised by Ladybug: a Neo4j code, Ladybug's message."""
    if isinstance(exc, Neo4jError):
        return exc
    message = str(exc).strip() or type(exc).__name__
    code = "Neo.DatabaseError.General.UnknownError"
    if isinstance(exc, (ValueError, TypeError)):
        code = "Neo.ClientError.Statement.TypeError"
        message = f"LadybugDB cannot take these parameters: {message}"
    else:
        for pattern, candidate in _ERROR_RULES:
            if pattern.search(message):
                code = candidate
                break
    table = _NO_TABLE.match(message)
    if table:
        message += (f" LadybugDB needs a table for each label and relationship type before a "
                    f"query uses it: create it first (CREATE NODE TABLE {table.group(1)}(...) or "
                    f"CREATE REL TABLE {table.group(1)}(FROM ... TO ...)), e.g. in the schema "
                    "script of `asyncbolt serve --init FILE`.")
    if code == "Neo.ClientError.Statement.ParameterMissing":
        m = re.match(r"Parameter (.*) not found", message)
        if m:
            message = f"Expected parameter(s): {m.group(1)}"
    return _ERROR_CLASSES[code.split(".")[1]](code, message)
