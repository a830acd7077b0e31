"""The documentation site (docs/, `make docs`, README "Documentation").

- its protocol pages come from the spec alone: a key's range changed in a copy of spec/ changes
  the version page and the "what changed" pages that python -m codegen writes from it;
- every public name has an API entry and every README section is part of the user guide;
- Sphinx builds it with every warning an error (once per session, into a temporary directory),
  and headless Chromium renders its pages: the front page, an API page, a version page with the
  state machine's SVG, and a screenshot that is not blank.

Tests that need Sphinx, Graphviz's dot or Chromium skip, naming what is missing; .ci/run
installs them.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import asyncbolt

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = (ROOT / "README.md").read_text(encoding="utf-8")
BUILD_TIMEOUT = 300


def _browser():  # docs/screenshot.py: the Chromium helpers make docs uses too
    spec = importlib.util.spec_from_file_location("docs_screenshot", DOCS / "screenshot.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


browser = _browser()


# --- the protocol pages come from the spec ----------------------------------------------------


def _regenerate(spec_dir: Path, tmp_path: Path) -> Path:
    out, root = tmp_path / "generated", tmp_path / "root"
    done = subprocess.run([sys.executable, "-m", "codegen", "--spec", str(spec_dir), "--out", str(out),
                           "--root", str(root)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return root / "docs" / "protocol"


def _section(page: str, title: str) -> str:
    """The text of a page's ``## title`` section."""
    m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", page, re.M | re.S)
    return m.group(1) if m else ""


def test_a_key_range_changed_in_the_spec_changes_the_pages(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(ROOT / "spec", spec)
    bolt = spec / "bolt.yaml"
    text = bolt.read_text(encoding="utf-8")
    old = '{key: routing, type: "Map?", versions: "4.1-"}'
    assert text.count(old) == 1, "spec/bolt.yaml: hello_extra.routing moved; update this test"
    bolt.write_text(text.replace(old, old.replace('"4.1-"', '"4.2-"')), encoding="utf-8")
    pages = _regenerate(spec, tmp_path)

    committed = DOCS / "protocol"
    before = {p.name: p.read_text(encoding="utf-8") for p in committed.glob("*.md")}
    after = {p.name: p.read_text(encoding="utf-8") for p in pages.glob("*.md")}
    assert sorted(before) == sorted(after)
    # The 4.1 page lists the key with its range, and no longer does.
    assert "| `hello_extra.routing` | `Map?` | 4.1+ |" in before["bolt-4.1.md"]
    assert "hello_extra.routing" not in after["bolt-4.1.md"]
    assert "| `hello_extra.routing` | `Map?` | 4.2+ |" in after["bolt-4.2.md"]
    # What changed: 4.1 added it, now 4.2 does.
    added = "- `hello_extra.routing`: `Map?`"
    assert added in _section(before["changes-4.1.md"], "Well-known map keys")
    assert "hello_extra.routing" not in after["changes-4.1.md"]
    assert "hello_extra.routing" not in before["changes-4.2.md"]
    assert added in _section(after["changes-4.2.md"], "Well-known map keys")
    # The index's table of every key and the later pages' range follow; no other change moved.
    assert "| `routing` | `Map?` | 4.2+ |" in after["index.md"]
    assert "| `hello_extra.routing` | `Map?` | 4.2+ |" in after["bolt-6.1.md"]
    changed = sorted(name for name in before if before[name] != after[name])
    assert [n for n in changed if n.startswith("changes-")] == ["changes-4.1.md", "changes-4.2.md"]
    assert [n for n in changed if not n.startswith("bolt-")] == ["changes-4.1.md", "changes-4.2.md", "index.md"]


def test_the_committed_pages_are_what_the_spec_produces(tmp_path: Path) -> None:
    pages = _regenerate(ROOT / "spec", tmp_path)
    for page in pages.glob("*.md"):
        assert page.read_text(encoding="utf-8") == (DOCS / "protocol" / page.name).read_text(encoding="utf-8"), \
            f"docs/protocol/{page.name} is stale: run `make generate`"


def test_every_version_has_its_pages_and_the_state_machines_are_drawn() -> None:
    from asyncbolt._generated.versions import VERSIONS

    for major, minor in VERSIONS:
        page = (DOCS / "protocol" / f"bolt-{major}.{minor}.md").read_text(encoding="utf-8")
        assert page.startswith("<!-- Generated from spec/")
        assert "```{graphviz}\ndigraph states {" in page
        assert (DOCS / "protocol" / f"changes-{major}.{minor}.md").exists()
    # 5.1 split authentication off HELLO: its changes page says so, computed from the state table.
    changes = (DOCS / "protocol" / "changes-5.1.md").read_text(encoding="utf-8")
    assert "- `LOGON`: `LOGON(auth: Map<auth>), request 0x6A`" in changes
    assert "`HELLO in CONNECTED`: was SUCCESS → READY" in changes


# --- nothing public left out ------------------------------------------------------------------


def test_every_public_name_has_an_api_entry() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in (DOCS / "api").glob("*.rst"))
    documented = set(re.findall(r"asyncbolt\.(\w+)", text)) | set(re.findall(r"``(\w+)``", text))
    if ".. automodule:: asyncbolt.errors\n   :members:" in text:  # every exception, from its module
        documented |= {name for name in asyncbolt.__all__
                       if getattr(getattr(asyncbolt, name), "__module__", None) == "asyncbolt.errors"}
    missing = [name for name in asyncbolt.__all__ if name not in documented]
    assert not missing, f"docs/api/*.rst: no entry for {missing}"


