"""One conversation, played by two clients (asyncbolt and the official neo4j driver): recorded
through ``asyncbolt proxy --record`` against asyncbolt's server, then replayed against a stub
server playing the script ``asyncbolt script`` made of the recording (test_script.py).

Each client does the same work whatever serves it, so the replay must match the recording."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncbolt

#: Parameters with a value of every kind the script language writes.
PARAMS: dict[str, Any] = {"a": 1, "big": 2 ** 40, "f": 1.5, "s": "x*y\\z", "b": b"\x01\x02",
                          "l": [1, None, True], "m": {"Z": 3, "k": "v"}, "one": {"T": "not a sigil value"}}


async def asyncbolt_work(uri: str, version: tuple[int, int]) -> list:
    """The asyncbolt client's share: what it read, for comparing the replay with the recording."""
    seen: list = []
    conn = await asyncio.wait_for(asyncbolt.connect(uri, auth=("neo4j", "s3cret"), versions=[version]), 10)
    try:
        for query, params in (("ECHO", PARAMS), ("GRAPH", {}), ("TEMPORAL", {}), ("SPATIAL", {}),
                              ("STREAM 3", {})):
            seen.append(await (await conn.run(query, params)).values())
        try:
            await (await conn.run("FAIL")).values()
        except asyncbolt.ClientError as exc:
            seen.append(exc.code)
        async with conn.begin(metadata={"app": "t"}) as tx:
            seen.append(await (await tx.run("WRITE")).values())
    finally:
        await conn.close()
    return seen


def neo4j_work(uri: str) -> list:
    """The official driver's share (blocking: run it in a thread)."""
    import neo4j

    seen: list = []
    with neo4j.GraphDatabase.driver(uri, auth=("neo4j", "s3cret"), max_connection_pool_size=1) as driver:
        with driver.session() as session:
            for query, params in (("ECHO", PARAMS), ("GRAPH", {}), ("TEMPORAL", {}), ("SPATIAL", {})):
                seen.append([repr(v) for v in session.run(query, params).values()])
            seen.append(session.execute_write(lambda tx: tx.run("WRITE").values()))
    return seen
