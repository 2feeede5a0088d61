"""Mutations that create and change programmes."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from pmo_graph.auth.permissions import authorize
from pmo_graph.graphql.mutations import run_mutation
from pmo_graph.graphql.payloads import UserError
from pmo_graph.graphql.refs import ProgrammeRef
from pmo_graph.graphql.validation import Checks, is_set
from pmo_graph.ids import to_global_id
from pmo_graph.people.models import Person
from pmo_graph.portfolios.models import Portfolio
from pmo_graph.programmes.models import Programme
from pmo_graph.request.context import get_context
from pmo_graph.request.transaction import Transaction, diff, snapshot


@strawberry.type(description="The result of a mutation on a programme.")
class ProgrammePayload:
    programme: ProgrammeRef | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


NAME = "Its name: 1-200 characters, trimmed."
VISION = "The future state it works towards: at most 20000 characters."
DIRECTOR_ID = "Its programme director (NOT_FOUND unless your organisation has the person)."
PORTFOLIO_ID = "The portfolio it belongs to (NOT_FOUND unless your organisation has it)."


@strawberry.input(description="A new programme.")
class CreateProgrammeInput:
    name: str = strawberry.field(description=NAME)
    vision: str | None = strawberry.field(default=None, description=VISION)
    director_id: strawberry.ID | None = strawberry.field(default=None, description=DIRECTOR_ID)
    portfolio_id: strawberry.ID | None = strawberry.field(default=None, description=PORTFOLIO_ID)


@strawberry.input(description="Fields left out keep their value; null clears an optional field.")
class UpdateProgrammeInput:
    programme_id: strawberry.ID = strawberry.field(
        description="The programme (NOT_FOUND unless your organisation has it)."
    )
    expected_version: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="The `version` you read: CONFLICT if the programme changed since. Left out "
        "or null: no check.",
    )
    name: str | None = strawberry.field(
        default=strawberry.UNSET, description=f"{NAME} Cannot be cleared."
    )
    vision: str | None = strawberry.field(default=strawberry.UNSET, description=VISION)
    director_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description=DIRECTOR_ID
    )
    portfolio_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description=PORTFOLIO_ID
    )


def programme_values(programme: Programme) -> dict[str, Any]:
    """The programme's fields under their API names."""
    return {
        "name": programme.name,
        "vision": programme.vision,
        "directorId": to_global_id("Person", programme.director_id)
        if programme.director_id
        else None,
        "portfolioId": (
            to_global_id("Portfolio", programme.portfolio_id) if programme.portfolio_id else None
        ),
    }


@strawberry.type
class ProgrammesMutation:
    @strawberry.mutation(
        description="Create a programme (ADMIN, OFFICE, PORTFOLIO_MANAGER, PROGRAMME_DIRECTOR; "
        "others FORBIDDEN). userErrors: INVALID (a blank or too long text), NOT_FOUND "
        "(directorId, portfolioId)."
    )
    async def create_programme(
        self, info: Info[Any, Any], input: CreateProgrammeInput
    ) -> ProgrammePayload:
        context = get_context(info)
        authorize(context, "createProgramme")
        organisation_id = context.viewer.organisation_id

        async def body(tx: Transaction) -> Programme:
            checks = Checks()
            name = checks.text(input.name, "name", required=True, max_length=200)
            vision = checks.text(input.vision, "vision", required=False, max_length=20000)
            director = await checks.reference(
                tx.session, organisation_id, Person, "Person", input.director_id, "directorId"
            )
            portfolio = await checks.reference(
                tx.session,
                organisation_id,
                Portfolio,
                "Portfolio",
                input.portfolio_id,
                "portfolioId",
            )
            checks.raise_if_any()
            programme = Programme(
                organisation_id=organisation_id,
                name=name,
                vision=vision,
                director_id=director.id if director else None,
                portfolio_id=portfolio.id if portfolio else None,
            )
            tx.session.add(programme)
            await tx.session.flush()
            tx.audit("Programme", programme.id, snapshot(programme_values(programme)))
            tx.emit("programme.created", "Programme", programme.id)
            return programme

        return await run_mutation(info, "createProgramme", ProgrammePayload, body)

    @strawberry.mutation(
        description="Change a programme's name, vision, director or portfolio (ADMIN, OFFICE, "
        "PORTFOLIO_MANAGER, PROGRAMME_DIRECTOR; others FORBIDDEN). userErrors: NOT_FOUND "
        "(programmeId, directorId, portfolioId), CONFLICT (a stale expectedVersion), INVALID."
    )
    async def update_programme(
        self, info: Info[Any, Any], input: UpdateProgrammeInput
    ) -> ProgrammePayload:
        context = get_context(info)
        authorize(context, "updateProgramme")
        organisation_id = context.viewer.organisation_id

        async def body(tx: Transaction) -> Programme:
            checks = Checks()
            programme = await checks.reference(
                tx.session,
                organisation_id,
                Programme,
                "Programme",
                input.programme_id,
                "programmeId",
            )
            checks.raise_if_any()
            assert programme is not None
            checks.version(input.expected_version, programme.version, "programme")
            before = programme_values(programme)
            if is_set(input.name):
                programme.name = (
                    checks.text(input.name, "name", required=True, max_length=200) or programme.name
                )
            if is_set(input.vision):
                programme.vision = checks.text(
                    input.vision, "vision", required=False, max_length=20000
                )
            if is_set(input.director_id):
                director = await checks.reference(
                    tx.session, organisation_id, Person, "Person", input.director_id, "directorId"
                )
                programme.director_id = director.id if director else None
            if is_set(input.portfolio_id):
                portfolio = await checks.reference(
                    tx.session,
                    organisation_id,
                    Portfolio,
                    "Portfolio",
                    input.portfolio_id,
                    "portfolioId",
                )
                programme.portfolio_id = portfolio.id if portfolio else None
            checks.raise_if_any()
            await tx.session.flush()
            changes = diff(before, programme_values(programme))
            tx.audit("Programme", programme.id, changes)
            tx.emit("programme.updated", "Programme", programme.id, changed=sorted(changes))
            return programme

        return await run_mutation(info, "updateProgramme", ProgrammePayload, body)
