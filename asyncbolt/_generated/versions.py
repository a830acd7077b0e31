# Generated from spec/packstream.yaml, spec/bolt.yaml by `python -m codegen` (make generate).
# Do not edit: change the spec and regenerate.
"""Bolt versions, patches, handshake constants and the well-known keys of message maps."""

from __future__ import annotations

Version = tuple[int, int]

#: Every Bolt version the spec describes, oldest first.
VERSIONS: tuple[Version, ...] = (
    (1, 0),  # Neo4j 3.0
    (2, 0),  # Neo4j 3.4
    (3, 0),  # Neo4j 3.5
    (4, 0),  # Neo4j 4.0
    (4, 1),  # Neo4j 4.1
    (4, 2),  # Neo4j 4.2
    (4, 3),  # Neo4j 4.3
    (4, 4),  # Neo4j 4.4
    (5, 0),  # Neo4j 5.0
    (5, 1),  # Neo4j 5.5
    (5, 2),  # Neo4j 5.7
    (5, 3),  # Neo4j 5.9
    (5, 4),  # Neo4j 5.13
    (5, 5),  # Neo4j -
    (5, 6),  # Neo4j 5.23
    (5, 7),  # Neo4j 5.26
    (5, 8),  # Neo4j 5.26
    (6, 0),  # Neo4j 2025.10
    (6, 1),  # Neo4j -
)

#: Versions a server may choose (5.5 was withdrawn and is never negotiated).
SERVER_VERSIONS: tuple[Version, ...] = (
    (1, 0),
    (2, 0),
    (3, 0),
    (4, 0),
    (4, 1),
    (4, 2),
    (4, 3),
    (4, 4),
    (5, 0),
    (5, 1),
    (5, 2),
    (5, 3),
    (5, 4),
    (5, 6),
    (5, 7),
    (5, 8),
    (6, 0),
    (6, 1),
)

#: Versions that real clients only reach through the handshake manifest.
MANIFEST_ONLY: frozenset[Version] = frozenset({
    (6, 0),
    (6, 1),
})

#: The Neo4j release a server speaking each version names (spec: ``announce``, else the release
#: the version came with, else the one before's). A server's default agent announces it as
#: ``Neo4j/X.Y.0``, the form every client since Bolt 1 accepts (older drivers refuse or cannot
#: parse any other product).
NEO4J_RELEASES: dict[Version, str] = {
    (1, 0): "3.5",
    (2, 0): "3.5",
    (3, 0): "3.5",
    (4, 0): "4.0",
    (4, 1): "4.1",
    (4, 2): "4.2",
    (4, 3): "4.3",
    (4, 4): "4.4",
    (5, 0): "5.0",
    (5, 1): "5.5",
    (5, 2): "5.7",
    (5, 3): "5.9",
    (5, 4): "5.13",
    (5, 5): "5.13",
    (5, 6): "5.23",
    (5, 7): "5.26",
    (5, 8): "5.26",
    (6, 0): "2025.10",
    (6, 1): "2025.10",
}

#: Patches a connection may negotiate, with the versions that allow them (inclusive).
PATCHES: dict[str, tuple[Version, Version | None]] = {
    "utc": ((4, 3), (4, 4)),
}

#: Codec profiles: a version plus the patches in force.
PROFILES: tuple[str, ...] = (
    "1.0",
    "2.0",
    "3.0",
    "4.0",
    "4.1",
    "4.2",
    "4.3",
    "4.3+utc",
    "4.4",
    "4.4+utc",
    "5.0",
    "5.1",
    "5.2",
    "5.3",
    "5.4",
    "5.5",
    "5.6",
    "5.7",
    "5.8",
    "6.0",
    "6.1",
)

#: The 4 bytes that open every Bolt connection.
MAGIC = bytes([96, 96, 176, 23])
#: Proposal slots after the magic (4 bytes each).
PROPOSALS = 4
#: A server's answer when it takes none of the proposals.
NO_VERSION = bytes([0, 0, 0, 0])
#: Byte 3 of a proposal that asks for a handshake manifest (byte 2: the manifest version).
MANIFEST_MARKER = 0xFF
MANIFEST_VERSIONS: tuple[int, ...] = (1,)
#: The proposal (and the server's answer) that selects handshake manifest v1.
MANIFEST_V1 = bytes([0, 0, 1, MANIFEST_MARKER])

