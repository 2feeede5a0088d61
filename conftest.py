"""Test configuration for the whole repository (tests/ and plugins/*/tests/).

One app per database serves every suite: the installed tier plugins (entry points) plus the
sample plugin of tests/sample_plugin.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType

import pytest

from sample_plugin import plugin as sample_plugin


@pytest.fixture(scope="session")
def pmo_plugins() -> Sequence[ModuleType]:
    return [sample_plugin]


@pytest.fixture(scope="session")
def pmo_load_entrypoints() -> bool:
    return True
