"""Mutations that create and change people."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from pmo_graph.auth.permissions import authorize
from pmo_graph.graphql.mutations import run_mutation
from pmo_graph.graphql.payloads import DUPLICATE, UserError
from pmo_graph.graphql.refs import PersonRef
from pmo_graph.graphql.validation import Checks, is_set
from pmo_graph.people.models import Person
from pmo_graph.request.context import get_context
from pmo_graph.request.transaction import Transaction, diff, snapshot


@strawberry.type(description="The result of a mutation on a person.")
class PersonPayload:
    person: PersonRef | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="A new member of staff.")
class CreatePersonInput:
    name: str = strawberry.field(description="Full name: 1-200 characters, trimmed.")
    email: str | None = strawberry.field(
        default=None,
        description="Work email, at most 320 characters; stored lower-cased. DUPLICATE when "
        "another person has it.",
    )
    title: str | None = strawberry.field(
        default=None, description="Job title, at most 200 characters (null or blank: none)."
    )


@strawberry.input(description="Fields left out keep their value; null clears an optional field.")
class UpdatePersonInput:
    person_id: strawberry.ID = strawberry.field(
        description="The person to change (NOT_FOUND unless your organisation has them)."
    )
    expected_version: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="The `version` you read: CONFLICT if the person changed since. Left out "
        "or null: no check.",
    )
    name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Full name, 1-200 characters; cannot be cleared."
    )
    email: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Work email, at most 320 characters (null clears it); DUPLICATE when "
        "another person has it.",
    )
    title: str | None = strawberry.field(
        default=strawberry.UNSET, description="Job title, at most 200 characters (null clears it)."
    )


async def _email_taken(tx: Transaction, email: str | None, exclude_id: int | None) -> bool:
    if email is None:
        return False
    query = select(Person.id).where(
        Person.organisation_id == tx.context.viewer.organisation_id, Person.email == email
    )
    if exclude_id is not None:
        query = query.where(Person.id != exclude_id)
    return (await tx.session.scalar(query)) is not None


@strawberry.type
class PeopleMutation:
    @strawberry.mutation(
        description="Add a person to the organisation (ADMIN, OFFICE; others FORBIDDEN). "
        "userErrors: INVALID (a blank or too long name, an email that is not one), DUPLICATE "
        "(the email is another person's)."
    )
    async def create_person(self, info: Info[Any, Any], input: CreatePersonInput) -> PersonPayload:
        authorize(get_context(info), "createPerson")

        async def body(tx: Transaction) -> Person:
            checks = Checks()
            name = checks.text(input.name, "name", required=True, max_length=200)
            email = checks.email(input.email)
            title = checks.text(input.title, "title", required=False, max_length=200)
            if await _email_taken(tx, email, None):
                checks.add(DUPLICATE, f"Someone already has the email {email}.", "email")
            checks.raise_if_any()
            person = Person(
                organisation_id=tx.context.viewer.organisation_id,
                name=name,
                email=email,
                title=title,
            )
            tx.session.add(person)
            await tx.session.flush()
            tx.audit("Person", person.id, snapshot({"name": name, "email": email, "title": title}))
            tx.emit("person.created", "Person", person.id)
            return person

        return await run_mutation(info, "createPerson", PersonPayload, body)

    @strawberry.mutation(
        description="Change a person's name, email or title (ADMIN, OFFICE; others FORBIDDEN). "
        "userErrors: NOT_FOUND (personId), CONFLICT (a stale expectedVersion), INVALID, "
        "DUPLICATE (the email is another person's)."
    )
    async def update_person(self, info: Info[Any, Any], input: UpdatePersonInput) -> PersonPayload:
        context = get_context(info)
        authorize(context, "updatePerson")

        async def body(tx: Transaction) -> Person:
            checks = Checks()
            person = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Person,
                "Person",
                input.person_id,
                "personId",
            )
            checks.raise_if_any()
            assert person is not None
            checks.version(input.expected_version, person.version, "person")
            before = {"name": person.name, "email": person.email, "title": person.title}
            after = dict(before)
            if is_set(input.name):
                after["name"] = checks.text(input.name, "name", required=True, max_length=200)
            if is_set(input.email):
                after["email"] = checks.email(input.email)
                if await _email_taken(tx, after["email"], person.id):
                    checks.add(
                        DUPLICATE, f"Someone already has the email {after['email']}.", "email"
                    )
            if is_set(input.title):
                after["title"] = checks.text(input.title, "title", required=False, max_length=200)
            checks.raise_if_any()
            for key, value in after.items():
                setattr(person, key, value)
            await tx.session.flush()
            changes = diff(before, after)
            tx.audit("Person", person.id, changes)
            tx.emit("person.updated", "Person", person.id, changed=sorted(changes))
            return person

        return await run_mutation(info, "updatePerson", PersonPayload, body)
