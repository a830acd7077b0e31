"""The Wireshark dissector generated from the spec: ``tools/wireshark/bolt.lua``.

:func:`produce` (registered in :data:`codegen.render.EXTRA_OUTPUTS`) turns the spec's tables into
Lua tables (versions, handshake, markers, structures and messages per profile, well-known map
keys) and renders ``templates/bolt.lua.j2``, which holds only the dissection logic: every
protocol fact the dissector uses comes from here.
"""

from __future__ import annotations

from typing import Any

import jinja2

from .spec import Layout, Range, Spec, Structure, TypeRef, Version, layout_for

#: The map key that negotiates a patch (HELLO extra / SUCCESS metadata): the runtime names it
#: too (asyncbolt/client/requests.py, asyncbolt/server/answers.py); the spec lists it in its
#: hello_extra and success_metadata tables.
PATCH_KEY = "patch_bolt"
#: Nesting the dissector decodes at most (asyncbolt's codecs: render.DEFAULT_MAX_DEPTH).
MAX_DEPTH = 256


def lua(value: Any, indent: int = 0) -> str:
    """A Lua literal for ``value`` (None, bool, int, str, list, tuple, dict), deterministic."""
    pad = "  " * (indent + 1)
    if value is None:
        return "nil"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        out = []
        for ch in value.encode("utf-8"):
            c = chr(ch)
            if c in '"\\':
                out.append("\\" + c)
            elif 0x20 <= ch < 0x7F:
                out.append(c)
            else:
                out.append(f"\\{ch:03d}")
        return '"' + "".join(out) + '"'
    if isinstance(value, (list, tuple)):
        items = [lua(v, indent + 1) for v in value]
        flat = "{" + ", ".join(items) + "}"
        if len(flat) <= 90 and "\n" not in flat:
            return flat
        return "{\n" + "".join(f"{pad}{i},\n" for i in items) + "  " * indent + "}"
    if isinstance(value, dict):
        if not value:
            return "{}"
        parts = []
        for k, v in value.items():
            key = k if isinstance(k, str) and k.isidentifier() and k not in _LUA_KEYWORDS else f"[{lua(k)}]"
            parts.append(f"{key} = {lua(v, indent + 1)}")
        flat = "{" + ", ".join(parts) + "}"
        if len(flat) <= 90 and "\n" not in flat:
            return flat
        return "{\n" + "".join(f"{pad}{p},\n" for p in parts) + "  " * indent + "}"
    raise TypeError(f"no Lua literal for {type(value).__name__}")


_LUA_KEYWORDS = {"and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto",
                 "if", "in", "local", "nil", "not", "or", "repeat", "return", "then", "true",
                 "until", "while"}


def _vt(v: Version) -> str:
    return f"{v[0]}.{v[1]}"


def _range(r: Range) -> dict:
    return {"lo": _vt(r.low), "hi": _vt(r.high) if r.high else None}


def _typeref(t: TypeRef) -> dict:
    out: dict[str, Any] = {"n": t.name}
    if t.item is not None:
        out["item"] = _typeref(t.item)
    if t.nullable:
        out["null"] = True
    return out


def _versions_text(held: list[Version]) -> str:
    if not held:
        return "no version"
    return _vt(held[0]) if len(held) == 1 else f"{_vt(held[0])}-{_vt(held[-1])}"


def _profile_key(version: Version, patches: frozenset[str]) -> str:
    return _vt(version) + "".join(f"+{p}" for p in sorted(patches))


def _field(f: Any) -> dict:
    out: dict[str, Any] = {"name": f.name, "type": _typeref(f.type)}
    if f.keys:
        out["keys"] = f.keys
    return out


def _layout(s: Structure, lay: Layout) -> dict:
    out: dict[str, Any] = {"name": s.name, "fields": [_field(f) for f in lay.fields]}
    if lay.optional_fields:
        out["optional"] = [_field(f) for f in lay.optional_fields]
    return out


