"""The tier: how it is installed, switched on, and gated. With `lessons` off every one of its fields
and mutations answers TIER_NOT_ENABLED; the cases are checked against the schema, so a new field
needs one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from lessons_helpers import DISABLE, ENABLE, project, record
from pmo_graph.app_state import AppState
from pmo_graph.sdk import PLUGIN_API as PLUGIN_API_VERSION
from pmo_graph.sdk import field_tier
from pmo_graph.testing import TestOrganisation
from pmo_graph_lessons import plugin

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

#: type.field → a document that reads it ($project and $lesson are filled in).
READS = {
    "Project.lessons": "query($project: ID!) { node(id: $project) { ... on Project { lessons { totalCount } } } }",
    "Project.lessonReview": "query($project: ID!) { node(id: $project) { ... on Project { lessonReview { dueOn } } } }",
    "Query.lessons": '{ lessons(search: "x") { totalCount } }',
    "Query.lessonReviews": "{ lessonReviews { totalCount } }",
}
#: Subscriptions, gated when subscribing: test_lessons_subscription.py checks each one.
SUBSCRIPTIONS = {"Subscription.lessonRecorded"}
WRITES: dict[str, tuple[str, Callable[[dict[str, str]], dict[str, Any]]]] = {
    "recordLesson": (
        "RecordLessonInput",
        lambda ids: {"projectId": ids["project"], "title": "Gated"},
    ),
    "updateLesson": (
        "UpdateLessonInput",
        lambda ids: {"lessonId": ids["lesson"], "title": "Gated again"},
    ),
}


def test_the_plugin_declares_the_plugin_api_it_supports() -> None:
    from packaging.specifiers import SpecifierSet

    assert plugin.PLUGIN_API == ">=1.1,<2"
    assert PLUGIN_API_VERSION in SpecifierSet(plugin.PLUGIN_API)


def test_the_suite_loads_pso_and_lessons_from_their_entry_points(pmo_state: AppState) -> None:
    registry = pmo_state.registry
    plugins = {info.name: info for info in registry.plugins}
    assert set(plugins) == {"core", "pso", "lessons"}
    assert plugins["lessons"].module is plugin
    assert plugins["lessons"].distribution == "pmo-graph-lessons"
    assert registry.tier_order == ["pso", "lessons"]


def test_every_lessons_field_has_a_case(pmo_state: AppState) -> None:
    schema = pmo_state.built.schema
    gated: set[str] = set()
    converter = schema.config.name_converter
    for name in schema._schema.type_map:
        definition = schema.get_type_by_name(name)
        for field in getattr(definition, "fields", None) or []:
            if field_tier(field) == "lessons":
                gated.add(f"{name}.{converter.from_field(field)}")
    assert gated == set(READS) | {f"Mutation.{name}" for name in WRITES} | SUBSCRIPTIONS


async def test_the_tier_is_listed_with_its_prerequisite(make_org: MakeOrg) -> None:
    org = await make_org()
    data = await org.admin.query("{ tiers { key name level requires enabled plugin description } }")
    (tier,) = [t for t in data["tiers"] if t["key"] == "lessons"]
    assert tier["name"] == "Lessons learned"
    assert tier["level"] == 2
    assert tier["requires"] == ["pso"]
    assert tier["enabled"] is False
    assert tier["plugin"] == "pmo-graph-lessons"
    assert "P3O centre-of-excellence lessons-learned log" in tier["description"]


async def test_lessons_needs_pso_on_first_and_pso_stays_on_while_lessons_is(
    make_org: MakeOrg,
) -> None:
    org = await make_org()
    refused = (await org.admin.query(ENABLE, {"key": "lessons"}))["enableTier"]
    assert refused["userErrors"] == [
        {
            "field": ["key"],
            "message": "Tier 'lessons' requires 'pso'; enable it first.",
            "code": "PREREQUISITE_NOT_MET",
        }
    ]
    await org.admin.mutate(ENABLE, {"key": "pso"})
    assert (await org.admin.mutate(ENABLE, {"key": "lessons"}))["tier"] == {
        "key": "lessons",
        "enabled": True,
    }
    blocked = (await org.admin.query(DISABLE, {"key": "pso"}))["disableTier"]
    assert blocked["userErrors"][0]["code"] == "REQUIRED_BY_OTHER_TIER"


async def test_lessons_off_hides_everything_and_on_again_shows_it_all(make_org: MakeOrg) -> None:
    org = await make_org(tiers=["pso", "lessons"])
    client = org.admin
    ids = {"project": await project(client, "GATED")}
    ids["lesson"] = (await record(client, ids["project"], "Kept while off"))["id"]

    await client.mutate(DISABLE, {"key": "lessons"})
    for name, document in READS.items():
        errors = await client.errors(document, ids)
        assert errors[0]["extensions"] == {"code": "TIER_NOT_ENABLED", "tier": "lessons"}, name
    for name, (input_type, make_input) in WRITES.items():
        document = f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ userErrors {{ code }} }} }}"
        errors = await client.errors(document, {"input": make_input(ids)})
        assert errors[0]["extensions"] == {"code": "TIER_NOT_ENABLED", "tier": "lessons"}, name
    # The tier's ids are refused too.
    errors = await client.errors("query($id: ID!) { node(id: $id) { id } }", {"id": ids["lesson"]})
    assert errors[0]["extensions"] == {"code": "TIER_NOT_ENABLED", "tier": "lessons"}
    standards = await client.query("{ standards { key } }")
    assert "LESSONS_CAPTURED" not in [s["key"] for s in standards["standards"]]

    await client.mutate(ENABLE, {"key": "lessons"})
    data = await client.query(READS["Project.lessons"], ids)
    assert data["node"]["lessons"]["totalCount"] == 1
    found = await client.query(
        "query($id: ID!) { node(id: $id) { ... on Lesson { title } } }", {"id": ids["lesson"]}
    )
    assert found["node"] == {"title": "Kept while off"}


async def test_an_organisation_with_pso_only_sees_no_lessons(make_org: MakeOrg) -> None:
    org = await make_org(tiers=["pso"])
    errors = await org.admin.errors("{ lessons { totalCount } }")
    assert errors[0]["extensions"] == {"code": "TIER_NOT_ENABLED", "tier": "lessons"}
    assert "enableTier" in errors[0]["message"]
