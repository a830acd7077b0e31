"""Security (issue #9): auth-required mode on every version, credentials never shown, TLS 1.2
floor, and FAILUREs that never leak internals.

Raw-byte conversations (tests/rawbolt.py) cover every version the server negotiates; the
official driver covers the versions it speaks.
"""

from __future__ import annotations

import asyncio
import logging
import re
import ssl
import warnings

import neo4j
import neo4j.exceptions as nx
import pytest

import asyncbolt
from asyncbolt.client.connect import _ssl_for, parse_uri
from asyncbolt.codec import messages
from asyncbolt.codec.messages import (
    Begin,
    Commit,
    Discard,
    DiscardAll,
    Hello,
    Init,
    Logoff,
    Logon,
    Pull,
    PullAll,
    Reset,
    Rollback,
    Route,
    Run,
    Telemetry,
)
from asyncbolt.codec.packstream import get_codec
from asyncbolt.core.framing import chunk_message
from asyncbolt.core.server import Request
from asyncbolt.security import REDACTED, redact_uri, require_tls12
from asyncbolt.tools import dump

from .rawbolt import MAGIC, RawBolt, proposal
from .sessions import EchoSession, Recorder

#: A password that no other string in a log line or repr could contain by accident.
PASSWORD = "Pw-7f3c1e9a-never-shown"
USER = "neo4j"
VERSIONS = list(asyncbolt.SERVER_VERSIONS)
IDS = [f"{a}.{b}" for a, b in VERSIONS]
UNAUTHORIZED = "Neo.ClientError.Security.Unauthorized"


@pytest.fixture
async def server():
    recorder = Recorder()
    srv = await asyncbolt.serve(EchoSession, "127.0.0.1", 0, recorder=recorder, password=PASSWORD)
    srv.recorder = recorder
    async with srv:
        yield srv


async def negotiate(port: int, version: tuple[int, int]) -> RawBolt:
    """A raw connection speaking exactly ``version`` (6.x through the handshake manifest)."""
    bolt = await RawBolt.connect(port)
    if version < (6, 0):
        assert await bolt.handshake(version) == version
        return bolt
    await bolt.send_raw(MAGIC + bytes([0, 0, 1, 0xFF]) + b"\x00" * 12)
    assert await bolt.read_exactly(4) == bytes([0, 0, 1, 0xFF])
    count = (await bolt.read_exactly(1))[0]
    offers = await bolt.read_exactly(4 * count)
    ranges = [offers[i:i + 4] for i in range(0, len(offers), 4)]  # 00 RR mm MM
    assert any(o[3] == version[0] and o[2] - o[1] <= version[1] <= o[2] for o in ranges), ranges
    await bolt.read_exactly(1)  # capabilities
    await bolt.send_raw(proposal(version) + b"\x00")
    bolt.use(version)
    return bolt


def auth_messages(version: tuple[int, int], password: str) -> list:
    """INIT (1-2), HELLO with the token (3.0-5.0), or HELLO then LOGON (5.1+)."""
    token = {"scheme": "basic", "principal": USER, "credentials": password}
    if version < (3, 0):
        return [Init("sec/1.0", token)]
    if version < (5, 1):
        return [Hello({"user_agent": "sec/1.0", **token})]
    return [Hello({"user_agent": "sec/1.0"}), Logon(token)]


def query_messages(version: tuple[int, int]) -> list:
    """RUN "ECHO" {a: 1} and the version's PULL."""
    if version < (3, 0):
        return [Run("ECHO", {"a": 1}), PullAll()]
    return [Run("ECHO", {"a": 1}, {}), PullAll() if version < (4, 0) else Pull({"n": -1})]


def failure_code(failure) -> str:
    """The Neo4j code of a FAILURE, checking the version's shape (``code`` up to 5.6,
    ``neo4j_code`` and the GQL fields from 5.7)."""
    meta = failure.metadata
    return meta.get("neo4j_code") or meta["code"]


