"""``installation``: what is installed, for ADMINs, through GraphQL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pmo_graph import PLUGIN_API_VERSION
from pmo_graph.auth.roles import Role
from pmo_graph.testing import TestOrganisation

QUERY = """{ installation { pluginApiVersion plugins {
    name distribution version pluginApi loaded problem hooks tiers { key requires enabled }
} } }"""


async def test_admins_see_every_plugin_with_its_tiers_hooks_and_api(
    make_org: Callable[..., Awaitable[TestOrganisation]],
) -> None:
    org = await make_org(tiers=[])
    installation = (await org.admin.query(QUERY))["installation"]
    assert installation["pluginApiVersion"] == PLUGIN_API_VERSION
    plugins = {p["name"]: p for p in installation["plugins"]}
    assert next(iter(plugins)) == "core"
    core = plugins["core"]
    assert (core["distribution"], core["pluginApi"], core["tiers"]) == (
        "pmo-graph",
        PLUGIN_API_VERSION,
        [],
    )
    assert "register_query_fields" in core["hooks"]
    pso = plugins["pso"]
    assert pso["distribution"] == "pmo-graph-pso"
    assert pso["version"] == "0.1.0"
    assert pso["pluginApi"] == ">=1.3,<2"
    assert pso["tiers"] == [{"key": "pso", "requires": [], "enabled": False}]
    assert pso["hooks"] == sorted(pso["hooks"])
    assert {"register_tiers", "register_migrations", "register_standards"} <= set(pso["hooks"])
    assert plugins["pmo"]["tiers"] == [{"key": "pmo", "requires": ["portfolio"], "enabled": False}]
    assert "handle_event_in_transaction" in plugins["pmo"]["hooks"]
    assert all(p["loaded"] and p["problem"] is None for p in plugins.values())
    # the test double, loaded as a module rather than installed, is named by its module
    assert plugins["sample_plugin.plugin"]["distribution"] == "sample_plugin.plugin"


async def test_enabled_is_the_viewers_organisation(
    make_org: Callable[..., Awaitable[TestOrganisation]],
) -> None:
    org = await make_org(tiers=["pso"])
    plugins = (await org.admin.query(QUERY))["installation"]["plugins"]
    pso = next(p for p in plugins if p["name"] == "pso")
    assert pso["tiers"][0]["enabled"] is True


async def test_only_admins_may_look(org: TestOrganisation) -> None:
    (error,) = await org.client(Role.OFFICE).errors("{ installation { pluginApiVersion } }")
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["message"].startswith("You may not installation: it needs one of the roles ADMIN")
