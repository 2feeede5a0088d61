"""What is measured: the four queries and the mutation mix, as pmo-graph is asked them.

Every peer answers the same questions; a peer's module turns a ``Case`` into its own request and
its answer back into pmo-graph's shape, so that answers can be compared before anything is timed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pmo_graph.ids import to_global_id

Q1 = """
query Q1($portfolio: ID!) { node(id: $portfolio) { ... on Portfolio {
  projects(first: 100) { edges { node {
  code name stage budget
  latestStatus { overall periodEnding }
  risks { score rating owner { name } }
  assignments { allocation person { name } }
  benefitContributions { share benefit { name realisation } }
} } } } } }
"""

Q2 = """
query Q2($project: ID!) { node(id: $project) { ... on Project {
  code name description stage startDate endDate budget category
  manager { name } sponsor { name } portfolio { name } programme { name director { name } }
  latestStatus { overall periodEnding summary }
  statusReports(first: 12) { nodes { periodEnding overall } }
  milestones { name baselineDate forecastDate actualDate slipDays }
  risks { title score rating status owner { name } }
  assignments { role allocation startDate endDate person { name } }
  benefitContributions { share benefit { name realisation } }
} } }
"""

Q3 = """
query Q3 { projects(first: 500) { nodes { code name stage budget startDate } } }
"""

Q4 = """
query Q4 { portfolios(first: 20) { nodes { name programmes(first: 5) { nodes { name
  projects(first: 20) { nodes { code risks { title owner { name } } } }
} } } } }
"""

RAISE_RISK = """
mutation RaiseRisk($project: ID!, $title: String!) { raiseRisk(input: {projectId: $project,
  title: $title, probability: 3, impact: 4}) { risk { title score } userErrors { code } } }
"""
SUBMIT_STATUS = """
mutation SubmitStatus($project: ID!, $day: Date!) {
  submitStatusReport(input: {projectId: $project, periodEnding: $day, overall: GREEN,
  summary: "Bench"}) { statusReport { overall } userErrors { code } } }
"""
ASSIGN = """
mutation Assign($project: ID!, $person: ID!) {
  assignPerson(input: {projectId: $project, personId: $person, role: "Bench", allocation: 0.1,
  startDate: "2026-12-01", endDate: "2026-12-31"}) {
  assignment { allocation } userErrors { code } } }
"""


@dataclass(frozen=True)
class Request:
    """A GraphQL request in pmo-graph's terms: document and variables."""

    document: str
    variables: dict[str, Any]
    #: The database keys behind the global ids, for peers that address rows by key.
    keys: dict[str, int]


@dataclass(frozen=True)
class Case:
    """A named query (or mutation) and how to make its ``i``-th request."""

    name: str
    title: str
    make: Callable[[Any, int], Request]
    mutation: bool = False
    #: A real client document of ``bench.clients`` (its requests are made there).
    client: bool = False


def _q1(data: Any, i: int) -> Request:
    pk = data.portfolio_ids[i % len(data.portfolio_ids)]
    return Request(Q1, {"portfolio": to_global_id("Portfolio", pk)}, {"portfolio": pk})


def _q2(data: Any, i: int) -> Request:
    pk = data.project_ids[(i * 7919) % len(data.project_ids)]
    return Request(Q2, {"project": to_global_id("Project", pk)}, {"project": pk})


def _q3(data: Any, i: int) -> Request:
    return Request(Q3, {}, {})


def _q4(data: Any, i: int) -> Request:
    return Request(Q4, {}, {})


#: Report days run from 1900-01-01, one per call, so that no two calls report the same period
#: of the same project (they would be DUPLICATE) and every day has passed.
REPORT_DAYS = 45_000


def _mutation(data: Any, i: int) -> Request:
    project = data.project_ids[(i * 104729 + i // REPORT_DAYS) % len(data.project_ids)]
    kind = i % 3
    if kind == 0:
        return Request(
            RAISE_RISK,
            {"project": to_global_id("Project", project), "title": f"Bench risk {i}"},
            {"project": project},
        )
    if kind == 1:
        # a past day long before the generated reports, different for every call
        return Request(
            SUBMIT_STATUS,
            {
                "project": to_global_id("Project", project),
                "day": _plus_days("1900-01-01", i % REPORT_DAYS),
            },
            {"project": project},
        )
    person = data.person_ids[(i * 31) % len(data.person_ids)]
    return Request(
        ASSIGN,
        {"project": to_global_id("Project", project), "person": to_global_id("Person", person)},
        {"project": project, "person": person},
    )


def _plus_days(day: str, days: int) -> str:
    from datetime import date, timedelta

    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


CASES = [
    Case("Q1", "portfolio dashboard (100 projects, nested)", _q1),
    Case("Q2", "one project with everything", _q2),
    Case("Q3", "flat list of 500 projects", _q3),
    Case("Q4", "deep: portfolios, programmes, projects, risks, owners", _q4),
    Case("MUT", "mutation mix: raise a risk, submit a report, assign a person", _mutation, True),
]
