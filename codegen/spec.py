"""Load and validate spec/*.yaml into a small model the templates render.

Every error names the file, the line and the reason; a spec that is wrong never produces code.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


class SpecError(Exception):
    """The spec is invalid: ``file:line: reason``."""

    def __init__(self, file: str, line: int | None, reason: str) -> None:
        self.file, self.line, self.reason = file, line, reason
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {reason}")


# --- YAML with line numbers ------------------------------------------------------------------


class _LineDict(dict):
    line: int | None = None


class _LineList(list):
    line: int | None = None


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> _LineDict:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise SpecError(loader.name, key_node.start_mark.line + 1, f"duplicate key {key!r}")
        seen[key] = 1
    d = _LineDict(loader.construct_mapping(node, deep=True))
    d.line = node.start_mark.line + 1
    return d


def _construct_sequence(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> _LineList:
    lst = _LineList(loader.construct_sequence(node, deep=True))
    lst.line = node.start_mark.line + 1
    return lst


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    loader = _Loader(text)
    loader.name = path.name
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SpecError(path.name, mark.line + 1 if mark else None, str(exc).splitlines()[0]) from None
    finally:
        loader.dispose()


# --- model -----------------------------------------------------------------------------------

Version = tuple[int, int]
BASE_TYPES = ("Null", "Boolean", "Integer", "Float", "Bytes", "String", "List", "Map", "Any")


@dataclass(frozen=True)
class TypeRef:
    """A field type: base name, optional element type (List<T>, Map<T>), nullable flag."""

    name: str
    item: TypeRef | None = None
    nullable: bool = False

    def __str__(self) -> str:
        s = self.name + (f"<{self.item}>" if self.item else "")
        return s + ("?" if self.nullable else "")

    @property
    def python(self) -> str:
        """The Python annotation for this type."""
        py = {
            "Null": "None", "Boolean": "bool", "Integer": "int", "Float": "float",
            "Bytes": "bytes", "String": "str", "Any": "Any",
        }
        if self.name == "List":
            s = f"list[{self.item.python if self.item else 'Any'}]"
        elif self.name == "Map":
            s = f"dict[str, {self.item.python if self.item else 'Any'}]"
        else:
            s = py.get(self.name, self.name)
        return f"{s} | None" if self.nullable and s != "None" else s


@dataclass
class Range:
    low: Version
    high: Version | None  # None = open ended
    patch: str | None = None
    without_patch: str | None = None

    def holds(self, version: Version, patches: frozenset[str]) -> bool:
        if version < self.low or (self.high is not None and version > self.high):
            return False
        if self.patch and self.patch not in patches:
            return False
        if self.without_patch and self.without_patch in patches:
            return False
        return True


@dataclass
class Field:
    name: str
    type: TypeRef
    doc: str = ""
    keys: str | None = None


@dataclass
class Layout:
    ranges: list[Range]
    fields: list[Field]
    optional_fields: list[Field] = field(default_factory=list)
    line: int | None = None


@dataclass
class Structure:
    name: str
    tag: int
    doc: str
    layouts: list[Layout]
    mixin: str | None = None
    fallback: tuple[str, str] | None = None
    direction: str = "both"
    line: int | None = None

    @property
    def all_fields(self) -> list[Field]:
        """Union of the fields of every layout, in order of first appearance."""
        out: dict[str, Field] = {}
        for layout in self.layouts:
            for f in layout.fields + layout.optional_fields:
                out.setdefault(f.name, f)
        # Keep the order of first appearance, but the newest layout's declaration (types widen,
        # e.g. Node.id became nullable in 5.0).
        for layout in self.layouts:
            for f in layout.fields + layout.optional_fields:
                out[f.name] = f
        return list(out.values())

    def required(self, name: str) -> bool:
        return all(name in [f.name for f in lay.fields] for lay in self.layouts)


@dataclass
class Message(Structure):
    signature: int = 0
    summary: bool = False

    @property
    def class_name(self) -> str:
        return "".join(part.capitalize() for part in self.name.split("_"))


@dataclass
class Marker:
    name: str
    first: int
    last: int
    kind: str
    size: Any = None
    ranges: list[Range] | None = None  # None: in every version
    python: str | None = None  # kind "fixed": the value mapping named in asyncbolt.codec.types.FIXED


@dataclass
class MapKey:
    key: str
    type: TypeRef
    ranges: list[Range]
    doc: str = ""
    secret: bool = False
    keys: str | None = None  # the key table of a nested map (or of each map of a list)
    values: list[str] | None = None  # the only values a String key may have


@dataclass
class Feature:
    """A protocol feature the runtime asks about by name: one range of versions, stated in the
    spec's features table or taken from the message, field or map key it follows (``source``)."""

    name: str
    range: Range
    doc: str
    source: str  # "versions", "message HELLO", "field RUN.extra" or "key tx_extra.db"
    line: int | None = None


