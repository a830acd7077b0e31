"""TLS without hand-built SSLContexts (issue #18): trust helpers (TrustSystemCAs, TrustCustomCAs,
TrustAll), client certificates for mutual TLS (static and rotating providers), the options'
conflicts, and one-line errors, against asyncbolt's own server over TLS on 127.0.0.1, with
certificates made by the openssl command in the test."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import pytest

import asyncbolt
from asyncbolt import (
    ClientCertificate,
    ClientCertificateProviders,
    ConfigurationError,
    Driver,
    ServiceUnavailable,
    TrustAll,
    TrustCustomCAs,
    TrustSystemCAs,
)
from asyncbolt.client.tls import describe_tls_failure, make_context

from . import tlscerts

pytestmark = pytest.mark.skipif(not tlscerts.available(), reason="needs the openssl command")


class Certs:
    """Two CAs; server certificates (ours, self-signed, another CA's, another name's); client
    certificates signed by our CA (one with an encrypted key) and one by the other CA."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ca = tlscerts.make_ca("ourCA", folder)
        self.other_ca = tlscerts.make_ca("otherCA", folder)
        self.server = tlscerts.make_leaf("server", folder, self.ca, "IP:127.0.0.1,DNS:localhost")
        self.self_signed = tlscerts.make_leaf("selfsigned", folder, None, "IP:127.0.0.1")
        self.other_server = tlscerts.make_leaf("otherserver", folder, self.other_ca, "IP:127.0.0.1")
        self.wrong_name = tlscerts.make_leaf("wrongname", folder, self.ca, "DNS:thehost")
        self.client1 = tlscerts.make_leaf("client1", folder, self.ca, "DNS:client1")
        self.client2 = tlscerts.make_leaf("client2", folder, self.ca, "DNS:client2")
        self.client_pw = tlscerts.make_leaf("clientpw", folder, self.ca, "DNS:clientpw",
                                            password="s3cret")
        self.stranger = tlscerts.make_leaf("stranger", folder, self.other_ca, "DNS:stranger")


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    return Certs(tmp_path_factory.mktemp("tls"))


class WhoSession(asyncbolt.ServerSession):
    """Answers any query with the common name of the client's certificate (None without)."""

    def run(self, query: str, parameters: dict, extra: dict) -> asyncbolt.Result:
        cert = self.connection.peer_certificate
        name = None
        if cert is not None:
            name = dict(pair for rdn in cert["subject"] for pair in rdn)["commonName"]
        return asyncbolt.Result(["cn"], [[name]])


def server_context(pair: tuple[Path, Path], client_ca: Path | None = None) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*pair)
    if client_ca is not None:  # mutual TLS: a client certificate signed by client_ca is required
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(client_ca)
    return context


async def who(driver: Driver) -> Any:
    records, _, _ = await driver.execute_query("RETURN who")
    return records[0]["cn"]


async def refused(driver: Driver) -> str:
    with pytest.raises(ServiceUnavailable) as info:
        await driver.verify_connectivity()
    message = str(info.value)
    assert "\n" not in message
    return message


# -- trust --------------------------------------------------------------------------------------


async def test_trust_custom_cas_accepts_our_ca_and_refuses_another(certs: Certs) -> None:
    async with await asyncbolt.serve(WhoSession, "127.0.0.1", 0, ssl=server_context(certs.server)) as srv:
        uri = f"bolt://127.0.0.1:{srv.port}"
        async with Driver(uri, encrypted=True, trusted_certificates=TrustCustomCAs(str(certs.ca[0]))) as driver:
            assert driver.encrypted
            assert await who(driver) is None
        # Several files: any of them may be the one.
        both = TrustCustomCAs(certs.other_ca[0], certs.ca[0])
        async with Driver(uri.replace("bolt", "neo4j"), encrypted=True, trusted_certificates=both) as driver:
            await driver.verify_connectivity()
        async with Driver(uri, encrypted=True,
                          trusted_certificates=TrustCustomCAs(certs.other_ca[0])) as driver:
            message = await refused(driver)
    assert "certificate verify failed" in message and "TrustCustomCAs" in message, message
    assert "unable to get local issuer certificate" in message, message


