"""Per-request DataLoaders: every relation resolves in one statement per batch, scoped to the
viewer's organisation."""

from __future__ import annotations

import enum
import warnings
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql import ColumnElement
from strawberry.dataloader import DataLoader

from pmo_graph.db.base import Base
from pmo_graph.db.reader import Reader
from pmo_graph.organisations.models import Organisation
from pmo_graph.request.shared_loads import SharedLoads

M = TypeVar("M", bound=Base)
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def tenant_filter(model: type[Base], organisation_id: int | None) -> list[ColumnElement[bool]]:
    """The WHERE clause that keeps a query inside one organisation.

    Tenant tables carry ``organisation_id``; the organisations table is the tenant itself.
    Any other table is refused: everything a request reads belongs to its organisation.
    """
    if organisation_id is None:
        raise RuntimeError(f"reading table {model.__tablename__} without an organisation")
    if model is Organisation:
        return [Organisation.id == organisation_id]
    column = getattr(model, "organisation_id", None)
    if column is None:
        raise RuntimeError(f"table {model.__tablename__} has no organisation_id to scope it by")
    return [column == organisation_id]


def _frozen(value: Any) -> Hashable:
    """A bound value as a hashable, stable part of a key (lists of an IN become tuples)."""
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_frozen(v) for v in value]
        return tuple(sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items)
    if isinstance(value, enum.Enum):
        return (type(value).__qualname__, value.value)
    if isinstance(value, Hashable):
        return (type(value).__qualname__, value)
    return (type(value).__qualname__, repr(value))


def filter_key(
    where: Iterable[ColumnElement[bool]], dialect: Dialect | None = None
) -> tuple[Hashable, ...]:
    """What identifies a filter, for a loader's cache key: each clause's SQL (compiled for
    ``dialect``, default the generic one) with its bound values. Two filters are one key exactly
    when they read the same rows; the key is hashable and the same for equal filters built at
    different times."""
    parts: list[Hashable] = []
    for clause in where:
        compiled = clause.compile(dialect=dialect)
        values = tuple(sorted((name, _frozen(v)) for name, v in compiled.params.items()))
        parts.append((str(compiled), values))
    return tuple(parts)


#: The parts of ``children``'s keys worked out so far, by the ids of the expressions they came
#: from. An entry holds its expressions, so no id it names is reused while it is kept: the
#: class attributes that most orderings are (``Risk.id``), and the expressions callers build
#: once at import, compile once per process instead of once per field.
_KEY_PARTS: dict[tuple[int, ...], tuple[tuple[Any, ...], Hashable]] = {}
_KEY_PARTS_KEPT = 1024


def _key_part(expressions: tuple[Any, ...], work_out: Callable[[], Hashable]) -> Hashable:
    """``work_out()``, kept for these very ``expressions`` (the same objects, not equal ones)."""
    ids = tuple(id(e) for e in expressions)
    found = _KEY_PARTS.get(ids)
    if found is not None and all(a is b for a, b in zip(found[0], expressions, strict=True)):
        return found[1]
    part = work_out()
    if len(_KEY_PARTS) >= _KEY_PARTS_KEPT:
        _KEY_PARTS.clear()  # expressions built per call pass through; they come back no more
    _KEY_PARTS[ids] = (expressions, part)
    return part


class Loaders:
    """The DataLoaders of one request, created on first use and keyed by what they load."""

    def __init__(self, reader: Reader, organisation_id: int | None) -> None:
        self.reader = reader
        self.organisation_id = organisation_id
        self._loaders: dict[Hashable, DataLoader[Any, Any]] = {}
        #: Loads shared with other operations (the subscribers of one event), if any.
        self.shared: SharedLoads | None = None

    def share(self, shared: SharedLoads | None) -> None:
        """Forget what was loaded, and from now on load through ``shared``."""
        self._loaders.clear()
        # The session's objects too: a SELECT hands back an object the session still holds as
        # it was loaded, and one loaded for an earlier event may be held still (by another
        # subscriber of that event).
        self.reader.session.expunge_all()
        self.shared = shared

    def get(
        self, key: Hashable, load_fn: Callable[[list[K]], Awaitable[Sequence[V]]]
    ) -> DataLoader[K, V]:
        """The loader registered under ``key``, created from ``load_fn`` on first use.

        Plugins use this for loaders the generic helpers below do not cover; ``key`` must be
        unique to the plugin (e.g. ``("pso", "latest_status")``).
        """
        loader = self._loaders.get(key)
        if loader is None:
            loader = DataLoader(load_fn=load_fn)
            self._loaders[key] = loader
        return loader

    def by_id(self, model: type[M]) -> DataLoader[int, M | None]:
        """Rows of ``model`` by primary key (None for a missing key or another organisation's)."""

        async def load(keys: list[int]) -> list[M | None]:
            statement = select(model).where(
                model.id.in_(set(keys)),  # type: ignore[attr-defined]
                *tenant_filter(model, self.organisation_id),
            )
            rows = {row.id: row for row in await self.reader.scalars(statement)}  # type: ignore[attr-defined]
            return [rows.get(key) for key in keys]

        key = ("by_id", model)
        if self.shared is not None and key not in self._loaders:
            # Rows by key depend on the organisation alone, never on the viewer: shareable.
            return self.get(key, self.shared.wrap(key, load))
        return self.get(key, load)

    def children(
        self,
        model: type[M],
        parent: InstrumentedAttribute[Any],
        order_by: Sequence[Any] = (),
        where: Sequence[ColumnElement[bool]] = (),
        key: Hashable = None,
    ) -> DataLoader[int, list[M]]:
        """Lists of ``model`` rows by the parent key in column ``parent``.

        ``where`` narrows the rows; loaders are shared by the calls with the same filter (its
        SQL and bound values, ``filter_key``), so two filters never answer each other's rows.
        ``key`` is deprecated: the filter identifies itself.
        """
        if key is not None:
            warnings.warn(
                "Loaders.children(key=...): the key is no longer needed (the loader is keyed on "
                "the where clauses themselves); drop the argument",
                DeprecationWarning,
                stacklevel=2,
            )

        async def load(keys: list[int]) -> list[list[M]]:
            statement = (
                select(model)
                .where(parent.in_(set(keys)), *tenant_filter(model, self.organisation_id), *where)
                .order_by(*(order_by or (model.id,)))  # type: ignore[attr-defined]
            )
            grouped: dict[int, list[M]] = defaultdict(list)
            for row in await self.reader.scalars(statement):
                grouped[getattr(row, parent.key)].append(row)
            return [grouped.get(k, []) for k in keys]

        order = _key_part(tuple(order_by), lambda: tuple(str(o) for o in order_by))
        dialect = self.reader.session.get_bind().dialect
        where_key = _key_part((dialect, *where), lambda: filter_key(where, dialect))
        return self.get(("children", model, parent.key, order, where_key, key), load)

    def clear(self) -> None:
        """Forget everything loaded so far (after a mutation committed)."""
        self._loaders.clear()
