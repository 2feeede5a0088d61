"""``InputValues``: every value a request sends, in the document or in its variables, is within
what pmo-graph accepts (``pmo_graph.values``), or the request is refused before anything runs.

One walk over the arguments of every field the operation selects (through fragments, each once)
checks each leaf by the Python value its scalar parsed to: text (``String``, ``ID`` and any
scalar that parses to ``str``), dates, numbers and amounts. So a field or a mutation that a
plugin adds is covered without a line of its own. A value out of range is ``BAD_USER_INPUT``,
as a value of the wrong type is, with ``extensions.argument`` the path to it
(``input.milestones.0.name``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    is_input_type,
    type_from_ast,
)
from graphql.execution.values import VariableValues, get_argument_values
from strawberry.extensions import SchemaExtension

from pmo_graph.errors import BAD_USER_INPUT, BadUserInput
from pmo_graph.graphql.extensions import OperationInputs, operation_inputs
from pmo_graph.request.context import Context
from pmo_graph.values import amount_problem, date_problem, number_problem, text_problem

Parent = GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType


def value_problem(value: Any) -> str | None:
    """Why one parsed input value is out of range, or None; lists and objects (of a ``JSON``
    scalar) are looked into."""
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, float):
        return number_problem(value)
    if isinstance(value, Decimal):
        return amount_problem(value)
    if isinstance(value, datetime):
        return date_problem(value.date())
    if isinstance(value, date):
        return date_problem(value)
    if isinstance(value, Mapping):
        return next(filter(None, map(value_problem, [*value.keys(), *value.values()])), None)
    if isinstance(value, list):
        return next(filter(None, map(value_problem, value)), None)
    return None


def _refusal(kind: GraphQLInputType, value: Any, path: list[str]) -> tuple[str, str] | None:
    """The path to the first value out of range in ``value`` (of ``kind``), and why."""
    if value is None:
        return None
    if isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    if isinstance(kind, GraphQLList):
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            found = _refusal(kind.of_type, item, [*path, str(index)])
            if found is not None:
                return found
        return None
    if isinstance(kind, GraphQLInputObjectType):
        for name, field in kind.fields.items():
            if name in value:
                found = _refusal(field.type, value[name], [*path, name])
                if found is not None:
                    return found
        return None
    problem = value_problem(value)
    return None if problem is None else (".".join(path), problem)


def _fields(
    schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: dict[str, Any]
) -> Iterator[tuple[Parent, FieldNode]]:
    """Every field the operation selects with the type it is selected on; each fragment is
    walked once, on its type condition (its fields' arguments do not depend on where it is
    spread)."""
    root = schema.get_root_type(operation.operation)
    if root is None:
        return
    stack: list[tuple[Parent, SelectionSetNode]] = [(root, operation.selection_set)]
    seen: set[str] = set()
    while stack:
        parent, selection_set = stack.pop()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield parent, selection
                definition = (
                    parent.fields.get(selection.name.value)
                    if not isinstance(parent, GraphQLUnionType)
                    else None
                )
                named = get_named_type(definition.type) if definition else None
                if selection.selection_set is not None and isinstance(
                    named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType
                ):
                    stack.append((named, selection.selection_set))
            elif isinstance(selection, InlineFragmentNode):
                stack.append((_condition(schema, parent, selection), selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment: FragmentDefinitionNode | None = fragments.get(name)
                if fragment is not None and name not in seen:
                    seen.add(name)
                    stack.append((_condition(schema, parent, fragment), fragment.selection_set))


def _condition(
    schema: GraphQLSchema, parent: Parent, node: InlineFragmentNode | FragmentDefinitionNode
) -> Parent:
    condition = node.type_condition
    found = schema.get_type(condition.name.value) if condition is not None else None
    if isinstance(found, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
        return found
    return parent


def argument_refusal(schema: GraphQLSchema, inputs: OperationInputs) -> GraphQLError | None:
    """``BAD_USER_INPUT`` for the first argument value of the operation that is out of range
    (see the module's doc), or None; ``extensions.argument`` names its path."""
    for parent, node in _fields(schema, inputs.operation, inputs.fragments):
        if not node.arguments or isinstance(parent, GraphQLUnionType):
            continue
        definition = parent.fields.get(node.name.value)
        if definition is None or node.name.value.startswith("__"):
            continue
        try:
            values = get_argument_values(definition, node, inputs.variables)
        except GraphQLError:
            continue  # a value of the wrong type: execution reports it
        for argument in node.arguments:
            name = argument.name.value
            declared = definition.args.get(name)
            if declared is None:
                continue
            found = _refusal(declared.type, values.get(name), [name])
            if found is not None:
                path, problem = found
                return GraphQLError(
                    f"`{path}` {problem}",
                    nodes=[argument],
                    extensions={"code": BAD_USER_INPUT, "argument": path},
                )
    return None  # every variable is some argument's (validation refuses unused ones)


def _variable_refusal(
    schema: GraphQLSchema, operation: OperationDefinitionNode, variables: VariableValues
) -> tuple[str, str] | None:
    for definition in operation.variable_definitions or ():
        kind = type_from_ast(schema, definition.type)
        name = definition.variable.name.value
        if not is_input_type(kind):
            continue  # an unknown type: validation refused the document
        found = _refusal(kind, variables.coerced.get(name), [name])
        if found is not None:
            return found
    return None


def variables_in_range(
    schema: GraphQLSchema, operation: OperationDefinitionNode, variables: VariableValues
) -> bool:
    """Whether every variable value of ``operation`` is within range: what a document already
    checked needs of a new request (``FastLane``), whose literals cannot have changed. (Every
    variable is some argument's: validation refuses unused ones.)"""
    return _variable_refusal(schema, operation, variables) is None


class InputValues(SchemaExtension):
    """Refuses, before any resolver runs, an operation that sends a value out of range."""

    def on_execute(self) -> Iterator[None]:
        execution_context = self.execution_context
        inputs = (
            operation_inputs(execution_context)
            if execution_context.result is None and isinstance(execution_context.context, Context)
            else None
        )
        refusal = (
            argument_refusal(execution_context.schema._schema, inputs)
            if inputs is not None
            else None
        )
        if refusal is not None:
            if inputs is not None and inputs.operation.operation is OperationType.SUBSCRIPTION:
                # a subscription ignores a result set here; an error raised ends it, coded
                raise BadUserInput(refusal.message, **(refusal.extensions or {}))
            execution_context.result = ExecutionResult(data=None, errors=[refusal])
        yield
