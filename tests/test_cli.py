"""The pmo-graph command, run as a real process: output, exit codes, and messages for mistakes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pmo_graph.testing import postgres_schema, postgres_url

REPO = Path(__file__).resolve().parent.parent


def run(
    args: list[str], env: dict[str, str], timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    """``pmo-graph ARGS`` in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "pmo_graph", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )


@pytest.fixture
def sqlite_env(tmp_path: Path) -> dict[str, str]:
    return {"PMO_GRAPH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"}


@pytest.fixture
def postgres_env() -> Iterator[dict[str, str]]:
    if postgres_url() is None:
        pytest.skip("PostgreSQL tests need PMO_GRAPH_TEST_DATABASE_URL")
    with postgres_schema("pmo_cli") as settings:
        yield {
            "PMO_GRAPH_DATABASE_URL": settings.database_url,
            "PMO_GRAPH_DATABASE_SCHEMA": settings.database_schema or "",
        }


def test_organisations_and_tokens(sqlite_env: dict[str, str]) -> None:
    assert run(["db", "upgrade"], sqlite_env).returncode == 0
    created = run(["org", "create", "--slug", "acme", "--name", "Acme Ltd"], sqlite_env)
    assert (created.returncode, created.stdout) == (0, "acme\n")
    again = run(["org", "create", "--slug", "acme", "--name", "Acme Ltd"], sqlite_env)
    assert again.returncode == 1
    assert again.stderr == "Error: an organisation with the slug 'acme' already exists\n"
    bad = run(["org", "create", "--slug", "Not A Slug", "--name", "X"], sqlite_env)
    assert bad.returncode == 1
    assert "must be 1-64 lower-case letters" in bad.stderr
    listed = run(["org", "list"], sqlite_env)
    assert listed.stdout == "acme\tAcme Ltd\n"

    token = run(
        [
            "token",
            "create",
            "--org",
            "acme",
            "--email",
            "Ada@Acme.example",
            "--name",
            "Ada",
            "--role",
            "admin",
            "--role",
            "OFFICE",
            "--label",
            "laptop",
        ],
        sqlite_env,
    )
    assert token.returncode == 0, token.stderr
    lines = token.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("pmo_")
    assert len(lines[0]) > 40
    missing = run(
        ["token", "create", "--org", "nope", "--email", "a@b.c", "--name", "A", "--role", "VIEWER"],
        sqlite_env,
    )
    assert missing.returncode == 1
    assert missing.stderr == (
        "Error: no organisation has the slug 'nope'; create it with "
        "'pmo-graph org create --slug nope --name NAME'\n"
    )
    wrong_role = run(
        ["token", "create", "--org", "acme", "--email", "a@b.c", "--name", "A", "--role", "KING"],
        sqlite_env,
    )
    assert wrong_role.returncode == 2
    assert "'KING' is not one of" in wrong_role.stderr

    listing = run(["token", "list", "--org", "acme"], sqlite_env)
    prefix, email, roles, state, label = listing.stdout.strip().split("\t")
    assert (email, roles, state, label) == ("ada@acme.example", "ADMIN,OFFICE", "live", "laptop")
    assert lines[0].startswith(prefix)
    revoked = run(["token", "revoke", prefix], sqlite_env)
    assert revoked.returncode == 0
    assert "revoked 1 token(s)" in revoked.stderr
    assert run(["token", "list", "--org", "acme"], sqlite_env).stdout.split("\t")[3] == "revoked"
    none_left = run(["token", "revoke", prefix], sqlite_env)
    assert none_left.returncode == 1
    assert "no live token matches" in none_left.stderr


def test_db_commands(sqlite_env: dict[str, str]) -> None:
    before = run(["db", "current"], sqlite_env)
    assert "core: base [behind (head 0012_finish_write_function)]" in before.stdout
    upgraded = run(["db", "upgrade"], sqlite_env)
    assert upgraded.returncode == 0
    assert "core: 0012_finish_write_function" in upgraded.stdout
    assert "core: 0012_finish_write_function [head]" in run(["db", "current"], sqlite_env).stdout
    down = run(["db", "downgrade", "base"], sqlite_env)
    assert down.returncode == 0
    assert "core: base" in down.stdout
    beyond = run(["db", "downgrade", "0001_core"], sqlite_env)
    assert beyond.returncode == 1
    assert "Traceback" not in beyond.stderr
    assert beyond.stderr.startswith("Error: ")
    assert "'pmo-graph db current' shows where each lineage is" in beyond.stderr
    wrong = run(["db", "downgrade", "nowhere@1"], sqlite_env)
    assert wrong.returncode == 1
    assert wrong.stderr.startswith("Error: no migration lineage is named 'nowhere'")


