"""What the benefits mutations take (inputs) and answer (payloads)."""

from __future__ import annotations

from datetime import date

import strawberry

from pmo_graph.sdk import UserError
from pmo_graph_pmo.enums import BenefitCategory, BenefitKind
from pmo_graph_pmo.refs import BenefitRef, ObjectiveRef


@strawberry.type(description="The result of a mutation on a benefit.")
class BenefitPayload:
    benefit: BenefitRef | None = strawberry.field(
        default=None,
        description="The benefit as the mutation left it, its figures recomputed; null when "
        "userErrors say why nothing was written.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The result of a mutation on an objective.")
class ObjectivePayload:
    objective: ObjectiveRef | None = strawberry.field(
        default=None,
        description="The objective created; null when userErrors say why nothing was written.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="A new benefit or dis-benefit of a programme.")
class CreateBenefitInput:
    programme_id: strawberry.ID = strawberry.field(
        description="The programme that seeks it (NOT_FOUND when no programme of your "
        "organisation has this id)."
    )
    name: str = strawberry.field(
        description="Its name; trimmed, 1 to 200 characters (INVALID when blank or longer)."
    )
    kind: BenefitKind = strawberry.field(
        description="BENEFIT (sought) or DISBENEFIT (tolerated up to `target`)."
    )
    category: BenefitCategory = strawberry.field(
        description="FINANCIAL when measured in money, else NON_FINANCIAL."
    )
    measure: str = strawberry.field(
        description="What is measured, e.g. `Orders shipped per day`; trimmed, 1 to 200 "
        "characters (INVALID when blank or longer)."
    )
    baseline: float = strawberry.field(
        description="The value before the programme, in `unit`; -1e15 to 1e15."
    )
    target: float = strawberry.field(
        description="For a BENEFIT the value sought by `targetDate`, for a DISBENEFIT the "
        "tolerated limit, in `unit`; -1e15 to 1e15 and different from `baseline` (INVALID when "
        "equal). Its direction from the baseline says which way is better."
    )
    target_date: date = strawberry.field(
        description="The day by which it should be reached; 1900-01-01 to 2999-12-31."
    )
    description: str | None = strawberry.field(
        default=None,
        description="What it is and why it matters; at most 20000 characters, blank or null for "
        "none.",
    )
    unit: str | None = strawberry.field(
        default=None,
        description="The unit of its values, e.g. `orders` or a currency code; at most 50 "
        "characters, blank or null for none.",
    )
    owner_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The person accountable for realising it (NOT_FOUND when no person of your "
        "organisation has this id); null for none.",
    )


@strawberry.input(description="A value of a benefit's measure, measured on a day.")
class RecordBenefitMeasurementInput:
    benefit_id: strawberry.ID = strawberry.field(
        description="The benefit measured (NOT_FOUND when no benefit of your organisation has "
        "this id)."
    )
    measured_on: date = strawberry.field(
        description="The day it was measured: today (UTC) or earlier, from 1900-01-01 (INVALID "
        "when in the future). It may be before earlier measurements, or on the same day as one."
    )
    value: float = strawberry.field(
        description="The value measured, in the benefit's unit; -1e15 to 1e15."
    )
    note: str | None = strawberry.field(
        default=None,
        description="A remark on the measurement; at most 20000 characters, blank or null for "
        "none.",
    )


@strawberry.input(description="The share of a benefit a project of its programme delivers.")
class LinkBenefitContributionInput:
    benefit_id: strawberry.ID = strawberry.field(
        description="The benefit (NOT_FOUND when no benefit of your organisation has this id)."
    )
    project_id: strawberry.ID = strawberry.field(
        description="The project delivering the share: one of the benefit's programme (NOT_FOUND "
        "when no project of your organisation has this id, INVALID when it is in another "
        "programme or none)."
    )
    share: float = strawberry.field(
        description="The fraction of the benefit the project delivers: more than 0, at most 1 "
        "(INVALID otherwise). With the other projects' shares it adds up to at most 1 "
        "(OVER_ATTRIBUTED otherwise); it replaces the project's earlier share."
    )


@strawberry.input(description="A new strategic objective of a programme.")
class CreateObjectiveInput:
    programme_id: strawberry.ID = strawberry.field(
        description="The programme (NOT_FOUND when no programme of your organisation has this id)."
    )
    name: str = strawberry.field(
        description="What the objective aims at; trimmed, 1 to 200 characters (INVALID when blank "
        "or longer)."
    )


@strawberry.input(description="That a benefit serves an objective of its own programme.")
class LinkBenefitObjectiveInput:
    benefit_id: strawberry.ID = strawberry.field(
        description="The benefit (NOT_FOUND when no benefit of your organisation has this id)."
    )
    objective_id: strawberry.ID = strawberry.field(
        description="The objective it serves, of the benefit's programme (NOT_FOUND when no "
        "objective of your organisation has this id, INVALID when it is another programme's, "
        "DUPLICATE when the benefit already serves it)."
    )
