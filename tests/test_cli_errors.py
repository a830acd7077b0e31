"""The first hour's CLI errors: each is one line on standard error that says what was wrong and
what to do, with a non-zero exit status, never a traceback (issue #18, "The first hour")."""

from __future__ import annotations

import errno
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from asyncbolt import packstream
from asyncbolt.codec.packstream import Codec
from asyncbolt.errors import ProtocolError, ServiceUnavailable
from asyncbolt.tools import serving
from asyncbolt.tools.connect_errors import cannot_connect, why_cannot_listen, why_unreachable

from .sessions import ServerThread

ROOT = Path(__file__).resolve().parent.parent


def cli(*argv: str) -> subprocess.CompletedProcess:
    """``asyncbolt ARGV`` as the installed command runs it, in a fresh interpreter."""
    return subprocess.run([sys.executable, "-m", "asyncbolt.tools.cli", *argv], cwd=ROOT,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)


def one_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.mark.parametrize("command", ["query", "shell"])
@pytest.mark.parametrize("address, says", [
    ("http://localhost:7687", "unsupported URI scheme 'http' in 'http://localhost:7687'; use one of bolt"),
    ("bolt://localhost:abc", "the port is not a number in 'bolt://localhost:abc'; write bolt://HOST:PORT"),
    ("bolt://localhost:99999", "Port out of range 0-65535 in 'bolt://localhost:99999'"),
    ("bolt://localhost/db", "a Bolt URI has no path"),
    ("http://neo4j:secret@localhost", "'http://neo4j:******@localhost'"),
])
def test_a_bad_address_is_one_line(command: str, address: str, says: str) -> None:
    args = [command, address] + (["RETURN 1"] if command == "query" else [])
    done = cli(*args)
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert line.startswith(f"asyncbolt {command}: ") and says in line, line
    assert "secret" not in done.stderr


@pytest.mark.parametrize("command", ["query", "shell"])
def test_host_and_port_alone_mean_bolt(command: str) -> None:
    # What cypher-shell users type: `localhost:7687` is bolt://localhost:7687. Port 1 on the
    # loopback refuses, so the one line is the connection's failure, not a URI complaint.
    args = [command, "127.0.0.1:1"] + (["RETURN 1"] if command == "query" else [])
    done = cli(*args)
    assert done.returncode == 1
    line = one_line(done.stderr)
    assert line == (f"asyncbolt {command}: cannot connect to bolt://127.0.0.1:1: connection refused: "
                    "nothing listens on port 1 there; check the port, or start a server (asyncbolt serve)")


def refused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once closed


@pytest.mark.parametrize("command", ["query", "shell"])
def test_cannot_connect_is_said_once(command: str) -> None:
    """Refused, a name that does not resolve, a peer that never answers the handshake: one
    line each, the address once (credentials redacted), what happened in words, what to do."""
    extra = ["RETURN 1"] if command == "query" else []
    port = refused_port()
    done = cli(command, f"bolt://neo4j:secret@127.0.0.1:{port}", *extra)
    assert done.returncode == 1
    assert one_line(done.stderr) == (
        f"asyncbolt {command}: cannot connect to bolt://neo4j:******@127.0.0.1:{port}: connection "
        f"refused: nothing listens on port {port} there; check the port, or start a server (asyncbolt serve)")

    done = cli(command, "bolt://no-such-host.invalid:7687", *extra)
    assert done.returncode == 1
    assert one_line(done.stderr) == (
        f"asyncbolt {command}: cannot connect to bolt://no-such-host.invalid:7687: the host name "
        "'no-such-host.invalid' does not resolve; check its spelling (or use an IP address)")

    with socket.socket() as silent:  # accepts (the kernel does) and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        done = cli(command, f"127.0.0.1:{port}", *extra, "--timeout", "0.5")
    assert done.returncode == 1
    assert one_line(done.stderr) == (
        f"asyncbolt {command}: cannot connect to bolt://127.0.0.1:{port}: the Bolt handshake did not "
        "finish within 0.5s; is it a Bolt server? check the port")

    done = cli(command, f"127.0.0.1:{port}", *extra, "--timeout", "-1")
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (  # (argparse's usage above it, as for every bad option)
        f"asyncbolt {command}: error: argument --timeout: must be a positive number of seconds: '-1'")


def test_the_reasons_in_words() -> None:
    """The cases loopback cannot produce: a connect that times out, an unreachable network."""
    timed_out = ServiceUnavailable("connecting to 10.0.0.1:7687 timed out after 5s (connecting did not finish)")
    assert why_unreachable(timed_out, "10.0.0.1", 7687) == (
        "no answer within 5s; check the address, and that no firewall drops the packets to port 7687")
    unreachable = ServiceUnavailable("cannot connect to 10.0.0.1:7687: [Errno 101] Network is unreachable")
    unreachable.__cause__ = OSError(errno.ENETUNREACH, "Network is unreachable")
    assert why_unreachable(unreachable, "10.0.0.1", 7687) == (
        "network is unreachable; check the address and the network")
    assert cannot_connect("asyncbolt query", "bolt://10.0.0.1:7687", unreachable) == (
        "asyncbolt query: cannot connect to bolt://10.0.0.1:7687: network is unreachable; check the "
        "address and the network")


