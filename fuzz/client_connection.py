"""Fuzz target: the asyncio client (``asyncbolt.client.connection.Connection``) fed arbitrary server byte
streams over a fake transport, split at arbitrary points, while a caller connects and runs a
query (or a transaction, or a routing request).

Input layout (6-byte header, then the server's bytes):

* byte 0: how the stream starts: 0 as given (the fuzzer must find a handshake answer itself),
  1 a valid classic handshake answer for the chosen version, then HELLO's SUCCESS (and
  LOGON's from 5.1);
* byte 1: the version (index into the versions the client offers);
* byte 2: what the caller does (low 2 bits: run + values, run + consume, transaction, route;
  next 2 bits: fetch_size 1, 2, 1000 or -1);
* bytes 3-5: seed of the points where the stream is cut into ``data_received`` calls.

What must hold: the caller ends (within a second of the stream ending, at the latest when the
connection is lost) with a result or an asyncbolt error (``BoltError``), never another
exception; nothing reaches asyncio's exception handler; after the connection is lost, the
connection is closed. (Limits are small so that memory stays bounded: max_buffered_bytes 1 MiB.)

    python -m fuzz.client_connection [libFuzzer args]
"""

from __future__ import annotations

import asyncio
import gc
import random
import sys
from typing import Any

from fuzz._common import chunked, instrumenting, main

with instrumenting():
    from asyncbolt._generated.versions import VERSIONS
    from asyncbolt.client.connect import DEFAULT_PROPOSALS
    from asyncbolt.client.connection import Connection
    from asyncbolt.client.opening import _hello, _Protocol
    from asyncbolt.codec.messages import Record, Success
    from asyncbolt.codec.packstream import get_codec
    from asyncbolt.core.handshake import encode_version
    from asyncbolt.errors import BoltError

NAME = "client_connection"
HEADER = 6
CLIENT_VERSIONS = tuple(v for v in VERSIONS if v >= (3, 0) and v != (5, 5))
FETCH = (1, 2, 1000, -1)
_loop: asyncio.AbstractEventLoop | None = None


class FakeTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written = bytearray()
        self.closed = False

    def write(self, data: Any) -> None:
        if len(self.written) < 1 << 20:
            self.written += data

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:  # the client pauses while a long message decodes off the loop
        pass

    def resume_reading(self) -> None:
        pass

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default


async def caller(conn: Connection, action: int, fetch_size: int) -> None:
    await conn._handshake_done
    await _hello(conn)
    what = action & 3
    if what == 0:
        await (await conn.run("RETURN 1 AS x", fetch_size=fetch_size)).values()
    elif what == 1:
        result = await conn.run("RETURN 1 AS x", fetch_size=fetch_size)
        await result.keys()
        await result.consume()
    elif what == 2:
        async with conn.begin() as tx:
            await (await tx.run("RETURN 1 AS x", fetch_size=fetch_size)).single(strict=False)
    else:
        await conn.route()


async def scenario(data: bytes) -> None:
    kind, vi, action = data[0], data[1], data[2]
    seed = int.from_bytes(data[3:6], "big")
    version = CLIENT_VERSIONS[vi % len(CLIENT_VERSIONS)]
    stream = data[HEADER:]
    if kind & 1:
        stream = valid_start(version) + stream
    conn = Connection(host="fuzz", port=7687, auth={"scheme": "none"}, user_agent="fuzz/1",
                      fetch_size=FETCH[(action >> 2) & 3], routing={"address": "fuzz:7687"},
                      proposals=list(DEFAULT_PROPOSALS), manifest=True,
                      max_buffered_bytes=1 << 20, read_timeout=None)
    protocol = _Protocol(conn)
    transport = FakeTransport()
    protocol.connection_made(transport)
    task = asyncio.ensure_future(caller(conn, action, conn.fetch_size))
    rng = random.Random(seed)
    pos = 0
    while pos < len(stream):
        step = rng.choice((1, 2, 3, 7, 64, 4096))
        protocol.data_received(stream[pos:pos + step])
        pos += step
        if rng.random() < 0.3:
            await asyncio.sleep(0)
    for _ in range(5):
        await asyncio.sleep(0)
    protocol.connection_lost(None)
    try:
        await asyncio.wait_for(task, 1.0)
    except BoltError:
        pass
    if not conn.closed:
        raise AssertionError("the connection is not closed after connection_lost")


def valid_start(version: tuple[int, int]) -> bytes:
    codec = get_codec(version)
    out = encode_version(version) + chunked(codec.pack_message(Success({"server": "Fuzz/1",
                                                                        "connection_id": "b-1"})))
    if version >= (5, 1):
        out += chunked(codec.pack_message(Success({})))
    return out


def test_one_input(data: bytes) -> None:
    global _loop
    if len(data) < HEADER:
        return
    if _loop is None:
        _loop = asyncio.new_event_loop()
    seen: list[dict] = []
    _loop.set_exception_handler(lambda _l, context: seen.append(context))
    _loop.run_until_complete(scenario(data))
    # Let callbacks scheduled by the close run and collect this input's garbage (a future
    # whose exception nobody retrieved is reported when it is collected), then nothing may
    # have been logged.
    _loop.run_until_complete(asyncio.sleep(0))
    gc.collect()
    if seen:
        raise AssertionError(f"asyncio's exception handler saw: {seen[0]}")


def _header(kind: int, version: tuple[int, int], action: int, seed: int) -> bytes:
    return bytes([kind, CLIENT_VERSIONS.index(version), action]) + seed.to_bytes(3, "big")


def seeds() -> list[bytes]:
    out = []
    for version in CLIENT_VERSIONS:
        codec = get_codec(version)

        def msgs(*messages: Any) -> bytes:
            return b"".join(chunked(codec.pack_message(m)) for m in messages)  # noqa: B023

        query = msgs(Success({"fields": ["x"], "t_first": 1}), Record([1]),
                     Success({"type": "r", "t_last": 0, "bookmark": "b1", "stats": {"nodes-created": 1}}))
        more = msgs(Success({"fields": ["x"]}), Record([1]), Success({"has_more": True}),
                    Record([2]), Success({"type": "r"}))
        route = msgs(Success({"rt": {"ttl": 300, "servers": [
            {"role": "ROUTE", "addresses": ["a:1"]}, {"role": "READ", "addresses": ["b:2"]}]}}))
        tx = msgs(Success({}), Success({"fields": ["x"]}), Record([1]), Success({}),
                  Success({"bookmark": "b2"}))
        for action, body in ((0, query), (1, query), (4, more), (5, more), (2, tx), (3, route)):
            out.append(_header(1, version, action, 0) + body)
            out.append(_header(1, version, action, 5) + body[: len(body) // 2])
        out.append(_header(0, version, 0, 1) + valid_start(version) + query)
        out.append(_header(1, version, 12, 2) + msgs(Success({"fields": ["x"]})) + b"\x00\x00" * 4
                   + msgs(Record([1]), Record([2]), Success({})))
    return out


if __name__ == "__main__":
    main(test_one_input, seeds, NAME, sys.argv)