def check_failure_shape(failure, version) -> None:
    meta = failure.metadata
    if version < (5, 7):
        assert set(meta) == {"code", "message"}, meta
    else:
        assert "code" not in meta and {"neo4j_code", "message", "gql_status", "description",
                                        "diagnostic_record"} <= set(meta), meta


# -- 1. auth-required mode, every version --------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
async def test_wrong_password_fails_unauthorized_and_closes(server, version) -> None:
    # The wrong token pipelined with a query: the query must never reach the session.
    bolt = await negotiate(server.port, version)
    query = query_messages(version)
    await bolt.send(*auth_messages(version, "wrong-" + PASSWORD), *query)
    replies = await bolt.read_until_eof()
    bolt.close()
    if version >= (5, 1):
        assert replies[0].name == "SUCCESS"  # HELLO only says hello from 5.1 on
        replies = replies[1:]
    assert [m.name for m in replies] == ["FAILURE"], replies
    assert failure_code(replies[0]) == UNAUTHORIZED
    check_failure_shape(replies[0], version)
    assert PASSWORD not in str(replies[0].metadata)  # no echo of what the client sent
    assert [c[0] for c in server.recorder.calls] == ["auth"]


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
async def test_right_password_is_accepted(server, version) -> None:
    bolt = await negotiate(server.port, version)
    query = query_messages(version)
    await bolt.send(*auth_messages(version, PASSWORD), *query)
    n = len(auth_messages(version, PASSWORD)) + 3
    replies = await bolt.recv_many(n)
    bolt.close()
    assert [m.name for m in replies] == ["SUCCESS"] * (n - 3) + ["SUCCESS", "RECORD", "SUCCESS"]
    assert replies[-2].data == [1]


def requests_of(version: tuple[int, int]) -> list:
    """One instance of every request of ``version`` other than the auth ones and GOODBYE."""
    samples = {
        "RUN": Run("ECHO", {"a": 1}, {}), "BEGIN": Begin({}), "COMMIT": Commit(), "ROLLBACK": Rollback(),
        "PULL": Pull({"n": -1}), "PULL_ALL": PullAll(), "DISCARD": Discard({"n": -1}),
        "DISCARD_ALL": DiscardAll(), "RESET": Reset(), "ROUTE": Route({}, [], None, {}),
        "TELEMETRY": Telemetry(0), "LOGOFF": Logoff(), "ACK_FAILURE": messages.AckFailure(),
    }
    names = {cls.name for cls in messages.REQUESTS[version].values()}
    assert names - set(samples) <= {"INIT", "HELLO", "LOGON", "GOODBYE"}, names
    return [samples[n] for n in sorted(names & set(samples))]


def _unauthenticated_cases():
    for version in VERSIONS:
        for request in requests_of(version):
            yield pytest.param(version, request, "before", id=f"{version[0]}.{version[1]}-{request.name}-before")
            if version >= (5, 1):
                yield pytest.param(version, request, "hello-only",
                                   id=f"{version[0]}.{version[1]}-{request.name}-hello-only")
                yield pytest.param(version, request, "logoff", id=f"{version[0]}.{version[1]}-{request.name}-logoff")


@pytest.mark.parametrize("version,request_,when", list(_unauthenticated_cases()))
async def test_no_request_reaches_the_session_without_authentication(server, version, request_, when) -> None:
    """Before INIT/HELLO, between HELLO and LOGON (5.1+), and after LOGOFF (5.1+): every other
    request is a protocol violation — FAILURE, then the connection closes — and no session hook
    but authenticate/logoff is ever called."""
    bolt = await negotiate(server.port, version)
    expected_before: list[str] = []
    if when == "hello-only":
        await bolt.send(Hello({"user_agent": "sec/1.0"}))
        expected_before = ["SUCCESS"]
    elif when == "logoff":
        await bolt.send(*auth_messages(version, PASSWORD), Logoff())
        expected_before = ["SUCCESS", "SUCCESS", "SUCCESS"]
    for _ in expected_before:
        assert (await bolt.recv()).name == "SUCCESS"
    await bolt.send(request_, Run("ECHO", {"a": 1}, {}) if version >= (3, 0) else Run("ECHO", {"a": 1}))
    replies = await bolt.read_until_eof()
    bolt.close()
    assert [m.name for m in replies] == ["FAILURE"], replies
    assert failure_code(replies[0]) == "Neo.ClientError.Request.Invalid"
    check_failure_shape(replies[0], version)
    allowed = {"auth"} if when != "before" else set()
    assert {c[0] for c in server.recorder.calls} <= allowed, server.recorder.calls


