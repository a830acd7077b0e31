"""The asyncio Bolt client: ``connect()`` (``connect``), ``Connection`` (``connection``), results
(``result``), transactions (``transaction``), the driver with sessions and retries (``driver``),
its pool (``pool``), routing tables (``routing``) and auth tokens (``auth``)."""

from asyncbolt.client.connect import connect, parse_uri
from asyncbolt.client.connection import (
    DEFAULT_FETCH_SIZE,
    DEFAULT_PORT,
    Connection,
    IncompleteCommit,
    RequestIgnored,
    ResultConsumedError,
)
from asyncbolt.client.result import Counters, Record, Result, Summary
from asyncbolt.client.transaction import Transaction
from asyncbolt.compat.client import ClientResponse, ClientSession

__all__ = ["connect", "Connection", "Result", "Record", "Summary", "Counters", "Transaction",
           "RequestIgnored", "ResultConsumedError", "IncompleteCommit", "parse_uri",
           "ClientSession", "ClientResponse", "DEFAULT_PORT", "DEFAULT_FETCH_SIZE"]
