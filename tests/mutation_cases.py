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


def _on_project(
    field: str, input_type: str, selection: str, make: Callable[[World, bool], dict[str, Any]]
) -> Callable[[World, bool], Call]:
    document = (
        f"mutation($input: {input_type}!) {{ {field}(input: $input) {{ {selection} "
        "userErrors { field message code } } }"
    )
    return lambda world, own: Call(document, {"input": make(world, own)})


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
    "enableTier": _call("enableTier", "EnableTierInput", "tier { key }", lambda w: {"key": "pmo"}),
    "disableTier": _call(
        "disableTier", "DisableTierInput", "tier { key }", lambda w: {"key": "sample"}
    ),
    "submitMaturityAssessment": _call(
        "submitMaturityAssessment",
        "SubmitMaturityAssessmentInput",
        "maturityAssessment { id }",
        lambda w: {"answers": [{"questionKey": "RISKS_MANAGED", "score": 3}]},
    ),
    "addPersonSkill": _call(
        "addPersonSkill",
        "AddPersonSkillInput",
        "person { id }",
        lambda w: {"personId": w.person, "skill": "Python", "level": 3},
    ),
    "removePersonSkill": _call(
        "removePersonSkill",
        "RemovePersonSkillInput",
        "person { id }",
        lambda w: {"personId": w.person, "skill": "Testing"},
    ),
    "createProjectTemplate": _call(
        "createProjectTemplate",
        "CreateProjectTemplateInput",
        "projectTemplate { id }",
        lambda w: {"name": "T", "milestones": [{"name": "Start", "offsetDays": 0}]},
    ),
    "createProjectFromTemplate": _call(
        "createProjectFromTemplate",
        "CreateProjectFromTemplateInput",
        "project { id }",
        lambda w: {
            "templateId": w.template,
            "code": _unique("TPL"),
            "name": "T",
            "startDate": "2027-01-01",
        },
    ),
    "recordSupportEngagement": _call(
        "recordSupportEngagement",
        "RecordSupportEngagementInput",
        "supportEngagement { id }",
        lambda w: {
            "kind": "COACHING",
            "recipientId": w.person,
            "date": "2026-11-01",
            "hours": "1.5",
        },
    ),
    "setBalanceTargets": _call(
        "setBalanceTargets",
        "SetBalanceTargetsInput",
        "portfolio { id }",
        lambda w: {"portfolioId": w.portfolio, "targets": [{"category": "Run", "share": 1.0}]},
    ),
    "setPersonCapacity": _call(
        "setPersonCapacity",
        "SetPersonCapacityInput",
        "person { id }",
        lambda w: {"personId": w.person, "capacity": 0.8},
    ),
    "createScenario": _call(
        "createScenario",
        "CreateScenarioInput",
        "scenario { id }",
        lambda w: {"portfolioId": w.portfolio, "name": "Another what-if"},
    ),
    "addScenarioChange": _call(
        "addScenarioChange",
        "AddScenarioChangeInput",
        "scenario { id }",
        lambda w: {
            "scenarioId": w.scenario,
            "kind": "SHIFT_PROJECT",
            "fromProjectId": w.other_project,
            "days": 5,
        },
    ),
    "applyScenario": _call(
        "applyScenario",
        "ApplyScenarioInput",
        "scenario { id }",
        lambda w: {"scenarioId": w.scenario},
    ),
    "resolveIssue": _call(
        "resolveIssue",
        "ResolveIssueInput",
        "issue { id }",
        lambda w: {"issueId": w.other_issue, "resolution": "Fixed"},
    ),
    "setPortfolioCriteria": _call(
        "setPortfolioCriteria",
        "SetPortfolioCriteriaInput",
        "portfolio { id }",
        lambda w: {"portfolioId": w.portfolio, "criteria": [{"key": "value", "weight": 2.0}]},
    ),
    "scoreProject": _call(
        "scoreProject",
        "ScoreProjectInput",
        "project { id }",
        lambda w: {"projectId": w.other_project, "criterion": "value", "score": 7.5},
    ),
    "createBenefit": _call(
        "createBenefit",
        "CreateBenefitInput",
        "benefit { id }",
        lambda w: {
            "programmeId": w.programme,
            "name": "New benefit",
            "kind": "BENEFIT",
            "category": "FINANCIAL",
            "measure": "GBP",
            "baseline": 0,
            "target": 10,
            "targetDate": "2027-12-31",
        },
    ),
    "recordBenefitMeasurement": _call(
        "recordBenefitMeasurement",
        "RecordBenefitMeasurementInput",
        "benefit { id }",
        lambda w: {"benefitId": w.benefit, "measuredOn": "2026-01-01", "value": 12},
    ),
    "linkBenefitContribution": _call(
        "linkBenefitContribution",
        "LinkBenefitContributionInput",
        "benefit { id }",
        lambda w: {"benefitId": w.benefit, "projectId": w.other_project, "share": 0.5},
    ),
    "createObjective": _call(
        "createObjective",
        "CreateObjectiveInput",
        "objective { id }",
        lambda w: {"programmeId": w.programme, "name": "Grow"},
    ),
    "linkBenefitObjective": _call(
        "linkBenefitObjective",
        "LinkBenefitObjectiveInput",
        "benefit { id }",
        lambda w: {"benefitId": w.benefit, "objectiveId": w.objective},
    ),
    "createTranche": _call(
        "createTranche",
        "CreateTrancheInput",
        "tranche { id }",
        lambda w: {
            "programmeId": w.programme,
            "name": "T2",
            "startDate": "2027-07-01",
            "endDate": "2027-12-31",
        },
    ),
    "setMilestoneTranche": _call(
        "setMilestoneTranche",
        "SetMilestoneTrancheInput",
        "milestone { id }",
        lambda w: {"milestoneId": w.other_milestone, "trancheId": w.tranche},
    ),
    "addDependency": _call(
        "addDependency",
        "AddDependencyInput",
        "dependency { id }",
        lambda w: {
            "predecessorId": w.own_milestone,
            "successorId": w.third_milestone,
            "lagDays": 5,
        },
    ),
    "removeDependency": _call(
        "removeDependency",
        "RemoveDependencyInput",
        "dependency { id }",
        lambda w: {"dependencyId": w.dependency},
    ),
    "setReportingCadence": _call(
        "setReportingCadence",
        "SetReportingCadenceInput",
        "organisation { id }",
        lambda w: {"days": 7},
    ),
    "createWebhook": _call(
        "createWebhook",
        "CreateWebhookInput",
        "webhook { id }",
        # .invalid never resolves (RFC 2606): accepted, and its deliveries fail at once.
        lambda w: {"url": "https://hooks.example.invalid/new", "eventTypes": ["project.created"]},
    ),
    "updateWebhook": _call(
        "updateWebhook",
        "UpdateWebhookInput",
        "webhook { id }",
        lambda w: {"webhookId": w.webhook, "description": "Renamed"},
    ),
    "deleteWebhook": _call(
        "deleteWebhook", "DeleteWebhookInput", "webhook { id }", lambda w: {"webhookId": w.webhook}
    ),
    "rotateWebhookSecret": _call(
        "rotateWebhookSecret",
        "RotateWebhookSecretInput",
        "webhook { id }",
        lambda w: {"webhookId": w.webhook},
    ),
    "redeliverWebhookDelivery": _call(
        "redeliverWebhookDelivery",
        "RedeliverWebhookDeliveryInput",
        "webhookDelivery { id }",
        lambda w: {"webhookDeliveryId": w.webhook_delivery},
    ),
}

