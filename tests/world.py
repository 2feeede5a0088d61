"""A small, fixed world inside a test organisation, for the matrix tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpers import gid
from pmo_graph.audit.models import AuditEvent
from pmo_graph.auth.models import User
from pmo_graph.auth.roles import Role
from pmo_graph.organisations.models import OrganisationTier
from pmo_graph.people.models import Person
from pmo_graph.portfolios.models import Portfolio
from pmo_graph.programmes.models import Programme
from pmo_graph.projects.enums import ProjectStage
from pmo_graph.projects.models import Project
from pmo_graph.testing import TestOrganisation
from pmo_graph.webhooks.models import Webhook, WebhookDelivery, WebhookDeliveryStatus
from pmo_graph_pmo.enums import BenefitCategory, BenefitKind
from pmo_graph_pmo.models import (
    Benefit,
    BenefitContribution,
    BenefitMeasurement,
    BenefitObjective,
    Dependency,
    MilestoneTranche,
    Objective,
    Tranche,
)
from pmo_graph_portfolio.enums import IssueSeverity, IssueStatus, RiskStatus, ScenarioStatus
from pmo_graph_portfolio.models import (
    BalanceTarget,
    Criterion,
    Issue,
    IssueProject,
    ProjectScore,
    Risk,
    Scenario,
    ScenarioChange,
)
from pmo_graph_pso.models import (
    Assignment,
    Milestone,
    PersonCapacity,
    PersonSkill,
    ProjectTemplate,
    PsoSettings,
    StatusReport,
    SupportEngagement,
)
from sample_plugin.models import SampleNote


@dataclass
class World:
    """Global IDs of the objects of one organisation."""

    person: str
    own_project: str
    other_project: str
    portfolio: str
    programme: str
    note: str
    organisation: str
    user: str
    own_milestone: str
    other_milestone: str
    own_assignment: str
    other_assignment: str
    template: str
    third_project: str
    own_risk: str
    other_risk: str
    scenario: str
    own_issue: str
    other_issue: str
    benefit: str
    objective: str
    tranche: str
    dependency: str
    third_milestone: str
    webhook: str
    webhook_delivery: str

    def project(self, own: bool) -> str:
        return self.own_project if own else self.other_project

    def milestone(self, own: bool) -> str:
        return self.own_milestone if own else self.other_milestone

    def assignment(self, own: bool) -> str:
        return self.own_assignment if own else self.other_assignment

    def risk(self, own: bool) -> str:
        return self.own_risk if own else self.other_risk

    def issue(self, own: bool) -> str:
        return self.own_issue if own else self.other_issue


async def build_world(session: AsyncSession, org: TestOrganisation) -> World:
    """A person; three projects of one programme, one managed by the PROJECT_MANAGER user and
    two in a portfolio; and one or two of everything each tier keeps."""
    person = Person(organisation_id=org.id, name="Pat Other", email=f"pat@{org.slug}.test")
    portfolio = Portfolio(organisation_id=org.id, name="Portfolio A")
    session.add_all([person, portfolio])
    await session.flush()
    programme = Programme(organisation_id=org.id, name="Programme A", portfolio_id=portfolio.id)
    session.add(programme)
    await session.flush()
    own = Project(
        organisation_id=org.id,
        code="OWN-1",
        name="Own project",
        stage=ProjectStage.ACTIVE,
        manager_id=org.person_ids[Role.PROJECT_MANAGER],
        programme_id=programme.id,
    )
    other = Project(
        organisation_id=org.id,
        code="OTHER-1",
        name="Other project",
        stage=ProjectStage.ACTIVE,
        manager_id=person.id,
        portfolio_id=portfolio.id,
        programme_id=programme.id,
    )
    third = Project(
        organisation_id=org.id,
        code="THIRD-1",
        name="Third project",
        stage=ProjectStage.PROPOSED,
        portfolio_id=portfolio.id,
        programme_id=programme.id,
    )
    session.add_all([programme, own, other, third])
    await session.flush()
    note = SampleNote(organisation_id=org.id, project_id=other.id, text="first note")
    session.add(note)
    milestones = [
        Milestone(organisation_id=org.id, project_id=p.id, name="M", baseline_date=date(2027, 1, 1))
        for p in (own, other)
    ]
    assignments = [
        Assignment(
            organisation_id=org.id,
            project_id=p.id,
            person_id=person.id,
            role="Analyst",
            allocation=0.2,
            start_date=date(2027, 1, 1),
            end_date=date(2027, 2, 1),
        )
        for p in (own, other)
    ]
    template = ProjectTemplate(organisation_id=org.id, name="Template")
    skill = PersonSkill(
        organisation_id=org.id, person_id=person.id, skill="Testing", skill_key="testing", level=3
    )
    session.add_all([*milestones, *assignments, template, skill])
    risks = [
        Risk(
            organisation_id=org.id,
            project_id=p.id,
            title="R",
            probability=3,
            impact=3,
            status=RiskStatus.OPEN,
        )
        for p in (own, other)
    ]
    scenario = Scenario(
        organisation_id=org.id,
        portfolio_id=portfolio.id,
        name="What if",
        status=ScenarioStatus.DRAFT,
    )
    issues = [
        Issue(
            organisation_id=org.id,
            title="I",
            severity=IssueSeverity.MEDIUM,
            status=IssueStatus.OPEN,
        )
        for _ in (own, other)
    ]
    session.add_all([*risks, scenario, *issues])
    session.add(
        Criterion(organisation_id=org.id, portfolio_id=portfolio.id, key="value", weight=1.0)
    )
    await session.flush()
    session.add_all(
        IssueProject(organisation_id=org.id, issue_id=issue.id, project_id=p.id)
        for issue, p in zip(issues, (own, other), strict=True)
    )
    third_milestone = Milestone(
        organisation_id=org.id, project_id=third.id, name="T", baseline_date=date(2027, 2, 1)
    )
    benefit = Benefit(
        organisation_id=org.id,
        programme_id=programme.id,
        name="Saving",
        kind=BenefitKind.BENEFIT,
        category=BenefitCategory.FINANCIAL,
        measure="GBP",
        baseline=0,
        target=100,
        target_date=date(2027, 12, 31),
    )
    objective = Objective(organisation_id=org.id, programme_id=programme.id, name="Lower cost")
    tranche = Tranche(
        organisation_id=org.id,
        programme_id=programme.id,
        name="T1",
        start_date=date(2027, 1, 1),
        end_date=date(2027, 6, 30),
    )
    session.add_all([third_milestone, benefit, objective, tranche])
    await session.flush()
    dependency = Dependency(
        organisation_id=org.id,
        programme_id=programme.id,
        predecessor_id=milestones[1].id,
        successor_id=milestones[0].id,
        lag_days=0,
    )
    session.add(dependency)
    webhook, delivery = await _webhook_and_delivery(session, org.id)
    await session.commit()
    user_id = await session.scalar(select(User.id).where(User.organisation_id == org.id).limit(1))
    assert user_id is not None
    return World(
        person=gid("Person", person.id),
        own_project=gid("Project", own.id),
        other_project=gid("Project", other.id),
        portfolio=gid("Portfolio", portfolio.id),
        programme=gid("Programme", programme.id),
        note=gid("SampleNote", note.id),
        organisation=gid("Organisation", org.id),
        user=gid("User", user_id),
        own_milestone=gid("Milestone", milestones[0].id),
        other_milestone=gid("Milestone", milestones[1].id),
        own_assignment=gid("Assignment", assignments[0].id),
        other_assignment=gid("Assignment", assignments[1].id),
        template=gid("ProjectTemplate", template.id),
        third_project=gid("Project", third.id),
        own_risk=gid("Risk", risks[0].id),
        other_risk=gid("Risk", risks[1].id),
        scenario=gid("Scenario", scenario.id),
        own_issue=gid("Issue", issues[0].id),
        other_issue=gid("Issue", issues[1].id),
        benefit=gid("Benefit", benefit.id),
        objective=gid("Objective", objective.id),
        tranche=gid("Tranche", tranche.id),
        dependency=gid("Dependency", dependency.id),
        third_milestone=gid("Milestone", third_milestone.id),
        webhook=gid("Webhook", webhook.id),
        webhook_delivery=gid("WebhookDelivery", delivery.id),
    )


async def _webhook_and_delivery(
    session: AsyncSession, organisation_id: int
) -> tuple[Webhook, WebhookDelivery]:
    """A webhook and one FAILED delivery of it (flushed). The webhook is switched off, so that the
    mutations of the matrix tests stage no delivery for the app to send in the background."""
    webhook = Webhook(
        organisation_id=organisation_id,
        url="https://hooks.example.invalid/world",
        event_types=["project.created"],
        secret="whsec_world",
        active=False,
    )
    session.add(webhook)
    await session.flush()
    delivery = WebhookDelivery(
        organisation_id=organisation_id,
        webhook_id=webhook.id,
        delivery_id=uuid.uuid4().hex,
        event_name="project.created",
        payload={"event": "project.created"},
        status=WebhookDeliveryStatus.FAILED,
        attempts=8,
    )
    session.add(delivery)
    await session.flush()
    return webhook, delivery


async def footprint(
    sessionmaker: async_sessionmaker[AsyncSession], organisation_id: int
) -> dict[str, object]:
    """Everything a mutation could have written for an organisation, in a comparable form."""
    async with sessionmaker() as session:
        result: dict[str, object] = {}
        for model in (
            Person,
            Project,
            Portfolio,
            Programme,
            SampleNote,
            AuditEvent,
            StatusReport,
            Milestone,
            Assignment,
            PersonSkill,
            ProjectTemplate,
            SupportEngagement,
            Risk,
            Scenario,
            ScenarioChange,
            Issue,
            IssueProject,
            BalanceTarget,
            Criterion,
            ProjectScore,
            PersonCapacity,
            Benefit,
            BenefitMeasurement,
            BenefitContribution,
            BenefitObjective,
            Objective,
            Tranche,
            MilestoneTranche,
            Dependency,
            Webhook,
            WebhookDelivery,
        ):
            result[model.__tablename__] = await session.scalar(
                select(func.count())
                .select_from(model)
                .where(model.organisation_id == organisation_id)
            )
        for model in (
            Person,
            Project,
            Portfolio,
            Programme,
            Milestone,
            Assignment,
            Risk,
            Scenario,
            Issue,
            Benefit,
            Tranche,
            Webhook,
        ):
            result[f"{model.__tablename__}.versions"] = await session.scalar(
                select(func.coalesce(func.sum(model.version), 0)).where(
                    model.organisation_id == organisation_id
                )
            )
        tiers = await session.scalars(
            select(OrganisationTier.tier_key).where(
                OrganisationTier.organisation_id == organisation_id,
                OrganisationTier.enabled.is_(True),
            )
        )
        result["tiers"] = sorted(tiers)
        result["cadence"] = await session.scalar(
            select(PsoSettings.reporting_cadence_days).where(
                PsoSettings.organisation_id == organisation_id
            )
        )
        return result


async def audit_actions(
    sessionmaker: async_sessionmaker[AsyncSession], organisation_id: int
) -> list[str]:
    """The actions of an organisation's audit events, oldest first."""
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.organisation_id == organisation_id)
            .order_by(AuditEvent.id)
        )
        return list(rows)
