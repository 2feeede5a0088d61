"""The files the GraphiQL page loads: the pinned third-party builds and our own two."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

STATIC = Path(__file__).parent / "static"
MANIFEST = STATIC / "manifest.json"
#: Where the page finds the assets, relative to the page's own address (the GraphQL endpoint),
#: so that a proxy serving the API under a path prefix serves them under it too.
RELATIVE_URL = "graphiql/static/"
#: Our own files beside the pinned ones: the page's bootstrap script and its style.
OWN_FILES = ("pmo-graphiql.js", "pmo-graphiql.css")

MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


@dataclass(frozen=True)
class Asset:
    """One served file: its name under ``static``, its content type and its sha256."""

    name: str
    media_type: str
    sha256: str

    @property
    def path(self) -> Path:
        return STATIC / self.name

    @property
    def url(self) -> str:
        """Its address relative to the page; the digest in it changes with the content, so
        the asset may be cached for good."""
        return f"{RELATIVE_URL}{self.name}?v={self.sha256[:16]}"


def pinned_files() -> list[dict[str, str]]:
    """The manifest's entries: name, package, version, source path and sha256 of each file."""
    files: list[dict[str, str]] = json.loads(MANIFEST.read_text())["files"]
    return files


@cache
def served_assets() -> dict[str, Asset]:
    """Every file the asset route serves, by name (hashed once per process)."""
    names = [entry["name"] for entry in pinned_files()] + list(OWN_FILES)
    return {name: _asset(name) for name in names}


def _asset(name: str) -> Asset:
    path = STATIC / name
    return Asset(
        name=name,
        media_type=MEDIA_TYPES[path.suffix],
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
    )
