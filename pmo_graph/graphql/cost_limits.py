"""``QueryCost``: refuses a document that costs too much, spends the cost from the token's
budget, and reports both in ``extensions.cost`` of every response.

It runs after authentication and validation and before any resolver (and before the compiled
path), so a refused document does no work at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension

from pmo_graph.graphql.context import Context
from pmo_graph.graphql.cost import CostCalculator
from pmo_graph.graphql.errors import QUERY_TOO_COMPLEX, RATE_LIMITED
from pmo_graph.graphql.extensions import operation_inputs


class QueryCost(SchemaExtension):
    """Costs the operation (``pmo_graph.graphql.cost``) and applies the limit and the budget."""

    report: dict[str, Any] | None = None

    def on_execute(self) -> Iterator[None]:
        execution_context = self.execution_context
        context = execution_context.context
        if execution_context.result is None and isinstance(context, Context):
            refusal = self._check(context)
            if refusal is not None:
                execution_context.result = ExecutionResult(data=None, errors=[refusal])
        yield

    def _check(self, context: Context) -> GraphQLError | None:
        inputs = operation_inputs(self.execution_context)
        if inputs is None:
            return None  # no operation, or variables that do not coerce: execution reports it
        settings = context.app.settings
        calculator = CostCalculator(
            self.execution_context.schema._schema,
            inputs.fragments,
            inputs.variables,
            settings.default_page_size,
            settings.max_page_size,
        )
        cost = calculator.operation(inputs.operation)
        self.report = {"requested": cost, "maximum": settings.max_query_cost}
        if cost > settings.max_query_cost:
            return GraphQLError(
                f"The document costs {cost} points, over the limit of {settings.max_query_cost}: "
                "ask for smaller pages (first) or fewer nested lists, or split it into several "
                "queries. docs/security.md explains how the cost is counted.",
                extensions={
                    "code": QUERY_TOO_COMPLEX,
                    "limit": "cost",
                    "cost": cost,
                    "maximum": settings.max_query_cost,
                },
            )
        budget = context.app.budget
        viewer = context.viewer_or_none
        if viewer is None or budget is None:
            return None
        spent = budget.spend(viewer.token_id, cost)
        self.report["throttle"] = {
            "available": spent.available,
            "capacity": budget.capacity,
            "restoreRate": budget.rate,
        }
        if spent.allowed:
            return None
        if context.response is not None:
            context.response.status_code = 429
            context.response.headers["Retry-After"] = str(spent.retry_after)
        return GraphQLError(
            f"This token has {spent.available} of the {cost} points the document costs; its "
            f"budget refills at {budget.rate} points a second, so retry in "
            f"{spent.retry_after} s, or ask for less at once.",
            extensions={
                "code": RATE_LIMITED,
                "cost": cost,
                "available": spent.available,
                "retryAfter": spent.retry_after,
            },
        )

    def get_results(self) -> dict[str, Any]:
        return {"cost": self.report} if self.report is not None else {}
