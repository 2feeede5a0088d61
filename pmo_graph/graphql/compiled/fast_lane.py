"""The fast lane: a query the compiled path answered before is answered again without
strawberry's pipeline.

Once a document has been parsed, validated (every limit of ``limits.py``), authenticated and
answered by a compiled statement, what the next request with the same text needs is known: the
token (``AccessCache``), the variables coerced and within range (``input_values``), the cost
(computed once per operation and integers of its variables, ``cost_variables_key``) and the
token's budget (``assess_cost``, as ``QueryCost``), the kept plan for the tiers and the shape of
the variables, and one statement. The lane does exactly those, with the same functions, and writes
the same response (``data`` as the database's JSON, ``extensions.cost``). On SQLite, where the
process keeps no token (``AccessCache.in_use`` is false: another process may write the file), the
lane reads the token and tiers as the pipeline does, two statements before its one, and only for
an operation whose shape of variables (``variables_shape``) it has answered, so that a request it
steps aside for is not read twice. Whenever anything is not known or not plain (another token, a
plan not kept, variables that do not coerce, a cost over the limit or a budget that refuses, a
statement that fails), it steps aside and the full pipeline answers, with the coded error the
request deserves.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
from graphql import FragmentDefinitionNode, OperationDefinitionNode, OperationType
from graphql.execution.values import VariableValues, get_variable_values
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response

from pmo_graph.auth.access_cache import Access, AccessCache
from pmo_graph.auth.tokens import authenticate_digest, bearer_token, token_digest
from pmo_graph.db.reader import Reader, driver_value_alone, reading_engine
from pmo_graph.db.row_security import current_organisation
from pmo_graph.graphql.compiled.compiler import Compiled, NotCompiled
from pmo_graph.graphql.compiled.plans import (
    PlanCache,
    operation_plan_key,
    request_scope,
    variables_shape,
)
from pmo_graph.graphql.cost import cost_variables_key
from pmo_graph.graphql.cost_limits import BudgetedApp, assess_cost
from pmo_graph.graphql.extensions import OperationInputs
from pmo_graph.graphql.input_values import variables_in_range
from pmo_graph.graphql.schema import BuiltSchema
from pmo_graph.request.context import read_enabled_tiers

log = logging.getLogger("pmo_graph.compiled")

#: Documents kept per process; the least recently used goes first.
MAX_DOCUMENTS = 1_000
#: Costs kept per document: one per operation and page size asked, in practice a handful.
MAX_COSTS = 64


@dataclass
class KnownDocument:
    """A document's query operations by name, and whether it has only one."""

    single: bool
    operations: dict[str | None, OperationDefinitionNode] = field(default_factory=dict)
    fragments: dict[str, FragmentDefinitionNode] = field(default_factory=dict)
    #: What each operation costs, by its name and ``cost_variables_key`` of the variables.
    costs: dict[Hashable, int] = field(default_factory=dict)
    #: The operation names and ``variables_shape`` of the variables the compiled path answered.
    shapes: set[Hashable] = field(default_factory=set)

    def operation(self, name: str | None) -> OperationDefinitionNode | None:
        if name is None:
            return next(iter(self.operations.values())) if self.single else None
        return self.operations.get(name)


def well_formed(payload: dict[str, Any]) -> bool:
    """Whether a request's parameters have the types the pipeline accepts: a string
    ``query``, and ``variables``, ``extensions`` and ``operationName`` absent, null or of
    their type (an object, an object, a string). Anything else the pipeline answers 400."""
    return (
        isinstance(payload.get("query"), str)
        and isinstance(payload.get("variables"), dict | None)
        and isinstance(payload.get("extensions"), dict | None)
        and isinstance(payload.get("operationName"), str | None)
    )


class LaneApp(BudgetedApp, Protocol):
    """What the fast lane answers with: the schema, the compiled plans and the access cache."""

    @property
    def built(self) -> BuiltSchema: ...

    @property
    def compiled_plans(self) -> PlanCache: ...

    @property
    def access(self) -> AccessCache: ...

    @property
    def engine(self) -> AsyncEngine: ...


