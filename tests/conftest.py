"""The suite's plugins: pytester (tests of the fixtures' failure paths) and asyncbolt's own
pytest plugin (asyncbolt.testing, normally loaded by its pytest11 entry point; loaded here by
name, which it is registered under either way, for a checkout that is not installed)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    for name in ("pytester", "asyncbolt.testing"):
        config.pluginmanager.import_plugin(name)
