"""The codes and answers of requests refused for what they name, before anything is parsed."""

from __future__ import annotations

from dataclasses import dataclass, field

from pmo_graph.errors import (
    BAD_USER_INPUT,
    PERSISTED_QUERY_NOT_ALLOWED,
    PERSISTED_QUERY_NOT_FOUND,
    PERSISTED_QUERY_NOT_SUPPORTED,
)

PERSISTED_CODES = (
    PERSISTED_QUERY_NOT_FOUND,
    PERSISTED_QUERY_NOT_SUPPORTED,
    PERSISTED_QUERY_NOT_ALLOWED,
)

#: Apollo Server's header on persisted-query errors: a cache must not keep a miss, or a client
#: would be told the document is unknown after it was registered.
NOT_CACHED = {"Cache-Control": "private, no-cache, must-revalidate"}


@dataclass(frozen=True)
class Refusal:
    """Why a request's persisted document cannot run: one coded error, and its HTTP status."""

    message: str
    code: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)


def not_found() -> Refusal:
    """An automatic persisted query whose hash this process does not hold (HTTP 200, as
    Apollo Server answers it, so that every version of Apollo's link retries)."""
    return Refusal("PersistedQueryNotFound", PERSISTED_QUERY_NOT_FOUND, 200, NOT_CACHED)


def not_supported() -> Refusal:
    """A persisted query sent to a server with automatic persisted queries off."""
    return Refusal("PersistedQueryNotSupported", PERSISTED_QUERY_NOT_SUPPORTED, 200, NOT_CACHED)


def bad_version(version: object) -> Refusal:
    """A ``persistedQuery`` extension of a version other than 1."""
    return Refusal(
        f"Unsupported persisted query version {version!r}: send "
        '"persistedQuery": {"version": 1, "sha256Hash": "<SHA-256 of the query, hex>"}.',
        BAD_USER_INPUT,
        400,
    )


def bad_hash() -> Refusal:
    """A ``sha256Hash`` that is not 64 hexadecimal digits."""
    return Refusal(
        "extensions.persistedQuery.sha256Hash must be the SHA-256 of the query in hex (64 digits).",
        BAD_USER_INPUT,
        400,
    )


def hash_mismatch() -> Refusal:
    """A request whose ``query`` is not the document its ``sha256Hash`` names."""
    return Refusal(
        "extensions.persistedQuery.sha256Hash is not the SHA-256 of the query sent with it; "
        "hash the exact text of the query (UTF-8) and send it again. Nothing was stored.",
        BAD_USER_INPUT,
        400,
    )


def two_documents() -> Refusal:
    """A request naming a trusted document by id and sending another document's text."""
    return Refusal(
        "The request names one trusted document by its id and sends the text of another; "
        "send the id alone.",
        BAD_USER_INPUT,
        400,
    )


def not_listed_text() -> Refusal:
    """Trusted documents: a ``query`` text the manifest does not list (HTTP 403, as Apollo's
    router answers an operation outside its safelist)."""
    return Refusal(
        "This server runs only its trusted documents, and this query is not one of them; "
        "send a document your client's build registered, by its documentId.",
        PERSISTED_QUERY_NOT_ALLOWED,
        403,
        NOT_CACHED,
    )


def not_listed_id(key: str) -> Refusal:
    """Trusted documents: an id the manifest does not list (HTTP 404, as Apollo's router
    answers an id missing from its list)."""
    return Refusal(
        f"No trusted document has the id {key!r}; the client was built with another manifest "
        "than the server's. Deploy the manifest of this client's build.",
        PERSISTED_QUERY_NOT_ALLOWED,
        404,
        NOT_CACHED,
    )


def no_document() -> Refusal:
    """Trusted documents: a request that names no document at all."""
    return Refusal(
        "This server runs only its trusted documents: name one with documentId "
        '("sha256:<hex>" or its id in the manifest).',
        PERSISTED_QUERY_NOT_ALLOWED,
        400,
        NOT_CACHED,
    )


def batch_refused() -> Refusal:
    """Trusted documents: a JSON array of operations."""
    return Refusal(
        "This server runs only its trusted documents, one per request; send each operation "
        "in a request of its own.",
        PERSISTED_QUERY_NOT_ALLOWED,
        400,
    )
