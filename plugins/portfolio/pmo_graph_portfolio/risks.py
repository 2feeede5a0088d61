"""Risk registers and each portfolio's risk profile."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from sqlalchemy import exists, func, select
from strawberry.types import Info

from pmo_graph.sdk import (
    INVALID,
    Checks,
    Context,
    ModelNode,
    Person,
    PersonRef,
    Portfolio,
    Project,
    ProjectRef,
    ProjectStage,
    Transaction,
    UserError,
    authorize,
    diff,
    get_context,
    is_set,
    load_by_id,
    load_parent,
    load_project_for_write,
    run_mutation,
    snapshot,
    sql_list,
    sql_one,
    sql_value,
    tier_field,
    tier_mutation,
    to_global_id,
)
from pmo_graph_portfolio.enums import RiskRating, RiskStatus, rating
from pmo_graph_portfolio.loaders import project_risks
from pmo_graph_portfolio.models import Risk
from pmo_graph_portfolio.refs import RiskRef
from pmo_graph_portfolio.tier import KEY

Row = strawberry.Parent[Risk]

#: ``rating`` in SQL, for the compiled path.
RATING_SQL = (
    "CASE WHEN {parent}.probability * {parent}.impact <= 4 THEN 'LOW' "
    "WHEN {parent}.probability * {parent}.impact <= 12 THEN 'MEDIUM' ELSE 'HIGH' END"
)


PROBABILITY = "How likely it is to happen: 1 (rare) to 5 (almost certain)."
IMPACT = "How bad it would be if it happened: 1 (negligible) to 5 (severe)."


@strawberry.type(
    name="Risk",
    description="Something that may happen to a project, on the project's risk register: how "
    "likely, how bad, who owns it, what is being done about it and whether it is still open. "
    "Every user of the organisation may read it.",
)
class RiskType(ModelNode):
    __model__ = Risk

    title: str = strawberry.field(
        description="What could happen, in a few words: trimmed, 1 to 200 characters."
    )
    description: str | None = strawberry.field(
        description="More about it, at most 20000 characters; null when none was given."
    )
    probability: int = strawberry.field(description=PROBABILITY)
    impact: int = strawberry.field(description=IMPACT)
    status: RiskStatus = strawberry.field(
        description="OPEN, CLOSED or OCCURRED; any status may follow any other (updateRisk)."
    )
    response: str | None = strawberry.field(
        description="What is being done about it (avoid, reduce, fall back, accept), at most "
        "20000 characters; null when no response is recorded."
    )
    proximity: date | None = strawberry.field(
        description="When it could occur; null when that is not said."
    )
    version: int = strawberry.field(
        description="1 when raised, one more with each update that changes the risk; send it "
        "as updateRisk's expectedVersion to be told (CONFLICT) when someone changed it since "
        "you read it."
    )
    created_at: datetime = strawberry.field(description="When it was raised (UTC).")
    updated_at: datetime = strawberry.field(description="When it last changed (UTC).")

    @strawberry.field(
        description="probability times impact, from 1 to 25 (13 and 14 cannot occur, nor any "
        "other number that is not a product of two numbers from 1 to 5).",
        metadata=sql_value("{parent}.probability * {parent}.impact"),
    )
    def score(self, root: Row) -> int:
        return root.probability * root.impact

    @strawberry.field(
        description="Follows from the score: LOW up to 4, MEDIUM 5 to 12, HIGH from 15.",
        metadata=sql_value(RATING_SQL),
    )
    def rating(self, root: Row) -> RiskRating:
        return rating(root.probability * root.impact)

    @strawberry.field(
        description="The project whose register the risk is on; it never changes.",
        metadata=sql_one("{row}.id = {parent}.project_id"),
    )
    async def project(self, root: Row, info: Info[Any, Any]) -> ProjectRef:
        return await load_parent(info, Project, root.project_id)

    @strawberry.field(
        description="The person who looks after the risk; null when nobody owns it.",
        metadata=sql_one("{row}.id = {parent}.owner_id"),
    )
    async def owner(self, root: Row, info: Info[Any, Any]) -> PersonRef | None:
        return await load_by_id(info, Person, root.owner_id)


@strawberry.type(description="The result of raiseRisk or updateRisk.")
class RiskPayload:
    risk: RiskRef | None = strawberry.field(
        default=None,
        description="The risk as the mutation left it; null when there are userErrors (then "
        "nothing was written).",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(
    description="A new risk for a project's register; projectId, title, probability and impact "
    "are required."
)
class RaiseRiskInput:
    project_id: strawberry.ID = strawberry.field(
        description="The project whose register it goes on, in any stage."
    )
    title: str = strawberry.field(
        description="What could happen, in a few words: trimmed, 1 to 200 characters."
    )
    probability: int = strawberry.field(description=PROBABILITY)
    impact: int = strawberry.field(description=IMPACT)
    description: str | None = strawberry.field(
        default=None, description="More about it, at most 20000 characters."
    )
    owner_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The person who looks after it, of your organisation; omitted or null: "
        "nobody yet (an OPEN HIGH risk without an owner fails the standard RISKS_OWNED).",
    )
    proximity: date | None = strawberry.field(
        default=None, description="When it could occur, from 1900-01-01 to 2999-12-31."
    )
    response: str | None = strawberry.field(
        default=None,
        description="What is being done about it, at most 20000 characters.",
    )


@strawberry.input(
    description="Changes to a risk. A field left out keeps its value; null clears description, "
    "proximity, response and ownerId, and is refused (INVALID) for probability, impact, status "
    "and title."
)
class UpdateRiskInput:
    risk_id: strawberry.ID = strawberry.field(description="The risk to change.")
    expected_version: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="The risk's version as you read it: if it has moved on, nothing is written "
        "and the answer is CONFLICT. Left out or null: no check.",
    )
    probability: int | None = strawberry.field(default=strawberry.UNSET, description=PROBABILITY)
    impact: int | None = strawberry.field(default=strawberry.UNSET, description=IMPACT)
    status: RiskStatus | None = strawberry.field(
        default=strawberry.UNSET,
        description="OPEN, CLOSED (it can no longer happen) or OCCURRED (it happened); any "
        "status may follow any other.",
    )
    response: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="What is being done about it, at most 20000 characters; null or blank "
        "clears it.",
    )
    owner_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="The person who looks after it, of your organisation; null: nobody.",
    )
    title: str | None = strawberry.field(
        default=strawberry.UNSET, description="Trimmed, 1 to 200 characters."
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="At most 20000 characters; null or blank clears it.",
    )
    proximity: date | None = strawberry.field(
        default=strawberry.UNSET,
        description="When it could occur, from 1900-01-01 to 2999-12-31; null clears it.",
    )


@strawberry.type(
    description="The OPEN risks of the projects in a portfolio now (of any stage), as a whole, "
    "as they stand at the moment of asking. CLOSED and OCCURRED risks are not counted."
)
class RiskProfile:
    heatmap: list[list[int]] = strawberry.field(
        description="A 5 by 5 grid of counts of the open risks: "
        "heatmap[impact - 1][probability - 1]. Rows go by impact (1 first), columns by "
        "probability (1 first), so the worst cell, impact 5 and probability 5, is heatmap[4][4]."
    )
    open_risks: int = strawberry.field(description="How many open risks are counted.")
    total_exposure: int = strawberry.field(
        description="The sum of the open risks' scores (each 1 to 25); 0 with none."
    )
    low: int = strawberry.field(description="How many of the open risks are rated LOW.")
    medium: int = strawberry.field(description="How many of the open risks are rated MEDIUM.")
    high: int = strawberry.field(description="How many of the open risks are rated HIGH.")
    _portfolio_id: strawberry.Private[int]

    @strawberry.field(
        description="The portfolio's ACTIVE projects with no risk recorded at all, in any "
        "status, by code: an empty register is not a safe register. A project whose risks are "
        "all closed has been assessed and is not listed."
    )
    async def unassessed(self, info: Info[Any, Any]) -> list[ProjectRef]:
        return await _unassessed(get_context(info), self._portfolio_id)


def _check_scale(checks: Checks, value: int, field: str) -> None:
    if not 1 <= value <= 5:
        checks.add(INVALID, f"{field} must be from 1 to 5.", field)


def risk_values(risk: Risk) -> dict[str, Any]:
    """The risk's fields under their API names."""
    return {
        "title": risk.title,
        "description": risk.description,
        "probability": risk.probability,
        "impact": risk.impact,
        "status": risk.status,
        "response": risk.response,
        "ownerId": to_global_id("Person", risk.owner_id) if risk.owner_id else None,
        "proximity": risk.proximity,
    }