@dataclass
class Profile:
    """One codec configuration: a Bolt version plus negotiated patches."""

    version: Version
    patches: frozenset[str]

    @property
    def key(self) -> str:
        v = f"{self.version[0]}.{self.version[1]}"
        return v + "".join(f"+{p}" for p in sorted(self.patches))


@dataclass
class Transition:
    state: str
    message: str
    ranges: list[Range]
    success: str | None = None
    failure: str | None = None
    has_more: str | None = None
    ignored: bool = False
    close: bool = False
    line: int | None = None


@dataclass
class StateMachine:
    ranges: list[Range]
    initial: str
    states: dict[str, dict]
    transitions: list[Transition]
    line: int | None = None


@dataclass
class Spec:
    versions: list[Version]
    version_info: dict[Version, dict]
    patches: dict[str, Range]
    handshake: dict
    markers: list[Marker]
    limits: dict
    structures: list[Structure]
    messages: list[Message]
    maps: dict[str, list[MapKey]]
    vector_types: list[dict]
    machines: list[StateMachine] = field(default_factory=list)
    profiles: list[Profile] = field(default_factory=list)
    #: Legacy PackStream v1 markers (STRUCT_8/STRUCT_16): named, refused by the fast codec.
    legacy_markers: list[Marker] = field(default_factory=list)
    features: dict[str, Feature] = field(default_factory=dict)
    #: What each patch is and how it is negotiated (bolt.yaml ``patches: NAME: doc``).
    patch_docs: dict[str, str] = field(default_factory=dict)


# --- parsing helpers -------------------------------------------------------------------------

_VERSION_RE = re.compile(r"^(\d+)\.(\d+)$")
_TYPE_RE = re.compile(r"^([A-Za-z][A-Za-z0-9]*)(?:<(.+)>)?(\?)?$")