async def test_repeated_failures_are_each_refused_and_never_lock_out(server) -> None:
    """The documented choice: no delay and no lock-out in the runtime. Every wrong attempt is
    answered at once and its connection closed; the right password then works."""
    for _ in range(5):
        bolt = await negotiate(server.port, (5, 4))
        await bolt.send(*auth_messages((5, 4), "guess"))
        replies = await bolt.read_until_eof(timeout=2)
        bolt.close()
        assert [m.name for m in replies] == ["SUCCESS", "FAILURE"]
        assert failure_code(replies[1]) == UNAUTHORIZED
    bolt = await negotiate(server.port, (5, 4))
    await bolt.send(*auth_messages((5, 4), PASSWORD))
    assert [m.name for m in await bolt.recv_many(2)] == ["SUCCESS", "SUCCESS"]
    bolt.close()


class RateLimited(EchoSession):
    """A session that does its own rate limiting, as the docs suggest."""

    async def authenticate(self, auth):
        raise asyncbolt.AuthError("Too many failed attempts; try again later.",
                                  code="Neo.ClientError.Security.AuthenticationRateLimit")


async def test_a_sessions_rate_limit_error_reaches_the_client_and_closes() -> None:
    async with await asyncbolt.serve(RateLimited, "127.0.0.1", 0, recorder=Recorder()) as srv:
        bolt = await negotiate(srv.port, (4, 4))
        await bolt.send(*auth_messages((4, 4), PASSWORD))
        replies = await bolt.read_until_eof()
        bolt.close()
    assert [m.name for m in replies] == ["FAILURE"]
    assert replies[0].metadata["code"] == "Neo.ClientError.Security.AuthenticationRateLimit"


class Exploding(EchoSession):
    async def authenticate(self, auth):
        raise KeyError("/srv/app/users.db row 7")


async def test_authenticate_raising_anything_else_refuses_with_the_generic_message(caplog) -> None:
    caplog.set_level(logging.DEBUG)
    async with await asyncbolt.serve(Exploding, "127.0.0.1", 0, recorder=Recorder()) as srv:
        bolt = await negotiate(srv.port, (5, 8))
        await bolt.send(*auth_messages((5, 8), PASSWORD))
        replies = await bolt.read_until_eof()
        bolt.close()
    assert [m.name for m in replies] == ["SUCCESS", "FAILURE"]
    assert replies[1].metadata["neo4j_code"] == UNAUTHORIZED
    assert "users.db" not in str(replies[1].metadata)
    assert "users.db" in caplog.text  # the operator still sees it


DRIVER_VERSIONS = [v for v in VERSIONS if v >= (4, 2) or v == (3, 0)]


@pytest.mark.parametrize("version", DRIVER_VERSIONS, ids=[f"{a}.{b}" for a, b in DRIVER_VERSIONS])
async def test_official_driver_wrong_password_then_right(version) -> None:
    recorder = Recorder()
    async with await asyncbolt.serve(EchoSession, "127.0.0.1", 0, versions=[version], recorder=recorder,
                                     password=PASSWORD) as srv:
        uri = f"bolt://127.0.0.1:{srv.port}"
        async with neo4j.AsyncGraphDatabase.driver(uri, auth=(USER, "wrong")) as driver:
            with pytest.raises(nx.AuthError) as info:
                await driver.verify_connectivity()
        assert info.value.code == UNAUTHORIZED
        assert not [c for c in recorder.calls if c[0] != "auth"]
        async with neo4j.AsyncGraphDatabase.driver(uri, auth=(USER, PASSWORD)) as driver:
            records, _, _ = await driver.execute_query("ECHO", {"a": 1})
        assert records[0]["a"] == 1


