"""The manifest of trusted documents, in the formats the client tools write.

- Relay's ``persistedOutput`` and GraphQL Codegen's client preset (``persisted-documents.json``)
  write one object, id to text: ``{"<id>": "<document>"}``.
- Apollo's ``generate-persisted-query-manifest`` writes ``{"format":
  "apollo-persisted-query-manifest", "version": 1, "operations": [{"id", "name", "type",
  "body"}]}``.

Every document is indexed by its manifest id and by the SHA-256 of its text, so a client may
name it either way whichever tool wrote the manifest.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from graphql import GraphQLError, parse

APOLLO_FORMAT = "apollo-persisted-query-manifest"


class ManifestError(ValueError):
    """The trusted documents' manifest cannot be used; the message names the file and why."""


def sha256_hex(text: str) -> str:
    """The SHA-256 of ``text`` (UTF-8) in lower-case hex, as clients hash documents."""
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Manifest:
    """The trusted documents: by manifest id, by the SHA-256 of their text, and their texts."""

    path: Path
    by_id: dict[str, str]
    by_hash: dict[str, str]
    texts: frozenset[str]

    def find(self, key: str) -> str | None:
        """The text of the document ``key`` names: a manifest id or the SHA-256 of a text."""
        return self.by_id.get(key) or self.by_hash.get(key.lower())

    def __len__(self) -> int:
        return len(self.by_id)


def load_manifest(path: Path) -> Manifest:
    """The manifest at ``path``, every document in it parsed; ``ManifestError`` if it is not
    one. Read once per version of the file (its size and time), however often it is asked."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise ManifestError(
            f"PMO_GRAPH_TRUSTED_DOCUMENTS: cannot read the manifest {path}: {exc.strerror or exc}"
        ) from None
    return _load(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load(path: Path, _mtime_ns: int, _size: int) -> Manifest:
    problem = f"PMO_GRAPH_TRUSTED_DOCUMENTS: the manifest {path}"
    try:
        raw = orjson.loads(path.read_bytes())
    except OSError as exc:
        raise ManifestError(f"{problem} cannot be read: {exc.strerror or exc}") from None
    except orjson.JSONDecodeError as exc:
        raise ManifestError(f"{problem} is not JSON: {exc}") from None
    documents = _entries(raw, problem)
    if not documents:
        raise ManifestError(
            f"{problem} lists no document; a manifest that allows nothing is a mistake"
        )
    for key, text in documents.items():
        try:
            parse(text)
        except GraphQLError as exc:
            raise ManifestError(
                f"{problem}: the document {key!r} does not parse: {exc.message}"
            ) from None
    return Manifest(
        path=path,
        by_id=documents,
        by_hash={sha256_hex(text): text for text in documents.values()},
        texts=frozenset(documents.values()),
    )


def _entries(raw: Any, problem: str) -> dict[str, str]:
    """Id to text, from either shape of manifest."""
    if not isinstance(raw, dict):
        raise ManifestError(f"{problem} must be a JSON object, {_shapes()}")
    if "format" in raw or "operations" in raw:
        return _apollo_entries(raw, problem)
    documents: dict[str, str] = {}
    for key, text in raw.items():
        if not isinstance(text, str) or not text.strip():
            raise ManifestError(
                f"{problem}: the entry {key!r} is not a document's text, {_shapes()}"
            )
        documents[key] = text
    return documents


def _apollo_entries(raw: dict[str, Any], problem: str) -> dict[str, str]:
    if raw.get("format") != APOLLO_FORMAT or raw.get("version") != 1:
        raise ManifestError(
            f"{problem} has format {raw.get('format')!r} version {raw.get('version')!r}; "
            f"the one read is {APOLLO_FORMAT!r} version 1"
        )
    operations = raw.get("operations")
    if not isinstance(operations, list):
        raise ManifestError(f"{problem}: 'operations' must be a list of operations")
    documents: dict[str, str] = {}
    for number, operation in enumerate(operations, start=1):
        key = operation.get("id") if isinstance(operation, dict) else None
        body = operation.get("body") if isinstance(operation, dict) else None
        if not isinstance(key, str) or not key or not isinstance(body, str):
            raise ManifestError(f"{problem}: operation {number} needs a string 'id' and 'body'")
        if key in documents and documents[key] != body:
            raise ManifestError(f"{problem}: the id {key!r} names two different documents")
        documents[key] = body
    return documents


def _shapes() -> str:
    return (
        'either {"<id>": "<document>", …} (Relay\'s persistedOutput, GraphQL Codegen\'s '
        f'persisted-documents.json) or {{"format": "{APOLLO_FORMAT}", "version": 1, '
        '"operations": […]}'
    )
