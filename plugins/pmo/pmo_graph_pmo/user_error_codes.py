"""The user error codes the `pmo` tier's mutations answer beyond the core's."""

from __future__ import annotations

from pmo_graph.sdk import CYCLE, OVER_ATTRIBUTED, UserErrorCodeSpec

USER_ERROR_CODES = (
    UserErrorCodeSpec(
        CYCLE,
        "The dependency would make a loop: the successor already leads, directly or through "
        "other milestones, to the predecessor. Remove a dependency of the loop instead.",
    ),
    UserErrorCodeSpec(
        OVER_ATTRIBUTED,
        "The projects' shares of a benefit would add up to more than 1 (all of it). Lower "
        "another project's share first.",
    ),
)
