"""README's "API reference" is held to the code, so that it cannot rot (issue #18: "README API
section written as reference: every public name, its parameters and errors").

The section's conventions (stated at its top):

- an entry per public name: a ``#### `name``` heading (``client.Result`` where the short name
  means something else) or a row of a table whose first column is **Name**;
- the first paragraph under a heading holds the complete signature (``await f(...)`` for
  coroutine functions) or says "Made by ..." for objects users get rather than make;
- **Member** tables list every public method and property of the entry's class, with complete
  signatures; **Parameter** tables name only parameters of the entry's signature;
- **Raises** cells and ``Raises:`` lines name only exception classes (``asyncbolt.errors``' or
  Python's own).

The public names are the ``__all__`` of ``asyncbolt``, ``asyncbolt.client``,
``asyncbolt.server`` and ``asyncbolt.testing``. A name added to one of them, a parameter added to
or removed from a documented signature, a default changed, a method added: each fails here until
README says it."""

from __future__ import annotations

import ast
import builtins
import enum
import importlib
import inspect
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from asyncbolt import errors

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
MODULES = ("asyncbolt", "asyncbolt.client", "asyncbolt.server", "asyncbolt.testing")

#: Classes users subclass rather than call: their hooks may be plain functions or coroutines.
SUBCLASSED = {"ServerSession"}
#: Classes that may be documented by a Name row alone (no member table): the 2017 seed's client,
#: kept working but not asyncbolt's API to grow.
SEED = {"ClientSession", "ClientResponse"}

SPAN = re.compile(r"`([^`]+)`")
CALL = re.compile(r"^(?:await\s+)?([\w.]+)\((.*)\)$", re.S)


def section() -> str:
    start = README.index("\n## API reference\n")
    end = README.find("\n## ", start + 1)
    return README[start:end if end != -1 else len(README)]


def resolve(name: str) -> Any:
    """The object a documented name stands for (``client.Result``: asyncbolt.client's)."""
    parts = name.split(".")
    if parts[0] == "asyncbolt":
        parts = parts[1:]
    if len(parts) == 1:
        for module in MODULES:
            mod = importlib.import_module(module)
            if parts[0] in getattr(mod, "__all__", ()):
                return getattr(mod, parts[0])
        raise LookupError(name)
    mod = importlib.import_module("asyncbolt." + parts[0])
    obj: Any = mod
    for part in parts[1:]:
        obj = getattr(obj, part)
    return obj


def public_names() -> list[tuple[str, str, Any]]:
    out = []
    for module in MODULES:
        mod = importlib.import_module(module)
        out.extend((module, name, getattr(mod, name)) for name in mod.__all__)
    return out


def members(cls: type) -> set[str]:
    """The public attributes a class defines (itself or asyncbolt classes it derives from)."""
    names: set[str] = set()
    for klass in cls.__mro__:
        if klass.__module__.startswith("asyncbolt"):
            names.update(n for n in vars(klass) if not n.startswith("_"))
    if issubclass(cls, enum.Enum):
        names.update(cls.__members__)
    return names


def split_params(text: str) -> list[str]:
    """Top-level comma-separated pieces of a parameter list (a ``<described>`` default is one)."""
    text = re.sub(r"<[^<>]*>", "<described>", text)
    pieces, depth, quote, current = [], 0, "", ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "([{<":
            depth += 1
        elif ch in ")]}>":
            depth -= 1
        elif ch == "," and depth == 0:
            pieces.append(current.strip())
            current = ""
            continue
        current += ch
    if current.strip():
        pieces.append(current.strip())
    return pieces


@dataclass
class Param:
    name: str
    kind: str  # "", "*", "**"
    default: str | None


def parse_params(text: str) -> list[Param]:
    out = []
    for piece in split_params(text):
        if piece in ("*", "/"):
            continue
        kind = "**" if piece.startswith("**") else "*" if piece.startswith("*") else ""
        piece = piece[len(kind):]
        name, _, default = piece.partition("=")
        out.append(Param(name.strip(), kind, default.strip() or None))
    return out


@dataclass
class Entry:
    name: str
    line: int
    text: list[str] = field(default_factory=list)


@dataclass
class Reference:
    entries: dict[str, Entry]
    named: dict[str, int]  # documented by a Name row: name -> line
    signatures: list[tuple[int, str, Any, str]]  # (line, owner, callable, span)
    members: dict[str, set[str]]  # entry -> member names documented
    parameters: list[tuple[int, str, str]]  # (line, entry, parameter)
    raises: list[tuple[int, str]]  # (line, exception name)


def rows(lines: list[str], start: int) -> tuple[list[str], list[list[str]], int]:
    """The table starting at ``lines[start]``: header cells, rows, the index after it."""
    def cells(line: str) -> list[str]:
        return [c.strip() for c in line.strip().strip("|").split("|")]
    header = cells(lines[start])
    body, i = [], start + 2
    while i < len(lines) and lines[i].startswith("|"):
        body.append(cells(lines[i]))
        i += 1
    return header, body, i


