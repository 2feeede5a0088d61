"""Point a plugin's imports of the pmo-graph core at ``pmo_graph.sdk``.

Usage::

    python scripts/sdk_imports.py [--check] PATH [PATH ...]

Each PATH is a Python file, a Markdown file (its ``python`` code blocks) or a directory (searched
for ``*.py``). Every ``from pmo_graph.<x>
import a, b`` whose names all are in the SDK (the same objects, under the same names) is rewritten
to import them from ``pmo_graph.sdk``; the imports at the top of a module are merged into one
``from pmo_graph.sdk import ...``, an import inside a function is rewritten where it stands.
Imports of ``pmo_graph.sdk`` and ``pmo_graph.testing`` (the pytest plugin) and of the plugin's own
packages are left as they are. An import with a name the SDK lacks is left too, and reported: the
plugin reaches into the core there, and should stop (or ask for the name in the SDK).

The rewritten files are then sorted and formatted with ``ruff check --select I --fix`` and
``ruff format``, when ruff is installed.

With ``--check`` nothing is written: the script lists what it would rewrite and exits 1 if there
is anything. Either way it lists the imports it cannot map; ``--strict`` makes those fail too.

A third-party plugin can run it on its own package and tests during the deprecation window of the
old import paths (see docs/writing_plugins.md, "Imports").
"""

from __future__ import annotations

import argparse
import ast
import importlib
import re
import shutil
import subprocess
import sys
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

