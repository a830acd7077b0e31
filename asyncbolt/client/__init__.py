"""The asyncio Bolt client: ``connect()`` and ``Connection`` (``connection``), the driver
(``driver``) with its sessions, transactions and retries (``session``), its pool (``pool``),
routing tables (``routing``) and auth tokens (``auth``)."""

from asyncbolt.client.connection import (
    DEFAULT_FETCH_SIZE,
    DEFAULT_PORT,
    ClientResponse,
    ClientSession,
    Connection,
    Counters,
    IncompleteCommit,
    Record,
    RequestIgnored,
    Result,
    ResultConsumedError,
    Summary,
    Transaction,
    connect,
    parse_uri,
)

__all__ = ["connect", "Connection", "Result", "Record", "Summary", "Counters", "Transaction",
           "RequestIgnored", "ResultConsumedError", "IncompleteCommit", "parse_uri",
           "ClientSession", "ClientResponse", "DEFAULT_PORT", "DEFAULT_FETCH_SIZE"]
