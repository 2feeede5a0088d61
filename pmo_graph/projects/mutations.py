"""Mutations that create and change projects."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal, overload

import strawberry
from strawberry.types import Info

from pmo_graph.auth.permissions import authorize
from pmo_graph.db.locks import Lock
from pmo_graph.graphql.mutations import run_mutation
from pmo_graph.graphql.payloads import INVALID, UserError
from pmo_graph.graphql.refs import ProjectRef
from pmo_graph.graphql.validation import Checks, is_set
from pmo_graph.ids import to_global_id
from pmo_graph.people.models import Person
from pmo_graph.portfolios.models import Portfolio
from pmo_graph.programmes.models import Programme
from pmo_graph.projects.codes import CODE_MAX as CODE_MAX
from pmo_graph.projects.codes import check_code
from pmo_graph.projects.enums import ProjectStage
from pmo_graph.projects.models import Project
from pmo_graph.request.context import Context, get_context
from pmo_graph.request.transaction import Transaction, diff, snapshot


@strawberry.type(description="The result of a mutation on a project.")
class ProjectPayload:
    project: ProjectRef | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


#: What the inputs say of the project fields they set.
CODE = (
    "Short code, unique in the organisation, e.g. `FIN-042`: 1-40 characters without spaces, "
    "stored in one canonical form (NFKC, dashes as `-`). DUPLICATE when another project has it."
)
NAME = "Its name: 1-200 characters, trimmed."
DESCRIPTION = "What the project is for: at most 20000 characters."
START_DATE = "The day it starts (1900-01-01 to 2999-12-31)."
END_DATE = "The day it is planned to end: not before startDate (INVALID), 1900-01-01 to 2999-12-31."
BUDGET = (
    "Its approved budget, money in the organisation's currency: 0 to 9999999999999.99, at most "
    "two decimals (INVALID otherwise)."
)
CATEGORY = "A label to group projects by for portfolio balance: at most 100 characters."
MANAGER_ID = "The person who manages it (NOT_FOUND unless your organisation has them)."
SPONSOR_ID = "The person who sponsors it (NOT_FOUND unless your organisation has them)."
PROJECT_ID = "The project (NOT_FOUND unless your organisation has it)."
EXPECTED_VERSION = (
    "The `version` you read: CONFLICT if the project changed since. Left out or null: no check."
)


@strawberry.input(description="A new project; every field but code and name may be left out.")
class CreateProjectInput:
    code: str = strawberry.field(description=CODE)
    name: str = strawberry.field(description=NAME)
    description: str | None = strawberry.field(default=None, description=DESCRIPTION)
    stage: ProjectStage = strawberry.field(
        default=ProjectStage.PROPOSED, description="Where it starts (PROPOSED when left out)."
    )
    start_date: date | None = strawberry.field(default=None, description=START_DATE)
    end_date: date | None = strawberry.field(default=None, description=END_DATE)
    budget: Decimal | None = strawberry.field(default=None, description=BUDGET)
    category: str | None = strawberry.field(default=None, description=CATEGORY)
    manager_id: strawberry.ID | None = strawberry.field(default=None, description=MANAGER_ID)
    sponsor_id: strawberry.ID | None = strawberry.field(default=None, description=SPONSOR_ID)


@strawberry.input(description="Fields left out keep their value; null clears an optional field.")
class UpdateProjectInput:
    project_id: strawberry.ID = strawberry.field(description=PROJECT_ID)
    expected_version: int | None = strawberry.field(
        default=strawberry.UNSET, description=EXPECTED_VERSION
    )
    code: str | None = strawberry.field(default=strawberry.UNSET, description=CODE)
    name: str | None = strawberry.field(
        default=strawberry.UNSET, description=f"{NAME} Cannot be cleared."
    )
    description: str | None = strawberry.field(default=strawberry.UNSET, description=DESCRIPTION)
    stage: ProjectStage | None = strawberry.field(
        default=strawberry.UNSET, description="Where it is now; cannot be null (INVALID)."
    )
    start_date: date | None = strawberry.field(default=strawberry.UNSET, description=START_DATE)
    end_date: date | None = strawberry.field(default=strawberry.UNSET, description=END_DATE)
    budget: Decimal | None = strawberry.field(default=strawberry.UNSET, description=BUDGET)
    category: str | None = strawberry.field(default=strawberry.UNSET, description=CATEGORY)
    manager_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description=MANAGER_ID
    )
    sponsor_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description=SPONSOR_ID
    )


@strawberry.input(description="The project to move and the portfolio it goes to.")
class SetProjectPortfolioInput:
    project_id: strawberry.ID = strawberry.field(description=PROJECT_ID)
    portfolio_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The portfolio it joins (NOT_FOUND unless your organisation has it); null "
        "takes the project out of its portfolio.",
    )
    expected_version: int | None = strawberry.field(
        default=strawberry.UNSET, description=EXPECTED_VERSION
    )


@strawberry.input(description="The project to move and the programme it goes to.")
class SetProjectProgrammeInput:
    project_id: strawberry.ID = strawberry.field(description=PROJECT_ID)
    programme_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The programme it joins (NOT_FOUND unless your organisation has it); null "
        "takes the project out of its programme.",
    )
    expected_version: int | None = strawberry.field(
        default=strawberry.UNSET, description=EXPECTED_VERSION
    )


#: Audit and event names of the project fields, as the API spells them.
FIELDS = {
    "code": "code",
    "name": "name",
    "description": "description",
    "stage": "stage",
    "start_date": "startDate",
    "end_date": "endDate",
    "budget": "budget",
    "category": "category",
    "manager_id": "managerId",
    "sponsor_id": "sponsorId",
    "portfolio_id": "portfolioId",
    "programme_id": "programmeId",
}
REFERENCES = {
    "manager_id": "Person",
    "sponsor_id": "Person",
    "portfolio_id": "Portfolio",
    "programme_id": "Programme",
}


def project_values(project: Project) -> dict[str, Any]:
    """The project's fields under their API names, ids as global IDs."""
    values = {}
    for attribute, api_name in FIELDS.items():
        value = getattr(project, attribute)
        if attribute in REFERENCES and value is not None:
            value = to_global_id(REFERENCES[attribute], value)
        values[api_name] = value
    return values