def _includes() -> list[tuple[int, int]]:
    """The spans of README.md that the docs pages include (start-after .. end-before)."""
    spans = []
    for page in DOCS.rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        for block in re.findall(r"^```\{include\} [./]*README\.md\n(.*?)^```$", text, re.M | re.S):
            options = dict(re.findall(r'^:([\w-]+): "?(.*?)"?$', block, re.M))
            start = README.index(options["start-after"]) if "start-after" in options else 0
            end = README.index(options["end-before"], start) if "end-before" in options else len(README)
            spans.append((start, end))
    return spans


def test_every_readme_section_is_in_the_user_guide() -> None:
    spans = _includes()
    assert spans
    missing = [m.group(0) for m in re.finditer(r"^## .+$", README, re.M)
               if not any(start <= m.start() <= end for start, end in spans)]
    assert not missing, f"README.md sections no docs page includes (add them to docs/guide/): {missing}"


# --- the docstrings' examples on the API pages run -------------------------------------------

#: The modules whose docstrings the API pages show whole (automodule), besides the public names.
API_MODULES = ("asyncbolt.codec.packstream", "asyncbolt.testing", "asyncbolt.errors")


def test_the_doctests_of_the_api_pages_pass() -> None:
    import doctest
    import importlib

    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    objects = [importlib.import_module(name) for name in API_MODULES]
    objects += [getattr(asyncbolt, name) for name in asyncbolt.__all__]
    for obj in objects:
        for test in finder.find(obj, getattr(obj, "__name__", repr(obj)), globs={}):
            runner.run(test)
    assert runner.tries >= 2, "the API pages' doctests were not found"
    assert runner.failures == 0


