"""Schema extensions run on every operation: authentication, error codes and masking."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult, GraphQLError, OperationDefinitionNode
from graphql.language import FieldNode
from strawberry.extensions import SchemaExtension

from pmo_graph.graphql.context import Context
from pmo_graph.graphql.errors import (
    BAD_USER_INPUT,
    INTERNAL_SERVER_ERROR,
    UNAUTHENTICATED,
    CodedError,
)

log = logging.getLogger("pmo_graph.errors")


def _root_fields(operation: OperationDefinitionNode) -> list[str]:
    return [
        selection.name.value
        for selection in operation.selection_set.selections
        if isinstance(selection, FieldNode)
    ]


class Authentication(SchemaExtension):
    """Refuses, before any resolver runs, an operation without a valid token.

    Only introspection (``__schema``, ``__type``, ``__typename``) is answered without one, so
    that GraphiQL and code generators can read the schema.
    """

    def on_execute(self) -> Iterator[None]:
        execution_context = self.execution_context
        context = execution_context.context
        if isinstance(context, Context) and context.viewer_or_none is None:
            operation = selected_operation(execution_context)
            names = _root_fields(operation) if operation is not None else []
            if any(not name.startswith("__") for name in names):
                message = context.auth_error or (
                    "Send a bearer token: Authorization: Bearer <token> "
                    "(an ADMIN creates one with 'pmo-graph token create')."
                )
                if context.response is not None:
                    context.response.status_code = 401
                execution_context.result = ExecutionResult(
                    data=None,
                    errors=[GraphQLError(message, extensions={"code": UNAUTHENTICATED})],
                )
        yield


class OperationName(SchemaExtension):
    """Records the operation's name for the request log line."""

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context.context
        if isinstance(context, Context) and context.request is not None:
            try:
                name = self.execution_context.operation_name
            except Exception:
                name = None
            context.request.scope.setdefault("state", {})["operation_name"] = name


class ErrorCodes(SchemaExtension):
    """Gives every error an ``extensions.code`` and masks unexpected ones.

    Errors raised as ``CodedError`` keep their message and code; parse and validation errors are
    ``BAD_USER_INPUT`` unless a limit rule coded them. Anything else is logged with its traceback
    and replaced by ``INTERNAL_SERVER_ERROR`` with the request id, so no stack trace or SQL leaks.
    """

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            result.errors = [self._process(error) for error in errors]

    def _request_id(self) -> str:
        context = self.execution_context.context
        return context.request_id if isinstance(context, Context) else "-"

    def _process(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if isinstance(original, CodedError):
            return GraphQLError(
                original.message,
                nodes=error.nodes,
                path=error.path,
                extensions=original.as_extensions(),
            )
        if original is None or isinstance(original, GraphQLError):
            if error.extensions and "code" in error.extensions:
                return error
            return GraphQLError(
                error.message,
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                extensions={**(error.extensions or {}), "code": BAD_USER_INPUT},
            )
        request_id = self._request_id()
        log.error(
            "unexpected error in %s",
            ".".join(str(p) for p in error.path or ()) or "operation",
            exc_info=(type(original), original, original.__traceback__),
            extra={"request_id": request_id},
        )
        return GraphQLError(
            f"Internal server error. Quote request id {request_id} when you report it.",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": INTERNAL_SERVER_ERROR, "requestId": request_id},
        )


def selected_operation(execution_context: Any) -> OperationDefinitionNode | None:
    """The operation of the document that the request executes."""
    document = execution_context.graphql_document
    if document is None:
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    wanted = execution_context.operation_name
    for operation in operations:
        if wanted is None or (operation.name is not None and operation.name.value == wanted):
            return operation
    return None