#: Protocol features the runtime asks about (spec: features): name -> (first version, last
#: version or None). Ask with :func:`has`; no hand-written code compares version numbers.
FEATURES: dict[str, tuple[Version, Version | None]] = {
    # HELLO (with an extra map) opens a connection; before it, INIT (message HELLO)
    "hello": ((3, 0), None),
    # GOODBYE before closing (message GOODBYE)
    "goodbye": ((3, 0), None),
    # BEGIN, COMMIT and ROLLBACK (before: RUN 'BEGIN') (message BEGIN)
    "explicit_tx": ((3, 0), None),
    # RUN and BEGIN carry an extra map (bookmarks, mode, timeout, metadata) (field RUN.extra)
    "tx_extra": ((3, 0), None),
    # an auto-commit query's last SUCCESS names its transaction by a bookmark
    "autocommit_bookmarks": ((3, 0), None),
    # PULL and DISCARD {n} fetch a result in batches (before: PULL_ALL, DISCARD_ALL) (key pull_extra.n)
    "pull_n": ((4, 0), None),
    # a transaction's results stay open side by side, each named by its qid (key pull_extra.qid)
    "qid": ((4, 0), None),
    # several databases: RUN/BEGIN name one by db (key tx_extra.db)
    "multi_db": ((4, 0), None),
    # an empty chunk (00 00) between messages is a NOOP keep-alive
    "noop_chunks": ((4, 1), None),
    # a server reads a proposal's minor byte (before: the major alone)
    "handshake_minor": ((4, 0), None),
    # byte 1 of a proposal is a range of minors
    "handshake_ranges": ((4, 3), None),
    # servers read a proposal's range from 4.2 on (a backport; before, only its top version): the client spells out the versions below
    "handshake_ranges_read": ((4, 2), None),
    # the handshake manifest (proposal 00 00 01 FF) may be answered
    "manifest": ((5, 7), None),
    # ROUTE asks for a routing table (before: the routing procedures) (message ROUTE)
    "route_message": ((4, 3), None),
    # ROUTE names the database and user in an extra map (4.3: a db field) (field ROUTE.extra)
    "route_extra": ((4, 4), None),
    # LOGON/LOGOFF carry the credentials (before: HELLO or INIT) (message LOGON)
    "logon": ((5, 1), None),
    # TELEMETRY tells the server which driver API runs the work (message TELEMETRY)
    "telemetry": ((5, 4), None),
    # the SUCCESS of BEGIN and of an auto-commit RUN names the database (db) the server resolved the work to: a client may leave db out and learn the home database from the answer
    "home_db_resolution": ((5, 8), None),
    # FAILURE carries GQL status, description and diagnostic record (key failure_metadata.gql_status)
    "gql_errors": ((5, 7), None),
    # nodes and relationships carry string element ids
    "element_ids": ((5, 0), None),
    # DateTime and DateTimeZoneId are UTC based (before: local, or UTC with the utc patch)
    "utc_datetime": ((5, 0), None),
}

RANGES_SINCE: Version = FEATURES["handshake_ranges"][0]
MANIFEST_SINCE: Version = FEATURES["manifest"][0]
NOOP_CHUNKS_SINCE: Version = FEATURES["noop_chunks"][0]


def has(feature: str, version: Version) -> bool:
    """Whether Bolt ``version`` has ``feature`` (a :data:`FEATURES` name; KeyError otherwise)."""
    low, high = FEATURES[feature]
    return low <= version and (high is None or version <= high)


def since(feature: str) -> Version:
    """The first version that has ``feature``."""
    return FEATURES[feature][0]


def key_holds(table: str, key: str, version: Version) -> bool:
    """Whether the well-known ``key`` of the map ``table`` (:data:`MAP_KEYS`) exists in Bolt
    ``version`` (KeyError for a key the table does not name)."""
    _, low, high = MAP_KEYS[table][key]
    return low <= version and (high is None or version <= high)


def key_range(table: str, key: str) -> tuple[Version, Version | None]:
    """The first and last version (None: open-ended) of the well-known ``key`` of ``table``."""
    _, low, high = MAP_KEYS[table][key]
    return low, high


def known_key(table: str, key: str) -> bool:
    """Whether the map ``table`` names ``key`` (other keys are legal on the wire, unchecked)."""
    return key in MAP_KEYS[table]


def patch_holds(patch: str, version: Version) -> bool:
    """Whether Bolt ``version`` may negotiate ``patch`` (:data:`PATCHES`)."""
    low, high = PATCHES[patch]
    return low <= version and (high is None or version <= high)