async def _profiles(context: Context, portfolio_ids: list[int]) -> list[RiskProfile]:
    rows: Sequence[Any] = (
        await context.db.execute(
            select(Project.portfolio_id, Risk.impact, Risk.probability, func.count())
            .join(Project, Project.id == Risk.project_id)
            .where(
                Risk.organisation_id == context.viewer.organisation_id,
                Risk.status == RiskStatus.OPEN,
                Project.portfolio_id.in_(set(portfolio_ids)),
            )
            .group_by(Project.portfolio_id, Risk.impact, Risk.probability)
        )
    ).all()
    cells: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for portfolio_id, impact, probability, count in rows:
        cells[portfolio_id].append((impact, probability, int(count)))
    profiles = []
    for portfolio_id in portfolio_ids:
        heatmap = [[0] * 5 for _ in range(5)]
        counts = {RiskRating.LOW: 0, RiskRating.MEDIUM: 0, RiskRating.HIGH: 0}
        exposure = 0
        for impact, probability, count in cells[portfolio_id]:
            heatmap[impact - 1][probability - 1] += count
            counts[rating(impact * probability)] += count
            exposure += impact * probability * count
        profiles.append(
            RiskProfile(
                heatmap=heatmap,
                open_risks=sum(counts.values()),
                total_exposure=exposure,
                low=counts[RiskRating.LOW],
                medium=counts[RiskRating.MEDIUM],
                high=counts[RiskRating.HIGH],
                _portfolio_id=portfolio_id,
            )
        )
    return profiles