class _Ctx:
    def __init__(self, file: str, known_versions: list[Version] | None = None):
        self.file = file
        self.known_versions = known_versions or []

    def fail(self, node: Any, reason: str) -> SpecError:
        return SpecError(self.file, getattr(node, "line", None), reason)

    def version(self, text: Any, node: Any) -> Version:
        m = _VERSION_RE.match(str(text).strip())
        if not m:
            raise self.fail(node, f"bad version {text!r} (expected MAJOR.MINOR)")
        v = (int(m.group(1)), int(m.group(2)))
        if self.known_versions and v not in self.known_versions:
            raise self.fail(node, f"version {text} is not declared in bolt.yaml versions")
        return v

    def range(self, item: Any, node: Any, patches: set[str]) -> Range:
        patch = without = None
        if isinstance(item, dict):
            self.keys(item, {"range"}, {"patch", "without_patch"})
            patch, without = item.get("patch"), item.get("without_patch")
            for p in (patch, without):
                if p is not None and p not in patches:
                    raise self.fail(item, f"unknown patch {p!r}")
            node, item = item, item["range"]
        text = str(item).strip()
        if "-" in text:
            lo, hi = text.split("-", 1)
            low = self.version(lo, node)
            high = self.version(hi, node) if hi.strip() else None
        else:
            low = high = self.version(text, node)
        if high is not None and high < low:
            raise self.fail(node, f"empty version range {text!r}")
        return Range(low, high, patch, without)

    def ranges(self, value: Any, node: Any, patches: set[str]) -> list[Range]:
        items = value if isinstance(value, list) else [value]
        if not items:
            raise self.fail(node, "empty version list")
        return [self.range(i, getattr(value, "line", None) and value or node, patches) for i in items]

    def keys(self, d: Any, required: set[str], optional: AbstractSet[str] = frozenset()) -> None:
        if not isinstance(d, dict):
            raise self.fail(d, f"expected a mapping, got {type(d).__name__}")
        for k in required:
            if k not in d or d[k] is None and k != "fields":
                raise self.fail(d, f"missing {k!r}")
        unknown = set(d) - required - set(optional)
        if unknown:
            raise self.fail(d, f"unknown key(s) {sorted(unknown)}")

    def typeref(self, text: Any, node: Any, names: set[str]) -> TypeRef:
        if not isinstance(text, str):
            raise self.fail(node, f"field type must be a string, got {text!r}")
        m = _TYPE_RE.match(text.replace(" ", ""))
        if not m:
            raise self.fail(node, f"unparsable type {text!r}")
        base, inner, q = m.groups()
        if base not in BASE_TYPES and base not in names:
            raise self.fail(node, f"unknown type {base!r}")
        item = None
        if inner is not None:
            if base not in ("List", "Map"):
                raise self.fail(node, f"type {base} takes no parameter")
            item = self.typeref(inner, node, names)
        return TypeRef(base, item, bool(q))

    def fields(self, items: Any, node: Any, names: set[str], maps: set[str]) -> list[Field]:
        if items is None:
            items = []
        if not isinstance(items, list):
            raise self.fail(node, "fields must be a list")
        out: list[Field] = []
        for f in items:
            self.keys(f, {"name"}, {"type", "doc", "keys"})
            if "type" not in f or not f["type"]:
                raise self.fail(f, f"field {f['name']!r} has no type")
            if f["name"] in [x.name for x in out]:
                raise self.fail(f, f"duplicate field {f['name']!r}")
            if not str(f["name"]).isidentifier():
                raise self.fail(f, f"field name {f['name']!r} is not an identifier")
            if f.get("keys") is not None and f["keys"] not in maps:
                raise self.fail(f, f"unknown key table {f['keys']!r}")
            out.append(Field(f["name"], self.typeref(f["type"], f, names), f.get("doc", ""), f.get("keys")))
        return out


def _overlap(a: Range, b: Range) -> bool:
    lo = max(a.low, b.low)
    his = [h for h in (a.high, b.high) if h is not None]
    hi = min(his) if his else None
    if hi is not None and lo > hi:
        return False
    # Ranges gated on opposite patch states never hold together.
    for x, y in ((a, b), (b, a)):
        if x.patch and x.patch == y.without_patch:
            return False
    return True


def _check_overlaps(ctx: _Ctx, what: str, items: list[tuple[Range, Any, str]]) -> None:
    for i, (ra, node_a, name_a) in enumerate(items):
        for rb, _node_b, name_b in items[i + 1:]:
            if _overlap(ra, rb):
                raise ctx.fail(node_a, f"{what}: version ranges of {name_a} and {name_b} overlap")


# --- loading ---------------------------------------------------------------------------------