def test_default_session_accepting_everyone_is_documented() -> None:
    doc = asyncbolt.ServerSession.authenticate.__doc__ or ""
    assert "accepts everyone" in doc
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("## Security", 1)[1].split("\n## ", 1)[0]
    assert "accepts everyone" in section and "--auth" in section


def test_serve_auth_compares_with_compare_digest(monkeypatch) -> None:
    from asyncbolt.tools.backends.ladybug import session as ladybug

    calls: list[tuple] = []
    real = ladybug.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(ladybug.hmac, "compare_digest", spy)
    session = ladybug.LadybugSession.__new__(ladybug.LadybugSession)
    session.auth = (USER, PASSWORD)

    async def check(token):
        try:
            await session.authenticate(token)
            return True
        except asyncbolt.AuthError as exc:
            assert exc.code == UNAUTHORIZED and PASSWORD not in str(exc)
            return False

    basic = {"scheme": "basic", "principal": USER}
    assert asyncio.run(check({**basic, "credentials": PASSWORD}))
    assert not asyncio.run(check({**basic, "credentials": PASSWORD[:-1]}))
    assert not asyncio.run(check({**basic, "principal": "x", "credentials": PASSWORD}))
    assert not asyncio.run(check({**basic, "credentials": 12345}))  # not a string: refused
    assert not asyncio.run(check({"scheme": "none"}))
    # Both comparisons run whenever both values are strings (nothing short-circuits on the user
    # name); a value that is not a string is refused without one.
    assert len(calls) == 2 + 2 + 2 + 1 + 0


# -- 2. credentials never shown --------------------------------------------------------------


def test_message_reprs_redact_credentials() -> None:
    token = {"scheme": "basic", "principal": USER, "credentials": PASSWORD}
    for msg in (Init("a", token), Hello({"user_agent": "a", **token}), Logon(token),
                Hello({"user_agent": "a", "parameters": {"credentials": PASSWORD}})):
        for text in (repr(msg), str(msg), repr(Request(msg)), repr([msg])):
            assert PASSWORD not in text and REDACTED in text, text
    assert Logon(token).auth["credentials"] == PASSWORD  # the value itself is untouched
    # Other messages show their maps as they are.
    assert "'credentials': 1" in repr(Run("q", {"credentials": 1}, {}))


def test_uris_with_passwords_are_redacted() -> None:
    uri = f"neo4j://{USER}:{PASSWORD}@127.0.0.1:7687?region=eu"
    assert redact_uri(uri) == f"neo4j://{USER}:{REDACTED}@127.0.0.1:7687?region=eu"
    assert parse_uri(uri)[3]["_password"] == PASSWORD  # still used for auth
    for bad in (f"http://{USER}:{PASSWORD}@h:1", f"bolt://{USER}:{PASSWORD}@h:1/path"):
        with pytest.raises(ValueError) as info:
            parse_uri(bad)
        assert PASSWORD not in str(info.value)
    driver = asyncbolt.Driver(uri)
    assert PASSWORD not in repr(driver) and PASSWORD not in str(driver.uri)
    from asyncbolt.tools.proxy import parse_upstream

    with pytest.raises(ValueError) as info:
        parse_upstream(f"bolt://{USER}:{PASSWORD}@127.0.0.1:7687")
    assert PASSWORD not in str(info.value)


CONVERSATION_VERSIONS = [(3, 0), (4, 4), (5, 0), (5, 4), (5, 8), (6, 0)]


