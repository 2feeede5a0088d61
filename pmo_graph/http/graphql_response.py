"""The GraphQL response document and its status, as the GraphQL over HTTP specification says.

A *request error* is one raised before execution began: a document that does not parse or
validate, variables that do not coerce, an input value out of range, a missing token, a cost
refused. Its response has no ``data`` entry at all (not ``"data": null``, which says execution
ran and a non-null field failed). Under ``application/graphql-response+json`` it is answered
400 unless a more precise status was set (401, 429); under ``application/json`` every
well-formed request is answered 200 unless such a status was set, as the legacy rules say.
"""

from __future__ import annotations

from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.types import ExecutionResult

from pmo_graph.http.media_types import GRAPHQL_RESPONSE_JSON


def is_request_error(result: ExecutionResult) -> bool:
    """Whether ``result`` failed before execution began: no data and no error on a field
    (a field's error has a ``path``; one raised before execution has none)."""
    errors = result.errors or []
    return result.data is None and bool(errors) and all(not error.path for error in errors)


def response_document(result: ExecutionResult) -> GraphQLHTTPResponse:
    """The JSON document of ``result``, without ``data`` on a request error."""
    document = process_result(result)
    if is_request_error(result):
        document.pop("data", None)
    return document


def request_error_status(
    result: ExecutionResult, media_type: str, status_set: int | None
) -> int | None:
    """The status a request error gets under ``media_type`` when none was set yet; None
    to leave the status as it is."""
    if status_set is not None or media_type != GRAPHQL_RESPONSE_JSON:
        return None
    return 400 if is_request_error(result) else None
