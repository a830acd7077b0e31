"""The seed's client API, as its README used it, against asyncbolt's own server."""

from __future__ import annotations

import asyncio

import pytest

import asyncbolt
from asyncbolt.compat import protocol
from asyncbolt.compat.exception import BoltClientError, ServerFailedError

from .sessions import EchoSession, Recorder


class Neo4jBoltClientProtocol(protocol.BoltClientProtocol):
    """The seed README's recipe for Neo4j auth."""

    def __init__(self, loop, *, username=None, password=None):
        super().__init__(loop)
        self.username = username
        self.password = password

    def get_init_params(self):
        return "AsyncBolt/1.0", {"scheme": "basic", "principal": self.username, "credentials": self.password}


@pytest.fixture
async def server():
    recorder = Recorder()
    srv = await asyncbolt.serve(EchoSession, "127.0.0.1", 0, recorder=recorder, password="password")
    async with srv:
        yield srv, recorder


async def test_readme_example_with_subclassed_protocol(server) -> None:
    srv, recorder = server
    loop = asyncio.get_running_loop()
    client = await asyncbolt.connect(f"tcp://localhost:{srv.port}", loop, protocol_class=Neo4jBoltClientProtocol,
                                     username="neo4j", password="password")
    assert isinstance(client, asyncbolt.ClientSession)
    assert client.client_name == "AsyncBolt/1.0" and client.auth_token["principal"] == "neo4j"
    assert client.loop is loop
    responses = [r async for r in client.run("RETURN 1 AS num", {}, get_eof=True)]
    assert responses[0] == asyncbolt.ClientResponse(["RETURN 1 AS num"], responses[0].metadata, False)
    assert responses[0].metadata["fields"] == ["query"]
    assert responses[-1].eof and responses[-1].fields is None and "t_last" in responses[-1].metadata
    assert ("auth", "basic", "neo4j") in recorder.calls
    await client.aclose()


async def test_keyword_form_pipelining_and_failure_recovery(server) -> None:
    srv, _ = server
    client = await asyncbolt.connect(host="127.0.0.1", port=srv.port, protocol_class=Neo4jBoltClientProtocol,
                                     username="neo4j", password="password", max_inflight=10)
    for i in range(3):
        client.pipeline("ECHO", {"i": i})
    fields, metas = [], []
    async for response in client.run(get_eof=True):
        (metas if response.eof else fields).append(response)
    assert [r.fields for r in fields] == [[0], [1], [2]] and len(metas) == 3
    with pytest.raises(BoltClientError):
        for i in range(6):
            client.pipeline("ECHO", {"i": i})
    [r async for r in client.run()]  # drain what fitted

    with pytest.raises(ServerFailedError) as exc:
        [r async for r in client.run("FAIL")]
    assert exc.value.code == "Neo.ClientError.Statement.SyntaxError"
    assert isinstance(exc.value.__cause__, asyncbolt.ClientError)
    # The session reset itself and works again.
    assert [r.fields async for r in client.run("ECHO", {"ok": True})] == [[True]]
    reset = await client.reset()
    assert reset.fields == ["Successfully reset sever session"] and reset.eof
    client.close()
    await asyncio.sleep(0.05)
    assert client.connection.closed


async def test_refused_token_fails_to_connect(server) -> None:
    srv, _ = server
    with pytest.raises(asyncbolt.AuthError):
        await asyncbolt.connect(host="127.0.0.1", port=srv.port, protocol_class=Neo4jBoltClientProtocol,
                                username="neo4j", password="wrong")
