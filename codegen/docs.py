"""The protocol reference of the documentation site (docs/protocol/), generated from the spec.

One page per Bolt version (its messages with their fields, the well-known keys of each map with
their version ranges, the structures, the handshake facts, the features that hold, its state
machine drawn with Graphviz), one "what changed" page per version (computed by comparing the
facts of a version with those of the one before it) and one page per state table of the spec.
Nothing here is written by hand about a version: change a range in spec/ and the pages follow.

Registered in :data:`codegen.render.EXTRA_OUTPUTS` as ``docs/protocol``. It uses the helpers of
the shared template context (``vtext``, ``range_text``, ``hx``), never ``codegen.render`` itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import jinja2

from .spec import (
    Field,
    Layout,
    MapKey,
    Range,
    Spec,
    StateMachine,
    Transition,
    layout_for,
    transitions_for,
)

Version = tuple[int, int]
Snapshot = dict[str, dict[str, str]]

#: The kinds of facts a "what changed" page compares, in the order it shows them.
CATEGORIES = [
    ("handshake", "Handshake and negotiation"),
    ("features", "Features"),
    ("messages", "Messages"),
    ("keys", "Well-known map keys"),
    ("structures", "Structures"),
    ("markers", "PackStream markers"),
    ("transitions", "State machine"),
]
#: An edge (same request, outcome and target) leaving at least this many states is drawn once.
SHARED_EDGE_MIN = 4
CODE_CATEGORIES = {"messages", "keys", "structures", "markers"}


def _md(text: str) -> str:
    """Spec prose made safe inside a Markdown table cell or paragraph (no raw HTML, no pipes)."""
    text = " ".join(str(text).split())
    return re.sub(r"([\\`*<>|\[\]])", r"\\\1", text)


def _code(text: str) -> str:
    return f"`{text}`"


def _holds(ranges: Iterable[Range], v: Version, patches: frozenset[str] = frozenset()) -> bool:
    return any(r.holds(v, patches) for r in ranges)


def _patch_sets(spec: Spec, v: Version) -> list[frozenset[str]]:
    return [p.patches for p in spec.profiles if p.version == v]


def _fields_text(fields: list[Field]) -> str:
    return ", ".join(f"{f.name}: {f.type}" + (f"<{f.keys}>" if f.keys and not f.type.item else "")
                     for f in fields)


def _signature(name: str, lay: Layout) -> str:
    text = f"{name}({_fields_text(lay.fields)}"
    if lay.optional_fields:
        text += (", " if lay.fields else "") + "[" + _fields_text(lay.optional_fields) + "]"
    return text + ")"


def _outcome(t: Transition) -> str:
    if t.close:
        return "no reply, the server closes the connection"
    if t.ignored:
        return "IGNORED, state unchanged"
    parts = [f"SUCCESS → {t.success}"]
    if t.has_more:
        parts.append(f"SUCCESS has_more → {t.has_more}")
    if t.failure:
        parts.append(f"FAILURE → {t.failure}")
    return ", ".join(parts)


class _Helpers:
    """The spec queries every page needs, with the context's formatting helpers."""

    def __init__(self, spec: Spec, ctx: dict) -> None:
        self.spec = spec
        self.vtext: Callable[[Version], str] = ctx["vtext"]
        self.range_text: Callable[[Range], str] = ctx["range_text"]
        self.hx: Callable[[int], str] = ctx["hx"]

    def runs(self, held: list[Version]) -> str:
        """Versions (of the spec's list) written as ranges: ``3.0-4.4, 5.1+``."""
        order = self.spec.versions
        out: list[list[Version]] = []
        run: list[Version] = []
        for v in order:
            if v in held:
                run.append(v)
                continue
            if run:
                out.append(run)
                run = []
        if run:
            out.append(run)
        texts = []
        for r in out:
            if r[-1] == order[-1]:
                texts.append(f"{self.vtext(r[0])}+")
            elif r[0] == r[-1]:
                texts.append(self.vtext(r[0]))
            else:
                texts.append(f"{self.vtext(r[0])}-{self.vtext(r[-1])}")
        return ", ".join(texts) or "none"

    def key_range(self, k: MapKey) -> str:
        return ", ".join(self.range_text(r) for r in k.ranges)

    def machine_of(self, v: Version) -> tuple[int, StateMachine, list[Transition]]:
        machine, transitions = transitions_for(self.spec, v)
        states = list(machine.states)
        transitions = sorted(transitions, key=lambda t: (states.index(t.state), t.message))
        return self.spec.machines.index(machine), machine, transitions

    # --- one version's facts -------------------------------------------------------------

    def version_page(self, v: Version) -> dict[str, Any]:
        spec = self.spec
        info = spec.version_info[v]
        patch_sets = _patch_sets(spec, v)
        messages = []
        for direction in ("request", "response"):
            for m in spec.messages:
                lay = layout_for(m, v, frozenset())
                if lay is None or m.direction != direction:
                    continue
                messages.append({"name": m.name, "signature": self.hx(m.signature), "direction": direction,
                                 "line": _signature(m.name, lay), "doc": _md(m.doc),
                                 "summary": m.summary,
                                 "fields": [{"name": f.name, "type": str(f.type), "keys": f.keys, "doc": _md(f.doc)}
                                            for f in lay.fields + lay.optional_fields],
                                 "optional": [f.name for f in lay.optional_fields]})
        users: dict[str, list[str]] = {}
        for m in spec.messages:
            lay = layout_for(m, v, frozenset())
            for f in (lay.fields + lay.optional_fields) if lay else []:
                if f.keys:
                    users.setdefault(f.keys, []).append(f"{m.name}.{f.name}")
        for table, keys in spec.maps.items():
            for k in keys:
                if k.keys:
                    users.setdefault(k.keys, []).append(f"{table}.{k.key}")
        maps = []
        for table, keys in spec.maps.items():
            held = [{"key": k.key, "type": str(k.type), "versions": self.key_range(k), "doc": _md(k.doc),
                     "secret": k.secret, "keys": k.keys, "values": k.values}
                    for k in keys if any(_holds(k.ranges, v, p) for p in patch_sets)]
            if held:
                maps.append({"name": table, "keys": held, "used_by": users.get(table, [])})
        structures = []
        for s in sorted(spec.structures, key=lambda s: s.tag):
            lay = layout_for(s, v, frozenset())
            if lay is None:
                continue
            structures.append({"name": s.name, "tag": self.hx(s.tag), "char": chr(s.tag), "doc": _md(s.doc),
                               "line": _signature(s.name, lay), "direction": s.direction,
                               "fields": [{"name": f.name, "type": str(f.type), "doc": _md(f.doc)} for f in lay.fields]})
        patched = []
        for p in patch_sets:
            if not p:
                continue
            changed = []
            for s in sorted(spec.structures, key=lambda s: s.tag):
                base, lay = layout_for(s, v, frozenset()), layout_for(s, v, p)
                if base is not lay:
                    changed.append({"name": s.name, "tag": self.hx(s.tag),
                                    "line": _signature(s.name, lay) if lay else None})
            patched.append({"name": "+".join(sorted(p)),
                            "doc": _md(" ".join(spec.patch_docs.get(x, "") for x in sorted(p)).strip().rstrip(".")),
                            "structures": changed})
        index, machine, transitions = self.machine_of(v)
        return {
            "version": self.vtext(v),
            "info": info,
            "proposal": " ".join(f"{b:02X}" for b in (0, 0, v[1], v[0])),
            "features": [{"name": f.name, "doc": _md(f.doc), "range": self.range_text(f.range)}
                         for f in spec.features.values() if f.range.holds(v, frozenset())],
            "messages": messages,
            "maps": maps,
            "structures": structures,
            "patches": patched,
            "markers": [{"name": m.name, "byte": self.hx(m.first), "kind": m.kind,
                         "versions": ", ".join(self.range_text(r) for r in m.ranges or [])}
                        for m in spec.markers if m.ranges is not None and _holds(m.ranges, v)],
            "machine_index": index,
            "machine_first": self.vtext(self._machine_versions(machine)[0]),
            "machine_versions": self.runs(self._machine_versions(machine)),
            "initial": machine.initial,
            "transitions": [{"state": t.state, "message": t.message, "outcome": _outcome(t)} for t in transitions],
            "graph": self.graph(machine, [(t, "") for t in transitions], only_used=True),
        }

    def _machine_versions(self, machine: StateMachine) -> list[Version]:
        return [v for v in self.spec.versions if _holds(machine.ranges, v)]

    # --- snapshots and their differences ---------------------------------------------------

    def snapshot(self, v: Version) -> Snapshot:
        """Every fact of a version that a "what changed" page compares, as ``{category: {item:
        description}}``: an item only in the newer snapshot was added, only in the older one
        removed, in both with another description changed."""
        spec = self.spec
        info = spec.version_info[v]
        patch_sets = _patch_sets(spec, v)
        snap: Snapshot = {name: {} for name, _ in CATEGORIES}
        snap["handshake"]["negotiable"] = "yes" if info["negotiable"] else "no (never chosen by a server)"
        snap["handshake"]["reached only through the manifest"] = "yes" if info["manifest_only"] else "no"
        for p in patch_sets:
            if p:
                snap["handshake"][f"patch {'+'.join(sorted(p))}"] = "available"
        for f in spec.features.values():
            if f.range.holds(v, frozenset()):
                snap["features"][f.name] = f.doc
        for m in spec.messages:
            lay = layout_for(m, v, frozenset())
            if lay is not None:
                snap["messages"][m.name] = f"{_signature(m.name, lay)}, {m.direction} {self.hx(m.signature)}"
        for table, keys in spec.maps.items():
            for k in keys:
                held = [p for p in patch_sets if _holds(k.ranges, v, p)]
                if held:
                    snap["keys"][f"{table}.{k.key}"] = str(k.type) + ("" if frozenset() in held else
                                                                     " (with patch " + "+".join(sorted(held[0])) + ")")
        for p in patch_sets:
            suffix = f" with patch {'+'.join(sorted(p))}" if p else ""
            for s in spec.structures:
                lay = layout_for(s, v, p)
                if lay is not None and (not p or lay is not layout_for(s, v, frozenset())):
                    snap["structures"][s.name + suffix] = f"{_signature(s.name, lay)}, tag {self.hx(s.tag)}"
        for mk in spec.markers:
            if mk.ranges is not None and _holds(mk.ranges, v):
                snap["markers"][mk.name] = f"{self.hx(mk.first)} ({mk.kind})"
        _, machine, transitions = self.machine_of(v)
        snap["transitions"]["initial state"] = machine.initial
        for t in transitions:
            snap["transitions"][f"{t.message} in {t.state}"] = _outcome(t)
        return snap

    def changes(self, old: Snapshot | None, new: Snapshot) -> list[dict[str, Any]]:
        out = []
        for cat, title in CATEGORIES:
            before = old[cat] if old is not None else {}
            after = new[cat]
            added = [(k, after[k]) for k in after if k not in before]
            removed = [(k, before[k]) for k in before if k not in after]
            changed = [(k, before[k], after[k]) for k in after if k in before and before[k] != after[k]]
            if added or removed or changed:
                # Signatures and types read as code; prose (features, outcomes) as text.
                show = _code if cat in CODE_CATEGORIES else _md
                out.append({"title": title, "added": added, "removed": removed, "changed": changed,
                            "show": show})
        return out

    # --- state machines ------------------------------------------------------------------

    def graph(self, machine: StateMachine, transitions: list[tuple[Transition, str]],
              only_used: bool = False) -> str:
        """Graphviz DOT of a state table: one edge per (from, to, outcome) with its messages
        (each followed by its versions where it holds in fewer than the whole table's).
        ``only_used``: leave out the states no transition touches (one version's picture)."""
        edges: dict[tuple[str, str, str], list[str]] = {}

        def add(a: str, b: str, kind: str, label: str) -> None:
            edges.setdefault((a, b, kind), []).append(label)

        for t, when in transitions:
            label = t.message + (f" ({when})" if when else "")
            if t.close:
                add(t.state, "closed", "close", label)
            elif t.ignored:
                add(t.state, t.state, "ignored", label)
            else:
                assert t.success is not None
                add(t.state, t.success, "success", label)
                if t.has_more:
                    add(t.state, t.has_more, "has_more", label)
                if t.failure:
                    add(t.state, t.failure, "failure", label)
        # An edge that leaves many states alike (RESET, GOODBYE) is drawn once, from one node
        # standing for those states, so that the picture stays readable.
        groups: dict[tuple[str, str, str], list[str]] = {}
        for (a, b, kind), labels in edges.items():
            groups.setdefault((b, kind, "\\n".join(labels)), []).append(a)
        used = {machine.initial} | {a for a, _, _ in edges} | {b for _, b, _ in edges}
        states = {n: attrs for n, attrs in machine.states.items() if n in used or not only_used}
        live = [n for n, attrs in states.items() if not attrs.get("terminal")]
        shared: dict[tuple[str, ...], str] = {}
        drawn: list[tuple[str, str, str, str]] = []
        for (b, kind, text), sources in groups.items():
            if len(sources) >= SHARED_EDGE_MIN:
                key = tuple(sources)
                node = shared.setdefault(key, f"from_{len(shared) + 1}")
                drawn.append((node, b, kind, text))
            else:
                drawn += [(a, b, kind, text) for a in sources]
        lines = ["digraph states {", "  rankdir=TB;",
                 '  node [shape=box, style="rounded", fontname="Helvetica", fontsize=11];',
                 '  edge [fontname="Helvetica", fontsize=9];',
                 '  start [shape=point, width=0.15];',
                 f"  start -> {machine.initial};"]
        for name, attrs in states.items():
            extra = ', style="rounded,filled", fillcolor="#eeeeee"' if attrs.get("terminal") else ""
            lines.append(f'  {name} [label="{name}"{extra}];')
        for key, node in shared.items():
            others = [n for n in live if n not in key]
            if not others:
                label = "every state"
            elif len(others) < len(key):
                label = "every state but " + ", ".join(others)
            else:
                label = "any of " + ", ".join(key)
            lines.append(f'  {node} [label="{label}", shape=note, style=dashed, fontsize=9];')
        if any(kind == "close" for _, _, kind, _ in drawn):
            lines.append('  closed [shape=doublecircle, label="closed", width=0.3, fontsize=9];')
        style = {"success": 'color="#1a7f37"', "has_more": 'color="#1a7f37", style=bold',
                 "failure": 'color="#cf222e", style=dashed', "ignored": 'color="#888888", style=dotted',
                 "close": 'color="#555555"'}
        prefix = {"success": "", "has_more": "has_more: ", "failure": "FAILURE: ", "ignored": "IGNORED: ",
                  "close": ""}
        for a, b, kind, text in drawn:
            lines.append(f'  {a} -> {b} [label="{prefix[kind]}{text}", {style[kind]}];')
        for name, attrs in states.items():
            if attrs.get("on_violation"):
                lines.append(f'  {name} -> {attrs["on_violation"]} [label="any other request", '
                             'color="#cf222e", style=dashed, fontcolor="#cf222e"];')
        lines.append("}")
        return "\n".join(lines)

    def machine_page(self, index: int, machine: StateMachine) -> dict[str, Any]:
        own = self._machine_versions(machine)
        by_name = {m.name: m for m in self.spec.messages}
        states = list(machine.states)
        rows = []
        for t in sorted(machine.transitions, key=lambda t: (states.index(t.state), t.message)):
            held = [v for v in own if _holds(t.ranges, v) and layout_for(by_name[t.message], v, frozenset())]
            if held:
                rows.append((t, "" if held == own else self.runs(held)))
        return {
            "index": index,
            "first": self.vtext(own[0]),
            "versions": self.runs(own),
            "initial": machine.initial,
            "states": [{"name": n, "on_violation": a.get("on_violation"), "terminal": bool(a.get("terminal")),
                        "unauthenticated": bool(a.get("unauthenticated"))} for n, a in machine.states.items()],
            "transitions": [{"state": t.state, "message": t.message, "versions": when or self.runs(own),
                             "outcome": _outcome(t)} for t, when in rows],
            "graph": self.graph(machine, rows),
        }


