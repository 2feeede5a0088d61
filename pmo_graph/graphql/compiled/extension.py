"""``CompiledQueries``: answers a query with one SQL statement when every field it selects can.

It runs after authentication and validation, before any resolver: on PostgreSQL and SQLite, a
query whose selection the compiler reads whole is answered by one statement that builds the
``data`` in the database; any other operation (a mutation, a field without SQL, a cursor, a
tier that is off, an error to report) goes to the resolvers unchanged. Both paths give the
same data; the differential tests hold them to it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any, Protocol, cast

import orjson
from graphql import ExecutionResult, OperationDefinitionNode
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.requests import Request
from strawberry.extensions import SchemaExtension

from pmo_graph.graphql.compiled.compiler import Compiled, NotCompiled, Scope, compile_operation
from pmo_graph.graphql.compiled.dialect import dialect_for
from pmo_graph.graphql.compiled.plans import PlanCache, operation_plan_key, request_scope
from pmo_graph.graphql.compiled.selections import MAX_WRITTEN_FIELDS, written_fields
from pmo_graph.graphql.extensions import OperationInputs, operation_inputs
from pmo_graph.request.app import App
from pmo_graph.request.context import Context

log = logging.getLogger("pmo_graph.compiled")


class Remembers(Protocol):
    """What answers a document again without the pipeline (``FastLane``)."""

    def remember(self, document: str, operation_count: int, inputs: OperationInputs) -> None: ...


class CompilingApp(App, Protocol):
    """The app as the compiled path answers in it."""

    @property
    def compiled_queries(self) -> bool: ...

    @property
    def compiled_plans(self) -> PlanCache: ...

    @property
    def fast_lane(self) -> Remembers: ...


def compiled_path_applies(context: object) -> bool:
    """Whether the compiled path may answer a request in ``context``: a viewer's, on a database
    the compiler has a dialect for, with the path on."""
    return (
        isinstance(context, Context)
        and context.viewer_or_none is not None
        and cast(CompilingApp, context.app).compiled_queries
        and dialect_for(context.app.engine.dialect.name) is not None
    )


def operation_plan(execution_context: Any) -> Compiled | NotCompiled | None:
    """The plan for the request's operation: kept, or compiled now and kept (the cost is priced
    by it, then the statement runs by it); None when the compiled path does not apply."""
    context = execution_context.context
    if not compiled_path_applies(context):
        return None
    inputs = operation_inputs(execution_context)
    if inputs is None:
        return None  # no operation, or variables that do not coerce: graphql-core reports it
    app = cast(CompilingApp, context.app)
    plans = app.compiled_plans
    key = operation_plan_key(
        app,
        execution_context.query or "",
        inputs.operation,
        context.enabled_tiers,
        inputs.variables.coerced,
    )
    plan = plans.get(key)
    if plan is None:
        if written_fields(inputs.operation, inputs.fragments) > MAX_WRITTEN_FIELDS:
            plan = NotCompiled("too many fields with the fragments written out")
        else:
            dialect = dialect_for(context.app.engine.dialect.name)
            assert dialect is not None  # compiled_path_applies
            try:
                plan = compile_operation(
                    execution_context.schema._schema,
                    inputs.operation,
                    inputs.fragments.values(),
                    inputs.variables,
                    _scope(context),
                    dialect,
                )
            except NotCompiled as reason:
                plan = reason
        plans.put(key, plan)
    return plan


def compiled_plan_answers(execution_context: Any) -> bool:
    """Whether a compiled plan answers the request's operation (``QueryCost`` prices it so)."""
    return isinstance(operation_plan(execution_context), Compiled)


def _scope(context: Context) -> Scope:
    viewer = context.viewer
    return request_scope(
        cast(CompilingApp, context.app),
        viewer.organisation_id,
        viewer.user_id,
        context.enabled_tiers,
    )


class CompiledQueries(SchemaExtension):
    """Answers compilable queries with one statement (see the module's doc)."""

    async def on_execute(self) -> AsyncIterator[None]:
        execution_context = self.execution_context
        context = execution_context.context
        if execution_context.result is None and compiled_path_applies(context):
            assert isinstance(context, Context)
            text = await self._answer(context)
            if text is not None:
                execution_context.result = ExecutionResult(data=_data(context, text))
                self._remember(context)
        yield

    def _remember(self, context: Context) -> None:
        """Let the fast lane answer this document next time (HTTP queries only)."""
        execution_context = self.execution_context
        inputs = operation_inputs(execution_context)
        document = execution_context.graphql_document
        if inputs is None or document is None or not isinstance(context.request, Request):
            return
        operations = sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)
        cast(CompilingApp, context.app).fast_lane.remember(
            execution_context.query or "", operations, inputs
        )

    async def _answer(self, context: Context) -> str | None:
        """The ``data`` as JSON text from one statement, or None for the resolvers to answer."""
        plan = operation_plan(self.execution_context)
        if plan is None:
            return None
        inputs = operation_inputs(self.execution_context)
        assert inputs is not None  # a plan is found for an operation with its inputs only
        try:
            if isinstance(plan, NotCompiled):
                raise plan
            arguments = plan.arguments(_scope(context), inputs.variables)
        except NotCompiled as reason:
            log.debug("resolvers answer: %s", reason)
            return None
        try:
            text: str = await context.db.driver_value(plan.sql, arguments)
        except PoolTimeout:
            raise  # overload: SERVER_BUSY, as from any resolver
        except Exception:
            # A statement the compiler got wrong must not cost the user the answer.
            log.exception("compiled statement failed; the resolvers answer instead")
            await context.session.rollback()
            return None
        return text


def _data(context: Context, text: str) -> Any:
    """The result's ``data``: over HTTP the database's JSON goes into the response as it is
    (``orjson.Fragment``: the response encoder copies it without parsing it); a WebSocket
    operation's result is inspected by strawberry, so it is parsed."""
    if isinstance(context.request, Request):
        return orjson.Fragment(text)
    return orjson.loads(text)
