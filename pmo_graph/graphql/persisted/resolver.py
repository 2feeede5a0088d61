"""What a request's GraphQL parameters become once its persisted document is looked up.

The parameters are those of a POST body, of a GET query string (``extensions`` decoded) or of
a WebSocket ``subscribe`` payload. ``resolve`` answers None when they are to be used as they
are, the parameters with ``query`` set to the document's text (and the persisted-document keys
removed, so that they are exactly the request the text would have made), or a ``Refusal``.
"""

from __future__ import annotations

import re
from typing import Any

from graphql import GraphQLError

from pmo_graph.graphql.limits import parse_limited
from pmo_graph.graphql.persisted import refusals
from pmo_graph.graphql.persisted.apq import DocumentStore
from pmo_graph.graphql.persisted.manifest import Manifest, load_manifest, sha256_hex
from pmo_graph.graphql.persisted.refusals import Refusal
from pmo_graph.settings import Settings

#: Where clients put a trusted document's id: the GraphQL over HTTP persisted-documents
#: appendix (``documentId``), and Relay's examples (``doc_id``, ``id``).
ID_KEYS = ("documentId", "doc_id", "id")
#: The persisted-documents appendix's prefix of an id that is the SHA-256 of the text.
SHA256_PREFIX = "sha256:"
SHA256_HEX = re.compile(r"^[0-9a-fA-F]{64}$")
#: Bytes whose absence from a POST body shows it names no persisted query (no JSON parse).
APQ_MARKER = b"persistedQuery"

Params = dict[str, Any]
Outcome = Params | Refusal | None


class PersistedDocuments:
    """Resolves persisted documents: from the trusted manifest when there is one, else from
    the process's store of automatic persisted queries."""

    def __init__(self, settings: Settings) -> None:
        path = settings.trusted_documents
        self.manifest: Manifest | None = load_manifest(path) if path is not None else None
        #: Documents registered by clients (automatic persisted queries), off in trusted mode.
        self.store = DocumentStore(0 if self.manifest else settings.apq_cache_bytes)
        self.max_tokens = settings.max_tokens

    @property
    def trusted(self) -> bool:
        """Whether only the manifest's documents run."""
        return self.manifest is not None

    def may_name_one(self, body: bytes) -> bool:
        """Whether a JSON body needs looking at: always with trusted documents, else only if
        it holds a ``persistedQuery`` extension (a cheap test that spares parsing it)."""
        return self.trusted or APQ_MARKER in body

    def resolve(self, params: Params) -> Outcome:
        """See the module's docstring."""
        extensions = params.get("extensions")
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        if persisted is not None:
            if not isinstance(persisted, dict) or persisted.get("version") != 1:
                version = persisted.get("version") if isinstance(persisted, dict) else persisted
                return refusals.bad_version(version)
            sha = persisted.get("sha256Hash")
            if not isinstance(sha, str) or not SHA256_HEX.match(sha):
                return refusals.bad_hash()
            query = params.get("query")
            if isinstance(query, str) and sha256_hex(query) != sha.lower():
                return refusals.hash_mismatch()
        if self.manifest is not None:
            return self._trusted(self.manifest, params, persisted)
        if persisted is None:
            return None
        return self._automatic(params, persisted["sha256Hash"].lower())

    def _automatic(self, params: Params, sha: str) -> Outcome:
        if self.store.max_bytes == 0:
            return refusals.not_supported()
        query = params.get("query")
        if isinstance(query, str):
            try:
                parse_limited(query, self.max_tokens)
            except GraphQLError:
                pass  # not stored; the pipeline reports the syntax error as it always does
            else:
                self.store.put(sha, query)
            return as_text(params, query)
        text = self.store.get(sha)
        return refusals.not_found() if text is None else as_text(params, text)

    @staticmethod
    def _trusted(manifest: Manifest, params: Params, persisted: Params | None) -> Outcome:
        key = next((params[k] for k in ID_KEYS if isinstance(params.get(k), str)), None)
        named = _find(manifest, key) if key is not None else None
        if persisted is not None and key is None:
            key = persisted["sha256Hash"]
            named = manifest.find(key)
        query = params.get("query")
        if isinstance(query, str):
            if query not in manifest.texts:
                return refusals.not_listed_text()
            if named is not None and named != query:
                return refusals.two_documents()
            return as_text(params, query) if key is not None else None
        if key is None:
            return refusals.no_document()
        if named is None:
            return refusals.not_listed_id(key)
        return as_text(params, named)


def _find(manifest: Manifest, key: str) -> str | None:
    """The text ``key`` names: a bare manifest id, or ``sha256:<hex>`` of the text."""
    found = manifest.find(key)
    if found is None and key.startswith(SHA256_PREFIX):
        found = manifest.by_hash.get(key.removeprefix(SHA256_PREFIX).lower())
    return found


def as_text(params: Params, text: str) -> Params:
    """``params`` as the request that sends ``text`` itself: the document ids and the
    ``persistedQuery`` extension gone, everything else kept."""
    resolved = {k: v for k, v in params.items() if k not in ID_KEYS and k != "query"}
    resolved = {"query": text, **resolved}
    extensions = params.get("extensions")
    if isinstance(extensions, dict) and "persistedQuery" in extensions:
        rest = {k: v for k, v in extensions.items() if k != "persistedQuery"}
        if rest:
            resolved["extensions"] = rest
        else:
            resolved.pop("extensions")
    return resolved
