"""``CompiledQueries``: answers a query with one SQL statement when every field it selects can.

It runs after authentication and validation, before any resolver: on PostgreSQL, a query whose
selection the compiler reads whole is answered by one statement that builds the ``data`` in the
database; any other operation (a mutation, a field without SQL, a cursor, a tier that is off, an
error to report) goes to the resolvers unchanged. Both paths give the same data; the
differential tests hold them to it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import orjson
from graphql import ExecutionResult
from sqlalchemy import text
from sqlalchemy.exc import TimeoutError as PoolTimeout
from strawberry.extensions import SchemaExtension

from pmo_graph.db.types import utcnow
from pmo_graph.graphql.compiled.compiler import NotCompiled, Scope, compile_operation
from pmo_graph.graphql.context import Context
from pmo_graph.graphql.extensions import operation_inputs

log = logging.getLogger("pmo_graph.compiled")


class CompiledQueries(SchemaExtension):
    """Answers compilable queries on PostgreSQL with one statement (see the module's doc)."""

    async def on_execute(self) -> AsyncIterator[None]:
        execution_context = self.execution_context
        context = execution_context.context
        if (
            execution_context.result is None
            and isinstance(context, Context)
            and context.viewer_or_none is not None
            and context.app.compiled_queries
            and context.app.engine.dialect.name == "postgresql"
        ):
            data = await self._answer(context)
            if data is not None:
                execution_context.result = ExecutionResult(data=data)
        yield

    async def _answer(self, context: Context) -> dict[str, Any] | None:
        inputs = operation_inputs(self.execution_context)
        if inputs is None:
            return None  # no operation, or variables that do not coerce: graphql-core reports it
        settings = context.app.settings
        scope = Scope(
            organisation_id=context.viewer.organisation_id,
            enabled_tiers=context.enabled_tiers,
            type_tiers=context.app.type_tiers,
            today=utcnow().date(),
            default_page_size=settings.default_page_size,
            max_page_size=settings.max_page_size,
        )
        try:
            compiled = compile_operation(
                self.execution_context.schema._schema,
                inputs.operation,
                inputs.fragments.values(),
                inputs.variables,
                scope,
            )
        except NotCompiled as reason:
            log.debug("resolvers answer: %s", reason)
            return None
        try:
            result = await context.db.execute(text(compiled.sql).bindparams(**compiled.params))
            data: dict[str, Any] = orjson.loads(result.scalar_one())
        except PoolTimeout:
            raise  # overload: SERVER_BUSY, as from any resolver
        except Exception:
            # A statement the compiler got wrong must not cost the user the answer.
            log.exception("compiled statement failed; the resolvers answer instead")
            await context.session.rollback()
            return None
        return data
