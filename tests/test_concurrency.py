"""Concurrent writers: every mutation commits or answers a userError; nothing fails or is lost."""

from __future__ import annotations

import asyncio

from helpers import CREATE_PROJECT, UPDATE_PROJECT
from pmo_graph.testing import TestOrganisation


async def test_concurrent_creates_all_commit(org: TestOrganisation) -> None:
    async def create(i: int) -> dict[str, object]:
        return await org.admin.mutate(
            CREATE_PROJECT, {"input": {"code": f"CC-{i:02d}", "name": f"Concurrent {i}"}}
        )

    payloads = await asyncio.gather(*(create(i) for i in range(20)))
    assert len({p["project"]["id"] for p in payloads}) == 20  # type: ignore[index]
    data = await org.admin.query("{ projects { totalCount } auditLog { totalCount } }")
    assert data["projects"]["totalCount"] == 20
    assert data["auditLog"]["totalCount"] == 20


async def test_concurrent_updates_with_the_same_version_let_exactly_one_win(
    org: TestOrganisation,
) -> None:
    created = await org.admin.mutate(CREATE_PROJECT, {"input": {"code": "RACE-1", "name": "Race"}})
    project_id = created["project"]["id"]

    async def rename(i: int) -> dict[str, object]:
        data = await org.admin.query(
            UPDATE_PROJECT,
            {"input": {"projectId": project_id, "expectedVersion": 1, "name": f"Winner {i}"}},
        )
        return data["updateProject"]  # type: ignore[no-any-return]

    results = await asyncio.gather(*(rename(i) for i in range(8)))
    winners = [r for r in results if not r["userErrors"]]
    losers = [r for r in results if r["userErrors"]]
    assert len(winners) == 1
    assert all(r["userErrors"][0]["code"] == "CONFLICT" for r in losers)  # type: ignore[index]
    final = await org.admin.query(
        "query($id: ID!) { node(id: $id) { ... on Project { name version } } }", {"id": project_id}
    )
    assert final["node"] == {"name": winners[0]["project"]["name"], "version": 2}  # type: ignore[index]