#: Well-known keys of message maps: table -> key -> (type, first version, last version or None).
MAP_KEYS: dict[str, dict[str, tuple[str, Version, Version | None]]] = {
    "auth": {
        "scheme": ("String", (1, 0), None),
        "principal": ("String", (1, 0), None),
        "credentials": ("String", (1, 0), None),
        "realm": ("String", (1, 0), None),
        "parameters": ("Map", (1, 0), None),
    },
    "hello_extra": {
        "user_agent": ("String", (3, 0), None),
        "scheme": ("String", (3, 0), (5, 0)),
        "principal": ("String", (3, 0), (5, 0)),
        "credentials": ("String", (3, 0), (5, 0)),
        "realm": ("String", (3, 0), (5, 0)),
        "parameters": ("Map", (3, 0), (5, 0)),
        "routing": ("Map?", (4, 1), None),
        "patch_bolt": ("List<String>", (4, 3), (4, 4)),
        "notifications_minimum_severity": ("String?", (5, 2), None),
        "notifications_disabled_categories": ("List<String>?", (5, 2), (5, 4)),
        "notifications_disabled_classifications": ("List<String>?", (5, 5), None),
        "bolt_agent": ("Map", (5, 3), None),
    },
    "tx_extra": {
        "bookmarks": ("List<String>", (3, 0), None),
        "tx_timeout": ("Integer", (3, 0), None),
        "tx_metadata": ("Map", (3, 0), None),
        "mode": ("String", (3, 0), None),
        "db": ("String?", (4, 0), None),
        "imp_user": ("String?", (4, 4), None),
        "notifications_minimum_severity": ("String?", (5, 2), None),
        "notifications_disabled_categories": ("List<String>?", (5, 2), (5, 4)),
        "notifications_disabled_classifications": ("List<String>?", (5, 5), None),
    },
    "pull_extra": {
        "n": ("Integer", (4, 0), None),
        "qid": ("Integer", (4, 0), None),
    },
    "route_extra": {
        "db": ("String?", (4, 4), None),
        "imp_user": ("String?", (4, 4), None),
    },
    "success_metadata": {
        "server": ("String", (1, 0), None),
        "connection_id": ("String", (3, 0), None),
        "hints": ("Map", (4, 3), None),
        "patch_bolt": ("List<String>", (4, 3), (4, 4)),
        "protocol_version": ("String", (5, 7), None),
        "credentials_expired": ("Boolean", (5, 1), None),
        "advertised_address": ("String", (5, 8), None),
        "fields": ("List<String>", (1, 0), None),
        "result_available_after": ("Integer", (1, 0), (2, 0)),
        "result_consumed_after": ("Integer", (1, 0), (2, 0)),
        "t_first": ("Integer", (3, 0), None),
        "t_last": ("Integer", (3, 0), None),
        "qid": ("Integer", (4, 0), None),
        "has_more": ("Boolean", (4, 0), None),
        "bookmark": ("String", (1, 0), None),
        "db": ("String", (4, 0), None),
        "type": ("String", (1, 0), None),
        "stats": ("Map", (1, 0), None),
        "plan": ("Map", (1, 0), None),
        "profile": ("Map", (1, 0), None),
        "notifications": ("List<Map>", (1, 0), (5, 4)),
        "statuses": ("List<Map>", (5, 5), None),
        "rt": ("Map", (4, 3), None),
    },
    "stats": {
        "nodes-created": ("Integer", (1, 0), None),
        "nodes-deleted": ("Integer", (1, 0), None),
        "relationships-created": ("Integer", (1, 0), None),
        "relationships-deleted": ("Integer", (1, 0), None),
        "properties-set": ("Integer", (1, 0), None),
        "labels-added": ("Integer", (1, 0), None),
        "labels-removed": ("Integer", (1, 0), None),
        "indexes-added": ("Integer", (1, 0), None),
        "indexes-removed": ("Integer", (1, 0), None),
        "constraints-added": ("Integer", (1, 0), None),
        "constraints-removed": ("Integer", (1, 0), None),
        "system-updates": ("Integer", (1, 0), None),
        "contains-updates": ("Boolean", (1, 0), None),
        "contains-system-updates": ("Boolean", (1, 0), None),
    },
    "routing_table": {
        "ttl": ("Integer", (1, 0), None),
        "db": ("String", (4, 4), None),
        "servers": ("List<Map>", (1, 0), None),
    },
    "routing_server": {
        "addresses": ("List<String>", (1, 0), None),
        "role": ("String", (1, 0), None),
    },
    "hints": {
        "connection.recv_timeout_seconds": ("Integer", (4, 3), None),
        "telemetry.enabled": ("Boolean", (5, 4), None),
        "ssr.enabled": ("Boolean", (5, 8), None),
    },
    "failure_metadata": {
        "code": ("String", (1, 0), (5, 6)),
        "message": ("String", (1, 0), None),
        "neo4j_code": ("String", (5, 7), None),
        "gql_status": ("String", (5, 7), None),
        "description": ("String", (5, 7), None),
        "diagnostic_record": ("Map", (5, 7), None),
        "cause": ("Map", (5, 7), None),
    },
}

#: Keys whose values are secrets: redact them in logs and dumps.
SECRET_KEYS: frozenset[str] = frozenset({
    "credentials",
})
