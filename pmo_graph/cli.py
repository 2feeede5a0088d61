"""The ``pmo-graph`` command line."""

from __future__ import annotations

import asyncio
import functools
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from alembic.util import CommandError as AlembicCommandError
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph import migrations
from pmo_graph.app import NotMigrated, create_app, not_migrated_message
from pmo_graph.assembly import assemble, load_registry
from pmo_graph.audit.chain import verify as verify_chain
from pmo_graph.auth.models import ApiToken, User
from pmo_graph.auth.roles import Role
from pmo_graph.auth.tokens import issue_token, revoke_token
from pmo_graph.db.session import create_engine, create_sessionmaker, describe_url
from pmo_graph.demo import ensure_demo
from pmo_graph.graphql.schema import SchemaCompositionError
from pmo_graph.installation.inventory import describe_tiers, inventory
from pmo_graph.log_config import configure_logging
from pmo_graph.organisations.models import Organisation
from pmo_graph.organisations.service import (
    OrganisationError,
    create_organisation,
    organisation_by_slug,
)
from pmo_graph.plugins.manager import PluginLoadError, PluginRegistry
from pmo_graph.realtime.bus import create_event_bus
from pmo_graph.realtime.publish import announce_access_change, announce_revocations
from pmo_graph.settings import Settings
from pmo_graph.webhooks.resealing import seal_stored_secrets
from pmo_graph.webhooks.sealing import SealingError, SecretBox, generate_key

T = TypeVar("T")

USER_ERRORS: tuple[type[Exception], ...] = (
    PluginLoadError,
    SchemaCompositionError,
    migrations.MigrationError,
    OrganisationError,
    NotMigrated,
    SealingError,
)


class CliError(click.ClickException):
    """A user mistake: printed as one sentence on stderr, exit status 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"Error: {self.format_message()}", err=True)


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(_problem(error) for error in exc.errors())
        raise CliError(f"invalid configuration: {problems}") from exc


def _problem(error: Any) -> str:
    """One setting's problem, named by its variable; a rule between settings has no one
    variable, and its message names them."""
    if not error["loc"]:
        return str(error["msg"]).removeprefix("Value error, ")
    return f"PMO_GRAPH_{'_'.join(str(p) for p in error['loc']).upper()}: {error['msg']}"


def handles_errors(function: Callable[..., T]) -> Callable[..., T]:
    """Turn known mistakes (bad plugin, unreachable database …) into a message and exit 1."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return function(*args, **kwargs)
        except USER_ERRORS as exc:
            raise CliError(str(exc)) from exc
        except AlembicCommandError as exc:
            raise CliError(f"{exc}; 'pmo-graph db current' shows where each lineage is") from exc
        except (OperationalError, DBAPIError, OSError) as exc:
            settings = _settings()
            raise CliError(
                f"cannot reach the database {describe_url(settings.database_url)}: "
                f"{_first_line(exc)}. Check PMO_GRAPH_DATABASE_URL and that the server is running."
            ) from exc

    return wrapper