async def _unassessed(context: Context, portfolio_id: int) -> list[Project]:
    async def load(keys: list[int]) -> list[list[Project]]:
        projects = await context.db.scalars(
            select(Project)
            .where(
                Project.organisation_id == context.viewer.organisation_id,
                Project.portfolio_id.in_(set(keys)),
                Project.stage == ProjectStage.ACTIVE,
                ~exists().where(Risk.project_id == Project.id),
            )
            .order_by(Project.code, Project.id)
        )
        grouped: dict[int, list[Project]] = defaultdict(list)
        for project in projects:
            if project.portfolio_id is not None:
                grouped[project.portfolio_id].append(project)
        return [grouped[key] for key in keys]

    return await context.loaders.get(("portfolio", "unassessed"), load).load(portfolio_id)


@strawberry.type
class RiskProjectFields:
    @tier_field(
        KEY,
        description="The project's risk register: highest score first, then in the order they "
        "were raised.",
        metadata=sql_list(
            "{row}.project_id = {parent}.id", "{row}.probability * {row}.impact DESC, {row}.id"
        ),
    )
    async def risks(
        self,
        root: strawberry.Parent[Project],
        info: Info[Any, Any],
        status: Annotated[
            RiskStatus | None,
            strawberry.argument(description="Only risks of this status; omitted or null: all."),
        ] = None,
    ) -> list[RiskRef]:
        (found,) = await project_risks(get_context(info), [root.id], status)
        return found


@strawberry.type
class RiskPortfolioFields:
    @tier_field(
        KEY,
        description="The portfolio's position on risk: its projects' OPEN risks as a whole "
        "(heat map, exposure, counts by rating) and its ACTIVE projects with no risk recorded.",
    )
    async def risk_profile(
        self, root: strawberry.Parent[Portfolio], info: Info[Any, Any]
    ) -> RiskProfile:
        context = get_context(info)

        async def load(keys: list[int]) -> list[RiskProfile]:
            return await _profiles(context, keys)

        return await context.loaders.get(("portfolio", "risk_profile"), load).load(root.id)


