"""``UserError.code`` is the enum ``UserErrorCode``: the codes the core and the plugins register."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from types import ModuleType

import pytest
from graphql import GraphQLEnumType, GraphQLNonNull

from plugin_doubles import plugin
from pmo_graph.app_state import AppState
from pmo_graph.graphql.schema import build_schema
from pmo_graph.graphql.user_error_codes import UserErrorCodeSpec
from pmo_graph.plugins.loading import load_plugins
from pmo_graph.plugins.manager import PluginLoadError
from pmo_graph.settings import Settings
from pmo_graph.testing import TestOrganisation

SETTINGS = Settings(database_url="sqlite+aiosqlite:///:memory:")
CORE_CODES = [
    "INVALID",
    "NOT_FOUND",
    "DUPLICATE",
    "CONFLICT",
    "PREREQUISITE_NOT_MET",
    "REQUIRED_BY_OTHER_TIER",
]


def codes(*specs: UserErrorCodeSpec) -> Callable[[], Iterable[UserErrorCodeSpec]]:
    def register_user_error_codes() -> Iterable[UserErrorCodeSpec]:
        return list(specs)

    return register_user_error_codes


def user_error_code_type(*modules: ModuleType) -> GraphQLEnumType:
    built = build_schema(load_plugins(modules, load_entrypoints=False), SETTINGS)
    field = built.schema._schema.get_type("UserError").fields["code"]  # type: ignore[union-attr]
    assert isinstance(field.type, GraphQLNonNull)
    assert isinstance(field.type.of_type, GraphQLEnumType)
    return field.type.of_type


def test_the_core_registers_its_codes_each_described() -> None:
    enum = user_error_code_type()
    assert enum.name == "UserErrorCode"
    assert list(enum.values) == CORE_CODES
    assert all(len(value.description or "") > 40 for value in enum.values.values())


def test_a_plugin_adds_its_codes_with_their_descriptions() -> None:
    extra = UserErrorCodeSpec("OVERBOOKED", "The room is taken then; choose another time.")
    enum = user_error_code_type(plugin("rooms", register_user_error_codes=codes(extra)))
    assert list(enum.values) == [*CORE_CODES, "OVERBOOKED"]
    assert enum.values["OVERBOOKED"].description == extra.description


def test_the_pmo_tier_registers_cycle_and_over_attributed(pmo_state: AppState) -> None:
    registered = pmo_state.built.user_error_codes
    assert {"CYCLE", "OVER_ATTRIBUTED"} <= set(registered)
    assert "\n  OVER_ATTRIBUTED\n" in pmo_state.built.schema.as_str()


def test_two_plugins_registering_one_code_stop_start_up() -> None:
    spec = UserErrorCodeSpec("OVERBOOKED", "The room is taken then.")
    with pytest.raises(
        PluginLoadError,
        match="plugin 'rooms' registers user error code 'OVERBOOKED', which 'desks' already "
        "registered",
    ):
        user_error_code_type(
            plugin("desks", register_user_error_codes=codes(spec)),
            plugin("rooms", register_user_error_codes=codes(spec)),
        )


def test_a_plugin_registering_a_core_code_again_stops_start_up() -> None:
    with pytest.raises(PluginLoadError, match="'INVALID', which 'pmo-graph' already registered"):
        user_error_code_type(
            plugin("again", register_user_error_codes=codes(UserErrorCodeSpec("INVALID", "Bad.")))
        )


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("OVERBOOKED", "not a pmo_graph.graphql.user_error_codes.UserErrorCodeSpec"),
        (UserErrorCodeSpec("overbooked", "Taken."), "is not UPPER_SNAKE_CASE"),
        (UserErrorCodeSpec("OVERBOOKED", " "), "has no description"),
    ],
)
def test_a_malformed_code_stops_start_up(entry: object, problem: str) -> None:
    def register_user_error_codes() -> Iterable[object]:
        return [entry]

    with pytest.raises(PluginLoadError, match=problem) as raised:
        user_error_code_type(plugin("rooms", register_user_error_codes=register_user_error_codes))
    assert raised.value.plugin == "rooms"


async def test_codes_are_answered_as_enum_values(org: TestOrganisation) -> None:
    create = 'mutation { createPerson(input: {name: "P", email: "twice@example.org"}) { userErrors { code } } }'
    await org.admin.mutate(create)
    again = await org.admin.query(create)
    assert again["createPerson"]["userErrors"] == [{"code": "DUPLICATE"}]


async def test_a_mutation_answering_an_unregistered_code_fails_loudly(
    org: TestOrganisation,
    pmo_state: AppState,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # As if no plugin had registered DUPLICATE: the mutation that answers it is the bug.
    monkeypatch.delitem(pmo_state.built.user_error_codes, "DUPLICATE")
    create = 'mutation { createPerson(input: {name: "P", email: "unregistered@example.org"}) { person { id } userErrors { code } } }'
    await org.admin.execute(create)
    caplog.set_level(logging.ERROR)
    answer = await org.admin.execute(create)
    assert answer["data"] is None
    assert answer["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert any(
        "mutation createPerson answered user error code 'DUPLICATE', which no plugin registered"
        in (record.getMessage() + str(record.exc_info and record.exc_info[1]))
        for record in caplog.records
    )