def _first_line(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    return (str(original).strip().splitlines() or [type(original).__name__])[0]


def _run(coroutine: Awaitable[T]) -> T:
    return asyncio.run(coroutine)  # type: ignore[arg-type]


async def _with_session(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session:
            result = await work(session)
            await session.commit()
            return result
    finally:
        await engine.dispose()


async def _revoke_and_announce(
    session: AsyncSession, settings: Settings, token_or_prefix: str
) -> list[ApiToken]:
    """Revoke, and tell the servers' subscribers in the same transaction (PostgreSQL)."""
    revoked = await revoke_token(session, token_or_prefix)
    await announce_revocations(session, create_event_bus(settings), revoked)
    return revoked


def _registry() -> PluginRegistry:
    return load_registry(_settings())


@click.group(help="pmo-graph: a GraphQL backend for project, portfolio and programme offices.")
@click.option(
    "--database-url",
    envvar="PMO_GRAPH_DATABASE_URL",
    default=None,
    help="Database URL (default: PMO_GRAPH_DATABASE_URL, else the embedded SQLite file).",
)
@click.option(
    "--skip-broken-plugins",
    is_flag=True,
    default=False,
    help="Leave out a plugin that fails to load (logged) instead of stopping "
    "(also PMO_GRAPH_SKIP_BROKEN_PLUGINS=true).",
)
@click.version_option(package_name="pmo-graph")
def main(database_url: str | None, skip_broken_plugins: bool) -> None:
    if database_url:
        os.environ["PMO_GRAPH_DATABASE_URL"] = database_url
    if skip_broken_plugins:
        # The environment, not a parameter, so that server worker processes inherit it.
        os.environ["PMO_GRAPH_SKIP_BROKEN_PLUGINS"] = "true"


# --- serve -------------------------------------------------------------------------------------


@main.command(help="Run the server.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--demo",
    is_flag=True,
    help="Migrate, seed a demo organisation if the database is empty, print a token.",
)
@handles_errors
def serve(host: str, port: int, workers: int, demo: bool) -> None:
    import uvicorn

    from pmo_graph.http.collector import tune_collector
    from pmo_graph.http.protocols import uvicorn_http_options

    settings = _settings()
    if workers > 1 and settings.is_sqlite:
        raise CliError(
            f"--workers {workers} needs PostgreSQL (SQLite serves one process: subscribers of one "
            "worker would miss the events of the others); set PMO_GRAPH_DATABASE_URL to a "
            "PostgreSQL database, or serve with --workers 1"
        )
    configure_logging(settings.log_level, settings.log_format)
    assembly = assemble(settings)
    registry = assembly.registry
    if demo or settings.should_auto_migrate:
        migrations.upgrade(settings, registry)
    else:
        behind = migrations.pending(
            migrations.current(settings, registry), migrations.heads(settings, registry)
        )
        if behind:
            raise NotMigrated(not_migrated_message(settings, behind))
    if demo:
        result = _run(_with_session(settings, lambda session: ensure_demo(session, registry)))
        _print_demo(result.token, result.seeded, result.reason, host, port)
    click.echo(f"pmo-graph serving on http://{host}:{port}/graphql", err=True)
    if workers == 1:
        app = create_app(settings, prepare=False, assembly=assembly)
        tune_collector()
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_config=None,
            access_log=False,
            **uvicorn_http_options(settings),
        )
    else:
        os.environ["PMO_GRAPH_AUTO_MIGRATE"] = "false"
        uvicorn.run(
            "pmo_graph.app:create_app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_config=None,
            access_log=False,
            **uvicorn_http_options(settings),
        )


def _print_demo(token: str | None, seeded: bool, reason: str | None, host: str, port: int) -> None:
    url = f"http://{host}:{port}/graphql"
    if token is None:
        click.echo(f"No demo: {reason}.", err=True)
        return
    query = (
        "{ viewer { organisation { name tiers { key enabled } } } "
        "projects(first: 5) { totalCount edges { node { code name manager { name } } } } }"
    )
    click.echo(
        "\n".join(
            [
                "",
                "pmo-graph demo: Northwind Logistics "
                + ("(just seeded)" if seeded else "(already there)"),
                f"  token:    {token}",
                f'  GraphiQL: {url}  (headers: {{"Authorization": "Bearer {token}"}})',
                f"  query:    {query}",
                "  curl:",
                f"    curl -s -H 'Authorization: Bearer {token}' \\",
                "      -H 'content-type: application/json' \\",
                f'      -d \'{{"query":"{query}"}}\' {url}',
                "",
            ]
        )
    )
    sys.stdout.flush()


# --- db ------------------------------------------------------------------------------------------


@main.group(help="Migrations of the core and of every installed plugin.")
def db() -> None:
    pass


@db.command(
    help="Bring the core and every plugin to their latest revision; print where each lineage "
    "is on stdout (what alembic does, on stderr)."
)
@handles_errors
def upgrade() -> None:
    settings = _settings()
    registry = _registry()
    migrations.upgrade(settings, registry)
    for name, revisions in migrations.current(settings, registry).items():
        click.echo(f"{name}: {', '.join(revisions) or 'base'}")


@db.command(
    help="Downgrade to REV: 'base' (everything), LINEAGE@REV (e.g. core@-1, pso@base) or a "
    "revision id."
)
@click.argument("rev")
@handles_errors
def downgrade(rev: str) -> None:
    settings = _settings()
    registry = _registry()
    migrations.downgrade(settings, registry, rev)
    for name, revisions in migrations.current(settings, registry).items():
        click.echo(f"{name}: {', '.join(revisions) or 'base'}")


@db.command(help="Show the revision each lineage is at, and whether it is the head.")
@handles_errors
def current() -> None:
    settings = _settings()
    registry = _registry()
    at = migrations.current(settings, registry)
    expected = migrations.heads(settings, registry)
    for name, head in expected.items():
        revisions = at.get(name, ())
        state = "head" if revisions == head else f"behind (head {', '.join(head) or 'base'})"
        click.echo(f"{name}: {', '.join(revisions) or 'base'} [{state}]")


@db.command(help="Write a new revision file in a lineage (for core and plugin developers).")
@click.option("--lineage", default="core", show_default=True)
@click.option("-m", "--message", required=True)
@click.option("--autogenerate", is_flag=True, help="Compare the models with the database.")
@handles_errors
def revision(lineage: str, message: str, autogenerate: bool) -> None:
    settings = _settings()
    migrations.revision(settings, _registry(), lineage, message, autogenerate)


# --- org -----------------------------------------------------------------------------------------


@main.group(help="Organisations (tenants).")
def org() -> None:
    pass


@org.command("create", help="Create an organisation (every tier off).")
@click.option("--slug", required=True)
@click.option("--name", required=True)
@handles_errors
def org_create(slug: str, name: str) -> None:
    settings = _settings()
    organisation = _run(_with_session(settings, lambda s: create_organisation(s, slug, name)))
    click.echo(organisation.slug)


@org.command("list", help="List organisations.")
@handles_errors
def org_list() -> None:
    settings = _settings()

    async def work(session: Any) -> list[Organisation]:
        return list(await session.scalars(select(Organisation).order_by(Organisation.slug)))

    for organisation in _run(_with_session(settings, work)):
        click.echo(f"{organisation.slug}\t{organisation.name}")


# --- audit ---------------------------------------------------------------------------------------


@main.group(help="The audit log.")
def audit() -> None:
    pass


@audit.command(
    "verify",
    help="Check that no audit event was changed, removed or reordered (each is chained to the "
    "one before by its hash). Prints each organisation's head; exit status 1 if a link is broken.",
)
@click.option("--org", "slug", default=None, help="Only this organisation (its slug).")
@handles_errors
def audit_verify(slug: str | None) -> None:
    settings = _settings()
    reports = _run(_with_session(settings, lambda session: verify_chain(session, slug)))
    if slug is not None and not reports:
        raise CliError(f"no organisation has the slug {slug!r}; 'pmo-graph org list' lists them")
    broken = False
    for report in reports:
        if report.broken is None:
            click.echo(
                f"{report.slug}: {report.events} events, chain intact; "
                f"head {report.head_seq} {report.head_hash}"
            )
        else:
            broken = True
            click.echo(
                f"{report.slug}: BROKEN at event {report.broken.seq} "
                f"(id {report.broken.event_id}): {report.broken.reason}"
            )
    if broken:
        raise SystemExit(1)


# --- webhooks and keys ---------------------------------------------------------------------------


@main.group(help="Keys that seal webhook signing secrets in the database (PMO_GRAPH_SECRET_KEYS).")
def keys() -> None:
    pass


@keys.command("generate", help="Print a new key for PMO_GRAPH_SECRET_KEYS.")
def keys_generate() -> None:
    click.echo(generate_key())


@main.group(help="Webhooks.")
def webhooks() -> None:
    pass


@webhooks.command(
    "seal-secrets",
    help="Seal every webhook's signing secret with the first key of PMO_GRAPH_SECRET_KEYS: the "
    "ones stored before keys were set, or all of them again after a new key was put first "
    "(then the old key can be dropped).",
)
@click.option("--org", "slug", default=None, help="Only this organisation's webhooks (its slug).")
@handles_errors
def webhooks_seal_secrets(slug: str | None) -> None:
    settings = _settings()
    box = SecretBox.of(settings)
    if not box.seals:
        raise CliError(
            "PMO_GRAPH_SECRET_KEYS is not set: make a key with 'pmo-graph keys generate', "
            "set it (on every server too), then run this again"
        )

    async def work(session: AsyncSession) -> int:
        organisation = await organisation_by_slug(session, slug) if slug is not None else None
        return await seal_stored_secrets(session, box, organisation.id if organisation else None)

    count = _run(_with_session(settings, work))
    click.echo(f"sealed the secrets of {count} webhook(s) with the first key")


# --- token ---------------------------------------------------------------------------------------


ROLE_CHOICE = click.Choice([role.value for role in Role], case_sensitive=False)


@main.group(help="API tokens.")
def token() -> None:
    pass


@token.command(
    "create", help="Create the user if needed and print a new API token (alone) on stdout."
)
@click.option("--org", "slug", required=True, help="Organisation slug.")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role",
    "roles",
    required=True,
    multiple=True,
    type=ROLE_CHOICE,
    help="Repeat for several roles.",
)
@click.option("--label", default=None, help="A note to recognise the token by.")
@handles_errors
def token_create(
    slug: str, email: str, name: str, roles: tuple[str, ...], label: str | None
) -> None:
    if "@" not in email:
        raise CliError(f"{email!r} is not an email address")
    settings = _settings()

    async def work(session: Any) -> str:
        organisation = await organisation_by_slug(session, slug)
        issued = await issue_token(
            session,
            organisation,
            email=email,
            name=name,
            roles=[Role(r.upper()) for r in roles],
            label=label,
        )
        if issued.access_changed:
            bus = create_event_bus(settings)
            await announce_access_change(session, bus, organisation.id, issued.user_id)
        return issued.token

    click.echo(_run(_with_session(settings, work)))


