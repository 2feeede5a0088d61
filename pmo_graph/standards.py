"""Compliance standards: rules a project should meet, contributed by tiers and plugins.

A plugin returns ``Standard`` objects from the ``register_standards`` hook. A standard applies to
an organisation while its tier is on. Its ``check`` is called with many projects at once (use
the request's loaders, so that a page of 100 projects costs a few statements, not 100).
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol, cast

from pmo_graph.enums import described_enum
from pmo_graph.request.app import App

if TYPE_CHECKING:
    from pmo_graph.projects.models import Project
    from pmo_graph.request.context import Context

STANDARD_KEY_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


class StandardsApp(App, Protocol):
    """The app as the standards read it: every installed standard by key."""

    @property
    def standards(self) -> Mapping[str, InstalledStandard]: ...


@described_enum(
    "How serious it is when a project breaks a standard, as the standard's author judged it.",
    {
        "LOW": "Least serious: worth noting and putting right in time.",
        "MEDIUM": "Serious: to be put right in the normal course of work.",
        "HIGH": "Most serious: to be put right first.",
    },
)
class Severity(enum.Enum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


@dataclass(frozen=True)
class CheckResult:
    """One project against one standard."""

    passed: bool
    message: str


@dataclass(frozen=True)
class CheckInput:
    """What a standard's check is given: the request, the projects and the date to judge at."""

    context: Context
    projects: Sequence[Project]
    as_of: date


#: A check returns a result per project id; a project it leaves out is one the standard does
#: not apply to (e.g. a reporting rule and a closed project).
Check = Callable[[CheckInput], Awaitable[Mapping[int, CheckResult]]]


@dataclass(frozen=True)
class Standard:
    """A compliance standard. ``key`` is UPPER_SNAKE and unique across plugins.

    ``tier`` is the tier that must be on for the standard to apply; it defaults to the tier of the
    plugin that registers it (a plugin providing several tiers must say).
    """

    key: str
    name: str
    description: str
    severity: Severity
    check: Check
    tier: str | None = None


@dataclass(frozen=True)
class InstalledStandard:
    """A standard with the tier that owns it and the plugin that registered it."""

    standard: Standard
    tier: str | None
    plugin: str


def applicable_standards(context: Context) -> list[InstalledStandard]:
    """The standards that apply to the viewer's organisation: those whose tier is on."""
    return [
        installed
        for installed in cast(StandardsApp, context.app).standards.values()
        if installed.tier is None or context.tier_enabled(installed.tier)
    ]


async def evaluate(
    context: Context, projects: Sequence[Project], as_of: date
) -> dict[int, list[tuple[InstalledStandard, CheckResult]]]:
    """Every applicable standard against every project: per project, its findings in order."""
    findings: dict[int, list[tuple[InstalledStandard, CheckResult]]] = {p.id: [] for p in projects}
    check_input = CheckInput(context=context, projects=projects, as_of=as_of)
    for installed in applicable_standards(context):
        results = await installed.standard.check(check_input)
        for project in projects:
            result = results.get(project.id)
            if result is not None:
                findings[project.id].append((installed, result))
    return findings
