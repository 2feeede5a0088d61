"""``enableTier`` and ``disableTier``: an organisation's maturity, one tier at a time.

Neither runs DDL: every installed plugin's tables exist; a tier that is off only hides them.
"""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from pmo_graph.auth.permissions import authorize
from pmo_graph.db.types import utcnow
from pmo_graph.graphql.mutations import run_mutation
from pmo_graph.graphql.payloads import (
    NOT_FOUND,
    PREREQUISITE_NOT_MET,
    REQUIRED_BY_OTHER_TIER,
    UserError,
    UserErrors,
    user_error,
)
from pmo_graph.maturity.model import Perspective
from pmo_graph.maturity.service import not_ready_for
from pmo_graph.organisations.models import OrganisationTier
from pmo_graph.organisations.types import Tier, tier_by_key
from pmo_graph.request.context import Context, get_context
from pmo_graph.request.transaction import Transaction
from pmo_graph.tiers import enabled_dependants, missing_prerequisites

#: The code of a warning that the office's maturity is below what a tier expects.
NOT_READY = "NOT_READY"


@strawberry.type(
    description="Advice that does not stop the change: the organisation decides. `NOT_READY`: "
    "the office's maturity on a perspective (null: overall) is below what the tier expects."
)
class TierWarning:
    code: str = strawberry.field(description="What kind of advice: `NOT_READY` (the only one).")
    message: str = strawberry.field(description="The advice, in a sentence for the ADMIN.")
    perspective: Perspective | None = strawberry.field(
        description="The perspective that falls short (null: the overall level)."
    )
    level: int = strawberry.field(
        description="The office's maturity level there today, 1 (Awareness) to 5 (Optimised)."
    )
    needed: int = strawberry.field(description="The level the tier expects there, 1 to 5.")


@strawberry.type(description="The result of switching a tier on or off.")
class TierPayload:
    tier: Tier | None = strawberry.field(
        default=None,
        description="The tier as your organisation now has it; null when `userErrors` is not "
        "empty.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    warnings: list[TierWarning] = strawberry.field(
        default_factory=list,
        description="enableTier: why the office may not be ready for the tier it switched on.",
    )


async def readiness_warnings(context: Context, key: str) -> list[TierWarning]:
    """NOT_READY warnings for switching tier ``key`` on, judged with the tiers as they are."""
    tiers = context.app.registry.tiers
    if key not in tiers or context.tier_enabled(key):
        return []
    if missing_prerequisites(key, tiers, context.enabled_tiers):
        return []
    held_back = await not_ready_for(context, key, utcnow().date())
    return [
        TierWarning(
            code=NOT_READY,
            message=reason.message,
            perspective=reason.perspective,
            level=reason.level,
            needed=reason.needed,
        )
        for reason in held_back
    ]


@strawberry.input(description="The tier to switch on.")
class EnableTierInput:
    key: str = strawberry.field(
        description="The tier's key, e.g. `pso` (`tiers` lists them; NOT_FOUND for another)."
    )


@strawberry.input(description="The tier to switch off.")
class DisableTierInput:
    key: str = strawberry.field(
        description="The tier's key, e.g. `pso` (`tiers` lists them; NOT_FOUND for another)."
    )


#: Tiers are switched one at a time in an organisation (``Transaction.lock_scope``).
TIERS_SCOPE = "tiers"


async def _set_tier(tx: Transaction, key: str, enabled: bool) -> bool:
    """Switch tier ``key``; returns whether it was on before."""
    context = tx.context
    organisation_id = context.viewer.organisation_id
    row = await tx.session.scalar(
        select(OrganisationTier)
        .where(
            OrganisationTier.organisation_id == organisation_id,
            OrganisationTier.tier_key == key,
        )
        .with_for_update()
    )
    was = bool(row and row.enabled)
    if row is None:
        tx.session.add(
            OrganisationTier(organisation_id=organisation_id, tier_key=key, enabled=enabled)
        )
    else:
        row.enabled = enabled
    await tx.session.flush()
    tx.audit(
        "Organisation",
        organisation_id,
        {"tier": key, "enabled": {"from": was, "to": enabled}},
    )
    tx.emit(
        "tier.enabled" if enabled else "tier.disabled", "Organisation", organisation_id, tier=key
    )
    return was


