"""``load_project_for_write(..., gather=True)``: a project that is not found is answered together
with the caller's own input problems, as docs/api.md promises ("every problem found")."""

from __future__ import annotations

from pmo_graph.ids import to_global_id
from pmo_graph.testing import TestOrganisation

RAISE = """
mutation($input: RaiseRiskInput!) {
  raiseRisk(input: $input) { risk { id } userErrors { field code } }
}
"""
NOTE = """
mutation($input: AddSampleNoteInput!) {
  addSampleNote(input: $input) { sampleNote { id } userErrors { field code } }
}
"""


async def test_an_unknown_project_and_a_blank_title_are_answered_together(
    org: TestOrganisation,
) -> None:
    missing = to_global_id("Project", 2**40)
    data = await org.admin.query(
        RAISE, {"input": {"projectId": missing, "title": " ", "probability": 9, "impact": 2}}
    )
    assert data["raiseRisk"] == {
        "risk": None,
        "userErrors": [
            {"field": ["projectId"], "code": "NOT_FOUND"},
            {"field": ["title"], "code": "INVALID"},
            {"field": ["probability"], "code": "INVALID"},
        ],
    }


async def test_a_plugin_mutation_gathers_them_too(org: TestOrganisation) -> None:
    missing = to_global_id("Project", 2**40)
    data = await org.admin.query(NOTE, {"input": {"projectId": missing, "text": ""}})
    assert data["addSampleNote"]["userErrors"] == [
        {"field": ["projectId"], "code": "NOT_FOUND"},
        {"field": ["text"], "code": "INVALID"},
    ]