def test_the_bare_address_reaches_a_server() -> None:
    with ServerThread() as server:  # (an EchoSession: any query, no records)
        done = cli("query", f"127.0.0.1:{server.port}", "RETURN 1")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_a_missing_tls_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cert = tmp_path / "cert.pem"
    assert serving.main(["--port", "0", "--tls-cert", str(cert)]) == 1
    assert one_line(capsys.readouterr().err) == f"asyncbolt serve: --tls-cert {cert}: no such file"
    cert.write_text("not a certificate\n")
    key = tmp_path / "key.pem"
    assert serving.main(["--port", "0", "--tls-cert", str(cert), "--tls-key", str(key)]) == 1
    assert one_line(capsys.readouterr().err) == f"asyncbolt serve: --tls-key {key}: no such file"
    key.write_text("not a key either\n")
    assert serving.main(["--port", "0", "--tls-cert", str(cert), "--tls-key", str(key)]) == 1
    line = one_line(capsys.readouterr().err)
    assert line.startswith(f"asyncbolt serve: cannot load --tls-cert {cert} and --tls-key {key}: ")
    assert "give a PEM certificate chain" in line


def test_an_init_failure_names_the_statement(tmp_path: Path) -> None:
    pytest.importorskip("ladybug")
    init = tmp_path / "seed.cypher"
    init.write_text("CREATE NODE TABLE P(n STRING PRIMARY KEY);\n"
                    "// the people\n"
                    "CREATE (:P {n: 'a; b'});\n"
                    "CREATE (:Nope {x: 1,\n"
                    "   y: 2});\n"
                    "CREATE (:P {n: 'never'});\n")
    done = cli("serve", "--port", "0", "--init", str(init))
    assert done.returncode == 1
    line = one_line(done.stderr)
    assert line.startswith(f"asyncbolt serve: {init}, line 4, statement 3 (`CREATE (:Nope {{x: 1, y: 2}})`): "
                           "Neo.ClientError.Statement."), line
    assert "Nope" in line.split("): ", 1)[1]
    missing = tmp_path / "missing.cypher"
    done = cli("serve", "--port", "0", "--init", str(missing))
    assert done.returncode == 1
    assert str(missing) in one_line(done.stderr)


@pytest.mark.parametrize("accelerated", [False, True])
def test_a_codec_error_carries_no_second_traceback(accelerated: bool) -> None:
    # The fast decoder's failure is diagnosed again by the checked one; doing that inside the
    # except block chained the two ("During handling of the above exception...").
    if accelerated and not packstream.ACCELERATED:
        pytest.skip("the C accelerator is not in use (ASYNCBOLT_PURE is set, or it is not built)")
    codec = Codec((5, 0), accelerated=accelerated)
    for decode in (lambda: codec.unpack(b"\xc4"), lambda: codec.unpack_from(b"\x91"),
                   lambda: packstream.unpack(b"\xc4")):
        with pytest.raises(ProtocolError) as caught:
            decode()
        assert caught.value.__context__ is None and caught.value.__cause__ is None
    done = subprocess.run([sys.executable, "-c", "from asyncbolt import packstream; packstream.unpack(b'\\xc4')"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stderr.count("Traceback") == 1, done.stderr


@pytest.mark.parametrize("command", ["serve", "proxy", "stub"])
def test_a_taken_port_is_one_line(command: str, tmp_path: Path) -> None:
    script = tmp_path / "hello.script"
    script.write_text('!: BOLT 5.0\n\nC: HELLO {"{}": "*"}\nS: SUCCESS {}\n')
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        args = {"serve": ["--port", str(port)],
                "proxy": ["--listen", f"127.0.0.1:{port}", "--upstream", "bolt://127.0.0.1:1"],
                "stub": ["-l", f"127.0.0.1:{port}", str(script)]}[command]
        done = cli(command, *args)
    assert done.returncode == {"serve": 1, "proxy": 2, "stub": 99}[command]
    prefix = f"asyncbolt {command}: " + ("error: " if command == "proxy" else "")
    assert one_line(done.stderr) == (
        f"{prefix}cannot listen on 127.0.0.1:{port}: the address is in use (another server listens on "
        f"port {port}?); stop it, or choose another port")


def test_the_reasons_a_server_cannot_listen() -> None:
    assert why_cannot_listen(OSError(errno.EADDRNOTAVAIL, "x"), 7687) == (
        "no such address on this machine; listen on 127.0.0.1 or 0.0.0.0")
    assert why_cannot_listen(OSError(errno.EACCES, "x"), 80) == (
        "permission denied for port 80 (ports below 1024 need privileges); choose another")


def test_a_tls_failure_is_explained_as_the_client_explains_it() -> None:
    import ssl

    cause = ssl.SSLCertVerificationError(
        1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate")
    error = ServiceUnavailable("cannot connect to 127.0.0.1:7687")
    error.__cause__ = cause
    line = cannot_connect("asyncbolt query", "bolt+s://127.0.0.1:7687", error)
    assert line.startswith("asyncbolt query: cannot connect to bolt+s://127.0.0.1:7687: TLS: "
                           "certificate verify failed: ")
    assert "self-signed" in line and "+ssc URI" in line and "\n" not in line
