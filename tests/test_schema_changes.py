"""schema.graphql against the last release: every break a client could feel is in CHANGELOG.md."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmo_graph.cli import main
from pmo_graph.schema_changes import (
    breaking_changes,
    dangerous_changes,
    latest_release,
    recorded_breaks,
    unrecorded_breaks,
)

REPO = Path(__file__).resolve().parents[1]
RELEASES = REPO / "docs" / "schema"
CHANGELOG = REPO / "CHANGELOG.md"

OLD_SDL = """
type Query { project(id: ID!): Project  projects(first: Int): [Project!]! }
type Project { id: ID!  code: String!  name: String  stage: Stage! }
enum Stage { PROPOSED ACTIVE }
"""


def test_every_break_since_the_last_release_is_in_the_changelog() -> None:
    release = latest_release(RELEASES)
    assert release is not None, f"no released SDL (v<version>.graphql) in {RELEASES}"
    changes = breaking_changes(
        release.path.read_text(encoding="utf-8"), (REPO / "schema.graphql").read_text()
    )
    missing = unrecorded_breaks(changes, recorded_breaks(CHANGELOG.read_text(), release.version))
    assert not missing, (
        f"schema.graphql breaks these compared with release {release.version}; deprecate instead, "
        "or list each under '### SDL breaks' in CHANGELOG.md as '- `<coordinate>`: what to do':\n"
        + "\n".join(f"  {change.coordinate}: {change.description}" for change in missing)
    )


def test_the_released_sdl_is_the_tagged_tree_where_the_tag_is_present() -> None:
    release = latest_release(RELEASES)
    assert release is not None
    tag = f"v{release.version}"
    shown = subprocess.run(
        ["git", "-C", str(REPO), "show", f"{tag}:schema.graphql"],
        capture_output=True,
        text=True,
        check=False,
    )
    if shown.returncode != 0:
        pytest.skip(
            f"this checkout has no tag {tag} (a clone without tags); the file is the record"
        )
    assert shown.stdout == release.path.read_text(encoding="utf-8"), (
        f"{release.path.name} is not the schema.graphql of tag {tag}"
    )


def test_a_removed_field_a_changed_type_and_a_removed_enum_value_are_breaks_by_coordinate() -> None:
    new_sdl = """
    type Query { project(id: ID!): Project  projects(first: Int!): [Project!]! }
    type Project { id: ID!  name: Int  stage: Stage! }
    enum Stage { PROPOSED }
    """
    coordinates = {change.coordinate for change in breaking_changes(OLD_SDL, new_sdl)}
    assert coordinates == {
        "Project.code",
        "Project.name",
        "Stage.ACTIVE",
        "Query.projects(first:)",
    }


def test_an_added_enum_value_is_dangerous_not_breaking() -> None:
    new_sdl = OLD_SDL.replace("PROPOSED ACTIVE", "PROPOSED ACTIVE CLOSED")
    assert breaking_changes(OLD_SDL, new_sdl) == []
    assert [change.coordinate for change in dangerous_changes(OLD_SDL, new_sdl)] == ["Stage.CLOSED"]


def test_a_break_counts_as_recorded_only_in_a_bullet_under_sdl_breaks_above_the_release() -> None:
    changelog = """# Changelog

## Unreleased

### SDL breaks

- `Project.code`: removed; read `Project.name`.

### Behaviour a client can see

- `Stage.ACTIVE` is mentioned here, which records nothing.

## 1.0.0 (2026-11-26)

### SDL breaks

- `Project.name`: an older break, before the release.
"""
    changes = breaking_changes(
        OLD_SDL,
        """
        type Query { project(id: ID!): Project  projects(first: Int): [Project!]! }
        type Project { id: ID!  name: Int  stage: Stage! }
        enum Stage { PROPOSED }
        """,
    )
    missing = unrecorded_breaks(changes, recorded_breaks(changelog, "1.0.0"))
    assert sorted(change.coordinate for change in missing) == ["Project.name", "Stage.ACTIVE"]


def test_schema_diff_prints_the_breaks_and_exits_1(tmp_path: Path) -> None:
    old, new = tmp_path / "old.graphql", tmp_path / "new.graphql"
    old.write_text(OLD_SDL)
    new.write_text(OLD_SDL.replace("code: String!  ", "").replace("PROPOSED ACTIVE", "PROPOSED"))
    result = CliRunner().invoke(main, ["schema", "diff", str(old), str(new)])
    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [
        "BREAKING\tProject.code\tField Project.code was removed.",
        "BREAKING\tStage.ACTIVE\tEnum value Stage.ACTIVE was removed.",
    ]


def test_schema_diff_of_the_full_schema_against_itself_finds_nothing(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["schema", "diff", str(REPO / "schema.graphql")])
    assert result.exit_code == 0, result.output
    assert result.output == ""