@token.command(
    "revoke", help="Revoke a token (the token itself, or the prefix 'token list' shows)."
)
@click.argument("token_or_prefix")
@handles_errors
def token_revoke(token_or_prefix: str) -> None:
    settings = _settings()
    revoked = _run(
        _with_session(settings, lambda s: _revoke_and_announce(s, settings, token_or_prefix))
    )
    if not revoked:
        raise CliError("no live token matches; 'pmo-graph token list --org SLUG' shows prefixes")
    click.echo(f"revoked {len(revoked)} token(s)", err=True)


@token.command("list", help="List an organisation's tokens (prefixes only).")
@click.option("--org", "slug", required=True)
@handles_errors
def token_list(slug: str) -> None:
    settings = _settings()

    async def work(session: Any) -> list[tuple[ApiToken, User]]:
        organisation = await organisation_by_slug(session, slug)
        rows = await session.execute(
            select(ApiToken, User)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.organisation_id == organisation.id)
            .order_by(ApiToken.id)
        )
        return list(rows.tuples())

    for api_token, user in _run(_with_session(settings, work)):
        state = "revoked" if api_token.revoked_at else "live"
        click.echo(
            f"{api_token.prefix}\t{user.email}\t{','.join(user.roles)}\t{state}\t"
            f"{api_token.label or ''}"
        )


