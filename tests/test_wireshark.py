"""The Wireshark dissector generated from the spec (tools/wireshark/bolt.lua, codegen/wireshark.py).

tshark runs it (``-X lua_script:``) over pcaps of real clients talking to asyncbolt's server,
one per version family (tests/captures/, re-recorded by ``make captures``: see
tests/capture_recording.py), and for every message its side, version, name and field values must
equal what ``asyncbolt inspect --json --full`` says about the same capture.

The comparison is exact, with one documented normaliser: the dissector writes each message field
as a ``bolt.field`` of text ``NAME=JSON``, the JSON being the value as inspect's ``--json``
writes it (bytes as hex, structures as ``{"type", "fields"}``, NaN/Infinity as strings, secrets
as ``"******"``), so both sides are parsed with :func:`json.loads` and compared as Python values
(floats: the dissector writes the shortest text that reads back as the same double). Handshake
items are ``bolt.field``s ``handshake=JSON`` of inspect's handshake strings.
"""

from __future__ import annotations

import functools
import json
import shutil
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from .capture_recording import (
    CAPTURES,
    PASSWORD,
    CaptureServer,
    run_driver,
    tcpdump,
    tcpdump_missing,
)

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "tools" / "wireshark" / "bolt.lua"
FAMILIES = {"bolt-1.0": "1.0", "bolt-3.0": "3.0", "bolt-4.4": "4.4", "bolt-5.8": "5.8", "bolt-6.1": "6.1",
            "reassembly": "6.1"}
EXPERTS = ("bolt.malformed", "bolt.protocol", "bolt.handshake.bad", "bolt.assumed")


def _tshark_missing() -> str | None:
    if shutil.which("tshark") is None:
        return "tshark is not installed (apt-get install tshark)"
    done = subprocess.run(["tshark", "-v"], capture_output=True, text=True, timeout=30)
    if "with Lua" not in done.stdout and "Lua" not in done.stdout:
        return "tshark is built without Lua"
    return None


_MISSING = _tshark_missing()
needs_tshark = pytest.mark.skipif(_MISSING is not None, reason=_MISSING or "")


@functools.cache
def server_port(pcap: Path) -> int:
    """The port the capture's first packet (a client's SYN) goes to: the server's."""
    done = subprocess.run(["tshark", "-n", "-r", str(pcap), "-c", "1", "-T", "fields", "-e", "tcp.dstport"],
                          capture_output=True, text=True, timeout=60)
    return int(done.stdout.split()[0])


def tshark(pcap: Path, port: int | None = None, *prefs: str, two_pass: bool = False) -> ET.Element:
    """tshark's PDML of ``pcap`` with the dissector loaded (the port preference: the server's)."""
    return ET.fromstring(_pdml(pcap, port or server_port(pcap), prefs, two_pass))


@functools.cache
def _pdml(pcap: Path, port: int, prefs: tuple[str, ...], two_pass: bool) -> str:
    args = ["tshark", "-n", "-r", str(pcap), "-X", f"lua_script:{LUA}", "-o", f"bolt.port:{port}", "-T", "pdml"]
    if two_pass:
        args.append("-2")
    for pref in prefs:
        args += ["-o", pref]
    done = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Lua: Error" not in done.stderr and "error" not in done.stderr.lower(), done.stderr
    return done.stdout


def dissected(pdml: ET.Element) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """{connection (tcp.stream): {side: [{message, version, fields, experts}]}} from PDML."""
    out: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for packet in pdml.iter("packet"):
        stream = next((int(f.get("show")) for f in packet.iter("field") if f.get("name") == "tcp.stream"), -1)
        for proto in packet.findall("proto"):
            if proto.get("name") != "bolt":
                continue
            top = {f.get("name"): f.get("show") for f in proto.findall("field")}
            if "bolt.message" not in top:
                continue
            fields = [f.get("show").split("=", 1) for f in proto.iter("field") if f.get("name") == "bolt.field"]
            experts = [f.get("showname") for f in proto.iter("field") if f.get("name") in EXPERTS]
            out[stream][top["bolt.side"]].append({
                "message": top["bolt.message"], "version": top.get("bolt.version"),
                "names": [name for name, _ in fields], "fields": [json.loads(v) for _, v in fields],
                "experts": experts})
    return out


