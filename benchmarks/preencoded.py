"""The pre-encoded Bolt server the streaming benchmarks read from (client, columnar, frames): a
child process that answers RUN with the given fields and PULL with copies of one RECORD, encoded
once per connection in the negotiated version's layout (a Node has 3 fields before Bolt 5.0, 4
with element_id from 5.0), so that the server costs next to nothing and the client is measured.

The query's parameter ``n`` (or a number at the end of the query) says how many records.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

SERVER_AGENT = "Neo4j/5.26.0"


def serve(port_queue: Any, fields: list[str], row: Callable[[], list]) -> None:
    """Child process: serve on a free port of 127.0.0.1 (put on ``port_queue``) until killed.
    ``row`` (a module-level function, so that it pickles) makes the record's values."""
    from asyncbolt.codec.messages import Record
    from asyncbolt.codec.packstream import get_codec
    from asyncbolt.core.framing import chunk_message
    from asyncbolt.core.server import Closed, ServerConnection

    final = {"type": "r", "t_last": 0, "db": "neo4j"}

    class Proto(asyncio.Protocol):
        def connection_made(self, transport: Any) -> None:
            self.transport = transport
            self.conn = ServerConnection()
            self.record: bytes | None = None
            self.batches: dict[int, bytes] = {}
            self.left = 0  # records of the open result still to send

        def data_received(self, data: bytes) -> None:
            conn = self.conn
            conn.receive_data(data)
            while True:
                event = conn.next_event()
                if event is None:
                    break
                if isinstance(event, Closed):
                    self._flush()
                    self.transport.close()
                    return
                self._answer(event)
            self._flush()

        def connection_lost(self, exc: Exception | None) -> None:
            self.conn.receive_data(b"")

        def _flush(self) -> None:
            data = self.conn.data_to_send()
            if data:
                self.transport.write(data)

        def _answer(self, request: Any) -> None:
            conn = self.conn
            name = request.name
            message = request.message
            if name == "HELLO":
                conn.success({"server": SERVER_AGENT, "connection_id": "bolt-1"})
            elif name == "RUN":
                n = (message.parameters or {}).get("n")
                self.left = int(n if n is not None else message.query.split()[-1])
                conn.success({"fields": fields, "t_first": 0})
            elif name in ("PULL", "PULL_ALL"):
                n = message.extra.get("n", -1) if name == "PULL" else -1
                k = self.left if n < 0 else min(n, self.left)
                self.left -= k
                if k:
                    # Whatever the connection holds (the RUN's SUCCESS) goes before the records.
                    self._flush()
                    self.transport.write(self._batch(k))
                conn.success({"has_more": True} if self.left else final)
            elif name in ("DISCARD", "DISCARD_ALL"):
                self.left = 0
                conn.success(final)
            else:  # LOGON, RESET, BEGIN, COMMIT, ROLLBACK, ROUTE, TELEMETRY...
                conn.success({})

        def _batch(self, k: int) -> bytes:
            batch = self.batches.get(k)
            if batch is None:
                if self.record is None:
                    payload = get_codec(self.conn.version).pack_message(Record(row()))
                    self.record = chunk_message(payload)
                batch = self.batches[k] = self.record * k
            return batch

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(Proto, "127.0.0.1", 0)
        port_queue.put(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(main())
