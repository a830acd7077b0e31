"""Render the validated spec into asyncbolt/_generated/ with jinja2 templates.

Output is deterministic: everything is iterated in spec or sorted order and no timestamp or
path is written, so regenerating an unchanged spec is a no-op diff.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import jinja2

from .docs import produce as protocol_pages
from .spec import (
    Field,
    Layout,
    Marker,
    Message,
    Profile,
    Range,
    Spec,
    Structure,
    TypeRef,
    layout_for,
    transitions_for,
)
from .wireshark import produce as wireshark_dissector

TEMPLATES = Path(__file__).parent / "templates"

#: What the spec generates outside ``asyncbolt/_generated/``: each entry is a directory of the
#: repository (relative to its root) that the producer owns wholly, and the producer, which takes
#: the spec, the jinja environment and the shared template context and returns ``{file name
#: relative to that directory: text}``. ``python -m codegen`` writes them and removes files of the
#: directory it no longer produces; ``--check`` reports both.
ExtraProducer = Callable[[Spec, jinja2.Environment, dict], dict[str, str]]
EXTRA_OUTPUTS: dict[str, ExtraProducer] = {
    # The Wireshark dissector (codegen/wireshark.py, templates/bolt.lua.j2).
    "tools/wireshark": wireshark_dissector,
    # The documentation site's protocol reference (a page per version, what changed in each, the
    # state machines: codegen/docs.py, templates/docs/).
    "docs/protocol": protocol_pages,
}
OUTPUTS = {
    "__init__.py": "init.py.j2",
    "versions.py": "versions.py.j2",
    "structures.py": "structures.py.j2",
    "messages.py": "messages.py.j2",
    "codec.py": "codec.py.j2",
    "schemas.py": "schemas.py.j2",
    "states.py": "states.py.j2",
    "_accel.c": "_accel.c.j2",
    "_columns.c": "_columns.c.j2",
    "columns.py": "columns.py.j2",
}
#: Placeholder in the rendered C source for its own digest (see ``render``).
DIGEST_PLACEHOLDER = "@ACCEL_DIGEST@"
# Default bound on nested containers in a decoded value, for both decoders (a run-time limit,
# not a protocol fact, so it lives here rather than in the spec). Real values nest a few levels.
DEFAULT_MAX_DEPTH = 256
# Values one decode call (a message, all its fields; or one value) may produce: every list item,
# map key and value and structure field counts 1. 1 + 50,000 rows x 21 (an UNWIND batch of
# 10-key maps) fits with room to spare; 2,000,000 empty maps cost ~150 MB.
DEFAULT_MAX_DECODED_VALUES = 2_000_000
# How many levels of tiny lists and maps the pure-Python fast decoder decodes in place inside a
# container's item loop (saving a call and a tuple each) before it recurses. Every level copies
# the whole scalar marker tree once more, indented deeper; the C accelerator does not depend on
# it. Measured with `python -m benchmarks --quick` (pure-Python decode vs neo4j's pure-Python
# decoder, lower shape, median of 5 interleaved runs): 0: 395 KB, 3.57x; 1: 603 KB, 3.80x;
# 2: 1,061 KB, 3.97x. 1 keeps the 3.7x floor at 57 % of the size of 2.
DEFAULT_INLINE_DEPTH = 1
# Order of the single-byte marker tests in the fast decoder: most frequent first.
HOT_ORDER = ["NULL", "STRING_8", "FLOAT_64", "TRUE", "FALSE", "INT_8", "INT_16", "INT_32",
             "INT_64", "LIST_8", "MAP_8", "STRING_16", "BYTES_8", "BYTES_16", "LIST_16",
             "MAP_16", "STRING_32", "BYTES_32", "LIST_32", "MAP_32"]
# How often each marker from 0xC0 up is expected in results (a guess from typical rows: numbers,
# short strings, flags); the decision tree puts the frequent ones fewer tests deep.
HOT_WEIGHT = {"FLOAT_64": 8, "STRING_8": 8, "INT_8": 5, "INT_16": 6, "INT_32": 5, "INT_64": 6,
              "NULL": 4, "TRUE": 3, "FALSE": 3, "TINY_INT_NEGATIVE": 4, "LIST_8": 1, "MAP_8": 1,
              "STRING_16": 1}


def _dispatch_tree(markers: list, lo: int, hi: int, leaf_size: int = 2) -> dict:
    """A binary decision tree over the marker bytes lo..hi that the fast decoder tests.

    A chain of ``m == X`` tests costs one comparison per marker passed over: INT_64 used to
    be the ninth. Splitting where the expected frequency (``HOT_WEIGHT``) is halved reaches the
    common markers in two or three tests; a leaf tests its few markers hottest first. Bytes no marker claims
    (reserved, or containers left to the caller) fall out of every leaf as "no match".
    Returns ``{"pivot": p, "lo": tree, "hi": tree}`` or ``{"leaf": [(marker, test), ...]}``
    where ``test`` is the Python condition given what the path already implies about ``m``.
    """
    markers = sorted(markers, key=lambda m: m.first)
    if len(markers) <= leaf_size:
        hot = sorted(markers, key=lambda m: HOT_ORDER.index(m.name) if m.name in HOT_ORDER else 99)
        leaf = []
        for m in hot:
            if m.first <= lo and m.last >= hi:
                test = "True"
            elif m.first == m.last:
                test = f"m == {hx(m.first)}"
            elif m.first <= lo:
                test = f"m <= {hx(m.last)}"
            elif m.last >= hi:
                test = f"m >= {hx(m.first)}"
            else:
                test = f"{hx(m.first)} <= m <= {hx(m.last)}"
            leaf.append((m, test))
        covered = {b for m in markers for b in range(m.first, m.last + 1)}
        if leaf and covered >= set(range(lo, hi + 1)):
            leaf[-1] = (leaf[-1][0], "True")  # nothing else can be left: no test
        return {"leaf": leaf}
    # Split where the expected weight is most even (an ordered split: the tests are m < pivot).
    weights = [HOT_WEIGHT.get(m.name, 0.25) for m in markers]
    total = sum(weights)
    cut = min(range(1, len(markers)), key=lambda i: abs(2 * sum(weights[:i]) - total))
    pivot = markers[cut].first
    return {"pivot": hx(pivot),
            "lo": _dispatch_tree(markers[:cut], lo, pivot - 1, leaf_size),
            "hi": _dispatch_tree(markers[cut:], pivot, hi, leaf_size)}


def _message_maps(spec: Spec) -> dict[str, list[tuple[str, str]]]:
    """Request message name -> its map fields that have well-known keys: [(field, table)]."""
    out: dict[str, list[tuple[str, str]]] = {}
    for m in spec.messages:
        if m.direction != "request":
            continue
        pairs = sorted({(f.name, f.keys) for f in m.all_fields if f.keys})
        if pairs:
            out.setdefault(m.name, [])
            out[m.name] += [p for p in pairs if p not in out[m.name]]
    return out


def _key_xor(spec: Spec) -> tuple:
    """The tiny string marker and its span, checked fit for the decoder's XOR test of map keys."""
    tiny = next(m for m in spec.markers if m.kind == "string" and m.size == "nibble")
    span = tiny.last - tiny.first + 1
    if span & (span - 1) or tiny.first % span:
        raise ValueError("the fast decoder needs the tiny string markers to be an aligned "
                         "power-of-two span")
    return tiny, span


