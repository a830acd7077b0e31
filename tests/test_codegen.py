"""The generator: validation of broken specs (file, line, reason) and deterministic output."""

from __future__ import annotations

import functools
import importlib.util
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from asyncbolt import ProtocolError
from asyncbolt.codec.packstream import Codec
from asyncbolt.codec.structures import Node
from codegen.render import DEFAULT_INLINE_DEPTH, render
from codegen.spec import SpecError, load
from tests.strategies import assert_same, values

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec"


@pytest.fixture
def spec_copy(tmp_path: Path) -> Path:
    dst = tmp_path / "spec"
    shutil.copytree(SPEC, dst)
    return dst


def _edit(path: Path, old: str, new: str) -> int:
    """Replace the first ``old`` with ``new``; return the 1-based line of the change."""
    text = path.read_text()
    idx = text.index(old)
    path.write_text(text[:idx] + new + text[idx + len(old):])
    return text[:idx].count("\n") + 1


def _line_of(path: Path, needle: str) -> int:
    text = path.read_text()
    return text[: text.index(needle)].count("\n") + 1


def test_committed_output_is_what_the_spec_produces() -> None:
    files = render(load(SPEC), ["spec/packstream.yaml", "spec/bolt.yaml"])
    for name, text in files.items():
        assert (ROOT / "asyncbolt" / "_generated" / name).read_text() == text, name


def test_rendering_is_deterministic() -> None:
    a = render(load(SPEC), ["spec/packstream.yaml", "spec/bolt.yaml"])
    b = render(load(SPEC), ["spec/packstream.yaml", "spec/bolt.yaml"])
    assert a == b


def test_generated_files_carry_the_do_not_edit_header() -> None:
    for path in (ROOT / "asyncbolt" / "_generated").glob("*.py"):
        head = path.read_text().splitlines()[:2]
        assert "Generated from spec/packstream.yaml, spec/bolt.yaml" in head[0], path
        assert "Do not edit" in head[1], path


def test_duplicate_signature_in_one_version_is_refused(spec_copy: Path) -> None:
    bolt = spec_copy / "bolt.yaml"
    # Give COMMIT the signature of ROLLBACK (0x13): both exist from 3.0.
    text = bolt.read_text()
    start = text.index("- name: COMMIT")
    line = text[:start].count("\n") + 1
    bolt.write_text(text[:start] + text[start:].replace("signature: 0x12", "signature: 0x13", 1))
    with pytest.raises(SpecError) as exc:
        load(spec_copy)
    assert exc.value.file == "bolt.yaml"
    assert "0x13" in exc.value.reason and "already used" in exc.value.reason
    assert exc.value.line in (line, _line_of(bolt, "- name: ROLLBACK"))


def test_unknown_type_is_refused_with_its_line(spec_copy: Path) -> None:
    ps = spec_copy / "packstream.yaml"
    line = _edit(ps, "{name: days, type: Integer}", "{name: days, type: Integr}")
    with pytest.raises(SpecError) as exc:
        load(spec_copy)
    assert (exc.value.file, exc.value.line) == ("packstream.yaml", line)
    assert "unknown type 'Integr'" in exc.value.reason
    assert str(exc.value).startswith(f"packstream.yaml:{line}: ")


def test_field_without_type_is_refused(spec_copy: Path) -> None:
    bolt = spec_copy / "bolt.yaml"
    line = _edit(bolt, "{name: api, type: Integer}", "{name: api}")
    with pytest.raises(SpecError) as exc:
        load(spec_copy)
    assert (exc.value.file, exc.value.line) == ("bolt.yaml", line)
    assert "has no type" in exc.value.reason


