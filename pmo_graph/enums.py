"""``described_enum``: a GraphQL enum with a description on the type and on every value.

``strawberry.enum_value("A", description=...)`` as a member's value describes it too, but then
type checkers see the member's ``.value`` as strawberry's wrapper, not the string; this keeps
the members plain::

    @described_enum(
        "Where a lesson stands.",
        {"OPEN": "Recorded, not yet acted on.", "APPLIED": "Changed how projects work."},
    )
    class LessonStatus(enum.Enum):
        OPEN = "OPEN"
        APPLIED = "APPLIED"
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import TypeVar

import strawberry

E = TypeVar("E", bound=type[enum.Enum])


def described_enum(
    description: str, values: Mapping[str, str], *, name: str | None = None
) -> Callable[[E], E]:
    """``strawberry.enum`` with ``description``, and each value described by ``values``
    (member name → sentence).

    Every member must be described, here or by ``strawberry.enum_value(description=)``, and
    ``values`` may name no other member: both raise ``TypeError`` when the class is defined.
    """

    def decorate(cls: E) -> E:
        members = set(cls.__members__)
        unknown = sorted(set(values) - members)
        if unknown:
            raise TypeError(f"enum {cls.__name__}: no member named {', '.join(unknown)}")
        made = strawberry.enum(cls, name=name, description=description)
        undescribed = []
        for value in made.__strawberry_definition__.values:  # type: ignore[attr-defined]
            value.description = values.get(value.name, value.description)
            if not value.description:
                undescribed.append(value.name)
        if undescribed:
            raise TypeError(
                f"enum {cls.__name__}: describe {', '.join(undescribed)} in described_enum's values"
            )
        return made

    return decorate