#: Mutations that act on one project: called on a project the PROJECT_MANAGER manages (own=True)
#: and on one they do not.
PROJECT_CALLS: dict[str, Callable[[World, bool], Call]] = {
    "updateProject": _on_project(
        "updateProject",
        "UpdateProjectInput",
        "project { id }",
        lambda w, own: {"projectId": w.project(own), "name": "Renamed"},
    ),
    "addSampleNote": _on_project(
        "addSampleNote",
        "AddSampleNoteInput",
        "sampleNote { id }",
        lambda w, own: {"projectId": w.project(own), "text": "a note"},
    ),
    "submitStatusReport": _on_project(
        "submitStatusReport",
        "SubmitStatusReportInput",
        "statusReport { id }",
        lambda w, own: {
            "projectId": w.project(own),
            "periodEnding": "2026-11-13",
            "overall": "AMBER",
        },
    ),
    "createMilestone": _on_project(
        "createMilestone",
        "CreateMilestoneInput",
        "milestone { id }",
        lambda w, own: {"projectId": w.project(own), "name": "Gate", "baselineDate": "2027-03-01"},
    ),
    "updateMilestone": _on_project(
        "updateMilestone",
        "UpdateMilestoneInput",
        "milestone { id }",
        lambda w, own: {"milestoneId": w.milestone(own), "forecastDate": "2027-01-15"},
    ),
    "assignPerson": _on_project(
        "assignPerson",
        "AssignPersonInput",
        "assignment { id }",
        lambda w, own: {
            "projectId": w.project(own),
            "personId": w.person,
            "role": "Tester",
            "allocation": 0.3,
            "startDate": "2027-01-01",
            "endDate": "2027-01-31",
        },
    ),
    "raiseRisk": _on_project(
        "raiseRisk",
        "RaiseRiskInput",
        "risk { id }",
        lambda w, own: {
            "projectId": w.project(own),
            "title": "New risk",
            "probability": 2,
            "impact": 3,
        },
    ),
    "updateRisk": _on_project(
        "updateRisk",
        "UpdateRiskInput",
        "risk { id }",
        lambda w, own: {"riskId": w.risk(own), "impact": 5},
    ),
    "raiseIssue": _on_project(
        "raiseIssue",
        "RaiseIssueInput",
        "issue { id }",
        lambda w, own: {"title": "New issue", "severity": "LOW", "projectIds": [w.project(own)]},
    ),
    "linkIssue": _on_project(
        "linkIssue",
        "LinkIssueInput",
        "issue { id }",
        lambda w, own: {
            "issueId": w.other_issue,
            "projectId": w.own_project if own else w.third_project,
        },
    ),
    "escalateIssue": _on_project(
        "escalateIssue",
        "EscalateIssueInput",
        "issue { id }",
        lambda w, own: {"issueId": w.issue(own), "portfolioId": w.portfolio},
    ),
    "releaseAssignment": _on_project(
        "releaseAssignment",
        "ReleaseAssignmentInput",
        "assignment { id }",
        lambda w, own: {"assignmentId": w.assignment(own)},
    ),
}

#: Tiers the organisation of a matrix test has on (so every mutation above can succeed).
TIERS = ["sample", "pso", "portfolio", "pmo"]
