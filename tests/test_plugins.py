"""The plugin system: loading that names the failing plugin, composition that fails fast,
and runtime hooks whose failures stay contained."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from types import ModuleType

import pytest
import strawberry

from plugin_doubles import fake_distribution, plugin
from pmo_graph.graphql.schema import SchemaCompositionError, build_schema
from pmo_graph.graphql.tiers import tier_field
from pmo_graph.plugins import Tier
from pmo_graph.plugins.loading import load_plugins
from pmo_graph.plugins.manager import PluginLoadError
from pmo_graph.settings import Settings
from pmo_graph.testing import TestOrganisation

SETTINGS = Settings(database_url="sqlite+aiosqlite:///:memory:")


def tiers(*items: Tier) -> Callable[[], Iterable[Tier]]:
    return lambda: list(items)


def build(*modules: ModuleType) -> None:
    build_schema(load_plugins(modules, load_entrypoints=False), SETTINGS)


@strawberry.type
class ExtraProjectField:
    @strawberry.field
    def extra(self) -> int:
        return 1


@strawberry.type
class GatedExtraProjectField:
    @tier_field("alpha")
    def extra(self) -> int:
        return 1


def test_a_plugin_adds_a_field_to_a_core_type() -> None:
    module = plugin("extender", register_type_extensions=lambda: {"Project": [ExtraProjectField]})
    built = build_schema(load_plugins([module], load_entrypoints=False), SETTINGS)
    assert "extra: Int!" in built.schema.as_str()


def test_two_plugins_defining_the_same_field_stop_start_up() -> None:
    first = plugin("first", register_type_extensions=lambda: {"Project": [ExtraProjectField]})
    second = plugin("second", register_type_extensions=lambda: {"Project": [ExtraProjectField]})
    with pytest.raises(
        SchemaCompositionError, match="field 'extra' is defined by both 'first' and 'second'"
    ):
        build(first, second)


def test_a_field_redefining_a_core_field_stops_start_up() -> None:
    @strawberry.type
    class Clash:
        @strawberry.field
        def code(self) -> int:
            return 1

    with pytest.raises(
        SchemaCompositionError, match="field 'code' is defined by both 'pmo-graph' and 'clash'"
    ):
        build(plugin("clash", register_type_extensions=lambda: {"Project": [Clash]}))


def test_a_tier_plugins_field_without_a_gate_stops_start_up() -> None:
    module = plugin(
        "ungated",
        register_tiers=tiers(Tier(key="alpha", name="Alpha", level=1, description="A")),
        register_type_extensions=lambda: {"Project": [ExtraProjectField]},
    )
    with pytest.raises(
        SchemaCompositionError,
        match=r"field Project\.extra has no tier gate; declare it with pmo_graph\.sdk\.tier_field\('alpha', \.\.\.\)",
    ):
        build(module)
    gated = plugin(
        "gated",
        register_tiers=tiers(Tier(key="alpha", name="Alpha", level=1, description="A")),
        register_type_extensions=lambda: {"Project": [GatedExtraProjectField]},
    )
    build(gated)


def test_extending_an_unknown_type_stops_start_up() -> None:
    module = plugin("lost", register_type_extensions=lambda: {"Projekt": [ExtraProjectField]})
    with pytest.raises(
        SchemaCompositionError, match="plugin 'lost' extends type Projekt, which no plugin defines"
    ):
        build(module)


def test_a_duplicate_type_name_stops_start_up() -> None:
    @strawberry.type(name="Project")
    class OtherProject:
        x: int

    with pytest.raises(
        SchemaCompositionError, match="type Project is defined by both 'pmo-graph' and 'copycat'"
    ):
        build(plugin("copycat", register_types=lambda: [OtherProject]))


@pytest.mark.parametrize(
    ("modules", "message"),
    [
        (
            [
                plugin(
                    "needy",
                    register_tiers=tiers(
                        Tier(key="beta", name="B", level=2, requires=("ghost",), description="B")
                    ),
                )
            ],
            "tier 'beta' (plugin 'needy') requires tier 'ghost', which no installed plugin provides",
        ),
        (
            [
                plugin(
                    "one",
                    register_tiers=tiers(Tier(key="same", name="S", level=1, description="S")),
                ),
                plugin(
                    "two",
                    register_tiers=tiers(Tier(key="same", name="S", level=1, description="S")),
                ),
            ],
            "tier 'same' is provided by both 'one' and 'two'",
        ),
        (
            [
                plugin(
                    "loop",
                    register_tiers=tiers(
                        Tier(key="x", name="X", level=1, requires=("y",), description="X"),
                        Tier(key="y", name="Y", level=1, requires=("x",), description="Y"),
                    ),
                )
            ],
            "the prerequisites of tiers x, y form a cycle",
        ),
        (
            [
                plugin(
                    "shouty",
                    register_tiers=tiers(Tier(key="Bad-Key", name="B", level=1, description="B")),
                )
            ],
            "plugin 'shouty': tier key 'Bad-Key' must be lower-case",
        ),
        (
            [plugin("crashy", register_tiers=lambda: 1 / 0)],
            "plugin 'crashy' failed in hook register_tiers: ZeroDivisionError",
        ),
        (
            [plugin("typo", register_tierz=lambda: [])],  # noqa: PIE807
            "plugin 'typo' implements an unknown hook",
        ),
    ],
)
def test_bad_plugins_stop_start_up_with_a_message_naming_them(
    modules: list[ModuleType], message: str
) -> None:
    with pytest.raises(PluginLoadError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_plugins(modules, load_entrypoints=False)


def test_a_hook_that_raises_while_building_the_schema_names_the_plugin() -> None:
    def broken() -> Mapping[str, Iterable[type]]:
        raise RuntimeError("no types today")

    with pytest.raises(
        PluginLoadError, match="plugin 'broken' failed in hook register_type_extensions"
    ):
        build(plugin("broken", register_type_extensions=broken))


def test_an_installed_plugin_that_fails_to_import_stops_the_command_and_is_named(
    tmp_path: Path,
) -> None:
    env = fake_distribution(tmp_path, "raise ImportError('needs numpy 9')\n")
    result = subprocess.run(
        [sys.executable, "-m", "pmo_graph", "plugins", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(
        "Error: plugin 'pmo-graph-broken' (entry point 'broken' = 'broken_plugin') failed to import: ImportError('needs numpy 9')"
    )
    assert "pip uninstall pmo-graph-broken" in result.stderr


async def test_a_failing_event_handler_is_logged_and_does_not_undo_the_mutation(
    make_org: Callable[..., Awaitable[TestOrganisation]],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sample_plugin import plugin as sample

    monkeypatch.setattr(sample, "FAIL_EVENTS", True)
    org = await make_org(tiers=["sample"])
    caplog.set_level(logging.ERROR, logger="pmo_graph.plugins")
    payload = await org.admin.mutate(
        'mutation { createPerson(input: {name: "Still saved"}) { person { name } userErrors { code } } }'
    )
    assert payload["person"] == {"name": "Still saved"}
    assert any("failed in hook handle_event" in r.getMessage() for r in caplog.records)


async def test_reactions_in_the_transaction_commit_and_fail_with_the_mutation(
    make_org: Callable[..., Awaitable[TestOrganisation]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sample_plugin import plugin as sample

    org = await make_org(tiers=["sample"])
    create = 'mutation($c: String!) { createProject(input: {code: $c, name: "R"}) { project { id sampleNotes { text } } userErrors { code } } }'
    monkeypatch.setattr(sample, "REACTION", "note")
    sample.RECEIVED.clear()
    created = await org.admin.mutate(create, {"c": "REACT-1"})
    assert created["project"]["sampleNotes"] == [{"text": "auto"}]
    # the reaction's own event is delivered after commit too
    assert [e.name for e in sample.RECEIVED] == ["project.created", "sample_note.added"]
    monkeypatch.setattr(sample, "REACTION", "fail")
    failed = await org.admin.execute(create, {"c": "REACT-2"})
    assert failed["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    codes = await org.admin.query("{ projects { nodes { code } } sampleNoteCount }")
    assert codes == {"projects": {"nodes": [{"code": "REACT-1"}]}, "sampleNoteCount": 1}