def test_db_upgrade_and_current_report_on_stdout_and_diagnose_on_stderr(
    sqlite_env: dict[str, str],
) -> None:
    upgraded = run(["db", "upgrade"], sqlite_env)
    current = run(["db", "current"], sqlite_env)
    assert (upgraded.returncode, current.returncode) == (0, 0)
    # the same lineages, in the same order and form, on the same stream
    reported = upgraded.stdout.splitlines()
    assert len(reported) >= 4  # the core and the three tiers at least
    assert [f"{line} [head]" for line in reported] == current.stdout.splitlines()
    # stderr is for diagnostics (warnings, errors), and there are none
    assert (upgraded.stderr, current.stderr) == ("", "")
    down = run(["db", "downgrade", "base"], sqlite_env)
    assert down.stdout.splitlines() == [f"{line.split(':')[0]}: base" for line in reported]


def test_schema_print_matches_the_checked_in_schema(sqlite_env: dict[str, str]) -> None:
    printed = run(["schema", "print"], sqlite_env)
    assert printed.returncode == 0
    assert printed.stdout == (REPO / "schema.graphql").read_text(), (
        "schema.graphql is stale: run 'make schema' and commit it"
    )


def test_plugins_list(sqlite_env: dict[str, str]) -> None:
    listed = [line.split("\t") for line in run(["plugins", "list"], sqlite_env).stdout.splitlines()]
    rows = {row[0]: row[1:] for row in listed}
    assert listed[0][0].startswith("pmo-graph ")
    assert listed[0][1:3] == ["-", "plugin API 1.3"]
    assert rows["pmo-graph-pso 0.1.0"][:2] == ["pso (level 1)", "plugin API >=1.3,<2"]
    assert rows["pmo-graph-portfolio 0.1.0"][0] == "portfolio (level 2, requires pso)"
    assert rows["pmo-graph-pmo 0.1.0"][0] == "pmo (level 3, requires portfolio)"
    hooks = rows["pmo-graph-pmo 0.1.0"][2]
    assert hooks.startswith("hooks: ")
    names = hooks.removeprefix("hooks: ").split(", ")
    assert names == sorted(names)
    assert {"handle_event_in_transaction", "register_migrations", "seed_demo"} <= set(names)


def test_an_unreachable_database_is_explained() -> None:
    env = {"PMO_GRAPH_DATABASE_URL": "postgresql+asyncpg://postgres:secret@127.0.0.1:9/nowhere"}
    result = run(["db", "upgrade"], env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(
        "Error: cannot reach the database postgresql+asyncpg://postgres:***@127.0.0.1:9/nowhere"
    )
    assert "secret" not in result.stderr


def test_invalid_configuration_is_explained() -> None:
    result = run(["db", "current"], {"PMO_GRAPH_POOL_SIZE": "lots"})
    assert result.returncode == 1
    assert result.stderr.startswith("Error: invalid configuration: PMO_GRAPH_POOL_SIZE:")


def test_settings_that_do_not_go_together_are_explained() -> None:
    result = run(
        ["db", "current"],
        {
            "PMO_GRAPH_DATABASE_URL": "sqlite+aiosqlite:///./never-made.sqlite3",
            "PMO_GRAPH_DATABASE_POOLING": "transaction",
        },
    )
    assert result.returncode == 1
    assert result.stderr == (
        "Error: invalid configuration: database_pooling 'transaction' applies to PostgreSQL "
        "behind PgBouncer; with SQLite, leave it unset\n"
    )


def test_serve_refuses_several_workers_on_sqlite(
    sqlite_env: dict[str, str], tmp_path: Path
) -> None:
    result = run(["serve", "--workers", "2", "--port", "8798"], sqlite_env, timeout=60)
    assert result.returncode == 1
    assert result.stderr == (
        "Error: --workers 2 needs PostgreSQL (SQLite serves one process: subscribers of one "
        "worker would miss the events of the others); set PMO_GRAPH_DATABASE_URL to a PostgreSQL "
        "database, or serve with --workers 1\n"
    )
    assert not (tmp_path / "cli.sqlite3").exists(), "refused before migrating anything"


def test_serve_refuses_an_unmigrated_postgresql(postgres_env: dict[str, str]) -> None:
    result = run(["serve", "--port", "8799"], postgres_env, timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "is not migrated (behind: core" in result.stderr
    assert "Run 'pmo-graph db upgrade' first." in result.stderr


def test_db_upgrade_and_current_on_postgresql(postgres_env: dict[str, str]) -> None:
    assert run(["db", "upgrade"], postgres_env).returncode == 0
    assert "core: 0012_finish_write_function [head]" in run(["db", "current"], postgres_env).stdout