@overload
async def load_project_for_write(
    tx: Transaction,
    checks: Checks,
    project_id: str,
    action: str,
    *,
    gather: Literal[False] = ...,
    detached: bool = ...,
) -> Project: ...


@overload
async def load_project_for_write(
    tx: Transaction,
    checks: Checks,
    project_id: str,
    action: str,
    *,
    gather: Literal[True],
    detached: bool = ...,
) -> Project | None: ...


async def load_project_for_write(
    tx: Transaction,
    checks: Checks,
    project_id: str,
    action: str,
    *,
    gather: bool = False,
    detached: bool = False,
) -> Project | None:
    """The project an input names, checked against the viewer's right to ``action`` it.

    With ``gather=True`` a project that is not found is a problem added to ``checks`` and the
    answer is None: check the rest of the input, then call ``checks.raise_if_any()`` once, so
    the caller answers every problem together. Without it (the default, as before) the
    problems found so far are raised at once. A project the viewer may not write raises
    ``FORBIDDEN`` either way.

    With ``detached=True`` the project is read through ``tx.rows`` (a Core statement on the
    driver's connection) and answered detached: for a body that reads the project and does not
    change it.
    """
    project = await checks.reference(
        tx.rows if detached else tx.session,
        tx.context.viewer.organisation_id,
        Project,
        "Project",
        project_id,
        "projectId",
    )
    if not gather:
        checks.raise_if_any()
        assert project is not None
    if project is None:
        return None
    authorize(tx.context, action, project_manager_id=project.manager_id, on_project=True)
    return project


