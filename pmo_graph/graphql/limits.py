"""Document limits checked before any resolver runs: tokens, depth, aliases, repeated fields and
operations, each measured in time linear in the document (fragments measured once).

Each refusal is a ``QUERY_TOO_COMPLEX`` error that states the figure and the limit.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Any, cast

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
    specified_rules,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from graphql.validation.rules.max_introspection_depth_rule import MaxIntrospectionDepthRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from pmo_graph.errors import QUERY_TOO_COMPLEX

CACHE_SIZE = 512
TOO_MANY_TOKENS = "Document contains more than"


class _Measure:
    """Measures the selection sets of one document, each fragment once (kept by name), so that a
    document spreading fragments exponentially often (a "fragment bomb") is measured in time
    linear in its size; strawberry's depth and alias limiters walked every spread and took
    minutes on one.

    ``per_field(field, measure)`` gives a field's figure (``measure`` measures a selection set
    below it); ``combine`` folds the figures of one selection set.
    """

    def __init__(
        self,
        document: DocumentNode,
        per_field: Callable[[FieldNode, _Measure], int],
        combine: Callable[[Iterable[int]], int],
    ) -> None:
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.per_field = per_field
        self.combine = combine
        self.memo: dict[str, int] = {}

    def __call__(self, selection_set: SelectionSetNode | None) -> int:
        if selection_set is None:
            return 0
        figures = []
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                figures.append(self.per_field(selection, self))
            elif isinstance(selection, InlineFragmentNode):
                figures.append(self(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                figures.append(self._fragment(selection.name.value))
        return self.combine(figures)

    def _fragment(self, name: str) -> int:
        if name not in self.memo:
            self.memo[name] = 0  # a cycle (refused by validation) adds nothing
            fragment = self.fragments.get(name)
            if fragment is not None:
                self.memo[name] = self(fragment.selection_set)
        return self.memo[name]


def _operations(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


def _deepest(figures: Iterable[int]) -> int:
    return max(figures, default=0)


def depth_rule(maximum: int) -> type[ASTValidationRule]:
    """Refuses an operation whose longest path holds more than ``maximum`` fields.

    Introspection fields count where they stand but are not descended into (they have their
    own limit).
    """

    def per_field(field: FieldNode, measure: _Measure) -> int:
        return 1 + (0 if field.name.value.startswith("__") else measure(field.selection_set))

    class Depth(ASTValidationRule):
        def enter_document(self, node: DocumentNode, *_: Any) -> None:
            longest = _Measure(node, per_field, _deepest)
            for operation in _operations(node):
                if longest(operation.selection_set) > maximum:
                    self.report_error(
                        GraphQLError(
                            f"The document nests fields more than {maximum} deep; ask for "
                            "less at once or split it into several queries.",
                            nodes=[operation],
                            extensions={"code": QUERY_TOO_COMPLEX, "limit": "depth"},
                        )
                    )

    return Depth


def aliases_rule(maximum: int) -> type[ASTValidationRule]:
    """Refuses a document whose operations hold more than ``maximum`` aliases, fragments counted
    where they are spread (each counted once and multiplied by its spreads)."""

    def per_field(field: FieldNode, measure: _Measure) -> int:
        return (field.alias is not None) + measure(field.selection_set)

    class Aliases(ASTValidationRule):
        def enter_document(self, node: DocumentNode, *_: Any) -> None:
            aliases = _Measure(node, per_field, sum)
            count = sum(aliases(operation.selection_set) for operation in _operations(node))
            if count > maximum:
                self.report_error(
                    GraphQLError(
                        f"{count} aliases found. Allowed: {maximum}",
                        extensions={"code": QUERY_TOO_COMPLEX, "limit": "aliases"},
                    )
                )

    return Aliases


def duplicate_fields_rule(maximum: int) -> type[ASTValidationRule]:
    """Refuses a selection that names one field (same response key) more than ``maximum``
    times: merging repeated fields costs validation time that grows with their square."""

    class DuplicateFields(ASTValidationRule):
        def enter_selection_set(self, node: SelectionSetNode, *_: Any) -> None:
            counts = Counter(
                (s.alias or s.name).value for s in node.selections if isinstance(s, FieldNode)
            )
            key, most = counts.most_common(1)[0] if counts else ("", 0)
            if most > maximum:
                self.report_error(
                    GraphQLError(
                        f"The selection names {key!r} {most} times; the limit is {maximum}.",
                        nodes=[node],
                        extensions={"code": QUERY_TOO_COMPLEX, "limit": "duplicates"},
                    )
                )

    return DuplicateFields


def operations_rule(maximum: int) -> type[ASTValidationRule]:
    """Refuses a document with more than ``maximum`` operations (one of them runs per request)."""

    class Operations(ASTValidationRule):
        def enter_document(self, node: DocumentNode, *_: Any) -> None:
            count = len(_operations(node))
            if count > maximum:
                self.report_error(
                    GraphQLError(
                        f"The document holds {count} operations; the limit is {maximum}. Send "
                        "only the operations you run.",
                        extensions={"code": QUERY_TOO_COMPLEX, "limit": "operations"},
                    )
                )

    return Operations


def limit_rules(
    max_depth: int, max_aliases: int, max_duplicates: int = 20, max_operations: int = 20
) -> tuple[type[ASTValidationRule], ...]:
    """The rules for the configured limits: depth, aliases, duplicate fields, operations.

    Depth is the number of fields on the longest path from a root field to a leaf, both
    included (strawberry counts the root field as depth 0, hence ``max_depth - 1``).
    """
    return (
        operations_rule(max_operations),
        duplicate_fields_rule(max_duplicates),
        depth_rule(max_depth),
        aliases_rule(max_aliases),
    )


@lru_cache(maxsize=CACHE_SIZE)
def parse_limited(query: str, max_tokens: int) -> DocumentNode:
    """``query`` parsed with the token limit, through the bounded cache of documents."""
    return parse(query, max_lexical_tokens=max_tokens, max_comments=max_tokens)


class LimitedParser(SchemaExtension):
    """Parses with a token limit, through a bounded cache of documents.

    A document that does not parse is left to strawberry, which parses it again with the same
    limits and reports the error as the operation's result (``ErrorCodes`` then codes it).
    """

    def __init__(self, max_tokens: int) -> None:
        self.max_tokens = max_tokens

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        options = cast(dict[str, Any], context.parse_options)
        options.update(max_lexical_tokens=self.max_tokens, max_comments=self.max_tokens)
        if context.query is not None and context.graphql_document is None:
            with contextlib.suppress(GraphQLError):
                context.graphql_document = parse_limited(context.query, self.max_tokens)
        yield


def token_limit_error(error: GraphQLError, max_tokens: int) -> GraphQLError | None:
    """The coded error for a document over the token limit (None for any other error)."""
    if TOO_MANY_TOKENS not in error.message:
        return None
    return GraphQLError(
        f"{error.message} The limit is {max_tokens}.",
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        extensions={"code": QUERY_TOO_COMPLEX, "limit": "tokens"},
    )


@lru_cache(maxsize=CACHE_SIZE)
def _validate(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: tuple[type[ASTValidationRule], ...],
    hide_suggestions: bool,
) -> list[GraphQLError]:
    return validate(schema, document, rules, hide_suggestions=hide_suggestions)


class LimitedValidation(SchemaExtension):
    """Validates with the standard rules plus the limits, through a bounded cache."""

    def __init__(
        self,
        rules: tuple[type[ASTValidationRule], ...],
        hide_suggestions: bool,
        introspection: bool,
    ) -> None:
        extra: tuple[type[ASTValidationRule], ...] = (MaxIntrospectionDepthRule,)
        if not introspection:
            extra += (NoSchemaIntrospectionCustomRule,)
        self.rules = (
            *specified_rules,
            MaybeNullValidationRule,
            OneOfInputValidationRule,
            *extra,
            *rules,
        )
        self.hide_suggestions = hide_suggestions

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        assert context.graphql_document is not None
        if context.pre_execution_errors:  # refused already (``Authentication``)
            yield
            return
        context.pre_execution_errors = _validate(
            context.schema._schema, context.graphql_document, self.rules, self.hide_suggestions
        )
        yield