def hx(n: int) -> str:
    return f"0x{n:02X}"


def vtext(v: tuple[int, int]) -> str:
    return f"{v[0]}.{v[1]}"


def range_text(r: Range) -> str:
    if r.high is None:
        s = f"{vtext(r.low)}+"
    elif r.high == r.low:
        s = vtext(r.low)
    else:
        s = f"{vtext(r.low)}-{vtext(r.high)}"
    if r.patch:
        s += f" with patch {r.patch}"
    if r.without_patch:
        s += f" without patch {r.without_patch}"
    return s


def check_expr(t: TypeRef, var: str, depth: int = 0) -> str:
    """A Python expression that is true when ``var`` holds a value of type ``t``."""
    simple = {"Integer": "int", "Float": "float", "String": "str", "Bytes": "bytes",
              "Boolean": "bool", "List": "list", "Map": "dict"}
    if t.name == "Any":
        return "True"
    if t.name == "Null":
        expr = f"{var} is None"
    elif t.name in simple:
        expr = f"type({var}) is {simple[t.name]}"
        if t.item is not None and t.item.name != "Any":
            coll = var if t.name == "List" else f"{var}.values()"
            if t.item.item is None:
                # Items of one plain type: compare the set of their types, at C speed.
                only = f"_ONLY_{t.item.name}" + ("_OR_NULL" if t.item.nullable else "")
                if t.name == "List" and not t.item.nullable and t.item.name in simple:
                    # Most such lists (a node's labels) hold one item: test it directly, the
                    # set of types only for longer ones.
                    one = f"type({var}[0]) is {simple[t.item.name]}"
                    expr = (f"({expr} and (len({var}) < 2 and (not {var} or {one}) "
                            f"or {only}.issuperset(map(type, {coll}))))")
                else:
                    expr = f"({expr} and {only}.issuperset(map(type, {coll})))"
            else:
                y = f"_y{depth}"
                inner = check_expr(t.item, y, depth + 1)
                expr = f"({expr} and all({inner} for {y} in {coll}))"
    else:
        expr = f"type({var}) is _s.{t.name}"
    if t.nullable:
        expr = f"({var} is None or {expr})"
    return expr