async def test_trust_all_accepts_a_self_signed_certificate(certs: Certs) -> None:
    async with await asyncbolt.serve(WhoSession, "127.0.0.1", 0, ssl=server_context(certs.self_signed)) as srv:
        for uri, options in ((f"bolt://127.0.0.1:{srv.port}", {"encrypted": True, "trusted_certificates": TrustAll()}),
                             (f"bolt+ssc://127.0.0.1:{srv.port}", {})):
            async with Driver(uri, **options) as driver:
                assert driver.encrypted
                assert await who(driver) is None


async def test_system_cas_refuse_a_self_signed_certificate(certs: Certs, monkeypatch) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    async with await asyncbolt.serve(WhoSession, "127.0.0.1", 0, ssl=server_context(certs.self_signed)) as srv:
        for uri, options in ((f"bolt+s://127.0.0.1:{srv.port}", {}),
                             (f"bolt://127.0.0.1:{srv.port}", {"encrypted": True}),
                             (f"bolt://127.0.0.1:{srv.port}",
                              {"encrypted": True, "trusted_certificates": TrustSystemCAs()})):
            async with Driver(uri, **options) as driver:
                message = await refused(driver)
            assert "certificate verify failed: self-signed certificate" in message, message
            assert "TrustCustomCAs" in message and "+ssc" in message, message


async def test_system_cas_are_openssls_so_ssl_cert_file_adds_a_ca(certs: Certs, monkeypatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certs.ca[0]))
    async with await asyncbolt.serve(WhoSession, "127.0.0.1", 0, ssl=server_context(certs.server)) as srv:
        async with Driver(f"bolt+s://127.0.0.1:{srv.port}") as driver:
            assert await who(driver) is None


async def test_hostname_mismatch_says_so_in_one_line(certs: Certs) -> None:
    async with await asyncbolt.serve(WhoSession, "127.0.0.1", 0, ssl=server_context(certs.wrong_name)) as srv:
        trust = TrustCustomCAs(certs.ca[0])
        async with Driver(f"bolt://127.0.0.1:{srv.port}", encrypted=True, trusted_certificates=trust) as driver:
            message = await refused(driver)
        assert "certificate verify failed: IP address mismatch" in message, message
        assert "'127.0.0.1'" in message and "a name the certificate is for" in message, message
        async with Driver(f"bolt://localhost:{srv.port}", encrypted=True, trusted_certificates=trust) as driver:
            message = await refused(driver)
        assert "certificate verify failed: Hostname mismatch" in message, message
        # Not checking the name (nor the CA): TrustAll.
        async with Driver(f"bolt://localhost:{srv.port}", encrypted=True,
                          trusted_certificates=TrustAll()) as driver:
            await driver.verify_connectivity()


async def test_a_plain_server_and_a_tls_client(certs: Certs) -> None:
    async with await asyncbolt.serve(WhoSession, "127.0.0.1", 0) as srv:
        async with Driver(f"bolt+ssc://127.0.0.1:{srv.port}", connection_timeout=5) as driver:
            with pytest.raises(ServiceUnavailable) as info:
                await driver.verify_connectivity()
    assert "\n" not in str(info.value)


# -- mutual TLS ---------------------------------------------------------------------------------


async def test_static_client_certificate(certs: Certs) -> None:
    context = server_context(certs.server, client_ca=certs.ca[0])
    trust = TrustCustomCAs(certs.ca[0])
    async with await asyncbolt.serve(WhoSession, "127.0.0.1", 0, ssl=context) as srv:
        uri = f"bolt://127.0.0.1:{srv.port}"
        for client_certificate in (ClientCertificate(certs.client1[0], certs.client1[1]),
                                   ClientCertificateProviders.static(ClientCertificate(*certs.client1))):
            async with Driver(uri, encrypted=True, trusted_certificates=trust,
                              client_certificate=client_certificate, max_pool_size=1) as driver:
                assert await who(driver) == "client1"
                assert await who(driver) == "client1"  # (the pooled connection again)
        # An encrypted key, its password as a string or a function.
        for password in ("s3cret", lambda: "s3cret"):
            cert = ClientCertificate(str(certs.client_pw[0]), str(certs.client_pw[1]), password)
            async with Driver(uri, encrypted=True, trusted_certificates=trust, client_certificate=cert) as driver:
                assert await who(driver) == "clientpw"
        # The server refuses a connection without a certificate, and one its CA did not sign.
        async with Driver(uri, encrypted=True, trusted_certificates=trust) as driver:
            message = await refused(driver)
        assert "client certificate" in message, message
        async with Driver(uri, encrypted=True, trusted_certificates=trust,
                          client_certificate=ClientCertificate(*certs.stranger)) as driver:
            message = await refused(driver)
        assert "TLS" in message, message


async def test_client_certificate_with_plain_connect(certs: Certs) -> None:
    context = server_context(certs.server, client_ca=certs.ca[0])
    async with await asyncbolt.serve(WhoSession, "127.0.0.1", 0, ssl=context) as srv:
        async with asyncbolt.connect(f"bolt://127.0.0.1:{srv.port}", encrypted=True,
                                     trusted_certificates=TrustCustomCAs(certs.ca[0]),
                                     client_certificate=ClientCertificate(*certs.client2)) as conn:
            result = await conn.run("RETURN who")
            assert [r["cn"] async for r in result] == ["client2"]


async def test_rotating_provider_new_connections_use_the_new_certificate(certs: Certs) -> None:
    context = server_context(certs.server, client_ca=certs.ca[0])
    provider = ClientCertificateProviders.rotating(ClientCertificate(*certs.client1))
    async with await asyncbolt.serve(WhoSession, "127.0.0.1", 0, ssl=context) as srv:
        async with Driver(f"bolt://127.0.0.1:{srv.port}", encrypted=True,
                          trusted_certificates=TrustCustomCAs(certs.ca[0]),
                          client_certificate=provider) as driver:
            async with driver.session() as first:
                tx1 = await first.begin_transaction()  # holds its connection (client1)
                assert [r["cn"] async for r in await tx1.run("RETURN who")] == ["client1"]
                provider.update_certificate(ClientCertificate(*certs.client2))
                assert provider.certificate.certfile == certs.client2[0]
                async with driver.session() as second:  # a new connection: client2
                    tx2 = await second.begin_transaction()
                    assert [r["cn"] async for r in await tx2.run("RETURN who")] == ["client2"]
                    # the connection opened before keeps its certificate
                    assert [r["cn"] async for r in await tx1.run("RETURN who")] == ["client1"]
                    await tx2.commit()
                await tx1.commit()
    async with await asyncbolt.serve(WhoSession, "127.0.0.1", 0, ssl=context) as srv:
        async with Driver(f"bolt://127.0.0.1:{srv.port}", encrypted=True,
                          trusted_certificates=TrustCustomCAs(certs.ca[0]),
                          client_certificate=provider, max_pool_size=1) as driver:
            assert await who(driver) == "client2"  # (a provider may serve several drivers)
            # A certificate the server does not trust: the pooled connection goes on with its
            # own; a new one is refused.
            provider.update_certificate(ClientCertificate(*certs.stranger))
            async with driver.session() as held:
                tx = await held.begin_transaction()  # (the pooled client2 connection)
                assert [r["cn"] async for r in await tx.run("RETURN who")] == ["client2"]
                with pytest.raises(ServiceUnavailable, match="client certificate"):
                    await asyncbolt.Driver(driver.uri, encrypted=True,
                                           trusted_certificates=TrustCustomCAs(certs.ca[0]),
                                           client_certificate=provider).verify_connectivity()
                await tx.commit()


async def test_a_provider_of_ones_own(certs: Certs) -> None:
    calls: list[int] = []

    class Provider:
        async def get_certificate(self) -> ClientCertificate | None:
            calls.append(1)
            return ClientCertificate(*certs.client1) if len(calls) == 1 else None

    assert isinstance(Provider(), asyncbolt.ClientCertificateProvider)
    context = server_context(certs.server, client_ca=certs.ca[0])
    async with await asyncbolt.serve(WhoSession, "127.0.0.1", 0, ssl=context) as srv:
        async with Driver(f"bolt://127.0.0.1:{srv.port}", encrypted=True,
                          trusted_certificates=TrustCustomCAs(certs.ca[0]),
                          client_certificate=Provider()) as driver:
            async with driver.session() as a, driver.session() as b:
                ta, tb = await a.begin_transaction(), await b.begin_transaction()
                for tx in (ta, tb):  # two connections, one certificate: asked once each
                    assert [r["cn"] async for r in await tx.run("RETURN who")] == ["client1"]
                await ta.commit()
                await tb.commit()
    assert len(calls) == 2  # (None the second time: "the same as before")


