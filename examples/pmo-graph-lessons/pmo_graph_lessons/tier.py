"""The tier this plugin provides."""

from __future__ import annotations

from pmo_graph.sdk import Tier

#: The key every gated field, standard and type of this plugin belongs to.
KEY = "lessons"

TIER = Tier(
    key=KEY,
    name="Lessons learned",
    level=2,
    requires=("pso",),
    description=(
        "A P3O centre-of-excellence lessons-learned log: lessons recorded on projects, searchable "
        "across the organisation, a lessons review opened when a project closes, and the "
        "LESSONS_CAPTURED standard."
    ),
)
