"""An explicit transaction whose connection broke is over, as the official drivers see it: the
query that met the break raises ServiceUnavailable, every later use of the transaction a
``TransactionError`` caused by the break, and the session forgets it, so the next
``begin_transaction`` gets a new connection."""

from __future__ import annotations

import pytest

from asyncbolt.client.connection import TransactionError
from asyncbolt.codec.messages import Record, Success
from asyncbolt.errors import ServiceUnavailable

from .test_client_odd_servers import FakeServer, Peer, driver_for, idle


async def script(peer: Peer) -> None:
    """The first connection dies at the first RUN; the next ones serve a transaction."""
    await peer.accept((5, 4))
    await peer.hello()
    await peer.expect("BEGIN")
    await peer.send(Success({}))
    if len(peer.server.peers) == 1:
        await peer.expect("RUN", "PULL")
        peer.abort()
        return
    await peer.expect("RUN", "PULL")
    await peer.send(Success({"fields": ["x"]}), Record([1]), Success({}))
    await peer.expect("COMMIT")
    await peer.send(Success({}))
    await idle(peer)


async def test_a_transaction_on_a_broken_connection_is_over() -> None:
    async with FakeServer(script) as server:
        async with driver_for(server) as driver:
            async with driver.session() as session:
                tx = await session.begin_transaction()
                with pytest.raises(ServiceUnavailable):
                    await tx.run("RETURN 1")
                with pytest.raises(TransactionError) as later:
                    await tx.run("RETURN 2")
                assert isinstance(later.value.__cause__, ServiceUnavailable)
                # the session forgot it: a new transaction, on a new connection
                tx2 = await session.begin_transaction()
                assert await (await tx2.run("RETURN 1")).values() == [[1]]
                await tx2.commit()
    assert server.connections == 2