def test_the_testing_modules_example_runs(pytester: pytest.Pytester) -> None:
    """asyncbolt.testing's docstring shows a test of a stub script with the official driver."""
    pytest.importorskip("neo4j", reason="the example uses the official neo4j driver")
    import asyncbolt.testing

    example = asyncbolt.testing.__doc__.split("async tests alike::\n", 1)[1].split("\nOnly ", 1)[0]
    pytester.makepyfile(test_example="import neo4j\n\n\n" + textwrap.dedent(example))
    result = pytester.runpytest_subprocess("-p", "asyncbolt.testing", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


# --- the built site ---------------------------------------------------------------------------


def _need(*tools: str) -> None:
    for tool in tools:
        if tool == "sphinx":
            if importlib.util.find_spec("sphinx") is None or importlib.util.find_spec("myst_parser") is None:
                pytest.skip("sphinx and myst-parser are not installed (pip install '.[docs]')")
        elif tool == "chromium":
            if browser.chromium() is None:
                pytest.skip("chromium is not installed (Debian: apt-get install chromium)")
        elif shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (Debian: apt-get install graphviz)")


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built once per session as `make docs` builds it (-E -W --keep-going)."""
    _need("sphinx", "dot")
    out = tmp_path_factory.mktemp("docs") / "html"
    done = subprocess.run([sys.executable, "-m", "sphinx", "-E", "-W", "--keep-going", "-q", "-b", "html",
                           str(DOCS), str(out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=BUILD_TIMEOUT, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"sphinx-build -W failed:\n{done.stderr[-5000:]}"
    assert "WARNING" not in done.stderr, done.stderr
    return out


def test_the_site_builds_without_warnings(site: Path) -> None:
    for page in ("index.html", "about.html", "guide/client.html", "api/connections.html",
                 "protocol/index.html", "protocol/bolt-4.1.html", "protocol/changes-4.1.html",
                 "protocol/states-3.0.html"):
        assert (site / page).stat().st_size > 1000, page
    # README's links to its own sections resolve to the guide's pages.
    serving = (site / "guide" / "serving.html").read_text(encoding="utf-8")
    assert 'href="testing.html#security"' in serving


def test_every_code_example_of_the_api_pages_is_run_here(site: Path) -> None:
    """The API pages show two examples from docstrings, both run by the tests above; a new one
    must get a test too (and this count its update)."""
    block = re.compile(r'<div class="(?:doctest )?highlight-')  # one per code block
    found = {page.name: len(block.findall(page.read_text(encoding="utf-8")))
             for page in (site / "api").glob("*.html") if page.name != "names.html"}
    assert {name: n for name, n in found.items() if n} == {"values.html": 1, "testing.html": 1}


def test_the_pages_render_in_chromium(site: Path) -> None:
    _need("chromium")
    front = browser.dump_dom((site / "index.html").as_uri())
    assert "The Neo4j <strong>Bolt</strong> protocol" in front
    assert 'href="protocol/index.html"' in front and 'href="api/index.html"' in front

    api = browser.dump_dom((site / "api" / "connections.html").as_uri())
    assert 'id="asyncbolt.connect"' in api and 'id="asyncbolt.Connection"' in api

    version = browser.dump_dom((site / "protocol" / "bolt-4.1.html").as_uri())
    assert "hello_extra.routing" in version and "Bolt 4.1" in version
    svg = re.search(r'<object data="\.\./(_images/graphviz-[0-9a-f]+\.svg)" type="image/svg\+xml"', version)
    assert svg, "the version page has no state machine SVG"
    drawing = browser.dump_dom((site / svg.group(1)).as_uri())
    states = re.findall(r'<g id="node\d+" class="node">\s*<title>(\w+)</title>', drawing)
    assert {"CONNECTED", "READY", "STREAMING", "TX_READY", "FAILED", "DEFUNCT"} <= set(states), states


def test_a_screenshot_is_not_blank(site: Path, tmp_path: Path) -> None:
    _need("chromium")
    shot = tmp_path / "index.png"
    browser.screenshot((site / "index.html").as_uri(), shot)
    assert browser.colours(shot) > 64
    # The check can fail: an empty page is one colour.
    blank = tmp_path / "blank.html"
    blank.write_text("<html><body></body></html>", encoding="utf-8")
    browser.screenshot(blank.as_uri(), tmp_path / "blank.png")
    assert browser.colours(tmp_path / "blank.png") == 1
    # The state machine renders as a picture too.
    version = (site / "protocol" / "bolt-5.4.html").read_text(encoding="utf-8")
    svg = re.search(r'<object data="\.\./(_images/graphviz-[0-9a-f]+\.svg)"', version)
    assert svg
    browser.screenshot((site / svg.group(1)).as_uri(), tmp_path / "states.png", size=(1400, 1000))
    assert browser.colours(tmp_path / "states.png") > 16
