"""Hypothesis strategies and helpers shared by the PackStream / message tests.

Everything version-dependent is derived from the tables (``asyncbolt.VERSIONS``, the patch table,
``LAYOUTS``) and from spec/*.yaml, read here independently of codegen/: a version, structure or
message added to the spec is picked up by every generic test without touching them.
"""

from __future__ import annotations

import math
import struct
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from asyncbolt import VERSIONS
from asyncbolt._generated.versions import MAP_KEYS, PATCHES
from asyncbolt.codec.messages import LAYOUTS, MESSAGES, Message
from asyncbolt.codec.packstream import get_codec
from asyncbolt.codec.structures import STRUCTURES
from asyncbolt.codec.types import Structure, StructureBase

Version = tuple[int, int]
Profile = tuple[Version, tuple[str, ...]]

SPEC_DIR = Path(__file__).resolve().parent.parent / "spec"
PACKSTREAM_SPEC: dict = yaml.safe_load((SPEC_DIR / "packstream.yaml").read_text(encoding="utf-8"))
BOLT_SPEC: dict = yaml.safe_load((SPEC_DIR / "bolt.yaml").read_text(encoding="utf-8"))

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

# ---- versions, ranges and profiles ---------------------------------------------------------


def parse_version(text: Any) -> Version:
    major, _, minor = str(text).strip().partition(".")
    return int(major), int(minor or 0)


def version_in(version: Version, spec_range: Any) -> bool:
    """Whether ``version`` is inside a spec range "A-B", "A-" or "A"."""
    text = str(spec_range).strip()
    if text.endswith("-"):
        return version >= parse_version(text[:-1])
    if "-" in text:
        low, high = text.split("-")
        return parse_version(low) <= version <= parse_version(high)
    return version == parse_version(text)


def range_holds(entry: Any, version: Version, patches: tuple[str, ...] | frozenset) -> bool:
    """A packstream.yaml range entry: a plain range or {range, patch} / {range, without_patch}."""
    if not isinstance(entry, dict):
        return version_in(version, entry)
    if not version_in(version, entry["range"]):
        return False
    if "patch" in entry and entry["patch"] not in patches:
        return False
    return not ("without_patch" in entry and entry["without_patch"] in patches)


def _patch_allowed(version: Version, patch: str) -> bool:
    low, high = PATCHES[patch]
    return low <= version and (high is None or version <= high)


#: Every codec profile: each version alone, and with each patch it may negotiate.
PROFILES: list[Profile] = [(v, ()) for v in VERSIONS] + [
    (v, (p,)) for v in VERSIONS for p in sorted(PATCHES) if _patch_allowed(v, p)
]


def profile_id(profile: Profile) -> str:
    (major, minor), patches = profile
    return f"{major}.{minor}" + "".join(f"+{p}" for p in patches)


def codec_of(profile: Profile):
    return get_codec(profile[0], profile[1])


# ---- structures from the spec --------------------------------------------------------------

STRUCT_SPECS: dict[str, dict] = PACKSTREAM_SPEC["structures"]
#: tag -> structure name, over every version.
KNOWN_TAGS: dict[int, str] = {spec["tag"]: name for name, spec in STRUCT_SPECS.items()}
#: Tags no version defines: they decode to the generic Structure everywhere.
UNKNOWN_TAGS: list[int] = [t for t in range(0x80) if t not in KNOWN_TAGS]


def struct_layout(name: str, profile: Profile) -> list[tuple[str, str]] | None:
    """(field name, type) in wire order of structure ``name`` in ``profile``, or None."""
    version, patches = profile
    for layout in STRUCT_SPECS[name]["layouts"]:
        if any(range_holds(r, version, patches) for r in layout["versions"]):
            return [(f["name"], str(f["type"])) for f in layout["fields"]]
    return None


def structures_in(profile: Profile) -> list[str]:
    """Names of the structures that have a layout of their own in ``profile``."""
    return [name for name in STRUCT_SPECS if struct_layout(name, profile) is not None]


def fallback_of(name: str) -> tuple[str, str] | None:
    fb = STRUCT_SPECS[name].get("fallback")
    return (fb["structure"], fb["method"]) if fb else None


# ---- messages from the spec ----------------------------------------------------------------

MESSAGE_SPECS: dict[str, dict] = {m["name"]: m for m in BOLT_SPEC["messages"]}


def message_layout(name: str, version: Version) -> dict | None:
    for layout in MESSAGE_SPECS[name]["layouts"]:
        if version_in(version, layout["versions"]):
            return layout
    return None


