"""Tier gating of fields: ``TIER_NOT_ENABLED`` while a tier is off, ``@tier`` in the SDL."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import strawberry
from strawberry.extensions.field_extension import FieldExtension
from strawberry.schema_directive import Location

from pmo_graph.graphql.gates import AccessGate
from pmo_graph.request.context import Context


@strawberry.schema_directive(
    name="tier",
    locations=[Location.FIELD_DEFINITION, Location.OBJECT],
    description=(
        "The field or type belongs to the tier with this key: while the tier is off for the "
        "viewer's organisation, the field answers an error with code TIER_NOT_ENABLED."
    ),
)
class TierDirective:
    key: str


class TierGate(AccessGate):
    """Refuses a field with ``TIER_NOT_ENABLED`` unless its tier is on for the organisation."""

    def __init__(self, tier: str) -> None:
        super().__init__()
        self.tier = tier

    def check(self, context: Context) -> None:
        context.require_tier(self.tier)


def tier_field(
    tier: str,
    resolver: Callable[..., Any] | None = None,
    *,
    extensions: Sequence[FieldExtension] = (),
    directives: Sequence[object] = (),
    **kwargs: Any,
) -> Any:
    """``strawberry.field`` for a field that belongs to tier ``tier``.

    Use it exactly like ``strawberry.field`` (also as a decorator); the field is gated and
    marked ``@tier(key: ...)`` in the SDL.
    """
    return strawberry.field(
        resolver,  # type: ignore[arg-type]
        extensions=[TierGate(tier), *extensions],
        directives=[TierDirective(key=tier), *directives],
        **kwargs,
    )


def tier_mutation(
    tier: str,
    resolver: Callable[..., Any] | None = None,
    *,
    extensions: Sequence[FieldExtension] = (),
    directives: Sequence[object] = (),
    **kwargs: Any,
) -> Any:
    """``strawberry.mutation`` for a mutation that belongs to tier ``tier``."""
    return strawberry.mutation(
        resolver,  # type: ignore[arg-type]
        extensions=[TierGate(tier), *extensions],
        directives=[TierDirective(key=tier), *directives],
        **kwargs,
    )


def field_tier(field: Any) -> str | None:
    """The tier a strawberry field is gated by, if any."""
    for extension in getattr(field, "extensions", ()) or ():
        if isinstance(extension, TierGate):
            return extension.tier
    return None