_C_SIMPLE = {"Integer": "PyLong_CheckExact(%s)", "Float": "PyFloat_CheckExact(%s)",
             "String": "PyUnicode_CheckExact(%s)", "Bytes": "PyBytes_CheckExact(%s)",
             "Boolean": "PyBool_Check(%s)", "List": "PyList_CheckExact(%s)",
             "Map": "PyDict_CheckExact(%s)"}


def _c_mangle(t: TypeRef) -> str:
    return str(t).replace("?", "_or_null").replace("<", "_of_").replace(">", "")


def c_check_expr(t: TypeRef, var: str, helpers: dict[str, tuple[str, str]]) -> str:
    """The C twin of ``check_expr``: a C expression true when ``var`` holds a ``t``.

    Typed lists and maps call a helper that checks every item; ``helpers`` collects them
    (name -> (container kind, item check on ``y``)), inner helpers before outer ones.
    """
    if t.name == "Any":
        return "1"
    if t.name == "Null":
        expr = f"{var} == Py_None"
    elif t.name in _C_SIMPLE:
        expr = _C_SIMPLE[t.name] % var
        if t.item is not None and t.item.name != "Any":
            inner = c_check_expr(t.item, "y", helpers)
            name = f"chk_{t.name}_of_{_c_mangle(t.item)}"
            helpers.setdefault(name, (t.name, inner))
            expr = f"({expr} && {name}({var}))"
    else:
        expr = f"Py_IS_TYPE({var}, cls_{t.name})"
    if t.nullable:
        expr = f"({var} == Py_None || {expr})"
    return expr


def _c_checks(spec: Spec) -> tuple[dict, dict[str, tuple[str, str]]]:
    """C field checks of every structure layout: {(name, layout index): [expr per field]}."""
    helpers: dict[str, tuple[str, str]] = {}
    checks = {}
    for s in spec.structures:
        for i, lay in enumerate(s.layouts):
            checks[s.name, i] = [c_check_expr(f.type, f"f[{j}]", helpers)
                                 for j, f in enumerate(lay.fields)]
    return checks, helpers


def _kind_table(spec: Spec) -> list[str]:
    """For each byte 0x00-0xFF the name of the marker it starts (or RESERVED)."""
    table = ["RESERVED"] * 256
    for m in spec.markers:
        for b in range(m.first, m.last + 1):
            table[b] = m.name
    return table