def message_fields(cls: type[Message], version: Version) -> list[dict]:
    """The spec field entries (name, type, keys) of ``cls`` in ``version``, in wire order."""
    layout = message_layout(cls.name, version)
    assert layout is not None, f"{cls.name} has no layout in {version}"
    return list(layout.get("fields") or [])


# ---- strict comparison ---------------------------------------------------------------------


def same(a: Any, b: Any) -> bool:
    """Deep equality that also compares types (True is not 1, 1.0 is not 1) and compares floats
    bit for bit (NaN equals the same NaN, -0.0 differs from 0.0). Dict key order must match."""
    if type(a) is not type(b):
        return False
    if type(a) is float:
        return struct.pack(">d", a) == struct.pack(">d", b)
    if type(a) in (list, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is dict:
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if type(a) is Structure:
        return a.tag == b.tag and same(a.fields, b.fields)
    if isinstance(a, StructureBase):
        return all(same(getattr(a, f), getattr(b, f)) for f in a.fields)
    return a == b


def assert_same(actual: Any, expected: Any) -> None:
    assert same(actual, expected), f"\nactual:   {actual!r}\nexpected: {expected!r}"


# ---- scalar strategies ---------------------------------------------------------------------

#: Every integer where the encoding width changes, and the ones either side of it.
INT_EDGES = sorted({
    x + d
    for x in (-16, 127, -128, 32767, -32768, 2**31 - 1, -(2**31), INT64_MAX, INT64_MIN, 0)
    for d in (-1, 0, 1)
    if INT64_MIN <= x + d <= INT64_MAX
})

integers = st.one_of(
    st.integers(-16, 127),
    st.integers(INT64_MIN, INT64_MAX),
    st.sampled_from(INT_EDGES),
)
floats = st.floats(allow_nan=True, allow_infinity=True)
finite_floats = st.floats(allow_nan=False, allow_infinity=False)
texts = st.text(max_size=40)
binaries = st.binary(max_size=40)
scalars = st.one_of(st.none(), st.booleans(), integers, floats, texts, binaries)


def _nest(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.lists(children, max_size=6),
        st.dictionaries(texts, children, max_size=6),
    )


#: Plain values: None, bool, int, float, str, bytes, list, dict (str keys), nested.
plain_values = st.recursive(scalars, _nest, max_leaves=20)


@cache
def values(profile: Profile | None = None, structures: bool = True) -> st.SearchStrategy:
    """Any value the codec of ``profile`` round-trips: plain values, generic structures with
    tags no version defines and, when ``structures``, the structure classes of the profile."""
    leaves = [scalars]
    if profile is not None and structures:
        leaves += [structure_of(name, profile) for name in structures_in(profile)]
    base = st.one_of(*leaves)

    def extend(children: st.SearchStrategy) -> st.SearchStrategy:
        return st.one_of(
            _nest(children),
            st.builds(Structure, st.sampled_from(UNKNOWN_TAGS), st.lists(children, max_size=4)),
        )

    return st.recursive(base, extend, max_leaves=12)


@cache
def typed(type_text: str, profile: Profile, nested: bool = True) -> st.SearchStrategy:
    """A strategy for values of one spec type ("Integer", "List<String>", "Node", "Map?"...).

    ``nested`` says whether untyped containers (List, Map, Any) may hold the structure classes
    of the profile; structure fields use False so that generated values stay small."""
    type_text = type_text.strip()
    if type_text.endswith("?"):
        return st.one_of(st.none(), typed(type_text[:-1], profile, nested))
    if "<" in type_text:
        outer, _, inner = type_text.partition("<")
        inner = inner[:-1]
        if outer == "List":
            return st.lists(typed(inner, profile, nested), max_size=4)
        if outer == "Map":
            return st.dictionaries(texts, typed(inner, profile, nested), max_size=4)
        raise AssertionError(f"unknown generic type {type_text}")
    simple = {
        "Null": st.none(),
        "Boolean": st.booleans(),
        "Integer": integers,
        "Float": floats,
        "String": texts,
        "Bytes": binaries,
    }
    if type_text in simple:
        return simple[type_text]
    if type_text == "List":
        return st.lists(values(profile, nested), max_size=4)
    if type_text == "Map":
        return st.dictionaries(texts, values(profile, nested), max_size=4)
    if type_text == "Any":
        return values(profile, nested)
    if type_text in STRUCTURES:
        return structure_of(type_text, profile)
    raise AssertionError(f"unknown spec type {type_text}")


@cache
def structure_of(name: str, profile: Profile) -> st.SearchStrategy:
    """Instances of structure class ``name`` with every field of its ``profile`` layout set
    (fields of other layouts stay None)."""
    layout = struct_layout(name, profile)
    assert layout is not None, f"{name} does not exist in {profile_id(profile)}"
    cls = STRUCTURES[name]
    kwargs = {
        fname: st.deferred(lambda t=ftype: typed(t, profile, False)) for fname, ftype in layout
    }
    return st.builds(cls, **kwargs)


@cache
def well_known_map(table: str | None, version: Version, profile: Profile) -> st.SearchStrategy:
    """A map with some of the well-known keys of ``table`` valid in ``version`` (with values of
    their declared type) plus arbitrary other keys, as a peer could send."""
    free = st.dictionaries(texts, values(profile, False), max_size=2)
    if table is None or table not in MAP_KEYS:
        return st.dictionaries(texts, values(profile), max_size=4)
    known = {
        key: typed(ktype, profile, False)
        for key, (ktype, low, high) in MAP_KEYS[table].items()
        if low <= version and (high is None or version <= high)
    }
    if not known:
        return free
    # Other keys must not be well-known ones: a free "user_agent" of the wrong type is a bad
    # request the model does not expect.
    other = st.dictionaries(texts.filter(lambda t: t not in MAP_KEYS[table]), values(profile, False),
                            max_size=2)
    return st.builds(
        lambda k, extra: {**extra, **k},
        st.fixed_dictionaries({}, optional=known),
        other,
    )


@cache
def message_of(cls: type[Message], profile: Profile) -> st.SearchStrategy:
    """Instances of message ``cls`` with every field of its layout in ``profile``'s version."""
    version = profile[0]
    kwargs = {}
    for spec in message_fields(cls, version):
        ftype = str(spec["type"])
        if ftype.rstrip("?") == "Map" and spec.get("keys"):
            strategy = well_known_map(spec["keys"], version, profile)
            if ftype.endswith("?"):
                strategy = st.one_of(st.none(), strategy)
        else:
            strategy = typed(ftype, profile)
        kwargs[spec["name"]] = strategy
    assert tuple(kwargs) == LAYOUTS[version][cls], (cls, version)
    return st.builds(cls, **kwargs)


def message_cases() -> list[tuple[Profile, type[Message]]]:
    """(profile, message class) for every message of every profile."""
    return [(p, cls) for p in PROFILES for cls in LAYOUTS[p[0]]]


def messages(profile: Profile) -> st.SearchStrategy:
    return st.one_of(*[message_of(cls, profile) for cls in LAYOUTS[profile[0]]])


# ---- byte-level helpers --------------------------------------------------------------------


def mutate(data: bytes, draw_ops: list[tuple[int, int, int]]) -> bytes:
    """Apply (kind, position, byte) edits: 0 replace, 1 insert, 2 delete, 3 truncate."""
    buf = bytearray(data)
    for kind, pos, byte in draw_ops:
        if kind == 1:
            buf.insert(pos % (len(buf) + 1), byte)
            continue
        if not buf:
            continue
        pos %= len(buf)
        if kind == 0:
            buf[pos] = byte
        elif kind == 2:
            del buf[pos]
        else:
            del buf[pos:]
    return bytes(buf)


mutation_ops = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 2**16), st.integers(0, 255)),
    min_size=1,
    max_size=4,
)


def is_nan(x: Any) -> bool:
    return type(x) is float and math.isnan(x)


__all__ = [
    "BOLT_SPEC",
    "INT64_MAX",
    "INT64_MIN",
    "INT_EDGES",
    "KNOWN_TAGS",
    "MESSAGE_SPECS",
    "PACKSTREAM_SPEC",
    "PROFILES",
    "STRUCT_SPECS",
    "UNKNOWN_TAGS",
    "MESSAGES",
    "assert_same",
    "binaries",
    "codec_of",
    "fallback_of",
    "finite_floats",
    "floats",
    "integers",
    "is_nan",
    "message_cases",
    "message_fields",
    "message_layout",
    "message_of",
    "messages",
    "mutate",
    "mutation_ops",
    "parse_version",
    "plain_values",
    "profile_id",
    "range_holds",
    "same",
    "scalars",
    "struct_layout",
    "structure_of",
    "structures_in",
    "texts",
    "typed",
    "values",
    "version_in",
    "well_known_map",
]
