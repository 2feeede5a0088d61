"""Collecting the questions and measures every plugin contributes, checked at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from pmo_graph.maturity.model import Measure, Perspective, Question
from pmo_graph.plugins.manager import PluginLoadError, PluginRegistry
from pmo_graph.standards import STANDARD_KEY_CHARS


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


def _check_key(label: str, plugin: str, what: str, key: str, seen: dict[str, str]) -> None:
    if not key or set(key) - STANDARD_KEY_CHARS:
        raise PluginLoadError(
            f"plugin {label!r}: {what} key {key!r} must be UPPER_SNAKE_CASE", plugin=plugin
        )
    if key in seen:
        raise PluginLoadError(
            f"{what} {key} is registered by both {seen[key]!r} and {label!r}", plugin=plugin
        )


def _questions(registry: PluginRegistry) -> dict[str, InstalledQuestion]:
    found: dict[str, InstalledQuestion] = {}
    owners: dict[str, str] = {}
    for info, provided in registry.results("register_maturity_questions"):
        for question in provided or ():
            if not isinstance(question, Question):
                raise PluginLoadError(
                    f"plugin {info.label!r}: register_maturity_questions must return Question "
                    "objects",
                    plugin=info.name,
                )
            _check_key(info.label, info.name, "question", question.key, owners)
            if not isinstance(question.perspective, Perspective):
                raise PluginLoadError(
                    f"plugin {info.label!r}: question {question.key} needs a Perspective",
                    plugin=info.name,
                )
            if len(question.levels) != 5 or not all(question.levels):
                raise PluginLoadError(
                    f"plugin {info.label!r}: question {question.key} must say what each score "
                    "from 1 to 5 means (five texts)",
                    plugin=info.name,
                )
            owners[question.key] = info.label
            found[question.key] = InstalledQuestion(question, info.name)
    return found


def _measures(registry: PluginRegistry) -> dict[str, InstalledMeasure]:
    found: dict[str, InstalledMeasure] = {}
    owners: dict[str, str] = {}
    for info, provided in registry.results("register_maturity_measures"):
        for measure in provided or ():
            if not isinstance(measure, Measure):
                raise PluginLoadError(
                    f"plugin {info.label!r}: register_maturity_measures must return Measure "
                    "objects",
                    plugin=info.name,
                )
            _check_key(info.label, info.name, "measure", measure.key, owners)
            if not isinstance(measure.perspective, Perspective):
                raise PluginLoadError(
                    f"plugin {info.label!r}: measure {measure.key} needs a Perspective",
                    plugin=info.name,
                )
            tier = registry.owning_tier(info, measure.tier, f"measure {measure.key}", "Measure")
            owners[measure.key] = info.label
            found[measure.key] = InstalledMeasure(measure, tier, info.name)
    return found


def _check_readiness(registry: PluginRegistry) -> None:
    known = {p.value for p in Perspective}
    for key, installed in registry.tiers.items():
        unknown = [name for name in installed.tier.readiness if name not in known]
        if unknown:
            label = registry.plugin(installed.plugin).label
            raise PluginLoadError(
                f"plugin {label!r}: tier {key!r} names unknown readiness perspectives "
                f"{', '.join(unknown)}; use {', '.join(sorted(known))}",
                plugin=installed.plugin,
            )


def collect_maturity_model(registry: PluginRegistry) -> MaturityModel:
    """Every plugin's questions and measures; a broken contribution stops start-up."""
    _check_readiness(registry)
    return MaturityModel(questions=_questions(registry), measures=_measures(registry))