async def test_no_log_line_repr_or_exception_shows_the_password(server, caplog) -> None:
    """A full conversation at DEBUG, right and wrong passwords, client and server in one
    process: the password is in no log record, no repr and no exception text."""
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    for version in CONVERSATION_VERSIONS:
        uri = f"bolt://{USER}:{PASSWORD}@127.0.0.1:{server.port}"
        async with asyncbolt.connect(uri, versions=[version]) as conn:
            seen += [repr(conn), str(conn)]
            result = await conn.run("ECHO", {"a": 1})
            assert [r["a"] async for r in result] == [1]
        with pytest.raises(asyncbolt.AuthError) as info:
            await asyncbolt.connect(f"bolt://127.0.0.1:{server.port}", auth=(USER, PASSWORD + "x"),
                                    versions=[version])
        seen += [str(info.value), repr(info.value), repr(info.value.args), str(info.value.metadata)]
    async with asyncbolt.Driver(f"bolt://{USER}:{PASSWORD}@127.0.0.1:{server.port}") as driver:
        seen.append(repr(driver))
        async with driver.session() as session:
            seen.append(repr(session))
            result = await session.run("ECHO", {"a": 2})
            assert [r["a"] async for r in result] == [2]
    for record in caplog.records:
        seen.append(record.getMessage())
        if record.exc_info:
            seen.append(logging.Formatter().formatException(record.exc_info))
    assert any("bolt-" in r.getMessage() for r in caplog.records)  # the server did log, at DEBUG
    leaks = [s for s in seen if PASSWORD in s]
    assert not leaks, leaks


async def test_connection_info_and_session_reprs(server) -> None:
    infos = []

    class Keep(EchoSession):
        async def authenticate(self, auth):
            infos.append((self.connection, self))
            await super().authenticate(auth)

    async with await asyncbolt.serve(Keep, "127.0.0.1", 0, recorder=Recorder(), password=PASSWORD) as srv:
        async with asyncbolt.connect(f"bolt://127.0.0.1:{srv.port}", auth=(USER, PASSWORD)):
            pass
    info, session = infos[0]
    assert info.user == USER
    for text in (repr(info), str(info), repr(vars(session).get("options", {}))):
        assert PASSWORD not in text


def conversation_bytes(version: tuple[int, int], payloads: list[bytes]) -> tuple[bytes, bytes]:
    client = MAGIC + proposal(version) + b"\x00" * 12 + b"".join(chunk_message(p) for p in payloads)
    server = bytes([0, 0, version[1], version[0]])
    return client, server


@pytest.mark.parametrize("version", [(2, 0), (4, 4), (5, 4)], ids=["2.0", "4.4", "5.4"])
def test_dumps_redact_by_default_and_show_on_request(version) -> None:
    codec = get_codec(version)
    auth = [codec.pack_message(m) for m in auth_messages(version, PASSWORD)]
    broken = auth[-1][:-2] + b"\xc7"  # the token cut short: undecodable, shown as raw bytes
    for payloads in ([*auth], [*auth[:-1], broken]):
        client, server_ = conversation_bytes(version, payloads)
        conv = dump.Conversation(version)
        events = conv.feed("client", client) + conv.feed("server", server_) + conv.close()
        shown = "\n".join(dump.render_text(e) for e in events) + repr([dump.render_json(e) for e in events])
        assert PASSWORD not in shown and PASSWORD.encode().hex() not in shown, shown
        assert PASSWORD.encode().hex()[:40] not in shown.replace(" ", "")
        revealed = "\n".join(dump.render_text(e, redact=False) for e in events)
        revealed += repr([dump.render_json(e, redact=False) for e in events])
        assert PASSWORD in revealed or PASSWORD.encode().hex()[:20] in revealed.replace(" ", "")


