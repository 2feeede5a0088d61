"""Docs are part of the product: the hook reference, the permission matrix and docker-compose
must match the code."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import yaml
from _pytest.fixtures import getfixturemarker

import pmo_graph.testing
from pmo_graph.auth.permissions import permissions_table
from pmo_graph.contributions import collect_permissions
from pmo_graph.plugins import hookspecs
from pmo_graph.plugins.loading import load_plugins
from pmo_graph.settings import Settings
from pmo_graph.webhooks import deliverer as webhook_deliverer

REPO = Path(__file__).resolve().parent.parent


def hookspec_headings() -> dict[str, str]:
    """Each hookspec's name and the heading that documents it: ### `name(signature)`."""
    return {
        name: f"### `{name}{str(inspect.signature(function)).replace(chr(39), '')}`"
        for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(function, "pmo_graph_spec")
    }


def test_every_hook_is_documented_with_its_exact_signature() -> None:
    reference = (REPO / "docs" / "plugin_hooks.md").read_text()
    headings = hookspec_headings()
    assert len(headings) >= 10
    missing = [heading for heading in headings.values() if heading not in reference.splitlines()]
    assert missing == [], "document these hooks in docs/plugin_hooks.md:\n" + "\n".join(missing)
    documented = re.findall(r"^### `(\w+)\(", reference, flags=re.MULTILINE)
    assert sorted(documented) == sorted(headings), (
        "docs/plugin_hooks.md documents hooks that do not exist"
    )


def test_every_hook_has_a_docstring() -> None:
    for name, function in inspect.getmembers(hookspecs, inspect.isfunction):
        if hasattr(function, "pmo_graph_spec"):
            assert (function.__doc__ or "").strip(), name


def fixture_table() -> dict[str, str]:
    """Each name in the fixture table of writing_plugins.md §13, and its scope column."""
    page = (REPO / "docs" / "writing_plugins.md").read_text()
    table = page.split("| fixture | scope | what it gives |\n| --- | --- | --- |\n")[1]
    rows = {}
    for line in table.split("\n\n")[0].splitlines():
        name_cell, scope = (cell.strip() for cell in line.split("|")[1:3])
        for name in re.findall(r"`(\w+)[`(]", name_cell):
            rows[name] = scope
    return rows


def test_the_fixture_table_lists_every_fixture_and_helper_of_the_pytest_plugin() -> None:
    fixtures, helpers = {}, set()
    for name, value in vars(pmo_graph.testing).items():
        marker = getfixturemarker(value)
        if marker is not None:
            fixtures[name] = "test" if marker.scope == "function" else marker.scope
        elif (
            inspect.isfunction(value)
            and value.__module__ == pmo_graph.testing.__name__
            and not name.startswith(("_", "pytest_"))
        ):
            helpers.add(name)
    assert len(fixtures) >= 14
    documented = fixture_table()
    assert {n: s for n, s in documented.items() if s != "helper"} == fixtures
    assert {n for n, s in documented.items() if s == "helper"} == helpers


def test_the_permission_matrix_page_is_the_code() -> None:
    page = (REPO / "docs" / "permissions.md").read_text()
    table = page.split("<!-- permissions:start -->\n")[1].split("<!-- permissions:end -->")[0]
    expected = permissions_table(collect_permissions(load_plugins()))
    assert table == expected, (
        "docs/permissions.md is stale: paste the output of 'pmo-graph permissions'"
    )


def test_every_setting_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text()
    for name in Settings.model_fields:
        assert f"PMO_GRAPH_{name.upper()}" in readme, name


def test_the_readme_opens_with_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text()
    blocks = re.findall(r"```(?:\w+)?\n(.*?)```", readme, flags=re.DOTALL)
    assert blocks[0].strip() == "make run"
    assert blocks[1].strip() == "make test"
    ci = (REPO / ".ci" / "run").read_text()
    assert "make test" in ci


def compose_services() -> dict[str, Any]:
    services: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]
    return services


