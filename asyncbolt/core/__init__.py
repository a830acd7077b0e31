"""The sans-IO protocol core: bytes in, events out, bytes to send; no sockets, no event loop.

``framing`` (chunks), ``handshake`` (version negotiation, both sides), ``server``
(``ServerConnection``: one connection, server side) and ``client`` (``ClientConnection``: one
connection, client side). The asyncio client and server and the dump validator are built on
these.
"""
