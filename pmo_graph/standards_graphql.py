"""The ``Standard`` type and the ``standards`` root field."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from pmo_graph.request.context import get_context
from pmo_graph.standards import InstalledStandard, Severity, applicable_standards


@strawberry.type(name="Standard", description="A rule every project of the office should meet.")
class StandardType:
    key: str = strawberry.field(description="Stable identifier, e.g. `HAS_MANAGER`.")
    name: str = strawberry.field(description="Its name, in a few words.")
    description: str = strawberry.field(
        description="What a project must do to meet it, and why the office asks it."
    )
    severity: Severity = strawberry.field(description="How serious a breach of it is.")
    tier: str | None = strawberry.field(description="The tier that brings it (null: the core).")

    @classmethod
    def of(cls, installed: InstalledStandard) -> StandardType:
        """The GraphQL view of an installed standard."""
        standard = installed.standard
        return cls(
            key=standard.key,
            name=standard.name,
            description=standard.description,
            severity=standard.severity,
            tier=installed.tier,
        )


@strawberry.type
class StandardsQuery:
    @strawberry.field(
        description="The standards that apply to your organisation: those of the tiers it has on."
    )
    def standards(self, info: Info[Any, Any]) -> list[StandardType]:
        return [StandardType.of(s) for s in applicable_standards(get_context(info))]
