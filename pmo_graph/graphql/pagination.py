"""Relay connections with keyset pagination, ``totalCount``, and batching under a parent.

A root connection costs one statement for the page (and one for ``totalCount`` when asked for).
A connection under each of many parents (``portfolios { projects(first: 20) }``) costs the same:
one windowed statement pages every parent at once, one grouped statement counts them.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import orjson
import strawberry
from sqlalchemy import Select, func, literal, select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, aliased
from sqlalchemy.sql import ColumnElement

from pmo_graph.db.base import Base
from pmo_graph.errors import BadUserInput
from pmo_graph.request.loaders import filter_key, tenant_filter

if TYPE_CHECKING:
    from pmo_graph.request.context import Context

NodeType = TypeVar("NodeType")
M = TypeVar("M", bound=Base)


@strawberry.type(description="Where a page sits in its connection.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items come before this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last item.")


def _edge_cursor(root: Edge[Any]) -> str:
    # Encoded only when asked for: most pages are read for their nodes alone.
    return encode_cursor(root._key)


@strawberry.type(description="An item of a connection and its cursor.")
class Edge(Generic[NodeType]):
    cursor: str = strawberry.field(
        resolver=_edge_cursor, description="Pass as `after` (or `before`) to page on."
    )
    node: NodeType = strawberry.field(description="The item at this position of the list.")
    #: The item's position in its list's ordering (``Ordering.key_of``).
    _key: strawberry.Private[tuple[Any, ...]] = ()


@strawberry.type(description="A page of a list that can grow without bound.")
class Connection(Generic[NodeType]):
    edges: list[Edge[NodeType]] = strawberry.field(
        description="The items of this page with their cursors, in the list's order."
    )
    page_info: PageInfo = strawberry.field(
        description="Whether more items come before or after this page, and the cursors to "
        "ask for them with."
    )
    _total: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="The items of this page, without cursors.")
    def nodes(self) -> list[NodeType]:
        return [edge.node for edge in self.edges]

    @strawberry.field(description="How many items the whole list holds (all pages).")
    async def total_count(self) -> int:
        return await self._total()


@dataclass(frozen=True)
class PageArgs:
    """Validated paging arguments: ``limit`` items after (or before) a cursor position."""

    limit: int
    backwards: bool
    cursor: tuple[Any, ...] | None

    @property
    def key(self) -> Hashable:
        """Identifies the arguments, for sharing a batched loader."""
        return (self.limit, self.backwards, self.cursor)


def encode_cursor(values: Sequence[Any]) -> str:
    """An opaque cursor for a row's ordering key."""
    return base64.urlsafe_b64encode(orjson.dumps(list(values))).decode()


def decode_cursor(cursor: str, width: int, argument: str) -> tuple[Any, ...]:
    """The ordering key in a cursor; ``BAD_USER_INPUT`` when it is not one of ours."""
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
    except Exception:
        values = None
    if not isinstance(values, list) or len(values) != width:
        raise BadUserInput(
            f"`{argument}` is not a valid cursor; pass a cursor from a previous page's "
            "edges or pageInfo",
            argument=argument,
        )
    return tuple(values)


def page_args(
    context: Context,
    *,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
    width: int,
) -> PageArgs:
    """Check ``first``/``after``/``last``/``before`` against the limits and decode the cursor."""
    settings = context.app.settings
    maximum = settings.max_page_size
    if first is not None and last is not None:
        raise BadUserInput("Pass either `first` or `last`, not both.", argument="first")
    if last is not None or before is not None:
        if after is not None or first is not None:
            raise BadUserInput(
                "Page forwards with `first`/`after` or backwards with `last`/`before`, not both.",
                argument="last",
            )
        limit = settings.default_page_size if last is None else last
        argument = "last"
        cursor = decode_cursor(before, width, "before") if before is not None else None
        backwards = True
    else:
        limit = settings.default_page_size if first is None else first
        argument = "first"
        cursor = decode_cursor(after, width, "after") if after is not None else None
        backwards = False
    if not 0 <= limit <= maximum:
        raise BadUserInput(
            f"`{argument}` must be between 0 and {maximum}; page with `after` for more.",
            argument=argument,
            maximum=maximum,
        )
    return PageArgs(limit=limit, backwards=backwards, cursor=cursor)


def list_size(context: Context, requested: int | None, argument: str = "first") -> int:
    """How many items a plain list argument (not a connection) asks for: the server's default
    page size when left out; ``BAD_USER_INPUT`` on ``argument`` outside 0 to its largest page."""
    settings = context.app.settings
    limit = settings.default_page_size if requested is None else requested
    if not 0 <= limit <= settings.max_page_size:
        raise BadUserInput(
            f"`{argument}` must be between 0 and {settings.max_page_size}.",
            argument=argument,
        )
    return limit