def test_inspect_redacts_unless_show_secrets(tmp_path, capsys) -> None:
    from asyncbolt.tools import inspect

    codec = get_codec((5, 4))
    client, _ = conversation_bytes((5, 4), [codec.pack_message(m) for m in auth_messages((5, 4), PASSWORD)])
    path = tmp_path / "c.bin"
    path.write_bytes(client)
    for extra in ([], ["--json"]):
        assert inspect.main([str(path), "--side", "client", *extra]) == 0
        out = capsys.readouterr().out
        assert "LOGON" in out and PASSWORD not in out, out
        assert inspect.main([str(path), "--side", "client", "--show-secrets", *extra]) == 0
        assert PASSWORD in capsys.readouterr().out


async def test_proxy_log_never_shows_the_password(server, tmp_path) -> None:
    from asyncbolt.tools.proxy import run_proxy

    lines: list[str] = []
    log_file = tmp_path / "proxy.log"
    for json_ in (False, True):
        async with await run_proxy("127.0.0.1", 0, "127.0.0.1", server.port, log=lines.append,
                                   json=json_) as proxy:
            for version in ((4, 4), (5, 8)):
                async with asyncbolt.connect(f"bolt://127.0.0.1:{proxy.port}", auth=(USER, PASSWORD),
                                             versions=[version]) as conn:
                    await (await conn.run("ECHO", {"a": 1})).consume()
            async with neo4j.AsyncGraphDatabase.driver(f"bolt://127.0.0.1:{proxy.port}",
                                                       auth=(USER, PASSWORD)) as driver:
                await driver.execute_query("ECHO", {"a": 1})
            for _ in range(200):
                if not proxy.connections:
                    break
                await asyncio.sleep(0.01)
    log_file.write_text("\n".join(lines))
    text = log_file.read_text()
    assert "LOGON" in text and "HELLO" in text
    assert PASSWORD not in text


# -- 3. TLS 1.2 or newer -------------------------------------------------------------------


def _old_tls(context: ssl.SSLContext, maximum: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    """Let ``context`` speak TLS 1.0/1.1 (deprecated: OpenSSL needs security level 0)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.TLSv1
        if maximum is not None:
            context.maximum_version = maximum
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


def test_every_context_asyncbolt_makes_has_the_tls12_floor() -> None:
    from asyncbolt.tools import proxy, serving

    made = [_ssl_for("bolt+s", None), _ssl_for("neo4j+s", None), _ssl_for("bolt+ssc", None),
            _ssl_for("neo4j+ssc", None), _ssl_for("bolt", True),
            proxy.tls_context("verify"), proxy.tls_context("self-signed")]
    trustme = pytest.importorskip("trustme")
    cert = trustme.CA().issue_cert("127.0.0.1")
    with cert.cert_chain_pems[0].tempfile() as chain, cert.private_key_pem.tempfile() as key:
        made.append(serving._ssl_context(chain, key))
    for context in made:
        assert context.minimum_version == ssl.TLSVersion.TLSv1_2


def test_user_contexts_are_raised_to_tls12_or_refused() -> None:
    low = _old_tls(ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
    assert _ssl_for("bolt", low) is low and low.minimum_version == ssl.TLSVersion.TLSv1_2
    server_side = _old_tls(ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER))
    assert require_tls12(server_side).minimum_version == ssl.TLSVersion.TLSv1_2
    newer = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    newer.minimum_version = ssl.TLSVersion.TLSv1_3
    assert require_tls12(newer).minimum_version == ssl.TLSVersion.TLSv1_3  # never lowered
    capped = _old_tls(ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT), ssl.TLSVersion.TLSv1_1)
    with pytest.raises(ValueError, match="TLS 1.2 or newer"):
        _ssl_for("bolt+s", capped)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            fixed = ssl.SSLContext(ssl.PROTOCOL_TLSv1_1)
        except (ValueError, ssl.SSLError):
            fixed = None
    if fixed is not None:
        with pytest.raises(ValueError, match="TLS 1.2 or newer"):
            require_tls12(fixed)


@pytest.fixture(scope="module")
def certs():
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    return ca, ca.issue_cert("127.0.0.1")


async def _tls11_works(server_ctx: ssl.SSLContext, client_ctx: ssl.SSLContext) -> bool:
    """Whether this machine's OpenSSL completes a TLS 1.1 handshake with these contexts."""
    async def accept(reader, writer):
        writer.close()

    srv = await asyncio.start_server(accept, "127.0.0.1", 0, ssl=server_ctx)
    try:
        port = srv.sockets[0].getsockname()[1]
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(
                "127.0.0.1", port, ssl=client_ctx, server_hostname="127.0.0.1"), 5)
        except (ssl.SSLError, OSError):
            return False
        version = writer.get_extra_info("ssl_object").version()
        writer.close()
        return version == "TLSv1.1"
    finally:
        srv.close()
        await srv.wait_closed()


