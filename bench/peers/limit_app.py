"""The limit's server: one hand-written SQL statement per request, the JSON built in PostgreSQL.

No GraphQL: a request names its case and the database keys it is about (``{"case": "Q1",
"keys": {"portfolio": 7}}``; a mutation adds its ``input``), the server runs that case's
statement with asyncpg (prepared once per connection, by asyncpg's statement cache) and sends
the text PostgreSQL returns, ``{"data": …}`` in pmo-graph's shape, as it is. Every list is in
pmo-graph's order and every computed field (``score``, ``rating``, ``slipDays``,
``realisation``, ``latestStatus``) is computed as pmo-graph computes it.

Only the root of each query is scoped to the organisation: the rows under it are reached by
their foreign keys, which pmo-graph only ever points within one organisation. (The benchmark's
tables carry no planner statistics, and without them a second ``organisation_id`` condition on
every child table makes PostgreSQL scan the whole organisation's index once per parent row.)

Run: ``LIMIT_DATABASE_URL=postgresql://… LIMIT_ORGANISATION_ID=1 uvicorn
bench.peers.limit_app:app``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

import asyncpg  # type: ignore[import-untyped]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# Every statement takes the organisation as $1. Dates arrive as ISO text (``$n::text::date``),
# as they are in the request.

Q1 = """
WITH page AS (
    SELECT p.id, p.code, p.name, p.stage, p.budget
    FROM projects p
    WHERE p.portfolio_id = $2 AND p.organisation_id = $1
    ORDER BY p.code, p.id
    LIMIT 100
),
-- the page's few benefits, each realisation computed once for all its contributions
benefit AS MATERIALIZED (
    SELECT b.id, json_build_object(
        'name', b.name,
        'realisation', (
            SELECT round(((m.value - b.baseline) / nullif(b.target - b.baseline, 0))::numeric, 6)
            FROM benefit_measurements m
            WHERE m.benefit_id = b.id AND m.measured_on <= (now() AT TIME ZONE 'UTC')::date
            ORDER BY m.measured_on DESC, m.id DESC
            LIMIT 1
        )
    ) AS json
    FROM benefits b
    WHERE b.id IN (
        SELECT c.benefit_id FROM benefit_contributions c JOIN page ON page.id = c.project_id
    )
)
SELECT json_build_object('data', json_build_object('node', (
    SELECT json_build_object('projects', json_build_object('edges', coalesce((
        SELECT json_agg(json_build_object('node', json_build_object(
            'code', p.code,
            'name', p.name,
            'stage', p.stage,
            'budget', p.budget::text,
            'latestStatus', (
                SELECT json_build_object('overall', s.overall, 'periodEnding', s.period_ending)
                FROM status_reports s
                WHERE s.project_id = p.id
                ORDER BY s.period_ending DESC, s.id DESC
                LIMIT 1
            ),
            'risks', coalesce((
                SELECT json_agg(json_build_object(
                    'score', r.probability * r.impact,
                    'rating', CASE
                        WHEN r.probability * r.impact <= 4 THEN 'LOW'
                        WHEN r.probability * r.impact <= 12 THEN 'MEDIUM'
                        ELSE 'HIGH'
                    END,
                    'owner', CASE WHEN o.id IS NOT NULL THEN json_build_object('name', o.name) END
                ) ORDER BY r.probability * r.impact DESC, r.id)
                FROM risks r
                LEFT JOIN people o ON o.id = r.owner_id
                WHERE r.project_id = p.id
            ), '[]'),
            'assignments', coalesce((
                SELECT json_agg(json_build_object(
                    'allocation', a.allocation,
                    'person', CASE WHEN e.id IS NOT NULL THEN json_build_object('name', e.name) END
                ) ORDER BY a.start_date, a.id)
                FROM assignments a
                LEFT JOIN people e ON e.id = a.person_id
                WHERE a.project_id = p.id AND a.released_at IS NULL
            ), '[]'),
            'benefitContributions', coalesce((
                SELECT json_agg(json_build_object('share', c.share, 'benefit', b.json)
                                ORDER BY c.id)
                FROM benefit_contributions c
                LEFT JOIN benefit b ON b.id = c.benefit_id
                WHERE c.project_id = p.id
            ), '[]')
        )) ORDER BY p.code, p.id)
        FROM page p
    ), '[]')))
    FROM portfolios f
    WHERE f.id = $2 AND f.organisation_id = $1
)))::text
"""

Q2 = """
SELECT json_build_object('data', json_build_object('node', (
    SELECT json_build_object(
        'code', p.code,
        'name', p.name,
        'description', p.description,
        'stage', p.stage,
        'startDate', p.start_date,
        'endDate', p.end_date,
        'budget', p.budget::text,
        'category', p.category,
        'manager', (SELECT json_build_object('name', e.name) FROM people e
                    WHERE e.id = p.manager_id),
        'sponsor', (SELECT json_build_object('name', e.name) FROM people e
                    WHERE e.id = p.sponsor_id),
        'portfolio', (SELECT json_build_object('name', f.name) FROM portfolios f
                      WHERE f.id = p.portfolio_id),
        'programme', (
            SELECT json_build_object(
                'name', g.name,
                'director', (SELECT json_build_object('name', d.name) FROM people d
                             WHERE d.id = g.director_id)
            )
            FROM programmes g
            WHERE g.id = p.programme_id
        ),
        'latestStatus', (
            SELECT json_build_object(
                'overall', s.overall, 'periodEnding', s.period_ending, 'summary', s.summary
            )
            FROM status_reports s
            WHERE s.project_id = p.id
            ORDER BY s.period_ending DESC, s.id DESC
            LIMIT 1
        ),
        'statusReports', json_build_object('nodes', coalesce((
            SELECT json_agg(json_build_object('periodEnding', s.period_ending, 'overall', s.overall)
                            ORDER BY s.period_ending DESC, s.id DESC)
            FROM (
                SELECT s.id, s.period_ending, s.overall
                FROM status_reports s
                WHERE s.project_id = p.id
                ORDER BY s.period_ending DESC, s.id DESC
                LIMIT 12
            ) s
        ), '[]')),
        'milestones', coalesce((
            SELECT json_agg(json_build_object(
                'name', m.name,
                'baselineDate', m.baseline_date,
                'forecastDate', m.forecast_date,
                'actualDate', m.actual_date,
                'slipDays', coalesce(m.actual_date, m.forecast_date, m.baseline_date)
                    - m.baseline_date
            ) ORDER BY m.baseline_date, m.id)
            FROM milestones m
            WHERE m.project_id = p.id
        ), '[]'),
        'risks', coalesce((
            SELECT json_agg(json_build_object(
                'title', r.title,
                'score', r.probability * r.impact,
                'rating', CASE
                    WHEN r.probability * r.impact <= 4 THEN 'LOW'
                    WHEN r.probability * r.impact <= 12 THEN 'MEDIUM'
                    ELSE 'HIGH'
                END,
                'status', r.status,
                'owner', CASE WHEN o.id IS NOT NULL THEN json_build_object('name', o.name) END
            ) ORDER BY r.probability * r.impact DESC, r.id)
            FROM risks r
            LEFT JOIN people o ON o.id = r.owner_id
            WHERE r.project_id = p.id
        ), '[]'),
        'assignments', coalesce((
            SELECT json_agg(json_build_object(
                'role', a.role,
                'allocation', a.allocation,
                'startDate', a.start_date,
                'endDate', a.end_date,
                'person', CASE WHEN e.id IS NOT NULL THEN json_build_object('name', e.name) END
            ) ORDER BY a.start_date, a.id)
            FROM assignments a
            LEFT JOIN people e ON e.id = a.person_id
            WHERE a.project_id = p.id AND a.released_at IS NULL
        ), '[]'),
        'benefitContributions', coalesce((
            SELECT json_agg(json_build_object(
                'share', c.share,
                'benefit', json_build_object(
                    'name', b.name,
                    'realisation', (
                        SELECT round(
                            ((m.value - b.baseline) / nullif(b.target - b.baseline, 0))::numeric, 6
                        )
                        FROM benefit_measurements m
                        WHERE m.benefit_id = b.id
                            AND m.measured_on <= (now() AT TIME ZONE 'UTC')::date
                        ORDER BY m.measured_on DESC, m.id DESC
                        LIMIT 1
                    )
                )
            ) ORDER BY c.id)
            FROM benefit_contributions c
            JOIN benefits b ON b.id = c.benefit_id
            WHERE c.project_id = p.id
        ), '[]')
    )
    FROM projects p
    WHERE p.id = $2 AND p.organisation_id = $1
)))::text
"""

Q3 = """
SELECT json_build_object('data', json_build_object('projects', json_build_object('nodes', coalesce((
    SELECT json_agg(json_build_object(
        'code', p.code,
        'name', p.name,
        'stage', p.stage,
        'budget', p.budget::text,
        'startDate', p.start_date
    ) ORDER BY p.code, p.id)
    FROM (
        SELECT p.id, p.code, p.name, p.stage, p.budget, p.start_date
        FROM projects p
        WHERE p.organisation_id = $1
        ORDER BY p.code, p.id
        LIMIT 500
    ) p
), '[]'))))::text
"""

Q4 = """
SELECT json_build_object('data', json_build_object('portfolios', json_build_object('nodes', (
    SELECT coalesce(json_agg(json_build_object(
        'name', f.name,
        'programmes', json_build_object('nodes', (
            SELECT coalesce(json_agg(json_build_object(
                'name', g.name,
                'projects', json_build_object('nodes', (
                    SELECT coalesce(json_agg(json_build_object(
                        'code', p.code,
                        'risks', (
                            SELECT coalesce(json_agg(json_build_object(
                                'title', r.title,
                                'owner', CASE
                                    WHEN o.id IS NOT NULL THEN json_build_object('name', o.name)
                                END
                            ) ORDER BY r.probability * r.impact DESC, r.id), '[]')
                            FROM risks r
                            LEFT JOIN people o ON o.id = r.owner_id
                            WHERE r.project_id = p.id
                        )
                    ) ORDER BY p.code, p.id), '[]')
                    FROM (
                        SELECT p.id, p.code
                        FROM projects p
                        WHERE p.programme_id = g.id
                        ORDER BY p.code, p.id
                        LIMIT 20
                    ) p
                ))
            ) ORDER BY g.name, g.id), '[]')
            FROM (
                SELECT g.id, g.name
                FROM programmes g
                WHERE g.portfolio_id = f.id
                ORDER BY g.name, g.id
                LIMIT 5
            ) g
        ))
    ) ORDER BY f.name, f.id), '[]')
    FROM (
        SELECT f.id, f.name
        FROM portfolios f
        WHERE f.organisation_id = $1
        ORDER BY f.name, f.id
        LIMIT 20
    ) f
))))::text
"""

# The mutations check their input as pmo-graph does, write the row only when every check
# passes, and answer the failed checks' codes as userErrors.

RAISE_RISK = """
WITH project AS (
    SELECT p.id, p.organisation_id FROM projects p WHERE p.id = $2 AND p.organisation_id = $1
),
input AS (
    SELECT btrim($3, E' \\t\\n\\r\\f\\v') AS title, $4::integer AS probability,
           $5::integer AS impact
),
error AS (
    SELECT e.code
    FROM input CROSS JOIN LATERAL (VALUES
        ('NOT_FOUND', NOT EXISTS (SELECT FROM project)),
        ('INVALID', input.title = '' OR length(input.title) > 200),
        ('INVALID', input.probability NOT BETWEEN 1 AND 5),
        ('INVALID', input.impact NOT BETWEEN 1 AND 5)
    ) e(code, failed)
    WHERE e.failed
),
risk AS (
    INSERT INTO risks (
        organisation_id, project_id, title, probability, impact, status,
        version, created_at, updated_at
    )
    SELECT project.organisation_id, project.id, input.title, input.probability, input.impact,
           'OPEN', 1, now(), now()
    FROM project, input
    WHERE NOT EXISTS (SELECT FROM error)
    RETURNING title, probability, impact
)
SELECT json_build_object('data', json_build_object('raiseRisk', json_build_object(
    'risk', (SELECT json_build_object('title', title, 'score', probability * impact) FROM risk),
    'userErrors', (SELECT coalesce(json_agg(json_build_object('code', code)), '[]') FROM error)
)))::text
"""

SUBMIT_STATUS_REPORT = """
WITH project AS (
    SELECT p.id, p.organisation_id FROM projects p WHERE p.id = $2 AND p.organisation_id = $1
),
input AS (
    SELECT $3::text::date AS period_ending, $4::text AS overall,
           nullif(btrim($5, E' \\t\\n\\r\\f\\v'), '') AS summary
),
error AS (
    SELECT e.code
    FROM input CROSS JOIN LATERAL (VALUES
        ('NOT_FOUND', NOT EXISTS (SELECT FROM project)),
        ('INVALID', input.period_ending > (now() AT TIME ZONE 'UTC')::date),
        ('DUPLICATE', EXISTS (
            SELECT FROM status_reports s
            WHERE s.project_id = $2 AND s.period_ending = input.period_ending
        ))
    ) e(code, failed)
    WHERE e.failed
),
report AS (
    INSERT INTO status_reports (
        organisation_id, project_id, period_ending, overall, summary,
        submitted_by_id, submitted_at
    )
    SELECT project.organisation_id, project.id, input.period_ending, input.overall,
           input.summary, $6::bigint, now()
    FROM project, input
    WHERE NOT EXISTS (SELECT FROM error)
    RETURNING overall
)
SELECT json_build_object('data', json_build_object('submitStatusReport', json_build_object(
    'statusReport', (SELECT json_build_object('overall', overall) FROM report),
    'userErrors', (SELECT coalesce(json_agg(json_build_object('code', code)), '[]') FROM error)
)))::text
"""

ASSIGN_PERSON = """
WITH project AS (
    SELECT p.id, p.organisation_id FROM projects p WHERE p.id = $2 AND p.organisation_id = $1
),
person AS (
    SELECT e.id FROM people e WHERE e.id = $3 AND e.organisation_id = $1
),
input AS (
    SELECT btrim($4, E' \\t\\n\\r\\f\\v') AS role, $5::float8 AS allocation,
           $6::text::date AS start_date, $7::text::date AS end_date
),
error AS (
    SELECT e.code
    FROM input CROSS JOIN LATERAL (VALUES
        ('NOT_FOUND', NOT EXISTS (SELECT FROM project)),
        ('NOT_FOUND', NOT EXISTS (SELECT FROM person)),
        ('INVALID', input.role = '' OR length(input.role) > 100),
        ('INVALID', NOT (input.allocation > 0 AND input.allocation <= 1)),
        ('INVALID', input.end_date < input.start_date)
    ) e(code, failed)
    WHERE e.failed
),
assignment AS (
    INSERT INTO assignments (
        organisation_id, project_id, person_id, role, allocation, start_date, end_date,
        version, created_at, updated_at
    )
    SELECT project.organisation_id, project.id, person.id, input.role, input.allocation,
           input.start_date, input.end_date, 1, now(), now()
    FROM project, person, input
    WHERE NOT EXISTS (SELECT FROM error)
    RETURNING allocation
)
SELECT json_build_object('data', json_build_object('assignPerson', json_build_object(
    'assignment', (SELECT json_build_object('allocation', allocation) FROM assignment),
    'userErrors', (SELECT coalesce(json_agg(json_build_object('code', code)), '[]') FROM error)
)))::text
"""


@dataclass(frozen=True)
class Statement:
    """A case's SQL and the names of its parameters after the organisation, in order."""

    sql: str
    parameters: tuple[str, ...] = ()