def load(spec_dir: Path) -> Spec:
    bolt = load_yaml(spec_dir / "bolt.yaml")
    ps = load_yaml(spec_dir / "packstream.yaml")

    bctx = _Ctx("bolt.yaml")
    bctx.keys(bolt, {"versions", "patches", "handshake", "features", "maps", "messages", "states"})
    versions: list[Version] = []
    info: dict[Version, dict] = {}
    for v in bolt["versions"]:
        bctx.keys(v, {"version"}, {"neo4j", "announce", "negotiable", "manifest_only"})
        ver = bctx.version(v["version"], v)
        if ver in info:
            raise bctx.fail(v, f"version {v['version']} declared twice")
        if versions and ver < versions[-1]:
            raise bctx.fail(v, "versions must be listed in ascending order")
        versions.append(ver)
        info[ver] = {
            "negotiable": bool(v.get("negotiable", True)),
            "manifest_only": bool(v.get("manifest_only", False)),
            "neo4j": str(v.get("neo4j", "")),
        }
        # The Neo4j release a server speaking this version announces by default: "announce", else
        # the version's own, else (6.1, 5.5: never in a release of their own) the one before's.
        release = str(v.get("announce", info[ver]["neo4j"]))
        if release in ("", "-"):
            release = info[versions[-2]]["release"] if len(versions) > 1 else ""
        if not re.fullmatch(r"\d+\.\d+", release):
            raise bctx.fail(v, f"version {v['version']}: neo4j must be a release like 5.26 "
                               f"(or '-' after a version that has one), found {release!r}")
        info[ver]["release"] = release
    bctx.known_versions = versions
    patch_names = set(bolt["patches"] or {})
    patches = {}
    patch_docs = {}
    for name, p in (bolt["patches"] or {}).items():
        bctx.keys(p, {"versions"}, {"doc"})
        patches[name] = bctx.range(p["versions"], p, set())
        patch_docs[name] = str(p.get("doc") or "")

    pctx = _Ctx("packstream.yaml", versions)
    pctx.keys(ps, {"markers", "structures", "limits"}, {"vector_element_types", "legacy_markers"})
    markers: list[Marker] = []
    taken: dict[int, str] = {}
    kinds = {"tiny_int", "string", "list", "map", "struct", "null", "float", "false", "true", "int",
             "bytes", "fixed"}
    for m in ps["markers"]:
        pctx.keys(m, {"name", "kind"}, {"byte", "first", "last", "size", "versions", "python"})
        if m["kind"] not in kinds:
            raise pctx.fail(m, f"unknown marker kind {m['kind']!r}")
        if "byte" in m:
            first = last = m["byte"]
        elif "first" in m and "last" in m:
            first, last = m["first"], m["last"]
        else:
            raise pctx.fail(m, "a marker needs byte or first/last")
        for b in range(first, last + 1):
            if b in taken:
                raise pctx.fail(m, f"marker byte 0x{b:02X} already used by {taken[b]}")
            taken[b] = m["name"]
        ranges = pctx.ranges(m["versions"], m, set()) if "versions" in m else None
        if m["kind"] == "fixed":
            if not isinstance(m.get("size"), int) or m["size"] < 1 or not m.get("python"):
                raise pctx.fail(m, f"marker {m['name']}: kind fixed needs an integer size and a python mapping")
            if first != last:
                raise pctx.fail(m, f"marker {m['name']}: a fixed-size marker is one byte")
        elif "python" in m:
            raise pctx.fail(m, f"marker {m['name']}: only kind fixed takes a python mapping")
        if ranges is not None and first != last:
            raise pctx.fail(m, f"marker {m['name']}: only single-byte markers can be version-gated")
        markers.append(Marker(m["name"], first, last, m["kind"], m.get("size"), ranges, m.get("python")))
    legacy_markers: list[Marker] = []
    for m in ps.get("legacy_markers") or []:
        pctx.keys(m, {"name", "kind", "byte", "size"}, set())
        if m["kind"] != "struct" or m["size"] not in (1, 2):
            raise pctx.fail(m, f"legacy marker {m['name']}: only structures with a 1- or 2-byte count")
        if m["byte"] in taken:
            raise pctx.fail(m, f"marker byte 0x{m['byte']:02X} already used by {taken[m['byte']]}")
        taken[m["byte"]] = m["name"]
        legacy_markers.append(Marker(m["name"], m["byte"], m["byte"], "struct", m["size"]))

    struct_names = set(ps["structures"] or {})
    map_names = set(bolt["maps"] or {})
    structures: list[Structure] = []
    for name, s in ps["structures"].items():
        pctx.keys(s, {"tag", "layouts"}, {"doc", "mixin", "fallback", "direction"})
        if not isinstance(s["tag"], int) or not 0 <= s["tag"] <= 0x7F:
            raise pctx.fail(s, f"structure {name}: tag must be a byte 0x00-0x7F")
        layouts = []
        for lay in s["layouts"]:
            pctx.keys(lay, {"versions", "fields"}, {"optional_fields"})
            flds = pctx.fields(lay["fields"], lay, struct_names, map_names)
            if len(flds) > ps["limits"]["max_struct_fields"]:
                raise pctx.fail(lay, f"structure {name}: more than 15 fields")
            layouts.append(Layout(pctx.ranges(lay["versions"], lay, patch_names), flds, [], lay.line))
        _check_overlaps(pctx, f"structure {name}", [(r, lay, f"layout@{lay.line}") for lay in layouts for r in lay.ranges])
        fb = None
        if s.get("fallback"):
            pctx.keys(s["fallback"], {"structure", "method"})
            if s["fallback"]["structure"] not in struct_names:
                raise pctx.fail(s["fallback"], f"unknown fallback structure {s['fallback']['structure']!r}")
            fb = (s["fallback"]["structure"], s["fallback"]["method"])
        structures.append(Structure(name, s["tag"], str(s.get("doc", "")).strip(), layouts,
                                    s.get("mixin"), fb, s.get("direction", "both"), s.line))

    maps: dict[str, list[MapKey]] = {}
    for mname, keys in bolt["maps"].items():
        out = []
        for k in keys:
            bctx.keys(k, {"key", "type"}, {"versions", "doc", "secret", "keys", "values"})
            rng = [bctx.range(k.get("versions", f"{versions[0][0]}.{versions[0][1]}-"), k, patch_names)]
            if k.get("keys") is not None and k["keys"] not in bolt["maps"]:
                raise bctx.fail(k, f"unknown key table {k['keys']!r}")
            values = k.get("values")
            if values is not None and (k["type"] != "String" or not isinstance(values, list) or not values
                                       or not all(isinstance(v, str) for v in values)):
                raise bctx.fail(k, "values: a non-empty list of strings, for a String key only")
            out.append(MapKey(k["key"], bctx.typeref(k["type"], k, struct_names), rng,
                              str(k.get("doc", "")), bool(k.get("secret", False)), k.get("keys"),
                              list(values) if values is not None else None))
        maps[mname] = out

    messages: list[Message] = []
    for m in bolt["messages"]:
        bctx.keys(m, {"name", "signature", "direction", "layouts"}, {"doc", "summary"})
        if m["direction"] not in ("request", "response"):
            raise bctx.fail(m, f"direction must be request or response, got {m['direction']!r}")
        if not isinstance(m["signature"], int) or not 0 <= m["signature"] <= 0x7F:
            raise bctx.fail(m, f"message {m['name']}: signature must be a byte 0x00-0x7F")
        layouts = []
        for lay in m["layouts"]:
            bctx.keys(lay, {"versions", "fields"}, {"optional_fields"})
            flds = bctx.fields(lay["fields"], lay, struct_names, map_names)
            opt = bctx.fields(lay.get("optional_fields"), lay, struct_names, map_names)
            layouts.append(Layout(bctx.ranges(lay["versions"], lay, patch_names), flds, opt, lay.line))
        _check_overlaps(bctx, f"message {m['name']}", [(r, lay, f"layout@{lay.line}") for lay in layouts for r in lay.ranges])
        messages.append(Message(m["name"], m["signature"], str(m.get("doc", "")).strip(), layouts,
                                line=m.line, signature=m["signature"], summary=bool(m.get("summary", False)),
                                direction=m["direction"]))
    names = [m.name for m in messages]
    for m in messages:
        if names.count(m.name) > 1:
            raise bctx.fail(m, f"message {m.name} declared twice")

    spec = Spec(versions, info, patches, bolt["handshake"], markers, dict(ps["limits"]),
                structures, messages, maps, list(ps.get("vector_element_types") or []),
                legacy_markers=legacy_markers, patch_docs=patch_docs)

    # One signature per direction and version.
    for direction in ("request", "response"):
        for v in versions:
            for prof_patches in _patch_sets(spec, v):
                seen: dict[int, Message] = {}
                for m in messages:
                    if m.direction != direction or layout_for(m, v, prof_patches) is None:
                        continue
                    if m.signature in seen:
                        raise bctx.fail(m, f"signature 0x{m.signature:02X} of {m.name} is already used by "
                                           f"{seen[m.signature].name} in Bolt {v[0]}.{v[1]}")
                    seen[m.signature] = m
    # One structure per tag and profile.
    for v in versions:
        for prof_patches in _patch_sets(spec, v):
            seen_s: dict[int, Structure] = {}
            for s in structures:
                if layout_for(s, v, prof_patches) is None:
                    continue
                if s.tag in seen_s:
                    raise pctx.fail(s, f"tag 0x{s.tag:02X} of {s.name} is already used by {seen_s[s.tag].name}")
                seen_s[s.tag] = s
    spec.profiles = [Profile(v, ps_) for v in versions for ps_ in _patch_sets(spec, v)]
    spec.machines = _load_machines(bctx, bolt["states"], spec, patch_names)
    spec.features = _load_features(bctx, bolt["features"], spec)
    return spec


