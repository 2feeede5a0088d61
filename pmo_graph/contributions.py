"""What every plugin contributes at start-up, collected through its hooks and checked.

One ``collect_*`` per contribution (permissions, routes, event types, standards, user error
codes, maturity questions and measures); ``pmo_graph.assembly`` calls them all, so that one
broken plugin is found before the server starts.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from pmo_graph.auth.permissions import Permission
from pmo_graph.events import EventType
from pmo_graph.graphql.user_error_codes import CODE_NAME, UserErrorCodeSpec
from pmo_graph.maturity.model import Measure, Perspective, Question
from pmo_graph.maturity.registry import InstalledMeasure, InstalledQuestion, MaturityModel
from pmo_graph.plugins.manager import PluginLoadError, PluginRegistry
from pmo_graph.standards import STANDARD_KEY_CHARS, InstalledStandard, Standard


def collect_permissions(registry: PluginRegistry) -> dict[str, Permission]:
    """Every plugin's permissions by action; an action registered twice stops start-up."""
    permissions: dict[str, Permission] = {}
    for info, entries in registry.results("register_permissions"):
        for action, rule in (entries or {}).items():
            if action in permissions:
                raise PluginLoadError(
                    f"plugin {info.label!r} registers a permission for {action!r}, which another "
                    "plugin already registered",
                    plugin=info.name,
                )
            permissions[action] = rule
    return permissions


def collect_routes(registry: PluginRegistry) -> list[BaseRoute]:
    """Every plugin's extra HTTP routes (hook ``register_routes``)."""
    routes: list[BaseRoute] = []
    for _info, extra in registry.results("register_routes"):
        routes.extend(extra or ())
    return routes


def collect_event_types(registry: PluginRegistry) -> dict[str, EventType]:
    """Every plugin's event types by name (hook ``register_event_types``).

    A plugin may not register a name another plugin registered: one name, one meaning.
    """
    found: dict[str, tuple[EventType, str]] = {}
    for info, types in registry.results("register_event_types"):
        for event_type in types or ():
            if not isinstance(event_type, EventType):
                raise PluginLoadError(
                    f"plugin {info.label!r}: register_event_types returned {event_type!r}, "
                    "not a pmo_graph.events.EventType",
                    plugin=info.name,
                )
            if event_type.tier is not None and event_type.tier not in registry.tiers:
                raise PluginLoadError(
                    f"plugin {info.label!r}: event type {event_type.name!r} belongs to tier "
                    f"{event_type.tier!r}, which is not installed",
                    plugin=info.name,
                )
            earlier = found.get(event_type.name)
            if earlier is not None:
                raise PluginLoadError(
                    f"plugin {info.label!r} registers event type {event_type.name!r}, which "
                    f"{earlier[1]!r} already registered",
                    plugin=info.name,
                )
            found[event_type.name] = (event_type, info.label)
    return {name: entry[0] for name, entry in sorted(found.items())}


def collect_standards(registry: PluginRegistry) -> dict[str, InstalledStandard]:
    """Every plugin's standards by key, in plugin order; mistakes stop start-up."""
    standards: dict[str, InstalledStandard] = {}
    for info, provided in registry.results("register_standards"):
        for standard in provided or ():
            if not isinstance(standard, Standard):
                raise PluginLoadError(
                    f"plugin {info.label!r}: register_standards must return Standard objects",
                    plugin=info.name,
                )
            if not standard.key or set(standard.key) - STANDARD_KEY_CHARS:
                raise PluginLoadError(
                    f"plugin {info.label!r}: standard key {standard.key!r} "
                    "must be UPPER_SNAKE_CASE",
                    plugin=info.name,
                )
            if standard.key in standards:
                raise PluginLoadError(
                    f"standard {standard.key} is registered by both "
                    f"{registry.plugin(standards[standard.key].plugin).label!r} and {info.label!r}",
                    plugin=info.name,
                )
            tier = registry.owning_tier(info, standard.tier, f"standard {standard.key}", "Standard")
            standards[standard.key] = InstalledStandard(standard, tier, info.name)
    return standards


def _checked(info_label: str, plugin: str, spec: object) -> UserErrorCodeSpec:
    if not isinstance(spec, UserErrorCodeSpec):
        raise PluginLoadError(
            f"plugin {info_label!r}: register_user_error_codes returned {spec!r}, not a "
            "pmo_graph.graphql.user_error_codes.UserErrorCodeSpec",
            plugin=plugin,
        )
    if not CODE_NAME.match(spec.name):
        raise PluginLoadError(
            f"plugin {info_label!r}: user error code {spec.name!r} is not UPPER_SNAKE_CASE; "
            "name it like 'OVER_ATTRIBUTED'",
            plugin=plugin,
        )
    if not spec.description.strip():
        raise PluginLoadError(
            f"plugin {info_label!r}: user error code {spec.name!r} has no description; say "
            "when it is answered and what the caller can do",
            plugin=plugin,
        )
    return spec


def collect_user_error_codes(registry: PluginRegistry) -> dict[str, UserErrorCodeSpec]:
    """Every plugin's user error codes by name (hook ``register_user_error_codes``).

    A plugin may not register a code another plugin registered (one code, one meaning);
    anything that is not a well-named, described ``UserErrorCodeSpec`` stops start-up too.
    """
    found: dict[str, tuple[UserErrorCodeSpec, str]] = {}
    for info, specs in registry.results("register_user_error_codes"):
        for entry in specs or ():
            spec = _checked(info.label, info.name, entry)
            earlier = found.get(spec.name)
            if earlier is not None:
                raise PluginLoadError(
                    f"plugin {info.label!r} registers user error code {spec.name!r}, which "
                    f"{earlier[1]!r} already registered; reuse it, or register a code of your "
                    "own name",
                    plugin=info.name,
                )
            found[spec.name] = (spec, info.label)
    return {name: entry[0] for name, entry in found.items()}


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