STATEMENTS = {
    "Q1": Statement(Q1, ("portfolio",)),
    "Q2": Statement(Q2, ("project",)),
    "Q3": Statement(Q3),
    "Q4": Statement(Q4),
    "raiseRisk": Statement(RAISE_RISK, ("project", "title", "probability", "impact")),
    "submitStatusReport": Statement(
        SUBMIT_STATUS_REPORT, ("project", "periodEnding", "overall", "summary", "user")
    ),
    "assignPerson": Statement(
        ASSIGN_PERSON, ("project", "person", "role", "allocation", "startDate", "endDate")
    ),
}


class Server:
    """The pool, the organisation and its user (who submits reports), and the ASGI callable."""

    def __init__(self) -> None:
        self.dsn = os.environ.get("LIMIT_DATABASE_URL", "postgresql://postgres@127.0.0.1/pmo")
        self.organisation = int(os.environ.get("LIMIT_ORGANISATION_ID", "1"))
        self.pool_size = int(os.environ.get("LIMIT_POOL_SIZE", "10"))
        self.jit = os.environ.get("LIMIT_JIT", "off")
        self.pool: Any = None
        self.user: int | None = None

    async def start(self) -> None:
        self.pool = await asyncpg.create_pool(
            self.dsn,
            min_size=self.pool_size,
            max_size=self.pool_size,
            reset=_keep,
            server_settings={"jit": self.jit},
        )
        self.user = await self.pool.fetchval(
            "SELECT id FROM users WHERE organisation_id = $1 ORDER BY id LIMIT 1", self.organisation
        )

    async def answer(self, body: bytes) -> tuple[int, bytes]:
        try:
            request = json.loads(body)
            statement = STATEMENTS[request["case"]]
            values = {**request.get("keys", {}), **request.get("input", {}), "user": self.user}
            arguments = [values[name] for name in statement.parameters]
        except (ValueError, KeyError, TypeError) as problem:
            return 400, json.dumps({"errors": [{"message": repr(problem)}]}).encode()
        text: str = await self.pool.fetchval(statement.sql, self.organisation, *arguments)
        return 200, text.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        status, text = await self.answer(body)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(text)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": text})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.pool is not None:
                    await self.pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _keep(connection: Any) -> None:
    """Hands a connection back to the pool as it is: no request changes session state, so
    asyncpg's default reset (``RESET ALL``, ``UNLISTEN *`` …) would be a wasted round trip."""


app = Server()
