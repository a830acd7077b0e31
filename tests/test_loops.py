"""asyncbolt.run(main, loop=...) and `asyncbolt serve --loop`: the event loop is chosen where it
is made; uvloop is taken when installed ("auto"), asyncio's loop otherwise."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import asyncbolt
from asyncbolt import loops
from asyncbolt.loops import resolve_loop, running_loop_name

ROOT = Path(__file__).resolve().parent.parent


async def _which() -> str:
    return running_loop_name()


def test_auto_is_uvloop_when_installed() -> None:
    pytest.importorskip("uvloop", reason="the uvloop extra is not installed")
    assert resolve_loop("auto") == "uvloop"
    assert asyncbolt.run(_which()) == "uvloop"
    assert asyncbolt.run(_which(), loop="uvloop") == "uvloop"


def test_asyncio_is_chosen_explicitly_or_without_uvloop(monkeypatch: pytest.MonkeyPatch) -> None:
    assert asyncbolt.run(_which(), loop="asyncio") == "asyncio"
    monkeypatch.setattr(loops, "_uvloop_installed", lambda: False)
    assert resolve_loop("auto") == "asyncio"
    assert asyncbolt.run(_which()) == "asyncio"


def test_uvloop_missing_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loops, "_uvloop_installed", lambda: False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the coroutine is closed, never left un-awaited
        with pytest.raises(ImportError, match=r"asyncbolt\[uvloop\]"):
            asyncbolt.run(_which(), loop="uvloop")


def test_an_unknown_loop_is_refused() -> None:
    coro = _which()
    with pytest.raises(ValueError, match="'auto', 'asyncio', 'uvloop'.*'trio'"):
        asyncbolt.run(coro, loop="trio")
    with pytest.raises(ValueError):
        resolve_loop("")


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_run_returns_raises_and_cleans_up_like_asyncio_run(loop: str) -> None:
    if loop == "uvloop":
        pytest.importorskip("uvloop", reason="the uvloop extra is not installed")
    left: list[asyncio.Task] = []

    async def main() -> int:
        left.append(asyncio.ensure_future(asyncio.sleep(3600)))
        return 42

    assert asyncbolt.run(main(), loop=loop) == 42
    assert left[0].cancelled()  # (tasks left behind are cancelled, as asyncio.run does)

    async def fails() -> None:
        raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):
        asyncbolt.run(fails(), loop=loop)


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_a_server_answers_on_either_loop(loop: str) -> None:
    if loop == "uvloop":
        pytest.importorskip("uvloop", reason="the uvloop extra is not installed")

    class One(asyncbolt.ServerSession):
        async def run(self, query, parameters, extra):
            return asyncbolt.ServerResult(["x", "loop"], [[parameters["x"], running_loop_name()]])

    async def main() -> list:
        server = await asyncbolt.serve(One, "127.0.0.1", 0)
        async with server:
            async with asyncbolt.connect(f"bolt://127.0.0.1:{server.port}", auth=None) as conn:
                results = [await conn.run("Q", x=i) for i in range(50)]  # pipelined
                return [await r.values() for r in results]

    rows = asyncbolt.run(main(), loop=loop)
    assert rows == [[[i, loop]] for i in range(50)]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a subprocess")
@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_serve_command_runs_on_the_loop_given(loop: str) -> None:
    pytest.importorskip("ladybug", reason="the serve extra (ladybug) is not installed")
    if loop == "uvloop":
        pytest.importorskip("uvloop", reason="the uvloop extra is not installed")
    proc = subprocess.Popen([sys.executable, "-m", "asyncbolt", "serve", "--port", "0", "--loop", loop,
                             "--log-level", "INFO"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    try:
        line = proc.stdout.readline()
        assert "bolt://" in line, line
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert f"event loop: {loop}" in err


def test_serve_command_refuses_a_missing_uvloop_or_an_unknown_loop() -> None:
    pytest.importorskip("ladybug", reason="the serve extra (ladybug) is not installed")
    from asyncbolt.tools import serving

    with pytest.raises(SystemExit):
        serving.build_parser().parse_args(["--loop", "trio"])
    assert serving.build_parser().parse_args([]).loop == "auto"
    # Without uvloop: the command says how to get it, and exits 1 (in a child: no uvloop there).
    code = ("import sys; sys.modules['uvloop'] = None; import importlib.util as u; "
            "u.find_spec = lambda name, *a, _f=u.find_spec: None if name == 'uvloop' else _f(name, *a); "
            "from asyncbolt.tools.serving import main; sys.exit(main(['--port', '0', '--loop', 'uvloop']))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          cwd=ROOT)
    assert proc.returncode == 1, proc.stderr
    assert "asyncbolt serve:" in proc.stderr and "asyncbolt[uvloop]" in proc.stderr


def test_tls_is_served_on_asyncios_loop_not_uvloops(tmp_path: Path) -> None:
    """uvloop can lose a ClientHello that arrives before the accepted connection's TLS upgrade
    (handshakes reset now and then): serve(ssl=) refuses that loop with the reason, and the serve
    command serves TLS on asyncio's loop (auto) or refuses --loop uvloop with TLS."""
    pytest.importorskip("uvloop", reason="the uvloop extra is not installed")
    trustme = pytest.importorskip("trustme", reason="a throw-away CA (dev extra)")
    import ssl

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)

    async def start() -> None:
        await asyncbolt.serve(asyncbolt.ServerSession, "127.0.0.1", 0, ssl=context)

    with pytest.raises(ValueError, match="uvloop"):
        asyncbolt.run(start(), loop="uvloop")
    from asyncbolt.tools import serving

    cert.private_key_and_cert_chain_pem.write_to_path(str(tmp_path / "both.pem"))
    assert serving.main(["--port", "0", "--loop", "uvloop", "--tls-cert", str(tmp_path / "both.pem")]) == 2
