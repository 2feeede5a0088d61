"""Helpers of the lessons tier's tests: GraphQL documents and set-up through the API."""

from __future__ import annotations

from typing import Any

from pmo_graph.testing import GraphQLClient

CREATE_PROJECT = """
mutation($input: CreateProjectInput!) {
  createProject(input: $input) { project { id code } userErrors { field message code } }
}
"""
UPDATE_PROJECT = """
mutation($input: UpdateProjectInput!) {
  updateProject(input: $input) { project { id stage version } userErrors { field message code } }
}
"""
CREATE_PERSON = """
mutation($input: CreatePersonInput!) { createPerson(input: $input) { person { id } userErrors { code } } }
"""
RECORD = """
mutation($input: RecordLessonInput!) {
  recordLesson(input: $input) {
    lesson {
      id title whatHappened recommendation category version createdAt updatedAt
      project { code } recordedBy { email }
    }
    userErrors { field message code }
  }
}
"""
UPDATE = """
mutation($input: UpdateLessonInput!) {
  updateLesson(input: $input) {
    lesson { id title whatHappened recommendation category version }
    userErrors { field message code }
  }
}
"""
REVIEW = """
query($id: ID!) { node(id: $id) { ... on Project { code stage
  lessonReview { id openedOn dueOn status completed completedAt withdrawnAt overdue
                 completedBy { title } project { code } } } } }
"""
ENABLE = """
mutation($key: String!) {
  enableTier(input: {key: $key}) { tier { key enabled } userErrors { field message code } }
}
"""
DISABLE = """
mutation($key: String!) {
  disableTier(input: {key: $key}) { tier { key enabled } userErrors { field message code } }
}
"""


def global_id(type_name: str, pk: int) -> str:
    """The API id of a row, as the server writes it (base64 of ``Type:pk``)."""
    from pmo_graph.sdk import to_global_id

    return to_global_id(type_name, pk)


async def project(client: GraphQLClient, code: str, **fields: Any) -> str:
    """A new project's id."""
    payload = await client.mutate(CREATE_PROJECT, {"input": {"code": code, "name": code, **fields}})
    return str(payload["project"]["id"])


async def set_stage(client: GraphQLClient, project_id: str, stage: str) -> dict[str, Any]:
    """Move a project to ``stage`` with the core's updateProject; the project."""
    payload = await client.mutate(
        UPDATE_PROJECT, {"input": {"projectId": project_id, "stage": stage}}
    )
    result: dict[str, Any] = payload["project"]
    return result


async def record(
    client: GraphQLClient, project_id: str, title: str, **fields: Any
) -> dict[str, Any]:
    """Record a lesson that must succeed; the lesson."""
    payload = await client.mutate(
        RECORD, {"input": {"projectId": project_id, "title": title, **fields}}
    )
    result: dict[str, Any] = payload["lesson"]
    return result


async def review(client: GraphQLClient, project_id: str) -> dict[str, Any] | None:
    """The project's lessonReview."""
    data = await client.query(REVIEW, {"id": project_id})
    result: dict[str, Any] | None = data["node"]["lessonReview"]
    return result
