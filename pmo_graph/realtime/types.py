"""What every subscription payload shares: when the event happened and who caused it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from pmo_graph.auth.models import User
from pmo_graph.graphql.refs import UserRef
from pmo_graph.graphql.resolvers import load_by_id
from pmo_graph.realtime.notices import Notice


@strawberry.type
class EventFields:
    """Base of subscription payload types: subclass it and add the event's own fields.

    The payload is built from the ``notice`` of the committed event; its fields load what the
    notice points at through the operation's loaders, inside the viewer's organisation.
    """

    notice: strawberry.Private[Notice]

    @strawberry.field(description="When the change committed (UTC).")
    def occurred_at(self) -> datetime:
        return self.notice.occurred_at

    @strawberry.field(description="Who made the change (null if the user was since deleted).")
    async def actor(self, info: Info[Any, Any]) -> UserRef | None:
        return await load_by_id(info, User, self.notice.actor_user_id)
