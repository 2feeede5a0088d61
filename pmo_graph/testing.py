"""A pytest plugin for pmo-graph and its plugins' test suites (entry point ``pytest11``).

It gives a test suite a migrated database (SQLite, and PostgreSQL when
``PMO_GRAPH_TEST_DATABASE_URL`` is set), an app built with the plugins under test, fresh
organisations with chosen tiers, and GraphQL clients authenticated as any role. Configure it in
your ``conftest.py`` by overriding two fixtures::

    @pytest.fixture(scope="session")
    def pmo_load_entrypoints():
        return {"pso", "my_plugin"}   # these installed plugins only (entry-point names)

    @pytest.fixture(scope="session")
    def pmo_plugins():
        return []   # plugin modules to load that are not installed, e.g. a test double

See docs/writing_plugins.md.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from starlette.applications import Starlette

from pmo_graph import migrations
from pmo_graph.app import create_app
from pmo_graph.app_state import AppState
from pmo_graph.auth.roles import Role
from pmo_graph.auth.tokens import issue_token
from pmo_graph.db.session import normalise_url
from pmo_graph.demo import seed_demo_data
from pmo_graph.organisations.models import Organisation
from pmo_graph.organisations.service import create_organisation, set_tiers
from pmo_graph.people.models import Person
from pmo_graph.plugins.manager import EntryPointSelection
from pmo_graph.races import Race, Shot, race
from pmo_graph.settings import HttpParser, Settings

POSTGRES_URL_VARIABLE = "PMO_GRAPH_TEST_DATABASE_URL"
REQUIRE_POSTGRES_VARIABLE = "PMO_GRAPH_TEST_REQUIRE_POSTGRES"
BACKENDS = ("sqlite", "postgresql")
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def postgres_url() -> str | None:
    """The PostgreSQL database tests may use, from ``PMO_GRAPH_TEST_DATABASE_URL``."""
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    return normalise_url(url) if url else None


def postgres_required() -> bool:
    """Whether a missing or unreachable PostgreSQL fails the run instead of skipping."""
    return os.environ.get(REQUIRE_POSTGRES_VARIABLE, "") not in ("", "0", "false")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "pmo_backends(*names): run only on these databases")


# --- databases -----------------------------------------------------------------------------------


async def _create_schema(url: str, schema: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        await engine.dispose()


async def _drop_schema(url: str, schema: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        await engine.dispose()


@contextmanager
def postgres_schema(prefix: str = "pmo_test") -> Iterator[Settings]:
    """Settings for a fresh, empty PostgreSQL schema, dropped afterwards."""
    url = postgres_url()
    if url is None:
        raise RuntimeError(f"set {POSTGRES_URL_VARIABLE} to use PostgreSQL")
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    asyncio.run(_create_schema(url, schema))
    try:
        yield Settings(database_url=url, database_schema=schema, pool_size=5)
    finally:
        asyncio.run(_drop_schema(url, schema))


def sqlite_settings(path: Path) -> Settings:
    """Settings for a SQLite file at ``path``."""
    return Settings(database_url=f"sqlite+aiosqlite:///{path}")


def _check_postgres(url: str) -> str | None:
    async def ping() -> None:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        finally:
            await engine.dispose()

    try:
        asyncio.run(ping())
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "pmo_backend" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("pmo_backends")
        names = [b for b in BACKENDS if marker is None or b in marker.args]
        metafunc.parametrize("pmo_backend", names, scope="session", indirect=True)


@pytest.fixture(scope="session")
def pmo_backend(request: pytest.FixtureRequest) -> str:
    """The database engine of this test run: ``sqlite`` or ``postgresql``."""
    backend: str = request.param
    if backend == "postgresql":
        url = postgres_url()
        if url is None:
            if postgres_required():
                pytest.fail(
                    f"{REQUIRE_POSTGRES_VARIABLE} is set but {POSTGRES_URL_VARIABLE} is not"
                )
            pytest.skip(f"PostgreSQL tests need {POSTGRES_URL_VARIABLE}")
        problem = _check_postgres(url)
        if problem is not None:
            message = f"PostgreSQL at {make_url(url).render_as_string()} is unreachable: {problem}"
            if postgres_required():
                pytest.fail(message)
            pytest.skip(message)
    return backend


@pytest.fixture(scope="session")
def pmo_plugins() -> Sequence[ModuleType]:
    """Plugin modules to load besides the installed entry points; override in conftest.py."""
    return []


@pytest.fixture(scope="session")
def pmo_load_entrypoints() -> EntryPointSelection:
    """Which installed plugins the app loads: ``True`` all, ``False`` none, or a set of
    entry-point names (the plugin under test and the tiers it needs). Override in conftest.py."""
    return False


@pytest.fixture(scope="session")
def pmo_settings(
    pmo_backend: str,
    pmo_plugins: Sequence[ModuleType],
    pmo_load_entrypoints: EntryPointSelection,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Settings]:
    """Settings of a database migrated for the plugins under test, one per backend."""
    from pmo_graph.plugins.loading import load_plugins

    registry = load_plugins(pmo_plugins, load_entrypoints=pmo_load_entrypoints)
    if pmo_backend == "sqlite":
        settings = sqlite_settings(tmp_path_factory.mktemp("db") / "pmo_graph.sqlite3")
        migrations.upgrade(settings, registry)
        yield settings
        return
    with postgres_schema() as settings:
        migrations.upgrade(settings, registry)
        yield settings


@pytest_asyncio.fixture(scope="session")
async def pmo_app(
    pmo_settings: Settings,
    pmo_plugins: Sequence[ModuleType],
    pmo_load_entrypoints: EntryPointSelection,
) -> AsyncIterator[Starlette]:
    """The ASGI app, started (lifespan entered) on the migrated test database."""
    app = create_app(
        pmo_settings,
        extra_plugins=pmo_plugins,
        load_entrypoints=pmo_load_entrypoints,
        prepare=False,
    )
    async with app.router.lifespan_context(app):
        yield app


@asynccontextmanager
async def serving(app: Starlette, http: HttpParser | None = None) -> AsyncIterator[str]:
    """Serve ``app`` (its lifespan already entered) with uvicorn on a free port of 127.0.0.1,
    in the running event loop, as ``pmo-graph serve`` does (the HTTP parser of the app's
    settings, or ``http``, with its header limits); yields ``http://127.0.0.1:<port>``."""
    import socket

    import uvicorn

    from pmo_graph.http.protocols import uvicorn_http_options

    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listening.bind(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    settings: Settings = app.state.pmo.settings
    config = uvicorn.Config(
        app,
        lifespan="off",
        log_config=None,
        access_log=False,
        **uvicorn_http_options(settings, http),
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[listening]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest_asyncio.fixture(scope="session")
async def pmo_server_url(pmo_app: Starlette) -> AsyncIterator[str]:
    """The session's app on a real socket, for WebSocket subscriptions (connect with
    ``pmo_graph.subscription_client.GraphQLSocket``)."""
    async with serving(pmo_app) as url:
        yield url


@pytest_asyncio.fixture(scope="session")
async def pmo_http(pmo_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client that talks to the app (ASGI, no socket)."""
    transport = httpx.ASGITransport(app=pmo_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://pmo-graph.test") as client:
        yield client


# --- GraphQL clients and organisations -----------------------------------------------------------


class GraphQLErrors(AssertionError):
    """A GraphQL response carried errors the test did not expect."""


@dataclass
class GraphQLClient:
    """Posts GraphQL documents as one user (or anonymously)."""

    http: httpx.AsyncClient
    token: str | None = None

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, **extra: Any
    ) -> dict[str, Any]:
        """The whole JSON response, errors included."""
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        body.update(extra)
        response = await self.http.post("/graphql", json=body, headers=self.headers())
        result: dict[str, Any] = response.json()
        result["_status"] = response.status_code
        return result

    async def query(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """``data`` of a response that must have no errors (else the errors are shown)."""
        result = await self.execute(query, variables)
        if result.get("errors"):
            raise GraphQLErrors(json.dumps(result["errors"], indent=2))
        data: dict[str, Any] = result["data"]
        return data

    async def mutate(
        self, mutation: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The payload of a one-field mutation that must succeed without userErrors."""
        data = await self.query(mutation, variables)
        (payload,) = data.values()
        if payload.get("userErrors"):
            raise GraphQLErrors(json.dumps(payload["userErrors"], indent=2))
        return payload  # type: ignore[no-any-return]

    async def errors(
        self, query: str, variables: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """The errors of a response that must have some."""
        result = await self.execute(query, variables)
        assert result.get("errors"), f"expected errors, got {json.dumps(result)}"
        return result["errors"]  # type: ignore[no-any-return]


@dataclass
class TestOrganisation:
    """An organisation made for one test: per role, a user, their token and their person."""

    __test__ = False

    id: int
    slug: str
    http: httpx.AsyncClient
    tokens: dict[Role, str] = field(default_factory=dict)
    person_ids: dict[Role, int] = field(default_factory=dict)

    def client(self, role: Role = Role.ADMIN) -> GraphQLClient:
        """A GraphQL client authenticated as the user holding ``role``."""
        return GraphQLClient(self.http, self.tokens[role])

    @property
    def admin(self) -> GraphQLClient:
        return self.client(Role.ADMIN)


async def make_test_organisation(
    state: AppState,
    http: httpx.AsyncClient,
    tiers: Sequence[str] = (),
    *,
    slug: str | None = None,
) -> TestOrganisation:
    """A new organisation with ``tiers`` on and, for each role, a user with a token and a linked
    person (so a project manager can be made the manager of a project)."""
    slug = slug or f"org-{uuid.uuid4().hex[:12]}"
    async with state.sessionmaker() as session:
        organisation = await create_organisation(session, slug, f"Test organisation {slug}")
        if tiers:
            await set_tiers(session, organisation, list(tiers))
        handle = TestOrganisation(id=organisation.id, slug=slug, http=http)
        for role in Role:
            email = f"{role.value.lower()}@{slug}.test"
            name = role.value.title().replace("_", " ")
            person = Person(organisation_id=organisation.id, name=name, email=email)
            session.add(person)
            await session.flush()
            issued = await issue_token(session, organisation, email=email, name=name, roles=[role])
            handle.tokens[role] = issued.token
            handle.person_ids[role] = person.id
        await session.commit()
    return handle


@pytest.fixture
def pmo_state(pmo_app: Starlette) -> AppState:
    """The app's state: settings, engine, sessionmaker, plugin registry, schema."""
    state: AppState = pmo_app.state.pmo
    return state


@pytest.fixture
def make_org(
    pmo_state: AppState, pmo_http: httpx.AsyncClient
) -> Callable[..., Awaitable[TestOrganisation]]:
    """``await make_org(tiers=["pso"])``: a fresh organisation with those tiers on."""

    async def make(tiers: Sequence[str] = (), slug: str | None = None) -> TestOrganisation:
        return await make_test_organisation(pmo_state, pmo_http, tiers, slug=slug)

    return make


@pytest_asyncio.fixture
async def org(
    make_org: Callable[..., Awaitable[TestOrganisation]], pmo_state: AppState
) -> TestOrganisation:
    """A fresh organisation with every installed tier on."""
    return await make_org(tiers=pmo_state.registry.tier_order)


@pytest_asyncio.fixture
async def seeded_demo(
    make_org: Callable[..., Awaitable[TestOrganisation]], pmo_state: AppState
) -> TestOrganisation:
    """A fresh organisation with every loaded tier on and the demo data of every loaded plugin
    (their ``seed_demo``, as ``pmo-graph serve --demo`` seeds it), besides the users of
    ``make_org``."""
    handle = await make_org(tiers=pmo_state.registry.tier_order)
    async with pmo_state.sessionmaker() as session:
        organisation = await session.get(Organisation, handle.id)
        assert organisation is not None
        await seed_demo_data(session, pmo_state.registry, organisation)
        await session.commit()
    return handle


@pytest_asyncio.fixture
async def db_session(pmo_state: AppState) -> AsyncIterator[AsyncSession]:
    """A session on the test database, for fast set-up and for checking what was written.

    Like a request's session it begins SQLite transactions deferred, so that holding it open
    through a test never keeps the app's writers waiting.
    """
    async with pmo_state.request_sessionmaker() as session:
        yield session


@dataclass
class StatementCounter:
    """Counts the SQL statements the app runs (transaction control excluded)."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def reset(self) -> None:
        self.statements.clear()


@contextmanager
def statements_of(engine: AsyncEngine) -> Iterator[StatementCounter]:
    """Records every statement ``engine`` executes inside the block (transaction control
    excluded), for an engine of a test's own; ``count_statements`` records the app's."""
    counter = StatementCounter()

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            counter.statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield counter
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


@contextmanager
def round_trips_of(engine: AsyncEngine) -> Iterator[StatementCounter]:
    """Records what ``engine`` sends PostgreSQL inside the block: every statement, and the
    transaction control (``BEGIN``, ``COMMIT``, ``ROLLBACK``) and pings that asyncpg sends
    itself, from its own query log (SQLAlchemy's ``begin`` and ``commit`` events fire in
    autocommit too, when nothing is sent). PostgreSQL only."""
    counter = StatementCounter()
    logged: dict[int, Any] = {}

    def statement(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        counter.statements.append(sql)

    def driver_query(query: Any) -> None:
        # asyncpg logs its simple queries; SQLAlchemy's (prepared) statements come above
        if query.query.lstrip().upper().startswith((*TRANSACTION_CONTROL, ";")):
            counter.statements.append(query.query)

    def on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        driver = dbapi_connection.driver_connection
        if id(driver) not in logged:
            driver.add_query_logger(driver_query)
            logged[id(driver)] = driver

    event.listen(engine.sync_engine, "before_cursor_execute", statement)
    event.listen(engine.sync_engine, "checkout", on_checkout)
    try:
        yield counter
    finally:
        event.remove(engine.sync_engine, "checkout", on_checkout)
        event.remove(engine.sync_engine, "before_cursor_execute", statement)
        for driver in logged.values():
            if not driver.is_closed():
                driver.remove_query_logger(driver_query)


def transaction_control(statements: Sequence[str]) -> list[str]:
    """The ``BEGIN``, ``COMMIT`` and ``ROLLBACK`` among ``statements``, in order."""
    return [s for s in statements if s.lstrip().upper().startswith(TRANSACTION_CONTROL)]


@pytest.fixture
def count_statements(pmo_state: AppState) -> Iterator[StatementCounter]:
    """Records every statement the app's engine executes during the test."""
    with statements_of(pmo_state.engine) as counter:
        yield counter


def access_statements(state: AppState) -> int:
    """The statements a request spends on its token and its organisation's tiers when the same
    token was used just before: none where the process keeps them between requests
    (``AccessCache``: PostgreSQL), two where it reads them every time (SQLite). Statement-count
    tests add it to the statements of the work itself."""
    return 0 if state.access.in_use else 2


@pytest.fixture
def resolvers_only(pmo_state: AppState) -> Iterator[None]:
    """Answers every query through the resolvers during the test (no compiled statement).

    Statement-count tests of the resolvers use it: on PostgreSQL, a compilable query would
    otherwise be answered by one statement and the loaders' batching would go untested.
    """
    before = pmo_state.compiled_queries
    pmo_state.compiled_queries = False
    try:
        yield
    finally:
        pmo_state.compiled_queries = before


@pytest.fixture
def pmo_race(pmo_server_url: str) -> Callable[..., Awaitable[Race]]:
    """``await pmo_race(client, DOCUMENT, [variables, …])``: one request per variables object,
    each on its own connection to the served app, all released at the same moment
    (``pmo_graph.races``). Mix senders or documents with ``pmo_graph.races.race`` and ``Shot``
    on ``pmo_server_url``."""

    async def run(
        client: GraphQLClient, document: str, variables: Sequence[dict[str, Any] | None]
    ) -> Race:
        return await race(pmo_server_url, [Shot(client.token, document, v) for v in variables])

    return run