def _span(ctx: _Ctx, node: Any, what: str, spec: Spec, held: list[Version]) -> Range:
    """The one range of versions ``held`` covers (it must be contiguous in the spec's list)."""
    if not held:
        raise ctx.fail(node, f"{what} holds in no version")
    idx = [spec.versions.index(v) for v in held]
    if idx != list(range(idx[0], idx[-1] + 1)):
        raise ctx.fail(node, f"{what} holds in versions that are not one range "
                             f"({', '.join(f'{a}.{b}' for a, b in held)})")
    return Range(held[0], None if held[-1] == spec.versions[-1] else held[-1])


def _load_features(ctx: _Ctx, items: Any, spec: Spec) -> dict[str, Feature]:
    if not isinstance(items, dict) or not items:
        raise ctx.fail(items, "features: a mapping of feature names")
    by_name = {m.name: m for m in spec.messages}
    out: dict[str, Feature] = {}
    for name, f in items.items():
        if not str(name).isidentifier():
            raise ctx.fail(f, f"feature name {name!r} is not an identifier")
        ctx.keys(f, {"doc"}, {"versions", "message", "field", "key"})
        sources = [k for k in ("versions", "message", "field", "key") if k in f]
        if len(sources) != 1:
            raise ctx.fail(f, f"feature {name}: give exactly one of versions, message, field, key")
        kind, ref = sources[0], str(f[sources[0]])
        if kind == "versions":
            rng = ctx.range(ref, f, set())
        elif kind == "message":
            if ref not in by_name:
                raise ctx.fail(f, f"feature {name}: unknown message {ref!r}")
            msg = by_name[ref]
            held = [v for v in spec.versions if layout_for(msg, v, frozenset()) is not None]
            rng = _span(ctx, f, f"feature {name} (message {ref})", spec, held)
        elif kind == "field":
            mname, _, fname = ref.partition(".")
            if mname not in by_name or not fname:
                raise ctx.fail(f, f"feature {name}: field must be MESSAGE.field, got {ref!r}")
            held = []
            for v in spec.versions:
                lay = layout_for(by_name[mname], v, frozenset())
                if lay is not None and any(x.name == fname for x in lay.fields + lay.optional_fields):
                    held.append(v)
            rng = _span(ctx, f, f"feature {name} (field {ref})", spec, held)
        else:
            table, _, key = ref.partition(".")
            keys = {k.key: k for k in spec.maps.get(table, [])}
            if key not in keys:
                raise ctx.fail(f, f"feature {name}: unknown map key {ref!r} (table.key)")
            r = keys[key].ranges[0]
            rng = Range(r.low, r.high)
        out[str(name)] = Feature(str(name), rng, " ".join(str(f["doc"]).split()),
                                 kind if kind == "versions" else f"{kind} {ref}", getattr(f, "line", None))
    return out