def parse() -> Reference:
    text = section()
    base = README[:README.index(text)].count("\n") + 1
    lines = text.split("\n")
    ref = Reference({}, {}, [], {}, [], [])
    entry: Entry | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        number = base + i
        heading = re.match(r"^(#{3,4}) (.*)$", line)
        if heading:
            m = re.fullmatch(r"`([\w.]+)`", heading.group(2))
            entry = Entry(m.group(1), number) if m and heading.group(1) == "####" else None
            if entry is not None:
                assert entry.name not in ref.entries, f"README.md:{number}: {entry.name} twice"
                ref.entries[entry.name] = entry
                ref.members.setdefault(entry.name, set())
            i += 1
            continue
        if line.startswith("|") and i + 1 < len(lines) and lines[i + 1].startswith("| :"):
            header, body, after = rows(lines, i)
            first = header[0].strip("*")
            raises_col = [k for k, h in enumerate(header) if h.strip("*") == "Raises"]
            for k, cells in enumerate(body):
                row_line = number + 2 + k
                spans = SPAN.findall(cells[0])
                for col in raises_col:
                    ref.raises.extend((row_line, s) for s in SPAN.findall(cells[col]))
                if first == "Name":
                    for span in spans:
                        m = CALL.match(span)
                        name = m.group(1) if m else span
                        ref.named[name] = row_line
                        if m:
                            ref.signatures.append((row_line, "", resolve(name), span))
                elif first == "Member":
                    assert entry is not None, f"README.md:{row_line}: a Member table outside an entry"
                    for span in spans:
                        m = CALL.match(span)
                        name = m.group(1) if m else span
                        ref.members[entry.name].add(name)
                        if m:
                            ref.signatures.append((row_line, entry.name, name, span))
                elif first == "Parameter":
                    assert entry is not None, f"README.md:{row_line}: a Parameter table outside an entry"
                    ref.parameters.extend((row_line, entry.name, s) for s in spans)
            i = after
            continue
        if entry is not None:
            entry.text.append(line)
        if line.startswith("Raises:") or " Raises: " in line:
            tail = line[line.index("Raises:"):]
            j = i + 1
            while j < len(lines) and lines[j].strip() and not lines[j].startswith(("|", "#")):
                tail += " " + lines[j]
                j += 1
            ref.raises.extend((number, s) for s in SPAN.findall(tail))
        i += 1
    return ref


REF = parse()


def first_paragraph(entry: Entry) -> str:
    return "\n".join(entry.text).strip().split("\n\n")[0]


def real_signature(obj: Any) -> inspect.Signature:
    sig = inspect.signature(obj)
    params = [p for name, p in sig.parameters.items() if name not in ("self", "cls")]
    return sig.replace(parameters=params)


def compare(where: str, span: str, obj: Any, subclassed: bool = False) -> list[str]:
    """What is wrong with the documented signature ``span`` of ``obj``."""
    m = CALL.match(span)
    assert m, span
    problems = []
    awaited = span.startswith("await ")
    if inspect.isfunction(obj) or inspect.ismethod(obj):
        if awaited != inspect.iscoroutinefunction(obj) and not subclassed:
            problems.append(f"{where}: `{span[:40]}...` should {'' if not awaited else 'not '}be written with await")
    try:
        sig = real_signature(obj)
    except (TypeError, ValueError):
        return [f"{where}: {m.group(1)} has no signature to document"]
    documented = parse_params(m.group(2))
    kinds = {inspect.Parameter.VAR_POSITIONAL: "*", inspect.Parameter.VAR_KEYWORD: "**"}
    real = {name: (kinds.get(p.kind, ""), p.default) for name, p in sig.parameters.items()}
    names = [p.name for p in documented]
    for p in documented:
        if p.name not in real:
            problems.append(f"{where}: {m.group(1)} has no parameter {p.name!r}")
            continue
        kind, default = real[p.name]
        if p.kind != kind:
            problems.append(f"{where}: {m.group(1)}'s {p.name!r} is {kind or 'a plain parameter'}")
        if (p.default is None) != (default is inspect.Parameter.empty) and not kind:
            problems.append(f"{where}: {m.group(1)}'s {p.name!r} "
                            + ("has a default" if p.default is None else "has no default"))
        elif p.default is not None:
            try:
                value = ast.literal_eval(p.default)
            except (ValueError, SyntaxError):
                continue  # <described>, a name: not compared
            if value != default:
                problems.append(f"{where}: {m.group(1)}'s {p.name!r} defaults to {default!r}, not {p.default}")
    problems.extend(f"{where}: {m.group(1)}'s parameter {name!r} is not documented"
                    for name in real if name not in names)
    return problems


# -------------------------------------------------------------------------------------------


def test_the_section_is_there_and_parsed() -> None:
    assert len(REF.entries) >= 25 and len(REF.named) >= 20
    assert "Driver" in REF.entries and "execute_query" in REF.members["Driver"]


@pytest.mark.parametrize("module, name", [(m, n) for m, n, _ in public_names()],
                         ids=[f"{m}.{n}" for m, n, _ in public_names()])