# -- configuration ------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["bolt+s", "bolt+ssc", "neo4j+s", "neo4j+ssc"])
@pytest.mark.parametrize("option", [{"encrypted": True}, {"encrypted": False},
                                    {"trusted_certificates": TrustAll()},
                                    {"ssl_context": ssl.create_default_context()}])
def test_secure_schemes_take_no_tls_options(scheme: str, option: dict) -> None:
    with pytest.raises(ConfigurationError) as info:
        Driver(f"{scheme}://localhost:7687", **option)
    message = str(info.value)
    assert scheme in message and next(iter(option)) in message and "bolt://" in message, message
    with pytest.raises(ConfigurationError):
        asyncbolt.connect(f"{scheme}://localhost:7687", **option)


def test_encrypted_property() -> None:
    assert not Driver("bolt://localhost:7687").encrypted
    assert not Driver("neo4j://localhost:7687", encrypted=False).encrypted
    assert not Driver("bolt://localhost:7687", trusted_certificates=TrustAll()).encrypted
    for uri in ("bolt+s://h", "bolt+ssc://h", "neo4j+s://h", "neo4j+ssc://h"):
        assert Driver(uri).encrypted
    assert Driver("bolt://h", encrypted=True).encrypted
    assert Driver("bolt://h", ssl=True).encrypted
    assert Driver("bolt://h", ssl_context=ssl.create_default_context()).encrypted
    assert Driver("bolt+s://h", ssl=ssl.create_default_context()).encrypted  # (asyncbolt's own)


def test_options_that_contradict_each_other(certs: Certs) -> None:
    context = ssl.create_default_context()
    cases = [
        ({"ssl": True, "encrypted": True}, "ssl= and encrypted"),
        ({"ssl_context": context, "encrypted": False}, "encrypted=False"),
        ({"ssl_context": context, "trusted_certificates": TrustAll()}, "trusted_certificates"),
        ({"ssl_context": context, "client_certificate": ClientCertificate(*certs.client1)},
         "client_certificate"),
        ({"client_certificate": ClientCertificate(*certs.client1)}, "encrypted=True"),
        ({"encrypted": True, "trusted_certificates": "all"}, "TrustAll()"),
        ({"ssl_context": "yes"}, "ssl.SSLContext"),
    ]
    for options, words in cases:
        with pytest.raises(ConfigurationError) as info:
            Driver("bolt://localhost:7687", **options)
        assert words in str(info.value), (options, str(info.value))
    with pytest.raises(TypeError, match="ClientCertificate or a provider"):
        Driver("bolt+s://h", client_certificate=("cert.pem", "key.pem"))
    with pytest.raises(ConfigurationError, match="at least one"):
        TrustCustomCAs()


def test_missing_files_are_named(certs: Certs, tmp_path: Path) -> None:
    missing = tmp_path / "nope.pem"
    with pytest.raises(ConfigurationError, match=f"CA certificate file '{missing}': no such file"):
        Driver("bolt://h", encrypted=True, trusted_certificates=TrustCustomCAs(missing))
    with pytest.raises(ConfigurationError, match=f"client certificate file '{missing}': no such file"):
        Driver("bolt+s://h", client_certificate=ClientCertificate(missing))
    with pytest.raises(ConfigurationError, match=f"key file '{missing}': no such file"):
        Driver("bolt+s://h", client_certificate=ClientCertificate(certs.client1[0], missing))
    not_pem = tmp_path / "not.pem"
    not_pem.write_text("hello\n")
    with pytest.raises(ConfigurationError, match=f"cannot read CA certificates from '{not_pem}'"):
        Driver("bolt://h", encrypted=True, trusted_certificates=TrustCustomCAs(not_pem))
    with pytest.raises(ConfigurationError, match="password"):
        make_context(TrustAll(), ClientCertificate(*certs.client_pw, password="wrong"))
    with pytest.raises(ConfigurationError, match="cannot load the client certificate"):
        make_context(TrustAll(), ClientCertificate(certs.client1[0], certs.client2[1]))  # (not its key)


