"""API tokens: random, shown once, stored as a SHA-256 digest, revocable."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.auth.models import ApiToken, User
from pmo_graph.auth.roles import Role, parse_roles
from pmo_graph.canonical import canonical_text
from pmo_graph.db.session import IMMEDIATE
from pmo_graph.db.types import utcnow
from pmo_graph.organisations.models import Organisation
from pmo_graph.people.models import Person
from pmo_graph.request.context import Viewer

log = logging.getLogger("pmo_graph.auth")

TOKEN_PREFIX = "pmo_"
#: How stale ``last_used_at`` may get before a request refreshes it (one write an hour at most).
LAST_USED_RESOLUTION = timedelta(hours=1)


def new_token() -> str:
    """A fresh token: 256 random bits, URL-safe, recognisable by its ``pmo_`` prefix."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (None when absent, "" when
    malformed)."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return ""
    return value.strip()


def token_digest(token: str) -> str:
    """What is stored of a token. Tokens are random, so a plain SHA-256 is enough."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    """A token just created; ``token`` is shown once and never stored."""

    token: str
    token_id: int
    user_id: int
    prefix: str
    #: Whether an existing user's name, roles or person changed: their other tokens now act
    #: differently (``pmo-graph token create`` announces it to the servers).
    access_changed: bool = False


async def issue_token(
    session: AsyncSession,
    organisation: Organisation,
    *,
    email: str,
    name: str,
    roles: list[Role],
    label: str | None = None,
) -> IssuedToken:
    """Create the user if needed (setting their roles and linking their person) and a token."""
    email = canonical_text(email).lower()
    user = await session.scalar(
        select(User).where(User.organisation_id == organisation.id, User.email == email)
    )
    role_names = sorted({role.value for role in roles})
    person_id = await session.scalar(
        select(Person.id).where(Person.organisation_id == organisation.id, Person.email == email)
    )
    access_changed = False
    if user is None:
        user = User(
            organisation_id=organisation.id,
            email=email,
            name=name,
            roles=role_names,
            person_id=person_id,
        )
        session.add(user)
    else:
        before = (user.name, sorted(user.roles), user.person_id)
        user.name = name
        user.roles = role_names
        user.person_id = user.person_id or person_id
        access_changed = before != (user.name, role_names, user.person_id)
    await session.flush()
    token = new_token()
    row = ApiToken(
        organisation_id=organisation.id,
        user_id=user.id,
        digest=token_digest(token),
        prefix=token[: len(TOKEN_PREFIX) + 6],
        label=label,
    )
    session.add(row)
    await session.flush()
    return IssuedToken(
        token=token,
        token_id=row.id,
        user_id=user.id,
        prefix=row.prefix,
        access_changed=access_changed,
    )


async def authenticate(session: AsyncSession, token: str) -> Viewer | None:
    """The viewer a token belongs to, or None for an unknown or revoked token."""
    return await authenticate_digest(session, token_digest(token))


async def authenticate_digest(session: AsyncSession, digest: str) -> Viewer | None:
    """The viewer of the token whose digest is ``digest`` (``token_digest``), or None for an
    unknown or revoked token: what a WebSocket keeps of its token to authenticate it again."""
    row = (
        await session.execute(
            select(ApiToken, User)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.digest == digest, ApiToken.revoked_at.is_(None))
        )
    ).first()
    if row is None:
        return None
    api_token, user = row
    now = utcnow()
    if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_RESOLUTION:
        await _record_use(session, api_token.id, now)
    return Viewer(
        user_id=user.id,
        organisation_id=user.organisation_id,
        email=user.email,
        name=user.name,
        roles=parse_roles(user.roles),
        person_id=user.person_id,
        token_id=api_token.id,
    )


async def _record_use(session: AsyncSession, token_id: int, now: datetime) -> None:
    """Stamp ``last_used_at`` in a short write of its own; bookkeeping never fails a request."""
    await session.commit()  # end the read transaction: the write takes the lock up front
    try:
        await session.connection(execution_options=IMMEDIATE)
        await session.execute(
            update(ApiToken)
            .where(
                ApiToken.id == token_id,
                or_(
                    ApiToken.last_used_at.is_(None),
                    ApiToken.last_used_at < now - LAST_USED_RESOLUTION,
                ),
            )
            .values(last_used_at=now)
        )
        await session.commit()
    except DBAPIError:
        await session.rollback()
        log.warning("could not record the use of token %s", token_id, exc_info=True)


async def revoke_token(session: AsyncSession, token_or_prefix: str) -> list[ApiToken]:
    """Revoke a token given in full, or every live token whose prefix matches; returns them."""
    if token_or_prefix.startswith(TOKEN_PREFIX) and len(token_or_prefix) > 20:
        condition = ApiToken.digest == token_digest(token_or_prefix)
    else:
        condition = ApiToken.prefix == token_or_prefix
    tokens = list(
        await session.scalars(select(ApiToken).where(condition, ApiToken.revoked_at.is_(None)))
    )
    for token in tokens:
        token.revoked_at = utcnow()
    await session.flush()
    return tokens