def _json_key(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def from_json_key(value: Any, python_type: type) -> Any:
    """A cursor's value as ``python_type``; ``TypeError``/``ValueError`` when it is not one."""
    if value is None:
        return None
    if python_type is datetime:
        return datetime.fromisoformat(value)
    if python_type is date:
        return date.fromisoformat(value)
    if python_type is int and not isinstance(value, int):
        raise TypeError(value)
    if python_type is str and not isinstance(value, str):
        raise TypeError(value)
    return value


@dataclass(frozen=True)
class Ordering:
    """The keyset a connection pages on: columns ending with a unique one (the primary key)."""

    columns: tuple[InstrumentedAttribute[Any], ...]
    descending: bool = False

    def key_of(self, row: Any) -> tuple[Any, ...]:
        """The row's position in the ordering, as JSON-safe values for a cursor."""
        return tuple(_json_key(getattr(row, column.key)) for column in self.columns)

    def decode(self, values: tuple[Any, ...], argument: str) -> tuple[Any, ...]:
        """Cursor values as the columns' Python types; ``BAD_USER_INPUT`` if they do not fit."""
        try:
            return tuple(
                from_json_key(value, column.type.python_type)
                for value, column in zip(values, self.columns, strict=True)
            )
        except (TypeError, ValueError):
            raise BadUserInput(
                f"`{argument}` is not a valid cursor for this list.", argument=argument
            ) from None

    def sql_template(self) -> str:
        """The ordering as a compiled-path template over ``{row}`` (``specs.SqlRelation``)."""
        direction = " DESC" if self.descending else ""
        return ", ".join(
            f'{{row}}."{column.property.columns[0].name}"{direction}' for column in self.columns
        )

    def order_by(self, reverse: bool, columns: Sequence[Any] | None = None) -> list[Any]:
        descending = self.descending != reverse
        cols = columns if columns is not None else self.columns
        return [c.desc() if descending else c.asc() for c in cols]

    def after(self, cursor: tuple[Any, ...], reverse: bool) -> ColumnElement[bool]:
        """Rows past the cursor position in the direction of travel."""
        descending = self.descending != reverse
        row = tuple_(*self.columns)
        decoded = self.decode(cursor, "before" if reverse else "after")
        # Bound with each column's type, so a timestamp is stored-format text on SQLite and a
        # timestamptz on PostgreSQL, never a bare string compared as text.
        values = tuple_(
            *(
                literal(value, type_=column.type)
                for value, column in zip(decoded, self.columns, strict=True)
            )
        )
        return row < values if descending else row > values


def _build_connection(
    rows: Sequence[Any],
    args: PageArgs,
    ordering: Ordering,
    total: Callable[[], Awaitable[int]],
) -> Connection[Any]:
    has_more = len(rows) > args.limit
    page = list(rows[: args.limit])
    if args.backwards:
        page.reverse()
    edges = [Edge(_key=ordering.key_of(row), node=row) for row in page]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_more if not args.backwards else args.cursor is not None,
            has_previous_page=has_more if args.backwards else args.cursor is not None,
            start_cursor=encode_cursor(edges[0]._key) if edges else None,
            end_cursor=encode_cursor(edges[-1]._key) if edges else None,
        ),
        _total=total,
    )


async def paginate(
    context: Context,
    model: type[M],
    ordering: Ordering,
    args: PageArgs,
    where: Sequence[ColumnElement[bool]] = (),
) -> Connection[M]:
    """One page of ``model`` rows of the viewer's organisation matching ``where``."""
    conditions = [*tenant_filter(model, context.viewer.organisation_id), *where]
    statement: Select[M] = select(model).where(*conditions)
    if args.cursor is not None:
        statement = statement.where(ordering.after(args.cursor, args.backwards))
    statement = statement.order_by(*ordering.order_by(args.backwards)).limit(args.limit + 1)
    rows = await context.db.scalars(statement)

    async def total() -> int:
        count = await context.db.scalar(select(func.count()).select_from(model).where(*conditions))
        return int(count or 0)

    return _build_connection(rows, args, ordering, total)


def paginate_children(
    context: Context,
    model: type[M],
    parent: InstrumentedAttribute[Any],
    parent_id: int,
    ordering: Ordering,
    args: PageArgs,
    where: Sequence[ColumnElement[bool]] = (),
    where_key: Hashable = None,
) -> Awaitable[Connection[M]]:
    """A page of the ``model`` rows whose ``parent`` column is ``parent_id``, batched.

    Every call in the same tick with the same model, parent column, filter (``where``, by its
    SQL and bound values) and paging arguments is answered by one windowed statement.
    ``where_key`` is no longer needed (the filter identifies itself); it is still kept apart.
    """
    conditions = [*tenant_filter(model, context.viewer.organisation_id), *where]
    dialect = context.db.session.get_bind().dialect
    key = ("connection", model, parent.key, filter_key(where, dialect), where_key, args.key)

    async def load_pages(parent_ids: list[int]) -> list[list[M]]:
        position = (
            func.row_number()
            .over(partition_by=parent, order_by=ordering.order_by(args.backwards))
            .label("position")
        )
        inner = select(model, position).where(parent.in_(set(parent_ids)), *conditions)
        if args.cursor is not None:
            inner = inner.where(ordering.after(args.cursor, args.backwards))
        window = inner.subquery()
        row = aliased(model, window)
        statement = (
            select(row)
            .where(window.c.position <= args.limit + 1)
            .order_by(window.c[parent.key], window.c.position)
        )
        grouped: dict[int, list[M]] = defaultdict(list)
        for item in await context.db.scalars(statement):
            grouped[getattr(item, parent.key)].append(item)
        return [grouped.get(pid, []) for pid in parent_ids]

    async def load_counts(parent_ids: list[int]) -> list[int]:
        statement = (
            select(parent, func.count())
            .where(parent.in_(set(parent_ids)), *conditions)
            .group_by(parent)
        )
        counts: dict[int, int] = {}
        rows: Sequence[Any] = (await context.db.execute(statement)).all()
        for parent_key, count in rows:
            counts[int(parent_key)] = int(count)
        return [int(counts.get(pid, 0)) for pid in parent_ids]

    pages = context.loaders.get(key, load_pages)
    counts = context.loaders.get(("count", *key[1:4]), load_counts)

    async def build() -> Connection[M]:
        rows = await pages.load(parent_id)
        return _build_connection(rows, args, ordering, lambda: counts.load(parent_id))

    return build()