def test_overlapping_layout_ranges_are_refused(spec_copy: Path) -> None:
    bolt = spec_copy / "bolt.yaml"
    # RUN's first layout is 1.0-2.0; stretch it into the 3.0+ layout.
    text = bolt.read_text()
    start = text.index("- name: RUN")
    bolt.write_text(text[:start] + text[start:].replace('versions: "1.0-2.0"', 'versions: "1.0-3.0"', 1))
    with pytest.raises(SpecError) as exc:
        load(spec_copy)
    assert "message RUN" in exc.value.reason and "overlap" in exc.value.reason
    assert exc.value.file == "bolt.yaml" and exc.value.line is not None


def test_duplicate_structure_tag_is_refused(spec_copy: Path) -> None:
    ps = spec_copy / "packstream.yaml"
    _edit(ps, "tag: 0x59  # 'Y'", "tag: 0x58  # 'Y'")
    with pytest.raises(SpecError) as exc:
        load(spec_copy)
    assert "tag 0x58" in exc.value.reason and "Point2D" in exc.value.reason


def test_unknown_version_and_typo_keys_are_refused(spec_copy: Path) -> None:
    bolt = spec_copy / "bolt.yaml"
    line = _edit(bolt, 'versions: "5.4-"\n        fields:\n          - {name: api',
                 'versions: "5.9-"\n        fields:\n          - {name: api')
    with pytest.raises(SpecError) as exc:
        load(spec_copy)
    assert exc.value.line == line and "5.9 is not declared" in exc.value.reason

    shutil.copy(SPEC / "bolt.yaml", bolt)
    line = _edit(bolt, "    doc: Commit the explicit transaction.", "    dco: Commit the explicit transaction.")
    with pytest.raises(SpecError) as exc:
        load(spec_copy)
    assert "unknown key(s) ['dco']" in exc.value.reason


def test_map_key_values_must_be_strings_of_a_string_key(spec_copy: Path) -> None:
    bolt = spec_copy / "bolt.yaml"
    for bad in ("values: [r, 7]", "values: []", "values: r"):
        shutil.copy(SPEC / "bolt.yaml", bolt)
        _edit(bolt, "type: String, values: [r, w, rw, s]", f"type: String, {bad}")
        with pytest.raises(SpecError) as exc:
            load(spec_copy)
        assert "values: a non-empty list of strings" in exc.value.reason
    shutil.copy(SPEC / "bolt.yaml", bolt)
    _edit(bolt, "{key: has_more, type: Boolean,", "{key: has_more, type: Boolean, values: [x],")
    with pytest.raises(SpecError) as exc:
        load(spec_copy)
    assert "for a String key only" in exc.value.reason


def test_yaml_syntax_error_names_the_line(spec_copy: Path) -> None:
    ps = spec_copy / "packstream.yaml"
    line = _edit(ps, "  Point3D:\n", "  Point3D: [\n")
    with pytest.raises(SpecError) as exc:
        load(spec_copy)
    assert exc.value.file == "packstream.yaml" and exc.value.line is not None
    assert exc.value.line >= line


def test_cli_refuses_a_broken_spec_and_writes_nothing(spec_copy: Path, tmp_path: Path) -> None:
    _edit(spec_copy / "packstream.yaml", "{name: days, type: Integer}", "{name: days}")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "codegen", "--spec", str(spec_copy), "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2
    assert "packstream.yaml:" in proc.stderr and "has no type" in proc.stderr
    assert not out.exists()


