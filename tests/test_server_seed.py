"""The seed's server API still works: the README's echo server, written for asyncbolt 0.0.2."""

from __future__ import annotations

import asyncio

import neo4j

import asyncbolt


class EchoServerSession(asyncbolt.ServerSession):
    """The seed README's example, unchanged: a synchronous two-argument run()."""

    def run(self, statement, parameters):
        return {"statement": statement, "parameters": parameters}


class CheckedSession(asyncbolt.ServerSession):
    """Seed hooks: verify_auth_token refuses, get_server_metadata names the server, async run."""

    def __init__(self, loop, *, server=None, greeting="hi", **kwargs):
        super().__init__(loop, server=server, **kwargs)
        self.greeting = greeting
        self.server = server

    def verify_auth_token(self, auth_token):
        if auth_token.get("credentials") != "letmein":
            raise asyncbolt.AuthError("bad token")

    def get_server_metadata(self):
        return {"server": "Neo4j/3.3.1"}

    async def run(self, statement, parameters):
        await asyncio.sleep(0)
        return f"{self.greeting} {statement}"


async def test_seed_echo_server_with_create_server() -> None:
    server = await asyncbolt.create_server(EchoServerSession, host="127.0.0.1", port=0)
    async with server:
        uri = f"bolt://127.0.0.1:{server.port}"
        async with neo4j.AsyncGraphDatabase.driver(uri, auth=("neo4j", "x")) as driver:
            async with driver.session() as session:
                record = await (await session.run("Hello world", {"a": 1})).single()
    assert record.keys() == ["result"]
    assert record["result"] == {"statement": "Hello world", "parameters": {"a": 1}}


async def test_seed_hooks_and_constructor_arguments() -> None:
    server = await asyncbolt.create_server(CheckedSession, port=0, greeting="hello")
    assert server.sockets and server.sockets[0].getsockname()[0] == "127.0.0.1"
    async with server:
        uri = f"bolt://127.0.0.1:{server.port}"
        async with neo4j.AsyncGraphDatabase.driver(uri, auth=("neo4j", "nope")) as driver:
            try:
                await driver.verify_connectivity()
            except neo4j.exceptions.AuthError as exc:
                assert "bad token" in exc.message
            else:
                raise AssertionError("a refused token must raise AuthError")
        async with neo4j.AsyncGraphDatabase.driver(uri, auth=("neo4j", "letmein")) as driver:
            info = await driver.get_server_info()
            assert info.agent == "Neo4j/3.3.1"
            async with driver.session() as session:
                record = await (await session.run("world")).single()
    assert record["result"] == "hello world"
