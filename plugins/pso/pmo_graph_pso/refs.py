"""Lazy references to this tier's extensible types (see pmo_graph.graphql.refs)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pmo_graph.sdk import composed_type

if TYPE_CHECKING:
    from pmo_graph_pso.models import Assignment as AssignmentRef
    from pmo_graph_pso.models import Milestone as MilestoneRef
    from pmo_graph_pso.models import PersonSkill as PersonSkillRef
    from pmo_graph_pso.models import ProjectTemplate as ProjectTemplateRef
    from pmo_graph_pso.models import StatusReport as StatusReportRef
    from pmo_graph_pso.models import SupportEngagement as SupportEngagementRef
else:
    AssignmentRef = composed_type("Assignment")
    MilestoneRef = composed_type("Milestone")
    PersonSkillRef = composed_type("PersonSkill")
    ProjectTemplateRef = composed_type("ProjectTemplate")
    StatusReportRef = composed_type("StatusReport")
    SupportEngagementRef = composed_type("SupportEngagement")

__all__ = [
    "AssignmentRef",
    "MilestoneRef",
    "PersonSkillRef",
    "ProjectTemplateRef",
    "StatusReportRef",
    "SupportEngagementRef",
]
