"""The scenario mutations: start a scenario, add a change to it, apply it."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from pmo_graph.sdk import (
    Checks,
    Portfolio,
    Transaction,
    authorize,
    get_context,
    run_mutation,
    tier_mutation,
)
from pmo_graph_portfolio.enums import ScenarioStatus
from pmo_graph_portfolio.models import Scenario
from pmo_graph_portfolio.scenarios.add_change import add_change
from pmo_graph_portfolio.scenarios.apply import apply_changes
from pmo_graph_portfolio.scenarios.inputs import (
    AddScenarioChangeInput,
    ApplyScenarioInput,
    CreateScenarioInput,
)
from pmo_graph_portfolio.scenarios.types import ScenarioPayload
from pmo_graph_portfolio.tier import KEY


@strawberry.type
class ScenarioMutation:
    @tier_mutation(
        KEY,
        description="Start a what-if scenario for a portfolio: a DRAFT at version 1, with no "
        "changes. For ADMIN, OFFICE and PORTFOLIO_MANAGER; anyone else gets the error "
        "FORBIDDEN. userErrors: NOT_FOUND on portfolioId; INVALID on name.",
    )
    async def create_scenario(
        self, info: Info[Any, Any], input: CreateScenarioInput
    ) -> ScenarioPayload:
        context = get_context(info)
        authorize(context, "createScenario")

        async def body(tx: Transaction) -> Scenario:
            checks = Checks()
            portfolio = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Portfolio,
                "Portfolio",
                input.portfolio_id,
                "portfolioId",
            )
            name = checks.text(input.name, "name", required=True, max_length=200)
            checks.raise_if_any()
            assert portfolio is not None
            scenario = Scenario(
                organisation_id=portfolio.organisation_id,
                portfolio_id=portfolio.id,
                name=name,
                status=ScenarioStatus.DRAFT,
            )
            tx.session.add(scenario)
            await tx.session.flush()
            tx.audit("Scenario", scenario.id, {"name": name, "portfolioId": input.portfolio_id})
            return scenario

        return await run_mutation(info, "createScenario", ScenarioPayload, body)

    @tier_mutation(
        KEY,
        description="Add a change to a DRAFT scenario; nothing but the change is written. It is "
        "simulated after the scenario's other changes on the data as it is now, and refused if "
        "any change could then not apply; the versions of the projects and the assignment it "
        "names are kept for applyScenario's CONFLICT check. For ADMIN, OFFICE and "
        "PORTFOLIO_MANAGER; anyone else gets the error FORBIDDEN. userErrors: NOT_FOUND on "
        "scenarioId (checked first; with it nothing else is reported), fromProjectId, "
        "toProjectId or assignmentId; INVALID on scenarioId (applied, or full), on a field the "
        "kind needs and lacks or does not take, and on fromProjectId, toProjectId, "
        "assignmentId, amount, allocation or days.",
    )
    async def add_scenario_change(
        self, info: Info[Any, Any], input: AddScenarioChangeInput
    ) -> ScenarioPayload:
        authorize(get_context(info), "addScenarioChange")

        async def body(tx: Transaction) -> Scenario:
            return await add_change(tx, input)

        return await run_mutation(info, "addScenarioChange", ScenarioPayload, body)

    @tier_mutation(
        KEY,
        description="The portfolio's decision: write every change of a DRAFT scenario in one "
        "transaction, or none. Budgets move; assignments move; a shifted project's dates, its "
        "assignments not released and the forecasts of its milestones not yet reached move "
        "(baselines stay, so the shift shows as slip). Emits project.updated for each project a "
        "change names. For ADMIN and PORTFOLIO_MANAGER; anyone else gets the error FORBIDDEN. "
        "userErrors: NOT_FOUND or INVALID (already applied) on scenarioId; CONFLICT on "
        "scenarioId when a project or assignment a change names changed since the change was "
        "added (make a new scenario); INVALID on changes.i when change i (from 0) cannot apply.",
    )
    async def apply_scenario(
        self, info: Info[Any, Any], input: ApplyScenarioInput
    ) -> ScenarioPayload:
        authorize(get_context(info), "applyScenario")

        async def body(tx: Transaction) -> Scenario:
            return await apply_changes(tx, input)

        return await run_mutation(info, "applyScenario", ScenarioPayload, body)
