"""Compiled statements kept per document, so a query asked again is not compiled again.

Compiling walks the whole selection with the schema (a fifth of a small query's time). What it
produces depends on the document, the operation, the tiers that are on and, of the variables,
only on what the compiler decides by: whether each is null, a boolean's value (``@include``,
``@skip``), whether a string is a global id and of which type (it picks the table), whether an
integer is a page size within bounds, and the same of each item of a list and each field of an
input object (which filter conditions apply, the type of each id of ``nodes``). The values
themselves (an id's key, a page size, a cursor, a search) and the organisation, the user and the
day are parameters (``Compiled.arguments``). So the key of a plan is those decisions, and one
plan serves every organisation and every project of the same shape. Documents that the compiled
path does not read are kept too, with the reason, so the resolvers take them without another
attempt.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Mapping
from typing import TYPE_CHECKING, Any

from graphql import OperationDefinitionNode

from pmo_graph.db.types import today
from pmo_graph.graphql.compiled.compiler import Compiled, NotCompiled, Scope
from pmo_graph.ids import parse_global_id

if TYPE_CHECKING:
    from pmo_graph.request.app import App

#: Plans kept per process; the least recently used goes first.
MAX_PLANS = 1_000


def _shape(value: Any, max_page_size: int) -> Hashable:
    """What the compiler decides by, of one variable's value."""
    if value is None:
        return None
    if isinstance(value, bool):
        return ("boolean", value)
    if isinstance(value, int):
        return ("int", 0 <= value <= max_page_size)
    if isinstance(value, str):
        parsed = parse_global_id(value)
        if parsed is None:
            return ("string",)
        return ("id", parsed[0])
    if isinstance(value, list | tuple):
        return ("list", tuple(_shape(item, max_page_size) for item in value))
    if isinstance(value, dict):
        return (
            "object",
            tuple(sorted((key, _shape(item, max_page_size)) for key, item in value.items())),
        )
    return (type(value).__name__,)


def plan_key(
    document: str,
    operation_name: str | None,
    enabled_tiers: frozenset[str],
    variables: Mapping[str, Any],
    max_page_size: int,
) -> Hashable:
    """The key under which a compiled statement serves a request (see the module's doc)."""
    return (document, operation_name, enabled_tiers, variables_shape(variables, max_page_size))


def variables_shape(variables: Mapping[str, Any], max_page_size: int) -> Hashable:
    """What the compiler decides by, of coerced ``variables`` (the part of ``plan_key`` that
    is theirs)."""
    return tuple(sorted((name, _shape(value, max_page_size)) for name, value in variables.items()))


def operation_plan_key(
    app: App,
    document: str,
    operation: OperationDefinitionNode,
    enabled_tiers: frozenset[str],
    variables: Mapping[str, Any],
) -> Hashable:
    """``plan_key`` of one operation of ``document`` with coerced ``variables``."""
    name = operation.name.value if operation.name else None
    return plan_key(document, name, enabled_tiers, variables, app.settings.max_page_size)


def request_scope(
    app: App, organisation_id: int, user_id: int, enabled_tiers: frozenset[str]
) -> Scope:
    """What a request of ``user_id`` of ``organisation_id`` with ``enabled_tiers`` on may read,
    today."""
    settings = app.settings
    return Scope(
        organisation_id=organisation_id,
        user_id=user_id,
        enabled_tiers=enabled_tiers,
        type_tiers=app.type_tiers,
        today=today(),
        default_page_size=settings.default_page_size,
        max_page_size=settings.max_page_size,
    )


class PlanCache:
    """Compiled statements, or why a document is not compiled, by ``plan_key``."""

    def __init__(self, size: int = MAX_PLANS) -> None:
        self.size = size
        self._plans: OrderedDict[Hashable, Compiled | NotCompiled] = OrderedDict()

    def get(self, key: Hashable) -> Compiled | NotCompiled | None:
        """The kept plan or reason, or None when the document has not been compiled."""
        plan = self._plans.get(key)
        if plan is not None:
            self._plans.move_to_end(key)
        return plan

    def put(self, key: Hashable, plan: Compiled | NotCompiled) -> None:
        """Keep a plan (or a reason), dropping the least recently used beyond ``size``."""
        self._plans[key] = plan
        self._plans.move_to_end(key)
        while len(self._plans) > self.size:
            self._plans.popitem(last=False)

    def __len__(self) -> int:
        return len(self._plans)
