"""Document limits checked before any resolver runs: tokens, depth, aliases.

Each refusal is a ``QUERY_TOO_COMPLEX`` error that states the figure and the limit.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
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
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    parse,
    specified_rules,
    validate,
    visit,
)
from graphql.language import Visitor
from graphql.validation import NoSchemaIntrospectionCustomRule
from graphql.validation.rules.max_introspection_depth_rule import MaxIntrospectionDepthRule
from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as alias_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from pmo_graph.graphql.errors import QUERY_TOO_COMPLEX

CACHE_SIZE = 512
TOO_MANY_TOKENS = "Document contains more than"


class _CodingContext:
    """A validation context whose reported errors carry ``QUERY_TOO_COMPLEX`` (and, when given,
    our own wording)."""

    def __init__(self, context: ValidationContext, limit: str, message: str | None) -> None:
        self._context = context
        self._limit = limit
        self._message = message

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)

    def report_error(self, error: GraphQLError) -> None:
        self._context.report_error(
            GraphQLError(
                self._message or error.message,
                nodes=error.nodes,
                extensions={"code": QUERY_TOO_COMPLEX, "limit": self._limit},
            )
        )


def _spread_names(node: Node) -> set[str]:
    """Names of the fragments spread anywhere under ``node``."""
    names: set[str] = set()

    class Collect(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: Any) -> None:
            names.add(spread.name.value)

    visit(node, Collect())
    return names


def _fragments_are_sound(document: DocumentNode) -> bool:
    """No spread names an unknown fragment and no fragment spreads itself, even indirectly.

    Strawberry's depth limiter raises ``KeyError`` on the first and recurses without end on the
    second; the standard rules report both as errors, so the limiter simply skips them.
    """
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    spreads = {name: _spread_names(fragment) for name, fragment in fragments.items()}
    if not _spread_names(document) <= set(fragments):
        return False
    state: dict[str, int] = {}

    def cyclic(name: str) -> bool:
        if state.get(name) == 1:
            return True
        if state.get(name) == 2:
            return False
        state[name] = 1
        if any(cyclic(child) for child in spreads.get(name, ())):
            return True
        state[name] = 2
        return False

    return not any(cyclic(name) for name in fragments)


def coded_rule(
    rule: type[ValidationRule], limit: str, message: str | None = None
) -> type[ValidationRule]:
    """Wrap a limit rule so that its errors are ``QUERY_TOO_COMPLEX`` and unsound fragments are
    left to the standard rules."""

    class Coded(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            if _fragments_are_sound(context.document):
                rule(_CodingContext(context, limit, message))  # type: ignore[arg-type]

    Coded.__name__ = f"Coded{rule.__name__}"
    return Coded


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
            count = sum(isinstance(d, OperationDefinitionNode) for d in node.definitions)
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
        coded_rule(
            depth_validator(max_depth - 1, None),
            "depth",
            f"The document nests fields more than {max_depth} deep; ask for less at once or "
            "split it into several queries.",
        ),
        coded_rule(alias_validator(max_aliases), "aliases"),
    )


@lru_cache(maxsize=CACHE_SIZE)
def _parse(query: str, max_tokens: int) -> DocumentNode:
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
                context.graphql_document = _parse(context.query, self.max_tokens)
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
        context.pre_execution_errors = _validate(
            context.schema._schema, context.graphql_document, self.rules, self.hide_suggestions
        )
        yield
