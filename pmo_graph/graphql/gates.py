"""Gates: field extensions that refuse a field unless the viewer's access allows it.

A gate is declared on the field (``TierGate`` through ``tier_field`` and ``tier_subscription``,
``PermissionGate`` for a role), so it is checked when the field resolves and can be found
again from the field: a running subscription checks every gate of its field again whenever
the access it was granted may have changed (``realtime.subscriptions.still_allowed``), and
ends with the gate's code (``FORBIDDEN``, ``TIER_NOT_ENABLED``) once one refuses.
"""

from __future__ import annotations

import inspect
from typing import Any

from strawberry.extensions.field_extension import (
    AsyncExtensionResolver,
    FieldExtension,
    SyncExtensionResolver,
)
from strawberry.types import Info

from pmo_graph.auth.permissions import authorize
from pmo_graph.request.context import Context, get_context


class AccessGate(FieldExtension):
    """Base of the gates: ``check`` raises a coded error unless the context may use the field."""

    def check(self, context: Context) -> None:
        """Raise unless ``context``'s viewer, as authenticated now, may use the field."""
        raise NotImplementedError

    def resolve(self, next_: SyncExtensionResolver, source: Any, info: Info, **kwargs: Any) -> Any:
        self.check(get_context(info))
        return next_(source, info, **kwargs)

    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: Info, **kwargs: Any
    ) -> Any:
        self.check(get_context(info))
        result = next_(source, info, **kwargs)
        # A subscription's resolver gives an async generator, which is not awaited.
        return await result if inspect.isawaitable(result) else result


class PermissionGate(AccessGate):
    """Refuses a field with ``FORBIDDEN`` unless the viewer's roles allow ``action`` (an entry
    of the permission matrix, ``docs/permissions.md``)."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action

    def check(self, context: Context) -> None:
        authorize(context, self.action)


def field_gates(info: Info[Any, Any]) -> list[AccessGate]:
    """The gates declared on the field ``info`` resolves."""
    field = info.schema.get_field_for_type(info.field_name, info.path.typename or "")
    extensions = getattr(field, "extensions", None) or ()
    return [extension for extension in extensions if isinstance(extension, AccessGate)]
