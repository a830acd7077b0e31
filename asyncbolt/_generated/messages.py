# Generated from spec/packstream.yaml, spec/bolt.yaml by `python -m codegen` (make generate).
# Do not edit: change the spec and regenerate.
"""Bolt message classes and, per protocol version, which messages exist and how they look.

A class holds the union of its fields over every version; ``LAYOUTS`` says which fields are
on the wire in a given version.
"""

from __future__ import annotations

from typing import Any

from asyncbolt.codec.types import StructureBase
from asyncbolt.security import redact

Version = tuple[int, int]

__all__ = [
    "Message",
    "Init",
    "Hello",
    "Goodbye",
    "AckFailure",
    "Reset",
    "Run",
    "Begin",
    "Commit",
    "Rollback",
    "DiscardAll",
    "Discard",
    "PullAll",
    "Pull",
    "Telemetry",
    "Route",
    "Logon",
    "Logoff",
    "Success",
    "Record",
    "Ignored",
    "Failure",
    "MESSAGES",
    "REQUESTS",
    "RESPONSES",
    "LAYOUTS",
    "MESSAGE_VERSIONS",
]


class Message(StructureBase):
    """Base class of every Bolt message."""

    __slots__ = ()
    name: str = ""
    signature: int = -1
    direction: str = ""
    summary: bool = False
    #: Map fields that may carry secret keys (``secret: true`` in spec/bolt.yaml).
    secret_fields: tuple[str, ...] = ()

    def __repr__(self) -> str:
        # Auth tokens must never reach a log line, a traceback or a test report: the values
        # of secret keys are redacted in the fields that may carry them.
        if not self.secret_fields:
            return StructureBase.__repr__(self)
        args = ", ".join(
            f"{f}={redact(getattr(self, f)) if f in self.secret_fields else getattr(self, f)!r}"
            for f in self.fields)
        return f"{type(self).__name__}({args})"


class Init(Message):
    """INIT: Authenticate and initialise the connection (Bolt 1 and 2).

    Signature 0x01, request.
    Bolt 1.0-2.0: user_agent: String, auth_token: Map
    """

    __slots__ = ("user_agent", "auth_token", )
    name = "INIT"
    signature = 0x01
    direction = "request"
    summary = False
    fields = ("user_agent", "auth_token", )
    secret_fields = ("auth_token", )

    def __init__(
        self,
        user_agent: str,
        auth_token: dict[str, Any],
    ) -> None:
        self.user_agent = user_agent
        self.auth_token = auth_token


class Hello(Message):
    """HELLO: Initialise the connection; carries the auth token until 5.0.

    Signature 0x01, request.
    Bolt 3.0+: extra: Map
    """

    __slots__ = ("extra", )
    name = "HELLO"
    signature = 0x01
    direction = "request"
    summary = False
    fields = ("extra", )
    secret_fields = ("extra", )

    def __init__(
        self,
        extra: dict[str, Any],
    ) -> None:
        self.extra = extra


class Goodbye(Message):
    """GOODBYE: The client is closing the connection; no reply.

    Signature 0x02, request.
    Bolt 3.0+: no fields
    """

    __slots__ = ()
    name = "GOODBYE"
    signature = 0x02
    direction = "request"
    summary = False
    fields = ()


class AckFailure(Message):
    """ACK_FAILURE: Leave the FAILED state (Bolt 1 and 2).

    Signature 0x0E, request.
    Bolt 1.0-2.0: no fields
    """

    __slots__ = ()
    name = "ACK_FAILURE"
    signature = 0x0E
    direction = "request"
    summary = False
    fields = ()


class Reset(Message):
    """RESET: Abort current work and return to READY.

    Signature 0x0F, request.
    Bolt 1.0+: no fields
    """

    __slots__ = ()
    name = "RESET"
    signature = 0x0F
    direction = "request"
    summary = False
    fields = ()