def inspected(pcap: Path, port: int | None = None, *extra: str) -> tuple[dict[str, dict[str, list]], list[dict]]:
    """``asyncbolt inspect --json --full``: events per connection and side, and the problems."""
    port = port or server_port(pcap)
    done = subprocess.run([sys.executable, "-m", "asyncbolt", "inspect", str(pcap), "--port", str(port),
                           "--json", "--full", *extra], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode in (0, 1), done.stderr
    out: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    problems = []
    for line in done.stdout.splitlines():
        record = json.loads(line)
        if "kind" in record:
            out[record.get("connection", "1")][record["side"]].append(record)
            problems += record["problems"]
        elif "problem" in record:
            problems.append(record)
    return out, problems


def compare(pcap: Path, port: int | None = None, *prefs: str, inspect_args: tuple[str, ...] = ()) -> dict:
    """Assert that the dissector and inspect agree on every message; the dissection."""
    ours = dissected(tshark(pcap, port, *prefs))
    theirs, _ = inspected(pcap, port, *inspect_args)
    assert len(ours) == len(theirs), (sorted(ours), sorted(theirs))
    for stream, cid in zip(sorted(ours), sorted(theirs, key=int), strict=True):
        for side in ("client", "server"):
            mine = ours[stream][side]
            expected = theirs[cid][side]
            assert [e["message"] for e in mine] == [e["message"] for e in expected], (pcap.name, side)
            for got, want in zip(mine, expected, strict=True):
                where = f"{pcap.name} #{cid} {side} {want['message']} at {want['offset']}"
                assert got["version"] == want["version"], where
                assert got["fields"] == want["fields"], where
    return ours


@needs_tshark
@pytest.mark.parametrize("name", list(FAMILIES))
def test_dissector_agrees_with_inspect(name: str) -> None:
    pcap = CAPTURES / f"{name}.pcap"
    ours = compare(pcap)
    (conn,) = ours.values()
    messages = conn["client"] + conn["server"]
    assert {m["version"] for m in messages if m["message"] not in ("HANDSHAKE", "NOOP")} == {FAMILIES[name]}
    assert not [e for m in messages for e in m["experts"]], "no problem in a real client's conversation"
    names = {m["message"] for m in messages}
    if name.startswith("bolt-"):
        assert {"RUN", "RECORD", "SUCCESS", "FAILURE"} <= names
        assert ("INIT" if name == "bolt-1.0" else "HELLO") in names
    # Field names are the layout's: RUN's query, parameters (and extra from 3.0 on).
    run = next(m for m in conn["client"] if m["message"] == "RUN")
    assert run["names"][:2] == ["query", "parameters"]


@needs_tshark
@pytest.mark.parametrize("name", ["bolt-4.4", "reassembly"])
def test_found_by_the_handshake_on_any_port_and_the_same_on_a_second_pass(name: str) -> None:
    """Without the port preference the heuristic recognises the client's magic; a second pass
    (-2, as Wireshark's GUI re-dissects a packet) restores each frame's state (the utc patch of
    4.4, the reassembled messages) and shows the same."""
    pcap = CAPTURES / f"{name}.pcap"
    first = dissected(tshark(pcap))
    assert dissected(tshark(pcap, 7687)) == first
    assert dissected(tshark(pcap, None, two_pass=True)) == first


@needs_tshark
def test_values_of_many_kinds_are_named_and_typed() -> None:
    conn = next(iter(dissected(tshark(CAPTURES / "bolt-5.8.pcap")).values()))
    records = [m["fields"][0] for m in conn["server"] if m["message"] == "RECORD"]
    kinds = {value["type"] for record in records for value in record if isinstance(value, dict) and "type" in value}
    assert {"Node", "Relationship", "Path", "Date", "Time", "DateTime", "DateTimeZoneId", "Duration",
            "Point2D", "Point3D", "LocalDateTime"} <= kinds
    echo = records[0]
    assert echo[:7] == [42, -17, 2**40, -(2**63), 1.5, -2.25e-300, 1 / 3]
    assert "0001feff" in echo
    failure = next(m for m in conn["server"] if m["message"] == "FAILURE")
    assert failure["fields"][0]["neo4j_code"] == "Neo.ClientError.Statement.SyntaxError"


@needs_tshark
def test_utc_patch_is_followed() -> None:
    """4.4: HELLO asks for the utc patch, its SUCCESS grants it: DateTime (tag I) then decodes."""
    conn = next(iter(dissected(tshark(CAPTURES / "bolt-4.4.pcap")).values()))
    temporal = [m for m in conn["server"] if m["message"] == "RECORD"][2]["fields"][0]
    assert [v["type"] for v in temporal][3:5] == ["DateTime", "DateTimeZoneId"]


@needs_tshark
@pytest.mark.parametrize("name, message", [("bolt-5.8", "LOGON"), ("bolt-1.0", "INIT"), ("bolt-3.0", "HELLO")])
def test_credentials_hidden_unless_the_preference(name: str, message: str) -> None:
    pcap = CAPTURES / f"{name}.pcap"
    pdml = ET.tostring(tshark(pcap), encoding="unicode")
    assert PASSWORD not in pdml.replace(PASSWORD.encode().hex(), "")  # only the raw bytes hold it
    conn = next(iter(dissected(tshark(pcap)).values()))
    auth = next(m for m in conn["client"] if m["message"] == message)["fields"][-1]
    assert auth["credentials"] == "******"
    shown = next(iter(dissected(tshark(pcap, None, "bolt.show_credentials:TRUE")).values()))
    auth = next(m for m in shown["client"] if m["message"] == message)["fields"][-1]
    assert auth["credentials"] == PASSWORD
    # inspect agrees on both
    compare(pcap, None, "bolt.show_credentials:TRUE", inspect_args=("--show-secrets",))


@needs_tshark
def test_reassembly_across_segments_and_several_messages_per_segment() -> None:
    pdml = tshark(CAPTURES / "reassembly.pcap")
    spans, shared, chunked = [], [], []
    for packet in pdml.iter("packet"):
        messages = [p for p in packet.findall("proto") if p.get("name") == "bolt"]
        names = [next(f.get("show") for f in p.findall("field") if f.get("name") == "bolt.message") for p in messages]
        count = next((int(f.get("show")) for f in packet.iter("field") if f.get("name") == "tcp.segment.count"), 1)
        if "RECORD" in names:
            spans.append(count)
        if len(messages) > 1:
            shared.append(names)
        for p in messages:
            sizes = [f for f in p.iter("field") if f.get("name") == "bolt.chunk.size"]
            if len(sizes) > 3:
                chunked.append(len(sizes))
    assert spans and spans[0] >= 3, f"the RECORD crosses {spans} TCP segments"
    assert ["NOOP", "RUN", "PULL"] in shared, shared
    assert chunked, "RUN is sent in 16-byte chunks"
    conn = next(iter(dissected(pdml).values()))
    assert [m["message"] for m in conn["client"]][4:7] == ["NOOP", "RUN", "PULL"]
    record = next(m for m in conn["server"] if m["message"] == "RECORD")["fields"][0]
    assert record[2] == "UUID('12345678-1234-5678-1234-567812345678')"  # PackStream v2 (6.1), as inspect --json


@needs_tshark
def test_malformed_messages_raise_expert_info() -> None:
    """Real clients never send malformed bytes, so a raw socket client wrote these (see
    tests/capture_recording.py record_malformed): each problem inspect finds is an expert info."""
    pdml = tshark(CAPTURES / "malformed.pcap")
    experts = [f.get("showname") or "" for f in pdml.iter("field") if f.get("name") in EXPERTS]
    text = "\n".join(experts)
    for expected in ["expected the Bolt magic 60 60 b0 17, found 47 45 54 20 (HTTP, not Bolt)",
                     "RAW: unknown request signature 0x55 in Bolt 5.4", "RUN: RUN must have 3 fields, found 1",
                     "RUN.query: must be String, found Integer", "RUN.parameters.x: reserved marker byte 0xC4",
                     "RUN.query: truncated", "COMMIT: 2 byte(s) left over",
                     "RUN.extra.bookmarks: must be List<String>, found Integer"]:
        assert expected in text, f"{expected!r} not in:\n{text}"
    groups = {f.get("show") for f in pdml.iter("field") if f.get("name") == "_ws.expert.group"}
    assert groups, "expert infos carry a group"
    _, problems = inspected(CAPTURES / "malformed.pcap")
    assert len(problems) >= 6


@needs_tshark
@pytest.mark.skipif(tcpdump_missing() is not None, reason=tcpdump_missing() or "")
def test_live_capture(tmp_path: Path) -> None:
    """The recording path itself: tcpdump on loopback while the official driver (the project's
    own, Bolt 6.1 through the manifest) talks to asyncbolt's server, then the dissector."""
    pytest.importorskip("neo4j")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    pcap = tmp_path / "live.pcap"
    server = CaptureServer(port)
    try:
        with tcpdump(pcap, port):
            run_driver(sys.executable, port, "6.x")
    finally:
        server.close()
    ours = compare(pcap, port)
    conn = next(iter(ours.values()))
    assert {m["version"] for m in conn["server"] if m["message"] == "RECORD"} == {"6.1"}


def test_dissector_comes_from_the_spec() -> None:
    """A change in the spec reaches the generated Lua (and nothing in the template names it)."""
    from codegen import render
    from codegen.spec import load

    spec = load(ROOT / "spec")
    lua = render.render_extra(spec, ["spec/packstream.yaml", "spec/bolt.yaml"])["tools/wireshark"]["bolt.lua"]
    assert lua == LUA.read_text(encoding="utf-8"), "run make generate"
    point = next(s for s in spec.structures if s.name == "Point2D")
    point.layouts[0].fields[0].name = "srid_renamed"
    changed = render.render_extra(spec, ["x"])["tools/wireshark"]["bolt.lua"]
    assert "srid_renamed" in changed and "srid_renamed" not in lua
    template = (ROOT / "codegen" / "templates" / "bolt.lua.j2").read_text(encoding="utf-8")
    for fact in ("TELEMETRY", "HELLO", "SUCCESS", "RECORD", "0x4E", "Node", "patch_bolt", "4.4", "60 60"):
        assert fact not in template, f"the template names {fact!r}, a fact of the spec"


# -- hostile bytes, in pcaps written here (no tcpdump needed) ------------------------------------


def write_pcap(path: Path, pieces: list[tuple[str, bytes]], port: int = 7687) -> Path:
    """A pcap of one TCP connection (127.0.0.1:40000 -> :port), each piece one segment of that
    side's stream (``"c"`` or ``"s"``), after a three-way handshake."""
    import struct

    def packet(src: int, dst: int, seq: int, ack: int, flags: int, data: bytes) -> bytes:
        tcp = struct.pack("!HHIIBBHHH", src, dst, seq, ack, 5 << 4, flags, 65535, 0, 0) + data
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0, 64, 6, 0,
                         bytes((127, 0, 0, 1)), bytes((127, 0, 0, 1))) + tcp
        frame = bytes(12) + b"\x08\x00" + ip
        return struct.pack("<IIII", 0, 0, len(frame), len(frame)) + frame

    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    seq = {"c": 1000, "s": 5000}
    ports = {"c": (40000, port), "s": (port, 40000)}
    out.append(packet(40000, port, 999, 0, 0x02, b""))
    out.append(packet(port, 40000, 4999, 1000, 0x12, b""))
    for side, data in pieces:
        other = "s" if side == "c" else "c"
        out.append(packet(*ports[side], seq[side], seq[other], 0x18, data))
        seq[side] += len(data)
    path.write_bytes(b"".join(out))
    return path


