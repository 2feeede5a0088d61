"""Staffing: people's skills, their assignments to projects, and suggestions of who is free."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from pmo_graph.auth.permissions import authorize
from pmo_graph.canonical import canonical_text
from pmo_graph.db.types import utcnow
from pmo_graph.graphql.compiled.specs import sql_list, sql_one
from pmo_graph.graphql.context import get_context
from pmo_graph.graphql.errors import BadUserInput
from pmo_graph.graphql.ids import parse_pk
from pmo_graph.graphql.mutations import Transaction, run_mutation, snapshot
from pmo_graph.graphql.nodes import ModelNode
from pmo_graph.graphql.payloads import DUPLICATE, INVALID, NOT_FOUND, UserError
from pmo_graph.graphql.refs import PersonRef, ProjectRef
from pmo_graph.graphql.resolvers import load_by_id
from pmo_graph.graphql.tiers import tier_field, tier_mutation
from pmo_graph.graphql.validation import Checks
from pmo_graph.people.models import Person
from pmo_graph.people.mutations import PersonPayload
from pmo_graph.projects.models import Project
from pmo_graph.projects.mutations import load_project_for_write
from pmo_graph_pso.loaders import capacities
from pmo_graph_pso.models import Assignment, PersonSkill
from pmo_graph_pso.refs import AssignmentRef, PersonSkillRef
from pmo_graph_pso.scope import TIER

#: Allocations are fractions of a day; sums are compared with this tolerance.
EPSILON = 1e-9


@strawberry.type(name="PersonSkill", description="A skill a person has, and how well.")
class PersonSkillType:
    skill: str
    level: int = strawberry.field(description="1 (aware) to 5 (expert).")

    @classmethod
    def is_type_of(cls, obj: Any, info: Info[Any, Any]) -> bool:
        return isinstance(obj, (cls, PersonSkill))


@strawberry.type(name="Assignment", description="A person working part of their time on a project.")
class AssignmentType(ModelNode):
    __model__ = Assignment

    role: str
    allocation: float = strawberry.field(description="Fraction of a full-time person, 0 < a ≤ 1.")
    start_date: date
    end_date: date = strawberry.field(description="The last day (inclusive).")
    version: int
    created_at: datetime

    @strawberry.field(metadata=sql_one("{row}.id = {parent}.project_id"))
    async def project(
        self, root: strawberry.Parent[Assignment], info: Info[Any, Any]
    ) -> ProjectRef | None:
        return await load_by_id(info, Project, root.project_id)

    @strawberry.field(metadata=sql_one("{row}.id = {parent}.person_id"))
    async def person(
        self, root: strawberry.Parent[Assignment], info: Info[Any, Any]
    ) -> PersonRef | None:
        return await load_by_id(info, Person, root.person_id)


@strawberry.type(description="The result of a mutation on an assignment.")
class AssignmentPayload:
    assignment: AssignmentRef | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="Someone who has the skill and the time.")
class StaffSuggestion:
    person: PersonRef
    skill_level: int
    available_allocation: float = strawberry.field(
        description="Capacity minus the person's peak allocation on any day of the window."
    )


@strawberry.input
class AddPersonSkillInput:
    person_id: strawberry.ID
    skill: str
    level: int = strawberry.field(description="1 (aware) to 5 (expert).")


@strawberry.input
class RemovePersonSkillInput:
    person_id: strawberry.ID
    skill: str


@strawberry.input
class AssignPersonInput:
    project_id: strawberry.ID
    person_id: strawberry.ID
    role: str
    allocation: float = strawberry.field(description="Fraction of a full-time person, 0 < a ≤ 1.")
    start_date: date
    end_date: date = strawberry.field(description="The last day (inclusive).")


@strawberry.input
class ReleaseAssignmentInput:
    assignment_id: strawberry.ID


def skill_key(skill: str) -> str:
    """Skills match whatever their case, spacing and look-alike characters."""
    return " ".join(canonical_text(skill).split()).lower()


def peak_allocation(assignments: list[Assignment], start: date, end: date) -> float:
    """The largest total allocation on any one day from ``start`` to ``end`` (inclusive)."""
    changes: dict[date, float] = defaultdict(float)
    for assignment in assignments:
        first = max(assignment.start_date, start)
        last = min(assignment.end_date, end)
        if first > last:
            continue
        changes[first] += assignment.allocation
        changes[last + timedelta(days=1)] -= assignment.allocation
    peak = running = 0.0
    for day in sorted(changes):
        running += changes[day]
        peak = max(peak, running)
    return peak


#: ``active_assignments``' order, for the compiled path.
ACTIVE_ORDER = "{row}.start_date, {row}.id"


async def active_assignments(info: Info[Any, Any], column: Any, key: int) -> list[Assignment]:
    """Assignments not released, by ``column`` (project or person), by start date."""
    loader = get_context(info).loaders.children(
        Assignment,
        column,
        order_by=(Assignment.start_date, Assignment.id),
        where=(Assignment.released_at.is_(None),),
        key="active",
    )
    return await loader.load(key)


@strawberry.type
class StaffingProjectFields:
    @tier_field(
        TIER,
        description="Who works on the project (released assignments excluded).",
        metadata=sql_list(
            "{row}.project_id = {parent}.id", ACTIVE_ORDER, where="{row}.released_at IS NULL"
        ),
    )
    async def assignments(
        self, root: strawberry.Parent[Project], info: Info[Any, Any]
    ) -> list[AssignmentRef]:
        return await active_assignments(info, Assignment.project_id, root.id)


@strawberry.type
class StaffingPersonFields:
    @tier_field(TIER, description="The person's skills, best first.")
    async def skills(
        self, root: strawberry.Parent[Person], info: Info[Any, Any]
    ) -> list[PersonSkillRef]:
        loader = get_context(info).loaders.children(
            PersonSkill,
            PersonSkill.person_id,
            order_by=(PersonSkill.level.desc(), PersonSkill.skill_key),
        )
        return await loader.load(root.id)

    @tier_field(
        TIER,
        description="The projects the person works on (released excluded).",
        metadata=sql_list(
            "{row}.person_id = {parent}.id", ACTIVE_ORDER, where="{row}.released_at IS NULL"
        ),
    )
    async def assignments(
        self, root: strawberry.Parent[Person], info: Info[Any, Any]
    ) -> list[AssignmentRef]:
        return await active_assignments(info, Assignment.person_id, root.id)


def _check_allocation(checks: Checks, allocation: float, field: str) -> None:
    if not 0 < allocation <= 1:
        checks.add(
            INVALID,
            f"{field} must be more than 0 and at most 1 (a fraction of a full-time person).",
            field,
        )


@strawberry.type
class StaffingQuery:
    @tier_field(
        TIER,
        description="People with the skill who can take `allocation` more every day of the "
        "window without passing their capacity; best skill level first, then most available.",
    )
    async def suggest_staff(
        self,
        info: Info[Any, Any],
        project_id: strawberry.ID,
        skill: str,
        allocation: float,
        start_date: date,
        end_date: date,
        first: int | None = None,
    ) -> list[StaffSuggestion]:
        context = get_context(info)
        organisation_id = context.viewer.organisation_id
        limit = context.app.settings.default_page_size if first is None else first
        if not 0 <= limit <= context.app.settings.max_page_size:
            raise BadUserInput(
                f"`first` must be between 0 and {context.app.settings.max_page_size}.",
                argument="first",
            )
        if not 0 < allocation <= 1:
            raise BadUserInput(
                "`allocation` must be more than 0 and at most 1.", argument="allocation"
            )
        if end_date < start_date:
            raise BadUserInput("`endDate` must not be before `startDate`.", argument="endDate")
        project_pk = parse_pk(project_id, "Project")
        if project_pk is None:
            raise BadUserInput(
                f"`projectId` {project_id!r} is not a Project id.", argument="projectId"
            )
        if await load_by_id(info, Project, project_pk) is None:
            return []  # no such project in the organisation: nobody to suggest
        candidates: Sequence[Any] = (
            await context.db.execute(
                select(Person, PersonSkill.level)
                .join(PersonSkill, PersonSkill.person_id == Person.id)
                .where(
                    Person.organisation_id == organisation_id,
                    PersonSkill.skill_key == skill_key(skill),
                )
            )
        ).all()
        if not candidates:
            return []
        ids = [person.id for person, _ in candidates]
        overlapping = await context.db.scalars(
            select(Assignment).where(
                Assignment.organisation_id == organisation_id,
                Assignment.person_id.in_(ids),
                Assignment.released_at.is_(None),
                Assignment.start_date <= end_date,
                Assignment.end_date >= start_date,
            )
        )
        by_person: dict[int, list[Assignment]] = defaultdict(list)
        for assignment in overlapping:
            by_person[assignment.person_id].append(assignment)
        suggestions = []
        for (person, level), capacity in zip(
            candidates, await capacities(context, ids), strict=True
        ):
            available = capacity - peak_allocation(by_person[person.id], start_date, end_date)
            if allocation <= available + EPSILON:
                suggestions.append(
                    StaffSuggestion(
                        person=person, skill_level=level, available_allocation=round(available, 6)
                    )
                )
        suggestions.sort(key=lambda s: (-s.skill_level, -s.available_allocation, s.person.name))
        return suggestions[:limit]


@strawberry.type
class StaffingMutation:
    @tier_mutation(TIER, description="Record a skill of a person (level 1 to 5).")
    async def add_person_skill(
        self, info: Info[Any, Any], input: AddPersonSkillInput
    ) -> PersonPayload:
        context = get_context(info)
        authorize(context, "addPersonSkill")

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
            skill = checks.text(input.skill, "skill", required=True, max_length=100)
            if not 1 <= input.level <= 5:
                checks.add(INVALID, "level must be from 1 (aware) to 5 (expert).", "level")
            if person is not None and skill is not None:
                existing = await tx.session.scalar(
                    select(PersonSkill.skill).where(
                        PersonSkill.person_id == person.id,
                        PersonSkill.skill_key == skill_key(skill),
                    )
                )
                if existing is not None:
                    checks.add(
                        DUPLICATE,
                        f"{person.name} already has the skill {existing!r}; remove it first to "
                        "change its level.",
                        "skill",
                    )
            checks.raise_if_any()
            assert person is not None
            assert skill is not None
            tx.session.add(
                PersonSkill(
                    organisation_id=person.organisation_id,
                    person_id=person.id,
                    skill=" ".join(skill.split()),
                    skill_key=skill_key(skill),
                    level=input.level,
                )
            )
            await tx.session.flush()
            tx.audit("Person", person.id, {"skill": " ".join(skill.split()), "level": input.level})
            return person

        return await run_mutation(info, "addPersonSkill", PersonPayload, body)

    @tier_mutation(TIER, description="Remove a skill from a person.")
    async def remove_person_skill(
        self, info: Info[Any, Any], input: RemovePersonSkillInput
    ) -> PersonPayload:
        context = get_context(info)
        authorize(context, "removePersonSkill")

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
            found = await tx.session.scalar(
                select(PersonSkill).where(
                    PersonSkill.person_id == person.id,
                    PersonSkill.skill_key == skill_key(input.skill),
                )
            )
            if found is None:
                checks.add(NOT_FOUND, f"{person.name} has no skill {input.skill!r}.", "skill")
                checks.raise_if_any()
            await tx.session.delete(found)
            await tx.session.flush()
            tx.audit("Person", person.id, {"skill": {"from": input.skill, "to": None}})
            return person

        return await run_mutation(info, "removePersonSkill", PersonPayload, body)

    @tier_mutation(TIER, description="Assign a person to a project for part of their time.")
    async def assign_person(
        self, info: Info[Any, Any], input: AssignPersonInput
    ) -> AssignmentPayload:
        context = get_context(info)
        authorize(context, "assignPerson")

        async def body(tx: Transaction) -> Assignment:
            checks = Checks()
            project = await load_project_for_write(tx, checks, input.project_id, "assignPerson")
            person = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Person,
                "Person",
                input.person_id,
                "personId",
            )
            role = checks.text(input.role, "role", required=True, max_length=100)
            _check_allocation(checks, input.allocation, "allocation")
            checks.date_order(input.start_date, input.end_date, "startDate", "endDate")
            checks.raise_if_any()
            assert person is not None
            assignment = Assignment(
                organisation_id=project.organisation_id,
                project_id=project.id,
                person_id=person.id,
                role=role,
                allocation=input.allocation,
                start_date=input.start_date,
                end_date=input.end_date,
            )
            tx.session.add(assignment)
            await tx.session.flush()
            tx.audit(
                "Assignment",
                assignment.id,
                snapshot(
                    {
                        "projectId": input.project_id,
                        "personId": input.person_id,
                        "role": role,
                        "allocation": input.allocation,
                        "startDate": input.start_date,
                        "endDate": input.end_date,
                    }
                ),
            )
            tx.emit(
                "assignment.created",
                "Assignment",
                assignment.id,
                project=project.id,
                person=person.id,
            )
            return assignment

        return await run_mutation(info, "assignPerson", AssignmentPayload, body)

    @tier_mutation(
        TIER, description="Take a person off a project: the assignment stops counting anywhere."
    )
    async def release_assignment(
        self, info: Info[Any, Any], input: ReleaseAssignmentInput
    ) -> AssignmentPayload:
        context = get_context(info)
        authorize(context, "releaseAssignment")

        async def body(tx: Transaction) -> Assignment:
            checks = Checks()
            assignment = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Assignment,
                "Assignment",
                input.assignment_id,
                "assignmentId",
            )
            checks.raise_if_any()
            assert assignment is not None
            project = await tx.session.get(Project, assignment.project_id)
            assert project is not None
            authorize(
                context, "releaseAssignment", project_manager_id=project.manager_id, on_project=True
            )
            if assignment.released_at is not None:
                checks.add(INVALID, "The assignment was already released.", "assignmentId")
                checks.raise_if_any()
            assignment.released_at = utcnow()
            await tx.session.flush()
            tx.audit("Assignment", assignment.id, {"released": {"from": False, "to": True}})
            tx.emit(
                "assignment.released",
                "Assignment",
                assignment.id,
                project=project.id,
                person=assignment.person_id,
            )
            return assignment

        return await run_mutation(info, "releaseAssignment", AssignmentPayload, body)
