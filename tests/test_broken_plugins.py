"""A broken plugin stops start-up with one line naming it, or, when the operator says so, is
left out (with every plugin that needs it) while the others start."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import strawberry

from plugin_doubles import fake_distribution, plugin
from pmo_graph.assembly import assemble
from pmo_graph.graphql.compiled.specs import sql_value
from pmo_graph.graphql.schema import SchemaCompositionError
from pmo_graph.graphql.tiers import tier_field
from pmo_graph.plugins import Tier
from pmo_graph.plugins.manager import PluginLoadError
from pmo_graph.settings import Settings

URL = "sqlite+aiosqlite:///:memory:"
STRICT = Settings(database_url=URL)
LENIENT = Settings(database_url=URL, skip_broken_plugins=True)


def tier(key: str, *requires: str) -> Callable[[], Iterable[Tier]]:
    return lambda: [Tier(key=key, name=key, level=1, description=key, requires=requires)]


@strawberry.type
class GoodField:
    @tier_field("good")
    def good_answer(self) -> int:
        return 42


@strawberry.type
class ClashingField:
    @strawberry.field
    def good_answer(self) -> int:
        return 0


@strawberry.type
class UnscopedField:
    @strawberry.field(metadata=sql_value("(SELECT count(*) FROM projects AS p)"))
    def every_project(self) -> int:
        return 0


@strawberry.type
class ScopedField:
    @strawberry.field(
        metadata=sql_value("(SELECT count(*) FROM projects AS p WHERE p.organisation_id = {org})")
    )
    def our_projects(self) -> int:
        return 0


def good() -> ModuleType:
    return plugin(
        "good",
        register_tiers=tier("good"),
        register_query_fields=lambda: [GoodField],
    )


def _raise() -> Mapping[str, Any]:
    raise RuntimeError("no permissions today")


#: name of the broken plugin, how it is broken, what start-up says
BROKEN: list[tuple[str, Callable[[], ModuleType], str]] = [
    (
        "missing prerequisite",
        lambda: plugin("needy", register_tiers=tier("needy", "ghost")),
        "tier 'needy' (plugin 'needy') requires tier 'ghost', which no installed plugin provides",
    ),
    (
        "field name collision",
        lambda: plugin("clash", register_query_fields=lambda: [ClashingField]),
        "Query.goodAnswer is defined by both 'good' and 'clash'",
    ),
    (
        "start-up hook raises",
        lambda: plugin("crashy", register_permissions=_raise),
        "plugin 'crashy' failed in hook register_permissions: RuntimeError('no permissions today')",
    ),
    (
        "SQL template not scoped to the organisation",
        lambda: plugin("leaky", register_query_fields=lambda: [UnscopedField]),
        "plugin 'leaky': the SQL template of field Query.everyProject reads projects without "
        "scoping it to the organisation (add <alias>.organisation_id = {org}): "
        "(SELECT count(*) FROM projects AS p)",
    ),
    (
        "unknown hook",
        lambda: plugin("typo", register_tierz=lambda: []),  # noqa: PIE807
        "plugin 'typo' implements an unknown hook 'register_tierz'",
    ),
]


@pytest.mark.parametrize(("kind", "make", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_plugin_stops_start_up_naming_it(
    kind: str, make: Callable[[], ModuleType], message: str
) -> None:
    with pytest.raises(PluginLoadError) as stopped:
        assemble(STRICT, [good(), make()], load_entrypoints=False)
    assert message in str(stopped.value)
    assert "\n" not in str(stopped.value)


@pytest.mark.parametrize(("kind", "make", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_skipping_broken_plugins_starts_without_it_and_logs_one_line(
    kind: str,
    make: Callable[[], ModuleType],
    message: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = make()
    caplog.set_level(logging.WARNING, logger="pmo_graph.plugins")
    assembly = assemble(LENIENT, [good(), broken], load_entrypoints=False)
    assert [s.name for s in assembly.skipped] == [broken.__name__]
    assert message in assembly.skipped[0].reason
    assert broken.__name__ not in [p.name for p in assembly.registry.plugins]
    assert "good" in assembly.registry.tiers
    assert "goodAnswer" in assembly.built.schema.as_str()
    (warning,) = [r.getMessage() for r in caplog.records if r.name == "pmo_graph.plugins"]
    assert warning.startswith(f"skipping broken plugin {broken.__name__!r}: ")
    assert message in warning


def test_an_sql_template_scoped_to_the_organisation_starts() -> None:
    assembly = assemble(
        STRICT,
        [good(), plugin("scoped", register_query_fields=lambda: [ScopedField])],
        load_entrypoints=False,
    )
    assert "ourProjects" in assembly.built.schema.as_str()


def test_a_plugin_that_needs_a_skipped_plugin_is_skipped_too() -> None:
    base = plugin("base", register_tiers=tier("base"), register_permissions=_raise)
    child = plugin("child", register_tiers=tier("child", "base"))
    assembly = assemble(LENIENT, [good(), base, child], load_entrypoints=False)
    assert [s.name for s in assembly.skipped] == ["base", "child"]
    assert "requires tier 'base'" in assembly.skipped[1].reason
    assert sorted(assembly.registry.tiers) == ["good"]


def test_a_failure_that_blames_no_single_plugin_still_stops() -> None:
    loop = plugin(
        "loop",
        register_tiers=lambda: [
            Tier(key="x", name="X", level=1, requires=("y",), description="X"),
            Tier(key="y", name="Y", level=1, requires=("x",), description="Y"),
        ],
    )
    with pytest.raises(PluginLoadError, match="the prerequisites of tiers x, y form a cycle"):
        assemble(LENIENT, [loop], load_entrypoints=False)


def test_schema_composition_errors_are_plugin_load_errors_that_name_the_plugin() -> None:
    with pytest.raises(SchemaCompositionError) as stopped:
        assemble(STRICT, [good(), plugin("clash", register_query_fields=lambda: [ClashingField])])
    assert stopped.value.plugin == "clash"


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pmo_graph", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_skip_broken_plugins_flag_lists_the_broken_plugin_as_skipped(tmp_path: Path) -> None:
    env = fake_distribution(tmp_path, "raise ImportError('needs numpy 9')\n")
    result = _run(["--skip-broken-plugins", "plugins", "list"], env)
    assert result.returncode == 0, result.stderr
    listed = result.stdout.splitlines()
    assert listed[-1] == (
        "broken\tskipped: plugin 'pmo-graph-broken' (entry point 'broken' = 'broken_plugin') "
        "failed to import: ImportError('needs numpy 9'); fix it or uninstall it "
        "(pip uninstall pmo-graph-broken)"
    )
    assert any(line.startswith("pmo-graph-pso 0.1.0\tpso (level 1)") for line in listed)
    # the same through the environment variable
    lenient = _run(["plugins", "list"], {**env, "PMO_GRAPH_SKIP_BROKEN_PLUGINS": "true"})
    assert lenient.stdout == result.stdout
    strict = _run(["plugins", "list"], env)
    assert strict.returncode == 1
    assert strict.stderr.startswith("Error: plugin 'pmo-graph-broken' (entry point 'broken'")
