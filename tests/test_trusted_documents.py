"""Trusted documents (``PMO_GRAPH_TRUSTED_DOCUMENTS``), end to end through HTTP and WebSocket:
each manifest format the client tools write, every way a client names a document, what is
refused and how, and a manifest that cannot be used stopping start-up with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import orjson
import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from helpers import add_projects
from persisted_requests import get, only_error, persisted_query, post, sha256
from pmo_graph.app import create_app
from pmo_graph.assembly import Assembly, assemble
from pmo_graph.auth.roles import Role
from pmo_graph.plugins.manager import EntryPointSelection
from pmo_graph.settings import Settings
from pmo_graph.subscription_client import GraphQLSocket
from pmo_graph.testing import GraphQLClient, TestOrganisation, serving

REPO = Path(__file__).resolve().parent.parent

LISTED = "query Listed($n: Int) { projects(first: $n) { totalCount nodes { code } } }"
AUDIT = "subscription ListedAudit { auditEvents(afterSeq: 0) { action } }"
UNLISTED = "query Unlisted { projects(first: 1) { totalCount } }"
#: The ids Relay gives (an MD5 of the text, as its compiler's persistConfig writes them).
RELAY_IDS = {LISTED: "3b1f0c5a9d2e4f60718293a4b5c6d7e8", AUDIT: "0f9e8d7c6b5a49382716051423324150"}


def relay_manifest() -> dict[str, Any]:
    """Relay's ``persistedOutput``: ``{"<id>": "<text>"}``, ids of its own."""
    return {RELAY_IDS[text]: text for text in (LISTED, AUDIT)}


def codegen_manifest() -> dict[str, Any]:
    """GraphQL Codegen's client preset, ``persisted-documents.json``: the SHA-256 is the id."""
    return {sha256(text): text for text in (LISTED, AUDIT)}


def apollo_manifest() -> dict[str, Any]:
    """What ``generate-persisted-query-manifest`` writes."""
    return {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [
            {"id": sha256(LISTED), "name": "Listed", "type": "query", "body": LISTED},
            {"id": sha256(AUDIT), "name": "ListedAudit", "type": "subscription", "body": AUDIT},
        ],
    }


MANIFESTS = {"relay": relay_manifest, "codegen": codegen_manifest, "apollo": apollo_manifest}


def manifest_id(manifest: dict[str, Any], text: str) -> str:
    """The id ``manifest`` gives ``text``."""
    if "operations" in manifest:
        return str(next(op["id"] for op in manifest["operations"] if op["body"] == text))
    return next(key for key, body in manifest.items() if body == text)


@pytest.fixture(scope="session")
def pmo_assembly(
    pmo_settings: Settings,
    pmo_plugins: Sequence[ModuleType],
    pmo_load_entrypoints: EntryPointSelection,
) -> Assembly:
    """The session's plugins and schema, assembled once for every trusted app of the module."""
    return assemble(pmo_settings, pmo_plugins, pmo_load_entrypoints)


def written(path: Path, manifest: dict[str, Any]) -> Path:
    """``path``, holding ``manifest``."""
    path.write_bytes(orjson.dumps(manifest))
    return path


@asynccontextmanager
async def trusted_app(
    settings: Settings, assembly: Assembly, path: Path, manifest: dict[str, Any]
) -> AsyncIterator[Starlette]:
    """An app on the test database that runs only ``manifest``'s documents, started."""
    written(path, manifest)
    trusted = Settings(**{**settings.model_dump(), "trusted_documents": path})
    app = create_app(trusted, prepare=False, assembly=assembly)
    async with app.router.lifespan_context(app):
        yield app