def tables(spec: Spec) -> dict[str, str]:
    """The Lua literals the template embeds, by name."""
    layouts: list[dict] = []
    index: dict[int, int] = {}  # id(layout) -> 1-based Lua index

    def ref(s: Structure, lay: Layout) -> int:
        if id(lay) not in index:
            layouts.append(_layout(s, lay))
            index[id(lay)] = len(layouts)
        return index[id(lay)]

    # Most versions share their message, structure and marker tables with their neighbours: each
    # distinct table is written once (PARTS) and a profile names its tables by index.
    parts: list[Any] = []

    def part(table: Any) -> int:
        if table not in parts:
            parts.append(table)
        return parts.index(table) + 1

    profiles: dict[str, dict] = {}
    for p in spec.profiles:
        requests: dict[int, int] = {}
        responses: dict[int, int] = {}
        for m in spec.messages:
            lay = layout_for(m, p.version, p.patches)
            if lay is not None:
                (requests if m.direction == "request" else responses)[m.signature] = ref(m, lay)
        structs: dict[int, int] = {}
        for s in spec.structures:
            lay = layout_for(s, p.version, p.patches)
            if lay is not None:
                structs[s.tag] = ref(s, lay)
        allowed = [m.name for m in spec.markers
                   if m.ranges is None or any(r.holds(p.version, p.patches) for r in m.ranges)]
        profiles[_profile_key(p.version, p.patches)] = {
            "request": part(dict(sorted(requests.items()))), "response": part(dict(sorted(responses.items()))),
            "structs": part(dict(sorted(structs.items()))), "markers": part(allowed)}

    def held(s: Structure) -> list[Version]:
        return [v for v in spec.versions if any(layout_for(s, v, p.patches) is not None
                                                 for p in spec.profiles if p.version == v)]

    elsewhere: dict[str, dict[int, list[dict]]] = {"request": {}, "response": {}}
    for m in spec.messages:
        elsewhere[m.direction].setdefault(m.signature, []).append(
            {"name": m.name, "versions": _versions_text(held(m))})
    struct_elsewhere = {s.tag: {"name": s.name, "versions": _versions_text(held(s))}
                        for s in spec.structures}
    maps = {name: {k.key: {"type": _typeref(k.type), "range": _range(k.ranges[0]),
                           **({"secret": True} if k.secret else {}),
                           **({"keys": k.keys} if k.keys else {}),
                           **({"values": k.values} if k.values else {})}
                   for k in keys}
            for name, keys in spec.maps.items()}
    secret = sorted({k.key for keys in spec.maps.values() for k in keys if k.secret})
    hs = spec.handshake
    layout = list(hs["proposal_layout"])
    markers = [{"name": m.name, "first": m.first, "last": m.last, "kind": m.kind,
                **({"size": m.size} if m.size is not None else {}),
                **({"versions": _versions_text([v for v in spec.versions
                                                 if any(r.holds(v, frozenset()) for r in m.ranges)])}
                   if m.ranges else {})}
               for m in spec.markers]
    legacy = [{"name": m.name, "first": m.first, "last": m.last, "kind": m.kind, "size": m.size}
              for m in spec.legacy_markers]
    noop = spec.features["noop_chunks"].range

    # The request that asks for patches and the answer that grants them: the messages whose
    # field's key table has PATCH_KEY.
    def patch_field(direction: str) -> dict:
        for m in spec.messages:
            for lay in m.layouts:
                for f in lay.fields:
                    if m.direction == direction and f.keys and any(k.key == PATCH_KEY for k in spec.maps[f.keys]):
                        return {"message": m.name, "field": f.name}
        raise ValueError(f"no {direction} carries {PATCH_KEY}")
    data = {
        "VERSIONS": [_vt(v) for v in spec.versions],
        "NEGOTIABLE": [_vt(v) for v in spec.versions if spec.version_info[v]["negotiable"]],
        "HANDSHAKE": {
            "magic": list(hs["magic"]), "proposals": hs["proposals"],
            "range": layout.index("range"), "minor": layout.index("minor"), "major": layout.index("major"),
            "manifest_marker": hs["manifest"]["marker"], "manifest_versions": list(hs["manifest"]["versions"]),
            "no_version": list(hs["no_version"]),
        },
        "MARKERS": markers,
        "LEGACY_MARKERS": legacy,
        "MAX_SIZE": spec.limits["max_size"],
        "LAYOUTS": layouts,
        "PARTS": parts,
        "PROFILES": profiles,
        "SIG_ELSEWHERE": elsewhere,
        "STRUCT_ELSEWHERE": dict(sorted(struct_elsewhere.items())),
        "MAPS": maps,
        "SECRET_KEYS": {k: True for k in secret},
        "NOOP_RANGE": _range(noop),
        "PATCHES": {name: _range(r) for name, r in sorted(spec.patches.items())},
        "PATCH_KEY": PATCH_KEY,
        "PATCH_ASK": patch_field("request"),
        "PATCH_GRANT": patch_field("response"),
        "SUMMARIES": {m.name: True for m in spec.messages if m.summary},
        "MAX_DEPTH": MAX_DEPTH,
    }
    return {name: lua(value) for name, value in data.items()}


def produce(spec: Spec, env: jinja2.Environment, ctx: dict) -> dict[str, str]:
    """``{"bolt.lua": text}`` for ``tools/wireshark/`` (see :data:`codegen.render.EXTRA_OUTPUTS`)."""
    return {"bolt.lua": env.get_template("bolt.lua.j2").render(sources=ctx["sources"], tables=tables(spec))}
