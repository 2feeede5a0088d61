"""The benefits mutations: define a benefit, record a measurement, link a contribution, add an
objective and link a benefit to it."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from pmo_graph.sdk import (
    DUPLICATE,
    INVALID,
    OVER_ATTRIBUTED,
    Checks,
    Lock,
    Person,
    Programme,
    Project,
    Transaction,
    authorize,
    get_context,
    run_mutation,
    snapshot,
    tier_mutation,
)
from pmo_graph_pmo.benefit_inputs import (
    BenefitPayload,
    CreateBenefitInput,
    CreateObjectiveInput,
    LinkBenefitContributionInput,
    LinkBenefitObjectiveInput,
    ObjectivePayload,
    RecordBenefitMeasurementInput,
)
from pmo_graph_pmo.benefit_measurements import (
    measurements_of,
)
from pmo_graph_pmo.enums import BenefitStatus
from pmo_graph_pmo.measure import status
from pmo_graph_pmo.models import (
    Benefit,
    BenefitContribution,
    BenefitMeasurement,
    BenefitObjective,
    Objective,
)
from pmo_graph_pmo.scope import today
from pmo_graph_pmo.tier import KEY

SHARE_TOLERANCE = 1e-9


@strawberry.type
class BenefitMutation:
    @tier_mutation(
        KEY,
        description="Define a benefit (or dis-benefit) of a programme. For ADMIN, OFFICE and "
        "PROGRAMME_DIRECTOR (of any programme); anyone else gets FORBIDDEN. userErrors: NOT_FOUND "
        "(programmeId, ownerId), INVALID (name, measure, unit, description, target equal to "
        "baseline), all reported at once.",
    )
    async def create_benefit(
        self, info: Info[Any, Any], input: CreateBenefitInput
    ) -> BenefitPayload:
        context = get_context(info)
        authorize(context, "createBenefit")

        async def body(tx: Transaction) -> Benefit:
            checks = Checks()
            organisation_id = context.viewer.organisation_id
            programme = await checks.reference(
                tx.session,
                organisation_id,
                Programme,
                "Programme",
                input.programme_id,
                "programmeId",
            )
            owner = await checks.reference(
                tx.session, organisation_id, Person, "Person", input.owner_id, "ownerId"
            )
            name = checks.text(input.name, "name", required=True, max_length=200)
            measure = checks.text(input.measure, "measure", required=True, max_length=200)
            unit = checks.text(input.unit, "unit", required=False, max_length=50)
            description = checks.text(
                input.description, "description", required=False, max_length=20000
            )
            if input.target == input.baseline:
                checks.add(
                    INVALID,
                    "target must differ from baseline: there would be nothing to realise.",
                    "target",
                )
            checks.raise_if_any()
            assert programme is not None
            benefit = Benefit(
                organisation_id=organisation_id,
                programme_id=programme.id,
                name=name,
                description=description,
                kind=input.kind,
                category=input.category,
                measure=measure,
                unit=unit,
                baseline=input.baseline,
                target=input.target,
                target_date=input.target_date,
                owner_id=owner.id if owner else None,
            )
            tx.session.add(benefit)
            await tx.session.flush()
            tx.audit(
                "Benefit",
                benefit.id,
                snapshot(
                    {
                        "programmeId": input.programme_id,
                        "name": name,
                        "kind": input.kind,
                        "category": input.category,
                        "baseline": input.baseline,
                        "target": input.target,
                        "targetDate": input.target_date,
                    }
                ),
            )
            return benefit

        return await run_mutation(info, "createBenefit", BenefitPayload, body)

    @tier_mutation(
        KEY,
        description="Record a measured value of a benefit; its figures and status are recomputed "
        "and answered. A measurement cannot be changed or removed. For ADMIN, OFFICE and "
        "PROGRAMME_DIRECTOR; anyone else gets FORBIDDEN. userErrors: NOT_FOUND (benefitId), "
        "INVALID (measuredOn in the future, note too long).",
    )
    async def record_benefit_measurement(
        self, info: Info[Any, Any], input: RecordBenefitMeasurementInput
    ) -> BenefitPayload:
        context = get_context(info)
        authorize(context, "recordBenefitMeasurement")

        async def body(tx: Transaction) -> Benefit:
            checks = Checks()
            # Measurements of one benefit are recorded one at a time, so the status before
            # and after each is read in turn and a change of status is announced once.
            benefit = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Benefit,
                "Benefit",
                input.benefit_id,
                "benefitId",
                lock=Lock.WRITE,
            )
            note = checks.text(input.note, "note", required=False, max_length=20000)
            if input.measured_on > today():
                checks.add(
                    INVALID, "measuredOn is in the future; record what was measured.", "measuredOn"
                )
            checks.raise_if_any()
            assert benefit is not None
            day = today()
            before = status(
                benefit.kind,
                benefit.baseline,
                benefit.target,
                benefit.target_date,
                await measurements_of(tx.session, benefit.organisation_id, benefit.id, day),
                day,
            )
            tx.session.add(
                BenefitMeasurement(
                    organisation_id=benefit.organisation_id,
                    benefit_id=benefit.id,
                    measured_on=input.measured_on,
                    value=input.value,
                    note=note,
                )
            )
            await tx.session.flush()
            after = status(
                benefit.kind,
                benefit.baseline,
                benefit.target,
                benefit.target_date,
                await measurements_of(tx.session, benefit.organisation_id, benefit.id, day),
                day,
            )
            tx.audit(
                "Benefit",
                benefit.id,
                snapshot({"measuredOn": input.measured_on, "value": input.value}),
            )
            tx.emit(
                "benefit.measured",
                "Benefit",
                benefit.id,
                programme=benefit.programme_id,
                status=after,
            )
            if after is not before:
                tx.emit(
                    "benefit.status_changed",
                    "Benefit",
                    benefit.id,
                    programme=benefit.programme_id,
                    previous=before,
                    status=after,
                )
            if after is BenefitStatus.AT_RISK and before is not BenefitStatus.AT_RISK:
                tx.emit(
                    "benefit.at_risk",
                    "Benefit",
                    benefit.id,
                    programme=benefit.programme_id,
                    previous=before,
                )
            return benefit

        return await run_mutation(info, "recordBenefitMeasurement", BenefitPayload, body)

    @tier_mutation(
        KEY,
        description="Record the share of a benefit a project of its programme delivers, replacing "
        "the project's earlier share. For ADMIN, OFFICE and PROGRAMME_DIRECTOR; anyone else gets "
        "FORBIDDEN. userErrors: NOT_FOUND (benefitId, projectId), INVALID (share not in (0, 1], "
        "project not in the benefit's programme), OVER_ATTRIBUTED (share) when the shares would "
        "add up to more than 1.",
    )
    async def link_benefit_contribution(
        self, info: Info[Any, Any], input: LinkBenefitContributionInput
    ) -> BenefitPayload:
        context = get_context(info)
        authorize(context, "linkBenefitContribution")

        async def body(tx: Transaction) -> Benefit:
            checks = Checks()
            organisation_id = context.viewer.organisation_id
            # The benefit is locked before its shares are summed: concurrent links of one
            # benefit take turns, so together they never claim more than the whole of it.
            benefit = await checks.reference(
                tx.session,
                organisation_id,
                Benefit,
                "Benefit",
                input.benefit_id,
                "benefitId",
                lock=Lock.WRITE,
            )
            project = await checks.reference(
                tx.session, organisation_id, Project, "Project", input.project_id, "projectId"
            )
            if not 0 < input.share <= 1:
                checks.add(INVALID, "share must be more than 0 and at most 1.", "share")
            checks.raise_if_any()
            assert benefit is not None
            assert project is not None
            if project.programme_id != benefit.programme_id:
                checks.add(
                    INVALID,
                    f"Project {project.code} is not in the benefit's programme.",
                    "projectId",
                )
                checks.raise_if_any()
            existing = list(
                await tx.session.scalars(
                    select(BenefitContribution)
                    .where(BenefitContribution.benefit_id == benefit.id)
                    .execution_options(populate_existing=True)  # as committed, not as cached
                )
            )
            others = sum(c.share for c in existing if c.project_id != project.id)
            if others + input.share > 1 + SHARE_TOLERANCE:
                checks.add(
                    OVER_ATTRIBUTED,
                    f"Other projects already deliver {others:g} of {benefit.name!r}; "
                    f"{input.share:g} more would claim {others + input.share:g} of it. Shares "
                    "add up to at most 1.",
                    "share",
                )
                checks.raise_if_any()
            row = next((c for c in existing if c.project_id == project.id), None)
            previous = row.share if row else None
            if row is None:
                tx.session.add(
                    BenefitContribution(
                        organisation_id=organisation_id,
                        benefit_id=benefit.id,
                        project_id=project.id,
                        share=input.share,
                    )
                )
            else:
                row.share = input.share
            await tx.session.flush()
            tx.audit(
                "Benefit",
                benefit.id,
                {
                    "contribution": {
                        "projectId": input.project_id,
                        "from": previous,
                        "to": input.share,
                    }
                },
            )
            tx.emit(
                "benefit.contribution_linked",
                "Benefit",
                benefit.id,
                project=project.id,
                programme=benefit.programme_id,
            )
            return benefit

        return await run_mutation(info, "linkBenefitContribution", BenefitPayload, body)

    @tier_mutation(
        KEY,
        description="Add a strategic objective to a programme. For ADMIN, OFFICE, "
        "PORTFOLIO_MANAGER and PROGRAMME_DIRECTOR; anyone else gets FORBIDDEN. userErrors: "
        "NOT_FOUND (programmeId), INVALID (name).",
    )
    async def create_objective(
        self, info: Info[Any, Any], input: CreateObjectiveInput
    ) -> ObjectivePayload:
        context = get_context(info)
        authorize(context, "createObjective")

        async def body(tx: Transaction) -> Objective:
            checks = Checks()
            programme = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Programme,
                "Programme",
                input.programme_id,
                "programmeId",
            )
            name = checks.text(input.name, "name", required=True, max_length=200)
            checks.raise_if_any()
            assert programme is not None
            objective = Objective(
                organisation_id=programme.organisation_id, programme_id=programme.id, name=name
            )
            tx.session.add(objective)
            await tx.session.flush()
            tx.audit("Objective", objective.id, {"programmeId": input.programme_id, "name": name})
            return objective

        return await run_mutation(info, "createObjective", ObjectivePayload, body)

    @tier_mutation(
        KEY,
        description="Record that a benefit serves an objective of its programme; a link cannot be "
        "removed. For ADMIN, OFFICE and PROGRAMME_DIRECTOR; anyone else gets FORBIDDEN. "
        "userErrors: NOT_FOUND (benefitId, objectiveId), INVALID (objective of another "
        "programme), DUPLICATE (already linked).",
    )
    async def link_benefit_objective(
        self, info: Info[Any, Any], input: LinkBenefitObjectiveInput
    ) -> BenefitPayload:
        context = get_context(info)
        authorize(context, "linkBenefitObjective")

        async def body(tx: Transaction) -> Benefit:
            checks = Checks()
            benefit = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Benefit,
                "Benefit",
                input.benefit_id,
                "benefitId",
            )
            objective = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Objective,
                "Objective",
                input.objective_id,
                "objectiveId",
            )
            checks.raise_if_any()
            assert benefit is not None
            assert objective is not None
            if objective.programme_id != benefit.programme_id:
                checks.add(INVALID, "The objective belongs to another programme.", "objectiveId")
            elif await tx.session.scalar(
                select(BenefitObjective.id).where(
                    BenefitObjective.benefit_id == benefit.id,
                    BenefitObjective.objective_id == objective.id,
                )
            ):
                checks.add(DUPLICATE, "The benefit already serves this objective.", "objectiveId")
            checks.raise_if_any()
            tx.session.add(
                BenefitObjective(
                    organisation_id=benefit.organisation_id,
                    benefit_id=benefit.id,
                    objective_id=objective.id,
                )
            )
            await tx.session.flush()
            tx.audit("Benefit", benefit.id, {"objectiveId": input.objective_id})
            return benefit

        return await run_mutation(info, "linkBenefitObjective", BenefitPayload, body)