def legacy_reason(m: Marker) -> str:
    """The fast codec's error for a legacy PackStream v1 marker (spec legacy_markers)."""
    return (f"{m.name} (marker 0x{m.first:02X}) is a legacy PackStream v1 marker (a structure "
            f"with a {m.size}-byte field count) that Bolt does not use")


def negate(expr: str) -> str:
    """The negation of a check_expr() expression, in the form ruff prefers."""
    if expr.startswith("type(") and expr.count(" is ") == 1 and " and " not in expr:
        return expr.replace(" is ", " is not ")
    return f"not {expr}" if expr.startswith("(") else f"not ({expr})"


def _layout_doc(s: Structure) -> list[str]:
    out = []
    for lay in s.layouts:
        vers = ", ".join(range_text(r) for r in lay.ranges)
        names = ", ".join(f"{f.name}: {f.type}" for f in lay.fields) or "no fields"
        out.append(f"Bolt {vers}: {names}")
    return out


def _defaults(s: Structure) -> list[tuple[Field, str | None]]:
    """Constructor parameters: (field, default expression or None for required)."""
    out: list[tuple[Field, str | None]] = []
    optional_seen = False
    for f in s.all_fields:
        if not s.required(f.name) or optional_seen:
            optional_seen = True
            out.append((f, "None"))
        else:
            out.append((f, None))
    return out


def _struct_sets(spec: Spec) -> tuple[list[list[tuple[Structure, Layout]]], dict[str, int]]:
    """Distinct structure tables (tag -> layout) and which profile uses which."""
    sets: list[list[tuple[Structure, Layout]]] = []
    keys: list[tuple] = []
    by_profile: dict[str, int] = {}
    for p in spec.profiles:
        entries = []
        for s in spec.structures:
            lay = layout_for(s, p.version, p.patches)
            if lay is not None:
                entries.append((s, lay))
        key = tuple((s.name, id(lay)) for s, lay in entries)
        if key not in keys:
            keys.append(key)
            sets.append(entries)
        by_profile[p.key] = keys.index(key)
    return sets, by_profile


def _message_tables(spec: Spec) -> tuple[list[dict], dict[str, int]]:
    """Distinct per-version message tables, each {direction: [(message, layout)]}."""
    tables: list[dict] = []
    keys: list[tuple] = []
    by_version: dict[str, int] = {}
    for v in spec.versions:
        table: dict[str, list[tuple[Message, Layout]]] = {"request": [], "response": []}
        for m in spec.messages:
            lay = layout_for(m, v, frozenset())
            if lay is not None:
                table[m.direction].append((m, lay))
        key = tuple((m.name, id(lay)) for d in ("request", "response") for m, lay in table[d])
        if key not in keys:
            keys.append(key)
            tables.append(table)
        by_version[vtext(v)] = keys.index(key)
    return tables, by_version


def _size_forms(spec: Spec, kind: str) -> list[Marker]:
    """Markers of one sized kind, smallest form first (nibble, then 1, 2, 4 byte sizes)."""
    ms = [m for m in spec.markers if m.kind == kind]
    return sorted(ms, key=lambda m: 0 if m.size == "nibble" else int(m.size))


def _state_tables(spec: Spec) -> tuple[list[tuple], dict[str, int]]:
    """Distinct per-version state tables: (machine, sorted transitions)."""
    tables: list[tuple] = []
    keys: list[tuple] = []
    by_version: dict[str, int] = {}
    for v in spec.versions:
        machine, transitions = transitions_for(spec, v)
        transitions = sorted(transitions, key=lambda t: (list(machine.states).index(t.state), t.message))
        key = (id(machine), tuple(id(t) for t in transitions))
        if key not in keys:
            keys.append(key)
            tables.append((machine, transitions))
        by_version[vtext(v)] = keys.index(key)
    return tables, by_version


_V_KIND = {"Null": "V_NULL", "Boolean": "V_BOOL", "Integer": "V_INT", "Float": "V_FLOAT",
           "String": "V_STR", "Bytes": "V_BYTES", "List": "V_LIST", "Map": "V_MAP"}


