"""The core's demo data: people, portfolios, programmes and projects of a believable office."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from random import Random

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.organisations.models import Organisation
from pmo_graph.people.models import Person
from pmo_graph.portfolios.models import Portfolio
from pmo_graph.programmes.models import Programme
from pmo_graph.projects.enums import ProjectStage
from pmo_graph.projects.models import Project

EMAIL_DOMAIN = "northwind.example"

PEOPLE = [
    ("Amara Okafor", "Head of Portfolio Office"),
    ("Daniel Fischer", "Chief Operating Officer"),
    ("Priya Raman", "Chief Digital Officer"),
    ("Tomás García", "Director of Compliance"),
    ("Helen Walsh", "Portfolio Manager"),
    ("Kenji Watanabe", "Programme Director"),
    ("Sofia Lindqvist", "Programme Director"),
    ("Marcus Bell", "Senior Project Manager"),
    ("Aisha Rahman", "Senior Project Manager"),
    ("Liam O'Connor", "Project Manager"),
    ("Chen Wei", "Project Manager"),
    ("Fatima Zahra", "Project Manager"),
    ("Oliver Schmidt", "Project Manager"),
    ("Grace Mensah", "Project Manager"),
    ("Rafael Costa", "Business Analyst"),
    ("Ingrid Holm", "Business Analyst"),
    ("Noah Adeyemi", "Solution Architect"),
    ("Elena Petrova", "Data Engineer"),
    ("Samuel Cohen", "Change Manager"),
    ("Yuki Tanaka", "Finance Business Partner"),
    ("Zanele Dlamini", "PMO Analyst"),
    ("Patrick Byrne", "PMO Analyst"),
    ("Meera Iyer", "Scrum Master"),
    ("Lucas Moreau", "Test Lead"),
    ("Hannah Becker", "Procurement Lead"),
]

PORTFOLIOS = [
    ("Digital Transformation", "Customer-facing and internal digital change.", 4),
    ("Operations Excellence", "Warehousing, fleet and supply-chain improvement.", 4),
    ("Regulatory & Compliance", "Mandatory change: regulation, audit and safety.", 0),
]

PROGRAMMES = [
    (
        "Customer Experience",
        "Every customer can track, change and resolve a delivery online in under two minutes.",
        5,
        0,
    ),
    (
        "Warehouse Modernisation",
        "Automated, data-driven warehouses that ship 30% more orders with the same floor space.",
        6,
        1,
    ),
]

# code, name, stage, category, portfolio index, programme index, months from now, length, budget
PROJECTS = [
    ("DIG-001", "Delivery tracking portal", "ACTIVE", "Transform", 0, 0, -8, 14, 850_000),
    ("DIG-002", "Self-service returns", "ACTIVE", "Transform", 0, 0, -5, 10, 420_000),
    ("DIG-003", "Customer identity platform", "ACTIVE", "Transform", 0, 0, -11, 18, 1_250_000),
    ("DIG-004", "Contact-centre chatbot", "APPROVED", "Grow", 0, 0, 1, 8, 310_000),
    ("DIG-005", "Mobile app relaunch", "PROPOSED", "Grow", 0, 0, 4, 12, 960_000),
    ("DIG-006", "Intranet replacement", "CLOSED", "Run", 0, None, -20, 9, 180_000),
    ("DIG-007", "Data warehouse migration", "ACTIVE", "Run", 0, None, -6, 12, 700_000),
    ("DIG-008", "E-invoicing for business customers", "ON_HOLD", "Grow", 0, None, -3, 7, 240_000),
    ("DIG-009", "Personalised offers engine", "PROPOSED", "Grow", 0, None, 6, 10, 530_000),
    ("DIG-010", "Legacy CRM decommission", "CANCELLED", "Run", 0, None, -9, 6, 150_000),
    ("OPS-001", "Automated picking pilot", "ACTIVE", "Transform", 1, 1, -7, 12, 1_400_000),
    (
        "OPS-002",
        "Warehouse management system upgrade",
        "ACTIVE",
        "Transform",
        1,
        1,
        -10,
        16,
        2_100_000,
    ),
    ("OPS-003", "Dock scheduling", "ACTIVE", "Run", 1, 1, -4, 8, 380_000),
    ("OPS-004", "Inventory IoT sensors", "APPROVED", "Transform", 1, 1, 2, 10, 640_000),
    ("OPS-005", "Robotic palletising", "PROPOSED", "Transform", 1, 1, 8, 14, 1_800_000),
    ("OPS-006", "Fleet telematics", "ACTIVE", "Run", 1, None, -9, 12, 560_000),
    ("OPS-007", "Route optimisation", "ACTIVE", "Grow", 1, None, -2, 9, 450_000),
    ("OPS-008", "Electric van trial", "ON_HOLD", "Grow", 1, None, -6, 12, 900_000),
    ("OPS-009", "Cold-chain monitoring", "CLOSED", "Run", 1, None, -18, 8, 220_000),
    ("OPS-010", "Depot energy retrofit", "PROPOSED", "Run", 1, None, 5, 11, 1_100_000),
    (
        "REG-001",
        "Customs declarations after tariff change",
        "ACTIVE",
        "Mandatory",
        2,
        None,
        -3,
        6,
        330_000,
    ),
    ("REG-002", "Driver hours compliance", "ACTIVE", "Mandatory", 2, None, -5, 8, 210_000),
    (
        "REG-003",
        "Data protection impact assessments",
        "CLOSED",
        "Mandatory",
        2,
        None,
        -14,
        5,
        90_000,
    ),
    (
        "REG-004",
        "Health and safety incident system",
        "APPROVED",
        "Mandatory",
        2,
        None,
        1,
        7,
        260_000,
    ),
    ("REG-005", "Accessibility audit remediation", "ACTIVE", "Mandatory", 2, None, -1, 6, 140_000),
    (
        "REG-006",
        "Modern slavery supply-chain audit",
        "ON_HOLD",
        "Mandatory",
        2,
        None,
        -2,
        5,
        75_000,
    ),
    (
        "REG-007",
        "Payment card security recertification",
        "CLOSED",
        "Mandatory",
        2,
        None,
        -12,
        4,
        120_000,
    ),
    ("REG-008", "Carbon reporting", "PROPOSED", "Mandatory", 2, None, 3, 9, 190_000),
    ("REG-009", "Anti-bribery training rollout", "CANCELLED", "Mandatory", 2, None, -7, 3, 40_000),
    ("REG-010", "Records retention clean-up", "ACTIVE", "Run", 2, None, -4, 10, 160_000),
]

PROJECT_MANAGERS = range(7, 14)
SPONSORS = (1, 2, 3)


def _email(name: str) -> str:
    local = name.lower().replace("'", "").replace(" ", ".")
    local = local.translate(str.maketrans("áéíóúç", "aeiouc"))
    return f"{local}@{EMAIL_DOMAIN}"


def _months(start: date, months: int) -> date:
    return start + timedelta(days=round(months * 30.4))


async def seed_core(session: AsyncSession, organisation: Organisation, rng: Random) -> None:
    """People, portfolios, programmes and 30 projects across every stage."""
    people = [
        Person(organisation_id=organisation.id, name=name, title=title, email=_email(name))
        for name, title in PEOPLE
    ]
    session.add_all(people)
    await session.flush()
    portfolios = [
        Portfolio(
            organisation_id=organisation.id,
            name=name,
            description=description,
            manager_id=people[manager].id,
        )
        for name, description, manager in PORTFOLIOS
    ]
    session.add_all(portfolios)
    await session.flush()
    programmes = [
        Programme(
            organisation_id=organisation.id,
            name=name,
            vision=vision,
            director_id=people[director].id,
            portfolio_id=portfolios[portfolio].id,
        )
        for name, vision, director, portfolio in PROGRAMMES
    ]
    session.add_all(programmes)
    await session.flush()
    today = date.today().replace(day=1)
    for code, name, stage, category, portfolio, programme, offset, length, budget in PROJECTS:
        start = _months(today, offset)
        sponsor = (
            people[PROGRAMMES[programme][2]]
            if programme is not None
            else people[SPONSORS[rng.randrange(len(SPONSORS))]]
        )
        session.add(
            Project(
                organisation_id=organisation.id,
                code=code,
                name=name,
                description=f"{name}, part of the {PORTFOLIOS[portfolio][0]} portfolio.",
                stage=ProjectStage(stage),
                category=category,
                start_date=start,
                end_date=_months(start, length),
                budget=Decimal(budget) + Decimal(rng.randrange(0, 100)) * 100,
                manager_id=people[rng.choice(PROJECT_MANAGERS)].id,
                sponsor_id=sponsor.id,
                portfolio_id=portfolios[portfolio].id,
                programme_id=programmes[programme].id if programme is not None else None,
            )
        )
    await session.flush()
