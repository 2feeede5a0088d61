"""Staffing: people's skills, their assignments to projects, and suggestions of who is free."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Annotated, Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from pmo_graph.sdk import (
    DUPLICATE,
    INVALID,
    NOT_FOUND,
    BadUserInput,
    Checks,
    ModelNode,
    Person,
    PersonPayload,
    PersonRef,
    Project,
    ProjectRef,
    Transaction,
    UserError,
    authorize,
    canonical_text,
    get_context,
    list_size,
    load_by_id,
    load_parent,
    load_project_for_write,
    parse_pk,
    run_mutation,
    snapshot,
    sql_list,
    sql_one,
    tier_field,
    tier_mutation,
    utcnow,
)
from pmo_graph_pso.loaders import capacities
from pmo_graph_pso.models import Assignment, PersonSkill
from pmo_graph_pso.refs import AssignmentRef, PersonSkillRef
from pmo_graph_pso.tier import KEY

#: Allocations are fractions of a day; sums are compared with this tolerance.
EPSILON = 1e-9


@strawberry.type(
    name="PersonSkill", description="A skill a person has, and how well, as the office recorded it."
)
class PersonSkillType:
    skill: str = strawberry.field(
        description="The skill as recorded, e.g. `Data engineering` (at most 100 characters). "
        "Skills match whatever their case and spacing."
    )
    level: int = strawberry.field(description="1 (aware) to 5 (expert).")

    @classmethod
    def is_type_of(cls, obj: Any, info: Info[Any, Any]) -> bool:
        return isinstance(obj, (cls, PersonSkill))


@strawberry.type(
    name="Assignment",
    description="A person working part of their time on a project, every day from startDate to "
    "endDate. A released assignment is kept but no longer counts anywhere.",
)
class AssignmentType(ModelNode):
    __model__ = Assignment

    role: str = strawberry.field(
        description="What the person does on the project, e.g. `Business analyst` (at most 100 "
        "characters)."
    )
    allocation: float = strawberry.field(
        description="The fraction of a full-time person it takes each day: more than 0, at most "
        "1 (0.5 is half time)."
    )
    start_date: date = strawberry.field(description="The first day (inclusive).")
    end_date: date = strawberry.field(
        description="The last day (inclusive), on or after startDate."
    )
    version: int = strawberry.field(description="Grows by one on every change, releasing included.")
    created_at: datetime = strawberry.field(description="When the person was assigned (UTC).")

    @strawberry.field(
        description="The project worked on.", metadata=sql_one("{row}.id = {parent}.project_id")
    )
    async def project(
        self, root: strawberry.Parent[Assignment], info: Info[Any, Any]
    ) -> ProjectRef:
        return await load_parent(info, Project, root.project_id)

    @strawberry.field(
        description="Who works on the project.", metadata=sql_one("{row}.id = {parent}.person_id")
    )
    async def person(self, root: strawberry.Parent[Assignment], info: Info[Any, Any]) -> PersonRef:
        return await load_parent(info, Person, root.person_id)


@strawberry.type(description="The result of a mutation on an assignment.")
class AssignmentPayload:
    assignment: AssignmentRef | None = strawberry.field(
        default=None,
        description="The assignment made or released; null when userErrors say why not.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(
    description="Someone who has the skill and the time asked for, every day of the window."
)
class StaffSuggestion:
    person: PersonRef = strawberry.field(description="The person suggested.")
    skill_level: int = strawberry.field(
        description="Their level in the skill, 1 (aware) to 5 (expert)."
    )
    available_allocation: float = strawberry.field(
        description="The person's capacity (1 unless set for them) minus their peak allocation "
        "on any one day of the window, as a fraction of a full-time person, rounded to six "
        "decimals; at least the allocation asked for."
    )


@strawberry.input(description="A skill to record for a person; a person has each skill once.")
class AddPersonSkillInput:
    person_id: strawberry.ID = strawberry.field(
        description="The person; NOT_FOUND when your organisation has no person with that id."
    )
    skill: str = strawberry.field(
        description="The skill, e.g. `Data engineering`: trimmed, inner spaces collapsed, 1 to "
        "100 characters (else INVALID). DUPLICATE when the person has it already, whatever its "
        "case and spacing."
    )
    level: int = strawberry.field(
        description="1 (aware) to 5 (expert), else INVALID. To change it, remove the skill and "
        "add it again."
    )


@strawberry.input(description="A skill to take off a person's record.")
class RemovePersonSkillInput:
    person_id: strawberry.ID = strawberry.field(
        description="The person; NOT_FOUND when your organisation has no person with that id."
    )
    skill: str = strawberry.field(
        description="The skill, matched whatever its case and spacing; NOT_FOUND when the "
        "person does not have it."
    )


@strawberry.input(
    description="A person to put on a project for part of their time. Their other assignments "
    "are not checked: suggestStaff is where capacity counts."
)
class AssignPersonInput:
    project_id: strawberry.ID = strawberry.field(
        description="The project; NOT_FOUND when your organisation has no project with that id "
        "(checked first: with it, nothing else is reported)."
    )
    person_id: strawberry.ID = strawberry.field(
        description="The person; NOT_FOUND when your organisation has no person with that id."
    )
    role: str = strawberry.field(
        description="What they will do, e.g. `Data engineer`: trimmed, 1 to 100 characters "
        "(else INVALID)."
    )
    allocation: float = strawberry.field(
        description="The fraction of a full-time person it takes each day: more than 0 and at "
        "most 1 (0.5 is half time), else INVALID."
    )
    start_date: date = strawberry.field(description="The first day (inclusive).")
    end_date: date = strawberry.field(
        description="The last day (inclusive); INVALID when before startDate."
    )


@strawberry.input(description="An assignment to end.")
class ReleaseAssignmentInput:
    assignment_id: strawberry.ID = strawberry.field(
        description="The assignment; NOT_FOUND when your organisation has none with that id, "
        "INVALID when it was released already."
    )


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


#: Its filter and order, built once so that the loader's key is not compiled for every field.
_NOT_RELEASED = (Assignment.released_at.is_(None),)
_BY_START = (Assignment.start_date, Assignment.id)


async def active_assignments(info: Info[Any, Any], column: Any, key: int) -> list[Assignment]:
    """Assignments not released, by ``column`` (project or person), by start date."""
    loader = get_context(info).loaders.children(
        Assignment, column, order_by=_BY_START, where=_NOT_RELEASED
    )
    return await loader.load(key)


@strawberry.type
class StaffingProjectFields:
    @tier_field(
        KEY,
        description="Who works on the project: its assignments not released, by start date.",
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
    @tier_field(
        KEY, description="The person's skills, best first (level descending, then by name)."
    )
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
        KEY,
        description="The person's assignments not released, on every project, by start date.",
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
        KEY,
        description="People with the skill who can take `allocation` more every day of the "
        "window without passing their capacity (their assignments not released count): best "
        "skill level first, then most available, then by name. Empty when the project is not "
        "your organisation's or nobody has the skill.",
    )
    async def suggest_staff(
        self,
        info: Info[Any, Any],
        project_id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="The project to staff: one of your organisation's, else the answer "
                "is empty. People already on it are not left out."
            ),
        ],
        skill: Annotated[
            str,
            strawberry.argument(
                description="The skill wanted, matched whatever its case and spacing."
            ),
        ],
        allocation: Annotated[
            float,
            strawberry.argument(
                description="How much more of a full-time person is wanted every day of the "
                "window: more than 0 and at most 1, else BAD_USER_INPUT."
            ),
        ],
        start_date: Annotated[
            date, strawberry.argument(description="The first day of the window (inclusive).")
        ],
        end_date: Annotated[
            date,
            strawberry.argument(
                description="The last day of the window (inclusive); BAD_USER_INPUT when before "
                "startDate."
            ),
        ],
        first: Annotated[
            int | None,
            strawberry.argument(
                description="At most this many suggestions, from 0 to the server's largest page "
                "(500 unless configured); the default page size (50 unless configured) when "
                "left out."
            ),
        ] = None,
    ) -> list[StaffSuggestion]:
        context = get_context(info)
        organisation_id = context.viewer.organisation_id
        limit = list_size(context, first)
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
    @tier_mutation(
        KEY,
        description="Record a skill of a person, at a level from 1 (aware) to 5 (expert). ADMIN "
        "and OFFICE only; anyone else gets FORBIDDEN. userErrors: NOT_FOUND (personId), INVALID "
        "(skill, level), DUPLICATE (skill: the person has it already).",
    )
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

    @tier_mutation(
        KEY,
        description="Remove a skill from a person. ADMIN and OFFICE only; anyone else gets "
        "FORBIDDEN. userErrors: NOT_FOUND (personId; skill when the person does not have it).",
    )
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

    @tier_mutation(
        KEY,
        description="Assign a person to a project for part of their time, whatever their other "
        "assignments. ADMIN, OFFICE, PORTFOLIO_MANAGER and PROGRAMME_DIRECTOR may on any "
        "project, a PROJECT_MANAGER on the projects they manage; anyone else gets FORBIDDEN. "
        "userErrors: NOT_FOUND (projectId, personId), INVALID (role, allocation, endDate).",
    )
    async def assign_person(
        self, info: Info[Any, Any], input: AssignPersonInput
    ) -> AssignmentPayload:
        context = get_context(info)
        authorize(context, "assignPerson")

        async def body(tx: Transaction) -> Assignment:
            checks = Checks()
            project = await load_project_for_write(
                tx, checks, input.project_id, "assignPerson", gather=True, detached=True
            )
            person = await checks.reference(
                tx.rows,
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
            assert project is not None
            assert person is not None
            assignment = await tx.rows.insert(
                Assignment,
                organisation_id=project.organisation_id,
                project_id=project.id,
                person_id=person.id,
                role=role,
                allocation=input.allocation,
                start_date=input.start_date,
                end_date=input.end_date,
            )
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
        KEY,
        description="Take a person off a project: the assignment is kept but stops counting "
        "anywhere, and cannot be restored (assign again instead). The same roles as "
        "assignPerson, on the assignment's project. userErrors: NOT_FOUND (assignmentId), "
        "INVALID (assignmentId: released already).",
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