def test_every_public_name_is_documented(module: str, name: str) -> None:
    obj = getattr(importlib.import_module(module), name)
    documented = [d for d in (*REF.entries, *REF.named) if d.split(".")[-1] == name]
    assert any(resolve(d) is obj for d in documented), (
        f"{module}.{name} is public (in __all__) but README's API reference does not document it: "
        f"add a `#### `{name}`` entry or a Name row (see the conventions at the top of the section)")


def test_documented_names_exist() -> None:
    for name, line in {**{n: e.line for n, e in REF.entries.items()}, **REF.named}.items():
        try:
            resolve(name)
        except (LookupError, AttributeError, ImportError):
            pytest.fail(f"README.md:{line}: {name} is documented but is no public name")


def test_classes_documented_by_a_row_alone_are_aliases_exceptions_or_the_seed() -> None:
    entry_objects = {id(resolve(n)) for n in REF.entries}
    for name, line in REF.named.items():
        obj = resolve(name)
        if (inspect.isclass(obj) and not issubclass(obj, BaseException) and id(obj) not in entry_objects
                and name.split(".")[-1] not in SEED):
            pytest.fail(f"README.md:{line}: the class {name} needs an entry of its own (#### heading, "
                        "signature and Member table), or to be an alias of a documented class")


@pytest.mark.parametrize("name", sorted(REF.entries))
def test_each_entry_has_its_signature_or_says_what_makes_it(name: str) -> None:
    entry = REF.entries[name]
    obj = resolve(name)
    if not callable(obj) or isinstance(obj, enum.EnumMeta):
        return
    short = name.split(".")[-1]
    paragraph = first_paragraph(entry)
    spans = [s for s in SPAN.findall(paragraph) if (m := CALL.match(s)) and m.group(1) == short]
    if not spans:
        assert inspect.isclass(obj) and "Made by" in paragraph, (
            f"README.md:{entry.line}: {name}'s entry starts with neither its signature "
            f"(`{short}(...)`) nor \"Made by ...\"")
        return
    problems = compare(f"README.md:{entry.line}", spans[0], obj, short in SUBCLASSED)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("name", sorted(n for n in REF.entries if inspect.isclass(resolve(n))))
def test_each_class_entry_lists_every_member(name: str) -> None:
    cls = resolve(name)
    missing = members(cls) - REF.members[name]
    assert not missing, (f"README.md:{REF.entries[name].line}: {name}'s Member table lacks "
                         f"{sorted(missing)}")
    unknown = {m for m in REF.members[name] if not hasattr(cls, m)}
    assert not unknown, f"README.md:{REF.entries[name].line}: {name} has no {sorted(unknown)}"


def test_member_and_row_signatures_match_the_code() -> None:
    problems = []
    for line, owner, target, span in REF.signatures:
        if owner:
            cls = resolve(owner)
            obj = getattr(cls, target, None)
            if obj is None:
                problems.append(f"README.md:{line}: {owner} has no {target}")
                continue
            problems += compare(f"README.md:{line}", span, obj, owner.split(".")[-1] in SUBCLASSED)
        else:
            problems += compare(f"README.md:{line}", span, target)
    assert problems == [], "\n".join(problems)


def test_parameter_tables_name_real_parameters() -> None:
    problems = []
    for line, name, param in REF.parameters:
        sig = real_signature(resolve(name))
        if param not in sig.parameters:
            problems.append(f"README.md:{line}: {name} has no parameter {param!r}")
    assert problems == [], "\n".join(problems)


def test_what_is_raised_is_an_exception_class() -> None:
    problems = []
    for line, span in REF.raises:
        if not re.fullmatch(r"[A-Z]\w*", span):
            continue  # a code, a call, a value: not a class name
        cls = getattr(errors, span, None) or getattr(builtins, span, None)
        if not (isinstance(cls, type) and issubclass(cls, BaseException)):
            problems.append(f"README.md:{line}: {span} is named as raised but is no exception class "
                            "of asyncbolt.errors or Python")
    assert problems == [], "\n".join(problems)
    assert len(REF.raises) >= 30


def test_every_exception_class_of_the_errors_table_is_in_asyncbolt_errors() -> None:
    text = section()
    table = text[text.index("### Errors"):]
    header_seen = False
    for line in table.splitlines():
        if line.startswith("| Name"):
            header_seen = True
        elif header_seen and line.startswith("| `"):
            name, base = (SPAN.findall(cell)[0] for cell in line.strip("|").split("|")[:2])
            cls = getattr(errors, name)
            assert cls.__module__ == "asyncbolt.errors"
            assert cls.__bases__[0].__name__ == base, f"{name}'s base is {cls.__bases__[0].__name__}, not {base}"


@pytest.mark.parametrize("span, problem", [
    ("f(a, b=2)", None),
    ("f(a, c=2)", "no parameter 'c'"),
    ("f(a)", "'b' is not documented"),
    ("f(a, b=3)", "defaults to 2"),
    ("f(a=1, b=2)", "'a' has no default"),
    ("f(a, b)", "'b' has a default"),
    ("await f(a, b=2)", "with await"),
])
def test_the_signature_check_can_fail(span: str, problem: str | None) -> None:
    def f(a: int, b: int = 2) -> None:
        pass

    problems = compare("here", span, f)
    if problem is None:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems
