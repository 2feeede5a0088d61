"""How docs/plugin_hooks.md writes each name of ``pmo_graph.sdk``: its kind and its signature.

tests/test_sdk.py compares the page with these; ``python tests/sdk_reference.py`` prints the
entries (with the first line of each docstring as a draft meaning) to paste for a new name.
"""

from __future__ import annotations

import enum
import inspect
import re
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Column

from pmo_graph import sdk

#: An entry of the SDK reference: - `name` · kind · `signature` — meaning
ENTRY = re.compile(
    r"^- `(?P<name>\w+)` · (?P<kind>[a-z ]+) · `(?P<signature>.*)` — (?P<meaning>.+)$"
)
#: A column of a row model's table: | `name` | `type` | nullable | meaning |
COLUMN = re.compile(
    r"^\| `(?P<name>\w+)` \| `(?P<type>\w+)` \| (?P<null>yes|no) \| (?P<meaning>.+) \|$"
)
START, END = "<!-- sdk:start -->", "<!-- sdk:end -->"


def render(value: Any) -> str:
    """A value as the reference writes it: enum members and classes by name."""
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if inspect.isclass(value):
        return value.__name__
    if isinstance(value, tuple):
        return "(" + ", ".join(render(item) for item in value) + ")"
    return repr(value)


def kind(value: Any) -> str:
    """What an SDK name is, in the reference's words."""
    if inspect.isclass(value):
        if issubclass(value, enum.Enum):
            return "enum"
        if value in sdk.ROW_MODELS:
            return "row model"
        if issubclass(value, BaseException):
            return "exception"
        if hasattr(value, "__strawberry_definition__"):
            return "graphql type"
        return "class"
    if inspect.iscoroutinefunction(value):
        return "async function"
    if inspect.isfunction(value):
        return "function"
    if type(value).__name__ == "HookimplMarker":
        return "decorator"
    if callable(value) and type(value).__module__.startswith("strawberry"):
        return "type reference"
    return "constant"


def signature(value: Any) -> str:
    """The signature ``inspect.signature`` prints (string annotations unquoted), the members of an enum, the
    arguments (without annotations) of a GraphQL type, the value of a constant; ``-`` for a type
    reference."""
    what = kind(value)
    if what == "enum":
        return "{" + ", ".join(member.name for member in value) + "}"
    if what == "constant":
        return "= " + render(value)
    if what == "type reference":
        return "-"
    found = inspect.signature(value)
    if what == "graphql type":
        return str(
            found.replace(
                parameters=[
                    p.replace(annotation=inspect.Parameter.empty) for p in found.parameters.values()
                ],
                return_annotation=inspect.Signature.empty,
            )
        )
    return str(
        found.replace(
            parameters=[
                p.replace(annotation=_bare(p.annotation)) for p in found.parameters.values()
            ],
            return_annotation=_bare(found.return_annotation),
        )
    )


class _Annotation(str):
    """An annotation written as a string (``from __future__ import annotations``), printed bare."""

    def __repr__(self) -> str:
        return str(self)


def _bare(annotation: Any) -> Any:
    return _Annotation(annotation) if isinstance(annotation, str) else annotation


def entries() -> dict[str, tuple[str, str]]:
    """Every SDK name and its kind and signature."""
    return {name: (kind(getattr(sdk, name)), signature(getattr(sdk, name))) for name in sdk.__all__}


def public_columns(model: type[Any]) -> Iterator[Column[Any]]:
    """The columns of a row model's table that a plugin may read."""
    for column in model.__table__.columns:
        if not column.key.startswith("_"):
            yield column


def column_entry(column: Column[Any]) -> tuple[str, str]:
    """A column's type and nullability, as its table row in the reference gives them."""
    return type(column.type).__name__, "yes" if column.nullable else "no"


def first_sentence(doc: str) -> str:
    """The first sentence of a docstring's first paragraph, on one line."""
    paragraph = " ".join(doc.split("\n\n")[0].split())
    end = paragraph.find(". ")
    return paragraph if end < 0 else paragraph[: end + 1]


def draft() -> str:
    """Entries for every SDK name, the first line of its docstring as the meaning."""
    lines = []
    for name, (what, spelled) in entries().items():
        value = getattr(sdk, name)
        doc = inspect.getdoc(value) if what not in {"constant", "type reference"} else None
        meaning = first_sentence(doc or "TODO")
        lines.append(f"- `{name}` · {what} · `{spelled}` — {meaning}")
    for model in sdk.ROW_MODELS:
        lines += [
            "",
            f"`{model.__name__}`:",
            "",
            "| column | type | null | meaning |",
            "| --- | --- | --- | --- |",
        ]
        for column in public_columns(model):
            type_name, null = column_entry(column)
            lines.append(f"| `{column.key}` | `{type_name}` | {null} | {column.doc or 'TODO'} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(draft())