def app_settings(service: dict[str, Any]) -> Settings:
    """The settings a service's PMO_GRAPH_* environment gives (its own values win over ours)."""
    return Settings(
        **{
            name.removeprefix("PMO_GRAPH_").lower(): value
            for name, value in service["environment"].items()
            if name.startswith("PMO_GRAPH_")
        }
    )


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_docker_compose_runs_postgresql_then_migrates_then_serves() -> None:
    services = compose_services()
    assert services["db"]["image"].startswith("postgres:")
    assert services["migrate"]["command"] == ["pmo-graph", "db", "upgrade"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["app"]["command"][:2] == ["pmo-graph", "serve"]
    assert services["app"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    db = services["db"]["environment"]
    url = f"postgresql+asyncpg://{db['POSTGRES_USER']}:{db['POSTGRES_PASSWORD']}@db:5432/{db['POSTGRES_DB']}"
    known = {f"PMO_GRAPH_{name.upper()}" for name in Settings.model_fields}
    for name, service in services.items():
        ours = {key for key in service.get("environment", {}) if key.startswith("PMO_GRAPH_")}
        assert ours <= known, (name, ours - known)
    for service in ("migrate", "app"):
        assert services[service]["environment"]["PMO_GRAPH_DATABASE_URL"] == url
    app_settings(services["app"])
    dockerfile = (REPO / "Dockerfile").read_text()
    for plugin in ("pso", "portfolio", "pmo"):
        assert f"/app/plugins/{plugin}" in dockerfile


def nginx_block(text: str, opening: str) -> str:
    """The inside of the block that starts with ``opening`` (e.g. ``location = /graphql``)."""
    start = re.search(re.escape(opening) + r"\s*\{", text)
    assert start, f"no '{opening} {{' block"
    depth, index = 1, start.end()
    while depth:
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        index += 1
    return text[start.end() : index - 1]


def nginx_directives(block: str) -> list[list[str]]:
    """The directives written directly in a block (not in the blocks nested in it)."""
    flat, depth = [], 0
    for character in re.sub(r"#[^\n]*", "", block):
        depth += {"{": 1, "}": -1}.get(character, 0)
        if depth == 0 and character != "}":
            flat.append(character)
    return [statement.split() for statement in "".join(flat).split(";") if statement.strip()]


def nginx_seconds(value: str) -> int:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    return int(value[:-1]) * units[value[-1]] if value[-1] in units else int(value)


def test_docker_compose_scales_the_app_out_behind_nginx() -> None:
    services = compose_services()
    app, lb = services["app"], services["lb"]
    assert app["deploy"]["replicas"] > 1
    assert int(option(app["command"], "--workers")) > 1
    assert "ports" not in app, "the replicas are reached through the load balancer only"
    assert "/readyz" in " ".join(app["healthcheck"]["test"])
    assert lb["image"].startswith("nginx:")
    assert lb["depends_on"]["app"]["condition"] == "service_healthy"
    assert "/readyz" in " ".join(lb["healthcheck"]["test"])

    (mount,) = [volume for volume in lb["volumes"] if volume.startswith("./deploy/nginx.conf:")]
    assert mount.split(":")[1] == "/etc/nginx/nginx.conf"
    config = (REPO / "deploy" / "nginx.conf").read_text()
    http = nginx_block(config, "http")
    graphql = nginx_directives(nginx_block(http, "location = /graphql"))
    (upstream_name,) = [d[1].removeprefix("http://") for d in graphql if d[0] == "proxy_pass"]
    upstream = nginx_directives(nginx_block(http, f"upstream {upstream_name}"))
    (server,) = [d for d in upstream if d[0] == "server"]
    assert server[1] == f"app:{option(app['command'], '--port')}"

    server_block = nginx_block(http, "server")
    server_level = nginx_directives(server_block)
    (listen,) = [d for d in server_level if d[0] == "listen"]
    assert lb["ports"] == [f"8000:{listen[1]}"]
    assert ["proxy_http_version", "1.1"] in server_level
    body = app_settings(app).max_body_bytes
    assert ["client_max_body_size", f"{body // 1024}k"] in server_level

    for path in ("/graphql", "/readyz", "/"):
        location = nginx_directives(
            nginx_block(server_block, f"location {'= ' * (path != '/')}{path}")
        )
        assert ["proxy_pass", f"http://{upstream_name}"] in location
        # A location that sets any header drops every header its server sets.
        own = [d[1:] for d in location if d[0] == "proxy_set_header"]
        headers = {
            d[0]: " ".join(d[1:])
            for d in own or [d[1:] for d in server_level if d[0] == "proxy_set_header"]
        }
        assert headers["X-Request-ID"].startswith("$"), path
        assert headers["X-Forwarded-For"] == "$proxy_add_x_forwarded_for", path
        if path == "/graphql":
            assert headers["Upgrade"] == "$http_upgrade"
            assert headers["Connection"] == "$connection_upgrade"
            timeouts = {d[0]: nginx_seconds(d[1]) for d in location if d[0].endswith("_timeout")}
            assert timeouts["proxy_read_timeout"] >= 3600, "subscriptions stay open for long"
    assert re.search(r"map \$http_upgrade \$connection_upgrade \{\s*default upgrade;", http)


def test_docker_compose_stays_within_the_postgresql_connections() -> None:
    """Every process holds its pool, one listening connection and its webhook deliverer's pool:
    replicas x workers x (pool + overflow + 1 + deliverer) must fit in max_connections, less the
    superusers' reserve and some headroom."""
    services = compose_services()
    app = services["app"]
    settings = app_settings(app)
    assert {"PMO_GRAPH_POOL_SIZE", "PMO_GRAPH_POOL_MAX_OVERFLOW"} <= set(app["environment"])
    replicas = app["deploy"]["replicas"]
    workers = int(option(app["command"], "--workers"))
    deliverer = webhook_deliverer.POOL_SIZE + webhook_deliverer.POOL_MAX_OVERFLOW
    per_process = settings.pool_size + settings.pool_max_overflow + 1 + deliverer
    total = replicas * workers * per_process
    db_command = services["db"]["command"]
    assert db_command[0] == "postgres"
    (max_connections,) = [
        int(arg.split("=")[1]) for arg in db_command if arg.startswith("max_connections=")
    ]
    superuser_reserved, headroom = 3, 10  # headroom: migrate, pmo-graph commands, psql
    assert total + headroom <= max_connections - superuser_reserved

    times = "\N{MULTIPLICATION SIGN}"
    example = (
        f"{replicas} replicas {times} {workers} workers {times} "
        f"({settings.pool_size} + {settings.pool_max_overflow} + 1 + {deliverer}) = {total}"
    )
    assert example in (REPO / "docker-compose.yml").read_text()
    operations = (REPO / "docs" / "operations.md").read_text()
    assert example in operations
    assert f"max_connections={max_connections}" in operations