def _column_check(spec: Spec, t: TypeRef | None) -> tuple[str, int]:
    """What the column builder accepts for a field (or item) of type ``t``: a C mask of value
    kinds and the structure tag required (-1: any), top level only."""
    if t is None or t.name == "Any":
        return "V_ANY", -1
    tags = {s.name: s.tag for s in spec.structures}
    if t.name in tags:
        mask, tag = "B(V_STRUCT)", tags[t.name]
    else:
        mask, tag = f"B({_V_KIND[t.name]})", -1
    if t.nullable:
        mask += " | B(V_NULL)"
    return mask, tag


def _column_sets(spec: Spec) -> list[list[tuple[Structure, list[tuple]]]]:
    """The structure tables of the column builder, one per distinct structure set (as
    ``_struct_sets``): [(structure, [(field name, mask, tag, item mask, item tag)])]."""
    out = []
    for entries in _struct_sets(spec)[0]:
        table = []
        for s, lay in entries:
            fields = [(f.name, *_column_check(spec, f.type), *_column_check(spec, f.type.item))
                      for f in lay.fields]
            table.append((s, fields))
        out.append(table)
    return out


def context(spec: Spec, sources: list[str], inline_depth: int = DEFAULT_INLINE_DEPTH) -> dict:
    ranged = sorted((m for m in spec.markers if m.first != m.last and m.first < 0xC0),
                    key=lambda m: m.first)
    expect = 0
    for m in ranged:
        if m.first != expect:
            raise ValueError("the fast decoder needs the tiny markers to cover 0x00-0xBF contiguously")
        expect = m.last + 1
    tail = [m for m in spec.markers if m.first != m.last and m.first >= 0xC0]
    singles = sorted((m for m in spec.markers if m.first == m.last),
                     key=lambda m: HOT_ORDER.index(m.name) if m.name in HOT_ORDER else 99)
    # Markers that exist only in some versions: the profiles that allow each one.
    gated = {m.name: [p.key for p in spec.profiles if any(r.holds(p.version, p.patches) for r in m.ranges)]
             for m in spec.markers if m.ranges is not None}
    struct_sets, struct_set_of = _struct_sets(spec)
    msg_tables, msg_table_of = _message_tables(spec)
    c_checks, c_helpers = _c_checks(spec)
    int_forms = sorted((m for m in spec.markers if m.kind == "int"), key=lambda m: m.size)
    tiny_ints = [m for m in spec.markers if m.kind == "tiny_int"]
    return {
        "spec": spec,
        "sources": sources,
        "hx": hx,
        "vtext": vtext,
        "range_text": range_text,
        "versions_text": lambda s: ", ".join(range_text(r) for lay in s.layouts for r in lay.ranges),
        "check_expr": check_expr,
        "negate": negate,
        "layout_doc": _layout_doc,
        "defaults": _defaults,
        "ranged": ranged,
        "tail": tail,
        "singles": singles,
        # Decision trees over the markers from 0xC0 up: every one (the top of a value), and
        # the scalars only (an item inside a container, where containers recurse).
        "tree_all": _dispatch_tree(singles + tail, 0xC0, 0xFF),
        "tree_scalars": _dispatch_tree([m for m in singles + tail
                                        if m.kind not in ("list", "map", "struct")], 0xC0, 0xFF),
        "gated": gated,
        "fixed_markers": [m for m in spec.markers if m.kind == "fixed"],
        "marker_versions": lambda m: ", ".join(range_text(r) for r in m.ranges) if m.ranges else "",
        "string_markers": [m for m in spec.markers if m.kind == "string"],
        "marker": {m.name: m for m in spec.markers},
        "forms": {k: _size_forms(spec, k) for k in ("string", "bytes", "list", "map")},
        "int_forms": int_forms,
        "default_max_depth": DEFAULT_MAX_DEPTH,
        "inline_depth": inline_depth,
        "default_max_decoded_values": DEFAULT_MAX_DECODED_VALUES,
        "message_maps": _message_maps(spec),
        "key_xor": _key_xor(spec),
        "xor": lambda a, b: a ^ b,
        "field_targets": lambda n: ", ".join(f"f{i}" for i in range(n)) + ("," if n == 1 else ""),
        "nibble_count": max(m.last - m.first for m in spec.markers if m.size == "nibble") + 1,
        "tiny_pos": next(m for m in tiny_ints if m.first == 0),
        "tiny_neg": next(m for m in tiny_ints if m.first != 0),
        "struct_marker": next(m for m in spec.markers if m.kind == "struct"),
        "struct_sets": struct_sets,
        "struct_set_of": struct_set_of,
        "msg_tables": msg_tables,
        "msg_table_of": msg_table_of,
        "profiles": spec.profiles,
        "state_tables": _state_tables(spec)[0],
        "state_table_of": _state_tables(spec)[1],
        "Profile": Profile,
        "c_checks": c_checks,
        "c_helpers": c_helpers,
        "kind_table": _kind_table(spec),
        "legacy_markers": spec.legacy_markers,
        "legacy_reason": legacy_reason,
        "c_marker_versions": {m.name: ", ".join(range_text(r) for r in m.ranges)
                              for m in spec.markers if m.ranges is not None},
        "digest_placeholder": DIGEST_PLACEHOLDER,
        "column_sets": _column_sets(spec),
        # Key tables with a secret key: message fields typed by them are redacted in reprs.
        "secret_maps": sorted(name for name, keys in spec.maps.items() if any(k.secret for k in keys)),
    }


