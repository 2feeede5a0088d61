"""Docs are part of the product: the hook reference, the permission matrix and docker-compose
must match the code."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import yaml

from pmo_graph.app_state import collect_permissions
from pmo_graph.auth.permissions import permissions_table
from pmo_graph.plugins import hookspecs
from pmo_graph.plugins.manager import load_plugins
from pmo_graph.settings import Settings

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


def test_docker_compose_runs_postgresql_then_migrates_then_serves() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    services = compose["services"]
    assert services["db"]["image"].startswith("postgres:")
    assert services["migrate"]["command"] == ["pmo-graph", "db", "upgrade"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["app"]["command"][:2] == ["pmo-graph", "serve"]
    assert services["app"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    db = services["db"]["environment"]
    url = f"postgresql+asyncpg://{db['POSTGRES_USER']}:{db['POSTGRES_PASSWORD']}@db:5432/{db['POSTGRES_DB']}"
    known = {f"PMO_GRAPH_{name.upper()}" for name in Settings.model_fields}
    for service in ("migrate", "app"):
        environment = services[service]["environment"]
        assert environment["PMO_GRAPH_DATABASE_URL"] == url
        assert set(environment) <= known, set(environment) - known
    Settings(
        **{
            k.removeprefix("PMO_GRAPH_").lower(): v
            for k, v in services["app"]["environment"].items()
        }
    )
    dockerfile = (REPO / "Dockerfile").read_text()
    for plugin in ("pso", "portfolio", "pmo"):
        assert f"/app/plugins/{plugin}" in dockerfile
