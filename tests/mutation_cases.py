"""One valid call of every mutation of the test schema, against a ``World``."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from world import World


@dataclass(frozen=True)
class Call:
    """A mutation document and its variables."""

    document: str
    variables: dict[str, Any]


def _call(
    field: str, input_type: str, selection: str, make: Callable[[World], dict[str, Any]]
) -> Callable[[World], Call]:
    document = (
        f"mutation($input: {input_type}!) {{ {field}(input: $input) {{ {selection} "
        "userErrors { field message code } } }"
    )
    return lambda world: Call(document, {"input": make(world)})


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6].upper()}"


#: mutation name → the call; ``project`` cases take the project to act on.
CALLS: dict[str, Callable[[World], Call]] = {
    "createPerson": _call(
        "createPerson", "CreatePersonInput", "person { id }", lambda w: {"name": "New Person"}
    ),
    "updatePerson": _call(
        "updatePerson",
        "UpdatePersonInput",
        "person { id }",
        lambda w: {"personId": w.person, "title": "Lead"},
    ),
    "createProject": _call(
        "createProject",
        "CreateProjectInput",
        "project { id }",
        lambda w: {"code": _unique("NEW"), "name": "New project"},
    ),
    "setProjectPortfolio": _call(
        "setProjectPortfolio",
        "SetProjectPortfolioInput",
        "project { id }",
        lambda w: {"projectId": w.other_project, "portfolioId": w.portfolio},
    ),
    "setProjectProgramme": _call(
        "setProjectProgramme",
        "SetProjectProgrammeInput",
        "project { id }",
        lambda w: {"projectId": w.other_project, "programmeId": w.programme},
    ),
    "createPortfolio": _call(
        "createPortfolio", "CreatePortfolioInput", "portfolio { id }", lambda w: {"name": "New"}
    ),
    "updatePortfolio": _call(
        "updatePortfolio",
        "UpdatePortfolioInput",
        "portfolio { id }",
        lambda w: {"portfolioId": w.portfolio, "name": "Renamed"},
    ),
    "createProgramme": _call(
        "createProgramme", "CreateProgrammeInput", "programme { id }", lambda w: {"name": "New"}
    ),
    "updateProgramme": _call(
        "updateProgramme",
        "UpdateProgrammeInput",
        "programme { id }",
        lambda w: {"programmeId": w.programme, "vision": "A new vision"},
    ),
    "enableTier": _call(
        "enableTier", "EnableTierInput", "tier { key }", lambda w: {"key": "portfolio"}
    ),
    "disableTier": _call(
        "disableTier", "DisableTierInput", "tier { key }", lambda w: {"key": "sample"}
    ),
}

#: Mutations that act on one project: called on a project the PROJECT_MANAGER manages, and on one
#: they do not.
PROJECT_CALLS: dict[str, Callable[[World, str], Call]] = {
    "updateProject": lambda w, project: Call(
        "mutation($input: UpdateProjectInput!) { updateProject(input: $input) { project { id } "
        "userErrors { field message code } } }",
        {"input": {"projectId": project, "name": "Renamed"}},
    ),
    "addSampleNote": lambda w, project: Call(
        "mutation($input: AddSampleNoteInput!) { addSampleNote(input: $input) { sampleNote { id } "
        "userErrors { field message code } } }",
        {"input": {"projectId": project, "text": "a note"}},
    ),
}

#: Tiers the organisation of a matrix test has on (so every mutation above can succeed).
TIERS = ["sample", "pso"]
