"""The naive peer's server: strawberry + SQLAlchemy the way a team first writes it.

Its own declarative models over pmo-graph's tables, with ``relationship()``s that load lazily
(``lazy="select"``, the default); a synchronous ``Session`` per request from a synchronous engine
(psycopg 3); strawberry types whose plain resolvers walk the relationships (``project.risks``,
``risk.owner.name`` …). No DataLoaders, no eager loading, no caching beyond the session's identity
map: every list a resolver walks is one more SELECT, every many-to-one not yet in the session one
more. The resolvers are ``def`` functions, so under ``strawberry.asgi.GraphQL`` they run on the
event loop and requests are served one at a time, as such a first version would be.

It answers the benchmark's documents as pmo-graph's schema has them (``node(id:)`` with global
ids, the same field and enum names, the same orders), so that answers compare as they are.

Run: ``NAIVE_DATABASE_URL=postgresql+psycopg://… uvicorn bench.peers.naive_app:app``.
"""

from __future__ import annotations

import base64
import enum
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

import strawberry
from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    create_engine,
    select,
)
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    relationship,
    sessionmaker,
)
from strawberry.asgi import GraphQL
from strawberry.extensions import SchemaExtension
from strawberry.types import Info

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


# --- enums ------------------------------------------------------------------------------------


@strawberry.enum
class ProjectStage(enum.Enum):
    PROPOSED = "PROPOSED"
    APPROVED = "APPROVED"
    ACTIVE = "ACTIVE"
    ON_HOLD = "ON_HOLD"
    CLOSED = "CLOSED"
    CANCELLED = "CANCELLED"


@strawberry.enum
class Rag(enum.Enum):
    GREEN = "GREEN"
    AMBER = "AMBER"
    RED = "RED"


@strawberry.enum
class RiskStatus(enum.Enum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"
    OCCURRED = "OCCURRED"


@strawberry.enum
class RiskRating(enum.Enum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


def _enum(kind: type[enum.Enum], length: int) -> SqlEnum:
    """An enum stored as its name in a VARCHAR, as pmo-graph's tables have it."""
    return SqlEnum(kind, native_enum=False, length=length, create_constraint=False)


# --- models -----------------------------------------------------------------------------------


class Base(DeclarativeBase):
    pass


class PersonRow(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(200))


class PortfolioRow(Base):
    __tablename__ = "portfolios"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(200))

    projects: Mapped[list[ProjectRow]] = relationship(
        back_populates="portfolio", order_by=lambda: (ProjectRow.code, ProjectRow.id)
    )
    programmes: Mapped[list[ProgrammeRow]] = relationship(
        order_by=lambda: (ProgrammeRow.name, ProgrammeRow.id)
    )


class ProgrammeRow(Base):
    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(200))
    director_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    portfolio_id: Mapped[int | None] = mapped_column(ForeignKey("portfolios.id"))

    director: Mapped[PersonRow | None] = relationship()
    projects: Mapped[list[ProjectRow]] = relationship(
        back_populates="programme", order_by=lambda: (ProjectRow.code, ProjectRow.id)
    )