async def test_our_server_refuses_a_tls11_client(certs) -> None:
    ca, cert = certs

    def server_ctx():
        ctx = _old_tls(ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER))
        cert.configure_cert(ctx)
        return ctx

    def client_ctx(maximum):
        ctx = _old_tls(ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT), maximum)
        ca.configure_trust(ctx)
        return ctx

    if not await _tls11_works(server_ctx(), client_ctx(ssl.TLSVersion.TLSv1_1)):
        pytest.skip("this OpenSSL refuses TLS 1.1 even at security level 0: nothing to refuse")
    async with await asyncbolt.serve(EchoSession, "127.0.0.1", 0, ssl=server_ctx(), recorder=Recorder()) as srv:
        with pytest.raises((ssl.SSLError, ConnectionError, asyncio.IncompleteReadError)):
            reader, writer = await asyncio.wait_for(asyncio.open_connection(
                "127.0.0.1", srv.port, ssl=client_ctx(ssl.TLSVersion.TLSv1_1), server_hostname="127.0.0.1"), 5)
            writer.write(MAGIC + proposal((4, 4)) + b"\x00" * 12)
            await writer.drain()
            await asyncio.wait_for(reader.readexactly(4), 5)
        async with asyncbolt.connect(f"bolt+s://127.0.0.1:{srv.port}", ssl=client_ctx(None)) as conn:
            assert conn.protocol_version is not None


