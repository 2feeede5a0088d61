"""A serving process freezes what start-up made and collects young objects less often
(``pmo_graph.http.collector``): with CPython's defaults, collections took about half the CPU of
a large answer through the resolvers."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from pmo_graph.http.collector import THRESHOLDS, tune_collector


@pytest.fixture
def collector_restored() -> Iterator[None]:
    before = gc.get_threshold()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


@pytest.mark.usefixtures("collector_restored")
def test_tuning_freezes_what_exists_and_raises_the_thresholds() -> None:
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    tune_collector()
    assert gc.get_threshold() == THRESHOLDS
    assert gc.get_freeze_count() > 0  # the modules, the schema: never traversed again
    assert THRESHOLDS[0] > 700  # young collections less often than CPython's default
