"""The PostGraphile peers: PostGraphile 4.14 as a library behind Node's HTTP server
(``postgraphile/server.js``, on the machine's Node.js 20), and PostGraphile 5 with Grafserv
(``postgraphile5/server.mjs``, on the Node.js 22 that npm installs beside it, with its V4 preset:
the same schema). Both on the same PostgreSQL tables, with pmo-graph's computed fields as SQL
computed-column functions.

PostGraphile generates its schema from the database, so each case is asked in that schema's
terms (rows by primary key, ``fooList`` or Relay connections with ``orderBy``, generated
``createFoo`` mutations) and the answers are brought back to pmo-graph's shape.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from bench import cases
from bench.cases import Case, Request
from bench.database import JIT, POOL_SIZE, BenchDatabase
from bench.peers import Launch, postgraphile_clients

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Version:
    """One PostGraphile: its folder (a package.json pinning it), and how to start it there."""

    name: str
    folder: Path
    argv: tuple[str, ...]


V4 = Version("PostGraphile 4.14", HERE / "postgraphile", ("node", "server.js"))
# Node.js 22 comes from the registry as an npm package (`node`), into node_modules/.bin.
V5 = Version("PostGraphile 5.1", HERE / "postgraphile5", ("node_modules/.bin/node", "server.mjs"))

#: pmo-graph's computed fields as PostGraphile computed columns (``<table>_<field>(row)``,
#: STABLE), each computed as pmo-graph computes it. ``@sortable`` lets a register be ordered by
#: score, highest first, as pmo-graph orders it.
COMPUTED_COLUMNS = """
CREATE OR REPLACE FUNCTION risks_score(r risks) RETURNS integer
LANGUAGE sql STABLE AS $$
  SELECT r.probability * r.impact
$$;
COMMENT ON FUNCTION risks_score(risks) IS '@sortable';

CREATE OR REPLACE FUNCTION risks_rating(r risks) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN r.probability * r.impact <= 4 THEN 'LOW'
    WHEN r.probability * r.impact <= 12 THEN 'MEDIUM'
    ELSE 'HIGH'
  END
$$;

CREATE OR REPLACE FUNCTION milestones_slip_days(m milestones) RETURNS integer
LANGUAGE sql STABLE AS $$
  SELECT coalesce(m.actual_date, m.forecast_date, m.baseline_date) - m.baseline_date
$$;

CREATE OR REPLACE FUNCTION projects_latest_status(p projects) RETURNS status_reports
LANGUAGE sql STABLE AS $$
  SELECT *
  FROM status_reports r
  WHERE r.project_id = p.id
  ORDER BY r.period_ending DESC, r.id DESC
  LIMIT 1
$$;

-- The latest measurement up to today (UTC) against the benefit's baseline and target, rounded
-- as pmo-graph rounds it; null without a measurement or when the target is the baseline.
CREATE OR REPLACE FUNCTION benefits_realisation(b benefits) RETURNS double precision
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN b.target = b.baseline THEN NULL
    ELSE round(((latest.value - b.baseline) / (b.target - b.baseline))::numeric, 6)::float8
  END
  FROM (
    SELECT m.value
    FROM benefit_measurements m
    WHERE m.benefit_id = b.id AND m.measured_on <= (now() AT TIME ZONE 'utc')::date
    ORDER BY m.measured_on DESC, m.id DESC
    LIMIT 1
  ) latest
$$;

-- pmo-graph's projects(filter: {search:}) as PostGraphile's users write a search: a function it
-- serves as a connection (Query.searchProjects). Case-insensitive text in the code or the name,
-- by code, as pmo-graph searches.
CREATE OR REPLACE FUNCTION search_projects(search text) RETURNS SETOF projects
LANGUAGE sql STABLE AS $$
  SELECT *
  FROM projects p
  WHERE strpos(lower(p.code), lower(trim(search))) > 0
     OR strpos(lower(p.name), lower(trim(search))) > 0
  ORDER BY p.code, p.id