def _chunk(payload: bytes) -> bytes:
    return len(payload).to_bytes(2, "big") + payload + b"\x00\x00"


HELLO_44 = _chunk(b"\xb1\x01\xa1\x8auser_agent\x81t")


@needs_tshark
@pytest.mark.parametrize("case, pieces, expected", [
    ("a version the client did not propose",
     [("c", b"\x60\x60\xb0\x17" + bytes((0, 0, 4, 4)) + bytes(12)), ("s", bytes((0, 0, 0, 5)))],
     "the server chose Bolt 5.0, which the client did not propose (4.4)"),
    ("bytes after a refusal",
     [("c", b"\x60\x60\xb0\x17" + bytes((0, 0, 4, 4)) + bytes(12)), ("s", bytes(4)), ("c", _chunk(b"\xb0\x02"))],
     "6 bytes after the handshake refused every version"),
    ("a map cut inside its keys",
     [("c", b"\x60\x60\xb0\x17" + bytes((0, 0, 4, 4)) + bytes(12)), ("s", bytes((0, 0, 4, 4))),
      ("c", HELLO_44), ("s", _chunk(b"\xb1\x70\xa2\x81a\x01"))],
     "SUCCESS.metadata: truncated map key"),
    ("an answer that is not a version",
     [("c", b"\x60\x60\xb0\x17" + bytes((0, 0, 4, 4)) + bytes(12)), ("s", b"HTTP")],
     "expected a version answer 00 00 mm MM, found 48 54 54 50 (HTTP, not Bolt)"),
    ("a NOOP before 4.1",
     [("c", b"\x60\x60\xb0\x17" + bytes((0, 0, 0, 3)) + bytes(12)), ("s", bytes((0, 0, 0, 3))),
      ("c", b"\x00\x00")],
     "NOOP chunks (00 00 between messages) exist from Bolt 4.1, not in 3.0"),
    ("a structure of another version",
     [("c", b"\x60\x60\xb0\x17" + bytes((0, 0, 4, 4)) + bytes(12)), ("s", bytes((0, 0, 4, 4))),
      ("c", HELLO_44), ("s", _chunk(b"\xb1\x71\x91\xb1\x56\x80"))],
     "RECORD.data[0]: structure Vector (tag 0x56) is not part of Bolt 4.4; it exists in Bolt 6.0-6.1"),
    ("values nested too deep",
     [("c", b"\x60\x60\xb0\x17" + bytes((0, 0, 4, 4)) + bytes(12)), ("s", bytes((0, 0, 4, 4))),
      ("c", HELLO_44), ("s", _chunk(b"\xb1\x71" + b"\x91" * 300 + b"\x01"))],
     "values nested more than 256 deep"),
    ("a size over the limit",
     [("c", b"\x60\x60\xb0\x17" + bytes((0, 0, 4, 4)) + bytes(12)), ("s", bytes((0, 0, 4, 4))),
      ("c", HELLO_44), ("s", _chunk(b"\xb1\x71\xd6\xff\xff\xff\xff"))],
     "LIST_32 size 4294967295 is over 2147483647"),
    ("a signature of the other direction",
     [("c", b"\x60\x60\xb0\x17" + bytes((0, 0, 4, 4)) + bytes(12)), ("s", bytes((0, 0, 4, 4))),
      ("c", _chunk(b"\xb1\x70\xa0"))],
     "unknown request signature 0x70 in Bolt 4.4 (0x70 is the response SUCCESS; wrong direction?)"),
    ("a message that is not a structure",
     [("c", b"\x60\x60\xb0\x17" + bytes((0, 0, 4, 4)) + bytes(12)), ("s", bytes((0, 0, 4, 4))),
      ("c", _chunk(b"\x91\x01"))],
     "a request message must be a structure, found marker 0x91"),
    ("a string that is not UTF-8",
     [("c", b"\x60\x60\xb0\x17" + bytes((0, 0, 4, 4)) + bytes(12)), ("s", bytes((0, 0, 4, 4))),
      ("c", HELLO_44), ("s", _chunk(b"\xb1\x71\x91\x82\xc3\x28"))],
     "RECORD.data[0]: invalid UTF-8 in string"),
    ("a well-known key of the wrong value",
     [("c", b"\x60\x60\xb0\x17" + bytes((0, 0, 4, 4)) + bytes(12)), ("s", bytes((0, 0, 4, 4))),
      ("c", HELLO_44), ("s", _chunk(b"\xb1\x70\xa1\x84type\x81q"))],
     "SUCCESS.metadata.type: must be one of r, w, rw, s, found \"q\""),
])
def test_hostile_bytes_are_expert_info_not_errors(tmp_path: Path, case: str, pieces: list, expected: str) -> None:
    pcap = write_pcap(tmp_path / "hostile.pcap", pieces)
    text = _pdml(pcap, 7687, (), False)
    assert "Lua Error" not in text and "Dissector bug" not in text
    experts = [f.get("showname") or "" for f in ET.fromstring(text).iter("field") if f.get("name") in EXPERTS]
    assert any(expected in e for e in experts), f"{case}: {expected!r} not in {experts}"