async def _record(tx: Transaction, project: Project, before: dict[str, Any]) -> None:
    await tx.session.flush()
    after = project_values(project)
    changes = diff(before, after)
    tx.audit("Project", project.id, changes)
    tx.emit("project.updated", "Project", project.id, changed=sorted(changes))
    if "stage" in changes:
        tx.emit(
            "project.stage_changed",
            "Project",
            project.id,
            **{"from": changes["stage"]["from"], "to": changes["stage"]["to"]},
        )


def _context(info: Info[Any, Any]) -> Context:
    return get_context(info)


@strawberry.type
class ProjectsMutation:
    @strawberry.mutation(
        description="Create a project (ADMIN, OFFICE, PORTFOLIO_MANAGER, PROGRAMME_DIRECTOR; "
        "others FORBIDDEN). userErrors: INVALID (a blank or too long text, a code with spaces, "
        "an end before the start, a budget out of range), DUPLICATE (the code is another "
        "project's), NOT_FOUND (managerId, sponsorId)."
    )
    async def create_project(
        self, info: Info[Any, Any], input: CreateProjectInput
    ) -> ProjectPayload:
        context = _context(info)
        authorize(context, "createProject")
        organisation_id = context.viewer.organisation_id

        async def body(tx: Transaction) -> Project:
            checks = Checks()
            code = await check_code(checks, tx.session, organisation_id, input.code)
            name = checks.text(input.name, "name", required=True, max_length=200)
            description = checks.text(
                input.description, "description", required=False, max_length=20000
            )
            category = checks.text(input.category, "category", required=False, max_length=100)
            budget = checks.money(input.budget, "budget")
            checks.date_order(input.start_date, input.end_date, "startDate", "endDate")
            manager = await checks.reference(
                tx.session, organisation_id, Person, "Person", input.manager_id, "managerId"
            )
            sponsor = await checks.reference(
                tx.session, organisation_id, Person, "Person", input.sponsor_id, "sponsorId"
            )
            checks.raise_if_any()
            project = Project(
                organisation_id=organisation_id,
                code=code,
                name=name,
                description=description,
                stage=input.stage,
                start_date=input.start_date,
                end_date=input.end_date,
                budget=budget,
                category=category,
                manager_id=manager.id if manager else None,
                sponsor_id=sponsor.id if sponsor else None,
            )
            tx.session.add(project)
            await tx.session.flush()
            tx.audit("Project", project.id, snapshot(project_values(project)))
            tx.emit("project.created", "Project", project.id)
            return project

        return await run_mutation(info, "createProject", ProjectPayload, body)

    @strawberry.mutation(
        description="Change a project's fields (ADMIN, OFFICE, PORTFOLIO_MANAGER, "
        "PROGRAMME_DIRECTOR; a PROJECT_MANAGER on the projects they manage; others FORBIDDEN). "
        "userErrors: NOT_FOUND (projectId, managerId, sponsorId), CONFLICT (a stale "
        "expectedVersion), INVALID, DUPLICATE (the code is another project's)."
    )
    async def update_project(
        self, info: Info[Any, Any], input: UpdateProjectInput
    ) -> ProjectPayload:
        context = _context(info)
        authorize(context, "updateProject")
        organisation_id = context.viewer.organisation_id

        async def body(tx: Transaction) -> Project:
            checks = Checks()
            project = await load_project_for_write(
                tx, checks, input.project_id, "updateProject", gather=True
            )
            if project is not None:
                checks.version(input.expected_version, project.version, "project")
            values: dict[str, Any] = {}
            if is_set(input.code):
                values["code"] = await check_code(
                    checks,
                    tx.session,
                    organisation_id,
                    input.code,
                    exclude_id=project.id if project is not None else None,
                )
            if is_set(input.name):
                values["name"] = checks.text(input.name, "name", required=True, max_length=200)
            if is_set(input.description):
                values["description"] = checks.text(
                    input.description, "description", required=False, max_length=20000
                )
            if is_set(input.stage):
                if input.stage is None:
                    checks.add(INVALID, "stage cannot be null.", "stage")
                values["stage"] = input.stage
            if is_set(input.start_date):
                values["start_date"] = input.start_date
            if is_set(input.end_date):
                values["end_date"] = input.end_date
            if is_set(input.budget):
                values["budget"] = checks.money(input.budget, "budget")
            if is_set(input.category):
                values["category"] = checks.text(
                    input.category, "category", required=False, max_length=100
                )
            for attribute in ("manager_id", "sponsor_id"):
                value = getattr(input, attribute)
                if is_set(value):
                    person = await checks.reference(
                        tx.session, organisation_id, Person, "Person", value, FIELDS[attribute]
                    )
                    values[attribute] = person.id if person else None
            if project is not None:
                checks.date_order(
                    values.get("start_date", project.start_date),
                    values.get("end_date", project.end_date),
                    "startDate",
                    "endDate",
                )
            checks.raise_if_any()
            assert project is not None
            before = project_values(project)
            for attribute, value in values.items():
                setattr(project, attribute, value)
            await _record(tx, project, before)
            return project

        return await run_mutation(info, "updateProject", ProjectPayload, body)

    @strawberry.mutation(
        description="Put a project in a portfolio, or take it out with null (ADMIN, OFFICE, "
        "PORTFOLIO_MANAGER; others FORBIDDEN). userErrors: NOT_FOUND (projectId, portfolioId), "
        "CONFLICT (a stale expectedVersion)."
    )
    async def set_project_portfolio(
        self, info: Info[Any, Any], input: SetProjectPortfolioInput
    ) -> ProjectPayload:
        context = _context(info)
        authorize(context, "setProjectPortfolio")

        async def body(tx: Transaction) -> Project:
            checks = Checks()
            project = await load_project_for_write(
                tx, checks, input.project_id, "setProjectPortfolio", gather=True
            )
            if project is not None:
                checks.version(input.expected_version, project.version, "project")
            portfolio = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Portfolio,
                "Portfolio",
                input.portfolio_id,
                "portfolioId",
            )
            checks.raise_if_any()
            assert project is not None
            before = project_values(project)
            project.portfolio_id = portfolio.id if portfolio else None
            await _record(tx, project, before)
            return project

        return await run_mutation(info, "setProjectPortfolio", ProjectPayload, body)

    @strawberry.mutation(
        description="Put a project in a programme, or take it out with null (ADMIN, OFFICE, "
        "PORTFOLIO_MANAGER, PROGRAMME_DIRECTOR; others FORBIDDEN). userErrors: NOT_FOUND "
        "(projectId, programmeId), CONFLICT (a stale expectedVersion)."
    )
    async def set_project_programme(
        self, info: Info[Any, Any], input: SetProjectProgrammeInput
    ) -> ProjectPayload:
        context = _context(info)
        authorize(context, "setProjectProgramme")

        async def body(tx: Transaction) -> Project:
            checks = Checks()
            project = await load_project_for_write(
                tx, checks, input.project_id, "setProjectProgramme", gather=True
            )
            if project is not None:
                checks.version(input.expected_version, project.version, "project")
            # The programme may not change (its director, say) until the project has joined:
            # rules that follow the programme (the pmo tier's sponsorship) read it as it is.
            programme = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Programme,
                "Programme",
                input.programme_id,
                "programmeId",
                lock=Lock.READ,
            )
            checks.raise_if_any()
            assert project is not None
            before = project_values(project)
            project.programme_id = programme.id if programme else None
            await _record(tx, project, before)
            return project

        return await run_mutation(info, "setProjectProgramme", ProjectPayload, body)
