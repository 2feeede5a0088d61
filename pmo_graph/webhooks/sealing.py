"""Webhook signing secrets sealed at rest, with keys the database does not hold.

With ``PMO_GRAPH_SECRET_KEYS`` set (Fernet keys, comma-separated; the first seals, every one
opens), a secret is stored as ``sealed:`` and a Fernet token: a copy of the database, a backup
or an account that may read the table cannot sign deliveries that receivers would accept.
Without keys, secrets are stored as they are. A stored secret without the prefix is read as it
is, so keys can be introduced on a running installation; ``pmo-graph webhooks seal-secrets``
seals the secrets written before, and seals them all again with the first key after a new key
was put in front (then the old key can go).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

if TYPE_CHECKING:
    from pmo_graph.settings import Settings

#: What a sealed secret starts with in the database.
SEALED_PREFIX = "sealed:"


class SealingError(Exception):
    """A sealed secret that cannot be opened: no keys are set, or none of them sealed it."""


def generate_key() -> str:
    """A new key for ``PMO_GRAPH_SECRET_KEYS`` (32 random bytes, URL-safe base64)."""
    return Fernet.generate_key().decode("ascii")


def is_sealed(stored: str) -> bool:
    """Whether a stored secret is sealed."""
    return stored.startswith(SEALED_PREFIX)


@dataclass(frozen=True)
class SecretBox:
    """Seals and opens stored secrets with the configured keys (none: stored as they are)."""

    keys: tuple[str, ...] = ()
    _fernet: MultiFernet | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.keys:
            fernet = MultiFernet([Fernet(key.encode("ascii")) for key in self.keys])
            object.__setattr__(self, "_fernet", fernet)

    @classmethod
    def of(cls, settings: Settings) -> SecretBox:
        """The box of ``PMO_GRAPH_SECRET_KEYS``."""
        return cls(tuple(settings.secret_key_list))

    @property
    def seals(self) -> bool:
        """Whether new secrets are sealed (keys are set)."""
        return self._fernet is not None

    def seal(self, secret: str) -> str:
        """The form of ``secret`` to store: sealed with the first key, or as it is."""
        if self._fernet is None:
            return secret
        return SEALED_PREFIX + self._fernet.encrypt(secret.encode()).decode("ascii")

    def open(self, stored: str) -> str:
        """The secret a stored value holds. Raises ``SealingError`` for a sealed value that no
        key opens."""
        if not is_sealed(stored):
            return stored
        if self._fernet is None:
            raise SealingError(
                "the secret is sealed and PMO_GRAPH_SECRET_KEYS is not set: set the keys it "
                "was sealed with"
            )
        try:
            return self._fernet.decrypt(stored[len(SEALED_PREFIX) :].encode("ascii")).decode()
        except InvalidToken as exc:
            raise SealingError(
                "no key of PMO_GRAPH_SECRET_KEYS opens the secret: keep the key it was sealed "
                "with in the list until 'pmo-graph webhooks seal-secrets' has sealed it again"
            ) from exc

    def reseal(self, stored: str) -> str:
        """``stored`` sealed with the first key (a secret stored as it is gets sealed).
        Raises ``SealingError`` when no keys are set or none opens it."""
        if self._fernet is None:
            raise SealingError("PMO_GRAPH_SECRET_KEYS is not set: there is nothing to seal with")
        return self.seal(self.open(stored))
