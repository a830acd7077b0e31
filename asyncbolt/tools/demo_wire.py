"""``python -m asyncbolt.tools.demo_wire``: a Bolt conversation between the sans-IO client and
server pieces, in memory.

Shows the handshake (manifest v1, as the official drivers open), chunked messages encoded and
decoded by the generated fast codec, and the construct reference decoder pinpointing a broken
byte. No network, no database (``make demo``, :mod:`asyncbolt.tools.demo`, shows those).
"""

from __future__ import annotations

from asyncbolt._generated.versions import SERVER_VERSIONS
from asyncbolt.codec import packstream, schemas
from asyncbolt.codec.messages import Hello, Message, Pull, Record, Run, Success
from asyncbolt.codec.structures import Node
from asyncbolt.core.framing import ChunkReader, ChunkWriter
from asyncbolt.core.handshake import ClientHandshake, ServerHandshake
from asyncbolt.errors import ProtocolError


def _hex(data: bytes, limit: int = 48) -> str:
    text = data[:limit].hex(" ").upper()
    return text + (" ..." if len(data) > limit else "")


def main() -> None:
    print("asyncbolt demo: one Bolt conversation, in memory\n")

    # 1. Handshake: the official Python driver's opening (manifest, 5.8-5.0, 4.4-4.2, 3.0).
    client = ClientHandshake([(5, 8, 8), (4, 4, 2), (3, 0)], manifest=True,
                             supported=[(6, 0), *[(5, m) for m in range(9)], (4, 4), (4, 3), (4, 2), (3, 0)])
    server = ServerHandshake(SERVER_VERSIONS)
    opening = client.initial_bytes()
    print(f"C: {_hex(opening)}")
    answer = server.receive_data(opening)
    print(f"S: {_hex(answer)}")
    reply = client.receive_data(answer)
    print(f"C: {_hex(reply)}")
    server.receive_data(reply)
    version = server.version
    if version is None:
        raise RuntimeError(f"the handshake did not finish: {server.error}")
    print(f"negotiated Bolt {version[0]}.{version[1]} (manifest: {server.manifest})\n")

    codec = packstream.get_codec(version)
    writer, reader = ChunkWriter(), ChunkReader()

    # 2. The client pipelines HELLO, RUN and PULL in one write.
    msg: Message
    for msg in (Hello({"user_agent": "asyncbolt-demo/1.0", "bolt_agent": {"product": "asyncbolt/0.1"}}),
                Run("MATCH (p:Person) RETURN p LIMIT $n", {"n": 2}, {}),
                Pull({"n": -1})):
        writer.write(codec.pack_message(msg))
    wire = writer.take()
    print(f"C: {len(wire)} bytes: {_hex(wire)}")
    for payload in reader.feed(wire):
        print(f"   server decodes {codec.unpack_request(payload)!r}")

    # 3. The server answers; the client decodes the records.
    people = [Node(1, ["Person"], {"name": "Ada"}, "4:demo:1"), Node(2, ["Person"], {"name": "Alan"}, "4:demo:2")]
    for msg in (Success({"server": "asyncbolt/0.1", "connection_id": "bolt-1"}),
                Success({"fields": ["p"], "t_first": 0}),
                *(Record([p]) for p in people),
                Success({"type": "r", "t_last": 0})):
        writer.write(codec.pack_message(msg))
    wire = writer.take()
    print(f"\nS: {len(wire)} bytes")
    for payload in reader.feed(wire):
        print(f"   client decodes {codec.unpack_response(payload)!r}")

    # 4. A damaged RECORD: the reference decoder says where and why.
    good = codec.pack_message(Record([people[0]]))
    bad = bytearray(good)
    bad[good.index(b"Ada") - 1] = 0x84  # the name now claims 4 bytes: it swallows the next marker
    print(f"\ndamaged RECORD: {_hex(bytes(bad))}")
    for name, decode in (("fast codec", codec.unpack_response),
                         ("construct schema", lambda b: schemas.parse_response(b, version))):
        try:
            decode(bytes(bad))
        except ProtocolError as exc:
            print(f"   {name}: {exc}")


if __name__ == "__main__":
    main()
