"""Webhook signing secrets sealed at rest (``webhooks.sealing``): what a key seals, only the keys
open; a secret stored before keys were set still reads; a new key put first takes over.

The database side (a sealed secret stored, deliveries signed with it, ``webhooks seal-secrets``)
is in ``test_webhooks.py``, beside the receiver.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from test_cli import run

from pmo_graph.settings import Settings
from pmo_graph.webhooks.sealing import SEALED_PREFIX, SealingError, SecretBox, generate_key
from pmo_graph.webhooks.signing import new_secret


def test_a_sealed_secret_opens_with_its_key_and_shows_nothing_of_itself() -> None:
    box = SecretBox((generate_key(),))
    secret = new_secret()
    stored = box.seal(secret)
    assert stored.startswith(SEALED_PREFIX)
    assert secret not in stored
    assert secret.removeprefix("whsec_") not in stored
    assert box.seal(secret) != stored  # a fresh nonce each time
    assert box.open(stored) == secret


def test_without_keys_secrets_are_stored_as_they_are_and_read_back() -> None:
    box = SecretBox()
    secret = new_secret()
    assert not box.seals
    assert box.seal(secret) == secret
    assert box.open(secret) == secret
    # and a secret stored before keys were set still reads once they are
    assert SecretBox((generate_key(),)).open(secret) == secret


def test_a_sealed_secret_does_not_open_without_its_key() -> None:
    stored = SecretBox((generate_key(),)).seal(new_secret())
    with pytest.raises(SealingError, match="PMO_GRAPH_SECRET_KEYS is not set"):
        SecretBox().open(stored)
    with pytest.raises(SealingError, match="no key of PMO_GRAPH_SECRET_KEYS opens"):
        SecretBox((generate_key(),)).open(stored)


def test_a_new_key_put_first_reseals_and_the_old_one_can_go() -> None:
    old, new = generate_key(), generate_key()
    secret = new_secret()
    stored = SecretBox((old,)).seal(secret)
    resealed = SecretBox((new, old)).reseal(stored)
    assert SecretBox((new,)).open(resealed) == secret
    with pytest.raises(SealingError):
        SecretBox((old,)).open(resealed)
    with pytest.raises(SealingError, match="nothing to seal with"):
        SecretBox().reseal(secret)


def test_the_setting_takes_keys_in_order_and_refuses_what_is_not_one() -> None:
    first, second = generate_key(), generate_key()
    settings = Settings(secret_keys=f" {first}, {second} ,")  # type: ignore[arg-type]
    assert settings.secret_key_list == [first, second]
    assert first not in repr(settings)
    assert SecretBox.of(settings).seals
    with pytest.raises(ValidationError, match="key 2 is not a key made by"):
        Settings(secret_keys=f"{first},not-a-key")  # type: ignore[arg-type]


def test_the_cli_generates_keys_the_setting_accepts() -> None:
    made = run(["keys", "generate"], {})
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    assert Settings(secret_keys=key).secret_key_list == [key]  # type: ignore[arg-type]
    assert run(["keys", "generate"], {}).stdout.strip() != key
