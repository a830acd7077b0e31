"""pyproject.toml's metadata in today's form: the first ``pip install -e .`` of a fresh clone
prints no setuptools deprecation warnings (issue #18, "The first hour")."""

from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parent.parent
#: The SPDX form setuptools 77+ wants (PEP 639): an identifier, or an expression of them.
SPDX = re.compile(r"^[A-Za-z0-9.+-]+( (AND|OR|WITH) [A-Za-z0-9.+-]+)*$")


def config() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def _setuptools_floor(requirements: list[str]) -> tuple[int, ...]:
    for requirement in requirements:
        m = re.fullmatch(r"setuptools>=([0-9.]+)", requirement.replace(" ", ""))
        if m:
            return tuple(int(part) for part in m.group(1).split("."))
    raise AssertionError(f"no setuptools>=X in {requirements}")


def test_the_license_is_an_spdx_expression() -> None:
    project = config()["project"]
    # `license = { text = ... }` makes setuptools 77+ warn (three times per build) that it stops
    # being supported on 2027-02-18; the string form is the replacement.
    assert isinstance(project["license"], str), project["license"]
    assert SPDX.match(project["license"]), project["license"]
    # PEP 639: with an SPDX license, License :: classifiers are an error.
    assert not [c for c in project.get("classifiers", []) if c.startswith("License ::")]


def test_the_builds_use_a_setuptools_that_reads_it() -> None:
    data = config()
    assert _setuptools_floor(data["build-system"]["requires"]) >= (77,)
    # `make accel` runs setup.py with the venv's own setuptools: the dev extra brings one as new.
    assert _setuptools_floor(data["project"]["optional-dependencies"]["dev"]) >= (77,)


def test_setuptools_reads_the_metadata_without_a_warning() -> None:
    setuptools = pytest.importorskip("setuptools")
    version = tuple(int(p) for p in re.findall(r"\d+", setuptools.__version__)[:2])
    if version < (77,):
        pytest.skip(f"this venv's setuptools {setuptools.__version__} predates the SPDX license "
                    "form (make install brings setuptools>=77)")
    from setuptools.config.pyprojecttoml import apply_configuration
    from setuptools.dist import Distribution

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the { text = ... } table fails here
        dist = apply_configuration(Distribution(), ROOT / "pyproject.toml")
    assert dist.metadata.license_expression == config()["project"]["license"]