async def test_a_rotated_certificate_that_is_missing_fails_the_new_connection(certs: Certs, tmp_path: Path) -> None:
    provider = ClientCertificateProviders.rotating(ClientCertificate(*certs.client1))
    context = server_context(certs.server, client_ca=certs.ca[0])
    async with await asyncbolt.serve(WhoSession, "127.0.0.1", 0, ssl=context) as srv:
        async with Driver(f"bolt://127.0.0.1:{srv.port}", encrypted=True,
                          trusted_certificates=TrustCustomCAs(certs.ca[0]),
                          client_certificate=provider) as driver:
            provider.update_certificate(ClientCertificate(tmp_path / "gone.pem"))
            with pytest.raises(ConfigurationError, match="gone.pem'?: no such file"):
                await driver.verify_connectivity()


def test_trust_stores_compare_by_value_and_reprs_hide_passwords(certs: Certs) -> None:
    assert TrustSystemCAs() == TrustSystemCAs() and TrustAll() == TrustAll()
    assert TrustSystemCAs() != TrustAll()
    assert TrustCustomCAs("a.pem", "b.pem") == TrustCustomCAs("a.pem", "b.pem") != TrustCustomCAs("a.pem")
    assert len({TrustAll(), TrustAll(), TrustCustomCAs("a.pem")}) == 2
    assert "s3cret" not in repr(ClientCertificate("c.pem", "k.pem", "s3cret"))
    assert "******" in repr(ClientCertificate("c.pem", "k.pem", "s3cret"))


def test_describe_tls_failure_is_none_for_other_errors() -> None:
    assert describe_tls_failure(ConnectionRefusedError(111, "refused")) is None
    wrong = describe_tls_failure(ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"))
    assert wrong is not None and "does not speak TLS" in wrong
    alert = describe_tls_failure(ssl.SSLError(1, "[SSL: SSLV3_ALERT_HANDSHAKE_FAILURE] sslv3 alert "
                                                 "handshake failure (_ssl.c:1006)"))
    assert alert is not None and "client certificate" in alert and "cipher" in alert
    required = describe_tls_failure(ssl.SSLError(1, "[SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] "
                                                    "tlsv13 alert certificate required"))
    assert required is not None and "requires a client certificate" in required
    unknown = describe_tls_failure(ssl.SSLError(1, "[SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca"))
    assert unknown is not None and "refused our client certificate" in unknown
    version = describe_tls_failure(ssl.SSLError(1, "[SSL: UNSUPPORTED_PROTOCOL] unsupported protocol"))
    assert version is not None and "TLS 1.2 or newer" in version


async def test_a_provider_that_never_answers_is_bounded_by_the_acquisition_timeout(certs: Certs) -> None:
    import asyncio

    class Stuck:
        async def get_certificate(self) -> ClientCertificate | None:
            await asyncio.Event().wait()  # never
            return None

    async with await asyncbolt.serve(WhoSession, "127.0.0.1", 0, ssl=server_context(certs.server)) as srv:
        async with Driver(f"bolt+ssc://127.0.0.1:{srv.port}", client_certificate=Stuck(),
                          connection_acquisition_timeout=0.2) as driver:
            # (the driver's one acquisition deadline names the stage that used up the time)
            with pytest.raises(ServiceUnavailable, match="timed out after 0.2 s while asking the "
                                                         "client certificate provider"):
                await asyncio.wait_for(driver.verify_connectivity(), 30)
    async with await asyncbolt.serve(WhoSession, "127.0.0.1", 0, ssl=server_context(certs.server)) as srv:
        with pytest.raises(ServiceUnavailable, match="provider did not answer within 0.2s"):
            await asyncio.wait_for(asyncbolt.connect(f"bolt+ssc://127.0.0.1:{srv.port}",
                                                     client_certificate=Stuck(), timeout=0.2), 30)


async def test_a_tls12_server_that_requires_a_client_certificate(certs: Certs) -> None:
    context = server_context(certs.server, client_ca=certs.ca[0])
    context.maximum_version = ssl.TLSVersion.TLSv1_2  # (refused within the handshake: an alert)
    async with await asyncbolt.serve(WhoSession, "127.0.0.1", 0, ssl=context) as srv:
        async with Driver(f"bolt+ssc://127.0.0.1:{srv.port}") as driver:
            message = await refused(driver)
        # (asyncio's server closes without the alert OpenSSL would send: a reset, then)
        assert ("TLS: the server ended the handshake" in message
                or "closed the connection during the TLS handshake" in message), message
        assert "client certificate" in message, message
        async with Driver(f"bolt+ssc://127.0.0.1:{srv.port}",
                          client_certificate=ClientCertificate(*certs.client1)) as driver:
            assert await who(driver) == "client1"
