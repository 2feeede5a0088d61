"""Opaque global IDs (relay): base64 of ``TypeName:primaryKey``."""

from __future__ import annotations

from strawberry.relay import GlobalID


def to_global_id(type_name: str, pk: int | str) -> str:
    """The global ID of the ``type_name`` object with key ``pk``."""
    return str(GlobalID(type_name=type_name, node_id=str(pk)))


def parse_global_id(value: str) -> tuple[str, str] | None:
    """``(type_name, key)`` of a global ID, or None when it is malformed."""
    try:
        gid = GlobalID.from_id(value)
    except Exception:
        return None
    if not gid.type_name or not gid.node_id:
        return None
    return gid.type_name, gid.node_id


def parse_pk(value: str, type_name: str) -> int | None:
    """The integer key of a global ID of type ``type_name``; None when malformed or another type."""
    parsed = parse_global_id(value)
    if parsed is None or parsed[0] != type_name:
        return None
    try:
        pk = int(parsed[1])
    except ValueError:
        return None
    return pk if pk > 0 else None