class Run(Message):
    """RUN: Run a query.

    Signature 0x10, request.
    Bolt 1.0-2.0: query: String, parameters: Map
    Bolt 3.0+: query: String, parameters: Map, extra: Map
    """

    __slots__ = ("query", "parameters", "extra", )
    name = "RUN"
    signature = 0x10
    direction = "request"
    summary = False
    fields = ("query", "parameters", "extra", )

    def __init__(
        self,
        query: str,
        parameters: dict[str, Any],
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.query = query
        self.parameters = parameters
        self.extra = {} if extra is None else extra


class Begin(Message):
    """BEGIN: Open an explicit transaction.

    Signature 0x11, request.
    Bolt 3.0+: extra: Map
    """

    __slots__ = ("extra", )
    name = "BEGIN"
    signature = 0x11
    direction = "request"
    summary = False
    fields = ("extra", )

    def __init__(
        self,
        extra: dict[str, Any],
    ) -> None:
        self.extra = extra


class Commit(Message):
    """COMMIT: Commit the explicit transaction.

    Signature 0x12, request.
    Bolt 3.0+: no fields
    """

    __slots__ = ()
    name = "COMMIT"
    signature = 0x12
    direction = "request"
    summary = False
    fields = ()


class Rollback(Message):
    """ROLLBACK: Roll back the explicit transaction.

    Signature 0x13, request.
    Bolt 3.0+: no fields
    """

    __slots__ = ()
    name = "ROLLBACK"
    signature = 0x13
    direction = "request"
    summary = False
    fields = ()


class DiscardAll(Message):
    """DISCARD_ALL: Discard the rest of the result.

    Signature 0x2F, request.
    Bolt 1.0-3.0: no fields
    """

    __slots__ = ()
    name = "DISCARD_ALL"
    signature = 0x2F
    direction = "request"
    summary = False
    fields = ()


class Discard(Message):
    """DISCARD: Discard n records of a result (n = -1 for all).

    Signature 0x2F, request.
    Bolt 4.0+: extra: Map
    """

    __slots__ = ("extra", )
    name = "DISCARD"
    signature = 0x2F
    direction = "request"
    summary = False
    fields = ("extra", )

    def __init__(
        self,
        extra: dict[str, Any],
    ) -> None:
        self.extra = extra


class PullAll(Message):
    """PULL_ALL: Stream the rest of the result.

    Signature 0x3F, request.
    Bolt 1.0-3.0: no fields
    """

    __slots__ = ()
    name = "PULL_ALL"
    signature = 0x3F
    direction = "request"
    summary = False
    fields = ()


class Pull(Message):
    """PULL: Stream n records of a result (n = -1 for all).

    Signature 0x3F, request.
    Bolt 4.0+: extra: Map
    """

    __slots__ = ("extra", )
    name = "PULL"
    signature = 0x3F
    direction = "request"
    summary = False
    fields = ("extra", )

    def __init__(
        self,
        extra: dict[str, Any],
    ) -> None:
        self.extra = extra


class Telemetry(Message):
    """TELEMETRY: Which driver API ran the next work: 0 managed tx, 1 explicit tx, 2 implicit tx, 3
    execute_query.

    Signature 0x54, request.
    Bolt 5.4+: api: Integer
    """

    __slots__ = ("api", )
    name = "TELEMETRY"
    signature = 0x54
    direction = "request"
    summary = False
    fields = ("api", )

    def __init__(
        self,
        api: int,
    ) -> None:
        self.api = api


class Route(Message):
    """ROUTE: Ask for the routing table.

    Signature 0x66, request.
    Bolt 4.3: routing: Map, bookmarks: List<String>, db: String?
    Bolt 4.4+: routing: Map, bookmarks: List<String>, extra: Map
    """

    __slots__ = ("routing", "bookmarks", "db", "extra", )
    name = "ROUTE"
    signature = 0x66
    direction = "request"
    summary = False
    fields = ("routing", "bookmarks", "db", "extra", )

    def __init__(
        self,
        routing: dict[str, Any],
        bookmarks: list[str],
        db: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.routing = routing
        self.bookmarks = bookmarks
        self.db = db
        self.extra = {} if extra is None else extra


class Logon(Message):
    """LOGON: Authenticate (5.1+).

    Signature 0x6A, request.
    Bolt 5.1+: auth: Map
    """

    __slots__ = ("auth", )
    name = "LOGON"
    signature = 0x6A
    direction = "request"
    summary = False
    fields = ("auth", )
    secret_fields = ("auth", )

    def __init__(
        self,
        auth: dict[str, Any],
    ) -> None:
        self.auth = auth


class Logoff(Message):
    """LOGOFF: Drop the authentication (5.1+).

    Signature 0x6B, request.
    Bolt 5.1+: no fields
    """

    __slots__ = ()
    name = "LOGOFF"
    signature = 0x6B
    direction = "request"
    summary = False
    fields = ()


class Success(Message):
    """SUCCESS: The request succeeded.

    Signature 0x70, response.
    Bolt 1.0+: metadata: Map
    """

    __slots__ = ("metadata", )
    name = "SUCCESS"
    signature = 0x70
    direction = "response"
    summary = True
    fields = ("metadata", )

    def __init__(
        self,
        metadata: dict[str, Any],
    ) -> None:
        self.metadata = metadata


class Record(Message):
    """RECORD: One row of a result.

    Signature 0x71, response.
    Bolt 1.0+: data: List
    """

    __slots__ = ("data", )
    name = "RECORD"
    signature = 0x71
    direction = "response"
    summary = False
    fields = ("data", )

    def __init__(
        self,
        data: list[Any],
    ) -> None:
        self.data = data


class Ignored(Message):
    """IGNORED: The request was ignored (the connection is FAILED or INTERRUPTED).

    Signature 0x7E, response.
    Bolt 1.0+: no fields
    """

    __slots__ = ("metadata", )
    name = "IGNORED"
    signature = 0x7E
    direction = "response"
    summary = True
    fields = ("metadata", )

    def __init__(
        self,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.metadata = {} if metadata is None else metadata


class Failure(Message):
    """FAILURE: The request failed.

    Signature 0x7F, response.
    Bolt 1.0+: metadata: Map
    """

    __slots__ = ("metadata", )
    name = "FAILURE"
    signature = 0x7F
    direction = "response"
    summary = True
    fields = ("metadata", )

    def __init__(
        self,
        metadata: dict[str, Any],
    ) -> None:
        self.metadata = metadata


#: Every message class by Bolt name.
MESSAGES: dict[str, type[Message]] = {
    "INIT": Init,
    "HELLO": Hello,
    "GOODBYE": Goodbye,
    "ACK_FAILURE": AckFailure,
    "RESET": Reset,
    "RUN": Run,
    "BEGIN": Begin,
    "COMMIT": Commit,
    "ROLLBACK": Rollback,
    "DISCARD_ALL": DiscardAll,
    "DISCARD": Discard,
    "PULL_ALL": PullAll,
    "PULL": Pull,
    "TELEMETRY": Telemetry,
    "ROUTE": Route,
    "LOGON": Logon,
    "LOGOFF": Logoff,
    "SUCCESS": Success,
    "RECORD": Record,
    "IGNORED": Ignored,
    "FAILURE": Failure,
}

# Table 0: Bolt 1.0, 2.0
_REQUESTS_0: dict[int, type[Message]] = {
    0x01: Init,
    0x0E: AckFailure,
    0x0F: Reset,
    0x10: Run,
    0x2F: DiscardAll,
    0x3F: PullAll,
}
_RESPONSES_0: dict[int, type[Message]] = {
    0x70: Success,
    0x71: Record,
    0x7E: Ignored,
    0x7F: Failure,
}
_LAYOUTS_0: dict[type[Message], tuple[str, ...]] = {
    Init: ("user_agent", "auth_token", ),
    AckFailure: (),
    Reset: (),
    Run: ("query", "parameters", ),
    DiscardAll: (),
    PullAll: (),
    Success: ("metadata", ),
    Record: ("data", ),
    Ignored: (),
    Failure: ("metadata", ),
}

# Table 1: Bolt 3.0
_REQUESTS_1: dict[int, type[Message]] = {
    0x01: Hello,
    0x02: Goodbye,
    0x0F: Reset,
    0x10: Run,
    0x11: Begin,
    0x12: Commit,
    0x13: Rollback,
    0x2F: DiscardAll,
    0x3F: PullAll,
}
_RESPONSES_1: dict[int, type[Message]] = {
    0x70: Success,
    0x71: Record,
    0x7E: Ignored,
    0x7F: Failure,
}
_LAYOUTS_1: dict[type[Message], tuple[str, ...]] = {
    Hello: ("extra", ),
    Goodbye: (),
    Reset: (),
    Run: ("query", "parameters", "extra", ),
    Begin: ("extra", ),
    Commit: (),
    Rollback: (),
    DiscardAll: (),
    PullAll: (),
    Success: ("metadata", ),
    Record: ("data", ),
    Ignored: (),
    Failure: ("metadata", ),
}

# Table 2: Bolt 4.0, 4.1, 4.2
_REQUESTS_2: dict[int, type[Message]] = {
    0x01: Hello,
    0x02: Goodbye,
    0x0F: Reset,
    0x10: Run,
    0x11: Begin,
    0x12: Commit,
    0x13: Rollback,
    0x2F: Discard,
    0x3F: Pull,
}
_RESPONSES_2: dict[int, type[Message]] = {
    0x70: Success,
    0x71: Record,
    0x7E: Ignored,
    0x7F: Failure,
}
_LAYOUTS_2: dict[type[Message], tuple[str, ...]] = {
    Hello: ("extra", ),
    Goodbye: (),
    Reset: (),
    Run: ("query", "parameters", "extra", ),
    Begin: ("extra", ),
    Commit: (),
    Rollback: (),
    Discard: ("extra", ),
    Pull: ("extra", ),
    Success: ("metadata", ),
    Record: ("data", ),
    Ignored: (),
    Failure: ("metadata", ),
}

# Table 3: Bolt 4.3
_REQUESTS_3: dict[int, type[Message]] = {
    0x01: Hello,
    0x02: Goodbye,
    0x0F: Reset,
    0x10: Run,
    0x11: Begin,
    0x12: Commit,
    0x13: Rollback,
    0x2F: Discard,
    0x3F: Pull,
    0x66: Route,
}
_RESPONSES_3: dict[int, type[Message]] = {
    0x70: Success,
    0x71: Record,
    0x7E: Ignored,
    0x7F: Failure,
}
_LAYOUTS_3: dict[type[Message], tuple[str, ...]] = {
    Hello: ("extra", ),
    Goodbye: (),
    Reset: (),
    Run: ("query", "parameters", "extra", ),
    Begin: ("extra", ),
    Commit: (),
    Rollback: (),
    Discard: ("extra", ),
    Pull: ("extra", ),
    Route: ("routing", "bookmarks", "db", ),
    Success: ("metadata", ),
    Record: ("data", ),
    Ignored: (),
    Failure: ("metadata", ),
}

# Table 4: Bolt 4.4, 5.0
_REQUESTS_4: dict[int, type[Message]] = {
    0x01: Hello,
    0x02: Goodbye,
    0x0F: Reset,
    0x10: Run,
    0x11: Begin,
    0x12: Commit,
    0x13: Rollback,
    0x2F: Discard,
    0x3F: Pull,
    0x66: Route,
}
_RESPONSES_4: dict[int, type[Message]] = {
    0x70: Success,
    0x71: Record,
    0x7E: Ignored,
    0x7F: Failure,
}
_LAYOUTS_4: dict[type[Message], tuple[str, ...]] = {
    Hello: ("extra", ),
    Goodbye: (),
    Reset: (),
    Run: ("query", "parameters", "extra", ),
    Begin: ("extra", ),
    Commit: (),
    Rollback: (),
    Discard: ("extra", ),
    Pull: ("extra", ),
    Route: ("routing", "bookmarks", "extra", ),
    Success: ("metadata", ),
    Record: ("data", ),
    Ignored: (),
    Failure: ("metadata", ),
}

# Table 5: Bolt 5.1, 5.2, 5.3
_REQUESTS_5: dict[int, type[Message]] = {
    0x01: Hello,
    0x02: Goodbye,
    0x0F: Reset,
    0x10: Run,
    0x11: Begin,
    0x12: Commit,
    0x13: Rollback,
    0x2F: Discard,
    0x3F: Pull,
    0x66: Route,
    0x6A: Logon,
    0x6B: Logoff,
}
_RESPONSES_5: dict[int, type[Message]] = {
    0x70: Success,
    0x71: Record,
    0x7E: Ignored,
    0x7F: Failure,
}
_LAYOUTS_5: dict[type[Message], tuple[str, ...]] = {
    Hello: ("extra", ),
    Goodbye: (),
    Reset: (),
    Run: ("query", "parameters", "extra", ),
    Begin: ("extra", ),
    Commit: (),
    Rollback: (),
    Discard: ("extra", ),
    Pull: ("extra", ),
    Route: ("routing", "bookmarks", "extra", ),
    Logon: ("auth", ),
    Logoff: (),
    Success: ("metadata", ),
    Record: ("data", ),
    Ignored: (),
    Failure: ("metadata", ),
}

# Table 6: Bolt 5.4, 5.5, 5.6, 5.7, 5.8, 6.0, 6.1
_REQUESTS_6: dict[int, type[Message]] = {
    0x01: Hello,
    0x02: Goodbye,
    0x0F: Reset,
    0x10: Run,
    0x11: Begin,
    0x12: Commit,
    0x13: Rollback,
    0x2F: Discard,
    0x3F: Pull,
    0x54: Telemetry,
    0x66: Route,
    0x6A: Logon,
    0x6B: Logoff,
}
_RESPONSES_6: dict[int, type[Message]] = {
    0x70: Success,
    0x71: Record,
    0x7E: Ignored,
    0x7F: Failure,
}
_LAYOUTS_6: dict[type[Message], tuple[str, ...]] = {
    Hello: ("extra", ),
    Goodbye: (),
    Reset: (),
    Run: ("query", "parameters", "extra", ),
    Begin: ("extra", ),
    Commit: (),
    Rollback: (),
    Discard: ("extra", ),
    Pull: ("extra", ),
    Telemetry: ("api", ),
    Route: ("routing", "bookmarks", "extra", ),
    Logon: ("auth", ),
    Logoff: (),
    Success: ("metadata", ),
    Record: ("data", ),
    Ignored: (),
    Failure: ("metadata", ),
}

#: Per version: signature -> class of the requests a client may send.
REQUESTS: dict[Version, dict[int, type[Message]]] = {
    (1, 0): _REQUESTS_0,
    (2, 0): _REQUESTS_0,
    (3, 0): _REQUESTS_1,
    (4, 0): _REQUESTS_2,
    (4, 1): _REQUESTS_2,
    (4, 2): _REQUESTS_2,
    (4, 3): _REQUESTS_3,
    (4, 4): _REQUESTS_4,
    (5, 0): _REQUESTS_4,
    (5, 1): _REQUESTS_5,
    (5, 2): _REQUESTS_5,
    (5, 3): _REQUESTS_5,
    (5, 4): _REQUESTS_6,
    (5, 5): _REQUESTS_6,
    (5, 6): _REQUESTS_6,
    (5, 7): _REQUESTS_6,
    (5, 8): _REQUESTS_6,
    (6, 0): _REQUESTS_6,
    (6, 1): _REQUESTS_6,
}

#: Per version: signature -> class of the responses a server may send.
RESPONSES: dict[Version, dict[int, type[Message]]] = {
    (1, 0): _RESPONSES_0,
    (2, 0): _RESPONSES_0,
    (3, 0): _RESPONSES_1,
    (4, 0): _RESPONSES_2,
    (4, 1): _RESPONSES_2,
    (4, 2): _RESPONSES_2,
    (4, 3): _RESPONSES_3,
    (4, 4): _RESPONSES_4,
    (5, 0): _RESPONSES_4,
    (5, 1): _RESPONSES_5,
    (5, 2): _RESPONSES_5,
    (5, 3): _RESPONSES_5,
    (5, 4): _RESPONSES_6,
    (5, 5): _RESPONSES_6,
    (5, 6): _RESPONSES_6,
    (5, 7): _RESPONSES_6,
    (5, 8): _RESPONSES_6,
    (6, 0): _RESPONSES_6,
    (6, 1): _RESPONSES_6,
}

#: Per version: message class -> names of the fields on the wire, in order.
LAYOUTS: dict[Version, dict[type[Message], tuple[str, ...]]] = {
    (1, 0): _LAYOUTS_0,
    (2, 0): _LAYOUTS_0,
    (3, 0): _LAYOUTS_1,
    (4, 0): _LAYOUTS_2,
    (4, 1): _LAYOUTS_2,
    (4, 2): _LAYOUTS_2,
    (4, 3): _LAYOUTS_3,
    (4, 4): _LAYOUTS_4,
    (5, 0): _LAYOUTS_4,
    (5, 1): _LAYOUTS_5,
    (5, 2): _LAYOUTS_5,
    (5, 3): _LAYOUTS_5,
    (5, 4): _LAYOUTS_6,
    (5, 5): _LAYOUTS_6,
    (5, 6): _LAYOUTS_6,
    (5, 7): _LAYOUTS_6,
    (5, 8): _LAYOUTS_6,
    (6, 0): _LAYOUTS_6,
    (6, 1): _LAYOUTS_6,
}

#: Versions in which each message exists.
MESSAGE_VERSIONS: dict[type[Message], tuple[Version, ...]] = {
    Init: ((1, 0), (2, 0), ),
    Hello: ((3, 0), (4, 0), (4, 1), (4, 2), (4, 3), (4, 4), (5, 0), (5, 1), (5, 2), (5, 3), (5, 4), (5, 5), (5, 6), (5, 7), (5, 8), (6, 0), (6, 1), ),
    Goodbye: ((3, 0), (4, 0), (4, 1), (4, 2), (4, 3), (4, 4), (5, 0), (5, 1), (5, 2), (5, 3), (5, 4), (5, 5), (5, 6), (5, 7), (5, 8), (6, 0), (6, 1), ),
    AckFailure: ((1, 0), (2, 0), ),
    Reset: ((1, 0), (2, 0), (3, 0), (4, 0), (4, 1), (4, 2), (4, 3), (4, 4), (5, 0), (5, 1), (5, 2), (5, 3), (5, 4), (5, 5), (5, 6), (5, 7), (5, 8), (6, 0), (6, 1), ),
    Run: ((1, 0), (2, 0), (3, 0), (4, 0), (4, 1), (4, 2), (4, 3), (4, 4), (5, 0), (5, 1), (5, 2), (5, 3), (5, 4), (5, 5), (5, 6), (5, 7), (5, 8), (6, 0), (6, 1), ),
    Begin: ((3, 0), (4, 0), (4, 1), (4, 2), (4, 3), (4, 4), (5, 0), (5, 1), (5, 2), (5, 3), (5, 4), (5, 5), (5, 6), (5, 7), (5, 8), (6, 0), (6, 1), ),
    Commit: ((3, 0), (4, 0), (4, 1), (4, 2), (4, 3), (4, 4), (5, 0), (5, 1), (5, 2), (5, 3), (5, 4), (5, 5), (5, 6), (5, 7), (5, 8), (6, 0), (6, 1), ),
    Rollback: ((3, 0), (4, 0), (4, 1), (4, 2), (4, 3), (4, 4), (5, 0), (5, 1), (5, 2), (5, 3), (5, 4), (5, 5), (5, 6), (5, 7), (5, 8), (6, 0), (6, 1), ),
    DiscardAll: ((1, 0), (2, 0), (3, 0), ),
    Discard: ((4, 0), (4, 1), (4, 2), (4, 3), (4, 4), (5, 0), (5, 1), (5, 2), (5, 3), (5, 4), (5, 5), (5, 6), (5, 7), (5, 8), (6, 0), (6, 1), ),
    PullAll: ((1, 0), (2, 0), (3, 0), ),
    Pull: ((4, 0), (4, 1), (4, 2), (4, 3), (4, 4), (5, 0), (5, 1), (5, 2), (5, 3), (5, 4), (5, 5), (5, 6), (5, 7), (5, 8), (6, 0), (6, 1), ),
    Telemetry: ((5, 4), (5, 5), (5, 6), (5, 7), (5, 8), (6, 0), (6, 1), ),
    Route: ((4, 3), (4, 4), (5, 0), (5, 1), (5, 2), (5, 3), (5, 4), (5, 5), (5, 6), (5, 7), (5, 8), (6, 0), (6, 1), ),
    Logon: ((5, 1), (5, 2), (5, 3), (5, 4), (5, 5), (5, 6), (5, 7), (5, 8), (6, 0), (6, 1), ),
    Logoff: ((5, 1), (5, 2), (5, 3), (5, 4), (5, 5), (5, 6), (5, 7), (5, 8), (6, 0), (6, 1), ),
    Success: ((1, 0), (2, 0), (3, 0), (4, 0), (4, 1), (4, 2), (4, 3), (4, 4), (5, 0), (5, 1), (5, 2), (5, 3), (5, 4), (5, 5), (5, 6), (5, 7), (5, 8), (6, 0), (6, 1), ),
    Record: ((1, 0), (2, 0), (3, 0), (4, 0), (4, 1), (4, 2), (4, 3), (4, 4), (5, 0), (5, 1), (5, 2), (5, 3), (5, 4), (5, 5), (5, 6), (5, 7), (5, 8), (6, 0), (6, 1), ),
    Ignored: ((1, 0), (2, 0), (3, 0), (4, 0), (4, 1), (4, 2), (4, 3), (4, 4), (5, 0), (5, 1), (5, 2), (5, 3), (5, 4), (5, 5), (5, 6), (5, 7), (5, 8), (6, 0), (6, 1), ),
    Failure: ((1, 0), (2, 0), (3, 0), (4, 0), (4, 1), (4, 2), (4, 3), (4, 4), (5, 0), (5, 1), (5, 2), (5, 3), (5, 4), (5, 5), (5, 6), (5, 7), (5, 8), (6, 0), (6, 1), ),
}


def _unused(_: Any) -> None:  # keeps the Any import used when no field is Any
    return None
