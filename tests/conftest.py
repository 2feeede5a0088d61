"""The core's test configuration: every installed tier plugin plus the sample plugin."""

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