def _load_machines(ctx: _Ctx, items: Any, spec: Spec, patch_names: set[str]) -> list[StateMachine]:
    by_name = {m.name: m for m in spec.messages}
    machines: list[StateMachine] = []
    for item in items:
        ctx.keys(item, {"versions", "initial", "states", "transitions"})
        ranges = ctx.ranges(item["versions"], item, patch_names)
        states = {}
        for name, attrs in item["states"].items():
            attrs = attrs or {}
            ctx.keys(attrs, set(), {"on_violation", "terminal", "unauthenticated"})
            states[name] = dict(attrs)
        for name, attrs in states.items():
            target = attrs.get("on_violation")
            if target is not None and target not in states:
                raise ctx.fail(item["states"], f"state {name}: unknown on_violation state {target!r}")
        if item["initial"] not in states:
            raise ctx.fail(item, f"unknown initial state {item['initial']!r}")
        transitions: list[Transition] = []
        for t in item["transitions"]:
            ctx.keys(t, {"state", "message"}, {"versions", "success", "failure", "has_more", "ignored", "close"})
            t_ranges = ctx.ranges(t["versions"], t, patch_names) if "versions" in t else ranges
            for key in ("success", "failure", "has_more"):
                if t.get(key) is not None and t[key] not in states:
                    raise ctx.fail(t, f"unknown state {t[key]!r} in {key}")
            if not (t.get("ignored") or t.get("close") or t.get("success")):
                raise ctx.fail(t, "a transition needs success, ignored or close")
            ins = t["state"] if isinstance(t["state"], list) else [t["state"]]
            ons = t["message"] if isinstance(t["message"], list) else [t["message"]]
            for st in ins:
                if st not in states:
                    raise ctx.fail(t, f"unknown state {st!r}")
                for msg in ons:
                    if msg not in by_name:
                        raise ctx.fail(t, f"unknown message {msg!r}")
                    if by_name[msg].direction != "request":
                        raise ctx.fail(t, f"{msg} is not a request")
                    transitions.append(Transition(st, msg, t_ranges, t.get("success"), t.get("failure"),
                                                  t.get("has_more"), bool(t.get("ignored")),
                                                  bool(t.get("close")), t.line))
        machines.append(StateMachine(ranges, item["initial"], states, transitions, item.line))
    for v in spec.versions:
        owners = [m for m in machines if any(r.holds(v, frozenset()) for r in m.ranges)]
        if len(owners) != 1:
            raise ctx.fail(items, f"Bolt {v[0]}.{v[1]} is covered by {len(owners)} state machines (needs 1)")
        seen: dict[tuple[str, str], Transition] = {}
        for t in owners[0].transitions:
            if not any(r.holds(v, frozenset()) for r in t.ranges):
                continue
            if layout_for(by_name[t.message], v, frozenset()) is None:
                continue
            if (t.state, t.message) in seen:
                raise ctx.fail(t, f"{t.message} in {t.state} has two transitions in Bolt {v[0]}.{v[1]}")
            seen[t.state, t.message] = t
    return machines


def transitions_for(spec: Spec, v: Version) -> tuple[StateMachine, list[Transition]]:
    """The state machine of a version and the transitions that hold in it."""
    by_name = {m.name: m for m in spec.messages}
    machine = next(m for m in spec.machines if any(r.holds(v, frozenset()) for r in m.ranges))
    out = [t for t in machine.transitions
           if any(r.holds(v, frozenset()) for r in t.ranges)
           and layout_for(by_name[t.message], v, frozenset()) is not None]
    return machine, out


def _patch_sets(spec: Spec, v: Version) -> list[frozenset[str]]:
    sets: list[frozenset[str]] = [frozenset()]
    for name, rng in sorted(spec.patches.items()):
        if rng.holds(v, frozenset()):
            sets.append(frozenset({name}))
    return sets


def layout_for(s: Structure, v: Version, patches: frozenset[str]) -> Layout | None:
    for lay in s.layouts:
        if any(r.holds(v, patches) for r in lay.ranges):
            return lay
    return None
