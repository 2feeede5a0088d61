"""``QueryCost``: refuses a document that costs too much, spends the cost from the token's
budget, and reports both in ``extensions.cost`` of every response.

It runs after authentication and validation and before any resolver (and before the compiled
path), so a refused document does no work at all. An operation that a compiled plan answers is
priced by what its statement reads (``pmo_graph.graphql.compiled.price``), any other by the
resolvers' rule (``pmo_graph.graphql.cost``); ``extensions.cost.path`` says which.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, cast

from graphql import ExecutionResult, GraphQLError, GraphQLSchema
from strawberry.extensions import SchemaExtension

from pmo_graph.errors import QUERY_TOO_COMPLEX, RATE_LIMITED
from pmo_graph.graphql.budget import CostBudget
from pmo_graph.graphql.compiled.price import CompiledPrice
from pmo_graph.graphql.cost import CostCalculator
from pmo_graph.graphql.extensions import OperationInputs, operation_inputs
from pmo_graph.request.app import App
from pmo_graph.request.context import Context, Viewer


class BudgetedApp(App, Protocol):
    """The app a request is costed in: its settings and each token's budget, if any."""

    @property
    def budget(self) -> CostBudget | None: ...


@dataclass
class CostOutcome:
    """What costing a request found: the ``extensions.cost`` report, and the refusal if any
    (with the seconds to wait when the budget refused it)."""

    report: dict[str, Any]
    refusal: GraphQLError | None = None
    retry_after: int | None = None
    #: The points spent from the token's budget (0 when no budget applies or it refused).
    spent: int = 0


#: The price of an operation a compiled plan answers, and of one the resolvers answer.
COMPILED = "compiled"
RESOLVERS = "resolvers"


def operation_cost(
    app: BudgetedApp, schema: GraphQLSchema, inputs: OperationInputs, compiled: bool = False
) -> int:
    """The cost of the operation in ``inputs``, with the application's page sizes: what its
    statement reads when a compiled plan answers it (``compiled``), else the resolvers' price."""
    settings = app.settings
    if compiled:
        price = CompiledPrice(
            schema,
            inputs.fragments,
            inputs.variables,
            settings.default_page_size,
            settings.max_page_size,
        )
        return price.operation(inputs.operation)
    calculator = CostCalculator(
        schema,
        inputs.fragments,
        inputs.variables,
        settings.default_page_size,
        settings.max_page_size,
    )
    return calculator.operation(inputs.operation)


def assess_cost(
    app: BudgetedApp,
    schema: GraphQLSchema,
    inputs: OperationInputs,
    viewer: Viewer | None,
    cost: int | None = None,
    compiled: bool = False,
) -> CostOutcome:
    """Cost the operation (or take ``cost``, when the caller knows it already), by its compiled
    plan's statement when ``compiled``, refuse it over ``PMO_GRAPH_MAX_QUERY_COST``, and spend
    the cost from the token's budget (refused, without spending, when the budget lacks it)."""
    settings = app.settings
    if cost is None:
        cost = operation_cost(app, schema, inputs, compiled)
    report: dict[str, Any] = {
        "requested": cost,
        "maximum": settings.max_query_cost,
        "path": COMPILED if compiled else RESOLVERS,
    }
    if cost > settings.max_query_cost:
        return CostOutcome(
            report,
            GraphQLError(
                f"The document costs {cost} points, over the limit of {settings.max_query_cost}: "
                "ask for smaller pages (first) or fewer nested lists, or split it into several "
                "queries. docs/security.md explains how the cost is counted.",
                extensions={
                    "code": QUERY_TOO_COMPLEX,
                    "limit": "cost",
                    "cost": cost,
                    "maximum": settings.max_query_cost,
                },
            ),
        )
    budget = app.budget
    if viewer is None or budget is None:
        return CostOutcome(report)
    spent = budget.spend(viewer.token_id, cost)
    report["throttle"] = {
        "available": spent.available,
        "capacity": budget.capacity,
        "restoreRate": budget.rate,
    }
    if spent.allowed:
        return CostOutcome(report, spent=cost)
    return CostOutcome(
        report,
        GraphQLError(
            f"This token has {spent.available} of the {cost} points the document costs; its "
            f"budget refills at {budget.rate} points a second, so retry in "
            f"{spent.retry_after} s, or ask for less at once.",
            extensions={
                "code": RATE_LIMITED,
                "cost": cost,
                "available": spent.available,
                "retryAfter": spent.retry_after,
            },
        ),
        spent.retry_after,
    )


#: Whether a compiled plan answers a request's operation, from its strawberry execution context.
PlanFinder = Callable[[Any], bool]


class QueryCost(SchemaExtension):
    """Costs the operation (by its compiled plan when ``compiled`` finds one, else by
    ``pmo_graph.graphql.cost``) and applies the limit and the budget."""

    report: dict[str, Any] | None = None

    def __init__(self, compiled: PlanFinder | None = None) -> None:
        self.compiled = compiled

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
        outcome = assess_cost(
            cast(BudgetedApp, context.app),
            self.execution_context.schema._schema,
            inputs,
            context.viewer_or_none,
            compiled=self.compiled is not None and self.compiled(self.execution_context),
        )
        self.report = outcome.report
        if outcome.retry_after is not None and context.response is not None:
            context.response.status_code = 429
            context.response.headers["Retry-After"] = str(outcome.retry_after)
        return outcome.refusal

    def get_results(self) -> dict[str, Any]:
        return {"cost": self.report} if self.report is not None else {}