def test_check_mode_detects_stale_output(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    subprocess.run([sys.executable, "-m", "codegen", "--out", str(out)], cwd=ROOT, check=True,
                   capture_output=True)
    ok = subprocess.run([sys.executable, "-m", "codegen", "--out", str(out), "--check"], cwd=ROOT,
                        capture_output=True, text=True)
    assert ok.returncode == 0
    (out / "codec.py").write_text((out / "codec.py").read_text() + "# hand edit\n")
    stale = subprocess.run([sys.executable, "-m", "codegen", "--out", str(out), "--check"], cwd=ROOT,
                           capture_output=True, text=True)
    assert stale.returncode == 1 and "codec.py" in stale.stderr


def test_a_new_version_is_a_spec_change(spec_copy: Path) -> None:
    """Declaring a version in bolt.yaml alone yields registries and codecs for it."""
    _edit(spec_copy / "bolt.yaml", '  - {version: "6.1", neo4j: "-", manifest_only: true}',
          '  - {version: "6.1", neo4j: "-", manifest_only: true}\n'
          '  - {version: "6.9", neo4j: "-", manifest_only: true}')
    spec = load(spec_copy)
    assert (6, 9) in spec.versions
    files = render(spec, ["spec/packstream.yaml", "spec/bolt.yaml"])
    assert "(6, 9): _REQUESTS_" in files["messages.py"]
    assert '"6.9": ' in files["codec.py"]


def test_state_machine_errors_are_refused(spec_copy: Path) -> None:
    bolt = spec_copy / "bolt.yaml"
    line = _edit(bolt, "{state: TX_READY, message: [COMMIT, ROLLBACK], success: READY",
                 "{state: TX_READY, message: [COMMIT, ROLLBACK], success: REDAY")
    with pytest.raises(SpecError) as exc:
        load(spec_copy)
    assert exc.value.line == line and "unknown state 'REDAY'" in exc.value.reason

    shutil.copy(SPEC / "bolt.yaml", bolt)
    line = _edit(bolt, "{state: READY, message: BEGIN, success: TX_READY",
                 "{state: READY, message: RUN, success: TX_READY")
    with pytest.raises(SpecError) as exc:
        load(spec_copy)
    assert "RUN in READY has two transitions" in exc.value.reason


def test_generated_state_tables_follow_the_spec() -> None:
    from asyncbolt._generated.states import INITIAL, ON_VIOLATION, TRANSITIONS

    assert INITIAL[(1, 0)] == INITIAL[(6, 0)] == "CONNECTED"
    assert TRANSITIONS[(4, 4)]["CONNECTED", "HELLO"].success == "READY"
    assert TRANSITIONS[(5, 1)]["CONNECTED", "HELLO"].success == "AUTHENTICATION"
    assert TRANSITIONS[(2, 0)]["FAILED", "ACK_FAILURE"].success == "READY"
    assert ("FAILED", "ACK_FAILURE") not in TRANSITIONS[(3, 0)]
    # Several open results per transaction only from 4.0.
    assert ("TX_STREAMING", "RUN") not in TRANSITIONS[(3, 0)]
    assert TRANSITIONS[(4, 0)]["TX_STREAMING", "RUN"].success == "TX_STREAMING"
    assert TRANSITIONS[(4, 0)]["STREAMING", "PULL"].has_more == "STREAMING"
    assert ("READY", "TELEMETRY") not in TRANSITIONS[(5, 3)]
    assert TRANSITIONS[(5, 4)]["FAILED", "TELEMETRY"].ignored
    assert TRANSITIONS[(6, 0)]["TX_READY", "GOODBYE"].close
    assert ON_VIOLATION[(5, 1)]["AUTHENTICATION"] == "DEFUNCT"
    assert ON_VIOLATION[(5, 1)]["READY"] == "FAILED"


def test_legacy_markers_are_loaded_and_may_not_collide(spec_copy: Path) -> None:
    spec = load(SPEC)
    assert [(m.name, m.first, m.size) for m in spec.legacy_markers] == [("STRUCT_8", 0xDC, 1), ("STRUCT_16", 0xDD, 2)]
    ps = spec_copy / "packstream.yaml"
    line = _edit(ps, "{name: STRUCT_8, byte: 0xDC,", "{name: STRUCT_8, byte: 0xD8,")
    with pytest.raises(SpecError) as exc:
        load(spec_copy)
    assert exc.value.line == line and "0xD8 already used by MAP_8" in exc.value.reason
    shutil.copy(SPEC / "packstream.yaml", ps)
    _edit(ps, "{name: STRUCT_16, byte: 0xDD, kind: struct, size: 2}", "{name: STRUCT_16, byte: 0xDD, kind: list, size: 2}")
    with pytest.raises(SpecError) as exc:
        load(spec_copy)
    assert "only structures with a 1- or 2-byte count" in exc.value.reason


# ---- the fast decoder's inline depth (render's inline_depth) ---------------------------------

SOURCES = ["spec/packstream.yaml", "spec/bolt.yaml"]
DEPTHS = (0, 1, 2, 3)


@functools.cache
def _rendered(depth: int) -> dict[str, str]:
    return render(load(SPEC), SOURCES, inline_depth=depth)


@functools.cache
def _codec_module(depth: int) -> Any:
    """codec.py rendered at ``depth``, imported beside the committed one (same package, so it
    shares the committed messages and structures)."""
    path = Path(tempfile.mkdtemp(prefix="asyncbolt-codec-")) / f"codec_inline_{depth}.py"
    path.write_text(_rendered(depth)["codec.py"])
    name = f"asyncbolt._generated._codec_inline_{depth}"
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _decoders(depth: int, max_depth: int) -> tuple[Any, Any]:
    mod = _codec_module(depth)
    profile = Codec((5, 0)).profile
    structs = mod._STRUCT_SETS[mod._STRUCT_SET_OF[profile]][0]
    return (mod._make_unpack(structs, profile, max_depth),
            mod._make_checked_unpack(structs, profile, max_depth))


def test_inline_depth_changes_only_the_size_of_the_pure_python_decoder() -> None:
    sizes = [len(_rendered(d)["codec.py"]) for d in DEPTHS]
    assert sizes == sorted(sizes) and len(set(sizes)) == len(DEPTHS), sizes
    for d in DEPTHS:
        other = _rendered(d)
        assert {n: t for n, t in other.items() if n != "codec.py"} == {
            n: t for n, t in _rendered(DEFAULT_INLINE_DEPTH).items() if n != "codec.py"}, d
    with pytest.raises(ValueError, match="inline_depth must be 0 or more"):
        render(load(SPEC), SOURCES, inline_depth=-1)


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("kinds", ["l", "m", "lm", "ls"])
def test_every_inline_depth_refuses_what_max_depth_refuses(depth: int, kinds: str) -> None:
    """The fast decoder gives up early enough that no value nested deeper than max_depth gets
    through at any inline depth, and decodes by itself everything up to inline_depth levels
    short of it; the checked decoder counts exactly."""
    max_depth = 7
    fast, checked = _decoders(depth, max_depth)
    pack = Codec((5, 0), accelerated=False).pack
    value: Any = 1
    levels = 0  # containers around the innermost 1
    for i in range(max_depth + 6):
        kind = kinds[i % len(kinds)]
        if kind == "s":  # a Node around its properties map: two levels
            value, levels = Node(i, ["L"], {"p": value}, "e"), levels + 2
        else:
            value, levels = ([value] if kind == "l" else {"k": value}), levels + 1
        data = pack(value)
        if levels <= max_depth:
            assert_same(checked(data, 0, 0, [10**6, 10**6, "value"])[0], value)
            try:
                got, end = fast(data, 0)
            except IndexError:
                assert levels > max_depth - depth, (levels, "given up too early")
            else:
                assert end == len(data)
                assert_same(got, value)
        else:
            with pytest.raises(ProtocolError, match=f"nested deeper than {max_depth} levels"):
                checked(data, 0, 0, [10**6, 10**6, "value"])
            with pytest.raises((IndexError, ProtocolError)):
                fast(data, 0)


@pytest.mark.parametrize("depth", DEPTHS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=values(((5, 0), ())))
def test_every_inline_depth_decodes_what_the_committed_decoder_decodes(depth: int, value: Any) -> None:
    fast, _ = _decoders(depth, 256)
    data = Codec((5, 0), accelerated=False).pack(value)
    got, end = fast(data, 0)
    assert end == len(data)
    assert_same(got, value)