# --- schema, plugins -----------------------------------------------------------------------------


@main.group(help="The GraphQL schema.")
def schema() -> None:
    pass


@schema.command("print", help="Print the SDL of the full schema (all installed plugins).")
@handles_errors
def schema_print() -> None:
    click.echo(assemble(_settings()).built.schema.as_str())


@schema.command(
    "diff",
    help="Compare the full schema (or NEW, an SDL file) with OLD, an SDL file such as a release's "
    "docs/schema/v1.0.0.graphql: print each change that can break a client's operation "
    "(BREAKING) or surprise it (DANGEROUS) with its schema coordinate. Exits 1 if anything breaks.",
)
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@handles_errors
def schema_diff(old: Path, new: Path | None) -> None:
    from pmo_graph.schema_changes import breaking_changes, dangerous_changes

    old_sdl = old.read_text(encoding="utf-8")
    new_sdl = (
        new.read_text(encoding="utf-8")
        if new is not None
        else assemble(_settings()).built.schema.as_str()
    )
    breaks = breaking_changes(old_sdl, new_sdl)
    for change in breaks:
        click.echo(f"BREAKING\t{change.coordinate}\t{change.description}")
    for change in dangerous_changes(old_sdl, new_sdl):
        click.echo(f"DANGEROUS\t{change.coordinate}\t{change.description}")
    if breaks:
        raise SystemExit(1)


@main.command(help="Print who may do what (every installed plugin's actions) as a Markdown table.")
@handles_errors
def permissions() -> None:
    from pmo_graph.auth.permissions import permissions_table
    from pmo_graph.contributions import collect_permissions

    click.echo(permissions_table(collect_permissions(_registry())), nl=False)


@main.group(help="Installed plugins.")
def plugins() -> None:
    pass


@plugins.command(
    "list",
    help="Installed plugins: version, tiers (with what they require), the plugin API range "
    "they support and the hooks they implement; then any skipped as broken.",
)
@handles_errors
def plugins_list() -> None:
    assembly = assemble(_settings())
    for entry in inventory(assembly.registry, assembly.skipped):
        version = f" {entry.version}" if entry.version else ""
        if not entry.loaded:
            click.echo(f"{entry.label}\tskipped: {entry.problem}")
            continue
        api = f"plugin API {entry.plugin_api}" if entry.plugin_api else "plugin API -"
        hooks = ", ".join(entry.hooks) or "-"
        click.echo(f"{entry.label}{version}\t{describe_tiers(entry.tiers)}\t{api}\thooks: {hooks}")
