"""The portfolio office's standards about risks, and their checks."""

from __future__ import annotations

from collections.abc import Mapping

from pmo_graph.sdk import CheckInput, CheckResult, ProjectStage, Severity, Standard
from pmo_graph_portfolio.enums import RiskRating, RiskStatus, rating
from pmo_graph_portfolio.loaders import project_risks

#: Stages in which a project is still being run, so its open risks need owners.
OPEN_STAGES = {
    ProjectStage.PROPOSED,
    ProjectStage.APPROVED,
    ProjectStage.ACTIVE,
    ProjectStage.ON_HOLD,
}


async def _risks_assessed(check: CheckInput) -> Mapping[int, CheckResult]:
    active = [p for p in check.projects if p.stage is ProjectStage.ACTIVE]
    if not active:
        return {}
    registers = await project_risks(check.context, [p.id for p in active])
    return {
        project.id: CheckResult(True, f"{len(risks)} risk(s) recorded.")
        if risks
        else CheckResult(False, "No risk recorded: an empty register is not a safe register.")
        for project, risks in zip(active, registers, strict=True)
    }


async def _risks_owned(check: CheckInput) -> Mapping[int, CheckResult]:
    running = [p for p in check.projects if p.stage in OPEN_STAGES]
    if not running:
        return {}
    registers = await project_risks(check.context, [p.id for p in running], RiskStatus.OPEN)
    results = {}
    for project, risks in zip(running, registers, strict=True):
        unowned = [
            r.title
            for r in risks
            if r.owner_id is None and rating(r.probability * r.impact) is RiskRating.HIGH
        ]
        results[project.id] = (
            CheckResult(False, f"Open HIGH risks without an owner: {', '.join(unowned)}.")
            if unowned
            else CheckResult(True, "Every open HIGH risk has an owner.")
        )
    return results


STANDARDS = [
    Standard(
        key="RISKS_ASSESSED",
        name="Risks assessed",
        description="Every active project has at least one risk recorded.",
        severity=Severity.MEDIUM,
        check=_risks_assessed,
    ),
    Standard(
        key="RISKS_OWNED",
        name="Risks owned",
        description="Every open HIGH risk has an owner.",
        severity=Severity.HIGH,
        check=_risks_owned,
    ),
]
