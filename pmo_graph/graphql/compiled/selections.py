"""The fields an operation selects on an object, collected as the compiled path reads them.

GraphQL's ``CollectFields``: fragment spreads and inline fragments that apply to the object's
type (its own, or an interface or union it belongs to), ``@skip``/``@include`` by their values,
and the fields of one response key gathered together for merging. The compiler
(``compiled.compiler``) and the compiled price (``compiled.price``) both collect here, so the
price walks exactly the fields the statement reads.

They differ only in what they do with a selection the compiled path does not read (``Unknown``):
the compiler raises ``NotCompiled`` and the resolvers answer; the price, which runs only for an
operation a plan answers, skips it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLAbstractType,
    GraphQLIncludeDirective,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    NamedTypeNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
)
from graphql.execution.values import VariableValues, get_directive_values

#: A document whose selections, fragments written out, hold more fields than this is not
#: compiled (and so priced by the resolvers' rule, which counts fragments once): compiling
#: writes every spread out, and a "fragment bomb" would never finish.
MAX_WRITTEN_FIELDS = 5_000


class NotCompiled(Exception):
    """The operation selects something the compiled path does not read; use the resolvers."""


class Unknown(Enum):
    """What collecting does with what the compiled path does not read: a spread of a fragment
    the document does not define or of one already being spread (a cycle; validation refuses
    both), a directive other than ``@skip``/``@include``, or one whose arguments do not coerce."""

    #: ``NotCompiled`` (the compiler: the resolvers answer, with the error it deserves).
    RAISE = "raise"
    #: Leave the spread out and ignore the directive (the price); a directive's arguments that
    #: do not coerce raise graphql-core's error.
    SKIP = "skip"


@dataclass(frozen=True)
class Selections:
    """Collects the fields selected on objects of an operation's types."""

    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    variables: VariableValues
    unknown: Unknown

    def collect(
        self, parent: GraphQLObjectType, selection_sets: Iterable[SelectionSetNode | None]
    ) -> dict[str, list[FieldNode]]:
        """The fields ``selection_sets`` select on an object of ``parent``, by response key (in
        the order first selected), each key with all its occurrences."""
        found: dict[str, list[FieldNode]] = {}
        for selection_set in selection_sets:
            if selection_set is not None:
                self._gather(parent, selection_set, found, frozenset())
        return found

    def _gather(
        self,
        parent: GraphQLObjectType,
        selection_set: SelectionSetNode,
        found: dict[str, list[FieldNode]],
        spread: frozenset[str],
    ) -> None:
        for selection in selection_set.selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                found.setdefault((selection.alias or selection.name).value, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if self._applies(parent, selection.type_condition):
                    self._gather(parent, selection.selection_set, found, spread)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in spread:
                    if self.unknown is Unknown.RAISE:
                        raise NotCompiled("fragment")
                    continue
                if self._applies(parent, fragment.type_condition):
                    self._gather(parent, fragment.selection_set, found, spread | {name})

    def _included(self, selection: SelectionNode) -> bool:
        """Whether ``@skip``/``@include`` keep a selection."""
        if self.unknown is Unknown.SKIP:
            return _kept(selection, self.variables)
        for directive in selection.directives or ():
            if directive.name.value not in ("include", "skip"):
                raise NotCompiled(f"directive @{directive.name.value}")
        try:
            return _kept(selection, self.variables)
        except Exception as error:
            raise NotCompiled("directive arguments") from error

    def _applies(self, parent: GraphQLObjectType, condition: NamedTypeNode | None) -> bool:
        """Whether a fragment on ``condition`` applies to an object of ``parent``."""
        if condition is None or condition.name.value == parent.name:
            return True
        target = self.schema.get_type(condition.name.value)
        return isinstance(target, GraphQLAbstractType) and self.schema.is_sub_type(target, parent)


def _kept(selection: SelectionNode, variables: VariableValues) -> bool:
    skip = get_directive_values(GraphQLSkipDirective, selection, variables)
    include = get_directive_values(GraphQLIncludeDirective, selection, variables)
    if skip is not None and skip.get("if") is True:
        return False
    return not (include is not None and include.get("if") is False)


def written_fields(
    operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> int:
    """The fields ``operation`` selects with every fragment spread written out, counted in time
    linear in the document (each fragment counted once, multiplied by its spreads)."""
    memo: dict[str, int] = {}

    def count(selection_set: SelectionSetNode | None) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += 1 + count(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                total += count(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in memo:
                    memo[name] = 0  # a cycle (validation refuses them) adds nothing
                    fragment = fragments.get(name)
                    memo[name] = count(fragment.selection_set) if fragment else 0
                total += memo[name]
        return total

    return count(operation.selection_set)
