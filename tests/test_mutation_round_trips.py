"""The round trips of the benchmark's mutation mix (``bench/cases.py``), BEGIN and COMMIT
included, pinned statement by statement: raise a risk, submit a status report, assign a person.

On PostgreSQL everything a write does after its body (the webhook deliveries, the organisation's
turn on its audit chain, the chain's head, the chained audit events and the notices) is one
statement, ``pmo_graph_finish_write``; SQLite keeps the simpler path of one statement a step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from bench.cases import ASSIGN, RAISE_RISK, SUBMIT_STATUS
from pmo_graph.app_state import AppState
from pmo_graph.ids import to_global_id
from pmo_graph.testing import TestOrganisation

#: What each round trip of a mutation starts with, in order, on PostgreSQL.
POSTGRES = {
    "raiseRisk": [
        "BEGIN",
        "SELECT projects.",  # the project, checked against the viewer's right
        "INSERT INTO risks",  # the risk, read back with RETURNING
        "SELECT staged, ids, seqs, previous, hashes FROM pmo_graph_finish_write(",
        "COMMIT",
    ],
    "submitStatusReport": [
        "BEGIN",
        "SELECT projects.",
        "SELECT status_reports.id",  # the period's report, if there is one (DUPLICATE)
        "INSERT INTO status_reports",
        "SELECT staged, ids, seqs, previous, hashes FROM pmo_graph_finish_write(",
        "COMMIT",
    ],
    "assignPerson": [
        "BEGIN",
        "SELECT projects.",
        "SELECT people.",  # the person, in the organisation
        "INSERT INTO assignments",
        "SELECT staged, ids, seqs, previous, hashes FROM pmo_graph_finish_write(",
        "COMMIT",
    ],
}

#: SQLite: the token and tiers read in a transaction of their own (no ``AccessCache`` there),
#: then one statement a step; no statement takes the chain's turn, the write transaction holds
#: the database's lock from its ``BEGIN IMMEDIATE``.
SQLITE = {
    name: [
        "BEGIN",
        "SELECT api_tokens.",
        "SELECT organisation_tiers.",
        "COMMIT",
        *steps[:-2],
        "SELECT webhooks.id",  # the organisation's active webhooks
        "SELECT audit_events.seq",  # the chain's head
        "INSERT INTO audit_events",
        "COMMIT",
    ]
    for name, steps in POSTGRES.items()
}


class RoundTrips:
    """Every round trip the app's engine makes, transaction control included."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def starts(self) -> list[str]:
        """Each statement, whitespace folded."""
        return [" ".join(s.split()) for s in self.statements]


@pytest.fixture
def round_trips(pmo_state: AppState) -> Iterator[RoundTrips]:
    trips = RoundTrips()
    engine = pmo_state.engine.sync_engine

    def statement(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        if not sql.lstrip().upper().startswith("BEGIN"):  # SQLite's BEGIN IMMEDIATE: below
            trips.statements.append(sql)

    def begin(_conn: Any) -> None:
        trips.statements.append("BEGIN")

    def commit(_conn: Any) -> None:
        trips.statements.append("COMMIT")

    def rollback(_conn: Any) -> None:
        trips.statements.append("ROLLBACK")

    listeners: list[tuple[str, Callable[..., Any]]] = [
        ("before_cursor_execute", statement),
        ("begin", begin),
        ("commit", commit),
        ("rollback", rollback),
    ]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield trips
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)


async def _mix(org: TestOrganisation) -> dict[str, tuple[str, dict[str, Any]]]:
    project = await org.admin.mutate(
        'mutation { createProject(input: {code: "MIX-1", name: "Mix"}) '
        "{ project { id } userErrors { code } } }"
    )
    project_id = project["project"]["id"]
    person_id = to_global_id("Person", next(iter(org.person_ids.values())))
    return {
        "raiseRisk": (RAISE_RISK, {"project": project_id, "title": "A risk"}),
        "submitStatusReport": (SUBMIT_STATUS, {"project": project_id, "day": "2020-01-31"}),
        "assignPerson": (ASSIGN, {"project": project_id, "person": person_id}),
    }


@pytest.mark.parametrize("mutation", list(POSTGRES))
async def test_each_mutation_of_the_mix_makes_these_round_trips(
    org: TestOrganisation,
    round_trips: RoundTrips,
    pmo_backend: str,
    mutation: str,
) -> None:
    mix = await _mix(org)
    document, variables = mix[mutation]
    await org.admin.mutate(document, variables)  # the token and tiers known to the process
    if mutation == "submitStatusReport":
        variables = {**variables, "day": "2020-02-29"}  # a report per period
    round_trips.statements.clear()

    payload = await org.admin.mutate(document, variables)

    assert payload["userErrors"] == []
    expected = (POSTGRES if pmo_backend == "postgresql" else SQLITE)[mutation]
    found = round_trips.starts()
    assert len(found) == len(expected), "\n".join(found)
    for statement, start in zip(found, expected, strict=True):
        assert statement.startswith(start), "\n".join(found)


@pytest.mark.pmo_backends("postgresql")
@pytest.mark.parametrize("mutation", list(POSTGRES))
async def test_the_mix_writes_through_the_driver_not_the_unit_of_work(
    org: TestOrganisation, mutation: str
) -> None:
    """The mix's bodies load and insert with ``tx.rows``: on PostgreSQL the ORM flushes
    nothing (its unit of work was most of a mutation's CPU, docs/performance.md)."""
    mix = await _mix(org)
    document, variables = mix[mutation]
    flushed: list[int] = []

    def after_flush(session: Session, _context: Any) -> None:
        flushed.append(len(session.new) + len(session.dirty))

    event.listen(Session, "after_flush", after_flush)
    try:
        payload = await org.admin.mutate(document, variables)
    finally:
        event.remove(Session, "after_flush", after_flush)
    assert payload["userErrors"] == []
    assert flushed == []