def environment() -> jinja2.Environment:
    """The jinja environment every generated file is rendered with."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def tidy(text: str) -> str:
    """Trailing whitespace removed from every line and one final newline: stable, ruff clean."""
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def render_extra(spec: Spec, sources: list[str]) -> dict[str, dict[str, str]]:
    """The files of :data:`EXTRA_OUTPUTS`: ``{directory: {file name: text}}``, each text
    :func:`tidy` as every generated file is."""
    env = environment()
    ctx = context(spec, sources)
    return {directory: {name: tidy(text) for name, text in produce(spec, env, ctx).items()}
            for directory, produce in EXTRA_OUTPUTS.items()}


def render(spec: Spec, sources: list[str],
           inline_depth: int = DEFAULT_INLINE_DEPTH) -> dict[str, str]:
    """The generated files by name. ``inline_depth``: levels of tiny lists and maps the fast
    pure-Python decoder decodes inside a container's loop instead of recursing (0: none); it
    changes codec.py's size and speed only, never what it decodes or refuses, nor the C source.
    """
    if inline_depth < 0:
        raise ValueError(f"inline_depth must be 0 or more, not {inline_depth}")
    env = environment()
    ctx = context(spec, sources, inline_depth)

    def one(template: str, name: str, **extra: str) -> str:
        return tidy(env.get_template(template).render(**ctx, module=name, **extra))

    # The C accelerator carries a digest of its own source, and codec.py the digest it expects:
    # a stale build (the spec regenerated, the extension not rebuilt) is then detected at import
    # and the pure-Python codec is used instead of a C module that disagrees with the tables.
    c_text = one(OUTPUTS["_accel.c"], "_accel.c")
    digest = hashlib.sha256(c_text.encode()).hexdigest()[:16]
    # The column builder likewise (columns.py holds the digest it expects).
    col_text = one(OUTPUTS["_columns.c"], "_columns.c")
    col_digest = hashlib.sha256(col_text.encode()).hexdigest()[:16]
    out = {}
    for name, template in OUTPUTS.items():
        if name == "_accel.c":
            out[name] = c_text.replace(DIGEST_PLACEHOLDER, digest)
        elif name == "_columns.c":
            out[name] = col_text.replace(DIGEST_PLACEHOLDER, col_digest)
        else:
            out[name] = one(template, name, accel_digest=digest, columns_digest=col_digest)
    return out