$$;
"""

# The orders below are pmo-graph's: projects by code, programmes and portfolios by name, risks
# by score (highest first), assignments by start date, milestones by baseline date, reports by
# period (newest first), contributions by id; the id breaks ties everywhere.
_RISKS = "risksList(orderBy: [SCORE_DESC, ID_ASC])"
_ASSIGNMENTS = "assignmentsList(condition: {releasedAt: null}, orderBy: [START_DATE_ASC, ID_ASC])"
_CONTRIBUTIONS = "benefitContributionsList(orderBy: ID_ASC)"

Q1 = f"""
query Q1($portfolio: BigInt!) {{ node: portfolio(id: $portfolio) {{
  projects(first: 100, orderBy: [CODE_ASC, ID_ASC]) {{ edges {{ node {{
  code name stage budget
  latestStatus {{ overall periodEnding }}
  risks: {_RISKS} {{ score rating owner {{ name }} }}
  assignments: {_ASSIGNMENTS} {{ allocation person {{ name }} }}
  benefitContributions: {_CONTRIBUTIONS} {{ share benefit {{ name realisation }} }}
}} }} }} }} }}
"""

Q2 = f"""
query Q2($project: BigInt!) {{ node: project(id: $project) {{
  code name description stage startDate endDate budget category
  manager {{ name }} sponsor {{ name }} portfolio {{ name }}
  programme {{ name director {{ name }} }}
  latestStatus {{ overall periodEnding summary }}
  statusReports(first: 12, orderBy: [PERIOD_ENDING_DESC, ID_DESC]) {{
    nodes {{ periodEnding overall }} }}
  milestones: milestonesList(orderBy: [BASELINE_DATE_ASC, ID_ASC]) {{
    name baselineDate forecastDate actualDate slipDays }}
  risks: {_RISKS} {{ title score rating status owner {{ name }} }}
  assignments: {_ASSIGNMENTS} {{ role allocation startDate endDate person {{ name }} }}
  benefitContributions: {_CONTRIBUTIONS} {{ share benefit {{ name realisation }} }}
}} }}
"""

Q3 = """
query Q3 { projects(first: 500, orderBy: [CODE_ASC, ID_ASC]) {
  nodes { code name stage budget startDate } } }
"""

Q4 = f"""
query Q4 {{ portfolios(first: 20, orderBy: [NAME_ASC, ID_ASC]) {{ nodes {{ name
  programmes(first: 5, orderBy: [NAME_ASC, ID_ASC]) {{ nodes {{ name
  projects(first: 20, orderBy: [CODE_ASC, ID_ASC]) {{ nodes {{ code
    risks: {_RISKS} {{ title owner {{ name }} }} }} }}
}} }} }} }} }}
"""

# The generated create mutations take the row as it is stored: every NOT NULL column without a
# default, which pmo-graph fills in itself (organisation, version, timestamps).
RAISE_RISK = """
mutation RaiseRisk($project: BigInt!, $organisation: BigInt!, $title: String!, $now: Datetime!) {
  raiseRisk: createRisk(input: {risk: {projectId: $project, organisationId: $organisation,
  title: $title, probability: 3, impact: 4, status: "OPEN", version: 1, createdAt: $now,
  updatedAt: $now}}) { risk { title score } } }
"""
SUBMIT_STATUS = """
mutation SubmitStatus($project: BigInt!, $organisation: BigInt!, $day: Date!, $now: Datetime!) {
  submitStatusReport: createStatusReport(input: {statusReport: {projectId: $project,
  organisationId: $organisation, periodEnding: $day, overall: "GREEN", summary: "Bench",
  submittedAt: $now}}) { statusReport { overall } } }