@needs_tshark
def test_random_bytes_never_break_the_dissector(tmp_path: Path) -> None:
    import random

    rng = random.Random(20)
    for round_ in range(4):
        pieces = [("c", b"\x60\x60\xb0\x17" + bytes((0, 0, 4, 5)) + bytes(12)), ("s", bytes((0, 0, 4, 5)))]
        for _ in range(30):
            payload = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
            if rng.random() < 0.5:
                payload = b"\xb1" + bytes((rng.choice([0x01, 0x10, 0x70, 0x71, 0x7f]),)) + payload
            pieces.append((rng.choice("cs"), _chunk(payload)))
        pcap = write_pcap(tmp_path / f"random-{round_}.pcap", pieces)
        text = _pdml(pcap, 7687, (), False)
        assert "Lua Error" not in text and "Dissector bug" not in text, round_


@needs_tshark
def test_a_capture_without_the_handshake_needs_the_version_preference(tmp_path: Path) -> None:
    """A capture that starts after the handshake: without bolt.version the client's first bytes
    are not the magic (a bad handshake); with it they decode as that version's messages."""
    run = _chunk(b"\xb3\x10\x81Q\xa0\xa0")  # RUN "Q", {}, {}
    pcap = write_pcap(tmp_path / "late.pcap", [("c", run), ("s", _chunk(b"\xb1\x70\xa0"))])
    bare = ET.fromstring(_pdml(pcap, 7687, (), False))
    assert any("expected the Bolt magic" in (f.get("showname") or "")
               for f in bare.iter("field") if f.get("name") == "bolt.handshake.bad")
    conn = next(iter(dissected(ET.fromstring(_pdml(pcap, 7687, ("bolt.version:4.4",), False))).values()))
    assert [(m["message"], m["version"], m["fields"]) for m in conn["client"]] == [("RUN", "4.4", ["Q", {}, {}])]
    assert [m["message"] for m in conn["server"]] == ["SUCCESS"]


@needs_tshark
def test_installed_as_a_personal_plugin(tmp_path: Path) -> None:
    """README's install: copied into ~/.local/lib/wireshark/plugins/, tshark loads it by itself
    (and finds Bolt on the capture's port by the handshake)."""
    plugins = tmp_path / ".local" / "lib" / "wireshark" / "plugins"
    plugins.mkdir(parents=True)
    shutil.copy(LUA, plugins / "bolt.lua")
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin:/usr/local/bin"}
    done = subprocess.run(["tshark", "-n", "-r", str(CAPTURES / "bolt-1.0.pcap"), "-T", "fields",
                           "-e", "bolt.message"], capture_output=True, text=True, timeout=60, env=env)
    assert "INIT" in done.stdout.split(), done.stderr