class ProjectRow(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(BigInteger)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    stage: Mapped[ProjectStage] = mapped_column(_enum(ProjectStage, 20))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    budget: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    category: Mapped[str | None] = mapped_column(String(100))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    sponsor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    portfolio_id: Mapped[int | None] = mapped_column(ForeignKey("portfolios.id"))
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id"))

    manager: Mapped[PersonRow | None] = relationship(foreign_keys=[manager_id])
    sponsor: Mapped[PersonRow | None] = relationship(foreign_keys=[sponsor_id])
    portfolio: Mapped[PortfolioRow | None] = relationship(back_populates="projects")
    programme: Mapped[ProgrammeRow | None] = relationship(back_populates="projects")
    status_reports: Mapped[list[StatusReportRow]] = relationship(
        order_by=lambda: (StatusReportRow.period_ending.desc(), StatusReportRow.id.desc())
    )
    milestones: Mapped[list[MilestoneRow]] = relationship(
        order_by=lambda: (MilestoneRow.baseline_date, MilestoneRow.id)
    )
    risks: Mapped[list[RiskRow]] = relationship()
    assignments: Mapped[list[AssignmentRow]] = relationship(
        order_by=lambda: (AssignmentRow.start_date, AssignmentRow.id)
    )
    benefit_contributions: Mapped[list[BenefitContributionRow]] = relationship(
        order_by=lambda: BenefitContributionRow.id
    )


class StatusReportRow(Base):
    __tablename__ = "status_reports"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(BigInteger)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    period_ending: Mapped[date] = mapped_column(Date)
    overall: Mapped[Rag] = mapped_column(_enum(Rag, 8))
    summary: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MilestoneRow(Base):
    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    name: Mapped[str] = mapped_column(String(200))
    baseline_date: Mapped[date] = mapped_column(Date)
    forecast_date: Mapped[date | None] = mapped_column(Date)
    actual_date: Mapped[date | None] = mapped_column(Date)


class RiskRow(Base):
    __tablename__ = "risks"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(BigInteger)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    title: Mapped[str] = mapped_column(String(200))
    probability: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    status: Mapped[RiskStatus] = mapped_column(_enum(RiskStatus, 20))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    owner: Mapped[PersonRow | None] = relationship()


class AssignmentRow(Base):
    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(BigInteger)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    role: Mapped[str] = mapped_column(String(100))
    allocation: Mapped[float] = mapped_column(Float)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    person: Mapped[PersonRow] = relationship()


class BenefitRow(Base):
    __tablename__ = "benefits"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    baseline: Mapped[float] = mapped_column(Float)
    target: Mapped[float] = mapped_column(Float)

    measurements: Mapped[list[BenefitMeasurementRow]] = relationship()


class BenefitMeasurementRow(Base):
    __tablename__ = "benefit_measurements"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    benefit_id: Mapped[int] = mapped_column(ForeignKey("benefits.id"))
    measured_on: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)


