"""The installed maturity model: every plugin's questions and measures, by key (collected and
checked at start-up by ``pmo_graph.contributions.collect_maturity_model``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, cast

from pmo_graph.maturity.model import Measure, Question
from pmo_graph.request.app import App


@dataclass(frozen=True)
class InstalledQuestion:
    """A question with the plugin that asks it."""

    question: Question
    plugin: str


@dataclass(frozen=True)
class InstalledMeasure:
    """A measure with the tier that must be on for it to count, and the plugin behind it."""

    measure: Measure
    tier: str | None
    plugin: str


@dataclass
class MaturityModel:
    """Every installed question and measure, by key, in plugin order."""

    questions: dict[str, InstalledQuestion]
    measures: dict[str, InstalledMeasure]


class MaturityApp(App, Protocol):
    """The app as the maturity journey reads it: every installed question and measure."""

    @property
    def maturity(self) -> MaturityModel: ...


def maturity_of(app: App) -> MaturityModel:
    """The installed maturity model of ``app`` (``Context.app``)."""
    return cast(MaturityApp, app).maturity
