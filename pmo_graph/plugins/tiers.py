"""Moved: the tier graph is the kernel's, ``pmo_graph.tiers`` (this path works until
pmo-graph 0.3)."""

from typing import TYPE_CHECKING

from pmo_graph._deprecated import moved

if TYPE_CHECKING:  # what the type checker sees; at run time the names resolve on first use
    from pmo_graph.tiers import (
        TIER_KEY as TIER_KEY,
    )
    from pmo_graph.tiers import (
        InstalledTier as InstalledTier,
    )
    from pmo_graph.tiers import (
        Tier as Tier,
    )
    from pmo_graph.tiers import (
        TierError as TierError,
    )
    from pmo_graph.tiers import (
        enabled_dependants as enabled_dependants,
    )
    from pmo_graph.tiers import (
        missing_prerequisites as missing_prerequisites,
    )
    from pmo_graph.tiers import (
        order_tiers as order_tiers,
    )

_NAMES = (
    "TIER_KEY",
    "InstalledTier",
    "Tier",
    "TierError",
    "enabled_dependants",
    "missing_prerequisites",
    "order_tiers",
)

__getattr__ = moved(__name__, dict.fromkeys(_NAMES, "pmo_graph.tiers"))