@strawberry.type
class RiskMutation:
    @tier_mutation(
        KEY,
        description="Add a risk to a project's register, OPEN at version 1; emits risk.raised. "
        "For ADMIN, OFFICE, PORTFOLIO_MANAGER and PROGRAMME_DIRECTOR, and for a "
        "PROJECT_MANAGER on a project they manage; anyone else gets the error FORBIDDEN. "
        "userErrors: NOT_FOUND on projectId (checked first; with it nothing else is reported) "
        "or ownerId; INVALID on title, description, response, probability or impact.",
    )
    async def raise_risk(self, info: Info[Any, Any], input: RaiseRiskInput) -> RiskPayload:
        context = get_context(info)
        authorize(context, "raiseRisk")

        async def body(tx: Transaction) -> Risk:
            checks = Checks()
            project = await load_project_for_write(
                tx, checks, input.project_id, "raiseRisk", gather=True, detached=True
            )
            title = checks.text(input.title, "title", required=True, max_length=200)
            description = checks.text(
                input.description, "description", required=False, max_length=20000
            )
            response = checks.text(input.response, "response", required=False, max_length=20000)
            _check_scale(checks, input.probability, "probability")
            _check_scale(checks, input.impact, "impact")
            owner = await checks.reference(
                tx.rows,
                context.viewer.organisation_id,
                Person,
                "Person",
                input.owner_id,
                "ownerId",
            )
            checks.raise_if_any()
            assert project is not None
            risk = await tx.rows.insert(
                Risk,
                organisation_id=project.organisation_id,
                project_id=project.id,
                title=title,
                description=description,
                probability=input.probability,
                impact=input.impact,
                status=RiskStatus.OPEN,
                owner_id=owner.id if owner else None,
                response=response,
                proximity=input.proximity,
            )
            tx.audit(
                "Risk", risk.id, snapshot({"projectId": input.project_id, **risk_values(risk)})
            )
            tx.emit(
                "risk.raised", "Risk", risk.id, project=project.id, portfolio=project.portfolio_id
            )
            return risk

        return await run_mutation(info, "raiseRisk", RiskPayload, body)

    @tier_mutation(
        KEY,
        description="Re-assess a risk, record its response or owner, close it or mark it "
        "OCCURRED; emits risk.updated. Who may: as raiseRisk, a PROJECT_MANAGER on the risk's "
        "project. userErrors: NOT_FOUND on riskId (checked first; with it nothing else is "
        "reported) or ownerId; CONFLICT on expectedVersion; INVALID on probability, impact, "
        "status, title, description or response.",
    )
    async def update_risk(self, info: Info[Any, Any], input: UpdateRiskInput) -> RiskPayload:
        context = get_context(info)
        authorize(context, "updateRisk")

        async def body(tx: Transaction) -> Risk:
            checks = Checks()
            risk = await checks.reference(
                tx.session, context.viewer.organisation_id, Risk, "Risk", input.risk_id, "riskId"
            )
            checks.raise_if_any()
            assert risk is not None
            project = await tx.session.get(Project, risk.project_id)
            assert project is not None
            authorize(context, "updateRisk", project_manager_id=project.manager_id, on_project=True)
            checks.version(input.expected_version, risk.version, "risk")
            before = risk_values(risk)
            for field in ("probability", "impact"):
                value = getattr(input, field)
                if is_set(value):
                    if value is None:
                        checks.add(INVALID, f"{field} cannot be null.", field)
                    else:
                        _check_scale(checks, value, field)
                        setattr(risk, field, value)
            if is_set(input.status):
                if input.status is None:
                    checks.add(INVALID, "status cannot be null.", "status")
                else:
                    risk.status = input.status
            if is_set(input.title):
                risk.title = (
                    checks.text(input.title, "title", required=True, max_length=200) or risk.title
                )
            if is_set(input.description):
                risk.description = checks.text(
                    input.description, "description", required=False, max_length=20000
                )
            if is_set(input.proximity):
                risk.proximity = input.proximity
            if is_set(input.response):
                risk.response = checks.text(
                    input.response, "response", required=False, max_length=20000
                )
            if is_set(input.owner_id):
                owner = await checks.reference(
                    tx.session,
                    context.viewer.organisation_id,
                    Person,
                    "Person",
                    input.owner_id,
                    "ownerId",
                )
                risk.owner_id = owner.id if owner else None
            checks.raise_if_any()
            await tx.session.flush()
            changes = diff(before, risk_values(risk))
            tx.audit("Risk", risk.id, changes)
            tx.emit(
                "risk.updated",
                "Risk",
                risk.id,
                project=project.id,
                portfolio=project.portfolio_id,
                changed=sorted(changes),
            )
            return risk

        return await run_mutation(info, "updateRisk", RiskPayload, body)
