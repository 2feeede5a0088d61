"""Project templates: reusable shapes, and projects created from them with their milestones."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from pmo_graph.sdk import (
    INVALID,
    LAST_DATE,
    Checks,
    Connection,
    ModelNode,
    Ordering,
    Person,
    Project,
    ProjectPayload,
    ProjectStage,
    Transaction,
    UserError,
    add_days,
    authorize,
    check_code,
    get_context,
    page_args,
    paginate,
    project_values,
    run_mutation,
    snapshot,
    tier_field,
    tier_mutation,
)
from pmo_graph_pso.models import Milestone, ProjectTemplate, TemplateMilestone
from pmo_graph_pso.refs import ProjectTemplateRef
from pmo_graph_pso.tier import KEY

TEMPLATE_ORDER = Ordering((ProjectTemplate.name, ProjectTemplate.id))
MAX_MILESTONES = 100
#: The latest a template's milestone may fall after the start: ten years, as a scenario's shift
#: and a dependency's lag.
MAX_OFFSET_DAYS = 3650


@strawberry.type(
    name="TemplateMilestone",
    description="A milestone a template plans, as a number of days after the project's start.",
)
class TemplateMilestoneType:
    name: str = strawberry.field(
        description="The name the project's milestone gets (1 to 200 characters)."
    )
    offset_days: int = strawberry.field(
        description="Days after the project's start date, 0 to 3650: the milestone's baseline "
        "and forecast date."
    )

    @classmethod
    def is_type_of(cls, obj: Any, info: Info[Any, Any]) -> bool:
        return isinstance(obj, (cls, TemplateMilestone))


@strawberry.type(
    name="ProjectTemplate",
    description="A reusable project shape the office supplies: the milestones a new project "
    "starts with. It cannot be changed once created.",
)
class ProjectTemplateType(ModelNode):
    __model__ = ProjectTemplate

    name: str = strawberry.field(description="The template's name (1 to 200 characters).")
    description: str | None = strawberry.field(
        description="What the template is for (at most 20000 characters); a project created "
        "from it without a description of its own gets this one. Null when none was given."
    )
    version: int = strawberry.field(
        description="The template's version: 1, as a template is not changed once created."
    )

    @strawberry.field(description="The milestones it plans (at most 100), in the order given.")
    async def milestones(
        self, root: strawberry.Parent[ProjectTemplate], info: Info[Any, Any]
    ) -> list[TemplateMilestoneType]:
        loader = get_context(info).loaders.children(
            TemplateMilestone, TemplateMilestone.template_id, order_by=(TemplateMilestone.position,)
        )
        return await loader.load(root.id)  # type: ignore[return-value]


@strawberry.type(description="The result of a mutation on a project template.")
class ProjectTemplatePayload:
    project_template: ProjectTemplateRef | None = strawberry.field(
        default=None, description="The template created; null when userErrors say why not."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="A milestone a template plans.")
class TemplateMilestoneInput:
    name: str = strawberry.field(
        description="Its name: inner spaces collapsed, 1 to 200 characters (else INVALID on "
        "milestones.<index>.name)."
    )
    offset_days: int = strawberry.field(
        description="Days after the project's start date, 0 to 3650 (ten years); else INVALID "
        "on milestones.<index>.offsetDays."
    )


@strawberry.input(description="A new project template and the milestones it plans.")
class CreateProjectTemplateInput:
    name: str = strawberry.field(
        description="The template's name: trimmed, 1 to 200 characters (else INVALID)."
    )
    description: str | None = strawberry.field(
        default=None,
        description="What the template is for: at most 20000 characters (else INVALID); it "
        "becomes the description of projects created without one.",
    )
    milestones: list[TemplateMilestoneInput] = strawberry.field(
        default_factory=list,
        description="The milestones, at most 100 (else INVALID), kept in this order; none when "
        "left out.",
    )


@strawberry.input(
    description="A new project, planned from a template; the same rules as createProject for "
    "the fields they share."
)
class CreateProjectFromTemplateInput:
    template_id: strawberry.ID = strawberry.field(
        description="The template; NOT_FOUND when your organisation has no template with that id."
    )
    code: str = strawberry.field(
        description="The project's short code: unique in the organisation (else DUPLICATE), at "
        "most 40 characters, without spaces (else INVALID)."
    )
    name: str = strawberry.field(
        description="The project's name: trimmed, 1 to 200 characters (else INVALID)."
    )
    start_date: date = strawberry.field(
        description="The project's start: each milestone is planned offsetDays after it, and "
        "the project ends at the last. INVALID when a milestone would fall after 2999-12-31."
    )
    description: str | None = strawberry.field(
        default=None,
        description="At most 20000 characters; the template's description when left out.",
    )
    budget: Decimal | None = strawberry.field(
        default=None,
        description="The budget, money in the organisation's currency: 0 to 9999999999999.99, "
        "at most two decimals (else INVALID); none when left out.",
    )
    category: str | None = strawberry.field(
        default=None,
        description="The category portfolio balance counts it under: at most 100 characters.",
    )
    manager_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The project manager; NOT_FOUND when your organisation has no person with "
        "that id.",
    )
    sponsor_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The sponsor; NOT_FOUND when your organisation has no person with that id.",
    )


@strawberry.type
class TemplateQuery:
    @tier_field(
        KEY, description="The organisation's project templates, by name (then by creation)."
    )
    async def project_templates(
        self,
        info: Info[Any, Any],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[ProjectTemplateRef]:
        context = get_context(info)
        args = page_args(context, first=first, after=after, last=last, before=before, width=2)
        return await paginate(context, ProjectTemplate, TEMPLATE_ORDER, args)


@strawberry.type
class TemplateMutation:
    @tier_mutation(
        KEY,
        description="Create a project template with its milestones. ADMIN and OFFICE only; "
        "anyone else gets FORBIDDEN. userErrors: INVALID (name, description, milestones and "
        "each milestone's name and offsetDays).",
    )
    async def create_project_template(
        self, info: Info[Any, Any], input: CreateProjectTemplateInput
    ) -> ProjectTemplatePayload:
        context = get_context(info)
        authorize(context, "createProjectTemplate")

        async def body(tx: Transaction) -> ProjectTemplate:
            checks = Checks()
            name = checks.text(input.name, "name", required=True, max_length=200)
            description = checks.text(
                input.description, "description", required=False, max_length=20000
            )
            if len(input.milestones) > MAX_MILESTONES:
                checks.add(
                    INVALID, f"A template has at most {MAX_MILESTONES} milestones.", "milestones"
                )
            planned = []
            for index, item in enumerate(input.milestones):
                milestone_name = " ".join(item.name.split())
                if not milestone_name or len(milestone_name) > 200:
                    checks.add(
                        INVALID,
                        f"Milestone {index + 1} needs a name of 1 to 200 characters.",
                        "milestones",
                        str(index),
                        "name",
                    )
                if not 0 <= item.offset_days <= MAX_OFFSET_DAYS:
                    checks.add(
                        INVALID,
                        f"offsetDays of milestone {index + 1} is {item.offset_days}; it counts "
                        f"days after the start and must be from 0 to {MAX_OFFSET_DAYS}.",
                        "milestones",
                        str(index),
                        "offsetDays",
                    )
                planned.append((milestone_name, item.offset_days))
            checks.raise_if_any()
            template = ProjectTemplate(
                organisation_id=context.viewer.organisation_id, name=name, description=description
            )
            tx.session.add(template)
            await tx.session.flush()
            tx.session.add_all(
                TemplateMilestone(
                    organisation_id=template.organisation_id,
                    template_id=template.id,
                    position=position,
                    name=milestone_name,
                    offset_days=offset,
                )
                for position, (milestone_name, offset) in enumerate(planned)
            )
            await tx.session.flush()
            tx.audit(
                "ProjectTemplate",
                template.id,
                {
                    "name": name,
                    "description": description,
                    "milestones": [{"name": n, "offsetDays": o} for n, o in planned],
                },
            )
            return template

        return await run_mutation(info, "createProjectTemplate", ProjectTemplatePayload, body)

    @tier_mutation(
        KEY,
        description="Create a project from a template, in stage PROPOSED: each of its milestones "
        "is planned from the start date (baseline = forecast = startDate + offsetDays), and the "
        "project's endDate is the last of them (startDate without milestones). ADMIN, OFFICE, "
        "PORTFOLIO_MANAGER and PROGRAMME_DIRECTOR only; anyone else gets FORBIDDEN. userErrors: "
        "NOT_FOUND (templateId, managerId, sponsorId), INVALID (code, name, description, "
        "category, budget, startDate), DUPLICATE (code).",
    )
    async def create_project_from_template(
        self, info: Info[Any, Any], input: CreateProjectFromTemplateInput
    ) -> ProjectPayload:
        context = get_context(info)
        authorize(context, "createProjectFromTemplate")
        organisation_id = context.viewer.organisation_id

        async def body(tx: Transaction) -> Project:
            checks = Checks()
            template = await checks.reference(
                tx.session,
                organisation_id,
                ProjectTemplate,
                "ProjectTemplate",
                input.template_id,
                "templateId",
            )
            code = await check_code(checks, tx.session, organisation_id, input.code)
            name = checks.text(input.name, "name", required=True, max_length=200)
            description = checks.text(
                input.description, "description", required=False, max_length=20000
            )
            category = checks.text(input.category, "category", required=False, max_length=100)
            budget = checks.money(input.budget, "budget")
            manager = await checks.reference(
                tx.session, organisation_id, Person, "Person", input.manager_id, "managerId"
            )
            sponsor = await checks.reference(
                tx.session, organisation_id, Person, "Person", input.sponsor_id, "sponsorId"
            )
            checks.raise_if_any()
            assert template is not None
            planned = list(
                await tx.session.scalars(
                    select(TemplateMilestone)
                    .where(TemplateMilestone.template_id == template.id)
                    .order_by(TemplateMilestone.position)
                )
            )
            dated = [(item, add_days(input.start_date, item.offset_days)) for item in planned]
            last_offset = max((m.offset_days for m in planned), default=0)
            end_date = add_days(input.start_date, last_offset)
            for item, day in dated:
                if day is None:
                    checks.add(
                        INVALID,
                        f"From this start date, milestone {item.name!r} ({item.offset_days} days "
                        f"after it) would fall after {LAST_DATE}, the last date pmo-graph "
                        "accepts; start earlier.",
                        "startDate",
                    )
            checks.raise_if_any()
            assert end_date is not None
            project = Project(
                organisation_id=organisation_id,
                code=code,
                name=name,
                description=description or template.description,
                stage=ProjectStage.PROPOSED,
                start_date=input.start_date,
                end_date=end_date,
                budget=budget,
                category=category,
                manager_id=manager.id if manager else None,
                sponsor_id=sponsor.id if sponsor else None,
            )
            tx.session.add(project)
            await tx.session.flush()
            for item, day in dated:
                tx.session.add(
                    Milestone(
                        organisation_id=organisation_id,
                        project_id=project.id,
                        name=item.name,
                        baseline_date=day,
                        forecast_date=day,
                    )
                )
            await tx.session.flush()
            planned_dates = [
                {"name": item.name, "baselineDate": day and day.isoformat()} for item, day in dated
            ]
            tx.audit(
                "Project",
                project.id,
                {
                    **snapshot(project_values(project)),
                    "templateId": input.template_id,
                    "milestones": planned_dates,
                },
            )
            tx.emit("project.created", "Project", project.id, template=template.id)
            return project

        return await run_mutation(info, "createProjectFromTemplate", ProjectPayload, body)
