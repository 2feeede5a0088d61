"""Status reporting: immutable reports, each project's latest, and the office's summary."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any

import strawberry
from sqlalchemy import bindparam, select
from strawberry.types import Info

from pmo_graph.sdk import (
    DUPLICATE,
    INVALID,
    Checks,
    Connection,
    ModelNode,
    Ordering,
    Project,
    ProjectRef,
    ProjectStage,
    Transaction,
    UserError,
    UserRef,
    authorize,
    get_context,
    load_by_id,
    load_parent,
    load_project_for_write,
    page_args,
    paginate_children,
    run_mutation,
    snapshot,
    sql_connection,
    sql_one,
    tier_field,
    tier_mutation,
    utcnow,
)
from pmo_graph.sdk import User as UserRow
from pmo_graph_pso.enums import Rag
from pmo_graph_pso.loaders import latest_reports, reporting_cadence
from pmo_graph_pso.models import StatusReport
from pmo_graph_pso.refs import StatusReportRef
from pmo_graph_pso.scope import as_of_or_today, project_scope
from pmo_graph_pso.scope_arguments import PortfolioScope, ProgrammeScope
from pmo_graph_pso.tier import KEY

REPORT_ORDER = Ordering((StatusReport.period_ending, StatusReport.id), descending=True)

Row = strawberry.Parent[StatusReport]


@strawberry.type(
    name="StatusReport",
    description="A project's status at the end of a reporting period: an overall RAG, optional "
    "RAGs of schedule, cost, scope and resources, and a summary. A snapshot: it is never changed "
    "once submitted.",
)
class StatusReportType(ModelNode):
    __model__ = StatusReport

    period_ending: date = strawberry.field(
        description="The last day the report covers, on or before the day it was submitted; a "
        "project has at most one report per periodEnding."
    )
    overall: Rag = strawberry.field(description="How the project stands overall in the period.")
    schedule: Rag | None = strawberry.field(
        description="How the schedule stands (milestones and dates); null when the report left "
        "it out."
    )
    cost: Rag | None = strawberry.field(
        description="How spending stands against the budget; null when the report left it out."
    )
    scope: Rag | None = strawberry.field(
        description="How the agreed deliverables stand; null when the report left it out."
    )
    resources: Rag | None = strawberry.field(
        description="Whether the project has the people and skills it needs; null when the "
        "report left it out."
    )
    summary: str | None = strawberry.field(
        description="What happened in the period and what needs attention, in the reporter's "
        "words (at most 20000 characters); null when none was given."
    )
    submitted_at: datetime = strawberry.field(description="When it was submitted (UTC).")

    @strawberry.field(
        description="The project reported on.",
        metadata=sql_one("{row}.id = {parent}.project_id"),
    )
    async def project(self, root: Row, info: Info[Any, Any]) -> ProjectRef:
        return await load_parent(info, Project, root.project_id)

    @strawberry.field(
        description="The user whose token submitted it (null if the user was since deleted).",
        metadata=sql_one("{row}.id = {parent}.submitted_by_id"),
    )
    async def submitted_by(self, root: Row, info: Info[Any, Any]) -> UserRef | None:
        return await load_by_id(info, UserRow, root.submitted_by_id)


@strawberry.type(description="The result of submitting a status report.")
class StatusReportPayload:
    status_report: StatusReportRef | None = strawberry.field(
        default=None, description="The report submitted; null when userErrors say why not."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(
    description="A project's status for a period that has ended. A report is a snapshot: it "
    "cannot be changed once submitted."
)
class SubmitStatusReportInput:
    project_id: strawberry.ID = strawberry.field(
        description="The project reported on; NOT_FOUND when your organisation has no project "
        "with that id."
    )
    period_ending: date = strawberry.field(
        description="The last day the report covers: today (UTC) at the latest, else INVALID; "
        "DUPLICATE when the project already has a report for that day."
    )
    overall: Rag = strawberry.field(description="How the project stands overall.")
    schedule: Rag | None = strawberry.field(
        default=None, description="How the schedule stands; leave out when not assessed."
    )
    cost: Rag | None = strawberry.field(
        default=None,
        description="How spending stands against the budget; leave out when not assessed.",
    )
    scope: Rag | None = strawberry.field(
        default=None,
        description="How the agreed deliverables stand; leave out when not assessed.",
    )
    resources: Rag | None = strawberry.field(
        default=None,
        description="Whether the project has the people and skills it needs; leave out when "
        "not assessed.",
    )
    summary: str | None = strawberry.field(
        default=None,
        description="What happened in the period and what needs attention: trimmed, at most "
        "20000 characters (else INVALID); blank counts as none.",
    )


@strawberry.type(
    description="Where the ACTIVE projects in scope stand on a day, each counted once by the "
    "overall RAG of its latest report on or before that day, and which of them are stale."
)
class StatusSummary:
    as_of: date = strawberry.field(
        description="The day the summary is made for: the asOf asked for, else today (UTC)."
    )
    reporting_cadence_days: int = strawberry.field(
        description="The organisation's reporting cadence, in days: a report whose periodEnding "
        "is more than this many days before asOf is stale."
    )
    active_projects: int = strawberry.field(
        description="How many projects in scope are ACTIVE now: green + amber + red + unreported."
    )
    green: int = strawberry.field(
        description="Active projects whose latest report on or before asOf is overall GREEN."
    )
    amber: int = strawberry.field(
        description="Active projects whose latest report on or before asOf is overall AMBER."
    )
    red: int = strawberry.field(
        description="Active projects whose latest report on or before asOf is overall RED."
    )
    unreported: int = strawberry.field(
        description="Active projects with no report for a period ending on or before asOf."
    )
    stale: list[ProjectRef] = strawberry.field(
        description="Active projects whose latest report on or before asOf ends more than "
        "reportingCadenceDays before asOf, or that have none; by project code."
    )


@strawberry.type
class StatusProjectFields:
    @tier_field(
        KEY,
        description="Every status report of the project, newest period first (periodEnding "
        "descending).",
        metadata=sql_connection("{row}.project_id = {parent}.id", REPORT_ORDER.sql_template()),
    )
    async def status_reports(
        self,
        root: strawberry.Parent[Project],
        info: Info[Any, Any],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[StatusReportRef]:
        context = get_context(info)
        args = page_args(context, first=first, after=after, last=last, before=before, width=2)
        return await paginate_children(
            context, StatusReport, StatusReport.project_id, root.id, REPORT_ORDER, args
        )

    @tier_field(
        KEY,
        description="The report with the latest periodEnding, whenever it was submitted; null "
        "when the project has never reported. It takes no asOf: statusSummary and compliance "
        "judge a past day.",
        metadata=sql_one("{row}.project_id = {parent}.id", REPORT_ORDER.sql_template()),
    )
    async def latest_status(
        self, root: strawberry.Parent[Project], info: Info[Any, Any]
    ) -> StatusReportRef | None:
        (report,) = await latest_reports(get_context(info), [root.id])
        return report


@strawberry.type
class StatusQuery:
    @tier_field(
        KEY,
        description="Counts of the ACTIVE projects in scope by the overall RAG of their latest "
        "report on or before asOf, and the stale ones. The scope is the organisation when no id "
        "is given, and the projects in both when both are; stage and scope are the projects' "
        "current ones, asOf applies to the reports.",
    )
    async def status_summary(
        self,
        info: Info[Any, Any],
        portfolio_id: PortfolioScope = None,
        programme_id: ProgrammeScope = None,
        as_of: Annotated[
            date | None,
            strawberry.argument(
                description="The day to count on: reports for a later period are ignored. "
                "Today (UTC) when left out."
            ),
        ] = None,
    ) -> StatusSummary:
        context = get_context(info)
        day = as_of_or_today(as_of)
        cadence = await reporting_cadence(context)
        projects = list(
            await context.db.scalars(
                select(Project)
                .where(
                    Project.organisation_id == context.viewer.organisation_id,
                    Project.stage == ProjectStage.ACTIVE,
                    *project_scope(portfolio_id, programme_id),
                )
                .order_by(Project.code, Project.id)
            )
        )
        reports = await latest_reports(context, [p.id for p in projects], day)
        counts = {Rag.GREEN: 0, Rag.AMBER: 0, Rag.RED: 0}
        stale = []
        oldest_current = day - timedelta(days=cadence)
        for project, report in zip(projects, reports, strict=True):
            if report is not None:
                counts[report.overall] += 1
            if report is None or report.period_ending < oldest_current:
                stale.append(project)
        return StatusSummary(
            as_of=day,
            reporting_cadence_days=cadence,
            active_projects=len(projects),
            green=counts[Rag.GREEN],
            amber=counts[Rag.AMBER],
            red=counts[Rag.RED],
            unreported=sum(1 for report in reports if report is None),
            stale=stale,
        )


#: The id of a project's report for a period, if it has one (``DUPLICATE``); built once.
_REPORT_OF_THE_PERIOD = select(StatusReport.id).where(
    StatusReport.project_id == bindparam("project"),
    StatusReport.period_ending == bindparam("period"),
)


@strawberry.type
class StatusMutation:
    @tier_mutation(
        KEY,
        description="Report a project's status for a period that has ended. ADMIN and OFFICE "
        "may report on any project, a PROJECT_MANAGER on the projects they manage; anyone else "
        "gets FORBIDDEN. A report cannot be changed afterwards: report the next period instead. "
        "userErrors: NOT_FOUND (projectId); INVALID (periodEnding after today, summary over 20000 "
        "characters); DUPLICATE (periodEnding: the project has a report for that day).",
    )
    async def submit_status_report(
        self, info: Info[Any, Any], input: SubmitStatusReportInput
    ) -> StatusReportPayload:
        authorize(get_context(info), "submitStatusReport")

        async def body(tx: Transaction) -> StatusReport:
            checks = Checks()
            project = await load_project_for_write(
                tx, checks, input.project_id, "submitStatusReport", gather=True, detached=True
            )
            summary = checks.text(input.summary, "summary", required=False, max_length=20000)
            today = utcnow().date()
            if input.period_ending > today:
                checks.add(
                    INVALID,
                    f"periodEnding {input.period_ending} is in the future; report on a period "
                    "that has ended.",
                    "periodEnding",
                )
            duplicate = (
                await tx.rows.scalar(
                    _REPORT_OF_THE_PERIOD, project=project.id, period=input.period_ending
                )
                if project is not None
                else None
            )
            if project is not None and duplicate is not None:
                checks.add(
                    DUPLICATE,
                    f"{project.code} already has a report for the period ending "
                    f"{input.period_ending}; reports cannot be changed, so report the next period.",
                    "periodEnding",
                )
            checks.raise_if_any()
            assert project is not None
            report = await tx.rows.insert(
                StatusReport,
                organisation_id=project.organisation_id,
                project_id=project.id,
                period_ending=input.period_ending,
                overall=input.overall,
                schedule=input.schedule,
                cost=input.cost,
                scope=input.scope,
                resources=input.resources,
                summary=summary,
                submitted_by_id=tx.context.viewer.user_id,
            )
            tx.audit(
                "StatusReport",
                report.id,
                snapshot(
                    {
                        "projectId": input.project_id,
                        "periodEnding": input.period_ending,
                        "overall": input.overall,
                        "schedule": input.schedule,
                        "cost": input.cost,
                        "scope": input.scope,
                        "resources": input.resources,
                    }
                ),
            )
            tx.emit(
                "status_report.submitted",
                "StatusReport",
                report.id,
                project=project.id,
                portfolio=project.portfolio_id,
                programme=project.programme_id,
                overall=input.overall,
                period_ending=input.period_ending,
            )
            return report

        return await run_mutation(info, "submitStatusReport", StatusReportPayload, body)
