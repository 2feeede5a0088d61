"""``Loaders.children(where=…)`` keys its loader on the filter: different filters read their own
rows, the same filter shares one statement (``pmo_graph.request.loaders``)."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from helpers import add_projects
from pmo_graph.app_state import AppState
from pmo_graph.db.reader import Reader
from pmo_graph.request.loaders import Loaders, filter_key
from pmo_graph.testing import TestOrganisation, statements_of
from sample_plugin.models import SampleNote


async def noted(
    make_org: Callable[..., Awaitable[TestOrganisation]], db_session: AsyncSession
) -> tuple[TestOrganisation, list[int]]:
    org = await make_org()
    projects = await add_projects(db_session, org.id, 2, with_relations=False)
    for project in projects:
        for text in ("open", "closed", "open"):
            db_session.add(SampleNote(organisation_id=org.id, project_id=project.id, text=text))
    await db_session.commit()
    return org, [p.id for p in projects]


async def test_two_filters_in_one_request_read_their_own_rows_one_statement_each(
    make_org: Callable[..., Awaitable[TestOrganisation]],
    db_session: AsyncSession,
    pmo_state: AppState,
) -> None:
    org, projects = await noted(make_org, db_session)
    async with pmo_state.request_sessionmaker() as session:
        loaders = Loaders(Reader(session), org.id)

        def notes(text: str) -> Awaitable[list[list[SampleNote]]]:
            loader = loaders.children(
                SampleNote, SampleNote.project_id, where=[SampleNote.text == text]
            )
            return loader.load_many(projects)

        with statements_of(pmo_state.engine) as counter:
            # as the fields of one response do: every load of the tick, then one batch each
            opened, closed, opened_again = await asyncio.gather(
                notes("open"), notes("closed"), notes("open")
            )
    assert [[n.text for n in per_project] for per_project in opened] == [["open", "open"]] * 2
    assert [[n.text for n in per_project] for per_project in closed] == [["closed"]] * 2
    assert opened_again == opened
    assert counter.count == 2, counter.statements  # one per filter


def test_the_filter_key_tells_values_and_columns_apart_and_is_stable() -> None:
    same = filter_key([SampleNote.text == "open"])
    assert same == filter_key([SampleNote.text == "open"])
    assert hash(same) == hash(filter_key([SampleNote.text == "open"]))
    assert same != filter_key([SampleNote.text == "closed"])
    assert same != filter_key([SampleNote.text != "open"])
    assert filter_key([SampleNote.id.in_([1, 2])]) != filter_key([SampleNote.id.in_([1, 3])])
    assert filter_key([]) == ()


async def test_the_key_argument_still_works_and_is_deprecated(
    make_org: Callable[..., Awaitable[TestOrganisation]],
    db_session: AsyncSession,
    pmo_state: AppState,
) -> None:
    org, projects = await noted(make_org, db_session)
    async with pmo_state.request_sessionmaker() as session:
        loaders = Loaders(Reader(session), org.id)
        with pytest.warns(DeprecationWarning, match="key is no longer needed"):
            loader = loaders.children(
                SampleNote, SampleNote.project_id, where=[SampleNote.text == "closed"], key="c"
            )
        rows = await loader.load(projects[0])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            plain = loaders.children(SampleNote, SampleNote.project_id)
        everything = await plain.load(projects[0])
    assert [n.text for n in rows] == ["closed"]
    assert [n.text for n in everything] == ["open", "closed", "open"]