class BenefitContributionRow(Base):
    __tablename__ = "benefit_contributions"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    benefit_id: Mapped[int] = mapped_column(ForeignKey("benefits.id"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    share: Mapped[float] = mapped_column(Float)

    benefit: Mapped[BenefitRow] = relationship()


# --- database -----------------------------------------------------------------------------------

engine = create_engine(
    os.environ.get("NAIVE_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/pmo"),
    pool_size=int(os.environ.get("NAIVE_POOL_SIZE", "10")),
    max_overflow=0,
    connect_args={"options": f"-c jit={os.environ.get('NAIVE_JIT', 'off')}"},
)
SessionLocal = sessionmaker(engine)


class SessionPerRequest(SchemaExtension):
    """Opens a session for each operation and closes it at the end."""

    def on_operation(self) -> Iterator[None]:
        session = SessionLocal()
        self.execution_context.context["session"] = session
        try:
            yield
        finally:
            session.close()


def session_of(info: Info[Any, Any]) -> Session:
    session: Session = info.context["session"]
    return session


def parse_id(value: str, type_name: str) -> int | None:
    """The key of a global id (base64 of ``Type:key``) of type ``type_name``."""
    try:
        kind, _, key = base64.b64decode(value).decode().partition(":")
        return int(key) if kind == type_name else None
    except ValueError:
        return None


def page_size(first: int | None) -> int:
    size = DEFAULT_PAGE_SIZE if first is None else first
    if not 0 <= size <= MAX_PAGE_SIZE:
        raise ValueError(f"`first` must be between 0 and {MAX_PAGE_SIZE}.")
    return size


# --- types ------------------------------------------------------------------------------------

T = TypeVar("T")


@strawberry.type
class Edge(Generic[T]):
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    nodes: list[T]

    @classmethod
    def of(cls, items: list[T]) -> Connection[T]:
        return cls(edges=[Edge(node=item) for item in items], nodes=items)


@strawberry.type
class Person:
    name: str

    @classmethod
    def of(cls, row: PersonRow | None) -> Person | None:
        return None if row is None else cls(name=row.name)


@strawberry.type
class StatusReport:
    period_ending: date
    overall: Rag
    summary: str | None

    @classmethod
    def of(cls, row: StatusReportRow) -> StatusReport:
        return cls(period_ending=row.period_ending, overall=row.overall, summary=row.summary)


@strawberry.type
class Milestone:
    name: str
    baseline_date: date
    forecast_date: date | None
    actual_date: date | None

    @strawberry.field
    def slip_days(self) -> int:
        current = self.actual_date or self.forecast_date or self.baseline_date
        return (current - self.baseline_date).days


def rating(score: int) -> RiskRating:
    if score <= 4:
        return RiskRating.LOW
    if score <= 12:
        return RiskRating.MEDIUM
    return RiskRating.HIGH


@strawberry.type
class Risk:
    row: strawberry.Private[RiskRow]
    title: str
    status: RiskStatus
    probability: int
    impact: int

    @classmethod
    def of(cls, row: RiskRow) -> Risk:
        return cls(
            row=row,
            title=row.title,
            status=row.status,
            probability=row.probability,
            impact=row.impact,
        )

    @strawberry.field
    def score(self) -> int:
        return self.probability * self.impact

    @strawberry.field
    def rating(self) -> RiskRating:
        return rating(self.probability * self.impact)

    @strawberry.field
    def owner(self) -> Person | None:
        return Person.of(self.row.owner)


@strawberry.type
class Assignment:
    row: strawberry.Private[AssignmentRow]
    role: str
    allocation: float
    start_date: date
    end_date: date

    @classmethod
    def of(cls, row: AssignmentRow) -> Assignment:
        return cls(
            row=row,
            role=row.role,
            allocation=row.allocation,
            start_date=row.start_date,
            end_date=row.end_date,
        )

    @strawberry.field
    def person(self) -> Person | None:
        return Person.of(self.row.person)


@strawberry.type
class Benefit:
    row: strawberry.Private[BenefitRow]
    name: str

    @strawberry.field
    def realisation(self) -> float | None:
        """(latest measurement up to today - baseline) / (target - baseline)."""
        today = datetime.now(UTC).date()
        measured = [m for m in self.row.measurements if m.measured_on <= today]
        if not measured or self.row.target == self.row.baseline:
            return None
        latest = max(measured, key=lambda m: (m.measured_on, m.id))
        value = (latest.value - self.row.baseline) / (self.row.target - self.row.baseline)
        return round(value, 6)


@strawberry.type
class BenefitContribution:
    row: strawberry.Private[BenefitContributionRow]
    share: float

    @strawberry.field
    def benefit(self) -> Benefit | None:
        benefit = self.row.benefit
        return Benefit(row=benefit, name=benefit.name)


@strawberry.type
class Project:
    row: strawberry.Private[ProjectRow]
    code: str
    name: str
    description: str | None
    stage: ProjectStage
    start_date: date | None
    end_date: date | None
    budget: Decimal | None
    category: str | None

    @classmethod
    def of(cls, row: ProjectRow) -> Project:
        return cls(
            row=row,
            code=row.code,
            name=row.name,
            description=row.description,
            stage=row.stage,
            start_date=row.start_date,
            end_date=row.end_date,
            budget=row.budget,
            category=row.category,
        )

    @strawberry.field
    def manager(self) -> Person | None:
        return Person.of(self.row.manager)

    @strawberry.field
    def sponsor(self) -> Person | None:
        return Person.of(self.row.sponsor)

    @strawberry.field
    def portfolio(self) -> Portfolio | None:
        portfolio = self.row.portfolio
        return None if portfolio is None else Portfolio(row=portfolio, name=portfolio.name)

    @strawberry.field
    def programme(self) -> Programme | None:
        programme = self.row.programme
        return None if programme is None else Programme(row=programme, name=programme.name)

    @strawberry.field
    def latest_status(self) -> StatusReport | None:
        reports = self.row.status_reports  # newest period first
        return StatusReport.of(reports[0]) if reports else None

    @strawberry.field
    def status_reports(self, first: int | None = None) -> Connection[StatusReport]:
        reports = self.row.status_reports[: page_size(first)]
        return Connection.of([StatusReport.of(r) for r in reports])

    @strawberry.field
    def milestones(self) -> list[Milestone]:
        return [
            Milestone(
                name=m.name,
                baseline_date=m.baseline_date,
                forecast_date=m.forecast_date,
                actual_date=m.actual_date,
            )
            for m in self.row.milestones
        ]

    @strawberry.field
    def risks(self) -> list[Risk]:
        ranked = sorted(self.row.risks, key=lambda r: (-r.probability * r.impact, r.id))
        return [Risk.of(r) for r in ranked]

    @strawberry.field
    def assignments(self) -> list[Assignment]:
        return [Assignment.of(a) for a in self.row.assignments if a.released_at is None]

    @strawberry.field
    def benefit_contributions(self) -> list[BenefitContribution]:
        return [BenefitContribution(row=c, share=c.share) for c in self.row.benefit_contributions]


@strawberry.type
class Programme:
    row: strawberry.Private[ProgrammeRow]
    name: str

    @strawberry.field
    def director(self) -> Person | None:
        return Person.of(self.row.director)

    @strawberry.field
    def projects(self, first: int | None = None) -> Connection[Project]:
        return Connection.of([Project.of(p) for p in self.row.projects[: page_size(first)]])


@strawberry.type
class Portfolio:
    row: strawberry.Private[PortfolioRow]
    name: str

    @strawberry.field
    def projects(self, first: int | None = None) -> Connection[Project]:
        return Connection.of([Project.of(p) for p in self.row.projects[: page_size(first)]])

    @strawberry.field
    def programmes(self, first: int | None = None) -> Connection[Programme]:
        return Connection.of(
            [Programme(row=g, name=g.name) for g in self.row.programmes[: page_size(first)]]
        )


Node = Annotated[Portfolio | Project, strawberry.union("Node")]


@strawberry.type
class Query:
    @strawberry.field
    def node(self, info: Info[Any, Any], id: strawberry.ID) -> Node | None:
        session = session_of(info)
        key = parse_id(id, "Portfolio")
        if key is not None:
            portfolio = session.get(PortfolioRow, key)
            return None if portfolio is None else Portfolio(row=portfolio, name=portfolio.name)
        key = parse_id(id, "Project")
        if key is not None:
            project = session.get(ProjectRow, key)
            return None if project is None else Project.of(project)
        return None

    @strawberry.field
    def projects(self, info: Info[Any, Any], first: int | None = None) -> Connection[Project]:
        rows = session_of(info).scalars(
            select(ProjectRow).order_by(ProjectRow.code, ProjectRow.id).limit(page_size(first))
        )
        return Connection.of([Project.of(p) for p in rows])

    @strawberry.field
    def portfolios(self, info: Info[Any, Any], first: int | None = None) -> Connection[Portfolio]:
        rows = session_of(info).scalars(
            select(PortfolioRow)
            .order_by(PortfolioRow.name, PortfolioRow.id)
            .limit(page_size(first))
        )
        return Connection.of([Portfolio(row=p, name=p.name) for p in rows])


# --- mutations ----------------------------------------------------------------------------------


@strawberry.type
class UserError:
    field: list[str] | None
    message: str
    code: str


@strawberry.type
class RiskPayload:
    risk: Risk | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class StatusReportPayload:
    status_report: StatusReport | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class AssignmentPayload:
    assignment: Assignment | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RaiseRiskInput:
    project_id: strawberry.ID
    title: str
    probability: int
    impact: int


@strawberry.input
class SubmitStatusReportInput:
    project_id: strawberry.ID
    period_ending: date
    overall: Rag
    summary: str | None = None


@strawberry.input
class AssignPersonInput:
    project_id: strawberry.ID
    person_id: strawberry.ID
    role: str
    allocation: float
    start_date: date
    end_date: date


def _error(code: str, message: str, field: str) -> UserError:
    return UserError(field=[field], message=message, code=code)


def _project(session: Session, value: str) -> ProjectRow | None:
    key = parse_id(value, "Project")
    return None if key is None else session.get(ProjectRow, key)


@strawberry.type
class Mutation:
    @strawberry.mutation
    def raise_risk(self, info: Info[Any, Any], input: RaiseRiskInput) -> RiskPayload:
        session = session_of(info)
        project = _project(session, input.project_id)
        if project is None:
            return RiskPayload(user_errors=[_error("NOT_FOUND", "No such project.", "projectId")])
        errors = [
            _error("INVALID", f"{field} must be from 1 to 5.", field)
            for field, value in (("probability", input.probability), ("impact", input.impact))
            if not 1 <= value <= 5
        ]
        if not input.title.strip():
            errors.append(_error("INVALID", "title is required.", "title"))
        if errors:
            return RiskPayload(user_errors=errors)
        now = datetime.now(UTC)
        risk = RiskRow(
            organisation_id=project.organisation_id,
            project_id=project.id,
            title=input.title.strip(),
            probability=input.probability,
            impact=input.impact,
            status=RiskStatus.OPEN,
            version=1,
            created_at=now,
            updated_at=now,
        )
        session.add(risk)
        session.commit()
        return RiskPayload(risk=Risk.of(risk))

    @strawberry.mutation
    def submit_status_report(
        self, info: Info[Any, Any], input: SubmitStatusReportInput
    ) -> StatusReportPayload:
        session = session_of(info)
        project = _project(session, input.project_id)
        if project is None:
            return StatusReportPayload(
                user_errors=[_error("NOT_FOUND", "No such project.", "projectId")]
            )
        now = datetime.now(UTC)
        if input.period_ending > now.date():
            return StatusReportPayload(
                user_errors=[_error("INVALID", "periodEnding is in the future.", "periodEnding")]
            )
        duplicate = session.scalar(
            select(StatusReportRow.id).where(
                StatusReportRow.project_id == project.id,
                StatusReportRow.period_ending == input.period_ending,
            )
        )
        if duplicate is not None:
            return StatusReportPayload(
                user_errors=[_error("DUPLICATE", "That period is reported.", "periodEnding")]
            )
        report = StatusReportRow(
            organisation_id=project.organisation_id,
            project_id=project.id,
            period_ending=input.period_ending,
            overall=input.overall,
            summary=input.summary,
            submitted_at=now,
        )
        session.add(report)
        session.commit()
        return StatusReportPayload(status_report=StatusReport.of(report))

    @strawberry.mutation
    def assign_person(self, info: Info[Any, Any], input: AssignPersonInput) -> AssignmentPayload:
        session = session_of(info)
        project = _project(session, input.project_id)
        person_key = parse_id(input.person_id, "Person")
        person = None if person_key is None else session.get(PersonRow, person_key)
        errors = []
        if project is None:
            errors.append(_error("NOT_FOUND", "No such project.", "projectId"))
        if person is None:
            errors.append(_error("NOT_FOUND", "No such person.", "personId"))
        if not 0 < input.allocation <= 1:
            errors.append(_error("INVALID", "allocation must be in (0, 1].", "allocation"))
        if input.end_date < input.start_date:
            errors.append(_error("INVALID", "endDate is before startDate.", "endDate"))
        if not input.role.strip():
            errors.append(_error("INVALID", "role is required.", "role"))
        if errors or project is None or person is None:
            return AssignmentPayload(user_errors=errors)
        now = datetime.now(UTC)
        assignment = AssignmentRow(
            organisation_id=project.organisation_id,
            project_id=project.id,
            person_id=person.id,
            role=input.role.strip(),
            allocation=input.allocation,
            start_date=input.start_date,
            end_date=input.end_date,
            version=1,
            created_at=now,
            updated_at=now,
        )
        session.add(assignment)
        session.commit()
        return AssignmentPayload(assignment=Assignment.of(assignment))


schema = strawberry.Schema(query=Query, mutation=Mutation, extensions=[SessionPerRequest])
app = GraphQL(schema, graphql_ide=None)