"""
ASSIGN = """
mutation Assign($project: BigInt!, $person: BigInt!, $organisation: BigInt!, $now: Datetime!) {
  assignPerson: createAssignment(input: {assignment: {projectId: $project, personId: $person,
  organisationId: $organisation, role: "Bench", allocation: 0.1, startDate: "2026-12-01",
  endDate: "2026-12-31", version: 1, createdAt: $now, updatedAt: $now}}) {
  assignment { allocation } } }
"""

DOCUMENTS = {"Q1": Q1, "Q2": Q2, "Q3": Q3, "Q4": Q4}


async def _create_computed_columns(dsn: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(COMPUTED_COLUMNS)
    finally:
        await connection.close()


class PostGraphile:
    """One PostGraphile ``version``'s server in its folder, one process, a pool of
    ``POOL_SIZE``."""

    def __init__(self, version: Version = V4) -> None:
        self.version = version
        #: The organisation new rows belong to, known once ``prepare`` has seen the database.
        self.organisation_id: int | None = None

    @property
    def name(self) -> str:
        return self.version.name

    @property
    def kind(self) -> str:
        return "postgresql"

    @property
    def settings(self) -> dict[str, str]:
        return {"NODE_ENV": "production", "jit": JIT}

    @property
    def checks_only(self) -> bool:
        return False

    def supports(self, case: Case) -> bool:
        return True

    def prepare(self, database: BenchDatabase) -> None:
        folder = self.version.folder
        if not (folder / "node_modules").is_dir():
            npm = shutil.which("npm")
            if npm is None:
                raise RuntimeError("the PostGraphile peers need Node.js 20 and npm")
            # No lock file (package-lock=false): the exact versions are pinned in package.json.
            subprocess.run([npm, "install"], cwd=folder, check=True)
        asyncio.run(_create_computed_columns(database.dsn))
        self.organisation_id = database.data.organisation_id

    def launch(self, database: BenchDatabase, port: int) -> Launch:
        return Launch(
            list(self.version.argv),
            {
                "DATABASE_URL": database.dsn,
                "PORT": str(port),
                "POOL_SIZE": str(POOL_SIZE),
                # As its users deploy it: graphql-js and grafast skip their development checks.
                "NODE_ENV": "production",
                "PG_JIT": JIT,
            },
            cwd=self.version.folder,
        )

    def headers(self, database: BenchDatabase) -> dict[str, str]:
        return {}

    def body(self, case: Case, request: Request) -> dict[str, Any]:
        if case.client:
            return postgraphile_clients.body(case.name, request)
        if not case.mutation:
            keys = {name: str(key) for name, key in request.keys.items()}
            return {"query": DOCUMENTS[case.name], "variables": keys}
        if self.organisation_id is None:
            raise RuntimeError("prepare() has not run: the organisation of new rows is unknown")
        variables: dict[str, Any] = {
            "project": str(request.keys["project"]),
            "organisation": str(self.organisation_id),
            "now": datetime.now(UTC).isoformat(),
        }
        if request.document == cases.RAISE_RISK:
            return {
                "query": RAISE_RISK,
                "variables": {**variables, "title": request.variables["title"]},
            }
        if request.document == cases.SUBMIT_STATUS:
            return {
                "query": SUBMIT_STATUS,
                "variables": {**variables, "day": request.variables["day"]},
            }
        if request.document == cases.ASSIGN:
            return {
                "query": ASSIGN,
                "variables": {**variables, "person": str(request.keys["person"])},
            }
        raise ValueError(f"no PostGraphile document for this mutation of {case.name}")

    def normalise(self, case: Case, answer: dict[str, Any]) -> Any:
        if case.client:
            return postgraphile_clients.normalise(case.name, answer)
        data = answer.get("data")
        if not case.mutation or not isinstance(data, dict):
            return data
        # pmo-graph's payloads also carry userErrors; PostGraphile reports failures as errors.
        return {name: {**payload, "userErrors": []} for name, payload in data.items()}
