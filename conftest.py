"""Test configuration for the whole repository (tests/ and plugins/*/tests/).

One app per database serves every suite: the first-party tier plugins (entry points) plus the
sample plugin of tests/sample_plugin.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType

import pytest

from sample_plugin import plugin as sample_plugin

# A copy of the example plugin as the docs described it before pmo_graph.sdk, with its own suite,
# which scripts/check_example_plugin.py installs and runs on its own: not part of this suite.
collect_ignore = ["tests/fixtures"]


@pytest.fixture(scope="session")
def pmo_plugins() -> Sequence[ModuleType]:
    return [sample_plugin]


@pytest.fixture(scope="session")
def pmo_load_entrypoints() -> set[str]:
    # The first-party tiers only, so a plugin installed beside them (say the lessons example)
    # does not change what these suites test.
    return {"pso", "portfolio", "pmo"}
