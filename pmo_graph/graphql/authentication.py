"""Who a token is now: one path for an HTTP request, a WebSocket operation and a subscription's
event alike.

The token's viewer (user, roles, organisation) and its organisation's enabled tiers come from
the process's ``AccessCache`` when it keeps them (PostgreSQL, forgotten as soon as any replica
announces an access change), else from the database. A WebSocket keeps only its token's digest
and authenticates it again for every operation, so a token revoked, a role removed or a tier
switched off takes effect on open sockets as it does on HTTP.
"""

from __future__ import annotations

from typing import Protocol, cast

from pmo_graph.auth.access_cache import AccessCache
from pmo_graph.auth.tokens import authenticate_digest, bearer_token, token_digest
from pmo_graph.db.row_security import current_organisation
from pmo_graph.request.app import App
from pmo_graph.request.context import Context, Viewer, read_enabled_tiers
from pmo_graph.request.shared_loads import SharedLoads

UNKNOWN_TOKEN_MESSAGE = (
    "The bearer token is unknown or revoked; create a new one with 'pmo-graph token create'."
)
MALFORMED_HEADER_MESSAGE = "The Authorization header must be 'Bearer <token>'."
#: Key of a token's access among the loads an event shares (``SharedLoads``).
_SHARED_ACCESS = "pmo_graph.access"

Access = tuple[Viewer, frozenset[str]]


class AccessApp(App, Protocol):
    """The app as authentication uses it: the cache of tokens' access."""

    @property
    def access(self) -> AccessCache: ...


async def authenticate_header(context: Context, header: str | None) -> None:
    """Set the context's token, viewer and tiers from an ``Authorization`` value, if one came
    (an unknown, revoked or malformed one sets ``auth_error`` instead)."""
    token = bearer_token(header)
    if token == "":
        context.auth_error = MALFORMED_HEADER_MESSAGE
    elif token is not None:
        context.token_digest = token_digest(token)
        await authenticate_token(context)
    await context.db.release()


async def authenticate_token(context: Context, shared: SharedLoads | None = None) -> None:
    """Authenticate the context's token (``token_digest``) again: its current viewer and tiers,
    or no viewer and ``auth_error`` when it is unknown or revoked now.

    ``shared`` are the loads of the event a subscription is about to deliver: its subscribers
    in this process that hold the same token then read it once for all of them.
    """
    digest = context.token_digest
    access = None
    if digest is not None:
        if shared is None:
            access = await _read_access(context, digest)
        else:

            async def read(digests: list[str]) -> list[Access | None]:
                return [await _read_access(context, each) for each in digests]

            (access,) = await shared.wrap(_SHARED_ACCESS, read)([digest])
    if access is None:
        context.viewer_or_none = None
        context.auth_error = UNKNOWN_TOKEN_MESSAGE
    else:
        admit(context, *access)
    await context.db.release()


def admit(context: Context, viewer: Viewer, tiers: frozenset[str]) -> None:
    """Make ``viewer`` the context's user, with their organisation's enabled ``tiers``."""
    context.viewer_or_none = viewer
    context.enabled_tiers = tiers
    context.auth_error = None
    current_organisation.set(viewer.organisation_id)
    context.loaders.organisation_id = viewer.organisation_id


async def _read_access(context: Context, digest: str) -> Access | None:
    cache = cast(AccessApp, context.app).access
    kept = cache.get(digest)
    if kept is not None:
        return kept.viewer, kept.tiers
    began = cache.begin_read()
    viewer = await authenticate_digest(context.session, digest)
    if viewer is None:
        return None
    current_organisation.set(viewer.organisation_id)  # the tiers are the organisation's rows
    tiers = await read_enabled_tiers(context.db, viewer.organisation_id, context.app.registry.tiers)
    cache.put(digest, viewer, tiers, began)
    return viewer, tiers
