"""A plugin's start-up contributions declared as data: the ``MANIFEST`` of a plugin module.

Most start-up hooks only return a list or a mapping. A plugin module may declare them all at once
instead of writing one ``@hookimpl`` function each::

    MANIFEST = Manifest(tiers=[TIER], types=[NoteType], migrations=Path(__file__).parent / "m")

The plugin manager turns every field the manifest sets into the hook implementation
``register_<field>`` returning the field's value; fields left ``None`` implement nothing. Hooks that
do work (``handle_event``, ``handle_event_in_transaction``, ``seed_demo``) stay functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pluggy

from pmo_graph.plugins.errors import PluginLoadError

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from pmo_graph.auth.permissions import Permission
    from pmo_graph.events import EventType
    from pmo_graph.graphql.user_error_codes import UserErrorCodeSpec
    from pmo_graph.maturity.model import Measure, Question
    from pmo_graph.standards import Standard
    from pmo_graph.tiers import Tier

__all__ = ["MANIFEST_ATTRIBUTE", "Manifest", "PluginHooks", "hook_name", "plugin_hooks"]

#: The module attribute in which a plugin declares its manifest.
MANIFEST_ATTRIBUTE = "MANIFEST"


@dataclass(frozen=True)
class Manifest:
    """What a plugin contributes at start-up, one field per ``register_*`` hook.

    Each field set (not ``None``) implements the hook ``register_<field>``, which returns it; see
    that hook in docs/plugin_hooks.md for what the value may hold.
    """

    #: ``register_tiers``: the tiers the plugin provides.
    tiers: Iterable[Tier] | None = None
    #: ``register_types``: strawberry types to add to the schema.
    types: Iterable[type] | None = None
    #: ``register_type_extensions``: types whose fields are added to existing types, by type name.
    type_extensions: Mapping[str, Iterable[type]] | None = None
    #: ``register_query_fields``: types whose fields are added to ``Query``.
    query_fields: Iterable[type] | None = None
    #: ``register_mutation_fields``: types whose fields are added to ``Mutation``.
    mutation_fields: Iterable[type] | None = None
    #: ``register_subscription_fields``: types whose fields are added to ``Subscription``.
    subscription_fields: Iterable[type] | None = None
    #: ``register_permissions``: the permission of each action, by action.
    permissions: Mapping[str, Permission] | None = None
    #: ``register_standards``: compliance standards.
    standards: Iterable[Standard] | None = None
    #: ``register_event_types``: the domain events integrations may subscribe to.
    event_types: Iterable[EventType] | None = None
    #: ``register_user_error_codes``: userError codes beyond the core's.
    user_error_codes: Iterable[UserErrorCodeSpec] | None = None
    #: ``register_maturity_questions``: questions of the maturity self-assessment.
    maturity_questions: Iterable[Question] | None = None
    #: ``register_maturity_measures``: evidence measures of maturity.
    maturity_measures: Iterable[Measure] | None = None
    #: ``register_migrations``: the folder of the plugin's alembic revision files.
    migrations: Path | str | None = None
    #: ``register_routes``: Starlette routes to mount beside ``/graphql``.
    routes: Iterable[BaseRoute] | None = None

    def declared(self) -> dict[str, Any]:
        """The hooks this manifest implements, by hook name, with the value each returns."""
        return {
            hook_name(f.name): getattr(self, f.name)
            for f in fields(self)
            if getattr(self, f.name) is not None
        }


def hook_name(field_name: str) -> str:
    """The hook a manifest field implements: ``register_<field>``."""
    return f"register_{field_name}"


class PluginHooks:
    """One plugin's hook implementations for pluggy: its module's ``@hookimpl`` functions and a
    function for each field its manifest sets.

    pluggy registers any object whose attributes carry the hookimpl marker; this one is
    registered under the plugin's name in place of its module, so everything that asks which
    plugin implements a hook sees manifest hooks and function hooks alike.
    """

    def __init__(self, module: ModuleType, hooks: Mapping[str, Callable[..., Any]]) -> None:
        self.module = module
        for name, function in hooks.items():
            setattr(self, name, function)

    def __repr__(self) -> str:
        return f"<hooks of plugin module {self.module.__name__}>"


def _returning(name: str, value: Any, marker: pluggy.HookimplMarker) -> Callable[[], Any]:
    def hook() -> Any:
        return value

    hook.__name__ = hook.__qualname__ = name
    hook.__doc__ = f"``{name}`` as the plugin's manifest declares it."
    return marker(hook)


def plugin_hooks(
    manager: pluggy.PluginManager,
    module: ModuleType,
    marker: pluggy.HookimplMarker,
    *,
    plugin: str,
    label: str,
) -> ModuleType | PluginHooks:
    """What to register with pluggy for plugin ``module``: the module itself when it declares no
    manifest, else a ``PluginHooks`` holding its function hooks and its manifest's.

    Raises ``PluginLoadError`` (naming ``plugin``, described to users as ``label``) when
    ``MANIFEST`` is no ``Manifest``, or when the module also implements, as a function, a hook
    its manifest declares.
    """
    manifest = getattr(module, MANIFEST_ATTRIBUTE, None)
    if manifest is None:
        return module
    if not isinstance(manifest, Manifest):
        raise PluginLoadError(
            f"plugin {label!r}: {MANIFEST_ATTRIBUTE} must be a pmo_graph.plugins.Manifest, "
            f"not {type(manifest).__name__}",
            plugin=plugin,
        )
    functions: dict[str, Callable[..., Any]] = {}
    implemented: dict[str, str] = {}
    for attribute in dir(module):
        options = manager.parse_hookimpl_opts(module, attribute)
        if options is None:
            continue
        functions[attribute] = getattr(module, attribute)
        implemented[options.get("specname") or attribute] = attribute
    declared = manifest.declared()
    for name in sorted(declared):
        if name in implemented or name in functions:
            raise PluginLoadError(
                f"plugin {label!r} implements hook {name!r} twice: as the function "
                f"{implemented.get(name, name)!r} and in its {MANIFEST_ATTRIBUTE}; keep one of "
                "them",
                plugin=plugin,
            )
    manifest_hooks = {name: _returning(name, value, marker) for name, value in declared.items()}
    return PluginHooks(module, functions | manifest_hooks)
