"""Compliance with standards: the findings per project and the compliance report."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from pmo_graph.sdk import (
    CheckResult,
    InstalledStandard,
    Project,
    ProjectRef,
    StandardType,
    evaluate,
    get_context,
    tier_field,
)
from pmo_graph_pso.scope import as_of_or_today, project_scope
from pmo_graph_pso.scope_arguments import PortfolioScope, ProgrammeScope
from pmo_graph_pso.tier import KEY


@strawberry.type(description="One project checked against one standard, with the evidence.")
class Finding:
    standard: StandardType = strawberry.field(description="The standard checked.")
    passed: bool = strawberry.field(description="Whether the project meets it.")
    message: str = strawberry.field(
        description="What the check found, and when it failed what would put it right, e.g. "
        "`No sponsor: name one with updateProject(sponsorId).`"
    )


@strawberry.type(description="A project's findings against every standard that applies to it.")
class Compliance:
    compliant: bool = strawberry.field(
        description="True when every finding passed, so also when no standard applies."
    )
    findings: list[Finding] = strawberry.field(
        description="One finding per standard that applies to the project, in the order of "
        "Query.standards; empty when none applies."
    )


@strawberry.type(description="A project and its compliance, in a compliance report.")
class ProjectCompliance:
    project: ProjectRef = strawberry.field(description="The project checked.")
    compliant: bool = strawberry.field(description="True when every finding passed.")
    findings: list[Finding] = strawberry.field(
        description="One finding per standard that applies to the project, in the order of "
        "Query.standards; never empty."
    )


@strawberry.type(description="How many projects of a compliance report pass and fail one standard.")
class StandardTally:
    standard: StandardType = strawberry.field(description="The standard counted.")
    passed: int = strawberry.field(description="Projects in the report that meet it.")
    failed: int = strawberry.field(description="Projects in the report that do not.")


@strawberry.type(
    description="Compliance of the projects in scope (of every stage) with the standards that "
    "apply to them, on a day."
)
class ComplianceReport:
    as_of: date = strawberry.field(
        description="The day judged: the asOf asked for, else today (UTC)."
    )
    compliant_projects: int = strawberry.field(
        description="Projects in the report that pass every standard that applies to them."
    )
    non_compliant_projects: int = strawberry.field(
        description="Projects in the report that fail at least one standard."
    )
    projects: list[ProjectCompliance] = strawberry.field(
        description="Projects to which at least one standard applies, by code; the others are "
        "left out."
    )
    standards: list[StandardTally] = strawberry.field(
        description="Each standard that applied to at least one project in the report, with its "
        "passes and failures."
    )


def _findings(results: list[tuple[InstalledStandard, CheckResult]]) -> list[Finding]:
    return [
        Finding(standard=StandardType.of(installed), passed=r.passed, message=r.message)
        for installed, r in results
    ]


@strawberry.type
class ComplianceProjectFields:
    @tier_field(
        KEY,
        description="The project checked against every standard of the organisation (those of "
        "the tiers that are on) that applies to it.",
    )
    async def compliance(
        self,
        root: strawberry.Parent[Project],
        info: Info[Any, Any],
        as_of: Annotated[
            date | None,
            strawberry.argument(
                description="The day judged, for the standards that depend on time (such as "
                "STATUS_REPORT_CURRENT); the others judge the project as it is now. Today (UTC) "
                "when left out."
            ),
        ] = None,
    ) -> Compliance:
        findings = _findings(
            (await evaluate(get_context(info), [root], as_of_or_today(as_of)))[root.id]
        )
        return Compliance(compliant=all(f.passed for f in findings), findings=findings)


@strawberry.type
class ComplianceQuery:
    @tier_field(
        KEY,
        description="Every project in scope, of every stage, checked as Project.compliance "
        "checks one: the organisation when no id is given, the projects in both when both are.",
    )
    async def compliance_report(
        self,
        info: Info[Any, Any],
        portfolio_id: PortfolioScope = None,
        programme_id: ProgrammeScope = None,
        as_of: Annotated[
            date | None,
            strawberry.argument(
                description="The day judged, for the standards that depend on time; today "
                "(UTC) when left out."
            ),
        ] = None,
    ) -> ComplianceReport:
        context = get_context(info)
        day = as_of_or_today(as_of)
        projects = list(
            await context.db.scalars(
                select(Project)
                .where(
                    Project.organisation_id == context.viewer.organisation_id,
                    *project_scope(portfolio_id, programme_id),
                )
                .order_by(Project.code, Project.id)
            )
        )
        results = await evaluate(context, projects, day)
        rows = []
        tallies: dict[str, list[Any]] = {}
        for project in projects:
            findings = _findings(results[project.id])
            if not findings:
                continue
            rows.append(
                ProjectCompliance(
                    project=project, compliant=all(f.passed for f in findings), findings=findings
                )
            )
            for finding in findings:
                tally = tallies.setdefault(finding.standard.key, [finding.standard, 0, 0])
                tally[1 if finding.passed else 2] += 1
        compliant = sum(1 for row in rows if row.compliant)
        return ComplianceReport(
            as_of=day,
            compliant_projects=compliant,
            non_compliant_projects=len(rows) - compliant,
            projects=rows,
            standards=[
                StandardTally(standard=s, passed=p, failed=f) for s, p, f in tallies.values()
            ],
        )
