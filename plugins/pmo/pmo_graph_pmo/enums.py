"""Enumerations of the programme management office."""

from __future__ import annotations

import enum

import strawberry


@strawberry.enum(description="A benefit sought, or a dis-benefit tolerated up to a limit.")
class BenefitKind(enum.Enum):
    BENEFIT = "BENEFIT"
    DISBENEFIT = "DISBENEFIT"


@strawberry.enum(description="Whether a benefit is measured in money.")
class BenefitCategory(enum.Enum):
    FINANCIAL = "FINANCIAL"
    NON_FINANCIAL = "NON_FINANCIAL"


@strawberry.enum(description="Where a benefit stands against its target.")
class BenefitStatus(enum.Enum):
    NOT_STARTED = "NOT_STARTED"
    ON_TRACK = "ON_TRACK"
    AT_RISK = "AT_RISK"
    ACHIEVED = "ACHIEVED"


@strawberry.enum(description="What a node of a benefits map is.")
class MapNodeKind(enum.Enum):
    PROJECT = "PROJECT"
    BENEFIT = "BENEFIT"
    DISBENEFIT = "DISBENEFIT"
    OBJECTIVE = "OBJECTIVE"