SDK = "pmo_graph.sdk"
#: Core modules a plugin may import besides the SDK: they are not rewritten.
KEPT = frozenset({SDK, "pmo_graph.testing"})
#: Names the SDK gives under another name: (module, old name) -> the SDK's name.
RENAMED = {("pmo_graph", "PLUGIN_API_VERSION"): "PLUGIN_API"}
#: The longest line the script writes.
LINE = 100
#: A fenced ``python`` block of a Markdown file: the code is every second part of a split.
FENCE = re.compile(r"(?<=^```python\n)(.*?)(?=^```$)", re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class Unmapped:
    """An import the SDK cannot take over: its names that the SDK lacks."""

    path: Path
    line: int
    module: str
    names: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: from {self.module} import {', '.join(self.names)}"


@dataclass
class Rewrite:
    """What one file's imports become."""

    path: Path
    text: str
    rewritten: list[int] = field(default_factory=list)
    unmapped: list[Unmapped] = field(default_factory=list)


def sdk_names() -> dict[str, object]:
    """Every name the SDK exports, and the object it stands for."""
    sdk = importlib.import_module(SDK)
    return {name: getattr(sdk, name) for name in sdk.__all__}


def python_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The files given, and the ``*.py`` files under the directories given, in a stable order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.py") if ".venv" not in p.parts)
        else:
            yield path


def is_core(module: str | None) -> bool:
    """Whether ``module`` is a part of the core a plugin should import through the SDK."""
    if module is None or module in KEPT:
        return False
    return module == "pmo_graph" or module.startswith("pmo_graph.")


def sdk_alias(module: str, alias: ast.alias, names: dict[str, object]) -> str | None:
    """How the SDK import spells ``alias`` (``name`` or ``name as local``), or None when the SDK
    lacks it: a name the SDK has under the same name, bound to the same object."""
    target = RENAMED.get((module, alias.name), alias.name)
    if target not in names:
        return None
    try:
        with warnings.catch_warnings():
            # an old path warns that it moved; this is the very question being answered
            warnings.simplefilter("ignore", DeprecationWarning)
            source = getattr(importlib.import_module(module), alias.name)
    except (ImportError, AttributeError):
        return None
    if source is not names[target]:
        return None
    local = alias.asname or alias.name
    return target if local == target else f"{target} as {local}"


def statement(names: Sequence[str], indent: str) -> str:
    """``from pmo_graph.sdk import ...`` of ``names``: on one line, or one name a line when that
    is longer than ``LINE`` (as ruff format would write it)."""
    line = f"{indent}from {SDK} import {', '.join(names)}\n"
    if len(line) <= LINE + 1:
        return line
    body = "".join(f"{indent}    {name},\n" for name in names)
    return f"{indent}from {SDK} import (\n{body}{indent})\n"


def rewrite(path: Path, names: dict[str, object]) -> Rewrite:
    """The file at ``path`` with its core imports pointed at the SDK: a Python file, or the
    ``python`` code blocks of a Markdown file."""
    text = path.read_text()
    if path.suffix != ".md":
        return rewrite_code(path, text, names)
    result = Rewrite(path, text)
    parts = FENCE.split(text)
    for index in range(1, len(parts), 2):
        try:
            block = rewrite_code(path, parts[index], names)
        except SyntaxError:
            continue  # a fragment, not a module: nothing to import
        offset = "".join(parts[:index]).count("\n")  # the block's lines are the page's from here
        parts[index] = block.text
        result.rewritten += [line + offset for line in block.rewritten]
        result.unmapped += [replace(item, line=item.line + offset) for item in block.unmapped]
    result.text = "".join(parts)
    return result


def rewrite_code(path: Path, text: str, names: dict[str, object]) -> Rewrite:
    """Python source ``text`` (of ``path``) with its core imports pointed at the SDK."""
    lines = text.splitlines(keepends=True)
    tree = ast.parse(text, filename=str(path))
    result = Rewrite(path, text)
    top: list[str] = []
    top_lines: list[tuple[int, int]] = []  # 1-based, inclusive spans to drop
    nested: dict[int, tuple[int, str]] = {}  # first line -> (last line, replacement)
    existing: ast.ImportFrom | None = None
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or node.level:
            continue
        end = node.end_lineno or node.lineno
        at_top = node in tree.body
        if node.module == SDK and at_top:
            existing = node
            continue
        if not is_core(node.module):
            continue
        module = node.module or ""
        spelled = [sdk_alias(module, alias, names) for alias in node.names]
        if any(alias.name == "*" for alias in node.names) or None in spelled:
            missing = tuple(a.name for a, s in zip(node.names, spelled, strict=True) if s is None)
            result.unmapped.append(Unmapped(path, node.lineno, module, missing))
            continue
        mapped = [s for s in spelled if s is not None]
        result.rewritten.append(node.lineno)
        if at_top:
            top.extend(mapped)
            top_lines.append((node.lineno, end))
        else:
            indent = lines[node.lineno - 1][: node.col_offset]
            nested[node.lineno] = (end, statement(sorted(set(mapped)), indent))
    if not result.rewritten:
        return result
    if existing is not None:
        top.extend(
            a.name if a.asname is None else f"{a.name} as {a.asname}" for a in existing.names
        )
        top_lines.append((existing.lineno, existing.end_lineno or existing.lineno))
    first = min((start for start, _ in top_lines), default=None)
    drop = {line for start, end in top_lines for line in range(start, end + 1)}
    out: list[str] = []
    number = 1
    while number <= len(lines):
        if number == first:
            out.append(statement(sorted(set(top)), ""))
        if number in nested:
            end, replacement = nested[number]
            out.append(replacement)
            number = end + 1
            continue
        if number not in drop:
            out.append(lines[number - 1])
        number += 1
    result.text = "".join(out)
    return result


def tidy(files: Sequence[Path]) -> None:
    """Sort the imports of ``files`` and format them with ruff, when it is installed."""
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        print("ruff not found: sort and format the rewritten files yourself", file=sys.stderr)
        return
    paths = [str(f) for f in files]
    subprocess.run([ruff, "check", "--select", "I", "--fix", "--quiet", *paths], check=False)
    subprocess.run([ruff, "format", "--quiet", *paths], check=False)


def main(argv: Sequence[str] | None = None) -> int:
    """Rewrite (or with ``--check`` list) the core imports under the paths given."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path, help="files or directories")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; fail if a rewrite is due"
    )
    parser.add_argument("--strict", action="store_true", help="fail on an import the SDK lacks")
    args = parser.parse_args(argv)
    names = sdk_names()
    changed: list[Path] = []
    unmapped: list[Unmapped] = []
    for path in python_files(args.paths):
        result = rewrite(path, names)
        unmapped.extend(result.unmapped)
        if result.rewritten:
            changed.append(path)
            lines = ", ".join(str(n) for n in result.rewritten)
            print(f"{path}: {'would rewrite' if args.check else 'rewrote'} lines {lines}")
            if not args.check:
                path.write_text(result.text)
    if changed and not args.check:
        tidy([path for path in changed if path.suffix == ".py"])
    for item in unmapped:
        print(f"not in the SDK: {item}")
    if args.check and changed:
        return 1
    return 1 if args.strict and unmapped else 0


if __name__ == "__main__":
    sys.exit(main())
