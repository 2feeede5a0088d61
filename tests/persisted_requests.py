"""Requests that name a persisted document, as Apollo's persisted-queries link, Relay and the
GraphQL over HTTP persisted-documents appendix send them."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
import orjson

from pmo_graph.testing import GraphQLClient


def sha256(text: str) -> str:
    """The hash a client sends for ``text``."""
    return hashlib.sha256(text.encode()).hexdigest()


def persisted_query(sha: str, version: int = 1) -> dict[str, Any]:
    """The ``extensions`` of an automatic persisted query."""
    return {"persistedQuery": {"version": version, "sha256Hash": sha}}


async def post(
    client: GraphQLClient, body: dict[str, Any], headers: dict[str, str] | None = None
) -> httpx.Response:
    """POST ``body`` as ``client``'s user."""
    return await client.http.post(
        "/graphql", json=body, headers={**client.headers(), **(headers or {})}
    )


async def get(client: GraphQLClient, params: dict[str, Any]) -> httpx.Response:
    """GET with ``params``, ``variables`` and ``extensions`` JSON-encoded as Apollo's link does."""
    encoded = {
        key: orjson.dumps(value).decode() if key in ("variables", "extensions") else value
        for key, value in params.items()
    }
    return await client.http.get("/graphql", params=encoded, headers=client.headers())


def only_error(response: httpx.Response) -> dict[str, Any]:
    """The one error of a refused request, checked to carry nothing else."""
    body = response.json()
    assert "data" not in body or body["data"] is None, body
    (error,) = body["errors"]
    return error  # type: ignore[no-any-return]
