"""Descriptions: the generic ones the core writes for every plugin, the tier each gated thing
needs, described enum values, and a core schema with every description written."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Any

import pytest
import strawberry
from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema, specified_directives
from graphql import build_schema as graphql_build_schema
from strawberry.types import Info

from plugin_doubles import plugin
from pmo_graph.enums import described_enum
from pmo_graph.graphql.description_audit import undescribed
from pmo_graph.graphql.pagination import Connection
from pmo_graph.graphql.payloads import UserError
from pmo_graph.graphql.schema import BuiltSchema, build_schema
from pmo_graph.graphql.tiers import tier_field, tier_mutation
from pmo_graph.plugins import Tier
from pmo_graph.plugins.loading import load_plugins
from pmo_graph.settings import Settings
from pmo_graph.testing import TestOrganisation

REPO = Path(__file__).resolve().parent.parent
SETTINGS = Settings(
    database_url="sqlite+aiosqlite:///:memory:", max_page_size=321, default_page_size=12
)


@strawberry.type(description="A room of the office.")
class Room:
    name: str = strawberry.field(description="What the office calls it.")


@strawberry.type
class RoomPayload:
    room: Room | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class BookRoomInput:
    name: str


@strawberry.type
class RoomQuery:
    @tier_field("rooms", description="The office's rooms, by name.")
    def rooms(
        self,
        info: Info[Any, Any],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Room]:
        raise NotImplementedError

    @tier_field("rooms")
    def room_count(self) -> int:
        return 0

    @tier_field(
        "rooms",
        description="The room called so.",
    )
    def room(
        self,
        after: Annotated[
            str | None, strawberry.argument(description="Written by the plugin.")
        ] = None,
    ) -> Room | None:
        return None


@strawberry.type
class RoomMutation:
    @tier_mutation("rooms", description="Book a room.")
    def book_room(self, input: BookRoomInput) -> RoomPayload:
        raise NotImplementedError


def rooms_plugin() -> Any:
    return plugin(
        "rooms",
        register_tiers=lambda: [Tier(key="rooms", name="Rooms", level=1, description="Rooms.")],
        register_types=lambda: [Room],
        register_query_fields=lambda: [RoomQuery],
        register_mutation_fields=lambda: [RoomMutation],
    )


@pytest.fixture(scope="module")
def rooms_built() -> BuiltSchema:
    return build_schema(load_plugins([rooms_plugin()], load_entrypoints=False), SETTINGS)


@pytest.fixture(scope="module")
def rooms_schema(rooms_built: BuiltSchema) -> GraphQLSchema:
    return rooms_built.schema._schema


def object_type(schema: GraphQLSchema, name: str) -> GraphQLObjectType | GraphQLInterfaceType:
    found = schema.get_type(name)
    assert isinstance(found, (GraphQLObjectType, GraphQLInterfaceType)), name
    return found


def test_pagination_arguments_say_the_servers_page_sizes(rooms_schema: GraphQLSchema) -> None:
    args = object_type(rooms_schema, "Query").fields["rooms"].args
    assert "0 to 321" in (args["first"].description or "")
    assert "Without `first` and `last`, 12." in (args["first"].description or "")
    assert "0 to 321" in (args["last"].description or "")
    assert "pageInfo.endCursor" in (args["after"].description or "")
    assert "pageInfo.startCursor" in (args["before"].description or "")


def test_a_description_the_plugin_wrote_is_kept(rooms_schema: GraphQLSchema) -> None:
    args = object_type(rooms_schema, "Query").fields["room"].args
    assert args["after"].description == "Written by the plugin."


def test_connections_edges_and_payloads_are_described(rooms_schema: GraphQLSchema) -> None:
    connection = object_type(rooms_schema, "RoomConnection")
    edge = object_type(rooms_schema, "RoomEdge")
    payload = object_type(rooms_schema, "RoomPayload")
    mutation = object_type(rooms_schema, "Mutation")
    for described in (
        connection.fields["edges"],
        connection.fields["pageInfo"],
        edge.fields["node"],
    ):
        assert described.description
    fields = payload.fields
    assert (fields["userErrors"].description or "").startswith("Why nothing was written")
    assert fields["room"].description == (
        "The Room as the mutation left it; null when `userErrors` is not empty."
    )
    assert mutation.fields["bookRoom"].args["input"].description == (
        "What to do: the fields of `BookRoomInput`."
    )
    for root in (object_type(rooms_schema, "Query"), mutation):
        assert root.description


def test_the_node_interface_and_ids_say_how_to_use_them(rooms_schema: GraphQLSchema) -> None:
    node = object_type(rooms_schema, "Node")
    project = object_type(rooms_schema, "Project")
    assert "node(id:)" in (node.description or "")
    assert "node(id:)" in (project.fields["id"].description or "")


def test_everything_a_tier_gates_names_the_tier(rooms_schema: GraphQLSchema) -> None:
    query, mutation = object_type(rooms_schema, "Query"), object_type(rooms_schema, "Mutation")
    assert query.fields["rooms"].description == (
        "The office's rooms, by name. Needs the `rooms` tier."
    )
    assert query.fields["roomCount"].description == "Needs the `rooms` tier."
    assert mutation.fields["bookRoom"].description == "Book a room. Needs the `rooms` tier."
    room = object_type(rooms_schema, "Room")
    assert room.description == "A room of the office. Needs the `rooms` tier."
    assert query.fields["viewer"].description == "The authenticated user and their organisation."


def test_a_tier_sentence_alone_is_no_description(rooms_schema: GraphQLSchema) -> None:
    missing = undescribed(rooms_schema)
    assert "Query.roomCount" in missing
    assert "Query.rooms" not in missing
    assert "BookRoomInput.name" in missing


async def test_introspection_and_the_sdl_name_the_tier(org: TestOrganisation) -> None:
    answer = await org.admin.query(
        '{ project: __type(name: "Project") { fields { name description } } '
        'note: __type(name: "SampleNote") { description } '
        'mutation: __type(name: "Mutation") { fields { name description } } }'
    )
    project = {f["name"]: f["description"] for f in answer["project"]["fields"]}
    mutations = {f["name"]: f["description"] for f in answer["mutation"]["fields"]}
    assert (
        project["sampleNotes"] == "Notes on the project (tier `sample`). Needs the `sample` tier."
    )
    assert mutations["addSampleNote"] == "Add a note to a project. Needs the `sample` tier."
    assert answer["note"]["description"] == (
        "A note on a project (sample plugin). Needs the `sample` tier."
    )
    assert "Needs the" not in project["code"]


def test_the_printed_sdl_names_the_tier_and_keeps_the_directive(rooms_built: BuiltSchema) -> None:
    sdl = rooms_built.schema.as_str()
    assert (
        '  """Book a room. Needs the `rooms` tier."""\n'
        "  bookRoom(\n"
        '    """What to do: the fields of `BookRoomInput`."""\n'
        "    input: BookRoomInput!\n"
        '  ): RoomPayload! @tier(key: "rooms")\n'
    ) in sdl
    assert (
        '"""A room of the office. Needs the `rooms` tier."""\ntype Room @tier(key: "rooms") {'
        in sdl
    )


def test_described_enum_describes_every_value() -> None:
    @described_enum("How a room is booked.", {"HELD": "Kept for you.", "FREE": "Anyone's."})
    class Booking(enum.Enum):
        HELD = "HELD"
        FREE = "FREE"

    definition = Booking.__strawberry_definition__  # type: ignore[attr-defined]
    assert definition.description == "How a room is booked."
    assert {v.name: v.description for v in definition.values} == {
        "HELD": "Kept for you.",
        "FREE": "Anyone's.",
    }
    assert Booking("HELD") is Booking.HELD
    assert Booking.HELD.value == "HELD"


def test_described_enum_refuses_an_undescribed_or_unknown_value() -> None:
    with pytest.raises(TypeError, match="describe FREE"):

        @described_enum("How a room is booked.", {"HELD": "Kept for you."})
        class Booking(enum.Enum):
            HELD = "HELD"
            FREE = "FREE"

    with pytest.raises(TypeError, match="no member named GONE"):

        @described_enum("How a room is booked.", {"HELD": "Kept.", "GONE": "?"})
        class Other(enum.Enum):
            HELD = "HELD"


def test_the_core_schema_is_described_everywhere() -> None:
    # The core alone (no tier plugins): every type, field, argument, enum value and input field
    # says what it is.
    built = build_schema(load_plugins([], load_entrypoints=False), SETTINGS)
    assert undescribed(built.schema._schema) == []


def test_the_served_schema_with_every_tier_is_described_everywhere() -> None:
    built = build_schema(load_plugins(), SETTINGS)
    missing = undescribed(built.schema._schema)
    assert not missing, f"{len(missing)} without a description:\n" + "\n".join(missing)


def test_schema_graphql_is_described_everywhere_and_so_are_its_directives() -> None:
    schema = graphql_build_schema((REPO / "schema.graphql").read_text())
    missing = undescribed(schema) + [
        f"@{directive.name}{f'({name}:)' if name else ''}"
        for directive in schema.directives
        if directive not in specified_directives
        for name, text in [("", directive.description)]
        + [(arg, value.description) for arg, value in directive.args.items()]
        if not (text or "").strip()
    ]
    assert not missing, f"{len(missing)} without a description:\n" + "\n".join(missing)


def test_the_scalars_say_their_form_and_range(rooms_schema: GraphQLSchema) -> None:
    date, decimal = rooms_schema.get_type("Date"), rooms_schema.get_type("Decimal")
    assert date is not None
    assert decimal is not None
    assert "1900-01-01 to 2999-12-31" in (date.description or "")
    assert "-1e15 to 1e15" in (decimal.description or "")
