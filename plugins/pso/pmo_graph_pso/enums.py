"""Enumerations of the project support office."""

from __future__ import annotations

import enum

import strawberry


@strawberry.enum(
    description="Red, amber, green: how a project, or one dimension of it, stands against its "
    "plan, as reported."
)
class Rag(enum.Enum):
    GREEN = strawberry.enum_value(
        "GREEN", description="On track: within the plan and its tolerances."
    )
    AMBER = strawberry.enum_value(
        "AMBER",
        description="At risk: a problem the project expects to recover from itself, which the "
        "office and the sponsor should watch.",
    )
    RED = strawberry.enum_value(
        "RED",
        description="In trouble: off plan or beyond tolerance; needs a decision or help from "
        "outside the project.",
    )


#: Worst first, for rolling several RAGs up into one.
RAG_SEVERITY = {Rag.GREEN: 0, Rag.AMBER: 1, Rag.RED: 2}


@strawberry.enum(description="What kind of help the project support office gave.")
class SupportKind(enum.Enum):
    COACHING = strawberry.enum_value(
        "COACHING", description="One-to-one coaching of a project manager or team member."
    )
    WORKSHOP = strawberry.enum_value(
        "WORKSHOP",
        description="A facilitated workshop, such as planning, risk identification or lessons "
        "learned.",
    )
    GUIDANCE = strawberry.enum_value(
        "GUIDANCE",
        description="Advice on the organisation's methods, standards, templates or tools.",
    )
    ASSURANCE_REVIEW = strawberry.enum_value(
        "ASSURANCE_REVIEW",
        description="A review of a project's health and its compliance with the standards, "
        "for its manager and sponsor.",
    )
