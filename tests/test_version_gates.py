"""The spec drives every version gate: no hand-written code compares a version with a literal.

Hand-written code asks ``asyncbolt._generated.versions`` instead: ``has(feature, version)``
(spec/bolt.yaml ``features:``), ``key_holds(table, key, version)`` (``maps:``) or
``patch_holds(patch, version)`` (``patches:``). The first test finds every comparison with a
``(major, minor)`` literal by parsing the sources (``ast``); the others show that moving a
feature's or a map key's range in the spec alone changes what the runtime does.
"""

from __future__ import annotations

import ast
import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

from asyncbolt._generated import versions as V

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec"
SOURCES = [ROOT / "asyncbolt", ROOT / "testkit_backend"]

#: Comparisons with a version literal that are not version gates: (path, the line's code
#: stripped, why). Keep it empty unless a literal really is no gate (a test vector, say).
ALLOWED: list[tuple[str, str, str]] = []

_ORDER = (ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq, ast.Is, ast.IsNot)


def _is_version(node: ast.AST, names: set[str]) -> bool:
    """A ``(int, int)`` literal, or a module-level name bound to one."""
    if isinstance(node, ast.Tuple):
        return len(node.elts) == 2 and all(
            isinstance(e, ast.Constant) and type(e.value) is int for e in node.elts)
    return isinstance(node, ast.Name) and node.id in names


