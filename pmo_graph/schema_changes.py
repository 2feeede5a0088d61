"""What changed in the SDL since a release, named by schema coordinate, and whether the changelog
records each break.

A *break* is what graphql-core's ``find_breaking_changes`` calls one: a change that can make a
client's existing operation fail (a field, argument, type or enum value removed, a field's type
changed, an argument or input field made required). A *dangerous* change cannot fail a valid
operation but can surprise a client (an enum value added, an optional argument added, a default
changed). The released SDL lives in ``docs/schema/v<version>.graphql``; ``CHANGELOG.md`` lists every
break under a ``### SDL breaks`` heading of a section newer than that release, naming its schema
coordinate in backticks (`` `UserError.code` ``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from graphql import (
    BreakingChange,
    DangerousChange,
    GraphQLSchema,
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
)
from graphql.utilities import resolve_schema_coordinate

#: A schema coordinate as graphql-core's change descriptions write them: ``Type``,
#: ``Type.field``, ``Type.field(arg:)``, ``@directive`` or ``@directive(arg:)``.
_COORDINATE = re.compile(
    r"@?[_A-Za-z][_0-9A-Za-z]*(?:\.[_A-Za-z][_0-9A-Za-z]*)?(?:\([_A-Za-z]\w*:\))?"
)
#: ``docs/schema/v1.2.3.graphql``: the SDL of release 1.2.3.
_RELEASE_FILE = re.compile(r"^v(\d+)\.(\d+)\.(\d+)\.graphql$")
#: A changelog bullet's head: the backticked coordinates it opens with (``- `A.b`, `A.c`: ...``).
_BULLET_HEAD = re.compile(r"^- ((?:`[^`]+`(?:,\s*|\s+and\s+)?)+)")
_BACKTICKED = re.compile(r"`([^`]+)`")


@dataclass(frozen=True)
class SchemaChange:
    """One change between two SDLs: its schema coordinate, its kind and graphql-core's sentence."""

    coordinate: str
    kind: str
    description: str


@dataclass(frozen=True)
class Release:
    """A released SDL: its version (``1.0.0``) and the file that holds it."""

    version: str
    path: Path


def breaking_changes(old_sdl: str, new_sdl: str) -> list[SchemaChange]:
    """The changes from ``old_sdl`` to ``new_sdl`` that can fail a client's existing operation."""
    old, new = build_schema(old_sdl), build_schema(new_sdl)
    return [
        SchemaChange(
            _coordinate_of(change.description, old, new), change.type.name, change.description
        )
        for change in find_breaking_changes(old, new)
    ]


def dangerous_changes(old_sdl: str, new_sdl: str) -> list[SchemaChange]:
    """The changes from ``old_sdl`` to ``new_sdl`` that fail no valid operation but may surprise
    a client (a new enum value its ``switch`` does not handle, a changed default)."""
    old, new = build_schema(old_sdl), build_schema(new_sdl)
    return [
        SchemaChange(
            _coordinate_of(change.description, old, new), change.type.name, change.description
        )
        for change in find_dangerous_changes(old, new)
    ]


def _change(
    change: BreakingChange | DangerousChange, old: GraphQLSchema, new: GraphQLSchema
) -> SchemaChange:
    return SchemaChange(
        _coordinate_of(change.description, old, new), change.type.name, change.description
    )


def _coordinate_of(description: str, *schemas: GraphQLSchema) -> str:
    """The longest name in ``description`` that is a coordinate of the first of ``schemas`` that
    has one (the old schema names what was removed, the new one what was added), or the whole
    sentence if none does."""
    candidates = _COORDINATE.findall(description)
    for schema in schemas:
        found = max(
            (candidate for candidate in candidates if _resolves(schema, candidate)),
            key=len,
            default="",
        )
        if found:
            return found
    return description


def _resolves(schema: GraphQLSchema, coordinate: str) -> bool:
    try:
        return resolve_schema_coordinate(schema, coordinate) is not None
    except Exception:  # graphql-core raises on a coordinate of the wrong shape
        return False


def latest_release(directory: Path) -> Release | None:
    """The newest released SDL in ``directory`` (files ``v<major>.<minor>.<patch>.graphql``)."""
    releases = []
    for path in directory.glob("v*.graphql"):
        match = _RELEASE_FILE.match(path.name)
        if match:
            releases.append((tuple(int(part) for part in match.groups()), path))
    if not releases:
        return None
    version, path = max(releases)
    return Release(".".join(str(part) for part in version), path)


def recorded_breaks(changelog: str, release: str) -> set[str]:
    """The coordinates the changelog's bullets open with (``- `Type.field`: ...``) under
    ``### SDL breaks`` in the sections above the one headed ``## <release>`` (in every section, if
    there is none for that release yet)."""
    recorded: set[str] = set()
    in_breaks = False
    for line in changelog.splitlines():
        if line.startswith("## "):
            if line[3:].strip().lstrip("v").split()[0:1] == [release]:
                break
            in_breaks = False
        elif line.startswith("### "):
            in_breaks = line[4:].strip().lower() == "sdl breaks"
        elif in_breaks and (head := _BULLET_HEAD.match(line)):
            recorded.update(_BACKTICKED.findall(head.group(1)))
    return recorded


def unrecorded_breaks(changes: list[SchemaChange], recorded: set[str]) -> list[SchemaChange]:
    """The breaks whose coordinate the changelog does not name."""
    return [change for change in changes if change.coordinate not in recorded]
