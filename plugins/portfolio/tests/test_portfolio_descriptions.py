"""The tier's part of the API is described, and the parents a row always has are non-null."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable, Iterator
from types import ModuleType

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLNamedType,
    GraphQLObjectType,
)
from portfolio_helpers import make_portfolio, make_project, organisation, risk

import pmo_graph_portfolio
from pmo_graph.app_state import AppState
from pmo_graph.graphql.description_audit import written_text
from pmo_graph.graphql.schema import schema_field_name
from pmo_graph.sdk import Role
from pmo_graph.testing import TestOrganisation
from pmo_graph_portfolio import plugin

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

#: What the core describes for every type alike (docs/api.md): the paging arguments, a
#: mutation's ``input`` and a payload's ``userErrors``.
GENERIC_ARGUMENTS = {"first", "after", "last", "before", "input"}
GENERIC_FIELDS = {"userErrors"}


def _modules() -> Iterator[ModuleType]:
    prefix = f"{pmo_graph_portfolio.__name__}."
    for found in pkgutil.walk_packages(pmo_graph_portfolio.__path__, prefix):
        yield importlib.import_module(found.name)


def _host_types() -> dict[type, str]:
    """The tier's classes that add fields to another type, with that type's name."""
    manifest = plugin.MANIFEST
    hosts = dict.fromkeys(manifest.query_fields or (), "Query")
    hosts |= dict.fromkeys(manifest.mutation_fields or (), "Mutation")
    hosts |= dict.fromkeys(manifest.subscription_fields or (), "Subscription")
    for host, extensions in (manifest.type_extensions or {}).items():
        hosts |= dict.fromkeys(extensions, host)
    return hosts


def _own_types() -> Iterator[tuple[type, str]]:
    """Every strawberry type, input and enum the tier's modules define, by GraphQL name."""
    seen: set[type] = set()
    for module in _modules():
        for value in vars(module).values():
            if not isinstance(value, type) or value.__module__ != module.__name__:
                continue
            if value in seen:
                continue
            seen.add(value)
            definition = getattr(value, "__strawberry_definition__", None) or getattr(
                value, "_enum_definition", None
            )
            if definition is not None:
                yield value, definition.name


def _undescribed_field(owner: str, name: str, field: GraphQLField) -> Iterator[str]:
    if name in GENERIC_FIELDS:
        return
    if not written_text(field.description):
        yield f"{owner}.{name}"
    for argument, definition in field.args.items():
        if argument not in GENERIC_ARGUMENTS and not written_text(definition.description):
            yield f"{owner}.{name}({argument}:)"


def _undescribed_type(kind: GraphQLNamedType) -> Iterator[str]:
    if not written_text(kind.description):
        yield kind.name
    if isinstance(kind, GraphQLObjectType):
        for name, field in kind.fields.items():
            yield from _undescribed_field(kind.name, name, field)
    if isinstance(kind, GraphQLInputObjectType):
        for name, input_field in kind.fields.items():
            if not written_text(input_field.description):
                yield f"{kind.name}.{name}"
    if isinstance(kind, GraphQLEnumType):
        for name, value in kind.values.items():
            if not written_text(value.description):
                yield f"{kind.name}.{name}"


def test_every_type_field_argument_and_enum_value_of_the_tier_is_described(
    pmo_state: AppState,
) -> None:
    schema = pmo_state.built.schema._schema
    hosts = _host_types()
    missing: list[str] = []
    for cls, name in _own_types():
        if cls in hosts:
            host = schema.type_map[hosts[cls]]
            assert isinstance(host, GraphQLObjectType)
            for field in cls.__strawberry_definition__.fields:  # type: ignore[attr-defined]
                field_name = schema_field_name(field)
                missing += _undescribed_field(host.name, field_name, host.fields[field_name])
        else:
            missing += _undescribed_type(schema.type_map[name])
    assert missing == []


PARENT_TYPES = """
{ risk: __type(name: "Risk") { fields { name type { kind ofType { name } } } }
  scenario: __type(name: "Scenario") { fields { name type { kind ofType { name } } } } }
"""


async def test_the_parent_of_a_risk_and_of_a_scenario_is_non_null(make_org: MakeOrg) -> None:
    org = await organisation(make_org)
    data = await org.admin.query(PARENT_TYPES)
    types = {
        (owner, field["name"]): field["type"]
        for owner in ("risk", "scenario")
        for field in data[owner]["fields"]
    }
    assert types[("risk", "project")] == {"kind": "NON_NULL", "ofType": {"name": "Project"}}
    assert types[("scenario", "portfolio")] == {
        "kind": "NON_NULL",
        "ofType": {"name": "Portfolio"},
    }
    # The references a row may lack stay nullable.
    assert types[("risk", "owner")] == {"kind": "OBJECT", "ofType": None}


PARENTS = """
query($r: ID!, $s: ID!) {
  risk: node(id: $r) { ... on Risk { title project { code } } }
  scenario: node(id: $s) { ... on Scenario { name portfolio { name } } }
}
"""


async def test_a_risk_answers_its_project_and_a_scenario_its_portfolio(
    make_org: MakeOrg,
) -> None:
    org = await organisation(make_org)
    portfolio = await make_portfolio(org.admin, "Customer change")
    project = await make_project(org.admin, "CX-001", portfolio)
    raised = await risk(org.admin, project, 4, 5, title="Certification late")
    created = await org.admin.mutate(
        'mutation($f: ID!) { createScenario(input: {portfolioId: $f, name: "Rob Peter"}) '
        "{ scenario { id } userErrors { code } } }",
        {"f": portfolio},
    )
    # A VIEWER reads them as anyone does.
    data = await org.client(Role.VIEWER).query(
        PARENTS, {"r": raised["id"], "s": created["scenario"]["id"]}
    )
    assert data == {
        "risk": {"title": "Certification late", "project": {"code": "CX-001"}},
        "scenario": {"name": "Rob Peter", "portfolio": {"name": "Customer change"}},
    }
