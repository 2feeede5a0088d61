"""The codes a ``UserError`` may carry: registered by the core and the plugins, one GraphQL enum.

Every code is registered through the hook ``register_user_error_codes`` with a sentence saying
what it means and what to do, so that ``UserError.code`` is the enum ``UserErrorCode`` (clients'
code generators see each value) rather than a bare string. A mutation that answers a code no
plugin registered fails (``run_mutation``), instead of at serialisation.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import strawberry

from pmo_graph.graphql.payloads import (
    CONFLICT,
    DUPLICATE,
    INVALID,
    NOT_FOUND,
    PREREQUISITE_NOT_MET,
    REQUIRED_BY_OTHER_TIER,
)

#: The GraphQL name of the enum.
USER_ERROR_CODE_ENUM = "UserErrorCode"
CODE_NAME = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")


@dataclass(frozen=True)
class UserErrorCodeSpec:
    """A code a plugin's mutations answer in ``UserError.code``, and what it tells the caller.

    ``name`` is an enum value name (``UPPER_SNAKE_CASE``); ``description`` says when it is
    answered and what the caller can do about it.
    """

    name: str
    description: str


CORE_USER_ERROR_CODES = (
    UserErrorCodeSpec(
        INVALID,
        "The input breaks a rule: a value out of range, too long, malformed, or at odds with "
        "another value of the input. The message says which rule and how to mend it.",
    ),
    UserErrorCodeSpec(
        NOT_FOUND,
        "An id or key in the input names nothing in your organisation (or nothing of the kind "
        "the field expects). Check it against a list query.",
    ),
    UserErrorCodeSpec(
        DUPLICATE,
        "Something with the same unique value already exists (a project code, a person's "
        "email), or the input names the same thing twice. Choose another value, or change the "
        "existing one.",
    ),
    UserErrorCodeSpec(
        CONFLICT,
        "Someone else changed the object since you read it: `expectedVersion` is stale, or "
        "the change raced another writer. Reload it and apply your change again.",
    ),
    UserErrorCodeSpec(
        PREREQUISITE_NOT_MET,
        "A tier this tier requires is off for your organisation: enable that tier first.",
    ),
    UserErrorCodeSpec(
        REQUIRED_BY_OTHER_TIER,
        "A tier that is on requires this tier: disable that tier first.",
    ),
)


def user_error_code_enum(codes: Mapping[str, UserErrorCodeSpec]) -> type[enum.Enum]:
    """The strawberry enum ``UserErrorCode`` of ``codes``, each value with its description.

    Its values are the code strings, so a ``UserError`` whose ``code`` is the string serialises
    as that value.
    """
    members: Iterable[tuple[str, str]] = ((name, name) for name in codes)
    python_enum = enum.Enum(USER_ERROR_CODE_ENUM, list(members))  # type: ignore[misc]
    described = strawberry.enum(
        python_enum,
        name=USER_ERROR_CODE_ENUM,
        description=(
            "Why a mutation refused its input (`UserError.code`); the message says the rest. "
            "Plugins add codes of their own (hook `register_user_error_codes`)."
        ),
    )
    for value in described.__strawberry_definition__.values:  # type: ignore[attr-defined]
        value.description = codes[value.name].description
    return described


class UnregisteredUserErrorCode(RuntimeError):
    """A mutation answered a ``UserError`` whose code no plugin registered: a bug to fix."""
