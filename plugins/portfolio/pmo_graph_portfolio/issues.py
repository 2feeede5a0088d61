"""Common issues: issues that touch several projects, escalated to a portfolio when needed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import func, or_, select
from strawberry.types import Info

from pmo_graph.sdk import (
    DUPLICATE,
    INVALID,
    Checks,
    Context,
    Forbidden,
    ModelNode,
    Person,
    PersonRef,
    Portfolio,
    PortfolioRef,
    Project,
    ProjectRef,
    Role,
    Transaction,
    UserError,
    authorize,
    get_context,
    load_by_id,
    permission_for,
    run_mutation,
    snapshot,
    tier_field,
    tier_mutation,
    to_global_id,
    utcnow,
)
from pmo_graph_portfolio.enums import IssueSeverity, IssueStatus
from pmo_graph_portfolio.models import Issue, IssueProject
from pmo_graph_portfolio.refs import IssueRef
from pmo_graph_portfolio.tier import KEY

Row = strawberry.Parent[Issue]


TITLE = "What the problem is, in a few words: trimmed, 1 to 200 characters."


@strawberry.type(
    name="Issue",
    description="A problem happening now (a risk that occurred, or one nobody saw coming). It "
    "may touch several projects, and be escalated to a portfolio to be managed there. Every "
    "user of the organisation may read it.",
)
class IssueType(ModelNode):
    __model__ = Issue

    title: str = strawberry.field(description=TITLE)
    description: str | None = strawberry.field(
        description="More about it, at most 20000 characters; null when none was given."
    )
    severity: IssueSeverity = strawberry.field(
        description="How serious it is, as it was raised (no mutation changes it)."
    )
    status: IssueStatus = strawberry.field(
        description="OPEN until resolveIssue makes it RESOLVED; nothing reopens it."
    )
    resolution: str | None = strawberry.field(
        description="How it was resolved, at most 20000 characters; null while OPEN."
    )
    resolved_at: datetime | None = strawberry.field(
        description="When it was resolved (UTC); null while OPEN."
    )
    version: int = strawberry.field(
        description="1 when raised, one more with each project linked, each escalation and the "
        "resolution."
    )
    created_at: datetime = strawberry.field(description="When it was raised (UTC).")

    @strawberry.field(
        description="The person who deals with it, named when it was raised; null when nobody "
        "was named."
    )
    async def owner(self, root: Row, info: Info[Any, Any]) -> PersonRef | None:
        return await load_by_id(info, Person, root.owner_id)

    @strawberry.field(
        description="The portfolio it was last escalated to, which manages it; null when it was "
        "never escalated."
    )
    async def escalated_to(self, root: Row, info: Info[Any, Any]) -> PortfolioRef | None:
        return await load_by_id(info, Portfolio, root.escalated_to_id)

    @strawberry.field(
        description="The projects it touches, at least one, by code; they may be in different "
        "portfolios."
    )
    async def projects(self, root: Row, info: Info[Any, Any]) -> list[ProjectRef]:
        return await _projects_of_issue(get_context(info), root.id)


@strawberry.type(description="The result of raiseIssue, linkIssue, escalateIssue or resolveIssue.")
class IssuePayload:
    issue: IssueRef | None = strawberry.field(
        default=None,
        description="The issue as the mutation left it; null when there are userErrors (then "
        "nothing was written).",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="A new issue; title, severity and projectIds are required.")
class RaiseIssueInput:
    title: str = strawberry.field(description=TITLE)
    severity: IssueSeverity = strawberry.field(description="How serious it is.")
    project_ids: list[strawberry.ID] = strawberry.field(
        description="The projects it touches, of your organisation, in any portfolios: at "
        "least one, each once (else DUPLICATE). A PROJECT_MANAGER must manage every one."
    )
    description: str | None = strawberry.field(
        default=None, description="More about it, at most 20000 characters."
    )
    owner_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The person who deals with it, of your organisation; omitted or null: "
        "nobody named.",
    )


@strawberry.input(description="Another project an issue touches.")
class LinkIssueInput:
    issue_id: strawberry.ID = strawberry.field(description="The issue, OPEN.")
    project_id: strawberry.ID = strawberry.field(
        description="The project it also touches, of your organisation and not linked yet; a "
        "PROJECT_MANAGER must manage it."
    )


@strawberry.input(description="The portfolio an issue is handed to.")
class EscalateIssueInput:
    issue_id: strawberry.ID = strawberry.field(
        description="The issue, OPEN; a PROJECT_MANAGER must manage every project it touches."
    )
    portfolio_id: strawberry.ID = strawberry.field(
        description="The portfolio to manage it, of your organisation (any portfolio, not only "
        "those of its projects); it replaces an earlier escalation."
    )


@strawberry.input(description="How an issue was resolved.")
class ResolveIssueInput:
    issue_id: strawberry.ID = strawberry.field(description="The issue, OPEN.")
    resolution: str = strawberry.field(
        description="How it was resolved: trimmed, 1 to 20000 characters."
    )


async def _projects_of_issue(context: Context, issue_id: int) -> list[Project]:
    async def load(keys: list[int]) -> list[list[Project]]:
        rows: Sequence[Any] = (
            await context.db.execute(
                select(IssueProject.issue_id, Project)
                .join(Project, Project.id == IssueProject.project_id)
                .where(
                    IssueProject.issue_id.in_(set(keys)),
                    IssueProject.organisation_id == context.viewer.organisation_id,
                )
                .order_by(Project.code, Project.id)
            )
        ).all()
        grouped: dict[int, list[Project]] = defaultdict(list)
        for issue, project in rows:
            grouped[issue].append(project)
        return [grouped[key] for key in keys]

    return await context.loaders.get(("portfolio", "issue_projects"), load).load(issue_id)


async def _issues_of_project(context: Context, project_id: int) -> list[Issue]:
    async def load(keys: list[int]) -> list[list[Issue]]:
        rows: Sequence[Any] = (
            await context.db.execute(
                select(IssueProject.project_id, Issue)
                .join(Issue, Issue.id == IssueProject.issue_id)
                .where(
                    IssueProject.project_id.in_(set(keys)),
                    Issue.organisation_id == context.viewer.organisation_id,
                )
                .order_by(Issue.id.desc())
            )
        ).all()
        grouped: dict[int, list[Issue]] = defaultdict(list)
        for project, issue in rows:
            grouped[project].append(issue)
        return [grouped[key] for key in keys]

    return await context.loaders.get(("portfolio", "project_issues"), load).load(project_id)


async def _common_issues(context: Context, portfolio_ids: list[int]) -> list[list[Issue]]:
    organisation_id = context.viewer.organisation_id
    touching = (
        select(Project.portfolio_id, IssueProject.issue_id)
        .join(Project, Project.id == IssueProject.project_id)
        .where(
            IssueProject.organisation_id == organisation_id,
            Project.portfolio_id.in_(set(portfolio_ids)),
        )
        .group_by(Project.portfolio_id, IssueProject.issue_id)
        .having(func.count() >= 2)
    )
    shared: Sequence[Any] = (await context.db.execute(touching)).all()
    pairs = {(portfolio_id, issue_id) for portfolio_id, issue_id in shared}
    issues = await context.db.scalars(
        select(Issue)
        .where(
            Issue.organisation_id == organisation_id,
            Issue.status == IssueStatus.OPEN,
            or_(
                Issue.id.in_({issue_id for _, issue_id in pairs}),
                Issue.escalated_to_id.in_(set(portfolio_ids)),
            ),
        )
        .order_by(Issue.id.desc())
    )
    grouped: dict[int, list[Issue]] = defaultdict(list)
    for issue in issues:
        for portfolio_id in portfolio_ids:
            if (portfolio_id, issue.id) in pairs or issue.escalated_to_id == portfolio_id:
                grouped[portfolio_id].append(issue)
    return [grouped[key] for key in portfolio_ids]


def _own_projects_only(context: Context, action: str, projects: list[Project]) -> None:
    """A project manager may act on issues only of projects they manage."""
    viewer = context.viewer
    rule = permission_for(context, action)
    if viewer.has_any(*rule.roles):
        return
    if (
        viewer.has_any(Role.PROJECT_MANAGER)
        and projects
        and all(p.manager_id is not None and p.manager_id == viewer.person_id for p in projects)
    ):
        return
    raise Forbidden(
        f"You may not {action} here: a project manager may only {action} for projects they "
        "manage. Ask an ADMIN of your organisation for the role.",
        action=action,
    )


@strawberry.type
class IssueProjectFields:
    @tier_field(
        KEY,
        description="Every issue that touches the project, OPEN or RESOLVED, newest first.",
    )
    async def issues(
        self, root: strawberry.Parent[Project], info: Info[Any, Any]
    ) -> list[IssueRef]:
        return await _issues_of_project(get_context(info), root.id)


@strawberry.type
class IssuePortfolioFields:
    @tier_field(
        KEY,
        description="The issues the portfolio manages: the OPEN issues that touch two or more "
        "of the projects in it now, or were escalated to it; newest first.",
    )
    async def common_issues(
        self, root: strawberry.Parent[Portfolio], info: Info[Any, Any]
    ) -> list[IssueRef]:
        context = get_context(info)

        async def load(keys: list[int]) -> list[list[Issue]]:
            return await _common_issues(context, keys)

        return await context.loaders.get(("portfolio", "common_issues"), load).load(root.id)


@strawberry.type
class IssueMutation:
    @tier_mutation(
        KEY,
        description="Record an issue that touches one or more projects, OPEN at version 1; "
        "emits issue.raised. For ADMIN, OFFICE, PORTFOLIO_MANAGER and PROGRAMME_DIRECTOR, and "
        "for a PROJECT_MANAGER who manages every project in projectIds (checked after the "
        "userErrors); anyone else gets the error FORBIDDEN. userErrors (every problem at once): "
        "INVALID on title, description or projectIds (empty); NOT_FOUND on ownerId or "
        "projectIds.i; DUPLICATE on projectIds.i.",
    )
    async def raise_issue(self, info: Info[Any, Any], input: RaiseIssueInput) -> IssuePayload:
        context = get_context(info)
        authorize(context, "raiseIssue")

        async def body(tx: Transaction) -> Issue:
            checks = Checks()
            title = checks.text(input.title, "title", required=True, max_length=200)
            description = checks.text(
                input.description, "description", required=False, max_length=20000
            )
            owner = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Person,
                "Person",
                input.owner_id,
                "ownerId",
            )
            if not input.project_ids:
                checks.add(INVALID, "An issue touches at least one project.", "projectIds")
            projects = []
            for index, value in enumerate(input.project_ids):
                project = await checks.reference(
                    tx.session,
                    context.viewer.organisation_id,
                    Project,
                    "Project",
                    value,
                    "projectIds",
                )
                if project is None:
                    checks.errors[-1].field = ["projectIds", str(index)]
                elif project in projects:
                    checks.add(
                        DUPLICATE,
                        f"Project {project.code} is listed twice.",
                        "projectIds",
                        str(index),
                    )
                else:
                    projects.append(project)
            checks.raise_if_any()
            _own_projects_only(context, "raiseIssue", projects)
            issue = Issue(
                organisation_id=context.viewer.organisation_id,
                title=title,
                description=description,
                severity=input.severity,
                status=IssueStatus.OPEN,
                owner_id=owner.id if owner else None,
            )
            tx.session.add(issue)
            await tx.session.flush()
            tx.session.add_all(
                IssueProject(
                    organisation_id=issue.organisation_id, issue_id=issue.id, project_id=p.id
                )
                for p in projects
            )
            await tx.session.flush()
            tx.audit(
                "Issue",
                issue.id,
                snapshot(
                    {
                        "title": title,
                        "severity": input.severity,
                        "projectIds": list(input.project_ids),
                    }
                ),
            )
            tx.emit("issue.raised", "Issue", issue.id, projects=[p.id for p in projects])
            return issue

        return await run_mutation(info, "raiseIssue", IssuePayload, body)

    @tier_mutation(
        KEY,
        description="Record that an OPEN issue also touches another project. For ADMIN, OFFICE, "
        "PORTFOLIO_MANAGER and PROGRAMME_DIRECTOR, and for a PROJECT_MANAGER who manages the "
        "project linked; anyone else gets the error FORBIDDEN. userErrors: NOT_FOUND on issueId "
        "or projectId; INVALID on issueId (resolved); DUPLICATE on projectId (linked already).",
    )
    async def link_issue(self, info: Info[Any, Any], input: LinkIssueInput) -> IssuePayload:
        context = get_context(info)
        authorize(context, "linkIssue")

        async def body(tx: Transaction) -> Issue:
            checks = Checks()
            issue = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Issue,
                "Issue",
                input.issue_id,
                "issueId",
            )
            project = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Project,
                "Project",
                input.project_id,
                "projectId",
            )
            checks.raise_if_any()
            assert issue is not None
            assert project is not None
            _own_projects_only(context, "linkIssue", [project])
            if issue.status is not IssueStatus.OPEN:
                checks.add(INVALID, "The issue is resolved; raise a new one.", "issueId")
                checks.raise_if_any()
            linked = await tx.session.scalar(
                select(IssueProject.id).where(
                    IssueProject.issue_id == issue.id, IssueProject.project_id == project.id
                )
            )
            if linked is not None:
                checks.add(DUPLICATE, f"The issue already touches {project.code}.", "projectId")
                checks.raise_if_any()
            tx.session.add(
                IssueProject(
                    organisation_id=issue.organisation_id, issue_id=issue.id, project_id=project.id
                )
            )
            issue.updated_at = utcnow()
            await tx.session.flush()
            tx.audit("Issue", issue.id, {"linkedProjectId": input.project_id})
            return issue

        return await run_mutation(info, "linkIssue", IssuePayload, body)

    @tier_mutation(
        KEY,
        description="Escalate an OPEN issue to a portfolio, to be managed there (it joins the "
        "portfolio's commonIssues); escalating again replaces the portfolio. Emits "
        "issue.escalated. For ADMIN, OFFICE, PORTFOLIO_MANAGER and PROGRAMME_DIRECTOR, and for "
        "a PROJECT_MANAGER who manages every project the issue touches; anyone else gets the "
        "error FORBIDDEN. userErrors: NOT_FOUND on issueId or portfolioId; INVALID on issueId "
        "(resolved).",
    )
    async def escalate_issue(self, info: Info[Any, Any], input: EscalateIssueInput) -> IssuePayload:
        context = get_context(info)
        authorize(context, "escalateIssue")

        async def body(tx: Transaction) -> Issue:
            checks = Checks()
            issue = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Issue,
                "Issue",
                input.issue_id,
                "issueId",
            )
            portfolio = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Portfolio,
                "Portfolio",
                input.portfolio_id,
                "portfolioId",
            )
            checks.raise_if_any()
            assert issue is not None
            assert portfolio is not None
            _own_projects_only(
                context, "escalateIssue", await _projects_of_issue(tx.context, issue.id)
            )
            if issue.status is not IssueStatus.OPEN:
                checks.add(INVALID, "The issue is resolved; raise a new one.", "issueId")
                checks.raise_if_any()
            before = issue.escalated_to_id
            issue.escalated_to_id = portfolio.id
            await tx.session.flush()
            tx.audit(
                "Issue",
                issue.id,
                {
                    "escalatedTo": {
                        "from": to_global_id("Portfolio", before) if before else None,
                        "to": to_global_id("Portfolio", portfolio.id),
                    }
                },
            )
            tx.emit("issue.escalated", "Issue", issue.id, portfolio=portfolio.id)
            return issue

        return await run_mutation(info, "escalateIssue", IssuePayload, body)

    @tier_mutation(
        KEY,
        description="Resolve an OPEN issue, saying how; nothing reopens it. Emits "
        "issue.resolved. For ADMIN, OFFICE, PORTFOLIO_MANAGER and PROGRAMME_DIRECTOR; anyone "
        "else, a PROJECT_MANAGER included, gets the error FORBIDDEN. userErrors: NOT_FOUND on "
        "issueId; INVALID on resolution, or on issueId (resolved already).",
    )
    async def resolve_issue(self, info: Info[Any, Any], input: ResolveIssueInput) -> IssuePayload:
        context = get_context(info)
        authorize(context, "resolveIssue")

        async def body(tx: Transaction) -> Issue:
            checks = Checks()
            issue = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Issue,
                "Issue",
                input.issue_id,
                "issueId",
            )
            resolution = checks.text(
                input.resolution, "resolution", required=True, max_length=20000
            )
            checks.raise_if_any()
            assert issue is not None
            if issue.status is IssueStatus.RESOLVED:
                checks.add(INVALID, "The issue is already resolved.", "issueId")
                checks.raise_if_any()
            issue.status = IssueStatus.RESOLVED
            issue.resolution = resolution
            issue.resolved_at = utcnow()
            await tx.session.flush()
            tx.audit(
                "Issue",
                issue.id,
                {"status": {"from": "OPEN", "to": "RESOLVED"}, "resolution": resolution},
            )
            tx.emit("issue.resolved", "Issue", issue.id)
            return issue

        return await run_mutation(info, "resolveIssue", IssuePayload, body)
