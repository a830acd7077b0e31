"""The testkit backend's TLS options (testkit_backend/tls.py): NewDriver's encrypted,
trustedCertificates, clientCertificate and clientCertificateProviderId, and the client
certificate providers that ask testkit, against asyncbolt's server over mutual TLS."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

import asyncbolt
from asyncbolt.client.tls import TrustAll, TrustCustomCAs, TrustSystemCAs
from testkit_backend.server import Backend

from . import tlscerts

pytestmark = pytest.mark.skipif(not tlscerts.available(), reason="needs the openssl command")


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    folder = tmp_path_factory.mktemp("tk-tls")
    ca = tlscerts.make_ca("customRoot", folder)
    return {"ca": ca, "server": tlscerts.make_leaf("server", folder, ca),
            "client1": tlscerts.make_leaf("client1", folder, ca, "DNS:client1"),
            "client2": tlscerts.make_leaf("client2", folder, ca, "DNS:client2")}


def _cert(pair: tuple[Path, Path]) -> dict:
    return {"name": "ClientCertificate",
            "data": {"certfile": str(pair[0]), "keyfile": str(pair[1]), "password": None}}


async def test_features_and_trust_options(pki, monkeypatch) -> None:
    backend = Backend()
    features = (await backend.handle({"name": "GetFeatures", "data": {}}))["data"]["features"]
    for feature in ("Feature:API:SSLConfig", "Feature:API:SSLSchemes",
                    "Feature:API:SSLClientCertificate", "Feature:TLS:1.2", "Feature:TLS:1.3"):
        assert feature in features
    assert "Feature:TLS:1.1" not in features
    monkeypatch.setenv("TESTKIT_CUSTOM_CAS", str(pki["ca"][0].parent))
    cases = [({"encrypted": True, "trustedCertificates": []}, TrustAll()),
             ({"encrypted": True, "trustedCertificates": None}, TrustSystemCAs()),
             ({"encrypted": True, "trustedCertificates": ["customRoot.pem"]},
              TrustCustomCAs(str(pki["ca"][0])))]
    for options, trust in cases:
        answer = await backend.handle({"name": "NewDriver", "data": {
            "uri": "bolt://thehost:6666", "authorizationToken": None, **options}})
        driver = backend.drivers[answer["data"]["id"]]
        assert driver.encrypted and driver._tls.trust == trust
    answer = await backend.handle({"name": "NewDriver", "data": {
        "uri": "bolt://thehost:6666", "authorizationToken": None, "encrypted": False}})
    assert not backend.drivers[answer["data"]["id"]].encrypted
    # A +s URI with explicit options: the driver's ConfigurationError, as testkit expects.
    answer = await backend.handle({"name": "NewDriver", "data": {
        "uri": "neo4j+s://thehost:6666", "authorizationToken": None, "encrypted": True}})
    assert answer["name"] == "DriverError" and "neo4j+s" in answer["data"]["msg"], answer


class WhoSession(asyncbolt.ServerSession):
    def run(self, query: str, parameters: dict, extra: dict) -> asyncbolt.Result:
        subject = dict(p for rdn in self.connection.peer_certificate["subject"] for p in rdn)
        return asyncbolt.Result(["cn"], [[subject["commonName"]]])


async def test_client_certificates_and_providers_that_ask_testkit(pki) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*pki["server"])
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(pki["ca"][0])
    async with await asyncbolt.serve(WhoSession, "127.0.0.1", 0, ssl=context) as srv:
        backend = Backend()
        answers = [_cert(pki["client1"]), None, _cert(pki["client2"])]
        asked: list[dict] = []

        async def ask(response: dict) -> dict:
            asked.append(response)
            cert = answers.pop(0)
            return {"name": "ClientCertificateProviderCompleted",
                    "data": {"requestId": response["data"]["id"], "hasUpdate": cert is not None,
                             "clientCertificate": cert or _cert(pki["client1"])}}

        backend.ask = ask
        provider = await backend.handle({"name": "NewClientCertificateProvider", "data": {}})
        assert provider["name"] == "ClientCertificateProvider"
        provider_id = provider["data"]["id"]
        answer = await backend.handle({"name": "NewDriver", "data": {
            "uri": f"bolt+ssc://127.0.0.1:{srv.port}", "authorizationToken": None,
            "clientCertificateProviderId": provider_id, "maxConnectionPoolSize": 3}})
        driver = backend.drivers[answer["data"]["id"]]
        seen = []
        async with driver.session() as s1, driver.session() as s2, driver.session() as s3:
            txs = [await s.begin_transaction() for s in (s1, s2, s3)]  # three connections
            for tx in txs:
                seen.extend([r["cn"] async for r in await tx.run("RETURN 1")])
                await tx.commit()
        assert seen == ["client1", "client1", "client2"]
        assert [a["name"] for a in asked] == ["ClientCertificateProviderRequest"] * 3
        assert asked[0]["data"]["clientCertificateProviderId"] == provider_id
        closed = await backend.handle({"name": "ClientCertificateProviderClose", "data": {"id": provider_id}})
        assert closed == {"name": "ClientCertificateProvider", "data": {"id": provider_id}}
        # A ClientCertificate given to NewDriver itself.
        answer = await backend.handle({"name": "NewDriver", "data": {
            "uri": f"bolt+ssc://127.0.0.1:{srv.port}", "authorizationToken": None,
            "clientCertificate": _cert(pki["client2"])}})
        records, _, _ = await backend.drivers[answer["data"]["id"]].execute_query("RETURN 1")
        assert records[0]["cn"] == "client2"
        for driver in backend.drivers.values():
            await driver.close()


def test_run_says_what_the_tls_area_needs(tmp_path, monkeypatch) -> None:
    from testkit_backend import run

    assert "--tlsserver" in (run._tls_problem(None) or "")
    assert "--tlsserver" in (run._tls_problem(str(tmp_path / "missing")) or "")
    binary = tmp_path / "tlsserver"
    binary.write_text("")
    binary.chmod(0o755)
    names = {"thehost": "127.0.0.1", "thehostbutwrong": "10.0.0.9"}

    def resolve(name: str) -> str:
        if name not in names:
            raise OSError(name)
        return names[name]

    monkeypatch.setattr(run.socket, "gethostbyname", resolve)
    problem = run._tls_problem(str(binary))
    assert problem is not None and "thehostbutwrong to resolve to 127.0.0.1" in problem
    assert "unshare -m" in problem and "/etc/hosts" in problem
    names["thehostbutwrong"] = "127.0.0.1"
    assert run._tls_problem(str(binary)) is None