class FastLane:
    """Documents the compiled path has answered, and answering them again."""

    def __init__(self, state: LaneApp, size: int = MAX_DOCUMENTS) -> None:
        self.state = state
        self.size = size
        self._documents: OrderedDict[str, KnownDocument] = OrderedDict()
        #: Requests the lane answered (the tests read it; a metric could).
        self.answered = 0
        #: ``reading_engine`` of the state's engine, made once (and again if it is replaced).
        self._reading: tuple[AsyncEngine, AsyncEngine] | None = None

    def remember(self, document: str, operation_count: int, inputs: OperationInputs) -> None:
        """After the full pipeline answered ``document``'s operation with a compiled plan."""
        if inputs.operation.operation is not OperationType.QUERY:
            return
        known = self._documents.get(document)
        if known is None:
            known = KnownDocument(operation_count == 1, fragments=inputs.fragments)
            self._documents[document] = known
            while len(self._documents) > self.size:
                self._documents.popitem(last=False)
        name = inputs.operation.name.value if inputs.operation.name else None
        known.operations[name] = inputs.operation
        shape = variables_shape(inputs.variables.coerced, self.state.settings.max_page_size)
        known.shapes.add((name, shape))

    async def answer(self, request: Request) -> Response | None:
        """The response to ``request``, or None for the full pipeline to answer it."""
        if not self._documents:
            return None
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return None
        token = bearer_token(request.headers.get("authorization"))
        if not token:
            return None
        digest = token_digest(token)
        kept = self.state.access.get(digest)
        if kept is None and not self._reads_tokens():
            return None
        try:
            payload = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return None
        if not isinstance(payload, dict):
            return None
        if not well_formed(payload):
            return None  # the pipeline refuses it, with its code and status
        document, name = payload["query"], payload.get("operationName")
        variables = payload.get("variables") or {}
        known = self._documents.get(document)
        operation = known.operation(name) if known is not None else None
        if known is None or operation is None:
            return None
        schema = self.state.built.schema._schema
        coerced = get_variable_values(schema, operation.variable_definitions or (), variables)
        if isinstance(coerced, list) or not variables_in_range(schema, operation, coerced):
            return None  # the pipeline reports the variables' errors
        if kept is None:
            # Read only for a plan the lane has: else the pipeline would read it again.
            name = operation.name.value if operation.name else None
            shape = variables_shape(coerced.coerced, self.state.settings.max_page_size)
            if (name, shape) not in known.shapes:
                return None
        access = kept or await self._read_access(digest)
        if access is None:
            return None
        self._documents.move_to_end(document)
        return await self._run(request, access, document, operation, known, coerced)

    def _reading_engine(self) -> AsyncEngine:
        engine = self.state.engine
        if self._reading is None or self._reading[0] is not engine:
            self._reading = (engine, reading_engine(engine))
        return self._reading[1]

    def _reads_tokens(self) -> bool:
        """Whether the lane reads a token itself: on SQLite, whose tokens the process does not
        keep (``AccessCache.in_use`` is false there: another process may write the file)."""
        return self.state.settings.is_sqlite and not self.state.access.in_use

    async def _read_access(self, digest: str) -> Access | None:
        """The token's viewer and tiers, read as ``authentication._read_access`` reads them
        without the cache; None for the pipeline to answer an unknown token."""
        state = self.state
        session = state.request_sessionmaker()
        try:
            viewer = await authenticate_digest(session, digest)
            if viewer is None:
                return None  # the pipeline answers an unknown token
            current_organisation.set(viewer.organisation_id)
            reader = Reader(session)
            tiers = await read_enabled_tiers(reader, viewer.organisation_id, state.registry.tiers)
            await reader.release()
        finally:
            await session.close()
        return Access(viewer, tiers, read_at=0.0, epoch=0)

    async def _run(
        self,
        request: Request,
        access: Access,
        document: str,
        operation: OperationDefinitionNode,
        known: KnownDocument,
        coerced: VariableValues,
    ) -> Response | None:
        state = self.state
        schema = state.built.schema._schema
        plan = state.compiled_plans.get(
            operation_plan_key(state, document, operation, access.tiers, coerced.coerced)
        )
        if not isinstance(plan, Compiled):
            return None
        viewer = access.viewer
        scope = request_scope(state, viewer.organisation_id, viewer.user_id, access.tiers)
        try:
            arguments = plan.arguments(scope, coerced)
        except NotCompiled:
            return None  # a cursor or filter value the resolvers refuse, with its code
        inputs = OperationInputs(operation, known.fragments, coerced)
        operation_name = operation.name.value if operation.name else None
        # Costing walks the whole document; asked again with the same page sizes it costs the same.
        # The lane answers by compiled plans only: the compiled price applies, as in the pipeline.
        cost_key = (operation_name, cost_variables_key(coerced.coerced))
        outcome = assess_cost(
            state, schema, inputs, access.viewer, known.costs.get(cost_key), compiled=True
        )
        if cost_key not in known.costs and len(known.costs) < MAX_COSTS:
            known.costs[cost_key] = outcome.report["requested"]
        if outcome.refusal is not None:
            return None  # refusing spent nothing; the pipeline refuses it with its code
        current_organisation.set(viewer.organisation_id)
        try:
            # The request's only read: no session (and its transaction's bookkeeping) around it.
            text = await driver_value_alone(self._reading_engine(), plan.sql, arguments)
        except Exception:
            log.warning("the fast lane's statement failed; the pipeline answers", exc_info=True)
            if outcome.spent and state.budget is not None:
                state.budget.refund(viewer.token_id, outcome.spent)
            return None
        request_state = request.scope.setdefault("state", {})
        request_state.update(
            organisation_id=viewer.organisation_id,
            user_id=viewer.user_id,
            operation_name=operation_name,
        )
        body = {"data": orjson.Fragment(text), "extensions": {"cost": outcome.report}}
        self.answered += 1
        return Response(orjson.dumps(body), media_type="application/json")