def _version_names(tree: ast.Module) -> set[str]:
    """Module-level names assigned a version literal (``_NOOPS_SINCE = (4, 1)``)."""
    names = set()
    for stmt in tree.body:
        targets: list[ast.expr] = []
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        else:
            continue
        if _is_version(value, set()):
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def _gates(tree: ast.Module) -> list[ast.Compare]:
    names = _version_names(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        for i, op in enumerate(node.ops):
            left, right = sides[i], sides[i + 1]
            if isinstance(op, _ORDER) and (_is_version(left, names) or _is_version(right, names)):
                found.append(node)
                break
            if isinstance(op, (ast.In, ast.NotIn)) and isinstance(right, (ast.Tuple, ast.List, ast.Set)) \
                    and any(_is_version(e, names) for e in right.elts):
                found.append(node)
                break
    return found


def version_literal_gates(roots: list[Path]) -> list[str]:
    """``path:line: code`` of every comparison with a version literal outside ``_generated/``."""
    out = []
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            if "_generated" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            lines = text.splitlines()
            rel = path.relative_to(ROOT).as_posix()
            for node in _gates(ast.parse(text, filename=str(path))):
                code = lines[node.lineno - 1].strip()
                if any(rel == p and code == c for p, c, _ in ALLOWED):
                    continue
                out.append(f"{rel}:{node.lineno}: {code}")
    return out


def test_no_version_literal_gates_outside_generated() -> None:
    found = version_literal_gates(SOURCES)
    assert not found, ("compare versions through asyncbolt._generated.versions (has, key_holds, "
                       "patch_holds; spec/bolt.yaml features/maps/patches), not literals:\n"
                       + "\n".join(found))


def test_allow_list_entries_have_reasons_and_still_exist() -> None:
    for path, code, why in ALLOWED:
        assert why.strip(), f"{path}: {code}: say why this literal is no version gate"
        assert code in (ROOT / path).read_text(encoding="utf-8"), f"stale allow-list entry {path}: {code}"


@pytest.mark.parametrize("code", [
    "ok = v >= (4, 0)",
    "ok = (4, 3) <= v <= (4, 4)",
    "ok = v in ((4, 3), (4, 4))",
    "ok = v not in [(5, 5)]",
    "ok = v == (4, 2)",
    "SINCE = (4, 1)\nok = v < SINCE",
    "SINCE: tuple[int, int] = (4, 1)\nok = SINCE > v",
])
def test_the_finder_sees_version_literals(code: str) -> None:
    assert len(_gates(ast.parse(code))) == 1


@pytest.mark.parametrize("code", [
    "ok = len(auth) in (2, 3)",      # membership in ints, not versions
    "ok = v >= (4, 0, 1)",           # not a (major, minor) pair
    "x = (4, 0)",                    # a literal, but no comparison
    "ok = has('qid', v)",
])
def test_the_finder_ignores_what_is_no_version_gate(code: str) -> None:
    assert _gates(ast.parse(code)) == []


# --- the generated feature table --------------------------------------------------------------


def test_features_follow_the_facts_they_name() -> None:
    assert V.FEATURES["logon"] == ((5, 1), None)            # message LOGON
    assert V.FEATURES["route_extra"] == ((4, 4), None)      # field ROUTE.extra
    assert V.FEATURES["qid"] == V.MAP_KEYS["pull_extra"]["qid"][1:]
    assert V.FEATURES["hello"] == ((3, 0), None)
    assert V.has("noop_chunks", (4, 1)) and not V.has("noop_chunks", (4, 0))
    assert V.key_holds("hello_extra", "patch_bolt", (4, 4)) and not V.key_holds("hello_extra", "patch_bolt", (5, 0))
    assert V.patch_holds("utc", (4, 3)) and not V.patch_holds("utc", (5, 0))
    assert V.NOOP_CHUNKS_SINCE == V.since("noop_chunks") == (4, 1)
    with pytest.raises(KeyError):
        V.has("no_such_feature", (5, 0))


def test_handshake_constants_come_from_the_spec() -> None:
    from asyncbolt.core import handshake

    assert handshake.MAGIC is V.MAGIC == b"\x60\x60\xb0\x17"
    assert handshake.MANIFEST_V1 is V.MANIFEST_V1 == b"\x00\x00\x01\xff"
    assert handshake._NONE is V.NO_VERSION


@pytest.fixture
def spec_copy(tmp_path: Path) -> Path:
    shutil.copytree(SPEC, tmp_path / "spec")
    return tmp_path / "spec"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


def _generated_versions(spec_dir: Path, tmp: Path) -> ModuleType:
    """Regenerate from ``spec_dir`` and import the new versions.py as a module of its own."""
    from codegen.render import render
    from codegen.spec import load

    files = render(load(spec_dir), ["spec/packstream.yaml", "spec/bolt.yaml"])
    (tmp / "versions_new.py").write_text(files["versions.py"])
    loader = importlib.util.spec_from_file_location("versions_new", tmp / "versions_new.py")
    assert loader is not None and loader.loader is not None
    module = importlib.util.module_from_spec(loader)
    sys.modules.pop("versions_new", None)
    loader.loader.exec_module(module)
    return module


def _use(monkeypatch: pytest.MonkeyPatch, new: ModuleType) -> None:
    """Make the runtime read the regenerated tables (has/key_holds read them at each call)."""
    for name in ("FEATURES", "MAP_KEYS", "PATCHES"):
        monkeypatch.setattr(V, name, getattr(new, name))


def test_feature_and_key_ranges_move_with_the_spec_alone(spec_copy: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A made-up change: bolt_agent from 5.2 (was 5.3), NOOP chunks from 4.2 (was 4.1), and a
    new request message in 5.8. Only bolt.yaml is edited; the client's HELLO, the dump
    validator and the server's keep-alive follow."""
    from asyncbolt.client.connection import Connection

    bolt = spec_copy / "bolt.yaml"
    _edit(bolt, "{key: bolt_agent, type: Map, versions: \"5.3-\"}", "{key: bolt_agent, type: Map, versions: \"5.2-\"}")
    _edit(bolt, "noop_chunks: {versions: \"4.1-\",", "noop_chunks: {versions: \"4.2-\",")
    new = _generated_versions(spec_copy, tmp_path)
    assert new.MAP_KEYS["hello_extra"]["bolt_agent"][1] == (5, 2)
    assert not new.has("noop_chunks", (4, 1)) and new.has("noop_chunks", (4, 2))

    before = _hello_extra(Connection, (5, 2))
    assert "bolt_agent" not in before
    _use(monkeypatch, new)
    after = _hello_extra(Connection, (5, 2))
    assert "bolt_agent" in after and after["user_agent"] == before["user_agent"]

    # The dump validator now reports a NOOP at 4.1 as out of protocol.
    from asyncbolt.tools.dump import Conversation

    assert _noop_problems(Conversation, (4, 1)) and not _noop_problems(Conversation, (4, 2))


def _hello_extra(connection_class: type, version: tuple[int, int], routing: dict | None = None) -> dict:
    """The extra map the client's HELLO carries at ``version`` (run without a socket)."""
    import asyncio

    from asyncbolt.client.opening import _hello
    from asyncbolt.codec.messages import Hello

    async def main() -> dict:
        conn = connection_class.__new__(connection_class)
        conn.protocol_version = version
        conn._auth = {"scheme": "none"}
        conn._routing = routing
        conn._user_agent = "gates/1"
        conn.notifications_min_severity = None
        conn.notifications_disabled_classifications = None
        conn._loop = asyncio.get_running_loop()
        sent: list = []
        conn._queue = lambda message, handler: sent.append(message)
        conn._flush = lambda: None
        task = asyncio.ensure_future(_hello(conn))
        for _ in range(10):
            await asyncio.sleep(0)
            if sent:
                break
        task.cancel()
        hello = next(m for m in sent if isinstance(m, Hello))
        return dict(hello.extra)

    return asyncio.run(main())


def _noop_problems(conversation_class: type, version: tuple[int, int]) -> list:
    """The dump validator's complaints about a NOOP chunk on a connection of ``version``."""
    conv = conversation_class(version, side="client")
    conv.feed("client", b"\x00\x00")
    conv.close()
    return [p for p in conv.problems if "NOOP" in p.reason]


# --- README "Adding a protocol version": the made-up Bolt 6.2 --------------------------------

#: The README's walk-through, edit by edit (old text -> new text in spec/bolt.yaml).
WALKTHROUGH = [
    ('  - {version: "6.1", neo4j: "-", manifest_only: true}\n',
     '  - {version: "6.1", neo4j: "-", manifest_only: true}\n'
     '  - {version: "6.2", neo4j: "-", manifest_only: true}\n'),
    ('    - {key: routing, type: "Map?", versions: "4.1-"}\n',
     '    - {key: routing, type: "Map?", versions: "4.1-6.1"}\n'),
    ('  - name: ROUTE\n',
     '  - name: PING\n'
     '    signature: 0x20\n'
     '    direction: request\n'
     '    doc: Ask whether the connection is alive.\n'
     '    layouts:\n'
     '      - versions: "6.2-"\n'
     '        fields: []\n'
     '\n'
     '  - name: ROUTE\n'),
    ('      - {state: READY, message: [ROUTE, TELEMETRY], success: READY, failure: FAILED}\n',
     '      - {state: READY, message: [ROUTE, TELEMETRY, PING], success: READY, failure: FAILED}\n'),
    ('ROLLBACK, ROUTE, TELEMETRY, LOGOFF], ignored: true}\n',
     'ROLLBACK, ROUTE, TELEMETRY, PING, LOGOFF], ignored: true}\n'),
]


def test_readme_walkthrough_is_a_spec_change_only(spec_copy: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Bolt "6.2" (made up): HELLO loses the routing context, and PING is a new request. Only
    bolt.yaml changes; the generated registries, the state machine, the feature table and the
    client's HELLO follow."""
    from codegen.render import render
    from codegen.spec import load

    bolt = spec_copy / "bolt.yaml"
    text = bolt.read_text()
    for old, new in WALKTHROUGH:
        count = text.count(old)
        assert count in (1, 2), old  # (the FAILED and INTERRUPTED lines share their text)
        text = text.replace(old, new)
    bolt.write_text(text)
    readme = (ROOT / "README.md").read_text()
    assert 'versions: "4.1-6.1"' in readme and "name: PING" in readme, "README and test disagree"

    spec = load(spec_copy)
    files = render(spec, ["spec/packstream.yaml", "spec/bolt.yaml"])
    assert "(6, 2): _REQUESTS_" in files["messages.py"] and "class Ping(" in files["messages.py"]
    assert '("READY", "PING"): Transition("READY", "FAILED"' in files["states.py"]
    assert '("FAILED", "PING"): Transition(None, None, None, True, False)' in files["states.py"]
    assert '"6.2": ' in files["codec.py"]
    new = _generated_versions(spec_copy, tmp_path)
    assert (6, 2) in new.VERSIONS and (6, 2) in new.MANIFEST_ONLY
    assert new.MAP_KEYS["hello_extra"]["routing"][1:] == ((4, 1), (6, 1))
    # Features follow the facts they name: open-ended ones reach 6.2 with no edit.
    assert new.has("logon", (6, 2)) and new.has("telemetry", (6, 2)) and new.has("qid", (6, 2))

    _use(monkeypatch, new)
    from asyncbolt.client.connection import Connection

    def hello(version: tuple[int, int]) -> dict:
        return _hello_extra(Connection, version, routing={"address": "h:7687"})

    assert hello((6, 1))["routing"] == {"address": "h:7687"}
    assert "routing" not in hello((6, 2))



_WALKTHROUGH_RUN = r'''
import asyncio, sys
sys.path.insert(0, sys.argv[1])
import asyncbolt
assert asyncbolt.__file__.startswith(sys.argv[1]), asyncbolt.__file__
from asyncbolt.client.connection import _Call
from asyncbolt.client.connect import connect
from asyncbolt.codec.messages import Ping

class Session(asyncbolt.ServerSession):
    routing = []
    async def authenticate(self, auth):
        Session.routing.append(self.connection.routing)

async def main():
    srv = await asyncbolt.serve(Session, "127.0.0.1", 0)
    async with srv:
        for v in [(6, 1), (6, 2)]:
            async with connect(f"neo4j://127.0.0.1:{srv.port}?region=x", versions=[v]) as conn:
                future = conn._loop.create_future()
                try:
                    conn._queue(Ping(), _Call("PING", future))
                    conn._flush()
                    await asyncio.wait_for(future, 10)
                    answer = "SUCCESS"
                except Exception as exc:
                    answer = type(exc).__name__ + ": " + str(exc)
                print(conn.protocol_version, Session.routing[-1], answer, flush=True)

asyncio.run(main())
'''


def test_readme_walkthrough_runs_on_a_package_regenerated_from_the_spec(spec_copy: Path, tmp_path: Path) -> None:
    """The walk-through's spec, rendered into a copy of the package (pure-Python codec): a real
    client and server negotiate 6.2 over a socket; the client's HELLO has no routing context
    on 6.2 (it has one on 6.1); PING cannot be sent on 6.1 and reaches the server on 6.2 (whose
    framework, without an ``on_ping`` hook, answers FAILURE)."""
    import subprocess

    from codegen.render import render
    from codegen.spec import load

    bolt = spec_copy / "bolt.yaml"
    text = bolt.read_text()
    for old, new in WALKTHROUGH:
        text = text.replace(old, new)
    bolt.write_text(text)
    files = render(load(spec_copy), ["spec/packstream.yaml", "spec/bolt.yaml"])
    pkg = tmp_path / "pkg"
    shutil.copytree(ROOT / "asyncbolt", pkg / "asyncbolt",
                    ignore=shutil.ignore_patterns("*.so", "*.pyd", "__pycache__"))
    for name, content in files.items():
        (pkg / "asyncbolt" / "_generated" / name).write_text(content)
    out = subprocess.run([sys.executable, "-c", _WALKTHROUGH_RUN, str(pkg)], capture_output=True,
                         text=True, timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == 2, (out.stdout, out.stderr)
    assert lines[0].startswith("(6, 1) {'region': 'x'"), lines
    assert lines[0].endswith("ValueError: PING does not exist in Bolt 6.1"), lines
    assert lines[1].startswith("(6, 2) None DatabaseError"), lines
    # The state machine let PING through to the framework, which has no hook for it yet.
    assert "PING failed in the session" in out.stderr and "on_ping" in out.stderr, out.stderr


@pytest.mark.parametrize("old, new, reason", [
    ('logon: {message: LOGON,', 'logon: {message: LOGONN,', "feature logon: unknown message 'LOGONN'"),
    ('route_extra: {field: ROUTE.extra,', 'route_extra: {field: ROUTE.extras,',
     "feature route_extra (field ROUTE.extras) holds in no version"),
    ('qid: {key: pull_extra.qid,', 'qid: {key: pull_extra.id,', "feature qid: unknown map key 'pull_extra.id'"),
    ('noop_chunks: {versions: "4.1-",', 'noop_chunks: {versions: "4.1-", key: pull_extra.n,',
     "feature noop_chunks: give exactly one of versions, message, field, key"),
    ('noop_chunks: {versions: "4.1-",', 'noop_chunks: {versions: "4.9-",', "version 4.9 is not declared"),
    ('manifest: {versions: "5.7-", doc: "the handshake manifest (proposal 00 00 01 FF) may be answered"}',
     'manifest: {versions: "5.7-"}', "missing 'doc'"),
    # ROUTE in 4.3 and from 5.0, not in 4.4: no one range
    ('      - versions: "4.4-"\n        fields:\n          - {name: routing, type: Map}',
     '      - versions: "5.0-"\n        fields:\n          - {name: routing, type: Map}',
     "feature route_message (message ROUTE) holds in versions that are not one range (4.3, 5.0,"),
])
def test_feature_errors_are_refused(spec_copy: Path, old: str, new: str, reason: str) -> None:
    from codegen.spec import SpecError, load

    _edit(spec_copy / "bolt.yaml", old, new)
    with pytest.raises(SpecError) as exc:
        load(spec_copy)
    assert reason in exc.value.reason


def test_a_feature_follows_the_range_of_what_it_names(spec_copy: Path) -> None:
    from codegen.spec import load

    bolt = spec_copy / "bolt.yaml"
    _edit(bolt, '      - versions: "4.4-"\n        fields:\n          - {name: routing, type: Map}',
          '      - versions: "4.4-5.8"\n        fields:\n          - {name: routing, type: Map}')
    features = load(spec_copy).features
    assert (features["route_message"].range.low, features["route_message"].range.high) == ((4, 3), (5, 8))
    assert (features["route_extra"].range.low, features["route_extra"].range.high) == ((4, 4), (5, 8))
    assert features["route_extra"].source == "field ROUTE.extra"


def test_the_client_spells_out_the_versions_below_where_servers_read_ranges(monkeypatch: pytest.MonkeyPatch) -> None:
    from asyncbolt.client.connect import _proposals

    wanted = [(4, 4), (4, 3), (4, 2), (4, 1), (4, 0)]
    assert _proposals(wanted) == ([(4, 4, 2), (4, 1, 0), (4, 0, 0)], False)
    # Were ranges read only from 4.3 on, 4.2 would get a slot of its own.
    monkeypatch.setitem(V.FEATURES, "handshake_ranges_read", ((4, 3), None))
    assert _proposals(wanted) == ([(4, 4, 1), (4, 2, 0), (4, 1, 0), (4, 0, 0)], False)


def test_the_recorded_script_names_old_versions_by_major(monkeypatch: pytest.MonkeyPatch) -> None:
    from asyncbolt.tools.script import _bolt_text

    assert [_bolt_text(v) for v in [(3, 0), (4, 0), (5, 8)]] == ["3", "4.0", "5.8"]
    monkeypatch.setitem(V.FEATURES, "handshake_minor", ((4, 1), None))
    assert _bolt_text((4, 0)) == "4"


def test_run_and_begin_extra_follow_tx_extra_ranges(spec_copy: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A made-up change to tx_extra: tx_metadata ends at 5.8, imp_user starts at 5.0 (was 4.4)."""
    from asyncbolt.client.connection import Connection
    from asyncbolt.errors import ConfigurationError

    def tx_extra(version: tuple[int, int], **kw: object) -> dict:
        conn = Connection.__new__(Connection)
        conn.protocol_version = version
        conn.bookmarks = ["bm:1"]
        args: dict = {"db": None, "mode": None, "bookmarks": None, "timeout": None, "metadata": None,
                      "imp_user": None, **kw}
        return conn._tx_extra(**args)

    assert tx_extra((6, 0), metadata={"a": 1}, imp_user="bob", mode="r") == {
        "bookmarks": ["bm:1"], "tx_metadata": {"a": 1}, "mode": "r", "imp_user": "bob"}
    assert tx_extra((4, 4), imp_user="bob")["imp_user"] == "bob"
    bolt = spec_copy / "bolt.yaml"
    _edit(bolt, '    - {key: tx_metadata, type: Map, versions: "3.0-"}', '    - {key: tx_metadata, type: Map, versions: "3.0-5.8"}')
    _edit(bolt, '    - {key: imp_user, type: "String?", versions: "4.4-"}\n    - {key: notifications_minimum_severity',
          '    - {key: imp_user, type: "String?", versions: "5.0-"}\n    - {key: notifications_minimum_severity')
    _use(monkeypatch, _generated_versions(spec_copy, tmp_path))
    assert tx_extra((5, 8), metadata={"a": 1})["tx_metadata"] == {"a": 1}
    with pytest.raises(ConfigurationError, match=r"metadata exists only up to Bolt 5\.8; this connection speaks 6\.0"):
        tx_extra((6, 0), metadata={"a": 1})
    with pytest.raises(ConfigurationError, match=r"imp_user \('bob'\) needs Bolt 5\.0\+; this connection speaks 4\.4"):
        tx_extra((4, 4), imp_user="bob")
    assert tx_extra((5, 0), imp_user="bob")["imp_user"] == "bob"


async def test_the_server_hello_follows_a_moved_key(spec_copy: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A made-up change: the telemetry.enabled hint from 5.2 (was 5.4). A real server (over a
    socket) then announces it in HELLO's SUCCESS on 5.2; connection_id follows its key too."""
    import asyncbolt
    from asyncbolt.codec.messages import Hello

    from .rawbolt import RawBolt

    async def hints(version: tuple[int, int]) -> dict:
        srv = await asyncbolt.serve(asyncbolt.ServerSession, "127.0.0.1", 0)
        async with srv:
            bolt = await RawBolt.connect(srv.port)
            try:
                assert await bolt.handshake(version) == version
                await bolt.send(Hello({"user_agent": "gates/1", "scheme": "none"}))
                reply = await bolt.recv()
            finally:
                bolt.close()
        assert reply.name == "SUCCESS", reply
        return dict(reply.metadata)

    before = await hints((5, 2))
    assert "telemetry.enabled" not in before["hints"] and "connection_id" in before
    bolt = spec_copy / "bolt.yaml"
    _edit(bolt, '{key: telemetry.enabled, type: Boolean, versions: "5.4-"}',
          '{key: telemetry.enabled, type: Boolean, versions: "5.2-"}')
    _edit(bolt, '{key: connection_id, type: String, versions: "3.0-"}',
          '{key: connection_id, type: String, versions: "5.3-"}')
    _use(monkeypatch, _generated_versions(spec_copy, tmp_path))
    after = await hints((5, 2))
    assert after["hints"]["telemetry.enabled"] is False and "connection_id" not in after
