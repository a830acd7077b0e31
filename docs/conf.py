"""Sphinx configuration of asyncbolt's documentation site (`make docs`; see docs/about.md).

The user guide includes README.md's sections (README stays the one source of that text), the
API reference is autodoc over the docstrings, and docs/protocol/ is generated from spec/ by
``python -m codegen``. ``make docs`` builds with ``-W --keep-going``: every warning fails it.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # autodoc imports this checkout's asyncbolt

import asyncbolt  # noqa: E402

project = "asyncbolt"
author = "asyncbolt contributors"
copyright = "asyncbolt contributors"  # noqa: A001 - Sphinx's name for it
release = version = asyncbolt.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.graphviz",
    "sphinx.ext.intersphinx",
    "sphinx.ext.napoleon",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]

# MyST: fences with {directive}, heading anchors so README's [text](#section) links resolve.
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 4

# autodoc: members in source order, signatures with their annotations; the package's lazy
# __getattr__ gives every public name.
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": True}
# Annotations name types that autodoc cannot resolve to a documented object (construct,
# TYPE_CHECKING-only imports): they are shown, not linked, instead of warning.
nitpicky = False

# Links to Python's own documentation. The build never goes online: the inventory is Debian's
# (python3-doc, installed by .ci/run), and where it is absent the links are left out (plain
# names) rather than fetched.
_INVENTORIES = sorted(Path("/usr/share/doc").glob("python3*/html/objects.inv"))
intersphinx_mapping = ({"python": ("https://docs.python.org/3", str(_INVENTORIES[0]))}
                       if _INVENTORIES else {})

graphviz_output_format = "svg"

html_theme = "furo" if importlib.util.find_spec("furo") else "alabaster"
html_title = f"asyncbolt {release}"
html_static_path: list[str] = []


# README's links to its own sections ([Limits](#limits)) are local in README.md; on the site
# those sections are on other pages. Before MyST resolves a [text](#slug) link that is not a
# heading of its own page (its post-transform has priority 9), the link is pointed at the page
# that has that heading.
from sphinx import addnodes  # noqa: E402
from sphinx.transforms.post_transforms import SphinxPostTransform  # noqa: E402


class CrossPageSlugs(SphinxPostTransform):
    default_priority = 8

    def run(self, **kwargs: object) -> None:
        env = self.env
        own = env.metadata.get(env.docname, {}).get("myst_slugs", {})
        for node in self.document.findall(addnodes.pending_xref):
            target = node.get("reftarget", "")
            if node.get("reftype") != "myst" or node.get("refdomain") == "doc" or target in own:
                continue
            pages = sorted(d for d, meta in env.metadata.items() if target in meta.get("myst_slugs", {}))
            if pages:
                # The guide's page first: README's API reference (api/names) repeats a few headings.
                page = sorted(pages, key=lambda d: d == "api/names")[0]
                node["refdomain"], node["reftarget"], node["reftargetid"] = "doc", page, target


def setup(app: object) -> None:
    app.add_post_transform(CrossPageSlugs)  # type: ignore[attr-defined]