async def _enabled_keys(tx: Transaction) -> set[str]:
    rows = await tx.session.scalars(
        select(OrganisationTier.tier_key).where(
            OrganisationTier.organisation_id == tx.context.viewer.organisation_id,
            OrganisationTier.enabled.is_(True),
        )
    )
    return set(rows) & set(tx.context.app.registry.tiers)


def _check_known(context: Context, key: str) -> None:
    if key not in context.app.registry.tiers:
        known = ", ".join(context.app.registry.tier_order) or "none"
        raise UserErrors(
            user_error(
                NOT_FOUND, f"No installed tier has the key {key!r}; installed: {known}.", "key"
            )
        )


@strawberry.type
class TiersMutation:
    @strawberry.mutation(
        description="Switch a tier on for your organisation (ADMIN; others FORBIDDEN). Data "
        "kept from an earlier time it was on comes back as it was; `warnings` say where the "
        "office's maturity is below what the tier expects. userErrors: NOT_FOUND (no installed "
        "tier has the key), PREREQUISITE_NOT_MET (a tier it requires is off)."
    )
    async def enable_tier(self, info: Info[Any, Any], input: EnableTierInput) -> TierPayload:
        context = get_context(info)
        authorize(context, "enableTier")
        key = input.key.strip()
        warnings = await readiness_warnings(context, key)

        async def body(tx: Transaction) -> Tier | None:
            _check_known(context, key)
            # Tiers are switched one at a time in an organisation: the prerequisites read
            # below cannot change before this switch commits.
            await tx.lock_scope(TIERS_SCOPE)
            enabled = await _enabled_keys(tx)
            missing = missing_prerequisites(key, context.app.registry.tiers, enabled)
            if missing:
                raise UserErrors(
                    user_error(
                        PREREQUISITE_NOT_MET,
                        f"Tier {key!r} requires {', '.join(repr(m) for m in missing)}; enable "
                        f"{'it' if len(missing) == 1 else 'them'} first.",
                        "key",
                    )
                )
            await _set_tier(tx, key, True)
            context.enabled_tiers = frozenset(enabled | {key})
            return tier_by_key(context, key)

        payload = await run_mutation(info, "enableTier", TierPayload, body)
        if payload.tier is not None:
            payload.warnings = warnings
        return payload

    @strawberry.mutation(
        description="Switch a tier off for your organisation (ADMIN; others FORBIDDEN). "
        "Nothing is deleted: its fields answer TIER_NOT_ENABLED until it is on again. "
        "userErrors: NOT_FOUND (no installed tier has the key), REQUIRED_BY_OTHER_TIER (a tier "
        "that is on requires it)."
    )
    async def disable_tier(self, info: Info[Any, Any], input: DisableTierInput) -> TierPayload:
        context = get_context(info)
        authorize(context, "disableTier")
        key = input.key.strip()

        async def body(tx: Transaction) -> Tier | None:
            _check_known(context, key)
            await tx.lock_scope(TIERS_SCOPE)  # as enableTier does
            enabled = await _enabled_keys(tx)
            dependants = enabled_dependants(key, context.app.registry.tiers, enabled)
            if dependants:
                raise UserErrors(
                    user_error(
                        REQUIRED_BY_OTHER_TIER,
                        f"Tier {key!r} is required by {', '.join(repr(d) for d in dependants)}, "
                        "which is on; disable that first.",
                        "key",
                    )
                )
            await _set_tier(tx, key, False)
            context.enabled_tiers = frozenset(enabled - {key})
            return tier_by_key(context, key)

        return await run_mutation(info, "disableTier", TierPayload, body)
