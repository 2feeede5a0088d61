"""Enumerations of the project support office."""

from __future__ import annotations

import enum

import strawberry


@strawberry.enum(description="Red, amber, green: how a project (or one dimension of it) stands.")
class Rag(enum.Enum):
    GREEN = "GREEN"
    AMBER = "AMBER"
    RED = "RED"


#: Worst first, for rolling several RAGs up into one.
RAG_SEVERITY = {Rag.GREEN: 0, Rag.AMBER: 1, Rag.RED: 2}


@strawberry.enum(description="What kind of help the office gave.")
class SupportKind(enum.Enum):
    COACHING = "COACHING"
    WORKSHOP = "WORKSHOP"
    GUIDANCE = "GUIDANCE"
    ASSURANCE_REVIEW = "ASSURANCE_REVIEW"
