"""The support office's four standards and their checks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from pmo_graph.sdk import CheckInput, CheckResult, ProjectStage, Severity, Standard
from pmo_graph_pso.loaders import latest_reports, milestones_of, reporting_cadence

#: Stages in which a project is still being run, so people and reporting are expected.
OPEN_STAGES = {
    ProjectStage.PROPOSED,
    ProjectStage.APPROVED,
    ProjectStage.ACTIVE,
    ProjectStage.ON_HOLD,
}


async def _has_manager(check: CheckInput) -> Mapping[int, CheckResult]:
    return {
        p.id: CheckResult(True, "Has a project manager.")
        if p.manager_id is not None
        else CheckResult(False, "No project manager: name one with updateProject(managerId).")
        for p in check.projects
        if p.stage in OPEN_STAGES
    }


async def _has_sponsor(check: CheckInput) -> Mapping[int, CheckResult]:
    return {
        p.id: CheckResult(True, "Has a sponsor.")
        if p.sponsor_id is not None
        else CheckResult(False, "No sponsor: name one with updateProject(sponsorId).")
        for p in check.projects
        if p.stage in OPEN_STAGES
    }


async def _status_report_current(check: CheckInput) -> Mapping[int, CheckResult]:
    active = [p for p in check.projects if p.stage == ProjectStage.ACTIVE]
    if not active:
        return {}
    cadence = await reporting_cadence(check.context)
    reports = await latest_reports(check.context, [p.id for p in active], check.as_of)
    oldest_current = check.as_of - timedelta(days=cadence)
    results = {}
    for project, report in zip(active, reports, strict=True):
        if report is None:
            results[project.id] = CheckResult(False, "Never reported: submit a status report.")
            continue
        age = (check.as_of - report.period_ending).days
        if report.period_ending < oldest_current:
            results[project.id] = CheckResult(
                False,
                f"Last report is for the period ending {report.period_ending}, {age} days before "
                f"{check.as_of}; reports are due every {cadence} days.",
            )
        else:
            results[project.id] = CheckResult(
                True, f"Reported for the period ending {report.period_ending} ({age} days ago)."
            )
    return results


async def _has_milestones(check: CheckInput) -> Mapping[int, CheckResult]:
    planned = [p for p in check.projects if p.stage in {ProjectStage.APPROVED, ProjectStage.ACTIVE}]
    if not planned:
        return {}
    found = await milestones_of(check.context, [p.id for p in planned])
    return {
        project.id: CheckResult(True, f"{len(milestones)} milestone(s) planned.")
        if milestones
        else CheckResult(False, "No milestones: plan at least one with createMilestone.")
        for project, milestones in zip(planned, found, strict=True)
    }


STANDARDS = [
    Standard(
        key="HAS_MANAGER",
        name="Has a project manager",
        description="Every project that is not closed or cancelled has a project manager.",
        severity=Severity.HIGH,
        check=_has_manager,
    ),
    Standard(
        key="HAS_SPONSOR",
        name="Has a sponsor",
        description="Every project that is not closed or cancelled has a sponsor.",
        severity=Severity.MEDIUM,
        check=_has_sponsor,
    ),
    Standard(
        key="STATUS_REPORT_CURRENT",
        name="Status report current",
        description="Every active project reported within the organisation's reporting cadence.",
        severity=Severity.MEDIUM,
        check=_status_report_current,
    ),
    Standard(
        key="HAS_MILESTONES",
        name="Has milestones",
        description="Every approved or active project has at least one milestone planned.",
        severity=Severity.LOW,
        check=_has_milestones,
    ),
]
