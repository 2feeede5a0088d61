"""The suite runs against the installed plugins `pso` (the tier `lessons` requires) and `lessons`
only, however many other pmo-graph plugins are installed beside them."""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType

import pytest


@pytest.fixture(scope="session")
def pmo_plugins() -> Sequence[ModuleType]:
    return []


@pytest.fixture(scope="session")
def pmo_load_entrypoints() -> set[str]:
    return {"pso", "lessons"}
