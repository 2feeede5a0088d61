"""Opaque global IDs (relay): base64 of ``TypeName:primaryKey``.

Every table's key is a 64-bit integer from 1 up, so the key of a global ID this API gave out is
written as such a number, with no sign, no leading zero and nothing around it. Anything else
(``Project:0``, ``Project:1.5``, a key of 2**63 or more) is not an id of this API: it must never
reach a database driver, which would refuse the number instead of answering "none".
"""

from __future__ import annotations

import base64
import re

#: The largest key a table can hold (a signed 64-bit integer, on SQLite and PostgreSQL).
MAX_KEY = 2**63 - 1
_KEY = re.compile(r"[1-9][0-9]{0,18}")


def to_global_id(type_name: str, pk: int | str) -> str:
    """The global ID of the ``type_name`` object with key ``pk``."""
    # What strawberry's ``GlobalID`` writes; the kernel encodes it itself so as not to import
    # the GraphQL library (the event bus and the models read ids too).
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def key_number(key: str) -> int | None:
    """The table key a global id's key part names, or None when it names no row a table can
    hold (see the module's doc)."""
    if _KEY.fullmatch(key) is None:
        return None
    number = int(key)
    return number if number <= MAX_KEY else None


def parse_global_id(value: str) -> tuple[str, str] | None:
    """``(type_name, key)`` of a global ID, or None when it is malformed: not base64 of
    ``TypeName:key``, or a key that is not a table key (``key_number``)."""
    try:
        type_name, separator, key = base64.b64decode(value.encode()).decode().partition(":")
    except Exception:
        return None
    if not separator or not type_name or key_number(key) is None:
        return None
    return type_name, key


def parse_pk(value: str, type_name: str) -> int | None:
    """The integer key of a global ID of type ``type_name``; None when malformed or another type."""
    parsed = parse_global_id(value)
    if parsed is None or parsed[0] != type_name:
        return None
    return key_number(parsed[1])
