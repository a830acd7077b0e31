"""Bolt 6.1 and PackStream v2 (UUID), added to spec/ only: the proof that a new protocol
version is a YAML change."""

from __future__ import annotations

import uuid

import neo4j
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import asyncbolt
from asyncbolt import ProtocolError
from asyncbolt.codec import packstream, schemas
from asyncbolt.codec.messages import Hello, Logon, Pull, Record, Run, Success
from asyncbolt.core.framing import chunk_message
from asyncbolt.tools.dump import Conversation

from .sessions import EchoSession, Recorder, ServerThread

v2 = pytest.importorskip("neo4j._codec.packstream.v2")
from neo4j._codec.packstream._common import PackableBuffer, UnpackableBuffer  # noqa: E402


class PyPacker(v2.Packer):
    """The driver's PackStream v2 packer with the Rust dispatch bypassed."""

    def _pack(self, data, dehydration_hooks=None):
        self._py_pack(data, dehydration_hooks)


class PyUnpacker(v2.Unpacker):
    def unpack(self, hydration_hooks=None):
        return self._unpack(hydration_hooks=hydration_hooks)


def their_pack(value, rust: bool) -> bytes:
    packer = (v2.Packer if rust else PyPacker)(PackableBuffer())
    packer.pack(value)
    return bytes(packer.stream.data)


def their_unpack(data: bytes, rust: bool):
    unpacker = (v2.Unpacker if rust else PyUnpacker)(UnpackableBuffer(data))
    return unpacker.unpack()


UUIDS = st.uuids()
VALUES = st.recursive(
    st.one_of(UUIDS, st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), st.text(max_size=10)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=4)),
    max_leaves=12)
RUST = [False] + ([True] if v2._rust_pack is not None else [])


@pytest.mark.parametrize("rust", RUST, ids=lambda r: "rust" if r else "python")
@settings(max_examples=150, deadline=None)
@given(VALUES)
def test_byte_for_byte_with_the_drivers_packstream_v2(rust, value) -> None:
    ours = packstream.pack(value, (6, 1))
    assert ours == their_pack(value, rust)
    assert packstream.unpack(ours, (6, 1)) == value
    assert their_unpack(ours, rust) == value
    assert schemas.parse_value(ours, (6, 1)) == value


def test_uuid_wire_format() -> None:
    u = uuid.UUID("12345678-9abc-def0-1234-56789abcdef0")
    assert packstream.pack(u, (6, 1)) == b"\xe0" + u.bytes
    assert packstream.unpack(b"\xe0" + u.bytes, (6, 1)) == u


def test_uuid_is_refused_before_6_1() -> None:
    u = uuid.uuid4()
    for version in ((6, 0), (5, 8), (4, 4), (1, 0)):
        with pytest.raises(ValueError, match=r"need Bolt 6\.1\+"):
            packstream.pack({"id": u}, version)
        with pytest.raises(ProtocolError) as exc:
            packstream.unpack(b"\x91\xe0" + u.bytes, version)
        assert exc.value.offset == 1 and "6.1+" in exc.value.reason
        with pytest.raises(ProtocolError):
            schemas.parse_value(b"\x91\xe0" + u.bytes, version)
    with pytest.raises(ProtocolError) as truncated:
        packstream.unpack(b"\xe0" + u.bytes[:5], (6, 1))
    assert truncated.value.offset is not None


def test_official_driver_negotiates_6_1_and_round_trips_uuids() -> None:
    u = uuid.uuid4()
    params = {"u": u, "l": [u, uuid.UUID(int=0)], "m": {"k": u, "n": [u]}}
    with ServerThread() as srv, neo4j.GraphDatabase.driver(srv.uri, auth=("neo4j", "pw")) as driver:
        assert driver.get_server_info().protocol_version == (6, 1)
        with driver.session() as session:
            record = session.run("ECHO", params).single()
    assert record.data() == params and isinstance(record["u"], uuid.UUID)


def test_official_driver_on_6_0_cannot_send_uuids() -> None:
    with ServerThread(versions=[(6, 0)]) as srv, neo4j.GraphDatabase.driver(srv.uri, auth=("neo4j", "pw")) as driver:
        assert driver.get_server_info().protocol_version == (6, 0)
        with driver.session() as session, pytest.raises(Exception):  # noqa: B017 - the driver's own refusal
            session.run("ECHO", {"u": uuid.uuid4()}).consume()
            raise AssertionError("unreachable if the driver refuses")


class UuidSession(EchoSession):
    async def run(self, query, parameters, extra):
        if query == "NEW_UUID":
            return asyncbolt.Result(["u"], [[uuid.UUID(int=42)]])
        return await super().run(query, parameters, extra)


async def test_our_client_and_server_on_6_1_and_6_0() -> None:
    server = await asyncbolt.serve(UuidSession, "127.0.0.1", 0, recorder=Recorder())
    async with server:
        uri = f"bolt://127.0.0.1:{server.port}"
        async with asyncbolt.connect(uri) as conn:
            assert conn.protocol_version == (6, 1)
            u = uuid.uuid4()
            record = await (await conn.run("ECHO", {"u": u, "l": [u], "m": {"u": u}})).single()
            assert record.data() == {"u": u, "l": [u], "m": {"u": u}}
            assert (await (await conn.run("NEW_UUID")).single())["u"] == uuid.UUID(int=42)
        async with asyncbolt.connect(uri, versions=[(6, 0)]) as conn:
            assert conn.protocol_version == (6, 0)
            with pytest.raises(ValueError, match=r"UUID values .* need Bolt 6\.1\+"):
                await conn.run("ECHO", {"u": uuid.uuid4()})
            # The server cannot send one either: the PULL fails, the connection recovers.
            with pytest.raises(asyncbolt.DatabaseError, match="6.1"):
                await (await conn.run("NEW_UUID")).values()
            assert (await (await conn.run("ECHO", {"ok": 1})).single())["ok"] == 1


def test_inspect_understands_6_1() -> None:
    codec = packstream.get_codec((6, 1))
    u = uuid.UUID(int=7)
    client = b"".join(chunk_message(codec.pack_message(m)) for m in (
        Hello({"user_agent": "t"}), Logon({"scheme": "none"}), Run("RETURN $u", {"u": u}, {}), Pull({"n": -1})))
    server = b"".join(chunk_message(codec.pack_message(m)) for m in (
        Success({}), Success({}), Success({"fields": ["u"]}), Record([u]), Success({"type": "r"})))
    conversation = Conversation((6, 1))
    events = conversation.feed("client", client) + conversation.feed("server", server)
    events += conversation.close()
    names = [e.name for e in events]
    assert names.count("SUCCESS") == 4 and "RUN" in names and "RECORD" in names
    run = next(e for e in events if e.name == "RUN")
    record = next(e for e in events if e.name == "RECORD")
    assert run.fields[1] == {"u": u} and record.fields[0] == [u]
    assert not conversation.problems
    old = Conversation((6, 0))
    old.feed("client", client)
    old.close()
    assert old.problems and "6.1" in old.problems[0].reason
