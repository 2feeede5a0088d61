"""A plugin's ``MANIFEST`` implements the hooks that only return lists and mappings, and every
part of pmo-graph that lists, counts or calls hook implementations treats them exactly like
``@hookimpl`` functions."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import strawberry

from plugin_doubles import fake_distribution, manifest_plugin, plugin
from pmo_graph.assembly import assemble
from pmo_graph.auth.permissions import ADMIN, permission
from pmo_graph.events import DomainEvent, EventType
from pmo_graph.graphql.schema import SchemaCompositionError, build_schema
from pmo_graph.graphql.tiers import tier_field
from pmo_graph.installation.inventory import hooks_implemented, inventory
from pmo_graph.plugins import Manifest, Tier, hookspecs
from pmo_graph.plugins.loading import load_plugins
from pmo_graph.plugins.manager import PluginLoadError, PluginRegistry
from pmo_graph.plugins.manifest import hook_name
from pmo_graph.settings import Settings

STRICT = Settings(database_url="sqlite+aiosqlite:///:memory:")
LENIENT = Settings(database_url="sqlite+aiosqlite:///:memory:", skip_broken_plugins=True)

DECLARED = Tier(key="declared", name="Declared", level=1, description="A declared tier.")
PERMISSIONS = {"declaredThing": permission(ADMIN, description="Do the declared thing.")}
EVENT_TYPES = [EventType("declared.happened", "The declared thing happened.", "declared")]


@strawberry.type
class DeclaredQuery:
    @tier_field("declared")
    def declared_answer(self) -> int:
        return 7


@strawberry.type
class UngatedQuery:
    @strawberry.field
    def ungated_answer(self) -> int:
        return 0


MANIFEST = Manifest(
    tiers=[DECLARED],
    query_fields=[DeclaredQuery],
    permissions=PERMISSIONS,
    event_types=EVENT_TYPES,
)
#: the same contributions as MANIFEST, written as hook functions
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "register_tiers": lambda: [DECLARED],
    "register_query_fields": lambda: [DeclaredQuery],
    "register_permissions": lambda: PERMISSIONS,
    "register_event_types": lambda: EVENT_TYPES,
}


def registry(*modules: ModuleType) -> PluginRegistry:
    return load_plugins(modules, load_entrypoints=False)


def test_a_manifest_implements_exactly_the_hooks_of_the_fields_it_sets() -> None:
    loaded = registry(manifest_plugin("declarative", MANIFEST))
    info = loaded.plugin("declarative")
    assert hooks_implemented(loaded, "declarative") == (
        "register_event_types",
        "register_permissions",
        "register_query_fields",
        "register_tiers",
    )
    assert not loaded.implements(info, "register_types")
    assert not loaded.implements(info, "register_migrations")
    assert loaded.tiers["declared"].plugin == "declarative"
    assert loaded.results("register_permissions")[-1] == (info, PERMISSIONS)
    assert info.module.MANIFEST is MANIFEST


def test_manifest_hooks_are_listed_called_and_built_like_function_hooks() -> None:
    declared = registry(manifest_plugin("twin", MANIFEST))
    written = registry(plugin("twin", **FUNCTIONS))
    assert inventory(declared) == inventory(written)
    for hook in FUNCTIONS:
        assert [value for _, value in declared.results(hook)] == [
            value for _, value in written.results(hook)
        ]
    assert declared.tier_order == written.tier_order
    assert (
        build_schema(declared, STRICT).schema.as_str()
        == build_schema(written, STRICT).schema.as_str()
    )
    assert "declaredAnswer: Int!" in build_schema(declared, STRICT).schema.as_str()


async def test_a_mixed_plugins_function_hook_is_called_only_while_its_manifest_tier_is_on() -> None:
    received: list[DomainEvent] = []

    async def handle_event(event: DomainEvent) -> None:
        received.append(event)

    loaded = registry(manifest_plugin("mixed", MANIFEST, handle_event=handle_event))
    assert hooks_implemented(loaded, "mixed") == (
        "handle_event",
        "register_event_types",
        "register_permissions",
        "register_query_fields",
        "register_tiers",
    )
    event = DomainEvent("declared.happened", organisation_id=1, entity_type="Project", entity_pk=1)
    assert [i.name for i, *_ in loaded.implementations_for("handle_event", [])] == []
    await loaded.call_for_organisation("handle_event", [], event=event)
    assert received == []
    assert [i.name for i, *_ in loaded.implementations_for("handle_event", ["declared"])] == [
        "mixed"
    ]
    await loaded.call_for_organisation("handle_event", ["declared"], event=event)
    assert received == [event]


def test_a_hook_in_the_manifest_and_as_a_function_is_refused_at_load() -> None:
    clash = manifest_plugin("clash", MANIFEST, register_permissions=lambda: {})  # noqa: PIE807
    with pytest.raises(PluginLoadError) as refused:
        registry(clash)
    assert str(refused.value) == (
        "plugin 'clash' implements hook 'register_permissions' twice: as the function "
        "'register_permissions' and in its MANIFEST; keep one of them"
    )
    assert refused.value.plugin == "clash"


def test_a_clashing_plugin_is_skipped_as_broken_when_the_operator_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clash = manifest_plugin("clash", Manifest(tiers=[DECLARED]), register_tiers=lambda: [])  # noqa: PIE807
    caplog.set_level(logging.WARNING, logger="pmo_graph.plugins")
    assembly = assemble(LENIENT, [clash], load_entrypoints=False)
    assert [s.name for s in assembly.skipped] == ["clash"]
    assert "implements hook 'register_tiers' twice" in assembly.skipped[0].reason
    assert "declared" not in assembly.registry.tiers


def test_a_manifest_that_is_no_manifest_is_refused_at_load() -> None:
    module = plugin("odd")
    module.MANIFEST = {"tiers": [DECLARED]}  # type: ignore[attr-defined]
    with pytest.raises(PluginLoadError) as refused:
        registry(module)
    assert str(refused.value) == (
        "plugin 'odd': MANIFEST must be a pmo_graph.plugins.Manifest, not dict"
    )


@pytest.mark.parametrize(
    ("manifest", "error", "message"),
    [
        (
            Manifest(tiers=[DECLARED], query_fields=[UngatedQuery]),
            SchemaCompositionError,
            "plugin 'checked': field Query.ungatedAnswer has no tier gate",
        ),
        (
            Manifest(
                tiers=[Tier(key="needy", name="N", level=2, requires=("ghost",), description="N")]
            ),
            PluginLoadError,
            "tier 'needy' (plugin 'checked') requires tier 'ghost', which no installed plugin "
            "provides",
        ),
        (
            Manifest(event_types=[EventType("ghost.seen", "Seen.", "ghost")]),
            PluginLoadError,
            "plugin 'checked': event type 'ghost.seen' belongs to tier 'ghost', which is not "
            "installed",
        ),
    ],
)
def test_a_manifests_contributions_are_checked_like_a_functions(
    manifest: Manifest, error: type[Exception], message: str
) -> None:
    for module in (
        manifest_plugin("checked", manifest),
        plugin("checked", **_as_functions(manifest)),
    ):
        with pytest.raises(error) as stopped:
            assemble(STRICT, [module], load_entrypoints=False)
        assert message in str(stopped.value)


def _as_functions(manifest: Manifest) -> dict[str, Callable[[], Any]]:
    def returning(value: Any) -> Callable[[], Any]:
        return lambda: value

    return {name: returning(value) for name, value in manifest.declared().items()}


def test_plugins_list_shows_an_installed_plugins_manifest_hooks(tmp_path: Path) -> None:
    source = """
        import strawberry
        from pmo_graph.events import EventType
        from pmo_graph.plugins import Manifest, Tier, hookimpl

        PLUGIN_API = ">=1.1,<2"

        MANIFEST = Manifest(
            tiers=[Tier(key="listed", name="Listed", level=1, description="L")],
            event_types=[EventType("listed.seen", "Seen.", "listed")],
        )

        @hookimpl
        def handle_event(event):
            pass
    """
    env = fake_distribution(tmp_path, source, entry_point="listed", distribution="pmo-graph-listed")
    result = subprocess.run(
        [sys.executable, "-m", "pmo_graph", "plugins", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert (
        "pmo-graph-listed 0.1\tlisted (level 1)\tplugin API >=1.1,<2\t"
        "hooks: handle_event, register_event_types, register_tiers"
    ) in result.stdout.splitlines()


def test_the_hook_reference_documents_every_manifest_field_and_its_hook() -> None:
    reference = (Path(__file__).resolve().parent.parent / "docs/plugin_hooks.md").read_text()
    section = reference.split("\n## The manifest\n", 1)[1].split("\n## ", 1)[0]
    rows = {
        cells[1].strip("` "): cells[2].strip("` ")
        for cells in (line.split("|") for line in section.splitlines())
        if len(cells) > 3 and cells[1].strip().startswith("`")
    }
    assert rows == {f.name: hook_name(f.name) for f in fields(Manifest)}
    specs = {
        name for name in vars(hookspecs) if hasattr(getattr(hookspecs, name), "pmo_graph_spec")
    }
    assert set(rows.values()) <= specs
