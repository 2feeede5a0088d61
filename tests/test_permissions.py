"""The role matrix: every mutation by every role, allowed or FORBIDDEN, as docs/permissions.md says.

An allowed call succeeds with one audit event; a refused one answers FORBIDDEN and writes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from mutation_cases import CALLS, PROJECT_CALLS, TIERS, Call
from pmo_graph.app_state import AppState
from pmo_graph.auth.roles import Role
from pmo_graph.testing import TestOrganisation
from world import World, audit_actions, build_world, footprint

A, OF, PF, PD, PM, V = (
    Role.ADMIN,
    Role.OFFICE,
    Role.PORTFOLIO_MANAGER,
    Role.PROGRAMME_DIRECTOR,
    Role.PROJECT_MANAGER,
    Role.VIEWER,
)

#: The documented matrix (docs/permissions.md). "own" cells: only on projects they manage.
ALLOWED: dict[str, set[Role]] = {
    "createPerson": {A, OF},
    "updatePerson": {A, OF},
    "createProject": {A, OF, PF, PD},
    "updateProject": {A, OF, PF, PD},
    "setProjectPortfolio": {A, OF, PF},
    "setProjectProgramme": {A, OF, PF, PD},
    "createPortfolio": {A, OF, PF},
    "updatePortfolio": {A, OF, PF},
    "createProgramme": {A, OF, PF, PD},
    "updateProgramme": {A, OF, PF, PD},
    "enableTier": {A},
    "disableTier": {A},
    "submitMaturityAssessment": {A, OF},
    "createWebhook": {A},
    "updateWebhook": {A},
    "deleteWebhook": {A},
    "rotateWebhookSecret": {A},
    "redeliverWebhookDelivery": {A},
    "addSampleNote": {A, OF},
    # pso
    "submitStatusReport": {A, OF},
    "createMilestone": {A, OF, PF, PD},
    "updateMilestone": {A, OF, PF, PD},
    "addPersonSkill": {A, OF},
    "removePersonSkill": {A, OF},
    "assignPerson": {A, OF, PF, PD},
    "releaseAssignment": {A, OF, PF, PD},
    "createProjectTemplate": {A, OF},
    "createProjectFromTemplate": {A, OF, PF, PD},
    "recordSupportEngagement": {A, OF},
    "setReportingCadence": {A, OF},
    # portfolio
    "raiseRisk": {A, OF, PF, PD},
    "updateRisk": {A, OF, PF, PD},
    "setBalanceTargets": {A, OF, PF},
    "setPersonCapacity": {A, OF},
    "createScenario": {A, OF, PF},
    "addScenarioChange": {A, OF, PF},
    "applyScenario": {A, PF},
    "raiseIssue": {A, OF, PF, PD},
    "linkIssue": {A, OF, PF, PD},
    "escalateIssue": {A, OF, PF, PD},
    "resolveIssue": {A, OF, PF, PD},
    "setPortfolioCriteria": {A, OF, PF},
    "scoreProject": {A, OF, PF},
    # pmo
    "createBenefit": {A, OF, PD},
    "recordBenefitMeasurement": {A, OF, PD},
    "linkBenefitContribution": {A, OF, PD},
    "createObjective": {A, OF, PF, PD},
    "linkBenefitObjective": {A, OF, PD},
    "createTranche": {A, OF, PD},
    "setMilestoneTranche": {A, OF, PD},
    "addDependency": {A, OF, PD},
    "removeDependency": {A, OF, PD},
}
ALLOWED_ON_OWN_PROJECT: dict[str, set[Role]] = {
    "updateProject": {PM},
    "addSampleNote": {PM},
    "submitStatusReport": {PM},
    "createMilestone": {PM},
    "updateMilestone": {PM},
    "assignPerson": {PM},
    "releaseAssignment": {PM},
    "raiseRisk": {PM},
    "updateRisk": {PM},
    "raiseIssue": {PM},
    "linkIssue": {PM},
    "escalateIssue": {PM},
}

CELLS = [(mutation, role, None) for mutation in sorted(CALLS) for role in Role] + [
    (mutation, role, where)
    for mutation in sorted(PROJECT_CALLS)
    for role in Role
    for where in ("own", "other")
]


def _expected(mutation: str, role: Role, where: str | None) -> bool:
    if role in ALLOWED[mutation]:
        return True
    return where == "own" and role in ALLOWED_ON_OWN_PROJECT.get(mutation, set())


def test_every_mutation_of_the_schema_has_cells(pmo_state: AppState) -> None:
    schema = pmo_state.built.schema._schema
    assert schema.mutation_type is not None
    assert set(schema.mutation_type.fields) == set(CALLS) | set(PROJECT_CALLS) == set(ALLOWED)


def test_the_documented_matrix_is_the_code(pmo_state: AppState) -> None:
    for mutation, roles in ALLOWED.items():
        rule = pmo_state.permissions[mutation]
        assert set(rule.roles) == roles, mutation
        assert set(rule.own_project) == ALLOWED_ON_OWN_PROJECT.get(mutation, set()), mutation


@pytest.mark.parametrize(
    ("mutation", "role", "where"),
    CELLS,
    ids=[f"{m}-{r.value}" + (f"-{w}" if w else "") for m, r, w in CELLS],
)
async def test_cell(
    mutation: str,
    role: Role,
    where: str | None,
    make_org: Callable[..., Awaitable[TestOrganisation]],
    db_session: AsyncSession,
    pmo_state: AppState,
) -> None:
    org = await make_org(tiers=TIERS)
    world: World = await build_world(db_session, org)
    call: Call = PROJECT_CALLS[mutation](world, where == "own") if where else CALLS[mutation](world)
    before = await footprint(pmo_state.request_sessionmaker, org.id)
    actions_before = await audit_actions(pmo_state.request_sessionmaker, org.id)

    result = await org.client(role).execute(call.document, call.variables)

    if _expected(mutation, role, where):
        assert "errors" not in result, result
        payload = result["data"][mutation]
        assert payload["userErrors"] == []
        assert await audit_actions(pmo_state.request_sessionmaker, org.id) == [
            *actions_before,
            mutation,
        ]
    else:
        assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"], result
        assert "Ask an ADMIN" in result["errors"][0]["message"]
        assert result["data"] is None
        assert await footprint(pmo_state.request_sessionmaker, org.id) == before