@asynccontextmanager
async def client_of(app: Starlette, token: str) -> AsyncIterator[GraphQLClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://trusted.test") as http:
        yield GraphQLClient(http, token)


@pytest.mark.parametrize("format_name", list(MANIFESTS))
async def test_a_listed_document_runs_by_each_of_its_names_and_nothing_else_runs(
    format_name: str,
    org: TestOrganisation,
    db_session: AsyncSession,
    pmo_settings: Settings,
    pmo_assembly: Assembly,
    tmp_path: Path,
) -> None:
    await add_projects(db_session, org.id, 3, with_relations=False)
    manifest = MANIFESTS[format_name]()
    key = manifest_id(manifest, LISTED)
    async with (
        trusted_app(pmo_settings, pmo_assembly, tmp_path / "manifest.json", manifest) as app,
        client_of(app, org.tokens[Role.ADMIN]) as client,
    ):
        variables = {"n": 2}
        names: list[dict[str, Any]] = [
            {"documentId": f"sha256:{sha256(LISTED)}"},
            {"documentId": key},
            {"doc_id": key},
            {"id": key},
            {"extensions": persisted_query(sha256(LISTED))},
            {"query": LISTED},
            {"query": LISTED, "extensions": persisted_query(sha256(LISTED))},
        ]
        for name in names:
            response = await post(client, {**name, "variables": variables})
            assert response.status_code == 200, (name, response.text)
            assert response.json()["data"]["projects"]["totalCount"] == 3, name
        by_get = await get(client, {"documentId": key, "variables": variables})
        assert by_get.json()["data"]["projects"]["totalCount"] == 3

        unlisted = await post(client, {"query": UNLISTED})
        assert unlisted.status_code == 403
        assert only_error(unlisted)["extensions"] == {"code": "PERSISTED_QUERY_NOT_ALLOWED"}
        assert (await get(client, {"query": UNLISTED})).status_code == 403

        registering = {"query": UNLISTED, "extensions": persisted_query(sha256(UNLISTED))}
        assert (await post(client, registering)).status_code == 403
        not_registered = await post(client, {"extensions": persisted_query(sha256(UNLISTED))})
        assert not_registered.status_code == 404
        assert only_error(not_registered)["extensions"] == {"code": "PERSISTED_QUERY_NOT_ALLOWED"}

        unknown = await post(client, {"documentId": "sha256:" + "0" * 64})
        assert unknown.status_code == 404
        assert "No trusted document has the id" in only_error(unknown)["message"]
        nothing = await post(client, {"variables": variables})
        assert nothing.status_code == 400
        assert only_error(nothing)["extensions"] == {"code": "PERSISTED_QUERY_NOT_ALLOWED"}
        batch = await client.http.post(
            "/graphql", json=[{"query": LISTED}], headers=client.headers()
        )
        assert batch.status_code == 400
        assert only_error(batch)["extensions"] == {"code": "PERSISTED_QUERY_NOT_ALLOWED"}
        other = LISTED.replace("Listed", "Other")
        two = await post(client, {"documentId": key, "query": other})
        assert two.status_code == 403  # the text decides: it is not listed
        mixed = await post(client, {"documentId": key, "query": AUDIT})
        assert mixed.status_code == 400
        assert only_error(mixed)["extensions"] == {"code": "BAD_USER_INPUT"}


async def test_the_fast_lane_answers_a_trusted_document_asked_again(
    org: TestOrganisation,
    db_session: AsyncSession,
    pmo_settings: Settings,
    pmo_assembly: Assembly,
    tmp_path: Path,
) -> None:
    await add_projects(db_session, org.id, 2, with_relations=False)
    manifest = codegen_manifest()
    async with (
        trusted_app(pmo_settings, pmo_assembly, tmp_path / "manifest.json", manifest) as app,
        client_of(app, org.tokens[Role.ADMIN]) as client,
    ):
        lane = app.state.pmo.fast_lane
        named = {"documentId": f"sha256:{sha256(LISTED)}", "variables": {"n": 5}}
        first = await post(client, named)
        assert lane.answered == 0
        again = await post(client, named)
        assert lane.answered == 1
        assert again.json()["data"] == first.json()["data"]


async def test_a_subscription_runs_only_a_listed_document(
    org: TestOrganisation, pmo_settings: Settings, pmo_assembly: Assembly, tmp_path: Path
) -> None:
    await org.admin.mutate(
        'mutation { createPortfolio(input: {name: "Trusted"}) { userErrors { code } } }'
    )
    manifest = relay_manifest()
    async with (
        trusted_app(pmo_settings, pmo_assembly, tmp_path / "manifest.json", manifest) as app,
        serving(app) as url,
        GraphQLSocket(url, org.tokens[Role.ADMIN]) as socket,
    ):
        unlisted = "subscription { auditEvents(afterSeq: 0) { action entityId } }"
        refused = await socket.receive(await socket.subscribe(unlisted))
        assert refused["type"] == "error"
        assert refused["payload"][0]["extensions"] == {"code": "PERSISTED_QUERY_NOT_ALLOWED"}
        unknown = await socket.receive(await socket.subscribe_with({"documentId": "nope"}))
        assert unknown["payload"][0]["extensions"] == {"code": "PERSISTED_QUERY_NOT_ALLOWED"}
        for payload in (
            {"documentId": RELAY_IDS[AUDIT]},
            {"documentId": f"sha256:{sha256(AUDIT)}"},
            {"extensions": persisted_query(sha256(AUDIT))},
            {"query": AUDIT},
        ):
            listed = await socket.subscribe_with(payload)
            assert (await socket.data(listed))["auditEvents"]["action"] == "createPortfolio"
            await socket.complete(listed)


BAD_MANIFESTS: dict[str, tuple[bytes | None, str]] = {
    "missing": (None, "cannot read the manifest"),
    "not-json": (b"{not json", "is not JSON"),
    "a-list": (b"[]", "must be a JSON object"),
    "empty": (b"{}", "lists no document"),
    "not-a-text": (b'{"a": 1}', "the entry 'a' is not a document's text"),
    "does-not-parse": (
        b'{"good": "{ viewer { user { id } } }", "broken": "query { viewer {"}',
        "the document 'broken' does not parse: Syntax Error",
    ),
    "apollo-version-2": (
        b'{"format": "apollo-persisted-query-manifest", "version": 2, "operations": []}',
        "the one read is 'apollo-persisted-query-manifest' version 1",
    ),
    "apollo-no-body": (
        b'{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id": "x"}]}',
        "operation 1 needs a string 'id' and 'body'",
    ),
}


@pytest.mark.parametrize("case", list(BAD_MANIFESTS))
def test_a_manifest_that_cannot_be_used_stops_start_up(case: str, tmp_path: Path) -> None:
    content, problem = BAD_MANIFESTS[case]
    path = tmp_path / "manifest.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ValidationError) as refused:
        Settings(trusted_documents=path)
    message = str(refused.value)
    assert "PMO_GRAPH_TRUSTED_DOCUMENTS: " in message
    assert str(path) in message
    assert problem in message


def test_serve_explains_a_manifest_that_cannot_be_used(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    path.write_text('{"ok": "{ viewer { user { id } } }", "broken": "{ viewer {"}')
    env = {
        "PMO_GRAPH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'never.sqlite3'}",
        "PMO_GRAPH_TRUSTED_DOCUMENTS": str(path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "pmo_graph", "serve", "--port", "8797"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(
        f"Error: invalid configuration: PMO_GRAPH_TRUSTED_DOCUMENTS: the manifest {path}: the "
        "document 'broken' does not parse: Syntax Error"
    )
    assert not (tmp_path / "never.sqlite3").exists()
