"""Enumerations of the programme management office."""

from __future__ import annotations

import enum

import strawberry


@strawberry.enum(description="A benefit sought, or a dis-benefit tolerated up to a limit.")
class BenefitKind(enum.Enum):
    BENEFIT = strawberry.enum_value(
        "BENEFIT",
        description="A measurable improvement the programme seeks: `target` is the value it aims "
        "to reach.",
    )
    DISBENEFIT = strawberry.enum_value(
        "DISBENEFIT",
        description="A measurable worsening the programme accepts as the price of the change: "
        "`target` is the worst value it tolerates.",
    )


@strawberry.enum(description="Whether a benefit is measured in money.")
class BenefitCategory(enum.Enum):
    FINANCIAL = strawberry.enum_value(
        "FINANCIAL",
        description="Measured in money: a FINANCIAL benefit of kind BENEFIT counts in the money "
        "figures of `Programme.benefitsSummary`.",
    )
    NON_FINANCIAL = strawberry.enum_value(
        "NON_FINANCIAL",
        description="Measured in anything but money (orders a day, errors per 1000, hours); left "
        "out of the summary's money figures whatever its unit.",
    )


@strawberry.enum(description="Where a benefit stands against its target on a day.")
class BenefitStatus(enum.Enum):
    NOT_STARTED = strawberry.enum_value(
        "NOT_STARTED",
        description="A benefit with no measurement yet (even after its target date). A "
        "dis-benefit is never NOT_STARTED.",
    )
    ON_TRACK = strawberry.enum_value(
        "ON_TRACK",
        description="A benefit not yet achieved whose target date is still to come and whose "
        "forecast (if it has two measurements or more) reaches the target; a dis-benefit whose "
        "latest value and forecast are both within the tolerated limit.",
    )
    AT_RISK = strawberry.enum_value(
        "AT_RISK",
        description="A benefit not yet achieved whose target date has passed or whose forecast "
        "falls short of the target; a dis-benefit whose latest value or forecast is beyond the "
        "tolerated limit.",
    )
    ACHIEVED = strawberry.enum_value(
        "ACHIEVED",
        description="A benefit whose latest measurement has reached its target (realisation 1 or "
        "more), whatever its forecast. A dis-benefit is never ACHIEVED.",
    )


@strawberry.enum(description="What a node of a benefits map is.")
class MapNodeKind(enum.Enum):
    PROJECT = strawberry.enum_value(
        "PROJECT",
        description="A project that contributes a share of at least one of the programme's "
        "benefits; the node's id is the project's.",
    )
    BENEFIT = strawberry.enum_value(
        "BENEFIT", description="A benefit of the programme; the node's id is the benefit's."
    )
    DISBENEFIT = strawberry.enum_value(
        "DISBENEFIT", description="A dis-benefit of the programme; the node's id is the benefit's."
    )
    OBJECTIVE = strawberry.enum_value(
        "OBJECTIVE",
        description="A strategic objective of the programme; the node's id is the objective's.",
    )