def produce(spec: Spec, env: jinja2.Environment, ctx: dict) -> dict[str, str]:
    """``{file name: text}`` of docs/protocol/: index.md, bolt-X.Y.md, changes-X.Y.md, states-X.Y.md."""
    h = _Helpers(spec, ctx)
    versions = [h.vtext(v) for v in spec.versions]
    machines = [h.machine_page(i, m) for i, m in enumerate(spec.machines)]
    common = {"versions": versions, "machines": machines, "sources": ctx["sources"]}
    out: dict[str, str] = {}

    def page(name: str, template: str, **values: Any) -> None:
        out[name] = _tidy(env.get_template(f"docs/{template}").render(**common, **values))

    features = [{"name": f.name, "range": h.range_text(f.range), "source": f.source, "doc": _md(f.doc)}
                for f in spec.features.values()]
    maps = [{"name": table, "keys": [{"key": k.key, "type": str(k.type), "versions": h.key_range(k),
                                      "doc": _md(k.doc)} for k in keys]}
            for table, keys in spec.maps.items()]
    rows = [{"version": h.vtext(v), "info": spec.version_info[v],
             "messages": sum(1 for m in spec.messages if layout_for(m, v, frozenset()))}
            for v in spec.versions]
    page("index.md", "index.md.j2", rows=rows, features=features, maps=maps)
    previous: Snapshot | None = None
    for i, v in enumerate(spec.versions):
        snap = h.snapshot(v)
        page(f"bolt-{h.vtext(v)}.md", "version.md.j2", page=h.version_page(v),
             previous=versions[i - 1] if i else None, next=versions[i + 1] if i + 1 < len(versions) else None)
        page(f"changes-{h.vtext(v)}.md", "changes.md.j2", version=h.vtext(v),
             previous=versions[i - 1] if i else None, changes=h.changes(previous, snap))
        previous = snap
    for m in machines:
        page(f"states-{m['first']}.md", "states.md.j2", machine=m)
    return out


def _tidy(text: str) -> str:
    """At most one blank line in a row (Markdown's paragraphs; render.tidy then strips trailing
    whitespace and ends the page with one newline)."""
    out: list[str] = []
    for line in text.splitlines():
        if line.strip() or (out and out[-1].strip()):
            out.append(line)
    return "\n".join(out)