async def test_our_client_refuses_a_tls11_server(certs) -> None:
    ca, cert = certs
    server_ctx = _old_tls(ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER), ssl.TLSVersion.TLSv1_1)
    cert.configure_cert(server_ctx)

    def client_ctx():
        ctx = _old_tls(ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
        ca.configure_trust(ctx)
        return ctx

    if not await _tls11_works(server_ctx, client_ctx()):
        pytest.skip("this OpenSSL refuses TLS 1.1 even at security level 0: nothing to refuse")

    async def accept(reader, writer):
        writer.close()  # a TLS 1.1 handshake completed: nothing more to say

    srv = await asyncio.start_server(accept, "127.0.0.1", 0, ssl=server_ctx)
    try:
        port = srv.sockets[0].getsockname()[1]
        with pytest.raises(asyncbolt.ServiceUnavailable) as info:
            await asyncbolt.connect(f"bolt+s://127.0.0.1:{port}", ssl=client_ctx(), timeout=5)
        # Refused while opening the TLS connection (an SSLError, or the reset the server's
        # protocol_version alert turns into), not after TLS 1.1 was accepted and the Bolt
        # handshake found the connection closed.
        assert "cannot connect" in str(info.value)
        assert isinstance(info.value.__cause__, (ssl.SSLError, ConnectionResetError)), repr(info.value.__cause__)
    finally:
        srv.close()
        await srv.wait_closed()


# -- 4. FAILUREs never leak internals -----------------------------------------------------------

SECRET_PATH = "/home/ops/.secrets/db-password.txt"


class Leaky(EchoSession):
    async def run(self, query, parameters, extra):
        if query == "BOOM":
            raise OSError(2, "No such file or directory", SECRET_PATH)
        return await super().run(query, parameters, extra)

    async def begin(self, extra):
        raise ValueError(f"cannot open {SECRET_PATH}")

    async def route(self, routing, bookmarks, extra):
        raise RuntimeError(f"token={PASSWORD}")


INTERNALS = re.compile(r"Traceback|File \"|object at 0x|<[\w.]+ object|\bline \d+|Error\(")


def check_generic(failure, version, caplog) -> None:
    meta = failure.metadata
    assert failure_code(failure) == "Neo.DatabaseError.General.UnknownError"
    check_failure_shape(failure, version)
    text = str(meta)
    assert SECRET_PATH not in text and PASSWORD not in text and not INTERNALS.search(text), text
    reference = re.search(r"reference ([0-9a-f]{12})", meta["message"]).group(1)
    assert reference in caplog.text  # the operator can find the details
    assert SECRET_PATH in caplog.text or PASSWORD in caplog.text


@pytest.mark.parametrize("version", [(1, 0), (3, 0), (4, 4), (5, 6), (5, 7), (6, 0)],
                         ids=["1.0", "3.0", "4.4", "5.6", "5.7", "6.0"])
async def test_session_exceptions_become_a_generic_failure(version, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    async with await asyncbolt.serve(Leaky, "127.0.0.1", 0, recorder=Recorder()) as srv:
        bolt = await negotiate(srv.port, version)
        await bolt.send(*auth_messages(version, PASSWORD))
        await bolt.recv_many(len(auth_messages(version, PASSWORD)))
        if version < (3, 0):
            await bolt.send(Run("BOOM", {}), PullAll())
            failure, ignored = await bolt.recv_many(2)
            check_generic(failure, version, caplog)
            return
        # One at a time: a RESET already queued would turn the FAILURE into IGNORED.
        requests = [Run("BOOM", {}, {}), Begin({})]
        if version >= (4, 3):
            requests.append(Route({}, [], None, {}) if version >= (4, 4) else Route({}, [], None))
        for request in requests:
            await bolt.send(request)
            check_generic(await bolt.recv(), version, caplog)
            await bolt.send(Reset())
            assert (await bolt.recv()).name == "SUCCESS"
        bolt.close()


async def test_official_driver_sees_the_generic_failure(caplog) -> None:
    caplog.set_level(logging.DEBUG)
    async with await asyncbolt.serve(Leaky, "127.0.0.1", 0, recorder=Recorder()) as srv:
        async with neo4j.AsyncGraphDatabase.driver(f"bolt://127.0.0.1:{srv.port}", auth=(USER, "x")) as driver:
            with pytest.raises(nx.DatabaseError) as info:
                await driver.execute_query("BOOM")
    assert info.value.code == "Neo.DatabaseError.General.UnknownError"
    assert SECRET_PATH not in str(info.value) and not INTERNALS.search(info.value.message)
    assert re.search(r"reference [0-9a-f]{12}", info.value.message)


MALFORMED = [
    b"\xb1\x10\xc1",  # RUN with a float where the query string goes
    b"\xb3\x10\x85hello\xa0",  # RUN cut short
    b"\xb0\x7f",  # no such request
    b"\xb3\x10\x81q\xa1\x81p\xb0\x55\xa0",  # a structure no version defines, as a parameter
    b"\xb3\x10\x81q\xa1\xc3\x01\xa0",  # a map key that is not a string
    b"\xc7",  # a reserved marker
]


@pytest.mark.parametrize("payload", MALFORMED, ids=lambda p: p.hex())
async def test_protocol_violation_failures_hold_no_python_internals(server, payload) -> None:
    bolt = await negotiate(server.port, (4, 4))
    await bolt.send(*auth_messages((4, 4), PASSWORD))
    await bolt.recv()
    await bolt.send(payload, messages.Goodbye())  # GOODBYE ends it if the request was accepted
    replies = await bolt.read_until_eof()
    bolt.close()
    assert replies and replies[0].name in ("FAILURE", "SUCCESS"), replies
    for reply in replies:
        if reply.name == "FAILURE":
            assert reply.metadata["code"].startswith("Neo.ClientError."), reply
            assert not INTERNALS.search(str(reply.metadata)), reply.metadata
