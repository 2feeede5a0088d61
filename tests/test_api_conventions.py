"""The API conventions of the product contract (docs: product.md §4), checked on schema.graphql
(which test_cli holds equal to the SDL the code generates): payloads name their thing after its
type, and lists that can grow without bound are connections."""

from __future__ import annotations

from pathlib import Path

from graphql import (
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    get_named_type,
    is_list_type,
)

REPO = Path(__file__).resolve().parent.parent

#: Plain lists of entities, each with why it stays small. Anything else that returns a list of
#: entities must be a connection.
SMALL_LISTS = {
    # Named by the contract as lists under one parent that stay small.
    "Project.milestones",
    "Project.assignments",
    "Project.risks",
    "Project.issues",
    "Person.assignments",
    "Portfolio.commonIssues",
    "Programme.benefits",
    "Programme.tranches",
    "Programme.objectives",
    # Bounded by a small list of the parent's: a benefit serves a few of its programme's
    # objectives, a milestone depends on a few of its project's, an issue touches a few
    # projects, a scenario makes a few changes.
    "Benefit.objectives",
    "Milestone.dependencies",
    "Issue.projects",
    "Scenario.changes",
    # Computed reports: at most the organisation's current projects or milestones, as of a day.
    "Overallocation.projects",
    "RiskProfile.unassessed",
    "Selection.projects",
    "StatusSummary.stale",
    "Synchronisation.criticalPath",
    "Synchronisation.outOfStep",
    "ProgrammeOutOfStep.projects",
    # A profile as of a day: self-assessments come a few a year.
    "MaturityProfile.history",
}


def _schema() -> GraphQLSchema:
    return build_schema((REPO / "schema.graphql").read_text())


def _lower_camel(name: str) -> str:
    return name[0].lower() + name[1:]


def _unwrapped(field: GraphQLField) -> object:
    kind = field.type
    return kind.of_type if isinstance(kind, GraphQLNonNull) else kind


def test_a_payload_names_its_thing_after_the_things_type() -> None:
    schema = _schema()
    payloads = [
        t for name, t in schema.type_map.items() if name.endswith("Payload") and name != "Payload"
    ]
    assert len(payloads) > 20
    wrong = []
    for payload in payloads:
        assert isinstance(payload, GraphQLObjectType)
        assert str(payload.fields["userErrors"].type) == "[UserError!]!", payload.name
        for name, field in payload.fields.items():
            kind = _unwrapped(field)
            if name == "userErrors" or field.deprecation_reason or is_list_type(kind):
                continue
            if isinstance(kind, GraphQLObjectType) and name != _lower_camel(kind.name):
                wrong.append(f"{payload.name}.{name}: {kind.name}")
    assert wrong == []


def test_lists_of_entities_are_connections_unless_they_stay_small() -> None:
    schema = _schema()
    node = schema.get_type("Node")
    plain = set()
    for type_name, kind in schema.type_map.items():
        if not isinstance(kind, GraphQLObjectType) or type_name.endswith("Connection"):
            continue
        for name, field in kind.fields.items():
            inner = _unwrapped(field)
            if not is_list_type(inner):
                continue
            item = get_named_type(inner)
            if isinstance(item, GraphQLObjectType) and node in item.interfaces:
                plain.add(f"{type_name}.{name}")
    assert plain - SMALL_LISTS == set(), "a list that can grow without bound must be a connection"
    assert SMALL_LISTS - plain == set(), "SMALL_LISTS names a field that is no longer a list"


def test_support_engagements_and_scenarios_are_connections() -> None:
    schema = _schema()
    for type_name, name, connection in (
        ("Project", "supportEngagements", "SupportEngagementConnection!"),
        ("Person", "supportReceived", "SupportEngagementConnection!"),
        ("Portfolio", "scenarios", "ScenarioConnection!"),
    ):
        kind = schema.get_type(type_name)
        assert isinstance(kind, GraphQLObjectType)
        field = kind.fields[name]
        assert str(field.type) == connection
        assert {"first", "after"} <= set(field.args)
