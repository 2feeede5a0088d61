"""Tiers: enabling and disabling with prerequisites, gating of fields, nodes and hooks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import graphql

from helpers import CREATE_PROJECT
from pmo_graph.auth.roles import Role
from pmo_graph.testing import StatementCounter, TestOrganisation
from sample_plugin.plugin import RECEIVED

ENABLE = """
mutation($key: String!) {
  enableTier(input: {key: $key}) { tier { key enabled requires level plugin } userErrors { field message code } }
}
"""
DISABLE = """
mutation($key: String!) {
  disableTier(input: {key: $key}) { tier { key enabled } userErrors { field message code } }
}
"""
ADD_NOTE = """
mutation($projectId: ID!, $text: String!) {
  addSampleNote(input: {projectId: $projectId, text: $text}) {
    sampleNote { id text project { code } } userErrors { field message code }
  }
}
"""

MakeOrg = Callable[..., Awaitable[TestOrganisation]]


async def _enabled(org: TestOrganisation) -> dict[str, bool]:
    data = await org.admin.query("{ tiers { key enabled } }")
    return {t["key"]: t["enabled"] for t in data["tiers"]}


async def test_tiers_lists_every_installed_tier_in_prerequisite_order(make_org: MakeOrg) -> None:
    org = await make_org(tiers=["pso"])
    data = await org.admin.query(
        "{ tiers { key name level requires enabled plugin } viewer { organisation { tiers { key } } } }"
    )
    keys = [t["key"] for t in data["tiers"]]
    assert sorted(keys) == ["pmo", "portfolio", "pso", "sample"]
    assert keys.index("pso") < keys.index("portfolio") < keys.index("pmo")
    by_key = {t["key"]: t for t in data["tiers"]}
    assert by_key["pso"] == {
        "key": "pso",
        "name": "Project support office",
        "level": 1,
        "requires": [],
        "enabled": True,
        "plugin": "pmo-graph-pso",
    }
    assert by_key["portfolio"]["requires"] == ["pso"]
    assert by_key["pmo"]["requires"] == ["portfolio"]
    assert by_key["pmo"]["enabled"] is False
    assert [t["key"] for t in data["viewer"]["organisation"]["tiers"]] == keys


async def test_enabling_pmo_before_portfolio_is_refused(make_org: MakeOrg) -> None:
    org = await make_org()
    payload = (await org.admin.query(ENABLE, {"key": "pmo"}))["enableTier"]
    assert payload["tier"] is None
    assert payload["userErrors"] == [
        {
            "field": ["key"],
            "message": "Tier 'pmo' requires 'portfolio'; enable it first.",
            "code": "PREREQUISITE_NOT_MET",
        }
    ]
    assert (await _enabled(org))["pmo"] is False


async def test_tiers_switch_on_in_order_and_off_in_reverse(make_org: MakeOrg) -> None:
    org = await make_org()
    for key in ("pso", "portfolio", "pmo"):
        payload = await org.admin.mutate(ENABLE, {"key": key})
        assert payload["tier"]["key"] == key
        assert payload["tier"]["enabled"] is True
    refused = (await org.admin.query(DISABLE, {"key": "pso"}))["disableTier"]
    assert refused["userErrors"][0]["code"] == "REQUIRED_BY_OTHER_TIER"
    assert "'portfolio'" in refused["userErrors"][0]["message"]
    assert (await _enabled(org))["pso"] is True
    for key in ("pmo", "portfolio", "pso"):
        payload = await org.admin.mutate(DISABLE, {"key": key})
        assert payload["tier"] == {"key": key, "enabled": False}
    enabled = await _enabled(org)
    assert not any(enabled[k] for k in ("pso", "portfolio", "pmo"))


async def test_enabling_twice_is_harmless_and_unknown_keys_are_named(make_org: MakeOrg) -> None:
    org = await make_org()
    await org.admin.mutate(ENABLE, {"key": "pso"})
    again = await org.admin.mutate(ENABLE, {"key": "pso"})
    assert again["tier"]["enabled"] is True
    unknown = (await org.admin.query(ENABLE, {"key": "lessons"}))["enableTier"]
    assert unknown["userErrors"][0]["code"] == "NOT_FOUND"
    assert "installed: " in unknown["userErrors"][0]["message"]


async def test_only_admins_switch_tiers(make_org: MakeOrg) -> None:
    org = await make_org()
    for role in Role:
        if role is Role.ADMIN:
            continue
        errors = await org.client(role).errors(ENABLE, {"key": "pso"})
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    assert (await _enabled(org))["pso"] is False


async def _project(org: TestOrganisation, code: str = "T-1") -> str:
    payload = await org.admin.mutate(CREATE_PROJECT, {"input": {"code": code, "name": "Tiered"}})
    return str(payload["project"]["id"])


async def test_a_disabled_tier_hides_its_fields_nodes_and_mutations_and_keeps_its_data(
    make_org: MakeOrg,
) -> None:
    org = await make_org(tiers=["sample"])
    project_id = await _project(org)
    note = (await org.admin.mutate(ADD_NOTE, {"projectId": project_id, "text": "kept"}))[
        "sampleNote"
    ]
    await org.admin.mutate(DISABLE, {"key": "sample"})

    field = await org.admin.execute(
        "query($id: ID!) { node(id: $id) { ... on Project { code sampleNotes { text } } } }",
        {"id": project_id},
    )
    assert field["errors"][0]["extensions"] == {"code": "TIER_NOT_ENABLED", "tier": "sample"}
    assert field["errors"][0]["path"] == ["node", "sampleNotes"]
    root = await org.admin.errors("{ sampleNoteCount }")
    assert root[0]["extensions"]["code"] == "TIER_NOT_ENABLED"
    node = await org.admin.errors("query($id: ID!) { node(id: $id) { id } }", {"id": note["id"]})
    assert node[0]["extensions"]["code"] == "TIER_NOT_ENABLED"
    nodes = await org.admin.errors(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [project_id, note["id"]]}
    )
    assert nodes[0]["extensions"]["code"] == "TIER_NOT_ENABLED"
    mutation = await org.admin.errors(ADD_NOTE, {"projectId": project_id, "text": "lost"})
    assert mutation[0]["extensions"]["code"] == "TIER_NOT_ENABLED"

    await org.admin.mutate(ENABLE, {"key": "sample"})
    data = await org.admin.query(
        "query($id: ID!) { node(id: $id) { ... on Project { sampleNotes { id text } } } "
        "sampleNoteCount }",
        {"id": project_id},
    )
    assert data["node"]["sampleNotes"] == [{"id": note["id"], "text": "kept"}]
    assert data["sampleNoteCount"] == 1


async def test_switching_a_tier_runs_no_ddl(
    make_org: MakeOrg, count_statements: StatementCounter
) -> None:
    org = await make_org()
    count_statements.reset()
    await org.admin.mutate(ENABLE, {"key": "pso"})
    await org.admin.mutate(DISABLE, {"key": "pso"})
    ddl = [
        s
        for s in count_statements.statements
        if s.lstrip().upper().startswith(("CREATE", "ALTER", "DROP"))
    ]
    assert count_statements.count > 0
    assert ddl == []


async def test_hooks_are_not_called_for_organisations_without_the_tier(make_org: MakeOrg) -> None:
    with_tier = await make_org(tiers=["sample"])
    without = await make_org()
    RECEIVED.clear()
    await _project(with_tier, "HOOK-1")
    await _project(without, "HOOK-2")
    organisations = {event.organisation_id for event in RECEIVED}
    assert organisations == {with_tier.id}
    assert {event.name for event in RECEIVED} >= {"project.created"}


async def test_the_sdl_marks_tier_fields() -> None:
    from pmo_graph.app import create_app
    from pmo_graph.settings import Settings
    from sample_plugin import plugin

    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:"), [plugin], prepare=False)
    sdl = app.state.pmo.built.schema.as_str()
    assert 'sampleNotes: [SampleNote!]! @tier(key: "sample")' in sdl
    assert 'type SampleNote implements Node @tier(key: "sample")' in sdl
    directive = graphql.build_schema(sdl).get_directive("tier")
    assert directive is not None
    assert [str(directive.args["key"].type)] == ["String!"]
    assert [location.name for location in directive.locations] == ["FIELD_DEFINITION", "OBJECT"]
    assert directive.args["key"].description


async def test_standards_list_those_of_enabled_tiers(make_org: MakeOrg) -> None:
    org = await make_org(tiers=["sample"])
    standards = (await org.admin.query("{ standards { key name severity tier } }"))["standards"]
    assert {
        "key": "SAMPLE_NOTED",
        "name": "Sample note",
        "severity": "LOW",
        "tier": "sample",
    } in standards
    await org.admin.mutate(DISABLE, {"key": "sample"})
    keys = [s["key"] for s in (await org.admin.query("{ standards { key } }"))["standards"]]
    assert "SAMPLE_NOTED" not in keys
