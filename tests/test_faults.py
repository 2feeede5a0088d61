"""Faults inside a mutation: whatever fails after rows were written, nothing of it is left."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph import writes
from pmo_graph.audit.chain import verify
from pmo_graph.audit.models import AuditEvent
from pmo_graph.projects.models import Project
from pmo_graph.request.transaction import Transaction
from pmo_graph.testing import TestOrganisation
from pmo_graph_pso.models import Milestone

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

TEMPLATE = """mutation { createProjectTemplate(input: {name: "Delivery", milestones: [
  {name: "Kick-off", offsetDays: 0}, {name: "Design", offsetDays: 30},
  {name: "Go-live", offsetDays: 90}]}) { projectTemplate { id } userErrors { code } } }"""
FROM_TEMPLATE = """mutation($template: ID!) { createProjectFromTemplate(input: {
  templateId: $template, code: "FAULT-1", name: "Doomed", startDate: "2027-02-01"}) {
  project { code milestones { name } } userErrors { code } } }"""


async def _count(session: AsyncSession, model: type[Any], organisation_id: int) -> int:
    value = await session.scalar(
        select(func.count()).select_from(model).where(model.organisation_id == organisation_id)
    )
    return int(value or 0)


async def test_a_failure_after_the_rows_were_written_leaves_none_behind(
    make_org: MakeOrg, db_session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = await make_org(tiers=["pso"])
    template = (await org.admin.mutate(TEMPLATE))["projectTemplate"]["id"]
    before = {m: await _count(db_session, m, org.id) for m in (Project, Milestone, AuditEvent)}
    written: list[int] = []

    async def fail_after_flush(transaction: Transaction) -> None:
        # The project and its three milestones are in the database by now.
        await transaction.session.flush()
        written.append(await _count(transaction.session, Milestone, org.id) - before[Milestone])
        raise RuntimeError("injected failure")

    monkeypatch.setattr(writes, "react_in_transaction", fail_after_flush)
    result = await org.admin.execute(FROM_TEMPLATE, {"template": template})

    assert written == [3], "the failure was injected after the milestones were written"
    assert result["_status"] == 200
    (error,) = result["errors"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "injected" not in error["message"]  # masked, with a request id to quote
    assert error["extensions"]["requestId"] in error["message"]
    after = {m: await _count(db_session, m, org.id) for m in (Project, Milestone, AuditEvent)}
    assert after == before
    (chain,) = await verify(db_session, org.slug)
    assert chain.broken is None
    assert chain.events == before[AuditEvent]

    monkeypatch.undo()
    created = await org.admin.mutate(FROM_TEMPLATE, {"template": template})
    assert len(created["project"]["milestones"]) == 3  # the same request now succeeds, once
