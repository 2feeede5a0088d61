"""Schema extensions run on every operation: authentication, error codes and masking."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    ExecutionResult,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionNode,
)
from graphql.execution.values import VariableValues, get_variable_values
from graphql.language import FieldNode
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.requests import Request
from strawberry.extensions import SchemaExtension

from pmo_graph.errors import (
    BAD_USER_INPUT,
    BUSY_MESSAGE,
    BUSY_RETRY_AFTER,
    INTERNAL_SERVER_ERROR,
    OUT_OF_RANGE,
    OUT_OF_RANGE_MESSAGE,
    SERVER_BUSY,
    UNAUTHENTICATED,
    CodedError,
)
from pmo_graph.graphql.errors import out_of_range
from pmo_graph.graphql.limits import token_limit_error
from pmo_graph.request.context import Context

log = logging.getLogger("pmo_graph.errors")


def _root_fields(
    selections: Iterable[SelectionNode], fragments: dict[str, FragmentDefinitionNode]
) -> Iterator[str]:
    """Names of the root fields selected, through inline fragments and fragment spreads."""
    for selection in selections:
        if isinstance(selection, FieldNode):
            yield selection.name.value
        elif isinstance(selection, InlineFragmentNode):
            yield from _root_fields(selection.selection_set.selections, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.pop(selection.name.value, None)  # each fragment once
            if fragment is not None:
                yield from _root_fields(fragment.selection_set.selections, fragments)


class Authentication(SchemaExtension):
    """Refuses, before the document is validated, an operation without a valid token.

    Only introspection (``__schema``, ``__type``, ``__typename``) is answered without one, so
    that GraphiQL and code generators can read the schema. The refusal comes before validation
    so that a caller without a token learns nothing of the schema from validation errors
    ("Cannot query field … Did you mean …"): it must come first in the extensions.
    """

    def on_validate(self) -> Iterator[None]:
        execution_context = self.execution_context
        context = execution_context.context
        if (
            isinstance(context, Context)
            and context.viewer_or_none is None
            and not _only_introspection(execution_context)
        ):
            message = context.auth_error or (
                "Send a bearer token: Authorization: Bearer <token> "
                "(an ADMIN creates one with 'pmo-graph token create')."
            )
            if context.response is not None:
                context.response.status_code = 401
            execution_context.pre_execution_errors = [
                GraphQLError(message, extensions={"code": UNAUTHENTICATED})
            ]
        yield


def _only_introspection(execution_context: Any) -> bool:
    """Whether every root field the request's operation selects is introspection (``__``)."""
    operation = selected_operation(execution_context)
    document = execution_context.graphql_document
    if operation is None or document is None:
        return True  # no operation to run: the pipeline reports that, and it reveals nothing
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    names = _root_fields(operation.selection_set.selections, fragments)
    return all(name.startswith("__") for name in names)


#: What a subscription sent over HTTP is told.
SUBSCRIPTION_OVER_HTTP = (
    "Subscriptions run over a WebSocket to /graphql with the graphql-transport-ws protocol, "
    "not over HTTP; see the API guide's Subscriptions section."
)


class SubscriptionsOverWebSocket(SchemaExtension):
    """Refuses a subscription sent over HTTP (HTTP 400, ``BAD_USER_INPUT``): it would run as a
    query and answer nothing useful."""

    def on_execute(self) -> Iterator[None]:
        execution_context = self.execution_context
        context = execution_context.context
        operation = selected_operation(execution_context)
        if (
            isinstance(context, Context)
            and isinstance(context.request, Request)
            and operation is not None
            and operation.operation == OperationType.SUBSCRIPTION
        ):
            if context.response is not None:
                context.response.status_code = 400
            execution_context.result = ExecutionResult(
                data=None,
                errors=[GraphQLError(SUBSCRIPTION_OVER_HTTP, extensions={"code": BAD_USER_INPUT})],
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
    ``BAD_USER_INPUT`` unless a limit coded them; a figure that went out of range while it was
    computed from stored values is ``OUT_OF_RANGE`` (``errors.out_of_range``). Anything else is
    logged with its traceback and replaced by ``INTERNAL_SERVER_ERROR`` with the request id, so
    no stack trace or SQL leaks.
    """

    def __init__(self, max_tokens: int, hide_suggestions: bool = False) -> None:
        self.max_tokens = max_tokens
        self.hide_suggestions = hide_suggestions

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
        coded = coded_error(error, self.max_tokens, self._request_id())
        if self.hide_suggestions:
            # validation hides them already; variables coerced at execution do not
            coded.message = without_suggestions(coded.message)
        return coded


#: How graphql-core begins a hint at names of the schema ("Did you mean 'createProject'?").
SUGGESTION = " Did you mean "


def without_suggestions(message: str) -> str:
    """``message`` without graphql-core's "Did you mean …?" hint, which names the schema."""
    return message.split(SUGGESTION, 1)[0]


def coded_error(error: GraphQLError, max_tokens: int, request_id: str) -> GraphQLError:
    """``error`` with its ``extensions.code``; an unexpected error logged and masked."""
    original = error.original_error
    if out_of_range(error):
        log.warning(
            "a figure out of range in %s",
            ".".join(str(p) for p in error.path or ()) or "operation",
            exc_info=(type(original), original, original.__traceback__) if original else None,
            extra={"request_id": request_id},
        )
        return GraphQLError(
            OUT_OF_RANGE_MESSAGE.format(request_id=request_id),
            nodes=error.nodes,
            path=error.path,
            extensions={"code": OUT_OF_RANGE, "requestId": request_id},
        )
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
        too_long = token_limit_error(error, max_tokens)
        if too_long is not None:
            return too_long
        return GraphQLError(
            error.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={**(error.extensions or {}), "code": BAD_USER_INPUT},
        )
    if isinstance(original, PoolTimeout):
        log.warning("connection pool exhausted", extra={"request_id": request_id})
        return GraphQLError(
            BUSY_MESSAGE,
            nodes=error.nodes,
            path=error.path,
            extensions={"code": SERVER_BUSY, "retryAfter": BUSY_RETRY_AFTER},
        )
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


@dataclass(frozen=True)
class OperationInputs:
    """The operation a request runs, the document's fragments by name, its coerced variables."""

    operation: OperationDefinitionNode
    fragments: dict[str, FragmentDefinitionNode]
    variables: VariableValues


def operation_inputs(execution_context: Any) -> OperationInputs | None:
    """The request's ``OperationInputs``, worked out once and kept on its ``Context``; None when
    the document names no such operation or its variables do not coerce (execution reports it).
    """
    context = execution_context.context
    memo = context.memo if isinstance(context, Context) else {}
    if "operation_inputs" not in memo:
        memo["operation_inputs"] = _operation_inputs(execution_context)
    found: OperationInputs | None = memo["operation_inputs"]
    return found


def _operation_inputs(execution_context: Any) -> OperationInputs | None:
    document = execution_context.graphql_document
    operation = selected_operation(execution_context)
    if document is None or operation is None:
        return None
    variables = get_variable_values(
        execution_context.schema._schema,
        operation.variable_definitions or (),
        execution_context.variables or {},
    )
    if isinstance(variables, list):
        return None
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return OperationInputs(operation, fragments, variables)
